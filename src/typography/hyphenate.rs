//! Hyphenation points of one word: a word in, the byte offsets where a line may
//! break with an added hyphen out.
//!
//! Russian and English use the Liang patterns compiled into `hypher`. Kazakh
//! uses this module's own Liang matcher over `data/hyph-kk.tex` (hyph-utf8,
//! public domain), parsed once into a trie; Russian patterns are never applied
//! to Kazakh words. A word is split at its explicit hyphens first and every part
//! is hyphenated on its own, so `кое-что` or `Қазақстан-ның` may also break
//! right after the hyphen (the line then ends with the word's own hyphen and no
//! second one is drawn, see [`adds_hyphen`]).

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::model::Lang;

/// Fewest letters left before a break: `hyphenmins` (left 2) of both hyph-ru.tex
/// and hyph-kk.tex, and hypher's English bound.
const LEFT_MIN: usize = 2;

/// Fewest letters carried to the next line in Russian and Kazakh: `hyphenmins`
/// (right 2) of hyph-ru.tex and hyph-kk.tex.
const RIGHT_MIN: usize = 2;

/// Fewest letters carried to the next line in English: TeX's `\righthyphenmin`
/// default for US English (3), which hypher also uses, so `add-ed` never breaks.
const RIGHT_MIN_EN: usize = 3;

/// Words longer than `hypher::MAX_INLINE_SIZE` bytes (22 Cyrillic letters) would
/// make hypher panic without its `alloc` feature, so they are hyphenated in
/// overlapping windows. A Liang pattern of `k` symbols decides only the `k + 1`
/// boundaries it covers, so boundaries at least this many letters from a
/// window's cut edge are exactly those of the whole word. The longest pattern in
/// hyph-ru.tex has 7 symbols (`.доб2рел`); 10 leaves room for English. Compared
/// with hypher's own whole-word results (its `alloc` feature on) over 200,000
/// random Russian and English words of 20–79 letters, no break differed; a unit
/// test checks the same on joined Russian words.
const WINDOW_MARGIN: usize = 10;

/// Hyphenation patterns of Kazakh (hyph-utf8), public domain; see data/README.md.
const KK_PATTERNS: &str = include_str!("../../data/hyph-kk.tex");

/// Byte offsets inside `word` where a hyphen may be inserted, ascending.
///
/// `word` is one word: letters, maybe with internal hyphens and combining marks
/// (a stress accent U+0301 stays with its letter). Every break keeps at least 2
/// letters on each side (3 after it in English). Matching is case-insensitive.
/// A word containing anything else (digits, punctuation, spaces) gets no breaks.
/// An offset right after one of the word's own `-` is a break at that hyphen,
/// where no hyphen is added ([`adds_hyphen`] tells the two apart).
pub fn hyphenate(word: &str, lang: Lang) -> Vec<usize> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let slot = match lang {
            Lang::Ru => 0,
            Lang::Kk => 1,
            Lang::En => 2,
        };
        let words = &mut cache[slot];
        if let Some(hit) = words.get(word) {
            return hit.to_vec();
        }
        let breaks = hyphenate_uncached(word, lang);
        if words.len() >= CACHE_WORDS {
            words.clear();
        }
        words.insert(word.into(), breaks.as_slice().into());
        breaks
    })
}

/// Words remembered per language and thread before the cache starts over. Even
/// a long book has a few tens of thousands of distinct words; at about 100 bytes
/// each (key, breaks, table slot) a full cache holds some 13 MB.
const CACHE_WORDS: usize = 1 << 17;

thread_local! {
    /// Breaks of the words seen so far, by language (Russian, Kazakh, English):
    /// running text repeats its words, and matching patterns costs far more than
    /// a lookup.
    /// Per thread, so that parallel layout needs no lock.
    static CACHE: RefCell<[WordBreaks; 3]> = RefCell::new(Default::default());
}

/// Breaks by word, for one language.
type WordBreaks = crate::hash::WordMap<Box<[usize]>>;

