//! Highlights made in the reader: a passage selected (`v` and motions, or found first with
//! `/`), kept with a note, painted in the body with the note under it, listed in a Highlights
//! node and by `quire highlights`, found again after the file changed above it, and its note
//! found by search.
#![allow(clippy::unwrap_used)]

mod common;

use common::TempDir;
use common::pty::Session;
use common::screen::{app, bundled, draw, press, text};
use quire::app::Effect;
use quire::search::{SearchOptions, parse_query, search};

const UBER: &str =
    "- [Load shedding at Uber](https://example.com/uber) -- how a database sheds load

  > **Key insights:**
  > - Concurrency is the overload signal, not QPS: in-flight work maps to resource use
  > - CoDel adapts queue policy: FIFO under normal load, LIFO under pressure
  > - A PID controller smooths recovery
";

fn reading_list(bookmarks: &str) -> String {
    format!("+++\ntitle = \"Reading list\"\nkind = \"bookmarks\"\n+++\n\n## Systems\n\n{bookmarks}")
}

/// The screen column where `word` starts on screen line `row`.
fn column_of(screen: &str, row: usize, word: &str) -> u16 {
    let line = screen.lines().nth(row).unwrap();
    line[..line.find(word).unwrap()].chars().count() as u16
}

/// The screen line holding `text`, if any.
fn row_of(screen: &str, text: &str) -> Option<usize> {
    screen.lines().position(|l| l.contains(text))
}

#[test]
fn a_passage_kept_in_the_reader_stays_on_its_words_after_a_bookmark_is_added_above() {
    let home = TempDir::new("highlight-pty");
    let file = home.write("lib/reading.md", reading_list(UBER));
    let lib = home.path().join("lib");
    let lib = lib.to_str().unwrap();
    let args = ["--content", lib, "--no-restore"];
    let mut s = Session::start(&home, home.path(), &args, 120, 40);
    s.wait_for_text("Load shedding at Uber");
    s.send("\t");
    s.send("\r");
    s.wait_for_text("CoDel adapts");
    // Found first, then selected from the match to the end of its line.
    s.type_keys("/CoDel");
    s.send("\r");
    s.wait_for_text("match 1/1");
    s.type_keys("v$j$");
    s.wait_for_text("VISUAL");
    s.send("\r");
    s.wait_for_text("note:");
    s.type_keys("tail latency trick");
    s.send("\r");
    s.wait_for_text("Kept “CoDel adapts queue policy");
    let screen = s.wait_for_text("✎ tail latency trick");
    let passage = row_of(&screen, "CoDel adapts").unwrap();
    // The note under the passage's last line (it wraps once at this width).
    assert_eq!(row_of(&screen, "LIFO under pressure"), Some(passage + 1));
    assert_eq!(row_of(&screen, "✎ tail latency trick"), Some(passage + 2));
    // Painted: the kept words underlined, the words around them not.
    let col = column_of(&screen, passage, "CoDel");
    s.with_screen(|screen| {
        let cell = screen.cell(passage as u16, col).unwrap();
        assert!(cell.underline(), "the passage is painted");
        let before = screen.cell(passage as u16, col - 2).unwrap();
        assert!(!before.underline(), "the list marker before it is not");
    });
    s.send("q");
    assert_eq!(s.wait_exit(), 0);

    let listed = common::json(&common::quire(
        &home,
        &["--content", lib, "highlights", "--json"],
    ));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0]["quote"],
        "CoDel adapts queue policy: FIFO under normal load, LIFO under pressure"
    );
    assert_eq!(listed[0]["note"], "tail latency trick");

    // A bookmark inserted above it in the file, as a user's editor would.
    let inserted = "- [Queues don't fix overload](https://example.com/queues) -- why\n\n  > **Key insights:**\n  > - LIFO under pressure keeps the newest requests alive\n\n";
    std::fs::write(&file, reading_list(&format!("{inserted}{UBER}"))).unwrap();

    let mut s = Session::start(&home, home.path(), &args, 120, 40);
    s.wait_for_text("Queues don't fix overload");
    s.send("\t");
    s.send("j");
    s.send("\r");
    let screen = s.wait_for_text("✎ tail latency trick");
    let passage = row_of(&screen, "CoDel adapts").unwrap();
    assert_eq!(row_of(&screen, "✎ tail latency trick"), Some(passage + 2));
    let col = column_of(&screen, passage, "CoDel");
    s.with_screen(|screen| {
        assert!(screen.cell(passage as u16, col).unwrap().underline());
    });
    s.send("q");
    assert_eq!(s.wait_exit(), 0);
    let listed = common::json(&common::quire(
        &home,
        &["--content", lib, "highlights", "--json"],
    ));
    assert_eq!(listed[0]["orphaned"], false);
    assert_eq!(listed[0]["note"], "tail latency trick");
    // Its note is searched as the item's text.
    let found = common::stdout(&common::quire(
        &home,
        &["--content", lib, "search", "latency trick"],
    ));
    assert!(found.contains("Load shedding at Uber"), "{found}");
    assert!(found.contains("✎ tail latency trick"), "{found}");
}

