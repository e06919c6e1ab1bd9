//! PDF writer: a [`Layout`] → PDF bytes, through krilla.
//!
//! Pure: fonts, images, dates and metadata come in as arguments. Glyph runs
//! are drawn as positioned glyphs whose text ranges map back to the source
//! characters (ToUnicode), fonts are embedded and subset by krilla, JPEG images
//! are passed through unchanged, content streams are compressed, and text is
//! drawn in DeviceGray black (never rich black).
//!
//! Print production lives here too: every output page is a sheet (`impose`)
//! holding one page (the reading-order PDF) or several (`write_imposed`:
//! booklet, 2-up, 4-up). A sheet's MediaBox grows by the bleed and, with crop
//! marks, by a slug (`marks`); its TrimBox is the finished sheet and its
//! BleedBox the trim plus the bleed. Pages are drawn with a transform, so
//! layout coordinates stay trim-relative and an imposed file shares one copy
//! of each font and image. `gray` converts images for `color = "gray"`.

mod gray;
mod impose;
mod marks;

use std::collections::BTreeMap;
use std::path::PathBuf;

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect as KRect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel as KLabel, PageSettings};
use krilla::paint::FillRule;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use crate::fonts::{FaceId, FontData, FontSet};
use crate::layout::{Item, Layout, OutlineEntry, Page, PageLabel, Rect};
use crate::manifest::{ColorMode, Imposition, Standard};
use crate::model::{ImageFormat, Images};
use crate::units::Pt;

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
    /// Conformance standard validated by krilla.
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
    /// krilla refused the document (for a standard, the rules it breaks).
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

/// The pages a render draws: borrowed, or owned and dropped once drawn.
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

    /// Frees page `i` if it is owned; it is not drawn again.
    fn release(&mut self, i: usize) {
        if let Pages::Owned(p) = self
            && let Some(slot) = p.get_mut(i)
        {
            *slot = None;
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

/// Fonts and images shared by every page of one document.
struct Resources<'a> {
    fonts: BTreeMap<FaceId, Font>,
    images: &'a Images,
    cache: BTreeMap<PathBuf, Image>,
    color: ColorMode,
    /// Smooth upscaled images in viewers; PDF/A forbids the flag.
    interpolate: bool,
}

impl Resources<'_> {
    fn image(&mut self, key: &PathBuf) -> Result<Image, PdfError> {
        if let Some(i) = self.cache.get(key) {
            return Ok(i.clone());
        }
        let asset = self.images.get(key).ok_or_else(|| PdfError::MissingImage(key.clone()))?;
        let image = match self.color {
            ColorMode::Gray => gray::image(asset, self.interpolate),
            ColorMode::Color => {
                let data: krilla::Data = asset.bytes.clone().into();
                match asset.format {
                    ImageFormat::Jpeg => Image::from_jpeg(data, self.interpolate),
                    ImageFormat::Png => Image::from_png(data, self.interpolate),
                }
            }
        }
        .map_err(|e| PdfError::BadImage(key.clone(), e))?;
        self.cache.insert(key.clone(), image.clone());
        Ok(image)
    }
}

/// krilla's settings for the options: PDF/A when asked for.
fn serialize_settings(opts: &PdfOptions, compress: bool) -> Result<SerializeSettings, PdfError> {
    let mut settings =
        SerializeSettings { compress_content_streams: compress, ..SerializeSettings::default() };
    if let Some(Standard::PdfA2b) = opts.standard {
        settings.configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_B)
            .finish()
            .map_err(|e| PdfError::Writer(format!("{e:?}")))?;
    }
    Ok(settings)
}

