//! HTML → markdown, for what arrives as HTML: a feed's entries and a Jekyll site's `.html`
//! posts. Bounded: nesting deeper than a parser can take becomes paragraphs of text.

use crate::text::{decode_entities, html_to_plain as plain};

pub fn is_web(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
}

/// Elements nested deeper than this are not converted as a tree: the conversion (and the
/// document tree's own drop) recurse once a level, and a feed can nest `<div>` thousands
/// deep. Real articles nest a few dozen levels at most.
pub const MAX_HTML_DEPTH: usize = 100;

/// HTML → markdown with `htmd`: paragraphs, lists, code, links, emphasis, quotes, tables and
/// images kept; scripts, styles, frames, forms and 1×1 tracking images dropped. HTML nested
/// deeper than [`MAX_HTML_DEPTH`] becomes its text, paragraph by paragraph; HTML nested more
/// than a little is converted on a thread of a large stack of its own, in case the parser
/// builds a deeper tree than the tags say.
pub fn html_to_markdown(html: &str) -> String {
    let depth = html_depth(html, MAX_HTML_DEPTH);
    if depth > MAX_HTML_DEPTH {
        return html_to_paragraphs(html);
    }
    if depth <= SMALL_STACK_DEPTH {
        return convert(html);
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("html".into())
            .stack_size(64 * 1024 * 1024)
            .spawn_scoped(scope, || convert(html))
            .ok()
            .and_then(|t| t.join().ok())
    })
    .unwrap_or_else(|| html_to_paragraphs(html))
}

/// Nesting converted on the calling thread (of the default 2 MiB stack or more).
const SMALL_STACK_DEPTH: usize = 24;

/// How deep elements nest, as an HTML parser would nest them, counted in one pass over the
/// tags and never less: end tags close only an element that is open (a stray `</x>` closes
/// nothing), `<div/>` opens a `div` (only void elements have no content), the text of
/// `<script>`, `<style>` and the like is not read for tags, and a `<p>` or `<li>` closes the
/// one it follows as HTML says. Stops counting past `limit`.
pub fn html_depth(html: &str, limit: usize) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "param",
    ];
    const RAW_TEXT: [&str; 10] = [
        "script",
        "style",
        "textarea",
        "title",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
    ];
    // Opened where one of the same kind is the current element, these close it first.
    const SIBLINGS: [&[&str]; 5] = [&["p"], &["li"], &["dt", "dd"], &["td", "th"], &["option"]];
    let lower = html.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut open: Vec<&str> = Vec::new();
    let mut deepest = 0;
    let mut at = 0;
    while let Some(offset) = memchr_lt(&bytes[at..]) {
        let start = at + offset + 1;
        at = start;
        if bytes[start..].starts_with(b"!--") {
            at = lower[start..]
                .find("-->")
                .map_or(bytes.len(), |e| start + e + 3);
            continue;
        }
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = start + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &lower[name_start..name_start + name_len];
        at = lower[name_start..]
            .find('>')
            .map_or(bytes.len(), |e| name_start + e + 1);
        if closing {
            if let Some(found) = open.iter().rposition(|n| *n == name) {
                open.truncate(found);
            }
            continue;
        }
        if VOID.contains(&name) {
            continue;
        }
        if let (Some(top), Some(kind)) = (open.last(), SIBLINGS.iter().find(|k| k.contains(&name)))
            && kind.contains(top)
        {
            open.pop();
        }
        open.push(name);
        deepest = deepest.max(open.len());
        if deepest > limit {
            return deepest;
        }
        if RAW_TEXT.contains(&name) {
            // Its text is not markup: skip to its end tag.
            let end_tag = format!("</{name}");
            match lower[at..].find(&end_tag) {
                Some(e) => at += e,
                None => break,
            }
        }
    }
    deepest
}

fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'<')
}

