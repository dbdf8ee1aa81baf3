//! The static embedding model: a table of one vector per WordPiece token, distilled once from
//! all-MiniLM-L6-v2 (`assets/meaning/`), shipped inside the binary and parsed on first use.
//!
//! A text's vector is the normalised mean of its tokens' rows: no transformer at run time, a
//! few microseconds for a query. Words are cut as the word index cuts them (runs of letters
//! and digits, lowercased), then accents are stripped and each word is split into the
//! longest vocabulary pieces from its start (WordPiece, as the model's BERT tokenizer does).

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

use crate::search::tokenize::{MAX_WORD_LEN, for_each_lower_word};

/// The model file, built by `assets/meaning/build.sh` (see the README there).
static MODEL_BYTES: &[u8] = include_bytes!("../../../assets/meaning/model.q8");

/// Dimensions of a token's row, and of a text's vector.
pub const DIMS: usize = 256;

/// A word longer than this many chars is one unknown token (BERT's own limit).
const MAX_CHARS_PER_WORD: usize = 100;

pub struct Model {
    /// Token → row.
    vocab: foldhash::HashMap<&'static str, u32>,
    /// Each row's scale: row `r` is `rows[r * DIMS..][..DIMS]` (int8, kept as the bytes
    /// they are) times `scales[r]`.
    scales: Vec<f32>,
    rows: &'static [u8],
    /// The longest token, in bytes (`##` counted): no longer piece is looked up.
    longest: usize,
}

/// The model, parsed once (about two milliseconds) on first use.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::parse(MODEL_BYTES).expect("assets/meaning/model.q8 is sound"))
}

impl Model {
    /// Reads the format `distill.py` writes: `QUIREM2V`, version, dims and token count (u32
    /// little-endian each), each token as a length byte and its UTF-8, one f32 scale per
    /// row, then the int8 rows.
    fn parse(bytes: &'static [u8]) -> Option<Model> {
        let rest = bytes.strip_prefix(b"QUIREM2V")?;
        let word = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(rest.get(at..at + 4)?.try_into().ok()?))
        };
        let (version, dims, count) = (word(0)?, word(4)? as usize, word(8)? as usize);
        if version != 1 || dims != DIMS {
            return None;
        }
        let mut at = 12;
        let mut vocab = foldhash::HashMap::with_capacity_and_hasher(count, Default::default());
        for row in 0..count as u32 {
            let len = usize::from(*rest.get(at)?);
            let token = std::str::from_utf8(rest.get(at + 1..at + 1 + len)?).ok()?;
            vocab.insert(token, row);
            at += 1 + len;
        }
        let scales = rest
            .get(at..at + 4 * count)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        at += 4 * count;
        let rows = rest.get(at..at + count * DIMS)?;
        if at + count * DIMS != rest.len() {
            return None;
        }
        let longest = vocab.keys().map(|t| t.len()).max().unwrap_or(0);
        Some(Model {
            vocab,
            scales,
            rows,
            longest,
        })
    }

    /// The tokens of one lowercased word, appended to `out`; nothing for a word the
    /// vocabulary cannot spell (where BERT would say `[UNK]`, which Model2Vec skips too).
    pub fn pieces(&self, word: &str, out: &mut Vec<u32>) {
        let folded: String;
        let word = if word.is_ascii() {
            word
        } else {
            // Accents off, as the uncased BERT tokenizer does: `café` is `cafe`.
            folded = word
                .nfd()
                .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                .collect();
            &folded
        };
        if word.chars().count() > MAX_CHARS_PER_WORD {
            return;
        }
        let start_len = out.len();
        let mut piece = String::with_capacity(word.len() + 2);
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len().min(start + self.longest);
            let mut found = None;
            while end > start {
                if word.is_char_boundary(end) {
                    piece.clear();
                    if start > 0 {
                        piece.push_str("##");
                    }
                    piece.push_str(&word[start..end]);
                    if let Some(&row) = self.vocab.get(piece.as_str()) {
                        found = Some(row);
                        break;
                    }
                }
                end -= 1;
            }
            match found {
                Some(row) => {
                    out.push(row);
                    start = end;
                }
                None => {
                    // One piece missing makes the whole word unknown (as WordPiece does).
                    out.truncate(start_len);
                    return;
                }
            }
        }
    }

    /// Adds row `row` to `acc`, as many of its first dimensions as `acc` has (up to DIMS).
    pub fn add_row(&self, row: u32, acc: &mut [f32]) {
        let r = row as usize;
        let scale = self.scales[r];
        let values = &self.rows[r * DIMS..][..acc.len().min(DIMS)];
        for (a, &v) in acc.iter_mut().zip(values) {
            *a += f32::from(v as i8) * scale;
        }
    }

    /// The normalised vector of `text`, or `None` when no word of it is in the vocabulary.
    pub fn embed(&self, text: &str) -> Option<Vec<f32>> {
        let mut embedder = Embedder::new(self, DIMS);
        embedder.add_text(text, usize::MAX);
        embedder.finish()
    }
}

/// Sums the rows of a text's tokens, word by word. A word's pieces are worked out once and
/// remembered (a made-up or rare word costs many vocabulary look-ups); the rows stay int8,
/// two cache lines each at 128 dimensions, where a memo of float sums would not stay cached.
pub struct Embedder<'m> {
    model: &'m Model,
    acc: Vec<f32>,
    tokens: u32,
    memo: foldhash::HashMap<Box<[u8]>, Box<[u32]>>,
    pieces: Vec<u32>,
}

