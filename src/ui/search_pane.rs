//! The search panel, drawn over the tree and the list: the query line, then each result as
//! its title (matched words lit), its category path, and its matching line wrapped to two
//! rows, so the insight that matched can be read without opening it.

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{clip, pane_block, selection_style};
use crate::app::search::{RESULT_INDENT, SNIPPET_ROWS, SearchPanel, snippet_lines};
use crate::app::{App, Focus};
use crate::render::wrap::{display_width, skip_columns, truncate};
use crate::search::engine::Hit;

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, panel: &SearchPanel) {
    let area = clip(area, frame);
    let theme = &app.theme;
    let title = if panel.input.trim().is_empty() {
        " Search ".to_string()
    } else if panel.waiting {
        " Search · searching… ".to_string()
    } else {
        let shown = panel.results.hits.len();
        let (total, near) = (panel.results.total, panel.results.near);
        // Items near in meaning (or holding some words) follow the matches, marked `≈`.
        let found = match (total, near) {
            (total, 0) => total.to_string(),
            (0, near) => format!("{near} near"),
            (total, near) => format!("{total} + {near} near"),
        };
        // `like:ID`: the box may show only the end of a long id; the title names the item.
        let like = crate::search::parse_query(&panel.input)
            .ok()
            .and_then(|q| q.like)
            .and_then(|id| app.library.find(&id).map(|item| item.title.clone()))
            .map_or_else(String::new, |title| {
                format!(" · like “{}”", crate::text::sanitize(&title))
            });
        // The count first: a narrow pane cuts the title's end.
        if total + near > shown {
            format!(" Search · {shown} of {found}{like} ")
        } else {
            format!(" Search · {found}{like} ")
        }
    };
    let block = pane_block(
        app,
        Focus::List,
        truncate(&title, usize::from(area.width.saturating_sub(2))),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);

    // The query line, scrolled so the cursor stays visible.
    let before_cursor = display_width(&panel.input[..panel.cursor]);
    let room = width.saturating_sub(3);
    let skip = before_cursor.saturating_sub(room);
    let shown: String = skip_columns(&panel.input, skip);
    let typing = panel.typing && app.focus == Focus::List;
    let query_line = Line::from(vec![
        Span::styled("/ ", theme.help_key),
        Span::styled(
            truncate(&shown, room),
            if typing {
                Style::default()
            } else {
                theme.list_meta
            },
        ),
    ]);
    frame
        .buffer_mut()
        .set_line(inner.x, inner.y, &query_line, inner.width);
    if typing && app.help.is_none() {
        let x = inner.x + 2 + (before_cursor - skip).min(room) as u16;
        frame.set_cursor_position(Position::new(
            x.min(inner.right().saturating_sub(1)),
            inner.y,
        ));
    }

    let rows = usize::from(inner.height.saturating_sub(1));
    if panel.input.trim().is_empty() {
        let help = [
            "Type to search titles, descriptions, tags and bodies.",
            "Words match by prefix and with typos; all must match.",
            "\"exact phrase\"  -exclude  is:unread  is:read",
            "kind:post  kind:bookmark  in:CATEGORY  tag:NAME",
            "Up recalls the last search; Enter opens; Esc returns.",
        ];
        for (i, text) in help.iter().enumerate().take(rows) {
            let line = Line::styled(truncate(text, width), theme.list_meta);
            frame
                .buffer_mut()
                .set_line(inner.x, inner.y + 1 + i as u16, &line, inner.width);
        }
        return;
    }
    if let Some(error) = &panel.error {
        let wrapped = crate::render::wrap::wrap_lines(
            &[Line::styled(error.clone(), theme.status_error)],
            width,
        );
        for (i, line) in wrapped.iter().enumerate().take(rows) {
            frame
                .buffer_mut()
                .set_line(inner.x, inner.y + 1 + i as u16, line, inner.width);
        }
        return;
    }
    if panel.results.hits.is_empty() && !panel.waiting && rows > 0 {
        let line = Line::styled(truncate("No matches.", width), theme.list_meta);
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y + 1, &line, inner.width);
        return;
    }
    let mut row = 0;
    for (index, hit) in panel.results.hits.iter().enumerate().skip(panel.offset) {
        if row >= rows {
            break;
        }
        let is_selected = index == panel.selected;
        for mut line in result_lines(app, hit, width) {
            if row >= rows {
                break;
            }
            if is_selected {
                line = selected_keep_marks(
                    line,
                    selection_style(app, Focus::List),
                    theme.search_match,
                );
            }
            frame
                .buffer_mut()
                .set_line(inner.x, inner.y + 1 + row as u16, &line, inner.width);
            row += 1;
        }
    }
}

