//! The units of an item that search by meaning compares with a query, one idea each: the
//! title, the description (with the title, which it often leans on), and each paragraph or
//! list item of the body as the reader sees it (markup off, code left out).

use crate::content::Item;
use crate::search::snippet::{block_around, plain_line};

/// One unit, as plain text, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// 0-based first line of the body it comes from; `None` for the title and description.
    pub line: Option<usize>,
    pub text: String,
}

/// The item's first `max` units. A body's unit needs three words (a heading of one or two
/// says little on its own, and the title covers it).
pub fn units(item: &Item, max: usize) -> Vec<Unit> {
    let mut out = vec![Unit {
        line: None,
        text: item.title.clone(),
    }];
    if let Some(d) = item.description.as_deref().filter(|d| !d.trim().is_empty()) {
        out.push(Unit {
            line: None,
            text: format!("{}. {d}", item.title),
        });
    }
    let lines: Vec<&str> = item.body.lines().collect();
    let mut n = 0;
    let mut in_code = false;
    while n < lines.len() && out.len() < max {
        let trimmed = lines[n].trim_start_matches([' ', '>']).trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
            n += 1;
            continue;
        }
        if in_code || trimmed.is_empty() {
            n += 1;
            continue;
        }
        let (first, last) = block_around(&lines, n);
        let last = last.max(n);
        let text = plain_line(&lines[first.max(n)..=last].join("\n"));
        if text.split_whitespace().count() >= 3 {
            out.push(Unit {
                line: Some(n),
                text,
            });
        }
        n = last + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{CategoryId, ItemKind, SourceRef};

    fn item(body: &str) -> Item {
        Item {
            id: "x".into(),
            kind: ItemKind::Bookmark,
            title: "Hedging requests".into(),
            url: None,
            date: None,
            weight: None,
            authors: Vec::new(),
            tags: Vec::new(),
            description: Some("Send a second request to cut the tail".into()),
            body: body.into(),
            category: CategoryId(0),
            source: SourceRef {
                path: std::path::Path::new("x.md").into(),
                line: 1,
            },
        }
    }

    #[test]
    fn paragraphs_and_list_items_are_units_code_is_not() {
        let it = item(
            "> Key insights:\n>\n> - First idea stated in words\n>   wrapped on two lines\n> - Second idea, also long enough\n\n```\nlet code = here and there;\n```\n\nA closing paragraph of prose.\n",
        );
        let u = units(&it, 64);
        let texts: Vec<&str> = u.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts[0], "Hedging requests");
        assert_eq!(
            texts[1],
            "Hedging requests. Send a second request to cut the tail"
        );
        assert!(
            texts.contains(&"First idea stated in words wrapped on two lines"),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.starts_with("Second idea")),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"A closing paragraph of prose."),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.contains("code")), "{texts:?}");
        assert_eq!(u[2].line, Some(2));
    }

    #[test]
    fn the_count_is_bounded() {
        let body = "- one more idea here\n".repeat(500);
        assert_eq!(units(&item(&body), 10).len(), 10);
    }
}
