//! Layout: a [`Book`] → pages of positioned glyph runs, images and rules.
//!
//! The steps follow Typst's inline layout: `paragraph` collects a paragraph's
//! inlines into styled fragments, shapes and hyphenates them into Knuth–Plass
//! items, and breaks them into line boxes (`linebreak`); `flow` turns blocks
//! into a vertical list of lines, gaps and images; `pages` distributes that
//! list over pages (widows, orphans, keep-with-next, footnotes, running heads).
//!
//! Coordinates are in points from the top-left corner of the page, y down.

pub mod audit;
pub mod barcode;
pub mod cover;
mod display;
pub mod fit;
mod flow;
pub mod front;
mod furniture;
pub mod linebreak;
mod pages;
mod paragraph;
pub mod style;

use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;

use crate::fonts::{FaceId, FontSet};
use crate::manifest::PdfSettings;
use crate::model::{Book, Images, Lang};
use crate::units::{Em, Pt};

/// Page geometry and type sizes for one PDF output.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutOptions {
    /// The PDF output's settings as the manifest resolved them: page, margins,
    /// type size and leading (the copyfitted ones when fitting), running heads,
    /// columns. Layout reads them here, so a new setting needs no copy.
    pub pdf: PdfSettings,
    /// A collected volume: title page and contents in front (roman folios).
    pub front_matter: bool,
    /// Statements (and parts) start on a right-hand page.
    pub start_recto: bool,
}

impl LayoutOptions {
    /// Options for one PDF output, a single statement's (no front matter, any start).
    pub fn new(pdf: PdfSettings) -> LayoutOptions {
        LayoutOptions { pdf, front_matter: false, start_recto: false }
    }

    /// Body font size.
    pub fn font_size(&self) -> Pt {
        self.pdf.font_size
    }

    /// Baseline-to-baseline distance of body text.
    pub fn leading(&self) -> Pt {
        self.pdf.line_height
    }

    /// Inner margin (binding side: left on right-hand pages), binding offset included.
    pub fn margin_inner(&self) -> Pt {
        self.pdf.margins.inner + self.pdf.binding_offset
    }

    /// Width of the text block.
    pub fn text_width(&self) -> Pt {
        self.pdf.page.width - self.margin_inner() - self.pdf.margins.outer
    }

    /// Width of one column: the measure of body text, footnotes and images.
    /// With one column it is the text block's width.
    pub fn column_width(&self) -> Pt {
        let n = self.pdf.columns.max(1);
        (self.text_width() - self.pdf.gutter() * (n - 1) as f64) / n as f64
    }

    /// Height of the text block.
    pub fn text_height(&self) -> Pt {
        self.pdf.page.height - self.pdf.margins.top - self.pdf.margins.bottom
    }
}

/// The laid-out book.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Pages in order.
    pub pages: Vec<Page>,
    /// Titles and headings with the page they start on, for the PDF outline.
    /// Level 0 is a part, 1 a statement title, 2 and deeper its headings.
    pub outline: Vec<OutlineEntry>,
    /// Where each page's text begins in the statements, for the EPUB page list.
    pub page_starts: Vec<PageStart>,
    /// The logical structure of what the pages draw (the tagged PDF's structure
    /// tree): element 0 is the document, every other names its parent, and
    /// siblings read in the order of their indices. Pages point into it with
    /// their [`Page::marks`].
    pub structure: Vec<StructNode>,
    /// Last identity handed out to a paragraph-like group of lines (see [`LineRecord::para`]).
    next_id: usize,
}

/// How a page is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageLabel {
    /// Front matter: i, ii, iii…
    Roman(usize),
    /// Body: 1, 2, 3…
    Arabic(usize),
}

impl std::fmt::Display for PageLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageLabel::Roman(n) => write!(f, "{}", front::roman(*n)),
            PageLabel::Arabic(n) => write!(f, "{n}"),
        }
    }
}

/// The place in a statement where a page's text begins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStart {
    /// Index of the page.
    pub page: usize,
    /// Index of the statement in [`Book::documents`]; `None` for the front matter.
    pub doc: Option<usize>,
    /// Ordinal of the block the page begins in, counting every block of the
    /// statement in reading order (pre-order: a list, then its items' blocks), from 0.
    pub block: usize,
    /// When the page begins inside a paragraph: the characters of the paragraph's
    /// text (its Text and Code inlines) before the page's first word; else 0.
    pub offset: usize,
}

/// One entry of the document outline.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// 1 for statement titles, 2 and deeper for headings.
    pub level: u8,
    /// Plain text of the title.
    pub title: String,
    /// Index of the page (from 0).
    pub page: usize,
    /// Top of the heading on that page.
    pub y: Pt,
}

