//! The state file: loaded leniently, saved atomically, merged under a lock.
//!
//! Saving takes an exclusive lock on `<file>.lock`, merges with what is on disk (another Quire
//! may have saved since), writes a temporary file in the same folder, fsyncs it, renames it
//! over the old one and fsyncs the folder. Killed at any moment, the file holds the old state
//! or the new one, never a mix. A file that cannot be read is moved aside, never overwritten.

use std::fmt::Write as _;
use std::fs::{self, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::machines::StateFiles;
use super::read_state::ReadState;
use super::timestamp::Timestamp;
use crate::store::atomic_file::{self, folder_of};

/// The format this Quire writes. Files with a higher `version` are refused, not rewritten.
pub const FORMAT_VERSION: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(
        "{path} was written by a newer Quire (state format {found}; this one reads {FORMAT_VERSION}); \
         it is left untouched. Upgrade Quire, or pass --state FILE to use another file"
    )]
    NewerVersion { path: PathBuf, found: i64 },
    // The io errors are part of the messages, not `source`s: a report that prints the
    // chain would say them twice.
    #[error("cannot save to {path}: {error}")]
    Io { path: PathBuf, error: io::Error },
    #[error(
        "{path} is not a regular file (a folder, a device or a FIFO); the state must be a file \
         of its own: give --state a file's path"
    )]
    NotAFile { path: PathBuf },
    #[error(
        "{path} cannot be read ({reason}) and cannot be moved aside ({error}); not touching it"
    )]
    Stuck {
        path: PathBuf,
        reason: String,
        error: io::Error,
    },
}

/// A loaded value (read state, place), with a warning to show when the old file had to be
/// moved aside.
#[derive(Debug)]
pub struct Loaded<T> {
    pub state: T,
    pub warning: Option<String>,
}

pub type LoadedState = Loaded<ReadState>;

/// Why a file's text is not a usable state.
#[derive(Debug)]
pub enum Unusable {
    Corrupt(String),
    Newer(i64),
}

/// What is kept in a file of the data dir and saved through [`save_since`]: read marks, the
/// reader's place. One way to save them all: lock, merge with what is on disk, atomic write.
pub trait Stored: Clone + Default {
    /// What the file holds, for messages ("the read state").
    const WHAT: &'static str;
    /// What starting without it means ("Quire starts with no items read").
    const FRESH: &'static str;
    /// The value in a file's text, and how many entries had to be skipped.
    fn parse(text: &str) -> Result<(Self, usize), Unusable>;
    fn serialize(&self) -> String;
    /// Takes what another process saved meanwhile, where it is newer.
    fn merge_from(&mut self, on_disk: &Self);
    /// Saves `value` for `path` (see [`save_since`], what most values do), returning the
    /// value merged with what was saved meanwhile.
    fn save_to(
        path: &Path,
        value: &Self,
        last: Option<Stamp>,
    ) -> Result<(Self, Option<Stamp>), StateError> {
        save_since(path, value, last)
    }
}

impl Stored for ReadState {
    const WHAT: &'static str = "the read state";
    const FRESH: &'static str = "Quire starts with no items read";

    fn parse(text: &str) -> Result<(Self, usize), Unusable> {
        parse_state(text)
    }

    fn serialize(&self) -> String {
        serialize_state(self)
    }

    fn merge_from(&mut self, on_disk: &Self) {
        self.merge(on_disk);
    }

    /// The reader's save: everything it holds, as one new file of this machine's that
    /// takes the place of the machine's earlier ones (see `machines`).
    fn save_to(
        path: &Path,
        value: &Self,
        _last: Option<Stamp>,
    ) -> Result<(Self, Option<Stamp>), StateError> {
        save_machine(&StateFiles::of(path), value, true).map(|merged| (merged, None))
    }
}

/// The TOML table of a file's text, with its `version` checked.
pub fn parse_versioned(text: &str) -> Result<Table, Unusable> {
    let table: Table = text.parse().map_err(|err: toml::de::Error| {
        let line = err.span().map(|s| crate::text::line_of(text, s.start));
        match line {
            Some(line) => Unusable::Corrupt(format!("line {line}: {}", err.message().trim())),
            None => Unusable::Corrupt(err.message().trim().to_string()),
        }
    })?;
    match table.get("version") {
        None => {}
        Some(Value::Integer(v)) if *v > FORMAT_VERSION => return Err(Unusable::Newer(*v)),
        Some(Value::Integer(_)) => {}
        Some(_) => return Err(Unusable::Corrupt("`version` is not a number".into())),
    }
    Ok(table)
}

