//! PDF writer: a [`Layout`] → PDF bytes, written by samizdat itself on
//! `pdf-writer`'s object serializer.
//!
//! Pure: fonts, images, dates and metadata come in as arguments. Glyph runs
//! are drawn as positioned glyphs whose text maps back to the source
//! characters (ToUnicode); fonts are subset and embedded once per file
//! (`font`); JPEG images are passed through unchanged (`image`); content
//! streams (`draw`, written with `content`) are compressed; text is drawn in
//! DeviceGray black (never rich black). The outline and page labels are in
//! `navigation`; the Info dictionary, XMP and what PDF/A-2b adds (an sRGB
//! output intent) in `archival`.
//!
//! `render` writes the pages of a file in parallel: a first pass collects
//! the glyphs and images every sheet uses, so that each face's subset (and
//! with it every glyph's code) is fixed; a second pass writes and deflates each
//! sheet's content stream on the thread pool; the objects are then numbered
//! and serialized in sheet order, so the bytes never depend on the threads.
//! Image samples are not copied into that buffer: the file comes back as its
//! pieces ([`PdfFile`]), the images' streams spliced in after the other objects
//! (`file`).
//!
//! Print production lives here too: every output page is a sheet (`impose`)
//! holding one page (the reading-order PDF) or several (`write_imposed`:
//! booklet, 2-up, 4-up). A sheet's MediaBox grows by the bleed and, with crop
//! marks, by a slug (`marks`); its TrimBox is the finished sheet and its
//! BleedBox the trim plus the bleed. Pages are drawn with a transform, so
//! layout coordinates stay trim-relative and an imposed file shares one copy
//! of each font and image. `gray` converts images for `color = "gray"`.

mod archival;
pub mod cmyk;
mod content;
mod draw;
mod file;
mod font;
mod gray;
mod image;
mod impose;
mod marks;
mod navigation;
mod tags;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use pdf_writer::types::{ActionType, AnnotationFlags, AnnotationType, OutputIntentSubtype};
use pdf_writer::{Filter, Finish, Name, Pdf, Rect as PRect, Ref, Str, TextStr};
use rayon::prelude::*;

use crate::fonts::{FaceId, FontSet};
use crate::layout::{Item, Layout, OutlineEntry, Page, PageLabel, Rect, StructNode};
use crate::manifest::{ColorMode, Imposition, PdfSettings, Standard};
use crate::model::Images;
use crate::units::Pt;
use draw::{Link, Shared, SheetOut, draw_sheet, font_name, image_name};
use font::{FontUse, SheetGlyphs, Subset, use_run};

pub use file::PdfFile;
pub use impose::{Edges, TRIFOLD_PANELS, booklet_pages, booklet_sides, imposed_sides, trifold_sides};
pub use marks::SLUG;

/// Document-level facts and print settings written into the PDF.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfOptions {
    /// Document title (`/Title`, shown by viewers instead of the file name).
    pub title: String,
    /// Authors (`/Author`).
    pub authors: Vec<String>,
    /// BCP 47 language tag (`/Lang`).
    pub lang: String,
    /// Creation date `(year, month, day, hour, minute, second)` in UTC, from
    /// `SOURCE_DATE_EPOCH` or the book date; `None` writes no date.
    pub date: Option<(u16, u8, u8, u8, u8, u8)>,
    /// The output's print settings as the manifest resolved them; the writer
    /// reads bleed, crop marks, colour and standard here.
    pub print: PdfSettings,
}

/// Why a PDF could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// A page refers to an image that was not loaded.
    MissingImage(PathBuf),
    /// An image could not be decoded by the PDF writer.
    BadImage(PathBuf, String),
    /// The document cannot be written (a font that cannot be embedded, a rule of a standard it breaks).
    Writer(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::MissingImage(p) => write!(f, "image `{}` was not loaded", p.display()),
            PdfError::BadImage(p, e) => write!(f, "image `{}` cannot be embedded: {e}", p.display()),
            PdfError::Writer(e) => write!(f, "the PDF writer failed: {e}"),
        }
    }
}

impl std::error::Error for PdfError {}

