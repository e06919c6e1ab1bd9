//! XHTML content documents: one per statement, plus the cover and title
//! pages. Everything from the model is written as escaped text; the model
//! holds no raw HTML and none is ever emitted.

use std::collections::BTreeSet;
use std::fmt::{Display, Write as _};

use super::plan::{DocPlan, Ids, Plan};
use crate::model::{Align, Block, BlockKind, Footnote, ImageRef, Inline, Lang, Table};

/// Namespaces of an XHTML content document (EPUB 3.3 §6.1).
const HTML_OPEN: &str =
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"";

/// Appends XML to a string, escaping text and attribute values.
pub(crate) struct Xml(String);

impl Xml {
    /// An empty document.
    pub fn new() -> Xml {
        Xml(String::with_capacity(4096))
    }

    /// Markup written as is; only ever given literals and values already escaped.
    pub fn raw(&mut self, s: &str) -> &mut Xml {
        self.0.push_str(s);
        self
    }

    /// Character data, escaped.
    pub fn text(&mut self, s: &str) -> &mut Xml {
        escape(s, false, &mut self.0);
        self
    }

    /// ` name="value"`, the value escaped.
    pub fn attr(&mut self, name: &str, value: &str) -> &mut Xml {
        self.0.push(' ');
        self.0.push_str(name);
        self.0.push_str("=\"");
        escape(value, true, &mut self.0);
        self.0.push('"');
        self
    }

    /// ` xml:lang="…" lang="…"`: EPUB reading systems read the first, HTML tools the second.
    pub fn lang(&mut self, lang: Lang) -> &mut Xml {
        self.attr("xml:lang", lang.tag()).attr("lang", lang.tag())
    }

    /// A number or other value with a plain `Display`.
    pub fn num(&mut self, n: impl Display) -> &mut Xml {
        // Writing into a String cannot fail.
        let _ = write!(self.0, "{n}");
        self
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.0
    }
}

/// Escapes `&`, `<`, `>` (and `"`, `'` in attributes) and drops characters XML 1.0
/// forbids (C0 controls other than tab, line feed and carriage return; U+FFFE, U+FFFF).
/// Everything else, U+00A0 included, stays as UTF-8.
///
/// Works on the UTF-8 bytes, copying the runs between the characters it changes
/// whole: every such character is ASCII but U+FFFE and U+FFFF, whose encodings
/// (EF BF BE, EF BF BF) no other character's begins with.
fn escape(s: &str, attr: bool, out: &mut String) {
    let bytes = s.as_bytes();
    // Start of the run not yet copied.
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (len, with) = match bytes[i] {
            b'&' => (1, "&amp;"),
            b'<' => (1, "&lt;"),
            b'>' => (1, "&gt;"),
            b'"' if attr => (1, "&quot;"),
            b'\'' if attr => (1, "&#39;"),
            b'\t' if attr => (1, "&#9;"),
            b'\n' if attr => (1, "&#10;"),
            b'\r' => (1, "&#13;"),
            b'\t' | b'\n' => {
                i += 1;
                continue;
            }
            0..=0x1f => (1, ""),
            0xEF if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) => {
                (3, "")
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[plain..i]);
        out.push_str(with);
        i += len;
        plain = i;
    }
    out.push_str(&s[plain..]);
}

/// Words the book itself needs, in the book's or statement's language.
pub(crate) struct Labels {
    /// Heading of the table of contents.
    pub contents: &'static str,
    /// Heading of the (hidden) landmarks list.
    pub landmarks: &'static str,
    /// Landmark for the cover.
    pub cover: &'static str,
    /// Landmark for the title page.
    pub title_page: &'static str,
    /// Landmark for the first statement.
    pub start: &'static str,
    /// Accessible name of a statement's notes.
    pub notes: &'static str,
    /// Accessible name of a note's link back to its call.
    pub back: &'static str,
    /// `schema:accessibilitySummary`, first sentence.
    pub summary: &'static str,
    /// `schema:accessibilitySummary`, added when every image has alternative text.
    pub summary_images: &'static str,
}

