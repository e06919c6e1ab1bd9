//! Image files: the format sniffed from the bytes and the pixel size read from
//! the header ([`probe`]); a header that claims an absurd size is refused
//! before anything allocates for it. [`verify`] then decodes the whole image
//! once, so that a truncated or corrupt file is reported at its reference
//! instead of failing (or printing garbage) inside the PDF writer, and
//! [`upright`] turns a JPEG with an EXIF orientation into the upright PNG that
//! both outputs embed, since neither PDF nor every EPUB reader applies EXIF.

use std::sync::Arc;

use crate::model::{ImageAsset, ImageFormat};

/// Largest image accepted, in pixels (about a 10,000 × 10,000 scan). Larger
/// images would need gigabytes to decode and are never needed for print.
pub const MAX_PIXELS: u64 = 100_000_000;

/// Largest image file accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// Not a JPEG or PNG.
    Unsupported(&'static str),
    /// The header is missing or cut short.
    Truncated,
    /// The header is malformed.
    Corrupt(String),
    /// Too many pixels or bytes.
    TooLarge(String),
    /// A valid file that PDF readers and reading systems cannot show (a lossless
    /// or arithmetic-coded JPEG): what it is.
    Undisplayable(String),
    /// A file of no bytes.
    Empty,
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Unsupported(what) => write!(f, "{what} images are not supported yet"),
            ImageError::Truncated => write!(f, "the file is truncated"),
            ImageError::Corrupt(why) => write!(f, "the file is corrupt: {why}"),
            ImageError::TooLarge(why) => write!(f, "the image is too large: {why}"),
            ImageError::Undisplayable(what) => {
                write!(f, "it is {what}, which PDF readers and e-readers cannot show")
            }
            ImageError::Empty => write!(f, "the file is empty"),
        }
    }
}

impl std::error::Error for ImageError {}

/// Sniffs the format from the first bytes.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, ImageError> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF8") {
        Err(ImageError::Unsupported("GIF"))
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Err(ImageError::Unsupported("WebP"))
    } else if looks_like_svg(bytes) {
        Err(ImageError::Unsupported("SVG"))
    } else {
        Err(ImageError::Unsupported("this kind of"))
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    head.contains("<svg")
}

/// Reads an image's format and size from its bytes and checks the limits.
pub fn probe(bytes: Vec<u8>) -> Result<ImageAsset, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(ImageError::TooLarge(format!(
            "{} MB, the limit is {} MB",
            bytes.len() >> 20,
            MAX_BYTES >> 20
        )));
    }
    let format = sniff(&bytes)?;
    let (width, height) = match format {
        ImageFormat::Png => png_size(&bytes)?,
        ImageFormat::Jpeg => jpeg_size(&bytes)?,
    };
    // A JPEG followed by other data (a phone's "motion photo" appends its video):
    // the image is the JPEG, up to its end-of-image marker; the rest is left out.
    let mut bytes = bytes;
    if format == ImageFormat::Jpeg
        && let Ok(end) = jpeg_end(&bytes)
        && end < bytes.len()
        && bytes[end..].iter().any(|&b| b != 0)
    {
        bytes.truncate(end);
    }
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt("zero width or height".into()));
    }
    let pixels = width as u64 * height as u64;
    if pixels > MAX_PIXELS {
        return Err(ImageError::TooLarge(format!(
            "{width} × {height} pixels, the limit is {MAX_PIXELS} pixels"
        )));
    }
    Ok(ImageAsset { format, width, height, bytes: Arc::new(bytes) })
}

/// Largest side the JPEG decoder accepts: the JPEG format's own limit (its
/// header stores sides in 16 bits); the pixel limit above still applies.
const MAX_JPEG_SIDE: usize = 65_535;

