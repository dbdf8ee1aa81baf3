//! The Netscape bookmark file every browser exports (`bookmarks.html`): `<DT><H3>` names a
//! folder whose `<DL>` follows, `<DT><A HREF ADD_DATE TAGS>` is a link, `<DD>` describes the
//! link before it. The format is old and loosely written (unclosed `<DT>` and `<p>`, upper or
//! lower case), so it is read tag by tag rather than as a document tree.

use super::{Export, Folder, Format, Link, Node, ParseError};
use crate::content::Date;
use crate::text::{decode_entities, html_to_plain as plain};

pub fn is_netscape(start: &str) -> bool {
    let lower = start.to_ascii_lowercase();
    lower.contains("<!doctype netscape-bookmark-file")
        || (lower.contains("<dl") && lower.contains("<dt") && lower.contains("href="))
}

/// Folders nest no deeper than this.
const MAX_DEPTH: usize = 200;

pub fn parse(text: &str) -> Result<Export, ParseError> {
    let mut stack: Vec<Folder> = Vec::new();
    // The top `<DL>`'s own links; they belong to a root named after the `<H1>` (Firefox:
    // "Bookmarks Menu") or, for Chrome's export, to "Other bookmarks".
    let mut title: Option<String> = None;
    let mut pending: Option<String> = None;
    // Whether the folder being named is a root of its own (the toolbar, "Other Bookmarks"):
    // Chrome and Firefox put every other top folder inside the top list's own root.
    let mut pending_root = false;
    let mut root_flags: Vec<bool> = Vec::new();
    let mut roots: Vec<Folder> = Vec::new();
    let mut top = Folder::default();
    let mut last_link: Option<(usize, usize)> = None; // (depth, index) of the latest link
    let mut tags = Tags::new(text);
    while let Some(tag) = tags.next_tag() {
        match tag.name.as_str() {
            "h1" => title = Some(tags.text_until("h1")),
            "h3" if !tag.closing => {
                pending_root = tag.attribute("personal_toolbar_folder").is_some()
                    || tag.attribute("unfiled_bookmarks_folder").is_some();
                pending = Some(tags.text_until("h3"));
            }
            "dl" if !tag.closing => {
                if stack.len() > MAX_DEPTH {
                    return Err(ParseError(format!(
                        "line {}: folders nested more than {MAX_DEPTH} deep",
                        tags.line()
                    )));
                }
                let name = pending.take();
                root_flags.push(std::mem::take(&mut pending_root));
                if stack.is_empty() && name.is_none() && top.children.is_empty() {
                    // The outermost list: its folders are the roots.
                    stack.push(Folder {
                        name: String::new(),
                        children: Vec::new(),
                    });
                } else {
                    stack.push(Folder {
                        name: name.unwrap_or_default(),
                        children: Vec::new(),
                    });
                }
                last_link = None;
            }
            "dl" => {
                let Some(done) = stack.pop() else { continue };
                let is_root = root_flags.pop().unwrap_or(false);
                close(done, is_root, &mut stack, &mut roots, &mut top);
                last_link = None;
            }
            "a" if !tag.closing => {
                let title = tags.text_until("a");
                let link = Link {
                    title,
                    url: tag.attribute("href").unwrap_or_default(),
                    added: tag
                        .attribute("add_date")
                        .and_then(|d| d.trim().parse::<i64>().ok())
                        .and_then(seconds_or_micros),
                    description: None,
                    tags: tag
                        .attribute("tags")
                        .unwrap_or_default()
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from)
                        .collect(),
                };
                let depth = stack.len();
                let folder = match stack.last_mut() {
                    Some(folder) => folder,
                    None => &mut top,
                };
                folder.children.push(Node::Link(link));
                last_link = Some((depth, folder.children.len() - 1));
            }
            "dd" => {
                let description = tags.text_until_tag();
                let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
                if let (Some((depth, index)), false) = (last_link, description.is_empty())
                    && depth == stack.len()
                {
                    let folder = match stack.last_mut() {
                        Some(folder) => folder,
                        None => &mut top,
                    };
                    if let Some(Node::Link(link)) = folder.children.get_mut(index) {
                        link.description = Some(description);
                    }
                }
            }
            _ => {}
        }
    }
    // Lists never closed (a file cut short): what was read still counts.
    while let Some(done) = stack.pop() {
        let is_root = root_flags.pop().unwrap_or(false);
        close(done, is_root, &mut stack, &mut roots, &mut top);
    }
    if !top.children.is_empty() {
        top.name = match title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() && !t.eq_ignore_ascii_case("bookmarks") => t.to_string(),
            _ => "Other bookmarks".to_string(),
        };
        // Firefox lists its menu's links first; Chrome its "other" ones last.
        if top.name == "Other bookmarks" {
            roots.push(top);
        } else {
            roots.insert(0, top);
        }
    }
    if roots.is_empty() {
        return Err(ParseError(
            "bookmarks HTML without any folder or link".into(),
        ));
    }
    Ok(Export {
        format: Format::NetscapeHtml,
        roots,
    })
}