/// The words for `lang`.
pub(crate) fn labels(lang: Lang) -> &'static Labels {
    const RU: Labels = Labels {
        contents: "Содержание",
        landmarks: "Ориентиры",
        cover: "Обложка",
        title_page: "Титульный лист",
        start: "Начало текста",
        notes: "Примечания",
        back: "Вернуться к тексту",
        summary: "Перестраиваемый текст с заголовками, оглавлением и логическим порядком чтения.",
        summary_images: "У изображений есть текстовое описание.",
    };
    const KK: Labels = Labels {
        contents: "Мазмұны",
        landmarks: "Бағдарлар",
        cover: "Мұқаба",
        title_page: "Титул беті",
        start: "Мәтіннің басы",
        notes: "Ескертпелер",
        back: "Мәтінге оралу",
        summary: "Тақырыптары, мазмұны және логикалық оқу реті бар бейімделгіш мәтін.",
        summary_images: "Суреттердің мәтіндік сипаттамасы бар.",
    };
    const EN: Labels = Labels {
        contents: "Contents",
        landmarks: "Landmarks",
        cover: "Cover",
        title_page: "Title page",
        start: "Start of text",
        notes: "Notes",
        back: "Back to text",
        summary: "Reflowable text with headings, a table of contents and a logical reading order.",
        summary_images: "Images have alternative text.",
    };
    match lang {
        Lang::Ru => &RU,
        Lang::Kk => &KK,
        Lang::En => &EN,
    }
}

/// Writes the XML declaration, the `<html>` start tag and the `<head>`.
pub(crate) fn open_html(x: &mut Xml, lang: Lang, title: &str, css: &str) {
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n").raw(HTML_OPEN).lang(lang);
    x.raw(">\n<head>\n<title>").text(title).raw("</title>\n<link rel=\"stylesheet\" type=\"text/css\"");
    x.attr("href", css).raw("/>\n</head>\n");
}

/// The cover page: the cover image alone, scaled to fit by the stylesheet.
pub(crate) fn cover_page(plan: &Plan, href: &str) -> String {
    let lang = plan.book.meta.lang;
    let mut x = Xml::new();
    open_html(&mut x, lang, plan.title, "css/style.css");
    x.raw("<body class=\"cover\" epub:type=\"cover\">\n<div class=\"cover\"><img");
    x.attr("src", href).attr("alt", plan.title).raw("/></div>\n</body>\n</html>\n");
    x.finish()
}

/// The title page: title, subtitle, authors, publisher, date.
pub(crate) fn title_page(plan: &Plan) -> String {
    let meta = &plan.book.meta;
    let mut x = Xml::new();
    open_html(&mut x, meta.lang, plan.title, "css/style.css");
    x.raw("<body epub:type=\"frontmatter\">\n<section class=\"titlepage\" epub:type=\"titlepage\">\n");
    for m in plan.pages.iter().filter(|m| m.doc.is_none()) {
        page_break(&mut x, &m.label);
    }
    x.raw("<h1 class=\"title\">").text(plan.title).raw("</h1>\n");
    let line = |x: &mut Xml, class: &str, text: &str| {
        if !text.trim().is_empty() {
            x.raw("<p").attr("class", class).raw(">").text(text.trim()).raw("</p>\n");
        }
    };
    line(&mut x, "subtitle", meta.subtitle.as_deref().unwrap_or(""));
    for author in &meta.authors {
        line(&mut x, "author", author);
    }
    line(&mut x, "publisher", meta.publisher.as_deref().unwrap_or(""));
    line(&mut x, "date", meta.date.as_deref().unwrap_or(""));
    x.raw("</section>\n</body>\n</html>\n");
    x.finish()
}

