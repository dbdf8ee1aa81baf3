//! The article list: read marker, title cut to fit, and a date or source on the right.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{clip, pane_block, selected, selection_style};
use crate::app::{App, Focus};
use crate::content::{CategoryId, Item, ItemKind, Library};
use crate::render::wrap::{display_width, truncate};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let area = clip(area, frame);
    let name = app.node_name(app.list.category);
    // Counted as drawn, so marking (`m`, `M`, undo) shows at once, in the unread view too.
    let unread = app
        .list
        .items
        .iter()
        .filter(|&&i| !app.reading.is_read(i))
        .count();
    let title = if app.list.unread_only {
        format!(" {name} · {unread} unread ")
    } else if !crate::app::tree::is_category(app.list.category) {
        // An item unstarred here stays listed until the list is left: count what is starred.
        let (unread, all) = app.node_counts(app.list.category);
        format!(" {name} · {unread}/{all} ")
    } else {
        format!(" {name} · {unread}/{} ", app.list.items.len())
    };
    let title = truncate(&title, usize::from(area.width.saturating_sub(2)));
    let block = pane_block(app, Focus::List, title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let theme = &app.theme;
    let width = usize::from(inner.width);
    if app.list.items.is_empty() && inner.height > 0 {
        let text = if app.loading.is_some() {
            "Loading…"
        } else {
            "Nothing here."
        };
        let line = Line::styled(truncate(text, width), theme.list_meta);
        frame
            .buffer_mut()
            .set_line(inner.x, inner.y, &line, inner.width);
        return;
    }
    for (row, &index) in app
        .list
        .items
        .iter()
        .enumerate()
        .skip(app.list.offset)
        .take(usize::from(inner.height))
    {
        let item = &app.library.items[index];
        let read = app.reading.is_read(index);
        // A star (to read later) takes the marker's place: lit while unread, dim once read.
        let marker = match (app.reading.is_starred(index), read) {
            (true, false) => Span::styled("★ ", theme.unread_marker),
            (true, true) => Span::styled("★ ", theme.read_item),
            (false, true) => Span::raw("  "),
            (false, false) => Span::styled("● ", theme.unread_marker),
        };
        let twin = app.list.same_title.contains(&index);
        // What tells twins apart may take what a short title leaves (half the row at least).
        let room_for_meta = if twin {
            width
                .saturating_sub(3 + display_width(&item.title).min(width / 2))
                .max(width / 2)
        } else {
            width / 3
        };
        let apart = app.list.twins_apart.contains(&index);
        let meta = meta(
            &app.library,
            item,
            app.list.category,
            room_for_meta,
            (twin, apart),
        );
        let meta_width = display_width(&meta);
        // The title matters more: a date (short, and what orders posts) shows when the title
        // keeps 16 columns, a link's site only when it keeps half the row; what tells two
        // items of the same title apart always shows.
        let room = match item.kind {
            // Same-title rows differ only by what follows: it shows while the title keeps a
            // few letters to say what they are.
            _ if twin => 8,
            ItemKind::Post => 16,
            ItemKind::Bookmark => 24.max(width / 2),
        };
        let show_meta = meta_width > 0 && width > 2 + room + meta_width;
        // A link the archive found dead says so (in words: no colour needed), while the
        // title keeps a few letters.
        const DEAD: &str = " dead";
        let dead = app.shelf.is_dead(item.url.as_deref()) && width >= 2 + 8 + DEAD.len();
        let title_width = width.saturating_sub(
            2 + if show_meta { meta_width + 1 } else { 0 } + if dead { DEAD.len() } else { 0 },
        );
        let title = truncate(&item.title, title_width);
        let pad = title_width.saturating_sub(display_width(&title));
        let title_style = if read {
            theme.read_item
        } else {
            ratatui::style::Style::new()
        };
        let mut spans = vec![
            marker,
            Span::styled(title, title_style),
            Span::raw(" ".repeat(pad)),
        ];
        if dead {
            spans.push(Span::styled(DEAD, theme.status_error));
        }
        if show_meta {
            spans.push(Span::styled(format!(" {meta}"), theme.list_meta));
        }
        let mut line = Line::from(spans);
        if row == app.list.selected {
            line = selected(line, selection_style(app, Focus::List));
        }
        let y = inner.y + (row - app.list.offset) as u16;
        frame.buffer_mut().set_line(inner.x, y, &line, inner.width);
    }
}

/// The date of a post; for a bookmark, its link's host, else its section when the list
/// spans several sections. An item whose title another in the list has says where it is
/// from (its section, else its file).
fn meta(
    library: &Library,
    item: &Item,
    listed: CategoryId,
    max: usize,
    (twin, apart): (bool, bool),
) -> String {
    let text = match item.kind {
        _ if twin => {
            let section = &library.category(item.category).name;
            // File names come from disk: cleaned like every other text shown.
            let file = crate::text::sanitize_line(
                &item
                    .source
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            // `index.md` says nothing: its folder does.
            let file = if matches!(file.as_str(), "index" | "_index") {
                item.source
                    .path
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|n| crate::text::sanitize_line(&n.to_string_lossy()))
                    .unwrap_or(file)
            } else {
                file
            };
            // Its category, when its twins are in others; else its file (a blog's posts of
            // one title all sit in one category, which tells nothing), without the date a
            // Jekyll name starts with (the date shows anyway).
            let place = if item.category != listed && apart {
                section.clone()
            } else if item.kind == ItemKind::Post {
                match file.get(..11) {
                    Some(prefix)
                        if crate::content::Date::parse_prefix(&prefix[..10]).is_some()
                            && prefix.ends_with('-')
                            && file.len() > 11 =>
                    {
                        file[11..].to_string()
                    }
                    _ => file,
                }
            } else {
                format!("{file}:{}", item.source.line)
            };
            match item.date {
                Some(date) if item.kind == ItemKind::Post => {
                    // The date is what tells same-title posts apart (a blog's "Weekly
                    // update"s): it stays whole, the place gives way.
                    let date = date.to_string();
                    let max = max.min(32);
                    let room = max.saturating_sub(display_width(&date) + 1);
                    return if room >= 4 {
                        format!("{} {date}", truncate(&place, room))
                    } else if display_width(&date) <= max {
                        date
                    } else {
                        String::new()
                    };
                }
                _ => place,
            }
        }
        ItemKind::Post => item.date.map(|d| d.to_string()).unwrap_or_default(),
        ItemKind::Bookmark => match item.url_site() {
            Some(site) => site.to_string(),
            None if item.category != listed => library.category(item.category).name.clone(),
            None => String::new(),
        },
    };
    let max = max.min(if twin { 32 } else { 24 });
    // A date cut short reads as another date: shown whole or not at all.
    if item.kind == ItemKind::Post && !twin && display_width(&text) > max {
        return String::new();
    }
    truncate(&text, max)
}
