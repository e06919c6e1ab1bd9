//! Page content streams: the items of the layout's pages placed in the cells
//! of a sheet and written as PDF operators ([`Content`]), with the fonts,
//! images and links each sheet refers to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::content::Content;
use super::font::Subset;
use super::impose::{self, Edges};
use super::tags;
use super::{marks, touched_edges};
use crate::fonts::FaceId;
use crate::layout::{Artifact, Item, Mark, Page, Rect, StructNode, TextRun, Turn};
use crate::units::Pt;

/// Resource name of a face.
pub(super) fn font_name(id: FaceId) -> String {
    format!("F{}", id.0)
}

/// Resource name of the `i`-th image of the file.
pub(super) fn image_name(i: usize) -> String {
    format!("I{i}")
}

/// A written sheet: its content stream and what it refers to.
pub(super) struct SheetOut {
    pub content: Vec<u8>,
    pub fonts: BTreeSet<FaceId>,
    pub images: BTreeSet<usize>,
    /// Link rectangles in PDF user space (`[x1 y1 x2 y2]`, y up), their targets
    /// and the structure element whose text they are on.
    pub links: Vec<([f64; 4], Link, Option<u32>)>,
    /// The structure element of each marked-content id, in order (tagged files).
    pub mcids: Vec<u32>,
    /// Pictures drawn for figures: the element and the picture's box in PDF user space.
    pub figures: Vec<(u32, [f64; 4])>,
}

/// Everything the pages of one file share while they are written.
pub(super) struct Shared<'a> {
    /// Each face's subset.
    pub subsets: &'a BTreeMap<FaceId, Subset>,
    /// Each image's number in the file.
    pub image_index: &'a BTreeMap<PathBuf, usize>,
    pub bleed: Pt,
    /// Distance from the media edge to the trim edge.
    pub margin: Pt,
    pub crop_marks: bool,
    /// Reading order: links are collected.
    pub reading: bool,
    /// The layout's structure, when the file is tagged.
    pub structure: Option<&'a [StructNode]>,
    /// A CMYK job: black is K alone.
    pub cmyk: bool,
}

/// Where a link on a reading-order page points.
pub(super) enum Link {
    /// A web address.
    Url(String),
    /// A page of the same document, by index.
    Page(usize),
}

/// Writes the content stream of one sheet: the pages in their cells, then the
/// crop marks. The stream starts by turning PDF's y-up user space into the
/// layout's y-down space, with the origin at the sheet's top-left trim corner.
pub(super) fn draw_sheet<'p>(
    sheet: &impose::Sheet,
    page: &dyn Fn(usize) -> Option<&'p Page>,
    sh: &Shared<'_>,
) -> SheetOut {
    let glyphs: usize = sheet
        .cells
        .iter()
        .filter_map(|c| c.page.and_then(page))
        .flat_map(|p| &p.items)
        .map(|i| if let Item::Text(r) = i { r.glyphs.len() } else { 0 })
        .sum();
    let mut out = SheetOut {
        content: Vec::new(),
        fonts: BTreeSet::new(),
        images: BTreeSet::new(),
        links: Vec::new(),
        mcids: Vec::new(),
        figures: Vec::new(),
    };
    let mut c = Content::with_capacity(glyphs * 9 + 1024);
    let media_h = (sheet.height + sh.margin * 2.0).get();
    c.transform([1.0, 0.0, 0.0, -1.0, 0.0, media_h]);
    c.translate(sh.margin.get(), sh.margin.get());
    c.fill_black(sh.cmyk);
    for cell in &sheet.cells {
        let Some(page) = cell.page.and_then(page) else { continue };
        draw_cell(&mut c, page, cell, sh, &mut out, media_h);
    }
    if sh.crop_marks {
        if sh.structure.is_some() {
            c.begin_artifact(tags::PRINTER_MARKS);
        }
        marks::draw(&mut c, sheet, sh.bleed, sh.cmyk);
        if sh.structure.is_some() {
            c.end_marked();
        }
    }
    out.content = c.finish();
    out
}

