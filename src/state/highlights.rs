//! Highlights: a passage of an item kept, with an optional note, anchored to its words rather
//! than a line (the W3C Web Annotation `TextQuoteSelector` idea): the quote and a little of
//! the text before and after it. An edit that moves the passage (a bookmark added above) or
//! changes it a little (a typo fixed inside) finds it again; one whose words are gone is kept
//! and said to be orphaned, never dropped.
//!
//! Highlights live in the read state, in the same per-machine files and merge as the marks:
//! each is known by an id of its own, the later change of it wins, and removing one is a change
//! recorded like any other.

use std::ops::Range;

use super::timestamp::Timestamp;
use crate::content::Item;

/// How much text around a quote is kept to tell its place (in bytes, cut at a char).
pub const CONTEXT: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// The item's id.
    pub item: String,
    pub quote: String,
    /// Text just before and just after the quote when it was made.
    pub prefix: String,
    pub suffix: String,
    pub note: Option<String>,
    pub created: Timestamp,
    /// When it last changed (made, its note edited, removed): the later record wins a merge.
    pub at: Timestamp,
    pub removed: bool,
}

impl Highlight {
    /// A highlight of `text[range]` in item `item`, made `now`.
    pub fn new(
        item: &str,
        text: &str,
        range: Range<usize>,
        note: Option<String>,
        now: Timestamp,
    ) -> Highlight {
        let before = &text[..range.start];
        let after = &text[range.end..];
        Highlight {
            item: item.to_string(),
            quote: text[range].to_string(),
            prefix: tail(before, CONTEXT).to_string(),
            suffix: head(after, CONTEXT).to_string(),
            note: note.filter(|n| !n.trim().is_empty()),
            created: now,
            at: now,
            removed: false,
        }
    }

    /// An id for it: its item, quote and time of making, hashed (the same on every machine
    /// that reads it, different for two made apart).
    pub fn id(&self) -> String {
        let key = format!("{}\n{}\n{}", self.item, self.quote, self.created.0);
        format!("h{:016x}", crate::content::id::fnv1a(key.as_bytes()))
    }

    /// Where the passage is in `text` now, if it still is.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        anchor(text, &self.quote, &self.prefix, &self.suffix)
    }

    /// Where the passage is in `item` now: the text it is in (the item's markdown, else its
    /// description) and where in it; `None` when its words are gone (orphaned).
    pub fn find_in<'i>(&self, item: &'i Item) -> Option<(&'i str, Range<usize>)> {
        texts(item)
            .into_iter()
            .find_map(|text| Some((text, self.find(text)?)))
    }

    /// Whether `theirs` (another record of the same highlight) wins over this one: later, or
    /// as late and removed (so merging does not depend on order).
    pub fn loses_to(&self, theirs: &Highlight) -> bool {
        theirs.at > self.at || (theirs.at == self.at && theirs.removed && !self.removed)
    }
}

/// The texts a highlight is anchored in: the item's markdown, then its description.
pub fn texts(item: &Item) -> [&str; 2] {
    [&item.body, item.description.as_deref().unwrap_or("")]
}

