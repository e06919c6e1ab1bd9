//! E-books for readers without the language's hyphenation: soft hyphens read back
//! from the EPUB's XHTML and checked against the Kazakh patterns with a Liang
//! matcher of the test's own (not the library's), none in headings, addresses or
//! figures, and none in Russian text unless asked for.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{Book, epub_xhtml_raw};

const SHY: char = '\u{ad}';

/// Liang's algorithm over a TeX pattern file: the break points (in letters from
/// the word's start) of `word`, keeping 2 letters on each side.
struct Patterns(HashMap<String, Vec<u8>>);

impl Patterns {
    fn load(tex: &str) -> Patterns {
        let body = tex.split_once("\\patterns{").expect("a \\patterns block").1;
        let body = body.split_once('}').expect("the block's end").0;
        let mut map = HashMap::new();
        for line in body.lines() {
            let code = line.split('%').next().unwrap_or("");
            for pattern in code.split_whitespace().filter(|p| !p.contains('-')) {
                let mut letters = String::new();
                let mut levels = vec![0u8];
                for c in pattern.chars() {
                    match c.to_digit(10) {
                        Some(d) => *levels.last_mut().unwrap() = d as u8,
                        None => {
                            letters.push(c);
                            levels.push(0);
                        }
                    }
                }
                map.insert(letters, levels);
            }
        }
        Patterns(map)
    }

    fn breaks(&self, word: &str) -> BTreeSet<usize> {
        let dotted: Vec<char> = format!(".{}.", word.to_lowercase()).chars().collect();
        let mut levels = vec![0u8; dotted.len() + 1];
        for i in 0..dotted.len() {
            for j in i + 1..=dotted.len() {
                let piece: String = dotted[i..j].iter().collect();
                if let Some(values) = self.0.get(&piece) {
                    for (k, v) in values.iter().enumerate() {
                        levels[i + k] = levels[i + k].max(*v);
                    }
                }
            }
        }
        let n = word.chars().count();
        // levels[k + 1] is the value between letter k - 1 and letter k of the word.
        (2..=n.saturating_sub(2)).filter(|&k| levels[k + 1] % 2 == 1).collect()
    }
}

/// The words of `text` that carry soft hyphens, as (the word, its break points).
fn hyphenated_words(text: &str) -> Vec<(String, BTreeSet<usize>)> {
    let mut found = Vec::new();
    for token in text.split(|c: char| !(c.is_alphabetic() || c == SHY)) {
        if !token.contains(SHY) {
            continue;
        }
        let mut word = String::new();
        let mut points = BTreeSet::new();
        for c in token.chars() {
            if c == SHY {
                points.insert(word.chars().count());
            } else {
                word.push(c);
            }
        }
        found.push((word, points));
    }
    found
}

/// The text of the elements `tag` (`<h1…>…</h1>` and the like) in `xhtml`.
fn elements<'a>(xhtml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    xhtml.split(&open).skip(1).filter_map(|rest| rest.split_once(&close).map(|(inner, _)| inner)).collect()
}

