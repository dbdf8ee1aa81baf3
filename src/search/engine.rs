//! Running a query against the index: match words, intersect, filter, rank, and explain.
//!
//! Each query word expands to the vocabulary words it matches (exactly, as a prefix, or within
//! a few typos). Every item keeps, for each query word, its best match: fewest typos, then
//! whole word over completion, then best field. Items must match every word. The best few hundred
//! by those measures are then looked at closely (words close together in one line, the fit of
//! the title, the snippet, the positions to highlight) and sorted by the ranking rules.

use std::collections::HashSet;
use std::sync::Arc;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::Serialize;

use super::distance::{max_typos, prefix_distance};
use super::fusion::{Filled, MAX_FILLED, fuse};
pub use super::highlight::{Focused, Highlighter, Term};
use super::index::{SearchIndex, field};
use super::meaning::{self, QueryVector, Unit};
use super::query::{Filter, Query};
use super::ranking::{MAX_PROXIMITY, Rank, TYPO_THRESHOLD};
use super::segment::Segment;
pub use super::snippet::Snippet;
use super::snippet::best_passage;
use super::synonyms::Synonyms;
use super::tokenize::{lower, words};
use crate::content::Items;

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
    /// A note the user kept with a highlight of the item.
    Note,
    /// The page saved from the item's link (`quire archive`).
    #[serde(rename = "saved_page")]
    SavedPage,
}

/// Fields from best to worst; a field's rank is its place here.
const FIELDS: [(u8, Field); 5] = [
    (field::TITLE, Field::Title),
    (field::TAGS, Field::Tags),
    (field::DESCRIPTION, Field::Description),
    (field::CATEGORY, Field::Category),
    (field::URL, Field::Url),
];
const BODY_RANK: u8 = 5;

/// The rank of the best field in a short posting's mask.
fn field_rank(mask: u8) -> u8 {
    FIELDS
        .iter()
        .position(|(bit, _)| mask & bit != 0)
        .map_or(BODY_RANK, |p| p as u8)
}

fn field_of_rank(rank: u8) -> Field {
    FIELDS
        .get(usize::from(rank))
        .map_or(Field::Body, |(_, f)| *f)
}

/// How an item was found: by holding the query's words, by being near it in meaning, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Matched {
    Words,
    Meaning,
    Both,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub item: usize,
    pub matched: Matched,
    /// Bigger is better; sorts as the ranking rules do.
    pub score: u64,
    pub field: Field,
    /// Char indices of the title to highlight.
    pub title_positions: Vec<usize>,
    pub snippet: Option<Snippet>,
}

#[derive(Debug, Default, Clone)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// How many items matched (held every word) before the limit.
    pub total: usize,
    /// How many more were found by meaning, or hold some of the words (listed after the
    /// matches, as room allows).
    pub near: usize,
    /// Finds the query's words in any text (for highlighting a body).
    pub highlighter: Arc<Highlighter>,
}

pub struct SearchOptions<'a> {
    pub limit: usize,
    /// Read marks, for `is:read` / `is:unread`.
    pub is_read: Option<&'a dyn Fn(usize) -> bool>,
    /// Stars, for `is:starred`.
    pub is_starred: Option<&'a dyn Fn(usize) -> bool>,
    /// Items holding a highlight, for `is:highlighted`.
    pub is_highlighted: Option<&'a dyn Fn(usize) -> bool>,
    /// The notes kept with highlights, by item: the user's own words about it, searched as
    /// its text (they live in the read state, not in the files the index is made of).
    pub notes: &'a [(usize, String)],
    /// The pages saved from items' links (`quire archive`), by item: searched as their
    /// items', listed below everything found in the items themselves.
    pub saved: &'a [SavedText],
    /// Links found dead by the archive, for `is:dead`.
    pub is_dead: Option<&'a dyn Fn(usize) -> bool>,
    /// Polled now and then; when it says yes the search stops and returns `None`.
    pub cancelled: &'a dyn Fn() -> bool,
    /// The user's synonyms (`[search] synonyms`): the words each query word also finds.
    pub synonyms: Option<&'a Synonyms>,
    /// Search by meaning too (`[search] meaning`, off with `--exact`): below the items holding
    /// every word, those near the query in meaning and those holding some of its words.
    pub meaning: bool,
}

