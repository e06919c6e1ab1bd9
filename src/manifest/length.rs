//! Lengths and page sizes as written in `book.toml`: `"3mm"`, `"2.5cm"`, `"1in"`,
//! `"12pt"`, `"A5"`, `"120mm x 170mm"`. Strings in, [`Pt`] out; every refusal
//! carries a hint showing the form that would have been accepted.

use crate::units::Pt;

use super::PageSize;

/// Why a length, page size or date was refused: a message and a fix, kept apart
/// so diagnostics can show the fix as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// What is wrong, lowercase, user text in backticks.
    pub message: String,
    /// How to write it instead.
    pub hint: String,
}

impl Problem {
    pub(super) fn new(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem { message: message.into(), hint: hint.into() }
    }

    /// The message and the hint in one line, for the `String` errors of the public parsers.
    pub(super) fn joined(self) -> String {
        format!("{}: {}", self.message, self.hint)
    }
}

/// Units a length may carry, with their size in points.
const UNITS: [(&str, f64); 4] = [("mm", 72.0 / 25.4), ("cm", 720.0 / 25.4), ("in", 72.0), ("pt", 1.0)];

/// Page sizes known by name, as portrait width × height in millimetres: ISO 216 A
/// and B series; US Letter (8.5 × 11 in) and Legal (8.5 × 14 in), written exactly
/// in millimetres.
const NAMED_PAGES: [(&str, f64, f64); 8] = [
    ("A3", 297.0, 420.0),
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("A6", 105.0, 148.0),
    ("A7", 74.0, 105.0),
    ("B5", 176.0, 250.0),
    ("Letter", 215.9, 279.4),
    ("Legal", 215.9, 355.6),
];

/// The named sizes for hints.
pub(super) const PAGE_NAMES: &str = "A3, A4, A5, A6, A7, B5, Letter, Legal";

/// Smallest page side accepted: below 50 mm the default margins (36 mm vertically,
/// 32 mm horizontally) leave almost nothing to print on.
const MIN_PAGE_SIDE_MM: f64 = 50.0;

/// Largest page side accepted: 14 400 user units (200 in) is the page size limit of
/// PDF viewers (ISO 32000-1, Annex C.2).
const MAX_PAGE_SIDE_PT: f64 = 14_400.0;

/// The hint given for a length that is not a number and a unit.
const LENGTH_FORM: &str =
    "write a number followed by a unit without a space: `3mm`, `2.5cm`, `1in` or `12pt`";

/// Parses a length: a non-negative number immediately followed by `mm`, `cm`, `in`
/// or `pt` (`"3mm"`, `"2.5cm"`). Surrounding whitespace is ignored; a space
/// between number and unit, a sign, a decimal comma or a missing unit are refused
/// with a message saying how to write it.
pub fn parse_length(s: &str) -> Result<Pt, String> {
    length(s).map_err(Problem::joined)
}

/// [`parse_length`] with the message and the hint kept apart.
pub(super) fn length(s: &str) -> Result<Pt, Problem> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Problem::new("empty length", LENGTH_FORM));
    }
    if let Some(rest) = t.strip_prefix(['-', '+', '−']) {
        let message = if t.starts_with('+') {
            format!("sign in length `{t}`")
        } else {
            format!("negative length `{t}`")
        };
        let hint = match length(rest) {
            Ok(_) => format!("lengths are never negative and carry no sign; write `{}`", rest.trim()),
            Err(_) => format!("lengths are never negative; {LENGTH_FORM}"),
        };
        return Err(Problem::new(message, hint));
    }
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ',')).unwrap_or(t.len());
    let (number, rest) = t.split_at(split);
    if number.is_empty() || !number.contains(|c: char| c.is_ascii_digit()) {
        return Err(Problem::new(format!("`{t}` is not a length"), LENGTH_FORM));
    }
    let unit = rest.trim_start();
    let spaced = unit.len() != rest.len();
    let factor = UNITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)).map(|&(_, f)| f);
    let shown_unit = if factor.is_some() { unit.to_ascii_lowercase() } else { "mm".to_owned() };
    if number.contains(',') {
        let fixed = number.replace(',', ".");
        return Err(Problem::new(
            format!("decimal comma in length `{t}`"),
            format!("use a decimal point: `{fixed}{shown_unit}`"),
        ));
    }
    let Ok(value) = number.parse::<f64>() else {
        return Err(Problem::new(format!("`{number}` in `{t}` is not a number"), LENGTH_FORM));
    };
    if unit.is_empty() {
        return Err(Problem::new(
            format!("missing unit in length `{t}`"),
            format!("add a unit: `{number}mm`, `{number}pt`, `{number}cm` or `{number}in`"),
        ));
    }
    let Some(factor) = factor else {
        return Err(Problem::new(
            format!("unknown unit `{unit}` in length `{t}`"),
            format!("use mm, cm, in or pt, e.g. `{number}mm`"),
        ));
    };
    if spaced {
        return Err(Problem::new(
            format!("space between number and unit in length `{t}`"),
            format!("write `{number}{shown_unit}`"),
        ));
    }
    let points = value * factor;
    if !points.is_finite() {
        return Err(Problem::new(format!("length `{t}` is too large"), LENGTH_FORM));
    }
    Ok(Pt::new(points))
}

