//! Searching off the input path: a worker thread that owns the search index.
//!
//! The index is built on the worker as soon as the reader starts, so the first frame is not
//! delayed by it. Each query carries a generation; a newer one cancels the search in progress
//! (the engine polls for it), so typing fast never queues up stale work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread;

use super::AppEvent;
use crate::content::Library;
use crate::search::{SearchIndex, SearchOptions, parse_query, search};

/// Results shown in the panel at most.
const LIMIT: usize = 100;

struct Job {
    generation: u64,
    query: String,
    read: Arc<Vec<bool>>,
}

pub struct Searcher {
    tx: Sender<Job>,
    latest: Arc<AtomicU64>,
}

impl Searcher {
    pub fn start(library: Arc<Library>, events: Sender<AppEvent>) -> Searcher {
        let (tx, rx) = mpsc::channel::<Job>();
        let latest = Arc::new(AtomicU64::new(0));
        let current = Arc::clone(&latest);
        let _ = thread::Builder::new().name("search".into()).spawn(move || {
            let index = SearchIndex::build(&library);
            while let Ok(mut job) = rx.recv() {
                // Only the newest query matters.
                while let Ok(newer) = rx.try_recv() {
                    job = newer;
                }
                let generation = job.generation;
                let cancelled = || current.load(Ordering::Relaxed) != generation;
                let is_read = |i: usize| job.read.get(i).copied().unwrap_or(false);
                let options = SearchOptions {
                    limit: LIMIT,
                    is_read: Some(&is_read),
                    cancelled: &cancelled,
                };
                let query = parse_query(&job.query);
                if let Some(results) = search(&index, &library, &query, &options)
                    && events
                        .send(AppEvent::SearchDone(generation, Arc::new(results)))
                        .is_err()
                {
                    break;
                }
            }
        });
        Searcher { tx, latest }
    }

    pub fn search(&self, generation: u64, query: String, read: Arc<Vec<bool>>) {
        self.latest.store(generation, Ordering::Relaxed);
        let _ = self.tx.send(Job {
            generation,
            query,
            read,
        });
    }
}