/// Largest distance from a trim edge at which an image still counts as touching
/// it, and is extended into the bleed: half a point absorbs rounding in layout.
pub const BLEED_TOUCH: Pt = Pt::new(0.5);

/// The trim edges of a `width × height` page that `rect` touches (within
/// [`BLEED_TOUCH`]): an image touching an edge is printed to the bleed there.
pub fn touched_edges(rect: &Rect, width: Pt, height: Pt) -> Edges {
    Edges {
        left: rect.x <= BLEED_TOUCH,
        right: rect.x + rect.width >= width - BLEED_TOUCH,
        top: rect.y <= BLEED_TOUCH,
        bottom: rect.y + rect.height >= height - BLEED_TOUCH,
    }
}

/// Writes the layout as a PDF in reading order, one page per sheet.
pub fn write(
    layout: &Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<PdfFile, PdfError> {
    in_reading_order(Pages::Shared(&layout.pages), &layout.outline, &layout.structure, fonts, images, opts)
}

/// [`write()`], taking the layout: each page is freed as soon as it is written, so
/// a long book's set glyphs are not held next to the PDF being made.
pub fn write_owned(
    layout: Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<PdfFile, PdfError> {
    let pages = Pages::Owned(layout.pages.into_iter().map(Some).collect());
    in_reading_order(pages, &layout.outline, &layout.structure, fonts, images, opts)
}

/// One sheet per page, with page labels, links, the outline and the structure tree.
fn in_reading_order(
    mut pages: Pages<'_>,
    outline: &[OutlineEntry],
    structure: &[StructNode],
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<PdfFile, PdfError> {
    let sizes: Vec<(Pt, Pt)> =
        (0..pages.len()).filter_map(|i| pages.get(i)).map(|p| (p.width, p.height)).collect();
    let sheets = impose::reading_order(&sizes);
    let structure = (!structure.is_empty()).then_some(structure);
    render(&mut pages, Some(outline), structure, fonts, images, opts, &sheets, true)
}

/// Writes a wrap cover: its one page as one sheet, with fold marks at the
/// spine's edges (`folds`, from the left trim edge) beside the crop marks. A
/// cover is not tagged, so it claims PDF/A-2b at most.
pub fn write_cover(
    layout: &Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
    folds: &[Pt],
) -> Result<PdfFile, PdfError> {
    let sizes: Vec<(Pt, Pt)> = layout.pages.iter().map(|p| (p.width, p.height)).collect();
    let mut sheets = impose::reading_order(&sizes);
    for sheet in &mut sheets {
        sheet.folds_x = folds.to_vec();
    }
    render(&mut Pages::Shared(&layout.pages), None, None, fonts, images, &untagged(opts), &sheets, true)
}

/// The press's CMYK profile deflated, once for every file that embeds it.
fn press_profile() -> &'static [u8] {
    static DEFLATED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    DEFLATED.get_or_init(|| Deflater::new(RESOURCE_LEVEL).zlib(cmyk::PROFILE))
}

/// The options of a file without a structure tree (imposed sheets, a cover):
/// it claims neither PDF/UA nor PDF/A-2a, at most PDF/A-2b.
fn untagged(opts: &PdfOptions) -> PdfOptions {
    let mut opts = opts.clone();
    opts.print.ua = false;
    if opts.print.standard == Some(Standard::PdfA2a) {
        opts.print.standard = Some(Standard::PdfA2b);
    }
    opts
}

/// The pages a render draws: borrowed, or owned and dropped once written.
enum Pages<'a> {
    Shared(&'a [Page]),
    Owned(Vec<Option<Page>>),
}

impl Pages<'_> {
    fn len(&self) -> usize {
        match self {
            Pages::Shared(p) => p.len(),
            Pages::Owned(p) => p.len(),
        }
    }

    fn get(&self, i: usize) -> Option<&Page> {
        match self {
            Pages::Shared(p) => p.get(i),
            Pages::Owned(p) => p.get(i).and_then(Option::as_ref),
        }
    }
}

/// Writes the layout imposed on printed sheets: a booklet (pages padded to a
/// multiple of four after the text or before a back cover, sheets in duplex
/// order, with the output's creep), 2-up or 4-up. Fonts and images are
/// shared by all the copies of a page. Links and the outline are left out: they
/// point at reading-order pages, and the sheets are not tagged.
pub fn write_imposed(
    layout: &Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
    kind: Imposition,
) -> Result<PdfFile, PdfError> {
    let (w, h) = layout.pages.first().map_or((Pt::ZERO, Pt::ZERO), |p| (p.width, p.height));
    let sheets = impose::plan(kind, layout.pages.len(), w, h, opts.print.creep, opts.print.back_cover);
    // Printed sheets are not tagged: they claim PDF/A-2b at most, the reading-order file the rest.
    render(&mut Pages::Shared(&layout.pages), None, None, fonts, images, &untagged(opts), &sheets, true)
}

/// Level of the page content streams. A volume's pages are about as many
/// bytes of operators as its JPEGs, so their deflate is a fixed share of every
/// build: measured on 164 make-corpus pages (1.13 MB of operators), libdeflate's
/// level 1 packs them to 31.0 % at 9 ns a byte, level 6 to 28.7 % at 20 ns a
/// byte (zlib's 6, which Typst uses, to about the same in twice that). Level 1
/// costs the file 2 % of its text and saves half the time.
const CONTENT_LEVEL: i32 = 1;

/// Level of the other zlib streams (font programs, ToUnicode maps, decoded
/// images, the ICC profile): few bytes per file, packed as tightly as is cheap.
const RESOURCE_LEVEL: i32 = 6;

/// A zlib compressor, one per thread.
pub(crate) struct Deflater(libdeflater::Compressor);

impl Deflater {
    fn new(level: i32) -> Deflater {
        let level = libdeflater::CompressionLvl::new(level).unwrap_or_default();
        Deflater(libdeflater::Compressor::new(level))
    }

    /// `data` in the zlib format, as `FlateDecode` reads it.
    fn zlib(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0; self.0.zlib_compress_bound(data.len())];
        // The buffer holds the bound, so compression cannot run out of room.
        let n = self.0.zlib_compress(data, &mut out).unwrap_or(0);
        out.truncate(n);
        out
    }
}

