//! Total-fit paragraph breaking after Knuth & Plass, "Breaking Paragraphs into Lines" (Software—Practice
//! and Experience 11, 1981), with TeX's refinements (*TeX: The Program* §813–890).
//!
//! In: one paragraph as a list of [`Item`]s (boxes, glue, penalties; ended by [`finish_paragraph`]),
//! the measure of each line by its index, and [`Params`]. Out: a [`Breaking`], the [`Line`]s that
//! minimise the paragraph's total demerits, and the [`Pass`] that found them.
//!
//! # Setting a line
//! The items `line.start..line.end` are set left to right at the line's adjustment ratio
//! `r = line.ratio` ([`ratio_of`]): a box advances by its width, a glue by
//! `width + r·stretch` when `r >= 0` or `width + r·shrink` when `r < 0` ([`set_width`]), a penalty
//! inside the line by nothing. If `items[line.end]` is a penalty, its width (a hyphen) is drawn after
//! the last item; a glue at `line.end` is dropped. Glue and penalties between one line's `end` and the
//! next line's `start` are discarded, as TeX discards them after a break. The line then fills the
//! measure exactly, unless it had no stretch to fill it (`ratio` 0, underfull) or too little shrink
//! (`overflow > 0`, which only [`Pass::Overfull`] produces).

use std::borrow::Cow;

use crate::units::Pt;

/// TeX's convention: a penalty `>= INFINITE` forbids a break, `<= -INFINITE` forces one.
pub const INFINITE: f64 = 10000.0;

/// Stretch of "infinite" glue such as the end-of-paragraph fill (TeX's `fil` order). A finite stand-in
/// is enough: against 10⁶ pt of stretch the interword glue of a last line moves by under 0.001 pt.
pub const FIL: Pt = Pt::new(1.0e6);

/// Cost of a break at a hyphenation point: TeX's `\hyphenpenalty` and `\exhyphenpenalty` (plain.tex, 50).
pub const HYPHEN_PENALTY: f64 = 50.0;

/// One element of a paragraph, in Knuth & Plass's box/glue/penalty model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// Material of fixed width (a word or a piece of one). Widths may be negative (kerns).
    Box {
        /// Width.
        width: Pt,
    },
    /// Flexible space; a break may happen here if a box precedes it. Negative stretch and shrink
    /// count as zero.
    Glue {
        /// Natural width.
        width: Pt,
        /// How much it may grow at ratio 1.
        stretch: Pt,
        /// How much it may shrink at ratio −1 (never more).
        shrink: Pt,
    },
    /// A possible break with a cost. A NaN cost counts as `INFINITE` (no break).
    Penalty {
        /// Width drawn at the end of the line if the break is taken here (a hyphen), else nothing.
        width: Pt,
        /// Cost of breaking here; see [`INFINITE`].
        cost: f64,
        /// A hyphen break: consecutive ones cost [`Params::double_hyphen_demerits`].
        flagged: bool,
    },
}

impl Item {
    fn is_box(&self) -> bool {
        matches!(self, Item::Box { .. })
    }

    fn is_forced(&self) -> bool {
        matches!(*self, Item::Penalty { cost, .. } if cost <= -INFINITE)
    }
}

/// The knobs of the optimisation. Demerits are TeX's; tolerances are adjustment ratios
/// (TeX's badness `b` corresponds to the ratio `r` by `b = 100·r³`).
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Largest stretch ratio a line may take in the first pass.
    pub tolerance: f64,
    /// Largest stretch ratio in the second and emergency passes (at least `tolerance`).
    pub loose_tolerance: f64,
    /// Added to every line's badness before squaring (TeX's `\linepenalty`); favours fewer lines.
    pub line_penalty: f64,
    /// Added when two consecutive lines end in a hyphen (`\doublehyphendemerits`).
    pub double_hyphen_demerits: f64,
    /// Added when the next-to-last line ends in a hyphen (`\finalhyphendemerits`).
    pub final_hyphen_demerits: f64,
    /// Added when neighbouring lines' fitness classes are not adjacent (`\adjdemerits`).
    pub fitness_demerits: f64,
    /// Most hyphenated lines in a row; one more is infeasible, and in [`Pass::Overfull`] costs as much
    /// as a line of infinite badness. 0 = no limit.
    pub max_consecutive_hyphens: usize,
    /// Stretch added in the emergency pass to every line that has some (TeX's `\emergencystretch`);
    /// 0 skips that pass.
    pub emergency_stretch: Pt,
    /// Lines more (> 0) or fewer (< 0) than optimal, as near as feasible (TeX's `\looseness`).
    /// Keeps every line count apart, so time grows with the square of the paragraph's length, as in
    /// TeX: meant for ordinary paragraphs, not whole chapters.
    pub looseness: i32,
    /// A line (from 0) that must not end in a hyphen: the paginator asks for this when
    /// that line would otherwise end a page with a word broken across the page turn.
    /// Ignored by the last (overfull) pass.
    pub no_hyphen_line: Option<usize>,
    /// Font expansion (pdfTeX's `\pdfadjustspacing`): how far boxes may be widened or
    /// narrowed, as a share of their width (0.02 = ±2 %). Their widths then count as
    /// stretch and shrink of the line (times this share) beside the glue's; [`setting`]
    /// splits a line's adjustment between the two. 0 turns it off.
    pub expansion: f64,
    /// Added when the last line is only the tail of a hyphenated word (a runt, "обла-/стей.");
    /// while positive, only [`Pass::Overfull`] sets such a line. 0 allows runts.
    pub runt_demerits: f64,
}

impl Default for Params {
    /// TeX's plain-format values, except where noted:
    ///
    /// - `tolerance` 1.26: `\tolerance=200` as a ratio (∛2). TeX's first pass (`\pretolerance=100`)
    ///   runs without hyphenation; ours always has the hyphen penalties, like TeX's second pass, so it
    ///   takes that pass's limit: interword space may grow to 1.63× with the usual stretch of ½ space.
    /// - `loose_tolerance` 2.0: badness 800, still well short of LaTeX's `\sloppy` (9999, r ≈ 4.6).
    ///   A departure: TeX has no such pass. Narrow pamphlet measures are where TeX users reach for
    ///   looser settings, and spaces of twice their size still read as spaces, not holes.
    /// - `line_penalty` 10, `double_hyphen_demerits` 10 000, `final_hyphen_demerits` 5000,
    ///   `fitness_demerits` 10 000: plain.tex.
    /// - `max_consecutive_hyphens` 2: a house rule stricter than Bringhurst's "no more than three"
    ///   (*Elements of Typographic Style* 2.4.2); TeX relies on demerits alone.
    /// - `emergency_stretch` 30 pt: 3 em at 10 pt, the value LaTeX's `\sloppy` sets; plain TeX has 0.
    ///   Callers should set it from their body size. Unlike TeX, lines without any stretch get none
    ///   of it, so a lone word is never judged a well-filled line.
    /// - `looseness` 0: TeX's default.
    fn default() -> Self {
        Params {
            tolerance: 1.26,
            loose_tolerance: 2.0,
            line_penalty: 10.0,
            double_hyphen_demerits: 10000.0,
            final_hyphen_demerits: 5000.0,
            fitness_demerits: 10000.0,
            max_consecutive_hyphens: 2,
            emergency_stretch: Pt::new(30.0),
            looseness: 0,
            no_hyphen_line: None,
            expansion: 0.0,
            runt_demerits: RUNT_DEMERITS,
        }
    }
}

/// What a runt costs: more than any line within the loose tolerance (a line at ratio 2
/// costs about 6.6·10⁵), so a paragraph ends on a tail only when nothing else sets it.
pub const RUNT_DEMERITS: f64 = 1.0e7;

