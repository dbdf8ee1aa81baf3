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
use super::opml::Feed;
use super::state::{self, FeedState, SyncState};
use crate::content::id::slugify;
use crate::fetch::{self, Fetched};
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
        /// New entries past the first [`MAX_NEW`], left for later syncs.
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
                        "{later} older entries left for later (at most {MAX_NEW} new a sync)"
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
            write_feed(library, feed, &parsed, &mut report, etag, last_modified)
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
    let mut all = state::load_for_update(&lock);
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
    report: &mut Report,
    etag: Option<String>,
    last_modified: Option<String>,
) -> Result<(), WriteError> {
    let identity = identity(parsed, &feed.url);
    let folder = {
        let lock = LibraryLock::acquire(library)?;
        let mut all = state::load_for_update(&lock);
        let (mut folder, same_as) = folder_of(&all, &feed.url, &report.title, &identity);
        report.same_as = same_as;
        // Its folder renamed by the user (`mv feeds/blog feeds/reading`): followed, found by
        // the ids written there, rather than every post written again under the old name.
        let had_folder = all
            .feeds
            .get(&feed.url)
            .is_some_and(|s| state::is_plain_folder(&s.folder));
        if had_folder
            && !super::feeds_dir(library).join(&folder).exists()
            && let Some(moved) = moved_folder(library, parsed)
        {
            folder = moved;
        }
        // The folder of all feeds is named "Feeds" when it is made; then the name is the
        // user's to change, or to remove.
        let feeds = super::feeds_dir(library);
        if !feeds.exists() {
            ignore_exists(lock.create(&feeds.join("_index.md"), b"+++\ntitle = \"Feeds\"\n+++\n"))?;
        }
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
    let new_folder = !dir.exists();
    let folder_lock = LibraryLock::acquire_folder(library, &dir)?;
    // Ids a Quire before this one kept in the sync state go to the folder's own record.
    let earlier = state::load(library)
        .feeds
        .get(&feed.url)
        .map(|s| s.written.clone())
        .unwrap_or_default();
    let outcome = write_entries(
        library,
        Some(&folder_lock),
        &folder,
        &report.title,
        parsed,
        &earlier,
        new_folder,
    )?;
    let lock = LibraryLock::acquire(library)?;
    let mut all = state::load_for_update(&lock);
    let state = all.feeds.entry(feed.url.clone()).or_default();
    state.folder = folder;
    state.identity = identity;
    state.written.clear();
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

/// The folder under `feeds/` whose record of written ids holds one of the feed's entries.
fn moved_folder(library: &Path, parsed: &feed_rs::model::Feed) -> Option<String> {
    let ids: HashSet<String> = parsed
        .entries
        .iter()
        .map(|e| crate::text::sanitize_line(&e.id))
        .collect();
    std::fs::read_dir(super::feeds_dir(library))
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .find_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let record = crate::writer::read_own(&entry.path().join(".quire-written"), 256 << 20)
                .ok()
                .flatten()?;
            let text = String::from_utf8_lossy(&record);
            (state::is_plain_folder(&name) && text.lines().any(|id| ids.contains(id)))
                .then_some(name)
        })
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
            && same_feed(url, identity, other, &s.identity)
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

/// Whether the feed at `url` (with `identity`) is the one at `other` (with `theirs`): the same
/// address once tracking parameters are gone; or, on the same host (`www.` or not), the same
/// Atom id, or (where either has none) the same self link and title. What a feed says of
/// itself is believed only so far: a feed elsewhere that claims another's id, or two blogs
/// whose copied template shares a self link, are two feeds.
pub fn same_feed(url: &str, identity: &[String], other: &str, theirs: &[String]) -> bool {
    fn key<'k>(keys: &'k [String], kind: &str) -> Option<&'k str> {
        keys.iter()
            .find(|k| k.starts_with(kind))
            .map(String::as_str)
    }
    if identity.contains(&url_key(other)) || theirs.contains(&url_key(url)) {
        return true;
    }
    // A file of the feed imported before (`quire import feed.xml`) has no host: its Atom id or
    // self link is all there is.
    if other.starts_with("import:") {
        return ["id:", "self:"]
            .iter()
            .any(|kind| key(identity, kind).is_some() && key(identity, kind) == key(theirs, kind));
    }
    if fetch::site_of(url).is_none() || fetch::site_of(url) != fetch::site_of(other) {
        return false;
    }
    match (key(identity, "id:"), key(theirs, "id:")) {
        (Some(mine), Some(them)) => mine == them,
        _ => {
            let both = |kind: &str| {
                key(identity, kind).is_some() && key(identity, kind) == key(theirs, kind)
            };
            both("self:") && both("title:")
        }
    }
}

