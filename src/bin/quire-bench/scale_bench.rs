//! The scale benchmark: loading, the first frame, memory, drawing while scrolling and moving
//! through the list, and saving read state, for a synthetic library of N items.
//!
//! Each size runs in a child process (`quire-bench scale-one`), so its peak memory is its own.

use quire::store::cache::{Decoded, FromCache, Parts};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use quire::app::{App, Settings};
use quire::content::{Library, Root, load_library};
use quire::render::item_page;
use quire::search::SearchIndex;
use quire::state::store::save_since;
use quire::state::{ReadState, Timestamp};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use crate::stats::{Summary, fmt_ms};

pub fn run_one(dir: &Path, items: usize) -> Result<(), Box<dyn std::error::Error>> {
    let files = list_markdown(dir);
    let disk: u64 = files.iter().map(|(_, len)| len).sum();
    let allocated = allocated_bytes(dir);
    println!(
        "{items} items: {} files, {:.1} MiB of data ({:.1} MiB allocated on disk)",
        files.len(),
        disk as f64 / 1_048_576.0,
        allocated as f64 / 1_048_576.0
    );

    // Peak memory first, while this process has done only what the reader does on a first
    // start: load the library (streaming, with snapshots), index it, draw it, write the cache.
    let rss = {
        let mut last = None;
        quire::content::loader::load_streaming(
            &[Root::Dir(dir.to_path_buf())],
            Duration::from_millis(400),
            |s| {
                last = Some(s.library);
            },
        )?;
        let library = Arc::new(last.expect("a final snapshot"));
        let index = SearchIndex::build(&library);
        let (app, mut draw) = reader(Arc::clone(&library));
        draw(&app);
        let cache =
            std::env::temp_dir().join(format!("quire-bench-rss-cache-{}.bin", std::process::id()));
        save_cache(dir, &cache, &library, &index)?;
        let _ = std::fs::remove_file(cache);
        let rss = peak_rss();
        drop((index, app));
        rss
    };

    let cold = drop_caches();
    let cold_read = cold.then(|| time(|| read_all(&files)));
    let cold_load = drop_caches().then(|| {
        time(|| {
            load(dir);
        })
    });
    let warm_read = (0..3)
        .map(|_| time(|| read_all(&files)))
        .min()
        .unwrap_or_default();
    let mut library = None;
    let mut warm_load = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let loaded = load(dir);
        warm_load = warm_load.min(started.elapsed());
        library = Some(loaded);
    }
    let library = Arc::new(library.expect("loaded"));
    let started = Instant::now();
    let index = SearchIndex::build(&library);
    let index_time = started.elapsed();
    // Search by meaning's vectors, made after the reader is searchable by words (on a thread
    // of their own), and kept in the load cache.
    let started = Instant::now();
    index.fill_vectors(&library);
    let vectors_time = started.elapsed();

    // The load cache: what a second start costs (list and stat every file while the cache's
    // metadata and index are read; the bodies stay in it until shown).
    let cache_file =
        std::env::temp_dir().join(format!("quire-bench-cache-{}.bin", std::process::id()));
    save_cache(dir, &cache_file, &library, &index)?;
    let cache_bytes = std::fs::metadata(&cache_file).map_or(0, |m| m.len());
    drop(index);
    // Each in a fresh process, as the reader starts: this one's heap is full of libraries.
    let from_cache = || from_cache_child(dir, &cache_file).expect("a start from the cache");
    let cold_cache = drop_caches().then(|| from_cache().0);
    let (warm_cache, cache_rss) = (0..3).map(|_| from_cache()).min().unwrap_or_default();
    let _ = std::fs::remove_file(&cache_file);

    match (cold_read, cold_load) {
        (Some(read), Some(load)) => println!(
            "  cold cache        read bytes {}   load {}   ratio {:.2}",
            fmt_ms(read),
            fmt_ms(load),
            load.as_secs_f64() / read.as_secs_f64()
        ),
        _ => println!("  cold cache        not measurable here (cannot drop the page cache)"),
    }
    println!(
        "  warm cache        read bytes {}   load {}   ratio {:.2}   + index {}   = ready and searchable {}   + vectors {}   = by meaning too {}",
        fmt_ms(warm_read),
        fmt_ms(warm_load),
        warm_load.as_secs_f64() / warm_read.as_secs_f64(),
        fmt_ms(index_time),
        fmt_ms(warm_load + index_time),
        fmt_ms(vectors_time),
        fmt_ms(warm_load + index_time + vectors_time)
    );

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    match (cold_cache, cold_read) {
        (Some(cached), Some(read)) => println!(
            "  from load cache   cold {} (ratio {:.2})   warm {} (ratio {:.2})   cache {:.0} MiB",
            fmt_ms(cached),
            ratio(cached, read),
            fmt_ms(warm_cache),
            ratio(warm_cache, warm_read),
            cache_bytes as f64 / 1_048_576.0
        ),
        _ => println!(
            "  from load cache   warm {} (ratio {:.2})   cache {:.0} MiB",
            fmt_ms(warm_cache),
            ratio(warm_cache, warm_read),
            cache_bytes as f64 / 1_048_576.0
        ),
    }

    println!(
        "  start from cache  peak RSS {:.1} MiB = {:.2}× the library's data (bodies stay in the cache until shown)",
        cache_rss as f64 / 1_048_576.0,
        cache_rss as f64 / disk as f64
    );

    let (first_frame, first_snapshot) = first_frame(dir);
    println!(
        "  first frame       {}   (first items on screen after {})",
        fmt_ms(first_frame),
        fmt_ms(first_snapshot)
    );

    let (scroll, list) = drawing(&library);
    println!(
        "  frame (key+draw)  scrolling a 1 MB body p50 {} p99 {}   paging the list p50 {} p99 {}",
        fmt_ms(scroll.p50),
        fmt_ms(scroll.p99),
        fmt_ms(list.p50),
        fmt_ms(list.p99)
    );

    let (first_save, merge_save) = saving(&library);
    println!(
        "  save {} read ids  new file {}   over its own last save {}",
        library.items.len(),
        fmt_ms(first_save),
        fmt_ms(merge_save)
    );

    println!(
        "  peak RSS          {:.1} MiB = {:.2}× the library's data, {:.2}× its allocated size (first start: loaded, indexed, drawn, cache written)",
        rss as f64 / 1_048_576.0,
        rss as f64 / disk as f64,
        rss as f64 / allocated.max(1) as f64
    );
    Ok(())
}

