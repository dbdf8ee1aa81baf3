//! What the body pane shows: an item (header, then its rendered body) or a category overview.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::links::Link;
use super::markdown::{CodeBlock, render_body, render_markdown};
use super::wrap::{truncate, wrap_lines};
use crate::archive::page::{Health, SavedPage};
use crate::content::{CategoryId, Item, ItemKind, Library};
use crate::theme::Theme;

/// What a page shows; with the width, the key of the page cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKey {
    Item(usize),
    Category(CategoryId),
}

/// Lines wrapped to `width`, ready to be copied to the screen.
#[derive(Debug, Clone)]
pub struct Page {
    pub key: PageKey,
    pub width: u16,
    pub lines: Vec<Line<'static>>,
    /// First line of the body proper, after the header.
    pub body_start: usize,
    /// The body's links, numbered from 1 in this order.
    pub links: Vec<Link>,
    /// The body's headings, with the page line each stands on (for `t`, `{` and `}`).
    pub headings: Vec<Heading>,
    /// The body's code blocks, with the page lines each takes (for copying one from `f`).
    pub code_blocks: Vec<CodeBlock>,
    /// The first line of the header's description (`About`), where a search result whose
    /// snippet is the description points.
    pub about_line: Option<usize>,
    /// Lines that are a highlight's note, not the item's text (a selection passes over them).
    pub notes: Vec<usize>,
    /// The page lines where a line of the rendered body begins, in order, then where the body
    /// ends: the lines between are one line wrapped (a note goes after all of it).
    pub unwrapped: Vec<usize>,
    /// The highlights painted on the page, where they stand.
    pub kept: Vec<PageSpan>,
}

/// Where a highlight is painted on a page: (line, byte of the line's text) of its first and of
/// its last character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSpan {
    pub key: String,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

impl Page {
    /// A page of lines with no links, code blocks or notes of its own (a category's, a view's,
    /// a stand-in's).
    fn plain(key: PageKey, width: u16, lines: Vec<Line<'static>>, body_start: usize) -> Page {
        Page {
            key,
            width,
            lines,
            body_start,
            links: Vec::new(),
            headings: Vec::new(),
            code_blocks: Vec::new(),
            about_line: None,
            notes: Vec::new(),
            unwrapped: Vec::new(),
            kept: Vec::new(),
        }
    }
}

/// A heading of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    /// The page line it stands on.
    pub line: usize,
}

const LABEL_WIDTH: usize = 10;

/// The title, wrapped, and a blank line: how every item page starts.
fn title_lines(item: &Item, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut lines = wrap_lines(
        &[Line::from(Span::styled(
            item.title.clone(),
            theme.header_title,
        ))],
        width,
    );
    lines.push(Line::default());
    lines
}

pub fn item_page(library: &Library, index: usize, theme: &Theme, width: u16) -> Page {
    item_page_saved(library, index, None, theme, width)
}

