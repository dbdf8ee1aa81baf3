//! Read marks and stars as the reader needs them: flags per item, unread counts per category
//! kept up to date as marks change, and one undo history for both.

use std::collections::HashMap;

use super::MarkRead;
use crate::content::{CategoryId, Library};
use crate::state::{Highlight, ReadState, Timestamp};

/// Which of an item's flags a change is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Read,
    Star,
}

/// How many markings `u` can undo.
const UNDO_DEPTH: usize = 100;

#[derive(Debug)]
pub struct Reading {
    pub state: ReadState,
    pub mode: MarkRead,
    read: Vec<bool>,
    starred: Vec<bool>,
    /// Items holding a highlight.
    highlighted: Vec<bool>,
    /// Bumped at every change of a highlight, so pages showing them are laid out again.
    pub highlights_version: u64,
    /// Unread items in each category's subtree.
    unread: Vec<usize>,
    /// Steps to undo: each change (by item id, which outlives a reload) with what the flag
    /// was before.
    undo: Vec<Vec<(String, Flag, bool)>>,
    dirty: bool,
    /// Bumped at every change of a flag, so what shows counts (a category page) knows to be
    /// laid out again.
    pub version: u64,
}

impl Reading {
    pub fn new(library: &Library, state: ReadState, mode: MarkRead) -> Reading {
        let read: Vec<bool> = library
            .items
            .iter()
            .map(|item| state.is_read(&item.id))
            .collect();
        let starred: Vec<bool> = library
            .items
            .iter()
            .map(|item| state.is_starred(&item.id))
            .collect();
        let with_highlights: std::collections::HashSet<&str> =
            state.highlights().map(|(_, h)| h.item.as_str()).collect();
        let highlighted: Vec<bool> = if with_highlights.is_empty() {
            vec![false; library.items.len()]
        } else {
            library
                .items
                .iter()
                .map(|item| with_highlights.contains(item.id.as_str()))
                .collect()
        };
        let mut unread = vec![0; library.categories.len()];
        for (index, item) in library.items.iter().enumerate() {
            if !read[index] {
                let mut current = Some(item.category);
                while let Some(c) = current {
                    unread[c.0] += 1;
                    current = library.category(c).parent;
                }
            }
        }
        Reading {
            state,
            mode,
            read,
            starred,
            highlighted,
            highlights_version: 0,
            unread,
            undo: Vec::new(),
            dirty: false,
            version: 0,
        }
    }

    pub fn is_read(&self, item: usize) -> bool {
        self.read.get(item).copied().unwrap_or(false)
    }

    /// Read or not, by item number.
    pub fn flags(&self) -> &[bool] {
        &self.read
    }

    pub fn is_starred(&self, item: usize) -> bool {
        self.starred.get(item).copied().unwrap_or(false)
    }

    /// Starred or not, by item number.
    pub fn star_flags(&self) -> &[bool] {
        &self.starred
    }

    /// Stars `item` or takes its star off, as one undoable step; returns whether it is starred.
    pub fn toggle_star(&mut self, library: &Library, item: usize) -> bool {
        let now = Timestamp::now();
        let was = self.starred[item];
        self.apply_star(library, item, !was, now);
        self.push_step(vec![(library.items[item].id.clone(), Flag::Star, was)]);
        !was
    }

    /// The starred items, by number.
    pub fn starred(&self) -> Vec<usize> {
        flagged(&self.starred)
    }

    /// (unread, all) of the starred items.
    pub fn starred_counts(&self) -> (usize, usize) {
        self.counts(&self.starred)
    }

    /// (unread, all) of the items `flags` says yes for.
    fn counts(&self, flags: &[bool]) -> (usize, usize) {
        let all = flags.iter().filter(|f| **f).count();
        let unread = flags
            .iter()
            .zip(&self.read)
            .filter(|(f, read)| **f && !**read)
            .count();
        (unread, all)
    }

    /// Holding a highlight or not, by item number.
    pub fn highlighted_flags(&self) -> &[bool] {
        &self.highlighted
    }

    /// The items holding a highlight, by number.
    pub fn highlighted(&self) -> Vec<usize> {
        flagged(&self.highlighted)
    }

    /// (unread, all) of the items holding a highlight.
    pub fn highlighted_counts(&self) -> (usize, usize) {
        self.counts(&self.highlighted)
    }

    /// The highlights of the item with id `id` (not removed ones), oldest first, with their
    /// keys.
    pub fn highlights_of(&self, id: &str) -> Vec<(&str, &Highlight)> {
        let mut of: Vec<(&str, &Highlight)> = self
            .state
            .highlights()
            .filter(|(_, h)| h.item == id)
            .collect();
        of.sort_by(|a, b| (a.1.created, a.0).cmp(&(b.1.created, b.0)));
        of
    }

    /// Keeps a new highlight of `item`.
    pub fn keep(&mut self, item: usize, highlight: Highlight) {
        self.state.put_highlight(highlight.id(), highlight);
        self.dirty = true;
        self.highlights_version += 1;
        if let Some(flag) = self.highlighted.get_mut(item) {
            *flag = true;
        }
    }

