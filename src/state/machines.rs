//! Read state shared between machines: each machine writes only a file of its own, and every
//! machine reads them all.
//!
//! A data folder synced between a laptop and a desktop (Syncthing, Dropbox, a git repository)
//! used to hold one `state.toml` that both rewrote: the sync kept one machine's file, and the
//! other's marks were gone. Now a folder beside it, `state.d/`, holds a folder per machine,
//! written by that machine alone, and in it files that are never changed once written: a
//! command's marks are a new file, the reader's save a new file holding everything the
//! machine's earlier files held (which it then removes). A sync that copies files both ways,
//! in any order, even one that puts an old copy over a newer file (`rsync -a` run both ways),
//! has nothing to choose between: a file's copies are all the same. Loading merges every
//! file of every machine, the later change of an item winning whichever machine made it. The
//! old `state.toml` is read as one more file and never written again, so nothing in it is
//! lost.
//!
//! The machine's name is made once and kept outside the data folder, in
//! `$XDG_STATE_HOME/quire/machine`, so a data folder copied to another machine does not make
//! the two one.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::store::atomic_file::{self, folder_of};

/// Where the read state of a state location (`--state FILE`, or the data folder's
/// `state.toml`) is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateFiles {
    /// This machine's folder: the only one it writes in.
    pub own: PathBuf,
    /// The state file as it was before (one for all machines): read, never written.
    pub legacy: PathBuf,
    /// The folder of every machine's folder.
    pub dir: PathBuf,
}

impl StateFiles {
    /// The files of the state at `path`. A `state.toml` linked into a synced folder has the
    /// machines' folder beside the file it links to, so it is synced too.
    pub fn of(path: &Path) -> StateFiles {
        StateFiles::for_machine(path, machine())
    }

    pub fn for_machine(path: &Path, machine: &str) -> StateFiles {
        let base = atomic_file::landing(path).unwrap_or_else(|_| path.to_path_buf());
        let stem = base
            .file_stem()
            .map_or_else(|| "state".into(), |s| s.to_string_lossy().into_owned());
        let dir = folder_of(&base).join(format!("{stem}.d"));
        StateFiles {
            own: dir.join(machine),
            legacy: path.to_path_buf(),
            dir,
        }
    }

    /// Every machine's files, this one's too, by name.
    pub fn all(&self) -> Vec<PathBuf> {
        let mut all = Vec::new();
        for machine in folders(&self.dir) {
            all.extend(files(&machine));
        }
        all
    }

    /// This machine's files, by name.
    pub fn own_files(&self) -> Vec<PathBuf> {
        files(&self.own)
    }

    /// A name for a new file of this machine's: its time and process, and a count, so no
    /// two files are ever given one name (no copy of one can stand for another).
    pub fn new_file(&self) -> PathBuf {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        self.own.join(format!(
            "{millis:013}-{}-{}.toml",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ))
    }
}

/// The folders in `dir`, by name (hidden ones left out).
fn folders(dir: &Path) -> Vec<PathBuf> {
    listed(dir, |_, kind| kind.is_dir())
}

/// The state files in `dir`, by name: `*.toml`, not hidden (temp files and locks are), not
/// moved aside.
fn files(dir: &Path) -> Vec<PathBuf> {
    listed(dir, |name, kind| name.ends_with(".toml") && kind.is_file())
}

/// The entries of `dir` that are not hidden and that `keep` takes (by name and type), sorted.
fn listed(dir: &Path, keep: impl Fn(&str, fs::FileType) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            !name.starts_with('.') && entry.file_type().is_ok_and(|kind| keep(&name, kind))
        })
        .map(|entry| entry.path())
        .collect();
    out.sort();
    out
}

/// Where this machine keeps what is its own alone: the reader's place (`None` without a
/// state folder, and in unit tests, which never touch the real one).
pub fn place_folder() -> Option<PathBuf> {
    if cfg!(test) {
        return None;
    }
    directories::ProjectDirs::from("", "", "quire")
        .and_then(|d| d.state_dir().map(Path::to_path_buf))
}

