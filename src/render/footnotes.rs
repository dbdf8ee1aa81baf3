//! Footnotes as a page shows them: a reference is a superscript number where it stands (`¹`,
//! never `[1]`, the mark of a link), and the notes are listed under the body, apart from the
//! links, each with its number.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// `markdown` with its footnote references as superscript numbers (by order of first use)
/// and its footnote definitions moved under a "Notes" rule at the end.
pub fn footnotes(markdown: &str) -> String {
    if !markdown.contains("[^") {
        return markdown.to_string();
    }
    let mut numbers: Vec<String> = Vec::new();
    let mut number_of = |label: &str| {
        let at = numbers.iter().position(|l| l == label).unwrap_or_else(|| {
            numbers.push(label.to_string());
            numbers.len() - 1
        });
        at + 1
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut notes: Vec<(usize, String)> = Vec::new();
    let mut open: Option<(String, std::ops::Range<usize>)> = None;
    for (event, range) in
        Parser::new_ext(markdown, super::links::parse_options()).into_offset_iter()
    {
        match event {
            Event::FootnoteReference(label) if open.is_none() => {
                let n = number_of(&label);
                edits.push((range, superscript(n)));
            }
            Event::Start(Tag::FootnoteDefinition(label)) if open.is_none() => {
                open = Some((label.to_string(), range));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some((label, range)) = open.take() {
                    let n = number_of(&label);
                    notes.push((n, note_text(&markdown[range.clone()])));
                    edits.push((range, String::new()));
                }
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return markdown.to_string();
    }
    let mut out = super::splice(markdown, edits);
    if !notes.is_empty() {
        notes.sort_by_key(|(n, _)| *n);
        out.push_str("\n\n---\n\n*Notes*\n\n");
        for (n, text) in notes {
            out.push_str(&format!("{} {}\n\n", superscript(n), text.trim()));
        }
    }
    out
}

/// A footnote definition's text without its `[^label]:` and its continuation indent.
fn note_text(definition: &str) -> String {
    let body = definition
        .split_once("]:")
        .map_or(definition, |(_, rest)| rest);
    body.lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `n` in superscript digits.
fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_superscripts_and_notes_come_last() {
        let md = "Compile times.[^ct] Also this[^x] and again[^ct].\n\n\
                  [^ct]: The [cargo](https://doc.rust-lang.org/cargo/) timings.\n\
                  [^x]: Another.\n\nLast paragraph.\n";
        let out = footnotes(md);
        assert!(
            out.contains("Compile times.¹ Also this² and again¹."),
            "{out}"
        );
        assert!(!out.contains("[^"), "{out}");
        let notes = &out[out.find("*Notes*").expect("notes")..];
        assert!(notes.contains("¹ The [cargo](https://doc.rust-lang.org/cargo/) timings."));
        assert!(notes.contains("² Another."));
        assert!(out.find("Last paragraph.") < out.find("*Notes*"));
        assert_eq!(footnotes("No notes [1] here."), "No notes [1] here.");
    }
}
