//! Editing a line typed on the screen (the search box, find in the page, a highlight's note)
//! with readline's keys, as in a shell prompt: one set of keys for every place text is typed.

use crossterm::event::{KeyCode, KeyModifiers};

use super::Key;

/// A line being typed and the cursor in it (a byte offset, always on a char boundary).
pub struct LineEdit<'a> {
    pub text: &'a mut String,
    pub cursor: &'a mut usize,
}

impl LineEdit<'_> {
    /// Carries out an editing key: `Some(changed)` when the key edits or moves, `None` when it
    /// is not one of them (Enter, Esc, Up… are the caller's).
    pub fn key(&mut self, key: Key) -> Option<bool> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        *self.cursor = (*self.cursor).min(self.text.len());
        let changed = match key.code {
            KeyCode::Left if ctrl => self.moved(Self::word_left),
            KeyCode::Right if ctrl => self.moved(Self::word_right),
            KeyCode::Char('b') if alt => self.moved(Self::word_left),
            KeyCode::Char('f') if alt => self.moved(Self::word_right),
            KeyCode::Left => self.moved(Self::left),
            KeyCode::Right => self.moved(Self::right),
            KeyCode::Home => self.moved(|e| *e.cursor = 0),
            KeyCode::Char('a') if ctrl => self.moved(|e| *e.cursor = 0),
            KeyCode::End => self.moved(|e| *e.cursor = e.text.len()),
            KeyCode::Char('e') if ctrl => self.moved(|e| *e.cursor = e.text.len()),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Char('k') if ctrl => self.kill_to_end(),
            // Alt+letter is what a terminal makes of Esc and a letter sent together: not text.
            KeyCode::Char(c) if !ctrl && !alt && !c.is_control() => {
                self.insert(c);
                true
            }
            _ => return None,
        };
        Some(changed)
    }

    fn moved(&mut self, by: impl FnOnce(&mut Self)) -> bool {
        by(self);
        false
    }

    pub fn insert(&mut self, c: char) {
        self.text.insert(*self.cursor, c);
        *self.cursor += c.len_utf8();
    }

    pub fn backspace(&mut self) -> bool {
        let Some(c) = self.text[..*self.cursor].chars().next_back() else {
            return false;
        };
        *self.cursor -= c.len_utf8();
        self.text.remove(*self.cursor);
        true
    }

    /// Ctrl-W: deletes the word before the cursor.
    pub fn delete_word(&mut self) -> bool {
        let before = &self.text[..*self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        if start == *self.cursor {
            return false;
        }
        self.text.replace_range(start..*self.cursor, "");
        *self.cursor = start;
        true
    }

    pub fn clear(&mut self) -> bool {
        let changed = !self.text.is_empty();
        self.text.clear();
        *self.cursor = 0;
        changed
    }

    /// Delete: the char under the cursor.
    pub fn delete(&mut self) -> bool {
        let Some(c) = self.text[*self.cursor..].chars().next() else {
            return false;
        };
        self.text
            .replace_range(*self.cursor..*self.cursor + c.len_utf8(), "");
        true
    }

    /// Ctrl-K: everything after the cursor.
    pub fn kill_to_end(&mut self) -> bool {
        let changed = *self.cursor < self.text.len();
        self.text.truncate(*self.cursor);
        changed
    }

    /// Ctrl-Left: to the start of this word, or of the one before.
    pub fn word_left(&mut self) {
        let before = self.text[..*self.cursor].trim_end();
        *self.cursor = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    }

    /// Ctrl-Right: past the end of this word, or of the next one.
    pub fn word_right(&mut self) {
        let rest = &self.text[*self.cursor..];
        let skipped = rest.len() - rest.trim_start().len();
        let word = rest.trim_start();
        let end = word.find(char::is_whitespace).unwrap_or(word.len());
        *self.cursor += skipped + end;
    }

    pub fn left(&mut self) {
        if let Some(c) = self.text[..*self.cursor].chars().next_back() {
            *self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.text[*self.cursor..].chars().next() {
            *self.cursor += c.len_utf8();
        }
    }
}
