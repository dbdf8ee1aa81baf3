//! Markdown → styled lines, through tui-markdown with Quire's theme; and → plain text.

use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use tui_markdown::{Options, StyleSheet};

use super::links::{Link, number_links, style_numbers};
use crate::text::sanitize;
use crate::theme::{Theme, strip_colors};

/// tui-markdown's style sheet, filled from a [`Theme`].
#[derive(Debug, Clone)]
struct Sheet {
    heading: Style,
    code: Style,
    link: Style,
    quote: Style,
    meta: Style,
}

impl Sheet {
    fn new(theme: &Theme) -> Sheet {
        Sheet {
            heading: theme.markdown_heading,
            code: theme.markdown_code,
            link: theme.markdown_link,
            quote: theme.markdown_quote,
            meta: theme.list_meta,
        }
    }
}

impl StyleSheet for Sheet {
    fn heading(&self, level: u8) -> Style {
        use ratatui::style::Modifier;
        match level {
            1 => self.heading.add_modifier(Modifier::UNDERLINED),
            2 => self.heading,
            _ => self.heading.add_modifier(Modifier::ITALIC),
        }
    }
    fn code(&self) -> Style {
        self.code
    }
    fn link(&self) -> Style {
        self.link
    }
    fn blockquote(&self) -> Style {
        self.quote
    }
    fn heading_meta(&self) -> Style {
        self.meta
    }
    fn metadata_block(&self) -> Style {
        self.meta
    }
    // Marks only Quire reads, taken out again by `decorate`: a heading shows its text styled
    // by its level, never its `#`s; a code block shows as a block, never its fences.
    fn heading_marker(&self, level: u8) -> &str {
        HEADING_MARKS[usize::from(level.clamp(1, 6)) - 1]
    }
    fn code_block_fence(&self) -> &str {
        CODE_MARK
    }
}

/// Private-use characters tui-markdown is given for heading marks and code fences, so that
/// `decorate` can find and replace them: no text of a body holds them (content is sanitised,
/// and the private-use area is never produced by it) — and if one did, it would only be shown.
const HEADING_MARKS: [&str; 6] = [
    "\u{F8F1}", "\u{F8F2}", "\u{F8F3}", "\u{F8F4}", "\u{F8F5}", "\u{F8F6}",
];
const CODE_MARK: &str = "\u{F8F0}";

/// The bar before each line of a code block: the block set apart from the text around it.
/// A line too long for the pane goes on under [`CODE_CONTINUED`] (see `wrap`).
pub const CODE_GUTTER: &str = "▎ ";
/// What a quote's `>` is drawn as: a bar down its lines, no markdown mark (a highlight's quote
/// under a page is drawn with it too).
pub const QUOTE_BAR: &str = "▌";
/// What a list item's `-`, `*` or `+` is drawn as.
pub const BULLET: &str = "•";
pub const CODE_CONTINUED: &str = "▎↪";

/// An item's body laid out: its lines, its links in the order of their numbers, and its
/// headings (level and text) in order.
pub struct RenderedBody {
    pub lines: Vec<Line<'static>>,
    pub links: Vec<Link>,
    pub headings: Vec<(u8, String)>,
    /// The index in `lines` of each heading of `headings`.
    pub heading_lines: Vec<usize>,
    pub code_blocks: Vec<CodeBlock>,
}

/// A code block of a body: what its label says, its code as written (no gutter, no
/// continuation marks, for copying), and the rendered lines it takes (label included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    pub label: String,
    pub code: String,
    pub lines: std::ops::Range<usize>,
}

/// Renders an item's body with its HTML reduced to text and its links numbered where they
/// stand. A link within the site (`/configuration/security/`, `../other/`) is taken where the
/// item's own page (`page_url`) is published, as a browser would take it.
pub fn render_body(
    markdown: &str,
    page_url: Option<&str>,
    theme: &Theme,
    width: u16,
) -> RenderedBody {
    let bounded = super::bounds::bound(markdown);
    let reduced = super::html::reduce_html(&without_marks(&bounded));
    // Footnotes: superscript marks, and notes under the body apart from its links.
    let reduced = super::footnotes::footnotes(&reduced);
    let headings = headings_of(&reduced);
    let (numbered, mut links) = number_links(&reduced);
    if let Some(page) = page_url {
        for link in &mut links {
            if let Some(absolute) = super::links::resolve(page, &link.url) {
                link.url = absolute;
            }
        }
    }
    // Tables are laid out by Quire (by words, or as records), the rest by tui-markdown.
    let (marked, tables) = super::table::extract(&numbered);
    let lines = render_bounded(&marked, theme, width);
    let Decorated {
        mut lines,
        headings: heading_lines,
        code_blocks,
    } = decorate(lines, theme, &tables, width);
    style_numbers(&mut lines, theme.markdown_link);
    RenderedBody {
        lines,
        links,
        headings,
        heading_lines,
        code_blocks,
    }
}

