//! Properties over generated input (proptest):
//! - any Markdown yields an EPUB whose XHTML (and OPF, NCX) parses as XML;
//! - the PDF's text (pdftotext) contains every word of the input;
//! - line breaking never exceeds the measure, both in the breaker itself and
//!   in the lines the layout sets.
//!
//! The pipeline is the one the fuzz targets run (`fuzz/harness.rs`).

mod common;
#[path = "../fuzz/harness.rs"]
mod harness;

use std::collections::BTreeSet;

use proptest::prelude::*;
use samizdat::layout::linebreak::{self, Item, Params, Pass};
use samizdat::layout::{self, LineKind};
use samizdat::units::Pt;

/// Cases per property: enough to meet the odd combinations, few enough for a
/// debug build (each case typesets and writes a PDF and an EPUB).
const CASES: u32 = 48;

/// A fixed seed keeps CI reproducible: the same cases every run. Explore new
/// ones locally with `PROPTEST_RNG_SEED=<n> cargo test --test properties`.
const SEED: u64 = 20_261_124;

/// Any text at all, Markdown syntax characters over-represented.
fn any_markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Zа-яёА-ЯЁәғқңөұүһіӘҒҚҢӨҰҮҺІ ]{1,12}",
        3 => prop::sample::select(vec![
            "\n", "\n\n", "# ", "## ", "> ", "- ", "1. ", "*", "**", "_", "`", "```\n", "[", "](", ")", "![",
            "[^1]", "[^1]: ", "|", "|---|", "<", ">", "&", "&amp;", "\"", "'", "«", "»", "--", " - ", "{lang=kk}",
            "---\n", "+++\n", "\\", "<br>", "<script>", "]]>", "<![CDATA[", "\u{0}", "\u{1}", "\u{b}", "\u{c}",
            "\u{fffe}", "\u{ffff}", "\r", "😀", "<b>", "</b>", "<i>", "</i>", "<sup>", "</sub>", "<p>", "</p>",
            "<div class=\"x\">", "</div>", "<ul><li>", "</li>", "<table><tr><td>", "</td>", "</table>", "<a href=\"",
            "\">", "</a>", "<span lang=\"kk\">", "</span>", "<pre>", "</pre>", "<!--", "-->", "<style>", "&nbsp;",
            "&#x41;", "<img src=\"a.png\" alt=\"", "\n:::", "::: {lang=kk}\n", "::: only-print\n", "^[", "]{lang=kk}",
            "{width=50%}", "<blockquote>",
        ])
        .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// A word of 1–14 letters in one of the three languages.
fn word() -> impl Strategy<Value = String> {
    prop_oneof!["[а-яё]{1,14}", "[әғқңөұүһіа-я]{1,14}", "[a-z]{1,14}"]
}

/// Markdown made of words in paragraphs, headings, lists, quotes and
/// emphasis: constructs whose every word is printed as body text.
fn worded_markdown() -> impl Strategy<Value = String> {
    let inline = (word(), 0..4u8).prop_map(|(w, style)| match style {
        0 => format!("*{w}*"),
        1 => format!("**{w}**"),
        _ => w,
    });
    let sentence = prop::collection::vec(inline, 1..25).prop_map(|ws| ws.join(" "));
    let block = (sentence, 0..6u8).prop_map(|(s, kind)| match kind {
        0 => format!("## {s}"),
        1 => format!("- {s}"),
        2 => format!("> {s}"),
        3 => format!("1. {s}"),
        _ => s,
    });
    prop::collection::vec(block, 1..8).prop_map(|bs| format!("# Заявление\n\n{}\n", bs.join("\n\n")))
}

/// A word as exports write it: sometimes decomposed (`й` as `и` + U+0306, `ё`
/// as `е` + U+0308), sometimes followed by an invisible character (a soft
/// hyphen, zero-width space, word joiner or BOM before the next space).
fn export_word() -> impl Strategy<Value = String> {
    (word(), 0..8u8).prop_map(|(w, mark)| match mark {
        0 if w.contains(['й', 'ё']) => w.replace('й', "и\u{306}").replace('ё', "е\u{308}"),
        // A stress mark, as Russian texts for learners write it (on Cyrillic: no
        // precomposed letter exists, so it stays a combining mark).
        0 if !w.is_ascii() => format!("{w}\u{301}"),
        1 => format!("{w}\u{ad}"),
        2 => format!("{w}\u{200b}"),
        3 => format!("{w}\u{2060}"),
        4 => format!("{w}\u{feff}"),
        5 => format!("`{w}`"),
        _ => w,
    })
}

