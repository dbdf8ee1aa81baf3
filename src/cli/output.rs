//! The non-interactive subcommands: `list`, `show`, `stats`, `check`, `mark-read`,
//! `mark-unread`, `unread` and `config`, as text or JSON.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::args::Command;
use crate::archive::Shelf;
use crate::config::DEFAULT_CONFIG;
use crate::content::{Item, ItemKind, Items, Library, Root};
use crate::render::markdown;
use crate::search::{Field, Matched, SearchIndex, SearchOptions, Synonyms, parse_query};
use crate::state::{ReadState, Timestamp, save_state};
use crate::store::cache::{ItemIds, Opened, Parts};
use crate::text::sanitize;

/// The parts of the library a command needs (see [`parts`]).
pub fn parts(command: &Command) -> Parts {
    match command {
        Command::Unread
        | Command::MarkRead { .. }
        | Command::MarkUnread { .. }
        | Command::Star { .. }
        | Command::Unstar { .. } => Parts::Ids,
        Command::Search { .. } | Command::Related { .. } => Parts::ItemsAndIndex,
        _ => Parts::Library,
    }
}

pub fn run_command(
    command: Command,
    roots: &[Root],
    opened: &Opened,
    mut state: ReadState,
    state_path: &Path,
    synonyms: &Synonyms,
    library_dir: Option<&Path>,
) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let marking = match &command {
        Command::Star { ids } => Some((ids, Change::Star(true))),
        Command::Unstar { ids } => Some((ids, Change::Star(false))),
        Command::MarkRead { ids } => Some((ids, Change::Read(true))),
        Command::MarkUnread { ids } => Some((ids, Change::Read(false))),
        _ => None,
    };
    let ids = || {
        opened
            .ids
            .as_ref()
            .context("the item ids were not loaded (a bug in Quire)")
    };
    if let Some((asked, what)) = marking {
        return mark(&mut out, ids()?, &mut state, state_path, asked, what);
    }
    if let Command::Unread = command {
        let unread = ids()?.iter().filter(|id| !state.is_read(id)).count();
        writeln!(out, "{unread}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let shelf = std::cell::OnceCell::new();
    // A search reads the items it ranks, decoded from the cache as it wants each one.
    let asked = match &command {
        Command::Search {
            query,
            limit,
            exact,
            json,
        } => Some((
            Asked {
                text: query_text(query)?,
                synonyms,
                meaning: !exact,
                limit: *limit,
            },
            *json,
        )),
        // Quoted: an id is one token of the query, whatever it holds.
        Command::Related { id, limit, json } => Some((
            Asked {
                text: format!("like:\"{id}\""),
                synonyms,
                meaning: true,
                limit: *limit,
            },
            *json,
        )),
        _ => None,
    };
    if let Some((asked, json)) = asked {
        let mut built = None;
        let (items, index) = searched(opened, &mut built)?;
        let view = View {
            library: items,
            state: &state,
            shelf: &shelf,
            library_dir,
        };
        search(&mut out, view, index, asked, json, &|| opened.damaged())?;
        return Ok(ExitCode::SUCCESS);
    }
    let library = opened
        .library
        .as_deref()
        .context("the library was not loaded (a bug in Quire)")?;
    let view = View {
        library,
        state: &state,
        shelf: &shelf,
        library_dir,
    };
    match command {
        Command::List {
            category,
            unread,
            starred,
            dead,
            json,
        } => list(
            &mut out,
            view,
            category.as_deref(),
            (unread, starred, dead),
            json,
        )?,
        Command::Show { id, json } => show(&mut out, view, &id, json)?,
        Command::Highlight { id, quote, note } => {
            return super::highlights::add(
                &mut out, library, &state, state_path, &id, &quote, note,
            );
        }
        Command::Unhighlight { ids } => {
            return super::highlights::remove(&mut out, &state, state_path, &ids);
        }
        Command::Highlights { id, json, markdown } => {
            super::highlights::list(&mut out, library, &state, id.as_deref(), json, markdown)?
        }
        Command::Stats { json } => stats(&mut out, view, json)?,
        Command::Categories => categories(&mut out, view)?,
        Command::Check { verbose } => {
            if verbose {
                left_out(&mut out, library, roots)?;
                near_duplicates(&mut out, library)?;
            }
            return check(&mut out, library);
        }
        Command::Search { .. } | Command::Related { .. } => unreachable!("handled above"),
        Command::Star { .. }
        | Command::Unstar { .. }
        | Command::MarkRead { .. }
        | Command::MarkUnread { .. }
        | Command::Unread => unreachable!("handled above"),
        Command::Edit { id } => return edit(library, &id),
        Command::Config { .. }
        | Command::CopyBundled { .. }
        | Command::Import { .. }
        | Command::Archive { .. }
        | Command::Subscribe { .. }
        | Command::Unsubscribe { .. }
        | Command::Feeds
        | Command::Sync { .. }
        | Command::Library { .. }
        | Command::Completions { .. }
        | Command::Man => {
            unreachable!("handled before loading")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A search found the load cache damaged before it wrote anything: run it again (the cache is
/// gone, so from the files).
#[derive(Debug, thiserror::Error)]
#[error("the load cache was found damaged (the search runs again from the files)")]
pub struct CacheDamaged;

/// What a search reads: the items (decoded when wanted, when the cache fit; else the library
/// loaded) and the index the cache gave, or one built now into `built`.
fn searched<'a>(
    opened: &'a Opened,
    built: &'a mut Option<SearchIndex>,
) -> Result<(&'a (dyn Items + 'a), &'a SearchIndex)> {
    match (
        &opened.stored,
        opened.library.as_deref(),
        opened.index.as_ref(),
    ) {
        (Some(stored), _, Some(index)) => Ok((stored, index)),
        (_, Some(library), Some(index)) => Ok((library, index)),
        (_, Some(library), None) => Ok((library, built.insert(SearchIndex::build(library)))),
        _ => bail!("the library was not loaded (a bug in Quire)"),
    }
}

/// The query's words as one text; a query that asks for nothing is refused (a filter still
/// without its value, `is:`, asks for nothing).
fn query_text(words: &[String]) -> Result<String> {
    let text = words.join(" ");
    if parse_query(&text).is_ok_and(|q| q.is_empty()) {
        anyhow::bail!(
            "the query {text:?} asks for nothing: give a word, a \"phrase\", -word or a filter ({})",
            crate::search::query::FILTERS
        );
    }
    Ok(text)
}

/// The library with its read marks: the library loaded whole, or (for a search) its items as
/// it reads them.
struct View<'a, L: ?Sized = Library> {
    library: &'a L,
    state: &'a ReadState,
    /// The library folder's saved pages, read when a command first wants them (`show`,
    /// `search`, `list --dead`): a plain `list` does not read the archive.
    shelf: &'a std::cell::OnceCell<Shelf>,
    library_dir: Option<&'a Path>,
}

impl<L: ?Sized> Clone for View<'_, L> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L: ?Sized> Copy for View<'_, L> {}

impl<L: ?Sized> View<'_, L> {
    fn shelf(&self) -> &Shelf {
        self.shelf
            .get_or_init(|| Shelf::load_from(self.library_dir))
    }

    fn is_read(&self, item: &Item) -> bool {
        self.state.is_read(&item.id)
    }
}

impl View<'_> {
    fn unread_count(&self) -> usize {
        self.library
            .items
            .iter()
            .filter(|i| !self.is_read(i))
            .count()
    }
}

