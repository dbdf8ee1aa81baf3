//! A fetched web page → the saved page the archive writes: the article extracted (Readability
//! through dom_smoothie) and turned into markdown, then the file's text read back as the
//! archive and the loader read it. Nothing may panic or overflow the stack of a worker thread
//! (an archive run extracts on threads of the default stack); no control byte may reach the
//! text; the file must read back as written and load as a saved page, not an item.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::archive::extract::extract;
use quire::archive::page::{self, Health, KIND, Meta};
use quire::content::document::{Document, parse_document};

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data).into_owned();
    let article = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn_scoped(s, || extract(&html, "https://fuzz.example/post"))
            .expect("thread")
            .join()
            .expect("no panic")
    });
    for text in [&article.title, &article.markdown] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{text:?}"
        );
    }
    assert!(!article.title.contains('\n'), "{:?}", article.title);
    let meta = Meta {
        kind: KIND.into(),
        title: article.title.clone(),
        saved_from: "https://fuzz.example/post".into(),
        byline: article.byline.clone(),
        checked: "2026-12-07T00:00:00Z".into(),
        health: Health::Alive,
        checksum: Some(page::checksum(&article.markdown)),
        ..Meta::default()
    };
    let text = page::render(&meta, &article.markdown);
    let (back, body) = page::parse(&text).expect("a saved page reads back");
    assert_eq!(back, meta);
    assert_eq!(body, article.markdown.trim());
    let (doc, _) = parse_document(
        Path::new("archive/h/p.md"),
        Path::new("p.md"),
        &text,
        &Default::default(),
    );
    assert!(matches!(doc, Document::Hidden(_)), "a saved page is no item");
});
