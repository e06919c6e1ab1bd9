//! What the widespread reading systems reject or mangle, beyond what EPUBCheck
//! checks, in one place: the writer keeps its output inside these rules, and
//! [`check`] finds a breach of them in a finished package (the tests run it on
//! every book they build; the driver runs [`limits`] on every EPUB it writes).
//!
//! | rule | who | source |
//! |---|---|---|
//! | no `--` inside a comment (XML, and CSS to be safe) | XML 1.0 §2.5; Send to Kindle fails with E999 | harvard-edge/cs249r_book#1148 |
//! | no CSS custom properties (`--x: …`, `var()`) | Send to Kindle, E999 | the same thread |
//! | no CSS functions but `url()` (`calc()`, `min()`, …) | Adobe RMSDK (Kobo's and most e-ink readers' EPUB engine) reports the whole book as corrupt | André Klein, "Your EPUB is fine. Kobo disagrees. Blame Adobe" (2025) |
//! | no at-rules but `@font-face` (no `@media`, `@supports`) | KindleGen: "@rules other than @import, @charset and @font-face are not supported" | daniel-j/send2ereader#73 |
//! | NCX nested two levels deep at most | "Kindle devices and applications support two levels of nesting" | Kindle Publishing Guidelines 2019.2, §5.2 |
//! | file names of ASCII letters, digits, `-`, `_`, `.` | Kindle: no special characters in file names and paths | Kindle Publishing Guidelines, "File Path and File Name Requirements" |
//! | fonts as TrueType or OpenType, not WOFF | Adobe RMSDK and KF8 read only TTF/OTF | Book Business, "Converting from InDesign to Kindle" |
//! | a content document under 300 KB | legacy RMSDK devices fail on larger XHTML files (conversion tools split at 300 KB) | MobileRead forum, Atlantis' splitting rule |
//! | the whole file under 50 MB | Send to Kindle by e-mail takes up to 50 MB (200 MB by the web page) | Leafbind, "Send to Kindle E999" |
//!
//! The last two depend on the statements and pictures, not on the writer:
//! [`limits`] reports them so the driver can warn.

/// Deepest NCX nesting (levels of `navPoint`).
pub(crate) const NCX_MAX_DEPTH: usize = 2;

/// Largest content document, uncompressed, in bytes.
pub const XHTML_MAX_BYTES: usize = 300 * 1024;

/// Largest package Send to Kindle takes by e-mail, in bytes.
pub const PACKAGE_MAX_BYTES: usize = 50 * 1024 * 1024;

/// Breaches of the rules above in one file of a package (`name` is its path in
/// the container), each a sentence naming the file.
pub fn check(name: &str, bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b)) {
        found.push(format!("{name}: a file name with characters other than ASCII letters, digits, - _ ."));
    }
    let text = || String::from_utf8_lossy(bytes);
    let ext = name.rsplit('.').next().unwrap_or("");
    match ext {
        "xhtml" | "opf" | "ncx" | "xml" => {
            for comment in between(&text(), "<!--", "-->") {
                if comment.contains("--") {
                    found.push(format!("{name}: `--` inside a comment"));
                }
            }
            if ext == "ncx" {
                let depth = ncx_depth(&text());
                if depth > NCX_MAX_DEPTH {
                    found.push(format!(
                        "{name}: the NCX nests {depth} levels deep (Kindle shows {NCX_MAX_DEPTH})"
                    ));
                }
            }
        }
        "css" => found.extend(css(name, &text())),
        "woff" | "woff2" => found.push(format!("{name}: a WOFF font (RMSDK and Kindle read TTF and OTF)")),
        _ => {}
    }
    found
}

