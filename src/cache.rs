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
use std::sync::Arc;
use std::thread;

use crate::atomic_file::{self, folder_of};
use crate::codec::{Damaged, Reader, Writer};
use crate::content::body::StoredBodies;
use crate::content::loader::load_listed;
use crate::content::reload::{Loaded, reload};
use crate::content::source::{SourceFile, list_files};
use crate::content::{Diagnostic, Library, Root, RootError};
use crate::read_at::read_vec_at;
use crate::search::SearchIndex;

/// At both ends of a cache file.
const MAGIC: &[u8; 8] = b"QUIRELC3";

/// The end of a cache file: where each part starts, and the magic again.
const TRAILER_LEN: u64 = 6 * 8 + 8;

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
}

/// Whether `r` holds the manifest of `files` under `roots`, compared as it is read (nothing is
/// allocated: this runs on every start, for every file).
fn matches(roots: &[Root], files: &[SourceFile], r: &mut Reader<'_>) -> bool {
    let roots_match = r.len(1).is_ok_and(|n| n == roots.len())
        && roots
            .iter()
            .all(|root| r.str().is_ok_and(|s| s == root.label()));
    roots_match
        && r.len(29).is_ok_and(|n| n == files.len())
        && files.iter().all(|f| {
            r.u32().is_ok_and(|x| x as usize == f.root)
                && r.str().is_ok_and(|s| match f.relative.to_str() {
                    Some(path) => s == path,
                    None => s == f.relative.to_string_lossy(),
                })
                && r.u64().is_ok_and(|l| l == f.len)
                && r.u128().is_ok_and(|m| m == f.modified_ns)
        })
        && r.is_done()
}

/// The cache file for a set of roots (one file per distinct set).
pub fn cache_path(roots: &[Root]) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "quire")?;
    let mut labels: Vec<String> = roots.iter().map(Root::label).collect();
    // A library loaded with its drafts is another library.
    if crate::content::document::drafts_shown() {
        labels.push("drafts".to_string());
    }
    let key = crate::content::id::fnv1a(labels.join("\n").as_bytes());
    Some(dirs.cache_dir().join(format!("library-{key:016x}.bin")))
}

/// Which Quire wrote a cache: its version and a hash of its sources (see build.rs).
fn build_id() -> String {
    format!(
        "{} {} {}",
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        env!("QUIRE_SOURCE_HASH")
    )
}

/// What a caller needs of a cache. A command that counts or marks items needs only their ids
/// (a few MB of a cache the library's size); one that lists them, the library; the search, the
/// index too. What is not needed is not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    Ids,
    Library,
    LibraryAndIndex,
}

/// The ids of a library's items, in item order, in one piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemIds {
    text: String,
    ends: Vec<u32>,
}

impl ItemIds {
    pub fn of(library: &Library) -> ItemIds {
        let mut ids = ItemIds::default();
        for item in &library.items {
            ids.text.push_str(&item.id);
            ids.ends.push(ids.text.len() as u32);
        }
        ids
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start as usize..end as usize])
    }

    fn encode(&self, w: &mut Writer<'_>) {
        w.str(&self.text);
        w.u32s(&self.ends);
    }

    fn decode(r: &mut Reader<'_>) -> Result<ItemIds, Damaged> {
        let text = r.string()?;
        let ends = r.u32s()?;
        let mut at = 0;
        for &end in &ends {
            let end = end as usize;
            if end < at || !text.is_char_boundary(end) {
                return Err(Damaged);
            }
            at = end;
        }
        if at != text.len() {
            return Err(Damaged);
        }
        Ok(ItemIds { text, ends })
    }
}

/// A cache file opened and its framing checked; its parts are decoded when asked for.
struct CacheFile {
    file: File,
    /// The manifest's bytes (after the build id).
    manifest: Vec<u8>,
    /// Where each part starts: bodies, head (build id and manifest), ids, library, index; and
    /// where the index ends.
    at: [u64; 6],
}

