//! What an import adds, and the collection file with it added.
//!
//! Each browser folder is a heading (the roots at `##`, their folders one level down each; a
//! tree deeper than `######` puts the rest of its path in the last heading), each bookmark a
//! list item `- [Title](url) -- description <!-- added: YYYY-MM-DD; tags: a, b -->`. An
//! existing file is changed only by inserting lines: new bookmarks at the end of their
//! folder's own list, new folders at the end of their parent's section, so what the user
//! wrote (insights, edits, order) stays as it was, byte for byte.

use std::collections::{HashMap, HashSet};

use super::url::{Kind, normalize};
use super::{Export, Link, walk};
use crate::text::sanitize_line;

/// What an import of an export into a library would do.
#[derive(Debug, Default)]
pub struct Plan<'e> {
    /// New bookmarks, each with its folder path (root first), in the export's order.
    pub additions: Vec<(Vec<String>, &'e Link)>,
    /// Web pages already in the library (in any file).
    pub present: usize,
    /// Web pages the export holds more than once (the first is taken).
    pub repeated: usize,
    /// What is not a web page, by kind.
    pub skipped: Vec<(Kind, &'e Link)>,
}

impl Plan<'_> {
    /// "3 bookmarklets (javascript:), 1 browser page…" for the summary.
    pub fn skipped_summary(&self) -> Vec<(Kind, usize)> {
        let mut kinds: Vec<Kind> = self.skipped.iter().map(|(k, _)| *k).collect();
        kinds.sort();
        kinds.dedup();
        kinds
            .into_iter()
            .map(|k| (k, self.skipped.iter().filter(|(s, _)| *s == k).count()))
            .collect()
    }
}

/// Decides what is new: web pages whose url (normalised) is not in `known` nor earlier in
/// the export.
pub fn plan<'e>(export: &'e Export, known: &HashSet<String>) -> Plan<'e> {
    let mut plan = Plan::default();
    let mut seen = HashSet::new();
    walk(export, |path, link| {
        let kind = Kind::of(&link.url);
        if kind != Kind::Web {
            plan.skipped.push((kind, link));
            return;
        }
        let url = normalize(&written_url(&link.url));
        if known.contains(&url) {
            plan.present += 1;
        } else if !seen.insert(url) {
            plan.repeated += 1;
        } else {
            let mut path: Vec<String> = path.iter().map(|name| folder_name(name)).collect();
            // Headings stop at `######` (the roots at `##`): a deeper folder's path is named
            // in one heading, the same at every import.
            if path.len() > MAX_FOLDERS {
                let rest = path.split_off(MAX_FOLDERS - 1).join(" / ");
                path.push(rest);
            }
            plan.additions.push((path, link));
        }
    });
    plan
}

/// Folders a path keeps as headings: `##` to `######`.
const MAX_FOLDERS: usize = 5;

fn folder_name(name: &str) -> String {
    let name = sanitize_line(name);
    if name.trim().is_empty() {
        "Untitled folder".to_string()
    } else {
        name.trim().to_string()
    }
}

