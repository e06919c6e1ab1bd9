//! The OCF container: a plain zip archive, written here rather than through a
//! general zip library, because an EPUB needs little of the format and much of
//! its speed.
//!
//! Every member gets the same timestamp (the zip epoch, 1980-01-01 00:00),
//! Unix permissions 0644 and no extra fields, so the bytes depend on the
//! content alone. Members are deflated with libdeflate on the thread pool, one
//! compressor per thread, and the archive is returned as its pieces in order
//! ([`Archive`]), so stored images are never copied; archives that would need
//! zip64 (over 65,535 members or 4 GiB) are refused rather than written wrong.

use std::borrow::Cow;

use libdeflater::{CompressionLvl, Compressor};
use rayon::prelude::*;

use super::EpubError;

/// A file to put in the container.
pub(super) struct Entry<'a> {
    pub(super) name: String,
    pub(super) data: Cow<'a, [u8]>,
    pub(super) pack: Pack<'a>,
}

/// How a member is to be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pack<'a> {
    /// As it is (the `mimetype` file; images not worth compressing).
    Store,
    /// Deflated (text), unless that would make it larger.
    Deflate,
    /// Deflated when [`worth_deflating`] says a sample shrinks enough; else stored.
    /// For images, which are compressed already.
    DeflateIfWorth,
    /// Already packed (its CRC taken, deflated or not) by [`pack`].
    Packed(&'a Packed),
}

/// An image member packed ahead of the archive, so that a volume's images are
/// deflated while its pages are laid out: what [`Pack::DeflateIfWorth`] would
/// make of the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Packed {
    crc: u32,
    /// The deflated bytes; `None` when the image is to be stored.
    deflated: Option<Vec<u8>>,
}

/// Packs an image as [`Pack::DeflateIfWorth`] does.
pub(super) fn pack(data: &[u8], compress_images: bool) -> Packed {
    let deflated = (compress_images && worth_deflating(data)).then(|| deflate(data, IMAGE_LEVEL)).flatten();
    Packed { crc: libdeflater::crc32(data), deflated }
}

/// Deflate level for text members. On the XHTML of a 200-statement volume
/// (5.1 MB) libdeflate's level 6 packs it to 17.69 %, level 7 to 17.53 % and level
/// 9 to 17.49 % (zlib-rs at zlib's default level 6 to 2 % more than level 9), in
/// 13, 17 and 21 ns a byte: level 6 costs the volume's EPUB 7.7 KB (0.03 %) and saves
/// a fifth of its text deflate; levels 10–12 gain 4 % more at 20 times the cost.
const TEXT_LEVEL: i32 = 6;

/// Deflate level for images worth deflating. On the synthetic JPEGs of
/// make-corpus (200 images, 34.8 MB) level 4 gives 0.4 % more than zlib-rs at
/// level 6 in 11 instead of 18–20 ns a byte; level 1 is faster still (8 ns) but
/// another 0.5 % larger, which puts an EPUB of them above Pandoc's (deflate at level 9).
const IMAGE_LEVEL: i32 = 4;

/// One member as it goes into the archive.
struct Member<'a> {
    name: String,
    deflated: bool,
    crc: u32,
    size: usize,
    bytes: Cow<'a, [u8]>,
}

/// Runs `f` with this thread's compressor at `level` (1–12), made on first use.
/// Kept per thread rather than per task: a compressor is a few hundred KB of
/// tables, and rayon's per-task state made one for every member of a volume.
fn with_compressor<R>(level: i32, f: impl FnOnce(&mut Compressor) -> R) -> R {
    thread_local! {
        static COMPRESSORS: std::cell::RefCell<Vec<(i32, Compressor)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    COMPRESSORS.with_borrow_mut(|all| {
        let i = match all.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                let lvl = CompressionLvl::new(level).expect("libdeflate levels are 1 to 12");
                all.push((level, Compressor::new(lvl)));
                all.len() - 1
            }
        };
        f(&mut all[i].1)
    })
}

