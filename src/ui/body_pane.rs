//! The body: the page the app laid out, of which only the visible lines are drawn.

use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Scrollbar, ScrollbarOrientation, ScrollbarState};

use super::{clip, pane_block};
use crate::app::{App, Focus, body_text_area};
use crate::render::PageKey;
use crate::render::wrap::display_width;

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
    if let Some(selection) = &app.visual {
        draw_selection(frame, inner, app, page, selection);
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

/// The passage being selected, in reverse over what the lines drew: from its first character
/// to its last, whole lines between (a note under a passage is not part of it).
fn draw_selection(
    frame: &mut Frame<'_>,
    inner: Rect,
    app: &App,
    page: &crate::render::Page,
    selection: &crate::app::visual::Selection,
) {
    let (start, end) = selection.ends();
    let height = usize::from(inner.height);
    let first = start.line.max(app.body.scroll);
    let last = end.line.min(app.body.scroll + height.saturating_sub(1));
    for line in first..=last {
        if line < page.body_start || page.notes.contains(&line) {
            continue;
        }
        let Some(text) = page.lines.get(line).map(crate::app::body::line_text) else {
            continue;
        };
        let from = if line == start.line {
            start.at.min(text.len())
        } else {
            0
        };
        let to = if line == end.line {
            crate::app::visual::char_end(&text, end.at)
        } else {
            text.len()
        };
        let (Some(before), Some(chosen)) = (text.get(..from), text.get(from..to)) else {
            continue;
        };
        let x = display_width(before).min(usize::from(inner.width));
        // An empty line of a selection still shows one cell, so the selection reads whole.
        let w = display_width(chosen)
            .max(1)
            .min(usize::from(inner.width) - x.min(usize::from(inner.width)));
        if w == 0 {
            continue;
        }
        let y = inner.y + (line - app.body.scroll) as u16;
        let area = Rect::new(inner.x + x as u16, y, w as u16, 1).intersection(inner);
        frame.buffer_mut().set_style(area, app.theme.visual);
    }
}

fn draw_line(frame: &mut Frame<'_>, inner: Rect, row: usize, line: &Line<'_>) {
    let y = inner.y + row as u16;
    frame.buffer_mut().set_line(inner.x, y, line, inner.width);
}