/// A selected row keeps its highlighted letters visible on the selection colour.
fn selected_keep_marks(line: Line<'static>, base: Style, mark: Style) -> Line<'static> {
    let spans: Vec<Span<'static>> = line
        .spans
        .into_iter()
        .map(|s| {
            if s.style == mark {
                s.style(mark)
            } else {
                s.style(Style::default())
            }
        })
        .collect();
    Line::from(spans).style(base)
}

/// A result's rows: its title, its category path, its matching line (as many rows as
/// `app::search::result_height` counts).
fn result_lines(app: &App, hit: &Hit, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let item = &app.library.items[hit.item];
    let marker = if app.reading.is_read(hit.item) {
        Span::raw("  ")
    } else {
        Span::styled("● ", theme.unread_marker)
    };
    let mut title = vec![marker];
    title.extend(lit_chars(
        &item.title,
        &hit.title_positions,
        width.saturating_sub(2),
        theme.search_match,
    ));
    let indent = " ".repeat(RESULT_INDENT);
    // Where it lives, and when: the path gives way first, the date stays.
    let date = item.date.map(|d| d.to_string());
    let room = width.saturating_sub(RESULT_INDENT);
    let parts = app.library.category_path(item.category);
    let place = match (&date, parts.is_empty()) {
        (Some(date), false) => {
            let path = category_path(&parts, room.saturating_sub(date.len() + 3));
            format!("{path} · {date}")
        }
        (Some(date), true) => date.clone(),
        (None, false) => category_path(&parts, room),
        (None, true) => item.kind.to_string(),
    };
    let mut lines = vec![
        Line::from(title),
        Line::from(vec![
            Span::raw(indent.clone()),
            Span::styled(truncate(&place, room), theme.list_meta),
        ]),
    ];
    if let Some(snippet) = &hit.snippet {
        let line = Line::from(lit_ranges(
            &snippet.text,
            &snippet.ranges,
            theme.search_match,
        ));
        let wrapped = snippet_lines(line, width);
        // Two rows around the first match: the row holding it, and the one after (or before,
        // at the end).
        let first = hit
            .snippet
            .as_ref()
            .and_then(|s| s.ranges.first())
            .map_or(0, |r| display_width(&snippet.text[..r.start]));
        let mut at_row = 0;
        let mut used = 0;
        for (n, row) in wrapped.iter().enumerate() {
            let w: usize = row.spans.iter().map(|s| display_width(&s.content)).sum();
            if used + w > first {
                at_row = n;
                break;
            }
            used += w;
        }
        let start = at_row.min(wrapped.len().saturating_sub(SNIPPET_ROWS));
        let end = (start + SNIPPET_ROWS).min(wrapped.len());
        for (n, row) in wrapped[start..end].iter().enumerate() {
            let mut spans = vec![Span::raw(indent.clone())];
            if n == 0 && start > 0 {
                // What the snippet is (a note, a saved page's passage, one near in meaning)
                // stays said when the rows shown are further in.
                if let Some(mark) = crate::search::engine::SNIPPET_MARKS
                    .iter()
                    .find(|m| snippet.text.starts_with(**m))
                {
                    spans.push(Span::styled(*mark, theme.list_meta));
                }
                spans.push(Span::styled("…", theme.list_meta));
            }
            spans.extend(row.spans.iter().cloned());
            if start + n + 1 == end && end < wrapped.len() {
                spans.push(Span::styled("…", theme.list_meta));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}

/// `text` with the byte `ranges` in `mark`.
fn lit_ranges(text: &str, ranges: &[Range<usize>], mark: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut cut = 0;
    for r in ranges {
        if r.start < cut || r.end > text.len() {
            continue;
        }
        if r.start > cut {
            spans.push(Span::raw(text[cut..r.start].to_string()));
        }
        spans.push(Span::styled(text[r.clone()].to_string(), mark));
        cut = r.end;
    }
    if cut < text.len() {
        spans.push(Span::raw(text[cut..].to_string()));
    }
    spans
}

/// A category path in at most `width` columns: its last parts say the most, so the first
/// ones give way to `…` (and the last is cut at its end only when it alone is too long).
fn category_path(parts: &[&str], width: usize) -> String {
    for skip in 0..parts.len() {
        let mut text = parts[skip..].join(" › ");
        if skip > 0 {
            text.insert_str(0, "… › ");
        }
        if display_width(&text) <= width {
            return text;
        }
    }
    truncate(parts.last().copied().unwrap_or(""), width)
}

/// The title cut to `width`, with the chars at `positions` in `mark`.
fn lit_chars(text: &str, positions: &[usize], width: usize, mark: Style) -> Vec<Span<'static>> {
    let cut = truncate(text, width);
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (n, c) in cut.chars().enumerate() {
        let style = if positions.contains(&n) && c != '…' {
            mark
        } else {
            Style::default()
        };
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push(c),
            _ => spans.push(Span::styled(c.to_string(), style)),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_paths_give_up_their_first_parts_first() {
        let parts = ["Bookmarks", "Case Studies", "Database & Storage"];
        assert_eq!(
            category_path(&parts, 60),
            "Bookmarks › Case Studies › Database & Storage"
        );
        assert_eq!(
            category_path(&parts, 37),
            "… › Case Studies › Database & Storage"
        );
        assert_eq!(category_path(&parts, 36), "… › Database & Storage");
        assert_eq!(category_path(&parts, 22), "… › Database & Storage");
        assert_eq!(category_path(&parts, 8), "Databas…");
        assert_eq!(category_path(&[], 8), "");
    }
}
