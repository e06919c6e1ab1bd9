//! EPUB 3.3 writer: a [`Book`] and its loaded [`Images`] in, the bytes of an
//! `.epub` file out.
//!
//! Pure: no filesystem, clock or environment; the same inputs give
//! byte-identical output. The container holds, in this order:
//!
//! ```text
//! mimetype                  stored, first (EPUB 3.3 §4.2.2)
//! META-INF/container.xml
//! EPUB/content.opf          metadata, manifest, spine
//! EPUB/nav.xhtml            table of contents and landmarks
//! EPUB/toc.ncx              the same for EPUB 2 readers
//! EPUB/css/style.css
//! EPUB/cover.xhtml          when there is a cover
//! EPUB/title.xhtml
//! EPUB/text/<slug>.xhtml    one per statement
//! EPUB/images/<n>.<ext>     numbered in first-use order; stored, or deflated when a sample shows it pays
//! ```
//!
//! The spine reads cover, title page, contents, then the statements.

mod nav;
mod package;
mod plan;
mod xhtml;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::io::{Cursor, Write as _};
use std::path::PathBuf;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::model::{Book, Images};
use package::SpineItem;
use plan::Plan;

/// What the driver decides for the EPUB beyond the book itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EpubOptions {
    /// dcterms:modified, already formatted `YYYY-MM-DDThh:mm:ssZ` (the driver derives it from
    /// SOURCE_DATE_EPOCH or the book date; never the clock).
    pub modified: String,
    /// Cover image: a key of `Images` (resolved path). The driver picks the manifest's cover or
    /// the first image of the first document.
    pub cover: Option<PathBuf>,
    /// Pages of the print edition built in the same run, for the nav's `page-list`
    /// and `pagebreak` markers in the text; empty when there is no print edition.
    pub pages: Vec<crate::model::PageMark>,
    /// Deflate images that a sample shows will shrink; else every image is stored.
    pub compress_images: bool,
}

/// Why a book could not be packaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpubError {
    /// The zip writer failed.
    Zip(String),
    /// An image (or the cover) is not among the loaded images.
    MissingImage(PathBuf),
    /// The book title is empty; `dc:title` must not be.
    MissingTitle,
    /// The book identifier is empty; `dc:identifier` must not be.
    MissingIdentifier,
    /// `EpubOptions::modified` is not `YYYY-MM-DDThh:mm:ssZ`.
    InvalidModified(String),
}

impl fmt::Display for EpubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpubError::Zip(e) => write!(f, "cannot write the EPUB archive: {e}"),
            EpubError::MissingImage(p) => write!(f, "image `{}` was not loaded", p.display()),
            EpubError::MissingTitle => write!(f, "the book has no title; set one in the manifest"),
            EpubError::MissingIdentifier => {
                write!(f, "the book has no identifier; set one in the manifest (`urn:uuid:…` or an ISBN)")
            }
            EpubError::InvalidModified(s) => {
                write!(f, "modification date `{s}` is not of the form `YYYY-MM-DDThh:mm:ssZ`")
            }
        }
    }
}

impl std::error::Error for EpubError {}

impl From<zip::result::ZipError> for EpubError {
    fn from(e: zip::result::ZipError) -> EpubError {
        EpubError::Zip(e.to_string())
    }
}

impl From<std::io::Error> for EpubError {
    fn from(e: std::io::Error) -> EpubError {
        EpubError::Zip(e.to_string())
    }
}

/// The stylesheet shared by every content document.
const STYLESHEET: &str = include_str!("style.css");

/// Packages `book` as an EPUB 3.3 file.
///
/// Pure: no filesystem, no clock, no environment. Same inputs give byte-identical output.
pub fn package(book: &Book, images: &Images, opts: &EpubOptions) -> Result<Vec<u8>, EpubError> {
    if !package::is_modified_date(&opts.modified) {
        return Err(EpubError::InvalidModified(opts.modified.clone()));
    }
    let mut plan = Plan::new(book, images, opts.cover.as_deref())?;
    plan.pages = &opts.pages;

    let cover = plan.cover.and_then(|i| plan.images.get(i));
    let mut spine = Vec::new();
    if cover.is_some() {
        spine.push(SpineItem { id: "cover".into(), href: "cover.xhtml".into(), properties: "" });
    }
    spine.push(SpineItem { id: "titlepage".into(), href: "title.xhtml".into(), properties: "" });
    spine.push(SpineItem { id: "nav".into(), href: "nav.xhtml".into(), properties: "nav" });
    for dp in &plan.docs {
        spine.push(SpineItem {
            id: dp.manifest_id.clone(),
            href: format!("text/{}", dp.file),
            properties: "",
        });
    }

    let text = |name: &str, s: String| Entry { name: name.to_string(), data: Cow::Owned(s.into_bytes()) };
    let mut entries = vec![
        text("META-INF/container.xml", package::container()),
        text(package::OPF_PATH, package::opf(&plan, &opts.modified, &spine)),
        text("EPUB/nav.xhtml", nav::nav_document(&plan, cover.map(|_| "cover.xhtml"))),
        text("EPUB/toc.ncx", nav::ncx(&plan)),
        Entry { name: "EPUB/css/style.css".into(), data: Cow::Borrowed(STYLESHEET.as_bytes()) },
    ];
    if let Some(img) = cover {
        entries.push(text("EPUB/cover.xhtml", xhtml::cover_page(&plan, &img.href)));
    }
    entries.push(text("EPUB/title.xhtml", xhtml::title_page(&plan)));
    for (i, dp) in plan.docs.iter().enumerate() {
        entries.push(text(&format!("EPUB/text/{}", dp.file), xhtml::statement(&plan, i)));
    }
    let first_image = entries.len();
    for img in &plan.images {
        entries.push(Entry {
            name: format!("EPUB/{}", img.href),
            data: Cow::Borrowed(img.asset.bytes.as_slice()),
        });
    }
    write_zip(&entries, first_image, opts.compress_images)
}

