//! The document model: what a Markdown statement means, independent of how it
//! is printed. `markdown::parse` produces it, `typography` normalises it, and
//! both `layout` (PDF) and `epub` read it.
//!
//! Every block keeps the byte range of its source so diagnostics can point at
//! `file:line:column`.

use std::ops::Range;
use std::path::PathBuf;

/// A byte range in a document's Markdown source.
pub type Span = Range<usize>;

/// The languages samizdat typesets with their own rules. A closed set: each
/// has hyphenation patterns and typographic rules of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Lang {
    /// Russian.
    #[default]
    Ru,
    /// Kazakh (Cyrillic script).
    Kk,
    /// English and other Latin-script text.
    En,
}

impl Lang {
    /// The BCP 47 tag written into `xml:lang`, `dc:language` and the PDF `/Lang`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }

    /// Parses a language tag such as `ru`, `kk-KZ` or `en-GB`; `None` when the
    /// primary subtag is not one samizdat knows.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Some(Lang::Ru),
            "kk" => Some(Lang::Kk),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Guesses the language of a text: Cyrillic in which Kazakh-only letters
    /// make up at least [`KAZAKH_SHARE`] of the letters is Kazakh, other Cyrillic
    /// is Russian, anything else English. A short Cyrillic text with any
    /// Kazakh-only letter is Kazakh.
    pub fn detect(text: &str) -> Lang {
        let (kazakh, cyrillic, latin) = letter_counts(text);
        if cyrillic == 0 || cyrillic < latin / 4 {
            return Lang::En;
        }
        let share = kazakh as f64 / cyrillic as f64;
        if share >= KAZAKH_SHARE || (kazakh > 0 && cyrillic < SHORT_TEXT) { Lang::Kk } else { Lang::Ru }
    }

    /// The language of one paragraph of a text in `self`: a Russian statement may
    /// quote a Kazakh paragraph and the other way round, and each is hyphenated
    /// and normalised by its own rules. Latin-script text and paragraphs too
    /// short to judge keep the surrounding language.
    pub fn of_paragraph(self, inlines: &[Inline]) -> Lang {
        if self == Lang::En {
            return self;
        }
        let (mut kazakh, mut cyrillic) = (0, 0);
        count_letters(inlines, &mut kazakh, &mut cyrillic);
        if cyrillic < SHORT_TEXT {
            return self;
        }
        if kazakh as f64 / cyrillic as f64 >= KAZAKH_SHARE { Lang::Kk } else { Lang::Ru }
    }
}

/// Share of Kazakh-only letters (ә ғ қ ң ө ұ ү һ і) among Cyrillic letters above
/// which a text is Kazakh. Running Kazakh prose has 6–10 %; a Russian text that
/// quotes a Kazakh name or one Kazakh paragraph stays well under 3 %.
pub const KAZAKH_SHARE: f64 = 0.03;

/// Texts with fewer Cyrillic letters than this are too short to judge by share.
const SHORT_TEXT: usize = 40;

/// Adds the Kazakh-only and all Cyrillic letters of the inlines' text (what
/// [`Inline::plain_text_into`] would give, without building it: footnote
/// numbers and line breaks hold no letters).
fn count_letters(inlines: &[Inline], kazakh: &mut usize, cyrillic: &mut usize) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => {
                let (k, c, _) = letter_counts(t);
                *kazakh += k;
                *cyrillic += c;
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                count_letters(c, kazakh, cyrillic)
            }
            Inline::FootnoteRef(_) | Inline::LineBreak => {}
        }
    }
}

