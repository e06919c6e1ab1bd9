//! The wrap cover of a bound book: back, spine and front side by side on one
//! sheet, as a print-on-demand service or a bindery takes it. The spine is as
//! wide as the interior is thick (its leaves times the paper's caliper), so the
//! driver lays the cover out again with every build from the interior's page
//! count, and it never goes stale.
//!
//! Front: the authors, the title and subtitle in the title page's faces, the
//! picture below them, the publisher at the foot. Spine: authors and title in
//! one line when the spine is wide enough to hold them legibly; it reads
//! bottom to top in Russian and Kazakh books (the continental tradition, and
//! GOST 7.4's), top to bottom in English ones. Back: the blurb, set as body
//! text, and the ISBN's EAN-13 barcode with its digits at the foot.

use crate::fonts::{Family, FontSet, Style};
use crate::layout::front::{draw, height, set, title_style};
use crate::layout::paragraph::{self, Align, LineBox, ParaStyle};
use crate::layout::{Item, Layout, Page, PageLabel, PlacedImage, Rect, Turn, barcode, style};
use crate::model::{Block, BlockKind, BookMeta, ImageAsset, Inline, Lang};
use crate::units::Pt;

/// What a cover is made of.
pub struct CoverSpec<'a> {
    /// One panel: the interior's trimmed page.
    pub panel: (Pt, Pt),
    /// The spine's width.
    pub spine: Pt,
    /// Title, subtitle, authors, publisher, language, identifier.
    pub meta: &'a BookMeta,
    /// The front's picture: its key among the images, and the picture.
    pub image: Option<(&'a std::path::Path, &'a ImageAsset)>,
    /// The back's text.
    pub blurb: &'a [Block],
    /// The body size of the interior, which the blurb and the cover's lines follow.
    pub font_size: Pt,
}

/// Margin of the front and back panels: text and pictures stay this far inside
/// the trim, beyond every printer's safe zone (Lulu and IngramSpark ask 0.5 in).
pub const PANEL_MARGIN: Pt = Pt::new(15.0 * 72.0 / 25.4);

/// Space left free on each side of the spine's text: a spine folds a little off
/// its mark, and KDP asks for 1/16 in on either side.
pub const SPINE_CLEARANCE: Pt = Pt::new(1.6 * 72.0 / 25.4);

/// The thinnest spine a glued (perfect) binding holds: about 24 pages of book
/// paper, the fewest KDP binds.
pub const MIN_SPINE: Pt = Pt::new(1.5 * 72.0 / 25.4);

/// Smallest and largest type on the spine.
const SPINE_MIN: Pt = Pt::new(6.0);
const SPINE_MAX: Pt = Pt::new(14.0);

/// A barcode module at the nominal size of EAN-13 (100 %), and the bars' height.
pub const MODULE: Pt = Pt::new(0.33 * 72.0 / 25.4);
const BAR_HEIGHT: Pt = Pt::new(22.85 * 72.0 / 25.4);

/// The spine's width for `pages` interior pages on paper `caliper` thick per
/// leaf: a leaf is two pages, and a last page alone is still a leaf.
pub fn spine_width(pages: usize, caliper: Pt) -> Pt {
    caliper * (pages.div_ceil(2) as f64)
}

/// Lays the cover out: one page, back + spine + front wide.
pub fn layout(spec: &CoverSpec<'_>, fonts: &FontSet) -> Layout {
    let (w, h) = spec.panel;
    let mut page = Page {
        width: w * 2.0 + spec.spine,
        height: h,
        number: 1,
        label: PageLabel::Arabic(1),
        lang: spec.meta.lang,
        items: Vec::new(),
        lines: Vec::new(),
        marks: Vec::new(),
    };
    front(&mut page, spec, fonts, w + spec.spine);
    spine(&mut page, spec, fonts, w);
    back(&mut page, spec, fonts);
    let mut layout = Layout::default();
    layout.pages.push(page);
    layout
}

