//! The fuzz targets of `fuzz/` run on stable: generated Markdown-like and
//! TOML-like inputs, plus every saved crash under `fuzz/regressions/<target>/`.
//! `cargo +nightly fuzz run <target>` explores far more; this keeps the bodies
//! compiling and catches regressions in `cargo test`.
//!
//! `SAMIZDAT_FUZZ_ITERS=N` sets the number of generated inputs per target
//! (default 150, about ten seconds in a debug build); `SAMIZDAT_FUZZ_SEED`
//! changes the inputs.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;

/// xorshift64*: a small deterministic generator, so a failure names a seed that reproduces it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces of Markdown that reach every construct the parser, typography and
/// layout handle, and the awkward cases between them.
const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "### ",
    "\n",
    "\n\n",
    "  \n",
    "> ",
    ">> ",
    "- ",
    "* ",
    "1. ",
    "10) ",
    "    ",
    "\t",
    "*",
    "**",
    "***",
    "_",
    "__",
    "~~",
    "`",
    "```\n",
    "~~~",
    "\\",
    "\\*",
    "\\%",
    "100\\%",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](img/a.png)",
    "![Плакат](img/b.jpg)",
    "[ссылка](https://example.org/очень/длинный/адрес)",
    "<https://example.org>",
    "[^1]",
    "[^1]: Сноска.\n",
    "[^x]",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
    "|",
    "---\n",
    "+++\n",
    "title: Заголовок\n",
    "lang = \"kk\"\n",
    "{lang=kk}",
    "{#id}",
    "{",
    "}",
    "<b>",
    "</b>",
    "<script>alert(1)</script>",
    "<!-- c -->",
    "&amp;",
    "&nbsp;",
    "&#x0;",
    "\"",
    "«",
    "»",
    " - ",
    " -- ",
    "—",
    "-",
    "…",
    "...",
    "№ 5",
    "Жильцы",
    " дома ",
    "просят",
    " отремонтировать ",
    "крышу.",
    "Әділет",
    " Қазақстан ",
    "ұйым",
    "Һһ",
    "ІіҮүҰұӨөҢңҒғ",
    "statement",
    " word ",
    "ё",
    "\u{ad}",
    "\u{a0}",
    "\u{200b}",
    "\u{301}",
    "😀",
    "漢字",
    "\u{202e}",
    "\r\n",
    "\0",
    "ааааааааааааааааааааааааааааааааааааааааааааааааааа",
];

/// Pieces of `book.toml`.
const TOML: &[&str] = &[
    "[book]\n",
    "[output.print]\n",
    "[output.e]\n",
    "[[book]]\n",
    "[output]\n",
    "title = \"Т\"\n",
    "authors = [\"А\", \"Б\"]\n",
    "authors = \"А\"\n",
    "language = \"kk\"\n",
    "language = \"xx-YY\"\n",
    "date = 2026-05-01\n",
    "date = 2026-05-01T10:00:00Z\n",
    "date = \"май\"\n",
    "identifier = \"\"\n",
    "documents = [\"content/*.md\"]\n",
    "documents = [\"content/one.md\", { file = \"content/one.md\" }]\n",
    "documents = [{ title = \"x\" }]\n",
    "documents = [\"/*\"]\n",
    "documents = [\"[\"]\n",
    "documents = []\n",
    "format = \"pdf\"\n",
    "format = \"epub\"\n",
    "format = \"docx\"\n",
    "page-size = \"A5\"\n",
    "page-size = \"0mm x 1e308mm\"\n",
    "page-size = \"120mm x 170mm\"\n",
    "page-size = \"NaNmm x 1mm\"\n",
    "margins = \"-3mm\"\n",
    "margins = { top = \"3 mm\", inner = \"1e400mm\" }\n",
    "margins = 3\n",
    "font-size = 1e-300\n",
    "font-size = \"inf pt\"\n",
    "line-height = -1\n",
    "line-height = \"12pt\"\n",
    "orientation = \"landscape\"\n",
    "bleed = \"3mm\"\n",
    "crop-marks = true\n",
    "imposition = \"booklet\"\n",
    "creep = \"0.1mm\"\n",
    "color = \"gray\"\n",
    "standard = \"pdf/x-1a\"\n",
    "cover = \"img/c.jpg\"\n",
    "titel = 1\n",
    "= \n",
    "\"",
    "'",
    "#",
    "\n",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    "\\u0000",
    "é",
    "\u{feff}",
];

fn generate(rng: &mut Rng, pieces: &[&str], max_pieces: usize) -> String {
    let n = rng.below(max_pieces) + 1;
    (0..n).map(|_| rng.pick(pieces)).collect()
}

fn iterations() -> usize {
    std::env::var("SAMIZDAT_FUZZ_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(150)
}

fn seed() -> u64 {
    std::env::var("SAMIZDAT_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5A_u64 << 56 | 2026)
}

/// Saved inputs for a target: crashes found by `cargo fuzz`, kept as regressions.
fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read regression input");
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

// Generated Markdown goes through parse → layout → PDF + EPUB without a panic, and the EPUB's XML parses.
#[test]
fn pipeline_target_on_generated_markdown() {
    let mut rng = Rng(seed());
    for i in 0..iterations() {
        let text = generate(&mut rng, MARKDOWN, 80);
        let result = std::panic::catch_unwind(|| {
            if let Some(out) = harness::render(&text) {
                harness::check_epub_xml(&out.epub);
            }
        });
        assert!(result.is_ok(), "input {i} of seed {} panicked; the input was:\n{text:?}", seed());
    }
}

// Every saved crash of the pipeline target now runs cleanly.
#[test]
fn pipeline_target_regressions() {
    for (path, bytes) in regressions("pipeline") {
        let result = std::panic::catch_unwind(|| {
            if let Some(out) = harness::pipeline(&bytes) {
                harness::check_epub_xml(&out.epub);
            }
        });
        assert!(result.is_ok(), "{} panics again", path.display());
    }
}

// Generated book.toml text is parsed and resolved into settings or diagnostics, never a panic.
#[test]
fn manifest_target_on_generated_toml() {
    let mut rng = Rng(seed() ^ 0xB00C);
    for i in 0..iterations() * 10 {
        let text = generate(&mut rng, TOML, 30);
        let result = std::panic::catch_unwind(|| harness::manifest(text.as_bytes()));
        assert!(result.is_ok(), "input {i} of seed {} panicked; the input was:\n{text:?}", seed());
    }
}

// Every saved crash of the manifest target now runs cleanly.
#[test]
fn manifest_target_regressions() {
    for (path, bytes) in regressions("manifest") {
        let result = std::panic::catch_unwind(|| harness::manifest(&bytes));
        assert!(result.is_ok(), "{} panics again", path.display());
    }
}
