//! Images and fonts: each read once, checked, and every problem reported at
//! the place that refers to it.

use std::path::Path;

use super::input::{Confinement, OUTSIDE_HINT};
use super::load::io_reason;
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::fonts::{FALLBACK_SLOT, FontError, FontSet};
use crate::images;
use crate::manifest::{self, MissingImages, OutputKind, Settings};
use crate::model::{Block, Document, Images};

/// The error for an image address that names no file of the book: a web address
/// or inline `data:` (samizdat reads files only; the build is offline and repeatable).
fn not_a_file(src: &str) -> Option<(String, String)> {
    let lower = src.trim().to_ascii_lowercase();
    if ["http://", "https://", "ftp://", "//"].iter().any(|p| lower.starts_with(p)) {
        let name = src.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("image.jpg");
        return Some((
            format!("image `{src}` is on the web; samizdat does not download images"),
            format!(
                "download it into the book's folder, e.g. `curl -o img/{name} '{src}'`, and write `img/{name}`"
            ),
        ));
    }
    if lower.starts_with("data:") {
        let shown: String = src.chars().take(30).collect();
        return Some((
            format!("image `{shown}…` is inline data, not a file"),
            "save the picture as a file in the book's folder (e.g. `img/picture.png`) and refer to it by its path".into(),
        ));
    }
    None
}

/// Reads every image the documents refer to (and the EPUB covers), reporting
/// each problem at the place of the reference.
pub(super) fn load_images(
    documents: &[Document],
    sources: &[String],
    settings: &Settings,
    confine: Option<&Confinement>,
    diags: &mut Diagnostics,
) -> Images {
    let mut images = Images::new();
    // Each image once, at its first reference; refused paths are not read.
    let mut seen = std::collections::BTreeSet::new();
    let mut wanted = Vec::new();
    for (doc, src) in documents.iter().zip(sources) {
        for img in doc.images() {
            let offset = img.src_at;
            if !seen.insert(&img.path) {
                continue;
            }
            let loc = Location::at(&doc.path, src, offset);
            if let Some((message, hint)) = not_a_file(&img.src) {
                // An export whose images stayed on the site (or inline, as lazy-load
                // placeholders) is what `missing-images = "warn"` is for.
                let d = match settings.missing_images {
                    MissingImages::Warn => {
                        Diagnostic::warning(Some(loc), format!("{message}; it is left out"))
                    }
                    MissingImages::Error => Diagnostic::error(Some(loc), message),
                };
                diags.push(d.with_hint(hint));
                continue;
            }
            if let Some(c) = confine
                && let Err(why) = c.check(&img.path)
            {
                diags.push(
                    Diagnostic::error(Some(loc), format!("image `{}` is refused: {why}", img.src))
                        .with_hint(OUTSIDE_HINT),
                );
                continue;
            }
            wanted.push((img, loc));
        }
    }
    // Read and checked in parallel (a volume's JPEGs are most of its bytes),
    // reported in reference order.
    let read: Vec<_> = {
        use rayon::prelude::*;
        wanted
            .par_iter()
            .map(|(img, _)| {
                read_image(&img.path).map(|asset| {
                    let format = asset.format;
                    (format, images::upright(asset))
                })
            })
            .collect()
    };
    for ((img, loc), result) in wanted.into_iter().zip(read) {
        match result {
            Ok((format, upright)) => {
                check_extension(&img.src, format, &loc, diags);
                match upright {
                    Ok(asset) => {
                        images.insert(img.path.clone(), asset);
                    }
                    Err(e) => diags.push(Diagnostic::error(Some(loc), format!("image `{}`: {e}", img.src))),
                }
            }
            // A file not there, where the book allows it: a warning, and the image left out.
            Err((msg, _)) if settings.missing_images == MissingImages::Warn && !img.path.exists() => {
                diags.push(
                    Diagnostic::warning(Some(loc), format!("image `{}` is missing; it is left out", img.src))
                        .with_hint(format!("{msg}; the EPUB shows its description instead")),
                );
            }
            Err((msg, hint)) => {
                diags.push(
                    Diagnostic::error(Some(loc), format!("image `{}`: {msg}", img.src)).with_hint(hint),
                );
            }
        }
    }
    for out in &settings.outputs {
        let cover = match &out.kind {
            OutputKind::Epub(e) => e.cover.as_ref(),
            OutputKind::Cover(c) => c.image.as_ref(),
            OutputKind::Pdf(_) => None,
        };
        if let Some(cover) = cover
            && !images.contains_key(cover)
        {
            let loc = settings.manifest.as_ref().map(|m| Location::file(m.clone()));
            if let Some(c) = confine
                && let Err(why) = c.check(cover)
            {
                diags.push(
                    Diagnostic::error(
                        loc,
                        format!("cover `{}` of output `{}` is refused: {why}", cover.display(), out.name),
                    )
                    .with_hint(OUTSIDE_HINT),
                );
                continue;
            }
            match read_image(cover)
                .and_then(|a| images::upright(a).map_err(|e| (e.to_string(), String::new())))
            {
                Ok(asset) => {
                    images.insert(cover.clone(), asset);
                }
                Err((msg, hint)) => diags.push(
                    Diagnostic::error(
                        loc,
                        format!("cover `{}` of output `{}`: {msg}", cover.display(), out.name),
                    )
                    .with_hint(hint),
                ),
            }
        }
    }
    images
}

