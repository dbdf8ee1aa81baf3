//! Laying out big bodies off the input thread.
//!
//! Rendering a megabyte of markdown can take a good part of a second; here it happens on a
//! worker while the reader shows a stand-in and keeps taking keys. Only the newest request is
//! worked on: pages asked for and left behind meanwhile are skipped.

use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread;

use super::AppEvent;
use crate::archive::Shelf;
use crate::content::Library;
use crate::render::{PageKey, item_page_saved};
use crate::theme::Theme;

struct Job {
    key: PageKey,
    width: u16,
    theme: Theme,
    library: Arc<Library>,
    shelf: Arc<Shelf>,
    generation: u64,
}

pub struct Renderer {
    tx: Sender<Job>,
}

impl Renderer {
    pub fn start(events: Sender<AppEvent>) -> Renderer {
        let (tx, rx) = mpsc::channel::<Job>();
        let _ = thread::Builder::new().name("render".into()).spawn(move || {
            while let Ok(mut job) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    job = newer;
                }
                if let PageKey::Item(index) = job.key
                    && index < job.library.items.len()
                {
                    let saved = job.shelf.page(job.library.items[index].url.as_deref());
                    let page = item_page_saved(&job.library, index, saved, &job.theme, job.width);
                    if events
                        .send(AppEvent::Rendered(job.generation, Arc::new(page)))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        });
        Renderer { tx }
    }

    pub fn render(
        &self,
        key: PageKey,
        width: u16,
        theme: Theme,
        (library, shelf): (Arc<Library>, Arc<Shelf>),
        generation: u64,
    ) {
        let _ = self.tx.send(Job {
            key,
            width,
            theme,
            library,
            shelf,
            generation,
        });
    }
}
