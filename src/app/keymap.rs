//! Keys → actions, as data: the help overlay and the config's remapping read the same table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// One key with its modifiers, e.g. `ctrl-d`, `G`, `pagedown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key { code, modifiers }
    }

    pub const fn plain(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    pub const fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    /// Normalises a terminal key event: Shift is folded into the character (`G`, `?`), so
    /// a binding matches however the terminal reports it.
    pub fn from_event(event: KeyEvent) -> Key {
        let mut modifiers =
            event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if let KeyCode::Char(_) = event.code {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        let code = match event.code {
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, modifiers }
    }

    /// Parses `j`, `G`, `?`, `ctrl-d`, `alt-x`, `enter`, `pagedown`, `shift-tab`, `f5`, `space`.
    pub fn parse(text: &str) -> Option<Key> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower
                .strip_prefix("ctrl-")
                .or_else(|| lower.strip_prefix("c-"))
            {
                modifiers |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower
                .strip_prefix("alt-")
                .or_else(|| lower.strip_prefix("m-"))
            {
                modifiers |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                modifiers |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if modifiers.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                    modifiers.remove(KeyModifiers::SHIFT);
                    KeyCode::Char(c.to_ascii_uppercase())
                } else if modifiers.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if modifiers.contains(KeyModifiers::SHIFT) => {
                    modifiers.remove(KeyModifiers::SHIFT);
                    KeyCode::BackTab
                }
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                f if f.starts_with('f') && f.len() <= 3 => KeyCode::F(f[1..].parse().ok()?),
                _ => return None,
            },
        };
        Some(Key { code, modifiers })
    }

    /// How the help overlay writes the key.
    pub fn label(&self) -> String {
        let mut label = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            label.push_str("Ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            label.push_str("Alt-");
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            label.push_str("Shift-");
        }
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        label.push_str(&name);
        label
    }
}

/// The bindings, in the order the help overlay lists keys.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Key, Action)>,
}

impl Default for KeyMap {
    fn default() -> KeyMap {
        use KeyCode::*;
        let p = Key::plain;
        let c = |ch: char| Key::plain(Char(ch));
        let bindings = vec![
            (c('j'), Action::Down),
            (p(Down), Action::Down),
            (c('k'), Action::Up),
            (p(Up), Action::Up),
            (c('g'), Action::Top),
            (p(Home), Action::Top),
            (c('G'), Action::Bottom),
            (p(End), Action::Bottom),
            (p(PageDown), Action::PageDown),
            (Key::ctrl('f'), Action::PageDown),
            (p(PageUp), Action::PageUp),
            (Key::ctrl('b'), Action::PageUp),
            (Key::ctrl('d'), Action::HalfPageDown),
            (Key::ctrl('u'), Action::HalfPageUp),
            (c('h'), Action::Left),
            (p(Left), Action::Left),
            (c('l'), Action::Right),
            (p(Right), Action::Right),
            (p(Enter), Action::Open),
            (c(' '), Action::Toggle),
            (p(Tab), Action::FocusNext),
            (p(BackTab), Action::FocusPrev),
            (p(Esc), Action::Back),
            (c('<'), Action::Narrower),
            (c('>'), Action::Wider),
            (c('='), Action::ResetPanes),
            (c('m'), Action::ToggleRead),
            (c('M'), Action::MarkAllRead),
            (c('s'), Action::Star),
            (c('v'), Action::Select),
            (c('u'), Action::Undo),
            (c('U'), Action::UnreadOnly),
            (c(']'), Action::NextUnread),
            (c('['), Action::PrevUnread),
            (c('/'), Action::Search),
            (c('n'), Action::NextMatch),
            (c('N'), Action::PrevMatch),
            (Key::ctrl('t'), Action::Reveal),
            (c('R'), Action::Related),
            (c('o'), Action::OpenUrl),
            (c('y'), Action::CopyUrl),
            (c('f'), Action::Links),
            (c('t'), Action::Outline),
            (c('}'), Action::NextHeading),
            (c('{'), Action::PrevHeading),
            (c('e'), Action::Edit),
            (Key::ctrl('r'), Action::Reload),
            (c('S'), Action::SyncFeeds),
            (c('a'), Action::Archive),
            (Key::ctrl('z'), Action::Suspend),
            (c('?'), Action::Help),
            (p(F(1)), Action::Help),
            (c('q'), Action::Quit),
            (Key::ctrl('c'), Action::Quit),
        ];
        KeyMap { bindings }
    }
}

impl KeyMap {
    pub fn resolve(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// Replaces every key bound to `action` with `keys`, taking those keys from other actions.
    pub fn rebind(&mut self, action: Action, keys: &[Key]) {
        self.bindings
            .retain(|(k, a)| *a != action && !keys.contains(k));
        let at = self.bindings.len();
        self.bindings
            .splice(at..at, keys.iter().map(|k| (*k, action)));
    }

    pub fn bindings(&self) -> &[(Key, Action)] {
        &self.bindings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn event(code: KeyCode, modifiers: KeyModifiers) -> Key {
        Key::from_event(KeyEvent::new_with_kind(
            code,
            modifiers,
            KeyEventKind::Press,
        ))
    }

    #[test]
    fn vim_keys_and_arrows_resolve_alike() {
        let map = KeyMap::default();
        assert_eq!(
            map.resolve(event(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            map.resolve(event(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            map.resolve(event(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            map.resolve(event(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        assert_eq!(
            map.resolve(event(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        assert_eq!(
            map.resolve(event(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
        assert_eq!(
            map.resolve(event(KeyCode::Char('x'), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn every_action_has_a_key_and_a_help_section() {
        let map = KeyMap::default();
        let listed: Vec<Action> = Action::sections()
            .iter()
            .flat_map(|(_, a)| a.iter().copied())
            .collect();
        for (_, action) in map.bindings() {
            assert!(listed.contains(action), "{action:?} missing from help");
        }
        for action in listed {
            assert!(!map.keys_for(action).is_empty(), "{action:?} has no key");
        }
    }

    #[test]
    fn keys_parse_from_config_names() {
        assert_eq!(Key::parse("ctrl-d"), Some(Key::ctrl('d')));
        assert_eq!(Key::parse("G"), Some(Key::plain(KeyCode::Char('G'))));
        assert_eq!(Key::parse("shift-g"), Some(Key::plain(KeyCode::Char('G'))));
        assert_eq!(Key::parse("pagedown"), Some(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("shift-tab"), Some(Key::plain(KeyCode::BackTab)));
        assert_eq!(Key::parse("space"), Some(Key::plain(KeyCode::Char(' '))));
        assert_eq!(Key::parse("f1"), Some(Key::plain(KeyCode::F(1))));
        assert_eq!(Key::parse("nonsense"), None);
    }

    #[test]
    fn rebinding_moves_a_key() {
        let mut map = KeyMap::default();
        map.rebind(Action::Quit, &[Key::plain(KeyCode::Char('x'))]);
        assert_eq!(
            map.resolve(Key::plain(KeyCode::Char('x'))),
            Some(Action::Quit)
        );
        assert_eq!(map.resolve(Key::plain(KeyCode::Char('q'))), None);
    }
}
