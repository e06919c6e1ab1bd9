//! Typography: a parsed [`Document`] in, the same document with its text set by
//! the rules of its language out, plus the hyphenation points layout asks for.
//!
//! [`normalize`] runs once between `markdown::parse` and the writers, so PDF
//! and EPUB get the same quotes, dashes and no-break spaces. The rules live in
//! `rules` (one table per language), hyphenation in `hyphenate`.

mod hyphenate;
mod rules;

use crate::model::{Block, BlockKind, Document, Inline, Lang};

pub use hyphenate::{adds_hyphen, hyphenate};

use rules::{ATOM, Cell, LINE_BREAK};

/// `char::is_alphabetic` with fast paths for ASCII and the Cyrillic block, where
/// nearly all of the text is: the general lookup is a binary search over Unicode
/// tables and showed up in profiles of large books.
#[inline]
pub fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        // Cyrillic: every code point is a letter except the thousands sign and combining marks.
        0x400..=0x481 | 0x48A..=0x4FF => true,
        0x482..=0x489 => false,
        _ => c.is_alphabetic(),
    }
}

/// `char::is_alphanumeric` with the same fast paths as [`is_letter`].
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() { c.is_ascii_alphanumeric() } else { is_letter(c) || c.is_numeric() }
}

/// Applies the language's typographic rules to every Text inline of the document
/// (blocks, list items, quotes, table cells, footnotes, headings, image alt text
/// and captions) and to `doc.title`.
///
/// Each block, cell and note is set by the rules of the language the model
/// decided for it ([`crate::model::Block::lang`]). Code spans and code blocks
/// are never touched. Running it twice changes nothing.
pub fn normalize(doc: &mut Document) {
    doc.title = normalize_text(&doc.title, doc.lang);
    blocks(&mut doc.blocks);
    for note in &mut doc.footnotes {
        blocks(&mut note.blocks);
    }
}

/// The same rules on a lone string (titles, metadata).
pub fn normalize_text(text: &str, lang: Lang) -> String {
    let cells = text.chars().map(|ch| Cell { ch, owner: Some(0) }).collect();
    rules::apply(cells, lang).into_iter().map(|c| c.ch).collect()
}

fn blocks(blocks: &mut [Block]) {
    for block in blocks {
        let lang = block.lang;
        match &mut block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => inlines(content, lang),
            BlockKind::Image(image) => {
                image.alt = normalize_text(&image.alt, lang);
                if let Some(title) = &mut image.title {
                    *title = normalize_text(title, lang);
                }
            }
            BlockKind::List { items, .. } => {
                for item in items {
                    self::blocks(item);
                }
            }
            BlockKind::Quote(inner) => self::blocks(inner),
            BlockKind::Table(table) => {
                for cell in table.cells_mut() {
                    inlines(&mut cell.content, cell.lang);
                }
            }
            BlockKind::Code(_) | BlockKind::Rule => {}
        }
    }
}

/// Runs the rules over one block's inlines as a single stream, then writes
/// each text inline back and drops those left empty.
fn inlines(content: &mut Vec<Inline>, lang: Lang) {
    let mut texts = Vec::new();
    let mut cells = Vec::new();
    collect(content, &mut texts, &mut cells);
    // The rules change a text's length by a few bytes at most (a space becomes a
    // no-break space, quotes change form): room for that, so strings grow once.
    let mut rebuilt: Vec<String> =
        texts.iter().map(|t| String::with_capacity(t.len() + t.len() / 8 + 4)).collect();
    for cell in rules::apply(cells, lang) {
        if let Some(text) = cell.owner.and_then(|o| rebuilt.get_mut(o as usize)) {
            text.push(cell.ch);
        }
    }
    for (text, new) in texts.into_iter().zip(rebuilt) {
        *text = new;
    }
    drop_empty_texts(content);
}

