//! The manifest: `book.toml` text in, resolved [`Settings`] out.
//!
//! Reading goes in three steps, following mdBook and ripgrep:
//!
//! 1. **Syntax.** The TOML is parsed with spans ([`toml::de::DeTable`]); a syntax
//!    error is reported at its place and stops here.
//! 2. **Shape.** The document is walked against a schema of the known tables
//!    (`raw`): unknown keys (with "did you mean") and values of the wrong type are
//!    all reported, then removed, and the rest deserialised into one serde struct
//!    per table (`RawBook`, `RawOutput`, …).
//! 3. **Meaning.** Raw strings become typed settings: lengths in [`Pt`], dates
//!    checked, languages as [`Lang`], paths absolute, globs expanded, outputs
//!    filled with defaults. Only this step and [`load`] touch the file system
//!    (globs, the cover image).
//!
//! Every problem found is collected into one [`Diagnostics`] naming
//! `book.toml:line:column`; nothing after this module sees a raw string.
//!
//! Outputs are listed sorted by name (`[output.ebook]` before `[output.print]`),
//! not in file order, so that the build order never depends on how the TOML map
//! happens to be stored.

mod documents;
mod identifier;
mod length;
pub mod printer;
mod raw;
mod suggest;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::{BookMeta, Date, Lang};
use crate::units::Pt;

pub use identifier::{derive_identifier, ean_check_digit, isbn_problem};
pub use length::{parse_length, parse_page_size};
pub use printer::Printer;

use length::Problem;
use raw::{RawBook, RawFonts, RawOutput, StrOrNum, StrOrTable, key_repr};

/// The kinds of output samizdat writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// A print-ready PDF.
    Pdf,
    /// An EPUB 3 book.
    Epub,
    /// A wrap cover for a bound book: back, spine and front on one PDF sheet.
    Cover,
}

impl Format {
    /// The file extension of this format, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf | Format::Cover => "pdf",
            Format::Epub => "epub",
        }
    }
}

/// A page size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageSize {
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
}

/// Page margins. `inner` is at the binding (left on odd pages).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margins {
    /// Top margin.
    pub top: Pt,
    /// Bottom margin.
    pub bottom: Pt,
    /// Margin at the binding.
    pub inner: Pt,
    /// Margin at the outer edge.
    pub outer: Pt,
}

/// How pages are arranged on printed sheets in the extra imposed PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imposition {
    /// Saddle-stitched booklet: two pages side by side on a sheet twice the page
    /// size, sheets in duplex order (flip on the short edge), folded and stapled.
    Booklet,
    /// The same page twice side by side, to print and cut in half.
    TwoUp,
    /// The same page four times in a 2 × 2 grid (A6 flyers on A4).
    FourUp,
    /// A letter-folded (C-fold) leaflet from `fold = "tri"`: the pages are its
    /// six panels in reading order, placed three to a side of a sheet three
    /// panels wide (see `pdf::trifold_sides` for the order).
    TriFold,
}

impl Imposition {
    /// The keyword in `book.toml`, also the suffix of the imposed file.
    pub fn keyword(self) -> &'static str {
        match self {
            Imposition::Booklet => "booklet",
            Imposition::TwoUp => "2-up",
            Imposition::FourUp => "4-up",
            Imposition::TriFold => "tri-fold",
        }
    }
}

/// Colour of a PDF output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// Images as they are. Text is always pure DeviceGray black.
    #[default]
    Color,
    /// Images converted to grayscale, for cheap office printing.
    Gray,
    /// For a press: pictures converted to the output profile's CMYK, text and
    /// rules in black ink alone (K), nothing left in RGB.
    Cmyk,
}

/// A PDF conformance standard the PDF writer follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    /// PDF/A-2b (ISO 19005-2, level b: visual appearance preserved).
    PdfA2b,
    /// PDF/A-2a (level a: also tagged, with Unicode text): PDF/A-2b's rules on a
    /// tagged file.
    PdfA2a,
}

/// Settings of a PDF output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfSettings {
    /// Trimmed page size, after `orientation`.
    pub page: PageSize,
    /// Margins.
    pub margins: Margins,
    /// Extra space added to the inner margin for the binding.
    pub binding_offset: Pt,
    /// Body font size.
    pub font_size: Pt,
    /// Distance between baselines of body text (absolute leading).
    pub line_height: Pt,
    /// Bleed beyond the trimmed page on every side; zero for none.
    pub bleed: Pt,
    /// Crop marks in a slug area outside the bleed.
    pub crop_marks: bool,
    /// Extra imposed PDF, if any.
    pub imposition: Option<Imposition>,
    /// Creep compensation per booklet sheet (inner sheets' pages move toward the spine).
    pub creep: Pt,
    /// Colour or grayscale.
    pub color: ColorMode,
    /// The PDF/A level the file claims, if any.
    pub standard: Option<Standard>,
    /// The file claims PDF/UA-1 (ISO 14289-1): tagged, every picture described
    /// or marked decorative, a title shown in the window.
    pub ua: bool,
    /// The file claims PDF/X-4 (ISO 15930-7): a CMYK output intent, trim and
    /// bleed boxes on every page, trapping declared, nothing a press cannot print.
    pub pdfx: bool,
    /// Where statements begin; `None`: on a right-hand page in a volume of
    /// several statements, anywhere in a single one.
    pub start: Option<Start>,
    /// Title page and contents in front; `None`: in a volume of several statements.
    pub contents: Option<bool>,
    /// Running heads: book title on left pages, statement title on right pages
    /// (default on, off on leaflets: see [`PdfSettings::is_leaflet`]).
    pub running_heads: bool,
    /// Page numbers at the foot (default on, off on leaflets).
    pub folios: bool,
    /// The last page is a back cover: a booklet's blank pages go before it
    /// instead of after the text.
    pub back_cover: bool,
    /// Largest share of the text block's height an image may take.
    pub image_max_height: f64,
    /// Columns of text per page (1 for books, 2 or 3 for leaflets).
    pub columns: usize,
    /// Space between columns as the manifest gives it; `None`: [`DEFAULT_GUTTER_EM`]
    /// of the type size (read it through [`PdfSettings::gutter`]).
    pub gutter: Option<Pt>,
    /// Copyfitting: set the text at the largest size that fits this many pages.
    pub fit: Option<Fit>,
    /// How running text is set: justified or ragged right; `None`: by the measure
    /// (see [`PdfSettings::ragged`]).
    pub align: Option<TextAlign>,
    /// Font expansion of justified lines: how far glyphs may be set wider or
    /// narrower, as a share of their width (0.02 = ±2 %); 0 turns it off.
    pub expansion: f64,
    /// Letter-spacing of loose justified lines: the most each letter may take, in
    /// ems of the type (0.025 = 2.5 %); 0 turns it off.
    pub tracking: f64,
    /// The print service whose rules the output follows, and where book.toml names it.
    pub printer: Option<PrinterUse>,
}

/// Default letter-spacing limit: 2.5 % of an em a letter, below what a reader
/// notices beside a normally spaced line, the last resort before a loose one.
pub const DEFAULT_TRACKING: f64 = 0.025;

/// Largest letter-spacing accepted: beyond 5 % of an em words fall apart into letters.
const MAX_TRACKING: f64 = 0.05;

/// `printer = "NAME"`, with the line and column of its value in book.toml, where
/// preflight's findings against the printer's rules point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterUse {
    /// The service.
    pub printer: Printer,
    /// 1-based line of the value.
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
}

/// Default font expansion: ±2 %, pdfTeX's usual `\pdffontexpand` stretch and shrink
/// of 20. A reader does not see it; the spaces it saves make the colour even.
pub const DEFAULT_EXPANSION: f64 = 0.02;

/// Largest font expansion accepted: beyond 5 % letters visibly change shape.
const MAX_EXPANSION: f64 = 0.05;

/// `align` of a PDF output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAlign {
    /// Both edges straight.
    Justify,
    /// Ragged right, hyphenated.
    Left,
}

/// Shortest line, in characters of running text, that is set justified when the
/// manifest does not say: below it a justified line has too few spaces to take up
/// the slack, and Russian practice sets narrow columns ragged right.
pub const MIN_JUSTIFIED_CHARS: f64 = 40.0;

/// Mean advance of a character of running text in PT Serif, in ems (Cyrillic
/// and Latin prose, spaces included): turns a measure into characters.
const MEAN_CHAR_EM: f64 = 0.47;

impl PdfSettings {
    /// A leaflet: text in columns, a folded sheet, or copyfitted to a page count;
    /// it has no running heads or folios unless the manifest asks for them.
    pub fn is_leaflet(&self) -> bool {
        self.columns > 1
            || self.imposition == Some(Imposition::TriFold)
            || matches!(self.fit, Some(Fit { target: FitTarget::Pages(_), .. }))
    }

    /// Space between columns: as given, else [`DEFAULT_GUTTER_EM`] of the type size
    /// (which copyfitting changes, so the gutter follows it).
    pub fn gutter(&self) -> Pt {
        self.gutter.unwrap_or(self.font_size * DEFAULT_GUTTER_EM)
    }

    /// Whether running text is set ragged right at `font_size` in a column of
    /// `width`: as `align` says, else when the line holds fewer than
    /// [`MIN_JUSTIFIED_CHARS`] characters.
    pub fn ragged(&self, width: Pt, font_size: Pt) -> bool {
        match self.align {
            Some(TextAlign::Justify) => false,
            Some(TextAlign::Left) => true,
            None => line_chars(width, font_size) < MIN_JUSTIFIED_CHARS,
        }
    }
}

/// About how many characters of running text a line of `width` holds at `font_size`.
pub fn line_chars(width: Pt, font_size: Pt) -> f64 {
    width / (font_size * MEAN_CHAR_EM)
}

/// `fit-pages` and its bounds, resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// What the text must fill.
    pub target: FitTarget,
    /// Smallest font size tried.
    pub min: Pt,
    /// Largest font size tried.
    pub max: Pt,
    /// Line and column of `fit-pages` in book.toml, for the error when the text
    /// does not fit even at the smallest size.
    pub at: (usize, usize),
}