/// Loads the state at `path`: this machine's file, the file all machines shared before, and
/// every other machine's file (see `machines`), merged. Missing is empty; this machine's file
/// or the shared one corrupt or unreadable is moved aside to `<file>.corrupt-<time>` with a
/// warning; a newer format is an error. Another machine's file is only ever read.
pub fn load_state(path: &Path) -> Result<LoadedState, StateError> {
    load_machines(&StateFiles::of(path), load::<ReadState>)
}

/// [`load_state`] of the files given (another machine's view, in tests and benchmarks).
pub fn load_state_of(files: &StateFiles) -> Result<LoadedState, StateError> {
    load_machines(files, load::<ReadState>)
}

/// [`load_state`] for a command that only reads: no file is moved aside (see
/// [`load_untouched`]).
pub fn load_state_untouched(path: &Path) -> Result<LoadedState, StateError> {
    load_machines(&StateFiles::of(path), load_untouched::<ReadState>)
}

fn load_machines(
    files: &StateFiles,
    load_shared: fn(&Path) -> Result<LoadedState, StateError>,
) -> Result<LoadedState, StateError> {
    // The shared file first: a path that is no file is refused before anything else.
    let mut all = load_shared(&files.legacy)?;
    let mut warnings: Vec<String> = all.warning.take().into_iter().collect();
    // The machines' files are read and parsed on two threads, half each (a status bar's
    // `quire unread` reads them all every few seconds).
    let machine_files = files.all();
    let (first, second) = machine_files.split_at(machine_files.len() / 2);
    let read_all = |files: &[PathBuf]| -> Vec<Result<LoadedState, StateError>> {
        files
            .iter()
            .map(|f| load_untouched::<ReadState>(f))
            .collect()
    };
    let loaded: Vec<Result<LoadedState, StateError>> = std::thread::scope(|scope| {
        let later = scope.spawn(|| read_all(second));
        let mut loaded = read_all(first);
        match later.join() {
            Ok(later) => loaded.extend(later),
            Err(_) => loaded.extend(second.iter().map(|path| {
                Err(StateError::Io {
                    path: path.clone(),
                    error: io::Error::other("reading it failed"),
                })
            })),
        }
        loaded
    });
    for theirs in loaded {
        match theirs {
            Ok(theirs) => {
                warnings.extend(theirs.warning);
                all.state.absorb(theirs.state);
            }
            // A newer Quire on another machine: its marks wait for this one's upgrade.
            Err(err) => warnings.push(format!("{err}; its marks are not read")),
        }
    }
    all.warning = (!warnings.is_empty()).then(|| warnings.join("\n"));
    Ok(all)
}

/// Loads what `path` holds: missing is empty; corrupt or unreadable is moved aside to
/// `<file>.corrupt-<time>` with a warning; a newer format is an error.
pub fn load<T: Stored>(path: &Path) -> Result<Loaded<T>, StateError> {
    let text = match read_file(path)? {
        Ok(Some(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return move_aside(path, "it is not valid UTF-8".into()),
        },
        Ok(None) => {
            return Ok(Loaded {
                state: T::default(),
                warning: None,
            });
        }
        Err(err) => return move_aside(path, err.to_string()),
    };
    match T::parse(&text) {
        Ok((state, skipped)) => {
            let warning = (skipped > 0).then(|| {
                format!(
                    "{}: {skipped} entries were not `id = date-time` and were skipped",
                    path.display()
                )
            });
            Ok(Loaded { state, warning })
        }
        Err(Unusable::Newer(found)) => Err(StateError::NewerVersion {
            path: path.to_path_buf(),
            found,
        }),
        Err(Unusable::Corrupt(reason)) => move_aside(path, reason),
    }
}

/// Loads what `path` holds for a command that only reads: a file that cannot be read is left
/// exactly where and as it is (a status bar's `quire unread` must never move a hand-edited
/// file aside), with a warning; the reader or a command that marks items moves it aside.
pub fn load_untouched<T: Stored>(path: &Path) -> Result<Loaded<T>, StateError> {
    let unreadable = |reason: String| Loaded {
        state: T::default(),
        warning: Some(format!(
            "{} in {} cannot be read ({reason}); it is left as it is, and this command counts \
             nothing as read",
            T::WHAT,
            path.display(),
        )),
    };
    let text = match read_file(path) {
        Ok(Ok(Some(bytes))) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return Ok(unreadable("it is not valid UTF-8".into())),
        },
        Ok(Ok(None)) => {
            return Ok(Loaded {
                state: T::default(),
                warning: None,
            });
        }
        Ok(Err(err)) => return Ok(unreadable(err.to_string())),
        Err(_) => return Ok(unreadable("it is not a regular file".into())),
    };
    match T::parse(&text) {
        Ok((state, _)) => Ok(Loaded {
            state,
            warning: None,
        }),
        Err(Unusable::Newer(found)) => Err(StateError::NewerVersion {
            path: path.to_path_buf(),
            found,
        }),
        Err(Unusable::Corrupt(reason)) => Ok(unreadable(reason)),
    }
}

