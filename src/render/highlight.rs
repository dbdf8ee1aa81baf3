//! Search matches painted onto a laid-out page, and the lines where they are.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::search::engine::Focused;

/// `line` with the bytes of its text in `ranges` (in order, not overlapping) styled with
/// `style` over their own style.
pub fn paint(line: &Line<'static>, ranges: &[Range<usize>], style: Style) -> Line<'static> {
    let mut spans = Vec::with_capacity(line.spans.len() + ranges.len() * 2);
    let mut offset = 0;
    for span in &line.spans {
        let content = span.content.as_ref();
        let (start, end) = (offset, offset + content.len());
        let mut cut = start;
        for r in ranges.iter().filter(|r| r.start < end && r.end > start) {
            let (a, b) = (r.start.max(start).max(cut), r.end.min(end));
            if a >= b {
                continue;
            }
            if a > cut {
                spans.push(Span::styled(
                    content[cut - start..a - start].to_string(),
                    span.style,
                ));
            }
            spans.push(Span::styled(
                content[a - start..b - start].to_string(),
                span.style.patch(style),
            ));
            cut = b;
        }
        if cut < end {
            spans.push(Span::styled(content[cut - start..].to_string(), span.style));
        }
        offset = end;
    }
    Line {
        spans,
        style: line.style,
        alignment: line.alignment,
    }
}

/// A page's lines with every match of the query styled, and the indices of lines with matches.
/// `texts` are the lines' texts (each line's spans joined).
pub fn mark_lines(
    lines: &[Line<'static>],
    texts: &[String],
    highlighter: &Focused<'_>,
    style: Style,
) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut out = Vec::with_capacity(lines.len());
    let mut matches = Vec::new();
    for (n, (line, text)) in lines.iter().zip(texts).enumerate() {
        let ranges = highlighter.find(text);
        if ranges.is_empty() {
            out.push(line.clone());
            continue;
        }
        matches.push(n);
        out.push(paint(line, &ranges, style));
    }
    (out, matches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{SearchIndex, parse_query, search};

    #[test]
    fn matches_are_split_out_of_their_spans() {
        let library = crate::content::Library::default();
        let index = SearchIndex::build(&library);
        let results = search(
            &index,
            &library,
            &parse_query("lifo").unwrap(),
            &Default::default(),
        )
        .expect("not cancelled");
        let lines = vec![
            Line::from(vec![
                Span::raw("> "),
                Span::raw("CoDel goes LIFO under pressure"),
            ]),
            Line::from("nothing here"),
        ];
        let mark = Style::new().reversed();
        let texts: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let focused = results.highlighter.within(texts.iter().map(String::as_str));
        let (marked, at) = mark_lines(&lines, &texts, &focused, mark);
        assert_eq!(at, [0]);
        let texts: Vec<(&str, bool)> = marked[0]
            .spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style == mark))
            .collect();
        assert_eq!(
            texts,
            [
                ("> ", false),
                ("CoDel goes ", false),
                ("LIFO", true),
                (" under pressure", false)
            ]
        );
    }
}
