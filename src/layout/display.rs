//! Display type: headings and titles, set as a typographer sets them.
//!
//! - A word is never cut without a hyphen: the size comes down until the longest
//!   word fits the measure (not below a floor); only a word still too long at
//!   the floor is hyphenated, visibly and at a point its language allows.
//! - Lines are balanced: a title of two lines breaks after its comma or colon
//!   when both halves fit, and otherwise every line is set to the narrowest
//!   measure that keeps the line count, so no line is left a single short word
//!   ("…о защите прав / потребителей" becomes "…о защите / прав потребителей").

use super::paragraph::{self, Align, LineBox, ParaStyle, line_width};
use crate::fonts::FontSet;
use crate::model::Inline;
use crate::units::Pt;

/// Sets `content` in `ps` (its size the one wanted, its leading in proportion),
/// fitted and balanced as the module says; `floor` is the smallest size the
/// longest word may bring it down to.
pub fn set(content: &[Inline], ps: &ParaStyle, floor: Pt, fonts: &FontSet) -> Vec<LineBox> {
    let ps = fitted(content, ps, floor, fonts);
    let lines = paragraph::set(content, &ps, fonts);
    if lines.len() < 2 {
        return lines;
    }
    if lines.len() == 2
        && let Some(split) = at_punctuation(content, &ps, fonts)
    {
        return split;
    }
    // Never narrower than the longest word: it would be cut.
    let widest = (widest_word(content, &ps, fonts) / FIT_MARGIN).min(ps.width);
    balanced(content, &ps, lines, widest, fonts)
}

/// The style at the largest size, at most `ps.size` and not below `floor`, at which
/// the longest word fits the measure; hyphenated when even `floor` is too large.
fn fitted(content: &[Inline], ps: &ParaStyle, floor: Pt, fonts: &FontSet) -> ParaStyle {
    let widest = widest_word(content, ps, fonts);
    if widest <= ps.width {
        return ps.clone();
    }
    // Widths grow with the size: scale down in proportion, a little under to be safe.
    let size = (ps.size * (ps.width / widest * FIT_MARGIN)).max(floor.min(ps.size));
    let at = ParaStyle { size, leading: ps.leading * (size / ps.size), ..ps.clone() };
    let fits = widest_word(content, &at, fonts) <= at.width;
    ParaStyle { hyphenate: ps.hyphenate || !fits, ..at }
}

/// Share of the exact fitting size taken: rounding in the shaper must not push
/// the word back over the measure.
const FIT_MARGIN: f64 = 0.995;

/// The widest word of `content` in `ps`, set alone on a line.
fn widest_word(content: &[Inline], ps: &ParaStyle, fonts: &FontSet) -> Pt {
    let text = Inline::plain_text(content);
    let one = ParaStyle { width: Pt::new(1.0e6), align: Align::Left, hyphenate: false, ..ps.clone() };
    text.split_whitespace()
        .filter_map(|w| paragraph::set(&[Inline::Text(w.to_string())], &one, fonts).pop())
        .map(|l| line_width(&l))
        .fold(Pt::ZERO, Pt::max)
}

/// A plain title of two lines split after a comma, colon or dash, or before an
/// opening quote or parenthesis: of the splits that leave both halves on one
/// line each, neither under a third of the other, the most even.
fn at_punctuation(content: &[Inline], ps: &ParaStyle, fonts: &FontSet) -> Option<Vec<LineBox>> {
    let [Inline::Text(text)] = content else { return None };
    let breaks = text.char_indices().filter_map(|(i, c)| {
        let after = i + c.len_utf8();
        let spaced = text[after..].starts_with(' ');
        // After a dash (a line never starts with one); before an opening quote or a
        // parenthesis, so that a name in quotes stays whole.
        let before_mark = c == ' ' && text[after..].starts_with(['«', '„', '“', '(']);
        ((matches!(c, ',' | ':' | ';' | '—' | '–') && spaced) || before_mark).then_some(after)
    });
    let mut best: Option<(f64, Vec<LineBox>)> = None;
    for at in breaks {
        let (head, tail) = (text[..at].trim_end(), text[at..].trim_start());
        let (mut h, t) = (one_line(head, ps, fonts)?, one_line(tail, ps, fonts)?);
        if let Some(run) = h.runs.last_mut() {
            run.end_with_space(fonts);
        }
        let (a, b) = (line_width(&h), line_width(&t));
        let evenness = a.min(b) / a.max(b);
        if evenness >= 1.0 / 3.0 && best.as_ref().is_none_or(|(e, _)| evenness > *e) {
            best = Some((evenness, vec![h, t]));
        }
    }
    best.map(|(_, lines)| lines)
}

/// `text` set on one line of `ps`'s measure, `None` when it takes more.
fn one_line(text: &str, ps: &ParaStyle, fonts: &FontSet) -> Option<LineBox> {
    let mut lines = paragraph::set(&[Inline::Text(text.to_string())], ps, fonts);
    (lines.len() == 1).then(|| lines.pop()).flatten()
}

