//! The typographic rules of each language, applied to one block's text as a
//! stream of characters.
//!
//! In: the characters of a paragraph, heading, table cell or lone string as
//! [`Cell`]s, each remembering which text inline it came from, so quotes and
//! spaces that straddle inline boundaries are seen in document order. Inlines
//! that are not text (code spans, footnote calls, line breaks) stand in the
//! stream as one placeholder each and are never changed. Out: the same stream
//! after the passes: spaces, dashes, quotes, no-break spaces. Every pass maps
//! its own output to itself, so running the rules twice changes nothing (tests
//! check it on generated input).

use crate::model::Lang;

/// U+00A0 NO-BREAK SPACE.
pub const NBSP: char = '\u{a0}';

/// Stands for an inline that reads as part of a word: a code span or a footnote
/// call (U+FFFC OBJECT REPLACEMENT CHARACTER).
pub(crate) const ATOM: char = '\u{fffc}';

/// Stands for a hard line break (U+2028 LINE SEPARATOR): a new line starts here.
pub(crate) const LINE_BREAK: char = '\u{2028}';

/// One character of a block's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    /// The character.
    pub(crate) ch: char,
    /// Index of the text inline it belongs to; `None` for [`ATOM`] and [`LINE_BREAK`].
    pub(crate) owner: Option<u32>,
}

/// How a language sets a dash between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DashStyle {
    /// `слово — слово`: an em dash with spaces, tied to the word before by a
    /// no-break space so it never starts a line (Мильчин, «Справочник издателя
    /// и автора», § 10.15); a dash opening a paragraph (dialogue) is followed by
    /// a no-break space.
    Spaced,
    /// `word—word`: a closed-up em dash (The Chicago Manual of Style, 6.85).
    Closed,
}

/// The typographic rules of one language.
#[derive(Debug)]
pub(crate) struct Rules {
    /// Outer quotation marks (opening, closing).
    outer: (char, char),
    /// Quotation marks inside outer ones (opening, closing).
    inner: (char, char),
    /// Dash style.
    dash: DashStyle,
    /// Short words tied to the next word by a no-break space, space-separated
    /// (lowercase; matched case-insensitively): prepositions, conjunctions and
    /// particles that should not end a line.
    bind_after: &'static [&'static str],
    /// Enclitic particles tied to the word before them, space-separated.
    bind_before: &'static [&'static str],
    /// Abbreviations written as single letters with periods that introduce what
    /// follows, as their letters (`те` for `т. е.`): tied to the next word.
    abbrev_next: &'static [&'static str],
    /// Closing abbreviations as their letters (`тд` for `т. д.`): tied to the
    /// word before, also across one word of [`Rules::abbrev_lead`] (`и т. д.`).
    abbrev_prev: &'static [&'static str],
    /// Words that may stand between a word and a closing abbreviation.
    abbrev_lead: &'static [&'static str],
    /// Whether initials, numbers with units, `№` and `§` get no-break spaces.
    nbsp_rules: bool,
    /// Beginnings of words longer than [`SHORT_WORD`] that still belong to the
    /// number before them (`40 миллионов`), space-separated.
    unit_prefixes: &'static [&'static str],
}

/// A lowercase word of at most this many letters after a number is tied to it:
/// counted nouns and units in Russian and Kazakh are mostly this short (`тысяч`,
/// `тенге`, `теңге`, `км`, `г.`, `лет`, `мая`, `жыл`); longer words after a
/// number more often start the rest of the sentence.
const SHORT_WORD: usize = 6;

/// Signs set after a number with a no-break space (`100 %`, `5 ₸`).
const UNIT_SIGNS: &[char] = &['%', '‰', '°', '₸', '₽', '$', '€', '£'];

/// Russian.
const RU: Rules = Rules {
    outer: ('«', '»'),
    inner: ('„', '“'),
    dash: DashStyle::Spaced,
    // All one-letter words, the two-letter prepositions and conjunctions, the
    // negations, and `из-за`, `из-под` (prepositions written with a hyphen).
    bind_after: &[
        "а",
        "в",
        "и",
        "к",
        "о",
        "с",
        "у",
        "я",
        "во",
        "со",
        "ко",
        "на",
        "за",
        "из",
        "от",
        "до",
        "по",
        "об",
        "не",
        "ни",
        "но",
        "да",
        "из-за",
        "из-под",
    ],
    // Enclitic particles read with the word before them.
    bind_before: &["же", "ли", "бы"],
    // т. е. (то есть), т. к. (так как), т. н. (так называемый), т. ч. (в т. ч.).
    abbrev_next: &["те", "тк", "тн", "тч"],
    // и т. д. (и так далее), и т. п. (и тому подобное).
    abbrev_prev: &["тд", "тп"],
    abbrev_lead: &["и"],
    nbsp_rules: true,
    unit_prefixes: &[
        "миллион",
        "миллиард",
        "триллион",
        "процент",
        "километр",
        "сантиметр",
        "миллиметр",
        "килограмм",
        "гектар",
        "человек",
        "тысяч",
        "доллар",
        "рубл",
    ],
};