/// What `fit-pages` copyfits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FitTarget {
    /// Exactly this many pages (panels of a folded leaflet): a leaflet.
    Pages(usize),
    /// A whole number of folded sheets (a multiple of four pages), the one whose
    /// size is nearest the output's `font-size`: a pamphlet without blank pages.
    Booklet,
}

/// Share of the output's `font-size` by which `fit-pages = "booklet"` may set
/// the type smaller or larger when no bounds are given: a reader of a pamphlet
/// does not notice 15 % either way, and it is enough to fill or save a sheet of
/// a short text.
pub const BOOKLET_FIT_RANGE: f64 = 0.15;

/// Where a statement (or part) of a PDF output begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// On the next page.
    Any,
    /// On the next right-hand (odd) page, leaving a blank page when needed.
    Recto,
}

/// What a build does about an image file that is not there (a website export
/// often lacks some): `missing-images` in `[book]`, `--missing-images` on the
/// command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingImages {
    /// Each is an error; nothing is written.
    #[default]
    Error,
    /// Each is a warning at its reference; the outputs are written without it.
    Warn,
}

/// The order of statements within each part (and of those outside parts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// As listed in the manifest (globs sorted by path).
    #[default]
    Manifest,
    /// By the front-matter `date`, oldest first; undated statements last.
    Date,
    /// By title, alphabetically.
    Title,
    /// By file path.
    Path,
}

/// A front-matter field that makes the parts of a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The year of `date`: one part per year, titled by it, oldest first.
    Year,
}

/// One `[[part]]`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct PartEntry {
    /// Title of the part.
    pub title: String,
    /// Its statements: indices into [`Settings::documents`], consecutive.
    pub documents: Range<usize>,
}

impl Default for PdfSettings {
    fn default() -> PdfSettings {
        default_pdf()
    }
}

/// Settings of a cover output.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverSettings {
    /// The PDF output whose page count sets the spine (a whole-book one).
    pub interior: String,
    /// The thickness of one leaf of the interior's paper (two pages).
    pub caliper: Pt,
    /// The front's picture, if any.
    pub image: Option<PathBuf>,
    /// A Markdown file set on the back.
    pub blurb: Option<PathBuf>,
    /// How the sheet is printed: `page` is the interior's trim (one panel) and
    /// `font_size` its body size, with this output's bleed, crop marks, colour and standard.
    pub print: PdfSettings,
}

/// Default thickness of one leaf: 80 g/m² uncoated offset paper, the usual
/// stock of a small press's books, is about 0.1 mm.
pub const DEFAULT_CALIPER_MM: f64 = 0.1;

/// Thinnest and thickest leaf accepted, in mm: bible paper to heavy board.
const CALIPER_RANGE_MM: std::ops::RangeInclusive<f64> = 0.03..=0.6;

/// Default bleed of a cover: 3 mm, as every printer asks.
const COVER_BLEED_MM: f64 = 3.0;

/// Settings of an EPUB output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpubSettings {
    /// Cover image, absolute path.
    pub cover: Option<PathBuf>,
    /// Deflate the images that a sample shows will shrink (scans, drawings); when
    /// false, every image is stored as it is, which is faster and loses little
    /// on photographs.
    pub compress_images: bool,
    /// Where soft hyphens go into the text.
    pub soft_hyphens: SoftHyphens,
    /// Draw a cover (title, authors, year) when neither `cover` nor a picture of
    /// the first statement gives one.
    pub cover_generate: bool,
    /// Embed the book's faces, subset to the characters the text uses, so that
    /// the book looks as designed and Kazakh letters never show as boxes.
    pub embed_fonts: bool,
}

/// `soft-hyphens`: whether an EPUB carries soft hyphens (U+00AD) at the break
/// points samizdat's own patterns allow, so that justified text breaks well in
/// a reading system that has no hyphenation dictionary for the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SoftHyphens {
    /// For languages reading systems rarely hyphenate themselves (Kazakh); Russian
    /// and English are left to the reader's own hyphenation.
    #[default]
    Auto,
    /// In every language.
    Always,
    /// None.
    Never,
}

impl SoftHyphens {
    /// The languages whose text gets soft hyphens.
    pub fn languages(self) -> &'static [Lang] {
        match self {
            SoftHyphens::Auto => &[Lang::Kk],
            SoftHyphens::Always => &Lang::ALL,
            SoftHyphens::Never => &[],
        }
    }
}

/// What an output is, with its format's settings.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputKind {
    /// A PDF.
    Pdf(PdfSettings),
    /// An EPUB.
    Epub(EpubSettings),
    /// A wrap cover.
    Cover(CoverSettings),
}

/// One `[output.NAME]` table, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The table key (`print` for `[output.print]`); a valid file name component.
    pub name: String,
    /// Format and settings.
    pub kind: OutputKind,
    /// One file per statement (`NAME-SLUG.EXT`) instead of one for the whole book.
    pub per_document: bool,
}

impl Output {
    /// The format of this output.
    pub fn format(&self) -> Format {
        match self.kind {
            OutputKind::Pdf(_) => Format::Pdf,
            OutputKind::Epub(_) => Format::Epub,
            OutputKind::Cover(_) => Format::Cover,
        }
    }
}

/// One Markdown file of the book.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentEntry {
    /// Absolute path.
    pub path: PathBuf,
    /// Path relative to the book root, for messages.
    pub display: PathBuf,
    /// Title given in the manifest, overriding the document's own.
    pub title: Option<String>,
    /// Running head given in the manifest, overriding the front matter's `short-title`.
    pub running_head: Option<String>,
    /// Language given in the manifest, used when the statement names none.
    pub lang: Option<Lang>,
    /// Line and column of the entry in book.toml that lists the file (the glob
    /// for a file a glob found); `None` for a file built without a manifest.
    pub at: Option<(usize, usize)>,
    /// The file's character encoding when it is not UTF-8 (the entry's
    /// `encoding`, else the book's); the text is converted on reading.
    pub encoding: Option<&'static encoding_rs::Encoding>,
}

impl DocumentEntry {
    /// A file the manifest gives nothing more about than its path.
    pub fn plain(path: PathBuf, display: PathBuf) -> DocumentEntry {
        DocumentEntry { path, display, title: None, running_head: None, lang: None, at: None, encoding: None }
    }
}

/// A font file named in `[fonts]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FontFile {
    /// Absolute path.
    pub path: PathBuf,
    /// As written in `book.toml`, for messages.
    pub written: String,
    /// The place of its value in `book.toml`, for errors about the file.
    pub at: Location,
}

/// `[fonts]`, resolved: each face replaces the embedded one of its slot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FontPaths {
    /// Body text, regular.
    pub serif: Option<FontFile>,
    /// Body text, italic.
    pub serif_italic: Option<FontFile>,
    /// Body text, bold.
    pub serif_bold: Option<FontFile>,
    /// Body text, bold italic.
    pub serif_bold_italic: Option<FontFile>,
    /// Headings and running heads, regular.
    pub sans: Option<FontFile>,
    /// Headings, bold.
    pub sans_bold: Option<FontFile>,
    /// Code (inline and blocks): a monospaced face.
    pub mono: Option<FontFile>,
    /// Characters the faces above lack (emoji, CJK); needs no Cyrillic.
    pub fallback: Option<FontFile>,
}

impl FontPaths {
    /// The seven faces with their keys, in the order of the font set's slots
    /// (serif regular, italic, bold, bold italic, sans regular, bold, mono).
    pub fn slots(&self) -> [(&'static str, Option<&FontFile>); 7] {
        [
            ("serif", self.serif.as_ref()),
            ("serif-italic", self.serif_italic.as_ref()),
            ("serif-bold", self.serif_bold.as_ref()),
            ("serif-bold-italic", self.serif_bold_italic.as_ref()),
            ("sans", self.sans.as_ref()),
            ("sans-bold", self.sans_bold.as_ref()),
            ("mono", self.mono.as_ref()),
        ]
    }

    /// True when no font is configured.
    pub fn is_empty(&self) -> bool {
        self.fallback.is_none() && self.slots().iter().all(|(_, f)| f.is_none())
    }
}

/// Everything a build needs to know, resolved from `book.toml` (or defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Folder of `book.toml` (absolute); relative paths start here.
    pub root: PathBuf,
    /// The manifest file, made absolute; `None` for a single-file build.
    pub manifest: Option<PathBuf>,
    /// Book metadata; `identifier` is always filled.
    pub meta: BookMeta,
    /// Documents in reading order: the preface if any, the statements of
    /// `[book] documents` that are in no part, then each part's statements.
    pub documents: Vec<DocumentEntry>,
    /// The first document is the preface (`[book] preface`): in the contents,
    /// before every part, not a statement of its own (no per-document file).
    pub preface: bool,
    /// Parts from `[[part]]`, in order; empty without them.
    pub parts: Vec<PartEntry>,
    /// Parts made by the driver from front matter instead (`group-by`).
    pub group_by: Option<GroupBy>,
    /// Order of statements within each part, applied by the driver once front matter is read.
    pub sort: Sort,
    /// Outputs sorted by name (see the module documentation).
    pub outputs: Vec<Output>,
    /// Font files from `[fonts]`; all `None` for the embedded faces.
    pub fonts: FontPaths,
    /// What a missing image is (`missing-images`).
    pub missing_images: MissingImages,
}

/// Default font size: 10.5 pt, a common body size for A5 pamphlets.
const DEFAULT_FONT_SIZE_PT: f64 = 10.5;
/// Default line height as a multiple of the font size.
const DEFAULT_LINE_HEIGHT: f64 = 1.3;
/// Accepted font sizes in points: smaller is unreadable in print, larger is a poster.
const FONT_SIZE_RANGE_PT: std::ops::RangeInclusive<f64> = 4.0..=72.0;
/// Accepted line heights as multiples of the font size: below 0.8 lines overlap.
const LINE_HEIGHT_RANGE: std::ops::RangeInclusive<f64> = 0.8..=3.0;
/// Largest bleed accepted, in millimetres: print shops ask for 2–5 mm; more only
/// enlarges the file and the sheet.
const MAX_BLEED_MM: f64 = 10.0;
/// Largest creep per sheet accepted, in millimetres: 80 g/m² paper is about
/// 0.1 mm thick, so even card stock stays well below 1 mm per sheet.
const MAX_CREEP_MM: f64 = 1.0;

