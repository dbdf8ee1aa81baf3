//! Hostile content: control sequences in every field and file name must never reach the
//! terminal. The real binary runs in a pseudo-terminal over `tests/fixtures/hostile/` and the
//! raw bytes it writes are checked.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::pty::Session;
use common::{TempDir, copy_dir};

/// The fixture, plus files and folders whose names carry escape sequences (kept out of git).
fn hostile_library(home: &TempDir) -> std::path::PathBuf {
    let root = home.path().join("hostile");
    copy_dir(&common::fixture("hostile"), &root);
    let names = [
        "posts/\u{1b}[2J\u{1b}[Hcleared\u{7}.md",
        "posts/\u{1b}]0;window title\u{7}.md",
        "posts/\u{202e}txt.exe.md",
        "\u{1b}]52;c;ZXZpbA==\u{7}folder/inside.md",
        "posts/c1\u{9b}31m.md",
    ];
    for name in names {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!(
                "# Named {}\n\nbody of a file with a hostile name\n",
                name.len()
            ),
        )
        .unwrap();
    }
    root
}

/// Every escape sequence in `raw`, with its kind; fails on anything a rendering backend does
/// not itself send: OSC, DCS, APC, PM, SOS, C1 controls, and CSI other than styling, cursor
/// moves, clearing, and the mode switches for the alternate screen, cursor and mouse.
fn assert_only_backend_sequences(raw: &[u8], context: &str) {
    let text = String::from_utf8_lossy(raw);
    let mut problems = Vec::new();
    for (i, c) in text.char_indices() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            problems.push(format!("C1 control U+{:04X} at {i}", c as u32));
        }
    }
    let bytes = text.as_bytes();
    let allowed_modes = [
        "?1049", "?25", "?1000", "?1002", "?1003", "?1006", "?1015", "?2004",
    ];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != 0x1b {
            if bytes[i] < 0x20 && !matches!(bytes[i], b'\n' | b'\r' | b'\t' | 0x08) {
                problems.push(format!("C0 control 0x{:02x} at {i}", bytes[i]));
            }
            i += 1;
            continue;
        }
        let Some(&kind) = bytes.get(i + 1) else {
            problems.push("a lone ESC at the end".into());
            break;
        };
        match kind {
            b'[' => {
                let start = i + 2;
                let mut j = start;
                while j < bytes.len() && (0x20..0x40).contains(&bytes[j]) {
                    j += 1;
                }
                let params = &text[start..j];
                let final_byte = bytes.get(j).copied().unwrap_or(0) as char;
                let ok = match final_byte {
                    'm' | 'H' | 'J' | 'K' | 'G' | 'd' | 'A' | 'B' | 'C' | 'D' => {
                        !params.starts_with('?')
                    }
                    'h' | 'l' => allowed_modes.contains(&params),
                    _ => false,
                };
                if !ok {
                    problems.push(format!("CSI {params:?} {final_byte:?} at {i}"));
                }
                i = j + 1;
            }
            b']' => {
                problems.push(format!(
                    "OSC at {i}: {:?}",
                    &text[i..(i + 30).min(text.len())]
                ));
                i += 2;
            }
            b'P' | b'_' | b'^' | b'X' => {
                problems.push(format!("string control ESC {} at {i}", kind as char));
                i += 2;
            }
            // ESC 7 / ESC 8 (save and restore the cursor) are harmless; nothing else is sent.
            b'7' | b'8' => i += 2,
            other => {
                problems.push(format!("ESC {:?} at {i}", other as char));
                i += 2;
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{context}: {} bad sequences, e.g. {:?}",
        problems.len(),
        &problems[..problems.len().min(8)]
    );
}

#[test]
fn the_reader_never_writes_content_as_control_sequences() {
    let home = TempDir::new("hostile-tui");
    let root = hostile_library(&home);
    let content = root.display().to_string();
    let mut s = Session::start(&home, home.path(), &["--content", &content], 120, 40);
    s.wait_for_text("Categories");
    // Open every category, then read every item to its end.
    for _ in 0..12 {
        s.type_keys("jl");
    }
    s.type_keys("g<");
    s.send("\t"); // to the list
    s.type_keys("g");
    for _ in 0..16 {
        s.type_keys("\r");
        s.type_keys("G");
        // The link picker and the outline show text from the body too.
        s.type_keys("f");
        std::thread::sleep(std::time::Duration::from_millis(20));
        s.send("\x1b");
        s.type_keys("t");
        std::thread::sleep(std::time::Duration::from_millis(20));
        s.send("\x1b");
        s.send("\x1b");
        std::thread::sleep(std::time::Duration::from_millis(40));
        s.type_keys("j");
    }
    // Search, open a result, step through matches, and look at the help.
    s.type_keys("/evil");
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.type_keys("\rnnN");
    s.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(60));
    s.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(60));
    s.type_keys("?G");
    s.send("\x1b");
    std::thread::sleep(std::time::Duration::from_millis(60));
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
    let raw = s.raw();
    assert!(raw.len() > 10_000, "the session drew something");
    assert_only_backend_sequences(&raw, "reader");
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains('␛'),
        "escape characters are shown as visible symbols"
    );
}

