//! The article list pane's state: the items of the selected category and its descendants.

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
    pub same_title: foldhash::HashSet<usize>,
    /// Of those, the ones whose same-title items are in other categories than theirs: their
    /// category tells them apart (else their file does).
    pub twins_apart: foldhash::HashSet<usize>,
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
        let Measured {
            same_title,
            twins_apart,
            widest,
        } = measure(library, &items);
        ItemList {
            category,
            items,
            selected: 0,
            offset: 0,
            sort,
            unread_only: false,
            same_title,
            twins_apart,
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
            twins_apart: Default::default(),
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
        let measured = measure(library, &items);
        self.same_title = measured.same_title;
        self.twins_apart = measured.twins_apart;
        self.widest = measured.widest;
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

/// What listing `items` needs to know of them all: which have a title (ignoring case)
/// another of them has too, and the columns the widest row asks for (its marker, its title
/// whole, then its date (a post) or its site (a bookmark, up to 24 columns), or for one of a
/// title others have too where it is from (up to 32), inside the pane's borders).
///
/// One pass, over the items in library order (a list of All is 100,000 items, and reading
/// them in the order the list shows them reads memory at random).
fn measure(library: &Library, items: &[usize]) -> Measured {
    use crate::render::wrap::display_width;
    let mut order = items.to_vec();
    order.sort_unstable();
    // Titles are told apart by a hash of their lowercased letters (no lowercased copy of
    // each), and compared letter by letter when two hash alike.
    let mut first: foldhash::HashMap<u64, usize> = foldhash::HashMap::default();
    let mut collided: std::collections::HashMap<String, usize> = Default::default();
    let mut same = foldhash::HashSet::default();
    // Each twin with the first item of its title, and the titles found in several categories.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut apart: foldhash::HashSet<usize> = foldhash::HashSet::default();
    // Each item's width with its own metadata, and with the 33 columns of a twin's.
    let mut widths: Vec<(usize, usize)> = Vec::with_capacity(order.len());
    for &i in &order {
        let item = &library.items[i];
        let title = &item.title;
        let base = 2 + display_width(title) + 2;
        let meta = match item.kind {
            ItemKind::Post => item.date.map_or(0, |_| 11),
            ItemKind::Bookmark => item.url_site().map_or(0, |s| display_width(s).min(24) + 1),
        };
        widths.push((base + meta, base + 33));
        let other = match first.entry(lowercase_hash(title)) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(i);
                continue;
            }
            std::collections::hash_map::Entry::Occupied(slot) => *slot.get(),
        };
        let other = if same_ignoring_case(&library.items[other].title, title) {
            Some(other)
        } else {
            // Two titles with one hash: rare enough to compare as lowercased copies.
            match collided.entry(title.to_lowercase()) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                    None
                }
                std::collections::hash_map::Entry::Occupied(slot) => Some(*slot.get()),
            }
        };
        if let Some(other) = other {
            if same.insert(other) {
                groups.push((other, other));
            }
            same.insert(i);
            groups.push((i, other));
            if library.items[other].category != item.category {
                apart.insert(other);
            }
        }
    }
    let widest = order
        .iter()
        .zip(&widths)
        .map(|(i, &(own, twin))| if same.contains(i) { twin } else { own })
        .max()
        .unwrap_or(0);
    let twins_apart = groups
        .into_iter()
        .filter(|(_, group)| apart.contains(group))
        .map(|(i, _)| i)
        .collect();
    Measured {
        same_title: same,
        twins_apart,
        widest: widest.min(usize::from(u16::MAX)) as u16,
    }
}

/// What listing items needs to know of them all (see [`measure`]).
struct Measured {
    same_title: foldhash::HashSet<usize>,
    twins_apart: foldhash::HashSet<usize>,
    widest: u16,
}