/// Default space between columns: 5 mm, about two ems of 10 pt type, the
/// usual gutter of a two- or three-column A4 leaflet.
/// Images take at most half the text block's height by default, so a page with a
/// picture still carries text.
const DEFAULT_IMAGE_MAX_HEIGHT: f64 = 0.5;

/// Default space between columns, in ems of the body: a gutter narrower than
/// one and a half ems lets the eye jump across it to the next column's line.
pub const DEFAULT_GUTTER_EM: f64 = 1.5;
/// Most columns on a page: on A4 a fourth column falls under 40 mm, too narrow
/// for justified Russian or Kazakh text.
const MAX_COLUMNS: usize = 3;
/// Narrowest column (or folded panel's text block) accepted: below 35 mm a
/// justified line holds too few words and opens rivers of space.
const MIN_COLUMN_MM: f64 = 35.0;
/// Default bounds of `fit-pages`: 8 pt is the smallest comfortable size of a
/// leaflet's body text, 12 pt the largest that still reads as running text.
const DEFAULT_FIT_MIN_PT: f64 = 8.0;
/// See [`DEFAULT_FIT_MIN_PT`].
const DEFAULT_FIT_MAX_PT: f64 = 12.0;

/// The hint shown when `[book]` or its title is missing.
const MINIMAL_MANIFEST: &str =
    "a minimal book.toml is three lines: `[book]`, `title = \"…\"` and `documents = [\"*.md\"]`";

/// The PDF settings used when the manifest gives none: A5 (148 × 210 mm), margins
/// 18 mm top, 20 mm bottom, 16 mm inside and outside, 10.5 pt type on 1.3 leading.
pub fn default_pdf() -> PdfSettings {
    PdfSettings {
        page: PageSize { width: Pt::mm(148.0), height: Pt::mm(210.0) },
        margins: Margins {
            top: Pt::mm(18.0),
            bottom: Pt::mm(20.0),
            inner: Pt::mm(16.0),
            outer: Pt::mm(16.0),
        },
        binding_offset: Pt::ZERO,
        font_size: Pt::new(DEFAULT_FONT_SIZE_PT),
        line_height: Pt::new(DEFAULT_FONT_SIZE_PT * DEFAULT_LINE_HEIGHT),
        bleed: Pt::ZERO,
        crop_marks: false,
        imposition: None,
        creep: Pt::ZERO,
        color: ColorMode::Color,
        standard: None,
        ua: false,
        pdfx: false,
        tracking: DEFAULT_TRACKING,
        printer: None,
        start: None,
        contents: None,
        running_heads: true,
        folios: true,
        back_cover: false,
        image_max_height: DEFAULT_IMAGE_MAX_HEIGHT,
        columns: 1,
        gutter: None,
        fit: None,
        align: None,
        expansion: DEFAULT_EXPANSION,
    }
}

/// Type size and margins for a page smaller than A5 (A6, A7, a tri-fold's panel)
/// when the manifest gives none: A5's scaled with the page's shorter side, the
/// type less than the margins (a small page is read closer), on a half-point grid.
fn small_page_defaults(page: PageSize) -> Option<(Pt, Margins)> {
    let k = (page.width.min(page.height) / Pt::mm(148.0)).min(1.0);
    if k >= 0.95 {
        return None;
    }
    let size = ((DEFAULT_FONT_SIZE_PT * (0.55 + 0.45 * k)) * 2.0).round() / 2.0;
    let a5 = default_pdf().margins;
    let m = |v: Pt| Pt::mm((v / Pt::mm(1.0) * k).round().max(5.0));
    let margins = Margins { top: m(a5.top), bottom: m(a5.bottom), inner: m(a5.inner), outer: m(a5.outer) };
    Some((Pt::new(size.max(7.0)), margins))
}

/// The outputs of a manifest without `[output.*]`: `epub` and `pdf` with defaults.
fn default_outputs() -> Vec<Output> {
    vec![
        Output {
            name: "epub".to_owned(),
            kind: OutputKind::Epub(EpubSettings::default()),
            per_document: false,
        },
        Output { name: "pdf".to_owned(), kind: OutputKind::Pdf(default_pdf()), per_document: false },
    ]
}

/// Settings for building one Markdown file without a manifest: `root` is the
/// file's folder, the outputs are the two defaults, the title is a placeholder
/// (the file stem) and the language `ru`. The driver overwrites title and
/// language from the text and should then recompute `meta.identifier` with
/// [`derive_identifier`].
pub fn single_file(md: &Path) -> Settings {
    let path = std::path::absolute(md).unwrap_or_else(|_| md.to_path_buf());
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let title = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let display = path.file_name().map(PathBuf::from).unwrap_or_else(|| path.clone());
    let identifier = derive_identifier(&title, &[]);
    Settings {
        root,
        manifest: None,
        meta: BookMeta { title, lang: Lang::Ru, identifier, ..BookMeta::default() },
        documents: vec![DocumentEntry::plain(path, display)],
        preface: false,
        parts: Vec::new(),
        group_by: None,
        sort: Sort::Manifest,
        outputs: default_outputs(),
        fonts: FontPaths::default(),
        missing_images: MissingImages::Error,
    }
}

/// Reads `path` (a `book.toml`) and calls [`parse`] with the file's folder as
/// root. A file that cannot be read or is not UTF-8 gives one diagnostic naming it.
pub fn load(path: &Path) -> Result<(Settings, Diagnostics), Diagnostics> {
    match load_partial(path) {
        (Some(settings), diags) if !diags.has_errors() => Ok((settings, diags)),
        (_, diags) => Err(diags),
    }
}

/// [`load`], but the settings come back whenever the manifest could be read
/// as TOML, even with errors in it, so that the sources it names can be checked
/// in the same run and every problem reported at once.
pub fn load_partial(path: &Path) -> (Option<Settings>, Diagnostics) {
    let fail = |d: Diagnostic| (None, Diagnostics(vec![d]));
    // A pipe or a device would block the read or never end it; no manifest is megabytes long.
    if let Ok(meta) = std::fs::metadata(path)
        && (!meta.is_file() || meta.len() > MAX_MANIFEST_BYTES)
    {
        let why = if meta.is_file() { "it is larger than any manifest" } else { "it is not a regular file" };
        return fail(
            Diagnostic::error(Some(Location::file(path)), format!("cannot read `{}`: {why}", path.display()))
                .with_hint("give the path of a book.toml saved on disk"),
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let (reason, hint) = match e.kind() {
                std::io::ErrorKind::NotFound => (
                    "file not found".to_owned(),
                    "run samizdat in the folder of book.toml, or give the path of a manifest or a Markdown file",
                ),
                std::io::ErrorKind::PermissionDenied => {
                    ("permission denied".to_owned(), "check the file's permissions")
                }
                _ => (e.to_string().to_lowercase(), "check that the path names a readable file"),
            };
            let message = format!("cannot read `{}`: {reason}", path.display());
            return fail(Diagnostic::error(Some(Location::file(path)), message).with_hint(hint));
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let at = Location::at(path, &prefix, valid);
            let message = format!("`{}` is not valid UTF-8", path.display());
            return fail(Diagnostic::error(Some(at), message).with_hint("save the file in UTF-8"));
        }
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let root = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_partial(&text, path, &root)
}

/// Parses and resolves manifest text. `path` names the file in diagnostics;
/// `root` is the folder globs and other paths are relative to. Collects all
/// problems (unknown keys in several tables, bad lengths, missing files…) once
/// the TOML parses; returns `Err` with them if any is an error, else the settings
/// with any warnings. Diagnostics are sorted by position.
pub fn parse(text: &str, path: &Path, root: &Path) -> Result<(Settings, Diagnostics), Diagnostics> {
    match parse_partial(text, path, root) {
        (Some(settings), diags) if !diags.has_errors() => Ok((settings, diags)),
        (_, diags) => Err(diags),
    }
}

/// [`parse`], with the settings as far as they could be resolved even when
/// there are errors (`None` only when the text is not TOML at all).
fn parse_partial(text: &str, path: &Path, root: &Path) -> (Option<Settings>, Diagnostics) {
    let src = Source { path, text };
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    let mut diags = Diagnostics::new();
    let mut doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            diags.push(syntax_error(&e, src));
            return (None, diags);
        }
    };
    let removed = raw::check(doc.get_mut(), src, &mut diags);
    let settings = raw::deserialize(doc, src, &mut diags).map(|raw| {
        let parts = raw.part.unwrap_or_default();
        let mut resolver = Resolver {
            src,
            root: &root,
            removed: &removed,
            diags: &mut diags,
            has_parts: !parts.is_empty(),
            interiors: Vec::new(),
        };
        let (meta, documents, arrangement) = match raw.book {
            Some(book) => resolver.book(book),
            None => {
                if !removed.contains("book") {
                    resolver.diags.push(src.error(0..0, "missing [book] table").with_hint(MINIMAL_MANIFEST));
                }
                (BookMeta::default(), Vec::new(), Arrangement::default())
            }
        };
        let (group_by, sort) = (arrangement.group_by.as_ref().map(|g| g.0), arrangement.sort);
        let book_encoding = arrangement.encoding;
        let missing_images = arrangement.missing_images;
        let (mut documents, preface, parts) = resolver.volume(documents, arrangement, parts);
        for d in &mut documents {
            d.encoding = d.encoding.or(book_encoding);
        }
        let mut outputs: Vec<Output> = match raw.output {
            Some(outputs) if !outputs.is_empty() => {
                outputs.into_iter().filter_map(|(name, output)| resolver.output(name, output)).collect()
            }
            _ => default_outputs(),
        };
        resolver.interiors(&mut outputs);
        let fonts = raw.fonts.map(|f| resolver.fonts(f.into_inner())).unwrap_or_default();
        let manifest = Some(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        Settings {
            root: root.clone(),
            manifest,
            meta,
            documents,
            preface,
            parts,
            group_by,
            sort,
            outputs,
            fonts,
            missing_images,
        }
    });
    diags.0.sort_by(|a, b| a.location.cmp(&b.location));
    (settings, diags)
}

