//! Tables laid out by words: each column gets at least its longest word when the table can fit
//! that way, the room left goes where the text is longest, and cells wrap only between words;
//! a table that cannot fit so is shown as records (`column: value`, one line each), which stay
//! readable at any width.
//!
//! Tables are taken out of the markdown before it is rendered ([`extract`]: each becomes a mark
//! line), laid out here at the pane's width, and put back where their mark is.

use pulldown_cmark::{Alignment, Event, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

use super::wrap::display_width;

/// A table's cells as text (inline marks gone, link numbers kept).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub alignments: Vec<Alignment>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The character a table's mark line starts with (followed by its number); private-use, so no
/// text of a body is taken for one (the caller replaces any the body holds).
pub const TABLE_MARK: char = '\u{F8F7}';

/// `markdown` with each table replaced by a paragraph holding only its mark, and the tables.
pub fn extract(markdown: &str) -> (String, Vec<Table>) {
    if !markdown.contains('|') {
        return (markdown.to_string(), Vec::new());
    }
    let mut tables = Vec::new();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut current: Option<(usize, Table)> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for (event, range) in
        Parser::new_ext(markdown, super::links::parse_options()).into_offset_iter()
    {
        match event {
            Event::Start(Tag::Table(alignments)) => {
                current = Some((
                    range.start,
                    Table {
                        alignments,
                        ..Table::default()
                    },
                ));
            }
            Event::End(TagEnd::Table) => {
                if let Some((start, table)) = current.take() {
                    let mark = format!("\n\n{TABLE_MARK}{}\n\n", tables.len());
                    edits.push((start..range.end, mark));
                    tables.push(table);
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableHead) => {
                if let Some((_, table)) = &mut current {
                    table.header = std::mem::take(&mut row);
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some((_, table)) = &mut current {
                    table.rows.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                row.push(cell.take().unwrap_or_default().trim().to_string());
            }
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) => {
                if let Some(cell) = &mut cell {
                    cell.push_str(&text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(cell) = &mut cell {
                    cell.push(' ');
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return (markdown.to_string(), tables);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for (range, mark) in edits {
        out.push_str(&markdown[at..range.start]);
        out.push_str(&mark);
        at = range.end;
    }
    out.push_str(&markdown[at..]);
    (out, tables)
}

/// The number in a mark line (`\u{F8F7}3`), when `text` is one.
pub fn mark_number(text: &str) -> Option<usize> {
    text.trim().strip_prefix(TABLE_MARK)?.parse().ok()
}

/// How a table is drawn: its borders and its header.
pub struct TableStyle {
    pub border: Style,
    pub header: Style,
    pub cell: Style,
}

/// The table laid out in `width` columns: as a grid when every column can have its longest
/// word, else as records.
pub fn render(table: &Table, width: usize, style: &TableStyle) -> Vec<Line<'static>> {
    let columns = table
        .header
        .len()
        .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
    if columns == 0 {
        return Vec::new();
    }
    match column_widths(table, columns, width) {
        Some(widths) => grid(table, &widths, style),
        None => records(table, columns, width, style),
    }
}

/// Each column's width: its natural width when all fit; else at least its longest word, the
/// rest shared out where the text is longest; `None` when not even the longest words fit.
fn column_widths(table: &Table, columns: usize, width: usize) -> Option<Vec<usize>> {
    let cells = || {
        std::iter::once(&table.header)
            .chain(&table.rows)
            .flat_map(|row| row.iter().enumerate())
    };
    let mut natural = vec![1; columns];
    let mut longest_word = vec![1; columns];
    for (column, text) in cells() {
        natural[column] = natural[column].max(display_width(text));
        for word in text.split_whitespace() {
            longest_word[column] = longest_word[column].max(display_width(word));
        }
    }
    // `│ a │ b │`: a border and a space either side of each column.
    let room = width.checked_sub(3 * columns + 1)?;
    if natural.iter().sum::<usize>() <= room {
        return Some(natural);
    }
    if longest_word.iter().sum::<usize>() > room {
        return None;
    }
    let mut widths = longest_word;
    let mut left = room - widths.iter().sum::<usize>();
    // The room left goes, a column at a time, to the one furthest from its natural width.
    while left > 0 {
        let Some(column) = (0..columns)
            .filter(|&c| widths[c] < natural[c])
            .max_by_key(|&c| natural[c] - widths[c])
        else {
            break;
        };
        widths[column] += 1;
        left -= 1;
    }
    Some(widths)
}

fn grid(table: &Table, widths: &[usize], style: &TableStyle) -> Vec<Line<'static>> {
    let border = |left: &str, cross: &str, right: &str| {
        let mut text = String::from(left);
        for (i, w) in widths.iter().enumerate() {
            if i > 0 {
                text.push_str(cross);
            }
            text.push_str(&"─".repeat(w + 2));
        }
        text.push_str(right);
        Line::styled(text, style.border)
    };
    let mut lines = vec![border("┌", "┬", "┐")];
    if !table.header.is_empty() {
        lines.extend(row_lines(
            &table.header,
            widths,
            &table.alignments,
            style.header,
            style.border,
        ));
        lines.push(border("├", "┼", "┤"));
    }
    for row in &table.rows {
        lines.extend(row_lines(
            row,
            widths,
            &table.alignments,
            style.cell,
            style.border,
        ));
    }
    lines.push(border("└", "┴", "┘"));
    lines
}

/// A row's lines: each cell wrapped between words to its column's width.
fn row_lines(
    row: &[String],
    widths: &[usize],
    alignments: &[Alignment],
    cell_style: Style,
    border: Style,
) -> Vec<Line<'static>> {
    let wrapped: Vec<Vec<String>> = widths
        .iter()
        .enumerate()
        .map(|(column, &w)| wrap_words(row.get(column).map_or("", String::as_str), w))
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    (0..height)
        .map(|n| {
            let mut spans = vec![Span::styled("│", border)];
            for (column, &w) in widths.iter().enumerate() {
                let text = wrapped[column].get(n).map_or("", String::as_str);
                let pad = w.saturating_sub(display_width(text));
                let (before, after) = match alignments.get(column) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                spans.push(Span::raw(format!(" {}", " ".repeat(before))));
                spans.push(Span::styled(text.to_string(), cell_style));
                spans.push(Span::raw(format!("{} ", " ".repeat(after))));
                spans.push(Span::styled("│", border));
            }
            Line::from(spans)
        })
        .collect()
}

/// `text` in lines of at most `width` columns, broken only between words (a word longer than
/// that, which the layout never lets happen in a grid, is cut by graphemes).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = display_width(&line) + usize::from(!line.is_empty()) + display_width(word);
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if display_width(word) > width {
            for g in word.graphemes(true) {
                if display_width(&line) + display_width(g) > width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line.push_str(g);
            }
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The table as records: each row a block of `column: value` lines, the values wrapped
/// between words under themselves, a blank line between rows.
fn records(table: &Table, columns: usize, width: usize, style: &TableStyle) -> Vec<Line<'static>> {
    let names: Vec<String> = (0..columns)
        .map(|c| {
            table
                .header
                .get(c)
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| format!("{}", c + 1))
        })
        .collect();
    let label_width = names.iter().map(|n| display_width(n)).max().unwrap_or(0) + 2;
    let label_width = if label_width * 2 > width {
        0
    } else {
        label_width
    };
    let mut lines = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        if n > 0 {
            lines.push(Line::styled("┄".repeat(width.min(24)), style.border));
        }
        for (column, name) in names.iter().enumerate() {
            let value = row.get(column).map_or("", String::as_str);
            if label_width == 0 {
                for part in wrap_words(name, width.max(1)) {
                    lines.push(Line::styled(part, style.header));
                }
                for part in wrap_words(value, width.max(1)) {
                    lines.push(Line::styled(part, style.cell));
                }
                continue;
            }
            for (i, part) in wrap_words(value, width.saturating_sub(label_width).max(1))
                .into_iter()
                .enumerate()
            {
                let label = if i == 0 {
                    format!("{:<w$}", format!("{name}:"), w = label_width)
                } else {
                    " ".repeat(label_width)
                };
                lines.push(Line::from(vec![
                    Span::styled(label, style.header),
                    Span::styled(part, style.cell),
                ]));
            }
        }
    }
    lines
}

/// The header's look: the table's text bold.
pub fn header_style(base: Style) -> Style {
    base.add_modifier(Modifier::BOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLOBS: &str = "| Pattern | Meaning | Example match |\n|---|---|---|\n\
        | `*` | Single-level wildcard | `a/b/c/page.md` |\n\
        | `**` | Multi-level wildcard, matching any number of levels | `a/b/c/d/page.md` |\n";

    fn text(lines: &[Line<'_>]) -> String {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    fn style() -> TableStyle {
        TableStyle {
            border: Style::default(),
            header: Style::default(),
            cell: Style::default(),
        }
    }

    #[test]
    fn a_table_is_taken_out_and_its_cells_kept() {
        let (out, tables) = extract(&format!("Before.\n\n{GLOBS}\nAfter.\n"));
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].header, ["Pattern", "Meaning", "Example match"]);
        assert_eq!(
            tables[0].rows[0],
            ["*", "Single-level wildcard", "a/b/c/page.md"]
        );
        assert!(out.contains(&format!("{TABLE_MARK}0")), "{out}");
        assert!(out.starts_with("Before.") && out.trim_end().ends_with("After."));
    }

    #[test]
    fn columns_get_their_longest_words_and_wrap_between_words() {
        let (_, tables) = extract(GLOBS);
        for width in [40, 46, 60, 80] {
            let shown = text(&render(&tables[0], width, &style()));
            for line in shown.lines() {
                assert!(display_width(line) <= width, "{width}: {line}");
            }
            for word in [
                "Single-level",
                "a/b/c/page.md",
                "a/b/c/d/page.md",
                "wildcard",
            ] {
                assert!(shown.contains(word), "{width}: {word} broken:\n{shown}");
            }
        }
    }

    #[test]
    fn a_table_too_narrow_for_its_words_reads_as_records() {
        let (_, tables) = extract(GLOBS);
        let shown = text(&render(&tables[0], 30, &style()));
        assert!(shown.contains("Meaning:"), "{shown}");
        assert!(shown.contains("a/b/c/page.md"), "{shown}");
        for line in shown.lines() {
            assert!(display_width(line) <= 30, "{line}");
        }
        // At any width, down to one column, nothing is lost and nothing overflows.
        for width in [1, 2, 5, 12] {
            let shown = text(&render(&tables[0], width, &style()));
            let joined: String = shown.lines().map(str::trim).collect();
            assert!(joined.contains("Multi-level"), "{width}:\n{shown}");
            assert!(
                shown.lines().all(|l| display_width(l) <= width.max(1)),
                "{shown}"
            );
        }
    }
}
