//! The configuration file: every key takes effect, and mistakes are reported clearly.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::screen::{bundled, draw, press};
use common::{TempDir, json, quire, stderr, stdout};
use quire::app::{App, Focus};
use quire::config::{Config, DEFAULT_CONFIG, parse_config, parse_style};
use quire::state::ReadState;
use ratatui::layout::Rect;

fn config(text: &str) -> Config {
    parse_config(text, Path::new("test.toml")).unwrap()
}

fn app_with(text: &str, width: u16, height: u16) -> App {
    App::new(
        bundled(),
        config(text).settings(false),
        ReadState::new(),
        Rect::new(0, 0, width, height),
    )
}

#[test]
fn content_roots_are_added_to_the_bundled_library() {
    let home = TempDir::new("cfg-roots");
    home.write("notes/idea.md", "# An idea");
    home.write(
        "config/quire/config.toml",
        "[content]\nroots = [\"../../notes\"]\n",
    );
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(
        stats["items"], 294,
        "bundled 293 + the note; the root is relative to the config file"
    );
}

#[test]
fn replace_bundled_uses_only_the_roots() {
    let home = TempDir::new("cfg-replace");
    home.write("notes/idea.md", "# An idea");
    let notes = home.path().join("notes");
    home.write(
        "config/quire/config.toml",
        format!(
            "[content]\nroots = [{:?}]\nreplace_bundled = true\n",
            notes.display().to_string()
        ),
    );
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(stats["items"], 1);
}

#[test]
fn tilde_in_roots_is_the_home_directory() {
    let home = TempDir::new("cfg-tilde");
    home.write("notes/idea.md", "# An idea");
    home.write(
        "config/quire/config.toml",
        "[content]\nroots = [\"~/notes\"]\nreplace_bundled = true\n",
    );
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(stats["items"], 1);
}

#[test]
fn mark_read_manual_keeps_opened_items_unread() {
    let mut app = app_with("[reader]\nmark_read = \"manual\"\n", 120, 40);
    press(&mut app, "jjll<enter>");
    assert_eq!(app.focus, Focus::Body);
    assert!(!app.reading.is_read(app.list.selected_item().unwrap()));
    let mut app = app_with("[reader]\nmark_read = \"on_open\"\n", 120, 40);
    press(&mut app, "jjll<enter>");
    assert!(app.reading.is_read(app.list.selected_item().unwrap()));
}

#[test]
fn sort_orders_the_posts() {
    let title = |app: &App| {
        app.library.items[app.list.selected_item().unwrap()]
            .title
            .clone()
    };
    let mut app = app_with("[reader]\nsort = \"oldest_first\"\n", 120, 40);
    press(&mut app, "jjll");
    assert_eq!(title(&app), "Little-Endian Snafu");
    let mut app = app_with("[reader]\nsort = \"title\"\n", 120, 40);
    press(&mut app, "jjll");
    assert_eq!(title(&app), "A Week of PyO3 + rust-numpy");
    let mut app = app_with("[reader]\nsort = \"newest_first\"\n", 120, 40);
    press(&mut app, "jjll");
    assert_eq!(title(&app), "Some AWS EC2 Instance Choices");
}

#[test]
fn pane_widths_change_the_layout() {
    let app = app_with("[reader]\ntree_width = 30\nlist_width = 40\n", 200, 40);
    let panes = app.panes();
    assert_eq!(panes.tree.unwrap().width, 60, "30% of 200");
    assert_eq!(panes.list.unwrap().width, 80, "40% of 200");
    let app = app_with("[reader]\ntree_width = 10\nlist_width = 15\n", 200, 40);
    assert_eq!(app.panes().tree.unwrap().width, 20);
    assert_eq!(app.panes().list.unwrap().width, 30);
}

#[test]
fn theme_name_picks_the_light_theme() {
    let dark = app_with("[theme]\nname = \"dark\"\n", 80, 24);
    let light = app_with("[theme]\nname = \"light\"\n", 80, 24);
    assert_ne!(dark.theme.selection, light.theme.selection);
    assert_eq!(light.theme, quire::theme::Theme::light());
}

#[test]
fn theme_colors_override_an_element_and_show_on_screen() {
    let app = app_with(
        "[theme.colors]\nselection = \"black on yellow bold\"\n",
        120,
        40,
    );
    let expected = parse_style("black on yellow bold").unwrap();
    assert_eq!(app.theme.selection, expected);
    let buffer = draw(&app);
    let tree = app.panes().tree.unwrap();
    let cell = &buffer[(tree.x + 2, tree.y + 1)]; // the selected "All" row
    assert_eq!(
        (cell.fg, cell.bg),
        (expected.fg.unwrap(), expected.bg.unwrap())
    );
}

#[test]
fn no_color_drops_every_colour_but_keeps_the_selection_visible() {
    let theme = config(DEFAULT_CONFIG).settings(true).theme;
    assert!(!theme.colors);
    assert_eq!(theme.selection.fg, None);
    assert!(
        theme
            .selection
            .add_modifier
            .contains(ratatui::style::Modifier::REVERSED)
    );
}

#[test]
fn keys_remap_actions() {
    let mut app = app_with("[keys]\nquit = \"x\"\ndown = [\"n\", \"down\"]\n", 120, 40);
    press(&mut app, "n");
    assert_eq!(app.tree.selected, 1, "n moves down");
    press(&mut app, "j");
    assert_eq!(app.tree.selected, 1, "j no longer does");
    press(&mut app, "q");
    assert!(!app.should_quit);
    press(&mut app, "x");
    assert!(app.should_quit);
}

#[test]
fn remapped_keys_show_in_the_help() {
    let mut app = app_with("[keys]\nhelp = [\"?\", \"f2\"]\nquit = \"x\"\n", 120, 80);
    press(&mut app, "?");
    let screen = common::screen::text(&draw(&app));
    assert!(screen.contains("? F2"), "{screen}");
    assert!(screen.contains("x                 Quit"), "{screen}");
}

#[test]
fn config_errors_name_file_line_and_key_and_stop_before_the_reader() {
    let home = TempDir::new("cfg-error");
    home.write(
        "config/quire/config.toml",
        "[reader]\nsort = \"title\"\nspeed = 3\n",
    );
    let output = quire(&home, &["stats"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("config/quire/config.toml:3: `speed`: unknown field"),
        "{err}"
    );

    let mut s = common::pty::Session::start(&home, home.path(), &[], 80, 24);
    assert_ne!(s.wait_exit(), 0);
    let raw = String::from_utf8_lossy(&s.raw()).into_owned();
    assert!(raw.contains("unknown field"), "{raw:?}");
    assert!(!raw.contains("\x1b[?1049h"), "the terminal was touched");
}

#[test]
fn an_explicit_config_file_must_exist() {
    let home = TempDir::new("cfg-missing");
    let output = quire(&home, &["--config", "/no/such/config.toml", "stats"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("/no/such/config.toml: cannot read"));
}

#[test]
fn config_command_prints_the_default_and_the_path() {
    let home = TempDir::new("cfg-cmd");
    assert_eq!(
        stdout(&quire(&home, &["config", "--print-default"])),
        DEFAULT_CONFIG
    );
    let path = stdout(&quire(&home, &["config", "--path"]));
    assert_eq!(
        path.trim(),
        home.path()
            .join("config/quire/config.toml")
            .display()
            .to_string()
    );
    // The printed default is a valid config that changes nothing.
    home.write("config/quire/config.toml", DEFAULT_CONFIG);
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(stats["items"], 293);
}
