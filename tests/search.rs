//! Search over the bundled library and small fixtures: finding facts inside insights, typos,
//! ranking, filters, phrases, exclusions, snippets and highlight positions; and search in the
//! reader.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, OnceLock};

use common::screen::{app, bundled, press};
use quire::app::{App, Effect, Focus};
use quire::content::{ItemKind, Library, Root, load_library};
use quire::search::engine::Results;
use quire::search::{Field, SearchIndex, SearchOptions, parse_query, search};

fn bundled_index() -> &'static (Arc<Library>, SearchIndex) {
    static INDEX: OnceLock<(Arc<Library>, SearchIndex)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let library = bundled();
        let index = SearchIndex::build(&library);
        (library, index)
    })
}

fn run(text: &str) -> Results {
    let (library, index) = bundled_index();
    search_in(index, library, text)
}

/// `text` searched with the default options.
fn search_in(index: &SearchIndex, library: &Library, text: &str) -> Results {
    search(
        index,
        library,
        &parse_query(text).unwrap(),
        &SearchOptions::default(),
    )
    .unwrap()
}

/// The titles `text` finds, in order.
fn titles_in(index: &SearchIndex, library: &Library, text: &str) -> Vec<String> {
    search_in(index, library, text)
        .hits
        .iter()
        .map(|h| library.items[h.item].title.clone())
        .collect()
}

fn titles(text: &str) -> Vec<String> {
    let (library, _) = bundled_index();
    run(text)
        .hits
        .iter()
        .map(|h| library.items[h.item].title.clone())
        .collect()
}

fn first(text: &str) -> String {
    titles(text)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no results for {text:?}"))
}

/// Each query's first hit is the entry whose title starts with the expected words.
fn assert_each_first(cases: &[(&str, &str)]) {
    for &(query, expected) in cases {
        let got = first(query);
        assert!(
            got.starts_with(expected),
            "{query:?}: expected {expected:?} first, got {got:?}"
        );
    }
}

#[test]
fn facts_that_live_only_in_key_insights_find_their_entry_first() {
    // Each of these words appears in an insight line, not in the entry's title or description.
    let cases = [
        ("codel lifo", "How Uber Conquered Database Overload"),
        ("crypto shredding", "One Stone, Three Birds"),
        ("popcnt", "Optimizations Past Their Prime"),
        ("pg_repack", "VACUUM FULL Locked Our Database"),
        ("little's law", "How Uber Conquered Database Overload"),
        (
            "checkpoint_completion_target",
            "Importance of Tuning Checkpoint in PostgreSQL",
        ),
        ("BatchStartPointer", "How Uber Indexes Streaming Data"),
        ("DERP relay", "How Tailscale works"),
    ];
    assert_each_first(&cases);
}

#[test]
fn typos_and_unfinished_words_still_find_it() {
    let cases = [
        ("crypto shreding", "One Stone, Three Birds"),
        ("postgers vacuum", "VACUUM FULL Locked Our Database"),
        ("tailscle", "How Tailscale works"),
        (
            "checkpoint timout",
            "Importance of Tuning Checkpoint in PostgreSQL",
        ),
        ("sccahe", "sccache is pretty okay"),
        ("codel li", "How Uber Conquered Database Overload"),
        ("kdi", "The end of the road for kafka-delta-ingest"),
    ];
    assert_each_first(&cases);
}

#[test]
fn every_word_must_match() {
    assert!(titles("codel zebra").is_empty());
    let both = titles("kafka iceberg");
    assert!(
        both.iter()
            .any(|t| t.starts_with("Pinterest's CDC-Powered Ingestion")),
        "{both:?}"
    );
}

#[test]
fn title_hits_rank_above_body_hits() {
    let hits = titles("tailscale");
    assert_eq!(hits[0], "How Tailscale works");
    assert!(
        hits.contains(&"How NAT Traversal Works".to_string()),
        "a body-only hit is still found"
    );
    let results = run("tailscale");
    assert_eq!(results.hits[0].field, Field::Title);
    assert_eq!(results.hits[1].field, Field::Body);
}

#[test]
fn words_close_together_rank_above_scattered_ones() {
    // Both entries mention "lag"; only one has "replication lag" in one line.
    let hits = titles("replication lag");
    assert!(
        hits[0].starts_with("Automating RDS Postgres to Aurora Postgres Migration"),
        "{hits:?}"
    );
}

