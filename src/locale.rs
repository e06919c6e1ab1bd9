//! The languages samizdat sets and every word it writes in them.
//!
//! One table per language ([`Words`]): interface words of the EPUB, the
//! contents heading, the title of the undated part, month names and the shape
//! of a date. Adding a language (Ukrainian, Kyrgyz) is a [`Lang`] variant, its
//! row in [`Lang::ALL`], a [`Words`] table here, and hyphenation patterns and
//! typographic rules in `typography`; every message that lists the languages
//! reads [`Lang::ALL`].
//!
//! Detection of a text's language by its letters lives here too: it is
//! knowledge about the languages, not about documents. `model` decides, once,
//! which language each paragraph is in.

/// The languages samizdat typesets with their own rules. A closed set: each
/// has hyphenation patterns, typographic rules and a [`Words`] table of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Lang {
    /// Russian.
    #[default]
    Ru,
    /// Kazakh (Cyrillic script).
    Kk,
    /// English and other Latin-script text.
    En,
}

impl Lang {
    /// Every language, in the order messages list them.
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    /// The BCP 47 tag written into `xml:lang`, `dc:language` and the PDF `/Lang`.
    pub fn tag(self) -> &'static str {
        self.words().tag
    }

    /// Parses a language tag such as `ru`, `kk-KZ` or `en-GB`; `None` when the
    /// primary subtag is not one samizdat knows.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?;
        Lang::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The hint for an unknown language tag: "use `ru`, `kk` or `en`".
    pub fn hint() -> String {
        let tags: Vec<String> = Lang::ALL.iter().map(|l| format!("`{}`", l.tag())).collect();
        match tags.split_last() {
            Some((last, [])) => format!("use {last}"),
            Some((last, rest)) => format!("use {} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    /// The words samizdat writes in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::Ru => &RU,
            Lang::Kk => &KK,
            Lang::En => &EN,
        }
    }
}

/// How a date reads in running text of a language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    /// "5 января 2022 г.", "январь 2022 г.", "2022 г." (Russian: day, month in
    /// the genitive, year with the abbreviation of "год").
    DayMonthYearAbbr,
    /// "2022 жылғы 5 қаңтар", "2022 жылғы қаңтар", "2022 ж." (Kazakh: the year
    /// first, in the possessive).
    YearFirst,
    /// "5 January 2022", "January 2022", "2022".
    DayMonthYear,
}

