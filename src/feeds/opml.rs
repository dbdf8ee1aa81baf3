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
        out.push_str("    ");
        out.push_str(&outline(feed));
        out.push('\n');
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

/// Adds `new` feeds to the list in the library, holding its writer lock: the list as it is on
/// disk (read again under the lock, so another writer's change is kept) gains one outline a
/// feed before its `</body>`, everything else in it (folders, comments, the owner, its line
/// ends) kept as the user has it. A list that is not there yet is written whole.
pub fn add(lock: &LibraryLock, new: &[Feed]) -> Result<(), WriteError> {
    let path = super::opml_path(lock.library());
    let text = read_text(&path)?;
    let updated = match text
        .as_deref()
        .and_then(|t| t.rfind("</body>").map(|at| (t, at)))
    {
        Some((text, at)) => {
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            // Indented as the outline before it is.
            let indent = text[..at]
                .rfind("<outline")
                .map(|o| {
                    let line_start = text[..o].rfind('\n').map_or(0, |n| n + 1);
                    text[line_start..o].to_string()
                })
                .filter(|i| i.trim().is_empty())
                .unwrap_or_else(|| "    ".into());
            let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let before_body = if text[line_start..at].trim().is_empty() {
                line_start
            } else {
                at
            };
            let mut out = String::with_capacity(text.len() + new.len() * 120);
            out.push_str(&text[..before_body]);
            if !out.ends_with('\n') && !out.is_empty() {
                out.push_str(eol);
            }
            for feed in new {
                out.push_str(&indent);
                out.push_str(&outline(feed));
                out.push_str(eol);
            }
            out.push_str(&text[before_body..]);
            out
        }
        None => {
            // No list yet (or not one Quire can add to by hand): written whole, with what a
            // readable list held.
            let mut feeds = text
                .as_deref()
                .and_then(|t| parse(t).ok())
                .unwrap_or_default();
            feeds.extend(new.iter().cloned());
            render(&feeds)
        }
    };
    lock.write(&path, updated.as_bytes())
}

/// Removes the outlines of the feeds `gone` says of their url from the list in the library,
/// holding its writer lock; everything else in it is kept as it is. Returns how many went.
pub fn remove(lock: &LibraryLock, gone: impl Fn(&str) -> bool) -> Result<usize, WriteError> {
    let path = super::opml_path(lock.library());
    let Some(text) = read_text(&path)? else {
        return Ok(0);
    };
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut reader = Reader::from_str(&text);
    // An outline holding others (a folder) is never removed whole: only feeds are.
    loop {
        let start = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::Empty(tag)) if tag.local_name().as_ref() == "outline" => {
                let url = tag.attributes().flatten().find_map(|a| {
                    matches!(a.key.local_name().as_ref(), "xmlUrl" | "xmlurl").then(|| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default()
                    })
                });
                if url.is_some_and(|u| gone(&u)) {
                    cuts.push(start..reader.buffer_position() as usize);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    if cuts.is_empty() {
        return Ok(0);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for cut in &cuts {
        // The whole line goes when the outline was all it held.
        let line_start = text[..cut.start].rfind('\n').map_or(0, |n| n + 1);
        let line_end = text[cut.end..]
            .find('\n')
            .map_or(text.len(), |n| cut.end + n + 1);
        let alone = text[line_start..cut.start].trim().is_empty()
            && text[cut.end..line_end].trim().is_empty();
        let (from, to) = if alone {
            (line_start, line_end)
        } else {
            (cut.start, cut.end)
        };
        if from < at {
            continue;
        }
        out.push_str(&text[at..from]);
        at = to;
    }
    out.push_str(&text[at..]);
    lock.write(&path, out.as_bytes())?;
    Ok(cuts.len())
}

fn read_text(path: &Path) -> Result<Option<String>, WriteError> {
    crate::writer::read_own(path, 64 * 1024 * 1024)
        .map(|bytes| bytes.map(|b| String::from_utf8_lossy(&b).into_owned()))
        .map_err(|error| WriteError::Io {
            path: path.to_path_buf(),
            error,
        })
}

/// One feed's outline.
fn outline(feed: &Feed) -> String {
    let mut out = format!(
        "<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"",
        escape(&feed.url),
        t = escape(&feed.title)
    );
    if let Some(site) = &feed.site {
        out.push_str(&format!(" htmlUrl=\"{}\"", escape(site)));
    }
    out.push_str("/>");
    out
}

/// Whether `url` may be subscribed to: `http` or `https` only, whether typed or listed in an
/// OPML file (a `file:`, `javascript:` or `-o…` entry is refused, saying why).
pub fn check_url(url: &str) -> Result<(), &'static str> {
    let lower = url.trim().to_ascii_lowercase();
    // No blank or control inside: an address with a line break in it is two things.
    if url
        .trim()
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err("not a web address (it holds a blank or a control character)");
    }
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
