//! The page archive end to end against a server the test starts on 127.0.0.1 (bounded in
//! requests and time, stopped by the test): articles wrapped in site chrome saved as their
//! text, a redirect followed, dead links listed, a PDF, a page that never ends and a 40 MB
//! page each ending with a note while the rest are saved, and a second run asking nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::server::{Page, Server};
use common::{TempDir, json, lib_args, stderr, stdout};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(common::fixture(&format!("archive/{name}"))).unwrap()
}

/// Words of the pages' chrome (navigation, banners, sidebars, footers, scripts): none may be
/// saved.
const CHROME: [&str; 16] = [
    "Archivemenu",
    "Subscribemenu",
    "cookiesconsent",
    "Acceptall",
    "Popularposts",
    "Sidebarlink",
    "Advertisementword",
    "newsletterfooter",
    "Termsfooter",
    "scriptword",
    "trackingpixel",
    "Tagsmenu",
    "Dismissbutton",
    "Relatedlink",
    "Commentword",
    "Privacyfooter",
];

/// A library whose one collection links to the server's pages.
fn library_linking(home: &TempDir, server: &Server, links: &[(&str, &str)]) -> std::path::PathBuf {
    let lines: String = links
        .iter()
        .map(|(title, path)| format!("- [{title}]({}) -- about {title}\n", server.url(path)))
        .collect();
    home.write(
        "lib/reading.md",
        format!("+++\ntitle = \"Reading\"\nkind = \"bookmarks\"\n+++\n\n## Saved\n\n{lines}"),
    );
    home.path().join("lib")
}

/// Runs quire, polling its peak resident memory (VmHWM) while it runs.
fn run_measured(home: &TempDir, library: &Path, args: &[&str]) -> (Output, u64) {
    let mut child = common::quire_command(home, home.path())
        .args(lib_args(library, args))
        .env("QUIRE_DEBUG_FETCH_TIMEOUT_MS", "1500")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kb) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    (child.wait_with_output().unwrap(), peak_kb)
}

fn quire(home: &TempDir, library: &Path, args: &[&str]) -> Output {
    common::quire_command(home, home.path())
        .args(lib_args(library, args))
        .output()
        .unwrap()
}