/// The words of one language. Spaces inside dates that must not break are
/// no-break spaces, as the typographic rules of the language would set them.
#[derive(Debug)]
pub struct Words {
    /// BCP 47 primary tag.
    pub tag: &'static str,
    /// Heading of the table of contents (PDF and EPUB).
    pub contents: &'static str,
    /// Title of the part that holds statements without a date (`group-by = "year"`).
    pub undated: &'static str,
    /// Heading of the EPUB's (hidden) landmarks list.
    pub landmarks: &'static str,
    /// EPUB landmark for the cover.
    pub cover: &'static str,
    /// EPUB landmark for the title page.
    pub title_page: &'static str,
    /// EPUB landmark for the first statement.
    pub start: &'static str,
    /// Accessible name of a statement's notes.
    pub notes: &'static str,
    /// Accessible name of a note's link back to its call.
    pub back: &'static str,
    /// `schema:accessibilitySummary`, first sentence.
    pub summary: &'static str,
    /// `schema:accessibilitySummary`, added when every image has alternative text.
    pub summary_images: &'static str,
    /// `schema:accessibilitySummary`, added when some image has no alternative text.
    pub summary_no_alt: &'static str,
    /// Month names as they stand alone ("январь"), January first.
    pub months: [&'static str; 12],
    /// Month names as they stand after a day number ("5 января"), January first.
    pub months_after_day: [&'static str; 12],
    /// How dates are written.
    pub date_style: DateStyle,
}

/// Kazakh month names do not change after a day number ("5 қаңтар").
const KK_MONTHS: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];

const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const RU: Words = Words {
    tag: "ru",
    contents: "Содержание",
    undated: "Без даты",
    landmarks: "Ориентиры",
    cover: "Обложка",
    title_page: "Титульный лист",
    start: "Начало текста",
    notes: "Примечания",
    back: "Вернуться к тексту",
    summary: "Перестраиваемый текст с заголовками, оглавлением и логическим порядком чтения.",
    summary_images: "У изображений есть текстовое описание.",
    summary_no_alt: "Не у всех изображений есть текстовое описание.",
    months: [
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ],
    months_after_day: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    date_style: DateStyle::DayMonthYearAbbr,
};

const KK: Words = Words {
    tag: "kk",
    contents: "Мазмұны",
    undated: "Күні көрсетілмеген",
    landmarks: "Бағдарлар",
    cover: "Мұқаба",
    title_page: "Титул беті",
    start: "Мәтіннің басы",
    notes: "Ескертпелер",
    back: "Мәтінге оралу",
    summary: "Тақырыптары, мазмұны және логикалық оқу реті бар бейімделгіш мәтін.",
    summary_images: "Суреттердің мәтіндік сипаттамасы бар.",
    summary_no_alt: "Кейбір суреттердің мәтіндік сипаттамасы жоқ.",
    months: KK_MONTHS,
    months_after_day: KK_MONTHS,
    date_style: DateStyle::YearFirst,
};

const EN: Words = Words {
    tag: "en",
    contents: "Contents",
    undated: "Undated",
    landmarks: "Landmarks",
    cover: "Cover",
    title_page: "Title page",
    start: "Start of text",
    notes: "Notes",
    back: "Back to text",
    summary: "Reflowable text with headings, a table of contents and a logical reading order.",
    summary_images: "Images have alternative text.",
    summary_no_alt: "Some images have no text description.",
    months: EN_MONTHS,
    months_after_day: EN_MONTHS,
    date_style: DateStyle::DayMonthYear,
};

/// What the letters of a text say about its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LetterCount {
    /// Kazakh-only letters (ә ғ қ ң ө ұ ү һ і and their capitals).
    pub kazakh: usize,
    /// All letters of the Cyrillic block.
    pub cyrillic: usize,
    /// ASCII Latin letters.
    pub latin: usize,
}

/// Share of Kazakh-only letters (ә ғ қ ң ө ұ ү һ і) among the Cyrillic letters of
/// a passage above which it is Kazakh. Running Kazakh prose has 6–10 %; Russian
/// prose that names a Kazakh person or place has well under 2 %.
pub const KAZAKH_SHARE: f64 = 0.03;

/// Passages with fewer Cyrillic letters than this are too short to judge by the
/// share alone (one name can tip it): they keep the language around them.
pub const SHORT_PASSAGE: usize = 40;

impl LetterCount {
    /// Counts the letters of `text`.
    pub fn of(text: &str) -> LetterCount {
        let (kazakh, cyrillic, latin) = letter_counts(text);
        LetterCount { kazakh, cyrillic, latin }
    }

    /// Adds another count.
    pub fn add(&mut self, other: LetterCount) {
        self.kazakh += other.kazakh;
        self.cyrillic += other.cyrillic;
        self.latin += other.latin;
    }

    /// Whether the text is Latin-script: no Cyrillic, or far more Latin letters.
    pub fn is_latin(self) -> bool {
        self.latin > 0 && (self.cyrillic == 0 || self.cyrillic < self.latin / 4)
    }

    /// The language of a passage that is long enough to judge: `None` for a
    /// passage too short (or without letters), which keeps the language around it.
    pub fn passage(self) -> Option<Lang> {
        if self.is_latin() && self.latin >= SHORT_PASSAGE {
            return Some(Lang::En);
        }
        if self.cyrillic < SHORT_PASSAGE || self.is_latin() {
            return None;
        }
        Some(if self.kazakh as f64 / self.cyrillic as f64 >= KAZAKH_SHARE { Lang::Kk } else { Lang::Ru })
    }

    /// The language of a whole text too short for [`LetterCount::passage`] to
    /// judge: Latin-script is English, Cyrillic with a Kazakh-only letter is
    /// Kazakh, other Cyrillic Russian; `None` without letters.
    pub fn short(self) -> Option<Lang> {
        if self.is_latin() {
            Some(Lang::En)
        } else if self.cyrillic == 0 {
            None
        } else if self.kazakh > 0 && self.kazakh as f64 / self.cyrillic as f64 >= KAZAKH_SHARE {
            Some(Lang::Kk)
        } else {
            Some(Lang::Ru)
        }
    }
}