/// Markdown of every block and inline kind, nested in each other: lists in
/// quotes and quotes in lists, tables, notes called from text, from table cells
/// and from other notes, links and code, with decomposed and invisible characters.
fn nested_markdown() -> impl Strategy<Value = String> {
    fn sentence() -> impl Strategy<Value = String> {
        let inline = (export_word(), 0..11u8).prop_map(|(w, style)| match style {
            0 => format!("*{w}*"),
            1 => format!("**{w}**"),
            2 => format!("[{w}](https://example.org/{})", w.len()),
            // A website's HTML and Pandoc's extensions.
            3 => format!("<b>{w}</b>"),
            4 => format!("<i>{w} <sup>{w}</sup></i>"),
            5 => format!("<a href=\"https://example.org\" onclick=\"x()\">{w}</a>"),
            6 => format!("[{w}]{{lang=kk}}"),
            7 => format!("{w}^[{w} <s>{w}</s>]"),
            _ => w,
        });
        prop::collection::vec(inline, 1..12).prop_map(|ws| ws.join(" "))
    }
    let block = (sentence(), sentence(), 0..11u8).prop_map(|(s, t, kind)| match kind {
        0 => format!("## {s}"),
        1 => format!("- {s}\n  > {t}"),
        2 => format!("> {s}\n>\n> - {t}"),
        3 => format!("1. {s}\n   1. {t}"),
        4 => format!("| {s} | {t}[^t] |\n|---|---|\n| {t} | {s} |"),
        5 => format!("{s}[^a] {t}"),
        6 => format!("```\n{s}\n    {t}\n```"),
        7 => format!("<div class=\"post\">\n<p>{s}<br>\n{t}</p>\n<script>var x = 1;</script>\n</div>"),
        8 => format!("::: {{lang=kk}}\n{s}\n\n> {t}\n:::"),
        _ => format!("{s} {t}"),
    });
    (prop::collection::vec(block, 1..7), word(), word(), word()).prop_map(|(bs, a, b, t)| {
        let body = bs.join("\n\n");
        // Notes for the calls made (a note nobody calls is left out, with a warning).
        let mut notes = String::new();
        if body.contains("[^a]") {
            notes.push_str(&format!("[^a]: {a} со ссылкой[^n].\n[^n]: {b} в сноске.\n"));
        }
        if body.contains("[^t]") {
            notes.push_str(&format!("[^t]: {t} из таблицы.\n"));
        }
        format!("# Заявление\n\n{body}\n\n{notes}")
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: CASES,
        rng_seed: proptest::test_runner::RngSeed::Fixed(SEED),
        ..ProptestConfig::default()
    })]

    // Any Markdown gives an EPUB whose XML files all parse.
    #[test]
    fn epub_xml_is_well_formed(text in any_markdown()) {
        if let Some(out) = harness::render(&text) {
            for (name, xml) in harness::epub_xml_files(&out.epub) {
                prop_assert!(harness::parse_xml(&xml).is_ok(), "{name} does not parse:\n{xml}");
            }
        }
    }

    // Every word of the input appears in the PDF's extracted text (line-end hyphenation undone).
    #[test]
    fn pdf_text_has_every_word(text in worded_markdown()) {
        let out = harness::render(&text).expect("worded Markdown is always accepted");
        let Some(extracted) = pdf_text(&out.pdf) else { return Ok(()) };
        let got = common::validate::pdf_words(&extracted);
        let missing: BTreeSet<String> =
            common::validate::markdown_words(&text).into_iter().filter(|w| !got.contains(w)).collect();
        prop_assert!(missing.is_empty(), "missing {missing:?} from:\n{extracted}");
    }

    // Nothing is lost on the way: every word of Markdown of all kinds, nested,
    // with decomposed and invisible characters, comes back from the PDF's text
    // and from the EPUB's (the source taken in composed form, invisible
    // characters being nothing a reader sees).
    #[test]
    fn every_word_survives_in_both_outputs(text in nested_markdown()) {
        let out = harness::render(&text).expect("this Markdown is always accepted");
        let source = source_words(&text);
        let epub = common::validate::words(&epub_text(&out.epub));
        let lost: BTreeSet<&String> = source.iter().filter(|w| !epub.contains(*w)).collect();
        prop_assert!(lost.is_empty(), "missing {lost:?} from the EPUB of:\n{text}");
        let Some(extracted) = pdf_text(&out.pdf) else { return Ok(()) };
        let got = common::validate::pdf_words(&extracted);
        let lost: BTreeSet<&String> = source.iter().filter(|w| !got.contains(*w)).collect();
        prop_assert!(lost.is_empty(), "missing {lost:?} from the PDF text:\n{extracted}\nof:\n{text}");
    }

    // The layout sets no line wider than the measure when every word fits in it.
    #[test]
    fn layout_lines_fit_the_measure(text in worded_markdown()) {
        let out = harness::render(&text).expect("worded Markdown is always accepted");
        let o = &out.options;
        for page in &out.layout.pages {
            for line in page.lines.iter().filter(|l| l.kind == LineKind::Body) {
                prop_assert!(!line.overfull, "overfull line on page {}: {:?}", page.number, line.text);
            }
            // Text runs stay inside the text block; hanging punctuation may reach into the margin by a
            // fraction of an em, so allow one em of the run's size.
            let (left, right) = if page.number % 2 == 1 {
                (o.margin_inner(), o.pdf.page.width - o.pdf.margins.outer)
            } else {
                (o.pdf.margins.outer, o.pdf.page.width - o.margin_inner())
            };
            for item in &page.items {
                if let layout::Item::Text(run) = item {
                    let width = run.width();
                    prop_assert!(run.x >= left - run.size, "run {:?} starts at {} left of {}", run.text, run.x, left);
                    prop_assert!(
                        run.x + width <= right + run.size,
                        "run {:?} ends at {} right of {}", run.text, run.x + width, right
                    );
                }
            }
        }
    }

    // Knuth–Plass never returns a line wider than the measure when every box fits in it.
    #[test]
    fn breaker_never_exceeds_the_measure(
        // Every box plus its hyphen fits the narrowest measure (50 + 3.5 < 60), so a solution
        // without overflow always exists and the overfull pass must never be needed.
        boxes in prop::collection::vec((1.0..50.0f64, any::<bool>()), 1..120),
        measure in 60.0..300.0f64,
    ) {
        let mut items = Vec::new();
        for (i, (w, hyphen)) in boxes.iter().enumerate() {
            if i > 0 {
                items.push(Item::Glue { width: Pt::new(3.0), stretch: Pt::new(1.5), shrink: Pt::new(1.0) });
            }
            items.push(Item::Box { width: Pt::new(*w) });
            if *hyphen {
                items.push(Item::Penalty { width: Pt::new(3.5), cost: linebreak::HYPHEN_PENALTY, flagged: true });
                items.push(Item::Box { width: Pt::new(w / 2.0) });
            }
        }
        linebreak::finish_paragraph(&mut items);
        let measure = Pt::new(measure);
        let breaking = linebreak::break_lines(&items, &|_| measure, &Params::default());
        prop_assert!(breaking.pass != Pass::Overfull || breaking.lines.iter().all(|l| l.overflow == Pt::ZERO));
        for line in &breaking.lines {
            let mut width = items[line.start..line.end]
                .iter()
                .fold(Pt::ZERO, |w, item| w + linebreak::set_width(item, line.ratio));
            if let Some(Item::Penalty { width: hyphen, .. }) = items.get(line.end) {
                width += *hyphen;
            }
            prop_assert!(width.get() <= measure.get() + 1e-6, "line {line:?} is {width} wide, measure {measure}");
        }
    }
}

