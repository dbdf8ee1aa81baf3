//! A segment of the word index: for each distinct word, the items of the segment whose short
//! fields (title, description, tags, category, url host) or body contain it. A whole library
//! is one segment; the items a change brings are another (see `index`).
//!
//! Posting lists are sorted item numbers stored back to back (one array and an offset per
//! word), so a query word costs one pass over the lists of the vocabulary words it matches.
//! Building runs on every core: each thread interns the words of its share of the items and
//! records (word, item) pairs; the pairs are then counted and placed, already in item order.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use super::meaning::Vectors;
use super::shares::{each_on_a_thread, in_weighted_shares};
use super::tokenize::{MAX_WORD_LEN, for_each_lower_word, lower_into, words};
use super::word_list::WordList;
use crate::content::Library;
use crate::store::codec::{Damaged, OnDisk, Reader, Writer, le_u32s};

/// Which short field a word was found in (bits of a posting's mask).
pub mod field {
    pub const TITLE: u8 = 1;
    pub const DESCRIPTION: u8 = 2;
    pub const TAGS: u8 = 4;
    pub const CATEGORY: u8 = 8;
    pub const URL: u8 = 16;
}

/// One segment of the word index: the postings of a set of items, numbered from 0 in the
/// order they were given (the index maps those numbers to the library's).
#[derive(Debug, Default)]
pub struct Segment {
    /// Every distinct word, sorted.
    pub(super) vocab: WordList,
    /// Short-field postings of word `w`: `short_items[short_at[w]..short_at[w + 1]]`, with
    /// the field mask of each in `short_masks`.
    short_at: Vec<u32>,
    /// Body postings of word `w`: `body_bytes[body_at[w]..body_at[w + 1]]`, item numbers as
    /// LEB128 varints of the gap from the previous one (about a quarter of the room of
    /// plain `u32`s: bodies hold most of the postings).
    body_at: Vec<u32>,
    /// `short_items`, `short_masks` and `body_bytes`.
    lists: Lists,
    /// Each item's acronym, then its lowercased tags: `item_words[words_at[i]..words_at[i +
    /// 1]]` (one list for all items, rather than three allocations per item to make and read).
    words_at: Vec<u32>,
    item_words: WordList,
    /// Every distinct English stem of the vocabulary (Snowball), sorted, and the words that
    /// have each: `stem_words[stem_at[s]..stem_at[s + 1]]` (`queue` gives `queue`, `queues`,
    /// `queued`). A query word finds its other forms through its stem.
    stems: WordList,
    stem_at: Vec<u32>,
    stem_words: Vec<u32>,
    /// What each item is about, for search by meaning: made after the postings, by whoever
    /// first needs them (`SearchIndex::fill_vectors`), so that search by words never waits
    /// for them.
    pub(super) vectors: OnceLock<Vectors>,
    /// The vectors as the load cache holds them, until first wanted (see [`Lists`]).
    vectors_on_disk: Option<StoredVectors>,
}

/// The posting arrays: in memory (built, or read for the reader, whose every keystroke looks
/// them up), or left in the load cache and read a list at a time (for a command's one
/// search, which reads the lists of a few words: reading them all was two fifths of its
/// time at 100,000 items).
#[derive(Debug)]
enum Lists {
    Here {
        short_items: Vec<u32>,
        short_masks: Vec<u8>,
        body_bytes: Vec<u8>,
    },
    Stored {
        short_items: OnDisk,
        short_masks: OnDisk,
        body_bytes: OnDisk,
    },
}

impl Lists {
    /// How many short postings, masks and body bytes.
    fn lens(&self) -> (usize, usize, usize) {
        match self {
            Lists::Here {
                short_items,
                short_masks,
                body_bytes,
            } => (short_items.len(), short_masks.len(), body_bytes.len()),
            Lists::Stored {
                short_items,
                short_masks,
                body_bytes,
            } => (short_items.len() / 4, short_masks.len(), body_bytes.len()),
        }
    }
}

impl Default for Lists {
    fn default() -> Lists {
        Lists::Here {
            short_items: Vec::new(),
            short_masks: Vec::new(),
            body_bytes: Vec::new(),
        }
    }
}

/// The vectors of search by meaning left in the load cache: each item's scale, then its
/// values (see `Vectors::encode`).
#[derive(Debug)]
struct StoredVectors {
    scales: OnDisk,
    values: OnDisk,
}

impl StoredVectors {
    fn load(&self, items: usize) -> Option<Vectors> {
        let scales = self.scales.read(0..self.scales.len())?;
        let values = self.values.read(0..self.values.len())?;
        Vectors::from_bytes(&scales, &values, items).ok()
    }
}

