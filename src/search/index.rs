//! The word index, built once at load: for each distinct word, the items whose short fields
//! (title, description, tags, category, url host) or body contain it.
//!
//! Posting lists are sorted item numbers, so a query word costs one pass over the lists of
//! the vocabulary words it matches. Building runs on every core.

use std::ops::Range;
use std::thread;

use super::fxhash::FxHashMap;
use super::tokenize::{MAX_WORD_LEN, lower_into, words};
use crate::content::{CategoryId, ItemKind, Library};

/// Which short field a word was found in (bits of a posting's mask).
pub mod field {
    pub const TITLE: u8 = 1;
    pub const DESCRIPTION: u8 = 2;
    pub const TAGS: u8 = 4;
    pub const CATEGORY: u8 = 8;
    pub const URL: u8 = 16;
}

/// What the engine needs of an item besides its postings.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub kind: ItemKind,
    pub category: CategoryId,
    /// First letters of the title's words: `kafka-delta-ingest` → `kdi`.
    pub acronym: Box<str>,
    pub tags: Box<[Box<str>]>,
}

#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Every distinct word, sorted.
    pub(super) vocab: Vec<Box<str>>,
    /// Per word: (item, field mask) for short fields.
    pub(super) short: Vec<Vec<(u32, u8)>>,
    /// Per word: items whose body has it.
    pub(super) body: Vec<Vec<u32>>,
    pub(super) items: Vec<ItemInfo>,
    /// Lowercased category names, by category id.
    pub(super) category_names: Vec<Box<str>>,
    pub(super) category_parents: Vec<Option<CategoryId>>,
}

#[derive(Default)]
struct Postings {
    short: Vec<(u32, u8)>,
    body: Vec<u32>,
}

impl SearchIndex {
    pub fn build(library: &Library) -> SearchIndex {
        let n = library.items.len();
        let workers = thread::available_parallelism()
            .map_or(1, |p| p.get())
            .min(n.div_ceil(2000))
            .max(1);
        let chunk = n.div_ceil(workers).max(1);
        let partials: Vec<WordMap> = thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let range = (w * chunk).min(n)..((w + 1) * chunk).min(n);
                    scope.spawn(move || index_items(library, range))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        // Chunks cover increasing item numbers, so appending keeps every list sorted.
        let mut parts = partials.into_iter();
        let mut merged = parts.next().unwrap_or_default();
        for mut partial in parts {
            for (word, slot) in partial.slots {
                let postings = std::mem::take(&mut partial.postings[slot as usize]);
                let target = postings_for(&mut merged, &word);
                target.short.extend(postings.short);
                target.body.extend(postings.body);
            }
        }
        let mut entries: Vec<(Box<str>, u32)> = merged.slots.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut postings = merged.postings;
        let mut index = SearchIndex::default();
        index.vocab.reserve(entries.len());
        for (word, slot) in entries {
            let mut p = std::mem::take(&mut postings[slot as usize]);
            p.short.shrink_to_fit();
            p.body.shrink_to_fit();
            index.vocab.push(word);
            index.short.push(p.short);
            index.body.push(p.body);
        }
        index.items = library
            .items
            .iter()
            .map(|item| ItemInfo {
                kind: item.kind,
                category: item.category,
                acronym: acronym(&item.title).into_boxed_str(),
                tags: item
                    .tags
                    .iter()
                    .map(|t| super::tokenize::lower(t).into_boxed_str())
                    .collect(),
            })
            .collect();
        index.category_names = library
            .categories
            .iter()
            .map(|c| super::tokenize::lower(&c.name).into_boxed_str())
            .collect();
        index.category_parents = library.categories.iter().map(|c| c.parent).collect();
        index
    }

    pub fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }

    /// Bytes held by the index (strings, posting lists and their headers), for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let vocab: usize = self
            .vocab
            .iter()
            .map(|w| w.len() + size_of::<Box<str>>())
            .sum();
        let short: usize = self
            .short
            .iter()
            .map(|p| p.capacity() * size_of::<(u32, u8)>() + size_of::<Vec<(u32, u8)>>())
            .sum();
        let body: usize = self
            .body
            .iter()
            .map(|p| p.capacity() * 4 + size_of::<Vec<u32>>())
            .sum();
        let items: usize = self
            .items
            .iter()
            .map(|i| {
                size_of::<ItemInfo>()
                    + i.acronym.len()
                    + i.tags.iter().map(|t| t.len() + 16).sum::<usize>()
            })
            .sum();
        vocab + short + body + items
    }

    /// Word ids whose word starts with `prefix` (a contiguous run of the sorted vocabulary).
    pub(super) fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let start = self.vocab.partition_point(|w| w.as_ref() < prefix);
        let len = self.vocab[start..].partition_point(|w| w.starts_with(prefix));
        start..start + len
    }

    pub(super) fn word_id(&self, word: &str) -> Option<usize> {
        self.vocab.binary_search_by(|w| w.as_ref().cmp(word)).ok()
    }
}

fn index_items(library: &Library, range: Range<usize>) -> WordMap {
    let mut map = WordMap::default();
    let mut buf = String::new();
    let mut short_words: Vec<(String, u8)> = Vec::new();
    for index in range {
        let item = &library.items[index];
        let id = index as u32;
        short_words.clear();
        let mut add_short = |text: &str, bit: u8, short_words: &mut Vec<(String, u8)>| {
            for (_, word) in words(text) {
                if word.len() <= MAX_WORD_LEN {
                    short_words.push((lower_into(word, &mut buf).to_string(), bit));
                }
            }
        };
        add_short(&item.title, field::TITLE, &mut short_words);
        if let Some(d) = &item.description {
            add_short(d, field::DESCRIPTION, &mut short_words);
        }
        for tag in &item.tags {
            add_short(tag, field::TAGS, &mut short_words);
        }
        for name in library.category_path(item.category) {
            add_short(name, field::CATEGORY, &mut short_words);
        }
        if let Some(host) = item.url.as_deref().and_then(url_host) {
            add_short(host, field::URL, &mut short_words);
        }
        short_words.sort_unstable();
        let mut i = 0;
        while i < short_words.len() {
            let mut mask = 0;
            let mut j = i;
            while j < short_words.len() && short_words[j].0 == short_words[i].0 {
                mask |= short_words[j].1;
                j += 1;
            }
            postings_for(&mut map, &short_words[i].0)
                .short
                .push((id, mask));
            i = j;
        }
        // One pass over the body; a word's list already ending in this item is a repeat.
        for (_, word) in words(&item.body) {
            if word.len() > MAX_WORD_LEN {
                continue;
            }
            let body = &mut postings_for(&mut map, lower_into(word, &mut buf)).body;
            if body.last() != Some(&id) {
                body.push(id);
            }
        }
    }
    map
}

/// Words of one chunk of items: word → slot, and each slot's postings.
#[derive(Default)]
struct WordMap {
    slots: FxHashMap<Box<str>, u32>,
    postings: Vec<Postings>,
}

fn postings_for<'m>(map: &'m mut WordMap, word: &str) -> &'m mut Postings {
    let slot = match map.slots.get(word) {
        Some(&slot) => slot,
        None => {
            let slot = map.postings.len() as u32;
            map.postings.push(Postings::default());
            map.slots.insert(word.into(), slot);
            slot
        }
    };
    &mut map.postings[slot as usize]
}

fn acronym(title: &str) -> String {
    let mut out = String::new();
    for (_, word) in words(title) {
        if let Some(c) = word.chars().next() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#', ':']).next()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    (!host.is_empty()).then_some(host)
}
