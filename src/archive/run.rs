//! An archive run: each page fetched at most once, at most [`PER_HOST`] at once from one host
//! and [`PARALLEL`] in all, its article saved, and how its link answered recorded. One page
//! failing (or a bug on its content) never stops the others.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::extract::extract;
use super::page::{self, Health, KIND, Meta, SavedPage};
use crate::fetch::{self, Answer, Ask, Failure};
use crate::state::Timestamp;
use crate::writer::{LibraryLock, WriteError};

/// Requests in flight at once, in all.
pub const PARALLEL: usize = 8;
/// Requests in flight at once to one host: a run over one site's hundred links is no flood.
pub const PER_HOST: usize = 2;

/// A page to keep: a bookmark's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The bookmark's id (for the report).
    pub id: String,
    pub title: String,
    pub url: String,
}

/// What a run does with pages already kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Ask again for every page, conditionally (`If-None-Match`, `If-Modified-Since`).
    pub refresh: bool,
    pub timeout: Duration,
}

/// How one page went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Its text saved, new or changed.
    Archived,
    /// Kept already (not asked again), or the server said it has not changed.
    Unchanged,
    Dead,
    /// Asked again at the next run.
    Uncertain,
    /// Not a web page, too big, or not a web address: nothing to keep.
    Skipped,
}

impl Outcome {
    pub fn failed(self) -> bool {
        matches!(self, Outcome::Dead | Outcome::Uncertain)
    }