/// Kazakh. Kazakh has no one-letter prepositions or conjunctions (its
/// grammatical relations are suffixes), so the Russian list is not used.
const KK: Rules = Rules {
    outer: ('«', '»'),
    inner: ('„', '“'),
    dash: DashStyle::Spaced,
    // `ал` ("and, but, as for") opens a clause and is written apart.
    bind_after: &["ал"],
    // Particles written apart but read with the word before: `да/де/та/те`
    // ("also, and"), the question particles `ма/ме/ба/бе/па/пе`, and `ше`.
    bind_before: &["да", "де", "та", "те", "ма", "ме", "ба", "бе", "па", "пе", "ше"],
    abbrev_next: &[],
    // т. б. (тағы басқа, "etc."), т. с. с. (тағы сол сияқты, "and so on").
    abbrev_prev: &["тб", "тсс"],
    abbrev_lead: &[],
    nbsp_rules: true,
    unit_prefixes: &["миллион", "миллиард", "триллион", "шақырым", "километр", "гектар", "процент"],
};

/// English: quotes, apostrophes and dashes only.
const EN: Rules = Rules {
    outer: ('“', '”'),
    inner: ('‘', '’'),
    dash: DashStyle::Closed,
    bind_after: &[],
    bind_before: &[],
    abbrev_next: &[],
    abbrev_prev: &[],
    abbrev_lead: &[],
    nbsp_rules: false,
    unit_prefixes: &[],
};

/// The rules of a language.
pub(crate) fn rules(lang: Lang) -> &'static Rules {
    match lang {
        Lang::Ru => &RU,
        Lang::Kk => &KK,
        Lang::En => &EN,
    }
}

/// Applies every rule of `lang` to a block's characters.
pub(crate) fn apply(cells: Vec<Cell>, lang: Lang) -> Vec<Cell> {
    let rules = rules(lang);
    let cells = collapse_spaces(cells);
    // Most blocks have no hyphen or dash and no quote: those passes are skipped for them.
    let has =
        |cells: &[Cell], pick: &dyn Fn(char) -> bool| cells.iter().any(|c| c.owner.is_some() && pick(c.ch));
    let cells = if has(&cells, &|c| matches!(c, '-' | '—' | '–')) { dashes(cells, rules) } else { cells };
    let quote = |c: char| {
        matches!(c, '"' | '\'') || [rules.outer.0, rules.outer.1, rules.inner.0, rules.inner.1].contains(&c)
    };
    let mut cells = if has(&cells, &quote) { quotes(cells, rules) } else { cells };
    let mut chars: Vec<char> = cells.iter().map(|c| c.ch).collect();
    if rules.nbsp_rules
        && let Some(spaced) = space_abbreviations(&cells, &chars)
    {
        cells = spaced;
        chars = cells.iter().map(|c| c.ch).collect();
    }
    bind(&mut cells, &chars, rules);
    cells
}

/// A space that may be collapsed: space, tab, newline (a soft line break) or no-break space.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | NBSP)
}

/// A space or a line break: where a new word or line starts.
fn is_gap(c: char) -> bool {
    is_space(c) || c == LINE_BREAK
}

/// Collapses each run of spaces to one (a no-break space when the run had one),
/// and drops spaces at the start and end of the block and around line breaks.
fn collapse_spaces(cells: Vec<Cell>) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::with_capacity(cells.len());
    for cell in cells {
        if cell.owner.is_some() && is_space(cell.ch) {
            let keep_nbsp = cell.ch == NBSP;
            match out.last_mut() {
                None => {}
                Some(last) if last.ch == LINE_BREAK => {}
                Some(last) if last.owner.is_some() && is_space(last.ch) => {
                    last.ch = if keep_nbsp { NBSP } else { last.ch };
                }
                Some(_) => out.push(Cell { ch: if keep_nbsp { NBSP } else { ' ' }, ..cell }),
            }
        } else {
            if cell.ch == LINE_BREAK && out.last().is_some_and(|l| l.owner.is_some() && is_space(l.ch)) {
                out.pop();
            }
            out.push(cell);
        }
    }
    if out.last().is_some_and(|l| l.owner.is_some() && is_space(l.ch)) {
        out.pop();
    }
    out
}

/// The character of a cell.
fn ch(cell: Option<&Cell>) -> Option<char> {
    cell.map(|c| c.ch)
}

fn is_digit(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit())
}

