//! Key and mouse handling as state transitions, without a terminal.
#![allow(clippy::unwrap_used)]

mod common;

use common::screen::{app, bundled, press};
use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use quire::app::{App, Effect, Focus, layout::inner};
use quire::render::PageKey;

fn shown_title(app: &App) -> String {
    match app.body.key {
        Some(PageKey::Item(i)) => app.library.items[i].title.clone(),
        Some(PageKey::Category(c)) => format!("category {}", app.library.category(c).name),
        None => "nothing".into(),
    }
}

fn tree_name(app: &App) -> String {
    app.library.category(app.tree.selected_id()).name.clone()
}

#[test]
fn the_reader_opens_on_all_with_the_tree_focused() {
    let app = app(bundled(), 120, 40);
    assert_eq!(app.focus, Focus::Tree);
    assert_eq!(tree_name(&app), "All");
    assert_eq!(app.list.items.len(), 293);
    assert_eq!(shown_title(&app), "category All");
}

#[test]
fn l_expands_a_category_then_moves_to_the_list() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "jj");
    assert_eq!(tree_name(&app), "Blog");
    press(&mut app, "l");
    assert_eq!(app.focus, Focus::Tree, "first l expands");
    assert_eq!(app.tree.rows.len(), 9);
    press(&mut app, "l");
    assert_eq!(app.focus, Focus::List, "second l moves right");
    assert_eq!(app.list.items.len(), 24);
    assert_eq!(
        shown_title(&app),
        "Some AWS EC2 Instance Choices",
        "newest post first"
    );
}

#[test]
fn h_collapses_then_climbs_to_the_parent() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "jjlj");
    assert_eq!(tree_name(&app), "Deep Learning");
    press(&mut app, "h");
    assert_eq!(
        tree_name(&app),
        "Blog",
        "a closed node climbs to its parent"
    );
    press(&mut app, "h");
    assert_eq!(app.tree.rows.len(), 5, "then collapses");
}

#[test]
fn enter_opens_the_item_in_the_body_and_esc_backs_out() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "jjll<enter>");
    assert_eq!(app.focus, Focus::Body);
    press(&mut app, "<esc>");
    assert_eq!(app.focus, Focus::List);
    press(&mut app, "<esc>");
    assert_eq!(app.focus, Focus::Tree);
    assert_eq!(shown_title(&app), "category Blog");
}

#[test]
fn tab_cycles_the_panes_both_ways() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "<tab>");
    assert_eq!(app.focus, Focus::List);
    press(&mut app, "<tab>");
    assert_eq!(app.focus, Focus::Body);
    press(&mut app, "<tab>");
    assert_eq!(app.focus, Focus::Tree);
    press(&mut app, "<s-tab>");
    assert_eq!(app.focus, Focus::Body);
}

#[test]
fn g_and_capital_g_jump_to_the_ends_of_the_list() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "<tab>G");
    assert_eq!(app.list.selected, 292);
    assert_eq!(
        shown_title(&app),
        "Rust Low-Level Programming",
        "bookmarks come last, in document order"
    );
    assert!(
        app.list.offset + 38 > 292,
        "the selection is scrolled into view"
    );
    press(&mut app, "g");
    assert_eq!(app.list.selected, 0);
    assert_eq!(app.list.offset, 0);
}

#[test]
fn page_keys_move_by_a_screenful() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "<tab><pgdn>");
    // 37 rows are visible; a page keeps one of them for context.
    assert_eq!(app.list.selected, 36);
    press(&mut app, "<pgup>");
    assert_eq!(app.list.selected, 0);
}

#[test]
fn the_body_remembers_its_scroll_per_item() {
    let mut app = app(bundled(), 120, 30);
    press(&mut app, "jjjljljll<enter>");
    let uber = shown_title(&app);
    press(&mut app, "jjjjj");
    assert_eq!(app.body.scroll, 5);
    press(&mut app, "<esc>j<enter>");
    assert_ne!(shown_title(&app), uber);
    assert_eq!(app.body.scroll, 0, "another item starts at its top");
    press(&mut app, "<esc>k");
    assert_eq!(shown_title(&app), uber);
    assert_eq!(app.body.scroll, 5, "and the first one is where it was left");
}

