//! Type colour and page rhythm, read back from the PDFs (`pdftotext -bbox-layout`):
//! even word spacing with font expansion, no paragraph ending on a word's tail,
//! ragged right for narrow columns, and facing pages ending on one baseline.

mod common;

#[path = "../benches/build/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::collections::BTreeMap;

use common::validate::{self, PdfLine};
use common::{Book, typeset};

/// The body lines of each page: lines of the most common height (running text),
/// without running heads, folios and footnotes.
fn body(pages: &[Vec<PdfLine>]) -> Vec<Vec<PdfLine>> {
    let mut heights: BTreeMap<i64, usize> = BTreeMap::new();
    for l in pages.iter().flatten() {
        *heights.entry((l.height() * 10.0).round() as i64).or_default() += 1;
    }
    let body_h = heights.iter().max_by_key(|(_, n)| **n).map_or(10.0, |(h, _)| *h as f64 / 10.0);
    pages
        .iter()
        .map(|p| p.iter().filter(|l| (l.height() - body_h).abs() <= 0.15 * body_h).cloned().collect())
        .collect()
}

/// Where a page's (or a column's) lines end flush: the most common right end, so that
/// punctuation hanging into the margin does not move it.
fn flush_edge(ends: impl Iterator<Item = f64>) -> f64 {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for e in ends {
        *counts.entry((e * 2.0).round() as i64).or_default() += 1;
    }
    counts.iter().max_by_key(|(_, n)| **n).map_or(0.0, |(e, _)| *e as f64 / 2.0)
}

/// Mean space between the words of a line, in ems of its height's type size.
fn mean_space_em(l: &PdfLine) -> Option<f64> {
    let gaps: Vec<f64> = l.words.windows(2).map(|w| w[1].1 - w[0].2).filter(|g| *g > 0.2).collect();
    // pdftotext's line box is about 1.2 times the type size.
    (gaps.len() >= 2).then(|| gaps.iter().sum::<f64>() / gaps.len() as f64 / (l.height() / 1.2))
}

/// Runts: a paragraph's last line holding only the tail of a word hyphenated above it.
fn runts(pages: &[Vec<PdfLine>]) -> Vec<String> {
    let mut found = Vec::new();
    for page in pages {
        for pair in page.windows(2) {
            let (above, last) = (&pair[0], &pair[1]);
            let right = flush_edge(page.iter().map(|l| l.x1));
            let hyphenated = above.words.last().is_some_and(|w| w.0.ends_with('-') && w.0.len() > 1);
            if hyphenated && last.words.len() == 1 && last.x1 < right - 20.0 {
                found.push(format!("{} / {}", above.words.last().unwrap().0, last.words[0].0));
            }
        }
    }
    found
}

// The sample book at its A5 settings: spaces even (few lines with a mean space
// over half an em, where Typst sets about one in seven on the same text), no runt,
// and no more hyphens than good Russian practice needs.
#[test]
fn even_colour_on_a5() {
    let book = Book::sample();
    book.run(["build", "--output", "book", "-q"]).success();
    let Some(pages) = validate::pdf_lines(&book.path("out/book.pdf")) else { return };
    let body = body(&pages);
    let full: Vec<&PdfLine> = body
        .iter()
        .flat_map(|p| {
            let edge = flush_edge(p.iter().map(|l| l.x1));
            p.iter().filter(move |l| l.x1 > edge - 1.0)
        })
        .collect();
    assert!(full.len() > 100, "too few full lines to judge: {}", full.len());
    let loose = full.iter().filter(|l| mean_space_em(l).is_some_and(|m| m > 0.5)).count();
    assert!(loose * 100 <= full.len() * 3, "{loose} loose lines of {}", full.len());
    assert_eq!(runts(&body), Vec::<String>::new());
    let lines: usize = body.iter().map(Vec::len).sum();
    let hyphens =
        body.iter().flatten().filter(|l| l.words.last().is_some_and(|w| w.0.ends_with('-'))).count();
    assert!(hyphens * 100 <= lines * 25, "{hyphens} hyphens in {lines} lines");
    validate::words_present(&book.path("out/book.pdf"), &sample_sources(&book));
}

fn sample_sources(book: &Book) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(book.path("content"))
        .expect("content")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

