//! A site's page names its feeds: `<link rel="alternate" type="application/rss+xml" href=…>`.

use url::Url;

/// The feeds a page advertises, as absolute urls, in the page's order.
pub fn feed_links(html: &str, page: &str) -> Vec<String> {
    let base = Url::parse(page).ok();
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<link").map(|i| at + i) {
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        let tag = &html[start..end];
        let tag_lower = &lower[start..end];
        at = end;
        let is_feed = attribute(tag, tag_lower, "rel").is_some_and(|rel| {
            rel.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("alternate"))
        }) && attribute(tag, tag_lower, "type").is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("rss") || t.contains("atom") || t.contains("feed+json")
        });
        if !is_feed {
            continue;
        }
        let Some(href) = attribute(tag, tag_lower, "href") else {
            continue;
        };
        let href = crate::text::decode_entities(&href);
        let absolute = match &base {
            Some(base) => base.join(&href).map(|u| u.to_string()).unwrap_or(href),
            None => href,
        };
        if !found.contains(&absolute) {
            found.push(absolute);
        }
    }
    found
}

fn attribute(tag: &str, lower: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before = lower[..i].chars().last();
        if !before.is_some_and(|c| c.is_whitespace()) {
            continue;
        }
        let rest = lower[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let value_at = tag.len() - rest.trim_start().len();
        let raw = &tag[value_at..];
        return Some(match raw.chars().next() {
            Some(q @ ('"' | '\'')) => raw[1..].split(q).next().unwrap_or("").to_string(),
            _ => raw
                .split(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .next()
                .unwrap_or("")
                .to_string(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_feeds() {
        let html = r#"<html><head><link rel="stylesheet" href="/s.css">
            <LINK REL="alternate" TYPE="application/rss+xml" title="RSS" HREF="/feed.xml?a=1&amp;b=2">
            <link rel='alternate' type='application/atom+xml' href='https://other.example/atom'/>
            <link rel="alternate" hreflang="fr" href="/fr/"></head></html>"#;
        assert_eq!(
            feed_links(html, "https://blog.example/posts/"),
            [
                "https://blog.example/feed.xml?a=1&b=2",
                "https://other.example/atom"
            ]
        );
        assert!(feed_links("<p>no feeds</p>", "https://x.example/").is_empty());
    }
}
