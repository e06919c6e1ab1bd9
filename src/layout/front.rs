//! Pages that are not a statement's text: the title page and table of contents
//! of a collected volume, part title pages, and blank pages that make a
//! statement start on a right-hand page.
//!
//! The contents need the page numbers of what they list, so the body is laid
//! out first, numbered from 1; the front matter is then set and put in front,
//! padded to an even number of pages so that every body page keeps its side
//! (odd = right-hand) and its mirrored margins.

use crate::fonts::{Family, FontSet, Style};
use crate::layout::paragraph::{self, Align, LineBox, ParaStyle};
use crate::layout::{
    Artifact, Item, Layout, LayoutOptions, Mark, Page, PageLabel, Rect, Role, TextRun, style,
};
use crate::model::{Book, Inline, Lang, Part};
use crate::units::Pt;

/// Appends a page with nothing on it (no folio, no running head).
pub fn blank(layout: &mut Layout, opts: &LayoutOptions, lang: Lang) {
    let number = layout.pages.len() + 1;
    layout.pages.push(Page {
        width: opts.pdf.page.width,
        height: opts.pdf.page.height,
        number,
        label: PageLabel::Arabic(number),
        lang,
        items: Vec::new(),
        lines: Vec::new(),
        marks: Vec::new(),
    });
}

pub(super) fn set(
    text: &str,
    family: Family,
    style: Style,
    size: Pt,
    align: Align,
    width: Pt,
    fonts: &FontSet,
) -> Vec<LineBox> {
    let ps = ParaStyle::short(family, style, size, align, width, Lang::Ru);
    paragraph::set(&[Inline::Text(text.to_string())], &ps, fonts)
}

/// A book's title as its title page and cover set it: bold sans, centred, unhyphenated.
pub(super) fn title_style(size: Pt, width: Pt, lang: Lang) -> ParaStyle {
    ParaStyle::short(Family::Sans, Style { bold: true, italic: false }, size, Align::Center, width, lang)
}

/// Draws set lines starting with the top of the first line's slot at `top`;
/// returns the top of the slot after the last line.
/// The height of set lines.
pub(super) fn height(lines: &[LineBox]) -> Pt {
    lines.iter().map(|l| l.leading).sum()
}

pub(super) fn draw(page: &mut Page, lines: &[LineBox], x: Pt, mut top: Pt) -> Pt {
    for l in lines {
        let size = l.ascent / 0.75;
        let baseline = top + (l.leading - size) / 2.0 + l.ascent;
        for r in &l.runs {
            let mut run: TextRun = r.clone();
            run.x += x;
            run.y = baseline + r.y;
            page.items.push(Item::Text(run));
        }
        top += l.leading;
    }
    top
}

fn left(opts: &LayoutOptions, number: usize) -> Pt {
    if number % 2 == 1 { opts.margin_inner() } else { opts.pdf.margins.outer }
}

/// Appends a part title page on a right-hand page, followed by a blank left-hand page.
/// Returns the part's structure element, for its statements to go under.
pub fn part_page(layout: &mut Layout, part: &Part, fonts: &FontSet, opts: &LayoutOptions, lang: Lang) -> u32 {
    let node = layout.node(Role::Part, 0, lang);
    let title_node = layout.node(Role::H(1), node, lang);
    if layout.pages.len() % 2 == 1 {
        blank(layout, opts, lang);
    }
    blank(layout, opts, lang);
    let index = layout.pages.len() - 1;
    let page = &mut layout.pages[index];
    let lines = set(
        &part.title,
        Family::Sans,
        Style { bold: true, italic: false },
        opts.font_size() * style::PART_TITLE_SCALE,
        Align::Center,
        opts.text_width(),
        fonts,
    );
    let x = left(opts, page.number);
    page.tag(Mark::Node(title_node));
    draw(page, &lines, x, opts.pdf.margins.top + opts.text_height() * style::PART_TITLE_DROP);
    layout.outline.push(crate::layout::OutlineEntry {
        level: 0,
        title: part.title.clone(),
        page: index,
        y: Pt::ZERO,
    });
    blank(layout, opts, lang);
    node
}