/// What tells a feed from every other, whatever url it was fetched by: its Atom `<id>`, its
/// self link, its title, and its url without tracking parameters (see [`same_feed`]).
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
    if let Some(title) = parsed.title.as_ref().map(|t| t.content.trim())
        && !title.is_empty()
    {
        keys.push(format!("title:{title}"));
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

/// One line for a whole sync (the reader's status bar), cleaned: titles and urls come from
/// feeds and lists.
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
    crate::text::sanitize_line(&line)
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
    // What real feeds get wrong is read as their readers read it: a stray byte that is not
    // UTF-8 (as U+FFFD), a JSON Feed's numbers where strings belong (the spec tells readers
    // to take them as strings).
    let parsed = quire_parser()
        .parse(bytes)
        .or_else(|err| match lenient(bytes) {
            Some(fixed) => quire_parser().parse(fixed.as_slice()),
            None => Err(err),
        });
    let mut parsed = parsed.map_err(|_| {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
        if content_type.is_some_and(|c| c.contains("html")) || start.contains("<html") {
            "the address is a web page, not a feed (quire subscribe finds the feed a page names)"
                .to_string()
        } else {
            "not a feed (neither Atom, RSS nor JSON Feed)".to_string()
        }
    })?;
    // A guid that several entries share (some feeds give every item the site's address)
    // tells none of them apart: those are known by their link and title instead, as entries
    // without a guid are; otherwise each new item would overwrite the last one's post.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for item in &parsed.entries {
        *seen.entry(item.id.as_str()).or_insert(0) += 1;
    }
    let shared: HashSet<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id.to_string())
        .collect();
    for item in &mut parsed.entries {
        if shared.contains(&item.id) {
            item.id = match item.links.first() {
                Some(link) => link_id(&link.href, item.title.as_ref()),
                None => PENDING_ID.to_string(),
            };
        }
        if item.id == PENDING_ID {
            item.id = entry::generated_id(item);
        }
    }
    Ok(parsed)
}

/// The feed parser, with Quire's ids for entries that have none: made from the link and title,
/// the same at every sync (feed-rs makes a random one when there is no link); one without a
/// link either, from all it says (see [`parse`]).
fn quire_parser() -> feed_rs::parser::Parser {
    feed_rs::parser::Builder::new()
        .id_generator(|links, title, _| match links.first() {
            Some(link) => link_id(&link.href, title.as_ref()),
            None => PENDING_ID.to_string(),
        })
        .build()
}

/// The id of an entry known by its link and title.
fn link_id(link: &str, title: Option<&feed_rs::model::Text>) -> String {
    let title = title.map(|t| t.content.as_str()).unwrap_or_default();
    format!(
        "quire:{:016x}",
        crate::content::id::fnv1a(format!("{link}\n{title}").as_bytes())
    )
}