/// The language of a run of passages (paragraphs, headings, cells), given by
/// their letters ([`LetterCount::of`]), by vote:
/// each passage long enough to judge votes for its language, the language of
/// most passages wins, and a tie goes to the one with more letters. A statement
/// is in the language most of its paragraphs are in, so a Russian statement
/// that quotes a long Kazakh appeal stays Russian, and a Kazakh statement that
/// quotes a long Russian answer stays Kazakh; judged by letters alone, one long
/// quote would outweigh a short frame. `None` when no passage is long enough to
/// judge: the language around them applies.
pub fn judge(passages: impl IntoIterator<Item = LetterCount>) -> Option<Lang> {
    vote(passages).0
}

/// The language of a whole text, as [`judge`] does, but a text whose passages
/// are all too short is judged as one by [`LetterCount::short`]. `None` when the
/// text has no letters at all: the caller's default applies.
pub fn detect(passages: impl IntoIterator<Item = LetterCount>) -> Option<Lang> {
    let (judged, whole) = vote(passages);
    judged.or_else(|| whole.short())
}

/// The vote of [`judge`], and the letters of all passages together.
fn vote(passages: impl IntoIterator<Item = LetterCount>) -> (Option<Lang>, LetterCount) {
    // Per language: passages, then letters.
    let mut votes = [(0usize, 0usize); Lang::ALL.len()];
    let mut whole = LetterCount::default();
    for count in passages {
        whole.add(count);
        if let Some(lang) = count.passage() {
            let v = &mut votes[lang as usize];
            v.0 += 1;
            v.1 += count.cyrillic + count.latin;
        }
    }
    // A full tie goes to the language listed first.
    let best = (0..votes.len()).filter(|&i| votes[i].0 > 0).max_by_key(|&i| (votes[i], usize::MAX - i));
    (best.map(|i| Lang::ALL[i]), whole)
}

