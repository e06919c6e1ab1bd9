//! The build matrix: every selected output, for the whole book or (with
//! `per-document = true`) once per statement, laid out and written in parallel.
//!
//! Two phases, each a parallel map over a list fixed in advance, so that the
//! bytes and the order of files and diagnostics never depend on the number of
//! threads or on which task finishes first:
//!
//! 1. **Layouts.** Every distinct (PDF output, whole book or one statement)
//!    pair that a file needs is laid out once: the PDFs themselves, and the
//!    print edition whose pages an EPUB's page list cites. Beside them, on the
//!    same pool, the EPUBs' images are packed (see [`epub::pack_images`]).
//! 2. **Files.** Each PDF, imposed PDF and EPUB is written from the shared
//!    parsed sources, images and fonts (their shaping caches are shared too).
//!    The EPUBs read their page lists off the layouts first; then each PDF takes
//!    its layout and frees every page once drawn, so that a volume's set glyphs
//!    are not held next to the PDF being made. Each file is staged (written to a
//!    temporary file) as soon as it is made; the driver renames them together.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Project, page_marks};
use crate::date::Stamp;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::epub::{self, EpubOptions, PackedImages};
use crate::layout::{self, Layout};
use crate::manifest::{self, Output, OutputKind, PdfSettings};
use crate::model::{Book, BookMeta, Medium, PageMark};
use crate::pdf::{self, PdfOptions};
use crate::preflight;

/// Progress of a build, reported from the worker threads as steps finish.
pub trait Progress: Sync {
    /// The build has `total` steps (layouts and files).
    fn start(&self, total: usize);
    /// One step finished; `what` names it (an output, or an output and a statement).
    fn step(&self, what: &str);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn step(&self, _: &str) {}
}

/// A file made by the matrix: path, its staged temporary file, and the page count of a PDF.
pub(super) type File = (PathBuf, super::disk::Staged, Option<usize>);

/// What the matrix produced.
pub(super) struct Built {
    /// Files in a fixed order: PDF outputs, then EPUB outputs, each output's
    /// per-statement files in reading order.
    pub files: Vec<File>,
    /// Layout and preflight warnings, in the same order, without repeats.
    pub warnings: Diagnostics,
    /// Preflight notes.
    pub notes: Vec<preflight::Finding>,
}

/// Where the build writes and how it names files.
pub(super) struct Plan<'a> {
    /// The outputs to build, in manifest order.
    pub outputs: &'a [&'a Output],
    /// The output folder.
    pub out_dir: &'a Path,
    /// For a single Markdown file: its stem names the files instead of the output.
    pub stem: Option<&'a str>,
    /// The date written into the files.
    pub date: Option<Stamp>,
    /// Only the files of this slice.
    pub shard: Option<super::Shard>,
}

/// Whole book (`None`) or one statement (its index in the book).
type Scope = Option<usize>;

/// One file to write (with its imposed sibling for a PDF): an output for a scope.
struct Unit<'a> {
    output: &'a Output,
    scope: Scope,
    /// The file name without extension.
    name: String,
}

