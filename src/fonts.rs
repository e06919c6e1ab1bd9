//! Fonts: loading (the embedded PT Serif / PT Sans defaults or files), metrics
//! (skrifa), shaping (harfrust) and glyph coverage. Subsetting for the PDF happens
//! in its writer (`pdf::font`, with the subsetter crate), which receives the same
//! font bytes; standalone subsets for an e-book are made in [`web`].
//!
//! Shaping results are cached per (face, text) in font units, so a word that
//! occurs a thousand times is shaped once; sizes are applied by scaling. What a
//! face needs for shaping (harfrust's table data, one shape plan per script and
//! direction) and for coverage checks (a bitmap of its `cmap`) is built at first
//! use, so start-up parses only the table directory and metrics of each face,
//! and a face that a book never uses costs nothing more.

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use harfrust::{Direction, Script, ShapePlan, ShaperData, UnicodeBuffer};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use crate::units::{Em, Pt};

/// The faces compiled into the binary, so that nothing but the executable and
/// a Markdown file is needed to build. ParaType Free Font License; the licence
/// text ships next to the files in `fonts/`.
pub mod web;

mod embedded {
    pub const SERIF_REGULAR: &[u8] = include_bytes!("../fonts/PTSerif-Regular.ttf");
    pub const SERIF_ITALIC: &[u8] = include_bytes!("../fonts/PTSerif-Italic.ttf");
    pub const SERIF_BOLD: &[u8] = include_bytes!("../fonts/PTSerif-Bold.ttf");
    pub const SERIF_BOLD_ITALIC: &[u8] = include_bytes!("../fonts/PTSerif-BoldItalic.ttf");
    pub const SANS_REGULAR: &[u8] = include_bytes!("../fonts/PTSans-Regular.ttf");
    pub const SANS_BOLD: &[u8] = include_bytes!("../fonts/PTSans-Bold.ttf");
    pub const MONO_REGULAR: &[u8] = include_bytes!("../fonts/PTMono-Regular.ttf");
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
    /// Code, where columns and spaces must line up (PT Mono by default).
    Mono,
}

/// Weight and slant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Style {
    /// Bold weight.
    pub bold: bool,
    /// Italic slant.
    pub italic: bool,
}

/// Whether `c` is a default-ignorable code point (Unicode's
/// `Default_Ignorable_Code_Point`): drawn as nothing.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0xAD | 0x34F
            | 0x61C
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFF8
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
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
    cache: ShapeCache,
    /// The space and the hyphen, shaped once: every word boundary and hyphenation point asks.
    space: OnceLock<Arc<[ShapedGlyph]>>,
    hyphen: OnceLock<Arc<[ShapedGlyph]>>,
    /// Distinct for every face made in this process (see [`Face::serial`]).
    serial: u64,
}

/// A shape plan and the direction and script (none: digits and punctuation alone) it is for.
type PlanEntry = (Direction, Option<Script>, Arc<ShapePlan>);

/// Shaped glyphs by word.
type ShapedWords = crate::hash::WordMap<Arc<[ShapedGlyph]>>;

