//! Dates: one strict parser for every date a book holds (the manifest's `date`,
//! a statement's front matter), one formatter per language for what readers
//! see, and the ISO forms metadata needs. The calendar itself (month lengths,
//! leap years, Unix time) is the `time` crate's.

use std::fmt;

use crate::locale::{DateStyle, Lang};

/// A calendar date as precise as it was written: a year, a month of a year, or a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, 0000–9999.
    pub year: u16,
    /// Month 1–12, when given.
    pub month: Option<u8>,
    /// Day of the month, when given (then `month` is too).
    pub day: Option<u8>,
}

/// Why a written date is not one: a message and a hint, for a diagnostic at
/// the date's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    /// What is wrong, with the text in backticks.
    pub message: String,
    /// How to write it.
    pub hint: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.hint)
    }
}

impl Date {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (leading and trailing spaces
    /// allowed), rejecting days a month does not have (`2022-02-31`, `2023-02-29`).
    /// A date written day first (`05.01.2022`) gets a hint with its ISO form.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let s = s.trim();
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        let number = |p: &str| p.parse::<u16>().unwrap_or(0);
        let parts: Vec<&str> = s.split('-').collect();
        let date = match parts[..] {
            [y] if digits(y, 4) => Some(Date { year: number(y), month: None, day: None }),
            [y, m] if digits(y, 4) && digits(m, 2) && (1..=12).contains(&number(m)) => {
                Some(Date { year: number(y), month: Some(number(m) as u8), day: None })
            }
            [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
                let valid = time::Month::try_from(number(m) as u8).and_then(|month| {
                    time::Date::from_calendar_date(number(y).into(), month, number(d) as u8)
                });
                valid.ok().map(|_| Date {
                    year: number(y),
                    month: Some(number(m) as u8),
                    day: Some(number(d) as u8),
                })
            }
            _ => None,
        };
        if let Some(date) = date {
            return Ok(date);
        }
        let pieces: Vec<&str> = s.split(['.', '/']).collect();
        let hint = match (&parts[..], &pieces[..]) {
            ([y, m, d], _)
                if digits(y, 4) && digits(m, 2) && digits(d, 2) && (1..=12).contains(&number(m)) =>
            {
                format!("{y}-{m} has no day {d}; check the day and the month (`YYYY-MM-DD`)")
            }
            (_, [d, m, y])
                if digits(y, 4)
                    && [d, m].iter().all(|p| (1..=2).contains(&p.len()) && digits(p, p.len())) =>
            {
                format!("write dates year first: `{y}-{:02}-{:02}`", number(m), number(d))
            }
            _ => "write the date as `YYYY-MM-DD`, e.g. `2026-05-01` (`YYYY` and `YYYY-MM` also work)"
                .to_owned(),
        };
        Err(DateError { message: format!("invalid date `{s}`"), hint })
    }

