//! Every write into the user's library (feed sync, import, subscriptions) goes through here:
//! one advisory lock per library, new files created exclusively, existing files replaced only
//! while they still hold what the writer read, keeping their mode and writing through a
//! symlink to its target.
//!
//! The lock is what makes two writers safe together (the reader's `S` and a cron `quire sync`,
//! two imports): whoever holds it sees the other's files and state as they were left. The
//! re-check before a replace is what keeps a user's edit, made in an editor that knows nothing
//! of the lock, from being overwritten by a write planned before it.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::atomic_file;

/// How long a writer waits for another one to finish before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A new file's name was taken (by another writer, or by the user) meanwhile.
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
    /// The file no longer holds what the writer read: someone edited it meanwhile.
    #[error("{} changed while Quire was writing it; it was left as it is", path.display())]
    Changed { path: PathBuf },
    #[error("cannot write {}: {error}", path.display())]
    Io { path: PathBuf, error: io::Error },
    #[error(
        "{} is not a regular file (nor a link to one); Quire does not write there",
        path.display()
    )]
    NotRegular { path: PathBuf },
    #[error(
        "another Quire has been writing to {} for over {} s (its lock is {}); try again later",
        library.display(),
        LOCK_WAIT.as_secs(),
        lock.display()
    )]
    Busy { library: PathBuf, lock: PathBuf },
}

impl WriteError {
    fn io(path: &Path, error: io::Error) -> WriteError {
        WriteError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// The library's writer lock, held until dropped. Every write into the library is a method
/// of it, so nothing writes there without it.
pub struct LibraryLock {
    _file: File,
    library: PathBuf,
    /// The library's own lock, or one folder's.
    whole: bool,
    /// Folders already swept of temporary files a killed writer left.
    swept: Mutex<HashSet<PathBuf>>,
}

impl std::fmt::Debug for LibraryLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryLock")
            .field("library", &self.library)
            .finish()
    }
}

/// The lock file of a library (or of a folder of it): hidden, so no loader or watcher takes
/// it for content.
pub fn lock_path(scope: &Path) -> PathBuf {
    scope.join(".quire-write.lock")
}

impl LibraryLock {
    /// Takes the library's lock, creating the library folder if needed; waits while another
    /// writer holds it.
    pub fn acquire(library: &Path) -> Result<LibraryLock, WriteError> {
        LibraryLock::acquire_in(library, library)
    }

    /// Takes the lock of one folder of the library (a feed's): writers of other folders go
    /// on meanwhile, each holding its own. Whatever else it writes (the sync state, the
    /// subscriptions, collections) takes the library's lock.
    pub fn acquire_folder(library: &Path, folder: &Path) -> Result<LibraryLock, WriteError> {
        LibraryLock::acquire_in(library, folder)
    }

