//! The body: the page the app laid out, of which only the visible lines are drawn.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::{clip, pane_block};
use crate::app::{App, Focus, body_text_area};
use crate::render::PageKey;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let area = clip(area, frame);
    let title = match app.body.key {
        Some(PageKey::Item(i)) => format!(" {} ", app.library.items[i].kind),
        Some(PageKey::Category(_)) => " category ".to_string(),
        None => String::new(),
    };
    let block = pane_block(app, Focus::Body, title);
    let inner = body_text_area(area);
    frame.render_widget(block, area);
    let Some(page) = app.page() else { return };
    let height = usize::from(inner.height);
    // With search open, the page with its matches painted on.
    let lines = match &app.body.marked {
        Some(marked) if marked.key == page.key && marked.width == page.width => &marked.lines,
        _ => &page.lines,
    };
    let visible = lines.iter().skip(app.body.scroll).take(height);
    for (row, line) in visible.enumerate() {
        draw_line(frame, inner, row, line);
    }
    // The match `n`/`N` are at: a mark in the column of air left of the text, so stepping
    // between matches already on screen still shows where you are.
    let current = app
        .body
        .marked
        .as_ref()
        .zip(app.body.current_match)
        .and_then(|(marked, i)| marked.matches.get(i).copied());
    let pane_inner = crate::app::layout::inner(area);
    if let Some(line) = current
        && inner.x > pane_inner.x
        && line >= app.body.scroll
        && line < app.body.scroll + height
    {
        let y = inner.y + (line - app.body.scroll) as u16;
        frame
            .buffer_mut()
            .set_string(inner.x - 1, y, "▶", app.theme.search_match);
    }
    if page.lines.len() > height && area.height > 2 {
        let mut state =
            ScrollbarState::new(page.lines.len().saturating_sub(height)).position(app.body.scroll);
        let bar = Scrollbar::new(ScrollbarOrientation::VerticalRight)
            .begin_symbol(None)
            .end_symbol(None);
        frame.render_stateful_widget(
            bar,
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut state,
        );
    }
}

fn draw_line(frame: &mut Frame<'_>, inner: Rect, row: usize, line: &Line<'_>) {
    let y = inner.y + row as u16;
    frame.buffer_mut().set_line(inner.x, y, line, inner.width);
}
