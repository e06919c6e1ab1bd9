//! One paragraph: inlines → styled fragments → shaped, hyphenated Knuth–Plass
//! items → line boxes of positioned glyph runs.
//!
//! Break opportunities: spaces (glue), no-break spaces (glue behind an
//! infinite penalty), UAX #14 opportunities inside words (after hyphens and
//! dashes), hyphenation points from `typography::hyphenate`, breaks inside URLs
//! after `/` and before `.`, `-` (Chicago style), and, only for strings wider than the measure, between
//! any two characters at a high cost, so a line is never overfull.

use std::ops::Range;
use std::sync::Arc;

use crate::fonts::{FaceId, Family, FontSet, ShapedGlyph, Style, is_invisible};
use crate::layout::linebreak::{self, INFINITE, Item as KpItem, Params, Pass};
use crate::layout::{Glyph, GlyphOffset, TextRun, style};
use crate::model::{Inline, Lang};
use crate::typography;
use crate::units::{Em, Pt};

/// Cost of breaking at a hyphenation point: four times TeX's `\hyphenpenalty` (50). With
/// font expansion the breaker has room enough to set most lines evenly without breaking a
/// word; on generated and real statements it sets a quarter to a third fewer hyphens than
/// 50 at no cost in loose lines, and fewer than Typst does.
const HYPHEN_PENALTY: f64 = 200.0;
/// Cost of breaking at a hyphenation point in ragged-right text: TeX's `\hyphenpenalty`.
const RAGGED_HYPHEN_PENALTY: f64 = 50.0;
/// Cost of breaking after an explicit hyphen or dash (TeX's `\exhyphenpenalty` 50).
const EX_HYPHEN_PENALTY: f64 = 50.0;
/// Cost of breaking inside a URL after `/`, `.` or `-`: allowed, but a space is preferred.
const URL_PENALTY: f64 = 300.0;
/// Cost of breaking between two arbitrary characters of a string wider than the
/// measure: a last resort that beats an overfull line.
const EMERGENCY_PENALTY: f64 = 5000.0;
/// Shortest word that is hyphenated at all (letters); shorter words look wrong broken.
const MIN_HYPHENATED_WORD: usize = 5;

/// Horizontal alignment of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Both edges flush (body text).
    Justify,
    /// Ragged right.
    Left,
    /// Centred lines (titles).
    Center,
    /// Ragged right with every space kept at its width, none collapsed and none
    /// dropped at the start (code, where indentation and alignment carry meaning).
    Verbatim,
}

/// How a paragraph is set.
#[derive(Debug, Clone)]
pub struct ParaStyle {
    /// Serif for text, sans for headings.
    pub family: Family,
    /// Base weight and slant.
    pub style: Style,
    /// Font size.
    pub size: Pt,
    /// Baseline-to-baseline distance.
    pub leading: Pt,
    /// Alignment.
    pub align: Align,
    /// First-line indent.
    pub indent: Pt,
    /// Measure (line width).
    pub width: Pt,
    /// Language for hyphenation.
    pub lang: Lang,
    /// Hyphenate at all (off for headings).
    pub hyphenate: bool,
    /// Font expansion of justified lines (`expansion` of the output; see
    /// `linebreak::Params::expansion`).
    pub expansion: f64,
    /// Most letter-spacing of a loose justified line, in ems a letter (`tracking`
    /// of the output; 0 for none).
    pub tracking: f64,
}

impl ParaStyle {
    /// A short text (a title, a caption, a line of a title page or cover):
    /// unindented, at the tight leading of display lines, unhyphenated, unexpanded.
    pub fn short(family: Family, style: Style, size: Pt, align: Align, width: Pt, lang: Lang) -> ParaStyle {
        ParaStyle {
            family,
            style,
            size,
            leading: size * super::style::SMALL_LEADING,
            align,
            indent: Pt::ZERO,
            width,
            lang,
            hyphenate: false,
            expansion: 0.0,
            tracking: 0.0,
        }
    }
}

/// Width of a set line: from its start to the end of its last run.
pub fn line_width(line: &LineBox) -> Pt {
    line.runs.iter().map(|r| r.x + r.width()).fold(Pt::ZERO, Pt::max)
}

/// Moves a set line `dx` to the right: its runs, links and struck passages.
pub fn shift_line(line: &mut LineBox, dx: Pt) {
    for r in &mut line.runs {
        r.x += dx;
    }
    for (x0, x1, _) in &mut line.links {
        *x0 += dx;
        *x1 += dx;
    }
    for (x0, x1, _) in &mut line.strikes {
        *x0 += dx;
        *x1 += dx;
    }
}

/// A set line: runs relative to the line's left edge and baseline.
#[derive(Debug, Clone, Default)]
pub struct LineBox {
    /// Glyph runs; `x` from the line start, `y` relative to the baseline (0 = on it).
    pub runs: Vec<TextRun>,
    /// Link areas: x range on the line and target.
    pub links: Vec<(Pt, Pt, String)>,
    /// Footnotes called on this line.
    pub notes: Vec<u32>,
    /// Struck-out stretches: x range on the line and the type size they are struck in.
    pub strikes: Vec<(Pt, Pt, Pt)>,
    /// Text for dumps.
    pub text: String,
    /// Ends with an inserted hyphen.
    pub hyphenated: bool,
    /// Adjustment ratio.
    pub ratio: f64,
    /// The line is wider than the measure.
    pub overfull: bool,
    /// Baseline-to-baseline distance.
    pub leading: Pt,
    /// Height above the baseline (for the first line of a block).
    pub ascent: Pt,
    /// Mean width of the interword spaces as set, in ems of the font size (0 if none).
    pub space_em: f64,
    /// Characters of the paragraph's model text before this line's first word.
    pub offset: usize,
    /// Sum of the last run's advances in ems, kept as glyphs are added so that
    /// placing a fragment does not add the whole run up again.
    last_run_ems: f64,
    /// The struck-out passage the last of [`LineBox::strikes`] belongs to.
    strike_id: Option<u32>,
}

/// Style of a fragment: face, size, vertical shift, link, footnote.
#[derive(Debug, Clone, PartialEq)]
struct FragStyle {
    face: FaceId,
    size: Pt,
    rise: Pt,
    link: Option<Arc<str>>,
    note: Option<u32>,
    /// The language of a passage marked as another (`Inline::Span`); the paragraph's otherwise.
    lang: Option<Lang>,
    /// The struck-out passage (`Inline::Strike`) the text is in, numbered in the paragraph:
    /// one rule runs through a passage's words and the spaces between them.
    strike: Option<u32>,
}

/// A run of text in one style, before breaking into words.
struct Chunk {
    text: Arc<str>,
    style: FragStyle,
    /// The text is the model's (Text or Code), so it counts for character offsets;
    /// footnote numbers and shown link addresses do not.
    counted: bool,
}