/// Counts Kazakh-only, all Cyrillic and ASCII Latin letters. Works on the UTF-8
/// bytes: the Cyrillic block U+0400–U+04FF is exactly the two-byte sequences led
/// by 0xD0–0xD3, and a lead byte never occurs inside another character, so each
/// byte and its successor are looked at as a pair, without decoding. Counting
/// in blocks of 128 into byte-sized counters lets the compiler vectorise the
/// loop (about 4 instructions a byte against 19 for a loop over characters;
/// every paragraph of a book is counted once).
fn letter_counts(text: &str) -> (usize, usize, usize) {
    let bytes = text.as_bytes();
    let Some(&last) = bytes.last() else { return (0, 0, 0) };
    let cyrillic_lead = |b: u8| b & 0xFC == 0xD0;
    let ascii_letter = |b: u8| (b | 0x20).wrapping_sub(b'a') < 26;
    let (mut kazakh, mut cyrillic, mut latin) = (0, 0, 0);
    let (leads, nexts) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    for (leads, nexts) in leads.chunks(128).zip(nexts.chunks(128)) {
        let (mut k, mut c, mut l) = (0u8, 0u8, 0u8);
        for (&x, &y) in leads.iter().zip(nexts) {
            c += u8::from(cyrillic_lead(x));
            l += u8::from(ascii_letter(x));
            // Kazakh's own letters come in upper/lower pairs differing in the last bit:
            // І і (D0 86, D1 96), Ғғ Ққ Ңң Үү Ұұ Һһ (D2 92…BB), Әә Өө (D3 98, D3 A8).
            let pair = y & 0xFE;
            let own = (x == 0xD0 && y == 0x86)
                || (x == 0xD1 && y == 0x96)
                || (x == 0xD2 && matches!(pair, 0x92 | 0x9A | 0xA2 | 0xAE | 0xB0 | 0xBA))
                || (x == 0xD3 && matches!(pair, 0x98 | 0xA8));
            k += u8::from(own);
        }
        kazakh += usize::from(k);
        cyrillic += usize::from(c);
        latin += usize::from(l);
    }
    cyrillic += usize::from(cyrillic_lead(last));
    latin += usize::from(ascii_letter(last));
    (kazakh, cyrillic, latin)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`detect`] and [`judge`] over passages of text.
    fn detect<'a>(passages: impl IntoIterator<Item = &'a str>) -> Option<Lang> {
        super::detect(passages.into_iter().map(LetterCount::of))
    }

    fn judge<'a>(passages: impl IntoIterator<Item = &'a str>) -> Option<Lang> {
        super::judge(passages.into_iter().map(LetterCount::of))
    }

    const RU: &str =
        "Мы, жители микрорайона, обращаемся к депутатам городской думы с просьбой сохранить парк. ";
    const KK: &str =
        "Біз қаланың тұрғындары ретінде саябақты сақтап қалуды сұраймыз, бұл біздің ортақ құқығымыз. ";

    // A Russian statement quoting one Kazakh paragraph stays Russian even when the
    // quote is as long as the rest; the other way round too.
    #[test]
    fn mixed_texts_follow_the_majority_of_passages() {
        assert_eq!(detect([RU, RU, KK]), Some(Lang::Ru));
        assert_eq!(detect([RU, KK, RU]), Some(Lang::Ru));
        assert_eq!(detect([KK, RU, KK]), Some(Lang::Kk));
        assert_eq!(detect([KK, KK, RU]), Some(Lang::Kk));
        // Judged as a whole by its letters, a Russian frame with a quote twice its
        // length had over 3 % Kazakh letters and was called Kazakh.
        let long_kk = KK.repeat(3);
        assert_eq!(detect([RU, long_kk.as_str(), RU]), Some(Lang::Ru));
        let long_ru = RU.repeat(3);
        assert_eq!(detect([KK, long_ru.as_str(), KK]), Some(Lang::Kk));
        // One paragraph each: the longer wins.
        assert_eq!(detect([RU, long_kk.as_str()]), Some(Lang::Kk));
    }

    #[test]
    fn short_texts_and_no_letters() {
        assert_eq!(detect(["Біз бірге боламыз"]), Some(Lang::Kk));
        assert_eq!(detect(["Мы будем вместе"]), Some(Lang::Ru));
        assert_eq!(detect(["We stand together"]), Some(Lang::En));
        assert_eq!(detect(["Заявление от 1 мая (May Day)"]), Some(Lang::Ru));
        assert_eq!(detect(["2026 — 1 234"]), None);
        assert_eq!(detect([]), None);
        assert_eq!(judge(["Біз бірге боламыз"]), None);
        assert_eq!(judge([KK]), Some(Lang::Kk));
        // A Russian line naming a Kazakh city is not Kazakh by one letter in forty.
        assert_eq!(LetterCount::of(RU).passage(), Some(Lang::Ru));
        assert_eq!(LetterCount::of("Да.").passage(), None);
    }

    // The byte-level count agrees with one over characters on every code point to U+05FF.
    #[test]
    fn letter_counts_match_characters() {
        for c in (0u32..0x600).filter_map(char::from_u32) {
            let s = format!("a{c}b{c}");
            let kazakh = "ӘәҒғҚқҢңӨөҰұҮүҺһІі".contains(c) as usize * 2;
            let cyrillic = ('\u{400}'..='\u{4FF}').contains(&c) as usize * 2;
            let latin = 2 + c.is_ascii_alphabetic() as usize * 2;
            assert_eq!(letter_counts(&s), (kazakh, cyrillic, latin), "U+{:04X}", c as u32);
        }
    }

    // Tags with region subtags map to their primary language; the hint lists all.
    #[test]
    fn parses_tags() {
        assert_eq!(Lang::from_tag("kk-KZ"), Some(Lang::Kk));
        assert_eq!(Lang::from_tag("RU"), Some(Lang::Ru));
        assert_eq!(Lang::from_tag("de"), None);
        assert_eq!(Lang::hint(), "use `ru`, `kk` or `en`");
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.tag()), Some(lang));
            assert_eq!(Lang::ALL[lang as usize], lang);
        }
    }
}
