//! Markdown bodies → ratatui text, and → plain lines for the CLI.

use ratatui::text::Text;

pub fn render(markdown: &str) -> Text<'_> {
    tui_markdown::from_str(markdown)
}

/// The body as the reader shows it, without styles.
pub fn plain_lines(markdown: &str) -> Vec<String> {
    render(markdown)
        .lines
        .iter()
        .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}
