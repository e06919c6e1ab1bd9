//! Markdown → [`Document`]. CommonMark with footnotes, GFM tables and heading
//! attributes (pulldown-cmark), plus front matter (`---` YAML-like `key: value`
//! lines or `+++` TOML). Source byte ranges are kept on every block so
//! diagnostics point at `file:line:column`.
//!
//! The parser is forgiving: it always returns a document, and reports what it
//! had to repair (unmatched emphasis markers, images without alt text, raw
//! HTML rendered as text) as warnings.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd,
};

use crate::diag::{Diagnostic, Diagnostics, Location};

mod html;
mod pandoc;

use crate::model::{
    Align, Block, BlockKind, Cell, Date, Document, Footnote, ImageRef, Inline, Lang, Span, Table,
};
/// Character references (`&amp;`, `&laquo;`, `&#xAB;`) decoded, for readers
/// of markup other than the Markdown's (the EPUB's own XHTML).
pub(crate) use html::decode as decode_references;

/// Deepest nesting of lists and block quotes accepted. Real statements nest two
/// or three levels; the limit keeps every later recursive pass (layout, EPUB)
/// far from the stack limit on hostile input.
pub const MAX_DEPTH: usize = 32;

/// Facts about a statement known before parsing: its path for messages, the
/// folder its images are relative to, and what the manifest says of it.
#[derive(Debug, Clone)]
pub struct SourceInfo<'a> {
    /// The path shown in messages (relative to the book root).
    pub display: &'a Path,
    /// The folder that image paths are resolved against.
    pub base_dir: &'a Path,
    /// The manifest entry's `title`, which overrides the statement's own.
    pub title: Option<&'a str>,
    /// The manifest entry's `running-head`, which overrides the front matter's `short-title`.
    pub running_head: Option<&'a str>,
    /// The manifest entry's `lang`, used when the front matter names none.
    pub lang: Option<Lang>,
    /// The book's `language`: the statement's when neither names one and its
    /// text cannot tell.
    pub book_lang: Lang,
}

impl<'a> SourceInfo<'a> {
    /// A statement the manifest says nothing about, in a Russian book.
    pub fn new(display: &'a Path, base_dir: &'a Path) -> SourceInfo<'a> {
        SourceInfo {
            display,
            base_dir,
            title: None,
            running_head: None,
            lang: None,
            book_lang: Lang::default(),
        }
    }
}

/// Front matter fields samizdat understands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    /// `title`
    pub title: Option<String>,
    /// `short-title` (or `running-head`): the running head
    pub short_title: Option<String>,
    /// `date`, checked
    pub date: Option<Date>,
    /// `author`
    pub author: Option<String>,
    /// `place`
    pub place: Option<String>,
    /// `lang`
    pub lang: Option<Lang>,
}

/// The text in Unicode's composed form (NFC). macOS and some web exports write
/// Cyrillic decomposed (`и` + U+0306 for `й`): fonts, hyphenation and searches
/// expect the composed letter, and the combining mark alone would be reported
/// as a character no font can draw.
pub fn composed(text: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    // Text of letters that never compose (ASCII, Latin-1, Cyrillic, general
    // punctuation), as nearly every statement is, is composed already; the
    // general check costs a table lookup per character.
    let plain =
        |c: char| matches!(c as u32, 0..=0x2FF | 0x400..=0x482 | 0x48A..=0x4FF | 0x2000..=0x206F | 0x2116);
    if text.chars().all(plain) {
        return text;
    }
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text,
        _ => text.nfc().collect(),
    }
}

/// Parses one statement. Always returns a document (the title falls back to
/// the file stem); problems are reported in the diagnostics.
pub fn parse(source: &str, info: &SourceInfo<'_>) -> (Document, Diagnostics) {
    // Fenced divs are Pandoc's, not CommonMark's: their fence lines are found and
    // blanked first (offsets unchanged), the blocks inside marked after parsing.
    let (source, divs, unclosed) = pandoc::fenced_divs(source);
    let source: &str = &source;
    let mut b = Builder::new(source, info);
    b.divs = (divs, unclosed);
    let options = Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    for (event, range) in Parser::new_ext(source, options).into_offset_iter() {
        b.event(event, range);
    }
    b.finish()
}

/// Makes `title` the document's title, inserting a level-1 heading after any
/// leading images when the statement has none, so that both outputs show it.
pub fn set_title(doc: &mut Document, title: &str) {
    doc.title = title.to_string();
    let has_h1 = doc.blocks.iter().any(|b| matches!(b.kind, BlockKind::Heading { level: 1, .. }));
    if has_h1 {
        return;
    }
    let at = doc.blocks.iter().take_while(|b| matches!(b.kind, BlockKind::Image(_))).count();
    let span = doc.blocks.get(at).map_or(0..0, |b| b.span.start..b.span.start);
    doc.blocks.insert(
        at,
        Block::new(
            BlockKind::Heading {
                level: 1,
                content: vec![Inline::Text(title.to_string())],
                id: None,
                lang_attr: None,
            },
            span,
        ),
    );
}

/// A table being filled: column alignments, header cells, finished rows, the
/// row being filled, and whether the header row is still open.
type TableState = (Vec<Align>, Vec<Cell>, Vec<Vec<Cell>>, Vec<Cell>, bool);

/// A container of blocks being filled.
enum BlockFrame {
    /// The document body or a footnote definition (label).
    Root(Option<String>),
    Quote,
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Item,
}

/// The inline styles Markdown and HTML share (`*x*` and `<i>`, `~~x~~` and `<s>`, …).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Styled {
    Emph,
    Strong,
    Strike,
    Sup,
    Sub,
}

impl Styled {
    /// The inline of this style around `content`.
    fn wrap(self, content: Vec<Inline>) -> Inline {
        match self {
            Styled::Emph => Inline::Emph(content),
            Styled::Strong => Inline::Strong(content),
            Styled::Strike => Inline::Strike(content),
            Styled::Sup => Inline::Sup(content),
            Styled::Sub => Inline::Sub(content),
        }
    }
}

/// A container of inlines being filled.
enum InlineFrame {
    Paragraph,
    Heading {
        level: u8,
        id: Option<String>,
        lang: Option<Lang>,
    },
    Styled(Styled),
    /// An element of inline HTML (`<b>`, `<sup>`, `<a href>`); `name` is its tag.
    Html {
        name: String,
        kind: html::HtmlInline,
    },
    Link(String),
    Image {
        src: String,
        title: String,
    },
    Cell,
}

