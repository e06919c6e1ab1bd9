//! The reading order of a collected volume: the parsed statements and the
//! manifest's parts, `group-by` and `sort` in, the statements reordered so that
//! each part is a run of consecutive documents and the [`Part`]s over them out.
//! Sorting and grouping need the front matter, so this runs in the driver after
//! parsing, not in the manifest.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::manifest::{GroupBy, Settings, Sort};
use crate::model::{Document, Lang, Part};

/// The statements in volume order with their parts.
pub(super) struct Arranged {
    /// Documents in reading order.
    pub documents: Vec<Document>,
    /// Their Markdown sources, same order.
    pub sources: Vec<String>,
    /// Parts over [`Arranged::documents`].
    pub parts: Vec<Part>,
    /// The first document is the preface.
    pub preface: bool,
}

/// Orders `documents` (parsed from `settings.documents[origin[i]]`; files that
/// failed or were empty are missing) by part and `sort`, and makes the parts.
pub(super) fn arrange(
    settings: &Settings,
    documents: Vec<Document>,
    sources: Vec<String>,
    origin: &[usize],
    diags: &mut Diagnostics,
) -> Arranged {
    let preface = settings.preface && origin.first() == Some(&0);
    let body: Vec<usize> = (usize::from(preface)..documents.len()).collect();
    let mut groups: Vec<(Option<String>, Vec<usize>)> = match settings.group_by {
        Some(GroupBy::Year) => by_year(&documents, body, settings.meta.lang, diags),
        None => {
            let part_of = |i: usize| settings.parts.iter().position(|p| p.documents.contains(&origin[i]));
            let mut groups = vec![(None, body.iter().copied().filter(|&i| part_of(i).is_none()).collect())];
            for (k, p) in settings.parts.iter().enumerate() {
                let mine = body.iter().copied().filter(|&i| part_of(i) == Some(k)).collect();
                groups.push((Some(p.title.clone()), mine));
            }
            groups
        }
    };
    for (_, members) in &mut groups {
        sort(members, &documents, settings.sort);
    }

    let order: Vec<usize> =
        (0..usize::from(preface)).chain(groups.iter().flat_map(|(_, m)| m.iter().copied())).collect();
    let mut parts = Vec::new();
    let mut at = usize::from(preface);
    for (title, members) in &groups {
        if let Some(title) = title
            && !members.is_empty()
        {
            parts.push(Part { title: title.clone(), documents: at..at + members.len() });
        }
        at += members.len();
    }
    let mut slots: Vec<Option<(Document, String)>> = documents.into_iter().zip(sources).map(Some).collect();
    let (documents, sources) = order.iter().filter_map(|&i| slots[i].take()).unzip();
    Arranged { documents, sources, parts, preface }
}

/// One part per year of `date`, oldest first; undated statements in a last part.
fn by_year(
    documents: &[Document],
    body: Vec<usize>,
    lang: Lang,
    diags: &mut Diagnostics,
) -> Vec<(Option<String>, Vec<usize>)> {
    let mut years: std::collections::BTreeMap<u16, Vec<usize>> = std::collections::BTreeMap::new();
    let mut undated = Vec::new();
    for i in body {
        match documents[i].date {
            Some(d) => years.entry(d.year).or_default().push(i),
            None => {
                diags.push(
                    Diagnostic::warning(
                        Some(Location::file(&documents[i].path)),
                        "the statement has no `date`; `group-by = \"year\"` puts it in a last part",
                    )
                    .with_hint("add `date: YYYY-MM-DD` to its front matter"),
                );
                undated.push(i);
            }
        }
    }
    let mut groups: Vec<(Option<String>, Vec<usize>)> =
        years.into_iter().map(|(y, m)| (Some(y.to_string()), m)).collect();
    if !undated.is_empty() {
        groups.push((Some(lang.words().undated.to_owned()), undated));
    }
    groups
}

/// Sorts a part's members (indices into `documents`), stably.
fn sort(members: &mut [usize], documents: &[Document], order: Sort) {
    match order {
        Sort::Manifest => {}
        Sort::Date => members.sort_by_key(|&i| (documents[i].date.is_none(), documents[i].date)),
        Sort::Title => members.sort_by_cached_key(|&i| title_key(&documents[i].title)),
        Sort::Path => members.sort_by(|&a, &b| documents[a].path.cmp(&documents[b].path)),
    }
}

/// A title as a sort key: lowercase, `ё` as `е` (Russian dictionaries sort
/// them together), leading quotes and dashes ignored. Code-point order puts
/// the Kazakh letters (ә, ғ, қ …, encoded after я) after the Russian ones,
/// which is not Kazakh alphabetical order; a statement title rarely starts
/// with them.
fn title_key(title: &str) -> String {
    title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Titles sort without regard to case, ё and leading quotes.
    #[test]
    fn title_keys() {
        assert_eq!(title_key("«Ёлка» Зимой"), "елка» зимой");
        assert!(title_key("Архив") < title_key("борьба"));
    }
}
