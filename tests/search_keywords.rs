//! Keywords drawn from the bundled collection's Key insights by a rule, not picked by hand:
//! a word spelled exactly as it stands in an item's insights brings an item holding it first,
//! with the line holding it as the snippet.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use quire::content::{ItemKind, Library};
use quire::search::tokenize::{lower, words};
use quire::search::{Field, SearchIndex, SearchOptions, parse_query, search};

/// Every text of an item that search looks at, as whole lowercase words.
fn item_words(library: &Library, i: usize) -> BTreeSet<String> {
    let item = &library.items[i];
    let mut texts = vec![item.title.clone(), item.body.to_string()];
    texts.extend(item.description.clone());
    texts.extend(item.tags.iter().cloned());
    texts.extend(item.url.clone());
    texts.extend(
        library
            .category_path(item.category)
            .iter()
            .map(|s| s.to_string()),
    );
    texts
        .iter()
        .flat_map(|t| words(t).map(|(_, w)| lower(w)).collect::<Vec<_>>())
        .collect()
}

/// The insight lines of the bundled bookmarks (`> - …` under a Key insights heading).
fn insight_lines(library: &Library, i: usize) -> Vec<String> {
    let item = &library.items[i];
    if item.kind != ItemKind::Bookmark {
        return Vec::new();
    }
    item.body
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("> -"))
        .map(str::to_string)
        .collect()
}

struct Drawn {
    /// Words of insights found in exactly one item: that item must come first.
    unique: BTreeMap<String, usize>,
    /// Every word of insights (of 3 letters or more, not a number).
    all: BTreeSet<String>,
}

fn draw(library: &Library) -> Drawn {
    let mut holders: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for i in 0..library.items.len() {
        for w in item_words(library, i) {
            holders.entry(w).or_default().insert(i);
        }
    }
    let mut all = BTreeSet::new();
    let mut unique = BTreeMap::new();
    for i in 0..library.items.len() {
        for line in insight_lines(library, i) {
            for (_, w) in words(&line) {
                let w = lower(w);
                if w.chars().count() < 3 || w.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                if holders[&w].len() == 1 {
                    unique.insert(w.clone(), i);
                }
                all.insert(w);
            }
        }
    }
    Drawn { unique, all }
}

/// Checks one keyword; the reason it fails, if it does.
fn check(
    library: &Library,
    index: &SearchIndex,
    word: &str,
    expected: Option<usize>,
) -> Option<String> {
    let results = search(
        index,
        library,
        &parse_query(word).unwrap(),
        &SearchOptions::default(),
    )
    .unwrap();
    let Some(hit) = results.hits.first() else {
        return Some(format!("{word:?}: no results"));
    };
    let title = &library.items[hit.item].title;
    if let Some(expected) = expected
        && hit.item != expected
    {
        let rank = results.hits.iter().position(|h| h.item == expected);
        return Some(format!(
            "{word:?}: expected {:?} first, got {title:?} (expected at {rank:?})",
            library.items[expected].title
        ));
    }
    if !item_words(library, hit.item).contains(word) {
        return Some(format!(
            "{word:?}: first hit {title:?} does not hold the word"
        ));
    }
    if hit.field == Field::Body {
        let snippet = hit.snippet.as_ref().map(|s| s.text.as_str()).unwrap_or("");
        if !words(snippet).any(|(_, w)| lower(w) == word) {
            return Some(format!(
                "{word:?}: snippet of {title:?} lacks the word: {snippet:?}"
            ));
        }
    }
    None
}

#[test]
fn every_keyword_of_the_insights_finds_an_item_holding_it_first() {
    let library = common::screen::bundled();
    let index = SearchIndex::build(&library);
    let drawn = draw(&library);
    // The rule must draw a real table, and the short words users type must be in it.
    assert!(drawn.unique.len() >= 30, "{} unique", drawn.unique.len());
    for short in ["codel", "wal", "rle", "asm", "xlog"] {
        assert!(drawn.all.contains(short), "{short} not drawn");
    }
    let mut failures = Vec::new();
    for (word, &item) in &drawn.unique {
        failures.extend(check(&library, &index, word, Some(item)));
    }
    for word in &drawn.all {
        if !drawn.unique.contains_key(word) {
            failures.extend(check(&library, &index, word, None));
        }
    }
    let checked = drawn.all.len();
    assert!(
        failures.is_empty(),
        "{} of {checked} keywords ({} unique to one item) fail:\n{}",
        failures.len(),
        drawn.unique.len(),
        failures.join("\n")
    );
}

#[test]
fn typos_still_find_their_item_in_the_top_three() {
    let library = common::screen::bundled();
    let index = SearchIndex::build(&library);
    for (query, expected) in [
        ("postgers vacuum", "VACUUM FULL Locked Our Database"),
        ("tailscle", "How Tailscale works"),
        ("karpentr", "Pinterest's Moka"),
    ] {
        let results = search(
            &index,
            &library,
            &parse_query(query).unwrap(),
            &SearchOptions::default(),
        )
        .unwrap();
        let top: Vec<&str> = results
            .hits
            .iter()
            .take(3)
            .map(|h| library.items[h.item].title.as_str())
            .collect();
        assert!(
            top.iter().any(|t| t.contains(expected)),
            "{query:?}: {expected:?} not in the top three: {top:?}"
        );
    }
}
