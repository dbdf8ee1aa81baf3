//! Stars (read later): `s` in the reader, `u` undoes, `is:starred` finds them, and they are
//! kept with the read marks, across restarts and for the command line.
#![allow(clippy::unwrap_used)]

mod common;

use common::TempDir;
use common::pty::Session;
use common::screen::{app, assert_snapshot, bundled, draw, press, text};
use quire::search::{SearchIndex, SearchOptions, parse_query, search};

#[test]
fn s_stars_the_item_u_undoes_and_the_list_shows_a_star() {
    let library = bundled();
    let mut app = app(library.clone(), 120, 40);
    press(&mut app, "<tab>"); // the list of All, on its first item
    let item = app.list.selected_item().unwrap();
    press(&mut app, "s");
    assert!(app.reading.is_starred(item));
    assert!(!app.reading.is_read(item), "starring is not reading");
    let screen = text(&draw(&app));
    assert!(screen.contains("★ "), "{screen}");
    assert!(app.status.clone().unwrap().text.starts_with("Starred"));
    press(&mut app, "u");
    assert!(!app.reading.is_starred(item));
    press(&mut app, "s");
    // The change is saved with the read marks.
    let state = app.reading.take_changes().unwrap();
    assert!(state.is_starred(&library.items[item].id));

    // is:starred finds it, and only it.
    let index = SearchIndex::build(&library);
    let starred = |i: usize| i == item;
    let options = SearchOptions {
        is_starred: Some(&starred),
        limit: 500,
        ..SearchOptions::default()
    };
    let results = search(
        &index,
        &library,
        &parse_query("is:starred").unwrap(),
        &options,
    )
    .unwrap();
    assert_eq!(
        results.hits.iter().map(|h| h.item).collect::<Vec<_>>(),
        [item]
    );
}

#[test]
fn a_star_survives_a_restart_and_the_command_line_lists_it() {
    let home = TempDir::new("stars-restart");
    let mut s = Session::start(&home, home.path(), &["--no-restore"], 120, 40);
    s.wait_for_text("293/293");
    s.send("\t"); // the list: its first item
    s.type_keys("s");
    s.wait_for_text("Starred");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let listed = common::json(&common::quire(&home, &["list", "--starred", "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["starred"], true);
    let id = listed[0]["id"].as_str().unwrap().to_string();
    // The reader shows it starred after a restart.
    let mut s = Session::start(&home, home.path(), &["--no-restore"], 120, 40);
    s.send("\t");
    s.wait_for_text("★ ");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    // And the command line takes it off.
    let output = common::quire(&home, &["unstar", &id]);
    assert!(output.status.success());
    let listed = common::json(&common::quire(&home, &["list", "--starred", "--json"]));
    assert!(listed.as_array().unwrap().is_empty());
    let output = common::quire(&home, &["search", "is:starred"]);
    assert!(output.status.success());
}

#[test]
fn a_starred_node_at_the_top_of_the_tree_lists_every_star_with_counts() {
    let library = bundled();
    let mut app = app(library.clone(), 100, 30);
    assert!(
        !text(&draw(&app)).contains("Starred"),
        "no node while nothing is starred"
    );
    // A post and a bookmark, from two categories.
    press(&mut app, "<tab>s");
    let post = app.list.selected_item().unwrap();
    press(&mut app, "Gs");
    let bookmark = app.list.selected_item().unwrap();
    let screen = text(&draw(&app));
    let first_row = screen.lines().nth(1).unwrap();
    assert!(
        first_row.contains("★ Starred") && first_row.contains("2/2"),
        "{screen}"
    );
    assert_snapshot("tree_with_starred", &screen);

    // Selecting it lists both; the selection on All stayed on All meanwhile.
    press(&mut app, "<s-tab>gl");
    let mut listed = app.list.items.clone();
    listed.sort();
    let mut both = vec![post, bookmark];
    both.sort();
    assert_eq!(listed, both);
    let screen = text(&draw(&app));
    assert!(screen.contains("Starred · 2/2"), "{screen}");
    // Reading one counts down; unstarring both removes the node, and All is selected.
    press(&mut app, "g<enter>");
    let screen = text(&draw(&app));
    assert!(screen.lines().nth(1).unwrap().contains("1/2"), "{screen}");
    press(&mut app, "hgsjs");
    let screen = text(&draw(&app));
    assert!(!screen.contains("★ Starred"), "{screen}");
    assert_eq!(app.tree.selected_id(), quire::content::Library::ROOT);
}

#[test]
fn undo_outlives_a_reload_and_the_starred_node_its_place() {
    let library = bundled();
    let mut app = app(library.clone(), 100, 30);
    press(&mut app, "<tab>s<s-tab>g");
    assert_eq!(app.node_name(app.tree.selected_id()), "Starred");
    // A reload (the same files: a new library all the same) keeps the node selected, and `u`
    // still takes the star off.
    let fresh = std::sync::Arc::new((*library).clone());
    app.library_reloaded(
        fresh,
        &quire::content::reload::Changes::default(),
        quire::app::Reason::ByHand,
    );
    assert_eq!(app.node_name(app.tree.selected_id()), "Starred");
    press(&mut app, "u");
    assert!(app.reading.starred().is_empty());
    assert_eq!(app.tree.selected_id(), quire::content::Library::ROOT);
}
