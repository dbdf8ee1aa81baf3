//! Front matter: the metadata block at the top of a markdown file.
//!
//! TOML between `+++` lines is the native format (Zola, Hugo). YAML between `---` lines (Hugo,
//! Jekyll) is read too, by a YAML 1.2 parser, so existing sites load unchanged. Both end up as
//! a TOML table, from which [`FrontMatter`] picks the fields Quire knows, leniently: a
//! field of the wrong type is reported and skipped, unknown fields are ignored.

use toml::{Table, Value};

use super::date::Date;
use super::diagnostic::line_of;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A file cut into its front matter and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Option<Format>,
    /// The text between the fences (empty when there is no front matter).
    pub front: &'a str,
    /// 1-based line of the first line of `front`.
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line of the first line of `body`.
    pub body_line: usize,
}

/// A front matter block was opened but never closed; the whole file is then the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    pub fence: &'static str,
}

/// Splits `text` at its front matter fences. The opening fence must be the first line.
pub fn split_front_matter(text: &str) -> Result<Split<'_>, Unclosed> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let none = Split {
        format: None,
        front: "",
        front_line: 1,
        body: text_no_bom,
        body_line: 1,
    };
    let (fence, format) = match first_line(text_no_bom) {
        "+++" => ("+++", Format::Toml),
        "---" => ("---", Format::Yaml),
        _ => return Ok(none),
    };
    let after_open = &text_no_bom[next_line_start(text_no_bom, 0)..];
    let mut offset = 0;
    while offset < after_open.len() || offset == 0 {
        let line = first_line(&after_open[offset..]);
        if line.trim_end() == fence {
            let front = &after_open[..offset];
            let body_start = next_line_start(after_open, offset);
            let body = &after_open[body_start..];
            let body_line = 2 + front.matches('\n').count() + 1;
            return Ok(Split {
                format: Some(format),
                front,
                front_line: 2,
                body,
                body_line,
            });
        }
        let next = next_line_start(after_open, offset);
        if next == offset {
            break;
        }
        offset = next;
    }
    if format == Format::Yaml {
        // A lone `---` at the top is a thematic break in plain markdown, not front matter.
        return Ok(none);
    }
    Err(Unclosed { fence })
}

fn first_line(text: &str) -> &str {
    let line = text.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn next_line_start(text: &str, from: usize) -> usize {
    match text[from..].find('\n') {
        Some(pos) => from + pos + 1,
        None => text.len(),
    }
}

/// The fields Quire reads from front matter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<Date>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// Zola's `path`; a `YYYY/MM/DD` in it dates the post.
    pub path: Option<String>,
    /// `"bookmarks"` marks a bookmark collection; `"post"` forces a post.
    pub kind: Option<String>,
    /// Zola's and Hugo's `weight`: orders undated posts (lower first).
    pub weight: Option<i64>,
    /// Jekyll's categories, all of them (its permalinks hold every one).
    pub categories: Vec<String>,
    /// A draft: `draft = true`, Jekyll's `published: false`.
    pub draft: bool,
    /// A page the site never renders (Hugo's `headless = true`, `build.render = "never"`).
    pub unrendered: bool,
    /// Hugo's `cascade` makes every page below unrendered (in a section's `_index.md`).
    pub cascade_unrendered: bool,
}

/// A problem inside front matter, with its 1-based line in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub line: usize,
    pub message: String,
}

