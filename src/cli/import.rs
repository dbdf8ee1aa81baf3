//! `quire import` and `quire library`: browser bookmarks into the user's library folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};

use crate::content::{Root, load_library};
use crate::import::browsers::{self, Browser};
use crate::import::merge::{self, Plan};
use crate::import::url::normalize;
use crate::import::{self as import_, Export};
use crate::text::sanitize_line;
use crate::writer::WriteError;

/// `quire library [--path]`.
pub fn library_command(library: Option<&Path>, path_only: bool) -> Result<ExitCode> {
    let library =
        library.ok_or_else(|| anyhow!("cannot find a data directory; pass --library DIR"))?;
    if path_only {
        // The path exactly, for `cd "$(quire library --path)"`: it is the user's own, not
        // content, and is written as the bytes it is.
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(library.as_os_str().as_encoded_bytes())?;
        out.write_all(b"\n")?;
    } else {
        say!(
            "Your library: {}\nImports write there (quire import); it is loaded beside the \
             rest when it exists. --library DIR or `library` under [content] in the config \
             put it elsewhere.",
            super::describe(library)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `quire import` was asked to do.
pub struct Asked {
    pub file: Option<PathBuf>,
    pub browser: Option<String>,
    pub into: Option<PathBuf>,
    pub dry_run: bool,
    pub library: PathBuf,
    /// Everything loaded (the library folder among it): urls in it are not added again.
    pub roots: Vec<Root>,
}

pub fn run(asked: Asked) -> Result<ExitCode> {
    let (source, name, title) = match (&asked.file, &asked.browser) {
        (_, Some(browser)) => {
            let browser = Browser::parse(browser).ok_or_else(|| anyhow!("unknown browser"))?;
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .ok_or_else(|| anyhow!("HOME is not set; give the export file instead"))?;
            let file = browsers::bookmarks_file(browser, &home).map_err(|e| anyhow!(e))?;
            (
                file,
                browser.name().to_string(),
                browser.title().to_string(),
            )
        }
        (Some(file), None) => {
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let slug = crate::content::id::slugify(&stem);
            let name = if slug.is_empty() {
                "imported".into()
            } else {
                slug
            };
            let title = format!("Bookmarks from {}", sanitize_line(&stem));
            (file.clone(), name, title)
        }
        (None, None) => bail!("give an export file, or --browser NAME"),
    };
    // A browser's own file is a regular file; anything else there is not read (a FIFO would
    // hang the import).
    if asked.browser.is_some() && !std::fs::metadata(&source).is_ok_and(|m| m.is_file()) {
        bail!("{} is not a regular file; not read", source.display());
    }
    let bytes = read_input(&source)?;
    if asked.browser.is_none() {
        match feed_kind(&bytes) {
            Some(FeedKind::Opml) => {
                return subscribe_listed(&asked.library, &source, &bytes, asked.dry_run);
            }
            Some(FeedKind::Feed) => {
                return import_feed(&asked.library, &source, &bytes, asked.dry_run);
            }
            None => {}
        }
    }
    let export: Export = import_::parse(&bytes).map_err(|err| {
        // From a file given by name, a feed or an OPML list would have been taken too.
        let also = if asked.browser.is_none() {
            "; nor a feed (RSS, Atom, JSON Feed) or an OPML list of feeds, which import also takes"
        } else {
            ""
        };
        anyhow!("{}: {err}{also}", source.display())
    })?;
    let target = match &asked.into {
        // Inside the library only: a collection anywhere else would not be loaded.
        Some(into)
            if into.is_absolute()
                || into
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir)) =>
        {
            bail!(
                "--into {}: give a path inside your library folder ({}), e.g. bookmarks/work.md",
                into.display(),
                asked.library.display()
            )
        }
        Some(into) => asked.library.join(into),
        // A browser's own file always goes to its collection; an export file goes where an
        // earlier export of the same bookmarks went (Chrome names each export by its date).
        None if asked.browser.is_none()
            && let Some(earlier) = earlier_import(&asked.library, &export) =>
        {
            say!(
                "{} of its {} links are in {}, which an earlier import wrote: adding to it \
                 (--into picks another collection)",
                earlier.shared,
                earlier.of,
                earlier.path.display()
            )?;
            earlier.path
        }
        None => asked.library.join("bookmarks").join(format!("{name}.md")),
    };
    if target.extension().is_none_or(|e| e != "md") {
        bail!("{}: the collection must be a .md file", target.display());
    }

    let library = load_library(&asked.roots)?;
    let known: HashSet<String> = library
        .items
        .iter()
        .filter_map(|item| item.url.as_deref())
        .map(normalize)
        .collect();
    drop(library);

    say!("Read {} from {}", export.format, source.display())?;
    if asked.dry_run {
        let plan = merge::plan(&export, &known);
        dry_run(&plan, &target)?;
        return Ok(ExitCode::SUCCESS);
    }
    let description = format!(
        "Imported from {} with `quire import`. Importing again adds only new bookmarks, under \
         their folder; what you write here is kept.",
        source.display()
    );
    let plan = write_collection(
        &asked.library,
        &target,
        &export,
        &known,
        &title,
        &description,
    )?;
    summary(&plan, &target)?;
    Ok(ExitCode::SUCCESS)
}

/// A collection an earlier `quire import` wrote that holds the same bookmarks.
struct Earlier {
    path: PathBuf,
    /// How many of the export's links it holds, of how many.
    shared: usize,
    of: usize,
}

/// The collection under `bookmarks/` that an earlier import wrote and that holds the most of
/// this export's links, when it holds at least half of them: the same browser's bookmarks
/// exported again. One pass over each collection and the export.
fn earlier_import(library: &Path, export: &Export) -> Option<Earlier> {
    let mut links = HashSet::new();
    import_::walk(export, |_, link| {
        if !link.url.trim().is_empty() {
            links.insert(normalize(&link.url));
        }
    });
    if links.is_empty() {
        return None;
    }
    let folder = library.join("bookmarks");
    let mut best: Option<Earlier> = None;
    for entry in std::fs::read_dir(&folder).ok()?.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Some(bytes) = crate::writer::read_regular(&path, MAX_INPUT_BYTES) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        // Only what an import wrote (its description says so in the front matter).
        let head = &text[..text.len().min(4096)];
        if !head.contains("with `quire import`") {
            continue;
        }
        let collection = crate::content::bookmarks::parse_collection(
            text,
            1,
            crate::content::bookmarks::Mode::Marked,
        );
        let held: HashSet<String> = collection
            .bookmarks
            .iter()
            .filter_map(|b| b.url.as_deref())
            .map(normalize)
            .collect();
        let shared = links.iter().filter(|l| held.contains(*l)).count();
        if shared * 2 >= links.len() && best.as_ref().is_none_or(|b| shared > b.shared) {
            best = Some(Earlier {
                path,
                shared,
                of: links.len(),
            });
        }
    }
    best
}