/// A box's content: some bytes of a chunk (a word, or its part in one style, or a
/// piece of it between break points) and their glyphs in the paragraph's glyph store.
/// Indices rather than shared references: a volume makes millions of fragments on
/// two threads, and counting references to the shaping cache's glyphs made both
/// threads write the same cache lines for every common word.
struct Frag {
    /// The chunk (whose style the fragment has) and the fragment's bytes in its text.
    chunk: usize,
    span: Range<usize>,
    /// The fragment's glyphs in [`ItemBuilder::glyphs`].
    glyph_span: Range<usize>,
    /// Cluster value (byte offset in the segment) of the fragment's first byte.
    base: usize,
    width: Pt,
    /// Characters of the paragraph's model text before this fragment.
    offset: usize,
}

impl Frag {
    /// What [`place`] draws of the fragment.
    fn drawn<'p>(&'p self, chunks: &'p [Chunk], glyphs: &'p [ShapedGlyph]) -> Drawn<'p> {
        Drawn {
            style: &chunks[self.chunk].style,
            text: &chunks[self.chunk].text[self.span.clone()],
            glyphs: &glyphs[self.glyph_span.clone()],
            base: self.base,
            width: self.width,
        }
    }
}

/// Text and glyphs to place on a line: a fragment, or a hyphen drawn at a break.
struct Drawn<'p> {
    style: &'p FragStyle,
    text: &'p str,
    glyphs: &'p [ShapedGlyph],
    /// Cluster value of the text's first byte.
    base: usize,
    width: Pt,
}

impl<'p> Drawn<'p> {
    /// A hyphen drawn at a break: at the end of a line, or repeated at the start of the next.
    fn hyphen(style: &'p FragStyle, fonts: &'p FontSet, width: Pt) -> Drawn<'p> {
        Drawn { style, text: "-", glyphs: fonts.face(style.face).hyphen(), base: 0, width }
    }
}

enum Payload {
    None,
    Frag(usize),
    Space,
    /// A hyphenation point: the hyphen (in the style of this chunk, this wide) is drawn at the
    /// end of the line.
    Hyphen(usize, Pt),
    /// A break after an explicit hyphen: the hyphen (in the style of this chunk, this wide) is
    /// repeated at the start of the next line.
    Repeat(usize, Pt),
    /// A break after a word ending in punctuation that hangs into the margin by this much.
    Hang(Pt),
}

/// Share of a glyph's advance that hangs into the right margin at a line end
/// (optical margin alignment). Values follow the spirit of microtype's defaults:
/// small marks hang most, so the margin looks straight to the eye.
fn hang_share(c: char) -> f64 {
    match c {
        '.' | ',' => 0.7,
        '-' | '\u{2010}' | '\u{ad}' => 0.7,
        '»' | '“' | '”' | '"' | '\'' | '’' => 0.5,
        ':' | ';' => 0.5,
        '–' => 0.5,
        '—' => 0.3,
        '!' | '?' | ')' => 0.2,
        _ => 0.0,
    }
}

/// What a break inside a word draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    /// Nothing.
    Plain,
    /// A hyphen at the line end.
    Hyphen,
    /// The word's own hyphen stays at the line end and is repeated at the next line's start.
    Repeat,
}

/// Sets a paragraph into lines.
pub fn set(inlines: &[Inline], ps: &ParaStyle, fonts: &FontSet) -> Vec<LineBox> {
    set_avoiding(inlines, ps, fonts, None)
}

/// Sets a paragraph into lines; line `no_hyphen_line` (from 0), when given, may not
/// end in a hyphen (it ends a page).
pub fn set_avoiding(
    inlines: &[Inline],
    ps: &ParaStyle,
    fonts: &FontSet,
    no_hyphen_line: Option<usize>,
) -> Vec<LineBox> {
    set_loosened(inlines, ps, fonts, no_hyphen_line, 0)
}

