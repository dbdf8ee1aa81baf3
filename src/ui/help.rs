//! The `?` overlay: every binding, read from the key map itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use super::clip;
use crate::app::{Action, App};
use crate::render::wrap::{display_width, truncate};

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, scroll: usize) {
    let theme = &app.theme;
    let lines = help_lines(app);
    let width = (lines.iter().map(Line::width).max().unwrap_or(20) as u16 + 4).min(screen.width);
    let height = (lines.len() as u16 + 2).min(screen.height);
    let area = clip(
        Rect {
            x: screen.x + (screen.width - width) / 2,
            y: screen.y + (screen.height - height) / 2,
            width,
            height,
        },
        frame,
    );
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(" Keys — Esc closes ", theme.title_focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let max_scroll = lines.len().saturating_sub(usize::from(inner.height));
    for (row, line) in lines
        .iter()
        .skip(scroll.min(max_scroll))
        .take(usize::from(inner.height))
        .enumerate()
    {
        frame.buffer_mut().set_line(
            inner.x + 1,
            inner.y + row as u16,
            line,
            inner.width.saturating_sub(1),
        );
    }
}

fn help_lines(app: &App) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let key_column = 18;
    let mut lines = Vec::new();
    for (section, actions) in Action::sections() {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::styled(section.to_string(), theme.help_section));
        for action in *actions {
            let keys = app
                .keymap
                .keys_for(*action)
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(" ");
            if keys.is_empty() {
                continue;
            }
            let keys = truncate(&keys, key_column - 1);
            let pad = key_column - display_width(&keys);
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys}{}", " ".repeat(pad)), theme.help_key),
                Span::raw(action.description()),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "  Mouse: click a pane or row to select, click again to open; wheel scrolls.",
        theme.list_meta,
    )));
    lines
}
