//! Reading a book: the manifest, every statement (parsed, its languages and
//! typography settled) and, through `assets`, its images and fonts.

use std::path::Path;

use super::assets::{check_coverage, load_fonts, load_images};
use super::input::{Confinement, Input, absolute, outside_document, resolve_input};
use super::{LoadOptions, Project, disk, volume};
use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::manifest::{self, Settings};
use crate::markdown::{self, SourceInfo};
use crate::model::{BlockKind, Book, Document};
use crate::typography;

/// Reads and checks everything: manifest, sources, images, fonts, glyph coverage.
/// Returns the project and its warnings, or every error found.
pub fn load(path: &Path) -> Result<(Project, Diagnostics), Diagnostics> {
    load_with(path, &LoadOptions::default())
}

/// [`load`] with options.
pub fn load_with(path: &Path, opts: &LoadOptions) -> Result<(Project, Diagnostics), Diagnostics> {
    let mut diags = Diagnostics::new();
    let input = resolve_input(path).map_err(|d| Diagnostics(vec![d]))?;
    let (mut settings, single) = match input {
        // A manifest with errors still names its statements: they are read and
        // checked too, and every problem is reported in this one run.
        Input::Manifest(p) => match manifest::load_partial(&absolute(&p)) {
            (Some(s), d) => {
                diags.extend(d);
                (s, false)
            }
            (None, d) => return Err(d),
        },
        Input::Markdown(p) => (manifest::single_file(&absolute(&p)), true),
    };

    // After a bad font the embedded set stands in; its coverage would only mislead.
    let confine = (!opts.allow_outside_root).then(|| Confinement::new(&settings.root));
    let (fonts, fonts_ok) = load_fonts(&settings.fonts, confine.as_ref(), &mut diags);
    // Statements are read, parsed and normalised in parallel; their messages
    // are then taken in the order of `documents`, so the report does not
    // depend on the thread count.
    let read: Vec<(Option<(Document, String)>, Diagnostics)> = std::thread::scope(|scope| {
        use rayon::prelude::*;
        // The disk fetches the statements in order while the first are parsed (a
        // hint: without a thread for it, each statement is simply read when its turn comes).
        if settings.documents.len() > 1 {
            let _ =
                std::thread::Builder::new().name("samizdat-read-ahead".into()).spawn_scoped(scope, || {
                    for entry in &settings.documents {
                        if confine.as_ref().is_none_or(|c| c.check(&entry.path).is_ok()) {
                            disk::read_ahead(&entry.path);
                        }
                    }
                });
        }
        settings.documents.par_iter().map(|entry| read_document(&settings, entry, confine.as_ref())).collect()
    });
    let mut documents = Vec::new();
    let mut sources = Vec::new();
    // Index in `settings.documents` of each document kept, for the parts.
    let mut origin = Vec::new();
    for (k, (doc, d)) in read.into_iter().enumerate() {
        diags.extend(d);
        if let Some((doc, text)) = doc {
            documents.push(doc);
            sources.push(text);
            origin.push(k);
        }
    }
    if documents.is_empty() && !diags.has_errors() {
        let at = settings.manifest.clone().or_else(|| settings.documents.first().map(|d| d.display.clone()));
        diags.push(
            Diagnostic::error(at.map(Location::file), "the book has no text to typeset")
                .with_hint("add a statement with at least one paragraph"),
        );
    }

    let volume::Arranged { documents, sources, parts, preface } =
        volume::arrange(&settings, documents, sources, &origin, &mut diags);
    let mut documents = documents;

    let mut meta = settings.meta.clone();
    if single && let Some(doc) = documents.first() {
        meta.title = doc.title.clone();
        meta.lang = doc.lang;
        meta.date = doc.date;
        meta.authors = doc.author.iter().cloned().collect();
        meta.identifier = manifest::derive_identifier(&meta.title, &meta.authors);
    }
    meta.title = typography::normalize_text(&meta.title, meta.lang);
    if let Some(s) = &meta.subtitle {
        meta.subtitle = Some(typography::normalize_text(s, meta.lang));
    }
    // Distinct slugs: a second `intro.md` in another folder becomes `intro-2`.
    let mut seen = std::collections::BTreeSet::new();
    for doc in &mut documents {
        let base = doc.slug.clone();
        let mut n = 1;
        while !seen.insert(doc.slug.clone()) {
            n += 1;
            doc.slug = format!("{base}-{n}");
        }
    }

    if let Some(policy) = opts.missing_images {
        settings.missing_images = policy;
    }
    let images = load_images(&documents, &sources, &settings, confine.as_ref(), &mut diags);
    // Images allowed to be missing are marked so, for both writers.
    for doc in &mut documents {
        mark_missing(&mut doc.blocks, &images);
        for note in &mut doc.footnotes {
            mark_missing(&mut note.blocks, &images);
        }
    }
    if fonts_ok {
        check_coverage(&documents, &sources, &fonts, &mut diags);
    }
    check_standards(&settings, &documents, &sources, &images, &mut diags);
    let blurbs = read_blurbs(&settings, confine.as_ref(), &mut diags);

    if diags.has_errors() {
        return Err(diags);
    }
    let book = Book { meta, documents, parts };
    Ok((Project { settings, book, images, sources, fonts, preface, blurbs }, diags))
}

