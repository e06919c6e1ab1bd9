//! Typographic audit of a [`Layout`], from its line records: the checks that
//! `typo-audit` makes from the outside of a PDF, made here from the inside so
//! tests can assert them on every fixture book.

use crate::layout::{Layout, LineKind, LineRecord};

/// Mean interword space (in ems) above which a line counts as loose. The same
/// threshold as the external audit: half an em is where a justified line
/// visibly opens up ("rivers").
pub const LOOSE_EM: f64 = 0.5;

/// Counts of typographic faults and measures of spacing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Audit {
    /// Pages.
    pub pages: usize,
    /// Body lines (running text).
    pub body_lines: usize,
    /// Lines wider than the measure.
    pub overfull: usize,
    /// Lines ending with an inserted hyphen.
    pub hyphenated: usize,
    /// Runs of three or more hyphenated lines in a row.
    pub ladders: usize,
    /// Lines ending with a one-letter word (в, к, с, у, о, а, и, я).
    pub hanging_one_letter: usize,
    /// Lines starting with a dash.
    pub starts_with_dash: usize,
    /// Last lines of paragraphs alone at the top of a page.
    pub widows: usize,
    /// First lines of paragraphs alone at the foot of a page.
    pub orphans: usize,
    /// Headings that are the last thing on a page.
    pub stranded_headings: usize,
    /// Words hyphenated across a page turn.
    pub page_end_hyphens: usize,
    /// Justified lines (all but paragraph ends) whose mean space exceeds [`LOOSE_EM`], in percent.
    pub loose_pct: f64,
}

const ONE_LETTER: [&str; 16] =
    ["в", "к", "с", "у", "о", "а", "и", "я", "В", "К", "С", "У", "О", "А", "И", "Я"];

/// Audits a layout.
pub fn audit(layout: &Layout) -> Audit {
    let mut a = Audit { pages: layout.pages.len(), ..Audit::default() };
    let (mut justified, mut loose) = (0usize, 0usize);
    for page in &layout.pages {
        let mut run = 0;
        for l in page.lines.iter().filter(|l| l.kind == LineKind::Body) {
            a.body_lines += 1;
            a.overfull += usize::from(l.overfull);
            if l.hyphenated {
                a.hyphenated += 1;
                run += 1;
                if run == 3 {
                    a.ladders += 1;
                }
            } else {
                run = 0;
            }
            let words: Vec<&str> = l.text.split([' ', '\u{a0}']).filter(|w| !w.is_empty()).collect();
            if words.len() >= 2
                && words.last().is_some_and(|w| ONE_LETTER.contains(w))
                && !l.text.ends_with('\u{a0}')
            {
                a.hanging_one_letter += 1;
            }
            if (l.text.starts_with('—') || l.text.starts_with('–')) && l.index > 0 {
                a.starts_with_dash += 1;
            }
            if l.index + 1 < l.count && l.space_em > 0.0 {
                justified += 1;
                loose += usize::from(l.space_em > LOOSE_EM);
            }
        }
    }
    for pair in layout.pages.windows(2) {
        let body =
            |ls: &[LineRecord]| ls.iter().filter(|l| l.kind == LineKind::Body).cloned().collect::<Vec<_>>();
        let (cur, next) = (body(&pair[0].lines), body(&pair[1].lines));
        if let (Some(last), Some(first)) = (cur.last(), next.first())
            && last.para == first.para
        {
            if first.index + 1 == first.count && first.count > 1 {
                a.widows += 1;
            }
            if last.index == 0 && last.count > 1 {
                a.orphans += 1;
            }
            a.page_end_hyphens += usize::from(last.hyphenated);
        }
        let flow_end =
            pair[0].lines.iter().rev().find(|l| matches!(l.kind, LineKind::Body | LineKind::Heading));
        if flow_end.is_some_and(|l| l.kind == LineKind::Heading) {
            a.stranded_headings += 1;
        }
    }
    a.loose_pct = if justified == 0 { 0.0 } else { 100.0 * loose as f64 / justified as f64 };
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Page;
    use crate::model::Lang;
    use crate::units::Pt;

    fn line(text: &str, para: usize, index: usize, count: usize) -> LineRecord {
        LineRecord {
            y: Pt::ZERO,
            text: text.into(),
            hyphenated: text.ends_with('-'),
            ratio: 0.0,
            overfull: false,
            kind: LineKind::Body,
            para,
            index,
            count,
            space_em: 0.3,
            column: 0,
        }
    }

    fn page(lines: Vec<LineRecord>) -> Page {
        Page {
            width: Pt::ZERO,
            height: Pt::ZERO,
            number: 1,
            label: crate::layout::PageLabel::Arabic(1),
            lang: Lang::Ru,
            items: Vec::new(),
            lines,
            marks: Vec::new(),
        }
    }

    // A paragraph's last line alone on the next page is a widow; its first line alone is an orphan.
    #[test]
    fn finds_widows_and_orphans() {
        let layout = Layout {
            pages: vec![
                page(vec![line("a b c", 1, 0, 3), line("d e f", 1, 1, 3), line("start", 2, 0, 4)]),
                page(vec![
                    line("x y", 2, 1, 4),
                    line("x y", 2, 2, 4),
                    line("x y", 2, 3, 4),
                    line("end", 3, 2, 3),
                ]),
            ],
            ..Layout::default()
        };
        let a = audit(&layout);
        assert_eq!((a.widows, a.orphans), (0, 1));
        let layout = Layout {
            pages: vec![page(vec![line("a b", 1, 0, 2)]), page(vec![line("end", 1, 1, 2)])],
            ..Layout::default()
        };
        let a = audit(&layout);
        assert_eq!((a.widows, a.orphans), (1, 1));
    }

    // Three hyphenated lines in a row make a ladder; a one-letter word at a line end is caught.
    #[test]
    fn finds_ladders_and_hanging_words() {
        let lines = vec![
            line("раз-", 1, 0, 5),
            line("два-", 1, 1, 5),
            line("три-", 1, 2, 5),
            line("слово в", 1, 3, 5),
            line("конец", 1, 4, 5),
        ];
        let a = audit(&Layout { pages: vec![page(lines)], ..Layout::default() });
        assert_eq!((a.ladders, a.hanging_one_letter, a.hyphenated), (1, 1, 3));
    }
}
