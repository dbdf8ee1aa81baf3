//! Spelling distance between a query word and the start of an indexed word.
//!
//! Damerau–Levenshtein in its "optimal string alignment" form (a swap of two neighbours is
//! one edit: `postgers` → `postgres`), measured against the best prefix of the indexed word so
//! that a word still being typed matches (`tailscle` → `tailscale`).

/// Typos allowed for a query word of this many characters.
pub fn max_typos(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// The smallest distance between `query` and any prefix of `word` that is within `max` edits,
/// or `None`. Both are slices of lowercase chars.
pub fn prefix_distance(query: &[char], word: &[char], max: usize) -> Option<usize> {
    let n = query.len();
    let m = word.len().min(n + max);
    if n == 0 || word.is_empty() || m + max < n {
        return None;
    }
    // Three rows of the DP table: i-2, i-1, i (the transposition needs i-2).
    const WIDTH: usize = 64;
    if m + 1 > WIDTH {
        return None;
    }
    let mut before = [0usize; WIDTH];
    let mut prev = [0usize; WIDTH];
    let mut cur = [0usize; WIDTH];
    for (j, cell) in prev.iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(query[i - 1] != word[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && query[i - 1] == word[j - 2] && query[i - 2] == word[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        before[..=m].copy_from_slice(&prev[..=m]);
        prev[..=m].copy_from_slice(&cur[..=m]);
    }
    // Any prefix of `word` whose length is within `max` of the query's.
    let from = n.saturating_sub(max);
    let best = prev[from..=m].iter().copied().min()?;
    (best <= max).then_some(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(q: &str, w: &str, max: usize) -> Option<usize> {
        let q: Vec<char> = q.chars().collect();
        let w: Vec<char> = w.chars().collect();
        prefix_distance(&q, &w, max)
    }

    #[test]
    fn exact_and_prefix_are_zero() {
        assert_eq!(d("postgres", "postgres", 2), Some(0));
        assert_eq!(d("postgres", "postgresql", 2), Some(0));
    }

    #[test]
    fn swaps_drops_and_substitutions_are_one() {
        assert_eq!(d("postgers", "postgresql", 2), Some(1));
        assert_eq!(d("tailscle", "tailscale", 2), Some(1));
        assert_eq!(d("kafak", "kafka", 1), Some(1));
        assert_eq!(d("sccahe", "sccache", 1), Some(1));
    }

    #[test]
    fn far_words_do_not_match() {
        assert_eq!(d("postgres", "parquet", 2), None);
        assert_eq!(d("abcd", "wxyz", 1), None);
        assert_eq!(d("", "x", 1), None);
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(max_typos(3), 0);
        assert_eq!(max_typos(5), 1);
        assert_eq!(max_typos(9), 2);
    }
}
