//! The query language: words, `"exact phrases"`, `-excluded` words and filters
//! (`is:unread`, `is:read`, `kind:post`, `kind:bookmark`, `in:NAME`, `tag:NAME`), and
//! `like:ID` (the items nearest in meaning to one item).

use super::tokenize::{lower, words};
use crate::content::ItemKind;

/// The filters there are, as the error for an unknown one lists them.
pub const FILTERS: &str = "is:unread, is:read, is:starred, is:highlighted, kind:post, kind:bookmark, in:CATEGORY, tag:NAME, like:ID";

/// A query that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A filter whose value is none of those it takes.
    #[error("unknown filter {0:?}; the filters are {FILTERS} (values may be shortened: is:u)")]
    UnknownFilter(String),
    /// `-like:ID`: the items nearest to one cannot be left out (exclude words instead).
    #[error("{0:?}: like:ID lists the items nearest to one item; it cannot be excluded")]
    ExcludedLike(String),
    /// Two `like:` terms: one item at a time.
    #[error("{0:?}: one like:ID at a time")]
    SecondLike(String),
}

impl QueryError {
    /// The term of the query at fault, as typed.
    pub fn token(&self) -> &str {
        match self {
            QueryError::UnknownFilter(t)
            | QueryError::ExcludedLike(t)
            | QueryError::SecondLike(t) => t,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Read(bool),
    /// Starred (to read later) or not.
    Starred(bool),
    /// Holding a highlight of the user's.
    Highlighted(bool),
    /// A link found dead by the archive (`quire archive`), or not.
    Dead(bool),
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
    /// `like:ID`: the items nearest in meaning to this one, nearest first (the words and
    /// filters choose among them).
    pub like: Option<String>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phrases.is_empty()
            && self.excluded.is_empty()
            && self.filters.is_empty()
            && self.like.is_none()
    }
}

/// Parses a query; a filter key (`is:`, `kind:`) with a value it does not take is an error.
/// A value may be shortened to any unambiguous start (`is:u`, `kind:b`); an empty one (`is:`,
/// still being typed) is left out.
pub fn parse_query(text: &str) -> Result<Query, QueryError> {
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
        if let Some((key, id)) = body.split_once(':')
            && key.eq_ignore_ascii_case("like")
        {
            if negated {
                return Err(QueryError::ExcludedLike(token.to_string()));
            }
            // An item's id, as `quire list` prints it (ids are case-sensitive paths).
            let id = id.trim_matches('"');
            if !id.is_empty() {
                if query.like.is_some() {
                    return Err(QueryError::SecondLike(body.to_string()));
                }
                query.like = Some(id.to_string());
            }
            continue;
        }
        if !negated {
            match filter(body) {
                Parsed::Filter(filter) => {
                    query.filters.push(filter);
                    continue;
                }
                Parsed::Unfinished => continue,
                Parsed::Unknown => {
                    return Err(QueryError::UnknownFilter(body.to_string()));
                }
                Parsed::NotAFilter => {}
            }
        }
        let target = if negated {
            &mut query.excluded
        } else {
            &mut query.words
        };
        target.extend(words(body).map(|(_, w)| lower(w)));
    }
    Ok(query)
}

enum Parsed {
    Filter(Filter),
    /// A filter key with no value yet.
    Unfinished,
    /// A filter key with a value it does not take.
    Unknown,
    /// Words (`https://x.org`, `foo:bar`).
    NotAFilter,
}

