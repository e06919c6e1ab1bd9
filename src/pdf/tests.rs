//! Unit tests of the PDF writer over hand-made layouts: boxes, colour
//! operators, grayscale images and imposed sheets. The files are read back as
//! bytes (page dictionaries are not compressed; content streams are written
//! uncompressed where a test reads them).

use super::font::{SheetGlyphs, use_run};
use super::*;
use crate::layout::TextRun;
use crate::layout::{Page, PageLabel, PlacedImage};
use crate::manifest::ColorMode;
use crate::model::{ImageAsset, Lang};

/// A 4 × 2 RGB PNG, red and blue.
fn png_rgb() -> ImageAsset {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, 4, 2);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        let px: Vec<u8> = (0..8).flat_map(|i| if i % 2 == 0 { [255, 0, 0] } else { [0, 0, 255] }).collect();
        w.write_image_data(&px).unwrap();
    }
    crate::images::probe(bytes).unwrap()
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
    Rect { x: Pt::new(x), y: Pt::new(y), width: Pt::new(w), height: Pt::new(h) }
}

/// `n` A5 pages, each with a rule and, on the first, an image touching the top,
/// left and right trim edges.
fn layout(n: usize) -> (Layout, Images) {
    let (w, h) = (Pt::mm(148.0), Pt::mm(210.0));
    let key = PathBuf::from("/img/banner.png");
    let pages = (0..n)
        .map(|i| {
            let mut items = vec![Item::Rule(rect(50.0, 300.0, 200.0, 1.0))];
            if i == 0 {
                items.push(Item::Image(PlacedImage {
                    key: key.clone(),
                    rect: rect(0.0, 0.0, w.get(), 200.0),
                }));
            }
            let label = PageLabel::Arabic(i + 1);
            Page {
                width: w,
                height: h,
                number: i + 1,
                label,
                lang: Lang::Ru,
                items,
                lines: Vec::new(),
                marks: Vec::new(),
            }
        })
        .collect();
    let mut images = Images::new();
    images.insert(key, png_rgb());
    let mut layout = Layout::default();
    layout.pages = pages;
    (layout, images)
}

/// The four numbers after `/NAME[` in each occurrence, in file order.
fn boxes(pdf: &[u8], name: &str) -> Vec<[f64; 4]> {
    let text = String::from_utf8_lossy(pdf);
    let needle = format!("/{name}[");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            let end = rest.find(']').unwrap();
            let v: Vec<f64> = rest[..end].split_whitespace().map(|n| n.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

#[track_caller]
fn close(a: [f64; 4], b: [f64; 4]) {
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 0.01, "{a:?} is not {b:?}");
    }
}

fn opts(bleed_mm: f64, crop_marks: bool) -> PdfOptions {
    PdfOptions {
        title: "T".into(),
        lang: "ru".into(),
        print: PdfSettings { bleed: Pt::mm(bleed_mm), crop_marks, ..Default::default() },
        ..Default::default()
    }
}

// Bleed grows the MediaBox on every side; TrimBox is the page, BleedBox trim plus bleed.
#[test]
fn bleed_boxes() {
    let (lay, images) = layout(1);
    let pdf = write(&lay, &FontSet::embedded(), &images, &opts(3.0, false)).unwrap().into_bytes();
    let (w, h, b) = (Pt::mm(148.0).get(), Pt::mm(210.0).get(), Pt::mm(3.0).get());
    close(boxes(&pdf, "MediaBox")[0], [0.0, 0.0, w + 2.0 * b, h + 2.0 * b]);
    close(boxes(&pdf, "TrimBox")[0], [b, b, w + b, h + b]);
    close(boxes(&pdf, "BleedBox")[0], [0.0, 0.0, w + 2.0 * b, h + 2.0 * b]);
}

