//! Damage found in a load cache after it was opened and checked: a body, an item's record or
//! a posting list read later that is no longer as written. Everything read from one opened
//! cache (its bodies, its items, the lists a search leaves in it) shares one [`Damage`]: the
//! first damage found removes the file, so that the next command builds it again rather than
//! work around the damage every time, and is remembered, so that a command that served from
//! the cache can tell, and run again from the files before it writes a line.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What an opened cache file found wrong with itself since it was opened.
#[derive(Debug, Default)]
pub struct Damage {
    found: AtomicBool,
    /// The file's path and its identity (device, inode) when it was opened: removed only while
    /// the path still names that file, not a newer cache renamed there since.
    file: Option<(PathBuf, Identity)>,
}

type Identity = (u64, u64);

impl Damage {
    /// The watch of `file`, opened from `path`.
    pub fn of(path: PathBuf, file: &File) -> Arc<Damage> {
        Arc::new(Damage {
            found: AtomicBool::new(false),
            file: identity(file).map(|id| (path, id)),
        })
    }

    /// A watch that removes nothing: of a file that is no cache (a test's), or whose path is
    /// not known.
    pub fn unnamed() -> Arc<Damage> {
        Arc::new(Damage::default())
    }

    /// Damage found: remembered, and the file removed.
    pub fn found(&self) {
        self.found.store(true, Ordering::Relaxed);
        self.remove();
    }

    /// Whether anything read from the file was found damaged.
    pub fn is_found(&self) -> bool {
        self.found.load(Ordering::Relaxed)
    }

    /// Removes the file if its path still names it. Found damaged as the cache was opened,
    /// before anything of it was served: nothing to remember.
    ///
    /// (Between the look at the path and the removal, another process may rename a new cache
    /// there, which is then removed: the system has no "remove if still this file". The cost
    /// is one cache built again, never a damaged one kept.)
    pub fn remove(&self) {
        let Some((path, opened)) = &self.file else {
            return;
        };
        let now = std::fs::metadata(path).ok().and_then(|m| identity_of(&m));
        if now == Some(*opened) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn identity(file: &File) -> Option<Identity> {
    identity_of(&file.metadata().ok()?)
}

#[cfg(unix)]
fn identity_of(metadata: &std::fs::Metadata) -> Option<Identity> {
    use std::os::unix::fs::MetadataExt;
    Some((metadata.dev(), metadata.ino()))
}

/// Elsewhere a file's identity is not known, and nothing is removed.
#[cfg(not(unix))]
fn identity_of(_: &std::fs::Metadata) -> Option<Identity> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_at(name: &str) -> (PathBuf, File) {
        let path = std::env::temp_dir().join(format!("quire-damage-{name}-{}", std::process::id()));
        std::fs::write(&path, b"cache").expect("write");
        let file = File::open(&path).expect("open");
        (path, file)
    }

    #[test]
    #[cfg(unix)]
    fn damage_found_removes_the_file_and_is_remembered() {
        let (path, file) = file_at("found");
        let damage = Damage::of(path.clone(), &file);
        assert!(!damage.is_found());
        damage.found();
        assert!(damage.is_found());
        assert!(!path.exists(), "removed");
    }

    #[test]
    #[cfg(unix)]
    fn a_newer_file_renamed_over_the_damaged_one_is_kept() {
        let (path, file) = file_at("newer");
        let damage = Damage::of(path.clone(), &file);
        let newer = path.with_extension("new");
        std::fs::write(&newer, b"newer cache").expect("write");
        std::fs::rename(&newer, &path).expect("rename");
        damage.found();
        assert!(damage.is_found());
        assert_eq!(std::fs::read(&path).expect("kept"), b"newer cache");
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn removing_at_open_remembers_nothing_and_an_unnamed_watch_removes_nothing() {
        let (path, file) = file_at("open");
        let damage = Damage::of(path.clone(), &file);
        damage.remove();
        assert!(!damage.is_found());
        let (other, _file) = file_at("unnamed");
        let unnamed = Damage::unnamed();
        unnamed.found();
        assert!(unnamed.is_found());
        assert!(other.exists());
        let _ = std::fs::remove_file(other);
        let _ = std::fs::remove_file(path);
    }
}