// The Kazakh statement under the default (`auto`): soft hyphens in its running
// text, each at a point the Kazakh patterns allow, none in headings or addresses.
#[test]
fn kazakh_text_gets_soft_hyphens_where_the_patterns_allow() {
    let book = Book::fixture("kazakh");
    book.write(
        "content/quqyq.md",
        format!(
            "{}\n\nТолығырақ: https://adilet-uii.kz/komek-baǵdarlamasy және 2026 жылғы 15 наурыз.\n",
            String::from_utf8(book.read("content/quqyq.md")).unwrap()
        ),
    );
    book.run(["build", "--format", "epub"]).success();
    let epub = std::fs::read(
        book.path("out")
            .read_dir()
            .unwrap()
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "epub"))
            .expect("an EPUB")
            .path(),
    )
    .unwrap();
    let xhtml = epub_xhtml_raw(&epub);
    let patterns = Patterns::load(include_str!("../data/hyph-kk.tex"));
    let words = hyphenated_words(&xhtml);
    assert!(words.len() > 50, "only {} words carry soft hyphens", words.len());
    for (word, points) in &words {
        let allowed = patterns.breaks(word);
        assert!(points.is_subset(&allowed), "`{word}` broken at {points:?}, the patterns allow {allowed:?}");
    }
    // Most allowed points are used: the text breaks as well as the print edition.
    let used: usize = words.iter().map(|(_, p)| p.len()).sum();
    let possible: usize = words.iter().map(|(w, _)| patterns.breaks(w).len()).sum();
    assert!(used * 10 >= possible * 9, "{used} of {possible} break points used");
    for tag in ["h1", "h2", "h3", "title"] {
        for inner in elements(&xhtml, tag) {
            assert!(!inner.contains(SHY), "a soft hyphen in <{tag}>: {inner}");
        }
    }
    let line = xhtml.lines().find(|l| l.contains("adilet-uii")).expect("the address line");
    let address = line.split_whitespace().find(|t| t.contains("adilet")).unwrap();
    assert!(!address.contains(SHY), "a soft hyphen in the address: {address}");
    assert!(!line.contains(&format!("2{SHY}0")), "a soft hyphen in a figure: {line}");
}

// Russian is left to the reader's own hyphenation under `auto`, and gets soft
// hyphens when asked for `always`; `never` keeps even Kazakh free of them.
#[test]
fn soft_hyphens_follow_the_setting() {
    let book = Book::fixture("mixed");
    let manifest = String::from_utf8(book.read("book.toml")).unwrap();
    let base: String = manifest.split("[output").next().unwrap_or(&manifest).to_owned();
    let build = |setting: &str| -> String {
        let extra =
            if setting.is_empty() { String::new() } else { format!("soft-hyphens = \"{setting}\"\n") };
        book.write("book.toml", format!("{base}\n[output.e]\nformat = \"epub\"\n{extra}"));
        book.run(["build"]).success();
        epub_xhtml_raw(&book.read("out/e.epub"))
    };
    let auto = build("");
    let always = build("always");
    let never = build("never");
    assert!(!never.contains(SHY), "soft hyphens under `never`");
    let (ru_auto, kk_auto) = by_language(&auto);
    let (ru_always, kk_always) = by_language(&always);
    assert_eq!(ru_auto, 0, "soft hyphens in Russian text under `auto`");
    assert!(kk_auto > 20, "{kk_auto} soft hyphens in the Kazakh text under `auto`");
    assert!(ru_always > 20, "{ru_always} soft hyphens in Russian text under `always`");
    assert_eq!(kk_always, kk_auto, "`always` changed the Kazakh text");
}

/// Soft hyphens in Russian and in Kazakh text of the EPUB's documents: each piece
/// of text in the language of its nearest element that states one.
fn by_language(xhtml: &str) -> (usize, usize) {
    let (mut ru, mut kk) = (0, 0);
    for file in xhtml.split("<?xml").skip(1) {
        // (element name, whether it is Kazakh when it says).
        let mut open: Vec<(String, Option<bool>)> = Vec::new();
        let mut rest = file;
        while let Some((text, tag)) = rest.split_once('<') {
            let is_kk = open.iter().rev().find_map(|(_, l)| *l).unwrap_or(false);
            let n = text.matches(SHY).count();
            if is_kk {
                kk += n
            } else {
                ru += n
            }
            let (tag, after) = tag.split_once('>').unwrap_or((tag, ""));
            rest = after;
            let name: String =
                tag.trim_start_matches('/').chars().take_while(|c| c.is_alphanumeric()).collect();
            if tag.starts_with('/') {
                if let Some(k) = open.iter().rposition(|(n, _)| *n == name) {
                    open.truncate(k);
                }
            } else if !tag.ends_with('/') && !tag.starts_with('!') && !tag.starts_with('?') {
                let lang = tag.contains(" lang=").then(|| tag.contains(" lang=\"kk\""));
                open.push((name, lang));
            }
        }
    }
    (ru, kk)
}

