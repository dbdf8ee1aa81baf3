//! Firefox's bookmark backups: JSON places trees (`bookmarkbackups/*.json`, and the same
//! compressed as `*.jsonlz4`: `mozLz40\0`, the decompressed size, then one LZ4 block).

use super::json_tree::JsonNode;
use super::{Export, Folder, Format, Link, ParseError, date_from_micros, json_folder};

pub const LZ4_MAGIC: &[u8] = b"mozLz40\0";

/// A backup bigger than this once decompressed is refused: a real one with 100,000
/// bookmarks is some 30 MB, and a crafted 1 MB file can claim hundreds.
const MAX_SIZE: usize = 64 * 1024 * 1024;

const CONTAINER: &str = "text/x-moz-place-container";
const PLACE: &str = "text/x-moz-place";

/// The roots by their fixed ids, in the order Firefox's HTML export has them, with their names
/// (the backup has only internal ones: `toolbar`, `unfiled`).
const ROOTS: [(&str, &str); 4] = [
    ("menu________", "Bookmarks Menu"),
    ("toolbar_____", "Bookmarks Toolbar"),
    ("unfiled_____", "Other Bookmarks"),
    ("mobile______", "Mobile Bookmarks"),
];

pub fn is_firefox(top: &JsonNode) -> bool {
    top.kind.as_str() == CONTAINER
}

pub fn parse_lz4(bytes: &[u8]) -> Result<Export, ParseError> {
    let rest = &bytes[LZ4_MAGIC.len()..];
    let size = rest
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(|| ParseError(format!("byte {}: cut short after its header", bytes.len())))?;
    if size > MAX_SIZE {
        return Err(ParseError(format!(
            "byte 8: says it holds {} MiB once decompressed, more than a bookmarks backup \
             (at most {} MiB)",
            size >> 20,
            MAX_SIZE >> 20
        )));
    }
    let json = lz4_flex::block::decompress(&rest[4..], size).map_err(|err| {
        ParseError(format!(
            "byte 12 on: the compressed data is damaged ({err})"
        ))
    })?;
    let top = super::json_tree::parse(&json).map_err(|err| {
        ParseError(format!(
            "once decompressed, line {}, column {}: not valid JSON",
            err.line(),
            err.column()
        ))
    })?;
    if !is_firefox(&top) {
        return Err(ParseError(
            "decompressed, but not a Firefox bookmarks tree".into(),
        ));
    }
    parse(&top)
}

pub fn parse(top: &JsonNode) -> Result<Export, ParseError> {
    let children = &top.children.0;
    let mut export = Export {
        format: Format::FirefoxJson,
        roots: Vec::new(),
    };
    for (guid, name) in ROOTS {
        if let Some(root) = children.iter().find(|c| c.guid.as_str() == guid) {
            let mut folder = folder(root, 0)?;
            folder.name = name.to_string();
            export.roots.push(folder);
        }
    }
    // A backup of an unusual profile: any other top container, by its own title.
    for child in children {
        if !ROOTS.iter().any(|(g, _)| *g == child.guid.as_str()) && child.kind.as_str() == CONTAINER
        {
            export.roots.push(folder(child, 0)?);
        }
    }
    Ok(export)
}

fn folder(node: &JsonNode, depth: usize) -> Result<Folder, ParseError> {
    json_folder(
        node,
        node.title.as_str(),
        depth,
        &|child| match child.kind.as_str() {
            PLACE => Ok(Some(Link {
                title: child.title.0.clone(),
                url: child.uri.0.clone(),
                added: child
                    .date_added_1970
                    .0
                    .and_then(|micros| date_from_micros(micros, false)),
                description: description(child),
                tags: child
                    .tags
                    .as_str()
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect(),
            })),
            CONTAINER => Err(child.title.as_str()),
            _ => Ok(None),
        },
    )
}

/// Older backups keep a description among the annotations.
fn description(node: &JsonNode) -> Option<String> {
    node.annos
        .0
        .iter()
        .find(|a| a.name.as_str() == "bookmarkProperties/description")
        .map(|a| a.value.as_str().trim())
        .filter(|d| !d.is_empty())
        .map(String::from)
}

/// An LZ4 block holding `data` as literals only: valid, not small; what tests write for a
/// `.jsonlz4` backup.
pub fn lz4_literals(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 255 + 16);
    let n = data.len();
    if n < 15 {
        out.push((n as u8) << 4);
    } else {
        out.push(0xf0);
        let mut rest = n - 15;
        while rest >= 255 {
            out.push(255);
            rest -= 255;
        }
        out.push(rest as u8);
    }
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Node;

    const BACKUP: &str = r#"{"guid": "root________", "title": "", "type": "text/x-moz-place-container",
        "children": [
          {"guid": "menu________", "title": "menu", "type": "text/x-moz-place-container",
           "children": [{"title": "MDN", "type": "text/x-moz-place",
             "uri": "https://developer.mozilla.org/", "dateAdded": 1700000000000000,
             "tags": "docs,web"}]},
          {"guid": "toolbar_____", "title": "toolbar", "type": "text/x-moz-place-container",
           "children": [{"title": "Recent", "type": "text/x-moz-place",
             "uri": "place:sort=8&maxResults=10"},
             {"type": "text/x-moz-place-separator"}]}
        ]}"#;

    #[test]
    fn a_backup_reads_with_roots_named_tags_and_dates() {
        let export = super::super::parse(BACKUP.as_bytes()).expect("parses");
        assert_eq!(export.format, Format::FirefoxJson);
        let names: Vec<&str> = export.roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Bookmarks Menu", "Bookmarks Toolbar"]);
        let Node::Link(mdn) = &export.roots[0].children[0] else {
            panic!("a link")
        };
        assert_eq!(mdn.tags, ["docs", "web"]);
        assert_eq!(mdn.added, crate::content::Date::new(2023, 11, 14));
    }

    #[test]
    fn the_compressed_backup_reads_the_same_and_a_damaged_one_says_where() {
        let mut lz4 = LZ4_MAGIC.to_vec();
        lz4.extend_from_slice(&(BACKUP.len() as u32).to_le_bytes());
        lz4.extend(lz4_literals(BACKUP.as_bytes()));
        let plain = super::super::parse(BACKUP.as_bytes()).expect("plain");
        assert_eq!(super::super::parse(&lz4).expect("lz4"), plain);
        let cut = &lz4[..lz4.len() / 2];
        let err = super::super::parse(cut).expect_err("cut short");
        assert!(err.0.contains("damaged"), "{err}");
        let err = super::super::parse(&lz4[..10]).expect_err("no size");
        assert!(err.0.contains("cut short"), "{err}");
    }

    #[test]
    fn a_backup_claiming_hundreds_of_mib_is_refused_before_decompressing() {
        let mut lz4 = LZ4_MAGIC.to_vec();
        lz4.extend_from_slice(&(255u32 * 1024 * 1024).to_le_bytes());
        lz4.extend(lz4_literals(&[b' '; 1024]));
        let err = super::super::parse(&lz4).expect_err("refused");
        assert!(err.0.contains("255 MiB"), "{err}");
    }
}
