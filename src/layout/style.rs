//! The house style: every proportion of the printed page in one place, so the
//! design can be read and changed in one file. Sizes are multiples of the body
//! size (the manifest's `font-size`), spaces between blocks multiples of the
//! body leading (one line), indents multiples of the size of the text they
//! indent (ems). Layout code names these values and never writes a bare factor.

use crate::units::Pt;

/// A heading level's size and the space around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Heading {
    /// Size, in body sizes.
    pub scale: f64,
    /// Space above, in lines.
    pub before: f64,
    /// Space below, in lines.
    pub after: f64,
}

/// `#`: the statement's title, large enough to open a page, with a line and a
/// half under it before the text (the byline sits in that space).
pub const H1: Heading = Heading { scale: 1.7, before: 0.0, after: 1.5 };
/// `##`: a section, a fifth larger than the text, a full line above it so a
/// section reads as a new start, half a line below to tie it to its text.
pub const H2: Heading = Heading { scale: 1.2, before: 1.0, after: 0.5 };
/// `###` and deeper: body size in bold sans, less space than a section.
pub const H3: Heading = Heading { scale: 1.0, before: 0.8, after: 0.3 };

impl Heading {
    /// The style of heading `level` (1 for `#`).
    pub fn of(level: u8) -> Heading {
        match level {
            1 => H1,
            2 => H2,
            _ => H3,
        }
    }
}

/// The smallest size a heading or title comes down to so that its longest word
/// fits the measure, in body sizes; below it, the word is hyphenated.
pub const DISPLAY_FLOOR: f64 = 0.9;

/// Leading of headings and running heads, in their size: tighter than the
/// body's, since they are short and set in sans.
pub const HEADING_LEADING: f64 = 1.2;

/// Space between a statement's title and its byline, in lines.
pub const BYLINE_BEFORE: f64 = 0.3;

/// First-line indent of a paragraph that follows another, in ems (Russian
/// book practice indents every paragraph but the first after a break).
pub const PARAGRAPH_INDENT: f64 = 1.2;

/// Space above and below a list, in lines.
pub const LIST_SPACE: f64 = 0.3;
/// Indent of list items, in ems: room for a two-digit number and its point.
pub const LIST_INDENT: f64 = 1.8;
/// Space between a list marker and its item's text, in ems.
pub const MARKER_GAP: f64 = 0.5;

/// The narrowest measure nesting may leave, as a share of the column: lists and
/// quotes nested deeper stop indenting.
pub const NARROWEST_NESTED_MEASURE: f64 = 0.5;

/// Space above and below a block quote, in lines.
pub const QUOTE_SPACE: f64 = 0.5;
/// Left indent of a block quote, in ems.
pub const QUOTE_INDENT: f64 = 1.8;
/// Right indent of a block quote, in ems.
pub const QUOTE_RIGHT_INDENT: f64 = 1.0;

/// Size of code blocks, in body sizes (a sans face reads larger than the serif).
pub const CODE_SCALE: f64 = 0.9;
/// Space above and below a code block, in lines.
pub const CODE_SPACE: f64 = 0.3;
/// Indent of code blocks, in ems.
pub const CODE_INDENT: f64 = 1.0;

/// Size of table text, in body sizes: tables hold more per line than prose.
pub const TABLE_SCALE: f64 = 0.9;
/// Leading of table text, in its size.
pub const TABLE_LEADING: f64 = 1.25;
/// Cell padding on each side, in ems of the table's size.
pub const TABLE_PADDING: f64 = 0.4;
/// Narrowest column, in ems of the table's size.
pub const TABLE_MIN_COLUMN: f64 = 2.0;
/// Space above and below a table, in lines.
pub const TABLE_SPACE: f64 = 0.5;

/// The size of table text at body size `font_size`.
pub fn table_size<T: std::ops::Mul<f64, Output = T>>(font_size: T) -> T {
    font_size * TABLE_SCALE
}

/// The padding of table cells at body size `font_size`: the layout of rows and
/// the drawing of their rules both read it.
pub fn table_padding<T: std::ops::Mul<f64, Output = T>>(font_size: T) -> T {
    table_size(font_size) * TABLE_PADDING
}

/// Space above and below a thematic break, in lines.
pub const RULE_SPACE: f64 = 0.5;
/// Length of a thematic break, as a share of the measure (centred).
pub const RULE_LENGTH: f64 = 1.0 / 3.0;

/// Depth of the band an opening picture (one before a statement's title) fills,
/// as a share of the text block: the same for every statement, so titles start
/// at one height on every opening page.
pub const OPENER_BAND: f64 = 0.45;
/// The band is no deeper than this share of the measure (a picture of 3 : 2, the
/// usual photograph, at full width): in a narrow column a deeper band would stand
/// half empty.
pub const OPENER_ASPECT: f64 = 2.0 / 3.0;
/// Resolution a picture keeps in print, in pixels per inch: pictures are set as
/// wide as the measure while they keep it, and smaller ones at it. Print shops ask
/// 300 for photographs seen close; 200 is where a reader stops seeing pixels.
pub const PRINT_DPI: f64 = 200.0;

