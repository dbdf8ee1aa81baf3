//! Find in the page, as less does it: in the body, `/` then a word paints every place it
//! stands in the page shown, the view goes to the first one below, `n`/`N` step (going round,
//! saying so) and the status bar counts `match 3/7`. Esc clears it.

use super::*;
use crate::search::engine::Highlighter;

#[derive(Debug, Clone)]
pub struct Find {
    pub input: String,
    /// Where the cursor is in `input` (a byte offset).
    pub cursor: usize,
    /// Keys go to the prompt (rather than to the body).
    pub typing: bool,
    pub highlighter: Arc<Highlighter>,
}

impl Find {
    fn new() -> Find {
        Find {
            input: String::new(),
            cursor: 0,
            typing: true,
            highlighter: Arc::new(Highlighter::default()),
        }
    }

    /// What the page is searched for: the text as typed, any case.
    fn set(&mut self, input: String) {
        let wanted = input.to_lowercase();
        self.input = input;
        self.highlighter = Arc::new(Highlighter {
            terms: Vec::new(),
            phrases: if wanted.trim().is_empty() {
                Vec::new()
            } else {
                vec![wanted]
            },
        });
    }
}

impl App {
    /// `/` in the body: a prompt for a word to find in the page.
    pub(super) fn start_find(&mut self) {
        self.find = Some(Find::new());
        self.body.current_match = None;
    }

    /// A key while the find prompt is open.
    pub(super) fn type_in_find(&mut self, key: Key) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let Some(find) = &mut self.find else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let mut input = find.input.clone();
        let mut cursor = find.cursor;
        match key.code {
            KeyCode::Esc => {
                self.find = None;
                return;
            }
            KeyCode::Enter => {
                find.typing = false;
                if find.input.trim().is_empty() {
                    self.find = None;
                } else if self.body.match_position().is_none_or(|(_, of)| of == 0) {
                    let text = format!("Pattern not found: {}", find.input);
                    self.set_status(text, true);
                }
                return;
            }
            // Backspace on nothing leaves, as less does.
            KeyCode::Backspace if input.is_empty() => {
                self.find = None;
                return;
            }
            KeyCode::Char('c') if ctrl => {
                self.should_quit = true;
                return;
            }
            _ => {
                let edited = super::line_edit::LineEdit {
                    text: &mut input,
                    cursor: &mut cursor,
                }
                .key(key);
                match edited {
                    Some(true) => {}
                    Some(false) => {
                        find.cursor = cursor;
                        return;
                    }
                    None => return,
                }
            }
        }
        find.cursor = cursor;
        find.set(input);
        // Paint the new word, then go to its first place from the top of the view on.
        self.sync();
        let height = self.body_height();
        self.body.match_from_view(height);
    }
}
