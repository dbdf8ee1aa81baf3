//! The live-reload benchmark: from a file write to the new item on screen, and to the new item
//! found by search, through the reader's own parts: the watcher (the kernel's notification,
//! then the quiet period that folds a burst into one batch), `content::reload`, the frame
//! drawn with the reloaded library, and the search index brought up to date (the changed
//! file's items indexed as a new segment; the whole build is timed beside it).
//!
//! Two kinds of change, each round bringing a word no other item has, to a collection of 100
//! bookmarks that the benchmark adds to the library (and removes afterwards): one bookmark
//! appended (an item added: the collection spliced in where its items stood), and one insight
//! of a bookmark edited (the same items with other text: updated in place).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use quire::app::{App, Reason, Settings};
use quire::content::Root;
use quire::content::reload::{Loaded, reload};
use quire::content::source::list_files;
use quire::search::{SearchIndex, SearchOptions, parse_query, search};
use quire::state::ReadState;
use quire::tui::AppEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::stats::{Summary, fmt_ms, letters};

/// The collection each round appends to.
const FILE: &str = "bookmarks/zz-reload-bench.md";

/// What each round does to the collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// A bookmark appended: an item more.
    Append,
    /// An insight of an existing bookmark edited: the same items.
    Edit,
}

pub fn run(name: &str, dir: &Path, rounds: usize) -> Result<(), Box<dyn std::error::Error>> {
    let file = dir.join(FILE);
    std::fs::create_dir_all(file.parent().ok_or("no folder")?)?;
    let mut result = Ok(());
    for change in [Change::Append, Change::Edit] {
        std::fs::write(&file, collection(100))?;
        result = result.and_then(|()| measure(name, dir, &file, rounds, change));
    }
    let _ = std::fs::remove_file(&file);
    result
}