/// The entries of an EPUB by name.
fn entries(epub: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("EPUB is a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).expect("read");
            (f.name().expect("a UTF-8 name").into_owned(), bytes)
        })
        .collect()
}

// A book with no picture gets a drawn cover: a PNG of the recommended size, named
// the cover image in the package, with ink on it (its title), the same bytes on
// every build; `cover-generate = false` leaves the book without one.
#[test]
fn a_book_without_pictures_gets_a_drawn_cover() {
    let book = Book::empty("drawn-cover");
    let manifest = "[book]\ntitle = \"Ауыл тұрғындарына тегін құқықтық көмек туралы өтініш\"\n\
                    authors = [\"«Әділет үйі» қоғамдық қоры\"]\nlanguage = \"kk\"\ndate = \"2026-02-20\"\n\
                    documents = [\"content/*.md\"]\n\n[output.e]\nformat = \"epub\"\n";
    book.write("book.toml", manifest);
    book.write("content/01.md", "# Өтініш\n\nБіз ауыл тұрғындарына көмек көрсетеміз.\n");
    book.run(["build"]).success();
    let first = book.read("out/e.epub");
    let files = entries(&first);
    let opf = String::from_utf8(files["EPUB/content.opf"].clone()).expect("UTF-8");
    let item = opf.lines().find(|l| l.contains("cover-image")).expect("no cover-image item in the OPF");
    assert!(item.contains("media-type=\"image/png\""), "{item}");
    let href = item.split("href=\"").nth(1).and_then(|h| h.split('"').next()).expect("href");
    let png = &files[&format!("EPUB/{href}")];
    let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut pixels).expect("decodes");
    assert_eq!((info.width, info.height), (1600, 2560));
    let dark = pixels.chunks(3).filter(|p| p.iter().all(|&c| c < 80)).count();
    let share = dark as f64 / (1600.0 * 2560.0);
    assert!(share > 0.01 && share < 0.2, "{:.1} % of the cover is ink", share * 100.0);
    assert!(files.contains_key("EPUB/cover.xhtml"), "no cover page");
    // Deterministic.
    book.run(["build"]).success();
    assert!(book.read("out/e.epub") == first, "a second build gives other bytes");
    // Off when asked.
    book.write("book.toml", format!("{manifest}cover-generate = false\n"));
    book.run(["build"]).success();
    let files = entries(&book.read("out/e.epub"));
    let opf = String::from_utf8(files["EPUB/content.opf"].clone()).expect("UTF-8");
    assert!(!opf.contains("cover-image"), "a cover under cover-generate = false");
}

// The page list names its source: the book's identifier and the PDF whose pages
// it follows; an e-book built without a print edition has no page list to source.
#[test]
fn the_page_list_names_the_print_edition() {
    let book = Book::fixture("mixed");
    book.run(["build"]).success();
    let opf = |name: &str| {
        let files = entries(&book.read(format!("out/{name}.epub")));
        String::from_utf8(files["EPUB/content.opf"].clone()).expect("UTF-8")
    };
    let whole = opf("ebook");
    let source =
        whole.lines().find(|l| l.contains("property=\"pageBreakSource\"")).expect("no pageBreakSource");
    assert!(source.contains("(book.pdf)"), "{source}");
    let id = whole
        .split("<dc:identifier")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next());
    assert!(source.contains(id.expect("an identifier")), "{source} does not name the book");
    // The EPUB alone: no print pages, no source.
    let manifest = String::from_utf8(book.read("book.toml")).unwrap();
    let base = manifest.split("[output").next().unwrap().to_owned();
    book.write("book.toml", format!("{base}[output.ebook]\nformat = \"epub\"\n"));
    book.run(["build"]).success();
    assert!(!opf("ebook").contains("pageBreakSource"), "a page source without print pages");
}