/// A list closed: a folder goes into its parent; in the outermost list, the toolbar and
/// "Other Bookmarks" are roots, and everything else there (links and folders) belongs to the
/// top list's own root (Firefox's menu, Chrome's "Other bookmarks").
fn close(
    done: Folder,
    is_root: bool,
    stack: &mut [Folder],
    roots: &mut Vec<Folder>,
    top: &mut Folder,
) {
    match stack.len() {
        0 => top.children.extend(done.children),
        1 if is_root => roots.push(done),
        _ => {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(Node::Folder(done));
            }
        }
    }
}

/// `ADD_DATE` is seconds since 1970; a few tools write microseconds.
fn seconds_or_micros(n: i64) -> Option<Date> {
    if n <= 0 {
        None
    } else if n > 100_000_000_000 {
        Date::from_unix_seconds(n / 1_000_000)
    } else {
        Date::from_unix_seconds(n)
    }
}

struct Tag {
    name: String,
    closing: bool,
    attributes: String,
}

impl Tag {
    /// An attribute's value, entities decoded; names in any case, values quoted or not.
    fn attribute(&self, wanted: &str) -> Option<String> {
        let mut rest = self.attributes.as_str();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                return None;
            }
            let name_end = rest
                .find(|c: char| c == '=' || c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let name = &rest[..name_end];
            rest = rest[name_end..].trim_start();
            let value = if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (value, next) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &after[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], &body[(end + 1).min(body.len())..])
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                rest = next;
                Some(value)
            } else {
                if name.is_empty() {
                    rest = rest.get(1..).unwrap_or_default();
                }
                None
            };
            if name.eq_ignore_ascii_case(wanted) {
                return Some(decode_entities(value.unwrap_or_default()));
            }
        }
    }
}

/// Tags and text in order, as the file has them.
struct Tags<'t> {
    text: &'t str,
    /// The text lowercased once (ASCII only, so offsets agree): tag names are found in it
    /// without lowercasing the rest of the file at every tag.
    lower: String,
    at: usize,
}

