//! The passage of an item that shows why it matched, as plain text a result list can show.
//!
//! Bodies are markdown, often wrapped by hand at 80 columns: the snippet is the paragraph or
//! list item holding the best matching line, with its markup taken off (quote bars, bullets,
//! emphasis, link targets, footnote marks, table pipes, tags), so a result reads like the
//! sentence it is; the matched words are found again in that plain text to be painted. Where
//! the description says it better than any line of the body, the description is the snippet.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser};

use super::highlight::{Coverage, Focused};
use crate::text::sanitize_line;

/// The passage that best matches, with the byte ranges of the matched words in `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// 0-based line of the body (markdown source) that matched; `None` for the description.
    pub line: Option<usize>,
    /// The passage as plain text.
    pub text: String,
    pub ranges: Vec<Range<usize>>,
}

/// What an item's text says about a query.
pub struct BestLine {
    pub snippet: Snippet,
    /// Query words the passage holds, and the span (in words) holding one of each.
    pub covered: usize,
    pub span: usize,
    /// Lines of the body holding any query word.
    pub lines_with_hits: usize,
    /// The words stand only in markup the reader does not see (link targets, definitions).
    pub hidden: bool,
}

/// A line (or the description) in the running for the snippet.
struct Candidate {
    line: Option<usize>,
    text: String,
    coverage: Coverage,
}

fn key(c: &Coverage) -> (usize, usize, std::cmp::Reverse<usize>) {
    (c.terms, c.exact, std::cmp::Reverse(c.span))
}

/// The passage holding the most query words, most of them as typed, closest together (the
/// first of equals), judged by what the reader sees of it: a word only in a link's target
/// does not make a line the snippet when another line (or the description) shows the words.
pub fn best_passage(focused: &Focused<'_>, description: &str, body: &str) -> Option<BestLine> {
    let mut best: Option<Candidate> = None;
    let described = focused.weigh(description);
    if described.terms > 0 {
        best = Some(Candidate {
            line: None,
            text: description.to_string(),
            coverage: described,
        });
    }
    // The first line that matches only in its markup, shown if nothing shows the words.
    let mut fallback: Option<Candidate> = None;
    let mut lines_with_hits = 0;
    let lines: Vec<&str> = body.lines().collect();
    for (n, line) in lines.iter().enumerate() {
        let raw = focused.weigh(line);
        if raw.terms == 0 {
            continue;
        }
        lines_with_hits += 1;
        // The source holds every word the plain text does (and link targets besides), so
        // its coverage bounds the plain text's: no need to strip lines that cannot win.
        if best.as_ref().is_some_and(|b| key(&raw) <= key(&b.coverage)) {
            continue;
        }
        let plain = focused.weigh(&plain_line(line));
        if plain.terms == 0 {
            if fallback.is_none() {
                fallback = Some(Candidate {
                    line: Some(n),
                    text: String::new(),
                    coverage: raw,
                });
            }
            continue;
        }
        if best.as_ref().is_none_or(|b| key(&plain) > key(&b.coverage)) {
            best = Some(Candidate {
                line: Some(n),
                text: String::new(),
                coverage: plain,
            });
        }
    }
    let hidden = best.is_none();
    let Candidate {
        line,
        mut text,
        coverage,
    } = best.or(fallback)?;
    if let Some(n) = line {
        let (first, last) = block_around(&lines, n);
        text = plain_line(&lines[first..=last].join("\n"));
        if focused.weigh(&text).terms == 0 {
            // Only in markup (a link definition, say): the source line, so the word shows.
            text = sanitize_line(lines[n].trim());
        }
    }
    let ranges = focused.find(&text);
    Some(BestLine {
        snippet: Snippet { line, text, ranges },
        covered: coverage.terms,
        span: coverage.span,
        lines_with_hits,
        hidden,
    })
}

/// Lines a passage may reach on either side of the line that matched.
const BLOCK_REACH: usize = 12;