/// Space above and below an image, in lines.
pub const IMAGE_SPACE: f64 = 0.5;
/// Size of image captions, in body sizes.
pub const CAPTION_SCALE: f64 = 0.85;
/// Leading of captions and footnotes, in their size.
pub const SMALL_LEADING: f64 = 1.25;

/// Smallest legible text: 6 pt is the floor of legal small print and of most
/// style guides for printed matter; smaller text breaks up in toner and offset.
/// Sizes derived from the body's (notes, calls) stop here when the body is set
/// small, as copyfitting may.
pub const MIN_TEXT: Pt = Pt::new(6.0);

/// Size of footnotes, in body sizes.
pub const NOTE_SCALE: f64 = 0.8;

/// The size of footnotes at body size `body`: [`NOTE_SCALE`] of it, not below [`MIN_TEXT`].
pub fn note_size(body: Pt) -> Pt {
    (body * NOTE_SCALE).max(MIN_TEXT.min(body))
}

/// The size of superscripts, subscripts and note calls in text of `size`:
/// [`CALL_SCALE`] of it, not below [`MIN_TEXT`] (nor above the text itself).
pub fn script_size(size: Pt) -> Pt {
    (size * CALL_SCALE).max(MIN_TEXT.min(size))
}
/// Space between a footnote's number ("1.") and its text, in ems of the note's
/// size: an en space; the text hangs at that indent on every line.
pub const NOTE_NUMBER_GAP: f64 = 0.5;
/// Notes of at most this many lines are set without hyphens when that takes no
/// more lines: a word broken in a two-line note is a fault a reader sees.
pub const SHORT_NOTE_LINES: usize = 3;
/// Size of a note call (superscript), in the size of its text.
pub const CALL_SCALE: f64 = 0.65;
/// Rise of a note call above the baseline, in the size of its text.
pub const CALL_RISE: f64 = 0.38;
/// Height of the rule through struck-out text above the baseline, in its type
/// size: the middle of PT Serif's lowercase letters (x-height 0.5 em).
pub const STRIKE_HEIGHT: f64 = 0.27;
/// Thickness of that rule, in the type size.
pub const STRIKE_WEIGHT: f64 = 0.05;

/// Lines of fewer characters than this, justified, hyphenate as readily as TeX does
/// (a quarter of the usual price): a narrow column has few spaces to even out.
pub const NARROW_JUSTIFIED_CHARS: f64 = 55.0;

/// The rag of ragged-right text, in ems: how short a line may fall at badness 100.
pub const RAG: f64 = 2.0;

/// A justified line whose mean word space passes this many ems is loose: the
/// colour shows a hole. Letter-spacing takes it back toward this width.
pub const LOOSE_EM: f64 = 0.45;

/// Drop of a subscript below the baseline (fraction of the body size), set at
/// [`CALL_SCALE`] like a superscript: its descenders stay clear of the line below.
pub const SUB_DROP: f64 = -0.12;

/// Size of running heads and folios, in body sizes.
pub const FOLIO_SCALE: f64 = 0.8;
/// A running head in capitals, in the head's size: capitals stand as tall as a
/// lowercase head's ascenders at about this size.
pub const HEAD_CAPS_SCALE: f64 = 0.85;
/// Letter-spacing of a running head in capitals, in ems: capitals set close
/// read as a block; book practice spaces them by a tenth of an em or less.
pub const HEAD_CAPS_TRACKING: f64 = 0.08;
/// Baseline of the running head above the text area, in lines.
pub const HEAD_ABOVE: f64 = 2.0;
/// Baseline of the folio below the text area, in lines.
pub const FOLIO_BELOW: f64 = 1.2;

/// Title page: size of the title, in body sizes.
pub const TITLE_SCALE: f64 = 2.2;
/// Title page: size of authors and subtitle, in body sizes.
pub const TITLE_PAGE_LINE_SCALE: f64 = 1.2;
/// Title page: the title stands at least this far down the text area.
pub const TITLE_DROP: f64 = 0.25;
/// Title page: space between title and subtitle, in lines.
pub const SUBTITLE_BEFORE: f64 = 0.5;

/// Part title page: size of the part's title, in body sizes.
pub const PART_TITLE_SCALE: f64 = 2.0;
/// Part title page: the title stands this far down the text area.
pub const PART_TITLE_DROP: f64 = 0.3;

/// Contents: width kept for page numbers, in ems.
pub const CONTENTS_NUMBER_WIDTH: f64 = 2.5;
/// Contents: indent of statements under a part, in ems.
pub const CONTENTS_INDENT: f64 = 1.5;
/// Contents: distance between the dots of a leader, in ems.
pub const LEADER_PITCH: f64 = 0.6;
/// Contents: space kept free between a leader and the title or number, in ems.
pub const LEADER_GAP: f64 = 0.4;
/// Contents: space between entries, in lines.
pub const CONTENTS_SPACE: f64 = 0.3;
