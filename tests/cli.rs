//! End-to-end tests of the `samizdat` binary over fixture books: what the
//! commands write, their exit codes and messages, determinism, and the
//! external validators (qpdf, poppler, EPUBCheck) on the real outputs.

mod common;

use std::path::PathBuf;

use common::validate::{self, A5, PdfExpect};
use common::{Book, Snapshot, repo};

/// The Markdown files of a book's `content/` folder, for the word round-trip.
fn sources(book: &Book, dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(book.path(dir))
        .expect("content folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    v.sort();
    v
}

/// Reads one file out of a zip archive (an EPUB) as text.
fn zip_text(epub: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("EPUB is a zip");
    let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("no {name} in the EPUB"));
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).expect("UTF-8 entry");
    s
}

// The sample book at the repository root builds into out/book.pdf and out/ebook.epub, and the PDF passes the validators.
#[test]
fn sample_book_builds_and_validates() {
    let book = Book::sample();
    book.run(["build"]).success().stderr_has("wrote ");
    let pdf = book.assert_file("out/book.pdf");
    book.assert_file("out/ebook.epub");
    validate::check_pdf(
        &pdf,
        &PdfExpect {
            size: A5, lang: "ru", title: "Голоса снизу", sources: sources(&book, "content")
        },
    );
}

// A single Markdown file builds with defaults into out/<stem>.pdf and out/<stem>.epub next to it.
#[test]
fn single_file_builds_next_to_it() {
    let book = Book::fixture("single");
    book.run(["build", "statement.md"]).success();
    let pdf = book.assert_file("out/statement.pdf");
    book.assert_file("out/statement.epub");
    let title =
        if validate::have("pdfinfo") { validate::pdfinfo(&pdf)["Title"].clone() } else { String::new() };
    assert!(title.is_empty() || title.starts_with("Жильцы дома"), "title from the first heading: {title}");
    validate::check_pdf(
        &pdf,
        &PdfExpect { size: A5, lang: "ru", title: &title, sources: vec![book.path("statement.md")] },
    );
}

// The Kazakh fixture gets /Lang kk and keeps every Kazakh word in the PDF text.
#[test]
fn kazakh_book_validates() {
    let book = Book::fixture("kazakh");
    book.run(["build"]).success();
    validate::check_pdf(
        &book.assert_file("out/pdf.pdf"),
        &PdfExpect {
            size: A5,
            lang: "kk",
            title: "Ауыл тұрғындарына тегін құқықтық көмек",
            sources: sources(&book, "content"),
        },
    );
}

// A manifest without output tables builds one PDF and one EPUB named after their formats.
#[test]
fn minimal_book_default_outputs() {
    let book = Book::fixture("minimal");
    book.run(["build"]).success();
    validate::check_pdf(
        &book.assert_file("out/pdf.pdf"),
        &PdfExpect {
            size: A5, lang: "ru", title: "Лифт для дома № 5", sources: sources(&book, "content")
        },
    );
    book.assert_file("out/epub.epub");
}

// `-o DIR` writes into DIR and nowhere else.
#[test]
fn out_dir_option() {
    let book = Book::fixture("minimal");
    book.run(["build", "-o", "elsewhere"]).success();
    book.assert_file("elsewhere/pdf.pdf");
    book.assert_file("elsewhere/epub.epub");
    book.assert_no_file("out");
}

// `--format pdf` builds only the PDF; `--format pdf,epub` both.
#[test]
fn format_option() {
    let book = Book::fixture("minimal");
    book.run(["build", "--format", "pdf"]).success();
    book.assert_file("out/pdf.pdf");
    book.assert_no_file("out/epub.epub");
    book.run(["build", "--format", "pdf,epub", "-o", "both"]).success();
    book.assert_file("both/pdf.pdf");
    book.assert_file("both/epub.epub");
}

// `--output NAME` builds only [output.NAME]; an unknown name is an input error listing the outputs.
#[test]
fn output_option() {
    let book = Book::sample();
    book.run(["build", "--output", "ebook"]).success();
    book.assert_file("out/ebook.epub");
    book.assert_no_file("out/book.pdf");
    let before = book.snapshot();
    book.run(["build", "--output", "ebok"])
        .code(1)
        .stderr_has("no output named `ebok`")
        .stderr_has("book, ebook");
    before.assert_unchanged(&book.root);
}