impl Default for SearchOptions<'_> {
    fn default() -> Self {
        SearchOptions {
            limit: 50,
            is_read: None,
            is_starred: None,
            is_highlighted: None,
            notes: &[],
            saved: &[],
            is_dead: None,
            cancelled: &|| false,
            synonyms: None,
            // Words only unless asked: the reader and the commands ask, as the config says.
            meaning: false,
        }
    }
}

/// How one vocabulary word matches a query word.
#[derive(Debug, Clone, Copy)]
struct Expansion {
    id: usize,
    typos: u8,
    /// A completion of the word typed, or a near spelling: not the word itself.
    inexact: bool,
    /// Counts in bodies (a completion of a one- or two-letter word would match nearly every
    /// body, so those count in short fields only).
    in_body: bool,
}

/// An item's best match for one query word, packed so that smaller is better in the order
/// the ranking rules weigh them: typos, exactness, field: `typos << 8 | inexact << 7 | field`.
type Code = u16;
const NO_MATCH: Code = Code::MAX;

fn code(typos: u8, field_rank: u8, inexact: bool) -> Code {
    Code::from(typos) << 8 | Code::from(inexact) << 7 | Code::from(field_rank)
}

/// What an item has gathered over the query words so far.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    /// Query words matched as typed (exactly or as a prefix), as bits.
    typed: u64,
    matched: u16,
    typos: u16,
    attribute: u16,
    inexact: u16,
    /// Best field rank of any word.
    best_field: u8,
}

impl Tally {
    fn add(&mut self, word: usize, c: Code) {
        if c >> 8 == 0 && word < 64 {
            self.typed |= 1 << word;
        }
        let field = (c & 0x7f) as u8;
        if self.matched == 0 || field < self.best_field {
            self.best_field = field;
        }
        self.matched += 1;
        self.typos += c >> 8;
        self.attribute += Code::from(field);
        self.inexact += (c >> 7) & 1;
    }

    /// The measures known before looking closely, in the order the rules weigh them.
    fn coarse(&self) -> (u16, u16, u16) {
        (self.typos, self.inexact, self.attribute)
    }
}

/// Expands one query word against a segment's vocabulary, adding the near spellings found to
/// `term`.
fn expand(segment: &Segment, word: &str, term: &mut Term) -> Vec<Expansion> {
    let chars: Vec<char> = word.chars().collect();
    let long_enough = chars.len() >= 3;
    let mut out = Vec::new();
    let range = segment.prefix_range(word);
    for id in range.clone() {
        let exact = segment.vocab.get(id) == word;
        out.push(Expansion {
            id,
            typos: 0,
            inexact: !exact,
            in_body: exact || long_enough,
        });
    }
    // The word's other forms (`queues` for `queue`, `ranked` for `ranking`): another form of
    // the same word, so no typo, but not the word typed (below it, with the completions).
    for &id in segment.same_stem(word) {
        let id = id as usize;
        if range.contains(&id) {
            continue;
        }
        out.push(Expansion {
            id,
            typos: 0,
            inexact: true,
            in_body: true,
        });
        term.forms.insert(segment.vocab.get(id).to_string());
    }
    let typos = max_typos(chars.len());
    if typos > 0 {
        let mut first = String::new();
        first.push(chars[0]);
        let mut second = String::new();
        second.push(chars[1]);
        let mut scanned = vec![segment.prefix_range(&first)];
        if chars[1] != chars[0] {
            // A swap of the first two letters still starts with the second.
            scanned.push(segment.prefix_range(&second));
        }
        let mut wchars: Vec<char> = Vec::with_capacity(48);
        for span in scanned {
            for id in span {
                let w = segment.vocab.get(id);
                if range.contains(&id) || term.forms.contains(w) {
                    continue;
                }
                wchars.clear();
                wchars.extend(w.chars().take(chars.len() + typos));
                if let Some(d) = prefix_distance(&chars, &wchars, typos) {
                    let d = d.max(1) as u8;
                    out.push(Expansion {
                        id,
                        typos: d,
                        inexact: true,
                        in_body: true,
                    });
                    term.fuzzy.insert(w.to_string(), d);
                }
            }
        }
    }
    out
}

