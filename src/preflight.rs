//! Preflight: a laid-out PDF output, its images and print settings in, findings
//! about print readiness out. Pure: the driver runs it after every PDF layout
//! (and `samizdat check --print`) and reports the findings.
//!
//! Two levels, because an office print and a press job tolerate different
//! things: a [`Level::Note`] informs (an image at 200 dpi prints acceptably on
//! a laser printer), a [`Level::Warning`] is a real defect and fails the build
//! under `--deny-warnings`. Characters no font can draw are checked earlier,
//! with their place in the Markdown, when the sources are read.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::layout::style::MIN_TEXT;
use crate::layout::{Item, Layout};
use crate::manifest::{ColorMode, Fit, FitTarget, Imposition, PdfSettings, PrinterUse};
use crate::model::Images;
use crate::pdf;
use crate::units::Pt;

/// Resolution wanted for print: the layout enlarges a picture to the measure
/// only while it keeps this much (see [`crate::layout::style::PRINT_DPI`]).
pub const GOOD_DPI: f64 = crate::layout::style::PRINT_DPI;
/// Below this resolution pixels show even on an office laser printer.
pub const MIN_DPI: f64 = 150.0;
/// How far from the trim an edge must stay unless it bleeds: 3 mm, the usual
/// cutting tolerance of a guillotine. Closer, a white sliver or a cut-off edge
/// shows after trimming.
pub const SAFE_DISTANCE: Pt = Pt::new(3.0 * 72.0 / 25.4);

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Worth knowing; never fails a build.
    Note,
    /// A print defect; fails the build under `--deny-warnings`.
    Warning,
}

/// One preflight finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Note or warning.
    pub level: Level,
    /// The problem, as a diagnostic (its severity is always warning).
    pub diagnostic: Diagnostic,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.level {
            Level::Warning => write!(f, "{}", self.diagnostic),
            Level::Note => {
                let text = self.diagnostic.to_string();
                write!(f, "note{}", text.strip_prefix("warning").unwrap_or(&text))
            }
        }
    }
}

fn finding(level: Level, location: Option<Location>, message: String, hint: &str) -> Finding {
    Finding { level, diagnostic: Diagnostic::warning(location, message).with_hint(hint) }
}

/// What preflight checks: an output's interior or its cover, named `output`,
/// with the manifest that findings against a printer's rules point into.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The output's (or its statement's) file stem.
    pub output: &'a str,
    /// book.toml, when there is one.
    pub manifest: Option<&'a Path>,
    /// A wrap cover: one sheet, not the book's pages.
    pub cover: bool,
}

/// Checks one PDF output. Findings come sorted: images by path, then text,
/// bleed and imposition, then the printer's rules.
pub fn check(layout: &Layout, images: &Images, settings: &PdfSettings, subject: Subject<'_>) -> Vec<Finding> {
    let output = subject.output;
    let mut out = Vec::new();
    resolution(layout, images, settings, &mut out);
    colour(layout, images, settings, output, &mut out);
    small_text(layout, output, &mut out);
    bleed(layout, settings, output, &mut out);
    if settings.imposition == Some(Imposition::Booklet) && !layout.pages.len().is_multiple_of(4) {
        let n = layout.pages.len();
        let blanks = pdf::booklet_pages(n, settings.back_cover).len() - n;
        let place = if settings.back_cover { "before the back cover" } else { "after the text" };
        out.push(finding(
            Level::Note,
            None,
            format!(
                "output `{output}`: the booklet has {n} pages, not a multiple of 4; \
                 {blanks} blank page(s) go {place}"
            ),
            match settings.fit {
                Some(Fit { target: FitTarget::Booklet, .. }) => {
                    "no size between font-size-min and font-size-max fills whole sheets; widen them, or accept the blank pages"
                }
                _ => "set fit-pages = \"booklet\" to copyfit it to whole sheets, or accept the blank pages",
            },
        ));
    }
    if let Some(fit) = &settings.fit
        && (fit.target != FitTarget::Booklet || layout.pages.len().is_multiple_of(4))
    {
        out.push(fitted(layout, fit, output));
    }
    if let Some(printer) = settings.printer {
        printer_rules(layout, images, settings, printer, subject, &mut out);
    }
    if settings.imposition == Some(Imposition::TriFold) && layout.pages.len() > pdf::TRIFOLD_PANELS {
        let n = layout.pages.len();
        out.push(finding(
            Level::Warning,
            None,
            format!("output `{output}`: the text takes {n} panels; a tri-fold leaflet has 6"),
            "set fit-pages = 6 to copyfit it, shorten the text, or use smaller margins",
        ));
    }
    out
}