// Font expansion widens or narrows a justified line's glyphs by at most 2 %, in steps,
// and only justified lines; the text stays the same string (searched above).
#[test]
fn expansion_is_bounded_and_only_in_justified_text() {
    let layout = typeset(&common::repo());
    let scales: Vec<f64> = layout
        .pages
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| if let samizdat::layout::Item::Text(r) = i { Some(r.scale) } else { None })
        .collect();
    assert!(scales.iter().all(|s| (0.98 - 1e-9..=1.02 + 1e-9).contains(s)), "{scales:?}");
    assert!(scales.iter().any(|s| *s != 1.0), "no line was expanded or condensed");
    for s in &scales {
        let steps = (s - 1.0) / samizdat::layout::linebreak::EXPANSION_STEP;
        assert!((steps - steps.round()).abs() < 1e-6, "{s} is not a whole step");
    }
}

// A narrow column (about 36 characters) is set ragged right: its lines end at
// many different places, and no line is stretched.
#[test]
fn narrow_columns_are_ragged() {
    let book = Book::fixture("leaflet/fit");
    book.write(
        "book.toml",
        "[book]\ntitle = \"Зарплата\"\nlanguage = \"ru\"\ndocuments = [\"content/*.md\"]\n\n\
         [output.narrow]\nformat = \"pdf\"\npage-size = \"A5\"\ncolumns = 2\nmargins = \"12mm\"\nfont-size = \"10pt\"\n\n\
         [output.wide]\nformat = \"pdf\"\npage-size = \"A5\"\ncolumns = 2\nmargins = \"12mm\"\nfont-size = \"10pt\"\nalign = \"justify\"\n",
    );
    book.run(["build", "-q"]).success();
    let mut flush_share = BTreeMap::new();
    for name in ["narrow", "wide"] {
        let Some(pages) = validate::pdf_lines(&book.path(format!("out/{name}.pdf"))) else { return };
        let body = body(&pages);
        // Lines of the left column of each page, by their right ends.
        let left: Vec<&PdfLine> = body
            .iter()
            .flat_map(|p| {
                let mid = p.iter().map(|l| l.x1).fold(0.0, f64::max) / 2.0 + 20.0;
                p.iter().filter(move |l| l.x1 < mid)
            })
            .collect();
        assert!(left.len() > 20, "{name}: too few lines: {}", left.len());
        let edge = flush_edge(left.iter().map(|l| l.x1));
        // Hanging punctuation and hyphens move a flush line's end by a few points.
        let flush = left.iter().filter(|l| (l.x1 - edge).abs() < 4.0).count();
        flush_share.insert(name, flush as f64 / left.len() as f64);
        if name == "narrow" {
            // Ragged lines keep their spaces as designed: none is stretched.
            let widest = left.iter().filter_map(|l| mean_space_em(l)).fold(0.0, f64::max);
            assert!(widest < 0.5, "{name}: a space of {widest:.2} em");
        }
    }
    assert!(flush_share["narrow"] + 0.2 < flush_share["wide"], "{flush_share:?}");
}

/// The lines of the volume of `statements` generated statements (no pictures), or
/// `None` when poppler is missing.
fn volume_pages(label: &str, statements: usize) -> Option<Vec<Vec<PdfLine>>> {
    let book = Book::empty(label);
    corpus::write(&book.root, &corpus::Spec { images: false, statements, ..corpus::Spec::default() })
        .expect("write the corpus");
    book.run(["build", "--format", "pdf", "-q"]).success();
    let pdf = std::fs::read_dir(book.path("out"))
        .expect("out")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "pdf"))
        .expect("a PDF");
    validate::pdf_lines(&pdf)
}

// A generated volume of thirty statements: on every spread where both pages run to
// the foot, the last lines share one baseline (the baseline grid, and a page set a
// line short where the rules leave its facing page short); no runt anywhere.
#[test]
fn facing_pages_share_a_baseline() {
    let Some(pages) = volume_pages("spreads", 30) else { return };
    let body = body(&pages);
    let feet: Vec<Option<f64>> = body.iter().map(|p| p.last().map(|l| l.y1)).collect();
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for y in feet.iter().flatten() {
        *counts.entry((y * 10.0).round() as i64).or_default() += 1;
    }
    let foot = counts.iter().max_by_key(|(_, n)| **n).map_or(0.0, |(y, _)| *y as f64 / 10.0);
    let pitch = 14.0;
    let (mut spreads, mut uneven) = (0, Vec::new());
    for left in (1..pages.len().saturating_sub(1)).step_by(2) {
        if let (Some(a), Some(b)) = (feet[left], feet[left + 1])
            && a >= foot - 1.5 * pitch
            && b >= foot - 1.5 * pitch
        {
            spreads += 1;
            if (a - b).abs() > 1.0 {
                uneven.push((left + 1, a, b));
            }
        }
    }
    assert!(spreads > 20, "too few full spreads to judge: {spreads}");
    assert!(uneven.is_empty(), "spreads (left page, feet) on two baselines: {uneven:?}");
    assert_eq!(runts(&body), Vec::<String>::new());
}

