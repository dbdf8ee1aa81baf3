//! Word-wrapping styled lines to a display width, once, so drawing only copies lines.
//!
//! Widths come from grapheme clusters (CJK and emoji take two columns, combining marks none).
//! A line's list or quote prefix (`▌ `, `- `, `1. `) hangs: continuation lines are indented
//! under the text, and quote bars repeat, as a reader expects.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::markdown::{CODE_CONTINUED, CODE_GUTTER, QUOTE_BAR};

const TAB_WIDTH: usize = 4;

/// Wraps every line to `width` columns. A width of 0 yields nothing.
pub fn wrap_lines(lines: &[Line<'_>], width: usize) -> Vec<Line<'static>> {
    wrap_lines_indexed(lines, width).0
}

/// [`wrap_lines`], with where each line's first wrapped line is in the result (a heading is
/// found there again).
pub fn wrap_lines_indexed(lines: &[Line<'_>], width: usize) -> (Vec<Line<'static>>, Vec<usize>) {
    let mut out = Vec::with_capacity(lines.len());
    let mut starts = Vec::with_capacity(lines.len());
    if width == 0 {
        return (out, vec![0; lines.len()]);
    }
    for line in lines {
        starts.push(out.len());
        wrap_line(line, width, &mut out);
    }
    (out, starts)
}

/// Display width of a string, in terminal columns.
pub fn display_width(text: &str) -> usize {
    // Printable ASCII is a column a byte: most titles, measured by the hundred thousand when a
    // list is sized (the Unicode tables cost ten times more).
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.len();
    }
    UnicodeWidthStr::width(text)
}

/// `text` without its first `columns` columns (a wide char straddling the cut goes too): the
/// end of a line being typed, kept in view.
pub fn skip_columns(text: &str, columns: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        if used >= columns {
            out.push(c);
        } else {
            used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
    }
    out
}

/// Cuts `text` to at most `width` columns, ending in `…` when something was cut.
pub fn truncate(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in text.graphemes(true) {
        let w = display_width(g);
        if used + w > width - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    out
}

fn wrap_line(line: &Line<'_>, width: usize, out: &mut Vec<Line<'static>>) {
    let spans = expand_tabs(line);
    let blank = spans.iter().all(|(text, _)| text.trim().is_empty());
    if blank {
        out.push(Line {
            spans: Vec::new(),
            style: line.style,
            alignment: line.alignment,
        });
        return;
    }
    let prefix_len = spans.iter().take_while(|(text, _)| is_marker(text)).count();
    let prefix_len = if prefix_len == spans.len() {
        0
    } else {
        prefix_len
    };
    let prefix_width: usize = spans[..prefix_len]
        .iter()
        .map(|(t, _)| display_width(t))
        .sum();
    let hanging: Vec<(String, Style)> = if prefix_width * 2 <= width {
        spans[..prefix_len]
            .iter()
            .map(|(text, style)| {
                if matches!(text.trim(), ">" | QUOTE_BAR) {
                    (text.clone(), *style)
                } else if text == CODE_GUTTER {
                    // A code line too long for the pane goes on under a mark of its own.
                    (CODE_CONTINUED.to_string(), *style)
                } else {
                    (" ".repeat(display_width(text)), *style)
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let hanging_width: usize = hanging.iter().map(|(t, _)| display_width(t)).sum();

    let mut builder = Builder {
        out,
        style: line.style,
        line: Vec::new(),
        used: 0,
        width,
    };
    for (text, style) in &spans[..prefix_len] {
        builder.push_piece(text, *style);
    }
    for (text, style) in &spans[prefix_len..] {
        for piece in split_words(text) {
            let piece_width = display_width(piece);
            let is_space = piece.chars().all(char::is_whitespace);
            if builder.used + piece_width <= width {
                builder.push_piece(piece, *style);
            } else if is_space {
                builder.break_line(&hanging, hanging_width);
            } else if builder.mid_word()
                && builder
                    .carry_word(&hanging, hanging_width, piece_width)
                    .is_some()
            {
                // The piece goes on a word already on the line (a link's number after its
                // text, `Cargo[24]`): the whole word moves down, never the number alone.
                builder.push_piece(piece, *style);
            } else if hanging_width + piece_width <= width && builder.used > hanging_width {
                builder.break_line(&hanging, hanging_width);
                builder.push_piece(piece, *style);
            } else {
                builder.push_broken_word(piece, *style, &hanging, hanging_width);
            }
        }
    }
    builder.finish();
}

struct Builder<'o> {
    out: &'o mut Vec<Line<'static>>,
    style: Style,
    line: Vec<Span<'static>>,
    used: usize,
    width: usize,
}

impl Builder<'_> {
    fn push_piece(&mut self, text: &str, style: Style) {
        if text.is_empty() {
            return;
        }
        self.used += display_width(text);
        match self.line.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(text),
            _ => self.line.push(Span::styled(text.to_string(), style)),
        }
    }

    /// Whether the line ends inside a word (no blank at its end).
    fn mid_word(&self) -> bool {
        self.line
            .last()
            .is_some_and(|s| !s.content.is_empty() && !s.content.ends_with(char::is_whitespace))
    }

    /// Breaks the line before the word it ends with, carrying that word (its pieces, whatever
    /// their styles) to the next line, if the word and `more` columns fit there and the word
    /// is not all the line holds. Returns whether it did.
    fn carry_word(
        &mut self,
        hanging: &[(String, Style)],
        hanging_width: usize,
        more: usize,
    ) -> Option<()> {
        // The word's pieces, from the end back to the last blank.
        let mut word: Vec<Span<'static>> = Vec::new();
        while let Some(mut last) = self.line.pop() {
            match last.content.rfind(char::is_whitespace) {
                Some(at) => {
                    let blank_end =
                        at + last.content[at..].chars().next().map_or(1, char::len_utf8);
                    let tail = last.content[blank_end..].to_string();
                    let style = last.style;
                    last.content.to_mut().truncate(blank_end);
                    self.line.push(last);
                    if !tail.is_empty() {
                        word.push(Span::styled(tail, style));
                    }
                    break;
                }
                None => word.push(last),
            }
        }
        word.reverse();
        let word_width: usize = word.iter().map(|s| display_width(&s.content)).sum();
        let rest_blank = self.line.iter().all(|s| s.content.trim().is_empty());
        if rest_blank || hanging_width + word_width + more > self.width {
            // Nothing before it on the line, or too long to move: put it back as it was.
            self.line.extend(word);
            return None;
        }
        self.break_line(hanging, hanging_width);
        for span in word {
            self.push_piece(&span.content, span.style);
        }
        Some(())
    }

    fn break_line(&mut self, hanging: &[(String, Style)], hanging_width: usize) {
        trim_trailing_space(&mut self.line);
        let spans = std::mem::take(&mut self.line);
        self.out.push(Line::from(spans).style(self.style));
        self.used = 0;
        for (text, style) in hanging {
            self.push_piece(text, *style);
        }
        self.used = hanging_width;
    }

    /// A word longer than a line: fill the rest of this line, then whole lines.
    fn push_broken_word(
        &mut self,
        word: &str,
        style: Style,
        hanging: &[(String, Style)],
        hanging_width: usize,
    ) {
        let mut chunk = String::new();
        for g in word.graphemes(true) {
            let w = display_width(g);
            if self.used + display_width(&chunk) + w > self.width {
                let line_is_empty = self.used + display_width(&chunk) <= hanging_width;
                if !line_is_empty {
                    let text = std::mem::take(&mut chunk);
                    self.push_piece(&text, style);
                    self.break_line(hanging, hanging_width);
                }
            }
            chunk.push_str(g);
        }
        self.push_piece(&chunk, style);
    }

    fn finish(mut self) {
        trim_trailing_space(&mut self.line);
        let spans = std::mem::take(&mut self.line);
        self.out.push(Line::from(spans).style(self.style));
    }
}

fn trim_trailing_space(spans: &mut Vec<Span<'static>>) {
    loop {
        let len = spans.len();
        let Some(last) = spans.last_mut() else { return };
        let trimmed = last.content.trim_end().len();
        if trimmed == 0 && len > 1 {
            spans.pop();
            continue;
        }
        last.content.to_mut().truncate(trimmed);
        return;
    }
}

/// List and quote markers at the start of a line: `>` (or its bar), `- `, `* `, `1. `, and
/// their padding; a code block's gutter.
fn is_marker(text: &str) -> bool {
    let t = text.trim();
    text == CODE_GUTTER
        || t.is_empty()
        || t == ">"
        || t == QUOTE_BAR
        || t == "-"
        || t == "*"
        || t == "+"
        || t == "•"
        || (t.len() <= 4
            && t.ends_with(['.', ')'])
            && t[..t.len() - 1].bytes().all(|b| b.is_ascii_digit()))
}

/// Splits into alternating runs of whitespace and non-whitespace.
fn split_words(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let space = first.is_whitespace();
        let end = rest
            .find(|c: char| c.is_whitespace() != space)
            .unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(piece)
    })
}

/// Tabs become spaces to the next stop, counted from the line's start.
fn expand_tabs(line: &Line<'_>) -> Vec<(String, Style)> {
    let mut column = 0;
    line.spans
        .iter()
        .map(|span| {
            let content = span.content.as_ref();
            if !content.contains('\t') {
                column += display_width(content);
                return (content.to_string(), span.style);
            }
            let mut text = String::with_capacity(content.len() + 8);
            for g in content.graphemes(true) {
                if g == "\t" {
                    let n = TAB_WIDTH - column % TAB_WIDTH;
                    text.extend(std::iter::repeat_n(' ', n));
                    column += n;
                } else {
                    text.push_str(g);
                    column += display_width(g);
                }
            }
            (text, span.style)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_word_boundaries() {
        let lines = wrap_lines(&[Line::from("the quick brown fox jumps")], 10);
        assert_eq!(texts(&lines), ["the quick", "brown fox", "jumps"]);
    }

    #[test]
    fn list_items_in_quotes_hang_under_their_text() {
        let line = Line::from(vec![
            Span::raw(">"),
            Span::raw(" "),
            Span::raw("- "),
            Span::raw("alpha beta gamma delta"),
        ]);
        let lines = wrap_lines(&[line], 14);
        assert_eq!(texts(&lines), ["> - alpha beta", ">   gamma", ">   delta"]);
    }

    #[test]
    fn long_words_are_broken() {
        let lines = wrap_lines(&[Line::from("abcdefghij")], 4);
        assert_eq!(texts(&lines), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap_lines(&[Line::from("日本語のテキスト")], 5);
        assert_eq!(texts(&lines), ["日本", "語の", "テキ", "スト"]);
        for line in &lines {
            assert!(line.width() <= 5);
        }
    }

    #[test]
    fn a_wide_character_in_one_column_does_not_loop() {
        let lines = wrap_lines(&[Line::from("日本")], 1);
        assert_eq!(texts(&lines), ["日", "本"]);
    }

    #[test]
    fn tabs_expand_to_stops() {
        let lines = wrap_lines(&[Line::from("a\tb\tc")], 40);
        assert_eq!(texts(&lines), ["a   b   c"]);
    }

    #[test]
    fn blank_lines_survive() {
        let lines = wrap_lines(&[Line::from("a"), Line::from(""), Line::from("b")], 10);
        assert_eq!(texts(&lines), ["a", "", "b"]);
    }

    #[test]
    fn zero_width_gives_nothing() {
        assert!(wrap_lines(&[Line::from("abc")], 0).is_empty());
    }

    #[test]
    fn truncation_ends_in_an_ellipsis() {
        assert_eq!(truncate("Hello world", 6), "Hello…");
        assert_eq!(truncate("Hello", 5), "Hello");
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn every_wrapped_line_fits() {
        let text = "Concurrency (in-flight ops) chosen over QPS — Little's Law `Concurrency = Throughput × Latency` maps directly 😀😀😀 to resource usage";
        for width in 1..40 {
            for line in wrap_lines(&[Line::from(text)], width) {
                assert!(line.width() <= width.max(2), "width {width}: {line:?}");
            }
        }
    }
}