    /// What a link's health makes of a page, when it decides it (an alive link leaves it to
    /// what was done with the text).
    fn of(health: Health) -> Option<Outcome> {
        match health {
            Health::Alive => None,
            Health::Dead => Some(Outcome::Dead),
            Health::Uncertain => Some(Outcome::Uncertain),
            Health::NotAPage | Health::TooBig => Some(Outcome::Skipped),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: String,
    pub title: String,
    pub url: String,
    pub outcome: Outcome,
    /// Whether the page was asked for in this run (not when known already).
    pub asked: bool,
    /// The saved page's file, under the library.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Why, in words: the status, the failure, what was sent instead of a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a run's progress display is told.
pub enum Event<'a> {
    /// A request to this host starts.
    Asking {
        host: &'a str,
    },
    Done(&'a Report),
}

/// Fetches and keeps every target's page; the reports come in the targets' order (a link
/// given twice is asked once, reported once).
pub fn run(
    library: &Path,
    targets: &[Target],
    options: Options,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Vec<Report> {
    let kept = super::Shelf::load(library);
    let mut seen = HashSet::new();
    let targets: Vec<&Target> = targets
        .iter()
        .filter(|t| seen.insert(super::key(&t.url)))
        .collect();
    let agent = fetch::agent(options.timeout);
    let queue = Queue::new(targets.iter().map(|t| host_of(&t.url)).collect());
    let mut reports: Vec<Option<Report>> = vec![None; targets.len()];
    let (done, finished) = std::sync::mpsc::channel::<(usize, Fetched<'_>)>();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(targets.len()) {
            let done = done.clone();
            let (queue, agent, kept, targets) = (&queue, &agent, &kept, &targets);
            scope.spawn(move || {
                while let Some(i) = queue.take() {
                    let target = targets[i];
                    let before = kept.page(Some(&target.url));
                    let fetched = crate::panics::quietly(|| {
                        one(library, agent, target, before, options, progress)
                    })
                    .unwrap_or_else(|| Fetched {
                        report: Report {
                            id: target.id.clone(),
                            title: target.title.clone(),
                            url: target.url.clone(),
                            outcome: Outcome::Uncertain,
                            asked: true,
                            file: None,
                            note: Some("a bug in Quire stopped this page's archiving".into()),
                        },
                        write: None,
                    });
                    queue.done(i);
                    if done.send((i, fetched)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // One writer: the pages fetched meanwhile are written together under the lock, taken
        // for as long as that takes (other writers go on between), the folders it swept of a
        // killed writer's temp files remembered: a site's folder is read once a run, not once
        // a page.
        let mut swept = HashSet::new();
        while let Ok(first) = finished.recv() {
            let batch: Vec<(usize, Fetched<'_>)> =
                std::iter::once(first).chain(finished.try_iter()).collect();
            let writes = batch.iter().any(|(_, f)| f.write.is_some());
            let lock =
                writes.then(|| LibraryLock::acquire_swept(library, std::mem::take(&mut swept)));
            for (i, Fetched { mut report, write }) in batch {
                if let Some(write) = write {
                    match &lock {
                        Some(Ok(lock)) => write.into(lock, library, &mut report),
                        Some(Err(err)) => {
                            report.outcome = Outcome::Uncertain;
                            report.note = Some(err.to_string());
                        }
                        None => {}
                    }
                }
                progress(Event::Done(&report));
                reports[i] = Some(report);
            }
            if let Some(Ok(lock)) = lock {
                swept = lock.into_swept();
            }
        }
    });
    reports.into_iter().flatten().collect()
}

/// A page asked for: what it answered, and what is to be written of it.
struct Fetched<'k> {
    report: Report,
    write: Option<Write<'k>>,
}

/// A saved page to write (over the one read before, if any).
struct Write<'k> {
    path: std::path::PathBuf,
    before: Option<&'k SavedPage>,
    meta: Meta,
    body: String,
}

impl Write<'_> {
    /// Writes the page under `lock`, and says so in the report.
    fn into(self, lock: &LibraryLock, library: &Path, report: &mut Report) {
        let saved = page::save(lock, &self.path, self.before, &self.meta, &self.body);
        match saved {
            Ok(()) => report.file = Some(relative(library, &self.path)),
            // Another run saved the page meanwhile, or someone changed the file since it was
            // read: what is there now is kept, and the link answered all the same.
            Err(WriteError::Exists { .. } | WriteError::Changed { .. }) => {
                report.file = Some(relative(library, &self.path));
                if report.outcome == Outcome::Archived {
                    report.outcome = Outcome::Unchanged;
                }
                report.note = Some(
                    "the saved page changed meanwhile (another run, or an edit): kept as it is"
                        .into(),
                );
            }
            Err(err) => {
                report.outcome = Outcome::Uncertain;
                report.note = Some(err.to_string());
            }
        }
    }
}

/// A page's line: what happened, its title, why, its link.
pub fn said(report: &Report) -> String {
    let what = match report.outcome {
        Outcome::Archived => "saved",
        Outcome::Unchanged if report.asked => "unchanged",
        Outcome::Unchanged => "saved already",
        Outcome::Dead => "dead",
        Outcome::Uncertain => "failed",
        Outcome::Skipped => "skipped",
    };
    let why = report
        .note
        .as_deref()
        .map(|n| format!(": {n}"))
        .unwrap_or_default();
    format!("{what}: {}{why} ({})", report.title, report.url)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The pages left to ask for, handed out so that no host has more than [`PER_HOST`] asked at
/// once: a worker waits while every page left is of a busy host.
struct Queue {
    state: Mutex<QueueState>,
    changed: Condvar,
}

struct QueueState {
    hosts: Vec<String>,
    /// Indices not yet handed out, in order.
    left: std::collections::VecDeque<usize>,
    busy: HashMap<String, usize>,
}

impl Queue {
    fn new(hosts: Vec<String>) -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                left: (0..hosts.len()).collect(),
                hosts,
                busy: HashMap::new(),
            }),
            changed: Condvar::new(),
        }
    }

    fn take(&self) -> Option<usize> {
        let mut state = lock(&self.state);
        loop {
            if state.left.is_empty() {
                return None;
            }
            let free = state
                .left
                .iter()
                .position(|&i| state.busy.get(&state.hosts[i]).copied().unwrap_or(0) < PER_HOST);
            if let Some(at) = free {
                let i = state.left.remove(at)?;
                let host = state.hosts[i].clone();
                *state.busy.entry(host).or_default() += 1;
                return Some(i);
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn done(&self, i: usize) {
        let mut state = lock(&self.state);
        let host = state.hosts[i].clone();
        if let Some(n) = state.busy.get_mut(&host) {
            *n = n.saturating_sub(1);
        }
        drop(state);
        self.changed.notify_all();
    }
}

/// A url's host (lower-case), or the url itself when it has none: the unit of politeness.
fn host_of(url: &str) -> String {
    fetch::site_of(url).unwrap_or_else(|| url.to_string())
}

/// What a page's address answered, as the saved page will say it.
struct Heard {
    health: Health,
    status: Option<u16>,
    note: Option<String>,
}

/// Asks for one page: what it answered, and what is to be written (nothing when the page is
/// known already and not asked again, or not a web address).
fn one<'k>(
    library: &Path,
    agent: &ureq::Agent,
    target: &Target,
    before: Option<&'k SavedPage>,
    options: Options,
    progress: &(dyn Fn(Event<'_>) + Sync),
) -> Fetched<'k> {
    let mut report = Report {
        id: target.id.clone(),
        title: target.title.clone(),
        url: target.url.clone(),
        outcome: Outcome::Unchanged,
        asked: false,
        file: before.map(|b| relative(library, &b.path)),
        note: None,
    };
    // Only a whole http(s) address is asked for: `http://host:notaport/` is not one (and
    // must not become port 80).
    let valid = url::Url::parse(&target.url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    });
    if !valid {
        report.outcome = Outcome::Skipped;
        report.note = Some("not a valid web address".into());
        return Fetched {
            report,
            write: None,
        };
    }
    // Known already, and not asked to ask again: nothing fetched. An uncertain answer is
    // asked again at every run.
    // (A page that gave no text is asked again too: the next answer may have some.)
    if let Some(before) = before
        && !options.refresh
        && before.meta.health != Health::Uncertain
        && !(before.meta.health == Health::Alive && before.body.is_empty())
    {
        report.outcome = Outcome::of(before.meta.health).unwrap_or(Outcome::Unchanged);
        report.note = Some(match before.meta.health {
            Health::Alive => "saved already (--refresh asks again)".to_string(),
            other => format!(
                "{} when last asked, {} (--refresh asks again)",
                other.word(),
                before.meta.checked
            ),
        });
        return Fetched {
            report,
            write: None,
        };
    }
    progress(Event::Asking {
        host: &host_of(&target.url),
    });
    report.asked = true;
    let ask = Ask {
        url: &target.url,
        accept: "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
        // Validators only when the text they vouch for is the one kept.
        etag: before
            .filter(|b| !b.body.is_empty())
            .and_then(|b| b.meta.etag.as_deref()),
        last_modified: before
            .filter(|b| !b.body.is_empty())
            .and_then(|b| b.meta.last_modified.as_deref()),
    };
    let answer = fetch::get(agent, &ask, is_html);
    let now = Timestamp::now().to_string();
    let mut meta = before.map(|b| b.meta.clone()).unwrap_or_else(|| Meta {
        kind: KIND.into(),
        title: target.title.clone(),
        saved_from: target.url.clone(),
        ..Meta::default()
    });
    meta.checked = now.clone();
    let mut body: String = before.map(|b| b.body.to_string()).unwrap_or_default();
    let heard = match answer {
        Err(failure) => heard_failure(&failure),
        Ok(answer) => {
            let heard = heard_answer(&answer);
            if answer.status == 304 {
                report.outcome = Outcome::Unchanged;
            } else if let Some(bytes) = answer
                .body
                .as_deref()
                .filter(|_| heard.health == Health::Alive)
            {
                let html = decode(bytes, answer.content_type.as_deref());
                let article = extract(&html, &answer.final_url);
                let edited = before.is_some_and(|b| !b.untouched());
                if edited {
                    report.note = Some("the saved text was edited: kept as it is".into());
                    report.outcome = Outcome::Unchanged;
                } else if !article.markdown.chars().any(char::is_alphanumeric) {
                    // An empty page (a shell a script fills): nothing to read offline.
                    report.note = Some("the page holds no text to keep".into());
                    report.outcome = Outcome::Skipped;
                } else {
                    let changed = before.is_none_or(|b| *b.body != *article.markdown);
                    report.outcome = if changed {
                        Outcome::Archived
                    } else {
                        Outcome::Unchanged
                    };
                    meta.checksum = Some(page::checksum(&article.markdown));
                    meta.fetched = Some(now);
                    body = article.markdown;
                    // The validators vouch for the text kept: only a text replaced takes
                    // the new ones.
                    meta.etag = answer.etag.clone();
                    meta.last_modified = answer.last_modified.clone();
                }
                if !article.title.is_empty() {
                    meta.title = article.title;
                }
                meta.byline = article.byline;
                meta.site_name = article.site_name;
                meta.published = article.published;
                meta.url = Some(answer.final_url.clone());
            }
            heard
        }
    };
    meta.health = heard.health;
    meta.status = heard.status;
    meta.note = heard.note.clone();
    if let Some(outcome) = Outcome::of(heard.health) {
        report.outcome = outcome;
    }
    if heard.note.is_some() {
        report.note = heard.note;
    }
    let path = before
        .map(|b| b.path.clone())
        .unwrap_or_else(|| page::path_for(library, &target.url));
    Fetched {
        report,
        write: Some(Write {
            path,
            before,
            meta,
            body,
        }),
    }
}

fn relative(library: &Path, path: &Path) -> String {
    path.strip_prefix(library)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Whether an answer's body is a page to read: HTML, or no type said (taken for HTML, as a
/// browser would).
fn is_html(content_type: Option<&str>) -> bool {
    content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("text/html") || t.contains("application/xhtml")
    })
}

fn heard_failure(failure: &Failure) -> Heard {
    let health = match failure {
        Failure::HostNotFound => Health::Dead,
        Failure::TooBig => Health::TooBig,
        _ => Health::Uncertain,
    };
    Heard {
        health,
        status: None,
        note: Some(crate::text::sanitize_line(&failure.to_string())),
    }
}

fn heard_answer(answer: &Answer) -> Heard {
    let (health, note) = match answer.status {
        200..=299 if answer.body.is_none() => (
            Health::NotAPage,
            Some(format!(
                "not a web page ({})",
                answer.content_type.as_deref().unwrap_or("no type")
            )),
        ),
        200..=299 | 304 => (Health::Alive, None),
        404 | 410 => (Health::Dead, Some(answer.status_line())),
        _ => (Health::Uncertain, Some(answer.status_line())),
    };
    Heard {
        health,
        status: Some(answer.status),
        note: note.map(|n| crate::text::sanitize_line(&n)),
    }
}

/// The page's text: in the charset its `Content-Type` or its own `<meta charset>` names,
/// UTF-8 otherwise.
fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let label = |text: &str| {
        let lower = text.to_ascii_lowercase();
        let at = lower.find("charset=")? + "charset=".len();
        let value: String = lower[at..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_:".contains(*c))
            .collect();
        (!value.is_empty()).then_some(value)
    };
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let named = content_type.and_then(label).or_else(|| label(&head));
    match named.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            encoding.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_host_has_more_than_two_asked_at_once() {
        let hosts = ["a", "a", "a", "b", "a", "b", "c"];
        let queue = Queue::new(hosts.iter().map(|h| h.to_string()).collect());
        let first: Vec<usize> = std::iter::from_fn(|| {
            let state = lock(&queue.state);
            let any_free = state
                .left
                .iter()
                .any(|&i| state.busy.get(&state.hosts[i]).copied().unwrap_or(0) < PER_HOST);
            drop(state);
            any_free.then(|| queue.take()).flatten()
        })
        .collect();
        // Two of a, then b, b, c: the third `a` waits for one to be done.
        assert_eq!(first, vec![0, 1, 3, 5, 6]);
        queue.done(0);
        assert_eq!(queue.take(), Some(2));
        queue.done(1);
        assert_eq!(queue.take(), Some(4));
        for i in [2, 3, 4, 5, 6] {
            queue.done(i);
        }
        assert_eq!(queue.take(), None);
    }

    #[test]
    fn a_page_in_a_named_charset_is_read_in_it() {
        let latin1 = b"<html><head><meta charset=\"iso-8859-1\"></head><body>caf\xe9</body></html>";
        assert!(decode(latin1, None).contains("café"));
        assert!(decode(b"caf\xc3\xa9", Some("text/html; charset=utf-8")).contains("café"));
        assert!(decode(b"caf\xe9", Some("text/html; charset=windows-1252")).contains("café"));
    }

    #[test]
    fn answers_are_sorted_into_dead_uncertain_and_not_a_page() {
        let answer = |status: u16, body: Option<Vec<u8>>| Answer {
            status,
            final_url: "https://x.example/".into(),
            etag: None,
            last_modified: None,
            content_type: Some("application/pdf".into()),
            body,
        };
        assert_eq!(heard_answer(&answer(404, None)).health, Health::Dead);
        assert_eq!(heard_answer(&answer(410, None)).health, Health::Dead);
        for status in [401, 403, 429, 500, 503] {
            assert_eq!(
                heard_answer(&answer(status, None)).health,
                Health::Uncertain
            );
        }
        let pdf = heard_answer(&answer(200, None));
        assert_eq!(pdf.health, Health::NotAPage);
        assert_eq!(
            pdf.note.as_deref(),
            Some("not a web page (application/pdf)")
        );
        assert_eq!(
            heard_answer(&answer(200, Some(Vec::new()))).health,
            Health::Alive
        );
        assert_eq!(heard_failure(&Failure::HostNotFound).health, Health::Dead);
        assert_eq!(heard_failure(&Failure::Timeout).health, Health::Uncertain);
        // Offline, every name fails to resolve: that says nothing of the links.
        assert_eq!(
            heard_failure(&Failure::LookupFailed).health,
            Health::Uncertain
        );
        assert_eq!(heard_failure(&Failure::TooBig).health, Health::TooBig);
    }
}
