//! The content model and its loaders: files on disk (or bundled) → a [`Library`].
//!
//! Nothing here knows about terminals; the reader and the CLI both start from [`load_library`].

mod assemble;
pub mod body;
pub mod bookmarks;
pub mod context;
pub mod date;
pub mod diagnostic;
pub mod document;
mod embedded;
pub mod front_matter;
pub mod html;
pub mod id;
pub mod loader;
pub mod model;
pub mod reload;
pub mod site;
pub mod source;
mod templating;

pub use body::Body;

/// The bundled library's files: (path relative to `content/`, bytes).
pub fn bundled_files() -> &'static [(&'static str, &'static [u8])] {
    embedded::FILES
}
pub use date::Date;
pub use diagnostic::Diagnostic;
pub use loader::load_library;
pub use model::{Category, CategoryId, Item, ItemKind, Items, Library, SourceRef};
pub use source::{Root, RootError};
