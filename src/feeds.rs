//! Feeds: subscriptions kept as OPML in the user's library, fetched over HTTP(S), each entry
//! written as a post file in the library so that everything else (tree, search, read state,
//! editing) works on it unchanged.
//!
//! Only this room and the page archive talk to the network, both through [`crate::fetch`]. A fetched feed is parsed to plain data
//! before anything is written ([`entry`] turns an entry into a post file's text), so tests of
//! the parsing and writing need no server; the sync's own tests start one on 127.0.0.1.

pub mod discover;
pub mod entry;
pub mod opml;
pub mod state;
pub mod sync;

use std::path::{Path, PathBuf};

/// The subscription list, in the library folder.
pub fn opml_path(library: &Path) -> PathBuf {
    library.join("feeds.opml")
}

/// Where a feed's posts go: `<library>/feeds/<folder>/`.
pub fn feeds_dir(library: &Path) -> PathBuf {
    library.join("feeds")
}
