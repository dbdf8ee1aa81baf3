//! Saving off the input path (read marks, the reader's place): a thread that debounces,
//! saves, and retries.
//!
//! The loop hands over a copy of the value after each change; the thread waits a moment for
//! more changes, saves once, and reports the merged value (with other processes' changes) or
//! the error back. A failed save is retried every few seconds until it works or a newer value
//! replaces it; the in-memory value is never dropped.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::state::store::Stored;

/// Changes arriving within this window are saved together.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// After a failed save (disk full, read-only folder), try again this often.
const RETRY: Duration = Duration::from_secs(2);

pub struct Saver<T> {
    tx: Option<Sender<T>>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl<T: Stored + Send + 'static> Saver<T> {
    /// A thread saving to `path`; `saved` hears of each save: the merged value, or the error.
    pub fn start(
        name: &str,
        path: PathBuf,
        saved: impl Fn(Result<T, String>) + Send + 'static,
    ) -> Saver<T> {
        let (tx, rx) = mpsc::channel::<T>();
        let handle = thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let mut last = Ok(());
                let mut stamp = None;
                while let Ok(first) = rx.recv() {
                    let mut latest = first;
                    let mut closing = false;
                    loop {
                        match rx.recv_timeout(DEBOUNCE) {
                            Ok(newer) => latest = newer,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => {
                                closing = true;
                                break;
                            }
                        }
                    }
                    loop {
                        match T::save_to(&path, &latest, stamp) {
                            Ok((merged, new_stamp)) => {
                                stamp = new_stamp;
                                last = Ok(());
                                saved(Ok(merged));
                                break;
                            }
                            Err(err) => {
                                last = Err(err.to_string());
                                saved(Err(err.to_string()));
                                if closing {
                                    break;
                                }
                                match rx.recv_timeout(RETRY) {
                                    Ok(newer) => latest = newer,
                                    Err(RecvTimeoutError::Timeout) => {}
                                    Err(RecvTimeoutError::Disconnected) => closing = true,
                                }
                            }
                        }
                    }
                    if closing {
                        break;
                    }
                }
                last
            })
            .ok();
        Saver {
            tx: Some(tx),
            handle,
        }
    }

    pub fn save(&self, value: T) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(value);
        }
    }

    /// Saves whatever is pending and waits for it; the error of a final failed save.
    pub fn finish(mut self) -> Result<(), String> {
        self.tx = None;
        match self.handle.take() {
            Some(handle) => handle
                .join()
                .unwrap_or_else(|_| Err("the saver thread panicked".into())),
            None => Err("the saver thread could not be started".into()),
        }
    }
}
