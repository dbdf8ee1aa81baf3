//! The library living on disk, end to end: files changed while the reader runs show at once
//! (keeping the place and an open search), `e` edits an item in the user's editor at its line,
//! and the watcher falls back to polling when the system cannot watch.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::pty::Session;
use common::{TempDir, quire, stderr, stdout};

/// An editable copy of the bundled library, made the way the reader tells users to.
fn library_copy(home: &TempDir) -> PathBuf {
    let dir = home.path().join("library");
    let out = quire(home, &["copy-bundled", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("quire --content"), "{}", stdout(&out));
    dir
}

const COLLECTION: &str = "bookmarks/tech-insights.md";

/// Adds a bookmark (with insights holding `word`) at the top of the first case-study section.
fn add_bookmark(library: &Path, title: &str, word: &str) {
    let path = library.join(COLLECTION);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.find("### Platform & Infrastructure").unwrap();
    let entry = format!(
        "- [{title}](https://example.org/{word}) -- Added while the reader runs\n\n  > **Key insights:**\n  > - The {word} property holds\n\n"
    );
    std::fs::write(&path, format!("{}{entry}{}", &text[..at], &text[at..])).unwrap();
}

/// Quire on a library copy, `cols`×`rows`, with `env`, its tree drawn.
fn reader(
    home: &TempDir,
    library: &Path,
    (cols, rows): (u16, u16),
    env: &[(&str, &str)],
) -> Session {
    let content = library.to_str().unwrap();
    let s = Session::start_with_env(home, home.path(), &["--content", content], cols, rows, env);
    s.wait_for_text("Bookmarks");
    s
}

/// The status bar (the last row).
fn status(screen: &str) -> &str {
    screen.lines().last().unwrap_or("")
}

/// A script to use as `$EDITOR`: writes its arguments to a log, one a line, then replaces
/// `from` with `to` in the file (its last argument) and exits with `code`.
fn recording_editor(home: &TempDir, from: &str, to: &str, code: i32) -> (PathBuf, PathBuf) {
    let log = home.path().join("editor.log");
    let script = home.path().join("editor.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\nfor f in \"$@\"; do file=\"$f\"; done\n\
             sed -i 's/{from}/{to}/' \"$file\"\nexit {code}\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (script, log)
}

#[test]
fn a_bookmark_appended_while_reading_is_found_and_the_selection_stays() {
    let home = TempDir::new("live-append");
    let library = library_copy(&home);
    let mut s = reader(&home, &library, (120, 36), &[]);
    s.send("ljj");
    let before = s.wait_for_text("3/293");
    let selected = before.lines().nth(3).unwrap().to_string();

    add_bookmark(&library, "Zyzzyva Speculative Consensus", "quorumwobble");
    let screen = s.wait_for("the reload", |s| {
        status(s).contains("Reloaded: 1 file changed")
    });
    assert!(status(&screen).contains("3/294"), "{}", status(&screen));
    assert_eq!(
        screen.lines().nth(3).unwrap(),
        selected,
        "the same row selected"
    );

    s.send("/quorumwob");
    let screen = s.wait_for_text("Search · 1");
    assert!(screen.contains("Zyzzyva Speculative Consensus"), "{screen}");

    // A second one while the search is open: the results grow, the selection stays.
    add_bookmark(&library, "Another Wobble", "quorumwobble");
    let screen = s.wait_for_text("Search · 2");
    assert!(screen.contains("Another Wobble"), "{screen}");
    let preview = |screen: &str| {
        screen
            .lines()
            .nth(1)
            .unwrap()
            .chars()
            .skip(64)
            .collect::<String>()
    };
    assert!(preview(&screen).contains("Zyzzyva"), "{screen}");
    s.send("\x1b");
    s.wait_for("the search closed", |s| !s.contains("Search ·"));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn e_opens_the_editor_at_the_bookmark_line_and_the_edit_shows_on_return() {
    let home = TempDir::new("edit");
    let library = library_copy(&home);
    add_bookmark(&library, "Zyzzyva Speculative Consensus", "quorumwobble");
    let line = std::fs::read_to_string(library.join(COLLECTION))
        .unwrap()
        .lines()
        .position(|l| l.contains("Zyzzyva"))
        .unwrap()
        + 1;
    let (editor, log) = recording_editor(&home, "Added while the reader runs", "Edited in vi", 0);
    let editor = format!("{} --wait", editor.display());
    let content = library.to_str().unwrap();
    let mut s = Session::start_with_env(
        &home,
        home.path(),
        &["--content", content],
        120,
        36,
        &[("EDITOR", &editor)],
    );
    s.wait_for_text("Bookmarks");
    s.send("/Zyzzyva");
    s.wait_for_text("Search · 1");
    s.send("\r");
    s.wait_for_text("Added while the reader runs");
    s.send("e");
    let screen = s.wait_for_text("Edited in vi");
    assert!(status(&screen).contains("Reloaded"), "{}", status(&screen));
    let args = std::fs::read_to_string(&log).unwrap();
    let file = library.join(COLLECTION);
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["--wait", &format!("+{line}"), file.to_str().unwrap()],
        "the variable split into words, then +LINE FILE"
    );
    // Still the reader, on the same item.
    assert!(screen.contains("Zyzzyva Speculative Consensus"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn an_editor_that_fails_or_is_missing_leaves_the_reader_with_a_message() {
    let home = TempDir::new("edit-fails");
    let library = library_copy(&home);
    let (failing, _) = recording_editor(&home, "x", "x", 3);
    let content = library.to_str().unwrap();
    for (editor, says) in [
        (failing.to_str().unwrap(), "exited with status 3"),
        (
            "/no/such/editor",
            "Cannot start the editor `/no/such/editor`",
        ),
        ("vi 'unclosed", "$VISUAL has an unclosed ' quote"),
    ] {
        let mut s = Session::start_with_env(
            &home,
            home.path(),
            &["--content", content, "--no-restore"],
            100,
            30,
            &[("VISUAL", editor)],
        );
        s.wait_for_text("Bookmarks");
        s.send("l");
        s.wait_for("the list", |s| status(s).contains("ITEMS"));
        s.send("e");
        let screen = s.wait_for("the message", |s| status(s).contains(says));
        assert!(
            screen.contains("Categories"),
            "the reader is back: {screen}"
        );
        // And it still works.
        s.send("j");
        s.wait_for("a move", |s| status(s).contains("2/293"));
        s.send("q");
        assert_eq!(s.wait_exit(), 0);
        s.assert_terminal_restored();
    }
}

#[test]
fn the_bundled_library_says_it_cannot_be_edited_and_how_to_get_a_copy() {
    let home = TempDir::new("edit-bundled");
    let mut s = Session::start(&home, home.path(), &[], 160, 30);
    s.wait_for_text("Bookmarks");
    s.send("le");
    let screen = s.wait_for_text("can't be edited");
    assert!(
        status(&screen).contains("quire copy-bundled DIR"),
        "{}",
        status(&screen)
    );
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn ctrl_r_reloads_by_hand_and_a_vanished_item_says_so() {
    let home = TempDir::new("reload-by-hand");
    let library = library_copy(&home);
    let mut s = reader(&home, &library, (120, 36), &[]);
    s.send("\x12");
    s.wait_for_text("Reloaded: nothing changed on disk.");
    // The newest post, open in the body, then its file removed.
    s.send("l\r");
    let screen = s.wait_for("the post", |s| status(s).contains("READER"));
    let title = "Some AWS EC2 Instance";
    assert!(screen.contains(title), "{screen}");
    let file = std::fs::read_dir(library.join("blog"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(title)))
        .unwrap();
    std::fs::remove_file(file).unwrap();
    let screen = s.wait_for_text("is gone from the library");
    assert!(status(&screen).contains(title), "{}", status(&screen));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn when_the_system_cannot_watch_the_folders_are_polled_and_it_says_so() {
    let home = TempDir::new("polling");
    let library = library_copy(&home);
    let mut s = reader(
        &home,
        &library,
        (160, 30),
        &[("QUIRE_DEBUG_WATCH_LIMIT", "1")],
    );
    let screen = s.wait_for_text("every 2 s");
    assert!(
        status(&screen).contains("max_user_watches"),
        "{}",
        status(&screen)
    );
    add_bookmark(&library, "Polled Bookmark", "pollword");
    s.wait_for_text("Reloaded: 1 file changed");
    s.send("/pollword");
    s.wait_for_text("Polled Bookmark");
    s.send("\x1b\x1bq");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn quire_edit_runs_the_editor_from_the_shell() {
    let home = TempDir::new("cli-edit");
    let library = library_copy(&home);
    let content = library.to_str().unwrap();
    let (editor, log) = recording_editor(&home, "Added while the reader runs", "Edited", 0);
    add_bookmark(&library, "Zyzzyva Speculative Consensus", "quorumwobble");
    let id = "bookmarks/tech-insights/example-org-quorumwobble";
    let listed = stdout(&quire(&home, &["--content", content, "list"]));
    assert!(listed.contains(id), "{listed}");
    let out = common::quire_command(&home, home.path())
        .args(["--content", content, "edit", id])
        .env("EDITOR", &editor)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(
        args.starts_with('+') && args.contains("tech-insights.md"),
        "{args}"
    );
    let shown = stdout(&quire(&home, &["--content", content, "show", id]));
    assert!(shown.contains("Edited"), "{shown}");

    // The bundled library, an unknown id, a failing editor.
    let out = quire(&home, &["edit", "about/about-me"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("copy-bundled"), "{}", stderr(&out));
    let out = quire(&home, &["--content", content, "edit", "no-such-id"]);
    assert!(
        stderr(&out).contains("no item with id `no-such-id`"),
        "{}",
        stderr(&out)
    );
    let (failing, _) = recording_editor(&home, "x", "x", 4);
    let out = common::quire_command(&home, home.path())
        .args(["--content", content, "edit", id])
        .env("VISUAL", &failing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exited with status 4"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn copy_bundled_refuses_a_folder_with_files_in_it() {
    let home = TempDir::new("copy-bundled");
    let dir = home.write("full/keep.md", "mine");
    let out = quire(
        &home,
        &["copy-bundled", dir.parent().unwrap().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir).unwrap(), "mine");
}

#[test]
fn a_reload_keeps_the_open_folders_and_the_scroll_of_the_body() {
    use common::screen::{app, bundled, press};
    use quire::app::{Focus, Reason};
    let library = bundled();
    let mut app = app(library.clone(), 100, 30);
    // A long bookmark collection's first entry with insights, scrolled down.
    press(&mut app, "jjjl<enter>");
    let expanded = app.tree.expanded.len();
    press(&mut app, "<tab>");
    press(&mut app, "<enter>");
    assert_eq!(app.focus, Focus::Body);
    press(&mut app, "jjjj");
    let (scroll, item) = (app.body.scroll, app.selected_item().unwrap());
    assert!(scroll > 0);
    let same = std::sync::Arc::new((*library).clone());
    app.library_reloaded(
        same,
        &quire::content::reload::Changes::default(),
        Reason::Watched,
    );
    common::screen::draw(&app);
    assert_eq!(app.focus, Focus::Body);
    assert_eq!(app.selected_item(), Some(item));
    assert_eq!(app.tree.expanded.len(), expanded);
    assert_eq!(app.body.scroll, scroll, "the body opens again where it was");
}

#[test]
fn keys_typed_in_the_editor_reach_the_editor_not_the_reader() {
    let home = TempDir::new("edit-keys");
    let library = library_copy(&home);
    let log = home.path().join("typed.log");
    let script = home.path().join("reading-editor.sh");
    std::fs::write(
        &script,
        format!(
            // Raw mode, as a full-screen editor reads: every key is there at once, for
            // whichever program reads first.
            "#!/bin/sh\nstty raw -echo < /dev/tty\nprintf 'EDITOR READY\\r\\n' > /dev/tty\n\
             keys=$(dd bs=1 count=7 2>/dev/null < /dev/tty)\nstty sane < /dev/tty\n\
             printf '%s\\n' \"$keys\" | tr -d '\\r' >> '{}'\n",
            log.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let content = library.to_str().unwrap();
    let mut s = Session::start_with_env(
        &home,
        home.path(),
        &["--content", content, "--no-restore"],
        100,
        30,
        &[("EDITOR", script.to_str().unwrap())],
    );
    s.wait_for_text("Bookmarks");
    for round in 0..3 {
        s.send("le");
        s.wait_for_text("EDITOR READY");
        // Typed slowly, a key at a time, as a person types; `q` among them.
        for key in ["q", "u", "i", "t", " ", "q", "\r"] {
            s.send(key);
            std::thread::sleep(std::time::Duration::from_millis(60));
        }
        s.wait_for("the reader back", |screen| screen.contains("Categories"));
        let typed = std::fs::read_to_string(&log).unwrap();
        assert_eq!(typed.lines().nth(round), Some("quit q"), "{typed}");
        s.send("h");
    }
    // The reader never saw the `q`s: still running.
    s.send("j");
    s.wait_for("a move", |screen| status(screen).contains("CATEGORIES"));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn a_pane_grown_back_from_1x1_shows_its_first_rows_again() {
    use common::screen::{app, bundled, press};
    let mut app = app(bundled(), 100, 30);
    press(&mut app, "<tab>j");
    app.resize(1, 1);
    app.resize(100, 30);
    assert_eq!(app.list.offset, 0);
    assert_eq!(app.tree.offset, 0);
}

#[test]
fn the_selected_item_removed_on_disk_leaves_the_selection_on_its_neighbour() {
    use common::screen::{app, press};
    use quire::app::Reason;
    use quire::content::{Root, load_library};
    let home = TempDir::new("reload-neighbour");
    let library = library_copy(&home);
    let roots = [Root::Dir(library.clone())];
    let before = std::sync::Arc::new(load_library(&roots).unwrap());
    let mut app = app(before.clone(), 100, 30);
    press(&mut app, "<tab>jj");
    let gone = app.list.selected_item().unwrap();
    let next = before.items[app.list.items[3]].id.clone();
    std::fs::remove_file(&*before.items[gone].source.path).unwrap();
    // A file with a broken front matter arrives in the same reload.
    std::fs::write(library.join("blog/broken.md"), "+++\ntitle = \n+++\nBad.").unwrap();
    let after = std::sync::Arc::new(load_library(&roots).unwrap());
    let changes = quire::content::reload::Changes {
        changed: 0,
        added: 1,
        removed: 1,
        in_place: 0,
    };
    app.library_reloaded(after.clone(), &changes, Reason::Watched);
    assert_eq!(app.list.selected, 2);
    assert_eq!(after.items[app.list.selected_item().unwrap()].id, next);
    let status = app.status.clone().unwrap().text;
    assert!(status.contains("1 new problem: `quire check`"), "{status}");
}