fn check_extension(
    written: &str,
    format: crate::model::ImageFormat,
    loc: &Location,
    diags: &mut Diagnostics,
) {
    use crate::model::ImageFormat;
    let path = Path::new(written);
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let ok = match format {
        ImageFormat::Jpeg => matches!(ext.as_str(), "jpg" | "jpeg"),
        ImageFormat::Png => ext == "png",
    };
    if !ok {
        diags.push(
            Diagnostic::warning(
                Some(loc.clone()),
                format!(
                    "`{}` is a {} file with a `.{ext}` extension",
                    path.display(),
                    format.extension().to_uppercase()
                ),
            )
            .with_hint(format!("rename it to `.{}`", format.extension())),
        );
    }
}

fn read_image(path: &Path) -> Result<crate::model::ImageAsset, (String, String)> {
    let meta = std::fs::metadata(path).map_err(|e| {
        (
            format!("cannot read it: {}", io_reason(&e)),
            "check the path; it is relative to the Markdown file".into(),
        )
    })?;
    if meta.is_dir() {
        return Err(("this is a folder, not an image".into(), "point at a `.jpg` or `.png` file".into()));
    }
    if !meta.is_file() {
        return Err((
            "this is not a regular file (a pipe, a device or a socket)".into(),
            "point at a `.jpg` or `.png` file".into(),
        ));
    }
    if meta.len() > images::MAX_BYTES as u64 {
        return Err((
            format!("the file is {} MB, the limit is {} MB", meta.len() >> 20, images::MAX_BYTES >> 20),
            "scale the image down; 300 dpi at the printed size is enough".into(),
        ));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| (format!("cannot read it: {}", io_reason(&e)), "check the file's permissions".into()))?;
    images::probe(bytes).and_then(|a| images::verify(&a).map(|()| a)).map_err(|e| {
        let hint = match e {
            images::ImageError::Unsupported(_) => "convert it to PNG or JPEG".to_string(),
            images::ImageError::Undisplayable(_) => {
                "save it again as an ordinary (baseline) JPEG, e.g. `convert in.jpg -quality 92 out.jpg`"
                    .into()
            }
            images::ImageError::Empty => "the export lost it: copy the image again from its original".into(),
            images::ImageError::TooLarge(_) => {
                "scale the image down; 300 dpi at the printed size is enough".into()
            }
            _ => "export the image again from its original".into(),
        };
        (e.to_string(), hint)
    })
}

/// The embedded faces with those of `[fonts]` in their place. Every file that
/// cannot be used is an error at its value in book.toml, all reported at once;
/// the embedded set is returned then (with `false`), so that the other checks still run.
pub(super) fn load_fonts(
    paths: &manifest::FontPaths,
    confine: Option<&Confinement>,
    diags: &mut Diagnostics,
) -> (FontSet, bool) {
    if paths.is_empty() {
        return (FontSet::embedded(), true);
    }
    // Fonts obey the rule of every input: from the book's folder (or the
    // system's font folders), unless `--allow-outside-root`.
    let mut refused = false;
    let mut allowed = |key: &str, file: &manifest::FontFile| -> bool {
        let Some(why) = confine.and_then(|c| c.check(&file.path).err()) else { return true };
        if in_system_fonts(&file.path) {
            return true;
        }
        refused = true;
        diags.push(
            Diagnostic::error(Some(file.at.clone()), format!("font `{}` (`{key}`) is refused: {why}", file.written))
                .with_hint("copy it into the book's folder or use one of the system's font folders (/usr/share/fonts…); or pass `--allow-outside-root` if you trust this book"),
        );
        false
    };
    let slots = paths.slots();
    let by_slot = slots.map(|(key, f)| f.filter(|f| allowed(key, f)).map(|f| f.path.as_path()));
    let fallback = paths.fallback.as_ref().filter(|f| allowed("fallback", f)).map(|f| f.path.as_path());
    match FontSet::with(by_slot, fallback) {
        Ok(_) if refused => (FontSet::embedded(), false),
        Ok(set) => (set, true),
        Err(errors) => {
            let mut found = Vec::new();
            for (slot, error) in errors {
                let (key, file) = if slot == FALLBACK_SLOT {
                    ("fallback", paths.fallback.as_ref())
                } else {
                    (slots[slot].0, slots[slot].1)
                };
                let Some(file) = file else { continue };
                found.push(font_error(key, file, &error));
            }
            found.sort_by(|a, b| a.location.cmp(&b.location));
            diags.extend(Diagnostics(found));
            (FontSet::embedded(), false)
        }
    }
}