#[derive(Serialize)]
struct ItemJson<'a> {
    id: &'a str,
    kind: ItemKind,
    title: &'a str,
    url: Option<&'a str>,
    date: Option<String>,
    category: Vec<&'a str>,
    tags: &'a [String],
    authors: &'a [String],
    description: Option<&'a str>,
    read: bool,
    starred: bool,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    /// The page saved from its link (`quire archive`), with how the link last answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    saved_page: Option<SavedPageJson<'a>>,
}

#[derive(Serialize)]
struct SavedPageJson<'a> {
    #[serde(flatten)]
    meta: &'a crate::archive::page::Meta,
    file: String,
    body: &'a str,
}

fn item_json<'a>(view: View<'a>, item: &'a Item, with_body: bool) -> ItemJson<'a> {
    ItemJson {
        id: &item.id,
        kind: item.kind,
        title: &item.title,
        url: item.url.as_deref(),
        date: item.date.map(|d| d.to_string()),
        category: view.library.category_path(item.category),
        tags: &item.tags,
        authors: &item.authors,
        description: item.description.as_deref(),
        read: view.is_read(item),
        starred: view.state.is_starred(&item.id),
        // File names are content too: shown with their controls made visible.
        source: sanitize(&format!(
            "{}:{}",
            item.source.path.display(),
            item.source.line
        ))
        .into_owned(),
        body: with_body.then_some(&*item.body),
        saved_page: None,
    }
}

