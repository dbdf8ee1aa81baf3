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
    replace_inner(path, temp, write, |_| true).map(|_| ())
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

/// [`replace`], only if the old file still holds what the caller expects: `still_wanted` is
/// asked, once the new contents are safely on disk, of the old file's path at that moment.
/// Where the system can swap two names atomically (Linux's `RENAME_EXCHANGE`), the new file
/// takes the name first and the old one, set aside, is what is asked: an editor's save landing
/// after any check can then not be overwritten unseen, only swapped back. Otherwise the old
/// file is asked right before the rename. `Ok(false)` when it was not replaced.
pub fn replace_checked(
    path: &Path,
    temp: &Path,
    bytes: &[u8],
    still_wanted: impl FnOnce(&Path) -> bool,
) -> io::Result<bool> {
    replace_inner(path, temp, |file| file.write_all(bytes), still_wanted)
}

fn replace_inner(
    path: &Path,
    temp: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
    still_wanted: impl FnOnce(&Path) -> bool,
) -> io::Result<bool> {
    let mut placed = false;
    let old_mode = fs::metadata(path).ok().map(|m| m.permissions());
    let written = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // The old file's mode from the start (a `chmod 600` state is never readable by
        // others, not even as a temp file), and exactly once written.
        #[cfg(unix)]
        if let Some(mode) = &old_mode {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            options.mode(mode.mode() & 0o7777);
        }
        let mut file = options.open(temp)?;
        write(&mut file)?;
        if let Some(mode) = &old_mode {
            file.set_permissions(mode.clone())?;
        }
        file.sync_all()?;
        drop(file);
        #[cfg(target_os = "linux")]
        if old_mode.is_some() && exchange(temp, path).is_ok() {
            // The new file has the name; the old one is at `temp`.
            if still_wanted(temp) {
                placed = true;
                let _ = fs::remove_file(temp);
                File::open(folder_of(path))?.sync_all()?;
            } else {
                // Swapped back: the old file (the user's edit) keeps its name.
                exchange(temp, path)?;
            }
            return Ok(());
        }
        if !still_wanted(path) {
            return Ok(());
        }
        fs::rename(temp, path)?;
        placed = true;
        File::open(folder_of(path))?.sync_all()
    })();
    if !placed {
        let _ = fs::remove_file(temp);
    }
    written.map(|()| placed)
}

/// Swaps the files at two names at once.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// Where a replacement of `path` lands: `path` itself when it is a regular file or nothing yet;
/// the regular file a symlink (or a chain of them) points to, so a state file or collection
/// the user linked into a synced folder stays linked. Anything else is refused with
/// `InvalidInput`: a link to `/dev/zero` or a FIFO must never be replaced by a file (a trial
/// replaced a device node so).
pub fn landing(path: &Path) -> io::Result<PathBuf> {
    let refused = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file, nor a link to one",
        )
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path.to_path_buf()),
        Err(e) => Err(e),
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = fs::canonicalize(path).map_err(|_| refused())?;
            match fs::metadata(&target) {
                Ok(meta) if meta.is_file() => Ok(target),
                _ => Err(refused()),
            }
        }
        Ok(meta) if meta.is_file() => Ok(path.to_path_buf()),
        Ok(_) => Err(refused()),
    }
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