/// Merges what is new of `export` into the collection at `target`, under the library's
/// writer lock: the collection is read (and what it holds counted as known) under the lock,
/// so two imports at once add each bookmark once; the write replaces the file only if it
/// still holds what was read (an edit saved meanwhile is read again and kept).
fn write_collection<'e>(
    library: &Path,
    target: &Path,
    export: &'e Export,
    known: &HashSet<String>,
    title: &str,
    description: &str,
) -> Result<Plan<'e>> {
    let lock = crate::writer::LibraryLock::acquire(library)?;
    for _ in 0..5 {
        let current = read_collection(target)?;
        // Bytes that are not UTF-8 are the user's too: a file holding them is not rewritten
        // (a lossy read would turn them into U+FFFD for good).
        let text = match &current {
            Some(bytes) => Some(std::str::from_utf8(bytes).map_err(|e| {
                anyhow!(
                    "{}: byte {} is not UTF-8; Quire adds to a collection only when it can keep \
                     every byte of it (save it as UTF-8, or import --into another file)",
                    target.display(),
                    e.valid_up_to()
                )
            })?),
            None => None,
        };
        let mut known = known.clone();
        if let Some(text) = text {
            let in_file = crate::content::bookmarks::parse_collection(
                text,
                1,
                crate::content::bookmarks::Mode::Marked,
            );
            known.extend(
                in_file
                    .bookmarks
                    .iter()
                    .filter_map(|b| b.url.as_deref())
                    .map(normalize),
            );
        }
        let plan = merge::plan(export, &known);
        if plan.additions.is_empty() {
            return Ok(plan);
        }
        let written = match (&current, text) {
            (Some(bytes), Some(text)) => {
                let merged = merge::merge(text, &plan.additions);
                lock.replace(target, bytes, merged.as_bytes())
            }
            _ => {
                let merged = merge::merge(&merge::header(title, description), &plan.additions);
                let folder = crate::store::atomic_file::folder_of(target);
                std::fs::create_dir_all(folder)
                    .with_context(|| format!("cannot create {}", folder.display()))?;
                lock.create(target, merged.as_bytes())
            }
        };
        match written {
            Ok(()) => return Ok(plan),
            // Changed or created meanwhile (an editor's save): read it again.
            Err(WriteError::Changed { .. } | WriteError::Exists { .. }) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    bail!(
        "{} kept changing while Quire tried to add to it; nothing was added",
        target.display()
    )
}

/// The collection's bytes; `None` when it does not exist yet. Only a regular file (or a link
/// to one) is read.
fn read_collection(target: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::metadata(target) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("cannot read {}", target.display())),
        Ok(meta) if !meta.is_file() => bail!("{} is not a regular file", target.display()),
        Ok(_) => crate::writer::read_regular(target, MAX_COLLECTION_BYTES)
            .map(Some)
            .ok_or_else(|| {
                anyhow!(
                    "cannot read {} (over {} MiB, or unreadable)",
                    target.display(),
                    MAX_COLLECTION_BYTES >> 20
                )
            }),
    }
}