#[test]
fn motions_select_a_passage_and_enter_keeps_it_with_its_note() {
    let (library, uber, mut app) = reading_uber();
    press(&mut app, "/CoDel<enter>");
    press(&mut app, "vwwe");
    assert_eq!(app.selected_text(), "CoDel adapts queue");
    press(&mut app, "o");
    press(&mut app, "b");
    // `o` went to the start, and `b` one word before it: the list item's text starts there.
    assert!(app.selected_text().ends_with("CoDel adapts queue"));
    press(&mut app, "<esc>");
    assert!(app.visual.is_none());
    press(&mut app, "/CoDel<enter>vwwe<enter>");
    assert!(app.note_prompt.is_some());
    press(&mut app, "why it works<enter>");
    let kept: Vec<_> = app.reading.highlights_of(&library.items[uber].id);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1.quote, "CoDel adapts queue");
    assert_eq!(kept[0].1.note.as_deref(), Some("why it works"));
    // Painted, with the note under it, and a Highlights node in the tree.
    let screen = text(&draw(&app));
    let note = row_of(&screen, "✎ why it works").expect("the note shows");
    // Under the whole of the insight, not inside its wrapped lines.
    assert!(
        screen.lines().nth(note - 1).unwrap().contains("requests"),
        "{screen}"
    );
    press(&mut app, "<esc><esc><esc>");
    assert!(text(&draw(&app)).contains("✎ Highlights"));
    // Search hands the notes to the engine, which finds the item by them.
    press(&mut app, "/works");
    let Some(Effect::Search { query, notes, .. }) = app.take_effects().pop() else {
        panic!("no search asked for");
    };
    assert_eq!(notes.as_slice(), [(uber, "why it works".to_string())]);
    let index = quire::search::SearchIndex::build(&library);
    let options = SearchOptions {
        notes: &notes,
        ..SearchOptions::default()
    };
    let results = search(&index, &library, &parse_query(&query).unwrap(), &options).unwrap();
    assert!(results.hits.iter().any(|h| h.item == uber));
    // `d` over it removes it; the node goes with the last highlight.
    press(&mut app, "<esc><esc>");
    open_item(&mut app, uber);
    press(&mut app, "/CoDel<enter>vwd");
    assert!(
        app.reading
            .highlights_of(&library.items[uber].id)
            .is_empty()
    );
    assert!(!text(&draw(&app)).contains("✎ Highlights"));
}

/// The bundled library, and its bookmark on Uber's load shedding (its insights quote CoDel).
fn uber() -> (std::sync::Arc<quire::content::Library>, usize) {
    let library = bundled();
    let uber = library
        .items
        .iter()
        .position(|i| i.title.starts_with("How Uber Conquered Database Overload"))
        .unwrap();
    (library, uber)
}

/// A 120×40 reader showing the Uber bookmark in the body.
fn reading_uber() -> (
    std::sync::Arc<quire::content::Library>,
    usize,
    quire::app::App,
) {
    let (library, uber) = uber();
    let mut app = app(library.clone(), 120, 40);
    open_item(&mut app, uber);
    (library, uber, app)
}

