//! A feed entry → a post file: TOML front matter (title, date, authors, url, tags, the feed's
//! title, the entry's id, and a hash of the body as written) and the entry's HTML as markdown.
//!
//! The hash is how a later sync tells the user's edits from the feed's: a file whose body no
//! longer hashes to its `hash` was edited, and is never overwritten.

use feed_rs::model::{Entry, Text};

use crate::content::id::{fnv1a, slugify};
use crate::text::{decode_entities, html_to_plain as plain, sanitize, sanitize_line};

/// A post ready to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: String,
    /// `YYYY-MM-DD-slug.md` (or `slug.md` without a date).
    pub file_name: String,
    pub text: String,
    /// The body's hash, as in the front matter.
    pub hash: String,
}

/// The post for `entry` of the feed titled `feed`.
pub fn post(feed: &str, entry: &Entry) -> Post {
    let title = entry
        .title
        .as_ref()
        .map(plain_text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Untitled".to_string());
    let date = entry
        .published
        .or(entry.updated)
        .map(|d| d.format("%Y-%m-%d").to_string());
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| sanitize_line(&l.href));
    let authors: Vec<String> = entry
        .authors
        .iter()
        .filter_map(|a| a.name.as_deref().map(sanitize_line))
        .filter(|a| !a.trim().is_empty())
        .collect();
    let tags: Vec<String> = entry
        .categories
        .iter()
        .map(|c| sanitize_line(c.label.as_deref().unwrap_or(&c.term)))
        .filter(|t| !t.trim().is_empty())
        .collect();
    let body = body(entry, url.as_deref());
    let hash = body_hash(&body);

    let mut front = String::from("+++\n");
    let mut field = |key: &str, value: String| front.push_str(&format!("{key} = {value}\n"));
    field("title", quoted(&title));
    if let Some(date) = &date {
        field("date", date.clone());
    }
    if !authors.is_empty() {
        field("authors", list(&authors));
    }
    if let Some(url) = &url {
        field("url", quoted(url));
    }
    if !tags.is_empty() {
        field("tags", list(&tags));
    }
    field("feed", quoted(&sanitize_line(feed)));
    field("id", quoted(&sanitize_line(&entry.id)));
    field("hash", quoted(&hash));
    front.push_str("+++\n");

    let mut slug = slugify(&title);
    if slug.is_empty() {
        slug = slugify(&entry.id);
    }
    if slug.is_empty() {
        slug = "entry".into();
    }
    let file_name = match &date {
        Some(date) => format!("{date}-{slug}.md"),
        None => format!("{slug}.md"),
    };
    Post {
        id: sanitize_line(&entry.id),
        file_name,
        text: format!("{front}\n{body}"),
        hash,
    }
}

/// The hash a post's body is kept under.
pub fn body_hash(body: &str) -> String {
    format!("{:016x}", fnv1a(body.trim().as_bytes()))
}

/// (id, hash written, whether the body still hashes to it) of a post file this sync wrote.
pub fn read_back(text: &str) -> Option<(String, String, bool)> {
    let rest = text.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    let front: toml::Table = toml::from_str(&rest[..end]).ok()?;
    let body = &rest[end + 5..];
    let id = front.get("id")?.as_str()?.to_string();
    let hash = front.get("hash")?.as_str()?.to_string();
    let untouched = body_hash(body) == hash;
    Some((id, hash, untouched))
}

/// The entry's text as markdown: its content, else its summary; links and images relative to
/// the entry's page made absolute, so they open from the library.
fn body(entry: &Entry, page: Option<&str>) -> String {
    let html = entry
        .content
        .as_ref()
        .and_then(|c| {
            c.body
                .clone()
                .map(|b| (b, c.content_type.essence().to_string()))
        })
        .or_else(|| {
            entry
                .summary
                .as_ref()
                .map(|s| (s.content.clone(), s.content_type.essence().to_string()))
        });
    match html {
        Some((text, kind)) if kind.contains("html") || looks_like_html(&text) => {
            let text = match page.and_then(|p| url::Url::parse(p).ok()) {
                Some(base) => absolute_links(&text, &base),
                None => text,
            };
            sanitize(&html_to_markdown(&text)).trim().to_string()
        }
        Some((text, _)) => sanitize(&text).trim().to_string(),
        None => String::new(),
    }
}