/// Draws one page into its cell, in sheet-trim coordinates. The cell is clipped
/// to its trim plus the bleed on the sheet's outer edges, so content running
/// into the bleed at a spine or an inner cut never spills onto the neighbour.
fn draw_cell(
    c: &mut Content,
    page: &Page,
    cell: &impose::Cell,
    sh: &Shared<'_>,
    out: &mut SheetOut,
    media_h: f64,
) {
    let side = |outer: bool| if outer { sh.bleed } else { Pt::ZERO };
    let (l, r, t, b) =
        (side(cell.outer.left), side(cell.outer.right), side(cell.outer.top), side(cell.outer.bottom));
    c.save();
    c.translate(cell.x.get(), cell.y.get());
    c.clip_rect(-l.get(), -t.get(), (cell.width + l + r).get(), (page.height + t + b).get());
    c.translate(cell.shift.get(), 0.0);
    let extend = Extents { left: l, right: r, top: t, bottom: b };
    // Links are collected in PDF user space: from the media's bottom-left corner, y up.
    let (ox, oy) = ((sh.margin + cell.x + cell.shift).get(), (sh.margin + cell.y).get());
    let to_pdf = |r: &Rect| {
        [
            ox + r.x.get(),
            media_h - (oy + r.y.get() + r.height.get()),
            ox + (r.x + r.width).get(),
            media_h - (oy + r.y.get()),
        ]
    };
    let mut in_text = false;
    let mut current: Option<(FaceId, f64)> = None;
    // Tagged: the mark each item is under, and the marked content open now.
    let mut marks = page.marks.iter().peekable();
    let mut mark = Mark::Artifact(Artifact::Layout);
    let mut open: Option<Mark> = None;
    for (index, item) in page.items.iter().enumerate() {
        while let Some(&&(at, m)) = marks.peek() {
            if at as usize > index {
                break;
            }
            mark = m;
            marks.next();
        }
        let draws = !matches!(item, Item::Link(..) | Item::GoTo(..));
        if let (Some(structure), true) = (sh.structure, draws && open != Some(mark)) {
            if in_text {
                c.end_text();
                in_text = false;
                current = None;
            }
            if open.is_some() {
                c.end_marked();
            }
            match mark {
                Mark::Node(n) => {
                    let role = structure.get(n as usize).map_or(crate::layout::Role::P, |s| s.role);
                    c.begin_tagged(tags::role_name(role), out.mcids.len());
                    out.mcids.push(n);
                }
                Mark::Artifact(a) => c.begin_artifact(tags::artifact_properties(a)),
            }
            open = Some(mark);
        }
        let node = match mark {
            Mark::Node(n) => Some(n),
            Mark::Artifact(_) => None,
        };
        if in_text && !matches!(item, Item::Text(_)) {
            c.end_text();
            in_text = false;
            current = None;
        }
        match item {
            Item::Text(run) => {
                let Some(subset) = sh.subsets.get(&run.face) else { continue };
                if !in_text {
                    c.begin_text();
                    in_text = true;
                }
                let size = run.size.get();
                if current != Some((run.face, size)) {
                    c.font(&font_name(run.face), size);
                    current = Some((run.face, size));
                    out.fonts.insert(run.face);
                }
                draw_run(c, run, subset);
            }
            Item::Rule(r) => {
                c.rect(r.x.get(), r.y.get(), r.width.get(), r.height.get());
                c.fill();
            }
            Item::Image(img) => {
                if let Some(&k) = sh.image_index.get(&img.key) {
                    out.images.insert(k);
                    let edges = touched_edges(&img.rect, page.width, page.height);
                    draw_image(c, &image_name(k), &img.rect, edges, &extend);
                    if let Some(n) = node {
                        out.figures.push((n, to_pdf(&img.rect)));
                    }
                }
            }
            Item::Link(r, url) => {
                if sh.reading {
                    out.links.push((to_pdf(r), Link::Url(url.clone()), node));
                }
            }
            Item::GoTo(r, target) => {
                if sh.reading {
                    out.links.push((to_pdf(r), Link::Page(*target), node));
                }
            }
        }
    }
    if in_text {
        c.end_text();
    }
    if open.is_some() {
        c.end_marked();
    }
    c.restore();
}

