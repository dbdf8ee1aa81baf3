//! The load cache: the assembled library, its search index and its bodies, kept between runs
//! in the cache directory, and used when not one file has changed. Bodies are left in the
//! file and read when wanted (see `content::body`).
//!
//! A cache entry is valid for exactly the files it was made from: the list of (root, path,
//! size, modification time) must match, and the Quire build too. Checking that costs one
//! `stat` per file, against reading and parsing every file and rebuilding the index. Writing
//! is atomic (temp file, fsync, rename); a damaged or stale cache is ignored and replaced.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::thread;

use crate::atomic_file::{self, folder_of};
use crate::codec::{Damaged, Reader, Writer};
use crate::content::body::StoredBodies;
use crate::content::source::{SourceFile, list_files};
use crate::content::{Diagnostic, Library, Root, RootError};
use crate::read_at::read_vec_at;
use crate::search::SearchIndex;

/// At both ends of a cache file.
const MAGIC: &[u8; 8] = b"QUIRELC2";

/// The end of a cache file: where each part starts, and the magic again.
const TRAILER_LEN: u64 = 5 * 8 + 8;

/// What the library was built from: every file with its size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    roots: Vec<String>,
    /// (root, path relative to it, size, modification time in ns).
    files: Vec<(u32, String, u64, u128)>,
}

impl Manifest {
    pub fn new(roots: &[Root], files: &[SourceFile]) -> Manifest {
        let files = files
            .iter()
            .map(|f| {
                (
                    f.root as u32,
                    f.relative.to_string_lossy().into_owned(),
                    f.len,
                    f.modified_ns,
                )
            })
            .collect();
        Manifest {
            roots: roots.iter().map(Root::label).collect(),
            files,
        }
    }

    fn encode(&self, w: &mut Writer<'_>) {
        w.strs(&self.roots);
        w.usize(self.files.len());
        for (root, path, len, modified) in &self.files {
            w.u32(*root);
            w.str(path);
            w.u64(*len);
            w.u128(*modified);
        }
    }

    /// Whether `r` holds this manifest, compared as it is read (nothing is allocated).
    fn matches(&self, r: &mut Reader<'_>) -> bool {
        let roots_match = r.len(1).is_ok_and(|n| n == self.roots.len())
            && self
                .roots
                .iter()
                .all(|root| r.str().is_ok_and(|s| s == root));
        roots_match
            && r.len(29).is_ok_and(|n| n == self.files.len())
            && self.files.iter().all(|(root, path, len, modified)| {
                r.u32().is_ok_and(|x| x == *root)
                    && r.str().is_ok_and(|s| s == path)
                    && r.u64().is_ok_and(|l| l == *len)
                    && r.u128().is_ok_and(|m| m == *modified)
            })
            && r.is_done()
    }
}

/// The cache file for a set of roots (one file per distinct set).
pub fn cache_path(roots: &[Root]) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "quire")?;
    let labels: Vec<String> = roots.iter().map(Root::label).collect();
    let key = crate::content::id::fnv1a(labels.join("\n").as_bytes());
    Some(dirs.cache_dir().join(format!("library-{key:016x}.bin")))
}

fn build_id() -> String {
    format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
}

/// A cache file read and decoded, not yet checked against the files on disk.
pub struct Cached {
    manifest: Vec<u8>,
    library: Library,
    index: SearchIndex,
}

impl Cached {
    /// The library and index, if they were made from exactly the files of `manifest`.
    pub fn fits(self, manifest: &Manifest) -> Option<(Library, SearchIndex)> {
        manifest
            .matches(&mut Reader::new(&self.manifest))
            .then_some((self.library, self.index))
    }
}