impl Segment {
    /// Indexes `library`'s items `chosen` (all of them when `None`), numbered in that order.
    pub(super) fn build(library: &Library, chosen: Option<&[u32]>) -> Segment {
        let n = chosen.map_or(library.items.len(), <[u32]>::len);
        let item_at = |local: usize| chosen.map_or(local, |c| c[local] as usize);
        // Shares of about equal text, not equal counts: a post holds many bookmarks' words.
        let weight = |local: usize| library.items[item_at(local)].body.len() as u64 + 64;
        let mut parts: Vec<Part> = in_weighted_shares(n, 2000, weight, |range| {
            index_items(library, range, &item_at)
        });

        // One vocabulary for all parts, then each word's rank in sorted order.
        let mut global =
            Interner::with_capacity(parts.iter().map(|p| p.words.len()).max().unwrap_or(0) * 2);
        let local_to_global: Vec<Vec<u32>> = parts
            .iter()
            .map(|part| {
                (0..part.words.len())
                    .map(|s| global.intern(part.words.word(s)))
                    .collect()
            })
            .collect();
        let mut order: Vec<u32> = (0..global.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| global.word(a as usize).cmp(global.word(b as usize)));
        let mut rank = vec![0u32; global.len()];
        for (r, &slot) in order.iter().enumerate() {
            rank[slot as usize] = r as u32;
        }
        let local_to_rank: Vec<Vec<u32>> = local_to_global
            .iter()
            .map(|map| map.iter().map(|&g| rank[g as usize]).collect())
            .collect();
        let mut vocab = WordList::default();
        for &slot in &order {
            vocab.push(&String::from_utf8_lossy(global.word(slot as usize)));
        }
        // What is done with goes before the postings are placed: that is the peak of memory.
        drop((global, local_to_global, order, rank));
        for part in &mut parts {
            part.words = Interner::default();
        }

        // Count, then place; parts cover increasing item numbers, so lists come out sorted.
        let words = vocab.len();
        let (short_at, short_items, short_masks) = place_short(words, &parts, &local_to_rank);
        for part in &mut parts {
            part.short = Records::default();
        }
        let (body_at, body_bytes) = place_gaps(words, parts, &local_to_rank);

        let mut item_words = WordList::default();
        let mut words_at = Vec::with_capacity(n + 1);
        words_at.push(0);
        for local in 0..n {
            let item = &library.items[item_at(local)];
            item_words.push(&acronym(&item.title));
            for tag in &item.tags {
                item_words.push(&super::tokenize::lower(tag));
            }
            words_at.push(item_words.len() as u32);
        }
        let (stems, stem_at, stem_words) = stems_of(&vocab);
        Segment {
            vocab,
            short_at,
            body_at,
            lists: Lists::Here {
                short_items,
                short_masks,
                body_bytes,
            },
            words_at,
            item_words,
            stems,
            stem_at,
            stem_words,
            vectors: OnceLock::new(),
            vectors_on_disk: None,
        }
    }

