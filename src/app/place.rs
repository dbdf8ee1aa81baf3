//! Where the reader is, as a [`Place`] named by ids and category names: taken when the
//! library is replaced (a snapshot while loading) and put back on the new one, saved when the
//! reader moves to another item or quits, and restored at the next start.

use super::*;
use crate::state::{Pane, Place, Position, Timestamp};
use tree::{HIGHLIGHTS, STARRED, is_category};

/// How a place names the Starred and the Highlights nodes (names no category is likely to
/// have).
const STARRED_PLACE: &str = "★ Starred";
const HIGHLIGHTS_PLACE: &str = "✎ Highlights";

impl App {
    /// The reader's place now: selection, open folders, focus, and where each item shown was
    /// scrolled to (this run's, and the earlier runs' still remembered).
    pub fn place(&self) -> Place {
        let now = Timestamp::now();
        let lib = &self.library;
        let names = |c: CategoryId| -> Vec<String> {
            if c == STARRED {
                return vec![STARRED_PLACE.to_string()];
            }
            if c == HIGHLIGHTS {
                return vec![HIGHLIGHTS_PLACE.to_string()];
            }
            lib.category_path(c).iter().map(|s| s.to_string()).collect()
        };
        let mut place = self.place.clone();
        place.at = now.0;
        place.category = names(self.tree.selected_id());
        let mut expanded: Vec<Vec<String>> = self.tree.expanded.iter().map(|&c| names(c)).collect();
        expanded.sort();
        place.expanded = expanded;
        // Search is not a place: the list and focus it will close back to are, unless a
        // result is open in the body, which is where the reader is.
        let (focus, selected) = match &self.search {
            Some(_) if self.focus == Focus::Body => (Focus::Body, None),
            Some(panel) => (panel.saved.focus, Some(panel.saved.list_selected)),
            None => (self.focus, Some(self.list.selected)),
        };
        place.item = match selected {
            Some(row) => self.list.items.get(row).map(|&i| lib.items[i].id.clone()),
            None => self.selected_item().map(|i| lib.items[i].id.clone()),
        };
        place.focus = match focus {
            Focus::Tree => Pane::Tree,
            Focus::List => Pane::List,
            Focus::Body => Pane::Body,
        };
        (place.tree_width, place.list_width) = self.pane_user;
        if let (Some(PageKey::Item(i)), Some(page)) = (self.body.key, self.page())
            && (self.search.is_none() || self.focus == Focus::Body)
        {
            place.remember(Position {
                id: lib.items[i].id.clone(),
                line: self.body.scroll,
                width: page.width,
                lines: page.lines.len(),
                at: now.0,
            });
        }
        place
    }

    /// Puts the reader at `place` on the library it has; what vanished is skipped. Returns
    /// whether the place's item was found (it may come in a later snapshot while loading).
    pub(super) fn apply_place(&mut self, place: &Place) -> bool {
        let lib = Arc::clone(&self.library);
        let find = |path: &[String]| {
            if path == [STARRED_PLACE] {
                return Some(STARRED);
            }
            if path == [HIGHLIGHTS_PLACE] {
                return Some(HIGHLIGHTS);
            }
            let parts: Vec<&str> = path.iter().map(String::as_str).collect();
            lib.category_by_names(&parts)
        };
        let shown = self.tree.shown.take();
        let mut tree = Tree::new(&lib);
        tree.starred = self.reading.starred_counts().1 > 0;
        tree.highlights = self.reading.highlighted_counts().1 > 0;
        tree.expanded.extend(
            place
                .expanded
                .iter()
                .filter_map(|p| find(p))
                .filter(|c| is_category(*c)),
        );
        tree.rebuild(&lib);
        if let Some(id) = find(&place.category) {
            tree.reveal(&lib, id);
        }
        self.tree = tree;
        if shown.is_some() {
            let shown = (0..lib.categories.len())
                .map(|c| c == 0 || self.reading.unread_in(CategoryId(c)) > 0)
                .collect();
            self.tree.filter(&lib, Some(shown));
        }
        let reading = &self.reading;
        let selected = self.tree.selected_id();
        self.list = ItemList::unlisted(selected, self.list.sort, self.list.unread_only);
        self.list
            .show(&lib, selected, &|c| members(&lib, reading, c), &|i| {
                reading.is_read(i)
            });
        let position_in = |list: &ItemList| {
            place
                .item
                .as_ref()
                .and_then(|id| list.items.iter().position(|&i| lib.items[i].id == *id))
        };
        let mut found = position_in(&self.list);
        // An item opened from search may live outside the category selected: All holds it.
        if found.is_none()
            && place
                .item
                .as_deref()
                .is_some_and(|id| lib.position(id).is_some())
        {
            self.tree.selected = self
                .tree
                .rows
                .iter()
                .position(|r| r.id == Library::ROOT)
                .unwrap_or(0);
            let all = lib.items_under(Library::ROOT);
            self.list = ItemList::new(&lib, Library::ROOT, all, self.list.sort);
            found = position_in(&self.list);
        }
        if let Some(pos) = found {
            self.list.selected = pos;
        }
        found.is_some()
    }

