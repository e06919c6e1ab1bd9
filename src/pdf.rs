//! PDF writer: a [`Layout`] → PDF bytes, through krilla.
//!
//! Pure: fonts, images, dates and metadata come in as arguments. Glyph runs
//! are drawn as positioned glyphs whose text ranges map back to the source
//! characters (ToUnicode), fonts are embedded and subset by krilla, JPEG images
//! are passed through unchanged, content streams are compressed, and text is
//! drawn in DeviceGray black (never rich black).

use std::collections::BTreeMap;
use std::path::PathBuf;

use krilla::Document;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::destination::XyzDestination;
use krilla::geom::{PathBuilder, Point, Rect as KRect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::fonts::{FaceId, FontData, FontSet};
use crate::layout::{Item, Layout, OutlineEntry};
use crate::model::{ImageFormat, Images};

/// Document-level facts written into the PDF.
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
}

/// Why a PDF could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// A page refers to an image that was not loaded.
    MissingImage(PathBuf),
    /// An image could not be decoded by the PDF writer.
    BadImage(PathBuf, String),
    /// krilla refused the document.
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

/// Writes the layout as a PDF.
pub fn write(
    layout: &Layout,
    fonts: &FontSet,
    images: &Images,
    opts: &PdfOptions,
) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::new();
    let kfonts: BTreeMap<FaceId, Font> = fonts
        .faces()
        .filter_map(|(id, face)| {
            let data: krilla::Data = match &face.data {
                FontData::Static(b) => (*b).into(),
                FontData::Owned(b) => b.clone().into(),
            };
            Font::new(data, 0).map(|f| (id, f))
        })
        .collect();
    let mut kimages: BTreeMap<PathBuf, Image> = BTreeMap::new();

    for page in &layout.pages {
        let size = Size::from_wh(page.width.get() as f32, page.height.get() as f32)
            .ok_or_else(|| PdfError::Writer("page has no area".into()))?;
        let mut kpage = doc.start_page_with(PageSettings::new(size));
        let mut links = Vec::new();
        {
            let mut surface = kpage.surface();
            for item in &page.items {
                match item {
                    Item::Text(run) => {
                        let Some(font) = kfonts.get(&run.face) else { continue };
                        let size = run.size.get() as f32;
                        let glyphs: Vec<KrillaGlyph> = run
                            .glyphs
                            .iter()
                            .map(|g| {
                                KrillaGlyph::new(
                                    GlyphId::new(g.id as u32),
                                    (g.advance.get() / run.size.get()) as f32,
                                    (g.x_offset.get() / run.size.get()) as f32,
                                    (g.y_offset.get() / run.size.get()) as f32,
                                    0.0,
                                    g.range.clone(),
                                    None,
                                )
                            })
                            .collect();
                        surface.draw_glyphs(
                            Point::from_xy(run.x.get() as f32, run.y.get() as f32),
                            &glyphs,
                            font.clone(),
                            &run.text,
                            size,
                            false,
                        );
                    }
                    Item::Rule(r) => {
                        let mut pb = PathBuilder::new();
                        if let Some(rect) = KRect::from_xywh(
                            r.x.get() as f32,
                            r.y.get() as f32,
                            r.width.get() as f32,
                            r.height.get() as f32,
                        ) {
                            pb.push_rect(rect);
                        }
                        if let Some(path) = pb.finish() {
                            surface.set_fill(Some(krilla::paint::Fill::default()));
                            surface.draw_path(&path);
                        }
                    }
                    Item::Image(img) => {
                        let image = match kimages.get(&img.key) {
                            Some(i) => i.clone(),
                            None => {
                                let asset = images
                                    .get(&img.key)
                                    .ok_or_else(|| PdfError::MissingImage(img.key.clone()))?;
                                let data: krilla::Data = asset.bytes.clone().into();
                                let image = match asset.format {
                                    ImageFormat::Jpeg => Image::from_jpeg(data, true),
                                    ImageFormat::Png => Image::from_png(data, true),
                                }
                                .map_err(|e| PdfError::BadImage(img.key.clone(), e))?;
                                kimages.insert(img.key.clone(), image.clone());
                                image
                            }
                        };
                        let Some(size) =
                            Size::from_wh(img.rect.width.get() as f32, img.rect.height.get() as f32)
                        else {
                            continue;
                        };
                        surface.push_transform(&Transform::from_translate(
                            img.rect.x.get() as f32,
                            img.rect.y.get() as f32,
                        ));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                    Item::Link(r, url) => {
                        if let Some(rect) = KRect::from_xywh(
                            r.x.get() as f32,
                            r.y.get() as f32,
                            r.width.get() as f32,
                            r.height.get() as f32,
                        ) {
                            links.push((rect, url.clone()));
                        }
                    }
                }
            }
            surface.finish();
        }
        for (rect, url) in links {
            let target = Target::Action(Action::Link(LinkAction::new(url)));
            kpage.add_annotation(Annotation::new_link(LinkAnnotation::new(rect, target), None));
        }
        kpage.finish();
    }

    doc.set_outline(outline(&layout.outline));
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
    doc.set_metadata(meta);
    doc.finish().map_err(|e| PdfError::Writer(format!("{e:?}")))
}

/// Nests outline entries by level: a level-2 heading goes under the last level-1 title.
fn outline(entries: &[OutlineEntry]) -> Outline {
    fn node(e: &OutlineEntry) -> OutlineNode {
        OutlineNode::new(e.title.clone(), XyzDestination::new(e.page, Point::from_xy(0.0, e.y.get() as f32)))
    }
    fn build(entries: &[OutlineEntry], i: &mut usize, level: u8) -> Vec<OutlineNode> {
        let mut out = Vec::new();
        while *i < entries.len() && entries[*i].level >= level {
            let e = &entries[*i];
            *i += 1;
            let mut n = node(e);
            for child in build(entries, i, e.level + 1) {
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
        for n in build(entries, &mut i, min) {
            o.push_child(n);
        }
        if i == before {
            i += 1;
        }
    }
    o
}
