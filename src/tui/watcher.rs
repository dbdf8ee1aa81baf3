//! Watching the content folders: a worker that tells the event loop which paths changed.
//!
//! The kernel's notifications (inotify, FSEvents, …) come through `notify`. Only changes
//! count: notify also reports a file being opened, and the reader's own reads must not look
//! like edits (notify's debouncer crates drop the kind of an event, which is why they are not
//! used). A reload wants a whole burst (a `git checkout` writing thousands of files) as one
//! batch, so events are gathered until the folders have been quiet for [`SETTLE`]. Where the
//! kernel cannot watch (inotify's watch limit reached, no inotify at all) the reader is asked
//! to look at everything every [`POLL_EVERY`] instead, and says so once: the loader's listing
//! compares sizes and times to the nanosecond (notify's own poller compares whole seconds and
//! misses a second write within the same second). Between changes nothing here wakes up.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use notify::{Config, ErrorKind, Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::AppEvent;

/// How long all the folders must be quiet before a batch goes to the reader.
const SETTLE: Duration = Duration::from_millis(200);
/// A batch goes at the latest this long after its first change, so a file written without
/// pause (a log) still shows; a checkout of thousands of files ends well within it.
const SETTLE_AT_MOST: Duration = Duration::from_secs(3);
/// How often polled folders are looked at.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// How the folders are watched (for the status bar and the tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Native,
    Polling,
}

/// What the watcher hands the worker thread.
enum Seen {
    Paths(Vec<PathBuf>),
    Failed(notify::Error),
}

/// How the folders are watched: the kernel's watcher is kept alive while the reader runs; a
/// poller is a thread that ends with the reader.
enum Active {
    Native { watcher: RecommendedWatcher },
    Polling,
}

/// What is watched for: which files count, and what a batch of changed paths becomes for the
/// event loop ([`AppEvent::FilesChanged`] for the content folders' markdown,
/// [`AppEvent::StateChanged`] for the machines' read-state files).
#[derive(Clone, Copy)]
pub struct Watch {
    pub counts: fn(&Path) -> bool,
    pub changed: fn(Vec<PathBuf>) -> AppEvent,
}

/// The content folders: the files the loader reads.
pub const CONTENT: Watch = Watch {
    counts: crate::content::source::is_content,
    changed: AppEvent::FilesChanged,
};

/// Starts watching `dirs` (every content folder) on a thread of its own; changes arrive as
/// [`AppEvent::FilesChanged`], a switch to polling as one [`AppEvent::Note`].
pub fn start(dirs: Vec<PathBuf>, events: Sender<AppEvent>) {
    start_as(dirs, events, CONTENT);
}

/// [`start`], for what `watch` says.
pub fn start_as(dirs: Vec<PathBuf>, events: Sender<AppEvent>, watch: Watch) {
    if dirs.is_empty() {
        return;
    }
    let _ = thread::Builder::new()
        .name("watcher".into())
        .spawn(move || run(&dirs, &events, watch, simulated_limit()));
}

/// Debug builds only: `QUIRE_DEBUG_WATCH_LIMIT` makes the kernel's watch refuse as it does
/// when inotify's limit is reached, so the end-to-end tests can check the fallback. Release
/// builds watch as the system allows.
fn simulated_limit() -> bool {
    cfg!(debug_assertions) && std::env::var_os("QUIRE_DEBUG_WATCH_LIMIT").is_some()
}