/// What an overfull line costs in [`Pass::Overfull`]: more than a runt or a hyphen ladder.
const OVERFLOW_DEMERITS: f64 = 1.0e9;

/// Steps of font expansion, as a share of the width: a line's glyphs are set at whole
/// steps (0.25 %), so that a page holds a handful of distinct widths of each glyph, as
/// pdfTeX's `\pdffontexpand … step` does; the glue takes up the rest exactly.
pub const EXPANSION_STEP: f64 = 0.0025;

/// How a line is set: its glue at `ratio` (as [`set_width`] takes it) and its boxes
/// widened by `scale` (1 = as designed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// The glue's adjustment ratio.
    pub ratio: f64,
    /// The boxes' width factor, from the font expansion.
    pub scale: f64,
}

/// How `items[start..end]` (plus the width of a penalty at `end`) is set to fill
/// `width` with font expansion `expansion` (see [`Params::expansion`]): the line's
/// adjustment ratio over glue and glyphs together gives the glyphs' share, rounded to
/// [`EXPANSION_STEP`] and never beyond `expansion`; the glue then fills the line exactly.
pub fn setting(items: &[Item], start: usize, end: usize, width: Pt, expansion: f64) -> Setting {
    let end = end.min(items.len());
    let start = start.min(end);
    let m = measure(items, start, end);
    let mut boxes = m.boxes;
    if let Some(Item::Penalty { width, .. }) = items.get(end) {
        boxes += width.get().max(0.0);
    }
    let e = if expansion.is_finite() { expansion.max(0.0) } else { 0.0 };
    let font = e * boxes;
    let shortfall = width.get() - m.width;
    let r = adjustment(shortfall, m.stretch + font, m.shrink + font);
    let r = if r.is_finite() { r.max(-1.0) } else { 0.0 };
    // A line that must shrink takes the step at or beyond its share, so that its glue never
    // has to shrink past its limit; one that stretches takes the nearest step.
    let steps = e * r.clamp(-1.0, 1.0) / EXPANSION_STEP;
    let steps = if steps < 0.0 { (steps - 1e-9).floor() } else { steps.round() };
    let share = if e > 0.0 { (steps * EXPANSION_STEP).clamp(-e, e) } else { 0.0 };
    let glue = adjustment(shortfall - boxes * share, m.stretch, m.shrink);
    let ratio = if glue.is_finite() { glue.max(-1.0) } else { 0.0 };
    Setting { ratio, scale: 1.0 + share }
}

impl Params {
    /// Replaces NaN and infinite knobs by their defaults and orders the tolerances.
    fn sanitized(&self) -> Params {
        let d = Params::default();
        let finite = |v: f64, dv: f64| if v.is_finite() { v } else { dv };
        let tolerance = finite(self.tolerance, d.tolerance).max(0.0);
        Params {
            tolerance,
            loose_tolerance: finite(self.loose_tolerance, d.loose_tolerance).max(tolerance),
            line_penalty: finite(self.line_penalty, d.line_penalty),
            double_hyphen_demerits: finite(self.double_hyphen_demerits, d.double_hyphen_demerits),
            final_hyphen_demerits: finite(self.final_hyphen_demerits, d.final_hyphen_demerits),
            fitness_demerits: finite(self.fitness_demerits, d.fitness_demerits),
            max_consecutive_hyphens: self.max_consecutive_hyphens,
            emergency_stretch: self.emergency_stretch.max(Pt::ZERO),
            looseness: self.looseness,
            no_hyphen_line: self.no_hyphen_line,
            expansion: finite(self.expansion, d.expansion).clamp(0.0, 0.1),
            runt_demerits: finite(self.runt_demerits, d.runt_demerits),
        }
    }
}

/// One line of the chosen breaking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// First item of the line (after the discarded glue and penalties that follow a break).
    pub start: usize,
    /// The breakpoint: index of the glue or penalty ending the line, or the number of items for the end
    /// of a paragraph that [`finish_paragraph`] did not end.
    pub end: usize,
    /// Adjustment ratio of the glue for [`set_width`], after the font expansion took its
    /// share: from −1 (all shrink used) up; 0 when the line cannot stretch.
    pub ratio: f64,
    /// Width factor of the line's boxes (font expansion, see [`setting`]); 1 without it.
    pub scale: f64,
    /// The line ends at a flagged penalty (a hyphen break).
    pub hyphenated: bool,
    /// How far the line sticks out past the measure with all its shrink used; zero unless
    /// [`Pass::Overfull`].
    pub overflow: Pt,
}

/// The result of [`break_lines`].
#[derive(Debug, Clone, PartialEq)]
pub struct Breaking {
    /// Lines in order; empty for a paragraph without boxes.
    pub lines: Vec<Line>,
    /// The pass that succeeded.
    pub pass: Pass,
    /// Total demerits of the chosen lines (lower is better; comparable only within one pass).
    pub demerits: f64,
}

/// Which pass of [`break_lines`] found the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Every line within [`Params::tolerance`].
    First,
    /// Every line within [`Params::loose_tolerance`].
    Second,
    /// Within `loose_tolerance` once [`Params::emergency_stretch`] is added to every line that can stretch.
    Emergency,
    /// No feasible solution: the least bad lines, which may be overfull (see [`Line::overflow`]) or
    /// underfull, and break the hyphen limit only when that costs less. The caller splits long
    /// words and warns.
    Overfull,
}

/// Ends a paragraph as TeX does (§816): drops trailing glue, then appends an unbreakable penalty, a
/// [`FIL`] glue and a forced break. The first penalty stops a break at the fill glue, which would leave
/// an empty last line. [`break_lines`] applies it itself to items that do not end in a forced break.
pub fn finish_paragraph(items: &mut Vec<Item>) {
    while matches!(items.last(), Some(Item::Glue { .. })) {
        items.pop();
    }
    items.push(Item::Penalty { width: Pt::ZERO, cost: INFINITE, flagged: false });
    items.push(Item::Glue { width: Pt::ZERO, stretch: FIL, shrink: Pt::ZERO });
    items.push(Item::Penalty { width: Pt::ZERO, cost: -INFINITE, flagged: false });
}

/// The adjustment ratio that justifies `items[start..end]` (plus the width of a penalty at `end`) to
/// `width`, clamped to at least −1 (glue never shrinks past its shrink); 0 if the line has nothing to
/// stretch or shrink with. Out-of-range indices are clamped.
pub fn ratio_of(items: &[Item], start: usize, end: usize, width: Pt) -> f64 {
    let end = end.min(items.len());
    let m = measure(items, start.min(end), end);
    let r = adjustment(width.get() - m.width, m.stretch, m.shrink);
    if r.is_finite() { r.max(-1.0) } else { 0.0 }
}

/// The width an item takes in a line set at adjustment ratio `ratio` (see [`ratio_of`]): a box its
/// width, a glue `width + ratio·stretch` (or `·shrink` when `ratio < 0`), a penalty nothing.
pub fn set_width(item: &Item, ratio: f64) -> Pt {
    match *item {
        Item::Box { width } => width,
        Item::Glue { width, stretch, shrink } => {
            let flex = if ratio >= 0.0 { stretch } else { shrink };
            width + flex.max(Pt::ZERO) * ratio
        }
        Item::Penalty { .. } => Pt::ZERO,
    }
}

