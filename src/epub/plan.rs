//! Everything decided before any XHTML is written: file names of the
//! statements, image numbering, element ids of every heading and footnote, and
//! how a link in the Markdown maps to an `href` inside the book.
//!
//! Deciding this up front lets a link in one statement point at a heading of
//! another, and makes every name depend only on the book, never on iteration
//! order of a hash map.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use super::EpubError;
use crate::model::{Block, BlockKind, Book, Document, ImageAsset, Images, Inline, Lang};

/// A book with every name inside the EPUB decided.
pub(crate) struct Plan<'a> {
    /// The book being packaged.
    pub book: &'a Book,
    /// Book title, trimmed and known to be non-empty.
    pub title: &'a str,
    /// Book identifier, trimmed and known to be non-empty.
    pub identifier: &'a str,
    /// One entry per statement, in reading order.
    pub docs: Vec<DocPlan<'a>>,
    /// Images in first-use order (the cover first); each stored once.
    pub images: Vec<StoredImage<'a>>,
    /// Index into `images` by resolved path.
    image_index: BTreeMap<&'a Path, usize>,
    /// Index into `images` of the cover.
    pub cover: Option<usize>,
    /// Print pages to mark in the text, in page order.
    pub pages: &'a [crate::model::PageMark],
    /// Languages whose running text gets soft hyphens.
    pub soft_hyphens: &'a [Lang],
    /// The print edition the page list follows (its file name).
    pub page_source: Option<&'a str>,
}

/// A statement and the names it gets inside the EPUB.
pub(crate) struct DocPlan<'a> {
    /// The statement.
    pub doc: &'a Document,
    /// File name inside `text/`, such as `appeal.xhtml`.
    pub file: String,
    /// Manifest id of the file.
    pub manifest_id: String,
    /// Plain-text name for `<title>`, the TOC and the NCX; never empty.
    pub label: String,
    /// Element ids decided for the statement.
    pub anchors: Anchors,
}

/// An image file stored in the EPUB.
pub(crate) struct StoredImage<'a> {
    /// Its key in the book's images.
    pub path: &'a Path,
    /// The loaded file.
    pub asset: &'a ImageAsset,
    /// Path inside the `EPUB/` folder, such as `images/1.jpg`.
    pub href: String,
    /// Manifest id.
    pub id: String,
}

/// A heading of a statement as the TOC and the renderer see it.
pub(crate) struct HeadingInfo {
    /// Level from the Markdown, 1–6 (clamped).
    pub level: u8,
    /// Element id, unique in the file.
    pub id: String,
    /// Plain text without footnote calls.
    pub text: String,
    /// Whether the heading is a direct child of the body (not inside a list,
    /// quote or footnote): only those appear in the TOC.
    pub top_level: bool,
    /// Language in force at the heading.
    pub lang: Lang,
}

/// Element ids of one statement, decided before rendering.
#[derive(Default)]
pub(crate) struct Anchors {
    /// Ids already taken; the renderer continues from this for extra calls.
    pub ids: Ids,
    /// Headings in rendering order (body, then footnotes; depth first).
    pub headings: Vec<HeadingInfo>,
    /// Explicit `{#id}` as written → the id used.
    explicit: BTreeMap<String, String>,
    /// Id of each footnote, parallel to `Document::footnotes`.
    pub note_ids: Vec<String>,
    /// Footnote number → index into `Document::footnotes` of the note it calls.
    pub notes_by_number: BTreeMap<u32, usize>,
    /// Footnote number → id of its first call, for numbers that are called.
    pub first_refs: BTreeMap<u32, String>,
    /// Whether a level-1 heading stands in the body.
    pub has_h1: bool,
}

impl Anchors {
    /// The id that a fragment written in a link points at, if any: an explicit
    /// `{#id}`, an id as generated, or (as GitHub and pandoc name headings) the
    /// heading whose text gives the same slug.
    fn resolve(&self, fragment: &str) -> Option<&str> {
        if let Some(id) = self.explicit.get(fragment) {
            return Some(id);
        }
        if let Some(id) = self.ids.used.get(fragment) {
            return Some(id);
        }
        let wanted = slugify(fragment);
        if wanted.is_empty() {
            return None;
        }
        self.headings.iter().find(|h| slugify(&h.text) == wanted).map(|h| h.id.as_str())
    }
}

