//! Keeping a passage, as vim's visual mode selects one: `v` in the body starts a selection on
//! the first line of text in view; j/k (and the arrows) move its end by lines, w/b/e by words,
//! h/l by characters, 0/$ to the line's ends, `o` to its other end; a drag with the mouse
//! makes one. Enter keeps it as a highlight, asking for a note on the status line; `y` copies
//! its text; `d` removes the highlights it touches; Esc (or `v`) leaves.
//!
//! The selection is of the text the page shows; what is kept is the same words in the item's
//! markdown (`state::passage`), with the words before them to tell two places apart.

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::state::{Highlight, Timestamp};

/// A place in the page: a line, and a byte of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Spot {
    pub line: usize,
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The item whose page it is on, and the width that page was laid out at (laid out again,
    /// its lines are others: the selection ends).
    pub item: usize,
    pub width: u16,
    /// Where it started, and the end that moves.
    pub anchor: Spot,
    pub cursor: Spot,
}

impl Selection {
    /// Its first and last places, in page order (the last character is in it, as in vim).
    pub fn ends(&self) -> (Spot, Spot) {
        if self.anchor <= self.cursor {
            (self.anchor, self.cursor)
        } else {
            (self.cursor, self.anchor)
        }
    }
}

/// A passage selected and waiting for its note.
#[derive(Debug, Clone)]
pub struct NotePrompt {
    pub input: String,
    /// Where the cursor is in `input` (a byte offset).
    pub cursor: usize,
    item: usize,
    highlight: Highlight,
    /// The passage as the page shows it (the highlight keeps its markdown).
    shown: String,
    /// A highlight kept before, whose note is being edited.
    again: bool,
}

/// How much of the text shown before a passage tells its place.
const LEAD: usize = 160;

impl App {
    /// The texts of the page's lines (what the selection moves over).
    fn line_texts(&self) -> Vec<String> {
        self.page()
            .map(|p| p.lines.iter().map(body::line_text).collect())
            .unwrap_or_default()
    }

    /// Whether page line `n` holds the item's text (not the header, nor a note).
    fn selectable(&self, n: usize) -> bool {
        self.page()
            .is_some_and(|p| n >= p.body_start && n < p.lines.len() && !p.notes.contains(&n))
    }

    /// `v`: a selection on the match found in the page (`/`, `n`), else on the first word of
    /// text in view.
    pub(super) fn start_visual(&mut self) {
        let Some(PageKey::Item(item)) = self.body.key.filter(|_| self.focus == Focus::Body) else {
            self.set_status("Open an item to select a passage of it.", false);
            return;
        };
        if self.library.items[item].body.trim().is_empty() {
            self.set_status(
                "No text of its own to select here; quire highlight ID --quote keeps words of \
                 its description.",
                false,
            );
            return;
        }
        let texts = self.line_texts();
        let height = self.body_height();
        let on_match = self
            .body
            .marked
            .as_ref()
            .zip(self.body.current_match)
            .and_then(|(marked, i)| marked.matches.get(i).copied())
            .filter(|&l| l >= self.body.scroll && l < self.body.scroll + height)
            .filter(|&l| self.selectable(l))
            .and_then(|line| {
                let found = self.body.highlight.as_ref()?.find(&texts[line]);
                Some(Spot {
                    line,
                    at: found.first()?.start,
                })
            });
        let first = (self.body.scroll..texts.len())
            .find(|&n| self.selectable(n) && !texts[n].trim().is_empty())
            .map(|line| Spot {
                line,
                at: texts[line].len() - texts[line].trim_start().len(),
            });
        let Some(spot) = on_match.or(first) else {
            self.set_status("No text in view to select.", false);
            return;
        };
        self.find = None;
        self.visual = Some(Selection {
            item,
            width: self.page().map_or(0, |p| p.width),
            anchor: spot,
            cursor: spot,
        });
    }