/// The lines set to the narrowest measure (found by halving, to a point, and not
/// under `least`) that keeps their count; lines keep their place on the full measure.
fn balanced(
    content: &[Inline],
    ps: &ParaStyle,
    lines: Vec<LineBox>,
    least: Pt,
    fonts: &FontSet,
) -> Vec<LineBox> {
    let count = lines.len();
    let (mut lo, mut hi) = ((ps.width * 0.5).max(least), ps.width);
    let mut best = lines;
    while hi - lo > Pt::new(1.0) {
        let mid = (lo + hi) / 2.0;
        let narrower = paragraph::set(content, &ParaStyle { width: mid, ..ps.clone() }, fonts);
        if narrower.len() == count && !narrower.iter().any(|l| l.overfull) {
            hi = mid;
            best = narrower;
        } else {
            lo = mid;
        }
    }
    // A centred title centres each line on the full measure.
    if ps.align == Align::Center {
        let narrow = hi;
        for l in &mut best {
            paragraph::shift_line(l, (ps.width - narrow) / 2.0);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{Family, Style};
    use crate::model::Lang;

    fn style(size: f64, width: f64, align: Align) -> ParaStyle {
        ParaStyle {
            family: Family::Sans,
            style: Style { bold: true, italic: false },
            size: Pt::new(size),
            leading: Pt::new(size * 1.2),
            align,
            indent: Pt::ZERO,
            width: Pt::new(width),
            lang: Lang::Ru,
            hyphenate: false,
            expansion: 0.0,
            tracking: 0.0,
        }
    }

    fn texts(lines: &[LineBox]) -> Vec<String> {
        lines.iter().map(|l| l.text.trim().to_string()).collect()
    }

    // A word wider than the measure brings the size down until it fits: no line
    // holds a piece of a word without a hyphen.
    #[test]
    fn long_word_fits_by_size() {
        let f = FontSet::embedded();
        let content = [Inline::Text("Манифест СОЦИАЛИСТИЧЕСКОГО движения".into())];
        // The word is 183 pt wide at this size.
        let ps = style(17.85, 175.0, Align::Left);
        let lines = set(&content, &ps, Pt::new(10.0), &f);
        assert!(lines.iter().all(|l| !l.overfull && line_width(l) <= ps.width), "{:?}", texts(&lines));
        assert!(texts(&lines).iter().any(|t| t.contains("СОЦИАЛИСТИЧЕСКОГО")), "{:?}", texts(&lines));
        assert!(lines[0].runs[0].size < ps.size);
    }

    // At the floor, a word still too long is hyphenated with a visible hyphen.
    #[test]
    fn word_too_long_at_the_floor_hyphenates() {
        let f = FontSet::embedded();
        let content = [Inline::Text("ЧЕЛОВЕКОНЕНАВИСТНИЧЕСКОГО".into())];
        let ps = style(18.0, 120.0, Align::Left);
        let lines = set(&content, &ps, Pt::new(14.0), &f);
        assert!(lines.len() >= 2);
        assert!(
            lines[..lines.len() - 1].iter().all(|l| l.hyphenated && l.text.ends_with('-')),
            "{:?}",
            texts(&lines)
        );
        assert_eq!(lines[0].runs[0].size, Pt::new(14.0));
    }

    // Two lines break after the comma when both halves fit, and before a quoted name.
    #[test]
    fn two_lines_break_at_the_comma() {
        let f = FontSet::embedded();
        let content = [Inline::Text("Об индексации заработной платы, компенсации переработок".into())];
        let lines = set(&content, &style(17.0, 330.0, Align::Left), Pt::new(10.0), &f);
        assert_eq!(texts(&lines), ["Об индексации заработной платы,", "компенсации переработок"]);
        let content = [Inline::Text("Народный архив «Память улиц» ищет волонтёров".into())];
        let lines = set(&content, &style(17.85, 326.0, Align::Left), Pt::new(10.0), &f);
        assert_eq!(texts(&lines), ["Народный архив", "«Память улиц» ищет волонтёров"]);
        let content =
            [Inline::Text("Жильцы дома № 12 по улице Гагарина\u{a0}— о счетах за отопление".into())];
        let lines = set(&content, &style(17.85, 326.0, Align::Left), Pt::new(10.0), &f);
        assert_eq!(texts(&lines), ["Жильцы дома № 12 по улице Гагарина —", "о счетах за отопление"]);
    }

    // Without punctuation, the lines are evened out: no single short word left over.
    #[test]
    fn lines_balanced() {
        let f = FontSet::embedded();
        let content = [Inline::Text("Заявление № 19 о защите прав потребителей".into())];
        let ps = style(17.85, 330.0, Align::Left);
        let plain = paragraph::set(&content, &ps, &f);
        assert_eq!(plain.len(), 2, "{:?}", texts(&plain));
        let lines = set(&content, &ps, Pt::new(10.0), &f);
        assert_eq!(lines.len(), 2);
        let (a, b) = (line_width(&lines[0]), line_width(&lines[1]));
        assert!(b / a > 0.6, "{:?}", texts(&lines));
        assert!(line_width(&plain[1]) / line_width(&plain[0]) < b / a);
    }
}