/// Size limits a package breaches: content documents over [`XHTML_MAX_BYTES`],
/// the whole over [`PACKAGE_MAX_BYTES`].
pub fn limits<'a>(files: impl IntoIterator<Item = (&'a str, usize)>, total: usize) -> Vec<String> {
    let mut found: Vec<String> = files
        .into_iter()
        .filter(|(name, len)| name.ends_with(".xhtml") && *len > XHTML_MAX_BYTES)
        .map(|(name, len)| {
            format!(
                "{name} is {} KB; reading systems built on Adobe's older engine fail on content documents over {} KB: split the statement",
                len / 1024,
                XHTML_MAX_BYTES / 1024
            )
        })
        .collect();
    if total > PACKAGE_MAX_BYTES {
        found.push(format!(
            "the EPUB is {} MB; Send to Kindle by e-mail takes up to {} MB: reduce the pictures",
            total >> 20,
            PACKAGE_MAX_BYTES >> 20
        ));
    }
    found
}

/// The CSS rules' breaches.
fn css(name: &str, css: &str) -> Vec<String> {
    let mut found = Vec::new();
    for comment in between(css, "/*", "*/") {
        if comment.contains("--") {
            found.push(format!("{name}: `--` inside a comment"));
        }
    }
    let code = strip_comments(css);
    if code.contains("--") || code.contains("var(") {
        found.push(format!("{name}: a CSS custom property"));
    }
    for (i, _) in code.match_indices('(') {
        let word: String =
            code[..i].chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let word: String = word.chars().rev().collect();
        if word != "url" {
            found.push(format!("{name}: the CSS function `{word}()`"));
        }
    }
    for (i, _) in code.match_indices('@') {
        let rule: String =
            code[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if rule != "font-face" {
            found.push(format!("{name}: the at-rule `@{rule}`"));
        }
    }
    found
}

/// The pieces of `s` between each `open` and the following `close`.
fn between<'s>(s: &'s str, open: &str, close: &str) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        let after = &rest[i + open.len()..];
        let end = after.find(close).unwrap_or(after.len());
        out.push(&after[..end]);
        rest = &after[(end + close.len()).min(after.len())..];
    }
    out
}

/// `css` without its comments.
fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..].split_once("*/").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

/// How deep `navPoint`s nest in an NCX.
fn ncx_depth(ncx: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = ncx;
    while let Some(i) = rest.find("navPoint") {
        let closing = rest[..i].ends_with("</");
        let opening = rest[..i].ends_with('<');
        if opening {
            depth += 1;
            deepest = deepest.max(depth);
        } else if closing {
            depth = depth.saturating_sub(1);
        }
        rest = &rest[i + "navPoint".len()..];
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_finds_its_breach() {
        let bad_css = "/* a -- b */ :root { --x: 1px; } p { margin: calc(1em + var(--x)); }\n@media (min-width: 1px) { p {} }";
        let found = check("EPUB/css/a.css", bad_css.as_bytes());
        for what in ["inside a comment", "custom property", "`calc()`", "`@media`"] {
            assert!(found.iter().any(|f| f.contains(what)), "{what} not found in {found:?}");
        }
        assert!(
            check(
                "EPUB/css/ok.css",
                b"@font-face { src: url(\"../fonts/a.ttf\"); }\np { -epub-hyphens: auto; }"
            )
            .is_empty()
        );
        assert!(!check("EPUB/text/a.xhtml", b"<p><!-- a -- b --></p>").is_empty());
        assert!(!check("EPUB/text/Ж.xhtml", b"<p/>").is_empty());
        assert!(!check("EPUB/fonts/a.woff2", b"").is_empty());
        let ncx = "<navMap><navPoint><navPoint><navPoint></navPoint></navPoint></navPoint><navPoint></navPoint></navMap>";
        assert!(check("EPUB/toc.ncx", ncx.as_bytes()).iter().any(|f| f.contains("3 levels")));
        assert!(check("EPUB/toc.ncx", b"<navPoint><navPoint></navPoint></navPoint>").is_empty());
        let big =
            limits([("EPUB/text/a.xhtml", XHTML_MAX_BYTES + 1), ("EPUB/images/1.jpg", 10 << 20)], 60 << 20);
        assert_eq!(big.len(), 2, "{big:?}");
    }
}
