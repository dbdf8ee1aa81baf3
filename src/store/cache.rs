//! The load cache: the assembled library, its search index and its bodies, kept between runs
//! in the cache directory, and used when not one file has changed, or brought up to date with
//! the few that did (see [`up_to_date`]). Bodies are left in the file and read when wanted (see
//! `content::body`).
//!
//! A cache entry is valid for exactly the files it was made from: the list of (root, path,
//! size, modification time) must match, and the Quire build too. Checking that costs one
//! `stat` per file, against reading and parsing every file and rebuilding the index. Writing
//! is atomic (temp file, fsync, rename); a damaged or stale cache is ignored and replaced.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread;
use std::time::Duration;

use super::bodies::StoredBodies;
use super::damage::Damage;
use super::items::{Part, StoredItems, Table};
use crate::content::context::LoadContext;
use crate::content::loader::load_listed;
use crate::content::reload::{
    IN_PLACE_AT_MOST, Loaded, SiteStamps, apply_in_place, in_place, reload_listed,
};
use crate::content::source::{SourceFile, Stamp, list_files};
use crate::content::{Diagnostic, Items, Library, Root, RootError};
use crate::search::SearchIndex;
use crate::store::atomic_file::{self, folder_of};
use crate::store::codec::{Damaged, Reader, Writer};
use crate::store::read_at::read_vec_at;

/// At both ends of a cache file.
const MAGIC: &[u8; 8] = b"QUIRELC5";

/// The end of a cache file: where each part starts, each part's checksum (but the bodies',
/// which are checked one by one as they are read), and the magic again.
const TRAILER_LEN: u64 = PARTS as u64 * 8 + (PARTS as u64 - 2) * 4 + 8;

/// The parts of a cache file, in order: the bodies, the head (build id and manifest), the
/// items' ids, the library, the table that finds each item in it ([`Table`]), the index;
/// and where the last ends.
const PARTS: usize = 7;
const IDS: usize = 2;
const LIBRARY: usize = 3;
const TABLE: usize = 4;
const INDEX: usize = 5;

/// What the library was built from: every file with its stamp, and every place a site
/// configuration could be (with its stamp, or none), under roots named by their canonical
/// paths. Paths are kept as the bytes the system gave (a name that is not UTF-8 is a name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    roots: Vec<String>,
    files: Vec<(u32, Vec<u8>, Stamp)>,
    sites: Vec<(Vec<u8>, Option<Stamp>)>,
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

fn write_stamp(w: &mut Writer<'_>, stamp: &Stamp) {
    w.u64(stamp.len);
    w.u64(stamp.modified_ns);
    w.u64(stamp.changed_ns);
    w.u64(stamp.inode);
    w.u64(stamp.device);
}

fn read_stamp(r: &mut Reader<'_>) -> Result<Stamp, Damaged> {
    Ok(Stamp {
        len: r.u64()?,
        modified_ns: r.u64()?,
        changed_ns: r.u64()?,
        inode: r.u64()?,
        device: r.u64()?,
    })
}

impl Manifest {
    pub fn new(roots: &[Root], files: &[SourceFile], sites: &SiteStamps) -> Manifest {
        Manifest {
            roots: labels(roots),
            files: files
                .iter()
                .map(|f| (f.root as u32, path_bytes(&f.relative).to_vec(), f.stamp))
                .collect(),
            sites: sites
                .iter()
                .map(|(path, stamp)| (path_bytes(path).to_vec(), *stamp))
                .collect(),
        }
    }

    fn encode(&self, w: &mut Writer<'_>) {
        w.strs(&self.roots);
        w.usize(self.files.len());
        // Paths as the bytes the system gave, as `Writer::path` writes them.
        for (root, path, stamp) in &self.files {
            w.u32(*root);
            w.bytes(path);
            write_stamp(w, stamp);
        }
        w.usize(self.sites.len());
        for (path, stamp) in &self.sites {
            w.bytes(path);
            match stamp {
                Some(stamp) => {
                    w.u8(1);
                    write_stamp(w, stamp);
                }
                None => w.u8(0),
            }
        }
    }
}

/// The roots as a cache names them: a folder by its canonical path (two projects that both
/// say `./content` are two libraries), the bundled library by its label.
fn labels(roots: &[Root]) -> Vec<String> {
    roots
        .iter()
        .map(|root| match root {
            Root::Dir(dir) | Root::File(dir) => dir
                .canonicalize()
                .map_or_else(|_| root.label(), |c| c.display().to_string()),
            Root::Bundled => root.label(),
        })
        .collect()
}

/// How a cache's manifest compares with the files listed now.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fit {
    /// Made from exactly these files.
    Exact,
    /// Made from the same files under the same roots and site configurations, but these few
    /// (indices into the listing, at most [`IN_PLACE_AT_MOST`]) changed since.
    Edited(Vec<usize>),
    Other,
}

/// How `r`'s manifest compares with `files` and `sites` under `roots`, compared as it is read
/// (nothing is allocated but the list of edited files: this runs on every start, for every
/// file).
fn compare(roots: &[Root], files: &[SourceFile], sites: &SiteStamps, r: &mut Reader<'_>) -> Fit {
    let labels = labels(roots);
    let roots_match = r.len(1).is_ok_and(|n| n == labels.len())
        && labels.iter().all(|label| r.str().is_ok_and(|s| s == label));
    if !roots_match || r.len(29).ok() != Some(files.len()) {
        return Fit::Other;
    }
    let mut edited = Vec::new();
    for (index, f) in files.iter().enumerate() {
        let same_file = r.u32().is_ok_and(|x| x as usize == f.root)
            && r.bytes().is_ok_and(|p| p == path_bytes(&f.relative));
        match read_stamp(r) {
            Ok(stamp) if same_file && stamp == f.stamp => {}
            Ok(_) if same_file && edited.len() < IN_PLACE_AT_MOST => edited.push(index),
            _ => return Fit::Other,
        }
    }
    let sites_match = r.len(2).is_ok_and(|n| n == sites.len())
        && sites.iter().all(|(path, stamp)| {
            r.bytes().is_ok_and(|p| p == path_bytes(path))
                && match r.u8() {
                    Ok(0) => stamp.is_none(),
                    Ok(1) => read_stamp(r).is_ok_and(|s| Some(s) == *stamp),
                    _ => false,
                }
        })
        && r.is_done();
    match (sites_match, edited.is_empty()) {
        (false, _) => Fit::Other,
        (true, true) => Fit::Exact,
        (true, false) => Fit::Edited(edited),
    }
}

/// A number naming a set of roots, the same however the folders were spelled (`./content`
/// from two projects is two sets).
pub fn roots_key(roots: &[Root]) -> u64 {
    crate::content::id::fnv1a(labels(roots).join("\n").as_bytes())
}