/// The body size a copyfitted output was set at: the size of most glyphs.
fn fitted(layout: &Layout, fit: &crate::manifest::Fit, output: &str) -> Finding {
    let mut glyphs: BTreeMap<u64, usize> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                *glyphs.entry((run.size.get() * 100.0).round() as u64).or_default() += run.glyphs.len();
            }
        }
    }
    let body =
        glyphs.iter().max_by_key(|(size, n)| (**n, **size)).map_or(0.0, |(size, _)| *size as f64 / 100.0);
    let bounds = |p: Pt| (p.get() * 10.0).round() / 10.0;
    finding(
        Level::Note,
        None,
        format!(
            "output `{output}`: fitted to {} page(s) at {body}pt (allowed {}pt to {}pt)",
            layout.pages.len(),
            bounds(fit.min),
            bounds(fit.max)
        ),
        "set `font-size-min` or `font-size-max` to change the range tried",
    )
}

/// Lowest resolution of each image over all its placements; under a printer's
/// rules, anything below the resolution it asks is a warning.
fn resolution(layout: &Layout, images: &Images, settings: &PdfSettings, out: &mut Vec<Finding>) {
    let asked = settings.printer.map(|p| p.printer.rules());
    let mut worst: BTreeMap<&PathBuf, (f64, usize)> = BTreeMap::new();
    for (i, page) in layout.pages.iter().enumerate() {
        for item in &page.items {
            let Item::Image(img) = item else { continue };
            let Some(asset) = images.get(&img.key) else { continue };
            let dpi_w = f64::from(asset.width) / (img.rect.width.get() / 72.0);
            let dpi_h = f64::from(asset.height) / (img.rect.height.get() / 72.0);
            let dpi = dpi_w.min(dpi_h);
            let entry = worst.entry(&img.key).or_insert((f64::INFINITY, i));
            if dpi < entry.0 {
                *entry = (dpi, i);
            }
        }
    }
    for (key, (dpi, page)) in worst {
        if let Some(rules) = asked
            && dpi < rules.min_dpi - 0.5
        {
            let label = &layout.pages[page].label;
            out.push(finding(
                Level::Warning,
                Some(Location::file(key)),
                format!(
                    "image is printed at {dpi:.0} dpi on page {label}; {} asks for {:.0} dpi",
                    rules.name, rules.min_dpi
                ),
                "use a larger image file or print it smaller",
            ));
            continue;
        }
        let level = if dpi < MIN_DPI {
            Level::Warning
        } else if dpi < GOOD_DPI {
            Level::Note
        } else {
            continue;
        };
        let label = &layout.pages[page].label;
        out.push(finding(
            level,
            Some(Location::file(key)),
            format!("image is printed at {dpi:.0} dpi on page {label}, below {GOOD_DPI:.0} dpi"),
            "use a larger image file or print it smaller; 200 dpi at the printed size is enough",
        ));
    }
}

