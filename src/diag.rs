//! Diagnostics: errors and warnings that name a place (file, line, column) and
//! suggest a fix. Stages collect them into a [`Diagnostics`] list so that one
//! run reports every problem at once; the driver prints them.
//!
//! Messages are lowercase without a final period, user tokens in backticks,
//! following rustc and Typst.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build goes on; fails only under `--deny-warnings`.
    Warning,
    /// The input cannot be built.
    Error,
}

/// A place in a source file. Line and column count from 1; the column counts
/// characters, not bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The file as the user knows it.
    pub file: PathBuf,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column in characters, 0 when unknown.
    pub column: usize,
}

impl Location {
    /// A location for a whole file.
    pub fn file(file: impl Into<PathBuf>) -> Location {
        Location { file: file.into(), line: 0, column: 0 }
    }

    /// The location of byte `offset` in `source`.
    pub fn at(file: impl Into<PathBuf>, source: &str, offset: usize) -> Location {
        let (line, column) = line_col(source, offset);
        Location { file: file.into(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// 1-based line and character column of byte `offset` in `source`. Offsets past
/// the end or inside a character are clamped to the nearest character start.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is; `None` for problems with no file (a bad command-line option).
    pub location: Option<Location>,
    /// What is wrong, lowercase, no final period.
    pub message: String,
    /// How to fix it, when there is something to suggest.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at a location.
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, location, message: message.into(), hint: None }
    }

    /// A warning at a location.
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, location, message: message.into(), hint: None }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// A stable name of the diagnostic's kind, for filtering in scripts and CI:
    /// `E` or `W` and six hexadecimal digits of a hash of the message with what it
    /// quotes left out (`unknown key `…``), so every unknown key shares one code.
    pub fn code(&self) -> String {
        let mut hash: u32 = 0x811c_9dc5;
        for b in kind(&self.message).bytes() {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        let letter = if self.is_error() { 'E' } else { 'W' };
        format!("{letter}{:06X}", hash & 0xFF_FFFF)
    }

    /// The diagnostic as one JSON object: `severity`, `code`, `file`, `line`,
    /// `column` (0 when unknown), `message`, `hint` (`null` when none).
    pub fn to_json(&self) -> serde_json::Value {
        let severity = if self.is_error() { "error" } else { "warning" };
        let loc = self.location.as_ref();
        serde_json::json!({
            "severity": severity,
            "code": self.code(),
            "file": loc.map(|l| l.file.display().to_string()),
            "line": loc.map_or(0, |l| l.line),
            "column": loc.map_or(0, |l| l.column),
            "message": self.message,
            "hint": self.hint,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.location {
            Some(loc) => write!(f, "{label}: {loc}: {}", self.message)?,
            None => write!(f, "{label}: {}", self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// A list of diagnostics collected across stages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// An empty list.
    pub fn new() -> Diagnostics {
        Diagnostics(Vec::new())
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds an error at `offset` of `source` in `file`.
    pub fn error_at(
        &mut self,
        file: &Path,
        source: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.0.push(Diagnostic::error(Some(Location::at(file, source, offset)), message));
        self.0.last_mut().expect("just pushed")
    }

    /// Adds a warning at `offset` of `source` in `file`.
    pub fn warn_at(
        &mut self,
        file: &Path,
        source: &str,
        offset: usize,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.0.push(Diagnostic::warning(Some(Location::at(file, source, offset)), message));
        self.0.last_mut().expect("just pushed")
    }

    /// Moves all of `other` into this list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// True if there are no diagnostics at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.0.iter().filter(|d| !d.is_error()).count()
    }

    /// Iterates in insertion order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
}

/// How many diagnostics of one kind in one file are shown before the rest are counted.
pub const SHOWN_PER_KIND: usize = 10;

impl Diagnostics {
    /// The diagnostics as they are shown: at most [`SHOWN_PER_KIND`] of one kind
    /// (severity and message with its quoted parts left out) in one file, then one
    /// line counting the rest. A paragraph of a thousand stray markers gives ten
    /// warnings and a count, not a thousand warnings.
    pub fn shown(&self) -> Vec<String> {
        // File, error or not, and the message's kind.
        type Kind = (Option<PathBuf>, bool, String);
        let mut counts: std::collections::BTreeMap<Kind, usize> = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        let mut hidden: Vec<(Kind, &Diagnostic)> = Vec::new();
        for d in &self.0 {
            let key = (d.location.as_ref().map(|l| l.file.clone()), d.is_error(), kind(&d.message));
            let n = counts.entry(key.clone()).or_default();
            *n += 1;
            if *n <= SHOWN_PER_KIND {
                out.push(d.to_string());
            } else if *n == SHOWN_PER_KIND + 1 {
                hidden.push((key, d));
            }
        }
        for (key, d) in hidden {
            let more = counts[&key] - SHOWN_PER_KIND;
            let label = if d.is_error() { "error" } else { "warning" };
            let place = d.location.as_ref().map(|l| format!("{}: ", l.file.display())).unwrap_or_default();
            out.push(format!("{label}: {place}{more} more like `{}` not shown", kind(&d.message)));
        }
        out
    }
}

/// A message with what it quotes left out: messages of one kind differ only there.
fn kind(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
            if quoted {
                out.push('…');
            }
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Columns count characters, so Cyrillic text does not shift them.
    #[test]
    fn line_and_column_in_characters() {
        let src = "# Заголовок\nпривет **мир\n";
        let off = src.find("**").unwrap();
        assert_eq!(line_col(src, off), (2, 8));
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, src.len() + 10), (3, 1));
    }

    // Repeats of one kind in one file are shown ten times, then counted; other
    // kinds and other files are not affected.
    #[test]
    fn repeats_are_capped_per_kind_and_file() {
        let mut d = Diagnostics::new();
        for i in 0..1000 {
            d.push(Diagnostic::warning(
                Some(Location::at("a.md", "x", 0)),
                format!("unmatched `*{i}` is printed"),
            ));
        }
        d.push(Diagnostic::warning(Some(Location::at("b.md", "x", 0)), "unmatched `*` is printed"));
        d.push(Diagnostic::error(Some(Location::at("a.md", "x", 0)), "image `a.png` is missing"));
        let shown = d.shown();
        assert_eq!(shown.len(), SHOWN_PER_KIND + 3, "{shown:#?}");
        assert!(shown.iter().any(|l| l == "warning: a.md: 990 more like `unmatched … is printed` not shown"));
        assert!(shown.iter().any(|l| l.contains("b.md:1:1")));
        assert!(shown.iter().any(|l| l.contains("image `a.png` is missing")));
    }

    // Codes name a kind: the same for messages differing in what they quote only.
    #[test]
    fn codes_name_kinds() {
        let w = |m: &str| Diagnostic::warning(None, m);
        assert_eq!(w("unknown key `a`").code(), w("unknown key `bbb`").code());
        assert_ne!(w("unknown key `a`").code(), w("missing key `a`").code());
        assert_ne!(w("x").code(), Diagnostic::error(None, "x").code());
        let json = Diagnostic::error(Some(Location::at("a.md", "ab\ncd", 4)), "bad `x`").to_json();
        assert_eq!(json["file"], "a.md");
        assert_eq!((json["line"].as_u64(), json["column"].as_u64()), (Some(2), Some(2)));
        assert_eq!(json["severity"], "error");
        assert!(json["hint"].is_null());
    }

    // The printed form names file:line:column and the hint.
    #[test]
    fn display_names_place_and_hint() {
        let d = Diagnostic::error(Some(Location::at("book.toml", "a\nbc", 3)), "unknown key `pagesize`")
            .with_hint("did you mean `page-size`?");
        assert_eq!(
            d.to_string(),
            "error: book.toml:2:2: unknown key `pagesize`\n  = hint: did you mean `page-size`?"
        );
    }
}