/// Checks an image's structure without decoding its pixels, so that a truncated
/// JPEG or a damaged PNG is refused here, with the reason, rather than in the PDF
/// writer — at the cost of reading the file once, not decoding it (decoding every
/// JPEG took a quarter of a 200-statement build). JPEG: every segment up to the
/// scan is well formed, a scan follows, and the file ends with its end-of-image
/// marker. PNG: every chunk's CRC is right, image data is present and `IEND`
/// closes the file, and the data inflates and decodes (the PDF writer decodes PNGs
/// anyway; they are small next to photographs). Damage inside JPEG scan data is
/// not detected; JPEGs are passed through to the PDF and EPUB unchanged, so a
/// reader sees what any viewer shows.
pub fn verify(asset: &ImageAsset) -> Result<(), ImageError> {
    match asset.format {
        ImageFormat::Png => verify_png(&asset.bytes).and_then(|()| decode_png(&asset.bytes).map(drop)),
        ImageFormat::Jpeg => verify_jpeg(&asset.bytes),
    }
}

fn verify_png(b: &[u8]) -> Result<(), ImageError> {
    let mut i = 8;
    let mut idat = false;
    loop {
        let head = b.get(i..i + 8).ok_or(ImageError::Truncated)?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        let kind = [head[4], head[5], head[6], head[7]];
        let end = i.checked_add(12).and_then(|v| v.checked_add(len)).ok_or(ImageError::Truncated)?;
        let chunk = b.get(i + 4..end - 4).ok_or(ImageError::Truncated)?;
        let stored = b.get(end - 4..end).ok_or(ImageError::Truncated)?;
        if crc32(chunk) != u32::from_be_bytes([stored[0], stored[1], stored[2], stored[3]]) {
            let name = String::from_utf8_lossy(&kind).into_owned();
            return Err(ImageError::Corrupt(format!("chunk `{name}` at byte {i} fails its checksum")));
        }
        idat |= &kind == b"IDAT";
        if &kind == b"IEND" {
            return if idat { Ok(()) } else { Err(ImageError::Corrupt("no image data".into())) };
        }
        i = end;
    }
}

/// CRC-32 (ISO 3309, as PNG uses it), libdeflate's: checks the chunks of PNG images.
pub fn crc32(data: &[u8]) -> u32 {
    libdeflater::crc32(data)
}

fn verify_jpeg(b: &[u8]) -> Result<(), ImageError> {
    jpeg_end(b).map(drop)
}

/// Where a JPEG ends: the offset just past its end-of-image marker. Every
/// segment up to the first scan must be well formed, a frame header must come
/// before it, and the scans (a progressive JPEG has several, with tables
/// between them) must run into the end-of-image marker; bytes after it are not
/// the image's. A file that stops first is truncated.
fn jpeg_end(b: &[u8]) -> Result<usize, ImageError> {
    let mut i = 2;
    let mut frame = false;
    loop {
        let (marker, body, len) = jpeg_segment(b, i)?;
        if marker == 0xD9 {
            return Err(ImageError::Corrupt("the image ends before its scan".into()));
        }
        frame |= is_frame(marker);
        i = body + len;
        if marker == 0xDA {
            if !frame {
                return Err(ImageError::Corrupt("a scan before the frame header".into()));
            }
            break;
        }
    }
    // Nearly every file ends with its end-of-image marker (perhaps zero padding
    // after it, as some cameras write): no need to walk the scan data then.
    let tail = b.iter().rposition(|&x| x != 0).map_or(0, |p| p + 1);
    if tail >= i + 2 && b[tail - 2..tail] == [0xFF, 0xD9] {
        return Ok(tail);
    }
    // Otherwise the scans are walked to find where the image ends. Entropy-coded
    // data: 0xFF is followed by 0x00 (a stuffed byte) or a restart marker inside
    // a scan; any other marker ends the scan.
    loop {
        let at = b[i..].iter().position(|&x| x == 0xFF).map(|p| i + p).ok_or(ImageError::Truncated)?;
        match b.get(at + 1) {
            None => return Err(ImageError::Truncated),
            Some(0x00 | 0xD0..=0xD7 | 0xFF) => i = at + 1,
            Some(0xD9) => return Ok(at + 2),
            Some(_) => {
                let (_, body, len) = jpeg_segment(b, at)?;
                i = body + len;
            }
        }
    }
}

