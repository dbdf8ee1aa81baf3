//! The library arriving in snapshots while it loads, and big pages laid out elsewhere: the
//! reader keeps its place, found again by names and ids.

use super::*;

impl App {
    /// A page laid out off the input thread (dropped if the library changed since).
    pub fn page_rendered(&mut self, generation: u64, page: Arc<Page>) {
        if generation != self.library_generation {
            return;
        }
        // Laid out elsewhere without the highlights, which the reader holds: painted here.
        let page = if self
            .reading
            .highlighted_flags()
            .get(match page.key {
                PageKey::Item(i) => i,
                PageKey::Category(_) => usize::MAX,
            })
            .copied()
            .unwrap_or(false)
        {
            let mut page = Arc::unwrap_or_clone(page);
            super::paint_highlights(&mut page, &self.library, &self.reading, &self.theme);
            Arc::new(page)
        } else {
            page
        };
        self.body.rendered(page);
        self.sync();
    }

    /// A new (or more complete) library: the reader keeps its place, found again by names
    /// and ids, since item and category numbers change.
    pub fn library_loaded(&mut self, library: Arc<Library>, loading: Option<(usize, usize)>) {
        let mut place = self.place();
        if !self.chosen {
            // Nobody chose the item selected: the newest (the top) is, in each snapshot.
            place.item = None;
        }
        let was_loading = self.loading.is_some();
        self.library = library;
        self.library_generation += 1;
        self.loading = loading;
        let lib = Arc::clone(&self.library);
        self.reading.replace_library(&lib);
        self.apply_place(&place);
        self.body.reset();
        if let Some(panel) = &mut self.search {
            panel.results = Arc::new(crate::search::engine::Results::default());
            panel.selected = 0;

            if was_loading && self.loading.is_none() || !panel.input.is_empty() {
                self.request_search();
            }
        }
        self.sync();
        self.apply_pending_place();
    }
}
