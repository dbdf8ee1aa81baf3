//! The page archive: each bookmark's page fetched (only on an explicit command or key), its
//! article kept as a markdown file under `<library>/archive/`, and how the link answered
//! (alive, dead, uncertain, not a web page) kept in that file's front matter, so saved pages
//! and link health sync, grep and back up like every other file of the library.
//!
//! The flow: [`run`] asks [`crate::fetch`] (the one network room, shared with feeds) for each
//! page, [`extract`] turns its HTML into an article (a pure step, tested without a server),
//! and [`page`] writes it under the library's writer lock. A bookmark and its saved page are
//! linked by [`key`], the normalised url.

pub mod extract;
pub mod page;
pub mod run;

use std::path::{Path, PathBuf};

/// Where saved pages go: `<library>/archive/<host>/`.
pub fn archive_dir(library: &Path) -> PathBuf {
    library.join("archive")
}

/// The url a bookmark and its saved page are matched by: normalised, without tracking
/// parameters (`utm_*`, …), a leading `www.` or a `#fragment` (one page either way).
pub fn key(url: &str) -> String {
    let plain = crate::feeds::sync::plain_url(url).replacen("://www.", "://", 1);
    match plain.split_once('#') {
        Some((page, _)) => page.to_string(),
        None => plain,
    }
}

/// The line above a saved page in its bookmark's body: "Saved page · fetched 2026-12-07 ·
/// example.com".
pub fn rule(page: &page::SavedPage) -> String {
    let mut parts = vec!["Saved page".to_string()];
    if let Some(fetched) = &page.meta.fetched {
        parts.push(format!("fetched {}", day(fetched)));
    }
    let host = page.host();
    if !host.is_empty() {
        parts.push(host);
    }
    crate::text::sanitize_line(&parts.join(" · "))
}

/// How the link answered when last asked: "alive (checked 2026-12-07)", "dead: HTTP 404 Not
/// Found (checked 2026-12-07)".
pub fn link_health(page: &page::SavedPage) -> String {
    let word = page.meta.health.word();
    // A note that starts with the word says it all ("not a web page (application/pdf)").
    let said = match page.meta.note.as_deref() {
        Some(note) if note.starts_with(word) => note.to_string(),
        Some(note) => format!("{word}: {note}"),
        None => word.to_string(),
    };
    crate::text::sanitize_line(&format!("{said} (checked {})", day(&page.meta.checked)))
}

/// The day of an RFC 3339 time.
pub fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// A library's saved pages, found by the link of the bookmark they were saved from.
#[derive(Debug, Default, Clone)]
pub struct Shelf {
    pages: std::collections::HashMap<String, page::SavedPage>,
}

impl Shelf {
    /// Every saved page in `<library>/archive/` (none when there is no such folder).
    pub fn load(library: &Path) -> Shelf {
        Shelf {
            pages: page::scan(library)
                .into_iter()
                .map(|p| (key(&p.meta.saved_from), p))
                .collect(),
        }
    }

    /// [`Shelf::load`] of the library folder, when there is one.
    pub fn load_from(library: Option<&Path>) -> Shelf {
        library.map(Shelf::load).unwrap_or_default()
    }

    /// The page saved from this link, if any.
    pub fn page(&self, url: Option<&str>) -> Option<&page::SavedPage> {
        self.pages.get(&key(url?))
    }

    /// Whether the link was found dead when last asked.
    pub fn is_dead(&self, url: Option<&str>) -> bool {
        self.page(url)
            .is_some_and(|p| p.meta.health == page::Health::Dead)
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// What search needs of the shelf, by item number of `library`: the saved text of each
    /// item that has one, and whether its link is dead. Nothing is looked at when nothing
    /// is saved.
    pub fn by_item(&self, library: &dyn crate::content::Items) -> ByItem {
        let mut by_item = ByItem::default();
        if self.pages.is_empty() {
            return by_item;
        }
        by_item.dead = vec![false; library.len()];
        for i in 0..library.len() {
            let Some(page) = self.page(library.url(i)) else {
                continue;
            };
            by_item.dead[i] = page.meta.health == page::Health::Dead;
            if !page.body.is_empty() {
                by_item.saved.push(crate::search::SavedText {
                    item: i,
                    title: page.meta.title.as_str().into(),
                    text: std::sync::Arc::clone(&page.body),
                });
            }
        }
        by_item
    }
}

/// The shelf by item number (see [`Shelf::by_item`]).
#[derive(Debug, Default, Clone)]
pub struct ByItem {
    pub saved: Vec<crate::search::SavedText>,
    pub dead: Vec<bool>,
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn one_page_is_one_key_however_the_link_was_written() {
        assert_eq!(
            key("https://www.Example.org/post?utm_source=x#part-2"),
            key("https://example.org/post")
        );
        assert_ne!(key("https://example.org/a"), key("https://example.org/b"));
    }
}