    fn acquire_in(library: &Path, scope: &Path) -> Result<LibraryLock, WriteError> {
        fs::create_dir_all(scope).map_err(|e| WriteError::io(scope, e))?;
        let path = lock_path(scope);
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        // A FIFO put in its place is refused, not waited on.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            rustix::fs::OFlags::NONBLOCK.bits() as i32,
        );
        let file = options.open(&path).map_err(|e| WriteError::io(&path, e))?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(WriteError::Busy {
                        library: scope.to_path_buf(),
                        lock: path,
                    });
                }
                Err(fs::TryLockError::Error(error)) => return Err(WriteError::io(&path, error)),
            }
        }
        Ok(LibraryLock {
            _file: file,
            library: library.to_path_buf(),
            whole: library == scope,
            swept: Mutex::new(HashSet::new()),
        })
    }

    /// The library's lock again, for a writer that takes it once a page: the folders an
    /// earlier lock of this process swept (see [`LibraryLock::into_swept`]) are not read
    /// again, so a run saving a thousand pages of one site reads that site's folder once.
    pub fn acquire_swept(
        library: &Path,
        swept: HashSet<PathBuf>,
    ) -> Result<LibraryLock, WriteError> {
        let lock = LibraryLock::acquire(library)?;
        *lock.swept.lock().unwrap_or_else(|e| e.into_inner()) = swept;
        Ok(lock)
    }

    /// Lets the lock go, keeping which folders it swept (for [`LibraryLock::acquire_swept`]).
    pub fn into_swept(self) -> HashSet<PathBuf> {
        std::mem::take(&mut *self.swept.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn library(&self) -> &Path {
        &self.library
    }

    /// Whether this is the library's own lock (not one folder's).
    pub fn is_whole_library(&self) -> bool {
        self.whole
    }

    /// Writes a new file at `path` (making its folder if needed); never replaces one
    /// (`Exists` if the name is taken, even by a dangling symlink). The file appears whole or
    /// not at all, and is on disk when this returns.
    pub fn create(&self, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let mut batch = self.batch();
        batch.create(path, bytes)?;
        batch.commit()
    }

    /// A batch of new files made durable together by [`Batch::commit`]: a sync writing 500
    /// posts flushes the disk once, not a thousand times (the flushes, serialised by the lock,
    /// were most of a first sync's time).
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            lock: self,
            created: Vec::new(),
        }
    }

    /// Makes `folder` (once per lock) and sweeps it of a killed writer's temp files.
    fn prepare(&self, folder: &Path) -> Result<(), WriteError> {
        let mut swept = self.swept.lock().unwrap_or_else(|e| e.into_inner());
        if swept.contains(folder) {
            return Ok(());
        }
        fs::create_dir_all(folder).map_err(|e| WriteError::io(folder, e))?;
        for entry in fs::read_dir(folder).into_iter().flatten().flatten() {
            let name = entry.file_name();
            if atomic_file::is_abandoned_temp(&name.to_string_lossy()) {
                let _ = fs::remove_file(entry.path());
            }
        }
        swept.insert(folder.to_path_buf());
        Ok(())
    }

    /// Replaces the file at `path` with `bytes` if it still holds `expected` (checked again
    /// once the new text is on disk, see [`atomic_file::replace_checked`]); `Changed` if not.
    /// Its mode is kept, and a symlink to a regular file is written through: its target is
    /// replaced, the link stays.
    pub fn replace(&self, path: &Path, expected: &[u8], bytes: &[u8]) -> Result<(), WriteError> {
        let target = write_target(path)?;
        self.prepare(atomic_file::folder_of(&target))?;
        let holds_expected = |at: &Path| match read_bounded(at, expected.len()) {
            Ok(now) => now == expected,
            Err(_) => false,
        };
        if !holds_expected(&target) {
            return Err(WriteError::Changed {
                path: path.to_path_buf(),
            });
        }
        let temp = atomic_file::temp_path(&target);
        match atomic_file::replace_checked(&target, &temp, bytes, holds_expected) {
            Ok(true) => Ok(()),
            Ok(false) => Err(WriteError::Changed {
                path: path.to_path_buf(),
            }),
            Err(e) => Err(WriteError::io(path, e)),
        }
    }

    /// Writes a file of Quire's own in the library (the subscription list, the sync state),
    /// whatever it holds now: atomic, its mode kept, a symlink to a regular file written
    /// through.
    pub fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let target = write_target(path)?;
        self.prepare(atomic_file::folder_of(&target))?;
        atomic_file::write(&target, bytes).map_err(|e| WriteError::io(path, e))
    }
}

/// New files written under the lock, made durable together (see [`LibraryLock::batch`]).
/// Until [`Batch::commit`] each is whole on disk as far as any process can see (it appears
/// by an exclusive rename of a finished temp file), but may not yet survive a power cut.
pub struct Batch<'l> {
    lock: &'l LibraryLock,
    created: Vec<PathBuf>,
}