/// The state file's bytes, `None` when there is none; never blocking on a FIFO, never more
/// than [`MAX_STATE_BYTES`] (a link to `/dev/zero` took 2 GB). A path that is not a regular
/// file is refused outright (the outer error): it is never moved aside, so `--state /tmp`
/// cannot move a folder away.
fn read_file(path: &Path) -> Result<io::Result<Option<Vec<u8>>>, StateError> {
    match crate::writer::read_own(path, MAX_STATE_BYTES) {
        Err(err) if err.kind() == io::ErrorKind::InvalidInput => Err(StateError::NotAFile {
            path: path.to_path_buf(),
        }),
        other => Ok(other),
    }
}

/// 50,000 marks are some 4 MB.
const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;

fn move_aside<T: Stored>(path: &Path, reason: String) -> Result<Loaded<T>, StateError> {
    let aside = aside_path(path);
    match fs::rename(path, &aside) {
        // Another Quire moved it aside first (two marking commands at once).
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Loaded {
            state: T::default(),
            warning: Some(format!(
                "{} in {} could not be read ({reason}); another Quire moved it aside, and {}",
                T::WHAT,
                path.display(),
                T::FRESH,
            )),
        }),
        Ok(()) => Ok(Loaded {
            state: T::default(),
            warning: Some(format!(
                "{} in {} could not be read ({reason}); it was moved to {} and {}",
                T::WHAT,
                path.display(),
                aside.display(),
                T::FRESH,
            )),
        }),
        Err(error) => Err(StateError::Stuck {
            path: path.to_path_buf(),
            reason,
            error,
        }),
    }
}

fn aside_path(path: &Path) -> PathBuf {
    let stamp = Timestamp::now().to_string().replace(':', "-");
    let name = path
        .file_name()
        .map_or_else(|| "state.toml".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}.corrupt-{stamp}"))
}