/// The back text of each cover output, read and parsed as a statement is.
fn read_blurbs(
    settings: &Settings,
    confine: Option<&Confinement>,
    diags: &mut Diagnostics,
) -> std::collections::BTreeMap<String, Vec<crate::model::Block>> {
    let mut out = std::collections::BTreeMap::new();
    for o in &settings.outputs {
        let manifest::OutputKind::Cover(c) = &o.kind else { continue };
        let Some(path) = &c.blurb else { continue };
        let display = path.strip_prefix(&settings.root).unwrap_or(path).to_path_buf();
        let entry = manifest::DocumentEntry::plain(path.clone(), display);
        let (doc, d) = read_document(settings, &entry, confine);
        diags.extend(d);
        if let Some((doc, _)) = doc {
            // The parser's title heading for a file without one: nothing was written.
            let blocks = doc.blocks.into_iter().filter(|b| !b.span.is_empty()).collect();
            out.insert(o.name.clone(), blocks);
        }
    }
    out
}

/// Reads, parses and normalises one statement of `documents`: `None` when it
/// cannot be read or has no text (the reason is in the diagnostics).
fn read_document(
    settings: &Settings,
    entry: &manifest::DocumentEntry,
    confine: Option<&Confinement>,
) -> (Option<(Document, String)>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if let Some(c) = confine
        && let Err(why) = c.check(&entry.path)
    {
        diags.push(outside_document(settings, entry, &why));
        return (None, diags);
    }
    let Some(text) = read_source(&entry.path, &entry.display, entry.encoding, &mut diags) else {
        return (None, diags);
    };
    let base_dir = entry.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let info = SourceInfo {
        display: &entry.display,
        base_dir: &base_dir,
        title: entry.title.as_deref(),
        running_head: entry.running_head.as_deref(),
        lang: entry.lang,
        book_lang: settings.meta.lang,
    };
    let (mut doc, d) = markdown::parse(&text, &info);
    diags.extend(d);
    // The images are read after every statement is parsed; the disk fetches
    // them meanwhile.
    for img in doc.images() {
        if confine.is_none_or(|c| c.check(&img.path).is_ok()) {
            disk::read_ahead(&img.path);
        }
    }
    typography::normalize(&mut doc);
    // Only the title heading the parser adds (an empty span): nothing was written.
    let blank = doc.blocks.iter().all(|b| matches!(b.kind, BlockKind::Heading { .. }) && b.span.is_empty());
    if blank && doc.footnotes.is_empty() {
        let what = if text.trim().is_empty() {
            "the file is empty"
        } else {
            "the file has no text after its front matter"
        };
        diags.push(
            Diagnostic::warning(
                Some(Location::file(&entry.display)),
                format!("{what}; it is left out of the book"),
            )
            .with_hint("write the statement, or remove the file from `documents`"),
        );
        return (None, diags);
    }
    (Some((doc, text)), diags)
}

