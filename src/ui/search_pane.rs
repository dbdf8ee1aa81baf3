//! The search panel, drawn where the list is: the query line, then two rows per result (the
//! title with its matched letters lit, then the category and the best body line).

use std::ops::Range;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{clip, pane_block, selection_style};
use crate::app::search::SearchPanel;
use crate::app::{App, Focus};
use crate::render::wrap::{display_width, truncate};
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
        let total = panel.results.total;
        if total > shown {
            format!(" Search · {shown} of {total} ")
        } else {
            format!(" Search · {total} ")
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
    let query_line = Line::from(vec![
        Span::styled("/ ", theme.help_key),
        Span::raw(truncate(&shown, room)),
    ]);
    frame
        .buffer_mut()
        .set_line(inner.x, inner.y, &query_line, inner.width);
    if panel.typing && app.focus == Focus::List && app.help.is_none() {
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
    if panel.results.hits.is_empty() && !panel.waiting && rows > 0 {
        let line = Line::styled(truncate("No matches.", width), theme.list_meta);
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y + 1, &line, inner.width);
        return;
    }
    for (slot, (index, hit)) in panel
        .results
        .hits
        .iter()
        .enumerate()
        .skip(panel.offset)
        .take(rows.div_ceil(2))
        .enumerate()
    {
        let (first, second) = result_rows(app, hit, width);
        let is_selected = index == panel.selected;
        for (k, mut line) in [first, second].into_iter().enumerate() {
            let row = slot * 2 + k;
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

fn result_rows(app: &App, hit: &Hit, width: usize) -> (Line<'static>, Line<'static>) {
    let theme = &app.theme;
    let item = &app.library.items[hit.item];
    let marker = if app.reading.is_read(hit.item) {
        Span::raw("  ")
    } else {
        Span::styled("● ", theme.unread_marker)
    };
    let mut first = vec![marker];
    first.extend(lit_chars(
        &item.title,
        &hit.title_positions,
        width.saturating_sub(2),
        theme.search_match,
    ));

    let category = app.library.category(item.category).name.clone();
    let lead = truncate(&category, (width / 3).max(8));
    let mut second = vec![Span::raw("  "), Span::styled(lead.clone(), theme.list_meta)];
    let used = 2 + display_width(&lead);
    if let Some(snippet) = &hit.snippet {
        second.push(Span::styled(" │ ", theme.list_meta));
        second.extend(snippet_spans(
            &snippet.text,
            &snippet.ranges,
            width.saturating_sub(used + 3),
            theme.search_match,
        ));
    }
    (Line::from(first), Line::from(second))
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

/// A snippet fitted to `width`, starting a little before its first match.
fn snippet_spans(
    text: &str,
    ranges: &[Range<usize>],
    width: usize,
    mark: Style,
) -> Vec<Span<'static>> {
    if width == 0 {
        return Vec::new();
    }
    let first = ranges.first().map_or(0, |r| r.start);
    // Keep a few words of context before the first match, when the line is too long.
    let mut start = 0;
    if display_width(text) > width && display_width(&text[..first]) > width / 4 {
        let target = first.saturating_sub(width / 4);
        start = text[..first]
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i >= target)
            .unwrap_or(first);
        start = text[..start].rfind(' ').map_or(0, |i| i + 1).min(first);
    }
    let mut spans = Vec::new();
    let mut used = 0;
    if start > 0 {
        spans.push(Span::raw("…"));
        used += 1;
    }
    let mut cut = start;
    let mut pieces: Vec<(Range<usize>, bool)> = Vec::new();
    for r in ranges.iter().filter(|r| r.end > start) {
        let a = r.start.max(start);
        if a > cut {
            pieces.push((cut..a, false));
        }
        pieces.push((a..r.end, true));
        cut = r.end;
    }
    if cut < text.len() {
        pieces.push((cut..text.len(), false));
    }
    for (range, lit) in pieces {
        let piece = &text[range];
        let room = width.saturating_sub(used);
        if room == 0 {
            break;
        }
        let shown = truncate(piece, room);
        used += display_width(&shown);
        spans.push(Span::styled(
            shown,
            if lit { mark } else { Style::default() },
        ));
        if used >= width {
            break;
        }
    }
    spans
}

fn skip_columns(text: &str, columns: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        if used >= columns {
            out.push(c);
        } else {
            used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    out
}