/// [`set_avoiding`], asking the breaker for `looseness` lines more (or fewer, when
/// negative) than the best setting has, when such a setting exists (TeX's `\looseness`).
pub fn set_loosened(
    inlines: &[Inline],
    ps: &ParaStyle,
    fonts: &FontSet,
    no_hyphen_line: Option<usize>,
    looseness: i32,
) -> Vec<LineBox> {
    let chunks = collect(inlines, ps, fonts);
    // Room for the items at once: a word of running text is about seven bytes of UTF-8
    // and makes a box, a glue and often a penalty or two; growing these vectors
    // item by item copied them over and over.
    let bytes: usize = chunks.iter().map(|c| c.text.len()).sum();
    let mut b = ItemBuilder {
        ps,
        fonts,
        chunks: &chunks,
        glyphs: Vec::with_capacity(bytes / 2 + 8),
        items: Vec::with_capacity(bytes / 2 + 8),
        payloads: Vec::with_capacity(bytes / 2 + 8),
        frags: Vec::with_capacity(bytes / 4 + 4),
        breaks: Vec::new(),
    };
    if ps.indent > Pt::ZERO {
        b.push(KpItem::Box { width: ps.indent }, Payload::None);
    }
    b.words();
    let ItemBuilder { mut items, mut payloads, frags, glyphs, .. } = b;
    // Drop trailing glue so the paragraph end does not leave an empty line.
    while matches!(items.last(), Some(KpItem::Glue { .. })) {
        items.pop();
        payloads.pop();
    }
    if items.is_empty() {
        return Vec::new();
    }
    let ragged = ps.align != Align::Justify;
    if ragged {
        // Ragged lines: spaces keep their natural width, the line end takes the slack
        // (TeX's `\rightskip 0pt plus 2em` idea: a little stretch per line keeps the rag even).
        for it in items.iter_mut() {
            if let KpItem::Glue { stretch, shrink, .. } = it {
                *stretch = Pt::ZERO;
                *shrink = Pt::ZERO;
            }
        }
    }
    let n_before = items.len();
    linebreak::finish_paragraph(&mut items);
    payloads.extend((n_before..items.len()).map(|_| Payload::None));
    // The rag: how far a line may fall short of the measure at badness 100. Two ems,
    // as ragged2e's `\RaggedRight`, so that a short line costs more than a hyphen and
    // the right edge stays full, with words broken as in justified text.
    let rag = if ragged { ps.size * style::RAG } else { Pt::ZERO };
    let width = ps.width;
    let params = Params { emergency_stretch: ps.size * 1.5, no_hyphen_line, looseness, ..Params::default() };
    let params = if ragged {
        Params { tolerance: 10_000.0, ..params }
    } else {
        // Justified lines may widen or narrow their glyphs a little before their spaces
        // grow or shrink much (font expansion; the EPUB reflows and has none).
        Params { expansion: ps.expansion, ..params }
    };
    // A hyphen costs what TeX asks of it where there are few spaces to take up the slack:
    // in ragged text and in a narrow justified column words are broken rather than spaces
    // opened. (The items keep the usual price: they are set from below.)
    let cheap_hyphens = ragged || crate::manifest::line_chars(width, ps.size) < style::NARROW_JUSTIFIED_CHARS;
    let breaking = if cheap_hyphens {
        let mut adjusted = items.clone();
        for it in adjusted.iter_mut() {
            match it {
                KpItem::Penalty { cost, flagged: true, .. } if *cost > 0.0 => {
                    *cost = (*cost).min(RAGGED_HYPHEN_PENALTY)
                }
                // Ragged: every line gets the rag as stretch at its break glue.
                KpItem::Glue { stretch, .. } if ragged && *stretch < linebreak::FIL => *stretch = rag,
                _ => {}
            }
        }
        linebreak::break_lines(&adjusted, &|_| width, &params)
    } else {
        linebreak::break_lines(&items, &|_| width, &params)
    };
    let overfull_pass = breaking.pass == Pass::Overfull;

    let mut lines = Vec::new();
    let count = breaking.lines.len();
    for (li, line) in breaking.lines.iter().enumerate() {
        let ratio = if ragged { 0.0 } else { line.ratio };
        let mut scale = if ragged { 1.0 } else { line.scale };
        let mut lb = LineBox { leading: ps.leading, ascent: ps.size * 0.75, ratio, ..LineBox::default() };
        let mut x = Pt::ZERO;
        let mut start = line.start;
        // Discardable items at a line start (TeX drops glue and penalties after a break).
        while start < line.end && matches!(items[start], KpItem::Glue { .. } | KpItem::Penalty { .. }) {
            start += 1;
        }
        // What the line holds, so that its run and text are allocated once.
        let (mut n_glyphs, mut n_bytes) = (1, 1);
        for p in &payloads[start..line.end] {
            match p {
                Payload::Frag(fi) => {
                    n_glyphs += frags[*fi].glyph_span.len();
                    n_bytes += frags[*fi].span.len();
                }
                Payload::Space => (n_glyphs, n_bytes) = (n_glyphs + 1, n_bytes + 1),
                _ => {}
            }
        }
        lb.text.reserve(n_bytes + 2);
        let room = (n_glyphs + 1, n_bytes + 2);
        // A hyphen drawn at a break, at the line's scale, marked as added (`flag`).
        let hyphen = |lb: &mut LineBox, ci: usize, w: Pt, x: Pt, scale: f64, flag: u8| {
            place(
                lb,
                &Drawn::hyphen(&chunks[ci].style, fonts, w),
                x,
                fonts,
                true,
                room,
                Spread::scaled(scale),
            );
            if let Some(run) = lb.runs.last_mut() {
                run.added |= flag;
            }
        };
        let mut last_was_space = true;
        let mut offset_set = false;
        // The interword spaces' total width and count.
        let mut spaces = (Pt::ZERO, 0usize);
        let mut ratio = ratio;
        if li > 0
            && let Some(Payload::Repeat(ci, w)) = payloads.get(breaking.lines[li - 1].end)
        {
            if !ragged {
                // The breaker did not know about the repeated hyphen: re-justify the line without its width.
                let set = linebreak::setting(&items, start, line.end, width - *w * scale, ps.expansion);
                (ratio, scale) = (set.ratio, set.scale);
                lb.ratio = ratio;
            }
            hyphen(&mut lb, *ci, *w, x, scale, TextRun::HYPHEN_START);
            x += *w * scale;
            last_was_space = false;
        }
        // Letter-spacing, the last resort of a loose justified line: its letters
        // take up to MAX_TRACK_EM each of what its spaces would open past LOOSE_EM.
        let (track, given) = if ragged || ratio <= 0.0 {
            (Pt::ZERO, Pt::ZERO)
        } else {
            let line_items = (&items[start..line.end], &payloads[start..line.end]);
            letter_spacing(line_items, (&frags, &glyphs), ratio, ps.size, ps.tracking)
        };
        for i in start..line.end {
            match (&items[i], &payloads[i]) {
                (KpItem::Box { width }, Payload::Frag(fi)) => {
                    if !offset_set {
                        offset_set = true;
                        lb.offset = frags[*fi].offset;
                    }
                    let drawn = frags[*fi].drawn(&chunks, &glyphs);
                    place(&mut lb, &drawn, x, fonts, !last_was_space, room, Spread { scale, track });
                    x += *width * scale + track * drawn_glyphs(drawn.glyphs) as f64;
                    last_was_space = false;
                }
                (KpItem::Box { width }, _) => x += *width * scale,
                (KpItem::Glue { width, stretch, shrink }, _) => {
                    let adj = if ratio >= 0.0 { *stretch * ratio } else { *shrink * ratio };
                    let set = *width + adj - given;
                    x += set;
                    spaces = (spaces.0 + set, spaces.1 + 1);
                    if !lb.text.ends_with(' ') && !lb.text.is_empty() {
                        lb.text.push(if matches!(payloads[i], Payload::Space) { ' ' } else { '\u{a0}' });
                    }
                    last_was_space = true;
                }
                _ => {}
            }
        }
        if let Some(KpItem::Penalty { flagged: true, width, .. }) = items.get(line.end)
            && let Payload::Hyphen(ci, w) = &payloads[line.end]
            && *width > Pt::ZERO
        {
            hyphen(&mut lb, *ci, *w, x, scale, TextRun::HYPHEN_END);
            x += *w * scale;
            lb.hyphenated = true;
        } else if let Some(KpItem::Penalty { flagged: true, .. }) = items.get(line.end) {
            // Break after an explicit hyphen: the hyphen is already in the text.
            lb.hyphenated = line.hyphenated;
        }
        if spaces.1 > 0 {
            lb.space_em = spaces.0 / ps.size / spaces.1 as f64;
        }
        // A hyphen is drawn at the line's scale, and so is the share of it that hangs; a
        // punctuation mark hangs by the (unscaled) width its penalty takes back.
        let hang = match payloads.get(line.end) {
            Some(Payload::Hang(p)) => *p,
            Some(Payload::Hyphen(_, w)) => *w * hang_share('-') * scale,
            _ => Pt::ZERO,
        };
        lb.overfull = x.get() > (width + hang).get() + 0.01 && (overfull_pass || li + 1 < count);
        if ps.align == Align::Center {
            let shift = ((width - x) / 2.0).max(Pt::ZERO);
            for r in &mut lb.runs {
                r.x += shift;
            }
            for l in &mut lb.links {
                l.0 += shift;
                l.1 += shift;
            }
            for s in &mut lb.strikes {
                s.0 += shift;
                s.1 += shift;
            }
        }
        let kept = lb.text.trim_end().len();
        lb.text.truncate(kept);
        // A line broken at a space: the space is in the text, though not drawn.
        // (Hanging punctuation breaks at a penalty just before the space.)
        let at_space = matches!(items.get(line.end), Some(KpItem::Glue { .. }))
            || matches!(payloads.get(line.end), Some(Payload::Hang(_)));
        if at_space && let Some(run) = lb.runs.last_mut() {
            run.end_with_space(fonts);
        }
        lines.push(lb);
    }
    lines
}

/// How a line's glyphs are widened (font expansion) and spaced (letter-spacing).
#[derive(Debug, Clone, Copy)]
struct Spread {
    scale: f64,
    track: Pt,
}

impl Spread {
    fn scaled(scale: f64) -> Spread {
        Spread { scale, track: Pt::ZERO }
    }
}

/// The glyphs a fragment draws (a glyph 0 is not drawn).
fn drawn_glyphs(glyphs: &[ShapedGlyph]) -> usize {
    glyphs.iter().filter(|g| g.id != 0).count()
}

