//! Bookmark collections: markdown lists of links grouped under headings.
//!
//! A collection's headings (any depth) form category paths; each item of a top-level list is a
//! bookmark: `- [Title](url) -- description` (or ` — `, ` – `, ` - `, `: `), or a plain
//! `Title -- description`. Whatever is nested under the item (a `> **Key insights:**` quote,
//! sub-bullets, paragraphs) is kept, as markdown, as the bookmark's body. Paragraphs right under
//! a heading describe that section. Items that link to `#anchors` are a table of contents and
//! are skipped.

use std::sync::Arc;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::body::Body;
use super::date::Date;
use super::diagnostic::line_of;

/// How strictly list items are taken as bookmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The file says it is a collection: every list item is a bookmark.
    Marked,
    /// The file merely looks like an awesome list: only items that start with a link count,
    /// so prose bullets ("Fork the repo") are not taken for bookmarks.
    Detected,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Heading names from the top of the collection down to this heading.
    pub path: Vec<String>,
    /// The paragraphs under the heading, before its first list, as markdown.
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    /// Heading names above the bookmark (below the collection's title).
    pub path: Vec<String>,
    pub title: String,
    pub url: Option<String>,
    pub description: Option<String>,
    /// Everything nested under the list item, dedented, as markdown.
    pub body: Body,
    /// When it was bookmarked and its own tags, from a comment on its line
    /// (`<!-- added: 2024-05-01; tags: rust, async -->`, as `quire import` writes them).
    pub date: Option<Date>,
    pub tags: Vec<String>,
    /// 1-based line in the file.
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collection {
    /// The first `#` heading, when it comes before any other heading.
    pub title: Option<String>,
    /// Paragraphs before the first section heading, as markdown.
    pub intro: Option<String>,
    pub sections: Vec<Section>,
    pub bookmarks: Vec<Bookmark>,
    /// Items of top-level lists, bookmarks or not; used to tell an awesome list from prose.
    pub list_items: usize,
}

const SEPARATORS: [&str; 5] = [" -- ", " — ", " – ", " - ", ": "];

/// Whether a file without front matter reads as an awesome-style link list.
pub fn looks_like_collection(collection: &Collection) -> bool {
    let links = collection.bookmarks.len();
    links >= 5 && links * 2 >= collection.list_items
}

/// Label groups nest at most this deep (awesome lists use two or three levels). A label
/// deeper than that is an item like any other: a list nested 800 deep is read in one pass,
/// not parsed again at every level (which overflowed the stack, and took the square of the
/// text's length).
const MAX_LABEL_DEPTH: usize = 8;

/// Parses `text` (a file's body; its first line is line `first_line` of the file).
pub fn parse_collection(text: &str, first_line: usize, mode: Mode) -> Collection {
    parse_nested(text, first_line, mode, 0)
}

fn parse_nested(text: &str, first_line: usize, mode: Mode, label_depth: usize) -> Collection {
    let mut walker = Walker {
        text,
        first_line,
        label_depth,
        mode: Some(mode),
        collection: Collection::default(),
        line_cache: (0, 1),
        ..Walker::default()
    };
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    for (event, range) in parser.into_offset_iter() {
        walker.step(event, range);
    }
    if mode == Mode::Detected {
        let bookmarks = &walker.collection.bookmarks;
        walker
            .collection
            .sections
            .retain(|s| bookmarks.iter().any(|b| b.path.starts_with(&s.path)));
    }
    walker.collection
}

#[derive(Default)]
struct Walker<'t> {
    text: &'t str,
    first_line: usize,
    /// How many label groups this text is nested in.
    label_depth: usize,
    mode: Option<Mode>,
    collection: Collection,
    /// (level, name) of the open headings.
    headings: Vec<(u8, String)>,
    heading: Option<(u8, String)>,
    /// Section whose description paragraphs are being gathered.
    describing: Option<usize>,
    seen_heading: bool,
    list_depth: usize,
    item_depth: usize,
    quote_depth: usize,
    /// Open blocks other than lists, items and quotes (tables, footnotes…).
    other_depth: usize,
    paragraph_start: Option<usize>,
    item: Option<ItemHead>,
    /// Inside an image: its alt text (badges, mostly) is not part of names or titles.
    image_depth: usize,
    /// (byte offset, its 1-based line) of the last line lookup.
    line_cache: (usize, usize),
}

