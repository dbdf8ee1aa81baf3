//! Parsed documents → a [`Library`]: the category tree, items filed in it, ids made unique.
//!
//! Posts sit under their folder (named by its `_index.md`), and under their `category` inside
//! it; a collection is a node named by its title under its folder, with its headings beneath.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::diagnostic::Diagnostic;
use super::document::{CollectionDoc, Document, Post};
use super::id::{bookmark_id, path_id};
use super::model::{Category, CategoryId, Item, ItemKind, Library, SourceRef};
use super::site::Site;
use super::source::SourceFile;
use crate::text::{sanitize, sanitize_line};

/// A file after parsing, ready to be filed.
pub struct LoadedFile {
    pub source: SourceFile,
    pub document: Option<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Library {
    /// A library with nothing in it but its root, "All".
    pub fn empty() -> Library {
        assemble(&[], &[])
    }
}

/// Builds the library from files in (root, path) order; that order decides which of two
/// clashing ids keeps the plain one. Borrows the files, so a library still loading can be
/// assembled again and again as more arrive (bodies are shared, not copied).
pub fn assemble<'f, I>(files: I, diagnostics: &[Diagnostic]) -> Library
where
    I: IntoIterator<Item = &'f LoadedFile> + Clone,
{
    let mut diagnostics = diagnostics.to_vec();
    let mut tree = Tree::new();
    let mut sites = Sites::default();
    // Roots given together: each site's pages go under a node of its own, named by its title
    // (two sites' sections are not mixed into one top level).
    tree.several_roots = files
        .clone()
        .into_iter()
        .map(|f| f.source.root)
        .collect::<HashSet<_>>()
        .len()
        > 1;
    // Folders whose section says no page below is rendered (Hugo's `cascade`).
    let mut hidden_below: Vec<String> = Vec::new();
    for file in files.clone() {
        if let Some(Document::Section {
            title,
            description,
            hides_below,
        }) = &file.document
        {
            let dir = tree.key(&mut sites, &file.source, &file.source.relative);
            if *hides_below {
                hidden_below.push(dir.clone());
            }
            let node = tree.folder(&dir);
            let title = title
                .as_deref()
                .map(sanitize_line)
                .filter(|t| !t.is_empty());
            if let Some(title) = title {
                if node == Library::ROOT {
                    // The root's own title names the posts at the top (a Zola blog's).
                    tree.top_posts = Some(title);
                } else {
                    tree.nodes[node.0].name = title;
                }
            }
            if let Some(description) = description {
                tree.nodes[node.0].description = Some(sanitize(description).into_owned());
            }
        }
    }
    let mut items = Vec::new();
    for file in files {
        diagnostics.extend(file.diagnostics.iter().cloned());
        match &file.document {
            Some(Document::Post(_))
                if !hidden_below.is_empty()
                    && is_below(
                        &tree.key(&mut sites, &file.source, &file.source.relative),
                        &hidden_below,
                    ) => {}
            Some(Document::Post(post)) => {
                items.push(file_post(&mut tree, &mut sites, &file.source, post))
            }
            Some(Document::Collection(doc)) => {
                let folder = tree.key(&mut sites, &file.source, &file.source.relative);
                file_collection(&mut tree, &folder, &file.source, doc, &mut items)
            }
            Some(Document::Section { .. } | Document::Hidden(_)) | None => {}
        }
    }
    make_ids_unique(&mut items, &mut diagnostics);
    diagnostics.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    tree.into_library(items, diagnostics)
}

/// Whether the folder `key` is one of `folders` or inside one.
fn is_below(key: &str, folders: &[String]) -> bool {
    folders.iter().any(|folder| {
        folder.is_empty()
            || key == folder
            || key
                .strip_prefix(folder.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The name of a root's folder (of the site, for a site's `content` folder).
fn root_name(source: &SourceFile) -> String {
    let depth = source.relative.components().count();
    let mut root = source.display.ancestors().nth(depth);
    if root
        .and_then(Path::file_name)
        .is_some_and(|n| n == "content")
    {
        root = root.and_then(Path::parent);
    }
    root.and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Site".to_string())
}

/// The site each root is, looked up once per assembly.
#[derive(Default)]
struct Sites(HashMap<usize, Option<Site>>);

impl Sites {
    fn of(&mut self, source: &SourceFile) -> Option<&Site> {
        self.0
            .entry(source.root)
            .or_insert_with(|| {
                // The bundled library is no site (and whatever folder Quire runs in is none of
                // its business).
                if source.is_bundled() {
                    return None;
                }
                // The root's folder: the file's path less its path under the root.
                let depth = source.relative.components().count();
                let root = source.display.ancestors().nth(depth)?;
                Site::detect(root)
            })
            .as_ref()
    }
}

fn file_post(tree: &mut Tree, sites: &mut Sites, source: &SourceFile, post: &Post) -> Item {
    let relative = &source.relative;
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // A page bundle `slug/index.md` belongs to the folder that holds `slug/`.
    let folder_of = if stem == "index" {
        relative.parent().unwrap_or(relative)
    } else {
        relative
    };
    let key = tree.key(sites, source, folder_of);
    let mut node = tree.folder(&key);
    let site = sites.of(source);
    if node == Library::ROOT
        && let Some(top) = tree
            .top_posts
            .clone()
            .or_else(|| site.and_then(|s| s.title.as_deref()).map(sanitize_line))
    {
        node = tree.child(node, &top);
    }
    let url = match (&post.url, site) {
        // A url from the site's root (Hugo's `url = "/about/"`) is on the site.
        (Some(url), Some(site)) if url.starts_with('/') && !url.starts_with("//") => site
            .base_url
            .as_deref()
            .map(|base| format!("{base}{url}"))
            .or(Some(url.clone())),
        (Some(url), _) => Some(url.clone()),
        (None, Some(site)) => site.url_of(
            relative,
            post.path.as_deref(),
            post.date,
            if post.categories.is_empty() {
                post.category.as_slice()
            } else {
                &post.categories
            },
        ),
        (None, None) => None,
    };
    if let Some(category) = &post.category {
        for part in category
            .split('/')
            .map(sanitize_line)
            .filter(|p| !p.is_empty())
        {
            node = tree.child(node, &part);
        }
    }
    Item {
        id: path_id(relative),
        kind: ItemKind::Post,
        title: sanitize_line(&post.title),
        url: url.as_deref().map(sanitize_line),
        date: post.date,
        weight: post.weight,
        authors: post.authors.iter().map(|a| sanitize_line(a)).collect(),
        tags: post.tags.iter().map(|t| sanitize_line(t)).collect(),
        description: post.description.as_deref().map(sanitize_line),
        body: post.body.clone(),
        category: node,
        source: SourceRef {
            path: Arc::from(source.display.as_path()),
            line: 1,
        },
    }
}

fn file_collection(
    tree: &mut Tree,
    folder: &str,
    source: &SourceFile,
    doc: &CollectionDoc,
    items: &mut Vec<Item>,
) {
    let folder = tree.folder(folder);
    let top = tree.child(folder, &sanitize_line(&doc.title));
    tree.nodes[top.0].description = doc.description.as_deref().map(|d| sanitize(d).into_owned());
    tree.nodes[top.0].keeps_order = true;
    let walk = |tree: &mut Tree, path: &[String]| {
        path.iter().fold(top, |node, name| {
            let child = tree.child(node, &sanitize_line(name));
            tree.nodes[child.0].keeps_order = true;
            child
        })
    };
    for section in &doc.collection.sections {
        let node = walk(tree, &section.path);
        if let Some(description) = &section.description {
            tree.nodes[node.0].description = Some(sanitize(description).into_owned());
        }
    }
    let collection_id = path_id(&source.relative);
    let path: Arc<std::path::Path> = Arc::from(source.display.as_path());
    for bookmark in &doc.collection.bookmarks {
        let category = walk(tree, &bookmark.path);
        let url = bookmark.url.as_deref().map(sanitize_line);
        let title = sanitize_line(&bookmark.title);
        items.push(Item {
            id: bookmark_id(&collection_id, url.as_deref(), &title),
            kind: ItemKind::Bookmark,
            title,
            url,
            date: bookmark.date,
            weight: None,
            authors: Vec::new(),
            tags: {
                let mut tags: Vec<String> = Vec::new();
                for tag in doc
                    .tags
                    .iter()
                    .chain(&bookmark.tags)
                    .map(|t| sanitize_line(t))
                {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                }
                tags
            },
            description: bookmark.description.as_deref().map(sanitize_line),
            body: bookmark.body.clone(),
            category,
            source: SourceRef {
                path: Arc::clone(&path),
                line: bookmark.line,
            },
        });
    }
}

/// What a duplicate id is reported as; made again by every assembly.
const DUPLICATE_ID: &str = "duplicate id `";

/// A diagnostic made by filing (a duplicate id), not by reading one file.
pub fn is_assembly_diagnostic(diagnostic: &Diagnostic) -> bool {
    diagnostic.message.starts_with(DUPLICATE_ID)
}

/// Gives the second and later holders of an id `~2`, `~3`…, and says so.
fn make_ids_unique(items: &mut [Item], diagnostics: &mut Vec<Diagnostic>) {
    // Nearly always every id is unique already: told without copying one (a copy of each of
    // 100,000 ids was a sixth of filing them).
    let mut seen: foldhash::HashSet<&str> =
        foldhash::HashSet::with_capacity_and_hasher(items.len(), Default::default());
    if items.iter().all(|item| seen.insert(item.id.as_str())) {
        return;
    }
    drop(seen);
    // Items are taken by where they are (file, then line), not by the order the roots were
    // given in: of two roots holding `content/about.md`, the same one keeps the bare id
    // however `--content` lists them, so read marks never move to the other's post.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&items[a].source, &items[b].source);
        (&x.path, x.line, a).cmp(&(&y.path, y.line, b))
    });
    let mut first_at: HashMap<String, usize> = HashMap::with_capacity(items.len());
    for index in order {
        let id = items[index].id.clone();
        let Some(&first) = first_at.get(&id) else {
            first_at.insert(id, index);
            continue;
        };
        // Two links whose urls make the same slug (long urls cut at 80 characters, urls
        // differing in punctuation) are not a problem of the file: each gets a suffix made
        // from its own url, which stays the same however the file is reordered.
        if let (Some(a), Some(b)) = (&items[first].url, &items[index].url)
            && a != b
        {
            let hashed = format!("{id}~{:06x}", super::id::fnv1a(b.as_bytes()) & 0xff_ffff);
            if !first_at.contains_key(&hashed) {
                first_at.insert(hashed.clone(), index);
                items[index].id = hashed;
                continue;
            }
        }
        let mut n = 2;
        let unique = loop {
            let candidate = format!("{id}~{n}");
            if !first_at.contains_key(&candidate) {
                break candidate;
            }
            n += 1;
        };
        let other = &items[first].source;
        diagnostics.push(Diagnostic::new(
            items[index].source.path.to_path_buf(),
            Some(items[index].source.line),
            format!(
                "{DUPLICATE_ID}{id}` (also {}:{}); this item is `{unique}`",
                other.path.display(),
                other.line
            ),
        ));
        first_at.insert(unique.clone(), index);
        items[index].id = unique;
    }
}

/// The folder of a relative path, as a `/`-joined key ("" for the root). Jekyll's `_posts`
/// and `_drafts` are not categories, nor the folders inside them (years, often): their posts
/// belong to the folder that holds them.
fn parent_key(relative: &Path) -> String {
    relative
        .parent()
        .map(|p| {
            p.iter()
                .take_while(|s| *s != "_posts" && *s != "_drafts")
                .map(|s| s.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

struct Node {
    name: String,
    description: Option<String>,
    parent: Option<CategoryId>,
    children: Vec<CategoryId>,
    /// Collection headings keep document order; folders are sorted by name.
    keeps_order: bool,
}

struct Tree {
    /// The name of the node for posts at the very top (the root's `_index.md` title, else
    /// the site's title): they sit there rather than loose under All.
    top_posts: Option<String>,
    nodes: Vec<Node>,
    folders: HashMap<String, CategoryId>,
    children_by_name: HashMap<(CategoryId, String), CategoryId>,
    /// More than one root is filed: sites are grouped (see [`Tree::key`]).
    several_roots: bool,
}

impl Tree {
    fn new() -> Self {
        let root = Node {
            name: "All".into(),
            description: None,
            parent: None,
            children: Vec::new(),
            keeps_order: false,
        };
        let mut folders = HashMap::new();
        folders.insert(String::new(), Library::ROOT);
        Tree {
            top_posts: None,
            nodes: vec![root],
            folders,
            children_by_name: HashMap::new(),
            several_roots: false,
        }
    }

    /// The key of the folder a file at `relative` (or a folder) is filed in. With several
    /// roots, a site's folders are keyed under a node of the site's own, named by its title
    /// (or its folder's name), made the first time it is asked for.
    fn key(&mut self, sites: &mut Sites, source: &SourceFile, relative: &Path) -> String {
        let dir = parent_key(relative);
        // The same test a reload makes (`content::reload`): the root's context.
        if !self.several_roots || !source.context.is_site() {
            return dir;
        }
        let Some(site) = sites.of(source) else {
            return dir;
        };
        // A control character no folder name holds: the key of no folder of any root.
        let group = format!("\u{1}{}", source.root);
        if !self.folders.contains_key(&group) {
            let name = site
                .title
                .as_deref()
                .map(sanitize_line)
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| sanitize_line(&root_name(source)));
            let id = CategoryId(self.nodes.len());
            self.nodes.push(Node {
                name,
                description: None,
                parent: Some(Library::ROOT),
                children: Vec::new(),
                keeps_order: false,
            });
            self.nodes[0].children.push(id);
            self.folders.insert(group.clone(), id);
        }
        if dir.is_empty() {
            group
        } else {
            format!("{group}/{dir}")
        }
    }

    fn folder(&mut self, key: &str) -> CategoryId {
        if let Some(id) = self.folders.get(key) {
            return *id;
        }
        let (parent_key, name) = key.rsplit_once('/').unwrap_or(("", key));
        let parent = self.folder(parent_key);
        let id = self.child(parent, &sanitize_line(name));
        self.folders.insert(key.to_string(), id);
        id
    }

    fn child(&mut self, parent: CategoryId, name: &str) -> CategoryId {
        let key = (parent, name.to_string());
        if let Some(id) = self.children_by_name.get(&key) {
            return *id;
        }
        let id = CategoryId(self.nodes.len());
        self.nodes.push(Node {
            name: name.to_string(),
            description: None,
            parent: Some(parent),
            children: Vec::new(),
            keeps_order: false,
        });
        self.nodes[parent.0].children.push(id);
        self.children_by_name.insert(key, id);
        id
    }

    fn into_library(self, items: Vec<Item>, diagnostics: Vec<Diagnostic>) -> Library {
        let mut categories: Vec<Category> = self
            .nodes
            .iter()
            .map(|n| Category {
                name: n.name.clone(),
                description: n.description.clone(),
                parent: n.parent,
                children: n.children.clone(),
                items: Vec::new(),
                total: 0,
            })
            .collect();
        for (index, item) in items.iter().enumerate() {
            categories[item.category.0].items.push(index);
        }
        let names: Vec<String> = categories.iter().map(|c| c.name.to_lowercase()).collect();
        for (index, node) in self.nodes.iter().enumerate() {
            if !node.keeps_order {
                categories[index]
                    .children
                    .sort_by(|a, b| names[a.0].cmp(&names[b.0]));
            }
            // Posts newest first (undated last); bookmarks stay in document order.
            categories[index].items.sort_by(|&a, &b| {
                let (a, b) = (&items[a], &items[b]);
                match (a.kind, b.kind) {
                    (ItemKind::Post, ItemKind::Post) => b.date.cmp(&a.date).then_with(|| {
                        let weight = |i: &Item| i.weight.unwrap_or(i64::MAX);
                        weight(a).cmp(&weight(b))
                    }),
                    (ItemKind::Post, ItemKind::Bookmark) => std::cmp::Ordering::Less,
                    (ItemKind::Bookmark, ItemKind::Post) => std::cmp::Ordering::Greater,
                    (ItemKind::Bookmark, ItemKind::Bookmark) => std::cmp::Ordering::Equal,
                }
            });
        }
        // Children always come after their parent in `nodes`, so a reverse pass sums totals.
        for index in (0..categories.len()).rev() {
            categories[index].total += categories[index].items.len();
            if let Some(parent) = categories[index].parent {
                categories[parent.0].total += categories[index].total;
            }
        }
        let (items, categories) = without_empty(items, categories);
        Library {
            items,
            categories,
            diagnostics,
        }
    }
}

/// The tree without its empty categories (a section whose pages are all drafts or template
/// hooks, a heading with no links under it): nothing to show there. The root stays.
fn without_empty(mut items: Vec<Item>, categories: Vec<Category>) -> (Vec<Item>, Vec<Category>) {
    if categories.iter().skip(1).all(|c| c.total > 0) {
        return (items, categories);
    }
    // Parents come before their children, and a kept node's parent is never empty.
    let mut new_id = vec![None; categories.len()];
    let mut next = 0;
    for (index, category) in categories.iter().enumerate() {
        if index == 0 || category.total > 0 {
            new_id[index] = Some(CategoryId(next));
            next += 1;
        }
    }
    let kept = categories
        .into_iter()
        .enumerate()
        .filter_map(|(index, mut category)| {
            new_id[index]?;
            category.parent = category.parent.and_then(|p| new_id[p.0]);
            category.children = category
                .children
                .iter()
                .filter_map(|c| new_id[c.0])
                .collect();
            Some(category)
        })
        .collect();
    for item in &mut items {
        if let Some(id) = new_id[item.category.0] {
            item.category = id;
        }
    }
    (items, kept)
}
