//! A library brought up to date with its files: only the files that changed are read again.
//!
//! The roots are listed again (one `stat` a file, as the load cache checks them) and every file
//! whose size or modification time moved, that is new, or that the watcher named, is read and
//! parsed; the others are taken back out of the library as it stands, bodies and all (a body
//! still in the load cache stays there). Everything is then filed again by the same
//! [`assemble`] a full load uses, so a reload and a fresh start give the same library.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::assemble::{LoadedFile, assemble, is_assembly_diagnostic};
use super::bookmarks::{Bookmark, Collection, Section};
use super::diagnostic::Diagnostic;
use super::document::{CollectionDoc, Document, Post};
use super::loader::load_files;
use super::model::{CategoryId, Item, ItemKind, Library};
use super::source::{Root, RootError, SourceFile, list_files};

/// A library with the files it was made from (and the site configurations it read).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub library: Arc<Library>,
    pub files: Vec<SourceFile>,
    pub sites: SiteStamps,
}

/// Every place a site configuration of the roots could be, with its stamp (see
/// [`super::site::config_stamps`]).
pub type SiteStamps = Vec<(PathBuf, Option<super::source::Stamp>)>;

/// What a reload found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files read again: changed, or named as changed.
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
    /// Of the changed files, those whose items were updated where they stood (see
    /// [`in_place`]) rather than the library filed again.
    pub in_place: usize,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.changed + self.added + self.removed == 0
    }
}

/// Lists `roots` again and reads the files that differ from `previous` or that `named`
/// lists (paths as the watcher reports them: under a root, as given or canonical).
pub fn reload(
    previous: &Loaded,
    roots: &[Root],
    named: &[PathBuf],
) -> Result<(Loaded, Changes), RootError> {
    let (files, listing_diagnostics) = list_files(roots)?;
    let sites = super::site::config_stamps(roots);
    Ok(reload_listed(
        previous,
        roots,
        named,
        files,
        listing_diagnostics,
        sites,
    ))
}

/// [`reload`] with the roots listed already (a command lists them while it reads the cache).
pub fn reload_listed(
    previous: &Loaded,
    roots: &[Root],
    named: &[PathBuf],
    files: Vec<SourceFile>,
    listing_diagnostics: Vec<Diagnostic>,
    sites: SiteStamps,
) -> (Loaded, Changes) {
    // A site's configuration changed: every post's url may have, so every file is read.
    let sites_changed = sites != previous.sites;
    let named = locate(roots, named);
    let before: HashMap<(usize, &Path), &SourceFile> = previous
        .files
        .iter()
        .map(|f| ((f.root, f.relative.as_path()), f))
        .collect();
    let mut changes = Changes::default();
    let mut kept = vec![false; files.len()];
    for (index, file) in files.iter().enumerate() {
        match before.get(&(file.root, file.relative.as_path())) {
            Some(old)
                if old.stamp == file.stamp
                    && !sites_changed
                    && (named.is_empty()
                        || !named.contains(&(file.root, file.relative.clone()))) =>
            {
                kept[index] = true;
            }
            Some(_) => changes.changed += 1,
            None => changes.added += 1,
        }
    }
    let listed: HashSet<(usize, &Path)> = files
        .iter()
        .map(|f| (f.root, f.relative.as_path()))
        .collect();
    changes.removed = before.keys().filter(|k| !listed.contains(*k)).count();
    if changes.is_empty() {
        // The common answer to a poll, or to a change to a file that is not content.
        let library = Arc::clone(&previous.library);
        return (
            Loaded {
                library,
                files,
                sites,
            },
            changes,
        );
    }

    // The common edit (text changed inside a file, its items the same items): those items
    // updated in a copy of the library, nothing filed again.
    if changes.added == 0 && changes.removed == 0 && !sites_changed {
        let changed: Vec<usize> = (0..files.len()).filter(|&i| !kept[i]).collect();
        if let Some(updates) = in_place(&previous.library, &files, &changed) {
            changes.in_place = changed.len();
            let mut library = Library::clone(&previous.library);
            apply_in_place(&mut library, updates);
            return (
                Loaded {
                    library: Arc::new(library),
                    files,
                    sites,
                },
                changes,
            );
        }
    }

    // Unchanged files are taken back from the library; the rest (and the few a library cannot
    // give back, such as a file that made no item) are read.
    let mut taken = TakenBack::new(&previous.library, &previous.files);
    let mut slots: Vec<Option<LoadedFile>> = files
        .iter()
        .enumerate()
        .map(|(index, file)| kept[index].then(|| taken.file(file)).flatten())
        .collect();
    let to_read: Vec<usize> = (0..files.len()).filter(|&i| slots[i].is_none()).collect();
    let read = load_files(
        &to_read
            .iter()
            .map(|&i| files[i].clone())
            .collect::<Vec<_>>(),
    );
    for (index, file) in to_read.into_iter().zip(read) {
        slots[index] = Some(file);
    }
    let all: Vec<LoadedFile> = slots.into_iter().flatten().collect();
    let library = assemble(&all, &listing_diagnostics);
    // The documents taken back are copies of the library's text: freeing 100,000 of them is
    // a sixth of a reload, and nobody waits for it.
    let _ = std::thread::Builder::new()
        .name("free".into())
        .spawn(move || drop(all));
    (
        Loaded {
            library: Arc::new(library),
            files,
            sites,
        },
        changes,
    )
}

