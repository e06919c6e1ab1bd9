//! Printer profiles: what a print service's published file specification asks
//! of an interior or a cover, as data. `printer = "NAME"` in an output sets the
//! defaults these rules imply (bleed, marks, colour, standard); the manifest
//! warns where an explicit key breaks one, and preflight checks the laid-out
//! book against the rest (trim, page count, gutter, safe zone, resolution, ink).
//!
//! Sources, read in December 2026:
//! - Lulu: help.lulu.com "What is bleed" (article 64000255584: 0.125 in on every
//!   side, no crop or registration marks, 0.5 in safety margin), "What is a
//!   gutter?" (help.api.lulu.com 64000254615), "Interior formatting FAQ"
//!   (64000255590: 300 ppi, sRGB or grayscale), the Lulu spine width
//!   calculator (32 pages minimum for a paperback), blog.lulu.com
//!   "choosing the right book size" (trim sizes).
//! - Amazon KDP: "Paperback Submission Guidelines" (G201857950: no crop or
//!   printer's marks, fonts embedded, 300 DPI), "Print Options" (G201834180:
//!   paper, 24 pages minimum, 828 maximum on white paper), "Set trim size,
//!   bleed and margins" (GVBQ3CMEQW3W2VL6: 0.125 in bleed, inside margin by page
//!   count, outside margins 0.25 in, 0.375 in with bleed).
//! - IngramSpark: "File creation guide" and help articles 5338636202637 (0.5 in
//!   margins from the trim, no crop marks), 6443532453901 (PDF/X), 5338619119245
//!   (CMYK or grayscale), Lightning Source 360021155692 (total ink at most 240 %);
//!   the trim list and the gutter table are as IngramSpark's calculators give
//!   them, not from one official page.
//! - Generic offset (a European sheet-fed press): PDF/X-4 in CMYK on FOGRA39,
//!   3 mm bleed and crop marks, 300 dpi, as German and Polish printers publish
//!   (woelferdruck.de, druckscheune.de, drukarnia-suchecki.pl).

use crate::manifest::ColorMode;

/// A print service whose rules an output follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    /// A European offset press: PDF/X-4, CMYK on FOGRA39, crop marks.
    GenericOffset,
    /// Lulu's print-on-demand paperbacks.
    Lulu,
    /// Amazon KDP paperbacks.
    Kdp,
    /// IngramSpark (Lightning Source) paperbacks.
    IngramSpark,
}

/// The names `printer` accepts.
pub const NAMES: &[(&str, Printer)] = &[
    ("generic-offset", Printer::GenericOffset),
    ("lulu", Printer::Lulu),
    ("kdp", Printer::Kdp),
    ("ingramspark", Printer::IngramSpark),
];

/// Paper stocks `paper-caliper` accepts by name, with the thickness of one leaf
/// (two pages) in mm: KDP's spine factors per page (0.002252 in white, 0.0025 in
/// cream, 0.002347 in premium colour, from its cover calculator), Lulu's 60#
/// white at 444 pages per inch (help.api.lulu.com 64000254616), and 80 g/m²
/// uncoated offset.
pub const STOCKS: &[(&str, f64)] = &[
    ("kdp-white", 2.0 * 0.002252 * IN),
    ("kdp-cream", 2.0 * 0.0025 * IN),
    ("kdp-color", 2.0 * 0.002347 * IN),
    ("lulu-white", 2.0 * IN / 444.0),
    ("offset-80", 0.1),
];

/// What a printer asks of a file.
#[derive(Debug)]
pub struct Rules {
    /// The service's name in messages.
    pub name: &'static str,
    /// Trim sizes it prints, width × height in mm, portrait; empty: any.
    pub trims: &'static [(f64, f64)],
    /// Bleed it asks on every side, mm.
    pub bleed_mm: f64,
    /// Crop marks: wanted (true) or refused (false).
    pub crop_marks: bool,
    /// Colour it wants the file in.
    pub color: ColorMode,
    /// It wants PDF/X-4.
    pub pdfx: bool,
    /// It imposes the pages itself: single pages only.
    pub single_pages: bool,
    /// Fewest and most pages of an interior.
    pub pages: (usize, usize),
    /// The page count must be a multiple of this.
    pub page_multiple: usize,
    /// Least inside margin (binding offset included) by page count: (up to this
    /// many pages, mm), the last entry for any larger count.
    pub gutter: &'static [(usize, f64)],
    /// How far from the trim text and pictures that do not bleed must stay, mm.
    pub safe_mm: f64,
    /// Least resolution of a picture at its printed size.
    pub min_dpi: f64,
    /// Most total ink, percent, where lower than the output profile's.
    pub ink_limit: Option<f64>,
}

const IN: f64 = 25.4;

impl Printer {
    /// The service's rules.
    pub fn rules(self) -> &'static Rules {
        match self {
            Printer::GenericOffset => &GENERIC_OFFSET,
            Printer::Lulu => &LULU,
            Printer::Kdp => &KDP,
            Printer::IngramSpark => &INGRAMSPARK,
        }
    }

    /// The keyword in book.toml.
    pub fn keyword(self) -> &'static str {
        NAMES.iter().find(|(_, p)| *p == self).map_or("", |(k, _)| k)
    }
}

impl Rules {
    /// Whether `w` × `h` mm (either way up) is one of the trims, to half a millimetre.
    pub fn prints_trim(&self, w: f64, h: f64) -> bool {
        let near = |a: f64, b: f64| (a - b).abs() <= 0.5;
        self.trims.is_empty()
            || self.trims.iter().any(|&(tw, th)| (near(w, tw) && near(h, th)) || (near(w, th) && near(h, tw)))
    }