/// Flattens inlines into cells in document order, remembering each text inline.
fn collect<'a>(inlines: &'a mut [Inline], texts: &mut Vec<&'a mut String>, cells: &mut Vec<Cell>) {
    for inline in inlines {
        match inline {
            Inline::Text(text) => {
                let owner = Some(texts.len() as u32);
                cells.extend(text.chars().map(|ch| Cell { ch, owner }));
                texts.push(text);
            }
            Inline::Code(_) | Inline::FootnoteRef(_) => cells.push(Cell { ch: ATOM, owner: None }),
            Inline::LineBreak => cells.push(Cell { ch: LINE_BREAK, owner: None }),
            _ => {
                if let Some(inner) = inline.children_mut() {
                    collect(inner, texts, cells)
                }
            }
        }
    }
}

/// Removes text inlines the rules emptied (a lone space merged into its neighbour).
fn drop_empty_texts(inlines: &mut Vec<Inline>) {
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    for inline in inlines {
        if let Some(inner) = inline.children_mut() {
            drop_empty_texts(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The fast letter test agrees with `char::is_alphabetic` on every code point it shortcuts.
    #[test]
    fn is_letter_matches_unicode() {
        for c in (0u32..0x600).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "U+{:04X}", c as u32);
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
        }
    }
    use crate::model::{Cell, Footnote, ImageRef, Table};
    use std::path::PathBuf;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    fn para(content: Vec<Inline>) -> Block {
        Block::new(BlockKind::Paragraph(content), 0..0)
    }

    fn heading(s: &str, lang: Option<Lang>) -> Block {
        Block::new(BlockKind::Heading { level: 2, content: vec![text(s)], id: None, lang_attr: lang }, 0..0)
    }

    /// Decides the languages as the parser does, with the document's declared, then normalises.
    fn settle(d: &mut Document) {
        let lang = d.lang;
        d.resolve_languages(Some(lang), lang);
        normalize(d);
    }

    fn doc(lang: Lang, blocks: Vec<Block>) -> Document {
        Document {
            path: PathBuf::from("a.md"),
            title: "\"Заявление\" - текст".to_string(),
            running_head: None,
            lang,
            date: None,
            author: None,
            place: None,
            slug: "a".to_string(),
            blocks,
            footnotes: Vec::new(),
        }
    }

    /// The paragraph's content after normalising it alone in a Russian document.
    fn normalized(content: Vec<Inline>) -> Vec<Inline> {
        let mut d = doc(Lang::Ru, vec![para(content)]);
        settle(&mut d);
        match d.blocks.remove(0).kind {
            BlockKind::Paragraph(c) => c,
            other => panic!("not a paragraph: {other:?}"),
        }
    }

    // Quotes straddling inline boundaries are paired across them.
    #[test]
    fn quotes_across_inlines() {
        let out = normalized(vec![text("\""), Inline::Strong(vec![text("слово")]), text("\" - да")]);
        assert_eq!(out, vec![text("«"), Inline::Strong(vec![text("слово")]), text("»\u{a0}— да")]);
    }

    // The brief's case: an opening guillemet, a bold word, and a straight quote and dash after it.
    #[test]
    fn closing_quote_after_bold_word() {
        let out = normalized(vec![text("«"), Inline::Strong(vec![text("слово")]), text("\" — ")]);
        assert_eq!(out, vec![text("«"), Inline::Strong(vec![text("слово")]), text("»\u{a0}—")]);
    }

    // Existing guillemets in one inline nest straight quotes in another.
    #[test]
    fn nesting_across_inlines() {
        let out = normalized(vec![text("«Роман "), Inline::Emph(vec![text("\"Война\"")]), text("»")]);
        assert_eq!(out, vec![text("«Роман "), Inline::Emph(vec![text("„Война“")]), text("»")]);
    }

    // A dash in an emphasised run is bound to the word before it in plain text.
    #[test]
    fn dash_across_inlines() {
        let out = normalized(vec![text("слово "), Inline::Emph(vec![text("- ещё")])]);
        assert_eq!(out, vec![text("слово\u{a0}"), Inline::Emph(vec![text("— ещё")])]);
    }

    // Spaces doubled across inlines collapse; an emptied text inline disappears.
    #[test]
    fn spaces_across_inlines() {
        let out = normalized(vec![text("раз "), text(" "), Inline::Strong(vec![text(" два")])]);
        assert_eq!(out, vec![text("раз "), Inline::Strong(vec![text("два")])]);
    }

    // A one-letter word before an emphasised word is tied to it.
    #[test]
    fn tie_across_inlines() {
        let out = normalized(vec![text("в "), Inline::Emph(vec![text("доме")])]);
        assert_eq!(out, vec![text("в\u{a0}"), Inline::Emph(vec![text("доме")])]);
    }

    // Code spans are untouched and read as a word; a quote after one closes.
    #[test]
    fn code_untouched() {
        let out = normalized(vec![text("\"код "), Inline::Code("\"a\" -- b".into()), text("\" - да")]);
        assert_eq!(out, vec![text("«код "), Inline::Code("\"a\" -- b".into()), text("»\u{a0}— да")]);
    }

    // A link's text is normalised and its URL is not.
    #[test]
    fn link_text_only() {
        let out =
            normalized(vec![Inline::Link { url: "http://a/\"b\"".into(), content: vec![text("\"да\"")] }]);
        assert_eq!(out, vec![Inline::Link { url: "http://a/\"b\"".into(), content: vec![text("«да»")] }]);
    }

    // A dash after a hard line break starts a dialogue line.
    #[test]
    fn dialogue_after_line_break() {
        let out = normalized(vec![text("Да."), Inline::LineBreak, text("- Нет.")]);
        assert_eq!(out, vec![text("Да."), Inline::LineBreak, text("—\u{a0}Нет.")]);
    }

    // A heading's language applies to it and its section: the blocks up to the next heading of its level.
    #[test]
    fn heading_switches_language() {
        let mut d = doc(
            Lang::Ru,
            vec![
                para(vec![text("\"да\" в доме")]),
                heading("\"Тіл\"", Some(Lang::En)),
                para(vec![text("\"yes\" - no")]),
                heading("Ещё", None),
                para(vec![text("\"yes\"")]),
                heading("Қазақша", Some(Lang::Kk)),
                para(vec![text("в дом \"иә\"")]),
            ],
        );
        settle(&mut d);
        let texts: Vec<String> = d
            .blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => Inline::plain_text(c),
                _ => String::new(),
            })
            .collect();
        assert_eq!(texts, ["«да» в\u{a0}доме", "“Тіл”", "“yes”—no", "Ещё", "«yes»", "Қазақша", "в дом «иә»"]);
        assert_eq!(d.title, "«Заявление»\u{a0}— текст");
    }

    // Lists, quotes, tables, images and footnotes are all normalised; code blocks are not.
    #[test]
    fn every_container() {
        let mut d = doc(
            Lang::Ru,
            vec![
                Block::new(
                    BlockKind::List { start: None, items: vec![vec![para(vec![text("\"а\"")])]] },
                    0..0,
                ),
                Block::new(BlockKind::Quote(vec![para(vec![text("\"б\"")])]), 0..0),
                Block::new(
                    BlockKind::Table(Table {
                        aligns: vec![],
                        header: vec![Cell::new(vec![text("\"в\"")])],
                        rows: vec![vec![Cell::new(vec![text("50 тенге")])]],
                    }),
                    0..0,
                ),
                Block::new(
                    BlockKind::Image(ImageRef {
                        src_at: 0,
                        missing: false,
                        src: "a.jpg".into(),
                        path: PathBuf::from("a.jpg"),
                        alt: "\"фото\"".into(),
                        title: Some("Вид - сверху".into()),
                        width: None,
                        decorative: false,
                    }),
                    0..0,
                ),
                Block::new(BlockKind::Code("\"код\" -- x".into()), 0..0),
                para(vec![text("сноска"), Inline::FootnoteRef(1)]),
            ],
        );
        d.footnotes.push(Footnote {
            number: 1,
            label: "1".into(),
            blocks: vec![para(vec![text("\"г\"")])],
            lang: Lang::Ru,
        });
        settle(&mut d);
        let dump = format!("{:?}", d.blocks) + &format!("{:?}", d.footnotes);
        for expected in
            ["«а»", "«б»", "«в»", "50\\u{a0}тенге", "«фото»", "Вид\\u{a0}— сверху", "\\\"код\\\" -- x", "«г»"]
        {
            assert!(dump.contains(expected), "{expected} missing in {dump}");
        }
    }

    // A footnote takes the language in force where it is called.
    #[test]
    fn footnote_language_from_call() {
        let mut d = doc(
            Lang::Ru,
            vec![heading("English", Some(Lang::En)), para(vec![text("note"), Inline::FootnoteRef(1)])],
        );
        d.footnotes.push(Footnote {
            number: 1,
            label: "n".into(),
            blocks: vec![para(vec![text("\"q\"")])],
            lang: Lang::Ru,
        });
        settle(&mut d);
        assert_eq!(d.footnotes[0].lang, Lang::En);
        assert!(matches!(&d.footnotes[0].blocks[0].kind, BlockKind::Paragraph(c) if *c == [text("“q”")]));
    }

    // normalize() run twice gives the same document.
    #[test]
    fn normalize_is_idempotent() {
        let mut d = doc(
            Lang::Ru,
            vec![
                para(vec![
                    text("\"Он "),
                    Inline::Strong(vec![text("сказал")]),
                    text(" - \"да\"\" и т.д.,  т.е. "),
                    Inline::Emph(vec![text("в 1941--1945 гг.")]),
                ]),
                para(vec![text("- Привет"), Inline::LineBreak, text("-- Пока, А. С. Пушкин")]),
                heading("\"English\" - yes", Some(Lang::En)),
                para(vec![text("\"don't\" -- 'go'")]),
            ],
        );
        settle(&mut d);
        let once = d.clone();
        settle(&mut d);
        assert_eq!(d, once);
    }

    // normalize_text follows the language's table.
    #[test]
    fn normalize_text_per_language() {
        assert_eq!(normalize_text("\"Да\" - нет", Lang::Ru), "«Да»\u{a0}— нет");
        assert_eq!(normalize_text("\"Иә\" - жоқ", Lang::Kk), "«Иә»\u{a0}— жоқ");
        assert_eq!(normalize_text("\"Yes\" - no", Lang::En), "“Yes”—no");
    }

    // Generated strings of quotes, dashes, spaces, letters and digits, split into
    // inlines at random, never panic and normalise idempotently.
    #[test]
    fn generated_input_is_stable() {
        const ALPHABET: &[char] = &[
            '"', '\'', '-', '—', '–', ' ', ' ', '\u{a0}', '\n', '.', ',', ':', '(', ')', 'т', 'е', 'и', 'в',
            'д', 'ж', 'А', 'С', 'қ', '5', '0', 'X', 'I', '«', '»', '„', '“', '”', '‘', '’', '№', '%', 'a',
            's', '\u{301}',
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut random = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for round in 0..3000 {
            let lang = [Lang::Ru, Lang::Kk, Lang::En][round % 3];
            let mut content = Vec::new();
            for _ in 0..random(5) + 1 {
                let s: String = (0..random(12)).map(|_| ALPHABET[random(ALPHABET.len())]).collect();
                content.push(match random(6) {
                    0 => Inline::Strong(vec![text(&s)]),
                    1 => Inline::Emph(vec![text(&s), Inline::FootnoteRef(1)]),
                    2 => Inline::Code(s),
                    3 => Inline::LineBreak,
                    _ => text(&s),
                });
            }
            let plain = Inline::plain_text(&content);
            let mut d = doc(lang, vec![para(content)]);
            settle(&mut d);
            let once = d.clone();
            settle(&mut d);
            assert_eq!(d, once, "{lang:?}: {plain:?}");
            let t = normalize_text(&plain, lang);
            assert_eq!(normalize_text(&t, lang), t, "{lang:?}: {plain:?}");
        }
    }

    // Odd strings never panic, in any language.
    #[test]
    fn odd_strings() {
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            for s in [
                "",
                " ",
                "\"",
                "\"\"\"",
                "--",
                "-",
                "'",
                "   ",
                "«»„“",
                "Мир peace Бейбітшілік - \"'",
                "\u{2028}",
            ] {
                let once = normalize_text(s, lang);
                assert_eq!(normalize_text(&once, lang), once);
            }
        }
        let out =
            normalized(vec![text(""), Inline::LineBreak, text("\""), Inline::FootnoteRef(9), text("-")]);
        assert_eq!(out, vec![Inline::LineBreak, text("«"), Inline::FootnoteRef(9), text("-")]);
    }
}