    /// Writes the segment for the load cache.
    pub(super) fn encode(&self, w: &mut Writer) {
        self.vocab.encode(w);
        w.u32s(&self.short_at);
        // Lists left in a cache are read back whole to be written (a list found damaged
        // is written empty, so that the cache written is refused and made again).
        fn whole(run: &OnDisk) -> Cow<'_, [u8]> {
            run.read(0..run.len()).unwrap_or_default()
        }
        match &self.lists {
            Lists::Here {
                short_items,
                short_masks,
                body_bytes,
            } => {
                w.u32s(short_items);
                w.bytes(short_masks);
                w.u32s(&self.body_at);
                w.bytes(body_bytes);
            }
            Lists::Stored {
                short_items,
                short_masks,
                body_bytes,
            } => {
                w.u32s(&le_u32s(&whole(short_items)).collect::<Vec<_>>());
                w.bytes(&whole(short_masks));
                w.u32s(&self.body_at);
                w.bytes(&whole(body_bytes));
            }
        }
        self.item_words.encode(w);
        w.u32s(&self.words_at);
        self.stems.encode(w);
        w.u32s(&self.stem_at);
        w.u32s(&self.stem_words);
        match self.vectors() {
            Some(vectors) => {
                w.u8(1);
                vectors.encode(w);
            }
            None => w.u8(0),
        }
    }

    /// Reads a segment written by [`encode`](Self::encode), checking that every offset and
    /// number stays inside it.
    pub(super) fn decode(r: &mut Reader<'_>) -> Result<Segment, Damaged> {
        let vocab = WordList::decode(r)?;
        let short_at = r.u32s()?;
        // Left in the file for a command's search; read whole for the reader.
        let (lists, body_at) = if r.leaves() {
            let n = r.len(4)?;
            let short_items = r.keep_on_disk(n * 4)?;
            let n = r.len(1)?;
            let short_masks = r.keep_on_disk(n)?;
            let body_at = r.u32s()?;
            let n = r.len(1)?;
            let body_bytes = r.keep_on_disk(n)?;
            let lists = Lists::Stored {
                short_items,
                short_masks,
                body_bytes,
            };
            (lists, body_at)
        } else {
            let short_items = r.u32s()?;
            let short_masks = r.byte_vec()?;
            let body_at = r.u32s()?;
            let body_bytes = r.byte_vec()?;
            let lists = Lists::Here {
                short_items,
                short_masks,
                body_bytes,
            };
            (lists, body_at)
        };
        let (short_len, masks_len, body_len) = lists.lens();
        let item_words = WordList::decode(r)?;
        let words_at = r.u32s()?;
        let stems = WordList::decode(r)?;
        let stem_at = r.u32s()?;
        let stem_words = r.u32s()?;
        let words = vocab.len();
        let items = words_at.len().saturating_sub(1);
        let sound = short_at.len() == words + 1
            && body_at.len() == words + 1
            && short_at.windows(2).all(|w| w[0] <= w[1])
            && body_at.windows(2).all(|w| w[0] <= w[1])
            && short_at
                .last()
                .is_some_and(|&e| e as usize == short_len && e as usize == masks_len)
            && body_at.last().is_some_and(|&e| e as usize == body_len)
            && words_at.first() == Some(&0)
            && words_at.windows(2).all(|w| w[0] <= w[1])
            && words_at
                .last()
                .is_some_and(|&e| e as usize == item_words.len())
            && (stem_at.len() == stems.len() + 1 || stem_at.is_empty() && stems.len() == 0)
            && stem_at.first().is_none_or(|&first| first == 0)
            && stem_at.windows(2).all(|w| w[0] <= w[1])
            && stem_at
                .last()
                .is_none_or(|&e| e as usize == stem_words.len())
            && stem_words.iter().all(|&w| (w as usize) < words);
        if !sound {
            return Err(Damaged);
        }
        // Item numbers in the lists are checked as the lists are read (`SegmentView`).
        let vectors = OnceLock::new();
        let mut vectors_on_disk = None;
        match r.u8()? {
            0 => {}
            1 => {
                let n = r.len(4)?;
                let scales = r.keep_on_disk(n * 4)?;
                let n = r.len(1)?;
                let values = r.keep_on_disk(n)?;
                match (scales, values) {
                    (OnDisk::Here(scales), OnDisk::Here(values)) => {
                        let _ = vectors.set(Vectors::from_bytes(&scales, &values, items)?);
                    }
                    (scales, values) => {
                        if !Vectors::sizes_fit(scales.len(), values.len(), items) {
                            return Err(Damaged);
                        }
                        vectors_on_disk = Some(StoredVectors { scales, values });
                    }
                }
            }
            _ => return Err(Damaged),
        }
        Ok(Segment {
            vocab,
            short_at,
            body_at,
            lists,
            words_at,
            item_words,
            stems,
            stem_at,
            stem_words,
            vectors,
            vectors_on_disk,
        })
    }

    /// How many items the segment was built over (live or not).
    pub(super) fn len(&self) -> usize {
        self.words_at.len().saturating_sub(1)
    }

    pub(super) fn vocabulary_len(&self) -> usize {
        self.vocab.len()
    }

    /// Items (and field masks) whose short fields hold word `id`; none when a list left in
    /// the cache is found damaged.
    pub(super) fn short_postings(&self, id: usize) -> (Cow<'_, [u32]>, Cow<'_, [u8]>) {
        let range = self.short_at[id] as usize..self.short_at[id + 1] as usize;
        match &self.lists {
            Lists::Here {
                short_items,
                short_masks,
                ..
            } => (
                Cow::Borrowed(&short_items[range.clone()]),
                Cow::Borrowed(&short_masks[range]),
            ),
            Lists::Stored {
                short_items,
                short_masks,
                ..
            } => {
                let items = short_items.read(range.start * 4..range.end * 4);
                match (items, short_masks.read(range)) {
                    (Some(items), Some(masks)) => (Cow::Owned(le_u32s(&items).collect()), masks),
                    _ => (Cow::Borrowed(&[]), Cow::Borrowed(&[])),
                }
            }
        }
    }

    /// Items whose body holds word `id`; none when a list left in the cache is found damaged.
    pub(super) fn body_postings(&self, id: usize) -> Gaps<'_> {
        let range = self.body_at[id] as usize..self.body_at[id + 1] as usize;
        let bytes = match &self.lists {
            Lists::Here { body_bytes, .. } => Cow::Borrowed(&body_bytes[range]),
            Lists::Stored { body_bytes, .. } => body_bytes.read(range).unwrap_or_default(),
        };
        Gaps {
            bytes,
            at: 0,
            item: 0,
        }
    }

    /// The vectors of search by meaning: made, or read from the load cache when first wanted
    /// (`None` when there are none, or those in the cache are found damaged).
    pub(super) fn vectors(&self) -> Option<&Vectors> {
        if let Some(vectors) = self.vectors.get() {
            return Some(vectors);
        }
        let loaded = self.vectors_on_disk.as_ref()?.load(self.len())?;
        Some(self.vectors.get_or_init(|| loaded))
    }

    /// Whether it has vectors, made or in the load cache.
    pub(super) fn has_vectors(&self) -> bool {
        self.vectors.get().is_some() || self.vectors_on_disk.is_some()
    }

    /// First letters of item `i`'s title words: `kafka-delta-ingest` → `kdi`.
    pub(super) fn acronym(&self, i: usize) -> &str {
        self.item_fields(i).next().unwrap_or("")
    }

    /// Item `i`'s tags, lowercased.
    pub(super) fn tags(&self, i: usize) -> impl Iterator<Item = &str> {
        self.item_fields(i).skip(1)
    }

    /// Item `i`'s acronym, then its tags.
    fn item_fields(&self, i: usize) -> impl Iterator<Item = &str> {
        let start = self.words_at.get(i).copied().unwrap_or(0) as usize;
        let end = self.words_at.get(i + 1).copied().unwrap_or(0) as usize;
        (start..end.max(start)).map(|w| self.item_words.get(w))
    }

    /// Bytes held by the segment (strings, posting lists and their headers).
    pub(super) fn heap_bytes(&self) -> usize {
        let vocab = self.vocab.heap_bytes();
        let lists = match &self.lists {
            Lists::Here {
                short_items,
                short_masks,
                body_bytes,
            } => short_items.len() * 4 + short_masks.len() + body_bytes.len(),
            Lists::Stored {
                short_items,
                short_masks,
                body_bytes,
            } => short_items.heap_bytes() + short_masks.heap_bytes() + body_bytes.heap_bytes(),
        };
        let postings = (self.short_at.len() + self.body_at.len()) * 4 + lists;
        vocab
            + postings
            + self.words_at.len() * 4
            + self.item_words.heap_bytes()
            + self.vectors.get().map_or(0, Vectors::heap_bytes)
    }

    /// Word ids whose word starts with `prefix` (a contiguous run of the sorted vocabulary).
    pub(super) fn prefix_range(&self, prefix: &str) -> Range<usize> {
        let start = self.vocab.partition_point(0, |w| w < prefix);
        start..self.vocab.partition_point(start, |w| w.starts_with(prefix))
    }

    /// The vocabulary words that share `word`'s stem (`word` itself among them when it is
    /// one), by id; none for a word too short to stem.
    pub(super) fn same_stem(&self, word: &str) -> &[u32] {
        if too_short_to_stem(word) {
            return &[];
        }
        let stem = stem(word);
        let at = self.stems.partition_point(0, |s| s < stem.as_ref());
        if at < self.stems.len() && self.stems.get(at) == stem.as_ref() {
            let (start, end) = (self.stem_at[at] as usize, self.stem_at[at + 1] as usize);
            &self.stem_words[start..end]
        } else {
            &[]
        }
    }

    pub(super) fn word_id(&self, word: &str) -> Option<usize> {
        let at = self.vocab.partition_point(0, |w| w < word);
        (at < self.vocab.len() && self.vocab.get(at) == word).then_some(at)
    }
}