/// Reads a cache file: everything but the bodies, which stay in the file until wanted. The
/// library and the index are read and decoded on two threads.
pub fn read(path: &Path) -> Option<Cached> {
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let magic = read_vec_at(&file, 0, MAGIC.len() as u64).ok()?;
    let trailer = read_vec_at(&file, len.checked_sub(TRAILER_LEN)?, TRAILER_LEN).ok()?;
    let mut r = Reader::new(&trailer);
    let mut at = || r.u64().ok();
    let (bodies_at, head_at, library_at, index_at, end) = (at()?, at()?, at()?, at()?, at()?);
    let in_order = bodies_at == MAGIC.len() as u64
        && bodies_at <= head_at
        && head_at <= library_at
        && library_at <= index_at
        && index_at <= end
        && end == len - TRAILER_LEN;
    if !in_order || magic != MAGIC || &trailer[40..] != MAGIC {
        return None;
    }
    let manifest = read_vec_at(&file, head_at, library_at - head_at).ok()?;
    let mut r = Reader::new(&manifest);
    if r.str().ok()? != build_id() {
        return None;
    }
    let manifest = manifest[manifest.len() - r.remaining()..].to_vec();
    // The store reads through its own handle on the same open file: the cache as it was
    // opened here, whatever replaces it on disk later.
    let bodies = StoredBodies::new(file.try_clone().ok()?, bodies_at, head_at - bodies_at);
    let part = |from: u64, to: u64| Reader::file(&file, from, to - from);
    let (library, index) = thread::scope(|scope| {
        let index = scope.spawn(|| whole(part(index_at, end), SearchIndex::decode));
        let library = whole(part(library_at, index_at), |r| Library::decode(r, &bodies));
        Ok::<_, Damaged>((library?, index.join().unwrap_or(Err(Damaged))?))
    })
    .ok()?;
    let fits = index.items_len() == library.items.len()
        && index.categories_len() == library.categories.len();
    fits.then_some(Cached {
        manifest,
        library,
        index,
    })
}