#[test]
fn cli_output_to_a_terminal_is_clean_too() {
    let home = TempDir::new("hostile-cli");
    let root = hostile_library(&home);
    let content = root.display().to_string();
    let ids: Vec<String> = common::stdout(&common::quire(&home, &["--content", &content, "list"]))
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 12, "{ids:?}");
    let mut runs: Vec<Vec<String>> = vec![
        vec!["list".into()],
        vec!["check".into()],
        vec!["search".into(), "evil".into()],
        vec!["search".into(), "named".into()],
        vec!["stats".into()],
    ];
    runs.extend(ids.iter().map(|id| vec!["show".into(), id.clone()]));
    for args in runs {
        let mut full = vec!["--content".to_string(), content.clone()];
        full.extend(args.iter().cloned());
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        let mut s = Session::start(&home, home.path(), &full, 120, 40);
        s.wait_exit();
        assert_only_backend_sequences(&s.raw(), &args.join(" "));
    }
}

#[test]
fn json_output_is_escaped_json() {
    let home = TempDir::new("hostile-json");
    let root = hostile_library(&home);
    let content = root.display().to_string();
    for args in [
        vec!["list", "--json"],
        vec!["search", "--json", "evil"],
        vec!["stats", "--json"],
    ] {
        let mut full = vec!["--content", &content];
        full.extend(args.iter().copied());
        let output = common::quire(&home, &full);
        assert!(output.status.success(), "{}", common::stderr(&output));
        let text = String::from_utf8(output.stdout).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(!value.is_null());
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "raw control characters in JSON for {args:?}"
        );
    }
}

#[test]
fn urls_from_content_are_opened_only_when_safe_and_without_a_shell() {
    let home = TempDir::new("hostile-open");
    let root = home.path().join("lib");
    let (opener, log) = common::recording_opener(&home);
    std::fs::create_dir_all(root.join("bookmarks")).unwrap();
    let tricky = "https://x.example/a;touch${IFS}/tmp/quire-pwned|sh&b=`id`$(id)";
    std::fs::write(
        root.join("bookmarks/links.md"),
        format!(
            "- [Shell](<{tricky}>) -- metacharacters\n- [Script](javascript:alert(1)) -- js\n\
             - [File](file:///etc/passwd) -- file\n- [Dash](-oProxyCommand=evil) -- dash\n"
        ),
    )
    .unwrap();
    let content = root.display().to_string();
    let opener_path = opener.display().to_string();
    let mut s = Session::start_with_env(
        &home,
        home.path(),
        &["--content", &content],
        120,
        30,
        &[("QUIRE_OPENER", &opener_path)],
    );
    s.wait_for_text("Categories");
    s.send("\t");
    s.type_keys("o");
    s.wait_for_text("Opening https://x.example/");
    for (key, expected) in [
        ("j", "only http, https and mailto"),
        ("j", "only http, https and mailto"),
        ("j", "may not start with '-'"),
    ] {
        s.type_keys(key);
        s.type_keys("o");
        s.wait_for_text(expected);
    }
    s.send("q");
    s.wait_exit();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(
        logged,
        format!("1\n{tricky}\n"),
        "one argument, passed through untouched, and nothing else opened"
    );
    assert!(!Path::new("/tmp/quire-pwned").exists());
}

#[test]
fn the_checker_itself_catches_what_it_must() {
    for bad in [
        "\x1b]0;title\x07",
        "\x1bP1$q\x1b\\",
        "\x1b_x\x1b\\",
        "\u{9b}2J",
        "\x1b[6n",
        "\x1b[?1h",
        "\x07",
    ] {
        let caught =
            std::panic::catch_unwind(|| assert_only_backend_sequences(bad.as_bytes(), "probe"))
                .is_err();
        assert!(caught, "{bad:?} slipped through");
    }
    assert_only_backend_sequences(
        b"\x1b[?1049h\x1b[1;1H\x1b[38;5;6mtext\x1b[0m\x1b[2J\x1b[?25l",
        "backend",
    );
}

#[test]
fn links_inside_bodies_are_listed_clean_and_scripts_refused() {
    use quire::content::{Root, load_library};
    let home = TempDir::new("hostile-body-links");
    let root = hostile_library(&home);
    let library = std::sync::Arc::new(load_library(&[Root::Dir(root)]).unwrap());
    let index = library
        .items
        .iter()
        .position(|i| i.title == "Links inside a body")
        .unwrap();
    let page = quire::render::item_page(&library, index, &quire::theme::Theme::dark(), 100);
    for line in &page.lines {
        for span in &line.spans {
            assert!(quire::text::is_clean(&span.content), "{:?}", span.content);
        }
    }
    for link in &page.links {
        assert!(quire::text::is_clean(&link.url), "{:?}", link.url);
        assert!(quire::text::is_clean(&link.text), "{:?}", link.text);
    }
    for heading in &page.headings {
        assert!(quire::text::is_clean(&heading.text), "{:?}", heading.text);
    }
    let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert!(urls.contains(&"javascript:alert(1)"), "{urls:?}");
    assert!(urls.contains(&"javascript:alert(2)"), "{urls:?}");
    // Listed, but the opener refuses them: open the item from the list of All, then pick
    // the script link by its number.
    let script = page
        .links
        .iter()
        .position(|l| l.url == "javascript:alert(1)")
        .unwrap()
        + 1;
    let mut reader = common::screen::app(library, 120, 40);
    common::screen::press(&mut reader, "<tab>");
    let row = reader.list.items.iter().position(|&i| i == index).unwrap();
    reader.list.selected = row;
    common::screen::press(&mut reader, "<enter>");
    assert_eq!(reader.body.key, Some(quire::render::PageKey::Item(index)));
    reader.take_effects();
    common::screen::press(&mut reader, &format!("f{script}<enter>"));
    assert!(reader.take_effects().is_empty(), "nothing opened");
    let status = reader.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("Not opening"),
        "{status:?}"
    );
}