#[test]
fn ctrl_d_scrolls_the_body_from_the_list() {
    let mut app = app(bundled(), 120, 30);
    press(&mut app, "jjjljljll");
    assert_eq!(app.focus, Focus::List);
    press(&mut app, "<c-d>");
    assert_eq!(app.body.scroll, app.body_height() / 2);
    press(&mut app, "<c-u>");
    assert_eq!(app.body.scroll, 0);
}

#[test]
fn space_pages_the_body_and_stops_at_the_end() {
    let mut app = app(bundled(), 120, 30);
    press(&mut app, "jjjljljll<enter>");
    for _ in 0..50 {
        press(&mut app, "<space>");
    }
    let page_len = app.page().unwrap().lines.len();
    assert_eq!(app.body.scroll, page_len - app.body_height());
    assert_eq!(app.body.percent(app.body_height()), 100);
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = app(bundled(), 80, 24);
    press(&mut app, "q");
    assert!(app.should_quit);
    let mut app = common::screen::app(bundled(), 80, 24);
    press(&mut app, "<c-c>");
    assert!(app.should_quit);
}

#[test]
fn help_opens_with_question_mark_and_closes_without_quitting() {
    let mut app = app(bundled(), 80, 24);
    press(&mut app, "?");
    assert!(app.help.is_some());
    press(&mut app, "j");
    assert_eq!(app.help, Some(1), "j scrolls the help");
    press(&mut app, "q");
    assert!(app.help.is_none());
    assert!(!app.should_quit, "q closes help first");
    press(&mut app, "?<esc>");
    assert!(app.help.is_none());
}

#[test]
fn urls_are_opened_only_when_safe() {
    let mut app = app(bundled(), 120, 40);
    // A blog post whose url is a site-relative path: refused, with a message.
    press(&mut app, "jjll");
    press(&mut app, "o");
    assert!(app.take_effects().is_empty());
    let status = app.status.clone().unwrap();
    assert!(
        status.error && status.text.contains("only http, https and mailto"),
        "{status:?}"
    );
    // Copying any url is fine.
    press(&mut app, "y");
    assert_eq!(
        app.take_effects(),
        [Effect::CopyToClipboard(
            "/blog/2026/01/23/some-aws-ec2-instance-choices/".into()
        )]
    );
    // A bookmark without a url says so.
    press(&mut app, "hhkj");
    press(&mut app, "jjjljljll");
    press(&mut app, "o");
    assert!(app.status.clone().unwrap().text.contains("no url"));
}

#[test]
fn http_urls_become_an_open_effect() {
    use quire::content::{Root, load_library};
    let dir = common::TempDir::new("urls");
    dir.write(
        "bookmarks/links.md",
        "- [Example](https://example.org/page) -- an example\n",
    );
    let library =
        std::sync::Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
    let mut app = app(library, 120, 40);
    press(&mut app, "<tab>o");
    assert_eq!(
        app.take_effects(),
        [Effect::OpenUrl("https://example.org/page".into())]
    );
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

#[test]
fn clicking_focuses_selects_and_opens() {
    let mut app = app(bundled(), 120, 40);
    let list = inner(app.panes().list.unwrap());
    app.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        list.x + 3,
        list.y + 2,
    ));
    assert_eq!(app.focus, Focus::List);
    assert_eq!(app.list.selected, 2);
    app.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        list.x + 3,
        list.y + 2,
    ));
    assert_eq!(app.focus, Focus::Body, "a second click opens");

    let tree = inner(app.panes().tree.unwrap());
    app.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        tree.x + 2,
        tree.y + 3,
    ));
    assert_eq!(app.focus, Focus::Tree);
    assert_eq!(tree_name(&app), "Bookmarks");
    app.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        tree.x + 2,
        tree.y + 3,
    ));
    assert_eq!(
        app.tree.rows.len(),
        6,
        "a second click on a category toggles it"
    );
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer() {
    let mut app = app(bundled(), 120, 30);
    press(&mut app, "jjjljljll<enter>");
    let body = app.panes().body.unwrap();
    let list = app.panes().list.unwrap();
    app.handle_mouse(mouse(MouseEventKind::ScrollDown, body.x + 5, body.y + 5));
    assert_eq!(app.body.scroll, 3);
    app.handle_mouse(mouse(MouseEventKind::ScrollDown, list.x + 5, list.y + 5));
    assert_eq!(app.list.selected, 3, "the list moves, the focus stays");
    assert_eq!(app.focus, Focus::Body);
}

