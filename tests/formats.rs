//! Real site layouts, read as their authors meant: a Jekyll site, a Hugo site, a Zola blog,
//! and an awesome list with nested label groups (fixtures under `tests/fixtures`).
#![allow(clippy::unwrap_used)]

mod common;

use common::{TempDir, copy_dir, fixture, json, quire, stdout};
use quire::content::{Date, Item, Library, Root, load_library};

fn load(name: &str) -> Library {
    load_library(&[Root::Dir(fixture(name))]).unwrap()
}

fn item<'a>(library: &'a Library, id: &str) -> &'a Item {
    library.find(id).unwrap_or_else(|| {
        let ids: Vec<_> = library.items.iter().map(|i| &i.id).collect();
        panic!("no item {id}; have {ids:?}")
    })
}

fn ids(library: &Library) -> Vec<&str> {
    let mut ids: Vec<&str> = library.items.iter().map(|i| i.id.as_str()).collect();
    ids.sort_unstable();
    ids
}

/// Every category as a `/`-joined path with its total, in tree order.
fn tree(library: &Library) -> Vec<String> {
    fn walk(library: &Library, id: quire::content::CategoryId, out: &mut Vec<String>) {
        for &child in &library.category(id).children {
            out.push(format!(
                "{} ({})",
                library.category_path(child).join("/"),
                library.category(child).total
            ));
            walk(library, child, out);
        }
    }
    let mut out = Vec::new();
    walk(library, Library::ROOT, &mut out);
    out
}

#[test]
fn a_jekyll_site() {
    let library = load("jekyll_site");
    // Drafts, unpublished posts, `_includes`, the layout-only index, the README without
    // front matter and a gem's guide under `vendor/` are not items; an `.html` post is.
    assert_eq!(
        ids(&library),
        [
            "about",
            "posts/2015/2015-06-01-kafka-and-the-trial",
            "posts/2024-03-01-hello-world",
            "posts/2024-05-03-bad-yaml"
        ]
    );
    // `_posts` is not a category, nor the year folders in it; the site's title names the top.
    assert_eq!(tree(&library), ["Field Notes (4)", "Field Notes/rust (1)"]);

    // An HTML post: its title decoded, its body HTML read as markdown is, its url from the
    // permalink `defaults` give its folder.
    let html = item(&library, "posts/2015/2015-06-01-kafka-and-the-trial");
    assert_eq!(html.title, "Behe likens the trial to Kafka's The Trial");
    assert_eq!(html.date, Date::new(2015, 6, 1));
    let body: &str = &html.body;
    assert!(body.contains("An *HTML* post"), "{body}");
    assert!(
        body.contains("[the transcript](https://example.org/trial)"),
        "{body}"
    );
    assert!(body.contains("first point"), "{body}");
    assert!(!body.contains("<p>") && !body.contains("alert"), "{body}");
    assert_eq!(
        html.url.as_deref(),
        Some("https://notes.example/field/archives/2015/06/kafka-and-the-trial.html")
    );

    let hello = item(&library, "posts/2024-03-01-hello-world");
    assert_eq!(hello.title, "Hello, folded world");
    assert_eq!(
        hello.description.as_deref(),
        Some("First line of the summary. Second line.")
    );
    assert_eq!(hello.date, Date::new(2024, 3, 1));
    assert_eq!(hello.authors, ["Ada Lovelace"]);
    // `categories: rust async`: filed under Field Notes (the site), the categories kept as
    // the post's category and tags.
    assert_eq!(hello.tags, ["tokio", "runtime: multi-thread", "async"]);
    assert_eq!(
        library.category_path(hello.category),
        ["Field Notes", "rust"]
    );
    assert_eq!(
        hello.url.as_deref(),
        Some("https://notes.example/field/rust/async/2024/03/01/hello-world.html")
    );
    // Liquid: highlight is a ruby code block, line for line; raw's text stays; the include
    // is a quiet marker.
    let body: &str = &hello.body;
    assert!(
        body.contains("```ruby\ndef hello\n  puts \"hello\"\nend\n```"),
        "{body}"
    );
    assert!(
        body.contains("Templates write {{ page.title }} here."),
        "{body}"
    );
    assert!(body.contains("*‹signature.html›*"), "{body}");
    assert!(!body.contains("{%"), "{body}");

    // A YAML error is reported at its line, and the post still loads.
    let bad = item(&library, "posts/2024-05-03-bad-yaml");
    assert_eq!(bad.date, Date::new(2024, 5, 3));
    assert!(bad.body.contains("The body is still here."));
    let problems: Vec<String> = library.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("2024-05-03-bad-yaml.md:"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("invalid YAML front matter"),
        "{problems:?}"
    );

    let about = item(&library, "about");
    assert_eq!(about.title, "About these notes");
    assert_eq!(
        about.url.as_deref(),
        Some("https://notes.example/field/about.html")
    );
}

