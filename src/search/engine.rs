//! Running a query against the index: match words, intersect, filter, rank, and explain.
//!
//! Each query word expands to the vocabulary words it matches (exactly, as a prefix, or within
//! a few typos) and every item gets that word's best (field × match) score. Items must match
//! every word; the best few hundred are then looked at closely: words close together in one
//! body line, a fuzzy match of the title, the snippet and the positions to highlight.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

use super::distance::{max_typos, prefix_distance};
use super::index::{SearchIndex, field};
use super::query::{Filter, Query};
use super::tokenize::{lower, lower_into, words};
use crate::content::Library;

/// Where an item's best hit was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Tags,
    Description,
    Category,
    Url,
    Body,
}

/// The body line that best matches, with the byte ranges of the matched words in `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 0-based line of the body (markdown source).
    pub line: usize,
    pub text: String,
    pub ranges: Vec<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub item: usize,
    pub score: u32,
    pub field: Field,
    /// Char indices of the title to highlight.
    pub title_positions: Vec<usize>,
    pub snippet: Option<Snippet>,
}

#[derive(Debug, Default, Clone)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// How many items matched before the limit.
    pub total: usize,
    /// Finds the query's words in any text (for highlighting a body).
    pub highlighter: Arc<Highlighter>,
}

pub struct SearchOptions<'a> {
    pub limit: usize,
    /// Read marks, for `is:read` / `is:unread`.
    pub is_read: Option<&'a dyn Fn(usize) -> bool>,
    /// Polled now and then; when it says yes the search stops and returns `None`.
    pub cancelled: &'a dyn Fn() -> bool,
}

impl Default for SearchOptions<'_> {
    fn default() -> Self {
        SearchOptions {
            limit: 50,
            is_read: None,
            cancelled: &|| false,
        }
    }
}

const BODY: u8 = 32;

/// Weight of a hit in each field, out of 100.
fn field_weight(mask: u8) -> u32 {
    [
        (field::TITLE, 100),
        (field::TAGS, 70),
        (field::DESCRIPTION, 60),
        (field::CATEGORY, 45),
        (field::URL, 40),
        (BODY, 30),
    ]
    .iter()
    .filter(|(bit, _)| mask & bit != 0)
    .map(|(_, w)| *w)
    .max()
    .unwrap_or(0)
}

fn best_field(mask: u8) -> Field {
    if mask & field::TITLE != 0 {
        Field::Title
    } else if mask & field::TAGS != 0 {
        Field::Tags
    } else if mask & field::DESCRIPTION != 0 {
        Field::Description
    } else if mask & field::CATEGORY != 0 {
        Field::Category
    } else if mask & field::URL != 0 {
        Field::Url
    } else {
        Field::Body
    }
}

/// How well one query word matches words of text.
#[derive(Debug, Clone, Default)]
pub struct Term {
    pub word: String,
    /// Longer vocabulary words starting with `word` count (not for one- or two-letter words
    /// in bodies, where that would match nearly everything).
    prefix: bool,
    /// Vocabulary words within the typo budget.
    fuzzy: HashSet<String>,
}

impl Term {
    /// Quality of a (lowercase) word's match, out of 100, and how many of its chars matched.
    fn matches(&self, word: &str) -> Option<(u32, usize)> {
        if word == self.word {
            Some((100, word.chars().count()))
        } else if self.prefix && word.starts_with(self.word.as_str()) {
            Some((75, self.word.chars().count()))
        } else if self.fuzzy.contains(word) {
            Some((45, word.chars().count()))
        } else {
            None
        }
    }
}

/// The query's words, to find in any text: used for snippets, titles and the reader's body.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    pub terms: Vec<Term>,
    pub phrases: Vec<String>,
}

