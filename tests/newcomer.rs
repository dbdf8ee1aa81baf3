//! What a new user meets first: the reader on a big library it has never seen, started
//! without a cache and without a place to restore.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::TempDir;
use common::pty::Session;
use common::screen::{app, press};
use quire::content::{Library, Root, load_library};

const POSTS: usize = 5_600;

/// `POSTS` dated posts, written in an order unrelated to their dates (so the files read
/// first are not the newest), under a few dozen folders; the newest has its own title.
fn big_blog(home: &TempDir) -> std::path::PathBuf {
    let root = home.path().join("blog");
    // A fixed permutation of 0..POSTS: file k holds post (k * STEP) mod POSTS.
    const STEP: usize = 2_347; // coprime with 5,600
    let body = "Words of a post, long enough to take a moment to read. ".repeat(60);
    for k in 0..POSTS {
        let n = (k * STEP) % POSTS;
        let (year, day) = (2000 + n / 365, n % 365);
        let date = format!("{year}-{:02}-{:02}", day / 28 % 12 + 1, day % 28 + 1);
        let title = if n == POSTS - 1 {
            "Newest post of all".to_string()
        } else {
            format!("Post number {n}")
        };
        home.write(
            &format!("blog/part{:02}/post{k:05}.md", k % 40),
            format!("---\ntitle: \"{title}\"\ndate: {date}\n---\n\n{body}\n\n{body}\n"),
        );
    }
    root
}

#[test]
fn a_first_start_on_a_big_library_selects_the_newest_post() {
    let home = TempDir::new("newcomer-big");
    let root = big_blog(&home);
    let root = root.to_str().unwrap();
    let mut session = Session::start(
        &home,
        home.path(),
        &["--content", root, "--no-restore"],
        120,
        30,
    );
    // The whole library, not an early snapshot of it.
    session.wait_for_text(&format!("All · {POSTS}/{POSTS}"));
    // Into the list: the item selected is the top one, the newest, whatever loaded first.
    session.send("l");
    let screen = session.wait_for("the post opened", |s| s.contains("╭ post"));
    let body_title = screen
        .lines()
        .nth(1)
        .and_then(|line| line.rsplit("││").next())
        .unwrap_or_default()
        .trim_end_matches(['█', '║', '│'])
        .trim()
        .to_string();
    assert_eq!(body_title, "Newest post of all", "screen:\n{screen}");
    session.send("q");
    session.wait_exit();
}

#[test]
fn each_snapshot_keeps_the_top_item_until_the_user_moves() {
    // An early snapshot holding only old posts, then the whole library: nobody chose the
    // old post at the top of the first, so the newest is selected in the second.
    let home = TempDir::new("newcomer-snapshots");
    let posts = [
        ("old", "2001-01-01"),
        ("older", "2000-01-01"),
        ("new", "2020-01-01"),
    ];
    for (folder, count) in [("early", 2), ("whole", 3)] {
        for (name, date) in &posts[..count] {
            home.write(
                &format!("{folder}/{name}.md"),
                format!("---\ntitle: {name}\ndate: {date}\n---\n\nText.\n"),
            );
        }
    }
    let load = |folder: &str| -> Arc<Library> {
        Arc::new(load_library(&[Root::Dir(home.path().join(folder))]).unwrap())
    };
    let (early, whole) = (load("early"), load("whole"));
    let title = |app: &quire::app::App| {
        let i = app.list.items[app.list.selected];
        app.library.items[i].title.clone()
    };

    let mut reader = app(early.clone(), 120, 30);
    reader.library_loaded(early.clone(), Some((2, 3)));
    assert_eq!(title(&reader), "old");
    reader.library_loaded(whole.clone(), None);
    assert_eq!(title(&reader), "new", "the newest, at the top");

    // Once the user has chosen an item, later snapshots keep it.
    let mut reader = app(early.clone(), 120, 30);
    reader.library_loaded(early, Some((2, 3)));
    press(&mut reader, "lj");
    assert_eq!(title(&reader), "older");
    reader.library_loaded(whole, None);
    assert_eq!(title(&reader), "older", "the user's choice stays");
}

