//! Resource use that must stay linear in the input: one paragraph of hundreds of
//! kilobytes is laid out in time proportional to its length. Timed as a ratio
//! between two sizes of the same text, not against a wall-clock limit, so the
//! check holds on a slow or busy machine.

use std::path::Path;
use std::time::{Duration, Instant};

use samizdat::fonts::FontSet;
use samizdat::layout::{self, LayoutOptions};
use samizdat::manifest;
use samizdat::markdown::{self, SourceInfo};
use samizdat::model::{Book, Images};
use samizdat::typography;

/// A statement of one paragraph of about `bytes` bytes of Russian words.
fn one_paragraph(bytes: usize) -> String {
    let words = [
        "жители",
        "района",
        "требуют",
        "остановить",
        "вырубку",
        "деревьев",
        "в",
        "сквере",
        "где",
        "много",
        "лет",
        "отдыхают",
        "дети",
        "и",
        "пожилые",
        "люди",
        "решение",
        "о",
        "строительстве",
        "было",
        "принято",
        "без",
        "общественных",
        "слушаний",
    ];
    let mut text = String::from("# Длинный абзац\n\n");
    let mut seed = 12_345u64;
    while text.len() < bytes {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        text.push_str(words[(seed >> 33) as usize % words.len()]);
        text.push(' ');
    }
    text.push_str("конец.\n");
    text
}

/// The best of three layouts of `source`, and its page count.
fn lay_out(source: &str) -> (Duration, usize) {
    let (mut doc, _) = markdown::parse(source, &SourceInfo::new(Path::new("long.md"), Path::new(".")));
    typography::normalize(&mut doc);
    let book = Book { documents: vec![doc], ..Book::default() };
    let fonts = FontSet::embedded();
    let options = LayoutOptions::new(manifest::default_pdf());
    let mut best = Duration::MAX;
    let mut pages = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let (layout, _) = layout::typeset(&book, &Images::new(), &fonts, &options);
        best = best.min(start.elapsed());
        pages = layout.pages.len();
    }
    (best, pages)
}

// Four times the text takes about four times as long: well under eight (a
// quadratic cost would take sixteen). Before, a 2 MB paragraph took 107 s and 6.5 GB.
#[test]
fn a_long_paragraph_is_laid_out_in_linear_time() {
    let (small, small_pages) = lay_out(&one_paragraph(100_000));
    let (large, large_pages) = lay_out(&one_paragraph(400_000));
    assert!(large_pages >= small_pages * 3, "{small_pages} and {large_pages} pages");
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    assert!(ratio < 8.0, "100 KB in {small:?}, 400 KB in {large:?}: ratio {ratio:.1}");
}