/// How many changed files are updated in place at most: past a few, filing everything again
/// costs about as much as the checks.
pub const IN_PLACE_AT_MOST: usize = 16;

/// What [`in_place`] found: changed items, by their number in the library, as their files
/// give them now; or one collection's items, as many or as few as it holds now, to splice in
/// where its old ones stand.
pub enum InPlace {
    Updates(Vec<(usize, Item)>),
    Splice(Splice),
}

/// One collection file's items put in the place of its old ones: bookmarks added, removed,
/// retitled or moved between its headings, the headings themselves the same.
pub struct Splice {
    /// The old items: `start..start + removed` (a file's items stand together).
    start: usize,
    removed: usize,
    /// The new ones, filed in the library's categories.
    items: Vec<Item>,
    /// The categories the file makes (its title and headings) with their totals now, and the
    /// top one (its title).
    totals: Vec<(CategoryId, usize)>,
    top: CategoryId,
}

/// Where [`apply_in_place`] changed the items, for the index to take them again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Items whose text changed, where they stand (nothing spliced).
    pub changed: Vec<usize>,
    /// The items `start..start + removed` became `start..start + added` (the ones after
    /// them moved by the difference).
    pub spliced: Option<Spliced>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spliced {
    pub start: usize,
    pub removed: usize,
    pub added: usize,
}

/// The library with the files `changed` (indices into `files`) read again, when each of them
/// still makes the same items in the same places: filed alone, the file gives the items the
/// library holds for it (same ids, titles, urls, dates, tags, the same headings and their
/// descriptions), only their bodies, descriptions and lines differ. A typo fixed, an insight
/// added, a post rewritten. Then those items, as the files give them now, are what
/// [`apply_in_place`] puts where they stand; nothing else is filed again, so the cost follows
/// the change. A single collection file that changed its bookmarks under the same headings
/// (one added, removed or retitled) is spliced in where its items stand (see [`splice`]).
/// `None` for anything else (a post retitled, a heading changed, a problem reported, a file
/// the library files away from its folder), which the caller files whole.
pub fn in_place(library: &Library, files: &[SourceFile], changed: &[usize]) -> Option<InPlace> {
    if changed.is_empty() || changed.len() > IN_PLACE_AT_MOST {
        return None;
    }
    let read = load_files(
        &changed
            .iter()
            .map(|&i| files[i].clone())
            .collect::<Vec<_>>(),
    );
    // Where each changed file's items stand in the library, in order.
    let mut at: HashMap<&Path, Vec<usize>> = HashMap::new();
    for file in &read {
        at.insert(file.source.display.as_path(), Vec::new());
    }
    for (index, item) in library.items.iter().enumerate() {
        if let Some(items) = at.get_mut(&*item.source.path) {
            items.push(index);
        }
    }
    let mut updates: Vec<(usize, super::model::Item)> = Vec::new();
    for file in &read {
        let relative = &file.source.relative;
        let filed_apart = relative.iter().any(|p| p == "_posts" || p == "_drafts")
            || relative
                .file_name()
                .is_some_and(|n| n == "_index.md" || n == "_index.markdown");
        let problems = !file.diagnostics.is_empty()
            || library
                .diagnostics
                .iter()
                .any(|d| d.path == file.source.display && !is_assembly_diagnostic(d));
        let ours = at.get(file.source.display.as_path())?;
        if filed_apart || problems || ours.is_empty() {
            return None;
        }
        let alone = assemble(std::iter::once(file), &[]);
        if !alone.diagnostics.is_empty() {
            return None;
        }
        // Items added, removed or retitled in the only file changed: spliced in when it is a
        // collection whose headings are the same.
        let spliced = || {
            // (Roots loaded together put a site's node above its folders, which a file filed
            // alone lacks: the depth of its title would differ.)
            let one_root = files.iter().all(|f| f.root == file.source.root);
            (read.len() == 1 && one_root)
                .then(|| match &file.document {
                    Some(Document::Collection(doc)) => splice(library, &alone, ours, doc),
                    _ => None,
                })
                .flatten()
                .map(InPlace::Splice)
        };
        if alone.items.len() != ours.len() {
            return spliced();
        }
        // The levels of the tree the file makes itself (a post's category, a collection's
        // title and headings), by item.
        let owned: Vec<usize> = match &file.document {
            Some(Document::Post(post)) => {
                let parts = post
                    .category
                    .as_deref()
                    .map_or(0, |c| c.split('/').filter(|p| !p.trim().is_empty()).count());
                vec![parts; 1]
            }
            Some(Document::Collection(doc)) => doc
                .collection
                .bookmarks
                .iter()
                .map(|b| 1 + b.path.len())
                .collect(),
            _ => return None,
        };
        if owned.len() != ours.len() {
            return None;
        }
        for ((new, &index), &levels) in alone.items.iter().zip(ours).zip(&owned) {
            let old = &library.items[index];
            let same = new.id == old.id
                && new.kind == old.kind
                && new.title == old.title
                && new.url == old.url
                && new.date == old.date
                && new.weight == old.weight
                && new.authors == old.authors
                && new.tags == old.tags
                && same_levels(&alone, new.category, library, old.category, levels);
            if !same {
                return spliced();
            }
            updates.push((index, new.clone()));
        }
        // A collection's headings, bookmarks or not, with what they say.
        if let Some(Document::Collection(_)) = &file.document {
            let first = &alone.items[0];
            let levels = owned[0];
            let top_new = nth_above(&alone, first.category, levels - 1)?;
            let top_old = nth_above(library, library.items[ours[0]].category, levels - 1)?;
            if !same_subtree(&alone, top_new, library, top_old) {
                return spliced();
            }
        }
    }
    Some(InPlace::Updates(updates))
}

