//! The writers attacked: feed sync and import fed hostile input (deep nesting, huge counts,
//! long names, odd file types, escapes), run concurrently with themselves and with a user's
//! edit, and made to rewrite files that are CRLF, private or symlinks. Every server here is
//! the test's own, on 127.0.0.1, bounded in requests and time.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use common::server::{Page, Server};
use common::{TempDir, lib_args, posts, quire, quire_command, said, subscribe_listed};

/// An Atom feed: its id and title, then (id, title, html, date) entries.
fn atom(id: &str, title: &str, entries: &[(String, String, String, String)]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{title}</title><id>{id}</id><updated>2026-01-01T00:00:00Z</updated>"
    );
    for (id, title, html, date) in entries {
        out.push_str(&format!(
            "<entry><id>{id}</id><title>{}</title><updated>{date}</updated>\
             <link href=\"https://example.org/{id}\"/><content type=\"html\">{}</content></entry>",
            escape(title),
            escape(html)
        ));
    }
    out.push_str("</feed>");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn entries(prefix: &str, n: usize) -> Vec<(String, String, String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("urn:{prefix}:{i}"),
                format!("{prefix} post {i}"),
                format!("<p>Body of {prefix} {i}</p>"),
                format!("2026-{:02}-{:02}T10:00:00Z", 1 + i % 12, 1 + i % 28),
            )
        })
        .collect()
}

/// Runs a command, killing it if it has not ended within `limit`: a guard against a hang
/// (the figures are in `quire-bench`, not here).
fn within(limit: Duration, mut child: Child) -> Output {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("still running after {limit:?} (hung?): {}", said(&out));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn(home: &TempDir, args: &[&str]) -> Child {
    quire_command(home, home.path())
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The `id` field of every post file in `dir`, with how many files hold it.
fn ids_in(dir: &Path) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for path in posts(dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id = \""))
            .map(|l| l.trim_end_matches('"').to_string())
            .unwrap_or_else(|| panic!("no id in {}", path.display()));
        *ids.entry(id).or_insert(0) += 1;
    }
    ids
}

fn folders(library: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(library.join("feeds"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn html_nested_thousands_deep_syncs_and_imports_as_text() {
    let server = Server::start();
    let deep = common::nested_thousands_deep("deep text");
    let mut listed = Vec::new();
    for (name, html) in &deep {
        let feed = atom(
            &format!("urn:deep:{name}"),
            &format!("Deep {name}"),
            &[(
                format!("urn:{name}:1"),
                "Deep one".into(),
                html.clone(),
                "2026-01-01T00:00:00Z".into(),
            )],
        );
        server.page(&format!("/{name}"), Page::ok("application/atom+xml", feed));
        listed.push((*name, server.url(&format!("/{name}"))));
    }
    let home = TempDir::new("writers-deep");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &listed);
    // The sync's feeds run on threads of the default (small) stack.
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    for (name, _) in &deep {
        let dir = library.join(format!("feeds/deep-{name}"));
        let files = posts(&dir);
        assert_eq!(files.len(), 1, "{name}");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("deep text"), "{name}: {text}");
    }
    // The same entries from a saved feed file, and the library they make reads.
    let file = home.write(
        "deep.xml",
        atom(
            "urn:deep:file",
            "Deep file",
            &[(
                "urn:file:1".into(),
                "From a file".into(),
                deep[0].1.clone(),
                "2026-01-01T00:00:00Z".into(),
            )],
        ),
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", file.to_str().unwrap()]),
    );
    assert!(out.status.success(), "{}", said(&out));
    let out = quire(
        &home,
        &[
            "--content",
            library.to_str().unwrap(),
            "search",
            "deep text",
        ],
    );
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(
        said(&out).matches("Deep one").count(),
        deep.len(),
        "{}",
        said(&out)
    );
}

#[test]
fn a_sync_killed_half_way_keeps_what_it_finished() {
    let server = Server::start();
    server.page(
        "/fast",
        Page::ok(
            "application/atom+xml",
            atom("urn:fast", "Fast", &entries("fast", 3)),
        ),
    );
    // Answers after the sync has long given up.
    server.page("/slow", Page::ok("stall", ""));
    let home = TempDir::new("writers-killed");
    let library = home.path().join("lib");
    subscribe_listed(
        &home,
        &library,
        &[("Fast", server.url("/fast")), ("Slow", server.url("/slow"))],
    );
    let mut child = spawn(&home, &lib_args(&library, &["sync"]));
    let dir = library.join("feeds/fast");
    let started = Instant::now();
    // The fast feed lands while the slow one is still being waited for: then the sync dies.
    while !(dir.exists() && posts(&dir).len() == 3) {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "fast feed never landed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    let _ = child.wait();
    // The user deletes a post; the next sync does not bring it back.
    let gone = posts(&dir).remove(0);
    std::fs::remove_file(&gone).unwrap();
    std::fs::write(
        library.join("feeds.opml"),
        quire::feeds::opml::render(&[quire::feeds::opml::Feed {
            url: server.url("/fast"),
            title: "Fast".into(),
            site: None,
        }]),
    )
    .unwrap();
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 2, "{}", said(&out));
    assert!(!gone.exists());
}

#[test]
fn entries_without_guid_or_link_are_told_apart_by_what_they_say() {
    let server = Server::start();
    let item = |title: &str, date: &str, body: &str| {
        let title = if title.is_empty() {
            String::new()
        } else {
            format!("<title>{title}</title>")
        };
        format!("<item>{title}<pubDate>{date}</pubDate><description>{body}</description></item>")
    };
    let rss = |items: &[String]| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Status</title>\
             {}</channel></rss>",
            items.concat()
        )
    };
    let first = vec![
        item("Status update", "Mon, 02 Nov 2026 10:00:00 GMT", "All good"),
        item("Status update", "Tue, 03 Nov 2026 10:00:00 GMT", "Degraded"),
        item("", "Wed, 04 Nov 2026 10:00:00 GMT", "An untitled note"),
    ];
    server.page("/rss", Page::ok("application/rss+xml", rss(&first)));
    let home = TempDir::new("writers-ids");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Status", server.url("/rss"))]);
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Status: 3 new"), "{}", said(&out));
    let dir = library.join("feeds/status");
    let before: Vec<(PathBuf, String)> = posts(&dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    // A later untitled entry is a new post; it replaces nothing.
    let mut second = first.clone();
    second.push(item("", "Thu, 05 Nov 2026 10:00:00 GMT", "Another note"));
    server.page("/rss", Page::ok("application/rss+xml", rss(&second)));
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Status: 1 new"), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 4);
    for (path, text) in before {
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}

#[test]
fn a_feed_folders_title_file_is_the_users_once_written() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:t", "Titled", &entries("t", 1)),
        ),
    );
    let home = TempDir::new("writers-index");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Titled", server.url("/feed"))]);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    let index = library.join("feeds/titled/_index.md");
    let top = library.join("feeds/_index.md");
    std::fs::write(&index, "+++\ntitle = \"My name for it\"\n+++\nNotes.\n").unwrap();
    std::fs::write(&top, "+++\ntitle = \"Reading\"\n+++\n").unwrap();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:t", "Titled", &entries("t", 2)),
        ),
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("1 new"), "{}", said(&out));
    assert!(
        std::fs::read_to_string(&index)
            .unwrap()
            .contains("My name for it")
    );
    assert!(std::fs::read_to_string(&top).unwrap().contains("Reading"));
}