/// What one sheet draws with: glyphs per face and images.
#[derive(Default)]
struct SheetUse<'a> {
    fonts: BTreeMap<FaceId, SheetGlyphs>,
    images: BTreeSet<&'a PathBuf>,
}

/// Draws `sheets` into a new document. With an outline the sheets are the pages in
/// reading order: they get page labels, links and the outline; with a structure,
/// their content is tagged.
#[allow(clippy::too_many_arguments)]
fn render(
    pages: &mut Pages<'_>,
    outline_entries: Option<&[OutlineEntry]>,
    structure: Option<&[StructNode]>,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
    sheets: &[impose::Sheet],
    compress: bool,
) -> Result<PdfFile, PdfError> {
    let reading = outline_entries.is_some();
    let pdf_a = opts.print.standard.is_some();
    let pdfx = opts.print.pdfx;
    let cmyk_job = opts.print.color == ColorMode::Cmyk;
    // The output intent names the press's CMYK for PDF/X or a CMYK job, else sRGB.
    let press_intent = pdfx || (pdf_a && cmyk_job);
    // The standards that need the structure tree can only be claimed by a tagged file.
    if structure.is_none() && (opts.print.ua || opts.print.standard == Some(Standard::PdfA2a)) {
        return Err(PdfError::Writer(
            "PDF/UA-1 and PDF/A-2a need a tagged file, and imposed sheets (a booklet, n-up) are not tagged: \
             claim them for the reading-order PDF, and \"pdf/a-2b\" for the imposed one"
                .into(),
        ));
    }
    if pdfx && (opts.title.trim().is_empty() || opts.date.is_none()) {
        return Err(PdfError::Writer(
            "PDF/X-4 needs a document title and date: set `title` and `date` in [book]".into(),
        ));
    }
    if opts.print.ua && opts.title.trim().is_empty() {
        return Err(PdfError::Writer("PDF/UA-1 needs a document title: set `title` in [book]".into()));
    }
    let bleed = opts.print.bleed;
    // Distance from the media edge to the trim edge.
    let margin = bleed + if opts.print.crop_marks { marks::SLUG } else { Pt::ZERO };
    for sheet in sheets {
        if !(sheet.width + margin * 2.0 > Pt::ZERO && sheet.height + margin * 2.0 > Pt::ZERO) {
            return Err(PdfError::Writer("page has no area".into()));
        }
    }

    // Pass 1: the glyphs and images of every sheet, merged in sheet order.
    let view: &Pages<'_> = pages;
    let per_sheet: Vec<SheetUse<'_>> = sheets
        .par_iter()
        .map(|sheet| {
            let mut u = SheetUse::default();
            for page in sheet.cells.iter().filter_map(|c| c.page).filter_map(|i| view.get(i)) {
                for item in &page.items {
                    match item {
                        Item::Text(run) => use_run(run, &mut u.fonts),
                        Item::Image(img) => {
                            u.images.insert(&img.key);
                        }
                        _ => {}
                    }
                }
            }
            u
        })
        .collect();
    let mut uses: BTreeMap<FaceId, FontUse> = BTreeMap::new();
    let mut image_keys: BTreeSet<PathBuf> = BTreeSet::new();
    for u in per_sheet {
        for (id, sheet) in u.fonts {
            uses.entry(id).or_default().merge(sheet.used);
        }
        image_keys.extend(u.images.into_iter().cloned());
    }
    let faces: BTreeMap<FaceId, &crate::fonts::Face> = fonts.faces().collect();
    uses.retain(|id, _| faces.contains_key(id));
    if pdf_a {
        if let Some(problem) = uses.keys().find_map(|id| font::archival_problem(faces[id])) {
            return Err(PdfError::Writer(format!("PDF/A: {problem}")));
        }
        // ISO 19005-2, 6.2.11.8: no reference to the .notdef glyph.
        if let Some(id) = uses.iter().find_map(|(id, u)| u.glyphs.contains_key(&0).then_some(id)) {
            return Err(PdfError::Writer(format!(
                "PDF/A: the font `{}` has no glyph for some characters of the text; choose a font that covers them",
                faces[id].name
            )));
        }
    }
    let subsets: BTreeMap<FaceId, Subset> =
        uses.iter().map(|(&id, used)| (id, Subset::plan(faces[&id], used))).collect();
    let image_index: BTreeMap<PathBuf, usize> =
        image_keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect();

    // The images, prepared in parallel (JPEGs pass through; PNGs are decoded and deflated).
    let interpolate = opts.print.standard.is_none() && !pdfx;
    let encoded: Vec<image::Encoded> = image_keys
        .par_iter()
        .map_init(
            || Deflater::new(RESOURCE_LEVEL),
            |d, key| {
                let asset = images.get(key).ok_or_else(|| PdfError::MissingImage(key.clone()))?;
                let encoded = image::encode(asset, opts.print.color, d).map_err(|e| PdfError::BadImage(key.clone(), e))?;
                // The output intent is sRGB: PDF/A allows no DeviceCMYK beside it (ISO 19005-2, 6.2.4.3).
                if pdf_a && !press_intent && encoded.space == image::Space::Cmyk {
                    return Err(PdfError::BadImage(
                        key.clone(),
                        "a CMYK image cannot go into a PDF/A file with an sRGB output intent; convert it to RGB".into(),
                    ));
                }
                Ok(encoded)
            },
        )
        .collect::<Result<_, _>>()?;

    let labels: Vec<Option<PageLabel>> = sheets
        .iter()
        .map(|s| s.cells.first().and_then(|c| c.page).and_then(|i| view.get(i)).map(|p| p.label))
        .collect();

    // Pass 2: every sheet's content stream, written and deflated on the pool.
    let shared = Shared {
        subsets: &subsets,
        image_index: &image_index,
        bleed,
        margin,
        crop_marks: opts.print.crop_marks,
        // A press file has no links: PDF/X admits no annotation on the page
        // but printer's marks and trap networks (ISO 15930-7, 6.6).
        reading: reading && !pdfx,
        structure,
        cmyk: cmyk_job,
    };
    let finish = |d: &mut Deflater, mut out: SheetOut| {
        if compress {
            out.content = d.zlib(&out.content);
        }
        out
    };
    let outs: Vec<SheetOut> = match pages {
        // An owned layout in reading order: each page is freed as soon as its
        // sheet is written, so a volume's glyphs do not outlive their pages.
        Pages::Owned(slots)
            if slots.len() == sheets.len()
                && sheets
                    .iter()
                    .enumerate()
                    .all(|(i, s)| s.cells.len() == 1 && s.cells[0].page == Some(i)) =>
        {
            sheets
                .par_iter()
                .zip(slots.par_iter_mut())
                .map_init(
                    || Deflater::new(CONTENT_LEVEL),
                    |d, (sheet, slot)| {
                        let page = slot.take();
                        finish(d, draw_sheet(sheet, &|_| page.as_ref(), &shared))
                    },
                )
                .collect()
        }
        _ => {
            let view: &Pages<'_> = pages;
            sheets
                .par_iter()
                .map_init(
                    || Deflater::new(CONTENT_LEVEL),
                    |d, sheet| finish(d, draw_sheet(sheet, &|i| view.get(i), &shared)),
                )
                .collect()
        }
    };

    // Serialization, in a fixed order: catalog, page tree, pages with their
    // content and links, fonts, images, outline, metadata.
    let mut next_id = 1;
    let mut alloc = move || {
        let r = Ref::new(next_id);
        next_id += 1;
        r
    };
    // Image samples are not copied into the buffer, their masks are.
    let capacity = outs.iter().map(|o| o.content.len() + 512).sum::<usize>()
        + encoded.iter().map(|e| e.alpha.as_ref().map_or(0, Vec::len) + 1024).sum::<usize>()
        + 64 * 1024;
    // Compact syntax: no indentation or padding inside dictionaries.
    let mut pdf = Pdf::with_settings_and_capacity(pdf_writer::Settings { pretty: false }, capacity);
    if pdfx {
        // PDF/X-4 is a subset of PDF 1.6 (ISO 15930-7, 6.1.2).
        pdf.set_version(1, 6);
    }
    let catalog_ref = alloc();
    let tree_ref = alloc();
    let page_refs: Vec<Ref> = sheets.iter().map(|_| alloc()).collect();
    let font_refs: BTreeMap<FaceId, Ref> = subsets.keys().map(|&id| (id, alloc())).collect();
    let image_refs: Vec<Ref> = encoded.iter().map(|_| alloc()).collect();
    // RGB pictures beside a CMYK output intent are tagged as sRGB.
    let srgb_ref = (press_intent && encoded.iter().any(|e| e.space == image::Space::Rgb)).then(&mut alloc);

    pdf.pages(tree_ref).kids(page_refs.iter().copied()).count(page_refs.len() as i32);
    let refs = Refs { tree: tree_ref, pages: &page_refs, fonts: &font_refs, images: &image_refs };
    // Link annotations: their refs, and in a tagged file their parent-tree keys,
    // numbered after the pages'.
    let annots: Vec<Vec<Ref>> = outs.iter().map(|o| o.links.iter().map(|_| alloc()).collect()).collect();
    let mut next_key = sheets.len() as i32;
    let mut page_tags = Vec::new();
    for (i, (sheet, out)) in sheets.iter().zip(&outs).enumerate() {
        let keys: Vec<i32> = (0..out.links.len() as i32).map(|k| next_key + k).collect();
        next_key += keys.len() as i32;
        let tagged = structure.map(|_| (i as i32, keys.as_slice()));
        write_page(&mut pdf, &mut alloc, i, sheet, out, &refs, &annots[i], tagged, (bleed, margin), compress);
        if structure.is_some() {
            page_tags.push(tags::PageTags {
                page: page_refs[i],
                mcids: &out.mcids,
                links: out.links.iter().zip(&annots[i]).zip(&keys).map(|((l, &a), &k)| (a, l.2, k)).collect(),
                figures: &out.figures,
            });
        }
    }
    let doc_lang = structure.and_then(|s| s.first()).map(|root| root.lang);
    let struct_root = match (structure, doc_lang) {
        (Some(nodes), Some(lang)) => Some(tags::write_tree(&mut pdf, &mut alloc, nodes, &page_tags, lang)),
        _ => None,
    };

    let mut deflater = Deflater::new(RESOURCE_LEVEL);
    for (id, used) in &uses {
        font::embed(&mut pdf, font_refs[id], &mut alloc, faces[id], used, &subsets[id], &mut deflater)?;
    }
    // Image samples stay out of the buffer: they are spliced in after it (see `file`).
    let mut kept = Vec::with_capacity(encoded.len());
    for (enc, &r) in encoded.iter().zip(&image_refs) {
        let mask = enc.alpha.is_some().then(&mut alloc);
        let data = image::samples(enc);
        match file::stream_head(r.get(), data.len(), |c, empty| {
            image::write(c, r, mask, enc, interpolate, srgb_ref, empty)
        }) {
            Some(head) => kept.push(file::Kept { id: r.get(), head, data: Arc::clone(data) }),
            None => image::write(&mut pdf, r, mask, enc, interpolate, srgb_ref, data),
        }
        if let Some(m) = mask {
            image::write_mask(&mut pdf, m, enc, interpolate);
        }
    }

    let outline_ref = match outline_entries {
        Some(entries) if !entries.is_empty() => {
            Some(navigation::write_outline(&mut pdf, &mut alloc, entries, &page_refs, sheets, margin))
        }
        _ => None,
    };
    // The file identifier: a digest of the title and every content stream, the
    // same for the same document and different for another.
    let mut id = archival::Fnv::default();
    id.feed(opts.title.as_bytes());
    for out in &outs {
        id.feed(&libdeflater::crc32(&out.content).to_le_bytes());
    }
    let digest = id.digest();
    let meta_ref = alloc();
    let xmp = archival::xmp(opts, pdf_a, &digest);
    pdf.metadata(meta_ref, &xmp);
    let icc_ref = (pdf_a || pdfx).then(&mut alloc);
    if let Some(r) = icc_ref {
        if press_intent {
            let profile = press_profile();
            pdf.icc_profile(r, profile).n(4).alternate_name(Name(b"DeviceCMYK")).filter(Filter::FlateDecode);
        } else {
            let profile = deflater.zlib(&archival::srgb_profile());
            pdf.icc_profile(r, &profile).n(3).filter(Filter::FlateDecode);
        }
    }
    if let Some(r) = srgb_ref {
        let profile = deflater.zlib(&archival::srgb_profile());
        pdf.icc_profile(r, &profile).n(3).alternate_name(Name(b"DeviceRGB")).filter(Filter::FlateDecode);
    }
    let info_ref = alloc();
    archival::write_info(&mut pdf, info_ref, opts);

    let mut cat = pdf.catalog(catalog_ref);
    cat.pages(tree_ref).metadata(meta_ref);
    if !opts.lang.is_empty() {
        cat.lang(TextStr(&opts.lang));
    }
    if !opts.title.is_empty() {
        cat.viewer_preferences().display_doc_title(true);
    }
    if let Some(r) = struct_root {
        cat.mark_info().marked(true);
        cat.pair(Name(b"StructTreeRoot"), r);
    }
    if let Some(r) = outline_ref {
        cat.outlines(r);
    }
    if reading {
        navigation::write_labels(&mut cat, &labels);
    }
    if let Some(r) = icc_ref {
        let mut intents = cat.output_intents();
        // PDF/X and PDF/A each name the intent; a file claiming both gives them
        // one profile (ISO 19005-2, 6.2.3).
        let subtypes = [(pdfx, OutputIntentSubtype::PDFX), (pdf_a, OutputIntentSubtype::PDFA)];
        for subtype in subtypes.into_iter().filter_map(|(on, s)| on.then_some(s)) {
            let mut intent = intents.push();
            intent.subtype(subtype);
            if press_intent {
                let c = &cmyk::FOGRA39;
                intent
                    .output_condition(TextStr(c.info))
                    .output_condition_identifier(TextStr(c.identifier))
                    .registry_name(TextStr(c.registry))
                    .info(TextStr(c.info));
            } else {
                intent
                    .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
                    .info(TextStr("sRGB IEC61966-2.1"));
            }
            intent.dest_output_profile(r);
        }
    }
    cat.finish();

    pdf.set_file_id((digest.clone(), digest));
    file::splice(pdf.finish(), kept)
        .ok_or_else(|| PdfError::Writer("the cross-reference table is not laid out as expected".into()))
}

