//! A feed entry → a post file: TOML front matter (title, date, authors, url, tags, the feed's
//! title, the entry's id, and a hash of the body as written) and the entry's HTML as markdown.
//!
//! The hash is how a later sync tells the user's edits from the feed's: a file whose body no
//! longer hashes to its `hash` was edited, and is never overwritten.

use feed_rs::model::{Entry, Text};

use crate::content::html::{html_to_markdown, is_web};
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
    /// The entry had no id of its own (no guid, no link): its id was made from its content,
    /// so a post with that id is this very entry and is never updated.
    pub generated: bool,
}

/// The post for `entry` of the feed titled `feed`.
/// `base` is the feed's own page, for links in entries that have none.
pub fn post(feed: &str, entry: &Entry, base: Option<&str>) -> Post {
    // Only a web address is the post's url (`o` opens it, `show` prints it): a feed's
    // `javascript:` link is none.
    let url = entry
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(entry.links.first())
        .map(|l| sanitize_line(&l.href))
        .filter(|href| is_web(href) && !href.to_ascii_lowercase().starts_with("mailto:"));
    let body = body(entry, url.as_deref().or(base));
    let title = entry
        .title
        .as_ref()
        .map(plain_text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| untitled(&body));
    // TOML dates have four-digit years: a feed's year 10000 (9999-12-31 at a negative
    // offset) or 0 would make the post unreadable; such a date says nothing anyway.
    const YEARS_1_TO_9999: std::ops::RangeInclusive<i64> = -62_135_596_800..=253_402_300_799;
    let date = entry
        .published
        .or(entry.updated)
        .filter(|d| YEARS_1_TO_9999.contains(&d.timestamp()))
        .map(|d| d.format("%Y-%m-%d").to_string());
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
    let hash = file_hash(&front, &body);
    front.push_str(&format!("hash = {}\n", quoted(&hash)));
    front.push_str("+++\n");

    let mut slug = slugify(&title);
    if slug.is_empty() {
        slug = slugify(&entry.id);
    }
    // `index.md` and `_index.md` mean a page bundle and a folder's title to the loader.
    if slug.is_empty() || matches!(slug.as_str(), "index" | "readme") {
        slug = format!("entry-{slug}").trim_end_matches('-').to_string();
    }
    let slug = cut_bytes(&slug, MAX_SLUG_BYTES).trim_end_matches('-');
    let file_name = match &date {
        Some(date) => format!("{date}-{slug}.md"),
        None => format!("{slug}.md"),
    };
    Post {
        id: sanitize_line(&entry.id),
        file_name,
        text: format!("{front}\n{body}\n"),
        hash,
        generated: entry.id.starts_with(GENERATED),
    }
}

/// Bytes of a title's slug kept in a file name: with the date, a `-N` suffix and the writer's
/// temp-file marks the name stays far below the 255 bytes file systems allow (a non-Latin
/// title takes two to four bytes a letter).
const MAX_SLUG_BYTES: usize = 120;