/// Colour a press would object to: RGB pictures left in a PDF/X file for the
/// printer to convert, and CMYK pictures with more ink than the output
/// profile allows (it will not dry, and sets off on the facing sheet).
fn colour(layout: &Layout, images: &Images, settings: &PdfSettings, output: &str, out: &mut Vec<Finding>) {
    let placed: std::collections::BTreeSet<&PathBuf> = placed_images(layout).collect();
    let assets = || placed.iter().filter_map(|k| images.get(*k).map(|a| (*k, a)));
    match settings.color {
        ColorMode::Color if settings.pdfx => {
            let rgb: Vec<String> = assets()
                .filter(|(_, a)| !crate::images::is_cmyk(a) && !crate::images::is_gray(a))
                .map(|(k, _)| k.file_name().unwrap_or(k.as_os_str()).to_string_lossy().into_owned())
                .collect();
            if !rgb.is_empty() {
                out.push(finding(
                    Level::Note,
                    None,
                    format!(
                        "output `{output}`: {} picture(s) stay in RGB (tagged sRGB) for the printer to convert: {}",
                        rgb.len(),
                        list(&rgb)
                    ),
                    "set color = \"cmyk\" to convert them to the press's CMYK here, as most offset printers ask",
                ));
            }
        }
        ColorMode::Cmyk => {
            let limit = pdf::cmyk::ink_limit();
            for (key, asset) in assets() {
                if let Some(most) = pdf::cmyk::most_ink(asset).filter(|m| *m > limit + 2.0) {
                    out.push(finding(
                        Level::Warning,
                        Some(Location::file(key)),
                        format!(
                            "image lays down up to {most:.0} % ink in output `{output}`, over the press's limit of {limit:.0} %"
                        ),
                        "separate it again with the printer's profile, or give the RGB original and let samizdat convert it",
                    ));
                }
            }
        }
        _ => {}
    }
}

/// The laid-out book against its printer's rules: page count and its multiple,
/// the inside margin the page count needs, and the safe zone along the trim.
/// Each finding points at `printer` in book.toml.
fn printer_rules(
    layout: &Layout,
    images: &Images,
    settings: &PdfSettings,
    printer: PrinterUse,
    subject: Subject<'_>,
    out: &mut Vec<Finding>,
) {
    let rules = printer.printer.rules();
    let name = rules.name;
    let output = subject.output;
    let at = subject.manifest.map(|m| Location {
        file: m.to_path_buf(),
        line: printer.line,
        column: printer.column,
    });
    let mut warn = |message: String, hint: &str| out.push(finding(Level::Warning, at.clone(), message, hint));
    let n = layout.pages.len();
    if !subject.cover {
        let (least, most) = rules.pages;
        if n < least || n > most {
            warn(
                format!("output `{output}` has {n} pages; {name} binds {least} to {most}"),
                "add or cut pages, or choose another printer for a book this size",
            );
        }
        if !n.is_multiple_of(rules.page_multiple) {
            warn(
                format!(
                    "output `{output}` has {n} pages, not a multiple of {}, as {name} asks",
                    rules.page_multiple
                ),
                "end the book on an even page; a blank page at the end will do",
            );
        }
        let inner = settings.margins.inner + settings.binding_offset;
        let gutter = rules.gutter_mm(n);
        if inner.to_mm() + 0.05 < gutter {
            warn(
                format!(
                    "output `{output}`: the inside margin is {:.1}mm; {name} asks {gutter:.1}mm for {n} pages",
                    inner.to_mm()
                ),
                "widen `margins.inner` or add a `binding-offset`",
            );
        }
    }
    // The safe zone: text, and pictures that do not run into the bleed.
    let safe = Pt::mm(rules.safe_mm);
    let mut outside: Vec<String> = Vec::new();
    for page in &layout.pages {
        let (w, h) = (page.width, page.height);
        let inside =
            |x0: Pt, y0: Pt, x1: Pt, y1: Pt| x0 >= safe && y0 >= safe && x1 <= w - safe && y1 <= h - safe;
        let unsafe_item = page.items.iter().any(|item| match item {
            Item::Text(r) if r.turn == crate::layout::Turn::Across => {
                !inside(r.x, r.y - r.size * 0.75, r.x + r.width(), r.y + r.size * 0.25)
            }
            Item::Image(img) => {
                let r = img.rect;
                !pdf::touched_edges(&r, w, h).any() && !inside(r.x, r.y, r.x + r.width, r.y + r.height)
            }
            _ => false,
        });
        if unsafe_item {
            outside.push(page.label.to_string());
        }
    }
    if !outside.is_empty() {
        warn(
            format!(
                "output `{output}`: text or pictures closer than {:.1}mm to the trim, which {name} may cut, on page(s) {}",
                rules.safe_mm,
                list(&outside)
            ),
            "widen the margins (running heads and page numbers sit in them too)",
        );
    }
    // Ink past the printer's own limit, lower than the profile's.
    if let Some(limit) = rules.ink_limit
        && settings.color == ColorMode::Cmyk
    {
        let placed: std::collections::BTreeSet<&PathBuf> = placed_images(layout).collect();
        for key in placed {
            let Some(asset) = images.get(key) else { continue };
            if let Some(most) = pdf::cmyk::most_ink_printed(asset).filter(|m| *m > limit + 2.0) {
                out.push(finding(
                    Level::Warning,
                    Some(Location::file(key)),
                    format!("image lays down up to {most:.0} % ink in output `{output}`; {name} allows {limit:.0} %"),
                    "lighten its shadows, or separate it with a profile limited to the printer's ink",
                ));
            }
        }
    }
}

