//! Pagination: distributes a statement's vertical list over pages.
//!
//! Rules, in the order they are checked:
//! - a statement starts on a new page;
//! - a paragraph never leaves a single line at the foot (orphan) or the head
//!   (widow) of a page: a split keeps at least two lines on each side, and
//!   paragraphs of two or three lines are never split;
//! - a heading keeps itself and at least two lines of what follows on its page;
//! - an image stays with its caption; a table row is never split;
//! - footnotes go to the foot of the page that holds their call, under a short
//!   rule; the line that calls a note moves on if the note does not fit;
//! - running heads (book title on left pages, statement title on right pages)
//!   and a centred folio; no running head on a statement's first page.
//!
//! With several columns (leaflets) a page holds that many frames, filled left
//! to right; every rule above holds per column, which is to the paginator what
//! a page is: a paragraph split between columns keeps two lines on each side, a
//! heading stays with its text in one column, and footnotes go to the foot of
//! the column that holds their call (continuing at the foot of the next
//! column). Running heads and the folio span the whole text block.

use crate::fonts::{Family, FontSet, Style};
use crate::layout::flow::{Elem, Flow};
use crate::layout::paragraph::{self, Align, LineBox, ParaStyle};
use crate::layout::{
    Artifact, Item, Layout, LayoutOptions, LineKind, LineRecord, Mark, OutlineEntry, Page, PlacedImage, Rect,
    StructNode, TextRun, style,
};
use crate::model::{Document, Inline, Lang};
use crate::units::Pt;

/// Lines kept together at a page break on each side (no widows, no orphans).
const MIN_LINES: usize = 2;

/// Loosest line (adjustment ratio) a paragraph may get when it is set again to keep a
/// word from breaking across a page turn, unless it already had a looser one: 3.0 lets
/// spaces grow to 2.5 times their width. A reader turning the page with half a word in
/// mind is the worse fault; at 2.0 about one page in ten of a volume still ended in a hyphen.
const REBREAK_RATIO: f64 = 3.0;

/// The same at the foot of a right-hand page, where the reader turns the leaf:
/// Russian practice forbids carrying a word over from a recto to the verso behind it
/// (Мильчин, «Справочник издателя и автора»), so a looser line is the lesser fault.
/// 4.0 lets spaces grow to three times their width; it is tried last, after
/// carrying the line over into the page's vertical space.
const LEAF_REBREAK_RATIO: f64 = 4.0;

/// An empty page (for a book with no text at all).
pub fn blank_page(opts: &LayoutOptions, number: usize, lang: Lang) -> Page {
    Page {
        width: opts.pdf.page.width,
        height: opts.pdf.page.height,
        number,
        label: crate::layout::PageLabel::Arabic(number),
        lang,
        items: Vec::new(),
        lines: Vec::new(),
        marks: Vec::new(),
    }
}

/// What a drawn line is, for the line records.
#[derive(Debug, Clone, Copy)]
struct Tag {
    kind: LineKind,
    para: usize,
    index: usize,
    count: usize,
}

struct Paginator<'a> {
    /// Paragraphs set again to keep a hyphen off a page's last line, by paragraph number.
    rebroken: std::collections::BTreeMap<usize, Vec<LineBox>>,
    /// Index of the statement in the book.
    doc_index: usize,
    /// Offset that makes this statement's paragraph numbers unique in the layout.
    doc_base: usize,
    /// Index in [`Layout::structure`] of the flow's structure element 0.
    node_base: u32,
    layout: &'a mut Layout,
    opts: &'a LayoutOptions,
    fonts: &'a FontSet,
    /// Running heads of left- and right-hand pages, set once; `None` when there are none.
    heads: (Option<LineBox>, Option<LineBox>),
    flow: &'a Flow,
    page: Page,
    /// The column being filled, from 0 (always 0 with one column).
    column: usize,
    /// First item and line record of the current column on the page: vertical
    /// justification moves only what the column holds.
    column_start: (usize, usize),
    /// Distance from the top of the text block to the next line's top.
    cursor: Pt,
    /// Height of the footnote area so far (rule included).
    notes_height: Pt,
    /// Footnotes called on this page.
    notes: Vec<u32>,
    /// Footnote lines to draw at the foot of this page, in order.
    foot: Vec<(u32, LineBox)>,
    /// Lines of a long footnote that continue at the foot of the next page.
    carry: Vec<(u32, LineBox)>,
    /// The places where vertical space may grow or shrink to align page bottoms:
    /// where each gap ends (from the page top) and how large it is.
    gaps: Vec<(Pt, Pt)>,
    first_page_of_doc: bool,
    /// Pages (by number) set a line short (−1), so that they end on the baseline of
    /// a facing page that the rules (widows, orphans, a hyphen at the page turn) left
    /// a line short, or a line long (+1), to take up the last line or two of a
    /// statement that would otherwise stand alone on a page.
    lines: Rhythm,
    /// Lines each column of one page is set short by, besides `lines`: the last
    /// page of text in columns, balanced (see [`balance_last_page`]).
    column_lines: Option<(usize, Vec<i8>)>,
}