#[test]
fn filters_narrow_the_results() {
    let (library, index) = bundled_index();
    let kinds = |text: &str| -> Vec<ItemKind> {
        run(text)
            .hits
            .iter()
            .map(|h| library.items[h.item].kind)
            .collect()
    };
    assert!(kinds("rust kind:post").iter().all(|k| *k == ItemKind::Post));
    assert!(
        kinds("rust kind:bookmark")
            .iter()
            .all(|k| *k == ItemKind::Bookmark)
    );
    assert!(!kinds("rust kind:post").is_empty() && !kinds("rust kind:bookmark").is_empty());

    let in_postgres = run("wal in:postgresql");
    assert!(!in_postgres.hits.is_empty());
    for hit in &in_postgres.hits {
        let path = library.category_path(library.items[hit.item].category);
        assert!(path.contains(&"PostgreSQL"), "{path:?}");
    }

    // is:read / is:unread use the read marks handed in.
    let read_first = |i: usize| i == in_postgres.hits[0].item;
    let options = SearchOptions {
        is_read: Some(&read_first),
        ..SearchOptions::default()
    };
    let unread = search(
        index,
        library,
        &parse_query("wal in:postgresql is:unread").unwrap(),
        &options,
    )
    .unwrap();
    assert_eq!(unread.hits.len(), in_postgres.hits.len() - 1);
    let read = search(
        index,
        library,
        &parse_query("wal in:postgresql is:read").unwrap(),
        &options,
    )
    .unwrap();
    assert_eq!(read.hits.len(), 1);

    // Filters alone list everything they keep.
    assert_eq!(run("kind:post").total, 39);
}

#[test]
fn tags_filter_and_match() {
    let dir = common::TempDir::new("search-tags");
    dir.write(
        "a.md",
        "+++\ntitle = \"Alpha\"\ntags = [\"rust\", \"async\"]\n+++\nAbout tokio.",
    );
    dir.write(
        "b.md",
        "+++\ntitle = \"Beta\"\ntags = [\"python\"]\n+++\nAbout tokio too.",
    );
    let library = load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap();
    let index = SearchIndex::build(&library);
    let found = |text: &str| titles_in(&index, &library, text);
    assert_eq!(found("tokio tag:rust"), ["Alpha"]);
    assert_eq!(found("tag:py"), ["Beta"]);
    assert_eq!(found("async")[0], "Alpha");
    let results = search(
        &index,
        &library,
        &parse_query("async").unwrap(),
        &SearchOptions::default(),
    )
    .unwrap();
    assert_eq!(results.hits[0].field, Field::Tags);
}

#[test]
fn other_forms_of_a_word_are_found_below_the_word_itself() {
    let dir = common::TempDir::new("search-forms");
    dir.write(
        "a.md",
        "+++\ntitle = \"Depth\"\n+++\nThe queue grows when compilation is slow, one request at a time.",
    );
    dir.write(
        "b.md",
        "+++\ntitle = \"Pools\"\n+++\nRequests are queued when the workers are busy.",
    );
    dir.write(
        "c.md",
        "+++\ntitle = \"Other\"\n+++\nQuite unrelated, a quest.",
    );
    let library = load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap();
    let index = SearchIndex::build(&library);
    let results = |text: &str| search_in(&index, &library, text);
    let found = |text: &str| titles_in(&index, &library, text);
    // The word as written first, then its other forms (English stems, as Snowball has them:
    // `queues` is a form of `queue`, `queued` is not).
    assert_eq!(found("requests"), ["Pools", "Depth"]);
    assert_eq!(found("queues"), ["Depth"]);
    assert_eq!(found("compiled slow"), ["Depth"]);
    assert!(found("quests").contains(&"Other".to_string()));
    // The form found is what the snippet marks, whole.
    let hits = results("queues").hits;
    let snippet = hits[0].snippet.clone().unwrap();
    let marked: Vec<&str> = snippet
        .ranges
        .iter()
        .map(|r| &snippet.text[r.clone()])
        .collect();
    assert_eq!(marked, ["queue"], "{}", snippet.text);
    // Short words have no forms: `is` does not find `are`, nor `as` `a`.
    assert!(
        found("is").iter().all(|t| t == "Depth"),
        "{:?}",
        found("is")
    );
}

#[test]
fn phrases_must_appear_as_written() {
    // Four entries hold both words; one holds them side by side.
    let phrase = titles("\"read replica\"");
    let words = titles("read replica");
    assert!(phrase.len() < words.len(), "{phrase:?} vs {words:?}");
    assert!(phrase[0].starts_with("Automating RDS Postgres to Aurora Postgres Migration"));
    assert!(titles("\"replica read\"").is_empty());
    assert!(titles("\"load shedding\"")[0].starts_with("How Uber Conquered Database Overload"));
}