/// Turns the parts' short-field records into offsets, items and masks, in word-rank order.
fn place_short(
    words: usize,
    parts: &[Part],
    local_to_rank: &[Vec<u32>],
) -> (Vec<u32>, Vec<u32>, Vec<u8>) {
    let mut at = vec![0u32; words + 1];
    for (part, ranks) in parts.iter().zip(local_to_rank) {
        for &slot in &part.short.slots {
            at[ranks[slot as usize] as usize + 1] += 1;
        }
    }
    for w in 0..words {
        at[w + 1] += at[w];
    }
    let total = at[words] as usize;
    let mut next: Vec<u32> = at[..words].to_vec();
    let mut items = vec![0u32; total];
    let mut masks = vec![0u8; total];
    for (part, ranks) in parts.iter().zip(local_to_rank) {
        let recs = &part.short;
        for (item, range) in recs.runs() {
            for r in range {
                let rank = ranks[recs.slots[r] as usize] as usize;
                let at = next[rank] as usize;
                items[at] = item;
                masks[at] = recs.masks[r];
                next[rank] += 1;
            }
        }
    }
    (at, items, masks)
}

/// Item numbers decoded from a gap-encoded posting list, in increasing order.
pub struct Gaps<'a> {
    bytes: Cow<'a, [u8]>,
    at: usize,
    item: u32,
}