#[test]
fn a_hugo_site() {
    let library = load("hugo_site/content");
    // Drafts, never-rendered pages, headless bundles, `_common` snippets and the glossary's
    // terms (its section's `cascade` renders none of them) are not items.
    assert_eq!(ids(&library), ["docs/configuration", "docs/shortcodes"]);
    // The empty News section is not shown.
    assert_eq!(tree(&library), ["Documentation (2)"]);
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);

    let config = item(&library, "docs/configuration");
    assert_eq!(config.date, Date::new(2025, 1, 2));
    assert_eq!(
        config.url.as_deref(),
        Some("https://docs.example/docs/configuration/")
    );
    let body: &str = &config.body;
    // code-toggle shows the configuration as TOML code, line for line.
    assert!(
        body.contains(
            "```toml\nbaseURL = 'https://example.org/'\nlanguageCode = 'en-us'\n\
             title = 'My Site'\n```"
        ),
        "{body}"
    );
    assert!(
        body.contains("Each line stays a line.\nAnd this one too."),
        "{body}"
    );
    assert!(body.contains("*‹youtube›*"), "{body}");
    assert!(
        body.contains("[the shortcodes page](shortcodes.md)"),
        "{body}"
    );
    // The escaped shortcode in a code block is shown as the shortcode it escapes.
    assert!(body.contains("{{< figure src=\"a.png\" >}}"), "{body}");
    assert!(!body.contains("{{%"), "{body}");

    // A url from the site's root is on the site.
    assert_eq!(
        item(&library, "docs/shortcodes").url.as_deref(),
        Some("https://docs.example/shortcodes-guide/")
    );
}

#[test]
fn a_zola_blog() {
    let library = load("zola_blog/content");
    assert_eq!(ids(&library), ["inside/team", "launch", "second"]);
    // Posts at the top sit under the root's title; the release hook and its empty section
    // are not shown.
    assert_eq!(
        tree(&library),
        ["Inside the Blog (1)", "The Example Blog (2)"]
    );
    let launch = item(&library, "launch");
    assert_eq!(launch.date, Date::new(2024, 1, 15));
    assert_eq!(
        launch.url.as_deref(),
        Some("https://blog.example.org/2024/01/15/launch/")
    );
    assert_eq!(
        item(&library, "second").url.as_deref(),
        Some("https://blog.example.org/second/")
    );
    assert_eq!(
        item(&library, "inside/team").url.as_deref(),
        Some("https://blog.example.org/inside/2024/03/01/team/")
    );
    // The site itself as the root gives the same library.
    let whole = load("zola_blog");
    assert_eq!(
        whole.find("content/launch").and_then(|i| i.url.as_deref()),
        launch.url.as_deref()
    );
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);
}

#[test]
fn an_awesome_list_with_nested_label_groups() {
    let library = load("awesome_nested");
    assert!(library.diagnostics.is_empty(), "{:?}", library.diagnostics);
    assert_eq!(library.items.len(), 9, "{:?}", ids(&library));
    assert_eq!(
        tree(&library),
        [
            "Awesome Nested (9)",
            "Awesome Nested/Emulators (6)",
            "Awesome Nested/Emulators/CHIP-8 (2)",
            "Awesome Nested/Emulators/Consoles (3)",
            "Awesome Nested/Emulators/Consoles/Nintendo (2)",
            "Awesome Nested/FFI (3)",
            "Awesome Nested/FFI/C (1)",
            "Awesome Nested/FFI/C# (1)",
            "Awesome Nested/FFI/C++ (1)",
        ]
    );
    let chip8 = library.items.iter().find(|i| i.title == "chip8-a").unwrap();
    // Badges stay stripped from the description.
    assert_eq!(chip8.description.as_deref(), Some("An interpreter."));
    let emulators = library
        .categories
        .iter()
        .find(|c| c.name == "Emulators")
        .unwrap();
    assert_eq!(
        emulators.description.as_deref(),
        Some("See also [Games](https://games.example).")
    );
}

