//! The status bar: focused pane, position, scroll, and the keys that matter here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::clip;
use crate::app::{Action, App, Focus};
use crate::render::wrap::{display_width, skip_columns, truncate};

pub fn draw(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let area = clip(area, frame);
    let theme = &app.theme;
    let width = usize::from(area.width);
    if let Some(prompt) = &app.note_prompt {
        draw_prompt(
            frame,
            area,
            app,
            (
                " ✎ note: ",
                &prompt.input,
                prompt.cursor,
                "  Enter keep  Esc cancel",
            ),
        );
        return;
    }
    if let Some(find) = app.find.as_ref().filter(|f| f.typing) {
        draw_prompt(
            frame,
            area,
            app,
            (" /", &find.input, find.cursor, "  Enter find  Esc cancel"),
        );
        return;
    }
    let position = match (&app.search, app.focus) {
        (Some(panel), Focus::List | Focus::Body) => {
            format!(
                "{}/{}",
                (panel.selected + 1).min(panel.results.hits.len()),
                panel.results.hits.len()
            )
        }
        _ => String::new(),
    };
    let position = if !position.is_empty() {
        position
    } else {
        match app.focus {
            Focus::Tree => format!("{}/{}", app.tree.selected + 1, app.tree.rows.len()),
            Focus::List if app.list.items.is_empty() => "0/0".to_string(),
            Focus::List => format!("{}/{}", app.list.selected + 1, app.list.items.len()),
            Focus::Body => format!("{}/{}", app.list.selected + 1, app.list.items.len()),
        }
    };
    let percent = match app.body.match_position() {
        Some((at, of)) if app.focus == Focus::Body => format!("match {at}/{of}"),
        _ => format!("{}%", app.body.percent(app.body_height())),
    };
    let name = match (&app.search, app.focus) {
        _ if app.visual.is_some() => "VISUAL",
        (Some(panel), Focus::List) if panel.typing => "SEARCH",
        (Some(_), Focus::List) => "RESULTS",
        _ => app.focus.name(),
    };
    let mut spans = vec![
        Span::styled(format!(" {name} "), theme.status_focus),
        Span::styled(format!(" {position} "), theme.status),
        Span::styled(format!(" {percent} "), theme.status),
        Span::styled(
            format!(
                " {} unread ",
                app.reading.unread_in(crate::content::Library::ROOT)
            ),
            theme.status,
        ),
    ];
    if let Some((loaded, total)) = app.loading {
        spans.push(Span::styled(
            format!(" loading {loaded}/{total} files… "),
            theme.status_key,
        ));
    }
    let used: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    let rest = width.saturating_sub(used + 1);
    match &app.status {
        Some(message) => {
            let style = if message.error {
                theme.status_error
            } else {
                theme.status
            };
            spans.push(Span::styled(
                format!(" {}", truncate(&message.text, rest)),
                style,
            ));
        }
        None => spans.extend(hints(app, rest)),
    }
    let line = Line::from(spans).style(theme.status);
    frame.buffer_mut().set_style(area, theme.status);
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &line, area.width);
}

/// A line typed on the status bar: the word to find in the page after a `/` (as less prompts
/// for it), or a highlight's note. `(label, input, cursor, hint)`; the cursor is drawn where it
/// is in the input, which scrolls to keep it in view.
fn draw_prompt(frame: &mut Frame<'_>, area: Rect, app: &App, prompt: (&str, &str, usize, &str)) {
    let (label, input, cursor, hint) = prompt;
    let theme = &app.theme;
    let width = usize::from(area.width);
    let lead = display_width(label);
    // One column is kept for the cursor after the last character.
    let room = width.saturating_sub(lead + display_width(hint)).max(1) - 1;
    let before = input.get(..cursor).unwrap_or(input);
    let skip = display_width(before).saturating_sub(room);
    let shown = truncate(&skip_columns(input, skip), room.max(1));
    let line = Line::from(vec![
        Span::styled(label.to_string(), theme.status_key),
        Span::styled(shown.clone(), theme.status),
        Span::styled(
            truncate(hint, width.saturating_sub(lead + display_width(&shown))),
            theme.status,
        ),
    ]);
    frame.buffer_mut().set_style(area, theme.status);
    frame
        .buffer_mut()
        .set_line(area.x, area.y, &line, area.width);
    let at = lead + display_width(before) - skip;
    let x = area.x + at.min(width.saturating_sub(1)) as u16;
    frame.set_cursor_position(ratatui::layout::Position::new(x, area.y));
}