/// Parses a page size: a name (`A3`–`A7`, `B5`, `Letter`, `Legal`, in any case) or
/// `"WIDTH x HEIGHT"` with two lengths (`"120mm x 170mm"`, spaces around the `x`
/// optional, `×` also accepted). Each side must lie between 50 mm and 14 400 pt.
pub fn parse_page_size(s: &str) -> Result<PageSize, String> {
    page_size(s).map_err(Problem::joined)
}

/// [`parse_page_size`] with the message and the hint kept apart.
pub(super) fn page_size(s: &str) -> Result<PageSize, Problem> {
    let t = s.trim();
    if let Some(&(_, w, h)) = NAMED_PAGES.iter().find(|(name, _, _)| name.eq_ignore_ascii_case(t)) {
        return Ok(PageSize { width: Pt::mm(w), height: Pt::mm(h) });
    }
    let sides: Vec<&str> = t.split(['x', 'X', '×']).collect();
    let [width, height] = sides[..] else {
        return Err(Problem::new(
            format!("unknown page size `{t}`"),
            format!("use {PAGE_NAMES} or a width and a height such as `120mm x 170mm`"),
        ));
    };
    let width = length(width).map_err(|p| Problem::new(format!("page width: {}", p.message), p.hint))?;
    let height = length(height).map_err(|p| Problem::new(format!("page height: {}", p.message), p.hint))?;
    let min = Pt::mm(MIN_PAGE_SIDE_MM);
    let max = Pt::new(MAX_PAGE_SIDE_PT);
    for (side, value) in [("width", width), ("height", height)] {
        if value < min || value > max {
            return Err(Problem::new(
                format!("page {side} {} is out of range", super::show_mm(value)),
                "page sides must be between 50mm and 5080mm (14400pt)",
            ));
        }
    }
    Ok(PageSize { width, height })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn close(p: Pt, expected: f64) {
        assert!((p.get() - expected).abs() < 0.01, "{p} is not {expected}pt");
    }

    // Every unit converts to points.
    #[test]
    fn units_convert() {
        close(length("3mm").unwrap(), 8.5039);
        close(length("2.5cm").unwrap(), 70.866);
        close(length("1in").unwrap(), 72.0);
        close(length("12pt").unwrap(), 12.0);
        close(length(" 10.5PT ").unwrap(), 10.5);
        close(length("0mm").unwrap(), 0.0);
    }

    // Each malformed length is refused with a hint showing the accepted form.
    #[test]
    fn bad_lengths_have_hints() {
        let cases = [
            ("3 mm", "space between number and unit", "`3mm`"),
            ("-3mm", "negative length", "`3mm`"),
            ("+3mm", "sign in length", "`3mm`"),
            ("3", "missing unit", "`3mm`"),
            ("3px", "unknown unit `px`", "`3mm`"),
            ("3,5mm", "decimal comma", "`3.5mm`"),
            ("", "empty length", "`3mm`"),
            ("mm", "is not a length", "`3mm`"),
            ("1.2.3mm", "is not a number", "`3mm`"),
        ];
        for (input, message, hint) in cases {
            let p = length(input).unwrap_err();
            assert!(p.message.contains(message), "{input:?}: {p:?}");
            assert!(p.hint.contains(hint), "{input:?}: {p:?}");
        }
        assert!(parse_length("3 mm").unwrap_err().contains("write `3mm`"));
    }

    // Named sizes ignore case; custom sizes accept any spacing around the `x`.
    #[test]
    fn page_sizes() {
        let a5 = page_size("a5").unwrap();
        close(a5.width, 419.53);
        close(a5.height, 595.28);
        close(page_size("Letter").unwrap().width, 612.0);
        close(page_size("legal").unwrap().height, 1008.0);
        close(page_size("A3").unwrap().height, 1190.55);
        close(page_size("A7").unwrap().width, 209.76);
        close(page_size("B5").unwrap().width, 498.9);
        for s in ["120mm x 170mm", "120mmx170mm", "12cm X 17cm", "120mm × 170mm"] {
            let p = page_size(s).unwrap();
            close(p.width, 340.16);
            close(p.height, 481.89);
        }
    }

    // Unknown names and impossible sizes are refused.
    #[test]
    fn bad_page_sizes() {
        assert!(page_size("B7").unwrap_err().message.contains("unknown page size `B7`"));
        assert!(page_size("120 x 170").unwrap_err().message.contains("missing unit"));
        assert!(page_size("0mm x 170mm").unwrap_err().message.contains("out of range"));
        assert!(parse_page_size("1x2x3").is_err());
    }
}