/// Shaped words and the shape plans that produced them, locked apart: a word
/// is shaped with neither lock held, and the words' lock is taken for writing
/// only to insert the result. (Shaping under the write lock made the other
/// layout thread sleep on the lock and be woken again for most new words: a
/// quarter of the shaping time of a volume went to the scheduler.)
#[derive(Default)]
struct ShapeCache {
    words: RwLock<ShapedWords>,
    /// Plans by direction and script (none for text of digits, spaces and
    /// punctuation alone). Building a plan compiles the font's GSUB/GPOS feature
    /// map, which costs more than shaping a word, and harfrust would do it for
    /// every call without one.
    plans: RwLock<Vec<PlanEntry>>,
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
    /// No file at the path.
    Missing(String),
    /// The file exists but cannot be read (no permission); with the reason.
    Unreadable(String, String),
    /// A folder, a pipe or a device, not a file.
    NotAFile(String),
    /// Larger than any font ([`MAX_FONT_BYTES`]).
    TooLarge(String, u64),
    /// A font, but in a container samizdat does not read: which one.
    Container(String, &'static str),
}

/// Largest font file read, in bytes: the largest CJK faces are about 20 MB.
pub const MAX_FONT_BYTES: u64 = 64 << 20;

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FontError::NotAFont(name) => write!(f, "`{name}` is not a TrueType or OpenType font"),
            FontError::NoCyrillic(name) => write!(f, "font `{name}` has no Cyrillic letters"),
            FontError::Missing(name) => write!(f, "font file `{name}` not found"),
            FontError::Unreadable(name, why) => write!(f, "cannot read font file `{name}`: {why}"),
            FontError::NotAFile(name) => write!(f, "`{name}` is not a file"),
            FontError::TooLarge(name, n) => {
                write!(f, "font file `{name}` is {} MB, larger than any font", n >> 20)
            }
            FontError::Container(name, kind) => write!(f, "`{name}` is {kind}"),
        }
    }
}

impl std::error::Error for FontError {}

