//! HTML inside markdown, reduced to what it says: a reader shows text, never tag soup.
//!
//! Before a body is rendered, every HTML block and inline tag the markdown parser finds is
//! rewritten as markdown: tags dropped and their text kept, `<br>` a line break, a
//! `<summary>` a heading line (so `<details>` reads as a section, and shows in the outline),
//! `<pre>` a code block (entities decoded), `<a href>` a link and `<img>` an image (both then
//! numbered with the other links), comments gone.

use crate::text::decode_entities;
use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The markdown with its HTML rewritten as markdown.
pub fn reduce_html(markdown: &str) -> String {
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut in_table = false;
    // Inline `<a href>` tags waiting for their `</a>`: the url of each.
    let mut anchors: Vec<Option<String>> = Vec::new();
    // An HTML block comes in pieces (one event a line): gather them into one edit.
    let mut block: Option<(Range<usize>, String)> = None;
    for (event, range) in
        Parser::new_ext(markdown, super::links::parse_options()).into_offset_iter()
    {
        match event {
            Event::Html(html) => {
                let pending = block.get_or_insert((range.start..range.end, String::new()));
                pending.0.end = pending.0.end.max(range.end);
                pending.1.push_str(&html);
                continue;
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((range, html)) = block.take() {
                    edits.push((range, block_to_markdown(&html)));
                }
                continue;
            }
            Event::Start(Tag::Table(_)) => in_table = true,
            Event::End(TagEnd::Table) => in_table = false,
            Event::InlineHtml(tag) => {
                let replacement = inline_to_markdown(&tag, in_table, &mut anchors);
                edits.push((range, replacement));
            }
            _ => {}
        }
    }
    if let Some((range, html)) = block.take() {
        edits.push((range, block_to_markdown(&html)));
    }
    if edits.is_empty() {
        return markdown.to_string();
    }
    super::splice(markdown, edits)
}

/// One inline tag, within a paragraph.
fn inline_to_markdown(tag: &str, in_table: bool, anchors: &mut Vec<Option<String>>) -> String {
    let Some(parsed) = parse_tag(tag) else {
        // `<!-- … -->` and anything that is not a tag.
        return String::new();
    };
    match (parsed.name.as_str(), parsed.closing) {
        ("br", _) if in_table => " ".into(),
        // Two spaces and a newline: a hard break, and nothing at all at a paragraph's end.
        ("br", _) => "  \n".into(),
        ("img", false) => image(&parsed),
        ("a", false) => {
            let href = parsed.attribute("href");
            let open = if href.is_some() { "[" } else { "" };
            anchors.push(href);
            open.into()
        }
        ("a", true) => match anchors.pop().flatten() {
            Some(href) => format!("]({})", destination(&href)),
            None => String::new(),
        },
        _ => String::new(),
    }
}

/// An HTML block: its text, with the few tags that mean something kept as markdown.
fn block_to_markdown(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut text = String::new();
    // Inside `<pre>`: the code's language, and its text so far.
    let mut pre: Option<(String, String)> = None;
    let mut anchors: Vec<Option<String>> = Vec::new();
    // Inside `<summary>`: its paragraphs are the heading's text, not paragraphs of their own.
    let mut in_summary = false;
    while !rest.is_empty() {
        let Some(at) = rest.find('<') else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = if after.starts_with("<!--") {
            after.find("-->").map(|e| e + 3)
        } else {
            after.find('>').map(|e| e + 1)
        };
        let Some(end) = end else {
            text.push_str(after);
            break;
        };
        let tag = &after[..end];
        rest = &after[end..];
        let Some(parsed) = parse_tag(tag) else {
            continue;
        };
        if let Some((_, code)) = &mut pre {
            code.push_str(&decode_entities(&std::mem::take(&mut text)));
            if parsed.name == "pre" && parsed.closing {
                let (language, code) = pre.take().unwrap_or_default();
                out.push_str(&format!(
                    "\n\n```{language}\n{}\n```\n\n",
                    code.trim_end_matches('\n')
                ));
            } else if parsed.name == "code"
                && !parsed.closing
                && let Some(class) = parsed.attribute("class")
                && let Some(language) = class
                    .split_whitespace()
                    .find_map(|c| c.strip_prefix("language-"))
                && let Some((lang, _)) = &mut pre
            {
                *lang = language.chars().filter(|c| c.is_alphanumeric()).collect();
            }
            continue;
        }
        flush_text(&mut out, &mut text);
        match (parsed.name.as_str(), parsed.closing) {
            ("pre", false) => pre = Some((String::new(), String::new())),
            ("summary", false) => {
                in_summary = true;
                out.push_str("\n\n#### ");
            }
            ("summary", true) => {
                in_summary = false;
                out.push_str("\n\n");
            }
            (_, _) if in_summary => out.push(' '),
            ("li", false) => out.push_str("\n- "),
            ("progress", false) => {
                if let (Some(value), Some(max)) =
                    (parsed.attribute("value"), parsed.attribute("max"))
                {
                    out.push_str(&format!(" {}/{} ", escape_text(&value), escape_text(&max)));
                }
            }
            ("br", _) => out.push('\n'),
            ("p" | "div" | "details" | "tr" | "table" | "ul" | "ol" | "blockquote", _)
            | ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", true) => out.push_str("\n\n"),
            ("h1" | "h2" | "h3" | "h4" | "h5" | "h6", false) => {
                let level = parsed.name[1..].parse::<usize>().unwrap_or(4);
                out.push_str(&format!("\n\n{} ", "#".repeat(level)));
            }
            ("img", false) => out.push_str(&image(&parsed)),
            ("a", false) => {
                let href = parsed.attribute("href");
                if href.is_some() {
                    out.push('[');
                }
                anchors.push(href);
            }
            ("a", true) => {
                if let Some(href) = anchors.pop().flatten() {
                    out.push_str(&format!("]({})", destination(&href)));
                }
            }
            _ => {}
        }
    }
    if let Some((language, code)) = pre {
        out.push_str(&format!(
            "\n\n```{language}\n{}{}\n```\n\n",
            code,
            decode_entities(&text)
        ));
    } else {
        flush_text(&mut out, &mut text);
    }
    // Unclosed anchors would leave a stray `[`.
    if !anchors.iter().all(Option::is_none) {
        out = out.replace('[', "\\[");
    }
    // Keep the block's place as its own paragraph.
    let trimmed = out.trim_matches('\n');
    if trimmed.trim().is_empty() {
        "\n".into()
    } else {
        format!("\n{trimmed}\n\n")
    }
}