/// The few keys that matter in the focused pane, as many as fit: only keys that work there
/// (in the query box letters type, so none of the reader's letter keys are offered).
fn hints(app: &App, room: usize) -> Vec<Span<'static>> {
    if let Some(panel) = &app.search
        && panel.typing
        && app.focus == Focus::List
    {
        let fixed: &[(&str, &str)] = if panel.results.hits.is_empty() {
            &[("Esc", "close")]
        } else {
            &[("Enter", "open"), ("↓↑", "move"), ("Esc", "close")]
        };
        return fit(
            app,
            fixed.iter().map(|(k, l)| (k.to_string(), *l)).collect(),
            room,
        );
    }
    if app.visual.is_some() {
        let keys = [
            ("Enter", "keep"),
            ("w/b/e", "words"),
            ("j/k", "lines"),
            ("y", "copy"),
            ("d", "remove"),
            ("Esc", "leave"),
        ];
        return fit(
            app,
            keys.iter().map(|(k, l)| (k.to_string(), *l)).collect(),
            room,
        );
    }
    let searching = app.search.is_some();
    // `o` only where there is a url to open.
    let has_url = app.selected_item().is_some_and(|i| {
        app.library.items[i]
            .url
            .as_deref()
            .is_some_and(|u| crate::open::check_url(u).is_ok())
    });
    let has_links = app.page().is_some_and(|p| !p.links.is_empty());
    let wanted: &[(Action, &str)] = match app.focus {
        Focus::List if searching => &[
            (Action::Open, "open"),
            (Action::Down, "move"),
            (Action::Reveal, "in tree"),
            (Action::Back, "close"),
            (Action::Help, "help"),
        ],
        Focus::Body if app.find.is_some() => &[
            (Action::NextMatch, "next match"),
            (Action::PrevMatch, "previous"),
            (Action::Back, "clear"),
            (Action::Help, "help"),
        ],
        Focus::Body if searching => &[
            (Action::NextMatch, "next match"),
            (Action::PrevMatch, "previous"),
            (Action::Back, "results"),
            (Action::Reveal, "in tree"),
            (Action::OpenUrl, "browser"),
            (Action::Help, "help"),
        ],
        Focus::Tree => &[
            (Action::Open, "open"),
            (Action::Right, "items"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::List => &[
            (Action::Open, "read"),
            (Action::OpenUrl, "browser"),
            (Action::Left, "back"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Focus::Body => &[
            (Action::Toggle, "page"),
            (Action::Links, "links"),
            (Action::Select, "select"),
            (Action::OpenUrl, "browser"),
            (Action::Back, "back"),
            (Action::Help, "help"),
        ],
    };
    let keys = wanted
        .iter()
        .filter(|(action, _)| has_url || *action != Action::OpenUrl)
        .filter(|(action, _)| has_url || has_links || *action != Action::Links)
        .filter_map(|(action, label)| {
            let key = app.keymap.keys_for(*action).first()?.label();
            Some((key, *label))
        })
        .collect::<Vec<_>>();
    let mut keys = keys;
    if searching && app.focus == Focus::List {
        // Letters other than the few that work the results type into the query.
        keys.insert(keys.len().min(3), ("letters".to_string(), "refine"));
    }
    fit(app, keys, room)
}

/// Key and label pairs, as many as fit in `room` columns.
fn fit(app: &App, keys: Vec<(String, &str)>, room: usize) -> Vec<Span<'static>> {
    let theme = &app.theme;
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, label) in keys {
        let width = display_width(&key) + display_width(label) + 3;
        if used + width > room {
            break;
        }
        used += width;
        spans.push(Span::styled(format!(" {key}"), theme.status_key));
        spans.push(Span::styled(format!(" {label} "), theme.status));
    }
    spans
}
