//! Print production read back from the PDFs with poppler: page boxes to 0.01 pt,
//! imposed sheet counts and sizes, the folio on each half of a booklet sheet,
//! fonts and images embedded once, grayscale images and PDF/A identification.
//!
//! Under `CI=true` a missing poppler tool fails the test; elsewhere the test is
//! skipped with a notice.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::Book;
use common::validate::have;

const MM: f64 = 72.0 / 25.4;
const A5: (f64, f64) = (148.0 * MM, 210.0 * MM);
const A6: (f64, f64) = (105.0 * MM, 148.0 * MM);
/// Bleed of the fixtures and the slug samizdat adds for crop marks.
const BLEED: f64 = 3.0 * MM;
const SLUG: f64 = 10.0 * MM;

/// True when every poppler tool the tests use is installed.
#[track_caller]
fn poppler() -> bool {
    ["pdfinfo", "pdftotext", "pdfimages", "pdffonts"].into_iter().all(have)
}

/// Runs a poppler tool on `pdf` (pdftotext writes to standard output with `-`).
#[track_caller]
fn tool(name: &str, args: &[&str], pdf: &Path) -> String {
    let mut cmd = Command::new(name);
    cmd.args(args).arg(pdf);
    if name == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    assert!(out.status.success(), "{name} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Page count and the boxes of every page: `pdfinfo -box -f 1 -l N`.
#[track_caller]
fn boxes(pdf: &Path) -> (usize, Vec<BTreeMap<String, [f64; 4]>>) {
    let info = tool("pdfinfo", &[], pdf);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    let last = pages.to_string();
    let text = tool("pdfinfo", &["-box", "-f", "1", "-l", &last], pdf);
    let mut out = vec![BTreeMap::new(); pages];
    for line in text.lines() {
        // `Page    1 MediaBox:      0.00     0.00   493.23   668.98`
        let Some(rest) = line.strip_prefix("Page") else { continue };
        let words: Vec<&str> = rest.split_whitespace().collect();
        if words.len() == 6 && words[1].ends_with("Box:") {
            let page: usize = words[0].parse().expect("page number");
            let v: Vec<f64> = words[2..].iter().map(|w| w.parse().expect("number")).collect();
            out[page - 1].insert(words[1].trim_end_matches(':').to_owned(), [v[0], v[1], v[2], v[3]]);
        }
    }
    (pages, out)
}

#[track_caller]
fn assert_box(found: &[f64; 4], expected: [f64; 4], what: &str) {
    for (f, e) in found.iter().zip(expected) {
        // pdfinfo prints two decimals: exact to 0.01 pt.
        assert!((f - e).abs() <= 0.0051, "{what}: {found:?}, expected {expected:?}");
    }
}

/// The text of a rectangle of page `page` (points from the top-left of the MediaBox),
/// or with `-bbox` when `boxes`: every word of the page, one `<word>` element a line.
#[track_caller]
fn text_in_as(pdf: &Path, page: usize, (x, y, w, h): (f64, f64, f64, f64), boxes: bool) -> String {
    let n = page.to_string();
    let [x, y, w, h] = [x, y, w, h].map(|v| (v.round() as i64).to_string());
    let mut args = vec!["-r", "72", "-f", &n, "-l", &n, "-x", &x, "-y", &y, "-W", &w, "-H", &h];
    if boxes {
        args.push("-bbox");
    }
    tool("pdftotext", &args, pdf)
}

/// The text of a rectangle of page `page` (points from the top-left of the MediaBox).
#[track_caller]
fn text_in(pdf: &Path, page: usize, x: f64, y: f64, w: f64, h: f64) -> String {
    text_in_as(pdf, page, (x, y, w, h), false)
}

/// The folio of a rectangle of page `page`: its lowest word, if that is a number.
#[track_caller]
fn folio_in(pdf: &Path, page: usize, rect: (f64, f64, f64, f64)) -> Option<usize> {
    let boxes = text_in_as(pdf, page, rect, true);
    let attr = |l: &str, name: &str| -> Option<f64> {
        l.split(&format!("{name}=\"")).nth(1)?.split('"').next()?.parse().ok()
    };
    // `-bbox` lists the whole page: keep the rectangle's words.
    let words = boxes.lines().filter_map(|l| {
        let (x0, x1, y) = (attr(l, "xMin")?, attr(l, "xMax")?, attr(l, "yMax")?);
        let inside = x0 >= rect.0 - 1.0 && x1 <= rect.0 + rect.2 + 1.0;
        let text = l.split('>').nth(1)?.split('<').next()?;
        inside.then(|| (y, text.to_owned()))
    });
    words.max_by(|a, b| a.0.total_cmp(&b.0)).and_then(|(_, t)| t.parse().ok())
}

/// Distinct image objects of a PDF (`pdfimages -list` lists each placement).
#[track_caller]
fn image_objects(pdf: &Path) -> Vec<(String, String)> {
    let list = tool("pdfimages", &["-list"], pdf);
    let mut seen: Vec<(String, String)> = list
        .lines()
        .skip(2)
        .filter_map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            (c.len() > 10 && c[2] == "image").then(|| (c[10].to_owned(), c[5].to_owned()))
        })
        .collect();
    seen.sort();
    seen.dedup();
    seen
}