/// One page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Trimmed width.
    pub width: Pt,
    /// Trimmed height.
    pub height: Pt,
    /// Position in the file, from 1 (odd = right-hand page).
    pub number: usize,
    /// The page's label (PDF page labels, the folio, the EPUB page list).
    pub label: PageLabel,
    /// Language of the page's main text, for the line dump.
    pub lang: Lang,
    /// What is drawn.
    pub items: Vec<Item>,
    /// Body line boxes on this page, for the layout dump and tests.
    pub lines: Vec<LineRecord>,
    /// What the items are, in stretches: from the item at the index given on to
    /// the next entry's, the items belong to the mark. Items before the first
    /// entry are artifacts.
    pub marks: Vec<(u32, Mark)>,
}

impl Page {
    /// Marks the items pushed from now on.
    pub fn tag(&mut self, mark: Mark) {
        let at = self.items.len() as u32;
        match self.marks.last_mut() {
            Some((_, last)) if *last == mark => {}
            Some((i, last)) if *i == at => *last = mark,
            _ => self.marks.push((at, mark)),
        }
    }
}

/// What a stretch of a page's items is: part of the book's content (an element
/// of [`Layout::structure`]) or an artifact, drawn but not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Content of the structure element with this index.
    Node(u32),
    /// Not content.
    Artifact(Artifact),
}

/// Kinds of artifact, as PDF names them (ISO 32000-1, 14.8.2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// A running head.
    Header,
    /// A folio at the foot.
    Footer,
    /// Rules, separators, dot leaders, a table header repeated on a new page.
    Layout,
}

/// An element of the logical structure.
#[derive(Debug, Clone, PartialEq)]
pub struct StructNode {
    /// What it is.
    pub role: Role,
    /// Its parent's index; `None` for the document.
    pub parent: Option<u32>,
    /// The language of its text (the model's, decided once).
    pub lang: Lang,
    /// Alternative text (a figure's description).
    pub alt: Option<String>,
}

/// Roles of structure elements: the standard structure types of ISO 32000-1, 14.8.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole book.
    Document,
    /// A part of a volume, with its statements.
    Part,
    /// A statement, the title pages.
    Sect,
    /// A grouping with no meaning of its own (a table set as records).
    Div,
    /// A heading of level 1–6.
    H(u8),
    /// A paragraph (a code block's lines too).
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's marker.
    Lbl,
    /// A list item's body.
    LBody,
    /// A block quote.
    BlockQuote,
    /// A table.
    Table,
    /// A table's header rows.
    THead,
    /// A table's body rows.
    TBody,
    /// A table row.
    TR,
    /// A header cell (its column's heading).
    TH,
    /// A data cell.
    TD,
    /// A picture.
    Figure,
    /// A picture's caption.
    Caption,
    /// A footnote.
    Note,
    /// A footnote's call in the text.
    Reference,
    /// The table of contents.
    TOC,
    /// An entry of the contents.
    TOCI,
}

impl Layout {
    /// Appends a structure element under `parent` (the document when the
    /// structure is still empty) and returns its index.
    pub fn node(&mut self, role: Role, parent: u32, lang: Lang) -> u32 {
        if self.structure.is_empty() {
            self.structure.push(StructNode { role: Role::Document, parent: None, lang, alt: None });
        }
        self.structure.push(StructNode { role, parent: Some(parent), lang, alt: None });
        (self.structure.len() - 1) as u32
    }
}

/// A line as it was set, for dumps, tests and audits.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRecord {
    /// Baseline position.
    pub y: Pt,
    /// Text of the line (hyphen included when the line is hyphenated).
    pub text: String,
    /// True if the line ends with an inserted hyphen.
    pub hyphenated: bool,
    /// Knuth–Plass adjustment ratio (0 = natural spacing, 1 = all stretch used).
    pub ratio: f64,
    /// Natural width exceeded the measure (should never happen; the audit counts it).
    pub overfull: bool,
    /// What the line belongs to.
    pub kind: LineKind,
    /// Paragraph identity, unique in the layout (same value for all lines of a paragraph).
    pub para: usize,
    /// Place of the line in its paragraph, from 0.
    pub index: usize,
    /// Number of lines of the paragraph.
    pub count: usize,
    /// Mean interword space in ems.
    pub space_em: f64,
    /// Column of the page the line is in, from 0.
    pub column: usize,
}

/// The role of a set line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// Running text, list items, quotes, table cells.
    Body,
    /// A heading line.
    Heading,
    /// A footnote line.
    Note,
    /// An image caption.
    Caption,
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Glyphs of one font at one size on one baseline.
    Text(TextRun),
    /// A raster image.
    Image(PlacedImage),
    /// A filled rectangle (rules, table lines).
    Rule(Rect),
    /// A clickable area pointing at a URL.
    Link(Rect, String),
    /// A clickable area pointing at a page of the same document (contents).
    GoTo(Rect, usize),
}