/// The words of Markdown as the outputs must show them: composed (NFC), with
/// invisible characters left out and link targets (printed after the text in
/// parentheses, split differently) not counted.
fn source_words(md: &str) -> BTreeSet<String> {
    let composed = samizdat::markdown::composed(md.to_owned());
    let visible: String = composed.chars().filter(|c| !samizdat::fonts::is_invisible(*c)).collect();
    // Note labels (`[^a]`) are not text: the calls print numbers.
    let visible = ["[^a]", "[^n]", "[^t]"].iter().fold(visible, |t, label| t.replace(label, " "));
    // Tags, their attributes and Pandoc's `{…}` are markup, not text; a script's text is never printed.
    let visible = visible.replace("<script>var x = 1;</script>", " ");
    let mut text = String::with_capacity(visible.len());
    let mut markup = None;
    for c in visible.chars() {
        match (markup, c) {
            (None, '<') => markup = Some('>'),
            (None, '{') => markup = Some('}'),
            (Some(end), c) if c == end => {
                markup = None;
                text.push(' ');
            }
            (Some(_), _) => {}
            (None, c) => text.push(c),
        }
    }
    let visible = text;
    let no_targets = visible.split("](").enumerate().map(|(i, part)| {
        if i == 0 {
            part.to_owned()
        } else {
            part.split_once(')').map_or(String::new(), |(_, rest)| rest.to_owned())
        }
    });
    common::validate::markdown_words(&no_targets.collect::<Vec<_>>().join(" "))
}

/// The text of every XHTML file of an EPUB, tags left out.
fn epub_text(epub: &[u8]) -> String {
    let mut text = String::new();
    for (name, xml) in harness::epub_xml_files(epub) {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let mut inside = false;
        for c in xml.chars() {
            match c {
                '<' => inside = true,
                '>' => {
                    inside = false;
                    text.push(' ');
                }
                c if !inside => text.push(c),
                _ => {}
            }
        }
        text.push(' ');
    }
    text
}

/// `pdftotext -layout` of PDF bytes, or `None` (a skip, or a failure under CI) without poppler.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    if !common::validate::have("pdftotext") {
        return None;
    }
    let dir = common::Book::empty("prop-pdf");
    let path = dir.write("t.pdf", pdf);
    let layout = common::validate::pdf_text(&path)?;
    // pdftotext's layout analysis reads a line of one-letter words (`а б в г`, bound
    // by no-break spaces as Russian requires) as one letter-spaced word; the text
    // in content order (`-raw`) has the spaces the PDF draws. A word must be in one
    // of the two.
    let raw =
        std::process::Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(&path).arg("-").output();
    let raw = raw.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    Some(format!("{layout}\n{raw}"))
}
