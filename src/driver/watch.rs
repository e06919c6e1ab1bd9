//! `samizdat watch`: builds, then rebuilds whenever the manifest, a statement,
//! an image or a font file changes, until interrupted.
//!
//! Watched are the manifest's folder and the folders of every document and
//! image, each without its subfolders: a book folder often holds `target/`,
//! `.git/` or an archive of thousands of files that have nothing to do with
//! the book, and a recursive watch would register every one of them. After
//! each build the set is renewed, so a new folder matched by a glob is
//! watched from then on. Output folders are never watched (they are never the
//! folder of a source, see `check_out_dir`), so writing the outputs does not
//! trigger a rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::input::absolute;
use super::{BuildOptions, LoadOptions, Progress, Report, build_project, load_with};
use crate::diag::{Diagnostic, Diagnostics, Location};

/// Quiet time after the last change before rebuilding: editors write a file in
/// several steps (a temporary file, a rename, a metadata change) within a few
/// milliseconds, and "save all" touches several files at once.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// One build of the watch loop.
#[derive(Debug)]
pub struct Rebuild {
    /// How long loading and building took.
    pub took: Duration,
    /// The files whose change caused it; empty for the first build.
    pub changed: Vec<PathBuf>,
    /// What the build gave.
    pub result: Result<(Report, Diagnostics), Diagnostics>,
}

/// Builds `path`, then rebuilds after every change, calling `on_build` after
/// each build. Returns only when the file-system watcher fails.
pub fn watch(
    path: &Path,
    opts: &BuildOptions,
    progress: &dyn Progress,
    on_build: &mut dyn FnMut(Rebuild),
) -> Result<(), Diagnostic> {
    let fail = |e: notify::Error| {
        Diagnostic::error(Some(Location::file(path)), format!("cannot watch for changes: {e}"))
            .with_hint("on Linux, raise fs.inotify.max_user_watches, or use `samizdat build`")
    };
    // Nothing to watch for: a path that does not exist would wait for ever.
    if !path.exists() {
        return Err(Diagnostic::error(Some(Location::file(path)), "no such file or folder")
            .with_hint("give the folder of book.toml, the manifest itself, or a Markdown file"));
    }
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).map_err(fail)?;
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut changed = Vec::new();
    loop {
        let started = Instant::now();
        let (result, folders) = build_once(path, opts, progress);
        let took = started.elapsed();
        // Renew the watched folders; a folder that cannot be watched (deleted) is left out.
        for gone in watched.difference(&folders) {
            let _ = watcher.unwatch(gone);
        }
        for new in folders.difference(&watched) {
            if new.is_dir() {
                watcher.watch(new, RecursiveMode::NonRecursive).map_err(fail)?;
            }
        }
        watched = folders;
        // Reported once watching, so that a change made on seeing the report is never missed.
        on_build(Rebuild { took, changed: std::mem::take(&mut changed), result });

        // Wait for a relevant change, then until nothing has changed for DEBOUNCE.
        let mut first = None;
        loop {
            let event = match first {
                None => rx.recv().map_err(|_| ()),
                Some(_) => rx.recv_timeout(DEBOUNCE).map_err(|_| ()),
            };
            match event {
                Ok(Ok(event)) if relevant(&event) => {
                    for p in event.paths {
                        if !changed.contains(&p) {
                            changed.push(p);
                        }
                    }
                    first.get_or_insert(Instant::now());
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(fail(e)),
                Err(()) if first.is_some() => break,
                Err(()) => {
                    return Err(Diagnostic::error(Some(Location::file(path)), "the file watcher stopped")
                        .with_hint("run `samizdat watch` again"));
                }
            }
        }
    }
}

/// Loads and builds once; returns the result and the folders to watch.
fn build_once(
    path: &Path,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> (Result<(Report, Diagnostics), Diagnostics>, BTreeSet<PathBuf>) {
    let mut folders = BTreeSet::new();
    // The input itself: a book folder, or the folder of a manifest or Markdown file.
    let base = if path.is_dir() {
        absolute(path)
    } else {
        absolute(path).parent().map(Path::to_path_buf).unwrap_or_default()
    };
    folders.insert(base);
    let load =
        LoadOptions { allow_outside_root: opts.allow_outside_root, missing_images: opts.missing_images };
    let loaded = super::thread_pool(opts.jobs).and_then(|pool| pool.install(|| load_with(path, &load)));
    let (project, diags) = match loaded {
        Ok(loaded) => loaded,
        Err(d) => return (Err(d), folders),
    };
    let parent = |p: &Path| p.parent().map(Path::to_path_buf);
    folders.extend(project.settings.documents.iter().filter_map(|d| parent(&d.path)));
    folders.extend(project.images.keys().filter_map(|p| parent(p)));
    let result = build_project(&project, diags, opts, progress);
    (result, folders)
}

/// A change to a file the book may be made of: content changes, new, removed
/// and renamed files with a source, image, font or manifest extension. Reads
/// (samizdat's own, an editor's) are not changes.
fn relevant(event: &notify::Event) -> bool {
    let kind = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_));
    kind && event.paths.iter().any(|p| {
        let hidden = p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.'));
        let ext = p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        !hidden && SOURCE_EXTENSIONS.contains(&ext.as_str())
    })
}

/// Extensions of the files a book is built from.
const SOURCE_EXTENSIONS: &[&str] =
    &["toml", "md", "markdown", "txt", "png", "jpg", "jpeg", "ttf", "otf", "ttc"];

#[cfg(test)]
mod tests {
    use super::*;

    // Saving a statement or an image counts; editor swap files and reads do not.
    #[test]
    fn relevant_changes() {
        let ev = |kind, p: &str| notify::Event::new(kind).add_path(PathBuf::from(p));
        let modify = EventKind::Modify(notify::event::ModifyKind::Any);
        assert!(relevant(&ev(modify, "/b/content/a.md")));
        assert!(relevant(&ev(modify, "/b/img/x.JPG")));
        assert!(!relevant(&ev(modify, "/b/content/.a.md.swp")));
        assert!(!relevant(&ev(modify, "/b/out/book.pdf")));
        assert!(!relevant(&ev(EventKind::Access(notify::event::AccessKind::Any), "/b/a.md")));
    }
}
