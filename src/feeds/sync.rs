//! A sync: every subscription fetched in parallel (a few at a time), each feed's new and
//! changed entries written as post files under `<library>/feeds/<folder>/`, nothing written
//! twice, no edit of the user's overwritten. One feed failing never stops the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::entry::{self, read_back};
use super::fetch::{self, Fetched};
use super::opml::Feed;
use super::state::{self, FeedState, SyncState};
use crate::content::id::slugify;
use crate::state::Timestamp;

/// Feeds fetched at once.
const PARALLEL: usize = 4;

/// How one feed's sync went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub url: String,
    pub title: String,
    /// The folder its posts are in, under the library.
    pub folder: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// 304: nothing changed since the last sync.
    NotModified,
    Synced {
        new: usize,
        updated: usize,
        /// Entries changed upstream whose file the user edited: left as the user has it.
        kept_edited: usize,
    },
    Failed {
        reason: String,
    },
}

impl Report {
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }

    /// One line for a terminal.
    pub fn line(&self) -> String {
        let what = match &self.outcome {
            Outcome::NotModified => "not modified".to_string(),
            Outcome::Synced {
                new,
                updated,
                kept_edited,
            } => {
                let mut parts = vec![format!("{new} new")];
                if *updated > 0 {
                    parts.push(format!("{updated} updated"));
                }
                if *kept_edited > 0 {
                    parts.push(format!(
                        "{kept_edited} changed upstream, kept as you edited"
                    ));
                }
                parts.join(", ")
            }
            Outcome::Failed { reason } => format!("failed: {reason}"),
        };
        let name = if self.title.is_empty() {
            &self.url
        } else {
            &self.title
        };
        format!("{name}: {what}")
    }
}

/// Syncs `feeds` into `library`; `progress` hears each feed as it finishes. The titles a feed
/// gave are returned in the reports (for a list that had none).
pub fn sync(
    library: &Path,
    feeds: &[Feed],
    timeout: Duration,
    progress: &(dyn Fn(&Report) + Sync),
) -> Vec<Report> {
    let agent = fetch::agent(timeout);
    // The folder of all feeds is named "Feeds" (once, before the feeds run in parallel).
    let index = super::feeds_dir(library).join("_index.md");
    if !index.exists() {
        let _ = std::fs::create_dir_all(super::feeds_dir(library));
        let _ = write(&index, "+++\ntitle = \"Feeds\"\n+++\n");
    }
    let state = Mutex::new(state::load(library));
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(vec![None; feeds.len()]);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(feeds.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(feed) = feeds.get(i) else { break };
                    let before = lock(&state)
                        .feeds
                        .get(&feed.url)
                        .cloned()
                        .unwrap_or_default();
                    let (report, after) = one(library, &agent, feed, before, &state);
                    lock(&state).feeds.insert(feed.url.clone(), after);
                    progress(&report);
                    lock(&reports)[i] = Some(report);
                }
            });
        }
    });
    let state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Err(err) = state::save(library, &state) {
        // Only the validators are lost: the next sync fetches in full.
        eprintln!("quire: the sync state could not be saved: {err}");
    }
    reports
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Folders other feeds use: a new feed's folder must not be one of them.
fn taken_folders(state: &SyncState, url: &str) -> Vec<String> {
    state
        .feeds
        .iter()
        .filter(|(u, _)| u.as_str() != url)
        .map(|(_, s)| s.folder.clone())
        .collect()
}

fn one(
    library: &Path,
    agent: &ureq::Agent,
    feed: &Feed,
    mut state: FeedState,
    all: &Mutex<SyncState>,
) -> (Report, FeedState) {
    let mut report = Report {
        url: feed.url.clone(),
        title: feed.title.clone(),
        folder: String::new(),
        outcome: Outcome::NotModified,
    };
    state.synced_at = Some(Timestamp::now().to_string());
    let result = fetch::fetch(
        agent,
        &feed.url,
        state.etag.as_deref(),
        state.last_modified.as_deref(),
    )
    .and_then(|fetched| match fetched {
        Fetched::NotModified => Ok(None),
        Fetched::Body {
            bytes,
            etag,
            last_modified,
            content_type,
        } => {
            let parsed = parse(&bytes, content_type.as_deref())?;
            Ok(Some((parsed, etag, last_modified)))
        }
    });
    match result {
        Ok(None) => {}
        Ok(Some((parsed, etag, last_modified))) => {
            let title = feed_title(&parsed, &feed.url, &feed.title);
            if state.folder.is_empty() {
                // Chosen and claimed at once: two new feeds of one title syncing together
                // get a folder each.
                let mut all = lock(all);
                state.folder = folder_for(&title, &feed.url, &taken_folders(&all, &feed.url));
                all.feeds
                    .entry(feed.url.clone())
                    .or_default()
                    .folder
                    .clone_from(&state.folder);
            }
            report.title = title.clone();
            let folder = state.folder.clone();
            match write_entries(library, &folder, &title, &parsed, &mut state.written, false) {
                Ok(outcome) => {
                    // Validators are kept only once the posts are safely written.
                    state.etag = etag;
                    state.last_modified = last_modified;
                    report.outcome = outcome;
                }
                Err(err) => report.outcome = Outcome::Failed { reason: err },
            }
        }
        Err(reason) => report.outcome = Outcome::Failed { reason },
    }
    report.folder = state.folder.clone();
    state.result = Some(report.line());
    (report, state)
}

