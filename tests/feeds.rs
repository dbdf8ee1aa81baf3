//! Feeds end to end against a server the test starts on 127.0.0.1 (bounded in requests and
//! time, stopped by the test): subscribe (a feed, a site naming its feed), sync, conditional
//! requests, updates upstream, the user's edits kept, failures named while others land.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::server::{Page, Server};
use common::{TempDir, json, lib_args, posts, quire, said, stderr, stdout, subscribe_listed};

fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .map(|(guid, title, body)| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title><link>https://blog.example/{guid}</link>\
                 <pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><category>rust</category>\
                 <author>ann@example.org (Ann Writer)</author>\
                 <description><![CDATA[{body}]]></description></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test RSS</title>\
         <link>https://blog.example/</link>{items}</channel></rss>"
    )
}

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Site</title><id>urn:atom</id>
<updated>2026-10-01T00:00:00Z</updated>
<entry><id>urn:atom:1</id><title>An atom entry</title><updated>2026-10-01T00:00:00Z</updated>
<link href="https://atom.example/1"/><content type="html">&lt;p&gt;Atom &lt;em&gt;body&lt;/em&gt;&lt;/p&gt;</content></entry>
</feed>"#;

const JSON_FEED: &str = r#"{"version": "https://jsonfeed.org/version/1.1", "title": "Json Feed",
 "items": [{"id": "j1", "title": "A json item", "url": "https://json.example/1",
            "content_html": "<p>From <a href=\"https://x.example\">JSON</a></p>",
            "date_published": "2026-09-01T00:00:00Z", "tags": ["json"]}]}"#;