/// The loader reads no file bigger than this; import adds to none bigger either.
const MAX_COLLECTION_BYTES: u64 = crate::content::source::MAX_FILE_BYTES;

/// An export of 100,000 bookmarks is some 30 MB; no export or feed file is read past this.
const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// A file given to read (an export, a feed, a list): whatever it is (a pipe from `<(…)`
/// too), never more than [`MAX_INPUT_BYTES`] of it (a link to `/dev/zero` would fill memory).
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        bail!(
            "{} is more than {} MiB: no bookmarks export, feed or list is that big",
            path.display(),
            MAX_INPUT_BYTES >> 20
        );
    }
    Ok(bytes)
}

enum FeedKind {
    Opml,
    Feed,
}

/// An OPML list or a feed (Atom, RSS, JSON Feed), told from the start of the content.
fn feed_kind(bytes: &[u8]) -> Option<FeedKind> {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    if start.contains("<opml") {
        Some(FeedKind::Opml)
    } else if start.contains("<rss")
        || start.contains("<feed")
        || start.contains("<rdf:rdf")
        || (start.trim_start().starts_with('{') && start.contains("jsonfeed.org"))
    {
        Some(FeedKind::Feed)
    } else {
        None
    }
}

/// `quire import list.opml`: subscribes to its feeds, as listed (no fetch), by the same
/// rule as `quire subscribe --opml` (web addresses only).
fn subscribe_listed(
    library: &Path,
    source: &Path,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ExitCode> {
    use crate::feeds::opml;
    let listed = opml::parse(&String::from_utf8_lossy(bytes))
        .map_err(|e| anyhow!("{}: {e}", source.display()))?;
    let mut refused = 0;
    let listed: Vec<_> = listed
        .into_iter()
        .filter(|feed| match opml::check_url(&feed.url) {
            Ok(()) => true,
            Err(why) => {
                complain!("{}: {why}; not subscribed", feed.url);
                refused += 1;
                false
            }
        })
        .collect();
    let present: HashSet<String> = opml::load(&crate::feeds::opml_path(library))
        .map_err(|e| anyhow!(e))?
        .iter()
        .map(|f| crate::feeds::sync::plain_url(&f.url))
        .collect();
    if dry_run {
        let mut new = HashSet::new();
        let count = listed
            .iter()
            .map(|f| crate::feeds::sync::plain_url(&f.url))
            .filter(|u| !present.contains(u) && new.insert(u.clone()))
            .count();
        let s = if count == 1 { "" } else { "s" };
        say!(
            "Would subscribe to {count} feed{s} from {} (nothing is written with --dry-run)",
            source.display()
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let added = super::feeds::add_subscriptions(library, listed)?;
    let all = opml::load(&crate::feeds::opml_path(library))
        .map_err(|e| anyhow!(e))?
        .len();
    let s = if added == 1 { "" } else { "s" };
    say!(
        "Subscribed to {added} feed{s} from {} ({all} in all); `quire sync` fetches the posts",
        source.display(),
    )?;
    Ok(if refused > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `quire import feed.xml`: its entries written as posts, as a sync writes them.
fn import_feed(library: &Path, source: &Path, bytes: &[u8], dry_run: bool) -> Result<ExitCode> {
    use crate::feeds::{state, sync};
    let parsed = sync::parse(bytes, None).map_err(|e| anyhow!("{}: {e}", source.display()))?;
    let name = source.display().to_string();
    let title = sync::feed_title(&parsed, &name, "");
    // A file of a feed also subscribed to lands in that feed's folder (found by its Atom id
    // or self link), where entries already there (by id) are not written again; else in the
    // folder of its title, as a sync names it.
    let identity = sync::identity(&parsed, &name);
    // What a file of a feed says of itself (its Atom id, its self link) is what it has: a
    // file of a feed subscribed to, or imported before (under another title too), goes to
    // that folder; another feed's file of the same title gets a folder of its own.
    let record_key = identity
        .iter()
        .find(|k| k.starts_with("id:") || k.starts_with("self:"))
        .map(|k| format!("import:{k}"));
    let known = state::load(library);
    let folder = known
        .feeds
        .values()
        .find(|s| {
            state::is_plain_folder(&s.folder)
                && s.identity.iter().any(|k| {
                    (k.starts_with("id:") || k.starts_with("self:")) && identity.contains(k)
                })
        })
        .map(|s| s.folder.clone())
        .unwrap_or_else(|| {
            let taken: Vec<String> = known.feeds.values().map(|s| s.folder.clone()).collect();
            sync::folder_for(&title, &name, &taken)
        });
    // The folder's own lock, as a sync writing it takes.
    let dir = crate::feeds::feeds_dir(library).join(&folder);
    let new_folder = !dir.exists();
    let lock = if dry_run {
        None
    } else {
        Some(crate::writer::LibraryLock::acquire_folder(library, &dir)?)
    };
    let outcome = sync::write_entries(
        library,
        lock.as_ref(),
        &folder,
        &title,
        &parsed,
        &[],
        new_folder,
    )
    .map_err(|e| anyhow!("{}: {e}", source.display()))?;
    // Remembered, so the next import of this feed finds its folder whatever its title.
    if let (Some(key), false) = (record_key, dry_run) {
        let lock = crate::writer::LibraryLock::acquire(library)?;
        let mut all = state::load_for_update(&lock);
        let record = all.feeds.entry(key).or_default();
        record.folder.clone_from(&folder);
        record.identity = identity;
        state::save(&lock, &all)?;
    }
    let report = sync::Report {
        url: name,
        title,
        folder: folder.clone(),
        same_as: None,
        outcome,
    };
    say!(
        "{}{} (into {})",
        if dry_run { "Would write — " } else { "" },
        report.line(),
        crate::feeds::feeds_dir(library).join(folder).display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn summary(plan: &Plan<'_>, target: &Path) -> Result<()> {
    let added = plan.additions.len();
    if added == 0 {
        say!("Nothing new: {} is unchanged.", target.display())?;
    } else {
        let s = if added == 1 { "" } else { "s" };
        say!("Added {added} bookmark{s} to {}", target.display())?;
    }
    counts(plan)
}

fn counts(plan: &Plan<'_>) -> Result<()> {
    if plan.present > 0 {
        say!("  {} already in your library", plan.present)?;
    }
    if plan.repeated > 0 {
        say!(
            "  {} more than once in the export (taken once)",
            plan.repeated
        )?;
    }
    for (kind, n) in plan.skipped_summary() {
        say!("  {n} skipped: {}", kind.plural())?;
    }
    Ok(())
}

fn dry_run(plan: &Plan<'_>, target: &Path) -> Result<()> {
    let added = plan.additions.len();
    say!(
        "Would add {added} bookmark{} to {} (nothing is written with --dry-run):",
        if added == 1 { "" } else { "s" },
        target.display()
    )?;
    let mut folder: Option<&Vec<String>> = None;
    for (path, link) in &plan.additions {
        if folder != Some(path) {
            say!("  {}", path.join(" › "))?;
            folder = Some(path);
        }
        say!(
            "    + {}  {}",
            merge::title_of(link),
            sanitize_line(&link.url)
        )?;
    }
    counts(plan)?;
    for (kind, link) in &plan.skipped {
        say!(
            "  - skipped ({}): {}  {}",
            kind.plural(),
            sanitize_line(&link.title).trim(),
            crate::render::wrap::truncate(&sanitize_line(&link.url), 80)
        )?;
    }
    Ok(())
}
