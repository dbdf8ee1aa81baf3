//! The configuration file: where it lives, what it may say, and how it is checked.
//!
//! Every key is documented, with its default, in `assets/config.toml` (printed by
//! `quire config --print-default`). Unknown keys and bad values are errors that name the file,
//! line and key, reported before the terminal is touched.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::app::layout::PaneWidths;
use crate::app::{Action, Key, KeyMap, MarkRead, Settings, SortOrder};
use crate::theme::{Theme, ThemeName};

/// The commented example, also the source of truth for defaults in the docs.
pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub content: ContentConfig,
    pub reader: ReaderConfig,
    pub search: SearchConfig,
    pub feeds: FeedsConfig,
    pub theme: ThemeConfig,
    pub keys: BTreeMap<Action, KeyList>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FeedsConfig {
    /// `quire archive --all` saves the pages of feed posts that came as a summary only, as
    /// `--feeds` does.
    pub full_text: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ContentConfig {
    /// Extra content folders (`~` and paths relative to the config file are expanded).
    pub roots: Vec<PathBuf>,
    /// Use only `roots`, not the bundled library (or `./content`).
    pub replace_bundled: bool,
    /// The user's own library folder (where imports and feeds write), instead of
    /// `$XDG_DATA_HOME/quire/library`.
    pub library: Option<PathBuf>,
    /// Load drafts (`draft = true`, `published: false`, Jekyll's `_drafts/`), tagged `draft`.
    pub drafts: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// A TOML file of synonyms (`~` and paths relative to the config file are expanded).
    pub synonyms: Option<PathBuf>,
    /// Search by meaning too, below the items holding every word.
    pub meaning: bool,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            synonyms: None,
            meaning: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReaderConfig {
    pub mark_read: MarkRead,
    pub sort: SortOrder,
    /// Width of the category tree, in percent of the screen (three-pane layout); unset, it
    /// is sized to its names.
    pub tree_width: Option<u16>,
    /// Width of the item list, in percent of the screen; unset, sized to its titles.
    pub list_width: Option<u16>,
    /// Open where the reader was left last time (category, item, open folders, focus and the
    /// scroll position of recent items), kept in `place.toml` in this machine's state folder.
    pub restore: bool,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            mark_read: MarkRead::OnOpen,
            sort: SortOrder::NewestFirst,
            tree_width: None,
            list_width: None,
            restore: true,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    pub name: ThemeNameConfig,
    /// Element name → style, e.g. `selection = "black on yellow bold"`.
    pub colors: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeNameConfig {
    #[default]
    Dark,
    Light,
}

/// One key or several: `quit = "q"` or `quit = ["q", "ctrl-c"]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn names(&self) -> Vec<&str> {
        match self {
            KeyList::One(k) => vec![k.as_str()],
            KeyList::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }
}

/// A configuration problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Where Quire looks for its config when `--config` is not given.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "quire").map(|d| d.config_dir().join("config.toml"))
}

/// The user's library folder when neither `--library` nor the config names one.
pub fn default_library_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "quire").map(|d| d.data_dir().join("library"))
}

/// Where the read state lives when `--state` is not given.
pub fn default_state_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "quire").map(|d| d.data_dir().join("state.toml"))
}

/// Loads `path`; a missing file is the default config, unless it was asked for explicitly.
pub fn load_config(path: &Path, explicit: bool) -> Result<Config, ConfigError> {
    // Read without blocking (a FIFO named config.toml would hang every command) and capped.
    let read = crate::writer::read_own(path, 16 * 1024 * 1024).and_then(|bytes| {
        let bytes = bytes.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
        String::from_utf8(bytes).map_err(|_| std::io::Error::other("not valid UTF-8"))
    });
    let text = match read {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Config::default());
        }
        Err(err) => {
            return Err(ConfigError {
                path: path.into(),
                line: None,
                key: None,
                message: format!("cannot read: {err}"),
            });
        }
    };
    let mut config = parse_config(&text, path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    config.content.roots = config
        .content
        .roots
        .iter()
        .map(|r| expand_path(r, base))
        .collect();
    config.content.library = config.content.library.map(|l| expand_path(&l, base));
    config.search.synonyms = config.search.synonyms.map(|s| expand_path(&s, base));
    Ok(config)
}