/// A justified line's letter-spacing: what each glyph advances more, and what
/// each space gives up for it. Only a line whose spaces would open past
/// [`style::LOOSE_EM`] is spaced, by at most `most` ems a letter, so that its
/// spaces come down toward that width: letters spaced a little are less
/// visible than a hole between words.
fn letter_spacing(
    (items, payloads): (&[KpItem], &[Payload]),
    (frags, glyphs): (&[Frag], &[ShapedGlyph]),
    ratio: f64,
    size: Pt,
    most: f64,
) -> (Pt, Pt) {
    if most <= 0.0 {
        return (Pt::ZERO, Pt::ZERO);
    }
    let (mut glue, mut n_glue, mut letters) = (Pt::ZERO, 0usize, 0usize);
    for (it, p) in items.iter().zip(payloads) {
        match (it, p) {
            (KpItem::Glue { width, stretch, .. }, _) => {
                // A paragraph's closing fill stretches the last line: it is not spaced.
                if *stretch >= linebreak::FIL {
                    return (Pt::ZERO, Pt::ZERO);
                }
                glue += *width + *stretch * ratio;
                n_glue += 1;
            }
            (KpItem::Box { .. }, Payload::Frag(fi)) => {
                letters += drawn_glyphs(&glyphs[frags[*fi].glyph_span.clone()])
            }
            _ => {}
        }
    }
    if n_glue == 0 || letters == 0 {
        return (Pt::ZERO, Pt::ZERO);
    }
    let excess = glue - size * style::LOOSE_EM * n_glue as f64;
    if excess <= Pt::ZERO {
        return (Pt::ZERO, Pt::ZERO);
    }
    let track = (excess / letters as f64).min(size * most);
    (track, track * letters as f64 / n_glue as f64)
}

/// Appends a fragment to the line at `x`, merging it with the previous run when
/// it continues it (same face, size and shift, no space between). A new run
/// gets `room` (glyphs, bytes): what the whole line holds.
/// `spread` widens the glyphs (font expansion: the run draws them at that
/// horizontal scale) and spaces them (letter-spacing: each glyph advances that much more).
fn place(
    lb: &mut LineBox,
    frag: &Drawn<'_>,
    x: Pt,
    fonts: &FontSet,
    glue_less: bool,
    room: (usize, usize),
    spread: Spread,
) {
    let Spread { scale, track } = spread;
    let face = fonts.face(frag.style.face);
    let size = frag.style.size;
    let y = -frag.style.rise;
    let (text, shaped) = (frag.text, frag.glyphs);
    let end = x + frag.width * scale + track * drawn_glyphs(frag.glyphs) as f64;
    if let Some(link) = &frag.style.link {
        match lb.links.last_mut() {
            Some(last) if last.2 == link.as_ref() => last.1 = end,
            _ => lb.links.push((x, end, link.to_string())),
        }
    }
    if let Some(id) = frag.style.strike {
        match lb.strikes.last_mut() {
            Some(last) if lb.strike_id == Some(id) => last.1 = end,
            _ => lb.strikes.push((x, end, frag.style.size)),
        }
        lb.strike_id = Some(id);
    }
    if let Some(n) = frag.style.note
        && !lb.notes.contains(&n)
    {
        lb.notes.push(n);
    }
    lb.text.push_str(text);
    // Continue the previous run when it has the same style: directly after it (the parts of a
    // hyphenated word), or after an interword space, which is then drawn as the font's space
    // glyph stretched to the set width. One run per line and style keeps the PDF writer's
    // work small, and a real space in the text makes extraction independent of gap
    // heuristics (poppler joins one-letter words on short lines otherwise).
    let mut continued = false;
    if let Some(prev) = lb.runs.last_mut()
        && prev.face == frag.style.face
        && prev.size == size
        && prev.y == y
        && prev.scale == scale
    {
        let end = prev.x + size * (lb.last_run_ems * scale);
        let gap = x - end;
        let joined = glue_less && gap.abs().get() < 0.01;
        let space = face.space().first().map(|g| g.id).filter(|&id| id != 0);
        let spaced = !glue_less && gap > Pt::ZERO && gap < size * 4.0 && space.is_some();
        if let (true, Some(id)) = (spaced, space) {
            let at = prev.text.len() as u32;
            prev.text.push(' ');
            // The run's glyphs are drawn `scale` wide: so is this space.
            let advance = Em::of(gap / scale, size);
            lb.last_run_ems += f64::from(advance.get());
            prev.glyphs.push(Glyph { id, len: 1, advance, start: at });
        }
        continued = joined || spaced;
    }
    if !continued {
        // A word space before a change of face or size is not drawn as a glyph.
        if !glue_less && let Some(prev) = lb.runs.last_mut() {
            prev.end_with_space(fonts);
        }
        lb.runs.push(TextRun {
            x,
            y,
            face: frag.style.face,
            size,
            text: String::with_capacity(room.1.max(text.len())),
            glyphs: Vec::with_capacity(room.0.max(shaped.len())),
            offsets: Vec::new(),
            scale,
            added: 0,
            note: 0,
            turn: crate::layout::Turn::Across,
        });
        lb.last_run_ems = 0.0;
    }
    let Some(run) = lb.runs.last_mut() else { return };
    if let Some(n) = frag.style.note {
        run.note = n;
    }
    let shift = run.text.len();
    run.text.push_str(text);
    let first = run.glyphs.len();
    // A glyph's text runs from its cluster to the next cluster of the text. Left to
    // right the next glyph has it; right to left (Hebrew, Arabic) the glyphs come in
    // visual order, their clusters descending, and the next cluster is the previous
    // glyph's: it is looked up among all of them.
    let rtl = shaped.windows(2).any(|w| w[1].cluster < w[0].cluster);
    let mut clusters: Vec<usize> = Vec::new();
    if rtl {
        clusters =
            shaped.iter().map(|g| (g.cluster as usize).saturating_sub(frag.base).min(text.len())).collect();
        clusters.sort_unstable();
        clusters.dedup();
    }
    for (k, g) in shaped.iter().enumerate() {
        let start = (g.cluster as usize).saturating_sub(frag.base).min(text.len());
        let mut end = if rtl {
            clusters.iter().copied().find(|&c| c > start).unwrap_or(text.len())
        } else {
            shaped
                .get(k + 1)
                .map_or(text.len(), |n| (n.cluster as usize).saturating_sub(frag.base).min(text.len()))
                .max(start)
        };
        // Invisible characters have no glyph (see `Face::shape`): the glyph before
        // them does not take their text either.
        while let Some(c) =
            text.get(start..end).and_then(|t| t.chars().next_back()).filter(|c| is_invisible(*c))
        {
            end -= c.len_utf8();
        }
        if g.id == 0 {
            continue;
        }
        // Letter-spacing is set in points on the page; the run scales its advances.
        let advance = Em::new(f64::from(face.to_em(g.advance).get()) + track / scale / size);
        lb.last_run_ems += f64::from(advance.get());
        let mut range = (start + shift) as u32..(end + shift) as u32;
        // Glyphs of a ligature share a cluster: only the first keeps the text range.
        // (Right to left, the next glyph's text comes before the previous one's.)
        if run.glyphs.len() > first
            && let Some(prev) = run.glyphs.last()
            && if rtl { range.start == prev.start } else { range.start < prev.range().end }
        {
            range = if rtl {
                range.start..range.start
            } else {
                let end = prev.range().end;
                end..end.max(range.end)
            };
        }
        if g.x_offset != 0 || g.y_offset != 0 {
            let index = run.glyphs.len() as u32;
            run.offsets.push(GlyphOffset { index, x: face.to_em(g.x_offset), y: face.to_em(g.y_offset) });
        }
        // A cluster is a few bytes; one of more than 65,535 keeps only that many.
        let len = u16::try_from(range.end - range.start).unwrap_or(u16::MAX);
        run.glyphs.push(Glyph { id: g.id, len, advance, start: range.start });
    }
}

