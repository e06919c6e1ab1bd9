//! Tests of the whole path from `book.toml` text to settings or diagnostics.
//! Cases that expand globs build a small book in a fresh temporary folder.

use std::fs;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// A fresh folder under the system temp dir, removed when dropped.
struct TempBook(PathBuf);

impl TempBook {
    /// A folder holding `files` (relative paths), each a one-line Markdown document.
    fn with(files: &[&str]) -> TempBook {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("samizdat-manifest-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for f in files {
            let path = dir.join(f);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, format!("# {f}\n")).unwrap();
        }
        TempBook(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempBook {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Parses text expected to be valid, failing with the diagnostics otherwise.
#[track_caller]
fn ok(text: &str, root: &Path) -> Settings {
    match parse(text, Path::new("book.toml"), root) {
        Ok((settings, diags)) => {
            assert!(diags.is_empty(), "unexpected warnings:\n{diags}");
            settings
        }
        Err(diags) => panic!("expected success, got:\n{diags}"),
    }
}

/// Parses text expected to fail, returning the diagnostics.
#[track_caller]
fn fails(text: &str, root: &Path) -> Diagnostics {
    match parse(text, Path::new("book.toml"), root) {
        Ok((settings, _)) => panic!("expected errors, got {settings:#?}"),
        Err(diags) => {
            assert!(diags.has_errors());
            diags
        }
    }
}

/// The one diagnostic whose message contains `needle`.
#[track_caller]
fn find<'a>(diags: &'a Diagnostics, needle: &str) -> &'a Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.message.contains(needle)).collect();
    assert_eq!(found.len(), 1, "expected one diagnostic containing {needle:?} in:\n{diags}");
    found[0]
}

/// `(line, column)` of a diagnostic.
#[track_caller]
fn at(d: &Diagnostic) -> (usize, usize) {
    let loc = d.location.as_ref().expect("a location");
    assert_eq!(loc.file, Path::new("book.toml"));
    (loc.line, loc.column)
}

#[track_caller]
fn close(p: Pt, expected: f64) {
    assert!((p.get() - expected).abs() < 0.01, "{p} is not {expected}pt");
}

/// A manifest whose `[book]` is valid for a book with `a.md`, followed by `rest`.
fn with_book(rest: &str) -> String {
    format!("[book]\ntitle = \"T\"\ndocuments = [\"a.md\"]\n{rest}")
}

#[track_caller]
fn pdf(s: &Settings, name: &str) -> PdfSettings {
    match &s.outputs.iter().find(|o| o.name == name).expect("output").kind {
        OutputKind::Pdf(p) => *p,
        _ => panic!("{name} is not a pdf output"),
    }
}

#[track_caller]
fn cover(s: &Settings, name: &str) -> CoverSettings {
    match &s.outputs.iter().find(|o| o.name == name).expect("output").kind {
        OutputKind::Cover(c) => c.clone(),
        _ => panic!("{name} is not a cover output"),
    }
}

// A cover finds its interior (named, or the only whole-book pdf output), takes
// its trim, 3 mm bleed by default and its own caliper; what it cannot use is an
// error at its line.
#[test]
fn cover_outputs() {
    let book = TempBook::with(&["a.md", "back.md"]);
    let s = ok(
        &with_book(
            "[output.book]\nformat = \"pdf\"\npage-size = \"A5\"\n[output.each]\nformat = \"pdf\"\nper-document = true\n\
             [output.c]\nformat = \"cover\"\nblurb = \"back.md\"\npaper-caliper = \"0.08mm\"\n",
        ),
        book.path(),
    );
    let c = cover(&s, "c");
    assert_eq!(c.interior, "book");
    close(c.print.page.width, 419.53);
    close(c.print.bleed, 8.50);
    close(c.caliper, 0.227);
    assert_eq!(c.blurb.as_deref(), Some(book.path().join("back.md").as_path()));
    assert_eq!(s.outputs.iter().find(|o| o.name == "c").unwrap().format().extension(), "pdf");
    let d = fails(
        &with_book(
            "[output.a]\nformat = \"pdf\"\n[output.b]\nformat = \"pdf\"\n[output.e]\nformat = \"epub\"\n\
             [output.c]\nformat = \"cover\"\n\
             [output.d]\nformat = \"cover\"\ninterior = \"e\"\npaper-caliper = \"2mm\"\npage-size = \"A4\"\n\
             [output.f]\nformat = \"cover\"\ninterior = \"nope\"\nblurb = \"missing.md\"\nper-document = true\n",
        ),
        book.path(),
    );
    assert_eq!(
        find(&d, "the cover [output.c] could be for 2 pdf outputs").hint.as_deref(),
        Some("say which with interior = \"NAME\"")
    );
    assert_eq!(at(find(&d, "the interior `e` is not a whole-book pdf output")), (14, 12));
    find(&d, "paper caliper 2mm is not the thickness of a leaf");
    assert!(
        find(&d, "`page-size` does not apply to the cover output [output.d]")
            .hint
            .as_deref()
            .unwrap()
            .contains("trim from its interior")
    );
    assert!(find(&d, "no output named `nope`").hint.as_deref().unwrap().contains("`a`, `b`"));
    find(&d, "blurb `missing.md` not found");
    find(&d, "a cover is for a bound book, not one per statement");
    // A paper by name: KDP's cream is 0.0025 in a page.
    let s = ok(
        &with_book(
            "[output.b]\nformat = \"pdf\"\n[output.c]\nformat = \"cover\"\npaper-caliper = \"kdp-cream\"\n",
        ),
        book.path(),
    );
    assert!((cover(&s, "c").caliper.to_mm() - 0.127).abs() < 1e-9);
    let d = fails(
        &with_book(
            "[output.b]\nformat = \"pdf\"\n[output.c]\nformat = \"cover\"\npaper-caliper = \"bible\"\n",
        ),
        book.path(),
    );
    assert!(
        find(&d, "paper caliper `bible` is neither a length nor a paper")
            .hint
            .as_deref()
            .unwrap()
            .contains("kdp-white")
    );
}

// A full manifest resolves every field: metadata, documents in order, lengths in points.
#[test]
fn full_manifest_resolves() {
    let book = TempBook::with(&["content/02-b.md", "content/01-a.md", "extra/x.md", "content/img/cover.jpg"]);
    let text = r#"
[book]
title = "Заявление"
subtitle = "о свободе печати"
authors = ["Инициативная группа", "А. Б."]
language = "ru-RU"
date = "2026-05-01"
publisher = "Самиздат"
identifier = "urn:isbn:9780306406157"
documents = ["content/*.md", { file = "extra/x.md", title = "Override", lang = "kk" }]

[output.print]
format = "pdf"
page-size = "A5"
margins = { top = "20mm", inner = "2cm" }
font-size = 11
line-height = "14pt"

[output.small]
format = "PDF"
page-size = "120mm x 170mm"
margins = "10mm"
line-height = 1.5

[output.ebook]
format = "epub"
cover = "content/img/cover.jpg"
"#;
    let s = ok(text, book.path());
    assert_eq!(s.root, book.path());
    assert_eq!(s.meta.title, "Заявление");
    assert_eq!(s.meta.subtitle.as_deref(), Some("о свободе печати"));
    assert_eq!(s.meta.authors, ["Инициативная группа", "А. Б."]);
    assert_eq!(s.meta.lang, Lang::Ru);
    assert_eq!(s.meta.date.map(Date::iso).as_deref(), Some("2026-05-01"));
    assert_eq!(s.meta.publisher.as_deref(), Some("Самиздат"));
    assert_eq!(s.meta.identifier, "urn:isbn:9780306406157");

    let shown: Vec<&Path> = s.documents.iter().map(|d| d.display.as_path()).collect();
    assert_eq!(shown, [Path::new("content/01-a.md"), Path::new("content/02-b.md"), Path::new("extra/x.md")]);
    assert!(s.documents.iter().all(|d| d.path.is_absolute() && d.path.is_file()));
    assert_eq!(s.documents[2].title.as_deref(), Some("Override"));
    assert_eq!(s.documents[2].lang, Some(Lang::Kk));
    assert_eq!(s.documents[0].title, None);

    let names: Vec<&str> = s.outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["ebook", "print", "small"], "outputs are sorted by name");