/// Rewrites hyphens and dashes: ranges, dashes between words, dialogue dashes.
fn dashes(cells: Vec<Cell>, rules: &Rules) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::with_capacity(cells.len());
    let mut i = 0;
    while i < cells.len() {
        let cell = cells[i];
        if cell.owner.is_none() || !matches!(cell.ch, '-' | '—' | '–') {
            out.push(cell);
            i += 1;
            continue;
        }
        let run = if cell.ch == '-' {
            cells[i..].iter().take_while(|c| c.ch == '-' && c.owner.is_some()).count()
        } else {
            1
        };
        let end = i + run;
        let next = ch(cells.get(end));
        let next2 = ch(cells.get(end + 1));
        let prev = ch(out.last());
        let prev2 = ch(out.len().checked_sub(2).and_then(|k| out.get(k)));
        // `-`, `--`, `---` and `—` written as a dash; a spaced `–` also is one.
        let dash_like = (cell.ch == '-' && run <= 3) || cell.ch == '—';
        let range_like = (cell.ch == '-' && run == 2) || cell.ch == '–';
        let spaced_before = prev.is_some_and(is_space) && prev2.is_some_and(|p| p != LINE_BREAK);
        let spaced_after = next.is_none_or(is_gap);

        // `1941--1945` and `1941 -- 1945`: an en dash without spaces.
        if range_like && is_digit(prev) && is_digit(next) {
            out.push(Cell { ch: '–', ..cell });
            i = end;
            continue;
        }
        if range_like && spaced_before && is_digit(prev2) && next.is_some_and(is_space) && is_digit(next2) {
            out.pop();
            out.push(Cell { ch: '–', ..cell });
            i = end + 1;
            continue;
        }
        // `5 - 3`: a spaced hyphen between numbers may be a minus; left alone.
        let minus = cell.ch == '-' && run == 1 && is_digit(prev2) && is_digit(next2);

        match rules.dash {
            DashStyle::Spaced => {
                let line_start = prev.is_none_or(|p| p == LINE_BREAK);
                if line_start && dash_like && next.is_some_and(is_space) {
                    out.push(Cell { ch: '—', ..cell });
                    out.push(Cell { ch: NBSP, ..cells[end] });
                    i = end + 1;
                    continue;
                }
                if (dash_like || cell.ch == '–') && !minus && spaced_before && spaced_after {
                    if let Some(space) = out.last_mut() {
                        space.ch = NBSP;
                    }
                    out.push(Cell { ch: '—', ..cell });
                    if next == Some(NBSP) {
                        out.push(Cell { ch: ' ', ..cells[end] });
                        i = end + 1;
                    } else {
                        i = end;
                    }
                    continue;
                }
            }
            DashStyle::Closed => {
                if dash_like && !minus && spaced_before && spaced_after {
                    out.pop();
                    out.push(Cell { ch: '—', ..cell });
                    i = if next.is_some_and(is_space) { end + 1 } else { end };
                    continue;
                }
                let letters_around = prev.is_some_and(super::is_letter) && next.is_some_and(super::is_letter);
                if cell.ch == '-' && (2..=3).contains(&run) && letters_around {
                    out.push(Cell { ch: '—', ..cell });
                    i = end;
                    continue;
                }
            }
        }
        out.extend_from_slice(&cells[i..end]);
        i = end;
    }
    out
}

/// Whether a straight quote between `prev` and `next` opens a quotation.
fn opens(prev: Option<char>, next: Option<char>, rules: &Rules) -> bool {
    let Some(p) = prev else { return true };
    if is_gap(p) || matches!(p, '(' | '[' | '{' | '—' | '–') || p == rules.outer.0 || p == rules.inner.0 {
        return true;
    }
    if super::is_alnum(p) || p == ATOM || matches!(p, ')' | ']' | '}' | '’') {
        return false;
    }
    if p == rules.outer.1 || p == rules.inner.1 {
        return false;
    }
    // After other punctuation (`:"Да"`, `."`) the next character decides.
    next.is_some_and(|n| super::is_alnum(n) || n == ATOM || matches!(n, '(' | '[' | '"' | '\''))
}

/// Curly quotes and apostrophes from straight ones; existing curly quotes count for nesting.
fn quotes(mut cells: Vec<Cell>, rules: &Rules) -> Vec<Cell> {
    let mut depth = 0usize;
    for i in 0..cells.len() {
        let cell = cells[i];
        let prev = i.checked_sub(1).and_then(|k| cells.get(k)).map(|c| c.ch);
        let next = cells.get(i + 1).map(|c| c.ch);
        let c = cell.ch;
        if cell.owner.is_none() {
            continue;
        }
        if c == '"' {
            let glyph = if opens(prev, next, rules) {
                let g = if depth.is_multiple_of(2) { rules.outer.0 } else { rules.inner.0 };
                depth += 1;
                g
            } else if depth > 0 {
                depth -= 1;
                if depth.is_multiple_of(2) { rules.outer.1 } else { rules.inner.1 }
            } else {
                rules.outer.1
            };
            cells[i].ch = glyph;
        } else if c == '\'' {
            let between_letters = prev.is_some_and(super::is_letter) && next.is_some_and(super::is_letter);
            if between_letters {
                cells[i].ch = '’';
            } else if rules.dash == DashStyle::Closed {
                // English single quotes; `'90s` keeps an apostrophe.
                let open = opens(prev, next, rules) && !is_digit(next);
                cells[i].ch = if open { '‘' } else { '’' };
            }
        } else if c == rules.outer.0 || (c == rules.inner.0 && rules.inner.0 != '‘') {
            depth += 1;
        } else if c == rules.outer.1 || (c == rules.inner.1 && rules.inner.1 != '’') {
            depth = depth.saturating_sub(1);
        }
    }
    cells
}

/// Writes chains of one-letter abbreviations with no-break spaces between their
/// parts: `т.е.` and `т. е.` become `т.\u{a0}е.`, `т.с.с.` becomes `т.\u{a0}с.\u{a0}с.`.
/// `chars` are the cells' characters; `None` when there is no such chain.
fn space_abbreviations(cells: &[Cell], chars: &[char]) -> Option<Vec<Cell>> {
    // A chain starts at a letter followed by a period: nearly every position is passed over here.
    let found = |i: usize| {
        if chars.get(i + 1) != Some(&'.') {
            return None;
        }
        abbreviation_at(chars, i).filter(|&end| cells[i..end].iter().all(|c| c.owner.is_some()))
    };
    let first = (0..cells.len()).find(|&i| found(i).is_some())?;
    let mut out = Vec::with_capacity(cells.len() + 4);
    out.extend_from_slice(&cells[..first]);
    let mut i = first;
    while i < cells.len() {
        match found(i) {
            Some(end) => {
                let mut k = i;
                while k < end {
                    out.push(cells[k]);
                    if cells[k].ch == '.' && k + 1 < end {
                        if is_space(chars[k + 1]) {
                            out.push(Cell { ch: NBSP, ..cells[k + 1] });
                            k += 1;
                        } else {
                            out.push(Cell { ch: NBSP, ..cells[k] });
                        }
                    }
                    k += 1;
                }
                i = end;
            }
            None => {
                out.push(cells[i]);
                i += 1;
            }
        }
    }
    Some(out)
}

