//! The library living on disk: reloads that keep the reader's place, and editing an item's
//! file.

use super::*;
use crate::content::reload::Changes;
use crate::content::source::BUNDLED;

/// Why the library was read again, for the message the reader shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Files changed on disk.
    Watched,
    /// Ctrl-r.
    ByHand,
    /// The editor returned.
    Edited,
    /// The user's library folder appeared (a first import or sync, made while the reader
    /// ran): loaded from now on.
    Appeared,
}

impl App {
    /// The library read again after files changed: the place, the open folders, the body's
    /// scroll and an open search stay where their items still are.
    pub fn library_reloaded(&mut self, library: Arc<Library>, changes: &Changes, why: Reason) {
        let old = Arc::clone(&self.library);
        let id_of = |i: usize| old.items.get(i).map(|item| item.id.clone());
        // The body's line is remembered, so the page laid out again opens at it.
        let shown = match (self.body.key, self.page()) {
            (Some(PageKey::Item(i)), Some(page)) => {
                let (width, lines) = (page.width, page.lines.len());
                self.left_item(i, self.body.scroll, width, lines);
                Some(i)
            }
            _ => None,
        };
        let shown_title = shown
            .and_then(|i| old.items.get(i))
            .map(|i| i.title.clone());
        let shown_id = shown.and_then(id_of);
        let listed = match self.search {
            None => self
                .list
                .selected_item()
                .and_then(id_of)
                .map(|id| (self.list.selected, id)),
            Some(_) => None,
        };
        let problems_before = old.diagnostics.len();
        let followed = self.search.as_ref().map(|panel| {
            (
                panel.selected_item().and_then(id_of),
                panel.previewed.and_then(id_of),
            )
        });
        self.library_loaded(library, None);
        if let (Some(panel), Some((selected, previewed))) = (&mut self.search, followed) {
            panel.follow = selected;
            panel.previewed = previewed.and_then(|id| self.library.position(&id));
        }
        // The selected item gone: its neighbour, where it was, rather than the top.
        if let Some((row, id)) = listed
            && self.library.position(&id).is_none()
            && !self.list.items.is_empty()
        {
            self.list.selected = row.min(self.list.items.len() - 1);
            self.sync();
        }
        let gone = shown_id.is_some_and(|id| self.library.position(&id).is_none());
        let message = match (gone, why) {
            (true, _) => format!(
                "“{}” is gone from the library: its file changed, moved or was removed",
                shown_title.unwrap_or_default()
            ),
            (false, Reason::ByHand) if changes.is_empty() => {
                "Reloaded: nothing changed on disk.".to_string()
            }
            (false, Reason::Edited) => "Reloaded after editing.".to_string(),
            (false, Reason::Appeared) => {
                let s = if changes.added == 1 { "" } else { "s" };
                format!(
                    "Your library appeared and is loaded: {} new file{s}",
                    changes.added
                )
            }
            (false, _) => format!("Reloaded: {}", describe(changes)),
        };
        let problems = self.library.diagnostics.len();
        let message = if problems > problems_before {
            let new = problems - problems_before;
            let s = if new == 1 { "" } else { "s" };
            format!("{message}; {new} new problem{s}: `quire check` lists them")
        } else {
            message
        };
        // A change seen in the background does not hide an error the user has not read yet
        // (an editor that failed, then the file it left behind reloaded).
        let error_shown = self.status.as_ref().is_some_and(|s| s.error);
        // A sync's summary says what arrived; the reload it causes need not say it again.
        let noted = self
            .noted_at
            .is_some_and(|at| at.elapsed() < std::time::Duration::from_secs(5));
        if gone || why != Reason::Watched || !(error_shown || noted) {
            self.set_status(message, false);
        }
    }

    /// `e`: the item's file in the user's editor, at the item's line.
    pub(super) fn edit(&mut self) {
        let item = match self.focus {
            Focus::Tree if self.search.is_none() => None,
            _ => self.selected_item(),
        };
        let Some(item) = item.and_then(|i| self.library.items.get(i)) else {
            self.set_status("Select an item to edit its file.", false);
            return;
        };
        if item.source.path.starts_with(BUNDLED) {
            self.set_status(
                "Bundled content can't be edited: `quire copy-bundled DIR` makes an editable \
                 copy (then quire --content DIR)",
                true,
            );
            return;
        }
        self.effects.push(Effect::Edit {
            file: item.source.path.to_path_buf(),
            line: item.source.line,
        });
    }
}

/// "2 files changed, 1 new" and the like.
fn describe(changes: &Changes) -> String {
    let mut parts = Vec::new();
    let files = |n: usize| if n == 1 { "file" } else { "files" };
    if changes.changed > 0 {
        parts.push(format!(
            "{} {} changed",
            changes.changed,
            files(changes.changed)
        ));
    }
    if changes.added > 0 {
        parts.push(format!("{} new", changes.added));
    }
    if changes.removed > 0 {
        parts.push(format!("{} removed", changes.removed));
    }
    if parts.is_empty() {
        "nothing changed".into()
    } else {
        parts.join(", ")
    }
}
