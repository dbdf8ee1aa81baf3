//! Links in a body, numbered where they stand, as lynx and newsboat do: `[docs](https://x)`
//! reads `docs[1]`, an image `[image: a chart][2]`, and the urls are listed once under the body
//! and in the `f` picker, never repeated inline or broken by wrapping.
//!
//! The markdown renderer writes every link as `label (url)`, so the body is rewritten first:
//! each link becomes its label followed by a marker holding its number, which
//! [`style_numbers`] turns into `[n]` in the link style once the body is laid out.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::text::sanitize_line;

/// One link of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// What the body says where it stands (an image's alt text).
    pub text: String,
    pub url: String,
    pub image: bool,
}

/// Around a link's number in the rewritten markdown. Private-use characters: plain text to
/// the renderer, one column each like the brackets they become, so tables keep their widths.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The options the body renderer parses with, so both see the same links.
pub fn parse_options() -> Options {
    Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
        | Options::ENABLE_MATH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM
        | Options::ENABLE_TABLES
}

/// A link or image being read.
struct Open {
    start: usize,
    url: String,
    /// `[text][]`: its `[]` follows the range the parser gives.
    collapsed: bool,
    image: bool,
    /// Source of the label: from its first piece's start to its last piece's end.
    label: Option<(usize, usize)>,
    text: String,
    /// An image inside a link label (a badge): the label is then written as plain text.
    holds_image: bool,
}

/// `link` made absolute against the address of the page it is on, when it is relative (a path,
/// `../x`, `?q`; not `#anchor`, which stays on the page) and the page is on the web.
pub fn resolve(page: &str, link: &str) -> Option<String> {
    if link.is_empty()
        || link.starts_with('#')
        || link.contains("://")
        || link.starts_with("mailto:")
    {
        return None;
    }
    let base = url::Url::parse(page).ok()?;
    if !matches!(base.scheme(), "http" | "https") {
        return None;
    }
    let joined = base.join(link).ok()?;
    matches!(joined.scheme(), "http" | "https").then(|| sanitize_line(joined.as_str()))
}

/// The markdown with every link and image replaced by its label and number, and the links in
/// the order of their numbers (1 first).
pub fn number_links(markdown: &str) -> (String, Vec<Link>) {
    // Content can hold the marker characters too; they must not pass for numbers.
    let cleaned;
    let markdown = if markdown.contains([OPEN, CLOSE]) {
        cleaned = markdown.replace([OPEN, CLOSE], "\u{FFFD}");
        cleaned.as_str()
    } else {
        markdown
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut links = Vec::new();
    for (event, range) in Parser::new_ext(markdown, parse_options()).into_offset_iter() {
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let (image, dest_url, link_type) = match tag {
                    Tag::Image {
                        dest_url,
                        link_type,
                        ..
                    } => (true, dest_url, link_type),
                    Tag::Link {
                        dest_url,
                        link_type,
                        ..
                    } => (false, dest_url, link_type),
                    _ => continue,
                };
                stack.push(Open {
                    start: range.start,
                    url: dest_url.to_string(),
                    collapsed: link_type == pulldown_cmark::LinkType::Collapsed,
                    image,
                    label: None,
                    text: String::new(),
                    holds_image: false,
                });
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                let Some(open) = stack.pop() else { continue };
                if open.image
                    && let Some(parent) = stack.last_mut()
                {
                    // A badge: the image says what the link is; the link is what is numbered.
                    parent.holds_image = true;
                    parent.text.push_str(&format!("image: {}", open.text));
                    grow(&mut parent.label, range.start, range.end);
                    continue;
                }
                let text = sanitize_line(&open.text);
                let label = match open.label {
                    _ if open.holds_image || open.image => escape(&if open.image {
                        format!("[image: {text}]")
                    } else {
                        text.clone()
                    }),
                    Some((a, b)) if !text.trim().is_empty() => markdown[a..b].to_string(),
                    _ => escape(&open.url),
                };
                links.push(Link {
                    text: if text.is_empty() {
                        sanitize_line(&open.url)
                    } else {
                        text
                    },
                    url: sanitize_line(&open.url),
                    image: open.image,
                });
                // `[text][]` (a collapsed reference) ends, for the parser, before its `[]`.
                let end = if open.collapsed && markdown[range.end..].starts_with("[]") {
                    range.end + 2
                } else {
                    range.end
                };
                edits.push((
                    open.start,
                    end,
                    format!("{label}{OPEN}{}{CLOSE}", links.len()),
                ));
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&t);
                    grow(&mut open.label, range.start, range.end);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(open) = stack.last_mut() {
                    open.text.push(' ');
                }
            }
            _ => {
                if let Some(open) = stack.last_mut() {
                    grow(&mut open.label, range.start, range.end);
                }
            }
        }
    }
    if edits.is_empty() {
        return (markdown.to_string(), links);
    }
    // Links do not overlap (a link holds no link; images in links were folded into them), and
    // the parser reports them in source order.
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(markdown.len() + edits.len() * 4);
    let mut at = 0;
    for (start, end, text) in edits {
        if start < at {
            continue;
        }
        out.push_str(&markdown[at..start]);
        out.push_str(&text);
        at = end;
    }
    out.push_str(&markdown[at..]);
    (out, links)
}

