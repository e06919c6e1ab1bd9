//! Leaflets read back from the PDFs with poppler (`pdftotext -bbox-layout`):
//! text in two and three columns and none in the gutters, the six panels of a
//! tri-fold on both sides of the sheet in letter-fold order, and copyfitting to
//! a page count at the largest size that fits, with the error when it cannot.
//!
//! Under `CI=true` a missing poppler tool fails the test; elsewhere the test is
//! skipped with a notice.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::Book;
use common::validate::have;

const MM: f64 = 72.0 / 25.4;
const A4: (f64, f64) = (210.0 * MM, 297.0 * MM);
/// How far a word may reach past its column: hanging punctuation and rounding.
const SLACK: f64 = 4.0;

/// A word with its box, on a page counted from 1.
#[derive(Debug, Clone)]
struct Word {
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

/// True when the poppler tools the tests use are installed.
#[track_caller]
fn poppler() -> bool {
    ["pdftotext", "pdfinfo"].into_iter().all(have)
}

/// Every word of `pdf` with its box: `pdftotext -bbox-layout`.
#[track_caller]
fn words(pdf: &Path) -> Vec<Word> {
    let out =
        Command::new("pdftotext").arg("-bbox-layout").arg(pdf).arg("-").output().expect("run pdftotext");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    let xml = String::from_utf8_lossy(&out.stdout);
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
        tag[start..].split('"').next().and_then(|v| v.parse().ok()).expect("a number")
    };
    let mut page = 0;
    let mut found = Vec::new();
    for line in xml.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, text) = rest.split_once('>').expect("word tag");
            let text = text.trim_end_matches("</word>").to_owned();
            let (x0, y0, x1, y1) =
                (attr(tag, "xMin"), attr(tag, "yMin"), attr(tag, "xMax"), attr(tag, "yMax"));
            found.push(Word { page, x0, y0, x1, y1, text });
        }
    }
    found
}

/// Page count of `pdf`.
#[track_caller]
fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("run pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count")
}

/// The x-ranges of `n` columns across a text block from `left` to `right`.
fn columns(left: f64, right: f64, n: usize, gutter: f64) -> Vec<(f64, f64)> {
    let w = (right - left - gutter * (n - 1) as f64) / n as f64;
    (0..n).map(|k| (left + (w + gutter) * k as f64, left + (w + gutter) * k as f64 + w)).collect()
}

/// Checks that every word of the text block lies in one column and that every
/// column of the first page holds text.
#[track_caller]
fn assert_columns(pdf: &Path, margin: f64, n: usize, gutter: f64) {
    let cols = columns(margin, A4.0 - margin, n, gutter);
    let body: Vec<Word> =
        words(pdf).into_iter().filter(|w| w.y0 > margin - 1.0 && w.y1 < A4.1 - margin + 1.0).collect();
    assert!(!body.is_empty(), "no text in {}", pdf.display());
    for w in &body {
        let home = cols.iter().position(|(a, b)| w.x0 >= a - SLACK && w.x1 <= b + SLACK);
        assert!(
            home.is_some(),
            "`{}` on page {} at x {:.1}–{:.1} is outside the columns {cols:?}",
            w.text,
            w.page,
            w.x0,
            w.x1
        );
    }
    for (k, (a, b)) in cols.iter().enumerate() {
        let count = body.iter().filter(|w| w.page == 1 && w.x0 >= a - SLACK && w.x1 <= b + SLACK).count();
        assert!(count > 50, "column {} of page 1 holds {count} words", k + 1);
    }
}

// Two and three columns on A4: each word inside a column's x-range, none in a gutter, every column used.
#[test]
fn two_and_three_columns() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("leaflet/columns");
    book.run(["build"]).success();
    let two = book.assert_file("out/two.pdf");
    let three = book.assert_file("out/three.pdf");
    assert_columns(&two, 15.0 * MM, 2, 6.0 * MM);
    // No gutter given: one and a half ems of the 10 pt type.
    assert_columns(&three, 12.0 * MM, 3, 15.0);
    // Three columns hold more per page than two at the same size and near the same margins.
    assert!(pages(&three) <= pages(&two), "three columns take more pages than two");
}

// A leaflet as the manifest leaves it: no running heads or folios, gutters of at least
// 1.5 em, and the last page's columns ending together (within three lines), not full
// columns beside a short one.
#[test]
fn leaflet_furniture_gutters_and_balanced_last_page() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("leaflet/columns");
    book.run(["build", "--output", "three"]).success();
    let pdf = book.assert_file("out/three.pdf");
    let all = words(&pdf);
    let margin = 12.0 * MM;
    let outside: Vec<&Word> =
        all.iter().filter(|w| w.y0 < margin - 1.0 || w.y1 > A4.1 - margin + 1.0).collect();
    assert!(outside.is_empty(), "text outside the text block (a head or folio?): {outside:?}");
    let last = pages(&pdf);
    let cols = columns(margin, A4.0 - margin, 3, 15.0);
    let mut heights: Vec<f64> = all.iter().map(|w| w.y1 - w.y0).collect();
    heights.sort_by(f64::total_cmp);
    let body_height = heights[heights.len() / 2];
    let mut bottoms = Vec::new();
    for (k, (a, b)) in cols.iter().enumerate() {
        let here: Vec<&Word> =
            all.iter().filter(|w| w.page == last && w.x0 >= a - SLACK && w.x1 <= b + SLACK).collect();
        // Gutters: no word of this column comes within 1.5 em of the one before it.
        if k > 0 {
            let prev = all.iter().filter(|w| w.x1 <= *a - 1.0 && w.x0 >= cols[k - 1].0 - SLACK);
            let gap =
                here.iter().map(|w| w.x0).fold(f64::MAX, f64::min) - prev.map(|w| w.x1).fold(0.0, f64::max);
            assert!(gap >= 15.0 - SLACK, "gutter {gap:.1}pt before column {}", k + 1);
        }
        // Body lines only: footnotes are smaller and sit at the foot of their column.
        let bottom =
            here.iter().filter(|w| w.y1 - w.y0 > body_height * 0.9).map(|w| w.y1).fold(0.0, f64::max);
        bottoms.push(bottom);
    }
    assert!(bottoms.iter().all(|&b| b > 0.0), "an empty column on the last page: {bottoms:?}");
    let spread =
        bottoms.iter().fold(0.0_f64, |m, &b| m.max(b)) - bottoms.iter().fold(f64::MAX, |m, &b| m.min(b));
    // Within three lines (of some forty-five): the columns break where widows,
    // orphans and a heading kept with its text allow.
    assert!(spread <= 3.0 * 10.0 * 1.3 + 1.0, "the last page's columns end {spread:.1}pt apart: {bottoms:?}");
}