/// Each item's best match for query word `word`, over every segment: `best` holds it for the
/// items listed in `touched`.
fn best_matches(
    index: &SearchIndex,
    word: &str,
    synonyms: Option<&Synonyms>,
    best: &mut [Code],
    touched: &mut Vec<u32>,
) -> Term {
    let mut term = Term {
        word: word.to_string(),
        prefix: true,
        fuzzy: Default::default(),
        forms: Default::default(),
    };
    let mut keep = |item: u32, c: Code| {
        let slot = &mut best[item as usize];
        if *slot == NO_MATCH {
            touched.push(item);
        }
        *slot = (*slot).min(c);
    };
    // The user's synonyms of the word, as written: found as another form of it.
    let others = synonyms.map_or(&[][..], |s| s.of(word));
    for other in others {
        term.forms.insert(other.clone());
    }
    for view in index.segments() {
        for id in others.iter().filter_map(|o| view.segment.word_id(o)) {
            for (item, mask) in view.short_items(id) {
                keep(item, code(0, field_rank(mask), true));
            }
            for item in view.body_items(id) {
                keep(item, code(0, BODY_RANK, true));
            }
        }
        for e in expand(view.segment, word, &mut term) {
            for (item, mask) in view.short_items(e.id) {
                keep(item, code(e.typos, field_rank(mask), e.inexact));
            }
            if e.in_body {
                let c = code(e.typos, BODY_RANK, e.inexact);
                for item in view.body_items(e.id) {
                    keep(item, c);
                }
            }
        }
    }
    // Acronyms of titles: `kdi` finds "kafka-delta-ingest". Initials are a loose match,
    // weighed as one typo so that the word itself, wherever it stands, comes first.
    if word.chars().count() >= 2 && word.chars().all(char::is_alphanumeric) {
        let c = code(1, 0, true);
        for i in 0..index.items.len() {
            if index.acronym(i).contains(word) {
                keep(i as u32, c);
            }
        }
    }
    term
}