fn hyphenate_uncached(word: &str, lang: Lang) -> Vec<usize> {
    let mut out = Vec::new();
    if word.is_empty() || !word.chars().all(|c| c.is_alphabetic() || c == '-' || is_mark(c)) {
        return out;
    }
    let right_min = if lang == Lang::En { RIGHT_MIN_EN } else { RIGHT_MIN };
    let mut start = 0;
    let mut prev_letters = 0;
    for part in word.split('-') {
        let letters = part.chars().filter(|&c| !is_mark(c)).count();
        if start > 0 && prev_letters >= LEFT_MIN && letters >= RIGHT_MIN {
            out.push(start);
        }
        if letters >= LEFT_MIN + right_min {
            match lang {
                Lang::Ru => hypher_part(part, hypher::Lang::Russian, right_min, start, &mut out),
                Lang::En => hypher_part(part, hypher::Lang::English, right_min, start, &mut out),
                Lang::Kk => kazakh_part(part, start, &mut out),
            }
        }
        prev_letters = letters;
        start += part.len() + 1;
    }
    out
}

/// Whether breaking `word` at `offset` (one of [`hyphenate`]'s offsets) draws a
/// hyphen: false right after the word's own hyphen, true everywhere else.
pub fn adds_hyphen(word: &str, offset: usize) -> bool {
    !word.get(..offset).is_some_and(|head| head.ends_with('-'))
}

/// A combining mark (U+0300–U+036F, e.g. the stress accent U+0301): ignored by
/// the patterns and never separated from the letter it follows.
fn is_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Hyphenates one hyphen-free part with hypher, pushing `base +` offsets.
fn hypher_part(part: &str, lang: hypher::Lang, right_min: usize, base: usize, out: &mut Vec<usize>) {
    if part.chars().any(is_mark) {
        // Match the word without its marks, then move every break past the marks.
        let bare: String = part.chars().filter(|&c| !is_mark(c)).collect();
        let mut bare_breaks = Vec::new();
        hypher_bare(&bare, lang, right_min, &mut bare_breaks);
        let mut bare_pos = 0;
        let mut wanted = bare_breaks.iter().copied().peekable();
        for (pos, c) in part.char_indices() {
            if is_mark(c) {
                continue;
            }
            if wanted.next_if_eq(&bare_pos).is_some() {
                out.push(base + pos);
            }
            bare_pos += c.len_utf8();
        }
    } else {
        let first = out.len();
        hypher_bare(part, lang, right_min, out);
        for off in &mut out[first..] {
            *off += base;
        }
    }
}

/// Breaks of a word without marks or hyphens, by hypher, as byte offsets.
fn hypher_bare(word: &str, lang: hypher::Lang, right_min: usize, out: &mut Vec<usize>) {
    if word.len() <= hypher::MAX_INLINE_SIZE {
        let mut pos = 0;
        for (i, syllable) in hypher::hyphenate_bounded(word, lang, LEFT_MIN, right_min).enumerate() {
            if i > 0 {
                out.push(pos);
            }
            pos += syllable.len();
        }
        return;
    }
    // Too long for hypher's inline buffer: hyphenate overlapping windows and keep
    // from each only the boundaries that no pattern crossing its cut edge can reach.
    let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).chain(std::iter::once(word.len())).collect();
    let n = starts.len() - 1;
    let (lo_all, hi_all) = (LEFT_MIN, n.saturating_sub(right_min));
    let mut a = 0;
    loop {
        let mut b = a;
        while b < n && starts[b + 1] - starts[a] <= hypher::MAX_INLINE_SIZE {
            b += 1;
        }
        let lo = if a == 0 { lo_all } else { (a + WINDOW_MARGIN).max(lo_all) };
        let exact_hi = if b == n { n } else { b.saturating_sub(WINDOW_MARGIN) };
        let hi = exact_hi.min(hi_all);
        let mut p = a;
        for (i, syllable) in hypher::hyphenate_bounded(&word[starts[a]..starts[b]], lang, 1, 1).enumerate() {
            if i > 0 && (lo..=hi).contains(&p) {
                out.push(starts[p]);
            }
            p += syllable.chars().count();
        }
        if b == n || b - a < 2 * WINDOW_MARGIN {
            // Done, or letters so wide that no window has an exact middle.
            return;
        }
        a = exact_hi + 1 - WINDOW_MARGIN;
    }
}

/// The Kazakh patterns as a trie over lowercase letters and `.` (word edge).
struct Trie {
    nodes: Vec<Node>,
    /// Inter-letter values of all patterns, sliced by [`Node::levels`].
    levels: Vec<u8>,
}

/// One trie node: its children sorted by letter, and the values of the pattern
/// ending here as (start, length) in [`Trie::levels`].
#[derive(Default)]
struct Node {
    children: Vec<(char, u32)>,
    levels: Option<(u32, u8)>,
}

