//! Navigation: the EPUB 3 navigation document (`nav.xhtml`, with the table of
//! contents and landmarks) and the EPUB 2 `toc.ncx` kept for older readers.
//! Both are written from one outline so they never disagree.

use super::plan::Plan;
use super::xhtml::{Xml, open_html, page_id};
use crate::model::Lang;

/// One entry of the table of contents.
struct Entry {
    /// Plain text, never empty.
    label: String,
    /// Target relative to the `EPUB/` folder.
    href: String,
    /// Language of the label when it differs from the book's.
    lang: Option<Lang>,
    /// Sub-entries.
    children: Vec<Entry>,
}

/// Statements with their level-2 and level-3 headings (a level-1 heading after
/// the first counts as level 2). An empty book lists its title page, since a
/// TOC may not be empty.
fn outline(plan: &Plan) -> Vec<Entry> {
    let book_lang = plan.book.meta.lang;
    let other = |lang: Lang| (lang != book_lang).then_some(lang);
    let mut entries: Vec<Entry> = Vec::new();
    for dp in &plan.docs {
        let href = format!("text/{}", dp.file);
        let mut children: Vec<Entry> = Vec::new();
        let mut seen_h1 = false;
        for h in dp.anchors.headings.iter().filter(|h| h.top_level) {
            if h.level == 1 && !seen_h1 {
                seen_h1 = true;
                continue;
            }
            if h.level > 3 || h.text.is_empty() {
                continue;
            }
            let entry = Entry {
                label: h.text.clone(),
                href: format!("{href}#{}", h.id),
                lang: other(h.lang),
                children: Vec::new(),
            };
            match children.last_mut() {
                Some(parent) if h.level == 3 => parent.children.push(entry),
                _ => children.push(entry),
            }
        }
        entries.push(Entry { label: dp.label.clone(), href, lang: other(dp.doc.lang), children });
    }
    // Parts group their statements: parts → statements → headings, as in the PDF outline.
    if !plan.book.parts.is_empty() {
        let mut grouped = Vec::new();
        let mut rest = entries.into_iter().enumerate().peekable();
        for part in &plan.book.parts {
            while rest.peek().is_some_and(|(i, _)| *i < part.documents.start) {
                if let Some((_, e)) = rest.next() {
                    grouped.push(e);
                }
            }
            let mut children = Vec::new();
            while rest.peek().is_some_and(|(i, _)| part.documents.contains(i)) {
                if let Some((_, e)) = rest.next() {
                    children.push(e);
                }
            }
            if let Some(first) = children.first() {
                let href = first.href.clone();
                grouped.push(Entry { label: part.title.clone(), href, lang: None, children });
            }
        }
        grouped.extend(rest.map(|(_, e)| e));
        entries = grouped;
    }
    if entries.is_empty() {
        entries.push(Entry {
            label: plan.title.to_string(),
            href: "title.xhtml".to_string(),
            lang: None,
            children: Vec::new(),
        });
    }
    entries
}

/// `nav.xhtml`: the table of contents and the landmarks (EPUB 3.3 §7).
pub(crate) fn nav_document(plan: &Plan, cover_page: Option<&str>) -> String {
    let lang = plan.book.meta.lang;
    let words = lang.words();
    let mut x = Xml::new();
    open_html(&mut x, lang, words.contents, "css/style.css");
    x.raw("<body epub:type=\"frontmatter\">\n<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\">\n<h1>");
    x.text(words.contents).raw("</h1>\n");
    nav_list(&mut x, &outline(plan));
    x.raw("</nav>\n<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>");
    x.text(words.landmarks).raw("</h2>\n<ol>\n");
    let landmark = |x: &mut Xml, kind: &str, href: &str, label: &str| {
        x.raw("<li><a").attr("epub:type", kind).attr("href", href).raw(">").text(label).raw("</a></li>\n");
    };
    if let Some(cover) = cover_page {
        landmark(&mut x, "cover", cover, words.cover);
    }
    landmark(&mut x, "titlepage", "title.xhtml", words.title_page);
    landmark(&mut x, "toc", "nav.xhtml#toc", words.contents);
    if let Some(first) = plan.docs.first() {
        landmark(&mut x, "bodymatter", &format!("text/{}", first.file), words.start);
    }
    x.raw("</ol>\n</nav>\n");
    if !plan.pages.is_empty() {
        // The print edition's pages, pointing at the `pagebreak` markers in the text.
        x.raw("<nav epub:type=\"page-list\" id=\"page-list\" hidden=\"hidden\">\n<ol>\n");
        for m in plan.pages {
            let file = match m.doc.and_then(|d| plan.docs.get(d)) {
                Some(dp) => format!("text/{}", dp.file),
                None => "title.xhtml".to_string(),
            };
            x.raw("<li><a").attr("href", &format!("{file}#{}", page_id(&m.label))).raw(">");
            x.text(&m.label).raw("</a></li>\n");
        }
        x.raw("</ol>\n</nav>\n");
    }
    x.raw("</body>\n</html>\n");
    x.finish()
}

