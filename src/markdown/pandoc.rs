//! Pandoc's Markdown extensions that statements prepared with Pandoc use:
//! attributes `{#id .class key=value}` on spans (`[текст]{lang=kk}`) and images
//! (`![…](a.jpg){width=50%}`), fenced divs (`::: {lang=kk}` … `:::`, with the
//! classes `.only-print` and `.only-epub`), and inline notes (`^[текст]`).
//! pulldown-cmark reads none of them: fenced divs are found in the source
//! before parsing, the rest in the parsed text.

use std::borrow::Cow;

use super::Builder;
use crate::model::{Block, BlockKind, Inline, Lang, Medium, Span};

/// What a `{…}` holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Attrs {
    /// `#id`
    pub id: Option<String>,
    /// `.class`, without the dot.
    pub classes: Vec<String>,
    /// `key=value` and `key="value with spaces"`.
    pub pairs: Vec<(String, String)>,
}

impl Attrs {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The medium the classes restrict a block to.
    fn only(&self) -> Option<Medium> {
        self.classes.iter().find_map(|c| match c.as_str() {
            "only-print" => Some(Medium::Print),
            "only-epub" => Some(Medium::Epub),
            _ => None,
        })
    }
}

/// Reads the inside of `{…}`: words separated by spaces, each `#id`, `.class` or
/// `key=value`. `None` when a word is none of these (the braces were text).
pub fn parse_attrs(inner: &str) -> Option<Attrs> {
    let mut attrs = Attrs::default();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let word_end = |s: &str| s.find(char::is_whitespace).unwrap_or(s.len());
        if let Some(id) = rest.strip_prefix('#') {
            let end = word_end(id);
            attrs.id = Some(id[..end].to_string()).filter(|s| !s.is_empty());
            rest = &id[end..];
        } else if let Some(class) = rest.strip_prefix('.') {
            let end = word_end(class);
            if end == 0 {
                return None;
            }
            attrs.classes.push(class[..end].to_string());
            rest = &class[end..];
        } else {
            let eq = rest.find('=')?;
            let key = &rest[..eq];
            if key.is_empty() || !key.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
                return None;
            }
            let after = &rest[eq + 1..];
            let (value, next) = if let Some(q) = after.strip_prefix('"') {
                let close = q.find('"')?;
                (&q[..close], &q[close + 1..])
            } else {
                let end = word_end(after);
                (&after[..end], &after[end..])
            };
            attrs.pairs.push((key.to_string(), value.to_string()));
            rest = next;
        }
        rest = rest.trim_start();
    }
    Some(attrs)
}

/// A fenced div: the source it covers (fence lines included) and its attributes.
#[derive(Debug, Clone)]
pub struct Div {
    pub span: Span,
    pub attrs: Attrs,
}

/// Finds the fenced divs of `source` (outside code blocks) and returns the
/// source with their fence lines blanked (same length, so every offset and
/// line stays where it was), the divs, and the offsets of unclosed openers.
pub fn fenced_divs(source: &str) -> (Cow<'_, str>, Vec<Div>, Vec<usize>) {
    if !source.contains(":::") {
        return (Cow::Borrowed(source), Vec::new(), Vec::new());
    }
    let mut blanks: Vec<Span> = Vec::new();
    let mut open: Vec<(usize, Attrs)> = Vec::new();
    let mut divs = Vec::new();
    let mut code_fence: Option<(char, usize)> = None;
    let mut at = 0;
    for line in source.split_inclusive('\n') {
        let here = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let trimmed = body.trim_start_matches(' ');
        if indent <= 3 {
            let fence = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
            if let Some(c) = fence {
                let run = trimmed.chars().take_while(|&x| x == c).count();
                match code_fence {
                    None if run >= 3 => code_fence = Some((c, run)),
                    Some((oc, orun)) if oc == c && run >= orun && trimmed[run..].trim().is_empty() => {
                        code_fence = None
                    }
                    _ => {}
                }
                continue;
            }
        }
        if code_fence.is_some() || indent > 3 || !trimmed.starts_with(":::") {
            continue;
        }
        let rest = trimmed.trim_start_matches(':').trim();
        let rest = rest.trim_end_matches(':').trim();
        if rest.is_empty() {
            // A closing fence; one with nothing open is left as text.
            if let Some((start, attrs)) = open.pop() {
                divs.push(Div { span: start..at, attrs });
                blanks.push(here..here + body.len());
            }
            continue;
        }
        let attrs = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(inner) => parse_attrs(inner),
            // `::: warning` is a div of class `warning`.
            None if !rest.contains(char::is_whitespace) => {
                Some(Attrs { classes: vec![rest.to_string()], ..Attrs::default() })
            }
            None => None,
        };
        if let Some(attrs) = attrs {
            open.push((here, attrs));
            blanks.push(here..here + body.len());
        }
    }
    let unclosed: Vec<usize> = open.iter().map(|(start, _)| *start).collect();
    for (start, attrs) in open {
        divs.push(Div { span: start..source.len(), attrs });
    }
    if blanks.is_empty() {
        return (Cow::Borrowed(source), divs, unclosed);
    }
    let mut out = source.as_bytes().to_vec();
    for span in blanks {
        out[span].fill(b' ');
    }
    // Only ASCII bytes of whole lines were replaced by spaces: still UTF-8.
    (Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| source.to_string())), divs, unclosed)
}

