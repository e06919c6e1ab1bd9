//! Imposition plans: which page goes where on which printed sheet.
//!
//! Pure arithmetic over page counts and sizes; the writer draws the pages of a
//! [`Sheet`] from the layout. Every output page, the reading-order PDF's
//! included, is a sheet: a reading-order page is a sheet with one cell.

use crate::manifest::Imposition;
use crate::units::Pt;

/// One side of a printed sheet: its trimmed size and the pages placed on it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sheet {
    /// Trimmed width of the sheet.
    pub width: Pt,
    /// Trimmed height of the sheet.
    pub height: Pt,
    /// The pages on the sheet.
    pub cells: Vec<Cell>,
    /// Where the sheet is cut across its width, from its left trim edge (the trim
    /// edges included): crop marks are drawn above and below each.
    pub cuts_x: Vec<Pt>,
    /// Where the sheet is folded across its width: dashed marks above and below.
    pub folds_x: Vec<Pt>,
    /// Where the sheet is cut across its height, from its top trim edge.
    pub cuts_y: Vec<Pt>,
}

/// One page placed on a sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Cell {
    /// Index of the layout page, `None` for a blank page.
    pub page: Option<usize>,
    /// Left edge of the page's trim on the sheet.
    pub x: Pt,
    /// Width of the cell's trim: the page's, or less or more where panels of a
    /// folded sheet differ (the page is centred in it by `shift`).
    pub width: Pt,
    /// Top edge of the page's trim on the sheet.
    pub y: Pt,
    /// Sides of the cell on the sheet's edge, where its content may run into the
    /// bleed; an inner side (the spine, a cut between copies) stops at the trim.
    pub outer: Edges,
    /// Horizontal shift of the content inside the cell (creep compensation);
    /// positive moves it right.
    pub shift: Pt,
}

/// A flag per side of a rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Edges {
    /// Left side.
    pub left: bool,
    /// Right side.
    pub right: bool,
    /// Top side.
    pub top: bool,
    /// Bottom side.
    pub bottom: bool,
}

impl Edges {
    /// All four sides.
    pub const ALL: Edges = Edges { left: true, right: true, top: true, bottom: true };

    /// True if any side is set.
    pub fn any(self) -> bool {
        self.left || self.right || self.top || self.bottom
    }
}

/// The reading-order document: one sheet per page, each page alone.
pub(super) fn reading_order(sizes: &[(Pt, Pt)]) -> Vec<Sheet> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, &(w, h))| Sheet {
            width: w,
            height: h,
            cells: vec![Cell {
                page: Some(i),
                x: Pt::ZERO,
                width: w,
                y: Pt::ZERO,
                outer: Edges::ALL,
                shift: Pt::ZERO,
            }],
            cuts_x: vec![Pt::ZERO, w],
            folds_x: Vec::new(),
            cuts_y: vec![Pt::ZERO, h],
        })
        .collect()
}

/// Pages of a saddle-stitched booklet in reading order, padded to a multiple of
/// four with blanks (`None`). The blanks follow the text, so a reader never meets
/// one inside it; when the last page is a `back_cover`, they go before it, so
/// that it stays the outside of the last leaf.
pub fn booklet_pages(pages: usize, back_cover: bool) -> Vec<Option<usize>> {
    let padded = pages.div_ceil(4).max(1) * 4;
    let mut seq: Vec<Option<usize>> = (0..pages).map(Some).collect();
    let blanks = padded - pages;
    let at = if back_cover && pages >= 2 { pages - 1 } else { pages };
    seq.splice(at..at, std::iter::repeat_n(None, blanks));
    seq
}