/// Parses the front matter of a split file. Problems are returned beside whatever could be read.
pub fn parse_front_matter(
    split: &Split<'_>,
    context: &super::context::LoadContext,
) -> (FrontMatter, Vec<FieldProblem>) {
    let mut problems = Vec::new();
    let table = match split.format {
        None => return (FrontMatter::default(), problems),
        Some(Format::Toml) => match split.front.parse::<Table>() {
            Ok(table) => table,
            Err(err) => {
                let at = err.span().map_or(0, |span| span.start);
                problems.push(FieldProblem {
                    line: split.front_line + line_of(split.front, at) - 1,
                    message: format!("invalid TOML front matter: {}", err.message().trim()),
                });
                return (FrontMatter::default(), problems);
            }
        },
        Some(Format::Yaml) => yaml_table(split.front, split.front_line, &mut problems),
    };
    let mut fields = Fields {
        table: &table,
        split,
        problems: &mut problems,
    };
    let taxonomies = table.get("taxonomies").and_then(Value::as_table);

    let mut front = FrontMatter {
        title: fields.string("title"),
        date: fields.date("date"),
        authors: fields.strings("authors"),
        tags: fields.strings("tags"),
        category: fields.string("category"),
        description: fields.string("summary"),
        url: fields.string("url"),
        // Jekyll's `permalink` is where the site publishes the page, as Zola's `path` is.
        path: match fields.string("path") {
            None if context.is_jekyll() => fields.string("permalink"),
            path => path,
        },
        kind: fields.string("kind"),
        weight: fields.integer("weight"),
        categories: Vec::new(),
        draft: false,
        unrendered: false,
        cascade_unrendered: false,
    };
    let is = |key: &str, value: bool| table.get(key).and_then(Value::as_bool) == Some(value);
    front.draft = is("draft", true) || is("published", false);
    front.unrendered = is("headless", true) || never_rendered(&table);
    // `cascade` is a table, or a list of them (each for some pages: all are taken as meant
    // for every page below).
    front.cascade_unrendered = match table.get("cascade") {
        Some(Value::Table(cascade)) => never_rendered(cascade),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_table).any(never_rendered),
        _ => false,
    };
    if front.date.is_none() && !table.contains_key("date") {
        front.date = fields.date("publishDate");
    }
    if front.authors.is_empty() {
        front.authors = match table.get("author") {
            // Jekyll and Hugo themes write `author: {name: …, email: …}`.
            Some(Value::Table(author)) => author
                .get("name")
                .and_then(Value::as_str)
                .map(|name| vec![name.to_string()])
                .unwrap_or_default(),
            _ => fields.strings("author"),
        };
    }
    if split.format == Some(Format::Yaml) {
        // Jekyll reads a string of categories or tags as space-separated words; Hugo and
        // everyone else read `tags: machine learning` as one tag.
        if let Some(Value::String(words)) = table.get("tags")
            && context.is_jekyll()
        {
            front.tags = words.split_whitespace().map(str::to_string).collect();
        }
        if table.get("category").is_none() {
            let categories = match table.get("categories") {
                Some(Value::String(words)) if context.is_jekyll() => {
                    words.split_whitespace().map(str::to_string).collect()
                }
                _ => fields.strings("categories"),
            };
            // A post is filed under one category, its first; the others are kept as tags, so
            // `tag:` still finds it by them.
            front.categories = categories.clone();
            let mut categories = categories.into_iter();
            if let Some(first) = categories.next() {
                front.category = Some(first);
            }
            for more in categories {
                if !front.tags.contains(&more) {
                    front.tags.push(more);
                }
            }
        }
    }
    if front.description.is_none() {
        front.description = fields.string("description");
    }
    if front.url.is_none() {
        front.url = fields.string("source");
    }
    if front.category.is_none() {
        front.category = fields.strings("categories").into_iter().next();
    }
    if let Some(tax) = taxonomies {
        let list = |key: &str| -> Vec<String> {
            tax.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        if front.tags.is_empty() {
            front.tags = list("tags");
        }
        if front.category.is_none() {
            front.category = list("categories").into_iter().next();
        }
    }
    problems.sort_by_key(|p| p.line);
    // Titles and descriptions written as HTML (Jekyll's `Kafka&#39;s <i>The Trial</i>`) are
    // shown and searched as what they say.
    front.title = front
        .title
        .map(|t| crate::text::html_inline_to_text(&t).into_owned());
    front.description = front
        .description
        .map(|d| crate::text::html_inline_to_text(&d).into_owned());
    (front, problems)
}

/// Hugo's `build.render = "never"` (or `_build.render = false`, its older spelling).
fn never_rendered(table: &Table) -> bool {
    ["build", "_build"].iter().any(|key| {
        table
            .get(*key)
            .and_then(Value::as_table)
            .and_then(|build| build.get("render"))
            .is_some_and(|render| {
                render.as_bool() == Some(false) || render.as_str() == Some("never")
            })
    })
}

struct Fields<'t, 's, 'p> {
    table: &'t Table,
    split: &'t Split<'s>,
    problems: &'p mut Vec<FieldProblem>,
}

