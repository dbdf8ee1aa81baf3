//! The load cache is never stale: every way a file or a setting can change without the cache
//! noticing, found in a review and a trial, is a case here (the same size with the time put
//! back is in `cli.rs`, damaged and concurrent writes in the cache's own tests).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{TempDir, copy_dir, fixture, json, quire, quire_in, stderr};

fn urls(output: &std::process::Output) -> Vec<String> {
    json(output)
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item["url"].as_str().map(String::from))
        .collect()
}

#[test]
fn a_site_configuration_edited_changes_every_url_at_once() {
    let home = TempDir::new("store-config");
    let site = home.path().join("site");
    copy_dir(&fixture("zola_blog"), &site);
    let content = site.join("content");
    let list = || {
        quire(
            &home,
            &["--content", content.to_str().unwrap(), "list", "--json"],
        )
    };
    let before = urls(&list());
    assert!(
        before
            .iter()
            .all(|u| u.starts_with("https://blog.example.org/")),
        "{before:?}"
    );
    // Cached now; the configuration changes and no post does.
    let config = site.join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("https://blog.example.org/", "https://moved.example.net/"),
    )
    .unwrap();
    let after = urls(&list());
    assert_eq!(after.len(), before.len());
    assert!(
        after
            .iter()
            .all(|u| u.starts_with("https://moved.example.net/")),
        "{after:?}"
    );
}

#[test]
fn two_projects_that_both_say_content_are_two_libraries() {
    let home = TempDir::new("store-projects");
    for (project, title) in [("a", "Project A post"), ("b", "Project B post")] {
        home.write(
            &format!("{project}/content/post.md"),
            format!("+++\ntitle = \"{title}\"\n+++\nbody\n"),
        );
    }
    let titles = |project: &str| {
        let out = quire_in(
            &home,
            &home.path().join(project),
            &["--content", "content", "list", "--json"],
        );
        json(&out)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles("a"), ["Project A post"]);
    assert_eq!(titles("b"), ["Project B post"]);
    assert_eq!(titles("a"), ["Project A post"]);
    // And with no --content, each project's ./content.
    let plain = quire_in(&home, &home.path().join("b"), &["list", "--json"]);
    assert!(
        json(&plain)
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["title"] == "Project B post")
    );
}

#[test]
fn the_bundled_library_is_no_site_whatever_folder_quire_runs_in() {
    let home = TempDir::new("store-bundled");
    let elsewhere = home.path().join("a-jekyll-blog");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("_config.yml"),
        "url: https://jekyll.example\ntitle: Not yours\n",
    )
    .unwrap();
    let out = quire_in(&home, &elsewhere, &["list", "--json"]);
    let urls = urls(&out);
    assert!(!urls.is_empty());
    assert!(
        urls.iter().all(|u| !u.contains("jekyll.example")),
        "{urls:?}"
    );
    // Nor does a cache made there carry that site elsewhere.
    let out = quire(&home, &["list", "--json"]);
    assert!(
        self::urls(&out)
            .iter()
            .all(|u| !u.contains("jekyll.example"))
    );
}

#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_edited_as_itself_after_a_cached_start() {
    use std::os::unix::ffi::OsStrExt;
    let home = TempDir::new("store-latin1");
    let content = home.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
    std::fs::write(content.join(name), "+++\ntitle = \"Cafe\"\n+++\nbody\n").unwrap();
    let recorder = home.write(
        "editor.sh",
        "#!/bin/sh\nprintf '%s' \"$2\" > \"$(dirname \"$0\")/edited\"\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&recorder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let content_arg = content.to_str().unwrap();
    let out = quire(&home, &["--content", content_arg, "list"]);
    let id = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();
    // The second run starts from the cache.
    for _ in 0..2 {
        let out = common::quire_command(&home, home.path())
            .env("EDITOR", &recorder)
            .env_remove("VISUAL")
            .args(["--content", content_arg, "edit", &id])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let edited = std::fs::read(home.path().join("edited")).unwrap();
        assert_eq!(
            Path::new(std::ffi::OsStr::from_bytes(&edited)),
            content.join(name)
        );
    }
}