/// A new collection file's text before any bookmark: its front matter.
pub fn header(title: &str, description: &str) -> String {
    format!(
        "+++\ntitle = {}\nkind = \"bookmarks\"\ndescription = {}\n+++\n",
        toml_string(title),
        toml_string(description)
    )
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// `text` (a collection file) with `additions` inserted under their folders' headings. The
/// lines already there are kept byte for byte (their own line ends, CRLF or LF); new lines
/// take the file's line end.
pub fn merge(text: &str, additions: &[(Vec<String>, &Link)]) -> String {
    let raw: Vec<&str> = text.split_inclusive('\n').collect();
    let lines: Vec<&str> = raw
        .iter()
        .map(|l| {
            l.strip_suffix('\n')
                .map_or(*l, |l| l.strip_suffix('\r').unwrap_or(l))
        })
        .collect();
    let eol = line_end(text);
    let headings = Headings::read(&lines);
    // The folders to add, as a tree: each node's bookmarks, then its sub-folders, in order.
    let mut tree = Trie::default();
    for (path, link) in additions {
        tree.insert(path, link);
    }
    let mut inserts: Vec<(usize, Vec<String>)> = Vec::new();
    place(&tree, &mut Vec::new(), &headings, lines.len(), &mut inserts);
    inserts.sort_by_key(|(at, _)| *at);
    let mut grouped: Vec<(usize, Vec<String>)> = Vec::new();
    for (at, new) in inserts {
        match grouped.last_mut() {
            Some((last, lines)) if *last == at => {
                lines.push(String::new());
                lines.extend(new);
            }
            _ => grouped.push((at, new)),
        }
    }
    // One pass from the top: each original line as it was, each group of new lines before
    // the line it goes in front of.
    let mut out = String::with_capacity(text.len() + additions.len() * 100);
    let mut next = grouped.into_iter().peekable();
    for at in 0..=lines.len() {
        if let Some((_, mut new)) = next.next_if(|(g, _)| *g == at) {
            // A blank line between the new lines and what follows them, and before them
            // unless they continue a list of bullets (a tight list stays tight).
            if lines.get(at).is_some_and(|l| !l.trim().is_empty()) {
                new.push(String::new());
            }
            let after_bullet = at > 0
                && lines[at - 1].starts_with("- ")
                && new.first().is_some_and(|l| l.starts_with("- "));
            if at > 0 && !after_bullet && !lines[at - 1].trim().is_empty() {
                new.insert(0, String::new());
            }
            // The line before them may have had no line end (the file's last line).
            if at > 0 && !raw[at - 1].ends_with('\n') {
                out.push_str(eol);
            }
            for line in new {
                out.push_str(&line);
                out.push_str(eol);
            }
        }
        if let Some(line) = raw.get(at) {
            out.push_str(line);
        }
    }
    if !out.ends_with('\n') {
        out.push_str(eol);
    }
    out
}

/// The line end a file mostly uses: CRLF when most of its lines end so, else LF.
fn line_end(text: &str) -> &'static str {
    let lf = text.matches('\n').count();
    let crlf = text.matches("\r\n").count();
    if crlf * 2 > lf { "\r\n" } else { "\n" }
}

/// Finds where each part of `tree` goes: bookmarks of a folder whose heading exists at the end
/// of its own list; a folder without a heading, whole, at the end of its parent's section.
fn place(
    tree: &Trie<'_>,
    path: &mut Vec<String>,
    headings: &Headings,
    end_of_file: usize,
    inserts: &mut Vec<(usize, Vec<String>)>,
) {
    let here = headings.find(path);
    if !tree.links.is_empty()
        && let Some(heading) = here
    {
        let lines = tree.links.iter().map(|l| bullet(l)).collect();
        inserts.push((headings.list_end(heading), lines));
    }
    for (name, child) in &tree.children {
        path.push(heading_text(name));
        if headings.find(path).is_some() {
            place(child, path, headings, end_of_file, inserts);
        } else {
            let (at, level) = match here {
                Some(parent) => (headings.section_end(parent), headings.level(parent) + 1),
                None => (end_of_file, 2),
            };
            let mut lines = Vec::new();
            render(name, child, level, &mut lines);
            inserts.push((at, lines));
        }
        path.pop();
    }
}

/// A folder and everything in it as new lines: its heading, its bookmarks, its folders.
/// Headings stop at `######`: a folder deeper than that names its path from there in one
/// (`###### 4 / 5 / 6`).
fn render(text: &str, tree: &Trie<'_>, level: usize, out: &mut Vec<String>) {
    let at_bottom = level >= 6;
    if !at_bottom || !tree.links.is_empty() {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.push(format!(
            "{} {}",
            "#".repeat(level.min(6)),
            heading_text(text)
        ));
        if !tree.links.is_empty() {
            out.push(String::new());
            out.extend(tree.links.iter().map(|l| bullet(l)));
        }
    }
    for (name, child) in &tree.children {
        let text = if at_bottom {
            format!("{text} / {name}")
        } else {
            name.clone()
        };
        render(&text, child, (level + 1).min(6), out);
    }
}

/// A bookmark's title as it is written: its own, else its host and path.
pub fn title_of(link: &Link) -> String {
    let title = sanitize_line(&link.title).trim().to_string();
    if title.is_empty() {
        fallback_title(&link.url)
    } else {
        title
    }
}

