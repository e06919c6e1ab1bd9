//! Languages and dates as the outputs show them: a statement in one language
//! that quotes a passage and a note in another is labelled by its own language
//! (`dc:language`, the PDF's `/Lang`, the EPUB's interface words), the quoted
//! passage and note carry their own `xml:lang` and are hyphenated by their own
//! patterns, and a `{lang=…}` section reaches its quotes, lists and notes.
//! Dates read as the statement's language writes them; an impossible date is
//! an error at its place.

mod common;

use std::collections::BTreeMap;

use common::Book;
use common::validate;
use samizdat::layout;
use samizdat::locale::{Lang, LetterCount};
use samizdat::typography;

/// Reads every entry of an EPUB as text, without the soft hyphens of Kazakh text
/// (tests/ebook.rs checks those), so that passages are found as written.
fn epub_entries(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("EPUB is a zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("entry");
        let name = f.name().expect("a UTF-8 name").to_string();
        let mut s = String::new();
        if std::io::Read::read_to_string(&mut f, &mut s).is_ok() {
            out.insert(name, s.replace('\u{ad}', ""));
        }
    }
    out
}

/// The XHTML of the one statement in a per-statement EPUB.
fn statement_xhtml(entries: &BTreeMap<String, String>) -> &str {
    entries
        .iter()
        .find(|(name, _)| name.starts_with("EPUB/text/") && name.ends_with(".xhtml"))
        .map(|(_, text)| text.as_str())
        .expect("a statement file")
}

/// The start tag of the nearest `<name …>` element opened before `text`.
fn tag_before<'a>(xhtml: &'a str, name: &str, text: &str) -> &'a str {
    let at = xhtml.find(text).unwrap_or_else(|| panic!("{text:?} not in\n{xhtml}"));
    let open = [format!("<{name} "), format!("<{name}>")]
        .iter()
        .filter_map(|t| xhtml[..at].rfind(t.as_str()))
        .max()
        .unwrap_or_else(|| panic!("no <{name}> before {text:?}"));
    let end = open + xhtml[open..].find('>').expect("a closed start tag");
    &xhtml[open..=end]
}

// The Russian statement with a Kazakh appeal and a Kazakh note is Russian; the
// appeal and the note are Kazakh and only they say so.
#[test]
fn russian_statement_quoting_kazakh() {
    let book = Book::fixture("mixed");
    book.run(["build"]).success();
    let entries = epub_entries(&book.read("out/statement-01-ru-kk.epub"));
    let opf = &entries["EPUB/content.opf"];
    assert!(opf.contains("<dc:language>ru</dc:language>"), "{opf}");
    assert!(!opf.contains("<dc:language>kk</dc:language>"), "no Kazakh statement here: {opf}");
    let x = statement_xhtml(&entries);
    assert!(x.contains("<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"ru\" lang=\"ru\">"), "{x}");
    assert!(tag_before(x, "p", "Біз, Абай көшесіндегі").contains("xml:lang=\"kk\""), "{x}");
    assert!(tag_before(x, "aside", "Үндеуге үш жүзден").contains("xml:lang=\"kk\""), "the Kazakh note: {x}");
    for ru in ["Мы, жители", "Решение", "Мы готовы", "городского архива"]
    {
        assert!(!tag_before(x, "p", ru).contains("lang="), "{ru} is in the statement's language: {x}");
    }
    assert_eq!(x.matches("xml:lang=\"kk\"").count(), 2, "the appeal, the note's aside and nothing else: {x}");
    // The interface words are the statement's (Russian).
    assert!(x.contains("aria-label=\"Примечания\""), "{x}");
    let pdf = book.assert_file("out/pamphlet-01-ru-kk.pdf");
    if let Some(lang) = validate::catalog_lang(&pdf) {
        assert_eq!(lang, "ru");
    }
}

