//! An item's body: markdown held in memory, or left in the load cache and read the first
//! time something wants it.
//!
//! Bodies are four fifths of a library's bytes, and a reader shows one at a time; search
//! quotes a few dozen. So a library started from the load cache reads only the metadata and
//! the index, and each body costs one small read when it is first shown or quoted.

use std::fmt;
use std::fs::File;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use crate::read_at::read_vec_at;
use crate::text::sanitize;

/// Markdown text, available through `Deref<Target = str>` wherever it is kept.
#[derive(Clone, Default)]
pub struct Body {
    len: usize,
    text: OnceLock<Arc<str>>,
    /// Where the text is, when it was not loaded with the item: (store, offset in it).
    stored: Option<(Arc<StoredBodies>, u64)>,
}

impl Body {
    /// Length in bytes, known without reading a stored body.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| match &self.stored {
            Some((store, at)) => store.read(*at, self.len),
            None => Arc::from(""),
        })
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

/// Bodies stored back to back in a region of a file (the load cache's), read on demand. The
/// open file is kept, so a cache replaced on disk by a newer Quire still reads as it was.
pub struct StoredBodies {
    file: File,
    start: u64,
    len: u64,
}

impl StoredBodies {
    /// The `len` bytes of `file` from `start` on.
    pub fn new(file: File, start: u64, len: u64) -> Arc<StoredBodies> {
        Arc::new(StoredBodies { file, start, len })
    }

    /// The body at `at..at + len` of the region; `None` if that is not inside it.
    pub fn body(self: &Arc<Self>, at: u64, len: usize) -> Option<Body> {
        let end = at.checked_add(len as u64)?;
        (end <= self.len).then(|| Body {
            len,
            text: OnceLock::new(),
            stored: (len > 0).then(|| (Arc::clone(self), at)),
        })
    }

    /// Reads a body. The cache is only ours, yet text from disk is checked as any content is;
    /// a failed read says so in the body rather than leave it silently empty.
    fn read(&self, at: u64, len: usize) -> Arc<str> {
        match read_vec_at(&self.file, self.start + at, len as u64) {
            Ok(bytes) => Arc::from(sanitize(&String::from_utf8_lossy(&bytes))),
            Err(err) => Arc::from(format!(
                "*This text could not be read from Quire's load cache ({err}). \
                 Starting Quire again rebuilds the cache.*"
            )),
        }
    }
}

impl fmt::Debug for StoredBodies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoredBodies({} bytes at {})", self.len, self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn store(contents: &[u8], start: u64) -> (Arc<StoredBodies>, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "quire-body-{}-{}",
            std::process::id(),
            contents.len()
        ));
        let mut file = File::create(&path).expect("create");
        file.write_all(contents).expect("write");
        let file = File::open(&path).expect("open");
        let len = contents.len() as u64 - start;
        (StoredBodies::new(file, start, len), path)
    }

    #[test]
    fn a_body_in_memory_is_its_text() {
        let body = Body::from("# Hello");
        assert_eq!(&*body, "# Hello");
        assert_eq!(body.len(), 7);
        assert!(Body::default().is_empty());
        assert_eq!(&*Body::default(), "");
    }

    #[test]
    fn a_stored_body_is_read_once_on_first_use() {
        let (store, path) = store(b"HEADfirst\x1b]0;x\x07second", 4);
        let first = store.body(0, 5).expect("inside");
        let second = store.body(5, 12).expect("inside");
        assert_eq!(first.len(), 5);
        assert_eq!(format!("{first:?}"), "<5 bytes in the load cache>");
        assert_eq!(&*first, "first");
        // Control bytes never come out of a cache, damaged or not.
        assert!(!second.contains('\x1b') && second.ends_with("second"));
        // Read once: gone from disk, still there.
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(&*first, "first");
        assert!(store.body(5, 13).is_none(), "past the end");
        assert!(store.body(u64::MAX, 2).is_none(), "overflow");
        assert_eq!(&*store.body(17, 0).expect("empty at the end"), "");
    }

    #[test]
    fn a_failed_read_says_so() {
        let (store, path) = store(b"abc", 0);
        let body = store.body(0, 3).expect("inside");
        // The file shrank under us (someone truncated the cache).
        File::create(&path).expect("truncate");
        assert!(body.contains("could not be read"), "{}", &*body);
        let _ = std::fs::remove_file(path);
    }
}
