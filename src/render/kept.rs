//! Highlights on a laid-out page: each kept passage painted where its words stand now, and
//! its note on lines of its own right under it. Found by words (`state::passage`), so a quote
//! kept as markdown is found in the text the page shows, however it was wrapped.

use std::ops::Range;

use ratatui::text::{Line, Span};

use super::Page;
use super::highlight::paint;
pub use super::page::PageSpan;
use super::wrap::wrap_lines;
use crate::state::passage::{in_shown, words};
use crate::theme::Theme;

/// A highlight as a page needs it.
#[derive(Debug, Clone, Copy)]
pub struct Kept<'a> {
    /// The highlight's own id (what the page records where it painted it).
    pub key: &'a str,
    pub quote: &'a str,
    /// The text just before the quote, telling apart two places with the same words.
    pub prefix: &'a str,
    pub note: Option<&'a str>,
}

/// The text of each line of `page`, and where each starts in them joined by newlines.
pub fn page_text(page: &Page) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(page.lines.len());
    for (n, line) in page.lines.iter().enumerate() {
        if n > 0 {
            text.push('\n');
        }
        starts.push(text.len());
        for span in &line.spans {
            text.push_str(&span.content);
        }
    }
    (text, starts)
}

/// Paints `kept` onto `page` and puts each note under its passage; returns how many of them
/// were found (the others' words are no longer in the text: orphaned, and shown nowhere).
pub fn paint_kept(page: &mut Page, kept: &[Kept<'_>], theme: &Theme) -> usize {
    if kept.is_empty() || page.lines.is_empty() {
        return 0;
    }
    let (text, starts) = page_text(page);
    let hay = words(&text);
    // Each passage found: its bytes in `text`, its note and its key.
    let mut found: Vec<(Range<usize>, Option<&str>, &str)> = kept
        .iter()
        .filter_map(|k| {
            let range = in_shown(&text, &hay, k.quote, k.prefix)?;
            Some((range, k.note, k.key))
        })
        .collect();
    found.sort_by_key(|(range, _, _)| range.start);
    let line_of = |at: usize| starts.partition_point(|&s| s <= at).saturating_sub(1);
    // Where each is on the page: (line, byte) of its first and of its last character.
    page.kept = found
        .iter()
        .map(|(range, _, key)| {
            let (first, last) = (range.start, range.end.saturating_sub(1).max(range.start));
            let (a, b) = (line_of(first), line_of(last));
            PageSpan {
                key: key.to_string(),
                start: (a, first - starts[a]),
                end: (b, last - starts[b]),
            }
        })
        .collect();
    // Every line's share of the passages, painted.
    let mut ranges: Vec<Vec<Range<usize>>> = vec![Vec::new(); page.lines.len()];
    for (range, _, _) in &found {
        for line in line_of(range.start)..=line_of(range.end.saturating_sub(1)) {
            let start = starts[line];
            let end = starts.get(line + 1).map_or(text.len(), |s| s - 1);
            // A line the passage goes on to is painted from its first word: not the indent
            // or the quote bar the page puts before it.
            let first_word = hay[hay.partition_point(|w| w.start < start)..]
                .first()
                .map_or(end, |w| w.start);
            let (a, b) = (range.start.max(first_word), range.end.min(end));
            if a < b {
                ranges[line].push(a - start..b - start);
            }
        }
    }
    for (line, mut r) in page.lines.iter_mut().zip(ranges) {
        if !r.is_empty() {
            r.sort_by_key(|r| r.start);
            *line = paint(line, &r, theme.highlight);
        }
    }
    // The notes, each after the last line of its passage.
    let width = usize::from(page.width).max(1);
    let mut notes: Vec<(usize, Vec<Line<'static>>)> = found
        .iter()
        .filter_map(|(range, note, _)| {
            let note = (*note)?;
            let line = Line::from(vec![
                Span::styled("✎ ", theme.note),
                Span::styled(crate::text::sanitize_line(note), theme.note),
            ]);
            let last = line_of(range.end.saturating_sub(1));
            Some((end_of_wrapped(page, last), wrap_lines(&[line], width)))
        })
        .collect();
    notes.sort_by_key(|(after, _)| *after);
    insert_notes(page, notes);
    found.len()
}

/// The last page line of the body line (wrapped over several) that page line `line` is part
/// of: a note goes under the whole of it, not inside it.
fn end_of_wrapped(page: &Page, line: usize) -> usize {
    // Under a whole code block, and under a whole table (lines drawn with its rules).
    if let Some(block) = page.code_blocks.iter().find(|b| b.lines.contains(&line)) {
        return block.lines.end.saturating_sub(1).max(line);
    }
    let ruled = |n: usize| {
        page.lines.get(n).is_some_and(|l| {
            l.spans
                .iter()
                .flat_map(|s| s.content.chars())
                .find(|c| !c.is_whitespace())
                .is_some_and(|c| ('\u{2500}'..='\u{257f}').contains(&c))
        })
    };
    if ruled(line) {
        let mut last = line;
        while ruled(last + 1) {
            last += 1;
        }
        return last;
    }
    let starts = &page.unwrapped;
    match (starts.first(), starts.last()) {
        (Some(&first), Some(&end)) if (first..end).contains(&line) => {
            starts[starts.partition_point(|&s| s <= line)] - 1
        }
        _ => line,
    }
}

/// Puts note lines into `page` after the given lines, moving every line number the page
/// keeps (headings, code blocks, where the body and the description start) with them.
fn insert_notes(page: &mut Page, notes: Vec<(usize, Vec<Line<'static>>)>) {
    if notes.is_empty() {
        return;
    }
    let old = std::mem::take(&mut page.lines);
    // `moved[n]`: where old line `n` stands now (one more for the end of the page).
    let mut moved = Vec::with_capacity(old.len() + 1);
    let mut notes = notes.into_iter().peekable();
    for (n, line) in old.into_iter().enumerate() {
        moved.push(page.lines.len());
        page.lines.push(line);
        while let Some((_, lines)) = notes.next_if(|(after, _)| *after == n) {
            let from = page.lines.len();
            page.lines.extend(lines);
            page.notes.extend(from..page.lines.len());
        }
    }
    moved.push(page.lines.len());
    let at = |n: usize| moved.get(n).copied().unwrap_or(page.lines.len());
    page.body_start = at(page.body_start);
    page.about_line = page.about_line.map(at);
    for heading in &mut page.headings {
        heading.line = at(heading.line);
    }
    for block in &mut page.code_blocks {
        block.lines = at(block.lines.start)..at(block.lines.end);
    }
    for start in &mut page.unwrapped {
        *start = at(*start);
    }
    for span in &mut page.kept {
        span.start.0 = at(span.start.0);
        span.end.0 = at(span.end.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::content::{Item, ItemKind, Library};
    use crate::render::item_page;

    fn library(body: &str) -> Library {
        let mut library = Library::empty();
        library.items.push(Item {
            title: "A post".into(),
            ..Item::for_test("x", ItemKind::Post, body)
        });
        library
    }

    fn texts(page: &Page) -> Vec<String> {
        page.lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn a_kept_passage_is_painted_across_lines_and_its_note_follows_it() {
        let theme = Theme::dark();
        let lib = library(
            "# Caching\n\nThe hit rate is **what matters most**, not the size of the cache, \
             said everyone who ever measured one.\n\n## After\n\nMore text.\n",
        );
        let mut page = item_page(&lib, 0, &theme, 30);
        let heading = page.headings[1].line;
        let kept = [Kept {
            key: "h1",
            quote: "hit rate is **what matters most**, not the size",
            prefix: "The ",
            note: Some("measure \u{1b}[31mfirst"),
        }];
        assert_eq!(paint_kept(&mut page, &kept, &theme), 1);
        let painted: String = page
            .lines
            .iter()
            .flat_map(|l| &l.spans)
            .filter(|s| s.style.add_modifier.contains(theme.highlight.add_modifier))
            .filter(|s| s.style.fg == theme.highlight.fg)
            .map(|s| s.content.as_ref())
            .collect::<Vec<_>>()
            .join("|");
        assert!(painted.starts_with("hit rate is"), "{painted}");
        assert!(painted.ends_with("not the size"), "{painted}");
        let lines = texts(&page);
        let note = lines.iter().position(|l| l.contains("✎")).expect("note");
        assert!(lines[note].starts_with("✎ measure"), "{lines:?}");
        assert!(!lines[note].contains('\u{1b}'));
        // Under the whole paragraph, not inside its wrapped lines.
        assert!(lines[note - 1].ends_with("measured one."), "{lines:?}");
        assert_eq!(page.notes.first(), Some(&note));
        // The heading below moved down with the note.
        assert_eq!(page.headings[1].line, heading + page.notes.len());
        assert_eq!(lines[page.headings[1].line], "After");
    }

    #[test]
    fn a_note_on_a_table_cell_goes_under_the_whole_table() {
        let theme = Theme::dark();
        let lib = library(
            "| Name | Says |\n| --- | --- |\n| cell one | two |\n| cell three | four |\n\nAfter.\n",
        );
        let mut page = item_page(&lib, 0, &theme, 60);
        let kept = [Kept {
            key: "h1",
            quote: "cell one",
            prefix: "",
            note: Some("about the cell"),
        }];
        assert_eq!(paint_kept(&mut page, &kept, &theme), 1);
        let lines = texts(&page);
        let note = lines.iter().position(|l| l.contains("✎")).expect("note");
        let ruled = |l: &str| {
            l.trim_start()
                .chars()
                .next()
                .is_some_and(|c| ('\u{2500}'..='\u{257f}').contains(&c))
        };
        assert!(
            lines[..note].iter().any(|l| l.contains("cell three")),
            "{lines:#?}"
        );
        assert!(!lines[note + 1..].iter().any(|l| ruled(l)), "{lines:#?}");
    }

    #[test]
    fn a_passage_whose_words_are_gone_is_not_painted() {
        let theme = Theme::dark();
        let lib = library("Nothing of it is left.\n");
        let mut page = item_page(&lib, 0, &theme, 40);
        let before = texts(&page);
        let kept = [Kept {
            key: "h1",
            quote: "the hit rate",
            prefix: "",
            note: Some("gone"),
        }];
        assert_eq!(paint_kept(&mut page, &kept, &theme), 0);
        assert_eq!(texts(&page), before);
    }
}