#[test]
fn the_same_feed_under_another_address_shares_one_folder() {
    let server = Server::start();
    let feed = atom("urn:same", "Same Feed", &entries("same", 5));
    let with_self = feed.replacen(
        "<updated>",
        "<link rel=\"self\" href=\"https://same.example/atom.xml\"/><updated>",
        1,
    );
    server.page("/atom", Page::ok("application/atom+xml", with_self.clone()));
    server.page(
        "/atom?utm=1",
        Page::ok("application/atom+xml", with_self.clone()),
    );
    server.page(
        "/elsewhere.xml",
        Page::ok("application/atom+xml", with_self),
    );
    server.page(
        "/site",
        Page::ok(
            "text/html",
            format!(
                "<html><head><link rel=\"alternate\" type=\"application/atom+xml\" \
                 href=\"{}\"></head></html>",
                server.url("/elsewhere.xml")
            ),
        ),
    );
    let home = TempDir::new("writers-same");
    let library = home.path().join("lib");
    // Two subscriptions to one feed, as a hand-written list might hold them.
    std::fs::create_dir_all(&library).unwrap();
    std::fs::write(
        library.join("feeds.opml"),
        quire::feeds::opml::render(&[
            quire::feeds::opml::Feed {
                url: server.url("/atom"),
                title: String::new(),
                site: None,
            },
            quire::feeds::opml::Feed {
                url: server.url("/atom?utm=1"),
                title: String::new(),
                site: None,
            },
        ]),
    )
    .unwrap();
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("the same feed as"), "{}", said(&out));
    assert_eq!(folders(&library), ["same-feed"]);
    assert!(
        ids_in(&library.join("feeds/same-feed"))
            .values()
            .all(|n| *n == 1)
    );
    assert_eq!(posts(&library.join("feeds/same-feed")).len(), 5);
    // Unsubscribed, then found again through its site under a third address: the posts
    // are not written a second time.
    // One unsubscribe takes both: they are one feed.
    let out = quire(
        &home,
        &lib_args(&library, &["unsubscribe", &server.url("/atom")]),
    );
    assert!(out.status.success(), "{}", said(&out));
    let out = quire(&home, &lib_args(&library, &["feeds"]));
    assert!(said(&out).contains("No subscriptions"), "{}", said(&out));
    let out = quire(
        &home,
        &lib_args(&library, &["subscribe", &server.url("/site")]),
    );
    assert!(out.status.success(), "{}", said(&out));
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert_eq!(folders(&library), ["same-feed"], "{}", said(&out));
    assert_eq!(posts(&library.join("feeds/same-feed")).len(), 5);
    // A feed subscribed under one address is recognised under another at subscribe.
    let out = quire(
        &home,
        &lib_args(&library, &["subscribe", &server.url("/atom")]),
    );
    assert!(
        said(&out).contains("Already subscribed") && said(&out).contains("elsewhere.xml"),
        "{}",
        said(&out)
    );
}

#[test]
fn a_long_non_latin_title_is_written_and_so_are_the_entries_after_it() {
    let server = Server::start();
    let mut list = entries("cjk", 4);
    list[1].1 = "長い題名の記事".repeat(40);
    server.page(
        "/feed",
        Page::ok("application/atom+xml", atom("urn:cjk", "長い", &list)),
    );
    let home = TempDir::new("writers-long");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Long", server.url("/feed"))]);
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains(": 4 new"), "{}", said(&out));
    let dir = std::fs::read_dir(library.join("feeds"))
        .unwrap()
        .flatten()
        .find(|e| e.path().is_dir())
        .unwrap()
        .path();
    let files = posts(&dir);
    assert_eq!(files.len(), 4);
    for file in files {
        assert!(file.file_name().unwrap().len() < 200, "{}", file.display());
    }
}

#[test]
fn two_syncs_at_once_write_every_entry_exactly_once() {
    let server = Server::bounded(400, Duration::from_secs(120));
    let mut listed = Vec::new();
    for f in 0..3 {
        let name = format!("feed{f}");
        server.page(
            &format!("/{name}"),
            Page::ok(
                "application/atom+xml",
                atom(&format!("urn:{name}"), &name, &entries(&name, 1000)),
            ),
        );
        listed.push((name.clone(), server.url(&format!("/{name}"))));
    }
    let listed: Vec<(&str, String)> = listed
        .iter()
        .map(|(n, u)| (n.as_str(), u.clone()))
        .collect();
    let home = TempDir::new("writers-two-syncs");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &listed);
    let a = spawn(&home, &lib_args(&library, &["sync"]));
    let b = spawn(&home, &lib_args(&library, &["sync"]));
    let (a, b) = (
        within(Duration::from_secs(120), a),
        within(Duration::from_secs(120), b),
    );
    assert!(
        a.status.success() && b.status.success(),
        "{}{}",
        said(&a),
        said(&b)
    );
    assert_eq!(folders(&library), ["feed0", "feed1", "feed2"]);
    for f in 0..3 {
        let ids = ids_in(&library.join(format!("feeds/feed{f}")));
        assert_eq!(ids.len(), 1000, "feed{f}");
        assert!(
            ids.values().all(|n| *n == 1),
            "feed{f}: an entry written twice"
        );
    }
}

