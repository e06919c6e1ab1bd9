//! Fonts in the PDF: the glyphs each sheet draws and the text they stand for
//! ([`use_run`]); every face a document draws with is then subset to the glyphs
//! it uses and embedded as a CID-keyed composite font (Type0, Identity-H) with
//! its widths, a descriptor and a ToUnicode map, so that text can be copied
//! and searched.
//!
//! Glyphs are renumbered by the subsetter: CID *n* is the *n*-th glyph of the
//! subset, in the order of the original glyph ids (glyph 0, `.notdef`, first),
//! so [`Subset::cid`] is known before any page is written and pages can be
//! written in parallel. TrueType outlines go in as `FontFile2` with an
//! identity CID-to-GID map; CFF outlines as the bare CFF program
//! (`FontFile3`, `CIDFontType0C`), which the subsetter makes CID-keyed.

use std::collections::BTreeMap;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Finish, Name, Rect, Ref, Str};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::{TableProvider, TopLevelTable};
use skrifa::string::StringId;
use skrifa::{GlyphId, MetadataProvider};
use subsetter::GlyphRemapper;

use super::{Deflater, PdfError};
use crate::fonts::{Face, FaceId};
use crate::layout::TextRun;

/// CID-keyed fonts name their character collection; Identity means CIDs are
/// glyph numbers of the embedded program.
const SYSTEM_INFO: SystemInfo =
    SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };

/// The glyphs a document draws with one face, and the text each stands for
/// (its ToUnicode entry).
#[derive(Debug, Default, Clone)]
pub(super) struct FontUse {
    pub glyphs: BTreeMap<u16, GlyphText>,
}

/// The text a glyph stands for, and how sure that is.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct GlyphText {
    pub text: String,
    /// [`GlyphText::NONE`], [`GlyphText::SPLIT`] or [`GlyphText::ALONE`].
    pub rank: u8,
}

impl GlyphText {
    /// Drawn only as a later glyph of a cluster that keeps its text on the first.
    pub const NONE: u8 = 0;
    /// One glyph of a cluster split one character per glyph.
    pub const SPLIT: u8 = 1;
    /// Alone in its cluster: it stands for all of the cluster's text.
    pub const ALONE: u8 = 2;
}

impl FontUse {
    /// Adds the uses of `other`, which comes later in the document: a glyph
    /// keeps the most certain text, the earliest among equally certain ones.
    pub fn merge(&mut self, other: FontUse) {
        for (g, text) in other.glyphs {
            match self.glyphs.get_mut(&g) {
                Some(mine) if mine.rank >= text.rank => {}
                Some(mine) => *mine = text,
                None => {
                    self.glyphs.insert(g, text);
                }
            }
        }
    }
}

/// The glyphs of one face on one sheet: per glyph id, how sure its text is
/// (0: not drawn, else 1 + [`GlyphText::rank`]), so that the millions of
/// glyphs of a volume are each checked in constant time; and the texts.
#[derive(Default)]
pub(super) struct SheetGlyphs {
    state: Vec<u8>,
    pub used: FontUse,
}

impl SheetGlyphs {
    /// Records that `gid` stands for `text` with the given certainty, unless it
    /// already has a text at least as certain.
    fn record(&mut self, gid: u16, text: &str, rank: u8) {
        let i = usize::from(gid);
        if i >= self.state.len() {
            self.state.resize(i + 1, 0);
        }
        if self.state[i] > rank {
            return;
        }
        self.state[i] = rank + 1;
        self.used.glyphs.insert(gid, GlyphText { text: text.to_string(), rank });
    }

    /// True if `gid` already has the most certain kind of text.
    fn settled(&self, gid: u16) -> bool {
        self.state.get(usize::from(gid)).is_some_and(|&s| s > GlyphText::ALONE)
    }
}

/// Records the glyphs of a run and the text each stands for. Glyphs that stand
/// for the same characters form a cluster: a glyph alone in its cluster stands for all
/// of it (a letter, or a ligature for its letters); a cluster of as many glyphs
/// as characters (a letter and its combining accent) is split one to one;
/// otherwise the first glyph takes the cluster's text and the rest none. A text
/// from a glyph alone wins over one from a split cluster, wherever it comes.
pub(super) fn use_run(run: &TextRun, uses: &mut BTreeMap<FaceId, SheetGlyphs>) {
    let sheet = uses.entry(run.face).or_default();
    let glyphs = &run.glyphs;
    let mut i = 0;
    while i < glyphs.len() {
        // The layout gives a cluster's range to its last glyph and empty ranges
        // at the same place to the glyphs before it; a range repeated on several
        // glyphs is one cluster too.
        let start = glyphs[i].start;
        let mut j = i + 1;
        while j < glyphs.len()
            && glyphs[j].start == start
            && (glyphs[j - 1].len == 0 || glyphs[j].len == glyphs[i].len)
        {
            j += 1;
        }
        let end = glyphs[i..j].iter().map(|g| g.range().end).max().unwrap_or(start);
        let text = || run.text.get(start as usize..end as usize).unwrap_or("");
        if j - i == 1 {
            if !sheet.settled(glyphs[i].id) {
                let text = text();
                let rank = if text.is_empty() { GlyphText::NONE } else { GlyphText::ALONE };
                sheet.record(glyphs[i].id, text, rank);
            }
        } else {
            let text = text();
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            for (k, g) in glyphs[i..j].iter().enumerate() {
                let part = if chars.len() == j - i {
                    let (at, c) = chars[k];
                    &text[at..at + c.len_utf8()]
                } else if k == 0 {
                    text
                } else {
                    ""
                };
                let rank = if part.is_empty() { GlyphText::NONE } else { GlyphText::SPLIT };
                sheet.record(g.id, part, rank);
            }
        }
        i = j;
    }
}

