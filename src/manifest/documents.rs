//! Expanding `documents` into files. This and the cover check are the parts of
//! manifest resolution that look at the file system: globs are expanded relative
//! to the manifest folder, each glob's matches sorted by path, and every file
//! must appear once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern};
use toml::Spanned;

use super::raw::{RawDocument, StrOrTable};
use super::{DocumentEntry, Source, resolve_encoding, resolve_lang, text_value};
use crate::diag::{Diagnostics, line_col};

/// `*` and `?` stay within one folder and do not match hidden files; `**` crosses folders.
const MATCH: MatchOptions =
    MatchOptions { case_sensitive: true, require_literal_separator: true, require_literal_leading_dot: true };

/// One `documents` item after reading: where it is, what it says, what it overrides.
struct Item<'a> {
    span: std::ops::Range<usize>,
    written: &'a str,
    title: Option<String>,
    running_head: Option<String>,
    lang: Option<crate::model::Lang>,
    encoding: Option<&'static encoding_rs::Encoding>,
}

/// The files of `entries` in reading order, each once. Problems go to `diags`.
pub(super) fn expand(
    entries: &[Spanned<StrOrTable<RawDocument>>],
    root: &Path,
    src: Source<'_>,
    diags: &mut Diagnostics,
) -> Vec<DocumentEntry> {
    let mut out = Vec::new();
    // Canonical path → (entry as written, offset of the entry), to name the first listing.
    let mut seen: BTreeMap<PathBuf, (String, usize)> = BTreeMap::new();
    for entry in entries {
        let span = entry.span();
        let (item, is_glob) = match entry.get_ref() {
            StrOrTable::Str(s) => {
                let is_glob = s.contains(['*', '?', '[']);
                (
                    Item {
                        span: span.clone(),
                        written: s.trim(),
                        title: None,
                        running_head: None,
                        lang: None,
                        encoding: None,
                    },
                    is_glob,
                )
            }
            StrOrTable::Table(doc) => {
                let title = text_value(doc.title.as_ref(), "title", src, diags);
                let running_head = text_value(doc.running_head.as_ref(), "running-head", src, diags);
                let lang = doc.lang.as_ref().and_then(|l| resolve_lang(l, src, diags));
                let encoding = doc.encoding.as_ref().and_then(|e| resolve_encoding(e, src, diags));
                let Some(file) = &doc.file else {
                    diags.push(
                        src.error(span, "missing `file` in a `documents` entry")
                            .with_hint("write it as { file = \"extra/x.md\", title = \"…\" }"),
                    );
                    continue;
                };
                (
                    Item {
                        span: file.span(),
                        written: file.get_ref().trim(),
                        title,
                        running_head,
                        lang,
                        encoding,
                    },
                    false,
                )
            }
        };
        if item.written.is_empty() {
            diags.push(src.error(item.span, "empty path in `documents`").with_hint("remove the empty entry"));
            continue;
        }
        let files = if is_glob { glob(&item, root, src, diags) } else { literal(&item, root, src, diags) };
        for path in files {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            let display = path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.clone());
            // A glob that takes a file again (listed by name before, or matched by
            // an earlier glob) takes it once, where it came first.
            if is_glob && seen.contains_key(&key) {
                continue;
            }
            if let Some((first, offset)) = seen.get(&key) {
                let (line, _) = line_col(src.text, *offset);
                diags.push(
                    src.error(item.span.clone(), format!("`{}` is listed twice", display.display()))
                        .with_hint(format!(
                            "it is already taken by `{first}` on line {line}; list each file once"
                        )),
                );
                continue;
            }
            seen.insert(key, (item.written.to_owned(), item.span.start));
            let at = Some(line_col(src.text, item.span.start));
            out.push(DocumentEntry {
                path,
                display,
                title: item.title.clone(),
                running_head: item.running_head.clone(),
                lang: item.lang,
                at,
                encoding: item.encoding,
            });
        }
    }
    out
}

/// A single named file: it must exist and be a file.
fn literal(item: &Item<'_>, root: &Path, src: Source<'_>, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let path = root.join(item.written);
    if path.is_file() {
        return vec![path];
    }
    let written = item.written;
    let d = if path.is_dir() {
        let pattern = format!("{}/*.md", written.trim_end_matches(['/', '\\']));
        src.error(item.span.clone(), format!("`{written}` is a folder, not a file"))
            .with_hint(format!("write \"{pattern}\" to take the Markdown files in it"))
    } else {
        src.error(item.span.clone(), format!("file `{written}` not found")).with_hint(format!(
            "paths in `documents` are relative to the manifest folder `{}`",
            root.display()
        ))
    };
    diags.push(d);
    Vec::new()
}

/// A glob: its matching files, sorted; an error when it matches none.
fn glob(item: &Item<'_>, root: &Path, src: Source<'_>, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let written = item.written;
    let pattern = if Path::new(written).is_absolute() {
        written.to_owned()
    } else {
        format!("{}/{written}", Pattern::escape(&root.to_string_lossy()))
    };
    let compiled = match Pattern::new(&pattern) {
        Ok(p) => p,
        Err(e) => {
            diags.push(
                src.error(item.span.clone(), format!("invalid glob `{written}`: {}", e.msg)).with_hint(
                    "`*` matches within a folder, `**` across folders, `[abc]` one of the letters",
                ),
            );
            return Vec::new();
        }
    };
    // The folders are walked from the pattern's fixed beginning, each real folder
    // once: a symbolic link back to a folder already walked (`self -> .`, a loop
    // under `**`) is passed over, so the walk ends and each file comes once.
    let base: PathBuf = Path::new(&pattern)
        .components()
        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
        .collect();
    let depth = if pattern.contains("**") {
        MAX_GLOB_DEPTH
    } else {
        Path::new(&pattern).components().count().saturating_sub(base.components().count())
    };
    let mut files = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut unreadable = Vec::new();
    walk(
        &base,
        depth,
        &mut seen,
        &mut |path| {
            if compiled.matches_path_with(path, MATCH) {
                files.push(path.to_path_buf());
            }
        },
        &mut unreadable,
    );
    for (dir, e) in unreadable {
        let message = format!("cannot read `{}` while expanding `{written}`: {e}", dir.display());
        diags.push(src.error(item.span.clone(), message));
    }
    files.sort();
    if files.is_empty() {
        diags.push(src.error(item.span.clone(), format!("`{written}` matches no file")).with_hint(format!(
            "globs are relative to the manifest folder `{}`; `*` stays within a folder, `**/*.md` also searches subfolders",
            root.display()
        )));
    }
    files
}

/// Deepest folder a `**` glob descends into.
const MAX_GLOB_DEPTH: usize = 32;

/// Calls `found` on every file under `dir` down to `depth` folders, entering each
/// real folder once (by its canonical path).
fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut std::collections::BTreeSet<PathBuf>,
    found: &mut dyn FnMut(&Path),
    unreadable: &mut Vec<(PathBuf, std::io::Error)>,
) {
    let Ok(real) = std::fs::canonicalize(dir) else { return };
    if !seen.insert(real) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            unreadable.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_file() {
            found(&path);
        } else if path.is_dir() && depth > 0 {
            walk(&path, depth - 1, seen, found, unreadable);
        }
    }
}