#[test]
fn excluded_words_drop_items() {
    let with = titles("uber");
    let without = titles("uber -parquet");
    assert!(with.iter().any(|t| t.starts_with("One Stone, Three Birds")));
    assert!(
        !without
            .iter()
            .any(|t| t.starts_with("One Stone, Three Birds"))
    );
    assert!(without.len() < with.len() && without.iter().all(|t| with.contains(t)));
    let (library, _) = bundled_index();
    for hit in run("uber -parquet").hits {
        let item = &library.items[hit.item];
        assert!(
            !format!("{} {}", item.title, item.body)
                .to_lowercase()
                .contains("parquet")
        );
    }
}

#[test]
fn snippets_show_the_best_line_with_its_words_marked() {
    let results = run("codel lifo");
    let snippet = results.hits[0].snippet.clone().unwrap();
    assert!(
        snippet
            .text
            .starts_with("Phase 2: CoDel (Controlled Delay) queuing with LIFO"),
        "{}",
        snippet.text
    );
    let marked: Vec<&str> = snippet
        .ranges
        .iter()
        .map(|r| &snippet.text[r.clone()])
        .collect();
    assert_eq!(marked, ["CoDel", "LIFO"]);
    // A prefix lights up only the letters typed.
    let results = run("shred");
    let snippet = results.hits.iter().find_map(|h| h.snippet.clone()).unwrap();
    let marked: Vec<&str> = snippet
        .ranges
        .iter()
        .map(|r| &snippet.text[r.clone()])
        .collect();
    assert!(
        marked.iter().all(|m| m.eq_ignore_ascii_case("shred")),
        "{marked:?}"
    );
}

#[test]
fn title_positions_mark_the_matched_letters() {
    let (library, _) = bundled_index();
    let results = run("tailscale");
    let hit = &results.hits[0];
    let title: Vec<char> = library.items[hit.item].title.chars().collect();
    let lit: String = hit.title_positions.iter().map(|&i| title[i]).collect();
    assert_eq!(lit, "Tailscale");
    assert_eq!(hit.title_positions, (4..13).collect::<Vec<_>>());
    // An acronym lights up the initials.
    let results = run("kdi");
    let hit = &results.hits[0];
    let title: Vec<char> = library.items[hit.item].title.chars().collect();
    let lit: String = hit.title_positions.iter().map(|&i| title[i]).collect();
    assert_eq!(lit, "kdi");
}

#[test]
fn a_cancelled_search_returns_nothing() {
    let (library, index) = bundled_index();
    let options = SearchOptions {
        cancelled: &|| true,
        ..SearchOptions::default()
    };
    assert!(search(index, library, &parse_query("rust").unwrap(), &options).is_none());
}

#[test]
fn the_users_synonyms_find_each_other_one_way_lists_only_forward() {
    let home = common::TempDir::new("search-synonyms");
    home.write(
        "lib/a.md",
        "+++\ntitle = \"Cluster\"\n+++\nWe run Kubernetes at home.",
    );
    home.write("lib/b.md", "+++\ntitle = \"Short\"\n+++\nOur k8s notes.");
    home.write(
        "lib/c.md",
        "+++\ntitle = \"Scripts\"\n+++\nJavaScript in the browser.",
    );
    home.write("lib/d.md", "+++\ntitle = \"Bits\"\n+++\nSome js here.");
    home.write(
        "config/syn.toml",
        "groups = [[\"k8s\", \"kubernetes\"]]\n[one_way]\njs = [\"javascript\"]\n",
    );
    home.write("config/quire.toml", "[search]\nsynonyms = \"syn.toml\"\n");
    let (config, lib) = (
        home.path().join("config/quire.toml"),
        home.path().join("lib"),
    );
    let on = [
        "--config",
        config.to_str().unwrap(),
        "--content",
        lib.to_str().unwrap(),
    ];
    let run = |args: &[&str]| common::quire(&home, &[&on[..], args].concat());
    let found = |query: &str| -> Vec<String> {
        let output = run(&["search", "--json", query]);
        assert!(output.status.success(), "{}", common::stderr(&output));
        common::json(&output)
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect()
    };
    // Each finds the other; the word as written first.
    assert_eq!(found("k8s"), ["Short", "Cluster"]);
    assert_eq!(found("kubernetes"), ["Cluster", "Short"]);
    // One way: `js` finds JavaScript, `javascript` does not find `js`.
    assert_eq!(found("js"), ["Bits", "Scripts"]);
    assert_eq!(found("javascript"), ["Scripts"]);

    // A file that cannot be used is named with its line; the search goes on without it.
    home.write("config/syn.toml", "groups = [[\"k8s\", \"kube rnetes\"]]\n");
    let output = run(&["search", "k8s"]);
    assert!(output.status.success());
    let said = common::stderr(&output);
    assert!(
        said.contains("syn.toml:1: `kube rnetes` is more than one word"),
        "{said}"
    );
    assert!(common::stdout(&output).contains("Short"));
}

