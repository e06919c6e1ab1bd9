//! The HTML that website exports leave in Markdown, read as tokens: tags with
//! their attributes, text with its character references decoded, comments.
//! What the tokens mean (the safe subset samizdat maps into the model, the
//! active content it drops) is decided by the builder in `markdown`; nothing
//! here is ever copied into an output.

use pulldown_cmark::{Event, Parser};

/// One piece of HTML, with its byte offset in the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// `<name attr=value …>` or `<name …/>`; the name in lowercase.
    Open { name: String, attrs: Vec<(String, String)>, at: usize },
    /// `</name>`.
    Close { name: String, at: usize },
    /// Text with its character references decoded.
    Text { text: String, at: usize },
    /// `<!--` never closed in this text: what follows, in later text too, is comment up to `-->`.
    OpenComment { at: usize },
}

/// Elements that have no content and no end tag.
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose content is raw text up to their end tag (no tags inside).
fn is_raw_text(name: &str) -> bool {
    matches!(name, "script" | "style" | "textarea" | "title" | "xmp")
}

/// Splits `html` into tokens. Never fails: a `<` that does not start a tag is
/// text, an unterminated tag or comment runs to the end of the input.
pub fn tokens(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut text_from = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if from < to {
            out.push(Token::Text { text: decode(&html[from..to]), at: from });
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            flush(&mut out, text_from, i);
            let Some(e) = comment.find("-->") else {
                out.push(Token::OpenComment { at: i });
                return out;
            };
            i += 4 + e + 3;
            text_from = i;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            // A doctype, CDATA section or processing instruction: never text of the statement.
            flush(&mut out, text_from, i);
            let end = rest.find('>').map_or(html.len(), |e| i + e + 1);
            i = end;
            text_from = end;
            continue;
        }
        let closing = rest.starts_with("</");
        let name_from = i + if closing { 2 } else { 1 };
        let name_len = html[name_from..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b':')
            .count();
        if name_len == 0 || !bytes[name_from].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        flush(&mut out, text_from, i);
        let name = html[name_from..name_from + name_len].to_ascii_lowercase();
        let (attrs, end) = attributes(html, name_from + name_len);
        if closing {
            out.push(Token::Close { name, at: i });
            i = end;
        } else {
            let raw = is_raw_text(&name);
            out.push(Token::Open { name: name.clone(), attrs, at: i });
            i = end;
            if raw {
                // Its content up to `</name` is one text, never tags.
                let close = format!("</{name}");
                let lower = html[i..].to_ascii_lowercase();
                let stop = lower.find(&close).map_or(html.len(), |e| i + e);
                if i < stop {
                    out.push(Token::Text { text: html[i..stop].to_string(), at: i });
                }
                i = stop;
            }
        }
        text_from = i;
    }
    flush(&mut out, text_from, html.len());
    out
}

