//! A saved page on disk: `<library>/archive/<host>/<slug>-<hash>.md`, TOML front matter (what
//! the fetch learnt: title, byline, site, dates, final url, status, validators, checksum, the
//! link's health) over the article's markdown. A link that never gave a page still gets a
//! file, front matter only, so its health is kept where everything else is.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::content::id::{fnv1a, slugify};
use crate::feeds::entry::cut_bytes;
use crate::writer::{LibraryLock, WriteError};

/// The loader's mark for a saved page (`kind` in its front matter): shown with its bookmark,
/// never as an item of its own.
pub const KIND: &str = crate::content::document::SAVED_PAGE;

/// How a link answered when last asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    /// A web page came back (or 304: the one kept is still current).
    Alive,
    /// 404, 410, or a host that does not resolve.
    Dead,
    /// 401, 403, 429, 5xx, a timeout, a refused or broken connection: asked again next run.
    #[default]
    Uncertain,
    /// The address answers with something other than a web page (a PDF, an image).
    NotAPage,
    /// A page too big to keep (past the fetch's size limit).
    TooBig,
}

impl Health {
    pub fn word(self) -> &'static str {
        match self {
            Health::Alive => "alive",
            Health::Dead => "dead",
            Health::Uncertain => "uncertain",
            Health::NotAPage => "not a web page",
            Health::TooBig => "too big",
        }
    }
}

/// The front matter of a saved page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Meta {
    /// Always [`KIND`].
    pub kind: String,
    pub title: String,
    /// The bookmark's url, as it was written there: what links the two (by [`super::key`]).
    pub saved_from: String,
    /// Where the page was found, after redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the text below was fetched (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<String>,
    /// When the link was last asked, whatever it answered.
    pub checked: String,
    pub health: Health,
    /// The last HTTP status, when one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why the link is not alive, or what it sent instead of a page, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Of the text below as fetched: a text that no longer matches was edited by the user,
    /// and a refresh leaves it as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// A saved page as read from disk.
#[derive(Debug, Clone)]
pub struct SavedPage {
    pub path: PathBuf,
    pub meta: Meta,
    /// Shared: the reader's search holds the same text, not a copy.
    pub body: std::sync::Arc<str>,
}

impl SavedPage {
    /// Whether the text is still what was fetched (no checksum: nothing fetched yet).
    pub fn untouched(&self) -> bool {
        self.meta
            .checksum
            .as_deref()
            .is_none_or(|sum| sum == checksum(&self.body))
    }

    /// The saved page's host (for the rule above it in a body).
    pub fn host(&self) -> String {
        let url = self.meta.url.as_deref().unwrap_or(&self.meta.saved_from);
        crate::fetch::site_of(url).unwrap_or_default()
    }
}

pub fn checksum(body: &str) -> String {
    format!("crc32:{:08x}", crc32fast::hash(body.trim().as_bytes()))
}

/// The file's text: front matter, then the body.
pub fn render(meta: &Meta, body: &str) -> String {
    let front = toml::to_string(meta).unwrap_or_default();
    let body = body.trim();
    if body.is_empty() {
        format!("+++\n{front}+++\n")
    } else {
        format!("+++\n{front}+++\n\n{body}\n")
    }
}

/// A saved page's front matter and body; `None` for any other file.
pub fn parse(text: &str) -> Option<(Meta, String)> {
    // Saved by an editor with Windows line endings, it is still the saved page.
    let unix;
    let text = if text.contains("\r\n") {
        unix = text.replace("\r\n", "\n");
        unix.as_str()
    } else {
        text
    };
    let rest = text.strip_prefix("+++\n")?;
    let (front, body) = match rest.find("\n+++\n") {
        Some(end) => (&rest[..end], &rest[end + 5..]),
        None => (rest.strip_suffix("\n+++")?, ""),
    };
    let meta: Meta = toml::from_str(front).ok()?;
    (meta.kind == KIND).then(|| (meta, body.trim().to_string()))
}

/// Bytes of a slug kept in a file name (with the host folder, the hash and the writer's temp
/// marks, far below the 255 a name may have).
const MAX_SLUG: usize = 80;