/// Sheet sides of a booklet, in printing order, each as `(left, right)` pages.
///
/// Sheet `s` (0 = the outermost) carries on its front the pages `P-1-2s | 2s`
/// and on its back `2s+1 | P-2-2s` (from 0, `P` the padded count). Printed
/// duplex with flip on the short edge, the back is not rotated: turning the
/// landscape sheet over its short edge puts page `2s+1` behind page `2s`.
pub fn booklet_sides(pages: usize, back_cover: bool) -> Vec<(Option<usize>, Option<usize>)> {
    let seq = booklet_pages(pages, back_cover);
    let p = seq.len();
    let mut sides = Vec::with_capacity(p / 2);
    for s in 0..p / 4 {
        sides.push((seq[p - 1 - 2 * s], seq[2 * s]));
        sides.push((seq[2 * s + 1], seq[p - 2 - 2 * s]));
    }
    sides
}

/// How much narrower the tuck-in panel of a tri-fold is than the other two:
/// folded inside them, a panel of the same width would buckle at the fold; the
/// usual allowance is 2 to 3 mm.
pub const TUCK_IN: Pt = Pt::new(2.5 * 72.0 / 25.4);

/// Panels of a letter-folded (tri-fold) leaflet on one sheet.
pub const TRIFOLD_PANELS: usize = 6;

/// Sheet sides of tri-fold leaflets, in printing order, each as its three
/// panels from left to right; panels are numbered from 0 in reading order.
///
/// Reading order follows the fold: the front cover (0), the three inside
/// panels (1, 2, 3) seen when the leaflet is opened out, the flap that folds in
/// (4) and the back (5). The outside side carries `4 | 5 | 0`, the inside side
/// `1 | 2 | 3`. Printed duplex with flip on the short edge, the back is not
/// rotated: the cover is behind panel 1 and the flap behind panel 3, which the
/// flap covers when folded first. Folding: fold the right third (panel 3 inside)
/// in, then the left third over it, so the cover ends on top. Panels past six
/// start another sheet; missing ones are blank (`None`).
pub fn trifold_sides(pages: usize) -> Vec<[Option<usize>; 3]> {
    let sheets = pages.div_ceil(TRIFOLD_PANELS).max(1);
    let panel = |i: usize| (i < pages).then_some(i);
    (0..sheets)
        .flat_map(|s| {
            let b = s * TRIFOLD_PANELS;
            [[panel(b + 4), panel(b + 5), panel(b)], [panel(b + 1), panel(b + 2), panel(b + 3)]]
        })
        .collect()
}

/// How many sheet sides (PDF pages) the imposed document of `pages` pages has.
pub fn imposed_sides(kind: Imposition, pages: usize) -> usize {
    match kind {
        Imposition::Booklet => pages.div_ceil(4).max(1) * 2,
        Imposition::TwoUp | Imposition::FourUp => pages,
        Imposition::TriFold => trifold_sides(pages).len(),
    }
}

