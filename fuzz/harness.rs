//! The bodies of the fuzz targets, shared by `cargo fuzz` (`fuzz_targets/`)
//! and by the stable smoke test `tests/fuzz_smoke.rs`, which feeds them
//! generated inputs wherever no nightly toolchain is at hand.
//!
//! The pipeline mirrors the driver (`samizdat::driver`) without the file
//! system: parse, normalise, lay out, write the PDF, package the EPUB. Every
//! image reference gets the same small PNG, as if the file existed.

#![allow(dead_code, reason = "each user of the harness calls a different part")]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use samizdat::fonts::FontSet;
use samizdat::{epub, images, layout, manifest, markdown, model, pdf, typography};

/// Longest input the pipeline target takes: a few pages of text exercise every
/// path, and longer inputs only slow the fuzzer down.
pub const MAX_INPUT: usize = 16 * 1024;

/// The picture every image reference resolves to (a 40 × 20 PNG).
const PICTURE: &[u8] = include_bytes!("../tests/fixtures/robust/path-image-parent/outside/pic.png");

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(FontSet::embedded)
}

/// What one run of the pipeline produced.
pub struct Outputs {
    /// The book as laid out.
    pub book: model::Book,
    /// The layout the PDF was drawn from.
    pub layout: layout::Layout,
    /// The layout options used.
    pub options: layout::LayoutOptions,
    /// PDF bytes.
    pub pdf: Vec<u8>,
    /// EPUB bytes.
    pub epub: Vec<u8>,
}

/// Runs the whole pipeline on `data` if it is UTF-8 and not too long. Returns
/// `None` where the driver would stop with an error (such as the nesting limit).
pub fn pipeline(data: &[u8]) -> Option<Outputs> {
    if data.len() > MAX_INPUT {
        return None;
    }
    render(std::str::from_utf8(data).ok()?)
}

/// [`pipeline`] on text. Panics if a writer refuses what the earlier stages accepted.
pub fn render(text: &str) -> Option<Outputs> {
    let base = Path::new("/fuzz");
    let info = markdown::SourceInfo::new(Path::new("fuzz.md"), base);
    // As the driver reads a statement: in composed form.
    let text = &markdown::composed(text.to_owned());
    let (mut doc, diags) = markdown::parse(text, &info);
    if diags.has_errors() {
        return None;
    }
    typography::normalize(&mut doc);
    let mut pictures = model::Images::new();
    for img in doc.images() {
        let asset = images::probe(PICTURE.to_vec()).expect("the fuzz picture is a valid PNG");
        pictures.insert(img.path.clone(), asset);
    }
    let settings = manifest::single_file(&base.join("fuzz.md"));
    let mut meta = settings.meta.clone();
    meta.title = doc.title.clone();
    meta.lang = doc.lang;
    let book = model::Book { meta, documents: vec![doc], ..Default::default() };

    let options = layout::LayoutOptions::new(manifest::default_pdf());
    let (layout, _warnings) = layout::typeset(&book, &pictures, fonts(), &options);
    let popts = pdf::PdfOptions {
        title: book.meta.title.clone(),
        lang: book.meta.lang.tag().to_string(),
        ..Default::default()
    };
    let pdf = match pdf::write(&layout, fonts(), &pictures, &popts) {
        Ok(file) => file.into_bytes(),
        Err(e) => panic!("the PDF writer refused a layout: {e}"),
    };
    let eopts = epub::EpubOptions { modified: "2026-01-01T00:00:00Z".to_string(), ..Default::default() };
    let epub = match epub::package(&book, &pictures, &eopts) {
        Ok(bytes) => bytes,
        Err(e) => panic!("the EPUB packager refused a book: {e}"),
    };
    Some(Outputs { book, layout, options, pdf, epub })
}

/// Parses every XML file of an EPUB (XHTML, OPF, NCX, container) and panics,
/// naming the file and the parser's message, if one is not well-formed.
pub fn check_epub_xml(epub: &[u8]) {
    for (name, text) in epub_xml_files(epub) {
        if let Err(e) = parse_xml(&text) {
            panic!("{name} is not well-formed XML: {e}\n{text}");
        }
    }
}

/// Checks that `text` is well-formed XML. The `<!DOCTYPE html>` of XHTML is allowed.
pub fn parse_xml(text: &str) -> Result<(), String> {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
    roxmltree::Document::parse_with_options(text, options).map(drop).map_err(|e| e.to_string())
}

/// The XML files of an EPUB with their text.
pub fn epub_xml_files(epub: &[u8]) -> Vec<(String, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("the EPUB is a zip archive");
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("zip entry");
        let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
        if [".xhtml", ".opf", ".ncx", ".xml"].iter().any(|ext| name.ends_with(ext)) {
            let mut text = String::new();
            f.read_to_string(&mut text).expect("XML files are UTF-8");
            files.push((name, text));
        }
    }
    files
}

/// An empty folder to resolve manifests against, made once per process.
fn empty_root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("samizdat-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("content")).expect("create the fuzz root");
        std::fs::write(dir.join("content/one.md"), "# Заявление\n\nТекст.\n").expect("write a statement");
        dir
    })
}

/// Parses and resolves `data` as a `book.toml`. Recursive and parent globs are
/// skipped: they would walk the whole disk, which is slow, not wrong.
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if text.contains("**") || text.contains("..") {
        return;
    }
    let root = empty_root();
    let _ = manifest::parse(text, &root.join("book.toml"), root);
}