/// A registry of the ids used in one XHTML file, handing out unique XML names.
#[derive(Default, Clone)]
pub(crate) struct Ids {
    used: BTreeSet<String>,
}

impl Ids {
    /// An id close to `wanted`, made a valid XML name and unique in the file
    /// (a `-2`, `-3`… suffix on collision).
    pub fn claim(&mut self, wanted: &str) -> String {
        let base = xml_name(wanted);
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut k: u64 = 2;
        loop {
            let candidate = format!("{base}-{k}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            k += 1;
        }
    }
}

impl<'a> Plan<'a> {
    /// Decides names for `book`; fails when an image (or the cover) was not loaded.
    pub fn new(book: &'a Book, images: &'a Images, cover: Option<&Path>) -> Result<Plan<'a>, EpubError> {
        let title = book.meta.title.trim();
        if title.is_empty() {
            return Err(EpubError::MissingTitle);
        }
        let identifier = book.meta.identifier.trim();
        if identifier.is_empty() {
            return Err(EpubError::MissingIdentifier);
        }
        let mut plan = Plan {
            book,
            title,
            identifier,
            docs: Vec::new(),
            images: Vec::new(),
            image_index: BTreeMap::new(),
            cover: None,
            pages: &[],
            soft_hyphens: &[],
            page_source: None,
        };
        if let Some(path) = cover {
            plan.cover = Some(plan.add_image(images, path)?);
        }
        let mut files = BTreeSet::new();
        for (i, doc) in book.documents.iter().enumerate() {
            for img in doc.images().into_iter().filter(|i| !i.missing) {
                plan.add_image(images, &img.path)?;
            }
            let file = unique_file(&doc.slug, i, &mut files);
            let anchors = anchors(doc);
            let label = doc_label(doc, &anchors, i);
            plan.docs.push(DocPlan { doc, file, manifest_id: format!("text-{}", i + 1), label, anchors });
        }
        Ok(plan)
    }

    /// Registers an image on first use and returns its index.
    fn add_image(&mut self, images: &'a Images, path: &Path) -> Result<usize, EpubError> {
        let Some((key, asset)) = images.get_key_value(path) else {
            return Err(EpubError::MissingImage(path.to_path_buf()));
        };
        if let Some(&i) = self.image_index.get(key.as_path()) {
            return Ok(i);
        }
        let n = self.images.len() + 1;
        self.images.push(StoredImage {
            path: key.as_path(),
            asset,
            href: format!("images/{n}.{}", asset.format.extension()),
            id: format!("img-{n}"),
        });
        self.image_index.insert(key.as_path(), n - 1);
        Ok(n - 1)
    }

    /// The stored image for a resolved path (always present after [`Plan::new`]).
    pub fn image(&self, path: &Path) -> Option<&StoredImage<'a>> {
        self.image_index.get(path).and_then(|&i| self.images.get(i))
    }

    /// The `href` a link written in statement `from` gets, relative to the
    /// statement's file; `None` when the link must be rendered as plain text
    /// (a scheme other than http, https or mailto, or a relative target that
    /// is not in the book — EPUBCheck rejects links to missing resources).
    pub fn link_href(&self, from: usize, url: &str) -> Option<String> {
        let url = url.trim();
        if url.is_empty() {
            return None;
        }
        if let Some(scheme) = scheme(url) {
            let rest = &url[scheme.len() + 1..];
            return match scheme.to_ascii_lowercase().as_str() {
                "http" | "https" => web_url(scheme, rest),
                "mailto" if !rest.trim().is_empty() => Some(encode_url(url)),
                _ => None,
            };
        }
        if url.starts_with('/') || url.starts_with('\\') {
            return None;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let target = if path.is_empty() { from } else { self.doc_at(from, path)? };
        let dp = self.docs.get(target)?;
        let fragment = fragment.map(percent_decode).filter(|f| !f.is_empty());
        let id = fragment.as_deref().and_then(|f| dp.anchors.resolve(f));
        match id {
            Some(id) if target == from => Some(format!("#{}", encode_url(id))),
            Some(id) => Some(format!("{}#{}", dp.file, encode_url(id))),
            // `#missing` in the same statement: nothing to point at.
            None if path.is_empty() => None,
            None => Some(dp.file.clone()),
        }
    }

    /// The statement whose source is `rel` (percent-encoded, relative to statement `from`).
    fn doc_at(&self, from: usize, rel: &str) -> Option<usize> {
        let base = self.docs.get(from)?.doc.path.parent().unwrap_or(Path::new(""));
        let wanted = normalize(&base.join(percent_decode(rel)));
        self.docs.iter().position(|d| normalize(&d.doc.path) == wanted)
    }
}