impl Iterator for Gaps<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut value = 0u32;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.at)?;
            self.at += 1;
            value |= u32::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        self.item += value;
        Some(self.item)
    }
}

fn varint_len(value: u32) -> u32 {
    match value {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        0x20_0000..=0xfff_ffff => 4,
        _ => 5,
    }
}

/// Body postings in rank order, gap-encoded. Each part places its own on a thread of its
/// own (nearly every write lands on a different cache line, so this is memory-bound and the
/// threads overlap their waits); then each word's lists are joined in part order, the first
/// gap of each part's list re-encoded from the previous part's last item.
fn place_gaps(words: usize, parts: Vec<Part>, local_to_rank: &[Vec<u32>]) -> (Vec<u32>, Vec<u8>) {
    let lists: Vec<PartLists> =
        each_on_a_thread(parts.into_iter().zip(local_to_rank), |(part, ranks)| {
            PartLists::place(words, &part.body, ranks)
        });
    let mut at = Vec::with_capacity(words + 1);
    at.push(0u32);
    let mut bytes = Vec::with_capacity(lists.iter().map(|l| l.bytes.len()).sum());
    for w in 0..words {
        let mut last = 0;
        for list in &lists {
            let own = &list.bytes[list.at[w] as usize..list.at[w + 1] as usize];
            let mut gaps = Gaps {
                bytes: Cow::Borrowed(own),
                at: 0,
                item: 0,
            };
            let Some(first) = gaps.next() else {
                continue;
            };
            push_varint(&mut bytes, first - last);
            bytes.extend_from_slice(&own[gaps.at..]);
            last = list.last[w];
        }
        at.push(bytes.len() as u32);
    }
    (at, bytes)
}

/// One part's body postings in rank order, each list gap-encoded from item 0.
struct PartLists {
    at: Vec<u32>,
    bytes: Vec<u8>,
    /// Each word's last item in this part (0 for a word it does not hold).
    last: Vec<u32>,
}

impl PartLists {
    /// Written straight into place: a first pass sizes each word's list, a second fills it
    /// (no full-size `u32` list is ever held).
    fn place(words: usize, recs: &Records, ranks: &[u32]) -> PartLists {
        let mut at = vec![0u32; words + 1];
        let mut last = vec![0u32; words];
        let each = |f: &mut dyn FnMut(usize, u32)| {
            for (item, range) in recs.runs() {
                for &slot in &recs.slots[range] {
                    f(ranks[slot as usize] as usize, item);
                }
            }
        };
        each(&mut |rank, item| {
            at[rank + 1] += varint_len(item - last[rank]);
            last[rank] = item;
        });
        for w in 0..words {
            at[w + 1] += at[w];
        }
        let mut bytes = vec![0u8; at[words] as usize];
        let mut next: Vec<u32> = at[..words].to_vec();
        last.iter_mut().for_each(|l| *l = 0);
        each(&mut |rank, item| {
            let gap = item - last[rank];
            last[rank] = item;
            next[rank] = write_varint(&mut bytes, next[rank] as usize, gap) as u32;
        });
        PartLists { at, bytes, last }
    }
}

/// Writes `value` as a varint at `pos`; returns the position after it.
fn write_varint(bytes: &mut [u8], mut pos: usize, mut value: u32) -> usize {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes[pos] = byte;
            return pos + 1;
        }
        bytes[pos] = byte | 0x80;
        pos += 1;
    }
}

fn push_varint(bytes: &mut Vec<u8>, value: u32) {
    let at = bytes.len();
    bytes.resize(at + varint_len(value) as usize, 0);
    write_varint(bytes, at, value);
}

/// Words recorded for a run of items: each item's words are `slots[start..next start]`.
#[derive(Default)]
struct Records {
    slots: Vec<u32>,
    /// Field masks, parallel to `slots` (short fields only).
    masks: Vec<u8>,
    /// (item, start in `slots`), in item order.
    items: Vec<(u32, u32)>,
}