/// Each font listed once by `pdffonts`.
#[track_caller]
fn assert_fonts_once(pdf: &Path) {
    let list = tool("pdffonts", &[], pdf);
    let names: Vec<&str> = list.lines().skip(2).filter_map(|l| l.split_whitespace().next()).collect();
    assert!(!names.is_empty(), "no fonts in {}", pdf.display());
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a font is embedded twice: {names:?}");
}

// Bleed and crop marks: MediaBox grows by bleed + slug, TrimBox is the A5 page and
// BleedBox the trim plus 3 mm, on every page.
#[test]
fn bleed_and_crop_mark_boxes() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/bleed");
    book.run(["build", "--output", "press"]).success();
    let (pages, all) = boxes(&book.path("out/press.pdf"));
    assert!(pages >= 1);
    let m = BLEED + SLUG;
    for b in &all {
        assert_box(&b["MediaBox"], [0.0, 0.0, A5.0 + 2.0 * m, A5.1 + 2.0 * m], "MediaBox");
        assert_box(&b["TrimBox"], [m, m, A5.0 + m, A5.1 + m], "TrimBox");
        assert_box(&b["BleedBox"], [SLUG, SLUG, A5.0 + m + BLEED, A5.1 + m + BLEED], "BleedBox");
    }
}

// 2-up: one sheet per page, two A5 pages side by side with the bleed around the
// sheet; 4-up: A6 flyers four to a sheet of 210 × 296 mm. Each image object once.
#[test]
fn two_up_and_four_up_sheets() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/bleed");
    book.run(["build", "--output", "cut"]).success();
    book.run(["build", "--output", "flyer"]).success();
    let (pages, _) = boxes(&book.path("out/cut.pdf"));
    let (sheets, all) = boxes(&book.path("out/cut-2-up.pdf"));
    assert_eq!(sheets, pages);
    let b = BLEED;
    assert_box(&all[0]["MediaBox"], [0.0, 0.0, 2.0 * A5.0 + 2.0 * b, A5.1 + 2.0 * b], "2-up MediaBox");
    assert_box(&all[0]["TrimBox"], [b, b, 2.0 * A5.0 + b, A5.1 + b], "2-up TrimBox");
    let (_, all) = boxes(&book.path("out/flyer-4-up.pdf"));
    assert_box(&all[0]["MediaBox"], [0.0, 0.0, 2.0 * A6.0, 2.0 * A6.1], "4-up MediaBox");
    for pdf in ["out/cut-2-up.pdf", "out/flyer-4-up.pdf"] {
        assert_eq!(image_objects(&book.path(pdf)).len(), 1, "{pdf}");
        assert_fonts_once(&book.path(pdf));
    }
}