/// A chain of at least two one-letter lowercase abbreviations (`т. е.`, `т.д.`)
/// starting at `i`: where it ends.
fn abbreviation_at(chars: &[char], i: usize) -> Option<usize> {
    // Nearly every position fails here, before the boundary test below.
    if chars.get(i + 1) != Some(&'.') {
        return None;
    }
    let boundary_before = i.checked_sub(1).is_none_or(|k| !super::is_alnum(chars[k]) && chars[k] != '.');
    // A lowercase letter and a period at `k`.
    let part = |k: usize| chars.get(k).is_some_and(|c| c.is_lowercase()) && chars.get(k + 1) == Some(&'.');
    // ... not followed by more of a word, unless that is the next part.
    let whole_part =
        |k: usize| part(k) && (chars.get(k + 2).is_none_or(|c| !super::is_alnum(*c)) || part(k + 2));
    if !boundary_before || !whole_part(i) {
        return None;
    }
    let mut end = i + 2;
    let mut parts = 1;
    loop {
        let next = if chars.get(end).is_some_and(|&c| is_space(c)) { end + 1 } else { end };
        if !whole_part(next) {
            break;
        }
        end = next + 2;
        parts += 1;
    }
    (parts >= 2).then_some(end)
}

/// Ties words together with no-break spaces where a line must not break.
/// `chars` are the cells' characters.
fn bind(cells: &mut [Cell], chars: &[char], rules: &Rules) {
    if rules.bind_after.is_empty() && rules.bind_before.is_empty() && !rules.nbsp_rules {
        return;
    }
    for i in 0..chars.len() {
        if chars[i] != ' ' || cells[i].owner.is_none() || i == 0 || i + 1 >= chars.len() {
            continue;
        }
        let tie = short_word_before(chars, i, rules)
            || enclitic_after(chars, i, rules)
            || (rules.nbsp_rules
                && (abbreviation_ties(chars, i, rules)
                    || initials_tie(chars, i)
                    || number_ties(chars, i, rules)
                    || matches!(chars[i - 1], '№' | '§')));
        if tie {
            cells[i].ch = NBSP;
        }
    }
}

/// A letter that belongs to a word (letters and combining marks).
fn is_letter(c: char) -> bool {
    super::is_letter(c) || ('\u{300}'..='\u{36f}').contains(&c)
}

/// The start of the word (letters, inner hyphens) that ends right before `i`,
/// if a boundary precedes it.
fn word_before(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while j > 0
        && (is_letter(chars[j - 1]) || (chars[j - 1] == '-' && j < i && j >= 2 && is_letter(chars[j - 2])))
    {
        j -= 1;
    }
    let bounded = j.checked_sub(1).is_none_or(|k| !super::is_alnum(chars[k]) && chars[k] != ATOM);
    (j < i && bounded).then_some(j)
}

/// The end of the word (letters, inner hyphens) that starts at `i`, if a
/// boundary follows it.
fn word_after(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    while j < chars.len()
        && (is_letter(chars[j])
            || (chars[j] == '-' && j > i && chars.get(j + 1).is_some_and(|&c| is_letter(c))))
    {
        j += 1;
    }
    let bounded = chars.get(j).is_none_or(|&c| !super::is_alnum(c) && c != ATOM);
    (j > i && bounded).then_some(j)
}

/// Whether `word` spells `expected` (given in lowercase), ignoring case.
fn word_is(word: &[char], expected: &str) -> bool {
    // Most words are longer than any listed one: a word of more characters than the
    // expected one has bytes cannot spell it.
    if word.len() > expected.len() {
        return false;
    }
    let mut e = expected.chars();
    word.iter().all(|&c| e.next() == Some(lower(c))) && e.next().is_none()
}

fn lower(c: char) -> char {
    // Fast paths for ASCII and the Russian alphabet; `to_lowercase` searches a table.
    match c as u32 {
        0x41..=0x5A => return c.to_ascii_lowercase(),
        0..=0x7F => return c,
        0x410..=0x42F => return char::from_u32(c as u32 + 0x20).unwrap_or(c),
        0x430..=0x44F => return c,
        _ => {}
    }
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(one), None) => one,
        _ => c,
    }
}

/// Whether a word, number or quotation starts with `c`.
fn starts_word(c: Option<char>) -> bool {
    c.is_some_and(|c| super::is_alnum(c) || matches!(c, ATOM | '«' | '„' | '“' | '‘' | '(' | '[' | '№' | '§'))
}

/// `в доме`, `на столе`: a short preposition, conjunction or particle before `i`.
fn short_word_before(chars: &[char], i: usize, rules: &Rules) -> bool {
    // No listed word is longer than SHORT_BOUND characters: most words before a space are,
    // which shows in the letters right before it.
    if i > SHORT_BOUND && chars[i - SHORT_BOUND - 1..i].iter().all(|&c| is_letter(c)) {
        return false;
    }
    let Some(start) = word_before(chars, i) else { return false };
    let word = &chars[start..i];
    starts_word(chars.get(i + 1).copied()) && rules.bind_after.iter().any(|w| word_is(word, w))
}

/// The most characters of a word in any language's `bind_after` (`из-под`).
const SHORT_BOUND: usize = 6;