/// The attributes of a tag whose name ends at `from`, and the offset after the tag's `>`.
fn attributes(html: &str, mut i: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attrs, i);
        }
        if bytes[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_from = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_from..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let q = bytes[i];
                let from = i + 1;
                let to = html[from..].bytes().position(|b| b == q).map_or(html.len(), |p| from + p);
                value = decode(&html[from..to]);
                i = (to + 1).min(html.len());
            } else {
                let from = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = decode(&html[from..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// `text` with its character references (`&nbsp;`, `&laquo;`, `&#171;`,
/// `&#xAB;`) decoded; a `&` that starts none is kept.
pub fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let len = rest[1..].bytes().take(32).take_while(|b| b.is_ascii_alphanumeric() || *b == b'#').count();
        if rest.as_bytes().get(1 + len) == Some(&b';')
            && let Some(decoded) = reference(&rest[..len + 2])
        {
            out.push_str(&decoded);
            rest = &rest[len + 2..];
        } else if let Some((name, decoded)) = legacy(&rest[1..]) {
            // As browsers do, the old Latin-1 names count without their `;` too.
            out.push_str(decoded);
            rest = &rest[1 + name.len()..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The character references HTML accepts without a final `;` (the common part of the
/// HTML 4 Latin-1 set that statements use), when `after` (the text after `&`) starts
/// with one and no letter or digit follows it.
fn legacy(after: &str) -> Option<(&'static str, &'static str)> {
    const NAMES: [(&str, &str); 16] = [
        ("nbsp", "\u{a0}"),
        ("laquo", "«"),
        ("raquo", "»"),
        ("copy", "©"),
        ("reg", "®"),
        ("deg", "°"),
        ("sect", "§"),
        ("middot", "·"),
        ("plusmn", "±"),
        ("times", "×"),
        ("shy", "\u{ad}"),
        ("amp", "&"),
        ("quot", "\""),
        ("lt", "<"),
        ("gt", ">"),
        ("para", "¶"),
    ];
    NAMES.into_iter().find(|(name, _)| {
        after.starts_with(name) && !after[name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
    })
}

/// One character reference (`&…;`) decoded. The table is CommonMark's (all of
/// HTML5's named references), read through pulldown-cmark so that an entity in
/// HTML means exactly what it means in the Markdown around it.
fn reference(reference: &str) -> Option<String> {
    let mut text = String::new();
    for event in Parser::new(reference) {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::Start(_) | Event::End(_) => {}
            _ => return None,
        }
    }
    (text != reference).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Named and numeric references are decoded; a bare or unknown one is kept.
    #[test]
    fn references_decoded() {
        assert_eq!(decode("&laquo;да&raquo;&nbsp;&mdash; 5&#37; &#xAB;"), "«да»\u{a0}— 5% «");
        assert_eq!(decode("A & B &nosuch; &amp;"), "A & B &nosuch; &");
        assert_eq!(decode("&#0;"), "\u{FFFD}");
        // Old names without `;`, as browsers read them; not inside a longer word.
        assert_eq!(decode("&laquoДвор&raquo, 5&nbspкм, &copy 2024"), "«Двор», 5\u{a0}км, © 2024");
        assert_eq!(decode("&copyright &ampersand"), "&copyright &ampersand");
    }

    // Tags, attributes in every quoting, comments and raw text.
    #[test]
    fn tags_and_text() {
        let t = tokens(
            "<p class=\"a\" style='x'>Да <b>нет</b><br/><!-- c --><img src=a.jpg alt=\"&laquo;x&raquo;\"></p>",
        );
        let names: Vec<String> = t
            .iter()
            .map(|t| match t {
                Token::Open { name, .. } => format!("<{name}>"),
                Token::Close { name, .. } => format!("</{name}>"),
                Token::Text { text, .. } => text.clone(),
                Token::OpenComment { .. } => "<!--".into(),
            })
            .collect();
        assert_eq!(names, ["<p>", "Да ", "<b>", "нет", "</b>", "<br>", "<img>", "</p>"]);
        let Token::Open { attrs, .. } = &t[6] else { panic!() };
        assert_eq!(
            attrs,
            &[("src".to_string(), "a.jpg".to_string()), ("alt".to_string(), "«x»".to_string())]
        );
        let t = tokens("<script>if (a < b) { x = '</p>'; }</script>после");
        assert!(matches!(&t[1], Token::Text { text, .. } if text.contains("a < b")));
        assert!(matches!(&t[2], Token::Close { name, .. } if name == "script"));
        assert!(matches!(&t[3], Token::Text { text, .. } if text == "после"));
        // A `<` that starts no tag is text.
        assert_eq!(tokens("1 < 2"), [Token::Text { text: "1 < 2".into(), at: 0 }]);
    }
}

// ---------------------------------------------------------------------------
// The mapping into the model.

use std::collections::BTreeMap;

use super::{BlockFrame, Builder, InlineFrame, Styled};
use crate::model::{Align, Block, BlockKind, Cell, Inline, Lang, Table};

/// Inline elements of the safe subset, as open frames.
#[derive(Debug, Clone, PartialEq)]
pub enum HtmlInline {
    Styled(Styled),
    Code,
    Quote,
    Link(String),
    Span(Option<Lang>),
    /// `u`, `ins`, `small`, `abbr`, `mark`: the text kept, the look not.
    Plain,
}

/// What an element is to samizdat.
enum Element {
    Inline(HtmlInline),
    Break,
    Image,
    /// `p`, `figcaption`: a paragraph.
    Para,
    Heading(u8),
    /// `div`, `section`, `article`, `figure`: a boundary between paragraphs, no more.
    Container,
    Quote,
    List {
        ordered: bool,
    },
    Item,
    Rule,
    Table,
    /// `thead`, `tbody`, `tfoot`.
    TableSection,
    Row,
    Cell {
        header: bool,
    },
    Pre,
    /// Scripts, styles, frames, forms and the like: dropped with their content.
    Active,
    Unknown,
}

fn element(name: &str) -> Element {
    match name {
        "b" | "strong" => Element::Inline(HtmlInline::Styled(Styled::Strong)),
        "i" | "em" | "cite" | "var" | "dfn" => Element::Inline(HtmlInline::Styled(Styled::Emph)),
        "sup" => Element::Inline(HtmlInline::Styled(Styled::Sup)),
        "sub" => Element::Inline(HtmlInline::Styled(Styled::Sub)),
        "code" | "kbd" | "samp" | "tt" => Element::Inline(HtmlInline::Code),
        "q" => Element::Inline(HtmlInline::Quote),
        "a" => Element::Inline(HtmlInline::Link(String::new())),
        "span" => Element::Inline(HtmlInline::Span(None)),
        "s" | "del" | "strike" => Element::Inline(HtmlInline::Styled(Styled::Strike)),
        "u" | "ins" | "small" | "abbr" | "mark" | "time" | "font" => Element::Inline(HtmlInline::Plain),
        "br" => Element::Break,
        "img" => Element::Image,
        "p" | "figcaption" | "address" | "dt" | "dd" => Element::Para,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Element::Heading(name.as_bytes()[1] - b'0'),
        "div" | "section" | "article" | "figure" | "main" | "center" | "dl" | "picture" | "source" => {
            Element::Container
        }
        "blockquote" => Element::Quote,
        "ul" => Element::List { ordered: false },
        "ol" => Element::List { ordered: true },
        "li" => Element::Item,
        "hr" => Element::Rule,
        "table" => Element::Table,
        "thead" | "tbody" | "tfoot" => Element::TableSection,
        "tr" => Element::Row,
        "th" => Element::Cell { header: true },
        "td" => Element::Cell { header: false },
        "pre" => Element::Pre,
        "script" | "style" | "noscript" | "iframe" | "frame" | "frameset" | "object" | "embed" | "applet"
        | "form" | "input" | "button" | "select" | "textarea" | "svg" | "math" | "canvas" | "audio"
        | "video" | "template" | "link" | "meta" | "base" | "head" | "title" => Element::Active,
        _ => Element::Unknown,
    }
}

/// The state of HTML across the events of one statement.
#[derive(Default)]
pub struct Web {
    /// Active content being dropped: its element, nesting depth, where it began.
    dropping: Option<(String, usize, usize)>,
    /// Block frames opened by tags of the current HTML block: tag name, index in the builder's stack.
    blocks: Vec<(String, usize)>,
    /// A `<table>` is being filled: the row is a header row (`thead`, or all `th`).
    table: Option<HtmlTable>,
    /// A `<pre>` being collected: text and where it began.
    pre: Option<(String, usize)>,
    /// Dropped active content by kind, with the offset of each.
    dropped: BTreeMap<String, Vec<usize>>,
    /// Unknown tags by name, with the offset of each.
    unknown: BTreeMap<String, Vec<usize>>,
    /// The last inline pushed by HTML was a line break: the next text's leading space goes.
    after_break: bool,
    /// Where tags were first nested too deep to be kept.
    too_deep: Option<usize>,
    /// Where a comment left open began (see [`Token::OpenComment`]).
    comment: Option<usize>,
    /// An HTML block was read.
    seen_block_html: bool,
    /// The paragraph open is a `<figcaption>`.
    figcaption: bool,
}

/// Whether `text` begins (after white space) with a tag of an element samizdat knows.
pub fn starts_with_element(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with('<')
        && match tokens(text.get(..text.find('>').map_or(text.len(), |e| e + 1)).unwrap_or(text)).first() {
            Some(Token::Open { name, .. } | Token::Close { name, .. }) => {
                !matches!(element(name), Element::Unknown)
            }
            Some(Token::OpenComment { .. }) => true,
            _ => false,
        }
}

#[derive(Default)]
struct HtmlTable {
    at: usize,
    in_head: bool,
    header: Vec<Cell>,
    rows: Vec<Vec<Cell>>,
    row: Vec<Cell>,
    row_all_th: bool,
    cell: Option<bool>,
    /// The open cell's `colspan` and `rowspan`.
    span: (usize, usize),
    /// Rows still covered by a cell above, by column (`rowspan`).
    covered: Vec<usize>,
}

impl HtmlTable {
    /// Empty cells where cells of rows above reach down into this row, from its current end.
    fn fill_covered(&mut self) {
        while self.covered.get(self.row.len()).is_some_and(|n| *n > 0) {
            let col = self.row.len();
            self.covered[col] -= 1;
            self.row.push(Cell::default());
        }
    }
}

/// Most columns or rows one cell may span: more is a layout table's spacer.
const MAX_SPAN: usize = 50;

/// Where HTML tokens are met: inside a Markdown paragraph (inline HTML), or as an HTML block.
#[derive(Clone, Copy, PartialEq)]
pub enum Context {
    Inline,
    Block,
}

impl Web {
    /// Active content or a comment is being dropped: running text is not the statement's.
    pub fn dropping(&self) -> bool {
        self.dropping.is_some() || self.comment.is_some()
    }

    /// An HTML block was read: the statement comes from a website.
    pub fn block_html_seen(&mut self) {
        self.seen_block_html = true;
    }

    /// Whether an HTML block was read.
    pub fn seen_block_html(&self) -> bool {
        self.seen_block_html
    }

    /// A comment left open by earlier HTML (`<!--` with its `-->` in a later paragraph).
    pub fn in_comment(&self) -> bool {
        self.comment.is_some()
    }
}

impl Builder<'_> {
    /// Reads the HTML `html`, found at `base` in the source (`offset` maps a token's
    /// offset to the source's), into the model.
    pub(super) fn html(&mut self, html: &str, context: Context, offset: &dyn Fn(usize) -> usize) {
        let mut html = html;
        let mut base = 0;
        if self.web.comment.is_some() {
            // Inside a comment opened earlier: nothing counts before its `-->`.
            let Some(end) = html.find("-->") else { return };
            self.web.comment = None;
            base = end + 3;
            html = &html[base..];
        }
        for token in tokens(html) {
            self.html_token(token, context, &|o| offset(base + o));
        }
    }

    /// Running text while a comment is open: the part after its `-->`, if any.
    pub(super) fn after_comment<'t>(&mut self, text: &'t str) -> Option<&'t str> {
        let end = text.find("-->")?;
        self.web.comment = None;
        Some(&text[end + 3..])
    }

    fn html_token(&mut self, token: Token, context: Context, offset: &dyn Fn(usize) -> usize) {
        if let Some((name, depth, _)) = &mut self.web.dropping {
            match &token {
                Token::Open { name: n, .. } if n == name && !is_void(n) => *depth += 1,
                Token::Close { name: n, .. } if n == name => {
                    *depth -= 1;
                    if *depth == 0 {
                        self.web.dropping = None;
                    }
                }
                _ => {}
            }
            return;
        }
        if let Some((code, _)) = &mut self.web.pre {
            match &token {
                Token::Text { text, .. } => {
                    code.push_str(text);
                    return;
                }
                Token::Close { name, .. } if name == "pre" => {
                    if let Some((code, at)) = self.web.pre.take() {
                        let code = code.trim_matches('\n').to_string();
                        if !code.trim().is_empty() {
                            self.push_block(Block::new(BlockKind::Code(code), at..at));
                        }
                    }
                    return;
                }
                // Tags inside `<pre>` are formatting: the text is what counts; active content still goes.
                Token::Open { name, .. } if !matches!(element(name), Element::Active) => return,
                Token::Close { .. } => return,
                _ => {}
            }
        }
        match token {
            Token::OpenComment { at } => self.web.comment = Some(offset(at)),
            Token::Text { text, at } => self.html_text(&text, offset(at), context),
            Token::Open { name, attrs, at } => self.html_open(name, attrs, offset(at), context),
            Token::Close { name, at } => self.html_close(&name, offset(at), context),
        }
    }

    fn html_text(&mut self, text: &str, at: usize, context: Context) {
        // Whitespace in HTML is one space wherever it comes from; line ends included.
        let mut collapsed = String::with_capacity(text.len());
        for (i, part) in text.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            if i > 0 && !collapsed.ends_with(' ') {
                collapsed.push(' ');
            }
            collapsed.push_str(part);
        }
        if self.web.after_break {
            collapsed = collapsed.trim_start().to_string();
        }
        if collapsed.is_empty() || (collapsed == " " && self.inlines.is_empty()) {
            return;
        }
        self.web.after_break = false;
        if self.web.table.as_ref().is_some_and(|t| t.cell.is_none()) {
            // Text between a table's cells (whitespace, or stray words) belongs to no cell.
            if collapsed.trim().is_empty() {
                return;
            }
            self.html_open("td".into(), Vec::new(), at, context);
        }
        if context == Context::Block && self.inlines.is_empty() {
            self.inlines.push((InlineFrame::Paragraph, at, Vec::new()));
        }
        self.push_inline(Inline::Text(collapsed));
    }

    /// Notes an event attribute (`onclick`) or a `javascript:` address and returns the safe `href`/`src`.
    fn html_attrs(&mut self, name: &str, attrs: &[(String, String)], at: usize) {
        for (key, value) in attrs {
            if key.starts_with("on") && key.len() > 2 {
                self.web.dropped.entry(format!("event attribute `{key}`")).or_default().push(at);
            }
            if matches!(key.as_str(), "href" | "src" | "action" | "formaction")
                && value.trim_start().to_ascii_lowercase().starts_with("javascript:")
            {
                self.web.dropped.entry(format!("`javascript:` address in `<{name}>`")).or_default().push(at);
            }
        }
    }

    fn html_open(&mut self, name: String, attrs: Vec<(String, String)>, at: usize, context: Context) {
        self.html_attrs(&name, &attrs, at);
        let attr = |key: &str| attrs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let element = element(&name);
        let block = context == Context::Block;
        // Nesting is bounded like Markdown's (see `MAX_DEPTH`): deeper tags are dropped, their text kept.
        let too_deep = match element {
            Element::Inline(_) => self.inlines.len() >= super::MAX_DEPTH,
            Element::Quote | Element::List { .. } => self.depth() >= super::MAX_DEPTH,
            // An item of an open list is always taken: its list was within the limit.
            Element::Item => {
                !matches!(self.blocks.last(), Some((BlockFrame::List { .. } | BlockFrame::Item, _, _)))
                    && self.depth() >= super::MAX_DEPTH
            }
            _ => false,
        };
        if too_deep {
            self.web.too_deep.get_or_insert(at);
            return;
        }
        match element {
            Element::Active => {
                self.web.dropped.entry(format!("`<{name}>`")).or_default().push(at);
                if !is_void(&name) {
                    self.web.dropping = Some((name, 1, at));
                }
            }
            Element::Unknown => self.web.unknown.entry(name).or_default().push(at),
            Element::Inline(kind) => {
                let kind = match kind {
                    HtmlInline::Link(_) => match attr("href") {
                        Some(url)
                            if !url.trim().is_empty()
                                && !url.trim_start().to_ascii_lowercase().starts_with("javascript:") =>
                        {
                            HtmlInline::Link(url.trim().to_string())
                        }
                        _ => HtmlInline::Plain,
                    },
                    HtmlInline::Span(_) => {
                        let lang = attr("lang").or_else(|| attr("xml:lang"));
                        HtmlInline::Span(lang.and_then(|l| self.lang_value(&l, at)))
                    }
                    other => other,
                };
                if self.web.table.as_ref().is_some_and(|t| t.cell.is_none()) {
                    self.html_open("td".into(), Vec::new(), at, context);
                }
                if block && self.inlines.is_empty() {
                    self.inlines.push((InlineFrame::Paragraph, at, Vec::new()));
                }
                self.inlines.push((InlineFrame::Html { name, kind }, at, Vec::new()));
            }
            Element::Break => {
                if block && self.inlines.is_empty() {
                    return;
                }
                self.push_inline(Inline::LineBreak);
                self.web.after_break = true;
            }
            Element::Image => {
                let src = attr("src").unwrap_or_default();
                if src.trim().is_empty() || src.trim_start().to_ascii_lowercase().starts_with("javascript:") {
                    return;
                }
                let title = attr("title").unwrap_or_default();
                self.image(src, title, attr("alt").unwrap_or_default(), at..at);
                // Messages about the file point at its name in the tag.
                let tag = self.source.get(at..).and_then(|s| s.get(..s.find('>').unwrap_or(s.len())));
                if let Some(i) = tag.and_then(|t| t.find("src=")).map(|i| at + i + 4)
                    && let Some(BlockKind::Image(img)) = self.pending_images.last_mut().map(|b| &mut b.kind)
                {
                    let quoted = self.source[i..].starts_with(['"', '\'']);
                    img.src_at = i + usize::from(quoted);
                }
                if block && self.inlines.is_empty() {
                    self.flush_pending_images();
                }
            }
            // Inside a Markdown paragraph, block tags cannot open blocks: the Markdown
            // decides the structure; the boundary they mark becomes a line break.
            _ if !block => self.html_boundary(),
            // Inside a table cell, paragraphs, lists and quotes are lines of the cell's text.
            Element::Para
            | Element::Heading(_)
            | Element::Container
            | Element::Rule
            | Element::Quote
            | Element::List { .. }
            | Element::Item
                if self.web.table.is_some() =>
            {
                self.html_boundary()
            }
            Element::Para | Element::Heading(_) | Element::Container | Element::Rule => {
                self.html_end_paragraph(at);
                if name == "figcaption" {
                    self.web.figcaption = true;
                }
                match element {
                    Element::Para => self.inlines.push((InlineFrame::Paragraph, at, Vec::new())),
                    Element::Heading(level) => self.inlines.push((
                        InlineFrame::Heading { level, id: None, lang: None },
                        at,
                        Vec::new(),
                    )),
                    Element::Rule => self.push_block(Block::new(BlockKind::Rule, at..at)),
                    _ => {}
                }
            }
            Element::Quote => {
                self.html_end_paragraph(at);
                self.web.blocks.push((name, self.blocks.len()));
                self.blocks.push((BlockFrame::Quote, at, Vec::new()));
            }
            Element::List { ordered } => {
                self.html_end_paragraph(at);
                let start = ordered.then(|| attr("start").and_then(|s| s.trim().parse().ok()).unwrap_or(1));
                self.web.blocks.push((name, self.blocks.len()));
                self.blocks.push((BlockFrame::List { start, items: Vec::new() }, at, Vec::new()));
            }
            Element::Item => {
                self.html_end_paragraph(at);
                // A new item closes the one before; an item outside a list opens one.
                if self.web.blocks.last().is_some_and(|(n, _)| n == "li") {
                    self.html_close_block("li", at);
                }
                if !matches!(self.blocks.last(), Some((BlockFrame::List { .. }, _, _))) {
                    self.web.blocks.push(("ul".into(), self.blocks.len()));
                    self.blocks.push((BlockFrame::List { start: None, items: Vec::new() }, at, Vec::new()));
                }
                self.web.blocks.push((name, self.blocks.len()));
                self.blocks.push((BlockFrame::Item, at, Vec::new()));
            }
            Element::Table => {
                self.html_end_paragraph(at);
                self.html_end_table();
                self.web.table = Some(HtmlTable { at, ..HtmlTable::default() });
            }
            Element::TableSection => {
                if let Some(t) = &mut self.web.table {
                    t.in_head = name == "thead";
                }
            }
            Element::Row => self.html_end_row(),
            Element::Cell { header } => {
                if self.web.table.is_none() {
                    return;
                }
                self.html_end_cell();
                let span = |key: &str| {
                    attr(key).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_SPAN)
                };
                let spans = (span("colspan"), span("rowspan"));
                if let Some(t) = &mut self.web.table {
                    if t.row.is_empty() {
                        t.row_all_th = true;
                    }
                    t.fill_covered();
                    t.row_all_th &= header;
                    t.cell = Some(header);
                    t.span = spans;
                }
                self.inlines.push((InlineFrame::Cell, at, Vec::new()));
            }
            Element::Pre => {
                self.html_end_paragraph(at);
                self.web.pre = Some((String::new(), at));
            }
        }
    }

    fn html_close(&mut self, name: &str, at: usize, context: Context) {
        let block = context == Context::Block;
        match element(name) {
            Element::Inline(_) => {
                // Closes the element if it is open above every Markdown frame; a
                // close tag that matches nothing open is dropped.
                let open =
                    self.inlines.iter().rev().take_while(|(f, _, _)| matches!(f, InlineFrame::Html { .. }));
                if open.clone().any(|(f, _, _)| matches!(f, InlineFrame::Html { name: n, .. } if n == name)) {
                    while let Some((InlineFrame::Html { name: n, .. }, _, _)) = self.inlines.last() {
                        let last = n == name;
                        self.fold_html_inline();
                        if last {
                            break;
                        }
                    }
                }
            }
            Element::Unknown => {}
            Element::Para
            | Element::Heading(_)
            | Element::Container
            | Element::Item
            | Element::Quote
            | Element::List { .. }
                if !block || self.web.table.is_some() =>
            {
                self.html_boundary()
            }
            _ if !block => {}
            Element::Para | Element::Heading(_) | Element::Container => self.html_end_paragraph(at),
            Element::Quote | Element::List { .. } | Element::Item => {
                self.html_end_paragraph(at);
                self.html_close_block(name, at);
            }
            Element::Cell { .. } => self.html_end_cell(),
            Element::Row => self.html_end_row(),
            Element::TableSection => {
                self.html_end_row();
                if let Some(t) = &mut self.web.table {
                    t.in_head = false;
                }
            }
            Element::Table => self.html_end_table(),
            _ => {}
        }
    }

    /// The language named by a `lang` attribute; an unknown one is reported.
    pub(super) fn lang_value(&mut self, value: &str, at: usize) -> Option<Lang> {
        let lang = Lang::from_tag(value.trim());
        if lang.is_none() {
            self.warn(at, format!("unknown language `{value}` is ignored"), Some(&Lang::hint()));
        }
        lang
    }

    /// Folds the innermost open HTML inline element into its parent.
    pub(super) fn fold_html_inline(&mut self) {
        let Some((InlineFrame::Html { kind, .. }, _, content)) = self.inlines.pop() else { return };
        // An element with no text (an icon's `<i class="fa">`, a share link, `<b> </b>`)
        // formats nothing: what it holds, spaces and images, goes on unformatted.
        let blank = Inline::plain_text(&content).trim().is_empty()
            && !content.iter().any(|i| matches!(i, Inline::FootnoteRef(_)));
        if blank {
            content.into_iter().for_each(|i| self.push_inline(i));
            return;
        }
        match kind {
            HtmlInline::Styled(style) => self.push_inline(style.wrap(content)),
            HtmlInline::Code => self.push_inline(Inline::Code(Inline::plain_text(&content))),
            HtmlInline::Link(url) => self.push_inline(Inline::Link { url, content }),
            HtmlInline::Span(Some(lang)) => self.push_inline(Inline::Span { lang, content }),
            HtmlInline::Quote => {
                // Straight quotes: the typography gives them the language's form and nesting.
                self.push_inline(Inline::Text("\"".into()));
                content.into_iter().for_each(|i| self.push_inline(i));
                self.push_inline(Inline::Text("\"".into()));
            }
            HtmlInline::Span(None) | HtmlInline::Plain => {
                content.into_iter().for_each(|i| self.push_inline(i))
            }
        }
    }

    /// Folds every open HTML inline element (their end tags are missing or come later).
    pub(super) fn fold_html_inlines(&mut self) {
        while matches!(self.inlines.last(), Some((InlineFrame::Html { .. }, _, _))) {
            self.fold_html_inline();
        }
    }

    /// A block boundary where no block can begin (inside a Markdown paragraph or a
    /// table cell): a line break, once, after some text.
    fn html_boundary(&mut self) {
        let Some((_, _, content)) = self.inlines.last() else { return };
        if !content.is_empty() && !matches!(content.last(), Some(Inline::LineBreak)) {
            self.push_inline(Inline::LineBreak);
            self.web.after_break = true;
        }
    }

    /// Ends the paragraph or heading an HTML block has open.
    fn html_end_paragraph(&mut self, at: usize) {
        self.fold_html_inlines();
        self.web.after_break = false;
        let figcaption = std::mem::take(&mut self.web.figcaption) && self.last_image_mut().is_some();
        match self.inlines.last() {
            Some((InlineFrame::Paragraph, _, _)) if figcaption => {
                // A figure's caption is its image's: set under it, never parted from it.
                if let Some((_, _, content)) = self.inlines.pop() {
                    let caption =
                        Inline::plain_text(&content).split_whitespace().collect::<Vec<_>>().join(" ");
                    if let Some(img) = self.last_image_mut()
                        && !caption.is_empty()
                    {
                        img.title = Some(caption);
                    }
                }
            }
            Some((InlineFrame::Paragraph, _, _)) => {
                if let Some((_, start, content)) = self.inlines.pop() {
                    self.finish_paragraph(content, start..at.max(start));
                }
            }
            Some((InlineFrame::Heading { .. }, _, _)) => {
                if let Some((InlineFrame::Heading { level, id, lang }, start, content)) = self.inlines.pop() {
                    self.finish_heading(level, content, id, lang, start..at.max(start));
                }
            }
            _ => self.flush_pending_images(),
        }
    }

    /// The image just read: waiting to be set after its paragraph, or the last block set.
    fn last_image_mut(&mut self) -> Option<&mut crate::model::ImageRef> {
        if let Some(Block { kind: BlockKind::Image(img), .. }) = self.pending_images.last_mut() {
            return Some(img);
        }
        match self.blocks.last_mut().and_then(|(_, _, children)| children.last_mut()) {
            Some(Block { kind: BlockKind::Image(img), .. }) => Some(img),
            _ => None,
        }
    }

    /// Closes the block frame opened by the last `<name>` and every frame above it.
    fn html_close_block(&mut self, name: &str, at: usize) {
        let Some(k) = self.web.blocks.iter().rposition(|(n, _)| n == name) else { return };
        // Only HTML's own frames may lie above it: a Markdown list item opened since
        // is closed by Markdown, and the end tag inside it closes nothing.
        let above = self.blocks.len() - 1 - self.web.blocks[k].1;
        if self.web.blocks.len() - 1 - k != above {
            return;
        }
        while self.web.blocks.len() > k {
            let Some((_, index)) = self.web.blocks.pop() else { break };
            while self.blocks.len() > index {
                self.html_pop_block(at);
            }
        }
    }

    fn html_pop_block(&mut self, at: usize) {
        self.html_end_paragraph(at);
        let Some((frame, start, children)) = self.blocks.pop() else { return };
        match frame {
            BlockFrame::Quote => self.push_block(Block::new(BlockKind::Quote(children), start..at)),
            BlockFrame::List { start: first, mut items } => {
                // Blocks met in a list outside any item (text between `<ul>` and `<li>`) are an item.
                if !children.is_empty() {
                    items.push(children);
                }
                if !items.is_empty() {
                    self.push_block(Block::new(BlockKind::List { start: first, items }, start..at));
                }
            }
            BlockFrame::Item => {
                if let Some((BlockFrame::List { items, .. }, _, _)) = self.blocks.last_mut() {
                    items.push(children);
                }
            }
            BlockFrame::Root(label) => self.blocks.push((BlockFrame::Root(label), start, children)),
        }
    }

    fn html_end_cell(&mut self) {
        let Some(t) = &mut self.web.table else { return };
        if t.cell.take().is_none() {
            return;
        }
        self.fold_html_inlines();
        if let Some((InlineFrame::Cell, _, content)) = self.inlines.last() {
            let content = super::trim_inlines(content.clone());
            self.inlines.pop();
            if let Some(t) = &mut self.web.table {
                // A cell spanning columns or rows keeps the cells after and below it in
                // their columns: the columns it covers are left empty.
                let (cols, rows) = std::mem::replace(&mut t.span, (1, 1));
                let first = t.row.len();
                t.row.push(Cell::new(content));
                t.row.extend((1..cols).map(|_| Cell::default()));
                if rows > 1 {
                    if t.covered.len() < first + cols {
                        t.covered.resize(first + cols, 0);
                    }
                    t.covered[first..first + cols].iter_mut().for_each(|n| *n = (*n).max(rows - 1));
                }
            }
        }
    }

    fn html_end_row(&mut self) {
        self.html_end_cell();
        let Some(t) = &mut self.web.table else { return };
        if t.row.is_empty() {
            return;
        }
        t.fill_covered();
        let row = std::mem::take(&mut t.row);
        if (t.in_head || t.row_all_th) && t.header.is_empty() && t.rows.is_empty() {
            t.header = row;
        } else {
            t.rows.push(row);
        }
    }

    /// Ends an open `<table>`: its rows made as long as its longest, the table pushed.
    fn html_end_table(&mut self) {
        self.html_end_row();
        let Some(t) = self.web.table.take() else { return };
        let cols = t.rows.iter().map(Vec::len).chain([t.header.len()]).max().unwrap_or(0);
        if cols == 0 {
            return;
        }
        let pad = |mut row: Vec<Cell>| {
            row.resize_with(cols, Cell::default);
            row
        };
        let blank = |cell: &Cell| Inline::plain_text(&cell.content).trim().is_empty();
        if t.header.iter().chain(t.rows.iter().flatten()).all(blank) {
            // A layout table of spacers (`<td>&nbsp;</td>`): nothing to set.
            return;
        }
        let header = if t.header.is_empty() { Vec::new() } else { pad(t.header) };
        let rows: Vec<Vec<Cell>> = t.rows.into_iter().map(pad).collect();
        let table = Table { aligns: vec![Align::None; cols], header, rows };
        self.push_block(Block::new(BlockKind::Table(table), t.at..t.at));
        self.flush_pending_images();
    }

    /// The end of an HTML block (a blank line, for most): its paragraph ends; a quote,
    /// list or table it opened stays open for the HTML blocks after it, as in a browser.
    pub(super) fn html_block_end(&mut self, at: usize) {
        self.html_end_paragraph(at);
        if let Some((code, start)) = self.web.pre.take()
            && !code.trim().is_empty()
        {
            self.push_block(Block::new(BlockKind::Code(code.trim_matches('\n').to_string()), start..at));
        }
    }

    /// Markdown begins a block: a table HTML left open ends before it.
    pub(super) fn html_before_markdown_block(&mut self) {
        if self.web.table.is_some() {
            self.html_end_table();
        }
    }

    /// A Markdown container ends: the quotes and lists HTML opened inside it end first.
    pub(super) fn html_close_inner_blocks(&mut self, at: usize) {
        self.html_end_table();
        while let Some(&(_, index)) = self.web.blocks.last() {
            if index + 1 < self.blocks.len() {
                break;
            }
            self.web.blocks.pop();
            while self.blocks.len() > index {
                self.html_pop_block(at);
            }
        }
    }

    /// The statement ends: whatever HTML left open ends with it.
    pub(super) fn html_close_all(&mut self, at: usize) {
        self.html_end_paragraph(at);
        self.html_end_table();
        while let Some((_, index)) = self.web.blocks.pop() {
            while self.blocks.len() > index {
                self.html_pop_block(at);
            }
        }
    }

    /// One warning per kind of dropped content and per unknown tag, naming every line.
    pub(super) fn html_report(&mut self) {
        if let Some(at) = self.web.comment.take() {
            self.warn(
                at,
                "this HTML comment (`<!--`) is never closed: everything after it was left out",
                Some("close it with `-->`, or delete it"),
            );
        }
        if let Some((name, _, at)) = self.web.dropping.take() {
            self.warn(
                at,
                format!("`<{name}>` is never closed: everything after it was left out as its content"),
                Some(&format!("close it with `</{name}>`, or delete it")),
            );
        }
        let lines = |this: &Self, offsets: &[usize]| -> String {
            let mut lines: Vec<usize> =
                offsets.iter().map(|&o| crate::diag::line_col(this.source, o).0).collect();
            lines.dedup();
            if lines.len() == 1 {
                String::new()
            } else {
                let list: Vec<String> = lines.iter().map(usize::to_string).collect();
                format!(" ({} times, lines {})", offsets.len(), list.join(", "))
            }
        };
        let mut found = Vec::new();
        if let Some(at) = self.web.too_deep.take() {
            found.push((
                at,
                format!("HTML tags are nested more than {} levels deep: the deeper ones are dropped, their text kept", super::MAX_DEPTH),
                "flatten the markup; nothing printed needs that depth",
            ));
        }
        for (kind, offsets) in std::mem::take(&mut self.web.dropped) {
            let seen = lines(self, &offsets);
            found.push((
                offsets[0],
                format!("{kind} dropped{seen}: active web content is never printed"),
                "nothing to do unless it carried text the statement needs; then write that text in Markdown",
            ));
        }
        for (name, offsets) in std::mem::take(&mut self.web.unknown) {
            let seen = lines(self, &offsets);
            found.push((
                offsets[0],
                format!("HTML tag `<{name}>` is not understood: its text is kept, the tag dropped{seen}"),
                "write the formatting in Markdown; samizdat reads b, i, sup, sub, a, span lang, p, lists, tables",
            ));
        }
        found.sort_by_key(|f| f.0);
        for (at, message, hint) in found {
            self.warn(at, message, Some(hint));
        }
    }
}
