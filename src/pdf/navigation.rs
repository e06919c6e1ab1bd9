//! How a reader finds their way in the PDF: the outline (bookmarks) of parts,
//! statements and headings, and the page labels that number front matter in
//! roman and the body in arabic.

use pdf_writer::{Finish, Name, Pdf, Ref, TextStr};

use super::impose;
use crate::layout::{OutlineEntry, PageLabel};
use crate::units::Pt;

/// `/PageLabels`: a range starts wherever the style changes or the numbers jump.
pub(super) fn write_labels(cat: &mut pdf_writer::writers::Catalog<'_>, labels: &[Option<PageLabel>]) {
    let mut ranges: Vec<(i32, bool, i32)> = Vec::new();
    let mut expect: Option<(bool, usize)> = None;
    for (i, l) in labels.iter().enumerate() {
        let Some(l) = l else {
            expect = None;
            continue;
        };
        let (roman, n) = match *l {
            PageLabel::Roman(n) => (true, n),
            PageLabel::Arabic(n) => (false, n),
        };
        if expect != Some((roman, n)) {
            ranges.push((i as i32, roman, n.max(1) as i32));
        }
        expect = Some((roman, n + 1));
    }
    if ranges.is_empty() {
        return;
    }
    let mut tree = cat.insert(Name(b"PageLabels")).dict();
    let mut nums = tree.insert(Name(b"Nums")).array();
    for (start, roman, first) in ranges {
        nums.item(start);
        let mut label = nums.push().dict();
        label.pair(Name(b"S"), Name(if roman { b"r" } else { b"D" }));
        if first != 1 {
            label.pair(Name(b"St"), first);
        }
    }
}

/// Writes the outline: entries nested by level (a level-2 heading under the
/// last level-1 title), each pointing at the top of its heading. Returns the
/// outline dictionary's ref.
pub(super) fn write_outline(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    entries: &[OutlineEntry],
    page_refs: &[Ref],
    sheets: &[impose::Sheet],
    margin: Pt,
) -> Ref {
    // Parent of each entry: the nearest earlier entry of a lower level.
    let n = entries.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while stack.last().is_some_and(|&j| entries[j].level >= e.level) {
            stack.pop();
        }
        parent[i] = stack.last().copied();
        stack.push(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut top = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => top.push(i),
        }
    }
    fn descendants(i: usize, children: &[Vec<usize>]) -> i32 {
        children[i].iter().map(|&c| 1 + descendants(c, children)).sum()
    }
    let root = alloc();
    let refs: Vec<Ref> = (0..n).map(|_| alloc()).collect();
    let mut o = pdf.outline(root);
    if let (Some(&first), Some(&last)) = (top.first(), top.last()) {
        o.first(refs[first]).last(refs[last]);
    }
    o.count(n as i32);
    o.finish();
    for i in 0..n {
        let e = &entries[i];
        let siblings = parent[i].map_or(&top, |p| &children[p]);
        let pos = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut item = pdf.outline_item(refs[i]);
        item.title(TextStr(&e.title));
        item.parent(parent[i].map_or(root, |p| refs[p]));
        if pos > 0 {
            item.prev(refs[siblings[pos - 1]]);
        }
        if let Some(&next) = siblings.get(pos + 1) {
            item.next(refs[next]);
        }
        if let (Some(&first), Some(&last)) = (children[i].first(), children[i].last()) {
            item.first(refs[first]).last(refs[last]);
            item.count(descendants(i, &children));
        }
        if let (Some(&page), Some(sheet)) = (page_refs.get(e.page), sheets.get(e.page)) {
            let media_h = (sheet.height + margin * 2.0).get();
            let top = (media_h - (e.y + margin).get()) as f32;
            item.dest().page(page).xyz(0.0, top, None);
        }
    }
    root
}
