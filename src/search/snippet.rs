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
/// first of equals), judged by what the reader sees of it: a word only in a link's target
/// does not make a line the snippet when another line shows the words.
pub fn best_line(focused: &Focused<'_>, body: &str) -> Option<BestLine> {
    let key = |c: &Coverage| (c.terms, c.exact, std::cmp::Reverse(c.span));
    // (line, plain text, coverage of the plain text)
    let mut best: Option<(usize, String, Coverage)> = None;
    // The first line that matches only in its markup, shown if no line shows the words.
    let mut fallback: Option<(usize, String, Coverage)> = None;
    let mut lines_with_hits = 0;
    for (n, line) in body.lines().enumerate() {
        let raw = focused.weigh(line);
        if raw.terms == 0 {
            continue;
        }
        lines_with_hits += 1;
        // The source holds every word the plain text does (and link targets besides), so
        // its coverage bounds the plain text's: no need to strip lines that cannot win.
        if best.as_ref().is_some_and(|(_, _, b)| key(&raw) <= key(b)) {
            continue;
        }
        let text = plain_line(line);
        let plain = focused.weigh(&text);
        if plain.terms == 0 {
            if fallback.is_none() {
                fallback = Some((n, text, raw));
            }
            continue;
        }
        if best.as_ref().is_none_or(|(_, _, b)| key(&plain) > key(b)) {
            best = Some((n, text, plain));
        }
    }
    let (
        line,
        text,
        Coverage {
            terms: covered,
            span,
            ..
        },
    ) = best.or(fallback)?;
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
            // A tag (`<br>`, `<b>`) separates words; what an HTML block holds between its
            // tags (`<summary>Polonius</summary>`) is text. An image shows its alt text.
            Event::Html(html) | Event::InlineHtml(html) => {
                out.push(' ');
                out.push_str(&without_tags(&html));
                out.push(' ');
            }
            Event::FootnoteReference(_) => {}
            Event::TaskListMarker(done) => out.push_str(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    // Decoded character references could make controls again.
    let clean = sanitize_line(&without_footnote_marks(&out));
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of HTML with its tags (`<…>`) left out.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
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
            ("<summary>Polonius alpha</summary>", "Polonius alpha"),
            ("<details><summary>More</summary>", "More"),
        ];
        for (raw, plain) in cases {
            assert_eq!(plain_line(raw), plain, "{raw:?}");
        }
    }

    #[test]
    fn a_line_showing_the_words_beats_one_holding_them_in_a_link_target() {
        use crate::search::highlight::{Highlighter, Term};
        let h = Highlighter {
            terms: ["cargo", "sparse"]
                .iter()
                .map(|w| Term {
                    word: w.to_string(),
                    prefix: true,
                    fuzzy: Default::default(),
                })
                .collect(),
            phrases: Vec::new(),
        };
        let body =
            "See [Cargo's docs](https://x.org/sparse-index).\n\nCargo now reads the sparse index.";
        let best = best_line(&h.within([body]), body).unwrap();
        assert_eq!(best.snippet.text, "Cargo now reads the sparse index.");
        assert_eq!(best.snippet.line, 2);
        assert_eq!(best.lines_with_hits, 2);
        // Only in a target: that line is still the snippet, rather than none.
        let body = "See [the docs](https://x.org/cargo/sparse).";
        let best = best_line(&h.within([body]), body).unwrap();
        assert_eq!(best.snippet.text, "See the docs.");
    }

    #[test]
    fn decoded_references_are_no_controls() {
        let plain = plain_line("a&#27;[31mb&#x9b;c");
        assert!(!plain.chars().any(char::is_control), "{plain:?}");
    }
}