/// This machine's name: made once (its host name and a random part, so two machines of one
/// name stay two) and kept in `$XDG_STATE_HOME/quire/machine`.
pub fn machine() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        // Unit tests never make a file in the real state folder.
        if cfg!(test) {
            return "unit-test".to_string();
        }
        let Some(dir) = directories::ProjectDirs::from("", "", "quire")
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
        else {
            return "this-machine".to_string();
        };
        kept_name(&dir.join("machine")).unwrap_or_else(|_| "this-machine".to_string())
    })
}

/// The name kept in `file`, or a new one written there (by one process: a second that races
/// it reads the first's).
fn kept_name(file: &Path) -> io::Result<String> {
    if let Some(name) = read_name(file) {
        return Ok(name);
    }
    fs::create_dir_all(folder_of(file))?;
    let name = new_name();
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
    {
        Ok(mut out) => {
            out.write_all(format!("{name}\n").as_bytes())?;
            out.sync_all()?;
            Ok(name)
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
            // Another Quire made it first; it may still be writing it.
            for _ in 0..50 {
                if let Some(name) = read_name(file) {
                    return Ok(name);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(io::Error::other("the machine's name file stays empty"))
        }
        Err(err) => Err(err),
    }
}

/// A name as kept: letters, digits, `-` and `_`, at most 64 (it names a file).
fn read_name(file: &Path) -> Option<String> {
    let bytes = crate::writer::read_own(file, 1024).ok()??;
    let name = String::from_utf8(bytes).ok()?;
    let name = name.trim();
    let fits = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    fits.then(|| name.to_string())
}

/// `<host>-<8 hex digits>`: the host name says whose file it is; the random part keeps two
/// machines of one host name (two laptops called `laptop`) apart.
fn new_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    let host = fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    // The standard library's hasher is keyed at random per process.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    let random = hasher.finish() as u32;
    if host.is_empty() {
        format!("machine-{random:08x}")
    } else {
        format!("{host}-{random:08x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("quire-machines-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("dir");
        dir
    }

    #[test]
    fn a_machine_name_is_made_once_and_kept() {
        let dir = temp("name");
        let file = dir.join("quire/machine");
        let first = kept_name(&file).expect("made");
        assert!(read_name(&file).is_some_and(|n| n == first));
        assert_eq!(kept_name(&file).expect("kept"), first);
        // A name that could leave its folder is not taken.
        fs::write(&file, "../../etc\n").expect("write");
        assert_eq!(read_name(&file), None);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn each_machine_writes_in_its_folder_and_reads_every_one() {
        let dir = temp("files");
        let state = dir.join("state.toml");
        let laptop = StateFiles::for_machine(&state, "laptop");
        let desktop = StateFiles::for_machine(&state, "desktop");
        assert_eq!(laptop.own, dir.join("state.d/laptop"));
        let (a, b) = (laptop.new_file(), laptop.new_file());
        assert_ne!(a, b, "never one name twice");
        assert!(a.starts_with(&laptop.own));
        for folder in [&laptop.own, &desktop.own] {
            fs::create_dir_all(folder).expect("dir");
        }
        for (folder, name) in [
            (&laptop.own, "1.toml"),
            (&laptop.own, ".lock"),
            (&laptop.own, ".2.toml.tmp9"),
            (&desktop.own, "1.toml"),
            (&desktop.own, "0.toml.corrupt-1"),
        ] {
            fs::write(folder.join(name), "").expect("write");
        }
        assert_eq!(
            laptop.all(),
            [
                dir.join("state.d/desktop/1.toml"),
                dir.join("state.d/laptop/1.toml")
            ]
        );
        assert_eq!(desktop.own_files(), [dir.join("state.d/desktop/1.toml")]);
        let _ = fs::remove_dir_all(dir);
    }
}
