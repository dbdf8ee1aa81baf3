//! The terminal runtime: enter and leave full-screen mode, and the event loop.
//!
//! The loop blocks until something happens (a key, the mouse, a resize, a signal, a finished
//! save), so an idle reader uses no CPU (the input thread looks five times a second whether an
//! editor needs the terminal: a few microseconds). Input, signals and saving run on their own threads
//! and report over one channel. The terminal is restored on quit, on error (the guard's
//! `Drop`), on panic (the hook) and on SIGTERM/SIGHUP/SIGINT, before anything is printed.

mod loader;
mod renderer;
mod saver;
mod searcher;
pub mod watcher;

use std::io::{self, Stdout, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use crate::app::{App, Effect, Reason, Settings};
use crate::content::{Library, Root};
use crate::open::{open_url, osc52_copy};
use crate::search::SearchIndex;
use crate::state::{Place, ReadState};
use crate::store::cache::Manifest;
use crate::ui;
use loader::Loader;
use renderer::Renderer;
use saver::Saver;
use searcher::Searcher;

/// What the loop waits for.
pub enum AppEvent {
    Input(Event),
    InputFailed(io::Error),
    /// A save finished: the merged state, or why it failed.
    StateSaved(Result<ReadState, String>),
    /// SIGTERM, SIGHUP or SIGINT: save and leave.
    Terminate(i32),
    /// A big page was laid out (for the library of this generation).
    Rendered(u64, Arc<crate::render::Page>),
    /// More of the library is loaded (files loaded, files found), or all of it (`None`);
    /// with its search index when it came from the load cache.
    Loaded(
        Arc<Library>,
        Option<(usize, usize)>,
        Option<Arc<SearchIndex>>,
    ),
    /// The library just loaded should be written to the load cache, with its index.
    CacheWanted(PathBuf, Manifest),
    /// Loading failed after start (a content folder vanished).
    LoadFailed(String),
    /// The reader's place could not be saved (the read state has its own event).
    PlaceNotSaved(String),
    /// A search finished: its generation and results.
    SearchDone(u64, Arc<crate::search::engine::Results>),
    /// Every item's vector is made: a search shown before can now be answered by meaning.
    MeaningReady,
    /// SIGCONT: back from a suspend (or an outside SIGSTOP); the shell may have reset the
    /// terminal, so take it again and redraw everything.
    Resumed,
    /// The watcher saw these paths change (all of a burst at once); empty: look at everything.
    FilesChanged(Vec<PathBuf>),
    /// Read-state files changed: another machine's, synced in while the reader runs (empty:
    /// look at them all).
    StateChanged(Vec<PathBuf>),
    /// Every machine's read-state files, read after they changed.
    StateRead(ReadState),
    /// The library read again after a change, with what changed and why it was read.
    Reloaded(Arc<Library>, crate::content::reload::Changes, Reason),
    /// The user's library folder, missing at the start, exists now.
    LibraryAppeared(PathBuf),
    /// Something for the status bar (the watcher polling instead of being told).
    Note(String),
    /// A background task's progress or summary (a feed sync): the reload it causes does
    /// not hide it.
    Progress(String),
    /// The library folder's saved pages, read again.
    Shelf(Arc<crate::archive::Shelf>),
    /// Saved pages changed (`a` archived one): read them again.
    ShelfStale,
}

/// Everything the reader starts with.
pub struct Session {
    /// Where to load from; loading happens in the background once the reader is up.
    pub roots: Vec<Root>,
    pub settings: Settings,
    pub state: ReadState,
    pub state_path: PathBuf,
    /// Where the reader was left last time, and the file to keep it in; `None` when the
    /// place is not restored (`--no-restore`, `restore = false`).
    pub place: Option<(PathBuf, Place)>,
    /// Shown in the status bar at start (e.g. a corrupt state file moved aside).
    pub warning: Option<String>,
    /// The user's library folder (where `S` syncs feeds to), when there is one.
    pub library: Option<PathBuf>,
    /// The library folder, when it is to be loaded but does not exist yet: a first import
    /// or subscription made while the reader runs creates it, and it is loaded then.
    pub library_later: Option<PathBuf>,
    /// The user's synonyms (`[search] synonyms`), for every search.
    pub synonyms: crate::search::Synonyms,
    /// Search by meaning too (`[search] meaning`).
    pub meaning: bool,
}

/// How the reader ended.
pub enum Ending {
    Quit,
    Signal(i32),
}

/// Reads every machine's read-state files on a thread of its own; the reader takes the marks
/// it lacks from what they hold.
fn read_others_state(path: PathBuf, events: mpsc::Sender<AppEvent>) {
    let _ = std::thread::Builder::new()
        .name("state-reader".into())
        .spawn(move || {
            if let Ok(loaded) = crate::state::load_state_untouched(&path) {
                let _ = events.send(AppEvent::StateRead(loaded.state));
            }
        });
}

/// Runs the reader until the user quits or a signal ends it. Read state is saved either way.
pub fn run(session: Session) -> Result<Ending> {
    let (tx, rx) = mpsc::channel();
    let events = tx.clone();
    let saver = Saver::start("state-saver", session.state_path.clone(), move |result| {
        let _ = events.send(AppEvent::StateSaved(result));
    });
    let place_saver = session.place.as_ref().map(|(path, _)| {
        let events = tx.clone();
        Saver::<Place>::start("place-saver", path.clone(), move |result| {
            if let Err(err) = result {
                let _ = events.send(AppEvent::PlaceNotSaved(err));
            }
        })
    });
    let mut terminal = enter().context("cannot start the full-screen reader")?;
    let restore_guard = RestoreOnDrop;
    let size = terminal.size()?;
    let area = Rect::new(0, 0, size.width, size.height);
    let library = Arc::new(Library::empty());
    let searcher = Searcher::start(
        tx.clone(),
        Arc::new(session.synonyms.clone()),
        session.meaning,
    );
    let renderer = Renderer::start(tx.clone());
    let folders: Vec<PathBuf> = session
        .roots
        .iter()
        .filter_map(|root| match root {
            // A file alone is watched itself, and its folder (where an editor's save
            // replaces it) without what else is there.
            Root::Dir(dir) | Root::File(dir) => {
                Some(dir.canonicalize().unwrap_or_else(|_| dir.clone()))
            }
            Root::Bundled => None,
        })
        .collect();
    // A library to come is shown once it is there, so a sync need not ask for a restart.
    let library_loaded = session.library_later.is_some()
        || session
            .library
            .as_ref()
            .is_some_and(|l| session.roots.contains(&Root::Dir(l.clone())));
    let mut library_later = session.library_later.clone();
    if let Some(folder) = &library_later {
        look_for_library(folder.clone(), tx.clone());
    }
    let feeds = session.library.clone().map(|library| FeedSync {
        library,
        loaded: library_loaded,
        task: OneAtATime::new(tx.clone()),
    });
    let loader = Loader::start(session.roots, tx.clone())?;
    let shelf_reader = ShelfReader::start(session.library.clone(), tx.clone());
    let archiver = session.library.clone().map(|library| Archiver {
        library,
        task: OneAtATime::new(tx.clone()),
    });
    watcher::start(folders, tx.clone());
    // Read-state files written by others (another machine's, brought by a sync; a command
    // run in a shell) are merged as they come; this process's own saves are merged when made.
    let state_files = crate::state::machines::StateFiles::of(&session.state_path);
    if std::fs::create_dir_all(&state_files.dir).is_ok() {
        let dir = state_files
            .dir
            .canonicalize()
            .unwrap_or(state_files.dir.clone());
        let state = watcher::Watch {
            counts: |path| path.extension().is_some_and(|e| e == "toml"),
            changed: AppEvent::StateChanged,
        };
        watcher::start_as(vec![dir], tx.clone(), state);
    }
    let ours = format!("-{}-", std::process::id());
    let mut app = App::new(library, session.settings, session.state, area);
    if let Some((_, place)) = session.place {
        app.restore_place(place);
    }
    if let Some(warning) = session.warning {
        app.set_status(warning, true);
    }
    let input_gate = Arc::new(InputGate::default());
    spawn_input(tx.clone(), Arc::clone(&input_gate))?;
    #[cfg(unix)]
    spawn_signals(tx.clone());

    let ending = 'run: loop {
        terminal.draw(|frame| ui::draw(frame, &app))?;
        // Block for the next event, then take everything already queued before redrawing,
        // so a burst of keys or a held-down key costs one frame, not one per event.
        let first = rx.recv().context("the event channel closed")?;
        for event in std::iter::once(first).chain(rx.try_iter()) {
            match event {
                AppEvent::Input(Event::Key(key)) => {
                    crash_on_request(&key);
                    app.handle_key(key)
                }
                AppEvent::Input(Event::Mouse(mouse)) => app.handle_mouse(mouse),
                AppEvent::Input(Event::Resize(w, h)) => app.resize(w, h),
                AppEvent::Input(_) => {}
                AppEvent::InputFailed(err) => {
                    return Err(err).context("cannot read from the terminal");
                }
                AppEvent::StateSaved(result) => app.state_saved(result),
                AppEvent::StateRead(state) => app.state_read(&state),
                AppEvent::PlaceNotSaved(err) => {
                    app.set_status(format!("Where you are could not be saved: {err}"), true)
                }
                AppEvent::Terminate(signal) => break 'run Ending::Signal(signal),
                AppEvent::Resumed => resume(&mut terminal)?,
                AppEvent::SearchDone(generation, results) => {
                    app.search_results(generation, results)
                }
                AppEvent::MeaningReady => app.search_again(),
                AppEvent::Rendered(generation, page) => app.page_rendered(generation, page),
                AppEvent::LoadFailed(err) => app.set_status(format!("Cannot load: {err}"), true),
                AppEvent::FilesChanged(paths) => {
                    // The saved pages are read again only when one of them changed.
                    if shelf_reader.concerns(&paths) {
                        shelf_reader.read();
                    }
                    loader.reload(paths, Reason::Watched)
                }
                AppEvent::StateChanged(paths) => {
                    // Anything but a temp file, a lock, or a file this process wrote (a
                    // machine's new folder too: the files made in it at once may go unseen).
                    let others = paths.iter().any(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.') && !n.contains(&ours))
                    });
                    if paths.is_empty() || others {
                        read_others_state(session.state_path.clone(), tx.clone());
                    }
                }
                AppEvent::LibraryAppeared(folder) => {
                    if library_later.take().is_some() {
                        // Watched first: what lands while it is listed is not missed.
                        watcher::start(
                            vec![folder.canonicalize().unwrap_or(folder.clone())],
                            tx.clone(),
                        );
                        loader.add_root(folder);
                    }
                }
                AppEvent::Note(note) => app.set_status(note, false),
                AppEvent::Progress(note) => app.note(note),
                AppEvent::Shelf(shelf) => {
                    searcher.set_shelf(Arc::clone(&shelf));
                    app.shelf_loaded(shelf);
                }
                AppEvent::ShelfStale => shelf_reader.read(),
                AppEvent::Reloaded(library, changes, why) => {
                    searcher.set_library(Arc::clone(&library), None);
                    app.library_reloaded(library, &changes, why);
                }
                AppEvent::CacheWanted(path, manifest) => searcher.save_cache(path, manifest),
                AppEvent::Loaded(library, progress, index) => {
                    if progress.is_none() {
                        searcher.set_library(Arc::clone(&library), index);
                        shelf_reader.read();
                        let problems = library.diagnostics.len();
                        if problems > 0 {
                            let s = if problems == 1 { "" } else { "s" };
                            app.set_status(
                                format!(
                                    "{problems} problem{s} while loading; `quire check` lists them"
                                ),
                                true,
                            );
                        }
                    }
                    app.library_loaded(library, progress);
                }
            }
            for effect in app.take_effects() {
                match effect {
                    Effect::Search {
                        generation,
                        query,
                        read,
                        starred,
                        highlighted,
                        notes,
                    } => {
                        searcher.search(generation, query, [read, starred, highlighted], notes);
                        continue;
                    }
                    Effect::Render {
                        key,
                        width,
                        theme,
                        library,
                        shelf,
                        generation,
                    } => {
                        renderer.render(key, width, *theme, (library.0, shelf.0), generation);
                        continue;
                    }
                    _ => {}
                }
                // Ctrl-r reads the saved pages again too.
                if effect == Effect::Reload {
                    shelf_reader.read();
                }
                // Ctrl-r looks for a library made since the start too (the event loop
                // would otherwise find it within a second).
                if effect == Effect::Reload
                    && let Some(folder) = library_later.take_if(|f| f.is_dir())
                {
                    watcher::start(
                        vec![folder.canonicalize().unwrap_or(folder.clone())],
                        tx.clone(),
                    );
                    loader.add_root(folder);
                    continue;
                }
                if let Effect::Archive { id, title, url } = &effect {
                    match &archiver {
                        Some(archiver) => archiver.start(id, title, url),
                        None => app.set_status("No library folder to save pages into.", true),
                    }
                    continue;
                }
                if effect == Effect::SyncFeeds {
                    match &feeds {
                        Some(feeds) => feeds.start(),
                        None => app.set_status("No library folder to sync feeds into.", true),
                    }
                    continue;
                }
                perform(effect, &mut app, &mut terminal, &loader, &input_gate)?;
            }
            if let Some(state) = app.reading.take_changes() {
                saver.save(state);
            }
            if let Some(place_saver) = &place_saver
                && let Some(place) = app.take_place()
            {
                place_saver.save(place);
            }
            if app.should_quit {
                break 'run Ending::Quit;
            }
        }
    };
    if let Some(state) = app.reading.take_changes() {
        saver.save(state);
    }
    let place_saved = place_saver.map(|place_saver| {
        place_saver.save(app.place());
        place_saver.finish()
    });
    drop(restore_guard);
    saver
        .finish()
        .map_err(|err| anyhow::anyhow!("the read state could not be saved: {err}"))?;
    if let Some(Err(err)) = place_saved {
        eprintln!("quire: where you were could not be saved: {err}");
    }
    if let Ending::Quit = ending
        && let Some(signal) = finish_cache(&searcher, &rx, &input_gate)
    {
        return Ok(Ending::Signal(signal));
    }
    Ok(ending)
}