impl Records {
    /// Each item with the range of `slots` that holds its words.
    fn runs(&self) -> impl Iterator<Item = (u32, Range<usize>)> + '_ {
        let ends = self.items.iter().skip(1).map(|&(_, start)| start as usize);
        self.items
            .iter()
            .zip(ends.chain(std::iter::once(self.slots.len())))
            .map(|(&(item, start), end)| (item, start as usize..end))
    }
}

/// One thread's share: its words, and the words of each of its items.
#[derive(Default)]
struct Part {
    words: Interner,
    short: Records,
    body: Records,
}

/// Indexes the items numbered `range` of the segment (`item_at` gives each one's number in
/// the library).
fn index_items(library: &Library, range: Range<usize>, item_at: &dyn Fn(usize) -> usize) -> Part {
    let bytes: usize = range
        .clone()
        .map(|local| library.items[item_at(local)].body.len())
        .sum();
    let mut part = Part {
        words: Interner::with_capacity(1 << 16),
        ..Part::default()
    };
    part.body.slots.reserve(bytes / 4);
    part.body.items.reserve(range.len());
    let mut buf = String::new();
    let mut short_words: Vec<(u32, u8)> = Vec::new();
    // The last item each word was seen in, to record a word once per item.
    let mut last_item: Vec<u32> = Vec::new();
    let mut batch = Batch::new();
    for local in range {
        let item = &library.items[item_at(local)];
        let id = local as u32;
        short_words.clear();
        let mut add_short =
            |text: &str, bit: u8, part: &mut Part, short_words: &mut Vec<(u32, u8)>| {
                for (_, word) in words(text) {
                    if word.len() <= MAX_WORD_LEN {
                        short_words.push((
                            part.words.intern(lower_into(word, &mut buf).as_bytes()),
                            bit,
                        ));
                    }
                }
            };
        add_short(&item.title, field::TITLE, &mut part, &mut short_words);
        if let Some(d) = &item.description {
            add_short(d, field::DESCRIPTION, &mut part, &mut short_words);
        }
        for tag in &item.tags {
            add_short(tag, field::TAGS, &mut part, &mut short_words);
        }
        for name in library.category_path(item.category) {
            add_short(name, field::CATEGORY, &mut part, &mut short_words);
        }
        if let Some(host) = item.url_host() {
            add_short(host, field::URL, &mut part, &mut short_words);
        }
        short_words.sort_unstable();
        part.short.items.push((id, part.short.slots.len() as u32));
        part.body.items.push((id, part.body.slots.len() as u32));
        let mut i = 0;
        while i < short_words.len() {
            let mut mask = 0;
            let mut j = i;
            while j < short_words.len() && short_words[j].0 == short_words[i].0 {
                mask |= short_words[j].1;
                j += 1;
            }
            part.short.slots.push(short_words[i].0);
            part.short.masks.push(mask);
            i = j;
        }
        let Part { words, body, .. } = &mut part;
        let mut record = |slot: u32| {
            if slot as usize >= last_item.len() {
                last_item.resize(slot as usize + 1, u32::MAX);
            }
            if last_item[slot as usize] != id {
                last_item[slot as usize] = id;
                body.slots.push(slot);
            }
        };
        for_each_lower_word(&item.body, |word| {
            if batch.push(word) {
                words.intern_batch(&mut batch, &mut record);
            }
        });
        words.intern_batch(&mut batch, &mut record);
    }
    part
}

/// Words waiting to be interned together (see [`Interner::intern_batch`]).
struct Batch {
    bytes: Vec<u8>,
    /// Each word's end in `bytes`, and its key.
    words: Vec<(u32, Key)>,
}

impl Batch {
    /// Words looked up together: enough that their memory reads overlap, few enough that
    /// what they read is still in cache when each is interned.
    const WORDS: usize = 32;

    fn new() -> Batch {
        Batch {
            bytes: Vec::with_capacity(Batch::WORDS * MAX_WORD_LEN),
            words: Vec::with_capacity(Batch::WORDS),
        }
    }

    /// Adds a word; true when the batch is full.
    fn push(&mut self, word: &[u8]) -> bool {
        self.bytes.extend_from_slice(word);
        self.words.push((self.bytes.len() as u32, Key::of(word)));
        self.words.len() == Batch::WORDS
    }
}

/// Bytes of a word held in its table entry: most words are no longer, and are then found
/// without reading the stored words at all.
const INLINE: usize = 12;

/// A word as its table entry holds it: its first [`INLINE`] bytes (zero-padded: a word has
/// no zero byte, so two words this short are equal exactly when their keys are), whether it
/// is longer, and its hash.
#[derive(Clone, Copy)]
struct Key {
    head: u64,
    /// Bytes 8..12 in the top half; [`LONG`] when the word has more bytes than that.
    tail: u64,
    hash: u64,
}

