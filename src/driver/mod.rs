//! The driver: the only module that touches the filesystem, the environment
//! and the clock. It resolves the input (a `book.toml`, a folder holding one,
//! or a single Markdown file), reads and checks every source and image,
//! runs the pipeline for each output and writes the files atomically.

mod assets;
mod batch;
mod disk;
mod fit;
mod input;
mod load;
mod matrix;
mod new;
mod volume;
pub mod watch;

use input::{absolute, normalize_lexically};

use std::path::{Path, PathBuf};

pub use batch::{Shard, report_json, write_report};
pub use disk::{remove_temporary_files, write_all_atomic, write_atomic};
pub(crate) use load::io_reason;
pub use load::{MAX_SOURCE_BYTES, load, load_with};
pub use matrix::{Progress, Silent};
pub use new::new_project;

use crate::date::{Date, Stamp};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fonts::FontSet;
use crate::layout::{self, LayoutOptions};
use crate::manifest::{self, Format, Output, OutputKind, PdfSettings, Settings};
use crate::model::{Book, Images, PageMark};
use crate::preflight;

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
    /// What a missing image is, instead of the manifest's `missing-images`.
    pub missing_images: Option<crate::manifest::MissingImages>,
    /// Threads laying out and writing the outputs; `None`: one per core.
    pub jobs: Option<usize>,
    /// Build only this slice of the files (`--shard I/N`).
    pub shard: Option<Shard>,
}

/// How sources are read.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Read documents and images outside the book's folder (the folder of
    /// `book.toml`, or of the single Markdown file). Off by default, so that a
    /// book received from someone else cannot pull `../../.ssh/id_rsa` or
    /// `/etc/passwd` into its outputs.
    pub allow_outside_root: bool,
    /// What a missing image is, instead of the manifest's `missing-images`.
    pub missing_images: Option<crate::manifest::MissingImages>,
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
    /// Each cover output's back text (`blurb`), parsed, by output name.
    pub blurbs: std::collections::BTreeMap<String, Vec<crate::model::Block>>,
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
    let load =
        LoadOptions { allow_outside_root: opts.allow_outside_root, missing_images: opts.missing_images };
    // One pool for loading and building.
    thread_pool(opts.jobs)?.install(|| {
        let (project, diags) = load_with(path, &load)?;
        build_project_on(&project, diags, opts, progress)
    })
}

/// The threads for `--jobs`: one per core when `None`.
fn thread_pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, Diagnostics> {
    // More threads than a few per core only cost memory and start-up time
    // (`--jobs 65535` spent its time starting threads): at most four per core.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = jobs.map(|j| j.min(cores * 4));
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
    diags: Diagnostics,
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
        .filter(|o| {
            opts.formats.as_ref().is_none_or(|f| f.iter().any(|x| x.extension() == o.format().extension()))
        })
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
        shard: opts.shard,
    };
    // A build that fails leaves no empty output folder of its own making behind.
    let made_out_dir = !out_dir.exists();
    let result = write_outputs(project, &plan, progress, diags, opts);
    if result.is_err() && made_out_dir {
        let _ = std::fs::remove_dir(&out_dir);
    }
    result
}

/// Lays out, writes and commits the outputs of `plan`.
fn write_outputs(
    project: &Project,
    plan: &matrix::Plan<'_>,
    progress: &dyn Progress,
    mut diags: Diagnostics,
    opts: &BuildOptions,
) -> Result<(Report, Diagnostics), Diagnostics> {
    let built = matrix::run(project, plan, progress)?;
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
        let print = project.book.for_medium(crate::model::Medium::Print);
        let lay = match fit::typeset_fitted(project, &print, p, &o.name) {
            Ok((lay, _)) => lay,
            Err(unfit) => {
                out.push(preflight::Finding { level: preflight::Level::Warning, diagnostic: unfit });
                continue;
            }
        };
        let subject = preflight::Subject {
            output: &o.name,
            manifest: project.settings.manifest.as_deref(),
            cover: false,
        };
        out.extend(preflight::check(&lay, &project.images, p, subject));
    }
    out
}

/// Lays out the book for one PDF output. A book of several statements is a
/// collected volume: title page, contents, each statement on a right-hand page.
pub fn typeset(project: &Project, p: &PdfSettings) -> (layout::Layout, Vec<layout::Warning>) {
    typeset_book(project, &project.book.for_medium(crate::model::Medium::Print), p)
}

/// Lays out `book` (the project's, or one of its statements alone) for one PDF
/// output. `contents` and `start` default to a volume's front matter and
/// right-hand starts when the book has several statements or parts, unless the
/// output is a leaflet, whose statements follow one another with no blank pages.
pub fn typeset_book(
    project: &Project,
    book: &Book,
    p: &PdfSettings,
) -> (layout::Layout, Vec<layout::Warning>) {
    let mut lopts = LayoutOptions::new(*p);
    let volume = (book.documents.len() > 1 || !book.parts.is_empty()) && !p.is_leaflet();
    lopts.front_matter = p.contents.unwrap_or(volume);
    lopts.start_recto = p.start.map_or(volume, |s| s == manifest::Start::Recto);
    let (mut lay, warnings) = layout::typeset(book, &project.images, &project.fonts, &lopts);
    // A print service binds whole leaves (or signatures): blank pages make up the last.
    if let Some(printer) = p.printer {
        let multiple = printer.printer.rules().page_multiple;
        while !lay.pages.len().is_multiple_of(multiple) {
            layout::front::blank(&mut lay, &lopts, book.meta.lang);
        }
    }
    (lay, warnings)
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