/// Sets one statement's vertical list onto new pages appended to `layout`; its
/// structure goes under the structure element `parent` (the document, or a part).
pub fn paginate(
    layout: &mut Layout,
    book_title: &str,
    (doc_index, doc): (usize, &Document),
    mut flow: Flow,
    parent: u32,
    fonts: &FontSet,
    opts: &LayoutOptions,
) {
    // The statement's structure joins the book's once, whatever the settings tried.
    let node_base = layout.structure.len() as u32;
    for node in std::mem::take(&mut flow.nodes) {
        let parent = node.parent.map_or(parent, |p| node_base + p);
        layout.structure.push(StructNode { parent: Some(parent), ..node });
    }
    // Set once; where a spread ends on two baselines a line apart, set again with the
    // fuller page a line short, and where the statement's last page would hold a line
    // or two, with the spread before it a line long: a few times at most (each retry
    // only adds pages to change).
    let before = (layout.pages.len(), layout.outline.len(), layout.page_starts.len(), layout.next_id);
    let mut lines = Rhythm::new();
    // A lonely tail, taken up, costs one setting more of its own.
    let mut retries = SPREAD_RETRIES;
    for attempt in 0.. {
        paginate_once(
            layout,
            book_title,
            (doc_index, doc),
            (&flow, node_base),
            fonts,
            opts,
            lines.clone(),
            None,
        );
        let pages = &layout.pages[before.0..];
        let mut changes: Vec<(usize, i8)> =
            uneven_spreads(pages, opts.leading(), &lines).into_iter().map(|n| (n, -1)).collect();
        // A page set long moves its folio a line down: only where the margin has room for it.
        let folio_room = !opts.pdf.folios
            || opts.pdf.margins.bottom >= opts.leading() * (style::FOLIO_BELOW + 1.0) + opts.font_size();
        let tail = if folio_room { lonely_tail(pages, &lines) } else { Vec::new() };
        if !tail.is_empty() {
            retries += 1;
        }
        changes.extend(tail.into_iter().map(|n| (n, 1)));
        if changes.is_empty() || attempt >= retries {
            break;
        }
        lines.extend(changes);
        layout.pages.truncate(before.0);
        layout.outline.truncate(before.1);
        layout.page_starts.truncate(before.2);
        layout.next_id = before.3;
    }
    if opts.pdf.columns > 1 {
        balance_last_page(
            layout,
            before,
            book_title,
            (doc_index, doc),
            (&flow, node_base),
            fonts,
            opts,
            lines,
        );
    }
}

/// Sets the last page of text in columns short by as many lines as makes its
/// columns end nearest one height, keeping the page count: every shortening up to
/// the one that would balance the columns is tried, because headings kept with their
/// text and widow rules move whole groups of lines between columns, so the deepest
/// shortening is not always the most even. A leaflet's last page then reads as a
/// block, not one full column beside an empty one.
#[allow(clippy::too_many_arguments)]
fn balance_last_page(
    layout: &mut Layout,
    before: (usize, usize, usize, usize),
    book_title: &str,
    doc: (usize, &Document),
    flow: (&Flow, u32),
    fonts: &FontSet,
    opts: &LayoutOptions,
    lines: Rhythm,
) {
    let columns = opts.pdf.columns;
    let count = layout.pages.len() - before.0;
    let Some(last) = layout.pages.last().filter(|_| count > 0) else { return };
    if lines.contains_key(&last.number) {
        return;
    }
    // Depth of each column's text below the top of the text block, in lines (its
    // footnotes go into the lines that setting the page short gives up).
    let depths = |page: &Page| {
        let mut depth = vec![0.0_f64; columns];
        for l in page.lines.iter().filter(|l| l.kind != LineKind::Note) {
            let d = &mut depth[l.column.min(columns - 1)];
            *d = d.max(((l.y - opts.pdf.margins.top) / opts.leading()).ceil());
        }
        depth
    };
    let depth = depths(last);
    let full = (opts.text_height() / opts.leading()).floor();
    let balanced = (depth.iter().sum::<f64>() / columns as f64).ceil();
    let most = (full - balanced).min(f64::from(i8::MAX)) as i8;
    if most <= 0 || depth.iter().all(|&d| d == 0.0) {
        return;
    }
    // Lines between the deepest and the shallowest column (an empty one counts as
    // a whole column's depth apart).
    let spread = |depth: &[f64]| {
        let deepest = depth.iter().fold(0.0_f64, |m, &d| m.max(d));
        depth.iter().map(|&d| if d == 0.0 { full } else { deepest - d }).fold(0.0, f64::max)
    };
    let number = last.number;
    let set_short = |short: &[i8], layout: &mut Layout| {
        layout.pages.truncate(before.0);
        layout.outline.truncate(before.1);
        layout.page_starts.truncate(before.2);
        layout.next_id = before.3;
        let by_column = Some((number, short.to_vec()));
        paginate_once(layout, book_title, doc, flow, fonts, opts, lines.clone(), by_column);
        (layout.pages.len() - before.0 == count).then(|| layout.pages.last().map(|p| spread(&depths(p))))
    };
    // Every column set `k` lines short, and each middle column up to two more, so that a heading kept with its text can move without leaving a
    // hole: the most even setting wins; between equals, the one found first (the
    // shallowest, so the space is left at the foot, where it reads as the end).
    let middle = columns.saturating_sub(2);
    let extra: Vec<Vec<i8>> = (0..3_usize.pow(middle as u32))
        .map(|mut code| {
            (0..middle)
                .map(|_| {
                    let d = (code % 3) as i8;
                    code /= 3;
                    d
                })
                .collect()
        })
        .collect();
    let mut best = (spread(&depth), vec![0; columns]);
    for k in 1..=most {
        for e in &extra {
            let mut short = vec![k; columns];
            for (c, d) in e.iter().enumerate() {
                short[c + 1] = k.saturating_add(*d);
            }
            if let Some(Some(s)) = set_short(&short, layout)
                && s < best.0
            {
                best = (s, short);
            }
        }
    }
    set_short(&best.1, layout);
}

/// Pages set a line short (−1) or long (+1), by number.
type Rhythm = std::collections::BTreeMap<usize, i8>;

