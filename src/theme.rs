//! Colours and text attributes for every element the reader draws.
//!
//! Built-in `dark` and `light` themes, and a colourless one for `NO_COLOR` that keeps the UI
//! readable with bold, dim and reverse alone.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeName {
    Dark,
    Light,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    /// False under `NO_COLOR`: every style is reduced to its modifiers.
    pub colors: bool,
    pub name: ThemeName,
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub title_focused: Style,
    pub selection: Style,
    pub selection_unfocused: Style,
    pub tree_arrow: Style,
    pub count: Style,
    pub unread_marker: Style,
    pub read_item: Style,
    pub list_meta: Style,
    pub header_title: Style,
    pub header_label: Style,
    pub header_value: Style,
    pub header_url: Style,
    pub header_tag: Style,
    pub notice: Style,
    pub status: Style,
    pub status_focus: Style,
    pub status_key: Style,
    pub status_error: Style,
    pub help_key: Style,
    pub help_section: Style,
    pub search_match: Style,
    /// A passage kept (a highlight), in the body.
    pub highlight: Style,
    /// A highlight's note, on its own line under the passage.
    pub note: Style,
    /// The passage being selected (`v`), before it is kept.
    pub visual: Style,
    pub markdown_heading: Style,
    pub markdown_quote: Style,
    pub markdown_code: Style,
    pub markdown_link: Style,
    pub markdown_list_marker: Style,
    pub markdown_table: Style,
}

