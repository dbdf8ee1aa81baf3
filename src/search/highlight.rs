//! The query's words, to find in any text: snippets, titles, and the body the reader shows.
//!
//! A query word matches a text word exactly, as a prefix (the word being typed), or as a near
//! spelling found in the vocabulary. Near spellings only count in a text where the word is not
//! there as typed: [`Highlighter::within`] narrows the words to one text, so searching `codel`
//! paints "CoDel" and leaves "code" and "model" alone in an item that holds "CoDel".

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::ops::Range;

use super::fxhash::FxHasher;

/// Near spellings of a query word, with their typos. Looked up for every word of every body
/// line a result is judged by, so with the fast hash the index uses.
pub type NearSpellings = HashMap<String, u8, BuildHasherDefault<FxHasher>>;

use super::tokenize::{lower_into, words};

/// How a text word matches a query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// Within this many typos of the query word.
    Typo(u8),
    /// Another form of the query word (the same stem).
    Form,
    /// A longer word starting with the query word.
    Prefix,
    Exact,
}

/// One query word and the vocabulary words it reaches.
#[derive(Debug, Clone, Default)]
pub struct Term {
    pub word: String,
    /// Longer words starting with `word` count.
    pub(super) prefix: bool,
    /// Vocabulary words within the typo budget, with their typos.
    pub(super) fuzzy: NearSpellings,
    /// Vocabulary words that are other forms of `word` (the same English stem).
    pub(super) forms: HashSet<String, BuildHasherDefault<FxHasher>>,
}

impl Term {
    /// How a (lowercase) word matches, and how many of its chars to paint.
    pub fn matches(&self, word: &str) -> Option<(Match, usize)> {
        self.as_written(word).or_else(|| {
            self.fuzzy
                .get(word)
                .map(|&typos| (Match::Typo(typos), word.chars().count()))
        })
    }

    /// How a word matches without a typo: as typed, as a completion of it, or as another form
    /// of it (where one of these stands, the word's near spellings do not count).
    fn as_written(&self, word: &str) -> Option<(Match, usize)> {
        if word == self.word {
            Some((Match::Exact, word.chars().count()))
        } else if self.prefix && word.starts_with(self.word.as_str()) {
            Some((Match::Prefix, self.word.chars().count()))
        } else if self.forms.contains(word) {
            Some((Match::Form, word.chars().count()))
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    pub terms: Vec<Term>,
    pub phrases: Vec<String>,
}

/// A [`Highlighter`] narrowed to one text: a word's near spellings count only where the
/// word itself is absent from that text.
#[derive(Debug, Clone)]
pub struct Focused<'a> {
    highlighter: &'a Highlighter,
    typos_allowed: Vec<bool>,
}

impl Highlighter {
    /// Narrowed to the texts given (an item's fields, a page's lines).
    pub fn within<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Focused<'_> {
        let mut typos_allowed: Vec<bool> = self.terms.iter().map(|t| !t.fuzzy.is_empty()).collect();
        let mut buf = String::new();
        for text in texts {
            if !typos_allowed.contains(&true) {
                break;
            }
            for (_, word) in words(text) {
                let lowered = lower_into(word, &mut buf);
                for (allowed, term) in typos_allowed.iter_mut().zip(&self.terms) {
                    if *allowed && term.as_written(lowered).is_some() {
                        *allowed = false;
                    }
                }
            }
        }
        Focused {
            highlighter: self,
            typos_allowed,
        }
    }

    /// Narrowed to an item known to hold, as typed, the terms whose bits are set in `typed`
    /// (the engine learns that from the index, without reading the item's text again).
    pub fn for_item(&self, typed: u64) -> Focused<'_> {
        let typos_allowed = self
            .terms
            .iter()
            .enumerate()
            .map(|(t, term)| {
                let known_typed = t < 64 && typed & (1 << t) != 0;
                !term.fuzzy.is_empty() && !known_typed
            })
            .collect();
        Focused {
            highlighter: self,
            typos_allowed,
        }
    }

    /// Byte ranges of `text` that match, narrowed to `text` itself.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        self.within([text]).find(text)
    }
}

