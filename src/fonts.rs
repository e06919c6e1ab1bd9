//! Fonts: loading (the embedded PT Serif / PT Sans defaults or files), metrics
//! (skrifa), shaping (harfrust) and glyph coverage. Subsetting happens in the
//! PDF writer (krilla), which receives the same font bytes.
//!
//! Shaping results are cached per (face, text) in font units, so a word that
//! occurs a thousand times is shaped once; sizes are applied by scaling.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use harfrust::{ShaperData, UnicodeBuffer};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::units::Pt;

/// The faces compiled into the binary, so that nothing but the executable and
/// a Markdown file is needed to build. ParaType Free Font License; the licence
/// text ships next to the files in `fonts/`.
mod embedded {
    pub const SERIF_REGULAR: &[u8] = include_bytes!("../fonts/PTSerif-Regular.ttf");
    pub const SERIF_ITALIC: &[u8] = include_bytes!("../fonts/PTSerif-Italic.ttf");
    pub const SERIF_BOLD: &[u8] = include_bytes!("../fonts/PTSerif-Bold.ttf");
    pub const SERIF_BOLD_ITALIC: &[u8] = include_bytes!("../fonts/PTSerif-BoldItalic.ttf");
    pub const SANS_REGULAR: &[u8] = include_bytes!("../fonts/PTSans-Regular.ttf");
    pub const SANS_BOLD: &[u8] = include_bytes!("../fonts/PTSans-Bold.ttf");
}

/// The bytes of a font file: compiled in, or read from disk.
#[derive(Clone)]
pub enum FontData {
    /// Embedded in the binary.
    Static(&'static [u8]),
    /// Loaded at run time.
    Owned(Arc<Vec<u8>>),
}

impl FontData {
    /// The raw bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            FontData::Static(b) => b,
            FontData::Owned(b) => b,
        }
    }
}

impl std::fmt::Debug for FontData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontData({} bytes)", self.bytes().len())
    }
}

/// Index of a face in a [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaceId(pub u16);

/// Font family roles: body text and display (headings, running heads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Body text (PT Serif by default).
    Serif,
    /// Headings and running heads (PT Sans by default).
    Sans,
}

/// Weight and slant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Style {
    /// Bold weight.
    pub bold: bool,
    /// Italic slant.
    pub italic: bool,
}

/// A shaped glyph in font units (1/`units_per_em` of the font size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapedGlyph {
    /// Glyph id in the face.
    pub id: u16,
    /// Advance in font units.
    pub advance: i32,
    /// Horizontal offset in font units.
    pub x_offset: i32,
    /// Vertical offset in font units.
    pub y_offset: i32,
    /// Byte offset of the glyph's cluster in the shaped text.
    pub cluster: u32,
}

/// One loaded face with its metrics and shaping data.
pub struct Face {
    /// The PostScript-ish name, for messages.
    pub name: String,
    /// Font bytes, shared with the PDF writer.
    pub data: FontData,
    /// Units per em.
    pub units_per_em: u16,
    /// Ascender in font units (positive).
    pub ascender: f64,
    /// Descender in font units (negative).
    pub descender: f64,
    /// Height of capitals in font units.
    pub cap_height: f64,
    shaper_data: ShaperData,
    cache: Mutex<HashMap<String, Arc<[ShapedGlyph]>>>,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("name", &self.name).finish()
    }
}

/// Why a font file could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FontError {
    /// The bytes are not an OpenType/TrueType font.
    NotAFont(String),
    /// The font has no glyphs for Cyrillic letters.
    NoCyrillic(String),
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FontError::NotAFont(name) => write!(f, "`{name}` is not a TrueType or OpenType font"),
            FontError::NoCyrillic(name) => write!(f, "font `{name}` has no Cyrillic letters"),
        }
    }
}

impl std::error::Error for FontError {}

