//! Reading a body: the outline of its headings, `{` and `}` between them, and find in the
//! page as less does it.
#![allow(clippy::unwrap_used)]

mod common;

use common::screen::{app, assert_snapshot, bundled, draw, press, text};
use quire::app::Focus;
use quire::app::picker::{PickerKind, Target};

/// The bundled About page: four `##` headings in a long body.
fn about(width: u16, height: u16) -> quire::app::App {
    let mut app = app(bundled(), width, height);
    press(&mut app, "jl<enter>");
    assert_eq!(app.focus, Focus::Body);
    app
}

#[test]
fn the_outline_lists_the_headings_and_jumps_to_one() {
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let mut app = about(w, h);
        press(&mut app, "t");
        let picker = app.picker.as_ref().expect("outline open");
        assert_eq!(picker.kind, PickerKind::Outline);
        let texts: Vec<&str> = picker.rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Work at Oxide",
                "Work at Joyent (2010 - 2019)",
                "Work at Fishworks (2007 - 2010)",
                "Other interests"
            ]
        );
        assert_snapshot(&format!("outline_{w}x{h}"), &text(&draw(&app)));
        // The third heading: the body scrolls to it.
        let Target::Line(line) = picker.rows[2].target else {
            panic!()
        };
        press(&mut app, "jj<enter>");
        assert!(app.picker.is_none());
        let page = app.page().unwrap();
        assert!(
            page.lines[line].to_string().contains("Work at Fishworks"),
            "{}",
            page.lines[line]
        );
        let expected = line.min(app.body.max_scroll(app.body_height()));
        assert_eq!(app.body.scroll, expected);
    }
}

#[test]
fn braces_step_from_heading_to_heading() {
    let mut app = about(120, 40);
    let headings: Vec<usize> = app
        .page()
        .unwrap()
        .headings
        .iter()
        .map(|h| h.line)
        .collect();
    assert_eq!(headings.len(), 4);
    press(&mut app, "}");
    assert_eq!(app.body.scroll, headings[0]);
    press(&mut app, "}");
    assert_eq!(app.body.scroll, headings[1]);
    press(&mut app, "{");
    assert_eq!(app.body.scroll, headings[0]);
    press(&mut app, "{");
    assert_eq!(app.body.scroll, 0, "to the top: no heading above the first");
    assert!(app.status.clone().is_none_or(|s| !s.error));
}

#[test]
fn find_in_the_page_paints_steps_and_wraps() {
    let mut app = about(120, 40);
    press(&mut app, "/rust");
    let find = app.find.as_ref().expect("prompt open");
    assert!(find.typing);
    assert_eq!(find.input, "rust");
    // Every place is painted as it is typed, and the view is on the first one.
    let (at, of) = app.body.match_position().unwrap();
    assert!(of >= 3, "{of}");
    assert_eq!(at, 1);
    let screen = text(&draw(&app));
    assert!(
        screen.contains(" /rust"),
        "the prompt at the bottom:\n{screen}"
    );
    press(&mut app, "<enter>");
    assert!(!app.find.as_ref().unwrap().typing);
    assert!(text(&draw(&app)).contains(&format!("match 1/{of}")));
    for n in 2..=of {
        press(&mut app, "n");
        assert_eq!(app.body.match_position(), Some((n, of)));
    }
    press(&mut app, "n");
    assert_eq!(app.body.match_position(), Some((1, of)));
    assert_eq!(
        app.status.clone().unwrap().text,
        "search wrapped to the top"
    );
    // Esc clears the word (one level), then goes back to the list.
    press(&mut app, "<esc>");
    assert!(app.find.is_none() && app.body.marked.is_none());
    assert_eq!(app.focus, Focus::Body);
    press(&mut app, "<esc>");
    assert_eq!(app.focus, Focus::List);
    // From the list, `/` is the library search again.
    press(&mut app, "/");
    assert!(app.search.is_some() && app.find.is_none());
}

#[test]
fn a_word_not_in_the_page_says_so() {
    let mut app = about(120, 40);
    press(&mut app, "/zzqx<enter>");
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("not found"),
        "{status:?}"
    );
    // q typed in the prompt is a letter, not quit.
    press(&mut app, "/q");
    assert!(!app.should_quit);
    assert_eq!(app.find.as_ref().unwrap().input, "q");
}

#[test]
fn html_in_a_body_reads_as_text_never_as_tags() {
    use quire::content::{Root, load_library};
    let home = common::TempDir::new("reading-html");
    home.write(
        "lib/html.md",
        "+++\ntitle = \"Html\"\n+++\n\nIntro with <b>bold</b> and a break<br>here.\n\n<details><summary>Example failure</summary>\n\nThe *details* inside.\n\n</details>\n\n<pre><code class=\"language-rust\">fn f&lt;'a&gt;() {}</code></pre>\n\n<img src=\"https://img.example.org/ferris.png\" alt=\"Ferris\" class=\"right\">\n\n<div style=\"x\"><a href=\"https://example.org/goals\"><strong>Goals</strong></a></div>\n",
    );
    let library = std::sync::Arc::new(load_library(&[Root::Dir(home.path().join("lib"))]).unwrap());
    let page = quire::render::item_page(&library, 0, &quire::theme::Theme::dark(), 80);
    let all: String = page.lines.iter().map(|l| l.to_string() + "\n").collect();
    for tag in [
        "<b>",
        "<br>",
        "<details>",
        "<summary>",
        "<pre>",
        "<code",
        "<img",
        "<div",
        "<a ",
        "</",
    ] {
        assert!(!all.contains(tag), "{tag} shown:\n{all}");
    }
    assert!(all.contains("Intro with bold and a break\nhere."), "{all}");
    // A heading shows its text, never its marks.
    assert!(
        all.contains("\nExample failure\n") && !all.contains("#### "),
        "{all}"
    );
    assert!(page.headings.iter().any(|h| h.text == "Example failure"));
    assert!(all.contains("fn f<'a>() {}"), "{all}");
    assert!(all.contains("[image: Ferris][1]"), "{all}");
    assert!(all.contains("Goals[2]"), "{all}");
    let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://img.example.org/ferris.png",
            "https://example.org/goals"
        ]
    );
}

