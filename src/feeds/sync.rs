//! A sync: every subscription fetched in parallel (a few at a time), each feed's new and
//! changed entries written as post files under `<library>/feeds/<folder>/`, nothing written
//! twice, no edit of the user's overwritten. One feed failing never stops the others.

use std::collections::{HashMap, HashSet};
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
use crate::import::url::normalize;
use crate::state::Timestamp;
use crate::writer::{Batch, LibraryLock, WriteError};

/// Feeds fetched at once.
const PARALLEL: usize = 4;

/// How one feed's sync went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub url: String,
    pub title: String,
    /// The folder its posts are in, under the library.
    pub folder: String,
    /// Another subscription to the same feed (under another url), whose folder it shares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
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
        /// Posts that could not be written (the first reason in `error`); the next sync
        /// tries them again.
        #[serde(skip_serializing_if = "is_zero")]
        not_written: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Entries past the first [`MAX_ENTRIES`], left for later syncs.
        #[serde(skip_serializing_if = "is_zero")]
        later: usize,
    },
    Failed {
        reason: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Outcome {
    /// Whether every post that should have been written was.
    fn all_written(&self) -> bool {
        match self {
            Outcome::Synced {
                not_written, later, ..
            } => *not_written == 0 && *later == 0,
            Outcome::NotModified => true,
            Outcome::Failed { .. } => false,
        }
    }
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
                not_written,
                error,
                later,
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
                if *not_written > 0 {
                    parts.push(format!(
                        "{not_written} not written ({})",
                        error.as_deref().unwrap_or("unknown error")
                    ));
                }
                if *later > 0 {
                    parts.push(format!(
                        "{later} older entries left for later (at most {MAX_ENTRIES} a sync)"
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
        match &self.same_as {
            Some(other) => format!("{name}: {what} (the same feed as {other}: one folder)"),
            None => format!("{name}: {what}"),
        }
    }
}

/// Syncs `feeds` into `library`; `progress` hears each feed as it finishes. The titles a feed
/// gave are returned in the reports (for a list that had none).
///
/// Feeds are fetched in parallel; each one's posts and its part of the sync state are written
/// under the library's writer lock, the state read again from disk first and saved before
/// the lock goes: another sync running at once (the reader's `S` and a cron job) sees every
/// post this one wrote, and a sync killed half-way keeps what it finished.
pub fn sync(
    library: &Path,
    feeds: &[Feed],
    timeout: Duration,
    progress: &(dyn Fn(&Report) + Sync),
) -> Vec<Report> {
    let agent = fetch::agent(timeout);
    let next = AtomicUsize::new(0);
    let reports = Mutex::new(vec![None; feeds.len()]);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(feeds.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(feed) = feeds.get(i) else { break };
                    // A bug on one feed's content costs that feed, not the sync (nor the
                    // reader it runs in).
                    let report = crate::panics::quietly(|| one(library, &agent, feed))
                        .unwrap_or_else(|| Report {
                            url: feed.url.clone(),
                            title: feed.title.clone(),
                            folder: String::new(),
                            same_as: None,
                            outcome: Outcome::Failed {
                                reason: "a bug in Quire stopped this feed's sync".into(),
                            },
                        });
                    progress(&report);
                    lock(&reports)[i] = Some(report);
                }
            });
        }
    });
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

