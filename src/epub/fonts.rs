//! The book's faces embedded in the EPUB: which face draws which characters of
//! the finished XHTML, each face cut down to those characters, and the
//! `@font-face` rules that name them.
//!
//! What a face draws is read from the content documents as a reading system
//! would style them with `style.css` and the HTML defaults: headings in the
//! sans family, code in the mono one; bold in headings, `th`, `strong`, `b`,
//! `dt`; italic in `em`, `i`, `cite`, `figcaption` and the byline. A face no
//! text uses is not embedded. Characters a face lacks go to the fallback face
//! (`[fonts] fallback`) when it has them, else to the reading system's own
//! fonts through the generic family that ends every `font-family` list.
//!
//! The faces are embedded under their own names, unobfuscated: the built-in
//! ParaType faces' licence allows embedding them in documents, and asks that
//! its text travel with them (`fonts/LICENSE.txt`). A face whose `OS/2`
//! table restricts embedding is not embedded; the text falls back to the
//! reading system's fonts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::fonts::web::{self, WebFont};
use crate::fonts::{FaceId, Family, FontSet, Style};

/// The licence of the built-in faces.
const PARATYPE_LICENCE: &str = include_str!("../../fonts/LICENSE-ParaType.txt");

/// A font file stored in the EPUB.
pub(crate) struct StoredFont {
    /// Manifest id.
    pub id: String,
    /// Path inside `EPUB/`, such as `fonts/serif-bold.ttf`.
    pub href: String,
    /// `font/ttf` or `font/otf`.
    pub media_type: &'static str,
    /// The subset.
    pub bytes: Vec<u8>,
}

/// Everything embedding adds to the package.
pub(crate) struct Embedded {
    /// The font files, in face order.
    pub files: Vec<StoredFont>,
    /// `@font-face` rules, to go before the stylesheet's own rules.
    pub faces: String,
    /// The families of body, headings and code, to go after them.
    pub families: String,
    /// The text of `fonts/LICENSE.txt`.
    pub licence: String,
    /// Faces that could not be embedded, and why.
    pub warnings: Vec<String>,
}

/// Path of the licence file inside `EPUB/`.
pub(crate) const LICENCE_HREF: &str = "fonts/LICENSE.txt";

/// The faces `documents` (finished XHTML) use, subset to what each draws; `None`
/// when no text is drawn at all. Without `files`, nothing could be embedded.
pub(crate) fn embed(set: &FontSet, documents: &[&str]) -> Option<Embedded> {
    let mut used: BTreeMap<FaceId, BTreeSet<char>> = BTreeMap::new();
    for doc in documents {
        styled_text(doc, |family, style, c| {
            let mut face = set.id(family, style);
            if !set.covers(face, c) {
                match set.fallback().filter(|&f| set.covers(f, c)) {
                    Some(f) => face = f,
                    None => return,
                }
            }
            used.entry(face).or_default().insert(c);
        });
    }
    // Every face that draws text also draws the spaces between its words and
    // a line-end hyphen when the reading system hyphenates.
    for chars in used.values_mut() {
        chars.extend([' ', '\u{a0}', '-', '\u{2010}']);
    }

    let names = family_names(set);
    let mut files = Vec::new();
    let mut faces = String::from("/* The book's own faces, subset to its text (see fonts/LICENSE.txt). */\n");
    let mut embedded_roles = BTreeSet::new();
    let mut warnings = Vec::new();
    // Faces not built in, by their notices: faces of one family share theirs.
    let mut notices: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    let mut builtin = false;
    for (id, chars) in &used {
        let face = set.face(*id);
        if face.embedding_restricted() {
            warnings.push(format!(
                "the font `{}` is not embedded: its licence restricts embedding; readers see their own font instead",
                face.name
            ));
            continue;
        }
        let Ok(WebFont { bytes, cff }) = web::subset(face, chars) else {
            warnings.push(format!(
                "the font `{}` is not embedded: it cannot be subset; readers see their own font instead",
                face.name
            ));
            continue;
        };
        let (slot, family, style) = slot(set, *id);
        let ext = if cff { "otf" } else { "ttf" };
        let href = format!("fonts/{slot}.{ext}");
        embedded_roles.insert(family);
        let _ = writeln!(
            faces,
            "@font-face {{ font-family: \"{}\"; font-weight: {}; font-style: {}; src: url(\"../{href}\"); }}",
            names[family],
            if style.bold { "bold" } else { "normal" },
            if style.italic { "italic" } else { "normal" },
        );
        files.push(StoredFont {
            id: format!("font-{slot}"),
            href,
            media_type: if cff { "font/otf" } else { "font/ttf" },
            bytes,
        });
        if matches!(face.data, crate::fonts::FontData::Static(_)) {
            builtin = true;
        } else {
            // The font's own name, never the path it was read from.
            let name = web::full_name(face).unwrap_or_else(|| names[family].clone());
            let faces = notices.entry(web::licence_notice(face)).or_default();
            if !faces.contains(&name) {
                faces.push(name);
            }
        }
    }
    if files.is_empty() {
        return Some(Embedded {
            files,
            faces: String::new(),
            families: String::new(),
            licence: String::new(),
            warnings,
        });
    }
    // The families, after the stylesheet's own rules (which name only the
    // generic ones), for the roles a face was embedded for.
    let mut families =
        String::from("\n/* The embedded faces first; the reading system's own after them. */\n");
    let stack = |family: Family, generic: &str| {
        let mut s = format!("\"{}\"", names[role(family)]);
        if set.fallback().is_some() {
            let _ = write!(s, ", \"{}\"", names[FALLBACK]);
        }
        format!("{s}, {generic}")
    };
    for (family, selector, generic) in [
        (Family::Serif, "body", "serif"),
        (Family::Sans, "h1, h2, h3, h4, h5, h6", "sans-serif"),
        (Family::Mono, "pre, code", "monospace"),
    ] {
        if embedded_roles.contains(&role(family)) {
            let _ = writeln!(families, "{selector} {{ font-family: {}; }}", stack(family, generic));
        }
    }

    let mut licence = String::from(
        "Fonts embedded in this book, as subsets of the characters it uses.\n\
         Their copyright and licence notices follow.\n",
    );
    if builtin {
        let _ = write!(licence, "\n{}\n{PARATYPE_LICENCE}", "=".repeat(72));
    }
    for (lines, faces) in notices {
        let _ = write!(licence, "\n{}\n{}\n\n", "=".repeat(72), faces.join(", "));
        if lines.is_empty() {
            licence.push_str("(the font file carries no copyright or licence notice)\n");
        }
        for line in lines {
            let _ = writeln!(licence, "{line}");
        }
    }
    Some(Embedded { files, faces, families, licence, warnings })
}