/// A bookmarks HTML export of `n` links whose urls start at `from`, in 20 folders.
fn netscape(from: usize, n: usize) -> String {
    let mut out = String::from(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n",
    );
    for folder in 0..20 {
        out.push_str(&format!("<DT><H3>Folder {folder}</H3>\n<DL><p>\n"));
        for i in (from..from + n).filter(|i| i % 20 == folder) {
            out.push_str(&format!(
                "<DT><A HREF=\"https://example.org/page/{i}\" ADD_DATE=\"1700000000\">Page {i}</A>\n"
            ));
        }
        out.push_str("</DL><p>\n");
    }
    out.push_str("</DL>\n");
    out
}

#[test]
fn two_imports_into_one_collection_keep_both() {
    let home = TempDir::new("writers-two-imports");
    let library = home.path().join("lib");
    let first = home.write("first.html", netscape(0, 3000));
    let second = home.write("second.html", netscape(2000, 3000));
    let into = ["--into", "bookmarks/all.md"];
    let args = |file: &PathBuf| {
        let mut all = lib_args(&library, &["import"]);
        all.push(file.to_str().unwrap());
        all.extend(into);
        all.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let (a1, a2) = (args(&first), args(&second));
    let a = spawn(&home, &a1.iter().map(String::as_str).collect::<Vec<_>>());
    let b = spawn(&home, &a2.iter().map(String::as_str).collect::<Vec<_>>());
    let (a, b) = (
        within(Duration::from_secs(120), a),
        within(Duration::from_secs(120), b),
    );
    let seen = both_imported(&library, &a, &b, "");
    assert_eq!(seen.len(), 5000, "every link of both, once");
}

/// After two imports into `bookmarks/all.md` ran at once: both succeeded, and the urls the
/// collection holds, each once.
fn both_imported(
    library: &Path,
    a: &std::process::Output,
    b: &std::process::Output,
    context: &str,
) -> HashSet<String> {
    assert!(
        a.status.success() && b.status.success(),
        "{context}{}{}",
        said(a),
        said(b)
    );
    let text = std::fs::read_to_string(library.join("bookmarks/all.md")).unwrap();
    let mut seen = HashSet::new();
    for line in text.lines().filter(|l| l.starts_with("- [")) {
        let url = line.split("](").nth(1).unwrap().split(')').next().unwrap();
        assert!(seen.insert(url.to_string()), "{context}{url} twice");
    }
    seen
}

#[test]
fn rewrites_keep_line_ends_mode_and_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let home = TempDir::new("writers-keep");
    let library = home.path().join("lib");
    let export = |from: usize| home.write(&format!("export{from}.html"), netscape(from, 40));
    let more = |from: usize| home.write(&format!("more{from}.html"), netscape(from, 60));
    let import = |file: PathBuf, into: &str| {
        let out = quire(
            &home,
            &lib_args(
                &library,
                &["import", file.to_str().unwrap(), "--into", into],
            ),
        );
        assert!(out.status.success(), "{}", said(&out));
    };
    // A CRLF collection (edited on Windows) stays CRLF, every old line byte for byte.
    import(export(0), "bookmarks/crlf.md");
    let path = library.join("bookmarks/crlf.md");
    let crlf = std::fs::read_to_string(&path)
        .unwrap()
        .replace('\n', "\r\n");
    std::fs::write(&path, &crlf).unwrap();
    import(more(0), "bookmarks/crlf.md");
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF crept in"
    );
    for line in crlf.split_inclusive("\r\n") {
        assert!(after.contains(line), "{line:?} lost");
    }
    assert_eq!(after.matches("- [").count(), 60);

    // A private collection stays private.
    import(export(1000), "bookmarks/private.md");
    let private = library.join("bookmarks/private.md");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    import(more(1000), "bookmarks/private.md");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // A collection that is a link: its target is updated, the link stays a link.
    import(export(2000), "bookmarks/real.md");
    let real = library.join("bookmarks/real.md");
    let elsewhere = home.path().join("elsewhere.md");
    std::fs::rename(&real, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &real).unwrap();
    import(more(2000), "bookmarks/real.md");
    assert!(
        std::fs::symlink_metadata(&real)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&elsewhere)
            .unwrap()
            .matches("- [")
            .count(),
        60
    );

    // The read state stays private too.
    let content = home.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("a.md"), "+++\ntitle = \"A\"\n+++\nA.\n").unwrap();
    std::fs::write(content.join("b.md"), "+++\ntitle = \"B\"\n+++\nB.\n").unwrap();
    let content = content.to_str().unwrap();
    assert!(
        quire(&home, &["--content", content, "mark-read", "a"])
            .status
            .success()
    );
    // The machine's state files: a new one keeps the mode of the one before.
    let own = common::own_state(&home, &home.path().join("data/quire/state.toml"));
    let files = |dir: &std::path::Path| {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        files
    };
    let first = files(&own).pop().unwrap();
    std::fs::set_permissions(&first, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        quire(&home, &["--content", content, "mark-read", "b"])
            .status
            .success()
    );
    let state = files(&own).pop().unwrap();
    assert_ne!(state, first);
    let mode = std::fs::metadata(&state).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_fifo_or_a_device_named_md_in_a_feed_folder_is_passed_over() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:odd", "Odd", &entries("odd", 2)),
        ),
    );
    let home = TempDir::new("writers-fifo");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Odd", server.url("/feed"))]);
    let dir = library.join("feeds/odd");
    std::fs::create_dir_all(&dir).unwrap();
    let status = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe.md"))
        .status()
        .unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.md")).unwrap();
    let out = within(
        Duration::from_secs(60),
        spawn(&home, &lib_args(&library, &["sync"])),
    );
    assert!(said(&out).contains("Odd: 2 new"), "{}", said(&out));
}