    /// A key while selecting.
    pub(super) fn visual_key(&mut self, key: Key, action: Option<Action>) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.should_quit = true;
            return;
        }
        let texts = self.line_texts();
        let Some(selection) = self.visual.clone() else {
            return;
        };
        let cursor = selection.cursor;
        // A page not laid out (a screen too small to show the body): nothing to move over.
        let laid_out = cursor.line < texts.len();
        let moved = match (key.code, action) {
            (KeyCode::Esc | KeyCode::Char('v') | KeyCode::Char('q'), _) => {
                self.visual = None;
                return;
            }
            (KeyCode::Enter, _) => {
                self.keep_selection();
                return;
            }
            (KeyCode::Char('y'), _) => {
                let text = self.selected_text();
                self.visual = None;
                self.set_status("Copied the passage.", false);
                self.effects.push(Effect::CopyToClipboard(text));
                return;
            }
            (KeyCode::Char('d'), _) => {
                self.remove_selected_highlights();
                return;
            }
            _ if !laid_out => None,
            (KeyCode::Char('o'), _) => {
                if let Some(selection) = self.visual.as_mut() {
                    selection.anchor = cursor;
                }
                Some(selection.anchor)
            }
            (KeyCode::Char('w'), _) => next_word(&texts, cursor, |s| self.selectable(s)),
            (KeyCode::Char('e'), _) => word_end(&texts, cursor, |s| self.selectable(s)),
            (KeyCode::Char('b'), _) => previous_word(&texts, cursor, |s| self.selectable(s)),
            (KeyCode::Char('0') | KeyCode::Home, _) => Some(Spot { at: 0, ..cursor }),
            (KeyCode::Char('$') | KeyCode::End, _) => {
                let text = &texts[cursor.line];
                Some(Spot {
                    at: last_char(text),
                    ..cursor
                })
            }
            (_, Some(Action::Down | Action::Up)) => {
                let down = action == Some(Action::Down);
                let column = texts[cursor.line][..cursor.at].chars().count();
                let mut line = cursor.line;
                loop {
                    line = if down {
                        line + 1
                    } else {
                        match line.checked_sub(1) {
                            Some(l) => l,
                            None => break None,
                        }
                    };
                    if line >= texts.len() || !self.selectable(line) {
                        if line >= texts.len() || line < self.page().map_or(0, |p| p.body_start) {
                            break None;
                        }
                        continue;
                    }
                    let text = &texts[line];
                    let at = text
                        .char_indices()
                        .nth(column)
                        .map_or(last_char(text), |(i, _)| i);
                    break Some(Spot { line, at });
                }
            }
            (_, Some(Action::Left)) => {
                let text = &texts[cursor.line];
                let at = text[..cursor.at]
                    .char_indices()
                    .next_back()
                    .map_or(0, |(i, _)| i);
                Some(Spot { at, ..cursor })
            }
            (_, Some(Action::Right)) => {
                let text = &texts[cursor.line];
                let next = text[cursor.at..]
                    .char_indices()
                    .nth(1)
                    .map_or(cursor.at, |(i, _)| cursor.at + i);
                Some(Spot { at: next, ..cursor })
            }
            _ => {
                self.set_status(
                    "Selecting: j/k w/b/e h/l 0/$ move its end, o the other end; Enter keeps it, \
                     y copies, d removes highlights in it, Esc leaves.",
                    false,
                );
                return;
            }
        };
        if let Some(spot) = moved
            && let Some(selection) = self.visual.as_mut()
        {
            selection.cursor = spot;
            // The moving end stays in view.
            let height = self.body_height().max(1);
            if spot.line < self.body.scroll {
                self.body.scroll = spot.line;
            } else if spot.line >= self.body.scroll + height {
                self.body.scroll = spot.line + 1 - height;
            }
        }
    }

    /// The selected text as the page shows it, its lines joined by spaces.
    pub fn selected_text(&self) -> String {
        let Some(selection) = &self.visual else {
            return String::new();
        };
        let texts = self.line_texts();
        let (start, end) = selection.ends();
        let mut parts = Vec::new();
        let last = end.line.min(texts.len().saturating_sub(1));
        for (line, text) in texts.iter().enumerate().take(last + 1).skip(start.line) {
            if !self.selectable(line) {
                continue;
            }
            // A word cut by either end is taken whole: a passage is kept by its words.
            let from = if line == start.line {
                word_start(text, start.at)
            } else {
                0
            };
            let to = if line == end.line {
                word_end_at(text, char_end(text, end.at))
            } else {
                text.len()
            };
            if from < to {
                parts.push(text[from..to].trim());
            }
        }
        // The page's own drawing (a table's rules, a code block's bar, a wrapped line's arrow)
        // is not the item's text.
        let text: String = parts
            .join(" ")
            .chars()
            .map(|c| match c {
                '\u{2500}'..='\u{259f}' | '↪' => ' ',
                c => c,
            })
            .collect();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The text shown before the selection (a little of it), which tells its place.
    fn text_before_selection(&self) -> String {
        let Some(selection) = &self.visual else {
            return String::new();
        };
        let texts = self.line_texts();
        let (start, _) = selection.ends();
        let Some(first) = texts.get(start.line) else {
            return String::new();
        };
        let mut before = first.get(..start.at).unwrap_or(first).to_string();
        let mut line = start.line;
        while before.len() < LEAD && line > 0 {
            line -= 1;
            if !self.selectable(line) {
                if self.page().is_some_and(|p| line < p.body_start) {
                    break;
                }
                continue;
            }
            before = format!("{} {before}", texts[line]);
        }
        before
    }

    /// Enter: the selection found in the item's markdown, then its note asked for.
    fn keep_selection(&mut self) {
        let Some(selection) = self.visual.clone() else {
            return;
        };
        let quote = self.selected_text();
        let before = self.text_before_selection();
        let item = &self.library.items[selection.item];
        let found = crate::state::passage::in_markdown(&item.body, &quote, &before);
        let Some(range) = found.filter(|_| !quote.is_empty()) else {
            self.visual = None;
            self.set_status(
                "Those words are not in the item's own text (a link list or a note?); select \
                 its text.",
                true,
            );
            return;
        };
        self.visual = None;
        // The same passage kept already: its note is edited (shown to change), not a second
        // highlight made.
        let kept = self
            .reading
            .highlights_of(&item.id)
            .into_iter()
            .find(|(_, h)| h.find(&item.body) == Some(range.clone()))
            .map(|(_, h)| h.clone());
        let again = kept.is_some();
        let (highlight, input) = match kept {
            Some(h) => {
                let note = h.note.clone().unwrap_or_default();
                (h, note)
            }
            None => (
                Highlight::new(&item.id, &item.body, range, None, Timestamp::now()),
                String::new(),
            ),
        };
        self.note_prompt = Some(NotePrompt {
            cursor: input.len(),
            input,
            item: selection.item,
            highlight,
            shown: quote,
            again,
        });
    }

    /// A key while the note is asked for.
    pub(super) fn type_note(&mut self, key: Key) {
        let Some(prompt) = self.note_prompt.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.note_prompt = None;
                self.set_status("Not kept.", false);
            }
            KeyCode::Enter => {
                let Some(prompt) = self.note_prompt.take() else {
                    return;
                };
                let note = prompt.input.trim().to_string();
                let mut highlight = prompt.highlight;
                let again = prompt.again;
                highlight.note = (!note.is_empty()).then_some(note);
                highlight.at = Timestamp::now().max(highlight.at);
                let short = crate::render::wrap::truncate(&prompt.shown, 40);
                self.reading.keep(prompt.item, highlight);
                let said = if again {
                    format!("Note changed for “{short}”.")
                } else {
                    format!("Kept “{short}”; the Highlights node lists it.")
                };
                self.set_status(said, false);
            }
            KeyCode::Char('c') if ctrl => self.should_quit = true,
            _ => {
                super::line_edit::LineEdit {
                    text: &mut prompt.input,
                    cursor: &mut prompt.cursor,
                }
                .key(key);
            }
        }
    }

    /// `d` while selecting: the highlights painted where the selection is are removed.
    fn remove_selected_highlights(&mut self) {
        let Some(selection) = self.visual.take() else {
            return;
        };
        let (start, end) = selection.ends();
        let (start, end) = ((start.line, start.at), (end.line, end.at));
        let keys: Vec<String> = self
            .page()
            .map(|page| {
                page.kept
                    .iter()
                    .filter(|k| k.start <= end && start <= k.end)
                    .map(|k| k.key.clone())
                    .collect()
            })
            .unwrap_or_default();
        if keys.is_empty() {
            self.set_status("No highlight there.", false);
            return;
        }
        let lib = Arc::clone(&self.library);
        self.reading.remove_highlights(&lib, selection.item, &keys);
        let n = keys.len();
        self.set_status(format!("Removed {n} highlight{}.", plural(n)), false);
    }

    /// A drag in the body: a selection from where the button went down to the pointer.
    pub(super) fn drag_select(&mut self, from: Option<Spot>, to: Spot) {
        let Some(PageKey::Item(item)) = self.body.key else {
            return;
        };
        if !self.selectable(to.line) {
            return;
        }
        let anchor = match (&self.visual, from) {
            (_, Some(from)) => from,
            (Some(selection), None) => selection.anchor,
            (None, None) => to,
        };
        self.visual = Some(Selection {
            item,
            width: self.page().map_or(0, |p| p.width),
            anchor,
            cursor: to,
        });
    }

    /// The page place under a screen position in the body, if it is text.
    pub(super) fn spot_at(&self, column: u16, row: u16) -> Option<Spot> {
        let area = body_text_area(self.panes().body?);
        if !area.contains(Position::new(column, row)) {
            return None;
        }
        let line = self.body.scroll + usize::from(row - area.y);
        let page = self.page()?;
        let text = body::line_text(page.lines.get(line)?);
        // The byte under the column, counting each character's width.
        let want = usize::from(column - area.x);
        let mut width = 0;
        let mut at = last_char(&text);
        for (i, c) in text.char_indices() {
            let w = crate::render::wrap::display_width(c.encode_utf8(&mut [0; 4]));
            if width + w > want {
                at = i;
                break;
            }
            width += w;
        }
        Some(Spot { line, at })
    }
}

