//! Printer profiles (`printer = "lulu" | "kdp" | "ingramspark" | "generic-offset"`):
//! for each, the manifest tests/fixtures/printers/NAME-clean.toml builds with no
//! warning at all, and NAME-broken.toml breaks each rule the printer has and
//! gets a warning at the book.toml line that breaks it (or at `printer`, for
//! what only the laid-out book shows: page count, gutter, safe zone), or at the
//! picture that breaks it.

mod common;

use common::{Book, copy_dir, repo};

/// A book of the fixture `manifest` over the shared statements.
fn book(manifest: &str) -> Book {
    let book = Book::empty(manifest);
    let content = book.root.join("content");
    copy_dir(&repo().join("content/img"), &content.join("img"));
    for prefix in ["a", "b", "c"] {
        for name in ["01-zarplata-na-stankozavode", "03-arhiv-ishchet-volonterov", "04-ana-tilinde-oqu"] {
            let text = std::fs::read(repo().join(format!("content/{name}.md"))).unwrap();
            book.write(format!("content/{prefix}-{name}.md"), text);
        }
    }
    let small = std::fs::read(common::fixture_dir("print/gray").join("content/tarazy.png")).unwrap();
    book.write("content/img/tarazy.png", small);
    book.write(
        "content/x-vesy.md",
        "# Весы и рассвет\n\n![Весы](img/tarazy.png)\n\nКороткое заявление с маленькой картинкой.\n\n\
         ![Рассвет над заводом](img/zavod-rassvet.jpg)\n\nИ с тёмной фотографией.\n",
    );
    let toml = std::fs::read(common::fixture_dir("printers").join(format!("{manifest}.toml"))).unwrap();
    book.write("book.toml", toml);
    book
}

/// The 1-based line of book.toml that sets `key` in the table `[output.NAME]`.
fn line_of(book: &Book, table: &str, key: &str) -> usize {
    let text = std::fs::read_to_string(book.path("book.toml")).unwrap();
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('[') {
            inside = line.trim() == format!("[output.{table}]");
        } else if inside && line.split('=').next().is_some_and(|k| k.trim() == key) {
            return i + 1;
        }
    }
    panic!("no `{key}` in [output.{table}]");
}

/// Asserts a warning whose first line holds `place` and `message`.
#[track_caller]
fn warned(stderr: &str, place: &str, message: &str) {
    let found =
        stderr.lines().any(|l| l.starts_with("warning: ") && l.contains(place) && l.contains(message));
    assert!(found, "no warning at `{place}` saying `{message}` in:\n{stderr}");
}

#[test]
fn clean_books_build_without_a_warning() {
    for printer in ["lulu", "kdp", "ingramspark", "generic-offset"] {
        let book = book(&format!("{printer}-clean"));
        let run = book.run(["build", "--deny-warnings"]);
        run.success().stderr_lacks("warning:");
        assert!(book.path("out/book.pdf").is_file(), "{printer}");
    }
}

#[test]
fn each_rule_broken_is_a_located_warning() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "lulu",
            &[
                ("page-size", "Lulu does not print a 105x148mm trim"),
                ("bleed", "Lulu asks for 3.17mm of bleed"),
                ("crop-marks", "Lulu refuses files with crop marks"),
                ("imposition", "Lulu imposes the pages itself"),
                ("printer", "pages; Lulu binds 32 to 800"),
                ("printer", "the inside margin is 8.0mm; Lulu asks 12.7mm"),
                ("printer", "closer than 12.7mm to the trim"),
            ],
        ),
        (
            "kdp",
            &[
                ("page-size", "Amazon KDP does not print a 148x210mm trim"),
                ("bleed", "Amazon KDP asks for 3.17mm of bleed"),
                ("crop-marks", "Amazon KDP refuses files with crop marks"),
                ("imposition", "Amazon KDP imposes the pages itself"),
                ("printer", "pages; Amazon KDP binds 24 to 828"),
                ("printer", "the inside margin is 6.0mm; Amazon KDP asks 9.5mm"),
                ("printer", "closer than 9.5mm to the trim"),
            ],
        ),
        (
            "ingramspark",
            &[
                ("page-size", "IngramSpark does not print a 105x148mm trim"),
                ("color", "IngramSpark asks for CMYK or gray, not RGB"),
                ("standard", "IngramSpark asks for PDF/X"),
                ("bleed", "IngramSpark asks for 3.17mm of bleed"),
                ("crop-marks", "IngramSpark refuses files with crop marks"),
                ("imposition", "IngramSpark imposes the pages itself"),
                ("printer", "pages; IngramSpark binds 18 to 1200"),
                ("printer", "the inside margin is 8.0mm; IngramSpark asks 12.7mm"),
                ("printer", "closer than 12.7mm to the trim"),
            ],
        ),
        (
            "generic-offset",
            &[
                ("crop-marks", "a generic offset press trims by crop marks"),
                ("color", "a generic offset press asks for CMYK or gray"),
                ("standard", "a generic offset press asks for PDF/X"),
                ("bleed", "a generic offset press asks for 3.00mm of bleed"),
                ("printer", "closer than 3.0mm to the trim"),
            ],
        ),
    ];
    for (printer, rules) in cases {
        let book = book(&format!("{printer}-broken"));
        let run = book.run(["build"]);
        run.success();
        for (key, message) in *rules {
            let place = format!("book.toml:{}:", line_of(&book, "book", key));
            warned(&run.stderr, &place, message);
        }
        // The small picture is printed below the 300 dpi every printer asks.
        warned(&run.stderr, "tarazy.png", "asks for 300 dpi");
        assert!(book.path("out/book.pdf").is_file(), "{printer}: warnings do not stop the build");
    }
    // The dark photograph in CMYK passes IngramSpark's ink limit.
    let book = book("ingramspark-broken");
    let run = book.run(["build", "--output", "dark"]);
    warned(&run.stderr, "zavod-rassvet.jpg", "IngramSpark allows 240 %");
}

// A printer's defaults are applied (bleed, marks, colour, standard), explicit
// keys override them, and an odd page count is made up with a blank page.
#[test]
fn printer_defaults_and_whole_leaves() {
    let book = book("generic-offset-clean");
    book.run(["build"]).success();
    let pdf = book.path("out/book.pdf");
    let Some(f) = common::validate::pdfx_facts(&pdf) else { return };
    assert_eq!(f["info"]["GTS_PDFXVersion"], "PDF/X-4");
    assert_eq!(f["content_spaces"], serde_json::json!(["DeviceCMYK"]));
    let pages = f["pages"].as_array().unwrap();
    assert_eq!(pages.len() % 2, 0, "whole leaves");
    let b = &pages[0]["boxes"];
    let (trim, bleed) = (b["TrimBox"][0].as_f64().unwrap(), b["BleedBox"][0].as_f64().unwrap());
    assert!((trim - bleed - 3.0 * 72.0 / 25.4).abs() < 0.01, "3 mm bleed");
    assert!(bleed > 20.0, "a slug for the crop marks outside the bleed: {bleed}");
    let lulu = self::book("lulu-clean");
    lulu.run(["build"]).success();
    let facts = common::validate::pdfx_facts(&lulu.path("out/book.pdf")).unwrap();
    assert!(facts["info"].get("GTS_PDFXVersion").is_none(), "Lulu takes plain PDF");
    let b = &facts["pages"][0]["boxes"];
    let media = b["MediaBox"][2].as_f64().unwrap();
    assert!((media - (148.0 + 2.0 * 3.175) * 72.0 / 25.4).abs() < 0.02, "0.125 in bleed, no slug: {media}");
}
