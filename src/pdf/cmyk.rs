//! Colour for a press: the CMYK output profile a PDF/X file names in its
//! output intent, and the conversion of sRGB pictures into it for
//! `color = "cmyk"`.
//!
//! The profile shipped is built from FOGRA39L, the characterization data of
//! coated offset paper printed to ISO 12647-2 (the condition of most European
//! sheet-fed presses, the one Fogra's "ISO Coated v2" profile serves), with a
//! total ink limit of 330 %. data/icc/README.md says how it was made and under
//! which licence the data is given.
//!
//! The conversion is moxcms's, perceptual intent, so that colours outside the
//! press's gamut are compressed rather than clipped; pure gray pixels are left
//! to the black ink alone by the profile's black generation.

use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use moxcms::{ColorProfile, Layout, RenderingIntent, Transform8BitExecutor, TransformOptions};
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::model::{ImageAsset, ImageFormat};

/// The output profile: FOGRA39 coated offset, ICC v2, built with ArgyllCMS.
pub const PROFILE: &[u8] = include_bytes!("../../data/icc/fogra39.icc");

/// The printing condition the profile characterizes, as an output intent names it.
pub struct Condition {
    /// `/OutputConditionIdentifier`: the name in the ICC's characterization registry.
    pub identifier: &'static str,
    /// `/Info`: the condition for a person.
    pub info: &'static str,
    /// `/RegistryName`: where the identifier is registered.
    pub registry: &'static str,
}

/// FOGRA39, as the ICC registry lists it.
pub const FOGRA39: Condition = Condition {
    identifier: "FOGRA39",
    info: "Coated FOGRA39 (ISO 12647-2:2004)",
    registry: "http://www.color.org",
};