/// Walks the inline tree into chunks of uniformly styled text.
fn collect(inlines: &[Inline], ps: &ParaStyle, fonts: &FontSet) -> Vec<Chunk> {
    #[derive(Clone)]
    struct Ctx {
        style: Style,
        family: Family,
        link: Option<Arc<str>>,
        /// Rise relative to the paragraph's size of superscripts and subscripts (set at [`style::script_size`]).
        script: Option<f64>,
        lang: Option<Lang>,
        strike: Option<u32>,
    }
    fn walk(
        inlines: &[Inline],
        ctx: &Ctx,
        ps: &ParaStyle,
        fonts: &FontSet,
        out: &mut Vec<Chunk>,
        strikes: &mut u32,
    ) {
        let style_of = |ctx: &Ctx| FragStyle {
            face: fonts.id(ctx.family, ctx.style),
            size: ctx.script.map_or(ps.size, |_| style::script_size(ps.size)),
            rise: ctx.script.map_or(Pt::ZERO, |rise| ps.size * rise),
            link: ctx.link.clone(),
            note: None,
            lang: ctx.lang,
            strike: ctx.strike,
        };
        for i in inlines {
            match i {
                Inline::Text(t) => {
                    out.push(Chunk { text: t.as_str().into(), style: style_of(ctx), counted: true })
                }
                Inline::Code(t) => {
                    let c = Ctx { family: Family::Mono, ..ctx.clone() };
                    out.push(Chunk { text: t.as_str().into(), style: style_of(&c), counted: true });
                }
                Inline::Emph(inner) => {
                    let c = Ctx { style: Style { italic: !ctx.style.italic, ..ctx.style }, ..ctx.clone() };
                    walk(inner, &c, ps, fonts, out, strikes);
                }
                Inline::Strong(inner) => {
                    let c = Ctx { style: Style { bold: true, ..ctx.style }, ..ctx.clone() };
                    walk(inner, &c, ps, fonts, out, strikes);
                }
                Inline::Sup(inner) => {
                    let c = Ctx { script: Some(style::CALL_RISE), ..ctx.clone() };
                    walk(inner, &c, ps, fonts, out, strikes);
                }
                Inline::Sub(inner) => {
                    let c = Ctx { script: Some(style::SUB_DROP), ..ctx.clone() };
                    walk(inner, &c, ps, fonts, out, strikes);
                }
                Inline::Span { lang, content } => {
                    let c = Ctx { lang: Some(*lang), ..ctx.clone() };
                    walk(content, &c, ps, fonts, out, strikes);
                }
                Inline::Strike(inner) => {
                    *strikes += 1;
                    let c = Ctx { strike: Some(*strikes), ..ctx.clone() };
                    walk(inner, &c, ps, fonts, out, strikes);
                }
                Inline::Link { url, content } => {
                    let c = Ctx { link: Some(Arc::from(url.as_str())), ..ctx.clone() };
                    walk(content, &c, ps, fonts, out, strikes);
                    if let Some(shown) = Inline::shown_url(url, content) {
                        out.push(Chunk {
                            text: format!(" ({shown})").into(),
                            style: style_of(&c),
                            counted: false,
                        });
                    }
                }
                Inline::FootnoteRef(n) => {
                    let face = fonts.id(ctx.family, Style::default());
                    out.push(Chunk {
                        text: n.to_string().into(),
                        style: FragStyle {
                            face,
                            size: style::script_size(ps.size),
                            rise: ps.size * style::CALL_RISE,
                            link: None,
                            note: Some(*n),
                            lang: None,
                            strike: None,
                        },
                        counted: false,
                    });
                }
                Inline::LineBreak => {
                    out.push(Chunk { text: "\n".into(), style: style_of(ctx), counted: false })
                }
            }
        }
    }
    let mut out = Vec::new();
    let ctx = Ctx { style: ps.style, family: ps.family, link: None, script: None, lang: None, strike: None };
    walk(inlines, &ctx, ps, fonts, &mut out, &mut 0);
    // Neighbours in one style are one text to shape and hyphenate: the parser splits
    // text at escapes and entities (`при\%мер`), which must not split a word.
    let mut merged: Vec<Chunk> = Vec::with_capacity(out.len());
    for chunk in out {
        match merged.last_mut() {
            Some(last)
                if last.style == chunk.style
                    && last.counted == chunk.counted
                    && &*last.text != "\n"
                    && &*chunk.text != "\n" =>
            {
                last.text = format!("{}{}", last.text, chunk.text).into();
            }
            _ => merged.push(chunk),
        }
    }
    let out = merged;
    match fonts.fallback() {
        Some(fallback) => split_by_coverage(out, fonts, fallback),
        None => out,
    }
}

/// Splits chunks into runs of their own face and of the fallback face: a
/// character the chunk's face lacks but the fallback draws goes to a run in the
/// fallback face (same size, link and counting). Whitespace stays in the
/// chunk's face; joiners and variation selectors, and characters neither face
/// draws, stay in the run they follow, so an emoji sequence is not cut.
fn split_by_coverage(chunks: Vec<Chunk>, fonts: &FontSet, fallback: FaceId) -> Vec<Chunk> {
    let mut out = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let face = chunk.style.face;
        let foreign = |c: char| !fonts.covers(face, c) && fonts.covers(fallback, c);
        if face == fallback || !chunk.text.chars().any(|c| !c.is_whitespace() && foreign(c)) {
            out.push(chunk);
            continue;
        }
        let mut run = String::new();
        let mut in_fallback = false;
        for c in chunk.text.chars() {
            let sticky =
                matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}');
            let want = if c.is_whitespace() {
                false
            } else if sticky {
                in_fallback
            } else if fonts.covers(face, c) {
                false
            } else if fonts.covers(fallback, c) {
                true
            } else {
                in_fallback
            };
            if want != in_fallback && !run.is_empty() {
                let style =
                    FragStyle { face: if in_fallback { fallback } else { face }, ..chunk.style.clone() };
                out.push(Chunk { text: std::mem::take(&mut run).into(), style, counted: chunk.counted });
            }
            in_fallback = want;
            run.push(c);
        }
        if !run.is_empty() {
            let style = FragStyle { face: if in_fallback { fallback } else { face }, ..chunk.style };
            out.push(Chunk { text: run.into(), style, counted: chunk.counted });
        }
    }
    out
}

