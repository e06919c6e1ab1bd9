//! Robustness (issue 6): every malformed input under `tests/fixtures/robust/`
//! gets a clear message that names the file (and line:column where there is
//! one), exit code 1, no panic, and no output file created or changed.
//! Inputs that are accepted build outputs that pass the validators.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::validate;
use common::{Book, Run, Snapshot, epub_xhtml};

/// Copies `robust/<case>` and runs `samizdat ARGS` in it, expecting a refusal:
/// exit code 1, no panic, and the folder exactly as it was.
#[track_caller]
fn refused(case: &str, args: &[&str]) -> (Book, Run) {
    let book = Book::fixture(&format!("robust/{case}"));
    let before = book.snapshot();
    let run = book.run(args);
    run.code(1).stderr_has("error: ");
    before.assert_unchanged(&book.root);
    (book, run)
}

/// Copies `robust/<case>` and builds it, expecting success; checks the PDF's
/// structure and fonts and returns the book for more checks.
#[track_caller]
fn accepted(case: &str) -> (Book, Run) {
    let book = Book::fixture(&format!("robust/{case}"));
    let run = book.run(["build"]);
    run.success();
    let pdf = book.assert_file("out/pdf.pdf");
    book.assert_file("out/epub.epub");
    validate::qpdf_check(&pdf);
    validate::fonts_embedded(&pdf);
    (book, run)
}

// ---- Manifest ----

// A TOML syntax error is reported at its line and column.
#[test]
fn manifest_syntax_error() {
    let (_, run) = refused("manifest-syntax", &["build"]);
    run.located("book.toml", "2:18");
}

// An unknown key is reported with a "did you mean" hint.
#[test]
fn manifest_unknown_key() {
    let (_, run) = refused("manifest-unknown-key", &["build"]);
    run.located("book.toml", "3:1").stderr_has("unknown key `autors`").stderr_has("did you mean `authors`?");
}

// A value of the wrong type names the expected type.
#[test]
fn manifest_wrong_type() {
    let (_, run) = refused("manifest-wrong-type", &["build"]);
    run.located("book.toml", "3:11").stderr_has("expected an array for `authors`, found an integer");
}

// Bad lengths ("3 mm", "-3mm", "3") are all reported in one run, each at its place.
#[test]
fn manifest_bad_lengths() {
    let (_, run) = refused("manifest-bad-lengths", &["build"]);
    run.located("book.toml", "10:19")
        .stderr_has("`3 mm`")
        .located("book.toml", "10:36")
        .stderr_has("`-3mm`")
        .located("book.toml", "10:52")
        .stderr_has("missing unit in length `3`");
}

// An unknown page size lists the known ones.
#[test]
fn manifest_unknown_page_size() {
    let (_, run) = refused("manifest-page-size", &["build"]);
    run.located("book.toml", "10:13").stderr_has("unknown page size `A9`").stderr_has("A5");
}

// A [book] without a title is an error that shows a minimal manifest.
#[test]
fn manifest_missing_title() {
    let (_, run) = refused("manifest-no-title", &["build"]);
    run.located("book.toml", "1:1").stderr_has("missing `title`");
}

// A document glob that matches nothing is an error at the glob.
#[test]
fn manifest_glob_matches_nothing() {
    let (_, run) = refused("manifest-glob-empty", &["build"]);
    run.located("book.toml", "6:30").stderr_has("`chapters/*.md` matches no file");
}

// A document listed twice (by a glob and by name) is an error naming the first listing.
#[test]
fn manifest_document_listed_twice() {
    let (_, run) = refused("manifest-listed-twice", &["build"]);
    run.located("book.toml", "6:30").stderr_has("is listed twice");
}

// An output with an unknown format is an error at the format.
#[test]
fn manifest_unknown_format() {
    let (_, run) = refused("manifest-unknown-format", &["build"]);
    run.located("book.toml", "9:10").stderr_has("unknown format `docx`");
}

// ---- Sources ----

// A listed file that does not exist is an error at its entry.
#[test]
fn source_missing() {
    let (_, run) = refused("source-missing", &["build"]);
    run.located("book.toml", "6:32").stderr_has("`content/two.md` not found");
}

// A folder where a file was expected is an error with a glob hint.
#[test]
fn source_is_a_directory() {
    let (_, run) = refused("source-directory", &["build"]);
    run.located("book.toml", "6:32").stderr_has("is a folder, not a file").stderr_has("content/annex/*.md");
}

// Invalid UTF-8 is reported at the bad byte, with its offset and an iconv hint.
#[test]
fn source_invalid_utf8() {
    let (_, run) = refused("source-invalid-utf8", &["build"]);
    run.located("content/one.md", "5:16")
        .stderr_has("not valid UTF-8 (bad byte at offset 174)")
        .stderr_has("iconv");
}

// A UTF-8 BOM and CRLF line endings are accepted silently and do not reach the text.
#[test]
fn source_bom_and_crlf_accepted() {
    let (book, run) = accepted("source-bom-crlf");
    run.stderr_lacks("warning");
    let xhtml = epub_xhtml(&book.read("out/epub.epub"));
    assert!(!xhtml.contains('\u{feff}') && !xhtml.contains('\r'), "BOM or CR leaked into the EPUB");
    validate::words_present(&book.path("out/pdf.pdf"), &[book.path("content/one.md")]);
}