/// The manifest text and its name, to turn byte spans into diagnostics.
#[derive(Clone, Copy)]
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    /// An error at the start of `span`.
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(Some(Location::at(self.path, self.text, span.start)), message)
    }

    /// An error for a refused length, page size or date.
    fn problem(&self, span: Range<usize>, problem: Problem) -> Diagnostic {
        self.error(span, problem.message).with_hint(problem.hint)
    }
}

/// A TOML syntax error: the parser's message (first line) at its place.
fn syntax_error(e: &toml::de::Error, src: Source<'_>) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let mut message = e.message().lines().next().unwrap_or("invalid TOML").trim().to_owned();
    if message == "duplicate key"
        && let Some(key) = src.text.get(span.clone()).filter(|k| !k.is_empty())
    {
        message = format!("duplicate key `{key}`");
    }
    src.error(span, message).with_hint("see https://toml.io for the TOML syntax")
}

/// A string value, trimmed; `None` and an error when it is blank.
fn text_value(
    value: Option<&Spanned<String>>,
    key: &str,
    src: Source<'_>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let value = value?;
    let text = value.get_ref().trim();
    if text.is_empty() {
        diags.push(
            src.error(value.span(), format!("empty `{key}`")).with_hint("give it a value or remove the key"),
        );
        return None;
    }
    Some(text.to_owned())
}

/// An `encoding` value: a label the WHATWG Encoding Standard knows (`cp1251`,
/// `windows-1251`, `koi8-r`, `utf-8`…); UTF-8 is `None`, the default.
fn resolve_encoding(
    value: &Spanned<String>,
    src: Source<'_>,
    diags: &mut Diagnostics,
) -> Option<&'static encoding_rs::Encoding> {
    let written = value.get_ref().trim();
    match encoding_rs::Encoding::for_label(written.as_bytes()) {
        Some(e) if e == encoding_rs::UTF_8 => None,
        Some(e) => Some(e),
        None => {
            diags.push(
                src.error(value.span(), format!("unknown encoding `{written}`"))
                    .with_hint("use \"utf-8\", \"cp1251\" (Windows-1251) or \"koi8-r\""),
            );
            None
        }
    }
}

/// A language tag as a [`Lang`]; `None` and an error when samizdat does not know it.
fn resolve_lang(tag: &Spanned<String>, src: Source<'_>, diags: &mut Diagnostics) -> Option<Lang> {
    let written = tag.get_ref().trim();
    let lang = Lang::from_tag(written);
    if lang.is_none() {
        diags.push(
            src.error(tag.span(), format!("unknown language `{written}`"))
                .with_hint(format!("{}; a region may follow, as in `kk-KZ`", Lang::hint())),
        );
    }
    lang
}

/// A length in millimetres for messages, at most one decimal: `74mm`, `80.5mm`.
fn show_mm(p: Pt) -> String {
    let mm = (p.to_mm() * 10.0).round() / 10.0;
    format!("{mm}mm")
}

/// A size in points for messages, at most two decimals: `9pt`, `10.5pt`.
fn show_pt(p: Pt) -> String {
    format!("{}pt", (p.get() * 100.0).round() / 100.0)
}

/// Largest manifest read, in bytes: a book.toml listing thousands of statements is a few hundred KB.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Most pages `fit-pages` copyfits to: a long pamphlet. Copyfitting lays the
/// text out a dozen times, which is for a few pages, not a book.
const MAX_FIT_PAGES: usize = 96;

/// Longest output name, in bytes: it becomes part of file names (with a
/// statement's slug and a suffix), which file systems limit to 255 bytes.
const MAX_OUTPUT_NAME_BYTES: usize = 100;

/// Step 3: raw structs to settings, reporting into `diags`.
struct Resolver<'a, 'd> {
    src: Source<'a>,
    root: &'a Path,
    /// Dotted paths of values already reported and removed by the shape check.
    removed: &'a std::collections::BTreeSet<String>,
    diags: &'d mut Diagnostics,
    /// The manifest has `[[part]]` tables, so `[book] documents` may be left out.
    has_parts: bool,
    /// The covers whose interior is found once every output is read.
    interiors: Vec<PendingCover>,
}

/// A cover output waiting for its interior.
struct PendingCover {
    /// The cover's output name.
    cover: String,
    /// The interior it names, with the value's span.
    named: Option<(String, Range<usize>)>,
    /// The span of its table, for an error when it names none.
    table: Range<usize>,
}

/// The keys a cover output takes besides its own: how it is printed, and its picture.
const COVER_KEYS: &[&str] = &["bleed", "crop-marks", "color", "standard", "printer", "cover"];

/// How `[book]` arranges the volume, before the parts are read.
#[derive(Debug, Default)]
struct Arrangement {
    /// The preface, expanded, with the span of `preface`.
    preface: Option<(DocumentEntry, Range<usize>)>,
    /// `group-by`, with its span.
    group_by: Option<(GroupBy, Range<usize>)>,
    /// `sort`.
    sort: Sort,
    /// `encoding`, for the statements that name none.
    encoding: Option<&'static encoding_rs::Encoding>,
    /// `missing-images`.
    missing_images: MissingImages,
}

