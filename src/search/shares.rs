//! Work over `0..n` cut into contiguous shares, one thread each: how the index, the vectors
//! of search by meaning and the near-duplicate check use every core, their results kept in
//! order so that what they build is the same on any machine.

use std::ops::Range;
use std::thread;

/// Runs `work` over `0..n` cut into as many contiguous shares as there are cores, each of
/// `min_share` items at least (a thread costs more than a few items' work), and returns the
/// shares' results in order. A share whose thread panicked panics the caller, as the work done
/// on the caller's own thread would: a share's results left out (an index missing a share of
/// its items' words) would be wrong without anyone knowing.
pub(crate) fn in_shares<T: Send>(
    n: usize,
    min_share: usize,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    in_weighted_shares(n, min_share, |_| 1, work)
}

/// [`in_shares`] with shares of about equal `weight` rather than equal counts: items differ
/// (a long post holds a hundred bookmarks' words, and a library lists them in runs), and a
/// thread given the heavy half would leave the others idle for most of the work.
pub(crate) fn in_weighted_shares<T: Send>(
    n: usize,
    min_share: usize,
    weight: impl Fn(usize) -> u64,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    let workers = thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.div_ceil(min_share.max(1)))
        .max(1);
    each_on_a_thread(cut(n, workers, weight), work)
}

/// Runs `work` on each of `inputs` on a thread of its own and returns the results in order.
/// A thread that panicked panics the caller (see [`in_shares`]).
pub(crate) fn each_on_a_thread<I: Send, T: Send>(
    inputs: impl IntoIterator<Item = I>,
    work: impl Fn(I) -> T + Sync,
) -> Vec<T> {
    let work = &work;
    thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|input| scope.spawn(move || work(input)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// `0..n` cut into `shares` contiguous ranges of about equal total weight: one pass totals
/// the weights, a second cuts (weights are cheap to ask for again; no list of them is kept).
fn cut(n: usize, shares: usize, weight: impl Fn(usize) -> u64) -> Vec<Range<usize>> {
    let weight = |i: usize| weight(i).max(1);
    let total: u64 = (0..n).map(weight).sum();
    let mut ranges = Vec::with_capacity(shares);
    let (mut start, mut sum) = (0, 0u64);
    for i in 0..n {
        sum += weight(i);
        let done = ranges.len() as u64 + 1;
        if ranges.len() + 1 < shares && sum * shares as u64 >= total * done {
            ranges.push(start..i + 1);
            start = i + 1;
        }
    }
    ranges.push(start..n);
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shares_cover_every_item_once_in_order() {
        for (n, min_share) in [(0, 10), (1, 10), (9, 2), (10_001, 1000), (7, 0)] {
            let shares = in_shares(n, min_share, |range| range.collect::<Vec<usize>>());
            assert_eq!(
                shares.concat(),
                (0..n).collect::<Vec<_>>(),
                "{n} {min_share}"
            );
        }
    }

    #[test]
    fn a_share_that_panics_panics_the_caller_instead_of_leaving_its_items_out() {
        // The last share's work fails: its results must not go missing without a word.
        let outcome = std::panic::catch_unwind(|| {
            in_shares(10_000, 1000, |range| {
                assert!(!range.contains(&9_999), "share {range:?} failed");
                range.len()
            })
        });
        let payload = outcome.expect_err("the panic reaches the caller");
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        assert!(message.contains("failed"), "{message:?}");
        // Work that fails nowhere still gives every share, in order.
        let shares = in_shares(10_000, 1000, |range| range.len());
        assert_eq!(shares.iter().sum::<usize>(), 10_000);
    }

    #[test]
    fn weighted_shares_are_even_in_weight_and_still_cover_everything_in_order() {
        // The first tenth of the items is nine times as heavy as the rest.
        let weight = |i: usize| if i < 1000 { 81 } else { 1 };
        let ranges = cut(10_000, 2, weight);
        assert_eq!(ranges, [0..556, 556..10_000]);
        let ranges = cut(10_000, 3, weight);
        assert_eq!(ranges.len(), 3);
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        let sums: Vec<u64> = ranges.iter().map(|r| r.clone().map(weight).sum()).collect();
        let (least, most) = (sums.iter().min(), sums.iter().max());
        assert!(
            most.zip(least).is_some_and(|(m, l)| m - l <= 81),
            "{sums:?}"
        );
        // One item heavier than all others: shares may be empty, never out of order.
        let ranges = cut(5, 4, |i| if i == 2 { 1000 } else { 1 });
        let all: Vec<usize> = ranges.iter().flat_map(Clone::clone).collect();
        assert_eq!(all, (0..5).collect::<Vec<_>>());
    }
}
