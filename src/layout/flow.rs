//! Blocks → a vertical list of elements (lines, gaps, images, table rows) for
//! one statement, plus its footnotes set as line boxes. Nothing here knows
//! about pages; `pages` decides where each element goes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::fonts::{Family, FontSet, Style};
use crate::layout::paragraph::{self, Align, LineBox, ParaStyle};
use crate::layout::{LayoutOptions, Role, StructNode, TextRun, Warning, display, style};
use crate::manifest::Imposition;
use crate::model::{Align as CellAlign, Block, BlockKind, Cell, Document, Images, Inline, Lang, Table};
use crate::units::Pt;

/// One element of the vertical list.
#[derive(Debug)]
pub enum Elem {
    /// A line of a paragraph: `para` identifies the paragraph in the statement,
    /// `index` is the line's place in it and `count` the paragraph's number of lines.
    Line { line: LineBox, x: Pt, para: usize, index: usize, count: usize },
    /// A heading (or the byline under a title): its lines stay together and with
    /// what follows; `level` is `None` for lines that are not in the outline.
    Heading { lines: Vec<LineBox>, x: Pt, level: Option<u8>, title: String },
    /// Vertical space; dropped at the top of a page.
    Gap(Pt),
    /// The rest goes on the next page (column, panel).
    Break,
    /// An image with its caption lines (set on the measure starting at `caption_x`).
    /// `sink`: space above the picture in its slot (an opening picture stands at the
    /// foot of a band of fixed depth, so every statement's title starts at one height).
    /// `caption_node`: the structure element of the caption's lines.
    Image {
        key: PathBuf,
        x: Pt,
        width: Pt,
        height: Pt,
        sink: Pt,
        caption: Vec<LineBox>,
        caption_x: Pt,
        caption_node: Option<u32>,
    },
    /// A table row: cells with their x offset, the row height, and rules to draw
    /// above/below. A header row stays with the row after it; a body row of a table
    /// with a header names that header's element (`head`), set again above the row
    /// when the table continues in a new column or page. `nodes`: each cell's
    /// structure element.
    Row {
        cells: Vec<(Pt, Vec<LineBox>)>,
        nodes: Vec<Option<u32>>,
        height: Pt,
        rule_above: bool,
        rule_below: bool,
        width: Pt,
        header: bool,
        head: Option<usize>,
    },
    /// A horizontal rule (thematic break).
    Rule { x: Pt, width: Pt },
}

/// Where an element comes from in the statement, for the EPUB page list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    /// Ordinal of the block in reading order (pre-order over nested blocks, from 0).
    pub block: usize,
    /// The element is a line of paragraph text, whose `offset` counts characters.
    pub text: bool,
    /// The structure element it draws (in [`Flow::nodes`]); `None` for an artifact.
    pub node: Option<u32>,
}

/// A statement's elements and its footnotes.
#[derive(Debug, Default)]
pub struct Flow {
    /// The vertical list.
    pub elems: Vec<Elem>,
    /// The origin of each element of `elems`.
    pub origins: Vec<Origin>,
    /// Body paragraphs by number with what they were set from, so the paginator can
    /// set one again when a word would otherwise break across a page turn.
    pub sources: BTreeMap<usize, (Vec<Inline>, ParaStyle)>,
    /// Footnote number → its lines, set at the note size.
    pub notes: BTreeMap<u32, Vec<LineBox>>,
    /// The statement's logical structure: element 0 is the statement (its
    /// parent left for the paginator to give), the others name parents in here.
    pub nodes: Vec<StructNode>,
    /// Footnote number → its structure element.
    pub note_nodes: BTreeMap<u32, u32>,
    /// A list item's first paragraph → the item's marker element (`Lbl`).
    pub labels: BTreeMap<u32, u32>,
    /// (Paragraph, footnote number) → the element of the note's call in it.
    pub references: BTreeMap<(u32, u32), u32>,
}

struct Ctx<'a> {
    doc: &'a Document,
    /// Origin given to elements pushed now.
    origin: Origin,
    /// The byline has been set under the title.
    byline_done: bool,
    images: &'a Images,
    fonts: &'a FontSet,
    opts: &'a LayoutOptions,
    warnings: &'a mut Vec<Warning>,
    doc_index: usize,
    flow: Flow,
    para: usize,
    /// Language of the block being set (the model's [`Block::lang`]).
    lang: Lang,
    /// The next paragraph opens a statement, a section (after a heading or a
    /// rule), a list item or a quote: no indent. After a list, quote, table, code
    /// or image the text goes on, and Russian book practice indents it.
    no_indent: bool,
    /// The structure element new elements go under.
    parent: u32,
    /// The title's element, made before the opening picture's so that the title
    /// reads first: the title's block ordinal and its element.
    title_first: Option<(usize, u32)>,
}