/// Counts Kazakh-only, all Cyrillic and ASCII Latin letters. Works on the UTF-8
/// bytes: the Cyrillic block U+0400–U+04FF is exactly the two-byte sequences led
/// by 0xD0–0xD3, and a lead byte never occurs inside another character, so each
/// byte and its successor are looked at as a pair, without decoding. Counting
/// in blocks of 128 into byte-sized counters lets the compiler vectorise the
/// loop (about 4 instructions a byte against 19 for a loop over characters;
/// every paragraph is counted by typography, layout and the EPUB writer).
fn letter_counts(text: &str) -> (usize, usize, usize) {
    let bytes = text.as_bytes();
    let Some(&last) = bytes.last() else { return (0, 0, 0) };
    let cyrillic_lead = |b: u8| b & 0xFC == 0xD0;
    let ascii_letter = |b: u8| (b | 0x20).wrapping_sub(b'a') < 26;
    let (mut kazakh, mut cyrillic, mut latin) = (0, 0, 0);
    let (leads, nexts) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    for (leads, nexts) in leads.chunks(128).zip(nexts.chunks(128)) {
        let (mut k, mut c, mut l) = (0u8, 0u8, 0u8);
        for (&x, &y) in leads.iter().zip(nexts) {
            c += u8::from(cyrillic_lead(x));
            l += u8::from(ascii_letter(x));
            // Kazakh's own letters come in upper/lower pairs differing in the last bit:
            // І і (D0 86, D1 96), Ғғ Ққ Ңң Үү Ұұ Һһ (D2 92…BB), Әә Өө (D3 98, D3 A8).
            let pair = y & 0xFE;
            let own = (x == 0xD0 && y == 0x86)
                || (x == 0xD1 && y == 0x96)
                || (x == 0xD2 && matches!(pair, 0x92 | 0x9A | 0xA2 | 0xAE | 0xB0 | 0xBA))
                || (x == 0xD3 && matches!(pair, 0x98 | 0xA8));
            k += u8::from(own);
        }
        kazakh += usize::from(k);
        cyrillic += usize::from(c);
        latin += usize::from(l);
    }
    cyrillic += usize::from(cyrillic_lead(last));
    latin += usize::from(ascii_letter(last));
    (kazakh, cyrillic, latin)
}

/// One statement: a Markdown file after parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path of the source as the user wrote it (relative to the book root), for messages.
    pub path: PathBuf,
    /// Plain-text title: the manifest override, the front matter, or the first `#` heading.
    pub title: String,
    /// Language of the body text.
    pub lang: Lang,
    /// Date from the front matter, as written (ISO `YYYY-MM-DD` recommended).
    pub date: Option<String>,
    /// Author from the front matter.
    pub author: Option<String>,
    /// Where the statement was made (`place` in the front matter), printed with the date.
    pub place: Option<String>,
    /// A short stable name used for file names and anchors (from the file stem).
    pub slug: String,
    /// The body.
    pub blocks: Vec<Block>,
    /// Footnotes in the order of their first call, numbered from 1.
    pub footnotes: Vec<Footnote>,
}

impl Document {
    /// The line printed under the title: author, place and date, when given.
    pub fn byline(&self) -> Option<String> {
        let parts: Vec<&str> = [self.author.as_deref(), self.place.as_deref(), self.date.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// All images the document refers to, in reading order (block images only).
    pub fn images(&self) -> Vec<&ImageRef> {
        fn walk<'a>(blocks: &'a [Block], out: &mut Vec<&'a ImageRef>) {
            for b in blocks {
                match &b.kind {
                    BlockKind::Image(img) => out.push(img),
                    BlockKind::List { items, .. } => {
                        for item in items {
                            walk(item, out);
                        }
                    }
                    BlockKind::Quote(inner) => walk(inner, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.blocks, &mut out);
        for f in &self.footnotes {
            walk(&f.blocks, &mut out);
        }
        out
    }
}

/// A footnote definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    /// Number shown at the call and in the note, from 1 per document.
    pub number: u32,
    /// The label used in the Markdown source (`[^label]`).
    pub label: String,
    /// Content of the note.
    pub blocks: Vec<Block>,
}

/// A block with the source range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What the block is.
    pub kind: BlockKind,
    /// Byte range in the document's source.
    pub span: Span,
}

impl Block {
    /// Appends the plain text of blocks to `out`, one space after each block: paragraphs,
    /// headings, list items, quotes, code, table cells and image captions. For language
    /// detection, glyph coverage checks and notes set as plain text.
    pub fn plain_text_into(blocks: &[Block], out: &mut String) {
        for b in blocks {
            match &b.kind {
                BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => {
                    Inline::plain_text_into(c, out)
                }
                BlockKind::List { items, .. } => items.iter().for_each(|i| Block::plain_text_into(i, out)),
                BlockKind::Quote(inner) => Block::plain_text_into(inner, out),
                BlockKind::Code(t) => out.push_str(t),
                BlockKind::Table(t) => {
                    for cell in std::iter::once(&t.header).chain(&t.rows).flatten() {
                        Inline::plain_text_into(cell, out);
                        out.push(' ');
                    }
                }
                BlockKind::Image(i) => out.push_str(i.title.as_deref().unwrap_or_default()),
                BlockKind::Rule => {}
            }
            out.push(' ');
        }
    }
}

/// The kinds of block a statement can contain.
#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// A heading, level 1–6. The first level-1 heading is the statement's title.
    Heading {
        /// 1 for `#`, 2 for `##`, …
        level: u8,
        /// Heading text.
        content: Vec<Inline>,
        /// An explicit `{#id}` from heading attributes.
        id: Option<String>,
        /// A `{lang=kk}` attribute switching the language of this heading and what follows it.
        lang: Option<Lang>,
    },
    /// A paragraph of running text.
    Paragraph(Vec<Inline>),
    /// An image standing alone in its paragraph.
    Image(ImageRef),
    /// A numbered (`start` is `Some`) or bulleted list; each item is a list of blocks.
    List {
        /// The first number of an ordered list, `None` for a bulleted list.
        start: Option<u64>,
        /// The items.
        items: Vec<Vec<Block>>,
    },
    /// A block quote.
    Quote(Vec<Block>),
    /// Preformatted text from a fenced or indented code block.
    Code(String),
    /// A GFM table.
    Table(Table),
    /// A thematic break (`***`).
    Rule,
}

/// A block image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageRef {
    /// The path as written in the Markdown (`img/photo.jpg`).
    pub src: String,
    /// The path resolved against the document's folder.
    pub path: PathBuf,
    /// Alternative text; empty when the author gave none (a warning is issued).
    pub alt: String,
    /// Optional title, used as a caption.
    pub title: Option<String>,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// No alignment given: left for text.
    #[default]
    None,
    /// `:---`
    Left,
    /// `:---:`
    Center,
    /// `---:`
    Right,
}