/// The JPEG marker segment at byte `i`: its marker, where its body starts and the
/// body's length (0 for the stand-alone markers RSTn, TEM and EOI). Fill bytes
/// before a marker are skipped.
fn jpeg_segment(b: &[u8], mut i: usize) -> Result<(u8, usize, usize), ImageError> {
    while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
        i += 1;
    }
    let (&m0, &marker) = (b.get(i).ok_or(ImageError::Truncated)?, b.get(i + 1).ok_or(ImageError::Truncated)?);
    if m0 != 0xFF {
        return Err(ImageError::Corrupt(format!("expected a marker at byte {i}")));
    }
    let body = i + 2;
    if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
        return Ok((marker, body, 0));
    }
    let l = b.get(body..body + 2).ok_or(ImageError::Truncated)?;
    let len = u16::from_be_bytes([l[0], l[1]]) as usize;
    if len < 2 {
        return Err(ImageError::Corrupt(format!("segment length {len} at byte {body}")));
    }
    if b.len() < body + len {
        return Err(ImageError::Truncated);
    }
    Ok((marker, body, len))
}

/// Whether an image is a CMYK (four-component) JPEG: it cannot go into a
/// PDF/A file whose output intent is sRGB.
pub fn is_cmyk(asset: &ImageAsset) -> bool {
    asset.format == ImageFormat::Jpeg && jpeg_components(&asset.bytes) == Some(4)
}

/// The number of colour components a JPEG's frame header gives.
fn jpeg_components(b: &[u8]) -> Option<u8> {
    let mut i = 2;
    while let Ok((marker, body, len)) = jpeg_segment(b, i) {
        if is_frame(marker) {
            return b.get(body + 7).copied();
        }
        if marker == 0xD9 || marker == 0xDA {
            return None;
        }
        i = body + len;
    }
    None
}

/// Whether an image is gray (a one-component JPEG, a gray PNG): black ink
/// alone prints it, in any colour job.
pub fn is_gray(asset: &ImageAsset) -> bool {
    let b = &asset.bytes[..];
    match asset.format {
        // IHDR's colour type: 0 gray, 4 gray with alpha.
        ImageFormat::Png => matches!(b.get(25), Some(0 | 4)),
        ImageFormat::Jpeg => jpeg_components(b) == Some(1),
    }
}

/// Start-of-frame markers, which carry the image size: C0–CF except C4 (DHT), C8 (JPG), CC (DAC).
fn is_frame(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Decodes a PNG to its stored samples (any bit depth and colour type).
fn decode_png(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    let limits = png::Limits { bytes: (MAX_PIXELS * 8) as usize };
    let decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    let mut reader = decoder.read_info().map_err(png_error)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| ImageError::TooLarge("the pixel data does not fit in memory".into()))?;
    let mut buf = vec![0; size];
    reader.next_frame(&mut buf).map_err(png_error)?;
    Ok(buf)
}

fn png_error(e: png::DecodingError) -> ImageError {
    match e {
        png::DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated
        }
        png::DecodingError::LimitsExceeded => ImageError::TooLarge("the pixel data exceeds the limit".into()),
        other => ImageError::Corrupt(other.to_string()),
    }
}

/// Decodes a JPEG to 8-bit RGB. Strict mode: the decoder's usual leniency
/// (grey blocks where data is missing) would hide a truncated file.
fn decode_jpeg(bytes: &[u8]) -> Result<(Vec<u8>, usize, usize), ImageError> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_JPEG_SIDE)
        .set_max_height(MAX_JPEG_SIDE)
        .jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    let pixels = decoder.decode().map_err(|e| {
        let text = format!("{e:?}");
        if ["Eof", "EOF", "xhausted", "No more bytes"].iter().any(|w| text.contains(w)) {
            ImageError::Truncated
        } else {
            ImageError::Corrupt(text)
        }
    })?;
    let info = decoder.info().ok_or_else(|| ImageError::Corrupt("no frame header".into()))?;
    Ok((pixels, usize::from(info.width), usize::from(info.height)))
}

