//! The category tree: collapsible nodes with unread/total counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{clip, pane_block, selected, selection_style};
use crate::app::{App, Focus};
use crate::render::wrap::{display_width, truncate};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let area = clip(area, frame);
    let block = pane_block(app, Focus::Tree, " Categories ".into());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let theme = &app.theme;
    let width = usize::from(inner.width);
    for (i, row) in app
        .tree
        .rows
        .iter()
        .enumerate()
        .skip(app.tree.offset)
        .take(usize::from(inner.height))
    {
        let (unread, total) = app.node_counts(row.id);
        let starred = !crate::app::tree::is_category(row.id);
        let indent = "  ".repeat(row.depth.min(width / 4));
        let arrow = match (row.has_children, row.expanded) {
            _ if row.id == crate::app::tree::HIGHLIGHTS => "✎ ",
            _ if starred => "★ ",
            (true, true) => "▾ ",
            (true, false) => "▸ ",
            _ => "  ",
        };
        let count = format!(" {unread}/{total}");
        let fixed = display_width(&indent) + display_width(arrow);
        let count_fits = fixed + display_width(&count) + 3 <= width;
        let name_width =
            width.saturating_sub(fixed + if count_fits { display_width(&count) } else { 0 });
        let name = truncate(app.node_name(row.id), name_width);
        let pad = name_width.saturating_sub(display_width(&name));
        let mut spans = vec![
            Span::raw(indent),
            Span::styled(
                arrow,
                if starred {
                    theme.unread_marker
                } else {
                    theme.tree_arrow
                },
            ),
            Span::raw(name),
            Span::raw(" ".repeat(pad)),
        ];
        if count_fits {
            spans.push(Span::styled(count, theme.count));
        }
        let mut line = Line::from(spans);
        if i == app.tree.selected {
            line = selected(line, selection_style(app, Focus::Tree));
        }
        let y = inner.y + (i - app.tree.offset) as u16;
        frame.buffer_mut().set_line(inner.x, y, &line, inner.width);
    }
}