/// The serial of the next face made (see [`Face::serial`]).
static NEXT_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
            cache: ShapeCache::default(),
            space: OnceLock::new(),
            hyphen: OnceLock::new(),
            serial: NEXT_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            data,
        };
        Ok(face)
    }

    /// A number no other face made in this process has: a key for caches of
    /// what depends only on the face (a word's glyphs and widths), kept apart
    /// from the face itself, so that two font sets never share an entry.
    pub fn serial(&self) -> u64 {
        self.serial
    }

    /// Whether the face's licence forbids embedding it (OS/2 `fsType` "restricted
    /// licence embedding": the value 2 of the low four bits, which are exclusive;
    /// OpenType spec, OS/2 table). PDF/A needs fonts that may be embedded, and
    /// an e-book leaves such a face out.
    pub fn embedding_restricted(&self) -> bool {
        use skrifa::raw::TableProvider;
        skrifa::FontRef::new(self.data.bytes())
            .is_ok_and(|f| f.os2().is_ok_and(|os2| os2.fs_type() & 0xF == 2))
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
    /// Results are cached per text; threads setting statements in parallel share
    /// the cache, and most lookups are hits, taken under a read lock.
    pub fn shape(&self, text: &str) -> Arc<[ShapedGlyph]> {
        if let Ok(words) = self.cache.words.read()
            && let Some(hit) = words.get(text)
        {
            return hit.clone();
        }
        let glyphs: Arc<[ShapedGlyph]> = self.shape_uncached(text, &self.cache).into();
        let Ok(mut words) = self.cache.words.write() else { return glyphs };
        // Another thread may have shaped the word meanwhile: the same glyphs, kept once.
        words.entry(text.into()).or_insert(glyphs).clone()
    }

    fn shape_uncached(&self, text: &str, cache: &ShapeCache) -> Vec<ShapedGlyph> {
        let Ok(font) = harfrust::FontRef::new(self.data.bytes()) else {
            return Vec::new();
        };
        let data = self.shaper_data.get_or_init(|| ShaperData::new(&font));
        let shaper = data.shaper(&font).build();
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let direction = buffer.direction();
        // Text of no script (digits, spaces, punctuation) is planned with none, as harfrust
        // would plan it itself.
        let script = Some(buffer.script()).filter(|&s| s != harfrust::script::UNKNOWN);
        let known = |plans: &[PlanEntry]| {
            plans.iter().find(|(d, s, _)| (*d, *s) == (direction, script)).map(|(_, _, p)| p.clone())
        };
        let cached = cache.plans.read().ok().and_then(|plans| known(&plans));
        let plan = cached.unwrap_or_else(|| {
            let plan = Arc::new(ShapePlan::new(&shaper, direction, script, None, &[]));
            match cache.plans.write() {
                Ok(mut plans) => known(&plans).unwrap_or_else(|| {
                    plans.push((direction, script, plan.clone()));
                    plan
                }),
                Err(_) => plan,
            }
        });
        let out = shaper.shape(buffer, harfrust::ShapeOptions::new().plan(Some(&plan)));
        // The shaper draws an invisible character (a soft hyphen, zero-width space,
        // word joiner, BOM, direction mark) as the space glyph with no advance. Such
        // a glyph is left out: drawn, it would give the space glyph that character's
        // text, and every real space of the book would copy as it.
        let invisible = |cluster: u32| {
            text.get(cluster as usize..).and_then(|t| t.chars().next()).is_some_and(is_invisible)
        };
        out.glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .filter(|(info, pos)| !(pos.x_advance == 0 && invisible(info.cluster)))
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

    /// The face's interword space, shaped.
    pub fn space(&self) -> &Arc<[ShapedGlyph]> {
        self.space.get_or_init(|| self.shape(" "))
    }

    /// The face's hyphen-minus, shaped (drawn at hyphenation points).
    pub fn hyphen(&self) -> &Arc<[ShapedGlyph]> {
        self.hyphen.get_or_init(|| self.shape("-"))
    }

    /// Width of `text` at `size`.
    pub fn text_width(&self, text: &str, size: Pt) -> Pt {
        self.width(&self.shape(text), size)
    }

    /// Converts font units to points at `size`.
    pub fn to_pt(&self, units: f64, size: Pt) -> Pt {
        size * (units / self.units_per_em as f64)
    }

    /// Font units in ems.
    pub fn to_em(&self, units: i32) -> Em {
        Em::new(f64::from(units) / self.units_per_em as f64)
    }
}

/// The faces a book uses: serif regular/italic/bold/bold-italic for text,
/// sans regular/bold for headings, and optionally a fallback face (last, id 6)
/// for characters the others lack.
#[derive(Debug)]
pub struct FontSet {
    faces: Vec<Face>,
    fallback: Option<FaceId>,
}

/// Index of the fallback face in [`FontSet::with`]'s errors and in the set.
pub const FALLBACK_SLOT: usize = SLOTS.len();

/// Order of faces in a [`FontSet`].
const SLOTS: [(Family, Style, &str); 7] = [
    (Family::Serif, Style { bold: false, italic: false }, "PT Serif"),
    (Family::Serif, Style { bold: false, italic: true }, "PT Serif Italic"),
    (Family::Serif, Style { bold: true, italic: false }, "PT Serif Bold"),
    (Family::Serif, Style { bold: true, italic: true }, "PT Serif Bold Italic"),
    (Family::Sans, Style { bold: false, italic: false }, "PT Sans"),
    (Family::Sans, Style { bold: true, italic: false }, "PT Sans Bold"),
    (Family::Mono, Style { bold: false, italic: false }, "PT Mono"),
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
            embedded::MONO_REGULAR,
        ];
        let faces = SLOTS
            .iter()
            .zip(data)
            .filter_map(|((_, _, name), bytes)| Face::new(name, FontData::Static(bytes)).ok())
            .collect::<Vec<_>>();
        assert_eq!(faces.len(), SLOTS.len(), "embedded fonts are valid by construction");
        FontSet { faces, fallback: None }
    }

    /// The embedded faces with some replaced by files (`slots` in the order of
    /// serif regular, italic, bold, bold italic, sans regular, bold, mono) and a
    /// fallback face appended. Every file is tried; the errors come back with
    /// the index of their slot ([`FALLBACK_SLOT`] for the fallback).
    pub fn with(
        slots: [Option<&Path>; SLOTS.len()],
        fallback: Option<&Path>,
    ) -> Result<FontSet, Vec<(usize, FontError)>> {
        let mut set = FontSet::embedded();
        let mut errors = Vec::new();
        for (i, path) in slots.iter().enumerate() {
            if let Some(path) = path {
                match FontSet::load_face(path) {
                    Ok(face) => set.faces[i] = face,
                    Err(e) => errors.push((i, e)),
                }
            }
        }
        if let Some(path) = fallback {
            match read_face(path) {
                Ok(face) => {
                    set.fallback = Some(FaceId(set.faces.len() as u16));
                    set.faces.push(face);
                }
                Err(e) => errors.push((FALLBACK_SLOT, e)),
            }
        }
        if errors.is_empty() { Ok(set) } else { Err(errors) }
    }

    /// Loads a face from a file, checking that it is a font and covers Cyrillic.
    pub fn load_face(path: &Path) -> Result<Face, FontError> {
        let face = read_face(path)?;
        if !face.covers('Ж') || !face.covers('я') {
            return Err(FontError::NoCyrillic(face.name));
        }
        Ok(face)
    }

    /// The fallback face, if one is configured.
    pub fn fallback(&self) -> Option<FaceId> {
        self.fallback
    }

    /// True if face `id` maps `c` to a glyph.
    pub fn covers(&self, id: FaceId, c: char) -> bool {
        self.face(id).covers(c)
    }

    /// The face for a family and style. Sans italic falls back to upright sans,
    /// and code has one face: its emphasis is not shown.
    pub fn id(&self, family: Family, style: Style) -> FaceId {
        let style = match family {
            Family::Serif => style,
            Family::Sans => Style { italic: false, ..style },
            Family::Mono => Style::default(),
        };
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

    /// Characters of `text` that no face of the set can draw (neither the body
    /// face nor the fallback), in order of first occurrence, without duplicates.
    /// Whitespace and controls are ignored.
    pub fn missing_chars(&self, text: &str) -> Vec<char> {
        self.uncovered(text, |c| self.fallback.is_some_and(|f| self.covers(f, c)))
    }

    /// Characters of `text` the body face lacks but the fallback face draws, as
    /// [`FontSet::missing_chars`] lists them; empty without a fallback.
    pub fn fallback_chars(&self, text: &str) -> Vec<char> {
        match self.fallback {
            Some(f) => self.uncovered(text, |c| !self.covers(f, c)),
            None => Vec::new(),
        }
    }

    /// Characters the regular face lacks, except those `skip` accepts.
    fn uncovered(&self, text: &str, skip: impl Fn(char) -> bool) -> Vec<char> {
        let mut found: Vec<char> = Vec::new();
        let regular = self.face(FaceId(0));
        // Characters below U+0800 (Latin, Cyrillic and their punctuation: nearly all of a
        // statement) are judged once each; the rest of their occurrences cost a bit test.
        let mut seen = [0u64; 32];
        for c in text.chars() {
            let u = c as usize;
            if u < 0x800 {
                let (word, bit) = (u / 64, 1u64 << (u % 64));
                if seen[word] & bit != 0 {
                    continue;
                }
                seen[word] |= bit;
            }
            if c.is_whitespace() || c.is_control() || c == '\u{AD}' || found.contains(&c) {
                continue;
            }
            if !regular.covers(c) && !skip(c) {
                found.push(c);
            }
        }
        found
    }
}

