//! The article list pane's state: the items of the selected category and its descendants.

use crate::content::{CategoryId, ItemKind, Library};

#[derive(Debug, Clone)]
pub struct ItemList {
    pub category: CategoryId,
    /// Indices into `library.items`, in display order.
    pub items: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
}

impl ItemList {
    pub fn new(library: &Library, category: CategoryId) -> ItemList {
        ItemList {
            category,
            items: items_in_order(library, category),
            selected: 0,
            offset: 0,
        }
    }

    pub fn selected_item(&self) -> Option<usize> {
        self.items.get(self.selected).copied()
    }

    /// Shows another category, keeping the same item selected when it is still listed.
    pub fn show(&mut self, library: &Library, category: CategoryId) {
        if category == self.category {
            return;
        }
        let keep = self.selected_item();
        self.category = category;
        self.items = items_in_order(library, category);
        self.selected = keep
            .and_then(|k| self.items.iter().position(|&i| i == k))
            .unwrap_or(0);
        self.offset = 0;
    }
}

/// Posts newest first (undated last, by weight), then bookmarks in document order.
pub fn items_in_order(library: &Library, category: CategoryId) -> Vec<usize> {
    let mut items = library.items_under(category);
    items.sort_by(|&a, &b| {
        let (x, y) = (&library.items[a], &library.items[b]);
        match (x.kind, y.kind) {
            (ItemKind::Post, ItemKind::Post) => y
                .date
                .cmp(&x.date)
                .then_with(|| {
                    x.weight
                        .unwrap_or(i64::MAX)
                        .cmp(&y.weight.unwrap_or(i64::MAX))
                })
                .then_with(|| x.title.to_lowercase().cmp(&y.title.to_lowercase())),
            (ItemKind::Post, ItemKind::Bookmark) => std::cmp::Ordering::Less,
            (ItemKind::Bookmark, ItemKind::Post) => std::cmp::Ordering::Greater,
            (ItemKind::Bookmark, ItemKind::Bookmark) => {
                (&x.source.path, x.source.line).cmp(&(&y.source.path, y.source.line))
            }
        }
    });
    items
}