/// Shows item `item` in the body, focused.
fn open_item(app: &mut quire::app::App, item: usize) {
    press(app, "/");
    let title = app.library.items[item].title.clone();
    press(app, &title.replace(['<', '>'], " "));
    let (library, index) = (
        app.library.clone(),
        quire::search::SearchIndex::build(&app.library),
    );
    for effect in app.take_effects() {
        if let Effect::Search {
            generation, query, ..
        } = effect
        {
            let results = search(
                &index,
                &library,
                &parse_query(&query).unwrap(),
                &SearchOptions::default(),
            )
            .unwrap();
            app.search_results(generation, std::sync::Arc::new(results));
        }
    }
    let at = app
        .search
        .as_ref()
        .unwrap()
        .results
        .hits
        .iter()
        .position(|h| h.item == item)
        .unwrap();
    app.search.as_mut().unwrap().selected = at;
    press(app, "<enter>");
    assert_eq!(app.selected_item(), Some(item));
}

#[test]
fn a_drag_with_the_mouse_selects_a_passage_to_keep() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let (library, uber, mut app) = reading_uber();
    let screen = text(&draw(&app));
    let row = row_of(&screen, "CoDel adapts").unwrap();
    let col = column_of(&screen, row, "CoDel");
    let mouse = |kind, column| MouseEvent {
        kind,
        column,
        row: row as u16,
        modifiers: KeyModifiers::NONE,
    };
    app.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), col));
    // To the middle of "adapts": the word is taken whole.
    app.handle_mouse(mouse(MouseEventKind::Drag(MouseButton::Left), col + 8));
    app.handle_mouse(mouse(MouseEventKind::Up(MouseButton::Left), col + 8));
    assert_eq!(app.selected_text(), "CoDel adapts");
    press(&mut app, "<enter><enter>");
    let kept = app.reading.highlights_of(&library.items[uber].id);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1.quote, "CoDel adapts");
    assert_eq!(kept[0].1.note, None);
}

/// What the helper trying it as a new user found: each case as a sentence.
#[test]
fn selecting_survives_a_tiny_screen_and_refuses_items_without_text() {
    let (library, _, mut app) = reading_uber();
    press(&mut app, "v");
    for (w, h) in [(1, 1), (19, 5), (30, 3), (19, 20)] {
        app.resize(w, h);
        press(&mut app, "jw$e0bo<left><right>");
        let _ = draw(&app);
    }
    app.resize(120, 40);
    press(&mut app, "<enter>");
    press(&mut app, "<esc>");
    let _ = draw(&app);
    // An item with no text of its own: nothing to select, and said so.
    let bare = library
        .items
        .iter()
        .position(|i| i.body.trim().is_empty())
        .unwrap();
    let mut app = common::screen::app(library.clone(), 120, 40);
    open_item(&mut app, bare);
    press(&mut app, "v");
    assert!(app.visual.is_none());
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .contains("No text of its own")
    );
}

#[test]
fn a_passage_kept_twice_changes_its_note_and_d_removes_it_from_anywhere_inside() {
    let (library, uber, mut app) = reading_uber();
    let id = library.items[uber].id.clone();
    press(&mut app, "/CoDel<enter>vwwe<enter>first<enter>");
    press(&mut app, "/CoDel<enter>vwwe<enter>");
    assert_eq!(
        app.note_prompt.as_ref().unwrap().input,
        "first",
        "the note to edit"
    );
    press(&mut app, "<c-u>second<enter>");
    let kept = app.reading.highlights_of(&id);
    assert_eq!(kept.len(), 1, "one passage, one highlight");
    assert_eq!(kept[0].1.note.as_deref(), Some("second"));
    assert!(
        app.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("Note changed")
    );
    // From its middle word, `d` takes it off.
    press(&mut app, "/adapts<enter>vd");
    assert!(app.reading.highlights_of(&id).is_empty());
}