fn grow(label: &mut Option<(usize, usize)>, start: usize, end: usize) {
    *label = Some(match *label {
        Some((a, b)) => (a.min(start), b.max(end)),
        None => (start, end),
    });
}

/// Plain text written so markdown reads it back as the same text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Turns the number markers of laid-out lines into `[n]` in `style`.
pub fn style_numbers(lines: &mut [Line<'static>], style: Style) {
    for line in lines {
        if !line.spans.iter().any(|s| s.content.contains(OPEN)) {
            continue;
        }
        let mut spans = Vec::with_capacity(line.spans.len() + 2);
        for span in line.spans.drain(..) {
            if !span.content.contains(OPEN) {
                spans.push(span);
                continue;
            }
            let mut rest: &str = &span.content;
            while let Some(at) = rest.find(OPEN) {
                if at > 0 {
                    spans.push(Span::styled(rest[..at].to_string(), span.style));
                }
                let after = &rest[at + OPEN.len_utf8()..];
                let end = after.find(CLOSE).unwrap_or(after.len());
                spans.push(Span::styled(
                    format!("[{}]", &after[..end]),
                    span.style.patch(style),
                ));
                rest = after.get(end + CLOSE.len_utf8()..).unwrap_or("");
            }
            if !rest.is_empty() {
                spans.push(Span::styled(rest.to_string(), span.style));
            }
        }
        line.spans = spans;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(markdown: &str) -> (String, Vec<(String, String)>) {
        let (text, links) = number_links(markdown);
        let shown = text.replace(OPEN, "[").replace(CLOSE, "]");
        (shown, links.into_iter().map(|l| (l.text, l.url)).collect())
    }

    #[test]
    fn links_become_their_label_and_number() {
        let (text, links) = numbered(
            "See [the *docs*](https://a.org/x) and <https://b.org>, then [ref][r].\n\n[r]: https://c.org\n",
        );
        assert_eq!(
            text,
            "See the *docs*[1] and https://b.org[2], then ref[3].\n\n[r]: https://c.org\n"
        );
        assert_eq!(
            links,
            [
                ("the docs".into(), "https://a.org/x".into()),
                ("https://b.org".into(), "https://b.org".into()),
                ("ref".into(), "https://c.org".into()),
            ]
        );
    }

    #[test]
    fn collapsed_references_and_links_within_the_site() {
        let (text, links) = numbered(
            "Uses [Goldmark][] and [Hugo][]. See [x][].\n\n[Goldmark]: https://g.example/\n[Hugo]: /about/\n",
        );
        assert_eq!(
            text.lines().next(),
            Some("Uses Goldmark[1] and Hugo[2]. See [x][].")
        );
        assert_eq!(links[1].1, "/about/");
        let page = "https://gohugo.example/configuration/markup/";
        assert_eq!(
            resolve(page, "/configuration/security/").as_deref(),
            Some("https://gohugo.example/configuration/security/")
        );
        assert_eq!(
            resolve(page, "../output-formats/").as_deref(),
            Some("https://gohugo.example/configuration/output-formats/")
        );
        assert_eq!(resolve(page, "#goldmark"), None);
        assert_eq!(resolve(page, "https://other.example/"), None);
        assert_eq!(resolve(page, "mailto:a@b.example"), None);
        assert_eq!(resolve("/local/path", "/x/"), None);
    }

    #[test]
    fn images_and_badges() {
        let (text, links) = numbered("![a chart](c.png)\n\n[![build](badge.svg)](https://ci.org)");
        assert_eq!(
            text, "\\[image\\: a chart\\][1]\n\nimage\\: build[2]",
            "{links:?}"
        );
        assert_eq!(links[0].1, "c.png");
        assert_eq!(links[1], ("image: build".into(), "https://ci.org".into()));
    }

    #[test]
    fn code_is_left_alone_and_markers_in_content_are_not_numbers() {
        let (text, links) = numbered("`[x](y)`\n\n    [a](b)\n\nbad \u{E000}9\u{E001}");
        assert!(links.is_empty());
        assert!(text.starts_with("`[x](y)`"));
        assert!(!text.contains('\u{E000}') && text.contains("bad \u{FFFD}9\u{FFFD}"));
    }

    #[test]
    fn hostile_urls_are_listed_without_controls() {
        // A character reference decodes to ESC after the loader cleaned the text.
        let (_, links) = number_links("[x](javascript:alert\\(1\\)) [y](https://a.org/&#27;[2J)");
        assert_eq!(links[0].url, "javascript:alert(1)");
        assert_eq!(links[1].url, "https://a.org/\u{241b}[2J");
    }

    #[test]
    fn numbers_are_styled_where_they_stand() {
        let mut lines = vec![Line::from(vec![
            Span::raw("see docs\u{E000}1\u{E001} and"),
            Span::raw(" more\u{E000}12\u{E001}"),
        ])];
        let style = Style::new().underlined();
        style_numbers(&mut lines, style);
        let pieces: Vec<(String, bool)> = lines[0]
            .spans
            .iter()
            .map(|s| (s.content.to_string(), s.style == style))
            .collect();
        assert_eq!(
            pieces,
            [
                ("see docs".into(), false),
                ("[1]".into(), true),
                (" and".into(), false),
                (" more".into(), false),
                ("[12]".into(), true),
            ]
        );
    }
}
