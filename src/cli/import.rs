//! `quire import` and `quire library`: browser bookmarks into the user's library folder.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};

use crate::content::{Root, load_library};
use crate::import::browsers::{self, Browser};
use crate::import::merge::{self, Plan};
use crate::import::url::normalize;
use crate::import::{self as import_, Export};
use crate::text::sanitize_line;

/// `quire library [--path]`.
pub fn library_command(library: Option<&Path>, path_only: bool) -> Result<ExitCode> {
    let library =
        library.ok_or_else(|| anyhow!("cannot find a data directory; pass --library DIR"))?;
    if path_only {
        println!("{}", library.display());
    } else {
        println!(
            "Your library: {}\nImports write there (quire import); it is loaded beside the \
             rest when it exists. --library DIR or `library` under [content] in the config \
             put it elsewhere.",
            super::describe(library)
        );
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
    let bytes =
        std::fs::read(&source).with_context(|| format!("cannot read {}", source.display()))?;
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
    let export: Export =
        import_::parse(&bytes).map_err(|err| anyhow!("{}: {err}", source.display()))?;
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
    let plan = merge::plan(&export, &known);

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "Read {} from {}", export.format, source.display())?;
    if asked.dry_run {
        dry_run(&mut out, &plan, &target)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.additions.is_empty() {
        let text = match std::fs::read_to_string(&target) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => merge::header(
                &title,
                &format!(
                    "Imported from {} with `quire import`. Importing again adds only new \
                     bookmarks, under their folder; what you write here is kept.",
                    source.display()
                ),
            ),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", target.display()));
            }
        };
        let merged = merge::merge(&text, &plan.additions);
        let folder = crate::atomic_file::folder_of(&target);
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        crate::atomic_file::write(&target, merged.as_bytes())
            .with_context(|| format!("cannot write {}", target.display()))?;
    }
    summary(&mut out, &plan, &target)?;
    Ok(ExitCode::SUCCESS)
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

/// `quire import list.opml`: subscribes to its feeds, as listed (no fetch).
fn subscribe_listed(
    library: &Path,
    source: &Path,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ExitCode> {
    use crate::feeds::opml;
    let listed = opml::parse(&String::from_utf8_lossy(bytes))
        .map_err(|e| anyhow!("{}: {e}", source.display()))?;
    let path = crate::feeds::opml_path(library);
    let mut feeds = opml::load(&path).map_err(|e| anyhow!(e))?;
    let mut added = 0;
    for feed in listed {
        if !feeds
            .iter()
            .any(|f| normalize(&f.url) == normalize(&feed.url))
        {
            feeds.push(feed);
            added += 1;
        }
    }
    let s = if added == 1 { "" } else { "s" };
    if dry_run {
        println!(
            "Would subscribe to {added} feed{s} from {} (nothing is written with --dry-run)",
            source.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if added > 0 {
        opml::save(&path, &feeds)?;
    }
    println!(
        "Subscribed to {added} feed{s} from {} ({} in all); `quire sync` fetches the posts",
        source.display(),
        feeds.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// `quire import feed.xml`: its entries written as posts, as a sync writes them.
fn import_feed(library: &Path, source: &Path, bytes: &[u8], dry_run: bool) -> Result<ExitCode> {
    use crate::feeds::sync;
    let parsed = sync::parse(bytes, None).map_err(|e| anyhow!("{}: {e}", source.display()))?;
    let name = source.display().to_string();
    let title = sync::feed_title(&parsed, &name, "");
    // Named as a sync names it: a file of a feed also subscribed to lands in the same folder,
    // where entries already there (by id) are not written again.
    let folder = sync::folder_for(&title, &name, &[]);
    let outcome = sync::write_entries(library, &folder, &title, &parsed, &mut Vec::new(), dry_run)
        .map_err(|e| anyhow!("{}: {e}", source.display()))?;
    let report = sync::Report {
        url: name,
        title,
        folder: folder.clone(),
        outcome,
    };
    println!(
        "{}{} (into {})",
        if dry_run { "Would write — " } else { "" },
        sanitize_line(&report.line()),
        crate::feeds::feeds_dir(library).join(folder).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn summary(out: &mut impl Write, plan: &Plan<'_>, target: &Path) -> Result<()> {
    let added = plan.additions.len();
    if added == 0 {
        writeln!(out, "Nothing new: {} is unchanged.", target.display())?;
    } else {
        let s = if added == 1 { "" } else { "s" };
        writeln!(out, "Added {added} bookmark{s} to {}", target.display())?;
    }
    counts(out, plan)
}

fn counts(out: &mut impl Write, plan: &Plan<'_>) -> Result<()> {
    if plan.present > 0 {
        writeln!(out, "  {} already in your library", plan.present)?;
    }
    if plan.repeated > 0 {
        writeln!(
            out,
            "  {} more than once in the export (taken once)",
            plan.repeated
        )?;
    }
    for (kind, n) in plan.skipped_summary() {
        writeln!(out, "  {n} skipped: {}", kind.plural())?;
    }
    Ok(())
}

fn dry_run(out: &mut impl Write, plan: &Plan<'_>, target: &Path) -> Result<()> {
    let added = plan.additions.len();
    writeln!(
        out,
        "Would add {added} bookmark{} to {} (nothing is written with --dry-run):",
        if added == 1 { "" } else { "s" },
        target.display()
    )?;
    let mut folder: Option<&Vec<String>> = None;
    for (path, link) in &plan.additions {
        if folder != Some(path) {
            writeln!(out, "  {}", path.join(" › "))?;
            folder = Some(path);
        }
        let title = sanitize_line(&link.title);
        writeln!(out, "    + {}  {}", title.trim(), sanitize_line(&link.url))?;
    }
    counts(out, plan)?;
    for (kind, link) in &plan.skipped {
        writeln!(
            out,
            "  - skipped ({}): {}  {}",
            kind.plural(),
            sanitize_line(&link.title).trim(),
            crate::render::wrap::truncate(&sanitize_line(&link.url), 80)
        )?;
    }
    Ok(())
}