impl Face {
    /// Parses a face from bytes; `name` is used in messages.
    pub fn new(name: &str, data: FontData) -> Result<Face, FontError> {
        let font = skrifa::FontRef::new(data.bytes()).map_err(|_| FontError::NotAFont(name.to_string()))?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let shaper_data = ShaperData::new(&font);
        let upem = metrics.units_per_em.max(16);
        let cap_height = metrics.cap_height.map_or(upem as f64 * 0.7, |c| c as f64);
        let face = Face {
            name: name.to_string(),
            units_per_em: upem,
            ascender: metrics.ascent as f64,
            descender: metrics.descent as f64,
            cap_height,
            shaper_data,
            cache: Mutex::new(HashMap::new()),
            data,
        };
        Ok(face)
    }

    /// True if the face maps `c` to a glyph.
    pub fn covers(&self, c: char) -> bool {
        skrifa::FontRef::new(self.data.bytes())
            .is_ok_and(|f| f.charmap().map(c).is_some_and(|g| g.to_u32() != 0))
    }

    /// Shapes `text` (one word or fragment, left to right) into glyphs in font units.
    /// Results are cached per text.
    pub fn shape(&self, text: &str) -> Arc<[ShapedGlyph]> {
        if let Ok(cache) = self.cache.lock()
            && let Some(hit) = cache.get(text)
        {
            return hit.clone();
        }
        let glyphs: Arc<[ShapedGlyph]> = self.shape_uncached(text).into();
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(text.to_string(), glyphs.clone());
        }
        glyphs
    }

    fn shape_uncached(&self, text: &str) -> Vec<ShapedGlyph> {
        let Ok(font) = harfrust::FontRef::new(self.data.bytes()) else {
            return Vec::new();
        };
        let shaper = self.shaper_data.shaper(&font).build();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let out = shaper.shape(buffer, harfrust::ShapeOptions::new());
        out.glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(info, pos)| ShapedGlyph {
                id: info.glyph_id.min(u16::MAX as u32) as u16,
                advance: pos.x_advance,
                x_offset: pos.x_offset,
                y_offset: pos.y_offset,
                cluster: info.cluster,
            })
            .collect()
    }

    /// Width of shaped glyphs at `size`.
    pub fn width(&self, glyphs: &[ShapedGlyph], size: Pt) -> Pt {
        let units: i64 = glyphs.iter().map(|g| g.advance as i64).sum();
        self.to_pt(units as f64, size)
    }

    /// Width of `text` at `size`.
    pub fn text_width(&self, text: &str, size: Pt) -> Pt {
        self.width(&self.shape(text), size)
    }

    /// Converts font units to points at `size`.
    pub fn to_pt(&self, units: f64, size: Pt) -> Pt {
        size * (units / self.units_per_em as f64)
    }
}

/// The faces a book uses: serif regular/italic/bold/bold-italic for text,
/// sans regular/bold for headings.
#[derive(Debug)]
pub struct FontSet {
    faces: Vec<Face>,
}

/// Order of faces in a [`FontSet`].
const SLOTS: [(Family, Style, &str); 6] = [
    (Family::Serif, Style { bold: false, italic: false }, "PT Serif"),
    (Family::Serif, Style { bold: false, italic: true }, "PT Serif Italic"),
    (Family::Serif, Style { bold: true, italic: false }, "PT Serif Bold"),
    (Family::Serif, Style { bold: true, italic: true }, "PT Serif Bold Italic"),
    (Family::Sans, Style { bold: false, italic: false }, "PT Sans"),
    (Family::Sans, Style { bold: true, italic: false }, "PT Sans Bold"),
];

impl FontSet {
    /// The default faces compiled into the binary.
    pub fn embedded() -> FontSet {
        let data = [
            embedded::SERIF_REGULAR,
            embedded::SERIF_ITALIC,
            embedded::SERIF_BOLD,
            embedded::SERIF_BOLD_ITALIC,
            embedded::SANS_REGULAR,
            embedded::SANS_BOLD,
        ];
        let faces = SLOTS
            .iter()
            .zip(data)
            .filter_map(|((_, _, name), bytes)| Face::new(name, FontData::Static(bytes)).ok())
            .collect::<Vec<_>>();
        assert_eq!(faces.len(), SLOTS.len(), "embedded fonts are valid by construction");
        FontSet { faces }
    }