/// The id of the bookmark titled `title`.
fn id_of(home: &TempDir, library: &Path, title: &str) -> String {
    let listed = json(&quire(home, library, &["list", "--json"]));
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("no {title} in {listed}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn pages_are_saved_as_their_articles_and_dead_links_are_known() {
    let server = Server::start();
    server.page(
        "/borrow",
        Page::ok("text/html; charset=utf-8", fixture("borrow.html")),
    );
    server.page("/queues-new", Page::ok("text/html", fixture("queues.html")));
    server.page(
        "/queues",
        Page {
            status: 301,
            kind: "text/html",
            body: server.url("/queues-new"),
            etag: None,
        },
    );
    server.page(
        "/removed",
        Page {
            status: 410,
            kind: "text/html",
            body: "<p>Gone for good</p>".into(),
            etag: None,
        },
    );
    server.page(
        "/paper.pdf",
        Page::ok("application/pdf", "%PDF-1.4 not a page"),
    );
    server.page("/trickle", Page::ok("trickle", ""));
    let huge = format!(
        "<html><body><p>{}</p></body></html>",
        "word ".repeat(8_000_000)
    );
    server.page("/huge", Page::ok("text/html", huge));
    let home = TempDir::new("archive-run");
    let library = library_linking(
        &home,
        &server,
        &[
            ("Borrow checker", "/borrow"),
            ("Queues", "/queues"),
            ("Missing", "/missing"),
            ("Removed", "/removed"),
            ("Paper", "/paper.pdf"),
            ("Trickle", "/trickle"),
            ("Huge", "/huge"),
        ],
    );

    let started = Instant::now();
    let (out, peak_kb) = run_measured(&home, &library, &["archive", "--all"]);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let (said, complained) = (stdout(&out), stderr(&out));
    assert_eq!(
        out.status.code(),
        Some(1),
        "dead links fail the run: {said}{complained}"
    );
    assert_eq!(
        said.trim(),
        "Saved 2 pages, 2 dead, 1 failed (asked again next time), 2 skipped.",
        "{complained}"
    );
    for note in [
        "dead: Missing: HTTP 404 Not Found",
        "dead: Removed: HTTP 410 Gone",
        "skipped: Paper: not a web page (application/pdf)",
        "failed: Trickle: timed out",
        "skipped: Huge: bigger than 10 MB",
    ] {
        assert!(complained.contains(note), "{note} in:\n{complained}");
    }
    eprintln!("archive --all: peak memory {peak_kb} kB");
    assert!(
        peak_kb > 0 && peak_kb < 200 * 1024,
        "peak memory {peak_kb} kB (40 MB page included)"
    );

    // The article is shown with its bookmark; no word of the chrome is.
    let borrow = id_of(&home, &library, "Borrow checker");
    let shown = stdout(&quire(&home, &library, &["show", &borrow]));
    assert!(shown.contains("Saved page · fetched "), "{shown}");
    assert!(shown.contains("borrow checker rejects programs"), "{shown}");
    assert!(shown.contains("RefCell::new(5)"), "{shown}");
    assert!(shown.contains("Link:     alive"), "{shown}");
    for word in CHROME {
        assert!(!shown.contains(word), "{word} in:\n{shown}");
    }
    // The redirect was followed and the final address kept.
    let queues = id_of(&home, &library, "Queues");
    let shown = json(&quire(&home, &library, &["show", "--json", &queues]));
    let saved = &shown["saved_page"];
    assert_eq!(saved["url"], server.url("/queues-new"), "{shown}");
    assert_eq!(saved["health"], "alive");
    assert_eq!(saved["status"], 200);
    assert!(saved["checksum"].as_str().unwrap().starts_with("crc32:"));
    let text = saved["body"].as_str().unwrap();
    assert!(text.contains("Little's law ties the queue"), "{text}");
    for word in CHROME {
        assert!(!text.contains(word), "{word} in:\n{text}");
    }

    // The saved text is searched as its bookmark's, below what the bookmarks say themselves;
    // the chrome's words find nothing.
    let found = json(&quire(
        &home,
        &library,
        &["search", "--json", "--exact", "queue latency in:Reading"],
    ));
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["id"], queues.as_str());
    assert_eq!(found[0]["field"], "saved_page");
    let snippet = found[0]["snippet"].as_str().unwrap();
    assert!(
        snippet.starts_with("▤ ") && snippet.contains("latency"),
        "{snippet}"
    );
    let both = json(&quire(
        &home,
        &library,
        &["search", "--json", "--exact", "borrow in:Reading"],
    ));
    let ids: Vec<&str> = both
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [borrow.as_str()], "{both}");
    for word in [
        "Relatedlink",
        "cookiesconsent",
        "newsletterfooter",
        "scriptword",
    ] {
        let asked = format!("{word} in:Reading");
        let none = json(&quire(
            &home,
            &library,
            &["search", "--json", "--exact", &asked],
        ));
        assert_eq!(none, serde_json::json!([]), "{word}");
    }
    let dead = json(&quire(&home, &library, &["search", "--json", "is:dead"]));
    let titles: Vec<&str> = dead
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Missing", "Removed"], "{dead}");

    // Dead links are listed as such, and only they.
    let dead = stdout(&quire(&home, &library, &["list", "--dead"]));
    let titles: Vec<&str> = dead.lines().filter_map(|l| l.split('\t').nth(3)).collect();
    assert_eq!(titles, ["Missing", "Removed"], "{dead}");

    // A second run asks again only for what was uncertain (the page that never ended).
    let asked_before = server.requests.load(Ordering::SeqCst);
    let (again, _) = run_measured(&home, &library, &["archive", "--all"]);
    assert_eq!(
        server.requests.load(Ordering::SeqCst) - asked_before,
        1,
        "{}",
        stderr(&again)
    );
    assert_eq!(
        stdout(&again).trim(),
        "Saved 0 pages, 2 saved already, 2 dead, 1 failed (asked again next time), 2 skipped."
    );
    drop(server);
}