#[test]
fn cli_search_prints_json_with_the_documented_fields() {
    let home = common::TempDir::new("search-cli");
    let output = common::quire(
        &home,
        &["search", "--json", "--limit", "2", "codel", "lifo"],
    );
    let hits = common::json(&output);
    let hits = hits.as_array().unwrap();
    assert!(!hits.is_empty() && hits.len() <= 2);
    let hit = &hits[0];
    assert!(
        hit["id"]
            .as_str()
            .unwrap()
            .starts_with("bookmarks/tech-insights/how-uber-conquered")
    );
    assert_eq!(hit["kind"], "bookmark");
    assert_eq!(hit["field"], "body");
    assert!(hit["score"].as_u64().unwrap() > 0);
    assert_eq!(hit["category"][0], "Bookmarks");
    assert!(hit["snippet"].as_str().unwrap().contains("CoDel"));
    let text = common::stdout(&common::quire(&home, &["search", "sccache"]));
    assert!(text.starts_with(" 1. sccache is pretty okay"), "{text}");
}

/// Runs the searches the app asked for, as the runtime's worker would.
fn settle(app: &mut App) {
    let (library, index) = bundled_index();
    for effect in app.take_effects() {
        if let Effect::Search {
            generation,
            query,
            read,
            ..
        } = effect
        {
            let is_read = |i: usize| read[i];
            let options = SearchOptions {
                limit: 200,
                is_read: Some(&is_read),
                ..SearchOptions::default()
            };
            let results = search(index, library, &parse_query(&query).unwrap(), &options).unwrap();
            app.search_results(generation, Arc::new(results));
        }
    }
}

#[test]
fn the_reader_searches_as_you_type_and_opens_at_the_match() {
    let mut app = app(bundled_index().0.clone(), 120, 40);
    press(&mut app, "<tab>jjj"); // somewhere in the list, to come back to
    press(&mut app, "/");
    assert_eq!(app.focus, Focus::List);
    for c in "codel lifo".chars() {
        press(&mut app, &c.to_string());
    }
    let asked = app.take_effects();
    assert_eq!(asked.len(), 10, "one search per keystroke");
    let Some(Effect::Search {
        generation,
        query,
        read,
        ..
    }) = asked.last().cloned()
    else {
        panic!("{asked:?}")
    };
    assert_eq!(query, "codel lifo");
    // A stale result (an older generation) is ignored.
    app.search_results(generation - 1, Arc::new(Results::default()));
    assert!(app.search.as_ref().unwrap().waiting);
    let (library, index) = bundled_index();
    let is_read = |i: usize| read[i];
    let options = SearchOptions {
        is_read: Some(&is_read),
        ..SearchOptions::default()
    };
    app.search_results(
        generation,
        Arc::new(search(index, library, &parse_query(&query).unwrap(), &options).unwrap()),
    );
    assert_eq!(app.search.as_ref().unwrap().results.hits.len(), 1);

    press(&mut app, "<enter>");
    assert_eq!(app.focus, Focus::Body);
    let marked = app
        .body
        .marked
        .as_ref()
        .expect("matches painted on the body");
    assert!(!marked.matches.is_empty());
    let page = app.page().unwrap();
    let top: String = page.lines[app.body.scroll..app.body.scroll + app.body_height()]
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        top.contains("Phase 2: CoDel (Controlled Delay)"),
        "scrolled to the match:\n{top}"
    );

    let (at, of) = app.body.match_position().unwrap();
    assert!(of >= 4, "CoDel and LIFO appear several times");
    press(&mut app, "n");
    assert_eq!(
        app.body.match_position(),
        Some((at + 1, of)),
        "n goes to the next match"
    );
    press(&mut app, "N");
    assert_eq!(app.body.match_position(), Some((at, of)));
    // N from the first match goes round to the last, and says so; n goes round back.
    for _ in 1..at {
        press(&mut app, "N");
    }
    assert_eq!(app.body.match_position(), Some((1, of)));
    press(&mut app, "N");
    assert_eq!(app.body.match_position(), Some((of, of)));
    assert_eq!(
        app.status.clone().unwrap().text,
        "search wrapped to the bottom"
    );
    press(&mut app, "n");
    assert_eq!(app.body.match_position(), Some((1, of)));
    assert_eq!(
        app.status.clone().unwrap().text,
        "search wrapped to the top"
    );

    press(&mut app, "<esc>"); // back to the results, not into the query box
    assert_eq!(app.focus, Focus::List);
    let panel = app.search.as_ref().unwrap();
    assert!(!panel.typing);
    press(&mut app, "j");
    assert_eq!(
        app.search.as_ref().unwrap().input,
        "codel lifo",
        "j moves, not types"
    );
    press(&mut app, "/");
    assert!(
        app.search.as_ref().unwrap().typing,
        "/ returns to the query"
    );
    press(&mut app, "<esc>"); // search closed, back where we were
    assert!(app.search.is_none());
    assert_eq!(app.focus, Focus::List);
    assert_eq!(app.list.selected, 3);
    assert!(app.body.marked.is_none());

    // `/` then Up recalls the last query.
    press(&mut app, "/<up>");
    assert_eq!(app.search.as_ref().unwrap().input, "codel lifo");
    settle(&mut app);
    assert_eq!(app.search.as_ref().unwrap().results.hits.len(), 1);
}

