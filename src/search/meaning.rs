//! Search by meaning: each item has a vector that says what it is about, and a query's vector
//! finds the items nearest to it even when they share no word with it.
//!
//! The vectors come from a static embedding model shipped in the binary (`model`). An item's
//! vector is the mean of its words' (title twice, description, tags, the body's first
//! [`BODY_WORDS`] words), kept with the word index in each segment: its first
//! [`ITEM_DIMS`] dimensions as int8 and a scale, 132 bytes an item. A query is looked up in two
//! steps: every item's vector against the query's (a pass of multiply-adds), then the
//! [`RERANK`] nearest looked at closely, unit by unit (the title, the description, each
//! paragraph or list item of the body), each embedded whole: an item is as near as its
//! nearest unit, plus half its whole vector's nearness, and that unit is the snippet.
//!
//! The engine fuses this ranking with the words' (see `engine`): items holding every word of
//! the query come first, in the words' order; meaning fills in below them.

mod duplicates;
pub mod model;
mod units;

use std::cell::RefCell;
use std::cmp::Ordering;

pub use duplicates::{Insight, NEAR_DUPLICATE, Pair, near_duplicates};
use model::{DIMS, Embedder, dot, model, normalise};
pub use units::{Unit, units};

use crate::content::{Item, Items};
use crate::store::codec::{Damaged, Writer, le_u32s};

/// Dimensions of an item's stored vector: the model's first ones (PCA orders them by how much
/// they say). Half of them kept 11 of 12 questions' targets in the first 100 of the bundled
/// library's items, at half the memory.
pub const ITEM_DIMS: usize = 128;

/// Words of a body that make its item's vector: a post says what it is about early, and a
/// bound keeps a library of long posts quick to index.
pub const BODY_WORDS: usize = 200;

/// Items looked at unit by unit for a query.
pub const RERANK: usize = 75;

/// Units of one item looked at (its first ones).
const MAX_UNITS: usize = 32;

/// Words of a unit embedded.
const UNIT_WORDS: usize = 64;

/// Below this nearness (cosine of the nearest unit) an item is not listed by meaning alone:
/// what is that far says nothing about the query. It is a property of the model: set where
/// 70 % of 30 off-topic questions' nearest units over the bundled library fall below it (the
/// share the distilled model's 0.35 kept out; the taught model's cosines run lower).
pub const MIN_NEARNESS: f32 = 0.28;

/// The items' vectors of one segment, by the segment's item numbers.
#[derive(Debug, Default, Clone)]
pub struct Vectors {
    /// `ITEM_DIMS` int8 values per item.
    values: Vec<i8>,
    /// Each item's scale; 0 for an item without a vector (no word the model knows).
    scales: Vec<f32>,
}

impl Vectors {
    /// The vectors of `items`, in that order (`None`, an item gone: no vector).
    pub fn build<'a>(items: impl Iterator<Item = Option<&'a Item>>) -> Vectors {
        let mut embedder = Embedder::new(model(), ITEM_DIMS);
        let mut out = Vectors::default();
        for item in items {
            out.push(
                item.and_then(|item| item_vector(&mut embedder, item))
                    .as_deref(),
            );
        }
        out
    }

    fn push(&mut self, v: Option<&[f32]>) {
        let Some(v) = v else {
            self.values.extend([0; ITEM_DIMS]);
            self.scales.push(0.0);
            return;
        };
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        self.values.extend(v.iter().map(|x| {
            if scale > 0.0 {
                (x / scale).round() as i8
            } else {
                0
            }
        }));
        self.scales.push(scale);
    }

    /// Appends `other` (the vectors of the items after these).
    pub fn extend(&mut self, other: Vectors) {
        self.values.extend(other.values);
        self.scales.extend(other.scales);
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    /// The cosine of item `local`'s vector with `query` (normalised over its first
    /// `ITEM_DIMS`), or `None` for an item without one.
    pub fn nearness(&self, local: usize, query: &[f32]) -> Option<f32> {
        let scale = *self.scales.get(local)?;
        if scale == 0.0 {
            return None;
        }
        let values = &self.values[local * ITEM_DIMS..][..ITEM_DIMS];
        let sum: f32 = values
            .iter()
            .zip(query)
            .map(|(&v, &q)| f32::from(v) * q)
            .sum();
        Some(sum * scale)
    }

    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() + self.scales.capacity() * 4
    }

    pub fn encode(&self, w: &mut Writer) {
        w.usize(self.scales.len());
        for s in &self.scales {
            w.u32(s.to_bits());
        }
        let bytes: Vec<u8> = self.values.iter().map(|&v| v as u8).collect();
        w.bytes(&bytes);
    }

    /// Whether `scales` and `values` bytes are the size of `items` items' vectors.
    pub fn sizes_fit(scales: usize, values: usize, items: usize) -> bool {
        Some(scales) == items.checked_mul(4) && Some(values) == items.checked_mul(ITEM_DIMS)
    }

    /// The vectors [`encode`](Self::encode) wrote for `items` items, from the bytes of its
    /// scales (after their count) and of its values (after their length).
    pub fn from_bytes(scales: &[u8], values: &[u8], items: usize) -> Result<Vectors, Damaged> {
        if !Vectors::sizes_fit(scales.len(), values.len(), items) {
            return Err(Damaged);
        }
        let scales: Vec<f32> = le_u32s(scales).map(f32::from_bits).collect();
        if scales.iter().any(|s| !s.is_finite() || *s < 0.0) {
            return Err(Damaged);
        }
        Ok(Vectors {
            values: values.iter().map(|&b| b as i8).collect(),
            scales,
        })
    }
}

