//! Near-duplicate insights across the library (`quire check --verbose`): the same idea kept
//! twice, in the same words or in others, so the user can merge them.
//!
//! Every insight of every bookmark is embedded; comparing each with every other would cost the
//! square of their number, so candidates come from random-hyperplane hashing instead
//! (Charikar's simhash): 128 hyperplanes give each vector a 128-bit signature, and two vectors
//! at angle θ differ on a bit with chance θ/π (the library's mean taken off the vectors
//! first). The signatures are sorted, rotated a few bits
//! at a time so each part of them leads in turn, and each insight is compared with its few
//! neighbours in each order, a pair far apart in signature skipped before its cosine is
//! worked out. Work is linear in the insights, plus a sort per round.

use std::cmp::Ordering;

use super::model::{DIMS, Embedder, model};
use super::units::units;
use crate::content::{Item, ItemKind, Library};
use crate::search::shares::in_shares;
use crate::search::tokenize::words;

/// Nearness (cosine) from which two insights are called near-duplicates. Read by hand on the
/// bundled library: the nine pairs above it each restate one fact (a bookmark's insights
/// pasted twice, reworded); of the pairs between 0.75 and 0.8 half restate one and half
/// share a topic only ("regular VACUUM does not give disk back" and "VACUUM FULL causes
/// outages").
pub const NEAR_DUPLICATE: f32 = 0.8;

/// Words an insight needs to be compared: shorter ones ("Use a queue") say too little to be
/// one idea, and agree by chance.
const MIN_WORDS: usize = 5;

/// Insights of one item looked at, at most (a bound on a huge generated body).
const MAX_PER_ITEM: usize = 64;

/// Words of an insight embedded, at most.
const MAX_WORDS: usize = 96;

/// Bits of a signature, and how many bits each round's rotation moves them.
const BITS: usize = 128;
const ROTATE: u32 = 4;

/// Neighbours in signature order each insight is compared with, in each round (their
/// signatures first, a popcount each). With 8, one of 33 restated pairs among 20,000
/// insights was never met (a test plants them).
const WINDOW: usize = 32;

/// Signature bits two insights may differ on and still be compared: 44 of 128 is an angle of
/// 62°, where a pair at the threshold (37°) differs on 26 bits on average, 44 four standard
/// deviations away.
const MAX_DIFFERENT_BITS: u32 = 44;

/// One insight: its item, the body line it starts on, and its text as the reader shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insight {
    pub item: usize,
    pub line: usize,
    pub text: String,
}

/// Two insights near enough to be one idea.
#[derive(Debug, Clone)]
pub struct Pair {
    /// In library order.
    pub insights: [Insight; 2],
    pub nearness: f32,
}

/// An embedded insight: int8 values and their scale (a quarter of the memory of floats).
struct Embedded {
    insight: Insight,
    values: Vec<i8>,
    scale: f32,
    signature: u128,
}

/// The near-duplicate insights of `library`: each insight with the one most like it, when
/// that one is near enough, each pair once, the nearest first. Pairs are not chained into
/// groups: near-duplicates of near-duplicates drift (a library of made-up words chained its
/// 400,000 insights into one group), and a pair is what a user merges.
pub fn near_duplicates(library: &Library) -> Vec<Pair> {
    let mut embedded = embed_all(library);
    sign_all(&mut embedded, &hyperplanes());
    // Each insight's nearest partner so far: memory stays that of the insights, however many
    // pairs are near.
    let mut best: Vec<Option<(usize, f32)>> = vec![None; embedded.len()];
    let mut order: Vec<(u128, usize)> = Vec::with_capacity(embedded.len());
    for round in 0..BITS as u32 / ROTATE {
        order.clear();
        order.extend(
            embedded
                .iter()
                .enumerate()
                .map(|(i, e)| (e.signature.rotate_left(round * ROTATE), i)),
        );
        order.sort_unstable();
        for (at, &(sa, a)) in order.iter().enumerate() {
            for &(sb, b) in order[at + 1..].iter().take(WINDOW) {
                if (sa ^ sb).count_ones() > MAX_DIFFERENT_BITS {
                    continue;
                }
                let near = cosine(&embedded[a], &embedded[b]);
                if near < NEAR_DUPLICATE {
                    continue;
                }
                for (one, other) in [(a, b), (b, a)] {
                    if best[one].is_none_or(|(_, n)| near > n) {
                        best[one] = Some((other, near));
                    }
                }
            }
        }
    }
    let mut pairs: Vec<(usize, usize, f32)> = best
        .iter()
        .enumerate()
        .filter_map(|(i, b)| b.map(|(j, near)| (i.min(j), i.max(j), near)))
        .collect();
    pairs.sort_unstable_by_key(|&(a, b, _)| (a, b));
    pairs.dedup_by_key(|&mut (a, b, _)| (a, b));
    let mut out: Vec<Pair> = pairs
        .into_iter()
        .map(|(a, b, nearness)| {
            let mut insights = [embedded[a].insight.clone(), embedded[b].insight.clone()];
            insights.sort_by_key(|i| (i.item, i.line));
            Pair { insights, nearness }
        })
        .collect();
    out.sort_by(|a, b| {
        b.nearness
            .partial_cmp(&a.nearness)
            .unwrap_or(Ordering::Equal)
            .then_with(|| {
                (a.insights[0].item, a.insights[0].line)
                    .cmp(&(b.insights[0].item, b.insights[0].line))
            })
    });
    out
}