fn run(dirs: &[PathBuf], events: &Sender<AppEvent>, watch: Watch, limit_reached: bool) {
    let changed = watch.changed;
    let (tx, rx) = mpsc::channel();
    let mut identities: Vec<Option<FolderIdentity>> = dirs.iter().map(|d| identity(d)).collect();
    let mut active = match watch_natively(dirs, tx.clone(), limit_reached) {
        Ok(watcher) => Some(Active::Native { watcher }),
        Err(err) => fall_back(events, changed, &err),
    };
    while let Ok(first) = rx.recv() {
        match first {
            Seen::Paths(paths) => {
                let paths = settle(dirs, paths, &rx, watch.counts);
                // A content folder replaced (`mv lib lib.old; mkdir lib`, a checkout that
                // recreates it): the kernel's watch follows the old folder, so the new one is
                // watched afresh and looked at whole.
                let mut replaced = false;
                for (dir, known) in dirs.iter().zip(identities.iter_mut()) {
                    let now = identity(dir);
                    if now != *known {
                        *known = now;
                        replaced = true;
                        if let Some(Active::Native { watcher }) = active.as_mut() {
                            let _ = watcher.unwatch(dir);
                            let _ = watcher.watch(dir, RecursiveMode::Recursive);
                        }
                    }
                }
                let batch = if replaced { Vec::new() } else { paths };
                if (replaced || !batch.is_empty()) && events.send(changed(batch)).is_err() {
                    return;
                }
            }
            Seen::Failed(err) => {
                // A folder made since start could not be watched: poll from now on, and
                // look at everything once, since changes may have gone unseen.
                if matches!(active, Some(Active::Native { .. })) && is_watch_limit(&err) {
                    drop(active.take());
                    active = fall_back(events, changed, &err);
                    let _ = events.send(changed(Vec::new()));
                }
            }
        }
    }
    drop(active);
}

/// Gathers changes until the folders have been quiet for [`SETTLE`] (or [`SETTLE_AT_MOST`]
/// has passed); paths no reload cares about are dropped (see [`matters`]).
fn settle(
    dirs: &[PathBuf],
    mut paths: Vec<PathBuf>,
    rx: &Receiver<Seen>,
    counts: fn(&Path) -> bool,
) -> Vec<PathBuf> {
    let started = std::time::Instant::now();
    while started.elapsed() < SETTLE_AT_MOST {
        match rx.recv_timeout(SETTLE) {
            Ok(Seen::Paths(more)) => paths.extend(more),
            Ok(Seen::Failed(_)) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    paths.retain(|p| matters(dirs, p, counts));
    paths.sort();
    paths.dedup();
    paths
}

/// Whether a change at `path` may change the library: not hidden below its content folder
/// (`.git`, editors' swap files: the loader skips those too), and not a file the loader would
/// not read (`counts` says which count). A path that is gone cannot be asked whether it was a
/// folder (`v1.0/` removed), so it counts; the listing that follows decides.
fn matters(dirs: &[PathBuf], path: &Path, counts: fn(&Path) -> bool) -> bool {
    // A site's configuration, in a folder or above it: every post's url may follow it.
    let is_site_config = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| crate::content::site::CONFIG_NAMES.contains(&n));
    if is_site_config {
        return true;
    }
    // Outside every folder: a sibling in a watched parent (the folder itself replaced is told
    // by its identity, not by this path). Some systems name paths canonically (macOS's
    // `/private/var`, a root reached through a link): those are under the folder too.
    let below: Option<PathBuf> = dirs.iter().find_map(|dir| {
        path.strip_prefix(dir)
            .map(Path::to_path_buf)
            .ok()
            .or_else(|| {
                let canonical = dir.canonicalize().ok()?;
                path.strip_prefix(canonical).map(Path::to_path_buf).ok()
            })
    });
    let Some(below) = below else {
        return false;
    };
    let hidden = below
        .iter()
        .any(|part| part.as_encoded_bytes().starts_with(b"."));
    let other_file = path.is_file() && !counts(path);
    !hidden && !other_file
}

fn handler(tx: Sender<Seen>) -> impl FnMut(notify::Result<Event>) + Send + 'static {
    move |result: notify::Result<Event>| {
        let seen = match result {
            // Opening or reading a file changes nothing (and the reader reads files itself).
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) => Seen::Paths(event.paths),
            Err(err) => Seen::Failed(err),
        };
        let _ = tx.send(seen);
    }
}

fn watch_natively(
    dirs: &[PathBuf],
    tx: Sender<Seen>,
    limit_reached: bool,
) -> notify::Result<RecommendedWatcher> {
    if limit_reached {
        return Err(notify::Error::new(ErrorKind::MaxFilesWatch));
    }
    let mut watcher = RecommendedWatcher::new(handler(tx), Config::default())?;
    for dir in dirs {
        watcher.watch(dir, RecursiveMode::Recursive)?;
        // Its parent and grandparent too, not recursively: that is where a replaced folder
        // shows, and where a site's configuration may be (Hugo's `content/en`).
        for up in dir.ancestors().skip(1).take(2) {
            if !up.as_os_str().is_empty() {
                let _ = watcher.watch(up, RecursiveMode::NonRecursive);
            }
        }
    }
    Ok(watcher)
}