struct ItemBuilder<'a> {
    ps: &'a ParaStyle,
    fonts: &'a FontSet,
    chunks: &'a [Chunk],
    /// The glyphs of every segment, one after the other; fragments index into it.
    glyphs: Vec<ShapedGlyph>,
    items: Vec<KpItem>,
    payloads: Vec<Payload>,
    frags: Vec<Frag>,
    /// Break points inside the current segment, kept to reuse the allocation.
    breaks: Vec<InnerBreak>,
}

/// A piece of a word: the bytes `span` of chunk `chunk`, with the count of model
/// characters before it.
struct Piece {
    chunk: usize,
    span: Range<usize>,
    offset: usize,
}

impl ItemBuilder<'_> {
    fn push(&mut self, item: KpItem, payload: Payload) {
        self.items.push(item);
        self.payloads.push(payload);
    }

    /// Splits chunks into words at spaces and emits boxes, glue and penalties.
    fn words(&mut self) {
        let chunks = self.chunks;
        // The pieces of the word being read: one per chunk it spans (a word changes
        // style inside, as in `**сло**во`).
        let mut word: Vec<Piece> = Vec::new();
        let mut offset = 0usize;
        for (ci, chunk) in chunks.iter().enumerate() {
            if &*chunk.text == "\n" {
                self.flush(chunks, &mut word);
                self.forced_break();
                continue;
            }
            for (pos, c) in chunk.text.char_indices() {
                match c {
                    ' ' | '\t' | '\n' | '\r' | '\u{2009}' => {
                        self.flush(chunks, &mut word);
                        self.space(&chunk.style, true);
                    }
                    '\u{a0}' | '\u{202f}' => {
                        self.flush(chunks, &mut word);
                        self.space(&chunk.style, false);
                    }
                    _ => match word.last_mut() {
                        // Same chunk, directly after: the piece grows.
                        Some(p) if p.chunk == ci && p.span.end == pos => p.span.end = pos + c.len_utf8(),
                        // A new chunk of the same style continues the piece's style but not its
                        // bytes: a new piece.
                        _ => word.push(Piece { chunk: ci, span: pos..pos + c.len_utf8(), offset }),
                    },
                }
                offset += usize::from(chunk.counted);
            }
        }
        self.flush(chunks, &mut word);
    }

    fn forced_break(&mut self) {
        // TeX's `\\`: fill the rest of the line, then force a break.
        self.push(KpItem::Glue { width: Pt::ZERO, stretch: linebreak::FIL, shrink: Pt::ZERO }, Payload::None);
        self.push(KpItem::Penalty { width: Pt::ZERO, cost: -INFINITE, flagged: false }, Payload::None);
    }

    /// An interword space; `breakable` false for a no-break space.
    fn space(&mut self, style: &FragStyle, breakable: bool) {
        if self.ps.align == Align::Verbatim {
            // Each space keeps its width as an empty box; a long line may still
            // wrap after a run of them.
            let face = self.fonts.face(style.face);
            let width = face.width(face.space(), style.size);
            self.push(KpItem::Box { width }, Payload::None);
            if breakable {
                self.push(
                    KpItem::Glue { width: Pt::ZERO, stretch: Pt::ZERO, shrink: Pt::ZERO },
                    Payload::None,
                );
            }
            return;
        }
        // Collapse runs of spaces; never start a paragraph with one.
        if self.items.is_empty() || matches!(self.items.last(), Some(KpItem::Glue { .. })) {
            return;
        }
        let face = self.fonts.face(style.face);
        let width = face.width(face.space(), style.size);
        if !breakable {
            self.push(KpItem::Penalty { width: Pt::ZERO, cost: INFINITE, flagged: false }, Payload::None);
        } else if self.ps.align == Align::Justify
            && let Some(p) = self.protrusion()
        {
            // A break here lets the word's final punctuation hang into the margin: the line may be
            // `p` wider. Breaking at the glue right after gives the same line without hanging,
            // which the breaker never prefers.
            self.push(KpItem::Penalty { width: -p, cost: 0.0, flagged: false }, Payload::Hang(p));
        }
        // Stretch and shrink in the proportions of TeX's Computer Modern interword glue
        // (space 1/3 em, stretch 1/6 em, shrink 1/9 em): stretch half, shrink a third of the space.
        self.push(KpItem::Glue { width, stretch: width * 0.5, shrink: width / 3.0 }, Payload::Space);
    }

    /// How far the last glyph of the word just emitted may hang into the right margin.
    fn protrusion(&self) -> Option<Pt> {
        let Some(Payload::Frag(fi)) = self.payloads.last() else { return None };
        let frag = &self.frags[*fi];
        let share = hang_share(self.chunks[frag.chunk].text[frag.span.clone()].chars().next_back()?);
        let last = self.glyphs[frag.glyph_span.clone()].last()?;
        let style = &self.chunks[frag.chunk].style;
        let advance = self.fonts.face(style.face).to_pt(last.advance as f64, style.size);
        (share > 0.0).then_some(advance * share)
    }

    /// Emits one word: its segments shaped, with penalties at break points inside.
    fn flush(&mut self, chunks: &[Chunk], word: &mut Vec<Piece>) {
        if word.is_empty() {
            return;
        }
        let url_like =
            |w: &str| w.contains("://") || w.starts_with("www.") || w.contains('@') && w.contains('.');
        let is_url = match word.as_slice() {
            [one] => url_like(&chunks[one.chunk].text[one.span.clone()]),
            pieces => {
                url_like(&pieces.iter().map(|p| &chunks[p.chunk].text[p.span.clone()]).collect::<String>())
            }
        };
        for piece in word.drain(..) {
            self.segment(piece.chunk, piece.span, is_url, piece.offset);
        }
    }

    /// Emits the boxes and inner break points of `span` of `chunk` (one word, or its part in one style).
    fn segment(&mut self, ci: usize, span: Range<usize>, is_url: bool, offset: usize) {
        let (chunks, fonts, ps) = (self.chunks, self.fonts, self.ps);
        let style = &chunks[ci].style;
        let text = &chunks[ci].text[span.clone()];
        let face = fonts.face(style.face);
        // A word of running text is planned once per face and language, and the plan
        // reused wherever the word recurs (most words of a book do). Words wider than
        // nine tenths of the measure take emergency breaks and are planned afresh.
        if style.note.is_none() && !is_url && ps.hyphenate {
            let done = PLANS.with_borrow_mut(|plans| {
                let plan = plans.get(face, style.lang.unwrap_or(ps.lang), text, &mut self.breaks);
                let fits = face.to_pt(plan.units as f64, style.size) <= ps.width * 0.9;
                if fits {
                    self.emit(plan, ci, &span, offset);
                }
                fits
            });
            if done {
                return;
            }
        }
        let shaped = face.shape(text);
        let width_all = face.width(&shaped, style.size);
        let breaks = &mut self.breaks;
        breaks.clear();
        if style.note.is_none() {
            if is_url {
                url_breaks(text, breaks);
            } else {
                word_breaks(text, ps.hyphenate, style.lang.unwrap_or(ps.lang), breaks);
            }
            // Near the measure: allow a break anywhere, at a high cost. Text set without
            // hyphens (headings, titles) is fitted to the measure and only a word wider
            // than it may be cut.
            let near = if ps.hyphenate { 0.9 } else { 1.0 };
            if width_all > ps.width * near {
                for (pos, _) in text.char_indices().skip(1) {
                    breaks.push((pos, EMERGENCY_PENALTY, false, Break::Plain));
                }
            }
        }
        let plan = WordPlan::new(text, shaped, breaks);
        self.emit(&plan, ci, &span, offset);
    }

    /// Emits the fragments of `plan`, the plan of `span` of chunk `ci`, and the
    /// penalties between them; `offset` counts the model characters before it.
    fn emit(&mut self, plan: &WordPlan, ci: usize, span: &Range<usize>, offset: usize) {
        let style = &self.chunks[ci].style;
        let face = self.fonts.face(style.face);
        let hyphen_w = face.width(face.hyphen(), style.size);
        // The segment's glyphs are copied into the paragraph's store (a word's glyphs are a
        // few dozen bytes).
        let stored = self.glyphs.len();
        self.glyphs.extend_from_slice(&plan.glyphs);
        let (mut start, mut glyph_start, mut chars_before) = (0, 0, offset);
        for piece in &plan.pieces {
            let (end, glyph_end) = (piece.end as usize, piece.glyph_end as usize);
            // Characters no face can draw (already warned about, with their place) are left
            // out rather than printed as empty boxes: `.notdef` glyphs take no room.
            let width = face.to_pt(piece.units as f64, style.size)
                - face.to_pt(piece.notdef_units as f64, style.size);
            self.frags.push(Frag {
                chunk: ci,
                span: span.start + start..span.start + end,
                glyph_span: stored + glyph_start..stored + glyph_end,
                base: start,
                width,
                offset: chars_before,
            });
            chars_before += piece.chars as usize;
            self.push(KpItem::Box { width }, Payload::Frag(self.frags.len() - 1));
            if let Some((cost, flagged, kind)) = piece.after {
                let (w, payload) = match kind {
                    // The inserted hyphen hangs into the margin like a final hyphen (see `hang_share`).
                    Break::Hyphen => (hyphen_w * (1.0 - hang_share('-')), Payload::Hyphen(ci, hyphen_w)),
                    Break::Repeat => (Pt::ZERO, Payload::Repeat(ci, hyphen_w)),
                    Break::Plain => (Pt::ZERO, Payload::None),
                };
                self.push(KpItem::Penalty { width: w, cost, flagged }, payload);
            }
            start = end;
            glyph_start = glyph_end;
        }
    }
}