#[test]
fn a_feed_of_many_entries_is_written_a_thousand_a_sync_and_its_memory_stays_bounded() {
    let server = Server::start();
    let mut many = entries("many", 1500);
    // One title for all: names -2, -3, … found in one pass.
    for e in &mut many {
        e.1 = "Same title".into();
        e.3 = "2026-05-05T00:00:00Z".into();
    }
    server.page(
        "/feed",
        Page::ok("application/atom+xml", atom("urn:many", "Many", &many)),
    );
    let home = TempDir::new("writers-many");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Many", server.url("/feed"))]);
    let out = within(
        Duration::from_secs(120),
        spawn(&home, &lib_args(&library, &["sync"])),
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("1000 new") && said(&out).contains("500 older entries left"),
        "{}",
        said(&out)
    );
    let dir = library.join("feeds/many");
    assert_eq!(posts(&dir).len(), 1000);
    assert!(dir.join("2026-05-05-same-title-1000.md").exists());
    // The next sync writes the other 500, and the feed's validators are kept at last.
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Many: 500 new"), "{}", said(&out));
    assert!(!said(&out).contains("left for later"), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 1500);
    // A feed that answers with nothing for once (a hiccup upstream) makes Quire forget
    // nothing: the posts the user deletes after it stay deleted when the entries come back.
    let gone: Vec<PathBuf> = posts(&dir).into_iter().take(5).collect();
    server.page(
        "/feed",
        Page::ok("application/atom+xml", atom("urn:many", "Many", &[])),
    );
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    for path in &gone {
        std::fs::remove_file(path).unwrap();
    }
    server.page(
        "/feed",
        Page::ok("application/atom+xml", atom("urn:many", "Many", &many)),
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Many: 0 new"), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 1495);
    let record = std::fs::read_to_string(dir.join(".quire-written")).unwrap();
    assert_eq!(record.lines().count(), 1500);
}

#[test]
fn a_post_deleted_stays_deleted_whichever_subscription_or_import_wrote_it() {
    let server = Server::start();
    let feed = atom("urn:shared", "Shared", &entries("shared", 3)).replacen(
        "<updated>",
        "<link rel=\"self\" href=\"https://shared.example/feed\"/><updated>",
        1,
    );
    server.page("/a", Page::ok("application/atom+xml", feed.clone()));
    server.page("/b", Page::ok("application/atom+xml", feed.clone()));
    let home = TempDir::new("writers-shared-delete");
    let library = home.path().join("lib");
    // The feed's posts first come from a saved copy of it.
    let file = home.write("saved.xml", &feed);
    let out = quire(
        &home,
        &lib_args(&library, &["import", file.to_str().unwrap()]),
    );
    assert!(said(&out).contains("3 new"), "{}", said(&out));
    subscribe_listed(
        &home,
        &library,
        &[("A", server.url("/a")), ("B", server.url("/b"))],
    );
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    let dir = library.join("feeds/shared");
    assert_eq!(posts(&dir).len(), 3, "{:?}", folders(&library));
    let deleted = posts(&dir).remove(0);
    std::fs::remove_file(&deleted).unwrap();
    for _ in 0..2 {
        let out = quire(&home, &lib_args(&library, &["sync"]));
        assert!(out.status.success(), "{}", said(&out));
        assert_eq!(posts(&dir).len(), 2, "{}", said(&out));
    }
}

#[test]
fn a_feed_claiming_another_feeds_id_cannot_write_into_its_folder() {
    let server = Server::start();
    let trusted = atom("urn:trusted", "Trusted", &entries("trusted", 2));
    let mut forged = entries("trusted", 2);
    for e in &mut forged {
        e.2 = "<p>forged text</p>".into();
    }
    server.page("/trusted", Page::ok("application/atom+xml", trusted));
    let home = TempDir::new("writers-forged");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Trusted", server.url("/trusted"))]);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    // Another host serves a feed with the same Atom id and entry ids.
    let other = Server::start();
    other.page(
        "/forged",
        Page::ok(
            "application/atom+xml",
            atom("urn:trusted", "Trusted", &forged),
        ),
    );
    let forged_url = other.url("/forged").replace("127.0.0.1", "localhost");
    std::fs::write(
        library.join("feeds.opml"),
        quire::feeds::opml::render(&[
            quire::feeds::opml::Feed {
                url: server.url("/trusted"),
                title: "Trusted".into(),
                site: None,
            },
            quire::feeds::opml::Feed {
                url: forged_url,
                title: "Forged".into(),
                site: None,
            },
        ]),
    )
    .unwrap();
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert!(!said(&out).contains("the same feed as"), "{}", said(&out));
    // Its posts go to a folder of its own.
    assert_eq!(
        folders(&library),
        ["trusted", "trusted-2"],
        "{}",
        said(&out)
    );
    for post in posts(&library.join("feeds/trusted")) {
        let text = std::fs::read_to_string(&post).unwrap();
        assert!(!text.contains("forged"), "{text}");
    }
}

#[test]
fn every_line_the_feed_commands_print_is_cleaned() {
    let home = TempDir::new("writers-escapes");
    let library = home.path().join("lib");
    let hostile_title = "Evil\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J\u{202e}txt.exe";
    let hostile_url = "https://evil.example/\x1b[2Jfeed";
    let list = home.write(
        "list.opml",
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
             <outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{u}\"/>\
             <outline type=\"rss\" text=\"file\" xmlUrl=\"file:///etc/passwd\"/>\
             <outline type=\"rss\" text=\"js\" xmlUrl=\"javascript:alert(1)\"/>\
             <outline type=\"rss\" text=\"opt\" xmlUrl=\"-o/tmp/x\"/>\
             </body></opml>",
            t = hostile_title
                .replace('\x1b', "&#27;")
                .replace('\x07', "&#7;"),
            u = hostile_url.replace('\x1b', "&#27;")
        ),
    );
    let clean = |out: &Output| {
        let all = said(out);
        assert!(
            !all.contains('\x1b') && !all.contains('\x07') && !all.contains('\u{202e}'),
            "{all:?}"
        );
    };
    for args in [
        vec!["subscribe", "--opml", list.to_str().unwrap()],
        vec!["import", list.to_str().unwrap()],
        vec!["feeds"],
        vec!["unsubscribe", "https://evil.example/\x1b[2Jnot-there"],
    ] {
        let out = quire(&home, &lib_args(&library, &args));
        clean(&out);
    }
    // One rule for a typed url and one from an OPML list: only web addresses, without
    // blanks or controls in them (the escape sequence in the evil one refuses it too).
    let opml = std::fs::read_to_string(library.join("feeds.opml")).unwrap_or_default();
    for refused in ["file:", "javascript:", "-o/tmp", "evil.example"] {
        assert!(!opml.contains(refused), "{refused} was subscribed: {opml}");
    }
    let out = quire(
        &home,
        &lib_args(
            &library,
            &["unsubscribe", "https://evil.example/\x1b[2Jfeed"],
        ),
    );
    clean(&out);
    // An export's file name and titles, too.
    let export = home.write(
        "evil\x1b[31m.html",
        netscape(0, 3).replace("Page 1<", "Page\x1b]0;x\x07 1<"),
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", export.to_str().unwrap(), "--dry-run"]),
    );
    clean(&out);
    let out = quire(
        &home,
        &lib_args(&library, &["import", export.to_str().unwrap()]),
    );
    clean(&out);
}