impl Focused<'_> {
    pub fn terms(&self) -> usize {
        self.highlighter.terms.len()
    }

    pub fn query_terms(&self) -> &[Term] {
        &self.highlighter.terms
    }

    /// How `word` (lowercase) matches term `t` here.
    fn matches(&self, t: usize, word: &str) -> Option<(Match, usize)> {
        let term = &self.highlighter.terms[t];
        if self.typos_allowed[t] {
            term.matches(word)
        } else {
            term.as_written(word)
        }
    }

    /// Byte ranges of `text` that match a query word (or phrase), in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        let mut buf = String::new();
        for (start, word) in words(text) {
            let lowered = lower_into(word, &mut buf);
            let best = (0..self.terms())
                .filter_map(|t| self.matches(t, lowered))
                .max();
            if let Some((_, chars)) = best {
                let end = word
                    .char_indices()
                    .nth(chars)
                    .map_or(word.len(), |(i, _)| i);
                ranges.push(start..start + end);
            }
        }
        if !self.highlighter.phrases.is_empty() {
            let lowered = text.to_lowercase();
            if lowered.len() == text.len() {
                for phrase in &self.highlighter.phrases {
                    let mut from = 0;
                    while let Some(at) = lowered[from..].find(phrase.as_str()) {
                        ranges.push(from + at..from + at + phrase.len());
                        from += at + phrase.len().max(1);
                    }
                }
            }
        }
        merge_ranges(ranges)
    }

    /// How many distinct terms a text's words match, and the smallest span (in words)
    /// that holds one of each.
    pub fn coverage(&self, text: &str) -> (usize, usize) {
        let c = self.weigh(text);
        (c.terms, c.span)
    }

    /// How well a text (one line) holds the query's words.
    pub fn weigh(&self, text: &str) -> Coverage {
        let mut buf = String::new();
        let mut positions: Vec<(usize, usize)> = Vec::new();
        // Terms found, and found as typed, as bits (a query has few words; those past the
        // 64th only count towards the span).
        let (mut found, mut exact) = (0u64, 0u64);
        for (n, (_, word)) in words(text).enumerate() {
            let lowered = lower_into(word, &mut buf);
            for t in 0..self.terms() {
                if let Some((how, _)) = self.matches(t, lowered) {
                    positions.push((n, t));
                    let bit = 1u64.checked_shl(t as u32).unwrap_or(0);
                    found |= bit;
                    if how == Match::Exact {
                        exact |= bit;
                    }
                }
            }
        }
        let distinct = if self.terms() > 64 {
            positions
                .iter()
                .map(|(_, t)| *t)
                .collect::<HashSet<_>>()
                .len()
        } else {
            found.count_ones() as usize
        };
        let exact = exact.count_ones() as usize;
        if distinct < 2 {
            return Coverage {
                terms: distinct,
                exact,
                span: 0,
            };
        }
        // Smallest window of word positions containing every matched term.
        let need = distinct;
        let mut counts = vec![0usize; self.terms()];
        let (mut have, mut left, mut best) = (0, 0, usize::MAX);
        for right in 0..positions.len() {
            if counts[positions[right].1] == 0 {
                have += 1;
            }
            counts[positions[right].1] += 1;
            while have == need {
                best = best.min(positions[right].0 - positions[left].0);
                counts[positions[left].1] -= 1;
                if counts[positions[left].1] == 0 {
                    have -= 1;
                }
                left += 1;
            }
        }
        Coverage {
            terms: need,
            exact,
            span: best,
        }
    }
}

/// What [`Focused::weigh`] finds in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Distinct query words present.
    pub terms: usize,
    /// Of those, how many stand as typed (not only as a completion or near spelling).
    pub exact: usize,
    /// Words from the first to the last of a window holding one of each.
    pub span: usize,
}

fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codel() -> Highlighter {
        Highlighter {
            terms: vec![Term {
                word: "codel".into(),
                prefix: true,
                fuzzy: [("code".to_string(), 1), ("model".to_string(), 1)]
                    .into_iter()
                    .collect(),
                forms: Default::default(),
            }],
            phrases: Vec::new(),
        }
    }

    fn painted<'t>(text: &'t str, ranges: &[Range<usize>]) -> Vec<&'t str> {
        ranges.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn near_spellings_paint_only_where_the_word_is_absent() {
        let h = codel();
        let text = "CoDel beats a code model";
        assert_eq!(painted(text, &h.find(text)), ["CoDel"]);
        let text = "a code model";
        assert_eq!(painted(text, &h.find(text)), ["code", "model"]);
        // Narrowed to a whole item: a line without the word still paints no near spelling.
        let focused = h.within(["CoDel here", "code there"]);
        assert!(focused.find("code there").is_empty());
    }

    #[test]
    fn prefixes_paint_the_letters_typed() {
        let h = codel();
        let text = "CoDels";
        assert_eq!(painted(text, &h.find(text)), ["CoDel"]);
    }
}