/// An axis-aligned rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: Pt,
    /// Top.
    pub y: Pt,
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
}

/// A run of shaped glyphs.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    /// Left end of the baseline.
    pub x: Pt,
    /// Baseline.
    pub y: Pt,
    /// Font face.
    pub face: FaceId,
    /// Font size.
    pub size: Pt,
    /// The characters the glyphs stand for (ToUnicode, text extraction).
    pub text: String,
    /// The glyphs.
    pub glyphs: Vec<Glyph>,
    /// The glyphs the shaper moved off the pen (combining marks), in glyph order.
    pub offsets: Vec<GlyphOffset>,
    /// Horizontal scale of the glyphs (font expansion of a justified line): 1 as
    /// designed, 1.02 two per cent wider. Advances and offsets are in unscaled ems.
    pub scale: f64,
    /// Hyphens that are not in the text: the run ends with the hyphen of a word
    /// broken at the line's end ([`TextRun::HYPHEN_END`]), or starts with the
    /// hyphen of a compound repeated on the next line ([`TextRun::HYPHEN_START`]);
    /// the run is a list marker ([`TextRun::MARKER`]).
    pub added: u8,
    /// The footnote the run calls (its superscript number), 0 for none.
    pub note: u32,
    /// Which way the baseline runs: across the page, or up or down it (a spine).
    pub turn: Turn,
}

/// The direction of a run's baseline; `x`, `y` stay the start of the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Turn {
    /// Left to right, as text is read.
    #[default]
    Across,
    /// Bottom to top: the spine of a Russian or German book.
    Up,
    /// Top to bottom: the spine of an English book.
    Down,
}

/// One glyph of a [`TextRun`]: 12 bytes, since a volume holds millions (2.5
/// million glyphs in 1,600 pages). Its advance is in ems of the run's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Glyph id in the face.
    pub id: u16,
    /// How many bytes of [`TextRun::text`] the glyph stands for, from `start`.
    pub len: u16,
    /// Advance.
    pub advance: Em,
    /// The first byte of [`TextRun::text`] the glyph stands for.
    pub start: u32,
}

impl Glyph {
    /// The bytes of [`TextRun::text`] this glyph stands for.
    pub fn range(&self) -> Range<u32> {
        self.start..self.start + u32::from(self.len)
    }
}

/// Where a glyph of a [`TextRun`] is drawn off the pen, in ems of the run's size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphOffset {
    /// Index of the glyph in [`TextRun::glyphs`].
    pub index: u32,
    /// Horizontal offset.
    pub x: Em,
    /// Vertical offset (up is positive, as in fonts).
    pub y: Em,
}

impl TextRun {
    /// [`TextRun::added`]: the last glyph is a hyphen breaking a word.
    pub const HYPHEN_END: u8 = 1;
    /// [`TextRun::added`]: the first glyph repeats the hyphen that ended the line before.
    pub const HYPHEN_START: u8 = 2;
    /// [`TextRun::added`]: the run is a list item's marker.
    pub const MARKER: u8 = 4;

    /// Ends the run with the space that follows it in the text but is not drawn
    /// as a glyph (the line ends at it, the next word is in another face, a list
    /// marker or note number stands apart): the face's space glyph, advancing
    /// nothing, so that extracted, copied and spoken text keeps its words apart.
    pub fn end_with_space(&mut self, fonts: &FontSet) {
        if self.text.ends_with([' ', '\u{a0}']) {
            return;
        }
        let Some(id) = fonts.face(self.face).space().first().map(|g| g.id).filter(|&id| id != 0) else {
            return;
        };
        let start = self.text.len() as u32;
        self.text.push(' ');
        self.glyphs.push(Glyph { id, len: 1, advance: Em::new(0.0), start });
    }

    /// Width of the run: the sum of its advances, at its scale.
    pub fn width(&self) -> Pt {
        self.size * (self.scale * self.glyphs.iter().map(|g| f64::from(g.advance.get())).sum::<f64>())
    }
}

/// An image placed on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedImage {
    /// Key into [`Images`].
    pub key: PathBuf,
    /// Position and size.
    pub rect: Rect,
}

/// A problem found while setting a statement; the driver turns the byte offset
/// into `file:line:column`, since layout never reads files.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// Index of the statement in [`Book::documents`].
    pub doc: usize,
    /// Byte offset in the statement's source.
    pub offset: usize,
    /// What happened.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Lays out the whole book. Each statement starts on a new page. Problems