// The reverse: a Kazakh statement quoting a Russian answer with a Russian note.
#[test]
fn kazakh_statement_quoting_russian() {
    let book = Book::fixture("mixed");
    book.run(["build"]).success();
    let entries = epub_entries(&book.read("out/statement-02-kk-ru.epub"));
    let opf = &entries["EPUB/content.opf"];
    assert!(opf.contains("<dc:language>kk</dc:language>"), "{opf}");
    let x = statement_xhtml(&entries);
    assert!(x.contains("xml:lang=\"kk\" lang=\"kk\">\n<head>"), "{x}");
    assert!(tag_before(x, "p", "Управление образования").contains("xml:lang=\"ru\""), "{x}");
    assert!(tag_before(x, "aside", "Ответ получен").contains("xml:lang=\"ru\""), "the Russian note: {x}");
    assert!(!tag_before(x, "p", "Біз бұл жауапқа").contains("lang="), "{x}");
    assert!(
        !tag_before(x, "aside", "Мектепте қазір").contains("lang="),
        "a short Kazakh note keeps its call's language: {x}"
    );
    assert!(x.contains("aria-label=\"Ескертпелер\""), "{x}");
    let pdf = book.assert_file("out/pamphlet-02-kk-ru.pdf");
    if let Some(lang) = validate::catalog_lang(&pdf) {
        assert_eq!(lang, "kk");
    }
}

// A `{lang=kk}` section holds its quote, list, paragraphs and the note called
// in it, even where their text is too short to tell; the next heading of its
// level ends it.
#[test]
fn kazakh_section_reaches_its_blocks() {
    let book = Book::fixture("mixed");
    book.run(["build", "--output", "statement"]).success();
    let entries = epub_entries(&book.read("out/statement-03-section.epub"));
    let x = statement_xhtml(&entries);
    assert!(tag_before(x, "h2", "Үндеу").contains("xml:lang=\"kk\""), "{x}");
    // Short passages inherit: the paragraph, the quote, the list and the note.
    assert!(tag_before(x, "p", "Құрметті депутаттар").contains("xml:lang=\"kk\""), "{x}");
    assert!(x.contains("<blockquote xml:lang=\"kk\" lang=\"kk\">"), "{x}");
    assert!(x.contains("<ul xml:lang=\"kk\" lang=\"kk\">"), "{x}");
    assert!(tag_before(x, "p", "Жауап күтеміз").contains("xml:lang=\"kk\""), "{x}");
    assert!(
        tag_before(x, "aside", "Хат.").contains("xml:lang=\"kk\""),
        "the note called in the section: {x}"
    );
    // Inside the Kazakh list, the items state nothing again.
    assert!(!tag_before(x, "p", "Саябақты сақтау").contains("lang="), "{x}");
    assert!(!tag_before(x, "h2", "Подписи").contains("lang="), "{x}");
    assert!(!tag_before(x, "p", "Подписали сорок два").contains("lang="), "{x}");
}

/// The lines of each paragraph of the book's first PDF output, with the text of the whole paragraph.
fn paragraphs(path: &std::path::Path) -> Vec<(String, Vec<layout::LineRecord>)> {
    let layout = common::typeset(path);
    let mut by_para: BTreeMap<usize, Vec<layout::LineRecord>> = BTreeMap::new();
    for line in layout.pages.iter().flat_map(|p| &p.lines) {
        by_para.entry(line.para).or_default().push(line.clone());
    }
    by_para
        .into_values()
        .map(|lines| (lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join(" "), lines))
        .collect()
}

