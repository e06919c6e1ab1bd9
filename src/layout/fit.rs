//! Copyfitting: bounds on the type size and a page count in, the largest size
//! at which the text fits out.
//!
//! Line breaking, widows and keep-with-next make the page count a step function
//! of the size that no formula predicts, so the search lays the text out in
//! full at each size it tries (the caller's closure does, so that the driver's
//! front matter and footnotes count too). Sizes are taken on a grid of
//! [`STEP`]; the page count is taken to grow with the size (true in practice:
//! a larger size never shortens a line's text), so a binary search over the
//! grid finds the answer in about log₂ of the grid's length layouts: 2 + 6 for
//! the default 8–12 pt.

use crate::units::Pt;

/// Grid of the sizes tried: a tenth of a point is below what a reader can tell
/// apart in body text, and makes a 4 pt range forty steps (six halvings).
pub const STEP: Pt = Pt::new(0.1);

/// The outcome of a successful search.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted<T> {
    /// The chosen size: the largest on the grid at which the text fits.
    pub size: Pt,
    /// Pages the text takes at that size (at most the target; fewer only when
    /// it fits at the largest size allowed).
    pub pages: usize,
    /// What the closure returned for that size (the layout).
    pub value: T,
    /// How many layouts the search made.
    pub layouts: usize,
}

/// The text does not fit even at the smallest size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    /// Pages the text takes at the smallest size.
    pub pages: usize,
}

/// Finds the largest size `s` on the grid of multiples of [`STEP`] in
/// `min..=max` at which `lay_out(s)` gives at most `target` pages. `lay_out`
/// returns the page count and a value (the layout) kept for the chosen size.
/// Guarantees that the result fits and that the next grid size up either does
/// not or lies above `max`.
pub fn search<T>(
    min: Pt,
    max: Pt,
    target: usize,
    mut lay_out: impl FnMut(Pt) -> (usize, T),
) -> Result<Fitted<T>, TooLong> {
    let step = STEP.get();
    // Grid indices: size(k) = k × STEP, from the first at or above `min` to the last at or below `max`.
    let lo_k = (min.get() / step - 1e-6).ceil() as i64;
    let hi_k = ((max.get() / step + 1e-6).floor() as i64).max(lo_k);
    let size = |k: i64| Pt::new((k as f64 * step * 1000.0).round() / 1000.0);
    let mut layouts = 0;
    let mut at = |k: i64| {
        layouts += 1;
        lay_out(size(k))
    };

    let (pages, value) = at(hi_k);
    if pages <= target {
        return Ok(Fitted { size: size(hi_k), pages, value, layouts: 1 });
    }
    let (pages, value) = at(lo_k);
    if pages > target {
        return Err(TooLong { pages });
    }
    // Invariant: `lo` fits (its result in `best`), `hi` does not.
    let (mut lo, mut hi) = (lo_k, hi_k);
    let mut best = (pages, value);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let (pages, value) = at(mid);
        if pages <= target {
            lo = mid;
            best = (pages, value);
        } else {
            hi = mid;
        }
    }
    Ok(Fitted { size: size(lo), pages: best.0, value: best.1, layouts })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text of `words` words set `per_page(size)` to a page, for the search.
    fn pages(words: f64, size: Pt) -> usize {
        // Words per page fall with the square of the size (lines shorter, fewer lines).
        let per_page = 400.0 * (10.0 / size.get()).powi(2);
        (words / per_page).ceil() as usize
    }

    // The search finds the exact largest grid size that fits, checked against trying every size.
    #[test]
    fn largest_fitting_size_on_the_grid() {
        for words in [500.0, 700.0, 900.0, 1100.0, 1240.0] {
            let found = search(Pt::new(8.0), Pt::new(12.0), 2, |s| (pages(words, s), ())).unwrap();
            let brute = (80..=120)
                .map(|k| k as f64 / 10.0)
                .filter(|s| pages(words, Pt::new(*s)) <= 2)
                .fold(0.0, f64::max);
            assert!(
                (found.size.get() - brute).abs() < 1e-9,
                "{words} words: {} vs {brute}",
                found.size.get()
            );
            assert!(found.layouts <= 8, "{} layouts", found.layouts);
        }
    }

    // Too long at the smallest size: the error says how many pages it takes there.
    #[test]
    fn too_long_reports_pages_at_the_smallest_size() {
        let err = search(Pt::new(8.0), Pt::new(12.0), 2, |s| (pages(3000.0, s), ())).unwrap_err();
        assert_eq!(err, TooLong { pages: pages(3000.0, Pt::new(8.0)) });
    }

    // A short text fits at the largest size with one layout.
    #[test]
    fn short_text_takes_the_largest_size() {
        let found = search(Pt::new(8.0), Pt::new(12.0), 2, |s| (pages(100.0, s), s)).unwrap();
        assert_eq!((found.size, found.pages, found.layouts), (Pt::new(12.0), 1, 1));
        assert_eq!(found.value, Pt::new(12.0));
    }

    // Bounds off the grid are rounded inward.
    #[test]
    fn bounds_round_inward() {
        let mut tried = Vec::new();
        let _ = search(Pt::new(8.04), Pt::new(11.96), 1, |s| {
            tried.push(s.get());
            (if s.get() <= 9.0 { 1 } else { 2 }, ())
        });
        assert_eq!(tried[..2], [11.9, 8.1]);
    }
}