/// Breaks a paragraph into lines of `line_width(i)` for line `i` (from 0), minimising total demerits.
///
/// Passes, stopping at the first that finds a solution: [`Pass::First`] with `tolerance`,
/// [`Pass::Second`] with `loose_tolerance`, [`Pass::Emergency`] with `emergency_stretch` added to each
/// line that can stretch, then [`Pass::Overfull`], which accepts any stretch and, when no line can end at a breakpoint
/// without overflowing, ends the shortest overfull one there. With `looseness` ≠ 0 a pass that finds
/// lines but misses the requested count hands over to the next, and the last such result stands.
///
/// Never panics: a paragraph without boxes has no lines, negative measures count as zero.
pub fn break_lines(items: &[Item], line_width: &dyn Fn(usize) -> Pt, params: &Params) -> Breaking {
    if !items.iter().any(Item::is_box) {
        return Breaking { lines: Vec::new(), pass: Pass::First, demerits: 0.0 };
    }
    let finished = items.last().is_some_and(Item::is_forced);
    // The index reported for the paragraph end: the caller's final break, or past its last item.
    let end = if finished { items.len() - 1 } else { items.len() };
    let work: Cow<'_, [Item]> = if finished {
        Cow::Borrowed(items)
    } else {
        let mut owned = items.to_vec();
        finish_paragraph(&mut owned);
        Cow::Owned(owned)
    };
    let params = params.sanitized();
    let mut para = Paragraph::new(&work, line_width, params.looseness, params.no_hyphen_line);
    para.expansion = params.expansion;
    if params.looseness != 0 {
        // With a looseness, a pass's setting may be passed over for a later pass's: the plain order.
        return para.passes(&[Pass::First, Pass::Second, Pass::Emergency], &params, end);
    }
    // The second pass first: a third of a volume's paragraphs (the long ones) fail the first, and
    // half of those the second too. The first pass's lines are a subset of the second's, chosen
    // by the same demerits, so when the second pass's best setting has every line within the
    // first's tolerance it is the first pass's answer, and when the second pass finds nothing,
    // neither would the first: the result of the plain order, without the first pass's work on
    // the paragraphs that need emergency stretch.
    match para.run(Pass::Second, &params) {
        Some(found) if found.loosest <= params.tolerance => para.assemble(&found, Pass::First, end),
        Some(found) => match para.run(Pass::First, &params) {
            Some(first) => para.assemble(&first, Pass::First, end),
            None => para.assemble(&found, Pass::Second, end),
        },
        None => para.passes(&[Pass::Emergency], &params, end),
    }
}

/// How far (in points) a line must be beyond the tolerance for a node to be passed over
/// without computing its ratio: a thousandth of a point, where the rounding of the sums is
/// below a millionth.
const SKIP_MARGIN: f64 = 1e-3;

/// Widths below this many points count as zero when comparing a line with its measure.
const EPSILON: f64 = 1e-6;

/// Fitness classes (Knuth & Plass; TeX §817), by the line's adjustment ratio.
const VERY_LOOSE: u8 = 0; // r > 1
const LOOSE: u8 = 1; // 0.5 < r <= 1
const DECENT: u8 = 2; // -0.5 <= r <= 0.5
const TIGHT: u8 = 3; // r < -0.5

/// Natural width, stretch and shrink of a run of items, the width of its boxes (what
/// font expansion widens) and how many glues it holds.
#[derive(Debug, Clone, Copy, Default)]
struct Sum {
    width: f64,
    stretch: f64,
    shrink: f64,
    boxes: f64,
    glues: f64,
}

impl Sum {
    fn add(&mut self, item: &Item) {
        match *item {
            Item::Box { width } => {
                self.width += width.get();
                self.boxes += width.get().max(0.0);
            }
            Item::Glue { width, stretch, shrink } => {
                self.width += width.get();
                self.stretch += stretch.get().max(0.0);
                self.shrink += shrink.get().max(0.0);
                self.glues += 1.0;
            }
            Item::Penalty { .. } => {}
        }
    }
}

/// `items[start..end]` plus the width of a penalty at `end`.
fn measure(items: &[Item], start: usize, end: usize) -> Sum {
    let mut sum = Sum::default();
    items[start..end].iter().for_each(|item| sum.add(item));
    if let Some(Item::Penalty { width, .. }) = items.get(end) {
        sum.width += width.get();
    }
    sum
}

/// The adjustment ratio of a line `shortfall` short of its measure: ±∞ when it cannot adjust.
fn adjustment(shortfall: f64, stretch: f64, shrink: f64) -> f64 {
    if shortfall > EPSILON {
        if stretch > 0.0 { shortfall / stretch } else { f64::INFINITY }
    } else if shortfall < -EPSILON {
        if shrink > 0.0 { shortfall / shrink } else { f64::NEG_INFINITY }
    } else {
        0.0
    }
}

/// TeX's badness, 100·|r|³ capped at 10 000 (`inf_bad`).
fn badness(r: f64) -> f64 {
    (100.0 * r.abs().powi(3)).min(10000.0)
}

fn fitness(r: f64) -> u8 {
    if r > 1.0 {
        VERY_LOOSE
    } else if r > 0.5 {
        LOOSE
    } else if r >= -0.5 {
        DECENT
    } else {
        TIGHT
    }
}

/// A paragraph prepared for the passes: prefix sums, legal breakpoints and line measures.
struct Paragraph<'a> {
    items: &'a [Item],
    /// `sums[i]` totals `items[..i]`.
    sums: Vec<Sum>,
    /// Legal breakpoints in order; the last is the final forced break at `items.len() - 1`.
    breaks: Vec<usize>,
    /// Measure of line `i`; lines past the end share the last entry.
    widths: Vec<f64>,
    /// Lines from this index on have the same measure, so active nodes need not tell their line
    /// numbers apart (TeX's `easy_line`, §848).
    easy_line: usize,
    /// [`Params::expansion`].
    expansion: f64,
}

/// A feasible break remembered for backtracking.
struct Record {
    pos: usize,
    prev: Option<usize>,
}

/// An active node: a break from which the next line may start.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Its [`Record`]; `None` for the paragraph start.
    record: Option<usize>,
    /// First item of the next line.
    start: usize,
    /// Lines before the next one.
    line: usize,
    fitness: u8,
    /// Consecutive hyphenated lines ending here (capped at the limit).
    hyphens: usize,
    total: f64,
    /// The largest adjustment ratio of the lines before it.
    loosest: f64,
    /// Its next line is too loose for the pass at every breakpoint whose reach (width and
    /// penalty width plus tolerance times stretch, summed from the paragraph start) is below this.
    ready: f64,
}

/// A new break at the current breakpoint reached from an active node.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    prev: Option<usize>,
    line: usize,
    fitness: u8,
    hyphens: usize,
    total: f64,
    loosest: f64,
}

/// What a pass found: the breakpoints of the chosen lines.
struct Found {
    breaks: Vec<usize>,
    total: f64,
    looseness_met: bool,
    /// The largest adjustment ratio among the chosen lines.
    loosest: f64,
}

impl<'a> Paragraph<'a> {
    /// `items` must end in a forced break.
    fn new(
        items: &'a [Item],
        line_width: &dyn Fn(usize) -> Pt,
        looseness: i32,
        no_hyphen: Option<usize>,
    ) -> Self {
        let mut sums = Vec::with_capacity(items.len() + 1);
        let mut sum = Sum::default();
        sums.push(sum);
        for item in items {
            sum.add(item);
            sums.push(sum);
        }
        let breaks: Vec<usize> = (0..items.len())
            .filter(|&i| match items[i] {
                Item::Box { .. } => false,
                Item::Glue { .. } => i > 0 && items[i - 1].is_box(),
                Item::Penalty { cost, .. } => cost < INFINITE,
            })
            .collect();
        // No breaking has more lines than breakpoints, so these are all the measures that matter.
        let widths: Vec<f64> = (0..=breaks.len()).map(|i| line_width(i).get().max(0.0)).collect();
        let mut easy_line = widths.len() - 1;
        // Looseness compares line counts, so it needs every count kept apart (TeX §848).
        while looseness == 0 && easy_line > 0 && widths[easy_line - 1] == widths[easy_line] {
            easy_line -= 1;
        }
        // A line that may not end in a hyphen must be told apart from the others up to it.
        if let Some(n) = no_hyphen {
            easy_line = easy_line.max((n + 1).min(widths.len() - 1));
        }
        Paragraph { items, sums, breaks, widths, easy_line, expansion: 0.0 }
    }

