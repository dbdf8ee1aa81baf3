//! Loading, then keeping the library up to date: a worker that loads the library once (from
//! the load cache when not a file changed, else file by file, sending snapshots as they
//! arrive), then reloads what changed each time it is asked (the watcher saw paths change, the
//! user pressed Ctrl-r, an editor returned).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use super::AppEvent;
use crate::app::Reason;
use crate::cache::{self, Manifest};
use crate::content::reload::{Loaded, reload};
use crate::content::{Library, Root};

/// How often a library still loading is shown again with what has arrived.
const LOAD_SNAPSHOT_EVERY: Duration = Duration::from_millis(400);

struct Request {
    named: Vec<PathBuf>,
    asked: Reason,
}

pub struct Loader {
    tx: Sender<Request>,
}

impl Loader {
    /// Starts loading `roots`; what is loaded arrives as [`AppEvent::Loaded`], later reloads as
    /// [`AppEvent::Reloaded`].
    pub fn start(roots: Vec<Root>, events: Sender<AppEvent>) -> std::io::Result<Loader> {
        let (tx, rx) = mpsc::channel::<Request>();
        thread::Builder::new()
            .name("loader".into())
            .spawn(move || {
                // The bundled library is small and changes with the binary: never cached.
                let cache_path =
                    cache::cache_path(&roots).filter(|_| !roots.contains(&Root::Bundled));
                let Some(mut current) = load(&roots, cache_path.clone(), &events) else {
                    return;
                };
                // Take every request queued: one reload answers them all.
                while let Ok(first) = rx.recv() {
                    let mut named = first.named;
                    let mut asked = first.asked;
                    for more in rx.try_iter() {
                        named.extend(more.named);
                        // What the user did outranks what the watcher saw.
                        if asked == Reason::Watched {
                            asked = more.asked;
                        }
                    }
                    // What the watcher names is judged by size and time like everything else (to
                    // the nanosecond); a file the user just edited is read whatever they say.
                    if asked == Reason::Watched {
                        named.clear();
                    }
                    match reload(&current, &roots, &named) {
                        Ok((loaded, changes)) => {
                            let library = Arc::clone(&loaded.library);
                            let manifest = Manifest::new(&roots, &loaded.files);
                            current = loaded;
                            if changes.is_empty() && asked == Reason::Watched {
                                continue;
                            }
                            if events
                                .send(AppEvent::Reloaded(library, changes, asked))
                                .is_err()
                            {
                                return;
                            }
                            if let Some(path) = &cache_path {
                                let _ = events.send(AppEvent::CacheWanted(path.clone(), manifest));
                            }
                        }
                        Err(err) => {
                            let _ = events.send(AppEvent::LoadFailed(err.to_string()));
                        }
                    }
                }
            })?;
        Ok(Loader { tx })
    }

    /// Reloads what changed since the last load, and the `named` files whatever their size and
    /// time say.
    pub fn reload(&self, named: Vec<PathBuf>, asked: Reason) {
        let _ = self.tx.send(Request { named, asked });
    }
}

/// The first load; `None` when the roots could not be listed (said through `events`).
fn load(roots: &[Root], cache_path: Option<PathBuf>, events: &Sender<AppEvent>) -> Option<Loaded> {
    let listing = match cache::list_and_read(roots, cache_path.as_deref()) {
        Ok(listing) => listing,
        Err(err) => {
            // The roots were checked before start; this is a folder gone since.
            let _ = events.send(AppEvent::Loaded(Arc::new(Library::empty()), None, None));
            let _ = events.send(AppEvent::LoadFailed(err.to_string()));
            return None;
        }
    };
    if let Some((library, index)) = listing.cached {
        let library = Arc::new(library);
        let _ = events.send(AppEvent::Loaded(
            Arc::clone(&library),
            None,
            Some(Arc::new(index)),
        ));
        return Some(Loaded {
            library,
            files: listing.files,
        });
    }
    let files = listing.files.clone();
    let cache = cache_path.map(|path| (path, listing.manifest));
    let mut whole = None;
    crate::content::loader::load_listed(
        listing.files,
        listing.diagnostics,
        Some(LOAD_SNAPSHOT_EVERY),
        |snapshot| {
            let progress =
                (!snapshot.done).then_some((snapshot.files_loaded, snapshot.files_total));
            let library = Arc::new(snapshot.library);
            if snapshot.done {
                whole = Some(Arc::clone(&library));
            }
            let _ = events.send(AppEvent::Loaded(library, progress, None));
            if snapshot.done
                && let Some((path, manifest)) = cache.clone()
            {
                let _ = events.send(AppEvent::CacheWanted(path, manifest));
            }
        },
    );
    whole.map(|library| Loaded { library, files })
}
