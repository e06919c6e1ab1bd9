//! Image files: the format sniffed from the bytes and the pixel size read from
//! the header, without decoding. Decoding (where needed) is left to the PDF
//! writer; a header that claims an absurd size is refused before anything
//! allocates for it.

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
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Unsupported(what) => write!(f, "{what} images are not supported yet"),
            ImageError::Truncated => write!(f, "the file is truncated"),
            ImageError::Corrupt(why) => write!(f, "the file is corrupt: {why}"),
            ImageError::TooLarge(why) => write!(f, "the image is too large: {why}"),
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
        // Skip fill bytes before a marker.
        while b.get(i) == Some(&0xFF) && b.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (&m0, &marker) =
            (b.get(i).ok_or(ImageError::Truncated)?, b.get(i + 1).ok_or(ImageError::Truncated)?);
        if m0 != 0xFF {
            return Err(ImageError::Corrupt(format!("expected a marker at byte {i}")));
        }
        i += 2;
        if (0xD0..=0xD9).contains(&marker) || marker == 0x01 {
            if marker == 0xD9 {
                return Err(ImageError::Corrupt("no frame header before the end of the image".into()));
            }
            continue;
        }
        let len = u16::from_be_bytes([
            *b.get(i).ok_or(ImageError::Truncated)?,
            *b.get(i + 1).ok_or(ImageError::Truncated)?,
        ]) as usize;
        // Start-of-frame markers carry the size: C0–CF except C4 (DHT), C8 (JPG), CC (DAC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let seg = b.get(i..i + 7).ok_or(ImageError::Truncated)?;
            let h = u16::from_be_bytes([seg[3], seg[4]]) as u32;
            let w = u16::from_be_bytes([seg[5], seg[6]]) as u32;
            // The compressed data follows; a file shorter than its own tables is truncated.
            if b.len() < i + len + 2 || !b.ends_with(&[0xFF, 0xD9]) && b.len() < i + len + 64 {
                return Err(ImageError::Truncated);
            }
            return Ok((w, h));
        }
        if len < 2 {
            return Err(ImageError::Corrupt(format!("segment length {len} at byte {i}")));
        }
        i += len;
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

    // A JPEG cut inside its header is reported as truncated.
    #[test]
    fn truncated_jpeg() {
        assert_eq!(probe(vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00]), Err(ImageError::Truncated));
    }
}