/// HTML's text without its tags, a paragraph for each block (`<p>`, `<div>`, `<li>`, a
/// heading, a line break…): what is left of a document too deep to convert as a tree.
pub fn html_to_paragraphs(html: &str) -> String {
    const BLOCKS: [&str; 16] = [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "section",
    ];
    // Script and style text is no one's words: skipped to its end tag. One lowercased copy
    // (ASCII only, so offsets match) finds the end tags: one pass in all.
    const SKIPPED: [&str; 4] = ["script", "style", "noscript", "template"];
    let lower = html.to_ascii_lowercase();
    let mut text = String::with_capacity(html.len() / 2);
    let mut at = 0;
    while let Some(open) = html[at..].find('<').map(|o| at + o) {
        text.push_str(&html[at..open]);
        let after = &html[open + 1..];
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        at = open + 1 + end;
        if let Some(closing) = after.strip_prefix('/') {
            // An end tag (`</p>`) closes a block as its start did.
            if BLOCKS.contains(&crate::text::tag_name(closing).as_str()) {
                text.push('\n');
            }
            continue;
        }
        let name = crate::text::tag_name(after);
        if BLOCKS.contains(&name.as_str()) {
            text.push('\n');
        }
        if SKIPPED.contains(&name.as_str()) {
            let closing = format!("</{name}");
            at = lower[at..].find(&closing).map_or(html.len(), |e| at + e);
        }
    }
    text.push_str(&html[at..]);
    decode_entities(&text)
        .split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A table as a markdown pipe table, every cell kept: a row's header cells (`<th
/// scope="row">`, an infobox's labels) as well as its data, and a table without any header
/// cell (a grid of short cells, its first row taken as the header). `None` for what is laid
/// out as a table but is none (cells of long text, tables in cells, rows of unequal length
/// and no header cell): that keeps its cells as paragraphs.
fn grid(
    handlers: &dyn htmd::element_handler::Handlers,
    table: &std::rc::Rc<htmd::Node>,
) -> Option<String> {
    use markup5ever_rcdom::NodeData;
    let tag = |node: &std::rc::Rc<htmd::Node>| match &node.data {
        NodeData::Element { name, .. } => Some(name.local.to_string()),
        _ => None,
    };
    let plain = |node: &std::rc::Rc<htmd::Node>| {
        preformatted(node)
            .0
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Rows: the table's own, and those of its head, bodies and foot (not a nested table's).
    let mut rows = Vec::new();
    let mut caption = String::new();
    for child in table.children.borrow().iter() {
        match tag(child).as_deref() {
            // Its text only: converting it (a table may stand in a caption) and then falling
            // back to converting the table again would double the work at each level.
            Some("caption") if has_table(child) => return None,
            Some("caption") => caption = plain(child),
            Some("tr") => rows.push(std::rc::Rc::clone(child)),
            Some("thead" | "tbody" | "tfoot") => rows.extend(
                child
                    .children
                    .borrow()
                    .iter()
                    .filter(|r| tag(r).as_deref() == Some("tr"))
                    .cloned(),
            ),
            _ => {}
        }
    }
    // Decided from the tree alone, before anything is converted: a table declined is
    // converted once, by the fallback, and one taken converts each cell once.
    let mut shape: Vec<Vec<std::rc::Rc<htmd::Node>>> = Vec::new();
    let mut header_cells = false;
    for row in &rows {
        let mut line = Vec::new();
        for cell in row.children.borrow().iter() {
            let kind = tag(cell);
            if !matches!(kind.as_deref(), Some("td" | "th")) {
                continue;
            }
            header_cells |= kind.as_deref() == Some("th");
            // A table inside a cell is layout, not data; a cell of long text is prose (what
            // it shows counts, not its links' addresses).
            if has_table(cell) || plain(cell).chars().count() > 200 {
                return None;
            }
            line.push(std::rc::Rc::clone(cell));
        }
        if !line.is_empty() {
            shape.push(line);
        }
    }
    let columns = shape.iter().map(Vec::len).max()?;
    let even = shape.iter().all(|r| r.len() == columns);
    if shape.len() < 2 || columns < 2 || !(header_cells || even) {
        return None;
    }
    let mut out = String::from("\n\n");
    if !caption.is_empty() {
        out.push_str(&format!("**{caption}**\n\n"));
    }
    for (n, row) in shape.iter().enumerate() {
        out.push('|');
        for i in 0..columns {
            out.push(' ');
            if let Some(cell) = row.get(i) {
                let text = handlers.walk_children(cell).content;
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                out.push_str(&text.replace('|', "\\|"));
            }
            out.push_str(" |");
        }
        out.push('\n');
        if n == 0 {
            out.push('|');
            out.push_str(&" --- |".repeat(columns));
            out.push('\n');
        }
    }
    out.push('\n');
    Some(out)
}

/// Whether a table stands anywhere inside `node` (walked with a stack of its own).
fn has_table(node: &std::rc::Rc<htmd::Node>) -> bool {
    use markup5ever_rcdom::NodeData;
    let mut stack: Vec<std::rc::Rc<htmd::Node>> = node.children.borrow().iter().cloned().collect();
    while let Some(next) = stack.pop() {
        if let NodeData::Element { name, .. } = &next.data
            && &*name.local == "table"
        {
            return true;
        }
        stack.extend(next.children.borrow().iter().cloned());
    }
    false
}

/// The text of a `<pre>` as the browser shows it (line breaks for `<br>`), and the language
/// its `<code>` names (`class="language-rust"`), if any. Walked with a stack of its own: the
/// tree may be as deep as [`MAX_HTML_DEPTH`].
fn preformatted(node: &std::rc::Rc<htmd::Node>) -> (String, String) {
    use markup5ever_rcdom::NodeData;
    let mut text = String::new();
    let mut language = String::new();
    let mut stack = vec![std::rc::Rc::clone(node)];
    while let Some(next) = stack.pop() {
        match &next.data {
            NodeData::Text { contents } => text.push_str(&contents.borrow()),
            NodeData::Element { name, attrs, .. } => {
                let tag: &str = &name.local;
                if tag == "br" {
                    text.push('\n');
                }
                if tag == "code" && language.is_empty() {
                    language = attrs
                        .borrow()
                        .iter()
                        .filter(|a| &*a.name.local == "class")
                        .flat_map(|a| {
                            a.value
                                .split_whitespace()
                                .filter_map(|c| {
                                    c.strip_prefix("language-").or(c.strip_prefix("lang-"))
                                })
                                .map(String::from)
                                .collect::<Vec<_>>()
                        })
                        .next()
                        .filter(|l| {
                            l.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "+-_#.".contains(c))
                        })
                        .unwrap_or_default();
                }
            }
            _ => {}
        }
        stack.extend(next.children.borrow().iter().rev().cloned());
    }
    (text, language)
}

