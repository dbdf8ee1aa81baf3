//! The line of a body that shows why an item matched, as plain text a result list can show.
//!
//! Bodies are markdown; a snippet is one source line with its markup taken off (quote bars,
//! bullets, emphasis, link targets, footnote marks, table pipes), so a result reads like the
//! sentence it is, and the matched words are found again in that plain text to be painted.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use super::highlight::{Coverage, Focused};
use crate::text::sanitize_line;

/// The body line that best matches, with the byte ranges of the matched words in `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 0-based line of the body (markdown source).
    pub line: usize,
    /// The line as plain text.
    pub text: String,
    pub ranges: Vec<Range<usize>>,
}

/// What a body's lines say about a query.
pub struct BestLine {
    pub snippet: Snippet,
    /// Query words the line holds, and the span (in words) holding one of each.
    pub covered: usize,
    pub span: usize,
    /// Lines of the body holding any query word.
    pub lines_with_hits: usize,
}

/// The line holding the most query words, most of them as typed, closest together (the
/// first of equals).
pub fn best_line(focused: &Focused<'_>, body: &str) -> Option<BestLine> {
    let mut best: Option<(usize, &str, Coverage)> = None;
    let mut lines_with_hits = 0;
    let key = |c: &Coverage| (c.terms, c.exact, std::cmp::Reverse(c.span));
    for (n, line) in body.lines().enumerate() {
        let c = focused.weigh(line);
        if c.terms == 0 {
            continue;
        }
        lines_with_hits += 1;
        if best.as_ref().is_none_or(|(_, _, b)| key(&c) > key(b)) {
            best = Some((n, line, c));
        }
    }
    let (
        line,
        raw,
        Coverage {
            terms: covered,
            span,
            ..
        },
    ) = best?;
    let text = plain_line(raw);
    let ranges = focused.find(&text);
    Some(BestLine {
        snippet: Snippet { line, text, ranges },
        covered,
        span,
        lines_with_hits,
    })
}

/// One markdown source line as the text a reader sees: `> - **Key** [docs](https://x)[^2]`
/// becomes `Key docs`; a table row's cells are joined with ` · `.
pub fn plain_line(raw: &str) -> String {
    let trimmed = raw.trim();
    let cells;
    let mut source = trimmed;
    if trimmed.starts_with('|') {
        let parts: Vec<&str> = trimmed
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if parts
            .iter()
            .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
        {
            return String::new();
        }
        cells = parts.join(" · ");
        source = &cells;
    }
    // A footnote's definition mark, `[^2]: `, is not part of its sentence.
    if let Some(rest) = source.strip_prefix("[^")
        && let Some(end) = rest.find("]:")
    {
        source = rest[end + 2..].trim_start();
    }
    let mut out = String::with_capacity(source.len());
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            // A tag (`<br>`, `<b>`) separates words at most; an image shows its alt text.
            Event::Html(_) | Event::InlineHtml(_) => out.push(' '),
            Event::FootnoteReference(_) => {}
            Event::TaskListMarker(done) => out.push_str(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    // Decoded character references could make controls again.
    let clean = sanitize_line(&without_footnote_marks(&out));
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `page[^3]` → `page`: a footnote mark whose note is elsewhere (markdown only parses it
/// as one when the note is in the same text).
fn without_footnote_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[^") {
        let label = &rest[at + 2..];
        match label.find(']') {
            Some(end) if end > 0 && end <= 32 && !label[..end].contains(char::is_whitespace) => {
                out.push_str(&rest[..at]);
                rest = &label[end + 1..];
            }
            _ => {
                out.push_str(&rest[..at + 2]);
                rest = label;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_taken_off() {
        let cases = [
            (
                "  > - **Phase 2**: CoDel (Controlled Delay) `LIFO`",
                "Phase 2: CoDel (Controlled Delay) LIFO",
            ),
            (
                "[^2]: See the [docs](https://x.org) page[^3].",
                "See the docs page.",
            ),
            ("| Tool | Use |", "Tool · Use"),
            ("|---|:--:|", ""),
            ("## A heading", "A heading"),
            ("Line<br>break and <b>bold</b>", "Line break and bold"),
            ("![a chart](c.png) of *speed*", "a chart of speed"),
            (
                "pg_repack and snake_case stay",
                "pg_repack and snake_case stay",
            ),
            ("1. first step", "first step"),
        ];
        for (raw, plain) in cases {
            assert_eq!(plain_line(raw), plain, "{raw:?}");
        }
    }

    #[test]
    fn decoded_references_are_no_controls() {
        let plain = plain_line("a&#27;[31mb&#x9b;c");
        assert!(!plain.chars().any(char::is_control), "{plain:?}");
    }
}