/// Reads a Markdown source: UTF-8 checked with the byte offset of the first bad
/// byte, a BOM dropped, CRLF accepted.
fn read_source(
    path: &Path,
    display: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
    diags: &mut Diagnostics,
) -> Option<String> {
    if path.is_dir() {
        diags.push(
            Diagnostic::error(Some(Location::file(display)), "this is a folder, not a Markdown file")
                .with_hint("list Markdown files, or a glob such as `content/*.md`"),
        );
        return None;
    }
    // A pipe or a device would block the read or never end it.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        diags.push(
            Diagnostic::error(
                Some(Location::file(display)),
                "this is not a regular file (a pipe, a device or a socket)",
            )
            .with_hint("list Markdown files saved on disk"),
        );
        return None;
    }
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_SOURCE_BYTES
    {
        diags.push(
            Diagnostic::error(
                Some(Location::file(display)),
                format!(
                    "the file is {} MB, the limit for one statement is {} MB",
                    meta.len() >> 20,
                    MAX_SOURCE_BYTES >> 20
                ),
            )
            .with_hint("split it into several statements and list them in `documents`"),
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Some(Location::file(display)),
                    format!("cannot read the file: {}", io_reason(&e)),
                )
                .with_hint("check that the file exists and is readable"),
            );
            return None;
        }
    };
    // A legacy encoding the manifest names: converted (a UTF-8 byte order mark still wins).
    if let Some(encoding) = encoding {
        let (text, _, _) = encoding.decode(&bytes);
        return Some(markdown::composed(text.into_owned()));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(s) => Some(markdown::composed(s)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
            let loc = Location::at(display, &valid, at);
            let name = display.display();
            let (message, hint) = match likely_encoding(e.as_bytes()) {
                Some((label, shown)) => (
                    format!("the file is not UTF-8; it looks like {shown} (bad byte at offset {at})"),
                    format!(
                        "say so in book.toml, and samizdat converts it: documents = [{{ file = \"{name}\", encoding = \"{label}\" }}] \
                         (or `encoding = \"{label}\"` in [book] for every statement); or convert it: `iconv -f {label} -t utf-8`"
                    ),
                ),
                None => (
                    format!("the file is not valid UTF-8 (bad byte at offset {at})"),
                    "the bytes here are in another encoding (a fragment pasted from a cp1251 or KOI8-R text?): \
                     retype them, or convert that part with `iconv -f cp1251 -t utf-8`, and save the file as UTF-8"
                        .to_owned(),
                ),
            };
            diags.push(Diagnostic::error(Some(loc), message).with_hint(hint));
            None
        }
    }
}

/// The legacy Cyrillic encoding `bytes` are most likely in, with its label and
/// its name for messages: each candidate decodes the text, and the one whose
/// letters are most often the common Russian and Kazakh lowercase letters wins
/// (decoded in the wrong one, Cyrillic comes out as capitals and box symbols).
fn likely_encoding(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    const COMMON: &str = "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъёәғқңөұүһі";
    // Mostly valid UTF-8 with a few bad bytes is a damaged UTF-8 file (a pasted
    // fragment), not a legacy one: converting all of it would garble the rest.
    let lossy = String::from_utf8_lossy(bytes);
    let bad = lossy.chars().filter(|&c| c == char::REPLACEMENT_CHARACTER).count();
    let good = lossy.chars().filter(|&c| !c.is_ascii() && c != char::REPLACEMENT_CHARACTER).count();
    if good > bad {
        return None;
    }
    let candidates = [
        ("cp1251", "Windows-1251 (cp1251)", encoding_rs::WINDOWS_1251),
        ("koi8-r", "KOI8-R", encoding_rs::KOI8_R),
    ];
    let score = |e: &'static encoding_rs::Encoding| {
        let (text, _, _) = e.decode(bytes);
        text.chars().filter(|c| COMMON.contains(*c)).count()
    };
    let (label, shown, best) =
        candidates.iter().map(|(l, s, e)| (*l, *s, score(e))).max_by_key(|(_, _, n)| *n)?;
    // Too few Cyrillic letters to tell: not a Cyrillic text in a legacy encoding.
    (best >= 8).then_some((label, shown))
}