/// An item's page, with the page saved from its link (`quire archive`) under its own text,
/// after a rule that says so: its links numbered with the item's.
pub fn item_page_saved(
    library: &Library,
    index: usize,
    saved: Option<&SavedPage>,
    theme: &Theme,
    width: u16,
) -> Page {
    let item = &library.items[index];
    let w = usize::from(width);
    let mut lines = title_lines(item, theme, w);
    let mut fields: Vec<(&str, Vec<Span<'static>>)> = Vec::new();
    if let Some(date) = item.date {
        fields.push((
            "Date",
            vec![Span::styled(date.to_string(), theme.header_value)],
        ));
    }
    if !item.authors.is_empty() {
        fields.push((
            "By",
            vec![Span::styled(item.authors.join(", "), theme.header_value)],
        ));
    }
    let path = library.category_path(item.category).join(" › ");
    if !path.is_empty() {
        fields.push(("In", vec![Span::styled(path, theme.header_value)]));
    }
    if !item.tags.is_empty() {
        let tags = item
            .tags
            .iter()
            .map(|t| format!("#{t}"))
            .collect::<Vec<_>>()
            .join(" ");
        fields.push(("Tags", vec![Span::styled(tags, theme.header_tag)]));
    }
    if let Some(url) = &item.url {
        // Whole, or cut in its middle (its start names the site, its end the page): never
        // wrapped mid-url. `f` and `y` give it whole.
        let room = w.saturating_sub(if w >= LABEL_WIDTH * 3 { LABEL_WIDTH } else { 0 });
        fields.push((
            "URL",
            vec![Span::styled(
                truncate_middle(url, room.max(1)),
                theme.header_url,
            )],
        ));
    }
    // How the link answered when last asked, when that is news: a dead link's reader reads
    // the saved copy instead.
    if let Some(saved) = saved.filter(|p| p.meta.health != Health::Alive) {
        let copy = if saved.body.is_empty() {
            ""
        } else {
            " · the saved copy is below"
        };
        fields.push((
            "Link",
            vec![Span::styled(
                format!("{}{copy}", crate::archive::link_health(saved)),
                theme.notice,
            )],
        ));
    }
    if let Some(description) = &item.description {
        fields.push((
            "About",
            vec![Span::styled(description.clone(), theme.header_value)],
        ));
    }
    let mut about_line = None;
    for (label, value) in fields {
        if label == "About" {
            about_line = Some(lines.len());
        }
        push_field(&mut lines, label, value, theme.header_label, w);
    }
    lines.push(Line::default());
    lines.push(Line::styled("─".repeat(w), theme.border));
    let body_start = lines.len();
    let mut unwrapped = Vec::new();
    let saved_text = saved.filter(|p| !p.body.is_empty());
    let body_text: std::borrow::Cow<'_, str> = match saved_text {
        Some(page) => {
            // Under the item's own text a rule parts the two; alone, the page needs none.
            let own = item.body.trim_end();
            let parting = if own.is_empty() { "" } else { "\n\n---" };
            format!(
                "{own}{parting}\n\n**{}**\n\n{}",
                crate::archive::rule(page).replace(['*', '_'], " "),
                page.body
            )
            .into()
        }
        None => (*item.body).into(),
    };
    let (links, headings, code_blocks) = if body_text.trim().is_empty() {
        lines.push(Line::default());
        lines.extend(wrap_lines(&[no_text_notice(item, theme)], w));
        if let Some(url) = &item.url {
            lines.extend(wrap_lines(
                &[Line::from(vec![
                    Span::styled("Read it at ", theme.notice),
                    Span::styled(url.clone(), theme.header_url),
                ])],
                w,
            ));
        }
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        lines.push(Line::default());
        let body = render_body(&body_text, item.url.as_deref(), theme, width);
        let (wrapped, starts) = super::wrap::wrap_lines_indexed(&body.lines, w);
        let wrapped_len = wrapped.len();
        let from = lines.len();
        lines.extend(wrapped);
        unwrapped = starts.iter().map(|s| from + s).collect();
        unwrapped.push(from + wrapped_len);
        push_link_list(&mut lines, &body.links, theme, w);
        let headings = place_headings(body.headings, &body.heading_lines, &starts, from);
        let on_page = |rendered: usize| from + starts.get(rendered).copied().unwrap_or(wrapped_len);
        let code_blocks = body
            .code_blocks
            .into_iter()
            .map(|block| CodeBlock {
                lines: on_page(block.lines.start)..on_page(block.lines.end),
                ..block
            })
            .collect();
        (body.links, headings, code_blocks)
    };
    Page {
        key: PageKey::Item(index),
        width,
        lines,
        body_start,
        links,
        headings,
        code_blocks,
        about_line,
        notes: Vec::new(),
        unwrapped,
        kept: Vec::new(),
    }
}

/// The headings at the page lines they stand on: `starts` says where each rendered line's
/// first wrapped line is, `heading_lines` which rendered lines are headings.
fn place_headings(
    source: Vec<(u8, String)>,
    heading_lines: &[usize],
    starts: &[usize],
    from: usize,
) -> Vec<Heading> {
    source
        .into_iter()
        .zip(heading_lines)
        .filter_map(|((level, text), &line)| {
            Some(Heading {
                level,
                text: crate::text::sanitize_line(&text),
                line: from + *starts.get(line)?,
            })
        })
        .collect()
}

/// The links under the body, one a line: a url is cut with `…` rather than wrapped mid-word
/// (the `f` picker shows it whole).
fn push_link_list(lines: &mut Vec<Line<'static>>, links: &[Link], theme: &Theme, width: usize) {
    if links.is_empty() {
        return;
    }
    lines.push(Line::default());
    lines.push(Line::styled("Links", theme.header_label));
    let digits = links.len().to_string().len();
    for (n, link) in links.iter().enumerate() {
        let number = format!("{:>digits$} ", format!("[{}]", n + 1), digits = digits + 2);
        let room = width.saturating_sub(number.chars().count());
        let kind = if link.image { " (image)" } else { "" };
        // Cut in the middle: a url's start names the site, its end the page.
        let url = truncate_middle(&format!("{}{kind}", link.url), room);
        lines.push(truncate_line(
            Line::from(vec![
                Span::styled(number, theme.markdown_link),
                Span::styled(url, theme.header_url),
            ]),
            width,
        ));
    }
}