impl Trie {
    /// Parses the `\patterns{...}` block of a TeX pattern file. `%` starts a
    /// comment. Patterns with a `-` (hyph-kk.tex's `1-4`, "break before a
    /// suffix joined by a hyphen") are skipped: words are split at their hyphens
    /// before matching and may break right after each hyphen instead.
    fn parse(tex: &str) -> Trie {
        // At most one node and two values per byte of patterns: no reallocation while parsing.
        let mut trie =
            Trie { nodes: Vec::with_capacity(tex.len() / 2), levels: Vec::with_capacity(tex.len()) };
        trie.nodes.push(Node::default());
        let body = tex.split_once("\\patterns{").map_or("", |(_, rest)| rest);
        'lines: for line in body.lines() {
            let line = line.split_once('%').map_or(line, |(code, _)| code);
            for pattern in line.split_whitespace() {
                let (pattern, end) = match pattern.split_once('}') {
                    Some((p, _)) => (p, true),
                    None => (pattern, false),
                };
                if !pattern.is_empty() && !pattern.contains('-') {
                    trie.insert(pattern);
                }
                if end {
                    break 'lines;
                }
            }
        }
        trie
    }

    /// Adds one pattern such as `с1т2р`.
    fn insert(&mut self, pattern: &str) {
        let mut node = 0usize;
        // The values go straight into `levels`: one before each letter and one after the last.
        let start = self.levels.len();
        self.levels.push(0);
        for c in pattern.chars() {
            if let Some(d) = c.to_digit(10) {
                if let Some(last) = self.levels.last_mut() {
                    *last = d as u8;
                }
                continue;
            }
            self.levels.push(0);
            let c = lower(c);
            node = match self.nodes[node].children.binary_search_by_key(&c, |&(k, _)| k) {
                Ok(i) => self.nodes[node].children[i].1 as usize,
                Err(i) => {
                    let id = self.nodes.len();
                    self.nodes.push(Node::default());
                    self.nodes[node].children.insert(i, (c, id as u32));
                    id
                }
            };
        }
        let len = (self.levels.len() - start).min(u8::MAX as usize);
        self.levels.truncate(start + len);
        self.nodes[node].levels = Some((start as u32, len as u8));
    }

    /// Raises `levels[i]` (the boundary before `symbols[i]`) to the largest value
    /// any matching pattern gives it. `levels.len()` must be `symbols.len() + 1`.
    fn apply(&self, symbols: &[char], levels: &mut [u8]) {
        for start in 0..symbols.len() {
            let mut node = &self.nodes[0];
            for &c in &symbols[start..] {
                let Ok(i) = node.children.binary_search_by_key(&c, |&(k, _)| k) else { break };
                node = &self.nodes[node.children[i].1 as usize];
                if let Some((from, len)) = node.levels {
                    let values = &self.levels[from as usize..from as usize + len as usize];
                    for (slot, &v) in levels[start..].iter_mut().zip(values) {
                        *slot = (*slot).max(v);
                    }
                }
            }
        }
    }
}

/// The Kazakh trie, parsed at first use.
fn kazakh_trie() -> &'static Trie {
    static TRIE: OnceLock<Trie> = OnceLock::new();
    TRIE.get_or_init(|| Trie::parse(KK_PATTERNS))
}

/// Where the patterns allow breaks on both sides of one letter (`зақ-с-тан`),
/// one of them is kept, because hyph-kk.tex allows a break between any two
/// consonants and between a vowel and a consonant before a vowel, while its
/// own comments mean "between exactly two consonants"; it marks only a few
/// triples itself (`л1с2т`, `с1т2р`, `у2т1т`) and calls that list not
/// exhaustive. The letter `у` is a vowel after a consonant and a consonant after
/// a vowel, and the patterns take it both ways, which adds such runs
/// (`шар-у-а`). The kept breaks are, the first rule that applies:
/// 1. those before a single consonant between vowels (`ша-руа`, `ты-ру-шы`);
/// 2. one after the first consonant when the last two form a loanword onset
///    from this list (`Қа-зақ-стан`, `Ас-тра-хань`);
/// 3. one before the last consonant, as a Kazakh syllable may close on two
///    consonants (`айт-ты`, `спорт-шы`).
const KK_ONSETS: &[[char; 2]] = &[
    ['с', 'т'],
    ['с', 'п'],
    ['с', 'к'],
    ['ш', 'т'],
    ['т', 'р'],
    ['д', 'р'],
    ['п', 'р'],
    ['б', 'р'],
    ['г', 'р'],
    ['к', 'р'],
    ['ф', 'р'],
    ['п', 'л'],
    ['б', 'л'],
    ['г', 'л'],
    ['к', 'л'],
    ['ф', 'л'],
];