// A statement that opens with a picture above its title reads title first: the
// heading comes before the picture in the document.
#[test]
fn the_title_comes_before_the_opening_picture() {
    let book = Book::fixture("kazakh");
    book.write(
        "book.toml",
        format!("{}\n[output.e]\nformat = \"epub\"\n", String::from_utf8(book.read("book.toml")).unwrap()),
    );
    let source = String::from_utf8(book.read("content/quqyq.md")).unwrap();
    assert!(source.trim_start().starts_with("!["), "the fixture no longer opens with a picture");
    book.run(["build"]).success();
    let files = entries(&book.read("out/e.epub"));
    let (_, text) = files.iter().find(|(n, _)| n.starts_with("EPUB/text/")).expect("a statement");
    let text = String::from_utf8_lossy(text);
    let (h1, img) = (text.find("<h1").expect("a title"), text.find("<img").expect("a picture"));
    assert!(h1 < img, "the picture comes before the title");
}

/// `(family, bold, italic)` → font file, from the stylesheet's `@font-face` rules.
fn font_faces(css: &str) -> std::collections::BTreeMap<(String, bool, bool), String> {
    let value = |rule: &str, key: &str| {
        let v = rule.split(&format!("{key}:")).nth(1)?.split(';').next()?.trim();
        Some(v.trim_matches('"').to_owned())
    };
    css.split("@font-face")
        .skip(1)
        .filter_map(|r| r.split('}').next())
        .map(|rule| {
            let family = value(rule, "font-family").expect("a family");
            let bold = value(rule, "font-weight").expect("a weight") == "bold";
            let italic = value(rule, "font-style").expect("a style") == "italic";
            let src = value(rule, "src").expect("a source");
            let url = src.trim_start_matches("url(").trim_end_matches(')').trim_matches('"');
            ((family, bold, italic), url.trim_start_matches("../").to_owned())
        })
        .collect()
}