/// The longest a quit waits for the load cache to be written.
const CACHE_WAIT: Duration = Duration::from_secs(60);

/// A cache write still under way when the user quits is finished, not lost: a first open of a
/// big library writes one for seconds (vectors and all), and without it the next start reads
/// every file again. The terminal is already the user's; a line says why Quire is still there,
/// and Ctrl-C (or any ending signal, returned) leaves within a tenth of a second.
fn finish_cache(
    searcher: &Searcher,
    events: &mpsc::Receiver<AppEvent>,
    input: &InputGate,
) -> Option<i32> {
    // A save the loader asked for after the last events the reader handled is asked now.
    let pass_on = |events: &mpsc::Receiver<AppEvent>| {
        let mut signal = None;
        for event in events.try_iter() {
            match event {
                AppEvent::CacheWanted(path, manifest) => searcher.save_cache(path, manifest),
                AppEvent::Terminate(s) => signal = signal.or(Some(s)),
                _ => {}
            }
        }
        signal
    };
    if let Some(signal) = pass_on(events) {
        return Some(signal);
    }
    // Most quits find nothing being written, or a write about to end: no line for those.
    if searcher.wait_for_cache(Duration::from_millis(150)) {
        return None;
    }
    // What the user types now is for their shell: the input thread stops reading it.
    input.close();
    let _ = writeln!(
        io::stderr(),
        "quire: finishing the load cache, so the next start is quick (Ctrl-C skips it)"
    );
    let deadline = std::time::Instant::now() + CACHE_WAIT;
    while std::time::Instant::now() < deadline {
        if searcher.wait_for_cache(Duration::from_millis(100)) {
            return None;
        }
        if let Some(signal) = pass_on(events) {
            // The prompt comes back on a line of its own, after the terminal's "^C".
            let _ = writeln!(io::stderr());
            return Some(signal);
        }
    }
    None
}