/// Words remembered by one embedder before its memo is cleared (a bound on its memory, a
/// few megabytes).
const MEMO_WORDS: usize = 1 << 16;

/// Bytes of a text looked at per word asked for: a bound on the scan of a long body when
/// only its first words are wanted (words average well under this).
const BYTES_PER_WORD: usize = 24;

impl<'m> Embedder<'m> {
    /// An embedder of the first `dims` dimensions.
    pub fn new(model: &'m Model, dims: usize) -> Embedder<'m> {
        Embedder {
            model,
            acc: vec![0.0; dims.min(DIMS)],
            tokens: 0,
            memo: Default::default(),
            pieces: Vec::new(),
        }
    }

    /// Adds the words of `text`, at most `max_words` of them; returns how many it added.
    pub fn add_text(&mut self, text: &str, max_words: usize) -> usize {
        let mut end = text.len().min(max_words.saturating_mul(BYTES_PER_WORD));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut added = 0;
        for_each_lower_word(&text[..end], |word| {
            if added < max_words {
                self.add_word(word);
                added += 1;
            }
        });
        added
    }

    fn add_word(&mut self, word: &[u8]) {
        debug_assert!(word.len() <= MAX_WORD_LEN);
        // One look-up per word: nearly every word is a hit, and each look-up compares bytes.
        if let Some(pieces) = self.memo.get(word) {
            for &row in pieces.iter() {
                self.model.add_row(row, &mut self.acc);
            }
            self.tokens += pieces.len() as u32;
            return;
        }
        if self.memo.len() >= MEMO_WORDS {
            self.memo.clear();
        }
        self.pieces.clear();
        if let Ok(w) = std::str::from_utf8(word) {
            self.model.pieces(w, &mut self.pieces);
        }
        for &row in &self.pieces {
            self.model.add_row(row, &mut self.acc);
        }
        self.tokens += self.pieces.len() as u32;
        self.memo
            .insert(word.into(), self.pieces.clone().into_boxed_slice());
    }

    /// The normalised mean so far (`None` when nothing was added), and a fresh start.
    pub fn finish(&mut self) -> Option<Vec<f32>> {
        let tokens = std::mem::take(&mut self.tokens);
        let dims = self.acc.len();
        let mut v = std::mem::replace(&mut self.acc, vec![0.0; dims]);
        if tokens == 0 || !normalise(&mut v) {
            return None;
        }
        Some(v)
    }
}

/// Scales `v` to length 1; false when it is zero.
pub fn normalise(v: &mut [f32]) -> bool {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm <= f32::EPSILON || !norm.is_finite() {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn similarity(a: &str, b: &str) -> f32 {
        let m = model();
        dot(&m.embed(a).unwrap(), &m.embed(b).unwrap())
    }

    #[test]
    fn words_split_into_the_longest_pieces_from_their_start() {
        let m = model();
        let mut out = Vec::new();
        m.pieces("postgres", &mut out);
        assert!(out.len() >= 2, "postgres is not one BERT token: {out:?}");
        let mut again = Vec::new();
        m.pieces("post", &mut again);
        assert_eq!(out[0], again[0], "its first piece is the longest prefix");
        out.clear();
        m.pieces("database", &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn words_split_as_the_models_own_tokenizer_splits_them() {
        // Written by assets/meaning/splits.py with Hugging Face's tokenizer and the model's
        // tokenizer.json, over the bundled library's words.
        let m = model();
        let token_of: std::collections::HashMap<u32, &str> =
            m.vocab.iter().map(|(t, &r)| (r, *t)).collect();
        let fixture = include_str!("../../../tests/fixtures/wordpiece_splits.tsv");
        let mut checked = 0;
        let mut out = Vec::new();
        for line in fixture.lines().filter(|l| !l.starts_with('#')) {
            let (word, expected) = line.split_once('\t').expect("word, tab, tokens");
            out.clear();
            m.pieces(word, &mut out);
            let got: Vec<&str> = out.iter().map(|r| token_of[r]).collect();
            let expected: Vec<&str> = expected.split_whitespace().collect();
            assert_eq!(got, expected, "{word}");
            checked += 1;
        }
        assert!(checked > 1000, "{checked} words");
    }

    #[test]
    fn accents_are_stripped_and_unknown_words_add_nothing() {
        let m = model();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        m.pieces("café", &mut a);
        m.pieces("cafe", &mut b);
        assert_eq!(a, b);
        a.clear();
        m.pieces(&"x".repeat(101), &mut a);
        assert!(a.is_empty());
        assert!(m.embed("☃ … —").is_none());
    }

    #[test]
    fn related_words_are_nearer_than_unrelated_ones() {
        assert!(similarity("car", "automobile") > similarity("car", "banana") + 0.3);
        assert!(similarity("processor", "cpu") > similarity("processor", "garden") + 0.3);
        let v = model().embed("Kafka consumer proxy").unwrap();
        assert!((dot(&v, &v) - 1.0).abs() < 1e-4, "normalised");
    }

    #[test]
    fn the_embedder_agrees_with_embedding_the_text_whole() {
        let m = model();
        let mut e = Embedder::new(m, DIMS);
        e.add_text("Parallelism is a little tricky", usize::MAX);
        let a = e.finish().unwrap();
        let b = m.embed("parallelism IS a little tricky!").unwrap();
        assert!(dot(&a, &b) > 0.9999);
        assert!(e.finish().is_none(), "finish starts afresh");
    }
}
