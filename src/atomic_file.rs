//! Replacing a file so that a reader, or a crash, sees the old contents or the new, never a
//! part of either.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `temp`, syncs it, renames it over `path` and syncs the folder (the rename
/// is durable only then). `temp` must be in `path`'s folder, so the rename stays on one disk;
/// it is removed if anything fails.
pub fn replace(path: &Path, temp: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, temp, |file| file.write_all(bytes))
}

/// [`replace`] through a temp file of its own beside `path`: hidden (`.name.tmp…`, so no
/// loader or watcher takes it for content) and unique to this process and call, so threads
/// and processes writing the same file at once never share one.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.tmp{}-{n}", std::process::id()));
    replace(path, &temp, bytes)
}

/// [`replace`], with the contents written by `write`: a big file need not be in memory whole.
pub fn replace_with(
    path: &Path,
    temp: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let written = (|| {
        let mut file = File::create(temp)?;
        write(&mut file)?;
        file.sync_all()?;
        fs::rename(temp, path)?;
        File::open(folder_of(path))?.sync_all()
    })();
    if written.is_err() {
        let _ = fs::remove_file(temp);
    }
    written
}

/// The folder `path` is in; `.` for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_contents_and_leaves_no_temp_file() {
        let dir = std::env::temp_dir().join(format!("quire-atomic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("file");
        let temp = dir.join(".file.tmp");
        fs::write(&path, "old").expect("write");
        replace(&path, &temp, b"new").expect("replace");
        assert_eq!(fs::read_to_string(&path).expect("read"), "new");
        assert!(!temp.exists());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file() {
        let dir = std::env::temp_dir().join(format!("quire-atomic-fail-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("file");
        fs::write(&path, "old").expect("write");
        // The temp file's folder does not exist, so nothing can be written.
        let temp = dir.join("missing/.file.tmp");
        assert!(replace(&path, &temp, b"new").is_err());
        assert_eq!(fs::read_to_string(&path).expect("read"), "old");
        let _ = fs::remove_dir_all(dir);
    }
}
