//! The word index: one or more segments of postings (see `segment`), and which item of the
//! library each segment's items are now.
//!
//! A library loaded whole is indexed as one segment. When files change, the items they held
//! are masked out of the segments they were in and the new items are indexed as a small
//! segment of their own, so the cost of a change follows the change, not the library (the
//! segments-and-deletions design Lucene and tantivy use). When the small segments hold a fair
//! share of the items, or there are many, [`SearchIndex::needs_merge`] says so and the
//! library is indexed whole again, off the path of any query.

use std::sync::Arc;

use super::meaning::{BODY_WORDS, QueryVector, Vectors};
use super::segment::Segment;
pub use super::segment::field;
use super::shares::in_weighted_shares;
use crate::content::reload::{Applied, Spliced};
use crate::content::{CategoryId, ItemKind, Items, Library};
use crate::store::codec::{Damaged, Reader, Writer};

/// In a segment's map: the item is gone from the library (changed or removed).
const GONE: u32 = u32::MAX;

/// More segments than this and a query's words are looked up too many times: merge.
const MAX_SEGMENTS: usize = 8;

/// What the engine needs of an item besides its postings.
#[derive(Debug, Clone)]
pub struct ItemInfo {
    pub kind: ItemKind,
    pub category: CategoryId,
    /// Where its words are: the segment, and its number there.
    segment: u32,
    local: u32,
}

/// A segment, and each of its items' number in the library now.
#[derive(Debug, Clone)]
struct Live {
    segment: Arc<Segment>,
    /// The library's number of each of the segment's items, or [`GONE`]: a renumbering and a
    /// deletion mask in one. Empty when the numbers are the segment's own (a whole build).
    to_item: Vec<u32>,
}

impl Live {
    /// The map from the segment's numbers to the library's, written out (an identity kept
    /// as an empty map is made explicit), to change.
    fn to_item_mut(&mut self) -> &mut Vec<u32> {
        if self.to_item.is_empty() {
            self.to_item = (0..self.segment.len() as u32).collect();
        }
        &mut self.to_item
    }

    fn item(&self, local: u32) -> Option<u32> {
        if self.to_item.is_empty() {
            Some(local)
        } else {
            self.to_item
                .get(local as usize)
                .copied()
                .filter(|&item| item != GONE)
        }
    }
}

/// A segment as the engine reads it: its words, and its items as the library numbers them.
pub(super) struct SegmentView<'a> {
    pub segment: &'a Segment,
    live: &'a Live,
}

impl SegmentView<'_> {
    /// The library's number of the segment's item `local`, unless it is gone.
    pub fn item(&self, local: u32) -> Option<u32> {
        self.live.item(local)
    }

    /// The library's numbers of the items whose body holds word `id`.
    pub fn body_items(&self, id: usize) -> impl Iterator<Item = u32> + '_ {
        let len = self.segment.len();
        // Only a damaged cached index could hold more; never index past the items.
        self.segment
            .body_postings(id)
            .take_while(move |&local| (local as usize) < len)
            .filter_map(|local| self.item(local))
    }

    /// The library's numbers (and field masks) of the items whose short fields hold word `id`.
    pub fn short_items(&self, id: usize) -> impl Iterator<Item = (u32, u8)> + '_ {
        let (items, masks) = self.segment.short_postings(id);
        let len = self.segment.len();
        // Only a damaged cached index could hold more; never index past the items.
        (0..items.len().min(masks.len()))
            .map(move |k| (items[k], masks[k]))
            .filter(move |&(local, _)| (local as usize) < len)
            .filter_map(|(local, mask)| self.item(local).map(|item| (item, mask)))
    }
}

#[derive(Debug, Default, Clone)]
pub struct SearchIndex {
    segments: Vec<Live>,
    pub(super) items: Vec<ItemInfo>,
    /// Lowercased category names, by category id.
    pub(super) category_names: Vec<Box<str>>,
    pub(super) category_parents: Vec<Option<CategoryId>>,
}

