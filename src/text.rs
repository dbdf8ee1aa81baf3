//! Untrusted text made safe to show: no byte of content may reach a terminal as a control.
//!
//! Every string that enters the [`Library`](crate::content::Library) passes through here, so
//! the reader and the CLI print only visible characters, newlines and tabs.

use std::borrow::Cow;

/// The line (from 1) of `text` that byte `at` falls on (past the end: the last line), for a
/// message about a parser's error.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Replaces controls with visible stand-ins and drops bidi overrides, keeping `\n` and `\t`.
///
/// - C0 controls become their Control Pictures (`ESC` → `␛`), DEL becomes `␡`;
/// - C1 controls (U+0080–U+009F, which some terminals obey like ESC sequences) become `�`;
/// - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed, so
///   text cannot be made to display in an order other than the one it is stored in;
/// - line and paragraph separators (U+2028, U+2029) become newlines.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if is_clean(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(c),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`], for one-line fields (titles, urls, names): line breaks and tabs become
/// spaces and runs of them collapse.
pub fn sanitize_line(text: &str) -> String {
    let clean = sanitize(text);
    if !clean.contains(['\n', '\t']) && !clean.contains("  ") && clean.trim() == clean {
        return clean.into_owned();
    }
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn needs_change(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// Whether `text` is free of anything [`sanitize`] would change.
pub fn is_clean(text: &str) -> bool {
    // Eight bytes at a time: most text is printable ASCII, where only C0 controls and DEL
    // matter; a word with anything else is looked at byte by byte, and from the first
    // non-ASCII byte on, char by char (C1 and bidi controls are not ASCII).
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let w = u64::from_le_bytes(word);
        let below_space = w.wrapping_sub(LOW * 0x20) & !w & HIGH;
        let del = (w ^ (LOW * 0x7f)).wrapping_sub(LOW) & !(w ^ (LOW * 0x7f)) & HIGH;
        if w & HIGH != 0 {
            break;
        }
        if below_space | del != 0 && !bytes[i..i + 8].iter().all(|&b| ascii_ok(b)) {
            return false;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i] < 0x80 {
        if !ascii_ok(bytes[i]) {
            return false;
        }
        i += 1;
    }
    !text[i..].chars().any(needs_change)
}

fn ascii_ok(b: u8) -> bool {
    (b >= 0x20 && b != 0x7f) || b == b'\n' || b == b'\t'
}

/// A one-line text written with HTML's inline marks (a Jekyll title: `Kafka&#39;s
/// <i>The Trial</i>&hellip;`) as the words it shows: entities decoded, inline tags dropped.
/// Only tags HTML has are dropped: `Vec<T>` in a title stays `Vec<T>`.
pub fn html_inline_to_text(text: &str) -> Cow<'_, str> {
    const INLINE: [&str; 25] = [
        "a", "abbr", "b", "big", "br", "cite", "code", "del", "dfn", "em", "font", "i", "ins",
        "kbd", "mark", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "tt", "u",
    ];
    if !text.contains(['&', '<']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = tag_name(after);
        let end = after.find('>');
        match end {
            Some(end) if INLINE.contains(&name.as_str()) => rest = &after[end + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(decode_entities(&out))
}

/// `&lt;` → `<`, `&#39;` → `'`, `&#x2014;` → `—`; unknown ones are left as written.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let decoded = after.find(';').filter(|&e| e <= 10).and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                "hellip" => Some('…'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    // A decoded reference may be a control: the renderer's output is cleaned again anyway.
    out
}

/// HTML as one line of plain text: tags dropped, entities decoded, blanks collapsed (titles in
/// feeds and bookmark exports).
pub fn html_to_plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name of the tag after a `<`, lowercased (`/P class=…` → `p`).
pub fn tag_name(after_lt: &str) -> String {
    after_lt
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_written_as_html_read_as_their_words() {
        assert_eq!(
            html_inline_to_text("Behe likens Dover trial to Kafka&#39;s The Trial"),
            "Behe likens Dover trial to Kafka's The Trial"
        );
        assert_eq!(
            html_inline_to_text("About that cell video in <i>Expelled</i>&hellip;"),
            "About that cell video in Expelled…"
        );
        assert_eq!(html_inline_to_text("Vec<T> and a < b"), "Vec<T> and a < b");
        assert!(matches!(html_inline_to_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        assert!(matches!(
            sanitize("plain text\twith tab\n"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a␛[2Jb");
        assert_eq!(sanitize("bell\x07"), "bell␇");
        assert_eq!(sanitize("del\x7f"), "del␡");
        assert_eq!(sanitize("csi\u{9b}31m"), "csi\u{fffd}31m");
    }

    #[test]
    fn bidi_overrides_are_removed() {
        assert_eq!(sanitize("abc\u{202e}fed\u{202c}"), "abcfed");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "x");
    }

    #[test]
    fn crlf_becomes_lf_and_lone_cr_is_visible() {
        assert_eq!(sanitize("a\r\nb\rc"), "a\nb␍c");
    }

    #[test]
    fn line_fields_collapse_whitespace() {
        assert_eq!(sanitize_line("  a\n\tb  c "), "a b c");
        assert_eq!(sanitize_line("x\x1b]0;title\x07"), "x␛]0;title␇");
    }

    #[test]
    fn the_fast_check_agrees_with_the_plain_one() {
        let naive = |t: &str| !t.chars().any(needs_change);
        let mut seed = 0x1234_5678_u64;
        let alphabet = [
            'a', ' ', '\n', '\t', '\x1b', '\x7f', '\u{9b}', 'é', '\u{202e}', '日', '\x00', '~',
        ];
        for _ in 0..5000 {
            let len = (seed % 40) as usize;
            let mut s = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            assert_eq!(is_clean(&s), naive(&s), "{s:?}");
        }
    }

    #[test]
    fn nothing_sanitized_needs_change_again() {
        let all: String = (0u32..0x300).filter_map(char::from_u32).collect();
        assert!(is_clean(&sanitize(&all)));
    }
}
