//! `quire archive`: the bookmarks asked for (by id, category or all) have their pages fetched
//! and kept (see [`crate::archive`]). On a terminal a progress line says how far the run is;
//! piped, only what went wrong and the summary are said.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{Result, bail};

use crate::archive::run::{self, Event, Options, Outcome, Report, Target};
use crate::content::{ItemKind, Library, Root};
use crate::store::cache::{self, ItemIds, Parts};

pub struct Asked {
    pub ids: Vec<String>,
    pub category: Option<String>,
    pub all: bool,
    /// Feed posts that came as a summary only are saved too.
    pub feeds: bool,
    pub refresh: bool,
    pub json: bool,
    pub library: PathBuf,
    pub roots: Vec<Root>,
}

pub fn run(asked: Asked) -> Result<ExitCode> {
    let opened = cache::open(
        &asked.roots,
        cache::cache_path(&asked.roots).as_deref(),
        Parts::Library,
    )?;
    let Some(library) = opened.library.as_deref() else {
        bail!("the library was not loaded (a bug in Quire)");
    };
    let targets = targets(library, &asked)?;
    if targets.is_empty() {
        if asked.json {
            say!("[]")?;
        } else {
            complain!("no bookmark with a web address to save there");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let shown = !asked.json && std::io::stderr().is_terminal();
    let bar = Mutex::new(Bar {
        total: targets.len(),
        done: 0,
        failed: 0,
        host: String::new(),
        shown,
    });
    let progress = |event: Event<'_>| {
        let mut bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::Asking { host } => bar.host = host.to_string(),
            Event::Done(report) => {
                bar.done += 1;
                bar.failed += usize::from(report.outcome.failed());
                // Said: what went wrong, and anything of note about a page asked for now.
                let of_note = report.asked || report.outcome != Outcome::Unchanged;
                if !asked.json && report.note.is_some() && of_note {
                    bar.clear();
                    complain!("{}", run::said(report));
                }
            }
        }
        bar.draw();
    };
    let options = Options {
        refresh: asked.refresh,
        timeout: crate::fetch::timeout(),
    };
    let reports = run::run(&asked.library, &targets, options, &progress);
    bar.lock().unwrap_or_else(|e| e.into_inner()).clear();
    if asked.json {
        say!("{}", serde_json::to_string_pretty(&reports)?)?;
    } else {
        say!("{}", summary(&reports))?;
    }
    // A link asked for now that failed fails the run; one known dead from an earlier run
    // (not asked again) is in the summary, and does not fail every cron run after.
    Ok(if reports.iter().any(|r| r.asked && r.outcome.failed()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A feed post with less text than this (blanks aside) came as a summary: real articles are
/// longer, summaries a paragraph or two.
const SUMMARY_ONLY: usize = 1_500;

/// The bookmarks asked for, with their links, in the library's order.
fn targets(library: &Library, asked: &Asked) -> Result<Vec<Target>> {
    let mut chosen: Vec<usize> = Vec::new();
    // `--feeds` alone means every feed post it takes.
    let alone = asked.category.is_none() && asked.ids.is_empty();
    if asked.all || (asked.feeds && alone) {
        chosen.extend(library.items_under(Library::ROOT));
    }
    if let Some(path) = &asked.category {
        match library.category_by_path(path) {
            Some(id) => chosen.extend(library.items_under(id)),
            None => bail!("{}", super::output::unknown_category(library, path)),
        }
    }
    for id in &asked.ids {
        match library.position(id) {
            Some(i) => chosen.push(i),
            None => bail!("{}", super::output::unknown_id(&ItemIds::of(library), id)),
        }
    }
    let mut seen = std::collections::HashSet::new();
    let explicit = |i: usize| asked.ids.iter().any(|id| *id == library.items[i].id);
    let feeds_dir = crate::feeds::feeds_dir(&asked.library);
    // A post a sync wrote from an entry that carried only a summary: its page has the rest.
    let summary_only = |item: &crate::content::Item| {
        asked.feeds
            && item.kind == ItemKind::Post
            && item.source.path.starts_with(&feeds_dir)
            && item.body.chars().filter(|c| !c.is_whitespace()).count() < SUMMARY_ONLY
    };
    let mut targets = Vec::new();
    for i in chosen {
        let item = &library.items[i];
        // A post asked for by its id is saved too; a category or --all means its bookmarks
        // (and, with --feeds, its feed posts of a summary only).
        if !seen.insert(i)
            || (item.kind != ItemKind::Bookmark && !explicit(i) && !summary_only(item))
        {
            continue;
        }
        match &item.url {
            Some(url) => targets.push(Target {
                id: item.id.clone(),
                title: item.title.clone(),
                url: url.clone(),
            }),
            None if explicit(i) => bail!("`{}` has no link to save", item.id),
            None => {}
        }
    }
    Ok(targets)
}

/// "Saved 12 pages, 30 unchanged, 2 dead, 1 failed (asked again next time), 1 skipped."
pub fn summary(reports: &[Report]) -> String {
    let count = |outcome: Outcome| reports.iter().filter(|r| r.outcome == outcome).count();
    let archived = count(Outcome::Archived);
    let mut parts = vec![format!(
        "Saved {archived} page{}",
        if archived == 1 { "" } else { "s" }
    )];
    let kept = reports
        .iter()
        .filter(|r| r.outcome == Outcome::Unchanged && !r.asked)
        .count();
    for (n, words) in [
        (count(Outcome::Unchanged) - kept, "unchanged"),
        (kept, "saved already"),
        (count(Outcome::Dead), "dead"),
        (count(Outcome::Uncertain), "failed (asked again next time)"),
        (count(Outcome::Skipped), "skipped"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {words}"));
        }
    }
    format!("{}.", parts.join(", "))
}

/// The one progress line on a terminal: done/total, the host asked last, failures so far.
struct Bar {
    total: usize,
    done: usize,
    failed: usize,
    host: String,
    shown: bool,
}

impl Bar {
    fn draw(&self) {
        if !self.shown {
            return;
        }
        const WIDTH: usize = 24;
        let filled = (self.done * WIDTH).checked_div(self.total).unwrap_or(0);
        let failed = if self.failed > 0 {
            format!(" · {} failed", self.failed)
        } else {
            String::new()
        };
        let host: String = crate::text::sanitize_line(&self.host)
            .chars()
            .take(40)
            .collect();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K[{}{}] {}/{} {host}{failed}",
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.done,
            self.total
        );
        let _ = err.flush();
    }

    fn clear(&self) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