/// A folder's device and inode: what tells a folder from another made under its name.
type FolderIdentity = (u64, u64);

fn identity(dir: &Path) -> Option<FolderIdentity> {
    let meta = std::fs::metadata(dir).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// Polls instead of the kernel's watcher: every [`POLL_EVERY`], "look at everything" (an empty
/// [`AppEvent::FilesChanged`]), which the loader answers by listing the folders and reading
/// only what changed; a look that finds nothing shows nothing.
fn fall_back(
    events: &Sender<AppEvent>,
    changed: fn(Vec<PathBuf>) -> AppEvent,
    why: &notify::Error,
) -> Option<Active> {
    let reason = if is_watch_limit(why) {
        "inotify's watch limit reached: fs.inotify.max_user_watches".into()
    } else {
        format!("the system cannot watch the folders: {why}")
    };
    let ticks = events.clone();
    let polling = thread::Builder::new().name("poller".into()).spawn(move || {
        loop {
            thread::sleep(POLL_EVERY);
            if ticks.send(changed(Vec::new())).is_err() {
                break;
            }
        }
    });
    let (note, active) = match polling {
        Ok(_) => (
            format!(
                "Polling for changes every {} s ({reason})",
                POLL_EVERY.as_secs()
            ),
            Some(Active::Polling),
        ),
        Err(err) => (
            format!("Changes on disk show only with Ctrl-r ({reason}; polling failed: {err})"),
            None,
        ),
    };
    let _ = events.send(AppEvent::Note(note));
    active
}

fn is_watch_limit(err: &notify::Error) -> bool {
    matches!(err.kind, ErrorKind::MaxFilesWatch)
        || matches!(&err.kind, ErrorKind::Io(io) if io.raw_os_error() == Some(28))
}

impl Active {
    #[cfg(test)]
    fn mode(&self) -> Mode {
        match self {
            Active::Native { .. } => Mode::Native,
            Active::Polling => Mode::Polling,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::Instant;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-watch-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir.canonicalize().expect("canonical")
    }

    /// Everything the watcher sends within `wait` after the last event.
    fn collect(rx: &Receiver<AppEvent>, wait: Duration) -> Vec<AppEvent> {
        let mut out = Vec::new();
        while let Ok(event) = rx.recv_timeout(wait) {
            out.push(event);
        }
        out
    }

    fn changed(events: &[AppEvent]) -> Vec<&Vec<PathBuf>> {
        events
            .iter()
            .filter_map(|e| match e {
                AppEvent::FilesChanged(paths) => Some(paths),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_burst_of_a_thousand_writes_is_one_batch() {
        let dir = temp("burst");
        let (tx, rx) = mpsc::channel();
        start(vec![dir.clone()], tx);
        // Let the watch be set up before writing.
        thread::sleep(Duration::from_millis(300));
        for n in 0..1000 {
            let sub = dir.join(format!("part{}", n % 10));
            fs::create_dir_all(&sub).expect("dir");
            fs::write(sub.join(format!("post{n}.md")), format!("# Post {n}\n")).expect("write");
        }
        fs::write(dir.join(".hidden.md.swp"), "x").expect("write");
        let events = collect(&rx, Duration::from_secs(2));
        let batches = changed(&events);
        assert_eq!(
            batches.len(),
            1,
            "one batch for the burst, got {}",
            batches.len()
        );
        // Files written in a folder made a moment before can beat the kernel's watch on that
        // folder; the folder is named then, and the reload lists it.
        for n in 0..1000 {
            let file = dir.join(format!("part{}/post{n}.md", n % 10));
            assert!(
                batches[0].iter().any(|p| file.starts_with(p)),
                "{} not named, nor a folder holding it",
                file.display()
            );
        }
        assert!(!batches[0].iter().any(|p| p.ends_with(".hidden.md.swp")));
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_folder_replaced_under_its_name_is_watched_anew() {
        let parent = temp("replaced");
        let dir = parent.join("lib");
        fs::create_dir_all(&dir).expect("dir");
        let (tx, rx) = mpsc::channel();
        start(vec![dir.clone()], tx);
        thread::sleep(Duration::from_millis(300));
        // `mv lib lib.old; mkdir lib`: the old watch follows lib.old.
        fs::rename(&dir, parent.join("lib.old")).expect("move");
        fs::create_dir_all(&dir).expect("new dir");
        let events = collect(&rx, Duration::from_secs(1));
        assert!(
            changed(&events).iter().any(|paths| paths.is_empty()),
            "the new folder is looked at whole"
        );
        fs::write(dir.join("new.md"), "# New").expect("write");
        let events = collect(&rx, Duration::from_secs(1));
        assert!(
            changed(&events)
                .iter()
                .any(|paths| paths.iter().any(|p| p.ends_with("new.md"))),
            "a file written in the new folder is seen"
        );
        // And the old folder is no longer reported.
        fs::write(parent.join("lib.old/stale.md"), "# Stale").expect("write");
        let events = collect(&rx, Duration::from_millis(700));
        assert!(
            !changed(&events)
                .iter()
                .any(|paths| paths.iter().any(|p| p.ends_with("stale.md"))),
            "the old folder is not watched"
        );
        let _ = fs::remove_dir_all(parent);
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        let dir = temp("read");
        fs::write(dir.join("a.md"), "# A").expect("write");
        let (tx, rx) = mpsc::channel();
        start(vec![dir.clone()], tx);
        thread::sleep(Duration::from_millis(300));
        // What the loader does on every reload: open, read, close.
        for _ in 0..3 {
            assert_eq!(fs::read_to_string(dir.join("a.md")).expect("read"), "# A");
        }
        let events = collect(&rx, Duration::from_secs(1));
        assert!(changed(&events).is_empty(), "a read was taken for a change");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn the_watch_limit_reached_falls_back_to_polling() {
        let dir = temp("limit");
        let (tx, rx) = mpsc::channel();
        let (seen_tx, _seen_rx) = mpsc::channel();
        let err = watch_natively(std::slice::from_ref(&dir), seen_tx, true)
            .expect_err("the limit is simulated");
        assert!(is_watch_limit(&err));
        let active = fall_back(&tx, AppEvent::FilesChanged, &err).expect("polling");
        assert_eq!(active.mode(), Mode::Polling);
        let note = match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(AppEvent::Note(note)) => note,
            _ => panic!("no note about polling"),
        };
        assert!(
            note.contains("every 2 s") && note.contains("max_user_watches"),
            "{note}"
        );
        // Then a look at everything, every two seconds, until the reader goes.
        let started = Instant::now();
        for _ in 0..2 {
            match rx.recv_timeout(POLL_EVERY * 2) {
                Ok(AppEvent::FilesChanged(paths)) => assert!(paths.is_empty()),
                _ => panic!("no poll"),
            }
        }
        assert!(started.elapsed() >= POLL_EVERY * 2 - Duration::from_millis(100));
        drop(rx);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn only_markdown_and_folders_below_a_root_matter() {
        // The content folder itself may sit in a hidden one (~/.local/share/quire/library).
        let dirs = [PathBuf::from("/home/u/.local/share/quire/library")];
        let matters = |p: &str| matters(&dirs, Path::new(p), CONTENT.counts);
        assert!(matters(
            "/home/u/.local/share/quire/library/bookmarks/chrome.md"
        ));
        assert!(matters("/home/u/.local/share/quire/library/feeds"));
        assert!(!matters("/home/u/.local/share/quire/library/.git/index"));
        assert!(!matters(
            "/home/u/.local/share/quire/library/posts/.a.md.swp"
        ));
        // A path that is gone may have been a folder (`v1.0/`): the listing decides.
        assert!(matters("/home/u/.local/share/quire/library/v1.0"));
        let dir = temp("matters");
        std::fs::write(dir.join("feeds.opml"), "x").expect("write");
        std::fs::create_dir_all(dir.join("v1.0")).expect("dir");
        let dirs = [dir.clone()];
        assert!(!super::matters(
            &dirs,
            &dir.join("feeds.opml"),
            CONTENT.counts
        ));
        assert!(super::matters(&dirs, &dir.join("v1.0"), CONTENT.counts));
        let _ = fs::remove_dir_all(dir);
    }
}
