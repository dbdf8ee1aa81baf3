//! Chrome's `Bookmarks` file (also Chromium, Brave, Edge, Vivaldi): JSON with `roots`
//! (`bookmark_bar`, `other`, `synced`), folders holding `children`, links holding `url`, and
//! `date_added` in microseconds since 1601.

use serde_json::Value;

use super::{Export, Folder, Format, Link, ParseError, date_from_micros, json_folder, json_text};

/// The roots in the order the browser shows them, with the name to use when one has none.
const ROOTS: [(&str, &str); 3] = [
    ("bookmark_bar", "Bookmarks bar"),
    ("other", "Other bookmarks"),
    ("synced", "Mobile bookmarks"),
];

pub fn is_chrome(value: &Value) -> bool {
    value
        .get("roots")
        .and_then(Value::as_object)
        .is_some_and(|roots| ROOTS.iter().any(|(key, _)| roots.contains_key(*key)))
}

pub fn parse(value: &Value) -> Result<Export, ParseError> {
    let roots = value
        .get("roots")
        .and_then(Value::as_object)
        .ok_or_else(|| ParseError("no `roots` object".into()))?;
    let mut export = Export {
        format: Format::ChromeJson,
        roots: Vec::new(),
    };
    for (key, fallback) in ROOTS {
        if let Some(root) = roots.get(key) {
            let mut folder = folder(root, 0)?;
            if folder.name.trim().is_empty() {
                folder.name = fallback.to_string();
            }
            export.roots.push(folder);
        }
    }
    Ok(export)
}

fn folder(value: &Value, depth: usize) -> Result<Folder, ParseError> {
    json_folder(
        value,
        "name",
        depth,
        &|child| match child.get("type").and_then(Value::as_str) {
            Some("url") => Ok(Some(Link {
                title: json_text(child, "name"),
                url: json_text(child, "url"),
                added: child
                    .get("date_added")
                    .and_then(|d| d.as_str()?.parse::<i64>().ok())
                    .and_then(|micros| date_from_micros(micros, true)),
                description: None,
                tags: Vec::new(),
            })),
            Some("folder") => Err(()),
            _ => Ok(None),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Node;

    #[test]
    fn roots_folders_links_and_dates() {
        let json: Value = serde_json::from_str(
            r#"{"roots": {
                "bookmark_bar": {"type": "folder", "name": "Bookmarks bar", "children": [
                    {"type": "url", "name": "Rust", "url": "https://www.rust-lang.org/",
                     "date_added": "13345000000000000"},
                    {"type": "folder", "name": "Deep", "children": [
                        {"type": "url", "name": "", "url": "https://example.org/a"}]}]},
                "other": {"type": "folder", "name": "", "children": []},
                "synced": {"type": "folder", "name": "Mobile bookmarks", "children": []}
            }, "version": 1}"#,
        )
        .expect("json");
        assert!(is_chrome(&json));
        let export = parse(&json).expect("parses");
        let names: Vec<&str> = export.roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["Bookmarks bar", "Other bookmarks", "Mobile bookmarks"]
        );
        let Node::Link(rust) = &export.roots[0].children[0] else {
            panic!("a link")
        };
        // 13345000000000000 µs after 1601 is 2023-11-21.
        assert_eq!(rust.added, crate::content::Date::new(2023, 11, 21));
        assert!(matches!(&export.roots[0].children[1], Node::Folder(f) if f.name == "Deep"));
    }
}