/// In an entry's `tail`: the word is longer than [`INLINE`] bytes (compare the stored word).
const LONG: u64 = 1 << 31;

impl Key {
    fn of(word: &[u8]) -> Key {
        debug_assert!(!word.contains(&0), "a word has no zero byte");
        let mut inline = [0u8; 16];
        let n = word.len().min(INLINE);
        inline[..n].copy_from_slice(&word[..n]);
        let head = u64::from_le_bytes(inline[..8].try_into().unwrap_or_default());
        let rest = u32::from_le_bytes(inline[8..12].try_into().unwrap_or_default());
        let long = word.len() > INLINE;
        let hash = if long {
            hash_bytes(word)
        } else {
            mix(head ^ u64::from(rest).rotate_left(29))
        };
        Key {
            head,
            tail: u64::from(rest) << 32 | if long { LONG } else { 0 },
            hash,
        }
    }
}

/// Words stored back to back, found by an open-addressing table. Each entry holds a word's
/// first bytes and its slot (see [`Key`]), so a probe reads one entry, and a stored word is
/// read only to tell apart long words that begin alike.
#[derive(Default)]
struct Interner {
    /// `[head, tail | (slot + 1)]`, or zeros for an empty entry.
    table: Vec<[u64; 2]>,
    spans: Vec<(u32, u32)>,
    arena: Vec<u8>,
}

