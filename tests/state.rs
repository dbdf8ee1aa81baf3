//! Read state across processes: persistence, the CLI, crashes and concurrent writers.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{TempDir, json, quire, quire_command, stderr, stdout};
use quire::state::machines::StateFiles;
use quire::state::{LoadedState, load_state_of};

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

/// The read state as the test's machine sees it (every machine's file merged).
fn load_state(home: &TempDir) -> Result<LoadedState, quire::state::StateError> {
    let name = std::fs::read_to_string(home.path().join("state/quire/machine")).unwrap();
    load_state_of(&StateFiles::for_machine(&state_file(home), name.trim()))
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
    // The marks are in this machine's folder beside the file given.
    assert!(common::own_state_text(&home, std::path::Path::new(custom)).contains("number-0"));
    assert!(
        !home.path().join("data/quire").exists(),
        "the default place was not touched"
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
        // This machine's file: the one the killed process was writing.
        let path = home.path().join("state/quire/machine");
        if path.exists() && common::own_state(&home, &state_file(&home)).exists() {
            let loaded = load_state(&home).unwrap();
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
    // The next save clears what killed writers left behind.
    assert!(spawn(commands[0]).wait().unwrap().success());
    let own = common::own_state(&home, &state_file(&home));
    let left: Vec<_> = std::fs::read_dir(&own)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
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
    let state = load_state(&home).unwrap().state;
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
    let state = load_state(&home).unwrap().state;
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
    // This machine's file is beside the file linked to: in the synced folder too.
    let own = common::own_state(&home, &state_file(&home));
    assert!(
        own.starts_with(home.path().join("dotfiles")),
        "{}",
        own.display()
    );
    assert!(common::own_state_text(&home, &state_file(&home)).contains(&ids[0]));
    assert_eq!(
        std::fs::read_to_string(&synced).unwrap(),
        "version = 1\n[read]\n"
    );
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

/// Every file under `dir`, by its path below it, with its bytes (locks left out: they hold
/// nothing).
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if !entry.file_name().to_string_lossy().ends_with(".lock") {
                let relative = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// A sync tool copying one data folder to another (`rsync -a` one way): every file of `from`
/// written over `to`'s.
fn copy_over(from: &std::path::Path, to: &std::path::Path) {
    for (relative, bytes) in files_of(from) {
        let target = to.join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

#[test]
fn two_machines_syncing_one_data_folder_lose_no_mark() {
    let laptop = TempDir::new("machine-laptop");
    let desktop = TempDir::new("machine-desktop");
    let ids = big_library(&laptop, 8);
    big_library(&desktop, 8);
    common::name_machine(&laptop, "laptop");
    common::name_machine(&desktop, "desktop");
    // Both start from a state file of the format before machines had files of their own.
    let old = format!(
        "version = 1\n\n[read]\n\"{}\" = 2026-01-01T00:00:00.000Z\n\n[unread]\n",
        ids[7]
    );
    for home in [&laptop, &desktop] {
        home.write("data/quire/state.toml", &old);
    }
    let data = |home: &TempDir| home.path().join("data/quire");
    let run = |home: &TempDir, args: &[&str]| {
        let content = content_arg(home);
        let mut all = vec!["--content", content.as_str()];
        all.extend(args);
        let output = quire(home, &all);
        assert!(output.status.success(), "{}", stderr(&output));
    };
    let seen = |home: &TempDir| {
        let content = content_arg(home);
        let list = json(&quire(home, &["--content", &content, "list", "--json"]));
        let mut out: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{} read={} star={}", i["id"], i["read"], i["starred"]))
            .collect();
        out.sort();
        out
    };
    // What each machine writes between two syncs: only its own file.
    let check_writes =
        |home: &TempDir, before: &std::collections::BTreeMap<String, Vec<u8>>, own: &str| {
            let after = files_of(&data(home));
            for (name, bytes) in &after {
                if before.get(name) != Some(bytes) {
                    assert!(
                        name.starts_with(&format!("state.d/{own}/")),
                        "{own} wrote {name}"
                    );
                }
            }
        };
    let sync = |first: &TempDir, second: &TempDir| {
        copy_over(&data(first), &data(second));
        copy_over(&data(second), &data(first));
    };

    // Each step: both machines change marks (sometimes the same item), then the folder is
    // copied both ways, one way round then the other.
    type Step<'a> = (&'a [&'a str], &'a [&'a str]);
    let steps: [Step; 5] = [
        (&["mark-read", &ids[0], &ids[1]], &["mark-read", &ids[2]]),
        (&["star", &ids[3]], &["star", &ids[4]]),
        // The same item both ways: the later change (the desktop's, run second) wins.
        (&["mark-read", &ids[5]], &["mark-unread", &ids[0], &ids[5]]),
        (&["unstar", &ids[4]], &["mark-unread", &ids[7]]),
        (
            &[
                "highlight",
                &ids[1],
                "--quote",
                "description 1",
                "--note",
                "from the laptop",
            ],
            &["highlight", &ids[2], "--quote", "description 2"],
        ),
    ];
    for (round, (on_laptop, on_desktop)) in steps.iter().enumerate() {
        let (before_laptop, before_desktop) = (files_of(&data(&laptop)), files_of(&data(&desktop)));
        run(&laptop, on_laptop);
        // Timestamps are milliseconds: the desktop's change is later.
        std::thread::sleep(Duration::from_millis(5));
        run(&desktop, on_desktop);
        check_writes(&laptop, &before_laptop, "laptop");
        check_writes(&desktop, &before_desktop, "desktop");
        if round % 2 == 0 {
            sync(&laptop, &desktop);
        } else {
            sync(&desktop, &laptop);
        }
        assert_eq!(
            files_of(&data(&laptop)),
            files_of(&data(&desktop)),
            "round {round}"
        );
        assert_eq!(seen(&laptop), seen(&desktop), "round {round}");
    }
    let state = load_state(&laptop).unwrap().state;
    for (id, read) in [(0, false), (1, true), (2, true), (5, false), (7, false)] {
        assert_eq!(state.is_read(&ids[id]), read, "{}", ids[id]);
    }
    assert!(state.is_starred(&ids[3]) && !state.is_starred(&ids[4]));
    // Both machines' highlights, on both.
    let highlights = |home: &TempDir| {
        let content = content_arg(home);
        json(&quire(
            home,
            &["--content", &content, "highlights", "--json"],
        ))
    };
    let listed = highlights(&laptop);
    assert_eq!(listed, highlights(&desktop));
    let notes: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["note"].clone())
        .collect();
    assert_eq!(
        notes,
        [
            serde_json::json!("from the laptop"),
            serde_json::Value::Null
        ]
    );
    // The old file was read by both and written by neither.
    assert_eq!(std::fs::read_to_string(state_file(&laptop)).unwrap(), old);
}

#[test]
fn a_highlight_keeps_to_its_words_when_the_file_changes_and_is_kept_when_they_go() {
    let home = TempDir::new("highlight-anchor");
    let content = content_arg(&home);
    let file = home.write(
        "content/bookmarks/notes.md",
        "# Notes\n\n## Caching\n\n- [Cache talk](https://cache.example/talk) - about caches\n  - **Key insights:** the hit rate is what matters most, not the size\n",
    );
    let list = stdout(&quire(&home, &["--content", &content, "list"]));
    let id = list.split('\t').next().unwrap().to_string();
    let made = quire(
        &home,
        &[
            "--content",
            &content,
            "highlight",
            &id,
            "--quote",
            "the hit rate is what matters most",
            "--note",
            "measure first",
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let listed = |home: &TempDir| {
        json(&quire(
            home,
            &["--content", &content, "highlights", "--json"],
        ))
    };
    // A bookmark inserted above: the highlight is on the same words.
    let edit = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace(from, to)).unwrap();
    };
    edit(
        "- [Cache talk]",
        "- [Another](https://other.example) - on top\n- [Cache talk]",
    );
    let now = listed(&home);
    assert_eq!(now[0]["orphaned"], false, "{now}");
    assert_eq!(now[0]["quote"], "the hit rate is what matters most");
    assert_eq!(now[0]["title"], "Cache talk");
    // A quote that is not in the item is refused, naming it.
    let wrong = quire(
        &home,
        &[
            "--content",
            &content,
            "highlight",
            &id,
            "--quote",
            "never written",
        ],
    );
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("never written"),
        "{}",
        stderr(&wrong)
    );
    // Its words rewritten away: still listed, as orphaned, with its note; exported as
    // markdown with the item's title and url.
    edit(
        "the hit rate is what matters most, not the size",
        "size is all",
    );
    let now = listed(&home);
    assert_eq!(now[0]["orphaned"], true, "{now}");
    assert_eq!(now[0]["note"], "measure first");
    let markdown = stdout(&quire(
        &home,
        &["--content", &content, "highlights", "--markdown"],
    ));
    assert!(markdown.starts_with("## Cache talk\n\n<https://cache.example/talk>\n\n> the hit rate is what matters most\n\nmeasure first\n"), "{markdown}");
}

#[test]
fn a_state_file_of_the_format_before_machines_loads_identically() {
    use quire::state::{ReadState, Timestamp};
    let home = TempDir::new("state-migrate");
    let ids = big_library(&home, 3);
    common::name_machine(&home, "laptop");
    // 50,000 marks and 5,000 stars, written as the release before this one wrote them.
    let mut before = ReadState::new();
    for i in 0..50_000u64 {
        let id = format!("somewhere/item-{i}");
        before.set(&id, i % 7 != 0, Timestamp(1_700_000_000_000 + i));
        if i % 10 == 0 {
            before.set_star(&id, i % 20 == 0, Timestamp(1_700_000_100_000 + i));
        }
    }
    home.write(
        "data/quire/state.toml",
        quire::state::store::serialize_state(&before),
    );
    assert_eq!(load_state(&home).unwrap().state, before);
    // A mark made now joins them; the old file is left as it was.
    let old = std::fs::read(state_file(&home)).unwrap();
    let content = content_arg(&home);
    let out = quire(&home, &["--content", &content, "mark-read", &ids[0]]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = load_state(&home).unwrap().state;
    assert!(after.is_read(&ids[0]));
    assert_eq!(after.len(), before.len() + 1);
    for i in (0..50_000).step_by(997) {
        let id = format!("somewhere/item-{i}");
        assert_eq!(after.mark(&id), before.mark(&id), "{id}");
        assert_eq!(after.is_starred(&id), before.is_starred(&id), "{id}");
    }
    assert_eq!(std::fs::read(state_file(&home)).unwrap(), old);
}

#[test]
fn highlights_are_made_from_wrapped_text_changed_and_removed() {
    let home = TempDir::new("highlight-edit");
    let content = content_arg(&home);
    home.write(
        "content/post.md",
        "+++\ntitle = \"Enums\"\n+++\nMatching on enums implies\nimperative programming, said the post.\n",
    );
    let run = |args: &[&str]| {
        let mut all = vec!["--content", content.as_str()];
        all.extend(args);
        quire(&home, &all)
    };
    // The words as `show` prints them, on one line, though the file wraps them.
    let made = run(&[
        "highlight",
        "post",
        "--quote",
        "implies imperative programming",
    ]);
    assert!(made.status.success(), "{}", stderr(&made));
    // The same passage again: its note changes, no second highlight.
    let again = run(&[
        "highlight",
        "post",
        "--quote",
        "implies imperative programming",
        "--note",
        "why?",
    ]);
    assert!(
        stdout(&again).starts_with("changed the note"),
        "{}",
        stdout(&again)
    );
    let listed = json(&run(&["highlights", "--json"]));
    let all = listed.as_array().unwrap();
    assert_eq!(all.len(), 1, "{listed}");
    assert_eq!(all[0]["note"], "why?");
    assert_eq!(all[0]["quote"], "implies\nimperative programming");
    assert_eq!(all[0]["orphaned"], false);
    // `is:highlighted` finds the items holding one.
    let found = stdout(&run(&["search", "is:highlighted"]));
    assert!(found.contains("Enums"), "{found}");
    // Removed: gone from the list and from `is:highlighted`; an unknown id is named, exit 1.
    let id = all[0]["id"].as_str().unwrap().to_string();
    assert!(run(&["unhighlight", &id]).status.success());
    assert_eq!(json(&run(&["highlights", "--json"])), serde_json::json!([]));
    assert!(!stdout(&run(&["search", "is:highlighted"])).contains("Enums"));
    let unknown = run(&["unhighlight", &id]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no highlight with id"),
        "{}",
        stderr(&unknown)
    );
    // The highlights of an item that does not exist: said so.
    let nope = run(&["highlights", "nope"]);
    assert!(!nope.status.success());
    assert!(
        stderr(&nope).contains("no item with id `nope`"),
        "{}",
        stderr(&nope)
    );
}

#[test]
fn another_machines_marks_and_highlights_show_in_a_running_reader() {
    let home = TempDir::new("machine-live");
    let ids = big_library(&home, 3);
    common::name_machine(&home, "laptop");
    let content = content_arg(&home);
    let mut reader = common::pty::Session::start(
        &home,
        home.path(),
        &["--content", &content, "--no-restore"],
        120,
        30,
    );
    reader.wait_for_text("3/3");
    // The desktop shares the data folder (a sync tool brought its files in) but not the
    // machine name, which lives outside it.
    let desktop = home.path().join("desktop-state");
    std::fs::create_dir_all(desktop.join("quire")).unwrap();
    std::fs::write(desktop.join("quire/machine"), "desktop\n").unwrap();
    let as_desktop = |args: &[&str]| {
        let output = quire_command(&home, home.path())
            .env("XDG_STATE_HOME", &desktop)
            .arg("--content")
            .arg(&content)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };
    as_desktop(&["mark-read", &ids[1]]);
    as_desktop(&[
        "highlight",
        &ids[2],
        "--quote",
        "description 2",
        "--note",
        "seen on the desktop",
    ]);
    // Without a key pressed, the reader takes both in.
    let screen = reader.wait_for("the desktop's changes", |s| {
        s.contains("2/3") && s.contains("✎ Highlights")
    });
    assert!(screen.contains("Highlights"), "{screen}");
    // A command run in a shell on this machine shows too, once the reader has saved marks of
    // its own in this machine's folder (opening an item marks it read).
    reader.send("\t");
    reader.send("\r");
    reader.wait_for_text("1/3");
    std::thread::sleep(Duration::from_millis(1500));
    let own = common::own_state(&home, &state_file(&home));
    assert!(own.is_dir(), "the reader saved in its own folder");
    let output = quire(&home, &["--content", &content, "star", &ids[0]]);
    assert!(output.status.success(), "{}", stderr(&output));
    reader.wait_for_text("★ Starred");
    // Nothing of the laptop's own was written by the desktop, nor the other way round.
    let own = StateFiles::for_machine(&state_file(&home), "desktop").own;
    assert!(own.is_dir());
    reader.send("q");
    assert_eq!(reader.wait_exit(), 0);
}

/// Two processes keeping highlights at once, and a reader of the state killed with SIGKILL
/// while they run: every highlight is kept, and the state always reads whole.
#[test]
fn concurrent_and_killed_highlighters_keep_every_highlight() {
    let home = TempDir::new("parallel-highlights");
    let content = content_arg(&home);
    let ids = big_library(&home, 40);
    let halves: Vec<Vec<String>> = ids.chunks(20).map(<[String]>::to_vec).collect();
    std::thread::scope(|scope| {
        for half in &halves {
            let (home, content) = (&home, &content);
            scope.spawn(move || {
                for id in half {
                    let n = id.rsplit('-').next().unwrap();
                    let quote = format!("description {n}");
                    let output = quire(
                        home,
                        &["--content", content, "highlight", id, "--quote", &quote],
                    );
                    assert!(output.status.success(), "{}", stderr(&output));
                }
            });
        }
        // Meanwhile, a marking command killed at once, again and again.
        scope.spawn(|| {
            for round in 0..20u64 {
                let mut child = quire_command(&home, home.path())
                    .args(["--content", &content, "mark-read", &ids[0]])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap();
                std::thread::sleep(Duration::from_millis(3 + round % 7));
                child.kill().unwrap();
                let _ = child.wait();
            }
        });
    });
    let loaded = load_state(&home).unwrap();
    assert!(loaded.warning.is_none(), "{:?}", loaded.warning);
    let items: std::collections::BTreeSet<&str> = loaded
        .state
        .highlights()
        .map(|(_, h)| h.item.as_str())
        .collect();
    assert_eq!(items.len(), 40, "highlights lost");
    let listed = json(&quire(
        &home,
        &["--content", &content, "highlights", "--json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 40);
}
