//! The package document `content.opf` (EPUB 3.3 §5): metadata, manifest and
//! spine; and `META-INF/container.xml`, which points at it.

use super::plan::Plan;
use super::xhtml::Xml;
use crate::model::Lang;

/// Path of the package document inside the container.
pub(crate) const OPF_PATH: &str = "EPUB/content.opf";

/// `META-INF/container.xml` (EPUB 3.3 §4.2.6.3.1).
pub(crate) fn container() -> String {
    let mut x = Xml::new();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw("<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n");
    x.raw("<rootfiles>\n<rootfile").attr("full-path", OPF_PATH);
    x.raw(" media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n");
    x.finish()
}

/// A content document listed in the manifest and the spine.
pub(crate) struct SpineItem {
    /// Manifest id.
    pub id: String,
    /// Path relative to `EPUB/`.
    pub href: String,
    /// Manifest `properties`, empty for none.
    pub properties: &'static str,
}

/// A file listed in the manifest but not in the spine (a font, its licence).
pub(crate) struct Item<'a> {
    /// Manifest id.
    pub id: &'a str,
    /// Path relative to `EPUB/`.
    pub href: &'a str,
    /// Media type.
    pub media_type: &'a str,
}

/// `content.opf`. `spine` lists the XHTML documents in reading order; `others`
/// are the other files besides the images.
pub(crate) fn opf(plan: &Plan, modified: &str, spine: &[SpineItem], others: &[Item]) -> String {
    let meta = &plan.book.meta;
    let mut x = Xml::new();
    x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.raw("<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"uid\"");
    x.attr("xml:lang", meta.lang.tag()).raw(">\n");
    x.raw("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    x.raw("<dc:identifier id=\"uid\">").text(plan.identifier).raw("</dc:identifier>\n");
    x.raw("<dc:title id=\"title\">").text(plan.title).raw("</dc:title>\n");
    x.raw("<meta refines=\"#title\" property=\"title-type\">main</meta>\n");
    if let Some(sub) = meta.subtitle.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        x.raw("<dc:title id=\"subtitle\">").text(sub).raw("</dc:title>\n");
        x.raw("<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n");
    }
    let authors = meta.authors.iter().map(|a| a.trim()).filter(|a| !a.is_empty());
    for (i, author) in authors.enumerate() {
        let id = format!("creator{}", i + 1);
        x.raw("<dc:creator").attr("id", &id).raw(">").text(author).raw("</dc:creator>\n");
        x.raw("<meta").attr("refines", &format!("#{id}"));
        x.raw(" property=\"role\" scheme=\"marc:relators\">aut</meta>\n");
        x.raw("<meta").attr("refines", &format!("#{id}")).raw(" property=\"display-seq\">");
        x.num(i + 1).raw("</meta>\n");
    }
    // The book's language first; then other languages its statements are in.
    let mut langs = vec![meta.lang];
    for dp in &plan.docs {
        if !langs.contains(&dp.doc.lang) {
            langs.push(dp.doc.lang);
        }
    }
    for lang in langs {
        x.raw("<dc:language>").text(lang.tag()).raw("</dc:language>\n");
    }
    if let Some(date) = meta.date {
        x.raw("<dc:date>").text(&date.iso()).raw("</dc:date>\n");
    }
    if let Some(publisher) = meta.publisher.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        x.raw("<dc:publisher>").text(publisher).raw("</dc:publisher>\n");
    }
    if let Some(rights) = &meta.rights {
        x.raw("<dc:rights>").text(rights).raw("</dc:rights>\n");
    }
    x.raw("<meta property=\"dcterms:modified\">").text(modified).raw("</meta>\n");
    accessibility(&mut x, plan, meta.lang);
    if let Some(cover) = plan.cover.and_then(|i| plan.images.get(i)) {
        // EPUB 2 readers find the cover only through this.
        x.raw("<meta name=\"cover\"").attr("content", &cover.id).raw("/>\n");
    }
    x.raw("</metadata>\n<manifest>\n");
    let item = |x: &mut Xml, id: &str, href: &str, media: &str, properties: &str| {
        x.raw("<item").attr("id", id).attr("href", href).attr("media-type", media);
        if !properties.is_empty() {
            x.attr("properties", properties);
        }
        x.raw("/>\n");
    };
    item(&mut x, "ncx", "toc.ncx", "application/x-dtbncx+xml", "");
    item(&mut x, "css", "css/style.css", "text/css", "");
    for s in spine {
        item(&mut x, &s.id, &s.href, "application/xhtml+xml", s.properties);
    }
    for (i, img) in plan.images.iter().enumerate() {
        let props = if plan.cover == Some(i) { "cover-image" } else { "" };
        item(&mut x, &img.id, &img.href, img.asset.format.media_type(), props);
    }
    for other in others {
        item(&mut x, other.id, other.href, other.media_type, "");
    }
    x.raw("</manifest>\n<spine toc=\"ncx\">\n");
    for s in spine {
        x.raw("<itemref").attr("idref", &s.id).raw("/>\n");
    }
    x.raw("</spine>\n</package>\n");
    x.finish()
}

