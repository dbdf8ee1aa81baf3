//! A list of short strings kept in one allocation: the vocabulary of a 100k-item library is
//! some 40k words, and 40k separate strings cost 40k allocations to build and to read back
//! from the load cache.

use crate::store::codec::{Damaged, Reader, Writer};

#[derive(Debug, Default, Clone)]
pub struct WordList {
    text: String,
    /// Where each word ends in `text`; word `i` starts where word `i - 1` ends.
    ends: Vec<u32>,
}

impl WordList {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn push(&mut self, word: &str) {
        self.text.push_str(word);
        // Past 4 GiB of words the ends would wrap; no vocabulary comes near.
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    /// Word `i`; empty past the end (never a panic, even for a damaged cache).
    pub fn get(&self, i: usize) -> &str {
        let start = match i {
            0 => 0,
            _ => self.ends.get(i - 1).map_or(0, |&e| e as usize),
        };
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    /// The first word for which `pred` is false, with `pred` true for a prefix of the list
    /// (as `slice::partition_point`).
    pub fn partition_point(&self, from: usize, pred: impl Fn(&str) -> bool) -> usize {
        let (mut low, mut high) = (from.min(self.len()), self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if pred(self.get(mid)) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    pub fn heap_bytes(&self) -> usize {
        self.text.len() + self.ends.len() * 4
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        w.str(&self.text);
        w.u32s(&self.ends);
    }

    /// Reads a list written by [`encode`](Self::encode): every end in order, inside the text
    /// and between characters.
    pub fn decode(r: &mut Reader<'_>) -> Result<WordList, Damaged> {
        let text = r.string()?;
        let ends = r.u32s()?;
        let sound = ends.windows(2).all(|w| w[0] <= w[1])
            && ends.last().is_none_or(|&e| e as usize == text.len())
            && ends.iter().all(|&e| text.is_char_boundary(e as usize));
        if sound {
            Ok(WordList { text, ends })
        } else {
            Err(Damaged)
        }
    }
}

impl<'a> FromIterator<&'a str> for WordList {
    fn from_iter<I: IntoIterator<Item = &'a str>>(words: I) -> WordList {
        let mut list = WordList::default();
        for word in words {
            list.push(word);
        }
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_come_back_and_search_like_a_slice() {
        let list: WordList = ["apple", "apply", "banana", "", "éclair"]
            .into_iter()
            .collect();
        assert_eq!(list.len(), 5);
        assert_eq!(list.get(1), "apply");
        assert_eq!(list.get(3), "");
        assert_eq!(list.get(4), "éclair");
        assert_eq!(list.get(99), "");
        let sorted: WordList = ["ab", "abc", "abd", "b"].into_iter().collect();
        let start = sorted.partition_point(0, |w| w < "ab");
        let end = sorted.partition_point(start, |w| w.starts_with("ab"));
        assert_eq!((start, end), (0, 3));
    }

    #[test]
    fn a_damaged_list_is_refused() {
        let list: WordList = ["é", "b"].into_iter().collect();
        let mut w = Writer::default();
        list.encode(&mut w);
        let back = WordList::decode(&mut Reader::new(&w.bytes)).expect("decodes");
        assert_eq!((back.get(0), back.get(1)), ("é", "b"));
        // An end inside `é`.
        let bad = WordList {
            text: "éb".into(),
            ends: vec![1, 3],
        };
        let mut w = Writer::default();
        bad.encode(&mut w);
        assert_eq!(
            WordList::decode(&mut Reader::new(&w.bytes)).err(),
            Some(Damaged)
        );
    }
}