/// Blocks the files and folders take on disk (what `du` reports), on Unix.
fn allocated_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            #[cfg(unix)]
            {
                total += std::os::unix::fs::MetadataExt::blocks(&meta) * 512;
            }
            #[cfg(not(unix))]
            {
                total += meta.len();
            }
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    total
}

fn load(dir: &Path) -> Library {
    load_library(&[Root::Dir(dir.to_path_buf())]).expect("library loads")
}

/// Writes the load cache of the library in `dir`, as the reader does after a first load.
fn save_cache(
    dir: &Path,
    cache: &Path,
    library: &Library,
    index: &SearchIndex,
) -> Result<(), Box<dyn std::error::Error>> {
    let roots = vec![Root::Dir(dir.to_path_buf())];
    let files = quire::store::cache::list_and_read(&roots, None, Parts::Library)?.files;
    let manifest = quire::store::cache::Manifest::new(
        &roots,
        &files,
        &quire::content::site::config_stamps(&roots),
    );
    quire::store::cache::save(cache, &manifest, library, Some(index))?;
    Ok(())
}

pub fn write_cache(dir: &Path, cache: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let library = load(dir);
    save_cache(dir, cache, &library, &SearchIndex::build(&library))
}

/// What the reader does first on a second start: list and stat the files while the cache is
/// read, then compare. Returns the time to a ready library, and the peak RSS by then.
pub fn start_from_cache(
    dir: &Path,
    cache: &Path,
) -> Result<(Duration, u64), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let roots = [Root::Dir(dir.to_path_buf())];
    let listing = quire::store::cache::list_and_read(&roots, Some(cache), Parts::LibraryAndIndex)?;
    let took = started.elapsed();
    let FromCache::Fits(Decoded {
        library: Some(library),
        index: Some(index),
        ..
    }) = listing.cached
    else {
        return Err("the load cache did not match".into());
    };
    let index = *index;
    std::hint::black_box((&library, &index));
    Ok((took, peak_rss()))
}

