//! Limits that keep hostile markdown from freezing or crashing the renderer.
//!
//! A line of 100,000 `>` or `- ` is 100,000 nested containers; the renderer's work and
//! output grow with the square of the depth (and tui-markdown panics on very deep lists).
//! No real document nests more than a handful of levels, so deeper markers are dropped and
//! the text kept; very deep indentation is cut the same way. Bodies over
//! [`MAX_RENDER_BYTES`] are shown in part, with a note.

use std::borrow::Cow;

/// Containers (quotes, list items) kept at the start of a line.
pub const MAX_DEPTH: usize = 16;
/// Leading indentation kept, in columns.
pub const MAX_INDENT: usize = 64;
/// Bodies are laid out up to this size; `quire show` prints the rest.
pub const MAX_RENDER_BYTES: usize = 1024 * 1024;

/// The markdown with nesting bounded and size capped; borrowed when nothing needed changing.
pub fn bound(markdown: &str) -> Cow<'_, str> {
    let capped = if markdown.len() > MAX_RENDER_BYTES {
        let mut end = MAX_RENDER_BYTES;
        while !markdown.is_char_boundary(end) {
            end -= 1;
        }
        // Cut at a line end so no construct is split mid-line.
        let end = markdown[..end].rfind('\n').unwrap_or(end);
        let rest = (markdown.len() - end) / 1024;
        Cow::Owned(format!(
            "{}\n\n---\n\n*The rest of this body ({rest} KB) is not shown here; `quire show ID` prints all of it.*\n",
            &markdown[..end]
        ))
    } else {
        Cow::Borrowed(markdown)
    };
    if !capped.lines().any(needs_bounding) {
        return capped;
    }
    let mut out = String::with_capacity(capped.len());
    for line in capped.split_inclusive('\n') {
        if needs_bounding(line) {
            out.push_str(&bound_line(line));
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Where the container markers of a line end: (byte offset after the `MAX_DEPTH`-th marker
/// if there are more, byte offset after the last marker, marker count, leading indent).
fn scan(line: &str) -> (Option<usize>, usize, usize, usize) {
    let b = line.as_bytes();
    let mut i = 0;
    let mut markers = 0;
    let mut keep = None;
    let mut indent = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        indent += if b[i] == b'\t' { 4 } else { 1 };
        i += 1;
    }
    let mut end = i;
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let marker_len = if i < b.len() && b[i] == b'>' {
            1
        } else if i + 1 < b.len()
            && matches!(b[i], b'-' | b'*' | b'+')
            && matches!(b[i + 1], b' ' | b'\t')
        {
            2
        } else {
            let digits = b[i..]
                .iter()
                .take(10)
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > 0
                && i + digits + 1 < b.len()
                && matches!(b[i + digits], b'.' | b')')
                && matches!(b[i + digits + 1], b' ' | b'\t')
            {
                digits + 2
            } else {
                0
            }
        };
        if marker_len == 0 {
            break;
        }
        i += marker_len;
        markers += 1;
        end = i;
        if markers == MAX_DEPTH {
            keep = Some(i);
        }
    }
    (keep.filter(|_| markers > MAX_DEPTH), end, markers, indent)
}

fn needs_bounding(line: &str) -> bool {
    // Cheap test first: only long runs of markers or spaces can be too deep.
    let lead = line
        .bytes()
        .take_while(|c| {
            matches!(
                c,
                b' ' | b'\t' | b'>' | b'-' | b'*' | b'+' | b'.' | b')' | b'0'..=b'9'
            )
        })
        .count();
    if lead < MAX_DEPTH.min(MAX_INDENT) {
        return false;
    }
    let (keep, _, _, indent) = scan(line);
    keep.is_some() || indent > MAX_INDENT
}

fn bound_line(line: &str) -> String {
    let (keep, end, _, indent) = scan(line);
    let mut out = String::with_capacity(line.len().min(4096));
    let start = line.len() - line.trim_start_matches([' ', '\t']).len();
    out.push_str(&" ".repeat(indent.min(MAX_INDENT)));
    match keep {
        Some(keep) => {
            out.push_str(&line[start..keep]);
            out.push(' ');
            out.push_str(line[end..].trim_start_matches([' ', '\t']));
        }
        None => out.push_str(&line[start..]),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_is_untouched() {
        let md = "# Title\n\n> - quote\n>   - nested\n\n      code\n1. one\n";
        assert!(matches!(bound(md), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_quotes_and_lists_are_cut_to_the_limit() {
        let md = format!("{}text\n", "> ".repeat(1000));
        let bounded = bound(&md);
        assert_eq!(bounded.matches('>').count(), MAX_DEPTH);
        assert!(bounded.trim_end().ends_with("text"));
        let md = format!("{}x\n", "- ".repeat(5000));
        assert_eq!(bound(&md).matches('-').count(), MAX_DEPTH);
        let md = format!("{}x\n", "1. ".repeat(5000));
        assert_eq!(bound(&md).matches("1.").count(), MAX_DEPTH);
    }

    #[test]
    fn deep_indentation_is_cut() {
        let md = format!("{}- x\n", " ".repeat(10_000));
        let bounded = bound(&md);
        assert!(bounded.len() < 100, "{}", bounded.len());
        assert!(bounded.ends_with("- x\n"));
    }

    #[test]
    fn huge_bodies_are_capped_at_a_line_with_a_note() {
        let md = "a line of text\n".repeat(200_000);
        let bounded = bound(&md);
        assert!(bounded.len() < MAX_RENDER_BYTES + 200);
        assert!(bounded.contains("is not shown here"));
    }
}