/// The EXIF orientation of a JPEG (1–8, TIFF tag 0x0112), 1 when there is none.
pub fn exif_orientation(b: &[u8]) -> u16 {
    let mut i = 2;
    // Walk the segments before the image data; EXIF is an APP1 segment.
    while i + 4 <= b.len() && b[i] == 0xFF {
        let marker = b[i + 1];
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = u16::from_be_bytes([b[i + 2], b[i + 3]]) as usize;
        let body = b.get(i + 4..i + 2 + len.max(2)).unwrap_or(&[]);
        if marker == 0xE1 && body.starts_with(b"Exif\0\0") {
            return tiff_orientation(&body[6..]).unwrap_or(1);
        }
        i += 2 + len;
    }
    1
}

/// Reads tag 0x0112 from IFD0 of a TIFF structure (the body of an EXIF segment).
fn tiff_orientation(t: &[u8]) -> Option<u16> {
    let big = match t.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let u16_at = |o: usize| {
        t.get(o..o + 2)
            .map(|s| if big { u16::from_be_bytes([s[0], s[1]]) } else { u16::from_le_bytes([s[0], s[1]]) })
    };
    let u32_at = |o: usize| {
        t.get(o..o + 4).map(|s| {
            let a = [s[0], s[1], s[2], s[3]];
            if big { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) }
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count).map(|k| ifd + 2 + 12 * k).find(|&e| u16_at(e) == Some(0x0112)).and_then(|e| u16_at(e + 8))
}

/// Returns the image as it should be seen: a JPEG whose EXIF orientation is
/// not 1 is decoded, turned or mirrored, and re-encoded as a lossless PNG
/// (JPEG cannot be rotated without loss in general); anything else is
/// returned unchanged, so ordinary JPEGs still pass through to the PDF as is.
pub fn upright(asset: ImageAsset) -> Result<ImageAsset, ImageError> {
    if asset.format != ImageFormat::Jpeg {
        return Ok(asset);
    }
    let orientation = exif_orientation(&asset.bytes);
    if !(2..=8).contains(&orientation) {
        return Ok(asset);
    }
    let (pixels, w, h) = decode_jpeg(&asset.bytes)?;
    let (ow, oh) = if orientation >= 5 { (h, w) } else { (w, h) };
    let mut out = vec![0u8; ow * oh * 3];
    for y in 0..oh {
        for x in 0..ow {
            // Where the output pixel comes from, per EXIF 2.32 §4.6.4 (Orientation).
            let (sx, sy) = match orientation {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                _ => (w - 1 - y, x),
            };
            let (s, d) = ((sy * w + sx) * 3, (y * ow + x) * 3);
            out[d..d + 3].copy_from_slice(&pixels[s..s + 3]);
        }
    }
    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, ow as u32, oh as u32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| ImageError::Corrupt(e.to_string()))?;
    writer.write_image_data(&out).map_err(|e| ImageError::Corrupt(e.to_string()))?;
    writer.finish().map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok(ImageAsset {
        format: ImageFormat::Png,
        width: ow as u32,
        height: oh as u32,
        bytes: Arc::new(png_bytes),
    })
}

fn png_size(b: &[u8]) -> Result<(u32, u32), ImageError> {
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
    let ihdr = b.get(8..33).ok_or(ImageError::Truncated)?;
    if &ihdr[4..8] != b"IHDR" {
        return Err(ImageError::Corrupt("the first chunk is not IHDR".into()));
    }
    let w = u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]);
    let h = u32::from_be_bytes([ihdr[12], ihdr[13], ihdr[14], ihdr[15]]);
    // The image data must follow; a file cut after the header cannot be drawn.
    if !b.windows(4).any(|w| w == b"IDAT") {
        return Err(ImageError::Truncated);
    }
    Ok((w, h))
}