    /// The ISO 8601 form as written (`2022`, `2022-01`, `2022-01-05`): `dc:date`.
    pub fn iso(self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// The date as a reader of `lang` expects it under a title: "5 января 2022 г.",
    /// "2022 жылғы 5 қаңтар", "5 January 2022". Spaces that must not break are
    /// no-break spaces.
    pub fn display(self, lang: Lang) -> String {
        let words = lang.words();
        let y = self.year;
        let nb = '\u{a0}';
        match (words.date_style, self.month.map(|m| usize::from(m - 1)), self.day) {
            (DateStyle::DayMonthYearAbbr, Some(m), Some(d)) => {
                format!("{d}{nb}{} {y}{nb}г.", words.months_after_day[m])
            }
            (DateStyle::DayMonthYearAbbr, Some(m), None) => format!("{} {y}{nb}г.", words.months[m]),
            (DateStyle::DayMonthYearAbbr, _, _) => format!("{y}{nb}г."),
            (DateStyle::YearFirst, Some(m), Some(d)) => {
                format!("{y}{nb}жылғы {d}{nb}{}", words.months_after_day[m])
            }
            (DateStyle::YearFirst, Some(m), None) => format!("{y}{nb}жылғы {}", words.months[m]),
            (DateStyle::YearFirst, _, _) => format!("{y}{nb}ж."),
            (DateStyle::DayMonthYear, Some(m), Some(d)) => {
                format!("{d}{nb}{} {y}", words.months_after_day[m])
            }
            (DateStyle::DayMonthYear, Some(m), None) => format!("{} {y}", words.months[m]),
            (DateStyle::DayMonthYear, _, _) => y.to_string(),
        }
    }

    /// Midnight UTC of the date's first day (a year is its 1 January).
    pub fn start(self) -> Stamp {
        Stamp {
            year: self.year,
            month: self.month.unwrap_or(1),
            day: self.day.unwrap_or(1),
            hour: 0,
            minute: 0,
            second: 0,
        }
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

/// A moment in UTC to the second: the PDF's CreationDate and XMP dates and the
/// EPUB's `dcterms:modified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// Year (fields in order of significance, so that the derived order is time order).
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
    /// Hour 0–23.
    pub hour: u8,
    /// Minute 0–59.
    pub minute: u8,
    /// Second 0–59.
    pub second: u8,
}

impl Stamp {
    /// The stamp written when a book has no date at all: a fixed date keeps
    /// outputs reproducible (the wall clock is never read).
    pub const FALLBACK: Stamp = Stamp { year: 2000, month: 1, day: 1, hour: 0, minute: 0, second: 0 };

    /// A Unix time in seconds (`SOURCE_DATE_EPOCH`), clamped to the years 0–9999.
    pub fn from_epoch(secs: i64) -> Stamp {
        let min = time::OffsetDateTime::new_utc(time::Date::MIN, time::Time::MIDNIGHT);
        let max = time::OffsetDateTime::new_utc(
            time::Date::from_calendar_date(9999, time::Month::December, 31).unwrap_or(time::Date::MAX),
            time::Time::MIDNIGHT,
        );
        let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(if secs < 0 { min } else { max });
        let t = t.clamp(
            time::OffsetDateTime::new_utc(
                time::Date::from_calendar_date(0, time::Month::January, 1).unwrap_or(time::Date::MIN),
                time::Time::MIDNIGHT,
            ),
            max,
        );
        Stamp {
            year: t.year() as u16,
            month: u8::from(t.month()),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
        }
    }

    /// `CCYY-MM-DDThh:mm:ssZ`, the form of `dcterms:modified` and XMP dates.
    pub fn iso(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// The parts in order, as the PDF writer takes them.
    pub fn parts(self) -> (u16, u8, u8, u8, u8, u8) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strictly() {
        assert_eq!(Date::parse("2022-01-05"), Ok(Date { year: 2022, month: Some(1), day: Some(5) }));
        assert_eq!(Date::parse(" 2022-01 "), Ok(Date { year: 2022, month: Some(1), day: None }));
        assert_eq!(Date::parse("2022"), Ok(Date { year: 2022, month: None, day: None }));
        assert!(Date::parse("2024-02-29").is_ok());
        for bad in
            ["2022-02-31", "2023-02-29", "1900-02-29", "2022-04-31", "2022-13", "2022-00-10", "22-01-05"]
        {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
        for bad in ["", "2022-1-5", "2022-01-05T10:00", "yesterday", "2022-01-05-01"] {
            assert!(Date::parse(bad).is_err(), "{bad:?}");
        }
        let e = Date::parse("05.01.2022").unwrap_err();
        assert!(e.hint.contains("`2022-01-05`"), "{e}");
        let e = Date::parse("2022-02-31").unwrap_err();
        assert!(e.message.contains("`2022-02-31`") && e.hint.contains("has no day 31"), "{e}");
    }

    #[test]
    fn displays_by_language() {
        let d = Date::parse("2022-01-05").unwrap();
        assert_eq!(d.display(Lang::Ru), "5\u{a0}января 2022\u{a0}г.");
        assert_eq!(d.display(Lang::Kk), "2022\u{a0}жылғы 5\u{a0}қаңтар");
        assert_eq!(d.display(Lang::En), "5\u{a0}January 2022");
        let m = Date::parse("2026-05").unwrap();
        assert_eq!(m.display(Lang::Ru), "май 2026\u{a0}г.");
        assert_eq!(m.display(Lang::Kk), "2026\u{a0}жылғы мамыр");
        assert_eq!(m.display(Lang::En), "May 2026");
        let y = Date::parse("2026").unwrap();
        assert_eq!(y.display(Lang::Ru), "2026\u{a0}г.");
        assert_eq!(y.display(Lang::Kk), "2026\u{a0}ж.");
        assert_eq!(y.display(Lang::En), "2026");
        assert_eq!([d.iso(), m.iso(), y.iso()], ["2022-01-05", "2026-05", "2026"]);
    }

    #[test]
    fn stamps() {
        assert_eq!(Stamp::from_epoch(0).iso(), "1970-01-01T00:00:00Z");
        assert_eq!(Stamp::from_epoch(1_700_000_000).iso(), "2023-11-14T22:13:20Z");
        assert_eq!(Stamp::from_epoch(951_782_400).iso(), "2000-02-29T00:00:00Z");
        assert_eq!(Stamp::from_epoch(i64::MAX).year, 9999);
        assert_eq!(Stamp::from_epoch(i64::MIN).year, 0);
        assert_eq!(Date::parse("2026-05").unwrap().start().iso(), "2026-05-01T00:00:00Z");
    }
}