    let print = pdf(&s, "print");
    close(print.page.width, 419.53);
    close(print.page.height, 595.28);
    close(print.margins.top, 56.69);
    close(print.margins.inner, 56.69);
    close(print.margins.bottom, 56.69); // default 20mm
    close(print.margins.outer, 45.35); // default 16mm
    close(print.font_size, 11.0);
    close(print.line_height, 14.0);

    let small = pdf(&s, "small");
    close(small.page.width, 340.16);
    close(small.page.height, 481.89);
    close(small.margins.outer, 28.35);
    // A page smaller than A5 takes smaller type when none is given (see the next test).
    close(small.font_size, 9.5);
    close(small.line_height, 14.25);

    let ebook = s.outputs.iter().find(|o| o.name == "ebook").unwrap();
    assert_eq!(ebook.format(), Format::Epub);
    assert_eq!(ebook.format().extension(), "epub");
    match &ebook.kind {
        OutputKind::Epub(e) => {
            assert_eq!(e.cover.as_deref(), Some(book.path().join("content/img/cover.jpg").as_path()))
        }
        _ => panic!("ebook is epub"),
    }
}

// Without [output.*] the book gets the default `epub` and A5 `pdf` outputs.
#[test]
fn defaults_when_no_outputs() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(&with_book(""), book.path());
    assert_eq!(s.outputs, default_outputs());
    let names: Vec<(&str, Format)> = s.outputs.iter().map(|o| (o.name.as_str(), o.format())).collect();
    assert_eq!(names, [("epub", Format::Epub), ("pdf", Format::Pdf)]);
    let p = pdf(&s, "pdf");
    close(p.page.width, 419.53);
    close(p.page.height, 595.28);
    close(p.margins.top, 51.02);
    close(p.margins.bottom, 56.69);
    close(p.margins.inner, 45.35);
    close(p.font_size, 10.5);
    close(p.line_height, 13.65);
    assert_eq!(s.meta.lang, Lang::Ru);
    assert_eq!(ok(&with_book("[output]\n"), book.path()).outputs, default_outputs());
}

// An unknown key is reported at its line and column with a "did you mean".
#[test]
fn unknown_key_with_hint_and_place() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(&with_book("\n[output.print]\nformat = \"pdf\"\n  pagesize = \"A4\"\n"), book.path());
    assert_eq!(d.0.len(), 1, "{d}");
    let e = find(&d, "unknown key `pagesize` in [output.print]");
    assert_eq!(at(e), (7, 3));
    assert_eq!(e.hint.as_deref(), Some("did you mean `page-size`?"));
    assert_eq!(
        e.to_string(),
        "error: book.toml:7:3: unknown key `pagesize` in [output.print]\n  = hint: did you mean `page-size`?"
    );
}

// Unknown keys in several tables are all reported in one run, in file order.
#[test]
fn unknown_keys_in_different_tables() {
    let book = TempBook::with(&["a.md"]);
    let text = "[book]\ntitle = \"T\"\nautor = \"X\"\ndocuments = [\"a.md\"]\n[output.print]\nformat = \"pdf\"\nfontsize = \"9pt\"\nmargins = { top = \"1mm\", botom = \"2mm\" }\nink = \"red\"\n";
    let d = fails(text, book.path());
    let messages: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unknown key `autor` in [book]",
            "unknown key `fontsize` in [output.print]",
            "unknown key `botom` in `margins` of [output.print]",
            "unknown key `ink` in [output.print]",
        ]
    );
    assert_eq!(at(&d.0[0]), (3, 1));
    assert_eq!(d.0[0].hint.as_deref(), Some("did you mean `authors`?"));
    assert_eq!(d.0[1].hint.as_deref(), Some("did you mean `font-size`?"));
    assert_eq!(d.0[2].hint.as_deref(), Some("did you mean `bottom`?"));
    let list = d.0[3].hint.as_deref().unwrap();
    assert!(list.starts_with("valid keys in [output.print]: `format`, `page-size`"), "{list}");
}

// A key put in the wrong table says where it belongs.
#[test]
fn misplaced_key_says_where_it_belongs() {
    let book = TempBook::with(&["a.md"]);
    let d = fails("title = \"T\"\n[book]\ndocuments = [\"a.md\"]\npage-size = \"A4\"\n", book.path());
    assert_eq!(
        find(&d, "unknown key `title` at the top level").hint.as_deref(),
        Some("`title` belongs in [book]")
    );
    let e = find(&d, "unknown key `page-size` in [book]");
    assert_eq!(e.hint.as_deref(), Some("`page-size` belongs in an output table such as [output.print]"));
    // The title was reported as misplaced, so it is not also reported missing.
    assert!(d.iter().any(|d| d.message == "missing `title` in [book]"));
}

