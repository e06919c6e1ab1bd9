//! Document metadata and what a PDF/A-2b file adds (ISO 19005-2): the Info
//! dictionary and an XMP packet that says the same (and, for PDF/A, identifies
//! the part and level), the file identifier, and an output intent whose ICC
//! profile says what the device colours (DeviceGray text, DeviceRGB images)
//! mean. The profile is sRGB (IEC 61966-2-1), written here as a small ICC v2
//! display profile.

use pdf_writer::types::TrappingStatus;
use pdf_writer::{Date, Name, Pdf, Ref, TextStr};

use super::PdfOptions;

/// The creating application, in the Info dictionary and in XMP.
pub(super) const CREATOR: &str = "samizdat";

/// The PDF/X version claimed, in the Info dictionary and in XMP.
const PDFX_VERSION: &str = "PDF/X-4";

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// FNV-1a, 64 bits, run twice with different offsets for a 16-byte identifier.
pub(super) struct Fnv([u64; 2]);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv([0xcbf2_9ce4_8422_2325, 0x8422_2325_cbf2_9ce4])
    }
}

impl Fnv {
    pub fn feed(&mut self, bytes: &[u8]) {
        for h in &mut self.0 {
            for &b in bytes {
                *h ^= u64::from(b);
                *h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }

    pub fn digest(&self) -> Vec<u8> {
        self.0.iter().flat_map(|h| h.to_be_bytes()).collect()
    }
}

/// Writes the Info dictionary: title, authors, creator and producer, and the
/// date as both creation and modification date (the XMP packet says the same).
pub(super) fn write_info(pdf: &mut Pdf, r: Ref, opts: &PdfOptions) {
    let mut info = pdf.document_info(r);
    if !opts.title.is_empty() {
        info.title(TextStr(&opts.title));
    }
    if !opts.authors.is_empty() {
        info.author(TextStr(&author_line(opts)));
    }
    info.creator(TextStr(CREATOR)).producer(TextStr(CREATOR));
    if opts.print.pdfx {
        // ISO 15930-7, 6.7.2: the version, and whether the file is trapped, said outright.
        info.pair(Name(b"GTS_PDFXVersion"), TextStr(PDFX_VERSION));
        info.trapped(TrappingStatus::NotTrapped);
    }
    if let Some((y, mo, d, h, mi, s)) = opts.date {
        let date = Date::new(y)
            .month(mo)
            .day(d)
            .hour(h)
            .minute(mi)
            .second(s)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
        info.creation_date(date);
        info.modified_date(date);
    }
}

/// The authors as one string, as the Info dictionary's `/Author` holds them.
pub(super) fn author_line(opts: &PdfOptions) -> String {
    opts.authors.join(", ")
}

/// The XMP packet: Dublin Core title, creator and language, the dates and the
/// creator tool, and (for PDF/A) the `pdfaid` part and conformance, (for PDF/X)
/// `pdfxid`, trapping and the document's identity (`id`, the file identifier).
/// Every value matches the Info dictionary, as PDF/A and PDF/X require.
pub(super) fn xmp(opts: &PdfOptions, pdf_a: bool, id: &[u8]) -> Vec<u8> {
    let mut x = String::from(concat!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
        "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
        "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
        "<rdf:Description rdf:about=\"\"",
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
        " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"",
        " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"",
        " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"",
        " xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"",
        " xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"",
        " xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"",
        " xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"",
        " xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"",
        " xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n",
    ));
    x.push_str("<dc:format>application/pdf</dc:format>\n");
    if !opts.title.is_empty() {
        x.push_str(&format!(
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
            xml_escape(&opts.title)
        ));
    }
    if !opts.authors.is_empty() {
        x.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            xml_escape(&author_line(opts))
        ));
    }
    if !opts.lang.is_empty() {
        x.push_str(&format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
            xml_escape(&opts.lang)
        ));
    }
    x.push_str(&format!("<xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>\n"));
    x.push_str(&format!("<pdf:Producer>{CREATOR}</pdf:Producer>\n"));
    if let Some((y, mo, d, h, mi, s)) = opts.date {
        let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+00:00");
        x.push_str(&format!(
            "<xmp:CreateDate>{iso}</xmp:CreateDate>\n<xmp:ModifyDate>{iso}</xmp:ModifyDate>\n"
        ));
        if opts.print.pdfx {
            x.push_str(&format!("<xmp:MetadataDate>{iso}</xmp:MetadataDate>\n"));
        }
    }
    if pdf_a {
        let level = if opts.print.standard == Some(crate::manifest::Standard::PdfA2a) { "A" } else { "B" };
        x.push_str(&format!(
            "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>{level}</pdfaid:conformance>\n"
        ));
    }
    if opts.print.pdfx {
        // ISO 15930-7, 6.7.3: the version, trapping, and a document and version
        // identity (the file identifier as a UUID-shaped string).
        let hex: String = id.iter().take(16).map(|b| format!("{b:02x}")).collect();
        let uuid =
            format!("uuid:{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]);
        x.push_str(&format!("<pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>\n"));
        x.push_str("<pdf:Trapped>False</pdf:Trapped>\n");
        x.push_str(&format!("<xmpMM:DocumentID>{uuid}</xmpMM:DocumentID>\n"));
        x.push_str(
            "<xmpMM:VersionID>1</xmpMM:VersionID>\n<xmpMM:RenditionClass>default</xmpMM:RenditionClass>\n",
        );
    }
    if opts.print.ua {
        x.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    }
    // PDF/A admits only the schemas it predefines, or those the file describes.
    if pdf_a && (opts.print.ua || opts.print.pdfx) {
        x.push_str("<pdfaExtension:schemas><rdf:Bag>\n");
        if opts.print.ua {
            x.push_str(concat!(
                "<rdf:li rdf:parseType=\"Resource\">\n",
                "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n",
                "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n",
                "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n",
                "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n",
                "<pdfaProperty:name>part</pdfaProperty:name>\n",
                "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n",
                "<pdfaProperty:category>internal</pdfaProperty:category>\n",
                "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n",
                "</rdf:li></rdf:Seq></pdfaSchema:property>\n",
                "</rdf:li>\n",
            ));
        }
        if opts.print.pdfx {
            x.push_str(concat!(
                "<rdf:li rdf:parseType=\"Resource\">\n",
                "<pdfaSchema:schema>PDF/X ID Schema</pdfaSchema:schema>\n",
                "<pdfaSchema:namespaceURI>http://www.npes.org/pdfx/ns/id/</pdfaSchema:namespaceURI>\n",
                "<pdfaSchema:prefix>pdfxid</pdfaSchema:prefix>\n",
                "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n",
                "<pdfaProperty:name>GTS_PDFXVersion</pdfaProperty:name>\n",
                "<pdfaProperty:valueType>Text</pdfaProperty:valueType>\n",
                "<pdfaProperty:category>internal</pdfaProperty:category>\n",
                "<pdfaProperty:description>ID of PDF/X standard</pdfaProperty:description>\n",
                "</rdf:li></rdf:Seq></pdfaSchema:property>\n",
                "</rdf:li>\n",
            ));
        }
        x.push_str("</rdf:Bag></pdfaExtension:schemas>\n");
    }
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    x.into_bytes()
}