/// Text between tags: entities decoded, written so markdown reads it back as text.
fn flush_text(out: &mut String, text: &mut String) {
    if text.is_empty() {
        return;
    }
    let decoded = decode_entities(text);
    for (n, line) in decoded.lines().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        // HTML's indentation is not markdown's: runs of blanks are one space (four at the
        // start of a line would make it code).
        let mut last_blank = false;
        let mut collapsed = String::with_capacity(line.len());
        for c in line.chars() {
            let blank = c.is_whitespace();
            if !(blank && last_blank) {
                collapsed.push(if blank { ' ' } else { c });
            }
            last_blank = blank;
        }
        out.push_str(&escape_text(&collapsed));
    }
    if decoded.ends_with('\n') {
        out.push('\n');
    }
    text.clear();
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn image(tag: &HtmlTag) -> String {
    let alt = tag.attribute("alt").unwrap_or_default();
    match tag.attribute("src") {
        Some(src) => format!("![{}]({})", escape_text(&alt), destination(&src)),
        None => String::new(),
    }
}

/// A url written as a markdown link destination (in `<…>`, so spaces and parentheses hold).
fn destination(url: &str) -> String {
    let clean: String = url
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r'))
        .collect();
    format!("<{clean}>")
}

/// A tag's name (lowercase), whether it closes, and its attributes as written.
struct HtmlTag {
    name: String,
    closing: bool,
    attributes: String,
}

impl HtmlTag {
    /// An attribute's value (`href="…"`, `alt='…'`, `src=x`), entities decoded.
    fn attribute(&self, name: &str) -> Option<String> {
        let lower = self.attributes.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(name) {
            let start = from + at;
            from = start + name.len();
            let before_ok = start == 0
                || lower[..start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_whitespace);
            let rest = self.attributes[from..].trim_start();
            if !before_ok || !rest.starts_with('=') {
                continue;
            }
            let value = rest[1..].trim_start();
            let value = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
                _ => value
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            return Some(decode_entities(value));
        }
        None
    }
}

fn parse_tag(tag: &str) -> Option<HtmlTag> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?;
    if inner.starts_with('!') || inner.starts_with('?') {
        return None;
    }
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let inner = inner.trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(HtmlTag {
        name,
        closing,
        attributes: inner[name_end..].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_text_and_meaning() {
        let md = "Before.\n\n<details><summary>Example failure</summary>\n\nInside **markdown**.\n\n</details>\n\nAfter.\n";
        let out = reduce_html(md);
        assert!(out.contains("#### Example failure"), "{out}");
        assert!(out.contains("Inside **markdown**."), "{out}");
        assert!(
            !out.contains("<details>") && !out.contains("</details>"),
            "{out}"
        );
    }

    #[test]
    fn summaries_lists_and_progress_read_as_text() {
        let md = "<details><summary><p>Two updates</p></summary>\n<ul><li>first</li><li>second</li></ul>\n<progress value=\"10\" max=\"18\"></progress>\n</details>\n";
        let out = reduce_html(md);
        assert!(out.contains("####  Two updates"), "{out}");
        assert!(
            out.contains("\n- first") && out.contains("\n- second"),
            "{out}"
        );
        assert!(out.contains("10/18"), "{out}");
    }

    #[test]
    fn pre_blocks_are_code_with_entities_decoded() {
        let md = "<pre style=\"x\"><code class=\"language-rust\">fn f&lt;'a&gt;() {}\nlet x = 1 &amp; 2;</code></pre>\n";
        let out = reduce_html(md);
        assert!(
            out.contains("```rust\nfn f<'a>() {}\nlet x = 1 & 2;\n```"),
            "{out}"
        );
    }

    #[test]
    fn inline_tags_go_and_anchors_and_images_become_markdown() {
        let md = "A <b>bold</b> word<br>next, <a href=\"https://x.org/a\">a link</a> and <img src=\"c.png\" alt=\"a chart\">.\n";
        let out = reduce_html(md);
        assert_eq!(
            out,
            "A bold word  \nnext, [a link](<https://x.org/a>) and ![a chart](<c.png>).\n"
        );
    }

    #[test]
    fn comments_and_unknown_tags_vanish() {
        let out =
            reduce_html("<!-- hidden -->\n\n<div class=\"x\">Shown <span>text</span></div>\n");
        assert!(!out.contains("hidden") && !out.contains('<'), "{out}");
        assert!(out.contains("Shown text"), "{out}");
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("&lt;a&gt; &amp;&amp; &#39;x&#x27; &bogus; &"),
            "<a> && 'x' &bogus; &"
        );
    }
}
