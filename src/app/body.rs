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

/// What a step through the matches did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Moved,
    /// Went round from the last match to the first, or from the first to the last.
    Wrapped,
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
    /// With `jump_to_match`: the match wanted is in the header (the description the
    /// result's snippet showed), not in the body.
    pub jump_to_header: bool,
    /// Which of the marked matches `n`/`N` are at (an index into `Marked::matches`).
    pub current_match: Option<usize>,
    /// The page shown is a stand-in while the real one is laid out elsewhere.
    pub placeholder: bool,
    /// The (page, width) asked for and not back yet.
    pending: Option<(PageKey, u16)>,
    /// Where to scroll once the page is laid out (a position remembered from an earlier run,
    /// for a page whose stand-in is shown meanwhile): line, and the width and length of the
    /// page it was a line of.
    restore: Option<(usize, u16, usize)>,
}

impl Body {
    /// Shows `key` at `width`, rendering it with `render` only when no laid-out copy exists.
    /// When `defer` is given (a big body) a page not laid out yet is not rendered here:
    /// `defer` becomes the page shown meanwhile, and the return value asks the caller to have
    /// it rendered elsewhere.
    /// `remembered` is where an earlier run left this page, used when this run has not shown
    /// it yet.
    pub fn show(
        &mut self,
        key: PageKey,
        width: u16,
        height: usize,
        defer: Option<Page>,
        remembered: Option<(usize, u16, usize)>,
        render: impl FnOnce(PageKey, u16) -> Page,
    ) -> bool {
        if self.key != Some(key) {
            if let Some(old) = self.key {
                self.positions.insert(old, self.scroll);
            }
            self.key = Some(key);
            self.restore = None;
            self.scroll = match self.positions.get(&key) {
                Some(&line) => line,
                None => {
                    self.restore = remembered;
                    remembered.map_or(0, |(line, _, _)| line)
                }
            };
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
        if let Some((line, was_width, was_lines)) = self.restore.take() {
            // Laid out at another width, the same place is as far down the page.
            let now_lines = self.page.as_ref().map_or(0, |p| p.lines.len());
            self.scroll = if was_width == width || was_lines == 0 {
                line
            } else {
                line * now_lines / was_lines
            };
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

    /// The search whose matches to paint (`None`: none). True when it is another search than
    /// the one painted, whose marks are then dropped.
    pub fn set_highlight(&mut self, highlight: Option<Arc<Highlighter>>) -> bool {
        let same = match (&self.highlight, &highlight) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same {
            self.highlight = highlight;
            self.marked = None;
        }
        !same
    }

    /// Paints the search's matches onto the current page, when that is not done yet.
    pub fn mark(&mut self, style: Style, height: usize) {
        let (Some(page), Some(highlighter)) = (&self.page, &self.highlight) else {
            self.marked = None;
            return;
        };
        // A stand-in for a big page still being laid out: the jump waits for the real one.
        if self.placeholder {
            self.marked = None;
            return;
        }
        let current = self
            .marked
            .as_ref()
            .is_some_and(|m| m.key == page.key && m.width == page.width);
        let texts: Vec<String> = if current && !self.jump_to_match {
            Vec::new()
        } else {
            page.lines.iter().map(line_text).collect()
        };
        // Near spellings are painted only on a page that lacks the word as typed.
        let focused = highlighter.within(texts.iter().map(String::as_str));
        if !current {
            // The same page laid out anew (another width): stay on the match that was current.
            let keep = self
                .marked
                .as_ref()
                .filter(|m| m.key == page.key)
                .and(self.current_match);
            let (lines, matches) = mark_lines(&page.lines, &texts, &focused, style);
            self.current_match = keep
                .filter(|_| !matches.is_empty())
                .map(|i| i.min(matches.len() - 1));
            if let Some(&line) = self.current_match.and_then(|i| matches.get(i)) {
                let max = page.lines.len().saturating_sub(height);
                self.scroll = line.saturating_sub(height / 3).min(max);
            }
            self.marked = Some(Marked {
                key: page.key,
                width: page.width,
                lines,
                matches,
            });
        }
        if self.jump_to_match {
            self.jump_to_match = false;
            if let Some(marked) = &self.marked {
                // Where most query words sit closest together, as typed rather than near
                // spellings, the first of equals (as the result's snippet is chosen). A wrapped
                // source line spans a few screen lines, so each match is judged with the lines
                // that follow it.
                let best = marked
                    .matches
                    .iter()
                    .filter(|&&n| match (self.jump_to_header, page.about_line) {
                        (true, Some(about)) => (about..page.body_start).contains(&n),
                        _ => n >= page.body_start,
                    })
                    .max_by_key(|&&n| {
                        let end = (n + 3).min(texts.len());
                        let text = texts[n..end].join(" ");
                        let c = focused.weigh(&text);
                        (
                            c.terms,
                            c.exact,
                            std::cmp::Reverse(c.span),
                            std::cmp::Reverse(n),
                        )
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

    /// Moves to the next (or previous) line with a match and scrolls it into view, going
    /// round from the last to the first (or back); `None` when there is no match at all.
    pub fn step_match(&mut self, forward: bool, height: usize) -> Option<Step> {
        let marked = self.marked.as_ref()?;
        let count = marked.matches.len();
        if count == 0 {
            return None;
        }
        // Scrolled away from the current match (g, G, paging): step from what is on screen,
        // as less does.
        if let Some(i) = self.current_match
            && let Some(&line) = marked.matches.get(i)
            && (line < self.scroll || line >= self.scroll + height.max(1))
        {
            self.current_match = None;
        }
        let (next, wrapped) = match self.current_match {
            Some(i) if forward && i + 1 < count => (i + 1, false),
            Some(_) if forward => (0, true),
            Some(i) if i > 0 => (i - 1, false),
            Some(_) => (count - 1, true),
            // Not on a match yet: the first one from the top of the view down (or above it).
            None => {
                let found = if forward {
                    marked.matches.iter().position(|&n| n >= self.scroll)
                } else {
                    marked.matches.iter().rposition(|&n| n < self.scroll)
                };
                match found {
                    Some(i) => (i, false),
                    None if forward => (0, true),
                    None => (count - 1, true),
                }
            }
        };
        let line = marked.matches[next];
        self.current_match = Some(next);
        if line < self.scroll || line >= self.scroll + height {
            self.scroll = line.saturating_sub(height / 3).min(self.max_scroll(height));
        }
        Some(if wrapped { Step::Wrapped } else { Step::Moved })
    }

    /// Goes to the first match at or below the top of the view (the first of the page when
    /// there is none below), as less's search starts from the screen shown.
    pub fn match_from_view(&mut self, height: usize) -> bool {
        let Some(marked) = &self.marked else {
            return false;
        };
        let Some(first) = marked
            .matches
            .iter()
            .position(|&n| n >= self.scroll)
            .or((!marked.matches.is_empty()).then_some(0))
        else {
            return false;
        };
        let line = marked.matches[first];
        self.current_match = Some(first);
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

    /// Forgets the laid-out category pages: they show unread counts, which changed.
    pub fn forget_category_pages(&mut self) {
        self.cache
            .retain(|p| !matches!(p.key, PageKey::Category(_)));
        if self
            .page
            .as_ref()
            .is_some_and(|p| matches!(p.key, PageKey::Category(_)))
        {
            self.page = None;
        }
    }

    /// Forgets every laid-out page, keeping where each was scrolled to: highlights changed,
    /// and pages show them.
    pub fn forget_pages(&mut self) {
        self.cache.clear();
        self.page = None;
        self.marked = None;
    }

    /// Forgets every page and position: the library changed, and page keys with it.
    pub fn reset(&mut self) {
        *self = Body::default();
    }
}

pub fn line_text(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}