// An empty statement next to a real one is left out with a warning naming it.
#[test]
fn source_empty_left_out() {
    let (_, run) = accepted("source-empty");
    run.located("content/two.md", "").stderr_has("the file is empty");
}

// A statement with only front matter is left out with a warning naming it.
#[test]
fn source_front_matter_only_left_out() {
    let (_, run) = accepted("source-front-matter-only");
    run.located("content/two.md", "").stderr_has("no text after its front matter");
}

// A book whose only statement is empty is an error, and nothing is written.
#[test]
fn source_only_empty_statement_refused() {
    let (_, run) = refused("source-empty", &["build", "content/two.md"]);
    run.stderr_has("two.md").stderr_has("the book has no text to typeset");
}

// A front matter line that is not `key: value` is a warning at its line; the statement still builds.
#[test]
fn source_broken_front_matter() {
    // A line that is not `key: value` would lose what it says: an error, nothing written.
    let (_, run) = refused("source-broken-front-matter", &["build"]);
    run.located("content/one.md", "3:1").stderr_has("is not `key: value`");
}

// Front matter that is not what it claims is an error at its line, never silent:
// TOML after `+++` that does not parse, and a `---` block never closed.
#[test]
fn front_matter_mistakes_are_located_errors() {
    let book = Book::empty("front-matter");
    book.write("toml.md", "+++\ntitle = \"Незакрытая\ndate = 2022-01-05\n+++\n\n# Т\n\nТекст.\n");
    book.run(["build", "toml.md"]).code(1).located("toml.md", "2:20").stderr_has("not valid TOML");
    book.write("open.md", "---\ntitle: Заявление\ndate: 2022-01-05\n\n# Т\n\nТекст.\n");
    book.run(["build", "open.md"]).code(1).located("open.md", "1:1").stderr_has("never closed");
    // Valid TOML front matter, with a TOML date, is read.
    book.write("ok.md", "+++\ntitle = \"Заявление\"\ndate = 2022-01-05\n+++\n\nТекст заявления.\n");
    book.run(["build", "ok.md"]).success();
    book.assert_no_file("out/toml.pdf");
    book.assert_no_file("out/open.pdf");
}

// A 50 MB statement is refused at once with the size and the limit, not typeset for minutes.
#[test]
fn source_50_mb_refused_quickly() {
    let book = Book::fixture("robust/huge-statement");
    let line = "Жильцы дома просят отремонтировать крышу до начала осенних дождей. ";
    let mut text = String::from("# Очень длинное заявление\n\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
        if text.len() % 4096 < line.len() {
            text.push_str("\n\n");
        }
    }
    book.write("content/big.md", &text);
    let before = book.snapshot();
    let run = book.cmd(["build"]).timeout(Duration::from_secs(20)).run();
    run.code(1).located("content/big.md", "").stderr_has("the limit for one statement is 4 MB");
    before.assert_unchanged(&book.root);
}

// A single 10,000-character word builds within a sane time and without panicking.
#[test]
fn source_10000_character_word() {
    let book = Book::fixture("robust/source-long-word");
    let run = book.cmd(["build"]).timeout(Duration::from_secs(30)).run();
    run.success();
    validate::qpdf_check(&book.assert_file("out/pdf.pdf"));
}

// A 100-level nested list is a clear error at the depth limit (no stack overflow).
#[test]
fn source_deep_list() {
    let (_, run) = refused("source-deep-list", &["build"]);
    run.located("content/one.md", "37").stderr_has("nested more than 32 levels deep");
}

// A 100-level nested block quote is a clear error at the depth limit.
#[test]
fn source_deep_quote() {
    let (_, run) = refused("source-deep-quote", &["build"]);
    run.located("content/one.md", "37").stderr_has("nested more than 32 levels deep");
}

// Hostile HTML: the script and the event handler are dropped with warnings at
// their places, never copied as markup nor printed as text; the words around stay.
#[test]
fn source_raw_html_dropped() {
    let (book, run) = accepted("source-raw-html");
    run.located("content/one.md", "5:1")
        .stderr_has("`<script>` dropped")
        .located("content/one.md", "7:9")
        .stderr_has("event attribute `onerror` dropped");
    let xhtml = epub_xhtml(&book.read("out/epub.epub"));
    for banned in ["<script", "&lt;script", "alert", "onerror", "<img src=\"x"] {
        assert!(!xhtml.contains(banned), "`{banned}` in the EPUB:\n{xhtml}");
    }
    assert!(xhtml.contains("Текст с") && xhtml.contains("внутри."), "{xhtml}");
}

// Characters no font can draw (emoji, CJK) are listed in one warning with file:line.
#[test]
fn source_characters_without_glyphs() {
    let (_, run) = accepted("source-no-glyph");
    run.located("content/one.md", "5").stderr_has("U+1F600").stderr_has("U+6F22").stderr_has("U+5B57");
}

// ---- Fonts ----

/// DejaVu Sans (fonts-dejavu-core): Cyrillic plus many symbols PT Serif lacks.
const DEJAVU_SANS: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// Fonts without Cyrillic letters (fonts-urw-base35, fonts-dejavu-extra).
const LATIN_ONLY: [&str; 2] = [
    "/usr/share/fonts/opentype/urw-base35/StandardSymbolsPS.otf",
    "/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf",
];