/// [`start_from_cache`] in a child process.
fn from_cache_child(
    dir: &Path,
    cache: &Path,
) -> Result<(Duration, u64), Box<dyn std::error::Error>> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("from-cache")
        .args([dir, cache])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    match (out.status.success(), fields.next(), fields.next()) {
        (true, Some(Ok(ns)), Some(Ok(rss))) => Ok((Duration::from_nanos(ns), rss)),
        _ => Err(format!(
            "from-cache failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into()),
    }
}

fn time(f: impl FnOnce()) -> Duration {
    let started = Instant::now();
    f();
    started.elapsed()
}

fn list_markdown(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push((path, meta.len()));
            }
        }
    }
    out
}

/// Just reading every file's bytes, on as many threads as the loader uses: the floor.
fn read_all(files: &[(PathBuf, u64)]) {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut total = 0usize;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((path, _)) = files.get(i) else { break };
                    total += std::fs::read(path).map(|b| b.len()).unwrap_or(0);
                }
                total
            });
        }
    });
}

/// Empties the kernel's page cache (needs root); false when that is not allowed here.
fn drop_caches() -> bool {
    let _ = std::process::Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

/// The reader's start: an empty library on screen at once, loading behind it.
fn first_frame(dir: &Path) -> (Duration, Duration) {
    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    let roots = vec![Root::Dir(dir.to_path_buf())];
    let loader = std::thread::spawn(move || {
        let _ = quire::content::loader::load_streaming(
            &roots,
            Duration::from_millis(400),
            |snapshot| {
                let _ = tx.send((started.elapsed(), snapshot.done));
            },
        );
    });
    let (app, mut draw) = reader(Arc::new(Library::empty()));
    draw(&app);
    let first_frame = started.elapsed();
    let first_snapshot = rx.recv().map(|(t, _)| t).unwrap_or_default();
    for _ in rx {}
    let _ = loader.join();
    (first_frame, first_snapshot)
}

/// The reader on a 120×40 screen, and a full draw of it into ratatui's test backend.
fn reader(library: Arc<Library>) -> (App, impl FnMut(&App)) {
    let app = App::new(
        library,
        Settings::default(),
        ReadState::new(),
        Rect::new(0, 0, 120, 40),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let draw = move |app: &App| {
        terminal
            .draw(|frame| quire::ui::draw(frame, app))
            .expect("draw");
    };
    (app, draw)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::from(code));
}

/// Key handling plus a full draw, per key: scrolling the biggest body, then paging the list.
fn drawing(library: &Arc<Library>) -> (Summary, Summary) {
    let (mut app, mut draw) = reader(Arc::clone(library));
    // The biggest post, laid out as the render worker would, then opened.
    let biggest = (0..library.items.len())
        .max_by_key(|&i| library.items[i].body.len())
        .expect("an item");
    let position = app
        .list
        .items
        .iter()
        .position(|&i| i == biggest)
        .expect("listed under All");
    key(&mut app, KeyCode::Tab);
    for _ in 0..position.min(10) {
        key(&mut app, KeyCode::Down);
    }
    app.list.selected = position;
    key(&mut app, KeyCode::Enter);
    let width = quire::app::body_text_area(app.panes().body.expect("body pane")).width;
    app.page_rendered(
        app.library_generation,
        Arc::new(item_page(library, biggest, &app.theme, width)),
    );
    draw(&app);
    // 400 keys, a page down every `page_every`, arrows between; each key timed with its frame.
    let mut press = |app: &mut App, page_every: usize| {
        let times: Vec<Duration> = (0..400)
            .map(|n| {
                let started = Instant::now();
                key(
                    app,
                    if n % page_every == 0 {
                        KeyCode::PageDown
                    } else {
                        KeyCode::Down
                    },
                );
                draw(app);
                started.elapsed()
            })
            .collect();
        Summary::of(&times)
    };
    let scroll = press(&mut app, 4);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Home);
    let list = press(&mut app, 2);
    (scroll, list)
}

fn saving(library: &Library) -> (Duration, Duration) {
    let dir = std::env::temp_dir().join(format!("quire-bench-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("state.toml");
    let mut state = ReadState::new();
    let now = Timestamp::now();
    for item in &library.items {
        state.set(&item.id, true, now);
    }
    // As the reader's saver does: it remembers the file it wrote last.
    let mut stamp = None;
    let first = time(|| {
        stamp = save_since(&path, &state, None).expect("save").1;
    });
    state.set(&library.items[0].id, false, Timestamp::now());
    let again = time(|| {
        save_since(&path, &state, stamp).expect("save");
    });
    let _ = std::fs::remove_dir_all(&dir);
    (first, again)
}

fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