/// A vowel of Kazakh at `k` of a lowercase word, `у` counting as one after a
/// consonant or at the start (`ту`, `шаруа`) and as a consonant after a vowel (`тау`).
fn kazakh_vowel(letters: &[char], k: usize) -> bool {
    const VOWELS: &str = "аәеёиоөұүыіэюя";
    match letters.get(k) {
        Some('у') => k == 0 || !VOWELS.contains(letters[k - 1]),
        Some(&c) => VOWELS.contains(c),
        None => false,
    }
}

/// Whether a break before letter `k` falls before a single consonant between vowels.
fn kazakh_vcv(letters: &[char], k: usize) -> bool {
    k >= 1 && !kazakh_vowel(letters, k) && kazakh_vowel(letters, k - 1) && kazakh_vowel(letters, k + 1)
}

/// Letters kept on the stack for a Kazakh word; longer words use the heap.
const INLINE_LETTERS: usize = 48;

/// Hyphenates one hyphen-free Kazakh part with the Liang matcher.
fn kazakh_part(part: &str, base: usize, out: &mut Vec<usize>) {
    let n = part.chars().filter(|&c| !is_mark(c)).count();
    let mut symbols_buf = ['\0'; INLINE_LETTERS + 2];
    let mut levels_buf = [0u8; INLINE_LETTERS + 3];
    let mut symbols_heap = Vec::new();
    let mut levels_heap = Vec::new();
    let (symbols, levels): (&mut [char], &mut [u8]) = if n <= INLINE_LETTERS {
        (&mut symbols_buf[..n + 2], &mut levels_buf[..n + 3])
    } else {
        symbols_heap.resize(n + 2, '\0');
        levels_heap.resize(n + 3, 0);
        (&mut symbols_heap, &mut levels_heap)
    };
    symbols[0] = '.';
    symbols[n + 1] = '.';
    for (slot, c) in symbols[1..=n].iter_mut().zip(part.chars().filter(|&c| !is_mark(c))) {
        *slot = lower(c);
    }
    kazakh_trie().apply(symbols, levels);

    // Letter p may start the next line when the boundary before it (levels[p + 1]) is odd.
    let allowed = |p: usize| (LEFT_MIN..=n.saturating_sub(RIGHT_MIN)).contains(&p) && levels[p + 1] % 2 == 1;
    let letters = &symbols[1..=n];
    let mut p = LEFT_MIN;
    let mut letter_index = 0;
    let mut offsets = part.char_indices().filter(|&(_, c)| !is_mark(c)).map(|(i, _)| i);
    while p + RIGHT_MIN <= n {
        if !allowed(p) {
            p += 1;
            continue;
        }
        // A run of breaks on both sides of single letters (`зақ-с-тан`) is thinned.
        let mut q = p;
        while allowed(q + 1) {
            q += 1;
        }
        let mut push = |keep: usize| {
            if let Some(offset) = offsets.nth(keep - letter_index) {
                out.push(base + offset);
            }
            letter_index = keep + 1;
        };
        if q == p {
            push(p);
        } else if (p..=q).any(|k| kazakh_vcv(letters, k)) {
            (p..=q).filter(|&k| kazakh_vcv(letters, k)).for_each(&mut push);
        } else if KK_ONSETS.contains(&[letters[q - 1], letters[q]]) {
            push(q - 1);
        } else {
            push(q);
        }
        p = q + 1;
    }
}