/// Discovery metadata of EPUB Accessibility 1.1 §2 (schema.org properties).
fn accessibility(x: &mut Xml, plan: &Plan, lang: Lang) {
    let has_images = !plan.images.is_empty();
    let all_alt =
        plan.docs.iter().flat_map(|d| d.doc.images()).all(|img| img.decorative || !img.alt.trim().is_empty());
    let meta = |x: &mut Xml, property: &str, value: &str| {
        x.raw("<meta").attr("property", property).raw(">").text(value).raw("</meta>\n");
    };
    meta(x, "schema:accessMode", "textual");
    if has_images {
        meta(x, "schema:accessMode", "visual");
    }
    if !has_images || all_alt {
        meta(x, "schema:accessModeSufficient", "textual");
    }
    if has_images {
        meta(x, "schema:accessModeSufficient", "textual,visual");
    }
    meta(x, "schema:accessibilityFeature", "structuralNavigation");
    meta(x, "schema:accessibilityFeature", "tableOfContents");
    meta(x, "schema:accessibilityFeature", "readingOrder");
    if !plan.pages.is_empty() {
        meta(x, "schema:accessibilityFeature", "printPageNumbers");
        meta(x, "schema:accessibilityFeature", "pageNavigation");
        // The page list follows the print edition built with it: the book's
        // identifier and that edition's file (EPUB 3 meta property `pageBreakSource`,
        // unprefixed: it replaces `source-of`).
        let source = match plan.page_source {
            Some(file) => format!("{} ({file})", plan.identifier),
            None => plan.identifier.to_string(),
        };
        meta(x, "pageBreakSource", &source);
    }
    if has_images && all_alt {
        meta(x, "schema:accessibilityFeature", "alternativeText");
    }
    meta(x, "schema:accessibilityHazard", "none");
    let words = lang.words();
    let summary = match (has_images, all_alt) {
        (true, true) => format!("{} {}", words.summary, words.summary_images),
        (true, false) => format!("{} {}", words.summary, words.summary_no_alt),
        (false, _) => words.summary.to_string(),
    };
    meta(x, "schema:accessibilitySummary", &summary);
    // EPUB Accessibility 1.1 §4: the claim, only when it holds. What the writer
    // controls holds for every book (language, structure and reading order,
    // navigation, tables with headers, links that read as links, no colour or
    // sound); what the statements bring is their pictures' descriptions.
    if all_alt {
        meta(x, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA");
        meta(x, "a11y:certifiedBy", "samizdat (automated checks)");
    }
}

/// Whether `s` has the form `CCYY-MM-DDThh:mm:ssZ` that EPUB 3.3 §5.5.6
/// requires of `dcterms:modified`.
pub(crate) fn is_modified_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}