#[test]
fn a_first_import_while_the_reader_runs_shows_up() {
    // No library folder yet: the reader opens on the bundled library alone.
    let home = TempDir::new("newcomer-first-import");
    let mut session = Session::start(&home, home.path(), &["--no-restore"], 120, 30);
    session.wait_for_text("293 unread");
    let export = home.write(
        "exports/bookmarks.html",
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n\
         <DL><p>\n<DT><H3>Reading</H3>\n<DL><p>\n\
         <DT><A HREF=\"https://example.com/one\">First saved page</A>\n\
         <DT><A HREF=\"https://example.com/two\">Second saved page</A>\n\
         </DL><p>\n</DL><p>\n",
    );
    let output = common::quire(&home, &["import", export.to_str().unwrap()]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    // Found by itself, within seconds, and said so.
    let screen = session.wait_for_text("295 unread");
    assert!(screen.contains("Your library appeared"), "{screen}");
    session.send("q");
    session.wait_exit();
}

#[test]
fn ctrl_r_loads_a_library_made_since_the_start() {
    let home = TempDir::new("newcomer-ctrl-r");
    let mut session = Session::start(&home, home.path(), &["--no-restore"], 120, 30);
    session.wait_for_text("293 unread");
    let library = home.path().join("data/quire/library");
    assert!(
        !library.exists(),
        "the test's library is where the reader looks"
    );
    home.write(
        "data/quire/library/notes/mine.md",
        "---\ntitle: Mine\n---\n\nText.\n",
    );
    session.send("\x12"); // Ctrl-r
    let screen = session.wait_for_text("294 unread");
    assert!(screen.contains("Your library appeared"), "{screen}");
    session.send("q");
    session.wait_exit();
}

const DATES: [&str; 5] = [
    "2024-01-05",
    "2024-02-09",
    "2024-03-08",
    "2024-04-12",
    "2024-05-10",
];

#[test]
fn posts_of_one_title_keep_their_dates_in_the_list() {
    let home = TempDir::new("newcomer-twins");
    for (n, date) in DATES.iter().enumerate() {
        home.write(
            &format!("blog/posts/{date}-crates-io-development-update-number-{n}.md"),
            format!("---\ntitle: \"crates.io: development update\"\ndate: {date}\n---\n\nText.\n"),
        );
    }
    let library = Arc::new(load_library(&[Root::Dir(home.path().join("blog"))]).unwrap());
    for (width, height) in [(120, 40), (80, 24)] {
        let mut reader = app(library.clone(), width, height);
        press(&mut reader, "l");
        let screen = common::screen::text(&common::screen::draw(&reader));
        // The list pane alone: between the tree's border and the body's.
        let list: Vec<&str> = screen
            .lines()
            .filter_map(|l| l.split("││").nth(1))
            .collect();
        for date in DATES {
            let row = list
                .iter()
                .find(|l| l.contains(date))
                .unwrap_or_else(|| panic!("{date} at {width}×{height}:\n{screen}"));
            assert!(row.contains("crates.io"), "{row}");
        }
    }
}

#[test]
fn panes_are_sized_to_their_names_and_titles_and_resized_by_keys_and_mouse() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let library = common::screen::bundled();
    // Wide enough, the tree shows a collection's whole name beside its counts.
    let mut reader = app(library.clone(), 160, 40);
    press(&mut reader, "jjjl");
    let screen = common::screen::text(&common::screen::draw(&reader));
    assert!(
        screen.contains("Tech Insights from Bookmarks 254/254")
            || screen.contains("Tech Insights from Bookmarks  254/254"),
        "{screen}"
    );
    // At 120 columns the tree and the list get more than the fixed 22% and 32% gave them
    // (26 and 38 columns), and the body keeps the most.
    let reader = app(library.clone(), 120, 40);
    let panes = reader.panes();
    let (tree, list, body) = (
        panes.tree.unwrap().width,
        panes.list.unwrap().width,
        panes.body.unwrap().width,
    );
    assert!(
        tree > 26 && list >= 38 && body > list,
        "{tree} {list} {body}"
    );
    // The body never drops below its room, at any width.
    for w in [80, 100, 120, 200] {
        let panes = app(library.clone(), w, 30).panes();
        assert!(panes.body.unwrap().width >= 30, "{w}");
    }

    // `>` widens the focused pane, `<` narrows it; in the body they move the list's edge.
    let mut reader = app(library.clone(), 120, 40);
    press(&mut reader, "l");
    let before = reader.panes().list.unwrap().width;
    press(&mut reader, ">>");
    assert_eq!(reader.panes().list.unwrap().width, before + 4);
    press(&mut reader, "<enter>>");
    assert_eq!(reader.focus, quire::app::Focus::Body);
    assert_eq!(
        reader.panes().list.unwrap().width,
        before + 2,
        "the body grew"
    );
    // Kept with the place, and given back by it.
    let place = reader.place();
    assert_eq!(place.list_width, Some(before + 2));
    let mut again = app(library.clone(), 120, 40);
    again.restore_place(place);
    assert_eq!(again.panes(), reader.panes());
    // `=` sizes them to their content again.
    press(&mut reader, "=");
    assert_eq!(reader.panes().list.unwrap().width, before);

    // A border dragged with the mouse: the tree's right edge follows the pointer.
    let mouse = |kind, column| MouseEvent {
        kind,
        column,
        row: 5,
        modifiers: KeyModifiers::NONE,
    };
    let edge = reader.panes().tree.unwrap().right() - 1;
    reader.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), edge));
    reader.handle_mouse(mouse(MouseEventKind::Drag(MouseButton::Left), 44));
    reader.handle_mouse(mouse(MouseEventKind::Up(MouseButton::Left), 44));
    assert_eq!(reader.panes().tree.unwrap().width, 45);
    assert_eq!(reader.place().tree_width, Some(45));
}

#[test]
fn the_reader_opens_one_markdown_file_and_follows_its_edits() {
    let home = TempDir::new("newcomer-one-file");
    let file = home.write(
        "README.md",
        "---\ntitle: Just this note\n---\n\n## Hello\n\nFirst words.\n",
    );
    let mut s = Session::start(
        &home,
        home.path(),
        &["--content", file.to_str().unwrap(), "--no-restore"],
        100,
        24,
    );
    s.wait_for_text("All · 1/1");
    s.send("l\r");
    s.wait_for_text("First words.");
    // Saved as editors save: a new file renamed over the old one.
    let fresh = home.write(
        "README.md.new",
        "---\ntitle: Just this note\n---\n\nSecond words.\n",
    );
    std::fs::rename(&fresh, &file).unwrap();
    s.wait_for_text("Second words.");
    s.send("q");
    s.wait_exit();
}