/// Fetches, parses and writes one feed.
fn one(library: &Path, agent: &ureq::Agent, feed: &Feed) -> Report {
    let mut report = Report {
        url: feed.url.clone(),
        title: feed.title.clone(),
        folder: String::new(),
        same_as: None,
        outcome: Outcome::NotModified,
    };
    // The validators as the last sync left them (read without the lock: the file is only
    // ever replaced whole).
    let before = state::load(library)
        .feeds
        .get(&feed.url)
        .cloned()
        .unwrap_or_default();
    let fetched = fetch::fetch(
        agent,
        &feed.url,
        before.etag.as_deref(),
        before.last_modified.as_deref(),
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
    let written = match fetched {
        Ok(None) => record(library, &feed.url, &mut report, |_| {}),
        Err(reason) => {
            report.outcome = Outcome::Failed { reason };
            record(library, &feed.url, &mut report, |_| {})
        }
        Ok(Some((parsed, etag, last_modified))) => {
            report.title = feed_title(&parsed, &feed.url, &feed.title);
            // Made before the lock is taken: converting HTML is the slow part.
            let posts = posts_of(&report.title, &parsed);
            write_feed(
                library,
                feed,
                &parsed,
                &posts,
                &mut report,
                etag,
                last_modified,
            )
        }
    };
    if let Err(err) = written {
        report.outcome = Outcome::Failed {
            reason: err.to_string(),
        };
    }
    report
}

/// Saves how a fetch that wrote nothing went (not modified, failed).
fn record(
    library: &Path,
    url: &str,
    report: &mut Report,
    change: impl FnOnce(&mut FeedState),
) -> Result<(), WriteError> {
    let lock = LibraryLock::acquire(library)?;
    let mut all = state::load(library);
    let state = all.feeds.entry(url.to_string()).or_default();
    state.synced_at = Some(Timestamp::now().to_string());
    state.result = Some(report.line());
    report.folder = state.folder.clone();
    change(state);
    state::save(&lock, &all)
}

/// Writes one fetched feed's posts and its state. Where its posts go is decided (a new folder
/// claimed) under the library's lock; the posts are written under their folder's own lock, so
/// feeds in other folders are written at the same time (creating files is most of a first
/// sync's time); the state is saved under the library's lock again, the folder's still held,
/// so what it says of the folder is what the folder holds.
fn write_feed(
    library: &Path,
    feed: &Feed,
    parsed: &feed_rs::model::Feed,
    posts: &Posts,
    report: &mut Report,
    etag: Option<String>,
    last_modified: Option<String>,
) -> Result<(), WriteError> {
    let identity = identity(parsed, &feed.url);
    let folder = {
        let lock = LibraryLock::acquire(library)?;
        let mut all = state::load(library);
        let (folder, same_as) = folder_of(&all, &feed.url, &report.title, &identity);
        report.same_as = same_as;
        // The folder of all feeds is named "Feeds"; the user may rename it.
        let index = super::feeds_dir(library).join("_index.md");
        ignore_exists(lock.create(&index, b"+++\ntitle = \"Feeds\"\n+++\n"))?;
        let state = all.feeds.entry(feed.url.clone()).or_default();
        if state.folder != folder || state.identity != identity {
            state.folder.clone_from(&folder);
            state.identity.clone_from(&identity);
            state::save(&lock, &all)?;
        }
        folder
    };
    report.folder = folder.clone();
    let dir = super::feeds_dir(library).join(&folder);
    let folder_lock = LibraryLock::acquire_folder(library, &dir)?;
    // What was written before, as the last writer of this folder left it.
    let mut written = state::load(library)
        .feeds
        .get(&feed.url)
        .map(|s| s.written.clone())
        .unwrap_or_default();
    let outcome = write_entries(
        library,
        Some(&folder_lock),
        &folder,
        &report.title,
        posts,
        &mut written,
    )?;
    let lock = LibraryLock::acquire(library)?;
    let mut all = state::load(library);
    let state = all.feeds.entry(feed.url.clone()).or_default();
    state.folder = folder;
    state.identity = identity;
    state.written = written;
    // Validators are kept only once every post is safely written: otherwise the next sync
    // fetches in full and writes what is missing.
    if outcome.all_written() {
        state.etag = etag;
        state.last_modified = last_modified;
    }
    report.outcome = outcome;
    state.synced_at = Some(Timestamp::now().to_string());
    state.result = Some(report.line());
    state::save(&lock, &all)?;
    drop(folder_lock);
    Ok(())
}

/// `Exists` is no error for a file written only when missing.
fn ignore_exists(result: Result<(), WriteError>) -> Result<(), WriteError> {
    match result {
        Err(WriteError::Exists { .. }) => Ok(()),
        other => other,
    }
}

/// The folder a feed's posts go to: the one it has; else that of another subscription to the
/// same feed (under another url: `?utm=1`, or found again through its site after an
/// unsubscribe), said in the report; else a new one named by its title.
fn folder_of(
    all: &SyncState,
    url: &str,
    title: &str,
    identity: &[String],
) -> (String, Option<String>) {
    if let Some(own) = all.feeds.get(url).map(|s| s.folder.as_str())
        && state::is_plain_folder(own)
    {
        return (own.to_string(), None);
    }
    let same = all.feeds.iter().find(|(other, s)| {
        other.as_str() != url
            && state::is_plain_folder(&s.folder)
            && (s.identity.iter().any(|k| identity.contains(k))
                || identity.contains(&url_key(other)))
    });
    if let Some((other, s)) = same {
        return (s.folder.clone(), Some(other.clone()));
    }
    let taken: Vec<String> = all
        .feeds
        .iter()
        .filter(|(u, _)| u.as_str() != url)
        .map(|(_, s)| s.folder.clone())
        .collect();
    (folder_for(title, url, &taken), None)
}

/// What tells a feed from every other, whatever url it was fetched by: its Atom `<id>`, its
/// self link, and its url without tracking parameters.
pub fn identity(parsed: &feed_rs::model::Feed, url: &str) -> Vec<String> {
    let mut keys = Vec::new();
    if !parsed.id.trim().is_empty() && !parsed.id.starts_with("quire:") {
        keys.push(format!("id:{}", parsed.id.trim()));
    }
    for link in &parsed.links {
        if link.rel.as_deref() == Some("self") && !link.href.trim().is_empty() {
            keys.push(format!("self:{}", plain_url(&link.href)));
        }
    }
    keys.push(url_key(url));
    keys.dedup();
    keys
}

fn url_key(url: &str) -> String {
    format!("url:{}", plain_url(url))
}

/// A url as feeds are compared: normalised, without the tracking parameters (`utm_*`, …) a
/// link picks up on its way.
pub fn plain_url(url: &str) -> String {
    let url = normalize(url.trim());
    let Some((head, query)) = url.split_once('?') else {
        return url;
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair
                .split('=')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            !(name.is_empty()
                || name == "utm"
                || name.starts_with("utm_")
                || matches!(name.as_str(), "fbclid" | "gclid" | "mc_cid" | "mc_eid"))
        })
        .collect();
    let mut out = head.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
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
    // (feed-rs makes a random one when there is no link); one without a link either, from
    // all it says (below).
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| {
            let Some(link) = links.first().map(|l| l.href.as_str()) else {
                return PENDING_ID.to_string();
            };
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
    let mut parsed = parser.parse(bytes).map_err(|err| {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if content_type.is_some_and(|c| c.contains("html")) || start.contains("<html") {
            "the address is a web page, not a feed (quire subscribe finds the feed a page names)"
                .to_string()
        } else {
            let _ = err;
            "not a feed (neither Atom, RSS nor JSON Feed)".to_string()
        }
    })?;
    for item in &mut parsed.entries {
        if item.id == PENDING_ID {
            item.id = entry::generated_id(item);
        }
    }
    Ok(parsed)
}

/// What the id generator says of an entry with neither guid nor link; replaced by an id made
/// from the whole entry once it is parsed (the generator sees only links and title).
const PENDING_ID: &str = "quire:pending";

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

/// Entries of one feed looked at in one sync (newest first, as feeds list them); the rest of
/// a feed of 100,000 entries waits for later syncs.
pub const MAX_ENTRIES: usize = 1000;

/// A feed's entries as posts, ready to write.
pub struct Posts {
    /// The first [`MAX_ENTRIES`] entries' posts, an id twice in the feed taken once.
    pub posts: Vec<entry::Post>,
    /// Entries past [`MAX_ENTRIES`], not looked at.
    pub beyond: usize,
    /// The ids of every entry the feed holds now.
    pub ids: HashSet<String>,
}

/// The posts of a parsed feed titled `title`.
pub fn posts_of(title: &str, parsed: &feed_rs::model::Feed) -> Posts {
    let base = parsed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let mut ids = HashSet::new();
    let mut posts = Vec::new();
    for item in parsed.entries.iter().take(MAX_ENTRIES) {
        let post = entry::post(title, item, base.as_deref());
        if ids.insert(post.id.clone()) {
            posts.push(post);
        }
    }
    ids.extend(
        parsed
            .entries
            .iter()
            .skip(MAX_ENTRIES)
            .map(|e| crate::text::sanitize_line(&e.id)),
    );
    Posts {
        posts,
        beyond: parsed.entries.len().saturating_sub(MAX_ENTRIES),
        ids,
    }
}

/// Ids kept in `written` at most (a post deleted by its user is not written again while its
/// entry is in the feed; older ones are forgotten).
const MAX_WRITTEN: usize = 10_000;

/// A post file bigger than this is not read back (it is no post a sync wrote).
const MAX_POST_BYTES: u64 = 16 * 1024 * 1024;

/// Writes a feed's new and changed posts into `<library>/feeds/<folder>/`, holding `lock`;
/// without it (`--dry-run`) only counts them. `written` holds the ids written before (a post
/// the user deleted is not written again) and gains the new ones.
pub fn write_entries(
    library: &Path,
    lock: Option<&LibraryLock>,
    folder: &str,
    title: &str,
    posts: &Posts,
    written: &mut Vec<String>,
) -> Result<Outcome, WriteError> {
    let dir = super::feeds_dir(library).join(folder);
    if let Some(lock) = lock {
        std::fs::create_dir_all(&dir).map_err(|error| WriteError::Io {
            path: dir.clone(),
            error,
        })?;
        // The folder is named by the feed's title; written once, then the user's to edit.
        let index = format!(
            "+++\ntitle = {}\n+++\n",
            toml::Value::String(title.to_string())
        );
        ignore_exists(lock.create(&dir.join("_index.md"), index.as_bytes()))?;
    }
    let mut folder = Folder::read(&dir);
    let before: HashSet<&str> = written.iter().map(String::as_str).collect();
    let mut tally = Tally {
        beyond: posts.beyond,
        ..Tally::default()
    };
    let mut added = Vec::new();
    let mut batch = lock.map(LibraryLock::batch);
    for post in &posts.posts {
        match folder.known.get(&post.id) {
            Some(known) if known.hash == post.hash => {}
            // Made from the entry's whole content: the same id is the same entry.
            Some(_) if post.generated => {}
            Some(known) if !known.untouched => tally.kept_edited += 1,
            Some(known) => match lock {
                None => tally.updated += 1,
                Some(lock) => match update(lock, &known.path, post) {
                    Ok(true) => tally.updated += 1,
                    Ok(false) => tally.kept_edited += 1,
                    Err(err) => tally.fail(err),
                },
            },
            // Written once, since deleted or moved away: the user's choice.
            None if before.contains(post.id.as_str()) => {}
            None => match batch.as_mut() {
                None => tally.new += 1,
                Some(batch) => match folder.create(batch, post) {
                    Ok(()) => {
                        tally.new += 1;
                        added.push(post.id.clone());
                    }
                    Err(err) => tally.fail(err),
                },
            },
        }
    }
    // The new posts are on disk before the state says they were written.
    if let Some(batch) = batch {
        batch.commit()?;
    }
    drop(before);
    // Ids of entries gone from the feed cannot come back to be written again: forgotten.
    written.retain(|id| posts.ids.contains(id));
    written.extend(added);
    if written.len() > MAX_WRITTEN {
        written.drain(..written.len() - MAX_WRITTEN);
    }
    Ok(tally.outcome())
}

/// Replaces an untouched post with the entry's new text; `false` when the user edited it
/// since the folder was read (it is then left as they have it).
fn update(lock: &LibraryLock, path: &Path, post: &entry::Post) -> Result<bool, WriteError> {
    let Some(now) = crate::writer::read_regular(path, MAX_POST_BYTES) else {
        return Ok(false);
    };
    let untouched = std::str::from_utf8(&now)
        .ok()
        .and_then(read_back)
        .is_some_and(|(id, _, untouched)| id == post.id && untouched);
    if !untouched {
        return Ok(false);
    }
    match lock.replace(path, &now, post.text.as_bytes()) {
        Ok(()) => Ok(true),
        Err(WriteError::Changed { .. }) => Ok(false),
        Err(err) => Err(err),
    }
}

#[derive(Default)]
struct Tally {
    new: usize,
    updated: usize,
    kept_edited: usize,
    failed: usize,
    first_error: Option<String>,
    beyond: usize,
}

impl Tally {
    fn fail(&mut self, err: WriteError) {
        self.failed += 1;
        self.first_error.get_or_insert_with(|| err.to_string());
    }

    fn outcome(self) -> Outcome {
        Outcome::Synced {
            new: self.new,
            updated: self.updated,
            kept_edited: self.kept_edited,
            not_written: self.failed,
            error: self.first_error,
            later: self.beyond,
        }
    }
}

/// What a feed's folder holds: the posts a sync wrote, by id, and every name taken.
struct Folder {
    dir: PathBuf,
    known: HashMap<String, Known>,
    names: HashSet<String>,
    /// For each name already taken once, the next `-N` to try: a feed of 20,000 entries of
    /// one title is named in one pass, not by trying -2, -3, … for each.
    next_suffix: HashMap<String, usize>,
}

struct Known {
    path: PathBuf,
    hash: String,
    untouched: bool,
}

impl Folder {
    fn read(dir: &Path) -> Folder {
        let mut known = HashMap::new();
        let mut names = HashSet::new();
        for file in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let path = file.path();
            let is_post = !name.starts_with('.') && path.extension().is_some_and(|e| e == "md");
            names.insert(name.to_lowercase());
            if !is_post {
                continue;
            }
            // Only regular files are read: a FIFO named `x.md` would block the sync forever.
            let Some(bytes) = crate::writer::read_regular(&path, MAX_POST_BYTES) else {
                continue;
            };
            if let Ok(text) = std::str::from_utf8(&bytes)
                && let Some((id, hash, untouched)) = read_back(text)
            {
                known.insert(
                    id,
                    Known {
                        path,
                        hash,
                        untouched,
                    },
                );
            }
        }
        Folder {
            dir: dir.to_path_buf(),
            known,
            names,
            next_suffix: HashMap::new(),
        }
    }

    /// Writes a new post under its name, or `name-2.md`… when that is taken (by another
    /// entry's post, or by a file made meanwhile: the create is exclusive).
    fn create(&mut self, batch: &mut Batch<'_>, post: &entry::Post) -> Result<(), WriteError> {
        let stem = post.file_name.trim_end_matches(".md").to_string();
        let mut name = post.file_name.clone();
        loop {
            if !self.names.contains(&name.to_lowercase()) {
                match batch.create(&self.dir.join(&name), post.text.as_bytes()) {
                    Err(WriteError::Exists { .. }) => {}
                    other => {
                        self.names.insert(name.to_lowercase());
                        return other;
                    }
                }
                self.names.insert(name.to_lowercase());
            }
            let n = self.next_suffix.entry(stem.clone()).or_insert(2);
            name = format!("{stem}-{n}.md");
            *n += 1;
        }
    }
}