/// The set of words on reading-order page `page` inside the text block.
fn panel_words(all: &[Word], page: usize, x: (f64, f64)) -> BTreeSet<String> {
    all.iter().filter(|w| w.page == page && w.x0 >= x.0 && w.x1 <= x.1).map(|w| w.text.clone()).collect()
}

// A tri-fold: six panels in reading order; outside side = panels 5 | 6 | 1, inside = 2 | 3 | 4.
#[test]
fn trifold_panel_order() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("leaflet/trifold");
    book.run(["build"]).success();
    let panels = book.assert_file("out/tri.pdf");
    let sheet = book.assert_file("out/tri-tri-fold.pdf");
    assert_eq!(pages(&panels), 6, "six panels in reading order");
    assert_eq!(pages(&sheet), 2, "two sides of one sheet");
    let third = A4.1 / 3.0;
    let reading = words(&panels);
    let imposed = words(&sheet);
    let order = [[5, 6, 1], [2, 3, 4]];
    // The tuck-in panel (outside left, inside right) is 2.5 mm narrower, the others
    // 1.25 mm wider, every page centred in its panel.
    let tuck = 2.5 * MM;
    for (side, panels_here) in order.iter().enumerate() {
        let flap = if side == 0 { 0 } else { 2 };
        let widths: Vec<f64> =
            (0..3).map(|k| if k == flap { third - tuck } else { third + tuck / 2.0 }).collect();
        for (slot, &panel) in panels_here.iter().enumerate() {
            let expected = panel_words(&reading, panel, (0.0, third));
            let start: f64 = widths[..slot].iter().sum();
            let x = (start - 0.5, start + widths[slot] + 0.5);
            let found = panel_words(&imposed, side + 1, x);
            // The front panel carries the first statement's picture and title; its text starts overleaf.
            if panel == 1 {
                let title = "О заработной плате на Заречном станкозаводе";
                let words: BTreeSet<String> = title.split(' ').map(str::to_owned).collect();
                assert!(
                    words.iter().all(|w| expected.contains(w)),
                    "the cover lacks the title: {expected:?}"
                );
                assert!(expected.len() <= words.len() + 2, "the cover holds text: {expected:?}");
            } else if panel == 6 {
                // Each statement starts a new panel, so the back may be left as the
                // fit's blank padding, but never a few stray words.
                assert!(expected.is_empty() || expected.len() > 10, "the back holds {expected:?}");
            } else {
                assert!(expected.len() > 10, "panel {panel} holds {} words", expected.len());
            }
            assert_eq!(found, expected, "side {}, third {}: expected panel {panel}", side + 1, slot + 1);
        }
    }
}

/// The size a fitted output was set at, from the build note.
#[track_caller]
fn fitted_size(out: &str) -> f64 {
    let note =
        out.lines().find(|l| l.contains("fitted to")).unwrap_or_else(|| panic!("no fit note in:\n{out}"));
    let at = note.split(" at ").nth(1).expect("size");
    at.split("pt").next().and_then(|v| v.parse().ok()).expect("a size in points")
}

// fit-pages = 2: exactly two pages, at a size within the bounds whose type height matches,
// and the largest: 0.1 pt more does not fit, and the error says how many pages it takes.
#[test]
fn fit_pages_takes_the_largest_size_that_fits() {
    if !poppler() {
        return;
    }
    let book = Book::fixture("leaflet/fit");
    let run = book.run(["build"]);
    run.success();
    let pdf = book.assert_file("out/leaflet.pdf");
    assert_eq!(pages(&pdf), 2);
    let size = fitted_size(&format!("{}{}", run.stderr, run.stdout));
    assert!((8.0..=12.0).contains(&size), "fitted size {size}pt is out of the bounds");
    // Body words: poppler's box is the font's ascent to descent, about 1.2 em for these faces.
    let mut heights: Vec<f64> = words(&pdf).iter().map(|w| w.y1 - w.y0).collect();
    heights.sort_by(f64::total_cmp);
    let median = heights[heights.len() / 2];
    assert!((0.9..=1.5).contains(&(median / size)), "median word height {median:.2} at {size}pt");

    let toml = std::fs::read_to_string(book.path("book.toml")).expect("book.toml");
    let larger = format!("{}\nfont-size-min = \"{:.1}pt\"\n", toml.trim_end(), size + 0.1);
    book.write("book.toml", larger);
    let run = book.run(["build"]);
    run.code(1).stderr_has("does not fit 2 page(s)").stderr_has("it takes 3").stderr_has("set fit-pages = 3");
    let line = toml.lines().position(|l| l.starts_with("fit-pages")).expect("fit-pages line") + 1;
    run.located("book.toml", &format!("{line}:13"));
}
