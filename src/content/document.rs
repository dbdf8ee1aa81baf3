//! One file's text → a [`Document`]: a post, a bookmark collection, or a folder's `_index.md`.
//!
//! Decides what a file is (front matter `kind`, a `bookmarks/` folder, or the shape of an
//! awesome list) and reads its fields, falling back the way Zola, Hugo and Jekyll sites expect.

use std::path::Path;

use super::body::Body;
use super::bookmarks::{self, Collection, Mode};
use super::context::LoadContext;
use super::date::Date;
use super::diagnostic::Diagnostic;
use super::front_matter::{FrontMatter, key_line, parse_front_matter, split_front_matter};

#[derive(Debug, Clone)]
pub enum Document {
    /// `_index.md`: names and describes its folder; not an item.
    Section {
        title: Option<String>,
        description: Option<String>,
        /// Hugo's `cascade: {build: {render: never}}`: no page below is rendered.
        hides_below: bool,
    },
    Post(Post),
    Collection(CollectionDoc),
    /// Not for reading: a draft, a page the site never renders (Hugo's headless bundles), a
    /// page that is only a template's hook, a site generator's own folder (`_includes`); why,
    /// for `quire check --verbose`.
    Hidden(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub title: String,
    /// Zola's `path`: where the site publishes the post (for its url).
    pub path: Option<String>,
    /// Jekyll's categories, for its url (`/rust/async/2024/…`).
    pub categories: Vec<String>,
    pub date: Option<Date>,
    pub authors: Vec<String>,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub weight: Option<i64>,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct CollectionDoc {
    pub title: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub collection: Collection,
}

/// The `kind` of a page saved by the archive (`quire archive`): not an item of its own, but
/// part of the bookmark whose link it was saved from.
pub const SAVED_PAGE: &str = "saved-page";

/// Parses a file. `relative` is its path under its root (for dates and fallbacks), `display`
/// the path diagnostics name; `context` says whose rules apply (a site generator's, or
/// none for a plain folder of notes).
pub fn parse_document(
    relative: &Path,
    display: &Path,
    text: &str,
    context: &LoadContext,
) -> (Document, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    // A Jekyll `.html` post: front matter, then HTML, read as markdown is.
    let converted;
    let mut split = match split_front_matter(text) {
        Ok(split) => split,
        Err(unclosed) => {
            diagnostics.push(Diagnostic::new(
                display,
                Some(1),
                format!(
                    "front matter opened with `{}` is never closed; read as plain markdown",
                    unclosed.fence
                ),
            ));
            super::front_matter::Split {
                format: None,
                front: "",
                front_line: 1,
                body: text,
                body_line: 1,
            }
        }
    };
    if super::source::is_html(relative) {
        converted = super::html::html_to_markdown(split.body);
        split.body = &converted;
    }
    let (front, problems) = parse_front_matter(&split, context);
    // When the block as a whole failed, its title is unknown rather than missing.
    let front_failed = problems
        .iter()
        .any(|p| p.message.starts_with("invalid TOML") || p.message.starts_with("invalid YAML"));
    diagnostics.extend(
        problems
            .into_iter()
            .map(|p| Diagnostic::new(display, Some(p.line), p.message)),
    );

    let file_name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if file_name == "_index.md" || file_name == "_index.markdown" {
        let description = join_text(
            front.description.clone(),
            Some(split.body.trim().to_string()),
        );
        return (
            Document::Section {
                title: front.title,
                description,
                hides_below: front.cascade_unrendered,
            },
            diagnostics,
        );
    }

    let draft = front.draft || in_folder(relative, "_drafts");
    let hidden = if front.kind.as_deref() == Some(SAVED_PAGE) {
        Some("a bookmark's saved page (`quire archive`): shown with its bookmark")
    } else if front.unrendered {
        Some("a page the site never renders (headless, or build.render = never)")
    } else if context.is_site() && hidden_folder(relative) {
        Some("in a site generator's own `_` folder")
    } else if context.is_jekyll() && jekyll_leaves_out(relative) {
        Some("in a folder Jekyll leaves out (vendor, node_modules)")
    } else if context.is_jekyll()
        && split.format.is_none()
        && !in_folder(relative, "_posts")
        && !in_folder(relative, "_drafts")
    {
        Some("no front matter: Jekyll copies the file as it is, it is no page")
    } else if draft && !drafts_shown() {
        Some("a draft (--drafts shows drafts)")
    } else {
        None
    };
    if let Some(why) = hidden {
        return (Document::Hidden(why), diagnostics);
    }
    let mut front = front;
    if draft {
        // Shown on request, and marked: `tag:draft` finds them.
        front.tags.push("draft".to_string());
    }
    // Front matter that only names a template (`releases/latest.md` of a Zola site): a hook
    // for the site's templates, with nothing to read.
    if split.format.is_some()
        && front.title.is_none()
        && front.kind.is_none()
        && split.body.trim().is_empty()
    {
        return (
            Document::Hidden("front matter only, naming no title: a hook for the site's templates"),
            diagnostics,
        );
    }

    let kind = front.kind.as_deref().map(str::to_ascii_lowercase);
    let in_bookmarks_folder = relative.parent().is_some_and(|dir| {
        dir.iter()
            .any(|part| part.eq_ignore_ascii_case("bookmarks"))
    });
    let marked = match kind.as_deref() {
        Some("bookmarks" | "bookmark" | "collection") => true,
        Some("post" | "page") => false,
        Some(other) => {
            diagnostics.push(Diagnostic::new(
                display,
                Some(key_line(&split, "kind")),
                format!(
                    "unknown kind `{other}` (expected \"post\" or \"bookmarks\"); read as a post"
                ),
            ));
            false
        }
        None => in_bookmarks_folder,
    };
    if marked {
        let collection = bookmarks::parse_collection(split.body, split.body_line, Mode::Marked);
        return (
            Document::Collection(collection_doc(front, collection, relative)),
            diagnostics,
        );
    }
    if split.format.is_none() && kind.is_none() {
        let collection = bookmarks::parse_collection(split.body, split.body_line, Mode::Detected);
        if bookmarks::looks_like_collection(&collection) {
            return (
                Document::Collection(collection_doc(front, collection, relative)),
                diagnostics,
            );
        }
    }
    let post = post_from(
        front,
        split.body,
        relative,
        display,
        front_failed,
        context,
        &mut diagnostics,
    );
    (Document::Post(post), diagnostics)
}

/// Site generators' folders that are not pages: a folder whose name starts with `_` (Jekyll's
/// `_includes`, `_layouts`, `_data`; Hugo's `_common` snippets), except Jekyll's `_posts`,
/// which holds the posts themselves, and `_drafts`, its drafts.
fn hidden_folder(relative: &Path) -> bool {
    relative.parent().is_some_and(|dir| {
        dir.iter().any(|part| {
            let part = part.to_string_lossy();
            part.starts_with('_') && part != "_posts" && part != "_drafts"
        })
    })
}

/// Folders Jekyll's default `exclude` leaves out of a site (gems and packages, with their
/// READMEs).
fn jekyll_leaves_out(relative: &Path) -> bool {
    relative.parent().is_some_and(|dir| {
        dir.iter()
            .next()
            .is_some_and(|top| top == "vendor" || top == "node_modules")
    })
}

fn in_folder(relative: &Path, name: &str) -> bool {
    relative
        .parent()
        .is_some_and(|dir| dir.iter().any(|part| part == name))
}

/// Whether drafts are loaded (`--drafts`, `[content] drafts = true`). Process-wide: it is
/// settled once at start-up, before anything is loaded, like the content roots themselves.
static DRAFTS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn show_drafts(shown: bool) {
    DRAFTS_SHOWN.store(shown, std::sync::atomic::Ordering::Relaxed);
}

pub fn drafts_shown() -> bool {
    DRAFTS_SHOWN.load(std::sync::atomic::Ordering::Relaxed)
}

fn collection_doc(front: FrontMatter, collection: Collection, relative: &Path) -> CollectionDoc {
    let title = front
        .title
        .or_else(|| collection.title.clone())
        .unwrap_or_else(|| fallback_title(relative));
    let description = join_text(front.description, collection.intro.clone());
    CollectionDoc {
        title,
        description,
        tags: front.tags,
        collection,
    }
}

fn post_from(
    front: FrontMatter,
    body: &str,
    relative: &Path,
    display: &Path,
    front_failed: bool,
    context: &LoadContext,
    diagnostics: &mut Vec<Diagnostic>,
) -> Post {
    let title = match front.title {
        Some(title) if !title.trim().is_empty() => title,
        _ => first_heading(body).unwrap_or_else(|| {
            if !front_failed {
                diagnostics.push(Diagnostic::new(
                    display,
                    Some(1),
                    "no title (no `title` in front matter and no `#` heading); using the file name",
                ));
            }
            fallback_title(relative)
        }),
    };
    let relative_str = relative.to_string_lossy().replace('\\', "/");
    let file_name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let date = front
        .date
        .or_else(|| front.path.as_deref().and_then(Date::find_in_path))
        .or_else(|| Date::find_in_path(&relative_str))
        .or_else(|| front.url.as_deref().and_then(Date::find_in_path))
        .or_else(|| Date::from_file_name(&file_name))
        .or_else(|| {
            // A page bundle `2024-03-01-slug/index.md` carries the date on its folder.
            let folder = relative
                .parent()?
                .file_name()?
                .to_string_lossy()
                .into_owned();
            Date::from_file_name(&folder)
        });
    Post {
        title,
        path: front.path,
        categories: front.categories,
        date,
        authors: front.authors,
        tags: front.tags,
        category: front.category,
        description: front.description,
        url: front.url,
        weight: front.weight,
        // Template tags are a site generator's: in a plain folder `{{<` is text.
        body: if context.is_site() {
            Body::from(super::templating::resolve(body).trim_matches('\n'))
        } else {
            Body::from(body.trim_matches('\n'))
        },
    }
}

/// The text of the first level-1 ATX heading (`# Title`), outside code fences.
fn first_heading(body: &str) -> Option<String> {
    let mut in_fence = false;
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || line.starts_with("    ") {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("# ") {
            let title = rest.trim().trim_end_matches('#').trim();
            if !title.is_empty() {
                return Some(title.to_string());
            }
        }
    }
    None
}

/// A title from the file name: `2024-03-01-my-post.md` → `my post`; bundles use their folder.
fn fallback_title(relative: &Path) -> String {
    let stem = relative
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = if ["index", "readme", "_index"].contains(&stem.to_ascii_lowercase().as_str()) {
        relative
            .parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or(stem)
    } else {
        stem
    };
    let without_date = if Date::from_file_name(&stem).is_some() {
        stem[11..].to_string()
    } else {
        stem
    };
    let words = without_date.replace(['-', '_'], " ");
    let words = words.trim();
    if words.is_empty() {
        "untitled".to_string()
    } else {
        words.to_string()
    }
}

fn join_text(a: Option<String>, b: Option<String>) -> Option<String> {
    let parts: Vec<String> = [a, b]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(relative: &str, text: &str) -> (Document, Vec<Diagnostic>) {
        parse_document(
            Path::new(relative),
            Path::new(relative),
            text,
            &LoadContext::default(),
        )
    }

    fn post(relative: &str, text: &str) -> Post {
        match parse(relative, text).0 {
            Document::Post(post) => post,
            other => panic!("expected a post, got {other:?}"),
        }
    }

    #[test]
    fn title_falls_back_to_heading_then_file_name() {
        assert_eq!(
            post("a.md", "+++\ntitle = \"Front\"\n+++\n# Heading").title,
            "Front"
        );
        assert_eq!(post("a.md", "intro\n\n# Heading\n").title, "Heading");
        let (doc, diagnostics) = parse("2024-03-01-my-first-post.md", "just text");
        let Document::Post(p) = doc else {
            panic!("post")
        };
        assert_eq!(p.title, "my first post");
        assert_eq!(p.date, Date::new(2024, 3, 1));
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("no title"));
    }

    #[test]
    fn date_comes_from_front_matter_then_path_field_then_file_path() {
        let with_path = "+++\ntitle = \"T\"\npath = \"blog/2022/09/03/x\"\n+++\n";
        assert_eq!(post("x.md", with_path).date, Date::new(2022, 9, 3));
        assert_eq!(
            post("blog/2021/01/02/x/index.md", "# T").date,
            Date::new(2021, 1, 2)
        );
        let both = "+++\ntitle = \"T\"\ndate = 2020-05-05\npath = \"2022/09/03\"\n+++\n";
        assert_eq!(post("x.md", both).date, Date::new(2020, 5, 5));
    }

    #[test]
    fn index_files_describe_their_folder() {
        let (doc, _) = parse(
            "blog/_index.md",
            "+++\ntitle = \"Blog\"\ndescription = \"Words\"\n+++\nMore words.",
        );
        let Document::Section {
            title, description, ..
        } = doc
        else {
            panic!("section")
        };
        assert_eq!(title.as_deref(), Some("Blog"));
        assert_eq!(description.as_deref(), Some("Words\n\nMore words."));
    }

    #[test]
    fn bookmarks_folder_or_kind_marks_a_collection() {
        let list = "# Links\n\n- One -- first\n";
        assert!(matches!(
            parse("bookmarks/links.md", list).0,
            Document::Collection(_)
        ));
        let marked = format!("+++\nkind = \"bookmarks\"\n+++\n{list}");
        assert!(matches!(
            parse("notes/links.md", &marked).0,
            Document::Collection(_)
        ));
        let forced = format!("+++\nkind = \"post\"\n+++\n{list}");
        assert!(matches!(
            parse("bookmarks/links.md", &forced).0,
            Document::Post(_)
        ));
    }

    #[test]
    fn an_unknown_kind_names_the_line_of_its_key() {
        let text = "+++\ntitle = \"T\"\nkindred = \"x\"\nkind = \"magazine\"\n+++\nBody.";
        let (document, diagnostics) = parse("notes/t.md", text);
        assert!(matches!(document, Document::Post(_)));
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].line, Some(4));
        assert!(diagnostics[0].message.contains("unknown kind `magazine`"));
    }

    #[test]
    fn unclosed_front_matter_is_reported_and_the_file_still_loads() {
        let (doc, diagnostics) = parse("a.md", "+++\ntitle = \"x\"\n# Heading\n");
        assert!(matches!(doc, Document::Post(_)));
        assert!(diagnostics[0].message.contains("never closed"));
    }
}
