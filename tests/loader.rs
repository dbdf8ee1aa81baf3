//! The loader over real folders: Zola sites, awesome lists, and every kind of bad input.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TempDir, fixture};
use quire::content::{Date, ItemKind, Library, Root, RootError, load_library};

fn load(dir: &std::path::Path) -> Library {
    load_library(&[Root::Dir(dir.to_path_buf())]).unwrap()
}

fn item<'a>(library: &'a Library, id: &str) -> &'a quire::content::Item {
    library.find(id).unwrap_or_else(|| {
        let ids: Vec<_> = library.items.iter().map(|i| &i.id).collect();
        panic!("no item {id}; have {ids:?}")
    })
}

fn names(library: &Library, ids: &[quire::content::CategoryId]) -> Vec<String> {
    ids.iter()
        .map(|c| library.category(*c).name.clone())
        .collect()
}

#[test]
fn zola_site_loads_with_sections_bundles_and_path_dates() {
    let library = load(&fixture("zola_site/content"));
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);
    assert_eq!(library.items.len(), 5);
    assert_eq!(library.count(ItemKind::Post), 5);

    let root = library.category(Library::ROOT);
    assert_eq!(root.description.as_deref(), Some("The whole site."));
    assert_eq!(names(&library, &root.children), ["notes", "The Blog"]);

    let first = item(&library, "blog/first-post");
    assert_eq!(
        first.date,
        Date::new(2021, 3, 4),
        "date from the `path` field"
    );
    assert_eq!(first.tags, ["intro", "meta"]);
    assert_eq!(first.authors, ["Ann Author"]);
    assert_eq!(library.category_path(first.category), ["The Blog"]);

    let bundle = item(&library, "blog/2024-05-01-bundle");
    assert_eq!(bundle.title, "A page bundle");
    assert_eq!(bundle.date, Date::new(2024, 5, 1));
    assert_eq!(library.category_path(bundle.category), ["The Blog"]);

    assert_eq!(item(&library, "blog/dated").date, Date::new(2023, 7, 8));

    let borrowing = item(&library, "notes/rust/borrowing");
    assert_eq!(
        library.category_path(borrowing.category),
        ["notes", "Rust notes", "Ownership"]
    );
    assert_eq!(
        item(&library, "notes/plain").title,
        "A note without front matter"
    );

    let blog = library.category_by_path("The Blog").unwrap();
    assert_eq!(library.category(blog).total, 3);
    assert_eq!(
        library.category(blog).description.as_deref(),
        Some("Long-form writing.")
    );
    // Newest first within a folder.
    let titles: Vec<_> = library
        .category(blog)
        .items
        .iter()
        .map(|&i| library.items[i].title.as_str())
        .collect();
    assert_eq!(
        titles,
        ["A page bundle", "Dated in front matter", "First post"]
    );
}

#[test]
fn awesome_list_loads_as_a_collection() {
    let library = load(&fixture("awesome_list"));
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);
    assert_eq!(library.count(ItemKind::Bookmark), 7);
    assert_eq!(library.count(ItemKind::Post), 0);
    let top = library
        .category_by_path("Awesome Terminal Readers")
        .unwrap();
    assert_eq!(
        library.category(top).description.as_deref(),
        Some("> A curated list of tools for reading in the terminal.")
    );
    assert_eq!(
        names(&library, &library.category(top).children),
        ["Feed readers", "Markdown viewers"]
    );
    let viewers = library
        .category_by_path("Awesome Terminal Readers/Markdown viewers")
        .unwrap();
    assert_eq!(library.category(viewers).total, 4);
    assert_eq!(
        names(&library, &library.category(viewers).children),
        ["Pagers"]
    );

    let bat = item(&library, "readme/github-com-sharkdp-bat");
    assert_eq!(bat.title, "bat");
    assert_eq!(bat.url.as_deref(), Some("https://github.com/sharkdp/bat"));
    assert_eq!(bat.description.as_deref(), Some("A cat clone with wings."));
    assert_eq!(
        &*bat.body,
        "* Supports syntax highlighting for many languages."
    );
    assert_eq!(
        item(&library, "readme/github-com-swsnr-mdcat")
            .description
            .as_deref(),
        Some("cat for markdown.")
    );
    assert_eq!(
        item(&library, "readme/github-com-ckampfe-russ")
            .description
            .as_deref(),
        Some("A TUI RSS/Atom reader with vim-like controls.")
    );
}