/// The sheets of an imposed document for `pages` pages of `w × h`.
///
/// `creep` applies to booklets: the pages of sheet `s` (0 = outermost) move
/// `s × creep` toward the spine, because inner sheets stick out at the fore-edge
/// once folded and would lose more to the trimmer.
pub(super) fn plan(kind: Imposition, pages: usize, w: Pt, h: Pt, creep: Pt, back_cover: bool) -> Vec<Sheet> {
    let side = |x: Pt, y: Pt, page: Option<usize>, outer: Edges, shift: Pt| Cell {
        page,
        x,
        width: w,
        y,
        outer,
        shift,
    };
    let left = Edges { left: true, right: false, top: true, bottom: true };
    let right = Edges { left: false, right: true, top: true, bottom: true };
    match kind {
        Imposition::Booklet => booklet_sides(pages, back_cover)
            .into_iter()
            .enumerate()
            .map(|(i, (l, r))| {
                let shift = creep * (i / 2) as f64;
                Sheet {
                    width: w * 2.0,
                    height: h,
                    cells: vec![
                        side(Pt::ZERO, Pt::ZERO, l, left, shift),
                        side(w, Pt::ZERO, r, right, -shift),
                    ],
                    cuts_x: vec![Pt::ZERO, w * 2.0],
                    folds_x: vec![w],
                    cuts_y: vec![Pt::ZERO, h],
                }
            })
            .collect(),
        Imposition::TwoUp => (0..pages)
            .map(|i| Sheet {
                width: w * 2.0,
                height: h,
                cells: vec![
                    side(Pt::ZERO, Pt::ZERO, Some(i), left, Pt::ZERO),
                    side(w, Pt::ZERO, Some(i), right, Pt::ZERO),
                ],
                cuts_x: vec![Pt::ZERO, w, w * 2.0],
                folds_x: Vec::new(),
                cuts_y: vec![Pt::ZERO, h],
            })
            .collect(),
        Imposition::FourUp => (0..pages)
            .map(|i| {
                let cells = [(false, false), (true, false), (false, true), (true, true)]
                    .into_iter()
                    .map(|(r, b)| {
                        let outer = Edges { left: !r, right: r, top: !b, bottom: b };
                        let (x, y) = (if r { w } else { Pt::ZERO }, if b { h } else { Pt::ZERO });
                        side(x, y, Some(i), outer, Pt::ZERO)
                    })
                    .collect();
                Sheet {
                    width: w * 2.0,
                    height: h * 2.0,
                    cells,
                    cuts_x: vec![Pt::ZERO, w, w * 2.0],
                    folds_x: Vec::new(),
                    cuts_y: vec![Pt::ZERO, h, h * 2.0],
                }
            })
            .collect(),
        // Panels side by side, the flap that folds in (outside left, inside right)
        // narrower by `TUCK_IN` so that it folds inside the others without buckling;
        // the two wider panels share what it gives up. Every page is centred in its
        // panel: a page's text keeps its measure, its side margins change by a
        // millimetre or so. Dashed marks at the two inner edges show the folds.
        Imposition::TriFold => trifold_sides(pages)
            .into_iter()
            .enumerate()
            .map(|(s, panels)| {
                let flap_at = if s % 2 == 0 { 0 } else { 2 };
                let widths: [Pt; 3] =
                    std::array::from_fn(|k| if k == flap_at { w - TUCK_IN } else { w + TUCK_IN / 2.0 });
                let mut x = Pt::ZERO;
                let cells = panels
                    .into_iter()
                    .enumerate()
                    .map(|(k, page)| {
                        let outer = Edges { left: k == 0, right: k == 2, top: true, bottom: true };
                        let cell = Cell {
                            width: widths[k],
                            ..side(x, Pt::ZERO, page, outer, (widths[k] - w) / 2.0)
                        };
                        x += widths[k];
                        cell
                    })
                    .collect();
                Sheet {
                    width: w * 3.0,
                    height: h,
                    cells,
                    cuts_x: vec![Pt::ZERO, w * 3.0],
                    folds_x: vec![widths[0], widths[0] + widths[1]],
                    cuts_y: vec![Pt::ZERO, h],
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_based(sides: &[(Option<usize>, Option<usize>)]) -> Vec<(usize, usize)> {
        sides.iter().map(|&(l, r)| (l.map_or(0, |p| p + 1), r.map_or(0, |p| p + 1))).collect()
    }

    // Eight pages fold from two sheets: 8|1, 2|7 outside, 6|3, 4|5 inside.
    #[test]
    fn eight_page_booklet() {
        assert_eq!(one_based(&booklet_sides(8, false)), [(8, 1), (2, 7), (6, 3), (4, 5)]);
    }

    // Blank pages follow the text; only a back cover keeps its place as the last page (0 = blank).
    #[test]
    fn padding_after_the_text_or_before_a_back_cover() {
        assert_eq!(one_based(&booklet_sides(3, false)), [(0, 1), (2, 3)]);
        assert_eq!(one_based(&booklet_sides(3, true)), [(3, 1), (2, 0)]);
        assert_eq!(one_based(&booklet_sides(6, true)), [(6, 1), (2, 0), (0, 3), (4, 5)]);
        assert_eq!(booklet_pages(5, true), [Some(0), Some(1), Some(2), Some(3), None, None, None, Some(4)]);
        assert_eq!(booklet_pages(5, false), [Some(0), Some(1), Some(2), Some(3), Some(4), None, None, None]);
        assert_eq!(booklet_pages(1, true), [Some(0), None, None, None]);
        for n in 1..=13 {
            assert_eq!(imposed_sides(Imposition::Booklet, n) * 2, booklet_pages(n, false).len());
        }
    }

    // Every page appears exactly once in a booklet, whatever the count.
    #[test]
    fn booklet_uses_each_page_once() {
        for (n, back) in (1..=33).flat_map(|n| [(n, false), (n, true)]) {
            let mut seen: Vec<usize> =
                booklet_sides(n, back).into_iter().flat_map(|(l, r)| [l, r]).flatten().collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "{n} pages");
        }
    }

    // Creep moves inner sheets' pages toward the spine, the outer sheet not at all.
    #[test]
    fn creep_moves_inner_sheets_to_the_spine() {
        let sheets = plan(Imposition::Booklet, 12, Pt::new(100.0), Pt::new(200.0), Pt::new(1.0), false);
        let shifts: Vec<(f64, f64)> =
            sheets.iter().map(|s| (s.cells[0].shift.get(), s.cells[1].shift.get())).collect();
        assert_eq!(shifts, [(0.0, 0.0), (0.0, 0.0), (1.0, -1.0), (1.0, -1.0), (2.0, -2.0), (2.0, -2.0)]);
    }

    // Six panels: outside flap | back | cover, inside 2 | 3 | 4 (1-based), blanks past the text.
    #[test]
    fn trifold_panel_order() {
        let one = |sides: Vec<[Option<usize>; 3]>| -> Vec<[usize; 3]> {
            sides.into_iter().map(|s| s.map(|p| p.map_or(0, |p| p + 1))).collect()
        };
        assert_eq!(one(trifold_sides(6)), [[5, 6, 1], [2, 3, 4]]);
        assert_eq!(one(trifold_sides(4)), [[0, 0, 1], [2, 3, 4]]);
        assert_eq!(one(trifold_sides(7)), [[5, 6, 1], [2, 3, 4], [0, 0, 7], [0, 0, 0]]);
        let sheets = plan(Imposition::TriFold, 6, Pt::new(100.0), Pt::new(200.0), Pt::ZERO, false);
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].width, Pt::new(300.0));
        assert_eq!(sheets[0].cells[1].outer, Edges { left: false, right: false, top: true, bottom: true });
        // The flap (outside left, inside right) is narrower; the sheet keeps its width.
        let widths = |s: &Sheet| s.cells.iter().map(|c| c.width.get()).collect::<Vec<_>>();
        let t = TUCK_IN.get();
        assert_eq!(widths(&sheets[0]), [100.0 - t, 100.0 + t / 2.0, 100.0 + t / 2.0]);
        assert_eq!(widths(&sheets[1]), [100.0 + t / 2.0, 100.0 + t / 2.0, 100.0 - t]);
        assert!((sheets[1].cells[2].x.get() - (200.0 + t)).abs() < 1e-9);
        assert!((sheets[1].cells[2].shift.get() + t / 2.0).abs() < 1e-9);
        assert_eq!(sheets[0].folds_x.len(), 2);
        assert_eq!(sheets[0].cuts_x, [Pt::ZERO, Pt::new(300.0)]);
    }

    // 4-up puts one page four times in a 2 × 2 grid with bleed only on the sheet's edges.
    #[test]
    fn four_up_grid() {
        let sheets = plan(Imposition::FourUp, 2, Pt::new(100.0), Pt::new(200.0), Pt::ZERO, false);
        assert_eq!(sheets.len(), 2);
        let s = &sheets[1];
        assert_eq!((s.width.get(), s.height.get()), (200.0, 400.0));
        assert!(s.cells.iter().all(|c| c.page == Some(1)));
        assert_eq!(s.cells[3].outer, Edges { left: false, right: true, top: false, bottom: true });
        assert_eq!((s.cells[3].x.get(), s.cells[3].y.get()), (100.0, 200.0));
    }
}
