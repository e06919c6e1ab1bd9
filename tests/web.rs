//! Statements as websites export them (`tests/fixtures/web`): the site's HTML
//! read as formatting, its active content dropped with a warning per kind at
//! its line, its images allowed to be missing; and archive batches: shards,
//! reports, JSON messages.

mod common;

#[path = "../benches/build/corpus.rs"]
mod corpus;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Book, epub_xhtml, validate};

/// The fixture's warnings: each dropped kind at the line of its first element.
const DROPPED: [(&str, &str); 14] = [
    ("10:16", "event attribute `onclick` dropped (2 times, lines 10, 44)"),
    ("12:1", "`<script>` dropped"),
    ("20:1", "`<iframe>` dropped"),
    ("36:1", "`<style>` dropped"),
    ("38:1", "`<noscript>` dropped"),
    ("40:1", "`<form>` dropped"),
    ("42:1", "`<object>` dropped"),
    ("44:11", "`<embed>` dropped"),
    ("44:52", "`<button>` dropped"),
    ("44:109", "`<input>` dropped"),
    ("44:141", "`javascript:` address in `<a>` dropped"),
    ("44:141", "event attribute `onmouseover` dropped"),
    ("46:1", "`<svg>` dropped"),
    ("49:42", "HTML tag `<marquee>` is not understood"),
];

/// Text that only the site's markup and scripts hold: none of it may reach an output.
const FOREIGN: [&str; 16] = [
    "<",
    ">",
    "&nbsp",
    "&laquo",
    "&mdash",
    "&#",
    "_gaq",
    "UA-000000",
    "tracking",
    "svg text",
    "youtube",
    "Подписаться",
    "ваш e-mail",
    "counter",
    "text-align",
    "article-text",
];

/// Builds the fixture (its image folder removed when `without_images`) with
/// `--missing-images warn` and checks both outputs.
fn web_export(without_images: bool) {
    let book = Book::fixture("web");
    if without_images {
        std::fs::remove_dir_all(book.path("content/img")).expect("remove the image folder");
        // By default a missing image is an error, and nothing is written.
        book.run(["build"]).code(1).located("content/zayavlenie.md", "1:11").stderr_has("img/dvor.jpg");
        book.assert_no_file("out/pdf.pdf");
    }
    let run = book.run(["build", "--missing-images", "warn"]);
    run.success();
    for (place, message) in DROPPED {
        run.located("content/zayavlenie.md", place).stderr_has(message);
    }
    if without_images {
        run.located("content/zayavlenie.md", "1:11").stderr_has("is missing; it is left out");
    }
    let pdf = book.assert_file("out/pdf.pdf");
    validate::qpdf_check(&pdf);
    validate::fonts_embedded(&pdf);
    let xhtml = epub_xhtml(&book.read("out/epub.epub"));

    // Formatting, not tags: in the EPUB as elements of samizdat's own writer…
    for element in [
        "<strong>решительно осуждаем</strong>",
        "<em>больше 300\u{a0}человек</em>",
        "м<sup>2</sup>",
        "CO<sub>2</sub>",
        "<br/>Подробности",
        "<a href=\"https://example.org/dvor-12\">сайте группы</a>",
        "<s>закрытые</s>",
        "<span xml:lang=\"kk\" lang=\"kk\">аула біздің ортақ үйіміз</span>",
        "<h2",
        "<ol>",
        "<blockquote>",
        "<th scope=\"col\">Год</th>",
        "«работы начнутся весной»",
    ] {
        assert!(xhtml.contains(element), "`{element}` not in the EPUB:\n{xhtml}");
    }
    let body = xhtml.split("<body").skip(1).collect::<String>();
    for attr in
        ["onclick", "style=", "class=\"wp", "target=", "<script", "<iframe", "<form", "<svg", "<marquee"]
    {
        assert!(!body.contains(attr), "`{attr}` in the EPUB:\n{body}");
    }
    let text = xml_text(&xhtml);
    for foreign in FOREIGN {
        assert!(!text.contains(foreign), "`{foreign}` in the EPUB's text:\n{text}");
    }
    // In the text: a book without pictures still gets a drawn cover page.
    let in_text = xhtml.split("<?xml").any(|f| !f.contains("epub:type=\"cover\"") && f.contains("<img"));
    assert_eq!(in_text, !without_images, "the image is in the EPUB's text only when it exists");

    // …and in the PDF as fonts and text.
    if validate::have("pdffonts") {
        let fonts = String::from_utf8_lossy(
            &Command::new("pdffonts").arg(&pdf).output().expect("run pdffonts").stdout,
        )
        .into_owned();
        for face in ["PTSerif-Bold", "PTSerif-Italic", "PTSerif-Regular"] {
            assert!(fonts.contains(face), "{face} not in the PDF:\n{fonts}");
        }
    }
    if let Some(text) = validate::pdf_text(&pdf) {
        for foreign in FOREIGN {
            assert!(!text.contains(foreign), "`{foreign}` in the PDF's text:\n{text}");
        }
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for words in ["решительно осуждаем", "«Двор — общий»", "Подписи собираются до 1 декабря"]
        {
            assert!(flat.contains(words), "`{words}` not in the PDF's text:\n{text}");
        }
    }
    validate::epubcheck(&[book.path("out/epub.epub")]);
}