// Each malformed length is refused at its value with a hint showing the right form.
#[test]
fn bad_length_forms() {
    let book = TempBook::with(&["a.md"]);
    let cases = [
        ("font-size = \"10 pt\"", "space between number and unit in length `10 pt`", "write `10pt`"),
        ("margins = \"-3mm\"", "negative length `-3mm`", "write `3mm`"),
        ("margins = \"3\"", "missing unit in length `3`", "`3mm`"),
        ("margins = { top = \"3px\" }", "unknown unit `px`", "`3mm`"),
        ("line-height = \"1,5pt\"", "decimal comma", "`1.5pt`"),
        ("font-size = \"big\"", "`big` is not a length", "`3mm`"),
    ];
    for (line, message, hint) in cases {
        let text = with_book(&format!("[output.print]\nformat = \"pdf\"\n{line}\n"));
        let d = fails(&text, book.path());
        assert_eq!(d.0.len(), 1, "{line}: {d}");
        let e = find(&d, message);
        assert_eq!(at(e).0, 6, "{line}");
        assert!(e.hint.as_deref().unwrap().contains(hint), "{line}: {e}");
    }
}

// Values outside their range are refused: font size, line height, margins wider than half the page.
#[test]
fn out_of_range_values() {
    let book = TempBook::with(&["a.md"]);
    let text = with_book(
        "[output.a]\nformat = \"pdf\"\nfont-size = \"100pt\"\nline-height = 5\n\
         [output.b]\nformat = \"pdf\"\nmargins = { inner = \"80mm\" }\nline-height = \"40pt\"\n\
         [output.c]\nformat = \"pdf\"\nmargins = \"110mm\"\n",
    );
    let d = fails(&text, book.path());
    assert_eq!(d.0.len(), 5, "{d}");
    assert_eq!(
        find(&d, "font size `100pt` is out of range").hint.as_deref(),
        Some("use a size between 4pt and 72pt, e.g. \"10.5pt\"")
    );
    find(&d, "line height 5 is out of range");
    find(&d, "line height `40pt` is 3.81 times the font size");
    assert_eq!(at(find(&d, "inner margin 80mm is not less than half the page width (74mm)")), (10, 21));
    // A single margin for all sides is blamed once.
    find(&d, "top margin 110mm is not less than half the page height (105mm)");
}

// An unknown page size names the accepted ones.
#[test]
fn unknown_page_size() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(&with_book("[output.print]\nformat = \"pdf\"\npage-size = \"B7\"\n"), book.path());
    let e = find(&d, "unknown page size `B7`");
    assert_eq!(at(e), (6, 13));
    assert!(e.hint.as_deref().unwrap().contains("A3, A4, A5, A6, A7, B5, Letter, Legal"));
    let d = fails(&with_book("[output.print]\nformat = \"pdf\"\npage-size = \"120 x 170mm\"\n"), book.path());
    find(&d, "page width: missing unit in length `120`");
}

// A missing title, or a missing [book], is an error with a hint showing a minimal manifest.
#[test]
fn missing_title_or_book() {
    let book = TempBook::with(&["a.md"]);
    let d = fails("\n[book]\ndocuments = [\"a.md\"]\n", book.path());
    let e = find(&d, "missing `title` in [book]");
    assert_eq!(at(e), (2, 1));
    assert!(e.hint.as_deref().unwrap().contains("title = \"…\""));
    let d = fails("[output.print]\nformat = \"pdf\"\n", book.path());
    let e = find(&d, "missing [book] table");
    assert_eq!(at(e), (1, 1));
    assert!(e.hint.as_deref().unwrap().contains("[book]"));
    let d = fails("", book.path());
    find(&d, "missing [book] table");
    let d = fails("[book]\ntitle = \"  \"\n", book.path());
    find(&d, "empty `title`");
    find(&d, "missing `documents` in [book]");
}

// A glob that matches nothing is an error at the entry.
#[test]
fn glob_matching_nothing() {
    let book = TempBook::with(&["content/a.md", "content/sub/b.md"]);
    let text = "[book]\ntitle = \"T\"\ndocuments = [\"content/*.md\", \"chapters/*.md\", \"missing.md\", \"content\"]\n";
    let d = fails(text, book.path());
    assert_eq!(d.0.len(), 3, "{d}");
    let e = find(&d, "`chapters/*.md` matches no file");
    assert_eq!(at(e), (3, 30));
    find(&d, "file `missing.md` not found");
    assert_eq!(
        find(&d, "`content` is a folder").hint.as_deref(),
        Some("write \"content/*.md\" to take the Markdown files in it")
    );
    // `**` reaches subfolders; `*` does not.
    let s = ok("[book]\ntitle = \"T\"\ndocuments = [\"content/**/*.md\"]\n", book.path());
    assert_eq!(s.documents.len(), 2);
}

// A file matched by two entries is an error pointing at the second.
#[test]
fn file_listed_twice() {
    let book = TempBook::with(&["content/a.md", "content/b.md"]);
    let text = "[book]\ntitle = \"T\"\ndocuments = [\n  \"content/*.md\",\n  { file = \"content/./b.md\", title = \"B\" },\n]\n";
    let d = fails(text, book.path());
    assert_eq!(d.0.len(), 1, "{d}");
    let e = find(&d, "`content/./b.md` is listed twice");
    assert_eq!(at(e), (5, 12));
    assert_eq!(
        e.hint.as_deref(),
        Some("it is already taken by `content/*.md` on line 4; list each file once")
    );
}

// An unknown format is named, with the two accepted ones as hint.
#[test]
fn unknown_format() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(&with_book("[output.print]\nformat = \"docx\"\n"), book.path());
    let e = find(&d, "unknown format `docx`");
    assert_eq!(at(e), (5, 10));
    assert_eq!(e.hint.as_deref(), Some("use \"pdf\", \"epub\" or \"cover\""));
    // A table named after a format needs no `format`; any other name does.
    let s = ok(&with_book("[output.pdf]\npage-size = \"A4\"\n"), book.path());
    close(pdf(&s, "pdf").page.width, 595.28);
    let d = fails(&with_book("[output.print]\npage-size = \"A4\"\n"), book.path());
    assert_eq!(at(find(&d, "missing `format` in [output.print]")), (4, 1));
}

