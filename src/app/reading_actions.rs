//! Read-state actions of the reader: marking, marking a whole category (after asking),
//! the unread-only view, jumping between unread items, and marks arriving from a save.

use super::*;

impl App {
    /// The item the read actions apply to: the one in the body, else the list's selection.
    pub(super) fn current_item(&self) -> Option<usize> {
        match (self.focus, self.body.key) {
            (Focus::Body, Some(PageKey::Item(i))) => Some(i),
            (Focus::Tree, _) => None,
            _ => self.selected_item(),
        }
    }

    pub(super) fn toggle_read(&mut self) {
        let Some(item) = self.current_item() else {
            self.set_status(
                "Select an item to mark it; M marks a whole category.",
                false,
            );
            return;
        };
        let read = !self.reading.is_read(item);
        self.reading.set(&self.library, &[item], read);
        self.set_status(
            if read {
                "Marked read (u undoes)"
            } else {
                "Marked unread (u undoes)"
            },
            false,
        );
    }

    /// `s`: stars the item (to read later), or takes its star off.
    pub(super) fn toggle_star(&mut self) {
        let Some(item) = self.current_item() else {
            self.set_status("Select an item to star it.", false);
            return;
        };
        let starred = self.reading.toggle_star(&self.library, item);
        self.set_status(
            if starred {
                "Starred (is:starred finds it; u undoes)"
            } else {
                "Star taken off (u undoes)"
            },
            false,
        );
    }

    pub(super) fn ask_mark_all_read(&mut self) {
        let category = match self.focus {
            Focus::Tree => self.tree.selected_id(),
            _ => self.list.category,
        };
        let count = self.node_counts(category).0;
        if count == 0 {
            self.set_status("Everything here is already read.", false);
            return;
        }
        self.confirm = Some(Confirm::MarkAllRead { category, count });
    }

    pub(super) fn answer(&mut self, confirm: Confirm, key: Key) {
        use crossterm::event::KeyCode;
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter)
            && key.modifiers.is_empty();
        match confirm {
            Confirm::MarkAllRead { category, .. } if yes => {
                let items = members(&self.library, &self.reading, category);
                let n = self.reading.set(&self.library, &items, true);
                let name = self.node_name(category).to_string();
                self.set_status(
                    format!("Marked {n} item{} in {name} read (u undoes)", plural(n)),
                    false,
                );
            }
            Confirm::MarkAllRead { .. } => self.set_status("Nothing marked.", false),
        }
        self.sync();
    }

    pub(super) fn toggle_unread_only(&mut self) {
        self.list.unread_only = !self.list.unread_only;
        if self.list.unread_only {
            let shown = (0..self.library.categories.len())
                .map(|c| c == 0 || self.reading.unread_in(CategoryId(c)) > 0)
                .collect();
            self.tree.filter(&self.library, Some(shown));
            self.set_status("Showing unread items only (U shows all)", false);
        } else {
            self.tree.filter(&self.library, None);
            self.set_status("Showing all items", false);
        }
        self.list.invalidate();
    }

    pub(super) fn jump_unread(&mut self, forward: bool) {
        let list = &self.list;
        let unread = |(_, item): &(usize, &usize)| !self.reading.is_read(**item);
        // From the tree nothing in the list is being read yet: the first unread counts too.
        let from = if self.focus == Focus::Tree {
            0
        } else {
            list.selected + 1
        };
        let found = if forward {
            list.items.iter().enumerate().skip(from).find(unread)
        } else {
            list.items
                .iter()
                .enumerate()
                .take(list.selected)
                .rev()
                .find(unread)
        };
        match found {
            Some((index, _)) => {
                self.list.selected = index;
                if self.focus == Focus::Tree {
                    self.focus = Focus::List;
                }
                if self.focus == Focus::Body {
                    self.mark_opened();
                }
            }
            None => self.set_status(
                if forward {
                    "No unread items below."
                } else {
                    "No unread items above."
                },
                false,
            ),
        }
    }

    /// Marks the item just opened in the body, when the config says opening reads it.
    pub(super) fn mark_opened(&mut self) {
        if self.reading.mode == MarkRead::OnOpen
            && let Some(item) = self.selected_item()
            && !self.reading.is_read(item)
        {
            self.reading.set(&self.library, &[item], true);
        }
    }

    /// The read state as every machine's files hold it, read after they changed (a sync
    /// brought another machine's, a command saved): the marks, stars and highlights this
    /// reader lacks are taken in; nothing is saved for them.
    pub fn state_read(&mut self, state: &ReadState) {
        if self.reading.adopt(&self.library, state) > 0 {
            self.list.invalidate();
        }
        self.sync();
    }

    /// After a save: marks another Quire made meanwhile come in through the merged state.
    pub fn state_saved(&mut self, result: Result<ReadState, String>) {
        match result {
            Ok(merged) => {
                if self.reading.adopt(&self.library, &merged) > 0 {
                    self.list.invalidate();
                }
                if self
                    .status
                    .as_ref()
                    .is_some_and(|s| s.text.starts_with("Cannot save"))
                {
                    self.set_status("Read state saved.", false);
                }
            }
            Err(err) => {
                self.set_status(format!("Cannot save read state (will retry): {err}"), true)
            }
        }
        self.sync();
    }
}
