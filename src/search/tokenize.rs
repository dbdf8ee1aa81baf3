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

/// Calls `f` with every word of `text`, lowercased, in one pass over the bytes: the index's
/// hot loop. Words longer than [`MAX_WORD_LEN`] bytes are skipped.
pub fn for_each_lower_word(text: &str, mut f: impl FnMut(&[u8])) {
    let bytes = text.as_bytes();
    let mut word = [0u8; MAX_WORD_LEN];
    let mut len = 0usize;
    let mut too_long = false;
    let mut i = 0;
    let mut slow = String::new();
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            if len < MAX_WORD_LEN {
                word[len] = b.to_ascii_lowercase();
                len += 1;
            } else {
                too_long = true;
            }
            i += 1;
            continue;
        }
        if b >= 0x80 {
            // A non-ASCII char: if it is a letter, this word takes the general path.
            let c = text[i..].chars().next().unwrap_or(' ');
            if c.is_alphanumeric() {
                let start = i - len;
                let mut end = i;
                for (j, c) in text[start..].char_indices() {
                    if !c.is_alphanumeric() {
                        end = start + j;
                        break;
                    }
                    end = start + j + c.len_utf8();
                }
                let lowered = lower_into(&text[start..end], &mut slow);
                if lowered.len() <= MAX_WORD_LEN && !too_long {
                    f(lowered.as_bytes());
                }
                len = 0;
                too_long = false;
                i = end;
                continue;
            }
            i += c.len_utf8();
        } else {
            i += 1;
        }
        if len > 0 && !too_long {
            f(&word[..len]);
        }
        len = 0;
        too_long = false;
    }
    if len > 0 && !too_long {
        f(&word[..len]);
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
    fn the_fast_path_agrees_with_words() {
        let text = "Kafka-Delta ingest: naïve CAFÉ 日本語 x1 ok_then émile-Zola";
        let mut fast = Vec::new();
        for_each_lower_word(text, |w| {
            fast.push(String::from_utf8(w.to_vec()).expect("utf8"))
        });
        let slow: Vec<String> = words(text).map(|(_, w)| lower(w)).collect();
        assert_eq!(fast, slow);
        let mut long = 0;
        for_each_lower_word(&"a".repeat(100), |_| long += 1);
        assert_eq!(long, 0, "over-long words are skipped");
    }

    #[test]
    fn handles_unicode_letters() {
        let found: Vec<&str> = words("naïve café — 日本語").map(|(_, w)| w).collect();
        assert_eq!(found, ["naïve", "café", "日本語"]);
        assert_eq!(lower("ÉTÉ"), "été");
    }
}
