//! The article list pane's state: the items of the selected category and its descendants.

use std::cmp::Ordering;

use super::SortOrder;
use crate::content::{CategoryId, Item, ItemKind, Library};

#[derive(Debug, Clone)]
pub struct ItemList {
    pub category: CategoryId,
    /// Indices into `library.items`, in display order.
    pub items: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub sort: SortOrder,
    /// Listing only unread items (the unread-only view).
    pub unread_only: bool,
    /// Items whose title another item of the list has too: they show where they are from.
    pub same_title: std::collections::HashSet<usize>,
    /// The columns the widest row asks for (marker, title, date or site, borders).
    pub widest: u16,
    /// Set when the listing must be recomputed even for the same category.
    stale: bool,
}

impl ItemList {
    /// The list of `category`, whose items are `members` (in any order).
    pub fn new(
        library: &Library,
        category: CategoryId,
        members: Vec<usize>,
        sort: SortOrder,
    ) -> ItemList {
        let items = items_in_order(library, members, sort);
        let same_title = same_titles(library, &items);
        let widest = widest(library, &items, &same_title);
        ItemList {
            category,
            items,
            selected: 0,
            offset: 0,
            sort,
            unread_only: false,
            same_title,
            widest,
            stale: false,
        }
    }

    /// A list of `category` not computed yet: the next [`show`](Self::show) lists it.
    pub fn unlisted(category: CategoryId, sort: SortOrder, unread_only: bool) -> ItemList {
        ItemList {
            category,
            items: Vec::new(),
            selected: 0,
            offset: 0,
            sort,
            unread_only,
            same_title: Default::default(),
            widest: 0,
            stale: true,
        }
    }

    pub fn selected_item(&self) -> Option<usize> {
        self.items.get(self.selected).copied()
    }

    /// Lists `category`, keeping the same item selected when it is still listed. Does nothing
    /// for the category already listed unless [`invalidate`](Self::invalidate) was called.
    /// In the unread-only view, `is_read` filters; an item read later stays until the list is
    /// rebuilt, so the row being read does not vanish under the cursor.
    pub fn show(
        &mut self,
        library: &Library,
        category: CategoryId,
        members: &dyn Fn(CategoryId) -> Vec<usize>,
        is_read: &dyn Fn(usize) -> bool,
    ) {
        let same = category == self.category;
        if same && !self.stale {
            return;
        }
        self.stale = false;
        let keep = self.selected_item();
        self.category = category;
        let mut items = items_in_order(library, members(category), self.sort);
        if self.unread_only {
            items.retain(|&i| !is_read(i) || (same && Some(i) == keep));
        }
        self.same_title = same_titles(library, &items);
        self.widest = widest(library, &items, &self.same_title);
        self.items = items;
        self.selected = keep
            .and_then(|k| self.items.iter().position(|&i| i == k))
            .unwrap_or(0);
        if !same {
            self.offset = 0;
        }
    }

    /// Makes the next [`show`](Self::show) recompute the listing.
    pub fn invalidate(&mut self) {
        self.stale = true;
    }
}

/// The columns the widest row of `items` asks for: its marker, its title whole, then its date
/// (a post) or its site (a bookmark, up to 24 columns), or for one of a title others have
/// too where it is from (up to 32), inside the pane's borders.
fn widest(
    library: &Library,
    items: &[usize],
    same_title: &std::collections::HashSet<usize>,
) -> u16 {
    use crate::render::wrap::display_width;
    let widest = items
        .iter()
        .map(|&i| {
            let item = &library.items[i];
            let meta = match item.kind {
                _ if same_title.contains(&i) => 33,
                ItemKind::Post => item.date.map_or(0, |_| 11),
                ItemKind::Bookmark => item.url_site().map_or(0, |s| display_width(s).min(24) + 1),
            };
            2 + display_width(&item.title) + meta + 2
        })
        .max()
        .unwrap_or(0);
    widest.min(usize::from(u16::MAX)) as u16
}

/// The items of `items` whose title (ignoring case) another of them has too.
fn same_titles(library: &Library, items: &[usize]) -> std::collections::HashSet<usize> {
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut same = std::collections::HashSet::new();
    for &i in items {
        let title = library.items[i].title.to_lowercase();
        match first.get(&title) {
            Some(&other) => {
                same.insert(other);
                same.insert(i);
            }
            None => {
                first.insert(title, i);
            }
        }
    }
    same
}

/// `items` in the configured order: posts newest first by default (undated last, by weight),
/// then bookmarks in document order.
pub fn items_in_order(library: &Library, items: Vec<usize>, sort: SortOrder) -> Vec<usize> {
    // Titles are compared lowercased, and often (posts of the same day): each is lowercased
    // once, beside its item, rather than at every comparison.
    let mut keyed: Vec<(usize, String)> = items
        .into_iter()
        .map(|i| {
            let item = &library.items[i];
            let title = match item.kind {
                ItemKind::Post => item.title.to_lowercase(),
                ItemKind::Bookmark => String::new(),
            };
            (i, title)
        })
        .collect();
    let by_weight = |x: &Item, y: &Item| {
        x.weight
            .unwrap_or(i64::MAX)
            .cmp(&y.weight.unwrap_or(i64::MAX))
    };
    keyed.sort_by(|(a, a_title), (b, b_title)| {
        let (x, y) = (&library.items[*a], &library.items[*b]);
        let by_title = || a_title.cmp(b_title);
        match (x.kind, y.kind) {
            (ItemKind::Post, ItemKind::Post) => match sort {
                SortOrder::NewestFirst => y
                    .date
                    .cmp(&x.date)
                    .then_with(|| by_weight(x, y))
                    .then_with(by_title),
                SortOrder::OldestFirst => match (x.date, y.date) {
                    (Some(a), Some(b)) => a.cmp(&b),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => by_weight(x, y),
                }
                .then_with(by_title),
                SortOrder::Title => by_title(),
            },
            (ItemKind::Post, ItemKind::Bookmark) => Ordering::Less,
            (ItemKind::Bookmark, ItemKind::Post) => Ordering::Greater,
            // The library holds items in file order, then line order: document order.
            (ItemKind::Bookmark, ItemKind::Bookmark) => a.cmp(b),
        }
    });
    keyed.into_iter().map(|(i, _)| i).collect()
}
