//! The language of a statement and of each of its blocks, decided once.
//!
//! The statement: front matter `lang`, else the manifest entry's `lang`, else
//! the language most of its paragraphs are in ([`locale::judge`]; its notes
//! count only when its body cannot tell), else the book's `language`. Then, in reading order, every block: a heading's `{lang=…}`
//! attribute, else its own text when long enough to judge, else its section's
//! language. A `{lang=…}` heading at the top level opens a section that lasts
//! to the next heading of the same or a higher level. Lists, quotes and tables
//! take the language of their passages when those tell (a quoted Kazakh appeal
//! in a Russian statement), else their section's, and hand it to their items
//! and cells, which judge their own text the same way. A note takes its own
//! text's language, else that of the passage that first calls it.
//!
//! Typography, hyphenation, the EPUB's `xml:lang` and the PDF's `/Lang` read
//! the result ([`Block::lang`], [`Cell::lang`], [`Footnote::lang`]) and decide nothing.

use std::collections::BTreeMap;

use super::{Block, BlockKind, Document, Inline, Lang};
use crate::locale::{self, LetterCount};

impl Document {
    /// Decides the statement's language and every block's (see the module text).
    /// `declared` is the front matter's or the manifest entry's `lang`, `fallback`
    /// the book's. Running it twice gives the same result.
    pub fn resolve_languages(&mut self, declared: Option<Lang>, fallback: Lang) {
        self.lang = declared
            .or_else(|| {
                // The body decides; notes only when the body cannot tell.
                let mut passages = Vec::new();
                passages_of(&self.blocks, &mut passages);
                locale::judge(passages.iter().copied()).or_else(|| {
                    for note in &self.footnotes {
                        passages_of(&note.blocks, &mut passages);
                    }
                    locale::detect(passages)
                })
            })
            .unwrap_or(fallback);
        let mut walk = Walk { sections: Vec::new(), calls: BTreeMap::new() };
        walk.blocks(&mut self.blocks, self.lang, true);
        for note in &mut self.footnotes {
            let called_in = walk.calls.get(&note.number).copied().unwrap_or(self.lang);
            note.lang = judge_blocks(&note.blocks).unwrap_or(called_in);
            walk.blocks(&mut note.blocks, note.lang, false);
        }
    }
}

/// The letters of each passage of blocks, for detection: each paragraph,
/// heading and image caption, and each table as one. Code is not prose and is left out.
fn passages_of(blocks: &[Block], out: &mut Vec<LetterCount>) {
    // A block declared to be in a language of its own (a fenced div's) is a
    // passage in another language: it does not tell the surrounding text's.
    for b in blocks.iter().filter(|b| b.lang_attr.is_none()) {
        match &b.kind {
            BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => out.push(letters(c)),
            BlockKind::List { items, .. } => items.iter().for_each(|item| passages_of(item, out)),
            BlockKind::Quote(inner) => passages_of(inner, out),
            BlockKind::Table(t) => {
                let mut count = LetterCount::default();
                t.cells().for_each(|cell| count.add(letters(&cell.content)));
                out.push(count);
            }
            BlockKind::Image(i) => out.push(LetterCount::of(i.title.as_deref().unwrap_or_default())),
            BlockKind::Code(_) | BlockKind::Rule => {}
        }
    }
}

/// The letters of inline text (what [`Inline::plain_text`] would give, without
/// building it: note calls and line breaks hold no letters).
fn letters(inlines: &[Inline]) -> LetterCount {
    let mut count = LetterCount::default();
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => count.add(LetterCount::of(t)),
            // A passage marked as another language does not tell the paragraph's.
            Inline::Span { .. } | Inline::FootnoteRef(_) | Inline::LineBreak => {}
            _ => count.add(letters(i.children().unwrap_or_default())),
        }
    }
    count
}

/// The language the passages of blocks tell, when any is long enough to judge.
fn judge_blocks(blocks: &[Block]) -> Option<Lang> {
    let mut passages = Vec::new();
    passages_of(blocks, &mut passages);
    locale::judge(passages)
}

/// The language one passage of inline text tells, when it is long enough.
fn judge_inlines(content: &[Inline]) -> Option<Lang> {
    letters(content).passage()
}

struct Walk {
    /// Open sections of the top level: the level of the heading that opened each, and its language.
    sections: Vec<(u8, Lang)>,
    /// Language of the passage that first calls each note.
    calls: BTreeMap<u32, Lang>,
}

impl Walk {
    /// Resolves `blocks`, whose surrounding language is `outer`; `top` for the
    /// statement's own blocks, where headings open sections.
    fn blocks(&mut self, blocks: &mut [Block], outer: Lang, top: bool) {
        for block in blocks {
            let section = if top { self.sections.last().map_or(outer, |s| s.1) } else { outer };
            // A language the source declares for the block (a fenced div's) is not second-guessed.
            let declared = block.lang_attr;
            block.lang = match &mut block.kind {
                BlockKind::Heading { level, content, lang_attr, .. } => {
                    if top {
                        while self.sections.last().is_some_and(|s| s.0 >= *level) {
                            self.sections.pop();
                        }
                    }
                    let section = if top { self.sections.last().map_or(outer, |s| s.1) } else { outer };
                    let lang = lang_attr.or(declared).or_else(|| judge_inlines(content)).unwrap_or(section);
                    if top && let Some(l) = lang_attr {
                        self.sections.push((*level, *l));
                    }
                    self.calls_in(content, lang);
                    lang
                }
                BlockKind::Paragraph(content) => {
                    let lang = declared.or_else(|| judge_inlines(content)).unwrap_or(section);
                    self.calls_in(content, lang);
                    lang
                }
                BlockKind::List { items, .. } => {
                    let mut passages = Vec::new();
                    items.iter().for_each(|item| passages_of(item, &mut passages));
                    let lang = declared.or_else(|| locale::judge(passages)).unwrap_or(section);
                    for item in items {
                        self.blocks(item, lang, false);
                    }
                    lang
                }
                BlockKind::Quote(inner) => {
                    let lang = declared.or_else(|| judge_blocks(inner)).unwrap_or(section);
                    self.blocks(inner, lang, false);
                    lang
                }
                BlockKind::Table(table) => {
                    let lang = declared
                        .or_else(|| locale::judge(table.cells().map(|c| letters(&c.content))))
                        .unwrap_or(section);
                    for cell in table.cells_mut() {
                        cell.lang = judge_inlines(&cell.content).unwrap_or(lang);
                        self.calls_in(&cell.content, cell.lang);
                    }
                    lang
                }
                BlockKind::Image(img) => declared
                    .or_else(|| img.title.as_deref().and_then(|t| LetterCount::of(t).passage()))
                    .unwrap_or(section),
                BlockKind::Code(_) | BlockKind::Rule => declared.unwrap_or(section),
            };
        }
    }

    /// Records `lang` for the notes first called in `content`.
    fn calls_in(&mut self, content: &[Inline], lang: Lang) {
        for inline in content {
            match inline {
                Inline::FootnoteRef(n) => {
                    self.calls.entry(*n).or_insert(lang);
                }
                Inline::Span { lang, content } => self.calls_in(content, *lang),
                _ => self.calls_in(inline.children().unwrap_or_default(), lang),
            }
        }
    }
}
