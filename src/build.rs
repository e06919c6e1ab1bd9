//! The driver: the only module that touches the filesystem, the environment
//! and the clock. It resolves the input (a `book.toml`, a folder holding one,
//! or a single Markdown file), reads and checks every source and image,
//! runs the pipeline for each output and writes the files atomically.

mod disk;
mod fit;
mod matrix;
mod volume;
pub mod watch;

use std::path::{Path, PathBuf};

pub use disk::{write_all_atomic, write_atomic};
pub use matrix::{Progress, Silent};

use crate::date::{Date, Stamp};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fonts::{FALLBACK_SLOT, FontError, FontSet};
use crate::images;
use crate::layout::{self, LayoutOptions};
use crate::manifest::{self, Format, Output, OutputKind, PdfSettings, Settings};
use crate::markdown::{self, SourceInfo};
use crate::model::{Block, BlockKind, Book, Document, Images, PageMark};
use crate::preflight;
use crate::typography;

/// What the user asked for on the command line.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Output folder; default `out/` next to the input.
    pub out_dir: Option<PathBuf>,
    /// Only these formats.
    pub formats: Option<Vec<Format>>,
    /// Only the output with this name.
    pub output: Option<String>,
    /// Fail, writing nothing, if there is any warning.
    pub deny_warnings: bool,
    /// Read documents and images outside the book's folder too.
    pub allow_outside_root: bool,
    /// Threads laying out and writing the outputs; `None`: one per core.
    pub jobs: Option<usize>,
}

/// How sources are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Read documents and images outside the book's folder (the folder of
    /// `book.toml`, or of the single Markdown file). Off by default, so that a
    /// book received from someone else cannot pull `../../.ssh/id_rsa` or
    /// `/etc/passwd` into its outputs.
    pub allow_outside_root: bool,
}

/// A loaded project: settings, parsed statements and their images.
#[derive(Debug)]
pub struct Project {
    /// Resolved manifest.
    pub settings: Settings,
    /// The book model after typographic normalisation.
    pub book: Book,
    /// Images by resolved path.
    pub images: Images,
    /// Markdown sources, for turning offsets into lines.
    pub sources: Vec<String>,
    /// Fonts.
    pub fonts: FontSet,
    /// The first document is the preface (`[book] preface`), not a statement:
    /// it gets no file of its own from a `per-document` output.
    pub preface: bool,
}

/// Result of a successful build.
#[derive(Debug, Default)]
pub struct Report {
    /// Files written, in order.
    pub written: Vec<PathBuf>,
    /// Pages of each PDF written, same order as the PDFs in `written`.
    pub pages: Vec<usize>,
    /// Preflight notes (informative; preflight warnings go with the diagnostics).
    pub notes: Vec<preflight::Finding>,
}