fn lowercase_hash(text: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::fast::FixedState::default().build_hasher();
    with_lowercase(text, |bytes| {
        let mut chunk = [0u8; 64];
        let mut n = 0;
        for b in bytes {
            chunk[n] = b;
            n += 1;
            if n == chunk.len() {
                hasher.write(&chunk);
                n = 0;
            }
        }
        hasher.write(&chunk[..n]);
    });
    hasher.finish()
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    with_lowercase(a, |a| with_lowercase(b, |b| a.eq(b)))
}

/// Calls `f` with the bytes of `text` lowercased (as `str::to_lowercase` gives them): no copy
/// made of an ASCII text, the most of titles.
fn with_lowercase<R>(text: &str, f: impl FnOnce(&mut dyn Iterator<Item = u8>) -> R) -> R {
    if text.is_ascii() {
        f(&mut text.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        f(&mut text.to_lowercase().bytes())
    }
}

/// `items` in the configured order: posts newest first by default (undated last, by weight),
/// then bookmarks in document order.
pub fn items_in_order(library: &Library, items: Vec<usize>, sort: SortOrder) -> Vec<usize> {
    // What decides the order is gathered beside each item first (one pass over the items,
    // then a sort over a compact array); titles are compared lowercased only when all else
    // ties, letter by letter, with no lowercased copy made.
    let mut keyed: Vec<(Key, usize)> = items
        .into_iter()
        .map(|i| (Key::of(&library.items[i], sort), i))
        .collect();
    let title = |i: usize| library.items[i].title.as_str();
    keyed.sort_by(|(a, i), (b, j)| {
        a.cmp(b).then_with(|| {
            // Equal keys are of the same kind, and posts' titles of the same first letters.
            if a.post {
                with_lowercase(title(*i), |x| with_lowercase(title(*j), |y| x.cmp(y)))
            } else {
                // Bookmarks: the library holds items in file order, then line order.
                i.cmp(j)
            }
        })
    });
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// An item's place in a list, but for its title: posts before bookmarks; posts by date (as
/// `sort` says; undated last) and weight; bookmarks as they come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Bookmarks after posts: `false` sorts first, so this is "is a bookmark".
    bookmark: bool,
    /// The date as the order wants it (its reverse for newest first), undated last.
    date: (bool, i64),
    weight: i64,
    /// A post's lowercased title's first 8 bytes, big end first: most ties on the date are
    /// told apart without looking at the titles (comparing UTF-8 bytes orders as the
    /// letters do; a shorter title is a prefix padded with zeros, and sorts first).
    title: u64,
    post: bool,
}

impl Key {
    fn of(item: &Item, sort: SortOrder) -> Key {
        let post = item.kind == ItemKind::Post;
        let weight = item.weight.unwrap_or(i64::MAX);
        let day = item
            .date
            .map(|d| (i64::from(d.year) << 9) | (i64::from(d.month) << 5) | i64::from(d.day));
        let (date, weight) = match (post, sort) {
            (false, _) | (true, SortOrder::Title) => ((false, 0), 0),
            (true, SortOrder::NewestFirst) => ((day.is_none(), day.map_or(0, |d| -d)), weight),
            // Oldest first: undated posts last, by weight.
            (true, SortOrder::OldestFirst) => match day {
                Some(d) => ((false, d), 0),
                None => ((true, 0), weight),
            },
        };
        let title = if post {
            with_lowercase(&item.title, |bytes| {
                bytes
                    .take(8)
                    .enumerate()
                    .fold(0u64, |key, (n, b)| key | u64::from(b) << (56 - 8 * n))
            })
        } else {
            0
        };
        Key {
            bookmark: !post,
            date,
            weight,
            title,
            post,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::content::{Date, SourceRef};

    fn item(
        n: usize,
        title: &str,
        kind: ItemKind,
        date: Option<Date>,
        weight: Option<i64>,
    ) -> Item {
        Item {
            id: format!("i{n}"),
            kind,
            title: title.to_string(),
            url: (kind == ItemKind::Bookmark).then(|| format!("https://site{n}.example/")),
            date,
            weight,
            authors: Vec::new(),
            tags: Vec::new(),
            description: None,
            body: Default::default(),
            category: Library::ROOT,
            source: SourceRef {
                path: Arc::from(Path::new("x.md")),
                line: n,
            },
        }
    }

    /// The order as it was first written: every comparison reads both items and compares
    /// their titles lowercased whole.
    fn reference(library: &Library, items: Vec<usize>, sort: SortOrder) -> Vec<usize> {
        let mut items = items;
        let by_weight = |x: &Item, y: &Item| {
            x.weight
                .unwrap_or(i64::MAX)
                .cmp(&y.weight.unwrap_or(i64::MAX))
        };
        items.sort_by(|&a, &b| {
            let (x, y) = (&library.items[a], &library.items[b]);
            let by_title = || x.title.to_lowercase().cmp(&y.title.to_lowercase());
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
                (ItemKind::Bookmark, ItemKind::Bookmark) => a.cmp(&b),
            }
        });
        items
    }

    /// Titles that tie on their first bytes, differ only in case, in script (a Kelvin sign
    /// lowercases to `k`, a final sigma), in length, on days shared and not, with weights.
    fn library() -> Library {
        let titles = [
            "Alpha",
            "alpha",
            "ALPHA beta",
            "Alphabet soup",
            "alphabet",
            "Ab",
            "ab",
            "abc",
            "\u{212a}afka",
            "kafka",
            "Kafka streams",
            "ΟΔΟΣ",
            "οδος",
            "Ödön",
            "ödön",
            "zeta",
            "Zeta",
            "",
            "日本語のタイトル",
            "日本",
        ];
        let mut library = Library::empty();
        let mut n = 0;
        for (t, title) in titles.iter().enumerate() {
            for variant in 0..4 {
                let date = match variant {
                    0 => Date::new(2024, 1, 1),
                    1 => Date::new(2024, 1 + (t % 12) as u8, 1),
                    _ => None,
                };
                let weight = (variant == 3).then_some((t % 3) as i64);
                let kind = if t % 5 == 4 {
                    ItemKind::Bookmark
                } else {
                    ItemKind::Post
                };
                library.items.push(item(n, title, kind, date, weight));
                n += 1;
            }
        }
        // Ones whose only twin differs in case, or that have none.
        for title in ["Once", "ONCE", "Solo", "\u{212a}elvin", "kelvin"] {
            let date = Date::new(2023, 5, 5);
            library
                .items
                .push(item(n, title, ItemKind::Post, date, None));
            n += 1;
        }
        library
    }

    #[test]
    fn lists_sort_as_comparing_whole_lowercased_titles_would() {
        let library = library();
        let all: Vec<usize> = (0..library.items.len()).rev().collect();
        for sort in [
            SortOrder::NewestFirst,
            SortOrder::OldestFirst,
            SortOrder::Title,
        ] {
            assert_eq!(
                items_in_order(&library, all.clone(), sort),
                reference(&library, all.clone(), sort),
                "{sort:?}"
            );
        }
    }

    #[test]
    fn twins_are_titles_equal_ignoring_case_in_any_script() {
        let library = library();
        let all: Vec<usize> = (0..library.items.len()).collect();
        let Measured {
            same_title: same,
            widest,
            ..
        } = measure(&library, &all);
        for (i, a) in library.items.iter().enumerate() {
            let twin = library
                .items
                .iter()
                .enumerate()
                .any(|(j, b)| j != i && a.title.to_lowercase() == b.title.to_lowercase());
            assert_eq!(same.contains(&i), twin, "{:?}", a.title);
        }
        assert!(same.contains(&(library.items.len() - 1)), "kelvin");
        assert!(!same.contains(&(library.items.len() - 3)), "solo");
        // The longest title has four items, twins: the widest is a twin's row.
        let longest = library
            .items
            .iter()
            .map(|i| crate::render::wrap::display_width(&i.title))
            .max()
            .unwrap_or(0);
        assert_eq!(usize::from(widest), 2 + longest + 2 + 33);
    }
}