impl Builder<'_> {
    /// Gives the blocks inside fenced divs the divs' language and medium (the
    /// innermost div that names one decides).
    pub(super) fn apply_divs(&mut self, divs: &[Div], blocks: &mut [Block]) {
        for block in blocks {
            let at = block.span.start;
            // The divs around the block, the innermost (latest opened) first.
            let mut around: Vec<&Div> = divs.iter().filter(|d| d.span.contains(&at)).collect();
            around.sort_by_key(|d| std::cmp::Reverse(d.span.start));
            for div in around {
                if let Some(lang) = div.attrs.get("lang").and_then(Lang::from_tag) {
                    block.lang_attr = block.lang_attr.or(Some(lang));
                }
                block.only = block.only.or(div.attrs.only());
            }
            match &mut block.kind {
                BlockKind::List { items, .. } => {
                    for item in items {
                        self.apply_divs(divs, item);
                    }
                }
                BlockKind::Quote(inner) => self.apply_divs(divs, inner),
                _ => {}
            }
        }
    }

    /// Warnings for what the divs say that samizdat cannot use.
    pub(super) fn check_divs(&mut self, divs: &[Div], unclosed: &[usize]) {
        for div in divs {
            if let Some(value) = div.attrs.get("lang")
                && Lang::from_tag(value).is_none()
            {
                self.warn(
                    div.span.start,
                    format!("unknown language `{value}` in a fenced div"),
                    Some(&Lang::hint()),
                );
            }
        }
        for &at in unclosed {
            self.warn(
                at,
                "this fenced div (`:::`) is never closed: it lasts to the end of the statement",
                Some("close it with a line `:::`"),
            );
        }
    }

    /// Reads spans with attributes (`[текст]{lang=kk}`) and inline notes
    /// (`^[текст]`) in `content`, at every depth. Brackets that are neither are
    /// kept as text.
    pub(super) fn brackets(&mut self, content: Vec<Inline>, at: usize) -> Vec<Inline> {
        if !content.iter().any(has_bracket) {
            return content;
        }
        // Neighbouring texts as one, so that `^` and `[` split by the parser meet again.
        let mut items: Vec<Inline> = Vec::with_capacity(content.len());
        for item in content {
            let item = match item {
                Inline::Text(_) => item,
                mut other => {
                    if let Some(children) = other.children_mut() {
                        let inner = std::mem::take(children);
                        *children = self.brackets(inner, at);
                    }
                    other
                }
            };
            match (items.last_mut(), item) {
                (Some(Inline::Text(last)), Inline::Text(t)) => last.push_str(&t),
                (_, item) => items.push(item),
            }
        }
        // Open brackets: a note or a span, with what is inside so far.
        let mut frames: Vec<(bool, Vec<Inline>)> = Vec::new();
        let mut base: Vec<Inline> = Vec::new();
        fn target<'a>(
            frames: &'a mut [(bool, Vec<Inline>)],
            base: &'a mut Vec<Inline>,
        ) -> &'a mut Vec<Inline> {
            match frames.last_mut() {
                Some((_, content)) => content,
                None => base,
            }
        }
        fn push_text(to: &mut Vec<Inline>, text: &str) {
            if text.is_empty() {
                return;
            }
            match to.last_mut() {
                Some(Inline::Text(last)) => last.push_str(text),
                _ => to.push(Inline::Text(text.to_string())),
            }
        }
        for item in items {
            let Inline::Text(text) = item else {
                target(&mut frames, &mut base).push(item);
                continue;
            };
            let mut rest = text.as_str();
            while let Some(i) = rest.find(['[', ']']) {
                let bracket = rest.as_bytes()[i];
                if bracket == b'[' && frames.len() < super::MAX_DEPTH {
                    let note = rest[..i].ends_with('^');
                    let before = if note { &rest[..i - 1] } else { &rest[..i] };
                    push_text(target(&mut frames, &mut base), before);
                    frames.push((note, Vec::new()));
                    rest = &rest[i + 1..];
                    continue;
                }
                if bracket == b'[' {
                    // Deeper brackets are text (nesting is bounded like Markdown's).
                    push_text(target(&mut frames, &mut base), &rest[..=i]);
                    rest = &rest[i + 1..];
                    continue;
                }
                push_text(target(&mut frames, &mut base), &rest[..i]);
                rest = &rest[i + 1..];
                let Some((note, inner)) = frames.pop() else {
                    push_text(target(&mut frames, &mut base), "]");
                    continue;
                };
                let parent = target(&mut frames, &mut base);
                if note {
                    let n = self.inline_note(inner, at);
                    parent.push(Inline::FootnoteRef(n));
                    continue;
                }
                let attrs = rest
                    .strip_prefix('{')
                    .and_then(|r| r.find('}').map(|end| (&r[..end], &r[end + 1..])))
                    .and_then(|(inner_attrs, after)| parse_attrs(inner_attrs).map(|a| (a, after)));
                match attrs {
                    Some((attrs, after)) => {
                        rest = after;
                        let lang = attrs.get("lang").map(str::to_owned);
                        match lang.as_deref().map(|l| (l, Lang::from_tag(l))) {
                            Some((_, Some(lang))) => parent.push(Inline::Span { lang, content: inner }),
                            Some((l, None)) => {
                                let l = l.to_owned();
                                self.warn(
                                    at,
                                    format!("unknown language `{l}` in a span"),
                                    Some(&Lang::hint()),
                                );
                                let parent = target(&mut frames, &mut base);
                                parent.extend(inner);
                            }
                            None => parent.extend(inner),
                        }
                    }
                    None => {
                        push_text(parent, "[");
                        parent.extend(inner);
                        push_text(parent, "]");
                    }
                }
            }
            push_text(target(&mut frames, &mut base), rest);
        }
        // Brackets never closed are text.
        while let Some((note, inner)) = frames.pop() {
            let parent = target(&mut frames, &mut base);
            push_text(parent, if note { "^[" } else { "[" });
            parent.extend(inner);
        }
        base
    }

    /// Spans and inline notes in the body and in the notes (see [`Builder::brackets`]).
    pub(super) fn pandoc_inlines(&mut self, body: &mut [Block]) {
        self.brackets_in(body);
        let mut defs = std::mem::take(&mut self.footnote_defs);
        for blocks in defs.values_mut() {
            self.brackets_in(blocks);
        }
        // Notes written in place inside other notes were added meanwhile.
        defs.append(&mut self.footnote_defs);
        self.footnote_defs = defs;
    }

    fn brackets_in(&mut self, blocks: &mut [Block]) {
        for block in blocks {
            let at = block.span.start;
            match &mut block.kind {
                BlockKind::Paragraph(content) | BlockKind::Heading { content, .. } => {
                    *content = self.brackets(std::mem::take(content), at);
                }
                BlockKind::List { items, .. } => items.iter_mut().for_each(|item| self.brackets_in(item)),
                BlockKind::Quote(inner) => self.brackets_in(inner),
                BlockKind::Table(table) => {
                    for cell in table.cells_mut() {
                        cell.content = self.brackets(std::mem::take(&mut cell.content), at);
                    }
                }
                BlockKind::Image(_) | BlockKind::Code(_) | BlockKind::Rule => {}
            }
        }
    }

    /// A note written in place (`^[текст]`): defined here, numbered by its call.
    fn inline_note(&mut self, content: Vec<Inline>, at: usize) -> u32 {
        self.inline_notes = true;
        let label = format!("^{}", self.footnote_numbers.len() + 1);
        let n = self.footnote_numbers.len() as u32 + 1;
        self.footnote_numbers.insert(label.clone(), n);
        let content = super::trim_inlines(content);
        self.footnote_defs.insert(label, vec![Block::new(BlockKind::Paragraph(content), at..at)]);
        n
    }

    /// Attributes right after an image (`![…](a.jpg){width=50%}`): `raw` is the
    /// text that follows it; returns how many bytes of it they took.
    pub(super) fn image_attrs(&mut self, raw: &str, at: usize) -> usize {
        let Some(inner) = raw.strip_prefix('{').and_then(|r| r.find('}').map(|end| &r[..end])) else {
            return 0;
        };
        let Some(attrs) = parse_attrs(inner) else { return 0 };
        let Some(Block { kind: BlockKind::Image(img), .. }) = self.pending_images.last_mut() else {
            return 0;
        };
        // An ornament: nothing to describe, so no warning for its missing description.
        if attrs.classes.iter().any(|c| c == "decorative") {
            img.decorative = true;
            img.alt.clear();
            let src = img.src.clone();
            let warned = format!("image `{src}` has no alt text");
            if let Some(i) = self.diags.0.iter().rposition(|d| d.message == warned) {
                self.diags.0.remove(i);
            }
        }
        if let Some(w) = attrs.get("width") {
            match w.strip_suffix('%').and_then(|p| p.trim().parse::<f64>().ok()) {
                Some(p) if p > 0.0 && p <= 100.0 => img.width = Some(p / 100.0),
                _ => {
                    let w = w.to_owned();
                    self.warn(
                        at,
                        format!("image width `{w}` is not a share of the text width; the image is set at its own size"),
                        Some("write it in percent of the text width, e.g. `{width=50%}`"),
                    );
                }
            }
        }
        inner.len() + 2
    }
}