// The EPUB carries the book's faces: each a font file a reading system loads on
// its own (the OpenType sanitiser of Chromium and Firefox accepts it), listed in
// the package with its media type, named by `@font-face`, and mapping every
// character the text draws in it, read with the HTML rules (headings in the sans
// family, bold and italic where the markup says). The licence travels with them.
// `embed-fonts = false` leaves the fonts to the reading system.
#[test]
fn embedded_fonts_cover_the_text_they_style() {
    use skrifa::MetadataProvider;
    let book = Book::empty("embedded-fonts");
    let manifest = "[book]\ntitle = \"Шрифты\"\nlanguage = \"ru\"\ndocuments = [\"content/*.md\"]\n\n\
                    [output.e]\nformat = \"epub\"\n";
    book.write("book.toml", manifest);
    book.write(
        "content/01.md",
        "# Заявление «Әділет» № 7\n\nТекст с *курсивом*, **жирным**, ***обоими*** и `кодом {}`.\n\n\
         ## Қазақша: ӘҒҚҢӨҰҮҺІ әғқңөұүһі\n\n| Год | Доля, % |\n|---|---:|\n| 2025 | 48,5 |\n\n\
         Знак ☭ и ёлка 🎄 — вне шрифта.[^1]\n\n[^1]: Примечание.\n",
    );
    book.run(["build"]).success();
    let files = entries(&book.read("out/e.epub"));
    let text = |name: &str| String::from_utf8(files[name].clone()).expect("UTF-8");
    let opf = text("EPUB/content.opf");
    let css = text("EPUB/css/style.css");
    let faces = font_faces(&css);
    assert!(faces.len() >= 4, "regular, italic, bold, bold italic and sans bold expected: {faces:?}");
    for file in faces.values() {
        let item = opf
            .lines()
            .find(|l| l.contains(&format!("href=\"{file}\"")))
            .unwrap_or_else(|| panic!("{file} not in the OPF"));
        assert!(
            item.contains("media-type=\"font/ttf\"") || item.contains("media-type=\"font/otf\""),
            "{item}"
        );
        assert!(files.contains_key(&format!("EPUB/{file}")), "{file} listed but not stored");
    }
    let licence = opf.lines().find(|l| l.contains("LICENSE")).expect("the fonts' licence in the OPF");
    let href = licence.split("href=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
    assert!(String::from_utf8_lossy(&files[&format!("EPUB/{href}")]).contains("ParaType Free Font License"));
    let body = css.lines().rfind(|l| l.starts_with("body {")).expect("a body rule");
    assert!(body.contains("\"PT Serif\"") && body.trim_end().ends_with("serif; }"), "{body}");

    // Every drawn character against the font that draws it.
    let fonts: std::collections::BTreeMap<&(String, bool, bool), skrifa::FontRef> = faces
        .iter()
        .map(|(k, f)| (k, skrifa::FontRef::new(&files[&format!("EPUB/{f}")]).expect("a font")))
        .collect();
    let opts = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    let mut checked = 0;
    for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        let xhtml = String::from_utf8_lossy(bytes);
        let doc =
            roxmltree::Document::parse_with_options(&xhtml, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        for node in doc.descendants().filter(|n| n.is_text()) {
            let tags: Vec<&str> =
                node.ancestors().filter(|a| a.is_element()).map(|a| a.tag_name().name()).collect();
            if !tags.contains(&"body") || tags.iter().any(|t| matches!(*t, "pre" | "code")) {
                continue;
            }
            let heading = tags.iter().any(|t| matches!(*t, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"));
            let bold = heading || tags.iter().any(|t| matches!(*t, "strong" | "b" | "th"));
            let italic = tags.iter().any(|t| matches!(*t, "em" | "i" | "figcaption"));
            let key = if heading {
                ("PT Sans".to_owned(), true, false)
            } else {
                ("PT Serif".to_owned(), bold, italic)
            };
            let font = fonts.get(&key).unwrap_or_else(|| panic!("no face for {key:?} in {faces:?}"));
            for c in node.text().unwrap_or("").chars().filter(|c| !matches!(c, '\n' | '\r' | '\t' | '\u{ad}'))
            {
                let outside = matches!(c, '☭' | '🎄');
                assert_eq!(font.charmap().map(c).is_some(), !outside, "{c:?} in {key:?} ({name})");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} characters checked");
    if common::validate::have("ots-sanitize") {
        for file in faces.values() {
            let path = book.root.join(file.replace('/', "-"));
            std::fs::write(&path, &files[&format!("EPUB/{file}")]).unwrap();
            let out = std::process::Command::new("ots-sanitize")
                .arg(&path)
                .arg(book.root.join("sanitized"))
                .output()
                .unwrap();
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && !said.contains("WARNING"), "{file}: {said}");
        }
    }
    // Off when asked.
    book.write("book.toml", format!("{manifest}embed-fonts = false\n"));
    book.run(["build"]).success();
    let files = entries(&book.read("out/e.epub"));
    assert!(!files.keys().any(|n| n.contains("fonts/")), "fonts under embed-fonts = false");
    assert!(!String::from_utf8_lossy(&files["EPUB/css/style.css"]).contains("@font-face"));
}

// Every file of every e-book keeps to what Send to Kindle, Adobe's RMSDK (Kobo,
// most e-ink readers) and KindleGen accept (the rules and their sources are in
// `samizdat::epub::compat`): the sample book, a Kazakh and Russian book with
// tables and notes, and a volume in parts (whose NCX would nest four deep).
#[test]
fn every_epub_keeps_to_what_reading_systems_accept() {
    let mut checked = 0;
    for book in [Book::sample(), Book::fixture("mixed"), Book::fixture("volume/twenty")] {
        let run = book.run(["build"]);
        let said = &run.success().stderr;
        assert!(!said.contains("Send to Kindle") && !said.contains("older engine"), "{said}");
        let epubs: Vec<_> = std::fs::read_dir(book.root.join("out"))
            .expect("out/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "epub"))
            .collect();
        assert!(!epubs.is_empty(), "no EPUB in {}", book.root.display());
        for epub in epubs {
            for (name, bytes) in entries(&std::fs::read(&epub).expect("read")) {
                let found = samizdat::epub::compat::check(&name, &bytes);
                assert!(found.is_empty(), "{}: {found:?}", epub.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} files checked");
}