/// A file to put in the container.
struct Entry<'a> {
    name: String,
    data: Cow<'a, [u8]>,
}

/// Whether deflating an already compressed image pays: a 16 KB sample from its
/// middle, deflated at level 2 (zlib-rs level 1 uses fixed codes and misjudges), must shrink by a tenth. Photographs
/// do not (deflate saves 1–3 % of a camera JPEG, for the time of compressing
/// every byte); scans and drawings with large flat areas often save a third.
fn worth_deflating(data: &[u8]) -> bool {
    const SAMPLE: usize = 16 * 1024;
    if data.len() < 2 * SAMPLE {
        return false;
    }
    let at = (data.len() - SAMPLE) / 2;
    let sample = &data[at..at + SAMPLE];
    let mut out = Vec::with_capacity(SAMPLE);
    let mut z = flate2::Compress::new(flate2::Compression::new(2), false);
    match z.compress_vec(sample, &mut out, flate2::FlushCompress::Finish) {
        Ok(flate2::Status::StreamEnd) => out.len() * 10 < SAMPLE * 9,
        _ => false,
    }
}

/// Writes the container: `mimetype` first and stored (EPUB 3.3 §4.2.2), text
/// deflated; entries from `first_stored` on (images, already compressed) are
/// stored unless `compress_images` and [`worth_deflating`]. Timestamps are the zip epoch 1980-01-01
/// 00:00, permissions 0644, no extra fields, so the bytes depend on the content alone.
fn write_zip(entries: &[Entry], first_stored: usize, compress_images: bool) -> Result<Vec<u8>, EpubError> {
    let base = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .large_file(false);
    let stored = base.compression_method(CompressionMethod::Stored);
    // Level 6, zlib's default: on the text of a 20-statement book it costs a third less
    // than level 9 (53 instead of 80 instructions per byte) for 0.9 KB more in a 2.4 MB
    // EPUB. Images worth deflating at all get the same level: it is what makes the EPUB
    // as small as Pandoc's, and levels 1–2 of zlib-rs were not much faster on JPEGs.
    let deflated = base.compression_method(CompressionMethod::Deflated).compression_level(Some(6));
    // Room for everything stored plus headers, so that a 25 MB container is not copied on growth.
    let capacity = entries.iter().map(|e| e.data.len() + 2 * e.name.len() + 100).sum::<usize>() + 1024;
    // Images worth deflating are most of the work: each is deflated on the thread pool into
    // an archive of its own, whose entry is then copied in as it is.
    let packed: Vec<Option<Vec<u8>>> = {
        use rayon::prelude::*;
        entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                if i < first_stored || !compress_images || !worth_deflating(&e.data) {
                    return Ok(None);
                }
                let mut one = ZipWriter::new(Cursor::new(Vec::with_capacity(e.data.len())));
                one.start_file(e.name.as_str(), deflated)?;
                one.write_all(&e.data)?;
                Ok(Some(one.finish()?.into_inner()))
            })
            .collect::<Result<_, EpubError>>()?
    };
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
    zip.start_file("mimetype", stored)?;
    zip.write_all(b"application/epub+zip")?;
    for (i, (e, packed)) in entries.iter().zip(packed).enumerate() {
        if let Some(one) = packed {
            let mut archive = zip::ZipArchive::new(Cursor::new(one))?;
            zip.raw_copy_file(archive.by_index_raw(0)?)?;
            continue;
        }
        zip.start_file(e.name.as_str(), if i < first_stored { deflated } else { stored })?;
        zip.write_all(&e.data)?;
    }
    Ok(zip.finish()?.into_inner())
}
