//! Content roots → a [`Library`]: list the files, parse them in parallel, assemble.
//!
//! Parsing is independent per file, so it spreads over every core; the assembly that follows
//! is a short single-threaded pass. One bad file costs a diagnostic, never the load.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use super::assemble::{LoadedFile, assemble};
use super::document::parse_document;
use super::model::Library;
use super::source::{Read, Root, RootError, SourceFile, list_files};

/// Loads every markdown file under `roots`. Fails only when a root itself is missing or is
/// not a readable folder; everything else becomes a diagnostic in the library.
pub fn load_library(roots: &[Root]) -> Result<Library, RootError> {
    let (files, diagnostics) = list_files(roots)?;
    let mut whole = None;
    load_listed(files, diagnostics, None, |snapshot| {
        whole = Some(snapshot.library)
    });
    Ok(whole.unwrap_or_else(Library::empty))
}

/// Reads and parses one file.
pub fn load_file(source: SourceFile) -> LoadedFile {
    match source.read() {
        Read::Skipped(diagnostic) => LoadedFile {
            source,
            document: None,
            diagnostics: vec![diagnostic],
        },
        Read::Text(text, mut diagnostics) => {
            // A parser that chokes on one file (a bug in Quire) costs that file, not the load.
            let parsed = crate::panics::quietly(|| {
                parse_document(&source.relative, &source.display, &text, &source.context)
            });
            let Some((document, more)) = parsed else {
                diagnostics.push(super::diagnostic::Diagnostic::new(
                    &source.display,
                    None,
                    "Quire could not read this file (a bug in Quire; please report it); skipped",
                ));
                return LoadedFile {
                    source,
                    document: None,
                    diagnostics,
                };
            };
            diagnostics.extend(more);
            LoadedFile {
                source,
                document: Some(document),
                diagnostics,
            }
        }
    }
}

/// What is loaded so far of a library still loading.
pub struct Snapshot {
    pub library: Library,
    pub files_loaded: usize,
    pub files_total: usize,
    pub done: bool,
}

/// Checks that every root exists and is a readable folder, without walking it: the errors a
/// user must see before the reader takes the screen.
pub fn check_roots(roots: &[Root]) -> Result<(), RootError> {
    for root in roots {
        match root {
            Root::Dir(dir) => super::source::check_dir(dir)?,
            Root::File(path) if !super::source::is_markdown(path) => {
                return Err(RootError::NotADir(path.clone()));
            }
            Root::File(_) | Root::Bundled => {}
        }
    }
    Ok(())
}

/// Loads like [`load_library`], handing over a snapshot of what is loaded so far every
/// `interval` (so a reader can show items as they arrive), then the whole library.
pub fn load_streaming(
    roots: &[Root],
    interval: std::time::Duration,
    report: impl FnMut(Snapshot),
) -> Result<(), RootError> {
    let (files, diagnostics) = list_files(roots)?;
    load_listed(files, diagnostics, Some(interval), report);
    Ok(())
}

/// [`load_streaming`] for files already listed (the caller looked at them first, e.g. to
/// check the load cache). Files are read and parsed on all cores; with no `interval` only
/// the whole library is reported.
pub fn load_listed(
    files: Vec<SourceFile>,
    diagnostics: Vec<super::diagnostic::Diagnostic>,
    interval: Option<std::time::Duration>,
    mut report: impl FnMut(Snapshot),
) {
    use std::time::Instant;

    let started = Instant::now();
    let total = files.len();
    let mut slots: Vec<Option<LoadedFile>> = Vec::new();
    slots.resize_with(total, || None);
    let mut loaded = 0;
    // The first snapshot comes early, so something is on screen almost at once.
    let mut due = interval.map(|every| started + every / 4);
    parse_in_parallel(&files, |index, file| {
        slots[index] = Some(file);
        loaded += 1;
        if loaded < total
            && let (Some(every), Some(at)) = (interval, due)
            && Instant::now() >= at
        {
            let library = assemble(slots.iter().flatten(), &diagnostics);
            report(Snapshot {
                library,
                files_loaded: loaded,
                files_total: total,
                done: false,
            });
            due = Some(Instant::now() + every);
        }
    });
    let library = assemble(slots.iter().flatten(), &diagnostics);
    report(Snapshot {
        library,
        files_loaded: total,
        files_total: total,
        done: true,
    });
}

/// Reads and parses `files` on every core, in order of their index in `files`.
pub fn load_files(files: &[SourceFile]) -> Vec<LoadedFile> {
    let mut slots: Vec<Option<LoadedFile>> = Vec::new();
    slots.resize_with(files.len(), || None);
    parse_in_parallel(files, |index, file| slots[index] = Some(file));
    slots.into_iter().flatten().collect()
}

/// Hands each file, read and parsed, to `each` with its index, as the workers finish them.
fn parse_in_parallel(files: &[SourceFile], mut each: impl FnMut(usize, LoadedFile)) {
    use std::sync::mpsc;
    let workers = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().div_ceil(8))
        .max(1);
    let next = AtomicUsize::new(0);
    thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, LoadedFile)>();
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(index) else { break };
                    if tx.send((index, load_file(file.clone()))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (index, file) in rx {
            each(index, file);
        }
    });
}