/// Where the last character of `text` starts (0 when it is empty).
fn last_char(text: &str) -> usize {
    text.char_indices().next_back().map_or(0, |(i, _)| i)
}

/// Where the character at `at` ends (the selection takes in its last character).
pub fn char_end(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .map_or(text.len(), |c| at + c.len_utf8())
}

/// `at`, or the start of the word it is inside.
fn word_start(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    if !text[at..].chars().next().is_some_and(char::is_alphanumeric) {
        return at;
    }
    text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(at, |(i, _)| i)
}

/// `at` (an end), or the end of the word it cuts.
fn word_end_at(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    if !text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric)
    {
        return at;
    }
    at + text[at..]
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(text.len() - at, |(i, _)| i)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The places of the page from `from` on (or back), line by line over the selectable ones.
fn spots<'a>(
    texts: &'a [String],
    from: Spot,
    forward: bool,
    selectable: impl Fn(usize) -> bool + 'a,
) -> impl Iterator<Item = (Spot, char)> + 'a {
    let lines: Box<dyn Iterator<Item = usize>> = if forward {
        Box::new(from.line..texts.len())
    } else {
        Box::new((0..=from.line).rev())
    };
    lines.filter(move |&l| selectable(l)).flat_map(move |line| {
        let text = &texts[line];
        // A line's end counts as a space between words.
        let chars: Vec<(usize, char)> = text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
            .collect();
        let chars: Box<dyn Iterator<Item = (usize, char)>> = if forward {
            Box::new(chars.into_iter())
        } else {
            Box::new(chars.into_iter().rev())
        };
        chars
            .filter(move |(at, _)| {
                line != from.line
                    || if forward {
                        *at > from.at
                    } else {
                        *at < from.at
                    }
            })
            .map(move |(at, c)| (Spot { line, at }, c))
    })
}