/// (lines that could not be set without overflowing, images too small for
/// print) come back as warnings.
pub fn typeset(
    book: &Book,
    images: &Images,
    fonts: &FontSet,
    opts: &LayoutOptions,
) -> (Layout, Vec<Warning>) {
    use rayon::prelude::*;
    // Setting paragraphs is most of the work and each statement's is independent, so
    // statements are set in parallel (on the caller's rayon pool) and paginated in order
    // afterwards: the result does not depend on the number of threads. They are set a batch
    // at a time, so that the set lines of a whole volume never wait in memory next to its
    // pages, and the next batch is set while the current one is paginated. Four statements
    // per thread even out their different lengths (two per thread left a core idle a fifth
    // of the time on 20 statements); peak memory on 200 is the same.
    let batch = (4 * rayon::current_num_threads()).max(8);
    let set_batch = |start: usize| -> Vec<(flow::Flow, Vec<Warning>)> {
        let end = (start + batch).min(book.documents.len());
        book.documents[start.min(end)..end]
            .par_iter()
            .enumerate()
            .map(|(k, doc)| {
                let mut warnings = Vec::new();
                let flow = flow::build((start + k, doc), images, fonts, opts, &mut warnings);
                (flow, warnings)
            })
            .collect()
    };
    let mut warnings = Vec::new();
    let mut layout = Layout::default();
    // The structure: the document, the front matter's place first, then parts and statements.
    let root = 0;
    layout.structure.push(StructNode { role: Role::Document, parent: None, lang: book.meta.lang, alt: None });
    let front = opts.front_matter.then(|| layout.node(Role::Sect, root, book.meta.lang));
    let contents = opts.front_matter.then(|| layout.node(Role::Sect, root, book.meta.lang));
    let mut part_node = None;
    let mut flows = set_batch(0);
    let mut start = 0;
    while start < book.documents.len() {
        let current = std::mem::take(&mut flows);
        let paginate_batch = |layout: &mut Layout, warnings: &mut Vec<Warning>| {
            for (k, (elems, w)) in current.into_iter().enumerate() {
                let i = start + k;
                let doc = &book.documents[i];
                warnings.extend(w);
                if let Some(part) =
                    book.parts.iter().find(|p| p.documents.start == i && !p.documents.is_empty())
                {
                    part_node =
                        Some((front::part_page(layout, part, fonts, opts, doc.lang), part.documents.clone()));
                }
                if opts.start_recto && layout.pages.len() % 2 == 1 {
                    front::blank(layout, opts, doc.lang);
                }
                let parent = part_node.as_ref().filter(|(_, docs)| docs.contains(&i)).map_or(root, |p| p.0);
                pages::paginate(layout, &book.meta.title, (i, doc), elems, parent, fonts, opts);
            }
        };
        let ((), next) =
            rayon::join(|| paginate_batch(&mut layout, &mut warnings), || set_batch(start + batch));
        flows = next;
        start += batch;
    }
    if layout.pages.is_empty() {
        layout.pages.push(pages::blank_page(opts, 1, book.meta.lang));
    }
    complete_page_starts(&mut layout);
    if let (Some(front), Some(contents)) = (front, contents) {
        front::prepend(&mut layout, book, fonts, opts, (front, contents));
    }
    (layout, warnings)
}

/// Gives every page a start: a page without text of its own (a part title, a
/// blank page, a page of continued footnotes) starts where the next page with
/// text starts, or, at the very end, where the last one did.
fn complete_page_starts(layout: &mut Layout) {
    let n = layout.pages.len();
    let mut by_page: Vec<Option<PageStart>> = vec![None; n];
    for s in std::mem::take(&mut layout.page_starts) {
        if let Some(slot) = by_page.get_mut(s.page) {
            slot.get_or_insert(s);
        }
    }
    let mut next: Option<PageStart> = None;
    for (i, slot) in by_page.iter_mut().enumerate().rev() {
        match slot {
            Some(s) => next = Some(s.clone()),
            None => *slot = next.clone().map(|s| PageStart { page: i, ..s }),
        }
    }
    let mut prev: Option<PageStart> = None;
    for (i, slot) in by_page.iter_mut().enumerate() {
        match slot {
            Some(s) => prev = Some(s.clone()),
            None => *slot = prev.clone().map(|s| PageStart { page: i, ..s }),
        }
    }
    layout.page_starts = by_page.into_iter().flatten().collect();
}

/// A readable dump of the line boxes: one line per line box with page, baseline,
/// adjustment ratio, hyphen flag and text. Snapshot tests compare it, so every
/// change in line breaking shows up in review as a text diff.
pub fn dump(layout: &Layout) -> String {
    let mut out = String::new();
    for (i, page) in layout.pages.iter().enumerate() {
        for line in &page.lines {
            let _ = writeln!(
                out,
                "p{:<3} y={:>6.1} r={:>5.2} {} {}",
                i + 1,
                line.y.get(),
                line.ratio,
                if line.hyphenated { "-" } else { " " },
                line.text
            );
        }
    }
    out
}
