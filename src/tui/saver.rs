//! Saving read state off the input path: a thread that debounces, saves, and retries.
//!
//! The loop hands over a copy of the state after each change; the thread waits a moment for
//! more changes, saves once, and reports the merged state (with other processes' marks) or
//! the error back to the loop. A failed save is retried every few seconds until it works or
//! a newer state replaces it; the in-memory state is never dropped.

use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::AppEvent;
use crate::state::ReadState;
use crate::state::store::save_state_since;

/// Changes arriving within this window are saved together.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// After a failed save (disk full, read-only folder), try again this often.
const RETRY: Duration = Duration::from_secs(2);

pub struct Saver {
    tx: Option<Sender<ReadState>>,
    handle: Option<JoinHandle<Result<(), String>>>,
}

impl Saver {
    pub fn start(path: PathBuf, events: Sender<AppEvent>) -> Saver {
        let (tx, rx) = mpsc::channel::<ReadState>();
        let handle = thread::Builder::new()
            .name("state-saver".into())
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
                        match save_state_since(&path, &latest, stamp) {
                            Ok((merged, new_stamp)) => {
                                stamp = new_stamp;
                                last = Ok(());
                                let _ = events.send(AppEvent::StateSaved(Ok(merged)));
                                break;
                            }
                            Err(err) => {
                                last = Err(err.to_string());
                                let _ = events.send(AppEvent::StateSaved(Err(err.to_string())));
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

    pub fn save(&self, state: ReadState) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(state);
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