fn front(page: &mut Page, spec: &CoverSpec<'_>, fonts: &FontSet, x0: Pt) {
    let (w, h) = spec.panel;
    let width = w - PANEL_MARGIN * 2.0;
    let x = x0 + PANEL_MARGIN;
    let size = spec.font_size;
    let mut top = PANEL_MARGIN;
    let authors = spec.meta.authors.join(", ");
    if !authors.is_empty() {
        let lines = set(
            &authors,
            Family::Serif,
            Style::default(),
            size * style::TITLE_PAGE_LINE_SCALE,
            Align::Center,
            width,
            fonts,
        );
        top = draw(page, &lines, x, top) + size;
    }
    let foot =
        spec.meta.publisher.as_deref().map_or(Vec::new(), |p| {
            set(p, Family::Serif, Style::default(), size, Align::Center, width, fonts)
        });
    let foot_top = h - PANEL_MARGIN - height(&foot);
    // The title as large as the title page sets it, smaller when it is long.
    let title = |size: Pt| {
        let ps = title_style(size, width, spec.meta.lang);
        super::display::set(&[Inline::Text(spec.meta.title.clone())], &ps, size * style::DISPLAY_FLOOR, fonts)
    };
    let mut scale = style::TITLE_SCALE * 1.3;
    let mut lines = title(size * scale);
    while height(&lines) > (foot_top - top) / 3.0 && scale > 1.2 {
        scale -= 0.1;
        lines = title(size * scale);
    }
    top = draw(page, &lines, x, top);
    if let Some(sub) = &spec.meta.subtitle {
        let italic = Style { bold: false, italic: true };
        let lines =
            set(sub, Family::Serif, italic, size * style::TITLE_PAGE_LINE_SCALE, Align::Center, width, fonts);
        top = draw(page, &lines, x, top + size * 0.5);
    }
    draw(page, &foot, x, foot_top);
    // The picture in the room left between the title and the foot, as large as fits.
    if let Some((key, asset)) = spec.image {
        let room = (top + size * 2.0, foot_top - size * 2.0);
        let (aw, ah) = (f64::from(asset.width.max(1)), f64::from(asset.height.max(1)));
        let avail_h = room.1 - room.0;
        if avail_h > size * 4.0 {
            let scale = (width.get() / aw).min(avail_h.get() / ah);
            let (pw, ph) = (Pt::new(aw * scale), Pt::new(ah * scale));
            let rect =
                Rect { x: x + (width - pw) / 2.0, y: room.0 + (avail_h - ph) / 2.0, width: pw, height: ph };
            page.items.push(Item::Image(PlacedImage { key: key.to_path_buf(), rect }));
        }
    }
}

/// The spine's line: authors and title, the largest size the spine's width
/// allows, shortened to the title alone when the whole does not fit its length.
fn spine(page: &mut Page, spec: &CoverSpec<'_>, fonts: &FontSet, x0: Pt) {
    let (_, h) = spec.panel;
    // Capitals and ascenders take about 0.72 of the size: the letters' body, not
    // the few descenders, must keep clear of the folds.
    let size = ((spec.spine - SPINE_CLEARANCE * 2.0) / 0.75).min(SPINE_MAX);
    if size < SPINE_MIN {
        return;
    }
    let length = h - PANEL_MARGIN * 2.0;
    let authors = spec.meta.authors.join(", ");
    let full = if authors.is_empty() {
        spec.meta.title.clone()
    } else {
        format!("{authors} · {}", spec.meta.title)
    };
    let bold = Style { bold: true, italic: false };
    let line = |text: &str, size: Pt| -> Option<LineBox> {
        let lines = set(text, Family::Sans, bold, size, Align::Left, Pt::new(1.0e5), fonts);
        lines.into_iter().next().filter(|l| paragraph::line_width(l) <= length)
    };
    let mut chosen = None;
    'sizes: for text in [full.as_str(), spec.meta.title.as_str()] {
        let mut s = size;
        while s >= SPINE_MIN {
            if let Some(l) = line(text, s) {
                chosen = Some((l, s));
                break 'sizes;
            }
            s -= Pt::new(0.5);
        }
    }
    let Some((line, size)) = chosen else { return };
    let along = paragraph::line_width(&line);
    let centre = x0 + spec.spine / 2.0;
    // The glyphs' body, from the baseline to the cap height, sits centred on the spine.
    let body = size * 0.36;
    let (turn, bx, start) = match spec.meta.lang {
        Lang::En => (Turn::Down, centre - body, (h - along) / 2.0),
        _ => (Turn::Up, centre + body, (h + along) / 2.0),
    };
    for r in line.runs {
        let mut run = r.clone();
        run.turn = turn;
        match turn {
            Turn::Down => {
                run.x = bx - r.y;
                run.y = start + r.x;
            }
            _ => {
                run.x = bx + r.y;
                run.y = start - r.x;
            }
        }
        page.items.push(Item::Text(run));
    }
}