#[test]
fn the_command_line_sees_the_same() {
    let home = TempDir::new("formats-cli");
    let content = fixture("zola_blog/content");
    let items = json(&quire(
        &home,
        &["list", "--json", "--content", content.to_str().unwrap()],
    ));
    let urls: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["url"].as_str())
        .collect();
    assert_eq!(urls.len(), 3, "{items}");
    let check = quire(&home, &["check", "--content", content.to_str().unwrap()]);
    assert!(check.status.success());
}

#[test]
fn drafts_are_left_out_unless_asked_for_and_then_marked() {
    let home = TempDir::new("formats-drafts");
    let content = fixture("jekyll_site");
    let content = content.to_str().unwrap();
    let ids = |output: &std::process::Output| {
        let mut ids: Vec<String> = json(output)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let without = ids(&quire(&home, &["list", "--json", "--content", content]));
    assert_eq!(without.len(), 4, "{without:?}");
    let with = quire(&home, &["list", "--json", "--drafts", "--content", content]);
    assert_eq!(
        ids(&with),
        [
            "about",
            "drafts/an-idea",
            "posts/2015/2015-06-01-kafka-and-the-trial",
            "posts/2024-03-01-hello-world",
            "posts/2024-04-02-not-yet",
            "posts/2024-05-03-bad-yaml"
        ]
    );
    let found = json(&quire(
        &home,
        &[
            "search",
            "--json",
            "--drafts",
            "--content",
            content,
            "tag:draft",
        ],
    ));
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");
    // The config key does the same; the two libraries have caches of their own.
    home.write("config/quire/config.toml", "[content]\ndrafts = true\n");
    assert_eq!(
        ids(&quire(&home, &["list", "--json", "--content", content])).len(),
        6
    );
}

#[test]
fn check_verbose_names_what_was_left_out_and_why() {
    let home = TempDir::new("formats-verbose");
    let content = fixture("hugo_site/content");
    let content = content.to_str().unwrap();
    let quiet = quire(&home, &["check", "--content", content]);
    assert!(quiet.status.success());
    assert!(!common::stdout(&quiet).contains("left out"));
    let verbose = quire(&home, &["check", "--verbose", "--content", content]);
    assert!(verbose.status.success(), "left out files are not problems");
    let text = common::stdout(&verbose);
    for (file, why) in [
        ("docs/unfinished.md", "a draft"),
        ("docs/never.md", "never renders"),
        ("headless-bundle/index.md", "never renders"),
        ("_common/installation.md", "`_` folder"),
    ] {
        assert!(
            text.lines().any(|l| l.contains(file) && l.contains(why)),
            "{file}: {text}"
        );
    }
    let zola = fixture("zola_blog/content");
    let text = common::stdout(&quire(
        &home,
        &["check", "-v", "--content", zola.to_str().unwrap()],
    ));
    assert!(
        text.lines()
            .any(|l| l.contains("releases/latest.md") && l.contains("template")),
        "{text}"
    );
}

#[test]
fn links_within_a_site_are_where_the_site_publishes_them() {
    let home = TempDir::new("formats-links");
    let content = fixture("zola_blog/content");
    let shown = common::stdout(&quire(
        &home,
        &["show", "launch", "--content", content.to_str().unwrap()],
    ));
    assert!(
        shown.contains("[1] https://blog.example.org/inside/2024/03/01/team/"),
        "{shown}"
    );
    assert!(
        shown.contains("[2] https://blog.example.org/second/"),
        "{shown}"
    );
}

#[test]
fn a_plain_folder_of_notes_gets_no_site_generators_rules() {
    let home = TempDir::new("formats-plain");
    home.write(
        "notes/_archive/old.md",
        "---\ntitle: Archived note\ntags: machine learning\n---\nKept in `_archive`.\n",
    );
    home.write(
        "notes/shortcode.md",
        "+++\ntitle = \"Braces\"\n+++\nA literal {{< in prose, and\n\n{{< on a line\n\nthe rest stays.\n",
    );
    let content = home.path().join("notes");
    let out = quire(
        &home,
        &["--content", content.to_str().unwrap(), "list", "--json"],
    );
    let items = json(&out);
    let items = items.as_array().unwrap();
    let archived = items
        .iter()
        .find(|i| i["title"] == "Archived note")
        .expect("a plain `_archive` folder is a folder");
    assert_eq!(archived["tags"], serde_json::json!(["machine learning"]));
    let check = quire(
        &home,
        &["--content", content.to_str().unwrap(), "check", "--verbose"],
    );
    assert!(check.status.success(), "{}", stdout(&check));
    let show = quire(
        &home,
        &[
            "--content",
            content.to_str().unwrap(),
            "show",
            "--json",
            "shortcode",
        ],
    );
    let body = json(&show)["body"].as_str().unwrap().to_string();
    assert!(body.contains("{{< on a line\n\nthe rest stays."), "{body}");
    // The same files in a Hugo site: its own `_` folders are not pages.
    home.write("site/hugo.toml", "baseURL = \"https://hugo.example/\"\n");
    copy_dir(&content, &home.path().join("site/content"));
    let site = home.path().join("site/content");
    let out = quire(
        &home,
        &["--content", site.to_str().unwrap(), "list", "--json"],
    );
    assert!(
        json(&out)
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["title"] != "Archived note")
    );
}