/// Gives each insight its signature, on every core. The vectors of a static model share a
/// direction (what all text has in common); signed as they are, unrelated insights would
/// agree on most bits and be compared for nothing, so the mean of the library's insights is
/// taken off first. The nearness compared with [`NEAR_DUPLICATE`] stays the plain cosine.
fn sign_all(embedded: &mut [Embedded], planes: &[[f32; DIMS]]) {
    let mut mean = [0f32; DIMS];
    for e in embedded.iter() {
        for (m, &x) in mean.iter_mut().zip(&e.values) {
            *m += f32::from(x) * e.scale;
        }
    }
    let n = embedded.len().max(1) as f32;
    mean.iter_mut().for_each(|m| *m /= n);
    let signatures = in_shares(embedded.len(), 2000, |range| {
        let mut centred = [0f32; DIMS];
        embedded[range]
            .iter()
            .map(|e| {
                for ((c, &x), m) in centred.iter_mut().zip(&e.values).zip(&mean) {
                    *c = f32::from(x) * e.scale - m;
                }
                planes.iter().enumerate().fold(0u128, |sig, (bit, plane)| {
                    let side: f32 = plane.iter().zip(&centred).map(|(p, x)| p * x).sum();
                    if side >= 0.0 { sig | 1 << bit } else { sig }
                })
            })
            .collect::<Vec<u128>>()
    });
    for (e, signature) in embedded.iter_mut().zip(signatures.into_iter().flatten()) {
        e.signature = signature;
    }
}

fn cosine(a: &Embedded, b: &Embedded) -> f32 {
    let dot: i32 = a
        .values
        .iter()
        .zip(&b.values)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum();
    dot as f32 * a.scale * b.scale
}

/// The insights of every bookmark, embedded, on every core.
fn embed_all(library: &Library) -> Vec<Embedded> {
    in_shares(library.items.len(), 2000, |range| {
        let mut embedder = Embedder::new(model(), DIMS);
        let mut out = Vec::new();
        for index in range {
            embed_item(index, &library.items[index], &mut embedder, &mut out);
        }
        out
    })
    .into_iter()
    .flatten()
    .collect()
}

fn embed_item(index: usize, item: &Item, embedder: &mut Embedder<'_>, out: &mut Vec<Embedded>) {
    if item.kind != ItemKind::Bookmark {
        return;
    }
    // The body's units; the title and description are the bookmark's, not insights.
    for unit in units(item, MAX_PER_ITEM + 2) {
        let Some(line) = unit.line else { continue };
        let text = unit.plain().into_owned();
        if words(&text).nth(MIN_WORDS - 1).is_none() {
            continue;
        }
        embedder.add_text(&unit.text, MAX_WORDS);
        let Some(v) = embedder.finish() else { continue };
        let max = v.iter().fold(0f32, |m, x| m.max(x.abs())).max(f32::EPSILON);
        out.push(Embedded {
            insight: Insight {
                item: index,
                line,
                text,
            },
            values: v.iter().map(|x| (x / max * 127.0).round() as i8).collect(),
            scale: max / 127.0,
            signature: 0,
        });
    }
}