/// Decodes all of `r` with `decode`: bytes left over are damage too.
fn whole<T>(
    mut r: Reader<'_>,
    decode: impl FnOnce(&mut Reader<'_>) -> Result<T, Damaged>,
) -> Result<T, Damaged> {
    let value = decode(&mut r)?;
    if r.is_done() { Ok(value) } else { Err(Damaged) }
}

/// The content roots' files, listed, and the library and index from the cache when it was
/// made from exactly those files. The cache is read while the files are listed, on another
/// thread: on a second start the two together are the whole wait.
pub struct Listing {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub manifest: Manifest,
    pub cached: Option<(Library, SearchIndex)>,
}

pub fn list_and_read(roots: &[Root], cache: Option<&Path>) -> Result<Listing, RootError> {
    let (listed, cached) = thread::scope(|scope| {
        let cached = cache.map(|path| scope.spawn(move || read(path)));
        let listed = list_files(roots);
        (listed, cached.and_then(|c| c.join().ok().flatten()))
    });
    let (files, diagnostics) = listed?;
    let manifest = Manifest::new(roots, &files);
    let cached = cached.and_then(|c| c.fits(&manifest));
    Ok(Listing {
        files,
        diagnostics,
        manifest,
        cached,
    })
}

/// Writes the cache atomically; errors are for the caller to ignore (a cache is optional).
/// It is written as it is encoded: the bodies straight from the library, the rest in small
/// pieces, so writing it costs no copy of the library in memory.
pub fn save(
    path: &Path,
    manifest: &Manifest,
    library: &Library,
    index: &SearchIndex,
) -> io::Result<()> {
    fs::create_dir_all(folder_of(path))?;
    // No lock is held, so two Quires saving at once each write their own temp file.
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    atomic_file::replace_with(path, &temp, |file| {
        let mut w = Writer::to(file);
        w.raw(MAGIC);
        let bodies_at = w.position();
        library.encode_bodies(&mut w);
        let head_at = w.position();
        w.str(&build_id());
        manifest.encode(&mut w);
        let library_at = w.position();
        library.encode(&mut w);
        let index_at = w.position();
        index.encode(&mut w);
        let end = w.position();
        for at in [bodies_at, head_at, library_at, index_at, end] {
            w.u64(at);
        }
        w.raw(MAGIC);
        w.finish()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    /// A content folder with two posts, its cache written; (roots, cache path).
    fn cached_content(dir: &Path) -> (Vec<Root>, PathBuf) {
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        fs::write(content.join("a.md"), "# A\n\nalpha words").expect("write");
        fs::write(content.join("b.md"), "# B\n\nbeta words").expect("write");
        let roots = vec![Root::Dir(content)];
        let listing = list_and_read(&roots, None).expect("list");
        let library = crate::content::load_library(&roots).expect("load");
        let index = SearchIndex::build(&library);
        let path = dir.join("cache.bin");
        save(&path, &listing.manifest, &library, &index).expect("save");
        (roots, path)
    }

    #[test]
    fn a_cache_is_used_only_for_the_same_files() {
        let dir = temp("same");
        let (roots, path) = cached_content(&dir);
        let (cached, index) = list_and_read(&roots, Some(&path))
            .expect("list")
            .cached
            .expect("a hit");
        assert_eq!(index.items_len(), 2);
        assert_eq!(cached.items[1].title, "B");
        // Bodies stay in the cache file until wanted, and are read from it, not the content.
        assert!(format!("{:?}", cached.items[0].body).contains("in the load cache"));
        fs::remove_file(dir.join("content/a.md")).expect("remove");
        assert_eq!(&*cached.items[0].body, "# A\n\nalpha words");
        assert_eq!(&*cached.items[1].body, "# B\n\nbeta words");

        // A file gone, added or changed (here: a different size) makes it stale.
        let stale = |roots: &[Root]| {
            list_and_read(roots, Some(&path))
                .expect("list")
                .cached
                .is_none()
        };
        assert!(stale(&roots));
        fs::write(dir.join("content/a.md"), "# A\n\nalpha words").expect("write");
        fs::write(dir.join("content/c.md"), "# C").expect("write");
        assert!(stale(&roots));
        fs::remove_file(dir.join("content/c.md")).expect("remove");
        fs::write(dir.join("content/b.md"), "# B\n\nbeta words, more").expect("write");
        assert!(stale(&roots));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_damaged_cache_is_ignored_never_a_panic() {
        let dir = temp("damaged");
        let (roots, path) = cached_content(&dir);
        let manifest = list_and_read(&roots, None).expect("list").manifest;
        let good = fs::read(&path).expect("read");
        assert!(read(&path).expect("a hit").fits(&manifest).is_some());
        for cut in (0..good.len()).step_by(7).chain([good.len() - 1]) {
            fs::write(&path, &good[..cut]).expect("write");
            assert!(read(&path).is_none(), "cut at {cut}");
        }
        for at in (0..good.len()).step_by(5) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            fs::write(&path, &bad).expect("write");
            // Never a panic; a flipped byte in the ends' magic or offsets is always caught.
            let hit = read(&path).and_then(|cached| cached.fits(&manifest));
            let framing = at < MAGIC.len() || at >= good.len() - TRAILER_LEN as usize;
            assert!(!framing || hit.is_none(), "flipped at {at} taken");
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_cache_replaced_in_use_still_reads_as_it_was() {
        let dir = temp("replaced");
        let (roots, path) = cached_content(&dir);
        let (library, _) = list_and_read(&roots, Some(&path))
            .expect("list")
            .cached
            .expect("a hit");
        // Another Quire writes a new cache over it (atomically, so a new file).
        fs::write(dir.join("content/a.md"), "# A\n\nALPHA WORDS changed").expect("write");
        let fresh = crate::content::load_library(&roots).expect("load");
        let manifest = list_and_read(&roots, None).expect("list").manifest;
        save(&path, &manifest, &fresh, &SearchIndex::build(&fresh)).expect("save");
        assert_eq!(&*library.items[0].body, "# A\n\nalpha words");
        let _ = fs::remove_dir_all(dir);
    }
}