/// Builds every file of `plan` on the current rayon pool.
pub(super) fn run(project: &Project, plan: &Plan<'_>, progress: &dyn Progress) -> Result<Built, Diagnostics> {
    let book = &project.book;
    // What each medium shows: without the other's `.only-print` / `.only-epub` blocks
    // (the same book, not a copy, when there are none).
    let print = book.for_medium(Medium::Print);
    let screen = book.for_medium(Medium::Epub);
    // A statement alone: the same document as a book of one, built once for all outputs.
    let any_per_document = plan.outputs.iter().any(|o| o.per_document);
    let statements: Vec<usize> = (usize::from(project.preface)..book.documents.len()).collect();
    let singles_of = |book: &Book| -> BTreeMap<usize, Book> {
        if any_per_document {
            statements.iter().map(|&d| (d, single(book, d))).collect()
        } else {
            BTreeMap::new()
        }
    };
    let singles = singles_of(&print);
    let screen_singles = matches!(screen, Cow::Owned(_)).then(|| singles_of(&screen));
    let book_of = |scope: Scope| scope.map_or(&*print, |d| &singles[&d]);
    let screen_of = |scope: Scope| match &screen_singles {
        Some(own) => scope.map_or(&*screen, |d| &own[&d]),
        None => book_of(scope),
    };

    let mut outputs: Vec<&Output> = plan.outputs.to_vec();
    outputs.sort_by_key(|o| o.format() != manifest::Format::Pdf);
    let mut units = Vec::new();
    for o in outputs {
        let base = plan.stem.map_or_else(|| o.name.clone(), str::to_owned);
        if o.per_document {
            for &d in &statements {
                let slug = &book.documents[d].slug;
                units.push(Unit { output: o, scope: Some(d), name: format!("{base}-{slug}") });
            }
        } else {
            units.push(Unit { output: o, scope: None, name: base });
        }
    }
    if let Some(shard) = plan.shard {
        units.retain(|u| shard.holds(&u.name));
    }

    // Phase 1: the layouts the units need, each once, keyed by (output name, scope).
    let mut keys: Vec<(&Output, &PdfSettings, Scope)> = Vec::new();
    let mut epub_source: BTreeMap<(&str, Scope), (&str, Scope)> = BTreeMap::new();
    for u in &units {
        let (source, p) = match &u.output.kind {
            OutputKind::Pdf(p) => (u.output, p),
            // A cover needs its interior's page count.
            OutputKind::Cover(c) => {
                let interior = project.settings.outputs.iter().find(|o| o.name == c.interior);
                let Some((o, OutputKind::Pdf(p))) = interior.map(|o| (o, &o.kind)) else { continue };
                (o, p)
            }
            OutputKind::Epub(_) => {
                let Some((o, p)) = print_edition(project, u.output.per_document) else { continue };
                epub_source.insert((u.output.name.as_str(), u.scope), (o.name.as_str(), u.scope));
                (o, p)
            }
        };
        if !keys.iter().any(|(o, _, s)| o.name == source.name && *s == u.scope) {
            keys.push((source, p, u.scope));
        }
    }
    progress.start(keys.len() + units.len());
    // The EPUBs' images are packed (deflated, mostly) beside the layouts: they need no
    // layout, and the pool's threads take that work whenever laying out leaves one idle.
    let compress_flags: std::collections::BTreeSet<bool> = units
        .iter()
        .filter_map(|u| match &u.output.kind {
            OutputKind::Epub(e) => Some(e.compress_images),
            OutputKind::Pdf(_) | OutputKind::Cover(_) => None,
        })
        .collect();
    let (laid, packed): (Vec<LayoutResult>, BTreeMap<bool, PackedImages>) = rayon::join(
        || {
            keys.par_iter()
                .map(|(o, p, scope)| {
                    let result = super::fit::typeset_fitted(project, book_of(*scope), p, &o.name);
                    progress.step(&step_name(o, *scope, book));
                    result
                })
                .collect()
        },
        || compress_flags.iter().map(|&c| (c, epub::pack_images(&project.images, c))).collect(),
    );
    let unfit: Vec<Diagnostic> = laid.iter().filter_map(|r| r.as_ref().err().cloned()).collect();
    if !unfit.is_empty() {
        return Err(Diagnostics(unfit));
    }
    let mut laid: Vec<Option<(Layout, Vec<layout::Warning>)>> =
        laid.into_iter().flatten().map(Some).collect();
    let key_of = |name: &str, scope: Scope| keys.iter().position(|(o, _, s)| o.name == name && *s == scope);

    // Phase 2: the files. The EPUBs' page lists are read off the layouts first; then each
    // PDF takes its own layout (a unit is one output and scope, so no two share one) and
    // frees the pages as it draws them.
    let marks: Vec<Option<(Vec<PageMark>, String)>> = units
        .iter()
        .map(|u| {
            let source = epub_source.get(&(u.output.name.as_str(), u.scope))?;
            let i = key_of(source.0, source.1)?;
            laid[i].as_ref().map(|(lay, _)| (page_marks(lay), format!("{}.pdf", source.0)))
        })
        .collect();
    let interior_pages: Vec<Option<usize>> = units
        .iter()
        .map(|u| match &u.output.kind {
            OutputKind::Cover(c) => {
                key_of(&c.interior, None).and_then(|i| laid[i].as_ref()).map(|(l, _)| l.pages.len())
            }
            _ => None,
        })
        .collect();
    let jobs: Vec<Job<'_>> = units
        .iter()
        .zip(marks)
        .zip(interior_pages)
        .map(|((u, marks), pages)| match &u.output.kind {
            OutputKind::Cover(c) => Job::Cover(u, c, pages.unwrap_or(0)),
            OutputKind::Pdf(p) => {
                let laid = key_of(&u.output.name, u.scope).and_then(|i| laid[i].take());
                let (lay, warnings) = laid.expect("each PDF unit has its own layout from phase 1");
                Job::Pdf(u, p, lay, warnings)
            }
            OutputKind::Epub(e) => Job::Epub(u, e, marks),
        })
        .collect();
    drop(laid);
    let results: Vec<Result<UnitOut, Diagnostics>> = jobs
        .into_par_iter()
        .map(|job| {
            let (out, u) = match job {
                Job::Pdf(u, p, lay, warnings) => {
                    (write_pdf(project, book_of(u.scope), u, p, lay, &warnings, plan), u)
                }
                Job::Epub(u, e, pages) => {
                    let packed = &packed[&e.compress_images];
                    (write_epub(project, screen_of(u.scope), u, e, pages, packed, plan), u)
                }
                Job::Cover(u, c, pages) => (write_cover(project, u, c, pages, plan), u),
            };
            progress.step(&step_name(u.output, u.scope, book));
            out
        })
        .collect();

    let mut built = Built { files: Vec::new(), warnings: Diagnostics::new(), notes: Vec::new() };
    let mut errors = Diagnostics::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in results {
        match r {
            Ok(out) => {
                built.files.extend(out.files);
                for w in out.warnings.0 {
                    if seen.insert(w.to_string()) {
                        built.warnings.push(w);
                    }
                }
                built.notes.extend(out.notes);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() { Ok(built) } else { Err(errors) }
}

/// A layout and its warnings, or why the book does not fit.
type LayoutResult = Result<(Layout, Vec<layout::Warning>), Diagnostic>;

/// A unit with what it is made from.
enum Job<'a> {
    Pdf(&'a Unit<'a>, &'a PdfSettings, Layout, Vec<layout::Warning>),
    /// With the print pages its page list follows, and the file they are read from.
    Epub(&'a Unit<'a>, &'a manifest::EpubSettings, Option<(Vec<PageMark>, String)>),
    /// With its interior's page count.
    Cover(&'a Unit<'a>, &'a manifest::CoverSettings, usize),
}

/// What one unit produced.
struct UnitOut {
    files: Vec<File>,
    warnings: Diagnostics,
    notes: Vec<preflight::Finding>,
}

impl UnitOut {
    /// Takes preflight findings: warnings with the diagnostics, notes apart.
    fn findings(&mut self, found: Vec<preflight::Finding>) {
        for f in found {
            match f.level {
                preflight::Level::Warning => self.warnings.push(f.diagnostic),
                preflight::Level::Note => self.notes.push(f),
            }
        }
    }
}

/// The document facts a PDF of `book` carries, with its print settings.
fn pdf_options(book: &Book, plan: &Plan<'_>, print: PdfSettings) -> PdfOptions {
    PdfOptions {
        title: book.meta.title.clone(),
        authors: book.meta.authors.clone(),
        lang: book.meta.lang.tag().to_string(),
        date: plan.date.map(Stamp::parts),
        print,
    }
}

/// The PDF output whose pages an EPUB's page list cites: the first PDF output
/// of the manifest with the same shape (volume or per statement), else the
/// first PDF output, laid out in the EPUB's shape. `None` without PDF outputs.
fn print_edition(project: &Project, per_document: bool) -> Option<(&Output, &PdfSettings)> {
    let pdfs = || {
        project.settings.outputs.iter().filter_map(|o| match &o.kind {
            OutputKind::Pdf(p) => Some((o, p)),
            OutputKind::Epub(_) | OutputKind::Cover(_) => None,
        })
    };
    pdfs().find(|(o, _)| o.per_document == per_document).or_else(|| pdfs().next())
}

/// `book` or `book: statement-slug`, for the progress bar.
fn step_name(o: &Output, scope: Scope, book: &Book) -> String {
    match scope {
        Some(d) => format!("{}: {}", o.name, book.documents[d].slug),
        None => o.name.clone(),
    }
}

/// A statement of `book` as a book of its own: its title, author and date,
/// the book's publisher and language when the statement does not say.
fn single(book: &Book, d: usize) -> Book {
    let doc = &book.documents[d];
    let authors = match &doc.author {
        Some(a) => vec![a.clone()],
        None => book.meta.authors.clone(),
    };
    let meta = BookMeta {
        title: doc.title.clone(),
        subtitle: None,
        // Its own identifier, stable across builds: derived from the book's and the slug.
        identifier: manifest::derive_identifier(&format!("{}/{}", book.meta.identifier, doc.slug), &[]),
        authors,
        lang: doc.lang,
        date: doc.date.or(book.meta.date),
        publisher: book.meta.publisher.clone(),
        rights: book.meta.rights.clone(),
    };
    Book { meta, documents: vec![doc.clone()], parts: Vec::new() }
}

/// The index in the project's book of document `i` of the unit's book.
fn book_index(u: &Unit<'_>, i: usize) -> usize {
    u.scope.unwrap_or(i)
}

fn write_pdf(
    project: &Project,
    book: &Book,
    u: &Unit<'_>,
    p: &PdfSettings,
    lay: Layout,
    layout_warnings: &[layout::Warning],
    plan: &Plan<'_>,
) -> Result<UnitOut, Diagnostics> {
    let mut out = UnitOut { files: Vec::new(), warnings: Diagnostics::new(), notes: Vec::new() };
    for w in layout_warnings {
        let i = book_index(u, w.doc);
        let doc = &project.book.documents[i];
        let loc = Location::at(&doc.path, &project.sources[i], w.offset);
        out.warnings.push(Diagnostic::warning(Some(loc), w.message.clone()).with_hint(w.hint.clone()));
    }
    // A statement's findings name its file, as in `pamphlet-01-appeal`.
    let shown = if u.scope.is_some() { u.name.as_str() } else { u.output.name.as_str() };
    let subject =
        preflight::Subject { output: shown, manifest: project.settings.manifest.as_deref(), cover: false };
    out.findings(preflight::check(&lay, &project.images, p, subject));
    let popts = pdf_options(book, plan, *p);
    let file = plan.out_dir.join(format!("{}.pdf", u.name));
    let failed = |file: &Path, e: pdf::PdfError| {
        Diagnostics(vec![Diagnostic::error(Some(Location::file(file)), e.to_string())])
    };
    let pages = lay.pages.len();
    // The imposed sheets first, while the pages are still there to draw twice.
    let imposed = match p.imposition {
        Some(kind) => {
            let file = plan.out_dir.join(format!("{}-{}.pdf", u.name, kind.keyword()));
            let made = pdf::write_imposed(&lay, &project.fonts, &project.images, &popts, kind)
                .map_err(|e| failed(&file, e))?;
            let staged = super::disk::stage_parts(&file, made.parts()).map_err(|d| Diagnostics(vec![d]))?;
            Some((file, staged, Some(pdf::imposed_sides(kind, pages))))
        }
        None => None,
    };
    let made =
        pdf::write_owned(lay, &project.fonts, &project.images, &popts).map_err(|e| failed(&file, e))?;
    let staged = super::disk::stage_parts(&file, made.parts()).map_err(|d| Diagnostics(vec![d]))?;
    drop(made);
    out.files.push((file, staged, Some(pages)));
    out.files.extend(imposed);
    Ok(out)
}

/// The picture on a book's cover (an e-book's, a wrap cover's front): the one
/// the output names, else the first statement's first; `None` when not loaded.
fn cover_picture(book: &Book, given: Option<&PathBuf>, images: &crate::model::Images) -> Option<PathBuf> {
    let first = || book.documents.first().and_then(|d| d.images().first().map(|i| i.path.clone()));
    given.cloned().or_else(first).filter(|p| images.contains_key(p))
}

/// Lays out and writes a wrap cover for an interior of `pages` pages.
fn write_cover(
    project: &Project,
    u: &Unit<'_>,
    c: &manifest::CoverSettings,
    pages: usize,
    plan: &Plan<'_>,
) -> Result<UnitOut, Diagnostics> {
    let mut out = UnitOut { files: Vec::new(), warnings: Diagnostics::new(), notes: Vec::new() };
    let book = &project.book;
    let spine = layout::cover::spine_width(pages, c.caliper);
    if spine < layout::cover::MIN_SPINE {
        let at = project.settings.manifest.as_ref().map(Location::file);
        out.warnings.push(
            Diagnostic::warning(
                at,
                format!(
                    "cover `{}`: a spine of {:.1}mm ({pages} pages of `{}`) is too thin to bind with glue",
                    u.name,
                    spine.to_mm(),
                    c.interior
                ),
            )
            .with_hint("staple the book instead (imposition = \"booklet\"), or give it more pages"),
        );
    }
    let picture = cover_picture(book, c.image.as_ref(), &project.images);
    let spec = layout::cover::CoverSpec {
        panel: (c.print.page.width, c.print.page.height),
        spine,
        meta: &book.meta,
        image: picture.as_ref().and_then(|p| project.images.get(p).map(|a| (p.as_path(), a))),
        blurb: project.blurbs.get(&u.output.name).map_or(&[][..], Vec::as_slice),
        font_size: c.print.font_size,
    };
    let lay = layout::cover::layout(&spec, &project.fonts);
    let mut print = c.print;
    if let Some(page) = lay.pages.first() {
        print.page = manifest::PageSize { width: page.width, height: page.height };
    }
    let subject =
        preflight::Subject { output: &u.name, manifest: project.settings.manifest.as_deref(), cover: true };
    out.findings(preflight::check(&lay, &project.images, &print, subject));
    let popts = pdf_options(book, plan, print);
    let file = plan.out_dir.join(format!("{}.pdf", u.name));
    let (w, _) = spec.panel;
    let made = pdf::write_cover(&lay, &project.fonts, &project.images, &popts, &[w, w + spine])
        .map_err(|e| Diagnostics(vec![Diagnostic::error(Some(Location::file(&file)), e.to_string())]))?;
    let staged = super::disk::stage_parts(&file, made.parts()).map_err(|d| Diagnostics(vec![d]))?;
    out.files.push((file, staged, Some(1)));
    Ok(out)
}

/// The key of a drawn cover among the images: no file of the book has a relative path.
const DRAWN_COVER: &str = "samizdat-drawn-cover.png";

fn write_epub(
    project: &Project,
    book: &Book,
    u: &Unit<'_>,
    e: &manifest::EpubSettings,
    pages: Option<(Vec<crate::model::PageMark>, String)>,
    packed: &PackedImages,
    plan: &Plan<'_>,
) -> Result<UnitOut, Diagnostics> {
    let file = plan.out_dir.join(format!("{}.epub", u.name));
    let mut cover = cover_picture(book, e.cover.as_ref(), &project.images);
    // A book with no picture for a cover gets one drawn, so that it does not show
    // as a blank tile in a reader's library.
    let drawn: Option<crate::model::Images> = (cover.is_none() && e.cover_generate).then(|| {
        let bytes = crate::cover::render(&book.meta, &project.fonts);
        let asset = crate::model::ImageAsset {
            format: crate::model::ImageFormat::Png,
            width: crate::cover::WIDTH,
            height: crate::cover::HEIGHT,
            bytes: std::sync::Arc::new(bytes),
        };
        let mut images = project.images.clone();
        images.insert(PathBuf::from(DRAWN_COVER), asset);
        images
    });
    if drawn.is_some() {
        cover = Some(PathBuf::from(DRAWN_COVER));
    }
    let images = drawn.as_ref().unwrap_or(&project.images);
    let (pages, page_source) = match pages {
        Some((pages, file)) if !pages.is_empty() => (pages, Some(file)),
        _ => (Vec::new(), None),
    };
    let eopts = EpubOptions {
        modified: plan.date.unwrap_or(Stamp::FALLBACK).iso(),
        cover,
        pages,
        compress_images: e.compress_images,
        soft_hyphens: e.soft_hyphens.languages().to_vec(),
        page_source,
        fonts: e.embed_fonts.then_some(&project.fonts),
    };
    let archive = epub::package_packed(book, images, &eopts, packed)
        .map_err(|err| Diagnostics(vec![Diagnostic::error(Some(Location::file(&file)), err.to_string())]))?;
    let staged = super::disk::stage_parts(&file, archive.parts()).map_err(|d| Diagnostics(vec![d]))?;
    let warnings = Diagnostics(
        archive
            .warnings()
            .iter()
            .map(|w| Diagnostic::warning(Some(Location::file(&file)), w.clone()))
            .collect(),
    );
    Ok(UnitOut { files: vec![(file, staged, None)], warnings, notes: Vec::new() })
}