/// The keys of the images placed in a layout.
fn placed_images(layout: &Layout) -> impl Iterator<Item = &PathBuf> {
    layout.pages.iter().flat_map(|p| &p.items).filter_map(|i| match i {
        Item::Image(img) => Some(&img.key),
        _ => None,
    })
}

/// Text set below [`MIN_TEXT`], once per output with the pages it is on.
fn small_text(layout: &Layout, output: &str, out: &mut Vec<Finding>) {
    let mut pages = Vec::new();
    let mut smallest = MIN_TEXT;
    for page in &layout.pages {
        let sizes = page.items.iter().filter_map(|i| match i {
            Item::Text(run) if run.size < MIN_TEXT => Some(run.size),
            _ => None,
        });
        let mut any = false;
        for s in sizes {
            smallest = smallest.min(s);
            any = true;
        }
        if any {
            pages.push(page.label.to_string());
        }
    }
    if pages.is_empty() {
        return;
    }
    out.push(finding(
        Level::Warning,
        None,
        format!("output `{output}`: text set at {smallest} on page(s) {}, below {MIN_TEXT}", list(&pages)),
        "use a larger `font-size`; 6pt is the smallest size that prints legibly",
    ));
}

/// Images that touch the trim without bleed, or stop just short of it.
fn bleed(layout: &Layout, settings: &PdfSettings, output: &str, out: &mut Vec<Finding>) {
    let mut touching = Vec::new();
    let mut short: BTreeMap<PathBuf, (Pt, String)> = BTreeMap::new();
    for page in &layout.pages {
        for item in &page.items {
            let Item::Image(img) = item else { continue };
            let r = &img.rect;
            if pdf::touched_edges(r, page.width, page.height).any() {
                touching.push(page.label.to_string());
            }
            let gaps = [r.x, page.width - (r.x + r.width), r.y, page.height - (r.y + r.height)];
            for gap in gaps {
                if gap > pdf::BLEED_TOUCH && gap < SAFE_DISTANCE {
                    short.entry(img.key.clone()).or_insert((gap, page.label.to_string()));
                }
            }
        }
    }
    if settings.bleed == Pt::ZERO && !touching.is_empty() {
        touching.dedup();
        out.push(finding(
            Level::Warning,
            None,
            format!(
                "output `{output}`: images on page(s) {} run to the trim edge but the output has no bleed",
                list(&touching)
            ),
            "add bleed = \"3mm\" to the output, or a print shop will trim into white paper",
        ));
    }
    for (key, (gap, label)) in short {
        out.push(finding(
            Level::Warning,
            Some(Location::file(key)),
            format!("image stops {:.1}mm short of the trim edge on page {label}", gap.to_mm()),
            "place it at the edge to print it into the bleed, or keep it at least 3mm inside the trim",
        ));
    }
}