/// Whether deflating an already compressed image pays: a 16 KB sample from its
/// middle, deflated at level 1, must shrink by a tenth. Photographs do not
/// (deflate saves 1–3 % of a camera JPEG, for the time of compressing every
/// byte); scans, drawings and synthetic images with flat areas often save a third.
/// Level 1 judges the sample in 110 instead of 190 µs (a deflate call's cost is
/// mostly its fixed start on so short an input), which was a tenth of a volume's
/// image deflate; on the corpus JPEGs it shrinks a sample by 15.4 % against 15.5 %.
pub(super) fn worth_deflating(data: &[u8]) -> bool {
    const SAMPLE: usize = 16 * 1024;
    if data.len() < 2 * SAMPLE {
        return false;
    }
    let at = (data.len() - SAMPLE) / 2;
    let sample = &data[at..at + SAMPLE];
    let mut out = [0; SAMPLE];
    match with_compressor(1, |c| c.deflate_compress(sample, &mut out)) {
        // The output buffer is as large as the sample: "does not fit" means "does not shrink".
        Ok(n) => n * 10 < SAMPLE * 9,
        Err(_) => false,
    }
}

/// Deflates `data` at `level`; `None` when the result is no smaller.
fn deflate(data: &[u8], level: i32) -> Option<Vec<u8>> {
    // Into a buffer one byte short of the input, reused by the thread: libdeflate reports
    // "insufficient space" exactly when deflating does not pay, so no bound-sized buffer is
    // needed; the result is copied out at its size (a volume's packed images are held
    // through the build, and a buffer sized for the input would hold half as much again).
    thread_local! {
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let room = data.len().checked_sub(1)?;
    SCRATCH.with_borrow_mut(|out| {
        if out.len() < room {
            out.resize(room, 0);
        }
        let n = with_compressor(level, |c| c.deflate_compress(data, &mut out[..room])).ok()?;
        Some(out[..n].to_vec())
    })
}

/// The archive of `entries`, in their order. `compress_images` off stores every
/// [`Pack::DeflateIfWorth`] entry.
pub(super) fn write(entries: Vec<Entry<'_>>, compress_images: bool) -> Result<Archive<'_>, EpubError> {
    if entries.len() > usize::from(u16::MAX) {
        return Err(too_large(format!("{} files", entries.len())));
    }
    let members: Vec<Member> = entries
        .into_par_iter()
        // One member per task: a volume's members are deflated while the PDF is
        // written on the other threads, and a thread freed from the PDF must find
        // members left to take, not one long run already claimed by another.
        .with_max_len(1)
        .map(|e| {
            if let Pack::Packed(p) = e.pack {
                return Member {
                    deflated: p.deflated.is_some(),
                    crc: p.crc,
                    size: e.data.len(),
                    bytes: p.deflated.as_deref().map_or(e.data, Cow::Borrowed),
                    name: e.name,
                };
            }
            let level = match e.pack {
                Pack::Packed(_) | Pack::Store => None,
                Pack::Deflate => Some(TEXT_LEVEL),
                Pack::DeflateIfWorth if compress_images && worth_deflating(&e.data) => Some(IMAGE_LEVEL),
                Pack::DeflateIfWorth => None,
            };
            let packed = level.and_then(|l| deflate(&e.data, l));
            Member {
                deflated: packed.is_some(),
                crc: libdeflater::crc32(&e.data),
                size: e.data.len(),
                bytes: packed.map_or(e.data, Cow::Owned),
                name: e.name,
            }
        })
        .collect();
    assemble(members)
}

/// A zip archive as the pieces it is made of, in order: headers, members'
/// bytes (stored ones borrowed from the caller's images, not copied), the
/// central directory. Written out piece by piece, or joined by [`Archive::into_bytes`].
#[derive(Debug)]
pub struct Archive<'a> {
    parts: Vec<Cow<'a, [u8]>>,
    len: usize,
    /// Reading-system limits the package exceeds ([`super::compat::limits`]).
    pub(super) warnings: Vec<String>,
}

impl<'a> Archive<'a> {
    /// The archive's size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the archive has no bytes (never: there is always a directory).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pieces, to be written one after the other.
    pub fn parts(&self) -> impl Iterator<Item = &[u8]> {
        self.parts.iter().map(|p| &p[..])
    }

    /// Reading-system limits the package exceeds, each a sentence with the fix.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The archive in one buffer.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for p in self.parts {
            out.extend_from_slice(&p);
        }
        out
    }
}