#[test]
fn a_folder_in_the_sync_state_never_leads_out_of_the_library() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:out", "Outward", &entries("out", 2)),
        ),
    );
    let home = TempDir::new("writers-outside");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Outward", server.url("/feed"))]);
    std::fs::create_dir_all(library.join("feeds")).unwrap();
    let outside = home.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("_index.md"), "mine").unwrap();
    for folder in ["../../outside", "/tmp", ".."] {
        std::fs::write(
            library.join("feeds/.sync.toml"),
            format!(
                "[feeds.\"{}\"]\nfolder = {:?}\n",
                server.url("/feed"),
                folder
            ),
        )
        .unwrap();
        let out = quire(&home, &lib_args(&library, &["sync"]));
        assert!(out.status.success(), "{}", said(&out));
        assert_eq!(
            std::fs::read_to_string(outside.join("_index.md")).unwrap(),
            "mine"
        );
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
        assert_eq!(posts(&library.join("feeds/outward")).len(), 2, "{folder}");
    }
}

#[test]
fn a_library_that_cannot_be_written_is_named() {
    let home = TempDir::new("writers-readonly");
    let library = home.path().join("lib");
    // Where the lock must go there is a folder: the write fails as on a read-only disk.
    std::fs::create_dir_all(library.join(".quire-write.lock")).unwrap();
    let export = home.write("export.html", netscape(0, 5));
    let out = quire(
        &home,
        &lib_args(&library, &["import", export.to_str().unwrap()]),
    );
    assert!(!out.status.success());
    assert!(
        said(&out).contains(&library.join(".quire-write.lock").display().to_string()),
        "{}",
        said(&out)
    );
}

#[test]
fn big_imports_and_lists_are_read_in_one_pass() {
    // Each took minutes before (quadratic); these guard against a hang, the figures are in
    // quire-bench.
    let home = TempDir::new("writers-big");
    let library = home.path().join("lib");
    let export = home.write("big.html", netscape(0, 40_000));
    let out = within(
        Duration::from_secs(30),
        spawn(
            &home,
            &lib_args(&library, &["import", export.to_str().unwrap()]),
        ),
    );
    assert!(
        said(&out).contains("Added 40000 bookmarks"),
        "{}",
        said(&out)
    );
    // 20,000 outlines in one list.
    let outlines: String = (0..20_000)
        .map(|i| {
            format!("<outline type=\"rss\" text=\"F{i}\" xmlUrl=\"https://f{i}.example/feed\"/>")
        })
        .collect();
    let list = home.write(
        "big.opml",
        format!("<?xml version=\"1.0\"?><opml version=\"2.0\"><body>{outlines}</body></opml>"),
    );
    let out = within(
        Duration::from_secs(30),
        spawn(
            &home,
            &lib_args(&library, &["import", list.to_str().unwrap()]),
        ),
    );
    assert!(
        said(&out).contains("Subscribed to 20000 feeds"),
        "{}",
        said(&out)
    );
    // An export of 30,000 folders merged into a collection that has them all as headings.
    let folders = |from: usize| {
        let mut out = String::from("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n");
        for f in 0..30_000 {
            out.push_str(&format!(
                "<DT><H3>Folder {f}</H3>\n<DL><p>\n<DT><A HREF=\"https://x.example/{from}/{f}\">L</A>\n</DL><p>\n"
            ));
        }
        out.push_str("</DL>\n");
        out
    };
    for (n, from) in [0, 1].iter().enumerate() {
        let file = home.write(&format!("folders{n}.html"), folders(*from));
        let out = within(
            Duration::from_secs(30),
            spawn(
                &home,
                &lib_args(
                    &library,
                    &[
                        "import",
                        file.to_str().unwrap(),
                        "--into",
                        "bookmarks/folders.md",
                    ],
                ),
            ),
        );
        assert!(said(&out).contains("Added 30000"), "{}", said(&out));
    }
    let text = std::fs::read_to_string(library.join("bookmarks/folders.md")).unwrap();
    assert_eq!(text.matches("### Folder 29999\n").count(), 1);
}

/// The post file in `dir` whose `id` is `id`.
fn post_of(dir: &Path, id: &str) -> Option<PathBuf> {
    posts(dir)
        .into_iter()
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(&format!("id = \"{id}\""))))
}