    /// The selected item (a search result too) in its own category: the search closed, the
    /// tree at the category, the list at the item, to browse its neighbours.
    pub(super) fn reveal(&mut self) {
        let Some(i) = self.selected_item() else {
            return;
        };
        let lib = Arc::clone(&self.library);
        let item = &lib.items[i];
        if self.search.is_some() {
            self.close_search();
        }
        let mut place = self.place();
        place.category = lib
            .category_path(item.category)
            .iter()
            .map(|s| s.to_string())
            .collect();
        place.item = Some(item.id.clone());
        self.apply_place(&place);
        self.focus = Focus::List;
        self.chosen = true;
        self.sync();
        self.set_status(format!("In {}", place.category.join(" › ")), false);
    }

    /// A place from an earlier run, to put the reader at once the library holds its item
    /// (unless the user has moved first).
    pub fn restore_place(&mut self, place: Place) {
        self.pane_user = (place.tree_width, place.list_width);
        self.place = place.clone();
        self.place.category.clear();
        self.place.expanded.clear();
        self.place.item = None;
        self.pending_place = Some(place);
        self.apply_pending_place();
    }

    pub(super) fn apply_pending_place(&mut self) {
        let Some(place) = self.pending_place.take() else {
            return;
        };
        if self.library.items.is_empty() {
            self.pending_place = Some(place);
            return;
        }
        let found = self.apply_place(&place);
        self.chosen |= found;
        self.focus = match place.focus {
            Pane::Tree => Focus::Tree,
            Pane::List if found => Focus::List,
            Pane::Body if found => Focus::Body,
            _ => Focus::List,
        };
        // Not found yet while loading: try again with the next snapshot.
        if !found && self.loading.is_some() {
            self.pending_place = Some(place);
        }
        self.sync();
    }

    /// The place to save, when the reader has moved to another item or category since the
    /// last time it was asked.
    pub fn take_place(&mut self) -> Option<Place> {
        let now = (self.tree.selected_id(), self.body.key, self.focus);
        if self.pending_place.is_some() || self.last_saved_place == Some(now) {
            return None;
        }
        self.last_saved_place = Some(now);
        Some(self.place())
    }

    /// The position an earlier run left item `i` at.
    /// Where an earlier run left item `i`: the line, and the width and length of the page
    /// it was a line of.
    pub(super) fn remembered_position(&self, i: usize) -> Option<(usize, u16, usize)> {
        self.place
            .position(&self.library.items[i].id)
            .map(|p| (p.line, p.width, p.lines))
    }

    /// Notes where the body left an item, to save with the place.
    pub(super) fn left_item(&mut self, i: usize, line: usize, width: u16, lines: usize) {
        if let Some(item) = self.library.items.get(i) {
            self.place.remember(Position {
                id: item.id.clone(),
                line,
                width,
                lines,
                at: Timestamp::now().0,
            });
        }
    }
}