/// The first of `paths` installed; under CI one must be (see .ci/run), elsewhere
/// the test is skipped with a notice.
fn system_font(paths: &[&'static str]) -> Option<&'static str> {
    let found = paths.iter().copied().find(|p| Path::new(p).is_file());
    if found.is_none() {
        assert!(!validate::ci(), "none of {paths:?} is installed; .ci/run installs them");
        eprintln!("skipped: none of {paths:?} is installed");
    }
    found
}

/// The fixtures' `[book]` (see make-fixtures.py) followed by `fonts`.
fn manifest_with_fonts(fonts: &str) -> String {
    let book =
        std::fs::read_to_string(common::fixture_dir("robust/font-missing/book.toml")).expect("fixture");
    let book = book.split("\n[fonts]").next().unwrap_or_default().to_string();
    format!("{book}\n[fonts]\n{fonts}")
}

// A configured font file that does not exist is an error at its value, naming it.
#[test]
fn font_missing() {
    let (_, run) = refused("font-missing", &["build"]);
    run.located("book.toml", "9:9")
        .stderr_has("font file `fonts/Missing.ttf` (`serif`) not found")
        .stderr_has("relative to the folder of book.toml");
}

// A text file named .ttf is refused as not a font.
#[test]
fn font_not_a_font() {
    let (_, run) = refused("font-not-a-font", &["build"]);
    run.located("book.toml", "9:14")
        .stderr_has("`fonts/Serif-Bold.ttf` (`serif-bold`) is not a TrueType or OpenType font")
        .stderr_has("e.g. PT Serif");
}

// A body font without Cyrillic letters is refused; every bad font of [fonts] is
// reported in the same run.
#[test]
fn font_without_cyrillic() {
    let Some(latin) = system_font(&LATIN_ONLY) else { return };
    let book = Book::fixture("robust/font-not-a-font");
    book.write(
        "book.toml",
        manifest_with_fonts(&format!(
            "serif = \"{latin}\"\nserif-bold = \"fonts/Serif-Bold.ttf\"\nsans = \"fonts/Nope.otf\"\n"
        )),
    );
    let before = book.snapshot();
    let run = book.run(["build"]);
    run.code(1).no_panic();
    before.assert_unchanged(&book.root);
    run.located("book.toml", "9:9")
        .stderr_has(&format!("font `{latin}` (`serif`) has no Cyrillic letters"))
        .stderr_has("use a TrueType/OpenType file with Cyrillic letters, e.g. PT Serif")
        .located("book.toml", "10:14")
        .stderr_has("(`serif-bold`) is not a TrueType or OpenType font")
        .located("book.toml", "11:8")
        .stderr_has("font file `fonts/Nope.otf` (`sans`) not found");
}

// With a fallback font, characters PT Serif lacks are drawn by it: no warning for
// them, the font is embedded, and the text is in the PDF. Those it lacks too are
// still listed.
#[test]
fn font_fallback_draws_what_the_body_lacks() {
    let Some(dejavu) = system_font(&[DEJAVU_SANS]) else { return };
    let book = Book::fixture("robust/source-no-glyph");
    book.write("book.toml", manifest_with_fonts(&format!("fallback = \"{dejavu}\"\n")));
    book.write(
        "content/one.md",
        "# Заявление\n\nГотово ✓ и ☺, формула ∀x ≠ ∅.\n\nЗнаки 漢字 остаются без шрифта.\n",
    );
    let run = book.run(["build"]);
    run.success();
    run.located("content/one.md", "5").stderr_has("U+6F22").stderr_lacks("U+2713").stderr_lacks("U+263A");
    let pdf = book.assert_file("out/pdf.pdf");
    validate::qpdf_check(&pdf);
    validate::fonts_embedded(&pdf);
    if validate::have("pdffonts") {
        let out = std::process::Command::new("pdffonts").arg(&pdf).output().expect("pdffonts");
        let list = String::from_utf8_lossy(&out.stdout);
        assert!(list.contains("DejaVuSans"), "fallback font not embedded:\n{list}");
        assert!(list.contains("PTSerif"), "{list}");
    }
    if let Some(text) = validate::pdf_text(&pdf) {
        for needle in ["Готово ✓ и ☺", "∀x ≠ ∅"] {
            assert!(text.contains(needle), "`{needle}` not in the PDF text:\n{text}");
        }
    }
    // Without the fallback the same characters are warned about.
    book.write("book.toml", manifest_with_fonts(""));
    book.run(["build"]).success().located("content/one.md", "3").stderr_has("U+2713").stderr_has("U+263A");
}

// ---- Images ----

// A missing image is an error at its reference.
#[test]
fn image_missing() {
    let (_, run) = refused("image-missing", &["build"]);
    run.located("content/one.md", "1:16").stderr_has("image `img/nope.png`").stderr_has("does not exist");
}

// A PNG named .jpg is used, with a warning suggesting the right extension.
#[test]
fn image_wrong_extension() {
    let (_, run) = accepted("image-wrong-extension");
    run.located("content/one.md", "1:16").stderr_has("`img/photo.jpg` is a PNG file with a `.jpg` extension");
}

// A truncated JPEG is refused at its reference (it would print as grey blocks).
#[test]
fn image_truncated_jpeg() {
    let (_, run) = refused("image-truncated-jpeg", &["build"]);
    run.located("content/one.md", "1:16").stderr_has("image `img/cut.jpg`: the file is truncated");
}

// A PNG with corrupt image data is refused at its reference, not inside the PDF writer.
#[test]
fn image_corrupt_png() {
    let (_, run) = refused("image-corrupt-png", &["build"]);
    run.located("content/one.md", "1:16").stderr_has("image `img/bad.png`: the file is corrupt");
}

// A PNG header claiming 100,000 × 100,000 pixels is refused before decoding, quickly.
#[test]
fn image_huge_header() {
    let book = Book::fixture("robust/image-huge-header");
    let before = book.snapshot();
    let run = book.cmd(["build"]).timeout(Duration::from_secs(10)).run();
    run.code(1).located("content/one.md", "1:16").stderr_has("100000 × 100000 pixels");
    before.assert_unchanged(&book.root);
}

// An SVG gets a clear "not supported yet" error.
#[test]
fn image_svg_not_supported() {
    let (_, run) = refused("image-svg", &["build"]);
    run.located("content/one.md", "1:16").stderr_has("SVG images are not supported yet");
}

/// Mean colour of the strongly coloured pixels in the top and bottom halves of
/// their bounding box on page 1 rendered by `pdftoppm`, or `None` without poppler.
fn coloured_halves(pdf: &Path) -> Option<([f64; 3], [f64; 3])> {
    if !validate::have("pdftoppm") {
        return None;
    }
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "100", "-f", "1", "-l", "1"])
        .arg(pdf)
        .output()
        .expect("run pdftoppm");
    let ppm = out.stdout;
    // P6\nW H\n255\n then RGB bytes.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let end = ppm[at..].iter().position(u8::is_ascii_whitespace).map(|i| at + i).expect("PPM header");
        fields.push(String::from_utf8_lossy(&ppm[at..end]).into_owned());
        at = end + 1;
    }
    let (w, h): (usize, usize) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let px = |x: usize, y: usize| {
        let i = at + (y * w + x) * 3;
        [ppm[i] as f64, ppm[i + 1] as f64, ppm[i + 2] as f64]
    };
    let coloured =
        |p: [f64; 3]| p.iter().cloned().fold(0.0, f64::max) - p.iter().cloned().fold(255.0, f64::min) > 80.0;
    let (mut y0, mut y1) = (usize::MAX, 0);
    for y in 0..h {
        if (0..w).any(|x| coloured(px(x, y))) {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    assert!(y0 < y1, "no coloured image on page 1 of {}", pdf.display());
    let mid = (y0 + y1) / 2;
    let mean = |ys: std::ops::Range<usize>| {
        let (mut sum, mut n) = ([0.0; 3], 0.0_f64);
        for y in ys {
            for x in 0..w {
                let p = px(x, y);
                if coloured(p) {
                    (0..3).for_each(|c| sum[c] += p[c]);
                    n += 1.0;
                }
            }
        }
        sum.map(|s| s / n.max(1.0))
    };
    Some((mean(y0..mid), mean(mid..y1 + 1)))
}

// A CMYK JPEG is passed through as a CMYK JPEG and renders with its real colours (red above blue).
#[test]
fn image_cmyk_jpeg() {
    let (book, _) = accepted("image-cmyk-jpeg");
    let pdf = book.path("out/pdf.pdf");
    if let Some(list) = validate::pdf_images(&pdf) {
        assert_eq!(list.len(), 1, "{list:?}");
        let i = &list[0];
        assert_eq!(
            (i.width, i.height, i.color.as_str(), i.bpc, i.encoding.as_str()),
            (240, 120, "cmyk", 8, "jpeg")
        );
    }
    if let Some((top, bottom)) = coloured_halves(&pdf) {
        // Inverted CMYK (a missing Adobe decode array) would show cyan over yellow instead.
        assert!(top[0] > top[2] + 40.0, "top of the gradient should be red, got {top:?}");
        assert!(bottom[2] > bottom[0] + 10.0, "bottom of the gradient should be blue, got {bottom:?}");
    }
}

// A 16-bit PNG with alpha embeds as 16-bit RGB with a 16-bit soft mask.
#[test]
fn image_png_16_bit_alpha() {
    let (book, _) = accepted("image-png16-alpha");
    if let Some(list) = validate::pdf_images(&book.path("out/pdf.pdf")) {
        let kinds: Vec<(u32, u32, &str, u32)> =
            list.iter().map(|i| (i.width, i.height, i.color.as_str(), i.bpc)).collect();
        assert_eq!(kinds, [(120, 80, "rgb", 16), (120, 80, "gray", 16)], "image and its soft mask");
    }
}

// A JPEG with EXIF orientation 6 appears turned a quarter clockwise: 120 × 240, red on top.
#[test]
fn image_exif_orientation_6() {
    let (book, _) = accepted("image-exif-rotated");
    let pdf = book.path("out/pdf.pdf");
    if let Some(list) = validate::pdf_images(&pdf) {
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(
            (list[0].width, list[0].height),
            (120, 240),
            "the stored 240 × 120 image is turned upright"
        );
    }
    if let Some((top, bottom)) = coloured_halves(&pdf) {
        assert!(top[0] > 200.0 && top[2] < 80.0, "top half should be red, got {top:?}");
        assert!(bottom[2] > 200.0 && bottom[0] < 80.0, "bottom half should be blue, got {bottom:?}");
    }
}

// ---- Paths ----

// An image reached through `../` outside the book is refused unless `--allow-outside-root`.
#[test]
fn path_image_outside_root() {
    let (book, run) = refused("path-image-parent", &["build", "book"]);
    run.located("content/one.md", "1:10")
        .stderr_has("outside the book's folder")
        .stderr_has("--allow-outside-root");
    book.run(["build", "book", "--allow-outside-root"]).success();
    book.assert_file("book/out/pdf.pdf");
}

// A document listed as `../…` is refused at its entry in book.toml unless `--allow-outside-root`.
#[test]
fn path_document_outside_root() {
    let (book, run) = refused("path-document-parent", &["build", "book"]);
    run.located("book.toml", "6:30").stderr_has("document `../outside/extra.md` is refused");
    refused("path-document-parent", &["check", "book"]);
    book.run(["check", "book", "--allow-outside-root"]).success();
}

// An absolute image path outside the book is refused.
#[test]
fn path_absolute_image() {
    let outside = Book::empty("outside-abs");
    let png = outside.write(
        "pic.png",
        std::fs::read(common::fixture_dir("robust/path-image-parent/outside/pic.png")).expect("png"),
    );
    let book = Book::fixture("robust/image-missing");
    book.write("content/one.md", format!("![Схема]({})\n\n# Заявление\n\nТекст.\n", png.display()));
    let before = book.snapshot();
    book.run(["build"]).code(1).located("content/one.md", "1:10").stderr_has("outside the book's folder");
    before.assert_unchanged(&book.root);
}

// A symlink inside the book that points outside it is refused, for documents and images.
#[test]
fn path_symlink_out_of_root() {
    let outside = Book::empty("outside-link");
    let secret = outside.write("secret.md", "# Чужое\n\nЭтот файл не входит в книгу.\n");
    let pic = outside.write(
        "pic.png",
        std::fs::read(common::fixture_dir("robust/path-image-parent/outside/pic.png")).expect("png"),
    );
    let book = Book::fixture("minimal");
    std::os::unix::fs::symlink(&secret, book.path("content/zz-link.md")).expect("symlink");
    std::os::unix::fs::symlink(&pic, book.path("content/pic.png")).expect("symlink");
    book.write("content/one.md", "# Заявление\n\n![Схема](pic.png)\n\nТекст.\n");
    let before = book.snapshot();
    book.run(["build"])
        .code(1)
        .stderr_has("document `content/zz-link.md` is refused: it is a link to")
        .located("content/one.md", "3:10")
        .stderr_has("image `pic.png` is refused: it is a link to");
    before.assert_unchanged(&book.root);
    book.run(["build", "--allow-outside-root"]).success();
}

// ---- Outputs ----

/// A built copy of the minimal book and a snapshot of it with its outputs.
fn built_minimal() -> (Book, Snapshot) {
    let book = Book::fixture("minimal");
    book.run(["build"]).success();
    book.assert_file("out/pdf.pdf");
    let snap = book.snapshot();
    (book, snap)
}

/// True when this process can write into a folder without write permission (root).
fn permissions_ignored(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = std::fs::write(&probe, b"x").is_ok();
    let _ = std::fs::remove_file(probe);
    ok
}

// An output folder that is a file is a clear error; previous outputs stay untouched.
#[test]
fn output_folder_is_a_file() {
    let (book, snap) = built_minimal();
    book.write("afile", "x");
    let snap = Snapshot({
        let mut s = snap.0;
        s.insert(PathBuf::from("afile"), b"x".to_vec());
        s
    });
    book.run(["build", "-o", "afile"]).code(1).located("afile", "").stderr_has("is not a folder");
    snap.assert_unchanged(&book.root);
}

// The source folder (the book root or a folder holding statements) is refused as an output folder.
#[test]
fn output_folder_is_the_source_folder() {
    let (book, snap) = built_minimal();
    book.run(["build", "-o", "."]).code(1).stderr_has("holds the book's sources");
    book.run(["build", "-o", "content"])
        .code(1)
        .located("content", "")
        .stderr_has("holds the book's sources");
    let single = Book::fixture("single");
    let before = single.snapshot();
    single.run(["build", "statement.md", "-o", "."]).code(1).stderr_has("holds the book's sources");
    before.assert_unchanged(&single.root);
    snap.assert_unchanged(&book.root);
}

// A read-only output folder is a clear error and leaves no partial file (as root, /sys stands in for it).
#[test]
fn output_folder_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let (book, snap) = built_minimal();
    std::fs::set_permissions(book.path("out"), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    if permissions_ignored(&book.path("out")) {
        eprintln!("note: running as root, permissions are not enforced; using /sys as the read-only folder");
        book.run(["build", "-o", "/sys/samizdat-test-out"])
            .code(1)
            .stderr_has("cannot create the output folder");
    } else {
        book.run(["build"]).code(1).located("out/epub.epub", "").stderr_has("permission denied");
    }
    std::fs::set_permissions(book.path("out"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    snap.assert_unchanged(&book.root);
}

// `-o /dev/full` (a device, not a folder) is refused before anything is written.
#[test]
fn output_to_dev_full() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full here");
        return;
    }
    let (book, snap) = built_minimal();
    book.run(["build", "-o", "/dev/full"]).code(1).located("/dev/full", "").stderr_has("is not a folder");
    snap.assert_unchanged(&book.root);
}

// A disk that fills up mid-write (a file size limit, `ulimit -f`) is a clear error: no partial or
// zero-length file, and the previous outputs stay as they were.
#[test]
fn output_disk_full() {
    let (book, snap) = built_minimal();
    // SIGXFSZ ignored, so the write fails with EFBIG as on a full disk instead of killing the process;
    // the limit (40 blocks of 512 bytes) is below the PDF's size.
    let script = format!("trap '' XFSZ; ulimit -f 40; exec '{}' build", common::BIN);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(&book.root)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run sh");
    let run = Run {
        args: vec![script],
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: Duration::ZERO,
    };
    run.code(1).located("out/pdf.pdf", "").stderr_has("cannot write the output");
    snap.assert_unchanged(&book.root);
}

// ---- EPUBCheck on everything the accepted inputs build ----

// EPUBCheck reports 0 errors and 0 warnings on the EPUB of every accepted odd input.
#[test]
fn accepted_inputs_give_valid_epubs() {
    let cases = [
        "source-bom-crlf",
        "source-empty",
        "source-front-matter-only",
        "source-long-word",
        "source-raw-html",
        "source-no-glyph",
        "image-wrong-extension",
        "image-cmyk-jpeg",
        "image-png16-alpha",
        "image-exif-rotated",
    ];
    let books: Vec<Book> = cases
        .iter()
        .map(|case| {
            let book = Book::fixture(&format!("robust/{case}"));
            book.run(["build", "--format", "epub"]).success();
            book
        })
        .collect();
    let epubs: Vec<PathBuf> = books.iter().map(|b| b.assert_file("out/epub.epub")).collect();
    validate::epubcheck(&epubs);
}

/// A one-statement book whose statement shows `img/NAME` with `bytes` as that file.
fn book_with_image(label: &str, name: &str, bytes: &[u8]) -> Book {
    let book = Book::empty(label);
    book.write("book.toml", "[book]\ntitle = \"Т\"\ndocuments = [\"one.md\"]\n");
    book.write(
        "one.md",
        format!("![Фото двора](img/{name})\n\n# Заявление\n\nЖильцы просят отремонтировать крышу.\n"),
    );
    book.write(format!("img/{name}"), bytes);
    book
}

/// A baseline JPEG of the fixtures.
fn baseline_jpeg() -> Vec<u8> {
    std::fs::read(common::repo().join("content/img/arhiv-stellazhi.jpg")).expect("the sample's JPEG")
}

/// `jpeg` with its first start-of-frame marker changed to `marker`.
fn with_frame(jpeg: &[u8], marker: u8) -> Vec<u8> {
    let mut b = jpeg.to_vec();
    let at = b.windows(2).position(|w| w[0] == 0xFF && matches!(w[1], 0xC0..=0xC2)).expect("a frame header");
    b[at + 1] = marker;
    b
}

// Lossless and arithmetic-coded JPEGs are valid JPEG that PDF readers and
// e-readers cannot show: refused at the image, with the way out.
#[test]
fn undisplayable_jpegs_refused() {
    for (marker, what) in [(0xC3, "lossless JPEG (SOF3)"), (0xC9, "arithmetic-coded JPEG")] {
        let book = book_with_image("jpeg-kind", "photo.jpg", &with_frame(&baseline_jpeg(), marker));
        let run = book.run(["check"]);
        run.code(1).located("one.md", "1:15").stderr_has(what).stderr_has("baseline");
    }
}

// A complete JPEG followed by other data (a phone's motion photo) is used, and
// the trailer is not copied into the outputs.
#[test]
fn jpeg_with_trailer_is_used() {
    let jpeg = baseline_jpeg();
    let mut motion = jpeg.clone();
    motion.extend_from_slice(b"\0\0\0\x18ftypmp42\0\0\0\0isommp42");
    motion.extend(std::iter::repeat_n(7u8, 50_000));
    let book = book_with_image("motion-photo", "photo.jpg", &motion);
    book.run(["build"]).success().stderr_lacks("truncated");
    let epub = book.read("out/epub.epub");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("zip");
    let name = (0..zip.len())
        .filter_map(|i| zip.name_for_index(i)?.ok().map(|n| n.into_owned()))
        .find(|n| n.ends_with(".jpg"))
        .expect("the image in the EPUB");
    let mut stored = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name(&name).expect("entry"), &mut stored).expect("read");
    assert!(
        stored.len() < jpeg.len() + 8,
        "the trailer is left out: {} bytes for a {}-byte JPEG",
        stored.len(),
        jpeg.len()
    );
    assert!(stored.ends_with(&[0xFF, 0xD9]));
}

