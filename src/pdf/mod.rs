//! PDF writer: a [`Layout`] → PDF bytes, written by samizdat itself on
//! `pdf-writer`'s object serializer.
//!
//! Pure: fonts, images, dates and metadata come in as arguments. Glyph runs
//! are drawn as positioned glyphs whose text ranges map back to the source
//! characters (ToUnicode); fonts are subset and embedded once per file
//! ([`font`]); JPEG images are passed through unchanged ([`image`]); content
//! streams are compressed; text is drawn in DeviceGray black (never rich
//! black). PDF/A-2b adds XMP identification and an sRGB output intent
//! ([`archival`]).
//!
//! The pages of a file are written in parallel: a first pass collects the
//! glyphs and images every sheet uses, so that each face's subset (and with it
//! every glyph's code) is fixed; a second pass writes and deflates each
//! sheet's content stream on the thread pool; the objects are then numbered
//! and serialized in sheet order, so the bytes never depend on the threads.
//!
//! Print production lives here too: every output page is a sheet (`impose`)
//! holding one page (the reading-order PDF) or several (`write_imposed`:
//! booklet, 2-up, 4-up). A sheet's MediaBox grows by the bleed and, with crop
//! marks, by a slug (`marks`); its TrimBox is the finished sheet and its
//! BleedBox the trim plus the bleed. Pages are drawn with a transform, so
//! layout coordinates stay trim-relative and an imposed file shares one copy
//! of each font and image. `gray` converts images for `color = "gray"`.

mod archival;
mod content;
mod font;
mod gray;
mod image;
mod impose;
mod marks;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use pdf_writer::types::{ActionType, AnnotationFlags, AnnotationType, OutputIntentSubtype};
use pdf_writer::{Date, Filter, Finish, Name, Pdf, Rect as PRect, Ref, Str, TextStr};
use rayon::prelude::*;

use crate::fonts::{FaceId, FontSet};
use crate::layout::{Item, Layout, OutlineEntry, Page, PageLabel, Rect, TextRun};
use crate::manifest::{ColorMode, Imposition, Standard};
use crate::model::Images;
use crate::units::Pt;
use content::Content;
use font::{FontUse, Subset};

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
    /// Bleed on every side of each sheet; zero for none.
    pub bleed: Pt,
    /// Crop marks in a slug outside the bleed.
    pub crop_marks: bool,
    /// Colour or grayscale images.
    pub color: ColorMode,
    /// Conformance standard the file is written to.
    pub standard: Option<Standard>,
}

/// How to impose the pages for [`write_imposed`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImposeOptions {
    /// The arrangement.
    pub kind: Imposition,
    /// Creep compensation per booklet sheet.
    pub creep: Pt,
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
) -> Result<Vec<u8>, PdfError> {
    in_reading_order(Pages::Shared(&layout.pages), &layout.outline, fonts, images, opts)
}

/// [`write`], taking the layout: each page is freed as soon as it is drawn, so
/// a long book's set glyphs are not held next to the PDF being made.
pub fn write_owned(
    layout: Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let pages = Pages::Owned(layout.pages.into_iter().map(Some).collect());
    in_reading_order(pages, &layout.outline, fonts, images, opts)
}