fn jpeg_size(b: &[u8]) -> Result<(u32, u32), ImageError> {
    let mut i = 2;
    loop {
        let (marker, body, len) = jpeg_segment(b, i)?;
        if marker == 0xD9 {
            return Err(ImageError::Corrupt("no frame header before the end of the image".into()));
        }
        if is_frame(marker) {
            // Baseline, extended and progressive Huffman JPEGs are what PDF
            // readers and reading systems decode; lossless, differential and
            // arithmetic-coded ones are valid JPEG that almost none can show.
            let kind = match marker {
                0xC0..=0xC2 => None,
                0xC3 => Some("a lossless JPEG (SOF3)"),
                0xC5..=0xC7 => Some("a hierarchical JPEG"),
                _ => Some("an arithmetic-coded JPEG"),
            };
            if let Some(kind) = kind {
                return Err(ImageError::Undisplayable(kind.into()));
            }
            let seg = b.get(body..body + 7).ok_or(ImageError::Truncated)?;
            let h = u16::from_be_bytes([seg[3], seg[4]]) as u32;
            let w = u16::from_be_bytes([seg[5], seg[6]]) as u32;
            // The compressed data follows; a file shorter than its own tables is truncated.
            if b.len() < body + len + 2 || !b.ends_with(&[0xFF, 0xD9]) && b.len() < body + len + 64 {
                return Err(ImageError::Truncated);
            }
            return Ok((w, h));
        }
        i = body + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend(13u32.to_be_bytes());
        v.extend(b"IHDR");
        v.extend(w.to_be_bytes());
        v.extend(h.to_be_bytes());
        v.extend([8, 2, 0, 0, 0, 0, 0, 0, 0]);
        v.extend(b"\0\0\0\0IDAT");
        v
    }

    // The CRC is the standard one (check value of "123456789").
    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    // The PNG header gives the size without decoding.
    #[test]
    fn png_header_size() {
        let a = probe(png(640, 480)).expect("valid header");
        assert_eq!((a.format, a.width, a.height), (ImageFormat::Png, 640, 480));
    }

    // A header claiming 100,000 × 100,000 pixels is refused before decoding.
    #[test]
    fn refuses_huge_header() {
        assert!(matches!(probe(png(100_000, 100_000)), Err(ImageError::TooLarge(_))));
    }

    // SVG and unknown content get a clear "not supported" error.
    #[test]
    fn sniffs_unsupported() {
        assert_eq!(sniff(b"<?xml version='1.0'?><svg xmlns=..."), Err(ImageError::Unsupported("SVG")));
        assert!(sniff(b"hello").is_err());
    }

    /// A 240 × 120 JPEG, red left and blue right, with EXIF orientation 6.
    const ROTATED: &[u8] =
        include_bytes!("../tests/fixtures/robust/image-exif-rotated/content/img/rotated.jpg");

    // The EXIF orientation is read from the APP1 segment; a JPEG without one is upright.
    #[test]
    fn reads_exif_orientation() {
        assert_eq!(exif_orientation(ROTATED), 6);
        assert_eq!(exif_orientation(&[0xFF, 0xD8, 0xFF, 0xD9]), 1);
    }

    // Orientation 6 turns the image a quarter clockwise into an upright PNG: red on top.
    #[test]
    fn orientation_6_becomes_upright_png() {
        let a = upright(probe(ROTATED.to_vec()).expect("valid jpeg")).expect("decodes");
        assert_eq!((a.format, a.width, a.height), (ImageFormat::Png, 120, 240));
        let pixels = decode_png(&a.bytes).expect("valid png");
        let at = |x: usize, y: usize| &pixels[(y * 120 + x) * 3..(y * 120 + x) * 3 + 3];
        assert!(at(60, 10)[0] > 200 && at(60, 10)[2] < 60, "top is red: {:?}", at(60, 10));
        assert!(at(60, 230)[2] > 200 && at(60, 230)[0] < 60, "bottom is blue: {:?}", at(60, 230));
    }

    // Full decoding catches a JPEG cut in its image data, which the header probe accepts.
    #[test]
    fn verify_catches_truncated_data() {
        let cut = probe(ROTATED[..ROTATED.len() * 2 / 3].to_vec()).expect("the header is intact");
        assert_eq!(verify(&cut), Err(ImageError::Truncated));
    }

    // A JPEG cut inside its header is reported as truncated.
    #[test]
    fn truncated_jpeg() {
        assert_eq!(probe(vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00]), Err(ImageError::Truncated));
    }
}
