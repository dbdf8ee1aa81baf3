//! The picker popup: for `f` the number, text and whole url of each link of the item shown;
//! for `t` its headings, indented by level.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};

use super::{clip, selected};
use crate::app::App;
use crate::app::picker::{DETAIL_ROWS, Picker, PickerKind, Target, picker_area, picker_rows};
use crate::render::wrap::{display_width, truncate};

pub fn draw(frame: &mut Frame<'_>, screen: Rect, app: &App, picker: &Picker) {
    let theme = &app.theme;
    let area = clip(picker_area(screen, picker.rows.len()), frame);
    if area.width == 0 || area.height == 0 {
        return;
    }
    frame.render_widget(Clear, area);
    let name = match picker.kind {
        PickerKind::Links => "Links",
        PickerKind::Outline => "Outline",
    };
    let title = match picker.typed.as_str() {
        "" => format!(" {name} · {} ", picker.rows.len()),
        typed => format!(" {name} · {typed}_ "),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border_focused)
        .title(Span::styled(
            truncate(&title, usize::from(area.width.saturating_sub(2))),
            theme.title_focused,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let number_width = picker
        .rows
        .iter()
        .filter_map(|r| r.number)
        .max()
        .map_or(3, |n| n.to_string().len() + 2);
    // The text gets a third of the room; the url, what matters to open, the rest.
    let text_width = (width / 3).clamp(4, 40);
    let shown = picker_rows(area).min(usize::from(inner.height));
    for (row, (index, link)) in picker
        .rows
        .iter()
        .enumerate()
        .skip(picker.offset)
        .take(shown)
        .enumerate()
    {
        let mut line = match (&link.target, picker.kind) {
            (Target::Url(url), PickerKind::Links) => {
                let number = match link.number {
                    Some(n) => format!("[{n}]"),
                    None => "↗".to_string(),
                };
                let number = format!("{number:>number_width$} ");
                let text = truncate(&link.text, text_width);
                let pad = " ".repeat(text_width.saturating_sub(display_width(&text)) + 1);
                let used = number_width + 1 + text_width + 1;
                let url = truncate(url, width.saturating_sub(used));
                Line::from(vec![
                    Span::styled(number, theme.markdown_link),
                    Span::raw(text),
                    Span::raw(pad),
                    Span::styled(url, theme.header_url),
                ])
            }
            (Target::Code { .. }, _) => {
                let text = truncate(&link.text, width.saturating_sub(number_width + 1));
                Line::from(vec![
                    Span::styled(format!("{:>number_width$} ", "▎"), theme.border),
                    Span::styled(text, theme.list_meta),
                ])
            }
            _ => {
                let indent = "  ".repeat(link.depth.min(6));
                let room = width.saturating_sub(display_width(&indent) + 1);
                Line::from(vec![
                    Span::raw(format!(" {indent}")),
                    Span::styled(truncate(&link.text, room), theme.markdown_heading),
                ])
            }
        };
        if index == picker.selected {
            line = selected(line, theme.selection);
        }
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y + row as u16, &line, inner.width);
    }
    // The selected link's url whole, as many columns as it takes over two rows: a row of the
    // list cuts it, the picker is where it can be read before opening.
    if let Some(Target::Url(url)) = picker.selected_row().map(|r| &r.target)
        && inner.height > 1 + DETAIL_ROWS
    {
        let top = inner.y + inner.height - 1 - DETAIL_ROWS;
        let mut rest: &str = url;
        for row in 0..DETAIL_ROWS {
            let mut used = 0;
            let cut = rest
                .char_indices()
                .find(|&(_, c)| {
                    used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                    used > width
                })
                .map_or(rest.len(), |(i, _)| i);
            let (piece, next) = rest.split_at(cut);
            let last = row + 1 == DETAIL_ROWS;
            let shown = if last && !next.is_empty() {
                truncate(&format!("{piece}{next}"), width)
            } else {
                piece.to_string()
            };
            let line = Line::styled(shown, theme.header_url);
            frame
                .buffer_mut()
                .set_line(inner.x, top + row, &line, inner.width);
            rest = next;
            if rest.is_empty() {
                break;
            }
        }
    }
    if inner.height > 1 {
        let pairs: &[(&str, &str)] = match picker.kind {
            PickerKind::Links => &[
                ("0-9", " number  "),
                ("j k", " move  "),
                ("Enter", " open  "),
                ("y", " copy  "),
                ("Esc", " close"),
            ],
            PickerKind::Outline => &[("j k", " move  "), ("Enter", " jump  "), ("Esc", " close")],
        };
        let keys = Line::from(
            pairs
                .iter()
                .flat_map(|(k, l)| [Span::styled(*k, theme.help_key), Span::raw(*l)])
                .collect::<Vec<_>>(),
        );
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y + inner.height - 1, &keys, inner.width);
    }
}