/// One line for a whole sync (the reader's status bar).
pub fn summary(reports: &[Report], shown: bool) -> String {
    let new: usize = reports
        .iter()
        .map(|r| match r.outcome {
            Outcome::Synced { new, .. } => new,
            _ => 0,
        })
        .sum();
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| r.failed())
        .map(|r| {
            if r.title.is_empty() {
                r.url.as_str()
            } else {
                r.title.as_str()
            }
        })
        .collect();
    let s = if new == 1 { "" } else { "s" };
    let feeds = reports.len();
    let fs = if feeds == 1 { "" } else { "s" };
    let mut line = format!("Synced {feeds} feed{fs}: {new} new post{s}");
    if !failed.is_empty() {
        line.push_str(&format!(
            "; failed: {} (quire feeds says why)",
            failed.join(", ")
        ));
    }
    if new > 0 && !shown {
        line.push_str("; restart quire to show your library");
    }
    line
}

/// A feed's name: its title, else the list's, else its site's host (a feed may have no
/// title at all).
pub fn feed_title(parsed: &feed_rs::model::Feed, url: &str, listed: &str) -> String {
    let own = parsed
        .title
        .as_ref()
        .map(|t| entry::cut(crate::text::sanitize_line(&t.content).trim(), 200))
        .filter(|t| !t.is_empty());
    let host = |u: &str| {
        url::Url::parse(u).ok().and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        })
    };
    own.or_else(|| Some(listed.trim().to_string()).filter(|t| !t.is_empty()))
        .or_else(|| {
            parsed
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .and_then(|l| host(&l.href))
        })
        .or_else(|| host(url))
        .unwrap_or_else(|| url.to_string())
}

/// Parses a fetched body as a feed; an HTML page or garbage says what it is.
pub fn parse(bytes: &[u8], content_type: Option<&str>) -> Result<feed_rs::model::Feed, String> {
    // An entry without an id gets one made from its link and title, the same at every sync
    // (feed-rs makes a random one when there is no link).
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| {
            let link = links.first().map(|l| l.href.as_str()).unwrap_or_default();
            let title = title
                .as_ref()
                .map(|t| t.content.as_str())
                .unwrap_or_default();
            format!(
                "quire:{:016x}",
                crate::content::id::fnv1a(format!("{link}\n{title}").as_bytes())
            )
        })
        .build();
    parser.parse(bytes).map_err(|err| {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if content_type.is_some_and(|c| c.contains("html")) || start.contains("<html") {
            "the address is a web page, not a feed (quire subscribe finds the feed a page names)"
                .to_string()
        } else {
            let _ = err;
            "not a feed (neither Atom, RSS nor JSON Feed)".to_string()
        }
    })
}

/// A folder name for a new feed: its title's slug (else its host), not one another feed has.
pub fn folder_for(title: &str, url: &str, taken: &[String]) -> String {
    let mut base = slugify(title);
    if base.is_empty() {
        base = slugify(url.split("://").nth(1).unwrap_or(url));
    }
    if base.is_empty() {
        base = "feed".into();
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// Writes the feed's new and changed entries into `<library>/feeds/<folder>/` (or, with
/// `dry_run`, only counts them). `written` holds the ids written before (a post the user
/// deleted is not written again) and gains the new ones.
pub fn write_entries(
    library: &Path,
    folder: &str,
    title: &str,
    parsed: &feed_rs::model::Feed,
    written: &mut Vec<String>,
    dry_run: bool,
) -> Result<Outcome, String> {
    let dir = super::feeds_dir(library).join(folder);
    if !dry_run {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // The folder is named by the feed's title.
        write_if_changed(
            &dir.join("_index.md"),
            &format!(
                "+++\ntitle = {}\n+++\n",
                toml::Value::String(title.to_string())
            ),
        )?;
    }
    let mut known: HashMap<String, (PathBuf, String, bool)> = HashMap::new();
    for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = file.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&path)
            && let Some((id, hash, untouched)) = read_back(&text)
        {
            known.insert(id, (path, hash, untouched));
        }
    }
    let before: std::collections::HashSet<String> = written.iter().cloned().collect();
    let base = parsed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let (mut new, mut updated, mut kept_edited) = (0, 0, 0);
    // Entries come newest first; an id twice in one feed is written once.
    let mut done = std::collections::HashSet::new();
    for item in &parsed.entries {
        let post = entry::post(title, item, base.as_deref());
        if !done.insert(post.id.clone()) {
            continue;
        }
        match known.get(&post.id) {
            Some((_, hash, _)) if *hash == post.hash => {}
            Some((_, _, false)) => kept_edited += 1,
            Some((path, _, true)) => {
                if !dry_run {
                    write(path, &post.text)?;
                }
                updated += 1;
            }
            // Written once, since deleted or moved away: the user's choice.
            None if before.contains(&post.id) => {}
            None => {
                if !dry_run {
                    let path = free_name(&dir, &post.file_name);
                    write(&path, &post.text)?;
                    written.push(post.id.clone());
                }
                new += 1;
            }
        }
    }
    Ok(Outcome::Synced {
        new,
        updated,
        kept_edited,
    })
}

/// `name` in `dir`, or `name-2.md`… when a file of another entry has it.
fn free_name(dir: &Path, name: &str) -> PathBuf {
    let stem = name.trim_end_matches(".md");
    let mut path = dir.join(name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.md"));
        n += 1;
    }
    path
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::atomic_file::write(path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes `text` unless the file already says it.
fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    match std::fs::read_to_string(path) {
        Ok(old) if old == text => Ok(()),
        _ => write(path, text),
    }
}