// Messages that say what the problem is: a web or inline image is not fetched,
// an empty file is empty, a pipe is not a file (and the build does not wait on it).
#[test]
fn image_hints_point_the_right_way() {
    let book = Book::empty("image-hints");
    book.write("book.toml", "[book]\ntitle = \"Т\"\ndocuments = [\"one.md\"]\n");
    book.write(
        "one.md",
        "# Заявление\n\n![Фото](https://example.org/a/photo.jpg)\n\n![Точка](data:image/png;base64,iVBORw0KGgo=)\n\n![Пусто](img/empty.png)\n\nТекст.\n",
    );
    book.write("img/empty.png", b"");
    let run = book.run(["check"]);
    run.code(1);
    run.located("one.md", "3:9")
        .stderr_has("is on the web; samizdat does not download images")
        .stderr_has("curl -o img/photo.jpg");
    run.located("one.md", "5:10").stderr_has("inline data, not a file");
    run.located("one.md", "7:10").stderr_has("the file is empty");
    let fifo = book.path("img/pipe.png");
    if std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success()) {
        book.write("one.md", "# Заявление\n\n![Труба](img/pipe.png)\n\nТекст.\n");
        let run = book.cmd(["check"]).timeout(std::time::Duration::from_secs(20)).run();
        run.code(1).stderr_has("not a regular file");
    }
}