// Crop marks add a slug around the bleed; TrimBox and BleedBox stay exact.
#[test]
fn crop_mark_boxes() {
    let (lay, images) = layout(1);
    let pdf = write(&lay, &FontSet::embedded(), &images, &opts(3.0, true)).unwrap().into_bytes();
    let (w, h, b, s) = (Pt::mm(148.0).get(), Pt::mm(210.0).get(), Pt::mm(3.0).get(), SLUG.get());
    let m = b + s;
    close(boxes(&pdf, "MediaBox")[0], [0.0, 0.0, w + 2.0 * m, h + 2.0 * m]);
    close(boxes(&pdf, "TrimBox")[0], [m, m, w + m, h + m]);
    close(boxes(&pdf, "BleedBox")[0], [s, s, w + b + m, h + b + m]);
}

// Text, rules and crop marks use DeviceGray operators only: no RGB, no CMYK rich black.
#[test]
fn marks_and_rules_are_device_gray() {
    let (mut lay, images) = layout(1);
    lay.pages[0].items.retain(|i| !matches!(i, Item::Image(_)));
    let sheets = impose::reading_order(&[(lay.pages[0].width, lay.pages[0].height)]);
    let pdf = render(
        &mut Pages::Shared(&lay.pages),
        Some(&lay.outline),
        None,
        &FontSet::embedded(),
        &images,
        &opts(3.0, true),
        &sheets,
        false,
    )
    .unwrap()
    .into_bytes();
    let text = String::from_utf8_lossy(&pdf);
    let ops: Vec<&str> = text.split_whitespace().collect();
    assert!(ops.windows(2).any(|w| w == ["0", "g"]), "text and rules fill with DeviceGray black");
    assert!(ops.windows(3).any(|w| w == ["0", "G", "0.25"]), "marks stroke DeviceGray black, 0.25 pt");
    for op in ["rg", "RG", "k", "K", "sc", "scn"] {
        assert!(!ops.contains(&op), "found the colour operator `{op}`");
    }
}

// With color = "gray", images are embedded as DeviceGray, not RGB.
#[test]
fn gray_images() {
    let (lay, images) = layout(1);
    let color = write(&lay, &FontSet::embedded(), &images, &opts(0.0, false)).unwrap().into_bytes();
    assert!(String::from_utf8_lossy(&color).contains("/DeviceRGB"));
    let mut gray = opts(0.0, false);
    gray.print.color = ColorMode::Gray;
    let pdf = write(&lay, &FontSet::embedded(), &images, &gray).unwrap().into_bytes();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/DeviceGray"));
    assert!(!text.contains("/DeviceRGB"));
}

// A booklet of 6 pages has 2 sheets, 4 sides, each twice the page width; the image
// is embedded once although its page appears on one side only, and pages are shared.
#[test]
fn booklet_sheets() {
    let (lay, images) = layout(6);
    let imp = Imposition::Booklet;
    let pdf =
        write_imposed(&lay, &FontSet::embedded(), &images, &opts(0.0, false), imp).unwrap().into_bytes();
    let media = boxes(&pdf, "MediaBox");
    assert_eq!(media.len(), 4);
    close(media[0], [0.0, 0.0, 2.0 * Pt::mm(148.0).get(), Pt::mm(210.0).get()]);
    assert_eq!(String::from_utf8_lossy(&pdf).matches("/Subtype/Image").count(), 1);
}

// 4-up with bleed: the sheet is 2 × 2 pages, bleed only around the sheet.
#[test]
fn four_up_boxes() {
    let (lay, images) = layout(1);
    let imp = Imposition::FourUp;
    let pdf =
        write_imposed(&lay, &FontSet::embedded(), &images, &opts(3.0, false), imp).unwrap().into_bytes();
    let (w, h, b) = (2.0 * Pt::mm(148.0).get(), 2.0 * Pt::mm(210.0).get(), Pt::mm(3.0).get());
    close(boxes(&pdf, "TrimBox")[0], [b, b, w + b, h + b]);
    assert_eq!(String::from_utf8_lossy(&pdf).matches("/Subtype/Image").count(), 1);
}

