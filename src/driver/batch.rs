//! Archive batches: `--shard I/N` builds one of N disjoint slices of the files
//! a build makes, and `--report FILE.json` records what a build (or a shard)
//! made and found, so that a batch system can spread thousands of statements
//! over many machines and check what it collects.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::Report;
use crate::diag::{Diagnostic, Diagnostics, Location};

/// The I-th (from 1) of N slices of a build's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 1.
    pub index: u32,
    /// How many slices.
    pub count: u32,
}

impl Shard {
    /// Most slices a build can be cut into: more shards than that are more
    /// processes than any archive has statements per file.
    pub const MAX: u32 = 100_000;

    /// Whether the file named `name` (without extension, e.g. `pamphlet-appeal`)
    /// is this shard's. A file's slice depends on its name alone, so a statement
    /// keeps its shard when others are added to or removed from the archive, and
    /// every file is in exactly one slice.
    pub fn holds(self, name: &str) -> bool {
        // FNV-1a: fixed forever, unlike the standard library's hasher.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard; write I/N with 1 ≤ I ≤ N ≤ {}, e.g. `2/8`", Shard::MAX);
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count || count > Shard::MAX {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The record of a build as JSON: the samizdat version, the shard, whether it
/// succeeded, every file written with its size and SHA-256 (read back from
/// disk), and every diagnostic with its place, code and message.
pub fn report_json(
    result: &Result<(Report, Diagnostics), Diagnostics>,
    shard: Option<Shard>,
) -> Result<String, Diagnostic> {
    let (written, diags) = match result {
        Ok((report, diags)) => (report.written.as_slice(), diags),
        Err(diags) => (&[][..], diags),
    };
    let mut outputs = Vec::with_capacity(written.len());
    for path in written {
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::error(Some(Location::file(path)), format!("cannot read it back for the report: {e}"))
        })?;
        let sha = Sha256::digest(&bytes);
        let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        outputs.push(serde_json::json!({
            "path": path.display().to_string(),
            "bytes": bytes.len(),
            "sha256": hex,
        }));
    }
    let value = serde_json::json!({
        "samizdat": env!("CARGO_PKG_VERSION"),
        "ok": result.is_ok(),
        "shard": shard.map(|s| serde_json::json!({ "index": s.index, "count": s.count })),
        "outputs": outputs,
        "diagnostics": diags.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| Diagnostic::error(None, format!("cannot make the report: {e}")))?;
    text.push('\n');
    Ok(text)
}

/// Writes the report of `result` to `path` (atomically, like every output).
pub fn write_report(
    path: &Path,
    result: &Result<(Report, Diagnostics), Diagnostics>,
    shard: Option<Shard>,
) -> Result<PathBuf, Diagnostic> {
    let text = report_json(result, shard)?;
    super::write_atomic(path, text.as_bytes())
        .map_err(|d| d.with_hint("choose another path for `--report`, in a folder you can write to"))?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shards parse from I/N and refuse what is not one.
    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "8", "a/b", "1/0", "1/100001", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    // Every name is in exactly one shard, and the slices are near even.
    #[test]
    fn every_name_in_one_shard() {
        let names: Vec<String> = (0..4000).map(|i| format!("pamphlet-statement-{i}")).collect();
        let count = 7;
        let mut sizes = vec![0; count as usize];
        for name in &names {
            let holders: Vec<u32> = (1..=count).filter(|&index| Shard { index, count }.holds(name)).collect();
            assert_eq!(holders.len(), 1, "{name}");
            sizes[holders[0] as usize - 1] += 1;
        }
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(*min as f64 > 0.85 * 4000.0 / 7.0 && (*max as f64) < 1.15 * 4000.0 / 7.0, "{sizes:?}");
    }
}