impl CacheFile {
    fn open(path: &Path) -> Option<CacheFile> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let magic = read_vec_at(&file, 0, MAGIC.len() as u64).ok()?;
        let trailer = read_vec_at(&file, len.checked_sub(TRAILER_LEN)?, TRAILER_LEN).ok()?;
        let mut r = Reader::new(&trailer);
        let mut at = [0u64; 6];
        for slot in &mut at {
            *slot = r.u64().ok()?;
        }
        let in_order = at[0] == MAGIC.len() as u64
            && at.windows(2).all(|w| w[0] <= w[1])
            && at[5] == len - TRAILER_LEN;
        if !in_order || magic != MAGIC || trailer[48..] != MAGIC[..] {
            return None;
        }
        let manifest = read_vec_at(&file, at[1], at[2] - at[1]).ok()?;
        let mut r = Reader::new(&manifest);
        if r.str().ok()? != build_id() {
            return None;
        }
        let manifest = manifest[manifest.len() - r.remaining()..].to_vec();
        mark_used(&file);
        Some(CacheFile { file, manifest, at })
    }

    fn part(&self, n: usize) -> Reader<'_> {
        Reader::file(&self.file, self.at[n], self.at[n + 1] - self.at[n])
    }

    fn ids(&self) -> Option<ItemIds> {
        whole(self.part(2), ItemIds::decode).ok()
    }

    fn library(&self) -> Option<Library> {
        // The store reads through its own handle on the same open file: the cache as it was
        // opened here, whatever replaces it on disk later.
        let file = self.file.try_clone().ok()?;
        let bodies = StoredBodies::new(file, self.at[0], self.at[1] - self.at[0]);
        whole(self.part(3), |r| Library::decode(r, &bodies)).ok()
    }

    /// `Some(None)` when the cache was written without an index.
    fn index(&self) -> Option<Option<SearchIndex>> {
        if self.at[4] == self.at[5] {
            return Some(None);
        }
        whole(self.part(4), SearchIndex::decode).ok().map(Some)
    }
}

/// The parts of a cache a caller asked for, decoded.
#[derive(Default)]
pub struct Decoded {
    pub ids: Option<ItemIds>,
    pub library: Option<Library>,
    /// Absent when not asked for, or when the cache was written without it. (Boxed: it is
    /// large beside the rest.)
    pub index: Option<Box<SearchIndex>>,
}

/// A cache file read and decoded, not yet checked against the files on disk.
pub struct Cached {
    file: CacheFile,
    decoded: Decoded,
}

impl Cached {
    /// Whether it was made from exactly `files` under `roots`.
    pub fn fits(&self, roots: &[Root], files: &[SourceFile]) -> bool {
        matches(roots, files, &mut Reader::new(&self.file.manifest))
    }

    /// The library with the files it was made from (as `content::reload` takes it), so only
    /// the files changed since are read again; `None` if the record does not fit `roots`.
    pub fn into_loaded(self, roots: &[Root]) -> Option<Loaded> {
        let mut r = Reader::new(&self.file.manifest);
        let labels = r.strings().ok()?;
        if labels != roots.iter().map(Root::label).collect::<Vec<_>>() {
            return None;
        }
        let files = (0..r.len(29).ok()?)
            .map(|_| {
                let root = r.u32().ok()? as usize;
                let relative = PathBuf::from(r.str().ok()?);
                let (len, modified) = (r.u64().ok()?, r.u128().ok()?);
                SourceFile::as_listed(roots, root, relative, len, modified)
            })
            .collect::<Option<Vec<_>>>()?;
        let library = match self.decoded.library {
            Some(library) => library,
            None => self.file.library()?,
        };
        Some(Loaded {
            library: Arc::new(library),
            files,
        })
    }
}

/// Reads a cache file: the parts asked for, but never the bodies, which stay in the file until
/// wanted. The library and the index are decoded on two threads.
pub fn read(path: &Path, parts: Parts) -> Option<Cached> {
    let file = CacheFile::open(path)?;
    let decoded = match parts {
        Parts::Ids => Decoded {
            ids: Some(file.ids()?),
            ..Decoded::default()
        },
        Parts::Library => Decoded {
            library: Some(file.library()?),
            ..Decoded::default()
        },
        Parts::LibraryAndIndex => {
            let (library, index) = thread::scope(|scope| {
                let index = scope.spawn(|| file.index());
                (file.library(), index.join().ok().flatten())
            });
            let (library, index) = (library?, index?);
            let fits = index.as_ref().is_none_or(|index| {
                index.items_len() == library.items.len()
                    && index.categories_len() == library.categories.len()
            });
            if !fits {
                return None;
            }
            Decoded {
                library: Some(library),
                index: index.map(Box::new),
                ids: None,
            }
        }
    };
    Some(Cached { file, decoded })
}