    fn width(&self, line: usize) -> f64 {
        self.widths[line.min(self.widths.len() - 1)]
    }

    /// Where a line starts after a break at `pos`: past the glue and penalties TeX discards there,
    /// stopping at a box or a forced break.
    fn next_start(&self, pos: usize) -> usize {
        let mut i = pos + 1;
        while i < self.items.len() && !self.items[i].is_box() && !self.items[i].is_forced() {
            i += 1;
        }
        i
    }

    /// One pass over the breakpoints, keeping the active nodes (TeX §829–§860). `None` if it fails.
    /// Runs `passes` in order and takes the first setting that meets the looseness, else
    /// the last setting found, else the overfull pass's.
    fn passes(&self, passes: &[Pass], params: &Params, end: usize) -> Breaking {
        let mut fallback = None;
        for &pass in passes {
            if pass == Pass::Emergency && params.emergency_stretch <= Pt::ZERO {
                continue;
            }
            if let Some(found) = self.run(pass, params) {
                if found.looseness_met {
                    return self.assemble(&found, pass, end);
                }
                fallback = Some((found, pass));
            }
        }
        match fallback {
            Some((found, pass)) => self.assemble(&found, pass, end),
            None => match self.run(Pass::Overfull, params) {
                Some(found) => self.assemble(&found, Pass::Overfull, end),
                // Unreachable: the overfull pass always ends a line somewhere. Kept so no input panics.
                None => {
                    let line =
                        Line { start: 0, end, ratio: 0.0, scale: 1.0, hyphenated: false, overflow: Pt::ZERO };
                    Breaking { lines: vec![line], pass: Pass::Overfull, demerits: f64::INFINITY }
                }
            },
        }
    }

    fn run(&self, pass: Pass, p: &Params) -> Option<Found> {
        /// What one hyphenated line beyond the limit costs in the overfull pass.
        const LADDER_DEMERITS: f64 = 1e8;
        let tolerance = match pass {
            Pass::First => p.tolerance,
            Pass::Second | Pass::Emergency => p.loose_tolerance,
            Pass::Overfull => f64::INFINITY,
        };
        let extra = match pass {
            Pass::Emergency | Pass::Overfull => p.emergency_stretch.get(),
            Pass::First | Pass::Second => 0.0,
        };
        let limit = if pass == Pass::Overfull || p.max_consecutive_hyphens == 0 {
            usize::MAX
        } else {
            p.max_consecutive_hyphens
        };
        // Hyphen runs beyond the limit never need telling apart.
        let cap = p.max_consecutive_hyphens.max(1);
        let last = self.items.len() - 1;

        // Most of the active nodes at a breakpoint start lines still too short to set (four in
        // five of an emergency pass): such a node is not looked at (see below). Its
        // line from `start` is too loose at a breakpoint whenever the shortfall exceeds the
        // tolerance times the stretch, emergency stretch included, by a margin far above the
        // rounding of these sums: `reach(b) < ready`, with all of `b`'s terms on one side.
        // Stretch of a run from the paragraph start: the glue's and the glyphs' (font expansion).
        let e = self.expansion;
        let flex = |s: &Sum| s.stretch + e * s.boxes;
        let ready = |start: usize, line: usize| {
            let from = self.sums[start];
            if tolerance.is_finite() {
                self.width(line) + from.width + tolerance * (flex(&from) - extra) - SKIP_MARGIN
            } else {
                f64::NEG_INFINITY
            }
        };
        let mut records: Vec<Record> = Vec::new();
        let start = Node {
            record: None,
            start: 0,
            line: 0,
            fitness: DECENT,
            hyphens: 0,
            total: 0.0,
            loosest: f64::MIN,
            ready: ready(0, 0),
        };
        let mut active = vec![start];
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut fresh: Vec<Node> = Vec::new();
        for &b in &self.breaks {
            let (pen_width, cost, flagged) = match self.items[b] {
                Item::Penalty { width, cost, flagged } => (width.get(), cost.max(-INFINITE), flagged),
                _ => (0.0, 0.0, false),
            };
            let forced = cost <= -INFINITE;
            let at_end = b == last;
            let here = self.sums[b];
            let reach = if tolerance.is_finite() {
                here.width + pen_width + tolerance * flex(&here)
            } else {
                f64::INFINITY
            };
            candidates.clear();
            // The node whose line is shortest among those dropped here, for the overfull pass.
            let mut rescue: Option<Node> = None;
            // Whether node `a` stays active after this breakpoint; its line here, if feasible,
            // becomes a candidate.
            let mut visit = |a: &Node| {
                if a.start > b {
                    return true; // Its line has not begun yet.
                }
                let from = self.sums[a.start];
                let natural = here.width - from.width + pen_width;
                let stretch = here.stretch - from.stretch;
                // Emergency stretch helps lines that can stretch at all; one without glue stays
                // infeasible rather than look perfect (a departure from TeX, which adds it to every line).
                let stretch = if stretch > 0.0 { stretch + extra } else { stretch };
                let font = e * (here.boxes - from.boxes);
                let (stretch, shrink) = (stretch + font, here.shrink - from.shrink + font);
                let r = adjustment(self.width(a.line) - natural, stretch, shrink);
                let overfull = r < -1.0;
                let hyphens = if flagged { a.hyphens + 1 } else { 0 };
                let banned = flagged && pass != Pass::Overfull && p.no_hyphen_line == Some(a.line);
                // The last line holds one word (its only glue is the paragraph's fill) after a
                // hyphen: the tail of the word, a runt. Only the last pass sets one, at a price;
                // otherwise an earlier pass could settle for it where a later one avoids it.
                let runt = at_end && a.hyphens > 0 && here.glues - from.glues <= 1.0;
                let banned = banned || (runt && pass != Pass::Overfull && p.runt_demerits > 0.0);
                if !overfull && r <= tolerance && hyphens <= limit && !banned {
                    let fit = fitness(r);
                    // Demerits (TeX §859): (l + b)² ± p², plus hyphen and fitness extras.
                    let lb = p.line_penalty + badness(r);
                    let mut d = if lb.abs() >= 10000.0 { 1e8 } else { lb * lb };
                    if cost > 0.0 {
                        d += cost * cost;
                    } else if cost > -INFINITE {
                        d -= cost * cost;
                    }
                    if a.hyphens > 0 {
                        // TeX treats the paragraph end as a hyphen break for this purpose only.
                        if at_end {
                            d += p.final_hyphen_demerits;
                        } else if flagged {
                            d += p.double_hyphen_demerits;
                        }
                    }
                    if fit.abs_diff(a.fitness) > 1 {
                        d += p.fitness_demerits;
                    }
                    if runt {
                        d += p.runt_demerits;
                    }
                    if p.max_consecutive_hyphens > 0 && hyphens > p.max_consecutive_hyphens {
                        // Only the overfull pass gets here: a hyphen ladder is allowed when nothing
                        // else sets the paragraph, at the price of a line of infinite badness.
                        d += LADDER_DEMERITS;
                    }
                    candidates.push(Candidate {
                        prev: a.record,
                        line: a.line + 1,
                        fitness: fit,
                        hyphens: hyphens.min(cap),
                        total: a.total + d,
                        loosest: a.loosest.max(r),
                    });
                }
                // A line that overflows only grows with more material: its node is done (pruning).
                if overfull || forced {
                    // Ties go to the earlier node, as TeX's list order would have it.
                    let better = rescue.is_none_or(|x| {
                        a.start > x.start
                            || (a.start == x.start
                                && (a.total < x.total || (a.total == x.total && a.record < x.record)))
                    });
                    if better {
                        rescue = Some(*a);
                    }
                    return false;
                }
                true
            };
            // Only nodes whose line is not too loose still need a look: with the list in order
            // of `ready`, a prefix of it (all of it at a forced break, which ends every line).
            // The prefix is compacted in place as nodes are dropped.
            let looked = if forced { active.len() } else { active.partition_point(|a| a.ready <= reach) };
            let mut kept = 0;
            for k in 0..looked {
                let a = active[k];
                if visit(&a) {
                    active[kept] = a;
                    kept += 1;
                }
            }
            active.drain(kept..looked);
            if candidates.is_empty() && active.is_empty() {
                // Every way to continue overflows. Only the last pass accepts that: like TeX's
                // artificial break (§854), it ends the shortest overfull line here at no cost.
                let a = match (pass, rescue) {
                    (Pass::Overfull, Some(a)) => a,
                    _ => return None,
                };
                // At a price above any other line's (a runt's included), so that a setting
                // with no overfull line wins wherever this pass also finds one.
                candidates.push(Candidate {
                    prev: a.record,
                    line: a.line + 1,
                    fitness: TIGHT,
                    hyphens: if flagged { (a.hyphens + 1).min(cap) } else { 0 },
                    total: a.total + OVERFLOW_DEMERITS,
                    loosest: f64::INFINITY,
                });
            }
            let start = self.next_start(b);
            // What a different fitness class or a longer hyphen run can cost or save on the next line.
            let fitness_margin = p.fitness_demerits.abs();
            let hyphens_cost = p.double_hyphen_demerits >= 0.0 && p.final_hyphen_demerits >= 0.0;
            // By demerits, ties by the order the nodes were made in (the order of TeX's list).
            candidates.sort_by(|x, y| x.total.total_cmp(&y.total).then(x.prev.cmp(&y.prev)));
            fresh.clear();
            for c in &candidates {
                // Skip a candidate that an already kept, cheaper one at the same place dominates: same
                // future measures, no longer hyphen run, and cheaper even after a fitness penalty.
                let dominated = fresh.iter().any(|k| {
                    self.same_future(k.line, c.line)
                        && (k.hyphens == c.hyphens || (hyphens_cost && k.hyphens < c.hyphens))
                        && k.total + if k.fitness == c.fitness { 0.0 } else { fitness_margin } <= c.total
                });
                if dominated {
                    continue;
                }
                records.push(Record { pos: b, prev: c.prev });
                fresh.push(Node {
                    record: Some(records.len() - 1),
                    start,
                    line: c.line,
                    fitness: c.fitness,
                    hyphens: c.hyphens,
                    total: c.total,
                    loosest: c.loosest,
                    ready: ready(start, c.line),
                });
            }
            for n in &fresh {
                let at = active.partition_point(|a| a.ready <= n.ready);
                active.insert(at, *n);
            }
        }

        // Only nodes at the final forced break remain. Choose by demerits, then looseness (TeX §875).
        // Ties go to the node made first.
        let best = active.iter().min_by(|x, y| x.total.total_cmp(&y.total).then(x.record.cmp(&y.record)))?;
        let wanted = i64::from(p.looseness);
        let (low, high) = (wanted.min(0), wanted.max(0));
        let chosen = active
            .iter()
            .filter(|n| (low..=high).contains(&(n.line as i64 - best.line as i64)))
            .min_by(|x, y| {
                let dx = (x.line as i64 - best.line as i64 - wanted).abs();
                let dy = (y.line as i64 - best.line as i64 - wanted).abs();
                dx.cmp(&dy).then(x.total.total_cmp(&y.total)).then(x.record.cmp(&y.record))
            })
            .unwrap_or(best);
        let mut breaks = Vec::new();
        let mut record = chosen.record;
        while let Some(i) = record {
            breaks.push(records[i].pos);
            record = records[i].prev;
        }
        breaks.reverse();
        let looseness_met = chosen.line as i64 - best.line as i64 == wanted;
        Some(Found { breaks, total: chosen.total, looseness_met, loosest: chosen.loosest })
    }

