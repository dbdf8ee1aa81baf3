//! Where the reader was: restored at the next start (category, item, open folders, focus,
//! scroll position), kept beside the read state, tolerant of what vanished, and optional.
#![allow(clippy::unwrap_used)]

mod common;

use common::TempDir;
use common::pty::Session;
use common::screen::{app, bundled, press};
use quire::app::Focus;
use quire::state::{Pane, Place};

/// Keys from the start screen to the Uber bookmark (a long body), focused in the body.
const TO_UBER: &str = "jjjljljll<enter>";

#[test]
fn a_place_taken_from_one_reader_puts_another_in_the_same_spot() {
    let library = bundled();
    let mut first = app(library.clone(), 120, 40);
    press(&mut first, TO_UBER);
    press(&mut first, "<c-d><c-d>");
    let place = first.place();
    assert_eq!(place.focus, Pane::Body);
    assert!(
        place
            .item
            .as_deref()
            .unwrap()
            .contains("how-uber-conquered")
    );

    let mut second = app(library, 120, 40);
    second.restore_place(place);
    assert_eq!(second.focus, Focus::Body);
    assert_eq!(second.tree.selected_id(), first.tree.selected_id());
    assert_eq!(second.tree.expanded, first.tree.expanded);
    assert_eq!(second.list.selected, first.list.selected);
    assert_eq!(second.body.key, first.body.key);
    assert!(first.body.scroll > 0);
    assert_eq!(second.body.scroll, first.body.scroll, "same line");
    // Restoring opens the item without marking it read: nothing was read this run.
    assert_eq!(second.reading.take_changes(), None);
}

#[test]
fn what_vanished_is_skipped() {
    let library = bundled();
    let mut place = Place::default();
    place.category = vec!["No such".into(), "category".into()];
    place.expanded = vec![vec!["Gone".into()]];
    place.item = Some("no/such/item".into());
    place.focus = Pane::Body;
    let mut app = app(library, 120, 40);
    app.restore_place(place);
    // The item is not there: the list is shown, on All, at its first row.
    assert_eq!(app.focus, Focus::List);
    assert_eq!(app.tree.selected, 0);
    assert_eq!(app.list.selected, 0);
}

fn screen_after_reading(home: &TempDir, extra: &[&str]) -> String {
    let mut s = Session::start(home, home.path(), extra, 120, 40);
    s.wait_for_text("293/293");
    s.type_keys("jjjljljll\r");
    s.wait_for_text("How Uber Conquered Database Overload");
    s.send("\x04\x04"); // Ctrl-D twice: half-way down the long body
    let screen = s.wait_for_text(" READER ");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    screen
}

#[test]
fn a_restart_opens_the_same_item_at_the_same_line() {
    let home = TempDir::new("place-restart");
    let before = screen_after_reading(&home, &[]);
    assert!(home.path().join("state/quire/place.toml").exists());
    let mut s = Session::start(&home, home.path(), &[], 120, 40);
    let after = s.wait_for_text(" READER ");
    // The whole screen is the same: the tree, the list, the body at the same line, 42%.
    assert_eq!(after, before);
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn no_restore_opens_at_the_top_and_leaves_the_place_alone() {
    let home = TempDir::new("place-off");
    screen_after_reading(&home, &[]);
    let saved = std::fs::read_to_string(home.path().join("state/quire/place.toml")).unwrap();
    let mut s = Session::start(&home, home.path(), &["--no-restore"], 120, 40);
    let screen = s.wait_for_text(" CATEGORIES ");
    assert!(screen.contains("1/5"), "{screen}");
    s.type_keys("j");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let after = std::fs::read_to_string(home.path().join("state/quire/place.toml")).unwrap();
    assert_eq!(
        after, saved,
        "a run with --no-restore does not save its place"
    );
}

#[test]
fn the_config_can_turn_restoring_off() {
    let home = TempDir::new("place-config");
    home.write("config/quire/config.toml", "[reader]\nrestore = false\n");
    screen_after_reading(&home, &[]);
    assert!(!home.path().join("state/quire/place.toml").exists());
    let mut s = Session::start(&home, home.path(), &[], 120, 40);
    s.wait_for_text(" CATEGORIES ");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn an_item_opened_from_search_is_where_the_reader_comes_back() {
    let library = bundled();
    let mut first = app(library.clone(), 120, 40);
    press(&mut first, "/");
    press(&mut first, "codel lifo");
    // Run the search the app asked for, as the worker would.
    let index = quire::search::SearchIndex::build(&library);
    for effect in first.take_effects() {
        if let quire::app::Effect::Search {
            generation, query, ..
        } = effect
        {
            let results = quire::search::search(
                &index,
                &library,
                &quire::search::parse_query(&query).unwrap(),
                &quire::search::SearchOptions::default(),
            )
            .unwrap();
            first.search_results(generation, std::sync::Arc::new(results));
        }
    }
    press(&mut first, "<enter><c-d>");
    assert_eq!(first.focus, Focus::Body);
    let place = first.place();
    assert!(
        place
            .item
            .as_deref()
            .unwrap()
            .contains("how-uber-conquered")
    );
    let mut second = app(library, 120, 40);
    second.restore_place(place);
    assert_eq!(second.focus, Focus::Body);
    assert_eq!(second.body.key, first.body.key);
    assert_eq!(second.body.scroll, first.body.scroll);
}

#[test]
fn at_another_width_the_place_is_as_far_down_the_page() {
    let library = bundled();
    let mut first = app(library.clone(), 120, 40);
    press(&mut first, TO_UBER);
    press(&mut first, "<c-d><c-d><c-d>");
    let (line, lines) = (first.body.scroll, first.page().unwrap().lines.len());
    let place = first.place();
    let mut narrow = app(library, 100, 40);
    narrow.restore_place(place);
    let now = narrow.page().unwrap().lines.len();
    assert!(now > lines, "a narrower page is longer");
    let expected = (line * now / lines).min(narrow.body.max_scroll(narrow.body_height()));
    assert!(expected > line, "the same place is further down in lines");
    assert_eq!(narrow.body.scroll, expected);
}

#[test]
fn each_set_of_content_folders_keeps_its_own_place() {
    let home = TempDir::new("place-per-roots");
    home.write(
        "other/posts/one.md",
        "---\ntitle: Other one\ndate: 2024-01-01\n---\n\nText.\n",
    );
    home.write(
        "other/posts/two.md",
        "---\ntitle: Other two\ndate: 2024-02-01\n---\n\nText.\n",
    );
    let other = home.path().join("other");
    let other = other.to_str().unwrap();
    // The bundled library, left on a long bookmark.
    let before = screen_after_reading(&home, &[]);
    // Another library, left on its second item.
    let mut s = Session::start(&home, home.path(), &["--content", other], 120, 40);
    s.wait_for_text("All · 2/2");
    s.type_keys("ljj\r");
    s.wait_for_text(" READER ");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    // Back to the bundled library: where it was left, not reset by the other run.
    let mut s = Session::start(&home, home.path(), &[], 120, 40);
    let after = s.wait_for_text(" READER ");
    assert_eq!(after, before);
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    // And the other library comes back on its own item.
    let mut s = Session::start(&home, home.path(), &["--content", other], 120, 40);
    let screen = s.wait_for_text(" READER ");
    assert!(screen.contains("Other one"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}
