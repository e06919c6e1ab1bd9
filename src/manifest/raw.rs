//! The manifest as written: one serde struct per `book.toml` table, close to the
//! user's text, with spans kept for diagnostics. Before serde sees the document,
//! [`check`] walks it against a [`Schema`] describing the same tables, reports
//! every unknown key and every value of the wrong type, and removes them, so
//! that one run reports all such problems and deserialisation cannot fail on
//! them (serde's `deny_unknown_fields` alone stops at the first).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue};

use super::{Format, Source, suggest};
use crate::diag::Diagnostics;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawManifest {
    /// `[book]`: metadata and the list of documents.
    pub book: Option<Spanned<RawBook>>,
    /// `[output.NAME]` tables keyed by name.
    pub output: Option<BTreeMap<String, Spanned<RawOutput>>>,
    /// `[[part]]` tables in order: the parts of a collected volume.
    pub part: Option<Vec<Spanned<RawPart>>>,
    /// `[fonts]`: font files replacing the embedded faces, and a fallback.
    pub fonts: Option<Spanned<RawFonts>>,
}

/// `[fonts]`: paths of font files, relative to the manifest folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawFonts {
    /// Body text, regular (PT Serif by default).
    pub serif: Option<Spanned<String>>,
    /// Body text, italic.
    pub serif_italic: Option<Spanned<String>>,
    /// Body text, bold.
    pub serif_bold: Option<Spanned<String>>,
    /// Body text, bold italic.
    pub serif_bold_italic: Option<Spanned<String>>,
    /// Headings and running heads, regular (PT Sans by default).
    pub sans: Option<Spanned<String>>,
    /// Headings, bold.
    pub sans_bold: Option<Spanned<String>>,
    /// Code, monospaced (PT Mono by default).
    pub mono: Option<Spanned<String>>,
    /// A font for characters the main faces lack (emoji, CJK); needs no Cyrillic.
    pub fallback: Option<Spanned<String>>,
}

/// One `[[part]]`: a title over the statements its globs select.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPart {
    /// Title of the part; required.
    pub title: Option<Spanned<String>>,
    /// Globs or `{ file, title, lang }` entries, as in `[book] documents`; required.
    pub documents: Option<Spanned<Vec<Spanned<StrOrTable<RawDocument>>>>>,
}

/// `[book]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawBook {
    /// Book title; required.
    pub title: Option<Spanned<String>>,
    /// Subtitle.
    pub subtitle: Option<Spanned<String>>,
    /// Authors in order.
    pub authors: Option<Vec<Spanned<String>>>,
    /// BCP 47 tag of the main language (`ru`, `kk`, `en`, region subtags allowed).
    pub language: Option<Spanned<String>>,
    /// Publication date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a TOML date is read as its text).
    pub date: Option<Spanned<String>>,
    /// Publisher.
    pub publisher: Option<Spanned<String>>,
    /// Rights or licence line (`"CC BY 4.0"`), printed in the imprint.
    pub rights: Option<Spanned<String>>,
    /// Unique identifier; derived from title and authors when absent.
    pub identifier: Option<Spanned<String>>,
    /// Globs or `{ file, title, lang }` entries, in reading order.
    pub documents: Option<Spanned<Vec<Spanned<StrOrTable<RawDocument>>>>>,
    /// A Markdown file set before the first statement, listed in the contents.
    pub preface: Option<Spanned<String>>,
    /// Parts made from a front-matter field instead of `[[part]]`: `year` (of `date`).
    pub group_by: Option<Spanned<String>>,
    /// Order of the statements within each part: `manifest`, `date`, `title` or `path`.
    pub sort: Option<Spanned<String>>,
    /// Character encoding of the statements when it is not UTF-8 (`cp1251`, `koi8-r`).
    pub encoding: Option<Spanned<String>>,
    /// What a missing image is: `error` (the default) or `warn`.
    pub missing_images: Option<Spanned<String>>,
}

/// A `{ file = "…", title = "…", lang = "…" }` entry of `documents`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawDocument {
    /// Path of one Markdown file, relative to the manifest folder; required.
    pub file: Option<Spanned<String>>,
    /// Title overriding the one in the file.
    pub title: Option<Spanned<String>>,
    /// PDF running head for the statement, when its title is too long for one.
    pub running_head: Option<Spanned<String>>,
    /// Language overriding the book's.
    pub lang: Option<Spanned<String>>,
    /// Character encoding of this file when it is not UTF-8.
    pub encoding: Option<Spanned<String>>,
}

