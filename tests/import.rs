//! `quire import`: browser exports written by the test itself (the same tree as Chrome's JSON
//! and as bookmarks HTML), imported into a private library, read back through the CLI.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{TempDir, json, quire, stderr, stdout};
use serde_json::{Value, json};

/// One bookmark of the test tree.
#[derive(Clone)]
struct Mark {
    title: String,
    url: String,
    /// Seconds since 1970.
    added: i64,
}

/// A folder of the test tree.
struct Dir {
    name: String,
    marks: Vec<Mark>,
    dirs: Vec<Dir>,
}

/// The tree both exports hold: two roots; under the bar, folders four deep; ~600 bookmarks;
/// urls repeated across folders; titles with entities, emoji, CJK, an escape sequence, none
/// at all; bookmarklets and browser pages.
fn tree() -> Vec<Dir> {
    let mut n = 0;
    let mut mark = |title: String| {
        n += 1;
        Mark {
            title,
            url: format!("https://site{}.example/page/{n}", n % 37),
            // 2020-01-01 plus a day per bookmark.
            added: 1_577_836_800 + n as i64 * 86_400,
        }
    };
    let folder = |name: String, depth: usize, mark: &mut dyn FnMut(String) -> Mark| {
        fn build(name: String, depth: usize, mark: &mut dyn FnMut(String) -> Mark) -> Dir {
            let marks = (0..if depth == 4 { 9 } else { 4 })
                .map(|i| mark(format!("{name} link {i}")))
                .collect();
            let dirs = if depth < 4 {
                (0..2)
                    .map(|i| build(format!("{name}.{i}"), depth + 1, mark))
                    .collect()
            } else {
                Vec::new()
            };
            Dir { name, marks, dirs }
        }
        build(name, depth, mark)
    };
    let mut bar = Dir {
        name: "Bookmarks bar".into(),
        marks: Vec::new(),
        dirs: (0..6)
            .map(|i| folder(format!("Topic {i}"), 1, &mut mark))
            .collect(),
    };
    let special = vec![
        mark("R&D <tools> & \"quotes\"".into()),
        mark("🦀 Rust crabs".into()),
        mark("東京の本屋 — 書籍".into()),
        mark("Evil \u{1b}]0;pwned\u{7}title \u{1b}[31mred".into()),
        mark(String::new()),
        Mark {
            title: "A bookmarklet".into(),
            url: "javascript:alert(document.title)".into(),
            added: 1_600_000_000,
        },
        Mark {
            title: "Settings".into(),
            url: "chrome://settings/".into(),
            added: 1_600_000_000,
        },
        Mark {
            title: "Blank".into(),
            url: "about:blank".into(),
            added: 1_600_000_000,
        },
    ];
    // The same page filed twice, in another folder.
    let again = bar.dirs[0].marks[0].clone();
    bar.dirs[1].marks.push(again);
    let other = Dir {
        name: "Other bookmarks".into(),
        marks: special,
        dirs: Vec::new(),
    };
    vec![bar, other]
}

fn count(dirs: &[Dir]) -> usize {
    dirs.iter().map(|d| d.marks.len() + count(&d.dirs)).sum()
}

fn chrome_json(roots: &[Dir]) -> String {
    fn node(dir: &Dir) -> Value {
        let mut children: Vec<Value> = dir
            .marks
            .iter()
            .map(|m| {
                json!({"type": "url", "name": m.title, "url": m.url,
                       "date_added": ((m.added + 11_644_473_600) * 1_000_000).to_string()})
            })
            .collect();
        children.extend(dir.dirs.iter().map(node));
        json!({"type": "folder", "name": dir.name, "children": children,
               "date_added": "13200000000000000"})
    }
    let value = json!({"checksum": "x", "version": 1, "roots": {
        "bookmark_bar": node(&roots[0]),
        "other": node(&roots[1]),
        "synced": {"type": "folder", "name": "Mobile bookmarks", "children": []},
    }});
    serde_json::to_string_pretty(&value).unwrap()
}