/// A line of code as it is set: tabs expanded to the next multiple of four
/// columns (spaces are kept by [`Align::Verbatim`]); an empty line keeps its height.
fn code_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut column = 0;
    for c in line.chars() {
        if c == '\t' {
            let n = 4 - column % 4;
            out.extend(std::iter::repeat_n(' ', n));
            column += n;
        } else {
            out.push(c);
            column += 1;
        }
    }
    if out.trim().is_empty() {
        out = "\u{a0}".into();
    }
    out
}

/// Builds the vertical list of one statement.
pub fn build(
    (doc_index, doc): (usize, &Document),
    images: &Images,
    fonts: &FontSet,
    opts: &LayoutOptions,
    warnings: &mut Vec<Warning>,
) -> Flow {
    let mut cx = Ctx {
        doc,
        origin: Origin::default(),
        byline_done: false,
        images,
        fonts,
        opts,
        warnings,
        doc_index,
        flow: Flow::default(),
        para: 0,
        lang: doc.lang,
        no_indent: true,
        parent: 0,
        title_first: None,
    };
    cx.flow.nodes.push(StructNode { role: Role::Sect, parent: None, lang: doc.lang, alt: None });
    let width = opts.column_width();
    cx.blocks(&doc.blocks, Pt::ZERO, width, true);
    let note_size = style::note_size(opts.font_size());
    let number_style = ParaStyle {
        family: Family::Serif,
        style: Style::default(),
        size: note_size,
        leading: note_size * style::SMALL_LEADING,
        align: Align::Left,
        indent: Pt::ZERO,
        width,
        lang: doc.lang,
        hyphenate: false,
        expansion: 0.0,
        tracking: 0.0,
    };
    let number = |n: u32| paragraph::set(&[Inline::Text(format!("{n}."))], &number_style, fonts).pop();
    // Every note's text hangs at one indent: past the widest number and an en space.
    let widest = doc.footnotes.iter().filter_map(|n| number(n.number)).map(|l| paragraph::line_width(&l));
    let hang = widest.fold(Pt::ZERO, Pt::max) + note_size * style::NOTE_NUMBER_GAP;
    for note in &doc.footnotes {
        let mut lines = Vec::new();
        let ps = ParaStyle {
            align: if opts.pdf.ragged(width - hang, note_size) { Align::Left } else { Align::Justify },
            width: width - hang,
            lang: note.lang,
            hyphenate: true,
            expansion: opts.pdf.expansion,
            tracking: opts.pdf.tracking,
            ..number_style.clone()
        };
        for b in &note.blocks {
            let ps = ParaStyle { lang: b.lang, ..ps.clone() };
            let content = match &b.kind {
                BlockKind::Paragraph(content) => content.clone(),
                _ => {
                    let mut text = String::new();
                    Block::plain_text_into(std::slice::from_ref(b), &mut text);
                    vec![Inline::Text(text)]
                }
            };
            let mut set = paragraph::set(&content, &ps, fonts);
            // A short note reads better whole: unhyphenated if that takes no more lines and none loose.
            if set.len() <= style::SHORT_NOTE_LINES && set.iter().any(|l| l.hyphenated) {
                let whole = paragraph::set(&content, &ParaStyle { hyphenate: false, ..ps }, fonts);
                if whole.len() == set.len() && whole.iter().all(|l| l.ratio <= 1.0) {
                    set = whole;
                }
            }
            lines.extend(set);
        }
        for l in &mut lines {
            paragraph::shift_line(l, hang);
        }
        if let Some(mut mark) = number(note.number) {
            if let Some(run) = mark.runs.last_mut() {
                run.end_with_space(fonts);
            }
            match lines.first_mut() {
                Some(first) => {
                    first.runs.splice(0..0, mark.runs);
                    first.text = format!("{}. {}", note.number, first.text);
                }
                None => lines.push(mark),
            }
        }
        cx.flow.notes.insert(note.number, lines);
        let node = cx.node(Role::Note, note.lang);
        cx.flow.note_nodes.insert(note.number, node);
    }
    cx.flow
}