/// The last `max` bytes of `text` (fewer, to start at a char).
pub fn tail(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// The first `max` bytes of `text` (fewer, to end at a char).
fn head(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Finds a quote in `text`: where it stands whole (of several places, the one whose
/// surroundings are most like `prefix` and `suffix`); else, the quote changed a little, the
/// text between its `prefix` and its `suffix` when they are still close together. Linear in
/// the text for each place the quote or the prefix stands.
pub fn anchor(text: &str, quote: &str, prefix: &str, suffix: &str) -> Option<Range<usize>> {
    if quote.is_empty() {
        return None;
    }
    let fit = |at: usize, end: usize| {
        common_suffix(&text[..at], prefix) + common_prefix(&text[end..], suffix)
    };
    let best = text
        .match_indices(quote)
        .map(|(at, _)| at..at + quote.len())
        .max_by_key(|r| (fit(r.start, r.end), std::cmp::Reverse(r.start)));
    if best.is_some() {
        return best;
    }
    // The same words, wrapped otherwise (a line broken or joined).
    if let Some(found) = find_loose(text, quote) {
        return Some(found);
    }
    // The same words with other markup between them (emphasis added, a link made of a word).
    let hay = super::passage::words(text);
    let words = super::passage::words(quote);
    if let Some(found) = super::passage::locate(&hay, &words, &super::passage::words(prefix)) {
        return Some(super::passage::span(&hay, found));
    }
    // The quote itself was edited: its surroundings tell where it is, if both are still
    // there with about the quote's length between them.
    if prefix.len() < 8 || suffix.len() < 8 {
        return None;
    }
    let slack = quote.len() / 2 + 8;
    text.match_indices(prefix).find_map(|(at, _)| {
        let start = at + prefix.len();
        let window_end = (start + quote.len() + slack + suffix.len()).min(text.len());
        let mut window_end = window_end;
        while !text.is_char_boundary(window_end) {
            window_end -= 1;
        }
        let found = text[start..window_end].find(suffix)?;
        let len = found;
        // Edited, not rewritten: most of its words are still there (a typo fixed keeps the
        // rest; a heading renamed between the same neighbours does not).
        let edited =
            len + slack >= quote.len() && len > 0 && mostly_same(quote, &text[start..start + len]);
        edited.then_some(start..start + len)
    })
}

/// Whether at least half of `quote`'s words (compared without case) are words of `now`.
fn mostly_same(quote: &str, now: &str) -> bool {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (was, now) = (words(quote), words(now));
    let kept = was.iter().filter(|w| now.contains(w)).count();
    !was.is_empty() && kept * 2 >= was.len()
}

/// Where `quote`'s words stand in `text` in their order with only white space between them,
/// whatever white space (a passage wrapped over two lines of a file is the passage a reader
/// sees on one).
pub fn find_loose(text: &str, quote: &str) -> Option<Range<usize>> {
    let mut words = quote.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = words.collect();
    'places: for (start, _) in text.match_indices(first) {
        let mut at = start + first.len();
        for word in &rest {
            let gap = text[at..].len() - text[at..].trim_start().len();
            if gap == 0 || !text[at + gap..].starts_with(word) {
                continue 'places;
            }
            at += gap + word.len();
        }
        return Some(start..at);
    }
    None
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Intro line.\n\n- A bookmark about caches: the hit rate is what matters most, \
        not the size.\n- Another one: the hit rate is what matters most here too.\n";

    fn made(quote: &str, nth: usize) -> Highlight {
        let at = TEXT.match_indices(quote).nth(nth).expect("in the text").0;
        Highlight::new(
            "x",
            TEXT,
            at..at + quote.len(),
            Some("a note".into()),
            Timestamp(1),
        )
    }

    #[test]
    fn a_highlight_finds_its_words_after_an_insertion_above() {
        let h = made("the hit rate is what matters most", 1);
        let edited = format!("- A new bookmark on top.\n{TEXT}");
        let found = h.find(&edited).expect("found");
        assert_eq!(&edited[found.clone()], h.quote);
        // The second place, not the first: its surroundings say which.
        assert_eq!(found.start, edited.rfind("the hit rate").unwrap());
    }

    #[test]
    fn a_typo_fixed_inside_the_quote_keeps_it_attached() {
        let h = made("the hit rate is what matters most, not the size", 0);
        let h = Highlight {
            quote: "the hit rate is what maters most, not the size".into(),
            ..h
        };
        let found = h.find(TEXT).expect("re-attached by its surroundings");
        assert!(TEXT[found].starts_with("the hit rate"));
    }

    #[test]
    fn a_quote_wrapped_otherwise_is_the_same_passage() {
        let text = "Rust's ownership implies\nimperative programming, said the post.";
        assert_eq!(
            find_loose(text, "implies imperative programming"),
            Some(17..47)
        );
        assert_eq!(&text[17..47], "implies\nimperative programming");
        assert_eq!(find_loose(text, "implies programming"), None);
        assert_eq!(find_loose(text, "impliesimperative"), None);
    }

    #[test]
    fn a_passage_rewritten_between_the_same_neighbours_is_orphaned() {
        let text = "Intro.\n\n### Mismatched lifetime syntaxes lint\n\nThe lint checks.\n";
        let at = text.find("Mismatched").unwrap();
        let h = Highlight::new("x", text, at..at + 33, None, Timestamp(1));
        let renamed = text.replace(
            "Mismatched lifetime syntaxes lint",
            "A new lint for lifetimes",
        );
        assert_eq!(h.find(&renamed), None);
        let typo = text.replace("syntaxes", "syntaxs");
        assert!(h.find(&typo).is_some());
    }

    #[test]
    fn a_passage_gone_is_orphaned_not_lost() {
        let h = made("not the size", 0);
        assert_eq!(
            h.find("Intro line.\n\nEverything else was rewritten.\n"),
            None
        );
        assert_eq!(h.note.as_deref(), Some("a note"));
    }

    #[test]
    fn contexts_are_cut_at_characters() {
        let text = "ééééééééééééééééééééééééééééé quote ééééééééééééééééééééé";
        let at = text.find("quote").unwrap();
        let h = Highlight::new("x", text, at..at + 5, None, Timestamp(1));
        assert!(h.prefix.len() <= CONTEXT && h.suffix.len() <= CONTEXT);
        assert_eq!(h.find(text), Some(at..at + 5));
    }
}
