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

mod lang;

pub use crate::date::Date;
pub use crate::locale::Lang;

/// One statement: a Markdown file after parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path of the source as the user wrote it (relative to the book root), for messages.
    pub path: PathBuf,
    /// Plain-text title: the manifest override, the front matter, or the first `#` heading.
    pub title: String,
    /// A shorter title for running heads: the manifest entry's `running-head`, else
    /// the front matter's `short-title`; `None`: the title is shortened to fit.
    pub running_head: Option<String>,
    /// Language of the statement as a whole, decided by [`Document::resolve_languages`]:
    /// front matter `lang`, else the manifest entry's `lang`, else detection, else the
    /// book's `language`. Each block carries its own ([`Block::lang`]).
    pub lang: Lang,
    /// Date from the front matter, checked when read.
    pub date: Option<Date>,
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
        let date = self.date.map(|d| d.display(self.lang));
        let parts: Vec<&str> = [self.author.as_deref(), self.place.as_deref(), date.as_deref()]
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

    /// Numbers the notes in the order of their first call (notes written in place
    /// are numbered after the others when read): the body's calls first, then
    /// calls made inside notes. With `drop_uncalled`, a note no text calls any more
    /// (its call was in a block the medium leaves out) goes.
    pub fn renumber_notes(&mut self, drop_uncalled: bool) {
        let doc = self;
        /// Numbers in the order first called, without repeats.
        #[derive(Default)]
        struct Order(Vec<u32>, std::collections::BTreeSet<u32>);
        fn calls(inlines: &[Inline], order: &mut Order) {
            for i in inlines {
                match i {
                    Inline::FootnoteRef(n) => {
                        if order.1.insert(*n) {
                            order.0.push(*n);
                        }
                    }
                    _ => calls(i.children().unwrap_or_default(), order),
                }
            }
        }
        fn calls_in(blocks: &[Block], order: &mut Order) {
            for b in blocks {
                match &b.kind {
                    BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => calls(c, order),
                    BlockKind::List { items, .. } => items.iter().for_each(|i| calls_in(i, order)),
                    BlockKind::Quote(inner) => calls_in(inner, order),
                    BlockKind::Table(t) => t.cells().for_each(|cell| calls(&cell.content, order)),
                    BlockKind::Image(_) | BlockKind::Code(_) | BlockKind::Rule => {}
                }
            }
        }
        fn rewrite(inlines: &mut [Inline], new: &std::collections::BTreeMap<u32, u32>) {
            for i in inlines {
                match i {
                    Inline::FootnoteRef(n) => *n = new.get(n).copied().unwrap_or(*n),
                    _ => {
                        if let Some(c) = i.children_mut() {
                            rewrite(c, new);
                        }
                    }
                }
            }
        }
        fn rewrite_in(blocks: &mut [Block], new: &std::collections::BTreeMap<u32, u32>) {
            for b in blocks {
                match &mut b.kind {
                    BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => rewrite(c, new),
                    BlockKind::List { items, .. } => items.iter_mut().for_each(|i| rewrite_in(i, new)),
                    BlockKind::Quote(inner) => rewrite_in(inner, new),
                    BlockKind::Table(t) => t.cells_mut().for_each(|cell| rewrite(&mut cell.content, new)),
                    BlockKind::Image(_) | BlockKind::Code(_) | BlockKind::Rule => {}
                }
            }
        }
        let mut order = Order::default();
        calls_in(&doc.blocks, &mut order);
        let by_number: std::collections::BTreeMap<u32, usize> =
            doc.footnotes.iter().enumerate().map(|(i, f)| (f.number, i)).collect();
        let mut k = 0;
        while k < order.0.len() {
            if let Some(&i) = by_number.get(&order.0[k]) {
                calls_in(&doc.footnotes[i].blocks, &mut order);
            }
            k += 1;
        }
        if drop_uncalled {
            doc.footnotes.retain(|f| order.1.contains(&f.number));
        }
        for note in &doc.footnotes {
            if order.1.insert(note.number) {
                order.0.push(note.number);
            }
        }
        let new: std::collections::BTreeMap<u32, u32> =
            order.0.iter().enumerate().map(|(i, &old)| (old, i as u32 + 1)).collect();
        rewrite_in(&mut doc.blocks, &new);
        for note in &mut doc.footnotes {
            note.number = new.get(&note.number).copied().unwrap_or(note.number);
            rewrite_in(&mut note.blocks, &new);
        }
        doc.footnotes.sort_by_key(|f| f.number);
    }

    /// Numbers every block in reading order ([`Block::ordinal`]): the body's
    /// first, pre-order (a list, then the blocks of its items), then the notes'.
    pub fn number_blocks(&mut self) {
        fn walk(blocks: &mut [Block], next: &mut usize) {
            for b in blocks {
                b.ordinal = *next;
                *next += 1;
                match &mut b.kind {
                    BlockKind::List { items, .. } => items.iter_mut().for_each(|item| walk(item, next)),
                    BlockKind::Quote(inner) => walk(inner, next),
                    _ => {}
                }
            }
        }
        let mut next = 0;
        walk(&mut self.blocks, &mut next);
        for note in &mut self.footnotes {
            walk(&mut note.blocks, &mut next);
        }
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
    /// Language of the note: its own text's, else the language of the passage
    /// that first calls it.
    pub lang: Lang,
}

