//! `samizdat new`: a project that builds as it is.

use std::path::{Path, PathBuf};

use super::write_atomic;
use crate::diag::{Diagnostic, Location};

/// Creates a new book project in `dir`: a manifest, one statement and an image.
/// Nothing is written when any of the three files exists already (a user's
/// statement or picture must never be replaced by the template's); the error
/// lists every one of them.
pub fn new_project(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let files: [(&str, &[u8]); 3] = [
        ("book.toml", NEW_MANIFEST.as_bytes()),
        ("content/01-statement.md", NEW_STATEMENT.as_bytes()),
        ("content/img/banner.png", &new_banner()),
    ];
    let taken: Vec<String> = files
        .iter()
        .map(|(rel, _)| dir.join(rel))
        .filter(|p| p.symlink_metadata().is_ok())
        .map(|p| format!("`{}`", p.display()))
        .collect();
    if !taken.is_empty() {
        let what = if taken.len() == 1 {
            "a file the new project would write exists"
        } else {
            "files the new project would write exist"
        };
        return Err(Diagnostic::error(
            Some(Location::file(dir)),
            format!("{what}: {}; nothing was written", taken.join(", ")),
        )
        .with_hint("choose an empty folder, or move these files away first"));
    }
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        write_atomic(&path, bytes)?;
        written.push(path);
    }
    Ok(written)
}

const NEW_MANIFEST: &str = r#"# samizdat book manifest. `samizdat build` turns it into out/book.pdf and out/book.epub.
[book]
title = "Новая книга"
authors = ["Инициативная группа"]
language = "ru"
date = "2026-01-01"
documents = ["content/*.md"]

[output.book]
format = "pdf"
page-size = "A5"

[output.ebook]
format = "epub"
"#;

const NEW_STATEMENT: &str = "![Баннер инициативной группы](img/banner.png)

# Первое заявление

Это первое заявление вашей книги. Пишите обычным Markdown: абзацы
разделяются пустой строкой, **полужирный** и *курсив* отмечаются
звёздочками, а сноска ставится так[^1].

- пункт списка;
- ещё один пункт.

> Цитата выделяется знаком «больше» в начале строки.

[^1]: Текст сноски окажется внизу страницы.
";

/// A small banner image for new projects: a 600 × 200 PNG in two colours,
/// built here so the binary needs no image files.
fn new_banner() -> Vec<u8> {
    let (w, h) = (600u32, 200u32);
    let mut rgb = Vec::with_capacity((w * 3 * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let stripe = (x + y) / 40 % 2 == 0;
            let c: [u8; 3] = if y > 150 {
                [40, 40, 40]
            } else if stripe {
                [196, 30, 58]
            } else {
                [220, 60, 80]
            };
            rgb.extend_from_slice(&c);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Writing a well-formed image into memory cannot fail; an empty banner would be caught by `new`'s test.
    let written = encoder.write_header().and_then(|mut writer| writer.write_image_data(&rgb));
    debug_assert!(written.is_ok());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images;

    // The generated banner is a PNG the image prober accepts at its real size.
    #[test]
    fn banner_is_a_valid_png() {
        let a = images::probe(new_banner()).expect("valid png");
        images::verify(&a).expect("chunk checksums and pixel data are valid");
        assert_eq!((a.width, a.height), (600, 200));
    }
}
