//! Copyfitting in the driver: a PDF output with `fit-pages` is laid out at the
//! largest font size (leading in the same ratio) at which the book fills the
//! pages asked for. The search itself is [`layout::fit::search`]; this module
//! gives it full layouts of the book, pads a text that fits at the largest size
//! with blank pages, and turns "does not fit" into a diagnostic at `fit-pages`.

use super::{Project, typeset_book};
use crate::diag::{Diagnostic, Location};
use crate::layout::{self, Layout, Page, PageLabel};
use crate::manifest::{Fit, PdfSettings};
use crate::model::Book;

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
    match layout::fit::search(fit.min, fit.max, fit.pages, at_size) {
        Ok(found) => {
            let (mut lay, warnings) = found.value;
            pad(&mut lay, fit.pages);
            Ok((lay, warnings))
        }
        Err(too_long) => Err(cannot_fit(project, &fit, too_long.pages, name)),
    }
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
        lay.pages.push(Page { number, label, items: Vec::new(), lines: Vec::new(), ..last.clone() });
    }
}

/// The error for a text too long for `fit-pages` even at the smallest size.
fn cannot_fit(project: &Project, fit: &Fit, pages: usize, name: &str) -> Diagnostic {
    let location = project.settings.manifest.as_ref().map(|m| Location {
        file: m.clone(),
        line: fit.at.0,
        column: fit.at.1,
    });
    let size = |p: crate::units::Pt| format!("{}pt", (p.get() * 10.0).round() / 10.0);
    Diagnostic::error(
        location,
        format!(
            "output `{name}` does not fit {} page(s): at the smallest size {} it takes {pages}",
            fit.pages,
            size(fit.min)
        ),
    )
    .with_hint(format!(
        "set fit-pages = {pages}, lower `font-size-min`, shorten the text, or use smaller margins or more columns"
    ))
}