// A statement's last line or two never stand alone on a page: the spread before takes
// them, a line long. (Sixty generated statements: one such page without the rule.)
#[test]
fn no_lonely_last_lines() {
    let Some(pages) = volume_pages("tails", 60) else { return };
    let body = body(&pages);
    // The front matter (title page, contents) is no statement's.
    let text_starts = body.iter().position(|p| p.len() >= 10).unwrap_or(0);
    let lonely: Vec<(usize, String)> = body
        .iter()
        .enumerate()
        .skip(text_starts)
        .filter(|(_, p)| (1..=2).contains(&p.len()))
        .map(|(i, p)| {
            (i + 1, p.iter().flat_map(|l| l.words.iter().map(|w| w.0.clone())).collect::<Vec<_>>().join(" "))
        })
        .collect();
    assert!(pages.len() > 300, "too few pages to judge: {}", pages.len());
    assert!(lonely.is_empty(), "pages holding a statement's last line or two: {lonely:?}");
}

/// The share of a PDF's full justified lines (ending at their column's flush
/// edge) whose mean space passes half an em, in per cent, over two columns.
fn loose_percent_in_columns(pdf: &std::path::Path) -> Option<f64> {
    let pages = validate::pdf_lines(pdf)?;
    let body = body(&pages);
    let (mut full, mut loose) = (0usize, 0usize);
    for page in &body {
        let mid = page.iter().map(|l| l.x1).fold(0.0_f64, f64::max) / 2.0;
        for column in [true, false] {
            let lines: Vec<&PdfLine> = page.iter().filter(|l| (l.x0 < mid) == column).collect();
            let edge = flush_edge(lines.iter().map(|l| l.x1));
            for l in lines.into_iter().filter(|l| l.x1 > edge - 1.0) {
                full += 1;
                loose += usize::from(mean_space_em(l).is_some_and(|m| m > 0.5));
            }
        }
    }
    assert!(full > 40, "too few full lines to judge: {full}");
    Some(loose as f64 * 100.0 / full as f64)
}

// An A4 leaflet in two columns copyfitted to two pages (about 40 characters a
// line): letter-spacing, the last resort, takes up a good share of the loose
// lines that the same leaflet has without it (tracking = "0%"); the text stays
// the same words.
#[test]
fn letter_spacing_takes_up_loose_lines() {
    let book = Book::fixture("leaflet/fit");
    let manifest = "[book]\ntitle = \"Зарплата\"\nlanguage = \"ru\"\ndate = \"2026-03-01\"\ndocuments = [\"content/*.md\"]\n\
         [output.a4]\nformat = \"pdf\"\npage-size = \"A4\"\ncolumns = 2\nfit-pages = 2\n\
         [output.plain]\nformat = \"pdf\"\npage-size = \"A4\"\ncolumns = 2\nfit-pages = 2\ntracking = \"0%\"\n";
    book.write("book.toml", manifest);
    book.run(["build", "-q"]).success();
    let (Some(spaced), Some(plain)) = (
        loose_percent_in_columns(&book.path("out/a4.pdf")),
        loose_percent_in_columns(&book.path("out/plain.pdf")),
    ) else {
        return;
    };
    // (This measure takes the type size as the line box over 1.2, stricter than
    // typo-audit's, which finds 4.4 % and 14.7 %.)
    assert!(spaced < 15.0, "{spaced:.1} % loose with letter-spacing ({plain:.1} % without)");
    assert!(
        spaced <= plain * 0.8,
        "letter-spacing takes up few loose lines: {spaced:.1} % against {plain:.1} %"
    );
    let sources: Vec<_> = std::fs::read_dir(book.path("content"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    // `pdftotext -layout` sets two columns side by side on one line; their lines
    // in reading order come from the word boxes.
    let Some(pages) = validate::pdf_lines(&book.path("out/a4.pdf")) else { return };
    let text: Vec<String> = pages
        .iter()
        .flatten()
        .map(|l| l.words.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(" "))
        .collect();
    let got = validate::pdf_words(&text.join("\n"));
    for src in &sources {
        let md = std::fs::read_to_string(src).unwrap();
        let missing: Vec<String> =
            validate::markdown_words(&md).into_iter().filter(|w| !got.contains(w)).collect();
        assert!(missing.is_empty(), "words missing: {missing:?}");
    }
}