// A value of the wrong type names the key, the expected and the found type, and is not also called missing.
#[test]
fn wrong_types() {
    let book = TempBook::with(&["a.md"]);
    let text = "[book]\ntitle = 5\nauthors = [\"A\", 7]\ndocuments = [\"a.md\", true]\ndate = 2026-05-01T10:00:00\n\
                [output.print]\nformat = \"pdf\"\nmargins = 3\n[output.bad]\n";
    let d = fails(text, book.path());
    let e = find(&d, "expected a string for `title`, found an integer");
    assert_eq!(at(e), (2, 9));
    assert_eq!(e.hint.as_deref(), Some("write it as title = \"Заявление\""));
    assert_eq!(at(find(&d, "expected a string in `authors`, found an integer")), (3, 17));
    find(&d, "expected a string or a table in `documents`, found a boolean");
    find(&d, "expected a date without a time for `date`");
    find(&d, "expected a string or a table for `margins`, found an integer");
    find(&d, "missing `format` in [output.bad]");
    assert!(!d.iter().any(|d| d.message.contains("missing `title`")), "{d}");
    assert_eq!(d.0.len(), 6, "{d}");
    let d = fails("book = \"T\"\n[output]\nprint = \"pdf\"\n", book.path());
    find(&d, "expected a table for `book`, found a string");
    find(&d, "expected a table for `output.print`, found a string");
    assert_eq!(d.0.len(), 2, "{d}");
}

// Keys that only make sense for the other format are refused.
#[test]
fn keys_of_the_other_format() {
    let book = TempBook::with(&["a.md", "cover.jpg"]);
    let d = fails(
        &with_book(
            "[output.print]\nformat = \"pdf\"\ncover = \"cover.jpg\"\ncompress-images = true\n[output.e]\nformat = \"epub\"\nfont-size = 9\n",
        ),
        book.path(),
    );
    find(&d, "`cover` does not apply to the pdf output [output.print]");
    find(&d, "`compress-images` does not apply to the pdf output [output.print]");
    find(&d, "`font-size` does not apply to the epub output [output.e]");
    let d = fails(&with_book("[output.e]\nformat = \"epub\"\ncover = \"nope.jpg\"\n"), book.path());
    find(&d, "cover image `nope.jpg` not found");
}

// EPUB images are deflated when it pays unless `compress-images = false`.
#[test]
fn compress_images_key() {
    let book = TempBook::with(&["a.md"]);
    let epub = |text: &str| match &ok(&with_book(text), book.path()).outputs[0].kind {
        OutputKind::Epub(e) => e.compress_images,
        _ => panic!("not an epub output"),
    };
    assert!(epub("[output.e]\nformat = \"epub\"\n"));
    assert!(!epub("[output.e]\nformat = \"epub\"\ncompress-images = false\n"));
}

// `soft-hyphens`: Kazakh only by default, every language or none when asked; a
// misspelt value is an error at it with the accepted words.
#[test]
fn soft_hyphens_key() {
    let book = TempBook::with(&["a.md"]);
    let epub = |text: &str| match &ok(&with_book(text), book.path()).outputs[0].kind {
        OutputKind::Epub(e) => e.soft_hyphens,
        _ => panic!("not an epub output"),
    };
    assert_eq!(epub("[output.e]\nformat = \"epub\"\n"), SoftHyphens::Auto);
    assert_eq!(SoftHyphens::Auto.languages(), [Lang::Kk]);
    assert_eq!(epub("[output.e]\nformat = \"epub\"\nsoft-hyphens = \"always\"\n").languages(), Lang::ALL);
    assert!(epub("[output.e]\nformat = \"epub\"\nsoft-hyphens = \"Never\"\n").languages().is_empty());
    let d = fails(&with_book("[output.e]\nformat = \"epub\"\nsoft-hyphens = \"sometimes\"\n"), book.path());
    find(&d, "unknown soft-hyphens `sometimes`");
}

// Dates are checked: YYYY, YYYY-MM and YYYY-MM-DD pass, an unquoted TOML date too; the rest is refused.
#[test]
fn dates() {
    let book = TempBook::with(&["a.md"]);
    for (written, stored) in [
        ("\"2026\"", "2026"),
        ("\"2026-05\"", "2026-05"),
        ("\"2024-02-29\"", "2024-02-29"),
        ("2026-05-01", "2026-05-01"),
    ] {
        let s =
            ok(&format!("[book]\ntitle = \"T\"\ndate = {written}\ndocuments = [\"a.md\"]\n"), book.path());
        assert_eq!(s.meta.date.map(Date::iso).as_deref(), Some(stored));
    }
    for bad in ["2025-02-29", "2026-13-01", "26-05-01", "May 2026", "2026-5-1"] {
        let d =
            fails(&format!("[book]\ntitle = \"T\"\ndate = \"{bad}\"\ndocuments = [\"a.md\"]\n"), book.path());
        assert!(find(&d, "invalid date").hint.as_deref().unwrap().contains("YYYY-MM-DD"), "{bad}");
    }
    let d = fails("[book]\ntitle = \"T\"\ndate = \"01.05.2026\"\ndocuments = [\"a.md\"]\n", book.path());
    assert_eq!(
        find(&d, "invalid date `01.05.2026`").hint.as_deref(),
        Some("write dates year first: `2026-05-01`")
    );
}

// Languages: region subtags are fine, unknown languages are refused in [book] and in entries.
#[test]
fn languages() {
    let book = TempBook::with(&["a.md"]);
    let s = ok("[book]\ntitle = \"T\"\nlanguage = \"kk-KZ\"\ndocuments = [\"a.md\"]\n", book.path());
    assert_eq!(s.meta.lang, Lang::Kk);
    let d = fails(
        "[book]\ntitle = \"T\"\nlanguage = \"de\"\ndocuments = [{ file = \"a.md\", lang = \"fr\" }]\n",
        book.path(),
    );
    find(&d, "unknown language `de`");
    find(&d, "unknown language `fr`");
    let d = fails("[book]\ntitle = \"T\"\ndocuments = [{ title = \"x\", lnag = \"kk\" }]\n", book.path());
    find(&d, "missing `file` in a `documents` entry");
    let e = find(&d, "unknown key `lnag` in a `documents` entry of [book]");
    assert_eq!(e.hint.as_deref(), Some("did you mean `lang`?"));
}