/// A feed's bytes made readable where a strict parser refuses them, or `None` when there is
/// nothing to mend: bytes that are not UTF-8 replaced (unless the document names another
/// encoding), a JSON Feed's numeric ids and non-string titles made strings or dropped.
fn lenient(bytes: &[u8]) -> Option<Vec<u8>> {
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).to_ascii_lowercase();
    if start.trim_start().starts_with('{') {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let items = value.get_mut("items")?.as_array_mut()?;
        for item in items
            .iter_mut()
            .filter_map(serde_json::Value::as_object_mut)
        {
            if let Some(id) = item.get("id").filter(|id| id.is_number()) {
                let id = id.to_string();
                item.insert("id".into(), serde_json::Value::String(id));
            }
            for field in ["title", "summary", "content_html", "content_text", "url"] {
                if item.get(field).is_some_and(|v| !v.is_string()) {
                    item.remove(field);
                }
            }
            if let Some(tags) = item
                .get_mut("tags")
                .and_then(serde_json::Value::as_array_mut)
            {
                tags.retain(serde_json::Value::is_string);
            }
        }
        return serde_json::to_vec(&value).ok();
    }
    let other_encoding = start.contains("encoding=") && !start.contains("utf-8");
    (std::str::from_utf8(bytes).is_err() && !other_encoding)
        .then(|| String::from_utf8_lossy(bytes).into_owned().into_bytes())
}

/// What the id generator says of an entry with neither guid nor link; replaced by an id made
/// from the whole entry once it is parsed (the generator sees only links and title).
const PENDING_ID: &str = "quire:pending";