/// `text` cut to at most `max` bytes, at a character boundary.
pub fn cut_bytes(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The start of an id Quire made from an entry's content (see [`generated_id`]).
pub const GENERATED: &str = "quire:c:";

/// An id for an entry that has no guid and no link: made from everything it says (title,
/// dates and text), so two "Status update" entries of different days are two posts, and the
/// same entry gets the same id at every sync. (An entry with a link but no guid is known by
/// its link and title, see `sync::parse`.)
pub fn generated_id(entry: &Entry) -> String {
    let mut all = String::new();
    for text in [entry.title.as_ref(), entry.summary.as_ref()]
        .into_iter()
        .flatten()
    {
        all.push_str(&text.content);
        all.push('\n');
    }
    if let Some(body) = entry.content.as_ref().and_then(|c| c.body.as_deref()) {
        all.push_str(body);
    }
    all.push('\n');
    for date in [entry.published, entry.updated].into_iter().flatten() {
        all.push_str(&date.to_rfc3339());
        all.push('\n');
    }
    format!("{GENERATED}{:016x}", fnv1a(all.as_bytes()))
}

/// The hash a post is kept under: of its front matter (but the hash line) and its body, so an
/// edit anywhere in the file shows.
fn file_hash(front: &str, body: &str) -> String {
    let mut all = String::with_capacity(front.len() + body.len());
    all.push_str(front.trim());
    all.push('\n');
    all.push_str(body.trim());
    format!("{:016x}", fnv1a(all.as_bytes()))
}

/// (id, hash written, whether the file still hashes to it) of a post file a sync wrote.
pub fn read_back(text: &str) -> Option<(String, String, bool)> {
    let rest = text.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    let front_text = &rest[..end];
    let front: toml::Table = toml::from_str(front_text).ok()?;
    let body = &rest[end + 5..];
    let id = front.get("id")?.as_str()?.to_string();
    let hash = front.get("hash")?.as_str()?.to_string();
    let without_hash: String = front_text
        .lines()
        .filter(|l| !l.trim_start().starts_with("hash ="))
        .map(|l| format!("{l}\n"))
        .collect();
    let untouched = file_hash(&format!("+++\n{without_hash}"), body) == hash;
    Some((id, hash, untouched))
}

/// An entry without a title is named by its first words.
fn untitled(body: &str) -> String {
    let words: Vec<String> = body.split_whitespace().take(8).map(String::from).collect();
    if words.is_empty() {
        "Untitled".into()
    } else {
        format!("{}…", words.join(" "))
    }
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
    // Lowercased once (ASCII only, so byte offsets stay the same): one pass over the text,
    // however many links it holds.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut from = 0;
    // The next match of each name, searched again only once passed: one pass in all.
    let mut ahead: [Option<Option<usize>>; 2] = [None, None];
    loop {
        for (slot, name) in ahead.iter_mut().zip(NAMES) {
            if slot.is_none_or(|found| found.is_some_and(|at| at < from)) {
                *slot = Some(next_attribute(&lower, from, name));
            }
        }
        let Some((start, name_len)) = ahead
            .iter()
            .zip(NAMES)
            .filter_map(|(slot, name)| slot.flatten().map(|at| (at, name.len())))
            .min()
        else {
            break;
        };
        let value_at = start + name_len;
        out.push_str(&html[copied..value_at]);
        copied = value_at;
        from = value_at;
        let value = &html[value_at..];
        let Some(quote) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let end = value[1..].find(quote).map_or(value.len(), |e| e + 1);
        let raw = &value[1..end];
        let decoded = decode_entities(raw);
        let scheme = decoded.split_once(':').is_some_and(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        let joined = if scheme || decoded.starts_with('#') || decoded.is_empty() {
            raw.to_string()
        } else {
            base.join(&decoded)
                .map_or(raw.to_string(), |u| u.to_string())
        };
        out.push(quote);
        out.push_str(&joined);
        copied = value_at + end;
        from = copied;
    }
    out.push_str(&html[copied..]);
    out
}

/// The attributes whose urls are made absolute.
const NAMES: [&str; 2] = ["href=", "src="];

/// Where the next ` name=` (after a blank) starts, at or after `from` in lowercased HTML.
fn next_attribute(lower: &str, from: usize, name: &str) -> Option<usize> {
    let mut at = from;
    while let Some(i) = lower.get(at..)?.find(name).map(|i| at + i) {
        if lower[..i].ends_with(|c: char| c.is_whitespace()) {
            return Some(i);
        }
        at = i + name.len();
    }
    None
}

fn looks_like_html(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('<') && t.contains('>')
}

/// Titles longer than this are cut (a feed can say anything).
const MAX_TITLE: usize = 300;

fn plain_text(text: &Text) -> String {
    cut(sanitize_line(&plain(&text.content)).trim(), MAX_TITLE)
}

/// `text` cut to `max` characters, with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
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
    use crate::content::html::{MAX_HTML_DEPTH, html_depth};

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
        let post = post("Blog", &feed.entries[0], None);
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
            &Default::default(),
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

    #[test]
    fn html_nested_past_the_bound_becomes_its_text_even_on_a_small_stack() {
        // The bold is one level more.
        let within = "<div>".repeat(MAX_HTML_DEPTH - 1)
            + "kept <b>bold</b>"
            + &"</div>".repeat(MAX_HTML_DEPTH - 1);
        let lists = "<ul><li>".repeat(MAX_HTML_DEPTH / 2) + "in a list";
        let beyond = "<blockquote>".repeat(5000) + "<p>first</p><p>second</p>";
        // A sync converts on threads of the default 2 MiB stack; so does this.
        let converted = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                (
                    html_to_markdown(&within),
                    html_to_markdown(&lists),
                    html_to_markdown(&beyond),
                )
            })
            .expect("thread")
            .join()
            .expect("no overflow");
        assert!(converted.0.contains("kept **bold**"), "{}", converted.0);
        assert!(converted.1.contains("in a list"), "{}", converted.1);
        assert_eq!(converted.2, "first\n\nsecond");
        let depth = |html: &str| html_depth(html, 1000);
        assert_eq!(depth("<p>a<p>b<br><img src=x><div><span>c</span></div>"), 3);
        assert_eq!(depth("<!-- <div><div> --><div></div>"), 1);
        assert_eq!(depth("<ul><li>a<li>b<li>c</ul>"), 2);
        // What a parser nests, the count never undercounts (each was a way past it).
        assert_eq!(depth(&"<div/>".repeat(500)), 500, "`/>` opens a div");
        assert_eq!(
            depth(&"<div></x>".repeat(500)),
            500,
            "a stray end tag closes nothing"
        );
        assert_eq!(
            depth(&"<div><script></div></div></script>".repeat(300)),
            301,
            "end tags in a script's text are text"
        );
        assert!(depth(&"<DIV>".repeat(5000)) > MAX_HTML_DEPTH);
        for hostile in [
            "<div/>".repeat(5000),
            "<div></x>".repeat(5000),
            "<div><script></div></div></script>".repeat(3000),
        ] {
            let converted = std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || html_to_markdown(&hostile))
                .expect("thread")
                .join();
            assert!(converted.is_ok(), "no overflow");
        }
    }

    #[test]
    fn tables_nested_in_captions_are_converted_once_each() {
        // Each level once: converting a caption twice would be 2^40 conversions here.
        for th in ["", "<tr><th>h</th><td>v</td></tr>"] {
            let html = "<table><caption>".repeat(40) + "inner words" + th;
            let md = html_to_markdown(&html);
            assert!(md.contains("inner words"), "{md}");
        }
        // A table that is not a grid keeps its cells' words.
        let md = html_to_markdown("<table><tr><td>one long cell</td></tr></table>");
        assert!(md.contains("one long cell"), "{md}");
    }

    #[test]
    fn preformatted_text_is_code_and_an_alt_text_cannot_make_a_link() {
        let md = html_to_markdown(
            "<pre># not a heading\n```\n**not bold**</pre><p>after</p>\
             <img alt=\"a](javascript:alert(6))\" src=\"https://x.example/i.png\">",
        );
        assert!(
            md.contains("````\n# not a heading\n```\n**not bold**\n````"),
            "{md}"
        );
        let (_, links) = crate::render::links::number_links(&md);
        assert!(
            links.iter().all(|l| !l.url.contains("javascript")),
            "{links:?}\n{md}"
        );
    }

    #[test]
    fn a_date_past_year_9999_is_dropped_not_written() {
        let atom = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
            <id>urn:t</id><updated>2026-01-01T00:00:00Z</updated>
            <entry><id>urn:far</id><title>Far</title><updated>9999-12-31T23:00:00-05:00</updated></entry>
            </feed>"#;
        let feed = feed_rs::parser::parse(atom.as_bytes()).expect("parses");
        let post = post("T", &feed.entries[0], None);
        assert!(!post.text.contains("date ="), "{}", post.text);
        assert!(
            toml::from_str::<toml::Table>(
                post.text
                    .trim_start_matches("+++\n")
                    .split("+++")
                    .next()
                    .expect("front")
            )
            .is_ok()
        );
        assert_eq!(post.file_name, "far.md");
    }
}