#[test]
fn resizing_keeps_the_selection_in_view() {
    let mut app = app(bundled(), 120, 40);
    press(&mut app, "<tab>");
    for _ in 0..30 {
        press(&mut app, "j");
    }
    app.resize(60, 10);
    let height = usize::from(inner(app.panes().list.unwrap()).height);
    assert!(app.list.selected >= app.list.offset && app.list.selected < app.list.offset + height);
    app.resize(1, 1);
    app.resize(120, 40);
    assert_eq!(app.list.selected, 30);
}

mod reading {
    use super::*;
    use quire::app::MarkRead;
    use quire::app::{Confirm, Settings};
    use quire::state::ReadState;
    use ratatui::layout::Rect;

    fn unread_total(app: &App) -> usize {
        app.reading.unread_in(quire::content::Library::ROOT)
    }

    #[test]
    fn opening_an_item_marks_it_read_and_m_toggles() {
        let mut app = app(bundled(), 120, 40);
        press(&mut app, "jjll");
        assert_eq!(
            unread_total(&app),
            293,
            "moving through the list does not mark"
        );
        press(&mut app, "<enter>");
        assert_eq!(unread_total(&app), 292, "opening does");
        let item = app.list.selected_item().unwrap();
        assert!(app.reading.is_read(item));
        press(&mut app, "m");
        assert!(!app.reading.is_read(item), "m marks it unread again");
        press(&mut app, "<esc>jm");
        assert_eq!(unread_total(&app), 292);
        assert!(app.reading.is_read(app.list.selected_item().unwrap()));
    }

    #[test]
    fn manual_mode_leaves_opened_items_unread() {
        let settings = Settings {
            mark_read: MarkRead::Manual,
            ..Settings::default()
        };
        let mut app = App::new(
            bundled(),
            settings,
            ReadState::new(),
            Rect::new(0, 0, 120, 40),
        );
        press(&mut app, "jjll<enter>");
        assert_eq!(unread_total(&app), 293);
        press(&mut app, "m");
        assert_eq!(unread_total(&app), 292);
    }

    #[test]
    fn capital_m_asks_then_marks_the_whole_category() {
        let mut app = app(bundled(), 120, 40);
        press(&mut app, "jj");
        press(&mut app, "M");
        let blog = app.tree.selected_id();
        assert_eq!(
            app.confirm,
            Some(Confirm::MarkAllRead {
                category: blog,
                count: 24
            })
        );
        press(&mut app, "n");
        assert_eq!(app.confirm, None);
        assert_eq!(unread_total(&app), 293, "n marks nothing");
        press(&mut app, "My");
        assert_eq!(app.reading.unread_in(blog), 0);
        assert_eq!(unread_total(&app), 269);
        assert!(
            app.status
                .clone()
                .unwrap()
                .text
                .contains("Marked 24 items in Blog read")
        );
    }

    #[test]
    fn u_undoes_several_markings_in_turn() {
        let mut app = app(bundled(), 120, 40);
        press(&mut app, "jjMy"); // Blog: 24 read
        assert_eq!(unread_total(&app), 269);
        press(&mut app, "jjMy"); // Howdy!: 14 read
        assert_eq!(unread_total(&app), 255);
        press(&mut app, "<tab>gm"); // its first post unread again
        assert_eq!(unread_total(&app), 256);
        press(&mut app, "u");
        assert_eq!(unread_total(&app), 255);
        press(&mut app, "u");
        assert_eq!(unread_total(&app), 269);
        press(&mut app, "u");
        assert_eq!(unread_total(&app), 293);
        press(&mut app, "u");
        assert_eq!(app.status.clone().unwrap().text, "Nothing to undo.");
    }

