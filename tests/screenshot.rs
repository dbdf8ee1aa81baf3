//! The README's screenshot, drawn by the app itself: the bundled library with a post of every
//! markdown feature (`tests/fixtures/page/features.md`) open in the reader, 120×32, dark theme,
//! on ratatui's `TestBackend`, written as SVG. It fails when the drawing and
//! `assets/screenshot.svg` differ, so the picture never shows an older Quire;
//! `QUIRE_UPDATE_SNAPSHOTS=1 cargo test --test screenshot` draws it anew.
#![allow(clippy::unwrap_used)]

mod common;

use std::fmt::Write;
use std::sync::Arc;

use common::screen::{app, draw, press};
use common::{TempDir, fixture};
use quire::content::{Root, load_library};
use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 32;
/// A cell in pixels, for a 14 px monospace font.
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 18.0;
const MARGIN: f64 = 10.0;
const BACKGROUND: &str = "#1d1f21";
const FOREGROUND: &str = "#c5c8c6";

#[test]
fn the_readme_screenshot_is_what_the_reader_draws() {
    let home = TempDir::new("screenshot");
    let notes = home.path().join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    std::fs::copy(fixture("page/features.md"), notes.join("features.md")).unwrap();
    let library = Arc::new(load_library(&[Root::Bundled, Root::Dir(notes)]).unwrap());
    let mut app = app(library, WIDTH, HEIGHT);
    // The newest post is the fixture's: the list's first row; Enter opens it.
    press(&mut app, "<tab><enter>");
    let svg = svg(&draw(&app));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/screenshot.svg");
    if std::env::var_os("QUIRE_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &svg).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == svg,
        "assets/screenshot.svg is not what the reader draws now; review the change and run \
         QUIRE_UPDATE_SNAPSHOTS=1 cargo test --test screenshot"
    );
}

/// The screen as SVG: a background rectangle a run of cells of one background, a text element
/// a run of one style (stretched to its cells, so any monospace font lines up).
fn svg(buffer: &Buffer) -> String {
    let (w, h) = (
        MARGIN * 2.0 + f64::from(WIDTH) * CELL_W,
        MARGIN * 2.0 + f64::from(HEIGHT) * CELL_H,
    );
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\">\n<rect width=\"100%\" height=\"100%\" rx=\"8\" \
         fill=\"{BACKGROUND}\"/>\n<g font-family=\"DejaVu Sans Mono, Menlo, Consolas, \
         monospace\" font-size=\"14\" xml:space=\"preserve\">\n"
    );
    for y in 0..HEIGHT {
        let mut x = 0;
        while x < WIDTH {
            let cell = &buffer[(x, y)];
            let style = Look::of(cell);
            let mut text = String::new();
            let mut cells = 0;
            let start = x;
            while x < WIDTH && Look::of(&buffer[(x, y)]) == style {
                let symbol = buffer[(x, y)].symbol();
                let wide = unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
                text.push_str(symbol);
                cells += wide;
                x += wide;
            }
            let left = MARGIN + f64::from(start) * CELL_W;
            let top = MARGIN + f64::from(y) * CELL_H;
            if let Some(bg) = &style.bg {
                let _ = writeln!(
                    out,
                    "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{CELL_H:.1}\" \
                     fill=\"{bg}\"/>",
                    f64::from(cells) * CELL_W
                );
            }
            let shown = text.trim_end();
            if shown.trim().is_empty() {
                continue;
            }
            let lead = shown.len() - shown.trim_start().len();
            let shown = shown.trim_start();
            let columns = unicode_width::UnicodeWidthStr::width(shown);
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{}\"{} textLength=\"{:.1}\" \
                 lengthAdjust=\"spacingAndGlyphs\">{}</text>",
                left + lead as f64 * CELL_W,
                top + 13.0,
                style.fg,
                style.attributes(),
                columns as f64 * CELL_W,
                escape(shown)
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// How a cell looks: its colours (reverse video applied) and its weight and slant.
#[derive(PartialEq, Eq)]
struct Look {
    fg: String,
    bg: Option<String>,
    bold: bool,
    italic: bool,
    underlined: bool,
    dim: bool,
}

impl Look {
    fn of(cell: &Cell) -> Look {
        let modifier = cell.modifier;
        let fg = hex(cell.fg).unwrap_or_else(|| FOREGROUND.to_string());
        let bg = hex(cell.bg);
        let (fg, bg) = if modifier.contains(Modifier::REVERSED) {
            (
                bg.unwrap_or_else(|| BACKGROUND.to_string()),
                Some(fg.clone()),
            )
        } else {
            (fg, bg)
        };
        Look {
            fg,
            bg,
            bold: modifier.contains(Modifier::BOLD),
            italic: modifier.contains(Modifier::ITALIC),
            underlined: modifier.contains(Modifier::UNDERLINED),
            dim: modifier.contains(Modifier::DIM),
        }
    }

    fn attributes(&self) -> String {
        let mut out = String::new();
        if self.bold {
            out.push_str(" font-weight=\"bold\"");
        }
        if self.italic {
            out.push_str(" font-style=\"italic\"");
        }
        if self.underlined {
            out.push_str(" text-decoration=\"underline\"");
        }
        if self.dim {
            out.push_str(" opacity=\"0.6\"");
        }
        out
    }
}

/// A terminal colour as the Tomorrow Night palette shows it; `None` for the default.
fn hex(color: Color) -> Option<String> {
    let named = |s: &str| Some(s.to_string());
    match color {
        Color::Reset => None,
        Color::Black => named("#1d1f21"),
        Color::Red => named("#cc6666"),
        Color::Green => named("#b5bd68"),
        Color::Yellow => named("#f0c674"),
        Color::Blue => named("#81a2be"),
        Color::Magenta => named("#b294bb"),
        Color::Cyan => named("#8abeb7"),
        Color::Gray => named("#c5c8c6"),
        Color::DarkGray => named("#666666"),
        Color::LightRed => named("#d54e53"),
        Color::LightGreen => named("#b9ca4a"),
        Color::LightYellow => named("#e7c547"),
        Color::LightBlue => named("#7aa6da"),
        Color::LightMagenta => named("#c397d8"),
        Color::LightCyan => named("#70c0b1"),
        Color::White => named("#eaeaea"),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(n) => Some(indexed(n)),
    }
}

/// The xterm 256-colour palette beyond the first 16 (those as the named colours).
fn indexed(n: u8) -> String {
    const BASIC: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match n {
        0..=15 => hex(BASIC[usize::from(n)]).unwrap_or_default(),
        16..=231 => {
            let n = n - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            format!(
                "#{:02x}{:02x}{:02x}",
                level(n / 36),
                level((n / 6) % 6),
                level(n % 6)
            )
        }
        _ => {
            let v = 8 + (n - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