/// The refs a page points to.
struct Refs<'a> {
    tree: Ref,
    pages: &'a [Ref],
    fonts: &'a BTreeMap<FaceId, Ref>,
    images: &'a [Ref],
}

/// Writes sheet `i` as a page: its boxes (media, trim and bleed), resources,
/// content stream and link annotations.
/// In a tagged file (`tagged`: the page's parent-tree key and its links'), the
/// page tabs through its annotations in structure order and each link names
/// its parent-tree entry and says where it leads (`/Contents`).
#[allow(
    clippy::too_many_arguments,
    reason = "the page's parts come from four places; a struct for one call adds nothing"
)]
fn write_page(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    i: usize,
    sheet: &impose::Sheet,
    out: &SheetOut,
    refs: &Refs<'_>,
    annot_refs: &[Ref],
    tagged: Option<(i32, &[i32])>,
    (bleed, margin): (Pt, Pt),
    compress: bool,
) {
    let (mw, mh) = ((sheet.width + margin * 2.0).get() as f32, (sheet.height + margin * 2.0).get() as f32);
    let (m, b) = (margin.get() as f32, bleed.get() as f32);
    let content_ref = alloc();
    let mut page = pdf.page(refs.pages[i]);
    if let Some((key, _)) = tagged {
        if !out.mcids.is_empty() {
            page.struct_parents(key);
        }
        page.tab_order(pdf_writer::types::TabOrder::StructureOrder);
    }
    page.parent(refs.tree)
        .media_box(PRect::new(0.0, 0.0, mw, mh))
        .trim_box(PRect::new(m, m, mw - m, mh - m))
        .bleed_box(PRect::new(m - b, m - b, mw - m + b, mh - m + b))
        .contents(content_ref);
    if !annot_refs.is_empty() {
        page.annotations(annot_refs.iter().copied());
    }
    {
        let mut res = page.resources();
        if !out.fonts.is_empty() {
            let mut f = res.fonts();
            for id in &out.fonts {
                f.pair(Name(font_name(*id).as_bytes()), refs.fonts[id]);
            }
        }
        if !out.images.is_empty() {
            let mut x = res.x_objects();
            for &k in &out.images {
                x.pair(Name(image_name(k).as_bytes()), refs.images[k]);
            }
        }
    }
    page.finish();
    let mut stream = pdf.stream(content_ref, &out.content);
    if compress {
        stream.filter(Filter::FlateDecode);
    }
    stream.finish();
    for (k, (r, (rect, link, _))) in annot_refs.iter().zip(&out.links).enumerate() {
        let [x1, y1, x2, y2] = rect.map(|v| v as f32);
        let mut a = pdf.annotation(*r);
        a.subtype(AnnotationType::Link).rect(PRect::new(x1, y1, x2, y2)).border(0.0, 0.0, 0.0, None);
        if let Some((_, keys)) = tagged {
            if let Some(&key) = keys.get(k) {
                a.struct_parent(key);
            }
            let contents = match link {
                Link::Url(url) => url.clone(),
                Link::Page(p) => format!("→ {}", p + 1),
            };
            a.contents(TextStr(&contents));
        }
        // PDF/A wants every annotation printable; a link prints nothing anyway.
        a.flags(AnnotationFlags::PRINT);
        match link {
            Link::Url(url) => {
                a.action().action_type(ActionType::Uri).uri(Str(url.as_bytes()));
            }
            Link::Page(p) => {
                if let Some(&target) = refs.pages.get(*p) {
                    a.insert(Name(b"Dest")).start::<pdf_writer::writers::Destination>().page(target).xyz(
                        m,
                        mh - m,
                        None,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
