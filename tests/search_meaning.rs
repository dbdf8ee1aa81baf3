//! Search by meaning (issue #26) over the bundled library: below the items holding every word
//! of a query, the items near it in meaning and those holding some of its words. The matches
//! by words keep their place and order whatever meaning adds; the commands say how each
//! result was found, and `--exact` or `[search] meaning = false` leave meaning out.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use common::{TempDir, json, quire, stdout};
use quire::content::{ItemKind, Library, Root, load_library};
use quire::search::engine::{MEANING_MARK, Results};
use quire::search::{Matched, SearchIndex, SearchOptions, parse_query, search};

#[path = "../src/bin/quire-bench/questions.rs"]
mod questions;

fn bundled() -> &'static (Library, SearchIndex) {
    static BUNDLED: OnceLock<(Library, SearchIndex)> = OnceLock::new();
    BUNDLED.get_or_init(|| {
        let library = load_library(&[Root::Bundled]).unwrap();
        let index = SearchIndex::build(&library);
        index.fill_vectors(&library);
        (library, index)
    })
}

fn ask_in(index: &SearchIndex, library: &Library, text: &str, meaning: bool) -> Results {
    let options = SearchOptions {
        limit: 50,
        meaning,
        ..SearchOptions::default()
    };
    search(index, library, &parse_query(text).unwrap(), &options).unwrap()
}

fn ask(text: &str, meaning: bool) -> Results {
    let (library, index) = bundled();
    ask_in(index, library, text, meaning)
}

fn ids(results: &Results) -> Vec<&'static str> {
    let (library, _) = bundled();
    results
        .hits
        .iter()
        .map(|h| library.items[h.item].id.as_str())
        .collect()
}

fn rank_of(results: &Results, id: &str) -> Option<usize> {
    ids(results).iter().position(|i| *i == id)
}

#[test]
fn the_matches_by_words_come_first_in_their_own_order() {
    // Several words each (one word that items hold lists only them): typos, prefixes, forms,
    // filters and exclusions among them.
    let queries = [
        "codel lifo",
        "postgers vacuum",
        "checkpoint timout",
        "kafka iceberg",
        "kafka consumer proxy",
        "rust async runtime",
        "tail latency hedging",
        "kind:post rust compile",
        "is:unread database lock",
        "storage -postgres engine",
        "cache compiled",
        "wal",
    ];
    for q in queries {
        let words = ask(q, false);
        let both = ask(q, true);
        assert_eq!(both.total, words.total, "{q}");
        let matched = ids(&words);
        assert_eq!(&ids(&both)[..matched.len()], &matched[..], "{q}");
        assert!(
            both.hits[..matched.len()]
                .iter()
                .all(|h| h.matched != Matched::Meaning),
            "{q}: a match by words says so"
        );
        let below = &both.hits[matched.len()..];
        for hit in below {
            assert!(
                !matched.contains(&bundled().0.items[hit.item].id.as_str()),
                "{q}: listed twice"
            );
        }
        assert!(
            below.len() <= both.near,
            "{q}: {} listed, {} near",
            below.len(),
            both.near
        );
        // Nothing else in the library is about CoDel or LIFO queues: what filled in below
        // them was the distilled model's noise ("LibJS chosen as first target…" at 0.44).
        if q == "codel lifo" {
            assert!(
                below.iter().all(|h| h.matched != Matched::Meaning),
                "{q}: nothing is near by meaning alone"
            );
        } else if q.split(' ').count() > 1 {
            assert!(
                !below.is_empty(),
                "{q}: meaning fills in below several words"
            );
        }
    }
}

#[test]
fn a_question_in_other_words_finds_its_item() {
    // The issue's own examples: none shares a word with its target's title. Both stood 4th
    // when this was written (the third, "picking a virtual machine size in the cloud", finds
    // nothing of "Some AWS EC2 Instance Choices", an item with a title only: the model knows
    // neither `aws` nor `ec2`).
    let cases = [
        (
            "cache compiled Rust between CI runs",
            "howdy/sccache-is-pretty-okay",
            5,
        ),
        (
            "why is my async code slower with more threads",
            "howdy/parallelism-is-a-little-tricky",
            5,
        ),
    ];
    for (question, target, within) in cases {
        assert!(
            rank_of(&ask(question, false), target).is_none(),
            "{question}: not found by its words"
        );
        let found = ask(question, true);
        let rank = rank_of(&found, target);
        assert!(
            rank.is_some_and(|r| r < within),
            "{question}: {target} at {rank:?}: {:?}",
            ids(&found)
        );
    }
}