    /// Removes the highlights under `keys` from `item` (recorded as removed, so the removal
    /// wins over another machine's older copy).
    pub fn remove_highlights(&mut self, library: &Library, item: usize, keys: &[String]) {
        let now = Timestamp::now();
        for key in keys {
            let Some((_, h)) = self.state.highlights().find(|(k, _)| k == key) else {
                continue;
            };
            let removed = Highlight {
                removed: true,
                at: now,
                ..h.clone()
            };
            self.state.put_highlight(key.clone(), removed);
        }
        self.dirty = true;
        self.highlights_version += 1;
        let id = &library.items[item].id;
        self.highlighted[item] = self.state.highlights().any(|(_, h)| &h.item == id);
    }

    fn apply_star(&mut self, library: &Library, item: usize, on: bool, at: Timestamp) {
        self.state.set_star(&library.items[item].id, on, at);
        self.dirty = true;
        if self.starred[item] != on {
            self.starred[item] = on;
            self.version += 1;
        }
    }

    fn push_step(&mut self, step: Vec<(String, Flag, bool)>) {
        if step.is_empty() {
            return;
        }
        self.undo.push(step);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    pub fn unread_in(&self, category: CategoryId) -> usize {
        self.unread.get(category.0).copied().unwrap_or(0)
    }

    /// Marks `items` read or unread as one undoable step; returns how many changed.
    pub fn set(&mut self, library: &Library, items: &[usize], read: bool) -> usize {
        let now = Timestamp::now();
        let mut step = Vec::new();
        for &item in items {
            if self.read[item] != read {
                step.push((library.items[item].id.clone(), Flag::Read, self.read[item]));
                self.apply(library, item, read, now);
            }
        }
        let changed = step.len();
        self.push_step(step);
        changed
    }

    /// Reverts the last step; returns how many items it touched, or `None` with nothing to undo.
    pub fn undo(&mut self, library: &Library) -> Option<usize> {
        let step = self.undo.pop()?;
        // Restoring is a new change with a new time, so it also wins a merge with the state
        // saved before the undo.
        let now = Timestamp::now();
        let index: HashMap<&str, usize> = if step.len() > 8 {
            library
                .items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.id.as_str(), i))
                .collect()
        } else {
            HashMap::new()
        };
        for (id, flag, was) in &step {
            let item = match index.get(id.as_str()) {
                Some(&i) => Some(i),
                None if index.is_empty() => library.position(id),
                None => None,
            };
            match (item, flag) {
                (Some(item), Flag::Read) => self.apply(library, item, *was, now),
                (Some(item), Flag::Star) => self.apply_star(library, item, *was, now),
                // Gone from the library since (a reload): its mark is kept all the same.
                (None, Flag::Read) => {
                    self.state.set(id, *was, now);
                }
                (None, Flag::Star) => {
                    self.state.set_star(id, *was, now);
                }
            }
        }
        self.dirty = true;
        Some(step.len())
    }

    fn apply(&mut self, library: &Library, item: usize, read: bool, at: Timestamp) {
        self.state.set(&library.items[item].id, read, at);
        self.dirty = true;
        self.set_flag(library, item, read);
    }

    fn set_flag(&mut self, library: &Library, item: usize, read: bool) {
        if self.read[item] == read {
            return;
        }
        self.version += 1;
        self.read[item] = read;
        let mut current = Some(library.items[item].category);
        while let Some(c) = current {
            if read {
                self.unread[c.0] -= 1;
            } else {
                self.unread[c.0] += 1;
            }
            current = library.category(c).parent;
        }
    }

    /// Takes marks from a merged state (another process's marks); they are not undoable.
    pub fn adopt(&mut self, library: &Library, merged: &ReadState) -> usize {
        let crate::state::read_state::Merged {
            read: changed,
            starred: stars,
            highlighted,
        } = self.state.merge_all(merged);
        if changed.is_empty() && stars.is_empty() && highlighted.is_empty() {
            return 0;
        }
        let index: HashMap<&str, usize> = library
            .items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.as_str(), i))
            .collect();
        for id in stars {
            if let Some(&item) = index.get(id.as_str()) {
                self.starred[item] = self.state.is_starred(&id);
                self.version += 1;
            }
        }
        if !highlighted.is_empty() {
            self.highlights_version += 1;
        }
        for id in highlighted {
            if let Some(&item) = index.get(id.as_str()) {
                self.highlighted[item] = self.state.highlights().any(|(_, h)| h.item == id);
            }
        }
        let mut count = 0;
        for id in changed {
            let Some(&item) = index.get(id.as_str()) else {
                continue;
            };
            let read = self.state.is_read(&id);
            if self.read[item] != read {
                // The state already holds the other process's mark and time; nothing to save.
                self.set_flag(library, item, read);
                count += 1;
            }
        }
        count
    }

    /// Recomputes flags and counts for another library (a reload), keeping every mark, the
    /// unsaved changes and what `u` can undo (kept by id).
    pub fn replace_library(&mut self, library: &Library) {
        let state = std::mem::take(&mut self.state);
        let (dirty, undo, version) = (self.dirty, std::mem::take(&mut self.undo), self.version);
        let highlights_version = self.highlights_version;
        *self = Reading::new(library, state, self.mode);
        self.dirty = dirty;
        self.undo = undo;
        self.version = version + 1;
        self.highlights_version = highlights_version + 1;
    }

    /// A copy of the state to save, when it changed since the last call.
    pub fn take_changes(&mut self) -> Option<ReadState> {
        if !self.dirty {
            return None;
        }
        self.dirty = false;
        Some(self.state.clone())
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }
}

/// The items `flags` says yes for, by number.
fn flagged(flags: &[bool]) -> Vec<usize> {
    (0..flags.len()).filter(|&i| flags[i]).collect()
}