/// A file name `<slug>.xhtml` not used before; a repeated slug gets the
/// statement's position as suffix.
fn unique_file(slug: &str, index: usize, used: &mut BTreeSet<String>) -> String {
    let mut base = slugify(slug);
    if base.is_empty() {
        base = format!("statement-{}", index + 1);
    }
    let mut name = base.clone();
    let mut k = 0u64;
    while used.contains(&name) {
        name = if k == 0 { format!("{base}-{}", index + 1) } else { format!("{base}-{}-{k}", index + 1) };
        k += 1;
    }
    used.insert(name.clone());
    format!("{name}.xhtml")
}

/// The plain-text name of a statement: its title, else its first heading, else its position.
fn doc_label(doc: &Document, anchors: &Anchors, index: usize) -> String {
    let title = doc.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if !title.is_empty() {
        return title;
    }
    if let Some(h) = anchors.headings.iter().find(|h| !h.text.is_empty()) {
        return h.text.clone();
    }
    (index + 1).to_string()
}

/// Decides the ids of footnotes, footnote calls and headings of a statement.
fn anchors(doc: &Document) -> Anchors {
    let mut a = Anchors::default();
    for (i, note) in doc.footnotes.iter().enumerate() {
        a.note_ids.push(a.ids.claim(&format!("fn{}", note.number)));
        a.notes_by_number.entry(note.number).or_insert(i);
    }
    let mut called = BTreeSet::new();
    for_each_block(&doc.blocks, &mut |b| collect_calls(b, &mut called));
    for note in &doc.footnotes {
        for_each_block(&note.blocks, &mut |b| collect_calls(b, &mut called));
    }
    for n in called {
        if a.notes_by_number.contains_key(&n) {
            let id = a.ids.claim(&format!("fnref{n}"));
            a.first_refs.insert(n, id);
        }
    }
    let mut count = 0usize;
    for block in &doc.blocks {
        if let BlockKind::Heading { level, .. } = &block.kind {
            a.has_h1 |= *level <= 1;
        }
        add_headings(std::slice::from_ref(block), true, &mut count, &mut a);
    }
    for note in &doc.footnotes {
        add_headings(&note.blocks, false, &mut count, &mut a);
    }
    a
}

/// Records the headings among `blocks` (depth first) with their ids.
fn add_headings(blocks: &[Block], top: bool, count: &mut usize, a: &mut Anchors) {
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { level, content, id, .. } => {
                *count += 1;
                let id = match id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(written) => {
                        let id = a.ids.claim(written);
                        a.explicit.entry(written.to_string()).or_insert_with(|| id.clone());
                        id
                    }
                    None => a.ids.claim(&format!("h-{count}")),
                };
                a.headings.push(HeadingInfo {
                    level: (*level).clamp(1, 6),
                    id,
                    text: plain_text(content),
                    top_level: top,
                    lang: block.lang,
                });
            }
            BlockKind::List { items, .. } => {
                for item in items {
                    add_headings(item, false, count, a);
                }
            }
            BlockKind::Quote(inner) => add_headings(inner, false, count, a),
            _ => {}
        }
    }
}

/// Calls `f` on every block, depth first, in reading order.
fn for_each_block(blocks: &[Block], f: &mut dyn FnMut(&Block)) {
    for b in blocks {
        f(b);
        match &b.kind {
            BlockKind::List { items, .. } => {
                for item in items {
                    for_each_block(item, f);
                }
            }
            BlockKind::Quote(inner) => for_each_block(inner, f),
            _ => {}
        }
    }
}

