//! `quire subscribe`, `unsubscribe`, `feeds` and `sync`.
//!
//! Every line printed goes through `say!`/`complain!`: urls and titles come from feeds and
//! lists, and may hold escape sequences. The subscription list is changed under the library's
//! writer lock, read again first: two `quire subscribe` at once keep both.

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use super::args::Command;
use crate::feeds::discover::feed_links;
use crate::feeds::opml::{self, Feed};
use crate::feeds::sync::{identity, plain_url};
use crate::feeds::{opml_path, state, sync};
use crate::fetch::{self, Fetched};
use crate::writer::LibraryLock;

pub fn run(command: &Command, library: &Path) -> Result<ExitCode> {
    let list_path = opml_path(library);
    let feeds = opml::load(&list_path).map_err(|e| anyhow!(e))?;
    match command {
        Command::Subscribe { urls, opml: file } => {
            let mut failed = 0;
            let mut wanted: Vec<(String, Option<String>)> =
                urls.iter().map(|u| (u.clone(), None)).collect();
            if let Some(file) = file {
                let text = super::import::read_input(file)?;
                let listed = opml::parse(&String::from_utf8_lossy(&text))
                    .map_err(|e| anyhow!("{}: {e}", file.display()))?;
                wanted.extend(listed.into_iter().map(|f| (f.url, Some(f.title))));
            }
            let mut subscribed: HashSet<String> = feeds.iter().map(|f| plain_url(&f.url)).collect();
            let states = state::load(library);
            let agent = fetch::agent(fetch::timeout());
            let mut found = Vec::new();
            for (url, title) in wanted {
                if subscribed.contains(&plain_url(&url)) {
                    say!("Already subscribed: {url}")?;
                    continue;
                }
                // One rule for a url typed and one listed in an OPML file.
                if let Err(why) = opml::check_url(&url) {
                    complain!("{url}: {why}");
                    failed += 1;
                    continue;
                }
                // From an OPML list the feed is taken as listed; a url given by hand is
                // fetched, to find the feed a site's page names and the feed's title.
                let found_one = match title {
                    Some(title) => Ok((
                        Feed {
                            url: url.clone(),
                            title,
                            site: None,
                        },
                        Vec::new(),
                    )),
                    None => find_feed(&agent, &url),
                };
                match found_one {
                    Ok((feed, _)) if subscribed.contains(&plain_url(&feed.url)) => {
                        say!("Already subscribed: {}", feed.url)?
                    }
                    Ok((feed, keys)) => {
                        // The same feed under another address (its Atom id or self link).
                        let twin = states.feeds.iter().find(|(other, s)| {
                            subscribed.contains(&plain_url(other))
                                && crate::feeds::sync::same_feed(
                                    &feed.url,
                                    &keys,
                                    other,
                                    &s.identity,
                                )
                        });
                        if let Some((other, _)) = twin {
                            say!("Already subscribed: {} is the feed at {other}", feed.url)?;
                            continue;
                        }
                        subscribed.insert(plain_url(&feed.url));
                        found.push(feed);
                    }
                    Err(err) => {
                        complain!("{url}: {err}");
                        failed += 1;
                    }
                }
            }
            if !found.is_empty() {
                // Said once the list is saved: a library that cannot be written says so and
                // nothing claims the feeds were subscribed to.
                let names: Vec<(String, String)> = found
                    .iter()
                    .map(|f| (f.title.clone(), f.url.clone()))
                    .collect();
                let added = add_subscriptions(library, found)?;
                for (title, url) in names {
                    say!("Subscribed to {title} ({url})")?;
                }
                let whose = if added == 1 { "its" } else { "their" };
                say!(
                    "`quire sync` fetches {whose} posts into {}",
                    library.display()
                )?;
            }
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Unsubscribe { url } => {
            let lock = LibraryLock::acquire(library)?;
            let feeds = opml::load(&list_path).map_err(|e| anyhow!(e))?;
            // The feed's url, or the site's it was found from.
            let url_given = url;
            let url = &feeds
                .iter()
                .find(|f| {
                    f.site
                        .as_deref()
                        .is_some_and(|s| plain_url(s) == plain_url(url_given))
                })
                .map_or(url_given.clone(), |f| f.url.clone());
            // Its outline goes; the rest of the list (folders, comments) stays as it is.
            let removed = opml::remove(&lock, |u| plain_url(u) == plain_url(url))?;
            if removed == 0 {
                bail!(
                    "not subscribed to {}; `quire feeds` lists the subscriptions",
                    crate::text::sanitize_line(url)
                );
            }
            drop(lock);
            let folder = state::load(library)
                .feeds
                .get(url)
                .map(|s| s.folder.clone())
                .filter(|f| state::is_plain_folder(f));
            match folder {
                Some(folder) => say!(
                    "Unsubscribed from {url}; its posts stay in {}",
                    crate::feeds::feeds_dir(library).join(folder).display()
                )?,
                None => say!("Unsubscribed from {url}")?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Feeds => {
            let state = state::load(library);
            if feeds.is_empty() {
                say!("No subscriptions yet: quire subscribe URL")?;
            }
            for feed in &feeds {
                let s = state.feeds.get(&feed.url);
                // Listed without a title: the one the feed gave at its last sync.
                let given = s.and_then(|s| {
                    s.identity
                        .iter()
                        .find_map(|k| k.strip_prefix("title:").map(str::to_string))
                });
                let title = if feed.title.is_empty() {
                    given.unwrap_or_default()
                } else {
                    feed.title.clone()
                };
                let last = s
                    .and_then(|s| s.synced_at.clone())
                    .map_or("never synced".to_string(), |t| format!("last sync {t}"));
                let result = s.and_then(|s| s.result.clone()).unwrap_or_default();
                say!(
                    "{}\t{}\t{last}\t{}",
                    crate::text::sanitize_line(&title),
                    crate::text::sanitize_line(&feed.url),
                    crate::text::sanitize_line(&result)
                )?;
            }
            say!("(list: {})", list_path.display())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { json } => {
            if feeds.is_empty() {
                if *json {
                    say!("[]")?;
                } else {
                    complain!("no subscriptions yet: quire subscribe URL adds one");
                }
                return Ok(ExitCode::SUCCESS);
            }
            // Results go to standard output (a log captures them), problems to standard error.
            let progress = |report: &sync::Report| {
                if !json {
                    let line = crate::text::sanitize_line(&report.line());
                    if report.failed() {
                        complain!("{line}");
                    } else {
                        let _ = say!("{line}");
                    }
                }
            };
            let reports = sync::sync(library, &feeds, fetch::timeout(), &progress);
            // The list is the user's: a feed listed without a title keeps it so (`quire feeds`
            // shows the title the feed gave, kept in the sync state).
            if *json {
                let text = serde_json::to_string_pretty(&reports)?;
                say!("{text}")?;
            }
            let failed = reports.iter().filter(|r| r.failed()).count();
            if failed > 0 {
                complain!("{failed} of {} feeds failed", reports.len());
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => unreachable!("only feed commands come here"),
    }
}

/// Adds `new` feeds to the subscription list (read again under the writer lock, so another
/// `subscribe` meanwhile is kept); a feed already there is not added twice. Returns how
/// many were added.
pub(super) fn add_subscriptions(library: &Path, new: Vec<Feed>) -> Result<usize> {
    let lock = LibraryLock::acquire(library)?;
    let path = opml_path(library);
    let feeds = opml::load(&path).map_err(|e| anyhow!(e))?;
    let mut present: HashSet<String> = feeds.iter().map(|f| plain_url(&f.url)).collect();
    let new: Vec<Feed> = new
        .into_iter()
        .filter(|feed| present.insert(plain_url(&feed.url)))
        .collect();
    if !new.is_empty() {
        opml::add(&lock, &new)?;
    }
    Ok(new.len())
}

/// The feed at `url`, or the first feed the page at `url` names; with what identifies it.
fn find_feed(agent: &ureq::Agent, url: &str) -> Result<(Feed, Vec<String>), String> {
    let (bytes, content_type) = fetch_body(agent, url)?;
    match sync::parse(&bytes, content_type.as_deref()) {
        Ok(feed) => Ok(described(url, &feed)),
        Err(err) => {
            let page = String::from_utf8_lossy(&bytes);
            let links = feed_links(&page, url);
            if links.is_empty() {
                return Err(if page.to_ascii_lowercase().contains("<html") {
                    "the page names no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)"
                        .into()
                } else {
                    err
                });
            }
            // The first of the feeds the page names that answers as a feed (a page can name
            // a dead one first).
            let mut failures = Vec::new();
            for link in links.iter().take(5) {
                if opml::check_url(link).is_err() {
                    failures.push(format!("{link}: not a web address"));
                    continue;
                }
                let parsed = fetch_body(agent, link)
                    .and_then(|(bytes, content_type)| sync::parse(&bytes, content_type.as_deref()));
                match parsed {
                    Ok(parsed) => {
                        let (mut feed, keys) = described(link, &parsed);
                        feed.site = Some(url.to_string());
                        return Ok((feed, keys));
                    }
                    Err(e) => failures.push(format!("{link}: {e}")),
                }
            }
            Err(format!(
                "none of the feeds the page names answered: {}",
                failures.join("; ")
            ))
        }
    }
}

fn fetch_body(agent: &ureq::Agent, url: &str) -> Result<(Vec<u8>, Option<String>), String> {
    match fetch::fetch(agent, url, None, None)? {
        Fetched::Body {
            bytes,
            content_type,
            ..
        } => Ok((bytes, content_type)),
        Fetched::NotModified => Err("the server answered 304 to a plain request".into()),
    }
}

/// A parsed feed at `url` as a subscription: its title, its site (the page it links to as
/// `alternate`, never its own self link), and its identity.
fn described(url: &str, parsed: &feed_rs::model::Feed) -> (Feed, Vec<String>) {
    let site = parsed
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    (
        Feed {
            url: url.to_string(),
            title: sync::feed_title(parsed, url, ""),
            site,
        },
        identity(parsed, url),
    )
}
