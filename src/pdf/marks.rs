//! Crop marks: short hairlines in the slug, outside the bleed, that show the
//! trimmer where to cut, and dashed ones where a booklet or leaflet is folded.
//!
//! They are stroked in black (DeviceGray, or K alone in a CMYK job) rather than a CMYK registration colour
//! (100 % of every ink): on a press sheet registration black soaks the paper
//! with four inks, and an office printer renders DeviceGray black with black
//! toner only.

use super::content::Content;
use super::impose::Sheet;
use crate::units::Pt;

/// Width of the slug: the area beyond the bleed that holds the marks.
pub const SLUG: Pt = Pt::new(10.0 * 72.0 / 25.4);

/// Stroke width of the marks: 0.25 pt, the usual hairline of prepress tools;
/// thin enough to be cut away cleanly, thick enough to image on a platesetter.
const MARK_WIDTH: f64 = 0.25;
/// Length of one mark.
const MARK_LENGTH: Pt = Pt::new(6.0 * 72.0 / 25.4);
/// Gap between the bleed edge and the start of a mark, so a mark never prints
/// inside the bleed.
const MARK_GAP: Pt = Pt::new(2.0 * 72.0 / 25.4);
/// Smallest distance between the trim and a mark, when there is little or no
/// bleed: 3 mm covers the tolerance of a guillotine cut.
const MIN_MARK_OFFSET: Pt = Pt::new(3.0 * 72.0 / 25.4);

/// Distance from the trim edge to the start of each mark.
pub fn mark_offset(bleed: Pt) -> Pt {
    (bleed + MARK_GAP).max(MIN_MARK_OFFSET)
}

/// Draws the marks of `sheet` in trim coordinates (origin at the top-left trim
/// corner, y down): a vertical mark above and below every cut across the width,
/// a horizontal mark left and right of every cut across the height.
pub(super) fn draw(c: &mut Content, sheet: &Sheet, bleed: Pt, cmyk: bool) {
    if sheet.cuts_x.is_empty() && sheet.cuts_y.is_empty() && sheet.folds_x.is_empty() {
        return;
    }
    let start = mark_offset(bleed).get();
    let end = start + MARK_LENGTH.get();
    let (w, h) = (sheet.width.get(), sheet.height.get());
    c.save();
    c.stroke_black(cmyk);
    c.line_width(MARK_WIDTH);
    let above_and_below = |c: &mut Content, x: Pt| {
        let x = x.get();
        c.move_to(x, -start);
        c.line_to(x, -end);
        c.move_to(x, h + start);
        c.line_to(x, h + end);
    };
    for &x in &sheet.cuts_x {
        above_and_below(c, x);
    }
    for y in &sheet.cuts_y {
        let y = y.get();
        c.move_to(-start, y);
        c.line_to(-end, y);
        c.move_to(w + start, y);
        c.line_to(w + end, y);
    }
    c.stroke();
    // Folds: dashed, so that no one cuts along them.
    if !sheet.folds_x.is_empty() {
        c.op(FOLD_DASH);
        for &x in &sheet.folds_x {
            above_and_below(c, x);
        }
        c.stroke();
    }
    c.restore();
}

/// Dash pattern of fold marks (`d` operator): 2 pt on, 1.5 pt off.
const FOLD_DASH: &str = "[2 1.5] 0 d";

#[cfg(test)]
mod tests {
    use super::*;

    // Marks start beyond the bleed and end inside the slug, with or without bleed.
    #[test]
    fn marks_fit_in_the_slug() {
        for bleed_mm in [0.0, 1.0, 3.0, 5.0, 10.0] {
            let bleed = Pt::mm(bleed_mm);
            let start = mark_offset(bleed);
            assert!(start > bleed, "{bleed_mm}mm");
            assert!(start + MARK_LENGTH <= bleed + SLUG, "{bleed_mm}mm");
        }
    }
}