#[test]
fn subscribe_sync_again_and_upstream_changes_keep_the_users_edits() {
    let server = Server::start();
    server.page(
        "/rss",
        Page {
            status: 200,
            kind: "application/rss+xml",
            body: rss(&[
                (
                    "a",
                    "First post",
                    "<p>Alpha <b>bold</b></p><script>x()</script>",
                ),
                ("b", "Second post", "<p>Beta</p>"),
            ]),
            etag: Some("\"v1\"".into()),
        },
    );
    server.page("/atom", Page::ok("application/atom+xml", ATOM));
    server.page(
        "/site",
        Page::ok("text/html", "<html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom\"></head><body>hi</body></html>"),
    );
    server.page("/json", Page::ok("application/feed+json", JSON_FEED));
    // The site moved its feed: a redirect, followed.
    server.page(
        "/old-rss",
        Page {
            status: 301,
            kind: "",
            body: "/rss".into(),
            etag: None,
        },
    );
    let home = TempDir::new("feeds");
    let library = home.path().join("lib");

    // A feed (at its old address), a site whose page names its feed, a JSON feed, and an
    // address with nothing.
    let (rss_url, site, json_url, missing) = (
        server.url("/old-rss"),
        server.url("/site"),
        server.url("/json"),
        server.url("/missing"),
    );
    let out = quire(
        &home,
        &lib_args(
            &library,
            &["subscribe", &rss_url, &site, &json_url, &missing],
        ),
    );
    assert_eq!(out.status.code(), Some(1), "one failed");
    assert!(
        stdout(&out).contains("Subscribed to Test RSS"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(&format!(
        "Subscribed to Atom Site ({})",
        server.url("/atom")
    )));
    assert!(said(&out).contains("HTTP 404"), "{}", said(&out));
    let listed = stdout(&quire(&home, &lib_args(&library, &["feeds"])));
    assert_eq!(
        listed
            .lines()
            .filter(|l| l.contains("never synced"))
            .count(),
        3,
        "{listed}"
    );
    let opml = std::fs::read_to_string(library.join("feeds.opml")).unwrap();
    assert!(
        opml.contains("xmlUrl=") && opml.contains("Atom Site"),
        "{opml}"
    );
    // The site is the feed's web page, never its own address again.
    assert!(opml.contains("htmlUrl=\"https://blog.example/\""), "{opml}");
    assert!(!opml.contains(&format!("htmlUrl=\"{rss_url}\"")), "{opml}");

    // The first sync writes every entry as a post.
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    // Results on stdout (`quire sync > log` keeps them), problems on stderr.
    assert!(stdout(&out).contains("Test RSS: 2 new"), "{}", said(&out));
    assert!(!stderr(&out).contains("Test RSS: 2 new"), "{}", said(&out));
    let rss_dir = library.join("feeds/test-rss");
    let files = posts(&rss_dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let first = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        first.contains("Alpha **bold**") && !first.contains("x()"),
        "{first}"
    );
    let listed = stdout(&quire(
        &home,
        &lib_args(&library, &["list", "--category", "Feeds/Test RSS"]),
    ));
    assert!(
        listed.contains("First post") && listed.contains("Second post"),
        "{listed}"
    );
    let items = json(&quire(&home, &lib_args(&library, &["list", "--json"])));
    let atom = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "An atom entry")
        .unwrap();
    assert_eq!(atom["url"], "https://atom.example/1");
    assert_eq!(atom["date"], "2026-10-01");
    let out = quire(&home, &lib_args(&library, &["check"]));
    assert!(out.status.success(), "{}{}", stdout(&out), said(&out));

    // Again, nothing new: the RSS feed answers 304 to the ETag it gave; nothing written.
    let stamps: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("Test RSS: not modified"),
        "{}",
        said(&out)
    );
    assert!(
        server.conditional.load(Ordering::SeqCst) >= 1,
        "If-None-Match sent"
    );
    assert!(
        server.gzipped.load(Ordering::SeqCst) >= 3,
        "gzip asked for, and read"
    );
    assert!(server.not_modified.load(Ordering::SeqCst) >= 1);
    assert!(said(&out).contains("Atom Site: 0 new"), "{}", said(&out));
    let again: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    assert_eq!(stamps, again, "a sync with nothing new writes nothing");

    // The user edits the second post; upstream then changes both entries and adds one.
    let second = files
        .iter()
        .find(|f| std::fs::read_to_string(f).unwrap().contains("Second post"))
        .unwrap()
        .clone();
    let edited = std::fs::read_to_string(&second)
        .unwrap()
        .replace("Beta", "Beta, with my notes");
    std::fs::write(&second, &edited).unwrap();
    server.page(
        "/rss",
        Page {
            status: 200,
            kind: "application/rss+xml",
            body: rss(&[
                ("a", "First post", "<p>Alpha, corrected</p>"),
                ("b", "Second post", "<p>Beta, corrected</p>"),
                ("c", "Third post", "<p>Gamma</p>"),
            ]),
            etag: Some("\"v2\"".into()),
        },
    );
    let out = quire(&home, &lib_args(&library, &["sync", "--json"]));
    assert!(out.status.success(), "{}", said(&out));
    let reports = json(&out);
    let rss_report = reports
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["title"] == "Test RSS")
        .unwrap();
    assert_eq!(rss_report["result"], "synced");
    assert_eq!(
        (
            rss_report["new"].as_u64(),
            rss_report["updated"].as_u64(),
            rss_report["kept_edited"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        std::fs::read_to_string(&second).unwrap(),
        edited,
        "the user's edit kept"
    );
    assert!(
        std::fs::read_to_string(&files[0])
            .unwrap()
            .contains("Alpha, corrected")
    );
    assert_eq!(posts(&rss_dir).len(), 3);

    // Unsubscribing keeps the posts.
    let out = quire(&home, &lib_args(&library, &["unsubscribe", &rss_url]));
    assert!(
        stdout(&out).contains("its posts stay in"),
        "{}",
        stdout(&out)
    );
    assert_eq!(posts(&rss_dir).len(), 3);
    drop(server);
}

#[test]
fn a_failing_feed_is_named_and_the_others_still_land() {
    let server = Server::start();
    server.page("/json", Page::ok("application/feed+json", JSON_FEED));
    server.page(
        "/bad",
        Page::ok("application/xml", "<rss><channel><title>cut"),
    );
    server.page(
        "/page",
        Page::ok("text/html", "<html><body>just a page</body></html>"),
    );
    // A port nothing listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let home = TempDir::new("feeds-fail");
    let library = home.path().join("lib");
    subscribe_listed(
        &home,
        &library,
        &[
            ("Good", server.url("/json")),
            ("Bad XML", server.url("/bad")),
            ("Gone", server.url("/gone")),
            ("Refused", format!("http://127.0.0.1:{closed}/feed")),
            ("A page", server.url("/page")),
        ],
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert_eq!(out.status.code(), Some(1));
    let said = said(&out);
    assert!(said.contains("Json Feed: 1 new"), "{said}");
    assert!(said.contains("Bad XML: failed: not a feed"), "{said}");
    assert!(said.contains("Gone: failed: HTTP 404"), "{said}");
    assert!(
        said.contains("Refused: failed: connection refused"),
        "{said}"
    );
    assert!(
        said.contains("A page: failed: the address is a web page"),
        "{said}"
    );
    assert!(said.contains("4 of 5 feeds failed"), "{said}");
    assert_eq!(posts(&library.join("feeds/json-feed")).len(), 1);
    let listed = stdout(&quire(&home, &lib_args(&library, &["feeds"])));
    assert!(listed.contains("failed: HTTP 404"), "{listed}");
    drop(server);
}

#[test]
fn s_in_the_reader_syncs_and_the_new_posts_appear() {
    let server = Server::start();
    server.page(
        "/rss",
        Page::ok(
            "application/rss+xml",
            rss(&[
                ("a", "Reader post one", "<p>One</p>"),
                ("b", "Reader post two", "<p>Two</p>"),
            ]),
        ),
    );
    let home = TempDir::new("feeds-reader");
    // The default library folder, in the private data dir.
    let out = quire(&home, &["subscribe", &server.url("/rss")]);
    assert!(out.status.success(), "{}", said(&out));
    let mut s = common::pty::Session::start(&home, home.path(), &[], 120, 32);
    s.wait_for_text("Bookmarks");
    s.send("S");
    let screen = s.wait_for_text("Synced 1 feed: 2 new posts");
    assert!(!screen.contains("restart quire"), "{screen}");
    // The posts arrive through a reload, which leaves the sync's summary on screen.
    let screen = s.wait_for("the feed in the tree", |s| s.contains("Feeds"));
    let status = screen.lines().last().unwrap_or_default().to_string();
    assert!(status.contains("Synced 1 feed"), "{status}");
    s.send("/reader post");
    s.wait_for_text("Reader post two");
    s.send("\x1b\x1bq");
    assert_eq!(s.wait_exit(), 0);
    drop(server);
}

#[test]
fn import_takes_a_feed_file_and_an_opml_list() {
    let home = TempDir::new("feeds-import");
    let library = home.path().join("lib");
    let feed = home.write(
        "saved/feed.xml",
        rss(&[("a", "Saved post", "<p>Kept offline</p>")]),
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", feed.to_str().unwrap()]),
    );
    assert!(out.status.success(), "{}", said(&out));
    assert!(stdout(&out).contains("Test RSS: 1 new"), "{}", stdout(&out));
    let out = quire(
        &home,
        &lib_args(&library, &["import", feed.to_str().unwrap()]),
    );
    assert!(stdout(&out).contains("Test RSS: 0 new"), "{}", stdout(&out));
    assert_eq!(posts(&library.join("feeds/test-rss")).len(), 1);
    let list = home.write(
        "saved/theirs.opml",
        "<opml version=\"2.0\"><body><outline text=\"One\" xmlUrl=\"https://one.example/feed\"/>\
         <outline text=\"Two\" xmlUrl=\"https://two.example/atom\"/></body></opml>",
    );
    let out = quire(
        &home,
        &lib_args(&library, &["import", list.to_str().unwrap()]),
    );
    assert!(
        stdout(&out).contains("Subscribed to 2 feeds"),
        "{}",
        stdout(&out)
    );
    let listed = stdout(&quire(&home, &lib_args(&library, &["feeds"])));
    assert!(listed.contains("https://two.example/atom"), "{listed}");
}

#[test]
fn a_feed_that_never_answers_or_is_too_big_fails_alone() {
    let server = Server::start();
    server.page("/slow", Page::ok("slow", String::new()));
    // Eleven megabytes of one entry: over the 10 MB limit.
    let huge = rss(&[("h", "Huge", &"x".repeat(11 * 1024 * 1024))]);
    server.page("/huge", Page::ok("application/rss+xml", huge));
    server.page("/json", Page::ok("application/feed+json", JSON_FEED));
    let home = TempDir::new("feeds-slow");
    let library = home.path().join("lib");
    subscribe_listed(
        &home,
        &library,
        &[
            ("Slow", server.url("/slow")),
            ("Huge", server.url("/huge")),
            ("Fine", server.url("/json")),
        ],
    );
    let started = Instant::now();
    let out = common::quire_command(&home, home.path())
        .args(lib_args(&library, &["sync"]))
        .env("QUIRE_DEBUG_FETCH_TIMEOUT_MS", "500")
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(1));
    let said = said(&out);
    assert!(said.contains("Slow: failed: timed out"), "{said}");
    assert!(
        said.contains("Huge: failed: the feed is bigger than 10 MB"),
        "{said}"
    );
    assert!(said.contains("Json Feed: 1 new"), "{said}");
    drop(server);
}

#[test]
fn front_matter_edits_deleted_posts_and_entries_without_ids_stay_as_the_user_left_them() {
    let server = Server::start();
    let feed = |version: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Choices</title>\
             <link>https://choices.example/</link>\
             <item><guid>keep</guid><title>Keep me</title><description>&lt;p&gt;{version} \
             &lt;a href=\"javascript:alert(1)\"&gt;click&lt;/a&gt;&lt;/p&gt;</description></item>\
             <item><guid>gone</guid><title>Delete me</title><description>x</description></item>\
             <item><title>No id, no link</title><description>stable</description></item>\
             </channel></rss>"
        )
    };
    server.page("/rss", Page::ok("application/rss+xml", feed("v1")));
    let home = TempDir::new("feeds-choices");
    let library = home.path().join("lib");
    assert!(
        quire(
            &home,
            &lib_args(&library, &["subscribe", &server.url("/rss")])
        )
        .status
        .success()
    );
    let out = quire(&home, &lib_args(&library, &["sync"]));
    assert!(said(&out).contains("Choices: 3 new"), "{}", said(&out));
    let dir = library.join("feeds/choices");
    let find = |what: &str| {
        posts(&dir)
            .into_iter()
            .find(|p| std::fs::read_to_string(p).unwrap().contains(what))
    };
    let keep = find("Keep me").unwrap();
    let text = std::fs::read_to_string(&keep).unwrap();
    assert!(
        text.contains("click") && !text.contains("javascript"),
        "{text}"
    );
    // The user tags one post in its front matter, deletes another.
    let tagged = text.replace("+++\ntitle", "+++\ntags = [\"mine\"]\ntitle");
    std::fs::write(&keep, &tagged).unwrap();
    std::fs::remove_file(find("Delete me").unwrap()).unwrap();
    // Upstream changes the first; every sync answers in full (no ETag).
    server.page("/rss", Page::ok("application/rss+xml", feed("v2")));
    for _ in 0..2 {
        let out = quire(&home, &lib_args(&library, &["sync"]));
        assert!(said(&out).contains("Choices: 0 new"), "{}", said(&out));
    }
    assert_eq!(
        std::fs::read_to_string(&keep).unwrap(),
        tagged,
        "front matter edit kept"
    );
    assert!(
        find("Delete me").is_none(),
        "a deleted post is not written again"
    );
    assert_eq!(posts(&dir).len(), 2, "the entry without an id written once");

    // Dry runs of a feed file and of an OPML list write nothing; --into stays in the library.
    let saved = home.write("saved.xml", feed("v3").replace("Choices", "Saved Copy"));
    let out = quire(
        &home,
        &lib_args(&library, &["import", saved.to_str().unwrap(), "--dry-run"]),
    );
    assert!(stdout(&out).contains("Would write"), "{}", stdout(&out));
    assert!(!library.join("feeds/saved-copy").exists());
    let list = home.write(
        "list.opml",
        "<opml><body><outline text=\"X\" xmlUrl=\"https://x.example/feed\"/></body></opml>",
    );
    let before = std::fs::read_to_string(library.join("feeds.opml")).unwrap();
    let out = quire(
        &home,
        &lib_args(&library, &["import", list.to_str().unwrap(), "--dry-run"]),
    );
    assert!(
        stdout(&out).contains("Would subscribe to 1 feed"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        std::fs::read_to_string(library.join("feeds.opml")).unwrap(),
        before
    );
    let export = home.write(
        "b.html",
        "<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF=\"https://a.example/\">A</A></DL>",
    );
    let out = quire(
        &home,
        &lib_args(
            &library,
            &[
                "import",
                export.to_str().unwrap(),
                "--into",
                "../outside.md",
            ],
        ),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        said(&out).contains("inside your library folder"),
        "{}",
        said(&out)
    );
    drop(server);
}

