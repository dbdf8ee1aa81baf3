//! The body pane's state: the page shown, its scroll position, and pages already laid out.
//!
//! A page is rendered and wrapped once per (item, width) and kept in a small cache, so moving
//! back and forth or redrawing never re-parses markdown. Scroll positions are remembered per
//! page for as long as the app runs.

use std::collections::HashMap;
use std::sync::Arc;

use crate::render::{Page, PageKey};

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
}

impl Body {
    /// Shows `key` at `width`, rendering it with `render` only when no laid-out copy exists.
    pub fn show(
        &mut self,
        key: PageKey,
        width: u16,
        height: usize,
        render: impl FnOnce(PageKey, u16) -> Page,
    ) {
        if self.key != Some(key) {
            if let Some(old) = self.key {
                self.positions.insert(old, self.scroll);
            }
            self.key = Some(key);
            self.scroll = self.positions.get(&key).copied().unwrap_or(0);
        }
        if width == 0 {
            self.page = None;
            return;
        }
        let current = self
            .page
            .as_ref()
            .is_some_and(|p| p.key == key && p.width == width);
        if !current {
            let page = match self
                .cache
                .iter()
                .position(|p| p.key == key && p.width == width)
            {
                Some(i) => self.cache.remove(i),
                None => Arc::new(render(key, width)),
            };
            self.cache.push(Arc::clone(&page));
            if self.cache.len() > CACHE_PAGES {
                self.cache.remove(0);
            }
            self.page = Some(page);
        }
        self.scroll = self.scroll.min(self.max_scroll(height));
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

    /// Drops laid-out pages, e.g. after the theme changed.
    pub fn clear_cache(&mut self) {
        self.cache.clear();
        self.page = None;
    }
}
