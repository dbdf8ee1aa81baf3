//! End-to-end: the real binary in a pseudo-terminal, keys typed, the screen read back through
//! a terminal emulator.
#![allow(clippy::unwrap_used)]

mod common;

use common::TempDir;
use common::pty::Session;

/// A home without a `content/` folder, so the bundled library is what opens.
fn start(cols: u16, rows: u16) -> (TempDir, Session) {
    let home = TempDir::new("e2e");
    let session = Session::start(&home, home.path(), &[], cols, rows);
    (home, session)
}

#[test]
fn opens_the_bundled_library_and_quits_cleanly() {
    let (_home, mut s) = start(120, 40);
    let screen = s.wait_for_text("293/293");
    assert!(screen.contains("Categories"));
    assert!(screen.contains("Tech Insights") || screen.contains("Bookmarks"));
    assert!(screen.contains("CATEGORIES"));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn a_seed_bookmark_opens_with_its_insights() {
    let (_home, mut s) = start(120, 40);
    s.wait_for_text("293/293");
    s.type_keys("jjjljljll\r");
    let screen = s.wait_for_text("Key insights:");
    assert!(
        screen.contains("How Uber Conquered Database Overload"),
        "{screen}"
    );
    assert!(
        screen.contains("• Stateless quota-based rate-limiting"),
        "{screen}"
    );
    assert!(screen.contains("READER"), "{screen}");
    s.type_keys("G");
    let screen = s.wait_for_text("100%");
    assert!(screen.contains("fail-fast over queuing"), "{screen}");
    s.send("\x03"); // Ctrl-C
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn help_lists_the_bindings() {
    let (_home, mut s) = start(100, 40);
    s.wait_for_text("293/293");
    s.type_keys("?");
    let screen = s.wait_for_text("Esc closes");
    for text in [
        "Move down",
        "Focus the next pane",
        "in the body: find in the page",
        "Mark read / unread",
    ] {
        assert!(screen.contains(text), "help lacks {text}: {screen}");
    }
    s.type_keys("G");
    let screen = s.wait_for_text("Suspend to the shell");
    for text in ["Open the url", "Copy the url", "Quit"] {
        assert!(screen.contains(text), "help lacks {text}: {screen}");
    }
    s.send("\x1b");
    s.wait_for("help to close", |screen| !screen.contains("Esc closes"));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
}

#[test]
fn resizing_to_tiny_and_back_redraws_cleanly() {
    let (_home, mut s) = start(120, 40);
    s.wait_for_text("293/293");
    for (cols, rows) in [(60, 20), (30, 8), (1, 1), (10, 3), (120, 40)] {
        s.resize(cols, rows);
        std::thread::sleep(std::time::Duration::from_millis(150));
        if (cols, rows) == (10, 3) {
            // Below a usable size the reader says so, rather than showing slivers of panes.
            let screen = s.wait_for_text("Too small");
            assert!(screen.contains("needs"), "{screen}");
        }
    }
    let screen = s.wait_for_text("293/293");
    assert!(screen.contains("Categories"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn mouse_clicks_select_and_open() {
    let (_home, mut s) = start(120, 40);
    s.wait_for_text("293/293");
    // SGR mouse: press and release on the list's third row (column 40, row 4, 1-based).
    let click = "\x1b[<0;40;4M\x1b[<0;40;4m";
    s.send(click);
    s.wait_for_text("ITEMS");
    s.send(click);
    let screen = s.wait_for_text("READER");
    assert!(
        screen.contains("What Makes a Good Technical Leader?"),
        "{screen}"
    );
    // The wheel over the tree moves its selection.
    s.send("\x1b[<65;5;5M");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn a_bad_content_folder_is_reported_on_the_normal_screen() {
    let home = TempDir::new("e2e-bad");
    let mut s = Session::start(
        &home,
        home.path(),
        &["--content", "/no/such/folder"],
        80,
        24,
    );
    assert_ne!(s.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(
        raw.contains("content folder /no/such/folder does not exist"),
        "{raw:?}"
    );
    assert!(
        !raw.contains("\x1b[?1049h"),
        "the alternate screen was entered: {raw:?}"
    );
}

#[test]
fn no_color_means_no_colour_codes() {
    let home = TempDir::new("e2e-nocolor");
    let mut s = Session::start_with_env(&home, home.path(), &[], 100, 30, &[("NO_COLOR", "1")]);
    s.wait_for_text("293/293");
    s.type_keys("jjjljljll\r");
    s.wait_for_text("Key insights:");
    s.send("q");
    s.wait_exit();
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    let colours = colour_sequences(&raw);
    assert!(
        colours.is_empty(),
        "colours written under NO_COLOR: {colours:?}"
    );
}

/// Every SGR sequence that sets a foreground or background colour (resets to the default,
/// 39 and 49, are not colours).
fn colour_sequences(raw: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find("\x1b[") {
        let after = &rest[start + 2..];
        let len = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        let (params, tail) = after.split_at(len);
        if tail.starts_with('m') {
            let colour = params
                .split(';')
                .filter_map(|p| p.parse::<u16>().ok())
                .any(|p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107));
            if colour {
                found.push(format!("ESC[{params}m"));
            }
        }
        rest = &after[len..];
    }
    found
}

#[test]
fn marks_survive_quitting_and_reopening() {
    let home = TempDir::new("e2e-persist");
    let mut s = Session::start(&home, home.path(), &[], 120, 40);
    s.wait_for_text("293/293");
    s.type_keys("jjll\r"); // open the newest Blog post: read on open
    s.wait_for_text("292 unread");
    s.type_keys("hjm"); // back to the list, mark the next one
    s.wait_for_text("291 unread");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);

    let mut s = Session::start(&home, home.path(), &[], 120, 40);
    let screen = s.wait_for_text("291/293");
    assert!(screen.contains("22/24"), "the Blog count: {screen}");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let unread = common::stdout(&common::quire(&home, &["unread"]));
    assert_eq!(unread.trim(), "291");
}

#[cfg(unix)]
#[test]
fn sigterm_saves_state_and_restores_the_terminal() {
    let home = TempDir::new("e2e-sigterm");
    let mut s = Session::start(&home, home.path(), &[], 100, 30);
    s.wait_for_text("293/293");
    s.type_keys("jMy");
    s.wait_for_text("292 unread");
    let pid = s.pid().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(s.wait_exit(), 128 + 15);
    s.assert_terminal_restored();
    assert_eq!(
        common::stdout(&common::quire(&home, &["unread"])).trim(),
        "292"
    );
}

/// The load cache: written after a first load, used while no file changes (shown here by a
/// file rewritten behind its back with the same size and time), dropped when one does.
#[test]
fn the_load_cache_is_written_used_and_refreshed() {
    let home = TempDir::new("e2e-cache");
    let post = home.write("lib/notes/post.md", "# Cached title\n\nfirst body\n");
    let content = home.path().join("lib").display().to_string();
    let open_and_read = |expect: &str| {
        let mut s = Session::start(&home, home.path(), &["--content", &content], 100, 30);
        s.wait_for_text("Cached title");
        s.send("\t");
        s.send("\r");
        let screen = s.wait_for_text(expect);
        s.send("q");
        assert_eq!(s.wait_exit(), 0);
        screen
    };
    open_and_read("first body");
    let cache_dir = home.path().join("cache/quire");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_dir(&cache_dir).map_or(0, |d| d.count()) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no cache written in {}",
            cache_dir.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Nothing changed: the reader starts from the cache, and leaves it as it is.
    let cache = std::fs::read_dir(&cache_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    open_and_read("first body");
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written
    );
    // Same size, same modification time, other words (as `git restore-mtime` or `rsync -t`
    // leave a file): the status-change time tells, so the change is seen.
    let modified = std::fs::metadata(&post).unwrap().modified().unwrap();
    std::fs::write(&post, "# Cached title\n\nother body\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&post)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    open_and_read("other body");
    // A plain change is seen too.
    std::fs::write(&post, "# Cached title\n\nthe changed body\n").unwrap();
    open_and_read("the changed body");
}

/// A quit right after the first load does not lose the cache being written (its vectors make
/// it take a while): the reader says it is finishing it, and it is on disk when Quire exits.
#[test]
fn quitting_while_the_first_cache_is_written_finishes_it() {
    let home = TempDir::new("e2e-cache-quit");
    for n in 0..3000 {
        home.write(
            &format!("lib/notes/post-{n:04}.md"),
            format!("# Post number {n}\n\nA paragraph about caches, quitting and load {n}.\n"),
        );
    }
    let content = home.path().join("lib").display().to_string();
    let mut s = Session::start(&home, home.path(), &["--content", &content], 100, 30);
    s.wait_for("the library loaded", |screen| {
        screen.contains("3000 unread") && !screen.contains("loading")
    });
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
    // At exit, not later: nothing of Quire is left running to write it.
    let written = std::fs::read_dir(home.path().join("cache/quire"))
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        written, 1,
        "the first cache is on disk when the reader exits"
    );
}

/// The screen with the borders of panes taken out, so a line wrapped in a pane reads as words.
/// The words on screen, pane by pane (panes side by side are read one after the other, so a
/// line wrapped in one pane reads whole whatever stands beside it).
fn words_on(screen: &str) -> String {
    let mut panes: Vec<Vec<&str>> = Vec::new();
    for line in screen.lines() {
        for (k, part) in line.split("││").enumerate() {
            if panes.len() <= k {
                panes.push(Vec::new());
            }
            panes[k].push(part);
        }
    }
    panes
        .iter()
        .flatten()
        .flat_map(|l| l.split(['│', '║', '█', '▌']))
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn search_key_flow_type_move_open_back_and_out() {
    for (cols, rows) in [(120, 40), (80, 24)] {
        let (_home, mut s) = start(cols, rows);
        s.wait_for_text("293/293");
        s.type_keys("/codel lifo");
        // Before Enter: the whole matching line is on screen (the result and the preview).
        let screen = s.wait_for("the matching line", |screen| {
            words_on(screen).contains(
                "Phase 2: CoDel (Controlled Delay) queuing with LIFO under pressure + Scorecard engine for per-tenant concurrency limits",
            )
        });
        assert!(screen.contains(" SEARCH "), "{screen}");
        assert!(
            screen.contains("Database & Storage Infrastructure"),
            "{screen}"
        );
        assert!(
            !screen.contains("o browser"),
            "letter keys are not offered while typing"
        );

        s.send("\r");
        let screen = s.wait_for_text(" READER ");
        assert!(screen.contains("match "), "{screen}");
        s.send("\x1b");
        let screen = s.wait_for_text(" RESULTS ");
        assert!(screen.contains("/ codel lifo"), "{screen}");
        // j moves in the results; it is not typed.
        s.type_keys("j");
        let screen = s.wait_for_text(" RESULTS ");
        assert!(!screen.contains("codel lifoj"), "{screen}");
        // `/` goes back to the query, where letters type again.
        s.type_keys("/x");
        s.wait_for_text("/ codel lifox");
        s.send("\x7f"); // Backspace
        s.wait_for(" SEARCH with the query restored", |screen| {
            screen.contains(" SEARCH ") && screen.contains("/ codel lifo ")
        });
        // Esc from the query closes the search: back to the tree where it began.
        s.send("\x1b");
        let screen = s.wait_for_text(" CATEGORIES ");
        assert!(!screen.contains("Search ·"), "{screen}");
        s.send("q");
        assert_eq!(s.wait_exit(), 0);
        s.assert_terminal_restored();
    }
}

#[test]
fn moving_through_results_moves_the_preview() {
    let (_home, mut s) = start(120, 40);
    s.wait_for_text("293/293");
    s.type_keys("/wal");
    let first = s.wait_for_text(" 1/");
    s.send("\x1b[B"); // Down
    let second = s.wait_for_text(" 2/");
    // The preview's title bar changed with the selection: a different item is shown.
    let preview = |screen: &str| -> String {
        screen
            .lines()
            .map(|l| l.split('│').nth(3).unwrap_or("").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_ne!(preview(&first), preview(&second));
    assert!(words_on(&second).to_lowercase().contains("wal"));
    s.send("q"); // in the query box q types: Ctrl-C quits
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}

#[test]
fn letters_typed_among_results_refine_the_query_and_never_edit_or_mark() {
    let home = TempDir::new("e2e-refine");
    let (program, log) = common::recording_opener(&home);
    let program = program.to_str().unwrap();
    let env = [
        ("QUIRE_OPENER", program),
        ("EDITOR", program),
        ("VISUAL", program),
    ];
    let mut s = Session::start_with_env(&home, home.path(), &[], 120, 40, &env);
    s.wait_for_text("293/293");
    s.type_keys("/codel");
    s.wait_for_text("/ codel");
    s.send("\r");
    s.wait_for_text(" READER ");
    s.send("\x1b");
    let before = s.wait_for_text(" RESULTS ");
    // Opening the result marked it read: 292 left.
    assert!(before.contains(" 292 unread "), "{before}");
    // e (edit), m (mark read), s (star), u (unread only), o (browser), x (mark all read):
    // typed after looking at a result, they are the query's letters.
    s.type_keys("emsuox");
    let screen = s.wait_for_text("/ codelemsuox");
    assert!(screen.contains(" SEARCH "), "{screen}");
    assert!(screen.contains(" 292 unread "), "nothing marked: {screen}");
    assert!(!screen.contains("Starred"), "nothing starred: {screen}");
    s.send("\x1b");
    s.wait_for_text(" CATEGORIES ");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    assert!(!log.exists(), "no editor and no browser ran");
}

#[test]
fn a_question_in_other_words_finds_by_meaning_and_r_finds_the_items_like_one() {
    let (_home, mut s) = start(120, 40);
    s.wait_for_text("293/293");
    // No item holds every word: what is near in meaning is listed, marked ≈, and the title
    // counts it apart from the matches.
    s.type_keys("/table cleanup blocked the shop on the busiest sales day");
    // (Each keystroke's results show as they come: the last query's are the ones awaited.)
    // Typed at once after the start, the first answers may come before the vectors are
    // made: the search is asked again when they are.
    let screen = s.wait_for("the nearest by meaning", |screen| {
        !screen.contains("searching…")
            && screen.contains(" near ")
            && words_on(screen)
                .contains("VACUUM FULL Locked Our Database for 14 Hours on Black Friday")
    });
    assert!(screen.contains("≈ "), "{screen}");
    // From the list, R searches for the items like the selected one.
    s.send("\x1b");
    s.send("\x1b");
    s.wait_for_text(" CATEGORIES ");
    s.type_keys("/codel lifo");
    s.wait_for_text("CoDel");
    s.send("\r");
    s.wait_for_text(" READER ");
    s.type_keys("R");
    // The query box holds like:"ID" (its end in view), every result near in meaning.
    let screen = s.wait_for("items like it", |screen| {
        screen.contains("-to-intelligent\"") && screen.contains(" near ")
    });
    assert!(screen.contains("≈ "), "{screen}");
    assert!(
        !words_on(&screen).contains("● How Uber Conquered"),
        "{screen}"
    );
    s.send("\x03");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
}