/// `text` in at most `width` columns, its middle given up for `…`.
fn truncate_middle(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if super::wrap::display_width(text) <= width || width < 8 {
        return truncate(text, width);
    }
    let keep = width - 1;
    let tail = keep / 2;
    let head = keep - tail;
    // Urls are mostly ASCII: count chars; a wide char only makes the cut a little shorter.
    let start: String = chars.iter().take(head).collect();
    let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
    truncate(&format!("{start}…{end}"), width)
}

/// A line of spans cut to `width` columns (a number wider than a tiny pane).
fn truncate_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::styled(
        truncate(&text, width),
        line.spans.last().map(|s| s.style).unwrap_or_default(),
    )
}

/// Shown while a big body is laid out elsewhere: the title and a line saying so.
pub fn placeholder_page(library: &Library, index: usize, theme: &Theme, width: u16) -> Page {
    let item = &library.items[index];
    let w = usize::from(width);
    let mut lines = title_lines(item, theme, w);
    let kb = item.body.len() / 1024;
    lines.extend(wrap_lines(
        &[Line::styled(format!("Laying out {kb} KB…"), theme.notice)],
        w,
    ));
    let body_start = lines.len();
    Page::plain(PageKey::Item(index), width, lines, body_start)
}

fn no_text_notice(item: &Item, theme: &Theme) -> Line<'static> {
    let what = match item.kind {
        ItemKind::Post => "post",
        ItemKind::Bookmark => "bookmark",
    };
    let tail = if item.url.is_some() {
        ""
    } else {
        " and no link was saved with it"
    };
    Line::styled(
        format!("No text is stored offline for this {what}{tail}."),
        theme.notice,
    )
}

/// An overview of a category: its path, counts, description and sub-categories.
pub fn category_page(
    library: &Library,
    id: CategoryId,
    unread: &dyn Fn(CategoryId) -> usize,
    theme: &Theme,
    width: u16,
) -> Page {
    let w = usize::from(width);
    let node = library.category(id);
    let mut lines = wrap_lines(&[Line::styled(node.name.clone(), theme.header_title)], w);
    lines.push(Line::default());
    let path = library.category_path(id);
    if path.len() > 1 {
        push_field(
            &mut lines,
            "In",
            vec![Span::styled(
                path[..path.len() - 1].join(" › "),
                theme.header_value,
            )],
            theme.header_label,
            w,
        );
    }
    let counts = format!("{}, {} unread", items(node.total), unread(id));
    push_field(
        &mut lines,
        "Items",
        vec![Span::styled(counts, theme.header_value)],
        theme.header_label,
        w,
    );
    lines.push(Line::default());
    lines.push(Line::styled("─".repeat(w), theme.border));
    let body_start = lines.len();
    if let Some(description) = &node.description {
        lines.push(Line::default());
        lines.extend(wrap_lines(&render_markdown(description, theme, width), w));
    }
    if !node.children.is_empty() {
        lines.push(Line::default());
        let children: Vec<Line<'static>> = node
            .children
            .iter()
            .map(|&child| {
                let c = library.category(child);
                Line::from(vec![
                    Span::styled("• ", theme.markdown_list_marker),
                    Span::raw(c.name.clone()),
                    Span::styled(format!("  {}/{}", unread(child), c.total), theme.count),
                ])
            })
            .collect();
        lines.extend(wrap_lines(&children, w));
    }
    lines.push(Line::default());
    lines.extend(wrap_lines(
        &[Line::styled(
            "Press Enter or l to list its items, ? for help.",
            theme.header_label,
        )],
        w,
    ));
    Page::plain(PageKey::Category(id), width, lines, body_start)
}

