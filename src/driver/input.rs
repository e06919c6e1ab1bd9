//! Where the input is and what may be read: the manifest or Markdown file a
//! path stands for, and the confinement of every read to the book's folder.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::manifest::{self, Settings};

/// Finds the manifest or Markdown file that `path` stands for.
pub(super) fn resolve_input(path: &Path) -> Result<Input, Diagnostic> {
    if path.is_dir() {
        let toml = path.join("book.toml");
        if toml.is_file() {
            return Ok(Input::Manifest(toml));
        }
        return Err(Diagnostic::error(Some(Location::file(path)), "this folder has no `book.toml`")
            .with_hint("run `samizdat new DIR` to create a book, or pass a Markdown file: `samizdat build statement.md`"));
    }
    if !path.exists() {
        return Err(Diagnostic::error(Some(Location::file(path)), "no such file or folder")
            .with_hint("check the path; `samizdat build` with no argument uses the current folder"));
    }
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("toml") => Ok(Input::Manifest(path.to_path_buf())),
        Some("md" | "markdown" | "txt") => Ok(Input::Markdown(path.to_path_buf())),
        _ => Err(Diagnostic::error(
            Some(Location::file(path)),
            "expected a `book.toml`, a folder or a Markdown file",
        )
        .with_hint("Markdown files end in `.md`")),
    }
}

pub(super) enum Input {
    Manifest(PathBuf),
    Markdown(PathBuf),
}

pub(super) fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Keeps reading inside the book's folder: a path is accepted when its real
/// location (after `..` and symlinks) is under the real root.
#[derive(Debug)]
pub(super) struct Confinement {
    root: PathBuf,
}

impl Confinement {
    pub(super) fn new(root: &Path) -> Confinement {
        Confinement { root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()) }
    }

    /// `Err` with a reason (for the message) when `path` leaves the root. A path
    /// that does not exist is judged by its text, so that the "not found" error
    /// still comes from the reader.
    pub(super) fn check(&self, path: &Path) -> Result<(), String> {
        let real = match std::fs::canonicalize(path) {
            Ok(p) => p,
            Err(_) => normalize_lexically(path),
        };
        if real.starts_with(&self.root) {
            return Ok(());
        }
        let linked = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
            || normalize_lexically(path).starts_with(&self.root);
        Err(if linked {
            format!(
                "it is a link to `{}`, outside the book's folder `{}`",
                real.display(),
                self.root.display()
            )
        } else {
            format!("it is outside the book's folder `{}`", self.root.display())
        })
    }
}

/// `a/b/../c` → `a/c` without touching the file system.
pub(super) fn normalize_lexically(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in absolute(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The hint for paths refused by [`Confinement`].
pub(super) const OUTSIDE_HINT: &str =
    "copy the file into the book's folder, or pass `--allow-outside-root` if you trust this book";

/// The error for a document outside the root, placed at its entry in `book.toml` when found there.
pub(super) fn outside_document(
    settings: &Settings,
    entry: &manifest::DocumentEntry,
    why: &str,
) -> Diagnostic {
    let loc = settings.manifest.as_ref().map(|m| match entry.at {
        Some((line, column)) => Location { file: m.clone(), line, column },
        None => Location::file(m),
    });
    Diagnostic::error(loc, format!("document `{}` is refused: {why}", entry.display.display()))
        .with_hint(OUTSIDE_HINT)
}
