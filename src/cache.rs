//! The load cache: the assembled library and its search index, kept between runs in the
//! cache directory, and used when not one file has changed.
//!
//! A cache entry is valid for exactly the files it was made from: the list of (root, path,
//! size, modification time) must match, and the Quire build too. Checking that costs one
//! `stat` per file, against reading and parsing every file and rebuilding the index. Writing
//! is atomic (temp file, fsync, rename); a damaged or stale cache is ignored and replaced.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::atomic_file::{self, folder_of};
use crate::codec::{Reader, Writer};
use crate::content::source::SourceFile;
use crate::content::{Library, Root};
use crate::search::SearchIndex;

const MAGIC: &[u8; 8] = b"QUIRELC1";

/// What the library was built from: every file with its size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    entries: Vec<(String, String, u64, u128)>,
}

impl Manifest {
    pub fn new(roots: &[Root], files: &[SourceFile]) -> Manifest {
        let entries = files
            .iter()
            .map(|f| {
                let root = roots.get(f.root).map(Root::label).unwrap_or_default();
                (
                    root,
                    f.relative.to_string_lossy().into_owned(),
                    f.len,
                    f.modified_ns,
                )
            })
            .collect();
        Manifest { entries }
    }

    fn encode(&self, w: &mut Writer) {
        w.usize(self.entries.len());
        for (root, path, len, modified) in &self.entries {
            w.str(root);
            w.str(path);
            w.u64(*len);
            w.u128(*modified);
        }
    }

    fn matches(&self, r: &mut Reader<'_>) -> bool {
        let Ok(n) = r.len(40) else { return false };
        if n != self.entries.len() {
            return false;
        }
        self.entries.iter().all(|(root, path, len, modified)| {
            r.str().is_ok_and(|s| s == root)
                && r.str().is_ok_and(|s| s == path)
                && r.u64().is_ok_and(|l| l == *len)
                && r.u128().is_ok_and(|m| m == *modified)
        })
    }
}

/// The cache file for a set of roots (one file per distinct set).
pub fn cache_path(roots: &[Root]) -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "quire")?;
    let labels: Vec<String> = roots.iter().map(Root::label).collect();
    let key = fnv(labels.join("\n").as_bytes());
    Some(dirs.cache_dir().join(format!("library-{key:016x}.bin")))
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn build_id() -> String {
    format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
}

/// The cached library and index, if the cache was made from exactly these files.
pub fn load(path: &Path, manifest: &Manifest) -> Option<(Library, SearchIndex)> {
    let bytes = fs::read(path).ok()?;
    let mut r = Reader::new(&bytes);
    if r.bytes().ok()? != MAGIC || r.str().ok()? != build_id() || !manifest.matches(&mut r) {
        return None;
    }
    let library = Library::decode(&mut r).ok()?;
    let index = SearchIndex::decode(&mut r).ok()?;
    (r.is_done() && index_fits(&index, &library)).then_some((library, index))
}

fn index_fits(index: &SearchIndex, library: &Library) -> bool {
    index.items_len() == library.items.len() && index.categories_len() == library.categories.len()
}

/// Writes the cache atomically; errors are for the caller to ignore (a cache is optional).
pub fn save(
    path: &Path,
    manifest: &Manifest,
    library: &Library,
    index: &SearchIndex,
) -> io::Result<()> {
    let mut w = Writer::default();
    w.bytes(MAGIC);
    w.str(&build_id());
    manifest.encode(&mut w);
    library.encode(&mut w);
    index.encode(&mut w);
    fs::create_dir_all(folder_of(path))?;
    // No lock is held, so two Quires saving at once each write their own temp file.
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    atomic_file::replace(path, &temp, &w.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::source::list_files;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_cache_is_used_only_for_the_same_files() {
        let dir = temp("same");
        let content = dir.join("content");
        fs::create_dir_all(&content).expect("dir");
        fs::write(content.join("a.md"), "# A\n\nalpha words").expect("write");
        let roots = vec![Root::Dir(content.clone())];
        let (files, _) = list_files(&roots).expect("list");
        let manifest = Manifest::new(&roots, &files);
        let library = crate::content::load_library(&roots).expect("load");
        let index = SearchIndex::build(&library);
        let path = dir.join("cache.bin");
        save(&path, &manifest, &library, &index).expect("save");

        let (cached, _) = load(&path, &manifest).expect("a hit");
        assert_eq!(cached.items[0].title, "A");

        // A changed file (different size) makes it stale.
        fs::write(content.join("a.md"), "# A\n\nalpha words, more").expect("write");
        let (files, _) = list_files(&roots).expect("list");
        assert!(load(&path, &Manifest::new(&roots, &files)).is_none());
        // So does a damaged file.
        let mut bytes = fs::read(&path).expect("read");
        bytes.truncate(bytes.len() / 2);
        fs::write(&path, bytes).expect("write");
        assert!(load(&path, &manifest).is_none());
        let _ = fs::remove_dir_all(dir);
    }
}