#[test]
fn after_a_sync_that_only_rewrote_posts_the_next_count_reads_no_file() {
    let server = Server::start();
    let feed = |body: &str| Page {
        status: 200,
        kind: "application/rss+xml",
        body: rss(&[
            ("a", "First post", body),
            ("b", "Second post", "<p>Beta</p>"),
        ]),
        etag: None,
    };
    server.page("/rss", feed("<p>Alpha</p>"));
    let home = TempDir::new("feeds-warm");
    let library = home.path().join("lib");
    subscribe_listed(&home, &library, &[("Test RSS", server.url("/rss"))]);
    let run = |args: &[&str]| common::quire_counting(&home, &lib_args(&library, args));
    let read = common::files_read;
    run(&["sync"]);
    let unread = stdout(&run(&["unread"]));
    assert_eq!(read(&run(&["unread"])), 0);
    // Upstream corrects an entry: the sync rewrites that one post, and brings the cache up
    // to date for the status bar's next count, which then reads nothing.
    server.page("/rss", feed("<p>Alpha, corrected</p>"));
    let out = run(&["sync", "--json"]);
    assert!(stdout(&out).contains("\"updated\": 1"), "{}", stdout(&out));
    let count = run(&["unread"]);
    assert_eq!(stdout(&count), unread);
    assert_eq!(read(&count), 0, "the sync left the cache up to date");
    drop(server);
}
