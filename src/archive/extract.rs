//! A web page's article, as markdown: HTML → the readable part (`dom_smoothie`, which follows
//! Mozilla's Readability) → markdown (`htmd`, through the same bounded conversion feeds use).
//! Pure: no network, no files, so it is tested and fuzzed on strings alone.

use dom_smoothie::{Config, Readability};

use crate::content::html::{MAX_HTML_DEPTH, html_depth, html_to_markdown, html_to_paragraphs};
use crate::text::{html_to_plain, sanitize, sanitize_line};

/// A page with more elements than this is not scored element by element (Readability's
/// scoring is quadratic in places on pathological pages); its text is kept as paragraphs.
/// Real articles, chrome and all, have a few thousand.
const MAX_ELEMENTS: usize = 100_000;

/// Titles, bylines and site names longer than this are cut (a page can say anything).
const MAX_LINE: usize = 300;

/// What a page says, ready to be kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    pub byline: Option<String>,
    pub site_name: Option<String>,
    /// As the page gives it (ISO 8601 mostly).
    pub published: Option<String>,
    /// The article's text: no control byte, no `javascript:` or `data:` link.
    pub markdown: String,
}

/// The article in `html`, a page fetched from `url` (relative links are made absolute
/// against it). A page nested deeper than [`MAX_HTML_DEPTH`] or too big to score keeps its
/// text, paragraph by paragraph; a page with no article found keeps its body's text.
pub fn extract(html: &str, url: &str) -> Article {
    let title_tag = || {
        let lower = html.to_ascii_lowercase();
        let start = lower.find("<title")?;
        let open_end = start + lower[start..].find('>')? + 1;
        let end = open_end + lower[open_end..].find("</title")?;
        Some(html_to_plain(&html[open_end..end]))
    };
    let deep = html_depth(html, MAX_HTML_DEPTH) > MAX_HTML_DEPTH;
    let config = Config {
        max_elements_to_parse: MAX_ELEMENTS,
        // A code block's `language-rust` tells its fence's language; markdown keeps no
        // other class.
        keep_classes: true,
        ..Config::default()
    };
    let readable = (!deep)
        .then(|| Readability::new(html, Some(url), Some(config)).ok())
        .flatten()
        .and_then(|mut r| r.parse().ok());
    let Some(found) = readable else {
        // Too deep, too big or nothing article-like: the text, without any tree built.
        let lower = html.to_ascii_lowercase();
        let body = lower.find("<body").map_or(html, |at| &html[at..]);
        return Article {
            title: line(&title_tag().unwrap_or_default()),
            markdown: clean(&html_to_paragraphs(body)),
            ..Article::default()
        };
    };
    let optional = |text: Option<String>| text.map(|t| line(&t)).filter(|t| !t.is_empty());
    Article {
        title: line(&found.title),
        byline: optional(found.byline),
        site_name: optional(found.site_name),
        published: optional(found.published_time),
        markdown: clean(&html_to_markdown(&found.content)),
    }
}

fn line(text: &str) -> String {
    crate::feeds::entry::cut(sanitize_line(text).trim(), MAX_LINE)
}

