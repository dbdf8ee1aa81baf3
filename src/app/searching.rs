//! Search in the reader: opening and closing the panel, typing in it, asking the runtime for
//! results and taking them.

use super::*;

impl App {
    pub(super) fn open_search(&mut self) {
        if let Some(panel) = &mut self.search {
            panel.typing = true;
            self.focus = Focus::List;
            return;
        }
        let saved = Saved {
            focus: self.focus,
            list_selected: self.list.selected,
            list_offset: self.list.offset,
            body_scroll: self.body.scroll,
        };
        self.search = Some(SearchPanel::new(saved));
        self.focus = Focus::List;
    }

    /// The search for the items nearest in meaning to the current item (`like:ID`), typed
    /// into the search box, where words can be added to choose among them.
    pub(super) fn search_related(&mut self) {
        let Some(item) = self.current_item() else {
            self.set_status("Select an item to find the items like it.", false);
            return;
        };
        let query = format!("like:\"{}\" ", self.library.items[item].id);
        self.close_search();
        self.open_search();
        if let Some(panel) = &mut self.search {
            panel.set(&query);
        }
        self.request_search();
    }

    /// Esc: closes search and puts the reader back where it was.
    pub(super) fn close_search(&mut self) {
        let Some(panel) = self.search.take() else {
            return;
        };
        if !panel.input.trim().is_empty() {
            self.last_query = Some(panel.input.clone());
        }
        self.body.highlight = None;
        self.body.marked = None;
        self.focus = panel.saved.focus;
        self.list.selected = panel.saved.list_selected;
        self.list.offset = panel.saved.list_offset;
        self.sync();
        self.body.scroll = panel
            .saved
            .body_scroll
            .min(self.body.max_scroll(self.body_height()));
    }

    /// A key while the search input has the focus: editing, moving through results, opening.
    pub(super) fn type_in_search(&mut self, key: Key, action: Option<Action>) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let Some(panel) = &mut self.search else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let mut changed = false;
        match key.code {
            KeyCode::Esc => {
                self.close_search();
                return;
            }
            KeyCode::Enter => {
                self.open_selected();
                return;
            }
            KeyCode::Up if panel.input.is_empty() => {
                if let Some(last) = self.last_query.clone() {
                    panel.set(&last);
                    changed = true;
                }
            }
            KeyCode::Up | KeyCode::BackTab => panel.selected = panel.selected.saturating_sub(1),
            KeyCode::Char('p') if ctrl => panel.selected = panel.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => {
                panel.selected = step(panel.selected, 1, panel.results.hits.len());
            }
            KeyCode::Char('n') if ctrl => {
                panel.selected = step(panel.selected, 1, panel.results.hits.len());
            }
            KeyCode::PageDown => {
                panel.selected = step(panel.selected, 10, panel.results.hits.len())
            }
            KeyCode::PageUp => panel.selected = panel.selected.saturating_sub(10),
            KeyCode::Char('c') if ctrl => self.should_quit = true,
            // Readline's moves and edits, as in a shell prompt.
            _ if panel.edit().key(key).is_some_and(|c| {
                changed = c;
                true
            }) => {}
            _ => {
                if let Some(
                    action @ (Action::Quit | Action::Help | Action::Suspend | Action::Reveal),
                ) = action
                    && ctrl
                {
                    self.update(action);
                }
            }
        }
        if changed {
            self.request_search();
        }
    }

    /// Asks the runtime for results for the panel's current input.
    pub(super) fn request_search(&mut self) {
        let Some(panel) = &mut self.search else {
            return;
        };
        self.search_generation += 1;
        panel.generation = self.search_generation;
        panel.error = None;
        if panel.input.trim().is_empty() {
            panel.results = Arc::new(crate::search::engine::Results::default());
            panel.waiting = false;
            panel.selected = 0;
            return;
        }
        if let Err(error) = crate::search::parse_query(&panel.input) {
            panel.error = Some(error.to_string());
            panel.results = Arc::new(crate::search::engine::Results::default());
            panel.waiting = false;
            panel.selected = 0;
            return;
        }
        panel.waiting = true;
        if self.loading.is_some() {
            // Asked again when the whole library is in.
            return;
        }
        let read = self.reading.flags().to_vec();
        let starred = self.reading.star_flags().to_vec();
        let highlighted = self.reading.highlighted_flags().to_vec();
        let notes = self.reading.state.notes_by_item(&self.library);
        self.effects.push(Effect::Search {
            generation: panel.generation,
            query: panel.input.clone(),
            read: Arc::new(read),
            starred: Arc::new(starred),
            highlighted: Arc::new(highlighted),
            notes: Arc::new(notes),
        });
    }

    /// Asks the open search again (its results were made before meaning could join in);
    /// the selected result stays selected.
    pub fn search_again(&mut self) {
        if self
            .search
            .as_ref()
            .is_some_and(|panel| !panel.input.trim().is_empty())
        {
            self.request_search();
        }
    }

    /// Results of a search; those of a query typed over since are dropped.
    pub fn search_results(
        &mut self,
        generation: u64,
        results: Arc<crate::search::engine::Results>,
    ) {
        let Some(panel) = &mut self.search else {
            return;
        };
        if generation != panel.generation {
            return;
        }
        let keep = match panel.follow.take() {
            Some(id) => self.library.position(&id),
            None if panel.answered == panel.input => panel.selected_item(),
            None => None,
        };
        panel.answered.clone_from(&panel.input);
        panel.results = results;
        panel.waiting = false;
        panel.selected = keep
            .and_then(|k| panel.results.hits.iter().position(|h| h.item == k))
            .unwrap_or(0);
        if !panel.input.trim().is_empty() {
            self.last_query = Some(panel.input.clone());
        }
        self.sync();
    }
}
