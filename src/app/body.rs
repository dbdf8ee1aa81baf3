//! The body pane's state: the page shown, its scroll position, and pages already laid out.
//!
//! A page is rendered and wrapped once per (item, width) and kept in a small cache, so moving
//! back and forth or redrawing never re-parses markdown. Scroll positions are remembered per
//! page for as long as the app runs.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::style::Style;
use ratatui::text::Line;

use crate::render::highlight::mark_lines;
use crate::render::{Page, PageKey};
use crate::search::engine::Highlighter;

/// A page with search matches painted on.
#[derive(Debug)]
pub struct Marked {
    pub key: PageKey,
    pub width: u16,
    pub lines: Vec<Line<'static>>,
    /// Lines that hold a match, in order; `n` and `N` step through them.
    pub matches: Vec<usize>,
}

/// Pages kept laid out; enough for going back and forth through a list.
const CACHE_PAGES: usize = 24;

#[derive(Debug, Default)]
pub struct Body {
    pub key: Option<PageKey>,
    pub page: Option<Arc<Page>>,
    pub scroll: usize,
    positions: HashMap<PageKey, usize>,
    /// Most recently used last.
    cache: Vec<Arc<Page>>,
    /// The search whose matches are painted on the page, while search is open.
    pub highlight: Option<Arc<Highlighter>>,
    pub marked: Option<Marked>,
    /// Scroll to the best match once the page is laid out.
    pub jump_to_match: bool,
    /// Which of the marked matches `n`/`N` are at (an index into `Marked::matches`).
    pub current_match: Option<usize>,
    /// The page shown is a stand-in while the real one is laid out elsewhere.
    pub placeholder: bool,
    /// The (page, width) asked for and not back yet.
    pending: Option<(PageKey, u16)>,
}

impl Body {
    /// Shows `key` at `width`, rendering it with `render` only when no laid-out copy exists.
    /// When `defer` is given (a big body) a page not laid out yet is not rendered here:
    /// `defer` becomes the page shown meanwhile, and the return value asks the caller to have
    /// it rendered elsewhere.
    pub fn show(
        &mut self,
        key: PageKey,
        width: u16,
        height: usize,
        defer: Option<Page>,
        render: impl FnOnce(PageKey, u16) -> Page,
    ) -> bool {
        if self.key != Some(key) {
            if let Some(old) = self.key {
                self.positions.insert(old, self.scroll);
            }
            self.key = Some(key);
            self.scroll = self.positions.get(&key).copied().unwrap_or(0);
        }
        if width == 0 {
            self.page = None;
            return false;
        }
        let current = self
            .page
            .as_ref()
            .is_some_and(|p| p.key == key && p.width == width && !self.placeholder);
        let mut requested = false;
        if !current {
            let cached = self
                .cache
                .iter()
                .position(|p| p.key == key && p.width == width);
            let page = match (cached, defer) {
                (Some(i), _) => self.cache.remove(i),
                (None, Some(placeholder)) => {
                    requested = self.pending != Some((key, width));
                    self.pending = Some((key, width));
                    self.placeholder = true;
                    self.page = Some(Arc::new(placeholder));
                    return requested;
                }
                (None, None) => Arc::new(render(key, width)),
            };
            self.placeholder = false;
            self.remember(Arc::clone(&page));
            self.page = Some(page);
        }
        self.scroll = self.scroll.min(self.max_scroll(height));
        requested
    }

    /// A page laid out elsewhere: kept, and shown if it is the one waited for.
    pub fn rendered(&mut self, page: Arc<Page>) {
        if self.pending == Some((page.key, page.width)) {
            self.pending = None;
        }
        let waiting = self.placeholder
            && self
                .page
                .as_ref()
                .is_some_and(|p| p.key == page.key && p.width == page.width);
        self.remember(Arc::clone(&page));
        if waiting {
            self.placeholder = false;
            self.marked = None;
            self.page = Some(page);
        }
    }

    fn remember(&mut self, page: Arc<Page>) {
        self.cache
            .retain(|p| !(p.key == page.key && p.width == page.width));
        self.cache.push(page);
        if self.cache.len() > CACHE_PAGES {
            self.cache.remove(0);
        }
    }

    /// Paints the search's matches onto the current page, when that is not done yet.
    pub fn mark(&mut self, style: Style, height: usize) {
        let (Some(page), Some(highlighter)) = (&self.page, &self.highlight) else {
            self.marked = None;
            return;
        };
        let current = self
            .marked
            .as_ref()
            .is_some_and(|m| m.key == page.key && m.width == page.width);
        if !current {
            let (lines, matches) = mark_lines(&page.lines, highlighter, style);
            self.marked = Some(Marked {
                key: page.key,
                width: page.width,
                lines,
                matches,
            });
            self.current_match = None;
        }
        if self.jump_to_match {
            self.jump_to_match = false;
            if let Some(marked) = &self.marked {
                // Where most query words sit closest together. A wrapped source line spans a
                // few screen lines, so each match is judged with the lines that follow it.
                let best = marked
                    .matches
                    .iter()
                    .filter(|&&n| n >= page.body_start)
                    .max_by_key(|&&n| {
                        let end = (n + 3).min(marked.lines.len());
                        let text: String = marked.lines[n..end]
                            .iter()
                            .flat_map(|l| l.spans.iter().map(|s| s.content.as_ref()).chain([" "]))
                            .collect();
                        let (covered, span) = highlighter.coverage(&text);
                        (covered, std::cmp::Reverse(span), std::cmp::Reverse(n))
                    })
                    .or(marked.matches.first())
                    .copied();
                if let Some(line) = best {
                    self.scroll = line.saturating_sub(height / 3).min(self.max_scroll(height));
                    self.current_match = marked.matches.iter().position(|&m| m == line);
                }
            }
        }
    }

    /// Moves to the next (or previous) line with a match and scrolls it into view; false
    /// when there is none that way.
    pub fn step_match(&mut self, forward: bool, height: usize) -> bool {
        let Some(marked) = &self.marked else {
            return false;
        };
        let next = match self.current_match {
            Some(i) if forward => i + 1,
            Some(i) => match i.checked_sub(1) {
                Some(j) => j,
                None => return false,
            },
            // Not on a match yet: the first one below (or above) the top third of the view.
            None => {
                let anchor = self.scroll + height / 3;
                let found = if forward {
                    marked.matches.iter().position(|&n| n >= anchor)
                } else {
                    marked.matches.iter().rposition(|&n| n <= anchor)
                };
                match found {
                    Some(i) => i,
                    None => return false,
                }
            }
        };
        let Some(&line) = marked.matches.get(next) else {
            return false;
        };
        self.current_match = Some(next);
        if line < self.scroll || line >= self.scroll + height {
            self.scroll = line.saturating_sub(height / 3).min(self.max_scroll(height));
        }
        true
    }

    /// "3/7" for the status bar, while matches are painted.
    pub fn match_position(&self) -> Option<(usize, usize)> {
        let marked = self.marked.as_ref()?;
        Some((
            self.current_match.map_or(0, |i| i + 1),
            marked.matches.len(),
        ))
    }

    pub fn max_scroll(&self, height: usize) -> usize {
        self.page
            .as_ref()
            .map_or(0, |p| p.lines.len().saturating_sub(height))
    }

    /// How far down the page the view is, 0–100.
    pub fn percent(&self, height: usize) -> usize {
        (self.scroll * 100)
            .checked_div(self.max_scroll(height))
            .unwrap_or(100)
    }

    /// Forgets every page and position: the library changed, and page keys with it.
    pub fn reset(&mut self) {
        *self = Body::default();
    }
}