// `check` refuses what `build` would: a CMYK JPEG in a PDF/A output, an output
// name too long for a file name; manifest and content errors come in one run,
// and a failed build leaves no output folder behind.
#[test]
fn check_and_build_agree() {
    let book = Book::fixture("robust/image-cmyk-jpeg");
    let long = "x".repeat(300);
    let manifest = String::from_utf8(book.read("book.toml")).expect("UTF-8");
    book.write(
        "book.toml",
        format!("{manifest}\n[output.archive]\nformat = \"pdf\"\nstandard = \"pdf/a-2b\"\n\n[output.{long}]\nformat = \"epub\"\n"),
    );
    for command in ["check", "build"] {
        let run = book.run([command]);
        run.code(1)
            .stderr_has("is CMYK, which cannot go into the PDF/A output `archive`")
            .stderr_has("300 bytes long");
        run.located("content/one.md", "");
    }
    book.assert_no_file("out");
}

// Fonts that are not a single TrueType/OpenType file get a message that says
// what they are and how to convert them; a folder, a pipe or a device is not
// read; a font outside the book's folder is refused like any input, except in
// the system's font folders.
#[test]
fn font_files_of_other_kinds() {
    let book = Book::fixture("robust/font-not-a-font");
    book.write("fonts/Collection.ttc", b"ttcf\x00\x01\x00\x00rest of a collection");
    book.write("fonts/Web.woff2", b"wOF2\x00\x01\x00\x00rest of a web font");
    std::fs::create_dir_all(book.path("fonts/Folder.ttf")).expect("folder");
    let outside = Book::empty("font-outside");
    let stray = outside
        .write("Stray.ttf", std::fs::read(common::repo().join("fonts/PTSerif-Regular.ttf")).expect("font"));
    book.write(
        "book.toml",
        manifest_with_fonts(&format!(
            "serif = \"fonts/Collection.ttc\"\nserif-bold = \"fonts/Web.woff2\"\nsans = \"fonts/Folder.ttf\"\nsans-bold = \"/dev/zero\"\nmono = \"{}\"\n",
            stray.display()
        )),
    );
    let run = book.cmd(["check"]).timeout(std::time::Duration::from_secs(20)).run();
    run.code(1)
        .located("book.toml", "9:9")
        .stderr_has("is a font collection (.ttc)")
        .stderr_has("fontNumber=0")
        .located("book.toml", "10:14")
        .stderr_has("is a WOFF2 web font")
        .located("book.toml", "11:8")
        .stderr_has("is a folder or a device, not a font file")
        .located("book.toml", "12:13")
        .located("book.toml", "13:8")
        .stderr_has("(`mono`) is refused");
    book.write("book.toml", manifest_with_fonts(&format!("mono = \"{}\"\n", stray.display())));
    book.cmd(["check", "--allow-outside-root"]).run().success();
}

