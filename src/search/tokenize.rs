//! Words of text, as search sees them: runs of letters and digits, lowercased.
//!
//! `kafka-delta-ingest` is three words, `PostgreSQL` one (`postgresql`); a query is cut the
//! same way, so `kafka-delta` asks for both words.

/// Each word with its byte offset in `text` (offsets refer to `text` itself, not the
/// lowercased word).
pub fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = loop {
            let (i, c) = rest.next()?;
            if c.is_alphanumeric() {
                break (i, c);
            }
        };
        let mut end = text.len();
        while let Some(&(i, c)) = rest.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            rest.next();
        }
        Some((start, &text[start..end]))
    })
}

/// A word lowercased, into `buf` (reused to avoid allocating per word).
pub fn lower_into<'b>(word: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    }
    buf.as_str()
}

pub fn lower(word: &str) -> String {
    let mut buf = String::new();
    lower_into(word, &mut buf);
    buf
}

/// Words too long to be real words (hashes, base64) are not indexed.
pub const MAX_WORD_LEN: usize = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_everything_but_letters_and_digits() {
        let found: Vec<(usize, &str)> =
            words("kafka-delta-ingest: PostgreSQL 16, `work_mem`!").collect();
        assert_eq!(
            found,
            [
                (0, "kafka"),
                (6, "delta"),
                (12, "ingest"),
                (20, "PostgreSQL"),
                (31, "16"),
                (36, "work"),
                (41, "mem")
            ]
        );
    }

    #[test]
    fn handles_unicode_letters() {
        let found: Vec<&str> = words("naïve café — 日本語").map(|(_, w)| w).collect();
        assert_eq!(found, ["naïve", "café", "日本語"]);
        assert_eq!(lower("ÉTÉ"), "été");
    }
}