// The derived identifier is a stable version-5 URN of title and authors; an explicit one wins.
#[test]
fn derived_identifier() {
    let book = TempBook::with(&["a.md"]);
    let id = |title: &str, authors: &str| {
        ok(
            &format!("[book]\ntitle = \"{title}\"\nauthors = [{authors}]\ndocuments = [\"a.md\"]\n"),
            book.path(),
        )
        .meta
        .identifier
    };
    let a = id("Заявление", "\"Группа\"");
    assert_eq!(a, id("Заявление", "\"Группа\""));
    assert_eq!(a, derive_identifier("Заявление", &["Группа".to_owned()]));
    assert_ne!(a, id("Заявление", "\"Другая группа\""));
    assert_ne!(a, id("Обращение", "\"Группа\""));
    assert_ne!(id("ab", "\"c\""), id("a", "\"bc\""));
    let uuid = a.strip_prefix("urn:uuid:").expect("urn:uuid: prefix");
    let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12]);
    assert!(uuid.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase() || c == '-'));
    assert_eq!(&uuid[14..15], "5", "version 5");
    assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "RFC variant");
    let explicit = ok(
        "[book]\ntitle = \"T\"\nidentifier = \"urn:isbn:978-0-306-40615-7\"\ndocuments = [\"a.md\"]\n",
        book.path(),
    );
    assert_eq!(explicit.meta.identifier, "urn:isbn:978-0-306-40615-7");
    // A mistyped ISBN is an error at its line, naming the check digit it should have.
    let d = fails(
        "[book]\ntitle = \"T\"\nidentifier = \"urn:isbn:978-0-306-40615-3\"\ndocuments = [\"a.md\"]\n",
        book.path(),
    );
    let wrong = find(&d, "check digit 3, not 7");
    assert_eq!(at(wrong).0, 3);
}

// TOML syntax errors are reported with the parser's message at its place.
#[test]
fn syntax_errors() {
    let d = fails("[book]\ntitle = \"T\"\ntitle = \"U\"\n", Path::new("/nonexistent"));
    assert_eq!(d.0.len(), 1);
    assert_eq!(d.0[0].message, "duplicate key `title`");
    assert_eq!(at(&d.0[0]), (3, 1));
    let d = fails("[book\ntitle = 1\n", Path::new("/nonexistent"));
    assert_eq!(d.0[0].message, "unclosed table, expected `]`");
    assert_eq!(at(&d.0[0]), (1, 6));
}

// Many kinds of problem in one file are all reported together, sorted by position.
#[test]
fn all_problems_at_once() {
    let book = TempBook::with(&["a.md"]);
    let text = "[book]\ntitel = \"T\"\ndocuments = [\"nope/*.md\"]\nlanguage = \"xx\"\n\
                [output.p]\nformat = \"pdf\"\nfont-size = \"3 pt\"\npage-size = \"B7\"\n[output.q]\nformat = \"odt\"\n";
    let d = fails(text, book.path());
    let lines: Vec<usize> = d.iter().map(|d| at(d).0).collect();
    assert_eq!(lines, [1, 2, 3, 4, 7, 8, 10], "{d}");
    // `titel` is unknown, so the title is also missing, reported at the [book] header.
    assert_eq!(d.0[0].message, "missing `title` in [book]");
}

// Output names must work as file names.
#[test]
fn output_names() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(&with_book("[output.\"a/b\"]\nformat = \"pdf\"\n"), book.path());
    find(&d, "output name `a/b` cannot be used in a file name");
    let s = ok(&with_book("[output.\"печать-A5\"]\nformat = \"pdf\"\n"), book.path());
    assert_eq!(s.outputs[0].name, "печать-A5");
}

// `load` reads the file, takes its folder as root and names unreadable files.
#[test]
fn load_reads_files() {
    let book = TempBook::with(&["a.md"]);
    let manifest = book.path().join("book.toml");
    fs::write(&manifest, with_book("")).unwrap();
    let (s, _) = load(&manifest).unwrap();
    assert_eq!(s.root, book.path());
    assert_eq!(s.manifest.as_deref(), Some(manifest.as_path()));
    assert_eq!(s.documents[0].path, book.path().join("a.md"));

    let missing = book.path().join("none.toml");
    let d = load(&missing).unwrap_err();
    assert_eq!(d.0.len(), 1);
    assert!(d.0[0].message.contains("file not found"), "{d}");
    assert_eq!(d.0[0].location, Some(Location::file(&missing)));

    fs::write(&manifest, b"[book]\ntitle = \"\xff\"\n").unwrap();
    let d = load(&manifest).unwrap_err();
    assert!(d.0[0].message.contains("is not valid UTF-8"));
    assert_eq!(d.0[0].location.as_ref().map(|l| (l.line, l.column)), Some((2, 10)));
}

// A single Markdown file gets its folder as root, default outputs and a placeholder title.
#[test]
fn single_file_defaults() {
    let book = TempBook::with(&["statement.md"]);
    let s = single_file(&book.path().join("statement.md"));
    assert_eq!(s.root, book.path());
    assert_eq!(s.manifest, None);
    assert_eq!(s.meta.title, "statement");
    assert_eq!(s.meta.lang, Lang::Ru);
    assert!(s.meta.identifier.starts_with("urn:uuid:"));
    assert_eq!(s.documents.len(), 1);
    assert_eq!(s.documents[0].display, Path::new("statement.md"));
    assert_eq!(s.outputs, default_outputs());
}

/// xorshift64*: a small deterministic generator for the garbage tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

// Random bytes and random edits of a real manifest never panic.
#[test]
fn garbage_never_panics() {
    let book = TempBook::with(&["a.md", "b.md"]);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..300 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text, Path::new("book.toml"), book.path());
    }
    let base = "[book]\ntitle = \"Т\"\nauthors = [\"A\"]\ndate = 2026-05-01\ndocuments = [\"*.md\", { file = \"b.md\", lang = \"kk\" }]\n\
                [output.print]\nformat = \"pdf\"\npage-size = \"120mm x 170mm\"\nmargins = { top = \"3mm\" }\nfont-size = 9\nline-height = 1.2\n\
                [output.e]\nformat = \"epub\"\n";
    let alphabet: Vec<char> = "[]{}=\",.-x 0123456789mmptinabc\n#'\\é".chars().collect();
    for _ in 0..400 {
        let mut chars: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(chars.len() + 1);
            match rng.below(3) {
                0 if i < chars.len() => {
                    chars.remove(i);
                }
                1 if i < chars.len() => chars[i] = alphabet[rng.below(alphabet.len())],
                _ => chars.insert(i, alphabet[rng.below(alphabet.len())]),
            }
        }
        let text: String = chars.into_iter().collect();
        if let Err(d) = parse(&text, Path::new("book.toml"), book.path()) {
            assert!(d.has_errors());
            assert!(d.iter().all(|d| d.location.as_ref().is_some_and(|l| l.line > 0)), "{text}\n{d}");
        }
    }
}