/// Finds the manifest or Markdown file that `path` stands for.
fn resolve_input(path: &Path) -> Result<Input, Diagnostic> {
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

enum Input {
    Manifest(PathBuf),
    Markdown(PathBuf),
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Reads and checks everything: manifest, sources, images, fonts, glyph coverage.
/// Returns the project and its warnings, or every error found.
pub fn load(path: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with options.
pub fn load_with(path: &Path, opts: &LoadOptions) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let input = resolve_input(path).map_err(|d| Diagnostics(vec![d]))?;
    let (settings, single) = match input {
        Input::Manifest(p) => {
            let (s, w) = manifest::load(&absolute(&p))?;
            diags.extend(w);
            (s, false)
        }
        Input::Markdown(p) => (manifest::single_file(&absolute(&p)), true),
    };

    // After a bad font the embedded set stands in; its coverage would only mislead.
    let (fonts, fonts_ok) = load_fonts(&settings.fonts, &mut diags);
    let confine = (!opts.allow_outside_root).then(|| Confinement::new(&settings.root));
    // Statements are read, parsed and normalised in parallel; their messages
    // are then taken in the order of `documents`, so the report does not
    // depend on the thread count.
    let read: Vec<(Option<(Document, String)>, Diagnostics)> = std::thread::scope(|scope| {
        use rayon::prelude::*;
        // The disk fetches the statements in order while the first are parsed (a
        // hint: without a thread for it, each statement is simply read when its turn comes).
        if settings.documents.len() > 1 {
            let _ =
                std::thread::Builder::new().name("samizdat-read-ahead".into()).spawn_scoped(scope, || {
                    for entry in &settings.documents {
                        if confine.as_ref().is_none_or(|c| c.check(&entry.path).is_ok()) {
                            disk::read_ahead(&entry.path);
                        }
                    }
                });
        }
        settings.documents.par_iter().map(|entry| read_document(&settings, entry, confine.as_ref())).collect()
    });
    let mut documents = Vec::new();
    let mut sources = Vec::new();
    // Index in `settings.documents` of each document kept, for the parts.
    let mut origin = Vec::new();
    for (k, (doc, d)) in read.into_iter().enumerate() {
        diags.extend(d);
        if let Some((doc, text)) = doc {
            documents.push(doc);
            sources.push(text);
            origin.push(k);
        }
    }
    if documents.is_empty() && !diags.has_errors() {
        let at = settings.manifest.clone().or_else(|| settings.documents.first().map(|d| d.display.clone()));
        diags.push(
            Diagnostic::error(at.map(Location::file), "the book has no text to typeset")
                .with_hint("add a statement with at least one paragraph"),
        );
    }

    let volume::Arranged { documents, sources, parts, preface } =
        volume::arrange(&settings, documents, sources, &origin, &mut diags);
    let mut documents = documents;

    let mut meta = settings.meta.clone();
    if single && let Some(doc) = documents.first() {
        meta.title = doc.title.clone();
        meta.lang = doc.lang;
        meta.date = doc.date;
        meta.authors = doc.author.iter().cloned().collect();
        meta.identifier = manifest::derive_identifier(&meta.title, &meta.authors);
    }
    meta.title = typography::normalize_text(&meta.title, meta.lang);
    if let Some(s) = &meta.subtitle {
        meta.subtitle = Some(typography::normalize_text(s, meta.lang));
    }
    // Distinct slugs: a second `intro.md` in another folder becomes `intro-2`.
    let mut seen = std::collections::BTreeSet::new();
    for doc in &mut documents {
        let base = doc.slug.clone();
        let mut n = 1;
        while !seen.insert(doc.slug.clone()) {
            n += 1;
            doc.slug = format!("{base}-{n}");
        }
    }

    let images = load_images(&documents, &sources, &settings, confine.as_ref(), &mut diags);
    if fonts_ok {
        check_coverage(&documents, &sources, &fonts, &mut diags);
    }

    if diags.has_errors() {
        return Err(diags);
    }
    let book = Book { meta, documents, parts };
    Ok((Project { settings, book, images, sources, fonts, preface }, diags))
}

/// Reads, parses and normalises one statement of `documents`: `None` when it
/// cannot be read or has no text (the reason is in the diagnostics).
fn read_document(
    settings: &Settings,
    entry: &manifest::DocumentEntry,
    confine: Option<&Confinement>,
) -> (Option<(Document, String)>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if let Some(c) = confine
        && let Err(why) = c.check(&entry.path)
    {
        diags.push(outside_document(settings, entry, &why));
        return (None, diags);
    }
    let Some(text) = read_source(&entry.path, &entry.display, &mut diags) else { return (None, diags) };
    let base_dir = entry.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let info = SourceInfo {
        display: &entry.display,
        base_dir: &base_dir,
        title: entry.title.as_deref(),
        lang: entry.lang,
        book_lang: settings.meta.lang,
    };
    let (mut doc, d) = markdown::parse(&text, &info);
    diags.extend(d);
    // The images are read after every statement is parsed; the disk fetches
    // them meanwhile.
    for img in doc.images() {
        if confine.is_none_or(|c| c.check(&img.path).is_ok()) {
            disk::read_ahead(&img.path);
        }
    }
    typography::normalize(&mut doc);
    // Only the title heading the parser adds (an empty span): nothing was written.
    let blank = doc.blocks.iter().all(|b| matches!(b.kind, BlockKind::Heading { .. }) && b.span.is_empty());
    if blank && doc.footnotes.is_empty() {
        let what = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "the file has no text after its front matter"
        };
        diags.push(
            Diagnostic::warning(
                Some(Location::file(&entry.display)),
                format!("{what}; it is left out of the book"),
            )
            .with_hint("write the statement, or remove the file from `documents`"),
        );
        return (None, diags);
    }
    (Some((doc, text)), diags)
}

/// Reads a Markdown source: UTF-8 checked with the byte offset of the first bad
/// byte, a BOM dropped, CRLF accepted.
fn read_source(path: &Path, display: &Path, diags: &mut Diagnostics) -> Option<String> {
    if path.is_dir() {
        diags.push(
            Diagnostic::error(Some(Location::file(display)), "this is a folder, not a Markdown file")
                .with_hint("list Markdown files, or a glob such as `content/*.md`"),
        );
        return None;
    }
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_SOURCE_BYTES
    {
        diags.push(
            Diagnostic::error(
                Some(Location::file(display)),
                format!(
                    "the file is {} MB, the limit for one statement is {} MB",
                    meta.len() >> 20,
                    MAX_SOURCE_BYTES >> 20
                ),
            )
            .with_hint("split it into several statements and list them in `documents`"),
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Some(Location::file(display)),
                    format!("cannot read the file: {}", io_reason(&e)),
                )
                .with_hint("check that the file exists and is readable"),
            );
            return None;
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let loc = Location::at(display, &valid, at);
            diags.push(
                Diagnostic::error(
                    Some(loc),
                    format!("the file is not valid UTF-8 (bad byte at offset {at})"),
                )
                .with_hint("save the file as UTF-8; for a Windows-1251 file: `iconv -f cp1251 -t utf-8`"),
            );
            None
        }
    }
}