// Each paragraph is hyphenated by its own language's patterns: every line-end
// hyphen of a Kazakh paragraph in the Russian statement stands where the
// Kazakh patterns allow a break, and of a Russian one where the Russian allow.
#[test]
fn quoted_passages_hyphenate_by_their_own_patterns() {
    let mut checked = BTreeMap::<Lang, usize>::new();
    for (text, lines) in paragraphs(&common::fixture_dir("mixed")) {
        let count = LetterCount::of(&text);
        if count.cyrillic < 40 {
            continue;
        }
        let lang = if count.kazakh * 100 >= count.cyrillic * 3 { Lang::Kk } else { Lang::Ru };
        for pair in lines.windows(2) {
            if !pair[0].hyphenated || pair[1].index != pair[0].index + 1 {
                continue;
            }
            let head = pair[0].text.trim_end().trim_end_matches('-');
            let head = head.rsplit(' ').next().unwrap_or_default();
            let tail = pair[1].text.trim_start().split(' ').next().unwrap_or_default();
            let tail = tail.trim_end_matches(|c: char| !c.is_alphabetic());
            let head = head.trim_start_matches(|c: char| !c.is_alphabetic());
            let word = format!("{head}{tail}");
            let allowed = typography::hyphenate(&word, lang);
            assert!(
                allowed.contains(&head.len()),
                "{lang:?}: {head}-{tail} is not a {lang:?} break point ({allowed:?}) in {text:?}"
            );
            *checked.entry(lang).or_default() += 1;
        }
    }
    assert!(checked.get(&Lang::Kk).copied().unwrap_or(0) >= 2, "too few Kazakh breaks to judge: {checked:?}");
    assert!(
        checked.get(&Lang::Ru).copied().unwrap_or(0) >= 2,
        "too few Russian breaks to judge: {checked:?}"
    );
}

// Dates read as the statement's language writes them under its title, in both
// outputs; metadata keeps the ISO form.
#[test]
fn dates_read_in_the_statements_language() {
    let book = Book::fixture("mixed");
    book.run(["build"]).success();
    let entries = epub_entries(&book.read("out/statement-01-ru-kk.epub"));
    let x = statement_xhtml(&entries);
    assert!(
        x.contains("<p class=\"byline\">Инициативная группа жителей, 5\u{a0}января 2022\u{a0}г.</p>"),
        "{x}"
    );
    assert!(entries["EPUB/content.opf"].contains("<dc:date>2022-01-05</dc:date>"));
    let kk = epub_entries(&book.read("out/statement-02-kk-ru.epub"));
    assert!(statement_xhtml(&kk).contains("<p class=\"byline\">2022\u{a0}жылғы наурыз</p>"));
    let year = epub_entries(&book.read("out/statement-03-section.epub"));
    assert!(statement_xhtml(&year).contains("<p class=\"byline\">2022\u{a0}г.</p>"));
    if let Some(text) = validate::pdf_text(&book.assert_file("out/pamphlet-01-ru-kk.pdf")) {
        let flat =
            text.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        assert!(flat.contains("5 января 2022 г."), "{text}");
        assert!(!flat.contains("2022-01-05"), "{text}");
    }
}

// An impossible date in front matter or in the manifest is an error at its file,
// line and column, with a hint, and nothing is written.
#[test]
fn impossible_dates_are_located_errors() {
    let book = Book::empty("bad-dates");
    book.write("book.toml", "[book]\ntitle = \"T\"\ndocuments = [\"a.md\", \"b.md\"]\n");
    book.write("a.md", "---\ntitle: A\ndate: 2022-02-31\n---\n\n# A\n\nТекст.\n");
    book.write("b.md", "+++\ndate = \"05.01.2022\"\n+++\n\n# B\n\nТекст.\n");
    let run = book.run(["build"]);
    run.code(1);
    run.stderr_has("a.md:3:7").stderr_has("invalid date `2022-02-31`").stderr_has("2022-02 has no day 31");
    run.stderr_has("b.md:2:8").stderr_has("write dates year first: `2022-01-05`");
    book.assert_no_file("out/pdf.pdf");
    let manifest = Book::empty("bad-book-date");
    manifest.write("book.toml", "[book]\ntitle = \"T\"\ndate = \"2023-02-29\"\ndocuments = [\"a.md\"]\n");
    manifest.write("a.md", "# A\n\nТекст.\n");
    let run = manifest.run(["build"]);
    run.code(1);
    run.stderr_has("book.toml:3:8")
        .stderr_has("invalid date `2023-02-29`")
        .stderr_has("2023-02 has no day 29");
}