fn clean(markdown: &str) -> String {
    sanitize(markdown).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article as sites serve one: navigation, a cookie banner, a sidebar, a newsletter
    /// footer and scripts around a few paragraphs (the pages the archive's end-to-end tests
    /// serve).
    const CHROME_PAGE: &str = include_str!("../../tests/fixtures/archive/borrow.html");

    #[test]
    fn the_article_is_kept_and_the_site_chrome_is_not() {
        let article = extract(CHROME_PAGE, "https://ferris.example/posts/borrow");
        let text = &article.markdown;
        for kept in [
            "borrow checker rejects",
            "Lifetimes describe",
            "RefCell move the check",
        ] {
            assert!(text.contains(kept), "{kept} missing from:\n{text}");
        }
        for chrome in [
            "Subscribemenu",
            "cookiesconsent",
            "Acceptall",
            "Popularposts",
            "Sidebarlink",
            "newsletterfooter",
            "scriptword",
            "trackingpixel",
        ] {
            assert!(!text.contains(chrome), "{chrome} kept in:\n{text}");
        }
        assert!(
            text.contains("https://ferris.example/posts/lifetimes"),
            "relative links made absolute:\n{text}"
        );
        assert!(!text.contains("javascript"), "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
        assert!(text.contains("RefCell::new(5)"));
        assert_eq!(article.site_name.as_deref(), Some("Ferris Weekly"));
        assert!(
            article.title.contains("borrow checker helps"),
            "{article:?}"
        );
        assert_eq!(article.byline.as_deref(), Some("Ann Example"));
        assert_eq!(article.published.as_deref(), Some("2026-11-02T10:00:00Z"));
    }

    #[test]
    fn a_page_nested_past_the_bound_keeps_its_text_without_a_tree() {
        let deep = format!(
            "<html><head><title>Deep</title><script>var scriptword;</script></head><body>{}\
             <p>Deep words here.</p><script>var inlineword;</script><p>After the script.</p>\
             <p>And more.</p>{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        // On a small stack, as a worker thread has: nothing here may recurse per level.
        let article = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || extract(&deep, "https://deep.example/"))
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(article.title, "Deep");
        for kept in ["Deep words here.", "After the script.", "And more."] {
            assert!(article.markdown.contains(kept), "{kept}: {article:?}");
        }
        assert!(!article.markdown.contains("scriptword"));
        assert!(!article.markdown.contains("inlineword"));
    }

    #[test]
    fn preformatted_text_keeps_its_words_not_link_syntax() {
        let page = "<html><head><title>RFC</title></head><body><article>\
            <p>An introduction long enough to be taken for the article's text by the extraction, \
            with a few more words so that nothing here is thrown away as chrome.</p>\
            <pre>See <a href=\"https://r.example/bcp78\">BCP 78</a> and\n\
            <a href=\"https://r.example/bcp79\">BCP 79</a>.</pre>\
            <pre><code class=\"language-rust\">let a = [1](2);</code></pre></article></body></html>";
        let article = extract(page, "https://r.example/rfc");
        assert!(
            article
                .markdown
                .contains("```\nSee BCP 78 and\nBCP 79.\n```"),
            "{}",
            article.markdown
        );
        assert!(
            article.markdown.contains("```rust\nlet a = [1](2);\n```"),
            "{}",
            article.markdown
        );
    }

    #[test]
    fn a_tables_row_headers_and_a_grid_without_headers_keep_every_cell() {
        let page = "<html><head><title>Tables</title></head><body><article>\
            <p>An introduction long enough to be taken for the article's text by the extraction, \
            with a few more words so that nothing here is thrown away as chrome at all.</p>\
            <table class=\"infobox\"><tr><th colspan=\"2\">Mozilla</th></tr>\
            <tr><th scope=\"row\">Industry</th><td>Free software</td></tr>\
            <tr><th scope=\"row\">Founded</th><td>1998</td></tr></table>\
            <p>Between the tables, more words of the article to keep it one article here.</p>\
            <table><tr><td><p>Entity status</p></td><td><p>Assoc status</p></td></tr>\
            <tr><td><p>new</p></td><td><p>new | old</p></td></tr></table>\
            </article></body></html>";
        let md = extract(page, "https://t.example/").markdown;
        for kept in [
            "| Industry | Free software |",
            "| Founded | 1998 |",
            "| Entity status | Assoc status |",
            "| new | new \\| old |",
        ] {
            assert!(md.contains(kept), "{kept} in:\n{md}");
        }
    }

    #[test]
    fn hostile_bits_never_reach_the_text() {
        let page = "<html><head><title>T\u{1b}[31m</title></head><body><article>\
            <p>A long enough paragraph of honest words to be an article, with more words \
            so that it is taken as the page's content and not thrown away as chrome.</p>\
            <p><a href=\"data:text/html,evil\">data link</a> \
            <img src=\"javascript:alert(1)\" alt=\"x\"> \u{9b}31m</p></article></body></html>";
        let article = extract(page, "https://h.example/");
        assert!(!article.title.contains('\u{1b}'), "{article:?}");
        assert!(!article.markdown.contains("data:text"), "{article:?}");
        assert!(!article.markdown.contains("javascript"), "{article:?}");
        assert!(!article.markdown.contains('\u{9b}'), "{article:?}");
        assert!(article.markdown.contains("data link"));
    }
}