/// Sets the title page and the table of contents and puts them in front of the
/// body pages, which keep their arabic numbers; front pages are numbered in
/// roman numerals. Outline entries and links are shifted accordingly. The
/// title pages' structure goes under `title_node`, the contents' under `contents_node`.
pub fn prepend(
    layout: &mut Layout,
    book: &Book,
    fonts: &FontSet,
    opts: &LayoutOptions,
    (title_node, contents_node): (u32, u32),
) {
    let mut front = Layout::default();
    let width = opts.text_width();
    let lang = book.meta.lang;
    let paragraph = |layout: &mut Layout, role: Role| Mark::Node(layout.node(role, title_node, lang));

    // Title page: title and subtitle in the upper third, authors above them, publisher and date at the foot.
    blank(&mut front, opts, lang);
    {
        let page = &mut front.pages[0];
        let x = left(opts, 1);
        let mut top = opts.pdf.margins.top;
        let authors = book.meta.authors.join(", ");
        if !authors.is_empty() {
            let l = set(
                &authors,
                Family::Serif,
                Style::default(),
                opts.font_size() * style::TITLE_PAGE_LINE_SCALE,
                Align::Center,
                width,
                fonts,
            );
            page.tag(paragraph(layout, Role::P));
            top = draw(page, &l, x, top);
        }
        // The imprint line of a title page names the year alone ("Самиздат, 2026").
        let year = book.meta.date.map(|d| d.year.to_string());
        let foot: Vec<&str> =
            [book.meta.publisher.as_deref(), year.as_deref()].into_iter().flatten().collect();
        let foot = if foot.is_empty() {
            Vec::new()
        } else {
            set(
                &foot.join(", "),
                Family::Serif,
                Style::default(),
                opts.font_size(),
                Align::Center,
                width,
                fonts,
            )
        };
        let foot_top = opts.pdf.margins.top + opts.text_height() - height(&foot);
        let subtitle = book.meta.subtitle.as_ref().map_or(Vec::new(), |sub| {
            let size = opts.font_size() * style::TITLE_PAGE_LINE_SCALE;
            set(sub, Family::Serif, Style { bold: false, italic: true }, size, Align::Center, width, fonts)
        });
        let below = height(&subtitle) + opts.leading() * (style::SUBTITLE_BEFORE + 1.0);
        // The title at its size, smaller where it would run into the imprint
        // (and higher up the page too, when even the body size is too large).
        let room = |top: Pt| foot_top - below - top;
        let dropped = top.max(opts.pdf.margins.top + opts.text_height() * style::TITLE_DROP);
        let title = |size: Pt| {
            let ps = title_style(size, width, book.meta.lang);
            let content = [Inline::Text(book.meta.title.clone())];
            super::display::set(&content, &ps, opts.font_size() * style::DISPLAY_FLOOR, fonts)
        };
        let mut scale = style::TITLE_SCALE;
        let mut l = title(opts.font_size() * scale);
        while height(&l) > room(dropped) && scale > 1.0 {
            scale = (scale - 0.1).max(1.0);
            l = title(opts.font_size() * scale);
        }
        top = if height(&l) > room(dropped) { top } else { dropped };
        page.tag(paragraph(layout, Role::H(1)));
        top = draw(page, &l, x, top);
        if !subtitle.is_empty() {
            page.tag(paragraph(layout, Role::P));
            draw(page, &subtitle, x, top + opts.leading() * style::SUBTITLE_BEFORE);
        }
        if !foot.is_empty() {
            page.tag(paragraph(layout, Role::P));
            draw(page, &foot, x, foot_top);
        }
    }
    let imprint_node = paragraph(layout, Role::P);
    imprint(&mut front, book, fonts, opts, imprint_node);
    let mut toc = contents_node;

    // Contents: parts (level 0) and statements (level 1) with their page numbers.
    let entries: Vec<(u8, String, usize)> =
        layout.outline.iter().filter(|e| e.level <= 1).map(|e| (e.level, e.title.clone(), e.page)).collect();
    let number_w = opts.font_size() * style::CONTENTS_NUMBER_WIDTH;
    let mut page_i = usize::MAX;
    let mut top = Pt::ZERO;
    let bottom = opts.pdf.margins.top + opts.text_height();
    let heading = lang.words().contents;
    for (k, (level, title, target)) in
        std::iter::once((0u8, String::new(), usize::MAX)).chain(entries).enumerate()
    {
        if k == 0 {
            blank(&mut front, opts, lang);
            page_i = front.pages.len() - 1;
            let l = set(
                heading,
                Family::Sans,
                Style { bold: true, italic: false },
                opts.font_size() * style::H1.scale,
                Align::Left,
                width,
                fonts,
            );
            let x = left(opts, front.pages[page_i].number);
            // The contents' heading, then the list.
            let heading = layout.node(Role::H(1), contents_node, lang);
            toc = layout.node(Role::TOC, contents_node, lang);
            front.pages[page_i].tag(Mark::Node(heading));
            top = draw(&mut front.pages[page_i], &l, x, opts.pdf.margins.top) + opts.leading();
            continue;
        }
        let indent =
            if level == 0 || !has_parts(book) { Pt::ZERO } else { opts.font_size() * style::CONTENTS_INDENT };
        let style = if level == 0 { Style { bold: true, italic: false } } else { Style::default() };
        let mut lines = set(
            &title,
            Family::Serif,
            style,
            opts.font_size(),
            Align::Left,
            width - indent - number_w,
            fonts,
        );
        // The entry's title and its page number are two words.
        if let Some(run) = lines.last_mut().and_then(|l| l.runs.last_mut()) {
            run.end_with_space(fonts);
        }
        let h: Pt = lines.iter().map(|l| l.leading).sum::<Pt>() + opts.leading() * style::CONTENTS_SPACE;
        if top + h > bottom {
            blank(&mut front, opts, lang);
            page_i = front.pages.len() - 1;
            top = opts.pdf.margins.top;
        }
        let page = &mut front.pages[page_i];
        let x = left(opts, page.number);
        let entry_top = top;
        let entry = Mark::Node(layout.node(Role::TOCI, toc, lang));
        page.tag(entry);
        let end = draw(page, &lines, x + indent, top);
        // The page number, right-aligned on the entry's last line, dot leaders before it.
        let folio = body_folio(layout, target);
        if let Some(last) = lines.last() {
            let num = set(&folio, Family::Serif, style, opts.font_size(), Align::Left, number_w, fonts);
            let nw: Pt = num.first().map_or(Pt::ZERO, |l| l.runs.iter().map(TextRun::width).sum());
            let line_top = end - last.leading;
            draw(page, &num, x + width - nw, line_top);
            let from = x + indent + paragraph::line_width(last);
            page.tag(Mark::Artifact(Artifact::Layout));
            leaders(page, x, (from, x + width - nw), line_top, opts, fonts);
        }
        // The link's target is a body page; the front pages' count is added below.
        page.tag(entry);
        page.items.push(Item::GoTo(Rect { x, y: entry_top, width, height: end - entry_top }, target));
        top = end + opts.leading() * style::CONTENTS_SPACE;
    }
    if front.pages.len() % 2 == 1 {
        blank(&mut front, opts, lang);
    }

    let shift = front.pages.len();
    for (i, p) in front.pages.iter_mut().enumerate() {
        p.label = PageLabel::Roman(i + 1);
    }
    for p in front.pages.iter_mut() {
        for item in &mut p.items {
            if let Item::GoTo(_, target) = item {
                *target += shift;
            }
        }
    }
    // Front pages print no folio except the contents (roman numerals at the foot).
    for p in front.pages.iter_mut().skip(2) {
        if p.items.is_empty() {
            continue;
        }
        let label = roman(p.number);
        let lines = set(
            &label,
            Family::Serif,
            Style::default(),
            opts.font_size() * style::FOLIO_SCALE,
            Align::Center,
            width,
            fonts,
        );
        let x = left(opts, p.number);
        p.tag(Mark::Artifact(Artifact::Footer));
        draw(p, &lines, x, opts.pdf.margins.top + opts.text_height() + opts.leading() * style::FOLIO_BELOW);
    }
    for p in layout.pages.iter_mut() {
        p.number += shift;
        for item in &mut p.items {
            if let Item::GoTo(_, target) = item {
                *target += shift;
            }
        }
    }
    for e in layout.outline.iter_mut() {
        e.page += shift;
    }
    for s in layout.page_starts.iter_mut() {
        s.page += shift;
    }
    let front_starts =
        (0..shift).map(|page| crate::layout::PageStart { page, doc: None, block: 0, offset: 0 });
    layout.page_starts.splice(0..0, front_starts);
    let body = std::mem::take(&mut layout.pages);
    layout.pages = front.pages;
    layout.pages.extend(body);
}