/// Adds the footnote numbers called directly in `block` (not in nested blocks).
fn collect_calls(block: &Block, out: &mut BTreeSet<u32>) {
    fn walk(inlines: &[Inline], out: &mut BTreeSet<u32>) {
        for i in inlines {
            match i {
                Inline::FootnoteRef(n) => {
                    out.insert(*n);
                }
                _ => walk(i.children().unwrap_or_default(), out),
            }
        }
    }
    match &block.kind {
        BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => walk(content, out),
        BlockKind::Table(t) => {
            for cell in t.cells() {
                walk(&cell.content, out);
            }
        }
        _ => {}
    }
}

/// Plain text of inlines for labels: footnote calls dropped, whitespace collapsed.
pub(crate) fn plain_text(inlines: &[Inline]) -> String {
    fn walk(inlines: &[Inline], out: &mut String) {
        for i in inlines {
            match i {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::FootnoteRef(_) => {}
                Inline::LineBreak => out.push(' '),
                _ => walk(i.children().unwrap_or_default(), out),
            }
        }
    }
    let mut s = String::new();
    walk(inlines, &mut s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lowercase ASCII `[a-z0-9_-]` from any text, Cyrillic transliterated; may be empty.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let piece = match c {
            'a'..='z' | '0'..='9' | '_' => {
                out.push(c);
                continue;
            }
            _ => translit(c),
        };
        match piece {
            Some(p) => out.push_str(p),
            None if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            None => {}
        }
    }
    let trimmed = out.trim_end_matches('-');
    trimmed.chars().take(64).collect::<String>().trim_end_matches('-').to_string()
}

/// Latin spelling of a lowercase Russian or Kazakh letter (`None` for other characters).
fn translit(c: char) -> Option<&'static str> {
    Some(match c {
        'а' | 'ә' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ғ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'й' | 'і' => "i",
        'к' => "k",
        'қ' => "q",
        'л' => "l",
        'м' => "m",
        'н' | 'ң' => "n",
        'о' | 'ө' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ұ' | 'ү' => "u",
        'ф' => "f",
        'х' => "kh",
        'һ' => "h",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// A valid XML name (NCName) from any text: EPUBCheck validates `id` as one.
fn xml_name(text: &str) -> String {
    let s = slugify(text);
    match s.chars().next() {
        None => "id".to_string(),
        Some(c) if c.is_ascii_lowercase() || c == '_' => s,
        Some(_) => format!("id-{s}"),
    }
}

/// The scheme of an absolute URL (`https` in `https://…`), per RFC 3986 §3.1.
fn scheme(url: &str) -> Option<&str> {
    let end = url.find(':')?;
    let s = &url[..end];
    let mut chars = s.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(s)
}

/// An http(s) URL that both EPUBCheck 5 (a WHATWG parser) and 4 (`java.net.URI`)
/// accept, or `None`. `rest` follows `scheme:`. The host must be a DNS name
/// (an internationalised one is converted to Punycode, RFC 3492), an IPv4
/// address or a bracketed IPv6 address; the rest is percent-encoded where needed.
fn web_url(scheme: &str, rest: &str) -> Option<String> {
    let rest = rest.strip_prefix("//")?;
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = if host_port.starts_with('[') {
        let (v6, after) = host_port.split_at(host_port.find(']')? + 1);
        let addr = &v6[1..v6.len() - 1];
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return None;
        }
        let port = if after.is_empty() { None } else { Some(after.strip_prefix(':')?) };
        (v6.to_string(), port)
    } else {
        let (host, port) = match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        };
        (dns_host(host)?, port)
    };
    let port = port.filter(|p| !p.is_empty());
    if port.is_some_and(|p| p.len() > 5 || !p.parse::<u32>().is_ok_and(|n| n <= 65535)) {
        return None;
    }
    let mut out = format!("{scheme}://");
    if let Some(user) = userinfo {
        out.push_str(&encode_url(user));
        out.push('@');
    }
    out.push_str(&host);
    if let Some(port) = port {
        out.push(':');
        out.push_str(port);
    }
    out.push_str(&encode_url(tail));
    Some(out)
}

