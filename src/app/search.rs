//! The search panel's state: the query being typed, the results, the selection, and where
//! the reader was before, to return to on Esc.
//!
//! Searching itself runs elsewhere (a worker thread in the runtime): the panel asks with an
//! [`Effect::Search`](super::Effect) carrying a generation number, and only results of the
//! latest generation are taken, so a slow search never holds up typing.

use std::sync::Arc;

use ratatui::text::Line;

use crate::render::wrap::wrap_lines;
use crate::search::engine::{Hit, Results};

use super::Focus;

/// Rows at most for a result's matching line.
pub const SNIPPET_ROWS: usize = 2;
/// Columns before a result's second and later rows.
pub const RESULT_INDENT: usize = 2;

/// A result's matching line wrapped for a pane `width` columns wide. When it takes more than
/// [`SNIPPET_ROWS`] rows, it is wrapped a column narrower, to leave room for the `…` that
/// marks where it is cut.
pub fn snippet_lines(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let room = width.saturating_sub(RESULT_INDENT);
    let whole = wrap_lines(std::slice::from_ref(&line), room);
    if whole.len() <= SNIPPET_ROWS {
        return whole;
    }
    wrap_lines(&[line], room.saturating_sub(1))
}

/// Rows a result takes: its title, its category path, and its matching line (if any).
pub fn result_height(hit: &Hit, width: usize) -> usize {
    let snippet = hit.snippet.as_ref().map_or(0, |s| {
        snippet_lines(Line::raw(s.text.clone()), width)
            .len()
            .min(SNIPPET_ROWS)
    });
    2 + snippet
}

/// Where the reader was when search opened.
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    pub focus: Focus,
    pub list_selected: usize,
    pub list_offset: usize,
    pub body_scroll: usize,
}

#[derive(Debug)]
pub struct SearchPanel {
    pub input: String,
    /// Byte offset of the cursor in `input`.
    pub cursor: usize,
    pub generation: u64,
    /// Results of the newest finished search.
    pub results: Arc<Results>,
    /// A search for the current input is still running.
    pub waiting: bool,
    pub selected: usize,
    pub offset: usize,
    /// Keys go to the input line (rather than to the result list).
    pub typing: bool,
    pub saved: Saved,
    /// The item the body was last scrolled to the match of, so moving to another result
    /// scrolls the preview to its match once, and coming back from the body keeps its place.
    pub previewed: Option<usize>,
    /// Why the query cannot run (an unknown filter), shown instead of results.
    pub error: Option<String>,
    /// The item (by id) to select when results next arrive: the one selected before the
    /// library was reloaded, when item numbers changed.
    pub follow: Option<String>,
    /// The query the shown results answer: results for another (a letter typed) start at
    /// the best one; results for the same (a reload, meaning joining in) keep the selection.
    pub answered: String,
}

impl SearchPanel {
    pub fn new(saved: Saved) -> SearchPanel {
        SearchPanel {
            input: String::new(),
            cursor: 0,
            generation: 0,
            results: Arc::new(Results::default()),
            waiting: false,
            follow: None,
            answered: String::new(),
            selected: 0,
            offset: 0,
            typing: true,
            saved,
            previewed: None,
            error: None,
        }
    }

    /// The result drawn at `row` (0 = the first row under the query line) in a pane `width`
    /// columns wide.
    pub fn result_at_row(&self, row: usize, width: usize) -> Option<usize> {
        let mut top = 0;
        for (index, hit) in self.results.hits.iter().enumerate().skip(self.offset) {
            top += result_height(hit, width);
            if row < top {
                return Some(index);
            }
        }
        None
    }

    /// Scrolls the results so the selected one is wholly in view in a pane `width` columns
    /// wide with `rows` rows for results.
    pub fn keep_selected_visible(&mut self, width: usize, rows: usize) {
        let hits = &self.results.hits;
        if hits.is_empty() {
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(hits.len() - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        let height = |range: std::ops::RangeInclusive<usize>| -> usize {
            hits[range].iter().map(|h| result_height(h, width)).sum()
        };
        while self.offset < self.selected && height(self.offset..=self.selected) > rows {
            self.offset += 1;
        }
    }

    pub fn selected_item(&self) -> Option<usize> {
        self.results.hits.get(self.selected).map(|h| h.item)
    }

    /// The query's line, to edit with readline's keys.
    pub fn edit(&mut self) -> super::line_edit::LineEdit<'_> {
        super::line_edit::LineEdit {
            text: &mut self.input,
            cursor: &mut self.cursor,
        }
    }

    pub fn set(&mut self, text: &str) {
        self.input = text.to_string();
        self.cursor = self.input.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> SearchPanel {
        SearchPanel::new(Saved {
            focus: Focus::Tree,
            list_selected: 0,
            list_offset: 0,
            body_scroll: 0,
        })
    }

    #[test]
    fn editing_keeps_the_cursor_on_char_boundaries() {
        let mut p = panel();
        for c in "héllo wörld".chars() {
            p.edit().insert(c);
        }
        p.edit().left();
        p.edit().left();
        assert!(p.edit().backspace());
        assert_eq!(p.input, "héllo wöld");
        assert!(p.edit().delete_word());
        assert_eq!(p.input, "héllo ld");
        p.edit().right();
        p.edit().right();
        assert_eq!(p.cursor, p.input.len());
        assert!(p.edit().clear());
        assert!(!p.edit().backspace());
    }

    #[test]
    fn readline_moves_and_deletes() {
        let mut p = panel();
        p.set("codel lifo pressure");
        p.edit().word_left();
        assert_eq!(&p.input[p.cursor..], "pressure");
        p.edit().word_left();
        p.edit().word_left();
        assert_eq!(p.cursor, 0);
        p.edit().word_right();
        assert_eq!(&p.input[p.cursor..], " lifo pressure");
        assert!(p.edit().delete());
        assert_eq!(p.input, "codellifo pressure");
        assert!(p.edit().kill_to_end());
        assert_eq!(p.input, "codel");
        assert!(!p.edit().delete() && !p.edit().kill_to_end());
    }
}