impl Fields<'_, '_, '_> {
    fn complain(&mut self, key: &str, expected: &str) {
        let line = key_line(self.split, key);
        self.problems.push(FieldProblem {
            line,
            message: format!("`{key}` should be {expected}; ignored"),
        });
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.table.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Integer(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => {
                self.complain(key, "a string");
                None
            }
        }
    }

    /// A string, or an array of strings; a single string becomes a one-element list.
    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.table.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(values)) if values.iter().all(Value::is_str) => values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                self.complain(key, "a string or an array of strings");
                Vec::new()
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        match self.table.get(key)? {
            Value::Integer(i) => Some(*i),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => s.trim().parse().ok(),
            _ => {
                self.complain(key, "an integer");
                None
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<Date> {
        let parsed = match self.table.get(key)? {
            Value::Datetime(dt) => dt.date.and_then(|d| Date::new(d.year, d.month, d.day)),
            Value::String(s) => Date::parse(s),
            _ => None,
        };
        if parsed.is_none() {
            self.complain(key, "a date like 2024-03-01");
        }
        parsed
    }
}

/// Best-effort line of `key = …` / `key: …` in the front matter, for messages.
pub fn key_line(split: &Split<'_>, key: &str) -> usize {
    let mut offset = 0;
    for line in split.front.split('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with(['=', ':'])
        {
            return split.front_line + line_of(split.front, offset) - 1;
        }
        offset += line.len() + 1;
    }
    split.front_line
}

/// Reads YAML front matter (YAML 1.2, by saphyr) into the same TOML table TOML front matter
/// gives: nulls are left out (TOML has none), nested maps and lists kept. A YAML error is
/// reported at its line; the file then loads with no fields from its front matter.
pub(crate) fn yaml_table(text: &str, first_line: usize, problems: &mut Vec<FieldProblem>) -> Table {
    use saphyr::{LoadableYamlNode, Yaml};
    // Go's YAML reader (Hugo's) takes a flow list whose `]` comes back to the first column;
    // YAML 1.2 does not. Such a file is read again with its flow lines indented.
    // Nor a quoted value whose next line starts in the first column (Jekyll's Ruby reader
    // takes both; exporters write them): read again with those lines indented.
    let docs = match Yaml::load_from_str(text)
        .or_else(|err| Yaml::load_from_str(&indent_flow_lines(text)).map_err(|_| err))
        .or_else(|err| {
            Yaml::load_from_str(&indent_quoted_lines(&indent_flow_lines(text))).map_err(|_| err)
        }) {
        Ok(docs) => docs,
        Err(err) => {
            problems.push(FieldProblem {
                line: first_line + err.marker().line().max(1) - 1,
                message: format!("invalid YAML front matter: {}", err.info()),
            });
            return Table::new();
        }
    };
    match docs.into_iter().next().map(|doc| yaml_value(&doc)) {
        Some(Some(Value::Table(table))) => table,
        // An empty block is no fields; anything but a map is not front matter.
        None | Some(None) => Table::new(),
        Some(Some(_)) => {
            problems.push(FieldProblem {
                line: first_line,
                message: "YAML front matter should be `key: value` lines; ignored".to_string(),
            });
            Table::new()
        }
    }
}

/// `text` with the lines inside an open flow collection (`[` or `{` not yet closed, quotes
/// aside) that start in the first column indented by two spaces.
fn indent_flow_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut depth = 0usize;
    for line in text.split_inclusive('\n') {
        if depth > 0 && !line.starts_with([' ', '\t']) {
            out.push_str("  ");
        }
        out.push_str(line);
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    out
}

/// `text` with the lines that go on a quoted value (`title: 'first line` … `second line'`)
/// indented when they start in the first column. A value is quoted when its first character
/// is a quote; an apostrophe inside a plain value (`title: Kafka's trial`) opens nothing.
fn indent_quoted_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut open: Option<char> = None;
    for line in text.split_inclusive('\n') {
        let mut chars = line.char_indices().peekable();
        let start = match open {
            Some(_) => {
                if !line.starts_with([' ', '\t']) {
                    out.push(' ');
                }
                0
            }
            None => {
                // Where a value starts: after `key:` or `- `, then spaces.
                let body = line.trim_start();
                let value = body
                    .strip_prefix("- ")
                    .or_else(|| body.split_once(": ").map(|(_, v)| v))
                    .map(str::trim_start);
                match value.and_then(|v| v.chars().next()) {
                    Some(q @ ('\'' | '"')) => {
                        open = Some(q);
                        line.len() - value.map_or(0, str::len) + 1
                    }
                    _ => line.len(),
                }
            }
        };
        while chars.peek().is_some_and(|(at, _)| *at < start) {
            chars.next();
        }
        while let Some((_, c)) = chars.next() {
            match (open, c) {
                (Some('"'), '\\') => {
                    chars.next();
                }
                // `''` inside single quotes is a quote, not the end.
                (Some('\''), '\'') if chars.peek().is_some_and(|(_, n)| *n == '\'') => {
                    chars.next();
                }
                (Some(q), c) if c == q => open = None,
                _ => {}
            }
        }
        out.push_str(line);
    }
    out
}