/// The lowercase form of a letter when it is a single letter, else the letter.
fn lower(c: char) -> char {
    // Pattern files and running text are nearly all ASCII or lowercase Cyrillic, for which
    // the answer is known; `to_lowercase` searches a table (most of the cost of parsing the
    // Kazakh patterns before this shortcut).
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if matches!(c, 'а'..='џ' | 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ') {
        return c;
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The shortcuts of `lower` agree with `char::to_lowercase`.
    #[test]
    fn lower_matches_unicode() {
        for c in (0u32..0x600).filter_map(char::from_u32) {
            let mut l = c.to_lowercase();
            let expected = match (l.next(), l.next()) {
                (Some(one), None) => one,
                _ => c,
            };
            assert_eq!(lower(c), expected, "U+{:04X}", c as u32);
        }
    }

    // The per-word cache returns what the patterns give, on the first call and on later ones,
    // and keeps languages apart.
    #[test]
    fn cache_returns_pattern_breaks() {
        for (word, lang) in [
            ("объявление", Lang::Ru),
            ("Қазақстан", Lang::Kk),
            ("Қазақстан", Lang::Ru),
            ("hyphenation", Lang::En),
        ] {
            let fresh = hyphenate_uncached(word, lang);
            assert_eq!(hyphenate(word, lang), fresh, "{word}");
            assert_eq!(hyphenate(word, lang), fresh, "{word}");
        }
    }

    /// The word with `-` at every break that adds a hyphen and `·` at a break
    /// right after the word's own hyphen.
    #[track_caller]
    fn show(word: &str, lang: Lang) -> String {
        let breaks = hyphenate(word, lang);
        let mut s = String::new();
        let mut last = 0;
        for &b in &breaks {
            s.push_str(&word[last..b]);
            s.push(if adds_hyphen(word, b) { '-' } else { '·' });
            last = b;
        }
        s.push_str(&word[last..]);
        s
    }

    /// Asserts the breaks of the word written with `-` at each expected break.
    #[track_caller]
    fn check(expected: &str, lang: Lang) {
        let word = expected.replace('-', "");
        assert_eq!(show(&word, lang), expected, "breaks of {word}");
    }

    // Russian: the brief's three words break where Russian orthography allows.
    #[test]
    fn russian_words() {
        check("объ-яв-ле-ние", Lang::Ru);
        check("подъ-езд", Lang::Ru);
        check("пред-ста-ви-тель-ство", Lang::Ru);
    }

    // Russian: capitals are matched like lowercase and offsets point into the original word.
    #[test]
    fn russian_case_insensitive() {
        check("ОБЪ-ЯВ-ЛЕ-НИЕ", Lang::Ru);
        check("Объ-яв-ле-ние", Lang::Ru);
    }

    // Russian: a stress accent stays with its vowel and does not stop hyphenation.
    #[test]
    fn russian_stress_mark() {
        assert_eq!(show("объявле\u{301}ние", Lang::Ru), "объ-яв-ле\u{301}-ние");
    }

    // Russian: a word longer than hypher's inline buffer is hyphenated like a short one.
    #[test]
    fn russian_long_word() {
        check("до-сто-при-ме-ча-тель-но-стя-ми", Lang::Ru);
        check("че-ло-ве-ко-не-на-вист-ни-че-ство", Lang::Ru);
    }

    // Windowed hyphenation of long words agrees with the breaks hypher gives in
    // pieces short enough for its buffer (sampled over joined Russian words).
    #[test]
    fn long_word_windows_are_exact() {
        let words = ["представительство", "объявление", "достопримечательность", "электроэнергия"];
        for a in words {
            for b in words {
                let long = format!("{a}{b}");
                let breaks = hyphenate(&long, Lang::Ru);
                // Breaks well inside `a` match those of `a` alone followed by the start of `b`.
                let head = &long[..a.len() + 8];
                let short: Vec<usize> = hyphenate(head, Lang::Ru)
                    .into_iter()
                    .filter(|&o| o + 2 * WINDOW_MARGIN < a.len())
                    .collect();
                let long_head: Vec<usize> =
                    breaks.iter().copied().filter(|&o| o + 2 * WINDOW_MARGIN < a.len()).collect();
                assert_eq!(short, long_head, "{long}");
                assert!(breaks.windows(2).all(|w| w[0] < w[1]), "{long}: {breaks:?}");
            }
        }
    }

    // English: hypher's US patterns, with 3 letters kept after a break.
    #[test]
    fn english_words() {
        check("ex-ten-sive", Lang::En);
        check("hy-phen-ation", Lang::En);
        check("Type-set-ting", Lang::En);
    }

    // Kazakh: the compound keeps its loanword onset together.
    #[test]
    fn kazakh_kazakhstan() {
        check("Қа-зақ-стан", Lang::Kk);
        assert_ne!(show("Қазақстан", Lang::Kk), "Қа-за-қстан");
    }

    // Kazakh: two consonants between vowels are split.
    #[test]
    fn kazakh_kukyktyk() {
        check("құ-қық-тық", Lang::Kk);
        assert_ne!(show("құқықтық", Lang::Kk), "құқы-қтық");
    }

    // Kazakh: words broken by hand from the patterns' rules: V-CV before a single
    // consonant, C-C between two consonants, never inside a word-initial pair,
    // one break per three-consonant cluster, 2 letters kept on each side.
    #[test]
    fn kazakh_word_list() {
        for expected in [
            "Ал-ма-ты",
            "Ас-та-на",
            "ба-ла-лар",
            "мек-теп-тер",
            "кі-тап-тар",
            "жұ-мыс-шы-лар",
            "мұ-ға-лім",
            "тә-уел-сіз-дік",
            "қа-зақ-стан-дық",
            "айт-ты",
            "спорт-шы",
            "Өс-ке-мен",
            "се-бе-бі",
            "ба-ла",
            "Қос-та-най",
            "ға-лым-дар",
            "бас-та-уыш",
            "жа-зу-шы",
        ] {
            check(expected, Lang::Kk);
        }
    }

    // Kazakh: where the patterns allow breaks on both sides of one letter, one
    // rule picks: V-CV breaks first, then a loanword onset, then a two-consonant coda.
    #[test]
    fn kazakh_runs_of_breaks() {
        check("ауыл-ша-руа-шы-лы-ғы", Lang::Kk);
        check("ұйым-дас-ты-ру-шы-лар", Lang::Kk);
        check("Ас-тра-хань", Lang::Kk);
        check("жұрт-ты", Lang::Kk);
    }

    // Kazakh: a suffix joined by a hyphen may start the next line after that hyphen.
    #[test]
    fn kazakh_explicit_hyphen() {
        assert_eq!(show("ҚР-ның", Lang::Kk), "ҚР-·ның");
        assert_eq!(show("Алматы-ға", Lang::Kk), "Ал-ма-ты-·ға");
    }

    // Kazakh: Russian patterns are never used (`и` is no vowel in hyph-kk.tex).
    #[test]
    fn kazakh_never_uses_russian_patterns() {
        assert_eq!(show("университет", Lang::Kk), "универ-ситет");
        assert_eq!(show("университет", Lang::Ru), "уни-вер-си-тет");
    }

    // Every language keeps at least 2 letters before and after each break.
    #[test]
    fn left_and_right_minimum() {
        for (word, lang) in [
            ("ауыл", Lang::Kk),
            ("ала", Lang::Kk),
            ("екінші", Lang::Kk),
            ("ого", Lang::Ru),
            ("объём", Lang::Ru),
            ("added", Lang::En),
            ("кое-что", Lang::Ru),
            ("а-я", Lang::Ru),
        ] {
            let n = word.chars().count();
            for b in hyphenate(word, lang) {
                let before = word[..b].chars().filter(|c| c.is_alphabetic()).count();
                let after = word[b..].chars().filter(|c| c.is_alphabetic()).count();
                assert!(before >= 2 && after >= 2, "{word} at {b} ({n} letters)");
            }
        }
        assert_eq!(show("ала", Lang::Kk), "ала");
        assert_eq!(show("екінші", Lang::Kk), "екін-ші");
        assert_eq!(show("а-я", Lang::Ru), "а-я");
    }

    // A hyphenated Russian word breaks after its hyphen, parts hyphenated on their own.
    #[test]
    fn russian_hyphenated_word() {
        assert_eq!(show("кое-что", Lang::Ru), "кое-·что");
        assert_eq!(show("северо-восток", Lang::Ru), "се-ве-ро-·во-сток");
    }

    // Words with digits, punctuation or spaces get no breaks; odd input never panics.
    #[test]
    fn non_words() {
        for w in ["", "-", "--", "2050", "Қазақстан-2050", "слово,", "два слова", "a'b", "\u{301}", "ъъъъъъ"]
        {
            for lang in [Lang::Ru, Lang::Kk, Lang::En] {
                let breaks = hyphenate(w, lang);
                assert!(breaks.iter().all(|&b| w.is_char_boundary(b) && b > 0 && b < w.len()), "{w}");
            }
        }
        assert!(hyphenate("Қазақстан-2050", Lang::Kk).is_empty());
        assert!(hyphenate("слово,", Lang::Ru).is_empty());
        let long = "ы".repeat(300);
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            let _ = hyphenate(&long, lang);
            let _ = hyphenate(&"ab".repeat(200), lang);
            let _ = hyphenate(&"中".repeat(40), lang);
        }
    }

    // The Kazakh trie holds every pattern of the file except the hyphen rule.
    #[test]
    fn kazakh_trie_parses_all_patterns() {
        let trie = kazakh_trie();
        let with_values = trie.nodes.iter().filter(|n| n.levels.is_some()).count();
        assert_eq!(with_values, 5766 - 1);
    }
}
