//! The subscription list as OPML 2.0, the format every feed reader imports and exports: one
//! `<outline type="rss" xmlUrl=…>` per feed. Reading takes the outlines of any OPML (folders
//! are flattened); writing is atomic.

use std::path::Path;

use quick_xml::Reader;

use crate::writer::{LibraryLock, WriteError};
use quick_xml::events::Event;

/// One subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// The feed's own url (what is fetched).
    pub url: String,
    pub title: String,
    /// The site it belongs to, when known.
    pub site: Option<String>,
}

/// The feeds of an OPML document, in order; a broken document is an error naming the byte.
pub fn parse(text: &str) -> Result<Vec<Feed>, String> {
    let mut reader = Reader::from_str(text);
    let mut feeds = Vec::new();
    loop {
        let at = reader.buffer_position();
        match reader.read_event() {
            Ok(Event::Start(tag) | Event::Empty(tag)) if tag.local_name().as_ref() == "outline" => {
                let mut feed = Feed {
                    url: String::new(),
                    title: String::new(),
                    site: None,
                };
                let mut text = String::new();
                for attribute in tag.attributes().flatten() {
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match attribute.key.local_name().as_ref() {
                        "xmlUrl" | "xmlurl" => feed.url = value,
                        "title" => feed.title = value,
                        "text" => text = value,
                        "htmlUrl" | "htmlurl" => feed.site = Some(value).filter(|s| !s.is_empty()),
                        _ => {}
                    }
                }
                if feed.title.is_empty() {
                    feed.title = text;
                }
                if !feed.url.trim().is_empty() {
                    feeds.push(feed);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => return Err(format!("byte {at}: not valid OPML ({err})")),
        }
    }
    Ok(feeds)
}

/// The list as an OPML document.
pub fn render(feeds: &[Feed]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
         <title>Quire subscriptions</title>\n  </head>\n  <body>\n",
    );
    for feed in feeds {
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"",
            escape(&feed.url),
            t = escape(&feed.title)
        ));
        if let Some(site) = &feed.site {
            out.push_str(&format!(" htmlUrl=\"{}\"", escape(site)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The subscriptions in `path`; none when it does not exist yet.
pub fn load(path: &Path) -> Result<Vec<Feed>, String> {
    match crate::writer::read_own(path, 64 * 1024 * 1024) {
        Ok(Some(bytes)) => parse(&String::from_utf8_lossy(&bytes))
            .map_err(|err| format!("{}: {err}", path.display())),
        Ok(None) => Ok(Vec::new()),
        Err(err) => Err(format!("cannot read {}: {err}", path.display())),
    }
}

/// Writes the list atomically, holding the library's writer lock (read it again under the
/// same lock before changing it, so another writer's change is kept).
pub fn save(lock: &LibraryLock, feeds: &[Feed]) -> Result<(), WriteError> {
    lock.write(&super::opml_path(lock.library()), render(feeds).as_bytes())
}

/// Whether `url` may be subscribed to: `http` or `https` only, whether typed or listed in an
/// OPML file (a `file:`, `javascript:` or `-o…` entry is refused, saying why).
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let lower = url.trim().to_ascii_lowercase();
    let web = (lower.starts_with("http://") || lower.starts_with("https://"))
        && lower.split_once("://").is_some_and(|(_, rest)| {
            rest.split(['/', '?', '#'])
                .next()
                .is_some_and(|host| !host.is_empty())
        });
    if web {
        Ok(())
    } else {
        Err("not a web address; give it with http:// or https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_written_reads_back_and_other_readers_lists_read() {
        let feeds = vec![
            Feed {
                url: "https://blog.example/feed.xml?a=1&b=2".into(),
                title: "A \"quoted\" <blog>".into(),
                site: Some("https://blog.example/".into()),
            },
            Feed {
                url: "https://other.example/atom".into(),
                title: "Other".into(),
                site: None,
            },
        ];
        assert_eq!(parse(&render(&feeds)).expect("parses"), feeds);
        // newsboat's and others' exports: folders of outlines, `text` without `title`.
        let theirs = r#"<?xml version="1.0"?><opml version="1.0"><body>
            <outline text="Tech"><outline text="LWN" type="rss" xmlUrl="https://lwn.net/headlines/rss"/></outline>
            <outline text="not a feed"/></body></opml>"#;
        let read = parse(theirs).expect("parses");
        assert_eq!(read.len(), 1);
        assert_eq!(
            (read[0].title.as_str(), read[0].url.as_str()),
            ("LWN", "https://lwn.net/headlines/rss")
        );
        assert!(parse("<opml><body><outline xmlUrl=\"x\"></body>").is_err());
    }
}