/// A print page boundary (EPUB 3 Structural Semantics `pagebreak`, DPUB-ARIA
/// `doc-pagebreak`); the id is what the nav's `page-list` points at.
pub(crate) fn page_break(x: &mut Xml, label: &str) {
    x.raw("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\"")
        .attr("id", &page_id(label))
        .attr("aria-label", label)
        .raw("/>");
}

/// The id of a print page's marker.
pub(crate) fn page_id(label: &str) -> String {
    format!("page-{label}")
}

/// The XHTML of statement `index` of the plan.
pub(crate) fn statement(plan: &Plan, index: usize) -> String {
    let Some(dp) = plan.docs.get(index) else {
        return String::new();
    };
    let mut r = Renderer {
        plan,
        index,
        dp,
        x: Xml::new(),
        ids: dp.anchors.ids.clone(),
        heading: 0,
        calls_seen: BTreeSet::new(),
        in_link: false,
        byline_done: false,
        marks: plan.pages.iter().filter(|m| m.doc == Some(index)).collect(),
        next_mark: 0,
        blocks_seen: 0,
        counting: None,
    };
    r.document();
    r.x.finish()
}

/// Renders one statement; holds the state that changes while writing.
struct Renderer<'p, 'a> {
    plan: &'p Plan<'a>,
    index: usize,
    dp: &'p DocPlan<'a>,
    x: Xml,
    /// Ids taken so far (extra calls of a note need fresh ones).
    ids: Ids,
    /// Headings written so far: index into `Anchors::headings`.
    heading: usize,
    /// Footnote numbers whose first call was written.
    calls_seen: BTreeSet<u32>,
    /// Inside `<a>`: links may not nest, so inner links and calls become text.
    in_link: bool,
    /// Whether the author/date line was written.
    byline_done: bool,
    /// Print pages beginning in this statement, in order, and the next one to write.
    marks: Vec<&'p crate::model::PageMark>,
    next_mark: usize,
    /// Blocks entered so far, numbered in reading order as the layout numbers them.
    blocks_seen: usize,
    /// Inside a paragraph: its block ordinal and the characters of text written so far.
    counting: Option<(usize, usize)>,
}

impl Renderer<'_, '_> {
    fn document(&mut self) {
        let doc = self.dp.doc;
        open_html(&mut self.x, doc.lang, &self.dp.label, "../css/style.css");
        self.x.raw("<body epub:type=\"bodymatter\">\n<section epub:type=\"chapter\" role=\"doc-chapter\">\n");
        if !self.dp.anchors.has_h1 {
            self.x.raw("<h1>").text(&self.dp.label).raw("</h1>\n");
            self.byline();
        }
        // A heading with `{lang=…}` switches the language until the next such heading.
        let mut open_div = false;
        for block in &doc.blocks {
            if let BlockKind::Heading { lang: Some(lang), .. } = &block.kind {
                if open_div {
                    self.x.raw("</div>\n");
                }
                open_div = *lang != doc.lang;
                if open_div {
                    self.x.raw("<div").lang(*lang).raw(">\n");
                }
            }
            self.block(block, true);
        }
        self.page_marks(usize::MAX, None);
        if open_div {
            self.x.raw("</div>\n");
        }
        self.footnotes();
        self.x.raw("</section>\n</body>\n</html>\n");
    }