/// `BITS` hyperplanes through the origin, the same on every run (a fixed seed: the pairs a user
/// sees do not change between two checks of the same library).
fn hyperplanes() -> Vec<[f32; DIMS]> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: plenty for signs of random directions.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    (0..BITS)
        .map(|_| {
            let mut plane = [0f32; DIMS];
            for x in plane.iter_mut() {
                // Uniform in [-1, 1): as good as Gaussian for a sign test in many dimensions.
                *x = (next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
            }
            plane
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Root, load_library};

    fn bookmark(id: &str, insights: &[&str]) -> Item {
        let body: String = insights.iter().map(|i| format!("- {i}\n")).collect();
        Item::for_test(id, ItemKind::Bookmark, &body)
    }

    fn texts(library: &Library, pair: &Pair) -> Vec<(String, String)> {
        pair.insights
            .iter()
            .map(|i| (library.items[i.item].id.clone(), i.text.clone()))
            .collect()
    }

    #[test]
    fn an_insight_restated_in_another_bookmark_is_found_and_others_are_not() {
        let library = Library {
            items: vec![
                bookmark(
                    "a",
                    &[
                        "Hedging sends a second request after a short timeout and keeps the first answer",
                        "Postgres checkpoints flush dirty pages to disk at a fixed interval",
                        "Too short",
                    ],
                ),
                bookmark(
                    "b",
                    &[
                        "Hedging sends a duplicate request after a short timeout, keeping whichever answers first",
                        "A bloom filter answers set membership with no false negatives",
                    ],
                ),
                bookmark("c", &["Too short", "Too short"]),
            ],
            ..Library::default()
        };
        let pairs = near_duplicates(&library);
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        let found = texts(&library, &pairs[0]);
        assert_eq!(found[0].0, "a");
        assert!(found[0].1.starts_with("Hedging sends a second"));
        assert_eq!(found[1].0, "b");
        assert!(pairs[0].nearness >= NEAR_DUPLICATE);
    }

    #[test]
    fn hashing_finds_every_pair_that_comparing_all_of_them_finds() {
        let library = load_library(&[Root::Bundled]).unwrap();
        let all = embed_all(&library);
        assert!(all.len() > 400, "{}", all.len());
        // Each insight's nearest partner near enough, by comparing it with every other one.
        let key = |e: &Embedded| (e.insight.item, e.insight.line);
        let mut brute = Vec::new();
        for a in 0..all.len() {
            let nearest = (0..all.len())
                .filter(|&b| b != a)
                .map(|b| (cosine(&all[a], &all[b]), b))
                .filter(|&(near, _)| near >= NEAR_DUPLICATE)
                .max_by(|x, y| x.0.total_cmp(&y.0));
            if let Some((_, b)) = nearest {
                let (x, y) = (key(&all[a]), key(&all[b]));
                brute.push((x.min(y), x.max(y)));
            }
        }
        brute.sort_unstable();
        brute.dedup();
        let mut found: Vec<_> = near_duplicates(&library)
            .iter()
            .map(|p| (key_of(&p.insights[0]), key_of(&p.insights[1])))
            .collect();
        found.sort_unstable();
        assert!(brute.len() >= 5, "{brute:?}");
        assert_eq!(found, brute);
    }

    fn key_of(i: &Insight) -> (usize, usize) {
        (i.item, i.line)
    }

    #[test]
    fn restated_pairs_are_found_among_twenty_thousand_insights() {
        // Real words (the bundled library's), drawn at random into 10-word insights; 40 of
        // them restated elsewhere with one word changed. Comparing all pairs would be 200
        // million cosines: each planted pair near enough must be among the pairs found.
        let bundled = load_library(&[Root::Bundled]).unwrap();
        let mut vocabulary: Vec<String> = bundled
            .items
            .iter()
            .flat_map(|i| {
                words(&i.body)
                    .map(|(_, w)| w.to_lowercase())
                    .collect::<Vec<_>>()
            })
            .filter(|w| w.len() > 3 && w.chars().all(|c| c.is_ascii_alphabetic()))
            .collect();
        vocabulary.sort_unstable();
        vocabulary.dedup();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let sentence = |next: &mut dyn FnMut(usize) -> usize| -> Vec<String> {
            (0..10)
                .map(|_| vocabulary[next(vocabulary.len())].clone())
                .collect()
        };
        let (items, per_item) = (2_000, 10);
        let mut bodies: Vec<Vec<String>> = (0..items)
            .map(|_| {
                (0..per_item)
                    .map(|_| sentence(&mut next).join(" "))
                    .collect()
            })
            .collect();
        let mut planted = Vec::new();
        for p in 0..40 {
            let (a, b) = (p * 7 % items, (p * 7 + 1000) % items);
            let mut words = sentence(&mut next);
            bodies[a][p % per_item] = words.join(" ");
            words[next(10)] = vocabulary[next(vocabulary.len())].clone();
            bodies[b][(p + 3) % per_item] = words.join(" ");
            planted.push(((a, p % per_item), (b, (p + 3) % per_item)));
        }
        let library = Library {
            items: bodies
                .iter()
                .enumerate()
                .map(|(i, lines)| {
                    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                    bookmark(&format!("b{i}"), &refs)
                })
                .collect(),
            ..Library::default()
        };
        let mut all = embed_all(&library);
        sign_all(&mut all, &hyperplanes());
        assert_eq!(all.len(), items * per_item);
        let at = |(item, line): (usize, usize)| {
            all.iter()
                .position(|e| e.insight.item == item && e.insight.line == line)
                .unwrap()
        };
        let found: std::collections::HashSet<((usize, usize), (usize, usize))> =
            near_duplicates(&library)
                .iter()
                .map(|p| (key_of(&p.insights[0]), key_of(&p.insights[1])))
                .collect();
        let near: Vec<_> = planted
            .iter()
            .filter(|(a, b)| cosine(&all[at(*a)], &all[at(*b)]) >= NEAR_DUPLICATE)
            .collect();
        assert!(
            near.len() >= 30,
            "{} of 40 planted pairs near enough",
            near.len()
        );
        let missed: Vec<_> = near.iter().filter(|pair| !found.contains(pair)).collect();
        assert!(missed.is_empty(), "missed {missed:?}");
    }

    #[test]
    fn the_same_hyperplanes_every_run() {
        assert_eq!(hyperplanes()[3], hyperplanes()[3]);
        let plane = &hyperplanes()[0];
        assert!(plane.iter().all(|x| (-1.0..1.0).contains(x)));
        assert!(plane.iter().any(|x| *x < 0.0) && plane.iter().any(|x| *x > 0.0));
    }
}