/// An sRGB ICC v2 display profile: D50-adapted sRGB primaries (the Bradford
/// matrix of the ICC's own sRGB profile), the D50 white point and the sRGB
/// tone curve sampled at 1,024 points, shared by the three channels.
pub(super) fn srgb_profile() -> Vec<u8> {
    fn s15(v: f64) -> [u8; 4] {
        ((v * 65536.0).round() as i32).to_be_bytes()
    }
    fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
        let mut t = b"XYZ \0\0\0\0".to_vec();
        for v in [x, y, z] {
            t.extend(s15(v));
        }
        t
    }
    fn text_desc(s: &str) -> Vec<u8> {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend((s.len() as u32 + 1).to_be_bytes());
        t.extend(s.as_bytes());
        t.push(0);
        t.extend([0u8; 8]); // Unicode language code and count: none.
        t.extend([0u8; 3]); // ScriptCode code and count: none.
        t.extend([0u8; 67]);
        t
    }
    let mut curve = b"curv\0\0\0\0".to_vec();
    const POINTS: u32 = 1024;
    curve.extend(POINTS.to_be_bytes());
    for i in 0..POINTS {
        let v = f64::from(i) / f64::from(POINTS - 1);
        let lin = if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
        curve.extend(((lin * 65535.0).round() as u16).to_be_bytes());
    }
    let mut copyright = b"text\0\0\0\0".to_vec();
    copyright.extend(b"No copyright, use freely\0");
    let tags: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"desc", text_desc("sRGB IEC61966-2.1")),
        (b"cprt", copyright),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
    ];
    // Header, tag count, tag table (the three TRC tags share one curve), data.
    let n_entries = tags.len() + 2;
    let mut offset = 128 + 4 + 12 * n_entries;
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut curve_at = (0, 0);
    for (sig, body) in &tags {
        table.extend(*sig);
        table.extend((offset as u32).to_be_bytes());
        table.extend((body.len() as u32).to_be_bytes());
        if *sig == b"rTRC" {
            curve_at = (offset, body.len());
        }
        data.extend(body);
        offset += body.len();
        while !offset.is_multiple_of(4) {
            data.push(0);
            offset += 1;
        }
    }
    for sig in [b"gTRC", b"bTRC"] {
        table.extend(sig);
        table.extend((curve_at.0 as u32).to_be_bytes());
        table.extend((curve_at.1 as u32).to_be_bytes());
    }
    let size = offset as u32;
    let mut p = Vec::with_capacity(offset);
    p.extend(size.to_be_bytes());
    p.extend([0u8; 4]); // preferred CMM: none
    p.extend([2, 0x10, 0, 0]); // version 2.1
    p.extend(b"mntrRGB XYZ ");
    p.extend([0x07, 0xD0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0]); // 2000-01-01 00:00:00
    p.extend(b"acsp");
    p.extend([0u8; 4]); // platform
    p.extend([0u8; 4]); // flags
    p.extend([0u8; 8]); // manufacturer, model
    p.extend([0u8; 8]); // attributes
    p.extend([0u8; 4]); // rendering intent: perceptual
    for v in [0.9642, 1.0, 0.8249] {
        p.extend(s15(v)); // PCS illuminant, D50
    }
    p.extend([0u8; 4]); // creator
    p.resize(128, 0);
    p.extend((n_entries as u32).to_be_bytes());
    p.extend(table);
    p.extend(data);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    // The profile's declared size, signature and tag table agree with its bytes.
    #[test]
    fn icc_profile_is_consistent() {
        let p = srgb_profile();
        assert_eq!(u32::from_be_bytes(p[0..4].try_into().unwrap()) as usize, p.len());
        assert_eq!(&p[36..40], b"acsp");
        let n = u32::from_be_bytes(p[128..132].try_into().unwrap()) as usize;
        assert_eq!(n, 9);
        for i in 0..n {
            let e = &p[132 + 12 * i..144 + 12 * i];
            let (off, len) = (
                u32::from_be_bytes(e[4..8].try_into().unwrap()),
                u32::from_be_bytes(e[8..12].try_into().unwrap()),
            );
            assert!(off as usize + len as usize <= p.len());
            assert_eq!(off % 4, 0);
        }
    }

    // XMP repeats title and authors, escaped, and identifies PDF/A-2b only when asked.
    #[test]
    fn xmp_packet() {
        let opts =
            PdfOptions { title: "A & B".into(), authors: vec!["X".into(), "Y".into()], ..Default::default() };
        let x = String::from_utf8(xmp(&opts, true, &[0; 16])).unwrap();
        assert!(x.contains(">A &amp; B<"));
        assert!(x.contains("<rdf:li>X, Y</rdf:li>"));
        assert!(x.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(!String::from_utf8(xmp(&opts, false, &[0; 16])).unwrap().contains("pdfaid:part>"));
    }
}