/// Dot leaders between `span.0` and `span.1` on the line whose slot starts at
/// `top`: dots on a grid counted from the text block's left edge `left`, so that
/// they stand in columns from entry to entry, with a space kept at each end.
fn leaders(page: &mut Page, left: Pt, span: (Pt, Pt), top: Pt, opts: &LayoutOptions, fonts: &FontSet) {
    let size = opts.font_size();
    let Some(dot) = set(".", Family::Serif, Style::default(), size, Align::Left, size * 4.0, fonts).pop()
    else {
        return;
    };
    let dot_w = paragraph::line_width(&dot);
    let pitch = size * style::LEADER_PITCH;
    let gap = size * style::LEADER_GAP;
    let first = ((span.0 + gap - left) / pitch).ceil().max(0.0) as usize;
    let mut k = first;
    while left + pitch * k as f64 + dot_w <= span.1 - gap {
        draw(page, std::slice::from_ref(&dot), left + pitch * k as f64, top);
        k += 1;
    }
}

/// The title page's verso: the imprint at the foot of the text block (title,
/// authors, publisher and year, identifier, rights), small and ranged left.
fn imprint(front: &mut Layout, book: &Book, fonts: &FontSet, opts: &LayoutOptions, node: Mark) {
    blank(front, opts, book.meta.lang);
    let meta = &book.meta;
    let title = match &meta.subtitle {
        Some(sub) => format!("{}. {sub}", meta.title.trim_end_matches('.')),
        None => meta.title.clone(),
    };
    let year = meta.date.map(|d| d.year.to_string());
    let published = [meta.publisher.as_deref(), year.as_deref()].into_iter().flatten().collect::<Vec<_>>();
    let identifier = match meta.identifier.strip_prefix("urn:isbn:") {
        Some(isbn) => format!("ISBN {isbn}"),
        None => meta.identifier.clone(),
    };
    let authors = meta.authors.join(", ");
    let entries = [
        Some(title),
        (!authors.is_empty()).then_some(authors),
        (!published.is_empty()).then(|| published.join(", ")),
        (!identifier.is_empty()).then_some(identifier),
        meta.rights.clone(),
    ];
    let size = opts.font_size() * style::FOLIO_SCALE;
    let width = opts.text_width();
    let lines: Vec<LineBox> = entries
        .into_iter()
        .flatten()
        .flat_map(|text| {
            let mut lines = set(&text, Family::Serif, Style::default(), size, Align::Left, width, fonts);
            // Entries are read one after the other: a space between them.
            if let Some(run) = lines.last_mut().and_then(|l| l.runs.last_mut()) {
                run.end_with_space(fonts);
            }
            lines
        })
        .collect();
    let page = front.pages.last_mut().expect("the page just added");
    let x = left(opts, page.number);
    page.tag(node);
    draw(page, &lines, x, opts.pdf.margins.top + opts.text_height() - height(&lines));
}

fn has_parts(book: &Book) -> bool {
    !book.parts.is_empty()
}

/// The folio printed on body page `index` (before the front matter is added).
fn body_folio(layout: &Layout, index: usize) -> String {
    match layout.pages.get(index).map(|p| p.label) {
        Some(PageLabel::Arabic(n)) => n.to_string(),
        Some(PageLabel::Roman(n)) => roman(n),
        None => String::new(),
    }
}

/// Lowercase roman numerals, as printed on front-matter pages.
pub fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::roman;

    // Roman numerals for front-matter folios.
    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "i");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(14), "xiv");
        assert_eq!(roman(1999), "mcmxcix");
    }
}