/// Decodes all of `r` with `decode`: bytes left over are damage too.
fn whole<T>(
    mut r: Reader<'_>,
    decode: impl FnOnce(&mut Reader<'_>) -> Result<T, Damaged>,
) -> Result<T, Damaged> {
    let value = decode(&mut r)?;
    if r.is_done() { Ok(value) } else { Err(Damaged) }
}

/// What a cache holds for the files listed now.
pub enum FromCache {
    /// Made from exactly these files: the parts asked for.
    Fits(Decoded),
    /// Made from files some of which changed since: the library with the files it was made
    /// from, to bring up to date with `content::reload`.
    Stale(Loaded),
    /// No cache, or a damaged one, or one made by another build.
    Missing,
}

/// The content roots' files, listed, and what the cache holds for them. The cache is read
/// while the files are listed, on another thread: on a second start the two together are the
/// whole wait.
pub struct Listing {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    pub cached: FromCache,
}

pub fn list_and_read(
    roots: &[Root],
    cache: Option<&Path>,
    parts: Parts,
) -> Result<Listing, RootError> {
    let (listed, cached) = thread::scope(|scope| {
        let cached = cache.map(|path| scope.spawn(move || read(path, parts)));
        let listed = list_files(roots);
        (listed, cached.and_then(|c| c.join().ok().flatten()))
    });
    let (files, diagnostics) = listed?;
    let cached = match cached {
        Some(cached) if cached.fits(roots, &files) => FromCache::Fits(cached.decoded),
        Some(stale) => stale
            .into_loaded(roots)
            .map_or(FromCache::Missing, FromCache::Stale),
        None => FromCache::Missing,
    };
    Ok(Listing {
        files,
        diagnostics,
        cached,
    })
}

/// A library loaded for a command, as fast as the cache allows.
pub struct Opened {
    /// With [`Parts::Ids`]: the items' ids (from the cache, or from the library loaded).
    pub ids: Option<ItemIds>,
    /// Unless only the ids were asked for and the cache had them.
    pub library: Option<Arc<Library>>,
    /// With [`Parts::LibraryAndIndex`]: from the cache, or built now.
    pub index: Option<SearchIndex>,
    /// When the cache should be written again (it was missing or stale, or lacked the index
    /// built now): what it is made from.
    pub manifest: Option<Manifest>,
}

/// Loads `roots` for a command: from the cache when it fits; from the cache and the changed
/// files only when some changed; from every file when there is no cache. The index is built
/// only when asked for and not in the cache.
pub fn open(roots: &[Root], cache: Option<&Path>, parts: Parts) -> Result<Opened, RootError> {
    let Listing {
        mut files,
        diagnostics,
        cached,
    } = list_and_read(roots, cache, parts)?;
    let mut manifest = None;
    let (decoded, stale) = match cached {
        FromCache::Fits(decoded) => (decoded, false),
        FromCache::Stale(previous) => {
            let (loaded, _) = reload(&previous, roots, &[])?;
            // The library just made is the only one left: taken out of its Arc, not copied.
            drop(previous);
            let library = Arc::unwrap_or_clone(loaded.library);
            let decoded = Decoded {
                library: Some(library),
                ..Decoded::default()
            };
            (decoded, true)
        }
        FromCache::Missing => {
            manifest = Some(Manifest::new(roots, &files));
            let mut whole = Library::empty();
            load_listed(std::mem::take(&mut files), diagnostics, None, |snapshot| {
                whole = snapshot.library
            });
            let decoded = Decoded {
                library: Some(whole),
                ..Decoded::default()
            };
            (decoded, true)
        }
    };
    let library = decoded.library.map(Arc::new);
    let ids = match (parts, decoded.ids, &library) {
        (Parts::Ids, None, Some(library)) => Some(ItemIds::of(library)),
        (_, ids, _) => ids,
    };
    let (index, stale) = match (parts, decoded.index.map(|index| *index), &library) {
        (Parts::LibraryAndIndex, None, Some(library)) => (Some(SearchIndex::build(library)), true),
        (_, index, _) => (index, stale),
    };
    let manifest = stale.then(|| manifest.unwrap_or_else(|| Manifest::new(roots, &files)));
    Ok(Opened {
        ids,
        library,
        index,
        manifest,
    })
}

/// Writes the cache atomically; errors are for the caller to ignore (a cache is optional).
/// It is written as it is encoded: the bodies straight from the library, the rest in small
/// pieces, so writing it costs no copy of the library in memory. Without an index the next
/// reader or search builds one (and writes the cache again with it).
pub fn save(
    path: &Path,
    manifest: &Manifest,
    library: &Library,
    index: Option<&SearchIndex>,
) -> io::Result<()> {
    fs::create_dir_all(folder_of(path))?;
    remove_abandoned(path);
    evict_unused(path);
    // No lock is held, so two Quires saving at once each write their own temp file.
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    atomic_file::replace_unsynced(path, &temp, |file| {
        let mut w = Writer::to(file);
        w.raw(MAGIC);
        let bodies_at = w.position();
        library.encode_bodies(&mut w);
        let head_at = w.position();
        w.str(&build_id());
        manifest.encode(&mut w);
        let ids_at = w.position();
        ItemIds::of(library).encode(&mut w);
        let library_at = w.position();
        library.encode(&mut w);
        let index_at = w.position();
        if let Some(index) = index {
            index.encode(&mut w);
        }
        let end = w.position();
        for at in [bodies_at, head_at, ids_at, library_at, index_at, end] {
            w.u64(at);
        }
        w.raw(MAGIC);
        w.finish()
    })
}

/// A cache not used for this long is of a library nobody reads any more (a folder opened once
/// with `--content`): removed by the next write of any cache.
const UNUSED_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Marks a cache as used now (its modification time, at most once a day): what tells the
/// caches of libraries still read from the others.
fn mark_used(file: &File) {
    const DAY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    let old = file
        .metadata()
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > DAY));
    if old {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

/// Removes the other libraries' caches (and temp files) not used for [`UNUSED_FOR`].
fn evict_unused(path: &Path) {
    let Ok(entries) = fs::read_dir(folder_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let unused = name.starts_with("library-")
            && entry.path() != path
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > UNUSED_FOR));
        if unused {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes temp files of this cache that a Quire killed while writing left behind (each is
/// about the library's size). Only old ones: a young one may be another Quire's, still writing.
fn remove_abandoned(path: &Path) {
    const OLD: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    let (Some(stem), Ok(entries)) = (path.file_stem(), fs::read_dir(folder_of(path))) else {
        return;
    };
    let prefix = format!("{}.tmp", stem.to_string_lossy());
    for entry in entries.flatten() {
        let abandoned = entry.file_name().to_string_lossy().starts_with(&prefix)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > OLD));
        if abandoned {
            let _ = fs::remove_file(entry.path());
        }
    }
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
        let listing = list_and_read(&roots, None, Parts::Library).expect("list");
        let library = crate::content::load_library(&roots).expect("load");
        let index = SearchIndex::build(&library);
        let path = dir.join("cache.bin");
        let manifest = Manifest::new(&roots, &listing.files);
        save(&path, &manifest, &library, Some(&index)).expect("save");
        (roots, path)
    }

    impl FromCache {
        fn hit(self) -> Option<(Library, Option<SearchIndex>)> {
            match self {
                FromCache::Fits(Decoded {
                    library: Some(library),
                    index,
                    ..
                }) => Some((library, index.map(|index| *index))),
                _ => None,
            }
        }
    }

    #[test]
    fn caches_unused_for_a_month_are_removed_by_the_next_write() {
        let dir = temp("evict");
        let aged = |name: &str, days: u64| {
            let path = dir.join(name);
            fs::write(&path, "old cache").expect("write");
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 86_400);
            File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(when))
                .expect("age it");
            path
        };
        let forgotten = aged("library-00000000000000aa.bin", 40);
        let recent = aged("library-00000000000000bb.bin", 3);
        let someone_elses = aged("notes.txt", 400);
        let (roots, path) = cached_content(&dir);
        let _ = roots;
        assert!(path.exists());
        assert!(!forgotten.exists(), "a month unused: removed");
        assert!(recent.exists() && someone_elses.exists());
        // Opening a cache marks it used: a library read every day is never evicted.
        let used = dir.join("library-00000000000000cc.bin");
        fs::copy(&path, &used).expect("copy");
        File::options()
            .write(true)
            .open(&used)
            .and_then(|f| {
                f.set_modified(
                    std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 86_400),
                )
            })
            .expect("age it");
        assert!(CacheFile::open(&used).is_some());
        let age = fs::metadata(&used)
            .and_then(|m| m.modified())
            .expect("time")
            .elapsed()
            .expect("past");
        assert!(age < std::time::Duration::from_secs(3600), "{age:?}");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_cache_is_used_only_for_the_same_files() {
        let dir = temp("same");
        let (roots, path) = cached_content(&dir);
        let (cached, index) = list_and_read(&roots, Some(&path), Parts::LibraryAndIndex)
            .expect("list")
            .cached
            .hit()
            .expect("a hit");
        assert_eq!(index.expect("the index").items_len(), 2);
        // A command that needs no index does not decode it.
        let (_, index) = list_and_read(&roots, Some(&path), Parts::Library)
            .expect("list")
            .cached
            .hit()
            .expect("a hit");
        assert!(index.is_none());
        // Counting needs only the ids.
        let FromCache::Fits(decoded) = list_and_read(&roots, Some(&path), Parts::Ids)
            .expect("list")
            .cached
        else {
            panic!("a hit")
        };
        assert!(decoded.library.is_none());
        let ids = decoded.ids.expect("the ids");
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(cached.items[1].title, "B");
        // Bodies stay in the cache file until wanted, and are read from it, not the content.
        assert!(format!("{:?}", cached.items[0].body).contains("in the load cache"));
        fs::remove_file(dir.join("content/a.md")).expect("remove");
        assert_eq!(&*cached.items[0].body, "# A\n\nalpha words");
        assert_eq!(&*cached.items[1].body, "# B\n\nbeta words");

        // A file gone, added or changed (here: a different size) makes it stale: the library
        // is still there, with the files it was made from, for a reload.
        let stale = |roots: &[Root]| {
            let listing = list_and_read(roots, Some(&path), Parts::Library).expect("list");
            match listing.cached {
                FromCache::Stale(loaded) => {
                    let paths: Vec<_> = loaded.files.iter().map(|f| f.display.clone()).collect();
                    assert_eq!(paths, [dir.join("content/a.md"), dir.join("content/b.md")]);
                    assert_eq!(loaded.library.items.len(), 2);
                    true
                }
                _ => false,
            }
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
        let files = list_and_read(&roots, None, Parts::Library)
            .expect("list")
            .files;
        let good = fs::read(&path).expect("read");
        let all = Parts::LibraryAndIndex;
        assert!(read(&path, all).expect("a hit").fits(&roots, &files));
        for cut in (0..good.len()).step_by(7).chain([good.len() - 1]) {
            fs::write(&path, &good[..cut]).expect("write");
            assert!(read(&path, all).is_none(), "cut at {cut}");
        }
        for at in (0..good.len()).step_by(5) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            fs::write(&path, &bad).expect("write");
            // Never a panic; a flipped byte in the ends' magic or offsets is always caught.
            let hit = read(&path, all).filter(|cached| cached.fits(&roots, &files));
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
        let (library, _) = list_and_read(&roots, Some(&path), Parts::Library)
            .expect("list")
            .cached
            .hit()
            .expect("a hit");
        // Another Quire writes a new cache over it (atomically, so a new file).
        fs::write(dir.join("content/a.md"), "# A\n\nALPHA WORDS changed").expect("write");
        let fresh = crate::content::load_library(&roots).expect("load");
        let files = list_and_read(&roots, None, Parts::Library)
            .expect("list")
            .files;
        let manifest = Manifest::new(&roots, &files);
        save(&path, &manifest, &fresh, Some(&SearchIndex::build(&fresh))).expect("save");
        assert_eq!(&*library.items[0].body, "# A\n\nalpha words");
        let _ = fs::remove_dir_all(dir);
    }
}