#[test]
fn the_readers_sync_a_cron_sync_and_an_edit_at_once_lose_nothing() {
    const ROUNDS: usize = 20;
    let server = Server::bounded(600, Duration::from_secs(600));
    let feed = |name: &str, round: usize| {
        // Ten more entries each round; entry `round` changed upstream in that round.
        let mut list = entries(name, 10 * (round + 1));
        for (i, e) in list.iter_mut().enumerate() {
            if i <= round {
                e.2 = format!("<p>Body of {name} {i}, revised in round {round}</p>");
            }
        }
        atom(&format!("urn:{name}"), name, &list)
    };
    let names = ["alpha", "beta"];
    for name in names {
        server.page(
            &format!("/{name}"),
            Page::ok("application/atom+xml", feed(name, 0)),
        );
    }
    let home = TempDir::new("writers-stress");
    let library = home.path().join("lib");
    let listed: Vec<(&str, String)> = names
        .iter()
        .map(|n| (*n, server.url(&format!("/{n}"))))
        .collect();
    subscribe_listed(&home, &library, &listed);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    let lib = library.to_str().unwrap();
    let mut reader = common::pty::Session::start(&home, home.path(), &["--library", lib], 120, 30);
    reader.wait_for_text("alpha");
    let alpha = library.join("feeds/alpha");
    for round in 1..ROUNDS {
        for name in names {
            server.page(
                &format!("/{name}"),
                Page::ok("application/atom+xml", feed(name, round)),
            );
        }
        // The status bar shows something else before this round's sync says it is done.
        reader.send("\x12");
        reader.wait_for("the reload's note", |s| {
            !s.lines().last().unwrap_or_default().contains("Synced")
        });
        // The post whose entry changes upstream this round, edited by its user meanwhile:
        // in place one round, through a temp file and a rename (as vim does) the next.
        let target = post_of(&alpha, &format!("urn:alpha:{round}")).unwrap();
        let edit = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis((round as u64 * 37) % 150));
            let text = std::fs::read_to_string(&target).unwrap();
            let edited = format!("{text}\nUser edit round {round}\n");
            if round % 2 == 0 {
                std::fs::write(&target, edited).unwrap();
            } else {
                let temp = target.with_extension("md~");
                std::fs::write(&temp, edited).unwrap();
                std::fs::rename(&temp, &target).unwrap();
            }
        });
        reader.send("S");
        let cron = spawn(&home, &lib_args(&library, &["sync"]));
        let cron = within(Duration::from_secs(60), cron);
        assert!(cron.status.success(), "round {round}: {}", said(&cron));
        reader.wait_for("the reader's sync", |s| {
            s.lines()
                .last()
                .unwrap_or_default()
                .contains("Synced 2 feeds")
        });
        edit.join().unwrap();
        for name in names {
            let ids = ids_in(&library.join(format!("feeds/{name}")));
            assert_eq!(
                ids.len(),
                10 * (round + 1),
                "round {round}: {name} lost entries"
            );
            assert!(
                ids.values().all(|n| *n == 1),
                "round {round}: {name} has an entry twice"
            );
        }
        for earlier in 1..=round {
            let post = post_of(&alpha, &format!("urn:alpha:{earlier}")).unwrap();
            let text = std::fs::read_to_string(&post).unwrap();
            assert!(
                text.contains(&format!("User edit round {earlier}")),
                "round {round}: the edit of round {earlier} was lost:\n{text}"
            );
        }
    }
    reader.send("q");
    assert_eq!(reader.wait_exit(), 0);
}

#[test]
fn two_imports_at_once_twenty_times_keep_every_link_once() {
    let home = TempDir::new("writers-import-stress");
    let library = home.path().join("lib");
    let mut expected = HashSet::new();
    for round in 0..20 {
        // Two exports sharing a third of their links with each other.
        let from = round * 300;
        let a = home.write(&format!("a{round}.html"), netscape(from, 150));
        let b = home.write(&format!("b{round}.html"), netscape(from + 100, 150));
        expected.extend((from..from + 250).map(|i| format!("https://example.org/page/{i}")));
        let run = |file: &PathBuf| {
            spawn(
                &home,
                &lib_args(
                    &library,
                    &[
                        "import",
                        file.to_str().unwrap(),
                        "--into",
                        "bookmarks/all.md",
                    ],
                ),
            )
        };
        let (a, b) = (run(&a), run(&b));
        let (a, b) = (
            within(Duration::from_secs(60), a),
            within(Duration::from_secs(60), b),
        );
        let seen = both_imported(&library, &a, &b, &format!("round {round}: "));
        assert_eq!(seen, expected, "round {round}");
    }
}

#[test]
fn a_sync_leaves_the_load_cache_up_to_date_for_the_next_count() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:warm", "Warm", &entries("warm", 5)),
        ),
    );
    let home = TempDir::new("writers-warm");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Warm", server.url("/feed"))]);
    let caches = || {
        std::fs::read_dir(home.path().join("cache/quire"))
            .map(|d| d.flatten().count())
            .unwrap_or(0)
    };
    assert_eq!(caches(), 0);
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Warm: 5 new"), "{}", said(&out));
    // Written by the sync itself: the bundled library and the five new posts.
    assert_eq!(caches(), 1);
    let cache = std::fs::read_dir(home.path().join("cache/quire"))
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let written = std::fs::metadata(&cache).unwrap().modified().unwrap();
    let out = quire(&home, &lib_args(&library, &["unread"]));
    let bundled: usize = said(&quire(&home, &["unread"])).trim().parse().unwrap();
    assert_eq!(said(&out).trim(), (bundled + 5).to_string());
    // The count found the cache fitting: it was not written again.
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        written
    );
}

#[test]
fn a_file_of_quires_that_is_a_fifo_or_a_link_to_one_is_never_replaced() {
    let home = TempDir::new("writers-not-regular");
    let library = home.path().join("lib");
    std::fs::create_dir_all(&library).unwrap();
    let fifo = home.path().join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    // (A link to a device was the trial's case: a subscription replaced /dev/zero with its
    // list. A FIFO shows the same without putting the machine at risk.)
    std::os::unix::fs::symlink(&fifo, library.join("feeds.opml")).unwrap();
    let list = home.write(
        "list.opml",
        quire::feeds::opml::render(&[quire::feeds::opml::Feed {
            url: "https://a.example/feed".into(),
            title: "A".into(),
            site: None,
        }]),
    );
    let out = within(
        Duration::from_secs(30),
        spawn(
            &home,
            &lib_args(&library, &["import", list.to_str().unwrap()]),
        ),
    );
    assert!(!out.status.success());
    assert!(said(&out).contains("not a regular file"), "{}", said(&out));
    let meta = std::fs::metadata(&fifo).unwrap();
    use std::os::unix::fs::FileTypeExt;
    assert!(meta.file_type().is_fifo(), "the FIFO is still a FIFO");
}

