//! Text prepared for drawing: item and category pages → styled lines wrapped to a width.
//!
//! The app asks for a page when the shown item or the pane width changes and keeps it; the
//! widgets then copy only the visible lines. Nothing here is redone per frame.

pub mod bounds;
pub mod footnotes;
pub mod highlight;
pub mod html;
pub mod links;
pub mod markdown;
pub mod page;
pub mod table;
pub mod wrap;

pub use page::{Page, PageKey, category_page, item_page, starred_page};
