//! The `?` overlay: every binding, read from the key map itself.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use super::clip;
use crate::app::{Action, App};
use crate::render::wrap::{display_width, truncate, wrap_lines};

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, scroll: usize) {
    let theme = &app.theme;
    let lines = help_lines(app, usize::from(screen.width.saturating_sub(3)));
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
    let fits = lines.len() + 2 <= usize::from(area.height);
    let max_scroll = lines
        .len()
        .saturating_sub(usize::from(area.height.saturating_sub(2)));
    let scroll = scroll.min(max_scroll);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(" Keys — Esc closes ", theme.title_focused));
    if !fits {
        let more = if scroll < max_scroll {
            " j/k scroll ↓ "
        } else {
            " j/k scroll ↑ "
        };
        block = block.title_bottom(Line::styled(more, theme.title_focused).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
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

/// The help text for a popup at most `room` columns wide: descriptions wrap under
/// themselves when they do not fit beside the keys.
fn help_lines(app: &App, room: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let key_column = if room >= 60 { 18 } else { 12 };
    let text_room = room.saturating_sub(key_column + 2).clamp(8, 60);
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
            let description = wrap_lines(&[Line::from(action.description())], text_room);
            for (i, part) in description.into_iter().enumerate() {
                let lead = if i == 0 {
                    Span::styled(format!("  {keys}{}", " ".repeat(pad)), theme.help_key)
                } else {
                    Span::raw(" ".repeat(key_column + 2))
                };
                let mut spans = vec![lead];
                spans.extend(part.spans);
                lines.push(Line::from(spans));
            }
        }
    }
    // The search box's own keys are fixed (letters type there), so they are told, not bound.
    let notes = [
        "In the search box letters type; ↓ ↑ Ctrl-n Ctrl-p move through the results, Enter \
         opens one, Esc closes the search. Esc from an opened result returns to the results, \
         where j k move and / edits the query.",
        "Mouse: click a pane or row to select, click again to open; the wheel scrolls.",
    ];
    for note in notes {
        lines.push(Line::default());
        for part in wrap_lines(
            &[Line::styled(note, theme.list_meta)],
            room.saturating_sub(2).clamp(8, 76),
        ) {
            let mut spans = vec![Span::raw("  ")];
            spans.extend(part.spans.into_iter().map(|s| s.style(theme.list_meta)));
            lines.push(Line::from(spans));
        }
    }
    lines
}