#[test]
fn typing_q_in_the_search_box_types_rather_than_quits() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "/quit");
    assert!(!app.should_quit);
    assert_eq!(app.search.as_ref().unwrap().input, "quit");
    press(&mut app, "<c-c>");
    assert!(app.should_quit, "Ctrl-C still quits");
}

/// A terminal sends Esc then a letter typed quickly after it as Alt+letter: that is not text.
#[test]
fn alt_letters_are_not_typed_into_the_search_box() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "/codel<a-q>");
    assert_eq!(app.search.as_ref().unwrap().input, "codel");
}

/// An excluded phrase is looked for in every body (read from the load cache if need be), so
/// that pass polls for cancellation too: a newer keystroke never waits for it.
#[test]
fn an_excluded_phrase_can_be_cancelled() {
    let (library, index) = bundled_index();
    let polls = |query: &str, cancel_at: usize| {
        let calls = std::cell::Cell::new(0);
        let cancelled = || {
            calls.set(calls.get() + 1);
            calls.get() >= cancel_at
        };
        let options = SearchOptions {
            cancelled: &cancelled,
            ..SearchOptions::default()
        };
        let found = search(index, library, &parse_query(query).unwrap(), &options);
        (calls.get(), found.is_some())
    };
    let (plain, _) = polls("postgres", usize::MAX);
    let (with_phrase, found) = polls("postgres -\"vacuum full\"", usize::MAX);
    assert!(found);
    assert!(with_phrase > plain, "the exclusion pass polls");
    // Cancelled at its first poll there: no results.
    assert!(!polls("postgres -\"vacuum full\"", plain).1);
}

#[test]
fn cli_search_refuses_unknown_filters_and_a_zero_limit() {
    let home = common::TempDir::new("search-cli-errors");
    for bad in ["is:bogus", "kind:foo"] {
        let output = common::quire(&home, &["search", "codel", bad]);
        assert!(!output.status.success());
        let err = common::stderr(&output);
        assert!(
            err.contains(bad) && err.contains("is:unread") && err.contains("kind:bookmark"),
            "{err}"
        );
    }
    let output = common::quire(&home, &["search", "--limit", "0", "codel"]);
    assert!(!output.status.success());
    assert!(common::stderr(&output).contains("1 or more"));
}

#[test]
fn cli_search_takes_a_query_of_excluded_words_only() {
    let home = common::TempDir::new("search-cli-exclude");
    let all = common::json(&common::quire(
        &home,
        &["search", "--json", "--limit", "999", "--", "-codel"],
    ));
    let all = all.as_array().unwrap();
    assert!(all.len() > 250, "{}", all.len());
    assert!(all.iter().all(|h| {
        !h["id"]
            .as_str()
            .unwrap()
            .starts_with("bookmarks/tech-insights/how-uber-conquered")
    }));
    // Without the `--`, the word reads as an option: the error says how to write it.
    let output = common::quire(&home, &["search", "-codel"]);
    assert_eq!(output.status.code(), Some(2));
    let err = common::stderr(&output);
    assert!(err.contains("quire search --json -- -codel"), "{err}");
    // Options may follow the query's words.
    let hits = common::json(&common::quire(
        &home,
        &["search", "codel", "--json", "--limit", "1"],
    ));
    assert_eq!(hits.as_array().unwrap().len(), 1);
    // A query that asks for nothing is refused.
    for empty in ["", "   ", "is:"] {
        let output = common::quire(&home, &["search", empty]);
        assert!(!output.status.success(), "{empty:?}");
        assert!(common::stderr(&output).contains("asks for nothing"));
    }
}

/// Types a query into a reader of the bundled library and takes its results.
fn searched(width: u16, height: u16, query: &str) -> App {
    let mut app = app(bundled_index().0.clone(), width, height);
    press(&mut app, "/");
    press(&mut app, query);
    settle(&mut app);
    app
}