/// Parses a state file's text; the count is of entries skipped for having the wrong type.
fn parse_state(text: &str) -> Result<(ReadState, usize), Unusable> {
    // Highlights come last, as tables: the marks before them are read line by line, the
    // highlights (a few, and free text) by the TOML parser.
    let (marks, highlights) = match text.find("\n[highlights.") {
        Some(at) => (&text[..=at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let Some(mut state) = parse_as_written(marks) else {
        return parse_toml_state(text);
    };
    let mut skipped = 0;
    if let Some(highlights) = highlights {
        match highlights.parse::<Table>() {
            Ok(table) => read_highlights(&table, &mut state, &mut skipped)?,
            Err(_) => return parse_toml_state(text),
        }
    }
    Ok((state, skipped))
}

/// The `highlights` table's records into `state`; a record missing what it needs is skipped
/// (and counted).
fn read_highlights(
    table: &Table,
    state: &mut ReadState,
    skipped: &mut usize,
) -> Result<(), Unusable> {
    let entries = match table.get("highlights") {
        None => return Ok(()),
        Some(Value::Table(entries)) => entries,
        Some(_) => return Err(Unusable::Corrupt("`highlights` is not a table".into())),
    };
    for (id, record) in entries {
        let Some(record) = record.as_table() else {
            *skipped += 1;
            continue;
        };
        let text = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_string);
        let time = |key: &str| match record.get(key) {
            Some(Value::Datetime(dt)) => Timestamp::from_toml(dt),
            _ => None,
        };
        let (Some(item), Some(quote), Some(created)) =
            (text("item"), text("quote"), time("created"))
        else {
            *skipped += 1;
            continue;
        };
        state.put_highlight(
            id.clone(),
            super::highlights::Highlight {
                item,
                quote,
                prefix: text("prefix").unwrap_or_default(),
                suffix: text("suffix").unwrap_or_default(),
                note: text("note"),
                created,
                at: time("at").unwrap_or(created),
                removed: record.get("removed").and_then(Value::as_bool) == Some(true),
            },
        );
    }
    Ok(())
}

/// [`parse_state`] by the TOML parser: any file a person may have edited.
fn parse_toml_state(text: &str) -> Result<(ReadState, usize), Unusable> {
    let table = parse_versioned(text)?;
    let mut state = ReadState::new();
    let mut skipped = 0;
    for (section, on) in [
        ("read", true),
        ("unread", false),
        ("starred", true),
        ("unstarred", false),
    ] {
        let star = section.ends_with("starred");
        let entries = match table.get(section) {
            None => continue,
            Some(Value::Table(entries)) => entries,
            Some(_) => return Err(Unusable::Corrupt(format!("`{section}` is not a table"))),
        };
        for (id, value) in entries {
            match value {
                Value::Datetime(dt) => match Timestamp::from_toml(dt) {
                    Some(at) if star => {
                        state.set_star(id, on, at);
                    }
                    Some(at) => {
                        state.set(id, on, at);
                    }
                    None => skipped += 1,
                },
                _ => skipped += 1,
            }
        }
    }
    read_highlights(&table, &mut state, &mut skipped)?;
    Ok((state, skipped))
}

/// Reads a file exactly as [`serialize_state`] writes it, line by line; `None` for anything
/// else (a hand edit, another version), which the TOML parser then reads with all its rules.
/// A status bar runs `quire unread` every few seconds: TOML took ~100 ms for 50,000 marks,
/// this takes a few.
fn parse_as_written(text: &str) -> Option<ReadState> {
    const SECTIONS: [&str; 4] = ["read", "unread", "starred", "unstarred"];
    let mut state = ReadState::new();
    let mut section: Option<usize> = None;
    let mut version_seen = false;
    // Marks made together share a time, written alike: parsed once.
    let mut last: Option<(&str, Timestamp)> = None;
    for line in text.lines() {
        if line.is_empty() || (line.starts_with('#') && section.is_none()) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            // Each section at most once, in the order they are written.
            let at = SECTIONS.iter().position(|s| *s == name)?;
            if section.is_some_and(|current| at <= current) {
                return None;
            }
            section = Some(at);
            continue;
        }
        let Some(at) = section else {
            let version = line.strip_prefix("version = ")?.parse::<i64>().ok()?;
            if version_seen || version != FORMAT_VERSION {
                return None;
            }
            version_seen = true;
            continue;
        };
        let (key, value) = line.strip_prefix('"')?.split_once("\" = ")?;
        if key.contains(['"', '\\']) || key.chars().any(char::is_control) {
            return None;
        }
        let when = match last {
            Some((text, when)) if text == value => when,
            _ => {
                let parsed = value.parse::<toml::value::Datetime>().ok()?;
                let when = Timestamp::from_toml(&parsed)?;
                last = Some((value, when));
                when
            }
        };
        let on = at % 2 == 0;
        // A key twice in one table is an error to TOML: leave it to say so. (One in both
        // `read` and `unread` is not: the later table wins, as below.)
        let before = if at < 2 {
            state.set(key, on, when)
        } else {
            state.set_star(key, on, when)
        };
        if before.is_some_and(|mark| mark.read == on) {
            return None;
        }
    }
    version_seen.then_some(state)
}

/// The file's text for `state`.
pub fn serialize_state(state: &ReadState) -> String {
    let marks = state.sorted();
    let mut out = String::with_capacity(64 * marks.len() + 512);
    out.push_str(
        "# Quire's read state. Keys are item ids (`quire list` prints them); values are when the\n\
         # item was marked. Quire never changes this file once written (it writes new ones);\n\
         # edit it only while Quire is closed.\n",
    );
    let _ = writeln!(out, "version = {FORMAT_VERSION}");
    let stars = state.sorted_stars();
    for (section, list, read) in [
        ("read", &marks, true),
        ("unread", &marks, false),
        ("starred", &stars, true),
        ("unstarred", &stars, false),
    ] {
        // Files without stars keep the two sections they always had.
        if section.ends_with("starred") && stars.is_empty() {
            continue;
        }
        let _ = write!(out, "\n[{section}]\n");
        // Marks made together (M marks a whole category) share a time: format it once.
        let mut last: Option<(Timestamp, String)> = None;
        for (id, mark) in list.iter().filter(|(_, m)| m.read == read) {
            push_key(&mut out, id);
            out.push_str(" = ");
            match &last {
                Some((at, text)) if *at == mark.at => out.push_str(text),
                _ => {
                    let text = mark.at.to_string();
                    out.push_str(&text);
                    last = Some((mark.at, text));
                }
            }
            out.push('\n');
        }
    }
    for (id, h) in state.sorted_highlights() {
        out.push_str("\n[highlights.");
        push_key(&mut out, id);
        out.push_str("]\n");
        for (key, value) in [
            ("item", Some(&h.item)),
            ("quote", Some(&h.quote)),
            ("prefix", Some(&h.prefix)),
            ("suffix", Some(&h.suffix)),
            ("note", h.note.as_ref()),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "{key} = {}", Value::String(value.clone()));
            }
        }
        let _ = writeln!(out, "created = {}", h.created);
        let _ = writeln!(out, "at = {}", h.at);
        if h.removed {
            out.push_str("removed = true\n");
        }
    }
    out
}