/// Puts a local header before each member and the central directory after them.
fn assemble(members: Vec<Member<'_>>) -> Result<Archive<'_>, EpubError> {
    const LOCAL: usize = 30;
    const CENTRAL: usize = 46;
    const END: usize = 22;
    let total =
        members.iter().map(|m| LOCAL + CENTRAL + 2 * m.name.len() + m.bytes.len()).sum::<usize>() + END;
    if u32::try_from(total).is_err() {
        return Err(too_large(format!("{total} bytes")));
    }
    if let Some(m) = members.iter().find(|m| m.name.len() > usize::from(u16::MAX)) {
        return Err(too_large(format!("a name of {} bytes", m.name.len())));
    }
    let count = members.len() as u16;
    let mut parts = Vec::with_capacity(2 * members.len() + 1);
    let mut directory =
        Vec::with_capacity(members.iter().map(|m| CENTRAL + m.name.len()).sum::<usize>() + END);
    let mut offset = 0u32;
    for m in members {
        let header = Header {
            deflated: m.deflated,
            utf8: !m.name.is_ascii(),
            crc: m.crc,
            // Both fit: the archive, which holds them, is under 4 GiB.
            packed: m.bytes.len() as u32,
            size: u32::try_from(m.size).map_err(|_| too_large(format!("`{}`", m.name)))?,
            name: &m.name,
        };
        let mut local = Vec::with_capacity(LOCAL + m.name.len());
        header.local(&mut local);
        header.central(&mut directory, offset);
        offset += (local.len() + m.bytes.len()) as u32;
        parts.push(Cow::Owned(local));
        parts.push(m.bytes);
    }
    let directory_len = directory.len() as u32;
    put32(&mut directory, 0x0605_4b50);
    put16(&mut directory, 0); // this disk
    put16(&mut directory, 0); // the disk where the directory starts
    put16(&mut directory, count);
    put16(&mut directory, count);
    put32(&mut directory, directory_len);
    put32(&mut directory, offset);
    put16(&mut directory, 0); // comment length
    parts.push(Cow::Owned(directory));
    debug_assert_eq!(parts.iter().map(|p| p.len()).sum::<usize>(), total);
    Ok(Archive { parts, len: total, warnings: Vec::new() })
}

/// The fields a member's local header and its directory record share.
struct Header<'a> {
    deflated: bool,
    utf8: bool,
    crc: u32,
    packed: u32,
    size: u32,
    name: &'a str,
}