#[test]
fn bundled_seed_content_is_complete() {
    let library = load_library(&[Root::Bundled]).unwrap();
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);
    assert_eq!(library.count(ItemKind::Post), 39);
    assert_eq!(library.count(ItemKind::Bookmark), 254);
    let insights = library
        .items
        .iter()
        .filter(|i| i.body.contains("**Key insights"))
        .count();
    assert_eq!(insights, 54, "bookmarks with key insights");
    let blocks: usize = library
        .items
        .iter()
        .map(|i| i.body.matches("> **Key insights").count())
        .sum();
    assert_eq!(blocks, 59, "key insight blocks");
    let blog = library.category_by_path("Blog").unwrap();
    assert_eq!(
        names(&library, &library.category(blog).children),
        [
            "Deep Learning",
            "Engineering & Data",
            "People Matter",
            "Rust Specific"
        ]
    );
    assert!(
        library
            .items
            .iter()
            .filter(|i| library.category_path(i.category).first() == Some(&"Blog"))
            .all(|i| i.date.is_some())
    );
    let sections = library
        .category_by_path("Bookmarks/Tech Insights from Bookmarks")
        .unwrap();
    assert_eq!(
        names(&library, &library.category(sections).children),
        [
            "Case Studies",
            "Techniques",
            "Data Storage",
            "Programming Languages",
            "See Also"
        ]
    );
}

#[test]
fn ids_do_not_depend_on_other_files() {
    let dir = TempDir::new("ids");
    dir.write("b/post.md", "# B");
    dir.write(
        "bookmarks/links.md",
        "- [One](https://one.example) -- first\n- Two -- second\n",
    );
    let before: Vec<String> = load(dir.path())
        .items
        .iter()
        .map(|i| i.id.clone())
        .collect();
    dir.write("a/new.md", "# A new file sorting first");
    dir.write("bookmarks/more.md", "- [Zero](https://zero.example)\n");
    let after = load(dir.path());
    for id in &before {
        assert!(
            after.find(id).is_some(),
            "{id} changed when files were added"
        );
    }
    assert_eq!(
        before,
        [
            "b/post",
            "bookmarks/links/one-example",
            "bookmarks/links/two"
        ]
    );
}

#[test]
fn a_missing_root_is_a_clear_error() {
    let err = load_library(&[Root::Dir("/definitely/not/here".into())]).unwrap_err();
    assert!(matches!(err, RootError::Missing(_)));
    assert_eq!(
        err.to_string(),
        "content folder /definitely/not/here does not exist"
    );
}

