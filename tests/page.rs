//! A page as its author meant it: every heading level, code with and without a language (and
//! a file named in its info string), a wide code line, a table that fits by its words and one
//! that cannot, footnotes, a definition list and a long url, laid out at the body widths of a
//! 120×40 and an 80×24 screen in every theme.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use common::screen::{app, assert_snapshot, draw, press, text};
use common::{TempDir, fixture};
use quire::app::{Effect, Focus};
use quire::content::{Library, Root, load_library};
use quire::theme::Theme;
use ratatui::style::Modifier;

fn library() -> (TempDir, Arc<Library>) {
    let home = TempDir::new("page");
    std::fs::create_dir_all(home.path().join("lib")).unwrap();
    std::fs::copy(
        fixture("page/features.md"),
        home.path().join("lib/features.md"),
    )
    .unwrap();
    let library = load_library(&[Root::Dir(home.path().join("lib"))]).unwrap();
    (home, Arc::new(library))
}

fn page_text(page: &quire::render::Page) -> String {
    page.lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
                + "\n"
        })
        .collect()
}

#[test]
fn every_feature_reads_as_the_page_at_both_sizes_in_every_theme() {
    let (_home, library) = library();
    // The body pane's width on a 120- and an 80-column screen.
    for (screen, width) in [("120x40", 54u16), ("80x24", 34)] {
        let mut shown = None;
        for theme in [
            Theme::dark(),
            Theme::light(),
            Theme::dark().without_colors(),
        ] {
            let page = quire::render::item_page(&library, 0, &theme, width);
            let all = page_text(&page);
            // The same words in every theme.
            if let Some(first) = &shown {
                assert_eq!(first, &all, "{screen}: themes lay out alike");
            }
            for line in all.lines() {
                assert!(
                    !line.trim_start().starts_with('#'),
                    "{screen}: a heading mark shows: {line}"
                );
                assert!(!line.contains("```"), "{screen}: a fence shows: {line}");
                assert!(
                    unicode_width::UnicodeWidthStr::width(line) <= usize::from(width),
                    "{screen}: overflows: {line}"
                );
            }
            // Headings are set apart by style whatever the colours: bold, the first two
            // with a rule under them.
            assert_eq!(page.headings.len(), 6, "{screen}");
            for heading in &page.headings {
                let line = &page.lines[heading.line];
                assert!(
                    line.spans
                        .iter()
                        .filter(|s| !s.content.trim().is_empty())
                        .all(|s| s.style.add_modifier.contains(Modifier::BOLD)),
                    "{screen}: heading {} not bold",
                    heading.text
                );
            }
            if !theme.colors {
                assert!(
                    page.lines
                        .iter()
                        .flat_map(|l| &l.spans)
                        .all(|s| s.style.fg.is_none() && s.style.bg.is_none()),
                    "NO_COLOR: no colour"
                );
            }
            shown = Some(all);
        }
        let all = shown.unwrap();
        // Footnotes are superscripts, listed as notes apart from the links.
        assert!(all.contains("note.¹"), "{all}");
        assert!(
            all.contains("Notes") && all.contains("¹ Compile times dropped"),
            "{all}"
        );
        assert!(!all.contains("[^"), "{all}");
        // The definition is indented under its term.
        assert!(
            all.contains("\nenable\n    Whether the feature is on."),
            "{all}"
        );
        // A code block's label, its file; its lines in a gutter.
        assert!(all.contains("  rust\n▎ fn main() {"), "{all}");
        assert!(all.contains("md · content/example.md"), "{all}");
        // The first table fits by its words: none is broken.
        for word in ["Single-level", "a/b/c/page.md", "a/b/c/d/page.md"] {
            assert!(all.contains(word), "{screen}: {word} broken:\n{all}");
        }
        assert_snapshot(&format!("page_features_{screen}"), &all);
    }
}