impl<'t> Walker<'t> {
    fn at_top(&self) -> bool {
        self.list_depth == 0
            && self.item_depth == 0
            && self.quote_depth == 0
            && self.other_depth == 0
    }

    fn step(&mut self, event: Event<'t>, range: std::ops::Range<usize>) {
        match event {
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
            Event::Text(_) | Event::Code(_) if self.image_depth > 0 => return,
            _ => {}
        }
        if self.item.is_some() {
            self.step_in_item(&event, &range);
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) if self.at_top() => {
                self.heading = Some((level as u8, String::new()));
            }
            Event::End(TagEnd::Heading(_)) if self.heading.is_some() => self.close_heading(),
            Event::Text(t) | Event::Code(t) if self.heading.is_some() => {
                if let Some((_, name)) = &mut self.heading {
                    name.push_str(&t);
                }
            }
            Event::Start(Tag::Paragraph) if self.at_top() => {
                self.paragraph_start = Some(range.start)
            }
            Event::End(TagEnd::Paragraph) if self.at_top() => {
                if let Some(start) = self.paragraph_start.take() {
                    self.add_description(self.text[start..range.end].trim());
                }
            }
            Event::Start(Tag::List(_)) => {
                if self.at_top() {
                    self.describing = None;
                }
                self.list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => self.list_depth -= 1,
            Event::Start(Tag::Item) => {
                if self.item_depth == 0
                    && self.list_depth == 1
                    && self.quote_depth == 0
                    && self.other_depth == 0
                {
                    self.collection.list_items += 1;
                    self.item = Some(ItemHead::new(range.start));
                }
                self.item_depth += 1;
            }
            Event::End(TagEnd::Item) => {
                self.item_depth -= 1;
                if self.item_depth == 0
                    && let Some(item) = self.item.take()
                {
                    self.finish_item(item, range.end);
                }
            }
            // A quote under a heading describes it too (awesome lists put their tagline in one).
            Event::Start(Tag::BlockQuote(_)) => {
                if self.at_top() {
                    self.paragraph_start = Some(range.start);
                }
                self.quote_depth += 1;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.quote_depth -= 1;
                if self.at_top()
                    && let Some(start) = self.paragraph_start.take()
                {
                    self.add_description(self.text[start..range.end].trim());
                }
            }
            Event::Start(
                Tag::Table(_) | Tag::FootnoteDefinition(_) | Tag::CodeBlock(_) | Tag::HtmlBlock,
            ) => {
                if self.at_top() {
                    self.describing = None;
                }
                self.other_depth += 1;
            }
            Event::End(
                TagEnd::Table | TagEnd::FootnoteDefinition | TagEnd::CodeBlock | TagEnd::HtmlBlock,
            ) => {
                self.other_depth -= 1;
            }
            _ => {}
        }
    }

    /// 1-based line of a byte offset; offsets only grow during a walk, so counting resumes
    /// where the last call stopped instead of rescanning the text (which made big
    /// collections quadratic).
    fn line_at(&mut self, offset: usize) -> usize {
        let (from, line) = self.line_cache;
        let offset = offset.min(self.text.len());
        let line = if offset >= from {
            line + line_of(&self.text[from..offset], offset - from) - 1
        } else {
            line_of(self.text, offset)
        };
        self.line_cache = (offset, line);
        line
    }

    fn close_heading(&mut self) {
        let Some((level, name)) = self.heading.take() else {
            return;
        };
        let name = collapse_spaces(&name);
        if level == 1 && !self.seen_heading && self.collection.title.is_none() {
            self.collection.title = Some(name);
            self.seen_heading = true;
            return;
        }
        self.seen_heading = true;
        while self.headings.last().is_some_and(|(l, _)| *l >= level) {
            self.headings.pop();
        }
        self.headings.push((level, name));
        let path: Vec<String> = self.headings.iter().map(|(_, n)| n.clone()).collect();
        self.describing = Some(self.collection.sections.len());
        self.collection.sections.push(Section {
            path,
            description: None,
        });
    }

    fn add_description(&mut self, paragraph: &str) {
        let target = match self.describing {
            Some(i) => &mut self.collection.sections[i].description,
            None if self.collection.sections.is_empty() => &mut self.collection.intro,
            None => return,
        };
        match target {
            Some(existing) => {
                existing.push_str("\n\n");
                existing.push_str(paragraph);
            }
            None => *target = Some(paragraph.to_string()),
        }
    }