/// Reads and parses a font file, without checking what it covers.
fn read_face(path: &Path) -> Result<Face, FontError> {
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => FontError::Missing(name.clone()),
        _ => FontError::Unreadable(name.clone(), e.to_string().to_lowercase()),
    };
    // Only a regular file of a font's size: a pipe would block the read, a
    // device such as /dev/zero would never end it.
    let meta = path.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(FontError::NotAFile(name));
    }
    if meta.len() > MAX_FONT_BYTES {
        return Err(FontError::TooLarge(name, meta.len()));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let container = match bytes.get(..4) {
        Some(b"ttcf") => Some("a font collection (.ttc), which holds several faces"),
        Some(b"wOFF") => Some("a WOFF web font"),
        Some(b"wOF2") => Some("a WOFF2 web font"),
        _ => None,
    };
    if let Some(kind) = container {
        return Err(FontError::Container(name, kind));
    }
    Face::new(&name, FontData::Owned(Arc::new(bytes)))
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
        // Hebrew and Armenian letters (below U+0800, judged once each): in order, once.
        assert_eq!(set.missing_chars("אaաbאա ж"), vec!['א', 'ա']);
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
            let fresh = face.shape_uncached(text, &ShapeCache::default());
            assert_eq!(&cached[..], &fresh[..], "{text}");
        }
    }

    /// A font on this machine, if installed (DejaVu Sans: Cyrillic, Greek, many symbols).
    fn system_font(path: &str) -> Option<&Path> {
        let p = Path::new(path);
        p.is_file().then_some(p)
    }

    const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    // Every configured file is tried and each problem comes back with its slot.
    #[test]
    fn with_reports_every_bad_file() {
        let dir = std::env::temp_dir().join(format!("samizdat-fonts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("NotAFont.ttf");
        std::fs::write(&text, "just text\n").unwrap();
        let missing = dir.join("Missing.ttf");
        let errors =
            FontSet::with([Some(&missing), None, Some(&text), None, None, None, None], Some(&missing))
                .expect_err("bad files");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(matches!(&errors[0], (0, FontError::Missing(n)) if n.ends_with("Missing.ttf")));
        assert!(matches!(&errors[1], (2, FontError::NotAFont(n)) if n.ends_with("NotAFont.ttf")));
        assert!(matches!(&errors[2], (FALLBACK_SLOT, FontError::Missing(_))));
        assert_eq!(errors[0].1.to_string(), format!("font file `{}` not found", missing.display()));
    }

    // A fallback face needs no Cyrillic, gets the id after the six slots and
    // takes the characters it draws out of the missing list.
    #[test]
    fn fallback_covers_what_the_body_lacks() {
        let embedded = FontSet::embedded();
        assert_eq!(embedded.fallback(), None);
        assert!(embedded.fallback_chars("✓").is_empty());
        let Some(dejavu) = system_font(DEJAVU) else {
            eprintln!("skipped: {DEJAVU} is not installed");
            return;
        };
        assert_eq!(embedded.missing_chars("Да ✓ ☺ ∀ 中"), vec!['✓', '☺', '∀', '中']);
        let set = FontSet::with([None; 7], Some(dejavu)).expect("DejaVu Sans loads");
        assert_eq!(set.fallback(), Some(FaceId(FALLBACK_SLOT as u16)));
        assert_eq!(set.faces().count(), FALLBACK_SLOT + 1);
        assert!(set.covers(FaceId(FALLBACK_SLOT as u16), '✓') && !set.covers(FaceId(0), '✓'));
        assert_eq!(set.missing_chars("Да ✓ ☺ ∀ 中"), vec!['中']);
        assert_eq!(set.fallback_chars("Да ✓ ☺ ∀ 中"), vec!['✓', '☺', '∀']);
        // As a body face it replaces its slot.
        let set = FontSet::with([None, None, None, None, Some(dejavu), None, None], None).expect("loads");
        assert!(set.face(set.id(Family::Sans, Style::default())).covers('✓'));
        assert!(!set.face(set.id(Family::Serif, Style::default())).covers('✓'));
    }

    // A face without Cyrillic is refused for a slot but accepted as the fallback.
    #[test]
    fn face_without_cyrillic() {
        let Some(symbols) = LATIN_ONLY.iter().find_map(|p| system_font(p)) else {
            eprintln!("skipped: none of {LATIN_ONLY:?} is installed");
            return;
        };
        let errors = FontSet::with([Some(symbols), None, None, None, None, None, None], None)
            .expect_err("no Cyrillic");
        assert!(matches!(&errors[..], [(0, FontError::NoCyrillic(_))]), "{errors:?}");
        assert!(FontSet::with([None; 7], Some(symbols)).is_ok());
    }

    /// Fonts without Cyrillic letters found on Debian machines.
    const LATIN_ONLY: [&str; 2] = [
        "/usr/share/fonts/opentype/urw-base35/StandardSymbolsPS.otf",
        "/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf",
    ];

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
