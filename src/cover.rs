//! A cover for an e-book that has no picture to use: the book's title, its
//! authors and its year set in the house faces on a plain field, as a PNG that
//! every store and reading system accepts. Without one a reader's library shows
//! a blank tile.
//!
//! Pure: metadata and fonts in, PNG bytes out. The glyph outlines (skrifa) are
//! filled by a small anti-aliasing rasterizer of signed areas accumulated per
//! pixel (the method of font-rs), so no imaging library is needed for the one
//! picture samizdat draws itself.

use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};

use crate::fonts::{Family, FontSet, Style};
use crate::model::BookMeta;
use crate::units::Pt;

/// Pixel size of the cover: 1600 × 2560, the 1 : 1.6 that Kindle, Apple Books and
/// Kobo recommend, sharp on a tablet.
pub const WIDTH: u32 = 1600;
pub const HEIGHT: u32 = 2560;

/// Side margin, in pixels.
const MARGIN: f32 = 170.0;
/// Paper and ink: an off-white field, near-black type, a dark red rule.
const PAPER: [u8; 3] = [0xf4, 0xf1, 0xea];
const INK: [u8; 3] = [0x1c, 0x1c, 0x1c];
const ACCENT: [u8; 3] = [0x9b, 0x1c, 0x1c];
/// Largest and smallest title size, in pixels; at most this many title lines.
const TITLE_MAX: f32 = 150.0;
const TITLE_MIN: f32 = 70.0;
const TITLE_LINES: usize = 6;

/// The cover of `meta` as PNG bytes.
pub fn render(meta: &BookMeta, fonts: &FontSet) -> Vec<u8> {
    let mut canvas = Canvas::new(WIDTH as usize, HEIGHT as usize);
    let measure = WIDTH as f32 - 2.0 * MARGIN;
    let title_face = fonts.id(Family::Sans, Style { bold: true, italic: false });
    let text_face = fonts.id(Family::Serif, Style::default());
    // The title: the largest size at which its longest word fits and it takes few lines.
    let mut size = TITLE_MAX;
    // The language's rules first: no one-letter word left at a line end.
    let title = crate::typography::normalize_text(&meta.title, meta.lang);
    let mut lines = wrap(fonts, title_face, &title, size, measure);
    while size > TITLE_MIN && (lines.len() > TITLE_LINES || widest(fonts, title_face, &lines, size) > measure)
    {
        size -= 4.0;
        lines = wrap(fonts, title_face, &title, size, measure);
    }
    let mut y = HEIGHT as f32 * 0.28;
    canvas.rect(MARGIN, y - size * 1.3, 220.0, 14.0, ACCENT);
    for line in &lines {
        canvas.text(fonts, title_face, line, MARGIN, y, size);
        y += size * 1.18;
    }
    if let Some(subtitle) = meta.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
        y += size * 0.3;
        let subtitle = crate::typography::normalize_text(subtitle, meta.lang);
        for line in wrap(fonts, text_face, &subtitle, 64.0, measure) {
            canvas.text(fonts, text_face, &line, MARGIN, y, 64.0);
            y += 64.0 * 1.3;
        }
    }
    // Authors and year at the foot, above a rule.
    let mut foot: Vec<String> = Vec::new();
    for author in meta.authors.iter().filter(|a| !a.trim().is_empty()) {
        foot.extend(wrap(
            fonts,
            text_face,
            &crate::typography::normalize_text(author, meta.lang),
            60.0,
            measure,
        ));
    }
    if let Some(date) = meta.date {
        foot.push(date.year.to_string());
    }
    let mut y = HEIGHT as f32 - 260.0 - 60.0 * 1.35 * foot.len().saturating_sub(1) as f32;
    canvas.rect(MARGIN, y - 120.0, measure, 4.0, INK);
    for line in &foot {
        canvas.text(fonts, text_face, line, MARGIN, y, 60.0);
        y += 60.0 * 1.35;
    }
    canvas.png()
}