#[test]
fn a_fifo_where_the_cache_or_the_config_should_be_is_passed_over() {
    let home = TempDir::new("store-fifo");
    home.write("content/a.md", "+++\ntitle = \"A\"\n+++\nbody\n");
    let content = home.path().join("content");
    let content = content.to_str().unwrap();
    // The cache the command would use is made once, then replaced by a FIFO.
    assert!(
        quire(&home, &["--content", content, "list"])
            .status
            .success()
    );
    let cache_dir = home.path().join("cache/quire");
    let cache = std::fs::read_dir(&cache_dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("library-"))
        .unwrap()
        .path();
    std::fs::remove_file(&cache).unwrap();
    let mkfifo = |path: &Path| {
        assert!(
            std::process::Command::new("mkfifo")
                .arg(path)
                .status()
                .unwrap()
                .success()
        )
    };
    mkfifo(&cache);
    std::fs::create_dir_all(home.path().join("config/quire")).unwrap();
    mkfifo(&home.path().join("config/quire/config.toml"));
    let mut child = common::quire_command(&home, home.path())
        .args(["--content", content, "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("hung on a FIFO");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    // The config is named (it cannot be read), and nothing waited on either FIFO.
    assert!(stderr(&out).contains("config.toml"), "{}", stderr(&out));
}

/// A copy of the bundled library in `home/content`: its path.
fn bundled_copy(home: &TempDir) -> String {
    let content = home.path().join("content");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &content,
    );
    content.to_str().unwrap().to_string()
}

#[test]
fn a_search_served_by_items_decoded_one_by_one_finds_what_the_files_give() {
    let home = TempDir::new("store-items");
    let content = bundled_copy(&home);
    let content = content.as_str();
    let queries: &[&[&str]] = &[
        &["search", "--json", "backpressure"],
        &["search", "--json", "rust", "async"],
        &[
            "search",
            "--json",
            "why is my async code slower with more threads",
        ],
        &["search", "--json", "--", "\"key insights\"", "-rust"],
        &["search", "--json", "is:unread", "kind:post"],
        &["search", "backpressure"],
        &["related", "--json", "howdy/sccache-is-pretty-okay"],
    ];
    let run = |args: &[&str]| {
        let output = common::quire_counting(&home, &[&["--content", content], args].concat());
        (
            String::from_utf8(output.stdout.clone()).unwrap(),
            common::files_read(&output),
        )
    };
    // Without a cache each search reads every file (and the first writes the cache); with it,
    // none, its items decoded from the cache as it ranks them. Both say the same.
    let from_files: Vec<String> = queries
        .iter()
        .map(|args| {
            std::fs::remove_dir_all(home.path().join("cache")).ok();
            let (out, read) = run(args);
            assert!(read > 40, "{read} files read");
            out
        })
        .collect();
    for (args, expected) in queries.iter().zip(&from_files) {
        let (out, read) = run(args);
        assert_eq!(read, 0, "{args:?} served by the cache");
        assert_eq!(&out, expected, "{args:?}");
    }
    assert!(from_files[0].contains("\"id\""), "{}", from_files[0]);
    // The cached search decoded only the items it looked at closely, of 293.
    let output = common::quire_counting(&home, &["--content", content, "search", "backpressure"]);
    let said = stderr(&output);
    let (decoded, of) = said
        .lines()
        .find_map(|l| l.strip_prefix("quire: debug: decoded "))
        .and_then(|l| l.strip_suffix(" items"))
        .and_then(|l| l.split_once(" of "))
        .unwrap_or_else(|| panic!("no count of items decoded: {said}"));
    let (decoded, of): (usize, usize) = (decoded.parse().unwrap(), of.parse().unwrap());
    assert!(
        decoded >= 1 && decoded * 10 < of,
        "decoded {decoded} of {of}"
    );
}

/// Every `every`-th byte of the records of the library part of each load cache under `dir`
/// flipped in place (the part's first and last fifth, paths and categories, left alone).
fn damage_records(dir: &Path, every: usize) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        // The trailer: where each of the seven parts starts, five checksums, the magic.
        let trailer = bytes.len() - (7 * 8 + 5 * 4 + 8);
        let at = |n: usize| {
            let from = trailer + n * 8;
            u64::from_le_bytes(bytes[from..from + 8].try_into().unwrap()) as usize
        };
        let (start, end) = (at(3), at(4));
        let fifth = (end - start) / 5;
        for i in (start + fifth..end - fifth).step_by(every) {
            bytes[i] ^= 0x20;
        }
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all(&bytes).unwrap();
    }
}

#[test]
fn a_search_that_finds_the_cache_damaged_answers_from_the_files_and_the_next_is_whole() {
    let home = TempDir::new("store-damaged");
    let content = bundled_copy(&home);
    let content = content.as_str();
    let search = ["--content", content, "search", "--json", "rust"];
    let whole = quire(&home, &search);
    assert!(whole.status.success());
    let expected = String::from_utf8(whole.stdout).unwrap();
    assert!(expected.matches("\"id\"").count() > 5, "{expected}");
    let cache = home.path().join("cache").join("quire");
    damage_records(&cache, 40);
    // The damaged records are found as the search reads its items: it answers from the files.
    let output = common::quire_counting(&home, &search);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8(output.stdout.clone()).unwrap(), expected);
    // (Its first try read none: it found the damage in the cache before writing anything.)
    let reads = common::files_read_each_try(&output);
    assert_eq!(reads.len(), 2, "tried twice: {reads:?}");
    assert!(reads[0] == 0 && reads[1] > 40, "{reads:?}");
    // It wrote the cache again, whole: the next search is served by it.
    let output = common::quire_counting(&home, &search);
    assert_eq!(String::from_utf8(output.stdout.clone()).unwrap(), expected);
    assert_eq!(common::files_read(&output), 0);
}