#[test]
fn what_is_found_by_meaning_shows_its_nearest_passage_marked_as_such() {
    let found = ask(
        "table cleanup command blocked the shop on the busiest sales day",
        true,
    );
    assert_eq!(found.total, 0, "no item holds every word");
    assert!(!found.hits.is_empty());
    let by_meaning: Vec<_> = found
        .hits
        .iter()
        .filter(|h| h.matched == Matched::Meaning)
        .collect();
    assert!(!by_meaning.is_empty());
    for hit in by_meaning {
        let snippet = hit.snippet.as_ref().unwrap();
        assert!(snippet.text.starts_with(MEANING_MARK), "{snippet:?}");
        assert!(
            snippet.ranges.is_empty(),
            "no word lit: it matched by meaning"
        );
        assert!(hit.title_positions.is_empty());
    }
}

#[test]
fn one_word_that_items_hold_lists_only_them() {
    for word in ["codel", "kafka", "vacuum"] {
        assert_eq!(ids(&ask(word, true)), ids(&ask(word, false)), "{word}");
    }
    // A word nothing holds, not even by a near spelling: the nearest are listed.
    assert!(ask("zyxwvq", false).hits.is_empty());
    let nearest = ask("zyxwvq", true);
    assert_eq!(nearest.total, 0);
    assert!(nearest.hits.iter().all(|h| h.matched == Matched::Meaning));
}

#[test]
fn filters_hold_for_what_meaning_finds() {
    let (library, _) = bundled();
    let found = ask("kind:post cache compiled Rust between CI runs", true);
    assert!(!found.hits.is_empty());
    assert!(
        found
            .hits
            .iter()
            .all(|h| library.items[h.item].kind == ItemKind::Post)
    );
    let found = ask("in:postgres table cleanup blocked the shop", true);
    for hit in &found.hits {
        let path = library
            .category_path(library.items[hit.item].category)
            .join(" ");
        assert!(path.to_lowercase().contains("postgres"), "{path}");
    }
    let found = ask("cache compiled Rust between CI runs -sccache", true);
    assert!(rank_of(&found, "howdy/sccache-is-pretty-okay").is_none());
}

#[test]
fn the_question_set_keeps_what_it_reached() {
    // Issue #26 asks for 90 % of these in the top 3, and `quire-bench meaning` measures it;
    // this only keeps the search from falling back below what it reached (17 of 33 when it
    // was built on 2026-12-07, 19 with the taught model of 2026-12-08), so that a change that
    // loses questions is seen.
    let (library, index) = bundled();
    let questions = questions::meaning_questions();
    let in_top3 = questions
        .iter()
        .filter(|(ask, target)| {
            let found = ask_in(index, library, ask, true);
            rank_of(&found, target).is_some_and(|r| r < 3)
        })
        .count();
    assert!(
        in_top3 >= 19,
        "{in_top3} of {} in the top 3",
        questions.len()
    );
}

#[test]
fn the_index_keeps_its_vectors_through_the_load_cache() {
    use quire::store::codec::{Reader, Writer};
    let (library, index) = bundled();
    let mut bytes = Vec::new();
    let mut w = Writer::to(&mut bytes);
    index.encode(&mut w);
    w.finish().unwrap();
    let back = SearchIndex::decode(&mut Reader::new(&bytes)).unwrap();
    let q = "a proxy that pushes log stream messages to many services instead of them polling";
    assert_eq!(
        ids(&ask_in(&back, library, q, true)),
        ids(&ask_in(index, library, q, true))
    );
}

#[test]
fn the_command_says_how_each_result_was_found_and_exact_leaves_meaning_out() {
    let home = TempDir::new("meaning-cli");
    let q = "cache compiled Rust between CI runs";
    let found = json(&quire(&home, &["search", "--json", "--limit", "5", q]));
    let hits = found.as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["id"] == "howdy/sccache-is-pretty-okay"),
        "{found}"
    );
    for hit in hits {
        let matched = hit["matched"].as_str().unwrap();
        assert!(["words", "meaning", "both"].contains(&matched), "{hit}");
    }
    // Holding some of the words and near in meaning: both.
    assert!(hits.iter().any(|h| h["matched"] == "both"), "{found}");
    let found = json(&quire(
        &home,
        &[
            "search",
            "--json",
            "--limit",
            "20",
            "table cleanup blocked the shop on the busiest sales day",
        ],
    ));
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["matched"] == "meaning"),
        "{found}"
    );

    let text = stdout(&quire(&home, &["search", "--limit", "3", q]));
    assert!(text.contains("no item holds every word"), "{text}");
    assert!(text.contains(MEANING_MARK), "{text}");

    let exact = quire(&home, &["search", "--exact", q]);
    assert!(
        stdout(&exact).starts_with("no matches"),
        "{}",
        stdout(&exact)
    );
    let exact = json(&quire(
        &home,
        &["search", "--exact", "--json", "codel lifo"],
    ));
    assert_eq!(exact.as_array().unwrap().len(), 1);
    assert_eq!(exact[0]["matched"], "words");

    // The config can leave meaning out of every search.
    home.write("config/quire/config.toml", "[search]\nmeaning = false\n");
    let off = quire(&home, &["search", q]);
    assert!(stdout(&off).starts_with("no matches"), "{}", stdout(&off));
}