#[test]
fn every_link_of_a_nested_awesome_list_is_a_bookmark_once_with_its_own_words() {
    // An independent count: every list item whose first link is to the web, at any depth.
    let text = std::fs::read_to_string(fixture("awesome_deep/README.md")).unwrap();
    let mut want: Vec<String> = Vec::new();
    for line in text.lines() {
        let item = line.trim_start();
        // Led by a link (or by a link in brackets): a label's keyword links are not entries.
        let Some(rest) = item.strip_prefix("* [") else {
            continue;
        };
        let rest = rest.trim_start_matches('[');
        let Some(open) = rest.find("](") else {
            continue;
        };
        let url: String = rest[open + 2..].chars().take_while(|c| *c != ')').collect();
        if url.starts_with("http") {
            want.push(url);
        }
    }
    assert_eq!(want.len(), 14, "{want:?}");
    let library = load("awesome_deep");
    let mut got: Vec<String> = library.items.iter().filter_map(|i| i.url.clone()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "each web link of an entry once");
    // Descriptions are the words: no crate link, no badge's brackets, no stray separator.
    let description = |url: &str| {
        library
            .items
            .iter()
            .find(|i| i.url.as_deref() == Some(url))
            .and_then(|i| i.description.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        description("https://github.example/serde-json"),
        "JSON support"
    );
    assert_eq!(
        description("https://github.example/rerun"),
        "An SDK for logging data"
    );
    assert_eq!(
        description("https://github.example/cargo-outdated"),
        "finds out-of-date dependencies"
    );
    // Nested links sit under their parent's name, labels' under the label.
    let path = |url: &str| {
        let item = library
            .items
            .iter()
            .find(|i| i.url.as_deref() == Some(url))
            .unwrap();
        library.category_path(item.category).join(" / ")
    };
    assert!(path("https://github.example/cargo-deb").ends_with("Tools / Cargo"));
    assert!(path("https://github.example/helix").ends_with("Tools / Editors"));
    assert!(path("https://github.example/cdrs").ends_with("Storage / NoSQL / Cassandra"));
    assert!(path("https://github.example/leveldb").ends_with("Storage / NoSQL / LevelDB"));
}

#[test]
fn a_site_root_reads_the_site_with_the_ids_its_content_folder_gives() {
    let home = TempDir::new("formats-site-root");
    for (name, content) in [
        ("zola_blog", Some("content")),
        ("hugo_site", Some("content")),
        ("jekyll_site", None),
    ] {
        let site = home.path().join(name);
        copy_dir(&fixture(name), &site);
        // What a site's repository holds beside its pages.
        let write = |relative: &str, text: &str| {
            let path = site.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "README.md",
            "# The site\n\nHow to build it: run the generator.\n",
        );
        write("CODE_OF_CONDUCT.md", "# Code of conduct\n\nBe kind.\n");
        write("themes/plain/README.md", "# A theme\n\nIts own readme.\n");
        if name == "hugo_site" {
            write(
                "archetypes/default.md",
                "---\ntitle: '{{ replace .File.ContentBaseName \"-\" \" \" | title }}'\ndate: '{{ .Date }}'\n---\n",
            );
        }
        let listed = |cwd: &std::path::Path, dir: &str| {
            let output = common::quire_in(&home, cwd, &["list", "--json", "--content", dir]);
            assert!(output.status.success(), "{}", common::stderr(&output));
            let mut items: Vec<String> = json(&output)
                .as_array()
                .unwrap()
                .iter()
                .map(|i| format!("{} {} {}", i["id"], i["title"], i["url"]))
                .collect();
            items.sort();
            items
        };
        let from_root = listed(home.path(), site.to_str().unwrap());
        assert!(from_root.len() >= 2, "{name}: {from_root:?}");
        for left_out in [
            "readme",
            "code_of_conduct",
            "themes",
            "archetypes",
            "\"the site\"",
        ] {
            assert!(
                from_root
                    .iter()
                    .all(|i| !i.to_lowercase().contains(&left_out.to_lowercase())),
                "{name}: {left_out} listed: {from_root:?}"
            );
        }
        // The content folder given, or the site from inside it: the same items, ids and urls
        // (read marks made either way apply both ways).
        match content {
            Some(content) => {
                let inner = site.join(content);
                assert_eq!(
                    listed(home.path(), inner.to_str().unwrap()),
                    from_root,
                    "{name}"
                );
            }
            None => assert_eq!(listed(&site, "."), from_root, "{name}"),
        }
        assert_eq!(listed(&site, "."), from_root, "{name} from inside");
        // No problem is found in what is not the site's (the Jekyll fixture's one problem is
        // its post with broken YAML, on purpose).
        let check = quire(&home, &["check", "--content", site.to_str().unwrap()]);
        let said = stdout(&check);
        assert_eq!(
            check.status.success(),
            name != "jekyll_site",
            "{name}: {said}"
        );
        for other in [
            "README",
            "CODE_OF_CONDUCT",
            "archetypes",
            "themes",
            "vendor",
        ] {
            assert!(!said.contains(other), "{name}: {said}");
        }
    }
}

#[test]
fn sites_given_together_are_each_under_their_title() {
    let zola = fixture("zola_blog/content");
    let hugo = fixture("hugo_site/content");
    let both = load_library(&[Root::Dir(zola.clone()), Root::Dir(hugo.clone())]).unwrap();
    let top: Vec<&str> = both
        .category(Library::ROOT)
        .children
        .iter()
        .map(|&c| both.category(c).name.as_str())
        .collect();
    // Each site under one node, named by its root section's title (the site's own title
    // when it has no root section); nothing of either loose beside them.
    assert_eq!(top, ["Docs home", "The Example Blog"]);
    // Each site's items are those it has alone, with the same ids, all under its node.
    for (dir, name) in [(zola, "The Example Blog"), (hugo, "Docs home")] {
        let alone = load_library(&[Root::Dir(dir.clone())]).unwrap();
        let node = both
            .category(Library::ROOT)
            .children
            .iter()
            .copied()
            .find(|&c| both.category(c).name == name)
            .unwrap();
        let mut under: Vec<&str> = both
            .items_under(node)
            .into_iter()
            .map(|i| both.items[i].id.as_str())
            .collect();
        under.sort_unstable();
        assert_eq!(under, ids(&alone), "{}", dir.display());
    }
}

#[test]
fn two_roots_holding_one_path_give_each_post_its_id_whatever_their_order() {
    let home = TempDir::new("formats-two-roots");
    for (root, title) in [("r1", "About one"), ("r2", "About two")] {
        home.write(
            &format!("{root}/content/about.md"),
            format!("+++\ntitle = \"{title}\"\n+++\nText.\n"),
        );
    }
    let (r1, r2) = (home.path().join("r1"), home.path().join("r2"));
    let titles = |roots: &[&std::path::Path]| {
        let roots: Vec<Root> = roots.iter().map(|r| Root::Dir(r.to_path_buf())).collect();
        let library = load_library(&roots).unwrap();
        let mut pairs: Vec<(String, String)> = library
            .items
            .iter()
            .map(|i| (i.id.clone(), i.title.clone()))
            .collect();
        pairs.sort();
        pairs
    };
    let one_way = titles(&[&r1, &r2]);
    assert_eq!(one_way, titles(&[&r2, &r1]));
    assert_eq!(
        one_way,
        [
            ("content/about".to_string(), "About one".to_string()),
            ("content/about~2".to_string(), "About two".to_string())
        ]
    );
}

#[test]
fn check_verbose_says_why_a_few_links_are_a_post() {
    let home = TempDir::new("formats-few-links");
    let links: String = (0..5)
        .map(|i| format!("- [Link {i}](https://l{i}.example) - number {i}\n"))
        .collect();
    home.write(
        "notes/few.md",
        format!("# A few\n\n{}", &links[..links.len() / 5 * 4]),
    );
    home.write("notes/many.md", format!("# Many\n\n{links}"));
    let notes = home.path().join("notes");
    let said = stdout(&quire(
        &home,
        &["check", "-v", "--content", notes.to_str().unwrap()],
    ));
    assert!(
        said.lines()
            .any(|l| l.contains("few.md: read as a post: 4 links in lists")
                && l.contains("kind = \"bookmarks\"")),
        "{said}"
    );
    assert!(!said.contains("many.md"), "{said}");
}