#[test]
fn a_broken_sync_state_is_kept_aside_and_a_removed_title_file_stays_removed() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:k", "Kept", &entries("k", 4)),
        ),
    );
    let home = TempDir::new("writers-broken-state");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Kept", server.url("/feed"))]);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    let dir = library.join("feeds/kept");
    std::fs::remove_file(posts(&dir).remove(0)).unwrap();
    std::fs::remove_file(dir.join("_index.md")).unwrap();
    std::fs::remove_file(library.join("feeds/_index.md")).unwrap();
    let state = library.join("feeds/.sync.toml");
    let broken = format!("oops = \n{}", std::fs::read_to_string(&state).unwrap());
    std::fs::write(&state, &broken).unwrap();
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Kept: 0 new"), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 3, "the deleted post came back");
    assert!(!dir.join("_index.md").exists() && !library.join("feeds/_index.md").exists());
    let aside: Vec<String> = std::fs::read_dir(library.join("feeds"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".sync.toml.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "the broken state is kept for its owner");
    assert_eq!(
        std::fs::read_to_string(library.join("feeds").join(&aside[0])).unwrap(),
        broken
    );
}

#[test]
fn feeds_real_readers_read_are_read_and_their_script_links_are_not_urls() {
    let server = Server::start();
    // A JSON Feed with numbers for ids (readers must take them as strings) and an object for
    // a title.
    server.page(
        "/json",
        Page::ok(
            "application/feed+json",
            r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Numbers",
                "items": [{"id": 1, "title": "One", "content_text": "first"},
                          {"id": 2, "title": {"odd": true}, "content_text": "second",
                           "url": "javascript:alert(1)"}]}"#,
        ),
    );
    let home = TempDir::new("writers-lenient");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Numbers", server.url("/json"))]);
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Numbers: 2 new"), "{}", said(&out));
    for post in posts(&library.join("feeds/numbers")) {
        let text = std::fs::read_to_string(&post).unwrap();
        assert!(!text.contains("javascript"), "{text}");
    }
}

#[test]
fn a_subscription_that_could_not_be_saved_is_not_said_to_be_made() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:s", "Saved", &entries("s", 1)),
        ),
    );
    let home = TempDir::new("writers-unsaved");
    let library = home.path().join("lib");
    std::fs::create_dir_all(library.join(".quire-write.lock")).unwrap();
    let out = quire(
        &home,
        &lib_args(&library, &["subscribe", &server.url("/feed")]),
    );
    assert!(!out.status.success());
    assert!(!said(&out).contains("Subscribed to"), "{}", said(&out));
}

#[test]
fn a_site_naming_a_dead_feed_first_is_subscribed_through_the_next() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:live", "Live", &entries("live", 1)),
        ),
    );
    server.page(
        "/site",
        Page::ok(
            "text/html",
            format!(
                "<html><head>\
                 <link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:x\">\
                 <link rel=\"alternate\" type=\"application/rss+xml\" href=\"{}\">\
                 <link rel=\"alternate\" type=\"application/atom+xml\" href=\"{}\">\
                 </head></html>",
                server.url("/gone"),
                server.url("/feed")
            ),
        ),
    );
    let home = TempDir::new("writers-discovery");
    let library = home.path().join("lib");
    let out = quire(
        &home,
        &lib_args(&library, &["subscribe", &server.url("/site")]),
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("Subscribed to Live"), "{}", said(&out));
}

#[test]
fn an_export_that_never_ends_is_refused_at_a_size() {
    let home = TempDir::new("writers-endless");
    let library = home.path().join("lib");
    let endless = home.path().join("bookmarks.html");
    // Read, never written: a device that never ends.
    std::os::unix::fs::symlink("/dev/zero", &endless).unwrap();
    let out = within(
        Duration::from_secs(60),
        spawn(
            &home,
            &lib_args(&library, &["import", endless.to_str().unwrap()]),
        ),
    );
    assert!(!out.status.success());
    assert!(said(&out).contains("more than 256 MiB"), "{}", said(&out));
}

/// An RSS feed of (guid, title, link, pubDate) items.
fn rss_items(title: &str, items: &[(&str, &str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, link, date)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>\
                 <pubDate>{date}</pubDate><description>Text of {title}</description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title>{items}</channel></rss>"
    )
}

#[test]
fn items_sharing_one_guid_are_each_their_own_post() {
    let server = Server::start();
    let home_page = "https://same.example/";
    let item = |n: usize| {
        (
            home_page,
            ["First post", "Second post", "Third post", "Fourth post"][n - 1],
            [
                "https://same.example/1",
                "https://same.example/2",
                "https://same.example/3",
                "https://same.example/4",
            ][n - 1],
            [
                "Mon, 01 Jan 2024 10:00:00 GMT",
                "Tue, 02 Jan 2024 10:00:00 GMT",
                "Wed, 03 Jan 2024 10:00:00 GMT",
                "Thu, 04 Jan 2024 10:00:00 GMT",
            ][n - 1],
        )
    };
    server.page(
        "/rss",
        Page::ok(
            "application/rss+xml",
            rss_items("Same", &[item(3), item(2), item(1)]),
        ),
    );
    let home = TempDir::new("writers-shared-guid");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Same", server.url("/rss"))]);
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Same: 3 new"), "{}", said(&out));
    let dir = library.join("feeds/same");
    let before: Vec<(PathBuf, String)> = posts(&dir)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    server.page(
        "/rss",
        Page::ok(
            "application/rss+xml",
            rss_items("Same", &[item(4), item(3), item(2), item(1)]),
        ),
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Same: 1 new"), "{}", said(&out));
    assert!(!said(&out).contains("updated"), "{}", said(&out));
    for (path, text) in before {
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
    assert_eq!(posts(&dir).len(), 4);
}

#[test]
fn two_blogs_whose_template_shares_a_self_link_are_two_feeds() {
    let server = Server::start();
    let blog = |title: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\
             <channel><title>{title}</title>\
             <atom:link rel=\"self\" href=\"http://localhost:1313/index.xml\"/>\
             <item><guid>http://localhost:1313/posts/hello-world/</guid><title>Hello</title>\
             <description>{title} says hello</description></item></channel></rss>"
        )
    };
    server.page(
        "/a.xml",
        Page::ok("application/rss+xml", blog("Alice Blog")),
    );
    server.page("/b.xml", Page::ok("application/rss+xml", blog("Bob Blog")));
    let home = TempDir::new("writers-template");
    let library = home.path().join("lib");
    subscribe_listed(
        &home,
        &library,
        &[("", server.url("/a.xml")), ("", server.url("/b.xml"))],
    );
    for _ in 0..2 {
        let out = quire(&home, &lib_args(&library, &["sync"]));
        assert!(!said(&out).contains("the same feed"), "{}", said(&out));
        assert!(!said(&out).contains("updated"), "{}", said(&out));
    }
    assert_eq!(folders(&library), ["alice-blog", "bob-blog"]);
    let alice = std::fs::read_to_string(&posts(&library.join("feeds/alice-blog"))[0]).unwrap();
    assert!(alice.contains("Alice Blog says hello"), "{alice}");
}

