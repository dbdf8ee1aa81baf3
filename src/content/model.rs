//! The content model: a [`Library`] of [`Item`]s filed in a tree of [`Category`] nodes.
//!
//! Loaders (`loader`, `post`, `bookmarks`) build it; everything downstream (search, read state,
//! the reader, the CLI) only reads it. All text in it has already been sanitised, so no caller
//! has to remember to.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

pub use super::body::Body;
pub use super::date::Date;
pub use super::diagnostic::Diagnostic;

/// What an item is; decides how it is listed (posts newest first, bookmarks in document order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Post,
    Bookmark,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Post => "post",
            ItemKind::Bookmark => "bookmark",
        }
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Index of a category in [`Library::categories`]. Index 0 is the root ("All").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryId(pub usize);

/// Where an item came from, for diagnostics and for `quire show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    /// Path as the user knows it: `<root>/<relative path>`; shared by the items of a file.
    pub path: Arc<Path>,
    /// 1-based line of the item in that file (1 for posts).
    pub line: usize,
}

/// One readable thing: a post or a bookmark.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable, readable id (see `content::id`); read state is keyed on it.
    pub id: String,
    pub kind: ItemKind,
    pub title: String,
    pub url: Option<String>,
    pub date: Option<Date>,
    /// Order among undated posts (front matter `weight`, lower first).
    pub weight: Option<i64>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    /// One-line description (bookmarks) or summary (posts).
    pub description: Option<String>,
    /// The body, kept as markdown; rendered only when shown. Shared, so snapshots of a
    /// library still loading cost no copies; from the load cache, read when first wanted.
    pub body: Body,
    pub category: CategoryId,
    pub source: SourceRef,
}

impl Item {
    /// An item for a unit test: `id` is its title too, filed at the root, from `x.md`.
    #[cfg(test)]
    pub fn for_test(id: &str, kind: ItemKind, body: &str) -> Item {
        let source = SourceRef {
            path: std::path::Path::new("x.md").into(),
            line: 1,
        };
        Item::bare(
            id.into(),
            kind,
            id.into(),
            body.into(),
            CategoryId(0),
            source,
        )
    }

    /// An item of which only these are known: no link, date, authors, tags or description.
    pub fn bare(
        id: String,
        kind: ItemKind,
        title: String,
        body: Body,
        category: CategoryId,
        source: SourceRef,
    ) -> Item {
        Item {
            id,
            kind,
            title,
            url: None,
            date: None,
            weight: None,
            authors: Vec::new(),
            tags: Vec::new(),
            description: None,
            body,
            category,
            source,
        }
    }

    /// The link's site as the list shows it: host and port, without `www.`.
    pub fn url_site(&self) -> Option<&str> {
        let rest = self.url.as_deref()?.split_once("://")?.1;
        let site = rest.split(['/', '?', '#']).next()?;
        let site = site.strip_prefix("www.").unwrap_or(site);
        (!site.is_empty()).then_some(site)
    }

    /// The link's host, without port or `www.`: what search indexes for the link.
    pub fn url_host(&self) -> Option<&str> {
        let host = self.url_site()?.split(':').next()?;
        (!host.is_empty()).then_some(host)
    }
}

/// A node of the category tree.
#[derive(Debug, Clone)]
pub struct Category {
    pub name: String,
    pub description: Option<String>,
    pub parent: Option<CategoryId>,
    pub children: Vec<CategoryId>,
    /// Items filed directly here, in display order.
    pub items: Vec<usize>,
    /// Items here and in all descendants.
    pub total: usize,
}

/// Names from the root's child down to `id` in the tree `categories` (the root itself, "All",
/// is left out).
fn path_of(categories: &[Category], id: CategoryId) -> Vec<&str> {
    let mut path = Vec::new();
    let mut current = Some(id);
    // A tree is at most as deep as it has categories: a loop (a damaged cache's) ends there.
    while let Some(c) = current.filter(|_| path.len() < categories.len()) {
        if c == Library::ROOT {
            break;
        }
        let node = &categories[c.0];
        path.push(node.name.as_str());
        current = node.parent;
    }
    path.reverse();
    path
}