/// Runs `query`. Returns `None` when cancelled.
pub fn search(
    index: &SearchIndex,
    library: &dyn Items,
    query: &Query,
    options: &SearchOptions<'_>,
) -> Option<Results> {
    let n = index.items.len();
    let cancelled = options.cancelled;
    let mut terms = Vec::new();
    let mut tally = vec![Tally::default(); n];
    let mut best = vec![NO_MATCH; n];
    let mut touched: Vec<u32> = Vec::new();
    // For search by meaning: what the query words an item holds weigh (a rare word much, a
    // word in every item nothing), to rank the items that hold only some of them.
    let by_meaning = options.meaning && query.phrases.is_empty() && !query.words.is_empty();
    let mut weight = vec![0f32; if by_meaning { n } else { 0 }];
    let mean_len = if by_meaning {
        (0..library.len())
            .map(|i| library.body_len(i) as f32)
            .sum::<f32>()
            / n.max(1) as f32
    } else {
        0.0
    };
    for (w, word) in query.words.iter().enumerate() {
        if cancelled() {
            return None;
        }
        touched.clear();
        let term = best_matches(index, word, options.synonyms, &mut best, &mut touched);
        let rarity = (n as f32 / touched.len().max(1) as f32).ln();
        for &item in &touched {
            let i = item as usize;
            tally[i].add(w, best[i]);
            // A near spelling is a guess: only the words as typed (or their forms) weigh.
            if by_meaning && best[i] >> 8 == 0 {
                weight[i] += rarity * word_weight(best[i], library.body_len(i), mean_len);
            }
            best[i] = NO_MATCH;
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
        .filter(|&i| tally[i].matched == needed)
        .filter(|&i| passes(index, i, &query.filters, options, in_ok.as_deref()))
        .filter(|&i| !excluded.contains(&i))
        .collect();
    if !query.phrases.is_empty() {
        candidates.retain(|&i| {
            let item = library.item(i);
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
    // Near spellings are for words that find too little as typed: when enough items hold
    // every word as typed, those needing a typo (or a title's initials) are left out rather
    // than listed below them (Typesense's `typo_tokens_threshold`).
    let as_typed = candidates.iter().filter(|&&i| tally[i].typos == 0).count();
    if let Some(like) = &query.like {
        // Words after `like:ID` choose among its neighbours: an item holding them as typed
        // (or in another form), not one a typo away (`cargo` is not `Argo`), unless none does.
        if as_typed > 0 {
            candidates.retain(|&i| tally[i].typos == 0);
        }
        return like_one(
            index,
            library,
            like,
            &candidates,
            highlighter,
            options.limit,
            cancelled,
        );
    }
    if as_typed >= TYPO_THRESHOLD {
        candidates.retain(|&i| tally[i].typos == 0);
    }
    let by_note = noted(
        index,
        library,
        query,
        options,
        &highlighter,
        (&candidates, in_ok.as_deref(), &excluded),
    );
    // Built only when pages are saved: a keystroke over a library without any pays nothing.
    let found_already: HashSet<usize> = if options.saved.is_empty() {
        HashSet::new()
    } else {
        candidates
            .iter()
            .copied()
            .chain(by_note.iter().map(|(_, hit)| hit.item))
            .collect()
    };
    let by_saved_page = in_saved_pages(
        index,
        query,
        options,
        &highlighter,
        (&found_already, in_ok.as_deref(), &excluded),
    );
    let found = candidates.len() + by_note.len() + by_saved_page.len();
    // Every full match, before the closer look keeps the best: meaning lists none again.
    let candidates_all: Vec<usize> = if by_meaning {
        candidates
            .iter()
            .copied()
            .chain(by_note.iter().map(|(_, hit)| hit.item))
            .chain(by_saved_page.iter().map(|(_, hit)| hit.item))
            .collect()
    } else {
        Vec::new()
    };
    if highlighter.terms.is_empty() && highlighter.phrases.is_empty() {
        // Filters (or exclusions) only: the newest first, as the list shows posts; undated
        // items (bookmarks) after them in library order.
        candidates.sort_by_key(|&i| std::cmp::Reverse(library.item(i).date));
        candidates.truncate(options.limit);
        let hits = candidates
            .into_iter()
            .map(|item| Hit {
                item,
                matched: Matched::Words,
                score: 0,
                field: Field::Title,
                title_positions: Vec::new(),
                snippet: None,
            })
            .collect();
        return Some(Results {
            hits,
            total: found,
            near: 0,
            highlighter,
        });
    }

    // Look closely at the best few hundred only, chosen by what is known without reading
    // the bodies: typos, exactness, fields. Proximity needs the lines, so a multi-word query
    // looks at more of them.
    let closer = (options.limit + options.limit / 2)
        .max(if highlighter.terms.len() > 1 { 200 } else { 60 })
        .min(candidates.len());
    let coarse = |i: usize| (tally[i].coarse(), i);
    if closer < candidates.len() {
        candidates.select_nth_unstable_by_key(closer, |&i| coarse(i));
        candidates.truncate(closer);
    }
    let matcher = SkimMatcherV2::default().ignore_case();
    let pattern: String = query.words.join(" ");
    let mut ranked: Vec<(Rank, Hit)> = Vec::with_capacity(candidates.len());
    for (k, &item) in candidates.iter().enumerate() {
        if k % 64 == 0 && cancelled() {
            return None;
        }
        ranked.push(look_closely(
            index,
            library,
            &highlighter,
            &tally[item],
            item,
            (&matcher, &pattern),
        ));
    }
    ranked.extend(by_note);
    ranked.sort_by(|(a, x), (b, y)| a.compare(b).then(x.item.cmp(&y.item)));
    // Found only in a saved page: below everything found in the items' own words.
    let mut by_saved_page = by_saved_page;
    by_saved_page.sort_by(|(a, x), (b, y)| a.compare(b).then(x.item.cmp(&y.item)));
    ranked.extend(by_saved_page);
    ranked.truncate(options.limit);
    let mut hits: Vec<Hit> = ranked.into_iter().map(|(_, hit)| hit).collect();
    let mut near_total = 0;
    // One word that items hold is what the user wants, and the model knows a rare word (a
    // name, `codel`) only by its pieces: meaning fills in below a query of several words,
    // or when nothing holds the word.
    if by_meaning && (query.words.len() > 1 || found == 0) {
        let full: HashSet<usize> = candidates_all.iter().copied().collect();
        let keep = |i: usize| {
            passes(index, i, &query.filters, options, in_ok.as_deref()) && !excluded.contains(&i)
        };
        let partial = holding_some(&weight, &|i| tally[i].matched < needed && keep(i));
        let near = match QueryVector::new(&query.words.join(" ")) {
            Some(q) => meaning::rerank(library, &q, index.nearness(&q, &keep, cancelled)?),
            None => Vec::new(),
        };
        // The full matches found by meaning too say so.
        for hit in &mut hits {
            if near
                .iter()
                .any(|n| n.item == hit.item && n.nearness >= meaning::MIN_NEARNESS)
            {
                hit.matched = Matched::Both;
            }
        }
        let room = options.limit.saturating_sub(hits.len());
        let filled = fuse(&partial, near, &|i| full.contains(&i), MAX_FILLED);
        near_total = filled.len();
        for f in filled.into_iter().take(room) {
            hits.push(filled_hit(
                index,
                library,
                &highlighter,
                &tally,
                f,
                (&matcher, &pattern),
            ));
        }
    }
    Some(Results {
        hits,
        total: found,
        near: near_total,
        highlighter,
    })
}

/// The items holding some of the query's words that weigh at least a third of the heaviest
/// (an item holding only `the` of a question is not near it), at most [`meaning::RERANK`]
/// of them, with their weights.
fn holding_some(weight: &[f32], keep: &dyn Fn(usize) -> bool) -> Vec<(usize, f32)> {
    let mut out: Vec<(usize, f32)> = weight
        .iter()
        .enumerate()
        .filter(|&(i, &w)| w > 0.0 && keep(i))
        .map(|(i, &w)| (i, w))
        .collect();
    // A third of the heaviest of them: not of a full match's, which holds every word.
    let heaviest = out.iter().map(|&(_, w)| w).fold(0f32, f32::max);
    out.retain(|&(_, w)| w * 3.0 >= heaviest);
    if out.len() > meaning::RERANK {
        out.select_nth_unstable_by(meaning::RERANK, |a, b| {
            b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
        });
        out.truncate(meaning::RERANK);
    }
    out
}

/// The items nearest to `text` by meaning alone, nearest first: no words, no filters, no
/// [`meaning::MIN_NEARNESS`]. It is what `quire-bench meaning` weighs a model by, beside the
/// search a user gets.
pub fn nearest_by_meaning(
    index: &SearchIndex,
    library: &dyn Items,
    text: &str,
) -> Vec<meaning::Near> {
    let Some(query) = QueryVector::new(text) else {
        return Vec::new();
    };
    let candidates = index
        .nearness(&query, &|_| true, &|| false)
        .unwrap_or_default();
    meaning::rerank(library, &query, candidates)
}

/// `like:ID`: of `candidates` (the items the words and filters keep), the nearest in meaning
/// to item `id` (its title, description and body as the query), each with the passage that
/// makes it near; nothing when there is no such item.
fn like_one(
    index: &SearchIndex,
    library: &dyn Items,
    id: &str,
    candidates: &[usize],
    highlighter: Arc<Highlighter>,
    limit: usize,
    cancelled: &dyn Fn() -> bool,
) -> Option<Results> {
    let mut kept = vec![false; library.len()];
    for &i in candidates {
        kept[i] = true;
    }
    let near = match library.position(id) {
        Some(one) => {
            kept[one] = false;
            match QueryVector::of_item(library.item(one)) {
                Some(q) => meaning::rerank(
                    library,
                    &q,
                    index.nearness(&q, &|i| kept.get(i).copied().unwrap_or(false), cancelled)?,
                ),
                None => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let matched = if highlighter.terms.is_empty() {
        Matched::Meaning
    } else {
        Matched::Both
    };
    let total = near.len();
    let hits = near
        .into_iter()
        .take(limit)
        .map(|n| meaning_hit(n.item, &n.unit, matched))
        .collect();
    // None of them holds the query's words as a match would: all are near.
    Some(Results {
        hits,
        total: 0,
        near: total,
        highlighter,
    })
}

/// How much a query word an item holds weighs, besides the word's rarity: BM25's saturation
/// for a word found once, in a text of the item's length (a long post holds many words by
/// chance); a word of a short field counts as found in a short text.
fn word_weight(c: Code, body_len: usize, mean_len: f32) -> f32 {
    const K1: f32 = 1.2;
    const B: f32 = 0.75;
    let length = if (c & 0x7f) as u8 == BODY_RANK {
        body_len as f32 / mean_len.max(1.0)
    } else {
        0.0
    };
    (K1 + 1.0) / (1.0 + K1 * (1.0 - B + B * length))
}

/// What a snippet found by meaning starts with (the unit near the query, no word of it lit).
pub const MEANING_MARK: &str = "≈ ";

/// The hit of an item listed below the full matches: one holding some of the words shows
/// them as any hit does; one found by meaning only shows its nearest unit.
fn filled_hit(
    index: &SearchIndex,
    library: &dyn Items,
    highlighter: &Highlighter,
    tally: &[Tally],
    filled: Filled,
    closely: (&SkimMatcherV2, &str),
) -> Hit {
    let matched = match (filled.by_words, filled.near.is_some()) {
        (true, true) => Matched::Both,
        (true, false) => Matched::Words,
        _ => Matched::Meaning,
    };
    if filled.by_words {
        let (_, mut hit) = look_closely(
            index,
            library,
            highlighter,
            &tally[filled.item],
            filled.item,
            closely,
        );
        hit.matched = matched;
        hit.score = 0;
        if hit.snippet.is_none()
            && let Some(near) = filled.near
        {
            hit.snippet = meaning_snippet(&near.unit);
        }
        return hit;
    }
    let near = filled.near.expect("found by meaning");
    meaning_hit(filled.item, &near.unit, matched)
}

/// The hit of an item shown by its unit nearest in meaning: no word of it lit, below every
/// match (score 0).
fn meaning_hit(item: usize, unit: &Unit, matched: Matched) -> Hit {
    Hit {
        item,
        matched,
        score: 0,
        field: match unit.line {
            Some(_) => Field::Body,
            None => Field::Description,
        },
        title_positions: Vec::new(),
        snippet: meaning_snippet(unit),
    }
}

/// The unit as a snippet; none when it has no text once its markup is off (a unit of markup
/// alone shows as nothing rather than as an empty `≈`).
fn meaning_snippet(unit: &Unit) -> Option<Snippet> {
    let plain = crate::text::sanitize_line(&unit.plain());
    let plain = plain.trim();
    (!plain.is_empty()).then(|| Snippet {
        line: unit.line,
        text: format!("{MEANING_MARK}{plain}"),
        ranges: Vec::new(),
    })
}

/// What a snippet that is a note starts with.
pub const NOTE_MARK: &str = "✎ ";

/// The items found by a note kept with one of their highlights and not by their own text: each
/// ranked as if the note were its description (the user's own summary of it), its snippet the
/// note. `found` is (the items found by their text, the category filter, the excluded items).
fn noted(
    index: &SearchIndex,
    library: &dyn Items,
    query: &Query,
    options: &SearchOptions<'_>,
    highlighter: &Highlighter,
    found: (&[usize], Option<&[bool]>, &HashSet<usize>),
) -> Vec<(Rank, Hit)> {
    let (candidates, in_ok, excluded) = found;
    let terms = highlighter.terms.len();
    if options.notes.is_empty() || terms == 0 {
        return Vec::new();
    }
    let already: HashSet<usize> = candidates.iter().copied().collect();
    let mut out: Vec<(Rank, Hit)> = Vec::new();
    for (item, note) in options.notes {
        let item = *item;
        if item >= library.len()
            || already.contains(&item)
            || out.iter().any(|(_, hit)| hit.item == item)
            || excluded.contains(&item)
            || !passes(index, item, &query.filters, options, in_ok)
        {
            continue;
        }
        let focused = highlighter.within([note.as_str()]);
        let c = focused.weigh(note);
        let phrases = note.to_lowercase();
        if c.terms < terms || !query.phrases.iter().all(|p| phrases.contains(p.as_str())) {
            continue;
        }
        let title = &library.item(item).title;
        let rank = Rank {
            typos: 0,
            proximity: (c.span.saturating_sub(terms - 1) as u32).min(MAX_PROXIMITY - 1),
            attribute: u32::from(field_rank(field::DESCRIPTION)) * terms as u32,
            inexact: (terms - c.exact) as u32,
            title_misfit: 256,
            rarity: 255,
            title_len: title.chars().count().min(255) as u32,
        };
        // Shown as a note wherever results are shown: after a pencil.
        let text = format!("{NOTE_MARK}{}", crate::text::sanitize_line(note));
        let ranges = focused.find(&text[NOTE_MARK.len()..]);
        let hit = Hit {
            item,
            matched: Matched::Words,
            score: rank.score(),
            field: Field::Note,
            title_positions: Vec::new(),
            snippet: Some(Snippet {
                line: None,
                ranges: ranges
                    .into_iter()
                    .map(|r| r.start + NOTE_MARK.len()..r.end + NOTE_MARK.len())
                    .collect(),
                text,
            }),
        };
        out.push((rank, hit));
    }
    out
}

/// A page saved from an item's link, as search reads it: its title (the page's own, often
/// not the bookmark's) and its text (shared with the shelf, not a copy).
#[derive(Debug, Clone)]
pub struct SavedText {
    pub item: usize,
    pub title: Box<str>,
    pub text: std::sync::Arc<str>,
}

/// What a snippet from a saved page starts with.
pub const SAVED_MARK: &str = "▤ ";

/// The marks a snippet may start with, saying what it is.
pub const SNIPPET_MARKS: [&str; 3] = [NOTE_MARK, SAVED_MARK, MEANING_MARK];

/// The items found by the page saved from their link and not by their own text or notes:
/// ranked among themselves as if the page were their body, its best passage the snippet.
/// `found` is (the items found by their text or a note, the category filter, the excluded
/// items).
fn in_saved_pages(
    index: &SearchIndex,
    query: &Query,
    options: &SearchOptions<'_>,
    highlighter: &Highlighter,
    found: (&HashSet<usize>, Option<&[bool]>, &HashSet<usize>),
) -> Vec<(Rank, Hit)> {
    let (already, in_ok, excluded) = found;
    let terms = highlighter.terms.len();
    if options.saved.is_empty() || terms == 0 {
        return Vec::new();
    }
    let mut out: Vec<(Rank, Hit)> = Vec::new();
    // Each item once (the shelf gives each its one page).
    for (k, saved) in options.saved.iter().enumerate() {
        if k % 16 == 0 && (options.cancelled)() {
            return Vec::new();
        }
        let (item, title, text) = (saved.item, &*saved.title, &*saved.text);
        if item >= index.items.len()
            || already.contains(&item)
            || excluded.contains(&item)
            || !passes(index, item, &query.filters, options, in_ok)
        {
            continue;
        }
        // The page's title is a passage of its own, as a description is an item's.
        let focused = highlighter.within([title, text]);
        let c = focused.weigh(text);
        let c = match focused.weigh(title) {
            in_title if in_title.terms > c.terms => in_title,
            _ => c,
        };
        if c.terms < terms {
            continue;
        }
        let Some(best) = super::snippet::best_passage(&focused, title, text) else {
            continue;
        };
        let phrases_held = query.phrases.is_empty() || {
            let (title, lower) = (title.to_lowercase(), text.to_lowercase());
            query
                .phrases
                .iter()
                .all(|p| lower.contains(p.as_str()) || title.contains(p.as_str()))
        };
        if !phrases_held {
            continue;
        }
        let rank = Rank {
            typos: 0,
            proximity: (best.span.saturating_sub(terms - 1) as u32).min(MAX_PROXIMITY - 1),
            attribute: u32::from(BODY_RANK + 1) * terms as u32,
            inexact: (terms - c.exact) as u32,
            title_misfit: 256,
            rarity: 255,
            title_len: 255,
        };
        let snippet = best.snippet;
        let hit = Hit {
            item,
            matched: Matched::Words,
            score: rank.score(),
            field: Field::SavedPage,
            title_positions: Vec::new(),
            snippet: Some(Snippet {
                line: None,
                ranges: snippet
                    .ranges
                    .into_iter()
                    .map(|r| r.start + SAVED_MARK.len()..r.end + SAVED_MARK.len())
                    .collect(),
                text: format!("{SAVED_MARK}{}", snippet.text),
            }),
        };
        out.push((rank, hit));
    }
    out
}

/// Measures one candidate for the ranking rules and explains its match.
fn look_closely(
    index: &SearchIndex,
    library: &dyn Items,
    highlighter: &Highlighter,
    tally: &Tally,
    item: usize,
    (matcher, pattern): (&SkimMatcherV2, &str),
) -> (Rank, Hit) {
    let it = library.item(item);
    let description = it.description.as_deref().unwrap_or("");
    let body: &str = &it.body;
    // Near spellings count only for words the item lacks as typed: the snippet never shows
    // a line matched by a typo when the word itself stands elsewhere in the item.
    let focused = highlighter.for_item(tally.typed);
    let terms = focused.terms();

    let title = focused.coverage(&it.title);
    let line = best_passage(&focused, description, body);
    let mut together = [title, focused.coverage(description)].to_vec();
    together.extend(line.as_ref().map(|l| (l.covered, l.span)));
    let proximity = if terms <= 1 {
        0
    } else {
        together
            .iter()
            .filter(|(covered, _)| *covered == terms)
            .map(|(_, span)| (span.saturating_sub(terms - 1) as u32).min(MAX_PROXIMITY - 1))
            .min()
            .unwrap_or(MAX_PROXIMITY)
    };
    // The title's fit separates equals only when the title holds a query word: a body hit's
    // title never scores for letters scattered through it.
    let fit = if title.0 > 0 {
        matcher
            .fuzzy_match(&it.title, pattern)
            .map_or(0, |s| s.clamp(0, 255) as u32)
    } else {
        0
    };
    let lines_with_hits = line.as_ref().map_or(0, |l| l.lines_with_hits as u32);
    // Words found only in a body's markup (link targets and definitions the reader never
    // sees) are not together where anyone reads them, and weigh as if found in a field after
    // the body: `governance teams` finds the posts about them before a url holding both.
    let hidden = tally.best_field == BODY_RANK && line.as_ref().is_some_and(|l| l.hidden);
    let rank = Rank {
        typos: u32::from(tally.typos),
        proximity: if hidden && terms > 1 {
            MAX_PROXIMITY
        } else {
            proximity
        },
        attribute: u32::from(tally.attribute) + if hidden { terms as u32 } else { 0 },
        inexact: u32::from(tally.inexact),
        title_misfit: if title_is_query(&it.title, pattern) {
            0
        } else {
            256 - fit
        },
        rarity: 255 - lines_with_hits.min(255),
        title_len: it.title.chars().count().min(255) as u32,
    };
    let field = field_of_rank(tally.best_field);
    let hit = Hit {
        item,
        matched: Matched::Words,
        score: rank.score(),
        field,
        title_positions: title_positions(&focused, &it.title, index.acronym(item)),
        // A body or description hit shows its passage; so does a title hit whose words also
        // stand together in the text.
        snippet: line
            .filter(|l| matches!(field, Field::Body | Field::Description) || l.covered == terms)
            .map(|l| l.snippet),
    };
    (rank, hit)
}

/// Whether a title is the query itself, or ends in it as a path's last segment does
/// (`tokio-rs/tokio`, `a/b/tokio`), letter case aside.
fn title_is_query(title: &str, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    let title = title.trim().to_lowercase();
    !query.is_empty()
        && (title == query
            || title
                .rsplit_once('/')
                .is_some_and(|(_, last)| last.trim() == query))
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
        Filter::Starred(on) => options
            .is_starred
            .is_none_or(|is_starred| is_starred(item) == *on),
        Filter::Highlighted(on) => options
            .is_highlighted
            .is_none_or(|is_highlighted| is_highlighted(item) == *on),
        // Nothing is known dead until the saved pages are read.
        Filter::Dead(on) => options.is_dead.map_or(!*on, |is_dead| is_dead(item) == *on),
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
    library: &dyn Items,
    excluded: &[String],
    cancelled: &dyn Fn() -> bool,
) -> Option<HashSet<usize>> {
    let mut out = HashSet::new();
    for word in excluded {
        if word.contains(' ') {
            for (i, item) in (0..library.len()).map(|i| (i, library.item(i))) {
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
        } else {
            for view in index.segments() {
                if let Some(id) = view.segment.word_id(word) {
                    out.extend(view.short_items(id).map(|(i, _)| i as usize));
                    out.extend(view.body_items(id).map(|i| i as usize));
                }
            }
        }
    }
    Some(out)
}

/// Chars of the title to light: the query's words where they stand, else the initials an
/// acronym matched; never letters scattered through it.
fn title_positions(focused: &Focused<'_>, title: &str, acronym: &str) -> Vec<usize> {
    let ranges = focused.find(title);
    if !ranges.is_empty() {
        return title
            .char_indices()
            .enumerate()
            .filter(|(_, (byte, _))| ranges.iter().any(|r| r.contains(byte)))
            .map(|(n, _)| n)
            .collect();
    }
    for term in focused.query_terms() {
        if term.word.len() >= 2
            && let Some(at) = acronym.find(term.word.as_str())
        {
            let from = acronym[..at].chars().count();
            let len = term.word.chars().count();
            return words(title)
                .map(|(start, _)| title[..start].chars().count())
                .skip(from)
                .take(len)
                .collect();
        }
    }
    Vec::new()
}