/// Lines of `text` at `size` in `face`, broken greedily at spaces (not at no-break
/// spaces) to fit `measure`.
fn wrap(fonts: &FontSet, face: crate::fonts::FaceId, text: &str, size: f32, measure: f32) -> Vec<String> {
    let face = fonts.face(face);
    let width = |s: &str| face.text_width(s, Pt::new(f64::from(size))).get() as f32;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() { word.to_owned() } else { format!("{line} {word}") };
        if line.is_empty() || width(&candidate) <= measure {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_owned();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn widest(fonts: &FontSet, face: crate::fonts::FaceId, lines: &[String], size: f32) -> f32 {
    let face = fonts.face(face);
    lines.iter().map(|l| face.text_width(l, Pt::new(f64::from(size))).get() as f32).fold(0.0, f32::max)
}

/// An RGB picture being drawn: the field, with coverage of the ink accumulated
/// as signed areas and resolved per pixel when the picture is finished.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<[u8; 3]>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas { width, height, pixels: vec![PAPER; width * height] }
    }

    /// A filled rectangle (rules), snapped to whole pixels.
    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: [u8; 3]) {
        let (x0, y0) = (x.max(0.0) as usize, y.max(0.0) as usize);
        let (x1, y1) = (((x + w) as usize).min(self.width), ((y + h) as usize).min(self.height));
        for row in y0..y1 {
            self.pixels[row * self.width + x0..row * self.width + x1].fill(colour);
        }
    }

    /// One line of text with its baseline at `y`, starting at `x`, `size` pixels to the em.
    fn text(
        &mut self,
        fonts: &FontSet,
        face_id: crate::fonts::FaceId,
        text: &str,
        x: f32,
        y: f32,
        size: f32,
    ) {
        let face = fonts.face(face_id);
        let Ok(font) = skrifa::FontRef::new(face.data.bytes()) else { return };
        let outlines = font.outline_glyphs();
        let scale = size / f32::from(face.units_per_em);
        // Only the band of rows the line can touch is accumulated.
        let top = (y - size * 1.2).max(0.0) as usize;
        let bottom = ((y + size * 0.5) as usize).min(self.height);
        let mut raster = Raster::new(self.width, bottom.saturating_sub(top));
        let mut pen_x = x;
        for g in face.shape(text).iter() {
            if let Some(glyph) = outlines.get(skrifa::GlyphId::new(u32::from(g.id))) {
                let origin = (pen_x + g.x_offset as f32 * scale, y - top as f32 - g.y_offset as f32 * scale);
                let mut pen = Pen { raster: &mut raster, origin, at: (0.0, 0.0), start: (0.0, 0.0) };
                let settings = DrawSettings::unhinted(Size::new(size), LocationRef::default());
                let _ = glyph.draw(settings, &mut pen);
            }
            pen_x += g.advance as f32 * scale;
        }
        let mut acc = 0.0_f32;
        for (k, a) in raster.acc.iter().enumerate() {
            acc += a;
            let (row, col) = (k / raster.width, k % raster.width);
            let cover = acc.abs().min(1.0);
            if cover > 0.0 && col < self.width && top + row < self.height {
                let p = &mut self.pixels[(top + row) * self.width + col];
                for (c, ink) in p.iter_mut().zip(INK) {
                    *c = (f32::from(*c) * (1.0 - cover) + f32::from(ink) * cover).round() as u8;
                }
            }
        }
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder.set_compression(png::Compression::Balanced);
            let data: Vec<u8> = self.pixels.iter().flatten().copied().collect();
            // Writing into a Vec cannot fail; an error here would be a bug in the encoder.
            if let Ok(mut writer) = encoder.write_header() {
                let _ = writer.write_image_data(&data);
            }
        }
        out
    }
}

/// Signed-area accumulation buffer: each outline edge adds, to the pixels it
/// crosses, the area it covers to their right; a running sum along the rows
/// then gives every pixel's coverage (non-zero winding, anti-aliased).
struct Raster {
    width: usize,
    acc: Vec<f32>,
}

impl Raster {
    fn new(width: usize, height: usize) -> Raster {
        // Two spare cells: an edge at the right border writes one past it.
        Raster { width, acc: vec![0.0; width * height + 2] }
    }

    fn height(&self) -> usize {
        (self.acc.len() - 2) / self.width
    }

    fn add(&mut self, at: isize, v: f32) {
        if at >= 0 && (at as usize) < self.acc.len() {
            self.acc[at as usize] += v;
        }
    }