/// Where the page of `url` is saved: one file per page ([`super::key`]), named for a person
/// browsing the folder (host, then the path's words) and made unique by the key's hash.
pub fn path_for(library: &Path, url: &str) -> PathBuf {
    let key = super::key(url);
    let parsed = url::Url::parse(&key).ok();
    let host = parsed
        .as_ref()
        .and_then(|u| u.host_str())
        .map(slugify)
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "elsewhere".into());
    let host = cut_bytes(&host, MAX_SLUG).trim_end_matches('-').to_string();
    let words = parsed
        .as_ref()
        .map(|u| slugify(&format!("{} {}", u.path(), u.query().unwrap_or_default())))
        .unwrap_or_default();
    let words = cut_bytes(&words, MAX_SLUG).trim_end_matches('-');
    let hash = format!("{:08x}", fnv1a(key.as_bytes()) as u32);
    let name = if words.is_empty() {
        format!("{hash}.md")
    } else {
        format!("{words}-{hash}.md")
    };
    super::archive_dir(library).join(host).join(name)
}

/// Files larger than this in `archive/` are not saved pages (a page is at most 10 MB of
/// HTML, far less as markdown).
const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Every saved page of the library: the `.md` files one folder down in `archive/`, read
/// whole (one pass; a file that is not a saved page is passed over).
pub fn scan(library: &Path) -> Vec<SavedPage> {
    let mut pages = Vec::new();
    let Ok(hosts) = std::fs::read_dir(super::archive_dir(library)) else {
        return pages;
    };
    let mut hosts: Vec<PathBuf> = hosts.flatten().map(|e| e.path()).collect();
    hosts.sort();
    for host in hosts {
        let Ok(files) = std::fs::read_dir(&host) else {
            continue;
        };
        let mut files: Vec<PathBuf> = files
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        for path in files {
            let Some(raw) = crate::writer::read_regular(&path, MAX_FILE) else {
                continue;
            };
            if let Some((meta, body)) = parse(&String::from_utf8_lossy(&raw)) {
                pages.push(SavedPage {
                    path,
                    meta,
                    body: body.into(),
                });
            }
        }
    }
    pages
}

/// Writes a saved page: a new file, or over the page read before, if the file still holds
/// it (`Changed` if not: edited meanwhile, by the user or another run).
pub fn save(
    lock: &LibraryLock,
    path: &Path,
    before: Option<&SavedPage>,
    meta: &Meta,
    body: &str,
) -> Result<(), WriteError> {
    let text = render(meta, body);
    let Some(before) = before else {
        return lock.create(path, text.as_bytes());
    };
    // Read again now (the shelf keeps no bytes, only what they say), and replaced only while
    // they still say it.
    let now = crate::writer::read_regular(path, MAX_FILE).unwrap_or_default();
    let same = parse(&String::from_utf8_lossy(&now))
        .is_some_and(|(meta, body)| meta == before.meta && *body == *before.body);
    if !same {
        return Err(WriteError::Changed {
            path: path.to_path_buf(),
        });
    }
    lock.replace(path, &now, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_page_reads_back_as_written() {
        let meta = Meta {
            kind: KIND.into(),
            title: "A \"quoted\" title\nwith a break".into(),
            saved_from: "https://e.example/a".into(),
            url: Some("https://e.example/b".into()),
            checked: "2026-12-07T10:00:00Z".into(),
            health: Health::Alive,
            status: Some(200),
            checksum: Some(checksum("Body text.")),
            ..Meta::default()
        };
        let text = render(&meta, "Body text.\n\n+++\nnot front matter");
        let (back, body) = parse(&text).expect("parses");
        assert_eq!(back, meta);
        assert_eq!(body, "Body text.\n\n+++\nnot front matter");
        // Front matter only (a dead link never saved).
        let dead = Meta {
            health: Health::Dead,
            ..meta.clone()
        };
        let (back, body) = parse(&render(&dead, "")).expect("parses");
        assert_eq!((back.health, body.as_str()), (Health::Dead, ""));
        // Another post is not a saved page.
        assert!(parse("+++\ntitle = \"x\"\n+++\nhi").is_none());
    }

    #[test]
    fn one_file_per_page_with_a_name_a_person_reads() {
        let lib = Path::new("/lib");
        let a = path_for(
            lib,
            "https://www.Example.org/posts/Hello-World?utm_source=x",
        );
        assert_eq!(
            a,
            path_for(lib, "https://example.org/posts/Hello-World#top")
        );
        assert!(a.starts_with("/lib/archive/example-org"), "{a:?}");
        let name = a.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(name.starts_with("posts-hello-world-"), "{name}");
        assert_ne!(a, path_for(lib, "https://example.org/posts/hello-world"));
        let long = format!("https://{}.example/{}", "h".repeat(300), "p/".repeat(500));
        let long = path_for(lib, &long);
        assert!(long.iter().all(|part| part.len() < 120), "{long:?}");
    }
}
