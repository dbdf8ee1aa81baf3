//! Replacing a file so that a reader, or a crash, sees the old contents or the new, never a
//! part of either.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `temp`, syncs it, renames it over `path` and syncs the folder (the rename
/// is durable only then). `temp` must be in `path`'s folder, so the rename stays on one disk;
/// it is removed if anything fails.
pub fn replace(path: &Path, temp: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, temp, |file| file.write_all(bytes))
}

/// [`replace`] through a temp file of its own beside `path` ([`temp_path`]).
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace(path, &temp_path(path), bytes)
}

/// A temp file's path beside `path`: hidden (`.name.tmp…`, so no loader or watcher takes it
/// for content), unique to this process and call (threads and processes writing the same
/// file at once never share one), and short enough for any file system whatever the name's
/// length (a long non-Latin title would otherwise make it over 255 bytes).
pub fn temp_path(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy().into_owned());
    let mut cut = name.len().min(MAX_TEMP_STEM);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    path.with_file_name(format!(
        ".{}{TEMP_MARK}{}-{n}",
        &name[..cut],
        std::process::id()
    ))
}

/// Bytes of the file's own name kept in its temp file's name.
const MAX_TEMP_STEM: usize = 100;
const TEMP_MARK: &str = ".tmp";

/// Whether `name` is a temp file of [`temp_path`]'s whose writer is gone (killed mid-write):
/// its process no longer runs. Where that cannot be told, a temp file is never taken for
/// abandoned.
pub fn is_abandoned_temp(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some(at) = rest.rfind(TEMP_MARK) else {
        return false;
    };
    let Some((pid, n)) = rest[at + TEMP_MARK.len()..].split_once('-') else {
        return false;
    };
    if pid.is_empty() || n.is_empty() || !(pid.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    pid != std::process::id()
        && cfg!(target_os = "linux")
        && !Path::new("/proc").join(pid.to_string()).exists()
}

/// [`replace`], with the contents written by `write`: a big file need not be in memory whole.
pub fn replace_with(
    path: &Path,
    temp: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    replace_inner(path, temp, write, || true)
}

/// [`replace_with`] without waiting for the disk: for a file that is only a copy of what can
/// be made again (the load cache), whose reader checks it whole and ignores a damaged one. A
/// process killed mid-write still leaves the old file or the new one; only a power cut can
/// leave a torn one, which is then rebuilt. The flush cost a command at 10,000 items a third
/// of its time.
pub fn replace_unsynced(
    path: &Path,
    temp: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let written = (|| {
        let mut file = File::create(temp)?;
        write(&mut file)?;
        drop(file);
        fs::rename(temp, path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(temp);
    }
    written
}

/// [`replace`], renaming only if `still_wanted` says so once the new contents are safely on
/// disk, right before the rename (the caller checks the old file was not changed meanwhile);
/// otherwise the temp file goes and the old file stays.
pub fn replace_checked(
    path: &Path,
    temp: &Path,
    bytes: &[u8],
    still_wanted: impl FnOnce() -> bool,
) -> io::Result<()> {
    replace_inner(path, temp, |file| file.write_all(bytes), still_wanted)
}

fn replace_inner(
    path: &Path,
    temp: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
    still_wanted: impl FnOnce() -> bool,
) -> io::Result<()> {
    let mut renamed = false;
    let written = (|| {
        let mut file = File::create(temp)?;
        write(&mut file)?;
        // The old file's mode is kept: a `chmod 600` state or collection stays private.
        if let Ok(old) = fs::metadata(path) {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        if !still_wanted() {
            return Ok(());
        }
        fs::rename(temp, path)?;
        renamed = true;
        File::open(folder_of(path))?.sync_all()
    })();
    if !renamed {
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
    fn temp_names_stay_short_and_only_dead_writers_temps_are_abandoned() {
        let long = "日本語".repeat(40) + ".md";
        let temp = temp_path(Path::new("/lib").join(&long).as_path());
        let name = temp
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(name.len() < 140, "{name}");
        assert!(!is_abandoned_temp(&name), "our own process is alive");
        assert!(!is_abandoned_temp(".notes.md"));
        assert!(!is_abandoned_temp("a.md.tmp1-2"));
        #[cfg(target_os = "linux")]
        assert!(is_abandoned_temp(".a.md.tmp999999999-3"));
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