#[test]
fn next_unread_from_the_tree_takes_the_first_unread_item() {
    let mut app = app(bundled(), 120, 40);
    assert_eq!(app.focus, Focus::Tree);
    press(&mut app, "]");
    assert_eq!(app.focus, Focus::List);
    assert_eq!(
        app.list.selected, 0,
        "the first item is unread: it is the one"
    );
}

#[test]
fn the_list_header_counts_unread_as_marks_change() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "jl"); // About: one item
    let header = |app: &quire::app::App| text(&draw(app)).lines().next().unwrap().to_string();
    assert!(header(&app).contains("About · 1/1"), "{}", header(&app));
    press(&mut app, "m");
    assert!(header(&app).contains("About · 0/1"), "{}", header(&app));
    press(&mut app, "u");
    assert!(header(&app).contains("About · 1/1"), "{}", header(&app));
    // In the unread view, marking everything read shows 0 at once.
    press(&mut app, "UMy");
    assert!(header(&app).contains("0 unread"), "{}", header(&app));
}

#[test]
fn items_of_the_same_title_say_where_they_are_from() {
    use quire::content::{Root, load_library};
    let home = common::TempDir::new("reading-twins");
    home.write(
        "lib/one/notes.md",
        "+++\ntitle = \"Notes\"\ndate = 2026-01-02\n+++\nA.",
    );
    home.write(
        "lib/two/notes.md",
        "+++\ntitle = \"Notes\"\ndate = 2026-01-01\n+++\nB.",
    );
    let library = std::sync::Arc::new(load_library(&[Root::Dir(home.path().join("lib"))]).unwrap());
    let app = common::screen::app(library, 100, 20);
    let screen = text(&draw(&app));
    assert!(
        screen.contains("Notes") && screen.contains("one 2026-01-02"),
        "{screen}"
    );
    assert!(screen.contains("two 2026-01-01"), "{screen}");
}

#[test]
fn same_title_posts_of_one_category_say_their_file_not_the_category() {
    use quire::content::{Root, load_library};
    let home = common::TempDir::new("reading-twins-one-folder");
    // A blog's posts of one title, in one folder, as a Jekyll blog names them.
    home.write(
        "lib/blog/2026-01-02-cats.md",
        "+++\ntitle = \"Cats\"\ndate = 2026-01-02\n+++\nA.",
    );
    home.write(
        "lib/blog/2026-01-01-cats-again.md",
        "+++\ntitle = \"Cats\"\ndate = 2026-01-01\n+++\nB.",
    );
    home.write("lib/other/dogs.md", "+++\ntitle = \"Dogs\"\n+++\nC.");
    let library = std::sync::Arc::new(load_library(&[Root::Dir(home.path().join("lib"))]).unwrap());
    let app = common::screen::app(library, 160, 20);
    let screen = text(&draw(&app));
    assert!(screen.contains("cats 2026-01-02"), "{screen}");
    assert!(screen.contains("cats-again 2026-01-01"), "{screen}");
    assert!(!screen.contains("blog 2026"), "{screen}");
}

#[test]
fn a_category_page_counts_marks_made_since_it_was_laid_out() {
    let mut app = app(bundled(), 120, 40);
    assert!(text(&draw(&app)).contains("293 items, 293 unread"));
    press(&mut app, "<tab>m<s-tab>"); // to the list, mark the first item, back to the tree
    assert_eq!(app.focus, Focus::Tree);
    let screen = text(&draw(&app));
    assert!(screen.contains("293 items, 292 unread"), "{screen}");
}

#[test]
fn q_closes_a_picker_and_f_and_t_go_from_one_to_the_other() {
    let mut app = about(120, 40);
    press(&mut app, "tq");
    assert!(app.picker.is_none() && !app.should_quit);
    press(&mut app, "t");
    press(&mut app, "f");
    // About has no links and no url: the outline closes and says so.
    assert!(app.picker.is_none());
    press(&mut app, "t");
    assert_eq!(app.picker.as_ref().unwrap().kind, PickerKind::Outline);
}

#[test]
fn n_after_scrolling_away_steps_from_the_screen_shown() {
    let mut app = about(120, 40);
    press(&mut app, "/the<enter>");
    let (_, of) = app.body.match_position().unwrap();
    assert!(of > 5);
    // At the end of the page, n steps to a match on the screen shown, not to the one
    // after the match it was on (at the top).
    press(&mut app, "G");
    press(&mut app, "n");
    let (at, _) = app.body.match_position().unwrap();
    let line = app.body.marked.as_ref().unwrap().matches[at - 1];
    assert!(
        line >= app.body.scroll,
        "match {at} at line {line} is on screen"
    );
    assert!(at > 2, "{at}");
}