impl Interner {
    fn with_capacity(words: usize) -> Interner {
        let size = (words * 2).next_power_of_two().max(1024);
        Interner {
            table: vec![[0; 2]; size],
            ..Interner::default()
        }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn word(&self, slot: usize) -> &[u8] {
        let (start, len) = self.spans[slot];
        &self.arena[start as usize..(start + len) as usize]
    }

    fn intern(&mut self, word: &[u8]) -> u32 {
        self.intern_key(word, Key::of(word))
    }

    /// Interns a batch of words, calling `each` with their slots in order, and empties it.
    ///
    /// Indexing a big library, nearly every lookup misses the cache (the table is megabytes,
    /// read in no order) and one word at a time the misses come one after another. Here
    /// every word's table entry is read first: reads that do not wait on each other, so the
    /// memory serves them together, and the lookups that follow find them in cache.
    fn intern_batch(&mut self, batch: &mut Batch, mut each: impl FnMut(u32)) {
        let mask = self.mask();
        let mut touched = 0u64;
        for (_, key) in &batch.words {
            touched ^= self.table[key.hash as usize & mask][0];
        }
        std::hint::black_box(touched);
        let mut start = 0;
        for &(end, key) in &batch.words {
            each(self.intern_key(&batch.bytes[start..end as usize], key));
            start = end as usize;
        }
        batch.bytes.clear();
        batch.words.clear();
    }

    /// The mask of a table index; a table is made for an interner that has none (a default
    /// one, or one emptied to free its memory).
    fn mask(&mut self) -> usize {
        if self.table.is_empty() {
            self.table = vec![[0; 2]; 1024];
        }
        self.table.len() - 1
    }

    fn intern_key(&mut self, word: &[u8], key: Key) -> u32 {
        let mask = self.mask();
        let mut i = key.hash as usize & mask;
        loop {
            let [head, tail] = self.table[i];
            if tail == 0 {
                let slot = self.spans.len() as u32;
                self.spans
                    .push((self.arena.len() as u32, word.len() as u32));
                self.arena.extend_from_slice(word);
                self.table[i] = [key.head, key.tail | u64::from(slot + 1)];
                if self.spans.len() * 2 > self.table.len() {
                    self.grow();
                }
                return slot;
            }
            if head == key.head && tail & !0x7fff_ffff == key.tail {
                let slot = (tail as u32 & 0x7fff_ffff) - 1;
                if key.tail & LONG == 0 || self.word(slot as usize) == word {
                    return slot;
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mask = size - 1;
        let mut table = vec![[0u64; 2]; size];
        for slot in 0..self.spans.len() {
            let key = Key::of(self.word(slot));
            let mut i = key.hash as usize & mask;
            while table[i][1] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = [key.head, key.tail | (slot as u64 + 1)];
        }
        self.table = table;
    }
}

/// Spreads a key's bits so that the low ones index the table well.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// FxHash over the bytes, then a full avalanche so the low bits index the table well.
fn hash_bytes(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = super::fxhash::FxHasher::default();
    hasher.write(bytes);
    mix(hasher.finish())
}

/// Words of fewer letters than this are not stemmed (nor looked up by stem): `is`, `as`, `us`.
const MIN_STEMMED: usize = 4;

fn too_short_to_stem(word: &str) -> bool {
    word.chars().nth(MIN_STEMMED - 1).is_none()
}

/// A word's English stem (Snowball): `queues`, `queued`, `queueing` → `queu`.
fn stem(word: &str) -> std::borrow::Cow<'_, str> {
    use std::sync::OnceLock;
    static STEMMER: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    if too_short_to_stem(word) {
        return std::borrow::Cow::Borrowed(word);
    }
    STEMMER
        .get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
        .stem(word)
}

/// The stems of a sorted vocabulary, sorted, with the ids of the words having each.
fn stems_of(vocab: &WordList) -> (WordList, Vec<u32>, Vec<u32>) {
    let mut pairs: Vec<(String, u32)> = (0..vocab.len())
        .filter(|&id| !too_short_to_stem(vocab.get(id)))
        .map(|id| (stem(vocab.get(id)).into_owned(), id as u32))
        .collect();
    pairs.sort_unstable();
    let mut stems = WordList::default();
    let mut stem_at = Vec::new();
    let mut stem_words = Vec::with_capacity(pairs.len());
    for (k, (stem, id)) in pairs.iter().enumerate() {
        if k == 0 || pairs[k - 1].0 != *stem {
            stems.push(stem);
            stem_at.push(stem_words.len() as u32);
        }
        stem_words.push(*id);
    }
    stem_at.push(stem_words.len() as u32);
    (stems, stem_at, stem_words)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interner_finds_what_it_stored_through_growth() {
        let mut interner = Interner::with_capacity(1);
        let words: Vec<String> = (0..5000).map(|i| format!("w{i}")).collect();
        let slots: Vec<u32> = words
            .iter()
            .map(|w| interner.intern(w.as_bytes()))
            .collect();
        for (w, s) in words.iter().zip(&slots) {
            assert_eq!(interner.intern(w.as_bytes()), *s);
            assert_eq!(interner.word(*s as usize), w.as_bytes());
        }
        assert_eq!(interner.len(), 5000);
    }

    #[test]
    fn words_that_begin_alike_stay_apart_around_the_inline_length() {
        let mut interner = Interner::with_capacity(1);
        // Twelve bytes fit in the table entry; these share their first twelve or fewer.
        let mut words: Vec<String> = [
            "internationa",
            "internationalisation",
            "internationalization",
            "international",
            "internation",
            "internationb",
            "a",
            "ab",
        ]
        .map(String::from)
        .to_vec();
        // Enough long words alike in their first twelve bytes that their probes meet.
        words.extend((0..3000).map(|i| format!("internationa{i}")));
        let slots: Vec<u32> = words
            .iter()
            .map(|w| interner.intern(w.as_bytes()))
            .collect();
        for (w, s) in words.iter().zip(&slots) {
            assert_eq!(interner.intern(w.as_bytes()), *s, "{w}");
            assert_eq!(interner.word(*s as usize), w.as_bytes());
        }
        assert_eq!(interner.len(), words.len());
    }

    #[test]
    fn postings_built_in_parts_are_what_one_pass_over_the_items_finds() {
        use crate::content::{Item, ItemKind};
        // Enough items for several parts; words whose lists cross the parts' boundaries
        // with gaps of one, two and three varint bytes, and words held by one part only.
        let n = 6000;
        let items: Vec<Item> = (0..n)
            .map(|i| {
                let mut body = format!("every w{} Mixed-Case", i % 7);
                for (word, every) in [("hundred", 100), ("sparse", 999), ("rare", 2900)] {
                    if i % every == every - 1 {
                        body.push_str(&format!(" {word} {word}"));
                    }
                }
                if i < 10 {
                    body.push_str(" early");
                }
                if i >= n - 3 {
                    body.push_str(" late");
                }
                if i == 0 || i == n - 1 {
                    body.push_str(" ends");
                }
                Item::for_test(&format!("i{i}"), ItemKind::Post, &body)
            })
            .collect();
        let library = Library {
            items,
            ..Library::default()
        };
        let segment = Segment::build(&library, None);
        let mut expected: std::collections::BTreeMap<String, Vec<u32>> = Default::default();
        for (i, item) in library.items.iter().enumerate() {
            for_each_lower_word(&item.body, |w| {
                let list = expected
                    .entry(String::from_utf8(w.to_vec()).expect("utf8"))
                    .or_default();
                if list.last() != Some(&(i as u32)) {
                    list.push(i as u32);
                }
            });
        }
        for (word, items) in &expected {
            let id = segment.word_id(word).expect("indexed");
            let found: Vec<u32> = segment.body_postings(id).collect();
            assert_eq!(&found, items, "{word}");
        }
    }
}