/// The body's visible lines, joined (a wrapped line becomes one again, roughly).
fn body_view(app: &App) -> String {
    let page = app.page().unwrap();
    let end = (app.body.scroll + app.body_height()).min(page.lines.len());
    page.lines[app.body.scroll..end]
        .iter()
        .map(|l| {
            l.to_string()
                .trim_start_matches(['▌', ' ', '•'])
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn results_show_the_whole_matching_line_at_every_size() {
    for (w, h) in [(120, 40), (80, 24), (40, 12), (1, 1)] {
        let app = searched(w, h, "codel lifo");
        let screen = common::screen::text(&common::screen::draw(&app));
        common::screen::assert_snapshot(&format!("search_codel_lifo_{w}x{h}"), &screen);
        if w >= 80 {
            // Before Enter: the result names the category, and the preview beside it is
            // scrolled to the whole matching line, its words painted.
            assert!(
                screen.contains("Database & Storage Infrastructure"),
                "{screen}"
            );
            let flat = screen
                .lines()
                .map(|l| {
                    l.split('│')
                        .nth(3)
                        .unwrap_or("")
                        .trim_start_matches(['▌', ' ', '•'])
                        .trim_end_matches(['║', '█', ' '])
                })
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                flat.contains(
                    "Phase 2: CoDel (Controlled Delay) queuing with LIFO under pressure + Scorecard engine for per-tenant concurrency limits"
                ),
                "{screen}"
            );
            assert!(app.body.marked.is_some(), "matches painted before Enter");
        }
    }
}

#[test]
fn the_preview_follows_the_selected_result_to_its_matching_line() {
    let mut app = searched(120, 40, "wal");
    let hits = app.search.as_ref().unwrap().results.hits.clone();
    assert!(hits.len() >= 5);
    let mut checked = 0;
    for (n, hit) in hits.iter().enumerate().take(8) {
        assert_eq!(app.search.as_ref().unwrap().selected, n);
        assert_eq!(app.body.key, Some(quire::render::PageKey::Item(hit.item)));
        assert!(app.body.marked.is_some());
        if let Some(snippet) = &hit.snippet {
            // The first words of the snippet are on screen in the preview.
            let start: String = snippet
                .text
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            let view = body_view(&app);
            assert!(
                view.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&start),
                "result {n}: {start:?} not in view:\n{view}"
            );
            checked += 1;
        }
        press(&mut app, "<down>");
    }
    assert!(checked >= 3, "only {checked} results had a snippet");
    // Still typing: the query took no letters from the moves.
    assert_eq!(app.search.as_ref().unwrap().input, "wal");
}

#[test]
fn an_unknown_filter_says_so_in_the_results() {
    let mut app = searched(120, 40, "codel is:bogus");
    let panel = app.search.as_ref().unwrap();
    assert!(panel.results.hits.is_empty());
    let screen = common::screen::text(&common::screen::draw(&app));
    assert!(screen.contains("unknown filter \"is:bogus\""), "{screen}");
    // Shortened values are filters, not errors.
    let _ = &mut app;
    let app = searched(120, 40, "codel lifo is:u");
    assert!(app.search.as_ref().unwrap().error.is_none());
    assert_eq!(app.search.as_ref().unwrap().results.hits.len(), 1);
}

#[test]
fn a_click_selects_the_result_drawn_under_it() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = searched(120, 40, "wal");
    let panel = app.search.as_ref().unwrap();
    let width = usize::from(app.panes().list.unwrap().width - 2);
    let heights: Vec<usize> = panel
        .results
        .hits
        .iter()
        .take(3)
        .map(|h| quire::app::search::result_height(h, width))
        .collect();
    // The third result's first row: border, query line, then the first two results.
    let row = 1 + 1 + heights[0] + heights[1];
    app.handle_mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 5,
        row: row as u16,
        modifiers: KeyModifiers::NONE,
    });
    assert_eq!(app.search.as_ref().unwrap().selected, 2);
}

#[test]
fn ties_go_to_the_title_that_is_the_query_then_to_the_shorter_title() {
    // As awesome-rust lists them: the crate whose name is the query comes after others
    // sharing its owner; file order must not decide.
    let dir = common::TempDir::new("search-ties");
    dir.write(
        "bookmarks/rust.md",
        "# Awesome\n\n## Async\n\n\
         * [tokio-rs/toasty](https://github.com/tokio-rs/toasty) — An ORM for tokio\n\
         * [tokio-rs/tokio-console](https://github.com/tokio-rs/console) — A debugger for tokio\n\
         * [tokio-rs/tokio](https://github.com/tokio-rs/tokio) — A runtime for tokio\n\
         * [Tokio](https://tokio.rs) — The tokio site\n",
    );
    let library = load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap();
    let index = SearchIndex::build(&library);
    let hits = search(
        &index,
        &library,
        &parse_query("tokio").unwrap(),
        &SearchOptions::default(),
    )
    .unwrap()
    .hits;
    let titles: Vec<&str> = hits
        .iter()
        .map(|h| library.items[h.item].title.as_str())
        .collect();
    // The title that is the query, then the one whose last segment is (both fit exactly:
    // the shorter first), then the rest.
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert_eq!(titles[..2], ["Tokio", "tokio-rs/tokio"], "{titles:?}");
}

