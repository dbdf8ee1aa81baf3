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
use crate::content::reload::{Loaded, SiteStamps, reload};
use crate::content::source::SourceFile;
use crate::content::{Library, Root};
use crate::search::SearchIndex;
use crate::store::cache::{self, Decoded, FromCache, Manifest, Parts};

/// How often a library still loading is shown again with what has arrived.
const LOAD_SNAPSHOT_EVERY: Duration = Duration::from_millis(400);

struct Request {
    named: Vec<PathBuf>,
    asked: Reason,
    /// A folder to load from now on (the user's library, created since the start).
    root: Option<PathBuf>,
}

pub struct Loader {
    tx: Sender<Request>,
}

impl Loader {
    /// Starts loading `roots`; what is loaded arrives as [`AppEvent::Loaded`], later reloads as
    /// [`AppEvent::Reloaded`].
    pub fn start(mut roots: Vec<Root>, events: Sender<AppEvent>) -> std::io::Result<Loader> {
        let (tx, rx) = mpsc::channel::<Request>();
        thread::Builder::new()
            .name("loader".into())
            .spawn(move || {
                let mut cache_path = cache::cache_path(&roots);
                let Some(mut current) = load(&roots, cache_path.clone(), &events) else {
                    return;
                };
                // Take every request queued: one reload answers them all.
                while let Ok(first) = rx.recv() {
                    let mut named = first.named;
                    let mut asked = first.asked;
                    let mut added = Vec::from_iter(first.root);
                    for more in rx.try_iter() {
                        named.extend(more.named);
                        added.extend(more.root);
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
                    for root in added {
                        let root = Root::Dir(root);
                        if !roots.contains(&root) {
                            roots.push(root);
                            // Another set of folders is another cache.
                            cache_path = cache::cache_path(&roots);
                        }
                    }
                    match reload(&current, &roots, &named) {
                        Ok((loaded, changes)) => {
                            let library = Arc::clone(&loaded.library);
                            let manifest = Manifest::new(&roots, &loaded.files, &loaded.sites);
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
        let _ = self.tx.send(Request {
            named,
            asked,
            root: None,
        });
    }

    /// Loads `folder` too from now on (with everything changed since the last load).
    pub fn add_root(&self, folder: PathBuf) {
        let _ = self.tx.send(Request {
            named: Vec::new(),
            asked: Reason::Appeared,
            root: Some(folder),
        });
    }
}

/// The first load; `None` when the roots could not be listed (said through `events`).
fn load(roots: &[Root], cache_path: Option<PathBuf>, events: &Sender<AppEvent>) -> Option<Loaded> {
    let listing = match cache::list_and_read(roots, cache_path.as_deref(), Parts::LibraryAndIndex) {
        Ok(listing) => listing,
        Err(err) => {
            // The roots were checked before start; this is a folder gone since.
            let _ = events.send(AppEvent::Loaded(Arc::new(Library::empty()), None, None));
            let _ = events.send(AppEvent::LoadFailed(err.to_string()));
            return None;
        }
    };
    // What the cache is made from, when it is to be written again.
    let sites = listing.sites;
    let cache_wanted = |files: &[SourceFile], sites: &SiteStamps| {
        if let Some(path) = &cache_path {
            let manifest = Manifest::new(roots, files, sites);
            let _ = events.send(AppEvent::CacheWanted(path.clone(), manifest));
        }
    };
    let ready = |library: &Arc<Library>, index: Option<SearchIndex>| {
        let _ = events.send(AppEvent::Loaded(
            Arc::clone(library),
            None,
            index.map(Arc::new),
        ));
    };
    match listing.cached {
        FromCache::Fits(Decoded {
            library: Some(library),
            index,
            ..
        }) => {
            let library = Arc::new(library);
            // A cache written without the index (by a command that needed none), or with one
            // that changes have split too far (a few files edited since it was written are
            // brought up to date without a write, until it is due a merge), is written again
            // with the index the searcher builds whole.
            let index = index.filter(|index| !index.needs_merge());
            let complete = index.is_some();
            ready(&library, index.map(|index| *index));
            if !complete {
                cache_wanted(&listing.files, &sites);
            }
            return Some(Loaded {
                library,
                files: listing.files,
                sites,
            });
        }
        FromCache::Stale(previous, index) => {
            // Only the files changed since the cache was written are read, and indexed.
            if let Ok((loaded, _)) = reload(&previous, roots, &[]) {
                let index = index.map(|index| index.updated(&previous.library, &loaded.library));
                ready(&loaded.library, index);
                cache_wanted(&loaded.files, &loaded.sites);
                return Some(loaded);
            }
        }
        FromCache::Fits(_) | FromCache::Missing => {}
    }
    let files = listing.files.clone();
    let mut whole = None;
    let mut done = false;
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
            done |= snapshot.done;
        },
    );
    if done {
        cache_wanted(&files, &sites);
    }
    whole.map(|library| Loaded {
        library,
        files,
        sites,
    })
}