/// A host name in ASCII: labels of letters, digits and inner hyphens (RFC 1123),
/// non-ASCII labels in Punycode, the last label starting with a letter unless
/// the whole is an IPv4 address.
fn dns_host(host: &str) -> Option<String> {
    let lower = host.to_lowercase();
    let (name, dot) = match lower.strip_suffix('.') {
        Some(name) => (name, "."),
        None => (lower.as_str(), ""),
    };
    let mut labels = Vec::new();
    for label in name.split('.') {
        let ascii = if label.is_ascii() { label.to_string() } else { format!("xn--{}", punycode(label)?) };
        let bytes = ascii.as_bytes();
        let ends_ok = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        let ok = bytes.len() <= 63
            && ends_ok(bytes.first())
            && ends_ok(bytes.last())
            && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-');
        if !ok {
            return None;
        }
        labels.push(ascii);
    }
    let ipv4 = labels.len() == 4 && labels.iter().all(|l| l.len() <= 3 && l.parse::<u8>().is_ok());
    let top_ok = labels.last().and_then(|l| l.bytes().next()).is_some_and(|b| b.is_ascii_alphabetic());
    (ipv4 || top_ok).then(|| format!("{}{dot}", labels.join(".")))
}

/// The Punycode encoding of a label (RFC 3492 §6.3), without the `xn--`
/// prefix; `None` on overflow.
fn punycode(label: &str) -> Option<String> {
    const BASE: u64 = 36;
    const T_MIN: u64 = 1;
    const T_MAX: u64 = 26;
    const SKEW: u64 = 38;
    const DAMP: u64 = 700;
    fn adapt(delta: u64, points: u64, first: bool) -> u64 {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    }
    fn digit(d: u64) -> char {
        // 0–25 are `a`–`z`, 26–35 are `0`–`9`; `d` is below 36 by construction.
        let d = d as u8;
        if d < 26 { (b'a' + d) as char } else { (b'0' + d - 26) as char }
    }
    let input: Vec<u64> = label.chars().map(|c| u64::from(u32::from(c))).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u64;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut h) = (128u64, 0u64, 72u64, basic);
    while h < input.len() as u64 {
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(h + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, h + 1, h == basic);
                delta = 0;
                h += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    Some(out)
}

/// Percent-encodes what a URL may not contain literally (spaces, controls,
/// `"<>\^`{|}` and stray `%`), so EPUBCheck's URL parser accepts the `href`.
/// Other non-ASCII characters stay (an `href` is an IRI).
fn encode_url(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    for (i, c) in url.char_indices() {
        let escape = match c {
            '%' => {
                !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            }
            ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' => true,
            c => c.is_control(),
        };
        if escape {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `%XX` escapes; invalid UTF-8 becomes U+FFFD.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |j: usize| bytes.get(j).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path with `.` removed and `..` applied lexically, for comparing sources.
fn normalize(path: &Path) -> PathBuf {
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Punycode matches the RFC 3492 reference and well-known Cyrillic domains.
    #[test]
    fn punycode_known_values() {
        assert_eq!(punycode("пример").as_deref(), Some("e1afmkfd"));
        assert_eq!(punycode("рф").as_deref(), Some("p1ai"));
        assert_eq!(punycode("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(dns_host("Пример.РФ").as_deref(), Some("xn--e1afmkfd.xn--p1ai"));
    }

    // Web links are normalised so both EPUBCheck 4 and 5 accept them; unusable ones become text.
    #[test]
    fn web_urls() {
        assert_eq!(
            web_url("https", "//u:p@пример.рф:8080/a b?q=%zz#f").as_deref(),
            Some("https://u:p@xn--e1afmkfd.xn--p1ai:8080/a%20b?q=%25zz#f")
        );
        assert_eq!(web_url("http", "//[::1]:80/").as_deref(), Some("http://[::1]:80/"));
        assert_eq!(web_url("http", "//10.0.0.1").as_deref(), Some("http://10.0.0.1"));
        for bad in
            ["//", "//x y/", "//-a.com/", "//a_b.com", "//a.123", "//h:99999", "//[zz]/", "example.com"]
        {
            assert_eq!(web_url("http", bad), None, "{bad}");
        }
    }
}
