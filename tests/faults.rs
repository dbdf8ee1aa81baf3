//! Hard faults: signals, suspend, content vanishing, and saving that fails.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TempDir;
use common::pty::Session;
use common::screen::press;
use quire::app::{App, Settings};
use quire::content::{Root, load_library};
use quire::state::ReadState;
use ratatui::layout::Rect;

#[cfg(unix)]
#[test]
fn sighup_and_sigint_save_state_and_restore_the_terminal() {
    for (signal, number) in [("HUP", 1), ("INT", 2), ("TERM", 15)] {
        let home = TempDir::new("signals");
        let mut s = Session::start(&home, home.path(), &[], 100, 30);
        s.wait_for_text("293/293");
        s.type_keys("jMy");
        s.wait_for_text("292 unread");
        let pid = s.pid().unwrap().to_string();
        assert!(
            std::process::Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap()
                .success()
        );
        assert_eq!(s.wait_exit(), 128 + number, "SIG{signal}");
        s.assert_terminal_restored();
        assert_eq!(
            common::stdout(&common::quire(&home, &["unread"])).trim(),
            "292",
            "SIG{signal} saved the mark"
        );
    }
}

/// Ctrl-Z under a real shell with job control: the shell gets its prompt back, `fg` brings
/// the reader back, redrawn in full.
#[cfg(unix)]
#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no bash here; skipping");
        return;
    }
    let home = TempDir::new("suspend");
    let quire = env!("CARGO_BIN_EXE_quire");
    let mut s = Session::start_program(
        "bash",
        &home,
        home.path(),
        &["--norc", "--noprofile", "-i"],
        100,
        30,
        &[("PS1", "shell$ ")],
    );
    s.wait_for_text("shell$");
    s.send(&format!("{quire}\r"));
    s.wait_for_text("293/293");
    s.send("\x1a"); // Ctrl-Z
    s.wait_for("the shell prompt", |screen| {
        screen.contains("Stopped") && !screen.contains("293/293")
    });
    s.with_screen(|screen| {
        assert!(
            !screen.alternate_screen(),
            "the terminal is the shell's again"
        )
    });
    s.send("fg\r");
    let screen = s.wait_for_text("293/293");
    assert!(screen.contains("Categories"), "redrawn in full: {screen}");
    s.send("j");
    s.wait_for_text("2/5");
    s.send("q");
    s.wait_for("the shell after quitting", |screen| {
        screen.contains("shell$") && !screen.contains("Categories")
    });
    s.send("exit\r");
    s.wait_exit();
}

#[test]
fn an_item_whose_file_vanished_says_it_is_unavailable() {
    let dir = TempDir::new("vanish");
    let post = dir.write(
        "notes/soon-gone.md",
        "# Soon gone\n\nStill readable from memory.",
    );
    dir.write("notes/staying.md", "# Staying\n\nHere.");
    let library = Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
    let mut app = App::new(
        library,
        Settings::default(),
        ReadState::new(),
        Rect::new(0, 0, 120, 40),
    );
    std::fs::remove_file(&post).unwrap();
    press(&mut app, "<tab>"); // "Soon gone" is first by title
    press(&mut app, "<enter>");
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.starts_with("Unavailable:"),
        "{status:?}"
    );
    assert!(
        app.page()
            .unwrap()
            .lines
            .iter()
            .any(|l| l.to_string().contains("Still readable from memory."))
    );
    // A whole root gone: no crash, and the same message.
    std::fs::remove_dir_all(dir.path().join("notes")).unwrap();
    press(&mut app, "<esc>j<enter>");
    assert!(app.status.clone().unwrap().text.starts_with("Unavailable:"));
}

/// A save that cannot be written (here the temporary file's name is taken by a folder, which
/// stops even root) leaves the old file alone, says so, keeps the marks, and retries.
#[test]
fn a_failing_save_warns_keeps_the_old_file_and_retries() {
    let home = TempDir::new("save-fails");
    let old =
        "version = 1\n\n[read]\n\"howdy/sacrifice-to-ai\" = 2026-01-01T00:00:00.000Z\n\n[unread]\n";
    let state = home.write("data/quire/state.toml", old);
    // This machine's folder is where the reader saves (the shared file is only read); a
    // file where the folder should be stops the save.
    common::name_machine(&home, "testbox");
    let blocker = home.path().join("data/quire/state.d/testbox");
    std::fs::create_dir_all(blocker.parent().unwrap()).unwrap();
    std::fs::write(&blocker, "in the way").unwrap();

    let mut s = Session::start(&home, home.path(), &[], 120, 30);
    s.wait_for_text("292/293");
    s.type_keys("jjll\r"); // opening marks the newest Blog post read
    s.wait_for_text("Cannot save read state (will retry)");
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        old,
        "the old file is untouched"
    );
    s.with_screen(|screen| {
        assert!(
            screen.contents().contains("291 unread"),
            "the mark is kept in memory"
        )
    });

    std::fs::remove_file(&blocker).unwrap();
    s.wait_for_text("Read state saved.");
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        old,
        "never written"
    );
    let saved = common::own_state_text(&home, &state);
    assert!(
        saved.contains("blog/some-aws-ec2-instance-choices"),
        "{saved}"
    );
    assert!(
        saved.contains("howdy/sacrifice-to-ai"),
        "the old mark is still there"
    );
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    std::thread::sleep(Duration::from_millis(50));
}

/// A panic hands the terminal back before its message is printed (debug builds have a key
/// that panics on request; release builds do not).
#[test]
fn a_panic_restores_the_terminal_and_reports() {
    let home = TempDir::new("panic");
    let mut s = Session::start_with_env(
        &home,
        home.path(),
        &[],
        100,
        30,
        &[("QUIRE_DEBUG_PANIC", "1")],
    );
    s.wait_for_text("293/293");
    s.send("\x1b[24~"); // F12
    assert_ne!(s.wait_exit(), 0);
    s.assert_terminal_restored();
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    let left_alternate = raw.find("\x1b[?1049l").expect("left the alternate screen");
    let message = raw
        .rfind("panic requested with F12")
        .expect("the panic message is shown");
    assert!(
        message > left_alternate,
        "the message comes after the terminal is restored"
    );
}