/// The folios on each sheet side of an imposed booklet, left and right (`None`: a blank
/// page, checked to hold no text).
#[track_caller]
fn sheet_folios(pdf: &Path, sides: usize) -> Vec<(Option<usize>, Option<usize>)> {
    (1..=sides)
        .map(|i| {
            let (left, right) = ((0.0, 0.0, A6.0, A6.1), (A6.0, 0.0, A6.0, A6.1));
            let (l, r) = (folio_in(pdf, i, left), folio_in(pdf, i, right));
            for (rect, folio) in [(left, l), (right, r)] {
                let text = text_in(pdf, i, rect.0, rect.1, rect.2, rect.3);
                assert!(folio.is_some() || text.trim().is_empty(), "blank page has text: {text}");
            }
            (l, r)
        })
        .collect()
}

// A 6-page A6 booklet: padded to 8 with blanks after the text, so the reader never
// meets one inside it: 4 sheet sides of A5 landscape in duplex order –|1, 2|–, 6|3,
// 4|5, fonts and the image once. With `back-cover = true` the last page stays the
// outside of the last leaf and the blanks go before it: 6|1, 2|–, –|3, 4|5.
#[test]
fn booklet_sheets_and_folios() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/booklet");
    book.run(["build"])
        .success()
        .stderr_has("the booklet has 6 pages, not a multiple of 4; 2 blank page(s) go after the text");
    let (pages, _) = boxes(&book.path("out/booklet.pdf"));
    assert_eq!(pages, 6, "the fixture text should fill 6 A6 pages");
    let pdf = book.path("out/booklet-booklet.pdf");
    let (sheets, all) = boxes(&pdf);
    assert_eq!(sheets, 4);
    for b in &all {
        assert_box(&b["MediaBox"], [0.0, 0.0, 2.0 * A6.0, A6.1], "sheet MediaBox");
    }
    assert_eq!(
        sheet_folios(&pdf, 4),
        [(None, Some(1)), (Some(2), None), (Some(6), Some(3)), (Some(4), Some(5))]
    );
    assert_fonts_once(&pdf);
    assert_eq!(image_objects(&pdf).len(), 1);

    let toml = std::fs::read_to_string(book.path("book.toml")).expect("book.toml");
    book.write("book.toml", format!("{toml}back-cover = true\n"));
    book.run(["build"]).success().stderr_has("2 blank page(s) go before the back cover");
    assert_eq!(
        sheet_folios(&pdf, 4),
        [(Some(6), Some(1)), (Some(2), None), (None, Some(3)), (Some(4), Some(5))]
    );
}

// fit-pages = "booklet": a text of 6 pages at 9pt does not reach whole sheets within
// the default 15 % and is padded; given room up to 11pt, it is copyfitted to 8 pages
// and the booklet has no blank page.
#[test]
fn booklet_fitted_to_whole_sheets() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/booklet");
    let toml = std::fs::read_to_string(book.path("book.toml")).expect("book.toml");
    book.write("book.toml", format!("{toml}fit-pages = \"booklet\"\n"));
    book.run(["build"])
        .success()
        .stderr_has("no size between font-size-min and font-size-max fills whole sheets");
    book.write("book.toml", format!("{toml}fit-pages = \"booklet\"\nfont-size-max = \"11pt\"\n"));
    let run = book.run(["build"]);
    run.success();
    let out = format!("{}{}", run.stderr, run.stdout);
    assert!(!out.contains("blank page"), "{out}");
    let (pages, _) = boxes(&book.path("out/booklet.pdf"));
    assert_eq!(pages, 8);
    let note = out.lines().find(|l| l.contains("fitted to")).expect("a fit note");
    let size: f64 = note
        .split(" at ")
        .nth(1)
        .and_then(|v| v.split("pt").next())
        .and_then(|v| v.parse().ok())
        .expect("size");
    assert!(size > 9.0 && size <= 11.0, "{size}pt");
    let pdf = book.path("out/booklet-booklet.pdf");
    let folios = sheet_folios(&pdf, pages / 2);
    assert!(folios.iter().all(|(l, r)| l.is_some() && r.is_some()), "{folios:?}");
}

