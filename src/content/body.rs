//! An item's body: markdown held in memory, or left in the load cache and read the first
//! time something wants it.
//!
//! Bodies are four fifths of a library's bytes, and a reader shows one at a time; search
//! quotes a few dozen. So a library started from the load cache reads only the metadata and
//! the index, and each body costs one small read when it is first shown or quoted.

use std::fmt;
use std::io;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// Where a body not kept in memory is read from (the load cache's bodies, kept by
/// `crate::store`): content knows only that such a place exists.
pub trait BodyStore: Send + Sync + std::panic::RefUnwindSafe {
    /// The `len` bytes at `at`, written with checksum `sum`, as text: never a control
    /// character, and a note instead of the text when they cannot be read or are damaged.
    fn read(&self, at: u64, len: usize, sum: u32) -> Arc<str>;
    /// Passes the `len` bytes at `at` to `sink` in pieces and returns their checksum; an error
    /// when they do not match `sum`.
    fn copy(&self, at: u64, len: usize, sum: u32, sink: &mut dyn FnMut(&[u8])) -> io::Result<u32>;
    /// The store itself, for the storage code that made it to see what it is.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Markdown text, available through `Deref<Target = str>` wherever it is kept.
#[derive(Clone, Default)]
pub struct Body {
    len: usize,
    text: OnceLock<Arc<str>>,
    /// Where the text is, when it was not loaded with the item: (store, offset in it, the
    /// checksum it was written with).
    stored: Option<(Arc<dyn BodyStore>, u64, u32)>,
}

impl Body {
    /// Length in bytes, known without reading a stored body.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the text is in memory (loaded with the item, or read from its store since).
    pub fn is_loaded(&self) -> bool {
        self.text.get().is_some() || self.stored.is_none()
    }

    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| match &self.stored {
            Some((store, at, sum)) => store.read(*at, self.len, *sum),
            None => Arc::from(""),
        })
    }

    /// Passes the text's bytes to `sink` and returns their checksum. A stored body not read
    /// yet is copied from its store in pieces (and checked against the checksum it was written
    /// with) without being kept: writing a cache must not pull every body into memory.
    pub fn copy_to(&self, sink: &mut dyn FnMut(&[u8])) -> io::Result<u32> {
        if let Some(text) = self.text.get() {
            sink(text.as_bytes());
            return Ok(crc32fast::hash(text.as_bytes()));
        }
        match &self.stored {
            Some((store, at, sum)) => store.copy(*at, self.len, *sum, sink),
            None => Ok(crc32fast::hash(b"")),
        }
    }

    /// Whether `other` is this very text: kept from the same place in the same store, or the
    /// same text in memory (a copy taken back on a reload), never compared byte by byte. A body
    /// read again from its file is another body, whatever it says.
    pub fn same_text(&self, other: &Body) -> bool {
        if self.len != other.len {
            return false;
        }
        match (&self.stored, &other.stored) {
            (Some((a, at_a, sum_a)), Some((b, at_b, sum_b))) => {
                Arc::ptr_eq(a, b) && at_a == at_b && sum_a == sum_b
            }
            (None, None) => match (self.text.get(), other.text.get()) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            },
            _ => false,
        }
    }

    /// Where the text is kept, when it was stored (read since or not): its store, its offset
    /// there and its checksum. A body read from its file has none.
    pub fn place(&self) -> Option<(&dyn BodyStore, u64, u32)> {
        self.stored
            .as_ref()
            .map(|(store, at, sum)| (store.as_ref(), *at, *sum))
    }

    /// A body of `len` bytes at `at` in `store`, written with checksum `sum`, read when first
    /// wanted.
    pub fn stored(store: Arc<dyn BodyStore>, at: u64, len: usize, sum: u32) -> Body {
        Body {
            len,
            text: OnceLock::new(),
            stored: (len > 0).then_some((store, at, sum)),
        }
    }
}

impl Deref for Body {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<Arc<str>> for Body {
    fn from(text: Arc<str>) -> Body {
        Body {
            len: text.len(),
            text: OnceLock::from(text),
            stored: None,
        }
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::from(Arc::<str>::from(text))
    }
}

/// Two bodies are equal when their text is (a stored one is read to compare).
impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.len == other.len && self.as_str() == other.as_str()
    }
}

impl Eq for Body {}

impl fmt::Display for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.text.get() {
            Some(text) => fmt::Debug::fmt(text, f),
            None => write!(f, "<{} bytes in the load cache>", self.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_in_memory_is_its_text() {
        let body = Body::from("# Hello");
        assert_eq!(&*body, "# Hello");
        assert_eq!(body.len(), 7);
        assert!(Body::default().is_empty());
        assert_eq!(&*Body::default(), "");
    }
}