/// `[output.NAME]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawOutput {
    /// `pdf`, `epub` or `cover`; may be left out when the table is named `pdf` or `epub`.
    pub format: Option<Spanned<String>>,
    /// PDF: a page name or `WIDTH x HEIGHT`.
    pub page_size: Option<Spanned<String>>,
    /// PDF: one length for all sides or a table of sides.
    pub margins: Option<Spanned<StrOrTable<RawMargins>>>,
    /// PDF: a length or a number of points.
    pub font_size: Option<Spanned<StrOrNum>>,
    /// PDF: a multiple of the font size or a length.
    pub line_height: Option<Spanned<StrOrNum>>,
    /// PDF: `portrait` or `landscape`; turns a named page size on its side.
    pub orientation: Option<Spanned<String>>,
    /// PDF: extra inner margin for the binding (added to `margins.inner`).
    pub binding_offset: Option<Spanned<String>>,
    /// PDF: bleed beyond the trimmed page on every side, a length.
    pub bleed: Option<Spanned<String>>,
    /// PDF: draw crop marks in a slug area outside the bleed.
    pub crop_marks: Option<Spanned<bool>>,
    /// PDF: `booklet`, `2-up` or `4-up`: also write an imposed PDF.
    pub imposition: Option<Spanned<String>>,
    /// PDF booklet: creep compensation per sheet, a length.
    pub creep: Option<Spanned<String>>,
    /// PDF: `color` (default) or `gray`.
    pub color: Option<Spanned<String>>,
    /// PDF: the standards the file claims, `pdf/a-2b` or a list such as
    /// `["pdf/a-2a", "pdf/ua-1"]`.
    pub standard: Option<Spanned<StrOrList>>,
    /// EPUB: cover image, relative to the manifest folder.
    pub cover: Option<Spanned<String>>,
    /// EPUB: deflate images that shrink by it (default true); false stores every image as it is.
    pub compress_images: Option<Spanned<bool>>,
    /// EPUB: draw a cover (title, authors, year) when the book has no picture for one (default true).
    pub cover_generate: Option<Spanned<bool>>,
    /// EPUB: embed the book's faces, subset to its text (default true).
    pub embed_fonts: Option<Spanned<bool>>,
    /// EPUB: `auto` (default), `always` or `never`: soft hyphens at the break points
    /// samizdat's patterns allow, for reading systems without the language's dictionary.
    pub soft_hyphens: Option<Spanned<String>>,
    /// PDF: `recto` (statements begin on a right-hand page) or `any`.
    pub start: Option<Spanned<String>>,
    /// PDF: a title page and a table of contents in front.
    pub contents: Option<Spanned<bool>>,
    /// PDF: book title on left pages and statement title on right pages (default true).
    pub running_heads: Option<Spanned<bool>>,
    /// PDF: page numbers at the foot (default true, false on leaflets).
    pub folios: Option<Spanned<bool>>,
    /// PDF: the statement's last page is its back cover (a booklet's blank pages go before it).
    pub back_cover: Option<Spanned<bool>>,
    /// PDF: largest share of the text block's height an image may take, 0.1 to 1.
    pub image_max_height: Option<Spanned<f64>>,
    /// One file per statement instead of one for the whole book.
    pub per_document: Option<Spanned<bool>>,
    /// PDF: columns of text per page, 1 to 3 (leaflets).
    pub columns: Option<Spanned<f64>>,
    /// PDF: space between columns, a length.
    pub gutter: Option<Spanned<String>>,
    /// PDF: `tri` for a letter-folded leaflet of six panels, or `none`.
    pub fold: Option<Spanned<String>>,
    /// PDF: copyfit the text to this many pages (panels of a folded leaflet), or
    /// `"booklet"`: to a whole number of folded sheets.
    pub fit_pages: Option<Spanned<StrOrNum>>,
    /// PDF with `fit-pages`: smallest font size to try.
    pub font_size_min: Option<Spanned<StrOrNum>>,
    /// PDF with `fit-pages`: largest font size to try.
    pub font_size_max: Option<Spanned<StrOrNum>>,
    /// PDF: `justify` or `left` (ragged right); default: by the measure.
    pub align: Option<Spanned<String>>,
    /// PDF: font expansion of justified lines, a percentage (`"2%"`; `"0%"` turns it off).
    pub expansion: Option<Spanned<String>>,
    /// PDF: letter-spacing of loose justified lines, a percentage of an em (`"2.5%"`; `"0%"` off).
    pub tracking: Option<Spanned<String>>,
    /// Cover: the PDF output whose pages the spine holds.
    pub interior: Option<Spanned<String>>,
    /// Cover: the thickness of one leaf (two pages), a length.
    pub paper_caliper: Option<Spanned<String>>,
    /// Cover: a Markdown file set on the back cover.
    pub blurb: Option<Spanned<String>>,
    /// PDF and cover: the print service whose rules the output follows.
    pub printer: Option<Spanned<String>>,
}