    fn step_in_item(&mut self, event: &Event<'t>, range: &std::ops::Range<usize>) {
        let Some(item) = &mut self.item else { return };
        if item.done {
            return;
        }
        // Only the item's own first block is its head; anything nested starts the body.
        let nested_start = matches!(
            event,
            Event::Start(
                Tag::List(_)
                    | Tag::BlockQuote(_)
                    | Tag::CodeBlock(_)
                    | Tag::Heading { .. }
                    | Tag::Table(_)
                    | Tag::HtmlBlock
                    | Tag::FootnoteDefinition(_)
            )
        ) || matches!(event, Event::Start(Tag::Paragraph) if item.has_content())
            || matches!(event, Event::Rule);
        if nested_start {
            item.done = true;
            item.head_end = range.start;
            return;
        }
        match event {
            Event::Start(Tag::Item) => {}
            Event::End(TagEnd::Paragraph) => {
                item.done = true;
                item.head_end = range.end;
            }
            Event::Start(Tag::Link { dest_url, .. }) => item.open_link(dest_url),
            Event::End(TagEnd::Link) => item.close_link(),
            Event::Text(t) | Event::Code(t) => item.push_text(t),
            Event::SoftBreak | Event::HardBreak => item.push_text(" "),
            Event::InlineHtml(html) if html.starts_with("<!--") => item.meta.push_str(html),
            _ => {}
        }
    }

    fn finish_item(&mut self, item: ItemHead, item_end: usize) {
        let head_end = if item.done { item.head_end } else { item_end };
        let line = self.first_line + self.line_at(item.start) - 1;
        if let Some(label) = item.label()
            && self.label_group(&label, head_end, item_end)
        {
            return;
        }
        let (date, tags) = read_meta(&item.meta);
        let Some(head) = item.into_head(self.mode == Some(Mode::Marked)) else {
            return;
        };
        let body = Body::from(Arc::<str>::from(extract_body(
            self.text, head_end, item_end,
        )));
        let path: Vec<String> = self.headings.iter().map(|(_, n)| n.clone()).collect();
        // An awesome list's entry with entries nested under it (`* [Cargo](…) - the package
        // manager` above `  * [cargo-deb](…)`): they are bookmarks too, in a sub-category named
        // after it, as a label's are.
        if self.mode == Some(Mode::Detected) && head.url.is_some() {
            self.group(&head.title, head_end, item_end);
        }
        self.collection.bookmarks.push(Bookmark {
            path,
            title: head.title,
            url: head.url,
            description: head.description,
            body,
            date,
            tags,
            line,
        });
    }
}

impl Walker<'_> {
    /// An item that is only a label (`* CHIP-8`, no link, no description) with links nested
    /// under it, as awesome lists group them: a sub-category named by the label, holding
    /// them (and labels under it, in turn). Returns whether the item was one.
    fn label_group(&mut self, label: &str, head_end: usize, item_end: usize) -> bool {
        self.group(label, head_end, item_end)
    }

    /// Files the links nested under an item (`head_end..item_end`) in a sub-category named
    /// `name` under the current headings. Returns whether there were any.
    fn group(&mut self, name: &str, head_end: usize, item_end: usize) -> bool {
        if self.label_depth >= MAX_LABEL_DEPTH {
            return false;
        }
        let start = body_start(self.text, head_end, item_end);
        let nested_text = extract_body(self.text, head_end, item_end);
        if nested_text.is_empty() {
            return false;
        }
        let first_line = self.first_line + self.line_at(start) - 1;
        let mode = self.mode.unwrap_or(Mode::Detected);
        let nested = parse_nested(&nested_text, first_line, mode, self.label_depth + 1);
        if !nested.bookmarks.iter().any(|b| b.url.is_some()) {
            return false;
        }
        let mut base: Vec<String> = self.headings.iter().map(|(_, n)| n.clone()).collect();
        base.push(name.to_string());
        self.collection.sections.push(Section {
            path: base.clone(),
            description: None,
        });
        let under = |path: Vec<String>| base.iter().cloned().chain(path).collect::<Vec<_>>();
        for section in nested.sections {
            self.collection.sections.push(Section {
                path: under(section.path),
                ..section
            });
        }
        for bookmark in nested.bookmarks {
            self.collection.bookmarks.push(Bookmark {
                path: under(bookmark.path),
                ..bookmark
            });
        }
        self.collection.list_items += nested.list_items;
        true
    }
}

