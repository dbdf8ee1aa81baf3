//! What a sync remembers of each feed: its validators for conditional requests, the folder its
//! posts go to, and how the last sync went. Kept in `<library>/feeds/.sync.toml` (hidden, so
//! not content), written atomically.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::writer::{LibraryLock, WriteError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    /// The folder under `feeds/` its posts are in (named once, from its title).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub folder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When it was last fetched (RFC 3339), and what came of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// What tells this feed from others whatever url it is fetched by (its Atom id, self
    /// link, url without tracking parameters): a second subscription to it shares its folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<String>,
    /// Ids of the entries written so far: one deleted or moved by the user is not written
    /// again (while the feed still lists it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
}

/// Whether `folder` is one plain name (what Quire names a feed's folder): a hand-edited
/// `../../outside` or `/etc` must never send a sync's writes out of the library.
pub fn is_plain_folder(folder: &str) -> bool {
    !folder.is_empty()
        && folder.len() <= 200
        && folder != "."
        && folder != ".."
        && !folder.starts_with('.')
        && folder
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// The state of every feed, by its url.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    #[serde(default)]
    pub feeds: BTreeMap<String, FeedState>,
}

pub fn path(library: &Path) -> PathBuf {
    super::feeds_dir(library).join(".sync.toml")
}

/// The state; empty when there is none yet, or when it cannot be read (it only saves
/// requests: the next sync fetches everything in full and writes it again).
pub fn load(library: &Path) -> SyncState {
    crate::writer::read_own(&path(library), 64 * 1024 * 1024)
        .ok()
        .flatten()
        .and_then(|bytes| toml::from_str(&String::from_utf8_lossy(&bytes)).ok())
        .unwrap_or_default()
}

/// The state, read under the library's writer lock to be changed and saved: one that cannot
/// be read (a hand edit gone wrong) is first moved aside to `.sync.toml.corrupt-<time>`, kept
/// for its owner, rather than replaced.
pub fn load_for_update(lock: &LibraryLock) -> SyncState {
    let path = path(lock.library());
    let Ok(Some(bytes)) = crate::writer::read_own(&path, 64 * 1024 * 1024) else {
        return SyncState::default();
    };
    match toml::from_str(&String::from_utf8_lossy(&bytes)) {
        Ok(state) => state,
        Err(_) => {
            let stamp = crate::state::Timestamp::now().to_string().replace(':', "-");
            let _ = std::fs::rename(
                &path,
                path.with_file_name(format!(".sync.toml.corrupt-{stamp}")),
            );
            SyncState::default()
        }
    }
}

/// Saves the state, holding the library's writer lock (read it again under the same lock
/// first, so nothing another sync saved is lost).
pub fn save(lock: &LibraryLock, state: &SyncState) -> Result<(), WriteError> {
    debug_assert!(lock.is_whole_library(), "the sync state is the library's");
    let path = path(lock.library());
    let text = toml::to_string(state).map_err(|e| WriteError::Io {
        path: path.clone(),
        error: io::Error::other(e),
    })?;
    lock.write(&path, text.as_bytes())
}