/// `w`: the start of the next word.
fn next_word(texts: &[String], from: Spot, selectable: impl Fn(usize) -> bool) -> Option<Spot> {
    let mut left_word = !texts[from.line][from.at..]
        .chars()
        .next()
        .is_some_and(is_word);
    for (spot, c) in spots(texts, from, true, &selectable) {
        if !is_word(c) {
            left_word = true;
        } else if left_word && spot.at < texts[spot.line].len() {
            return Some(spot);
        }
    }
    None
}

/// `e`: the last character of this word, or of the next.
fn word_end(texts: &[String], from: Spot, selectable: impl Fn(usize) -> bool) -> Option<Spot> {
    let mut previous: Option<Spot> = None;
    let mut in_word = false;
    for (spot, c) in spots(texts, from, true, &selectable) {
        if is_word(c) && spot.at < texts[spot.line].len() {
            in_word = true;
            previous = Some(spot);
        } else if in_word {
            return previous;
        }
    }
    previous
}

/// `b`: the start of this word, or of the one before.
fn previous_word(texts: &[String], from: Spot, selectable: impl Fn(usize) -> bool) -> Option<Spot> {
    let mut start: Option<Spot> = None;
    for (spot, c) in spots(texts, from, false, &selectable) {
        let word = is_word(c) && spot.at < texts[spot.line].len();
        if word {
            start = Some(spot);
        } else if start.is_some() {
            return start;
        }
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> Vec<String> {
        vec!["The hit rate".into(), "".into(), "matters, most.".into()]
    }

    #[test]
    fn word_motions_go_over_lines_and_punctuation() {
        let t = texts();
        let all = |_| true;
        let at = |line, at| Spot { line, at };
        assert_eq!(next_word(&t, at(0, 0), all), Some(at(0, 4)));
        assert_eq!(next_word(&t, at(0, 8), all), Some(at(2, 0)));
        assert_eq!(next_word(&t, at(2, 0), all), Some(at(2, 9)));
        assert_eq!(word_end(&t, at(0, 0), all), Some(at(0, 2)));
        assert_eq!(word_end(&t, at(0, 2), all), Some(at(0, 6)));
        assert_eq!(word_end(&t, at(0, 9), all), Some(at(0, 11)));
        assert_eq!(previous_word(&t, at(2, 0), all), Some(at(0, 8)));
        assert_eq!(previous_word(&t, at(0, 6), all), Some(at(0, 4)));
        assert_eq!(previous_word(&t, at(0, 0), all), None);
        // A line that cannot be selected (a note) is passed over.
        assert_eq!(next_word(&t, at(0, 8), |l| l != 2), None);
    }

    #[test]
    fn a_word_cut_by_a_selection_is_taken_whole() {
        let text = "The hit rate, mostly";
        assert_eq!(word_start(text, 5), 4);
        assert_eq!(word_start(text, 4), 4);
        assert_eq!(word_start(text, 3), 3);
        assert_eq!(word_end_at(text, 6), 7);
        assert_eq!(word_end_at(text, 13), 13);
        assert_eq!(word_end_at(text, 16), text.len());
        assert_eq!(word_start("ééé x", 2), 0);
    }
}