/// A block with the source range it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// What the block is.
    pub kind: BlockKind,
    /// Byte range in the document's source.
    pub span: Span,
    /// Language of the block, decided once by [`Document::resolve_languages`];
    /// every stage (typography, hyphenation, `xml:lang`, `/Lang`) reads it.
    pub lang: Lang,
    /// Place of the block in the statement's reading order, from 0, numbered once
    /// by [`Document::number_blocks`]: the PDF's page starts and the EPUB's
    /// page-list name blocks by it, so both must count alike.
    pub ordinal: usize,
    /// The language the source declares for it (a fenced div's `{lang=kk}`):
    /// it wins over detection in [`Document::resolve_languages`].
    pub lang_attr: Option<Lang>,
    /// The one output the block is for (a fenced div `.only-print`, `.only-epub`).
    pub only: Option<Medium>,
}

/// Print (the PDF outputs) or screen (the EPUB outputs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// PDF outputs.
    Print,
    /// EPUB outputs.
    Epub,
}

impl Block {
    /// A block whose language is not decided yet (the parser's; resolution follows).
    pub fn new(kind: BlockKind, span: Span) -> Block {
        Block { kind, span, lang: Lang::default(), ordinal: 0, lang_attr: None, only: None }
    }

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
                    for cell in t.cells() {
                        Inline::plain_text_into(&cell.content, out);
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
        /// A `{lang=kk}` attribute: the language of this heading and of its section
        /// (what follows it up to the next heading of the same or a higher level).
        lang_attr: Option<Lang>,
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
    /// Alternative text; empty when the author gave none (a warning is issued)
    /// or marked the picture decorative.
    pub alt: String,
    /// Marked `{.decorative}`: an ornament with nothing to describe, which
    /// assistive technology skips (an artifact in the PDF, `alt=""` in the EPUB).
    pub decorative: bool,
    /// Optional title, used as a caption.
    pub title: Option<String>,
    /// Width as a share of the text's (`{width=50%}`), when the source gives one.
    pub width: Option<f64>,
    /// Byte offset of the path in the document's source, for messages about the file.
    pub src_at: usize,
    /// The file was not found and the book allows that (`missing-images = "warn"`):
    /// the PDF leaves the image out, the EPUB shows its description as a line.
    pub missing: bool,
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
    pub header: Vec<Cell>,
    /// Body rows of cells.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// Every cell, the header's first, row by row.
    pub fn cells(&self) -> impl Iterator<Item = &Cell> {
        self.header.iter().chain(self.rows.iter().flatten())
    }

    /// Every cell, mutable, in the order of [`Table::cells`].
    pub fn cells_mut(&mut self) -> impl Iterator<Item = &mut Cell> {
        self.header.iter_mut().chain(self.rows.iter_mut().flatten())
    }

    /// Number of columns: the widest of the alignment row, the header and the body.
    pub fn columns(&self) -> usize {
        self.aligns.len().max(self.header.len()).max(self.rows.iter().map(Vec::len).max().unwrap_or(0))
    }

    /// Whether column `c` holds figures: every body cell is a number (with its
    /// sign, group spaces, decimal comma or point, per cent or currency sign) or a
    /// placeholder dash, and at least one is a number.
    pub fn numeric(&self, c: usize) -> bool {
        let mut any = false;
        for row in &self.rows {
            let text = row.get(c).map(|cell| Inline::plain_text(&cell.content)).unwrap_or_default();
            match number_shape(&text) {
                Some(true) => any = true,
                Some(false) => {}
                None => return false,
            }
        }
        any
    }

    /// How column `c` is aligned: as the Markdown says, and a column of figures
    /// without an alignment to the right, as book tables set them (the PDF also
    /// lines them up on the decimal separator). The first column is the stub that
    /// names the rows (years, numbers of items), left as text.
    pub fn align(&self, c: usize) -> Align {
        match self.aligns.get(c).copied().unwrap_or_default() {
            Align::None if c > 0 && self.numeric(c) => Align::Right,
            a => a,
        }
    }
}

/// `Some(true)` for a number as tables print them (`1 204`, `−1,5`, `64 %`,
/// `+3.2`, `500 ₽`), `Some(false)` for an empty cell or a dash standing for
/// nothing, `None` for anything else.
fn number_shape(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.is_empty() || matches!(t, "—" | "–" | "-" | "−" | "…" | "×" | "н/д" | "n/a") {
        return Some(false);
    }
    let chars: Vec<char> = t.chars().collect();
    let mut digits = 0;
    for (k, &ch) in chars.iter().enumerate() {
        let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
        let ok = match ch {
            '0'..='9' => {
                digits += 1;
                true
            }
            '+' | '−' | '-' | '–' | '±' | '~' | '≈' | '<' | '>' | '≤' | '≥' => k == 0,
            ',' | '.' => k > 0 && digit_at(k - 1) && digit_at(k + 1),
            ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' => true,
            '%' | '‰' | '₽' | '₸' | '$' | '€' | '£' => true,
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    (digits > 0).then_some(true)
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// The cell's text.
    pub content: Vec<Inline>,
    /// Its language, decided with the block's.
    pub lang: Lang,
}

impl Cell {
    /// A cell whose language is not decided yet.
    pub fn new(content: Vec<Inline>) -> Cell {
        Cell { content, lang: Lang::default() }
    }
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
    /// Struck-out text (`~~x~~`, `<s>`, `<del>`): a correction the statement shows.
    Strike(Vec<Inline>),
    /// Superscript (`<sup>` in a web export, `^x^`): set smaller and raised.
    Sup(Vec<Inline>),
    /// Subscript (`<sub>`, `~x~`): set smaller and lowered.
    Sub(Vec<Inline>),
    /// A passage in another language (`[текст]{lang=kk}`, `<span lang="kk">`):
    /// hyphenated by its own rules, marked with `xml:lang` in the EPUB.
    Span {
        /// The passage's language.
        lang: Lang,
        /// Its text.
        content: Vec<Inline>,
    },
    /// A call to footnote `number` of this document.
    FootnoteRef(u32),
    /// A hard line break (two trailing spaces or a backslash at line end).
    LineBreak,
}

impl Inline {
    /// The inlines an inline contains (emphasis, links, spans and the like), if any.
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Span { content: c, .. }
            | Inline::Link { content: c, .. } => Some(c),
            Inline::Text(_) | Inline::Code(_) | Inline::FootnoteRef(_) | Inline::LineBreak => None,
        }
    }

    /// The inlines an inline contains, mutable.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::Span { content: c, .. }
            | Inline::Link { content: c, .. } => Some(c),
            Inline::Text(_) | Inline::Code(_) | Inline::FootnoteRef(_) | Inline::LineBreak => None,
        }
    }

    /// Appends the plain text of inlines to `out` (footnote calls become their number).
    pub fn plain_text_into(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::FootnoteRef(n) => out.push_str(&n.to_string()),
                Inline::LineBreak => out.push(' '),
                _ => Inline::plain_text_into(i.children().unwrap_or_default(), out),
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
    /// Main language of the book, and the language of a statement whose own
    /// cannot be told.
    pub lang: Lang,
    /// Publication date.
    pub date: Option<Date>,
    /// Publisher.
    pub publisher: Option<String>,
    /// Rights or licence line, printed in the imprint (`dc:rights` in the EPUB).
    pub rights: Option<String>,
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

impl Book {
    /// The book as one medium shows it: without the blocks meant only for the
    /// other (`.only-print`, `.only-epub`). Blocks keep their ordinals, so print
    /// pages still name the same blocks. Borrowed when no block is so marked.
    pub fn for_medium(&self, medium: Medium) -> std::borrow::Cow<'_, Book> {
        fn marked(blocks: &[Block]) -> bool {
            blocks.iter().any(|b| {
                b.only.is_some()
                    || match &b.kind {
                        BlockKind::List { items, .. } => items.iter().any(|i| marked(i)),
                        BlockKind::Quote(inner) => marked(inner),
                        _ => false,
                    }
            })
        }
        fn keep(blocks: &mut Vec<Block>, medium: Medium) {
            blocks.retain(|b| b.only.is_none_or(|m| m == medium));
            for b in blocks {
                match &mut b.kind {
                    BlockKind::List { items, .. } => items.iter_mut().for_each(|i| keep(i, medium)),
                    BlockKind::Quote(inner) => keep(inner, medium),
                    _ => {}
                }
            }
        }
        let any =
            self.documents.iter().any(|d| marked(&d.blocks) || d.footnotes.iter().any(|f| marked(&f.blocks)));
        if !any {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut book = self.clone();
        for doc in &mut book.documents {
            keep(&mut doc.blocks, medium);
            for note in &mut doc.footnotes {
                keep(&mut note.blocks, medium);
            }
            // The notes called only from the blocks left out go too; the rest are numbered afresh.
            doc.renumber_notes(true);
        }
        std::borrow::Cow::Owned(book)
    }
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

    // Columns of figures are told from text: group spaces, signs, decimal commas,
    // per cent and currency signs and placeholder dashes are figures; one word is not.
    #[test]
    fn figures_columns_are_right_aligned_but_the_stub() {
        let cell = |t: &str| Cell::new(vec![Inline::Text(t.into())]);
        let row = |v: &[&str]| v.iter().map(|t| cell(t)).collect::<Vec<_>>();
        let table = Table {
            aligns: vec![Align::None, Align::None, Align::None, Align::Center, Align::None],
            header: row(&["Год", "Сумма", "Рост", "Доля", "Цех"]),
            rows: vec![
                row(&["2024", "1\u{a0}204,5 ₽", "−1,5 %", "12", "Литейный"]),
                row(&["2025", "—", "+3.25", "7", "№ 7"]),
            ],
        };
        assert_eq!(table.columns(), 5);
        let numeric: Vec<bool> = (0..5).map(|c| table.numeric(c)).collect();
        assert_eq!(numeric, [true, true, true, true, false]);
        let aligns: Vec<Align> = (0..5).map(|c| table.align(c)).collect();
        assert_eq!(aligns, [Align::None, Align::Right, Align::Right, Align::Center, Align::None]);
        for text in ["12a", "1,", ",5", "—"] {
            let t = Table { aligns: vec![], header: vec![], rows: vec![row(&["x", text])] };
            assert!(!t.numeric(1), "{text:?} counted as a figure");
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

    // A medium's view leaves out the other's blocks and the notes only they call, and
    // numbers the remaining notes without a gap.
    #[test]
    fn a_medium_keeps_its_own_notes() {
        let para = |inlines: Vec<Inline>| Block::new(BlockKind::Paragraph(inlines), 0..0);
        let call = |n| vec![Inline::Text("а".into()), Inline::FootnoteRef(n)];
        let mut print_only = para(call(2));
        print_only.only = Some(Medium::Print);
        let note = |n: u32| Footnote {
            number: n,
            label: n.to_string(),
            blocks: vec![para(vec![Inline::Text(format!("n{n}"))])],
            lang: Lang::Ru,
        };
        let doc = Document {
            path: PathBuf::from("a.md"),
            title: String::new(),
            running_head: None,
            lang: Lang::Ru,
            date: None,
            author: None,
            place: None,
            slug: "a".into(),
            blocks: vec![para(call(1)), print_only, para(call(3))],
            footnotes: vec![note(1), note(2), note(3)],
        };
        let book = Book { documents: vec![doc], ..Book::default() };
        assert!(matches!(book.for_medium(Medium::Print), std::borrow::Cow::Owned(_)));
        let screen = book.for_medium(Medium::Epub);
        let doc = &screen.documents[0];
        assert_eq!(doc.blocks.len(), 2);
        let texts: Vec<(u32, String)> = doc
            .footnotes
            .iter()
            .map(|f| {
                (
                    f.number,
                    Inline::plain_text(match &f.blocks[0].kind {
                        BlockKind::Paragraph(p) => p,
                        _ => panic!(),
                    }),
                )
            })
            .collect();
        assert_eq!(texts, [(1, "n1".to_string()), (2, "n3".to_string())]);
        assert_eq!(doc.blocks[1].kind, BlockKind::Paragraph(call(2)));
        // Nothing marked: the book itself.
        let plain = Book {
            documents: vec![Document { blocks: vec![para(call(1))], ..screen.documents[0].clone() }],
            ..Book::default()
        };
        assert!(matches!(plain.for_medium(Medium::Print), std::borrow::Cow::Borrowed(_)));
    }

    // Blocks are numbered once, pre-order, the body before the notes.
    #[test]
    fn blocks_numbered_in_reading_order() {
        let para = || Block::new(BlockKind::Paragraph(vec![Inline::Text("а".into())]), 0..0);
        let list = Block::new(
            BlockKind::List { start: None, items: vec![vec![para()], vec![para(), para()]] },
            0..0,
        );
        let quote = Block::new(BlockKind::Quote(vec![para()]), 0..0);
        let mut doc = Document {
            path: PathBuf::from("a.md"),
            title: String::new(),
            running_head: None,
            lang: Lang::Ru,
            date: None,
            author: None,
            place: None,
            slug: "a".into(),
            blocks: vec![para(), list, quote, para()],
            footnotes: vec![Footnote { number: 1, label: "1".into(), blocks: vec![para()], lang: Lang::Ru }],
        };
        doc.number_blocks();
        let mut seen = Vec::new();
        fn walk(blocks: &[Block], seen: &mut Vec<usize>) {
            for b in blocks {
                seen.push(b.ordinal);
                match &b.kind {
                    BlockKind::List { items, .. } => items.iter().for_each(|i| walk(i, seen)),
                    BlockKind::Quote(inner) => walk(inner, seen),
                    _ => {}
                }
            }
        }
        walk(&doc.blocks, &mut seen);
        walk(&doc.footnotes[0].blocks, &mut seen);
        assert_eq!(seen, (0..9).collect::<Vec<_>>());
    }
}
