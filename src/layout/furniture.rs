//! Running heads: one line, never cut silently, one style on both pages.
//!
//! A title too long for the head is shortened at a word boundary and ends in
//! "…", so the reader sees that it goes on; a title set in capitals is set
//! smaller and letter-spaced, as capitals in a head are by book practice (its
//! words keep their case: lowercasing would also lower abbreviations).

use super::paragraph::{self, Align, LineBox, ParaStyle, line_width};
use super::style;
use crate::fonts::{Family, FontSet, Style};
use crate::model::{Inline, Lang};
use crate::units::{Em, Pt};

/// A running head set on one line centred in `width`, at `size` upright serif;
/// `None` for an empty text.
pub fn running_head(text: &str, size: Pt, width: Pt, lang: Lang, fonts: &FontSet) -> Option<LineBox> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return None;
    }
    let caps = is_capitals(&text);
    let (set_size, tracking) =
        if caps { (size * style::HEAD_CAPS_SCALE, style::HEAD_CAPS_TRACKING) } else { (size, 0.0) };
    let ps = ParaStyle {
        family: Family::Serif,
        style: Style::default(),
        size: set_size,
        leading: size * style::HEADING_LEADING,
        align: Align::Left,
        indent: Pt::ZERO,
        // Wide enough that any head is one line; it is measured, then placed.
        width: Pt::new(1.0e6),
        lang,
        hyphenate: false,
        expansion: 0.0,
        tracking: 0.0,
    };
    let words: Vec<&str> = text.split(' ').collect();
    let mut line = None;
    for n in (1..=words.len()).rev() {
        let shown = if n == words.len() { text.clone() } else { shortened(&words[..n]) };
        let mut set = paragraph::set(&[Inline::Text(shown)], &ps, fonts).into_iter().next()?;
        track(&mut set, tracking);
        // Capitals stand on the baseline a head in lowercase would have.
        set.ascent = set.ascent * (size / set_size);
        set.leading = size * style::HEADING_LEADING;
        let fits = line_width(&set) <= width;
        line = Some(set);
        if fits {
            break;
        }
    }
    let mut line = line?;
    let shift = (width - line_width(&line)) / 2.0;
    for r in &mut line.runs {
        r.x += shift;
    }
    Some(line)
}

/// The first words of a title and "…", without the punctuation they ended on nor
/// a short lowercase word (a preposition or conjunction) that leans on what was cut.
fn shortened(mut words: &[&str]) -> String {
    while let [rest @ .., last] = words
        && !rest.is_empty()
        && last.chars().count() <= 3
        && last.chars().all(|c| c.is_lowercase())
    {
        words = rest;
    }
    let joined = words.join(" ");
    let trimmed = joined.trim_end_matches(|c: char| c.is_ascii_punctuation() || "–—«„“".contains(c));
    format!("{}…", trimmed.trim_end())
}

/// A title of capitals: two or more letters, none of them lowercase.
fn is_capitals(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic());
    letters.clone().count() >= 2 && letters.clone().all(|c| !c.is_lowercase())
}

/// Adds `tracking` ems after every glyph but the line's last, moving later runs along.
fn track(line: &mut LineBox, tracking: f64) {
    if tracking == 0.0 {
        return;
    }
    let total: usize = line.runs.iter().map(|r| r.glyphs.len()).sum();
    let mut seen = 0;
    let mut moved = Pt::ZERO;
    for r in &mut line.runs {
        r.x += moved;
        let extra = tracking / r.scale;
        for g in &mut r.glyphs {
            seen += 1;
            if seen < total {
                g.advance = Em::new(f64::from(g.advance.get()) + extra);
                moved += r.size * tracking;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> FontSet {
        FontSet::embedded()
    }

    fn text_of(line: &LineBox) -> String {
        line.runs.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("")
    }

    // A head that fits is set whole and centred in the measure.
    #[test]
    fn short_head_whole_and_centred() {
        let f = fonts();
        let width = Pt::new(300.0);
        let line = running_head("О зарплате", Pt::new(8.0), width, Lang::Ru, &f).expect("a line");
        assert_eq!(text_of(&line), "О зарплате");
        let left = line.runs[0].x;
        let right = width - line_width(&line);
        assert!((left - right).get().abs() < 0.01, "{left} | {right}");
    }

    // A long head is cut after a whole word and says so with "…", never mid-word or silently.
    #[test]
    fn long_head_shortened_at_a_word() {
        let f = fonts();
        let title =
            "Заявление первичной профсоюзной организации о сверхурочной работе, условиях труда и выплатах";
        let line = running_head(title, Pt::new(8.0), Pt::new(200.0), Lang::Ru, &f).expect("a line");
        let shown = text_of(&line);
        assert!(shown.ends_with('…'), "{shown}");
        let kept = shown.trim_end_matches('…');
        assert!(title.starts_with(kept) && title[kept.len()..].starts_with(' '), "{shown}");
        assert!(!kept.ends_with(','), "{shown}");
        // Never cut after a preposition or conjunction that leans on the words dropped.
        assert_eq!(shortened(&["работы", "и", "в"]), "работы…");
        assert_eq!(shortened(&["О", "зарплате,", "и"]), "О зарплате…");
        assert!(line_width(&line) <= Pt::new(200.0));
    }

    // Capitals are set smaller and letter-spaced, keeping their case.
    #[test]
    fn capitals_letter_spaced() {
        let f = fonts();
        let caps =
            running_head("ЗАЯВЛЕНИЕ ПРОФКОМА", Pt::new(8.0), Pt::new(300.0), Lang::Ru, &f).expect("caps");
        assert_eq!(text_of(&caps), "ЗАЯВЛЕНИЕ ПРОФКОМА");
        assert!(caps.runs.iter().all(|r| r.size < Pt::new(8.0)));
        let plain = ParaStyle {
            family: Family::Serif,
            style: Style::default(),
            size: caps.runs[0].size,
            leading: Pt::new(10.0),
            align: Align::Left,
            indent: Pt::ZERO,
            width: Pt::new(1.0e6),
            lang: Lang::Ru,
            hyphenate: false,
            expansion: 0.0,
            tracking: 0.0,
        };
        let untracked = paragraph::set(&[Inline::Text("ЗАЯВЛЕНИЕ ПРОФКОМА".into())], &plain, &f);
        let gained = (line_width(&caps) - caps.runs[0].x) - line_width(&untracked[0]);
        // Seventeen glyph gaps (spaces included) each widened by the tracking.
        let expected = caps.runs[0].size * (style::HEAD_CAPS_TRACKING * 17.0);
        assert!((gained - expected).get().abs() < 0.05, "{gained} vs {expected}");
        assert!(!is_capitals("Заявление ООО"));
        assert!(is_capitals("ЗАЯВЛЕНИЕ № 5"));
    }
}
