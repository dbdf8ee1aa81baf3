//! The reader drawn on ratatui's TestBackend at several sizes, compared with snapshots.
#![allow(clippy::unwrap_used)]

mod common;

use common::screen::{app, assert_snapshot, bundled, draw, press, text};
use quire::app::Focus;
use quire::render::PageKey;

/// Keys from the start screen to the Uber bookmark, whose body has two insight blocks.
const TO_UBER: &str = "jjjljljll<enter>";

#[test]
fn start_screen_at_every_size() {
    let library = bundled();
    for (w, h) in [(120, 40), (80, 24), (40, 12), (1, 1)] {
        let app = app(library.clone(), w, h);
        assert_snapshot(&format!("start_{w}x{h}"), &text(&draw(&app)));
    }
}

#[test]
fn bookmark_with_insights_at_every_size() {
    let library = bundled();
    for (w, h) in [(120, 40), (80, 24), (40, 12), (1, 1)] {
        let mut app = app(library.clone(), w, h);
        press(&mut app, TO_UBER);
        assert_eq!(app.focus, Focus::Body);
        let item = &library.items[match app.body.key {
            Some(PageKey::Item(i)) => i,
            other => panic!("{other:?}"),
        }];
        assert!(
            item.title
                .starts_with("How Uber Conquered Database Overload")
        );
        assert_snapshot(&format!("uber_{w}x{h}"), &text(&draw(&app)));
    }
}

#[test]
fn help_overlay_at_every_size() {
    let library = bundled();
    for (w, h) in [(120, 40), (80, 24), (40, 12), (1, 1)] {
        let mut app = app(library.clone(), w, h);
        press(&mut app, "?");
        assert_snapshot(&format!("help_{w}x{h}"), &text(&draw(&app)));
    }
}

#[test]
fn long_body_scrolled_to_its_end() {
    let library = bundled();
    for (w, h) in [(120, 40), (80, 24), (40, 12)] {
        let mut app = app(library.clone(), w, h);
        press(&mut app, TO_UBER);
        press(&mut app, "G");
        let page = app.page().unwrap();
        assert_eq!(
            app.body.scroll + app.body_height(),
            page.lines.len(),
            "the last line is at the bottom"
        );
        let screen = text(&draw(&app));
        assert!(screen.contains("100%"), "{screen}");
        assert_snapshot(&format!("uber_end_{w}x{h}"), &screen);
    }
}

#[test]
fn about_page_renders_headings_and_lists() {
    let library = bundled();
    let mut app = app(library, 100, 60);
    // All → About (first child) → its only item.
    press(&mut app, "jl<enter>");
    let screen = text(&draw(&app));
    // Headings show their text with a rule under the first two levels, never their marks.
    assert!(
        screen.contains("Work at Oxide") && !screen.contains("## "),
        "{screen}"
    );
    assert!(screen.contains("Dropshot"), "{screen}");
}

#[test]
fn item_without_text_says_so() {
    let library = bundled();
    let mut app = app(library, 120, 40);
    // All → Blog → first (newest) post, which has only a title and a path.
    press(&mut app, "jjll<enter>");
    let screen = text(&draw(&app));
    assert!(
        screen.contains("No text is stored offline for this post."),
        "{screen}"
    );
    // The url whole, over as many body lines as it takes.
    let body: String = screen
        .lines()
        .filter_map(|l| l.rsplit("││").next())
        .flat_map(|l| l.chars().filter(|c| !matches!(c, '│' | '║' | '█' | ' ')))
        .collect();
    assert!(
        body.contains("Readitat/blog/2026/01/23/some-aws-ec2-instance-choices/"),
        "{screen}"
    );
}

#[test]
fn wide_characters_never_overflow_a_pane() {
    use quire::content::{Root, load_library};
    let dir = common::TempDir::new("wide");
    dir.write("日本語/記事.md", "+++\ntitle = \"日本語のタイトル 🎉🎉🎉 とても長い題名です\"\n+++\n本文です。😀 絵文字と漢字が混ざった長い段落がここにあります。");
    let library =
        std::sync::Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
    for (w, h) in [
        (120, 40),
        (81, 24),
        (80, 24),
        (63, 10),
        (40, 12),
        (17, 5),
        (3, 3),
        (2, 4),
        (1, 1),
    ] {
        let mut app = app(library.clone(), w, h);
        press(&mut app, "jl<enter>");
        let screen = text(&draw(&app));
        assert_rows_fit(&screen, w, h);
    }
}