    /// Loads a face from a file, checking that it is a font and covers Cyrillic.
    pub fn load_face(path: &Path) -> Result<Face, FontError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|_| FontError::NotAFont(name.clone()))?;
        let face = Face::new(&name, FontData::Owned(Arc::new(bytes)))?;
        if !face.covers('Ж') || !face.covers('я') {
            return Err(FontError::NoCyrillic(name));
        }
        Ok(face)
    }

    /// The face for a family and style. Sans italic falls back to upright sans.
    pub fn id(&self, family: Family, style: Style) -> FaceId {
        let style = if family == Family::Sans { Style { italic: false, ..style } } else { style };
        let i = SLOTS.iter().position(|(f, s, _)| *f == family && *s == style).unwrap_or(0);
        FaceId(i as u16)
    }

    /// The face behind an id.
    pub fn face(&self, id: FaceId) -> &Face {
        &self.faces[(id.0 as usize).min(self.faces.len() - 1)]
    }

    /// All faces with their ids, in a fixed order.
    pub fn faces(&self) -> impl Iterator<Item = (FaceId, &Face)> {
        self.faces.iter().enumerate().map(|(i, f)| (FaceId(i as u16), f))
    }

    /// Characters of `text` that no face of the set can draw, in order of first
    /// occurrence, without duplicates. Whitespace and controls are ignored.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        let mut missing: Vec<char> = Vec::new();
        let regular = self.face(FaceId(0));
        for c in text.chars() {
            if c.is_whitespace() || c.is_control() || c == '\u{AD}' || missing.contains(&c) {
                continue;
            }
            if !regular.covers(c) {
                missing.push(c);
            }
        }
        missing
    }
}

/// Splits shaped glyphs at a byte offset of their text: glyphs whose cluster is
/// before `at` go left. Used to draw the two halves of a hyphenated word.
pub fn split_at_cluster(glyphs: &[ShapedGlyph], at: usize) -> (Range<usize>, Range<usize>) {
    let i = glyphs.iter().position(|g| g.cluster as usize >= at).unwrap_or(glyphs.len());
    (0..i, i..glyphs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The embedded faces load and cover every Kazakh and Russian letter.
    #[test]
    fn embedded_faces_cover_kazakh() {
        let set = FontSet::embedded();
        assert!(set.missing_chars("ӘәҒғҚқҢңӨөҰұҮүҺһІі Ёё «»—–№").is_empty());
        assert_eq!(set.missing_chars("a😀b😀"), vec!['😀']);
    }

    // Shaping gives positive advances and clusters that index the text.
    #[test]
    fn shapes_cyrillic_word() {
        let set = FontSet::embedded();
        let face = set.face(set.id(Family::Serif, Style::default()));
        let g = face.shape("Заявление");
        assert_eq!(g.len(), "Заявление".chars().count());
        assert!(g.iter().all(|g| g.advance > 0));
        let w = face.text_width("Заявление", Pt::new(10.0));
        assert!(w.get() > 30.0 && w.get() < 60.0, "{w}");
        let (l, r) = split_at_cluster(&g, "Заяв".len());
        assert_eq!((l.len(), r.len()), (4, 5));
    }

    // Bold is wider than regular for the same text.
    #[test]
    fn bold_is_wider() {
        let set = FontSet::embedded();
        let size = Pt::new(10.0);
        let regular = set.face(set.id(Family::Serif, Style::default())).text_width("Профсоюз", size);
        let bold =
            set.face(set.id(Family::Serif, Style { bold: true, italic: false })).text_width("Профсоюз", size);
        assert!(bold > regular);
    }
}