/// The cache file for a set of roots (one file per distinct set).
pub fn cache_path(roots: &[Root]) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "quire")?;
    let mut labels = labels(roots);
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
/// (a few MB of a cache the library's size); one that lists them, the library; the reader, the
/// index too; a search, the index and the items it ranks. What is not needed is not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    Ids,
    Library,
    LibraryAndIndex,
    /// The index, and the items each decoded when first wanted ([`StoredItems`]) when the
    /// cache fits the files; otherwise (files changed, no index cached) as
    /// [`LibraryAndIndex`](Parts::LibraryAndIndex).
    ItemsAndIndex,
}

/// The ids of a library's items, in item order, in one piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemIds {
    text: String,
    ends: Vec<u32>,
}

impl ItemIds {
    pub fn of(library: &dyn Items) -> ItemIds {
        let mut ids = ItemIds::default();
        for i in 0..library.len() {
            ids.text.push_str(library.id(i));
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

    /// Id `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = i
            .checked_sub(1)
            .map_or(Some(0), |p| self.ends.get(p).copied())?;
        self.text.get(start as usize..*self.ends.get(i)? as usize)
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
    /// Shared with the index's runs left in it, when a search leaves them there.
    file: Arc<File>,
    /// The manifest's bytes (after the build id).
    manifest: Vec<u8>,
    /// Where each part starts (see [`PARTS`]), and where the last ends.
    at: [u64; PARTS],
    /// The checksums of the parts but the bodies.
    sums: [u32; PARTS - 2],
    /// Where damage found later in what is read from it is told.
    damage: Arc<Damage>,
}

impl CacheFile {
    fn open(path: &Path) -> Option<CacheFile> {
        // Never blocking: a FIFO where the cache should be is no cache.
        let file = crate::writer::open_regular(path).ok()?;
        let len = file.metadata().ok()?.len();
        let magic = read_vec_at(&file, 0, MAGIC.len() as u64).ok()?;
        let trailer = read_vec_at(&file, len.checked_sub(TRAILER_LEN)?, TRAILER_LEN).ok()?;
        let mut r = Reader::new(&trailer);
        let mut at = [0u64; PARTS];
        for slot in &mut at {
            *slot = r.u64().ok()?;
        }
        let mut sums = [0u32; PARTS - 2];
        for slot in &mut sums {
            *slot = r.u32().ok()?;
        }
        let in_order = at[0] == MAGIC.len() as u64
            && at.windows(2).all(|w| w[0] <= w[1])
            && at[PARTS - 1] == len - TRAILER_LEN;
        let magic_end = &trailer[trailer.len() - MAGIC.len()..];
        if !in_order || magic != MAGIC || r.remaining() != MAGIC.len() || magic_end != MAGIC {
            return None;
        }
        let manifest = read_vec_at(&file, at[1], at[2] - at[1]).ok()?;
        if crc32fast::hash(&manifest) != sums[0] {
            return None;
        }
        let mut r = Reader::new(&manifest);
        if r.str().ok()? != build_id() {
            return None;
        }
        let manifest = manifest[manifest.len() - r.remaining()..].to_vec();
        mark_used(&file);
        Some(CacheFile {
            damage: Damage::of(path.to_path_buf(), &file),
            file: Arc::new(file),
            manifest,
            at,
            sums,
        })
    }

    /// Part `n` ([`IDS`], [`LIBRARY`], [`TABLE`], [`INDEX`]) decoded whole, and only if it is
    /// as written: every byte of it is checked against its checksum as it is read, so a
    /// damaged or mixed region is never served.
    fn decode_part<T>(
        &self,
        n: usize,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T, Damaged>,
    ) -> Option<T> {
        self.decode_part_leaving(n, false, decode)
    }

    /// [`decode_part`](Self::decode_part), leaving long runs in the file when `leave` is
    /// set (see `codec::OnDisk`: they are checked block by block as they pass, and again when
    /// read).
    fn decode_part_leaving<T>(
        &self,
        n: usize,
        leave: bool,
        decode: impl FnOnce(&mut Reader<'_>) -> Result<T, Damaged>,
    ) -> Option<T> {
        let (at, len) = (self.at[n], self.at[n + 1] - self.at[n]);
        let mut r = if leave {
            Reader::file_leaving(&self.file, at, len, &self.damage)
        } else {
            Reader::file(&self.file, at, len)
        };
        let value = decode(&mut r).ok()?;
        (r.file_checksum() == Some(self.sums[n - 1])).then_some(value)
    }

    fn ids(&self) -> Option<ItemIds> {
        self.decode_part(IDS, ItemIds::decode)
    }

    /// The items, each read from the library part when first wanted; `Ok(None)` for a cache
    /// written without the table that finds them (a library too large for it), [`Damaged`]
    /// when the table, the ids or the categories will not read or do not fit each other.
    fn items(&self) -> Result<Option<StoredItems>, Damaged> {
        if self.at[TABLE] == self.at[TABLE + 1] {
            return Ok(None);
        }
        let table = self.decode_part(TABLE, Table::decode).ok_or(Damaged)?;
        let part = Part {
            file: Arc::clone(&self.file),
            at: self.at[LIBRARY],
            len: self.at[LIBRARY + 1] - self.at[LIBRARY],
        };
        let (ids, bodies) = (self.ids().ok_or(Damaged)?, self.bodies().ok_or(Damaged)?);
        StoredItems::open(part, ids, table, bodies).map(Some)
    }

    /// Removes this cache file, found damaged as it was opened, if its path still names it
    /// (not a newer one): the next command builds it again instead of working around the
    /// damage every time.
    fn discard(&self) {
        self.damage.remove();
    }

    /// The bodies' region, read through its own handle on the same open file: the cache as it
    /// was opened here, whatever replaces it on disk later.
    fn bodies(&self) -> Option<Arc<StoredBodies>> {
        let file = self.file.try_clone().ok()?;
        Some(StoredBodies::new(
            file,
            self.at[0],
            self.at[1] - self.at[0],
            Arc::clone(&self.damage),
        ))
    }

    /// The library decoded whole, in one pass over the part. (Through the table on every
    /// core instead, `quire list` at 100,000 items took 10 % longer and 25 % more memory: the
    /// table and ids are read too, and the decoding threads compete with the listing's.)
    fn library(&self) -> Option<Library> {
        let bodies = self.bodies()?;
        self.decode_part(LIBRARY, |r| Library::decode(r, &bodies))
    }

    /// `Some(None)` when the cache was written without an index. With `leave`, its posting
    /// lists and vectors are left in the file, each read when first wanted.
    fn index(&self, leave: bool) -> Option<Option<SearchIndex>> {
        if self.at[INDEX] == self.at[INDEX + 1] {
            return Some(None);
        }
        self.decode_part_leaving(INDEX, leave, SearchIndex::decode)
            .map(Some)
    }
}

/// The parts of a cache a caller asked for, decoded.
#[derive(Default)]
pub struct Decoded {
    pub ids: Option<ItemIds>,
    pub library: Option<Library>,
    /// With [`Parts::ItemsAndIndex`], instead of the library: the items, each read when
    /// first wanted. (Boxed, as the index.)
    pub stored: Option<Box<StoredItems>>,
    /// Absent when not asked for, or when the cache was written without it. (Boxed: it is
    /// large beside the rest.)
    pub index: Option<Box<SearchIndex>>,
}

impl Decoded {
    /// The library decoded whole, when only its stored items were: for a caller that brings it
    /// up to date with changed files, or writes it.
    fn decode_whole(&mut self) {
        if self.library.is_some() {
            return;
        }
        if let Some(stored) = self.stored.take() {
            self.library = (*stored).into_library();
        }
        // An index that does not fit the library is left out (and built again), as when
        // the two are decoded together.
        if let (Some(library), Some(index)) = (&self.library, &self.index)
            && !fits(index, library)
        {
            self.index = None;
        }
    }

    /// The parts for a cache that fits the files; `None` when its items do not fit its
    /// index, or its index is due a merge (written again from the whole library) and the
    /// library will not decode whole (a record damaged since: the cache is then removed).
    fn read_items(mut self) -> Option<Decoded> {
        if let Some(stored) = &self.stored
            && !self
                .index
                .as_ref()
                .is_some_and(|index| fits(index, &**stored))
        {
            return None;
        }
        if self.stored.is_some() && self.index.as_ref().is_some_and(|i| i.needs_merge()) {
            self.decode_whole();
            self.library.as_ref()?;
        }
        Some(self)
    }
}

/// Whether `index` can serve `items`: as many items and categories (each part of a cache is
/// checked on its own; a search over the two indexes one by the other's numbers).
fn fits(index: &SearchIndex, items: &dyn Items) -> bool {
    index.items_len() == items.len() && index.categories_len() == items.categories().len()
}

/// A cache file read and decoded, not yet checked against the files on disk.
pub struct Cached {
    file: CacheFile,
    decoded: Decoded,
}

impl Cached {
    /// Whether it was made from exactly `files` (and site configurations `sites`) under
    /// `roots`.
    #[cfg(test)]
    fn fits(&self, roots: &[Root], files: &[SourceFile], sites: &SiteStamps) -> bool {
        self.compare(roots, files, sites) == Fit::Exact
    }

    fn compare(&self, roots: &[Root], files: &[SourceFile], sites: &SiteStamps) -> Fit {
        compare(roots, files, sites, &mut Reader::new(&self.file.manifest))
    }

    /// The library with the files it was made from (as `content::reload` takes it), so only
    /// the files changed since are read again; `None` if the record does not fit `roots`.
    pub fn into_loaded(mut self, roots: &[Root]) -> Option<Loaded> {
        let mut r = Reader::new(&self.file.manifest);
        if r.strings().ok()? != labels(roots) {
            return None;
        }
        let contexts: Vec<LoadContext> = roots.iter().map(LoadContext::of).collect();
        let files = (0..r.len(29).ok()?)
            .map(|_| {
                let root = r.u32().ok()? as usize;
                let relative = r.path().ok()?;
                let stamp = read_stamp(&mut r).ok()?;
                SourceFile::as_listed(roots, root, relative, stamp, *contexts.get(root)?)
            })
            .collect::<Option<Vec<_>>>()?;
        let sites = (0..r.len(2).ok()?)
            .map(|_| {
                let path = r.path().ok()?;
                let stamp = match r.u8().ok()? {
                    0 => None,
                    _ => Some(read_stamp(&mut r).ok()?),
                };
                Some((path, stamp))
            })
            .collect::<Option<Vec<_>>>()?;
        self.decoded.decode_whole();
        let library = match self.decoded.library {
            Some(library) => library,
            None => self.file.library()?,
        };
        Some(Loaded {
            library: Arc::new(library),
            files,
            sites,
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
        Parts::ItemsAndIndex => {
            let (items, index) = thread::scope(|scope| {
                let index = scope.spawn(|| file.index(true));
                (file.items(), index.join().ok().flatten())
            });
            match (items, index?) {
                (Err(Damaged), _) => {
                    file.discard();
                    return None;
                }
                (Ok(Some(items)), Some(index)) => Decoded {
                    stored: Some(Box::new(items)),
                    index: Some(Box::new(index)),
                    ..Decoded::default()
                },
                // Without an index cached, one is built from the library (and without the
                // table, the library is read whole): decoded whole.
                _ => return read(path, Parts::LibraryAndIndex),
            }
        }
        Parts::LibraryAndIndex => {
            let (library, index) = thread::scope(|scope| {
                let index = scope.spawn(|| file.index(false));
                (file.library(), index.join().ok().flatten())
            });
            let (library, index) = (library?, index?);
            if !index.as_ref().is_none_or(|index| fits(index, &library)) {
                return None;
            }
            Decoded {
                library: Some(library),
                index: index.map(Box::new),
                ..Decoded::default()
            }
        }
    };
    Some(Cached { file, decoded })
}

/// Decodes all of `r` with `decode`: bytes left over are damage too.
/// What a cache holds for the files listed now.
pub enum FromCache {
    /// Made from exactly these files, or from these files with a few edited since and
    /// brought up to date with them (see [`Listing::edited`]): the parts asked for.
    Fits(Decoded),
    /// Made from files some of which changed since: the library with the files it was made
    /// from, to bring up to date with `content::reload`, and its index when asked for (to
    /// bring up to date with `SearchIndex::updated`).
    Stale(Loaded, Option<Box<SearchIndex>>),
    /// No cache, or a damaged one, or one made by another build.
    Missing,
}

/// A cache made from the files listed now but `changed` (a few edited since it was written),
/// with the parts asked for brought up to date: when each edited file still makes the same
/// items (a typo fixed, an insight added, a bookmark added; see `reload::in_place`), they are
/// read again and their items updated where they stand, and indexed anew as a small segment.
/// The cache is then not written again for so little: the next command finds the same few
/// files edited and does the same few milliseconds of work (once more than
/// [`IN_PLACE_AT_MOST`] files differ from it, or one changes beyond that, it is filed and
/// written again whole; and a caller writes it when the index the edits split is due a
/// merge). Otherwise the cache as [`FromCache::Stale`] holds it, to be filed again.
fn up_to_date(
    mut cached: Cached,
    changed: &[usize],
    roots: &[Root],
    files: &[SourceFile],
) -> FromCache {
    cached.decoded.decode_whole();
    let updates = cached
        .decoded
        .library
        .as_ref()
        .and_then(|library| in_place(library, files, changed));
    let Some(updates) = updates else {
        return stale(cached, roots);
    };
    let mut decoded = cached.decoded;
    if let Some(library) = decoded.library.as_mut() {
        let items = apply_in_place(library, updates);
        if let Some(index) = decoded.index.as_mut() {
            index.reindex(library, &items);
        }
    }
    FromCache::Fits(decoded)
}

/// A cache made from other files: its library with the files it was made from, to bring up
/// to date with `content::reload`.
fn stale(mut cached: Cached, roots: &[Root]) -> FromCache {
    let index = cached.decoded.index.take();
    cached
        .into_loaded(roots)
        .map_or(FromCache::Missing, |loaded| FromCache::Stale(loaded, index))
}

/// The content roots' files, listed, and what the cache holds for them. The cache is read
/// while the files are listed, on another thread: on a second start the two together are the
/// whole wait.
pub struct Listing {
    pub files: Vec<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// The roots' site configurations, as they are now.
    pub sites: SiteStamps,
    pub cached: FromCache,
    /// How many files edited since the cache was written were read to bring it up to date
    /// (then the cache fits, and is behind the files on disk by them).
    pub edited: usize,
    /// Where damage found later in what is served from the cache is told; `None` when
    /// nothing is ([`FromCache::Missing`]).
    pub damage: Option<Arc<Damage>>,
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
    let sites = crate::content::site::config_stamps(roots);
    let mut edited = 0;
    let mut damage = cached.as_ref().map(|c| Arc::clone(&c.file.damage));
    let cached = match cached {
        Some(cached) => match cached.compare(roots, &files, &sites) {
            Fit::Exact => cached
                .decoded
                .read_items()
                .map_or(FromCache::Missing, FromCache::Fits),
            Fit::Edited(changed) => match up_to_date(cached, &changed, roots, &files) {
                fits @ FromCache::Fits(_) => {
                    edited = changed.len();
                    fits
                }
                other => other,
            },
            Fit::Other => stale(cached, roots),
        },
        None => FromCache::Missing,
    };
    if matches!(cached, FromCache::Missing) {
        damage = None;
    }
    Ok(Listing {
        files,
        diagnostics,
        sites,
        cached,
        edited,
        damage,
    })
}

/// A library loaded for a command, as fast as the cache allows.
pub struct Opened {
    /// With [`Parts::Ids`]: the items' ids (from the cache, or from the library loaded).
    pub ids: Option<ItemIds>,
    /// Unless only the ids were asked for and the cache had them, or the items were asked
    /// for and the cache had them ([`stored`](Self::stored)).
    pub library: Option<Arc<Library>>,
    /// With [`Parts::ItemsAndIndex`] and a cache that fits: the items, each decoded when
    /// first wanted.
    pub stored: Option<StoredItems>,
    /// With [`Parts::LibraryAndIndex`]: from the cache, or built now.
    pub index: Option<SearchIndex>,
    /// When the cache should be written again (it was missing or stale, or lacked the index
    /// built now): what it is made from.
    pub manifest: Option<Manifest>,
    /// When a few edited files were brought up to date and the cache not written again for
    /// them: what it would be made from (for a caller that wants it written all the same).
    pub behind: Option<Manifest>,
    /// How many files were read and parsed (none when the cache fit).
    pub files_read: usize,
    /// The folder roots holding no markdown file, from this listing (the cache may not
    /// have been read far enough to say).
    pub empty_roots: Vec<std::path::PathBuf>,
    /// When anything is served from the load cache: where damage found in it since it was
    /// opened (a body, an item, a posting list read when first wanted) is told.
    pub damage: Option<Arc<Damage>>,
}

impl Opened {
    /// Whether something read from the load cache since it was opened was found damaged
    /// (and the cache removed): what was served from it may be short of what the files say.
    pub fn damaged(&self) -> bool {
        self.damage.as_ref().is_some_and(|d| d.is_found())
    }
}

/// Loads `roots` for a command: from the cache when it fits; from the cache and the changed
/// files only when some changed; from every file when there is no cache. The index is built
/// only when asked for and not in the cache.
pub fn open(roots: &[Root], cache: Option<&Path>, parts: Parts) -> Result<Opened, RootError> {
    let Listing {
        mut files,
        diagnostics,
        sites,
        cached,
        edited,
        damage,
    } = list_and_read(roots, cache, parts)?;
    let empty_roots = roots
        .iter()
        .enumerate()
        .filter_map(|(index, root)| match root {
            Root::Dir(dir) if !files.iter().any(|f| f.root == index) => Some(dir.clone()),
            _ => None,
        })
        .collect();
    let mut manifest = None;
    let mut files_read = edited;
    let (decoded, stale) = match cached {
        FromCache::Fits(decoded) => (decoded, false),
        FromCache::Stale(previous, index) => {
            // Only the files changed since the cache was written are read, from the listing
            // made while the cache was read.
            let (loaded, changes) = reload_listed(
                &previous,
                roots,
                &[],
                std::mem::take(&mut files),
                diagnostics,
                sites.clone(),
            );
            files_read = changes.changed + changes.added;
            manifest = Some(Manifest::new(roots, &loaded.files, &loaded.sites));
            // The cached index, with what changed indexed anew.
            let index = match (parts, index) {
                (Parts::LibraryAndIndex | Parts::ItemsAndIndex, Some(index)) => {
                    Some(Box::new(index.updated(&previous.library, &loaded.library)))
                }
                _ => None,
            };
            // The library just made is the only one left: taken out of its Arc, not copied.
            drop(previous);
            let library = Arc::unwrap_or_clone(loaded.library);
            let decoded = Decoded {
                library: Some(library),
                index,
                ..Decoded::default()
            };
            (decoded, true)
        }
        FromCache::Missing => {
            manifest = Some(Manifest::new(roots, &files, &sites));
            files_read = files.len();
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
    // (An index split by changes is written again merged, from the whole library: a cache
    // that fit gave it whole already, see `Decoded::read_items`.)
    let stored = decoded.stored.map(|stored| *stored);
    let library = decoded.library.map(Arc::new);
    let ids = match (parts, decoded.ids, &library) {
        (Parts::Ids, None, Some(library)) => Some(ItemIds::of(library)),
        (_, ids, _) => ids,
    };
    let (index, stale) = match (parts, decoded.index.map(|index| *index), &library) {
        (Parts::LibraryAndIndex | Parts::ItemsAndIndex, None, Some(library)) => {
            (Some(SearchIndex::build(library)), true)
        }
        (_, index, _) => (index, stale),
    };
    // An index that changes have split too far is written again, merged (a large
    // collection edited again and again would otherwise be indexed anew by every command).
    let merge = index.as_ref().is_some_and(SearchIndex::needs_merge);
    let manifest =
        (stale || merge).then(|| manifest.unwrap_or_else(|| Manifest::new(roots, &files, &sites)));
    let behind = (edited > 0 && manifest.is_none()).then(|| Manifest::new(roots, &files, &sites));
    Ok(Opened {
        ids,
        library,
        stored,
        index,
        manifest,
        behind,
        files_read,
        empty_roots,
        damage,
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
    // The cache holds the vectors of search by meaning, made now if not yet: a command that
    // reads the cache then never makes them (this write is off the reader's way).
    if let Some(index) = index {
        index.fill_vectors(library);
    }
    fs::create_dir_all(folder_of(path))?;
    remove_abandoned(path);
    evict_unused(path);
    // A temp file of this write's own: two writes at once (two Quires, or a process's saver
    // and a command) never share one, and the last rename wins whole.
    let temp = atomic_file::temp_path(path);
    atomic_file::replace_unsynced(path, &temp, |file| {
        // Written through a shared handle, so that bodies an earlier cache holds can be copied
        // in by the system beside it (see `encode_bodies`).
        let file: &File = file;
        let mut sink = file;
        let mut w = Writer::to_file(&mut sink, file);
        w.raw(MAGIC);
        let bodies_at = w.position();
        let body_sums = library.encode_bodies(&mut w)?;
        let head_at = w.position();
        w.checksum();
        w.str(&build_id());
        manifest.encode(&mut w);
        let mut sums = [w.checksum(), 0, 0, 0, 0];
        let ids_at = w.position();
        ItemIds::of(library).encode(&mut w);
        sums[1] = w.checksum();
        let library_at = w.position();
        let layout = library.encode(&mut w, &body_sums);
        sums[2] = w.checksum();
        let table_at = w.position();
        if let Some(table) = layout.and_then(|layout| Table::of(library, layout)) {
            table.encode(&mut w);
        }
        sums[3] = w.checksum();
        let index_at = w.position();
        if let Some(index) = index {
            index.encode(&mut w);
        }
        sums[4] = w.checksum();
        let end = w.position();
        for at in [
            bodies_at, head_at, ids_at, library_at, table_at, index_at, end,
        ] {
            w.u64(at);
        }
        for sum in sums {
            w.u32(sum);
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
/// about the library's size): those whose writer is gone, and those of older Quires (named
/// `library-….tmpPID`) an hour old.
fn remove_abandoned(path: &Path) {
    const OLD: std::time::Duration = std::time::Duration::from_secs(60 * 60);
    let (Some(stem), Some(name), Ok(entries)) = (
        path.file_stem(),
        path.file_name(),
        fs::read_dir(folder_of(path)),
    ) else {
        return;
    };
    let older = format!("{}.tmp", stem.to_string_lossy());
    let ours = format!(".{}", name.to_string_lossy());
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let abandoned = (file.starts_with(&ours) && atomic_file::is_abandoned_temp(&file))
            || (file.starts_with(&older)
                && entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > OLD)));
        if abandoned {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The reader's one writer of the load cache: a thread that writes one cache at a time, the
/// newest asked for. A save asked for while one is written replaces any still waiting (a
/// feed sync writing in bursts asks for many; only the last library matters), so two writes
/// never overlap and an older library never lands after a newer one.
pub struct Saver {
    shared: Arc<(Mutex<Slot>, Condvar)>,
}

/// What the saver's thread has to do: the job waiting, whether one is being written, and how
/// many are promised.
#[derive(Default)]
struct Slot {
    job: Option<Job>,
    writing: bool,
    /// Saves promised (a [`Promise`] each) and not yet asked for or given up.
    promised: usize,
    /// No thread writes any more: the Saver is gone, or its thread could not start.
    closed: bool,
}

impl Slot {
    fn idle(&self) -> bool {
        self.job.is_none() && !self.writing && self.promised == 0
    }
}

/// A save on its way to a [`Saver`] from whoever will have its library (the reader's search
/// thread, once the index it may be building is done): the saver counts as busy from the
/// promise until it is dropped, kept or not.
pub struct Promise(Arc<(Mutex<Slot>, Condvar)>);

impl Drop for Promise {
    fn drop(&mut self) {
        let (slot, changed) = &*self.0;
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.promised -= 1;
        changed.notify_all();
    }
}

struct Job {
    path: PathBuf,
    manifest: Manifest,
    library: Arc<Library>,
    index: Option<Arc<SearchIndex>>,
}

/// Ends a write: the slot says no write is under way, and whoever waits for it is told.
struct Written<'a>(&'a (Mutex<Slot>, Condvar));

impl Drop for Written<'_> {
    fn drop(&mut self) {
        let (slot, changed) = self.0;
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        slot.writing = false;
        changed.notify_all();
    }
}

/// Watches a [`Saver`]'s writes without keeping it alive (its thread ends once the Saver is
/// dropped and the job it was asked last is written).
#[derive(Clone)]
pub struct Writes(Weak<(Mutex<Slot>, Condvar)>);

impl Writes {
    /// Promises a save, to be asked for with [`Saver::save`] (then the promise is dropped);
    /// `None` when the saver is gone, and nothing would be written.
    pub fn promise(&self) -> Option<Promise> {
        let shared = self.0.upgrade()?;
        {
            let mut slot = shared.0.lock().unwrap_or_else(|e| e.into_inner());
            if slot.closed {
                return None;
            }
            slot.promised += 1;
        }
        Some(Promise(shared))
    }

    /// Waits up to `limit` for every write asked for or promised to be done; true when none
    /// is left.
    pub fn wait_idle(&self, limit: Duration) -> bool {
        let Some(shared) = self.0.upgrade() else {
            return true;
        };
        let (slot, changed) = &*shared;
        let Ok(slot) = slot.lock() else { return true };
        match changed.wait_timeout_while(slot, limit, |slot| !slot.idle()) {
            Ok((slot, _)) => slot.idle(),
            Err(_) => true,
        }
    }
}

impl Saver {
    pub fn start() -> Saver {
        let shared: Arc<(Mutex<Slot>, Condvar)> = Arc::default();
        let thread_shared = Arc::clone(&shared);
        let started = thread::Builder::new().name("cache".into()).spawn(move || {
            let (slot, changed) = &*thread_shared;
            loop {
                let job = {
                    let Ok(mut slot) = slot.lock() else { return };
                    loop {
                        if let Some(job) = slot.job.take() {
                            slot.writing = true;
                            break job;
                        }
                        if slot.closed {
                            return;
                        }
                        slot = match changed.wait(slot) {
                            Ok(slot) => slot,
                            Err(_) => return,
                        };
                    }
                };
                // Idle again however the write ends (a panic too), so no quit waits for it.
                let _done = Written(&thread_shared);
                // A cache is a convenience: failing to write one changes nothing.
                let _ = save(&job.path, &job.manifest, &job.library, job.index.as_deref());
            }
        });
        if started.is_err() {
            // Nothing will write: no save is kept, and no quit waits for one.
            shared.0.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        }
        Saver { shared }
    }

    /// Asks for `library` (and its index) to be written, replacing a request still waiting.
    pub fn save(
        &self,
        path: PathBuf,
        manifest: Manifest,
        library: Arc<Library>,
        index: Option<Arc<SearchIndex>>,
    ) {
        let (slot, changed) = &*self.shared;
        if let Ok(mut slot) = slot.lock()
            && !slot.closed
        {
            slot.job = Some(Job {
                path,
                manifest,
                library,
                index,
            });
            changed.notify_all();
        }
    }

    /// A watch on this saver's writes, for whoever must wait for them to end.
    pub fn writes(&self) -> Writes {
        Writes(Arc::downgrade(&self.shared))
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        let (slot, changed) = &*self.shared;
        if let Ok(mut slot) = slot.lock() {
            slot.closed = true;
        }
        changed.notify_all();
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
        let library = crate::content::load_library(&roots).expect("load");
        let path = dir.join("cache.bin");
        write_cache(&roots, &path, &library, &SearchIndex::build(&library));
        (roots, path)
    }

    /// Writes at `path` the cache of `roots` as they are now, holding `library` and `index`.
    fn write_cache(roots: &[Root], path: &Path, library: &Library, index: &SearchIndex) {
        let listing = list_and_read(roots, None, Parts::Library).expect("list");
        let manifest = Manifest::new(roots, &listing.files, &listing.sites);
        save(path, &manifest, library, Some(index)).expect("save");
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
    fn bodies_kept_in_a_cache_are_copied_into_the_next_one_byte_for_byte() {
        let dir = temp("copy-bodies");
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        for n in 0..30 {
            let text = format!(
                "# Post {n}\n\n{}",
                format!("words of post {n} ").repeat(n * 40)
            );
            fs::write(content.join(format!("p{n:02}.md")), text).expect("write");
        }
        let roots = vec![Root::Dir(content.clone())];
        let listing = list_and_read(&roots, None, Parts::Library).expect("list");
        let manifest = Manifest::new(&roots, &listing.files, &listing.sites);
        let fresh = crate::content::load_library(&roots).expect("load");
        let first = dir.join("first.bin");
        save(&first, &manifest, &fresh, None).expect("save");
        // The library as a command has it from the cache: bodies still in the first file, one
        // of them read (as the reader shows one), one changed since (read from its file).
        let mut cached = read(&first, Parts::Library)
            .and_then(|c| c.decoded.library)
            .expect("cached");
        let _ = cached.items[3].body.len();
        let _: &str = &cached.items[4].body;
        cached.items[7].body = "# Post 7\n\nrewritten".into();
        let second = dir.join("second.bin");
        save(&second, &manifest, &cached, None).expect("save");
        let back = read(&second, Parts::Library)
            .and_then(|c| c.decoded.library)
            .expect("read back");
        for (n, (a, b)) in back.items.iter().zip(&cached.items).enumerate() {
            assert_eq!(&*a.body, &*b.body, "item {n}");
        }
        // Written from memory (nothing to copy), the same library gives the same file.
        let mut in_memory = fresh.clone();
        in_memory.items[7].body = "# Post 7\n\nrewritten".into();
        let third = dir.join("third.bin");
        save(&third, &manifest, &in_memory, None).expect("save");
        assert_eq!(
            fs::read(&second).expect("second"),
            fs::read(&third).expect("third")
        );
        let _ = fs::remove_dir_all(dir);
    }

    /// Asks `saver` to write at `path` the library of `roots` as its files are now.
    fn ask_to_save(saver: &Saver, roots: &[Root], path: &Path) {
        let listing = list_and_read(roots, None, Parts::Library).expect("list");
        let library = Arc::new(crate::content::load_library(roots).expect("load"));
        let index = Arc::new(SearchIndex::build(&library));
        let manifest = Manifest::new(roots, &listing.files, &listing.sites);
        saver.save(path.to_path_buf(), manifest, library, Some(index));
    }

    #[test]
    fn saves_asked_for_at_once_leave_the_newest_library_whole() {
        let dir = temp("saver");
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        let roots = vec![Root::Dir(content.clone())];
        let path = dir.join("cache.bin");
        let saver = Saver::start();
        let mut last = String::new();
        for round in 0..40 {
            // Same length every round: only the bodies tell the libraries apart.
            last = format!("# T\n\nbody {round:03}");
            fs::write(content.join("a.md"), &last).expect("write");
            ask_to_save(&saver, &roots, &path);
        }
        drop(saver);
        // The worker finishes what it was asked last.
        let started = std::time::Instant::now();
        let hit = loop {
            let hit = list_and_read(&roots, Some(&path), Parts::LibraryAndIndex)
                .expect("list")
                .cached
                .hit();
            if hit.is_some() || started.elapsed() > std::time::Duration::from_secs(10) {
                break hit;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let (library, index) = hit.expect("the newest library, whole and fitting");
        assert_eq!(&*library.items[0].body, last);
        assert!(index.is_some());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_watch_on_the_saver_waits_until_the_write_asked_for_is_on_disk() {
        let dir = temp("watch");
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        fs::write(content.join("a.md"), "# A\n\nwatched words").expect("write");
        let roots = vec![Root::Dir(content)];
        let path = dir.join("cache.bin");
        let saver = Saver::start();
        let writes = saver.writes();
        assert!(writes.wait_idle(Duration::ZERO), "nothing asked: idle");
        // Promised before the library is at hand: busy until it is asked for.
        let promise = writes.promise().expect("the saver is there");
        assert!(
            !writes.wait_idle(Duration::from_millis(20)),
            "a save is promised"
        );
        drop(promise);
        assert!(
            writes.wait_idle(Duration::ZERO),
            "a promise given up is nothing to wait for"
        );
        let promise = writes.promise();
        ask_to_save(&saver, &roots, &path);
        drop(promise);
        // The reader quits as soon as it asked: the saver goes, the write asked for does not.
        drop(saver);
        assert!(writes.wait_idle(Duration::from_secs(30)), "the write ends");
        // Idle means written: the cache is there at once, no polling.
        let hit = list_and_read(&roots, Some(&path), Parts::LibraryAndIndex)
            .expect("list")
            .cached
            .hit();
        let (library, index) = hit.expect("the library written before the watch said idle");
        assert_eq!(&*library.items[0].body, "# A\n\nwatched words");
        assert!(index.is_some());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn writing_a_cache_from_a_cached_library_leaves_its_bodies_on_disk() {
        let dir = temp("streamed");
        let (roots, path) = cached_content(&dir);
        let (library, index) = list_and_read(&roots, Some(&path), Parts::LibraryAndIndex)
            .expect("list")
            .cached
            .hit()
            .expect("a hit");
        assert!(library.items.iter().all(|i| !i.body.is_loaded()));
        let listing = list_and_read(&roots, None, Parts::Library).expect("list");
        let manifest = Manifest::new(&roots, &listing.files, &listing.sites);
        let again = dir.join("again.bin");
        save(&again, &manifest, &library, index.as_ref()).expect("save");
        // Copied piece by piece: not one body was pulled into memory to write it.
        assert!(library.items.iter().all(|i| !i.body.is_loaded()));
        let (copy, _) = list_and_read(&roots, Some(&again), Parts::Library)
            .expect("list")
            .cached
            .hit()
            .expect("a hit");
        assert_eq!(&*copy.items[0].body, &*library.items[0].body);
        let _ = fs::remove_dir_all(dir);
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
        // A search gets the index and the items, decoded one by one as it wants them.
        let FromCache::Fits(decoded) = list_and_read(&roots, Some(&path), Parts::ItemsAndIndex)
            .expect("list")
            .cached
        else {
            panic!("a hit")
        };
        assert!(decoded.library.is_none() && decoded.index.is_some());
        let stored = decoded.stored.expect("the items");
        assert_eq!((stored.len(), stored.id(1)), (2, "b"));
        assert_eq!(stored.item(1).title, "B");
        assert_eq!(cached.items[1].title, "B");
        // Bodies stay in the cache file until wanted, and are read from it, not the content.
        assert!(format!("{:?}", cached.items[0].body).contains("in the load cache"));
        fs::remove_file(dir.join("content/a.md")).expect("remove");
        assert_eq!(&*cached.items[0].body, "# A\n\nalpha words");
        assert_eq!(&*cached.items[1].body, "# B\n\nbeta words");

        // A file gone, added or changed (here: a different size) makes it stale: the library
        // is still there, with the files it was made from, for a reload. (Asked for the ids
        // only: an edit is brought up to date in place when the library is asked for, below.)
        let stale = |roots: &[Root]| {
            let listing = list_and_read(roots, Some(&path), Parts::Ids).expect("list");
            match listing.cached {
                FromCache::Stale(loaded, _) => {
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
        // Asked for the library, the same files with a few edited give the cache to bring up
        // to date in place: both files were written again since the cache was.
        let listing = list_and_read(&roots, Some(&path), Parts::Library).expect("list");
        let FromCache::Fits(decoded) = listing.cached else {
            panic!("the cache brought up to date")
        };
        assert_eq!(listing.edited, 2);
        let library = decoded.library.expect("the library");
        assert_eq!(&*library.items[0].body, "# A\n\nalpha words");
        assert_eq!(&*library.items[1].body, "# B\n\nbeta words, more");
        // So does a search: it gets the library decoded whole, brought up to date, and its
        // index with the edits indexed.
        let listing = list_and_read(&roots, Some(&path), Parts::ItemsAndIndex).expect("list");
        let FromCache::Fits(decoded) = listing.cached else {
            panic!("the cache brought up to date")
        };
        assert!(decoded.stored.is_none() && listing.edited == 2);
        let library = decoded.library.expect("the library");
        assert_eq!(&*library.items[1].body, "# B\n\nbeta words, more");
        assert_eq!(decoded.index.expect("the index").items_len(), 2);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_search_reads_the_lists_it_wants_from_the_cache_each_checked_when_read() {
        let dir = temp("lists");
        let roots = vec![Root::Bundled];
        let library = crate::content::load_library(&roots).expect("bundled");
        let path = dir.join("cache.bin");
        write_cache(&roots, &path, &library, &SearchIndex::build(&library));
        let index = |parts| {
            let cached = read(&path, parts).expect("a hit");
            *cached.decoded.index.expect("the index")
        };
        let whole = index(Parts::LibraryAndIndex);
        let left = index(Parts::ItemsAndIndex);
        // The long runs (posting arrays, vectors) stayed in the file, and read from there
        // they are what the index read whole holds, every list of every word.
        assert!(
            left.heap_bytes() + 48 * 1024 < whole.heap_bytes(),
            "{} of {} bytes in memory",
            left.heap_bytes(),
            whole.heap_bytes()
        );
        let expected = whole.read_all();
        assert!(expected.0.len() > 1000 && expected.1.iter().all(Option::is_some));
        assert_eq!(left.read_all(), expected);

        // The file damaged after it was opened: what a block no longer as it was holds is
        // read as nothing (and the vectors as none), never as other item numbers.
        let left = index(Parts::ItemsAndIndex);
        {
            use std::os::unix::fs::FileExt;
            let file = File::options().write(true).open(&path).expect("open");
            let at = CacheFile::open(&path).expect("open").at;
            for offset in (at[INDEX]..at[INDEX + 1]).step_by(40_009) {
                file.write_at(&[0x5a], offset).expect("write");
            }
        }
        let (lists, near) = left.read_all();
        let mut lost = 0;
        for (got, want) in lists.iter().zip(&expected.0) {
            if got != want {
                assert!(got.0.is_empty() || got.1.is_empty(), "{got:?} for {want:?}");
                lost += 1;
            }
        }
        assert!(lost > 0, "the damage was found");
        assert!(
            near == expected.1 || near.iter().all(Option::is_none),
            "{near:?}"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn an_index_that_does_not_fit_its_library_is_built_again_after_an_edit() {
        let dir = temp("misfit");
        let (roots, path) = cached_content(&dir);
        // A cache whose parts are each whole but whose index is another library's (three
        // items for two): written as Quire writes one, so every checksum holds.
        let library = crate::content::load_library(&roots).expect("load");
        let mut other = library.clone();
        other.items.push(other.items[0].clone());
        write_cache(&roots, &path, &library, &SearchIndex::build(&other));
        // An edit the cache is brought up to date with: the index that does not fit is not
        // used (a search would index past the items), one is built for the library.
        fs::write(dir.join("content/a.md"), "# A\n\nalpha words, edited").expect("write");
        for parts in [Parts::ItemsAndIndex, Parts::LibraryAndIndex] {
            let opened = open(&roots, Some(&path), parts).expect("open");
            let library = opened.library.expect("the library");
            let index = opened.index.expect("an index");
            assert_eq!(index.items_len(), library.items.len(), "{parts:?}");
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn an_item_found_damaged_when_read_is_not_served_and_its_cache_is_removed() {
        use std::os::unix::fs::FileExt;
        let dir = temp("item-damaged");
        let (roots, path) = cached_content(&dir);
        let stored = |path: &Path| {
            list_and_read(&roots, Some(path), Parts::ItemsAndIndex)
                .expect("list")
                .cached
        };
        let FromCache::Fits(Decoded {
            stored: Some(items),
            ..
        }) = stored(&path)
        else {
            panic!("a cache that fits");
        };
        assert_eq!(items.decoded(), 0);
        // The second item's record, damaged once the cache is open: found when it is read.
        // (In place, as a failing disk would: the open file sees it.)
        let flip = |part: usize, offset: u64| {
            let at = CacheFile::open(&path).expect("open").at[part] + offset;
            let file = File::options().read(true).write(true).open(&path);
            let file = file.expect("open");
            let byte = read_vec_at(&file, at, 1).expect("read")[0];
            file.write_at(&[byte ^ 0x20], at).expect("write");
        };
        flip(LIBRARY, u64::from(items.record_at(1)) + 2);
        assert_eq!(items.item(0).title, "A");
        assert!(path.exists(), "nothing damaged was read yet");
        let item = items.item(1);
        assert_eq!(
            (item.id.as_str(), item.title.as_str()),
            ("b", "(unreadable in the load cache)")
        );
        assert!(!path.exists(), "the damaged cache is removed");
        assert!(matches!(stored(&path), FromCache::Missing));

        // A table damaged on disk: the search reads the files instead, and removes the cache.
        let library = crate::content::load_library(&roots).expect("load");
        write_cache(&roots, &path, &library, &SearchIndex::build(&library));
        flip(TABLE, 3);
        assert!(matches!(stored(&path), FromCache::Missing));
        assert!(!path.exists(), "the damaged cache is removed");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_search_that_reads_a_posting_list_damaged_since_the_cache_was_opened_is_told() {
        use std::os::unix::fs::FileExt;
        let dir = temp("list-damaged");
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        // Enough distinct words that the body lists are left in the file (over 16 KB).
        for n in 0..300 {
            let words: Vec<String> = (0..60)
                .map(|w| format!("w{}x{}", n % 7, w * 13 + n))
                .collect();
            let post = format!("# Post {n}\n\ncommon {}\n", words.join(" "));
            fs::write(content.join(format!("p{n}.md")), post).expect("write");
        }
        let roots = vec![Root::Dir(content)];
        let library = crate::content::load_library(&roots).expect("load");
        let path = dir.join("cache.bin");
        write_cache(&roots, &path, &library, &SearchIndex::build(&library));
        let query = crate::search::parse_query("common").expect("query");
        let options = crate::search::SearchOptions {
            meaning: false,
            limit: 1000,
            ..Default::default()
        };
        let search = |opened: &Opened| {
            let items = opened.stored.as_ref().expect("items decoded when wanted");
            let index = opened.index.as_ref().expect("the cached index");
            crate::search::search(index, items, &query, &options)
                .map(|r| r.hits.len())
                .unwrap_or(0)
        };
        let opened = open(&roots, Some(&path), Parts::ItemsAndIndex).expect("open");
        assert_eq!(search(&opened), 300);
        assert!(!opened.damaged());
        // Open again, then the index part damaged on disk (as a failing disk would do it,
        // in place): its lists were checked as they passed, and are checked again when read.
        let opened = open(&roots, Some(&path), Parts::ItemsAndIndex).expect("open");
        let at = CacheFile::open(&path).expect("open").at;
        let file = File::options()
            .read(true)
            .write(true)
            .open(&path)
            .expect("open");
        let mut part = read_vec_at(&file, at[INDEX], at[INDEX + 1] - at[INDEX]).expect("read");
        for byte in part.iter_mut().step_by(50) {
            *byte ^= 0x20;
        }
        file.write_at(&part, at[INDEX]).expect("write");
        assert!(search(&opened) < 300, "the damaged list is not served");
        assert!(
            opened.damaged(),
            "the command is told, and runs again from the files"
        );
        assert!(!path.exists(), "the damaged cache is removed");
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
        let sites = crate::content::site::config_stamps(&roots);
        // Read from the files: a library read from the cache reads its bodies from there.
        let whole = crate::content::load_library(&roots).expect("a library");
        assert!(
            read(&path, all)
                .expect("a hit")
                .fits(&roots, &files, &sites)
        );
        for cut in (0..good.len()).step_by(7).chain([good.len() - 1]) {
            fs::write(&path, &good[..cut]).expect("write");
            assert!(read(&path, all).is_none(), "cut at {cut}");
        }
        for at in (0..good.len()).step_by(5) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            fs::write(&path, &bad).expect("write");
            // Never a panic; a flipped byte is always caught: outside the bodies by the part's
            // checksum when that part is read, in a body by its own when it is read.
            let ids = read(&path, Parts::Ids).filter(|cached| cached.fits(&roots, &files, &sites));
            let hit = read(&path, all).filter(|cached| cached.fits(&roots, &files, &sites));
            let damaged_body = match &hit {
                Some(Cached {
                    decoded:
                        Decoded {
                            library: Some(library),
                            ..
                        },
                    ..
                }) => library
                    .items
                    .iter()
                    .any(|item| item.body.contains("damaged in Quire's load cache")),
                _ => false,
            };
            // Read one by one, as a search reads them, each item is refused with the cache,
            // or found unreadable, or its body found damaged, or read as it was (a byte no
            // search reads: the library part's counts): never served as some other.
            let stored = read(&path, Parts::ItemsAndIndex)
                .filter(|cached| cached.fits(&roots, &files, &sites))
                .and_then(|cached| cached.decoded.read_items())
                .and_then(|decoded| decoded.stored);
            let served_other = stored.as_ref().is_some_and(|items| {
                // What a search reads of every item without decoding it.
                let known = (0..items.len()).all(|i| {
                    let was = &whole.items[i];
                    (items.id(i), items.url(i), items.body_len(i))
                        == (was.id.as_str(), was.url.as_deref(), was.body.len())
                }) && items.categories().len() == whole.categories.len()
                    && items.diagnostics().len() == whole.diagnostics.len();
                !known
                    || (0..items.len()).any(|i| {
                        let (got, was) = (items.item(i), &whole.items[i]);
                        let as_was = (&got.id, got.kind, &got.title, &got.url, got.date)
                            == (&was.id, was.kind, &was.title, &was.url, was.date)
                            && (&got.authors, &got.tags, &got.description, got.category)
                                == (&was.authors, &was.tags, &was.description, was.category)
                            && (&got.source, &*got.body) == (&was.source, &*was.body);
                        !as_was
                            && got.title != "(unreadable in the load cache)"
                            && !got.body.contains("damaged in Quire's load cache")
                    })
            });
            assert!(
                !served_other,
                "flipped at {at}: an item served as some other"
            );
            // The flipped byte is caught by whichever reader reads it (the table only by a
            // search's).
            let caught_by_search = stored.as_ref().is_none_or(|items| {
                (0..items.len()).any(|i| {
                    let got = items.item(i);
                    got.title == "(unreadable in the load cache)"
                        || got.body.contains("damaged in Quire's load cache")
                })
            });
            assert!(
                ids.is_none() || hit.is_none() || damaged_body || caught_by_search,
                "flipped at {at}: served as if whole"
            );
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
        let manifest = Manifest::new(&roots, &files, &crate::content::site::config_stamps(&roots));
        save(&path, &manifest, &fresh, Some(&SearchIndex::build(&fresh))).expect("save");
        assert_eq!(&*library.items[0].body, "# A\n\nalpha words");
        let _ = fs::remove_dir_all(dir);
    }
}
