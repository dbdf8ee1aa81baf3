//! The y/n question popup (e.g. before marking a whole category read).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use super::clip;
use crate::app::{App, Confirm};
use crate::render::wrap::wrap_lines;

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, question: &Confirm) {
    let theme = &app.theme;
    let text = match question {
        Confirm::MarkAllRead { category, count } => {
            let name = app.node_name(*category);
            format!(
                "Mark {count} unread item{} in {name} as read?",
                if *count == 1 { "" } else { "s" }
            )
        }
    };
    let width = (screen.width.saturating_sub(4)).clamp(1, 60);
    let mut lines = wrap_lines(
        &[Line::from(text)],
        usize::from(width.saturating_sub(4)).max(1),
    );
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("y", theme.help_key),
        Span::raw(" / Enter: yes    "),
        Span::styled("n", theme.help_key),
        Span::raw(" / Esc: no"),
    ]));
    let height = (lines.len() as u16 + 2).min(screen.height);
    let area = clip(
        Rect {
            x: screen.x + (screen.width.saturating_sub(width)) / 2,
            y: screen.y + (screen.height.saturating_sub(height)) / 2,
            width: width.min(screen.width),
            height,
        },
        frame,
    );
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(" Confirm ", theme.title_focused));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    for (row, line) in lines.iter().take(usize::from(inner.height)).enumerate() {
        frame.buffer_mut().set_line(
            inner.x + 1,
            inner.y + row as u16,
            line,
            inner.width.saturating_sub(1),
        );
    }
}
