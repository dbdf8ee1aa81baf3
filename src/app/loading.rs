//! The library arriving in snapshots while it loads, and big pages laid out elsewhere: the
//! reader keeps its place, found again by names and ids.

use super::*;

impl App {
    /// A page laid out off the input thread (dropped if the library changed since).
    pub fn page_rendered(&mut self, generation: u64, page: Arc<Page>) {
        if generation != self.library_generation {
            return;
        }
        self.body.rendered(page);
        self.sync();
    }

    /// A new (or more complete) library: the reader keeps its place, found again by names
    /// and ids, since item and category numbers change.
    pub fn library_loaded(&mut self, library: Arc<Library>, loading: Option<(usize, usize)>) {
        let old = Arc::clone(&self.library);
        let names = |c: CategoryId| -> Vec<String> {
            old.category_path(c).iter().map(|s| s.to_string()).collect()
        };
        let selected_category = names(self.tree.selected_id());
        let expanded: Vec<Vec<String>> = self.tree.expanded.iter().map(|&c| names(c)).collect();

        let list_item = self.list.selected_item().map(|i| old.items[i].id.clone());
        let was_loading = self.loading.is_some();

        self.library = library;
        self.library_generation += 1;
        self.loading = loading;
        let lib = Arc::clone(&self.library);
        let find = |path: &[String]| {
            let parts: Vec<&str> = path.iter().map(String::as_str).collect();
            lib.category_by_names(&parts)
        };
        self.reading.replace_library(&lib);
        let shown = self.tree.shown.take();
        let mut tree = Tree::new(&lib);
        tree.expanded
            .extend(expanded.iter().filter_map(|p| find(p)));
        tree.rebuild(&lib);
        if let Some(id) = find(&selected_category) {
            tree.reveal(&lib, id);
        }
        self.tree = tree;
        if shown.is_some() {
            let shown = (0..lib.categories.len())
                .map(|c| c == 0 || self.reading.unread_in(CategoryId(c)) > 0)
                .collect();
            self.tree.filter(&lib, Some(shown));
        }
        let unread_only = self.list.unread_only;
        self.list = ItemList::new(&lib, self.tree.selected_id(), self.list.sort);
        self.list.unread_only = unread_only;
        self.list.invalidate();
        let reading = &self.reading;
        self.list
            .show(&lib, self.tree.selected_id(), &|i| reading.is_read(i));
        if let Some(id) = &list_item
            && let Some(pos) = self.list.items.iter().position(|&i| lib.items[i].id == *id)
        {
            self.list.selected = pos;
        }
        self.body.reset();
        if let Some(panel) = &mut self.search {
            panel.results = Arc::new(crate::search::engine::Results::default());
            panel.selected = 0;

            if was_loading && self.loading.is_none() || !panel.input.is_empty() {
                self.request_search();
            }
        }
        self.sync();
    }
}