fn filter(token: &str) -> Parsed {
    let Some((key, value)) = token.split_once(':') else {
        return Parsed::NotAFilter;
    };
    let value = value.trim_matches('"');
    let key = key.to_ascii_lowercase();
    let choices: &[(&str, Filter)] = match key.as_str() {
        "is" => &[
            ("unread", Filter::Read(false)),
            ("new", Filter::Read(false)),
            ("read", Filter::Read(true)),
            ("starred", Filter::Starred(true)),
            ("highlighted", Filter::Highlighted(true)),
            ("dead", Filter::Dead(true)),
        ],
        "kind" | "type" => &[
            ("post", Filter::Kind(ItemKind::Post)),
            ("bookmark", Filter::Kind(ItemKind::Bookmark)),
        ],
        "in" | "tag" if value.is_empty() => return Parsed::Unfinished,
        "in" => return Parsed::Filter(Filter::In(lower(value))),
        "tag" => return Parsed::Filter(Filter::Tag(lower(value.trim_start_matches('#')))),
        _ => return Parsed::NotAFilter,
    };
    if value.is_empty() {
        return Parsed::Unfinished;
    }
    let value = value.to_ascii_lowercase();
    // `kind:bookmarks` as well as `kind:bookmark`.
    let singular = value.strip_suffix('s').filter(|v| !v.is_empty());
    let mut found = choices
        .iter()
        .filter(|(name, _)| name.starts_with(value.as_str()) || Some(*name) == singular);
    match (found.next(), found.next()) {
        (Some((_, f)), None) => Parsed::Filter(f.clone()),
        // Shortened to the start of two (`is:` has none such; kept for new values).
        (Some((_, a)), Some((_, b))) if a == b => Parsed::Filter(a.clone()),
        _ => Parsed::Unknown,
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
        let q = parse_query("CoDel LIFO kafka-delta").unwrap();
        assert_eq!(q.words, ["codel", "lifo", "kafka", "delta"]);
    }

    #[test]
    fn phrases_exclusions_and_filters() {
        let q = parse_query(
            r#""load shedding" -redis is:unread kind:bookmarks in:"Case Studies" tag:#rust"#,
        )
        .unwrap();
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
        let q = parse_query("https://x.org foo:bar -").unwrap();
        assert_eq!(q.words, ["https", "x", "org", "foo", "bar"]);
        assert!(q.filters.is_empty());
    }

    #[test]
    fn like_takes_one_item_and_cannot_be_excluded() {
        let q = parse_query("like:\"howdy/sccache\" cargo").unwrap();
        assert_eq!(q.like.as_deref(), Some("howdy/sccache"));
        assert_eq!(q.words, ["cargo"]);
        // Still being typed: left out, as `is:` is.
        assert_eq!(parse_query("like:").unwrap().like, None);
        assert_eq!(parse_query("like:\"").unwrap().like, None);
        let err = parse_query("codel -like:a/b").unwrap_err();
        assert_eq!(err, QueryError::ExcludedLike("-like:a/b".into()));
        assert!(err.to_string().contains("cannot be excluded"), "{err}");
        let err = parse_query("like:a/b like:c/d").unwrap_err();
        assert_eq!(err.token(), "like:c/d");
        assert!(err.to_string().contains("one like:ID at a time"), "{err}");
    }

    #[test]
    fn an_unclosed_quote_takes_the_rest() {
        let q = parse_query("\"half open").unwrap();
        assert_eq!(q.phrases, ["half open"]);
    }

    #[test]
    fn unknown_filter_values_are_errors_that_list_the_filters() {
        for bad in ["is:bogus", "kind:foo", "type:xyz", "is:readx"] {
            let err = parse_query(&format!("codel {bad}")).unwrap_err();
            assert_eq!(err.token(), bad);
            let message = err.to_string();
            assert!(
                message.contains(bad) && message.contains("is:unread"),
                "{message}"
            );
        }
    }

    #[test]
    fn filter_values_may_be_shortened_and_typed_later() {
        let q = parse_query("is:u kind:b kind:posts").unwrap();
        assert_eq!(
            q.filters,
            [
                Filter::Read(false),
                Filter::Kind(ItemKind::Bookmark),
                Filter::Kind(ItemKind::Post)
            ]
        );
        let q = parse_query("codel is: in:").unwrap();
        assert_eq!(q.words, ["codel"]);
        assert!(q.filters.is_empty());
    }
}