    /// The author and date of the statement, once, after its first `<h1>`.
    fn byline(&mut self) {
        if self.byline_done {
            return;
        }
        self.byline_done = true;
        if let Some(line) = self.dp.doc.byline() {
            self.x.raw("<p class=\"byline\">").text(&line).raw("</p>\n");
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for b in blocks {
            self.block(b, false);
        }
    }

    /// Writes the `pagebreak` markers of pages that begin before block `block`, or in it at
    /// an offset below `upto` (all of its pages when `upto` is `None`).
    fn page_marks(&mut self, block: usize, upto: Option<usize>) {
        while let Some(m) = self.marks.get(self.next_mark) {
            let due = m.block < block || (m.block == block && upto.is_none_or(|u| m.offset < u));
            if !due {
                break;
            }
            self.next_mark += 1;
            page_break(&mut self.x, &m.label);
        }
    }

    fn block(&mut self, block: &Block, top: bool) {
        let no = self.blocks_seen;
        self.blocks_seen += 1;
        if let BlockKind::Paragraph(content) = &block.kind {
            self.page_marks(no, Some(0));
            let lang = self.dp.doc.lang.of_paragraph(content);
            self.x.raw("<p");
            if lang != self.dp.doc.lang {
                self.x.lang(lang);
            }
            self.x.raw(">");
            self.page_marks(no, Some(1));
            self.counting = Some((no, 0));
            self.inlines(content);
            self.counting = None;
            self.page_marks(no, None);
            self.x.raw("</p>\n");
            return;
        }
        self.page_marks(no, None);
        match &block.kind {
            BlockKind::Heading { level, content, lang, .. } => {
                let level = (*level).clamp(1, 6);
                let id = self.dp.anchors.headings.get(self.heading).map(|h| h.id.clone());
                self.heading += 1;
                self.x.raw("<h").num(level);
                if let Some(id) = &id {
                    self.x.attr("id", id);
                }
                if let (Some(lang), false) = (lang, top) {
                    self.x.lang(*lang);
                }
                self.x.raw(">");
                self.inlines(content);
                self.x.raw("</h").num(level).raw(">\n");
                if top && level == 1 {
                    self.byline();
                }
            }
            BlockKind::Paragraph(_) => {}
            BlockKind::Image(img) => self.figure(img),
            BlockKind::List { items, .. } if items.is_empty() => {}
            BlockKind::List { start, items } => {
                match start {
                    Some(1) => self.x.raw("<ol>\n"),
                    Some(n) => self.x.raw("<ol").attr("start", &n.to_string()).raw(">\n"),
                    None => self.x.raw("<ul>\n"),
                };
                for item in items {
                    self.x.raw("<li>");
                    self.blocks(item);
                    self.x.raw("</li>\n");
                }
                self.x.raw(if start.is_some() { "</ol>\n" } else { "</ul>\n" });
            }
            BlockKind::Quote(inner) => {
                self.x.raw("<blockquote>\n");
                self.blocks(inner);
                self.x.raw("</blockquote>\n");
            }
            BlockKind::Code(code) => {
                self.x
                    .raw("<pre><code>")
                    .text(code.strip_suffix('\n').unwrap_or(code))
                    .raw("</code></pre>\n");
            }
            BlockKind::Table(table) => self.table(table),
            BlockKind::Rule => {
                self.x.raw("<hr/>\n");
            }
        }
    }

    fn figure(&mut self, img: &ImageRef) {
        let Some(stored) = self.plan.image(&img.path) else {
            // Unreachable: `Plan::new` fails on images that were not loaded.
            return;
        };
        let src = format!("../{}", stored.href);
        self.x.raw("<figure>\n<img").attr("src", &src).attr("alt", img.alt.trim()).raw("/>\n");
        if let Some(title) = img.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            self.x.raw("<figcaption>").text(title).raw("</figcaption>\n");
        }
        self.x.raw("</figure>\n");
    }

    fn table(&mut self, table: &Table) {
        if table.header.is_empty() && table.rows.is_empty() {
            return;
        }
        self.x.raw("<table>\n");
        if !table.header.is_empty() {
            self.x.raw("<thead>\n<tr>");
            for (i, cell) in table.header.iter().enumerate() {
                self.cell("th", table.aligns.get(i).copied().unwrap_or_default(), cell);
            }
            self.x.raw("</tr>\n</thead>\n");
        }
        if !table.rows.is_empty() {
            self.x.raw("<tbody>\n");
            for row in &table.rows {
                self.x.raw("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    self.cell("td", table.aligns.get(i).copied().unwrap_or_default(), cell);
                }
                self.x.raw("</tr>\n");
            }
            self.x.raw("</tbody>\n");
        }
        self.x.raw("</table>\n");
    }