#[test]
fn the_first_screen_of_the_page_at_both_sizes() {
    let (_home, library) = library();
    for (w, h) in [(120, 40), (80, 24)] {
        let mut app = app(library.clone(), w, h);
        press(&mut app, "l<enter>");
        assert_snapshot(&format!("page_screen_{w}x{h}"), &text(&draw(&app)));
    }
}

/// The real binary in a terminal, paging through the whole post: no line of its markdown
/// machinery (a heading's `#`s, a code fence, a table's `|---|` rule) ever reaches the screen.
#[test]
fn the_reader_in_a_terminal_shows_no_markdown_machinery() {
    use common::pty::Session;
    let root = common::fixture("page");
    for (cols, rows) in [(120, 40), (80, 24)] {
        let home = common::TempDir::new("page-pty");
        let mut s = Session::start(
            &home,
            home.path(),
            &["--content", root.to_str().unwrap(), "--no-restore"],
            cols,
            rows,
        );
        s.wait_for_text("Everything a page can");
        // Into the list, open the post, then page down to its end, looking at every screen.
        s.send("l");
        s.send("\r");
        let mut screens = vec![s.wait_for_text(" READER ")];
        for _ in 0..40 {
            s.send(" ");
            let screen = s.wait_for("the next page", |_| true);
            let done = screens.last() == Some(&screen);
            screens.push(screen);
            if done {
                break;
            }
        }
        let whole = screens.join("\n");
        assert!(
            whole.contains("Sixth level") && whole.contains("Notes"),
            "{whole}"
        );
        for screen in &screens {
            for line in screen.lines() {
                // The body pane's text: after the last border on the left.
                let text = line.rsplit(['│', '║']).nth(1).unwrap_or(line).trim();
                assert!(
                    !text.starts_with('#') && !text.starts_with("```") && !text.contains("|---"),
                    "{cols}×{rows}: {text:?} in\n{screen}"
                );
            }
        }
        s.send("q");
        s.wait_exit();
    }
}

#[test]
fn a_code_block_is_copied_from_the_links_picker_as_written() {
    let (_home, library) = library();
    let page = quire::render::item_page(&library, 0, &Theme::dark(), 54);
    let blocks = &page.code_blocks;
    assert_eq!(blocks.len(), 3, "{blocks:#?}");
    assert_eq!(blocks[0].label, "rust");
    assert_eq!(
        blocks[0].code,
        "fn main() {\n    let numbers: Vec<u64> = (1..=10).map(|n| n * n).filter(|n| n % 2 == 0).collect::<Vec<_>>();\n    println!(\"{numbers:?}\");\n}\n",
        "the code alone: no gutter, no ↪, the long line whole"
    );
    assert_eq!(blocks[1].label, "");
    assert_eq!(blocks[1].code, "plain code without a language\n");
    assert_eq!(blocks[2].label, "md · content/example.md");
    // Each block's lines are where the page shows it: the label, then the gutter.
    let first = page_text(&page)
        .lines()
        .nth(blocks[0].lines.start)
        .unwrap()
        .to_string();
    assert!(first.contains("rust"), "{first}");

    let mut reader = app(library.clone(), 120, 40);
    press(&mut reader, "l<enter>f");
    let picker = reader.picker.as_ref().expect("the links picker");
    let rows: Vec<&str> = picker.rows.iter().map(|r| r.text.as_str()).collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("code · rust (4 lines): fn main() {")),
        "{rows:#?}"
    );
    // The last row is the last block: y copies its code, as written.
    reader.take_effects();
    press(&mut reader, "Gy");
    let copied: Vec<Effect> = reader
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::CopyToClipboard(_)))
        .collect();
    assert_eq!(
        copied,
        [Effect::CopyToClipboard(
            "+++\ntitle = \"Example\"\n+++\n".into()
        )]
    );
    // Enter on a block's row brings it to the top of the body.
    press(&mut reader, "fG<enter>");
    assert_eq!(reader.focus, Focus::Body);
    let shown = reader.page().unwrap();
    let top = page_text(shown)
        .lines()
        .nth(reader.body.scroll)
        .unwrap()
        .to_string();
    assert!(top.contains("content/example.md"), "{top}");
}