/// A folder name for a new feed: its title's slug (else its host), cut to 100 bytes (a title
/// of 80 four-byte letters made a name no file system takes), not one another feed has.
pub fn folder_for(title: &str, url: &str, taken: &[String]) -> String {
    let mut base = slugify(title);
    if base.is_empty() {
        base = slugify(url.split("://").nth(1).unwrap_or(url));
    }
    if base.is_empty() {
        base = "feed".into();
    }
    let base = entry::cut_bytes(&base, 100)
        .trim_end_matches('-')
        .to_string();
    let taken: HashSet<&str> = taken.iter().map(String::as_str).collect();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(name.as_str()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

/// New posts one sync writes for a feed at most; the rest of a feed of 100,000 entries comes
/// in later syncs, a thousand at a time.
pub const MAX_NEW: usize = 1000;

/// Entries (from the top, the newest) whose posts are compared with the feed's for updates;
/// below them an entry already written is passed over without converting it.
const MAX_UPDATES: usize = 1000;

/// Ids no longer in the feed remembered as written in a folder at most, beside every id the
/// feed still lists (a post deleted by its user is not written again while it is remembered;
/// the oldest gone from the feed are forgotten first).
const MAX_WRITTEN: usize = 10_000;

/// A post file bigger than this is not read back (it is no post a sync wrote).
const MAX_POST_BYTES: u64 = 16 * 1024 * 1024;

/// Writes a feed's new and changed entries into `<library>/feeds/<folder>/`, holding that
/// folder's lock; without it (`--dry-run`) only counts them. The folder keeps its own record
/// of the ids written or seen there (`.quire-written`), so a post its user deleted is not
/// written again, whichever subscription (or `quire import`) wrote it; `earlier` is what an
/// older Quire kept of it in the sync state. A `new_folder` is named by the feed's title.
pub fn write_entries(
    library: &Path,
    lock: Option<&LibraryLock>,
    folder: &str,
    title: &str,
    parsed: &feed_rs::model::Feed,
    earlier: &[String],
    new_folder: bool,
) -> Result<Outcome, WriteError> {
    let dir = super::feeds_dir(library).join(folder);
    if let Some(lock) = lock.filter(|_| new_folder) {
        // The folder is named by the feed's title when it is made; then the name is the
        // user's to edit, or to remove.
        let index = format!(
            "+++\ntitle = {}\n+++\n",
            toml::Value::String(title.to_string())
        );
        ignore_exists(lock.create(&dir.join("_index.md"), index.as_bytes()))?;
    }
    let mut folder = Folder::read(&dir);
    let mut written = Written::read(&dir, earlier)?;
    let base = parsed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    let mut tally = Tally::default();
    let mut batch = lock.map(LibraryLock::batch);
    let mut in_feed = HashSet::new();
    for (at, item) in parsed.entries.iter().enumerate() {
        let id = crate::text::sanitize_line(&item.id);
        // An id twice in one feed is written once.
        if !in_feed.insert(id.clone()) {
            continue;
        }
        let known = folder.known.get(&id);
        if known.is_none() && written.contains(&id) {
            // Written once, since deleted or moved away: the user's choice.
            continue;
        }
        if known.is_some() && (at >= MAX_UPDATES || id.starts_with(entry::GENERATED)) {
            // Old entries are not looked at for changes; one whose id was made from its whole
            // content is that content.
            continue;
        }
        if known.is_none() && tally.new >= MAX_NEW {
            tally.beyond += 1;
            continue;
        }
        let post = entry::post(title, item, base.as_deref());
        match known {
            Some(known) if known.hash == post.hash => {}
            Some(known) if !known.untouched => tally.kept_edited += 1,
            Some(known) => match lock {
                None => tally.updated += 1,
                Some(lock) => match update(lock, &known.path, &post) {
                    Ok(true) => tally.updated += 1,
                    Ok(false) => tally.kept_edited += 1,
                    Err(err) => tally.fail(err),
                },
            },
            None => match batch.as_mut() {
                None => tally.new += 1,
                Some(batch) => match folder.create(batch, &post) {
                    Ok(()) => {
                        tally.new += 1;
                        written.add(post.id);
                    }
                    Err(err) => tally.fail(err),
                },
            },
        }
    }
    // The new posts are on disk before anything says they were written.
    if let (Some(lock), Some(batch)) = (lock, batch) {
        batch.commit()?;
        // Every post in the folder counts as written: one that goes is the user's doing.
        for id in folder.known.keys() {
            written.add(id.clone());
        }
        written.save(lock, &in_feed)?;
    }
    Ok(tally.outcome())
}

/// The ids written (or seen) in a feed's folder, oldest first, kept in `.quire-written` there:
/// one id a line, hidden from the loader.
struct Written {
    path: PathBuf,
    ids: Vec<String>,
    set: HashSet<String>,
    changed: bool,
}

impl Written {
    /// The folder's record; an error when it is there but cannot be read (a FIFO, a folder):
    /// writing on without it would bring deleted posts back.
    fn read(dir: &Path, earlier: &[String]) -> Result<Written, WriteError> {
        let path = dir.join(".quire-written");
        let text = match crate::writer::read_own(&path, 256 * 1024 * 1024) {
            Ok(bytes) => String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned(),
            Err(error) => return Err(WriteError::Io { path, error }),
        };
        let mut written = Written {
            path,
            ids: Vec::new(),
            set: HashSet::new(),
            changed: false,
        };
        for id in text
            .lines()
            .map(str::to_string)
            .chain(earlier.iter().cloned())
        {
            if !id.is_empty() && written.set.insert(id.clone()) {
                written.ids.push(id);
            }
        }
        written.changed = !earlier.is_empty();
        Ok(written)
    }

    fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    fn add(&mut self, id: String) {
        if self.set.insert(id.clone()) {
            self.ids.push(id);
            self.changed = true;
        }
    }

    /// Writes the record back, at most [`MAX_WRITTEN`] ids: the oldest the feed no longer
    /// lists go first.
    fn save(mut self, lock: &LibraryLock, in_feed: &HashSet<String>) -> Result<(), WriteError> {
        if self.ids.len() > MAX_WRITTEN {
            let mut excess = self.ids.len() - MAX_WRITTEN;
            self.ids.retain(|id| {
                let drop = excess > 0 && !in_feed.contains(id);
                excess -= usize::from(drop);
                !drop
            });
            // Ids the feed still lists are all kept, however many: forgetting one would bring
            // a post its user deleted back.
            self.changed = true;
        }
        if !self.changed {
            return Ok(());
        }
        let mut text = String::with_capacity(self.ids.len() * 40);
        for id in &self.ids {
            text.push_str(id);
            text.push('\n');
        }
        lock.write(&self.path, text.as_bytes())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_the_feed_still_lists_is_remembered_however_many() {
        let dir = std::env::temp_dir().join(format!("quire-written-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let lock = LibraryLock::acquire(&dir).expect("lock");
        let mut written = Written::read(&dir, &[]).expect("read");
        let gone: Vec<String> = (0..50).map(|i| format!("gone:{i}")).collect();
        let listed: Vec<String> = (0..MAX_WRITTEN + 500).map(|i| format!("urn:{i}")).collect();
        for id in gone.iter().chain(&listed) {
            written.add(id.clone());
        }
        let in_feed: HashSet<String> = listed.iter().cloned().collect();
        written.save(&lock, &in_feed).expect("save");
        let back = Written::read(&dir, &[]).expect("read back");
        assert!(
            listed.iter().all(|id| back.contains(id)),
            "an id the feed lists was forgotten"
        );
        assert!(
            gone.iter().all(|id| !back.contains(id)),
            "the oldest gone ids go first"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn one_feed_is_known_under_its_addresses_and_two_feeds_are_not_merged() {
        let keys = |id: Option<&str>, own_self: &str, title: &str, url: &str| {
            let mut k = Vec::new();
            if let Some(id) = id {
                k.push(format!("id:{id}"));
            }
            k.push(format!("self:{own_self}"));
            k.push(format!("title:{title}"));
            k.push(url_key(url));
            k
        };
        let a = keys(
            Some("urn:a"),
            "https://a.example/feed",
            "A",
            "https://a.example/feed",
        );
        // www or not, and tracking parameters, are one site and one address.
        let www = keys(
            Some("urn:a"),
            "https://a.example/feed",
            "A",
            "https://www.a.example/atom",
        );
        assert!(same_feed(
            "https://www.a.example/atom",
            &www,
            "https://a.example/feed",
            &a
        ));
        assert!(same_feed(
            "https://a.example/feed?utm_source=x",
            &[],
            "https://a.example/feed",
            &a
        ));
        // Another host claiming the id is another feed.
        let forged = keys(
            Some("urn:a"),
            "https://a.example/feed",
            "A",
            "https://evil.example/f",
        );
        assert!(!same_feed(
            "https://evil.example/f",
            &forged,
            "https://a.example/feed",
            &a
        ));
        // Two Atom ids that differ are two feeds, whatever else they share.
        let b = keys(
            Some("urn:b"),
            "https://a.example/feed",
            "A",
            "https://a.example/b",
        );
        assert!(!same_feed(
            "https://a.example/b",
            &b,
            "https://a.example/feed",
            &a
        ));
        // Without ids: the same self link and the same title, or two feeds.
        let rss =
            |title: &str, url: &str| keys(None, "http://localhost:1313/index.xml", title, url);
        let alice = rss("Alice", "http://blogs.example/a.xml");
        let bob = rss("Bob", "http://blogs.example/b.xml");
        let alice_again = rss("Alice", "http://blogs.example/alice.xml");
        assert!(!same_feed(
            "http://blogs.example/b.xml",
            &bob,
            "http://blogs.example/a.xml",
            &alice
        ));
        assert!(same_feed(
            "http://blogs.example/alice.xml",
            &alice_again,
            "http://blogs.example/a.xml",
            &alice
        ));
    }

    #[test]
    fn a_feed_with_a_byte_that_is_not_utf8_is_read_as_readers_read_it() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Caf".to_vec();
        bytes.push(0xe9);
        bytes.extend_from_slice(
            b"</title><id>urn:c</id><entry><id>urn:c:1</id><title>One</title></entry></feed>",
        );
        let feed = parse(&bytes, None).expect("read");
        assert_eq!(feed.entries.len(), 1);
        // A document that names another encoding is left to the parser.
        let latin = String::from_utf8_lossy(&bytes).replace("utf-8", "iso-8859-1");
        assert!(lenient(latin.as_bytes()).is_none());
    }
}