impl RawOutput {
    /// Every key of the table with its span when it was written, in the order of
    /// [`OUTPUT_FIELDS`] (a test keeps the two alike), so checks that depend on a
    /// key's scope read it from the schema instead of listing keys again.
    pub(super) fn key_spans(&self) -> [(&'static str, Option<Range<usize>>); 38] {
        [
            ("format", self.format.as_ref().map(Spanned::span)),
            ("page-size", self.page_size.as_ref().map(Spanned::span)),
            ("margins", self.margins.as_ref().map(Spanned::span)),
            ("font-size", self.font_size.as_ref().map(Spanned::span)),
            ("line-height", self.line_height.as_ref().map(Spanned::span)),
            ("orientation", self.orientation.as_ref().map(Spanned::span)),
            ("binding-offset", self.binding_offset.as_ref().map(Spanned::span)),
            ("bleed", self.bleed.as_ref().map(Spanned::span)),
            ("crop-marks", self.crop_marks.as_ref().map(Spanned::span)),
            ("imposition", self.imposition.as_ref().map(Spanned::span)),
            ("creep", self.creep.as_ref().map(Spanned::span)),
            ("color", self.color.as_ref().map(Spanned::span)),
            ("standard", self.standard.as_ref().map(Spanned::span)),
            ("cover", self.cover.as_ref().map(Spanned::span)),
            ("compress-images", self.compress_images.as_ref().map(Spanned::span)),
            ("cover-generate", self.cover_generate.as_ref().map(Spanned::span)),
            ("embed-fonts", self.embed_fonts.as_ref().map(Spanned::span)),
            ("soft-hyphens", self.soft_hyphens.as_ref().map(Spanned::span)),
            ("start", self.start.as_ref().map(Spanned::span)),
            ("contents", self.contents.as_ref().map(Spanned::span)),
            ("running-heads", self.running_heads.as_ref().map(Spanned::span)),
            ("folios", self.folios.as_ref().map(Spanned::span)),
            ("back-cover", self.back_cover.as_ref().map(Spanned::span)),
            ("image-max-height", self.image_max_height.as_ref().map(Spanned::span)),
            ("per-document", self.per_document.as_ref().map(Spanned::span)),
            ("columns", self.columns.as_ref().map(Spanned::span)),
            ("gutter", self.gutter.as_ref().map(Spanned::span)),
            ("fold", self.fold.as_ref().map(Spanned::span)),
            ("fit-pages", self.fit_pages.as_ref().map(Spanned::span)),
            ("font-size-min", self.font_size_min.as_ref().map(Spanned::span)),
            ("font-size-max", self.font_size_max.as_ref().map(Spanned::span)),
            ("align", self.align.as_ref().map(Spanned::span)),
            ("expansion", self.expansion.as_ref().map(Spanned::span)),
            ("tracking", self.tracking.as_ref().map(Spanned::span)),
            ("interior", self.interior.as_ref().map(Spanned::span)),
            ("paper-caliper", self.paper_caliper.as_ref().map(Spanned::span)),
            ("blurb", self.blurb.as_ref().map(Spanned::span)),
            ("printer", self.printer.as_ref().map(Spanned::span)),
        ]
    }
}

/// `margins = { top = …, bottom = …, inner = …, outer = … }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMargins {
    /// Top margin.
    pub top: Option<Spanned<String>>,
    /// Bottom margin.
    pub bottom: Option<Spanned<String>>,
    /// Margin on the binding side.
    pub inner: Option<Spanned<String>>,
    /// Margin on the outside edge.
    pub outer: Option<Spanned<String>>,
}

