//! "Did you mean" for misspelt manifest keys: the closest known key by
//! Damerau–Levenshtein distance (optimal string alignment), or a known key the
//! word is a prefix of (`lang` → `language`).

/// The candidate closest to `word`, if any is close enough to be a likely typo.
///
/// A candidate qualifies when it equals `word` ignoring case, `-` and `_`; when
/// its edit distance is at most 2 or at most a third of the longer word (and
/// smaller than `word` itself, so `x` suggests nothing); or when one is a prefix
/// of the other and `word` has at least 3 characters. Among qualifying
/// candidates the nearest wins, the first listed on a tie.
pub(super) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normal =
        |s: &str| s.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).collect::<String>().to_lowercase();
    let w = normal(word);
    let word_len = word.chars().count();
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let c = normal(candidate);
        let d = if c == w { 0 } else { distance(word, candidate) };
        let longest = word_len.max(candidate.chars().count());
        let near = d <= 2 || d * 3 <= longest;
        let prefix = word_len >= 3 && !w.is_empty() && (c.starts_with(&w) || w.starts_with(&c));
        if ((near && d < word_len) || prefix || d == 0) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance over characters: insertions, deletions,
/// substitutions and transpositions of adjacent characters each cost 1.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = v;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: [&str; 6] = ["format", "page-size", "margins", "font-size", "line-height", "cover"];

    // Common slips find the intended key.
    #[test]
    fn suggests_near_keys() {
        assert_eq!(closest("pagesize", &OUTPUT), Some("page-size"));
        assert_eq!(closest("page_size", &OUTPUT), Some("page-size"));
        assert_eq!(closest("fromat", &OUTPUT), Some("format"));
        assert_eq!(closest("margin", &OUTPUT), Some("margins"));
        assert_eq!(closest("Font-Size", &OUTPUT), Some("font-size"));
        assert_eq!(closest("lang", &["title", "language"]), Some("language"));
        assert_eq!(closest("titel", &["title", "language"]), Some("title"));
    }

    // Unrelated words suggest nothing.
    #[test]
    fn ignores_far_keys() {
        assert_eq!(closest("x", &OUTPUT), None);
        assert_eq!(closest("colour", &OUTPUT), None);
        assert_eq!(closest("isbn", &["title", "identifier"]), None);
    }

    // The distance counts a transposition as one edit.
    #[test]
    fn distance_counts_transpositions() {
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("заголовок", "загловок"), 1);
    }
}
