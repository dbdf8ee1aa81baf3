//! Work over `0..n` cut into contiguous shares, one thread each: how the index, the vectors
//! of search by meaning and the near-duplicate check use every core, their results kept in
//! order so that what they build is the same on any machine.

use std::ops::Range;
use std::thread;

/// Runs `work` over `0..n` cut into as many contiguous shares as there are cores, each of
/// `min_share` items at least (a thread costs more than a few items' work), and returns the
/// shares' results in order. A share whose thread panicked gives `T::default()`.
pub(crate) fn in_shares<T: Send + Default>(
    n: usize,
    min_share: usize,
    work: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    let workers = thread::available_parallelism()
        .map_or(1, |p| p.get())
        .min(n.div_ceil(min_share.max(1)))
        .max(1);
    let chunk = n.div_ceil(workers).max(1);
    let work = &work;
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let range = (w * chunk).min(n)..((w + 1) * chunk).min(n);
                scope.spawn(move || work(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    })
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
}