/// Largest statement accepted, in bytes. 4 MB of Cyrillic is about two
/// million characters, some 1,500 A5 pages: far beyond any statement, while
/// a 50 MB export error is refused at once instead of typeset for minutes.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "it does not exist".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk is full".into(),
        ErrorKind::FileTooLarge => "the file is larger than the file system allows".into(),
        ErrorKind::NotADirectory => "a part of the path is a file, not a folder".into(),
        _ => e.to_string(),
    }
}

/// Keeps reading inside the book's folder: a path is accepted when its real
/// location (after `..` and symlinks) is under the real root.
#[derive(Debug)]
struct Confinement {
    root: PathBuf,
}

impl Confinement {
    fn new(root: &Path) -> Confinement {
        Confinement { root: std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf()) }
    }

    /// `Err` with a reason (for the message) when `path` leaves the root. A path
    /// that does not exist is judged by its text, so that the "not found" error
    /// still comes from the reader.
    fn check(&self, path: &Path) -> Result<(), String> {
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
fn normalize_lexically(path: &Path) -> PathBuf {
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
const OUTSIDE_HINT: &str =
    "copy the file into the book's folder, or pass `--allow-outside-root` if you trust this book";

/// The error for a document outside the root, placed at its entry in `book.toml` when found there.
fn outside_document(settings: &Settings, entry: &manifest::DocumentEntry, why: &str) -> Diagnostic {
    let name = entry.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let loc = settings.manifest.as_ref().map(|m| {
        let text = std::fs::read_to_string(m).unwrap_or_default();
        match text.find(&name).filter(|_| !name.is_empty()) {
            Some(at) => Location::at(m, &text, at),
            None => Location::file(m),
        }
    });
    Diagnostic::error(loc, format!("document `{}` is refused: {why}", entry.display.display()))
        .with_hint(OUTSIDE_HINT)
}

/// Reads every image the documents refer to (and the EPUB covers), reporting
/// each problem at the place of the reference.
fn load_images(
    documents: &[Document],
    sources: &[String],
    settings: &Settings,
    confine: Option<&Confinement>,
    diags: &mut Diagnostics,
) -> Images {
    let mut images = Images::new();
    // Each image once, at its first reference; refused paths are not read.
    let mut seen = std::collections::BTreeSet::new();
    let mut wanted = Vec::new();
    for (doc, src) in documents.iter().zip(sources) {
        for img in doc.images() {
            let offset = img.src_at;
            if !seen.insert(&img.path) {
                continue;
            }
            let loc = Location::at(&doc.path, src, offset);
            if let Some(c) = confine
                && let Err(why) = c.check(&img.path)
            {
                diags.push(
                    Diagnostic::error(Some(loc), format!("image `{}` is refused: {why}", img.src))
                        .with_hint(OUTSIDE_HINT),
                );
                continue;
            }
            wanted.push((img, loc));
        }
    }
    // Read and checked in parallel (a volume's JPEGs are most of its bytes),
    // reported in reference order.
    let read: Vec<_> = {
        use rayon::prelude::*;
        wanted
            .par_iter()
            .map(|(img, _)| {
                read_image(&img.path).map(|asset| {
                    let format = asset.format;
                    (format, images::upright(asset))
                })
            })
            .collect()
    };
    for ((img, loc), result) in wanted.into_iter().zip(read) {
        match result {
            Ok((format, upright)) => {
                check_extension(&img.src, format, &loc, diags);
                match upright {
                    Ok(asset) => {
                        images.insert(img.path.clone(), asset);
                    }
                    Err(e) => diags.push(Diagnostic::error(Some(loc), format!("image `{}`: {e}", img.src))),
                }
            }
            Err((msg, hint)) => {
                diags.push(
                    Diagnostic::error(Some(loc), format!("image `{}`: {msg}", img.src)).with_hint(hint),
                );
            }
        }
    }
    for out in &settings.outputs {
        if let OutputKind::Epub(e) = &out.kind
            && let Some(cover) = &e.cover
            && !images.contains_key(cover)
        {
            let loc = settings.manifest.as_ref().map(|m| Location::file(m.clone()));
            if let Some(c) = confine
                && let Err(why) = c.check(cover)
            {
                diags.push(
                    Diagnostic::error(
                        loc,
                        format!("cover `{}` of output `{}` is refused: {why}", cover.display(), out.name),
                    )
                    .with_hint(OUTSIDE_HINT),
                );
                continue;
            }
            match read_image(cover)
                .and_then(|a| images::upright(a).map_err(|e| (e.to_string(), String::new())))
            {
                Ok(asset) => {
                    images.insert(cover.clone(), asset);
                }
                Err((msg, hint)) => diags.push(
                    Diagnostic::error(
                        loc,
                        format!("cover `{}` of output `{}`: {msg}", cover.display(), out.name),
                    )
                    .with_hint(hint),
                ),
            }
        }
    }
    images
}

fn check_extension(
    written: &str,
    format: crate::model::ImageFormat,
    loc: &Location,
    diags: &mut Diagnostics,
) {
    use crate::model::ImageFormat;
    let path = Path::new(written);
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let ok = match format {
        ImageFormat::Jpeg => matches!(ext.as_str(), "jpg" | "jpeg"),
        ImageFormat::Png => ext == "png",
    };
    if !ok {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                format!(
                    "`{}` is a {} file with a `.{ext}` extension",
                    path.display(),
                    format.extension().to_uppercase()
                ),
            )
            .with_hint(format!("rename it to `.{}`", format.extension())),
        );
    }
}