/// The diagnostic for a font file of `[fonts]` that cannot be used.
fn font_error(key: &str, file: &manifest::FontFile, error: &FontError) -> Diagnostic {
    let name = &file.written;
    let (message, hint) = match error {
        FontError::Missing(_) => (
            format!("font file `{name}` (`{key}`) not found"),
            "paths in [fonts] are relative to the folder of book.toml".to_owned(),
        ),
        FontError::Unreadable(_, why) => (
            format!("cannot read font file `{name}` (`{key}`): {why}"),
            "check the file's permissions".to_owned(),
        ),
        FontError::NotAFont(_) => (
            format!("`{name}` (`{key}`) is not a TrueType or OpenType font"),
            if key == "fallback" {
                "use a TrueType/OpenType file, e.g. DejaVu Sans or Noto Sans CJK".to_owned()
            } else {
                FONT_HINT.to_owned()
            },
        ),
        FontError::NoCyrillic(_) => {
            (format!("font `{name}` (`{key}`) has no Cyrillic letters"), FONT_HINT.to_owned())
        }
        FontError::NotAFile(_) => (
            format!("`{name}` (`{key}`) is a folder or a device, not a font file"),
            "name the .ttf or .otf file itself, e.g. `fonts/PTSerif-Regular.ttf`".to_owned(),
        ),
        FontError::TooLarge(_, n) => (
            format!("`{name}` (`{key}`) is {} MB, larger than any font", n >> 20),
            "name a .ttf or .otf file".to_owned(),
        ),
        FontError::Container(_, kind) => (
            format!("`{name}` (`{key}`) is {kind}, not a TrueType or OpenType file"),
            if kind.contains(".ttc") {
                "extract the face you want into its own .ttf, e.g. with fontTools: \
                 `python3 -c \"from fontTools.ttLib import TTFont; TTFont('x.ttc', fontNumber=0).save('x.ttf')\"`"
                    .to_owned()
            } else {
                "convert it to TTF, e.g. with fontTools: \
                 `python3 -c \"from fontTools.ttLib import TTFont; f = TTFont('x.woff2'); f.flavor = None; f.save('x.ttf')\"`"
                    .to_owned()
            },
        ),
    };
    Diagnostic::error(Some(file.at.clone()), message).with_hint(hint)
}

/// Whether `path` is inside one of the folders where systems keep their fonts:
/// a book may name a system font (`fallback = "/usr/share/fonts/…"`) without
/// `--allow-outside-root`, since nothing but fonts is read from there.
fn in_system_fonts(path: &Path) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else { return false };
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let mut dirs: Vec<std::path::PathBuf> = [
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "/Library/Fonts",
        "/System/Library/Fonts",
        "C:\\Windows\\Fonts",
    ]
    .iter()
    .map(std::path::PathBuf::from)
    .collect();
    if let Some(home) = home {
        dirs.extend([home.join(".fonts"), home.join(".local/share/fonts"), home.join("Library/Fonts")]);
    }
    dirs.iter().filter_map(|d| std::fs::canonicalize(d).ok()).any(|d| real.starts_with(d))
}

/// What a face of `[fonts]` must be.
const FONT_HINT: &str = "use a TrueType/OpenType file with Cyrillic letters, e.g. PT Serif";

/// Warns about characters no configured font can draw, with the place of each.
/// Characters the body font lacks but the fallback font draws are fine.
pub(super) fn check_coverage(
    documents: &[Document],
    sources: &[String],
    fonts: &FontSet,
    diags: &mut Diagnostics,
) {
    use rayon::prelude::*;
    let found: Vec<Option<Diagnostic>> =
        documents.par_iter().zip(sources).map(|(doc, src)| coverage_warning(doc, src, fonts)).collect();
    for d in found.into_iter().flatten() {
        diags.push(d);
    }
}

/// The warning for the characters of one statement that no face can draw.
fn coverage_warning(doc: &Document, src: &str, fonts: &FontSet) -> Option<Diagnostic> {
    let mut text = doc.title.clone();
    collect_all_text(doc, &mut text);
    let missing = fonts.missing_chars(&text);
    if missing.is_empty() {
        return None;
    }
    let offset = missing.iter().filter_map(|c| src.find(*c)).min().unwrap_or(0);
    let list: Vec<String> = missing.iter().map(|c| format!("`{c}` (U+{:04X})", *c as u32)).collect();
    let (message, hint) = if fonts.fallback().is_some() {
        let drawn = fonts.fallback_chars(&text);
        let also = if drawn.is_empty() {
            String::new()
        } else {
            let drawn: String = drawn.iter().collect();
            format!(" (the fallback font draws {drawn})")
        };
        (
            format!(
                "neither the body font nor the fallback font can draw {}; they will be missing from the PDF{also}",
                list.join(", ")
            ),
            "remove these characters or configure a fallback font that has them",
        )
    } else {
        (
            format!("no font can draw {}; they will be missing from the PDF", list.join(", ")),
            "remove these characters or configure a font that has them: [fonts] fallback = \"…\"",
        )
    };
    Some(Diagnostic::warning(Some(Location::at(&doc.path, src, offset)), message).with_hint(hint))
}

fn collect_all_text(doc: &Document, out: &mut String) {
    Block::plain_text_into(&doc.blocks, out);
    for f in &doc.footnotes {
        Block::plain_text_into(&f.blocks, out);
    }
}
