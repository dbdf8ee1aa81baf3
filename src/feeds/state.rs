//! What a sync remembers of each feed: its validators for conditional requests, the folder its
//! posts go to, and how the last sync went. Kept in `<library>/feeds/.sync.toml` (hidden, so
//! not content), written atomically.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
    /// Ids of the entries written so far: one deleted or moved by the user is not written
    /// again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<String>,
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
    std::fs::read_to_string(path(library))
        .ok()
        .and_then(|text| toml::from_str(&text).ok())
        .unwrap_or_default()
}

pub fn save(library: &Path, state: &SyncState) -> io::Result<()> {
    let path = path(library);
    std::fs::create_dir_all(crate::atomic_file::folder_of(&path))?;
    let text = toml::to_string(state).map_err(io::Error::other)?;
    crate::atomic_file::write(&path, text.as_bytes())
}
