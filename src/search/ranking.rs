//! Ranking rules as data: the criteria results are compared by, in order, each only breaking
//! the ties of the ones before it (the bucket sort Meilisearch and Typesense document).
//!
//! The engine measures a [`Rank`] for each candidate; [`RULES`] says which measure counts
//! first. Changing the order of the rules changes the ranking and nothing else.

use std::cmp::Ordering;

/// One criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Fewer typos first: items holding every word as typed (or as the start of a longer
    /// word) before those that need a near spelling or a title's initials.
    Typo,
    /// Whole words before completions: a word spelled as typed is what the user asked for;
    /// a longer word it begins is only a guess at the word still being typed.
    Exactness,
    /// Query words close together in one line (or one short field) first.
    Proximity,
    /// Words found in better fields first: title, tags, description, category, url, body.
    Attribute,
    /// How well the title as a whole fits the query (fuzzy-matcher's score).
    TitleFit,
    /// More body lines holding the words first.
    Frequency,
    /// The shorter title first: of two equals, the one that is more nearly the query.
    Shorter,
}

/// The order that counts. Typos and exactness first, so neither a near spelling nor a
/// completion in a title crowds out the word itself in an insight; then words close
/// together, then the field; the last two only separate otherwise equal items.
pub const RULES: [Rule; 7] = [
    Rule::Typo,
    Rule::Exactness,
    Rule::Proximity,
    Rule::Attribute,
    Rule::TitleFit,
    Rule::Frequency,
    Rule::Shorter,
];

/// Items holding every query word as typed that make near spellings unnecessary: with at
/// least this many, items that need a typo or a title's initials are not listed at all
/// (`codel` lists the item saying "CoDel", not twenty-four more saying "code").
pub const TYPO_THRESHOLD: usize = 1;

/// What each rule measures of one item, every one "smaller is better".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rank {
    /// Typos summed over the query words (an acronym hit counts as one).
    pub typos: u32,
    /// 0 for one word or words side by side; up to [`MAX_PROXIMITY`] when they are far
    /// apart or in different lines.
    pub proximity: u32,
    /// Field ranks ([`field_rank`]) of each word's best hit, summed.
    pub attribute: u32,
    /// Words matched only as a prefix.
    pub inexact: u32,
    /// 0 when the title is the query (or its last `/` segment is: `tokio-rs/tokio` for
    /// `tokio`), else 256 less the title's fit.
    pub title_misfit: u32,
    /// 255 less the number of body lines with a hit.
    pub rarity: u32,
    /// The title's length in characters (up to 255).
    pub title_len: u32,
}

/// The proximity of words not found together in any line.
pub const MAX_PROXIMITY: u32 = 15;

impl Rank {
    fn get(&self, rule: Rule) -> u32 {
        match rule {
            Rule::Typo => self.typos,
            Rule::Proximity => self.proximity,
            Rule::Attribute => self.attribute,
            Rule::Exactness => self.inexact,
            Rule::TitleFit => self.title_misfit,
            Rule::Frequency => self.rarity,
            Rule::Shorter => self.title_len,
        }
    }

    /// Compares by the rules in order: `Less` is the better item.
    pub fn compare(&self, other: &Rank) -> Ordering {
        RULES
            .iter()
            .map(|&r| self.get(r).cmp(&other.get(r)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }

    /// One number, bigger for better items, that sorts as [`Rank::compare`] does (shown as
    /// `score` in JSON output). Each rule gets a fixed number of bits, first rule highest.
    pub fn score(&self) -> u64 {
        RULES.iter().fold(0u64, |acc, &rule| {
            let bits = bits(rule);
            let max = (1u64 << bits) - 1;
            (acc << bits) | (max - u64::from(self.get(rule)).min(max))
        })
    }
}

/// Room for each rule's measure in [`Rank::score`].
fn bits(rule: Rule) -> u32 {
    match rule {
        Rule::Typo => 5,
        Rule::Exactness => 5,
        Rule::Proximity => 4,
        Rule::Attribute => 7,
        Rule::TitleFit => 9,
        Rule::Frequency | Rule::Shorter => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(typos: u32, proximity: u32, attribute: u32, inexact: u32) -> Rank {
        Rank {
            typos,
            proximity,
            attribute,
            inexact,
            ..Rank::default()
        }
    }

    #[test]
    fn each_rule_only_breaks_ties_of_the_ones_before() {
        // (better, worse): the first rule where they differ decides.
        let cases = [
            (rank(0, 15, 50, 9), rank(1, 0, 0, 0)),
            (rank(1, 15, 50, 0), rank(1, 0, 0, 1)),
            (rank(1, 2, 50, 1), rank(1, 3, 0, 1)),
            (rank(1, 3, 5, 1), rank(1, 3, 6, 1)),
        ];
        for (better, worse) in cases {
            assert_eq!(
                better.compare(&worse),
                Ordering::Less,
                "{better:?} {worse:?}"
            );
            assert!(better.score() > worse.score(), "{better:?} {worse:?}");
        }
        assert_eq!(rank(1, 2, 3, 4).compare(&rank(1, 2, 3, 4)), Ordering::Equal);
    }

    #[test]
    fn scores_fit_in_their_bits() {
        let total: u32 = RULES.iter().map(|&r| bits(r)).sum();
        assert!(total <= 64);
        let worst = Rank {
            typos: 99,
            proximity: 99,
            attribute: 999,
            inexact: 99,
            title_misfit: 999,
            rarity: 999,
            title_len: 999,
        };
        assert_eq!(worst.score(), 0);
    }
}