impl Ctx<'_> {
    /// A new structure element under the current parent.
    fn node(&mut self, role: Role, lang: Lang) -> u32 {
        self.flow.nodes.push(StructNode { role, parent: Some(self.parent), lang, alt: None });
        (self.flow.nodes.len() - 1) as u32
    }

    fn body_style(&self, width: Pt, indent: Pt) -> ParaStyle {
        ParaStyle {
            family: Family::Serif,
            style: Style::default(),
            size: self.opts.font_size(),
            leading: self.opts.leading(),
            // Narrow columns are set ragged right (see `PdfSettings::ragged`).
            align: if self.opts.pdf.ragged(self.opts.column_width(), self.opts.font_size()) {
                Align::Left
            } else {
                Align::Justify
            },
            indent,
            width,
            lang: self.lang,
            hyphenate: true,
            expansion: self.opts.pdf.expansion,
            tracking: self.opts.pdf.tracking,
        }
    }

    fn lines(&mut self, lines: Vec<LineBox>, x: Pt, span_start: usize) {
        if lines.iter().any(|l| l.overfull) {
            self.warnings.push(Warning {
                doc: self.doc_index,
                offset: span_start,
                message: "a line of this paragraph is wider than the measure".into(),
                hint: "a very long unbreakable string; add spaces or shorten it".into(),
            });
        }
        self.para += 1;
        // Each note call is an element of the paragraph: a Reference.
        if let Some(p) = self.origin.node {
            let outer = std::mem::replace(&mut self.parent, p);
            for n in lines.iter().flat_map(|l| l.notes.iter().copied()) {
                if !self.flow.references.contains_key(&(p, n)) {
                    let r = self.node(Role::Reference, self.lang);
                    self.flow.references.insert((p, n), r);
                }
            }
            self.parent = outer;
        }
        let count = lines.len();
        for (index, line) in lines.into_iter().enumerate() {
            self.push(Elem::Line { line, x, para: self.para, index, count });
        }
    }

    fn push(&mut self, e: Elem) {
        self.flow.elems.push(e);
        self.flow.origins.push(self.origin);
    }

    /// Vertical space; space meeting space is the larger of the two, not their sum
    /// (a list straight after a heading stands as far below it as a paragraph would).
    fn gap(&mut self, g: Pt) {
        if let Some(Elem::Gap(prev)) = self.flow.elems.last_mut() {
            *prev = prev.max(g);
            return;
        }
        self.push(Elem::Gap(g));
    }

    /// The indent of a list or quote nested in a measure of `width`: `wanted`,
    /// unless the measure left would fall below the narrowest nested measure,
    /// where deeper levels stop moving right (their markers still show the
    /// nesting), so that no depth of nesting squeezes text into a sliver.
    fn nested_indent(&self, wanted: Pt, width: Pt) -> Pt {
        let narrowest = self.opts.column_width() * style::NARROWEST_NESTED_MEASURE;
        if width - wanted >= narrowest { wanted } else { Pt::ZERO }
    }

    fn blocks(&mut self, blocks: &[Block], x: Pt, width: Pt, top: bool) {
        // A tri-fold's front panel carries the first statement's opening picture,
        // title and byline; its text begins on the next panel.
        let cover = top && self.doc_index == 0 && self.opts.pdf.imposition == Some(Imposition::TriFold);
        let title = blocks.iter().position(|b| matches!(b.kind, BlockKind::Heading { level: 1, .. }));
        // A statement that opens with a picture above its title reads title first.
        if top
            && let [first, second, ..] = blocks
            && matches!(first.kind, BlockKind::Image(_))
            && matches!(second.kind, BlockKind::Heading { level: 1, .. })
        {
            self.title_first = Some((second.ordinal, self.node(Role::H(1), second.lang)));
        }
        let cover_end = title.filter(|_| cover).map(|t| {
            let picture_after = matches!(blocks.get(t + 1).map(|b| &b.kind), Some(BlockKind::Image(_)));
            if picture_after { t + 2 } else { t + 1 }
        });
        for (k, b) in blocks.iter().enumerate() {
            if Some(k) == cover_end {
                self.push(Elem::Break);
            }
            self.block(b, x, width, top);
        }
    }

    fn block(&mut self, b: &Block, x: Pt, width: Pt, top: bool) {
        let (outer, outer_parent) = (self.origin, self.parent);
        let node = match &b.kind {
            BlockKind::Heading { level, .. } => Some(match self.title_first.take_if(|t| t.0 == b.ordinal) {
                Some((_, n)) => n,
                None => self.node(Role::H((*level).clamp(1, 6)), b.lang),
            }),
            BlockKind::Paragraph(_) | BlockKind::Code(_) => Some(self.node(Role::P, b.lang)),
            // A picture without a description is decoration: not read.
            BlockKind::Image(img) if img.alt.trim().is_empty() => None,
            BlockKind::Image(img) => {
                let n = self.node(Role::Figure, b.lang);
                self.flow.nodes[n as usize].alt = Some(img.alt.trim().to_owned());
                Some(n)
            }
            BlockKind::List { .. } => Some(self.node(Role::L, b.lang)),
            BlockKind::Quote(_) => Some(self.node(Role::BlockQuote, b.lang)),
            BlockKind::Table(_) => Some(self.node(Role::Table, b.lang)),
            BlockKind::Rule => None,
        };
        // What a list, a quote or a table holds goes under it.
        if let (Some(n), BlockKind::List { .. } | BlockKind::Quote(_) | BlockKind::Table(_)) = (node, &b.kind)
        {
            self.parent = n;
        }
        self.origin = Origin { block: b.ordinal, text: matches!(b.kind, BlockKind::Paragraph(_)), node };
        let outer_lang = std::mem::replace(&mut self.lang, b.lang);
        self.block_inner(b, x, width, top);
        self.lang = outer_lang;
        self.origin = outer;
        self.parent = outer_parent;
    }

    fn block_inner(&mut self, b: &Block, x: Pt, width: Pt, top: bool) {
        let size = self.opts.font_size();
        let leading = self.opts.leading();
        match &b.kind {
            BlockKind::Heading { level, content, .. } => {
                let style::Heading { scale, before, after } = style::Heading::of(*level);
                let hsize = size * scale;
                let ps = ParaStyle {
                    family: Family::Sans,
                    style: Style { bold: true, italic: false },
                    size: hsize,
                    leading: hsize * style::HEADING_LEADING,
                    align: Align::Left,
                    indent: Pt::ZERO,
                    width,
                    lang: self.lang,
                    hyphenate: false,
                    expansion: 0.0,
                    tracking: 0.0,
                };
                let lines = display::set(content, &ps, size * style::DISPLAY_FLOOR, self.fonts);
                if before > 0.0 {
                    self.gap(leading * before);
                }
                let title = Inline::plain_text(content);
                self.push(Elem::Heading { lines, x, level: Some(*level), title });
                if *level == 1 && top && !self.byline_done {
                    self.byline_done = true;
                    if let Some(text) = self.doc.byline() {
                        let ps = ParaStyle {
                            style: Style { bold: false, italic: true },
                            align: Align::Left,
                            ..self.body_style(width, Pt::ZERO)
                        };
                        let lines = paragraph::set(&[Inline::Text(text.clone())], &ps, self.fonts);
                        self.gap(leading * style::BYLINE_BEFORE);
                        let heading = self.origin;
                        self.origin.node = Some(self.node(Role::P, self.lang));
                        self.push(Elem::Heading { lines, x, level: None, title: text });
                        self.origin = heading;
                    }
                }
                self.gap(leading * after);
                self.no_indent = true;
            }
            BlockKind::Paragraph(content) => {
                let indent = if self.no_indent { Pt::ZERO } else { size * style::PARAGRAPH_INDENT };
                let ps = self.body_style(width, indent);
                let lines = paragraph::set(content, &ps, self.fonts);
                self.lines(lines, x, b.span.start);
                self.flow.sources.insert(self.para, (content.clone(), ps));
                self.no_indent = false;
            }
            BlockKind::Image(img) => {
                // A picture before everything else opens the statement.
                let opener = top && self.flow.elems.is_empty();
                self.image(img, x, width, b.span.start, opener)
            }
            BlockKind::List { start, items } => {
                self.gap(leading * style::LIST_SPACE);
                let indent = self.nested_indent(size * style::LIST_INDENT, width);
                for (k, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(n) => format!("{}.", n + k as u64),
                        None => "•".to_string(),
                    };
                    let first_elem = self.flow.elems.len();
                    self.no_indent = true;
                    let list = self.parent;
                    self.parent = self.node(Role::LI, self.lang);
                    let label = self.node(Role::Lbl, self.lang);
                    self.parent = self.node(Role::LBody, self.lang);
                    self.blocks(item, x + indent, width - indent, false);
                    self.parent = list;
                    if let Some(p) = self.add_marker(first_elem, &marker, indent) {
                        self.flow.labels.insert(p, label);
                    }
                }
                self.gap(leading * style::LIST_SPACE);
                self.no_indent = false;
            }
            BlockKind::Quote(inner) => {
                self.gap(leading * style::QUOTE_SPACE);
                self.no_indent = true;
                let indent = self.nested_indent(size * style::QUOTE_INDENT, width);
                let right = if indent > Pt::ZERO { size * style::QUOTE_RIGHT_INDENT } else { Pt::ZERO };
                self.blocks(inner, x + indent, width - indent - right, false);
                self.gap(leading * style::QUOTE_SPACE);
                self.no_indent = false;
            }
            BlockKind::Code(text) => {
                self.gap(leading * style::CODE_SPACE);
                let code_indent = size * style::CODE_INDENT;
                let ps = ParaStyle {
                    family: Family::Mono,
                    style: Style::default(),
                    size: size * style::CODE_SCALE,
                    leading,
                    align: Align::Verbatim,
                    indent: Pt::ZERO,
                    width: width - code_indent,
                    lang: self.lang,
                    hyphenate: false,
                    expansion: 0.0,
                    tracking: 0.0,
                };
                for line in text.lines() {
                    let content = [Inline::Text(code_line(line))];
                    let lines = paragraph::set(&content, &ps, self.fonts);
                    self.lines(lines, x + code_indent, b.span.start);
                }
                self.gap(leading * style::CODE_SPACE);
                self.no_indent = false;
            }
            BlockKind::Table(t) => {
                self.gap(leading * style::TABLE_SPACE);
                self.table(t, x, width, b.span.start);
                self.gap(leading * style::TABLE_SPACE);
                self.no_indent = false;
            }
            BlockKind::Rule => {
                self.gap(leading * style::RULE_SPACE);
                let length = width * style::RULE_LENGTH;
                self.push(Elem::Rule { x: x + (width - length) / 2.0, width: length });
                self.gap(leading * style::RULE_SPACE);
                self.no_indent = true;
            }
        }
    }

    /// The widest word of a cell's text in `ps` (set on one line), and the
    /// widest piece of a word hyphenated wherever its language allows (with its hyphen).
    fn widest_word(&self, content: &[Inline], ps: &ParaStyle) -> (Pt, Pt) {
        let width = |text: &str| -> Pt {
            let lines = paragraph::set(&[Inline::Text(text.to_owned())], ps, self.fonts);
            lines.first().map_or(Pt::ZERO, |l| l.runs.iter().map(TextRun::width).sum())
        };
        let text = Inline::plain_text(content);
        let (mut word_max, mut piece_max) = (Pt::ZERO, Pt::ZERO);
        for word in text.split(char::is_whitespace).filter(|w| !w.is_empty()) {
            word_max = word_max.max(width(word));
            let mut from = 0;
            let breaks = crate::typography::hyphenate(word, ps.lang);
            for at in breaks.into_iter().chain([word.len()]) {
                if at <= from || !word.is_char_boundary(at) {
                    continue;
                }
                let piece = &word[from..at];
                let shown = if at < word.len() { format!("{piece}-") } else { piece.to_owned() };
                piece_max = piece_max.max(width(&shown));
                from = at;
            }
        }
        (word_max, piece_max)
    }

    /// Puts a list marker into the hanging indent of the first line after
    /// `first_elem`; returns that line's structure element.
    fn add_marker(&mut self, first_elem: usize, marker: &str, indent: Pt) -> Option<u32> {
        let ps = ParaStyle {
            family: Family::Serif,
            style: Style::default(),
            size: self.opts.font_size(),
            leading: self.opts.leading(),
            align: Align::Left,
            indent: Pt::ZERO,
            width: indent,
            lang: self.lang,
            hyphenate: false,
            expansion: 0.0,
            tracking: 0.0,
        };
        let mut set = paragraph::set(&[Inline::Text(marker.to_string())], &ps, self.fonts);
        let mut mline = set.pop()?;
        if let Some(run) = mline.runs.last_mut() {
            run.end_with_space(self.fonts);
        }
        for (e, origin) in self.flow.elems.iter_mut().zip(&self.flow.origins).skip(first_elem) {
            if let Elem::Line { line, .. } = e {
                let w: Pt = mline.runs.iter().map(TextRun::width).sum();
                let gap = self.opts.font_size() * style::MARKER_GAP;
                for mut r in mline.runs {
                    r.x = r.x - w - gap;
                    r.added |= TextRun::MARKER;
                    line.runs.insert(0, r);
                }
                line.text = format!("{marker} {}", line.text);
                return origin.node;
            }
        }
        None
    }

    fn image(&mut self, img: &crate::model::ImageRef, x: Pt, width: Pt, span_start: usize, opener: bool) {
        let Some(asset) = self.images.get(&img.path) else { return };
        let (px_w, px_h) = (asset.width.max(1) as f64, asset.height.max(1) as f64);
        // As wide as the measure, unless that would print the picture below the
        // resolution print needs: then as large as that resolution allows.
        let largest_w = Pt::inch(px_w / style::PRINT_DPI);
        // An opening picture fills a band of whole lines at the top of the page.
        let leading = self.opts.leading();
        let deepest = (self.opts.text_height() * style::OPENER_BAND).min(width * style::OPENER_ASPECT);
        // Whole lines, rounded up so that a 3 : 2 picture still takes the full measure.
        let band = leading
            * (deepest / leading - 0.01)
                .ceil()
                .min((self.opts.text_height() * style::OPENER_BAND / leading).floor());
        let max_h = if opener { band } else { self.opts.text_height() * self.opts.pdf.image_max_height };
        // A width the source asks for (`{width=50%}`) is a share of the measure.
        let mut w = img.width.map_or(width.min(largest_w), |share| width * share);
        let mut h = w * (px_h / px_w);
        if h > max_h {
            h = max_h;
            w = h * (px_w / px_h);
        }
        let dpi = px_w / (w.get() / 72.0);
        if dpi < style::PRINT_DPI - 0.5 {
            self.warnings.push(Warning {
                doc: self.doc_index,
                offset: span_start,
                message: format!(
                    "image `{}` is printed at {dpi:.0} dpi, below {:.0} dpi",
                    img.src,
                    style::PRINT_DPI
                ),
                hint: "use a larger image file for print".into(),
            });
        }
        // The caption is the figure's, or a paragraph of its own beside a decorative picture.
        let caption_node = img.title.as_ref().map(|_| match self.origin.node {
            Some(figure) => {
                let outer = std::mem::replace(&mut self.parent, figure);
                let n = self.node(Role::Caption, self.lang);
                self.parent = outer;
                n
            }
            None => self.node(Role::P, self.lang),
        });
        let caption = match &img.title {
            Some(t) => {
                let size = self.opts.font_size() * style::CAPTION_SCALE;
                let italic = Style { bold: false, italic: true };
                let ps = ParaStyle {
                    hyphenate: true,
                    ..ParaStyle::short(Family::Serif, italic, size, Align::Center, width, self.lang)
                };
                paragraph::set(&[Inline::Text(t.clone())], &ps, self.fonts)
            }
            None => Vec::new(),
        };
        self.gap(self.opts.leading() * style::IMAGE_SPACE);
        self.push(Elem::Image {
            key: img.path.clone(),
            x: x + (width - w) / 2.0,
            width: w,
            height: h,
            sink: if opener { band - h } else { Pt::ZERO },
            caption,
            caption_x: x,
            caption_node,
        });
        self.gap(self.opts.leading() * style::IMAGE_SPACE);
        self.no_indent = false;
    }

    fn table(&mut self, t: &Table, x: Pt, width: Pt, span_start: usize) {
        let cols = t.columns();
        if cols == 0 {
            return;
        }
        let size = style::table_size(self.opts.font_size());
        let pad = style::table_padding(self.opts.font_size());
        let leading = size * style::TABLE_LEADING;
        let aligns: Vec<CellAlign> = (0..cols).map(|c| t.align(c)).collect();
        let numeric: Vec<bool> = (0..cols).map(|c| t.numeric(c)).collect();
        let style_for = |w: Pt, bold: bool, align: CellAlign, lang: Lang, hyphenate: bool| ParaStyle {
            family: Family::Serif,
            style: Style { bold, italic: false },
            size,
            leading,
            align: match align {
                CellAlign::Center => Align::Center,
                _ => Align::Left,
            },
            indent: Pt::ZERO,
            width: w,
            lang,
            hyphenate,
            expansion: 0.0,
            tracking: 0.0,
        };
        let line_width = |l: &LineBox| -> Pt { l.runs.iter().map(TextRun::width).sum() };
        // A cell set on one line, for measuring.
        let unbounded =
            |bold: bool, lang: Lang| style_for(Pt::new(100_000.0), bold, CellAlign::Left, lang, false);
        let one_line = |content: &[Inline], bold: bool, lang: Lang| -> Pt {
            paragraph::set(content, &unbounded(bold, lang), self.fonts)
                .first()
                .map(line_width)
                .unwrap_or(Pt::ZERO)
        };
        // Per column: its natural width (the widest cell on one line), its header's,
        // its widest word, and its widest piece of a word hyphenated wherever it may
        // be; headers measured in bold as they are set. Figures are never broken:
        // a column of them is as wide as its widest figure, lined up on the decimal
        // separator (`tail` is the widest part from the separator on).
        let least = size * style::TABLE_MIN_COLUMN;
        let mut natural = vec![least; cols];
        let mut body = vec![least; cols];
        let mut header = vec![least; cols];
        let mut word = vec![least; cols];
        let mut piece = vec![least; cols];
        let mut figures = vec![Pt::ZERO; cols];
        let mut tail = vec![Pt::ZERO; cols];
        let mut int = vec![Pt::ZERO; cols];
        // Each figure's own tail, by (body row, column), to line it up when set.
        let mut tails = std::collections::BTreeMap::new();
        for (c, cell) in t.header.iter().enumerate().take(cols) {
            let w = one_line(&cell.content, true, cell.lang) + pad * 2.0;
            natural[c] = natural[c].max(w);
            header[c] = header[c].max(w);
            let (wd, pc) = self.widest_word(&cell.content, &unbounded(true, cell.lang));
            word[c] = word[c].max(wd + pad * 2.0);
            piece[c] = piece[c].max(pc + pad * 2.0);
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate().take(cols) {
                let w = one_line(&cell.content, false, cell.lang);
                natural[c] = natural[c].max(w + pad * 2.0);
                body[c] = body[c].max(w + pad * 2.0);
                if numeric[c] {
                    let after = self.decimal_tail(&cell.content, &unbounded(false, cell.lang));
                    tails.insert((r, c), after);
                    tail[c] = tail[c].max(after);
                    int[c] = int[c].max(w - after);
                } else {
                    let (wd, pc) = self.widest_word(&cell.content, &unbounded(false, cell.lang));
                    word[c] = word[c].max(wd + pad * 2.0);
                    piece[c] = piece[c].max(pc + pad * 2.0);
                }
            }
        }
        for c in 0..cols {
            if numeric[c] {
                figures[c] = int[c] + tail[c] + pad * 2.0;
                natural[c] = natural[c].max(figures[c]);
                body[c] = body[c].max(figures[c]);
            }
        }
        let sum = |v: &[Pt]| -> Pt { v.iter().copied().sum() };
        let at_least = |a: &[Pt], b: &[Pt]| -> Vec<Pt> { a.iter().zip(b).map(|(x, y)| x.max(*y)).collect() };
        // Widest first: headers on one line, then headers broken between words, then
        // every word hyphenated where it may be; past that, one record to a block.
        let with_headers = at_least(&at_least(&word, &header), &figures);
        let by_words = at_least(&word, &figures);
        let by_pieces = at_least(&piece, &figures);
        // The room left goes first to the body's cells, then to the headers.
        let share = |least: &[Pt]| fill(&fill(least, &at_least(&body, least), width), &natural, width);
        let mut hyphenate_headers = false;
        let widths: Vec<Pt> = if sum(&natural) <= width {
            natural.clone()
        } else if sum(&with_headers) <= width {
            share(&with_headers)
        } else if sum(&by_words) <= width {
            share(&by_words)
        } else if sum(&by_pieces) <= width {
            hyphenate_headers = true;
            share(&by_pieces)
        } else {
            self.warnings.push(Warning {
                doc: self.doc_index,
                offset: span_start,
                message: format!(
                    "the table's {cols} columns do not fit the measure even one word to a line; each row is set as a block of its cells, headed by their column names"
                ),
                hint: "split the table, or set this output on a wider or landscape page".into(),
            });
            self.records(t, x, width);
            return;
        };
        let table_w: Pt = sum(&widths);
        let has_header = !t.header.is_empty();
        let rows: Vec<&Vec<Cell>> =
            std::iter::once(&t.header).filter(|_| has_header).chain(t.rows.iter()).collect();
        let n = rows.len();
        let head_elem = self.flow.elems.len();
        let table = self.parent;
        let head_group = has_header.then(|| self.node(Role::THead, self.lang));
        let body_group = self.node(Role::TBody, self.lang);
        for (r, row) in rows.into_iter().enumerate() {
            let is_header = has_header && r == 0;
            self.parent = if is_header { head_group.unwrap_or(body_group) } else { body_group };
            self.parent = self.node(Role::TR, self.lang);
            let mut nodes = Vec::new();
            let mut cells = Vec::new();
            let mut cx = x;
            let mut height = Pt::ZERO;
            for (c, w) in widths.iter().enumerate() {
                let cell = row.get(c).cloned().unwrap_or_default();
                nodes.push(Some(self.node(if is_header { Role::TH } else { Role::TD }, cell.lang)));
                // A hair over, so that a cell set at exactly its natural width stays on one line.
                let measure = *w - pad * 2.0 + Pt::new(0.01);
                let hyphenate = if is_header { hyphenate_headers } else { !numeric[c] };
                let mut lines = paragraph::set(
                    &cell.content,
                    &style_for(measure, is_header, aligns[c], cell.lang, hyphenate),
                    self.fonts,
                );
                if aligns[c] == CellAlign::Right {
                    // Figures line up on the decimal separator, the column's widest
                    // part after it closing the column; the rest flush right.
                    let after = if numeric[c] && !is_header {
                        tail[c] - tails.get(&(r - usize::from(has_header), c)).copied().unwrap_or(Pt::ZERO)
                    } else {
                        Pt::ZERO
                    };
                    for l in &mut lines {
                        let shift = (measure - line_width(l) - after).max(Pt::ZERO);
                        for run in &mut l.runs {
                            run.x += shift;
                        }
                    }
                }
                height = height.max(leading * lines.len() as f64);
                cells.push((cx + pad, lines));
                cx += *w;
            }
            self.push(Elem::Row {
                cells,
                nodes,
                height: height + pad * 2.0,
                rule_above: r == 0 || (has_header && r == 1),
                rule_below: r + 1 == n,
                width: table_w,
                header: is_header,
                head: (has_header && r > 0).then_some(head_elem),
            });
        }
        self.parent = table;
    }

    /// A table too wide for the measure, set one row to a block: the first cell in
    /// bold, then each other cell on a line of its own after its column's name,
    /// rules between rows.
    fn records(&mut self, t: &Table, x: Pt, width: Pt) {
        let size = style::table_size(self.opts.font_size());
        let pad = style::table_padding(self.opts.font_size());
        let leading = size * style::TABLE_LEADING;
        let n = t.rows.len();
        // No longer a grid: a group of paragraphs, one per row.
        self.flow.nodes[self.parent as usize].role = Role::Div;
        for (r, row) in t.rows.iter().enumerate() {
            let record = self.node(Role::P, self.lang);
            let mut lines = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                let text = Inline::plain_text(&cell.content);
                if text.trim().is_empty() {
                    continue;
                }
                let name = t.header.get(c).map(|h| h.content.clone()).filter(|h| !h.is_empty() && c > 0);
                let content = match name {
                    Some(name) => {
                        let mut label = name;
                        label.push(Inline::Text(": ".into()));
                        let mut v = vec![Inline::Emph(label)];
                        v.extend(cell.content.iter().cloned());
                        v
                    }
                    None if c == 0 => vec![Inline::Strong(cell.content.clone())],
                    None => cell.content.clone(),
                };
                let ps = ParaStyle {
                    family: Family::Serif,
                    style: Style::default(),
                    size,
                    leading,
                    align: Align::Left,
                    indent: Pt::ZERO,
                    width: width - pad * 2.0,
                    lang: cell.lang,
                    hyphenate: true,
                    expansion: 0.0,
                    tracking: 0.0,
                };
                lines.extend(paragraph::set(&content, &ps, self.fonts));
            }
            let height = leading * lines.len() as f64 + pad * 2.0;
            self.push(Elem::Row {
                cells: vec![(x + pad, lines)],
                nodes: vec![Some(record)],
                height,
                rule_above: true,
                rule_below: r + 1 == n,
                width,
                header: false,
                head: None,
            });
        }
    }

    /// Width of a figure's part from its decimal separator on (`,5` of `48,5`), or
    /// of what follows its last digit when it has none (` %` of `64 %`).
    fn decimal_tail(&self, content: &[Inline], ps: &ParaStyle) -> Pt {
        let text = Inline::plain_text(content);
        let text = text.trim();
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let separator =
            chars.windows(2).rev().find(|w| matches!(w[0].1, ',' | '.') && w[1].1.is_ascii_digit());
        let from = match separator {
            Some(w) => w[0].0,
            None => match chars.iter().rposition(|(_, ch)| ch.is_ascii_digit()) {
                Some(k) => chars.get(k + 1).map_or(text.len(), |(at, _)| *at),
                None => return Pt::ZERO,
            },
        };
        let rest = &text[from..];
        if rest.is_empty() {
            return Pt::ZERO;
        }
        paragraph::set(&[Inline::Text(rest.to_owned())], ps, self.fonts)
            .first()
            .map_or(Pt::ZERO, |l| l.runs.iter().map(TextRun::width).sum())
    }
}