// A `**` glob walks each real folder once: symbolic links back up the tree
// (`self -> .`, `up -> ..`) end nowhere and give no error; a glob that matches
// a file also listed by name takes it once, where it was listed.
#[test]
fn globs_survive_link_loops_and_repeats() {
    let book = Book::empty("glob-loops");
    book.write(
        "book.toml",
        "[book]\ntitle = \"Т\"\ndocuments = [\"content/intro.md\", \"content/**/*.md\"]\n",
    );
    for name in ["intro", "a", "sub/b"] {
        book.write(format!("content/{name}.md"), format!("# {name}\n\nТекст {name}.\n"));
    }
    std::os::unix::fs::symlink(".", book.path("content/self")).expect("link");
    std::os::unix::fs::symlink("..", book.path("content/sub/up")).expect("link");
    let run = book.cmd(["check"]).timeout(std::time::Duration::from_secs(20)).run();
    run.success().stderr_lacks("listed twice").stderr_has("checked 3 statement(s)");
}

// Bounds on what one command asks of the machine: a huge `--jobs` builds as
// usual, `fit-pages` has a ceiling, and `watch` on a path that does not exist
// ends at once with an error.
#[test]
fn resource_bounds() {
    let book = Book::fixture("minimal");
    book.cmd(["build", "--jobs", "65535"]).timeout(std::time::Duration::from_secs(60)).run().success();
    let manifest = String::from_utf8(book.read("book.toml")).expect("UTF-8");
    book.write(
        "book.toml",
        format!("{manifest}\n[output.leaflet]\nformat = \"pdf\"\nfit-pages = 10000000\n"),
    );
    book.run(["check"]).code(1).stderr_has("fit-pages = 10000000 is more than 96 pages");
    book.cmd(["watch", "/nonexistent/book"])
        .timeout(std::time::Duration::from_secs(20))
        .run()
        .code(1)
        .stderr_has("no such file or folder");
}