/// A bookmark's list item.
pub fn bullet(link: &Link) -> String {
    let title = title_of(link);
    let mut line = format!("- [{}]({})", escape(&title), destination(&link.url));
    if let Some(description) = link.description.as_deref().map(sanitize_line)
        && !description.trim().is_empty()
    {
        line.push_str(" -- ");
        line.push_str(&escape(description.trim()));
    }
    let mut meta = Vec::new();
    if let Some(date) = link.added {
        meta.push(format!("added: {date}"));
    }
    let tags: Vec<String> = link
        .tags
        .iter()
        .map(|t| {
            sanitize_line(t)
                .replace([';', ',', '>'], " ")
                .replace("--", "-")
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .collect();
    if !tags.is_empty() {
        meta.push(format!("tags: {}", tags.join(", ")));
    }
    if !meta.is_empty() {
        line.push_str(&format!(" <!-- {} -->", meta.join("; ")));
    }
    line
}

/// A page without a title is named by its host and path.
fn fallback_title(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    sanitize_line(rest.trim_end_matches('/'))
}

/// The url as a collection holds it once written (and reads it back): the few characters no
/// url should hold percent-encoded. Compared in this form, an export's `…/u\v` is the same
/// bookmark as the `…/u%5Cv` an earlier import wrote.
pub fn written_url(url: &str) -> String {
    let mut clean = String::with_capacity(url.len());
    for c in url.trim().chars() {
        match c {
            '<' => clean.push_str("%3C"),
            '>' => clean.push_str("%3E"),
            '\\' => clean.push_str("%5C"),
            c if c.is_control() => clean.push_str(&format!("%{:02X}", c as u32 & 0xff)),
            c => clean.push(c),
        }
    }
    clean
}

/// The url as a link destination that reads back as the same string: in `<…>` when it holds
/// spaces or parentheses; the few characters no url should hold are percent-encoded.
fn destination(url: &str) -> String {
    let clean = written_url(url);
    if clean.contains([' ', '(', ')']) {
        format!("<{clean}>")
    } else {
        clean
    }
}

/// Text that markdown reads back as itself (an `&` only where it would start an entity).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let entity = c == '&' && {
            let rest = &text[at + 1..];
            let name = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
                .unwrap_or(rest.len());
            name > 0 && rest[name..].starts_with(';')
        };
        if entity || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn heading_text(name: &str) -> String {
    let mut text = escape(name);
    // A heading ending in `#`s could lose them as a closing sequence.
    if text.ends_with('#') {
        text.pop();
        text.push_str("\\#");
    }
    text
}

/// New bookmarks by folder.
#[derive(Default)]
struct Trie<'e> {
    links: Vec<&'e Link>,
    children: Vec<(String, Trie<'e>)>,
    /// Where each child is in `children`, by name (an export with 30,000 folders in one).
    index: HashMap<String, usize>,
}

impl<'e> Trie<'e> {
    fn insert(&mut self, path: &[String], link: &'e Link) {
        let Some((first, rest)) = path.split_first() else {
            self.links.push(link);
            return;
        };
        let at = match self.index.get(first) {
            Some(&at) => at,
            None => {
                self.children.push((first.clone(), Trie::default()));
                self.index.insert(first.clone(), self.children.len() - 1);
                self.children.len() - 1
            }
        };
        self.children[at].1.insert(rest, link);
    }
}

/// The headings of a collection file (outside its front matter and code blocks): level, text
/// and line; a first-level heading (the collection's title) is not a folder.
struct Headings {
    list: Vec<(usize, String, usize)>,
    /// The first heading of each path (texts from the top), by index in `list`.
    by_path: HashMap<Vec<String>, usize>,
    /// Where each heading's section ends (a line index), by index in `list`.
    section_ends: Vec<usize>,
    lines: Vec<bool>,
}

impl Headings {
    fn read(lines: &[&str]) -> Headings {
        let mut list = Vec::new();
        let mut fence: Option<&str> = None;
        let mut start = 0;
        if let Some(first) = lines.first().map(|l| l.trim_end())
            && (first == "+++" || first == "---")
            && let Some(end) = lines[1..].iter().position(|l| l.trim_end() == first)
        {
            start = end + 2;
        }
        let mut in_comment = false;
        for (at, line) in lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            // A heading inside an HTML comment is no heading (the user kept an old section
            // there, say).
            if in_comment {
                in_comment = !line.contains("-->");
                continue;
            }
            if fence.is_none()
                && let Some(rest) = trimmed.strip_prefix("<!--")
                && !rest.contains("-->")
            {
                in_comment = true;
                continue;
            }
            if let Some(open) = fence {
                if trimmed.starts_with(open) {
                    fence = None;
                }
                continue;
            }
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(&trimmed[..3]);
                continue;
            }
            if line.starts_with('#') {
                let level = line.chars().take_while(|c| *c == '#').count();
                let rest = &line[level..];
                if level <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
                    let text = rest.trim();
                    // An optional closing sequence of `#`s (after a blank).
                    let text = match text.trim_end_matches('#') {
                        t if t.ends_with([' ', '\t']) || t.is_empty() => t.trim_end(),
                        _ => text,
                    };
                    list.push((level, text.to_string(), at));
                }
            }
        }
        let mut paths = Vec::with_capacity(list.len());
        let mut stack: Vec<(usize, String)> = Vec::new();
        for (level, text, _) in &list {
            while stack.last().is_some_and(|(l, _)| l >= level) {
                stack.pop();
            }
            stack.push((*level, text.clone()));
            paths.push(
                stack
                    .iter()
                    .filter(|(l, _)| *l > 1)
                    .map(|(_, t)| t.clone())
                    .collect::<Vec<String>>(),
            );
        }
        // Each heading's section ends at the next heading of its level or above: found for
        // all in one pass with a stack (a file of 30,000 headings, scanned per folder, took
        // minutes).
        let mut section_ends = vec![lines.len(); list.len()];
        let mut open: Vec<usize> = Vec::new();
        for (i, (level, _, at)) in list.iter().enumerate() {
            while let Some(&top) = open.last() {
                if list[top].0 >= *level {
                    section_ends[top] = *at;
                    open.pop();
                } else {
                    break;
                }
            }
            open.push(i);
        }
        // The first heading of each path is the one a folder goes under.
        let mut by_path = HashMap::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            by_path.entry(path.clone()).or_insert(i);
        }
        Headings {
            list,
            by_path,
            section_ends,
            lines: lines.iter().map(|l| l.trim().is_empty()).collect(),
        }
    }

    fn find(&self, path: &[String]) -> Option<usize> {
        if path.is_empty() {
            return None;
        }
        self.by_path.get(path).copied()
    }

    fn level(&self, heading: usize) -> usize {
        self.list[heading].0
    }

    /// Past the last non-blank line before the next heading of any level: the end of the
    /// folder's own list.
    fn list_end(&self, heading: usize) -> usize {
        let next = self
            .list
            .get(heading + 1)
            .map_or(self.lines.len(), |(_, _, at)| *at);
        self.back_over_blanks(next, self.list[heading].2)
    }

    /// Past the last non-blank line before the next heading at the same level or above.
    fn section_end(&self, heading: usize) -> usize {
        self.back_over_blanks(self.section_ends[heading], self.list[heading].2)
    }

    fn back_over_blanks(&self, mut at: usize, floor: usize) -> usize {
        while at > floor + 1 && self.lines[at - 1] {
            at -= 1;
        }
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Date;

    fn link(title: &str, url: &str) -> Link {
        Link {
            title: title.into(),
            url: url.into(),
            added: Date::new(2024, 5, 1),
            description: None,
            tags: Vec::new(),
        }
    }

    fn path(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_bullet_reads_back_as_the_bookmark() {
        let mut l = link(
            "A [weird] *title* & <co> &copy;",
            "https://example.org/a_(b)?c=1&d=2",
        );
        l.description = Some("Says \x1b[31mhi\x1b[0m".into());
        l.tags = vec!["rust".into(), "a;b".into()];
        let line = bullet(&l);
        assert!(!line.contains('\x1b'));
        let c = crate::content::bookmarks::parse_collection(
            &format!("## F\n\n{line}\n"),
            1,
            crate::content::bookmarks::Mode::Marked,
        );
        let b = &c.bookmarks[0];
        assert_eq!(b.title, "A [weird] *title* & <co> &copy;");
        assert_eq!(b.url.as_deref(), Some("https://example.org/a_(b)?c=1&d=2"));
        assert_eq!(b.date, Date::new(2024, 5, 1));
        assert_eq!(b.tags, ["rust", "a b"]);
        assert!(
            b.description
                .as_deref()
                .is_some_and(|d| d.starts_with("Says"))
        );
        let untitled = bullet(&link("", "https://example.org/path/?q=1"));
        assert!(untitled.starts_with("- [example.org/path]"), "{untitled}");
    }

    #[test]
    fn new_bookmarks_go_under_their_folders_and_the_rest_stays() {
        let a = link("A", "https://a.example");
        let b = link("B", "https://b.example");
        let start = merge(
            &header("T", "d"),
            &[(path(&["Bar", "Rust"]), &a), (path(&["Bar"]), &b)],
        );
        assert_eq!(
            start,
            "+++\ntitle = \"T\"\nkind = \"bookmarks\"\ndescription = \"d\"\n+++\n\n## Bar\n\n\
             - [B](https://b.example) <!-- added: 2024-05-01 -->\n\n### Rust\n\n\
             - [A](https://a.example) <!-- added: 2024-05-01 -->\n"
        );
        // The user writes insights under A; later imports add C under Rust, D in a new folder.
        let edited = start.replace(
            "- [A](https://a.example) <!-- added: 2024-05-01 -->\n",
            "- [A](https://a.example) <!-- added: 2024-05-01 -->\n\n  > **Key insights:**\n  > - mine\n",
        );
        let c = link("C", "https://c.example");
        let d = link("D", "https://d.example");
        let merged = merge(
            &edited,
            &[(path(&["Bar", "Rust"]), &c), (path(&["Bar", "Go"]), &d)],
        );
        assert!(merged.starts_with(&edited[..edited.find("  > - mine").expect("there")]));
        assert!(
            merged.contains("  > - mine\n\n- [C](https://c.example)"),
            "{merged}"
        );
        assert!(
            merged.ends_with(
                "- [C](https://c.example) <!-- added: 2024-05-01 -->\n\n### Go\n\n\
                 - [D](https://d.example) <!-- added: 2024-05-01 -->\n"
            ),
            "{merged}"
        );
        // Nothing new: the text is unchanged.
        assert_eq!(merge(&merged, &[]), merged);
    }

    #[test]
    fn headings_inside_a_comment_are_not_folders() {
        let text = "+++\ntitle = \"T\"\n+++\n\n<!--\n## Bar\n\n- [Old](https://old.example)\n-->\n\n## Bar\n\n- [A](https://a.example)\n";
        let b = link("B", "https://b.example");
        let merged = merge(text, &[(path(&["Bar"]), &b)]);
        assert!(
            merged.ends_with(
                "- [A](https://a.example)\n- [B](https://b.example) <!-- added: 2024-05-01 -->\n"
            ),
            "{merged}"
        );
    }

    #[test]
    fn folders_deeper_than_six_levels_share_the_last_heading() {
        let a = link("A", "https://a.example");
        let b = link("B", "https://b.example");
        let export = |links: Vec<Link>| {
            // R > 1 > 2 > 3 > 4 > 5 > 6, the links in the deepest.
            let mut folder = super::super::Folder {
                name: "6".into(),
                children: links.into_iter().map(super::super::Node::Link).collect(),
            };
            for name in ["5", "4", "3", "2", "1", "R"] {
                folder = super::super::Folder {
                    name: name.into(),
                    children: vec![super::super::Node::Folder(folder)],
                };
            }
            super::super::Export {
                format: super::super::Format::ChromeJson,
                roots: vec![folder],
            }
        };
        let first = export(vec![a.clone()]);
        let plan1 = plan(&first, &HashSet::new());
        let text = merge(&header("T", "d"), &plan1.additions);
        // A later import into the same deep folder finds that heading again.
        let second = export(vec![a.clone(), b.clone()]);
        let known: HashSet<String> = [normalize("https://a.example")].into();
        let plan2 = plan(&second, &known);
        let again = merge(&text, &plan2.additions);
        assert_eq!(again.matches("###### 4 / 5 / 6").count(), 1, "{again}");
        assert!(again.contains("- [B](https://b.example)"), "{again}");
        assert!(text.contains("###### 4 / 5 / 6\n\n- [A]"), "{text}");
        let c = crate::content::bookmarks::parse_collection(
            &text[text.find("## R").expect("there")..],
            1,
            crate::content::bookmarks::Mode::Marked,
        );
        assert_eq!(
            c.bookmarks[0].path,
            path(&["R", "1", "2", "3", "4 / 5 / 6"])
        );
    }
}
