//! The search query parser, and a search with that query over the bundled library.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quire::content::{Library, Root, load_library};
use quire::search::{SearchIndex, SearchOptions, parse_query, search};

fn index() -> &'static (Library, SearchIndex) {
    static INDEX: OnceLock<(Library, SearchIndex)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let library = load_library(&[Root::Bundled]).expect("bundled library");
        let index = SearchIndex::build(&library);
        (library, index)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(query) = parse_query(&text) else {
        return;
    };
    let (library, index) = index();
    let _ = search(index, library, &query, &SearchOptions::default());
});
