//! Standalone font subsets, for an e-book's reading system to load.
//!
//! The PDF's subsets ([`subsetter`]) carry no `cmap` and no `OS/2`: a PDF maps
//! its own codes to glyphs. A reading system loads a font file by itself and
//! finds glyphs through the font's `cmap`, and browser engines (Chromium's and
//! Firefox's OpenType sanitiser, which most reading systems embed) reject a
//! font without `cmap`, `OS/2`, `hhea`, `hmtx`, `maxp`, `name` or `post`. So the
//! subset is made by `subsetter` and then completed here: a `cmap` for exactly
//! the characters kept, and the original `OS/2`, in a new table directory with
//! fresh checksums.
//!
//! TrueType hinting is dropped (the glyphs' instructions, `fpgm`, `prep`,
//! `cvt `), and so are the glyph names (`post` format 3): the instructions are
//! half to three quarters of the outlines' bytes, and the screens e-books are
//! read on (phones, tablets, e-ink at 200–300 ppi) render unhinted, or hint
//! automatically, as web fonts are commonly served.
//!
//! Layout features (`GSUB`, `GPOS`: kerning, ligatures) are not kept, so a
//! reading system sets the text unkerned, as most of them do anyway.

use std::collections::BTreeSet;

use skrifa::MetadataProvider;
use skrifa::raw::TableProvider;
use subsetter::GlyphRemapper;

use super::{Face, FontError};

/// A font subset a reading system can load on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebFont {
    /// The font file's bytes.
    pub bytes: Vec<u8>,
    /// CFF outlines (an `.otf`, `font/otf`) rather than TrueType (`.ttf`, `font/ttf`).
    pub cff: bool,
}