/// The item of the bundled library about tuning PostgreSQL's checkpoints, with four other
/// PostgreSQL bookmarks beside it in its category.
const CHECKPOINT: &str = "bookmarks/tech-insights/importance-of-tuning-checkpoint-in-postgresql";

#[test]
fn like_lists_the_items_nearest_to_one_item_with_their_passages() {
    let (library, _) = bundled();
    let near = ask(&format!("like:{CHECKPOINT}"), false);
    // Asked for explicitly, it needs no `meaning` option; nothing holds words, all are near.
    assert_eq!(near.total, 0);
    assert!(near.near >= 10, "{}", near.near);
    let found = ids(&near);
    assert!(
        !found.contains(&CHECKPOINT),
        "the item itself is not like itself"
    );
    let postgres = found[..5]
        .iter()
        .filter(|id| {
            let item = library.find(id).unwrap();
            library.category_path(item.category).contains(&"PostgreSQL")
                || item.title.contains("Postgre")
        })
        .count();
    assert!(postgres >= 3, "{found:?}");
    for hit in &near.hits {
        assert_eq!(hit.matched, Matched::Meaning);
        let snippet = hit.snippet.as_ref().unwrap();
        assert!(snippet.text.starts_with(MEANING_MARK), "{}", snippet.text);
    }

    // Words narrow them: only items holding every word, still nearest first.
    let narrowed = ask(&format!("like:{CHECKPOINT} aurora"), false);
    assert!(!narrowed.hits.is_empty());
    for hit in &narrowed.hits {
        assert_eq!(hit.matched, Matched::Both);
        let item = &library.items[hit.item];
        let text = format!(
            "{} {} {}",
            item.title,
            item.description.as_deref().unwrap_or(""),
            item.body
        );
        assert!(text.to_lowercase().contains("aurora"), "{}", item.title);
    }
    // Of the same items, in the same order as without the word.
    let in_both: Vec<_> = ids(&narrowed)
        .into_iter()
        .filter(|id| found.contains(id))
        .collect();
    let expected: Vec<_> = found
        .iter()
        .copied()
        .filter(|id| in_both.contains(id))
        .collect();
    assert!(!in_both.is_empty());
    assert_eq!(in_both, expected);

    // A word chooses items holding it as typed, not a typo away (`cargo` is not `Argo`).
    let cargo = ask("like:howdy/sccache-is-pretty-okay cargo", false);
    assert!(!cargo.hits.is_empty());
    for hit in &cargo.hits {
        let item = &library.items[hit.item];
        let text = format!("{} {}", item.title, item.body).to_lowercase();
        assert!(text.contains("cargo"), "{}", item.title);
    }

    assert!(ask("like:no/such-item", false).hits.is_empty());
}