impl Theme {
    pub fn dark() -> Theme {
        let accent = Color::Cyan;
        Theme {
            colors: true,
            name: ThemeName::Dark,
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(accent),
            title: Style::new().fg(Color::Gray),
            title_focused: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            selection: Style::new()
                .fg(Color::Black)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            selection_unfocused: Style::new().bg(Color::DarkGray),
            tree_arrow: Style::new().fg(Color::DarkGray),
            count: Style::new().fg(Color::DarkGray),
            unread_marker: Style::new().fg(Color::Yellow),
            read_item: Style::new().fg(Color::Gray).add_modifier(Modifier::DIM),
            list_meta: Style::new().fg(Color::DarkGray),
            header_title: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
            header_label: Style::new().fg(Color::DarkGray),
            header_value: Style::new().fg(Color::Gray),
            header_url: Style::new()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            header_tag: Style::new().fg(Color::Magenta),
            notice: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::ITALIC),
            status: Style::new().fg(Color::Gray).bg(Color::Black),
            status_focus: Style::new()
                .fg(Color::Black)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            status_key: Style::new().fg(Color::Yellow).bg(Color::Black),
            status_error: Style::new()
                .fg(Color::LightRed)
                .bg(Color::Black)
                .add_modifier(Modifier::BOLD),
            help_key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            help_section: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            search_match: Style::new().fg(Color::Black).bg(Color::Yellow),
            highlight: Style::new()
                .fg(Color::LightYellow)
                .add_modifier(Modifier::UNDERLINED),
            note: Style::new()
                .fg(Color::LightGreen)
                .add_modifier(Modifier::ITALIC),
            visual: Style::new().fg(Color::Black).bg(Color::LightBlue),
            markdown_heading: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            markdown_quote: Style::new().fg(Color::Green),
            markdown_code: Style::new().fg(Color::LightYellow),
            markdown_link: Style::new()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            markdown_list_marker: Style::new().fg(Color::LightBlue),
            markdown_table: Style::new().fg(Color::DarkGray),
        }
    }

    pub fn light() -> Theme {
        let accent = Color::Blue;
        Theme {
            name: ThemeName::Light,
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(accent),
            title: Style::new().fg(Color::DarkGray),
            title_focused: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            selection: Style::new()
                .fg(Color::White)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            selection_unfocused: Style::new().bg(Color::Gray),
            // ANSI grey (colour 7) is a light grey: on a light background only for borders
            // and bars, never for anything to read.
            tree_arrow: Style::new().fg(Color::DarkGray),
            count: Style::new().fg(Color::DarkGray),
            unread_marker: Style::new().fg(Color::Red),
            read_item: Style::new().fg(Color::DarkGray),
            list_meta: Style::new().fg(Color::DarkGray),
            header_title: Style::new().fg(Color::Black).add_modifier(Modifier::BOLD),
            header_label: Style::new().fg(Color::DarkGray),
            header_value: Style::new().fg(Color::Black),
            header_url: Style::new()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            header_tag: Style::new().fg(Color::Magenta),
            notice: Style::new().fg(Color::Red).add_modifier(Modifier::ITALIC),
            status: Style::new().fg(Color::Black).bg(Color::Gray),
            status_focus: Style::new()
                .fg(Color::White)
                .bg(accent)
                .add_modifier(Modifier::BOLD),
            status_key: Style::new().fg(Color::Blue).bg(Color::Gray),
            status_error: Style::new()
                .fg(Color::Red)
                .bg(Color::Gray)
                .add_modifier(Modifier::BOLD),
            help_key: Style::new().fg(Color::Blue).add_modifier(Modifier::BOLD),
            help_section: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            search_match: Style::new().fg(Color::Black).bg(Color::LightYellow),
            highlight: Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::UNDERLINED),
            note: Style::new().fg(Color::Green).add_modifier(Modifier::ITALIC),
            visual: Style::new().fg(Color::White).bg(Color::Blue),
            markdown_heading: Style::new().fg(accent).add_modifier(Modifier::BOLD),
            markdown_quote: Style::new().fg(Color::Green),
            markdown_code: Style::new().fg(Color::Magenta),
            markdown_link: Style::new()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            markdown_list_marker: Style::new().fg(Color::Blue),
            markdown_table: Style::new().fg(Color::DarkGray),
            ..Theme::dark()
        }
    }

    pub fn named(name: ThemeName) -> Theme {
        match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
        }
    }

    /// The same theme with colours removed, for `NO_COLOR`. Selection stays visible through
    /// reverse video, focus through bold.
    pub fn without_colors(mut self) -> Theme {
        self.colors = false;
        for (_, style) in self.styles_mut() {
            *style = strip_colors(*style);
        }
        self.selection = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        self.selection_unfocused = Style::new().add_modifier(Modifier::REVERSED);
        self.status = Style::new().add_modifier(Modifier::REVERSED);
        self.status_focus = Style::new().add_modifier(Modifier::BOLD);
        self.status_key = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        self.status_error = Style::new().add_modifier(Modifier::BOLD);
        self.search_match = Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED);
        self.highlight = Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD);
        self.visual = Style::new().add_modifier(Modifier::REVERSED);
        self.border_focused = Style::new().add_modifier(Modifier::BOLD);
        self
    }

    /// Whether `NO_COLOR` asks for no colours (set and not empty, per no-color.org).
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// Every element's style by name; the config's colour overrides address them this way.
    pub fn styles_mut(&mut self) -> [(&'static str, &mut Style); 33] {
        [
            ("border", &mut self.border),
            ("border_focused", &mut self.border_focused),
            ("title", &mut self.title),
            ("title_focused", &mut self.title_focused),
            ("selection", &mut self.selection),
            ("selection_unfocused", &mut self.selection_unfocused),
            ("tree_arrow", &mut self.tree_arrow),
            ("count", &mut self.count),
            ("unread_marker", &mut self.unread_marker),
            ("read_item", &mut self.read_item),
            ("list_meta", &mut self.list_meta),
            ("header_title", &mut self.header_title),
            ("header_label", &mut self.header_label),
            ("header_value", &mut self.header_value),
            ("header_url", &mut self.header_url),
            ("header_tag", &mut self.header_tag),
            ("notice", &mut self.notice),
            ("status", &mut self.status),
            ("status_focus", &mut self.status_focus),
            ("status_key", &mut self.status_key),
            ("status_error", &mut self.status_error),
            ("help_key", &mut self.help_key),
            ("help_section", &mut self.help_section),
            ("search_match", &mut self.search_match),
            ("highlight", &mut self.highlight),
            ("note", &mut self.note),
            ("visual", &mut self.visual),
            ("markdown_heading", &mut self.markdown_heading),
            ("markdown_quote", &mut self.markdown_quote),
            ("markdown_code", &mut self.markdown_code),
            ("markdown_link", &mut self.markdown_link),
            ("markdown_list_marker", &mut self.markdown_list_marker),
            ("markdown_table", &mut self.markdown_table),
        ]
    }
}

impl Default for Theme {
    fn default() -> Theme {
        Theme::dark()
    }
}

/// Drops foreground, background and underline colours, keeping bold, italic and the rest.
pub fn strip_colors(style: Style) -> Style {
    Style {
        fg: None,
        bg: None,
        underline_color: None,
        ..style
    }
}