/// Largest statement accepted, in bytes. 4 MB of Cyrillic is about two
/// million characters, some 1,500 A5 pages: far beyond any statement, while
/// a 50 MB export error is refused at once instead of typeset for minutes.
pub const MAX_SOURCE_BYTES: u64 = 4 * 1024 * 1024;

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "it does not exist".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => "the disk is full".into(),
        ErrorKind::FileTooLarge => "the file is larger than the file system allows".into(),
        ErrorKind::NotADirectory => "a part of the path is a file, not a folder".into(),
        _ => e.to_string(),
    }
}

/// Marks the images of `blocks` that were not loaded (only those allowed to be
/// missing are not: any other problem stopped the build).
fn mark_missing(blocks: &mut [crate::model::Block], images: &crate::model::Images) {
    for b in blocks {
        match &mut b.kind {
            BlockKind::Image(img) => img.missing = !images.contains_key(&img.path),
            BlockKind::List { items, .. } => items.iter_mut().for_each(|item| mark_missing(item, images)),
            BlockKind::Quote(inner) => mark_missing(inner, images),
            _ => {}
        }
    }
}

/// What a PDF output's `standard` rules out in the sources, found here so that
/// `check` reports what `build` would refuse, at the Markdown line of each
/// image: a CMYK JPEG cannot go into PDF/A (its output intent is sRGB) unless
/// the output is set in gray.
fn check_standards(
    settings: &Settings,
    documents: &[Document],
    sources: &[String],
    images: &crate::model::Images,
    diags: &mut Diagnostics,
) {
    use crate::manifest::{ColorMode, OutputKind};
    let pdf_a: Vec<&str> = settings
        .outputs
        .iter()
        .filter_map(|o| match &o.kind {
            OutputKind::Pdf(p) if p.standard.is_some() && p.color == ColorMode::Color && !p.pdfx => {
                Some(o.name.as_str())
            }
            _ => None,
        })
        .collect();
    // PDF/UA-1 wants every picture described, or marked as an ornament.
    let ua: Vec<&str> = settings
        .outputs
        .iter()
        .filter_map(|o| match &o.kind {
            OutputKind::Pdf(p) if p.ua => Some(o.name.as_str()),
            _ => None,
        })
        .collect();
    if !ua.is_empty() {
        for (doc, src) in documents.iter().zip(sources) {
            for img in doc.images().into_iter().filter(|i| !i.decorative && i.alt.trim().is_empty()) {
                diags.push(
                    Diagnostic::error(
                        Some(Location::at(&doc.path, src, img.src_at)),
                        format!(
                            "image `{}` has no description, which the PDF/UA output `{}` requires",
                            img.src,
                            ua.join("`, `")
                        ),
                    )
                    .with_hint("describe it, `![A crowd at the gate](img/photo.jpg)`, or mark an ornament `{.decorative}`"),
                );
            }
        }
    }
    if pdf_a.is_empty() {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for (doc, src) in documents.iter().zip(sources) {
        for img in doc.images() {
            let cmyk = images.get(&img.path).is_some_and(crate::images::is_cmyk);
            if cmyk && seen.insert(&img.path) {
                diags.push(
                    Diagnostic::error(
                        Some(Location::at(&doc.path, src, img.src_at)),
                        format!(
                            "image `{}` is CMYK, which cannot go into the PDF/A output `{}`",
                            img.src,
                            pdf_a.join("`, `")
                        ),
                    )
                    .with_hint("convert it to RGB (e.g. `convert in.jpg -colorspace sRGB out.jpg`), or set color = \"gray\" for that output"),
                );
            }
        }
    }
}