impl Batch<'_> {
    /// Writes a new file at `path`, as [`LibraryLock::create`] does, flushed at `commit`.
    pub fn create(&mut self, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
        let folder = atomic_file::folder_of(path);
        self.lock.prepare(folder)?;
        let temp = atomic_file::temp_path(path);
        let placed = (|| {
            let mut file = File::create(&temp)?;
            file.write_all(bytes)?;
            drop(file);
            place_new(&temp, path)
        })();
        let _ = fs::remove_file(&temp);
        match placed {
            Ok(()) => {
                self.created.push(path.to_path_buf());
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(WriteError::Exists {
                path: path.to_path_buf(),
            }),
            Err(e) => Err(WriteError::io(path, e)),
        }
    }

    /// Makes every file created so far durable (and their folders' entries), at once.
    pub fn commit(mut self) -> Result<(), WriteError> {
        self.flush()
    }

    fn flush(&mut self) -> Result<(), WriteError> {
        let created = std::mem::take(&mut self.created);
        let Some(first) = created.first() else {
            return Ok(());
        };
        // One flush of the file system holding them all, where the system has one.
        #[cfg(target_os = "linux")]
        {
            let folder = atomic_file::folder_of(first);
            if File::open(folder)
                .and_then(|dir| rustix::fs::syncfs(&dir).map_err(io::Error::from))
                .is_ok()
            {
                return Ok(());
            }
        }
        let mut folders = HashSet::new();
        for path in &created {
            File::open(path)
                .and_then(|f| f.sync_all())
                .map_err(|e| WriteError::io(path, e))?;
            folders.insert(atomic_file::folder_of(path).to_path_buf());
        }
        let _ = first;
        for folder in folders {
            sync_folder(&folder).map_err(|e| WriteError::io(&folder, e))?;
        }
        Ok(())
    }
}

impl Drop for Batch<'_> {
    /// A batch dropped on an error path is still flushed: what was created stays.
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// Gives the finished file at `temp` the name `path`, only if no file has it: an exclusive
/// rename where the system has one, else a hard link (created only if the name is free) and
/// the temp name removed by the caller; else, on a file system with neither, the name
/// reserved by an exclusive create and the temp file renamed over it.
fn place_new(temp: &Path, path: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, temp, CWD, path, RenameFlags::NOREPLACE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::EXIST => {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            // Not supported by this file system: the portable ways below.
            Err(_) => {}
        }
    }
    match fs::hard_link(temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        // Neither: the name is reserved by an empty file created exclusively, then the whole
        // temp file renamed over it (a reader sees nothing, or all of it).
        Err(_) => {
            OpenOptions::new().write(true).create_new(true).open(path)?;
            fs::rename(temp, path).inspect_err(|_| {
                let _ = fs::remove_file(path);
            })
        }
    }
}

/// Where a write to `path` lands (see [`atomic_file::landing`]).
fn write_target(path: &Path) -> Result<PathBuf, WriteError> {
    atomic_file::landing(path).map_err(|e| match e.kind() {
        io::ErrorKind::InvalidInput => WriteError::NotRegular {
            path: path.to_path_buf(),
        },
        _ => WriteError::io(path, e),
    })
}

/// The file's bytes, reading at most one more than `expected_len` (enough to tell it differs).
fn read_bounded(path: &Path, expected_len: usize) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::with_capacity(expected_len + 1);
    file.take(expected_len as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a regular file (or a link to one) for reading, without blocking: a FIFO put where
/// a file was listed is refused (`InvalidInput`), not waited on.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        rustix::fs::OFlags::NONBLOCK.bits() as i32,
    );
    let file = options.open(path)?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ))
    }
}

fn sync_folder(folder: &Path) -> io::Result<()> {
    File::open(folder)?.sync_all()
}

/// A file of Quire's own in the library (the subscription list, the sync state), read without
/// blocking: `None` when there is none; an error naming what it is when it is not a regular
/// file (a FIFO named `feeds.opml` would hang every command that reads it) or is bigger than
/// `max`.
pub fn read_own(path: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let file = match open_regular(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::other(format!("bigger than {} MiB", max >> 20)));
    }
    Ok(Some(bytes))
}