/// An item's whole vector, first `ITEM_DIMS` dimensions, normalised.
fn item_vector(embedder: &mut Embedder<'_>, item: &Item) -> Option<Vec<f32>> {
    // The title says most about an item in fewest words: it counts twice.
    embedder.add_text(&item.title, usize::MAX);
    embedder.add_text(&item.title, usize::MAX);
    if let Some(d) = &item.description {
        embedder.add_text(d, usize::MAX);
    }
    for tag in &item.tags {
        embedder.add_text(tag, usize::MAX);
    }
    embedder.add_text(&item.body, BODY_WORDS);
    embedder.finish()
}

/// A query, embedded once for all of a search's looks.
pub struct QueryVector {
    full: Vec<f32>,
    /// The first `ITEM_DIMS` dimensions, normalised on their own (the items' vectors are).
    coarse: Vec<f32>,
}

impl QueryVector {
    /// `None` when no word of `text` is in the model's vocabulary.
    pub fn new(text: &str) -> Option<QueryVector> {
        let full = model().embed(text)?;
        QueryVector::of(full)
    }

    /// The query made of an item's own words (for "more like this").
    pub fn of_item(item: &Item) -> Option<QueryVector> {
        let mut e = Embedder::new(model(), DIMS);
        e.add_text(&item.title, usize::MAX);
        if let Some(d) = &item.description {
            e.add_text(d, usize::MAX);
        }
        e.add_text(&item.body, BODY_WORDS);
        QueryVector::of(e.finish()?)
    }

    fn of(full: Vec<f32>) -> Option<QueryVector> {
        let mut coarse = full[..ITEM_DIMS].to_vec();
        normalise(&mut coarse).then_some(QueryVector { full, coarse })
    }

    pub fn coarse(&self) -> &[f32] {
        &self.coarse
    }
}

/// An item found by meaning, with the unit that makes it near.
#[derive(Debug, Clone)]
pub struct Near {
    pub item: usize,
    /// Its nearest unit's cosine, plus half its whole vector's.
    pub score: f32,
    /// The nearest unit's cosine alone.
    pub nearness: f32,
    pub unit: Unit,
}

/// Of `candidates` (items with their whole vectors' nearness), the [`RERANK`] nearest looked
/// at unit by unit, nearest first.
pub fn rerank(
    library: &dyn Items,
    query: &QueryVector,
    mut candidates: Vec<(usize, f32)>,
) -> Vec<Near> {
    let by_nearness = |a: &(usize, f32), b: &(usize, f32)| {
        b.1.partial_cmp(&a.1)
            .unwrap_or(Ordering::Equal)
            .then(a.0.cmp(&b.0))
    };
    if candidates.len() > RERANK {
        candidates.select_nth_unstable_by(RERANK, by_nearness);
        candidates.truncate(RERANK);
    }
    // The searcher's thread keeps its embedder from one keystroke to the next: the items
    // looked at closely are mostly the same, and so are the words whose pieces it remembers.
    thread_local! {
        static EMBEDDER: RefCell<Embedder<'static>> = RefCell::new(Embedder::new(model(), DIMS));
    }
    EMBEDDER.with_borrow_mut(|embedder| rerank_with(library, query, candidates, embedder))
}

fn rerank_with(
    library: &dyn Items,
    query: &QueryVector,
    candidates: Vec<(usize, f32)>,
    embedder: &mut Embedder<'_>,
) -> Vec<Near> {
    let mut out: Vec<Near> = candidates
        .into_iter()
        .filter_map(|(item, whole)| {
            let it = (item < library.len()).then(|| library.item(item))?;
            let mut best: Option<(f32, Unit)> = None;
            for unit in units(it, MAX_UNITS) {
                embedder.add_text(&unit.text, UNIT_WORDS);
                let Some(v) = embedder.finish() else {
                    continue;
                };
                let near = dot(&v, &query.full);
                if best.as_ref().is_none_or(|(b, _)| near > *b) {
                    best = Some((near, unit));
                }
            }
            let (nearness, unit) = best?;
            Some(Near {
                item,
                score: nearness + whole / 2.0,
                nearness,
                unit,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or(Ordering::Equal)
            .then(a.item.cmp(&b.item))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::codec::{OnDisk, Reader};

    /// Vectors read back as a segment reads them from the cache.
    fn decode(bytes: &[u8], items: usize) -> Result<Vectors, Damaged> {
        let mut r = Reader::new(bytes);
        let n = r.len(4)?;
        let OnDisk::Here(scales) = r.keep_on_disk(n * 4)? else {
            return Err(Damaged);
        };
        let values = r.bytes()?.to_vec();
        Vectors::from_bytes(&scales, &values, items)
    }

    #[test]
    fn vectors_round_trip_through_the_cache_encoding() {
        let mut v = Vectors::default();
        let mut a = vec![0.0f32; ITEM_DIMS];
        a[0] = 0.6;
        a[5] = -0.8;
        v.push(Some(&a));
        v.push(None);
        let mut bytes = Vec::new();
        let mut w = Writer::to(&mut bytes);
        v.encode(&mut w);
        w.finish().unwrap();
        let back = decode(&bytes, 2).unwrap();
        assert_eq!(back.values, v.values);
        assert_eq!(back.scales, v.scales);
        assert!(back.nearness(1, &a).is_none(), "no vector, not listed");
        let self_near = back.nearness(0, &a).unwrap();
        assert!((self_near - 1.0).abs() < 0.02, "{self_near}");
        assert!(decode(&bytes, 3).is_err());
    }
}