// Hebrew and Arabic set through a fallback font keep their words in the text
// layer: right-to-left glyphs come in visual order, and each still maps to its
// own letters.
#[test]
fn right_to_left_text_is_searchable() {
    let Some(dejavu) = system_font(&[DEJAVU_SANS]) else { return };
    let book = Book::empty("rtl");
    book.write(
        "book.toml",
        format!("[book]\ntitle = \"Т\"\ndocuments = [\"one.md\"]\n[fonts]\nfallback = \"{dejavu}\"\n"),
    );
    book.write("one.md", "# Заявление\n\nСлово שלום עולם и ещё مرحبا بالعالم конец.\n");
    book.run(["build"]).success();
    let Some(text) = validate::pdf_text(&book.path("out/pdf.pdf")) else { return };
    let words = validate::words(&text);
    for w in ["שלום", "עולם", "مرحبا", "بالعالم", "слово", "конец"] {
        assert!(words.contains(w), "{w} missing from:\n{text}");
    }
}

// A statement saved in a legacy Cyrillic encoding is an error naming the likely
// encoding and the way out; with `encoding` in the manifest (per document or
// for the book) it is converted on reading and its words reach the outputs.
#[test]
fn legacy_encodings_named_and_converted() {
    let text = "# Заявление\n\nЖильцы дома просят отремонтировать крышу до начала осенних дождей.\n";
    for (label, shown) in [("cp1251", "Windows-1251 (cp1251)"), ("koi8-r", "KOI8-R")] {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).expect("a known label");
        let (bytes, _, lossy) = encoding.encode(text);
        assert!(!lossy);
        let book = Book::empty("legacy");
        book.write("one.md", &bytes);
        book.write("book.toml", "[book]\ntitle = \"Т\"\ndocuments = [\"one.md\"]\n");
        book.run(["build"])
            .code(1)
            .stderr_has(&format!("it looks like {shown}"))
            .stderr_has(&format!("encoding = \"{label}\""));
        book.write(
            "book.toml",
            format!("[book]\ntitle = \"Т\"\ndocuments = [{{ file = \"one.md\", encoding = \"{label}\" }}]\n"),
        );
        book.run(["build"]).success();
        if let Some(pdf) = validate::pdf_text(&book.path("out/pdf.pdf")) {
            let words = validate::words(&pdf);
            for w in ["жильцы", "отремонтировать", "дождей"] {
                assert!(words.contains(w), "{label}: {w} missing from:\n{pdf}");
            }
        }
        book.write(
            "book.toml",
            format!("[book]\ntitle = \"Т\"\nencoding = \"{label}\"\ndocuments = [\"one.md\"]\n"),
        );
        book.run(["build"]).success();
    }
    let book = Book::empty("legacy-label");
    book.write("one.md", "# Т\n\nТекст.\n");
    book.write("book.toml", "[book]\ntitle = \"Т\"\nencoding = \"cp-1251x\"\ndocuments = [\"one.md\"]\n");
    book.run(["check"]).code(1).located("book.toml", "3:12").stderr_has("unknown encoding `cp-1251x`");
}