    /// Nodes after `a` and after `b` lines face the same measures from then on.
    fn same_future(&self, a: usize, b: usize) -> bool {
        a.min(self.easy_line) == b.min(self.easy_line)
    }

    /// Turns breakpoints into [`Line`]s, reporting the final break as `end`.
    fn assemble(&self, found: &Found, pass: Pass, end: usize) -> Breaking {
        let last = self.items.len() - 1;
        let mut lines = Vec::with_capacity(found.breaks.len());
        let mut start = 0;
        for (i, &pos) in found.breaks.iter().enumerate() {
            let width = Pt::new(self.width(i));
            let m = measure(self.items, start.min(pos), pos);
            let overflow = m.width - m.shrink - width.get();
            let overflow = if overflow > EPSILON { overflow } else { 0.0 };
            let end = if pos == last { end } else { pos };
            let set = setting(self.items, start, pos, width, self.expansion);
            lines.push(Line {
                start: start.min(end),
                end,
                ratio: set.ratio,
                scale: set.scale,
                hyphenated: matches!(self.items[pos], Item::Penalty { flagged: true, .. }),
                overflow: Pt::new(overflow).max(Pt::ZERO),
            });
            start = self.next_start(pos);
        }
        Breaking { lines, pass, demerits: found.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test paragraphs: every character 1 pt; a space is glue 2 pt, stretch 1 pt, shrink 1 pt; a `-`
    /// inside a word is a hyphenation point (flagged penalty, 1 pt hyphen, cost 50); `|` forces a break.
    struct Para {
        items: Vec<Item>,
        labels: Vec<String>,
    }

    fn space() -> Item {
        Item::Glue { width: Pt::new(2.0), stretch: Pt::new(1.0), shrink: Pt::new(1.0) }
    }

    fn para(text: &str) -> Para {
        let mut items = Vec::new();
        let mut labels = Vec::new();
        for (i, word) in text.split(' ').enumerate() {
            if i > 0 {
                items.push(space());
                labels.push(" ".to_string());
            }
            if word == "|" {
                items.push(Item::Glue { width: Pt::ZERO, stretch: FIL, shrink: Pt::ZERO });
                items.push(Item::Penalty { width: Pt::ZERO, cost: -INFINITE, flagged: false });
                labels.extend(["".to_string(), "".to_string()]);
                continue;
            }
            for (j, piece) in word.split('-').enumerate() {
                if j > 0 {
                    items.push(Item::Penalty { width: Pt::new(1.0), cost: HYPHEN_PENALTY, flagged: true });
                    labels.push(String::new());
                }
                items.push(Item::Box { width: Pt::new(piece.chars().count() as f64) });
                labels.push(piece.to_string());
            }
        }
        let n = items.len();
        finish_paragraph(&mut items);
        labels.resize(labels.len() + items.len() - n, String::new());
        Para { items, labels }
    }

    impl Para {
        fn break_at(&self, width: f64, params: &Params) -> Breaking {
            break_lines(&self.items, &|_| Pt::new(width), params)
        }

        /// The lines as text, a trailing `-` for a hyphen break.
        fn render(&self, b: &Breaking) -> Vec<String> {
            b.lines
                .iter()
                .map(|l| {
                    let mut s: String = self.labels[l.start..l.end].concat();
                    if l.hyphenated {
                        s.push('-');
                    }
                    s
                })
                .collect()
        }
    }

    /// An independent restatement of the cost model: the demerits of lines ending at `breaks`, or
    /// `None` if a line is infeasible at `tolerance` (or breaks the hyphen limit).
    fn score(items: &[Item], breaks: &[usize], width: &dyn Fn(usize) -> f64, p: &Params) -> Option<f64> {
        let mut total = 0.0;
        let (mut start, mut prev_fit, mut run) = (0, DECENT, 0);
        for (line, &b) in breaks.iter().enumerate() {
            let m = measure(items, start, b);
            let r = adjustment(width(line) - m.width, m.stretch, m.shrink);
            let (cost, flagged) = match items[b] {
                Item::Penalty { cost, flagged, .. } => (cost, flagged),
                _ => (0.0, false),
            };
            let at_end = b == items.len() - 1;
            if r < -1.0 || r > p.tolerance || (flagged && run + 1 > p.max_consecutive_hyphens) {
                return None;
            }
            // A last line of one word after a hyphen (its only glue the paragraph's fill) is a runt.
            let glues = items[start..b].iter().filter(|i| matches!(i, Item::Glue { .. })).count();
            if at_end && run > 0 && glues <= 1 && p.runt_demerits > 0.0 {
                return None;
            }
            let fit = fitness(r);
            let lb = p.line_penalty + badness(r);
            let mut d = if lb.abs() >= 10000.0 { 1e8 } else { lb * lb };
            d += if cost > -INFINITE { cost.signum() * cost * cost } else { 0.0 };
            if run > 0 && at_end {
                d += p.final_hyphen_demerits;
            } else if run > 0 && flagged {
                d += p.double_hyphen_demerits;
            }
            if (fit as i32 - prev_fit as i32).abs() > 1 {
                d += p.fitness_demerits;
            }
            total += d;
            prev_fit = fit;
            run = if flagged { run + 1 } else { 0 };
            start = b + 1;
            while start < items.len() && !items[start].is_box() && !items[start].is_forced() {
                start += 1;
            }
        }
        Some(total)
    }

    /// The least demerits over every sequence of legal breaks, by exhaustive search.
    fn brute_force(items: &[Item], width: &dyn Fn(usize) -> f64, p: &Params) -> Option<f64> {
        let legal: Vec<usize> = (0..items.len() - 1)
            .filter(|&i| match items[i] {
                Item::Glue { .. } => i > 0 && items[i - 1].is_box(),
                Item::Penalty { cost, .. } => cost < INFINITE,
                Item::Box { .. } => false,
            })
            .collect();
        let mut best: Option<f64> = None;
        for mask in 0u32..(1 << legal.len()) {
            let mut breaks: Vec<usize> =
                legal.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, &b)| b).collect();
            // Forced breaks must be taken.
            if legal.iter().any(|&b| items[b].is_forced() && !breaks.contains(&b)) {
                continue;
            }
            breaks.push(items.len() - 1);
            if let Some(s) = score(items, &breaks, width, p) {
                best = Some(best.map_or(s, |b: f64| b.min(s)));
            }
        }
        best
    }