    /// A table cell; alignment by class, since the stylesheet owns presentation.
    fn cell(&mut self, tag: &str, align: Align, content: &[Inline]) {
        self.x.raw("<").raw(tag);
        if tag == "th" {
            self.x.attr("scope", "col");
        }
        match align {
            Align::None => {}
            Align::Left => {
                self.x.attr("class", "al-left");
            }
            Align::Center => {
                self.x.attr("class", "al-center");
            }
            Align::Right => {
                self.x.attr("class", "al-right");
            }
        }
        self.x.raw(">");
        self.inlines(content);
        self.x.raw("</").raw(tag).raw(">");
    }

    /// Paragraph text, with the markers of pages that begin inside it.
    fn counted_text(&mut self, t: &str, code: bool) {
        if code {
            self.x.raw("<code>");
        }
        let mut rest = t;
        if let Some((block, seen)) = self.counting {
            let len = t.chars().count();
            while let Some(m) = self.marks.get(self.next_mark) {
                if m.block != block || m.offset >= seen + len || m.offset < seen {
                    break;
                }
                let mut at = rest
                    .char_indices()
                    .nth(m.offset - (seen + (len - rest.chars().count())))
                    .map_or(rest.len(), |(i, _)| i);
                // A print page may begin inside a word hyphenated across the page turn; the
                // marker goes before the word, so that the text keeps the word whole.
                let inside = |at: usize| {
                    rest[..at].chars().next_back().is_some_and(char::is_alphanumeric)
                        && rest[at..].chars().next().is_some_and(char::is_alphanumeric)
                };
                while at > 0 && inside(at) {
                    at -= rest[..at].chars().next_back().map_or(1, char::len_utf8);
                }
                self.x.text(&rest[..at]);
                rest = &rest[at..];
                self.next_mark += 1;
                page_break(&mut self.x, &m.label);
            }
            self.counting = Some((block, seen + len));
        }
        self.x.text(rest);
        if code {
            self.x.raw("</code>");
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => self.counted_text(t, false),
            Inline::Emph(c) => {
                self.x.raw("<em>");
                self.inlines(c);
                self.x.raw("</em>");
            }
            Inline::Strong(c) => {
                self.x.raw("<strong>");
                self.inlines(c);
                self.x.raw("</strong>");
            }
            Inline::Code(t) => self.counted_text(t, true),
            Inline::Link { url, content } => self.link(url, content),
            Inline::FootnoteRef(n) => self.call(*n),
            Inline::LineBreak => {
                self.x.raw("<br/>");
            }
        }
    }

    /// A link; its text alone when the target is not allowed or not in the book.
    fn link(&mut self, url: &str, content: &[Inline]) {
        let href = if self.in_link { None } else { self.plan.link_href(self.index, url) };
        if let Some(href) = &href {
            self.x.raw("<a").attr("href", href).raw(">");
            self.in_link = true;
        }
        if content.is_empty() {
            self.x.text(url);
        } else {
            self.inlines(content);
        }
        if href.is_some() {
            self.in_link = false;
            self.x.raw("</a>");
        }
        if let Some(shown) = Inline::shown_url(url, content) {
            self.x.raw(" <span class=\"url\">(").text(shown).raw(")</span>");
        }
    }

