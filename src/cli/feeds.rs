//! `quire subscribe`, `unsubscribe`, `feeds` and `sync`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};

use super::args::Command;
use crate::feeds::discover::feed_links;
use crate::feeds::fetch::{self, Fetched};
use crate::feeds::opml::{self, Feed};
use crate::feeds::{opml_path, state, sync};
use crate::import::url::normalize;
use crate::text::sanitize_line;

pub fn run(command: &Command, library: &Path) -> Result<ExitCode> {
    let list_path = opml_path(library);
    let mut feeds = opml::load(&list_path).map_err(|e| anyhow!(e))?;
    match command {
        Command::Subscribe { urls, opml: file } => {
            let mut added = 0;
            let mut failed = 0;
            let mut wanted: Vec<(String, Option<String>)> =
                urls.iter().map(|u| (u.clone(), None)).collect();
            if let Some(file) = file {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
                let listed = opml::parse(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?;
                wanted.extend(listed.into_iter().map(|f| (f.url, Some(f.title))));
            }
            let agent = fetch::agent(fetch::timeout());
            for (url, title) in wanted {
                if has(&feeds, &url) {
                    println!("Already subscribed: {url}");
                    continue;
                }
                // From an OPML list the feed is taken as listed; a url given by hand is
                // fetched, to find the feed a site's page names and the feed's title.
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                    eprintln!("quire: {url}: not a web address; give it with http:// or https://");
                    failed += 1;
                    continue;
                }
                let found = match title {
                    Some(title) => Ok(Feed {
                        url: url.clone(),
                        title,
                        site: None,
                    }),
                    None => find_feed(&agent, &url),
                };
                match found {
                    Ok(feed) if has(&feeds, &feed.url) => {
                        println!("Already subscribed: {}", feed.url)
                    }
                    Ok(feed) => {
                        println!(
                            "Subscribed to {} ({})",
                            sanitize_line(&feed.title),
                            feed.url
                        );
                        feeds.push(feed);
                        added += 1;
                    }
                    Err(err) => {
                        eprintln!("quire: {url}: {err}");
                        failed += 1;
                    }
                }
            }
            if added > 0 {
                opml::save(&list_path, &feeds)?;
                let whose = if added == 1 { "its" } else { "their" };
                println!(
                    "`quire sync` fetches {whose} posts into {}",
                    library.display()
                );
            }
            Ok(if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Unsubscribe { url } => {
            let before = feeds.len();
            // The feed's url, or the site's it was found from.
            let url_given = url;
            let url = &feeds
                .iter()
                .find(|f| {
                    f.site
                        .as_deref()
                        .is_some_and(|s| normalize(s) == normalize(url_given))
                })
                .map_or(url_given.clone(), |f| f.url.clone());
            feeds.retain(|f| normalize(&f.url) != normalize(url));
            if feeds.len() == before {
                bail!("not subscribed to {url}; `quire feeds` lists the subscriptions");
            }
            opml::save(&list_path, &feeds)?;
            let folder = state::load(library)
                .feeds
                .get(url)
                .map(|s| s.folder.clone())
                .filter(|f| !f.is_empty());
            match folder {
                Some(folder) => println!(
                    "Unsubscribed from {url}; its posts stay in {}",
                    crate::feeds::feeds_dir(library).join(folder).display()
                ),
                None => println!("Unsubscribed from {url}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Feeds => {
            let state = state::load(library);
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            if feeds.is_empty() {
                writeln!(out, "No subscriptions yet: quire subscribe URL")?;
            }
            for feed in &feeds {
                let s = state.feeds.get(&feed.url);
                let last = s
                    .and_then(|s| s.synced_at.clone())
                    .map_or("never synced".to_string(), |t| format!("last sync {t}"));
                let result = s.and_then(|s| s.result.clone()).unwrap_or_default();
                writeln!(
                    out,
                    "{}\t{}\t{last}\t{}",
                    sanitize_line(&feed.title),
                    feed.url,
                    sanitize_line(&result)
                )?;
            }
            writeln!(out, "(list: {})", list_path.display())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync { json } => {
            if feeds.is_empty() {
                if *json {
                    println!("[]");
                } else {
                    eprintln!("No subscriptions yet: quire subscribe URL adds one.");
                }
                return Ok(ExitCode::SUCCESS);
            }
            let progress = |report: &sync::Report| {
                if !json {
                    eprintln!("{}", sanitize_line(&report.line()));
                }
            };
            let reports = sync::sync(library, &feeds, fetch::timeout(), &progress);
            // A list that had no titles takes the feeds' own.
            let mut renamed = false;
            for report in &reports {
                if let Some(feed) = feeds.iter_mut().find(|f| f.url == report.url)
                    && feed.title.is_empty()
                    && !report.title.is_empty()
                {
                    feed.title = report.title.clone();
                    renamed = true;
                }
            }
            if renamed {
                opml::save(&list_path, &feeds)?;
            }
            if *json {
                serde_json::to_writer_pretty(std::io::stdout().lock(), &reports)?;
                println!();
            }
            let failed = reports.iter().filter(|r| r.failed()).count();
            if failed > 0 {
                eprintln!("quire: {failed} of {} feeds failed", reports.len());
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => unreachable!("only feed commands come here"),
    }
}

fn has(feeds: &[Feed], url: &str) -> bool {
    let url = normalize(url);
    feeds.iter().any(|f| normalize(&f.url) == url)
}

/// The feed at `url`, or the first feed the page at `url` names.
fn find_feed(agent: &ureq::Agent, url: &str) -> Result<Feed, String> {
    let fetched = match fetch::fetch(agent, url, None, None)? {
        Fetched::Body {
            bytes,
            content_type,
            ..
        } => (bytes, content_type),
        Fetched::NotModified => return Err("the server answered 304 to a plain request".into()),
    };
    let (bytes, content_type) = fetched;
    match sync::parse(&bytes, content_type.as_deref()) {
        Ok(feed) => Ok(Feed {
            url: url.to_string(),
            title: sync::feed_title(&feed, url, ""),
            site: feed.links.first().map(|l| l.href.clone()),
        }),
        Err(err) => {
            let page = String::from_utf8_lossy(&bytes);
            let Some(link) = feed_links(&page, url).into_iter().next() else {
                return Err(if page.to_ascii_lowercase().contains("<html") {
                    "the page names no feed (no <link rel=\"alternate\"> to RSS, Atom or JSON Feed)"
                        .into()
                } else {
                    err
                });
            };
            let mut feed = find_feed_direct(agent, &link)?;
            feed.site = Some(url.to_string());
            Ok(feed)
        }
    }
}

/// The feed at `url`, which must be one.
fn find_feed_direct(agent: &ureq::Agent, url: &str) -> Result<Feed, String> {
    match fetch::fetch(agent, url, None, None)? {
        Fetched::Body {
            bytes,
            content_type,
            ..
        } => {
            let feed =
                sync::parse(&bytes, content_type.as_deref()).map_err(|e| format!("{url}: {e}"))?;
            Ok(Feed {
                url: url.to_string(),
                title: sync::feed_title(&feed, url, ""),
                site: None,
            })
        }
        Fetched::NotModified => Err("the server answered 304 to a plain request".into()),
    }
}