// `check` reads everything, reports and writes nothing.
#[test]
fn check_writes_nothing() {
    let book = Book::sample();
    let before = book.snapshot();
    book.run(["check"]).success().stderr_has("checked 4 statement(s)");
    book.run(["check", "book.toml"]).success();
    before.assert_unchanged(&book.root);
}

// `new DIR` creates a project that builds and checks cleanly; a second `new` refuses to overwrite it.
#[test]
fn new_project_builds() {
    let book = Book::empty("new");
    book.run(["new", "proj"]).success().stderr_has("created");
    book.assert_file("proj/book.toml");
    book.run(["check", "proj", "--deny-warnings"]).success();
    book.run(["build", "proj"]).success();
    let pdf = book.assert_file("proj/out/book.pdf");
    book.assert_file("proj/out/ebook.epub");
    validate::check_pdf(
        &pdf,
        &PdfExpect {
            size: A5, lang: "ru", title: "Новая книга", sources: sources(&book, "proj/content")
        },
    );
    let before = book.snapshot();
    book.run(["new", "proj"]).code(1).stderr_has("nothing was written").stderr_has("proj/book.toml");
    before.assert_unchanged(&book.root);
    // A folder with a statement of the user's under the template's name: refused,
    // the file named, nothing written (not even the manifest that was missing).
    book.write("mine/content/01-statement.md", "# Моё заявление\n\nМой текст.\n");
    let before = book.snapshot();
    book.run(["new", "mine"])
        .code(1)
        .stderr_has("mine/content/01-statement.md")
        .stderr_has("nothing was written");
    before.assert_unchanged(&book.root);
    book.assert_no_file("mine/book.toml");
}

// Exit codes: 0 on success, 1 on input errors, 2 on usage errors.
#[test]
fn exit_codes() {
    let book = Book::fixture("minimal");
    book.run(["check"]).code(0);
    book.run(["build", "no-such-book"]).code(1).stderr_has("no such file or folder");
    book.run(["check", "content/one.md", "--deny-warnings"]).code(0);
    book.run(["build", "--bogus"]).code(2);
    book.run(["build", "--format", "docx"]).code(2).stderr_has("unknown format `docx`");
    book.run(["frobnicate"]).code(2);
    book.run(Vec::<&str>::new()).code(2);
    book.run(["--version"]).code(0);
}

// The warnings fixture reports the unmatched `**`, the missing alt text, the dropped
// script and an unknown tag at file:line:col, and still builds.
#[test]
fn warnings_are_located() {
    let book = Book::fixture("warnings");
    let run = book.run(["build"]);
    run.success()
        .located("content/w.md", "3:57")
        .stderr_has("unmatched `**`")
        .located("content/w.md", "6:1")
        .stderr_has("has no alt text")
        .located("content/w.md", "8:1")
        .stderr_has("`<script>` dropped: active web content is never printed")
        .located("content/w.md", "10:44")
        .stderr_has("HTML tag `<blink>` is not understood");
    book.assert_file("out/pdf.pdf");
    book.assert_file("out/epub.epub");
}

// `--deny-warnings` turns the warnings into a failure and writes nothing, for build and check.
#[test]
fn deny_warnings_writes_nothing() {
    let book = Book::fixture("warnings");
    let before = book.snapshot();
    book.run(["build", "--deny-warnings"])
        .code(1)
        .stderr_has("unmatched `**`")
        .stderr_has("nothing was written");
    book.run(["check", "--deny-warnings"]).code(1);
    before.assert_unchanged(&book.root);
}

// Building twice gives byte-identical PDF and EPUB, with and without SOURCE_DATE_EPOCH; with it, the dates follow it.
#[test]
fn builds_are_deterministic() {
    let book = Book::sample();
    book.run(["build", "-o", "a"]).success();
    book.run(["build", "-o", "b"]).success();
    // Every output: the volume, the per-statement pamphlets, booklets and EPUBs.
    let (a, b) = (Snapshot::of(&book.path("a")), Snapshot::of(&book.path("b")));
    assert!(a.0.len() >= 2, "outputs: {:?}", a.0.keys());
    for (name, bytes) in &a.0 {
        assert!(b.0.get(name) == Some(bytes), "{} differs between builds", name.display());
    }
    let epoch = "1700000000"; // 2023-11-14T22:13:20Z
    book.cmd(["build", "-o", "c"]).env("SOURCE_DATE_EPOCH", epoch).run().success();
    book.cmd(["build", "-o", "d"]).env("SOURCE_DATE_EPOCH", epoch).run().success();
    let (c, d) = (Snapshot::of(&book.path("c")), Snapshot::of(&book.path("d")));
    for (name, bytes) in &c.0 {
        assert!(d.0.get(name) == Some(bytes), "{} differs with SOURCE_DATE_EPOCH", name.display());
    }
    let opf = zip_text(&book.read("c/ebook.epub"), "EPUB/content.opf");
    assert!(
        opf.contains(">2023-11-14T22:13:20Z</meta>"),
        "dcterms:modified follows SOURCE_DATE_EPOCH:\n{opf}"
    );
    let opf = zip_text(&book.read("a/ebook.epub"), "EPUB/content.opf");
    assert!(opf.contains(">2026-05-01T00:00:00Z</meta>"), "without it, the book date:\n{opf}");
    if validate::have("pdfinfo") {
        let info = validate::pdfinfo(&book.path("c/book.pdf"));
        assert_eq!(info["CreationDate"], "Tue Nov 14 22:13:20 2023 UTC");
        let info = validate::pdfinfo(&book.path("a/book.pdf"));
        assert_eq!(info["CreationDate"], "Fri May  1 00:00:00 2026 UTC");
    }
}