/// The pages to set a line long so that a statement's last line or two do not stand
/// alone on its last page (with no picture there): the spread before that page, or,
/// when that page is a left-hand one and the tail is one line, that page alone. None
/// when those pages are already set otherwise.
fn lonely_tail(pages: &[Page], set: &Rhythm) -> Vec<usize> {
    let n = pages.len();
    let Some(last) = pages.last().filter(|_| n >= 3) else { return Vec::new() };
    let held = last.lines.iter().filter(|l| l.kind != LineKind::Note).count();
    let pictured = last.items.iter().any(|i| matches!(i, Item::Image(_)));
    if held == 0 || held > 2 || pictured {
        return Vec::new();
    }
    let (before, earlier) = (&pages[n - 2], &pages[n - 3]);
    let wanted = if before.number % 2 == 1 {
        vec![earlier.number, before.number]
    } else if held == 1 {
        vec![before.number]
    } else {
        Vec::new()
    };
    if wanted.iter().any(|p| set.contains_key(p)) { Vec::new() } else { wanted }
}

/// How many times a statement is set again to even its spreads.
const SPREAD_RETRIES: usize = 2;

/// The pages to set a line short so that facing pages end on one baseline: of each
/// spread (a left-hand page and the right-hand page after it) whose last body lines
/// are one line apart, the fuller page, unless it is already short. The last page
/// of a statement and pages with footnotes (whose text ends above the notes) are
/// left as they are.
fn uneven_spreads(pages: &[Page], leading: Pt, set: &Rhythm) -> Vec<usize> {
    let foot = |p: &Page| {
        if p.lines.iter().any(|l| l.kind == LineKind::Note) {
            return None;
        }
        p.lines.iter().rev().find(|l| l.kind == LineKind::Body).map(|l| l.y)
    };
    let mut found = Vec::new();
    let count = pages.len();
    for (i, pair) in pages.windows(2).enumerate() {
        let (left, right) = (&pair[0], &pair[1]);
        if left.number % 2 != 0 || i + 2 >= count {
            continue;
        }
        let (Some(a), Some(b)) = (foot(left), foot(right)) else { continue };
        let apart = (a - b).abs();
        if (apart - leading).abs() > Pt::new(0.5) {
            continue;
        }
        let fuller = if a > b { left.number } else { right.number };
        if !set.contains_key(&fuller) {
            found.push(fuller);
        }
    }
    found
}

/// One setting of a statement's pages, those in `lines` a line short or long.
#[allow(clippy::too_many_arguments)]
fn paginate_once(
    layout: &mut Layout,
    book_title: &str,
    (doc_index, doc): (usize, &Document),
    (flow, node_base): (&Flow, u32),
    fonts: &FontSet,
    opts: &LayoutOptions,
    lines: Rhythm,
    column_lines: Option<(usize, Vec<i8>)>,
) {
    let number = layout.pages.len() + 1;
    // Flow paragraphs are numbered from 1 per statement; shift them past every id used so far.
    layout.next_id += 1_000_000;
    let doc_base = layout.next_id;
    layout.next_id += 1_000_000;
    let mut p = Paginator {
        rebroken: std::collections::BTreeMap::new(),
        doc_index,
        doc_base,
        node_base,
        page: blank_page(opts, number, doc.lang),
        layout,
        opts,
        fonts,
        heads: if opts.pdf.running_heads {
            let size = opts.font_size() * style::FOLIO_SCALE;
            let head =
                |text: &str| super::furniture::running_head(text, size, opts.text_width(), doc.lang, fonts);
            (head(book_title), head(doc.running_head.as_deref().unwrap_or(&doc.title)))
        } else {
            (None, None)
        },
        flow,
        column: 0,
        column_start: (0, 0),
        cursor: Pt::ZERO,
        notes_height: Pt::ZERO,
        notes: Vec::new(),
        foot: Vec::new(),
        carry: Vec::new(),
        gaps: Vec::new(),
        first_page_of_doc: true,
        lines,
        column_lines,
    };
    p.run();
}

/// Longest paragraph, in lines, that is set again to keep a hyphen off a page's
/// last line (about four A5 pages).
const MAX_REBREAK_LINES: usize = 150;