/// The family name a stylesheet can call the face by: the typographic family
/// (name ID 16), else the family (name ID 1), else `None`.
pub fn family_name(face: &Face) -> Option<String> {
    let font = skrifa::FontRef::new(face.data.bytes()).ok()?;
    [skrifa::string::StringId::TYPOGRAPHIC_FAMILY_NAME, skrifa::string::StringId::FAMILY_NAME]
        .into_iter()
        .find_map(|id| font.localized_strings(id).english_or_first().map(|s| s.to_string()))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The face's full name (name ID 4), such as "PT Serif Bold Italic".
pub fn full_name(face: &Face) -> Option<String> {
    let font = skrifa::FontRef::new(face.data.bytes()).ok()?;
    let name = font.localized_strings(skrifa::string::StringId::FULL_NAME).english_or_first()?.to_string();
    Some(name.trim().to_string()).filter(|s| !s.is_empty())
}

/// The face's copyright and licence strings (name IDs 0, 13 and 14), those it has.
pub fn licence_notice(face: &Face) -> Vec<String> {
    let Ok(font) = skrifa::FontRef::new(face.data.bytes()) else { return Vec::new() };
    [
        skrifa::string::StringId::COPYRIGHT_NOTICE,
        skrifa::string::StringId::LICENSE_DESCRIPTION,
        skrifa::string::StringId::LICENSE_URL,
    ]
    .into_iter()
    .filter_map(|id| font.localized_strings(id).english_or_first().map(|s| s.to_string()))
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect()
}

/// `face` cut down to the glyphs of `chars` (those it maps; the others are
/// left out, so a reading system falls back to another font for them) as a
/// complete font file.
pub fn subset(face: &Face, chars: &BTreeSet<char>) -> Result<WebFont, FontError> {
    let bad = || FontError::NotAFont(face.name.clone());
    let data = face.data.bytes();
    let font = skrifa::FontRef::new(data).map_err(|_| bad())?;
    let charmap = font.charmap();
    let mut remapper = GlyphRemapper::new();
    let mut old: Vec<(u32, u16)> = Vec::new();
    for &c in chars {
        if let Some(g) = charmap.map(c).map(|g| g.to_u32()).filter(|&g| g != 0 && g <= u32::from(u16::MAX)) {
            old.push((c as u32, g as u16));
            remapper.remap(g as u16);
        }
    }
    let sub = subsetter::subset(data, 0, &remapper).map_err(|_| bad())?;
    let mut tables = read_tables(&sub).ok_or_else(bad)?;
    unhint(&mut tables).ok_or_else(bad)?;
    let mapping: Vec<(u32, u16)> =
        old.iter().filter_map(|&(c, g)| remapper.get(g).map(|new| (c, new))).collect();
    tables.push((*b"cmap", cmap(&mapping)));
    if let Some(os2) = font.data_for_tag(skrifa::raw::types::Tag::new(b"OS/2")) {
        let mut os2 = os2.as_bytes().to_vec();
        // usFirstCharIndex and usLastCharIndex: the range the subset maps.
        let bmp: Vec<u32> = mapping.iter().map(|&(c, _)| c.min(0xFFFF)).collect();
        if os2.len() >= 68 {
            let first = bmp.iter().min().copied().unwrap_or(0) as u16;
            let last = bmp.iter().max().copied().unwrap_or(0) as u16;
            os2[64..66].copy_from_slice(&first.to_be_bytes());
            os2[66..68].copy_from_slice(&last.to_be_bytes());
        }
        tables.push((*b"OS/2", os2));
    } else {
        return Err(bad());
    }
    let cff = tables.iter().any(|(t, _)| t == b"CFF ");
    Ok(WebFont { bytes: assemble(tables, cff), cff })
}

/// Drops TrueType hinting and glyph names from `tables`: `glyf` without
/// instructions (and `loca` to match), no `fpgm`, `prep` or `cvt `, `post`
/// format 3. `None` if `glyf` or `loca` cannot be read. CFF fonts have no
/// `glyf` and keep their (small) hints.
fn unhint(tables: &mut Vec<([u8; 4], Vec<u8>)>) -> Option<()> {
    tables.retain(|(tag, _)| !matches!(tag, b"fpgm" | b"prep" | b"cvt "));
    if let Some((_, post)) = tables.iter_mut().find(|(tag, _)| tag == b"post")
        && post.len() >= 32
    {
        post.truncate(32);
        post[0..4].copy_from_slice(&0x0003_0000_u32.to_be_bytes());
    }
    let find = |tables: &[([u8; 4], Vec<u8>)], tag: &[u8; 4]| tables.iter().position(|(t, _)| t == tag);
    let (Some(head), Some(glyf), Some(loca)) =
        (find(tables, b"head"), find(tables, b"glyf"), find(tables, b"loca"))
    else {
        return Some(());
    };
    let long = u16::from_be_bytes(tables[head].1.get(50..52)?.try_into().ok()?) == 1;
    let old_loca = &tables[loca].1;
    let offsets: Vec<usize> = if long {
        old_loca.chunks_exact(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize).collect()
    } else {
        old_loca.chunks_exact(2).map(|b| 2 * usize::from(u16::from_be_bytes([b[0], b[1]]))).collect()
    };
    let old_glyf = &tables[glyf].1;
    let mut new_glyf = Vec::with_capacity(old_glyf.len() / 2);
    let mut new_offsets = Vec::with_capacity(offsets.len());
    for pair in offsets.windows(2) {
        new_offsets.push(new_glyf.len());
        let glyph = old_glyf.get(pair[0]..pair[1])?;
        strip_glyph(glyph, &mut new_glyf)?;
        new_glyf.resize(new_glyf.len().next_multiple_of(2), 0);
    }
    new_offsets.push(new_glyf.len());
    let short = new_glyf.len() < 0x20000;
    let mut new_loca = Vec::with_capacity(new_offsets.len() * 4);
    for &o in &new_offsets {
        if short {
            new_loca.extend(((o / 2) as u16).to_be_bytes());
        } else {
            new_loca.extend((o as u32).to_be_bytes());
        }
    }
    tables[head].1[50..52].copy_from_slice(&u16::from(!short).to_be_bytes());
    tables[glyf].1 = new_glyf;
    tables[loca].1 = new_loca;
    Some(())
}

/// Appends `glyph` (one `glyf` entry) to `out` without its instructions.
fn strip_glyph(glyph: &[u8], out: &mut Vec<u8>) -> Option<()> {
    if glyph.is_empty() {
        return Some(());
    }
    let u16_at = |i: usize| glyph.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let contours = u16_at(0)? as i16;
    if contours >= 0 {
        // Header, endPtsOfContours, instructionLength, instructions, the rest.
        let at = 10 + 2 * contours as usize;
        let len = usize::from(u16_at(at)?);
        let points = if contours == 0 { 0 } else { usize::from(u16_at(at - 2)?) + 1 };
        // The outline's end, found by reading its flags: what follows is padding.
        let flags_at = at + 2 + len;
        let (mut i, mut n, mut x_len, mut y_len) = (flags_at, 0, 0, 0);
        while n < points {
            let flag = *glyph.get(i)?;
            let repeat = if flag & 0x08 != 0 {
                i += 1;
                usize::from(*glyph.get(i)?) + 1
            } else {
                1
            };
            i += 1;
            n += repeat;
            let size = |short: u8, same: u8| match (flag & short != 0, flag & same != 0) {
                (true, _) => 1,
                (false, true) => 0,
                (false, false) => 2,
            };
            x_len += repeat * size(0x02, 0x10);
            y_len += repeat * size(0x04, 0x20);
        }
        out.extend(glyph.get(..at)?);
        out.extend(0u16.to_be_bytes());
        out.extend(glyph.get(flags_at..i + x_len + y_len)?);
    } else {
        // Components; instructions follow the last one when it says so.
        const ARGS_ARE_WORDS: u16 = 0x0001;
        const HAVE_SCALE: u16 = 0x0008;
        const MORE: u16 = 0x0020;
        const X_AND_Y_SCALE: u16 = 0x0040;
        const TWO_BY_TWO: u16 = 0x0080;
        const HAVE_INSTRUCTIONS: u16 = 0x0100;
        let start = out.len();
        out.extend(glyph.get(..10)?);
        let mut at = 10;
        loop {
            let flags = u16_at(at)?;
            let mut len = 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
            len += match () {
                _ if flags & HAVE_SCALE != 0 => 2,
                _ if flags & X_AND_Y_SCALE != 0 => 4,
                _ if flags & TWO_BY_TWO != 0 => 8,
                _ => 0,
            };
            let flag_at = out.len();
            out.extend(glyph.get(at..at + len)?);
            at += len;
            if flags & MORE == 0 {
                out[flag_at..flag_at + 2].copy_from_slice(&(flags & !HAVE_INSTRUCTIONS).to_be_bytes());
                break;
            }
        }
        debug_assert!(out.len() > start);
    }
    Some(())
}

/// The tables of an sfnt font: (tag, bytes).
fn read_tables(font: &[u8]) -> Option<Vec<([u8; 4], Vec<u8>)>> {
    let u16_at = |i: usize| font.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_at = |i: usize| font.get(i..i + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let count = usize::from(u16_at(4)?);
    let mut tables = Vec::with_capacity(count + 3);
    for i in 0..count {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let offset = u32_at(rec + 8)? as usize;
        let len = u32_at(rec + 12)? as usize;
        tables.push((tag, font.get(offset..offset.checked_add(len)?)?.to_vec()));
    }
    Some(tables)
}

/// A `cmap` table for `mapping` (character, glyph), sorted by character: a
/// format 4 subtable for the Basic Multilingual Plane (Unicode BMP and Windows
/// Unicode BMP encodings) and, when characters lie beyond it, a format 12
/// subtable for all of them (Windows Unicode full repertoire).
fn cmap(mapping: &[(u32, u16)]) -> Vec<u8> {
    let bmp: Vec<(u32, u16)> = mapping.iter().copied().filter(|&(c, _)| c < 0xFFFF).collect();
    let astral = mapping.iter().any(|&(c, _)| c > 0xFFFF);

    // Format 4: runs of consecutive characters on consecutive glyphs, each one
    // segment with an idDelta; the final segment 0xFFFF is required.
    let mut segments: Vec<(u16, u16, u16)> = Vec::new(); // (start, end, delta)
    for &(c, g) in &bmp {
        let (c, delta) = (c as u16, g.wrapping_sub(c as u16));
        match segments.last_mut() {
            Some((_, end, d)) if *end + 1 == c && *d == delta => *end = c,
            _ => segments.push((c, c, delta)),
        }
    }
    segments.push((0xFFFF, 0xFFFF, 1));
    let seg_count = segments.len() as u16;
    let mut f4 = Vec::new();
    let entry_selector = 15 - seg_count.leading_zeros() as u16; // floor(log2(segCount))
    let search_range = 2 * (1u16 << entry_selector);
    f4.extend(4u16.to_be_bytes());
    f4.extend(((16 + 8 * seg_count as usize) as u16).to_be_bytes());
    f4.extend(0u16.to_be_bytes()); // language
    f4.extend((seg_count * 2).to_be_bytes());
    f4.extend(search_range.to_be_bytes());
    f4.extend(entry_selector.to_be_bytes());
    f4.extend((seg_count * 2 - search_range).to_be_bytes());
    segments.iter().for_each(|s| f4.extend(s.1.to_be_bytes()));
    f4.extend(0u16.to_be_bytes()); // reservedPad
    segments.iter().for_each(|s| f4.extend(s.0.to_be_bytes()));
    segments.iter().for_each(|s| f4.extend(s.2.to_be_bytes()));
    segments.iter().for_each(|_| f4.extend(0u16.to_be_bytes())); // idRangeOffset

    let mut f12 = Vec::new();
    if astral {
        let mut groups: Vec<(u32, u32, u32)> = Vec::new(); // (start char, end char, start glyph)
        for &(c, g) in mapping {
            match groups.last_mut() {
                Some((start, end, g0)) if *end + 1 == c && *g0 + (c - *start) == u32::from(g) => *end = c,
                _ => groups.push((c, c, u32::from(g))),
            }
        }
        f12.extend(12u16.to_be_bytes());
        f12.extend(0u16.to_be_bytes());
        f12.extend(((16 + 12 * groups.len()) as u32).to_be_bytes());
        f12.extend(0u32.to_be_bytes()); // language
        f12.extend((groups.len() as u32).to_be_bytes());
        for (start, end, g) in groups {
            f12.extend(start.to_be_bytes());
            f12.extend(end.to_be_bytes());
            f12.extend(g.to_be_bytes());
        }
    }

    // Encoding records, sorted by platform then encoding.
    let records: Vec<(u16, u16, bool)> = if astral {
        vec![(0, 3, false), (0, 4, true), (3, 1, false), (3, 10, true)]
    } else {
        vec![(0, 3, false), (3, 1, false)]
    };
    let header = 4 + 8 * records.len();
    let mut out = Vec::new();
    out.extend(0u16.to_be_bytes());
    out.extend((records.len() as u16).to_be_bytes());
    for (platform, encoding, full) in records {
        let offset = if full { header + f4.len() } else { header };
        out.extend(platform.to_be_bytes());
        out.extend(encoding.to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
    }
    out.extend(f4);
    out.extend(f12);
    out
}

/// An sfnt file of `tables`: the directory sorted by tag, each table padded
/// to four bytes, checksums and `head.checkSumAdjustment` computed.
fn assemble(mut tables: Vec<([u8; 4], Vec<u8>)>, cff: bool) -> Vec<u8> {
    tables.sort_by_key(|t| t.0);
    tables.dedup_by(|a, b| a.0 == b.0);
    let count = tables.len() as u16;
    let entry_selector = 15 - count.leading_zeros() as u16;
    let search_range = 16 * (1u16 << entry_selector);
    let mut out = Vec::new();
    out.extend(if cff { *b"OTTO" } else { [0, 1, 0, 0] });
    out.extend(count.to_be_bytes());
    out.extend(search_range.to_be_bytes());
    out.extend(entry_selector.to_be_bytes());
    out.extend((count * 16 - search_range).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &mut tables {
        if tag == b"head" && data.len() >= 12 {
            data[8..12].fill(0);
            head_at = Some(offset + 8);
        }
        out.extend(*tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(i) = head_at {
        let adjustment = 0xB1B0_AFBA_u32.wrapping_sub(checksum(&out));
        out[i..i + 4].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The sum of `data` as big-endian u32 words, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::FontSet;

    #[test]
    fn a_subset_maps_exactly_its_characters_and_keeps_their_outlines() {
        let set = FontSet::embedded();
        let face = set.face(set.id(crate::fonts::Family::Serif, Default::default()));
        let chars: BTreeSet<char> = "Қазақстан Әділет — «тест» 2026 \u{1F600}".chars().collect();
        let web = subset(face, &chars).expect("subsets");
        assert!(!web.cff);
        let font = skrifa::FontRef::new(&web.bytes).expect("the subset parses");
        let original = skrifa::FontRef::new(face.data.bytes()).unwrap();
        let (sub_map, orig_map) = (font.charmap(), original.charmap());
        for c in chars.iter().copied().filter(|&c| orig_map.map(c).is_some()) {
            let g = sub_map.map(c).unwrap_or_else(|| panic!("{c:?} is mapped"));
            let (m1, m0) = (
                font.glyph_metrics(
                    skrifa::instance::Size::unscaled(),
                    skrifa::instance::LocationRef::default(),
                ),
                original.glyph_metrics(
                    skrifa::instance::Size::unscaled(),
                    skrifa::instance::LocationRef::default(),
                ),
            );
            assert_eq!(m1.advance_width(g), m0.advance_width(orig_map.map(c).unwrap()), "{c:?}");
        }
        assert!(sub_map.map('Ж').is_none(), "a character not asked for is not mapped");
        assert!(sub_map.map('\u{1F600}').is_none(), "a character the face lacks is not mapped");
        for tag in [b"cmap", b"OS/2", b"hhea", b"hmtx", b"maxp", b"name", b"post", b"head", b"glyf", b"loca"]
        {
            assert!(
                font.data_for_tag(skrifa::raw::types::Tag::new(tag)).is_some(),
                "{}",
                String::from_utf8_lossy(tag)
            );
        }
        assert_eq!(checksum(&web.bytes), 0xB1B0_AFBA, "the whole font sums to the magic number");
        assert!(web.bytes.len() < face.data.bytes().len() / 10, "{} bytes", web.bytes.len());
    }
}