fn read_image(path: &Path) -> Result<crate::model::ImageAsset, (String, String)> {
    let meta = std::fs::metadata(path).map_err(|e| {
        (
            format!("cannot read it: {}", io_reason(&e)),
            "check the path; it is relative to the Markdown file".into(),
        )
    })?;
    if meta.is_dir() {
        return Err(("this is a folder, not an image".into(), "point at a `.jpg` or `.png` file".into()));
    }
    if meta.len() > images::MAX_BYTES as u64 {
        return Err((
            format!("the file is {} MB, the limit is {} MB", meta.len() >> 20, images::MAX_BYTES >> 20),
            "scale the image down; 300 dpi at the printed size is enough".into(),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| (format!("cannot read it: {}", io_reason(&e)), "check the file's permissions".into()))?;
    images::probe(bytes).and_then(|a| images::verify(&a).map(|()| a)).map_err(|e| {
        let hint = match e {
            images::ImageError::Unsupported(_) => "convert it to PNG or JPEG".to_string(),
            images::ImageError::TooLarge(_) => {
                "scale the image down; 300 dpi at the printed size is enough".into()
            }
            _ => "export the image again from its original".into(),
        };
        (e.to_string(), hint)
    })
}

/// The embedded faces with those of `[fonts]` in their place. Every file that
/// cannot be used is an error at its value in book.toml, all reported at once;
/// the embedded set is returned then (with `false`), so that the other checks still run.
fn load_fonts(paths: &manifest::FontPaths, diags: &mut Diagnostics) -> (FontSet, bool) {
    if paths.is_empty() {
        return (FontSet::embedded(), true);
    }
    let slots = paths.slots();
    let by_slot = slots.map(|(_, f)| f.map(|f| f.path.as_path()));
    match FontSet::with(by_slot, paths.fallback.as_ref().map(|f| f.path.as_path())) {
        Ok(set) => (set, true),
        Err(errors) => {
            let mut found = Vec::new();
            for (slot, error) in errors {
                let (key, file) = if slot == FALLBACK_SLOT {
                    ("fallback", paths.fallback.as_ref())
                } else {
                    (slots[slot].0, slots[slot].1)
                };
                let Some(file) = file else { continue };
                found.push(font_error(key, file, &error));
            }
            found.sort_by(|a, b| a.location.cmp(&b.location));
            diags.extend(Diagnostics(found));
            (FontSet::embedded(), false)
        }
    }
}

/// The diagnostic for a font file of `[fonts]` that cannot be used.
fn font_error(key: &str, file: &manifest::FontFile, error: &FontError) -> Diagnostic {
    let name = &file.written;
    let (message, hint) = match error {
        FontError::Missing(_) => (
            format!("font file `{name}` (`{key}`) not found"),
            "paths in [fonts] are relative to the folder of book.toml".to_owned(),
        ),
        FontError::Unreadable(_, why) => (
            format!("cannot read font file `{name}` (`{key}`): {why}"),
            "check the file's permissions".to_owned(),
        ),
        FontError::NotAFont(_) => (
            format!("`{name}` (`{key}`) is not a TrueType or OpenType font"),
            if key == "fallback" {
                "use a TrueType/OpenType file, e.g. DejaVu Sans or Noto Sans CJK".to_owned()
            } else {
                FONT_HINT.to_owned()
            },
        ),
        FontError::NoCyrillic(_) => {
            (format!("font `{name}` (`{key}`) has no Cyrillic letters"), FONT_HINT.to_owned())
        }
    };
    Diagnostic::error(Some(file.at.clone()), message).with_hint(hint)
}

/// What a face of `[fonts]` must be.
const FONT_HINT: &str = "use a TrueType/OpenType file with Cyrillic letters, e.g. PT Serif";

/// Warns about characters no configured font can draw, with the place of each.
/// Characters the body font lacks but the fallback font draws are fine.
fn check_coverage(documents: &[Document], sources: &[String], fonts: &FontSet, diags: &mut Diagnostics) {
    use rayon::prelude::*;
    let found: Vec<Option<Diagnostic>> =
        documents.par_iter().zip(sources).map(|(doc, src)| coverage_warning(doc, src, fonts)).collect();
    for d in found.into_iter().flatten() {
        diags.push(d);
    }
}

/// The warning for the characters of one statement that no face can draw.
fn coverage_warning(doc: &Document, src: &str, fonts: &FontSet) -> Option<Diagnostic> {
    let mut text = doc.title.clone();
    collect_all_text(doc, &mut text);
    let missing = fonts.missing_chars(&text);
    if missing.is_empty() {
        return None;
    }
    let offset = missing.iter().filter_map(|c| src.find(*c)).min().unwrap_or(0);
    let list: Vec<String> = missing.iter().map(|c| format!("`{c}` (U+{:04X})", *c as u32)).collect();
    let (message, hint) = if fonts.fallback().is_some() {
        let drawn = fonts.fallback_chars(&text);
        let also = if drawn.is_empty() {
            String::new()
        } else {
            let drawn: String = drawn.iter().collect();
            format!(" (the fallback font draws {drawn})")
        };
        (
            format!(
                "neither the body font nor the fallback font can draw {}; they will be missing from the PDF{also}",
                list.join(", ")
            ),
            "remove these characters or configure a fallback font that has them",
        )
    } else {
        (
            format!("no font can draw {}; they will be missing from the PDF", list.join(", ")),
            "remove these characters or configure a font that has them: [fonts] fallback = \"…\"",
        )
    };
    Some(Diagnostic::warning(Some(Location::at(&doc.path, src, offset)), message).with_hint(hint))
}

fn collect_all_text(doc: &Document, out: &mut String) {
    Block::plain_text_into(&doc.blocks, out);
    for f in &doc.footnotes {
        Block::plain_text_into(&f.blocks, out);
    }
}

/// Builds the outputs of the project at `path`. Writes nothing if any input error is found.
pub fn build(path: &Path, opts: &BuildOptions) -> Result<(Report, Diagnostics), Diagnostics> {
    build_with_progress(path, opts, &Silent)
}

/// [`build`], reporting each layout and file to `progress` as it finishes.
pub fn build_with_progress(
    path: &Path,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<(Report, Diagnostics), Diagnostics> {
    let load = LoadOptions { allow_outside_root: opts.allow_outside_root };
    // One pool for loading and building.
    thread_pool(opts.jobs)?.install(|| {
        let (project, diags) = load_with(path, &load)?;
        build_project_on(&project, diags, opts, progress)
    })
}

/// The threads for `--jobs`: one per core when `None`.
fn thread_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Diagnostics> {
    rayon::ThreadPoolBuilder::new().num_threads(jobs.unwrap_or(0)).build().map_err(|e| {
        Diagnostics(vec![
            Diagnostic::error(None, format!("cannot start the build threads: {e}"))
                .with_hint("try `--jobs 1`"),
        ])
    })
}

/// Builds the outputs of a loaded project; `diags` are the warnings of loading.
pub fn build_project(
    project: &Project,
    diags: Diagnostics,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<(Report, Diagnostics), Diagnostics> {
    thread_pool(opts.jobs)?.install(|| build_project_on(project, diags, opts, progress))
}

/// [`build_project`] on the current thread pool.
fn build_project_on(
    project: &Project,
    mut diags: Diagnostics,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<(Report, Diagnostics), Diagnostics> {
    let out_dir = match &opts.out_dir {
        Some(d) => absolute(d),
        None => project.settings.root.join("out"),
    };
    check_out_dir(&out_dir, project).map_err(|d| Diagnostics(vec![d]))?;
    let single = project.settings.manifest.is_none();
    let outputs: Vec<&Output> = project
        .settings
        .outputs
        .iter()
        .filter(|o| opts.output.as_ref().is_none_or(|n| &o.name == n))
        .filter(|o| opts.formats.as_ref().is_none_or(|f| f.contains(&o.format())))
        .collect();
    if let Some(name) = &opts.output
        && outputs.is_empty()
    {
        let names: Vec<&str> = project.settings.outputs.iter().map(|o| o.name.as_str()).collect();
        return Err(Diagnostics(vec![
            Diagnostic::error(
                project.settings.manifest.clone().map(Location::file),
                format!("no output named `{name}`"),
            )
            .with_hint(format!("the outputs are: {}", names.join(", "))),
        ]));
    }
    let stem = if single {
        project
            .settings
            .documents
            .first()
            .and_then(|d| d.path.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
    } else {
        None
    };

    let plan = matrix::Plan {
        outputs: &outputs,
        out_dir: &out_dir,
        stem: stem.as_deref(),
        date: build_date(&project.book),
    };
    let built = matrix::run(project, &plan, progress)?;
    diags.extend(built.warnings);
    let (files, notes) = (built.files, built.notes);

    if opts.deny_warnings && !diags.is_empty() {
        let n = diags.warnings();
        diags.push(Diagnostic::error(
            None,
            format!("{n} warning(s) and `--deny-warnings` is set; nothing was written"),
        ));
        return Err(diags);
    }
    let mut report = Report { notes, ..Report::default() };
    let mut staged = Vec::with_capacity(files.len());
    for (file, s, pages) in files {
        staged.push(s);
        report.written.push(file);
        if let Some(p) = pages {
            report.pages.push(p);
        }
    }
    disk::commit(staged).map_err(|d| Diagnostics(vec![d]))?;
    Ok((report, diags))
}

/// Refuses an output folder that is a file or that holds the book's sources:
/// outputs are written next to nothing the user wrote, so a name clash can
/// never replace a statement or an image.
fn check_out_dir(out_dir: &Path, project: &Project) -> Result<(), Diagnostic> {
    let hint = "choose another output folder with `-o DIR`, such as `out`";
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Diagnostic::error(Some(Location::file(out_dir)), "the output folder is not a folder")
            .with_hint(hint));
    }
    let real = std::fs::canonicalize(out_dir).unwrap_or_else(|_| normalize_lexically(out_dir));
    let root =
        std::fs::canonicalize(&project.settings.root).unwrap_or_else(|_| project.settings.root.clone());
    let sources = project
        .settings
        .documents
        .iter()
        .map(|d| d.path.as_path())
        .chain(project.images.keys().map(PathBuf::as_path));
    let holds_source =
        sources.filter_map(|p| std::fs::canonicalize(p).ok()).any(|p| p.parent() == Some(real.as_path()));
    if real == root || holds_source {
        return Err(Diagnostic::error(
            Some(Location::file(out_dir)),
            "the output folder holds the book's sources; samizdat does not write next to them",
        )
        .with_hint(hint));
    }
    Ok(())
}

/// Lays out every PDF output and runs the print preflight on it, for
/// `samizdat check --print`.
pub fn preflight(project: &Project) -> Vec<preflight::Finding> {
    let mut out = Vec::new();
    for o in &project.settings.outputs {
        let OutputKind::Pdf(p) = &o.kind else { continue };
        let lay = match fit::typeset_fitted(project, &project.book, p, &o.name) {
            Ok((lay, _)) => lay,
            Err(unfit) => {
                out.push(preflight::Finding { level: preflight::Level::Warning, diagnostic: unfit });
                continue;
            }
        };
        out.extend(preflight::check(&lay, &project.images, p, &o.name));
    }
    out
}

/// Lays out the book for one PDF output. A book of several statements is a
/// collected volume: title page, contents, each statement on a right-hand page.
pub fn typeset(project: &Project, p: &PdfSettings) -> (layout::Layout, Vec<layout::Warning>) {
    typeset_book(project, &project.book, p)
}

/// Lays out `book` (the project's, or one of its statements alone) for one PDF
/// output. `contents` and `start` default to a volume's front matter and
/// right-hand starts when the book has several statements or parts.
pub fn typeset_book(
    project: &Project,
    book: &Book,
    p: &PdfSettings,
) -> (layout::Layout, Vec<layout::Warning>) {
    let mut lopts = layout_options(p);
    let volume = book.documents.len() > 1 || !book.parts.is_empty();
    lopts.front_matter = p.contents.unwrap_or(volume);
    lopts.start_recto = p.start.map_or(volume, |s| s == manifest::Start::Recto);
    layout::typeset(book, &project.images, &project.fonts, &lopts)
}

/// The print pages of a layout as marks for the EPUB page list.
fn page_marks(lay: &layout::Layout) -> Vec<PageMark> {
    lay.page_starts
        .iter()
        .map(|s| PageMark {
            label: lay.pages.get(s.page).map(|p| p.label.to_string()).unwrap_or_default(),
            doc: s.doc,
            block: s.block,
            offset: s.offset,
        })
        .collect()
}

/// Page geometry for the layout from a PDF output's settings.
pub fn layout_options(p: &PdfSettings) -> LayoutOptions {
    LayoutOptions {
        page_width: p.page.width,
        page_height: p.page.height,
        margin_top: p.margins.top,
        margin_bottom: p.margins.bottom,
        margin_inner: p.margins.inner + p.binding_offset,
        margin_outer: p.margins.outer,
        font_size: p.font_size,
        leading: p.line_height,
        running_heads: p.running_heads,
        image_max_height: p.image_max_height,
        front_matter: false,
        start_recto: false,
        columns: p.columns,
        gutter: p.gutter,
    }
}

/// The date written into outputs: `SOURCE_DATE_EPOCH` when set, else the book's date,
/// else the newest statement date.
fn build_date(book: &Book) -> Option<Stamp> {
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH")
        && let Ok(secs) = v.trim().parse::<i64>()
    {
        return Some(Stamp::from_epoch(secs));
    }
    book.meta.date.or_else(|| book.documents.iter().filter_map(|d| d.date).max()).map(Date::start)
}

/// Creates a new book project in `dir`: a manifest, one statement and an image.
pub fn new_project(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if dir.join("book.toml").exists() {
        return Err(Diagnostic::error(
            Some(Location::file(dir.join("book.toml"))),
            "a book already exists here",
        )
        .with_hint("choose an empty folder"));
    }
    let files: [(&str, &[u8]); 3] = [
        ("book.toml", NEW_MANIFEST.as_bytes()),
        ("content/01-statement.md", NEW_STATEMENT.as_bytes()),
        ("content/img/banner.png", &new_banner()),
    ];
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

const NEW_MANIFEST: &str = r#"# samizdat book manifest. `samizdat build` turns it into out/book.pdf and out/book.epub.
[book]
title = "Новая книга"
authors = ["Инициативная группа"]
language = "ru"
date = "2026-01-01"
documents = ["content/*.md"]

[output.book]
format = "pdf"
page-size = "A5"

[output.ebook]
format = "epub"
"#;

const NEW_STATEMENT: &str = "![Баннер инициативной группы](img/banner.png)

# Первое заявление

Это первое заявление вашей книги. Пишите обычным Markdown: абзацы
разделяются пустой строкой, **полужирный** и *курсив* отмечаются
звёздочками, а сноска ставится так[^1].

- пункт списка;
- ещё один пункт.

> Цитата выделяется знаком «больше» в начале строки.

[^1]: Текст сноски окажется внизу страницы.
";

/// A small banner image for new projects: a 600 × 200 PNG in two colours,
/// built here so the binary needs no image files.
fn new_banner() -> Vec<u8> {
    let (w, h) = (600u32, 200u32);
    let mut rgb = Vec::with_capacity((w * 3 * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let stripe = (x + y) / 40 % 2 == 0;
            let c: [u8; 3] = if y > 150 {
                [40, 40, 40]
            } else if stripe {
                [196, 30, 58]
            } else {
                [220, 60, 80]
            };
            rgb.extend_from_slice(&c);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing a well-formed image into memory cannot fail; an empty banner would be caught by `new`'s test.
    let written = encoder.write_header().and_then(|mut writer| writer.write_image_data(&rgb));
    debug_assert!(written.is_ok());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The generated banner is a PNG the image prober accepts at its real size.
    #[test]
    fn banner_is_a_valid_png() {
        let a = images::probe(new_banner()).expect("valid png");
        images::verify(&a).expect("chunk checksums and pixel data are valid");
        assert_eq!((a.width, a.height), (600, 200));
    }
}
