//! The `quire` binary's non-interactive commands, run as a user would.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TempDir, fixture, json, quire, stderr, stdout};
use serde_json::Value;

#[test]
fn stats_on_the_bundled_content() {
    // The temp dir has no content/, so the bundled library is used.
    let home = TempDir::new("stats");
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(stats["posts"], 39);
    assert_eq!(stats["bookmarks"], 254);
    assert_eq!(stats["items"], 293);
    assert!(stats["with_body"].as_u64().unwrap() >= 69);
    assert_eq!(stats["unread"], 293);
    assert_eq!(stats["diagnostics"], 0);
    assert!(stats["categories"].as_u64().unwrap() > 40);
}

#[test]
fn check_passes_on_the_bundled_content() {
    let home = TempDir::new("check");
    let output = quire(&home, &["check"]);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(stdout(&output).contains("no problems"));
}

#[test]
fn check_lists_problems_and_fails() {
    let home = TempDir::new("check-bad");
    home.write("content/bad.md", "+++\ntitle = \"x\"\ndate = nope\n+++\n");
    home.write("content/ok.md", "# Fine");
    let output = quire(
        &home,
        &[
            "check",
            "--content",
            home.path().join("content").to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("bad.md:3: invalid TOML front matter"),
        "{text}"
    );
    assert!(text.contains("1 problem found"), "{text}");
}

#[test]
fn list_json_has_the_documented_fields() {
    let home = TempDir::new("list");
    let content = fixture("zola_site/content");
    let items = json(&quire(
        &home,
        &["list", "--json", "--content", content.to_str().unwrap()],
    ));
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 5);
    let first = items.iter().find(|i| i["id"] == "blog/first-post").unwrap();
    assert_eq!(first["kind"], "post");
    assert_eq!(first["title"], "First post");
    assert_eq!(first["date"], "2021-03-04");
    assert_eq!(first["category"], serde_json::json!(["The Blog"]));
    assert_eq!(first["tags"], serde_json::json!(["intro", "meta"]));
    assert_eq!(first["url"], Value::Null);
    assert_eq!(first["read"], false);
    let plain = items.iter().find(|i| i["id"] == "notes/plain").unwrap();
    assert_eq!(plain["date"], Value::Null);
}