fn push_key(out: &mut String, id: &str) {
    out.push('"');
    if !id.contains(['"', '\\']) && !id.chars().any(char::is_control) {
        out.push_str(id);
        out.push('"');
        return;
    }
    for c in id.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Saves `state` (a command's changes) for the state at `path`: a new file of this machine's
/// (see `machines`). Returns what was written.
pub fn save_state(path: &Path, state: &ReadState) -> Result<ReadState, StateError> {
    save_machine(&StateFiles::of(path), state, false)
}

/// [`save_state`] into the files given (as another machine, in tests and benchmarks).
pub fn save_state_of(files: &StateFiles, state: &ReadState) -> Result<ReadState, StateError> {
    save_machine(files, state, false)
}

/// A machine's files beyond this many are merged into one at its next save.
const MAX_OWN_FILES: usize = 16;

/// Writes `state` as a new file of this machine's, under its lock. With `whole` (the reader's
/// save), or when the machine has many files, the machine's files are merged into it first
/// and removed once it is written: the new file holds all they held. Returns what was
/// written. A damaged file of the machine's own is moved aside, never merged or removed; one
/// of a newer format stops the save.
fn save_machine(
    files: &StateFiles,
    state: &ReadState,
    whole: bool,
) -> Result<ReadState, StateError> {
    let path = &files.legacy;
    // A path that is no file was refused before machines had files, and still is.
    if fs::symlink_metadata(path).is_ok() && atomic_file::landing(path).is_err() {
        return Err(StateError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let io_err = |error: io::Error| StateError::Io {
        path: files.own.clone(),
        error,
    };
    fs::create_dir_all(&files.own).map_err(io_err)?;
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(files.own.join(".lock"))
        .map_err(io_err)?;
    lock.lock().map_err(io_err)?;
    // Every writer holds the lock while its temp file exists: one found now was left by a
    // writer killed mid-save.
    if let Ok(entries) = fs::read_dir(&files.own) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    let existing = files.own_files();
    let mut merged = state.clone();
    let mut merged_files = Vec::new();
    if whole || existing.len() >= MAX_OWN_FILES {
        for file in &existing {
            match read_file(file)? {
                Ok(Some(bytes)) => {
                    if let Some(on_disk) = taken_from_disk::<ReadState>(file, bytes)? {
                        merged.merge(&on_disk);
                        merged_files.push(file);
                    }
                }
                Ok(None) => {}
                Err(err) => {
                    move_aside::<ReadState>(file, err.to_string())?;
                }
            }
        }
    }
    let new = files.new_file();
    let temp = with_suffix(&new, ".tmp");
    atomic_file::replace(&new, &temp, serialize_state(&merged).as_bytes()).map_err(io_err)?;
    // The machine's files keep the mode its last one had (a user's `chmod 600`).
    if let Some(mode) = existing.last().and_then(|f| fs::metadata(f).ok()) {
        let _ = fs::set_permissions(&new, mode.permissions());
    }
    for file in merged_files {
        let _ = fs::remove_file(file);
    }
    drop(lock);
    Ok(merged)
}

/// What a state file looked like right after we wrote it. If it still looks the same at the
/// next save, nobody else wrote it meanwhile, and reading it back (the slow part with 100k
/// ids) is skipped: our state already holds everything in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let meta = fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            inode,
        })
    }
}