impl Highlighter {
    /// Byte ranges of `text` that match a query word (or phrase), in order, not overlapping.
    pub fn find(&self, text: &str) -> Vec<Range<usize>> {
        let mut ranges = Vec::new();
        let mut buf = String::new();
        for (start, word) in words(text) {
            let lowered = lower_into(word, &mut buf);
            let best = self
                .terms
                .iter()
                .filter_map(|t| t.matches(lowered))
                .max_by_key(|(q, n)| (*q, *n));
            if let Some((_, chars)) = best {
                let end = word
                    .char_indices()
                    .nth(chars)
                    .map_or(word.len(), |(i, _)| i);
                ranges.push(start..start + end);
            }
        }
        if !self.phrases.is_empty() {
            let lowered = text.to_lowercase();
            if lowered.len() == text.len() {
                for phrase in &self.phrases {
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
        let mut buf = String::new();
        let mut positions: Vec<(usize, usize)> = Vec::new();
        for (n, (_, word)) in words(text).enumerate() {
            let lowered = lower_into(word, &mut buf);
            for (t, term) in self.terms.iter().enumerate() {
                if term.matches(lowered).is_some() {
                    positions.push((n, t));
                }
            }
        }
        let distinct: HashSet<usize> = positions.iter().map(|(_, t)| *t).collect();
        if distinct.len() < 2 {
            return (distinct.len(), 0);
        }
        // Smallest window of word positions containing every matched term.
        let need = distinct.len();
        let mut counts = vec![0usize; self.terms.len()];
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
        (need, best)
    }
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

/// Expands one query word against the vocabulary: (word id, quality, counts in bodies).
fn expand(index: &SearchIndex, word: &str) -> (Term, Vec<(usize, u32, bool)>) {
    let chars: Vec<char> = word.chars().collect();
    let long_enough = chars.len() >= 3;
    let mut out = Vec::new();
    let mut term = Term {
        word: word.to_string(),
        prefix: true,
        fuzzy: HashSet::new(),
    };
    let range = index.prefix_range(word);
    for id in range.clone() {
        let exact = index.vocab.get(id) == word;
        // Completions of a short word count in titles and other short fields only.
        out.push((id, if exact { 100 } else { 75 }, exact || long_enough));
    }
    let typos = max_typos(chars.len());
    if typos > 0 {
        let mut first = String::new();
        first.push(chars[0]);
        let mut second = String::new();
        second.push(chars[1]);
        let mut scanned = vec![index.prefix_range(&first)];
        if chars[1] != chars[0] {
            // A swap of the first two letters still starts with the second.
            scanned.push(index.prefix_range(&second));
        }
        let mut wchars: Vec<char> = Vec::with_capacity(48);
        for span in scanned {
            for id in span {
                if range.contains(&id) {
                    continue;
                }
                let w = index.vocab.get(id);
                wchars.clear();
                wchars.extend(w.chars().take(chars.len() + typos));
                if let Some(d) = prefix_distance(&chars, &wchars, typos) {
                    let quality = if d <= 1 { 45 } else { 30 };
                    out.push((id, quality, true));
                    term.fuzzy.insert(w.to_string());
                }
            }
        }
    }
    (term, out)
}

/// Runs `query`. Returns `None` when cancelled.
pub fn search(
    index: &SearchIndex,
    library: &Library,
    query: &Query,
    options: &SearchOptions<'_>,
) -> Option<Results> {
    let n = index.items.len();
    let cancelled = options.cancelled;
    let mut terms = Vec::new();
    let mut total = vec![0u32; n];
    let mut matched = vec![0u16; n];
    let mut fields = vec![0u8; n];
    let mut best = vec![0u32; n];
    let mut touched: Vec<u32> = Vec::new();
    for word in &query.words {
        if cancelled() {
            return None;
        }
        let (term, expansions) = expand(index, word);
        touched.clear();
        for (id, quality, in_body) in expansions {
            let (items, masks) = index.short_postings(id);
            for (&item, &mask) in items.iter().zip(masks) {
                let score = quality * field_weight(mask) / 100;
                let i = item as usize;
                if best[i] == 0 {
                    touched.push(item);
                }
                if score > best[i] {
                    best[i] = score;
                }
                fields[i] |= mask;
            }
            if in_body {
                let score = quality * field_weight(BODY) / 100;
                for item in index.body_postings(id) {
                    let i = item as usize;
                    // Only a damaged cached index could hold more; never index past the items.
                    if i >= n {
                        break;
                    }
                    if best[i] == 0 {
                        touched.push(item);
                    }
                    if score > best[i] {
                        best[i] = score;
                    }
                    fields[i] |= BODY;
                }
            }
        }
        // Acronyms of titles: `kdi` finds "kafka-delta-ingest".
        if word.chars().count() >= 2 && word.chars().all(char::is_alphanumeric) {
            for i in 0..n {
                if index.acronym(i).contains(word.as_str()) {
                    if best[i] == 0 {
                        touched.push(i as u32);
                    }
                    best[i] = best[i].max(55);
                    fields[i] |= field::TITLE;
                }
            }
        }
        for &item in &touched {
            let i = item as usize;
            total[i] += best[i];
            matched[i] += 1;
            best[i] = 0;
        }
        terms.push(term);
    }
    if cancelled() {
        return None;
    }
    let needed = terms.len() as u16;
    let in_ok = category_filter(index, &query.filters);
    let excluded = excluded_items(index, library, &query.excluded, cancelled)?;
    let mut candidates: Vec<usize> = (0..n)
        .filter(|&i| matched[i] == needed)
        .filter(|&i| passes(index, i, &query.filters, options, in_ok.as_deref()))
        .filter(|&i| !excluded.contains(&i))
        .collect();
    if !query.phrases.is_empty() {
        candidates.retain(|&i| {
            let item = &library.items[i];
            let text = format!(
                "{}\n{}\n{}",
                item.title,
                item.description.as_deref().unwrap_or(""),
                item.body
            )
            .to_lowercase();
            query.phrases.iter().all(|p| text.contains(p.as_str()))
        });
    }
    let highlighter = Arc::new(Highlighter {
        terms,
        phrases: query.phrases.clone(),
    });
    let found = candidates.len();
    if terms_are_empty(&highlighter) {
        // Filters only: list in library order.
        candidates.truncate(options.limit);
        let hits = candidates
            .into_iter()
            .map(|item| Hit {
                item,
                score: 0,
                field: Field::Title,
                title_positions: Vec::new(),
                snippet: None,
            })
            .collect();
        return Some(Results {
            hits,
            total: found,
            highlighter,
        });
    }

    // Look closely at the best few hundred only.
    // Refining costs a pass over each body, so only a margin beyond the limit is refined.
    let closer = (options.limit + options.limit / 2)
        .max(60)
        .min(candidates.len());
    if closer < candidates.len() {
        candidates.select_nth_unstable_by(closer, |&a, &b| total[b].cmp(&total[a]).then(a.cmp(&b)));
        candidates.truncate(closer);
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let pattern: String = query.words.join(" ");
    let mut hits = Vec::with_capacity(candidates.len());
    for (k, &item) in candidates.iter().enumerate() {
        if k % 64 == 0 && cancelled() {
            return None;
        }
        let it = &library.items[item];
        let mut score = total[item] * 10;
        let title_positions = title_positions(
            &highlighter,
            &it.title,
            index.acronym(item),
            &matcher,
            &pattern,
        );
        if let Some((s, _)) = matcher.fuzzy_indices(&it.title, &pattern) {
            score += (s.max(0) as u32).min(200);
        }
        let (title_terms, _) = highlighter.coverage(&it.title);
        if title_terms == highlighter.terms.len() && title_terms > 0 {
            score += 150;
        }
        let snippet = if fields[item] & BODY != 0 {
            best_line(&highlighter, &it.body)
        } else {
            None
        };
        if let Some((_, covered, span)) = &snippet
            && *covered >= 2
        {
            score += (*covered as u32) * 60 / (1 + (*span as u32) / 4);
        }
        hits.push(Hit {
            item,
            score,
            field: best_field(fields[item]),
            title_positions,
            snippet: snippet.map(|(s, _, _)| s),
        });
    }
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.item.cmp(&b.item)));
    hits.truncate(options.limit);
    Some(Results {
        hits,
        total: found,
        highlighter,
    })
}

fn terms_are_empty(h: &Highlighter) -> bool {
    h.terms.is_empty() && h.phrases.is_empty()
}

fn passes(
    index: &SearchIndex,
    item: usize,
    filters: &[Filter],
    options: &SearchOptions<'_>,
    in_ok: Option<&[bool]>,
) -> bool {
    let info = &index.items[item];
    filters.iter().all(|f| match f {
        Filter::Kind(kind) => info.kind == *kind,
        Filter::Read(read) => options.is_read.is_none_or(|is_read| is_read(item) == *read),
        Filter::In(_) => in_ok.is_none_or(|ok| ok[info.category.0]),
        Filter::Tag(tag) => index
            .tags(item)
            .any(|t| t == tag || t.starts_with(tag.as_str())),
    })
}

/// For `in:NAME` filters: which categories are inside one whose name matches.
fn category_filter(index: &SearchIndex, filters: &[Filter]) -> Option<Vec<bool>> {
    let names: Vec<&str> = filters
        .iter()
        .filter_map(|f| {
            if let Filter::In(n) = f {
                Some(n.as_str())
            } else {
                None
            }
        })
        .collect();
    if names.is_empty() {
        return None;
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut ok: Vec<bool> = index
        .category_names
        .iter()
        .enumerate()
        .map(|(c, name)| {
            c != 0
                && names.iter().all(|n| {
                    name.contains(n) || matcher.fuzzy_match(name, n).is_some_and(|s| s >= 40)
                })
        })
        .collect();
    // Parents come before their children, so one pass hands a match down the tree.
    for c in 0..ok.len() {
        if let Some(parent) = index.category_parents[c]
            && ok[parent.0]
        {
            ok[c] = true;
        }
    }
    Some(ok)
}

/// Items holding an excluded word or phrase; `None` when cancelled (a phrase is looked for in
/// every body, which may first have to be read from the load cache).
fn excluded_items(
    index: &SearchIndex,
    library: &Library,
    excluded: &[String],
    cancelled: &dyn Fn() -> bool,
) -> Option<HashSet<usize>> {
    let mut out = HashSet::new();
    for word in excluded {
        if word.contains(' ') {
            for (i, item) in library.items.iter().enumerate() {
                if i % 1024 == 0 && cancelled() {
                    return None;
                }
                let text = format!(
                    "{} {} {}",
                    item.title,
                    item.description.as_deref().unwrap_or(""),
                    item.body
                );
                if lower(&text).contains(word.as_str()) {
                    out.insert(i);
                }
            }
        } else if let Some(id) = index.word_id(word) {
            out.extend(index.short_postings(id).0.iter().map(|&i| i as usize));
            out.extend(
                index
                    .body_postings(id)
                    .map(|i| i as usize)
                    .filter(|&i| i < index.items.len()),
            );
        }
    }
    Some(out)
}

fn title_positions(
    h: &Highlighter,
    title: &str,
    acronym: &str,
    matcher: &SkimMatcherV2,
    pattern: &str,
) -> Vec<usize> {
    let ranges = h.find(title);
    if !ranges.is_empty() {
        return ranges_to_chars(title, &ranges);
    }
    // An acronym hit lights up the initials.
    for term in &h.terms {
        if term.word.len() >= 2 && acronym.contains(term.word.as_str()) {
            let initials: Vec<usize> = words(title)
                .map(|(start, _)| title[..start].chars().count())
                .collect();
            if let Some(at) = acronym.find(term.word.as_str()) {
                let from = acronym[..at].chars().count();
                let len = term.word.chars().count();
                return initials.into_iter().skip(from).take(len).collect();
            }
        }
    }
    matcher
        .fuzzy_indices(title, pattern)
        .map(|(_, p)| p)
        .unwrap_or_default()
}

fn ranges_to_chars(text: &str, ranges: &[Range<usize>]) -> Vec<usize> {
    text.char_indices()
        .enumerate()
        .filter(|(_, (byte, _))| ranges.iter().any(|r| r.contains(byte)))
        .map(|(n, _)| n)
        .collect()
}

/// The body line holding the most query words closest together: (snippet, words, span).
fn best_line(h: &Highlighter, body: &str) -> Option<(Snippet, usize, usize)> {
    let mut best: Option<(usize, usize, usize)> = None; // (line, covered, span)
    for (n, line) in body.lines().enumerate() {
        let (covered, span) = h.coverage(line);
        if covered == 0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, c, s)) => covered > c || (covered == c && span < s),
        };
        if better {
            best = Some((n, covered, span));
        }
    }
    let (line, covered, span) = best?;
    let raw = body.lines().nth(line)?;
    let text = strip_markers(raw).to_string();
    let ranges = h.find(&text);
    Some((Snippet { line, text, ranges }, covered, span))
}

/// A source line without its markdown lead: quote bars, list bullets, heading marks.
pub fn strip_markers(line: &str) -> &str {
    let mut rest = line.trim_start();
    loop {
        let before = rest;
        for marker in ["> ", ">", "- ", "* ", "+ "] {
            if let Some(r) = rest.strip_prefix(marker) {
                rest = r.trim_start();
            }
        }
        if let Some(r) = rest.strip_prefix('#') {
            rest = r.trim_start_matches('#').trim_start();
        }
        if rest == before {
            return rest.trim_end();
        }
    }
}