fn has_bracket(i: &Inline) -> bool {
    match i {
        Inline::Text(t) => t.contains(['[', ']']),
        _ => i.children().is_some_and(|c| c.iter().any(has_bracket)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Attribute words: ids, classes, bare and quoted values; anything else is text.
    #[test]
    fn attributes() {
        let a = parse_attrs("#intro .only-print lang=kk title=\"два слова\"").expect("attributes");
        assert_eq!(a.id.as_deref(), Some("intro"));
        assert_eq!(a.classes, ["only-print"]);
        assert_eq!(a.get("lang"), Some("kk"));
        assert_eq!(a.get("title"), Some("два слова"));
        assert!(parse_attrs("просто текст").is_none());
        assert!(parse_attrs("a=\"unclosed").is_none());
    }

    // Fence lines are blanked in place; code blocks are not looked into.
    #[test]
    fn fences_found_and_blanked() {
        let src = "::: {lang=kk}\nМәтін.\n:::\n\n```\n::: not a div\n```\n\n::: only-epub\nтолько\n";
        let (blank, divs, unclosed) = fenced_divs(src);
        assert_eq!(blank.len(), src.len());
        assert!(blank.starts_with("             \nМәтін.\n   \n"), "{blank:?}");
        assert!(blank.contains("::: not a div"));
        assert_eq!(divs.len(), 2);
        assert_eq!(divs[0].attrs.get("lang"), Some("kk"));
        assert_eq!(divs[1].attrs.only(), Some(Medium::Epub));
        assert_eq!(unclosed, [src.find("::: only-epub").unwrap()]);
    }
}