/// How a collection filed `alone` is spliced into `library`, where its items were (`ours`, in
/// order): when they stand together, its title and headings are the same categories at the
/// same place in the tree and hold nothing else, and no id of its items (old or new) is held
/// by any other item (so no other id would be made unique differently). The cost is one pass
/// over the items' ids and the categories' lists.
fn splice(
    library: &Library,
    alone: &Library,
    ours: &[usize],
    doc: &CollectionDoc,
) -> Option<Splice> {
    let start = *ours.first()?;
    if ours.iter().enumerate().any(|(k, &i)| i != start + k) {
        return None;
    }
    let end = start + ours.len();
    // A problem the library reports for the file (a duplicate id within it, say) would stay
    // reported after the splice: filed whole, it goes or stays as the file now says.
    let path = library.items[start].source.path.as_ref();
    if library.diagnostics.iter().any(|d| d.path == path) {
        return None;
    }
    // The collection's title, above its first bookmark's headings; in the library, the
    // category as deep in the tree above the file's first old item.
    let levels = 1 + doc.collection.bookmarks.first()?.path.len();
    let top_new = nth_above(alone, alone.items.first()?.category, levels - 1)?;
    let depth = depth_of(alone, top_new)?;
    let old = library.items[start].category;
    let top_old = nth_above(library, old, depth_of(library, old)?.checked_sub(depth)?)?;
    // The same title and headings below it. (The folders above are the file's own, as they
    // were: a folder's name may come from its `_index.md`, which a file filed alone lacks.)
    let pairs = subtree_pairs(alone, top_new, library, top_old, false)?;
    // Its categories hold the file's items and nothing else.
    let inside = |i: &usize| (start..end).contains(i);
    if library.category(top_old).total != ours.len()
        || pairs
            .iter()
            .any(|&(_, l)| !library.category(l).items.iter().all(inside))
    {
        return None;
    }
    // No other item holds one of its ids, or was made unique beside one.
    let ids: HashSet<&str> = alone
        .items
        .iter()
        .chain(&library.items[start..end])
        .map(|item| item.id.as_str())
        .collect();
    let clash = library.items[..start]
        .iter()
        .chain(&library.items[end..])
        .any(|item| {
            ids.contains(item.id.as_str())
                || item
                    .id
                    .rsplit_once('~')
                    .is_some_and(|(base, _)| ids.contains(base))
        });
    if clash {
        return None;
    }
    let to_library: HashMap<CategoryId, CategoryId> = pairs.iter().copied().collect();
    let items = alone
        .items
        .iter()
        .map(|item| {
            let mut item = item.clone();
            item.category = *to_library.get(&item.category)?;
            Some(item)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Splice {
        start,
        removed: ours.len(),
        items,
        totals: pairs
            .iter()
            .map(|&(a, l)| (l, alone.category(a).total))
            .collect(),
        top: top_old,
    })
}

/// How many categories stand above `id` (`None` for a loop, never built but never trusted).
fn depth_of(library: &Library, mut id: CategoryId) -> Option<usize> {
    for depth in 0..=library.categories.len() {
        match library.categories.get(id.0)?.parent {
            Some(parent) => id = parent,
            None => return Some(depth),
        }
    }
    None
}

impl Splice {
    fn apply(self, library: &mut Library) -> Spliced {
        let Splice {
            start,
            removed,
            items,
            totals,
            top,
        } = self;
        let (end, added) = (start + removed, items.len());
        let old_total = library.category(top).total;
        library.items.splice(start..end, items);
        // The items after the file's moved by the difference; its own are filed anew, in
        // their order (a collection's bookmarks keep the document's).
        for category in &mut library.categories {
            category.items.retain(|&i| i < start || i >= end);
            for i in &mut category.items {
                if *i >= end {
                    *i = *i - removed + added;
                }
            }
        }
        for j in start..start + added {
            let category = library.items[j].category;
            library.categories[category.0].items.push(j);
        }
        for (id, total) in totals {
            library.categories[id.0].total = total;
        }
        let new_total = library.category(top).total;
        let mut above = library.category(top).parent;
        for _ in 0..library.categories.len() {
            let Some(id) = above else { break };
            let category = &mut library.categories[id.0];
            // (Never below nought: an ancestor holds at least the file's old items, unless a
            // damaged cache says otherwise.)
            category.total = (category.total + new_total).saturating_sub(old_total);
            above = category.parent;
        }
        Spliced {
            start,
            removed,
            added,
        }
    }
}

/// Puts the items [`in_place`] read where they stand in `library` (the library it was given).
pub fn apply_in_place(library: &mut Library, edit: InPlace) -> Applied {
    let mut applied = Applied::default();
    match edit {
        InPlace::Updates(updates) => {
            for (index, new) in updates {
                let Some(item) = library.items.get_mut(index) else {
                    continue;
                };
                item.body = new.body;
                item.description = new.description;
                item.source.line = new.source.line;
                applied.changed.push(index);
            }
        }
        InPlace::Splice(splice) => applied.spliced = Some(splice.apply(library)),
    }
    applied
}

/// The category `n` levels above `id`.
fn nth_above(library: &Library, id: CategoryId, n: usize) -> Option<CategoryId> {
    let mut id = id;
    for _ in 0..n {
        id = library.category(id).parent?;
    }
    Some(id)
}

/// Whether the `levels` categories ending at `a` (in `la`) and at `b` (in `lb`) have the same
/// names.
fn same_levels(la: &Library, a: CategoryId, lb: &Library, b: CategoryId, levels: usize) -> bool {
    let (mut a, mut b) = (Some(a), Some(b));
    for _ in 0..levels {
        let (Some(x), Some(y)) = (a, b) else {
            return false;
        };
        let (x, y) = (la.category(x), lb.category(y));
        if x.name != y.name {
            return false;
        }
        (a, b) = (x.parent, y.parent);
    }
    true
}

/// Whether two category subtrees have the same names, descriptions, children in order and
/// totals.
fn same_subtree(la: &Library, a: CategoryId, lb: &Library, b: CategoryId) -> bool {
    subtree_pairs(la, a, lb, b, true).is_some()
}

/// The categories of two subtrees paired, when they have the same names, descriptions and
/// children in order (and totals, when asked). Bounded by the smaller tree (a collection's
/// headings), walked without recursion.
fn subtree_pairs(
    la: &Library,
    a: CategoryId,
    lb: &Library,
    b: CategoryId,
    totals: bool,
) -> Option<Vec<(CategoryId, CategoryId)>> {
    let mut pairs = Vec::new();
    let mut stack = vec![(a, b)];
    while let Some((a, b)) = stack.pop() {
        let (x, y) = (la.categories.get(a.0)?, lb.categories.get(b.0)?);
        if x.name != y.name
            || x.description != y.description
            || x.children.len() != y.children.len()
            || (totals && x.total != y.total)
            || pairs.len() > la.categories.len().min(lb.categories.len())
        {
            return None;
        }
        pairs.push((a, b));
        stack.extend(x.children.iter().copied().zip(y.children.iter().copied()));
    }
    Some(pairs)
}

/// The (root, relative path) of each named path that lies under a folder root.
fn locate(roots: &[Root], named: &[PathBuf]) -> HashSet<(usize, PathBuf)> {
    let mut found = HashSet::new();
    if named.is_empty() {
        return found;
    }
    for (index, root) in roots.iter().enumerate() {
        let Root::Dir(dir) = root else { continue };
        let canonical = dir.canonicalize().ok();
        for path in named {
            let relative = path
                .strip_prefix(dir)
                .ok()
                .or_else(|| canonical.as_deref().and_then(|c| path.strip_prefix(c).ok()));
            if let Some(relative) = relative {
                found.insert((index, relative.to_path_buf()));
            }
        }
    }
    found
}

/// Unchanged files taken back out of a library: the documents they were filed from, rebuilt
/// from the items and the category tree. The folder a file sits in is the node at the depth of
/// its folder path; the nodes below it are the file's own (a post's category, a collection's
/// title and headings).
struct TakenBack<'l> {
    library: &'l Library,
    /// Items by the file they came from, in file order.
    items: HashMap<&'l Path, Vec<usize>>,
    diagnostics: HashMap<&'l Path, Vec<&'l Diagnostic>>,
    /// The node of each folder (relative to its root) that holds a file with items.
    folders: HashMap<&'l Path, CategoryId>,
    /// Title nodes two collections share (same title, same folder): the last one filed
    /// described it, so either one is read again rather than guessed.
    shared: HashSet<CategoryId>,
    /// Roots whose top posts sit under a node of their own (named by the root's `_index.md`
    /// or the site's title).
    tops: HashSet<usize>,
    /// Sites loaded with other roots, filed under a node of their own (see `assemble`): their
    /// files are read again rather than placed by folder depth.
    grouped: HashSet<usize>,
}