/// Column widths for a table of `width`: each column its `least`, and the room left
/// shared so that columns wanting little more than their least get all of it (a
/// short name or a figure stays on one line) and the rest share what remains
/// equally, none past its `natural` width.
fn fill(least: &[Pt], natural: &[Pt], width: Pt) -> Vec<Pt> {
    let mut widths = least.to_vec();
    let mut left = width - least.iter().copied().sum::<Pt>();
    let mut open: Vec<usize> = (0..least.len()).filter(|&c| natural[c] > least[c]).collect();
    while !open.is_empty() && left > Pt::ZERO {
        let share = left / open.len() as f64;
        let (done, rest): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&c| natural[c] - widths[c] <= share);
        if done.is_empty() {
            for &c in &rest {
                widths[c] += share;
            }
            break;
        }
        for &c in &done {
            left -= natural[c] - widths[c];
            widths[c] = natural[c];
        }
        open = rest;
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_satisfies_small_wants_first() {
        let pt = |v: &[f64]| v.iter().map(|&x| Pt::new(x)).collect::<Vec<_>>();
        // A short name column (wants 20 more), a figure column (wants nothing more)
        // and a long text column (wants 300 more) in 100 pt of room.
        let w = fill(&pt(&[40.0, 30.0, 60.0]), &pt(&[60.0, 30.0, 360.0]), Pt::new(230.0));
        assert_eq!(w, pt(&[60.0, 30.0, 140.0]));
        // Two long columns share equally.
        let w = fill(&pt(&[50.0, 50.0]), &pt(&[300.0, 400.0]), Pt::new(200.0));
        assert_eq!(w, pt(&[100.0, 100.0]));
        assert_eq!(w.iter().copied().sum::<Pt>(), Pt::new(200.0));
    }
}