/// Saves `value` to `path` merged with what is on disk, for a writer that saves again and
/// again: `last` is the stamp of its own previous save. Returns the merged value and the new
/// stamp.
pub fn save_since<T: Stored>(
    path: &Path,
    value: &T,
    last: Option<Stamp>,
) -> Result<(T, Option<Stamp>), StateError> {
    let io_err = |error: io::Error| StateError::Io {
        path: path.to_path_buf(),
        error,
    };
    fs::create_dir_all(folder_of(path)).map_err(io_err)?;
    // Refused before anything is made beside it.
    if fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(StateError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(with_suffix(path, ".lock"))
        .map_err(io_err)?;
    lock.lock().map_err(io_err)?;

    let mut merged = value.clone();
    let untouched = last.is_some() && Stamp::of(path) == last;
    let on_disk = if untouched {
        Ok(None)
    } else {
        read_file(path)?
    };
    match on_disk {
        Ok(Some(bytes)) => {
            if let Some(on_disk) = taken_from_disk::<T>(path, bytes)? {
                merged.merge_from(&on_disk);
            }
        }
        Ok(None) => {}
        Err(err) => return Err(io_err(err)),
    }

    // A state file linked into a synced folder is written through the link.
    let target = atomic_file::landing(path).map_err(io_err)?;
    let temp = with_suffix(&target, ".tmp");
    let text = merged.serialize();
    atomic_file::replace(&target, &temp, text.as_bytes()).map_err(io_err)?;
    let stamp = Stamp::of(path);
    drop(lock);
    Ok((merged, stamp))
}

/// What a file about to be saved over (or merged into a save) holds: its value; `None` when
/// it is damaged, and then moved aside (someone broke it while we ran: kept for them, ours
/// written); an error when a newer Quire wrote it.
fn taken_from_disk<T: Stored>(path: &Path, bytes: Vec<u8>) -> Result<Option<T>, StateError> {
    let parsed = String::from_utf8(bytes)
        .map_err(|_| Unusable::Corrupt("not UTF-8".into()))
        .and_then(|text| T::parse(&text));
    match parsed {
        Ok((value, _)) => Ok(Some(value)),
        Err(Unusable::Newer(found)) => Err(StateError::NewerVersion {
            path: path.to_path_buf(),
            found,
        }),
        Err(Unusable::Corrupt(reason)) => {
            move_aside::<T>(path, reason)?;
            Ok(None)
        }
    }
}

/// `dir/.state.toml.lock` for `dir/state.toml`: hidden, beside the file, on the same disk.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "state.toml".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-state-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn saves_and_loads_back() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("state.toml");
        let mut state = ReadState::new();
        state.set("blog/a", true, Timestamp(1_000));
        state.set("weird \"id\"\\x", true, Timestamp(2_000));
        state.set("blog/b", false, Timestamp(3_000));
        state.set_star("blog/a", true, Timestamp(4_000));
        state.set_star("blog/c", false, Timestamp(5_000));
        save_state(&path, &state).expect("save");
        let loaded = load_state(&path).expect("load");
        assert_eq!(loaded.state, state);
        assert!(loaded.state.is_starred("blog/a") && !loaded.state.is_starred("blog/c"));
        assert!(loaded.warning.is_none());
        assert!(!dir.join(".state.toml.tmp").exists(), "no temp file left");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn the_quick_reader_agrees_with_toml_or_leaves_the_file_to_it() {
        let mut state = ReadState::new();
        for i in 0..200u64 {
            let id = format!("blog/post-{i}");
            state.set(
                &id,
                i % 3 != 0,
                Timestamp(1_700_000_000_000 + (i / 7) * 1_234),
            );
            if i % 5 == 0 {
                state.set_star(&id, i % 10 == 0, Timestamp(1_700_000_000_000 + i));
            }
        }
        state.set("weird \"id\"\\x", true, Timestamp(2_000));
        let written = serialize_state(&state);
        // What Quire writes is read by the quick reader, to the same state as TOML's.
        assert!(
            parse_as_written(&written).is_none(),
            "an escaped key is left to TOML"
        );
        state.set("weird \"id\"\\x", false, Timestamp(2_000));
        let mut plain = ReadState::new();
        for (id, mark) in state.sorted() {
            if !id.contains('"') {
                plain.set(id, mark.read, mark.at);
            }
        }
        for (id, mark) in state.sorted_stars() {
            plain.set_star(id, mark.read, mark.at);
        }
        let written = serialize_state(&plain);
        let quick = parse_as_written(&written).expect("read quickly");
        assert_eq!(quick, plain);
        assert_eq!(parse_toml_state(&written).expect("toml").0, plain);
        // Windows line ends (an editor's save) read the same both ways.
        let crlf = written.replace('\n', "\r\n");
        assert_eq!(parse_as_written(&crlf).expect("read quickly"), plain);
        assert_eq!(parse_toml_state(&crlf).expect("toml").0, plain);

        // Anything else goes to TOML, which says what is wrong or reads it by its rules.
        for (n, edited) in [
            written.replace("version = 1", "version = 2"),
            written.replace("[unread]", "[unread] # hand edit"),
            written.replacen("\n\"blog/post-1\"", "\n  \"blog/post-1\"", 1),
            format!("{written}\n[read]\n\"x\" = 2024-01-01T00:00:00Z\n"),
            written.replacen(
                "[read]\n",
                "[read]\n\"blog/post-1\" = 2024-01-01T00:00:00Z\n",
                1,
            ),
        ]
        .iter()
        .enumerate()
        {
            assert!(parse_as_written(edited).is_none(), "edit {n}");
        }
        let hand = "version = 1\n[read]\n\"a\" = 2024-01-01T00:00:00Z # read on a train\n";
        assert!(parse_as_written(hand).is_none());
        assert!(parse_state(hand).expect("toml reads it").0.is_read("a"));
    }

    #[test]
    fn highlights_are_written_and_read_back_with_the_marks() {
        use crate::state::Highlight;
        let mut state = ReadState::new();
        for i in 0..300 {
            state.set(&format!("item/{i}"), i % 2 == 0, Timestamp(1_000 + i));
        }
        state.set_star("item/1", true, Timestamp(5_000));
        let text =
            "Before. A \"quoted\" passage\nover two lines, with 'both' quotes and \\ and é. After.";
        let start = text.find("A \"").unwrap();
        let end = text.find(". After").unwrap();
        let h = Highlight::new(
            "item/1",
            text,
            start..end,
            Some("a note\nof two lines".into()),
            Timestamp(7),
        );
        state.put_highlight(h.id(), h.clone());
        let mut removed = Highlight::new("item/2", text, 0..7, None, Timestamp(8));
        let removed_id = removed.id();
        removed.removed = true;
        removed.at = Timestamp(9);
        state.put_highlight(removed_id.clone(), removed);
        let written = serialize_state(&state);
        let (back, skipped) = parse_state(&written).expect("reads back");
        assert_eq!(skipped, 0);
        assert_eq!(back, state);
        // The marks are still read line by line; the highlights by the TOML parser.
        let marks_only = &written[..written.find("\n[highlights.").unwrap() + 1];
        assert!(parse_as_written(marks_only).is_some());
        assert_eq!(
            back.highlights().count(),
            1,
            "the removed one is recorded, not listed"
        );
        // An older copy of the removed highlight never brings it back.
        let mut older = ReadState::new();
        let mut again = Highlight::new("item/2", text, 0..7, None, Timestamp(8));
        again.at = Timestamp(8);
        older.put_highlight(removed_id, again);
        let mut merged = back.clone();
        merged.merge(&older);
        assert_eq!(merged.highlights().count(), 1);
        let mut other_way = older;
        other_way.merge(&back);
        assert_eq!(other_way.highlights().count(), 1);
    }

    #[test]
    fn saving_merges_with_another_processes_marks() {
        let dir = temp_dir("merge");
        let path = dir.join("state.toml");
        let mut first = ReadState::new();
        first.set("a", true, Timestamp(1_000));
        save_state(&path, &first).expect("save first");
        let mut second = ReadState::new();
        second.set("b", true, Timestamp(2_000));
        save_state(&path, &second).expect("save second");
        // The reader's save merges the machine's files into one, and hands back the merge.
        let mut third = ReadState::new();
        third.set("c", true, Timestamp(3_000));
        let (merged, _) = ReadState::save_to(&path, &third, None).expect("save whole");
        assert!(merged.is_read("a") && merged.is_read("b") && merged.is_read("c"));
        assert_eq!(StateFiles::of(&path).own_files().len(), 1);
        let loaded = load_state(&path).expect("load").state;
        assert!(loaded.is_read("a") && loaded.is_read("b"));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_writer_notices_when_someone_else_wrote_since_its_last_save() {
        let dir = temp_dir("stamp");
        let path = dir.join("state.toml");
        let mut mine = ReadState::new();
        mine.set("a", true, Timestamp(1_000));
        let (_, stamp) = save_since(&path, &mine, None).expect("save");
        // Another process adds a mark.
        let mut theirs = ReadState::new();
        theirs.set("b", true, Timestamp(2_000));
        save_since(&path, &theirs, None).expect("their save");
        mine.set("c", true, Timestamp(3_000));
        let (merged, _) = save_since(&path, &mine, stamp).expect("save again");
        assert!(
            merged.is_read("a") && merged.is_read("b") && merged.is_read("c"),
            "their mark was merged in"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_with_a_warning() {
        let dir = temp_dir("corrupt");
        let path = dir.join("state.toml");
        fs::write(&path, "version = 1\n[read\n\"a\" = ").expect("write");
        let loaded = load_state(&path).expect("load");
        assert!(loaded.state.is_empty());
        let warning = loaded.warning.expect("a warning");
        assert!(
            warning.contains("state.toml") && warning.contains(".corrupt-"),
            "{warning}"
        );
        assert!(warning.contains("line 2"), "{warning}");
        assert!(!path.exists());
        let aside: Vec<_> = fs::read_dir(&dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            aside
                .iter()
                .any(|n| n.to_string_lossy().starts_with("state.toml.corrupt-")),
            "{aside:?}"
        );
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_newer_format_is_refused_and_left_alone() {
        let dir = temp_dir("newer");
        let path = dir.join("state.toml");
        fs::write(&path, "version = 2\n[read]\n").expect("write");
        let err = load_state(&path).expect_err("refused");
        assert!(err.to_string().contains("newer Quire"), "{err}");
        // The shared file is never written. A command's marks go into a new file of this
        // machine's; the reader, which merges the machine's files, stops at one of a newer
        // format and leaves it as it is.
        let files = StateFiles::of(&path);
        let newer = files.own.join("0.toml");
        fs::create_dir_all(&files.own).expect("dir");
        fs::write(&newer, "version = 2\n[read]\n").expect("write");
        let mut mark = ReadState::new();
        mark.set("a", true, Timestamp(1));
        save_state(&path, &mark).expect("a command's marks are saved");
        let err = ReadState::save_to(&path, &mark, None).expect_err("refused");
        assert!(matches!(err, StateError::NewerVersion { found: 2, .. }));
        for file in [&path, &newer] {
            assert_eq!(
                fs::read_to_string(file).expect("still there"),
                "version = 2\n[read]\n"
            );
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_missing_file_is_an_empty_state() {
        let dir = temp_dir("missing");
        let loaded = load_state(&dir.join("nope.toml")).expect("load");
        assert!(loaded.state.is_empty() && loaded.warning.is_none());
        let _ = fs::remove_dir_all(dir);
    }
}