/// The Starred node's page: what it holds and how things get there. `key` is the node's key
/// (the reader gives the node a number of its own).
pub fn starred_page(key: PageKey, counts: (usize, usize), theme: &Theme, width: u16) -> Page {
    let w = usize::from(width);
    let mut lines = wrap_lines(&[Line::styled("Starred", theme.header_title)], w);
    lines.push(Line::default());
    let (unread, all) = counts;
    push_field(
        &mut lines,
        "Items",
        vec![Span::styled(
            format!("{}, {unread} unread", items(all)),
            theme.header_value,
        )],
        theme.header_label,
        w,
    );
    lines.push(Line::default());
    lines.push(Line::styled("─".repeat(w), theme.border));
    let body_start = lines.len();
    lines.push(Line::default());
    lines.extend(wrap_lines(
        &[
            Line::raw("Items you starred to read later, from every category."),
            Line::default(),
            Line::styled(
                "s stars or unstars the selected item; is:starred finds them in search; \
                 quire list --starred lists them from the shell.",
                theme.header_label,
            ),
        ],
        w,
    ));
    Page::plain(key, width, lines, body_start)
}

/// `Label     value…` with the value's continuation lines indented under it.
fn push_field(
    lines: &mut Vec<Line<'static>>,
    label: &str,
    value: Vec<Span<'static>>,
    label_style: Style,
    width: usize,
) {
    let label_width = if width >= LABEL_WIDTH * 3 {
        LABEL_WIDTH
    } else {
        0
    };
    let wrapped = wrap_lines(
        &[Line::from(value)],
        width.saturating_sub(label_width).max(1),
    );
    for (i, mut line) in wrapped.into_iter().enumerate() {
        if label_width > 0 {
            let text = if i == 0 {
                format!("{label:<w$}", w = label_width)
            } else {
                " ".repeat(label_width)
            };
            line.spans.insert(0, Span::styled(text, label_style));
        }
        lines.push(line);
    }
}

/// "1 item", "2 items".
fn items(n: usize) -> String {
    if n == 1 {
        "1 item".to_string()
    } else {
        format!("{n} items")
    }
}

/// A passage kept, as the Highlights page lists it: its quote, its note, and whether its
/// words are still in its item.
pub type KeptEntry = (String, Option<String>, bool);

/// The Highlights node's page: every passage kept, under its item's title, with its note;
/// one whose words are gone from the item is listed all the same, and said to be.
pub fn highlights_page(
    key: PageKey,
    entries: &[(String, Vec<KeptEntry>)],
    theme: &Theme,
    width: u16,
) -> Page {
    let w = usize::from(width);
    let mut lines = wrap_lines(&[Line::styled("Highlights", theme.header_title)], w);
    lines.push(Line::default());
    let count: usize = entries.iter().map(|(_, kept)| kept.len()).sum();
    push_field(
        &mut lines,
        "Passages",
        vec![Span::styled(
            format!("{count} in {}", items(entries.len())),
            theme.header_value,
        )],
        theme.header_label,
        w,
    );
    lines.push(Line::default());
    lines.push(Line::styled("─".repeat(w), theme.border));
    let body_start = lines.len();
    let mut headings = Vec::new();
    for (title, kept) in entries {
        lines.push(Line::default());
        let title = crate::text::sanitize_line(title);
        headings.push(Heading {
            level: 2,
            text: title.clone(),
            line: lines.len(),
        });
        lines.extend(wrap_lines(
            &[Line::styled(title, theme.markdown_heading)],
            w,
        ));
        for (quote, note, found) in kept {
            let quote =
                crate::text::sanitize_line(&quote.split_whitespace().collect::<Vec<_>>().join(" "));
            let mut spans = vec![Span::styled(quote, theme.highlight)];
            if !found {
                spans.push(Span::styled(
                    "  (its words are no longer in the item)",
                    theme.notice,
                ));
            }
            // The quote bar on each of its lines, as the body draws a quote.
            for line in wrap_lines(&[Line::from(spans)], w.saturating_sub(2).max(1)) {
                let bar = format!("{} ", super::markdown::QUOTE_BAR);
                let mut spans = vec![Span::styled(bar, theme.markdown_quote)];
                spans.extend(line.spans);
                lines.push(Line::from(spans));
            }
            if let Some(note) = note {
                lines.extend(wrap_lines(
                    &[Line::from(vec![
                        Span::styled("  ✎ ", theme.note),
                        Span::styled(crate::text::sanitize_line(note), theme.note),
                    ])],
                    w,
                ));
            }
        }
    }
    lines.push(Line::default());
    lines.extend(wrap_lines(
        &[Line::styled(
            "In an item's text, v selects a passage and Enter keeps it, with a note if you \
             like; is:highlighted finds these items in search; quire highlights --markdown \
             exports them.",
            theme.header_label,
        )],
        w,
    ));
    Page {
        headings,
        ..Page::plain(key, width, lines, body_start)
    }
}
