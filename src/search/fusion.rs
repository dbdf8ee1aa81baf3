//! One result list from the rankings of words and of meaning.
//!
//! The rules, in order:
//! 1. Items holding every word of the query come first, in the words' own order (the
//!    ranking rules of `ranking`): an exact keyword hit is never pushed down by meaning.
//! 2. Below them, two lists are fused by reciprocal rank (each item scores `1 / (K + rank)`
//!    in each list it is in, as Cormack et al. and Elasticsearch's `rrf` do): items holding
//!    some of the query's words, the rarest words weighing most, and items near the query
//!    by meaning. An item far from the query by meaning ([`MIN_NEARNESS`]) is listed only
//!    when it holds some of the words.
//!
//! These are the lists a hybrid search of Meilisearch or Vespa would fuse; keeping the first
//! rule absolute is Quire's choice, since its users type exact words most of the time.

use std::collections::HashMap;

use super::meaning::{MIN_NEARNESS, Near};

/// Items listed below the full matches at most: the head of the fused list is what is worth
/// reading, and each costs a closer look on every keystroke.
pub const MAX_FILLED: usize = 50;

/// Reciprocal rank fusion's constant: small, so that the first few of each list weigh much
/// more than its tail (the lists are short, and only their heads are worth showing).
pub const RRF_K: f32 = 10.0;

/// How an item below the full matches was found.
#[derive(Debug, Clone)]
pub struct Filled {
    pub item: usize,
    /// It holds some of the query's words.
    pub by_words: bool,
    /// It is near the query by meaning: the unit that makes it so.
    pub near: Option<Near>,
}

/// The items to list after the full matches, best first: `partial` holds (item, weight of
/// the query words it holds) and `near` the items by meaning, nearest first. Items in
/// `already` (the full matches) are left out.
pub fn fuse(
    partial: &[(usize, f32)],
    near: Vec<Near>,
    already: &dyn Fn(usize) -> bool,
    limit: usize,
) -> Vec<Filled> {
    let mut by_words: Vec<(usize, f32)> = partial
        .iter()
        .copied()
        .filter(|&(item, _)| !already(item))
        .collect();
    by_words.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut score: HashMap<usize, f32> = HashMap::new();
    for (rank, &(item, _)) in by_words.iter().enumerate() {
        *score.entry(item).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
    }
    let mut nears: HashMap<usize, Near> = HashMap::new();
    let mut rank = 0;
    for n in near {
        if already(n.item) {
            continue;
        }
        let counted = n.nearness >= MIN_NEARNESS || score.contains_key(&n.item);
        if counted {
            *score.entry(n.item).or_default() += 1.0 / (RRF_K + rank as f32 + 1.0);
            rank += 1;
        }
        if counted {
            nears.insert(n.item, n);
        }
    }
    let words: std::collections::HashSet<usize> = by_words.iter().map(|&(i, _)| i).collect();
    let mut order: Vec<(usize, f32)> = score.into_iter().collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order.truncate(limit);
    order
        .into_iter()
        .map(|(item, _)| Filled {
            item,
            by_words: words.contains(&item),
            near: nears.remove(&item),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::meaning::Unit;

    fn near(item: usize, nearness: f32) -> Near {
        Near {
            item,
            score: nearness,
            nearness,
            unit: Unit {
                line: None,
                text: String::new(),
            },
        }
    }

    fn items(filled: &[Filled]) -> Vec<usize> {
        filled.iter().map(|f| f.item).collect()
    }

    #[test]
    fn a_table_of_fusions() {
        let none = |_: usize| false;
        // (partial matches, near by meaning, full matches, expected order)
        type Case = (Vec<(usize, f32)>, Vec<Near>, Vec<usize>, Vec<usize>);
        let cases: Vec<Case> = vec![
            // Meaning alone: nearest first; the far ones are not listed.
            (
                vec![],
                vec![near(3, 0.8), near(1, 0.6), near(2, 0.1)],
                vec![],
                vec![3, 1],
            ),
            // Words alone: rarest words first.
            (vec![(4, 1.0), (5, 3.0)], vec![], vec![], vec![5, 4]),
            // In both lists beats first of one.
            (
                vec![(7, 5.0), (8, 1.0)],
                vec![near(9, 0.9), near(8, 0.7)],
                vec![],
                vec![8, 7, 9],
            ),
            // A far item holding some words still counts its meaning.
            (
                vec![(1, 1.0), (2, 1.0)],
                vec![near(2, 0.2)],
                vec![],
                vec![2, 1],
            ),
            // The full matches are not listed again.
            (
                vec![(1, 1.0)],
                vec![near(1, 0.9), near(2, 0.8)],
                vec![1],
                vec![2],
            ),
        ];
        for (partial, nears, full, expected) in cases {
            let already = |i: usize| full.contains(&i);
            let got = fuse(
                &partial,
                nears,
                if full.is_empty() { &none } else { &already },
                10,
            );
            assert_eq!(items(&got), expected, "partial {partial:?}");
        }
    }

    #[test]
    fn each_item_says_how_it_was_found_and_the_limit_holds() {
        let got = fuse(
            &[(1, 1.0)],
            vec![near(1, 0.9), near(2, 0.8)],
            &|_| false,
            10,
        );
        assert!(got[0].by_words && got[0].near.is_some());
        assert!(!got[1].by_words && got[1].near.is_some());
        let many: Vec<Near> = (0..50).map(|i| near(i, 0.9)).collect();
        assert_eq!(fuse(&[], many, &|_| false, 7).len(), 7);
    }
}
