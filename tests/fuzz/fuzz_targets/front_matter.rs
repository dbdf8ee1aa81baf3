//! Front matter splitting and parsing, on any bytes a file could hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::content::front_matter::{parse_front_matter, split_front_matter};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(split) = split_front_matter(&text) {
        for generator in [None, Some(quire::content::site::Generator::Jekyll)] {
            let context = quire::content::context::LoadContext { generator };
            let _ = parse_front_matter(&split, &context);
        }
    }
});