/// The date and tags of a bookmark's comment: `added: YYYY-MM-DD` and `tags: a, b`, parts
/// separated by `;`; anything else in a comment is the writer's own and is left alone.
fn read_meta(comment: &str) -> (Option<Date>, Vec<String>) {
    let (mut date, mut tags) = (None, Vec::new());
    let inner = comment
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->");
    for part in inner.split(';') {
        let Some((key, value)) = part.split_once(':') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "added" => date = date.or_else(|| Date::parse(value.trim())),
            "tags" => tags.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from),
            ),
            _ => {}
        }
    }
    (date, tags)
}

#[derive(Debug, Clone)]
enum Segment {
    Text(String),
    Link { text: String, dest: String },
}

#[derive(Debug)]
struct ItemHead {
    start: usize,
    head_end: usize,
    done: bool,
    segments: Vec<Segment>,
    /// Destination of a link being read, with its text so far (links do not nest).
    link: Option<(String, String)>,
    /// Comments on the head line (the bookmark's date and tags).
    meta: String,
}

struct Head {
    title: String,
    url: Option<String>,
    description: Option<String>,
}

impl ItemHead {
    fn new(start: usize) -> Self {
        ItemHead {
            start,
            head_end: start,
            done: false,
            segments: Vec::new(),
            link: None,
            meta: String::new(),
        }
    }

    fn has_content(&self) -> bool {
        self.segments.iter().any(|s| match s {
            Segment::Text(t) => !t.trim().is_empty(),
            Segment::Link { .. } => true,
        })
    }

    fn open_link(&mut self, dest: &str) {
        self.link = Some((dest.to_string(), String::new()));
    }

    fn close_link(&mut self) {
        if let Some((dest, text)) = self.link.take() {
            self.segments.push(Segment::Link { text, dest });
        }
    }

    fn push_text(&mut self, text: &str) {
        if let Some((_, link_text)) = &mut self.link {
            link_text.push_str(text);
        } else if let Some(Segment::Text(last)) = self.segments.last_mut() {
            last.push_str(text);
        } else {
            self.segments.push(Segment::Text(text.to_string()));
        }
    }

    /// The item's text when it is only a label: words, no link, no description after a
    /// separator.
    fn label(&self) -> Option<String> {
        if self.link.is_some() {
            return None;
        }
        // `NoSQL`, or `NoSQL [[nosql](https://crates.io/keywords/nosql)]`: words, then at most
        // links in brackets (a list's keywords), and no description.
        let first = self.segments.first()?;
        let Segment::Text(text) = first else {
            return None;
        };
        let (name, after) = match text.find('[') {
            Some(at) => (&text[..at], &text[at..]),
            None => (text.as_str(), ""),
        };
        let only_brackets = |t: &str| t.chars().all(|c| matches!(c, '[' | ']' | ',' | ' ' | '\t'));
        let rest_is_keywords = only_brackets(after)
            && self.segments[1..].iter().all(|s| match s {
                Segment::Link { .. } => true,
                Segment::Text(t) => only_brackets(t),
            });
        if !rest_is_keywords {
            return None;
        }
        match split_plain(&collapse_spaces(name)) {
            (title, None) if !title.is_empty() => Some(title),
            _ => None,
        }
    }

    /// Reads title, url and description; `None` when the item is not a bookmark.
    fn into_head(mut self, take_plain: bool) -> Option<Head> {
        self.close_link();
        // A bracket before the leading link (`[[sevenz-rust](…)] - …`) is not text.
        let first = self.segments.iter().position(
            |s| !matches!(s, Segment::Text(t) if t.trim().trim_matches('[').is_empty()),
        )?;
        match &self.segments[first] {
            Segment::Link { text, dest } => {
                if dest.starts_with('#') {
                    return None; // a table of contents
                }
                let rest = description_text(&self.segments[first + 1..]);
                let title = collapse_spaces(text);
                let title = if title.is_empty() {
                    dest.clone()
                } else {
                    title
                };
                Some(Head {
                    title,
                    url: Some(dest.clone()),
                    description: strip_separator(&rest),
                })
            }
            Segment::Text(_) => {
                if !take_plain {
                    return None;
                }
                let all: String = self.segments.iter().map(segment_text).collect();
                let all = collapse_spaces(&all);
                let (title, description) = split_plain(&all);
                Some(Head {
                    title,
                    url: None,
                    description,
                })
            }
        }
    }
}

