//! EAN-13 barcodes (ISO/IEC 15420), the barcode of an ISBN on a book's back
//! cover: drawn as vector bars (filled rectangles, black in DeviceGray), so
//! they stay sharp at any resolution and print in one ink.
//!
//! A symbol is 95 modules: the start guard `101`, six digits of the left half
//! (seven modules each, in the odd or even set that the first digit, which has
//! no bars of its own, selects), the centre guard `01010`, six digits of the
//! right half, the end guard `101`; with a quiet zone of 11 modules before and
//! 7 after, which the caller leaves free.

use crate::layout::Rect;
use crate::manifest::ean_check_digit;
use crate::units::Pt;

/// Left-half digits of the odd set (A), as 7 modules, 1 = bar.
const SET_A: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111",
    "0001011",
];
/// Right-half digits (set C); the even left set (B) is each of these reversed.
const SET_C: [&str; 10] = [
    "1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100", "1001000",
    "1110100",
];
/// The sets of the left half's six digits for each first digit: A odd, B even.
const PARITY: [&str; 10] =
    ["AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAA", "ABABBA", "ABBABA"];

/// Modules a symbol takes, guards included, quiet zones not.
pub const MODULES: usize = 95;

/// The 13 digits an ISBN is printed as in EAN-13: an ISBN-13's own, or an
/// ISBN-10 under the Bookland prefix 978 with the check digit worked anew.
/// `None` unless it is 10 or 13 characters of digits (an ISBN-10's last may be X).
pub fn isbn13(isbn: &str) -> Option<String> {
    let chars: Vec<char> = isbn.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    match chars.len() {
        13 if chars.iter().all(char::is_ascii_digit) => Some(chars.into_iter().collect()),
        10 if chars[..9].iter().all(char::is_ascii_digit) => {
            let twelve: Vec<u32> =
                "978".chars().chain(chars[..9].iter().copied()).filter_map(|c| c.to_digit(10)).collect();
            let check = ean_check_digit(&twelve);
            Some(twelve.iter().chain([&check]).map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect())
        }
        _ => None,
    }
}

/// The 95 modules (true = bar) of the EAN-13 symbol of `digits` (13 digits,
/// hyphens and spaces ignored, the check digit verified).
pub fn ean13(digits: &str) -> Result<Vec<bool>, String> {
    let d: Vec<u32> = digits
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("`{digits}` is not all digits"))?;
    if d.len() != 13 {
        return Err(format!("`{digits}` has {} digits; an EAN-13 has 13", d.len()));
    }
    let check = ean_check_digit(&d[..12]);
    if check != d[12] {
        return Err(format!("`{digits}` has the check digit {}, not {check}", d[12]));
    }
    let mut bits = String::with_capacity(MODULES);
    bits.push_str("101");
    for (k, set) in PARITY[d[0] as usize].chars().enumerate() {
        let code = SET_C[d[1 + k] as usize];
        match set {
            'A' => bits.push_str(SET_A[d[1 + k] as usize]),
            _ => bits.extend(code.chars().rev()),
        }
    }
    bits.push_str("01010");
    for &v in &d[7..] {
        bits.push_str(SET_C[v as usize]);
    }
    bits.push_str("101");
    Ok(bits.chars().map(|c| c == '1').collect())
}

/// Whether module `i` of a 95-module symbol belongs to a guard (start, centre,
/// end), whose bars run down between the human-readable digits.
pub fn is_guard(i: usize) -> bool {
    i < 3 || (45..50).contains(&i) || i >= 92
}

/// The bars of `modules` as rectangles from (`x`, `y`), each module `module`
/// wide and every bar `height` tall: adjacent bar modules make one rectangle.
pub fn bars(modules: &[bool], x: Pt, y: Pt, module: Pt, height: Pt) -> Vec<Rect> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if !modules[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < modules.len() && modules[i] {
            i += 1;
        }
        out.push(Rect { x: x + module * start as f64, y, width: module * (i - start) as f64, height });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // An ISBN-10 takes the 978 prefix and a new check digit (0-306-40615-2 is
    // 978-0-306-40615-7); an ISBN-13 is its own digits.
    #[test]
    fn isbn_as_ean() {
        assert_eq!(isbn13("0-306-40615-2").as_deref(), Some("9780306406157"));
        assert_eq!(isbn13("978-5-699-12014-7").as_deref(), Some("9785699120147"));
        assert_eq!(isbn13("12345"), None);
    }

    // The standard's layout: 95 modules, guards in place, and the modules of
    // 9780306406157 as the EAN-13 tables give them.
    #[test]
    fn modules_of_an_isbn() {
        let m = ean13("978-0-306-40615-7").expect("a valid EAN-13");
        assert_eq!(m.len(), MODULES);
        let s: String = m.iter().map(|&b| if b { '1' } else { '0' }).collect();
        assert_eq!(&s[..3], "101");
        assert_eq!(&s[45..50], "01010");
        assert_eq!(&s[92..], "101");
        // First digit 9: sets A B B A B A for 7 8 0 3 0 6.
        assert_eq!(&s[3..10], SET_A[7]);
        assert_eq!(&s[10..17], SET_C[8].chars().rev().collect::<String>());
        assert_eq!(&s[50..57], SET_C[4]);
        assert!(ean13("978-0-306-40615-3").is_err_and(|e| e.contains("check digit 3, not 7")));
        assert!(ean13("97803064061").is_err());
        // 30 bars (each digit two, the guards 2 + 2 + 2).
        assert_eq!(bars(&m, Pt::ZERO, Pt::ZERO, Pt::new(1.0), Pt::new(50.0)).len(), 30);
    }
}