// color = "gray" embeds the RGB palette PNG as a gray image; pdf/a-2b is identified in XMP.
#[test]
fn gray_images_and_pdf_a() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/gray");
    book.run(["build"]).success();
    let images = image_objects(&book.path("out/office.pdf"));
    assert!(!images.is_empty());
    assert!(images.iter().all(|(_, color)| color == "gray"), "{images:?}");
    let archive = image_objects(&book.path("out/archive.pdf"));
    assert!(archive.iter().any(|(_, color)| color != "gray"), "archive keeps colour: {archive:?}");
    let meta = tool("pdfinfo", &["-meta"], &book.path("out/archive.pdf"));
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(meta.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{meta}");
}

// `check --print` lays out the PDF outputs and reports the booklet padding as a note,
// which does not fail --deny-warnings.
#[test]
fn check_print_reports_notes() {
    let book = Book::fixture("print/booklet");
    book.run(["check", "--print", "--deny-warnings"])
        .success()
        .stderr_has("note: output `booklet`: the booklet has 6 pages");
    book.assert_no_file("out/booklet.pdf");
}

// An ISBN's EAN-13 barcode, drawn as vector bars in the PDF, rendered at print
// resolution and read back by a barcode reader (zbarimg) as the ISBN.
#[test]
fn an_isbn_barcode_scans_as_the_isbn() {
    use samizdat::layout::{Item, Layout, Page, PageLabel, barcode};
    use samizdat::units::Pt;
    if !have("zbarimg") || !have("pdftoppm") {
        return;
    }
    let modules = barcode::ean13("978-0-306-40615-7").expect("a valid ISBN");
    // 0.33 mm modules (the nominal size), 22.85 mm bars, a quiet zone around.
    let module = Pt::mm(0.33);
    let bars = barcode::bars(&modules, module * 15.0, Pt::mm(10.0), module, Pt::mm(22.85));
    let page = Page {
        width: Pt::mm(50.0),
        height: Pt::mm(40.0),
        number: 1,
        label: PageLabel::Arabic(1),
        lang: samizdat::model::Lang::En,
        items: bars.into_iter().map(Item::Rule).collect(),
        lines: Vec::new(),
        marks: Vec::new(),
    };
    let mut layout = Layout::default();
    layout.pages.push(page);
    let pdf = samizdat::pdf::write(
        &layout,
        &samizdat::fonts::FontSet::embedded(),
        &samizdat::model::Images::new(),
        &samizdat::pdf::PdfOptions { title: "ISBN".into(), ..Default::default() },
    )
    .expect("a PDF")
    .into_bytes();
    let book = Book::empty("barcode");
    let file = book.root.join("barcode.pdf");
    std::fs::write(&file, pdf).unwrap();
    assert_eq!(scan_barcodes(&file), "9780306406157");
}

