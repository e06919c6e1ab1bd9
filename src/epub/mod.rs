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
//! EPUB/fonts/<face>.ttf     the faces the text uses, subset to it, and their LICENSE.txt
//! EPUB/cover.xhtml          when there is a cover
//! EPUB/title.xhtml
//! EPUB/text/<slug>.xhtml    one per statement
//! EPUB/images/<n>.<ext>     numbered in first-use order; stored, or deflated when a sample shows it pays
//! ```
//!
//! The spine reads cover, title page, contents, then the statements.

pub mod compat;
mod container;
mod fonts;
mod nav;
mod package;
mod plan;
mod xhtml;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::model::{Book, Images, Lang};
pub use container::Archive;
use container::{Entry, Pack, Packed};
use package::SpineItem;
use plan::Plan;

/// What the driver decides for the EPUB beyond the book itself.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions<'f> {
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
    /// Languages whose running text gets soft hyphens (U+00AD) at the break points
    /// samizdat's patterns allow: for reading systems with no dictionary for them.
    pub soft_hyphens: Vec<Lang>,
    /// The print edition `pages` come from (its file name), for the package's
    /// `pageBreakSource`.
    pub page_source: Option<String>,
    /// The book's faces, to embed subset to the text; `None` leaves the
    /// choice of fonts to the reading system.
    pub fonts: Option<&'f crate::fonts::FontSet>,
}

/// Why a book could not be packaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EpubError {
    /// The archive cannot be written (more than a zip without zip64 extensions holds).
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

/// The stylesheet shared by every content document.
const STYLESHEET: &str = include_str!("style.css");

/// Packages `book` as an EPUB 3.3 file.
///
/// Pure: no filesystem, no clock, no environment. Same inputs give byte-identical output.
pub fn package(book: &Book, images: &Images, opts: &EpubOptions<'_>) -> Result<Vec<u8>, EpubError> {
    package_parts(book, images, opts).map(Archive::into_bytes)
}

/// [`package`] as the pieces of the file in order, for writing out without
/// joining them first: images stored as they are stay borrowed from `images`.
pub fn package_parts<'a>(
    book: &'a Book,
    images: &'a Images,
    opts: &'a EpubOptions<'_>,
) -> Result<Archive<'a>, EpubError> {
    static NONE: PackedImages = PackedImages(BTreeMap::new());
    package_packed(book, images, opts, &NONE)
}

/// Images packed for the container ahead of [`package_packed`], by path.
#[derive(Debug, Clone)]
pub struct PackedImages(BTreeMap<PathBuf, Packed>);

/// Packs every image of `images` as the container would (its CRC taken; deflated
/// when `compress_images` is on and a sample shows it pays), in parallel. A
/// driver that calls this while the print edition is laid out keeps both
/// cores busy: a volume's image deflate is a third of its build.
pub fn pack_images(images: &Images, compress_images: bool) -> PackedImages {
    use rayon::prelude::*;
    let list: Vec<(&PathBuf, &crate::model::ImageAsset)> = images.iter().collect();
    let packed: Vec<(PathBuf, Packed)> = list
        .into_par_iter()
        .with_max_len(1)
        .map(|(path, asset)| (path.clone(), container::pack(&asset.bytes, compress_images)))
        .collect();
    PackedImages(packed.into_iter().collect())
}

/// [`package_parts`] with images packed by [`pack_images`] (with the same
/// `compress_images` as `opts`); images not among them are packed here. The
/// bytes are the same either way.
pub fn package_packed<'a>(
    book: &'a Book,
    images: &'a Images,
    opts: &'a EpubOptions<'_>,
    packed: &'a PackedImages,
) -> Result<Archive<'a>, EpubError> {
    if !package::is_modified_date(&opts.modified) {
        return Err(EpubError::InvalidModified(opts.modified.clone()));
    }
    let mut plan = Plan::new(book, images, opts.cover.as_deref())?;
    plan.pages = &opts.pages;
    plan.soft_hyphens = &opts.soft_hyphens;
    plan.page_source = opts.page_source.as_deref();

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

    let text = |name: &str, s: String| Entry {
        name: name.to_string(),
        data: Cow::Owned(s.into_bytes()),
        pack: Pack::Deflate,
    };
    // The content documents come first: the fonts embedded are cut to their text.
    let nav = nav::nav_document(&plan, cover.map(|_| "cover.xhtml"));
    let title = xhtml::title_page(&plan);
    // The statements' XHTML, written in parallel (a volume's is 5 MB).
    let statements: Vec<String> = {
        use rayon::prelude::*;
        (0..plan.docs.len()).into_par_iter().with_max_len(1).map(|i| xhtml::statement(&plan, i)).collect()
    };
    let embedded = opts.fonts.and_then(|set| {
        let docs: Vec<&str> = [&nav, &title].into_iter().chain(&statements).map(String::as_str).collect();
        fonts::embed(set, &docs)
    });
    let font_warnings = embedded.as_ref().map_or_else(Vec::new, |e| e.warnings.clone());
    let embedded = embedded.filter(|e| !e.files.is_empty());
    let stylesheet = match &embedded {
        Some(e) => Cow::Owned(format!("{}{STYLESHEET}{}", e.faces, e.families).into_bytes()),
        None => Cow::Borrowed(STYLESHEET.as_bytes()),
    };
    let font_items: Vec<package::Item> = embedded.as_ref().map_or_else(Vec::new, |e| {
        let mut items: Vec<package::Item> = e
            .files
            .iter()
            .map(|f| package::Item { id: &f.id, href: &f.href, media_type: f.media_type })
            .collect();
        items.push(package::Item { id: "font-licence", href: fonts::LICENCE_HREF, media_type: "text/plain" });
        items
    });

    let mut entries = vec![
        Entry { name: "mimetype".into(), data: Cow::Borrowed(b"application/epub+zip"), pack: Pack::Store },
        text("META-INF/container.xml", package::container()),
        text(package::OPF_PATH, package::opf(&plan, &opts.modified, &spine, &font_items)),
        text("EPUB/nav.xhtml", nav),
        text("EPUB/toc.ncx", nav::ncx(&plan)),
        Entry { name: "EPUB/css/style.css".into(), data: stylesheet, pack: Pack::Deflate },
    ];
    if let Some(img) = cover {
        entries.push(text("EPUB/cover.xhtml", xhtml::cover_page(&plan, &img.href)));
    }
    entries.push(text("EPUB/title.xhtml", title));
    for (dp, xhtml) in plan.docs.iter().zip(statements) {
        entries.push(text(&format!("EPUB/text/{}", dp.file), xhtml));
    }
    if let Some(e) = embedded {
        for f in e.files {
            entries.push(Entry {
                name: format!("EPUB/{}", f.href),
                data: Cow::Owned(f.bytes),
                pack: Pack::Deflate,
            });
        }
        entries.push(text(&format!("EPUB/{}", fonts::LICENCE_HREF), e.licence));
    }
    for img in &plan.images {
        entries.push(Entry {
            name: format!("EPUB/{}", img.href),
            data: Cow::Borrowed(img.asset.bytes.as_slice()),
            pack: packed.0.get(img.path).map_or(Pack::DeflateIfWorth, Pack::Packed),
        });
    }
    let sizes: Vec<(String, usize)> = entries.iter().map(|e| (e.name.clone(), e.data.len())).collect();
    let mut archive = container::write(entries, opts.compress_images)?;
    archive.warnings = font_warnings;
    archive.warnings.extend(compat::limits(sizes.iter().map(|(n, l)| (n.as_str(), *l)), archive.len()));
    Ok(archive)
}
