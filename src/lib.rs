//! Quire: a full-screen terminal reader for markdown posts and curated bookmark notes.
//!
//! Data flows one way, and the modules follow it: files → [`content`] (model and loaders) →
//! the reader's `app` state → `ui` widgets. Everything before `app` is plain library code
//! with no terminal in it (it builds with `--no-default-features`).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod archive;
pub mod content;
pub mod edit;
pub mod feeds;
pub mod fetch;
pub mod import;
pub mod open;
pub mod search;
pub mod state;
pub mod store;
pub mod text;
pub mod writer;
// Used by the loader as well as the reader: no terminal crates in it.
pub mod panics;

#[cfg(feature = "tui")]
pub mod app;
#[cfg(feature = "tui")]
pub mod cli;
#[cfg(feature = "tui")]
pub mod config;
#[cfg(feature = "tui")]
pub mod render;
#[cfg(feature = "tui")]
pub mod theme;
#[cfg(feature = "tui")]
pub mod tui;
#[cfg(feature = "tui")]
pub mod ui;