/// A face's subset: the CID and the width of every glyph drawn.
pub(super) struct Subset {
    /// CID by original glyph id; glyphs not drawn map to 0.
    cids: Vec<u16>,
    /// Advance width by original glyph id (`.notdef` and the glyphs drawn), in
    /// thousandths of an em: what a viewer advances by, and the `W` array.
    widths: Vec<f32>,
    remapper: GlyphRemapper,
}

impl Subset {
    /// Plans the subset of `face` for the glyphs in `used`.
    pub fn plan(face: &Face, used: &FontUse) -> Subset {
        let mut remapper = GlyphRemapper::new();
        let size = usize::from(used.glyphs.keys().next_back().copied().unwrap_or(0)) + 1;
        let mut cids = vec![0; size];
        let mut widths = vec![0.0; size];
        let font = skrifa::FontRef::new(face.data.bytes()).ok();
        let metrics = font.as_ref().map(|f| f.glyph_metrics(Size::unscaled(), LocationRef::default()));
        let scale = 1000.0 / f32::from(face.units_per_em.max(16));
        let width = |g: u16| {
            metrics.as_ref().and_then(|m| m.advance_width(GlyphId::new(u32::from(g)))).unwrap_or(0.0) * scale
        };
        widths[0] = width(0);
        for &g in used.glyphs.keys() {
            cids[usize::from(g)] = remapper.remap(g);
            widths[usize::from(g)] = width(g);
        }
        Subset { cids, widths, remapper }
    }

    /// The CID that draws glyph `gid`.
    pub fn cid(&self, gid: u16) -> u16 {
        self.cids.get(usize::from(gid)).copied().unwrap_or(0)
    }

    /// The width of glyph `gid` in thousandths of an em (0 for a glyph not drawn).
    pub fn width(&self, gid: u16) -> f32 {
        self.widths.get(usize::from(gid)).copied().unwrap_or(0.0)
    }
}

/// Why a face cannot go into a PDF/A file.
pub(super) fn archival_problem(face: &Face) -> Option<String> {
    face.embedding_restricted()
        .then(|| format!("the font `{}` may not be embedded (its licence restricts embedding)", face.name))
}