pub fn parse_config(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let config: Config = toml::from_str(text).map_err(|err| {
        let line = err.span().map(|s| crate::text::line_of(text, s.start));
        let key = line
            .and_then(|l| key_on_line(text, l))
            .or_else(|| quoted_field(err.message()));
        ConfigError {
            path: path.into(),
            line,
            key,
            message: err.message().trim().to_string(),
        }
    })?;
    config.validate(text, path)?;
    Ok(config)
}

impl Config {
    fn validate(&self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let fail = |key: &str, message: String| ConfigError {
            path: path.into(),
            line: find_key_line(text, key.rsplit('.').next().unwrap_or(key)),
            key: Some(key.to_string()),
            message,
        };
        for (key, value, range) in [
            ("reader.tree_width", self.reader.tree_width, 10..=50),
            ("reader.list_width", self.reader.list_width, 15..=60),
        ] {
            let Some(value) = value else { continue };
            if !range.contains(&value) {
                return Err(fail(
                    key,
                    format!(
                        "{value} is out of range ({}–{} percent)",
                        range.start(),
                        range.end()
                    ),
                ));
            }
        }
        if self.reader.tree_width.unwrap_or(0) + self.reader.list_width.unwrap_or(0) > 80 {
            return Err(fail(
                "reader.list_width",
                "tree_width + list_width must leave the body 20% or more".into(),
            ));
        }
        let mut names: Vec<&str> = Vec::new();
        let mut theme = Theme::dark();
        names.extend(theme.styles_mut().iter().map(|(n, _)| *n));
        for (element, spec) in &self.theme.colors {
            if !names.contains(&element.as_str()) {
                return Err(fail(
                    &format!("theme.colors.{element}"),
                    format!("no such element; known: {}", names.join(", ")),
                ));
            }
            parse_style(spec).map_err(|m| fail(&format!("theme.colors.{element}"), m))?;
        }
        for (action, keys) in &self.keys {
            for name in keys.names() {
                if Key::parse(name).is_none() {
                    let key = format!("keys.{}", action_name(*action));
                    return Err(fail(
                        &key,
                        format!(
                            "`{name}` is not a key (try `j`, `G`, `ctrl-d`, `enter`, `pagedown`, `f1`)"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn theme(&self, no_color: bool) -> Theme {
        let mut theme = Theme::named(match self.theme.name {
            ThemeNameConfig::Dark => ThemeName::Dark,
            ThemeNameConfig::Light => ThemeName::Light,
        });
        for (name, style) in theme.styles_mut() {
            if let Some(spec) = self.theme.colors.get(name)
                && let Ok(parsed) = parse_style(spec)
            {
                *style = parsed;
            }
        }
        if no_color {
            theme.without_colors()
        } else {
            theme
        }
    }

    /// Everything the reader takes from the config.
    pub fn settings(&self, no_color: bool) -> Settings {
        Settings {
            theme: self.theme(no_color),
            keymap: self.keymap(),
            pane_widths: PaneWidths {
                tree: self.reader.tree_width,
                list: self.reader.list_width,
            },
            sort: self.reader.sort,
            mark_read: self.reader.mark_read,
        }
    }

    pub fn keymap(&self) -> KeyMap {
        let mut map = KeyMap::default();
        for (action, keys) in &self.keys {
            let keys: Vec<Key> = keys.names().into_iter().filter_map(Key::parse).collect();
            map.rebind(*action, &keys);
        }
        map
    }
}

fn action_name(action: Action) -> String {
    serde_json::to_value(action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Parses `"yellow on black bold"`, `"#ffaa00"`, `"on blue"`, `"reversed"`, `"color208"`.
pub fn parse_style(spec: &str) -> Result<Style, String> {
    let mut style = Style::new();
    let mut words = spec.split_whitespace().peekable();
    while let Some(word) = words.next() {
        let lower = word.to_ascii_lowercase();
        let modifier = match lower.as_str() {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underlined" | "underline" => Some(Modifier::UNDERLINED),
            "reversed" | "reverse" => Some(Modifier::REVERSED),
            "crossed" | "strikethrough" => Some(Modifier::CROSSED_OUT),
            _ => None,
        };
        if let Some(m) = modifier {
            style = style.add_modifier(m);
        } else if lower == "on" {
            let color = words.next().ok_or("`on` needs a colour after it")?;
            style = style.bg(parse_color(color)?);
        } else {
            style = style.fg(parse_color(word)?);
        }
    }
    Ok(style)
}

fn parse_color(word: &str) -> Result<Color, String> {
    let lower = word.to_ascii_lowercase();
    if let Some(n) = lower
        .strip_prefix("color")
        .and_then(|n| n.parse::<u8>().ok())
    {
        return Ok(Color::Indexed(n));
    }
    lower
        .parse::<Color>()
        .map_err(|_| format!("`{word}` is not a colour (a name like `yellow` or `dark_gray`, `#rrggbb`, or `color0`–`color255`)"))
}

fn expand_path(path: &Path, base: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    if let Some(rest) = text.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    if path.is_relative() {
        base.join(path)
    } else {
        path.to_path_buf()
    }
}

fn key_on_line(text: &str, line: usize) -> Option<String> {
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let key = content.split('=').next()?.trim();
    (!key.is_empty() && !key.starts_with('[') && !key.starts_with('#'))
        .then(|| key.trim_matches('"').to_string())
}

fn quoted_field(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

fn find_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .or_else(|| l.strip_prefix(&format!("\"{key}\"")))
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        parse_config(text, Path::new("config.toml"))
    }

    #[test]
    fn the_shipped_example_is_the_default() {
        let shipped = parse(DEFAULT_CONFIG).expect("valid");
        let default = Config::default();
        assert_eq!(
            (
                &shipped.content,
                &shipped.reader,
                &shipped.theme,
                &shipped.feeds
            ),
            (
                &default.content,
                &default.reader,
                &default.theme,
                &default.feeds
            )
        );
        let sorted = |map: &KeyMap| {
            let mut b: Vec<String> = map
                .bindings()
                .iter()
                .map(|(k, a)| format!("{a:?} {}", k.label()))
                .collect();
            b.sort();
            b
        };
        assert_eq!(
            sorted(&shipped.keymap()),
            sorted(&KeyMap::default()),
            "the example lists every default key"
        );
        let listed: Vec<Action> = shipped.keys.keys().copied().collect();
        for (_, action) in KeyMap::default().bindings() {
            assert!(
                listed.contains(action),
                "{action:?} is missing from assets/config.toml"
            );
        }
    }

    #[test]
    fn unknown_keys_name_file_line_and_key() {
        let err = parse("[reader]\nsort = \"title\"\ncolour = \"red\"\n").expect_err("unknown key");
        assert_eq!(err.line, Some(3));
        assert_eq!(err.key.as_deref(), Some("colour"));
        assert!(
            err.to_string()
                .starts_with("config.toml:3: `colour`: unknown field"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_are_located() {
        let err = parse("[reader]\nmark_read = \"sometimes\"\n").expect_err("bad enum");
        assert_eq!((err.line, err.key.as_deref()), (Some(2), Some("mark_read")));
        let err = parse("[reader]\ntree_width = 90\n").expect_err("out of range");
        assert_eq!(
            (err.line, err.key.as_deref()),
            (Some(2), Some("reader.tree_width"))
        );
        let err = parse("[theme.colors]\nselection = \"plaid\"\n").expect_err("bad colour");
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("`plaid` is not a colour"));
        let err = parse("[theme.colors]\nnonsense = \"red\"\n").expect_err("bad element");
        assert!(err.message.contains("no such element"));
        let err = parse("[keys]\nquit = \"hyper-q\"\n").expect_err("bad key");
        assert_eq!((err.line, err.key.as_deref()), (Some(2), Some("keys.quit")));
        let err = parse("[keys]\nfly = \"f\"\n").expect_err("bad action");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn styles_parse_from_words() {
        assert_eq!(
            parse_style("yellow on black bold"),
            Ok(Style::new()
                .fg(Color::Yellow)
                .bg(Color::Black)
                .add_modifier(Modifier::BOLD))
        );
        assert_eq!(
            parse_style("#ff8800"),
            Ok(Style::new().fg(Color::Rgb(255, 136, 0)))
        );
        assert_eq!(
            parse_style("on color236 reversed"),
            Ok(Style::new()
                .bg(Color::Indexed(236))
                .add_modifier(Modifier::REVERSED))
        );
        assert!(parse_style("on").is_err());
    }
}