/// The luminance (0–1) of a foreground colour, when it is a known one.
fn luminance(color: ratatui::style::Color) -> Option<f32> {
    use ratatui::style::Color;
    let (r, g, b) = match color {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::White | Color::Gray => (230, 230, 230),
        Color::Black => (0, 0, 0),
        _ => return None,
    };
    Some((0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b)) / 255.0)
}

#[test]
fn code_is_dark_on_the_light_theme_and_light_on_the_dark() {
    use quire::content::{Root, load_library};
    use quire::theme::Theme;
    let home = common::TempDir::new("render-light");
    home.write(
        "lib/code.md",
        "+++\ntitle = \"Code\"\n+++\n\n```rust\nfn main() {\n    let answer = 42; // the answer\n    println!(\"{answer}\");\n}\n```\n",
    );
    let library = load_library(&[Root::Dir(home.path().join("lib"))]).unwrap();
    let code_colours = |theme: &Theme| -> Vec<f32> {
        let page = quire::render::item_page(&library, 0, theme, 80);
        page.lines[page.body_start..]
            .iter()
            .flat_map(|l| l.spans.iter())
            .filter(|s| !s.content.trim().is_empty())
            .filter_map(|s| s.style.fg.and_then(luminance))
            .collect()
    };
    let light = code_colours(&Theme::light());
    assert!(!light.is_empty(), "code is highlighted on the light theme");
    assert!(
        light.iter().all(|&l| l < 0.75),
        "every coloured span of code is dark enough to read on a light background: {light:?}"
    );
    let dark = code_colours(&Theme::dark());
    assert!(dark.iter().any(|&l| l > 0.6), "{dark:?}");
    // NO_COLOR: no colour at all.
    let none = code_colours(&Theme::light().without_colors());
    assert!(none.is_empty(), "{none:?}");

    // The light theme drawn, as a snapshot of the page (text only; the colours are checked
    // above).
    let mut app = common::screen::app(std::sync::Arc::new(library.clone()), 80, 24);
    app.theme = Theme::light();
    press(&mut app, "l<enter>");
    assert_snapshot("light_code_80x24", &text(&draw(&app)));
}

/// A bookmark's saved page (`quire archive`) under its own text, after a rule naming it, its
/// links numbered with the item's; a dead link marked in the list and in the header; every
/// size, down to 1×1, keeps to its panes.
#[test]
fn a_saved_page_shows_under_its_bookmark_and_a_dead_link_is_marked() {
    use quire::archive::Shelf;
    use quire::archive::page::{self, Health, KIND, Meta};
    use quire::content::{Root, load_library};
    let dir = common::TempDir::new("render-saved");
    dir.write(
        "reading.md",
        "+++\ntitle = \"Reading\"\nkind = \"bookmarks\"\n+++\n\n\
         - [Borrowing](https://ferris.example/borrow) -- why it helps\n\n  \
         > **Key insights:**\n  > - Aliasing and mutation never meet\n\n\
         - [Gone post](https://gone.example/post) -- it was good\n",
    );
    let saved = |url: &str, health: Health, body: &str| {
        let meta = Meta {
            kind: KIND.into(),
            title: "Saved title".into(),
            saved_from: url.into(),
            url: Some(url.into()),
            fetched: Some("2026-12-07T10:00:00Z".into()),
            checked: "2026-12-07T10:00:00Z".into(),
            health,
            status: Some(if health == Health::Dead { 404 } else { 200 }),
            note: (health == Health::Dead).then(|| "HTTP 404 Not Found".into()),
            checksum: Some(page::checksum(body)),
            ..Meta::default()
        };
        let path = page::path_for(dir.path(), url);
        let relative = path
            .strip_prefix(dir.path())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        dir.write(&relative, page::render(&meta, body));
    };
    saved(
        "https://ferris.example/borrow",
        Health::Alive,
        "The borrow checker rejects aliased mutation. See [the rules](https://ferris.example/rules).",
    );
    saved(
        "https://gone.example/post",
        Health::Dead,
        "Words kept from before the page died.",
    );
    let library =
        std::sync::Arc::new(load_library(&[Root::Dir(dir.path().to_path_buf())]).unwrap());
    assert_eq!(library.items.len(), 2, "a saved page is no item");
    let shelf = std::sync::Arc::new(Shelf::load(dir.path()));
    for (w, h) in [(120, 40), (80, 24), (40, 12), (1, 1)] {
        let mut app = app(library.clone(), w, h);
        app.shelf_loaded(std::sync::Arc::clone(&shelf));
        press(&mut app, "jjl<enter>");
        let screen = text(&draw(&app));
        assert_rows_fit(&screen, w, h);
        if w >= 80 {
            assert_snapshot(&format!("saved_page_{w}x{h}"), &screen);
        }
        if w < 120 {
            continue;
        }
        assert!(
            screen.contains("Aliasing and mutation never meet"),
            "{screen}"
        );
        assert!(
            screen.contains("Saved page · fetched 2026-12-07 · ferris.example"),
            "{screen}"
        );
        assert!(screen.contains("The borrow checker rejects"), "{screen}");
        assert!(screen.contains("the rules[1]"), "links numbered: {screen}");
        assert!(
            screen.contains("Gone post") && screen.contains(" dead│"),
            "{screen}"
        );
        // The dead one: its header says so, its copy is there.
        press(&mut app, "<esc>j<enter>");
        let screen = text(&draw(&app));
        assert!(
            screen.contains("dead: HTTP 404 Not Found (checked 2026-12-07)"),
            "{screen}"
        );
        assert!(screen.contains("Words kept from before"), "{screen}");
    }
}