/// The most characters of a word in any language's `bind_before` or `abbrev_lead`.
const PARTICLE_BOUND: usize = 2;

/// Whether the word starting at `i` has more than `n` letters: most words do, which
/// shows in the letters from `i` on without finding where the word ends.
fn longer_than(chars: &[char], i: usize, n: usize) -> bool {
    chars.get(i..=i + n).is_some_and(|w| w.iter().all(|&c| is_letter(c)))
}

/// `он же`, `мен де`: an enclitic particle after `i`.
fn enclitic_after(chars: &[char], i: usize, rules: &Rules) -> bool {
    if rules.bind_before.is_empty() || longer_than(chars, i + 1, PARTICLE_BOUND) {
        return false;
    }
    let Some(end) = word_after(chars, i + 1) else { return false };
    let before = chars[i - 1];
    let attached = super::is_alnum(before) || matches!(before, ATOM | '»' | '“' | '”' | ')');
    attached && rules.bind_before.iter().any(|w| word_is(&chars[i + 1..end], w))
}

/// Letters of a one-letter-abbreviation chain ending right before `i`
/// (`т. е.` before `i` gives `те`), if there is one.
fn abbreviation_ending_at(chars: &[char], i: usize) -> Option<String> {
    let mut letters = Vec::new();
    let mut j = i;
    while j >= 2 && chars[j - 1] == '.' && chars[j - 2].is_lowercase() {
        let start = j - 2;
        let bounded = start.checked_sub(1).is_none_or(|k| !super::is_alnum(chars[k]));
        if !bounded {
            return None;
        }
        letters.push(chars[start]);
        j = start;
        if j >= 1 && is_space(chars[j - 1]) && j >= 3 && chars[j - 2] == '.' {
            j -= 1;
        }
    }
    (letters.len() >= 2).then(|| letters.iter().rev().collect())
}

/// `т. е. всё`, `яблоки и т. д.`, `кітаптар т. б.`: abbreviations that cling to
/// the word after or before them.
fn abbreviation_ties(chars: &[char], i: usize, rules: &Rules) -> bool {
    if let Some(letters) = abbreviation_ending_at(chars, i)
        && rules.abbrev_next.iter().any(|w| *w == letters)
        && starts_word(chars.get(i + 1).copied())
    {
        return true;
    }
    if !(super::is_alnum(chars[i - 1]) || matches!(chars[i - 1], ATOM | ',' | '»' | ')')) {
        return false;
    }
    let closing_at = |k: usize| {
        abbreviation_at(chars, k).is_some_and(|end| {
            abbreviation_ending_at(chars, end).is_some_and(|l| rules.abbrev_prev.iter().any(|w| *w == l))
        })
    };
    if closing_at(i + 1) {
        return true;
    }
    if !rules.abbrev_lead.is_empty()
        && !longer_than(chars, i + 1, PARTICLE_BOUND)
        && let Some(end) = word_after(chars, i + 1)
        && rules.abbrev_lead.iter().any(|w| word_is(&chars[i + 1..end], w))
        && chars.get(end).is_some_and(|&c| is_space(c))
    {
        return closing_at(end + 1);
    }
    false
}

/// An initial ending right before `i` (`А.`, `К.-Ж.`): its start.
fn initial_ending_at(chars: &[char], i: usize) -> Option<usize> {
    let single = |end: usize| end >= 2 && chars[end - 1] == '.' && chars[end - 2].is_uppercase();
    if !single(i) {
        return None;
    }
    let mut start = i - 2;
    if start >= 3 && chars[start - 1] == '-' && single(start - 1) {
        start -= 3;
    }
    let bounded = start.checked_sub(1).is_none_or(|k| !super::is_alnum(chars[k]));
    bounded.then_some(start)
}

/// An initial starting at `i`: its end.
fn initial_starting_at(chars: &[char], i: usize) -> Option<usize> {
    let single = |k: usize| chars.get(k).is_some_and(|c| c.is_uppercase()) && chars.get(k + 1) == Some(&'.');
    if !single(i) {
        return None;
    }
    let mut end = i + 2;
    if chars.get(end) == Some(&'-') && single(end + 1) {
        end += 3;
    }
    chars.get(end).is_none_or(|c| !super::is_alnum(*c)).then_some(end)
}

/// A capitalised word (an uppercase letter followed by a lowercase one) at `i`.
fn capitalised_at(chars: &[char], i: usize) -> bool {
    chars.get(i).is_some_and(|c| c.is_uppercase()) && chars.get(i + 1).is_some_and(|c| c.is_lowercase())
}

/// `А. С. Пушкин`, `К.-Ж. Токаев`, `Пушкин А. С.`: initials stay with each other
/// and with the surname.
fn initials_tie(chars: &[char], i: usize) -> bool {
    if initial_ending_at(chars, i).is_some()
        && (initial_starting_at(chars, i + 1).is_some() || capitalised_at(chars, i + 1))
    {
        return true;
    }
    // Surname first: tie only when the initials are not followed by another surname.
    let Some(mut end) = initial_starting_at(chars, i + 1) else { return false };
    let Some(start) = word_before(chars, i) else { return false };
    if !capitalised_at(chars, start) {
        return false;
    }
    while chars.get(end).is_some_and(|&c| is_space(c))
        && let Some(e) = initial_starting_at(chars, end + 1)
    {
        end = e;
    }
    !(chars.get(end).is_some_and(|&c| is_space(c)) && capitalised_at(chars, end + 1))
}

/// A Roman numeral letter.
fn is_roman(c: char) -> bool {
    matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M')
}