#[test]
fn a_result_is_shown_in_its_category_with_its_neighbours() {
    let mut app = app(bundled_index().0.clone(), 120, 40);
    press(&mut app, "/codel lifo");
    settle(&mut app);
    let hit = app.selected_item().expect("a result");
    press(&mut app, "<c-t>");
    assert!(app.search.is_none(), "the search is closed");
    assert_eq!(app.focus, Focus::List);
    let library = &app.library;
    assert_eq!(app.tree.selected_id(), library.items[hit].category);
    assert_eq!(
        app.list.selected_item(),
        Some(hit),
        "the list stands at the item"
    );
    assert!(app.list.items.len() > 1, "among its neighbours");
    // The status bar says where it is.
    let screen = common::screen::text(&common::screen::draw(&app));
    assert!(screen.contains("In Bookmarks"), "{screen}");
    // And from the results after looking at one (Esc back from the body), the same.
    press(&mut app, "/codel lifo");
    settle(&mut app);
    press(&mut app, "<enter><esc><c-t>");
    assert!(app.search.is_none());
    assert_eq!(app.list.selected_item(), Some(hit));
}

#[test]
fn the_preview_points_where_the_snippet_comes_from() {
    // `vacuum`: the first result's snippet is its description, the second's a body line.
    let mut app = searched(120, 40, "vacuum");
    let hits = app.search.as_ref().unwrap().results.hits.clone();
    let mut seen = (false, false);
    for (n, hit) in hits.iter().enumerate() {
        let snippet = hit.snippet.as_ref().expect("a snippet");
        let page = app.page().expect("the preview").clone();
        let marked = app.body.marked.as_ref().expect("matches painted");
        let current = marked.matches[app.body.current_match.expect("a current match")];
        match snippet.line {
            None => {
                let about = page.about_line.expect("an About line");
                assert!(
                    (about..page.body_start).contains(&current),
                    "result {n}: ▶ on line {current}, About at {about}"
                );
                seen.0 = true;
            }
            Some(_) => {
                assert!(current >= page.body_start, "result {n}: ▶ in the header");
                seen.1 = true;
            }
        }
        press(&mut app, "<down>");
    }
    assert_eq!(seen, (true, true), "both kinds of snippet were checked");
}

#[test]
fn the_reader_asks_for_highlighted_items_with_its_highlights() {
    use quire::state::{Highlight, ReadState, Timestamp};
    let library = bundled();
    let target = library
        .items
        .iter()
        .position(|i| i.body.contains("sccache"))
        .expect("an item about sccache");
    let item = &library.items[target];
    let at = item.body.find("sccache").unwrap();
    let mut state = ReadState::new();
    let h = Highlight::new(&item.id, &item.body, at..at + 7, None, Timestamp(1));
    state.put_highlight(h.id(), h);
    let mut app = App::new(
        Arc::clone(&library),
        quire::app::Settings::default(),
        state,
        ratatui::layout::Rect::new(0, 0, 120, 40),
    );
    press(&mut app, "/");
    for c in "is:highlighted".chars() {
        press(&mut app, &c.to_string());
    }
    let Some(Effect::Search {
        query, highlighted, ..
    }) = app.take_effects().last().cloned()
    else {
        panic!("no search asked for")
    };
    assert_eq!(query, "is:highlighted");
    let marked: Vec<usize> = (0..highlighted.len()).filter(|&i| highlighted[i]).collect();
    assert_eq!(marked, [target]);
    // The engine answers with that item alone.
    let (_, index) = bundled_index();
    let is_highlighted = |i: usize| highlighted[i];
    let options = SearchOptions {
        is_highlighted: Some(&is_highlighted),
        ..SearchOptions::default()
    };
    let results = search(index, &library, &parse_query(&query).unwrap(), &options).unwrap();
    let items: Vec<usize> = results.hits.iter().map(|h| h.item).collect();
    assert_eq!(items, [target]);
}

#[path = "../src/bin/quire-bench/questions.rs"]
mod questions;
use questions::meaning_questions;

