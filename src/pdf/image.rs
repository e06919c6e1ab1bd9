//! Images as PDF image XObjects. A JPEG is passed through unchanged
//! (`DCTDecode`); a PNG is decoded and its pixels deflated, its alpha channel
//! becoming a soft mask; with `color = "gray"` both are reduced to DeviceGray
//! pixels ([`super::gray`]), with `color = "cmyk"` colour pictures are converted
//! to the press's CMYK ([`super::cmyk`]).

use std::io::Cursor;
use std::sync::Arc;

use pdf_writer::{Chunk, Filter, Finish, Name, Ref};

use super::{cmyk, gray};
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
    Deflated(Arc<Vec<u8>>),
}

/// An image ready to be written.
pub(super) struct Encoded {
    pub width: u32,
    pub height: u32,
    pub space: Space,
    /// Bits per sample of the colour and the alpha: 8, or 16 for a 16-bit PNG.
    pub bits: u8,
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
            bits: 8,
            samples: Samples::Deflated(Arc::new(deflater.zlib(&px.luma))),
            alpha: px.alpha.as_deref().map(|a| deflater.zlib(a)),
        });
    }
    // In a CMYK job gray pictures and CMYK JPEGs go in as they are.
    if color == ColorMode::Cmyk
        && let cmyk::Pixels::Converted { width, height, cmyk, alpha, photo } = cmyk::convert(asset)?
    {
        if photo && alpha.is_none() {
            let bytes = Arc::new(cmyk::jpeg(width, height, &cmyk)?);
            let samples = Samples::Jpeg { bytes, inverted: true };
            return Ok(Encoded { width, height, space: Space::Cmyk, bits: 8, samples, alpha: None });
        }
        return Ok(Encoded {
            width,
            height,
            space: Space::Cmyk,
            bits: 8,
            samples: Samples::Deflated(Arc::new(deflater.zlib(&cmyk))),
            alpha: alpha.as_deref().map(|a| deflater.zlib(a)),
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
                bits: 8,
                samples: Samples::Jpeg {
                    bytes: asset.bytes.clone(),
                    inverted: space == Space::Cmyk && info.adobe,
                },
                alpha: None,
            })
        }
        ImageFormat::Png => {
            let d = decode_png(&asset.bytes, false)?;
            let n = d.channels;
            let size = usize::from(d.bits / 8);
            let (color, alpha): (Vec<u8>, Option<Vec<u8>>) = match n {
                1 | 3 => (d.samples, None),
                2 | 4 => {
                    // Split each pixel into its colour samples and its alpha sample.
                    let c = (n - 1) * size;
                    let pixel = n * size;
                    let color = d.samples.chunks_exact(pixel).flat_map(|p| p[..c].iter().copied()).collect();
                    let alpha: Vec<u8> =
                        d.samples.chunks_exact(pixel).flat_map(|p| p[c..].iter().copied()).collect();
                    (color, Some(alpha))
                }
                n => return Err(format!("PNG images with {n} channels are not supported")),
            };
            let space = if n <= 2 { Space::Gray } else { Space::Rgb };
            // Fully opaque alpha is no mask at all.
            let alpha = alpha.filter(|a: &Vec<u8>| a.iter().any(|&x| x != 255));
            Ok(Encoded {
                width: d.width,
                height: d.height,
                space,
                bits: d.bits,
                samples: Samples::Deflated(Arc::new(deflater.zlib(&color))),
                alpha: alpha.map(|a| deflater.zlib(&a)),
            })
        }
    }
}

/// The samples of an image's XObject, as they go into its stream.
pub(super) fn samples(enc: &Encoded) -> &Arc<Vec<u8>> {
    match &enc.samples {
        Samples::Jpeg { bytes, .. } | Samples::Deflated(bytes) => bytes,
    }
}

/// Writes the image XObject at `r` with `data` as its stream (its
/// [`samples`], or nothing when the stream is spliced in later), pointing at
/// the soft mask `mask` for an image with alpha. `interpolate` asks viewers
/// to smooth upscaled images (PDF/A forbids the flag).
pub(super) fn write(
    chunk: &mut Chunk,
    r: Ref,
    mask: Option<Ref>,
    enc: &Encoded,
    interpolate: bool,
    srgb: Option<Ref>,
    data: &[u8],
) {
    let bits = i32::from(enc.bits);
    let mut x = chunk.image_xobject(r, data);
    x.width(enc.width as i32).height(enc.height as i32).bits_per_component(bits);
    match srgb {
        // Beside a CMYK output intent RGB must say what it means (ISO 15930-7, 6.2.2).
        Some(profile) if enc.space == Space::Rgb => x.color_space().icc_based(profile),
        _ => {
            x.color_space_name(Name(enc.space.name()));
        }
    }
    match &enc.samples {
        Samples::Jpeg { inverted, .. } => {
            x.filter(Filter::DctDecode);
            if *inverted {
                x.decode([1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
            }
        }
        Samples::Deflated(_) => {
            x.filter(Filter::FlateDecode);
        }
    }
    if interpolate {
        x.interpolate(true);
    }
    if let Some(m) = mask {
        x.s_mask(m);
    }
    x.finish();
}

/// Writes the soft mask at `m` of an image with alpha.
pub(super) fn write_mask(chunk: &mut Chunk, m: Ref, enc: &Encoded, interpolate: bool) {
    let Some(alpha) = &enc.alpha else { return };
    let mut x = chunk.image_xobject(m, alpha);
    x.width(enc.width as i32).height(enc.height as i32).bits_per_component(i32::from(enc.bits));
    x.color_space_name(Name(b"DeviceGray")).filter(Filter::FlateDecode);
    if interpolate {
        x.interpolate(true);
    }
}

/// A decoded PNG: samples interleaved by pixel, big-endian when 16 bits deep.
pub(super) struct Decoded {
    pub samples: Vec<u8>,
    pub channels: usize,
    pub width: u32,
    pub height: u32,
    /// 8 or 16.
    pub bits: u8,
}

/// Decodes a PNG: palette and low bit depths expanded to 8 bits; 16-bit
/// samples kept (PDF stores them big-endian, as PNG does) unless `strip_16`.
pub(super) fn decode_png(bytes: &[u8], strip_16: bool) -> Result<Decoded, String> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    let strip = if strip_16 { png::Transformations::STRIP_16 } else { png::Transformations::IDENTITY };
    decoder.set_transformations(png::Transformations::EXPAND | strip);
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
    let bits = if info.bit_depth == png::BitDepth::Sixteen { 16 } else { 8 };
    let bytes_per_sample = usize::from(bits / 8);
    if buf.len() != info.width as usize * info.height as usize * channels * bytes_per_sample {
        return Err("the decoded image has the wrong number of pixels".into());
    }
    Ok(Decoded { samples: buf, channels, width: info.width, height: info.height, bits })
}

/// What the PDF needs from a JPEG's headers.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct JpegInfo {
    pub width: u32,
    pub height: u32,
    pub components: usize,
    /// An Adobe APP14 segment: CMYK samples are stored inverted.
    pub adobe: bool,
}

/// Reads the frame header (SOFn) and notes an Adobe APP14 segment.
pub(super) fn jpeg_info(b: &[u8]) -> Option<JpegInfo> {
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