    fn line(&mut self, p0: (f32, f32), p1: (f32, f32)) {
        if (p0.1 - p1.1).abs() < f32::EPSILON {
            return;
        }
        let (dir, p0, p1) = if p0.1 < p1.1 { (1.0, p0, p1) } else { (-1.0, p1, p0) };
        let dxdy = (p1.0 - p0.0) / (p1.1 - p0.1);
        let mut x = p0.0;
        let y_start = p0.1.max(0.0);
        if p0.1 < 0.0 {
            x -= p0.1 * dxdy;
        }
        let height = self.height() as f32;
        let y_end = p1.1.min(height);
        let mut y = y_start.floor();
        while y < y_end {
            let row = y as isize * self.width as isize;
            let dy = (y + 1.0).min(p1.1) - y.max(p0.1);
            let next = x + dxdy * dy;
            let d = dy * dir;
            let (x0, x1) = if x < next { (x, next) } else { (next, x) };
            let (x0, x1) = (x0.clamp(0.0, self.width as f32 - 1.0), x1.clamp(0.0, self.width as f32 - 1.0));
            let x0floor = x0.floor();
            let x0i = x0floor as isize;
            let x1ceil = x1.ceil();
            let x1i = x1ceil as isize;
            if x1i <= x0i + 1 {
                let xmf = 0.5 * (x0 + x1) - x0floor;
                self.add(row + x0i, d - d * xmf);
                self.add(row + x0i + 1, d * xmf);
            } else {
                let s = 1.0 / (x1 - x0);
                let x0f = x0 - x0floor;
                let a0 = 0.5 * s * (1.0 - x0f) * (1.0 - x0f);
                let x1f = x1 - x1ceil + 1.0;
                let am = 0.5 * s * x1f * x1f;
                self.add(row + x0i, d * a0);
                if x1i == x0i + 2 {
                    self.add(row + x0i + 1, d * (1.0 - a0 - am));
                } else {
                    let a1 = s * (1.5 - x0f);
                    self.add(row + x0i + 1, d * (a1 - a0));
                    for xi in x0i + 2..x1i - 1 {
                        self.add(row + xi, d * s);
                    }
                    let a2 = a1 + (x1i - x0i - 3) as f32 * s;
                    self.add(row + x1i - 1, d * (1.0 - a2 - am));
                }
                self.add(row + x1i, d * am);
            }
            x = next;
            y += 1.0;
        }
    }
}

/// Draws a glyph's outline into a [`Raster`], flipping y (fonts point up, pixels down)
/// and cutting curves into short lines.
struct Pen<'r> {
    raster: &'r mut Raster,
    origin: (f32, f32),
    at: (f32, f32),
    start: (f32, f32),
}

impl Pen<'_> {
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (self.origin.0 + x, self.origin.1 - y)
    }
}

/// Pieces a curve is cut into: plenty for display sizes.
const CURVE_STEPS: usize = 12;

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.at = self.point(x, y);
        self.start = self.at;
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let to = self.point(x, y);
        self.raster.line(self.at, to);
        self.at = to;
    }

    fn quad_to(&mut self, cx: f32, cy: f32, x: f32, y: f32) {
        let (p0, c, p1) = (self.at, self.point(cx, cy), self.point(x, y));
        for k in 1..=CURVE_STEPS {
            let t = k as f32 / CURVE_STEPS as f32;
            let u = 1.0 - t;
            let p = (
                u * u * p0.0 + 2.0 * u * t * c.0 + t * t * p1.0,
                u * u * p0.1 + 2.0 * u * t * c.1 + t * t * p1.1,
            );
            self.raster.line(self.at, p);
            self.at = p;
        }
    }

    fn curve_to(&mut self, c0x: f32, c0y: f32, c1x: f32, c1y: f32, x: f32, y: f32) {
        let (p0, c0, c1, p1) = (self.at, self.point(c0x, c0y), self.point(c1x, c1y), self.point(x, y));
        for k in 1..=CURVE_STEPS {
            let t = k as f32 / CURVE_STEPS as f32;
            let u = 1.0 - t;
            let b = |a: f32, b: f32, c: f32, d: f32| {
                u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d
            };
            let p = (b(p0.0, c0.0, c1.0, p1.0), b(p0.1, c0.1, c1.1, p1.1));
            self.raster.line(self.at, p);
            self.at = p;
        }
    }

    fn close(&mut self) {
        if self.at != self.start {
            self.raster.line(self.at, self.start);
        }
        self.at = self.start;
    }
}