#[test]
fn a_refresh_asks_conditionally_and_keeps_the_users_edit() {
    let server = Server::start();
    server.page(
        "/borrow",
        Page {
            status: 200,
            kind: "text/html",
            body: fixture("borrow.html"),
            etag: Some("\"v1\"".into()),
        },
    );
    let home = TempDir::new("archive-refresh");
    let library = library_linking(&home, &server, &[("Borrow checker", "/borrow")]);
    let first = quire(&home, &library, &["archive", "--all"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let saved: Vec<_> = walk(&library.join("archive"));
    assert_eq!(saved.len(), 1, "{saved:?}");

    // Unchanged upstream: a 304, nothing rewritten.
    let before = std::fs::read(&saved[0]).unwrap();
    let again = quire(&home, &library, &["archive", "--all", "--refresh"]);
    assert_eq!(stdout(&again).trim(), "Saved 0 pages, 1 unchanged.");
    assert_eq!(server.not_modified.load(Ordering::SeqCst), 1);
    let after = std::fs::read_to_string(&saved[0]).unwrap();
    assert_eq!(
        strip_checked(&after),
        strip_checked(&String::from_utf8(before).unwrap())
    );

    // Changed upstream, but the user has annotated the saved text: theirs is kept.
    let edited = after.replace(
        "The borrow checker rejects",
        "MY NOTE. The borrow checker rejects",
    );
    std::fs::write(&saved[0], &edited).unwrap();
    server.page(
        "/borrow",
        Page {
            status: 200,
            kind: "text/html",
            body: fixture("borrow.html").replace("Lifetimes describe", "Lifetimes now describe"),
            etag: Some("\"v2\"".into()),
        },
    );
    let refreshed = quire(&home, &library, &["archive", "--all", "--refresh"]);
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    let now = std::fs::read_to_string(&saved[0]).unwrap();
    assert!(now.contains("MY NOTE."), "{now}");
    assert!(!now.contains("Lifetimes now describe"), "{now}");
    assert!(
        stderr(&refreshed).contains("edited: kept as it is"),
        "{}",
        stderr(&refreshed)
    );
    drop(server);
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// A saved page's text without the line that says when it was last checked.
fn strip_checked(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("checked = ") && !l.starts_with("status = "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn nothing_is_fetched_without_a_link_and_an_unknown_id_is_named() {
    let home = TempDir::new("archive-args");
    home.write(
        "lib/notes.md",
        "+++\ntitle = \"Notes\"\nkind = \"bookmarks\"\n+++\n\n- No link here -- just words\n",
    );
    let library = home.path().join("lib");
    let out = quire(&home, &library, &["archive", "no-such-id"]);
    let shown = quire(&home, &library, &["show", "no-such-id"]);
    assert_eq!(
        out.status.code(),
        shown.status.code(),
        "fails as `show` does"
    );
    assert!(
        stderr(&out).contains("no item with id `no-such-id`"),
        "{}",
        stderr(&out)
    );
    let out = quire(&home, &library, &["archive", "--all"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("no bookmark with a web address"),
        "{}",
        stderr(&out)
    );
}

/// The writers' hostile-HTML depth test on this path: pages nested thousands deep are saved
/// as their text by an archive run's workers (threads of the default stack), and found.
#[test]
fn pages_nested_thousands_deep_are_saved_as_text() {
    let server = Server::start();
    let deep = common::nested_thousands_deep("deep text");
    let mut links = Vec::new();
    for (name, html) in &deep {
        let page =
            format!("<html><head><title>Deep {name}</title></head><body>{html}</body></html>");
        server.page(&format!("/{name}"), Page::ok("text/html", page));
        links.push((*name, format!("/{name}")));
    }
    let home = TempDir::new("archive-deep");
    let links: Vec<(&str, &str)> = links.iter().map(|(n, p)| (*n, p.as_str())).collect();
    let library = library_linking(&home, &server, &links);
    let out = quire(&home, &library, &["archive", "--all"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out).trim(), "Saved 5 pages.");
    let found = json(&quire(
        &home,
        &library,
        &["search", "--json", "--exact", "deep text in:Reading"],
    ));
    assert_eq!(found.as_array().unwrap().len(), 5, "{found}");
    drop(server);
}

/// `a` in the real reader, in a pseudo-terminal: the selected bookmark's page is saved in the
/// background, its progress and outcome in the status bar, and the page shows under the
/// bookmark once saved, without a restart.
#[test]
fn a_in_the_reader_saves_the_selected_page_and_shows_it() {
    let server = Server::start();
    server.page("/borrow", Page::ok("text/html", fixture("borrow.html")));
    let home = TempDir::new("archive-key");
    let library = library_linking(&home, &server, &[("Borrow checker", "/borrow")]);
    let lib = library.to_str().unwrap();
    let mut reader = common::pty::Session::start(
        &home,
        home.path(),
        &["--library", lib, "--content", lib],
        100,
        30,
    );
    reader.wait_for_text("Reading");
    // All → Reading → Saved → its one bookmark, opened.
    reader.type_keys("jjl");
    reader.wait_for_text("Borrow checker");
    reader.send("\r");
    reader.wait_for_text("about Borrow checker");
    reader.send("a");
    let screen = reader.wait_for_text("saved: Borrow checker");
    assert!(!screen.contains("Subscribemenu"), "{screen}");
    let screen = reader.wait_for_text("Saved page · fetched");
    assert!(screen.contains("The borrow checker rejects"), "{screen}");
    reader.send("q");
    reader.wait_exit();
    reader.assert_terminal_restored();
    assert_eq!(walk(&library.join("archive")).len(), 1);
    drop(server);
}

/// `--feeds` (or `[feeds] full_text = true`) saves the pages of feed posts that came as a
/// summary only; a post with its whole text, and any post without the flag, is left alone.
#[test]
fn feed_posts_of_a_summary_only_have_their_page_saved_on_request() {
    let server = Server::start();
    server.page("/borrow", Page::ok("text/html", fixture("borrow.html")));
    server.page("/queues", Page::ok("text/html", fixture("queues.html")));
    let home = TempDir::new("archive-feeds");
    let library = home.path().join("lib");
    let post = |name: &str, url: String, body: &str| {
        home.write(
            &format!("lib/feeds/blog/{name}.md"),
            format!("+++\ntitle = \"{name}\"\ndate = 2026-11-02\nurl = \"{url}\"\n+++\n\n{body}\n"),
        );
    };
    post(
        "summary",
        server.url("/borrow"),
        "The borrow checker, in a sentence.",
    );
    post(
        "whole",
        server.url("/queues"),
        &"A whole article of words. ".repeat(100),
    );
    let out = quire(&home, &library, &["archive", "--all"]);
    assert!(
        stderr(&out).contains("no bookmark with a web address"),
        "{}",
        stderr(&out)
    );
    let out = quire(&home, &library, &["archive", "--feeds"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "Saved 1 page.");
    let saved = walk(&library.join("archive"));
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(
        std::fs::read_to_string(&saved[0])
            .unwrap()
            .contains("borrow checker rejects")
    );
    // The config makes it the rule for --all.
    home.write("config/quire/config.toml", "[feeds]\nfull_text = true\n");
    let out = quire(&home, &library, &["archive", "--all"]);
    assert_eq!(
        stdout(&out).trim(),
        "Saved 0 pages, 1 saved already.",
        "{}",
        stderr(&out)
    );
    drop(server);
}

/// Two runs at once over the same links, and a run killed half-way: every page is one whole
/// file, no temp file is left, and the runs' outcomes are the pages', not each other's.
#[test]
fn runs_at_once_and_a_run_killed_half_way_leave_whole_pages() {
    let server = Server::start();
    let mut links = Vec::new();
    for n in 0..12 {
        let body = fixture("queues.html").replace("Backpressure", &format!("Backpressure {n}"));
        server.page(&format!("/p{n}"), Page::ok("text/html", body));
        links.push((format!("Page {n}"), format!("/p{n}")));
    }
    // One that never ends, to be killed on.
    server.page("/trickle", Page::ok("trickle", ""));
    links.push(("Trickle".into(), "/trickle".into()));
    let home = TempDir::new("archive-race");
    let links: Vec<(&str, &str)> = links
        .iter()
        .map(|(t, p)| (t.as_str(), p.as_str()))
        .collect();
    let library = library_linking(&home, &server, &links);
    let spawn = || {
        common::quire_command(&home, home.path())
            .args(lib_args(&library, &["archive", "--all"]))
            .env("QUIRE_DEBUG_FETCH_TIMEOUT_MS", "3000")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Killed while the trickling page holds it (the others done or in flight).
    let mut killed = spawn();
    std::thread::sleep(Duration::from_millis(700));
    killed.kill().unwrap();
    killed.wait().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    for out in [&a, &b] {
        let said = stderr(out);
        assert!(
            said.lines()
                .all(|l| l.contains("Trickle") || l.contains("meanwhile")),
            "only the trickle fails: {said}"
        );
    }
    let files = walk(&library.join("archive"));
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".md") && !n.starts_with('.')),
        "{names:?}"
    );
    assert_eq!(files.len(), 13, "one file a page: {names:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let (meta, body) = quire::archive::page::parse(&text).expect("a whole saved page");
        // Each page's own text, under its own link.
        if let Some(n) = meta
            .saved_from
            .rsplit("/p")
            .next()
            .filter(|_| !meta.saved_from.ends_with("trickle"))
        {
            assert!(meta.title.contains(&format!("Backpressure {n} ")), "{text}");
            assert!(body.contains("Little's law"), "{text}");
        }
    }
    drop(server);
}

/// A page with no text to keep (empty, or chrome only) is said, nothing is saved of it, and
/// the next run asks again; `is:dead` with no saved page finds nothing.
#[test]
fn a_page_without_text_is_skipped_and_asked_again() {
    let server = Server::start();
    server.page(
        "/empty",
        Page::ok("text/html", "<html><head><title>E</title><script>app()</script></head><body><div id=\"app\"></div></body></html>"),
    );
    let home = TempDir::new("archive-empty");
    let library = library_linking(&home, &server, &[("Empty", "/empty")]);
    let dead = json(&quire(
        &home,
        &library,
        &["search", "--json", "is:dead in:Reading"],
    ));
    assert_eq!(dead, serde_json::json!([]));
    let out = quire(&home, &library, &["archive", "--all"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "Saved 0 pages, 1 skipped.");
    assert!(
        stderr(&out).contains("holds no text to keep"),
        "{}",
        stderr(&out)
    );
    let asked = server.requests.load(Ordering::SeqCst);
    let out = quire(&home, &library, &["archive", "--all"]);
    assert_eq!(stdout(&out).trim(), "Saved 0 pages, 1 skipped.");
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        asked + 1,
        "asked again"
    );
    drop(server);
}