impl Header<'_> {
    /// Zip 1.0 suffices to extract a stored member, 2.0 a deflated one.
    fn version_needed(&self) -> u16 {
        if self.deflated { 20 } else { 10 }
    }

    /// Version needed, flags, method, time, date, CRC, sizes, name length,
    /// extra-field length: the run both records have.
    fn common(&self, out: &mut Vec<u8>) {
        put16(out, self.version_needed());
        put16(out, if self.utf8 { 1 << 11 } else { 0 }); // bit 11: the name is UTF-8
        put16(out, if self.deflated { 8 } else { 0 });
        put16(out, 0); // 00:00:00
        put16(out, 1 << 5 | 1); // 1980-01-01
        put32(out, self.crc);
        put32(out, self.packed);
        put32(out, self.size);
        put16(out, self.name.len() as u16);
        put16(out, 0);
    }

    fn local(&self, out: &mut Vec<u8>) {
        put32(out, 0x0403_4b50);
        self.common(out);
        out.extend_from_slice(self.name.as_bytes());
    }

    fn central(&self, out: &mut Vec<u8>, offset: u32) {
        put32(out, 0x0201_4b50);
        put16(out, 3 << 8 | 20); // made by: Unix, zip 2.0 (so the permissions below are read)
        self.common(out);
        put16(out, 0); // comment length
        put16(out, 0); // disk number
        put16(out, 0); // internal attributes
        put32(out, 0o100_644 << 16); // a regular file, rw-r--r--
        put32(out, offset);
        out.extend_from_slice(self.name.as_bytes());
    }
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn too_large(what: String) -> EpubError {
    EpubError::Zip(format!("{what} is more than a zip archive without zip64 extensions holds"))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read as _};

    use super::*;

    fn entry(name: &str, data: Vec<u8>, pack: Pack<'static>) -> Entry<'static> {
        Entry { name: name.into(), data: Cow::Owned(data), pack }
    }

    /// Bytes that do not deflate (xorshift noise).
    fn noise(n: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    // What the writer lays down, an independent reader (the zip crate) reads back: names in
    // order (a Cyrillic one flagged UTF-8), contents, CRCs, methods, permissions, dates.
    #[test]
    fn zip_reader_reads_it_back() {
        let text = "<p>Текст, который повторяется. </p>".repeat(200).into_bytes();
        let flat: Vec<u8> = (0..100_000u32).map(|i| (i / 500 % 5) as u8).collect();
        let members = vec![
            entry("mimetype", b"application/epub+zip".to_vec(), Pack::Store),
            entry("EPUB/text/заявление.xhtml", text.clone(), Pack::Deflate),
            entry("EPUB/empty.css", Vec::new(), Pack::Deflate),
            entry("EPUB/images/1.jpg", flat.clone(), Pack::DeflateIfWorth),
            entry("EPUB/images/2.jpg", noise(100_000), Pack::DeflateIfWorth),
        ];
        let expected: Vec<(String, Vec<u8>)> =
            members.iter().map(|e| (e.name.clone(), e.data.to_vec())).collect();
        let bytes = write(members, true).expect("writes").into_bytes();
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a valid zip");
        assert_eq!(zip.len(), expected.len());
        let methods = [
            zip::CompressionMethod::Stored,
            zip::CompressionMethod::Deflated,
            zip::CompressionMethod::Stored, // nothing to deflate
            zip::CompressionMethod::Deflated,
            zip::CompressionMethod::Stored, // noise does not shrink
        ];
        for (i, ((name, data), method)) in expected.iter().zip(methods).enumerate() {
            let mut f = zip.by_index(i).expect("entry");
            assert_eq!(f.name().expect("a UTF-8 name"), name.as_str());
            assert_eq!(f.compression(), method, "{name}");
            assert_eq!(f.unix_mode().map(|m| m & 0o777), Some(0o644), "{name}");
            assert_eq!(f.last_modified(), Some(zip::DateTime::default()), "{name}");
            let mut got = Vec::new();
            f.read_to_end(&mut got).expect("reads, CRC checked");
            assert_eq!(&got, data, "{name}");
        }
        // The mimetype file comes first, stored, its content at byte 38 (EPUB 3.3 §4.2.2).
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");
    }

    // Turning image compression off stores every image, however well it would deflate.
    #[test]
    fn images_stored_when_compression_is_off() {
        let flat: Vec<u8> = (0..100_000u32).map(|i| (i / 500 % 5) as u8).collect();
        let bytes = write(vec![entry("a.jpg", flat.clone(), Pack::DeflateIfWorth)], false)
            .expect("writes")
            .into_bytes();
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).expect("a valid zip");
        let f = zip.by_index(0).expect("entry");
        assert_eq!(f.compression(), zip::CompressionMethod::Stored);
        assert_eq!(f.compressed_size(), flat.len() as u64);
    }

    // An image is deflated only when a sample shows it pays: data with long repeats (flat
    // areas) is, noise-like data (as a photograph's entropy-coded bytes) and small files are not.
    #[test]
    fn worth_deflating_judges_by_a_sample() {
        let flat: Vec<u8> = (0..200_000u32).map(|i| (i / 700 % 7) as u8).collect();
        assert!(worth_deflating(&flat));
        assert!(!worth_deflating(&noise(200_000)));
        assert!(!worth_deflating(&flat[..20_000]));
    }

    // More members than a zip without zip64 can count is an error, not a wrapped count.
    #[test]
    fn too_many_members_is_an_error() {
        let members: Vec<Entry> =
            (0..=u16::MAX as usize).map(|i| entry(&i.to_string(), Vec::new(), Pack::Store)).collect();
        let err = write(members, true).expect_err("65,536 members");
        assert!(err.to_string().contains("65536 files"), "{err}");
    }

    // Same entries, same bytes, whatever the thread pool does.
    #[test]
    fn deterministic() {
        let make = || {
            (0..40)
                .map(|i| entry(&format!("f{i}"), format!("{i} ").repeat(5_000).into_bytes(), Pack::Deflate))
                .collect::<Vec<_>>()
        };
        assert_eq!(write(make(), true).unwrap().into_bytes(), write(make(), true).unwrap().into_bytes());
    }
}