    #[test]
    fn capital_u_shows_only_unread_items_and_categories() {
        let mut app = app(bundled(), 120, 40);
        press(&mut app, "jMy"); // About: 1 item read
        // Back to All, with an unread item selected (the selected row is kept on screen
        // even when read, so it does not vanish under the cursor).
        press(&mut app, "k<tab>g<s-tab>U");
        let names: Vec<String> = app
            .tree
            .rows
            .iter()
            .map(|r| app.library.category(r.id).name.clone())
            .collect();
        assert_eq!(names, ["All", "Blog", "Bookmarks", "Howdy!"]);
        assert_eq!(app.list.items.len(), 292);
        press(&mut app, "U");
        assert_eq!(app.tree.rows.len(), 5);
        assert_eq!(app.list.items.len(), 293);
    }

    #[test]
    fn brackets_jump_between_unread_items() {
        let mut app = app(bundled(), 120, 40);
        press(&mut app, "<tab>jm"); // item 1 read
        press(&mut app, "g]");
        assert_eq!(app.list.selected, 2, "skips the read item");
        press(&mut app, "[");
        assert_eq!(app.list.selected, 0);
        press(&mut app, "[");
        assert!(
            app.status
                .clone()
                .unwrap()
                .text
                .contains("No unread items above")
        );
    }

    #[test]
    fn marks_made_elsewhere_arrive_with_a_save() {
        let library = bundled();
        let mut app = app(library.clone(), 120, 40);
        let mut other = ReadState::new();
        other.set(&library.items[0].id, true, quire::state::Timestamp::now());
        app.state_saved(Ok(other));
        assert_eq!(unread_total(&app), 292);
        assert!(
            app.reading.take_changes().is_none(),
            "adopting another process's marks is not a new change"
        );
    }
}

mod loading {
    use super::*;
    use quire::content::{Root, load_library};
    use std::sync::Arc;

    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    #[test]
    fn snapshots_of_a_loading_library_keep_the_readers_place() {
        let dir = common::TempDir::new("snapshots");
        let content = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
        copy(&content.join("bookmarks"), &dir.path().join("bookmarks"));
        let partial = Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
        let mut app = app(partial, 120, 40);
        app.library_loaded(Arc::clone(&app.library), Some((2, 50)));
        press(&mut app, "jljl"); // Bookmarks › Tech Insights, opened
        press(&mut app, "<tab>jjj"); // the fourth bookmark
        let chosen = app.library.items[app.list.selected_item().unwrap()]
            .id
            .clone();
        assert!(app.loading.is_some());

        // The rest of the library arrives: item and category numbers all change.
        for folder in ["about", "blog", "howdy"] {
            copy(&content.join(folder), &dir.path().join(folder));
        }
        let full = Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
        app.library_loaded(full, None);
        assert!(app.loading.is_none());
        assert_eq!(app.library.items.len(), 293);
        assert_eq!(tree_name(&app), "Tech Insights from Bookmarks");
        assert!(
            app.tree
                .rows
                .iter()
                .any(|r| app.library.category(r.id).name == "Case Studies"),
            "still open"
        );
        assert_eq!(
            app.library.items[app.list.selected_item().unwrap()].id,
            chosen,
            "same item selected"
        );
        assert_eq!(app.focus, Focus::List);
        assert_eq!(
            shown_title(&app),
            app.library.items[app.list.selected_item().unwrap()].title
        );
    }

    #[test]
    fn read_marks_made_while_loading_survive_the_next_snapshot() {
        let library = bundled();
        let mut app = app(library.clone(), 120, 40);
        app.library_loaded(library.clone(), Some((100, 293)));
        press(&mut app, "<tab>m");
        let id = app.library.items[app.list.selected_item().unwrap()]
            .id
            .clone();
        let reloaded = Arc::new(load_library(&[Root::Bundled]).unwrap());
        app.library_loaded(reloaded, None);
        let index = app.library.position(&id).unwrap();
        assert!(app.reading.is_read(index));
        assert!(
            app.reading.take_changes().is_some(),
            "the unsaved mark is still to be saved"
        );
    }
}
