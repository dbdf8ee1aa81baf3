//! The bookmark-collection parser and document classification, through the loader's decoding.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use quire::content::bookmarks::{Mode, parse_collection};
use quire::content::context::LoadContext;
use quire::content::document::parse_document;
use quire::content::site::Generator;
use quire::content::source::{Read, decode};

fuzz_target!(|data: &[u8]| {
    let Read::Text(text, _) = decode(data, Path::new("f.md")) else { return };
    let _ = parse_collection(&text, 1, Mode::Marked);
    let _ = parse_collection(&text, 1, Mode::Detected);
    for generator in [None, Some(Generator::Hugo), Some(Generator::Jekyll)] {
        let context = LoadContext { generator };
        let _ = parse_document(Path::new("bookmarks/f.md"), Path::new("f.md"), &text, &context);
        let _ = parse_document(Path::new("f.md"), Path::new("f.md"), &text, &context);
    }
});