    /// The least inside margin for `pages` pages, mm (0 without a rule).
    pub fn gutter_mm(&self, pages: usize) -> f64 {
        self.gutter.iter().find(|(up_to, _)| pages <= *up_to).or(self.gutter.last()).map_or(0.0, |g| g.1)
    }

    /// The trims as a person reads them, for hints.
    pub fn trim_list(&self) -> String {
        let mm = |v: f64| (v * 10.0).round() / 10.0;
        let shown: Vec<String> = self.trims.iter().map(|(w, h)| format!("{}x{}mm", mm(*w), mm(*h))).collect();
        shown.join(", ")
    }
}

static GENERIC_OFFSET: Rules = Rules {
    name: "a generic offset press",
    trims: &[],
    bleed_mm: 3.0,
    crop_marks: true,
    color: ColorMode::Cmyk,
    pdfx: true,
    single_pages: false,
    pages: (1, usize::MAX),
    page_multiple: 2,
    gutter: &[],
    safe_mm: 3.0,
    min_dpi: 300.0,
    ink_limit: None,
};

static LULU: Rules = Rules {
    name: "Lulu",
    trims: &[
        (4.25 * IN, 6.875 * IN),
        (5.5 * IN, 8.5 * IN),
        (148.0, 210.0),
        (6.0 * IN, 9.0 * IN),
        (6.14 * IN, 9.21 * IN),
        (7.0 * IN, 10.0 * IN),
        (7.44 * IN, 9.68 * IN),
        (210.0, 297.0),
        (8.5 * IN, 11.0 * IN),
        (8.5 * IN, 8.5 * IN),
        (7.0 * IN, 9.0 * IN),
    ],
    bleed_mm: 0.125 * IN,
    crop_marks: false,
    color: ColorMode::Color,
    pdfx: false,
    single_pages: true,
    pages: (32, 800),
    page_multiple: 2,
    gutter: &[(60, 0.5 * IN), (150, 0.625 * IN), (400, 1.0 * IN), (600, 1.125 * IN), (usize::MAX, 1.25 * IN)],
    safe_mm: 0.5 * IN,
    min_dpi: 300.0,
    ink_limit: None,
};

static KDP: Rules = Rules {
    name: "Amazon KDP",
    trims: &[
        (5.0 * IN, 8.0 * IN),
        (5.06 * IN, 7.81 * IN),
        (5.25 * IN, 8.0 * IN),
        (5.5 * IN, 8.5 * IN),
        (6.0 * IN, 9.0 * IN),
        (6.14 * IN, 9.21 * IN),
        (6.69 * IN, 9.61 * IN),
        (7.0 * IN, 10.0 * IN),
        (7.44 * IN, 9.69 * IN),
        (7.5 * IN, 9.25 * IN),
        (8.0 * IN, 10.0 * IN),
        (6.0 * IN, 8.25 * IN),
        (8.25 * IN, 8.25 * IN),
        (8.5 * IN, 8.5 * IN),
        (8.5 * IN, 11.0 * IN),
        (210.0, 297.0),
    ],
    bleed_mm: 0.125 * IN,
    crop_marks: false,
    color: ColorMode::Color,
    pdfx: false,
    single_pages: true,
    pages: (24, 828),
    page_multiple: 2,
    gutter: &[
        (150, 0.375 * IN),
        (300, 0.5 * IN),
        (500, 0.625 * IN),
        (700, 0.75 * IN),
        (usize::MAX, 0.875 * IN),
    ],
    safe_mm: 0.375 * IN,
    min_dpi: 300.0,
    ink_limit: None,
};

static INGRAMSPARK: Rules = Rules {
    name: "IngramSpark",
    trims: &[
        (5.0 * IN, 8.0 * IN),
        (5.25 * IN, 8.0 * IN),
        (5.5 * IN, 8.5 * IN),
        (148.0, 210.0),
        (6.0 * IN, 9.0 * IN),
        (6.14 * IN, 9.21 * IN),
        (6.69 * IN, 9.61 * IN),
        (7.0 * IN, 10.0 * IN),
        (7.44 * IN, 9.69 * IN),
        (8.0 * IN, 10.0 * IN),
        (8.5 * IN, 11.0 * IN),
        (210.0, 297.0),
    ],
    bleed_mm: 0.125 * IN,
    crop_marks: false,
    color: ColorMode::Cmyk,
    pdfx: true,
    single_pages: true,
    pages: (18, 1200),
    page_multiple: 2,
    gutter: &[(150, 0.5 * IN), (400, 0.625 * IN), (600, 0.75 * IN), (usize::MAX, 0.875 * IN)],
    safe_mm: 0.5 * IN,
    min_dpi: 300.0,
    ink_limit: Some(240.0),
};

#[cfg(test)]
mod tests {
    use super::*;

    // KDP's inside margin grows with the page count; A5 is a Lulu trim either way
    // up, and not a KDP one; a generic press takes any trim.
    #[test]
    fn rules_read_as_published() {
        let kdp = Printer::Kdp.rules();
        assert!((kdp.gutter_mm(120) - 9.525).abs() < 1e-9);
        assert!((kdp.gutter_mm(151) - 12.7).abs() < 1e-9);
        assert!((kdp.gutter_mm(900) - 22.225).abs() < 1e-9);
        assert!(Printer::Lulu.rules().prints_trim(210.0, 148.0));
        assert!(!kdp.prints_trim(148.0, 210.0));
        assert!(Printer::GenericOffset.rules().prints_trim(99.0, 210.0));
        assert_eq!(Printer::IngramSpark.keyword(), "ingramspark");
    }
}