/// A value that is either a string or a table.
#[derive(Debug)]
pub(super) enum StrOrTable<T> {
    /// Written as a string.
    Str(String),
    /// Written as a table.
    Table(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StrOrTable<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = StrOrTable<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a table")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrTable::Str(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(StrOrTable::Table)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A value that is either a string or a list of strings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StrOrList(Vec<String>);

impl StrOrList {
    /// The strings, one or several.
    pub(crate) fn values(&self) -> &[String] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for StrOrList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrOrList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrOrList, E> {
                Ok(StrOrList(vec![v.to_owned()]))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<StrOrList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(StrOrList(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value that is either a string or a number.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum StrOrNum {
    /// Written as a string.
    Str(String),
    /// Written as an integer or a float.
    Num(f64),
}

impl<'de> Deserialize<'de> for StrOrNum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StrOrNum;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Str(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v as f64))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v as f64))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrOrNum, E> {
                Ok(StrOrNum::Num(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The TOML types a manifest value may have.
#[derive(Debug)]
pub(super) enum Type {
    /// A string.
    String,
    /// `true` or `false`.
    Bool,
    /// An integer or a float.
    Number,
    /// A TOML local date (`2026-05-01` without quotes); becomes its text.
    Date,
    /// A table with the given schema.
    Table(&'static Schema),
    /// An array whose items have one of the given types.
    Array(&'static [Type]),
}

/// The keys a table may hold.
#[derive(Debug)]
pub(super) enum Schema {
    /// Fixed keys.
    Fields(&'static [Field]),
    /// Any key (a name chosen by the user), each value of one of `accepts`.
    Any {
        /// Types a value may have.
        accepts: &'static [Type],
        /// How a correct entry looks, for hints.
        example: &'static str,
    },
}

/// One known key of a table.
#[derive(Debug)]
pub(super) struct Field {
    /// The key as written in `book.toml`.
    pub key: &'static str,
    /// Types its value may have.
    pub accepts: &'static [Type],
    /// How a correct entry looks, for hints.
    pub example: &'static str,
    /// The outputs an `[output]` key applies to; `None` for every output (and outside `[output]`).
    pub only: Option<Format>,
}

const fn field(key: &'static str, accepts: &'static [Type], example: &'static str) -> Field {
    Field { key, accepts, example, only: None }
}

/// An `[output]` key that applies to PDF outputs only.
const fn pdf_field(key: &'static str, accepts: &'static [Type], example: &'static str) -> Field {
    Field { key, accepts, example, only: Some(Format::Pdf) }
}

/// An `[output]` key that applies to covers only.
const fn cover_field(key: &'static str, accepts: &'static [Type], example: &'static str) -> Field {
    Field { key, accepts, example, only: Some(Format::Cover) }
}

/// An `[output]` key that applies to EPUB outputs only.
const fn epub_field(key: &'static str, accepts: &'static [Type], example: &'static str) -> Field {
    Field { key, accepts, example, only: Some(Format::Epub) }
}

/// The top level of `book.toml`.
pub(super) static ROOT: Schema = Schema::Fields(ROOT_FIELDS);
static ROOT_FIELDS: &[Field] = &[
    field("book", &[Type::Table(&BOOK)], "a [book] table"),
    field("output", &[Type::Table(&OUTPUTS)], "[output.print] with format = \"pdf\""),
    field(
        "part",
        &[Type::Array(&[Type::Table(&PART)])],
        "[[part]] with title = \"…\" and documents = [\"…\"]",
    ),
    field("fonts", &[Type::Table(&FONTS)], "[fonts] with serif = \"fonts/Serif.ttf\""),
];

static FONTS: Schema = Schema::Fields(FONT_FIELDS);
static FONT_FIELDS: &[Field] = &[
    field("serif", &[Type::String], "serif = \"fonts/Serif-Regular.ttf\""),
    field("serif-italic", &[Type::String], "serif-italic = \"fonts/Serif-Italic.ttf\""),
    field("serif-bold", &[Type::String], "serif-bold = \"fonts/Serif-Bold.ttf\""),
    field("serif-bold-italic", &[Type::String], "serif-bold-italic = \"fonts/Serif-BoldItalic.ttf\""),
    field("sans", &[Type::String], "sans = \"fonts/Sans-Regular.ttf\""),
    field("sans-bold", &[Type::String], "sans-bold = \"fonts/Sans-Bold.ttf\""),
    field("mono", &[Type::String], "mono = \"fonts/Mono-Regular.ttf\""),
    field("fallback", &[Type::String], "fallback = \"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf\""),
];

static PART: Schema = Schema::Fields(PART_FIELDS);
static PART_FIELDS: &[Field] = &[
    field("title", &[Type::String], "title = \"2025\""),
    field(
        "documents",
        &[Type::Array(&[Type::String, Type::Table(&DOCUMENT)])],
        "documents = [\"content/2025/*.md\"]",
    ),
];

static BOOK: Schema = Schema::Fields(BOOK_FIELDS);
pub(super) static BOOK_FIELDS: &[Field] = &[
    field("title", &[Type::String], "title = \"Заявление\""),
    field("subtitle", &[Type::String], "subtitle = \"…\""),
    field("authors", &[Type::Array(&[Type::String])], "authors = [\"…\", \"…\"]"),
    field("language", &[Type::String], "language = \"ru\""),
    field("date", &[Type::String, Type::Date], "date = \"2026-05-01\""),
    field("publisher", &[Type::String], "publisher = \"…\""),
    field("rights", &[Type::String], "rights = \"CC BY 4.0\""),
    field("identifier", &[Type::String], "identifier = \"urn:isbn:…\""),
    field(
        "documents",
        &[Type::Array(&[Type::String, Type::Table(&DOCUMENT)])],
        "documents = [\"content/*.md\", { file = \"extra/x.md\", title = \"…\" }]",
    ),
    field("preface", &[Type::String], "preface = \"content/preface.md\""),
    field("group-by", &[Type::String], "group-by = \"year\""),
    field("sort", &[Type::String], "sort = \"date\""),
    field("encoding", &[Type::String], "encoding = \"cp1251\""),
    field("missing-images", &[Type::String], "missing-images = \"warn\""),
];

static DOCUMENT: Schema = Schema::Fields(DOCUMENT_FIELDS);
static DOCUMENT_FIELDS: &[Field] = &[
    field("file", &[Type::String], "file = \"extra/x.md\""),
    field("title", &[Type::String], "title = \"…\""),
    field("running-head", &[Type::String], "running-head = \"О зарплате\""),
    field("lang", &[Type::String], "lang = \"kk\""),
    field("encoding", &[Type::String], "encoding = \"cp1251\""),
];

static OUTPUTS: Schema =
    Schema::Any { accepts: &[Type::Table(&OUTPUT)], example: "[output.print] with format = \"pdf\"" };

static OUTPUT: Schema = Schema::Fields(OUTPUT_FIELDS);
pub(super) static OUTPUT_FIELDS: &[Field] = &[
    field("format", &[Type::String], "format = \"pdf\""),
    pdf_field("page-size", &[Type::String], "page-size = \"A5\""),
    pdf_field("margins", &[Type::String, Type::Table(&MARGINS)], "margins = \"20mm\""),
    pdf_field("font-size", &[Type::String, Type::Number], "font-size = \"10.5pt\""),
    pdf_field("line-height", &[Type::Number, Type::String], "line-height = 1.3"),
    pdf_field("orientation", &[Type::String], "orientation = \"landscape\""),
    pdf_field("binding-offset", &[Type::String], "binding-offset = \"5mm\""),
    pdf_field("bleed", &[Type::String], "bleed = \"3mm\""),
    pdf_field("crop-marks", &[Type::Bool], "crop-marks = true"),
    pdf_field("imposition", &[Type::String], "imposition = \"booklet\""),
    pdf_field("creep", &[Type::String], "creep = \"0.1mm\""),
    pdf_field("color", &[Type::String], "color = \"gray\""),
    pdf_field(
        "standard",
        &[Type::String, Type::Array(&[Type::String])],
        "standard = [\"pdf/a-2a\", \"pdf/ua-1\"]",
    ),
    epub_field("cover", &[Type::String], "cover = \"img/cover.jpg\""),
    epub_field("compress-images", &[Type::Bool], "compress-images = false"),
    epub_field("cover-generate", &[Type::Bool], "cover-generate = false"),
    epub_field("embed-fonts", &[Type::Bool], "embed-fonts = false"),
    epub_field("soft-hyphens", &[Type::String], "soft-hyphens = \"always\""),
    pdf_field("start", &[Type::String], "start = \"recto\""),
    pdf_field("contents", &[Type::Bool], "contents = true"),
    pdf_field("running-heads", &[Type::Bool], "running-heads = false"),
    pdf_field("folios", &[Type::Bool], "folios = false"),
    pdf_field("back-cover", &[Type::Bool], "back-cover = true"),
    pdf_field("image-max-height", &[Type::Number], "image-max-height = 0.5"),
    field("per-document", &[Type::Bool], "per-document = true"),
    pdf_field("columns", &[Type::Number], "columns = 2"),
    pdf_field("gutter", &[Type::String], "gutter = \"6mm\""),
    pdf_field("fold", &[Type::String], "fold = \"tri\""),
    pdf_field("fit-pages", &[Type::Number, Type::String], "fit-pages = 2"),
    pdf_field("font-size-min", &[Type::String, Type::Number], "font-size-min = \"8pt\""),
    pdf_field("font-size-max", &[Type::String, Type::Number], "font-size-max = \"12pt\""),
    pdf_field("align", &[Type::String], "align = \"left\""),
    pdf_field("expansion", &[Type::String], "expansion = \"2%\""),
    pdf_field("tracking", &[Type::String], "tracking = \"2.5%\""),
    cover_field("interior", &[Type::String], "interior = \"book\""),
    cover_field("paper-caliper", &[Type::String], "paper-caliper = \"0.1mm\""),
    cover_field("blurb", &[Type::String], "blurb = \"back.md\""),
    pdf_field("printer", &[Type::String], "printer = \"lulu\""),
];

static MARGINS: Schema = Schema::Fields(MARGIN_FIELDS);
static MARGIN_FIELDS: &[Field] = &[
    field("top", &[Type::String], "top = \"18mm\""),
    field("bottom", &[Type::String], "bottom = \"20mm\""),
    field("inner", &[Type::String], "inner = \"16mm\""),
    field("outer", &[Type::String], "outer = \"16mm\""),
];

impl Type {
    fn matches(&self, v: &DeValue<'_>) -> bool {
        matches!(
            (self, v),
            (Type::String, DeValue::String(_))
                | (Type::Bool, DeValue::Boolean(_))
                | (Type::Number, DeValue::Integer(_) | DeValue::Float(_))
                | (Type::Date, DeValue::Datetime(_))
                | (Type::Table(_), DeValue::Table(_))
                | (Type::Array(_), DeValue::Array(_))
        )
    }

    fn noun(&self) -> &'static str {
        match self {
            Type::String => "a string",
            Type::Bool => "`true` or `false`",
            Type::Number => "a number",
            Type::Date => "a date",
            Type::Table(_) => "a table",
            Type::Array(_) => "an array",
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
fn nouns(types: &[Type]) -> String {
    let words: Vec<&str> = types.iter().map(Type::noun).collect();
    match words.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// What a value is, for "found …".
fn found(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// A key as it would be written in TOML: bare when it can be, quoted otherwise.
pub(super) fn key_repr(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// Where a table sits, for messages.
struct Place {
    /// `[book]`, `` `margins` of [output.print] ``; `None` at the top level.
    name: Option<String>,
    /// Full dotted path of the table (`output.print`), empty at the top level.
    path: String,
    /// Dotted prefix for keys in messages, relative to the nearest `[header]` table.
    prefix: String,
}

impl Place {
    fn phrase(&self) -> String {
        match &self.name {
            Some(name) => format!("in {name}"),
            None => "at the top level".to_owned(),
        }
    }

    fn join(&self, key: &str) -> String {
        if self.path.is_empty() { key_repr(key) } else { format!("{}.{}", self.path, key_repr(key)) }
    }
}

/// Walks the parsed document against [`ROOT`], reporting unknown keys and values
/// of the wrong type into `diags` and removing them. Also turns TOML dates
/// accepted as [`Type::Date`] into strings. Returns the full dotted paths of the
/// removed values (`book.title`), so that later stages do not also call them missing.
pub(super) fn check(doc: &mut DeTable<'_>, src: Source<'_>, diags: &mut Diagnostics) -> BTreeSet<String> {
    let mut checker = Checker { src, diags, removed: BTreeSet::new() };
    let root = Place { name: None, path: String::new(), prefix: String::new() };
    checker.table(doc, &ROOT, &root);
    checker.removed
}

struct Checker<'a, 'd> {
    src: Source<'a>,
    diags: &'d mut Diagnostics,
    removed: BTreeSet<String>,
}

impl Checker<'_, '_> {
    fn table(&mut self, table: &mut DeTable<'_>, schema: &Schema, place: &Place) {
        let mut remove = Vec::new();
        for (key, value) in table.iter_mut() {
            let k: &str = key.get_ref();
            let (accepts, example, shown) = match schema {
                Schema::Fields(fields) => match fields.iter().find(|f| f.key == k) {
                    Some(f) => (f.accepts, f.example, format!("{}{}", place.prefix, key_repr(k))),
                    None => {
                        self.unknown_key(key, fields, place);
                        remove.push(k.to_owned());
                        continue;
                    }
                },
                Schema::Any { accepts, example } => (*accepts, *example, place.join(k)),
            };
            let child = if place.name.is_none() || matches!(schema, Schema::Any { .. }) {
                Place {
                    name: Some(format!("[{}]", place.join(k))),
                    path: place.join(k),
                    prefix: String::new(),
                }
            } else {
                Place {
                    name: Some(format!("`{shown}` of {}", place.name.as_deref().unwrap_or("the manifest"))),
                    path: place.join(k),
                    prefix: format!("{shown}."),
                }
            };
            if !self.value(value, accepts, example, &shown, &child) {
                self.removed.insert(place.join(k));
                remove.push(k.to_owned());
            }
        }
        for k in remove {
            table.remove(k.as_str());
        }
    }

    /// Checks one value; false when it has the wrong type and must be removed.
    fn value(
        &mut self,
        value: &mut Spanned<DeValue<'_>>,
        accepts: &[Type],
        example: &str,
        shown: &str,
        place: &Place,
    ) -> bool {
        let span = value.span();
        let Some(ty) = accepts.iter().find(|t| t.matches(value.get_ref())) else {
            let message =
                format!("expected {} for `{shown}`, found {}", nouns(accepts), found(value.get_ref()));
            self.diags.push(self.src.error(span, message).with_hint(format!("write it as {example}")));
            return false;
        };
        match (ty, value.get_mut()) {
            (Type::Date, DeValue::Datetime(dt)) => {
                if dt.date.is_none() || dt.time.is_some() || dt.offset.is_some() {
                    let message = format!("expected a date without a time for `{shown}`, found `{dt}`");
                    self.diags
                        .push(self.src.error(span, message).with_hint(format!("write it as {example}")));
                    return false;
                }
                let text = dt.to_string();
                *value.get_mut() = DeValue::String(DeString::Owned(text));
            }
            (Type::Table(schema), DeValue::Table(t)) => self.table(t, schema, place),
            (Type::Array(items), DeValue::Array(array)) => self.array(array, items, example, shown, place),
            _ => {}
        }
        true
    }

    fn array(&mut self, array: &mut DeArray<'_>, items: &[Type], example: &str, shown: &str, place: &Place) {
        let mut keep = Vec::with_capacity(array.len());
        for item in array.iter_mut() {
            let span = item.span();
            let Some(ty) = items.iter().find(|t| t.matches(item.get_ref())) else {
                let message =
                    format!("expected {} in `{shown}`, found {}", nouns(items), found(item.get_ref()));
                self.diags.push(self.src.error(span, message).with_hint(format!("write it as {example}")));
                keep.push(false);
                continue;
            };
            if let (Type::Table(schema), DeValue::Table(t)) = (ty, item.get_mut()) {
                let entry = Place {
                    name: Some(format!("a `{shown}` entry {}", place_parent(place))),
                    path: place.path.clone(),
                    prefix: String::new(),
                };
                self.table(t, schema, &entry);
            }
            keep.push(true);
        }
        if keep.contains(&false) {
            let old = std::mem::replace(array, DeArray::new());
            let mut keep = keep.into_iter();
            *array = old.into_iter().filter(|_| keep.next().unwrap_or(false)).collect();
        }
    }

    fn unknown_key(&mut self, key: &Spanned<DeString<'_>>, fields: &'static [Field], place: &Place) {
        let k: &str = key.get_ref();
        let names: Vec<&str> = fields.iter().map(|f| f.key).collect();
        let hint = if let Some(near) = suggest::closest(k, &names) {
            format!("did you mean `{near}`?")
        } else if let Some(home) = home_of(k, fields) {
            home
        } else {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("valid keys {}: {}", place.phrase(), list.join(", "))
        };
        let message = format!("unknown key `{k}` {}", place.phrase());
        self.diags.push(self.src.error(key.span(), message).with_hint(hint));
    }
}

/// The table an array's entries belong to, for "a `documents` entry of `[book]`":
/// the parent is recovered from the array's dotted path.
fn place_parent(array_place: &Place) -> String {
    match array_place.path.rsplit_once('.') {
        Some((parent, _)) => format!("of [{parent}]"),
        None => "at the top level".to_owned(),
    }
}

/// For a key unknown here but valid in another table, where it belongs.
fn home_of(key: &str, here: &'static [Field]) -> Option<String> {
    let known = |fields: &[Field]| fields.iter().any(|f| f.key == key);
    if !std::ptr::eq(here, BOOK_FIELDS) && known(BOOK_FIELDS) {
        Some(format!("`{key}` belongs in [book]"))
    } else if !std::ptr::eq(here, OUTPUT_FIELDS) && known(OUTPUT_FIELDS) {
        Some(format!("`{key}` belongs in an output table such as [output.print]"))
    } else {
        None
    }
}

/// Turns a checked document into the raw structs. Serde errors cannot arise
/// from user input once [`check`] has run; should one slip through, it is
/// reported at its span rather than panicking.
pub(super) fn deserialize(
    doc: Spanned<DeTable<'_>>,
    src: Source<'_>,
    diags: &mut Diagnostics,
) -> Option<RawManifest> {
    let span = doc.span();
    let value = Spanned::new(span, DeValue::Table(doc.into_inner()));
    match RawManifest::deserialize(toml::de::ValueDeserializer::from(value)) {
        Ok(raw) => Some(raw),
        Err(e) => {
            let message = e.message().lines().next().unwrap_or("invalid manifest").to_owned();
            diags.push(src.error(e.span().unwrap_or(0..0), message));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::de::value::Error;
    use serde::de::{Error as _, IntoDeserializer as _};
    use serde::forward_to_deserialize_any;

    use super::*;

    /// A deserializer that records the field names serde asks for and stops.
    struct FieldNames(&'static [&'static str]);

    impl<'de> Deserializer<'de> for &mut FieldNames {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
            Err(Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Error> {
            self.0 = fields;
            Err(Error::custom("done"))
        }

        forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    fn serde_fields<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        let mut names = FieldNames(&[]);
        let _ = T::deserialize(&mut names);
        names.0.to_vec()
    }

    fn schema_fields(fields: &[Field]) -> Vec<&'static str> {
        fields.iter().map(|f| f.key).collect()
    }

    // The schema used for unknown-key checks lists exactly the fields of each serde struct.
    #[test]
    fn schema_matches_serde_structs() {
        assert_eq!(schema_fields(ROOT_FIELDS), serde_fields::<RawManifest>());
        assert_eq!(schema_fields(BOOK_FIELDS), serde_fields::<RawBook>());
        assert_eq!(schema_fields(DOCUMENT_FIELDS), serde_fields::<RawDocument>());
        assert_eq!(schema_fields(PART_FIELDS), serde_fields::<RawPart>());
        assert_eq!(schema_fields(OUTPUT_FIELDS), serde_fields::<RawOutput>());
        // The spans of an output's keys follow the schema, key for key.
        let empty: RawOutput = toml::from_str("").expect("an empty output table");
        assert_eq!(empty.key_spans().map(|(k, _)| k).to_vec(), schema_fields(OUTPUT_FIELDS));
        assert_eq!(schema_fields(MARGIN_FIELDS), serde_fields::<RawMargins>());
        assert_eq!(schema_fields(FONT_FIELDS), serde_fields::<RawFonts>());
    }

    // Strings, numbers and tables reach the right variants of the either-or values.
    #[test]
    fn either_or_values() {
        let num = StrOrNum::deserialize(1.5f64.into_deserializer()).map_err(|e: Error| e).unwrap();
        assert_eq!(num, StrOrNum::Num(1.5));
        let text = StrOrNum::deserialize("9pt".into_deserializer()).map_err(|e: Error| e).unwrap();
        assert_eq!(text, StrOrNum::Str("9pt".to_owned()));
        let doc = DeTable::parse("m = { top = \"1mm\" }\nn = \"2mm\"\n").unwrap();
        let value = Spanned::new(doc.span(), DeValue::Table(doc.into_inner()));
        #[derive(Deserialize)]
        struct Both {
            m: StrOrTable<RawMargins>,
            n: StrOrTable<RawMargins>,
        }
        let both = Both::deserialize(toml::de::ValueDeserializer::from(value)).unwrap();
        assert!(
            matches!(both.m, StrOrTable::Table(RawMargins { top: Some(ref t), .. }) if t.get_ref() == "1mm" && t.span() == (12..17))
        );
        assert!(matches!(both.n, StrOrTable::Str(ref s) if s == "2mm"));
    }
}