// PDF/A-2b: XMP identification, an sRGB output intent and a file identifier.
#[test]
fn pdf_a_2b() {
    let (lay, images) = layout(2);
    let mut o = PdfOptions { date: Some((2026, 5, 1, 0, 0, 0)), ..opts(3.0, true) };
    o.print.standard = Some(Standard::PdfA2b);
    let pdf = write(&lay, &FontSet::embedded(), &images, &o).unwrap().into_bytes();
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "no PDF/A identification in XMP");
    assert!(text.contains("/S/GTS_PDFA1"), "no PDF/A output intent");
    assert!(text.contains("/DestOutputProfile"), "the output intent has no profile");
    assert!(text.contains("/ID["), "no file identifier in the trailer");
    assert!(!text.contains("/Interpolate true"), "PDF/A forbids interpolated images");
    // Without the standard, none of it.
    let plain = write(&lay, &FontSet::embedded(), &images, &opts(3.0, true)).unwrap().into_bytes();
    let plain = String::from_utf8_lossy(&plain);
    assert!(!plain.contains("GTS_PDFA1") && !plain.contains("pdfaid:part>"));
}

// An image touching trim edges counts as full-bleed on exactly those edges.
#[test]
fn touched_edges_of_images() {
    let (w, h) = (Pt::new(400.0), Pt::new(600.0));
    let e = touched_edges(&rect(0.2, 0.0, 399.9, 100.0), w, h);
    assert_eq!(e, Edges { left: true, right: true, top: true, bottom: false });
    assert!(!touched_edges(&rect(10.0, 10.0, 100.0, 100.0), w, h).any());
}

/// A run of glyphs `(id, byte range)` over `text`, as the layout makes them.
fn run_of(text: &str, glyphs: &[(u16, std::ops::Range<u32>)]) -> TextRun {
    TextRun {
        x: Pt::ZERO,
        y: Pt::ZERO,
        face: FaceId(0),
        size: Pt::new(10.0),
        text: text.into(),
        glyphs: glyphs
            .iter()
            .map(|(id, r)| crate::layout::Glyph {
                id: *id,
                len: (r.end - r.start) as u16,
                advance: crate::units::Em::new(0.5),
                start: r.start,
            })
            .collect(),
        offsets: Vec::new(),
        scale: 1.0,
        added: 0,
        note: 0,
        turn: crate::layout::Turn::Across,
    }
}

fn texts(uses: &BTreeMap<FaceId, SheetGlyphs>) -> Vec<(u16, String)> {
    uses[&FaceId(0)].used.glyphs.iter().map(|(g, t)| (*g, t.text.clone())).collect()
}

// A letter and its combining accent (the layout gives the cluster's range to the
// accent, an empty one to the letter) map one glyph to one character; a ligature
// maps to all its letters; a later lone glyph's text wins over a split one.
#[test]
fn glyph_texts_of_clusters() {
    let mut uses = BTreeMap::new();
    // "е́" as е (empty range) + U+0301, then "fi" as one ligature glyph.
    use_run(&run_of("е\u{301}fi", &[(10, 0..0), (11, 0..4), (20, 4..6)]), &mut uses);
    assert_eq!(texts(&uses), [(10, "е".into()), (11, "\u{301}".into()), (20, "fi".into())]);
    // Three glyphs for two characters: the first takes the text, the others none.
    let mut uses = BTreeMap::new();
    use_run(&run_of("ab", &[(30, 0..0), (31, 0..0), (32, 0..2), (10, 2..2)]), &mut uses);
    assert_eq!(uses[&FaceId(0)].used.glyphs[&30].text, "ab");
    assert_eq!(uses[&FaceId(0)].used.glyphs[&31].text, "");
    // A glyph first seen in a split cluster, later alone: the lone text is kept.
    let mut uses = BTreeMap::new();
    use_run(&run_of("xе\u{301}", &[(40, 0..1), (10, 1..1), (11, 1..5)]), &mut uses);
    use_run(&run_of("ё", &[(10, 0..2)]), &mut uses);
    assert_eq!(uses[&FaceId(0)].used.glyphs[&10].text, "ё");
}