#[test]
fn the_related_command_lists_the_nearest_items_and_refuses_an_unknown_id() {
    let home = TempDir::new("meaning-related");
    let out = quire(&home, &["related", CHECKPOINT, "--limit", "3"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with(
            "Nearest in meaning to \"Importance of Tuning Checkpoint in PostgreSQL\":"
        ),
        "{text}"
    );
    assert!(text.contains(" 3. ") && !text.contains(" 4. "), "{text}");
    assert!(text.contains(MEANING_MARK), "{text}");
    assert!(!text.contains("no item holds every word"), "{text}");
    assert!(
        text.contains("(3 shown of ") && text.contains(" near;"),
        "{text}"
    );

    let found = json(&quire(&home, &["related", "--json", CHECKPOINT]));
    let hits = found.as_array().unwrap();
    assert_eq!(hits.len(), 10, "ten by default");
    assert!(hits.iter().all(|h| h["matched"] == "meaning"), "{found}");
    assert!(hits.iter().all(|h| h["id"] != CHECKPOINT), "{found}");
    // The same list as the reader's search for like:ID.
    let searched = json(&quire(
        &home,
        &[
            "search",
            "--json",
            "--limit",
            "10",
            &format!("like:{CHECKPOINT}"),
        ],
    ));
    assert_eq!(found, searched);

    // Asked for by name, it needs meaning on no more than the engine does.
    let off = TempDir::new("meaning-related-off");
    off.write("config/quire/config.toml", "[search]\nmeaning = false\n");
    let like = format!("like:{CHECKPOINT}");
    let found = json(&quire(
        &off,
        &["search", "--exact", "--json", "--limit", "10", &like],
    ));
    assert_eq!(found, searched);

    // An unknown id is an error, by either way of asking, with the ids nearest to it.
    for args in [
        &["related", "howdy/sccache-is-pretty"][..],
        &["search", "like:howdy/sccache-is-pretty cargo"][..],
    ] {
        let unknown = quire(&home, args);
        assert_eq!(unknown.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&unknown.stderr);
        assert!(
            err.contains("no item with id `howdy/sccache-is-pretty`")
                && err.contains("howdy/sccache-is-pretty-okay"),
            "{err}"
        );
    }
}

#[test]
fn the_readers_key_searches_for_the_items_like_the_selected_one() {
    use common::screen::{app, press};
    use quire::app::Effect;
    use std::sync::Arc;

    let (library, index) = bundled();
    let mut reader = app(Arc::new(load_library(&[Root::Bundled]).unwrap()), 120, 40);
    press(&mut reader, "<tab>j");
    press(&mut reader, "R");
    let asked = reader.take_effects();
    let Some(Effect::Search {
        generation, query, ..
    }) = asked
        .iter()
        .rev()
        .find(|e| matches!(e, Effect::Search { .. }))
        .cloned()
    else {
        panic!("no search asked: {asked:?}")
    };
    let id = query
        .strip_prefix("like:\"")
        .and_then(|rest| rest.split_once('"'))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("{query}"));
    assert!(library.find(&id).is_some(), "{id}");
    let options = SearchOptions {
        limit: 200,
        ..SearchOptions::default()
    };
    let results = search(index, library, &parse_query(&query).unwrap(), &options).unwrap();
    reader.search_results(generation, Arc::new(results));
    let panel = reader.search.as_ref().unwrap();
    assert_eq!(
        panel.input, query,
        "the query stays in the box, to add words to"
    );
    assert!(!panel.results.hits.is_empty());
    // The title names the item (the box may show only the end of its id).
    let title: String = library.find(&id).unwrap().title.chars().take(20).collect();
    let screen = common::screen::text(&common::screen::draw(&reader));
    assert!(
        screen.contains(" near · like “") && screen.contains(&format!("like “{title}")),
        "{screen}"
    );
    assert!(
        panel
            .results
            .hits
            .iter()
            .all(|h| library.items[h.item].id != id)
    );
}

#[test]
fn check_verbose_pairs_the_insights_that_say_one_thing_twice() {
    let home = TempDir::new("meaning-duplicates");
    let out = quire(&home, &["check", "--verbose"]);
    assert!(out.status.success(), "near-duplicates are not problems");
    let text = stdout(&out);
    let group = text
        .split("near-duplicate insights (")
        .find(|g| g.contains("Per (lambda, priority) pair"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        group.contains("Each lambda-priority pair gets dedicated SQS queue"),
        "{group}"
    );
    assert!(
        group.contains("bookmarks/tech-insights.md:230 \"How Dropbox Designed ATF"),
        "{group}"
    );
    // 9 with the distilled model; the taught one adds three, read by hand: two say one thing
    // twice (R2 SQL's row groups, Aurora's halted upgrade), one pairs a diagnosis with its
    // root cause.
    assert!(
        text.contains("12 pairs of near-duplicate insights (alike from 0.80; not problems)"),
        "{text}"
    );
    let plain = stdout(&quire(&home, &["check"]));
    assert!(!plain.contains("near-duplicate"), "{plain}");
}

#[test]
fn a_query_typed_letter_by_letter_ends_as_if_asked_at_once() {
    let q = "table cleanup blocked the shop on the busiest sales day";
    let whole = std::thread::spawn(move || ids(&ask(q, true)))
        .join()
        .unwrap();
    let typed = std::thread::spawn(move || {
        for end in 1..q.len() {
            if q.is_char_boundary(end) {
                ask(&q[..end], true);
            }
        }
        ids(&ask(q, true))
    })
    .join()
    .unwrap();
    assert_eq!(typed, whole);
}

#[test]
fn below_a_full_match_the_items_holding_some_of_the_words_still_fill_in() {
    // One item holds both words; dozens hold "engineer" alone. A full match's weight (every
    // word) is not what the partial ones are measured against.
    let (library, _) = bundled();
    let found = ask("senior engineer", true);
    assert_eq!(found.total, 1);
    let holding: Vec<_> = found.hits[1..]
        .iter()
        .filter(|h| h.matched != Matched::Meaning)
        .collect();
    assert!(holding.len() >= 10, "{:?}", ids(&found));
    // Each holds a word of the query (or another form of it) in a field of its own.
    for hit in holding {
        let item = &library.items[hit.item];
        let text = format!(
            "{} {} {} {} {}",
            item.title,
            item.description.as_deref().unwrap_or(""),
            item.tags.join(" "),
            item.body,
            library.category_path(item.category).join(" ")
        )
        .to_lowercase();
        assert!(
            text.contains("engin") || text.contains("senior"),
            "{}",
            item.title
        );
    }
}