#[test]
fn a_typo_fixed_inside_a_kept_passage_keeps_it_painted_with_its_note() {
    let (library, uber) = uber();
    let item = &library.items[uber];
    let body: &str = &item.body;
    let quote = "CoDel adapts queue policy: FIFO under normal load";
    let at = body.find(quote).unwrap();
    // Kept when the text said "polcy"; the file's typo was fixed since.
    let mut h = quire::state::Highlight::new(
        &item.id,
        body,
        at..at + quote.len(),
        Some("still here".into()),
        quire::state::Timestamp(1),
    );
    h.quote = h.quote.replace("policy", "polcy");
    let mut state = quire::state::ReadState::new();
    state.put_highlight(h.id(), h);
    let mut app = quire::app::App::new(
        library.clone(),
        quire::app::Settings::default(),
        state,
        ratatui::layout::Rect::new(0, 0, 120, 40),
    );
    open_item(&mut app, uber);
    let screen = text(&draw(&app));
    assert!(screen.contains("✎ still here"), "{screen}");
}

#[test]
fn the_highlights_list_follows_highlights_made_elsewhere() {
    // One highlight kept here: the node shows, with its one item.
    let (library, uber, mut app) = reading_uber();
    press(&mut app, "/CoDel<enter>vwwe<enter><enter>");
    press(&mut app, "<esc><esc><esc><esc>");
    press(&mut app, "g");
    assert_eq!(app.tree.selected_id(), quire::app::tree::HIGHLIGHTS);
    assert_eq!(app.list.items, [uber]);
    // Another process keeps one on another item: the list shows it without leaving the node.
    let other = (0..library.items.len())
        .find(|&i| i != uber && library.items[i].body.contains("the"))
        .unwrap();
    let body: &str = &library.items[other].body;
    let at = body.find("the").unwrap();
    let h = quire::state::Highlight::new(
        &library.items[other].id,
        body,
        at..at + 3,
        None,
        quire::state::Timestamp::now(),
    );
    let mut elsewhere = app.reading.state.clone();
    elsewhere.put_highlight(h.id(), h);
    app.state_read(&elsewhere);
    let mut listed = app.list.items.clone();
    listed.sort();
    let mut expected = vec![uber, other];
    expected.sort();
    assert_eq!(listed, expected);
}

#[test]
fn a_note_is_typed_with_the_keys_of_a_shell_prompt() {
    let (library, uber, mut app) = reading_uber();
    press(
        &mut app,
        "/CoDel<enter>vwwe<enter>helo<left>l<home>A<end>!<enter>",
    );
    let kept = app.reading.highlights_of(&library.items[uber].id);
    assert_eq!(kept[0].1.note.as_deref(), Some("Ahello!"));
    // Find in the page edits the same way.
    press(&mut app, "/CDel<left><left><left>o");
    assert_eq!(app.find.as_ref().unwrap().input, "CoDel");
}

#[test]
fn an_item_opened_from_the_highlights_node_opens_at_its_passage() {
    let library = bundled();
    // The longest post laid out in place, and a passage near its end.
    let post = (0..library.items.len())
        .filter(|&i| library.items[i].body.len() < 60_000)
        .max_by_key(|&i| library.items[i].body.len())
        .unwrap();
    let item = &library.items[post];
    let body: &str = &item.body;
    let line = body
        .lines()
        .rev()
        .find(|l| l.split_whitespace().count() > 8 && !l.contains(['|', '`', '[', '*', '<']))
        .unwrap();
    let quote: String = line
        .split_whitespace()
        .take(6)
        .collect::<Vec<_>>()
        .join(" ");
    let at = body.find(&quote).unwrap();
    let h = quire::state::Highlight::new(
        &item.id,
        body,
        at..at + quote.len(),
        Some("near the end".into()),
        quire::state::Timestamp(1),
    );
    let mut state = quire::state::ReadState::new();
    state.put_highlight(h.id(), h);
    let mut app = quire::app::App::new(
        library.clone(),
        quire::app::Settings::default(),
        state,
        ratatui::layout::Rect::new(0, 0, 120, 40),
    );
    press(&mut app, "g<enter><enter>");
    assert_eq!(app.selected_item(), Some(post));
    assert!(app.body.scroll > 0, "opened at its top");
    let screen = text(&draw(&app));
    assert!(screen.contains("✎ near the end"), "{screen}");
}
