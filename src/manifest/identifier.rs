//! The identifier a book gets when its manifest names none: a name-based UUID
//! (RFC 9562 version 5, SHA-1) of the title and the authors, written as
//! `urn:uuid:…`. The same title and authors give the same identifier on every
//! machine and in every release, so an EPUB reader recognises a rebuilt book as
//! the same book. The UUID itself is the `uuid` crate's.
//!
//! **Frozen format.** The UUID is `uuid_v5(NAMESPACE_URL, name)` where `name` is
//! the UTF-8 bytes of `samizdat-book`, then for the title and each author in
//! order a unit separator (U+001F) followed by the text, trimmed. Changing any of
//! this changes every derived identifier; the golden test below guards it.

use uuid::Uuid;

/// Separates the fields of the hashed name; a control character no title contains.
const SEPARATOR: char = '\u{1F}';

/// The identifier derived from a title and authors: `urn:uuid:` and a version-5 UUID.
pub fn derive_identifier(title: &str, authors: &[String]) -> String {
    let mut name = String::from("samizdat-book");
    for field in std::iter::once(title).chain(authors.iter().map(String::as_str)) {
        name.push(SEPARATOR);
        name.push_str(field.trim());
    }
    // The URL namespace only because a version-5 UUID needs some fixed namespace.
    Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes()).urn().to_string()
}

/// The check digit of an EAN-13 (an ISBN-13) from its first twelve digits:
/// weights 1 and 3 alternating, the sum made up to a multiple of ten.
pub fn ean_check_digit(twelve: &[u32]) -> u32 {
    let sum: u32 = twelve.iter().enumerate().map(|(i, v)| v * if i % 2 == 0 { 1 } else { 3 }).sum();
    (10 - sum % 10) % 10
}

/// What is wrong with an `urn:isbn:` identifier (ISO 2108): its length, its
/// characters or its check digit, with the digit it should have; `None` for a
/// valid ISBN-10 or ISBN-13, and for an identifier that is not an ISBN.
/// Hyphens and spaces between the digits are allowed, as ISBNs are printed.
pub fn isbn_problem(identifier: &str) -> Option<String> {
    let isbn = strip_isbn(identifier)?;
    let digits: Vec<char> = isbn.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let value = |c: char| c.to_digit(10);
    match digits.len() {
        13 => {
            let Some(d) = digits.iter().map(|&c| value(c)).collect::<Option<Vec<u32>>>() else {
                return Some(format!("ISBN `{isbn}` has characters other than digits"));
            };
            let check = ean_check_digit(&d[..12]);
            (check != d[12]).then(|| format!("ISBN `{isbn}` has the check digit {}, not {check}", d[12]))
        }
        10 => {
            let head: Option<Vec<u32>> = digits[..9].iter().map(|&c| value(c)).collect();
            let last = match digits[9] {
                'X' | 'x' => Some(10),
                c => value(c),
            };
            let (Some(head), Some(last)) = (head, last) else {
                return Some(format!("ISBN `{isbn}` has characters other than digits (and a final X)"));
            };
            let sum: u32 = head.iter().enumerate().map(|(i, v)| v * (10 - i as u32)).sum();
            let check = (11 - sum % 11) % 11;
            let shown = |v: u32| if v == 10 { "X".to_owned() } else { v.to_string() };
            (check != last)
                .then(|| format!("ISBN `{isbn}` has the check digit {}, not {}", shown(last), shown(check)))
        }
        n => Some(format!("ISBN `{isbn}` has {n} digits; an ISBN has 13 (or 10)")),
    }
}

/// The ISBN of an `urn:isbn:` identifier as written, without the prefix.
fn strip_isbn(identifier: &str) -> Option<&str> {
    let id = identifier.trim();
    let prefix = "urn:isbn:";
    (id.len() > prefix.len() && id[..prefix.len()].eq_ignore_ascii_case(prefix)).then(|| &id[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Check digits by ISO 2108's weights: the standard's worked examples
    // (978-0-306-40615-7, 0-306-40615-2, 0-8044-2957-X) and a Russian and a
    // Kazakh prefix with their digits computed by hand.
    #[test]
    fn isbn_check_digits() {
        for good in [
            "urn:isbn:978-0-306-40615-7",
            "urn:isbn:978-5-17-118366-0",
            "urn:isbn:9785171183660",
            "URN:ISBN:978-601-7943-12-7",
            "urn:isbn:0-306-40615-2",
            "urn:isbn:0-8044-2957-X",
            "urn:uuid:f5b1d199-3a9f-5e03-9d9e-cb143d183a77",
        ] {
            assert_eq!(isbn_problem(good), None, "{good}");
        }
        assert_eq!(
            isbn_problem("urn:isbn:978-5-17-118366-2").as_deref(),
            Some("ISBN `978-5-17-118366-2` has the check digit 2, not 0")
        );
        assert_eq!(
            isbn_problem("urn:isbn:0-8044-2957-5").as_deref(),
            Some("ISBN `0-8044-2957-5` has the check digit 5, not X")
        );
        assert!(isbn_problem("urn:isbn:978-5-17").is_some_and(|p| p.contains("has 6 digits")));
        assert!(isbn_problem("urn:isbn:97851711836a1").is_some_and(|p| p.contains("other than digits")));
    }

    // The derived identifier is frozen: this value (cross-checked with Python's `uuid.uuid5`,
    // and the one the hand-written SHA-1 this replaced gave) must never change.
    #[test]
    fn golden_identifier() {
        let id = derive_identifier("Заявление", &["Инициативная группа".to_owned()]);
        assert_eq!(id, GOLDEN);
        // No authors, and a title with spaces to trim (Python: uuid5(NAMESPACE_URL, "samizdat-book\x1fЗаявление")).
        assert_eq!(derive_identifier(" Заявление ", &[]), "urn:uuid:ae478290-b41b-51a7-8d24-21a63f1b55b9");
    }

    const GOLDEN: &str = "urn:uuid:f5b1d199-3a9f-5e03-9d9e-cb143d183a77";
}