fn list(
    out: &mut impl Write,
    view: View<'_>,
    category: Option<&str>,
    (unread, starred, dead): (bool, bool, bool),
    json: bool,
) -> Result<()> {
    let library = view.library;
    let mut indices = match category {
        Some(path) => match library.category_by_path(path) {
            Some(id) => library.items_under(id),
            None => bail!("{}", unknown_category(library, path)),
        },
        None => library.items_under(Library::ROOT),
    };
    if unread {
        indices.retain(|&i| !view.is_read(&library.items[i]));
    }
    if starred {
        indices.retain(|&i| view.state.is_starred(&library.items[i].id));
    }
    if dead {
        let shelf = view.shelf();
        indices.retain(|&i| shelf.is_dead(library.items[i].url.as_deref()));
    }
    if json {
        let items: Vec<_> = indices
            .iter()
            .map(|&i| item_json(view, &library.items[i], false))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
        return Ok(());
    }
    for &i in &indices {
        let item = &library.items[i];
        let date = item.date.map_or_else(|| "-".to_string(), |d| d.to_string());
        writeln!(out, "{}\t{}\t{}\t{}", item.id, item.kind, date, item.title)?;
    }
    Ok(())
}

/// `quire edit ID`: the editor on the item's file, at its line; its exit status is ours.
fn edit(library: &Library, id: &str) -> Result<ExitCode> {
    let Some(item) = library.find(id) else {
        bail!("{}", unknown_id(&ItemIds::of(library), id));
    };
    if item
        .source
        .path
        .starts_with(crate::content::source::BUNDLED)
    {
        bail!(
            "`{id}` is in the bundled library, which is inside quire and cannot be edited; \
             `quire copy-bundled DIR` writes an editable copy, then `quire --content DIR edit {id}`"
        );
    }
    match crate::edit::run(&item.source.path, item.source.line) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err @ crate::edit::EditError::Failed { .. }) => {
            eprintln!("quire: {err}");
            Ok(ExitCode::from(1))
        }
        Err(err) => Err(err.into()),
    }
}

