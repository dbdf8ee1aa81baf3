//! Text prepared for drawing: item and category pages → styled lines wrapped to a width.
//!
//! The app asks for a page when the shown item or the pane width changes and keeps it; the
//! widgets then copy only the visible lines. Nothing here is redone per frame.

pub mod bounds;
pub mod footnotes;
pub mod highlight;
pub mod html;
pub mod kept;
pub mod links;
pub mod markdown;
pub mod page;
pub mod table;
pub mod wrap;

pub use page::{Page, PageKey, category_page, item_page, item_page_saved, starred_page};

/// `text` with each range replaced by its new text: the passes that rewrite markdown before
/// it is rendered (HTML reduced, footnotes numbered) edit the source where the parser found
/// things. A range starting inside one already replaced is dropped.
fn splice(text: &str, mut edits: Vec<(std::ops::Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for (range, new) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&new);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}
