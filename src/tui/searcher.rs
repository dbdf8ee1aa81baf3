//! Searching off the input path: a worker thread that owns the search index.
//!
//! The index is built on the worker once the library has finished loading, so neither the
//! first frame nor the keys wait for it. A reloaded library's index is the previous one with
//! the changed items indexed anew (`SearchIndex::updated`: milliseconds for a file); when the
//! changes add up, the library is indexed whole again on a thread of its own and swapped in
//! with the next message, while searches go on with the index they have. Each query carries a generation; a newer one cancels
//! the search in progress (the engine polls for it), so typing fast never queues stale work.

use crate::archive::{ByItem, Shelf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use std::path::PathBuf;

use super::AppEvent;
use crate::content::Library;
use crate::search::{SearchIndex, SearchOptions, Synonyms, parse_query, search};
use crate::store::cache::{self, Manifest};

/// Results shown in the panel at most.
const LIMIT: usize = 100;

enum Message {
    /// The library to search, with its index when the load cache had it.
    Library(Arc<Library>, Option<Arc<SearchIndex>>),
    /// Write the library and its index to the load cache (on a thread of its own).
    SaveCache(PathBuf, Manifest, Option<cache::Promise>),
    /// The saved pages, searched as their bookmarks' text (`is:dead` too).
    Shelf(Arc<Shelf>),
    Query(Asked),
}

/// A search asked for: its generation, its text, and the read and star flags by item.
struct Asked {
    generation: u64,
    query: String,
    /// By item: read, starred, holding a highlight.
    flags: [Arc<Vec<bool>>; 3],
    /// The notes kept with highlights, by item.
    notes: Arc<Vec<(usize, String)>>,
}

/// Makes the vectors of search by meaning on a thread of its own: searches by words go on
/// meanwhile, and meaning joins in when they are made (seconds for 100,000 items, once: the
/// load cache keeps them).
fn fill_vectors_aside(library: &Arc<Library>, index: &Arc<SearchIndex>, events: &Sender<AppEvent>) {
    if index.has_vectors() {
        return;
    }
    let (library, index, events) = (Arc::clone(library), Arc::clone(index), events.clone());
    let _ = thread::Builder::new()
        .name("vectors".into())
        .spawn(move || {
            index.fill_vectors(&library);
            // The search on screen was answered by words alone (or by the items whose vectors
            // were made): asked again, meaning joins in without a keystroke.
            let _ = events.send(AppEvent::MeaningReady);
        });
}

/// A whole index being built for a library, to replace a segmented one.
struct Merge {
    library: Arc<Library>,
    built: thread::JoinHandle<SearchIndex>,
}

impl Merge {
    /// Swaps in the merged index when it is done and still of the current library; starts a
    /// merge when the current index needs one and none is running.
    fn step(
        merging: Option<Merge>,
        indexed: &mut Option<(Arc<Library>, Arc<SearchIndex>)>,
        meaning: bool,
    ) -> Option<Merge> {
        let current = indexed.as_ref().map(|(library, _)| Arc::clone(library));
        match merging {
            Some(merge) if !merge.built.is_finished() => return Some(merge),
            Some(merge) => {
                if let (Some(library), Ok(index)) = (&current, merge.built.join())
                    && Arc::ptr_eq(library, &merge.library)
                {
                    *indexed = Some((Arc::clone(library), Arc::new(index)));
                    return None;
                }
            }
            None => {}
        }
        let (library, index) = indexed.as_ref()?;
        if !index.needs_merge() {
            return None;
        }
        let for_thread = Arc::clone(library);
        let built = thread::Builder::new()
            .name("index".into())
            .spawn(move || {
                let index = SearchIndex::build(&for_thread);
                if meaning {
                    index.fill_vectors(&for_thread);
                }
                index
            })
            .ok()?;
        Some(Merge {
            library: Arc::clone(library),
            built,
        })
    }
}

pub struct Searcher {
    tx: Sender<Message>,
    latest: Arc<AtomicU64>,
    cache_writes: cache::Writes,
}

impl Searcher {
    /// `meaning`: search by meaning too (`[search] meaning`).
    pub fn start(events: Sender<AppEvent>, synonyms: Arc<Synonyms>, meaning: bool) -> Searcher {
        let (tx, rx) = mpsc::channel::<Message>();
        let latest = Arc::new(AtomicU64::new(0));
        let current = Arc::clone(&latest);
        // The one writer of the cache: the newest library asked for is written.
        let saver = cache::Saver::start();
        let cache_writes = saver.writes();
        let _ = thread::Builder::new().name("search".into()).spawn(move || {
            let mut indexed: Option<(Arc<Library>, Arc<SearchIndex>)> = None;
            let mut merging: Option<Merge> = None;
            let mut pending: Option<Asked> = None;
            let mut shelf: Arc<Shelf> = Arc::default();
            // The shelf by item of the library it was made for (item numbers change with it).
            let mut shelved: Option<(Arc<Library>, Arc<Shelf>, ByItem)> = None;
            while let Ok(first) = rx.recv() {
                // Take everything queued: the newest library and the newest query matter.
                for message in std::iter::once(first).chain(rx.try_iter()) {
                    match message {
                        Message::Library(library, index) => {
                            let index = index.unwrap_or_else(|| match &indexed {
                                Some((before, index)) => Arc::new(index.updated(before, &library)),
                                None => Arc::new(SearchIndex::build(&library)),
                            });
                            if meaning {
                                fill_vectors_aside(&library, &index, &events);
                            }
                            indexed = Some((library, index));
                        }
                        Message::SaveCache(path, manifest, promise) => {
                            if let Some((library, index)) = indexed.clone() {
                                saver.save(path, manifest, library, Some(index));
                            }
                            drop(promise);
                        }
                        Message::Shelf(newer) => shelf = newer,
                        Message::Query(asked) => pending = Some(asked),
                    }
                }
                merging = Merge::step(merging, &mut indexed, meaning);
                let (
                    Some((library, index)),
                    Some(Asked {
                        generation,
                        query,
                        flags: [read, starred, highlighted],
                        notes,
                    }),
                ) = (&indexed, pending.take())
                else {
                    continue;
                };
                let current_shelf = shelved
                    .as_ref()
                    .is_some_and(|(l, s, _)| Arc::ptr_eq(l, library) && Arc::ptr_eq(s, &shelf));
                if !current_shelf {
                    let by_item = shelf.by_item(library);
                    shelved = Some((Arc::clone(library), Arc::clone(&shelf), by_item));
                }
                let by_item = shelved.as_ref().map(|(_, _, b)| b);
                let saved = by_item.map_or(&[][..], |b| b.saved.as_slice());
                let is_dead =
                    |i: usize| by_item.is_some_and(|b| b.dead.get(i).copied().unwrap_or(false));
                let cancelled = || current.load(Ordering::Relaxed) != generation;
                let is_read = |i: usize| read.get(i).copied().unwrap_or(false);
                let is_starred = |i: usize| starred.get(i).copied().unwrap_or(false);
                let is_highlighted = |i: usize| highlighted.get(i).copied().unwrap_or(false);
                let options = SearchOptions {
                    limit: LIMIT,
                    is_read: Some(&is_read),
                    is_starred: Some(&is_starred),
                    is_highlighted: Some(&is_highlighted),
                    notes: &notes,
                    saved,
                    is_dead: Some(&is_dead),
                    cancelled: &cancelled,
                    synonyms: Some(&synonyms),
                    meaning,
                };
                // The reader only asks for queries that parse; one that does not finds nothing.
                let results = match parse_query(&query) {
                    Ok(query) => {
                        if query.like.is_some() {
                            // Asked for by name (`R`), meaning on or off: waits for the
                            // vectors being made aside, or makes them.
                            index.fill_vectors(library);
                        }
                        search(index, library, &query, &options)
                    }
                    Err(_) => Some(Default::default()),
                };
                if let Some(results) = results
                    && events
                        .send(AppEvent::SearchDone(generation, Arc::new(results)))
                        .is_err()
                {
                    break;
                }
            }
        });
        Searcher {
            tx,
            latest,
            cache_writes,
        }
    }

    /// The library to search from now on (indexed on the worker unless `index` is given).
    pub fn set_library(&self, library: Arc<Library>, index: Option<Arc<SearchIndex>>) {
        let _ = self.tx.send(Message::Library(library, index));
    }

    /// The saved pages to search from now on.
    pub fn set_shelf(&self, shelf: Arc<Shelf>) {
        let _ = self.tx.send(Message::Shelf(shelf));
    }

    /// Saves the current library and index to the load cache, in the background.
    pub fn save_cache(&self, path: PathBuf, manifest: Manifest) {
        // The worker takes it after the index it may be building: promised until then.
        let promise = self.cache_writes.promise();
        let _ = self.tx.send(Message::SaveCache(path, manifest, promise));
    }

    /// Waits up to `limit` for the cache saves asked for to be written; true when none is
    /// left. The reader waits on quitting, so a first cache (seconds to write at 100,000
    /// items) is not lost to a quick `q`.
    pub fn wait_for_cache(&self, limit: Duration) -> bool {
        self.cache_writes.wait_idle(limit)
    }

    pub fn search(
        &self,
        generation: u64,
        query: String,
        flags: [Arc<Vec<bool>>; 3],
        notes: Arc<Vec<(usize, String)>>,
    ) {
        self.latest.store(generation, Ordering::Relaxed);
        let _ = self.tx.send(Message::Query(Asked {
            generation,
            query,
            flags,
            notes,
        }));
    }
}