impl<'t> Tags<'t> {
    fn new(text: &'t str) -> Tags<'t> {
        Tags {
            text,
            lower: text.to_ascii_lowercase(),
            at: 0,
        }
    }

    fn line(&self) -> usize {
        crate::content::diagnostic::line_of(self.text, self.at)
    }

    fn next_tag(&mut self) -> Option<Tag> {
        loop {
            let start = self.at + self.text[self.at..].find('<')?;
            let rest = &self.text[start..];
            if rest.starts_with("<!--") {
                self.at = start + rest.find("-->").map_or(rest.len(), |e| e + 3);
                continue;
            }
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            self.at = start + end;
            let inner = rest[1..end].trim_end_matches('>');
            let (closing, inner) = match inner.strip_prefix('/') {
                Some(inner) => (true, inner),
                None => (false, inner),
            };
            let name_end = inner
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(inner.len());
            if name_end == 0 {
                continue; // `<!DOCTYPE …>`, a stray `<`
            }
            return Some(Tag {
                name: inner[..name_end].to_ascii_lowercase(),
                closing,
                attributes: inner[name_end..].to_string(),
            });
        }
    }

    /// The text up to `</name>` (tags inside it dropped), entities decoded, blanks collapsed.
    /// A missing close tag (a file cut short, or sloppy) ends the text at the next tag that
    /// starts an entry or a list, so each tag's search stops where the next one begins: one
    /// pass over the file in all.
    fn text_until(&mut self, name: &str) -> String {
        let lower = &self.lower[self.at..];
        let mut end = lower.len();
        let mut closed = None;
        let mut from = 0;
        while let Some(open) = lower[from..].find('<').map(|i| from + i) {
            let tag = &lower[open + 1..];
            if let Some(rest) = tag.strip_prefix('/')
                && rest.starts_with(name)
                && !rest[name.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
            {
                end = open;
                closed = Some(
                    open + lower[open..]
                        .find('>')
                        .map_or(lower.len() - open, |e| e + 1),
                );
                break;
            }
            if ["dt", "dl", "/dl", "dd", "h3", "/h3", "h1"]
                .iter()
                .any(|t| {
                    tag.starts_with(t)
                        && !tag[t.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
                })
            {
                end = open;
                break;
            }
            from = open + 1;
        }
        let inner = &self.text[self.at..self.at + end];
        self.at += closed.unwrap_or(end);
        plain(inner)
    }

    /// The text up to the next tag (a `<DD>`'s description).
    fn text_until_tag(&mut self) -> String {
        let rest = &self.text[self.at..];
        let end = rest.find('<').unwrap_or(rest.len());
        self.at += end;
        plain(&rest[..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIREFOX: &str = r#"<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><A HREF="https://www.mozilla.org/" ADD_DATE="1700000000" TAGS="moz,web">Mozilla &amp; friends</A>
    <DD>The &lt;Mozilla&gt; site
    <DT><H3 ADD_DATE="1" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>
    <DL><p>
        <DT><A HREF='https://example.org/a?b=1&amp;c=2'>Quoted 'single'</A>
        <DT><H3>Sub</H3>
        <DL><p>
            <DT><A HREF=https://example.org/unquoted>Unquoted</A>
        </DL><p>
    </DL><p>
</DL>
"#;

    #[test]
    fn folders_links_descriptions_tags_and_dates() {
        let export = parse(FIREFOX).expect("parses");
        let names: Vec<&str> = export.roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Bookmarks Menu", "Bookmarks Toolbar"]);
        let Node::Link(moz) = &export.roots[0].children[0] else {
            panic!("a link")
        };
        assert_eq!(moz.title, "Mozilla & friends");
        assert_eq!(moz.description.as_deref(), Some("The <Mozilla> site"));
        assert_eq!(moz.tags, ["moz", "web"]);
        assert_eq!(moz.added, Date::new(2023, 11, 14));
        let toolbar = &export.roots[1];
        let Node::Link(quoted) = &toolbar.children[0] else {
            panic!("a link")
        };
        assert_eq!(quoted.url, "https://example.org/a?b=1&c=2");
        let Node::Folder(sub) = &toolbar.children[1] else {
            panic!("a folder")
        };
        assert!(
            matches!(&sub.children[0], Node::Link(l) if l.url == "https://example.org/unquoted")
        );
    }

    #[test]
    fn a_file_cut_short_keeps_what_was_read_and_nonsense_is_refused() {
        let cut = &FIREFOX[..FIREFOX.find("<DT><H3>Sub").expect("there")];
        let export = parse(cut).expect("parses what is there");
        assert_eq!(export.roots.len(), 2);
        assert!(parse("<html><body>hello</body></html>").is_err());
    }
}