/// As Chrome writes bookmarks.html: the bar as a folder, "Other bookmarks" loose at the top.
fn netscape_html(roots: &[Dir]) -> String {
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    fn marks(out: &mut String, marks: &[Mark], indent: &str) {
        for m in marks {
            out.push_str(&format!(
                "{indent}<DT><A HREF=\"{}\" ADD_DATE=\"{}\">{}</A>\n",
                escape(&m.url),
                m.added,
                escape(&m.title)
            ));
        }
    }
    fn folder(out: &mut String, dir: &Dir, indent: &str, toolbar: bool) {
        let flag = if toolbar {
            " PERSONAL_TOOLBAR_FOLDER=\"true\""
        } else {
            ""
        };
        out.push_str(&format!(
            "{indent}<DT><H3 ADD_DATE=\"1500000000\"{flag}>{}</H3>\n{indent}<DL><p>\n",
            escape(&dir.name)
        ));
        let inner = format!("{indent}    ");
        // Chrome lists a folder's links and folders in their own order; here links first.
        marks(out, &dir.marks, &inner);
        for sub in &dir.dirs {
            folder(out, sub, &inner, false);
        }
        out.push_str(&format!("{indent}</DL><p>\n"));
    }
    let mut out = String::from(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file. -->\n\
         <META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=UTF-8\">\n\
         <TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n",
    );
    folder(&mut out, &roots[0], "    ", true);
    marks(&mut out, &roots[1].marks, "    ");
    out.push_str("</DL><p>\n");
    out
}

