//! Browser bookmarks → a bookmark collection in the user's library.
//!
//! Each export format has a module of its own that turns the file's bytes into plain data (a
//! tree of folders and links, [`Export`]); nothing is written until that is done, so a file
//! that is none of the formats, or is cut short, changes nothing. The format is told from the
//! content, never the file name ([`parse`]). Then [`plan`](merge::plan) decides what is new
//! (a url already anywhere in the library is not added twice) and [`merge`] renders it into
//! the collection file, keeping everything the user wrote there.

pub mod browsers;
pub mod chrome;
pub mod firefox;
pub mod json_tree;
pub mod merge;
pub mod netscape;
pub mod url;

use std::fmt;

use crate::content::Date;

/// What an export holds: its top folders (the toolbar, "Other bookmarks", …) in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Export {
    pub format: Format,
    pub roots: Vec<Folder>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folder {
    pub name: String,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Folder(Folder),
    Link(Link),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// As the export has it (entities decoded); may be empty.
    pub title: String,
    pub url: String,
    pub added: Option<Date>,
    pub description: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// Chrome, Chromium, Brave, Edge: the profile's `Bookmarks` file.
    #[default]
    ChromeJson,
    /// The bookmarks.html every browser exports.
    NetscapeHtml,
    /// Firefox's backups (`bookmarkbackups/*.json`, `*.jsonlz4`).
    FirefoxJson,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::ChromeJson => "Chrome bookmarks (JSON)",
            Format::NetscapeHtml => "bookmarks HTML (Netscape format)",
            Format::FirefoxJson => "Firefox bookmarks backup (JSON)",
        })
    }
}

/// Why an export could not be read; the caller names the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

/// The formats this reads, for messages.
pub const FORMATS: &str = "a Chrome/Chromium/Brave/Edge `Bookmarks` file, a bookmarks.html \
    export, or a Firefox bookmarks backup (.json or .jsonlz4)";

/// Reads an export, whatever its format (told from the content).
pub fn parse(bytes: &[u8]) -> Result<Export, ParseError> {
    if bytes.starts_with(firefox::LZ4_MAGIC) {
        return firefox::parse_lz4(bytes);
    }
    let start = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let trimmed = start.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let top = json_tree::parse(bytes).map_err(|err| {
            ParseError(format!(
                "line {}, column {}: not valid JSON ({})",
                err.line(),
                err.column(),
                json_reason(&err)
            ))
        })?;
        if top.roots.is_some() {
            return chrome::parse(&top);
        }
        if firefox::is_firefox(&top) {
            return firefox::parse(&top);
        }
        return Err(ParseError(format!(
            "JSON, but not bookmarks: expected {FORMATS}"
        )));
    }
    if netscape::is_netscape(trimmed) {
        return netscape::parse(&String::from_utf8_lossy(bytes));
    }
    Err(ParseError(format!(
        "not a bookmarks export: expected {FORMATS}"
    )))
}

fn json_reason(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Eof => "it ends too early; the file may be cut short".into(),
        Category::Syntax if err.to_string().contains("recursion limit") => {
            "folders nested too deep".into()
        }
        Category::Syntax => "a syntax error".into(),
        // What Quire's reading refused (too many entries): its own words, without serde's
        // position (said before).
        Category::Data => err
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("unexpected data")
            .to_string(),
        Category::Io => "it could not be read".into(),
    }
}

/// Links of a folder and its sub-folders, with the folder names on the way (from the root).
pub fn walk<'e>(export: &'e Export, mut each: impl FnMut(&[&'e str], &'e Link)) {
    fn visit<'e>(
        folder: &'e Folder,
        path: &mut Vec<&'e str>,
        each: &mut impl FnMut(&[&'e str], &'e Link),
    ) {
        path.push(&folder.name);
        for child in &folder.children {
            match child {
                Node::Link(link) => each(path, link),
                Node::Folder(sub) => visit(sub, path, each),
            }
        }
        path.pop();
    }
    let mut path = Vec::new();
    for root in &export.roots {
        visit(root, &mut path, &mut each);
    }
}

/// Folders nest no deeper than this (a file crafted to nest further is refused, not a stack
/// overflow).
const MAX_DEPTH: usize = 200;

/// A folder of a browser's JSON tree (Chrome's, Firefox's) named `name`: its `children`, each
/// read by `child` as a link, a folder (`Err(its name)`) or nothing (`Ok(None)`: separators
/// and the like).
pub(crate) fn json_folder<'n>(
    node: &'n json_tree::JsonNode,
    name: &str,
    depth: usize,
    child: &dyn Fn(&'n json_tree::JsonNode) -> Result<Option<Link>, &'n str>,
) -> Result<Folder, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError(format!(
            "folders nested more than {MAX_DEPTH} deep"
        )));
    }
    let mut children = Vec::new();
    for value in &node.children.0 {
        match child(value) {
            Ok(Some(link)) => children.push(Node::Link(link)),
            Ok(None) => {}
            Err(sub) => children.push(Node::Folder(json_folder(value, sub, depth + 1, child)?)),
        }
    }
    Ok(Folder {
        name: name.to_string(),
        children,
    })
}

/// Browsers keep dates as microseconds since 1601 (Chrome) or 1970 (Firefox).
pub(crate) fn date_from_micros(micros: i64, since_1601: bool) -> Option<Date> {
    if micros <= 0 {
        return None;
    }
    let seconds = micros / 1_000_000 - if since_1601 { 11_644_473_600 } else { 0 };
    Date::from_unix_seconds(seconds)
}