/// The back: the blurb from the top margin, the barcode at the foot.
fn back(page: &mut Page, spec: &CoverSpec<'_>, fonts: &FontSet) {
    let (w, h) = spec.panel;
    let width = w - PANEL_MARGIN * 2.0;
    let mut top = PANEL_MARGIN;
    let body = ParaStyle {
        family: Family::Serif,
        style: Style::default(),
        size: spec.font_size,
        leading: spec.font_size * 1.35,
        align: Align::Justify,
        indent: Pt::ZERO,
        width,
        lang: spec.meta.lang,
        hyphenate: true,
        expansion: 0.0,
        tracking: 0.0,
    };
    let mut paragraphs: Vec<(Vec<Inline>, bool, Lang)> = Vec::new();
    gather(spec.blurb, &mut paragraphs);
    for (inlines, heading, lang) in paragraphs {
        let ps = if heading {
            let mut ps = title_style(spec.font_size * 1.2, width, lang);
            ps.align = Align::Left;
            ps
        } else {
            ParaStyle { lang, ..body.clone() }
        };
        let lines = paragraph::set(&inlines, &ps, fonts);
        top = draw(page, &lines, PANEL_MARGIN, top) + spec.font_size * 0.5;
    }
    if let Some(isbn) = spec.meta.identifier.strip_prefix("urn:isbn:") {
        barcode_block(page, isbn, fonts, (w - PANEL_MARGIN, h - PANEL_MARGIN));
    }
}

/// The blurb's blocks as paragraphs (inlines, whether a heading, language):
/// lists and quotes give their paragraphs, anything else its plain text.
fn gather(blocks: &[Block], out: &mut Vec<(Vec<Inline>, bool, Lang)>) {
    for b in blocks {
        match &b.kind {
            BlockKind::Paragraph(c) => out.push((c.clone(), false, b.lang)),
            BlockKind::Heading { content, .. } => out.push((content.clone(), true, b.lang)),
            BlockKind::Quote(inner) => gather(inner, out),
            BlockKind::List { items, .. } => items.iter().for_each(|i| gather(i, out)),
            BlockKind::Image(_) | BlockKind::Rule => {}
            BlockKind::Code(_) | BlockKind::Table(_) => {
                let mut text = String::new();
                Block::plain_text_into(std::slice::from_ref(b), &mut text);
                out.push((vec![Inline::Text(text.trim().to_string())], false, b.lang));
            }
        }
    }
}

