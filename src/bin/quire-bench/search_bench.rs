//! The search benchmark: index build time and size, and the latency of every keystroke of
//! five queries typed one character at a time.

use std::time::{Duration, Instant};

use quire::content::Library;
use quire::search::{SearchIndex, SearchOptions, parse_query, search};

use crate::generate::Rng;
use crate::stats::{Summary, fmt_ms};

pub struct Report {
    /// A keystroke handled by the reader and the frame drawn (the search itself runs on a
    /// worker thread and is not part of this).
    pub echo: Summary,
    pub build: Duration,
    /// Search by meaning's vectors, made after the index (`SearchIndex::fill_vectors`).
    pub vectors: Duration,
    pub index_bytes: usize,
    pub vocabulary: usize,
    /// Words and meaning, as the reader searches by default.
    pub keystrokes: Summary,
    /// Words only (`[search] meaning = false`, `--exact`).
    pub words_only: Summary,
    pub per_query: Vec<(String, Summary, usize)>,
}

/// Five queries made of words that really occur in the library, of the kinds people type:
/// two insight words, a typo, a filter with a word, three words, and a long prefix.
pub fn queries(library: &Library, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x9e37);
    let words_of = |rng: &mut Rng, min_len: usize| -> Vec<String> {
        for _ in 0..1000 {
            let item = &library.items[rng.below(library.items.len())];
            let line_words: Vec<String> = item
                .body
                .lines()
                .nth(rng.below(item.body.lines().count().max(1)))
                .unwrap_or("")
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() >= min_len)
                .map(str::to_lowercase)
                .collect();
            if line_words.len() >= 3 {
                return line_words;
            }
        }
        vec!["data".into(), "storage".into(), "latency".into()]
    };
    let a = words_of(&mut rng, 4);
    let b = words_of(&mut rng, 6);
    let c = words_of(&mut rng, 4);
    let d = words_of(&mut rng, 4);
    let e = words_of(&mut rng, 8);
    let typo = {
        let mut chars: Vec<char> = b[0].chars().collect();
        let i = chars.len() / 2;
        chars.swap(i, i + 1);
        chars.into_iter().collect::<String>()
    };
    vec![
        format!("{} {}", a[0], a[1]),
        typo,
        format!("kind:bookmark {}", c[0]),
        format!("{} {} {}", d[0], d[1], d[2]),
        e[0][..e[0].len().min(7)].to_string(),
    ]
}

pub fn run(library: &Library, queries: &[String]) -> Report {
    // The best of three builds: the first also pays for cold allocator pages.
    let mut build = Duration::MAX;
    let mut index = SearchIndex::default();
    for _ in 0..3 {
        let started = Instant::now();
        index = SearchIndex::build(library);
        build = build.min(started.elapsed());
    }
    let started = Instant::now();
    index.fill_vectors(library);
    let vectors = started.elapsed();
    let (words_only, _) = type_queries(library, &index, queries, false);
    let (keystrokes, per_query) = type_queries(library, &index, queries, true);
    Report {
        echo: echo_latency(library, &index, queries),
        build,
        vectors,
        index_bytes: index.heap_bytes(),
        vocabulary: index.vocabulary_len(),
        keystrokes,
        words_only,
        per_query,
    }
}

/// Every prefix of every query searched, by words only or by words and meaning: the time of
/// each, overall and per query (with the matches of the whole query).
fn type_queries(
    library: &Library,
    index: &SearchIndex,
    queries: &[String],
    meaning: bool,
) -> (Summary, Vec<(String, Summary, usize)>) {
    let options = SearchOptions {
        limit: 200,
        meaning,
        ..SearchOptions::default()
    };
    let mut all = Vec::new();
    let mut per_query = Vec::new();
    for query in queries {
        let mut times = Vec::new();
        let mut last_hits = 0;
        for end in query.char_indices().map(|(i, c)| i + c.len_utf8()) {
            let typed = &query[..end];
            let started = Instant::now();
            let results = search(
                index,
                library,
                &parse_query(typed).expect("bench queries parse"),
                &options,
            );
            times.push(started.elapsed());
            last_hits = results.map_or(0, |r| r.total);
        }
        all.extend(times.iter().copied());
        per_query.push((query.clone(), Summary::of(&times), last_hits));
    }
    (Summary::of(&all), per_query)
}

/// Types each query into the reader's search box and draws a 120×40 frame after each key,
/// with the previous keystroke's results on screen, as the runtime would.
fn echo_latency(library: &Library, index: &SearchIndex, queries: &[String]) -> Summary {
    use crossterm::event::{KeyCode, KeyEvent};
    use quire::app::{App, Effect, Settings};
    use quire::state::ReadState;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use std::sync::Arc;

    let library = Arc::new(library.clone());
    let mut app = App::new(
        Arc::clone(&library),
        Settings::default(),
        ReadState::new(),
        Rect::new(0, 0, 120, 40),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test terminal");
    let mut times = Vec::new();
    for query in queries {
        app.handle_key(KeyEvent::from(KeyCode::Char('/')));
        for c in query.chars() {
            let started = Instant::now();
            app.handle_key(KeyEvent::from(KeyCode::Char(c)));
            terminal
                .draw(|frame| quire::ui::draw(frame, &app))
                .expect("draw");
            times.push(started.elapsed());
            // The worker's answer arrives between keystrokes.
            for effect in app.take_effects() {
                if let Effect::Search {
                    generation, query, ..
                } = effect
                {
                    let options = SearchOptions {
                        limit: 100,
                        meaning: true,
                        ..SearchOptions::default()
                    };
                    if let Some(results) = search(
                        index,
                        &library,
                        &parse_query(&query).expect("bench queries parse"),
                        &options,
                    ) {
                        app.search_results(generation, Arc::new(results));
                    }
                }
            }
        }
        app.handle_key(KeyEvent::from(KeyCode::Esc));
    }
    Summary::of(&times)
}

pub fn print(report: &Report) {
    println!(
        "  index build        {}  ({} words, {:.1} MiB with the vectors)",
        fmt_ms(report.build),
        report.vocabulary,
        report.index_bytes as f64 / 1_048_576.0
    );
    println!(
        "  vectors            {}  (search by meaning; made after the index, on its own thread)",
        fmt_ms(report.vectors)
    );
    println!(
        "  keystroke → drawn    p50 {}  p99 {}  max {}  (the echo; search runs on its own thread)",
        fmt_ms(report.echo.p50),
        fmt_ms(report.echo.p99),
        fmt_ms(report.echo.max)
    );
    println!(
        "  keystroke → results  p50 {}  p99 {}  max {}  ({} keystrokes, words and meaning)",
        fmt_ms(report.keystrokes.p50),
        fmt_ms(report.keystrokes.p99),
        fmt_ms(report.keystrokes.max),
        report.keystrokes.count
    );
    println!(
        "  words only           p50 {}  p99 {}  max {}",
        fmt_ms(report.words_only.p50),
        fmt_ms(report.words_only.p99),
        fmt_ms(report.words_only.max),
    );
    for (query, summary, hits) in &report.per_query {
        println!(
            "    {:<40} p50 {}  p99 {}  → {} matches",
            format!("{query:?}"),
            fmt_ms(summary.p50),
            fmt_ms(summary.p99),
            hits
        );
    }
}