/// The text after an entry's leading link, as its description: the other links before the
/// separator (`[[serde_json](https://crates.io/…)] - `, an entry's crate or docs) and badges
/// (an image in a link, which leaves `[]`) belong to the link list, not to the words.
fn description_text(segments: &[Segment]) -> String {
    let mut out = String::new();
    let mut before_separator = true;
    for (at, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Link { text, .. } => {
                // A link in brackets (`[[serde_json](https://crates.io/…)]`) is the entry's
                // crate, wherever it stands: not words of its description.
                let in_brackets = at
                    .checked_sub(1)
                    .and_then(|p| segments.get(p))
                    .is_some_and(|p| segment_text(p).trim_end().ends_with('['))
                    && segments
                        .get(at + 1)
                        .is_some_and(|n| segment_text(n).trim_start().starts_with(']'));
                if !(before_separator || in_brackets || text.trim().is_empty()) {
                    out.push_str(text);
                }
            }
            Segment::Text(text) => {
                if before_separator {
                    let trimmed = text.trim_start_matches(['[', ']', ' ', '(', ')', ',', '/']);
                    if trimmed.starts_with(['-', '—', '–', ':']) {
                        before_separator = false;
                        out.push_str(trimmed);
                    } else if !trimmed.is_empty() {
                        before_separator = false;
                        out.push_str(text);
                    }
                } else {
                    out.push_str(text);
                }
            }
        }
    }
    // What images and bracketed links left behind: `[]`, `[ ]`, `()`; then the separators
    // they stood between (`- [[rerun](…)] - An SDK` → `An SDK`).
    let mut cleaned = out;
    for empty in ["[]", "[ ]", "()", "( )"] {
        while cleaned.contains(empty) {
            cleaned = cleaned.replace(empty, "");
        }
    }
    let mut rest = cleaned.trim_start();
    while let Some(after) = rest
        .strip_prefix(['-', '—', '–', ':'])
        .filter(|a| a.is_empty() || a.starts_with(' '))
    {
        rest = after.trim_start();
    }
    if rest.len() < cleaned.trim_start().len() {
        format!("- {rest}")
    } else {
        cleaned
    }
}

fn segment_text(segment: &Segment) -> &str {
    match segment {
        Segment::Text(t) => t,
        Segment::Link { text, .. } => text,
    }
}

/// The description after a leading link: `[x](u) -- text` → `text`.
fn strip_separator(rest: &str) -> Option<String> {
    let rest = collapse_spaces(rest);
    let stripped = ["--", "—", "–", "-", ":"]
        .iter()
        .find_map(|sep| {
            let after = rest.strip_prefix(sep)?;
            (after.is_empty() || after.starts_with(' ')).then_some(after)
        })
        .unwrap_or(&rest)
        .trim()
        .trim_start_matches([',', '.', ';'])
        .trim();
    (!stripped.is_empty()).then(|| stripped.to_string())
}

/// `Title -- description` split at the strongest separator present.
fn split_plain(text: &str) -> (String, Option<String>) {
    for sep in SEPARATORS {
        if let Some((title, description)) = text.split_once(sep) {
            let (title, description) = (title.trim(), description.trim());
            if !title.is_empty() {
                let description = (!description.is_empty()).then(|| description.to_string());
                return (title.to_string(), description);
            }
        }
    }
    (text.trim().to_string(), None)
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the nested part of a list item starts: the line after its head.
fn body_start(text: &str, head_end: usize, item_end: usize) -> usize {
    let end = item_end.min(text.len());
    let start = head_end.min(end);
    // A nested block's range starts after its indentation; take the whole line.
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    if text[line_start..start].trim().is_empty() {
        line_start
    } else {
        text[start..end].find('\n').map_or(end, |p| start + p + 1)
    }
}

/// The nested part of a list item, from the line after its head to its end, dedented.
fn extract_body(text: &str, head_end: usize, item_end: usize) -> String {
    let end = item_end.min(text.len());
    let start = body_start(text, head_end, item_end);
    let slice = &text[start..end];
    let indent = slice
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(indent_width)
        .min()
        .unwrap_or(0);
    let mut body = String::with_capacity(slice.len());
    for line in slice.lines() {
        body.push_str(&strip_columns(line, indent));
        body.push('\n');
    }
    body.trim_matches('\n').to_string()
}

fn indent_width(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => break,
        }
    }
    width
}