/// The ISBN above the bars, the bars, and the 13 digits under them as EAN-13
/// prints them: the first left of the bars, then each under its seven modules,
/// with the guard bars running down between the two groups. The block's bottom
/// right corner is at `corner`.
fn barcode_block(page: &mut Page, isbn: &str, fonts: &FontSet, corner: (Pt, Pt)) {
    let Some(digits) = barcode::isbn13(isbn) else { return };
    let Ok(modules) = barcode::ean13(&digits) else { return };
    let size = Pt::new(8.0);
    let regular = Style::default();
    // Quiet zones: 11 modules before the bars (the first digit stands in it), 7 after.
    let width = MODULE * (barcode::MODULES + 18) as f64;
    let x = corner.0 - width;
    let bars_x = x + MODULE * 11.0;
    let digits_h = size * 1.1;
    let bars_y = corner.1 - digits_h - BAR_HEIGHT;
    let label =
        set(&format!("ISBN {isbn}"), Family::Sans, regular, size, Align::Center, MODULE * 95.0, fonts);
    draw(page, &label, bars_x, bars_y - height(&label));
    // The guards reach five modules further down, beside the digits.
    let only = |guard: bool| -> Vec<bool> {
        modules.iter().enumerate().map(|(i, &m)| m && barcode::is_guard(i) == guard).collect()
    };
    let rules = barcode::bars(&only(false), bars_x, bars_y, MODULE, BAR_HEIGHT)
        .into_iter()
        .chain(barcode::bars(&only(true), bars_x, bars_y, MODULE, BAR_HEIGHT + MODULE * 5.0));
    page.items.extend(rules.map(Item::Rule));
    // Each digit centred on its seven modules; the first in the quiet zone.
    let slot = MODULE * 7.0;
    let starts = std::iter::once(x + MODULE * 2.0)
        .chain((0..6).map(|k| bars_x + MODULE * 3.0 + slot * k as f64))
        .chain((0..6).map(|k| bars_x + MODULE * 50.0 + slot * k as f64));
    for (digit, sx) in digits.chars().zip(starts) {
        let lines = set(&digit.to_string(), Family::Sans, regular, size, Align::Center, slot, fonts);
        draw(page, &lines, sx, corner.1 - digits_h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A leaf is two pages; an odd last page still takes a leaf.
    #[test]
    fn spine_counts_leaves() {
        let caliper = Pt::mm(0.1);
        assert!((spine_width(120, caliper).to_mm() - 6.0).abs() < 1e-9);
        assert!((spine_width(121, caliper).to_mm() - 6.1).abs() < 1e-9);
        assert_eq!(spine_width(0, caliper), Pt::ZERO);
    }

    fn turned(spine: Pt, lang: Lang) -> Vec<crate::layout::TextRun> {
        let meta = BookMeta {
            title: "Голоса снизу".into(),
            authors: vec!["Редакция".into()],
            lang,
            identifier: "urn:isbn:978-5-699-12014-7".into(),
            ..Default::default()
        };
        let spec = CoverSpec {
            panel: (Pt::mm(148.0), Pt::mm(210.0)),
            spine,
            meta: &meta,
            image: None,
            blurb: &[],
            font_size: Pt::new(10.0),
        };
        let layout = layout(&spec, &FontSet::embedded());
        let page = &layout.pages[0];
        assert_eq!(page.width, Pt::mm(296.0) + spine);
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text(r) if r.turn != Turn::Across => Some(r.clone()),
                _ => None,
            })
            .collect()
    }

    // The spine's line reads up a Russian book and down an English one, sits
    // between the folds with its clearance, and is left off a spine too thin for it.
    #[test]
    fn spine_text_by_width_and_language() {
        let spine = Pt::mm(12.0);
        let (left, right) = (Pt::mm(148.0), Pt::mm(160.0));
        let up = turned(spine, Lang::Ru);
        assert!(!up.is_empty());
        let text: String = up.iter().map(|r| r.text.as_str()).collect();
        assert!(text.contains("Редакция") && text.contains("Голоса снизу"), "{text}");
        for r in &up {
            assert_eq!(r.turn, Turn::Up);
            // The baseline is to the right of the glyphs, which rise to the left.
            assert!(
                r.x - r.size * 0.75 > left + SPINE_CLEARANCE && r.x < right - SPINE_CLEARANCE,
                "{:?}",
                r.x
            );
            assert!(r.y > Pt::mm(15.0) && r.y < Pt::mm(195.0));
        }
        let down = turned(spine, Lang::En);
        assert!(down.iter().all(|r| r.turn == Turn::Down && r.x > left + SPINE_CLEARANCE));
        assert!(turned(Pt::mm(3.0), Lang::Ru).is_empty());
    }
}