#[test]
fn list_filters_by_category_path() {
    let home = TempDir::new("list-cat");
    let output = quire(
        &home,
        &[
            "list",
            "--category",
            "Bookmarks/Tech Insights from Bookmarks/See Also",
        ],
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[0],
        "bookmarks/tech-insights/database-systems-survey\tbookmark\t-\tDatabase Systems Survey"
    );
    let missing = quire(&home, &["list", "--category", "Nope"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("no category `Nope`"));
}

#[test]
fn show_prints_metadata_and_rendered_body() {
    let home = TempDir::new("show");
    let output = quire(
        &home,
        &[
            "show",
            "bookmarks/tech-insights/vacuum-full-locked-our-database-for-14-hours-on-black-friday",
        ],
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(text.starts_with("VACUUM FULL Locked Our Database for 14 Hours on Black Friday\n"));
    assert!(text.contains("Category: Bookmarks › Tech Insights from Bookmarks › Case Studies › Database & Storage Infrastructure"));
    assert!(
        text.contains("Trigger: 84% dead tuples in orders table"),
        "{text}"
    );
    assert!(!text.contains("**"), "markdown is rendered, not shown raw");

    let json = json(&quire(
        &home,
        &["show", "howdy/sccache-is-pretty-okay", "--json"],
    ));
    assert_eq!(json["title"], "sccache is pretty okay");
    assert!(
        json["body"]
            .as_str()
            .unwrap()
            .starts_with("I have been using sccache")
    );
}

#[test]
fn show_says_when_no_text_is_stored() {
    let home = TempDir::new("show-empty");
    let text = stdout(&quire(&home, &["show", "blog/kids-use-hnswlib"]));
    assert!(
        text.contains("No text is stored offline for this item."),
        "{text}"
    );
    assert!(text.contains("/blog/2022/09/28/kids-use-hnswlib/"));
}

#[test]
fn unknown_id_and_missing_content_fail_clearly() {
    let home = TempDir::new("errors");
    let output = quire(&home, &["show", "no/such/id"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no item with id `no/such/id`"));

    let output = quire(&home, &["stats", "--content", "/no/such/folder"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("content folder /no/such/folder does not exist"));
}

#[test]
fn local_content_folder_wins_over_the_bundled_one() {
    let home = TempDir::new("local");
    home.write("content/only.md", "# The only post");
    let stats = json(&quire(&home, &["stats", "--json"]));
    assert_eq!(stats["items"], 1);
}

#[test]
fn help_documents_every_option() {
    let home = TempDir::new("help");
    let text = stdout(&quire(&home, &["--help"]));
    for option in [
        "--content",
        "--state",
        "--config",
        "list",
        "show",
        "stats",
        "check",
    ] {
        assert!(text.contains(option), "--help lacks {option}: {text}");
    }
}

/// `quire list | head`: the reader of the output goes away; that is no error.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let home = common::TempDir::new("cli-pipe");
    let mut text = String::from("# Many\n\n");
    for i in 0..5000 {
        text.push_str(&format!("- Bookmark number {i} -- description {i}\n"));
    }
    home.write("content/bookmarks/many.md", text);
    let content = home.path().join("content").display().to_string();
    let mut child = common::quire_command(&home, home.path())
        .args(["--content", &content, "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here, as `head` does after its lines.
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}", output.status);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn a_closed_pipe_ends_json_output_quietly_too() {
    use std::io::Read;
    let home = TempDir::new("json-pipe");
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["search", "--json", "--limit", "200", "a"],
    ] {
        let mut child = common::quire_command(&home, home.path())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // As `| head -c 100` does: read a little, then close the pipe.
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn one_folder_given_twice_or_inside_another_loads_once() {
    let home = TempDir::new("roots-once");
    let dir = home.path().join("lib");
    std::fs::create_dir_all(dir.join("blog")).unwrap();
    std::fs::write(dir.join("blog/a.md"), "# A\n\nalpha").unwrap();
    std::fs::write(dir.join("b.md"), "# B\n\nbeta").unwrap();
    let d = dir.to_str().unwrap();
    let spelled = format!("{d}/./");
    let inner = format!("{d}/blog");
    for args in [vec![d], vec![d, &spelled], vec![d, &inner], vec![&inner, d]] {
        let mut all = Vec::new();
        for a in &args {
            all.extend(["--content", a]);
        }
        all.push("check");
        let out = quire(&home, &all);
        assert!(out.status.success(), "{args:?}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("2 items"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn unknown_ids_and_categories_suggest_the_closest_and_categories_lists_them() {
    let home = TempDir::new("suggest");
    let out = quire(&home, &["show", "blog/what-makes-a-good-technical-leadr"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("did you mean `blog/what-makes-a-good-technical-leader`? (`quire list`"),
        "{}",
        stderr(&out)
    );
    let out = quire(&home, &["mark-read", "about-me"]);
    assert!(
        stderr(&out).contains("did you mean `about/about-me`? ("),
        "{}",
        stderr(&out)
    );
    let out = quire(&home, &["list", "--category", "bookmark/tech insights"]);
    assert!(
        stderr(&out).contains("did you mean `Bookmarks/Tech Insights from Bookmarks`?"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("? (`quire categories` lists them all)"));
    let listed = stdout(&quire(&home, &["categories"]));
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("Bookmarks/Tech Insights from Bookmarks\t254\t")),
        "{listed}"
    );
    // Each line's path works with --category.
    for line in listed.lines().take(5) {
        let path = line.split('\t').next().unwrap();
        let out = quire(&home, &["list", "--category", path]);
        assert!(out.status.success(), "{path}: {}", stderr(&out));
    }
}

#[test]
fn a_state_file_in_a_missing_folder_is_an_error_and_errors_say_things_once() {
    let home = TempDir::new("state-folder");
    let missing = home.path().join("no/such/folder/state.toml");
    let out = quire(
        &home,
        &[
            "--state",
            missing.to_str().unwrap(),
            "mark-read",
            "about/about-me",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
    assert!(!home.path().join("no").exists(), "no folder made up");
    // An io error inside a Quire error is printed once, not again as its cause.
    let err = anyhow::Error::from(quire::content::RootError::Unreadable {
        path: "/x".into(),
        error: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
    });
    let shown = format!("{err:#}");
    assert_eq!(shown.matches("permission denied").count(), 1, "{shown}");
}

#[test]
fn completions_and_the_man_page_are_generated() {
    let home = TempDir::new("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = quire(&home, &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for command in ["import", "subscribe", "sync", "star", "categories"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
    }
    let man = stdout(&quire(&home, &["man"]));
    assert!(
        man.starts_with(".ie") || man.contains(".TH quire 1"),
        "{man}"
    );
    assert!(
        man.contains("subscribe") && man.contains("\\-\\-library"),
        "{man}"
    );
}

/// Rewrites a file with other text of the same length and puts its modification time back:
/// to Quire (which judges by size and time, as make does) the file has not changed, so
/// what a command shows of it says whether it read the file or its load cache.
fn change_behind_the_cache(path: &std::path::Path, text: &str) {
    let before = std::fs::metadata(path).unwrap();
    assert_eq!(before.len(), text.len() as u64, "same length");
    std::fs::write(path, text).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
}

#[test]
fn a_command_after_a_change_reads_only_the_changed_files() {
    let home = TempDir::new("cache-reuse");
    home.write("content/a.md", "+++\ntitle = \"Alpha\"\n+++\nalpha body\n");
    home.write("content/b.md", "+++\ntitle = \"Bravo\"\n+++\nbravo body\n");
    home.write(
        "content/c.md",
        "+++\ntitle = \"Charlie\"\n+++\ncharlie body\n",
    );
    let content = home.path().join("content");
    let on_content = ["--content", content.to_str().unwrap()];
    let run = |command: &[&str]| common::quire_counting(&home, &[&on_content, command].concat());
    let read = common::files_read;
    let titles = |output: &std::process::Output| {
        json(output)
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // The first command loads every file and writes the load cache.
    let first = run(&["list", "--json"]);
    assert_eq!(titles(&first), ["Alpha", "Bravo", "Charlie"]);
    assert_eq!(read(&first), 3);
    let cache = home.path().join("cache/quire");
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        1,
        "one cache file"
    );
    // Nothing changed: nothing is read.
    assert_eq!(read(&run(&["list", "--json"])), 0);

    // b changes with its size kept and its modification time put back (as git-restore-mtime,
    // tar or `rsync -t` leave a file), a changes plainly: both are seen, only they are read.
    change_behind_the_cache(
        &content.join("b.md"),
        "+++\ntitle = \"BRAVO\"\n+++\nBRAVO BODY\n",
    );
    home.write(
        "content/a.md",
        "+++\ntitle = \"Alpha two\"\n+++\nalpha body, more\n",
    );
    let after = run(&["list", "--json"]);
    assert_eq!(titles(&after), ["Alpha two", "BRAVO", "Charlie"]);
    assert_eq!(read(&after), 2);
    // Counting and searching, which read less of the cache, see the same and read nothing.
    let unread = run(&["unread"]);
    assert_eq!(stdout(&unread).trim(), "3");
    assert_eq!(read(&unread), 0);
    let hits = json(&run(&["search", "--json", "bravo"]));
    assert_eq!(hits[0]["title"], "BRAVO");
    assert!(json(&run(&["search", "--json", "two"]))[0]["title"] == "Alpha two");
    // The cache was written again after the change: one file.
    assert_eq!(
        std::fs::read_dir(&cache).unwrap().count(),
        1,
        "one cache file"
    );
    // A file replaced by another of the same size and times (a symlink repointed) is a
    // change too: its inode differs.
    let twin = home.write(
        "elsewhere/c.md",
        "+++\ntitle = \"CHARLIE\"\n+++\ncharlie body\n",
    );
    std::fs::remove_file(content.join("c.md")).unwrap();
    std::os::unix::fs::symlink(&twin, content.join("c.md")).unwrap();
    let relinked = run(&["list", "--json"]);
    assert_eq!(titles(&relinked), ["Alpha two", "BRAVO", "CHARLIE"]);
    assert_eq!(read(&relinked), 1);
}

#[test]
fn an_edit_inside_a_file_is_served_fresh_without_writing_the_whole_cache_again() {
    let home = TempDir::new("cache-edited");
    for n in 0..20 {
        home.write(
            &format!("content/p{n:02}.md"),
            format!("+++\ntitle = \"Post {n}\"\n+++\nfirst words of post {n}\n"),
        );
    }
    let content = home.path().join("content");
    let on_content = ["--content", content.to_str().unwrap()];
    let run = |command: &[&str]| common::quire_counting(&home, &[&on_content, command].concat());
    let read = common::files_read;
    let ids = |output: &std::process::Output| {
        json(output)
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let cache = || common::cache_file(&home);
    assert_eq!(read(&run(&["search", "--json", "first"])), 20);
    let written = cache();
    // Many items and few categories (all in one folder): the index is read back from the
    // cache, not built again with every file read.
    assert_eq!(read(&run(&["search", "--json", "first"])), 0);
    assert_eq!(cache(), written);

    // A word added to one post and another taken out: the search reads that file only, finds
    // the new word and not the old, and leaves the cache as it was.
    home.write(
        "content/p03.md",
        "+++\ntitle = \"Post 3\"\n+++\nzephyrquill words of post 3\n",
    );
    let found = run(&["search", "--json", "zephyrquill"]);
    assert_eq!(ids(&found), ["p03"]);
    assert_eq!(read(&found), 1);
    let gone = run(&["search", "--json", "first"]);
    assert_eq!(ids(&gone).len(), 19);
    assert!(!ids(&gone).contains(&"p03".to_string()));
    let shown = run(&["show", "p03"]);
    assert!(stdout(&shown).contains("zephyrquill"), "{}", stdout(&shown));
    assert_eq!(read(&shown), 1);
    assert_eq!(cache(), written, "the cache was not written again");

    // Edited again, and a second file: still the few files, still no write.
    home.write(
        "content/p03.md",
        "+++\ntitle = \"Post 3\"\n+++\nxylocarp words of post 3\n",
    );
    home.write(
        "content/p07.md",
        "+++\ntitle = \"Post 7\"\n+++\nzephyrquill words of post 7\n",
    );
    let found = run(&["search", "--json", "zephyrquill"]);
    assert_eq!(ids(&found), ["p07"]);
    assert_eq!(read(&found), 2);
    assert_eq!(ids(&run(&["search", "--json", "xylocarp"])), ["p03"]);
    assert_eq!(cache(), written);

    // More files edited than are worth updating one by one: the library is filed and the
    // cache written again whole, after which nothing is read.
    for n in 0..20 {
        home.write(
            &format!("content/p{n:02}.md"),
            format!("+++\ntitle = \"Post {n}\"\n+++\nlater words of post {n}\n"),
        );
    }
    let later = run(&["search", "--json", "later"]);
    assert_eq!(ids(&later).len(), 20);
    assert_eq!(read(&later), 20);
    assert_ne!(cache(), written, "written again");
    assert_eq!(read(&run(&["search", "--json", "later"])), 0);
    assert!(ids(&run(&["search", "--json", "zephyrquill"])).is_empty());
}

#[test]
fn a_bookmark_added_to_a_collection_is_found_without_filing_the_library_again() {
    let home = TempDir::new("cache-spliced");
    let list = "# Reading\n\n## Systems\n\n- [Queues](https://q.example) - on queues\n\n## Data\n\n- [Logs](https://l.example) - on logs\n";
    home.write("content/bookmarks/links.md", list);
    home.write(
        "content/bookmarks/other.md",
        "# Other\n\n## More\n\n- [Else](https://e.example) - else\n",
    );
    for n in 0..40 {
        home.write(
            &format!("content/posts/p{n:02}.md"),
            format!("+++\ntitle = \"Post {n}\"\n+++\nwords\n"),
        );
    }
    let content = home.path().join("content");
    let on_content = ["--content", content.to_str().unwrap()];
    let run = |command: &[&str]| common::quire_counting(&home, &[&on_content, command].concat());
    let read = common::files_read;
    let cache = || common::cache_file(&home);
    assert_eq!(read(&run(&["search", "--json", "queues"])), 42);
    let written = cache();
    // A bookmark added under the first heading: the items after it move, the new one is
    // found, listed under its heading, and the cache is not written again.
    home.write(
        "content/bookmarks/links.md",
        list.replace(
            "- [Queues]",
            "- [Backpressure](https://b.example) - flow control\n- [Queues]",
        ),
    );
    let found = run(&["search", "--json", "backpressure"]);
    assert_eq!(json(&found)[0]["title"], "Backpressure");
    assert_eq!(read(&found), 1);
    let listed = json(&run(&["list", "--json"]));
    let titles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap())
        .collect();
    let fresh_home = TempDir::new("cache-spliced-fresh");
    let fresh = json(
        &common::quire_command(&fresh_home, fresh_home.path())
            .args(["--content", content.to_str().unwrap(), "list", "--json"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed, fresh, "as a fresh load lists them");
    assert!(
        titles.contains(&"Backpressure") && titles.contains(&"Else"),
        "{titles:?}"
    );
    assert_eq!(
        json(&run(&["search", "--json", "else"]))[0]["title"],
        "Else"
    );
    assert_eq!(cache(), written, "the cache was not written again");

    // A collection that is a large share of the library, changed: its items, indexed anew
    // beside the rest, would be indexed again by every command; the index is merged and the
    // cache written once, after which nothing is read.
    let many: String = (0..60)
        .map(|n| format!("- [Link {n}](https://m.example/{n}) - number {n}\n"))
        .collect();
    home.write(
        "content/bookmarks/many.md",
        format!("# Many\n\n## All\n\n{many}"),
    );
    // (A file added: filed whole, with the edit above still unwritten: two files read.)
    assert_eq!(read(&run(&["search", "--json", "number"])), 2);
    let written = cache();
    home.write(
        "content/bookmarks/many.md",
        format!("# Many\n\n## All\n\n- [Zenith](https://z.example) - top\n{many}"),
    );
    let found = run(&["search", "--json", "zenith"]);
    assert_eq!(json(&found)[0]["title"], "Zenith");
    assert_eq!(read(&found), 1);
    assert_ne!(cache(), written, "written again, merged");
    assert_eq!(read(&run(&["search", "--json", "zenith"])), 0);
}

#[test]
fn counting_and_marking_need_no_cache_and_keep_one_working() {
    let home = TempDir::new("cache-ids");
    home.write("content/a.md", "# A\n\nfirst");
    home.write("content/b.md", "# B\n\nsecond");
    let content = home.path().join("content");
    let content = content.to_str().unwrap();
    // No cache yet: the ids come from the files, and a cache is written for the next one.
    assert_eq!(
        stdout(&quire(&home, &["--content", content, "unread"])).trim(),
        "2"
    );
    let marked = quire(&home, &["--content", content, "mark-read", "a", "zz"]);
    assert_eq!(marked.status.code(), Some(1));
    assert!(stdout(&marked).contains("marked 1 item read"));
    assert!(
        stderr(&marked).contains("no item with id `zz`"),
        "{}",
        stderr(&marked)
    );
    assert_eq!(
        stdout(&quire(&home, &["--content", content, "unread"])).trim(),
        "1"
    );
    // The cache written by a command that needed no index serves a search, which builds it.
    let hits = json(&quire(
        &home,
        &["--content", content, "search", "--json", "second"],
    ));
    assert_eq!(hits[0]["id"], "b");
    // A damaged cache is ignored, never an error, and replaced.
    let cache = home.path().join("cache/quire");
    for entry in std::fs::read_dir(&cache).unwrap() {
        std::fs::write(entry.unwrap().path(), b"QUIRELC3 not a cache").unwrap();
    }
    assert_eq!(
        stdout(&quire(&home, &["--content", content, "unread"])).trim(),
        "1"
    );
    let list = stdout(&quire(&home, &["--content", content, "list"]));
    let ids: Vec<&str> = list.lines().filter_map(|l| l.split('\t').next()).collect();
    assert_eq!(ids, ["a", "b"], "{list}");
}

#[test]
fn a_content_folder_without_markdown_is_named_not_passed_over() {
    let home = TempDir::new("empty-root");
    home.write("empty/notes.txt", "not markdown");
    let empty = home.path().join("empty");
    let empty = empty.to_str().unwrap();
    // Every command says so on stderr, and still does its work (an empty list).
    let output = quire(&home, &["--content", empty, "list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let said = stderr(&output);
    assert!(
        said.contains("warning") && said.contains(empty) && said.contains("no markdown files"),
        "{said}"
    );
    // Again from the cache the first command wrote.
    let output = quire(&home, &["--content", empty, "unread"]);
    assert!(
        stderr(&output).contains("no markdown files"),
        "{}",
        stderr(&output)
    );
    // `check` calls it a problem.
    let output = quire(&home, &["--content", empty, "check"]);
    assert!(!output.status.success());
    let out = stdout(&output);
    assert!(
        out.contains(empty) && out.contains("no markdown files"),
        "{out}"
    );
    assert!(out.contains("1 problem found"), "{out}");
    // A folder with markdown files is not warned about.
    home.write("full/a.md", "# A\n");
    let full = home.path().join("full");
    let output = quire(&home, &["--content", full.to_str().unwrap(), "list"]);
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn a_category_named_with_a_slash_is_printed_escaped_and_found_either_way() {
    let home = TempDir::new("slash-category");
    home.write(
        "content/bookmarks/links.md",
        "# Links\n\n## DevOps\n\n### CI/CD\n\n- [Jenkins](https://jenkins.io) — builds\n\n\
         ### CI\n\n- [Other](https://example.com) — not this one\n",
    );
    let cwd = home.path();
    let listed = stdout(&common::quire_in(&home, cwd, &["categories"]));
    let path = listed
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .find(|p| p.ends_with("CI\\/CD"))
        .unwrap_or_else(|| panic!("CI/CD escaped in:\n{listed}"))
        .to_string();
    let unescaped = path.replace("\\/", "/");
    for given in [&path, &unescaped] {
        let output = common::quire_in(&home, cwd, &["list", "--category", given]);
        assert!(output.status.success(), "{given}: {}", stderr(&output));
        let out = stdout(&output);
        assert!(
            out.contains("Jenkins") && !out.contains("Other"),
            "{given}: {out}"
        );
    }
    // The folder CI beside it is still reached by its own path.
    let parent = path.trim_end_matches("CI\\/CD");
    let output = common::quire_in(&home, cwd, &["list", "--category", &format!("{parent}CI")]);
    let out = stdout(&output);
    assert!(out.contains("Other") && !out.contains("Jenkins"), "{out}");
}

#[test]
fn one_markdown_file_given_as_content_is_a_library_of_one() {
    let home = TempDir::new("single-file");
    let file = home.write(
        "notes/README.md",
        "---\ntitle: Just this note\ndate: 2025-01-02\n---\n\n# Hello\n\nText.\n",
    );
    home.write("notes/other.md", "---\ntitle: Not this one\n---\n\nText.\n");
    let file = file.to_str().unwrap();
    let output = quire(&home, &["--content", file, "list"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "readme\tpost\t2025-01-02\tJust this note\n"
    );
    let output = quire(&home, &["--content", file, "show", "readme"]);
    assert!(stdout(&output).contains("Hello"), "{}", stdout(&output));
    // A file that is not markdown is refused, naming it.
    let text = home.write("notes/todo.txt", "x");
    let output = quire(&home, &["--content", text.to_str().unwrap(), "list"]);
    assert_eq!(output.status.code(), Some(2));
    let said = stderr(&output);
    assert!(
        said.contains("todo.txt") && said.contains("markdown file"),
        "{said}"
    );
}
