//! Images as PDF image XObjects. A JPEG is passed through unchanged
//! (`DCTDecode`); a PNG is decoded and its pixels deflated, its alpha channel
//! becoming a soft mask; with `color = "gray"` both are reduced to DeviceGray
//! pixels ([`super::gray`]).

use std::io::Cursor;
use std::sync::Arc;

use super::gray;
use crate::manifest::ColorMode;
use crate::model::{ImageAsset, ImageFormat};

/// The colour space of an image's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Space {
    Gray,
    Rgb,
    Cmyk,
}

impl Space {
    fn from_channels(n: usize) -> Option<Space> {
        match n {
            1 => Some(Space::Gray),
            3 => Some(Space::Rgb),
            4 => Some(Space::Cmyk),
            _ => None,
        }
    }

    /// The PDF name of the device colour space.
    pub fn name(self) -> &'static [u8] {
        match self {
            Space::Gray => b"DeviceGray",
            Space::Rgb => b"DeviceRGB",
            Space::Cmyk => b"DeviceCMYK",
        }
    }
}

/// How an image's samples are stored in the file.
pub(super) enum Samples {
    /// A JPEG file as it is; `inverted` for Adobe CMYK JPEGs, whose inks are stored inverted.
    Jpeg { bytes: Arc<Vec<u8>>, inverted: bool },
    /// 8-bit samples, deflated in the zlib format (`FlateDecode`).
    Deflated(Vec<u8>),
}

/// An image ready to be written.
pub(super) struct Encoded {
    pub width: u32,
    pub height: u32,
    pub space: Space,
    pub samples: Samples,
    /// Deflated 8-bit alpha, written as a soft mask.
    pub alpha: Option<Vec<u8>>,
}

/// Prepares `asset` for the PDF in the given colour mode.
pub(super) fn encode(
    asset: &ImageAsset,
    color: ColorMode,
    deflater: &mut super::Deflater,
) -> Result<Encoded, String> {
    if color == ColorMode::Gray {
        let px = gray::pixels(asset)?;
        return Ok(Encoded {
            width: px.width,
            height: px.height,
            space: Space::Gray,
            samples: Samples::Deflated(deflater.zlib(&px.luma)),
            alpha: px.alpha.as_deref().map(|a| deflater.zlib(a)),
        });
    }
    match asset.format {
        ImageFormat::Jpeg => {
            let info = jpeg_info(&asset.bytes).ok_or("the JPEG has no frame header")?;
            let space = Space::from_channels(info.components).ok_or_else(|| {
                format!("JPEG images with {} components are not supported", info.components)
            })?;
            Ok(Encoded {
                width: info.width,
                height: info.height,
                space,
                samples: Samples::Jpeg {
                    bytes: asset.bytes.clone(),
                    inverted: space == Space::Cmyk && info.adobe,
                },
                alpha: None,
            })
        }
        ImageFormat::Png => {
            let (buf, channels, width, height) = decode_png(&asset.bytes)?;
            let (color, alpha): (Vec<u8>, Option<Vec<u8>>) = match channels {
                1 | 3 => (buf, None),
                2 | 4 => {
                    let c = channels - 1;
                    let color = buf.chunks_exact(channels).flat_map(|p| p[..c].iter().copied()).collect();
                    let alpha = buf.chunks_exact(channels).map(|p| p[c]).collect();
                    (color, Some(alpha))
                }
                n => return Err(format!("PNG images with {n} channels are not supported")),
            };
            let space = if channels <= 2 { Space::Gray } else { Space::Rgb };
            // Fully opaque alpha is no mask at all.
            let alpha = alpha.filter(|a: &Vec<u8>| a.iter().any(|&x| x != 255));
            Ok(Encoded {
                width,
                height,
                space,
                samples: Samples::Deflated(deflater.zlib(&color)),
                alpha: alpha.map(|a| deflater.zlib(&a)),
            })
        }
    }
}

/// Decodes a PNG to 8-bit samples: palette and low bit depths expanded, 16 bits
/// stripped to 8 (enough for print). Returns the samples, the channels per
/// pixel, the width and the height.
pub(super) fn decode_png(bytes: &[u8]) -> Result<(Vec<u8>, usize, u32, u32), String> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string().to_lowercase())?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("the image is too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string().to_lowercase())?;
    buf.truncate(info.buffer_size());
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err("the palette was not expanded".into()),
    };
    if buf.len() != info.width as usize * info.height as usize * channels {
        return Err("the decoded image has the wrong number of pixels".into());
    }
    Ok((buf, channels, info.width, info.height))
}

/// What the PDF needs from a JPEG's headers.
#[derive(Debug, PartialEq, Eq)]
struct JpegInfo {
    width: u32,
    height: u32,
    components: usize,
    /// An Adobe APP14 segment: CMYK samples are stored inverted.
    adobe: bool,
}

/// Reads the frame header (SOFn) and notes an Adobe APP14 segment.
fn jpeg_info(b: &[u8]) -> Option<JpegInfo> {
    let mut i = 2;
    let mut adobe = false;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        let body = b.get(i + 4..i + 2 + len)?;
        match marker {
            0xEE if body.starts_with(b"Adobe") => adobe = true,
            // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = u32::from(u16::from_be_bytes([*body.get(1)?, *body.get(2)?]));
                let width = u32::from(u16::from_be_bytes([*body.get(3)?, *body.get(4)?]));
                let components = usize::from(*body.get(5)?);
                return Some(JpegInfo { width, height, components, adobe });
            }
            0xDA | 0xD9 => return None,
            _ => {}
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // The frame header gives size and components; an Adobe segment before it is noted.
    #[test]
    fn jpeg_headers() {
        let mut b = vec![0xFF, 0xD8];
        b.extend([0xFF, 0xEE, 0, 14]);
        b.extend(b"Adobe\0\0\0\0\0\0\0");
        b.extend([0xFF, 0xC2, 0, 11, 8, 0, 20, 0, 30, 4, 1, 0x11, 0]);
        assert_eq!(jpeg_info(&b), Some(JpegInfo { width: 30, height: 20, components: 4, adobe: true }));
        assert_eq!(jpeg_info(&[0xFF, 0xD8, 0xFF, 0xD9]), None);
        assert_eq!(jpeg_info(&[0xFF, 0xD8, 0xFF, 0xC0, 0, 200]), None);
    }
}