/// Turns tui-markdown's marks into what a reader sees: a heading's mark goes, its text takes
/// its level's style (and a rule under the first two levels, which shows under NO_COLOR too);
/// a code block's opening fence becomes a quiet label (its language, and a file its info
/// string names), its closing fence goes, and each of its lines gets a gutter.
fn decorate(
    lines: Vec<Line<'static>>,
    theme: &Theme,
    tables: &[super::table::Table],
    width: u16,
) -> Decorated {
    use ratatui::style::Modifier;
    let mut out = Vec::with_capacity(lines.len());
    let mut headings = Vec::new();
    let mut code_blocks: Vec<CodeBlock> = Vec::new();
    // Inside a code block: the spans its fence line had before its mark (a quote's bars as
    // drawn, an indent), which a line of its code may repeat before the code.
    let mut in_code: Option<Vec<String>> = None;
    let marked = |line: &Line<'_>, marks: &[&str]| {
        line.spans.iter().enumerate().find_map(|(at, span)| {
            marks
                .iter()
                .position(|m| span.content.starts_with(m))
                .map(|which| (at, which))
        })
    };
    let table_style = super::table::TableStyle {
        border: theme.border,
        header: super::table::header_style(theme.header_label),
        cell: Style::default(),
    };
    for mut line in lines {
        // In a code block only the spans before its gutter are marks (a quote's, around it);
        // the code is as written, a lone `-` of a diff or a YAML list included.
        let before_code = in_code
            .as_deref()
            .map_or(line.spans.len(), |fence| code_prefix(&line.spans, fence));
        drawn_marks(&mut line.spans[..before_code]);
        // A table's mark: the table, laid out in the room the line's prefix leaves.
        if let Some(at) = line
            .spans
            .iter()
            .position(|s| super::table::mark_number(&s.content).is_some())
            && let Some(table) =
                super::table::mark_number(&line.spans[at].content).and_then(|n| tables.get(n))
        {
            let prefix: Vec<Span<'static>> = line.spans[..at].to_vec();
            let used: usize = prefix
                .iter()
                .map(|s| super::wrap::display_width(&s.content))
                .sum();
            let room = usize::from(width).saturating_sub(used).max(1);
            for table_line in super::table::render(table, room, &table_style) {
                let mut spans = prefix.clone();
                spans.extend(table_line.spans);
                out.push(Line::from(spans));
            }
            continue;
        }
        // A thematic break (`---`) is a rule across the pane, not three dashes.
        if line.spans.len() == 1 && line.spans[0].content == "---" {
            out.push(Line::styled(
                "─".repeat(usize::from(width).max(1)),
                theme.border,
            ));
            continue;
        }
        if let Some((at, level)) = marked(&line, &HEADING_MARKS) {
            line.spans.remove(at);
            let text: String = line.spans[at..]
                .iter()
                .map(|s| s.content.as_ref())
                .collect();
            let style = theme.markdown_heading.add_modifier(match level {
                0 => Modifier::BOLD | Modifier::UNDERLINED,
                1 | 2 => Modifier::BOLD,
                _ => Modifier::BOLD | Modifier::ITALIC,
            });
            for span in &mut line.spans[at..] {
                span.style = span.style.patch(style);
            }
            let prefix: Vec<Span<'static>> = line.spans[..at].to_vec();
            headings.push(out.len());
            out.push(line);
            if level < 2 {
                let rule = if level == 0 { "━" } else { "─" };
                let width = super::wrap::display_width(text.trim()).max(3);
                let mut spans = prefix;
                spans.push(Span::styled(rule.repeat(width), theme.markdown_heading));
                out.push(Line::from(spans));
            }
            continue;
        }
        if let Some((at, _)) = marked(&line, &[CODE_MARK]) {
            // The same mark opens a block and closes it.
            if in_code.take().is_some() {
                if let Some(block) = code_blocks.last_mut() {
                    block.lines.end = out.len();
                }
                continue;
            }
            in_code = Some(
                line.spans[..at]
                    .iter()
                    .map(|s| s.content.to_string())
                    .collect(),
            );
            let info = line.spans[at]
                .content
                .trim_start_matches(CODE_MARK)
                .to_string();
            let label = code_label(&info);
            code_blocks.push(CodeBlock {
                label: label.clone(),
                code: String::new(),
                lines: out.len()..out.len(),
            });
            // A block without a language has no label line (the blank before it sets it apart).
            if !label.is_empty() {
                let mut spans: Vec<Span<'static>> = line.spans[..at].to_vec();
                spans.push(Span::styled(format!("  {label}"), theme.list_meta));
                out.push(Line::from(spans));
            }
            continue;
        }
        if in_code.is_some() {
            let at = before_code;
            if let Some(block) = code_blocks.last_mut() {
                for span in &line.spans[at..] {
                    block.code.push_str(&span.content);
                }
                block.code.push('\n');
            }
            line.spans
                .insert(at, Span::styled(CODE_GUTTER, theme.border));
        } else if let Some(first) = line.spans.first_mut()
            && first.content == ": "
        {
            // A definition (`term` / `: definition`): indented under its term, as a
            // definition list reads.
            first.content = "    ".into();
        }
        out.push(line);
    }
    // A block the body left open runs to its end.
    if in_code.is_some()
        && let Some(block) = code_blocks.last_mut()
    {
        block.lines.end = out.len();
    }
    Decorated {
        lines: out,
        headings,
        code_blocks,
    }
}

