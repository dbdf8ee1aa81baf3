//! The query language: words, `"exact phrases"`, `-excluded` words and filters
//! (`is:unread`, `is:read`, `kind:post`, `kind:bookmark`, `in:NAME`, `tag:NAME`).

use super::tokenize::{lower, words};
use crate::content::ItemKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Read(bool),
    Kind(ItemKind),
    /// Items in a category whose name matches (fuzzily) this.
    In(String),
    Tag(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Lowercased words that must each match.
    pub words: Vec<String>,
    /// Lowercased phrases that must appear as written (their words also count as words).
    pub phrases: Vec<String>,
    /// Lowercased words that must not appear.
    pub excluded: Vec<String>,
    pub filters: Vec<Filter>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phrases.is_empty()
            && self.excluded.is_empty()
            && self.filters.is_empty()
    }
}

pub fn parse_query(text: &str) -> Query {
    let mut query = Query::default();
    for token in tokens(text) {
        let (negated, body) = match token.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => (true, rest),
            _ => (false, token.as_str()),
        };
        if let Some(phrase) = body.strip_prefix('"') {
            let phrase = lower(phrase.trim_end_matches('"').trim());
            if phrase.is_empty() {
                continue;
            }
            if negated {
                query.excluded.push(phrase);
            } else {
                query
                    .words
                    .extend(words(&phrase).map(|(_, w)| w.to_string()));
                query.phrases.push(phrase);
            }
            continue;
        }
        if !negated && let Some(filter) = filter(body) {
            query.filters.push(filter);
            continue;
        }
        let target = if negated {
            &mut query.excluded
        } else {
            &mut query.words
        };
        target.extend(words(body).map(|(_, w)| lower(w)));
    }
    query
}

fn filter(token: &str) -> Option<Filter> {
    let (key, value) = token.split_once(':')?;
    let value = value.trim_matches('"');
    if value.is_empty() {
        return None;
    }
    match key.to_ascii_lowercase().as_str() {
        "is" => match value.to_ascii_lowercase().as_str() {
            "unread" | "new" => Some(Filter::Read(false)),
            "read" => Some(Filter::Read(true)),
            _ => None,
        },
        "kind" | "type" => match value.to_ascii_lowercase().trim_end_matches('s') {
            "post" => Some(Filter::Kind(ItemKind::Post)),
            "bookmark" => Some(Filter::Kind(ItemKind::Bookmark)),
            _ => None,
        },
        "in" => Some(Filter::In(lower(value))),
        "tag" => Some(Filter::Tag(lower(value.trim_start_matches('#')))),
        _ => None,
    }
}

/// Splits on whitespace, keeping `"quoted phrases"` (and `in:"two words"`) whole.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_and_split_like_text() {
        let q = parse_query("CoDel LIFO kafka-delta");
        assert_eq!(q.words, ["codel", "lifo", "kafka", "delta"]);
    }

    #[test]
    fn phrases_exclusions_and_filters() {
        let q = parse_query(
            r#""load shedding" -redis is:unread kind:bookmarks in:"Case Studies" tag:#rust"#,
        );
        assert_eq!(q.phrases, ["load shedding"]);
        assert_eq!(q.words, ["load", "shedding"]);
        assert_eq!(q.excluded, ["redis"]);
        assert_eq!(
            q.filters,
            [
                Filter::Read(false),
                Filter::Kind(ItemKind::Bookmark),
                Filter::In("case studies".into()),
                Filter::Tag("rust".into())
            ]
        );
    }

    #[test]
    fn unknown_prefixes_are_words() {
        let q = parse_query("https://x.org foo:bar -");
        assert_eq!(q.words, ["https", "x", "org", "foo", "bar"]);
        assert!(q.filters.is_empty());
    }

    #[test]
    fn an_unclosed_quote_takes_the_rest() {
        let q = parse_query("\"half open");
        assert_eq!(q.phrases, ["half open"]);
    }
}
