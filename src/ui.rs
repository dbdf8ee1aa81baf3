//! Widgets that draw the reader. They read the [`App`] and never change it.
//!
//! One module per pane; popups are drawn last, over a cleared area.

mod body_pane;
mod confirm;
mod help;
mod list_pane;
mod picker;
mod search_pane;
mod status_bar;
mod tree_pane;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Focus};

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    if app.too_small() {
        too_small(frame, app);
        return;
    }
    let panes = app.panes();
    if let Some(area) = panes.tree {
        tree_pane::draw(frame, area, app);
    }
    if let Some(area) = panes.list {
        match &app.search {
            Some(panel) => search_pane::draw(frame, area, app, panel),
            None => list_pane::draw(frame, area, app),
        }
    }
    if let Some(area) = panes.body {
        body_pane::draw(frame, area, app);
    }
    if let Some(area) = panes.status {
        status_bar::draw(frame, area, app);
    }
    if let Some(scroll) = app.help {
        help::draw(frame, frame.area(), app, scroll);
    }
    if let Some(open) = &app.picker {
        picker::draw(frame, frame.area(), app, open);
    }
    if let Some(question) = &app.confirm {
        confirm::draw(frame, frame.area(), app, question);
    }
}

/// A pane's frame: rounded border, title, highlighted when focused.
fn pane_block<'a>(app: &App, pane: Focus, title: String) -> Block<'a> {
    let focused = app.focus == pane;
    let theme = &app.theme;
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(ratatui::text::Span::styled(
            title,
            if focused {
                theme.title_focused
            } else {
                theme.title
            },
        ))
}

/// A selected row in one style throughout, so no coloured span fights the highlight.
fn selected(line: ratatui::text::Line<'_>, style: Style) -> ratatui::text::Line<'_> {
    let spans = line
        .spans
        .into_iter()
        .map(|s| s.style(Style::default()))
        .collect::<Vec<_>>();
    ratatui::text::Line::from(spans).style(style)
}

fn selection_style(app: &App, pane: Focus) -> Style {
    if app.focus == pane {
        app.theme.selection
    } else {
        app.theme.selection_unfocused
    }
}

/// Clips a rectangle to the frame, so no widget ever writes outside the buffer.
fn clip(area: Rect, frame: &Frame<'_>) -> Rect {
    area.intersection(frame.area())
}

/// Below the smallest usable size the panes would be slivers that say wrong things (a body
/// of no lines has "no matches"): one notice instead, wrapped to whatever room there is.
fn too_small(frame: &mut Frame<'_>, app: &App) {
    use ratatui::widgets::{Paragraph, Wrap};
    let (width, height) = crate::app::MIN_SIZE;
    let text = format!("Too small: needs {width}×{height}. q quits.");
    frame.render_widget(
        Paragraph::new(text)
            .style(app.theme.notice)
            .wrap(Wrap { trim: true }),
        frame.area(),
    );
}
