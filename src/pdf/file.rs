//! A finished PDF as the pieces of its file: the objects `pdf-writer`
//! serialized, then the image streams that were kept out of its buffer, then
//! the cross-reference table and trailer. A volume's JPEGs are most of its
//! bytes (35 of 39 MB for 200 statements); copying them into one buffer only to
//! write it out cost a fresh 35 MB of memory and a copy on the last, serial
//! step of a build. Here they stay where the images are held and are written
//! from there.
//!
//! `pdf-writer` numbers the objects and writes the cross-reference table from
//! the offsets in its own buffer; an object it never saw is a free entry in
//! that table. [`splice`] appends the kept-out objects after the body and
//! turns their entries into in-use ones at their offsets, leaving every other
//! byte as `pdf-writer` wrote it but the `startxref` offset.

use std::sync::Arc;

/// Bytes of a [`PdfFile`]: its own, or an image's, shared with the caller.
#[derive(Debug, Clone)]
enum Part {
    Owned(Vec<u8>),
    Shared(Arc<Vec<u8>>),
}

impl Part {
    fn bytes(&self) -> &[u8] {
        match self {
            Part::Owned(b) => b,
            Part::Shared(b) => b,
        }
    }
}

/// A PDF file as its pieces, in order. [`PdfFile::parts`] writes it out without
/// joining them; [`PdfFile::into_bytes`] joins them.
#[derive(Debug, Clone)]
pub struct PdfFile {
    parts: Vec<Part>,
}

impl PdfFile {
    /// The pieces of the file, in order.
    pub fn parts(&self) -> impl Iterator<Item = &[u8]> {
        self.parts.iter().map(Part::bytes)
    }

    /// Size of the file in bytes.
    pub fn len(&self) -> usize {
        self.parts().map(<[u8]>::len).sum()
    }

    /// Whether the file is empty (it never is).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole file in one buffer.
    pub fn into_bytes(self) -> Vec<u8> {
        let len = self.len();
        let mut parts = self.parts.into_iter();
        // The first piece, the body pdf-writer made, is grown rather than copied.
        let mut out = match parts.next() {
            Some(Part::Owned(b)) => b,
            Some(p) => p.bytes().to_vec(),
            None => return Vec::new(),
        };
        out.reserve(len - out.len());
        for p in parts {
            out.extend_from_slice(p.bytes());
        }
        out
    }
}

/// An indirect stream object kept out of the serializer's buffer.
pub(super) struct Kept {
    /// Object number.
    pub id: i32,
    /// The object up to and including the `stream` keyword and its end of line.
    pub head: Vec<u8>,
    /// The stream's data.
    pub data: Arc<Vec<u8>>,
}

/// After the data of a kept stream.
const STREAM_END: &[u8] = b"\nendstream\nendobj\n";