fn f(p: Pt) -> f32 {
    p.get() as f32
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
    let mut doc = Document::new_with(serialize_settings(opts, compress)?);
    let mut res = Resources {
        fonts: fonts
            .faces()
            .filter_map(|(id, face)| {
                let data: krilla::Data = match &face.data {
                    FontData::Static(b) => (*b).into(),
                    FontData::Owned(b) => b.clone().into(),
                };
                Font::new(data, 0).map(|f| (id, f))
            })
            .collect(),
        images,
        cache: BTreeMap::new(),
        color: opts.color,
        interpolate: opts.standard.is_none(),
    };
    let bleed = opts.bleed;
    // Distance from the media edge to the trim edge.
    let margin = bleed + if opts.crop_marks { marks::SLUG } else { Pt::ZERO };

    for sheet in sheets {
        let media = Size::from_wh(f(sheet.width + margin * 2.0), f(sheet.height + margin * 2.0))
            .ok_or_else(|| PdfError::Writer("page has no area".into()))?;
        let trim = KRect::from_xywh(f(margin), f(margin), f(sheet.width), f(sheet.height));
        let bleed_box = KRect::from_xywh(
            f(margin - bleed),
            f(margin - bleed),
            f(sheet.width + bleed * 2.0),
            f(sheet.height + bleed * 2.0),
        );
        let mut settings = PageSettings::new(media).with_trim_box(trim).with_bleed_box(bleed_box);
        if reading && let Some(page) = sheet.cells.first().and_then(|c| c.page).and_then(|i| pages.get(i)) {
            settings = settings.with_page_label(label(page.label));
        }
        let mut kpage = doc.start_page_with(settings);
        let mut links = Vec::new();
        {
            let mut surface = kpage.surface();
            surface.push_transform(&Transform::from_translate(f(margin), f(margin)));
            for cell in &sheet.cells {
                let Some(page) = cell.page.and_then(|i| pages.get(i)) else { continue };
                draw_cell(&mut surface, page, cell, bleed, &mut res, reading.then_some(&mut links))?;
            }
            if opts.crop_marks {
                marks::draw(&mut surface, sheet, bleed);
            }
            surface.pop();
            surface.finish();
        }
        for (rect, link) in links {
            let Some(rect) = rect.transform(Transform::from_translate(f(margin), f(margin))) else {
                continue;
            };
            let target = match link {
                Link::Url(url) => Target::Action(Action::Link(LinkAction::new(url))),
                Link::Page(i) => {
                    let top = Point::from_xy(f(margin), f(margin));
                    Target::Destination(XyzDestination::new(i, top).into())
                }
            };
            kpage.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), None));
        }
        kpage.finish();
        if reading {
            for i in sheet.cells.iter().filter_map(|c| c.page) {
                pages.release(i);
            }
        }
    }

    if let Some(entries) = outline_entries {
        doc.set_outline(outline(entries, margin));
    }
    doc.set_metadata(metadata(opts));
    doc.finish().map_err(|e| PdfError::Writer(format!("{e:?}")))
}

/// Where a link on a reading-order page points.
enum Link {
    /// A web address.
    Url(String),
    /// A page of the same document, by index.
    Page(usize),
}

/// The PDF page label of a page: roman for front matter, arabic for the body.
fn label(l: PageLabel) -> KLabel {
    let (style, n) = match l {
        PageLabel::Roman(n) => (NumberingStyle::LowerRoman, n),
        PageLabel::Arabic(n) => (NumberingStyle::Arabic, n),
    };
    KLabel::new(Some(style), None, std::num::NonZeroU32::new(n as u32))
}

fn metadata(opts: &PdfOptions) -> Metadata {
    let mut meta =
        Metadata::new().title(opts.title.clone()).language(opts.lang.clone()).creator("samizdat".into());
    if !opts.authors.is_empty() {
        meta = meta.authors(opts.authors.clone());
    }
    if let Some((y, mo, d, h, mi, s)) = opts.date {
        let dt = DateTime::new(y)
            .month(mo)
            .day(d)
            .hour(h)
            .minute(mi)
            .second(s)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        meta = meta.creation_date(dt);
    }
    meta
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.push_rect(KRect::from_xywh(x, y, w, h)?);
    pb.finish()
}