impl Paginator<'_> {
    /// Marks what is drawn next as the flow's structure element `node`, or as an
    /// artifact when it has none.
    fn tag_node(&mut self, node: Option<u32>) {
        self.page.tag(match node {
            Some(n) => Mark::Node(self.node_base + n),
            None => Mark::Artifact(Artifact::Layout),
        });
    }

    /// A paragraph identity for lines that are not part of the flow's numbered paragraphs.
    fn fresh_id(&mut self) -> usize {
        self.layout.next_id += 1;
        self.layout.next_id
    }

    /// Sets paragraph `para` again so that its line `line` does not end in a hyphen.
    /// Accepted only if the paragraph keeps its number of lines, that line is really
    /// unhyphenated, the lines before `placed` (already on an earlier page) are unchanged,
    /// and no line gets looser than the loosest the paragraph had (or than
    /// [`REBREAK_RATIO`]).
    fn rebreak(&self, para: usize, line: usize, placed: usize, limit: f64) -> Option<Vec<LineBox>> {
        let (inlines, style) = self.flow.sources.get(&para)?;
        let old: Vec<&LineBox> = self
            .flow
            .elems
            .iter()
            .filter_map(|e| match e {
                Elem::Line { line, para: p, .. } if *p == para => Some(line),
                _ => None,
            })
            .collect();
        // Setting a paragraph again costs its whole length, and asking for a given
        // number of lines costs that times its lines: a very long paragraph keeps
        // its hyphen at the page turn rather than take time that grows as its square.
        if old.len() > MAX_REBREAK_LINES {
            return None;
        }
        let mut new = paragraph::set_avoiding(inlines, style, self.fonts, Some(line));
        if new.len() != old.len() {
            // The best setting without that hyphen is a line longer or shorter: ask for one
            // of the paragraph's length, since the pages around it are already counted.
            let looseness = old.len() as i32 - new.len() as i32;
            new = paragraph::set_loosened(inlines, style, self.fonts, Some(line), looseness);
        }
        let same_start = (0..placed).all(|j| new.get(j).map(|l| &l.text) == old.get(j).map(|l| &l.text));
        // Never trade the hyphen for a visibly looser line than the paragraph already had.
        let worst = |ls: &mut dyn Iterator<Item = f64>| ls.fold(0.0f64, f64::max);
        let looser =
            worst(&mut new.iter().map(|l| l.ratio)) > worst(&mut old.iter().map(|l| l.ratio)).max(limit);
        let ok =
            new.len() == old.len() && new.get(line).is_some_and(|l| !l.hyphenated) && same_start && !looser;
        ok.then_some(new)
    }

    /// Records where the current page's text begins, if not yet known: element `i` of the flow,
    /// `offset` characters into it when it is a line of paragraph text.
    fn mark(&mut self, i: usize, offset: usize) {
        let page = self.layout.pages.len();
        if self.layout.page_starts.last().is_some_and(|s| s.page == page) {
            return;
        }
        let o = self.flow.origins.get(i).copied().unwrap_or_default();
        let offset = if o.text { offset } else { 0 };
        self.layout.page_starts.push(crate::layout::PageStart {
            page,
            doc: Some(self.doc_index),
            block: o.block,
            offset,
        });
    }

    /// Where a gap of `g` starting at `cursor` ends on the baseline grid: what follows a
    /// gap starts on a line of the body text, so that headings, lists, quotes, images
    /// and tables, whatever their own heights, take whole lines, and every full page
    /// ends on one baseline. The gap goes to the nearer grid line, keeping at least
    /// half its size.
    fn snap(&self, cursor: Pt, g: Pt) -> Pt {
        let leading = self.opts.leading();
        let at = cursor + g;
        let down = leading * ((at / leading) + 1e-6).floor();
        let up = leading * ((at / leading) - 1e-6).ceil();
        let keeps_half = down - cursor >= g * 0.5;
        if keeps_half && at - down <= up - at { down } else { up }
    }

    /// How much lower than the text block a page set a line long runs (its folio and
    /// footnotes move down with it).
    fn long_by(&self) -> Pt {
        self.opts.leading() * f64::from(self.line_change().max(0))
    }

    /// Lines this page (or column) is set short (−1) or long (+1) by, see
    /// [`Paginator::lines`] and [`Paginator::column_lines`].
    fn line_change(&self) -> i8 {
        let page = self.lines.get(&self.page.number).copied().unwrap_or(0);
        let column = match &self.column_lines {
            Some((number, short)) if *number == self.page.number => {
                short.get(self.column).copied().unwrap_or(0)
            }
            _ => 0,
        };
        page.saturating_sub(column)
    }

    fn avail(&self) -> Pt {
        self.room() - self.cursor
    }

    /// Height of the text block left for body text: less the footnotes, and a line
    /// more on a page set long (see [`Paginator::lines`]). On a page set short the
    /// footnotes take the lines given up first: the balanced last page of a leaflet
    /// keeps its notes at the foot, under text that ends where the other columns do.
    fn room(&self) -> Pt {
        self.room_with(Pt::ZERO)
    }

    /// [`Paginator::room`] with `notes` more of footnotes at the foot.
    fn room_with(&self, notes: Pt) -> Pt {
        let change = self.opts.leading() * f64::from(self.line_change());
        let notes = self.notes_height + notes;
        if change < Pt::ZERO {
            self.opts.text_height() - notes.max(-change)
        } else {
            self.opts.text_height() - notes + change
        }
    }

    /// Left edge of the text block.
    fn page_left(&self) -> Pt {
        // Page 1 is a right-hand page: the inner margin is on the left of odd pages.
        if self.page.number % 2 == 1 { self.opts.margin_inner() } else { self.opts.pdf.margins.outer }
    }

    /// Left edge of the current column.
    fn left(&self) -> Pt {
        self.page_left() + (self.opts.column_width() + self.opts.pdf.gutter()) * self.column as f64
    }

    /// Extra height that calling `notes` on a new line needs at the foot of this page:
    /// the whole note, or, for a note of four lines or more, its first two lines
    /// (the rest may continue on the next page).
    fn notes_cost(&self, notes: &[u32], also_placed: &[u32]) -> Pt {
        let mut h = Pt::ZERO;
        for n in notes {
            if self.notes.contains(n) || also_placed.contains(n) {
                continue;
            }
            if self.foot.is_empty() && also_placed.is_empty() && h == Pt::ZERO {
                h += self.separator();
            }
            let lines = self.flow.notes.get(n).map_or(&[][..], Vec::as_slice);
            let shown = if lines.len() >= 2 * MIN_LINES { &lines[..MIN_LINES] } else { lines };
            h += shown.iter().map(|l| l.leading).sum();
        }
        h
    }

    /// Sets one table row at the cursor: its cells, and its rules above and below.
    /// `nodes`: each cell's structure element; `None` draws the row as an
    /// artifact (a header repeated where the table continues).
    fn draw_row(
        &mut self,
        cells: &[(Pt, Vec<LineBox>)],
        nodes: Option<&[Option<u32>]>,
        height: Pt,
        (above, below): (bool, bool),
        width: Pt,
    ) {
        let left = self.left();
        let top = self.opts.pdf.margins.top + self.cursor;
        let pad = style::table_padding(self.opts.font_size());
        let x0 = cells.first().map_or(Pt::ZERO, |c| c.0) - pad;
        let thick = Pt::new(0.5);
        self.page.tag(Mark::Artifact(Artifact::Layout));
        for (rule, y) in [(above, top), (below, top + height - thick)] {
            if rule {
                self.page.items.push(Item::Rule(Rect { x: left + x0, y, width, height: thick }));
            }
        }
        let mut called = Vec::new();
        for (c, (cx, lines)) in cells.iter().enumerate() {
            match nodes {
                Some(nodes) => self.tag_node(nodes.get(c).copied().flatten()),
                None => self.page.tag(Mark::Artifact(Artifact::Layout)),
            }
            let mut y = top + pad;
            let id = self.fresh_id();
            for (k, l) in lines.iter().enumerate() {
                let tag = Tag { kind: LineKind::Body, para: id, index: k, count: lines.len() };
                self.draw_line(l, left + *cx, y, Some(tag));
                called.extend(&l.notes);
                y += l.leading;
            }
        }
        self.cursor += height;
        self.attach_notes(&called);
    }

    fn separator(&self) -> Pt {
        self.opts.leading()
    }

    fn run(&mut self) {
        let elems = &self.flow.elems;
        let mut i = 0;
        while i < elems.len() {
            match &elems[i] {
                Elem::Gap(g) => {
                    if self.cursor > Pt::ZERO {
                        let snapped = self.snap(self.cursor, *g);
                        let gap = snapped - self.cursor;
                        self.cursor = snapped;
                        self.gaps.push((self.opts.pdf.margins.top + self.cursor, gap));
                    }
                    i += 1;
                }
                Elem::Heading { lines, x, level, title } => {
                    let own: Pt = lines.iter().map(|l| l.leading).sum();
                    let need = own + self.following_height(i + 1, self.cursor + own);
                    if need > self.avail() && self.cursor > Pt::ZERO {
                        self.new_page();
                        continue;
                    }
                    let y = self.cursor;
                    self.mark(i, 0);
                    // The opening picture and the space under it stay where the band put
                    // them: vertical justification moves only what follows the title.
                    if *level == Some(1) && self.first_page_of_doc {
                        self.gaps.clear();
                    }
                    if let Some(level) = level {
                        self.layout.outline.push(OutlineEntry {
                            level: *level,
                            title: title.clone(),
                            page: self.layout.pages.len(),
                            y: self.opts.pdf.margins.top + y,
                        });
                    }
                    let id = self.fresh_id();
                    self.tag_node(self.flow.origins[i].node);
                    for (k, l) in lines.iter().enumerate() {
                        self.place_line(
                            l,
                            *x,
                            Some(Tag { kind: LineKind::Heading, para: id, index: k, count: lines.len() }),
                        );
                    }
                    i += 1;
                }
                Elem::Line { para, line: first_line, index: first_index, .. } => {
                    let (para, first_index) = (*para, *first_index);
                    let base = self.doc_base;
                    // Only the lines this page could take, with room for the widow and
                    // orphan rules, are looked at: a paragraph of thousands of lines would
                    // otherwise be gathered (and its reset lines copied) on each of its pages.
                    let page_lines =
                        (self.opts.text_height() / first_line.leading.max(Pt::new(1.0))).ceil() as usize;
                    let window = page_lines * 2 + MIN_LINES + 2;
                    let rebroken: Option<Vec<LineBox>> = self
                        .rebroken
                        .get(&para)
                        .map(|r| r.iter().skip(first_index).take(window).cloned().collect());
                    let owned: Vec<(std::borrow::Cow<'_, LineBox>, Pt, Tag)> = elems[i..]
                        .iter()
                        .take(window)
                        .map_while(|e| match e {
                            Elem::Line { line, x, para: p, index, count } if *p == para => {
                                let line = match rebroken.as_ref().and_then(|r| r.get(*index - first_index)) {
                                    Some(l) => std::borrow::Cow::Owned(l.clone()),
                                    None => std::borrow::Cow::Borrowed(line),
                                };
                                let tag = Tag {
                                    kind: LineKind::Body,
                                    para: base + para,
                                    index: *index,
                                    count: *count,
                                };
                                Some((line, *x, tag))
                            }
                            _ => None,
                        })
                        .collect();
                    let run: Vec<(&LineBox, Pt, Tag)> =
                        owned.iter().map(|(l, x, t)| (l.as_ref(), *x, *t)).collect();
                    let mut k = self.lines_that_fit(&run);
                    // A word broken across the page turn: set the paragraph again with that line
                    // unhyphenated, if that changes nothing already printed and keeps its length;
                    // else, when the page has vertical space to absorb a line, carry the line over;
                    // else, at the foot of a right-hand page, allow a looser setting.
                    if k > 0 && k < run.len() && run[k - 1].0.hyphenated {
                        let (line, placed) = (run[k - 1].2.index, run[0].2.index);
                        let fresh = !self.rebroken.contains_key(&para);
                        let top = self.opts.pdf.margins.top + self.cursor;
                        let can_carry = k > MIN_LINES
                            && run.len() - (k - 1) >= MIN_LINES
                            && !run[k - 2].0.hyphenated
                            && self.gaps.iter().any(|g| g.0 <= top);
                        let leaf =
                            self.page.number % 2 == 1 && self.column + 1 >= self.opts.pdf.columns.max(1);
                        let looser = (leaf && !can_carry).then_some(LEAF_REBREAK_RATIO);
                        let mut limits = [Some(REBREAK_RATIO), looser].into_iter().flatten();
                        let rebroken = if fresh {
                            limits.find_map(|limit| self.rebreak(para, line, placed, limit))
                        } else {
                            None
                        };
                        if let Some(lines) = rebroken {
                            self.rebroken.insert(para, lines);
                            continue;
                        }
                        if can_carry {
                            k -= 1;
                        }
                    }
                    if k == 0 {
                        if self.cursor > Pt::ZERO {
                            self.new_page();
                            continue;
                        }
                        // A page too short for two lines: set what fits, at least one line.
                        let k = self.count_fitting(&run).clamp(1, run.len());
                        self.mark(i, run[0].0.offset);
                        self.tag_node(self.flow.origins[i].node);
                        for (l, x, tag) in &run[..k] {
                            self.place_line(l, *x, Some(*tag));
                        }
                        i += k;
                        continue;
                    }
                    self.mark(i, run[0].0.offset);
                    self.tag_node(self.flow.origins[i].node);
                    for (l, x, tag) in &run[..k] {
                        self.place_line(l, *x, Some(*tag));
                    }
                    i += k;
                    if k < run.len() {
                        self.new_page();
                    }
                }
                Elem::Image { key, x, width, height, sink, caption, caption_x, caption_node } => {
                    let cap: Pt = caption.iter().map(|l| l.leading).sum();
                    if *sink + *height + cap > self.avail() && self.cursor > Pt::ZERO {
                        self.new_page();
                        continue;
                    }
                    self.mark(i, 0);
                    let left = self.left();
                    self.tag_node(self.flow.origins[i].node);
                    self.page.items.push(Item::Image(PlacedImage {
                        key: key.clone(),
                        rect: Rect {
                            x: left + *x,
                            y: self.opts.pdf.margins.top + self.cursor + *sink,
                            width: *width,
                            height: *height,
                        },
                    }));
                    self.cursor += *sink + *height;
                    let id = self.fresh_id();
                    self.tag_node(*caption_node);
                    for (k, l) in caption.iter().enumerate() {
                        let tag = Tag { kind: LineKind::Caption, para: id, index: k, count: caption.len() };
                        self.place_line(l, *caption_x, Some(tag));
                    }
                    i += 1;
                }
                Elem::Row { cells, nodes, height, rule_above, rule_below, width, header, head } => {
                    // A body row opening a column or page repeats the table's header above it.
                    let repeat = match head {
                        Some(h) if self.cursor == Pt::ZERO => match &elems[*h] {
                            Elem::Row { cells, height, width, .. } => Some((cells, *height, *width)),
                            _ => None,
                        },
                        _ => None,
                    };
                    // A header row keeps the first row after it.
                    let after = match elems.get(i + 1) {
                        Some(Elem::Row { height, .. }) if *header => *height,
                        _ => Pt::ZERO,
                    };
                    let above = repeat.map_or(Pt::ZERO, |r| r.1);
                    if above + *height + after > self.avail() && self.cursor > Pt::ZERO {
                        self.new_page();
                        continue;
                    }
                    if let Some((cells, height, width)) = repeat {
                        self.draw_row(cells, None, height, (true, false), width);
                    }
                    self.mark(i, 0);
                    let ruled = (*rule_above || repeat.is_some(), *rule_below);
                    self.draw_row(cells, Some(nodes), *height, ruled, *width);
                    i += 1;
                }
                Elem::Break => {
                    if self.cursor > Pt::ZERO {
                        self.new_page();
                    }
                    i += 1;
                }
                Elem::Rule { x, width } => {
                    if self.cursor > Pt::ZERO {
                        self.mark(i, 0);
                        self.page.tag(Mark::Artifact(Artifact::Layout));
                        let left = self.left();
                        let y = self.opts.pdf.margins.top + self.cursor;
                        self.page.items.push(Item::Rule(Rect {
                            x: left + *x,
                            y,
                            width: *width,
                            height: Pt::new(0.5),
                        }));
                    }
                    i += 1;
                }
            }
        }
        // A long footnote at the very end may still need pages of its own.
        while !self.carry.is_empty() {
            self.new_page();
        }
        self.finish_page_of(true);
    }

    /// Height that must follow a heading on the same page: the gap, then two
    /// lines of the next paragraph, or the next image or heading.
    /// `at` is where element `from` would begin: the gaps on the way are snapped to the
    /// grid as [`Paginator::snap`] will snap them.
    fn following_height(&self, from: usize, at: Pt) -> Pt {
        let mut h = Pt::ZERO;
        let mut lines = 0;
        for e in &self.flow.elems[from..] {
            match e {
                Elem::Gap(g) => h = self.snap(at + h, *g) - at,
                Elem::Line { line, .. } => {
                    h += line.leading;
                    lines += 1;
                    if lines >= MIN_LINES {
                        break;
                    }
                }
                Elem::Image { height, sink, .. } => return h + *sink + *height,
                Elem::Row { height, .. } => return h + *height,
                Elem::Heading { lines, .. } => return h + lines.iter().map(|l| l.leading).sum(),
                Elem::Rule { .. } | Elem::Break => break,
            }
        }
        h
    }

    /// How many lines of `run` (the rest of one paragraph) fit in the space left.
    fn count_fitting(&self, run: &[(&LineBox, Pt, Tag)]) -> usize {
        let mut used = Pt::ZERO;
        let mut notes = Pt::ZERO;
        let mut placed: Vec<u32> = Vec::new();
        let mut k = 0;
        for (l, _, _) in run {
            let more = notes + self.notes_cost(&l.notes, &placed);
            if self.cursor + used + l.leading > self.room_with(more) + Pt::new(0.01) {
                break;
            }
            used += l.leading;
            notes = more;
            placed.extend(&l.notes);
            k += 1;
        }
        k
    }

    /// Lines of `run` to set on this page, honouring widow and orphan rules (0 = move on).
    fn lines_that_fit(&self, run: &[(&LineBox, Pt, Tag)]) -> usize {
        let n = run.len();
        let f = self.count_fitting(run);
        if f >= n {
            return n;
        }
        let mut k = f;
        if n - k < MIN_LINES {
            k = n.saturating_sub(MIN_LINES);
        }
        if k < MIN_LINES { 0 } else { k }
    }

    fn place_line(&mut self, l: &LineBox, x: Pt, tag: Option<Tag>) {
        let left = self.left();
        let top = self.opts.pdf.margins.top + self.cursor;
        self.draw_line(l, left + x, top, tag);
        self.cursor += l.leading;
        self.attach_notes(&l.notes);
    }

    /// Puts the notes called in text just set at the foot of this page (or
    /// column), each once, and with them the notes that they call in turn.
    fn attach_notes(&mut self, called: &[u32]) {
        let mut queue: Vec<u32> = called.to_vec();
        queue.reverse();
        while let Some(n) = queue.pop() {
            if self.notes.contains(&n) {
                continue;
            }
            self.notes.push(n);
            let lines = self.flow.notes.get(&n).map_or(&[][..], Vec::as_slice);
            // Notes called from this note follow it, in the order they are called.
            let inner: Vec<u32> = lines.iter().flat_map(|l| l.notes.iter().copied()).collect();
            queue.extend(inner.into_iter().rev());
            if self.foot.is_empty() {
                self.notes_height += self.separator();
            }
            // Lines of the note that fit under the text set so far (on a page set short,
            // also in the lines given up); the rest continues overleaf.
            let room = self.opts.text_height() + self.long_by() - self.notes_height - self.cursor;
            let mut used = Pt::ZERO;
            let mut k = 0;
            while k < lines.len() && used + lines[k].leading <= room + Pt::new(0.01) {
                used += lines[k].leading;
                k += 1;
            }
            if k < lines.len() && lines.len() - k < MIN_LINES {
                k = lines.len().saturating_sub(MIN_LINES);
                used = lines[..k].iter().map(|l| l.leading).sum();
            }
            self.foot.extend(lines[..k].iter().map(|l| (n, l.clone())));
            self.notes_height += used;
            self.carry.extend(lines[k..].iter().map(|l| (n, l.clone())));
        }
    }

    /// Draws a line whose slot starts at `top`; its baseline sits at the slot's
    /// top plus the font's ascent share of the leading.
    fn draw_line(&mut self, l: &LineBox, x: Pt, top: Pt, tag: Option<Tag>) {
        let baseline = top + baseline_offset(l);
        let content = self.page.marks.last().map(|m| m.1);
        // A list marker and a note call are elements of their own inside the paragraph.
        let local = match content {
            Some(Mark::Node(n)) => n.checked_sub(self.node_base),
            _ => None,
        };
        for r in &l.runs {
            let inner = local.and_then(|p| {
                if r.added & TextRun::MARKER != 0 {
                    self.flow.labels.get(&p).copied()
                } else if r.note != 0 {
                    self.flow.references.get(&(p, r.note)).copied()
                } else {
                    None
                }
            });
            if let Some(inner) = inner {
                self.page.tag(Mark::Node(self.node_base + inner));
            }
            let mut run = r.clone();
            run.x += x;
            run.y = baseline + r.y;
            self.page.items.push(Item::Text(run));
            if let (Some(_), Some(mark)) = (inner, content) {
                self.page.tag(mark);
            }
        }
        for &(x0, x1, size) in &l.strikes {
            // Through the middle of the lowercase letters, as thick as a hyphen's stroke.
            self.page.tag(Mark::Artifact(Artifact::Layout));
            self.page.items.push(Item::Rule(Rect {
                x: x + x0,
                y: baseline - size * style::STRIKE_HEIGHT,
                width: x1 - x0,
                height: size * style::STRIKE_WEIGHT,
            }));
        }
        // A link belongs to the text it is on.
        if let Some(mark) = content {
            self.page.tag(mark);
        }
        for (x0, x1, url) in &l.links {
            self.page.items.push(Item::Link(
                Rect { x: x + *x0, y: baseline - l.ascent, width: *x1 - *x0, height: l.leading },
                url.clone(),
            ));
        }
        if let Some(tag) = tag
            && !l.text.is_empty()
        {
            self.page.lines.push(LineRecord {
                y: baseline,
                text: l.text.clone(),
                hyphenated: l.hyphenated,
                ratio: l.ratio,
                overfull: l.overfull,
                kind: tag.kind,
                para: tag.para,
                index: tag.index,
                count: tag.count,
                space_em: l.space_em,
                column: self.column,
            });
        }
    }

    /// Moves on to the next column, or to a new page after the last column.
    fn new_page(&mut self) {
        if self.column + 1 < self.opts.pdf.columns.max(1) {
            self.finish_column(false);
            self.column += 1;
            self.column_start = (self.page.items.len(), self.page.lines.len());
        } else {
            self.finish_page();
            let number = self.layout.pages.len() + 1;
            self.page = blank_page(self.opts, number, self.page.lang);
            self.column = 0;
            self.column_start = (0, 0);
            self.first_page_of_doc = false;
        }
        self.cursor = Pt::ZERO;
        self.notes_height = Pt::ZERO;
        self.notes.clear();
        self.gaps.clear();
        // A footnote continued from the previous column comes first at this column's foot.
        let carry = std::mem::take(&mut self.carry);
        if !carry.is_empty() {
            self.notes_height = self.separator();
            let room = self.opts.text_height() / 2.0;
            let mut used = Pt::ZERO;
            for (k, (n, l)) in carry.iter().enumerate() {
                if used + l.leading > room && k >= MIN_LINES {
                    self.carry = carry[k..].to_vec();
                    break;
                }
                used += l.leading;
                self.foot.push((*n, l.clone()));
            }
            self.notes_height += used;
        }
    }

    /// Aligns the page bottom on the baseline grid: a page of plain text ends on the
    /// last line slot the text block holds (its grid foot); a page whose headings,
    /// lists, quotes or images put its last line off that slot has the difference
    /// shared among its vertical gaps, which grow (by at most a line and a half
    /// each) or shrink (by at most half of each), so that facing pages end on one
    /// baseline. The last page of a statement stays ragged.
    fn justify_vertically(&mut self, last: bool) {
        let leading = self.opts.leading();
        let grid = leading * ((self.room() / leading) + 1e-6).floor();
        // Where the text ends: a gap after the last line (before a heading that went
        // overleaf) is no text.
        let top = self.opts.pdf.margins.top;
        let trailing = self.gaps.iter().rev().find(|g| (g.0 - (top + self.cursor)).abs() < Pt::new(0.01));
        let end = self.cursor - trailing.map_or(Pt::ZERO, |g| g.1);
        let bottom_of_text = top + end;
        let gaps: Vec<(Pt, Pt)> =
            self.gaps.iter().copied().filter(|g| g.0 < bottom_of_text - Pt::new(0.01)).collect();
        if last || gaps.is_empty() {
            return;
        }
        // Past the grid foot (the gaps are not whole lines), the text moves up to it when
        // the gaps can give that much; else down to the text block's foot, as before.
        let to_grid = grid - end;
        let shrinkable: Pt = gaps.iter().map(|g| g.1 * 0.5).fold(Pt::ZERO, |a, b| a + b);
        let delta = if to_grid >= Pt::ZERO || -to_grid <= shrinkable { to_grid } else { self.room() - end };
        if delta.abs() < Pt::new(0.05) {
            return;
        }
        let extra = delta / gaps.len() as f64;
        // More than one and a half lines per gap would look like a hole: leave the page ragged.
        if extra > leading * 1.5 {
            return;
        }
        // Growing: the same for every gap; shrinking: in proportion to each gap's size.
        let part = |g: &(Pt, Pt)| if delta >= Pt::ZERO { extra } else { delta * (g.1 * 0.5 / shrinkable) };
        let shift =
            |y: Pt| gaps.iter().filter(|g| y > g.0 - Pt::new(0.01)).fold(Pt::ZERO, |a, g| a + part(g));
        let (first_item, first_line) = self.column_start;
        for item in &mut self.page.items[first_item..] {
            match item {
                Item::Text(r) => r.y += shift(r.y),
                Item::Image(img) => img.rect.y += shift(img.rect.y),
                Item::Rule(r) | Item::Link(r, _) | Item::GoTo(r, _) => r.y += shift(r.y),
            }
        }
        for l in &mut self.page.lines[first_line..] {
            l.y += shift(l.y);
        }
    }

    /// Draws footnotes, running head and folio, and appends the page.
    fn finish_page(&mut self) {
        self.finish_page_of(false);
    }

    /// Aligns the current column's bottom and draws its footnotes.
    fn finish_column(&mut self, last: bool) {
        self.justify_vertically(last);
        let left = self.left();
        let width = self.opts.column_width();
        if !self.foot.is_empty() {
            let bottom = self.opts.pdf.margins.top + self.opts.text_height() + self.long_by();
            let mut y = bottom - self.notes_height;
            let rule_y = y + self.separator() * 0.5;
            self.page.tag(Mark::Artifact(Artifact::Layout));
            self.page.items.push(Item::Rule(Rect {
                x: left,
                y: rule_y,
                width: width / 4.0,
                height: Pt::new(0.4),
            }));
            y += self.separator();
            for (n, l) in std::mem::take(&mut self.foot) {
                self.tag_node(self.flow.note_nodes.get(&n).copied());
                let id = self.fresh_id();
                self.draw_line(&l, left, y, Some(Tag { kind: LineKind::Note, para: id, index: 0, count: 1 }));
                y += l.leading;
            }
        }
    }

    fn finish_page_of(&mut self, last: bool) {
        self.finish_column(last);
        let left = self.page_left();
        let width = self.opts.text_width();
        let small = self.opts.font_size() * style::FOLIO_SCALE;
        let folio = |text: &str, fonts: &FontSet| {
            let ps = ParaStyle {
                family: Family::Serif,
                style: Style::default(),
                size: small,
                leading: small * style::HEADING_LEADING,
                align: Align::Center,
                indent: Pt::ZERO,
                width,
                lang: Lang::En,
                hyphenate: false,
                expansion: 0.0,
                tracking: 0.0,
            };
            paragraph::set(&[Inline::Text(text.to_string())], &ps, fonts).into_iter().next()
        };
        let head = if self.page.number.is_multiple_of(2) { &self.heads.0 } else { &self.heads.1 };
        if let Some(line) = head.clone().filter(|_| !self.first_page_of_doc) {
            self.page.tag(Mark::Artifact(Artifact::Header));
            let top = self.opts.pdf.margins.top - self.opts.leading() * style::HEAD_ABOVE;
            self.draw_line(&line, left, top, None);
        }
        if self.opts.pdf.folios
            && let Some(line) = folio(&self.page.number.to_string(), self.fonts)
        {
            let top = self.opts.pdf.margins.top
                + self.opts.text_height()
                + self.long_by()
                + self.opts.leading() * style::FOLIO_BELOW;
            self.page.tag(Mark::Artifact(Artifact::Footer));
            self.draw_line(&line, left, top, None);
        }
        let page = std::mem::replace(&mut self.page, blank_page(self.opts, 0, Lang::En));
        self.layout.pages.push(page);
    }
}

fn baseline_offset(l: &LineBox) -> Pt {
    // Centre the font's body in the slot: half the extra leading above, the ascent below it.
    let size = l.ascent / 0.75;
    (l.leading - size) / 2.0 + l.ascent
}
