//! The category tree pane's state: which nodes are open, the visible rows, the selection.

use std::collections::HashSet;

use crate::content::{CategoryId, Library};

/// The Starred node above All: not a category of the library but a view of the read state, so
/// it has a number no category can have. Everything that looks a category up by its number
/// asks [`is_category`] first.
pub const STARRED: CategoryId = CategoryId(usize::MAX);

/// The Highlights node, under Starred: the items holding a passage kept.
pub const HIGHLIGHTS: CategoryId = CategoryId(usize::MAX - 1);

/// Whether `id` is a category of the library (not the Starred or the Highlights node).
pub fn is_category(id: CategoryId) -> bool {
    id != STARRED && id != HIGHLIGHTS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRow {
    pub id: CategoryId,
    pub depth: usize,
    pub has_children: bool,
    pub expanded: bool,
}

#[derive(Debug, Clone)]
pub struct Tree {
    pub expanded: HashSet<CategoryId>,
    pub rows: Vec<TreeRow>,
    pub selected: usize,
    pub offset: usize,
    /// In the unread-only view, the categories shown (indexed by id); `None` shows all.
    pub shown: Option<Vec<bool>>,
    /// The Starred node is shown (something is starred).
    pub starred: bool,
    /// The Highlights node is shown (something is highlighted).
    pub highlights: bool,
}

impl Tree {
    /// Opens on "All" with its children shown.
    pub fn new(library: &Library) -> Tree {
        let mut tree = Tree {
            expanded: HashSet::from([Library::ROOT]),
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            shown: None,
            starred: false,
            highlights: false,
        };
        tree.rebuild(library);
        tree
    }

    pub fn selected_id(&self) -> CategoryId {
        self.rows.get(self.selected).map_or(Library::ROOT, |r| r.id)
    }

    /// Recomputes the visible rows, keeping the selected category selected (or, when it is
    /// hidden now, its nearest shown ancestor).
    pub fn rebuild(&mut self, library: &Library) {
        let keep = self.selected_id();
        self.rows.clear();
        for (shown, id) in [(self.starred, STARRED), (self.highlights, HIGHLIGHTS)] {
            if shown {
                self.rows.push(TreeRow {
                    id,
                    depth: 0,
                    has_children: false,
                    expanded: false,
                });
            }
        }
        self.push_rows(library, Library::ROOT, 0);
        let mut target = Some(keep);
        while let Some(id) = target {
            if let Some(i) = self.rows.iter().position(|r| r.id == id) {
                self.selected = i;
                return;
            }
            target = if is_category(id) {
                library.category(id).parent
            } else {
                Some(Library::ROOT)
            };
        }
        self.selected = 0;
    }

    /// Shows the Starred and the Highlights nodes or not; a change keeps the selection where
    /// it was.
    pub fn show_views(&mut self, library: &Library, starred: bool, highlights: bool) {
        if (self.starred, self.highlights) != (starred, highlights) {
            (self.starred, self.highlights) = (starred, highlights);
            self.rebuild(library);
        }
    }

    fn is_shown(&self, id: CategoryId) -> bool {
        self.shown
            .as_ref()
            .is_none_or(|shown| shown.get(id.0).copied().unwrap_or(true))
    }

    fn push_rows(&mut self, library: &Library, id: CategoryId, depth: usize) {
        let node = library.category(id);
        let has_children = node.children.iter().any(|c| self.is_shown(*c));
        let expanded = self.expanded.contains(&id) && has_children;
        self.rows.push(TreeRow {
            id,
            depth,
            has_children,
            expanded,
        });
        if expanded {
            for &child in &node.children {
                if self.is_shown(child) {
                    self.push_rows(library, child, depth + 1);
                }
            }
        }
    }

    /// Shows only the categories `shown` marks (the unread-only view), or all with `None`.
    pub fn filter(&mut self, library: &Library, shown: Option<Vec<bool>>) {
        self.shown = shown;
        self.rebuild(library);
    }

    /// Expands the selected node; false when there was nothing to expand.
    pub fn expand(&mut self, library: &Library) -> bool {
        let Some(row) = self.rows.get(self.selected).copied() else {
            return false;
        };
        if !row.has_children || row.expanded {
            return false;
        }
        self.expanded.insert(row.id);
        self.rebuild(library);
        true
    }

    /// Collapses the selected node, or, when it is closed, selects its parent.
    pub fn collapse_or_parent(&mut self, library: &Library) {
        let Some(row) = self.rows.get(self.selected).copied() else {
            return;
        };
        if row.expanded {
            self.expanded.remove(&row.id);
            self.rebuild(library);
        } else if is_category(row.id)
            && let Some(parent) = library.category(row.id).parent
        {
            self.selected = self.rows.iter().position(|r| r.id == parent).unwrap_or(0);
        }
    }

    pub fn toggle(&mut self, library: &Library) {
        let Some(row) = self.rows.get(self.selected).copied() else {
            return;
        };
        if row.expanded {
            self.expanded.remove(&row.id);
        } else if row.has_children {
            self.expanded.insert(row.id);
        }
        self.rebuild(library);
    }

    /// Opens every ancestor of `id` and selects it.
    pub fn reveal(&mut self, library: &Library, id: CategoryId) {
        let mut current = if is_category(id) {
            library.category(id).parent
        } else {
            None
        };
        while let Some(c) = current {
            self.expanded.insert(c);
            current = library.category(c).parent;
        }
        self.rebuild(library);
        if let Some(i) = self.rows.iter().position(|r| r.id == id) {
            self.selected = i;
        }
    }
}