/// Shows one run inside a text object: a text matrix at the start of its
/// baseline (flipped back to y-up, since the page is drawn y-down), then its
/// glyphs in one `TJ` array, each followed by the difference between the
/// advance the layout gave it and the font's own width. A glyph moved off the
/// pen (a mark placed by the shaper) gets a text matrix of its own. A hyphen
/// that breaks a word stands for a soft hyphen (U+00AD) and a hyphen repeated at
/// a line's start for nothing (`/ActualText`), so that the text reads, copies
/// and is spoken as the words written.
fn draw_run(c: &mut Content, run: &TextRun, subset: &Subset) {
    let size = run.size.get();
    // Font expansion: the text matrix widens the glyphs and their advances alike, so the
    // text stays one searchable string (what `Tz` would do, without a state to reset).
    let scale = run.scale;
    let (x0, y0) = (run.x.get(), run.y.get());
    // The page's unit vectors (y down) along the baseline (u) and toward the glyphs' tops (v).
    let ((ux, uy), (vx, vy)) = match run.turn {
        Turn::Across => ((1.0, 0.0), (0.0, -1.0)),
        Turn::Up => ((0.0, -1.0), (-1.0, 0.0)),
        Turn::Down => ((0.0, 1.0), (1.0, 0.0)),
    };
    // A point `along` the baseline and `above` it, in points.
    let point = |along: f64, above: f64| (x0 + ux * along + vx * above, y0 + uy * along + vy * above);
    let mut pen = 0.0_f64;
    let mut open = false;
    let at = |c: &mut Content, (x, y): (f64, f64), open: &mut bool| {
        if *open {
            c.end_shown();
            *open = false;
        }
        c.text_matrix([ux * scale, uy * scale, vx, vy, x, y]);
    };
    at(c, (x0, y0), &mut open);
    let mut offsets = run.offsets.iter().peekable();
    for (i, g) in run.glyphs.iter().enumerate() {
        let advance = f64::from(g.advance.get());
        let (dx, dy) = match offsets.next_if(|o| o.index as usize == i) {
            Some(o) => (f64::from(o.x.get()), f64::from(o.y.get())),
            None => (0.0, 0.0),
        };
        let width = f64::from(subset.width(g.id));
        let cid = subset.cid(g.id);
        // Not for a glyph the shaper moved off the pen (a mark): it keeps its own matrix.
        let last = i + 1 == run.glyphs.len() && dx == 0.0 && dy == 0.0;
        let actual = match i {
            0 if dx == 0.0 && dy == 0.0 && run.added & TextRun::HYPHEN_START != 0 => Some(""),
            _ if last && run.added & TextRun::HYPHEN_END != 0 => Some("\u{ad}"),
            _ => None,
        };
        if let Some(text) = actual {
            if open {
                c.end_shown();
                open = false;
            }
            c.begin_actual_text(text);
            c.start_shown();
            c.shown_glyph(cid, width - advance * 1000.0);
            c.end_shown();
            c.end_marked();
            pen += advance;
            continue;
        }
        if dx != 0.0 || dy != 0.0 {
            at(c, point((pen + dx) * size * scale, dy * size), &mut open);
            c.start_shown();
            c.shown_glyph(cid, 0.0);
            c.end_shown();
            pen += advance;
            at(c, point(pen * size * scale, 0.0), &mut open);
            continue;
        }
        if !open {
            c.start_shown();
            open = true;
        }
        c.shown_glyph(cid, width - advance * 1000.0);
        pen += advance;
    }
    if open {
        c.end_shown();
    }
}

/// How far content may run past each trim edge of a page.
struct Extents {
    left: Pt,
    right: Pt,
    top: Pt,
    bottom: Pt,
}

/// Draws an image in `rect`. On each trim edge it touches, the image is
/// extended into the bleed: it is scaled up (never distorted) to cover the
/// enlarged rectangle, anchored on the sides that do not move, and clipped to it.
fn draw_image(c: &mut Content, name: &str, rect: &Rect, edges: Edges, extend: &Extents) {
    let grow = |touch: bool, by: Pt| if touch { by } else { Pt::ZERO };
    let (gl, gr) = (grow(edges.left, extend.left), grow(edges.right, extend.right));
    let (gt, gb) = (grow(edges.top, extend.top), grow(edges.bottom, extend.bottom));
    let (w, h) = (rect.width, rect.height);
    if !(w > Pt::ZERO && h > Pt::ZERO) {
        return;
    }
    let (cw, ch) = (w + gl + gr, h + gt + gb);
    let k = (cw / w).max(ch / h).max(1.0);
    let (iw, ih) = (w * k, h * k);
    // Anchor: an edge that did not grow stays put; otherwise centre the overflow.
    let place = |start: Pt, g0: Pt, g1: Pt, len: Pt, covered: Pt| -> Pt {
        match (g0 > Pt::ZERO, g1 > Pt::ZERO) {
            (true, false) => start + len - covered,
            (false, true) => start,
            _ => start - g0 - (covered - (len + g0 + g1)) / 2.0,
        }
    };
    let x = place(rect.x, gl, gr, w, iw);
    let y = place(rect.y, gt, gb, h, ih);
    c.save();
    if k > 1.0 {
        c.clip_rect((rect.x - gl).get(), (rect.y - gt).get(), cw.get(), ch.get());
    }
    // The image space is the unit square, y up: scale it to the size and flip it
    // into the page's y-down space.
    c.transform([iw.get(), 0.0, 0.0, -ih.get(), x.get(), (y + ih).get()]);
    c.x_object(name);
    c.restore();
}