/// A library's items as a command reads them: every one decoded (a [`Library`]), or each one
/// decoded when first wanted (the load cache's `store::StoredItems`: a search ranks a few
/// hundred items of a hundred thousand, and decoding them all was a third of its time).
pub trait Items: Sync {
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i`, for `i < len()`.
    fn item(&self, i: usize) -> &Item;

    /// Item `i`'s id: known without decoding the rest of it.
    fn id(&self, i: usize) -> &str {
        &self.item(i).id
    }

    /// Item `i`'s link: known without decoding the rest of it.
    fn url(&self, i: usize) -> Option<&str> {
        self.item(i).url.as_deref()
    }

    /// The length of item `i`'s body: known without decoding the item or reading the body.
    fn body_len(&self, i: usize) -> usize {
        self.item(i).body.len()
    }

    fn categories(&self) -> &[Category];

    /// Index of the item with this id. Linear; callers that need many look-ups build a map.
    fn position(&self, id: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.id(i) == id)
    }

    /// Names from the root's child down to `id` (the root itself, "All", is left out).
    fn category_path(&self, id: CategoryId) -> Vec<&str> {
        path_of(self.categories(), id)
    }
}

impl Items for Library {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn item(&self, i: usize) -> &Item {
        &self.items[i]
    }

    fn categories(&self) -> &[Category] {
        &self.categories
    }
}

/// A shared library is read as it is (the reader's and the benches' libraries are shared).
impl<T: Items + Send + ?Sized> Items for std::sync::Arc<T> {
    fn len(&self) -> usize {
        (**self).len()
    }

    fn item(&self, i: usize) -> &Item {
        (**self).item(i)
    }

    fn id(&self, i: usize) -> &str {
        (**self).id(i)
    }

    fn url(&self, i: usize) -> Option<&str> {
        (**self).url(i)
    }

    fn body_len(&self, i: usize) -> usize {
        (**self).body_len(i)
    }

    fn categories(&self) -> &[Category] {
        (**self).categories()
    }

    fn position(&self, id: &str) -> Option<usize> {
        (**self).position(id)
    }
}

/// Everything loaded from the content roots.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub items: Vec<Item>,
    pub categories: Vec<Category>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Library {
    pub const ROOT: CategoryId = CategoryId(0);

    pub fn category(&self, id: CategoryId) -> &Category {
        &self.categories[id.0]
    }

    pub fn find(&self, id: &str) -> Option<&Item> {
        self.position(id).map(|i| &self.items[i])
    }

    /// Index of the item with this id. Linear; callers that need many look-ups build a map.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|item| item.id == id)
    }

    /// Names from the root's child down to `id` (the root itself, "All", is left out).
    pub fn category_path(&self, id: CategoryId) -> Vec<&str> {
        path_of(&self.categories, id)
    }

    /// Finds a category by a `/`-separated path of names (case-insensitive), e.g.
    /// `Bookmarks/Tech Insights from Bookmarks/Case Studies`. An empty path is the root. A
    /// name holding `/` (a browser folder "CI/CD") is written `CI\/CD`, as
    /// [`category_path_text`](Self::category_path_text) writes it, or as it is: `…/CI/CD`
    /// finds it too, when no path of other names does.
    pub fn category_by_path(&self, path: &str) -> Option<CategoryId> {
        let parts: Vec<String> = split_category_path(path)
            .into_iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        // Each level takes one part, or several joined by `/` when a name holds them. Each
        // (category, parts left) is tried once: folders of one name cannot make it costly.
        fn find(
            library: &Library,
            at: CategoryId,
            parts: &[String],
            tried: &mut std::collections::HashSet<(usize, usize)>,
        ) -> Option<CategoryId> {
            if parts.is_empty() {
                return Some(at);
            }
            if !tried.insert((at.0, parts.len())) {
                return None;
            }
            for take in 1..=parts.len() {
                let name = parts[..take].join("/");
                for &child in &library.category(at).children {
                    if library.category(child).name.trim().to_lowercase() == name
                        && let Some(found) = find(library, child, &parts[take..], tried)
                    {
                        return Some(found);
                    }
                }
            }
            None
        }
        // Paths of more parts than any tree is deep are not worth the search (nor the stack).
        if parts.len() > 64 {
            return None;
        }
        find(self, Self::ROOT, &parts, &mut Default::default())
    }

    /// A category's path as `--category` takes it and `quire categories` prints it: names
    /// joined by `/`, a `/` or `\` inside a name escaped with `\`.
    pub fn category_path_text(&self, id: CategoryId) -> String {
        self.category_path(id)
            .iter()
            .map(|name| name.replace('\\', "\\\\").replace('/', "\\/"))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Finds a category by its names from the root's child down (the form
    /// [`category_path`](Self::category_path) returns).
    pub fn category_by_names(&self, names: &[&str]) -> Option<CategoryId> {
        let mut current = Self::ROOT;
        for name in names {
            current = *self
                .category(current)
                .children
                .iter()
                .find(|c| self.category(**c).name == *name)?;
        }
        Some(current)
    }

    /// Item indices under `id` and all its descendants, in tree order (depth first).
    pub fn items_under(&self, id: CategoryId) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.category(id).total);
        self.collect_items(id, &mut out);
        out
    }

    fn collect_items(&self, id: CategoryId, out: &mut Vec<usize>) {
        let node = self.category(id);
        out.extend_from_slice(&node.items);
        for child in &node.children {
            self.collect_items(*child, out);
        }
    }

    /// Depth of a category: the root is 0.
    pub fn depth(&self, id: CategoryId) -> usize {
        let mut depth = 0;
        let mut current = self.category(id).parent;
        while let Some(c) = current {
            depth += 1;
            current = self.category(c).parent;
        }
        depth
    }

    pub fn count(&self, kind: ItemKind) -> usize {
        self.items.iter().filter(|i| i.kind == kind).count()
    }
}

/// A category path split at each `/` not escaped with `\`, the escapes undone.
pub fn split_category_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ ('/' | '\\')) => part.push(next),
                Some(other) => {
                    part.push('\\');
                    part.push(other);
                }
                None => part.push('\\'),
            },
            '/' => parts.push(std::mem::take(&mut part)),
            other => part.push(other),
        }
    }
    parts.push(part);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linked(url: &str) -> Item {
        Item {
            id: "x".into(),
            kind: ItemKind::Bookmark,
            title: "x".into(),
            url: Some(url.into()),
            date: None,
            weight: None,
            authors: Vec::new(),
            tags: Vec::new(),
            description: None,
            body: Body::default(),
            category: Library::ROOT,
            source: SourceRef {
                path: Arc::from(Path::new("x.md")),
                line: 1,
            },
        }
    }

    #[test]
    fn the_site_keeps_the_port_and_the_host_drops_it() {
        let item = linked("https://www.example.com:8443/path?q#top");
        assert_eq!(item.url_site(), Some("example.com:8443"));
        assert_eq!(item.url_host(), Some("example.com"));
        let item = linked("http://blog.example.org");
        assert_eq!(item.url_site(), Some("blog.example.org"));
        assert_eq!(item.url_host(), Some("blog.example.org"));
        for bad in ["example.com", "https://", "https:///path", "https://:80/"] {
            assert_eq!(linked(bad).url_host(), None, "{bad}");
        }
        assert_eq!(linked("https://:80/").url_site(), Some(":80"));
    }
}
