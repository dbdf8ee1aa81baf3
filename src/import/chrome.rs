//! Chrome's `Bookmarks` file (also Chromium, Brave, Edge, Vivaldi): JSON with `roots`
//! (`bookmark_bar`, `other`, `synced`), folders holding `children`, links holding `url`, and
//! `date_added` in microseconds since 1601.

use super::json_tree::JsonNode;
use super::{Export, Folder, Format, Link, ParseError, date_from_micros, json_folder};

/// The roots in the order the browser shows them, with the name to use when one has none.
const ROOTS: [&str; 3] = ["Bookmarks bar", "Other bookmarks", "Mobile bookmarks"];

pub fn parse(top: &JsonNode) -> Result<Export, ParseError> {
    let roots = top
        .roots
        .as_ref()
        .ok_or_else(|| ParseError("no `roots` object".into()))?;
    let mut export = Export {
        format: Format::ChromeJson,
        roots: Vec::new(),
    };
    for (root, fallback) in [&roots.bookmark_bar, &roots.other, &roots.synced]
        .into_iter()
        .zip(ROOTS)
    {
        if let Some(root) = root {
            let mut folder = folder(root, 0)?;
            if folder.name.trim().is_empty() {
                folder.name = fallback.to_string();
            }
            export.roots.push(folder);
        }
    }
    Ok(export)
}

fn folder(node: &JsonNode, depth: usize) -> Result<Folder, ParseError> {
    json_folder(
        node,
        node.name.as_str(),
        depth,
        &|child| match child.kind.as_str() {
            "url" => Ok(Some(Link {
                title: child.name.0.clone(),
                url: child.url.0.clone(),
                added: child
                    .date_added
                    .0
                    .and_then(|micros| date_from_micros(micros, true)),
                description: None,
                tags: Vec::new(),
            })),
            "folder" => Err(child.name.as_str()),
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
        let json: JsonNode = serde_json::from_str(
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
        assert!(json.roots.is_some());
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