// EPUBCheck 5 reports 0 errors and 0 warnings on every EPUB these fixtures build (one JVM for all).
#[test]
fn epubcheck_every_epub() {
    let sample = Book::sample();
    sample.run(["build", "--format", "epub"]).success();
    sample
        .cmd(["build", "--output", "ebook", "-o", "dated"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .run()
        .success();
    // The volume and each statement's own EPUB (`[output.statement]`, one per document).
    let mut epubs: Vec<PathBuf> = std::fs::read_dir(sample.path("out"))
        .expect("out/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    epubs.sort();
    assert!(epubs.len() >= 2, "the volume and the per-statement EPUBs: {epubs:?}");
    epubs.push(sample.assert_file("dated/ebook.epub"));
    let mut books = Vec::new();
    for name in ["minimal", "kazakh", "warnings"] {
        let book = Book::fixture(name);
        book.run(["build", "--format", "epub"]).success();
        epubs.push(book.assert_file("out/epub.epub"));
        books.push(book);
    }
    let single = Book::fixture("single");
    single.run(["build", "statement.md", "--format", "epub"]).success();
    epubs.push(single.assert_file("out/statement.epub"));
    let new = Book::empty("new-epub");
    new.run(["new", "p"]).success();
    new.run(["build", "p", "--format", "epub"]).success();
    epubs.push(new.assert_file("p/out/ebook.epub"));
    validate::epubcheck(&epubs);
}

// The repository's own book.toml is what the README's first command builds.
#[test]
fn readme_commands_exist() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    assert!(readme.contains("cargo run --release -- build"), "README names the build command");
    let ci = std::fs::read_to_string(repo().join(".ci/run")).expect(".ci/run");
    let test_cmd = "cargo test";
    assert!(readme.contains(test_cmd) && ci.contains(test_cmd), "README and .ci/run share the test command");
}

// Text copied from the PDF keeps stress marks on their letters and ligatures as their
// letters (a letter and its combining accent are two glyphs of one cluster).
#[test]
fn accents_and_ligatures_copy_as_text() {
    let book = Book::empty("accents");
    book.write(
        "s.md",
        "# Ударения\n\nУдаре\u{301}ние на бу\u{301}кве, за\u{301}мок и замо\u{301}к. The office staff fight on.\n",
    );
    book.run(["build", "s.md"]).success();
    let Some(text) = validate::pdf_text(&book.path("out/s.pdf")) else {
        return;
    };
    for word in ["Ударе\u{301}ние", "бу\u{301}кве", "за\u{301}мок", "замо\u{301}к", "office", "fight"]
    {
        assert!(text.contains(word), "`{word}` is not in the PDF's text: {text}");
    }
}

// Shell completions load in bash, zsh and fish scripts are produced, and the
// manual page renders with man.
#[test]
fn completions_and_manual_page() {
    let book = Book::empty("completions");
    for shell in ["bash", "zsh", "fish"] {
        book.run(["completions", shell]).success();
    }
    if validate::have("bash") {
        let script = format!("source <({} completions bash) && complete -p samizdat", common::BIN);
        let out = std::process::Command::new("bash").args(["-c", &script]).output().expect("bash runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("_samizdat"));
    }
    let man = std::process::Command::new(common::BIN).arg("man").output().expect("runs");
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(page.starts_with(".ie") || page.contains(".TH samizdat"), "{page}");
    assert!(page.contains("completions") && page.contains("build"), "{page}");
}