/// The imported bookmarks as `quire list --json` gives them: (folders below the collection,
/// title, url, date), in order.
fn imported(home: &TempDir, library: &Path) -> Vec<(Vec<String>, String, String, String)> {
    let out = quire(
        home,
        &["--library", library.to_str().unwrap(), "list", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["source"]
                .as_str()
                .unwrap()
                .starts_with(library.to_str().unwrap())
        })
        .map(|i| {
            let category: Vec<String> = i["category"]
                .as_array()
                .unwrap()
                .iter()
                .skip(2) // "Bookmarks" (the folder), then the collection's title
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (
                category,
                i["title"].as_str().unwrap().to_string(),
                i["url"].as_str().unwrap().to_string(),
                i["date"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn import(home: &TempDir, library: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--library", library.to_str().unwrap(), "import"];
    all.extend_from_slice(args);
    quire(home, &all)
}

fn write_exports(home: &TempDir) -> (PathBuf, PathBuf) {
    let roots = tree();
    assert!(count(&roots) > 550, "{}", count(&roots));
    (
        home.write("exports/Bookmarks", chrome_json(&roots)),
        home.write("exports/bookmarks.html", netscape_html(&roots)),
    )
}

#[test]
fn chrome_json_and_html_of_one_tree_import_the_same_and_nothing_twice() {
    let home = TempDir::new("import-same");
    let (chrome, html) = write_exports(&home);
    let (a, b) = (home.path().join("lib-a"), home.path().join("lib-b"));

    let out = import(&home, &a, &[chrome.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    let total = count(&tree());
    // Every web page but the one filed twice; three kinds skipped.
    assert!(
        said.contains(&format!("Added {} bookmarks", total - 4)),
        "{said}"
    );
    assert!(said.contains("1 more than once"), "{said}");
    assert!(said.contains("1 skipped: bookmarklets"), "{said}");
    assert!(said.contains("2 skipped: browser pages"), "{said}");
    let out = import(&home, &b, &[html.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let from_json = imported(&home, &a);
    let from_html = imported(&home, &b);
    assert_eq!(from_json.len(), total - 4);
    assert_eq!(
        from_json, from_html,
        "the same bookmarks, folders and dates"
    );
    // Four folders deep below the bar, kept as headings.
    assert!(
        from_json
            .iter()
            .any(|(c, ..)| c.len() == 5 && c[0] == "Bookmarks bar" && c[4] == "Topic 0.0.0.0")
    );
    // Titles decoded and cleaned; an empty one named by its page; dates kept.
    let titles: Vec<&str> = from_json.iter().map(|(_, t, ..)| t.as_str()).collect();
    assert!(titles.contains(&"R&D <tools> & \"quotes\""), "{titles:?}");
    assert!(titles.contains(&"🦀 Rust crabs") && titles.contains(&"東京の本屋 — 書籍"));
    assert!(
        titles
            .iter()
            .all(|t| !t.contains('\u{1b}') && !t.contains('\u{7}'))
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("site") && t.contains(".example/page/"))
    );
    assert_eq!(from_json[0].3, "2020-01-02");

    // Again: byte-identical. The HTML into the JSON's library: nothing added.
    let file = a.join("bookmarks/bookmarks.md");
    let before = std::fs::read(&file).unwrap();
    let out = import(&home, &a, &[chrome.to_str().unwrap()]);
    assert!(stdout(&out).contains("Nothing new"), "{}", stdout(&out));
    let out = import(
        &home,
        &a,
        &[html.to_str().unwrap(), "--into", "bookmarks/other.md"],
    );
    assert!(stdout(&out).contains("Nothing new"), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("{} already in your library", total - 3)));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert!(!a.join("bookmarks/other.md").exists());

    // Clean for `quire check`.
    let out = quire(&home, &["--library", a.to_str().unwrap(), "check"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn a_later_export_adds_only_its_new_bookmarks_and_keeps_the_users_edits() {
    let home = TempDir::new("import-later");
    let (chrome, _) = write_exports(&home);
    let lib = home.path().join("lib");
    assert!(
        import(&home, &lib, &[chrome.to_str().unwrap()])
            .status
            .success()
    );
    let file = lib.join("bookmarks/bookmarks.md");
    // The user writes insights under a bookmark and moves a folder's heading text around.
    let text = std::fs::read_to_string(&file).unwrap();
    let first = text
        .lines()
        .find(|l| l.starts_with("- ["))
        .unwrap()
        .to_string();
    let edited = text.replacen(
        &first,
        &format!("{first}\n\n  > **Key insights:**\n  > - my own note"),
        1,
    );
    std::fs::write(&file, &edited).unwrap();

    // The browser has two new bookmarks since: one in an old folder, one in a new one.
    let mut roots = tree();
    roots[0].dirs[2].marks.push(Mark {
        title: "New in Topic 2".into(),
        url: "https://new.example/one".into(),
        added: 1_700_000_000,
    });
    roots[0].dirs[3].dirs[1].dirs.push(Dir {
        name: "Brand new folder".into(),
        marks: vec![Mark {
            title: "New in a new folder".into(),
            url: "https://new.example/two".into(),
            added: 1_700_000_000,
        }],
        dirs: Vec::new(),
    });
    let later = home.write("exports/later/Bookmarks", chrome_json(&roots));
    let dry = import(&home, &lib, &[later.to_str().unwrap(), "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let said = stdout(&dry);
    assert!(said.contains("Would add 2 bookmarks"), "{said}");
    assert!(
        said.contains("+ New in a new folder  https://new.example/two"),
        "{said}"
    );
    assert!(
        said.contains("skipped (bookmarklets (javascript:)): A bookmarklet"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        edited,
        "--dry-run writes nothing"
    );

    let out = import(&home, &lib, &[later.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("Added 2 bookmarks"),
        "{}",
        stdout(&out)
    );
    let merged = std::fs::read_to_string(&file).unwrap();
    assert!(
        merged.contains("  > - my own note"),
        "the user's insight kept"
    );
    // Only lines were added: every old line is still there, in order.
    let mut old = edited.lines();
    let mut next = old.next();
    for line in merged.lines() {
        if Some(line) == next {
            next = old.next();
        }
    }
    assert_eq!(next, None, "an old line went missing");
    let items = imported(&home, &lib);
    let new_one = items
        .iter()
        .find(|(_, t, ..)| t == "New in a new folder")
        .unwrap();
    assert_eq!(
        new_one.0,
        ["Bookmarks bar", "Topic 3", "Topic 3.1", "Brand new folder"]
    );
    let in_old = items
        .iter()
        .find(|(_, t, ..)| t == "New in Topic 2")
        .unwrap();
    assert_eq!(in_old.0, ["Bookmarks bar", "Topic 2"]);
    assert_eq!(in_old.3, "2023-11-14");
}

#[test]
fn bad_files_are_named_with_where_and_nothing_is_written() {
    let home = TempDir::new("import-bad");
    let (chrome, _) = write_exports(&home);
    let lib = home.path().join("lib");
    let text = std::fs::read_to_string(&chrome).unwrap();
    let cut = home.write("exports/cut/Bookmarks", &text[..text.len() / 2]);
    let out = import(&home, &lib, &[cut.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(cut.to_str().unwrap()) && err.contains("line "),
        "{err}"
    );
    assert!(err.contains("cut short"), "{err}");
    let notes = home.write("exports/notes.txt", "just some words\n");
    let err = stderr(&import(&home, &lib, &[notes.to_str().unwrap()]));
    assert!(err.contains("not a bookmarks export"), "{err}");
    assert!(err.contains("feed") && err.contains("OPML"), "{err}");
    let err = stderr(&import(&home, &lib, &["--browser", "firefox"]));
    assert!(err.contains("no firefox profile found"), "{err}");
    assert!(!lib.exists(), "nothing written");
}

#[test]
fn the_browsers_default_profile_is_found_and_the_library_folder_is_loaded() {
    let home = TempDir::new("import-browser");
    let profile = home
        .path()
        .join(".config/BraveSoftware/Brave-Browser/Default");
    std::fs::create_dir_all(&profile).unwrap();
    std::fs::write(profile.join("Bookmarks"), chrome_json(&tree())).unwrap();
    // The default library folder, in the private data dir.
    let out = quire(&home, &["import", "--browser", "brave"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&quire(&home, &["library", "--path"]));
    let library = PathBuf::from(path.trim());
    assert!(library.starts_with(home.path()), "{}", library.display());
    assert!(library.join("bookmarks/brave.md").is_file());
    // Loaded by default beside the bundled library: the folders are in the tree.
    let out = quire(
        &home,
        &[
            "list",
            "--category",
            "Bookmarks/Brave bookmarks/Bookmarks bar/Topic 1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Topic 1 link 0"), "{}", stdout(&out));
}

#[test]
fn firefox_backups_import_with_tags() {
    let home = TempDir::new("import-firefox");
    let backup = json!({"guid": "root________", "type": "text/x-moz-place-container", "children": [
        {"guid": "toolbar_____", "title": "toolbar", "type": "text/x-moz-place-container",
         "children": [{"title": "MDN", "type": "text/x-moz-place",
                       "uri": "https://developer.mozilla.org/", "dateAdded": 1_700_000_000_000_000_i64,
                       "tags": "docs,web"},
                      {"title": "Most visited", "type": "text/x-moz-place",
                       "uri": "place:sort=8&maxResults=10"}]}]});
    let file = home.write("exports/bookmarks-2026-11-01.json", backup.to_string());
    let lib = home.path().join("lib");
    let out = import(&home, &lib, &[file.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("Added 1 bookmark "),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("1 skipped: Firefox queries"),
        "{}",
        stdout(&out)
    );
    let listed = json(&quire(
        &home,
        &["--library", lib.to_str().unwrap(), "list", "--json"],
    ));
    let mdn = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "MDN")
        .unwrap();
    assert_eq!(mdn["tags"], json!(["docs", "web"]));
    assert_eq!(mdn["date"], "2023-11-14");
    assert_eq!(mdn["category"][2], "Bookmarks Toolbar");
}

#[test]
fn firefox_is_found_through_profiles_ini_and_its_newest_compressed_backup() {
    let home = TempDir::new("import-firefox-profile");
    let root = home.path().join(".mozilla/firefox");
    home.write(
        ".mozilla/firefox/profiles.ini",
        "[Profile0]\nName=default\nIsRelative=1\nPath=ab12.default\n\n\
         [Install4F96D1932A9F858E]\nDefault=cd34.default-release\nLocked=1\n\n\
         [Profile1]\nName=default-release\nIsRelative=1\nPath=cd34.default-release\n",
    );
    let tree = |title: &str| {
        json!({"guid": "root________", "type": "text/x-moz-place-container", "children": [
            {"guid": "unfiled_____", "title": "unfiled", "type": "text/x-moz-place-container",
             "children": [{"title": title, "type": "text/x-moz-place",
                           "uri": format!("https://{title}.example/"),
                           "dateAdded": 1_700_000_000_000_000_i64}]}]})
        .to_string()
    };
    let backups = root.join("cd34.default-release/bookmarkbackups");
    std::fs::create_dir_all(&backups).unwrap();
    for (name, title) in [
        ("bookmarks-2026-10-01_3_abc.jsonlz4", "older"),
        ("bookmarks-2026-11-01_4_def.jsonlz4", "newest"),
    ] {
        let json = tree(title);
        let mut bytes = b"mozLz40\0".to_vec();
        bytes.extend_from_slice(&(json.len() as u32).to_le_bytes());
        bytes.extend(quire::import::firefox::lz4_literals(json.as_bytes()));
        std::fs::write(backups.join(name), bytes).unwrap();
    }
    let out = quire(&home, &["import", "--browser", "firefox"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("bookmarks-2026-11-01_4_def.jsonlz4"),
        "{}",
        stdout(&out)
    );
    let listed = stdout(&quire(&home, &["list"]));
    assert!(
        listed.contains("newest") && !listed.contains("older"),
        "{listed}"
    );
    let path = stdout(&quire(&home, &["library", "--path"]));
    assert!(
        PathBuf::from(path.trim())
            .join("bookmarks/firefox.md")
            .is_file()
    );
}

#[test]
fn a_newer_export_under_another_name_goes_into_the_earlier_collection() {
    let home = TempDir::new("import-again-renamed");
    let lib = home.path().join("lib");
    let export = |links: std::ops::Range<usize>| {
        let mut html = String::from(
            "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n\
             <DL><p>\n<DT><H3>Reading</H3>\n<DL><p>\n",
        );
        for i in links {
            html.push_str(&format!(
                "<DT><A HREF=\"https://example.org/page/{i}\">Page {i}</A>\n"
            ));
        }
        html.push_str("</DL><p>\n</DL><p>\n");
        html
    };
    // Chrome names each export by its date.
    let first = home.write("exports/bookmarks_12_1_26.html", export(0..100));
    let out = import(&home, &lib, &[first.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let second = home.write("exports/bookmarks_12_6_26.html", export(0..101));
    let out = import(&home, &lib, &[second.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("100 of its 101 links") && said.contains("bookmarks-12-1-26.md"),
        "{said}"
    );
    let collections: Vec<_> = std::fs::read_dir(lib.join("bookmarks"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    assert_eq!(collections, ["bookmarks-12-1-26.md"], "one collection");
    let text = std::fs::read_to_string(lib.join("bookmarks/bookmarks-12-1-26.md")).unwrap();
    assert!(
        text.contains("https://example.org/page/100"),
        "the new link"
    );
    assert_eq!(text.matches("https://example.org/page/").count(), 101);
    // Another browser's export (few links in common) gets its own collection, and --into
    // still decides where one goes.
    let other = home.write("exports/other.html", export(500..520));
    assert!(
        import(&home, &lib, &[other.to_str().unwrap()])
            .status
            .success()
    );
    assert!(lib.join("bookmarks/other.md").exists());
    let third = home.write("exports/bookmarks_12_9_26.html", export(0..102));
    let out = import(
        &home,
        &lib,
        &[third.to_str().unwrap(), "--into", "bookmarks/elsewhere.md"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(lib.join("bookmarks/elsewhere.md").exists());
}