/// A break point inside a word: byte offset, cost, flagged, what the break draws.
type InnerBreak = (usize, f64, bool, Break);

/// Chicago style for URLs and addresses: a break after a slash (not inside `//`),
/// before other punctuation, so that no line ends in a hyphen that a reader would
/// take for a word break.
fn url_breaks(text: &str, breaks: &mut Vec<InnerBreak>) {
    let bytes = text.as_bytes();
    for (pos, c) in text.char_indices() {
        let at = match c {
            '/' if bytes.get(pos + 1) != Some(&b'/') && pos > 0 && bytes[pos - 1] != b'/' => pos + 1,
            '.' | '-' | '_' | '?' | '&' | '=' | '#' if pos > 0 => pos,
            _ => continue,
        };
        if at < text.len() {
            breaks.push((at, URL_PENALTY, false, Break::Plain));
        }
    }
}

/// The break points of a word of running text: UAX #14 opportunities (after
/// hyphens and dashes) and, when `hyphenate`, the hyphenation points of each run
/// of letters.
fn word_breaks(text: &str, hyphenate: bool, lang: Lang, breaks: &mut Vec<InnerBreak>) {
    // A break after a hyphen repeats it at the start of the next line, as Russian
    // typesetting requires. A word of letters alone has none, and most words are such.
    if !text.chars().all(|c| typography::is_letter(c) || c == '\u{301}') {
        for (pos, op) in unicode_linebreak::linebreaks(text) {
            if pos == 0 || pos >= text.len() || op != unicode_linebreak::BreakOpportunity::Allowed {
                continue;
            }
            let prev = text[..pos].chars().next_back().unwrap_or(' ');
            // After a soft hyphen the author allowed a break that shows a hyphen.
            if prev == '\u{ad}' {
                breaks.push((pos, HYPHEN_PENALTY, true, Break::Hyphen));
                continue;
            }
            let hyphen = matches!(prev, '-' | '\u{2010}' | '\u{2011}');
            let kind = if hyphen { Break::Repeat } else { Break::Plain };
            breaks.push((pos, EX_HYPHEN_PENALTY, hyphen, kind));
        }
    }
    if hyphenate {
        let mut run_start = None;
        for (pos, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            if typography::is_letter(c) || c == '\u{301}' {
                run_start.get_or_insert(pos);
            } else if let Some(s) = run_start.take() {
                let run = &text[s..pos];
                if run.chars().count() >= MIN_HYPHENATED_WORD {
                    for off in typography::hyphenate(run, lang) {
                        breaks.push((s + off, HYPHEN_PENALTY, true, Break::Hyphen));
                    }
                }
            }
        }
    }
}

/// A word cut at its break points into fragments, with what each fragment
/// measures in font units: all that setting the word needs from its face and
/// language, so that it is worked out once for every occurrence of the word.
struct WordPlan {
    glyphs: Arc<[ShapedGlyph]>,
    /// The advance of all glyphs, in font units.
    units: i64,
    pieces: Vec<PlanPiece>,
}

/// One fragment of a [`WordPlan`] (starting where the previous one ends).
struct PlanPiece {
    /// Byte offset of the fragment's end in the word.
    end: u32,
    /// The end of its glyphs among the word's.
    glyph_end: u32,
    /// The advance of its glyphs and of those among them that are `.notdef`, in font units.
    units: i64,
    notdef_units: i64,
    /// Its characters.
    chars: u32,
    /// The break point after it: cost, flagged, what it draws. `None` for the last.
    after: Option<(f64, bool, Break)>,
}

impl WordPlan {
    /// The plan of `text` shaped as `glyphs`, cut at `breaks` (sorted here, and
    /// the cheapest kept of several at one place).
    fn new(text: &str, glyphs: Arc<[ShapedGlyph]>, breaks: &mut Vec<InnerBreak>) -> WordPlan {
        breaks.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        breaks.dedup_by_key(|b| b.0);
        let units_of = |gs: &[ShapedGlyph]| gs.iter().map(|g| g.advance as i64).sum::<i64>();
        let mut pieces = Vec::with_capacity(breaks.len() + 1);
        let (mut start, mut glyph_start) = (0, 0);
        let end = (text.len(), 0.0, false, Break::Plain);
        for &(pos, cost, flagged, kind) in breaks.iter().chain(std::iter::once(&end)) {
            // Clusters rise along a left-to-right word: the search starts at the last break.
            let glyph_end = glyphs[glyph_start..]
                .iter()
                .position(|g| g.cluster as usize >= pos)
                .map_or(glyphs.len(), |k| glyph_start + k);
            let gs = &glyphs[glyph_start..glyph_end];
            pieces.push(PlanPiece {
                end: pos as u32,
                glyph_end: glyph_end as u32,
                units: units_of(gs),
                notdef_units: gs.iter().filter(|g| g.id == 0).map(|g| g.advance as i64).sum(),
                chars: text[start..pos].chars().count() as u32,
                after: (pos < text.len()).then_some((cost, flagged, kind)),
            });
            start = pos;
            glyph_start = glyph_end;
        }
        WordPlan { units: units_of(&glyphs), glyphs, pieces }
    }
}