/// Writes the font objects of one face into `chunk`: the Type0 font at `root`
/// and its descendant, descriptor, program and ToUnicode map at fresh refs
/// from `next`.
pub(super) fn embed(
    chunk: &mut Chunk,
    root: Ref,
    next: &mut impl FnMut() -> Ref,
    face: &Face,
    used: &FontUse,
    subset: &Subset,
    deflater: &mut Deflater,
) -> Result<(), PdfError> {
    let bad = |why: &str| PdfError::Writer(format!("the font `{}` cannot be embedded: {why}", face.name));
    let font = skrifa::FontRef::new(face.data.bytes()).map_err(|_| bad("it cannot be read"))?;
    let is_cff = font.cff().is_ok();
    if !is_cff && font.glyf().is_err() {
        return Err(bad("it has no TrueType or CFF outlines"));
    }
    let program =
        subsetter::subset(face.data.bytes(), 0, &subset.remapper).map_err(|e| bad(&format!("{e:?}")))?;
    let program: Vec<u8> = if is_cff {
        let sub = skrifa::FontRef::new(&program).map_err(|_| bad("its subset cannot be read"))?;
        let cff = sub
            .data_for_tag(skrifa::raw::tables::cff::Cff::TAG)
            .ok_or_else(|| bad("its subset has no CFF"))?;
        cff.as_bytes().to_vec()
    } else {
        program
    };

    let upem = f32::from(face.units_per_em.max(16));
    let to_pdf = |v: f32| v * 1000.0 / upem;
    let metrics = font.metrics(Size::unscaled(), LocationRef::default());
    let ps_name: String = font
        .localized_strings(StringId::POSTSCRIPT_NAME)
        .english_or_first()
        .map(|s| s.chars().filter(|c| c.is_ascii_graphic() && !"[](){}<>/%#".contains(*c)).collect())
        .filter(|s: &String| !s.is_empty())
        .unwrap_or_else(|| "Font".into());
    let base = format!("{}+{}", subset_tag(used), &ps_name[..ps_name.len().min(100)]);

    let (cid_ref, descriptor_ref, cmap_ref, program_ref) = (next(), next(), next(), next());
    let type0_name = if is_cff { format!("{base}-Identity-H") } else { base.clone() };
    chunk
        .type0_font(root)
        .base_font(Name(type0_name.as_bytes()))
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_ref)
        .to_unicode(cmap_ref);

    let mut cid = chunk.cid_font(cid_ref);
    cid.subtype(if is_cff { CidFontType::Type0 } else { CidFontType::Type2 });
    cid.base_font(Name(base.as_bytes()));
    cid.system_info(SYSTEM_INFO);
    cid.font_descriptor(descriptor_ref);
    cid.default_width(0.0);
    if !is_cff {
        cid.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    {
        // Widths in CID order, in thousandths of an em (CID fonts assume 1000
        // units); runs of equal widths on consecutive CIDs are written once.
        let all: Vec<(u16, f32)> = std::iter::once((0, subset.width(0)))
            .chain(used.glyphs.keys().filter(|&&g| g != 0).map(|&g| (subset.cid(g), subset.width(g))))
            .collect();
        let mut w = cid.widths();
        let mut i = 0;
        while i < all.len() {
            let mut j = i;
            while j + 1 < all.len() && all[j + 1].1 == all[i].1 && all[j + 1].0 == all[j].0 + 1 {
                j += 1;
            }
            if all[i].1 != 0.0 {
                w.same(all[i].0, all[j].0, all[i].1);
            }
            i = j + 1;
        }
    }
    cid.finish();

    let mut flags = FontFlags::SYMBOLIC;
    flags.set(FontFlags::SERIF, ps_name.contains("Serif"));
    flags.set(FontFlags::FIXED_PITCH, metrics.is_monospace);
    flags.set(FontFlags::ITALIC, metrics.italic_angle != 0.0);
    let bbox = metrics
        .bounds
        .map_or(Rect::new(0.0, to_pdf(face.descender as f32), 1000.0, to_pdf(face.ascender as f32)), |b| {
            Rect::new(to_pdf(b.x_min), to_pdf(b.y_min), to_pdf(b.x_max), to_pdf(b.y_max))
        });
    let weight = font.os2().map_or(400.0, |os2| f32::from(os2.us_weight_class()));
    // Ascent and descent as the OS/2 table's typographic values, which text
    // extraction uses for the height of a line; the layout's metrics otherwise.
    let (ascent, descent) = font.os2().map_or((face.ascender as f32, face.descender as f32), |os2| {
        (f32::from(os2.s_typo_ascender()), f32::from(os2.s_typo_descender()))
    });
    let mut descriptor = chunk.font_descriptor(descriptor_ref);
    descriptor
        .name(Name(base.as_bytes()))
        .flags(flags)
        .bbox(bbox)
        .italic_angle(metrics.italic_angle)
        .ascent(to_pdf(ascent))
        .descent(to_pdf(descent))
        .cap_height(to_pdf(face.cap_height as f32))
        // The usual estimate of the dominant vertical stem from the weight class.
        .stem_v(10.0 + 0.244 * (weight - 50.0).max(0.0));
    if is_cff {
        descriptor.font_file3(program_ref);
    } else {
        descriptor.font_file2(program_ref);
    }
    descriptor.finish();

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
    for (&g, t) in &used.glyphs {
        if g != 0 && !t.text.is_empty() {
            cmap.pair_with_multiple(subset.cid(g), t.text.chars());
        }
    }
    let cmap = deflater.zlib(&cmap.finish());
    let mut cmap_stream = chunk.cmap(cmap_ref, &cmap);
    cmap_stream.system_info(SYSTEM_INFO);
    cmap_stream.filter(pdf_writer::Filter::FlateDecode);
    cmap_stream.finish();

    let data = deflater.zlib(&program);
    let mut stream = chunk.stream(program_ref, &data);
    stream.filter(pdf_writer::Filter::FlateDecode);
    if is_cff {
        stream.pair(Name(b"Subtype"), Name(b"CIDFontType0C"));
    } else {
        stream.pair(Name(b"Length1"), program.len() as i32);
    }
    stream.finish();
    Ok(())
}

/// Six capital letters that tell this subset from other subsets of the face
/// (ISO 32000-1, 9.6.4), derived from the glyphs it holds.
fn subset_tag(used: &FontUse) -> String {
    // FNV-1a over the glyph ids: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for g in used.glyphs.keys() {
        for b in g.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    (0..6)
        .map(|_| {
            let c = char::from(b'A' + (h % 26) as u8);
            h /= 26;
            c
        })
        .collect()
}