/// One sheet per page, with page labels, links and the outline.
fn in_reading_order(
    mut pages: Pages<'_>,
    outline: &[OutlineEntry],
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let sizes: Vec<(Pt, Pt)> =
        (0..pages.len()).filter_map(|i| pages.get(i)).map(|p| (p.width, p.height)).collect();
    let sheets = impose::reading_order(&sizes);
    render(&mut pages, Some(outline), fonts, images, opts, &sheets, true)
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
/// multiple of four, sheets in duplex order), 2-up or 4-up. Fonts and images are
/// shared by all the copies of a page. Links and the outline are left out: they
/// point at reading-order pages.
pub fn write_imposed(
    layout: &Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
    imposition: &ImposeOptions,
) -> Result<Vec<u8>, PdfError> {
    let (w, h) = layout.pages.first().map_or((Pt::ZERO, Pt::ZERO), |p| (p.width, p.height));
    let sheets = impose::plan(imposition.kind, layout.pages.len(), w, h, imposition.creep);
    render(&mut Pages::Shared(&layout.pages), None, fonts, images, opts, &sheets, true)
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

/// Resource name of a face.
fn font_name(id: FaceId) -> String {
    format!("F{}", id.0)
}

/// Resource name of the `i`-th image of the file.
fn image_name(i: usize) -> String {
    format!("I{i}")
}

/// What one sheet draws with: glyphs per face and images.
#[derive(Default)]
struct SheetUse<'a> {
    fonts: BTreeMap<FaceId, SheetGlyphs>,
    images: BTreeSet<&'a PathBuf>,
}

/// The glyphs of one face on one sheet: per glyph id, how sure its text is
/// (0: not drawn, else 1 + [`font::GlyphText::rank`]), so that the millions of
/// glyphs of a volume are each checked in constant time; and the texts.
#[derive(Default)]
struct SheetGlyphs {
    state: Vec<u8>,
    used: FontUse,
}

impl SheetGlyphs {
    /// Records that `gid` stands for `text` with the given certainty, unless it
    /// already has a text at least as certain.
    fn record(&mut self, gid: u16, text: &str, rank: u8) {
        let i = usize::from(gid);
        if i >= self.state.len() {
            self.state.resize(i + 1, 0);
        }
        if self.state[i] > rank {
            return;
        }
        self.state[i] = rank + 1;
        self.used.glyphs.insert(gid, font::GlyphText { text: text.to_string(), rank });
    }

    /// True if `gid` already has the most certain kind of text.
    fn settled(&self, gid: u16) -> bool {
        self.state.get(usize::from(gid)).is_some_and(|&s| s > font::GlyphText::ALONE)
    }
}

/// Records the glyphs of a run and the text each stands for. Glyphs that stand
/// for the same characters form a cluster: a glyph alone in its cluster stands for all
/// of it (a letter, or a ligature for its letters); a cluster of as many glyphs
/// as characters (a letter and its combining accent) is split one to one;
/// otherwise the first glyph takes the cluster's text and the rest none. A text
/// from a glyph alone wins over one from a split cluster, wherever it comes.
fn use_run(run: &TextRun, uses: &mut BTreeMap<FaceId, SheetGlyphs>) {
    let sheet = uses.entry(run.face).or_default();
    let glyphs = &run.glyphs;
    let mut i = 0;
    while i < glyphs.len() {
        // The layout gives a cluster's range to its last glyph and empty ranges
        // at the same place to the glyphs before it; a range repeated on several
        // glyphs is one cluster too.
        let start = glyphs[i].range.start;
        let mut j = i + 1;
        while j < glyphs.len()
            && glyphs[j].range.start == start
            && (glyphs[j - 1].range.is_empty() || glyphs[j].range == glyphs[i].range)
        {
            j += 1;
        }
        let end = glyphs[i..j].iter().map(|g| g.range.end).max().unwrap_or(start);
        let text = || run.text.get(start as usize..end as usize).unwrap_or("");
        if j - i == 1 {
            if !sheet.settled(glyphs[i].id) {
                let text = text();
                let rank = if text.is_empty() { font::GlyphText::NONE } else { font::GlyphText::ALONE };
                sheet.record(glyphs[i].id, text, rank);
            }
        } else {
            let text = text();
            let chars: Vec<(usize, char)> = text.char_indices().collect();
            for (k, g) in glyphs[i..j].iter().enumerate() {
                let part = if chars.len() == j - i {
                    let (at, c) = chars[k];
                    &text[at..at + c.len_utf8()]
                } else if k == 0 {
                    text
                } else {
                    ""
                };
                let rank = if part.is_empty() { font::GlyphText::NONE } else { font::GlyphText::SPLIT };
                sheet.record(g.id, part, rank);
            }
        }
        i = j;
    }
}

/// A written sheet: its content stream and what it refers to.
struct SheetOut {
    content: Vec<u8>,
    fonts: BTreeSet<FaceId>,
    images: BTreeSet<usize>,
    links: Vec<([f64; 4], Link)>,
}

/// Everything the pages of one file share while they are written.
struct Shared<'a> {
    subsets: &'a BTreeMap<FaceId, (Subset, Vec<f32>)>,
    image_index: &'a BTreeMap<PathBuf, usize>,
    bleed: Pt,
    margin: Pt,
    crop_marks: bool,
    reading: bool,
}