    /// A tiny deterministic generator (Knuth's MMIX LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }

        /// Random words of 1–`longest` letters, some with a hyphenation point, a few forced breaks.
        fn text(&mut self, words: usize, longest: u64) -> String {
            let mut out = Vec::new();
            for i in 0..words {
                if i > 0 && self.below(20) == 0 {
                    out.push("|".to_string());
                }
                let len = 1 + self.below(longest) as usize;
                let mut w = "x".repeat(len);
                if len >= 4 && self.below(3) == 0 {
                    w.insert(2 + self.below(len as u64 - 3) as usize, '-');
                }
                out.push(w);
            }
            out.join(" ")
        }
    }

    /// Lines start at 0, follow each other with only discardable items between, and end at the end.
    #[track_caller]
    fn assert_covers(items: &[Item], b: &Breaking) {
        let mut expected_start = 0;
        for l in &b.lines {
            assert!(l.start <= l.end && l.end <= items.len(), "bad line {l:?}");
            assert!(items[expected_start.min(l.start)..l.start].iter().all(|i| !i.is_box()), "box skipped");
            assert!(l.start >= expected_start, "lines overlap");
            expected_start = l.end + 1;
        }
        let end = if items.last().is_some_and(Item::is_forced) { items.len() - 1 } else { items.len() };
        let expected = if items.iter().any(Item::is_box) { Some(end) } else { None };
        assert_eq!(b.lines.last().map(|l| l.end), expected, "paragraph not finished");
    }

    // A normal paragraph breaks in the first pass with every line within tolerance.
    #[test]
    fn normal_paragraph_is_feasible() {
        let p = para(
            "the quick brown fox jumps over the lazy dog and keeps running through the long grass \
             until the evening comes and the light fades over the quiet fields",
        );
        let b = p.break_at(40.0, &Params::default());
        assert_eq!(b.pass, Pass::First);
        assert_covers(&p.items, &b);
        for l in &b.lines[..b.lines.len() - 1] {
            assert!(l.ratio >= -1.0 && l.ratio <= 1.26, "{l:?}");
            assert_eq!(l.overflow, Pt::ZERO);
        }
    }

    // A paragraph shorter than the measure is one line set at (almost) natural width.
    #[test]
    fn short_paragraph_is_one_line() {
        let p = para("just a few words");
        let b = p.break_at(100.0, &Params::default());
        assert_eq!(p.render(&b), ["just a few words"]);
        assert!(b.lines[0].ratio.abs() < 1e-3);
    }

    // No items, or no boxes, give no lines.
    #[test]
    fn empty_paragraph_has_no_lines() {
        let b = break_lines(&[], &|_| Pt::new(100.0), &Params::default());
        assert!(b.lines.is_empty());
        let mut items = vec![space()];
        finish_paragraph(&mut items);
        assert!(break_lines(&items, &|_| Pt::new(100.0), &Params::default()).lines.is_empty());
    }

    // Total fit beats first fit: greedy filling squeezes the first line to its limit, the optimum
    // spreads the slack and scores far fewer demerits.
    #[test]
    fn total_fit_beats_first_fit() {
        let p = para("aaaaa bbb ccc dd eeeeee");
        let params = Params::default();
        let b = p.break_at(16.0, &params);
        assert_eq!(p.render(&b), ["aaaaa bbb ccc", "dd eeeeee"]);
        let greedy = first_fit(&p.items, 16.0);
        let greedy_lines: Vec<String> = greedy
            .iter()
            .scan(0, |start, &end| {
                let s = p.labels[*start..end].concat();
                *start = end + 1;
                Some(s.trim().to_string())
            })
            .collect();
        assert_eq!(greedy_lines, ["aaaaa bbb ccc dd", "eeeeee"]);
        let w = |_| 16.0;
        let ends: Vec<usize> = b.lines.iter().map(|l| l.end).collect();
        assert_eq!(score(&p.items, &ends, &w, &params), Some(b.demerits));
        let greedy_score = score(&p.items, &greedy, &w, &params).expect("greedy is feasible here");
        assert!(greedy_score > 10.0 * b.demerits, "{greedy_score} vs {}", b.demerits);
    }

    /// First fit: each line takes as much as fits with its shrink.
    fn first_fit(items: &[Item], width: f64) -> Vec<usize> {
        let mut breaks = Vec::new();
        let mut start = 0;
        while start < items.len() {
            let mut chosen = None;
            for b in start..items.len() {
                let legal = match items[b] {
                    Item::Glue { .. } => b > 0 && items[b - 1].is_box(),
                    Item::Penalty { cost, .. } => cost < INFINITE,
                    Item::Box { .. } => false,
                };
                if !legal {
                    continue;
                }
                let m = measure(items, start, b);
                if chosen.is_some() && m.width - m.shrink > width {
                    break;
                }
                chosen = Some(b);
                if items[b].is_forced() {
                    break;
                }
            }
            let b = chosen.expect("the forced end is always legal");
            breaks.push(b);
            start = b + 1;
            while start < items.len() && !items[start].is_box() {
                start += 1;
            }
        }
        breaks
    }

    // On many small random paragraphs the first (or else second) pass finds exactly the least demerits
    // an exhaustive search finds, with equal and with varying line widths.
    #[test]
    fn matches_exhaustive_search() {
        let mut rng = Lcg(7);
        let params = Params::default();
        let second = Params { tolerance: params.loose_tolerance, ..params.clone() };
        let (mut compared, mut compared_second) = (0, 0);
        for case in 0..600 {
            let words = 4 + rng.below(4) as usize;
            let p = para(&rng.text(words, 7));
            if p.items.iter().filter(|i| matches!(i, Item::Glue { .. } | Item::Penalty { .. })).count() > 16 {
                continue;
            }
            let measure = 8.0 + rng.below(12) as f64;
            let varying = case % 2 == 1;
            let w = move |i: usize| if varying && i == 0 { measure - 4.0 } else { measure };
            let b = break_lines(&p.items, &|i| Pt::new(w(i)), &params);
            match (brute_force(&p.items, &w, &params), brute_force(&p.items, &w, &second)) {
                (Some(best), _) => {
                    assert_eq!(b.pass, Pass::First, "case {case}");
                    assert!((b.demerits - best).abs() < 1e-6, "case {case}: {} vs {best}", b.demerits);
                    compared += 1;
                }
                (None, Some(best)) => {
                    assert_eq!(b.pass, Pass::Second, "case {case}");
                    assert!((b.demerits - best).abs() < 1e-6, "case {case}: {} vs {best}", b.demerits);
                    compared_second += 1;
                }
                (None, None) => assert!(matches!(b.pass, Pass::Emergency | Pass::Overfull), "case {case}"),
            }
            assert_covers(&p.items, &b);
        }
        assert!(compared > 100 && compared_second > 10, "only {compared} + {compared_second} feasible cases");
    }

    // Outside the overfull pass no line is ever wider than its measure with all shrink used.
    #[test]
    fn never_overfull_when_a_solution_exists() {
        let mut rng = Lcg(42);
        for case in 0..400 {
            let words = 5 + rng.below(60) as usize;
            let p = para(&rng.text(words, 12));
            let measure = 10.0 + rng.below(60) as f64;
            let indent = rng.below(3) as f64 * 5.0;
            let w = |i: usize| if i < 2 { measure - indent } else { measure };
            let b = break_lines(&p.items, &|i| Pt::new(w(i)), &Params::default());
            assert_covers(&p.items, &b);
            if b.pass != Pass::Overfull {
                for (i, l) in b.lines.iter().enumerate() {
                    let m = measure_of(&p.items, l);
                    assert!(m.width - m.shrink <= w(i) + 1e-9, "case {case} line {i}: {l:?}");
                    assert_eq!(l.overflow, Pt::ZERO);
                }
            }
        }
    }

    fn measure_of(items: &[Item], l: &Line) -> Sum {
        measure(items, l.start, l.end.min(items.len()))
    }

    // A forced break ends a line even when more words would fit.
    #[test]
    fn forced_break_is_taken() {
        let p = para("one two | three four");
        let b = p.break_at(100.0, &Params::default());
        assert_eq!(p.render(&b), ["one two ", "three four"]);
    }

    // A hyphen is taken only when it improves the paragraph.
    #[test]
    fn hyphen_only_when_it_helps() {
        // The space-only breaking fits exactly; the hyphen would only add cost.
        let p = para("aaaa bbbb cc-cc dddd eeee");
        let b = p.break_at(10.0, &Params::default());
        assert!(b.lines.iter().all(|l| !l.hyphenated), "{:?}", p.render(&b));
        // Without the hyphen the first line would be "aaa" stretched far past tolerance, or overfull.
        let p = para("aaa bbb-bbbb cc dd");
        let b = p.break_at(8.0, &Params::default());
        assert_eq!(p.render(&b), ["aaa bbb-", "bbbb cc", "dd"]);
        assert_eq!(b.pass, Pass::First);
    }

    // With double-hyphen demerits switched off, a third hyphen break in a row is still avoided.
    #[test]
    fn no_three_hyphens_in_a_row() {
        let p = para("aaaa bb-bbbb cc-cc d ee-ee ffffff gg hh ii");
        let free = Params { double_hyphen_demerits: 0.0, max_consecutive_hyphens: 0, ..Params::default() };
        let unlimited = p.break_at(9.0, &free);
        assert_eq!(
            p.render(&unlimited),
            ["aaaa bb-", "bbbb cc-", "cc d ee-", "ee ffffff", "gg hh ii"],
            "setup"
        );
        let limited = p.break_at(9.0, &Params { max_consecutive_hyphens: 2, ..free });
        assert_eq!(p.render(&limited), ["aaaa bb-", "bbbb cc-", "cc d eeee", "ffffff gg", "hh ii"]);
        assert_eq!(limited.pass, Pass::First);
        // A word wider than the measure sends the paragraph to the overfull pass; the limit
        // still keeps the ladder out where another break exists.
        let p = para("aaaa bb-bbbb cc-cc d ee-ee ffffff gg hh ii zzzzzzzzzzzz");
        let limited = p.break_at(9.0, &Params { max_consecutive_hyphens: 2, ..free });
        assert_eq!(limited.pass, Pass::Overfull);
        let lines = p.render(&limited);
        assert!(!lines.windows(3).any(|w| w.iter().all(|l| l.ends_with('-'))), "{lines:?}");
    }

    // Final-hyphen demerits move a hyphen off the next-to-last line when another breaking exists.
    #[test]
    fn no_hyphen_on_penultimate_line() {
        let p = para("aaa b ccc-ccc ddd ee-eee fff-ff");
        let no_final = Params { final_hyphen_demerits: 0.0, runt_demerits: 0.0, ..Params::default() };
        let without = p.break_at(14.0, &no_final);
        assert_eq!(p.render(&without), ["aaa b cccccc", "ddd eeeee fff-", "ff"], "setup");
        let with = p.break_at(14.0, &Params::default());
        assert_eq!(p.render(&with), ["aaa b ccc-", "ccc ddd eeeee", "fffff"]);
        assert_eq!(with.pass, Pass::First);
    }

    // A paragraph never ends on the tail of a hyphenated word while another breaking
    // exists, even a looser one; with nothing else, the last pass sets the tail.
    #[test]
    fn no_runt_when_avoidable() {
        let p = para("aaa b ccc-ccc ddd ee-eee fff-ff");
        let no_final = Params { final_hyphen_demerits: 0.0, ..Params::default() };
        let allowed = p.break_at(14.0, &Params { runt_demerits: 0.0, ..no_final.clone() });
        assert_eq!(
            p.render(&allowed).last().map(String::as_str),
            Some("ff"),
            "setup: a runt without the rule"
        );
        let b = p.break_at(14.0, &no_final);
        let lines = p.render(&b);
        let n = lines.len();
        assert!(!lines[n - 2].ends_with('-') || lines[n - 1].contains(' '), "{lines:?}");
        assert_ne!(b.pass, Pass::Overfull, "{lines:?}");
        // One word, hyphenated to fit: only the tail can end it.
        let forced = para("xxxxxxx-xx");
        let b = forced.break_at(7.0, &Params::default());
        assert_eq!(forced.render(&b), ["xxxxxxx-", "xx"]);
        assert_eq!(b.pass, Pass::Overfull);
    }

    // Font expansion takes its share of a line's adjustment in whole steps, never beyond the
    // limit, and the glue fills the rest exactly.
    #[test]
    fn expansion_shares_the_adjustment() {
        let items = para("aaaaa bbbbb ccccc").items;
        let end = items.len() - 1;
        // 15 pt of boxes and two spaces of 2 pt (stretch 1, shrink 1); measure 20 pt: 1 pt short.
        let s = setting(&items, 0, end - 3, Pt::new(20.0), 0.02);
        assert!((s.scale - 1.0).abs() <= 0.02 + 1e-12 && s.scale > 1.0, "{s:?}");
        let steps = (s.scale - 1.0) / EXPANSION_STEP;
        assert!((steps - steps.round()).abs() < 1e-9, "{s:?}");
        let set: f64 = items[..end - 3]
            .iter()
            .map(|i| match i {
                Item::Box { width } => width.get() * s.scale,
                other => set_width(other, s.ratio).get(),
            })
            .sum();
        assert!((set - 20.0).abs() < 1e-9, "{set}");
        // Far too short: the glyphs stop at +2 %, the glue stretches the rest.
        let s = setting(&items, 0, end - 3, Pt::new(30.0), 0.02);
        assert!((s.scale - 1.02).abs() < 1e-12 && s.ratio > 5.0, "{s:?}");
        // Without expansion, nothing changes.
        assert_eq!(setting(&items, 0, end - 3, Pt::new(20.0), 0.0).scale, 1.0);
    }

    // A box wider than the measure gives an overfull pass whose lines still cover every item.
    #[test]
    fn overfull_box_still_covers_everything() {
        let p = para("aa bb cc xxxxxxxxxxxxxxxxxxxxxxxx dd ee ff");
        let b = p.break_at(8.0, &Params::default());
        assert_eq!(b.pass, Pass::Overfull);
        assert_covers(&p.items, &b);
        assert_eq!(p.render(&b), ["aa bb cc", "xxxxxxxxxxxxxxxxxxxxxxxx", "dd ee", "ff"]);
        let overflows: Vec<f64> = b.lines.iter().map(|l| l.overflow.get()).collect();
        assert_eq!(overflows, [0.0, 16.0, 0.0, 0.0]);
    }

    // Degenerate input neither panics nor loses items: zero and negative measures, NaN costs,
    // negative widths, an unfinished paragraph.
    #[test]
    fn degenerate_input_does_not_panic() {
        let p = para("some words here");
        for w in [0.0, -5.0] {
            let b = p.break_at(w, &Params::default());
            assert_eq!(b.pass, Pass::Overfull);
            assert_covers(&p.items, &b);
        }
        let odd = vec![
            Item::Box { width: Pt::new(-3.0) },
            Item::Penalty { width: Pt::ZERO, cost: f64::NAN, flagged: true },
            Item::Glue { width: Pt::new(1.0), stretch: Pt::new(-1.0), shrink: Pt::new(-1.0) },
            Item::Box { width: Pt::new(4.0) },
            Item::Penalty { width: Pt::ZERO, cost: f64::NEG_INFINITY, flagged: false },
            Item::Penalty { width: Pt::ZERO, cost: -INFINITE, flagged: false },
            Item::Box { width: Pt::ZERO },
        ];
        let nan = Params { tolerance: f64::NAN, line_penalty: f64::INFINITY, ..Params::default() };
        let b = break_lines(&odd, &|_| Pt::new(3.0), &nan);
        assert_eq!(b.lines.last().map(|l| l.end), Some(odd.len()));
        assert!(b.lines.iter().all(|l| l.ratio.is_finite()));
    }

    // Random item soup (any kinds, odd widths and costs, odd measures) never panics and is covered.
    #[test]
    fn random_items_never_panic() {
        let mut rng = Lcg(3);
        let pick = |rng: &mut Lcg, values: &[f64]| values[rng.below(values.len() as u64) as usize];
        let widths = [0.0, 1.0, 3.5, -2.0, 40.0];
        let costs = [0.0, 50.0, -50.0, INFINITE, -INFINITE, f64::NAN, f64::INFINITY, 2e4];
        for case in 0..1000 {
            let n = rng.below(30) as usize;
            let items: Vec<Item> = (0..n)
                .map(|_| match rng.below(3) {
                    0 => Item::Box { width: Pt::new(pick(&mut rng, &widths)) },
                    1 => Item::Glue {
                        width: Pt::new(pick(&mut rng, &widths)),
                        stretch: Pt::new(pick(&mut rng, &widths)),
                        shrink: Pt::new(pick(&mut rng, &widths)),
                    },
                    _ => Item::Penalty {
                        width: Pt::new(pick(&mut rng, &widths)),
                        cost: pick(&mut rng, &costs),
                        flagged: rng.below(2) == 0,
                    },
                })
                .collect();
            let measure = pick(&mut rng, &[0.0, -10.0, 5.0, 20.0]);
            let params = Params { looseness: rng.below(3) as i32 - 1, ..Params::default() };
            let b = break_lines(&items, &|i| Pt::new(measure + i as f64), &params);
            assert_covers(&items, &b);
            assert!(b.lines.iter().all(|l| l.ratio.is_finite() && l.ratio >= -1.0), "case {case}");
        }
    }

    // Varying measures are honoured line by line (a narrower first line, as after a drop cap).
    #[test]
    fn line_widths_vary_by_index() {
        let p = para("aa bb cc dd ee ff gg hh ii jj");
        let b = break_lines(&p.items, &|i| Pt::new(if i == 0 { 6.0 } else { 14.0 }), &Params::default());
        assert_eq!(p.render(&b), ["aa bb", "cc dd ee ff", "gg hh ii jj"]);
    }

    // Looseness asks for one more line than the optimum when the tolerance allows it.
    #[test]
    fn looseness_adds_a_line() {
        let p = para("aa bb cc dd ee ff gg hh ii jj kk ll");
        let params = Params { tolerance: 3.0, loose_tolerance: 3.0, ..Params::default() };
        let tight = p.break_at(14.0, &params);
        let loose = p.break_at(14.0, &Params { looseness: 1, ..params });
        assert_eq!(loose.lines.len(), tight.lines.len() + 1);
    }

    // 5,000 words break in one go without quadratic blow-up (shape only; no timing asserted).
    #[test]
    fn five_thousand_words() {
        let mut rng = Lcg(5);
        let p = para(&rng.text(5000, 12));
        let b = p.break_at(60.0, &Params::default());
        assert_covers(&p.items, &b);
        assert!(b.lines.len() > 500);
    }

    // Trying the second pass first gives exactly what the plain order (first, second, emergency)
    // gives, on paragraphs that each of the three passes sets.
    #[test]
    fn second_pass_first_matches_the_plain_order() {
        let mut rng = Lcg(11);
        let mut seen = Vec::new();
        for case in 0..400 {
            let p = para(&rng.text(8 + case % 60, 3 + (case as u64 % 11)));
            let width = 12.0 + rng.below(40) as f64;
            let params = Params { emergency_stretch: Pt::new(3.0), ..Params::default() };
            let got = p.break_at(width, &params);
            let sane = params.sanitized();
            let plain = Paragraph::new(&p.items, &|_| Pt::new(width), 0, None).passes(
                &[Pass::First, Pass::Second, Pass::Emergency],
                &sane,
                p.items.len() - 1,
            );
            assert_eq!(got, plain, "case {case}, width {width}");
            if !seen.contains(&got.pass) {
                seen.push(got.pass);
            }
        }
        for pass in [Pass::First, Pass::Second, Pass::Emergency] {
            assert!(seen.contains(&pass), "no paragraph was set by the {pass:?} pass");
        }
    }
}
