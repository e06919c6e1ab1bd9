//! Copyfitting in the driver: a PDF output with `fit-pages` is laid out at the
//! largest font size (leading in the same ratio) at which the book fills the
//! pages asked for. The search itself is [`layout::fit::search`]; this module
//! gives it full layouts of the book, pads a text that fits at the largest size
//! with blank pages, and turns "does not fit" into a diagnostic at `fit-pages`.
//! A booklet (`fit-pages = "booklet"`) is fitted to the whole number of sheets
//! nearest its set size, or left at that size when none is in range.

use super::{Project, typeset_book};
use crate::diag::{Diagnostic, Location};
use crate::layout::{self, Layout, Page, PageLabel};
use crate::manifest::{Fit, FitTarget, PdfSettings};
use crate::model::Book;
use crate::units::Pt;

/// Lays out `book` for the PDF output `name`: as [`typeset_book`], or, with
/// `fit-pages`, at the copyfitted size and padded to exactly that many pages.
pub fn typeset_fitted(
    project: &Project,
    book: &Book,
    p: &PdfSettings,
    name: &str,
) -> Result<(Layout, Vec<layout::Warning>), Diagnostic> {
    let Some(fit) = p.fit else { return Ok(typeset_book(project, book, p)) };
    let ratio = p.line_height / p.font_size;
    let at_size = |size| {
        let sized = PdfSettings { font_size: size, line_height: size * ratio, ..*p };
        let (lay, warnings) = typeset_book(project, book, &sized);
        (lay.pages.len(), (lay, warnings))
    };
    let pages = match fit.target {
        FitTarget::Pages(pages) => pages,
        FitTarget::Booklet => return Ok(booklet(p, &fit, at_size)),
    };
    match layout::fit::search(fit.min, fit.max, pages, at_size) {
        Ok(found) => {
            let (mut lay, warnings) = found.value;
            pad(&mut lay, pages);
            Ok((lay, warnings))
        }
        Err(too_long) => Err(cannot_fit(project, pages, &fit, too_long.pages, name)),
    }
}

/// Pages of a folded sheet.
const SHEET_PAGES: usize = 4;

/// `fit-pages = "booklet"`: the text at its set size when that fills whole
/// sheets; else copyfitted to the sheet count above or below, whichever needs
/// the size nearer the set one; else (neither in range) at the set size, and
/// the imposition pads it with blank pages.
fn booklet(
    p: &PdfSettings,
    fit: &Fit,
    mut at_size: impl FnMut(Pt) -> (usize, (Layout, Vec<layout::Warning>)),
) -> (Layout, Vec<layout::Warning>) {
    let (n, set) = at_size(p.font_size);
    if n.is_multiple_of(SHEET_PAGES) {
        return set;
    }
    let up = n.next_multiple_of(SHEET_PAGES);
    let down = n / SHEET_PAGES * SHEET_PAGES;
    let mut best: Option<(Pt, (Layout, Vec<layout::Warning>))> = None;
    for target in [down, up].into_iter().filter(|&t| t > 0) {
        // Larger type for more sheets, smaller for fewer: only one side of the set size can reach `target`.
        let (min, max) = if target > n { (p.font_size, fit.max) } else { (fit.min, p.font_size) };
        let Ok(found) = layout::fit::search(min, max, target, &mut at_size) else { continue };
        let distance = |s: Pt| (s - p.font_size).get().abs();
        if found.pages == target && best.as_ref().is_none_or(|(s, _)| distance(found.size) < distance(*s)) {
            best = Some((found.size, found.value));
        }
    }
    best.map_or(set, |(_, value)| value)
}

/// Appends blank pages up to `pages`: a leaflet that fits at the largest size
/// allowed still has the sides (or panels) it was asked for.
fn pad(lay: &mut Layout, pages: usize) {
    let Some(last) = lay.pages.last().cloned() else { return };
    while lay.pages.len() < pages {
        let number = lay.pages.len() + 1;
        let label = match last.label {
            PageLabel::Arabic(n) => PageLabel::Arabic(n + number - last.number),
            PageLabel::Roman(n) => PageLabel::Roman(n + number - last.number),
        };
        lay.pages.push(Page {
            number,
            label,
            items: Vec::new(),
            lines: Vec::new(),
            marks: Vec::new(),
            ..last.clone()
        });
    }
}

/// The error for a text too long for `fit-pages` even at the smallest size.
fn cannot_fit(project: &Project, target: usize, fit: &Fit, pages: usize, name: &str) -> Diagnostic {
    let location = project.settings.manifest.as_ref().map(|m| Location {
        file: m.clone(),
        line: fit.at.0,
        column: fit.at.1,
    });
    let size = |p: crate::units::Pt| format!("{}pt", (p.get() * 10.0).round() / 10.0);
    Diagnostic::error(
        location,
        format!(
            "output `{name}` does not fit {target} page(s): at the smallest size {} it takes {pages}",
            size(fit.min)
        ),
    )
    .with_hint(format!(
        "set fit-pages = {pages}, lower `font-size-min`, shorten the text, or use smaller margins or more columns"
    ))
}