impl Resolver<'_, '_> {
    /// A keyword value: `choices` pairs each accepted spelling (lowercase) with
    /// what it means, the first spelling of each meaning being the one hints
    /// show. An unknown word is an error at the value, `unknown {what} `…``,
    /// with "did you mean" when a spelling is close, else `otherwise` or the list.
    fn keyword<T: Copy + PartialEq>(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        choices: &[(&str, T)],
        otherwise: Option<&str>,
    ) -> Option<T> {
        let written = value.get_ref().trim();
        let folded = written.to_ascii_lowercase();
        if let Some((_, v)) = choices.iter().find(|(k, _)| *k == folded) {
            return Some(*v);
        }
        let mut shown: Vec<&str> = Vec::new();
        for (i, (k, v)) in choices.iter().enumerate() {
            if !choices[..i].iter().any(|(_, w)| w == v) {
                shown.push(k);
            }
        }
        let spellings: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
        let hint = match suggest::closest(&folded, &spellings) {
            Some(near) => format!("did you mean `{near}`?"),
            None => match otherwise {
                Some(h) => h.to_owned(),
                None => {
                    let quoted: Vec<String> = shown.iter().map(|k| format!("\"{k}\"")).collect();
                    match quoted.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("use {} or {last}", rest.join(", "))
                        }
                        _ => format!("use {}", quoted.join("")),
                    }
                }
            },
        };
        self.diags.push(self.src.error(value.span(), format!("unknown {what} `{written}`")).with_hint(hint));
        None
    }

    fn book(&mut self, book: Spanned<RawBook>) -> (BookMeta, Vec<DocumentEntry>, Arrangement) {
        let (src, header) = (self.src, book.span());
        let b = book.into_inner();
        let title = match &b.title {
            Some(t) => text_value(Some(t), "title", src, self.diags).unwrap_or_default(),
            None => {
                if !self.removed.contains("book.title") {
                    self.diags.push(
                        src.error(header.clone(), "missing `title` in [book]").with_hint(MINIMAL_MANIFEST),
                    );
                }
                String::new()
            }
        };
        let mut authors = Vec::new();
        for a in b.authors.iter().flatten() {
            match a.get_ref().trim() {
                "" => self
                    .diags
                    .push(src.error(a.span(), "empty author name").with_hint("remove the empty entry")),
                name => authors.push(name.to_owned()),
            }
        }
        let lang = b.language.as_ref().and_then(|l| resolve_lang(l, src, self.diags)).unwrap_or_default();
        let date = b.date.as_ref().and_then(|d| {
            let text = d.get_ref().trim();
            match Date::parse(text) {
                Ok(date) => Some(date),
                Err(e) => {
                    self.diags.push(src.problem(d.span(), Problem::new(e.message, e.hint)));
                    None
                }
            }
        });
        let identifier = match &b.identifier {
            Some(id) => {
                let written = text_value(Some(id), "identifier", src, self.diags).unwrap_or_default();
                // A mistyped ISBN would go onto the title verso, into the EPUB and under a barcode.
                if let Some(problem) = isbn_problem(&written) {
                    self.diags.push(src.error(id.span(), problem).with_hint(
                        "check the ISBN against the publisher's record; an ISBN-13's last digit is its check digit",
                    ));
                }
                written
            }
            None => derive_identifier(&title, &authors),
        };
        let documents = match &b.documents {
            Some(list) if list.get_ref().is_empty() => {
                self.diags.push(
                    src.error(list.span(), "`documents` is empty")
                        .with_hint("list the Markdown files in reading order, e.g. [\"content/*.md\"]"),
                );
                Vec::new()
            }
            Some(list) => documents::expand(list.get_ref(), self.root, src, self.diags),
            None => {
                if !self.removed.contains("book.documents") && !self.has_parts {
                    self.diags.push(src.error(header, "missing `documents` in [book]").with_hint(
                        "list the Markdown files in reading order: documents = [\"content/*.md\"]",
                    ));
                }
                Vec::new()
            }
        };
        let subtitle = b.subtitle.as_ref().map(|s| s.get_ref().trim().to_owned()).filter(|s| !s.is_empty());
        let publisher = b.publisher.as_ref().map(|s| s.get_ref().trim().to_owned()).filter(|s| !s.is_empty());
        let rights = b.rights.as_ref().map(|s| s.get_ref().trim().to_owned()).filter(|s| !s.is_empty());
        let arrangement = self.arrangement(&b);
        (
            BookMeta { title, subtitle, authors, lang, date, publisher, rights, identifier },
            documents,
            arrangement,
        )
    }

    /// `preface`, `group-by` and `sort` of `[book]`.
    fn arrangement(&mut self, b: &RawBook) -> Arrangement {
        let src = self.src;
        let preface =
            b.preface.as_ref().and_then(|p| {
                let written = text_value(Some(p), "preface", src, self.diags)?;
                if written.contains(['*', '?', '[']) {
                    self.diags.push(src.error(p.span(), "`preface` is one file, not a glob").with_hint(
                        "write the path of one Markdown file, e.g. preface = \"content/preface.md\"",
                    ));
                    return None;
                }
                let entry = Spanned::new(p.span(), raw::StrOrTable::Str(written));
                let found = documents::expand(std::slice::from_ref(&entry), self.root, src, self.diags);
                found.into_iter().next().map(|d| (d, p.span()))
            });
        let group_by = b.group_by.as_ref().and_then(|g| {
            let how = self.keyword(
                g,
                "grouping",
                &[("year", GroupBy::Year)],
                Some("the statements can be grouped by \"year\" (of their `date`)"),
            );
            how.map(|how| (how, g.span()))
        });
        let sort = b.sort.as_ref().and_then(|o| {
            let orders = [
                ("manifest", Sort::Manifest),
                ("date", Sort::Date),
                ("title", Sort::Title),
                ("path", Sort::Path),
            ];
            self.keyword(o, "sort order", &orders, None)
        });
        let sort = sort.unwrap_or(Sort::Manifest);
        let encoding = b.encoding.as_ref().and_then(|e| resolve_encoding(e, src, self.diags));
        let missing_images = b.missing_images.as_ref().map_or(MissingImages::Error, |m| {
            let choices = [("error", MissingImages::Error), ("warn", MissingImages::Warn)];
            self.keyword(m, "missing-images value", &choices, None).unwrap_or_default()
        });
        Arrangement { preface, group_by, sort, encoding, missing_images }
    }

    /// The reading order of the volume: the preface, the statements of
    /// `[book] documents` that no part takes (a file may be matched there and by
    /// a part: the part wins, so `content/*.md` can stay in `[book]`), then the
    /// parts. A file in two parts is an error; the preface is taken out of
    /// every list.
    fn volume(
        &mut self,
        loose: Vec<DocumentEntry>,
        arrangement: Arrangement,
        parts: Vec<Spanned<raw::RawPart>>,
    ) -> (Vec<DocumentEntry>, bool, Vec<PartEntry>) {
        let src = self.src;
        let key = |d: &DocumentEntry| std::fs::canonicalize(&d.path).unwrap_or_else(|_| d.path.clone());
        if let (Some((_, span)), Some(first)) = (&arrangement.group_by, parts.first()) {
            let (line, _) = crate::diag::line_col(src.text, first.span().start);
            self.diags.push(
                src.error(span.clone(), "`group-by` and [[part]] cannot be used together").with_hint(
                    format!(
                        "remove `group-by` to keep the parts from line {line}, or remove the [[part]] tables"
                    ),
                ),
            );
        }
        let preface_key = arrangement.preface.as_ref().map(|(d, _)| key(d));
        let not_preface = |d: &DocumentEntry| preface_key.as_ref() != Some(&key(d));
        // Canonical path → title of the part that took it.
        let mut taken: std::collections::BTreeMap<PathBuf, String> = std::collections::BTreeMap::new();
        let mut grouped: Vec<(String, Vec<DocumentEntry>)> = Vec::new();
        for part in parts {
            let span = part.span();
            let p = part.into_inner();
            let title = match &p.title {
                Some(t) => text_value(Some(t), "title", src, self.diags).unwrap_or_default(),
                None => {
                    self.diags.push(
                        src.error(span.clone(), "missing `title` in a [[part]]")
                            .with_hint("give the part a title: title = \"2025\""),
                    );
                    String::new()
                }
            };
            let docs = match &p.documents {
                Some(list) if !list.get_ref().is_empty() => {
                    documents::expand(list.get_ref(), self.root, src, self.diags)
                }
                Some(list) => {
                    self.diags.push(
                        src.error(list.span(), "`documents` of a [[part]] is empty")
                            .with_hint("list the part's statements, e.g. [\"content/2025/*.md\"]"),
                    );
                    Vec::new()
                }
                None => {
                    self.diags.push(
                        src.error(span.clone(), "missing `documents` in a [[part]]")
                            .with_hint("list the part's statements: documents = [\"content/2025/*.md\"]"),
                    );
                    Vec::new()
                }
            };
            let mut mine = Vec::new();
            for d in docs.into_iter().filter(not_preface) {
                if let Some(other) = taken.get(&key(&d)) {
                    let at = p.documents.as_ref().map_or(span.clone(), Spanned::span);
                    self.diags.push(
                        src.error(at, format!("`{}` is already in the part «{other}»", d.display.display()))
                            .with_hint("a statement belongs to one part; narrow one of the globs"),
                    );
                    continue;
                }
                taken.insert(key(&d), title.clone());
                mine.push(d);
            }
            grouped.push((title, mine));
        }
        let mut documents: Vec<DocumentEntry> = Vec::new();
        let preface = arrangement.preface.is_some();
        documents.extend(arrangement.preface.map(|(d, _)| d));
        documents.extend(loose.into_iter().filter(|d| not_preface(d) && !taken.contains_key(&key(d))));
        let mut parts = Vec::new();
        for (title, docs) in grouped {
            let start = documents.len();
            documents.extend(docs);
            parts.push(PartEntry { title, documents: start..documents.len() });
        }
        (documents, preface, parts)
    }

    /// An error at each key of an output of `format` that the schema gives to the other format.
    fn foreign_keys(&mut self, o: &RawOutput, format: Format, table: &str) {
        for ((key, span), field) in o.key_spans().into_iter().zip(raw::OUTPUT_FIELDS) {
            let (Some(span), Some(only)) = (span, field.only) else { continue };
            if only == format {
                continue;
            }
            // A cover is printed like a PDF and takes its front picture like an EPUB.
            if format == Format::Cover && COVER_KEYS.contains(&key) {
                continue;
            }
            let hint = match only {
                Format::Pdf if format == Format::Cover => {
                    "a cover takes its trim from its interior; it accepts bleed, crop-marks, color, standard and printer"
                }
                Format::Pdf => "e-readers choose page and type size; this key sets pdf outputs only",
                Format::Epub => "this key sets epub outputs only; move it to an epub output",
                Format::Cover => "this key sets cover outputs only (format = \"cover\")",
            };
            let kind = if format == Format::Cover { "cover" } else { format.extension() };
            let message = format!("`{key}` does not apply to the {kind} output {table}");
            self.diags.push(self.src.error(span, message).with_hint(hint));
        }
    }

    fn output(&mut self, name: String, output: Spanned<RawOutput>) -> Option<Output> {
        let src = self.src;
        let span = output.span();
        let o = output.into_inner();
        let table = format!("[output.{}]", key_repr(&name));
        let valid_name = !name.is_empty()
            && !name.starts_with('.')
            && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid_name {
            self.diags.push(
                src.error(span.clone(), format!("output name `{name}` cannot be used in a file name"))
                    .with_hint("use letters, digits, `-`, `_` and `.`, as in [output.print]"),
            );
        } else if name.len() > MAX_OUTPUT_NAME_BYTES {
            let shown: String = name.chars().take(20).collect();
            self.diags.push(
                src.error(span.clone(), format!("output name `{shown}…` is {} bytes long, more than {MAX_OUTPUT_NAME_BYTES}", name.len()))
                    .with_hint("file names are limited to 255 bytes and the name goes into each of its files: choose a short name such as [output.print]"),
            );
        }
        let format = match &o.format {
            Some(f) => self.keyword(
                f,
                "format",
                &[("pdf", Format::Pdf), ("epub", Format::Epub), ("cover", Format::Cover)],
                None,
            ),
            None => match name.as_str() {
                "pdf" => Some(Format::Pdf),
                "epub" => Some(Format::Epub),
                _ => {
                    if !self.removed.contains(&format!("output.{}.format", key_repr(&name))) {
                        self.diags.push(
                            src.error(span.clone(), format!("missing `format` in {table}"))
                                .with_hint("add format = \"pdf\" or format = \"epub\""),
                        );
                    }
                    None
                }
            },
        };
        let kind = match format? {
            Format::Pdf => {
                self.foreign_keys(&o, Format::Pdf, &table);
                OutputKind::Pdf(self.pdf(&o, Format::Pdf))
            }
            Format::Epub => {
                self.foreign_keys(&o, Format::Epub, &table);
                OutputKind::Epub(self.epub(&o))
            }
            Format::Cover => {
                self.foreign_keys(&o, Format::Cover, &table);
                OutputKind::Cover(self.cover(&name, &o, span.clone()))
            }
        };
        let per_document = o.per_document.as_ref().is_some_and(|p| *p.get_ref());
        if per_document && let (OutputKind::Cover(_), Some(p)) = (&kind, &o.per_document) {
            self.diags.push(
                self.src
                    .error(p.span(), "a cover is for a bound book, not one per statement")
                    .with_hint("remove per-document from the cover; it wraps the whole-book pdf output"),
            );
        }
        Some(Output { name, kind, per_document })
    }

    /// A PDF output's settings; `format` is `Cover` for a cover's, whose trim is its interior's.
    fn pdf(&mut self, o: &RawOutput, format: Format) -> PdfSettings {
        let src = self.src;
        let mut s = default_pdf();
        if let Some(p) = &o.page_size {
            match length::page_size(p.get_ref()) {
                Ok(page) => s.page = page,
                Err(problem) => self.diags.push(src.problem(p.span(), problem)),
            }
        }
        if let Some(f) = &o.font_size {
            let (size, shown) = match f.get_ref() {
                StrOrNum::Str(t) => (length::length(t), format!("`{}`", t.trim())),
                StrOrNum::Num(n) if n.is_finite() => (Ok(Pt::new(*n)), format!("{n}pt")),
                StrOrNum::Num(n) => (Ok(Pt::ZERO), n.to_string()),
            };
            match size {
                Ok(size) if FONT_SIZE_RANGE_PT.contains(&size.get()) => s.font_size = size,
                Ok(_) => self.diags.push(
                    src.error(f.span(), format!("font size {shown} is out of range"))
                        .with_hint("use a size between 4pt and 72pt, e.g. \"10.5pt\""),
                ),
                Err(problem) => self.diags.push(src.problem(f.span(), problem)),
            }
        }
        s.line_height = s.font_size * DEFAULT_LINE_HEIGHT;
        if let Some(l) = &o.line_height {
            let hint =
                "use a multiple of the font size between 0.8 and 3.0, e.g. 1.3, or a length such as \"14pt\"";
            match l.get_ref() {
                StrOrNum::Num(k) if LINE_HEIGHT_RANGE.contains(k) => s.line_height = s.font_size * *k,
                StrOrNum::Num(k) => self
                    .diags
                    .push(src.error(l.span(), format!("line height {k} is out of range")).with_hint(hint)),
                StrOrNum::Str(t) => match length::length(t) {
                    Ok(lh) if LINE_HEIGHT_RANGE.contains(&(lh / s.font_size)) => s.line_height = lh,
                    Ok(lh) => {
                        let message = format!(
                            "line height `{}` is {:.2} times the font size {}",
                            t.trim(),
                            lh / s.font_size,
                            s.font_size
                        );
                        self.diags.push(src.error(l.span(), message).with_hint(hint));
                    }
                    Err(problem) => self.diags.push(src.problem(l.span(), problem)),
                },
            }
        }
        if let Some(orient) = &o.orientation {
            let (short, long) = (s.page.width.min(s.page.height), s.page.width.max(s.page.height));
            let portrait =
                self.keyword(orient, "orientation", &[("portrait", true), ("landscape", false)], None);
            match portrait {
                Some(true) => s.page = PageSize { width: short, height: long },
                Some(false) => s.page = PageSize { width: long, height: short },
                None => {}
            }
        }
        if let Some(b) = &o.binding_offset {
            match length::length(b.get_ref()) {
                Ok(v) => s.binding_offset = v,
                Err(problem) => self.diags.push(src.problem(b.span(), problem)),
            }
        }
        let tri = self.fold(o, &mut s);
        if let Some((size, margins)) = small_page_defaults(s.page) {
            if o.margins.is_none() {
                s.margins = margins;
            }
            // The leading keeps its ratio to the type, unless given as a length.
            let absolute = matches!(o.line_height.as_ref().map(Spanned::get_ref), Some(StrOrNum::Str(_)));
            if o.font_size.is_none() && !absolute {
                s.line_height = size * (s.line_height / s.font_size);
                s.font_size = size;
            }
        }
        if let Some(m) = &o.margins {
            self.margins(m, &mut s);
        }
        if let Some(share) =
            self.percentage(o.expansion.as_ref(), "font expansion", MAX_EXPANSION, "expansion = \"2%\"")
        {
            s.expansion = share;
        }
        if let Some(share) =
            self.percentage(o.tracking.as_ref(), "letter-spacing", MAX_TRACKING, "tracking = \"2.5%\"")
        {
            s.tracking = share;
        }
        if let Some(a) = &o.align {
            let aligns = [
                ("justify", TextAlign::Justify),
                ("justified", TextAlign::Justify),
                ("left", TextAlign::Left),
                ("ragged", TextAlign::Left),
            ];
            let hint = "use \"justify\" (both edges straight) or \"left\" (ragged right)";
            s.align = self.keyword(a, "align", &aligns, Some(hint));
        }
        let inner = s.margins.inner + s.binding_offset;
        if s.binding_offset > Pt::ZERO
            && inner >= s.page.width / 2.0
            && let Some(b) = &o.binding_offset
        {
            let message = format!(
                "inner margin plus binding offset {} is not less than half the page width ({})",
                show_mm(inner),
                show_mm(s.page.width / 2.0)
            );
            self.diags
                .push(src.error(b.span(), message).with_hint("use a smaller binding offset or inner margin"));
        }
        self.print(o, &mut s, format);
        if tri {
            s.imposition = Some(Imposition::TriFold);
        }
        self.leaflet(o, &mut s);
        if let Some(st) = &o.start {
            let starts = [
                ("recto", Start::Recto),
                ("right", Start::Recto),
                ("odd", Start::Recto),
                ("any", Start::Any),
            ];
            let hint = "use \"recto\" (a right-hand page) or \"any\" (the next page)";
            if let Some(start) = self.keyword(st, "start", &starts, Some(hint)) {
                s.start = Some(start);
            }
        }
        s.contents = o.contents.as_ref().map(|c| *c.get_ref());
        let leaflet = s.is_leaflet();
        s.running_heads = o.running_heads.as_ref().map_or(!leaflet, |r| *r.get_ref());
        s.folios = o.folios.as_ref().map_or(!leaflet, |r| *r.get_ref());
        s.back_cover = o.back_cover.as_ref().is_some_and(|r| *r.get_ref());
        if let Some(h) = &o.image_max_height {
            let v = *h.get_ref();
            if (0.1..=1.0).contains(&v) {
                s.image_max_height = v;
            } else {
                self.diags.push(
                    src.error(h.span(), format!("`image-max-height` {v} is outside 0.1 to 1"))
                        .with_hint("a share of the text block's height: `image-max-height = 0.5` for half"),
                );
            }
        }
        s
    }

    /// `fold = "tri"`: the page becomes one panel, a third of the sheet laid
    /// landscape, and the panels are imposed three to a side. True for a tri-fold.
    fn fold(&mut self, o: &RawOutput, s: &mut PdfSettings) -> bool {
        let Some(f) = &o.fold else { return false };
        let folds = [("tri", true), ("tri-fold", true), ("letter", true), ("none", false)];
        let hint = "use \"tri\" for a letter-folded leaflet of six panels, or \"none\"";
        match self.keyword(f, "fold", &folds, Some(hint)) {
            Some(true) => {
                if let Some(i) = &o.imposition {
                    self.diags.push(
                        self.src
                            .error(i.span(), "`imposition` cannot be combined with fold = \"tri\"")
                            .with_hint(
                                "a tri-fold leaflet is imposed three panels to a side; remove `imposition`",
                            ),
                    );
                }
                let (short, long) = (s.page.width.min(s.page.height), s.page.width.max(s.page.height));
                s.page = PageSize { width: long / 3.0, height: short };
                true
            }
            Some(false) | None => false,
        }
    }

    /// `columns`, `gutter`, `fit-pages` and its bounds.
    fn leaflet(&mut self, o: &RawOutput, s: &mut PdfSettings) {
        let src = self.src;
        let whole = |n: f64| (n.fract() == 0.0 && n >= 1.0).then_some(n as usize);
        if let Some(c) = &o.columns {
            match whole(*c.get_ref()) {
                Some(n) if n <= MAX_COLUMNS => s.columns = n,
                _ => self.diags.push(
                    src.error(c.span(), format!("cannot set {} columns", c.get_ref()))
                        .with_hint("use columns = 2 or 3 for a leaflet, 1 (the default) for a book"),
                ),
            }
            if s.columns > 1 && s.imposition == Some(Imposition::TriFold) {
                self.diags.push(
                    src.error(c.span(), "`columns` cannot be combined with fold = \"tri\"")
                        .with_hint("each panel of a tri-fold leaflet is one column; remove `columns`"),
                );
            }
        }
        if let Some(g) = &o.gutter {
            match length::length(g.get_ref()) {
                Ok(v) => s.gutter = Some(v),
                Err(problem) => self.diags.push(src.problem(g.span(), problem)),
            }
        }
        let text_width = s.page.width - s.margins.inner - s.binding_offset - s.margins.outer;
        let n = s.columns as f64;
        let column = (text_width - s.gutter() * (n - 1.0)) / n;
        if column.to_mm() < MIN_COLUMN_MM && text_width > Pt::ZERO {
            let span = o.columns.as_ref().map(Spanned::span).or_else(|| o.fold.as_ref().map(Spanned::span));
            if let Some(span) = span {
                // Rounded down, so that a column just under the least never reads as equal to it.
                let shown = (column.to_mm() * 10.0).floor() / 10.0;
                let message = format!("text columns would be {shown}mm wide, under {MIN_COLUMN_MM}mm");
                self.diags.push(
                    src.error(span, message)
                        .with_hint("use fewer columns, a narrower gutter, smaller margins or a larger page"),
                );
            }
        }
        let min = self.size_bound(o.font_size_min.as_ref());
        let max = self.size_bound(o.font_size_max.as_ref());
        let Some(f) = &o.fit_pages else {
            for (key, v) in [("font-size-min", &o.font_size_min), ("font-size-max", &o.font_size_max)] {
                if let Some(v) = v {
                    self.diags.push(
                        src.error(v.span(), format!("`{key}` needs `fit-pages`"))
                            .with_hint("add fit-pages = 2 (the pages to fill), or remove the bound"),
                    );
                }
            }
            return;
        };
        let target = match f.get_ref() {
            StrOrNum::Num(n) => whole(*n).map(FitTarget::Pages),
            StrOrNum::Str(t) if t.trim() == "booklet" => Some(FitTarget::Booklet),
            StrOrNum::Str(_) => None,
        };
        let Some(target) = target else {
            let shown = match f.get_ref() {
                StrOrNum::Num(n) => n.to_string(),
                StrOrNum::Str(t) => format!("\"{t}\""),
            };
            self.diags.push(
                src.error(f.span(), format!("cannot fit the text to {shown} pages")).with_hint(
                    "give a whole number of pages, e.g. fit-pages = 2, or fit-pages = \"booklet\"",
                ),
            );
            return;
        };
        if let FitTarget::Pages(pages) = target
            && pages > MAX_FIT_PAGES
        {
            self.diags.push(
                src.error(f.span(), format!("fit-pages = {pages} is more than {MAX_FIT_PAGES} pages"))
                    .with_hint(
                        "copyfitting is for leaflets and pamphlets; leave `fit-pages` out for a longer book",
                    ),
            );
            return;
        }
        let (min, max) = match target {
            // Around the size the output is set at, a few points either way.
            FitTarget::Booklet => (
                min.unwrap_or(s.font_size * (1.0 - BOOKLET_FIT_RANGE)),
                max.unwrap_or(s.font_size * (1.0 + BOOKLET_FIT_RANGE)),
            ),
            // Without `font-size-max`, a size written for the output is the largest wanted.
            FitTarget::Pages(_) => (
                min.unwrap_or(Pt::new(DEFAULT_FIT_MIN_PT)),
                max.unwrap_or(if o.font_size.is_some() { s.font_size } else { Pt::new(DEFAULT_FIT_MAX_PT) }),
            ),
        };
        if min > max {
            let span = o.font_size_min.as_ref().map_or(f.span(), Spanned::span);
            self.diags.push(
                src.error(
                    span,
                    format!("font-size-min {} is above the largest size {}", show_pt(min), show_pt(max)),
                )
                .with_hint("lower `font-size-min`, or raise `font-size-max` (or `font-size`)"),
            );
            return;
        }
        let at = crate::diag::line_col(src.text, f.span().start);
        s.fit = Some(Fit { target, min, max, at });
    }

    /// `font-size-min` or `font-size-max`: a size in range, else an error.
    fn size_bound(&mut self, v: Option<&Spanned<StrOrNum>>) -> Option<Pt> {
        let v = v?;
        let size = match v.get_ref() {
            StrOrNum::Str(t) => length::length(t),
            StrOrNum::Num(n) => Ok(Pt::new(if n.is_finite() { *n } else { 0.0 })),
        };
        match size {
            Ok(size) if FONT_SIZE_RANGE_PT.contains(&size.get()) => Some(size),
            Ok(size) => {
                self.diags.push(
                    self.src
                        .error(v.span(), format!("font size {size} is out of range"))
                        .with_hint("use a size between 4pt and 72pt, e.g. \"8pt\""),
                );
                None
            }
            Err(problem) => {
                self.diags.push(self.src.problem(v.span(), problem));
                None
            }
        }
    }

    /// Bleed, crop marks, imposition, creep, colour and standard.
    /// A warning at each key whose value breaks the output's printer's rules.
    fn printer_overrides(&mut self, o: &RawOutput, s: &PdfSettings, format: Format) {
        let Some(PrinterUse { printer, .. }) = s.printer else { return };
        let rules = printer.rules();
        let name = rules.name;
        let mut warn = |span: Range<usize>, message: String, hint: String| {
            self.diags.push(
                Diagnostic::warning(Some(Location::at(self.src.path, self.src.text, span.start)), message)
                    .with_hint(hint),
            );
        };
        let printer_span = o.printer.as_ref().map_or(0..0, Spanned::span);
        if let Some(b) = &o.bleed
            && s.bleed.to_mm() + 0.05 < rules.bleed_mm
        {
            warn(
                b.span(),
                format!(
                    "{name} asks for {:.2}mm of bleed; this output has {}",
                    rules.bleed_mm,
                    show_mm(s.bleed)
                ),
                format!("leave `bleed` out to take {name}'s"),
            );
        }
        if let Some(c) = &o.crop_marks
            && s.crop_marks != rules.crop_marks
        {
            let (message, hint) = if rules.crop_marks {
                (format!("{name} trims by crop marks, and this output has none"), "set crop-marks = true")
            } else {
                (format!("{name} refuses files with crop marks"), "set crop-marks = false, or leave it out")
            };
            warn(c.span(), message, hint.into());
        }
        if let Some(c) = &o.color
            && rules.color == ColorMode::Cmyk
            && s.color == ColorMode::Color
        {
            warn(
                c.span(),
                format!("{name} asks for CMYK or gray, not RGB"),
                "set color = \"cmyk\" (or \"gray\"), or leave it out".into(),
            );
        }
        if let Some(st) = &o.standard
            && rules.pdfx
            && !s.pdfx
        {
            warn(
                st.span(),
                format!("{name} asks for PDF/X; this output does not claim it"),
                "add \"pdf/x-4\" to `standard`".into(),
            );
        }
        if let Some(i) = &o.imposition
            && rules.single_pages
            && s.imposition.is_some()
        {
            warn(
                i.span(),
                format!("{name} imposes the pages itself and takes single pages"),
                "remove `imposition` from this output, or make another output for a local press".into(),
            );
        }
        let (w, h) = (s.page.width.to_mm(), s.page.height.to_mm());
        if format != Format::Cover && !rules.prints_trim(w, h) {
            let span = o.page_size.as_ref().map_or(printer_span, Spanned::span);
            warn(
                span,
                format!(
                    "{name} does not print a {}x{}mm trim",
                    (w * 10.0).round() / 10.0,
                    (h * 10.0).round() / 10.0
                ),
                format!("use one of its trims: {}", rules.trim_list()),
            );
        }
    }

    fn print(&mut self, o: &RawOutput, s: &mut PdfSettings, format: Format) {
        let src = self.src;
        // A printer's defaults first: the keys below override them.
        if let Some(p) = &o.printer
            && let Some(printer) = self.keyword(p, "printer", printer::NAMES, None)
        {
            let rules = printer.rules();
            s.bleed = Pt::mm(rules.bleed_mm);
            s.crop_marks = rules.crop_marks;
            s.color = rules.color;
            s.pdfx = rules.pdfx;
            let (line, column) = crate::diag::line_col(src.text, p.span().start);
            s.printer = Some(PrinterUse { printer, line, column });
        }
        if let Some(b) = &o.bleed {
            match length::length(b.get_ref()) {
                Ok(v) if v.to_mm() <= MAX_BLEED_MM + 1e-9 => s.bleed = v,
                Ok(v) => self.diags.push(
                    src.error(b.span(), format!("bleed {} is larger than {MAX_BLEED_MM}mm", show_mm(v)))
                        .with_hint("print shops usually ask for 3mm: bleed = \"3mm\""),
                ),
                Err(problem) => self.diags.push(src.problem(b.span(), problem)),
            }
        }
        if let Some(c) = &o.crop_marks {
            s.crop_marks = *c.get_ref();
        }
        if let Some(i) = &o.imposition {
            let kinds = [
                ("booklet", Some(Imposition::Booklet)),
                ("2-up", Some(Imposition::TwoUp)),
                ("2up", Some(Imposition::TwoUp)),
                ("4-up", Some(Imposition::FourUp)),
                ("4up", Some(Imposition::FourUp)),
                ("none", None),
            ];
            if let Some(imposition) = self.keyword(i, "imposition", &kinds, None) {
                s.imposition = imposition;
            }
        }
        if let Some(c) = &o.creep {
            match length::length(c.get_ref()) {
                Ok(_) if s.imposition != Some(Imposition::Booklet) && o.imposition.is_some() => {
                    self.diags.push(
                        src.error(c.span(), "`creep` applies only to imposition = \"booklet\"")
                            .with_hint("remove `creep`, or set imposition = \"booklet\""),
                    )
                }
                Ok(_) if o.imposition.is_none() => self.diags.push(
                    src.error(c.span(), "`creep` needs imposition = \"booklet\"")
                        .with_hint("add imposition = \"booklet\" to this output"),
                ),
                Ok(v) if v.to_mm() <= MAX_CREEP_MM + 1e-9 => s.creep = v,
                Ok(v) => self.diags.push(
                    src.error(
                        c.span(),
                        format!("creep {} per sheet is larger than {MAX_CREEP_MM}mm", show_mm(v)),
                    )
                    .with_hint("creep is about the paper thickness, e.g. creep = \"0.1mm\""),
                ),
                Err(problem) => self.diags.push(src.problem(c.span(), problem)),
            }
        }
        if let Some(c) = &o.color {
            let modes = [
                ("color", ColorMode::Color),
                ("colour", ColorMode::Color),
                ("gray", ColorMode::Gray),
                ("grey", ColorMode::Gray),
                ("grayscale", ColorMode::Gray),
                ("greyscale", ColorMode::Gray),
                ("cmyk", ColorMode::Cmyk),
            ];
            if let Some(mode) = self.keyword(c, "color", &modes, None) {
                s.color = mode;
            }
        }
        if let Some(st) = &o.standard {
            // The standards written replace a printer's.
            s.pdfx = false;
            for value in st.get_ref().values() {
                let written = value.trim().to_ascii_lowercase().replace(' ', "");
                let level = match written.as_str() {
                    "pdf/a-2b" | "pdfa-2b" | "pdf/a2b" => Some(Standard::PdfA2b),
                    "pdf/a-2a" | "pdfa-2a" | "pdf/a2a" => Some(Standard::PdfA2a),
                    "pdf/ua-1" | "pdfua-1" | "pdf/ua1" | "pdf/ua" => {
                        s.ua = true;
                        None
                    }
                    "pdf/x-4" | "pdfx-4" | "pdf/x4" => {
                        s.pdfx = true;
                        None
                    }
                    w if w.starts_with("pdf/x") || w.starts_with("pdfx") => {
                        self.diags.push(
                            src.error(st.span(), format!("samizdat cannot write `{}`", value.trim()))
                                .with_hint(
                                    "samizdat writes PDF/X-4, which every press that takes PDF/X-1a also \
                                 accepts or converts: standard = \"pdf/x-4\"",
                                ),
                        );
                        None
                    }
                    _ => {
                        self.diags.push(
                            src.error(st.span(), format!("unknown standard `{}`", value.trim())).with_hint(
                                "the supported standards are \"pdf/a-2b\", \"pdf/a-2a\", \"pdf/ua-1\" and \"pdf/x-4\" \
                                 (a list such as [\"pdf/a-2a\", \"pdf/ua-1\"] claims several)",
                            ),
                        );
                        None
                    }
                };
                if let Some(level) = level {
                    if s.standard.is_some_and(|had| had != level) {
                        self.diags.push(
                            src.error(st.span(), "a file conforms to one PDF/A level at a time")
                                .with_hint("keep one of \"pdf/a-2a\" and \"pdf/a-2b\""),
                        );
                    }
                    s.standard = Some(level);
                }
            }
        }
        self.printer_overrides(o, s, format);
    }

    fn margins(&mut self, m: &Spanned<StrOrTable<raw::RawMargins>>, s: &mut PdfSettings) {
        let src = self.src;
        // Each side with the span to blame if it does not fit.
        let mut sides: Vec<(&str, Range<usize>)> = Vec::new();
        match m.get_ref() {
            StrOrTable::Str(t) => match length::length(t) {
                Ok(all) => {
                    s.margins = Margins { top: all, bottom: all, inner: all, outer: all };
                    sides.extend(["top", "bottom", "inner", "outer"].map(|side| (side, m.span())));
                }
                Err(problem) => self.diags.push(src.problem(m.span(), problem)),
            },
            StrOrTable::Table(t) => {
                let fields = [
                    ("top", &t.top, &mut s.margins.top),
                    ("bottom", &t.bottom, &mut s.margins.bottom),
                    ("inner", &t.inner, &mut s.margins.inner),
                    ("outer", &t.outer, &mut s.margins.outer),
                ];
                for (side, value, slot) in fields {
                    let Some(value) = value else { continue };
                    match length::length(value.get_ref()) {
                        Ok(v) => {
                            *slot = v;
                            sides.push((side, value.span()));
                        }
                        Err(problem) => self.diags.push(src.problem(value.span(), problem)),
                    }
                }
            }
        }
        // Margins must leave room for text: each under half the page.
        let mut blamed = Vec::new();
        for (side, span) in sides {
            let (value, extent, dimension) = match side {
                "top" => (s.margins.top, s.page.height, "height"),
                "bottom" => (s.margins.bottom, s.page.height, "height"),
                "inner" => (s.margins.inner, s.page.width, "width"),
                _ => (s.margins.outer, s.page.width, "width"),
            };
            let half = extent / 2.0;
            if value >= half && !blamed.contains(&span) {
                let message = format!(
                    "{side} margin {} is not less than half the page {dimension} ({})",
                    show_mm(value),
                    show_mm(half)
                );
                self.diags
                    .push(src.error(span.clone(), message).with_hint("use smaller margins or a larger page"));
                blamed.push(span);
            }
        }
    }

    /// `[fonts]`: paths made absolute. Whether each file is a usable font is
    /// checked by the driver when it loads the faces.
    fn fonts(&mut self, f: RawFonts) -> FontPaths {
        let mut file = |value: Option<Spanned<String>>, key: &str| {
            let value = value?;
            let written = text_value(Some(&value), key, self.src, self.diags)?;
            let at = Location::at(self.src.path, self.src.text, value.span().start);
            Some(FontFile { path: self.root.join(&written), written, at })
        };
        FontPaths {
            serif: file(f.serif, "serif"),
            serif_italic: file(f.serif_italic, "serif-italic"),
            serif_bold: file(f.serif_bold, "serif-bold"),
            serif_bold_italic: file(f.serif_bold_italic, "serif-bold-italic"),
            sans: file(f.sans, "sans"),
            sans_bold: file(f.sans_bold, "sans-bold"),
            mono: file(f.mono, "mono"),
            fallback: file(f.fallback, "fallback"),
        }
    }

    /// A percentage from 0 % to `most` (a share) as a share; an error naming
    /// `what` otherwise, with the default `example` as the hint.
    fn percentage(
        &mut self,
        value: Option<&Spanned<String>>,
        what: &str,
        most: f64,
        example: &str,
    ) -> Option<f64> {
        let v = value?;
        let text = v.get_ref().trim();
        match text.strip_suffix('%').and_then(|p| p.trim().parse::<f64>().ok()) {
            Some(p) if (0.0..=most * 100.0).contains(&p) => Some(p / 100.0),
            _ => {
                let most = most * 100.0;
                self.diags.push(
                    self.src
                        .error(v.span(), format!("{what} `{text}` is not a percentage from 0% to {most}%"))
                        .with_hint(format!("write {example} (the default), or \"0%\" to turn it off")),
                );
                None
            }
        }
    }

    /// A cover's own keys; its interior is found once every output is read
    /// ([`Resolver::interiors`]).
    fn cover(&mut self, name: &str, o: &RawOutput, table: Range<usize>) -> CoverSettings {
        let mut print = self.pdf(o, Format::Cover);
        if o.bleed.is_none() && print.printer.is_none() {
            print.bleed = Pt::mm(COVER_BLEED_MM);
        }
        let mut caliper = Pt::mm(DEFAULT_CALIPER_MM);
        let stock = o.paper_caliper.as_ref().and_then(|c| {
            let name = c.get_ref().trim().to_ascii_lowercase();
            printer::STOCKS.iter().find(|(n, _)| *n == name).map(|(_, mm)| Pt::mm(*mm))
        });
        if let Some(mm) = stock {
            caliper = mm;
        } else if let Some(c) = &o.paper_caliper {
            match length::length(c.get_ref()) {
                Ok(v) if CALIPER_RANGE_MM.contains(&((v.to_mm() * 1e6).round() / 1e6)) => caliper = v,
                Ok(v) => self.diags.push(
                    self.src
                        .error(c.span(), format!("paper caliper {} is not the thickness of a leaf", show_mm(v)))
                        .with_hint("one leaf (two pages) of book paper is 0.05mm to 0.2mm: paper-caliper = \"0.1mm\""),
                ),
                Err(_) => {
                    let names: Vec<&str> = printer::STOCKS.iter().map(|(n, _)| *n).collect();
                    self.diags.push(
                        self.src
                            .error(c.span(), format!("paper caliper `{}` is neither a length nor a paper", c.get_ref().trim()))
                            .with_hint(format!("give the thickness of a leaf, \"0.1mm\", or a paper: {}", names.join(", "))),
                    );
                }
            }
        }
        let image = self.existing_file(o.cover.as_ref(), "cover", "cover image");
        let blurb = self.existing_file(o.blurb.as_ref(), "blurb", "blurb");
        let interior = o.interior.as_ref().map(|i| (i.get_ref().trim().to_string(), i.span()));
        self.interiors.push(PendingCover { cover: name.to_string(), named: interior, table });
        CoverSettings { interior: String::new(), caliper, image, blurb, print }
    }

    /// A file the manifest names, relative to its folder; an error when it is missing.
    fn existing_file(&mut self, value: Option<&Spanned<String>>, key: &str, what: &str) -> Option<PathBuf> {
        let c = value?;
        let written = text_value(Some(c), key, self.src, self.diags)?;
        let path = self.root.join(&written);
        if !path.is_file() {
            self.diags.push(
                self.src.error(c.span(), format!("{what} `{written}` not found")).with_hint(format!(
                    "paths are relative to the manifest folder `{}`",
                    self.root.display()
                )),
            );
        }
        Some(path)
    }

    /// Gives each cover its interior: the PDF output it names, else the book's
    /// only whole-book PDF output; and the interior's trim as its panel size and
    /// its body size for the cover's lines.
    fn interiors(&mut self, outputs: &mut [Output]) {
        for PendingCover { cover, named, table } in std::mem::take(&mut self.interiors) {
            let wholes: Vec<&Output> =
                outputs.iter().filter(|o| matches!(o.kind, OutputKind::Pdf(_)) && !o.per_document).collect();
            let found = match &named {
                Some((name, span)) => match outputs.iter().find(|o| &o.name == name) {
                    Some(o) if matches!(o.kind, OutputKind::Pdf(_)) && !o.per_document => Some(o),
                    Some(_) => {
                        self.diags.push(
                            self.src
                                .error(
                                    span.clone(),
                                    format!("the interior `{name}` is not a whole-book pdf output"),
                                )
                                .with_hint("name a pdf output without per-document = true"),
                        );
                        None
                    }
                    None => {
                        let names: Vec<String> = wholes.iter().map(|o| format!("`{}`", o.name)).collect();
                        self.diags.push(
                            self.src.error(span.clone(), format!("no output named `{name}`")).with_hint(
                                if names.is_empty() {
                                    "add a pdf output for the book's pages".to_string()
                                } else {
                                    format!("the whole-book pdf outputs are {}", names.join(", "))
                                },
                            ),
                        );
                        None
                    }
                },
                None if wholes.len() == 1 => Some(wholes[0]),
                None => {
                    let message = if wholes.is_empty() {
                        format!(
                            "the cover [output.{}] has no interior: the book has no whole-book pdf output",
                            key_repr(&cover)
                        )
                    } else {
                        format!(
                            "the cover [output.{}] could be for {} pdf outputs",
                            key_repr(&cover),
                            wholes.len()
                        )
                    };
                    self.diags.push(
                        self.src
                            .error(table.clone(), message)
                            .with_hint("say which with interior = \"NAME\""),
                    );
                    None
                }
            };
            let Some((name, interior)) = found.and_then(|o| match &o.kind {
                OutputKind::Pdf(p) => Some((o.name.clone(), *p)),
                _ => None,
            }) else {
                continue;
            };
            if let Some(OutputKind::Cover(c)) =
                outputs.iter_mut().find(|o| o.name == cover).map(|o| &mut o.kind)
            {
                c.interior = name;
                c.print.page = interior.page;
                c.print.font_size = interior.font_size;
            }
        }
    }

    fn epub(&mut self, o: &RawOutput) -> EpubSettings {
        let cover = o.cover.as_ref().and_then(|c| {
            let written = text_value(Some(c), "cover", self.src, self.diags)?;
            let path = self.root.join(&written);
            if !path.is_file() {
                self.diags.push(
                    self.src.error(c.span(), format!("cover image `{written}` not found")).with_hint(
                        format!("paths are relative to the manifest folder `{}`", self.root.display()),
                    ),
                );
            }
            Some(path)
        });
        let compress_images = o.compress_images.as_ref().is_none_or(|c| *c.get_ref());
        let mut soft_hyphens = SoftHyphens::default();
        if let Some(v) = &o.soft_hyphens {
            let values =
                [("auto", SoftHyphens::Auto), ("always", SoftHyphens::Always), ("never", SoftHyphens::Never)];
            let hint = "use \"auto\" (Kazakh only), \"always\" or \"never\"";
            if let Some(found) = self.keyword(v, "soft-hyphens", &values, Some(hint)) {
                soft_hyphens = found;
            }
        }
        let cover_generate = o.cover_generate.as_ref().is_none_or(|c| *c.get_ref());
        let embed_fonts = o.embed_fonts.as_ref().is_none_or(|c| *c.get_ref());
        EpubSettings { cover, compress_images, soft_hyphens, cover_generate, embed_fonts }
    }
}