/// Each bad file yields its diagnostic; the good file beside them still loads.
#[test]
fn bad_input_is_diagnosed_and_the_rest_loads() {
    let dir = TempDir::new("bad");
    dir.write("good.md", "+++\ntitle = \"Good\"\n+++\nFine.");
    dir.write(
        "latin1.md",
        b"+++\ntitle = \"Caf\xe9\"\n+++\nline two\n\xff\n".as_slice(),
    );
    dir.write("empty.md", "");
    dir.write("binary.md", [0u8, 1, 2, 3, 0, 0xff].as_slice());
    dir.write(
        "bad-toml.md",
        "+++\ntitle = \"Broken\"\ndate = = 2024\n+++\nBody",
    );
    dir.write(
        "untitled.md",
        "+++\ndate = 2024-01-01\n+++\nno heading here",
    );
    dir.write("dup one.md", "# Dup 1");
    dir.write("dup-one.md", "# Dup 2");
    let big = dir.write("big.md", "");
    std::fs::File::options()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(quire::content::source::MAX_FILE_BYTES + 1)
        .unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("dangling-target.md", dir.path().join("dangling.md")).unwrap();
        std::fs::create_dir_all(dir.path().join("loop")).unwrap();
        std::os::unix::fs::symlink("..", dir.path().join("loop/back")).unwrap();
    }
    #[cfg(target_os = "linux")]
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("unreadable.md")).unwrap();

    let library = load(dir.path());
    let messages: Vec<String> = library
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    let has = |file: &str, line: Option<usize>, text: &str| {
        let found = library.diagnostics.iter().any(|d| {
            d.path.ends_with(file) && (line.is_none() || d.line == line) && d.message.contains(text)
        });
        assert!(
            found,
            "no diagnostic for {file} containing {text:?}; got {messages:#?}"
        );
    };
    has("latin1.md", Some(2), "invalid UTF-8");
    has("empty.md", None, "empty file");
    has("binary.md", None, "binary file");
    has("bad-toml.md", Some(3), "invalid TOML");
    has("untitled.md", Some(1), "no title");
    has("dup-one.md", Some(1), "duplicate id `dup-one`");
    has("big.md", None, "over the 16 MiB limit");
    #[cfg(unix)]
    {
        has("dangling.md", None, "broken symlink");
        has("loop/back", None, "symlink loop");
    }
    #[cfg(target_os = "linux")]
    has("unreadable.md", None, "cannot read");

    assert_eq!(item(&library, "good").title, "Good");
    assert_eq!(
        item(&library, "bad-toml").title,
        "bad toml",
        "a file with broken front matter still loads"
    );
    assert_eq!(item(&library, "untitled").date, Date::new(2024, 1, 1));
    assert!(item(&library, "latin1").body.contains('\u{fffd}'));
    // "dup one.md" sorts before "dup-one.md", so it keeps the plain id.
    assert_eq!(item(&library, "dup-one").title, "Dup 1");
    assert_eq!(item(&library, "dup-one~2").title, "Dup 2");
}

#[test]
fn a_folder_many_links_lead_to_is_walked_once() {
    // Outside the root, twenty folders each linking the next twice: 2^20 paths to the leaf.
    let dir = TempDir::new("diamond");
    let outside = dir.path().join("outside");
    for level in 0..=20 {
        std::fs::create_dir_all(outside.join(format!("d{level}"))).unwrap();
    }
    for level in 0..20 {
        for name in ["a", "b"] {
            std::os::unix::fs::symlink(
                outside.join(format!("d{}", level + 1)),
                outside.join(format!("d{level}/{name}")),
            )
            .unwrap();
        }
    }
    std::fs::write(outside.join("d20/leaf.md"), "+++\ntitle = \"Leaf\"\n+++\n").unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(outside.join("d0"), root.join("in")).unwrap();
    std::os::unix::fs::symlink(outside.join("d0"), root.join("again")).unwrap();
    let library = load(&root);
    assert_eq!(library.items.len(), 1);
    // Reached first by the path that sorts first, the same at every load.
    assert_eq!(
        library.items[0].id,
        format!("again/{}leaf", "a/".repeat(20))
    );
    let again = load(&root);
    assert_eq!(again.items[0].id, library.items[0].id);
}

#[test]
fn a_list_nested_eight_hundred_deep_costs_only_that_file() {
    let dir = TempDir::new("deep-list");
    let deep: String = (0..800)
        .map(|i| format!("{}- level{i}\n", "  ".repeat(i)))
        .collect();
    dir.write("notes/deep.md", format!("# Deep\n\n{deep}"));
    dir.write(
        "bookmarks/deep.md",
        format!(
            "# Deep labels\n\n{deep}{}- [x](https://x.example)\n",
            "  ".repeat(800)
        ),
    );
    dir.write("ok.md", "+++\ntitle = \"Fine\"\n+++\nStill here.\n");
    let library = load(dir.path());
    assert!(library.find("ok").is_some());
    assert!(library.find("notes/deep").is_some());
    assert!(
        library
            .items
            .iter()
            .any(|i| i.id.starts_with("bookmarks/deep/"))
    );
}