fn convert(html: &str) -> String {
    use htmd::element_handler::Handlers;
    use htmd::{Element, HtmlToMarkdown};
    let converter = HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "iframe", "noscript", "form", "object", "embed", "svg",
        ])
        .add_handler(vec!["img"], |_: &dyn Handlers, element: Element| {
            let tiny = element.attrs.iter().any(|a| {
                let name: &str = &a.name.local;
                let value = a.value.to_ascii_lowercase().replace(' ', "");
                ((name == "width" || name == "height")
                    && value.trim().parse::<u32>().is_ok_and(|n| n <= 1))
                    || (name == "style"
                        && (value.contains("width:1px")
                            || value.contains("height:1px")
                            || value.contains("display:none")))
            });
            let unsafe_src = element.attrs.iter().any(|a| {
                let name: &str = &a.name.local;
                name == "src" && !is_web(&a.value)
            });
            if tiny || unsafe_src {
                return None;
            }
            // Written by Quire, its alt text escaped: an alt of `a](javascript:x)` must not end
            // the image early and make a link of the rest.
            let attr = |wanted: &str| {
                element.attrs.iter().find_map(|a| {
                    let name: &str = &a.name.local;
                    (name == wanted).then(|| a.value.to_string())
                })
            };
            let src = attr("src")?;
            let alt = attr("alt").unwrap_or_default();
            let alt: String = crate::text::sanitize_line(&alt)
                .chars()
                .flat_map(|c| match c {
                    '[' | ']' | '(' | ')' | '\\' | '*' | '_' | '`' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let src = src.replace(['<', '>', '\n', '\r'], "");
            let src = if src.contains([' ', '(', ')']) {
                format!("<{src}>")
            } else {
                src
            };
            Some(format!("![{alt}]({src})").into())
        })
        // A `<pre>` is code, with or without a `<code>` inside (WordPress's preformatted text,
        // an RFC with links in it): its text as written, fenced, so `# comment` is no heading,
        // a ``` in it opens nothing and a link in it is its words, not `[words](url)`.
        .add_handler(vec!["pre"], |_: &dyn Handlers, element: Element| {
            let (text, language) = preformatted(element.node);
            let trimmed = text.trim_matches('\n');
            let longest = trimmed.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat((longest + 1).max(3));
            Some(format!("\n\n{fence}{language}\n{trimmed}\n{fence}\n\n").into())
        })
        .add_handler(
            vec!["table"],
            // Never handed to htmd's own table code: it converts a caption twice when it
            // finds no rows, and tables nest in captions (2^depth conversions).
            |handlers: &dyn Handlers, element: Element| {
                let text = grid(handlers, element.node).unwrap_or_else(|| {
                    let inner = handlers.walk_children(element.node).content;
                    format!("\n\n{}\n\n", inner.trim_matches('\n'))
                });
                Some(text.into())
            },
        )
        // A link that is not to a web page or mail (`javascript:`, `data:`) keeps its text only.
        .add_handler(vec!["a"], |handlers: &dyn Handlers, element: Element| {
            let href = element.attrs.iter().find(|a| {
                let name: &str = &a.name.local;
                name == "href"
            });
            match href {
                Some(a) if !is_web(&a.value) && !a.value.starts_with('#') => {
                    Some(handlers.walk_children(element.node))
                }
                _ => handlers.fallback(element),
            }
        })
        .build();
    converter.convert(html).unwrap_or_else(|_| plain(html))
}
