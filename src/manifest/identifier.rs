//! The identifier a book gets when its manifest names none: a name-based UUID
//! (RFC 9562 version 5, SHA-1) of the title and the authors, written as
//! `urn:uuid:…`. The same title and authors give the same identifier on every
//! machine and in every release, so an EPUB reader recognises a rebuilt book as
//! the same book.
//!
//! **Frozen format.** The UUID is `uuid_v5(NAMESPACE_URL, name)` where `name` is
//! the UTF-8 bytes of `samizdat-book`, then for the title and each author in
//! order a unit separator (U+001F) followed by the text, trimmed. Changing any of
//! this changes every derived identifier; the golden test below guards it.

/// The RFC 9562 namespace for URLs (`6ba7b811-9dad-11d1-80b4-00c04fd430c8`), used
/// only because a version-5 UUID needs some fixed namespace.
const NAMESPACE_URL: [u8; 16] =
    [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];

/// Separates the fields of the hashed name; a control character no title contains.
const SEPARATOR: char = '\u{1F}';

/// The identifier derived from a title and authors: `urn:uuid:` and a version-5 UUID.
pub fn derive_identifier(title: &str, authors: &[String]) -> String {
    let mut name = String::from("samizdat-book");
    for field in std::iter::once(title).chain(authors.iter().map(String::as_str)) {
        name.push(SEPARATOR);
        name.push_str(field.trim());
    }
    format!("urn:uuid:{}", format_uuid(uuid_v5(NAMESPACE_URL, name.as_bytes())))
}

/// A version-5 UUID: SHA-1 of namespace and name, truncated to 128 bits, with the
/// version (5) and variant (RFC, `10xx`) bits set as RFC 9562 §5.5 requires.
fn uuid_v5(namespace: [u8; 16], name: &[u8]) -> [u8; 16] {
    let mut input = namespace.to_vec();
    input.extend_from_slice(name);
    let hash = sha1(&input);
    let mut uuid = [0u8; 16];
    uuid.copy_from_slice(&hash[..16]);
    uuid[6] = (uuid[6] & 0x0f) | 0x50;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    uuid
}

/// The usual 8-4-4-4-12 lowercase hex form.
fn format_uuid(b: [u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{byte:02x}"));
    }
    s
}

/// SHA-1 (FIPS 180-4 §6.1). Used only to derive identifiers, where RFC 9562 asks
/// for it; not for anything that needs collision resistance.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut message = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, &wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..20 => ((b & c) | (!b & d), 0x5A82_7999),
                20..40 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..60 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    // SHA-1 matches the FIPS 180 test vectors, including a two-block message.
    #[test]
    fn sha1_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(&sha1(&[b'a'; 1000])), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    }

    // Version-5 UUIDs match the well-known `python.org` example in the DNS namespace.
    #[test]
    fn uuid_v5_vector() {
        let dns =
            [0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
        assert_eq!(format_uuid(uuid_v5(dns, b"python.org")), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
    }

    // The derived identifier is frozen: this value (cross-checked with Python's `uuid.uuid5`) must never change.
    #[test]
    fn golden_identifier() {
        let id = derive_identifier("Заявление", &["Инициативная группа".to_owned()]);
        assert_eq!(id, GOLDEN);
    }

    const GOLDEN: &str = "urn:uuid:f5b1d199-3a9f-5e03-9d9e-cb143d183a77";
}