// A website export often lacks some images. By default each is an error; with
// `--missing-images warn` (or `missing-images = "warn"` in [book]) the build
// completes, each missing image is a warning at its reference, the PDF leaves it
// out and the EPUB shows its description as a line.
#[test]
fn missing_images_may_be_warnings() {
    let book = Book::fixture("robust/image-missing");
    book.run(["build"]).code(1).stderr_has("image `img/nope.png`");
    let run = book.run(["build", "--missing-images", "warn"]);
    run.success()
        .located("content/one.md", "1:16")
        .stderr_has("image `img/nope.png` is missing; it is left out");
    let epub = book.read("out/epub.epub");
    let xhtml = epub_xhtml(&epub);
    assert!(xhtml.contains("<p class=\"missing-image\">[Схема двора]</p>"), "{xhtml}");
    assert!(!xhtml.contains("<img"), "{xhtml}");
    if let Some(images) = validate::pdf_images(&book.path("out/pdf.pdf")) {
        assert!(images.is_empty(), "{images:?}");
    }
    book.run(["check", "--missing-images", "warn"]).success();
    let manifest = String::from_utf8(book.read("book.toml")).expect("UTF-8");
    book.write("book.toml", manifest.replace("[book]\n", "[book]\nmissing-images = \"warn\"\n"));
    book.run(["build"]).success().stderr_has("is missing; it is left out");
    book.run(["build", "--missing-images", "error"]).code(1);
}

// A named pipe given as the manifest or as a statement is refused at once, never read.
#[test]
fn pipes_as_manifest_or_statement_refused() {
    let book = Book::empty("pipes");
    let made = |p: std::path::PathBuf| {
        std::process::Command::new("mkfifo").arg(p).status().is_ok_and(|s| s.success())
    };
    if !made(book.path("book.toml")) || !made(book.path("piped.md")) {
        return;
    }
    let quick = std::time::Duration::from_secs(20);
    book.cmd(["check", "book.toml"]).timeout(quick).run().code(1).stderr_has("it is not a regular file");
    book.cmd(["check", "piped.md"]).timeout(quick).run().code(1).stderr_has("not a regular file");
}