/// Index of the fallback family in [`family_names`].
const FALLBACK: usize = 3;

/// The CSS family names of serif, sans, mono and the fallback: each face's
/// own family name where distinct, else one made distinct, so that two roles
/// served by the same font file still get their own `@font-face` rules.
fn family_names(set: &FontSet) -> [String; 4] {
    let regular = Style::default();
    let roles = [
        (set.id(Family::Serif, regular), "Serif"),
        (set.id(Family::Sans, regular), "Sans"),
        (set.id(Family::Mono, regular), "Mono"),
    ];
    let mut names: Vec<String> = Vec::new();
    let faces = roles.iter().map(|&(id, role)| (Some(id), role)).chain([(set.fallback(), "Fallback")]);
    for (id, role) in faces {
        let own = id.and_then(|id| web::family_name(set.face(id)));
        let mut name = own.unwrap_or_else(|| format!("Book {role}"));
        name.retain(|c| c != '"' && c != '\\' && !c.is_control());
        if names.contains(&name) {
            name = format!("{name} {role}");
        }
        names.push(name);
    }
    [names[0].clone(), names[1].clone(), names[2].clone(), names[3].clone()]
}

/// Index of a family's name in [`family_names`].
fn role(family: Family) -> usize {
    match family {
        Family::Serif => 0,
        Family::Sans => 1,
        Family::Mono => 2,
    }
}

/// The file name of face `id`, the index of its family name in
/// [`family_names`], and its style.
fn slot(set: &FontSet, id: FaceId) -> (&'static str, usize, Style) {
    const SLOTS: [(&str, Family, bool, bool); 7] = [
        ("serif-regular", Family::Serif, false, false),
        ("serif-italic", Family::Serif, false, true),
        ("serif-bold", Family::Serif, true, false),
        ("serif-bold-italic", Family::Serif, true, true),
        ("sans-regular", Family::Sans, false, false),
        ("sans-bold", Family::Sans, true, false),
        ("mono-regular", Family::Mono, false, false),
    ];
    for (name, family, bold, italic) in SLOTS {
        let style = Style { bold, italic };
        if set.id(family, style) == id {
            return (name, role(family), style);
        }
    }
    // The fallback: one regular face, under its own family name.
    ("fallback", FALLBACK, Style::default())
}

