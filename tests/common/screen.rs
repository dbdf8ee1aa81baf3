//! Drawing the app on ratatui's `TestBackend`, and comparing screens with stored snapshots.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quire::app::{App, Settings};
use quire::content::{Library, Root, load_library};
use quire::state::ReadState;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub fn bundled() -> Arc<Library> {
    Arc::new(load_library(&[Root::Bundled]).expect("bundled library loads"))
}

pub fn app(library: Arc<Library>, width: u16, height: u16) -> App {
    App::new(
        library,
        Settings::default(),
        ReadState::new(),
        Rect::new(0, 0, width, height),
    )
}

/// Presses keys written compactly: plain characters, or `<enter>`, `<esc>`, `<tab>`,
/// `<s-tab>`, `<down>`, `<up>`, `<pgdn>`, `<pgup>`, `<c-d>`, `<c-u>`, `<end>`.
pub fn press(app: &mut App, keys: &str) {
    let mut rest = keys;
    while !rest.is_empty() {
        let (event, len) = if rest.starts_with('<') {
            let end = rest.find('>').expect("closing >");
            let name = &rest[1..end];
            let event = match name {
                "enter" => KeyEvent::from(KeyCode::Enter),
                "esc" => KeyEvent::from(KeyCode::Esc),
                "tab" => KeyEvent::from(KeyCode::Tab),
                "s-tab" => KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
                "down" => KeyEvent::from(KeyCode::Down),
                "up" => KeyEvent::from(KeyCode::Up),
                "left" => KeyEvent::from(KeyCode::Left),
                "right" => KeyEvent::from(KeyCode::Right),
                "pgdn" => KeyEvent::from(KeyCode::PageDown),
                "pgup" => KeyEvent::from(KeyCode::PageUp),
                "end" => KeyEvent::from(KeyCode::End),
                "home" => KeyEvent::from(KeyCode::Home),
                "space" => KeyEvent::from(KeyCode::Char(' ')),
                ctrl if ctrl.starts_with("c-") && ctrl.chars().count() == 3 => {
                    let c = ctrl.chars().nth(2).expect("a letter");
                    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
                }
                "a-q" => KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT),
                other => panic!("unknown key <{other}>"),
            };
            (event, end + 1)
        } else {
            let c = rest.chars().next().expect("a char");
            let modifiers = if c.is_ascii_uppercase() || c == '?' {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            (KeyEvent::new(KeyCode::Char(c), modifiers), c.len_utf8())
        };
        app.handle_key(event);
        rest = &rest[len..];
    }
}

pub fn draw(app: &App) -> Buffer {
    let mut terminal =
        Terminal::new(TestBackend::new(app.size.width, app.size.height)).expect("test terminal");
    terminal
        .draw(|frame| quire::ui::draw(frame, app))
        .expect("draw");
    terminal.backend().buffer().clone()
}

/// The buffer's text, one line per row, trailing spaces kept so widths stay visible.
pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            out.push_str(symbol);
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// Compares `actual` with `tests/snapshots/<name>.txt`. Set `QUIRE_UPDATE_SNAPSHOTS=1` to
/// write the files after reviewing a deliberate change.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("QUIRE_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("snapshot dir");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with QUIRE_UPDATE_SNAPSHOTS=1 and review it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(8)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "snapshot {name} differs:\n{}\n\nactual screen:\n{actual}",
            diff.join("\n")
        );
    }
}