/// `50 тенге`, `40 тысяч`, `100 %`, `2026 г.`, `XX в.`, `40 000`: a number and
/// the unit, counted word or thousands group after it.
fn number_ties(chars: &[char], i: usize, rules: &Rules) -> bool {
    let last = chars[i - 1];
    let mut j = i;
    let roman = is_roman(last);
    if last.is_ascii_digit() {
        while j > 0
            && (chars[j - 1].is_ascii_digit()
                || (matches!(chars[j - 1], ',' | '.') && j < i && j >= 2 && chars[j - 2].is_ascii_digit()))
        {
            j -= 1;
        }
    } else if roman {
        while j > 0 && is_roman(chars[j - 1]) {
            j -= 1;
        }
    } else {
        return false;
    }
    if j.checked_sub(1).is_some_and(|k| super::is_alnum(chars[k])) {
        return false;
    }
    let next = i + 1;
    if !roman {
        if chars.get(next).is_some_and(|c| UNIT_SIGNS.contains(c))
            && chars.get(next + 1).is_none_or(|c| !super::is_alnum(*c))
        {
            return true;
        }
        // Thousands written with spaces: a group of 1–3 digits, then exactly 3.
        let group = chars[next..].iter().take_while(|c| c.is_ascii_digit()).count();
        let after = chars.get(next + group).copied();
        let decimal_after =
            after.is_some_and(|c| matches!(c, '.' | ',')) && is_digit(chars.get(next + group + 1).copied());
        let group_ends = after.is_none_or(|c| !super::is_alnum(c)) && !decimal_after;
        if group == 3 && i - j <= 3 && chars[j..i].iter().all(char::is_ascii_digit) && group_ends {
            return true;
        }
    }
    let Some(end) = word_after(chars, next) else { return false };
    let word = &chars[next..end];
    if !word[0].is_lowercase() {
        return false;
    }
    // A preposition or conjunction after a number leans on the word after it, not on
    // the number ("с 17 до 21 часа" breaks after "17"): tied both ways, such chains
    // grow too long to break and leave the line before them loose.
    // ("в." after a numeral is an abbreviation, "век", and stays tied.)
    if chars.get(end) != Some(&'.') && rules.bind_after.iter().any(|w| word_is(word, w)) {
        return false;
    }
    let letters = word.iter().filter(|c| super::is_letter(**c)).count();
    letters <= SHORT_WORD
        || rules.unit_prefixes.iter().any(|p| {
            let mut w = word.iter().map(|&c| lower(c));
            p.chars().all(|pc| w.next() == Some(pc))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    // `short_word_before` stops at words longer than SHORT_BOUND and the particle checks at
    // words longer than PARTICLE_BOUND: none of the listed words is.
    #[test]
    fn bound_words_are_short() {
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            let r = rules(lang);
            for w in r.bind_after {
                assert!(w.chars().count() <= SHORT_BOUND, "{w}");
            }
            for w in r.bind_before.iter().chain(r.abbrev_lead) {
                assert!(w.chars().count() <= PARTICLE_BOUND, "{w}");
            }
        }
    }

    // The fast paths of `lower` agree with `char::to_lowercase` wherever it gives one character.
    #[test]
    fn lower_matches_unicode() {
        for c in (0u32..0x500).filter_map(char::from_u32) {
            let mut l = c.to_lowercase();
            if let (Some(one), None) = (l.next(), l.next()) {
                assert_eq!(lower(c), one, "U+{:04X}", c as u32);
            }
        }
    }

    /// Runs the rules of `lang` on one string.
    fn run(text: &str, lang: Lang) -> String {
        let cells = text.chars().map(|ch| Cell { ch, owner: Some(0) }).collect();
        apply(cells, lang).into_iter().map(|c| c.ch).collect()
    }

    /// Asserts the Russian result; `~` in `expected` stands for a no-break space.
    #[track_caller]
    fn ru(input: &str, expected: &str) {
        assert_eq!(run(input, Lang::Ru), expected.replace('~', "\u{a0}"), "{input:?}");
    }

    #[track_caller]
    fn kk(input: &str, expected: &str) {
        assert_eq!(run(input, Lang::Kk), expected.replace('~', "\u{a0}"), "{input:?}");
    }

    #[track_caller]
    fn en(input: &str, expected: &str) {
        assert_eq!(run(input, Lang::En), expected.replace('~', "\u{a0}"), "{input:?}");
    }

    // Straight double quotes become guillemets.
    #[test]
    fn ru_quotes() {
        ru("\"слово\"", "«слово»");
        ru("он сказал \"да\".", "он сказал «да».");
    }

    // Quotes inside quotes become German-style „…“.
    #[test]
    fn ru_nested_quotes() {
        ru("\"Роман \"Война и мир\" издан\"", "«Роман „Война и~мир“ издан»");
        ru("\"Роман \"Война и мир\"\"", "«Роман „Война и~мир“»");
    }

    // Existing guillemets are kept and count for nesting.
    #[test]
    fn ru_existing_guillemets() {
        ru("«Роман \"Война\"»", "«Роман „Война“»");
        ru("«слово»", "«слово»");
    }

    // A quote after a colon, a bracket or a dash opens; after punctuation at the end it closes.
    #[test]
    fn ru_quote_context() {
        ru("сказал:\"Да\"", "сказал:«Да»");
        ru("(\"да\")", "(«да»)");
        ru("\"Привет.\"", "«Привет.»");
        ru("\"Да!\", — сказал", "«Да!»,~— сказал");
    }

    // An apostrophe between letters becomes ’.
    #[test]
    fn ru_apostrophe() {
        ru("д'Артаньян", "д’Артаньян");
    }

    // A spaced hyphen between words becomes a no-break space, an em dash and a space.
    #[test]
    fn ru_spaced_hyphen() {
        ru("Москва - столица", "Москва~— столица");
    }

    // A spaced double hyphen and a spaced em dash are set the same way.
    #[test]
    fn ru_double_hyphen_and_em_dash() {
        ru("Москва -- столица", "Москва~— столица");
        ru("Москва --- столица", "Москва~— столица");
        ru("Москва — столица", "Москва~— столица");
        ru("Москва – столица", "Москва~— столица");
    }

    // A dash after punctuation is bound to it.
    #[test]
    fn ru_dash_after_comma() {
        ru("Да, - сказал он", "Да,~— сказал он");
    }

    // A dash on a new source line (soft break) after a word is bound to that word.
    #[test]
    fn ru_dash_after_soft_break() {
        ru("слово\n- другое", "слово~— другое");
    }

    // Digits with a double hyphen become a range with an en dash.
    #[test]
    fn ru_number_range() {
        ru("1941--1945", "1941–1945");
        ru("1941 -- 1945", "1941–1945");
    }

    // Hyphenated words, negative numbers and a minus between numbers are left alone.
    #[test]
    fn ru_hyphens_kept() {
        ru("кое-что", "кое-что");
        ru("температура -5", "температура -5");
        ru("5 - 3", "5 - 3");
    }

    // A dash opening a paragraph (dialogue) gets a no-break space after it.
    #[test]
    fn ru_dialogue_dash() {
        ru("- Привет!", "—~Привет!");
        ru("— Привет!", "—~Привет!");
        ru("-- Привет!", "—~Привет!");
    }

    // A dash after a hard line break starts a dialogue line.
    #[test]
    fn ru_dialogue_after_line_break() {
        let cells = vec![
            Cell { ch: 'Д', owner: Some(0) },
            Cell { ch: 'а', owner: Some(0) },
            Cell { ch: LINE_BREAK, owner: None },
            Cell { ch: '-', owner: Some(1) },
            Cell { ch: ' ', owner: Some(1) },
            Cell { ch: 'Н', owner: Some(1) },
        ];
        let out: String = apply(cells, Lang::Ru).into_iter().map(|c| c.ch).collect();
        assert_eq!(out, "Да\u{2028}—\u{a0}Н");
    }

    // Runs of spaces collapse to one; spaces at the ends go.
    #[test]
    fn collapses_spaces() {
        ru("  много   пробелов  ", "много пробелов");
        ru("строка\n\tдругая", "строка другая");
        en("a  \u{a0} b", "a\u{a0}b");
    }

    // One-letter words are tied to the next word.
    #[test]
    fn ru_one_letter_words() {
        for w in ["а", "в", "и", "к", "о", "с", "у", "я", "А", "В", "И", "К", "О", "С", "У", "Я"]
        {
            ru(&format!("{w} дом"), &format!("{w}~дом"));
        }
    }

    // Two-letter prepositions, conjunctions and negations are tied to the next word.
    #[test]
    fn ru_two_letter_words() {
        for w in
            ["во", "со", "ко", "на", "за", "из", "от", "до", "по", "об", "не", "ни", "но", "да", "На", "НЕ"]
        {
            ru(&format!("{w} дом"), &format!("{w}~дом"));
        }
        ru("из-за дома", "из-за~дома");
    }

    // Other two-letter words (pronouns) keep a normal space.
    #[test]
    fn ru_other_short_words() {
        ru("он пошёл", "он пошёл");
        ru("мы тут", "мы тут");
    }

    // A short word before a dash or punctuation is not tied.
    #[test]
    fn ru_short_word_before_dash() {
        ru("и - всё", "и~— всё");
        ru("а, б", "а, б");
    }

    // A one-letter word inside a longer word or number is no word.
    #[test]
    fn ru_one_letter_needs_boundaries() {
        ru("5в дом", "5в дом");
    }

    // Enclitic particles are tied to the word before.
    #[test]
    fn ru_enclitics() {
        ru("он же сказал", "он~же сказал");
        ru("если бы знать", "если~бы знать");
        ru("знаешь ли ты", "знаешь~ли ты");
    }

    // `т. е.` is tied inside and to the next word.
    #[test]
    fn ru_that_is() {
        ru("т. е. всё", "т.~е.~всё");
        ru("т.е. всё", "т.~е.~всё");
    }

    // `т. к.` is tied inside and to the next word.
    #[test]
    fn ru_because() {
        ru("т. к. дождь", "т.~к.~дождь");
    }

    // `и т. д.` and `и т. п.` are tied inside and to the word before.
    #[test]
    fn ru_etc() {
        ru("яблоки и т. д.", "яблоки~и~т.~д.");
        ru("груши и т.п.", "груши~и~т.~п.");
        ru("груши, т. п.", "груши,~т.~п.");
    }

    // Initials are tied to each other and to the surname.
    #[test]
    fn ru_initials() {
        ru("А. С. Пушкин", "А.~С.~Пушкин");
        ru("Н. Назарбаев", "Н.~Назарбаев");
        ru("К.-Ж. Токаев сказал", "К.-Ж.~Токаев сказал");
        ru("писал Пушкин А. С.", "писал Пушкин~А.~С.");
    }

    // A capital letter ending a sentence before a one-letter word is not an initial.
    #[test]
    fn ru_initial_needs_surname() {
        ru("пункт А. В доме", "пункт А. В~доме");
    }

    // A number is tied to a short word, a counted noun or a unit after it.
    #[test]
    fn ru_numbers() {
        ru("50 тенге", "50~тенге");
        ru("40 тысяч", "40~тысяч");
        ru("5 км", "5~км");
        ru("2026 г.", "2026~г.");
        ru("10 миллионов", "10~миллионов");
        ru("3,5 млн", "3,5~млн");
    }

    // A number is tied to a following percent or currency sign.
    #[test]
    fn ru_number_signs() {
        ru("100 %", "100~%");
        ru("5 ₸", "5~₸");
    }

    // A preposition after a number leans forward: the chain breaks after the number.
    #[test]
    fn ru_number_before_preposition() {
        ru("с 17 до 21 часа", "с~17 до~21~часа");
        ru("от 5 и более", "от~5 и~более");
    }

    // Roman numerals are tied to `в.` and similar short words.
    #[test]
    fn ru_roman_numerals() {
        ru("XX в.", "XX~в.");
        ru("XIX век", "XIX~век");
    }

    // Digit groups of thousands stay on one line.
    #[test]
    fn ru_thousands() {
        ru("40 000 тенге", "40~000~тенге");
        ru("1 000 000", "1~000~000");
    }

    // A number before a long or capitalised word keeps a normal space.
    #[test]
    fn ru_number_before_long_word() {
        ru("5 стремительных", "5 стремительных");
        ru("1945 Москва", "1945 Москва");
    }

    // `№` and `§` are tied to the number after them.
    #[test]
    fn ru_number_sign() {
        ru("№ 5", "№~5");
        ru("§ 12", "§~12");
    }

    // Kazakh uses guillemets and the spaced, tied em dash.
    #[test]
    fn kk_quotes_and_dashes() {
        kk("\"Абай жолы\" - роман", "«Абай жолы»~— роман");
        kk("\"Кітап \"Абай\" туралы\"", "«Кітап „Абай“ туралы»");
    }

    // Kazakh does not tie Russian one-letter words.
    #[test]
    fn kk_no_russian_short_words() {
        kk("в дом", "в дом");
        kk("на столе", "на столе");
    }

    // Kazakh ties `ал` forward and enclitic particles backward.
    #[test]
    fn kk_particles() {
        kk("Ал біз", "Ал~біз");
        kk("Мен де барамын", "Мен~де барамын");
        kk("Сен келдің бе?", "Сен келдің~бе?");
    }

    // Kazakh numbers, initials and `т. б.`.
    #[test]
    fn kk_numbers_initials_abbreviations() {
        kk("50 теңге", "50~теңге");
        kk("2026 жыл", "2026~жыл");
        kk("XX ғ.", "XX~ғ.");
        kk("Қ.-Ж. Тоқаев", "Қ.-Ж.~Тоқаев");
        kk("кітаптар т. б.", "кітаптар~т.~б.");
        kk("қалалар т.с.с.", "қалалар~т.~с.~с.");
    }

    // English double quotes, nested single quotes.
    #[test]
    fn en_quotes() {
        en("\"word\"", "“word”");
        en("\"He said \"hi\" to me\"", "“He said ‘hi’ to me”");
    }

    // English apostrophes and single quotes.
    #[test]
    fn en_apostrophes() {
        en("don't", "don’t");
        en("the '90s", "the ’90s");
        en("'quoted'", "‘quoted’");
        en("dogs' bowls", "dogs’ bowls");
    }

    // English dashes between words are closed up.
    #[test]
    fn en_dashes() {
        en("word - word", "word—word");
        en("word -- word", "word—word");
        en("word — word", "word—word");
        en("word--word", "word—word");
        en("pages 10--20", "pages 10–20");
        en("well-known", "well-known");
    }

    // English gets no Russian no-break spaces.
    #[test]
    fn en_no_ties() {
        en("I am a cat", "I am a cat");
        en("5 km", "5 km");
    }

    // Running the rules twice changes nothing.
    #[test]
    fn idempotent() {
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            for text in [
                "\"Роман \"Война и мир\" - книга\" и т. д., т.е. 5 км в 1941--1945 гг. А. С. Пушкин",
                "- Привет, - сказал он. - \"Да\" -- нет.",
                "\"He said \"hi\" - don't 'go'\" 10--20",
                "Мен де, ал біз 50 теңге т. б. «Абай „жолы“»",
            ] {
                let once = run(text, lang);
                assert_eq!(run(&once, lang), once, "{lang:?}: {text}");
            }
        }
    }

    // Odd input never panics.
    #[test]
    fn odd_input() {
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            for text in [
                "",
                " ",
                "   ",
                "\"",
                "\"\"\"",
                "'",
                "--",
                "-",
                "---",
                "----",
                "— ",
                " —",
                "«",
                "»»»",
                "„“",
                "т.",
                "т. ",
                ". .",
                "А.",
                "А.-",
                "К.-",
                "5 ",
                " 5",
                "№",
                "§ ",
                "XX",
                "x - y - z",
                "a\u{2028}b",
                "Latin и кириллица mixed - текст \"quote'",
                "1--",
                "--1",
                "1 -- ",
                "\u{301}",
                "ы\u{301} в",
            ] {
                let once = run(text, lang);
                assert_eq!(run(&once, lang), once, "{lang:?}: {text:?}");
            }
        }
    }
}
