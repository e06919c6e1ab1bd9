//! XHTML content documents: one per statement, plus the cover and title
//! pages. Everything from the model is written as escaped text; the model
//! holds no raw HTML and none is ever emitted.

use std::collections::BTreeSet;
use std::fmt::{Display, Write as _};

use super::plan::{DocPlan, Ids, Plan};
use crate::model::{Align, Block, BlockKind, Cell, Footnote, ImageRef, Inline, Lang, Table};

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
    line(&mut x, "date", &meta.date.map(|d| d.display(meta.lang)).unwrap_or_default());
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

/// `text` with a soft hyphen (U+00AD) at each point where `lang`'s patterns allow
/// a word to break. Only words of letters are touched: a token holding a digit, a
/// slash, `@`, `_` or a dot between letters (an address, a number, a file name)
/// is left whole, so URLs and figures never break.
pub(crate) fn soft_hyphens(text: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        let chars: Vec<char> = token.chars().collect();
        let dotted = chars.windows(3).any(|w| w[1] == '.' && w[0].is_alphabetic() && w[2].is_alphabetic());
        let literal =
            dotted || chars.iter().any(|c| c.is_ascii_digit() || matches!(c, '/' | '@' | '_' | '\\'));
        if literal {
            out.push_str(token);
            continue;
        }
        // Each run of letters is a word (a hyphenated compound breaks in each part).
        let mut word_start = None;
        for (i, c) in token.char_indices().chain([(token.len(), ' ')]) {
            let letter = i < token.len() && (c.is_alphabetic() || c == '\u{301}');
            match (letter, word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(from)) => {
                    let word = &token[from..i];
                    let mut at = 0;
                    for point in crate::typography::hyphenate(word, lang) {
                        out.push_str(&word[at..point]);
                        out.push('\u{ad}');
                        at = point;
                    }
                    out.push_str(&word[at..]);
                    word_start = None;
                }
                _ => {}
            }
            if !letter && i < token.len() {
                out.push(c);
            }
        }
    }
    out
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
        counting: None,
        parent_lang: dp.doc.lang,
        in_heading: false,
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
    /// Inside a paragraph: its block ordinal and the characters of text written so far.
    counting: Option<(usize, usize)>,
    /// Language of the element being written into: a child states its own only when it differs.
    parent_lang: Lang,
    /// Inside a heading, where no soft hyphen goes (a heading's words stay whole).
    in_heading: bool,
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
        // A statement's opening picture above its title comes after the title in
        // the document, so that a screen reader meets the title first.
        let mut order: Vec<&Block> = doc.blocks.iter().collect();
        if let [first, second, ..] = order.as_slice()
            && matches!(first.kind, BlockKind::Image(_))
            && matches!(second.kind, BlockKind::Heading { level: 1, .. })
        {
            order.swap(0, 1);
        }
        for block in order {
            self.block(block, true);
        }
        self.page_marks(usize::MAX, None);
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

    /// ` xml:lang="…" lang="…"` on the element being opened when its language
    /// differs from its parent's; its children are then measured against it.
    /// Returns the parent's, for [`Renderer::close_lang`].
    fn open_lang(&mut self, lang: Lang) -> Lang {
        if lang != self.parent_lang {
            self.x.lang(lang);
        }
        std::mem::replace(&mut self.parent_lang, lang)
    }

    fn close_lang(&mut self, parent: Lang) {
        self.parent_lang = parent;
    }

    fn block(&mut self, block: &Block, top: bool) {
        let no = block.ordinal;
        if let BlockKind::Paragraph(content) = &block.kind {
            self.page_marks(no, Some(0));
            self.x.raw("<p");
            let parent = self.open_lang(block.lang);
            self.x.raw(">");
            self.page_marks(no, Some(1));
            self.counting = Some((no, 0));
            self.inlines(content);
            self.counting = None;
            self.page_marks(no, None);
            self.x.raw("</p>\n");
            self.close_lang(parent);
            return;
        }
        self.page_marks(no, None);
        let parent = self.parent_lang;
        match &block.kind {
            BlockKind::Heading { level, content, .. } => {
                let level = (*level).clamp(1, 6);
                let id = self.dp.anchors.headings.get(self.heading).map(|h| h.id.clone());
                self.heading += 1;
                self.x.raw("<h").num(level);
                if let Some(id) = &id {
                    self.x.attr("id", id);
                }
                self.open_lang(block.lang);
                self.x.raw(">");
                self.in_heading = true;
                self.inlines(content);
                self.in_heading = false;
                self.x.raw("</h").num(level).raw(">\n");
                if top && level == 1 {
                    self.byline();
                }
            }
            BlockKind::Paragraph(_) => {}
            BlockKind::Image(img) => self.figure(img, block.lang),
            BlockKind::List { items, .. } if items.is_empty() => {}
            BlockKind::List { start, items } => {
                match start {
                    Some(1) => self.x.raw("<ol"),
                    Some(n) => self.x.raw("<ol").attr("start", &n.to_string()),
                    None => self.x.raw("<ul"),
                };
                self.open_lang(block.lang);
                self.x.raw(">\n");
                for item in items {
                    self.x.raw("<li>");
                    self.blocks(item);
                    self.x.raw("</li>\n");
                }
                self.x.raw(if start.is_some() { "</ol>\n" } else { "</ul>\n" });
            }
            BlockKind::Quote(inner) => {
                self.x.raw("<blockquote");
                self.open_lang(block.lang);
                self.x.raw(">\n");
                self.blocks(inner);
                self.x.raw("</blockquote>\n");
            }
            BlockKind::Code(code) => {
                self.x
                    .raw("<pre><code>")
                    .text(code.strip_suffix('\n').unwrap_or(code))
                    .raw("</code></pre>\n");
            }
            BlockKind::Table(table) => self.table(table, block.lang),
            BlockKind::Rule => {
                self.x.raw("<hr/>\n");
            }
        }
        self.close_lang(parent);
    }

    fn figure(&mut self, img: &ImageRef, lang: Lang) {
        if img.missing {
            // The picture was not exported with the text: its description stands in.
            let text = [img.alt.trim(), img.title.as_deref().unwrap_or("").trim()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(". ");
            if !text.is_empty() {
                self.x.raw("<p class=\"missing-image\"");
                let parent = self.open_lang(lang);
                self.x.raw(">[").text(&text).raw("]</p>\n");
                self.close_lang(parent);
            }
            return;
        }
        let Some(stored) = self.plan.image(&img.path) else {
            // Unreachable: `Plan::new` fails on images that were not loaded.
            return;
        };
        let src = format!("../{}", stored.href);
        self.x.raw("<figure");
        let parent = self.open_lang(lang);
        self.x.raw(">\n<img").attr("src", &src).attr("alt", img.alt.trim());
        if let Some(share) = img.width {
            self.x.attr("style", &format!("width: {:.0}%", share * 100.0));
        }
        self.x.raw("/>\n");
        if let Some(title) = img.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            self.x.raw("<figcaption>").text(title).raw("</figcaption>\n");
        }
        self.x.raw("</figure>\n");
        self.close_lang(parent);
    }

    fn table(&mut self, table: &Table, lang: Lang) {
        if table.header.is_empty() && table.rows.is_empty() {
            return;
        }
        self.x.raw("<table");
        let parent = self.open_lang(lang);
        self.x.raw(">\n");
        if !table.header.is_empty() {
            self.x.raw("<thead>\n<tr>");
            for (i, cell) in table.header.iter().enumerate() {
                self.cell("th", table.align(i), cell);
            }
            self.x.raw("</tr>\n</thead>\n");
        }
        if !table.rows.is_empty() {
            self.x.raw("<tbody>\n");
            for row in &table.rows {
                self.x.raw("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    self.cell("td", table.align(i), cell);
                }
                self.x.raw("</tr>\n");
            }
            self.x.raw("</tbody>\n");
        }
        self.x.raw("</table>\n");
        self.close_lang(parent);
    }

    /// A table cell; alignment by class, since the stylesheet owns presentation.
    fn cell(&mut self, tag: &str, align: Align, cell: &Cell) {
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
        let parent = self.open_lang(cell.lang);
        self.x.raw(">");
        self.inlines(&cell.content);
        self.x.raw("</").raw(tag).raw(">");
        self.close_lang(parent);
    }

    /// Paragraph text, with the markers of pages that begin inside it.
    fn counted_text(&mut self, t: &str, code: bool) {
        if code {
            self.x.raw("<code>");
        }
        let mut rest = t;
        if let Some((block, seen)) = self.counting {
            let len = t.chars().count();
            while let Some(&m) = self.marks.get(self.next_mark) {
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
                self.running_text(&rest[..at], code);
                rest = &rest[at..];
                self.next_mark += 1;
                page_break(&mut self.x, &m.label);
            }
            self.counting = Some((block, seen + len));
        }
        self.running_text(rest, code);
        if code {
            self.x.raw("</code>");
        }
    }

    /// Text as it is, or with soft hyphens at the break points of its language
    /// when the book asks for them there (never in code or headings).
    fn running_text(&mut self, text: &str, code: bool) {
        if code || self.in_heading || !self.plan.soft_hyphens.contains(&self.parent_lang) {
            self.x.text(text);
            return;
        }
        self.x.text(&soft_hyphens(text, self.parent_lang));
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
            Inline::Sup(c) | Inline::Sub(c) | Inline::Strike(c) => {
                let tag = match inline {
                    Inline::Sup(_) => "sup",
                    Inline::Sub(_) => "sub",
                    _ => "s",
                };
                self.x.raw("<").raw(tag).raw(">");
                self.inlines(c);
                self.x.raw("</").raw(tag).raw(">");
            }
            Inline::Span { lang, content } => {
                self.x.raw("<span").attr("xml:lang", lang.tag()).attr("lang", lang.tag()).raw(">");
                let parent = std::mem::replace(&mut self.parent_lang, *lang);
                self.inlines(content);
                self.parent_lang = parent;
                self.x.raw("</span>");
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
        self.x.attr("aria-label", doc.lang.words().notes).raw(">\n");
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
        self.x.raw(" role=\"doc-footnote\"");
        let parent = self.open_lang(note.lang);
        self.x.raw(">\n");
        let (first, rest) = match note.blocks.split_first() {
            Some((b @ Block { kind: BlockKind::Paragraph(content), .. }, rest)) => {
                (Some((content, b.lang)), rest)
            }
            _ => (None, note.blocks.as_slice()),
        };
        self.x.raw("<p");
        let note_lang = self.open_lang(first.map_or(note.lang, |f| f.1));
        self.x.raw(">");
        match back {
            Some(back) => {
                self.x.raw("<a class=\"fn-num\"").attr("href", &format!("#{back}"));
                self.x.raw(" role=\"doc-backlink\"").attr("aria-label", note.lang.words().back);
                self.x.raw(">").num(note.number).raw(".</a>");
            }
            None => {
                self.x.raw("<span class=\"fn-num\">").num(note.number).raw(".</span>");
            }
        }
        if let Some((content, _)) = first {
            self.x.raw(" ");
            self.inlines(content);
        }
        self.x.raw("</p>\n");
        self.close_lang(note_lang);
        self.blocks(rest);
        self.x.raw("</aside>\n");
        self.close_lang(parent);
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