// Print keys resolve: orientation turns the page, lengths become points, keywords become enums.
#[test]
fn print_keys_resolve() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(
        &with_book(
            "[output.p]\nformat = \"pdf\"\npage-size = \"A5\"\norientation = \"landscape\"\n\
             binding-offset = \"4mm\"\nbleed = \"3mm\"\ncrop-marks = true\nimposition = \"booklet\"\n\
             creep = \"0.1mm\"\ncolor = \"gray\"\nstandard = \"PDF/A-2b\"\n",
        ),
        book.path(),
    );
    let p = pdf(&s, "p");
    close(p.page.width, 595.28);
    close(p.page.height, 419.53);
    close(p.binding_offset, 11.34);
    close(p.bleed, 8.50);
    close(p.creep, 0.28);
    assert!(p.crop_marks);
    assert_eq!(p.imposition, Some(Imposition::Booklet));
    assert_eq!(p.color, ColorMode::Gray);
    assert_eq!(p.standard, Some(Standard::PdfA2b));
    assert!(!p.pdfx);
    // A press file: CMYK, PDF/X-4 and PDF/A-2b at once.
    let s = ok(
        &with_book(
            "[output.p]\nformat = \"pdf\"\ncolor = \"cmyk\"\nstandard = [\"PDF/X-4\", \"pdf/a-2b\"]\n",
        ),
        book.path(),
    );
    let p = pdf(&s, "p");
    assert_eq!((p.color, p.pdfx, p.standard), (ColorMode::Cmyk, true, Some(Standard::PdfA2b)));
    // Portrait is the default way up for a custom size written sideways.
    let s = ok(
        &with_book(
            "[output.p]\nformat = \"pdf\"\npage-size = \"200mm x 100mm\"\norientation = \"portrait\"\nimposition = \"4-up\"\n",
        ),
        book.path(),
    );
    let p = pdf(&s, "p");
    close(p.page.width, Pt::mm(100.0).get());
    assert_eq!(p.imposition, Some(Imposition::FourUp));
    assert_eq!(pdf(&ok(&with_book("[output.pdf]\n"), book.path()), "pdf").bleed, Pt::ZERO);
}

// Each bad print value is reported at its place with a hint.
#[test]
fn bad_print_keys() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(
        &with_book(
            "[output.p]\nformat = \"pdf\"\norientation = \"sideways\"\nbleed = \"20mm\"\n\
             crop-marks = \"yes\"\nimposition = \"bookelt\"\ncolor = \"cmky\"\nstandard = \"pdf/x-1a\"\n\
             binding-offset = \"70mm\"\n[output.q]\nformat = \"pdf\"\ncreep = \"0.1mm\"\n",
        ),
        book.path(),
    );
    assert_eq!(at(find(&d, "unknown orientation `sideways`")), (6, 15));
    find(&d, "bleed 20mm is larger than 10mm");
    let marks = find(&d, "expected `true` or `false` for `crop-marks`, found a string");
    assert_eq!(marks.hint.as_deref(), Some("write it as crop-marks = true"));
    assert_eq!(find(&d, "unknown imposition `bookelt`").hint.as_deref(), Some("did you mean `booklet`?"));
    assert_eq!(find(&d, "unknown color `cmky`").hint.as_deref(), Some("did you mean `cmyk`?"));
    assert!(find(&d, "cannot write `pdf/x-1a`").hint.as_deref().unwrap().contains("standard = \"pdf/x-4\""));
    find(&d, "inner margin plus binding offset 86mm is not less than half the page width (74mm)");
    find(&d, "`creep` needs imposition = \"booklet\"");
}

// Print keys in an epub output are refused: they mean nothing to an e-reader.
#[test]
fn print_keys_not_for_epub() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(
        &with_book("[output.e]\nformat = \"epub\"\nbleed = \"3mm\"\nimposition = \"booklet\"\n"),
        book.path(),
    );
    find(&d, "`bleed` does not apply to the epub output [output.e]");
    find(&d, "`imposition` does not apply to the epub output [output.e]");
}

/// Display paths of the resolved documents.
fn shown(s: &Settings) -> Vec<String> {
    s.documents.iter().map(|d| d.display.to_string_lossy().into_owned()).collect()
}

// [[part]] tables take their statements out of `[book] documents`, which keeps the rest
// (before the parts); the preface comes first and is in no list.
#[test]
fn parts_and_preface_resolve() {
    let book = TempBook::with(&["c/pre.md", "c/a1.md", "c/a2.md", "c/b1.md", "c/loose.md"]);
    let text = r#"
[book]
title = "T"
documents = ["c/*.md"]
preface = "c/pre.md"
sort = "title"

[[part]]
title = "A"
documents = ["c/a*.md"]

[[part]]
title = "B"
documents = ["c/b1.md"]
"#;
    let s = ok(text, book.path());
    assert_eq!(shown(&s), ["c/pre.md", "c/loose.md", "c/a1.md", "c/a2.md", "c/b1.md"]);
    assert!(s.preface);
    assert_eq!(s.sort, Sort::Title);
    let parts: Vec<(&str, Range<usize>)> =
        s.parts.iter().map(|p| (p.title.as_str(), p.documents.clone())).collect();
    assert_eq!(parts, [("A", 2..4), ("B", 4..5)]);
}

// With parts, `[book] documents` may be left out.
#[test]
fn parts_without_book_documents() {
    let book = TempBook::with(&["a.md", "b.md"]);
    let s = ok("[book]\ntitle = \"T\"\n[[part]]\ntitle = \"P\"\ndocuments = [\"*.md\"]\n", book.path());
    assert_eq!(shown(&s), ["a.md", "b.md"]);
    assert_eq!(s.parts[0].documents, 0..2);
    assert!(!s.preface);
}

// A file in two parts, a part without title, group-by with parts and bad keywords are reported at their places.
#[test]
fn bad_parts() {
    let book = TempBook::with(&["a.md", "b.md"]);
    let text = r#"[book]
title = "T"
group-by = "year"
sort = "dat"
[[part]]
title = "P"
documents = ["*.md"]
[[part]]
documents = ["a.md"]
"#;
    let d = fails(text, book.path());
    assert_eq!(at(find(&d, "`a.md` is already in the part «P»")), (9, 13));
    assert_eq!(at(find(&d, "missing `title` in a [[part]]")), (8, 1));
    assert_eq!(at(find(&d, "cannot be used together")), (3, 12));
    let sort = find(&d, "unknown sort order `dat`");
    assert_eq!(sort.hint.as_deref(), Some("did you mean `date`?"));
    let d = fails(&with_book("[[part]]\ntitle = \"P\"\ndocumnts = [\"a.md\"]\n"), book.path());
    find(&d, "unknown key `documnts`");
}