fn strip_columns(line: &str, columns: usize) -> String {
    let mut width = 0;
    for (i, c) in line.char_indices() {
        if width >= columns {
            return line[i..].to_string();
        }
        match c {
            ' ' => width += 1,
            '\t' => width += 4 - width % 4,
            _ => return line[i..].to_string(),
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# Tech Insights

Curated bookmarks.

## Case Studies

Company engineering blogs.

### Databases

- [How Uber Conquered Overload](https://eng.uber.com/x) -- Uber's load shedding

  > **Key insights:**
  > - Concurrency over QPS
  >   - Little's Law

- Stripe's DocDB -- Zero-downtime data movement
- Plain item without separator

## See Also

- Database Systems Survey — In-depth coverage
";

    #[test]
    fn headings_form_paths_under_the_title() {
        let c = parse_collection(SAMPLE, 1, Mode::Marked);
        assert_eq!(c.title.as_deref(), Some("Tech Insights"));
        assert_eq!(c.intro.as_deref(), Some("Curated bookmarks."));
        let paths: Vec<_> = c.sections.iter().map(|s| s.path.join("/")).collect();
        assert_eq!(
            paths,
            ["Case Studies", "Case Studies/Databases", "See Also"]
        );
        assert_eq!(
            c.sections[0].description.as_deref(),
            Some("Company engineering blogs.")
        );
        assert_eq!(c.sections[1].description, None);
    }

    #[test]
    fn link_items_keep_url_description_and_nested_body() {
        let c = parse_collection(SAMPLE, 1, Mode::Marked);
        let uber = &c.bookmarks[0];
        assert_eq!(uber.title, "How Uber Conquered Overload");
        assert_eq!(uber.url.as_deref(), Some("https://eng.uber.com/x"));
        assert_eq!(uber.description.as_deref(), Some("Uber's load shedding"));
        assert_eq!(
            &*uber.body,
            "> **Key insights:**\n> - Concurrency over QPS\n>   - Little's Law"
        );
        assert_eq!(uber.path, ["Case Studies", "Databases"]);
        assert_eq!(uber.line, 11);
    }

    #[test]
    fn bookmark_without_link_keeps_its_title() {
        let c = parse_collection(SAMPLE, 1, Mode::Marked);
        let stripe = &c.bookmarks[1];
        assert_eq!(stripe.title, "Stripe's DocDB");
        assert_eq!(stripe.url, None);
        assert_eq!(
            stripe.description.as_deref(),
            Some("Zero-downtime data movement")
        );
        assert_eq!(c.bookmarks[2].title, "Plain item without separator");
        let see_also = &c.bookmarks[3];
        assert_eq!(see_also.path, ["See Also"]);
        assert_eq!(see_also.description.as_deref(), Some("In-depth coverage"));
    }

    #[test]
    fn every_separator_is_understood() {
        for sep in ["--", "—", "–", "-", ":"] {
            let text = format!(
                "- [Name](https://x.org) {sep} the description\n- Plain Name {sep} the description\n"
            );
            let c = parse_collection(&text, 1, Mode::Marked);
            for b in &c.bookmarks {
                let expected = if b.url.is_some() {
                    "Name"
                } else {
                    "Plain Name"
                };
                assert_eq!(b.title, expected, "separator {sep}");
                assert_eq!(
                    b.description.as_deref(),
                    Some("the description"),
                    "separator {sep}"
                );
            }
        }
    }

    #[test]
    fn awesome_list_loads_and_skips_its_table_of_contents() {
        let text = "\
# Awesome Things [![badge](https://img)](https://ci)

> A curated list.

## Contents

- [Tools](#tools)
  - [CLI](#cli)

## Tools

### CLI

* [ripgrep](https://github.com/BurntSushi/ripgrep) - Fast grep.
* [fd](https://github.com/sharkdp/fd) - Fast find.
* [bat](https://github.com/sharkdp/bat) - A cat clone.

## Libraries

* [serde](https://serde.rs) - Serialization.
* [clap](https://docs.rs/clap) - Argument parsing.

## Contributing

* Fork the repo and open a pull request.
";
        let c = parse_collection(text, 1, Mode::Detected);
        assert!(looks_like_collection(&c));
        let titles: Vec<_> = c.bookmarks.iter().map(|b| b.title.as_str()).collect();
        assert_eq!(titles, ["ripgrep", "fd", "bat", "serde", "clap"]);
        let paths: Vec<_> = c.sections.iter().map(|s| s.path.join("/")).collect();
        assert_eq!(paths, ["Tools", "Tools/CLI", "Libraries"]);
        assert_eq!(c.bookmarks[0].description.as_deref(), Some("Fast grep."));
    }

    #[test]
    fn label_items_group_the_links_nested_under_them() {
        let text = "# Awesome\n\n## Emulators\n\nSee also [Games](#games).\n\n\
                    * CHIP-8\n  * [chip8-a](https://a.example) - An emulator.\n  \
                    * [chip8-b](https://b.example)\n* Consoles\n  * Nintendo\n    \
                    * [nes-one](https://nes.example) - NES.\n    * [snes](https://snes.example)\n  \
                    * [gba](https://gba.example) - GBA.\n* [loose](https://loose.example) - At the top.\n\n\
                    ## FFI\n\n* C\n  * [bindgen](https://bindgen.example) - C bindings.\n\
                    * C#\n  * [csbindgen](https://cs.example)\n";
        for mode in [Mode::Detected, Mode::Marked] {
            let c = parse_collection(text, 1, mode);
            let found: Vec<(String, &str, usize)> = c
                .bookmarks
                .iter()
                .map(|b| (b.path.join("/"), b.title.as_str(), b.line))
                .collect();
            assert_eq!(
                found,
                [
                    ("Emulators/CHIP-8".to_string(), "chip8-a", 8),
                    ("Emulators/CHIP-8".to_string(), "chip8-b", 9),
                    ("Emulators/Consoles/Nintendo".to_string(), "nes-one", 12),
                    ("Emulators/Consoles/Nintendo".to_string(), "snes", 13),
                    ("Emulators/Consoles".to_string(), "gba", 14),
                    ("Emulators".to_string(), "loose", 15),
                    ("FFI/C".to_string(), "bindgen", 20),
                    ("FFI/C#".to_string(), "csbindgen", 22),
                ],
                "{mode:?}"
            );
            assert_eq!(c.bookmarks[2].description.as_deref(), Some("NES."));
            let sections: Vec<String> = c.sections.iter().map(|s| s.path.join("/")).collect();
            assert!(
                sections.contains(&"Emulators/Consoles/Nintendo".to_string()),
                "{sections:?}"
            );
            // The paragraph under the heading still describes it.
            assert_eq!(
                c.sections[0].description.as_deref(),
                Some("See also [Games](#games).")
            );
        }
        // A label with no links under it stays what it was: a plain bookmark in a marked
        // collection, nothing in a detected one.
        let c = parse_collection("* Just a note\n  * more words\n", 1, Mode::Marked);
        assert_eq!(c.bookmarks.len(), 1);
        assert_eq!(c.bookmarks[0].title, "Just a note");
    }

    #[test]
    fn prose_with_a_few_links_is_not_a_collection() {
        let text =
            "# Post\n\nSome text.\n\n- one point\n- [a link](https://x) in a point\n- another\n";
        assert!(!looks_like_collection(&parse_collection(
            text,
            1,
            Mode::Detected
        )));
    }

    #[test]
    fn loose_items_keep_their_paragraphs_as_body() {
        let text =
            "- [A](https://a) -- first\n\n  More about A.\n\n  - detail\n\n- [B](https://b)\n";
        let c = parse_collection(text, 1, Mode::Marked);
        assert_eq!(&*c.bookmarks[0].body, "More about A.\n\n- detail");
        assert_eq!(c.bookmarks[1].title, "B");
        assert_eq!(c.bookmarks[1].description, None);
        assert_eq!(c.bookmarks[1].line, 7);
    }

    #[test]
    fn a_comment_on_the_line_gives_the_date_and_tags() {
        let c = parse_collection(
            "## A\n\n- [One](https://one.example) -- first <!-- added: 2024-02-03; tags: rust, web -->\n- [Two](https://two.example) <!-- a note of the writer's --> -- second\n",
            1,
            Mode::Marked,
        );
        let one = &c.bookmarks[0];
        assert_eq!(one.date, Date::new(2024, 2, 3));
        assert_eq!(one.tags, ["rust", "web"]);
        assert_eq!(one.description.as_deref(), Some("first"));
        assert_eq!(one.title, "One");
        let two = &c.bookmarks[1];
        assert_eq!((two.date, two.tags.len()), (None, 0));
        assert_eq!(two.description.as_deref(), Some("second"));
    }
}