/// The marks tui-markdown puts at the start of a line, drawn as a reader draws them: each
/// quote level's `>` (a span of its own, the last followed by a span of one space) as a bar,
/// and an unordered list item's marker (a span of its own ending in `- `, after the quote's)
/// as a bullet. Text that holds the same characters (`&gt;`, a lone `-` or `*` of a sentence)
/// is never those spans in that order: left as written.
fn drawn_marks(spans: &mut [Span<'static>]) {
    let bars = spans.iter().take_while(|s| s.content == ">").count();
    let mut next = 0;
    if bars > 0 {
        if spans.get(bars).is_none_or(|pad| pad.content != " ") {
            return;
        }
        for span in &mut spans[..bars] {
            span.content = QUOTE_BAR.into();
        }
        next = bars + 1;
    }
    if let Some(span) = spans.get_mut(next)
        && span.content.trim() == "-"
        && span.content.ends_with("- ")
    {
        let indent = span.content.len() - "- ".len();
        span.content = format!("{}{BULLET} ", &span.content[..indent]).into();
    }
}

/// How many of a code line's first spans stand before its code: the spans of its fence line
/// (`fence`, as drawn) when it repeats them all, else its leading indent up to as many; a
/// highlighted line of code has none, and its first tokens are code.
fn code_prefix(spans: &[Span<'_>], fence: &[String]) -> usize {
    let blank = |s: &str| !s.is_empty() && s.trim().is_empty();
    let same = |raw: &str, drawn: &str| {
        raw == drawn || (raw == ">" && drawn == QUOTE_BAR) || (blank(raw) && blank(drawn))
    };
    let repeats =
        spans.len() >= fence.len() && spans.iter().zip(fence).all(|(s, f)| same(&s.content, f));
    if repeats {
        fence.len()
    } else {
        spans
            .iter()
            .take(fence.len())
            .take_while(|s| blank(&s.content))
            .count()
    }
}

/// What [`decorate`] makes of tui-markdown's lines: the lines, the index of each heading's
/// line, and the code blocks.
struct Decorated {
    lines: Vec<Line<'static>>,
    headings: Vec<usize>,
    code_blocks: Vec<CodeBlock>,
}

/// What a code block's info string says worth showing: its language, and a file it names
/// (```` ```md {file="content/example.md"} ```` → `md · content/example.md`).
fn code_label(info: &str) -> String {
    let info = info.trim();
    let language = info.split([' ', '{', ',']).next().unwrap_or("").trim();
    let file = ["file=", "filename=", "title="].iter().find_map(|key| {
        let at = info.find(key)? + key.len();
        let rest = info[at..].trim_start_matches(['"', '\'']);
        let end = rest.find(['"', '\'', ' ', '}', ',']).unwrap_or(rest.len());
        Some(rest[..end].to_string()).filter(|f| !f.is_empty())
    });
    match (language.is_empty(), file) {
        (false, Some(file)) => format!("{language} · {file}"),
        (true, Some(file)) => file,
        (false, None) => language.to_string(),
        (true, None) => String::new(),
    }
}

/// The headings of `markdown`: level and text, in order.
fn headings_of(markdown: &str) -> Vec<(u8, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut found = Vec::new();
    let mut open: Option<(u8, String)> = None;
    for event in Parser::new_ext(markdown, super::links::parse_options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => open = Some((level as u8, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = &mut open {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => found.extend(open.take()),
            _ => {}
        }
    }
    found
}

/// Renders markdown (a category's description); `width` sizes tables to the pane.
///
/// The input is bounded first (see [`bounds`](super::bounds)); the output is sanitised again,
/// because markdown decodes character references (`&#27;` is ESC) after our loader ran. If the
/// renderer panics anyway, the body is shown as plain text instead of taking the reader down.
pub fn render_markdown(markdown: &str, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let bounded = super::bounds::bound(markdown);
    let (marked, tables) = super::table::extract(&without_marks(&bounded));
    decorate(render_bounded(&marked, theme, width), theme, &tables, width).lines
}

/// The text with the private-use characters Quire marks headings, code and tables with made
/// plain (a body holding them must not pass for a mark).
fn without_marks(text: &str) -> std::borrow::Cow<'_, str> {
    let is_mark = |c: char| ('\u{F8F0}'..='\u{F8F7}').contains(&c);
    if text.contains(is_mark) {
        std::borrow::Cow::Owned(text.replace(is_mark, "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn render_bounded(bounded: &str, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let mut options = Options::new(Sheet::new(theme)).table_width(width.max(8));
    // Code is coloured for the background it is read on: the default syntax theme is a dark
    // one, whose light greys vanish on a light terminal. (Under NO_COLOR the colours are
    // stripped below, whatever the theme.)
    if theme.name == crate::theme::ThemeName::Light {
        options = options.code_theme(tui_markdown::BuiltinCodeTheme::InspiredGitHub);
    }
    let rendered = crate::panics::quietly(|| {
        let text: Text<'_> = tui_markdown::from_str_with_options(bounded, &options);
        to_owned_lines(text, theme)
    });
    rendered.unwrap_or_else(|| {
        let mut lines = vec![Line::styled(
            "(This body could not be rendered; shown as plain text.)",
            theme.notice,
        )];
        lines.extend(bounded.lines().map(|l| Line::raw(sanitize(l).into_owned())));
        lines
    })
}

fn to_owned_lines(text: Text<'_>, theme: &Theme) -> Vec<Line<'static>> {
    text.lines
        .into_iter()
        .map(|line| {
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .map(|span| {
                    let style = if theme.colors {
                        span.style
                    } else {
                        strip_colors(span.style)
                    };
                    Span::styled(sanitize(&span.content).into_owned(), style)
                })
                .collect();
            let style = if theme.colors {
                line.style
            } else {
                strip_colors(line.style)
            };
            Line {
                spans,
                style,
                alignment: line.alignment,
            }
        })
        .collect()
}

/// The body as the reader shows it, without styles, for `quire show`: links numbered where
/// they stand and listed, whole, at the end.
pub fn plain_lines(markdown: &str, page_url: Option<&str>) -> Vec<String> {
    let RenderedBody { lines, links, .. } = render_body(markdown, page_url, &Theme::dark(), 100);
    let mut out: Vec<String> = lines
        .iter()
        .map(|line| {
            // Plain text has no gutter: code is indented, as markdown writes it.
            line.spans
                .iter()
                .map(|s| {
                    // Plain text keeps markdown's marks: `>` for a quote, `-` for an item.
                    if s.content == CODE_GUTTER {
                        "    ".into()
                    } else if s.content == QUOTE_BAR {
                        ">".into()
                    } else if s.content.trim() == BULLET && s.content.ends_with(' ') {
                        s.content.replacen(BULLET, "-", 1).into()
                    } else {
                        std::borrow::Cow::Borrowed(s.content.as_ref())
                    }
                })
                .collect::<String>()
                .replace('\t', "    ")
        })
        .collect();
    if !links.is_empty() {
        out.push(String::new());
        out.push("Links:".to_string());
        for (n, link) in links.iter().enumerate() {
            out.push(format!("[{}] {}", n + 1, link.url));
        }
    }
    out
}
