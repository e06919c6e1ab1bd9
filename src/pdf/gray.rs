//! Grayscale images for `color = "gray"`: PNG and JPEG decoded to pixels and
//! reduced to luma (with alpha kept), embedded as DeviceGray images.

use std::io::Cursor;

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::model::{ImageAsset, ImageFormat};

/// Luma from RGB with the ITU-R BT.601 weights, the ones JPEG's Y channel
/// uses, so a PNG and a JPEG of the same picture come out the same gray.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = 0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b);
    y.round().clamp(0.0, 255.0) as u8
}

/// 8-bit gray pixels with an optional alpha channel.
#[derive(Clone)]
pub(super) struct GrayPixels {
    pub width: u32,
    pub height: u32,
    pub luma: Vec<u8>,
    pub alpha: Option<Vec<u8>>,
}

/// The image as gray pixels.
pub(super) fn pixels(asset: &ImageAsset) -> Result<GrayPixels, String> {
    match asset.format {
        ImageFormat::Png => png(&asset.bytes),
        ImageFormat::Jpeg => jpeg(&asset.bytes),
    }
}

/// Splits interleaved pixels of `channels` components into luma and alpha.
fn split(data: &[u8], channels: usize, width: u32, height: u32) -> Result<GrayPixels, String> {
    let (luma, alpha): (Vec<u8>, Option<Vec<u8>>) = match channels {
        1 => (data.to_vec(), None),
        2 => {
            (data.chunks_exact(2).map(|p| p[0]).collect(), Some(data.chunks_exact(2).map(|p| p[1]).collect()))
        }
        3 => (data.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])).collect(), None),
        4 => (
            data.chunks_exact(4).map(|p| luma(p[0], p[1], p[2])).collect(),
            Some(data.chunks_exact(4).map(|p| p[3]).collect()),
        ),
        n => return Err(format!("{n} colour channels cannot be converted to gray")),
    };
    if luma.len() != width as usize * height as usize {
        return Err("the decoded image has the wrong number of pixels".into());
    }
    Ok(GrayPixels { width, height, luma, alpha })
}

fn png(bytes: &[u8]) -> Result<GrayPixels, String> {
    let d = super::image::decode_png(bytes, true)?;
    split(&d.samples, d.channels, d.width, d.height)
}

fn jpeg(bytes: &[u8]) -> Result<GrayPixels, String> {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = JpegDecoder::new_with_options(Cursor::new(bytes), options);
    let data = decoder.decode().map_err(|e| e.to_string().to_lowercase())?;
    let info = decoder.info().ok_or("the image has no header")?;
    let channels = decoder.output_colorspace().map_or(1, |c| c.num_components());
    split(&data, channels, u32::from(info.width), u32::from(info.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Pure red, green and blue map to BT.601 grays; alpha survives the conversion.
    #[test]
    fn rgba_to_gray() {
        let px = [255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255];
        let g = split(&px, 4, 2, 2).unwrap();
        assert_eq!(*g.luma, [76, 150, 29, 255]);
        assert_eq!(g.alpha.as_deref(), Some(&[255, 128, 0, 255][..]));
    }

    // A wrong pixel count is an error, not a panic inside the PDF library.
    #[test]
    fn wrong_size_is_refused() {
        assert!(split(&[0, 0, 0], 1, 2, 2).is_err());
    }
}