/// Looks, once a second (a `stat`), for the user's library folder missing at the start,
/// and says when it is there. Watching its parent instead would need the parent to exist:
/// on a first run not even `~/.local/share/quire` does.
fn look_for_library(folder: PathBuf, events: Sender<AppEvent>) {
    let _ = thread::Builder::new()
        .name("library-appears".into())
        .spawn(move || {
            loop {
                thread::sleep(Duration::from_secs(1));
                if folder.is_dir() {
                    let _ = events.send(AppEvent::LibraryAppeared(folder));
                    return;
                }
            }
        });
}

/// A background task of the reader that runs one at a time (`S`, `a`): asked for again while
/// it runs, it says so instead; its flag is cleared however it ends (a panic too), so its key
/// works again.
struct OneAtATime {
    running: Arc<std::sync::atomic::AtomicBool>,
    events: Sender<AppEvent>,
}

impl OneAtATime {
    fn new(events: Sender<AppEvent>) -> OneAtATime {
        OneAtATime {
            running: Arc::default(),
            events,
        }
    }

    /// Runs `task` on a thread named `name`, unless one runs already (`busy` is said then);
    /// `what` names it if it cannot start ("Cannot start a sync: …").
    fn spawn(
        &self,
        (name, busy, what): (&str, &str, &str),
        task: impl FnOnce(Sender<AppEvent>) + Send + 'static,
    ) {
        use std::sync::atomic::Ordering;
        if self.running.swap(true, Ordering::SeqCst) {
            let _ = self.events.send(AppEvent::Note(busy.into()));
            return;
        }
        struct Cleared(Arc<std::sync::atomic::AtomicBool>);
        impl Drop for Cleared {
            fn drop(&mut self) {
                self.0.store(false, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let (events, running) = (self.events.clone(), Arc::clone(&self.running));
        let spawned = thread::Builder::new().name(name.into()).spawn(move || {
            let _done = Cleared(running);
            task(events);
        });
        if let Err(err) = spawned {
            self.running.store(false, Ordering::SeqCst);
            let _ = self
                .events
                .send(AppEvent::Progress(format!("Cannot start {what}: {err}")));
        }
    }
}

/// `S`: the feeds synced on a thread of their own, a line per feed in the status bar; the
/// posts show through the watcher like any other change.
struct FeedSync {
    library: PathBuf,
    /// The library folder is among what the reader loaded (else posts show after a restart).
    loaded: bool,
    task: OneAtATime,
}

impl FeedSync {
    fn start(&self) {
        use std::sync::atomic::Ordering;
        let (library, loaded) = (self.library.clone(), self.loaded);
        let names = ("feeds", "A sync is already running.", "a sync");
        self.task.spawn(names, move |events| {
            let note = |text: String| {
                let _ = events.send(AppEvent::Progress(text));
            };
            let list = crate::feeds::opml::load(&crate::feeds::opml_path(&library));
            match list {
                Ok(feeds) if feeds.is_empty() => {
                    note("No feeds yet: quire subscribe URL adds one.".into())
                }
                Ok(feeds) => {
                    note(format!("Syncing {} feeds…", feeds.len()));
                    let done = std::sync::atomic::AtomicUsize::new(0);
                    let total = feeds.len();
                    let progress = |report: &crate::feeds::sync::Report| {
                        let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                        note(format!(
                            "Syncing {n}/{total}: {}",
                            crate::text::sanitize_line(&report.line())
                        ));
                    };
                    let reports = crate::feeds::sync::sync(
                        &library,
                        &feeds,
                        crate::fetch::timeout(),
                        &progress,
                    );
                    note(crate::feeds::sync::summary(&reports, loaded));
                }
                Err(err) => note(format!("Cannot sync: {err}")),
            }
        });
    }
}

/// Reads the library folder's saved pages on a thread of its own: asked again while reading,
/// it reads once more after (the newest request replaces a pending one).
struct ShelfReader {
    tx: Option<Sender<()>>,
    /// The archive folder, as given and as the watcher names it (canonical).
    folders: Vec<PathBuf>,
}

impl ShelfReader {
    fn start(library: Option<PathBuf>, events: Sender<AppEvent>) -> ShelfReader {
        let Some(library) = library else {
            return ShelfReader {
                tx: None,
                folders: Vec::new(),
            };
        };
        let archive = crate::archive::archive_dir(&library);
        let mut folders = vec![archive.clone()];
        if let Ok(canonical) = library.canonicalize() {
            folders.push(crate::archive::archive_dir(&canonical));
        }
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let spawned = thread::Builder::new().name("shelf".into()).spawn(move || {
            while rx.recv().is_ok() {
                while rx.try_recv().is_ok() {}
                let shelf = crate::archive::Shelf::load(&library);
                if events.send(AppEvent::Shelf(Arc::new(shelf))).is_err() {
                    break;
                }
            }
        });
        ShelfReader {
            tx: spawned.ok().map(|_| tx),
            folders,
        }
    }

    /// Whether a change to these paths may change the saved pages (none named: anything may
    /// have changed).
    fn concerns(&self, paths: &[PathBuf]) -> bool {
        paths.is_empty()
            || paths
                .iter()
                .any(|p| self.folders.iter().any(|f| p.starts_with(f)))
    }

    fn read(&self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(());
        }
    }
}

/// `a`: one bookmark's page saved (or refreshed) on a thread of its own, its progress in the
/// status bar; the saved pages are read again when it is done.
struct Archiver {
    library: PathBuf,
    task: OneAtATime,
}

impl Archiver {
    fn start(&self, id: &str, title: &str, url: &str) {
        let target = crate::archive::run::Target {
            id: id.to_string(),
            title: title.to_string(),
            url: url.to_string(),
        };
        let library = self.library.clone();
        let names = (
            "archive",
            "A page is being saved already.",
            "saving the page",
        );
        self.task.spawn(names, move |events| {
            let note = |text: String| {
                let _ = events.send(AppEvent::Progress(crate::text::sanitize_line(&text)));
            };
            let progress = |event: crate::archive::run::Event<'_>| {
                if let crate::archive::run::Event::Asking { host } = event {
                    note(format!("Saving the page from {host}…"));
                }
            };
            let options = crate::archive::run::Options {
                refresh: true,
                timeout: crate::fetch::timeout(),
            };
            let reports = crate::archive::run::run(&library, &[target], options, &progress);
            if let Some(report) = reports.first() {
                note(crate::archive::run::said(report));
            }
            let _ = events.send(AppEvent::ShelfStale);
        });
    }
}

/// Debug builds only: F12 panics when `QUIRE_DEBUG_PANIC` is set, so the end-to-end tests can
/// check that a panic hands the terminal back. Release builds have no such key.
fn crash_on_request(key: &crossterm::event::KeyEvent) {
    #[cfg(debug_assertions)]
    if key.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("QUIRE_DEBUG_PANIC").is_some()
    {
        panic!("panic requested with F12 (QUIRE_DEBUG_PANIC)");
    }
    let _ = key;
}

/// Lets the main thread take the terminal's input away from the input thread while another
/// program (the editor) reads it: a key typed there must reach that program, not us.
#[derive(Default)]
struct InputGate {
    state: std::sync::Mutex<Gate>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct Gate {
    /// The main thread wants the terminal.
    wanted: bool,
    /// The input thread is parked, reading nothing.
    parked: bool,
}

/// How long the input thread waits for input before it looks whether it must park: the
/// longest an editor waits to start. (crossterm's read cannot be interrupted, and its poll
/// takes the bytes it sees, so the thread must be parked before the editor starts.)
const INPUT_POLL: std::time::Duration = std::time::Duration::from_millis(200);

impl InputGate {
    /// Waits until the input thread reads nothing, and keeps it so until [`Self::open`].
    fn close(&self) {
        let mut gate = self.state.lock().unwrap_or_else(|e| e.into_inner());
        gate.wanted = true;
        while !gate.parked {
            gate = self.changed.wait(gate).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The input thread ended: nothing will read, so nothing needs to wait for it.
    fn gone(&self) {
        let mut gate = self.state.lock().unwrap_or_else(|e| e.into_inner());
        gate.parked = true;
        self.changed.notify_all();
    }

    fn open(&self) {
        let mut gate = self.state.lock().unwrap_or_else(|e| e.into_inner());
        gate.wanted = false;
        self.changed.notify_all();
    }

    /// On the input thread: parks while the main thread has the terminal.
    fn pass(&self) {
        let mut gate = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !gate.wanted {
            return;
        }
        gate.parked = true;
        self.changed.notify_all();
        while gate.wanted {
            gate = self.changed.wait(gate).unwrap_or_else(|e| e.into_inner());
        }
        gate.parked = false;
    }
}

fn spawn_input(tx: Sender<AppEvent>, gate: Arc<InputGate>) -> io::Result<()> {
    thread::Builder::new().name("input".into()).spawn(move || {
        loop {
            gate.pass();
            let event = match event::poll(INPUT_POLL) {
                Ok(false) => continue,
                Ok(true) => match event::read() {
                    Ok(event) => AppEvent::Input(event),
                    Err(err) => AppEvent::InputFailed(err),
                },
                Err(err) => AppEvent::InputFailed(err),
            };
            let failed = matches!(event, AppEvent::InputFailed(_));
            if tx.send(event).is_err() || failed {
                gate.gone();
                break;
            }
        }
    })?;
    Ok(())
}

#[cfg(unix)]
fn spawn_signals(tx: Sender<AppEvent>) {
    use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGCONT]) else {
        return;
    };
    let _ = thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let event = if signal == SIGCONT {
                    AppEvent::Resumed
                } else {
                    AppEvent::Terminate(signal)
                };
                if tx.send(event).is_err() {
                    break;
                }
            }
        });
}