impl<'l> TakenBack<'l> {
    fn new(library: &'l Library, files: &'l [SourceFile]) -> TakenBack<'l> {
        let mut items: HashMap<&Path, Vec<usize>> = HashMap::new();
        for (index, item) in library.items.iter().enumerate() {
            items.entry(&item.source.path).or_default().push(index);
        }
        let mut diagnostics: HashMap<&Path, Vec<&Diagnostic>> = HashMap::new();
        for diagnostic in &library.diagnostics {
            if !is_assembly_diagnostic(diagnostic) {
                diagnostics
                    .entry(&diagnostic.path)
                    .or_default()
                    .push(diagnostic);
            }
        }
        let mut taken = TakenBack {
            library,
            items,
            diagnostics,
            folders: HashMap::new(),
            shared: HashSet::new(),
            tops: HashSet::new(),
            grouped: HashSet::new(),
        };
        let roots: HashSet<usize> = files.iter().map(|f| f.root).collect();
        if roots.len() > 1 {
            taken.grouped = files
                .iter()
                .filter(|f| f.context.is_site())
                .map(|f| f.root)
                .collect();
        }
        let mut looked_at = HashSet::new();
        for file in files {
            let depth = file.relative.components().count();
            let root_index = depth == 1
                && file
                    .relative
                    .file_name()
                    .is_some_and(|n| n == "_index.md" || n == "_index.markdown");
            // Whether the root is a site with a title: once per root.
            let titled_site = looked_at.insert(file.root)
                && !file.is_bundled()
                && file
                    .display
                    .ancestors()
                    .nth(depth)
                    .and_then(super::site::Site::detect)
                    .is_some_and(|site| site.title.is_some());
            if root_index || titled_site {
                taken.tops.insert(file.root);
            }
        }
        let mut tops = HashSet::new();
        for file in files {
            let Some(&first) = taken
                .items
                .get(file.display.as_path())
                .and_then(|i| i.first())
            else {
                continue;
            };
            let item = &library.items[first];
            if file
                .relative
                .iter()
                .any(|p| p == "_posts" || p == "_drafts")
            {
                continue;
            }
            let chain = taken.chain(item.category);
            let mut folder = folder_of(&file.relative, item.kind);
            if item.kind == ItemKind::Bookmark
                && let Some(&top) = chain.get(components(folder))
                && !tops.insert(top)
            {
                taken.shared.insert(top);
            }
            while let Some(dir) = folder.filter(|d| d.iter().count() > 0) {
                let Some(&node) = chain.get(dir.iter().count() - 1) else {
                    break;
                };
                if taken.folders.insert(dir, node).is_some() {
                    break;
                }
                folder = dir.parent();
            }
        }
        taken
    }

    /// The file as it was filed; `None` when the library cannot say (it must be read again).
    fn file(&mut self, source: &SourceFile) -> Option<LoadedFile> {
        if self.grouped.contains(&source.root) {
            return None;
        }
        let items = self
            .items
            .remove(source.display.as_path())
            .unwrap_or_default();
        let document = self.document(source, &items)?;
        let diagnostics = self
            .diagnostics
            .get(source.display.as_path())
            .map(|d| d.iter().map(|d| (*d).clone()).collect())
            .unwrap_or_default();
        Some(LoadedFile {
            source: source.clone(),
            document: Some(document),
            diagnostics,
        })
    }

    fn document(&self, source: &SourceFile, items: &[usize]) -> Option<Document> {
        let lib = self.library;
        let relative = &source.relative;
        let file_name = relative.file_name()?.to_string_lossy();
        if file_name == "_index.md" || file_name == "_index.markdown" {
            // A section file is read again: there is one a folder, and what it says (the
            // root's title, a `cascade` hiding the pages below) is not all in the library.
            return None;
        }
        let first = &lib.items[*items.first()?];
        let depth = components(folder_of(relative, first.kind));
        match first.kind {
            // Posts filed away from their folder's node (at the top, under the site's or the
            // root's title; in Jekyll's `_posts`, under the folder above) are read again.
            ItemKind::Post
                if (depth == 0 && self.tops.contains(&source.root))
                    || relative.iter().any(|p| p == "_posts" || p == "_drafts") =>
            {
                None
            }
            ItemKind::Post => {
                let below = self.names_below(first.category, depth);
                Some(Document::Post(Post {
                    title: first.title.clone(),
                    // The url the site gave it is kept as the item's own.
                    path: None,
                    categories: Vec::new(),
                    date: first.date,
                    authors: first.authors.clone(),
                    tags: first.tags.clone(),
                    category: (!below.is_empty()).then(|| below.join("/")),
                    description: first.description.clone(),
                    url: first.url.clone(),
                    weight: first.weight,
                    body: first.body.clone(),
                }))
            }
            ItemKind::Bookmark => {
                let top = self.chain(first.category).get(depth).copied()?;
                if self.shared.contains(&top) {
                    return None;
                }
                let node = lib.category(top);
                let mut sections = Vec::new();
                self.sections_under(top, &mut Vec::new(), &mut sections);
                // The collection's tags come first in each item's, then the bookmark's own:
                // the part all items share is taken for the collection's (filing them again
                // gives the same lists either way).
                let shared = items.iter().fold(first.tags.len(), |n, &i| {
                    let tags = &lib.items[i].tags;
                    first.tags[..n]
                        .iter()
                        .zip(tags)
                        .take_while(|(a, b)| a == b)
                        .count()
                });
                let bookmarks = items
                    .iter()
                    .map(|&i| {
                        let item = &lib.items[i];
                        Bookmark {
                            path: self.names_below(item.category, depth + 1),
                            title: item.title.clone(),
                            url: item.url.clone(),
                            description: item.description.clone(),
                            body: item.body.clone(),
                            date: item.date,
                            tags: item.tags[shared..].to_vec(),
                            line: item.source.line,
                        }
                    })
                    .collect();
                Some(Document::Collection(CollectionDoc {
                    title: node.name.clone(),
                    description: node.description.clone(),
                    tags: first.tags[..shared].to_vec(),
                    collection: Collection {
                        sections,
                        bookmarks,
                        ..Collection::default()
                    },
                }))
            }
        }
    }

    /// The categories from the root's child down to `id`.
    fn chain(&self, id: CategoryId) -> Vec<CategoryId> {
        let mut chain = Vec::new();
        let mut current = Some(id);
        while let Some(c) = current.filter(|c| *c != Library::ROOT) {
            chain.push(c);
            current = self.library.category(c).parent;
        }
        chain.reverse();
        chain
    }

    /// Names of the categories below depth `depth` on the way to `id`.
    fn names_below(&self, id: CategoryId, depth: usize) -> Vec<String> {
        self.chain(id)
            .iter()
            .skip(depth)
            .map(|c| self.library.category(*c).name.clone())
            .collect()
    }

    /// Every heading below a collection's title node, in order, as the sections it came from.
    fn sections_under(&self, node: CategoryId, path: &mut Vec<String>, out: &mut Vec<Section>) {
        for &child in &self.library.category(node).children {
            let category = self.library.category(child);
            path.push(category.name.clone());
            out.push(Section {
                path: path.clone(),
                description: category.description.clone(),
            });
            self.sections_under(child, path, out);
            path.pop();
        }
    }
}