/// The text of XHTML: tags left out, `&lt;`-style references kept as written.
fn xml_text(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

// The web export with its image.
#[test]
fn web_export_builds_as_formatting() {
    web_export(false);
}

// The same export without its image folder, as it often arrives.
#[test]
fn web_export_without_images() {
    web_export(true);
}

// `--message-format json`: every line on stderr is one JSON object; diagnostics
// carry file, line, column, code and message.
#[test]
fn json_messages() {
    let book = Book::fixture("web");
    let run = book.run(["build", "--message-format", "json"]);
    run.success();
    let lines: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let script = lines.iter().find(|v| v["message"].as_str().is_some_and(|m| m.contains("`<script>`")));
    let script = script.expect("the script's warning");
    assert_eq!(script["file"], "content/zayavlenie.md");
    assert_eq!((script["line"].as_u64(), script["column"].as_u64()), (Some(12), Some(1)));
    assert_eq!(script["severity"], "warning");
    assert!(script["code"].as_str().is_some_and(|c| c.starts_with('W') && c.len() == 7), "{script}");
    assert_eq!(lines.iter().filter(|v| v.get("written").is_some()).count(), 2, "{}", run.stderr);
}

/// `sha256sum` of a file, or `None` where coreutils' is missing.
fn sha256sum(path: &Path) -> Option<String> {
    let out = Command::new("sha256sum").arg(path).output().ok()?;
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().map(str::to_owned)
}

/// The files of a folder by name, with their bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("read the output folder")
        .map(|e| {
            let e = e.expect("entry");
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

// `--shard I/N` on a 50-statement archive with per-statement PDFs and EPUBs:
// the shards are disjoint, together they are the unsharded build byte for byte,
// and each shard's `--report` lists exactly its files with their SHA-256.
#[test]
fn shards_make_the_whole_build() {
    let book = Book::empty("shards");
    corpus::write(
        &book.root,
        &corpus::Spec { images: false, statements: 50, words: 150, ..corpus::Spec::default() },
    )
    .expect("write the corpus");
    let manifest = std::fs::read_to_string(book.path("book.toml")).expect("manifest");
    book.write(
        "book.toml",
        manifest
            + "\n[output.leaflet]\nformat = \"pdf\"\npage-size = \"A6\"\nper-document = true\n"
            + "\n[output.reader]\nformat = \"epub\"\nper-document = true\n",
    );
    book.run(["build", "-q", "-o", "whole", "--report", "whole.json"]).success();
    let whole = files(&book.path("whole"));
    assert_eq!(whole.len(), 2 + 2 * 50, "{:?}", whole.keys());

    let mut union = BTreeMap::new();
    for i in 1..=3 {
        let (dir, report) = (format!("shard{i}"), format!("shard{i}.json"));
        book.run(["build", "-q", "-o", &dir, "--shard", &format!("{i}/3"), "--report", &report]).success();
        let made = files(&book.path(&dir));
        assert!(!made.is_empty() && made.len() < whole.len(), "shard {i}: {} files", made.len());
        let report: serde_json::Value =
            serde_json::from_slice(&book.read(&report)).expect("the report is JSON");
        assert_eq!(report["ok"], true);
        assert_eq!(report["shard"]["index"], i);
        assert_eq!(report["samizdat"], env!("CARGO_PKG_VERSION"));
        let listed: BTreeMap<String, (u64, String)> = report["outputs"]
            .as_array()
            .expect("outputs")
            .iter()
            .map(|o| {
                let path = Path::new(o["path"].as_str().expect("path"));
                let name = path.file_name().expect("name").to_string_lossy().into_owned();
                (name, (o["bytes"].as_u64().expect("bytes"), o["sha256"].as_str().expect("sha").to_owned()))
            })
            .collect();
        assert_eq!(listed.keys().collect::<Vec<_>>(), made.keys().collect::<Vec<_>>(), "shard {i}");
        for (name, (bytes, sha)) in &listed {
            assert_eq!(*bytes as usize, made[name].len(), "{name}");
            if let Some(expected) = sha256sum(&book.path(&dir).join(name)) {
                assert_eq!(sha, &expected, "{name}");
            }
        }
        for (name, bytes) in made {
            assert!(union.insert(name.clone(), bytes).is_none(), "{name} is in two shards");
        }
    }
    assert_eq!(union.keys().collect::<Vec<_>>(), whole.keys().collect::<Vec<_>>());
    for (name, bytes) in &whole {
        assert!(union[name] == *bytes, "{name} differs between the shard and the whole build");
    }
}

// A failed build still writes its report: no outputs, every error listed.
#[test]
fn report_of_a_failed_build() {
    let book = Book::fixture("web");
    std::fs::remove_dir_all(book.path("content/img")).expect("remove the image folder");
    book.run(["build", "--report", "r.json"]).code(1);
    let report: serde_json::Value = serde_json::from_slice(&book.read("r.json")).expect("JSON");
    assert_eq!(report["ok"], false);
    assert_eq!(report["outputs"].as_array().map(Vec::len), Some(0));
    let errors: Vec<&serde_json::Value> =
        report["diagnostics"].as_array().expect("list").iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!((errors[0]["line"].as_u64(), errors[0]["column"].as_u64()), (Some(1), Some(11)));
}

// Pandoc's extensions through both outputs: a fenced div for print only and one
// for the e-book only, a Kazakh div and span marked in the EPUB, notes written in
// place numbered with the others, an image at a share of the measure.
#[test]
fn pandoc_extensions_in_both_outputs() {
    let book = Book::empty("pandoc");
    book.write(
        "book.toml",
        "[book]\ntitle = \"Pandoc\"\ndocuments = [\"s.md\"]\n\n[output.pdf]\nformat = \"pdf\"\npage-size = \"A5\"\n\n[output.epub]\nformat = \"epub\"\n",
    );
    book.write(
        "s.md",
        "# Заявление\n\nМы требуем^[Принято собранием.] и настаиваем[^a], [біз біргеміз]{lang=kk}.\n\n\
         [^a]: Обычная сноска.\n\n::: {lang=kk}\nБіз бірге боламыз және талап етеміз, бұл мәтін қазақ тілінде.\n:::\n\n\
         ::: only-print\nАбзацдлябумаги только в печати.\n:::\n\n::: {.only-epub}\nАбзацдляэкрана только в книге.\n:::\n\n\
         <!-- примечание редактора: убрать -->\n\nКонец^[Вторая встроенная.] текста.\n",
    );
    book.run(["build"]).success();
    let pdf = book.assert_file("out/pdf.pdf");
    let xhtml = epub_xhtml(&book.read("out/epub.epub"));
    assert!(xhtml.contains("Абзацдляэкрана") && !xhtml.contains("Абзацдлябумаги"), "{xhtml}");
    assert!(xhtml.contains("<span xml:lang=\"kk\" lang=\"kk\">біз біргеміз</span>"), "{xhtml}");
    assert!(xhtml.contains("<p xml:lang=\"kk\" lang=\"kk\">Біз бірге"), "{xhtml}");
    assert!(!xhtml.contains("примечание") && !xhtml.contains(":::"), "{xhtml}");
    for (n, note) in [(1, "Принято собранием."), (2, "Обычная сноска."), (3, "Вторая встроенная.")]
    {
        let at = xhtml.find(note).unwrap_or_else(|| panic!("note `{note}` missing:\n{xhtml}"));
        assert!(xhtml[..at].ends_with(&format!("{n}.</a> ")), "note {n} is not `{note}`:\n{xhtml}");
    }
    if let Some(text) = validate::pdf_text(&pdf) {
        assert!(text.contains("Абзацдлябумаги") && !text.contains("Абзацдляэкрана"), "{text}");
        assert!(!text.contains("примечание") && !text.contains(":::") && !text.contains("^["), "{text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("1. Принято собранием.") && flat.contains("3. Вторая встроенная."), "{text}");
    }
    validate::epubcheck(&[book.path("out/epub.epub")]);
}
