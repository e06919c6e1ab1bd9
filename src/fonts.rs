//! Fonts: loading (the embedded PT Serif / PT Sans defaults or files), metrics
//! (skrifa), shaping (harfrust) and glyph coverage. Subsetting happens in the
//! PDF writer (krilla), which receives the same font bytes.
//!
//! Shaping results are cached per (face, text) in font units, so a word that
//! occurs a thousand times is shaped once; sizes are applied by scaling. What a
//! face needs for shaping (harfrust's table data, one shape plan per script and
//! direction) and for coverage checks (a bitmap of its `cmap`) is built at first
//! use, so start-up parses only the table directory and metrics of each face,
//! and a face that a book never uses costs nothing more.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use harfrust::{Direction, Script, ShapePlan, ShaperData, UnicodeBuffer};
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
    shaper_data: OnceLock<ShaperData>,
    coverage: OnceLock<Coverage>,
    cache: Mutex<ShapeCache>,
}

/// Shaped words and the shape plans that produced them.
#[derive(Default)]
struct ShapeCache {
    words: HashMap<Box<str>, Arc<[ShapedGlyph]>, BuildHasherDefault<FxHasher>>,
    /// Plans by (direction, script). Building a plan compiles the font's GSUB/GPOS
    /// feature map, which costs more than shaping a word, and harfrust would do it
    /// for every call without one. Text whose script is unknown (only digits,
    /// spaces, punctuation) is shaped without a cached plan, as harfrust plans
    /// such text with no script at all.
    plans: Vec<(Direction, Script, ShapePlan)>,
}

/// The hash of rustc's `FxHasher` (a multiply and rotate per word): the shaping
/// cache is keyed by short words from our own documents, where SipHash's
/// resistance to chosen collisions buys nothing and costs a third of a lookup.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The characters a face maps to a glyph: a bitmap of the Basic Multilingual
/// Plane (8 KiB) and a sorted list of the rest.
struct Coverage {
    bmp: Box<[u64]>,
    astral: Vec<u32>,
}

impl Coverage {
    fn new(font: &skrifa::FontRef) -> Coverage {
        let mut bmp = vec![0u64; 0x10000 / 64].into_boxed_slice();
        let mut astral = Vec::new();
        for (c, glyph) in font.charmap().mappings() {
            if glyph.to_u32() == 0 {
                continue;
            }
            if c < 0x10000 {
                bmp[c as usize / 64] |= 1 << (c % 64);
            } else {
                astral.push(c);
            }
        }
        astral.sort_unstable();
        astral.dedup();
        Coverage { bmp, astral }
    }

    fn contains(&self, c: char) -> bool {
        let c = c as u32;
        if c < 0x10000 {
            self.bmp[c as usize / 64] & (1 << (c % 64)) != 0
        } else {
            self.astral.binary_search(&c).is_ok()
        }
    }
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
        let upem = metrics.units_per_em.max(16);
        let cap_height = metrics.cap_height.map_or(upem as f64 * 0.7, |c| c as f64);
        let face = Face {
            name: name.to_string(),
            units_per_em: upem,
            ascender: metrics.ascent as f64,
            descender: metrics.descent as f64,
            cap_height,
            shaper_data: OnceLock::new(),
            coverage: OnceLock::new(),
            cache: Mutex::new(ShapeCache::default()),
            data,
        };
        Ok(face)
    }

    /// True if the face maps `c` to a glyph.
    pub fn covers(&self, c: char) -> bool {
        self.coverage
            .get_or_init(|| {
                skrifa::FontRef::new(self.data.bytes())
                    .map_or(Coverage { bmp: vec![0; 0x10000 / 64].into(), astral: Vec::new() }, |f| {
                        Coverage::new(&f)
                    })
            })
            .contains(c)
    }

    /// Shapes `text` (one word or fragment, left to right) into glyphs in font units.
    /// Results are cached per text.
    pub fn shape(&self, text: &str) -> Arc<[ShapedGlyph]> {
        let Ok(mut cache) = self.cache.lock() else {
            return self.shape_uncached(text, &mut ShapeCache::default()).into();
        };
        if let Some(hit) = cache.words.get(text) {
            return hit.clone();
        }
        let glyphs: Arc<[ShapedGlyph]> = self.shape_uncached(text, &mut cache).into();
        cache.words.insert(text.into(), glyphs.clone());
        glyphs
    }

    fn shape_uncached(&self, text: &str, cache: &mut ShapeCache) -> Vec<ShapedGlyph> {
        let Ok(font) = harfrust::FontRef::new(self.data.bytes()) else {
            return Vec::new();
        };
        let data = self.shaper_data.get_or_init(|| ShaperData::new(&font));
        let shaper = data.shaper(&font).build();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let (direction, script) = (buffer.direction(), buffer.script());
        let out = if script == harfrust::script::UNKNOWN {
            shaper.shape(buffer, harfrust::ShapeOptions::new())
        } else {
            let i = match cache.plans.iter().position(|(d, s, _)| (*d, *s) == (direction, script)) {
                Some(i) => i,
                None => {
                    let plan = ShapePlan::new(&shaper, direction, Some(script), None, &[]);
                    cache.plans.push((direction, script, plan));
                    cache.plans.len() - 1
                }
            };
            shaper.shape(buffer, harfrust::ShapeOptions::new().plan(Some(&cache.plans[i].2)))
        };
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

    // The coverage bitmap answers as the font's cmap does, in and beyond the BMP.
    #[test]
    fn coverage_matches_cmap() {
        let set = FontSet::embedded();
        for (_, face) in set.faces() {
            let font = skrifa::FontRef::new(face.data.bytes()).expect("font");
            let charmap = font.charmap();
            for c in (0..0x3000).chain(0xFB00..0xFB10).chain(0x1F600..0x1F610).filter_map(char::from_u32) {
                let mapped = charmap.map(c).is_some_and(|g| g.to_u32() != 0);
                assert_eq!(face.covers(c), mapped, "{} U+{:04X}", face.name, c as u32);
            }
        }
    }

    // A cached shape equals a fresh one, for text with and without a script.
    #[test]
    fn cached_shape_is_fresh_shape() {
        let set = FontSet::embedded();
        let face = set.face(set.id(Family::Serif, Style::default()));
        for text in ["Заявление", "Қазақстан", "office", "2026", "—", "Заявление"]
        {
            let cached = face.shape(text);
            let fresh = face.shape_uncached(text, &mut ShapeCache::default());
            assert_eq!(&cached[..], &fresh[..], "{text}");
        }
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
