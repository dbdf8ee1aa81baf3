//! Every import format (Chrome JSON, Netscape HTML, Firefox JSON and jsonlz4, OPML), told from
//! the content as `quire import` tells it, then what an import writes: the plan and the
//! collection merged into an existing file. Nothing may panic; what is written must read back
//! with every bookmark the plan added, and the old file's lines kept in order.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use quire::content::bookmarks::{Mode, parse_collection};
use quire::import::merge::{header, merge, plan};

const EXISTING: &str = "+++\ntitle = \"T\"\nkind = \"bookmarks\"\n+++\n\n## Bar\n\n- [Old](https://old.example/) -- kept\r\n\n### Deep\n\n- [O2](https://o2.example/)\n";

fuzz_target!(|data: &[u8]| {
    let _ = quire::feeds::opml::parse(&String::from_utf8_lossy(data));
    let Ok(export) = quire::import::parse(data) else { return };
    let plan = plan(&export, &HashSet::new());
    for base in [header("T", "d"), EXISTING.to_string()] {
        let merged = merge(&base, &plan.additions);
        let mut at = 0;
        for line in base.split_inclusive('\n') {
            let found = merged[at..].find(line).expect("an old line lost");
            at += found + line.len();
        }
        let collection = parse_collection(&merged, 1, Mode::Marked);
        let urls = collection.bookmarks.iter().filter(|b| b.url.is_some()).count();
        assert!(urls >= plan.additions.len(), "{urls} < {}", plan.additions.len());
    }
});