struct Builder<'s> {
    source: &'s str,
    info: SourceInfo<'s>,
    diags: Diagnostics,
    front: FrontMatter,
    /// Open block containers with their start offset and finished children.
    blocks: Vec<(BlockFrame, usize, Vec<Block>)>,
    /// Open inline containers with their start offset and content.
    inlines: Vec<(InlineFrame, usize, Vec<Inline>)>,
    /// Images found inside a paragraph, emitted as blocks after it.
    pending_images: Vec<Block>,
    table: Option<TableState>,
    code: Option<String>,
    /// The pieces of an HTML block being read, each with its offset in the source.
    html: Option<Vec<(String, usize)>>,
    /// HTML across the statement: active content being dropped, what was dropped.
    web: html::Web,
    /// Pandoc's fenced divs, and the offsets of those never closed.
    divs: (Vec<pandoc::Div>, Vec<usize>),
    /// Where the image that just ended ends: `{width=50%}` may follow it.
    image_end: Option<usize>,
    /// Notes written in place (`^[…]`) were read: notes are numbered again in reading order.
    inline_notes: bool,
    /// The code block being read was indented, not fenced.
    code_indented: bool,
    /// Markdown containers opened inside dropped content (a script's `* {…}`), whose ends
    /// are dropped too.
    dropped_open: usize,
    metadata: Option<(MetadataBlockKind, String)>,
    /// A front matter block was read.
    front_seen: bool,
    footnote_numbers: BTreeMap<String, u32>,
    footnote_defs: BTreeMap<String, Vec<Block>>,
    /// Source ranges of running text, merged where they touch: a reference to
    /// an undefined note (`[^x]`) arrives as text split into pieces.
    text_ranges: Vec<Span>,
    depth_error: bool,
    /// Nesting depth of skipped containers while over the depth limit.
    skipping: usize,
    /// A run of unmatched emphasis delimiters: character, start offset, length.
    markers: Option<(char, usize, usize)>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s str, info: &SourceInfo<'s>) -> Builder<'s> {
        Builder {
            source,
            info: info.clone(),
            diags: Diagnostics::new(),
            front: FrontMatter::default(),
            blocks: vec![(BlockFrame::Root(None), 0, Vec::new())],
            inlines: Vec::new(),
            pending_images: Vec::new(),
            table: None,
            code: None,
            html: None,
            web: html::Web::default(),
            divs: (Vec::new(), Vec::new()),
            image_end: None,
            inline_notes: false,
            dropped_open: 0,
            code_indented: false,
            metadata: None,
            front_seen: false,
            footnote_numbers: BTreeMap::new(),
            footnote_defs: BTreeMap::new(),
            text_ranges: Vec::new(),
            depth_error: false,
            skipping: 0,
            markers: None,
        }
    }

    /// An error at `offset` with its hint.
    fn error(&mut self, offset: usize, message: impl Into<String>, hint: impl Into<String>) {
        let d = self.diags.error_at(self.info.display, self.source, offset, message);
        d.hint = Some(hint.into());
    }

    fn warn(&mut self, offset: usize, message: impl Into<String>, hint: Option<&str>) {
        let d = self.diags.warn_at(self.info.display, self.source, offset, message);
        if let Some(h) = hint {
            d.hint = Some(h.to_string());
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        if let Some((_, _, content)) = self.inlines.last_mut() {
            content.push(inline);
        } else {
            // Loose inline outside any paragraph (e.g. in a tight list item): wrap it.
            self.inlines.push((InlineFrame::Paragraph, 0, vec![inline]));
        }
    }

    fn push_block(&mut self, block: Block) {
        if let Some((_, _, children)) = self.blocks.last_mut() {
            children.push(block);
        }
    }

    /// Closes a paragraph implicitly opened for loose inlines of a tight list item.
    fn flush_loose(&mut self, end: usize) {
        if matches!(self.inlines.last(), Some((InlineFrame::Paragraph, _, _)))
            && self.inlines.len() == 1
            && let Some((_, start, content)) = self.inlines.pop()
        {
            let start = if start == 0 { end } else { start };
            self.finish_paragraph(content, start..end);
        }
    }

    fn finish_paragraph(&mut self, content: Vec<Inline>, span: Span) {
        let content = trim_inlines(content);
        if !content.is_empty() {
            self.push_block(Block::new(BlockKind::Paragraph(content), span));
        }
        self.flush_pending_images();
    }

    /// A heading ends: set unless empty, with the images found in it after it.
    fn finish_heading(
        &mut self,
        level: u8,
        content: Vec<Inline>,
        id: Option<String>,
        lang_attr: Option<Lang>,
        span: Span,
    ) {
        let content = trim_inlines(content);
        if !content.is_empty() {
            self.push_block(Block::new(BlockKind::Heading { level, content, id, lang_attr }, span));
        }
        self.flush_pending_images();
    }

    /// The images found inside a paragraph, heading or table, set as blocks after it.
    fn flush_pending_images(&mut self) {
        for img in std::mem::take(&mut self.pending_images) {
            self.push_block(img);
        }
    }

    fn depth(&self) -> usize {
        self.blocks
            .iter()
            .filter(|(f, _, _)| matches!(f, BlockFrame::Quote | BlockFrame::List { .. }))
            .count()
    }

    fn event(&mut self, event: Event<'_>, range: Span) {
        if self.skipping > 0 {
            match event {
                Event::Start(Tag::BlockQuote(_) | Tag::List(_)) => self.skipping += 1,
                Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_)) => self.skipping -= 1,
                _ => {}
            }
            return;
        }
        // Inside a script, a style or a comment left open by HTML, what follows is theirs
        // up to the element's end tag (or `-->`), blank lines and Markdown syntax included:
        // its text is dropped, and so are the lists, quotes, links and code it would make
        // (their ends too, counted). Paragraphs and headings stay, empty, to keep the
        // structure around; empty ones are never set.
        let dropping = self.web.dropping();
        if dropping || self.dropped_open > 0 {
            match &event {
                Event::Start(Tag::HtmlBlock | Tag::Paragraph | Tag::Heading { .. })
                | Event::End(TagEnd::HtmlBlock | TagEnd::Paragraph | TagEnd::Heading(_))
                | Event::Html(_)
                | Event::InlineHtml(_) => {}
                Event::Start(_) if dropping => {
                    self.dropped_open += 1;
                    return;
                }
                Event::End(_) if self.dropped_open > 0 => {
                    self.dropped_open -= 1;
                    return;
                }
                Event::Start(_) | Event::End(_) => {}
                Event::Text(text) if self.web.in_comment() && self.html.is_none() => {
                    if let Some(rest) = self.after_comment(text).map(str::to_owned)
                        && !rest.is_empty()
                    {
                        self.push_inline(Inline::Text(rest));
                    }
                    return;
                }
                _ if dropping && self.html.is_none() => return,
                _ => {}
            }
        }
        if !matches!(event, Event::Text(_)) {
            self.flush_markers();
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => {
                if let Some(code) = &mut self.code {
                    code.push_str(&text);
                } else if let Some((_, buf)) = &mut self.metadata {
                    buf.push_str(&text);
                } else if let Some(pieces) = &mut self.html {
                    pieces.push((text.to_string(), range.start));
                } else {
                    match self.text_ranges.last_mut() {
                        Some(last) if last.end == range.start => last.end = range.end,
                        _ => self.text_ranges.push(range.clone()),
                    }
                    let raw = self.source.get(range.clone()).unwrap_or("");
                    let took = if self.image_end.take() == Some(range.start) && raw.starts_with('{') {
                        self.image_attrs(raw, range.start)
                    } else {
                        0
                    };
                    match text.get(took..) {
                        Some(rest) if took > 0 => {
                            if !rest.is_empty() {
                                self.text(rest, range.start + took..range.end);
                            }
                        }
                        _ => self.text(&text, range),
                    }
                }
            }
            Event::Code(code) => self.push_inline(Inline::Code(code.to_string())),
            Event::InlineMath(m) | Event::DisplayMath(m) => self.push_inline(Inline::Text(m.to_string())),
            Event::Html(html) => {
                if let Some(pieces) = &mut self.html {
                    pieces.push((html.to_string(), range.start));
                }
            }
            Event::InlineHtml(html) => self.html(&html, html::Context::Inline, &|o| range.start + o),
            Event::FootnoteReference(label) => {
                let next = self.footnote_numbers.len() as u32 + 1;
                let n = *self.footnote_numbers.entry(label.to_string()).or_insert(next);
                self.push_inline(Inline::FootnoteRef(n));
            }
            Event::SoftBreak => self.push_inline(Inline::Text(" ".into())),
            Event::HardBreak => self.push_inline(Inline::LineBreak),
            Event::Rule => self.push_block(Block::new(BlockKind::Rule, range)),
            Event::TaskListMarker(done) => {
                self.push_inline(Inline::Text(if done { "☑ " } else { "☐ " }.into()))
            }
        }
    }

    /// Emphasis delimiters that pulldown-cmark left unmatched arrive as separate
    /// one-character text events (`*`, `*`). Runs of them are collected here and
    /// judged when the run ends: `**` or `__` is an editing slip (reported and left
    /// out), a single `*` is reported and kept.
    fn flush_markers(&mut self) {
        let Some((c, start, len)) = self.markers.take() else { return };
        let marker: String = std::iter::repeat_n(c, len).collect();
        if len >= 2 {
            self.warn(
                start,
                format!("unmatched `{marker}`: the emphasis is never closed, so the marker is left out"),
                Some(&format!("close it with a second `{marker}`, or write `\\{c}` for a literal character")),
            );
        } else {
            self.warn(
                start,
                format!("unmatched `{marker}` is printed as is"),
                Some(&format!("close the emphasis, or write `\\{c}` for a literal character")),
            );
            self.push_inline(Inline::Text(marker));
        }
    }

    /// Plain text: checks for emphasis markers that pulldown-cmark left unmatched.
    fn text(&mut self, text: &str, range: Span) {
        let raw = self.source.get(range.clone()).unwrap_or("");
        if (raw == "*" || raw == "_") && text == raw {
            let c = if raw == "*" { '*' } else { '_' };
            match &mut self.markers {
                Some((mc, start, len)) if *mc == c && *start + *len == range.start => *len += 1,
                _ => {
                    self.flush_markers();
                    self.markers = Some((c, range.start, 1));
                }
            }
            return;
        }
        self.flush_markers();
        let mut out = text.to_string();
        if !raw.starts_with('\\') {
            for marker in ["**", "__"] {
                // A byte search first: most text has no `*` or `_` at all, and a
                // substring search over every text was 0.8 % of a volume's build.
                if !raw.as_bytes().contains(&marker.as_bytes()[0]) {
                    continue;
                }
                if let Some(pos) = raw.find(marker) {
                    self.warn(
                        range.start + pos,
                        format!(
                            "unmatched `{marker}`: the emphasis is never closed, so the marker is left out"
                        ),
                        Some(&format!(
                            "close it with a second `{marker}`, or write `\\{}` for a literal character",
                            &marker[..1]
                        )),
                    );
                    out = out.replace(marker, "");
                }
            }
        }
        if !out.is_empty() {
            self.push_inline(Inline::Text(out));
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Span) {
        if matches!(
            tag,
            Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::CodeBlock(_)
                | Tag::Table(_)
                | Tag::FootnoteDefinition(_)
        ) {
            self.html_before_markdown_block();
        }
        match tag {
            Tag::Paragraph => self.inlines.push((InlineFrame::Paragraph, range.start, Vec::new())),
            Tag::Heading { level, id, attrs, classes: _ } => {
                let mut lang = None;
                for (k, v) in &attrs {
                    if k.as_ref() == "lang" {
                        let v = v.as_deref().unwrap_or("");
                        lang = Lang::from_tag(v);
                        if lang.is_none() {
                            self.warn(
                                range.start,
                                format!("unknown language `{v}` in heading attributes"),
                                Some(&Lang::hint()),
                            );
                        }
                    }
                }
                let level = heading_level(level);
                self.inlines.push((
                    InlineFrame::Heading { level, id: id.map(|s| s.to_string()), lang },
                    range.start,
                    Vec::new(),
                ));
            }
            Tag::BlockQuote(_) | Tag::List(_) if self.depth() >= MAX_DEPTH => {
                if !self.depth_error {
                    self.depth_error = true;
                    self.error(
                        range.start,
                        format!("lists and block quotes are nested more than {MAX_DEPTH} levels deep"),
                        "flatten the structure; deeper nesting cannot be printed legibly",
                    );
                }
                self.skipping = 1;
            }
            Tag::BlockQuote(_) => {
                self.flush_loose(range.start);
                self.blocks.push((BlockFrame::Quote, range.start, Vec::new()));
            }
            Tag::List(start) => {
                self.flush_loose(range.start);
                self.blocks.push((BlockFrame::List { start, items: Vec::new() }, range.start, Vec::new()));
            }
            Tag::Item => self.blocks.push((BlockFrame::Item, range.start, Vec::new())),
            Tag::FootnoteDefinition(label) => {
                self.blocks.push((BlockFrame::Root(Some(label.to_string())), range.start, Vec::new()))
            }
            Tag::CodeBlock(kind) => {
                self.code_indented = matches!(kind, CodeBlockKind::Indented);
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => self.html = Some(Vec::new()),
            Tag::MetadataBlock(kind) => self.metadata = Some((kind, String::new())),
            Tag::Table(aligns) => {
                let aligns = aligns
                    .iter()
                    .map(|a| match a {
                        Alignment::None => Align::None,
                        Alignment::Left => Align::Left,
                        Alignment::Center => Align::Center,
                        Alignment::Right => Align::Right,
                    })
                    .collect();
                self.table = Some((aligns, Vec::new(), Vec::new(), Vec::new(), false));
            }
            Tag::TableHead => {
                if let Some(t) = &mut self.table {
                    t.4 = true;
                }
            }
            Tag::TableRow => {
                if let Some(t) = &mut self.table {
                    t.3.clear();
                }
            }
            Tag::TableCell => self.inlines.push((InlineFrame::Cell, range.start, Vec::new())),
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Superscript | Tag::Subscript => {
                let style = match tag {
                    Tag::Emphasis => Styled::Emph,
                    Tag::Strong => Styled::Strong,
                    Tag::Strikethrough => Styled::Strike,
                    Tag::Superscript => Styled::Sup,
                    _ => Styled::Sub,
                };
                self.inlines.push((InlineFrame::Styled(style), range.start, Vec::new()))
            }
            Tag::Link { dest_url, .. } => {
                self.inlines.push((InlineFrame::Link(dest_url.to_string()), range.start, Vec::new()))
            }
            Tag::Image { dest_url, title, .. } => self.inlines.push((
                InlineFrame::Image { src: dest_url.to_string(), title: title.to_string() },
                range.start,
                Vec::new(),
            )),
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: Span) {
        // HTML elements still open when a Markdown element ends end with it.
        self.fold_html_inlines();
        if matches!(tag, TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::List(_) | TagEnd::FootnoteDefinition)
        {
            self.html_close_inner_blocks(range.end);
        }
        match tag {
            TagEnd::Paragraph => {
                if let Some((_, start, content)) = self.inlines.pop() {
                    self.finish_paragraph(content, start..range.end);
                }
            }
            TagEnd::Heading(_) => {
                if let Some((InlineFrame::Heading { level, mut id, mut lang }, start, mut content)) =
                    self.inlines.pop()
                {
                    // `## Призыв [біз біргеміз]{lang=kk}`: braces right after a bracket are the
                    // span's attributes, as in Pandoc, not the heading's.
                    let source = self.source.get(start..range.end).unwrap_or("").trim_end();
                    if source.ends_with('}')
                        && let Some(open) = source.rfind('{')
                        && source[..open].ends_with(']')
                    {
                        content.push(Inline::Text(source[open..].to_string()));
                        (id, lang) = (None, None);
                    }
                    self.finish_heading(level, content, id, lang, start..range.end);
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush_loose(range.end);
                if let Some((_, start, children)) = self.blocks.pop() {
                    self.push_block(Block::new(BlockKind::Quote(children), start..range.end));
                }
            }
            TagEnd::Item => {
                self.flush_loose(range.end);
                if let Some((_, _, children)) = self.blocks.pop()
                    && let Some((BlockFrame::List { items, .. }, _, _)) = self.blocks.last_mut()
                {
                    items.push(children);
                }
            }
            TagEnd::List(_) => {
                if let Some((BlockFrame::List { start: first, items }, start, _)) = self.blocks.pop() {
                    self.push_block(Block::new(BlockKind::List { start: first, items }, start..range.end));
                }
            }
            TagEnd::FootnoteDefinition => {
                self.flush_loose(range.end);
                if let Some((BlockFrame::Root(Some(label)), start, children)) = self.blocks.pop() {
                    // A second definition of a label: its text is kept, after the first's.
                    if self.footnote_defs.contains_key(&label) {
                        self.warn(
                            start,
                            format!("footnote `[^{label}]` is defined twice; both texts are printed as one note"),
                            Some("give the second note a label of its own, e.g. `[^2]`, and call it where it belongs"),
                        );
                    }
                    self.footnote_defs.entry(label).or_default().extend(children);
                }
            }
            TagEnd::CodeBlock => {
                if let Some(code) = self.code.take() {
                    // In a web export, HTML indented by its pretty-printer after a blank line
                    // is no code sample: CommonMark reads it as an indented code block.
                    if self.code_indented && self.web.seen_block_html() && html::starts_with_element(&code) {
                        let start = range.start;
                        self.html(&code, html::Context::Block, &|o| start + o);
                        self.html_block_end(range.end);
                        return;
                    }
                    let code = code.trim_end_matches('\n').to_string();
                    self.push_block(Block::new(BlockKind::Code(code), range));
                }
            }
            TagEnd::HtmlBlock => {
                if let Some(pieces) = self.html.take() {
                    // The block's lines as one text, each piece's place in the source kept.
                    let mut text = String::new();
                    let mut starts = Vec::with_capacity(pieces.len());
                    for (piece, at) in &pieces {
                        starts.push((text.len(), *at));
                        text.push_str(piece);
                    }
                    let offset = |o: usize| {
                        let k = starts.partition_point(|&(from, _)| from <= o).saturating_sub(1);
                        starts.get(k).map_or(range.start, |&(from, at)| at + (o - from))
                    };
                    self.web.block_html_seen();
                    self.html(&text, html::Context::Block, &offset);
                    self.html_block_end(range.end);
                }
            }
            TagEnd::MetadataBlock(_) => {
                if let Some((kind, text)) = self.metadata.take() {
                    self.front_seen = true;
                    self.front_matter(kind, &text, range);
                }
            }
            TagEnd::Table => {
                if let Some((aligns, header, rows, _, _)) = self.table.take() {
                    self.push_block(Block::new(BlockKind::Table(Table { aligns, header, rows }), range));
                }
                // Cells hold text only: an image in a cell is set right after its table.
                for img in std::mem::take(&mut self.pending_images) {
                    if let BlockKind::Image(i) = &img.kind {
                        let src = i.src.clone();
                        self.warn(
                            img.span.start,
                            format!("image `{src}` is in a table cell; it is set after the table"),
                            Some("move the image out of the table, with its caption as the image's title"),
                        );
                    }
                    self.push_block(img);
                }
            }
            TagEnd::TableHead => {
                if let Some(t) = &mut self.table {
                    t.1 = std::mem::take(&mut t.3);
                    t.4 = false;
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.3);
                    t.2.push(row);
                }
            }
            TagEnd::TableCell => {
                if let Some((_, _, content)) = self.inlines.pop()
                    && let Some(t) = &mut self.table
                {
                    t.3.push(Cell::new(trim_inlines(content)));
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {
                if let Some((frame, _, content)) = self.inlines.pop() {
                    match frame {
                        InlineFrame::Styled(style) => self.push_inline(style.wrap(content)),
                        _ => content.into_iter().for_each(|i| self.push_inline(i)),
                    }
                }
            }
            TagEnd::Link => {
                if let Some((InlineFrame::Link(url), _, content)) = self.inlines.pop() {
                    // A linked image (`[![…](a.jpg)](big.jpg)`) leaves the link with no text:
                    // the image is set on its own, and the address would be a stray line.
                    if Inline::plain_text(&content).trim().is_empty() && !self.pending_images.is_empty() {
                        content.into_iter().for_each(|i| self.push_inline(i));
                    } else {
                        self.push_inline(Inline::Link { url, content });
                    }
                }
            }
            TagEnd::Image => {
                if let Some((InlineFrame::Image { src, title }, start, alt)) = self.inlines.pop() {
                    self.image(src, title, Inline::plain_text(&alt), start..range.end);
                    self.image_end = Some(range.end);
                }
            }
            TagEnd::DefinitionList | TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {}
        }
    }

    /// Warns at each `[^label]` left in the running text because no note of
    /// that label is defined (pulldown-cmark then keeps it as text, so it is printed).
    fn undefined_calls(&mut self) {
        let mut found = Vec::new();
        for range in &self.text_ranges {
            let Some(raw) = self.source.get(range.clone()) else { continue };
            let mut from = 0;
            while let Some(i) = raw[from..].find("[^") {
                let at = from + i;
                from = at + 2;
                let Some(len) = raw[at + 2..].find(']') else { break };
                let label = &raw[at + 2..at + 2 + len];
                let defined =
                    self.footnote_defs.contains_key(label) || self.footnote_numbers.contains_key(label);
                if !label.is_empty() && !label.contains(char::is_whitespace) && !defined {
                    found.push((range.start + at, label.to_owned()));
                }
            }
        }
        for (at, label) in found {
            self.warn(
                at,
                format!("footnote `[^{label}]` is called but never defined; the call is printed as text"),
                Some(&format!("add the note on a line of its own: `[^{label}]: text of the note`")),
            );
        }
    }

    fn image(&mut self, src: String, title: String, alt: String, span: Span) {
        let alt = alt.trim().to_string();
        if alt.is_empty() {
            self.warn(
                span.start,
                format!("image `{src}` has no alt text"),
                Some("describe the picture for readers who cannot see it: `![A crowd at the gate](img/photo.jpg)`"),
            );
        }
        let decoded = percent_decode(&src);
        let path = self.info.base_dir.join(&decoded);
        let title = if title.trim().is_empty() { None } else { Some(title) };
        // The path's own place inside the image's span (a reference-style image keeps the span's start).
        let src_at = self
            .source
            .get(span.clone())
            .and_then(|s| s.find(&format!("]({src}")))
            .map_or(span.start, |i| span.start + i + 2);
        self.pending_images.push(Block::new(
            BlockKind::Image(ImageRef {
                src,
                path,
                alt,
                title,
                width: None,
                src_at,
                missing: false,
                decorative: false,
            }),
            span,
        ));
    }

    fn front_matter(&mut self, kind: MetadataBlockKind, text: &str, range: Span) {
        // The block's text starts after the opening fence line.
        let body_start = self.source[range.clone()].find('\n').map_or(range.start, |i| range.start + i + 1);
        let entries = match kind {
            MetadataBlockKind::YamlStyle => self.yaml_entries(text, body_start),
            MetadataBlockKind::PlusesStyle => self.toml_entries(text, body_start),
        };
        let mut fm = FrontMatter::default();
        for (key, value, at) in entries {
            match key.as_str() {
                "title" => fm.title = Some(value),
                "short-title" | "short_title" | "running-head" | "running_head" => {
                    fm.short_title = Some(value)
                }
                "date" => match Date::parse(&value) {
                    Ok(date) => fm.date = Some(date),
                    Err(e) => {
                        self.error(at, e.message, e.hint);
                    }
                },
                "author" | "authors" => fm.author = Some(value),
                "place" | "city" => fm.place = Some(value),
                "lang" | "language" => match Lang::from_tag(&value) {
                    Some(l) => fm.lang = Some(l),
                    None => {
                        let d = self.diags.warn_at(
                            self.info.display,
                            self.source,
                            at,
                            format!("unknown language `{value}`"),
                        );
                        d.hint = Some(Lang::hint());
                    }
                },
                _ => {
                    let d = self.diags.warn_at(
                        self.info.display,
                        self.source,
                        at,
                        format!("unknown front matter key `{key}` is ignored"),
                    );
                    d.hint = Some("samizdat reads `title`, `date`, `author`, `place` and `lang`".into());
                }
            }
        }
        self.front = fm;
    }

    /// `key: value` lines of a `---` block, each with the offset of its value.
    /// A line that is not such is an error at its line: its content would be lost.
    fn yaml_entries(&mut self, text: &str, body_start: usize) -> Vec<(String, String, usize)> {
        let mut out = Vec::new();
        let mut offset = body_start;
        for line in text.split_inclusive('\n') {
            let here = offset;
            offset += line.len();
            let line_trim = line.trim();
            if line_trim.is_empty() || line_trim.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line_trim.split_once(':') else {
                self.error(
                    here,
                    format!("front matter line `{line_trim}` is not `key: value`"),
                    "front matter lines look like `title: My statement`",
                );
                continue;
            };
            let at = here + line.find(value.trim()).unwrap_or(0);
            out.push((key.trim().to_owned(), unquote(value.trim()), at));
        }
        out
    }

    /// The keys of a `+++` block, which is TOML: a block that is not valid TOML
    /// is an error at the place the TOML parser names.
    fn toml_entries(&mut self, text: &str, body_start: usize) -> Vec<(String, String, usize)> {
        use toml::de::{DeTable, DeValue};
        let table = match DeTable::parse(text) {
            Ok(t) => t,
            Err(e) => {
                let at = body_start + e.span().map_or(0, |s| s.start);
                let first = e.message().lines().next().unwrap_or("invalid TOML").to_owned();
                self.error(at, format!("the `+++` front matter is not valid TOML: {first}"), "write `key = \"value\"` lines, e.g. `title = \"Заявление\"`, or use `---` with `key: value`");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (key, value) in table.get_ref() {
            let at = body_start + value.span().start;
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Datetime(d) => d.to_string(),
                _ => {
                    self.error(
                        at,
                        format!("front matter `{}` must be text", key.get_ref()),
                        format!("write it in quotes: {} = \"…\"", key.get_ref()),
                    );
                    continue;
                }
            };
            out.push((key.get_ref().to_string(), text, at));
        }
        out.sort_by_key(|e| e.2);
        out
    }

    /// An error when the file opens a front matter block (`---` or `+++` on its
    /// first line, then `key: value` lines) that is never closed: its lines would
    /// be printed as text and the title, date and language lost.
    fn unclosed_front_matter(&mut self) {
        if self.front_seen {
            return;
        }
        let mut lines = self.source.lines();
        let fence = match lines.next().map(str::trim_end) {
            Some(f @ ("---" | "+++")) => f,
            _ => return,
        };
        let sep = if fence == "---" { ':' } else { '=' };
        let looks_like_keys = lines.next().is_some_and(|l| {
            l.split_once(sep).is_some_and(|(k, _)| !k.trim().is_empty() && !k.trim().contains(' '))
        });
        if looks_like_keys && !self.source.lines().skip(1).any(|l| l.trim_end() == fence) {
            self.error(
                0,
                format!("the front matter opened by `{fence}` on line 1 is never closed"),
                format!("end it with a line `{fence}` after its last `key{sep} value` line"),
            );
        }
    }

    fn finish(mut self) -> (Document, Diagnostics) {
        self.unclosed_front_matter();
        self.flush_markers();
        self.fold_html_inlines();
        self.html_close_all(self.source.len());
        self.html_report();
        let end = self.source.len();
        self.flush_loose(end);
        // Close anything left open by malformed input (pulldown-cmark always balances, this is a guard).
        while let Some((_, start, content)) = self.inlines.pop() {
            self.finish_paragraph(content, start..end);
        }
        while self.blocks.len() > 1 {
            if let Some((_, start, children)) = self.blocks.pop() {
                self.push_block(Block::new(BlockKind::Quote(children), start..end));
            }
        }
        let mut body = self.blocks.pop().map(|(_, _, b)| b).unwrap_or_default();
        self.pandoc_inlines(&mut body);

        let mut numbered: Vec<(u32, String)> =
            self.footnote_numbers.iter().map(|(l, n)| (*n, l.clone())).collect();
        numbered.sort();
        let mut footnotes = Vec::new();
        for (number, label) in numbered {
            match self.footnote_defs.remove(&label) {
                Some(blocks) => footnotes.push(Footnote { number, label, blocks, lang: Lang::default() }),
                None => footnotes.push(Footnote { number, label, blocks: Vec::new(), lang: Lang::default() }),
            }
        }
        self.undefined_calls();
        for label in self.footnote_defs.keys() {
            self.diags.push(
                Diagnostic::warning(
                    Some(Location::file(self.info.display)),
                    format!("footnote `[^{label}]` is defined but never referenced"),
                )
                .with_hint(format!("refer to it in the text with `[^{label}]`, or delete the definition")),
            );
        }

        let first_h1 = body.iter().find_map(|b| match &b.kind {
            BlockKind::Heading { level: 1, content, .. } => {
                Some(Inline::plain_text(content).trim().to_string())
            }
            _ => None,
        });
        let stem =
            self.info.display.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let title = (self.info.title.map(str::to_owned))
            .or(self.front.title.clone())
            .or(first_h1)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| stem.clone());
        let running_head = (self.info.running_head.map(str::to_owned))
            .or(self.front.short_title.clone())
            .filter(|t| !t.trim().is_empty());
        let doc = Document {
            path: self.info.display.to_path_buf(),
            title: title.clone(),
            running_head,
            lang: self.info.book_lang,
            date: self.front.date,
            author: self.front.author.clone(),
            place: self.front.place.clone(),
            slug: slugify(&stem),
            blocks: body,
            footnotes,
        };
        let mut doc = doc;
        let (divs, unclosed) = std::mem::take(&mut self.divs);
        if !divs.is_empty() {
            self.apply_divs(&divs, &mut doc.blocks);
            for note in &mut doc.footnotes {
                self.apply_divs(&divs, &mut note.blocks);
            }
        }
        self.check_divs(&divs, &unclosed);
        if self.inline_notes {
            doc.renumber_notes(false);
        }
        set_title(&mut doc, &title);
        doc.number_blocks();
        doc.resolve_languages(self.front.lang.or(self.info.lang), self.info.book_lang);
        (doc, self.diags)
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Drops leading and trailing whitespace-only text and trims the outer text edges.
fn trim_inlines(mut content: Vec<Inline>) -> Vec<Inline> {
    while matches!(content.first(), Some(Inline::Text(t)) if t.trim().is_empty()) {
        content.remove(0);
    }
    while matches!(content.last(), Some(Inline::Text(t)) if t.trim().is_empty())
        || matches!(content.last(), Some(Inline::LineBreak))
    {
        content.pop();
    }
    if let Some(Inline::Text(t)) = content.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = content.last_mut() {
        *t = t.trim_end().to_string();
    }
    content
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

/// Decodes `%20`-style escapes in an image path; invalid escapes are kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A file-name-safe slug: ASCII letters and digits kept, Cyrillic transliterated
/// is not attempted (file stems are usually ASCII already), everything else `-`.
pub fn slugify(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    // File names hold 255 bytes; a slug goes into `OUTPUT-SLUG-booklet.pdf`.
    while out.len() > MAX_SLUG_BYTES {
        out.pop();
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "statement".to_string() } else { out }
}

/// Longest slug, in bytes: with an output name of at most 100 bytes and the
/// longest suffix, a per-statement file name stays under the 255 bytes file
/// systems allow.
pub const MAX_SLUG_BYTES: usize = 120;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Medium, Table};
    use std::path::PathBuf;

    fn parse_str(src: &str) -> (Document, Diagnostics) {
        let display = PathBuf::from("s.md");
        let base = PathBuf::from("/book");
        parse(src, &SourceInfo::new(&display, &base))
    }

    // The typical website export: image on top, title, wrapped paragraph, escape.
    #[test]
    fn statement_with_image_title_and_escape() {
        let (doc, diags) =
            parse_str("![Плакат](img/a.jpg)\n\n# Заявление\n\nЗарплата выросла\nна 100\\% за год.\n");
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(doc.title, "Заявление");
        assert_eq!(doc.lang, Lang::Ru);
        assert!(
            matches!(&doc.blocks[0].kind, BlockKind::Image(i) if i.alt == "Плакат" && i.path == Path::new("/book/img/a.jpg"))
        );
        assert!(matches!(&doc.blocks[1].kind, BlockKind::Heading { level: 1, .. }));
        let BlockKind::Paragraph(p) = &doc.blocks[2].kind else { panic!("expected a paragraph") };
        assert_eq!(Inline::plain_text(p), "Зарплата выросла на 100% за год.");
    }

    // A stray `**` is reported at its line and column and left out of the text.
    #[test]
    fn unmatched_strong_marker_warns_with_place() {
        let (doc, diags) = parse_str("# T\n\nэто **важно и всё\n");
        let d = diags.iter().next().expect("a warning");
        assert!(d.message.contains("unmatched `**`"), "{d}");
        assert_eq!(d.location.as_ref().map(|l| (l.line, l.column)), Some((3, 5)));
        let BlockKind::Paragraph(p) = &doc.blocks[1].kind else { panic!() };
        assert_eq!(Inline::plain_text(p), "это важно и всё");
    }

    // Footnotes are numbered in order of first call; definitions attach to them.
    #[test]
    fn footnotes_numbered_by_first_call() {
        let (doc, _) = parse_str("# T\n\nA[^b] and B[^a].\n\n[^a]: Second.\n[^b]: First.\n");
        assert_eq!(doc.footnotes.len(), 2);
        assert_eq!(doc.footnotes[0].label, "b");
        assert_eq!(doc.footnotes[0].number, 1);
        assert_eq!(
            Inline::plain_text(match &doc.footnotes[0].blocks[0].kind {
                BlockKind::Paragraph(p) => p,
                _ => panic!(),
            }),
            "First."
        );
    }

    // The HTML of a web export becomes formatting; scripts and their text are
    // dropped with one warning per kind naming every line; no tag is ever text.
    #[test]
    fn web_html_mapped_and_active_content_dropped() {
        let src = "# T\n\n<script>alert(1)</script>\n\nsome <b>bold</b> x<sup>2</sup> <i onclick=\"f()\">it</i><br>\nnext <a href=\"https://e.org\">link</a>\n\n<p class=\"x\">Para &laquo;q&raquo;&nbsp;<blink>b</blink></p>\n\nend <script>var a = \"*x*\";</script> tail\n";
        let (doc, diags) = parse_str(src);
        let all: String = diags.iter().map(|d| format!("{d}\n")).collect();
        assert!(all.contains("s.md:3:1: `<script>` dropped (2 times, lines 3, 10)"), "{all}");
        assert!(all.contains("s.md:5:32: event attribute `onclick` dropped"), "{all}");
        assert!(all.contains("s.md:8:40: HTML tag `<blink>` is not understood"), "{all}");
        let mut text = String::new();
        Block::plain_text_into(&doc.blocks, &mut text);
        assert!(!text.contains('<') && !text.contains("alert") && !text.contains("var a"), "{text}");
        assert!(text.contains("Para «q»\u{a0}b"), "{text:?}");
        assert!(text.split_whitespace().collect::<Vec<_>>().join(" ").contains("end tail"), "{text}");
        let BlockKind::Paragraph(p) = &doc.blocks[1].kind else { panic!("{:?}", doc.blocks) };
        assert!(p.contains(&Inline::Strong(vec![Inline::Text("bold".into())])), "{p:?}");
        assert!(p.contains(&Inline::Sup(vec![Inline::Text("2".into())])), "{p:?}");
        assert!(p.contains(&Inline::Emph(vec![Inline::Text("it".into())])), "{p:?}");
        assert!(p.contains(&Inline::LineBreak), "{p:?}");
        assert!(p.iter().any(|i| matches!(i, Inline::Link { url, .. } if url == "https://e.org")), "{p:?}");
    }

    // Shapes real exports take: pretty-printed HTML after a blank line, Markdown
    // syntax inside a script or style, structures cut by blank lines, block tags
    // inside paragraphs and cells, linked images, figure captions, a comment over a
    // blank line, old entities without `;`, spacer tables and empty formatting.
    #[test]
    fn web_export_shapes() {
        let src = "# T\n\n<div class=\"post\">\n    <p>Один.</p>\n\n    <script>var t = \"UA-1\";</script>\n    <p>Два <b>жирный</b>.</p>\n</div>\n\n\
            Ещё <script>f[0](http://evil.example/y)</script> три.\n\n<div><style>\n.a {}\n\n* { margin: 0 }\n> .b {}\n</style></div>\n\n\
            <blockquote><p>А</p>\n\n<p>Б</p></blockquote>\n\n<table><tr><th>Год</th><th>Число</th></tr>\n\n<tr><td>2024</td><td>41</td></tr></table>\n\n\
            Первый.</p><p>Второй.</p><div>Третий</div>\n\n<table><tr><td><p>о</p><p>д</p></td><td><ul><li>а</li><li>б</li></ul></td></tr></table>\n\n\
            <p><a href=\"https://e.org/big.jpg\"><img src=\"img/x.jpg\" alt=\"Двор\"></a> и <a href=\"https://vk.com/s\"><i class=\"fa\"></i></a>.</p>\n\n\
            <figure><img src=\"img/y.jpg\" alt=\"Сад\" title=\"y.jpg\"><figcaption>Подпись</figcaption></figure>\n\n\
            <p>До</p><!-- начало\n\nСКРЫТО\n\nконец --> после.\n\n<p>&laquoДвор&raquo, 5&nbspкм</p>\n\n<table><tr><td>&nbsp;</td></tr></table>\n\n<p><b> </b></p>\n";
        let (doc, _) = parse_str(src);
        let mut text = String::new();
        Block::plain_text_into(&doc.blocks, &mut text);
        for gone in
            ["UA-1", "evil", "margin", ".b", "СКРЫТО", "начало", "конец", "https://e.org", "vk.com", "<", "&"]
        {
            assert!(!text.contains(gone), "`{gone}` in {text:?}");
        }
        let kinds: Vec<&BlockKind> = doc.blocks.iter().map(|b| &b.kind).collect();
        assert!(
            !kinds.iter().any(|k| matches!(k, BlockKind::Code(_) | BlockKind::List { .. })),
            "{kinds:#?}"
        );
        assert!(kinds.iter().any(|k| matches!(k, BlockKind::Quote(q) if q.len() == 2)), "{kinds:#?}");
        let tables: Vec<&Table> =
            kinds.iter().filter_map(|k| if let BlockKind::Table(t) = k { Some(t) } else { None }).collect();
        assert_eq!(tables.len(), 2, "the spacer table is left out: {kinds:#?}");
        assert_eq!((tables[0].header.len(), tables[0].rows.len()), (2, 1));
        for cell in &tables[1].rows[0] {
            assert!(cell.content.contains(&Inline::LineBreak), "{:?}", tables[1]);
        }
        let para = |needle: &str| {
            doc.blocks.iter().find_map(|b| match &b.kind {
                BlockKind::Paragraph(p) if Inline::plain_text(p).contains(needle) => Some(p.clone()),
                _ => None,
            })
        };
        let glued = para("Первый.").expect("the paragraph");
        assert_eq!(glued.iter().filter(|i| **i == Inline::LineBreak).count(), 2, "{glued:?}");
        assert!(!text.contains("жирный.Второй") && text.contains("До") && text.contains("после."));
        assert!(text.contains("«Двор», 5\u{a0}км"), "{text:?}");
        let images: Vec<&ImageRef> = doc.images();
        assert_eq!(images.len(), 2);
        assert_eq!(images[1].title.as_deref(), Some("Подпись"), "the figure's caption is its image's");
        assert!(para("Подпись").is_none());
        assert!(!kinds.iter().any(|k| matches!(k, BlockKind::Heading { content, .. } if content.is_empty())));
    }

    // Cells spanning columns or rows leave the others in their columns.
    #[test]
    fn html_table_spans() {
        let src = "# T\n\n<table><tr><th colspan=\"2\">Объединённый</th><th>Третий</th></tr>\n<tr><td rowspan=\"2\">A</td><td>B1</td><td>C1</td></tr>\n<tr><td>B2</td><td>C2</td></tr></table>\n";
        let (doc, _) = parse_str(src);
        let BlockKind::Table(t) = &doc.blocks[1].kind else { panic!("{:?}", doc.blocks) };
        let text = |row: &[Cell]| row.iter().map(|c| Inline::plain_text(&c.content)).collect::<Vec<_>>();
        assert_eq!(text(&t.header), ["Объединённый", "", "Третий"]);
        assert_eq!(text(&t.rows[0]), ["A", "B1", "C1"]);
        assert_eq!(text(&t.rows[1]), ["", "B2", "C2"]);
    }

    // A span at the end of a heading is the span's, not the heading's attributes.
    #[test]
    fn heading_ending_in_a_span() {
        let (doc, _) = parse_str(
            "# T\n\n## Призыв [біз біргеміз]{lang=kk}\n\nТекст абзаца на русском языке для проверки.\n",
        );
        let BlockKind::Heading { content, lang_attr, .. } = &doc.blocks[1].kind else { panic!() };
        assert_eq!(*lang_attr, None);
        assert!(
            content.contains(&Inline::Span {
                lang: Lang::Kk,
                content: vec![Inline::Text("біз біргеміз".into())]
            }),
            "{content:?}"
        );
        assert_eq!(doc.blocks[1].lang, Lang::Ru);
    }

    // Block HTML keeps its structure: headings, lists, quotes, tables, code.
    #[test]
    fn html_blocks_become_blocks() {
        let src = "# T\n\n<div>\n<h2>Раздел</h2>\n<ol start=\"3\"><li>один<li>два</ol>\n<blockquote><p>цитата</p></blockquote>\n<table><tr><th>A</th><th>B</th></tr><tr><td>1</td></tr></table>\n<pre>a  b\n c</pre>\n<hr>\n</div>\n";
        let (doc, diags) = parse_str(src);
        assert!(diags.is_empty(), "{diags}");
        let kinds: Vec<&BlockKind> = doc.blocks.iter().map(|b| &b.kind).collect();
        assert!(matches!(kinds[1], BlockKind::Heading { level: 2, .. }), "{kinds:?}");
        assert!(
            matches!(kinds[2], BlockKind::List { start: Some(3), items } if items.len() == 2),
            "{kinds:?}"
        );
        assert!(matches!(kinds[3], BlockKind::Quote(q) if q.len() == 1), "{kinds:?}");
        assert!(
            matches!(kinds[4], BlockKind::Table(t) if t.header.len() == 2 && t.rows.len() == 1 && t.rows[0].len() == 2),
            "{kinds:?}"
        );
        assert!(matches!(kinds[5], BlockKind::Code(c) if c == "a  b\n c"), "{kinds:?}");
        assert!(matches!(kinds[6], BlockKind::Rule), "{kinds:?}");
        assert_eq!(kinds.len(), 7, "{kinds:?}");
    }

    // Misnested and unclosed tags never lose text or leave a tag behind.
    #[test]
    fn misnested_html_keeps_text() {
        for src in [
            "# T\n\n*a <b>b* c</b> d\n",
            "# T\n\n<b>a *b</b> c* d\n",
            "# T\n\n<b><i>a b c d\n",
            "# T\n\n</b></i>a b c d</p>\n",
        ] {
            let (doc, _) = parse_str(src);
            let mut text = String::new();
            Block::plain_text_into(&doc.blocks[1..], &mut text);
            let words: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(words.join(" ").replace('*', ""), "a b c d", "{src:?} → {:?}", doc.blocks);
        }
    }

    // Tag soup nested thousands deep (and brackets, and blocks) is cut at the depth
    // limit: the text is kept, the tree stays shallow for every later recursive pass.
    #[test]
    fn deep_html_and_brackets_are_bounded() {
        let n = 20_000;
        let src = format!(
            "# T\n\n{}слово{}\n\n{}x{}\n\n<div>{}цитата\n",
            "<b><i>".repeat(n),
            "</i></b>".repeat(n),
            "[".repeat(n),
            "]{lang=kk}".repeat(n),
            "<blockquote><ul><li>".repeat(n)
        );
        let (doc, diags) = parse_str(&src);
        assert!(diags.iter().any(|d| d.message.contains("nested more than 32 levels")), "{diags}");
        fn depth(inlines: &[Inline]) -> usize {
            inlines.iter().map(|i| 1 + i.children().map_or(0, depth)).max().unwrap_or(0)
        }
        fn block_depth(blocks: &[Block]) -> usize {
            blocks
                .iter()
                .map(|b| match &b.kind {
                    BlockKind::Paragraph(c) => depth(c),
                    BlockKind::Quote(inner) => 1 + block_depth(inner),
                    BlockKind::List { items, .. } => {
                        1 + items.iter().map(|i| block_depth(i)).max().unwrap_or(0)
                    }
                    _ => 0,
                })
                .max()
                .unwrap_or(0)
        }
        assert!(block_depth(&doc.blocks) <= 2 * MAX_DEPTH + 2, "{}", block_depth(&doc.blocks));
        let mut text = String::new();
        Block::plain_text_into(&doc.blocks, &mut text);
        for word in ["слово", "x", "цитата"] {
            assert!(text.contains(word), "{word} lost: {:?}", text.get(text.len().saturating_sub(300)..));
        }
    }

    // Pandoc's extensions: spans with a language, notes written in place (numbered
    // in reading order with the others), fenced divs with a language or a medium,
    // image widths; brackets that are none of these stay text.
    #[test]
    fn pandoc_extensions() {
        let src = "# T\n\nА^[первая] Б[^b] [қазақша]{lang=kk} [1] [x]{.note} В^[вторая [скобки]].\n\n[^b]: Сноска.\n\n::: {lang=kk}\nБіз бірге боламыз.\n:::\n\n::: only-print\nПечать.\n:::\n\n::: {.only-epub}\n- Экран.\n:::\n\n![Двор](a.png){width=40%}\n";
        let (doc, diags) = parse_str(src);
        assert!(diags.is_empty(), "{diags}");
        let BlockKind::Paragraph(p) = &doc.blocks[1].kind else { panic!("{:?}", doc.blocks) };
        let calls: Vec<u32> =
            p.iter().filter_map(|i| if let Inline::FootnoteRef(n) = i { Some(*n) } else { None }).collect();
        assert_eq!(calls, [1, 2, 3]);
        let notes: Vec<String> = doc
            .footnotes
            .iter()
            .map(|f| {
                let mut t = String::new();
                Block::plain_text_into(&f.blocks, &mut t);
                t.trim().to_string()
            })
            .collect();
        assert_eq!(notes, ["первая", "Сноска.", "вторая [скобки]"]);
        assert!(
            p.contains(&Inline::Span {
                lang: Lang::Kk, content: vec![Inline::Text("қазақша".into())]
            }),
            "{p:?}"
        );
        assert!(Inline::plain_text(p).contains(" [1] x "), "{p:?}");
        let kinds: Vec<(&BlockKind, Lang, Option<Medium>)> =
            doc.blocks.iter().map(|b| (&b.kind, b.lang, b.only)).collect();
        assert!(matches!(kinds[2], (BlockKind::Paragraph(_), Lang::Kk, None)), "{kinds:?}");
        assert!(matches!(kinds[3], (BlockKind::Paragraph(_), Lang::Ru, Some(Medium::Print))), "{kinds:?}");
        assert!(matches!(kinds[4], (BlockKind::List { .. }, _, Some(Medium::Epub))), "{kinds:?}");
        assert!(matches!(kinds[5], (BlockKind::Image(i), _, None) if i.width == Some(0.4)), "{kinds:?}");
        assert_eq!(doc.lang, Lang::Ru, "a div in another language does not make the statement's");
        // Nothing of the fences is left as text.
        let mut text = String::new();
        Block::plain_text_into(&doc.blocks, &mut text);
        assert!(!text.contains(":::") && !text.contains('{'), "{text}");
    }

    // Front matter gives title, date and language; a Kazakh body is detected otherwise.
    #[test]
    fn front_matter_and_detection() {
        let (doc, diags) =
            parse_str("---\ntitle: \"Мәлімдеме\"\ndate: 2026-03-08\nlang: kk\n---\n\nМәтін.\n");
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(doc.title, "Мәлімдеме");
        assert_eq!(doc.date.map(Date::iso).as_deref(), Some("2026-03-08"));
        assert_eq!(doc.lang, Lang::Kk);
        // No `#` heading: one is inserted so both outputs show the title.
        assert!(matches!(&doc.blocks[0].kind, BlockKind::Heading { level: 1, .. }));
        let (doc, _) = parse_str("# Қазақстан\n\nБіз бірге.\n");
        assert_eq!(doc.lang, Lang::Kk);
    }

    // Author, place and date from the front matter make the line under the title.
    #[test]
    fn byline_from_front_matter() {
        let (doc, diags) =
            parse_str("---\nauthor: Профком\nplace: Алматы\ndate: 2026-03-08\n---\n\n# Заявление\n");
        assert!(diags.is_empty(), "{diags}");
        assert_eq!(doc.byline().as_deref(), Some("Профком, Алматы, 8\u{a0}марта 2026\u{a0}г."));
    }

    // Images without alt text are reported.
    #[test]
    fn image_without_alt_warns() {
        let (_, diags) = parse_str("# T\n\n![](img/x.png)\n");
        assert!(diags.iter().any(|d| d.message.contains("no alt text")));
    }

    // Lists, quotes and tables keep their structure; a heading attribute switches language.
    #[test]
    fn structure_is_kept() {
        let src = "# T\n\n1. один\n2. два\n\n- а\n- б\n\n> цитата\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n## Тарау {lang=kk}\n";
        let (doc, diags) = parse_str(src);
        assert!(diags.is_empty(), "{diags}");
        let kinds: Vec<&BlockKind> = doc.blocks.iter().map(|b| &b.kind).collect();
        assert!(matches!(kinds[1], BlockKind::List { start: Some(1), items } if items.len() == 2));
        assert!(matches!(kinds[2], BlockKind::List { start: None, .. }));
        assert!(matches!(kinds[3], BlockKind::Quote(_)));
        assert!(matches!(kinds[4], BlockKind::Table(t) if t.aligns[1] == Align::Right && t.rows.len() == 1));
        assert!(matches!(kinds[5], BlockKind::Heading { level: 2, lang_attr: Some(Lang::Kk), .. }));
    }

    // Deep nesting is refused with an error instead of exhausting the stack later.
    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("# T\n\n{}x\n", "> ".repeat(200));
        let (_, diags) = parse_str(&src);
        assert!(diags.has_errors());
        let src =
            format!("# T\n\n{}", (0..150).map(|i| format!("{}- x\n", "  ".repeat(i))).collect::<String>());
        let (_, diags) = parse_str(&src);
        assert!(diags.has_errors());
    }
}