type Term = Terminal<CrosstermBackend<Stdout>>;

fn perform(
    effect: Effect,
    app: &mut App,
    terminal: &mut Term,
    loader: &Loader,
    input: &InputGate,
) -> Result<()> {
    match effect {
        Effect::OpenUrl(url) => {
            if let Err(err) = open_url(&url) {
                app.set_status(err, true);
            }
        }
        Effect::CopyToClipboard(text) => {
            // Our own OSC 52 write: the url travels base64-encoded inside the sequence, so no
            // byte of it can act as a control.
            let out = terminal.backend_mut();
            let result = out
                .write_all(osc52_copy(&text).as_bytes())
                .and_then(|()| out.flush());
            if let Err(err) = result {
                app.set_status(format!("cannot copy: {err}"), true);
            }
        }
        Effect::Suspend => suspend(terminal)?,
        Effect::Reload => loader.reload(Vec::new(), Reason::ByHand),
        Effect::Edit { file, line } => {
            // The editor gets the terminal as a shell would hand it over, input and all, and
            // the reader takes it back whatever the editor did (failed, crashed, was not found).
            input.close();
            restore();
            let result = crate::edit::run(&file, line);
            let resumed = resume(terminal);
            input.open();
            resumed?;
            match result {
                Ok(()) => loader.reload(vec![file], Reason::Edited),
                Err(err) => {
                    app.set_status(err.to_string(), true);
                    // A failing editor may still have written the file.
                    loader.reload(Vec::new(), Reason::Watched);
                }
            }
        }
        Effect::Search { .. }
        | Effect::Render { .. }
        | Effect::SyncFeeds
        | Effect::Archive { .. } => {}
    }
    Ok(())
}

/// Ctrl-Z: give the terminal back and stop. `raise` returns once `fg` continues us (or at
/// once, when the stop is not allowed: a process without job control is never stopped), and
/// the terminal is taken again; SIGCONT redraws once more in case the shell reset it.
fn suspend(terminal: &mut Term) -> Result<()> {
    restore();
    #[cfg(unix)]
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    resume(terminal)
}

fn resume(terminal: &mut Term) -> Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        Clear(ClearType::All)
    )?;
    // A fresh terminal has an empty previous frame, so the next draw repaints every cell.
    // (`Terminal::clear` would ask the terminal for the cursor position, and the answer can
    // sit behind the input thread's blocking read.)
    *terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok(())
}

fn enter() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(err) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        restore();
        return Err(err);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Leaves full-screen mode; safe to call more than once.
pub fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::panics::is_quiet() {
            return;
        }
        restore();
        previous(info);
    }));
}