/// Writes a stream object the way `pdf-writer` does into `chunk`'s settings,
/// but without its data: `write` gets an empty slice to write the object with,
/// and the `Length` it writes (first, as 0) is set to `len`. `None` when the
/// bytes are not laid out as expected, so the caller writes the object in full.
pub(super) fn stream_head(
    id: i32,
    len: usize,
    write: impl FnOnce(&mut pdf_writer::Chunk, &'static [u8]),
) -> Option<Vec<u8>> {
    let mut chunk = pdf_writer::Chunk::with_settings(pdf_writer::Settings { pretty: false });
    write(&mut chunk, &[]);
    let bytes = chunk.as_bytes();
    let empty = format!("{id} 0 obj\n<</Length 0");
    let rest = bytes.strip_prefix(empty.as_bytes())?;
    let dict_end = rest.windows(8).position(|w| w == b"\nstream\n")? + 8;
    (rest[dict_end..] == *STREAM_END).then_some(())?;
    let mut head = format!("{id} 0 obj\n<</Length {len}").into_bytes();
    head.extend_from_slice(&rest[..dict_end]);
    Some(head)
}

/// Appends `kept` to the file `pdf-writer` finished as `bytes`, pointing the
/// cross-reference entries of their objects (free ones in `bytes`) at them.
/// `None` if `bytes` does not end in a cross-reference table and trailer as
/// `pdf-writer` writes them, or an object is not a free entry of it.
pub(super) fn splice(mut bytes: Vec<u8>, kept: Vec<Kept>) -> Option<PdfFile> {
    if kept.is_empty() {
        return Some(PdfFile { parts: vec![Part::Owned(bytes)] });
    }
    // The end: `startxref\n<offset>\n%%EOF`.
    let marker = b"startxref\n";
    let at = bytes.windows(marker.len()).rposition(|w| w == marker)?;
    let tail = std::str::from_utf8(&bytes[at + marker.len()..]).ok()?;
    let xref: usize = tail.strip_suffix("\n%%EOF")?.parse().ok()?;
    // The table: `xref\n0 <n>\n`, then n entries of 20 bytes, then the trailer.
    let table = bytes.get(xref..at)?;
    let rest = table.strip_prefix(b"xref\n0 ")?;
    let eol = rest.iter().position(|&b| b == b'\n')?;
    let n: usize = std::str::from_utf8(&rest[..eol]).ok()?.parse().ok()?;
    let prologue = 7 + eol + 1;
    let mut entries: Vec<[u8; 20]> = table
        .get(prologue..prologue + 20 * n)?
        .chunks_exact(20)
        .map(|e| e.try_into().expect("chunks of 20"))
        .collect();
    let trailer = table.get(prologue + 20 * n..)?.to_vec();

    let mut parts = Vec::with_capacity(kept.len() * 3 + 2);
    let mut offset = xref;
    for k in kept {
        let entry = entries.get_mut(usize::try_from(k.id).ok()?)?;
        if entry[17] != b'f' {
            return None;
        }
        entry.copy_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
        offset += k.head.len() + k.data.len() + STREAM_END.len();
        parts.push(Part::Owned(k.head));
        parts.push(Part::Shared(k.data));
        parts.push(Part::Owned(STREAM_END.to_vec()));
    }
    // The free entries left, chained from entry 0 as `pdf-writer` chains them.
    let free: Vec<usize> = (1..n).filter(|&i| entries[i][17] == b'f').collect();
    let mut next = free.iter().copied().chain(std::iter::once(0));
    let first = next.next().unwrap_or(0);
    entries[0].copy_from_slice(format!("{first:010} 65535 f\r\n").as_bytes());
    for &i in &free {
        let to = next.next().unwrap_or(0);
        entries[i].copy_from_slice(format!("{to:010} 00000 f\r\n").as_bytes());
    }

    let mut end = Vec::with_capacity(prologue + 20 * n + trailer.len() + 32);
    end.extend_from_slice(&bytes[xref..xref + prologue]);
    for e in &entries {
        end.extend_from_slice(e);
    }
    end.extend_from_slice(&trailer);
    end.extend_from_slice(format!("startxref\n{offset}\n%%EOF").as_bytes());
    bytes.truncate(xref);
    parts.insert(0, Part::Owned(bytes));
    parts.push(Part::Owned(end));
    Some(PdfFile { parts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pdf_writer::{Pdf, Ref};

    /// A file with objects 1 and 3 written by pdf-writer and 2 kept out.
    fn sample(kept_data: &[u8]) -> (Vec<u8>, Kept) {
        let mut pdf = Pdf::with_settings(pdf_writer::Settings { pretty: false });
        pdf.catalog(Ref::new(1)).pages(Ref::new(3));
        pdf.pages(Ref::new(3)).count(0).kids([]);
        let head = stream_head(2, kept_data.len(), |c, data| {
            c.stream(Ref::new(2), data).pair(pdf_writer::Name(b"N"), 3);
        })
        .expect("pdf-writer lays a stream out as expected");
        (pdf.finish(), Kept { id: 2, head, data: Arc::new(kept_data.to_vec()) })
    }

    #[test]
    fn spliced_file_equals_one_written_whole() {
        let data = b"\x00\x01binary\nstream\ndata";
        let (bytes, kept) = sample(data);
        let file = splice(bytes, vec![kept]).expect("splices");
        // The same objects written by pdf-writer in the same order, the stream last.
        let mut pdf = Pdf::with_settings(pdf_writer::Settings { pretty: false });
        pdf.catalog(Ref::new(1)).pages(Ref::new(3));
        pdf.pages(Ref::new(3)).count(0).kids([]);
        pdf.stream(Ref::new(2), data).pair(pdf_writer::Name(b"N"), 3);
        let whole = pdf.finish();
        let joined = file.clone().into_bytes();
        assert_eq!(file.len(), joined.len());
        assert_eq!(String::from_utf8_lossy(&joined), String::from_utf8_lossy(&whole));
    }

    #[test]
    fn an_object_already_written_is_not_spliced() {
        let (bytes, mut kept) = sample(b"abc");
        kept.id = 1;
        assert!(splice(bytes, vec![kept]).is_none());
    }

    #[test]
    fn free_entries_left_stay_chained() {
        let (bytes, kept) = sample(b"abc");
        // Object 5 is never written: after the splice it is the only free entry.
        let mut pdf = Pdf::with_settings(pdf_writer::Settings { pretty: false });
        pdf.catalog(Ref::new(1)).pages(Ref::new(3));
        pdf.pages(Ref::new(3)).count(0).kids([]);
        pdf.indirect(Ref::new(6)).primitive(1);
        let bytes6 = pdf.finish();
        drop(bytes);
        let file = splice(bytes6, vec![kept]).expect("splices").into_bytes();
        let text = String::from_utf8_lossy(&file);
        let table = &text[text.find("xref\n0 7\n").expect("table") + 9..];
        let entries: Vec<&str> = table.split("\r\n").take(7).collect();
        assert_eq!(entries[0], "0000000004 65535 f");
        assert_eq!(entries[4], "0000000005 00000 f");
        assert_eq!(entries[5], "0000000000 00000 f");
        assert!(entries[2].ends_with(" 00000 n"));
    }
}