#[test]
fn the_questions_for_search_by_meaning_stay_away_from_their_targets_words() {
    let (library, _) = bundled_index();
    let questions = meaning_questions();
    assert!(questions.len() >= 30, "{} questions", questions.len());
    let mut targets = std::collections::HashSet::new();
    let mut kinds = std::collections::HashSet::new();
    // Words too common to tell one item from another.
    const COMMON: &[&str] = &[
        "about", "after", "from", "into", "over", "that", "their", "them", "they", "this", "what",
        "when", "with", "your", "than", "then", "only", "many", "more",
    ];
    let words = |text: &str| -> std::collections::HashSet<String> {
        quire::search::tokenize::words(text)
            .map(|(_, w)| quire::search::tokenize::lower(w))
            .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()))
            // Compared by their first five letters: `consumer` and `consumers` are one word.
            .map(|w| w.chars().take(5).collect())
            .collect()
    };
    for (ask, target) in &questions {
        let item = library
            .find(target)
            .unwrap_or_else(|| panic!("no item {target} for {ask:?}"));
        assert!(targets.insert(target.clone()), "{target} asked twice");
        kinds.insert(item.kind);
        // Phrased away: at most one word of the question stands in the target's title.
        let shared: Vec<String> = words(ask)
            .intersection(&words(&item.title))
            .cloned()
            .collect();
        assert!(
            shared.len() <= 1,
            "{ask:?} shares {shared:?} with {:?}",
            item.title
        );
    }
    assert!(kinds.contains(&ItemKind::Post) && kinds.contains(&ItemKind::Bookmark));
}

#[test]
fn a_letter_typed_starts_the_results_at_the_best_and_the_same_query_asked_again_keeps_the_selection()
 {
    let mut app = searched(120, 40, "da");
    press(&mut app, "<down><down>");
    let panel = app.search.as_ref().unwrap();
    assert_eq!(panel.selected, 2);
    let chosen = panel.selected_item();
    // The same query answered again (meaning joining in, a reload): the selection stays on
    // its item.
    app.search_again();
    settle(&mut app);
    assert_eq!(app.search.as_ref().unwrap().selected_item(), chosen);
    // A letter typed: another query, whose results start at the best one.
    press(&mut app, "t");
    assert_eq!(app.search.as_ref().unwrap().input, "dat");
    settle(&mut app);
    let panel = app.search.as_ref().unwrap();
    assert!(panel.results.hits.len() > 3);
    assert_eq!(panel.selected, 0);
}

#[test]
fn r_among_the_results_searches_for_the_items_like_the_selected_one() {
    let mut app = searched(120, 40, "codel lifo");
    press(&mut app, "<enter>");
    assert_eq!(app.focus, Focus::Body);
    press(&mut app, "<esc>"); // back among the results, where letters refine the query
    let item = app.search.as_ref().unwrap().selected_item().unwrap();
    press(&mut app, "R");
    let id = &bundled_index().0.items[item].id;
    assert_eq!(
        app.search.as_ref().unwrap().input,
        format!("like:\"{id}\" "),
        "R is not typed"
    );
}

#[test]
fn a_saved_pages_own_title_finds_its_bookmark_and_is_the_snippet() {
    use quire::search::SavedText;
    let (library, index) = bundled_index();
    let bookmark = library
        .items
        .iter()
        .position(|i| i.kind == ItemKind::Bookmark)
        .expect("a bookmark");
    // Words neither the bookmark nor its saved text hold, only the page's title.
    let saved = [SavedText {
        item: bookmark,
        title: "Zorblaxian Quuxfield Engineering".into(),
        text: Arc::from("The article talks about something else entirely.\n"),
    }];
    let options = SearchOptions {
        saved: &saved,
        meaning: false,
        ..SearchOptions::default()
    };
    let ask = |text: &str| {
        search(index, library, &parse_query(text).unwrap(), &options).expect("not cancelled")
    };
    for query in [
        "zorblaxian quuxfield",
        "\"quuxfield engineering\"",
        "quuxfield entirely",
    ] {
        let results = ask(query);
        let hits: Vec<usize> = results.hits.iter().map(|h| h.item).collect();
        // Split between title and text, a query's words are not held by either passage.
        if query.ends_with("entirely") {
            assert!(hits.is_empty(), "{query}: {hits:?}");
            continue;
        }
        assert_eq!(hits, [bookmark], "{query}");
        let hit = &results.hits[0];
        assert_eq!(hit.field, Field::SavedPage);
        let snippet = hit.snippet.as_ref().expect("a snippet");
        assert_eq!(
            snippet.text, "▤ Zorblaxian Quuxfield Engineering",
            "{query}"
        );
    }
}