/// A GFM table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Alignment of each column.
    pub aligns: Vec<Align>,
    /// Header cells.
    pub header: Vec<Vec<Inline>>,
    /// Body rows of cells.
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// Inline content of a paragraph, heading, list item or table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Plain text, backslash escapes already resolved.
    Text(String),
    /// `*emphasis*`, set in italics.
    Emph(Vec<Inline>),
    /// `**strong**`, set in bold.
    Strong(Vec<Inline>),
    /// `` `code` ``.
    Code(String),
    /// A hyperlink.
    Link {
        /// Target URL.
        url: String,
        /// Link text.
        content: Vec<Inline>,
    },
    /// A call to footnote `number` of this document.
    FootnoteRef(u32),
    /// A hard line break (two trailing spaces or a backslash at line end).
    LineBreak,
}

impl Inline {
    /// Appends the plain text of inlines to `out` (footnote calls become their number).
    pub fn plain_text_into(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Emph(c) | Inline::Strong(c) | Inline::Link { content: c, .. } => {
                    Inline::plain_text_into(c, out)
                }
                Inline::FootnoteRef(n) => out.push_str(&n.to_string()),
                Inline::LineBreak => out.push(' '),
            }
        }
    }

    /// The address a reader of a printed copy needs to see after a link's text:
    /// web and mail links whose text is not already the address. Both writers
    /// print it in parentheses, so the PDF and the EPUB carry the same words.
    pub fn shown_url<'a>(url: &'a str, content: &[Inline]) -> Option<&'a str> {
        let shown = url.strip_prefix("mailto:").unwrap_or(url);
        let web = ["http://", "https://", "ftp://"].iter().any(|p| url.starts_with(p));
        if !web && !url.starts_with("mailto:") {
            return None;
        }
        let text = Inline::plain_text(content);
        let bare = |s: &str| s.trim().trim_end_matches('/').to_lowercase();
        let same = bare(&text) == bare(shown)
            || bare(&text) == bare(shown.split_once("://").map_or(shown, |(_, rest)| rest));
        (!same).then_some(shown)
    }

    /// The plain text of inlines.
    pub fn plain_text(inlines: &[Inline]) -> String {
        let mut s = String::new();
        Inline::plain_text_into(inlines, &mut s);
        s
    }
}

/// Book-level metadata shared by every output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BookMeta {
    /// Book title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// Authors in manifest order.
    pub authors: Vec<String>,
    /// Main language of the book.
    pub lang: Lang,
    /// Publication date as written (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Unique identifier (`urn:uuid:…`, ISBN, …).
    pub identifier: String,
}

/// A whole book: metadata and the statements in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Book {
    /// Metadata.
    pub meta: BookMeta,
    /// The statements.
    pub documents: Vec<Document>,
    /// Parts grouping consecutive statements; empty for a book without parts.
    pub parts: Vec<Part>,
}