    /// A footnote call (EPUB 3 Structural Semantics `noteref`, DPUB-ARIA `doc-noteref`).
    fn call(&mut self, n: u32) {
        let anchors = &self.dp.anchors;
        let note = anchors.notes_by_number.get(&n).and_then(|&i| anchors.note_ids.get(i));
        let (Some(note), false) = (note, self.in_link) else {
            self.x.raw("<sup>").num(n).raw("</sup>");
            return;
        };
        let id = match anchors.first_refs.get(&n) {
            Some(first) if self.calls_seen.insert(n) => first.clone(),
            _ => self.ids.claim(&format!("fnref{n}")),
        };
        self.x.raw("<sup><a class=\"noteref\" epub:type=\"noteref\"");
        self.x.attr("href", &format!("#{note}")).attr("id", &id).raw(" role=\"doc-noteref\">");
        self.x.num(n).raw("</a></sup>");
    }

    /// The notes of the statement, after its text.
    fn footnotes(&mut self) {
        let doc = self.dp.doc;
        if doc.footnotes.is_empty() {
            return;
        }
        self.x.raw("<section class=\"footnotes\" epub:type=\"footnotes\" role=\"doc-endnotes\"");
        self.x.attr("aria-label", labels(doc.lang).notes).raw(">\n");
        for (i, note) in doc.footnotes.iter().enumerate() {
            self.footnote(i, note);
        }
        self.x.raw("</section>\n");
    }

    fn footnote(&mut self, i: usize, note: &Footnote) {
        let anchors = &self.dp.anchors;
        let id = anchors.note_ids.get(i).cloned().unwrap_or_default();
        // Only the note that calls resolve to links back, and only when it is called.
        let back = match anchors.notes_by_number.get(&note.number) {
            Some(&first) if first == i => anchors.first_refs.get(&note.number).cloned(),
            _ => None,
        };
        self.x.raw("<aside class=\"footnote\" epub:type=\"footnote\"").attr("id", &id);
        self.x.raw(" role=\"doc-footnote\">\n");
        let (first, rest) = match note.blocks.split_first() {
            Some((Block { kind: BlockKind::Paragraph(content), .. }, rest)) => (Some(content), rest),
            _ => (None, note.blocks.as_slice()),
        };
        self.x.raw("<p>");
        match back {
            Some(back) => {
                self.x.raw("<a class=\"fn-num\"").attr("href", &format!("#{back}"));
                self.x.raw(" role=\"doc-backlink\"").attr("aria-label", labels(self.dp.doc.lang).back);
                self.x.raw(">").num(note.number).raw(".</a>");
            }
            None => {
                self.x.raw("<span class=\"fn-num\">").num(note.number).raw(".</span>");
            }
        }
        if let Some(content) = first {
            self.x.raw(" ");
            self.inlines(content);
        }
        self.x.raw("</p>\n");
        self.blocks(rest);
        self.x.raw("</aside>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    /// The escaping rules one character at a time, as the XML specification states them.
    fn reference(s: &str, attr: bool) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if attr => out.push_str("&quot;"),
                '\'' if attr => out.push_str("&#39;"),
                '\t' if attr => out.push_str("&#9;"),
                '\n' if attr => out.push_str("&#10;"),
                '\r' => out.push_str("&#13;"),
                '\t' | '\n' => out.push(c),
                '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
                c => out.push(c),
            }
        }
        out
    }

    // The byte-wise escaping gives what the character-wise rules give, on every ASCII
    // character, the characters around U+FFFE and U+FFFF, and ordinary text.
    #[test]
    fn escape_matches_the_rules() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("a{}б", b as char)).collect();
        samples.extend(
            ['\u{a0}', '\u{fffd}', '\u{fffe}', '\u{ffff}', '\u{effe}', '\u{10000}', '😀', 'ё']
                .iter()
                .map(|c| format!("x{c}<{c}&\"'\t\n\r{c}")),
        );
        samples.push("Заявление «о зарплате» — 5 % & <b>т. е.</b>\u{1}\u{fffe}".into());
        samples.push(String::new());
        for s in &samples {
            for attr in [false, true] {
                let mut out = String::new();
                escape(s, attr, &mut out);
                assert_eq!(out, reference(s, attr), "{s:?} attr={attr}");
            }
        }
    }
}