impl SearchIndex {
    /// Indexes the whole library as one segment.
    pub fn build(library: &Library) -> SearchIndex {
        let segment = Segment::build(library, None);
        let items = library
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| ItemInfo {
                kind: item.kind,
                category: item.category,
                segment: 0,
                local: i as u32,
            })
            .collect();
        SearchIndex {
            segments: vec![Live {
                segment: Arc::new(segment),
                to_item: Vec::new(),
            }],
            items,
            ..SearchIndex::categories_of(library)
        }
    }

    fn categories_of(library: &Library) -> SearchIndex {
        SearchIndex {
            category_names: library
                .categories
                .iter()
                .map(|c| super::tokenize::lower(&c.name).into_boxed_str())
                .collect(),
            category_parents: library.categories.iter().map(|c| c.parent).collect(),
            ..SearchIndex::default()
        }
    }

    /// The index of `after`, from this index of `before`: an item of `after` whose indexed
    /// text is that of an item of `before` with its id keeps its postings where they are;
    /// the others (changed or new) are indexed now, as one new segment. The cost is one pass
    /// over the items' short fields plus indexing what changed; the bodies of kept items are
    /// not read. Built whole when this index is not `before`'s.
    pub fn updated(&self, before: &Library, after: &Library) -> SearchIndex {
        if self.items.len() != before.items.len()
            || self.category_names.len() != before.categories.len()
        {
            return SearchIndex::build(after);
        }
        let mut by_id: foldhash::HashMap<&str, u32> =
            foldhash::HashMap::with_capacity_and_hasher(before.items.len(), Default::default());
        for (i, item) in before.items.iter().enumerate() {
            by_id.entry(item.id.as_str()).or_insert(i as u32);
        }
        let mut to_items: Vec<Vec<u32>> = self
            .segments
            .iter()
            .map(|live| vec![GONE; live.segment.len()])
            .collect();
        let mut items = Vec::with_capacity(after.items.len());
        let mut fresh: Vec<u32> = Vec::new();
        for (j, item) in after.items.iter().enumerate() {
            let kept = by_id
                .get(item.id.as_str())
                .map(|&i| (i as usize, &self.items[i as usize]))
                .filter(|&(i, old)| {
                    // An item of `before` is kept once (ids may repeat).
                    to_items[old.segment as usize][old.local as usize] == GONE
                        && indexed_alike(before, i, after, j)
                })
                .map(|(_, old)| old);
            let (segment, local) = match kept {
                Some(old) => {
                    to_items[old.segment as usize][old.local as usize] = j as u32;
                    (old.segment, old.local)
                }
                None => {
                    fresh.push(j as u32);
                    (u32::MAX, fresh.len() as u32 - 1)
                }
            };
            items.push(ItemInfo {
                kind: item.kind,
                category: item.category,
                segment,
                local,
            });
        }

        // Segments with no item left are dropped, the others renumbered.
        let mut segments = Vec::with_capacity(self.segments.len() + 1);
        let mut renumber = vec![u32::MAX; self.segments.len()];
        for (s, (live, to_item)) in self.segments.iter().zip(to_items).enumerate() {
            if to_item.iter().any(|&i| i != GONE) {
                renumber[s] = segments.len() as u32;
                segments.push(Live {
                    segment: Arc::clone(&live.segment),
                    to_item: identity_or(to_item),
                });
            }
        }
        let delta = segments.len() as u32;
        for info in &mut items {
            info.segment = match info.segment {
                u32::MAX => delta,
                s => renumber[s as usize],
            };
        }
        if !fresh.is_empty() {
            segments.push(Live {
                segment: Arc::new(Segment::build(after, Some(&fresh))),
                to_item: fresh,
            });
        }
        SearchIndex {
            segments,
            items,
            ..SearchIndex::categories_of(after)
        }
    }

    /// Brings the index up to date with `library` after items were updated where they stand
    /// (`content::reload::apply_in_place`): the changed items' old postings are masked out,
    /// the items after a splice renumbered, and the changed and spliced-in items indexed as
    /// one new segment. The cost follows the change, plus a pass over the segments' numbers
    /// when a splice moved items; the rest of the library is not read.
    pub fn reindex(&mut self, library: &Library, applied: &Applied) {
        if let Some(spliced) = applied.spliced {
            if spliced.start + spliced.removed > self.items.len() {
                // Not this library's index (never so, but never trusted): built whole.
                *self = SearchIndex::build(library);
                return;
            }
            self.splice(library, spliced);
        }
        // The items spliced in, or those updated where they stand (never both).
        let mut changed: Vec<u32> = match applied.spliced {
            Some(s) => (s.start..s.start + s.added).map(|i| i as u32).collect(),
            None => applied.changed.iter().map(|&i| i as u32).collect(),
        };
        changed.retain(|&i| (i as usize) < self.items.len() && (i as usize) < library.items.len());
        if changed.is_empty() {
            return;
        }
        let new = self.segments.len() as u32;
        for (local, &item) in changed.iter().enumerate() {
            let info = &mut self.items[item as usize];
            if let Some(live) = self.segments.get_mut(info.segment as usize)
                && let Some(slot) = live.to_item_mut().get_mut(info.local as usize)
            {
                *slot = GONE;
            }
            let now = &library.items[item as usize];
            (info.kind, info.category) = (now.kind, now.category);
            info.segment = new;
            info.local = local as u32;
        }
        self.segments.push(Live {
            segment: Arc::new(Segment::build(library, Some(&changed))),
            to_item: changed,
        });
    }

    /// Items `start..start + removed` gone and `added` others in their place (left for
    /// [`reindex`](Self::reindex) to index): the segments' items after them renumbered.
    fn splice(
        &mut self,
        library: &Library,
        Spliced {
            start,
            removed,
            added,
        }: Spliced,
    ) {
        let end = start + removed;
        for live in &mut self.segments {
            for item in live.to_item_mut() {
                let i = *item as usize;
                if *item == GONE || i < start {
                    continue;
                }
                *item = if i < end {
                    GONE
                } else {
                    (i - removed + added) as u32
                };
            }
        }
        let placeholders = (start..start + added).map(|i| {
            let item = library.items.get(i);
            ItemInfo {
                kind: item.map_or(ItemKind::Bookmark, |item| item.kind),
                category: item.map_or(Library::ROOT, |item| item.category),
                // In no segment yet: `reindex` indexes them.
                segment: u32::MAX,
                local: 0,
            }
        });
        self.items.splice(start..end, placeholders);
    }

    /// Whether it is time to index the library whole again: too many segments, or the
    /// segments made by changes holding an eighth of the items, or the items gone from the
    /// first segment a quarter of it (postings read for nothing).
    pub fn needs_merge(&self) -> bool {
        let Some(first) = self.segments.first() else {
            return false;
        };
        let n = self.items.len().max(1);
        let later = self.items.iter().filter(|i| i.segment != 0).count();
        let gone = first.segment.len().saturating_sub(n - later);
        self.segments.len() > MAX_SEGMENTS || later * 8 > n || gone * 4 > first.segment.len()
    }

    /// Makes the vectors of search by meaning for every segment that has none yet (all of
    /// them after a build, the new one after a change), on every core; at once when they are
    /// all there (read from the load cache). A segment being made by another thread is
    /// waited for.
    pub fn fill_vectors(&self, library: &dyn Items) {
        for live in &self.segments {
            // Those in the load cache are read from it when a search first wants them.
            if live.segment.has_vectors() {
                continue;
            }
            live.segment.vectors.get_or_init(|| {
                let n = live.segment.len();
                let item = |local: usize| {
                    live.item(local as u32)
                        .filter(|&i| (i as usize) < library.len())
                        .map(|i| library.item(i as usize))
                };
                // Shares of about equal text: only a body's first words make its vector.
                let weight = |local: usize| {
                    item(local).map_or(0, |it| it.body.len().min(BODY_WORDS * 8) as u64 + 64)
                };
                let mut all = Vectors::default();
                let build = |range: std::ops::Range<usize>| Vectors::build(range.map(item));
                for share in in_weighted_shares(n, 1000, weight, build) {
                    all.extend(share);
                }
                all
            });
        }
    }

    /// Whether every segment has its vectors (search by meaning finds in all of them).
    pub fn has_vectors(&self) -> bool {
        self.segments.iter().all(|live| live.segment.has_vectors())
    }

    /// Each live item that `keep` keeps, with its whole vector's nearness to `query` (items
    /// without a vector left out); `None` when cancelled.
    pub(super) fn nearness(
        &self,
        query: &QueryVector,
        keep: &dyn Fn(usize) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Vec<(usize, f32)>> {
        let mut out = Vec::new();
        for live in &self.segments {
            // Not made yet: its items are found by words only, this once.
            let Some(vectors) = live.segment.vectors() else {
                continue;
            };
            for local in 0..vectors.len() {
                if local % 8192 == 0 && cancelled() {
                    return None;
                }
                let Some(item) = live.item(local as u32) else {
                    continue;
                };
                let item = item as usize;
                if let Some(near) = vectors.nearness(local, query.coarse())
                    && keep(item)
                {
                    out.push((item, near));
                }
            }
        }
        Some(out)
    }

    /// How many segments the index has (one after a whole build).
    pub fn segments_len(&self) -> usize {
        self.segments.len()
    }

    pub(super) fn segments(&self) -> impl Iterator<Item = SegmentView<'_>> {
        self.segments.iter().map(|live| SegmentView {
            segment: &live.segment,
            live,
        })
    }

    /// Writes the index for the load cache: each segment with its map, then each item's
    /// kind and category (where each item's words are follows from the maps).
    pub fn encode(&self, w: &mut Writer) {
        w.usize(self.segments.len());
        for live in &self.segments {
            live.segment.encode(w);
            w.u32s(&live.to_item);
        }
        w.usize(self.items.len());
        for info in &self.items {
            w.u8(match info.kind {
                ItemKind::Post => 0,
                ItemKind::Bookmark => 1,
            });
            w.usize(info.category.0);
        }
        w.strs(&self.category_names);
        for parent in &self.category_parents {
            w.u64(parent.map_or(u64::MAX, |p| p.0 as u64));
        }
    }

    /// Reads an index written by [`encode`](Self::encode), checking that every offset and
    /// number stays inside it and that every item is in exactly one segment.
    pub fn decode(r: &mut Reader<'_>) -> Result<SearchIndex, Damaged> {
        let count = r.len(8)?;
        let mut segments = Vec::with_capacity(count);
        for _ in 0..count {
            let segment = Segment::decode(r)?;
            let to_item = r.u32s()?;
            if !to_item.is_empty() && to_item.len() != segment.len() {
                return Err(Damaged);
            }
            segments.push(Live {
                segment: Arc::new(segment),
                to_item,
            });
        }
        // An item is its kind's byte and its category's varint: two bytes at the fewest.
        let n = r.len(2)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            let kind = match r.u8()? {
                0 => ItemKind::Post,
                1 => ItemKind::Bookmark,
                _ => return Err(Damaged),
            };
            let category = CategoryId(r.usize()?);
            items.push(ItemInfo {
                kind,
                category,
                segment: u32::MAX,
                local: 0,
            });
        }
        for (s, live) in segments.iter().enumerate() {
            for local in 0..live.segment.len() as u32 {
                let Some(item) = live.item(local) else {
                    continue;
                };
                let info = items.get_mut(item as usize).ok_or(Damaged)?;
                if info.segment != u32::MAX {
                    return Err(Damaged);
                }
                (info.segment, info.local) = (s as u32, local);
            }
        }
        let category_names: Vec<Box<str>> = r
            .strings()?
            .into_iter()
            .map(String::into_boxed_str)
            .collect();
        let category_parents = (0..category_names.len())
            .map(|_| {
                r.u64().and_then(|p| match p {
                    u64::MAX => Ok(None),
                    p => usize::try_from(p)
                        .map(|p| Some(CategoryId(p)))
                        .map_err(|_| Damaged),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sound = items
            .iter()
            .all(|i| i.segment != u32::MAX && i.category.0 < category_names.len())
            && category_parents
                .iter()
                .flatten()
                .all(|p| p.0 < category_names.len());
        if !sound {
            return Err(Damaged);
        }
        Ok(SearchIndex {
            segments,
            items,
            category_names,
            category_parents,
        })
    }

    pub fn items_len(&self) -> usize {
        self.items.len()
    }

    pub fn categories_len(&self) -> usize {
        self.category_names.len()
    }

    /// Distinct words over all segments (a word in two segments counts twice).
    pub fn vocabulary_len(&self) -> usize {
        self.segments
            .iter()
            .map(|l| l.segment.vocabulary_len())
            .sum()
    }

    fn words_of(&self, i: usize) -> Option<(&Segment, usize)> {
        let info = self.items.get(i)?;
        let live = self.segments.get(info.segment as usize)?;
        Some((&live.segment, info.local as usize))
    }

    /// First letters of item `i`'s title words: `kafka-delta-ingest` → `kdi`.
    pub(super) fn acronym(&self, i: usize) -> &str {
        self.words_of(i).map_or("", |(s, local)| s.acronym(local))
    }

    /// Item `i`'s tags, lowercased.
    pub(super) fn tags(&self, i: usize) -> impl Iterator<Item = &str> {
        self.words_of(i)
            .into_iter()
            .flat_map(|(s, local)| s.tags(local))
    }

    /// Bytes held by the index (strings, posting lists and their headers), for the benchmark.
    pub fn heap_bytes(&self) -> usize {
        let segments: usize = self
            .segments
            .iter()
            .map(|l| l.segment.heap_bytes() + l.to_item.len() * 4)
            .sum();
        segments + self.items.len() * std::mem::size_of::<ItemInfo>()
    }

    /// Every word's postings, short (with their fields) and in bodies, segment by segment,
    /// and each item's nearness to one query by its whole vector: what a search reads of
    /// the index, for tests that compare two.
    #[cfg(test)]
    pub(crate) fn read_all(&self) -> (Vec<WordPostings>, Vec<Option<f32>>) {
        let mut lists = Vec::new();
        let mut near = Vec::new();
        let query: Vec<f32> = (0..64).map(|d| (d as f32).sin()).collect();
        for view in self.segments() {
            for id in 0..view.segment.vocabulary_len() {
                lists.push((
                    view.short_items(id).collect(),
                    view.body_items(id).collect(),
                ));
            }
            match view.segment.vectors() {
                Some(vectors) => {
                    near.extend((0..vectors.len()).map(|local| vectors.nearness(local, &query)))
                }
                None => near.push(None),
            }
        }
        (lists, near)
    }
}

/// A word's short postings (item, fields) and body postings (items), as a search reads them.
#[cfg(test)]
pub(crate) type WordPostings = (Vec<(u32, u8)>, Vec<u32>);

/// An empty map when `to_item` numbers the segment's items as the segment does.
fn identity_or(to_item: Vec<u32>) -> Vec<u32> {
    let identity = to_item.iter().enumerate().all(|(i, &t)| t == i as u32);
    if identity { Vec::new() } else { to_item }
}

/// Whether item `i` of `before` and item `j` of `after` give the index the same words: the
/// same short fields, the same category names above them, and the very same body (kept from
/// the same place: a body read again from a file counts as changed).
fn indexed_alike(before: &Library, i: usize, after: &Library, j: usize) -> bool {
    let (Some(a), Some(b)) = (before.items.get(i), after.items.get(j)) else {
        return false;
    };
    a.title == b.title
        && a.description == b.description
        && a.tags == b.tags
        && a.url_host() == b.url_host()
        && a.body.same_text(&b.body)
        && same_names_above(before, a.category, after, b.category)
}

/// Whether categories `a` of `before` and `b` of `after` have the same names from
/// themselves up to the root (the words an item's category gives the index).
fn same_names_above(
    before: &Library,
    mut a: CategoryId,
    after: &Library,
    mut b: CategoryId,
) -> bool {
    // A tree deeper than the library's categories is a loop (never built, but never trusted).
    for _ in 0..=before.categories.len() {
        match (a == Library::ROOT, b == Library::ROOT) {
            (true, true) => return true,
            (false, false) => {}
            _ => return false,
        }
        let (x, y) = (before.category(a), after.category(b));
        if x.name != y.name {
            return false;
        }
        match (x.parent, y.parent) {
            (Some(p), Some(q)) => (a, b) = (p, q),
            (None, None) => return true,
            _ => return false,
        }
    }
    false
}