// group-by, start, contents and per-document resolve; start and contents are for PDF only.
#[test]
fn volume_keys_resolve() {
    let book = TempBook::with(&["a.md"]);
    let text = with_book(
        "group-by = \"Year\"\n[output.p]\nformat = \"pdf\"\nstart = \"any\"\ncontents = false\nper-document = true\n\
         [output.e]\nformat = \"epub\"\nper-document = true\n",
    );
    let s = ok(&text, book.path());
    assert_eq!(s.group_by, Some(GroupBy::Year));
    let p = pdf(&s, "p");
    assert_eq!((p.start, p.contents), (Some(Start::Any), Some(false)));
    assert!(s.outputs.iter().all(|o| o.per_document));
    let d = fails(&with_book("[output.e]\nformat = \"epub\"\nstart = \"recto\"\n"), book.path());
    find(&d, "`start` does not apply to the epub output");
    let d = fails(&with_book("[output.p]\nformat = \"pdf\"\nstart = \"rceto\"\n"), book.path());
    assert_eq!(find(&d, "unknown start `rceto`").hint.as_deref(), Some("did you mean `recto`?"));
}

// Leaflet keys resolve: columns and gutter, a tri-fold turns the page into a panel, fit-pages takes its bounds.
#[test]
fn leaflet_keys_resolve() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(
        &with_book(
            "[output.two]\nformat = \"pdf\"\npage-size = \"A4\"\ncolumns = 2\ngutter = \"6mm\"\nfit-pages = 2\n\
             [output.tri]\nformat = \"pdf\"\npage-size = \"A4\"\nmargins = \"8mm\"\nfold = \"tri\"\n\
             fit-pages = 6\nfont-size = \"11pt\"\nfont-size-min = 9\n",
        ),
        book.path(),
    );
    let two = pdf(&s, "two");
    assert_eq!(two.columns, 2);
    close(two.gutter(), Pt::mm(6.0).get());
    let fit = two.fit.expect("fit");
    assert_eq!(
        (fit.target, fit.min, fit.max, fit.at),
        (FitTarget::Pages(2), Pt::new(8.0), Pt::new(12.0), (9, 13))
    );
    let tri = pdf(&s, "tri");
    close(tri.page.width, Pt::mm(297.0).get() / 3.0);
    close(tri.page.height, Pt::mm(210.0).get());
    assert_eq!(tri.imposition, Some(Imposition::TriFold));
    let fit = tri.fit.expect("fit");
    // The output's font size is the largest tried when `font-size-max` is not given.
    assert_eq!((fit.target, fit.min, fit.max), (FitTarget::Pages(6), Pt::new(9.0), Pt::new(11.0)));
    assert_eq!(pdf(&ok(&with_book("[output.pdf]\n"), book.path()), "pdf").columns, 1);
}

// A leaflet has no running heads or folios unless asked for; a booklet fit takes its
// bounds around the set size; `back-cover` is read.
#[test]
fn leaflet_furniture_and_booklet_fit() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(
        &with_book(
            "[output.two]\nformat = \"pdf\"\npage-size = \"A4\"\ncolumns = 2\n\
             [output.fitted]\nformat = \"pdf\"\nfit-pages = 2\nfolios = true\n\
             [output.tri]\nformat = \"pdf\"\npage-size = \"A4\"\nfold = \"tri\"\nrunning-heads = true\n\
             [output.pamphlet]\nformat = \"pdf\"\nfont-size = \"10pt\"\nfit-pages = \"booklet\"\n\
             imposition = \"booklet\"\nback-cover = true\n\
             [output.book]\nformat = \"pdf\"\n",
        ),
        book.path(),
    );
    let furniture = |name: &str| {
        let p = pdf(&s, name);
        (p.is_leaflet(), p.running_heads, p.folios)
    };
    assert_eq!(furniture("two"), (true, false, false));
    assert_eq!(furniture("fitted"), (true, false, true));
    assert_eq!(furniture("tri"), (true, true, false));
    assert_eq!(furniture("book"), (false, true, true));
    let pamphlet = pdf(&s, "pamphlet");
    assert_eq!(furniture("pamphlet"), (false, true, true));
    assert!(pamphlet.back_cover && !pdf(&s, "book").back_cover);
    let fit = pamphlet.fit.expect("fit");
    assert_eq!(fit.target, FitTarget::Booklet);
    close(fit.min, 8.5);
    close(fit.max, 11.5);
    let d = fails(&with_book("[output.p]\nformat = \"pdf\"\nfit-pages = \"sheets\"\n"), book.path());
    let bad = find(&d, "cannot fit the text to \"sheets\" pages");
    assert!(bad.hint.as_deref().unwrap().contains("\"booklet\""));
}

// Each bad leaflet value is reported at its place with a hint.
#[test]
fn bad_leaflet_keys() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(
        &with_book(
            "[output.p]\nformat = \"pdf\"\ncolumns = 5\nfold = \"z\"\nfit-pages = 1.5\n\
             [output.q]\nformat = \"pdf\"\nfold = \"tri\"\nimposition = \"booklet\"\ncolumns = 2\n\
             font-size-max = \"10pt\"\n\
             [output.r]\nformat = \"pdf\"\npage-size = \"A5\"\ncolumns = 3\nfit-pages = 2\n\
             font-size-min = \"11pt\"\nfont-size-max = \"10pt\"\n\
             [output.e]\nformat = \"epub\"\ncolumns = 2\n",
        ),
        book.path(),
    );
    let cols = find(&d, "cannot set 5 columns");
    assert_eq!(at(cols), (6, 11));
    assert!(cols.hint.as_deref().unwrap().contains("columns = 2 or 3"));
    find(&d, "unknown fold `z`");
    find(&d, "cannot fit the text to 1.5 pages");
    find(&d, "`imposition` cannot be combined with fold = \"tri\"");
    find(&d, "`columns` cannot be combined with fold = \"tri\"");
    find(&d, "`font-size-max` needs `fit-pages`");
    find(&d, "text columns would be 24.8mm wide, under 35mm");
    // A5 in three columns with a gutter of 1.5 em: a hair under the least, and said so.
    find(&d, "text columns would be 34.9mm wide, under 35mm");
    find(&d, "font-size-min 11pt is above the largest size 10pt");
    find(&d, "`columns` does not apply to the epub output [output.e]");
}

