//! Links inside bodies: numbered where they stand, listed under the body, picked with `f`
//! and opened through the safe opener, or copied.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::pty::Session;
use common::screen::{app, assert_snapshot, draw, press, text};
use common::{TempDir, fixture};
use quire::app::{App, Effect, Focus};
use quire::content::{Library, Root, load_library};

fn library() -> Arc<Library> {
    Arc::new(load_library(&[Root::Dir(fixture("links"))]).unwrap())
}

/// A reader with the post full of links open in the body.
fn reading(width: u16, height: u16) -> App {
    let mut app = app(library(), width, height);
    press(&mut app, "jl<enter>");
    assert_eq!(app.focus, Focus::Body);
    app
}

#[test]
fn links_are_numbered_where_they_stand_and_listed_under_the_body() {
    let app = reading(120, 40);
    let page = app.page().unwrap();
    let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://first.example.org/guide",
            "https://second.example.org/a/b?c=d#e",
            "https://auto.example.org/plain",
            "https://github.com/rust-lang/rust-project-goals/issues/113/and/a/much/longer/path/that/does/not/fit/on/any/line",
            "https://ref.example.org/elsewhere",
            "https://img.example.org/chart.png",
            "https://ci.example.org/builds",
            "javascript:alert(1)",
            "https://quire.example.org/manual",
        ]
    );
    let all: String = page
        .lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        all.contains("Read the first guide[1] before the second one[2]"),
        "{all}"
    );
    // An autolink appears once, with its number; no url is repeated inline.
    assert_eq!(
        all.matches("https://auto.example.org/plain").count(),
        2,
        "once inline, once listed"
    );
    assert!(!all.contains("(https://"), "{all}");
    assert!(all.contains("[image: a chart of the speed-up][6]"), "{all}");
}

#[test]
fn long_urls_in_the_list_are_cut_not_broken() {
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let mut app = reading(w, h);
        press(&mut app, "G");
        let screen = text(&draw(&app));
        assert_snapshot(&format!("links_list_{w}x{h}"), &screen);
        let page = app.page().unwrap();
        let listed: Vec<String> = page
            .lines
            .iter()
            .map(|l| l.to_string())
            .skip_while(|l| l != "Links")
            .collect();
        assert_eq!(listed.len(), 10, "{listed:?}");
        for line in &listed[1..] {
            assert!(line.starts_with(" [") || line.starts_with('['), "{line:?}");
        }
        // Cut in the middle: the site and the end of the path stay.
        assert!(
            listed[4].contains('…'),
            "cut with an ellipsis: {:?}",
            listed[4]
        );
        assert!(listed[4].ends_with("line"), "{:?}", listed[4]);
        assert!(listed[4].contains("https://"), "{:?}", listed[4]);
    }
}

#[test]
fn the_picker_lists_the_item_url_first_then_each_link() {
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let mut app = reading(w, h);
        press(&mut app, "f");
        let picker = app.picker.as_ref().expect("picker open");
        assert_eq!(picker.rows.len(), 10);
        assert_eq!(
            picker.rows[0].target,
            quire::app::picker::Target::Url("https://blog.example.org/linked-post".into())
        );
        assert_snapshot(&format!("links_picker_{w}x{h}"), &text(&draw(&app)));
        // The selected link's url is shown whole under the list, over two rows if need be.
        press(&mut app, "4");
        let screen = text(&draw(&app));
        if w >= 80 {
            let compact: String = screen
                .chars()
                .filter(|c| !matches!(c, '│' | '║' | '█' | ' ' | '\n'))
                .collect();
            let url = "https://github.com/rust-lang/rust-project-goals/issues/113/and/a/much/longer/path/that/does/not/fit/on/any/line";
            assert!(compact.contains(url), "{screen}");
        }
        press(&mut app, "<esc>");
    }
}

#[test]
fn typing_a_number_and_enter_opens_that_link() {
    let mut app = reading(120, 40);
    app.take_effects();
    press(&mut app, "f2<enter>");
    assert!(app.picker.is_none());
    assert_eq!(
        app.take_effects(),
        [Effect::OpenUrl(
            "https://second.example.org/a/b?c=d#e".into()
        )]
    );
    // Moving works too, and y copies.
    press(&mut app, "fjjjy");
    assert_eq!(
        app.take_effects(),
        [Effect::CopyToClipboard(
            "https://auto.example.org/plain".into()
        )]
    );
    // A script link is listed but refused.
    press(&mut app, "f8<enter>");
    assert!(app.take_effects().is_empty());
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("javascript:alert(1)"),
        "{status:?}"
    );
    // Esc closes without doing anything.
    press(&mut app, "f<esc>");
    assert!(app.picker.is_none() && app.take_effects().is_empty());
}

#[test]
fn quire_show_numbers_links_and_lists_them_at_the_end() {
    let home = TempDir::new("links-show");
    let content = fixture("links").display().to_string();
    let out = common::stdout(&common::quire(
        &home,
        &["--content", &content, "show", "notes/linked-post"],
    ));
    assert!(out.contains("the first guide[1]"), "{out}");
    assert!(
        out.contains("Links:\n[1] https://first.example.org/guide\n"),
        "{out}"
    );
    assert!(out.contains("[4] https://github.com/rust-lang/rust-project-goals/issues/113/and/a/much/longer/path/that/does/not/fit/on/any/line\n"));
}

#[test]
fn the_opener_receives_exactly_the_link_picked() {
    let home = TempDir::new("links-open");
    let (opener, log) = common::recording_opener(&home);
    let content = fixture("links").display().to_string();
    let opener_path = opener.display().to_string();
    let mut s = Session::start_with_env(
        &home,
        home.path(),
        &["--content", &content],
        120,
        40,
        &[("QUIRE_OPENER", &opener_path)],
    );
    s.wait_for_text("Categories");
    s.type_keys("jl\r");
    s.wait_for_text("the first guide[1]");
    s.type_keys("f");
    s.wait_for_text("Links · 10");
    s.type_keys("2\r");
    s.wait_for_text("Opening https://second.example.org/a/b?c=d#e");
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    s.assert_terminal_restored();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(logged, "1\nhttps://second.example.org/a/b?c=d#e\n");
}