/// `quire copy-bundled DIR`: the bundled library's files, written into a new or empty folder.
pub fn copy_bundled(dir: &Path) -> Result<ExitCode> {
    let is_empty = |dir: &Path| std::fs::read_dir(dir).map(|mut d| d.next().is_none());
    if dir.exists() && !is_empty(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        bail!("{} is not empty; give a new or empty folder", dir.display());
    }
    let files = crate::content::bundled_files();
    for (relative, bytes) in files {
        let path = dir.join(relative);
        let folder = crate::store::atomic_file::folder_of(&path);
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        crate::store::atomic_file::write(&path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "Wrote the bundled library ({} files) to {}; read it with: quire --content {}",
        files.len(),
        dir.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn show(out: &mut impl Write, view: View<'_>, id: &str, json: bool) -> Result<()> {
    let library = view.library;
    let Some(item) = library.find(id) else {
        bail!("{}", unknown_id(&ItemIds::of(library), id));
    };
    let saved = view.shelf().page(item.url.as_deref());
    if json {
        let mut shown = item_json(view, item, true);
        shown.saved_page = saved.map(|page| SavedPageJson {
            meta: &page.meta,
            file: sanitize(&page.path.to_string_lossy()).into_owned(),
            body: &page.body,
        });
        serde_json::to_writer_pretty(&mut *out, &shown)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", item.title)?;
    writeln!(
        out,
        "{}",
        "=".repeat(unicode_width::UnicodeWidthStr::width(item.title.as_str()).clamp(3, 80))
    )?;
    let mut field = |name: &str, value: &str| writeln!(out, "{name:<9} {value}");
    field("Id:", &item.id)?;
    field("Kind:", item.kind.as_str())?;
    if let Some(date) = item.date {
        field("Date:", &date.to_string())?;
    }
    if !item.authors.is_empty() {
        field("Authors:", &item.authors.join(", "))?;
    }
    field(
        "Category:",
        &library.category_path(item.category).join(" › "),
    )?;
    if !item.tags.is_empty() {
        field("Tags:", &item.tags.join(", "))?;
    }
    if let Some(url) = &item.url {
        field("URL:", url)?;
    }
    if let Some(description) = &item.description {
        field("About:", description)?;
    }
    if let Some(page) = saved {
        field("Link:", &crate::archive::link_health(page))?;
    }
    field("Read:", if view.is_read(item) { "yes" } else { "no" })?;
    writeln!(out)?;
    let saved_text = saved.filter(|page| !page.body.is_empty());
    if item.body.trim().is_empty() && saved_text.is_none() {
        writeln!(out, "No text is stored offline for this item.")?;
        if let Some(url) = &item.url {
            writeln!(out, "Read it at {url}")?;
        }
    } else {
        for line in markdown::plain_lines(&item.body, item.url.as_deref()) {
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    if let Some(page) = saved_text {
        writeln!(out)?;
        writeln!(out, "── {} ──", crate::archive::rule(page))?;
        writeln!(out)?;
        let base = page.meta.url.as_deref().or(item.url.as_deref());
        for line in markdown::plain_lines(&page.body, base) {
            writeln!(out, "{}", sanitize(line.trim_end()))?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Stats {
    items: usize,
    posts: usize,
    bookmarks: usize,
    categories: usize,
    with_body: usize,
    unread: usize,
    diagnostics: usize,
}

fn stats(out: &mut impl Write, view: View<'_>, json: bool) -> Result<()> {
    let library = view.library;
    let stats = Stats {
        items: library.items.len(),
        posts: library.count(ItemKind::Post),
        bookmarks: library.count(ItemKind::Bookmark),
        categories: library.categories.len() - 1,
        with_body: library
            .items
            .iter()
            .filter(|i| !i.body.trim().is_empty())
            .count(),
        unread: view.unread_count(),
        diagnostics: library.diagnostics.len(),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &stats)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "items        {}", stats.items)?;
    writeln!(out, "  posts      {}", stats.posts)?;
    writeln!(out, "  bookmarks  {}", stats.bookmarks)?;
    writeln!(out, "  with body  {}", stats.with_body)?;
    writeln!(out, "  unread     {}", stats.unread)?;
    writeln!(out, "categories   {}", stats.categories)?;
    for &child in &library.category(Library::ROOT).children {
        let node = library.category(child);
        writeln!(out, "  {:<40} {}", node.name, node.total)?;
    }
    writeln!(out, "diagnostics  {}", stats.diagnostics)?;
    Ok(())
}

/// The files that gave no item on purpose (drafts, unrendered pages, template hooks), and
/// why: read again here, as they are few and only `check --verbose` asks.
fn left_out(out: &mut impl Write, library: &Library, roots: &[Root]) -> Result<()> {
    use crate::content::document::Document;
    // Each file's items, counted once (looking them up per file would cost files × items).
    let mut with_items: std::collections::HashMap<&Path, (usize, &crate::content::Item)> =
        std::collections::HashMap::new();
    for item in &library.items {
        with_items
            .entry(&*item.source.path)
            .and_modify(|(n, _)| *n += 1)
            .or_insert((1, item));
    }
    let (files, _) = crate::content::source::list_files(roots)?;
    for file in files {
        let is_section = file
            .relative
            .file_name()
            .is_some_and(|n| n == "_index.md" || n == "_index.markdown");
        if is_section {
            continue;
        }
        if let Some(&(count, item)) = with_items.get(file.display.as_path()) {
            let one_post = count == 1 && item.kind == ItemKind::Post;
            if let Some(why) = one_post.then(|| post_not_collection(&file)).flatten() {
                writeln!(
                    out,
                    "{}: read as a post: {why}",
                    sanitize(&file.display.to_string_lossy())
                )?;
            }
            continue;
        }
        let display = file.display.clone();
        if let Some(Document::Hidden(why)) = crate::content::loader::load_file(file).document {
            writeln!(
                out,
                "{}: left out: {why}",
                sanitize(&display.to_string_lossy())
            )?;
        }
    }
    Ok(())
}

/// Insights that say one thing twice (by meaning, in the same words or others), in pairs,
/// each with the file and line of its bookmark, so the user can merge them: not problems.
fn near_duplicates(out: &mut impl Write, library: &Library) -> Result<()> {
    use crate::search::meaning::{NEAR_DUPLICATE, near_duplicates};
    /// Pairs printed at most, the most alike first (a library of generated text can have
    /// hundreds of thousands).
    const SHOWN: usize = 500;
    let pairs = near_duplicates(library);
    for pair in pairs.iter().take(SHOWN) {
        writeln!(
            out,
            "near-duplicate insights ({:.2} alike in meaning):",
            pair.nearness
        )?;
        for insight in &pair.insights {
            let item = &library.items[insight.item];
            writeln!(
                out,
                "  {}:{} {:?}: {}",
                sanitize(&item.source.path.to_string_lossy()),
                item.source.line,
                sanitize(&item.title),
                sanitize(&insight.text)
            )?;
        }
    }
    let n = pairs.len();
    if n > SHOWN {
        writeln!(out, "(the {SHOWN} most alike shown)")?;
    }
    if n > 0 {
        writeln!(
            out,
            "{n} pair{} of near-duplicate insights (alike from {NEAR_DUPLICATE:.2}; not problems)",
            if n == 1 { "" } else { "s" }
        )?;
    }
    Ok(())
}

/// Why a file of links became one post rather than a collection, when it holds a few links
/// in lists and no front matter says what it is: the rule, so the user can say otherwise.
/// `file` gave one post.
fn post_not_collection(file: &crate::content::source::SourceFile) -> Option<String> {
    use crate::content::bookmarks::{Mode, looks_like_collection, parse_collection};
    let text = std::fs::read_to_string(&file.display).ok()?;
    let split = crate::content::front_matter::split_front_matter(&text).ok()?;
    if split.format.is_some() {
        return None;
    }
    let collection = parse_collection(split.body, split.body_line, Mode::Detected);
    let links = collection.bookmarks.len();
    (links > 0 && !looks_like_collection(&collection)).then(|| {
        let s = if links == 1 { "" } else { "s" };
        format!(
            "{links} link{s} in lists, and a file is read as a collection of bookmarks from 5 \
             (most of its list items links), in a `bookmarks/` folder, or with \
             `kind = \"bookmarks\"` in its front matter"
        )
    })
}

fn check(out: &mut impl Write, library: &Library) -> Result<ExitCode> {
    for diagnostic in &library.diagnostics {
        writeln!(out, "{}", sanitize(&diagnostic.to_string()))?;
    }
    let n = library.diagnostics.len();
    if n == 0 {
        let n = library.items.len();
        writeln!(
            out,
            "ok: {n} item{}, no problems",
            if n == 1 { "" } else { "s" }
        )?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "{n} problem{} found", if n == 1 { "" } else { "s" })?;
        Ok(ExitCode::FAILURE)
    }
}

#[derive(Serialize)]
struct HitJson<'a> {
    id: &'a str,
    title: &'a str,
    kind: ItemKind,
    category: Vec<&'a str>,
    url: Option<&'a str>,
    date: Option<String>,
    read: bool,
    score: u64,
    field: Field,
    /// Found by the query's words, by meaning, or both.
    matched: Matched,
    snippet: Option<&'a str>,
    /// Char indices of the title that matched.
    title_positions: &'a [usize],
}

/// What a search asks for.
struct Asked<'a> {
    text: String,
    synonyms: &'a Synonyms,
    meaning: bool,
    limit: usize,
}

fn search(
    out: &mut impl Write,
    view: View<'_, dyn Items + '_>,
    index: &SearchIndex,
    asked: Asked<'_>,
    json: bool,
    damaged: &dyn Fn() -> bool,
) -> Result<()> {
    let Asked {
        text,
        synonyms,
        meaning,
        limit,
    } = asked;
    let text = text.as_str();
    let query = parse_query(text)?;
    let library = view.library;
    // `like:ID`: the item whose neighbours are listed; an id no item has is an error.
    let like = match query.like.as_deref() {
        Some(id) => match library.position(id) {
            Some(i) => Some(library.item(i)),
            None => bail!("{}", unknown_id(&ItemIds::of(library), id)),
        },
        None => None,
    };
    if meaning || like.is_some() {
        // Read from the load cache as a rule; made now only when the cache had no index.
        index.fill_vectors(library);
    }
    let is_read = |i: usize| view.state.is_read(library.id(i));
    let is_starred = |i: usize| view.state.is_starred(library.id(i));
    let highlighted: std::collections::HashSet<&str> = view
        .state
        .highlights()
        .map(|(_, h)| h.item.as_str())
        .collect();
    let is_highlighted = |i: usize| highlighted.contains(library.id(i));
    // The notes kept with highlights are searched as their items' text, and so are the
    // pages saved from their links.
    let notes = view.state.notes_by_item(library);
    let shelved = view.shelf().by_item(library);
    let is_dead = |i: usize| shelved.dead.get(i).copied().unwrap_or(false);
    let options = SearchOptions {
        limit,
        is_read: Some(&is_read),
        is_starred: Some(&is_starred),
        is_highlighted: Some(&is_highlighted),
        notes: &notes,
        saved: &shelved.saved,
        is_dead: Some(&is_dead),
        synonyms: Some(synonyms),
        meaning,
        ..SearchOptions::default()
    };
    let results = crate::search::search(index, library, &query, &options).unwrap_or_default();
    // Every item shown is read before anything is written. The cache found damaged since it
    // was opened (and now removed) in anything the search read (an item, a body, a word's
    // list) has it run again from the files, rather than show an item as unreadable or leave
    // out what a damaged list held.
    for hit in &results.hits {
        library.item(hit.item);
    }
    if damaged() {
        return Err(CacheDamaged.into());
    }
    if json {
        let hits: Vec<HitJson<'_>> = results
            .hits
            .iter()
            .map(|hit| {
                let item = library.item(hit.item);
                HitJson {
                    id: &item.id,
                    title: &item.title,
                    kind: item.kind,
                    category: library.category_path(item.category),
                    url: item.url.as_deref(),
                    date: item.date.map(|d| d.to_string()),
                    read: view.is_read(item),
                    score: hit.score,
                    field: hit.field,
                    matched: hit.matched,
                    snippet: hit.snippet.as_ref().map(|s| s.text.as_str()),
                    title_positions: &hit.title_positions,
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &hits)?;
        writeln!(out)?;
        return Ok(());
    }
    if let Some(item) = like {
        writeln!(out, "Nearest in meaning to {:?}:", sanitize(&item.title))?;
    }
    if results.hits.is_empty() {
        writeln!(out, "no matches for {text:?}")?;
        return Ok(());
    }
    let matches = results.hits.len().min(results.total);
    for (n, hit) in results.hits.iter().enumerate() {
        let item = library.item(hit.item);
        if n == matches && like.is_none() {
            // Below the matches: near in meaning, or holding some of the words.
            writeln!(
                out,
                "{}",
                if matches == 0 {
                    "— no item holds every word; the nearest (≈ by meaning): —"
                } else {
                    "— the nearest, below the matches (≈ by meaning): —"
                }
            )?;
        }
        writeln!(out, "{:>2}. {}", n + 1, item.title)?;
        writeln!(
            out,
            "    {} · {} · {}",
            item.id,
            item.kind,
            library.category_path(item.category).join(" › ")
        )?;
        if let Some(snippet) = &hit.snippet {
            writeln!(out, "    │ {}", snippet.text)?;
        }
    }
    if results.total + results.near > results.hits.len() {
        let matches = match results.total {
            0 => String::new(),
            1 => "1 match".to_string(),
            n => format!("{n} matches"),
        };
        let of = match (matches.is_empty(), results.near) {
            (_, 0) => matches,
            (true, near) => format!("{near} near"),
            (false, near) => format!("{matches} and {near} near"),
        };
        writeln!(
            out,
            "({} shown of {of}; --limit shows more)",
            results.hits.len()
        )?;
    }
    Ok(())
}

/// What `mark` does to each item: a read mark, or a star.
#[derive(Clone, Copy)]
enum Change {
    Read(bool),
    Star(bool),
}

fn mark(
    out: &mut impl Write,
    library: &ItemIds,
    state: &mut ReadState,
    path: &Path,
    ids: &[String],
    change: Change,
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let all: std::collections::HashSet<&str> = library.iter().collect();
    let (known, unknown): (Vec<&String>, Vec<&String>) =
        ids.iter().partition(|id| all.contains(id.as_str()));
    let mut changed = ReadState::new();
    for id in &known {
        for s in [&mut *state, &mut changed] {
            match change {
                Change::Read(read) => s.set(id, read, now),
                Change::Star(on) => s.set_star(id, on, now),
            };
        }
    }
    if !known.is_empty() {
        // Save only what this command changed, merged under the lock with what is on disk,
        // so a reader running meanwhile keeps its own marks.
        save_state(path, &changed)?;
        let n = known.len();
        let s = if n == 1 { "" } else { "s" };
        match change {
            Change::Read(true) => writeln!(out, "marked {n} item{s} read")?,
            Change::Read(false) => writeln!(out, "marked {n} item{s} unread")?,
            Change::Star(true) => writeln!(out, "starred {n} item{s}")?,
            Change::Star(false) => writeln!(out, "took the star off {n} item{s}")?,
        }
    }
    if unknown.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    for id in unknown {
        eprintln!("quire: {}", unknown_id(library, id));
    }
    Ok(ExitCode::FAILURE)
}

/// "no item with id `x`", with the ids closest to it.
pub(super) fn unknown_id(ids: &ItemIds, id: &str) -> String {
    let hint = did_you_mean(&closest(ids.iter(), id, 3));
    format!(
        "no item with id `{}`{hint} (`quire list` prints the ids)",
        sanitize(id)
    )
}

/// "no category `x`", with the paths closest to it (all of them in `quire categories`).
pub(super) fn unknown_category(library: &Library, path: &str) -> String {
    let paths = category_paths(library);
    let hint = did_you_mean(&closest(paths.iter().map(String::as_str), path, 3));
    format!(
        "no category `{}`{hint} (`quire categories` lists them all)",
        sanitize(path)
    )
}

/// "; did you mean `a`, `b`?", or nothing without a suggestion.
fn did_you_mean(close: &[String]) -> String {
    if close.is_empty() {
        return String::new();
    }
    let names: Vec<String> = close.iter().map(|c| format!("`{c}`")).collect();
    format!("; did you mean {}?", names.join(", "))
}

/// Every category as the path `--category` takes, in tree order.
fn category_paths(library: &Library) -> Vec<String> {
    categories_in_order(library)
        .into_iter()
        .map(|(_, path)| path)
        .collect()
}

/// Every category below the root with its path, in tree order.
fn categories_in_order(library: &Library) -> Vec<(crate::content::CategoryId, String)> {
    let mut out = Vec::new();
    fn walk(
        library: &Library,
        id: crate::content::CategoryId,
        out: &mut Vec<(crate::content::CategoryId, String)>,
    ) {
        for &child in &library.category(id).children {
            out.push((child, library.category_path_text(child)));
            walk(library, child, out);
        }
    }
    walk(library, Library::ROOT, &mut out);
    out
}

/// `quire categories`: each category's path (as `--category` takes it) and its counts. Counted
/// by the node itself: a name holding `/` would make its path name another.
fn categories(out: &mut impl Write, view: View<'_>) -> Result<()> {
    let library = view.library;
    for (id, path) in categories_in_order(library) {
        let items = library.items_under(id);
        let unread = items
            .iter()
            .filter(|&&i| !view.is_read(&library.items[i]))
            .count();
        writeln!(out, "{path}\t{}\t{unread} unread", items.len())?;
    }
    Ok(())
}

/// Up to `n` of `candidates` closest to `wanted`: those holding it (or held by it) first, then
/// by edit distance (at most a third of its length), ties in order.
fn closest<'c>(candidates: impl Iterator<Item = &'c str>, wanted: &str, n: usize) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let lower = c.to_lowercase();
            if lower.contains(&wanted_lower) || (wanted_lower.contains(&lower) && lower.len() > 3) {
                return Some((0, c));
            }
            // A path whose every part begins with the part given (`bookmark/tech` for
            // `Bookmarks/Tech Insights…`).
            let (parts, wanted_parts): (Vec<&str>, Vec<&str>) = (
                lower.split('/').collect(),
                wanted_lower.split('/').collect(),
            );
            if parts.len() == wanted_parts.len()
                && parts
                    .iter()
                    .zip(&wanted_parts)
                    .all(|(p, w)| !w.trim().is_empty() && p.starts_with(w.trim()))
            {
                return Some((1, c));
            }
            let (a, b) = (lower.chars().count(), wanted_lower.chars().count());
            if a.abs_diff(b) > limit {
                return None;
            }
            let d = edit_distance(&lower, &wanted_lower);
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| sanitize(c).into_owned())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `quire config`: the config's path, or the documented default config.
pub fn config_command(
    print_default: bool,
    path_only: bool,
    config_path: &Path,
) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if print_default {
        out.write_all(DEFAULT_CONFIG.as_bytes())?;
    } else if path_only {
        writeln!(out, "{}", config_path.display())?;
    } else {
        writeln!(out, "config: {}", super::describe(config_path))?;
        if let Some(state) = crate::config::default_state_path() {
            writeln!(out, "state:  {}", super::describe(&state))?;
        }
        writeln!(
            out,
            "`quire config --print-default` prints a commented config with every key."
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