/// The sRGB → press CMYK transform, built once.
fn transform() -> Result<&'static Arc<Transform8BitExecutor>, String> {
    static TRANSFORM: OnceLock<Result<Arc<Transform8BitExecutor>, String>> = OnceLock::new();
    TRANSFORM
        .get_or_init(|| {
            let press =
                ColorProfile::new_from_slice(PROFILE).map_err(|e| format!("the CMYK profile: {e}"))?;
            let options =
                TransformOptions { rendering_intent: RenderingIntent::Perceptual, ..Default::default() };
            ColorProfile::new_srgb()
                .create_transform_8bit(Layout::Rgb, &press, Layout::Rgba, options)
                .map_err(|e| format!("the CMYK transform: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// Interleaved 8-bit sRGB pixels as interleaved CMYK.
pub fn rgb_to_cmyk(rgb: &[u8]) -> Result<Vec<u8>, String> {
    let t = transform()?;
    let mut out = vec![0u8; rgb.len() / 3 * 4];
    t.transform(rgb, &mut out).map_err(|e| format!("converting to CMYK: {e}"))?;
    Ok(out)
}

/// The most ink the profile ever lays down, in percent: that of its deepest
/// black, sRGB black converted. Pictures past it will not dry on the press.
pub fn ink_limit() -> f64 {
    rgb_to_cmyk(&[0, 0, 0]).map_or(330.0, |k| total_ink(&k))
}

/// Total area coverage of one CMYK pixel, in percent.
pub fn total_ink(cmyk: &[u8]) -> f64 {
    cmyk.iter().map(|&v| f64::from(v)).sum::<f64>() / 255.0 * 100.0
}

/// A picture's pixels as the PDF needs them in a CMYK job.
pub(super) enum Pixels {
    /// Gray pictures stay gray: black ink alone prints them.
    Gray,
    /// CMYK JPEGs pass through as they are.
    Cmyk,
    /// Colour pictures, converted: CMYK samples and the alpha, if any; `photo`
    /// when the source was a JPEG (and is best stored as one again).
    Converted { width: u32, height: u32, cmyk: Vec<u8>, alpha: Option<Vec<u8>>, photo: bool },
}

/// Decodes `asset` and converts its colour to the press's CMYK.
pub(super) fn convert(asset: &ImageAsset) -> Result<Pixels, String> {
    let photo = asset.format == ImageFormat::Jpeg;
    let (width, height, rgb, alpha) = match asset.format {
        ImageFormat::Png => {
            let d = super::image::decode_png(&asset.bytes, true)?;
            match d.channels {
                1 | 2 => return Ok(Pixels::Gray),
                3 => (d.width, d.height, d.samples, None),
                4 => {
                    let rgb = d.samples.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
                    let alpha: Vec<u8> = d.samples.chunks_exact(4).map(|p| p[3]).collect();
                    (d.width, d.height, rgb, Some(alpha).filter(|a| a.iter().any(|&x| x != 255)))
                }
                n => return Err(format!("PNG images with {n} channels are not supported")),
            }
        }
        ImageFormat::Jpeg => {
            let mut probe = JpegDecoder::new(Cursor::new(&asset.bytes[..]));
            probe.decode_headers().map_err(|e| e.to_string().to_lowercase())?;
            match probe.input_colorspace() {
                Some(ColorSpace::Luma) => return Ok(Pixels::Gray),
                Some(ColorSpace::CMYK | ColorSpace::YCCK) => return Ok(Pixels::Cmyk),
                _ => {}
            }
            let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
            let mut decoder = JpegDecoder::new_with_options(Cursor::new(&asset.bytes[..]), options);
            let rgb = decoder.decode().map_err(|e| e.to_string().to_lowercase())?;
            let info = decoder.info().ok_or("the image has no header")?;
            (u32::from(info.width), u32::from(info.height), rgb, None)
        }
    };
    if rgb.len() != width as usize * height as usize * 3 {
        return Err("the decoded image has the wrong number of pixels".into());
    }
    Ok(Pixels::Converted { width, height, cmyk: rgb_to_cmyk(&rgb)?, alpha, photo })
}

/// The most ink any pixel of a CMYK JPEG lays down, in percent; `None` for
/// any other picture, whose CMYK the conversion makes and keeps under the limit.
pub fn most_ink(asset: &ImageAsset) -> Option<f64> {
    if asset.format != ImageFormat::Jpeg {
        return None;
    }
    let info = super::image::jpeg_info(&asset.bytes)?;
    if info.components != 4 {
        return None;
    }
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::CMYK);
    let mut decoder = JpegDecoder::new_with_options(Cursor::new(&asset.bytes[..]), options);
    let px = decoder.decode().ok()?;
    // Adobe's CMYK JPEGs store the inks inverted.
    let ink = |v: u8| if info.adobe { 255 - v } else { v };
    let most = px.chunks_exact(4).map(|p| p.iter().map(|&v| u32::from(ink(v))).sum::<u32>()).max()?;
    Some(f64::from(most) / 255.0 * 100.0)
}

/// The most ink any pixel of a picture lays down as a CMYK job prints it:
/// a CMYK JPEG as it is, a colour picture once converted, a gray one in black alone.
pub fn most_ink_printed(asset: &ImageAsset) -> Option<f64> {
    match convert(asset).ok()? {
        Pixels::Cmyk => most_ink(asset),
        Pixels::Gray => Some(100.0),
        Pixels::Converted { cmyk, .. } => cmyk.chunks_exact(4).map(total_ink).reduce(f64::max),
    }
}

/// JPEG quality of a converted photograph: the usual setting for print, where
/// the loss stays below what a 60 lines/cm screen resolves.
const JPEG_QUALITY: u8 = 90;

/// CMYK samples as an Adobe CMYK JPEG (inks stored inverted, as Photoshop does).
pub(super) fn jpeg(width: u32, height: u32, cmyk: &[u8]) -> Result<Vec<u8>, String> {
    let (w, h) = (u16::try_from(width), u16::try_from(height));
    let (Ok(w), Ok(h)) = (w, h) else {
        return Err(format!("a {width} × {height} picture is too large for a JPEG"));
    };
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
        .encode(cmyk, w, h, jpeg_encoder::ColorType::Cmyk)
        .map_err(|e| format!("writing the CMYK JPEG: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // White takes no ink; black stays under the profile's limit and is mostly K;
    // a neutral gray is carried by black with little colour ink; saturated red
    // is magenta and yellow.
    #[test]
    fn conversion_follows_the_press() {
        let px = rgb_to_cmyk(&[255, 255, 255, 0, 0, 0, 128, 128, 128, 255, 0, 0]).unwrap();
        let (white, black, gray, red) = (&px[0..4], &px[4..8], &px[8..12], &px[12..16]);
        assert!(total_ink(white) < 2.0, "white {white:?}");
        assert!(total_ink(black) <= 332.0 && black[3] > 200, "black {black:?}");
        assert!(gray[3] > 80, "gray {gray:?}");
        assert!(red[1] > 200 && red[2] > 200 && red[0] < 40, "red {red:?}");
        let limit = ink_limit();
        assert!((250.0..=332.0).contains(&limit), "{limit}");
    }

    // A CMYK JPEG's heaviest pixel is measured through the Adobe inversion; the
    // conversion's own output never passes the limit.
    #[test]
    fn ink_of_cmyk_pictures() {
        let mut px = vec![0u8; 8 * 8 * 4];
        px[..4].copy_from_slice(&[255, 255, 255, 255]);
        let heavy = jpeg(8, 8, &px).unwrap();
        let asset = |bytes: Vec<u8>| ImageAsset {
            format: ImageFormat::Jpeg,
            width: 8,
            height: 8,
            bytes: Arc::new(bytes),
        };
        let most = most_ink(&asset(heavy)).unwrap();
        assert!(most > 300.0, "{most}");
        let light = jpeg(8, 8, &vec![20u8; 8 * 8 * 4]).unwrap();
        let most = most_ink(&asset(light)).unwrap();
        assert!(most < 40.0, "{most}");
        let rainbow: Vec<u8> = (0..=255u8).flat_map(|v| [v, 255 - v, v / 2]).collect();
        let converted = rgb_to_cmyk(&rainbow).unwrap();
        assert!(converted.chunks_exact(4).all(|p| total_ink(p) <= ink_limit() + 1.0));
    }
}