fn measure(
    name: &str,
    dir: &Path,
    file: &Path,
    rounds: usize,
    change: Change,
) -> Result<(), Box<dyn std::error::Error>> {
    let roots = vec![Root::Dir(dir.to_path_buf())];
    let (files, _) = list_files(&roots)?;
    let library = Arc::new(quire::content::load_library(&roots)?);
    let mut current = Loaded {
        library: Arc::clone(&library),
        files,
        sites: quire::content::site::config_stamps(&roots),
    };
    let mut app = App::new(
        Arc::clone(&library),
        Settings::default(),
        ReadState::new(),
        Rect::new(0, 0, 120, 40),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let (tx, rx) = mpsc::channel();
    let watched = dir.canonicalize()?;
    quire::tui::watcher::start(vec![watched], tx);
    // Let the kernel's watches be in place before the first write.
    std::thread::sleep(Duration::from_millis(500));
    while rx.try_recv().is_ok() {}

    let (mut seen, mut reloaded, mut drawn, mut indexed, mut found) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut on_screen, mut findable, mut listed) = (Vec::new(), Vec::new(), Vec::new());
    let mut rebuilt = Vec::new();
    let mut current_index = SearchIndex::build(&library);
    for round in 0..rounds {
        let word = format!("reloadbench{}", letters(round));
        let title = match change {
            Change::Append => format!("Reload bench {}", letters(round)),
            Change::Edit => format!("Existing link {round}"),
        };
        let written = Instant::now();
        match change {
            Change::Append => append(file, &title, &word)?,
            Change::Edit => edit(file, round, &word)?,
        }
        let paths = loop {
            match rx.recv_timeout(Duration::from_secs(10))? {
                AppEvent::FilesChanged(paths) => break paths,
                _ => continue,
            }
        };
        let t_seen = written.elapsed();
        // The listing alone (part of the reload): one stat a file.
        let start = Instant::now();
        list_files(&roots)?;
        listed.push(start.elapsed());
        let start = Instant::now();
        let (loaded, changes) = reload(&current, &roots, &paths)?;
        let t_reload = start.elapsed();
        if changes.changed != 1 || changes.in_place != 1 {
            return Err(format!("expected one file read again, got {changes:?}").into());
        }
        let library = Arc::clone(&loaded.library);
        let before = std::mem::replace(&mut current, loaded);

        // The reader's thread: the new library, one frame, the new item in the list of All.
        let start = Instant::now();
        app.library_reloaded(Arc::clone(&library), &changes, Reason::Watched);
        terminal.draw(|frame| quire::ui::draw(frame, &app))?;
        let t_draw = start.elapsed();
        if !library
            .items
            .iter()
            .any(|i| i.title == title && i.body.contains(&word))
        {
            return Err("the changed bookmark is not in the library".into());
        }
        on_screen.push(t_seen + t_reload + t_draw);

        // The search worker, meanwhile: the index brought up to date (the changed file's
        // items indexed, the rest kept), then the word found. A whole build, as before
        // segments, for comparison.
        let start = Instant::now();
        let index = current_index.updated(&before.library, &library);
        let t_index = start.elapsed();
        drop(before);
        let start = Instant::now();
        let whole = SearchIndex::build(&library);
        rebuilt.push(start.elapsed());
        // The reader merges in the background when the segments add up; here, at once.
        current_index = if index.needs_merge() { whole } else { index };
        let index = &current_index;
        let start = Instant::now();
        let hits = search(
            index,
            &library,
            &parse_query(&word)?,
            &SearchOptions::default(),
        )
        .ok_or("search cancelled")?;
        let t_search = start.elapsed();
        if hits
            .hits
            .first()
            .map(|h| library.items[h.item].title.as_str())
            != Some(&title)
        {
            return Err(format!("`{word}` did not find its bookmark first").into());
        }
        findable.push(t_seen + t_reload + t_index + t_search);
        seen.push(t_seen);
        reloaded.push(t_reload);
        drawn.push(t_draw);
        indexed.push(t_index);
        found.push(t_search);
    }
    let what = match change {
        Change::Append => "one bookmark appended to a 100-bookmark collection: spliced in",
        Change::Edit => "one insight of a bookmark edited: updated in place",
    };
    println!(
        "\n{name}: {} items, {} rounds ({what} each)",
        current.library.items.len(),
        rounds
    );
    let row = |label: &str, times: &[Duration]| {
        let s = Summary::of(times);
        println!("  {label:<44} p50 {}  max {}", fmt_ms(s.p50), fmt_ms(s.max));
    };
    row("write → watcher's batch (incl. 200 ms quiet)", &seen);
    row("content::reload (list + read 1 file + file)", &reloaded);
    row("  of which listing the files", &listed);
    row("reader: new library + one frame", &drawn);
    row("search index updated (changed items only)", &indexed);
    row("  (the index built whole, for comparison)", &rebuilt);
    row("search for the new word", &found);
    row("WRITE → ITEM ON SCREEN", &on_screen);
    row("WRITE → ITEM FOUND BY SEARCH", &findable);
    Ok(())
}

fn collection(n: usize) -> String {
    let mut text = String::from("+++\ntitle = \"Reload bench\"\n+++\n\n## Links\n\n");
    for k in 0..n {
        text.push_str(&format!(
            "- [Existing link {k}](https://bench.example/{k}) -- an entry already there\n\n  > **Key insights:**\n  > - something said about link {k}\n\n"
        ));
    }
    text
}

/// Appends one bookmark and flushes it to disk, as an editor saving would.
fn append(file: &Path, title: &str, word: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().append(true).open(file)?;
    writeln!(
        f,
        "- [{title}](https://bench.example/{word}) -- appended\n\n  > **Key insights:**\n  > - the {word} insight\n"
    )?;
    f.sync_all()
}

/// Adds `word` to the insight of bookmark `k` and flushes it, as an editor saving would.
fn edit(file: &Path, k: usize, word: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(file)?;
    let said = format!("something said about link {k}\n");
    let text = text.replacen(&said, &format!("something said about link {k} {word}\n"), 1);
    let mut f = std::fs::File::create(file)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// The bundled library, written to a fresh folder.
pub fn bundled_copy() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("quire-bench-bundled-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (relative, bytes) in quire::content::bundled_files() {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().ok_or("no folder")?)?;
        std::fs::write(path, bytes)?;
    }
    Ok(dir)
}