fn nav_list(x: &mut Xml, entries: &[Entry]) {
    x.raw("<ol>\n");
    for e in entries {
        x.raw("<li><a").attr("href", &e.href);
        if let Some(lang) = e.lang {
            x.lang(lang);
        }
        x.raw(">").text(&e.label).raw("</a>");
        if !e.children.is_empty() {
            x.raw("\n");
            nav_list(x, &e.children);
        }
        x.raw("</li>\n");
    }
    x.raw("</ol>\n");
}

/// `toc.ncx` (OPF 2.0.1 §2.4.1): the same outline for EPUB 2 reading systems.
pub(crate) fn ncx(plan: &Plan) -> String {
    let mut entries = outline(plan);
    // Kindle shows two levels (see `compat`): parts and statements, or
    // statements and their sections. The nav document keeps the whole outline.
    prune(&mut entries, super::compat::NCX_MAX_DEPTH);
    let depth = entries.iter().map(entry_depth).max().unwrap_or(1);
    let mut x = Xml::new();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw("<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\"");
    x.attr("xml:lang", plan.book.meta.lang.tag()).raw(">\n<head>\n");
    x.raw("<meta name=\"dtb:uid\"").attr("content", plan.identifier).raw("/>\n");
    x.raw("<meta name=\"dtb:depth\"").attr("content", &depth.to_string()).raw("/>\n");
    let pages = plan.pages.len().to_string();
    x.raw("<meta name=\"dtb:totalPageCount\"").attr("content", &pages).raw("/>\n");
    x.raw("<meta name=\"dtb:maxPageNumber\"").attr("content", &pages).raw("/>\n");
    x.raw("</head>\n<docTitle><text>").text(plan.title).raw("</text></docTitle>\n<navMap>\n");
    let mut order = (0usize, String::new(), 0usize);
    nav_points(&mut x, &entries, &mut order);
    x.raw("</navMap>\n</ncx>\n");
    x.finish()
}

/// Drops the entries below `depth` levels.
fn prune(entries: &mut [Entry], depth: usize) {
    for e in entries {
        if depth <= 1 {
            e.children.clear();
        } else {
            prune(&mut e.children, depth - 1);
        }
    }
}

fn entry_depth(e: &Entry) -> usize {
    1 + e.children.iter().map(entry_depth).max().unwrap_or(0)
}

/// NCX navPoints; a point that leads where the previous one led (a part and
/// its first statement) shares its playOrder, as the NCX specification requires.
fn nav_points(x: &mut Xml, entries: &[Entry], order: &mut (usize, String, usize)) {
    for e in entries {
        if order.1 != e.href {
            order.0 += 1;
            order.1 = e.href.clone();
        }
        let order_now = order.0;
        order.2 += 1;
        x.raw("<navPoint").attr("id", &format!("np-{}", order.2)).attr("playOrder", &order_now.to_string());
        x.raw(">\n<navLabel><text>").text(&e.label).raw("</text></navLabel>\n<content");
        x.attr("src", &e.href).raw("/>\n");
        nav_points(x, &e.children, order);
        x.raw("</navPoint>\n");
    }
}