/// Plans of the words of running text by face (its serial) and language, kept
/// per thread: the threads setting statements in parallel never wait on each
/// other for them, and a word is planned at most once per thread.
#[derive(Default)]
struct WordPlans {
    sets: Vec<((u64, Lang), PlanSet)>,
}

/// The plans of one face and language, and where each word's is.
#[derive(Default)]
struct PlanSet {
    index: crate::hash::WordMap<u32>,
    plans: Vec<WordPlan>,
}

impl WordPlans {
    /// Plans kept per face and language before they are let go (a book's
    /// vocabulary is a few tens of thousands of words).
    const LIMIT: usize = 1 << 17;

    /// The plan of `text` (hyphenated running text) in `face` and `lang`.
    fn get(
        &mut self,
        face: &crate::fonts::Face,
        lang: Lang,
        text: &str,
        breaks: &mut Vec<InnerBreak>,
    ) -> &WordPlan {
        let key = (face.serial(), lang);
        let i = match self.sets.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                self.sets.push((key, PlanSet::default()));
                self.sets.len() - 1
            }
        };
        let set = &mut self.sets[i].1;
        if let Some(&k) = set.index.get(text) {
            return &set.plans[k as usize];
        }
        if set.plans.len() >= Self::LIMIT {
            set.index.clear();
            set.plans.clear();
        }
        breaks.clear();
        word_breaks(text, true, lang, breaks);
        set.index.insert(text.into(), set.plans.len() as u32);
        set.plans.push(WordPlan::new(text, face.shape(text), breaks));
        &set.plans[set.plans.len() - 1]
    }
}

thread_local! {
    static PLANS: std::cell::RefCell<WordPlans> = std::cell::RefCell::default();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(width: f64) -> ParaStyle {
        ParaStyle {
            family: Family::Serif,
            style: Style::default(),
            size: Pt::new(10.0),
            leading: Pt::new(13.0),
            align: Align::Justify,
            indent: Pt::ZERO,
            width: Pt::new(width),
            lang: Lang::Ru,
            hyphenate: true,
            expansion: 0.0,
            tracking: 0.0,
        }
    }

    // Word plans are kept per thread and reused: a paragraph set again gives the same
    // lines, and a font set with another face in the same slot is set as on a thread
    // that never saw the first face (no plan is taken for the wrong face).
    #[test]
    fn word_plans_follow_the_face() {
        let text = "Прокуратура района изучает план ремонта по вопросу о перерасчёте платы по поручению руководства. ".repeat(4);
        let para = [Inline::Text(text)];
        let seen = |lines: &[LineBox]| -> Vec<(String, Vec<u16>, Vec<f64>)> {
            lines
                .iter()
                .flat_map(|l| &l.runs)
                .map(|r| {
                    (
                        r.text.clone(),
                        r.glyphs.iter().map(|g| g.id).collect(),
                        vec![r.x.get(), r.width().get()],
                    )
                })
                .collect()
        };
        let serif = FontSet::embedded();
        let first = seen(&set(&para, &style(250.0), &serif));
        assert_eq!(first, seen(&set(&para, &style(250.0), &serif)), "set again");
        let sans = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/PTSans-Regular.ttf"));
        let swapped =
            FontSet::with([Some(sans), None, None, None, None, None, None], None).expect("PT Sans loads");
        let here = seen(&set(&para, &style(250.0), &swapped));
        let fresh = std::thread::scope(|s| s.spawn(|| seen(&set(&para, &style(250.0), &swapped))).join())
            .expect("the thread sets the paragraph");
        assert_eq!(here, fresh);
        assert_ne!(here, first, "PT Sans sets the paragraph otherwise than PT Serif");
    }

    // Characters no face can draw are left out of the runs instead of printed as `.notdef` boxes.
    #[test]
    fn undrawable_characters_are_left_out() {
        let fonts = FontSet::embedded();
        let lines = set(&[Inline::Text("знак 漢 и 😀 конец".into())], &style(300.0), &fonts);
        let glyphs: Vec<u16> =
            lines.iter().flat_map(|l| l.runs.iter().flat_map(|r| r.glyphs.iter().map(|g| g.id))).collect();
        assert!(!glyphs.is_empty());
        assert!(glyphs.iter().all(|&id| id != 0), "a .notdef glyph was drawn");
    }

    // A justified paragraph's lines (all but the last) end at the measure, each one glyph run
    // whose interword spaces are real space glyphs (so text extraction sees the spaces),
    // the space the line breaks at included, advancing nothing.
    #[test]
    fn justified_lines_fill_the_measure() {
        let fonts = FontSet::embedded();
        let text = "Мы, члены профсоюза, работники завода, считаем своим долгом открыто сказать о том, что происходит с оплатой труда на предприятии. ".repeat(3);
        let lines = set(&[Inline::Text(text)], &style(250.0), &fonts);
        assert!(lines.len() > 3);
        for l in &lines[..lines.len() - 1] {
            assert_eq!(l.runs.len(), 1, "{}", l.text);
            let run = &l.runs[0];
            let broken_at_space = !l.hyphenated;
            let spaces = l.text.matches([' ', '\u{a0}']).count() + usize::from(broken_at_space);
            assert_eq!(run.text.matches(' ').count(), spaces, "{}", l.text);
            if broken_at_space {
                assert!(run.text.ends_with(' ') && run.glyphs.last().is_some_and(|g| g.advance.get() == 0.0));
            }
            let end = run.x + run.width();
            assert!((end.get() - 250.0).abs() < 4.0, "line ends at {end}: {}", l.text);
        }
    }

    // A word the parser split into two texts of one style (at an escape, say) is shaped and
    // hyphenated as one word: the lines equal those of the unsplit text, and it does break.
    #[test]
    fn split_text_is_one_word() {
        let fonts = FontSet::embedded();
        let whole = "Работники гидроэлектростанции требуют переговоров";
        let split = [
            Inline::Text("Работники гидроэлек".into()),
            Inline::Text("тростанции требуют переговоров".into()),
        ];
        for width in [70.0, 90.0, 110.0] {
            let a: Vec<String> = set(&[Inline::Text(whole.into())], &style(width), &fonts)
                .into_iter()
                .map(|l| l.text)
                .collect();
            let b: Vec<String> = set(&split, &style(width), &fonts).into_iter().map(|l| l.text).collect();
            assert_eq!(a, b, "at {width} pt");
        }
        let narrow: Vec<String> = set(&split, &style(70.0), &fonts).into_iter().map(|l| l.text).collect();
        assert!(narrow.iter().any(|l| l.ends_with('-')), "{narrow:?}");
    }
}