/// A page of the print edition, placed in the text so that an e-book can show
/// and cite print page numbers (the EPUB `page-list`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageMark {
    /// The page's label as printed (`iii`, `17`).
    pub label: String,
    /// Index of the statement the page begins in; `None` for the front matter.
    pub doc: Option<usize>,
    /// Ordinal of the block the page begins in, counting every block of the
    /// statement in reading order (a list, then the blocks of its items), from 0.
    pub block: usize,
    /// Characters of the paragraph's Text and Code inlines before the page's first word.
    pub offset: usize,
}

/// A part of a collected volume: a title over a run of consecutive statements.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Title of the part.
    pub title: String,
    /// Indices into [`Book::documents`].
    pub documents: Range<usize>,
}

/// The encoding of an image file, from its content (not its extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImageFormat {
    /// JPEG: passed through to PDF and EPUB unchanged.
    Jpeg,
    /// PNG.
    Png,
}

impl ImageFormat {
    /// The media type written into the EPUB manifest.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }

    /// The file extension used inside the EPUB.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
        }
    }
}

/// An image file read and checked by the driver, shared by both writers.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageAsset {
    /// Encoding, sniffed from the bytes.
    pub format: ImageFormat,
    /// Width in pixels (after EXIF orientation).
    pub width: u32,
    /// Height in pixels (after EXIF orientation).
    pub height: u32,
    /// The file's bytes, unchanged.
    pub bytes: std::sync::Arc<Vec<u8>>,
}

/// Images of a book keyed by their resolved path ([`ImageRef::path`]); ordered so
/// that iteration into output is deterministic.
pub type Images = std::collections::BTreeMap<PathBuf, ImageAsset>;

#[cfg(test)]
mod tests {
    use super::*;

    // A Russian statement quoting one Kazakh paragraph stays Russian; that paragraph is Kazakh.
    #[test]
    fn mixed_statement_languages() {
        let ru = "Мы, жители микрорайона, обращаемся к депутатам городской думы с просьбой сохранить парк. ";
        let kk =
            "Біз қаланың тұрғындары ретінде саябақты сақтап қалуды сұраймыз, бұл біздің ортақ құқығымыз. ";
        let doc = format!("{}{}", ru.repeat(8), kk);
        assert_eq!(Lang::detect(&doc), Lang::Ru);
        assert_eq!(Lang::Ru.of_paragraph(&[Inline::Text(kk.repeat(2))]), Lang::Kk);
        assert_eq!(Lang::Kk.of_paragraph(&[Inline::Text(ru.to_string())]), Lang::Ru);
        assert_eq!(Lang::Kk.of_paragraph(&[Inline::Text("Да.".into())]), Lang::Kk);
    }

    // Language detection follows the rule the CLI documents for single files.
    #[test]
    fn detects_language() {
        assert_eq!(Lang::detect("Біз бірге боламыз"), Lang::Kk);
        assert_eq!(Lang::detect("Мы будем вместе"), Lang::Ru);
        assert_eq!(Lang::detect("We stand together"), Lang::En);
        assert_eq!(Lang::detect("Заявление от 1 мая (May Day)"), Lang::Ru);
        // The byte-level count agrees with one over characters on every code point to U+05FF.
        for c in (0u32..0x600).filter_map(char::from_u32) {
            let s = format!("a{c}b{c}");
            let kazakh = "ӘәҒғҚқҢңӨөҰұҮүҺһІі".contains(c) as usize * 2;
            let cyrillic = ('\u{400}'..='\u{4FF}').contains(&c) as usize * 2;
            let latin = 2 + c.is_ascii_alphabetic() as usize * 2;
            assert_eq!(letter_counts(&s), (kazakh, cyrillic, latin), "U+{:04X}", c as u32);
        }
    }

    // A link's address is shown unless its text already is the address.
    #[test]
    fn shown_url_only_when_text_differs() {
        let text = |t: &str| vec![Inline::Text(t.into())];
        assert_eq!(Inline::shown_url("https://e.org/a", &text("сайт")), Some("https://e.org/a"));
        assert_eq!(Inline::shown_url("https://e.org/a", &text("e.org/a")), None);
        assert_eq!(Inline::shown_url("mailto:a@e.org", &text("напишите")), Some("a@e.org"));
        assert_eq!(Inline::shown_url("chapter2.md", &text("глава")), None);
    }

    // Tags with region subtags map to their primary language.
    #[test]
    fn parses_tags() {
        assert_eq!(Lang::from_tag("kk-KZ"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("de"), None);
    }
}