/// Draws `sheets` into a new document. With an outline the sheets are the pages in
/// reading order: they get page labels, links and the outline.
fn render(
    pages: &mut Pages<'_>,
    outline_entries: Option<&[OutlineEntry]>,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
    sheets: &[impose::Sheet],
    compress: bool,
) -> Result<Vec<u8>, PdfError> {
    let reading = outline_entries.is_some();
    let pdf_a = opts.standard == Some(Standard::PdfA2b);
    let bleed = opts.bleed;
    // Distance from the media edge to the trim edge.
    let margin = bleed + if opts.crop_marks { marks::SLUG } else { Pt::ZERO };
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
    let subsets: BTreeMap<FaceId, (Subset, Vec<f32>)> =
        uses.iter().map(|(&id, used)| (id, (Subset::plan(used), font::widths(faces[&id], used)))).collect();
    let image_index: BTreeMap<PathBuf, usize> =
        image_keys.iter().enumerate().map(|(i, k)| (k.clone(), i)).collect();

    // The images, prepared in parallel (JPEGs pass through; PNGs are decoded and deflated).
    let interpolate = opts.standard.is_none();
    let encoded: Vec<image::Encoded> = image_keys
        .par_iter()
        .map_init(
            || Deflater::new(RESOURCE_LEVEL),
            |d, key| {
                let asset = images.get(key).ok_or_else(|| PdfError::MissingImage(key.clone()))?;
                let encoded = image::encode(asset, opts.color, d).map_err(|e| PdfError::BadImage(key.clone(), e))?;
                // The output intent is sRGB: PDF/A allows no DeviceCMYK beside it (ISO 19005-2, 6.2.4.3).
                if pdf_a && encoded.space == image::Space::Cmyk {
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
        crop_marks: opts.crop_marks,
        reading,
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
    let capacity = outs.iter().map(|o| o.content.len() + 512).sum::<usize>()
        + encoded.iter().map(encoded_len).sum::<usize>()
        + 64 * 1024;
    // Compact syntax: no indentation or padding inside dictionaries.
    let mut pdf = Pdf::with_settings_and_capacity(pdf_writer::Settings { pretty: false }, capacity);
    let catalog_ref = alloc();
    let tree_ref = alloc();
    let page_refs: Vec<Ref> = sheets.iter().map(|_| alloc()).collect();
    let font_refs: BTreeMap<FaceId, Ref> = subsets.keys().map(|&id| (id, alloc())).collect();
    let image_refs: Vec<Ref> = encoded.iter().map(|_| alloc()).collect();

    pdf.pages(tree_ref).kids(page_refs.iter().copied()).count(page_refs.len() as i32);
    for (i, (sheet, out)) in sheets.iter().zip(&outs).enumerate() {
        let (mw, mh) =
            ((sheet.width + margin * 2.0).get() as f32, (sheet.height + margin * 2.0).get() as f32);
        let (m, b) = (margin.get() as f32, bleed.get() as f32);
        let content_ref = alloc();
        let annot_refs: Vec<Ref> = out.links.iter().map(|_| alloc()).collect();
        let mut page = pdf.page(page_refs[i]);
        page.parent(tree_ref)
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
                    f.pair(Name(font_name(*id).as_bytes()), font_refs[id]);
                }
            }
            if !out.images.is_empty() {
                let mut x = res.x_objects();
                for &k in &out.images {
                    x.pair(Name(image_name(k).as_bytes()), image_refs[k]);
                }
            }
        }
        page.finish();
        let mut stream = pdf.stream(content_ref, &out.content);
        if compress {
            stream.filter(Filter::FlateDecode);
        }
        stream.finish();
        for (r, (rect, link)) in annot_refs.iter().zip(&out.links) {
            let [x1, y1, x2, y2] = rect.map(|v| v as f32);
            let mut a = pdf.annotation(*r);
            a.subtype(AnnotationType::Link).rect(PRect::new(x1, y1, x2, y2)).border(0.0, 0.0, 0.0, None);
            // PDF/A wants every annotation printable; a link prints nothing anyway.
            a.flags(AnnotationFlags::PRINT);
            match link {
                Link::Url(url) => {
                    a.action().action_type(ActionType::Uri).uri(Str(url.as_bytes()));
                }
                Link::Page(p) => {
                    if let Some(&target) = page_refs.get(*p) {
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

    let mut deflater = Deflater::new(RESOURCE_LEVEL);
    for (id, used) in &uses {
        let (subset, _) = &subsets[id];
        font::embed(&mut pdf, font_refs[id], &mut alloc, faces[id], used, subset, &mut deflater)?;
    }
    for (enc, &r) in encoded.iter().zip(&image_refs) {
        let mask = enc.alpha.as_ref().map(|a| (alloc(), a));
        let data: &[u8] = match &enc.samples {
            image::Samples::Jpeg { bytes, .. } => bytes,
            image::Samples::Deflated(d) => d,
        };
        let mut x = pdf.image_xobject(r, data);
        x.width(enc.width as i32).height(enc.height as i32).bits_per_component(i32::from(enc.bits));
        x.color_space_name(Name(enc.space.name()));
        match &enc.samples {
            image::Samples::Jpeg { inverted, .. } => {
                x.filter(Filter::DctDecode);
                if *inverted {
                    x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
                }
            }
            image::Samples::Deflated(_) => {
                x.filter(Filter::FlateDecode);
            }
        }
        if interpolate {
            x.interpolate(true);
        }
        if let Some((mr, _)) = mask {
            x.s_mask(mr);
        }
        x.finish();
        if let Some((mr, alpha)) = mask {
            let mut m = pdf.image_xobject(mr, alpha);
            m.width(enc.width as i32).height(enc.height as i32).bits_per_component(i32::from(enc.bits));
            m.color_space_name(Name(b"DeviceGray")).filter(Filter::FlateDecode);
            if interpolate {
                m.interpolate(true);
            }
        }
    }

    let outline_ref = match outline_entries {
        Some(entries) if !entries.is_empty() => {
            Some(write_outline(&mut pdf, &mut alloc, entries, &page_refs, sheets, margin))
        }
        _ => None,
    };
    let meta_ref = alloc();
    let xmp = archival::xmp(opts, pdf_a);
    pdf.metadata(meta_ref, &xmp);
    let icc_ref = pdf_a.then(&mut alloc);
    if let Some(r) = icc_ref {
        let profile = deflater.zlib(&archival::srgb_profile());
        pdf.icc_profile(r, &profile).n(3).filter(Filter::FlateDecode);
    }
    let info_ref = alloc();
    {
        let mut info = pdf.document_info(info_ref);
        if !opts.title.is_empty() {
            info.title(TextStr(&opts.title));
        }
        if !opts.authors.is_empty() {
            info.author(TextStr(&archival::author_line(opts)));
        }
        info.creator(TextStr(archival::CREATOR)).producer(TextStr(archival::CREATOR));
        if let Some((y, mo, d, h, mi, s)) = opts.date {
            let date = Date::new(y)
                .month(mo)
                .day(d)
                .hour(h)
                .minute(mi)
                .second(s)
                .utc_offset_hour(0)
                .utc_offset_minute(0);
            info.creation_date(date);
            info.modified_date(date);
        }
    }

    let mut cat = pdf.catalog(catalog_ref);
    cat.pages(tree_ref).metadata(meta_ref);
    if !opts.lang.is_empty() {
        cat.lang(TextStr(&opts.lang));
    }
    if !opts.title.is_empty() {
        cat.viewer_preferences().display_doc_title(true);
    }
    if let Some(r) = outline_ref {
        cat.outlines(r);
    }
    if reading {
        write_labels(&mut cat, &labels);
    }
    if let Some(r) = icc_ref {
        let mut intents = cat.output_intents();
        intents
            .push()
            .subtype(OutputIntentSubtype::PDFA)
            .output_condition_identifier(TextStr("sRGB IEC61966-2.1"))
            .info(TextStr("sRGB IEC61966-2.1"))
            .dest_output_profile(r);
    }
    cat.finish();

    // The file identifier: a digest of the title and every content stream, the
    // same for the same document and different for another.
    let mut id = Fnv::default();
    id.feed(opts.title.as_bytes());
    for out in &outs {
        id.feed(&libdeflater::crc32(&out.content).to_le_bytes());
    }
    let digest = id.digest();
    pdf.set_file_id((digest.clone(), digest));
    Ok(pdf.finish())
}

/// Bytes an encoded image adds to the file.
fn encoded_len(e: &image::Encoded) -> usize {
    let samples = match &e.samples {
        image::Samples::Jpeg { bytes, .. } => bytes.len(),
        image::Samples::Deflated(d) => d.len(),
    };
    samples + e.alpha.as_ref().map_or(0, Vec::len) + 1024
}

/// FNV-1a, 64 bits, run twice with different offsets for a 16-byte identifier.
struct Fnv([u64; 2]);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv([0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4])
    }
}

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for h in &mut self.0 {
            for &b in bytes {
                *h ^= u64::from(b);
                *h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }

    fn digest(&self) -> Vec<u8> {
        self.0.iter().flat_map(|h| h.to_be_bytes()).collect()
    }
}

/// `/PageLabels`: a range starts wherever the style changes or the numbers jump.
fn write_labels(cat: &mut pdf_writer::writers::Catalog<'_>, labels: &[Option<PageLabel>]) {
    let mut ranges: Vec<(i32, bool, i32)> = Vec::new();
    let mut expect: Option<(bool, usize)> = None;
    for (i, l) in labels.iter().enumerate() {
        let Some(l) = l else {
            expect = None;
            continue;
        };
        let (roman, n) = match *l {
            PageLabel::Roman(n) => (true, n),
            PageLabel::Arabic(n) => (false, n),
        };
        if expect != Some((roman, n)) {
            ranges.push((i as i32, roman, n.max(1) as i32));
        }
        expect = Some((roman, n + 1));
    }
    if ranges.is_empty() {
        return;
    }
    let mut tree = cat.insert(Name(b"PageLabels")).dict();
    let mut nums = tree.insert(Name(b"Nums")).array();
    for (start, roman, first) in ranges {
        nums.item(start);
        let mut label = nums.push().dict();
        label.pair(Name(b"S"), Name(if roman { b"r" } else { b"D" }));
        if first != 1 {
            label.pair(Name(b"St"), first);
        }
    }
}

/// Where a link on a reading-order page points.
enum Link {
    /// A web address.
    Url(String),
    /// A page of the same document, by index.
    Page(usize),
}

/// Writes the content stream of one sheet: the pages in their cells, then the
/// crop marks. The stream starts by turning PDF's y-up user space into the
/// layout's y-down space, with the origin at the sheet's top-left trim corner.
fn draw_sheet<'p>(
    sheet: &impose::Sheet,
    page: &dyn Fn(usize) -> Option<&'p Page>,
    sh: &Shared<'_>,
) -> SheetOut {
    let glyphs: usize = sheet
        .cells
        .iter()
        .filter_map(|c| c.page.and_then(page))
        .flat_map(|p| &p.items)
        .map(|i| if let Item::Text(r) = i { r.glyphs.len() } else { 0 })
        .sum();
    let mut out =
        SheetOut { content: Vec::new(), fonts: BTreeSet::new(), images: BTreeSet::new(), links: Vec::new() };
    let mut c = Content::with_capacity(glyphs * 9 + 1024);
    let media_h = (sheet.height + sh.margin * 2.0).get();
    c.transform([1.0, 0.0, 0.0, -1.0, 0.0, media_h]);
    c.translate(sh.margin.get(), sh.margin.get());
    c.fill_gray(0.0);
    for cell in &sheet.cells {
        let Some(page) = cell.page.and_then(page) else { continue };
        draw_cell(&mut c, page, cell, sh, &mut out, media_h);
    }
    if sh.crop_marks {
        marks::draw(&mut c, sheet, sh.bleed);
    }
    out.content = c.finish();
    out
}

/// Draws one page into its cell, in sheet-trim coordinates. The cell is clipped
/// to its trim plus the bleed on the sheet's outer edges, so content running
/// into the bleed at a spine or an inner cut never spills onto the neighbour.
fn draw_cell(
    c: &mut Content,
    page: &Page,
    cell: &impose::Cell,
    sh: &Shared<'_>,
    out: &mut SheetOut,
    media_h: f64,
) {
    let side = |outer: bool| if outer { sh.bleed } else { Pt::ZERO };
    let (l, r, t, b) =
        (side(cell.outer.left), side(cell.outer.right), side(cell.outer.top), side(cell.outer.bottom));
    c.save();
    c.translate(cell.x.get(), cell.y.get());
    c.clip_rect(-l.get(), -t.get(), (page.width + l + r).get(), (page.height + t + b).get());
    c.translate(cell.shift.get(), 0.0);
    let extend = Extents { left: l, right: r, top: t, bottom: b };
    // Links are collected in PDF user space: from the media's bottom-left corner, y up.
    let (ox, oy) = ((sh.margin + cell.x + cell.shift).get(), (sh.margin + cell.y).get());
    let to_pdf = |r: &Rect| {
        [
            ox + r.x.get(),
            media_h - (oy + r.y.get() + r.height.get()),
            ox + (r.x + r.width).get(),
            media_h - (oy + r.y.get()),
        ]
    };
    let mut in_text = false;
    let mut current: Option<(FaceId, f64)> = None;
    for item in &page.items {
        if in_text && !matches!(item, Item::Text(_)) {
            c.end_text();
            in_text = false;
            current = None;
        }
        match item {
            Item::Text(run) => {
                let Some((subset, widths)) = sh.subsets.get(&run.face) else { continue };
                if !in_text {
                    c.begin_text();
                    in_text = true;
                }
                let size = run.size.get();
                if current != Some((run.face, size)) {
                    c.font(&font_name(run.face), size);
                    current = Some((run.face, size));
                    out.fonts.insert(run.face);
                }
                draw_run(c, run, subset, widths);
            }
            Item::Rule(r) => {
                c.rect(r.x.get(), r.y.get(), r.width.get(), r.height.get());
                c.fill();
            }
            Item::Image(img) => {
                if let Some(&k) = sh.image_index.get(&img.key) {
                    out.images.insert(k);
                    let edges = touched_edges(&img.rect, page.width, page.height);
                    draw_image(c, &image_name(k), &img.rect, edges, &extend);
                }
            }
            Item::Link(r, url) => {
                if sh.reading {
                    out.links.push((to_pdf(r), Link::Url(url.clone())));
                }
            }
            Item::GoTo(r, target) => {
                if sh.reading {
                    out.links.push((to_pdf(r), Link::Page(*target)));
                }
            }
        }
    }
    if in_text {
        c.end_text();
    }
    c.restore();
}

/// Shows one run inside a text object: a text matrix at the start of its
/// baseline (flipped back to y-up, since the page is drawn y-down), then its
/// glyphs in one `TJ` array, each followed by the difference between the
/// advance the layout gave it and the font's own width. A glyph moved off the
/// pen (a mark placed by the shaper) gets a text matrix of its own.
fn draw_run(c: &mut Content, run: &TextRun, subset: &Subset, widths: &[f32]) {
    let size = run.size.get();
    let (x0, y0) = (run.x.get(), run.y.get());
    let mut pen = 0.0_f64;
    let mut open = false;
    let at = |c: &mut Content, x: f64, y: f64, open: &mut bool| {
        if *open {
            c.end_shown();
            *open = false;
        }
        c.text_matrix([1.0, 0.0, 0.0, -1.0, x, y]);
    };
    at(c, x0, y0, &mut open);
    for g in &run.glyphs {
        let advance = f64::from(g.advance.get());
        let (dx, dy) = (f64::from(g.x_offset.get()), f64::from(g.y_offset.get()));
        let width = f64::from(widths.get(usize::from(g.id)).copied().unwrap_or(0.0));
        let cid = subset.cid(g.id);
        if dx != 0.0 || dy != 0.0 {
            at(c, x0 + (pen + dx) * size, y0 - dy * size, &mut open);
            c.start_shown();
            c.shown_glyph(cid, 0.0);
            c.end_shown();
            pen += advance;
            at(c, x0 + pen * size, y0, &mut open);
            continue;
        }
        if !open {
            c.start_shown();
            open = true;
        }
        c.shown_glyph(cid, width - advance * 1000.0);
        pen += advance;
    }
    if open {
        c.end_shown();
    }
}

/// How far content may run past each trim edge of a page.
struct Extents {
    left: Pt,
    right: Pt,
    top: Pt,
    bottom: Pt,
}

/// Draws an image in `rect`. On each trim edge it touches, the image is
/// extended into the bleed: it is scaled up (never distorted) to cover the
/// enlarged rectangle, anchored on the sides that do not move, and clipped to it.
fn draw_image(c: &mut Content, name: &str, rect: &Rect, edges: Edges, extend: &Extents) {
    let grow = |touch: bool, by: Pt| if touch { by } else { Pt::ZERO };
    let (gl, gr) = (grow(edges.left, extend.left), grow(edges.right, extend.right));
    let (gt, gb) = (grow(edges.top, extend.top), grow(edges.bottom, extend.bottom));
    let (w, h) = (rect.width, rect.height);
    if !(w > Pt::ZERO && h > Pt::ZERO) {
        return;
    }
    let (cw, ch) = (w + gl + gr, h + gt + gb);
    let k = (cw / w).max(ch / h).max(1.0);
    let (iw, ih) = (w * k, h * k);
    // Anchor: an edge that did not grow stays put; otherwise centre the overflow.
    let place = |start: Pt, g0: Pt, g1: Pt, len: Pt, covered: Pt| -> Pt {
        match (g0 > Pt::ZERO, g1 > Pt::ZERO) {
            (true, false) => start + len - covered,
            (false, true) => start,
            _ => start - g0 - (covered - (len + g0 + g1)) / 2.0,
        }
    };
    let x = place(rect.x, gl, gr, w, iw);
    let y = place(rect.y, gt, gb, h, ih);
    c.save();
    if k > 1.0 {
        c.clip_rect((rect.x - gl).get(), (rect.y - gt).get(), cw.get(), ch.get());
    }
    // The image space is the unit square, y up: scale it to the size and flip it
    // into the page's y-down space.
    c.transform([iw.get(), 0.0, 0.0, -ih.get(), x.get(), (y + ih).get()]);
    c.x_object(name);
    c.restore();
}

/// Writes the outline: entries nested by level (a level-2 heading under the
/// last level-1 title), each pointing at the top of its heading. Returns the
/// outline dictionary's ref.
fn write_outline(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    entries: &[OutlineEntry],
    page_refs: &[Ref],
    sheets: &[impose::Sheet],
    margin: Pt,
) -> Ref {
    // Parent of each entry: the nearest earlier entry of a lower level.
    let n = entries.len();
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while stack.last().is_some_and(|&j| entries[j].level >= e.level) {
            stack.pop();
        }
        parent[i] = stack.last().copied();
        stack.push(i);
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut top = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => top.push(i),
        }
    }
    fn descendants(i: usize, children: &[Vec<usize>]) -> i32 {
        children[i].iter().map(|&c| 1 + descendants(c, children)).sum()
    }
    let root = alloc();
    let refs: Vec<Ref> = (0..n).map(|_| alloc()).collect();
    let mut o = pdf.outline(root);
    if let (Some(&first), Some(&last)) = (top.first(), top.last()) {
        o.first(refs[first]).last(refs[last]);
    }
    o.count(n as i32);
    o.finish();
    for i in 0..n {
        let e = &entries[i];
        let siblings = parent[i].map_or(&top, |p| &children[p]);
        let pos = siblings.iter().position(|&s| s == i).unwrap_or(0);
        let mut item = pdf.outline_item(refs[i]);
        item.title(TextStr(&e.title));
        item.parent(parent[i].map_or(root, |p| refs[p]));
        if pos > 0 {
            item.prev(refs[siblings[pos - 1]]);
        }
        if let Some(&next) = siblings.get(pos + 1) {
            item.next(refs[next]);
        }
        if let (Some(&first), Some(&last)) = (children[i].first(), children[i].last()) {
            item.first(refs[first]).last(refs[last]);
            item.count(descendants(i, &children));
        }
        if let (Some(&page), Some(sheet)) = (page_refs.get(e.page), sheets.get(e.page)) {
            let media_h = (sheet.height + margin * 2.0).get();
            let top = (media_h - (e.y + margin).get()) as f32;
            item.dest().page(page).xyz(0.0, top, None);
        }
    }
    root
}

#[cfg(test)]
mod tests;
