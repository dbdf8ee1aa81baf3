//! A fetched feed → the post files a sync writes: parsing (Atom, RSS, JSON Feed), each entry's
//! HTML → markdown, the file's text read back as a sync and the loader read it. Nothing may
//! panic or overflow the stack (a sync converts on threads of the default stack), every post
//! must read back as the same entry, untouched, and load as a post.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::content::document::{Document, parse_document};
use quire::feeds::entry::{post, read_back};
use quire::feeds::sync::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(feed) = parse(data, None) else { return };
    let title = quire::feeds::sync::feed_title(&feed, "https://fuzz.example/feed", "");
    let posts: Vec<_> = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn_scoped(s, || feed.entries.iter().map(|e| post(&title, e, None)).collect())
            .expect("thread")
            .join()
            .expect("no panic")
    });
    for post in &posts {
        assert!(post.file_name.len() < 200, "{}", post.file_name);
        assert!(!post.file_name.contains(['/', '\\']), "{}", post.file_name);
        let back = read_back(&post.text).expect("a post reads back");
        assert_eq!(back, (post.id.clone(), post.hash.clone(), true));
        let (doc, _) = parse_document(
            Path::new("feeds/f/x.md"),
            Path::new("x.md"),
            &post.text,
            &Default::default(),
        );
        assert!(matches!(doc, Document::Post(_)), "loads as a post");
        assert!(quire::text::is_clean(&post.text.replace(['\n', '\t'], " ")));
    }
});