/// A YAML node as a TOML value; `None` for a null (and for the aliases saphyr leaves unresolved).
fn yaml_value(node: &saphyr::Yaml<'_>) -> Option<Value> {
    use saphyr::{Scalar, Yaml};
    Some(match node {
        Yaml::Value(Scalar::String(s)) => Value::String(s.to_string()),
        Yaml::Value(Scalar::Integer(i)) => Value::Integer(*i),
        Yaml::Value(Scalar::FloatingPoint(f)) => Value::Float(f.into_inner()),
        Yaml::Value(Scalar::Boolean(b)) => Value::Boolean(*b),
        Yaml::Value(Scalar::Null) | Yaml::Alias(_) | Yaml::BadValue => return None,
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Tagged(_, inner) => return yaml_value(inner),
        Yaml::Sequence(items) => Value::Array(items.iter().filter_map(yaml_value).collect()),
        Yaml::Mapping(map) => Value::Table(
            map.iter()
                .filter_map(|(key, value)| Some((yaml_key(key)?, yaml_value(value)?)))
                .collect(),
        ),
    })
}

fn yaml_key(key: &saphyr::Yaml<'_>) -> Option<String> {
    match yaml_value(key)? {
        Value::String(s) => Some(s),
        Value::Integer(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As a Jekyll site's file (the YAML cases are Jekyll's; plain folders and Hugo below).
    fn parse(text: &str) -> (FrontMatter, Vec<FieldProblem>) {
        let split = split_front_matter(text).expect("closed front matter");
        let jekyll = crate::content::context::LoadContext {
            generator: Some(crate::content::site::Generator::Jekyll),
        };
        parse_front_matter(&split, &jekyll)
    }

    #[test]
    fn only_jekyll_splits_a_string_of_tags_into_words() {
        let text = "---\ntags: machine learning\ncategories: data science\n---\nbody";
        let split = split_front_matter(text).expect("closed");
        for generator in [None, Some(crate::content::site::Generator::Hugo)] {
            let context = crate::content::context::LoadContext { generator };
            let (front, _) = parse_front_matter(&split, &context);
            assert_eq!(front.tags, ["machine learning"], "{generator:?}");
            assert_eq!(
                front.category.as_deref(),
                Some("data science"),
                "{generator:?}"
            );
        }
        let (front, _) = parse(text);
        assert_eq!(front.tags, ["machine", "learning", "science"]);
    }

    #[test]
    fn splits_toml_front_matter_from_the_body() {
        let split = split_front_matter("+++\ntitle = \"A\"\n+++\nBody\n").expect("closed");
        assert_eq!(split.format, Some(Format::Toml));
        assert_eq!(split.front, "title = \"A\"\n");
        assert_eq!(split.body, "Body\n");
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn file_without_front_matter_is_all_body() {
        let split = split_front_matter("# Title\n\ntext").expect("no fence");
        assert_eq!(split.format, None);
        assert_eq!(split.body, "# Title\n\ntext");
    }

    #[test]
    fn unclosed_toml_fence_is_an_error_and_lone_dashes_are_a_rule() {
        assert_eq!(
            split_front_matter("+++\ntitle = 1\n"),
            Err(Unclosed { fence: "+++" })
        );
        let split = split_front_matter("---\n\ntext").expect("thematic break");
        assert_eq!(split.format, None);
    }

    #[test]
    fn handles_crlf_and_byte_order_mark() {
        let split =
            split_front_matter("\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nBody").expect("closed");
        assert_eq!(split.body, "Body");
        assert_eq!(
            parse_front_matter(&split, &Default::default())
                .0
                .title
                .as_deref(),
            Some("A")
        );
    }

    #[test]
    fn reads_zola_and_hugo_fields() {
        let (front, problems) = parse(
            "+++\ntitle = \"T\"\ndate = 2024-03-01\nauthors = [\"Ann\"]\ndescription = \"D\"\n\
             [taxonomies]\ntags = [\"rust\"]\ncategories = [\"Dev\"]\n[extra]\nx = 1\n+++\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.title.as_deref(), Some("T"));
        assert_eq!(front.date, Date::new(2024, 3, 1));
        assert_eq!(front.authors, vec!["Ann"]);
        assert_eq!(front.tags, vec!["rust"]);
        assert_eq!(front.category.as_deref(), Some("Dev"));
        assert_eq!(front.description.as_deref(), Some("D"));
    }

    #[test]
    fn malformed_toml_names_the_line() {
        let (_, problems) = parse("+++\ntitle = \"ok\"\ndate = = 3\n+++\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("invalid TOML"));
    }

    #[test]
    fn wrong_types_are_reported_and_skipped() {
        let (front, problems) = parse("+++\ntitle = \"T\"\ntags = 3\ndate = \"soon\"\n+++\n");
        assert_eq!(front.title.as_deref(), Some("T"));
        assert!(front.tags.is_empty());
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4]);
    }

    #[test]
    fn reads_yaml_as_a_yaml_parser_does() {
        let (front, problems) = parse(
            "---\nlayout: post\ntitle: >\n  A folded\n  title\ndescription: |\n  Line one\n  \
             Line two\naliases: [\n  /old/,\n  /older/\n]\nauthor:\n  name: Ada\n  email: a@b\n\
             categories: rust async\ntags: [tokio]\npublished: true\nempty:\n---\nbody",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.title.as_deref(), Some("A folded title\n"));
        assert_eq!(front.description.as_deref(), Some("Line one\nLine two\n"));
        assert_eq!(front.authors, ["Ada"]);
        // Jekyll's space-separated categories: filed under the first, the rest are tags.
        assert_eq!(front.category.as_deref(), Some("rust"));
        assert_eq!(front.tags, ["tokio", "async"]);
        let (front, _) = parse("---\ntags: rust cli\ncategories:\n  - Web\n  - Rust\n---\n");
        assert_eq!(front.tags, ["rust", "cli", "Rust"]);
        assert_eq!(front.category.as_deref(), Some("Web"));
    }

    #[test]
    fn a_flow_list_closed_in_the_first_column_reads_as_hugo_reads_it() {
        let (front, problems) = parse(
            "---\ntitle: Template types\naliases: [\n  '/templates/base/',\n  '/a[1]/',\n]\n\
             tags: [a,\nb]\nweight: 30\n---\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.title.as_deref(), Some("Template types"));
        assert_eq!(front.tags, ["a", "b"]);
        assert_eq!(front.weight, Some(30));
    }

    #[test]
    fn a_yaml_error_names_its_line_and_the_file_still_loads() {
        let (front, problems) = parse("---\ntitle: Fine\ntags: [a, b\ndate: 2024-01-01\n---\nbody");
        assert_eq!(front, FrontMatter::default());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].message.starts_with("invalid YAML front matter"),
            "{problems:?}"
        );
        assert!((3..=5).contains(&problems[0].line), "{problems:?}");
        let (_, problems) = parse("---\n- just\n- a list\n---\n");
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn reads_flat_yaml() {
        let (front, problems) = parse(
            "---\nlayout: post\ntitle: \"Hello: world\"\ndate: 2023-03-20 10:00\ntags: [a, b]\n\
             categories:\n  - Rust\n  - Misc\nauthor: Jo # me\nparams:\n  nested: 1\n---\nbody",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(front.title.as_deref(), Some("Hello: world"));
        assert_eq!(front.date, Date::new(2023, 3, 20));
        assert_eq!(front.tags, vec!["a", "b", "Misc"]);
        assert_eq!(front.category.as_deref(), Some("Rust"));
        assert_eq!(front.authors, vec!["Jo"]);
    }

    #[test]
    fn a_quoted_value_going_on_in_the_first_column_is_read_as_jekyll_reads_it() {
        let text = "title: 'What do these words have in common:<br/> \nFetus, transgender, diversity'\ndate: '2017-12-16 10:02:00 -07:00'\nauthor: \"A. \\\"Quoted\\\"\n Writer\"\nnote: 'it''s\nfine'\n";
        let mut problems = Vec::new();
        let table = yaml_table(text, 2, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            table.get("title").and_then(Value::as_str),
            Some("What do these words have in common:<br/> Fetus, transgender, diversity")
        );
        assert!(table.get("date").is_some());
        assert_eq!(
            table.get("author").and_then(Value::as_str),
            Some("A. \"Quoted\" Writer")
        );
        assert_eq!(table.get("note").and_then(Value::as_str), Some("it's fine"));
        // An apostrophe in a plain value opens nothing: a broken file stays broken, said so,
        // rather than read with its next keys swallowed.
        let mut problems = Vec::new();
        let table = yaml_table(
            "title: Kafka's trial\ntags: [a, b\nc: d\n",
            2,
            &mut problems,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(table.is_empty());
    }
}