#[test]
fn a_hand_made_subscription_list_keeps_its_shape() {
    let server = Server::start();
    server.page(
        "/new",
        Page::ok(
            "application/atom+xml",
            atom("urn:new", "New Feed", &entries("new", 1)),
        ),
    );
    let home = TempDir::new("writers-opml-shape");
    let library = home.path().join("lib");
    std::fs::create_dir_all(&library).unwrap();
    let list = "<?xml version=\"1.0\"?>\r\n<opml version=\"2.0\">\r\n  <head>\r\n    <title>My reading</title>\r\n    <ownerName>Ada</ownerName>\r\n  </head>\r\n  <body>\r\n    <!-- the good ones -->\r\n    <outline text=\"Tech\">\r\n      <outline type=\"rss\" text=\"Old\" xmlUrl=\"https://old.example/feed\" category=\"/tech\"/>\r\n      <outline type=\"rss\" text=\"Gone\" xmlUrl=\"https://gone.example/feed\"/>\r\n    </outline>\r\n  </body>\r\n</opml>\r\n";
    std::fs::write(library.join("feeds.opml"), list).unwrap();
    let out = quire(
        &home,
        &lib_args(&library, &["subscribe", &server.url("/new")]),
    );
    assert!(out.status.success(), "{}", said(&out));
    let out = quire(
        &home,
        &lib_args(&library, &["unsubscribe", "https://gone.example/feed"]),
    );
    assert!(out.status.success(), "{}", said(&out));
    let after = std::fs::read_to_string(library.join("feeds.opml")).unwrap();
    for kept in [
        "<title>My reading</title>",
        "<ownerName>Ada</ownerName>",
        "<!-- the good ones -->",
        "<outline text=\"Tech\">",
        "category=\"/tech\"",
    ] {
        assert!(after.contains(kept), "{kept} lost:\n{after}");
    }
    assert!(!after.contains("gone.example"), "{after}");
    assert!(after.contains(&server.url("/new")), "{after}");
    assert!(
        !after.replace("\r\n", "").contains('\n'),
        "a bare LF crept in:\n{after:?}"
    );
}

#[test]
fn a_feed_folder_renamed_by_its_user_is_followed() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:ren", "Ren Feed", &entries("ren", 3)),
        ),
    );
    let home = TempDir::new("writers-renamed");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Ren", server.url("/feed"))]);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    std::fs::rename(
        library.join("feeds/ren-feed"),
        library.join("feeds/reading"),
    )
    .unwrap();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:ren", "Ren Feed", &entries("ren", 4)),
        ),
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("1 new"), "{}", said(&out));
    assert_eq!(folders(&library), ["reading"]);
    assert_eq!(posts(&library.join("feeds/reading")).len(), 4);
}

#[test]
fn a_record_of_written_ids_that_cannot_be_read_stops_the_feed_before_it_writes() {
    let server = Server::start();
    server.page(
        "/feed",
        Page::ok(
            "application/atom+xml",
            atom("urn:rec", "Rec", &entries("rec", 2)),
        ),
    );
    let home = TempDir::new("writers-record-fifo");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Rec", server.url("/feed"))]);
    assert!(
        quire(&home, &lib_args(&library, &["sync"]))
            .status
            .success()
    );
    let dir = library.join("feeds/rec");
    std::fs::remove_file(posts(&dir).remove(0)).unwrap();
    let record = dir.join(".quire-written");
    std::fs::remove_file(&record).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&record)
            .status()
            .unwrap()
            .success()
    );
    let out = within(
        Duration::from_secs(30),
        spawn(&home, &lib_args(&library, &["sync"])),
    );
    assert!(!out.status.success(), "{}", said(&out));
    assert_eq!(posts(&dir).len(), 1, "the deleted post came back");
}

#[test]
fn a_feed_file_imported_again_under_another_title_goes_to_its_folder() {
    let home = TempDir::new("writers-import-again");
    let library = home.path().join("lib");
    let feed = |title: &str| atom("urn:file-feed", title, &entries("ff", 3));
    let first = home.write("first.xml", feed("File Feed"));
    assert!(
        quire(
            &home,
            &lib_args(&library, &["import", first.to_str().unwrap()])
        )
        .status
        .success()
    );
    let dir = library.join("feeds/file-feed");
    std::fs::remove_file(posts(&dir).remove(0)).unwrap();
    let renamed = home.write("renamed.xml", feed("File Feed Renamed"));
    let out = quire(
        &home,
        &lib_args(&library, &["import", renamed.to_str().unwrap()]),
    );
    assert!(said(&out).contains("0 new"), "{}", said(&out));
    assert_eq!(folders(&library), ["file-feed"]);
    // Another feed's file of a subscribed feed's title gets a folder of its own.
    let other = home.write(
        "other.xml",
        atom("urn:other", "File Feed", &entries("other", 1)),
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", other.to_str().unwrap()]),
    );
    assert!(said(&out).contains("1 new"), "{}", said(&out));
    assert_eq!(folders(&library), ["file-feed", "file-feed-2"]);
}

#[test]
fn importing_again_recognises_urls_quire_wrote_encoded() {
    let home = TempDir::new("writers-odd-urls");
    let library = home.path().join("lib");
    let export = home.write(
        "odd.html",
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><H3>F</H3>\n<DL><p>\n\
         <DT><A HREF=\"https://example.org/u\\v\">Backslash</A>\n\
         <DT><A HREF=\"https://example.org/tab&#9;x\">Tab</A>\n\
         <DT><A HREF=\"https://example.org/nl&#10;x\">Newline</A>\n\
         </DL><p>\n</DL>\n",
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", export.to_str().unwrap()]),
    );
    assert!(said(&out).contains("Added 3"), "{}", said(&out));
    let out = quire(
        &home,
        &lib_args(&library, &["import", export.to_str().unwrap()]),
    );
    assert!(said(&out).contains("Nothing new"), "{}", said(&out));
}