/// Draws one page into its cell, in sheet-trim coordinates. The cell is clipped
/// to its trim plus the bleed on the sheet's outer edges, so content running
/// into the bleed at a spine or an inner cut never spills onto the neighbour.
fn draw_cell(
    surface: &mut Surface<'_>,
    page: &Page,
    cell: &impose::Cell,
    bleed: Pt,
    res: &mut Resources<'_>,
    mut links: Option<&mut Vec<(KRect, Link)>>,
) -> Result<(), PdfError> {
    let side = |outer: bool| if outer { bleed } else { Pt::ZERO };
    let (l, r, t, b) =
        (side(cell.outer.left), side(cell.outer.right), side(cell.outer.top), side(cell.outer.bottom));
    surface.push_transform(&Transform::from_translate(f(cell.x), f(cell.y)));
    let clip = rect_path(-f(l), -f(t), f(page.width + l + r), f(page.height + t + b));
    if let Some(clip) = &clip {
        surface.push_clip_path(clip, &FillRule::NonZero);
    }
    surface.push_transform(&Transform::from_translate(f(cell.shift), 0.0));
    let extend = Extents { left: l, right: r, top: t, bottom: b };
    for item in &page.items {
        match item {
            Item::Text(run) => {
                let Some(font) = res.fonts.get(&run.face) else { continue };
                let size = run.size.get();
                let glyphs: Vec<KrillaGlyph> = run
                    .glyphs
                    .iter()
                    .map(|g| {
                        KrillaGlyph::new(
                            GlyphId::new(u32::from(g.id)),
                            g.advance.get(),
                            g.x_offset.get(),
                            g.y_offset.get(),
                            0.0,
                            g.range.start as usize..g.range.end as usize,
                            None,
                        )
                    })
                    .collect();
                surface.draw_glyphs(
                    Point::from_xy(f(run.x), f(run.y)),
                    &glyphs,
                    font.clone(),
                    &run.text,
                    size as f32,
                    false,
                );
            }
            Item::Rule(r) => {
                if let Some(path) = rect_path(f(r.x), f(r.y), f(r.width), f(r.height)) {
                    surface.set_fill(Some(krilla::paint::Fill::default()));
                    surface.draw_path(&path);
                }
            }
            Item::Image(img) => {
                let image = res.image(&img.key)?;
                let edges = touched_edges(&img.rect, page.width, page.height);
                draw_image(surface, image, &img.rect, edges, &extend);
            }
            Item::Link(r, url) => {
                if let Some(links) = links.as_deref_mut()
                    && let Some(rect) = KRect::from_xywh(f(r.x), f(r.y), f(r.width), f(r.height))
                {
                    links.push((rect, Link::Url(url.clone())));
                }
            }
            Item::GoTo(r, page) => {
                if let Some(links) = links.as_deref_mut()
                    && let Some(rect) = KRect::from_xywh(f(r.x), f(r.y), f(r.width), f(r.height))
                {
                    links.push((rect, Link::Page(*page)));
                }
            }
        }
    }
    surface.pop();
    if clip.is_some() {
        surface.pop();
    }
    surface.pop();
    Ok(())
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
fn draw_image(surface: &mut Surface<'_>, image: Image, rect: &Rect, edges: Edges, extend: &Extents) {
    let grow = |touch: bool, by: Pt| if touch { by } else { Pt::ZERO };
    let (gl, gr) = (grow(edges.left, extend.left), grow(edges.right, extend.right));
    let (gt, gb) = (grow(edges.top, extend.top), grow(edges.bottom, extend.bottom));
    let (w, h) = (rect.width, rect.height);
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
    let Some(size) = Size::from_wh(f(iw), f(ih)) else { return };
    let clip = (k > 1.0).then(|| rect_path(f(rect.x - gl), f(rect.y - gt), f(cw), f(ch))).flatten();
    if let Some(clip) = &clip {
        surface.push_clip_path(clip, &FillRule::NonZero);
    }
    surface.push_transform(&Transform::from_translate(f(x), f(y)));
    surface.draw_image(image, size);
    surface.pop();
    if clip.is_some() {
        surface.pop();
    }
}

/// Nests outline entries by level: a level-2 heading goes under the last level-1 title.
/// `margin` is the distance from the media edge to the trim.
fn outline(entries: &[OutlineEntry], margin: Pt) -> Outline {
    let node = |e: &OutlineEntry| {
        OutlineNode::new(e.title.clone(), XyzDestination::new(e.page, Point::from_xy(0.0, f(e.y + margin))))
    };
    fn build(
        entries: &[OutlineEntry],
        i: &mut usize,
        level: u8,
        node: &dyn Fn(&OutlineEntry) -> OutlineNode,
    ) -> Vec<OutlineNode> {
        let mut out = Vec::new();
        while *i < entries.len() && entries[*i].level >= level {
            let e = &entries[*i];
            *i += 1;
            let mut n = node(e);
            for child in build(entries, i, e.level + 1, node) {
                n.push_child(child);
            }
            out.push(n);
        }
        out
    }
    let mut o = Outline::new();
    let mut i = 0;
    let min = entries.iter().map(|e| e.level).min().unwrap_or(1);
    while i < entries.len() {
        let before = i;
        for n in build(entries, &mut i, min, &node) {
            o.push_child(n);
        }
        if i == before {
            i += 1;
        }
    }
    o
}

#[cfg(test)]
mod tests;
