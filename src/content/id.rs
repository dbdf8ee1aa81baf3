//! Item ids: stable, readable, derived from what an item is, never from load order.
//!
//! The rule (documented in the README, and read state is keyed on it):
//! - a post's id is its path relative to its content root, without the extension, each
//!   segment slugified: `blogs/howdy/managing-buffer-overflows`; a page bundle
//!   `slug/index.md` (or `README.md`) is named by its folder: `blogs/howdy/slug`;
//! - a bookmark's id is its collection's id, `/`, then the slug of its url without the scheme
//!   (`github-com-rust-lang-rust`), or of its title when it has no url;
//! - when two items would share an id, the one that sorts later (by root, path, then line)
//!   gets `~2`, `~3`… and a diagnostic says so.

use std::path::Path;

/// Longest slug taken from a title or url; longer ones are cut at a word boundary.
const MAX_SLUG_LEN: usize = 80;

/// Lowercases, keeps letters and digits, and joins the runs between them with `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            // Apostrophes vanish ("Uber's" → "ubers") rather than split a word.
            pending_dash = true;
        }
    }
    cut_at_word(slug, MAX_SLUG_LEN)
}

fn cut_at_word(slug: String, max: usize) -> String {
    if slug.chars().count() <= max {
        return slug;
    }
    let cut: String = slug.chars().take(max).collect();
    match cut.rfind('-') {
        Some(pos) if pos > max / 2 => cut[..pos].to_string(),
        _ => cut,
    }
}

/// The id of a file-based thing (a post, or a collection): its relative path, slugified.
pub fn path_id(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = Path::new(&last)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or(last);
        let bundle = stem.eq_ignore_ascii_case("index") || stem.eq_ignore_ascii_case("readme");
        if !bundle || parts.is_empty() {
            parts.push(stem);
        }
    }
    let slugs: Vec<String> = parts
        .iter()
        .map(|p| slugify(p))
        .filter(|s| !s.is_empty())
        .collect();
    if slugs.is_empty() {
        "item".to_string()
    } else {
        slugs.join("/")
    }
}

/// FNV-1a: a small, stable hash (the same on every machine and in every version), for names
/// made from text.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The id of a bookmark within its collection.
pub fn bookmark_id(collection_id: &str, url: Option<&str>, title: &str) -> String {
    let from_url = url
        .map(|u| slugify(strip_scheme(u)))
        .filter(|s| !s.is_empty());
    let slug = from_url.unwrap_or_else(|| slugify(title));
    let slug = if slug.is_empty() {
        "bookmark".to_string()
    } else {
        slug
    };
    format!("{collection_id}/{slug}")
}

fn strip_scheme(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    rest.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(
            slugify("Managing buffer overflows"),
            "managing-buffer-overflows"
        );
        assert_eq!(
            slugify("  What's a \"Senior Engineer\"?  "),
            "whats-a-senior-engineer"
        );
        assert_eq!(
            slugify("Kids! Use hnswlib for HNSW"),
            "kids-use-hnswlib-for-hnsw"
        );
        assert_eq!(slugify("C & C++"), "c-c");
        assert_eq!(slugify("日本語 テキスト"), "日本語-テキスト");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn long_slugs_are_cut_at_a_word() {
        let slug = slugify(&"word ".repeat(40));
        assert!(slug.len() <= MAX_SLUG_LEN);
        assert!(slug.ends_with("word"));
    }

    #[test]
    fn post_ids_follow_the_relative_path() {
        assert_eq!(
            path_id(Path::new("blogs/Howdy/Managing Buffers.md")),
            "blogs/howdy/managing-buffers"
        );
        assert_eq!(path_id(Path::new("blog/my-post/index.md")), "blog/my-post");
        assert_eq!(path_id(Path::new("awesome-rust/README.md")), "awesome-rust");
        assert_eq!(path_id(Path::new("README.md")), "readme");
    }

    #[test]
    fn bookmark_ids_prefer_the_url() {
        assert_eq!(
            bookmark_id("bm", Some("https://www.github.com/rust-lang/rust/"), "Rust"),
            "bm/github-com-rust-lang-rust"
        );
        assert_eq!(bookmark_id("bm", None, "Go by Example"), "bm/go-by-example");
        assert_eq!(bookmark_id("bm", None, "???"), "bm/bookmark");
    }
}