/// `1, 2, 3` or `1, 2, 3 and 7 more`.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    if items.len() <= SHOWN {
        items.join(", ")
    } else {
        format!("{} and {} more", items[..SHOWN].join(", "), items.len() - SHOWN)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::layout::{Page, PageLabel, PlacedImage, Rect};
    use crate::manifest::default_pdf;
    use crate::model::{ImageAsset, ImageFormat, Lang};

    fn page(n: usize, items: Vec<Item>) -> Page {
        Page {
            width: Pt::new(400.0),
            height: Pt::new(600.0),
            number: n,
            label: PageLabel::Arabic(n),
            lang: Lang::Ru,
            items,
            lines: Vec::new(),
            marks: Vec::new(),
        }
    }

    fn image(key: &str, x: f64, y: f64, w: f64, h: f64) -> Item {
        let rect = Rect { x: Pt::new(x), y: Pt::new(y), width: Pt::new(w), height: Pt::new(h) };
        Item::Image(PlacedImage { key: PathBuf::from(key), rect })
    }

    fn asset(width: u32, height: u32) -> ImageAsset {
        ImageAsset { format: ImageFormat::Png, width, height, bytes: Arc::new(Vec::new()) }
    }

    fn run(layout: Layout, images: &Images, settings: &PdfSettings) -> Vec<Finding> {
        check(&layout, images, settings, Subject { output: "print", manifest: None, cover: false })
    }

    fn layout(pages: Vec<Page>) -> Layout {
        let mut l = Layout::default();
        l.pages = pages;
        l
    }

    // 180 dpi is a note, 100 dpi a warning, 200 dpi nothing; each image is reported once.
    #[test]
    fn image_resolution_levels() {
        let mut images = Images::new();
        images.insert(PathBuf::from("/a.png"), asset(360, 360)); // 2 in → 180 dpi
        images.insert(PathBuf::from("/b.png"), asset(200, 200)); // 2 in → 100 dpi
        images.insert(PathBuf::from("/c.png"), asset(400, 400)); // 2 in → 200 dpi
        let items = ["/a.png", "/b.png", "/c.png", "/a.png"]
            .iter()
            .map(|k| image(k, 50.0, 50.0, 144.0, 144.0))
            .collect();
        let f = run(layout(vec![page(1, items)]), &images, &default_pdf());
        let levels: Vec<(Level, String)> =
            f.iter().map(|f| (f.level, f.diagnostic.message.clone())).collect();
        assert_eq!(
            levels,
            [
                (Level::Note, "image is printed at 180 dpi on page 1, below 200 dpi".to_owned()),
                (Level::Warning, "image is printed at 100 dpi on page 1, below 200 dpi".to_owned()),
            ]
        );
        assert!(f[0].to_string().starts_with("note: /a.png: image is printed"), "{}", f[0]);
    }

    // An image touching the trim needs bleed; one just inside the trim is reported too.
    #[test]
    fn bleed_problems() {
        let mut images = Images::new();
        images.insert(PathBuf::from("/a.png"), asset(4000, 4000));
        let pages = vec![
            page(1, vec![image("/a.png", 0.0, 0.0, 400.0, 200.0)]),
            page(2, vec![image("/a.png", 4.0, 100.0, 300.0, 100.0)]),
        ];
        let f = run(layout(pages.clone()), &images, &default_pdf());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].diagnostic.message.contains("page(s) 1 run to the trim edge but the output has no bleed")
        );
        assert!(f[1].diagnostic.message.contains("stops 1.4mm short of the trim edge on page 2"));
        let bled = PdfSettings { bleed: Pt::mm(3.0), ..default_pdf() };
        assert_eq!(run(layout(pages), &images, &bled).len(), 1);
    }

    // A 6-page booklet is padded with two blanks, said in a note.
    #[test]
    fn booklet_padding_note() {
        let settings = PdfSettings { imposition: Some(Imposition::Booklet), ..default_pdf() };
        let f = run(layout((1..=6).map(|n| page(n, Vec::new())).collect()), &Images::new(), &settings);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].level, Level::Note);
        assert!(
            f[0].diagnostic
                .message
                .contains("6 pages, not a multiple of 4; 2 blank page(s) go after the text")
        );
        let back = PdfSettings { back_cover: true, ..settings };
        let f = run(layout((1..=6).map(|n| page(n, Vec::new())).collect()), &Images::new(), &back);
        assert!(f[0].diagnostic.message.ends_with("2 blank page(s) go before the back cover"));
        let f = run(layout((1..=8).map(|n| page(n, Vec::new())).collect()), &Images::new(), &settings);
        assert!(f.is_empty());
    }

    // Lists of pages stay short.
    #[test]
    fn long_lists_are_cut() {
        let items: Vec<String> = (1..=10).map(|n| n.to_string()).collect();
        assert_eq!(list(&items), "1, 2, 3, 4, 5, 6, 7, 8 and 2 more");
    }
}
