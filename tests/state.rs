//! Read state across processes: persistence, the CLI, crashes and concurrent writers.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{TempDir, json, quire, quire_command, stderr, stdout};
use quire::state::load_state;

/// A library with `n` bookmarks, so state files get big enough for writes to take a while.
fn big_library(home: &TempDir, n: usize) -> Vec<String> {
    let mut text = String::from("# Many\n\n");
    for i in 0..n {
        text.push_str(&format!("- Bookmark number {i} -- description {i}\n"));
    }
    home.write("content/bookmarks/many.md", text);
    (0..n)
        .map(|i| format!("bookmarks/many/bookmark-number-{i}"))
        .collect()
}

fn content_arg(home: &TempDir) -> String {
    home.path().join("content").display().to_string()
}

fn state_file(home: &TempDir) -> std::path::PathBuf {
    home.path().join("data/quire/state.toml")
}

#[test]
fn cli_marks_persist_and_unknown_ids_are_named() {
    let home = TempDir::new("cli-mark");
    let content = content_arg(&home);
    big_library(&home, 5);
    let output = quire(
        &home,
        &[
            "--content",
            &content,
            "mark-read",
            "bookmarks/many/bookmark-number-1",
            "nope/x",
            "bookmarks/many/bookmark-number-3",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no item with id `nope/x`"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("marked 2 items read"));
    assert_eq!(
        stdout(&quire(&home, &["--content", &content, "unread"])).trim(),
        "3"
    );

    let unread = stdout(&quire(&home, &["--content", &content, "list", "--unread"]));
    assert_eq!(unread.lines().count(), 3);
    assert!(!unread.contains("bookmark-number-1\t"));

    let list = json(&quire(&home, &["--content", &content, "list", "--json"]));
    let read: Vec<bool> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["read"].as_bool().unwrap())
        .collect();
    assert_eq!(read, [false, true, false, true, false]);

    let output = quire(
        &home,
        &[
            "--content",
            &content,
            "mark-unread",
            "bookmarks/many/bookmark-number-1",
        ],
    );
    assert!(output.status.success());
    assert_eq!(
        stdout(&quire(&home, &["--content", &content, "unread"])).trim(),
        "4"
    );
    let stats = json(&quire(&home, &["--content", &content, "stats", "--json"]));
    assert_eq!(stats["unread"], 4);
}

#[test]
fn state_file_can_be_chosen_with_dash_dash_state() {
    let home = TempDir::new("cli-state-flag");
    let content = content_arg(&home);
    big_library(&home, 2);
    // The folder must exist (#16: a folder given by hand is not made up).
    std::fs::create_dir_all(home.path().join("elsewhere")).unwrap();
    let custom = home.path().join("elsewhere/mine.toml");
    let custom = custom.to_str().unwrap();
    quire(
        &home,
        &[
            "--content",
            &content,
            "--state",
            custom,
            "mark-read",
            "bookmarks/many/bookmark-number-0",
        ],
    );
    assert!(std::path::Path::new(custom).exists());
    assert!(
        !state_file(&home).exists(),
        "the default file was not touched"
    );
    assert_eq!(
        stdout(&quire(
            &home,
            &["--content", &content, "--state", custom, "unread"]
        ))
        .trim(),
        "1"
    );
}

#[test]
fn a_corrupt_state_file_is_left_by_reading_commands_and_moved_aside_by_marking() {
    let home = TempDir::new("corrupt");
    let content = content_arg(&home);
    big_library(&home, 2);
    let broken = "version = 1\n[read\n";
    let path = home.write("data/quire/state.toml", broken);
    let corrupt_copies = || {
        std::fs::read_dir(home.path().join("data/quire"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("state.toml.corrupt-"))
            .count()
    };
    // `quire unread` (a status bar runs it every few seconds) only reads: the file the
    // user is fixing by hand stays where and as it is.
    for command in ["unread", "list", "stats"] {
        let output = quire(&home, &["--content", &content, command]);
        assert!(output.status.success(), "{command}");
        let warning = stderr(&output);
        assert!(
            warning.contains("state.toml") && warning.contains("left as it is"),
            "{command}: {warning}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken, "{command}");
        assert_eq!(corrupt_copies(), 0, "{command}");
    }
    let output = quire(&home, &["--content", &content, "unread"]);
    assert_eq!(stdout(&output).trim(), "2");
    // A command that marks moves it aside, saying where, and writes a fresh state.
    let ids = stdout(&quire(&home, &["--content", &content, "list"]));
    let first = ids.lines().next().unwrap().split('\t').next().unwrap();
    let output = quire(&home, &["--content", &content, "mark-read", first]);
    assert!(output.status.success());
    let warning = stderr(&output);
    assert!(
        warning.contains("state.toml") && warning.contains("state.toml.corrupt-"),
        "{warning}"
    );
    assert_eq!(corrupt_copies(), 1);
    let output = quire(&home, &["--content", &content, "unread"]);
    assert_eq!(stdout(&output).trim(), "1");
}

#[test]
fn a_newer_state_format_is_refused_untouched() {
    let home = TempDir::new("newer");
    let content = content_arg(&home);
    big_library(&home, 2);
    let path = home.write("data/quire/state.toml", "version = 7\n[read]\n");
    let output = quire(
        &home,
        &[
            "--content",
            &content,
            "mark-read",
            "bookmarks/many/bookmark-number-0",
        ],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("newer Quire"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "version = 7\n[read]\n"
    );
}

/// Killing a writer at any moment leaves the old state or the new one, never a broken file.
#[test]
fn kill_dash_nine_never_corrupts_the_state_file() {
    killed_mid_save_leaves_all_or_nothing("kill9", ["mark-read", "mark-unread"], |s| s.len());
}

#[test]
fn kill_dash_nine_never_corrupts_stars_either() {
    killed_mid_save_leaves_all_or_nothing("kill9-stars", ["star", "unstar"], |s| {
        s.sorted_stars().len()
    });
}

/// Runs `commands` (a change and its reverse) over 3,000 items forty times, each killed with
/// SIGKILL at a random moment of its run: the file holds every change of a run or none.
fn killed_mid_save_leaves_all_or_nothing(
    label: &str,
    commands: [&str; 2],
    count: fn(&quire::state::ReadState) -> usize,
) {
    let home = TempDir::new(label);
    let content = content_arg(&home);
    let ids = big_library(&home, 3000);
    // How long one uninterrupted run takes here, so the kills land inside runs on any machine.
    let spawn = |command: &str| {
        quire_command(&home, home.path())
            .args(["--content", &content, command])
            .args(&ids)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let started = std::time::Instant::now();
    assert!(spawn(commands[1]).wait().unwrap().success());
    let run_micros = (started.elapsed().as_micros() as u64).max(1000);
    let mut seed: u64 = 0x5eed;
    let mut killed_mid_run = 0;
    for round in 0..40 {
        let mut child = spawn(commands[round % 2]);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_micros((seed >> 33) % run_micros));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if !status.success() {
            killed_mid_run += 1;
        }
        let path = state_file(&home);
        if path.exists() {
            let loaded = load_state(&path).unwrap();
            assert!(
                loaded.warning.is_none(),
                "round {round}: {:?}",
                loaded.warning
            );
            let marks = count(&loaded.state);
            assert!(
                marks == 0 || marks == 3000,
                "round {round}: a partial state with {marks} marks"
            );
        }
    }
    assert!(
        killed_mid_run > 10,
        "the kills should land while quire runs ({killed_mid_run} did)"
    );
}

/// Two processes marking different items at the same time: every mark is kept.
#[test]
fn concurrent_writers_keep_every_mark() {
    let (home, content, ids, state) = two_writers("parallel", "mark-read");
    let missing: Vec<&String> = ids.iter().filter(|id| !state.is_read(id)).collect();
    assert!(
        missing.is_empty(),
        "{} marks lost, e.g. {:?}",
        missing.len(),
        missing.first()
    );
    assert_eq!(
        stdout(&quire(&home, &["--content", &content, "unread"])).trim(),
        "0"
    );
}

/// The same for stars: they go through the same locked, merged save.
#[test]
fn concurrent_writers_keep_every_star() {
    let (home, content, ids, state) = two_writers("parallel-stars", "star");
    let missing = ids.iter().filter(|id| !state.is_starred(id)).count();
    assert_eq!(missing, 0, "stars lost");
    let listed = json(&quire(
        &home,
        &["--content", &content, "list", "--starred", "--json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 600);
}

/// Two processes running `command` over 300 different items each, 30 at a time.
fn two_writers(
    label: &str,
    command: &str,
) -> (TempDir, String, Vec<String>, quire::state::ReadState) {
    let home = TempDir::new(label);
    let content = content_arg(&home);
    let ids = big_library(&home, 600);
    let halves: Vec<Vec<String>> = ids.chunks(300).map(<[String]>::to_vec).collect();
    std::thread::scope(|scope| {
        for half in &halves {
            let (home, content) = (&home, &content);
            scope.spawn(move || {
                for chunk in half.chunks(30) {
                    let mut args = vec!["--content", content.as_str(), command];
                    args.extend(chunk.iter().map(String::as_str));
                    let output = quire(home, &args);
                    assert!(output.status.success(), "{}", stderr(&output));
                }
            });
        }
    });
    let state = load_state(&state_file(&home)).unwrap().state;
    (home, content, ids, state)
}

/// A file moved away for a while must not lose its marks: ids not in the library are kept.
#[test]
fn marks_of_items_not_in_the_library_are_kept() {
    let home = TempDir::new("keep-unknown");
    let content = content_arg(&home);
    big_library(&home, 2);
    home.write(
        "data/quire/state.toml",
        "version = 1\n[read]\n\"somewhere/else/moved-away\" = 2026-01-01T00:00:00.000Z\n[unread]\n",
    );
    let output = quire(
        &home,
        &[
            "--content",
            &content,
            "mark-read",
            "bookmarks/many/bookmark-number-1",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let state = load_state(&state_file(&home)).unwrap().state;
    assert!(state.is_read("somewhere/else/moved-away"));
    assert!(state.is_read("bookmarks/many/bookmark-number-1"));
}

#[test]
fn a_folder_given_as_the_state_file_is_refused_and_left_where_it_is() {
    let home = TempDir::new("state-folder");
    let content = content_arg(&home);
    let ids = big_library(&home, 2);
    let folder = home.path().join("notes");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("todo.txt"), "mine").unwrap();
    let state = folder.display().to_string();
    for command in [
        vec!["mark-read", ids[0].as_str()],
        vec!["star", ids[0].as_str()],
        vec!["unread"],
    ] {
        let mut args = vec!["--content", content.as_str(), "--state", state.as_str()];
        args.extend(command.iter().copied());
        let out = quire(&home, &args);
        assert!(
            stderr(&out).contains("not a regular file"),
            "{command:?}: {}",
            stderr(&out)
        );
        assert!(folder.is_dir(), "{command:?}: the folder was moved");
        assert_eq!(
            std::fs::read_to_string(folder.join("todo.txt")).unwrap(),
            "mine"
        );
    }
    let beside: Vec<String> = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("notes.") || n.starts_with(".notes"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");
}

#[test]
fn a_state_file_linked_elsewhere_is_written_through_its_link() {
    let home = TempDir::new("state-link");
    let content = content_arg(&home);
    let ids = big_library(&home, 2);
    let synced = home.path().join("dotfiles/state.toml");
    std::fs::create_dir_all(synced.parent().unwrap()).unwrap();
    std::fs::create_dir_all(state_file(&home).parent().unwrap()).unwrap();
    std::fs::write(&synced, "version = 1\n[read]\n").unwrap();
    std::os::unix::fs::symlink(&synced, state_file(&home)).unwrap();
    let out = quire(&home, &["--content", &content, "mark-read", &ids[0]]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(state_file(&home))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&synced).unwrap().contains(&ids[0]));
}

#[test]
fn two_marking_commands_on_a_broken_state_file_keep_both_marks() {
    let home = TempDir::new("state-race");
    let content = content_arg(&home);
    let ids = big_library(&home, 2);
    for round in 0..10 {
        std::fs::create_dir_all(state_file(&home).parent().unwrap()).unwrap();
        std::fs::write(state_file(&home), "garbage [[[").unwrap();
        let spawn = |id: &str| {
            quire_command(&home, home.path())
                .args(["--content", &content, "mark-read", id])
                .output()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| spawn(&ids[0]));
            let b = s.spawn(|| spawn(&ids[1]));
            (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
        });
        assert!(a.status.success() && b.status.success(), "round {round}");
        let out = quire(&home, &["--content", &content, "unread"]);
        assert_eq!(stdout(&out).trim(), "0", "round {round}: a mark was lost");
        let _ = std::fs::remove_file(state_file(&home));
    }
}