/// Calls `f` with the family, style and character of every character of the
/// body of `xhtml` that a reading system draws, as the stylesheet styles it.
/// Knows the markup samizdat writes: no CDATA; character references decoded
/// as the Markdown reader decodes them.
fn styled_text(xhtml: &str, mut f: impl FnMut(Family, Style, char)) {
    // One entry per open element: (name, family, style).
    let mut stack: Vec<(&str, Family, Style)> = Vec::new();
    let mut in_body = false;
    let mut rest = xhtml;
    while !rest.is_empty() {
        let (text, tag) = match rest.find('<') {
            Some(i) => (&rest[..i], Some(i)),
            None => (rest, None),
        };
        if in_body && !text.is_empty() {
            let (family, style) = stack.last().map_or((Family::Serif, Style::default()), |e| (e.1, e.2));
            for c in
                crate::markdown::decode_references(text).chars().filter(|c| !matches!(c, '\n' | '\r' | '\t'))
            {
                f(family, style, c);
            }
        }
        let Some(i) = tag else { break };
        let after = &rest[i..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let t = &after[..end];
        rest = &after[end..];
        if t.starts_with("<?") || t.starts_with("<!") {
            continue;
        }
        if let Some(name) = t.strip_prefix("</") {
            let name = name.trim_end_matches('>').trim();
            if let Some(at) = stack.iter().rposition(|e| e.0 == name) {
                stack.truncate(at);
            }
            if name == "body" {
                in_body = false;
            }
            continue;
        }
        let inner = t.trim_start_matches('<').trim_end_matches('>');
        let self_closing = inner.ends_with('/');
        let name = inner.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if name == "body" {
            in_body = true;
        }
        if self_closing {
            continue;
        }
        let (mut family, mut style) = stack.last().map_or((Family::Serif, Style::default()), |e| (e.1, e.2));
        let class = inner.split("class=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("");
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                family = Family::Sans;
                style.bold = true;
            }
            "th" | "strong" | "b" | "dt" => style.bold = true,
            "em" | "i" | "cite" | "figcaption" | "var" | "dfn" => style.italic = true,
            "pre" | "code" | "kbd" | "samp" | "tt" => family = Family::Mono,
            _ => {}
        }
        if class.split_whitespace().any(|c| c == "byline") {
            style.italic = true;
        }
        stack.push((name, family, style));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_read_with_the_style_they_are_drawn_in() {
        let doc = "<?xml version=\"1.0\"?>\n<html><head><title>Не текст</title></head>\n<body>\
                   <h1>Заголовок <em>курсив</em></h1><p class=\"byline\">Автор</p>\
                   <p>Абзац <strong>жирный <em>оба</em></strong> <code>x&lt;1</code> &amp; Ә&#x4D8;</p><hr/>\
                   <table><tr><th>Ш</th><td>Д</td></tr></table></body></html>";
        let mut seen: BTreeMap<(Family, Style), String> = BTreeMap::new();
        styled_text(doc, |family, style, c| seen.entry((family, style)).or_default().push(c));
        let get =
            |family, bold, italic| seen.get(&(family, Style { bold, italic })).cloned().unwrap_or_default();
        assert_eq!(get(Family::Sans, true, false), "Заголовок ");
        assert_eq!(get(Family::Sans, true, true), "курсив");
        assert_eq!(get(Family::Serif, false, true), "Автор");
        assert_eq!(get(Family::Serif, false, false), "Абзац   & ӘӘД");
        assert_eq!(get(Family::Serif, true, false), "жирный Ш");
        assert_eq!(get(Family::Serif, true, true), "оба");
        assert_eq!(get(Family::Mono, false, false), "x<1");
        assert!(!seen.values().any(|s| s.contains('Н')), "the head's title is not drawn");
    }

    #[test]
    fn only_the_faces_a_book_draws_with_are_embedded() {
        let set = FontSet::embedded();
        let doc = "<html><body><h1>Заявление</h1><p>Текст <em>важно</em>.</p></body></html>";
        let e = embed(&set, &[doc]).expect("embeds");
        let hrefs: Vec<&str> = e.files.iter().map(|f| f.href.as_str()).collect();
        assert_eq!(hrefs, ["fonts/serif-regular.ttf", "fonts/serif-italic.ttf", "fonts/sans-bold.ttf"]);
        assert!(
            e.faces.contains("font-family: \"PT Serif\"; font-weight: normal; font-style: italic"),
            "{}",
            e.faces
        );
        assert!(e.families.contains("body { font-family: \"PT Serif\", serif; }"), "{}", e.families);
        assert!(!e.families.contains("pre"), "no code, no mono face: {}", e.families);
        assert!(e.licence.contains("ParaType Free Font License"));
    }
}