/// A file a writer may read before replacing or skipping it: a regular file (or a link to
/// one) no bigger than `max` bytes. FIFOs, devices and folders named `*.md` are not read (a
/// FIFO would block a sync forever, `/dev/zero` fill memory).
pub fn read_regular(path: &Path, max: u64) -> Option<Vec<u8>> {
    let file = open_regular(path).ok()?;
    let len = file.metadata().ok()?.len();
    if len > max {
        return None;
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= max).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-writer-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn a_lock_taken_again_with_what_was_swept_does_not_sweep_again() {
        let dir = temp_dir("swept");
        let folder = dir.join("site");
        fs::create_dir_all(&folder).expect("folder");
        // A temp file of a writer long gone (pid 4,000,000 runs nowhere).
        let abandoned = |n: u32| folder.join(format!(".page.md.tmp4000000-{n}"));
        fs::write(abandoned(1), "half").expect("temp");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        lock.create(&folder.join("a.md"), b"a").expect("create");
        assert!(!abandoned(1).exists(), "swept by the first lock");
        let swept = lock.into_swept();
        assert!(swept.contains(&folder), "{swept:?}");
        fs::write(abandoned(2), "half").expect("temp");
        let again = LibraryLock::acquire_swept(&dir, swept).expect("lock");
        again.create(&folder.join("b.md"), b"b").expect("create");
        assert!(abandoned(2).exists(), "the folder is not read again");
        drop(again);
        let fresh = LibraryLock::acquire(&dir).expect("lock");
        fresh.create(&folder.join("c.md"), b"c").expect("create");
        assert!(!abandoned(2).exists(), "a lock of its own sweeps");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_new_file_never_replaces_one_that_exists() {
        let dir = temp_dir("create");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        let path = dir.join("a.md");
        lock.create(&path, b"first").expect("created");
        assert!(matches!(
            lock.create(&path, b"second"),
            Err(WriteError::Exists { .. })
        ));
        assert_eq!(fs::read(&path).expect("read"), b"first");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_file_edited_meanwhile_is_not_replaced() {
        let dir = temp_dir("replace");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        let path = dir.join("a.md");
        fs::write(&path, "as written").expect("write");
        fs::write(&path, "the user's edit").expect("edit");
        assert!(matches!(
            lock.replace(&path, b"as written", b"new"),
            Err(WriteError::Changed { .. })
        ));
        assert_eq!(fs::read(&path).expect("read"), b"the user's edit");
        lock.replace(&path, b"the user's edit", b"new")
            .expect("replaced");
        assert_eq!(fs::read(&path).expect("read"), b"new");
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_replace_keeps_the_mode_and_writes_through_a_symlink() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        let real = dir.join("real.md");
        fs::write(&real, "old").expect("write");
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = dir.join("link.md");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        lock.replace(&link, b"old", b"new").expect("replaced");
        assert!(
            fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&real).expect("read"), b"new");
        let mode = fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_second_writer_waits_for_the_first() {
        let dir = temp_dir("lock");
        let first = LibraryLock::acquire(&dir).expect("lock");
        let (tx, rx) = std::sync::mpsc::channel();
        let dir2 = dir.clone();
        let waiter = std::thread::spawn(move || {
            let _second = LibraryLock::acquire(&dir2).expect("lock");
            tx.send(()).expect("send");
        });
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        drop(first);
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the second writer got the lock");
        waiter.join().expect("joined");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn temporary_files_of_a_killed_writer_are_swept() {
        let dir = temp_dir("sweep");
        let stale = dir.join(".a.md.tmp999999999-0");
        fs::write(&stale, "half").expect("write");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        lock.create(&dir.join("b.md"), b"b").expect("created");
        assert!(!stale.exists());
        let _ = fs::remove_dir_all(dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_never_read() {
        let dir = temp_dir("fifo");
        let fifo = dir.join("x.md");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        assert!(read_regular(&fifo, 1024).is_none());
        assert!(read_regular(Path::new("/dev/zero"), 1024).is_none());
        let _ = fs::remove_dir_all(dir);
    }
}
