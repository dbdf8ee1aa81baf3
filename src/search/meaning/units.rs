//! The units of an item that search by meaning compares with a query, one idea each: the
//! title, the description (with the title, which it often leans on), and each paragraph or
//! list item of the body (code left out). A unit is kept as its markdown, link targets
//! taken off (their words are addresses, not ideas): the embedding skips the marks, and only
//! the unit shown is made plain text (`Unit::plain`), not every unit looked at.

use std::borrow::Cow;

use crate::content::Item;
use crate::search::snippet::plain_line;
use crate::search::tokenize::words;

/// One unit, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// 0-based first line of the body it comes from; `None` for the title and description.
    pub line: Option<usize>,
    /// Its markdown (plain text for the title and description), link targets off.
    pub text: String,
}

impl Unit {
    /// As the reader sees it: markup off.
    pub fn plain(&self) -> Cow<'_, str> {
        match self.line {
            Some(_) => Cow::Owned(plain_line(&self.text)),
            None => Cow::Borrowed(&self.text),
        }
    }
}

/// `text` without the targets of its inline links (`[docs](https://…)` keeps `[docs]`).
fn without_link_targets(text: &str) -> Cow<'_, str> {
    if !text.contains("](") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..=at]);
        let after = &rest[at + 2..];
        // The target ends at the `)` that balances its `(` (urls may hold parentheses).
        let mut depth = 1usize;
        let close = after.char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        match close {
            Some(close) => rest = &after[close + 1..],
            None => {
                // Not a link after all: kept as written.
                out.push('(');
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
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
    // One pass over the lines, no more than the units asked for: this runs for each of the
    // items a query looks at closely, on every keystroke.
    let mut block: Option<(usize, String)> = None;
    let mut in_code = false;
    let push = |block: Option<(usize, String)>, out: &mut Vec<Unit>| {
        if let Some((line, text)) = block {
            let text = without_link_targets(&text).into_owned();
            if words(&text).nth(2).is_some() {
                out.push(Unit {
                    line: Some(line),
                    text,
                });
            }
        }
    };
    for (n, line) in item.body.lines().enumerate() {
        if out.len() >= max {
            return out;
        }
        let content = line.trim_start_matches([' ', '\t', '>']).trim_end();
        if content.starts_with("```") || content.starts_with("~~~") {
            in_code = !in_code;
            push(block.take(), &mut out);
            continue;
        }
        // A link's definition (`[docs]: https://…`) is an address, not an idea: no unit.
        if in_code || content.is_empty() || is_link_definition(content) {
            push(block.take(), &mut out);
            continue;
        }
        match &mut block {
            Some((_, text)) if !starts_block(content) => {
                text.push('\n');
                text.push_str(line);
            }
            _ => {
                push(block.take(), &mut out);
                block = Some((n, line.to_string()));
            }
        }
    }
    if out.len() < max {
        push(block, &mut out);
    }
    out
}

/// A reference link's definition, `[label]: target` (a footnote's, `[^1]: text`, is a
/// sentence, and not one).
fn is_link_definition(content: &str) -> bool {
    content
        .strip_prefix('[')
        .filter(|rest| !rest.starts_with('^'))
        .and_then(|rest| rest.find("]:").map(|end| &rest[end + 2..]))
        .is_some_and(|target| target.is_empty() || target.starts_with([' ', '\t']))
}

/// A line that begins a unit of its own: a list item, a heading or a table row.
fn starts_block(content: &str) -> bool {
    let numbered = content.split_once(". ").is_some_and(|(d, _)| {
        !d.is_empty() && d.len() <= 3 && d.bytes().all(|b| b.is_ascii_digit())
    });
    content.starts_with(['#', '|'])
        || ["- ", "* ", "+ "].iter().any(|m| content.starts_with(m))
        || numbered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ItemKind;

    fn item(body: &str) -> Item {
        Item {
            title: "Hedging requests".into(),
            description: Some("Send a second request to cut the tail".into()),
            ..Item::for_test("x", ItemKind::Bookmark, body)
        }
    }

    #[test]
    fn paragraphs_and_list_items_are_units_code_is_not() {
        let it = item(
            "> Key insights:\n>\n> - First idea stated in words\n>   wrapped on two lines\n> - Second idea, also long enough\n\n```\nlet code = here and there;\n```\n\nA closing paragraph of prose.\n",
        );
        let u = units(&it, 64);
        let plain: Vec<String> = u.iter().map(|u| u.plain().into_owned()).collect();
        let texts: Vec<&str> = plain.iter().map(String::as_str).collect();
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
    fn link_targets_are_not_part_of_a_unit() {
        let it = item("- Read [the docs](https://example.com/a_(b)) and [more](x) here\n");
        let u = units(&it, 64);
        assert_eq!(u[2].text, "- Read [the docs] and [more] here");
        assert!(!u[2].plain().contains("example"));
        assert_eq!(without_link_targets("no links"), "no links");
        assert_eq!(without_link_targets("cut [a](http://x"), "cut [a](http://x");
    }

    #[test]
    fn a_links_definition_is_no_unit_and_a_footnote_is_one() {
        let it = item(
            "As [Jakub Beránek] said, with [docs][d].\n[Jakub Beránek]: https://github.com/Kobzol\n[d]:\n\n[^1]: A footnote that says something real.\n",
        );
        let texts: Vec<String> = units(&it, 64).iter().map(|u| u.text.clone()).collect();
        assert_eq!(
            texts[2..],
            [
                "As [Jakub Beránek] said, with [docs][d].",
                "[^1]: A footnote that says something real."
            ],
            "{texts:?}"
        );
        assert!(is_link_definition("[a b]: <https://x>"));
        assert!(!is_link_definition("[not] a definition"));
    }

    #[test]
    fn the_count_is_bounded() {
        let body = "- one more idea here\n".repeat(500);
        assert_eq!(units(&item(&body), 10).len(), 10);
    }
}
