//! The load cache's bodies: stored back to back in a region of its file, read when an item's
//! body is first wanted (see `content::body`), each checked against its own checksum.

use std::fmt;
use std::fs::File;
use std::io;
use std::sync::Arc;

use super::damage::Damage;
use super::read_at::read_vec_at;
use crate::content::body::{Body, BodyStore};
use crate::text::sanitize;

/// Bodies stored back to back in a region of a file (the load cache's), read on demand. The
/// open file is kept, so a cache replaced on disk by a newer Quire still reads as it was.
pub struct StoredBodies {
    file: File,
    start: u64,
    len: u64,
    /// Where a body found damaged is told (the file is removed, so the next start rebuilds
    /// it rather than serve the damage again).
    damage: Arc<Damage>,
}

impl StoredBodies {
    /// The `len` bytes of `file` from `start` on; damage found in them is told `damage`.
    pub fn new(file: File, start: u64, len: u64, damage: Arc<Damage>) -> Arc<StoredBodies> {
        Arc::new(StoredBodies {
            file,
            start,
            len,
            damage,
        })
    }

    /// The file the bodies are in, and where their region starts in it.
    pub fn region(&self) -> (&File, u64) {
        (&self.file, self.start)
    }

    /// Where damage found in the file is told: shared by all that is read from it.
    pub(super) fn damage(&self) -> &Arc<Damage> {
        &self.damage
    }

    /// Whether `at..at + len` is inside the region.
    pub fn holds(&self, at: u64, len: usize) -> bool {
        at.checked_add(len as u64)
            .is_some_and(|end| end <= self.len)
    }

    /// The body at `at..at + len` of the region, written with checksum `sum`; `None` if that
    /// is not inside it.
    pub fn body(self: &Arc<Self>, at: u64, len: usize, sum: u32) -> Option<Body> {
        let end = at.checked_add(len as u64)?;
        (end <= self.len)
            .then(|| Body::stored(Arc::clone(self) as Arc<dyn BodyStore>, at, len, sum))
    }
}

impl BodyStore for StoredBodies {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    /// Copies a body in pieces, never holding it whole, checked against its checksum: a
    /// damaged one fails the copy (and the cache it is in is removed).
    fn copy(&self, at: u64, len: usize, sum: u32, sink: &mut dyn FnMut(&[u8])) -> io::Result<u32> {
        const PIECE: usize = 256 * 1024;
        let mut crc = crc32fast::Hasher::new();
        let mut done = 0;
        while done < len {
            let n = PIECE.min(len - done);
            let bytes = read_vec_at(&self.file, self.start + at + done as u64, n as u64)?;
            crc.update(&bytes);
            sink(&bytes);
            done += n;
        }
        let crc = crc.finalize();
        if crc != sum {
            self.damage.found();
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a body in the load cache is damaged",
            ));
        }
        Ok(crc)
    }

    /// Reads a body. The cache is only ours, yet text from disk is checked as any content is,
    /// and against its checksum: a damaged or failed read says so in the body rather than
    /// show another text or leave it silently empty.
    fn read(&self, at: u64, len: usize, sum: u32) -> Arc<str> {
        match read_vec_at(&self.file, self.start + at, len as u64) {
            Ok(bytes) if crc32fast::hash(&bytes) != sum => {
                self.damage.found();
                Arc::from(
                    "*This text is damaged in Quire's load cache, which is now removed: starting \
                     Quire again reads it from your files.*",
                )
            }
            Ok(bytes) => Arc::from(sanitize(&String::from_utf8_lossy(&bytes))),
            // Cut short (someone truncated the cache) is damage too.
            Err(err) => {
                self.damage.found();
                Arc::from(format!(
                    "*This text could not be read from Quire's load cache ({err}). \
                     Starting Quire again rebuilds the cache.*"
                ))
            }
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
        (StoredBodies::new(file, start, len, Damage::unnamed()), path)
    }

    #[test]
    fn a_stored_body_is_read_once_on_first_use() {
        let (store, path) = store(b"HEADfirst\x1b]0;x\x07second", 4);
        let first = store.body(0, 5, crc32fast::hash(b"first")).expect("inside");
        let second = store
            .body(5, 12, crc32fast::hash(b"\x1b]0;x\x07second"))
            .expect("inside");
        assert_eq!(first.len(), 5);
        assert_eq!(format!("{first:?}"), "<5 bytes in the load cache>");
        assert_eq!(&*first, "first");
        // Control bytes never come out of a cache, damaged or not.
        assert!(!second.contains('\x1b') && second.ends_with("second"));
        // Read once: gone from disk, still there.
        std::fs::remove_file(&path).expect("remove");
        assert_eq!(&*first, "first");
        assert!(store.body(5, 13, 0).is_none(), "past the end");
        assert!(store.body(u64::MAX, 2, 0).is_none(), "overflow");
        assert_eq!(&*store.body(17, 0, 0).expect("empty at the end"), "");
    }

    #[test]
    fn a_damaged_body_is_never_served_as_text() {
        let (store, path) = store(b"good text", 0);
        let body = store
            .body(0, 9, crc32fast::hash(b"good tekst"))
            .expect("inside");
        assert!(body.contains("damaged"), "{}", &*body);
        let copy = store
            .body(0, 9, crc32fast::hash(b"good tekst"))
            .expect("inside");
        assert!(
            copy.copy_to(&mut |_| {}).is_err(),
            "not copied into a new cache"
        );
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_failed_read_says_so() {
        let (store, path) = store(b"abc", 0);
        let body = store.body(0, 3, crc32fast::hash(b"abc")).expect("inside");
        // The file shrank under us (someone truncated the cache).
        File::create(&path).expect("truncate");
        assert!(body.contains("could not be read"), "{}", &*body);
        let _ = std::fs::remove_file(path);
    }
}