/// `href` and `src` values made absolute against `base`.
fn absolute_links(html: &str, base: &url::Url) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = find_attribute(rest) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let eq = after.find('=').map_or(after.len(), |e| e + 1);
        out.push_str(&after[..eq]);
        let value = &after[eq..];
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            rest = value;
            continue;
        };
        let end = value[1..].find(quote).map_or(value.len(), |e| e + 1);
        let raw = &value[1..end];
        let decoded = decode_entities(raw);
        let joined = if decoded.contains("://") || decoded.starts_with('#') || decoded.is_empty() {
            raw.to_string()
        } else {
            base.join(&decoded)
                .map_or(raw.to_string(), |u| u.to_string())
        };
        out.push(quote);
        out.push_str(&joined);
        rest = &value[end..];
    }
    out.push_str(rest);
    out
}

/// Where the next ` href=` or ` src=` starts (its name).
fn find_attribute(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    ["href=", "src="]
        .iter()
        .filter_map(|name| {
            let mut from = 0;
            while let Some(i) = lower[from..].find(name).map(|i| from + i) {
                if lower[..i].ends_with(|c: char| c.is_whitespace()) {
                    return Some(i);
                }
                from = i + name.len();
            }
            None
        })
        .min()
}

fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('<') && t.contains('>')
}

/// HTML → markdown with `htmd`: paragraphs, lists, code, links, emphasis, quotes, tables and
/// images kept; scripts, styles, frames, forms and 1×1 tracking images dropped.
pub fn html_to_markdown(html: &str) -> String {
    use htmd::element_handler::Handlers;
    use htmd::{Element, HtmlToMarkdown};
    let converter = HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "iframe", "noscript", "form", "object", "embed", "svg",
        ])
        .add_handler(vec!["img"], |handlers: &dyn Handlers, element: Element| {
            let tiny = element.attrs.iter().any(|a| {
                let name: &str = &a.name.local;
                (name == "width" || name == "height")
                    && a.value.trim().parse::<u32>().is_ok_and(|n| n <= 1)
            });
            if tiny {
                None
            } else {
                handlers.fallback(element)
            }
        })
        .build();
    converter.convert(html).unwrap_or_else(|_| plain(html))
}

fn plain_text(text: &Text) -> String {
    sanitize_line(&plain(&text.content)).trim().to_string()
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>
        <item><title>First &amp; best</title><link>https://blog.example/first</link>
        <guid>urn:first</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>
        <category>rust</category><author>ann@example.org (Ann)</author>
        <description><![CDATA[<p>Hello <b>world</b>.</p><script>alert(1)</script>
        <img src="https://t.example/pixel.gif" width="1" height="1">
        <img src="https://blog.example/chart.png" alt="Chart">
        <img src="/img/rel.png" alt="Rel"> <a href="../about?a=1&amp;b=2">about</a>
        <pre><code>let x = 1;</code></pre><ul><li>one</li><li>two</li></ul>
        <p>Evil &#x1b;]0;pwned&#x7; text</p>]]></description></item>
        </channel></rss>"#;

    #[test]
    fn an_entry_becomes_a_post_that_quire_reads() {
        let feed = feed_rs::parser::parse(RSS.as_bytes()).expect("parses");
        let post = post("Blog", &feed.entries[0]);
        assert_eq!(post.file_name, "2026-11-02-first-best.md");
        let text = &post.text;
        assert!(text.contains("title = \"First & best\""), "{text}");
        assert!(text.contains("date = 2026-11-02"), "{text}");
        assert!(
            text.contains("url = \"https://blog.example/first\""),
            "{text}"
        );
        assert!(text.contains("tags = [\"rust\"]"), "{text}");
        assert!(text.contains("id = \"urn:first\""), "{text}");
        assert!(text.contains("Hello **world**."), "{text}");
        assert!(
            text.contains("![Chart](https://blog.example/chart.png)"),
            "{text}"
        );
        assert!(
            text.contains("let x = 1;") && text.contains("one"),
            "{text}"
        );
        assert!(
            !text.contains("alert(1)") && !text.contains("pixel.gif"),
            "{text}"
        );
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        // Quire reads it as a post with those fields.
        let (doc, problems) = crate::content::document::parse_document(
            std::path::Path::new("feeds/blog/x.md"),
            std::path::Path::new("x.md"),
            text,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let crate::content::document::Document::Post(p) = doc else {
            panic!("a post")
        };
        assert_eq!(p.title, "First & best");
        assert_eq!(p.url.as_deref(), Some("https://blog.example/first"));
        // The hash tells an untouched file from an edited one.
        assert_eq!(
            read_back(text),
            Some(("urn:first".into(), post.hash.clone(), true))
        );
        let edited = text.replace("Hello", "Hi");
        assert_eq!(read_back(&edited).map(|r| r.2), Some(false));
    }
}
