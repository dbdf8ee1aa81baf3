//! Markdown rendering, wrapping and sanitising: nothing may panic, and no control character
//! may come out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quire::render::markdown::render_markdown;
use quire::render::wrap::wrap_lines;
use quire::theme::Theme;

fuzz_target!(|data: &[u8]| {
    let (width, rest) = match data.split_first() {
        Some((w, rest)) => (u16::from(*w % 120) + 1, rest),
        None => return,
    };
    let text = quire::text::sanitize(&String::from_utf8_lossy(rest)).into_owned();
    let lines = render_markdown(&text, &Theme::dark(), width);
    for line in wrap_lines(&lines, usize::from(width)) {
        for span in &line.spans {
            assert!(quire::text::is_clean(&span.content), "a control character reached the screen");
        }
    }
});
