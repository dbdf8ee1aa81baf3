//! Words of text, as search sees them: runs of letters and digits, lowercased.
//!
//! `kafka-delta-ingest` is three words, `PostgreSQL` one (`postgresql`); a query is cut the
//! same way, so `kafka-delta` asks for both words.

/// Each word with its byte offset in `text` (offsets refer to `text` itself, not the
/// lowercased word).
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// Iterator of [`words`]. ASCII is scanned byte by byte; other text char by char.
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        // Skip separators.
        loop {
            let &b = bytes.get(i)?;
            if b.is_ascii_alphanumeric() {
                break;
            }
            if b < 0x80 {
                i += 1;
                continue;
            }
            let c = self.text[i..].chars().next()?;
            if c.is_alphanumeric() {
                break;
            }
            i += c.len_utf8();
        }
        let start = i;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphanumeric() {
                i += 1;
            } else if b < 0x80 {
                break;
            } else {
                let Some(c) = self.text[i..].chars().next() else {
                    break;
                };
                if !c.is_alphanumeric() {
                    break;
                }
                i += c.len_utf8();
            }
        }
        self.at = i;
        Some((start, &self.text[start..i]))
    }
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