// Running heads can be turned off and the image height share set; a share out of range is an error.
// Small pages get type and margins in proportion when the manifest gives none; what it
// gives is kept. A narrow measure is set ragged right unless `align` says otherwise.
#[test]
fn small_pages_and_narrow_measures() {
    let book = TempBook::with(&["a.md"]);
    let text = with_book(
        "[output.a6]\nformat = \"pdf\"\npage-size = \"A6\"\n\n[output.a7]\nformat = \"pdf\"\npage-size = \"A7\"\n\n\
         [output.given]\nformat = \"pdf\"\npage-size = \"A6\"\nfont-size = \"10pt\"\nmargins = \"8mm\"\n\n\
         [output.col]\nformat = \"pdf\"\npage-size = \"A5\"\ncolumns = 2\n\n[output.just]\nformat = \"pdf\"\npage-size = \"A5\"\ncolumns = 2\nalign = \"justify\"\n",
    );
    let s = ok(&text, book.path());
    let (a5, a6, a7) = (default_pdf(), pdf(&s, "a6"), pdf(&s, "a7"));
    assert!(a6.font_size < a5.font_size && a7.font_size < a6.font_size, "{} {}", a6.font_size, a7.font_size);
    assert!(a6.margins.outer < a5.margins.outer && a7.margins.outer < a6.margins.outer);
    assert!((a6.line_height / a6.font_size - 1.3).abs() < 1e-9);
    let given = pdf(&s, "given");
    close(given.font_size, 10.0);
    close(given.margins.top, 22.68);
    // A5's measure is justified; a column of half of it is ragged, unless told.
    let width = |p: &PdfSettings| (p.page.width - p.margins.inner - p.margins.outer - p.gutter()) / 2.0;
    assert!(!a5.ragged(a5.page.width - a5.margins.inner - a5.margins.outer, a5.font_size));
    let col = pdf(&s, "col");
    assert!(col.ragged(width(&col), col.font_size));
    let just = pdf(&s, "just");
    assert!(!just.ragged(width(&just), just.font_size));
    let bad = with_book("[output.p]\nformat = \"pdf\"\nalign = \"centre\"\n");
    let d = fails(&bad, book.path());
    assert!(d.iter().any(|d| d.message.contains("align")), "{d}");
    // Font expansion: 2 % unless the output says otherwise, in percent, at most 5 %.
    assert!((a5.expansion - 0.02).abs() < 1e-12);
    let one = ok(&with_book("[output.p]\nformat = \"pdf\"\nexpansion = \"1.5%\"\n"), book.path());
    assert!((pdf(&one, "p").expansion - 0.015).abs() < 1e-12);
    for bad in ["\"9%\"", "\"2\"", "\"-1%\""] {
        let d = fails(&with_book(&format!("[output.p]\nformat = \"pdf\"\nexpansion = {bad}\n")), book.path());
        assert!(d.iter().any(|d| d.message.contains("font expansion")), "{bad}: {d}");
    }
}

#[test]
fn running_heads_and_image_height() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(
        &with_book("[output.p]\nformat = \"pdf\"\nrunning-heads = false\nimage-max-height = 0.3\n"),
        book.path(),
    );
    let p = pdf(&s, "p");
    assert!(!p.running_heads);
    assert!((p.image_max_height - 0.3).abs() < 1e-9);
    assert!(pdf(&ok(&with_book(""), book.path()), "pdf").running_heads);
    let d = fails(&with_book("[output.p]\nformat = \"pdf\"\nimage-max-height = 2\n"), book.path());
    let e = find(&d, "image-max-height");
    assert_eq!(at(e), (6, 20));
}

// `[fonts]` paths are made absolute from the manifest folder and keep the place of their value.
#[test]
fn fonts_resolve_relative_to_root() {
    let book = TempBook::with(&["a.md"]);
    let s = ok(
        &with_book("[fonts]\nserif = \"fonts/Body.ttf\"\nfallback = \"/usr/share/fonts/Symbols.ttf\"\n"),
        book.path(),
    );
    let serif = s.fonts.serif.as_ref().expect("serif");
    assert_eq!(serif.path, book.path().join("fonts/Body.ttf"));
    assert_eq!(serif.written, "fonts/Body.ttf");
    assert_eq!((serif.at.line, serif.at.column), (5, 9));
    let fallback = s.fonts.fallback.as_ref().expect("fallback");
    assert_eq!(fallback.path, Path::new("/usr/share/fonts/Symbols.ttf"));
    assert_eq!((fallback.at.line, fallback.at.column), (6, 12));
    assert!(s.fonts.serif_italic.is_none() && s.fonts.sans.is_none());
    assert_eq!(s.fonts.slots()[0].0, "serif");
    assert!(ok(&with_book(""), book.path()).fonts.is_empty());
}

// Unknown keys in `[fonts]` get a "did you mean", wrong types and blank paths are refused.
#[test]
fn fonts_unknown_key_and_wrong_type() {
    let book = TempBook::with(&["a.md"]);
    let d =
        fails(&with_book("[fonts]\nserif-itallic = \"a.ttf\"\nsans = 3\nfallback = \" \"\n"), book.path());
    let e = find(&d, "unknown key `serif-itallic` in [fonts]");
    assert_eq!(at(e), (5, 1));
    assert_eq!(e.hint.as_deref(), Some("did you mean `serif-italic`?"));
    assert_eq!(at(find(&d, "expected a string for `sans`, found an integer")), (6, 8));
    assert_eq!(at(find(&d, "empty `fallback`")), (7, 12));
}

// Every keyword value gets the same treatment: "did you mean" when a spelling is
// close, else the accepted words; and a key of the other format is an error
// found through the schema's scope, not a list of its own.
#[test]
fn keyword_values_and_foreign_keys() {
    let book = TempBook::with(&["a.md"]);
    let d = fails(
        &with_book(
            "[output.p]\nformat = \"pdf\"\ncolor = \"graey\"\nfold = \"tri-fodl\"\norientation = \"lanscape\"\n\
             cover = \"img/c.jpg\"\n[output.e]\nformat = \"ebup\"\n[output.f]\nformat = \"epub\"\ngutter = \"5mm\"\n\
             compress-images = true\n",
        ),
        book.path(),
    );
    assert_eq!(find(&d, "unknown color `graey`").hint.as_deref(), Some("did you mean `gray`?"));
    assert_eq!(find(&d, "unknown fold `tri-fodl`").hint.as_deref(), Some("did you mean `tri-fold`?"));
    assert_eq!(find(&d, "unknown orientation `lanscape`").hint.as_deref(), Some("did you mean `landscape`?"));
    assert_eq!(find(&d, "unknown format `ebup`").hint.as_deref(), Some("did you mean `epub`?"));
    assert!(
        find(&d, "`cover` does not apply to the pdf output [output.p]")
            .hint
            .as_deref()
            .unwrap()
            .contains("epub")
    );
    find(&d, "`gutter` does not apply to the epub output [output.f]");
    assert!(!d.iter().any(|x| x.message.contains("`compress-images` does not apply")));
    let d = fails(&with_book("[output.p]\nformat = \"pdf\"\ncolor = \"purple\"\n"), book.path());
    assert_eq!(
        find(&d, "unknown color `purple`").hint.as_deref(),
        Some("use \"color\", \"gray\" or \"cmyk\"")
    );
}