/// Every row of a drawn screen is exactly as wide as the screen: nothing overflows a pane.
fn assert_rows_fit(screen: &str, w: u16, h: u16) {
    for (y, row) in screen.lines().enumerate() {
        assert_eq!(
            unicode_width::UnicodeWidthStr::width(row),
            usize::from(w),
            "{w}x{h} row {y}: {row}"
        );
    }
}

#[test]
fn quotes_and_list_items_show_a_bar_and_a_bullet_and_code_stays_as_written() {
    use quire::render::markdown::render_body;
    let theme = quire::theme::Theme::default();
    let md = "> Key insights:\n>\n> - first idea\n>   - nested idea\n\n* star item\n\n```diff\n-\n- removed line\n+ added\n```\n\n> ```\n> -\n> ```\n\n> ```diff\n> - quoted removal\n> ```\n\n*Note: a lone star\n\n&gt; not a quote\n\n1. *x\n";
    let body = render_body(md, None, &theme, 60);
    let lines: Vec<String> = body.lines.iter().map(|l| l.to_string()).collect();
    let text = lines.join("\n");
    assert!(
        !lines
            .iter()
            .any(|l| l.starts_with('>') && l != "> not a quote"),
        "no quote mark but the text's:\n{text}"
    );
    assert!(lines.iter().any(|l| l == "▌ Key insights:"), "{text}");
    assert!(
        lines.iter().any(|l| l.starts_with("▌ • first idea")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("▌ ") && l.trim_end().ends_with("• nested idea")),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.starts_with("• star item")), "{text}");
    // Code is the code: its lone `-` and `- ` lines are kept, the quote around one drawn.
    assert_eq!(
        body.code_blocks[0].code, "-\n- removed line\n+ added\n",
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("▌ ") && l.ends_with("▎ -")),
        "{text}"
    );
    // A quoted block of highlighted code: its lines' tokens are code, never marks.
    assert_eq!(body.code_blocks[2].code, "- quoted removal\n", "{text}");
    assert!(
        lines.iter().any(|l| l.contains("▎ - quoted removal")),
        "{text}"
    );
    // Text that holds a mark's characters is text.
    assert!(
        lines.iter().any(|l| l.starts_with("*Note: a lone star")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("> not a quote")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l.trim_end().ends_with("1. *x")),
        "{text}"
    );
    // Plain text, as `quire show` prints it, keeps markdown's marks.
    let plain = quire::render::markdown::plain_lines(md, None).join("\n");
    assert!(plain.contains("> - first idea"), "{plain}");
    assert!(!plain.contains('▌') && !plain.contains('•'), "{plain}");
}