/// The paragraph or list item around line `n`: the lines a hand-wrapped sentence spans.
fn block_around(lines: &[&str], n: usize) -> (usize, usize) {
    let content = |line: &str| -> String {
        let mut rest = line.trim_start();
        while let Some(r) = rest.strip_prefix('>') {
            rest = r.trim_start();
        }
        rest.to_string()
    };
    let blank = |line: &str| content(line).trim().is_empty();
    // A line that begins a block of its own: a list item, heading, table row, fence or tag.
    let starts_block = |line: &str| {
        let t = content(line);
        let numbered = t
            .split_once(". ")
            .is_some_and(|(d, _)| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        t.starts_with(['#', '|', '<'])
            || t.starts_with("```")
            || t.starts_with("~~~")
            || ["- ", "* ", "+ "].iter().any(|m| t.starts_with(m))
            || numbered
    };
    if starts_block(lines[n]) && content(lines[n]).starts_with(['#', '|', '<', '`', '~']) {
        return (n, n);
    }
    let mut first = n;
    while first > 0
        && n - first < BLOCK_REACH
        && !starts_block(lines[first])
        && !blank(lines[first - 1])
        && !content(lines[first - 1]).starts_with(['#', '|', '`', '~'])
    {
        first -= 1;
    }
    let mut last = n;
    while last + 1 < lines.len()
        && last - n < BLOCK_REACH
        && !blank(lines[last + 1])
        && !starts_block(lines[last + 1])
    {
        last += 1;
    }
    (first, last)
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
    // A reference link's definition is elsewhere in the body: read `[text][ref]` as its text.
    let mut as_text = |_: pulldown_cmark::BrokenLink<'_>| {
        Some((
            pulldown_cmark::CowStr::from(""),
            pulldown_cmark::CowStr::from(""),
        ))
    };
    for event in Parser::new_with_broken_link_callback(source, options, Some(&mut as_text)) {
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
            ("see the [survey report][report].", "see the survey report."),
            ("&quot;husk&quot; we&#39;re &lt;", "\"husk\" we're <"),
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
                    forms: Default::default(),
                })
                .collect(),
            phrases: Vec::new(),
        };
        let body =
            "See [Cargo's docs](https://x.org/sparse-index).\n\nCargo now reads the sparse index.";
        let best = best_passage(&h.within([body]), "", body).unwrap();
        assert_eq!(best.snippet.text, "Cargo now reads the sparse index.");
        assert_eq!(best.snippet.line, Some(2));
        assert_eq!(best.lines_with_hits, 2);
        // Only in a target: that source line is the snippet, so the words show, and the
        // match says it is hidden (it ranks after matches a reader can see).
        let body = "See [the docs](https://x.org/cargo/sparse).";
        let best = best_passage(&h.within([body]), "", body).unwrap();
        assert_eq!(
            best.snippet.text,
            "See [the docs](https://x.org/cargo/sparse)."
        );
        assert!(best.hidden);
    }

    #[test]
    fn a_hand_wrapped_paragraph_is_one_snippet() {
        use crate::search::highlight::{Highlighter, Term};
        let h = Highlighter {
            terms: vec![Term {
                word: "syntactic".into(),
                prefix: true,
                fuzzy: Default::default(),
                forms: Default::default(),
            }],
            phrases: Vec::new(),
        };
        let body = "# News\n\nBig news! As of this writing, **syntactic support for\nasync-await** is available\nin the nightly channel.\n\n- a list item\n- syntactic sugar, in an item\n  that wraps\n";
        let best = best_passage(&h.within([body]), "", body).unwrap();
        assert_eq!(
            best.snippet.text,
            "Big news! As of this writing, syntactic support for async-await is available in the nightly channel."
        );
        assert_eq!(best.snippet.line, Some(2));
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(
            block_around(&lines, 8),
            (7, 8),
            "a list item and its wrapped line"
        );
        assert_eq!(block_around(&lines, 0), (0, 0), "a heading alone");
    }

    #[test]
    fn the_description_is_the_snippet_when_it_says_it_better() {
        use crate::search::highlight::{Highlighter, Term};
        let h = Highlighter {
            terms: ["load", "shedding"]
                .iter()
                .map(|w| Term {
                    word: w.to_string(),
                    prefix: false,
                    fuzzy: Default::default(),
                    forms: Default::default(),
                })
                .collect(),
            phrases: Vec::new(),
        };
        let best = best_passage(
            &h.within(["adaptive database load shedding"]),
            "adaptive database load shedding",
            "the load grew\n\nshedding came later",
        )
        .unwrap();
        assert_eq!(best.snippet.line, None);
        assert_eq!(best.snippet.text, "adaptive database load shedding");
        assert!(!best.hidden);
    }

    #[test]
    fn decoded_references_are_no_controls() {
        let plain = plain_line("a&#27;[31mb&#x9b;c");
        assert!(!plain.chars().any(char::is_control), "{plain:?}");
    }
}