/// The folder whose node a file's items are filed under: a page bundle `slug/index.md`
/// belongs to the folder holding `slug/` (as `assemble` files it).
fn folder_of(relative: &Path, kind: ItemKind) -> Option<&Path> {
    let bundle = kind == ItemKind::Post
        && relative
            .file_stem()
            .is_some_and(|s| s.eq_ignore_ascii_case("index"));
    let parent = relative.parent();
    if bundle {
        parent.and_then(Path::parent)
    } else {
        parent
    }
}

fn components(path: Option<&Path>) -> usize {
    path.map_or(0, |p| p.iter().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("quire-reload-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn write(dir: &Path, relative: &str, text: &str) {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        fs::write(path, text).expect("write");
    }

    /// Everything a reader sees of a library, to compare two of them.
    fn seen(library: &Library) -> Vec<String> {
        let mut out = Vec::new();
        for (index, c) in library.categories.iter().enumerate() {
            let children: Vec<&str> = c
                .children
                .iter()
                .map(|k| library.category(*k).name.as_str())
                .collect();
            let items: Vec<&str> = c
                .items
                .iter()
                .map(|i| library.items[*i].id.as_str())
                .collect();
            out.push(format!(
                "category {:?} {:?} {children:?} {items:?} {}",
                library.category_path(CategoryId(index)),
                c.description,
                c.total
            ));
        }
        for item in &library.items {
            out.push(format!(
                "item {} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {}:{} {:?} {:?}",
                item.id,
                item.kind,
                item.title,
                item.url,
                item.date,
                item.weight,
                item.tags,
                item.description,
                library.category_path(item.category),
                item.source.path.display(),
                item.source.line,
                &*item.body,
                item.authors,
            ));
        }
        out.extend(library.diagnostics.iter().map(|d| format!("problem {d}")));
        out
    }

    fn load(roots: &[Root]) -> Loaded {
        let (files, _) = list_files(roots).expect("list");
        let library = Arc::new(crate::content::load_library(roots).expect("load"));
        Loaded {
            library,
            files,
            sites: crate::content::site::config_stamps(roots),
        }
    }

    /// A small site with what filing depends on: sections that rename folders, a page bundle,
    /// post categories, a collection with described headings, a clashing id, a broken file.
    fn site(dir: &Path) {
        write(
            dir,
            "_index.md",
            "+++\ntitle = \"Home\"\n+++\nThe whole site.",
        );
        write(
            dir,
            "blog/_index.md",
            "+++\ntitle = \"The Blog\"\n+++\nPosts.",
        );
        write(
            dir,
            "blog/first.md",
            "+++\ntitle = \"First\"\ndate = 2024-01-02\ncategory = \"Rust/Async\"\ntags = [\"a\"]\n+++\nBody one.",
        );
        write(
            dir,
            "blog/bundle/index.md",
            "---\ntitle: Bundled\ndate: 2023-05-05\n---\nIn a bundle.",
        );
        write(dir, "blog/deep/er/post.md", "# Deep\n\nDown there.");
        write(
            dir,
            "empty/_index.md",
            "+++\ntitle = \"Nothing Here\"\n+++\n",
        );
        write(
            dir,
            "bookmarks/links.md",
            "# Links\n\nSome links.\n\n## Tools\n\nUseful tools.\n\n- [Alpha](https://a.example) - first\n  - **Key insights:** it is alpha\n- [Beta](https://b.example) - second\n\n### Sub\n\n- [Gamma](https://c.example) - third\n\n## Empty heading\n",
        );
        write(
            dir,
            "bookmarks/more.md",
            "# Links\n\n## Tools\n\n- [Alpha](https://a.example) - again, so a clashing id\n",
        );
        write(dir, "broken.md", "+++\ntitle = \n+++\nBad front matter.");
    }

    fn assert_same_as_fresh(roots: &[Root], reloaded: &Loaded) {
        let fresh = load(roots);
        assert_eq!(seen(&reloaded.library), seen(&fresh.library));
    }

    #[test]
    fn text_changed_inside_files_updates_their_items_in_place_as_a_fresh_load_would() {
        let dir = temp("in-place");
        site(&dir);
        write(
            &dir,
            "bookmarks/reading.md",
            "# Reading\n\nWhat to read.\n\n## Systems\n\nAbout systems.\n\n- [Uber](https://u.example) - load shedding\n  - **Key insights:** CoDel\n- [Queues](https://q.example) - queues\n\n### Deeper\n\n- [Pid](https://p.example) - control\n",
        );
        let roots = vec![Root::Dir(dir.clone())];
        let mut loaded = load(&roots);
        type Step = Box<dyn Fn(&Path)>;
        fn edit(relative: &'static str, from: &'static str, to: &'static str) -> Step {
            Box::new(move |d: &Path| {
                let path = d.join(relative);
                let text = fs::read_to_string(&path).expect("read");
                assert!(text.contains(from), "{relative}: {from}");
                fs::write(path, text.replacen(from, to, 1)).expect("write");
            })
        }
        // (what, the change, how many files are updated in place)
        let steps: Vec<(&str, Step, usize)> = vec![
            (
                "a typo fixed in a post",
                edit("blog/first.md", "Body one.", "Body one, fixed."),
                1,
            ),
            (
                "an insight added (the lines below move)",
                edit(
                    "bookmarks/reading.md",
                    "CoDel\n",
                    "CoDel\n  - **More:** PID too\n",
                ),
                1,
            ),
            (
                "a bookmark's description",
                edit("bookmarks/reading.md", "- queues", "- on queues"),
                1,
            ),
            (
                "a post's description",
                edit(
                    "blog/first.md",
                    "tags = [",
                    "description = \"About it\"\ntags = [",
                ),
                1,
            ),
            (
                "a bundle's body",
                edit("blog/bundle/index.md", "In a bundle.", "Still bundled."),
                1,
            ),
            (
                "a heading's description",
                edit(
                    "bookmarks/reading.md",
                    "About systems.",
                    "All about systems.",
                ),
                0,
            ),
            (
                "a heading with no bookmark (nothing filed)",
                edit(
                    "bookmarks/reading.md",
                    "### Deeper",
                    "### Empty\n\n### Deeper",
                ),
                1,
            ),
            (
                "a bookmark added under it",
                edit(
                    "bookmarks/reading.md",
                    "### Empty\n",
                    "### Empty\n\n- [New](https://n.example)\n",
                ),
                0,
            ),
            (
                "a bookmark retitled (its collection spliced in where it stands)",
                edit("bookmarks/reading.md", "[Pid]", "[PID]"),
                1,
            ),
            (
                "a bookmark added beside another",
                edit(
                    "bookmarks/reading.md",
                    "- [PID]",
                    "- [Added](https://added.example) - a new one\n- [PID]",
                ),
                1,
            ),
            (
                "a bookmark removed",
                edit(
                    "bookmarks/reading.md",
                    "- [Added](https://added.example) - a new one\n",
                    "",
                ),
                1,
            ),
            (
                "a bookmark twice in its collection (a duplicate id reported)",
                edit(
                    "bookmarks/reading.md",
                    "- [PID]",
                    "- [Twice](https://twice.example) - one\n- [Twice](https://twice.example) - two\n- [PID]",
                ),
                0,
            ),
            (
                "one of the two removed (the report goes with it)",
                edit(
                    "bookmarks/reading.md",
                    "- [Twice](https://twice.example) - two\n",
                    "",
                ),
                0,
            ),
            (
                "the other removed",
                edit(
                    "bookmarks/reading.md",
                    "- [Twice](https://twice.example) - one\n",
                    "",
                ),
                1,
            ),
            (
                "a post's date",
                edit("blog/first.md", "2024-01-02", "2024-01-03"),
                0,
            ),
            (
                "two files at once",
                Box::new(|d: &Path| {
                    edit("blog/first.md", "fixed.", "fixed twice.")(d);
                    edit("bookmarks/reading.md", "- control", "- feedback control")(d);
                }),
                2,
            ),
            (
                "a post broken",
                edit("blog/first.md", "title = \"First\"", "title = "),
                0,
            ),
        ];
        for (what, step, expected) in steps {
            step(&dir);
            let (next, changes) = reload(&loaded, &roots, &[]).expect("reload");
            assert!(!changes.is_empty(), "{what}: nothing seen");
            let fresh = load(&roots);
            assert_eq!(seen(&next.library), seen(&fresh.library), "after: {what}");
            assert_eq!(changes.in_place, expected, "{what}: {changes:?}");
            loaded = next;
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_reload_gives_the_library_a_fresh_load_gives() {
        let dir = temp("same");
        site(&dir);
        let roots = vec![Root::Dir(dir.clone())];
        let mut loaded = load(&roots);
        let (same, changes) = reload(&loaded, &roots, &[]).expect("reload");
        assert!(changes.is_empty(), "{changes:?}");
        assert_same_as_fresh(&roots, &same);

        // Each step changes something, then the reloaded library must equal a fresh load.
        type Step = Box<dyn Fn(&Path)>;
        let steps: Vec<(&str, Step)> = vec![
            (
                "append a bookmark",
                Box::new(|d: &Path| {
                    let path = d.join("bookmarks/links.md");
                    let mut text = fs::read_to_string(&path).expect("read");
                    text = text.replace(
                        "## Empty heading\n",
                        "- [Delta](https://d.example) - fourth\n\n## Empty heading\n",
                    );
                    fs::write(path, text).expect("write");
                }),
            ),
            (
                "retitle a post",
                Box::new(|d: &Path| {
                    write(
                        d,
                        "blog/first.md",
                        "+++\ntitle = \"First, again\"\ndate = 2024-01-02\n+++\nNew body.",
                    )
                }),
            ),
            (
                "add a post in a new folder",
                Box::new(|d: &Path| write(d, "news/today.md", "# Today\n\nNews.")),
            ),
            (
                "rename a section",
                Box::new(|d: &Path| write(d, "blog/_index.md", "+++\ntitle = \"Weblog\"\n+++\n")),
            ),
            (
                "remove a section",
                Box::new(|d: &Path| fs::remove_file(d.join("blog/_index.md")).expect("rm")),
            ),
            (
                "remove the clashing collection",
                Box::new(|d: &Path| fs::remove_file(d.join("bookmarks/more.md")).expect("rm")),
            ),
            (
                "fix the broken file",
                Box::new(|d: &Path| write(d, "broken.md", "+++\ntitle = \"Fixed\"\n+++\nGood.")),
            ),
            (
                "remove a whole folder",
                Box::new(|d: &Path| fs::remove_dir_all(d.join("blog/deep")).expect("rm")),
            ),
        ];
        for (what, step) in steps {
            step(&dir);
            let (next, changes) = reload(&loaded, &roots, &[]).expect("reload");
            assert!(!changes.is_empty(), "{what}: nothing seen");
            let fresh = load(&roots);
            assert_eq!(seen(&next.library), seen(&fresh.library), "after: {what}");
            loaded = next;
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn sites_loaded_together_reload_as_a_fresh_load_files_them() {
        let dir = temp("grouped");
        let one = dir.join("one");
        site(&one);
        write(
            &one,
            "../config.toml",
            "base_url = \"https://one.example\"\ntitle = \"One\"\n",
        );
        let two = dir.join("two/content");
        write(
            &dir,
            "two/config.toml",
            "base_url = \"https://two.example\"\ntitle = \"Two\"\n",
        );
        write(&two, "news/today.md", "# Today\n\nNews.");
        write(&two, "top.md", "# At the top\n\nOf site two.");
        let roots = vec![Root::Dir(one.clone()), Root::Dir(two.clone())];
        let mut loaded = load(&roots);
        let names: Vec<&str> = loaded
            .library
            .category(Library::ROOT)
            .children
            .iter()
            .map(|&c| loaded.library.category(c).name.as_str())
            .collect();
        assert_eq!(names, ["Home", "Two"]);
        for (what, path, text) in [
            (
                "a post of one",
                "one/blog/first.md",
                "# First, again\n\nNew.",
            ),
            (
                "a post of two",
                "two/content/news/today.md",
                "# Today, later\n\nMore.",
            ),
            ("a new folder in two", "two/content/more/x.md", "# X\n\nY."),
        ] {
            write(&dir, path, text);
            let (next, changes) = reload(&loaded, &roots, &[]).expect("reload");
            assert!(!changes.is_empty(), "{what}");
            assert_same_as_fresh(&roots, &next);
            loaded = next;
        }
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn only_changed_or_named_files_are_read_again() {
        let dir = temp("named");
        site(&dir);
        let roots = vec![Root::Dir(dir.clone())];
        let loaded = load(&roots);
        write(&dir, "blog/new.md", "# New");
        fs::remove_file(dir.join("broken.md")).expect("rm");
        let (_, changes) = reload(&loaded, &roots, &[]).expect("reload");
        assert_eq!(
            changes,
            Changes {
                changed: 0,
                added: 1,
                removed: 1,
                in_place: 0,
            }
        );
        // A file named by the watcher is read even when its size and time look the same (a
        // write within the file system's time granularity); the name may be canonical.
        let named = dir.canonicalize().expect("canonical").join("blog/first.md");
        let (_, changes) = reload(&loaded, &roots, &[named]).expect("reload");
        assert_eq!(changes.changed, 1);
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn bodies_of_changed_files_are_new_and_kept_ones_are_shared() {
        let dir = temp("bodies");
        site(&dir);
        let roots = vec![Root::Dir(dir.clone())];
        let loaded = load(&roots);
        write(&dir, "blog/first.md", "# First\n\nChanged body.");
        let (next, _) = reload(&loaded, &roots, &[]).expect("reload");
        let first = next.library.find("blog/first").expect("first");
        assert!(first.body.ends_with("Changed body."), "{}", &*first.body);
        let deep = next.library.find("blog/deep/er/post").expect("deep");
        assert_eq!(&*deep.body, "# Deep\n\nDown there.");
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn a_library_from_the_load_cache_reloads_with_no_stale_body() {
        let dir = temp("cache");
        site(&dir);
        let roots = vec![Root::Dir(dir.clone())];
        let fresh = load(&roots);
        let index = crate::search::SearchIndex::build(&fresh.library);
        let cache = dir.with_extension("cache.bin");
        let parts = crate::store::cache::Parts::Library;
        let files = crate::store::cache::list_and_read(&roots, None, parts)
            .expect("list")
            .files;
        let manifest = crate::store::cache::Manifest::new(&roots, &files, &fresh.sites);
        crate::store::cache::save(&cache, &manifest, &fresh.library, Some(&index)).expect("save");
        // The post's body is in the cache file; the file now says something else. The cache
        // is stale, and gives back the library with the files it was made from.
        write(
            &dir,
            "blog/first.md",
            "+++\ntitle = \"First\"\n+++\nA new body.",
        );
        // (Asked for the ids only, an edited cache is not brought up to date in place but
        // given back whole.)
        let ids = crate::store::cache::Parts::Ids;
        let listing = crate::store::cache::list_and_read(&roots, Some(&cache), ids).expect("list");
        let crate::store::cache::FromCache::Stale(cached, _) = listing.cached else {
            panic!("a stale cache")
        };
        let first = cached.library.find("blog/first").expect("first");
        assert!(format!("{:?}", first.body).contains("in the load cache"));
        let (next, changes) = reload(&cached, &roots, &[]).expect("reload");
        assert_eq!(changes.changed, 1);
        assert_eq!(
            &*next.library.find("blog/first").expect("first").body,
            "A new body."
        );
        // The others still come from the cache, read when wanted, and equal a fresh load.
        let deep = next.library.find("blog/deep/er/post").expect("deep");
        assert!(format!("{:?}", deep.body).contains("in the load cache"));
        assert_same_as_fresh(&roots, &next);
        let _ = fs::remove_file(cache);
        let _ = fs::remove_dir_all(dir);
    }
}