/// The barcodes `zbarimg` reads on a PDF's first page rendered at 300 dpi, one a line.
#[track_caller]
fn scan_barcodes(pdf: &Path) -> String {
    let png = pdf.with_extension("");
    let ok = Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&png)
        .status();
    assert!(ok.is_ok_and(|s| s.success()), "pdftoppm failed");
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(png.with_extension("png"))
        .output()
        .expect("zbarimg runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

// The wrap cover of a book: back, spine and front on one sheet whose spine is
// the interior's leaves times the paper's caliper, with the bleed (and for the
// press copy, a slug for crop and fold marks outside it); the blurb, title and
// ISBN on it, and the ISBN's barcode scanning as the ISBN.
#[test]
fn a_wrap_cover_fits_its_interior() {
    use common::validate::pdfx_facts;
    if !poppler() {
        return;
    }
    let book = Book::fixture("print/cover");
    // 9 pages on 0.1 mm paper would not hold glue; on 0.5 mm paper they do.
    book.run(["build"])
        .success()
        .stderr_has("cover `cover`: a spine of 0.5mm (9 pages of `book`) is too thin to bind with glue")
        .stderr_lacks("cover `cover-press`: a spine");
    let (pages, _) = boxes(&book.path("out/book.pdf"));
    let bleed = 3.0 * MM;
    for (file, caliper, slug) in
        [("cover.pdf", 0.1, 0.0), ("cover-press.pdf", 0.5, samizdat::pdf::SLUG.get())]
    {
        let pdf = book.path(format!("out/{file}"));
        let spine = pages.div_ceil(2) as f64 * caliper * MM;
        let (n, b) = boxes(&pdf);
        assert_eq!(n, 1, "{file}");
        let (w, h) = (2.0 * A5.0 + spine, A5.1);
        let edge = bleed + slug;
        assert_box(&b[0]["MediaBox"], [0.0, 0.0, w + 2.0 * edge, h + 2.0 * edge], file);
        assert_box(&b[0]["TrimBox"], [edge, edge, edge + w, edge + h], file);
        assert_box(&b[0]["BleedBox"], [slug, slug, w + 2.0 * edge - slug, h + 2.0 * edge - slug], file);
        let text = tool("pdftotext", &[], &pdf);
        for want in
            ["Два заявления профсоюза", "Перепечатка свободная", "Голоса снизу", "ISBN 978-5-699-12014-7"]
        {
            assert!(text.contains(want), "{file}: `{want}` not in {text}");
        }
        if have("zbarimg") && have("pdftoppm") {
            assert_eq!(scan_barcodes(&pdf), "9785699120147", "{file}");
        }
    }
    // 9 pages are 5 leaves: a 0.5 mm spine on 0.1 mm paper.
    assert_eq!(pages, 9);
    // A cover is a PDF: `--format pdf` writes it, `--output` picks it alone.
    book.run(["build", "-q", "--format", "pdf", "-o", "pdf-only"]).success();
    book.assert_file("pdf-only/cover.pdf");
    book.run(["build", "-q", "--output", "cover", "-o", "one"]).success();
    book.assert_file("one/cover.pdf");
    book.assert_no_file("one/book.pdf");
    // A 120-page volume (120 one-page statements) on 0.1 mm paper is 60 leaves:
    // its cover is 2 x trim + 6 mm + 2 x bleed wide.
    let thick = Book::empty("cover-120");
    for i in 0..120 {
        thick.write(
            format!("s/{i:03}.md"),
            format!("# Заявление {i}\n\nКороткий текст заявления номер {i}.\n"),
        );
    }
    thick.write(
        "book.toml",
        "[book]\ntitle = \"Сто двадцать\"\nlanguage = \"ru\"\ndocuments = [\"s/*.md\"]\n\
         [output.book]\nformat = \"pdf\"\npage-size = \"A5\"\ncontents = false\nstart = \"any\"\n\
         [output.cover]\nformat = \"cover\"\npaper-caliper = \"0.1mm\"\n",
    );
    thick.run(["build"]).success();
    assert_eq!(boxes(&thick.path("out/book.pdf")).0, 120);
    let (_, b) = boxes(&thick.path("out/cover.pdf"));
    let spine = 6.0 * MM;
    assert_box(
        &b[0]["MediaBox"],
        [0.0, 0.0, 2.0 * A5.0 + spine + 2.0 * bleed, A5.1 + 2.0 * bleed],
        "cover-120",
    );
    assert_box(&b[0]["TrimBox"], [bleed, bleed, bleed + 2.0 * A5.0 + spine, bleed + A5.1], "cover-120");
    let images = image_objects(&book.path("out/cover.pdf"));
    assert_eq!(images.len(), 1, "the front's picture: {images:?}");
    if let Some(f) = pdfx_facts(&book.path("out/cover-press.pdf")) {
        assert_eq!(f["info"]["GTS_PDFXVersion"], "PDF/X-4");
        assert_eq!(f["content_spaces"], serde_json::json!(["DeviceCMYK"]));
    }
}

/// Ghostscript's `inkcov` device: each page's coverage of C, M, Y and K (0–1).
fn ink_coverage(pdf: &Path) -> Option<Vec<[f64; 4]>> {
    if !have("gs") {
        return None;
    }
    let out =
        Command::new("gs").args(["-q", "-o", "-", "-sDEVICE=inkcov"]).arg(pdf).output().expect("gs runs");
    assert!(out.status.success(), "gs failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let pages = text
        .lines()
        .filter(|l| l.contains("CMYK OK"))
        .map(|l| {
            let v: Vec<f64> = l.split_whitespace().take(4).map(|x| x.parse().expect("a coverage")).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    Some(pages)
}

// PDF/X-4 read back: version, Info and XMP keys, one FOGRA39 output intent
// (shared with PDF/A-2b when both are claimed), trim and bleed boxes on every
// page, no annotations, embedded fonts; a CMYK job has no RGB anywhere and
// its text pages print with black ink alone, while a colour job keeps its
// pictures as ICC-tagged sRGB, never DeviceRGB.
#[test]
fn pdf_x4_files_read_back() {
    use common::validate::{pdfx_facts, qpdf_check};
    let book = Book::fixture("print/press");
    book.run(["build"])
        .success()
        .stderr_has("note: output `rgb`: 2 picture(s) stay in RGB (tagged sRGB) for the printer to convert: tarazy.png, zavod-rassvet.jpg")
        .stderr_lacks("output `press`: 2 picture(s)");
    for (file, cmyk, pdf_a) in
        [("press.pdf", true, true), ("press-booklet.pdf", true, true), ("rgb.pdf", false, false)]
    {
        let pdf = book.path(format!("out/{file}"));
        qpdf_check(&pdf);
        let Some(f) = pdfx_facts(&pdf) else { return };
        assert_eq!(f["header"], "%PDF-1.6", "{file}");
        assert_eq!(f["info"]["GTS_PDFXVersion"], "PDF/X-4", "{file}");
        assert_eq!(f["info"]["Trapped"], "/False", "{file}");
        assert!(f["info"].get("GTS_PDFXConformance").is_none(), "{file}: X-1a's key");
        assert_eq!(f["info"]["Title"], "Для типографии", "{file}");
        assert!(f["info"]["CreationDate"].as_str().is_some_and(|d| d.starts_with("D:2026")), "{file}");
        let x = &f["xmp"];
        assert_eq!(x["pdfxid:GTS_PDFXVersion"], "PDF/X-4", "{file}");
        assert_eq!(x["pdf:Trapped"], "False", "{file}");
        assert!(x["xmpMM:DocumentID"].as_str().is_some_and(|d| d.starts_with("uuid:")), "{file}");
        assert_eq!(x["xmpMM:VersionID"], "1", "{file}");
        assert_eq!(x["xmpMM:RenditionClass"], "default", "{file}");
        assert_eq!(x["xmp:MetadataDate"], x["xmp:CreateDate"], "{file}");
        assert_eq!(x["has_pdfxid_extension"], pdf_a, "{file}: PDF/A needs pdfxid described");
        assert_eq!(x.get("pdfaid:part").is_some(), pdf_a, "{file}");
        let intents = f["intents"].as_array().unwrap();
        let pdfx: Vec<_> = intents.iter().filter(|i| i["S"] == "/GTS_PDFX").collect();
        assert_eq!(pdfx.len(), 1, "{file}: one PDF/X intent: {intents:?}");
        let x4 = pdfx[0];
        assert_eq!(x4["identifier"], "FOGRA39", "{file}");
        assert_eq!(x4["registry"], "http://www.color.org", "{file}");
        assert_eq!(
            (x4["profile_n"].as_i64(), x4["profile_class"].as_str()),
            (Some(4), Some("prtr")),
            "{file}"
        );
        assert_eq!(x4["profile_space"], "CMYK", "{file}");
        let pdfa: Vec<_> = intents.iter().filter(|i| i["S"] == "/GTS_PDFA1").collect();
        assert_eq!(pdfa.len(), usize::from(pdf_a), "{file}");
        if let Some(a) = pdfa.first() {
            assert_eq!(a["profile_obj"], x4["profile_obj"], "{file}: PDF/A and PDF/X share one profile");
        }
        let pages = f["pages"].as_array().unwrap();
        assert!(pages.len() >= 3, "{file}");
        for (i, p) in pages.iter().enumerate() {
            let b = |k: &str| -> [f64; 4] {
                let v = p["boxes"][k].as_array().unwrap_or_else(|| panic!("{file} p{}: no {k}", i + 1));
                [0, 1, 2, 3].map(|j| v[j].as_f64().unwrap())
            };
            let (media, bleed, trim) = (b("MediaBox"), b("BleedBox"), b("TrimBox"));
            assert!(p["boxes"].get("ArtBox").is_none(), "{file} p{}: ArtBox beside TrimBox", i + 1);
            let inside = |a: [f64; 4], b: [f64; 4]| {
                a[0] >= b[0] - 0.01 && a[1] >= b[1] - 0.01 && a[2] <= b[2] + 0.01 && a[3] <= b[3] + 0.01
            };
            assert!(
                inside(trim, bleed) && inside(bleed, media),
                "{file} p{}: {trim:?} {bleed:?} {media:?}",
                i + 1
            );
            assert!((trim[0] - bleed[0] - 3.0 * MM).abs() < 0.01, "{file} p{}: 3 mm bleed", i + 1);
            assert_eq!(p["annots"].as_array().map_or(0, Vec::len), 0, "{file} p{}: annotations", i + 1);
        }
        let spaces: Vec<&str> =
            f["content_spaces"].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
        let images: Vec<&str> =
            f["images"].as_array().unwrap().iter().filter_map(|i| i["space"].as_str()).collect();
        assert!(!images.is_empty(), "{file}: the fixture has pictures");
        assert!(
            !spaces.contains(&"DeviceRGB") && !images.contains(&"DeviceRGB"),
            "{file}: {spaces:?} {images:?}"
        );
        assert!(f["images"].as_array().unwrap().iter().all(|i| i["interpolate"] == false), "{file}");
        if cmyk {
            assert_eq!(spaces, ["DeviceCMYK"], "{file}: text in K");
            assert!(images.iter().all(|s| *s == "DeviceCMYK" || *s == "DeviceGray"), "{file}: {images:?}");
        } else {
            assert!(
                images.iter().filter(|s| **s != "DeviceGray").all(|s| *s == "ICCBased/3"),
                "{file}: {images:?}"
            );
        }
        assert!(f["fonts"].as_array().unwrap().iter().all(|x| x["embedded"] == true), "{file}");
        assert_eq!((f["encrypted"].as_bool(), f["has_id"].as_bool()), (Some(false), Some(true)), "{file}");
    }
    // Ink: pages of text alone print with black ink alone; pages with a picture use colour.
    let pdf = book.path("out/press.pdf");
    let (Some(facts), Some(inks)) = (pdfx_facts(&pdf), ink_coverage(&pdf)) else { return };
    let pages = facts["pages"].as_array().unwrap();
    assert_eq!(inks.len(), pages.len());
    let mut text_only = 0;
    for (i, (page, [c, m, y, k])) in pages.iter().zip(&inks).enumerate() {
        if page["images"].as_u64() == Some(0) {
            if *k > 0.0 {
                text_only += 1;
                assert_eq!((*c, *m, *y), (0.0, 0.0, 0.0), "page {}: colour ink on a page of text", i + 1);
            }
        } else {
            assert!(c + m + y > 0.01, "page {}: a colour picture printed without colour ink", i + 1);
        }
    }
    assert!(text_only >= 3, "{text_only} pages of text");
}
