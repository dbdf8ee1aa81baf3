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
}

/// An item's body laid out: its lines, its links in the order of their numbers, and its
/// headings (level and text) in order.
pub struct RenderedBody {
    pub lines: Vec<Line<'static>>,
    pub links: Vec<Link>,
    pub headings: Vec<(u8, String)>,
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
    let reduced = super::html::reduce_html(&bounded);
    let headings = headings_of(&reduced);
    let (numbered, mut links) = number_links(&reduced);
    if let Some(page) = page_url {
        for link in &mut links {
            if let Some(absolute) = super::links::resolve(page, &link.url) {
                link.url = absolute;
            }
        }
    }
    let mut lines = render_bounded(&numbered, theme, width);
    style_numbers(&mut lines, theme.markdown_link);
    RenderedBody {
        lines,
        links,
        headings,
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
    render_bounded(&super::bounds::bound(markdown), theme, width)
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
            line.spans
                .iter()
                .map(|s| s.content.as_ref())
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
