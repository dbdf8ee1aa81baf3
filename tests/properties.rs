//! Property tests with a bounded number of generated cases, run in CI: no input makes a
//! parser panic, and ids do not move when other files change.
//!
//! The generator is a small seeded PRNG biased toward the bytes that matter to markdown and
//! terminals, so failures are reproducible from the printed seed.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::path::Path;

use quire::content::bookmarks::{Mode, parse_collection};
use quire::content::context::LoadContext;
use quire::content::document::parse_document;
use quire::content::front_matter::{parse_front_matter, split_front_matter};
use quire::content::site::Generator;
use quire::content::source::decode;
use quire::content::{Root, load_library};
use quire::render::markdown::render_markdown;
use quire::render::wrap::wrap_lines;
use quire::search::{SearchIndex, SearchOptions, parse_query, search};
use quire::theme::Theme;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "+++\n",
    "---\n",
    "# ",
    "## ",
    "### ",
    "- ",
    "* ",
    "1. ",
    "> ",
    "  ",
    "\t",
    "\n",
    "\n\n",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "`",
    "```",
    "*",
    "_",
    "~",
    "|",
    "|---|",
    "\\",
    "&#27;",
    "&#x9b;",
    "&amp;",
    "\u{1b}[2J",
    "\u{1b}]0;t\u{7}",
    "\u{9b}",
    "\u{202e}",
    "\u{200b}",
    "\u{301}",
    "日本",
    "😀",
    "title = \"x\"\n",
    "date = 2024-01-01\n",
    "kind = \"bookmarks\"\n",
    "[a](http://x.y) -- d\n",
    "[a](#anchor)\n",
    "> **Key insights:**\n",
    "word ",
    "https://",
    "\r\n",
    "\r",
    "\0",
    "\u{7f}",
];

fn markdownish(rng: &mut Rng, max: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let target = rng.below(max);
    while out.len() < target {
        if rng.below(8) == 0 {
            // Raw bytes, including invalid UTF-8.
            for _ in 0..rng.below(8) {
                out.push(rng.next() as u8);
            }
        } else {
            out.extend_from_slice(PIECES[rng.below(PIECES.len())].as_bytes());
        }
    }
    out
}

#[test]
fn arbitrary_input_never_panics_a_parser() {
    let theme = Theme::dark();
    for seed in 1..=400u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let bytes = markdownish(&mut rng, 3000);
        let result = std::panic::catch_unwind(|| {
            let text = match decode(&bytes, Path::new("case.md")) {
                quire::content::source::Read::Text(text, _) => text,
                quire::content::source::Read::Skipped(_) => {
                    String::from_utf8_lossy(&bytes).into_owned()
                }
            };
            // As a plain folder's file and as each site generator's.
            let contexts = [
                None,
                Some(Generator::Zola),
                Some(Generator::Hugo),
                Some(Generator::Jekyll),
            ]
            .map(|generator| LoadContext { generator });
            for context in &contexts {
                if let Ok(split) = split_front_matter(&text) {
                    let _ = parse_front_matter(&split, context);
                }
                for relative in ["a.md", "bookmarks/b.md", "_index.md", "x/index.md"] {
                    let _ =
                        parse_document(Path::new(relative), Path::new(relative), &text, context);
                }
            }
            let _ = parse_collection(&text, 1, Mode::Marked);
            let _ = parse_collection(&text, 1, Mode::Detected);
            for width in [1u16, 7, 40, 200] {
                let lines = render_markdown(&text, &theme, width);
                let wrapped = wrap_lines(&lines, usize::from(width));
                for line in &wrapped {
                    for span in &line.spans {
                        assert!(
                            quire::text::is_clean(&span.content),
                            "control character reached the screen"
                        );
                    }
                }
            }
            let _ = parse_query(&text);
        });
        assert!(
            result.is_ok(),
            "seed {seed} panicked on {:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn arbitrary_queries_never_panic_the_search() {
    let library = common::screen::bundled();
    let index = SearchIndex::build(&library);
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1);
        let raw = markdownish(&mut rng, 60);
        let mut query = String::from_utf8_lossy(&raw).into_owned();
        if seed % 3 == 0 {
            query.push_str(
                [
                    "is:unread",
                    "kind:post",
                    "in:data",
                    "tag:",
                    "\"",
                    "-x",
                    "in:\"",
                    "kind:",
                ][seed as usize % 8],
            );
        }
        let ok = std::panic::catch_unwind(|| {
            // A filter with a value it does not take is an error, not a search.
            parse_query(&query).map(|q| search(&index, &library, &q, &SearchOptions::default()))
        });
        assert!(ok.is_ok(), "seed {seed} panicked on query {query:?}");
    }
}

/// Writes a library with the given file names; each file is a collection of bookmarks or a post.
fn write_library(dir: &Path, files: &[(String, Vec<String>)]) {
    let _ = std::fs::remove_dir_all(dir);
    for (name, bookmarks) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if name.starts_with("bookmarks/") {
            bookmarks
                .iter()
                .map(|t| format!("- [{t}](https://{t}.example) -- about {t}\n"))
                .collect::<String>()
        } else {
            format!("+++\ntitle = \"{name}\"\n+++\nbody\n")
        };
        std::fs::write(path, text).unwrap();
    }
}

fn ids_by_identity(dir: &Path) -> HashMap<String, String> {
    let library = load_library(&[Root::Dir(dir.to_path_buf())]).unwrap();
    library
        .items
        .iter()
        .map(|item| {
            (
                format!("{}|{}", item.source.path.display(), item.title),
                item.id.clone(),
            )
        })
        .collect()
}

#[test]
fn ids_do_not_move_when_other_files_are_added_removed_or_reordered() {
    let home = common::TempDir::new("prop-ids");
    for seed in 1..=25u64 {
        let mut rng = Rng(seed.wrapping_mul(0xd1b5_4a32_d192_ed03) | 1);
        let word = |rng: &mut Rng, n: usize| format!("w{}x{}", n, rng.below(1_000_000));
        let mut files: Vec<(String, Vec<String>)> = (0..rng.below(12) + 2)
            .map(|n| {
                if rng.below(2) == 0 {
                    let marks = (0..rng.below(6) + 1)
                        .map(|k| word(&mut rng, n * 100 + k))
                        .collect();
                    (format!("bookmarks/c{n}-{}.md", rng.below(1000)), marks)
                } else {
                    (format!("posts/p{n}-{}.md", rng.below(1000)), Vec::new())
                }
            })
            .collect();
        let dir = home.path().join(format!("lib{seed}"));
        write_library(&dir, &files);
        let before = ids_by_identity(&dir);

        // Reorder bookmarks inside collections, drop a file, add new ones.
        for (_, marks) in files.iter_mut() {
            marks.reverse();
        }
        let removed = rng.below(files.len());
        files.remove(removed);
        for k in 0..rng.below(4) + 1 {
            files.push((format!("posts/new{seed}-{k}.md"), Vec::new()));
            files.push((
                format!("bookmarks/new{seed}-{k}.md"),
                vec![word(&mut rng, 9000 + k)],
            ));
        }
        write_library(&dir, &files);
        let after = ids_by_identity(&dir);
        for (identity, id) in &after {
            if let Some(old) = before.get(identity) {
                assert_eq!(old, id, "seed {seed}: {identity} changed id");
            }
        }
        assert!(before.keys().filter(|k| after.contains_key(*k)).count() > 0);
    }
}

/// Inputs that froze or crashed rendering before nesting was bounded (kept as regressions):
/// a million nested quotes never finished; 200,000 nested list items made tui-markdown panic
/// ("Formatting argument out of range"). Each must now render, quickly and without panicking.
#[test]
fn pathological_markdown_renders_without_freezing_or_panicking() {
    let cases: Vec<(&str, String)> = vec![
        (
            "a million nested quotes",
            format!("{} hi\n", ">".repeat(1_000_000)),
        ),
        (
            "200k nested bullets",
            format!("{}x\n", "- ".repeat(200_000)),
        ),
        (
            "200k nested numbers",
            format!("{}x\n", "1. ".repeat(200_000)),
        ),
        (
            "quotes and bullets",
            format!("{}x\n", "> - ".repeat(100_000)),
        ),
        (
            "deep indentation",
            (0..3000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "10k brackets",
            format!("{}x{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        ("unclosed links", "[a](".repeat(100_000)),
        ("emphasis flood", "*a ".repeat(300_000)),
        ("one 1 MB line", "word ".repeat(200_000)),
        (
            "wide table",
            format!(
                "{}|\n{}|\n{}",
                "|a".repeat(2000),
                "|-".repeat(2000),
                format!("{}|\n", "|b".repeat(2000)).repeat(20)
            ),
        ),
        ("html comments", "<!--".repeat(50_000)),
        ("backticks", format!("{}a\n", "`".repeat(20_000))),
    ];
    let theme = Theme::dark();
    for (name, text) in cases {
        let started = std::time::Instant::now();
        let lines = render_markdown(&text, &theme, 80);
        let wrapped = wrap_lines(&lines, 80);
        assert!(!wrapped.is_empty(), "{name}: nothing rendered");
        // Not a timing assertion (those flake): a report, so a slow case shows in the output.
        eprintln!("{name}: {:?}, {} lines", started.elapsed(), wrapped.len());
    }
}

/// Words the generated libraries are made of: few enough that queries hit many items.
const WORDS: &[&str] = &[
    "rust",
    "async",
    "cache",
    "thread",
    "pool",
    "kafka",
    "delta",
    "lake",
    "parquet",
    "stream",
    "index",
    "search",
    "vector",
    "embedding",
    "latency",
    "memory",
    "disk",
    "network",
    "tokio",
    "ingest",
    "pipeline",
    "schema",
    "query",
    "merge",
    "segment",
    "bloom",
    "filter",
    "shard",
];

fn sentence(rng: &mut Rng, n: usize) -> String {
    (0..1 + rng.below(n))
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// One generated file: a post (in a section, with tags) or a collection of bookmarks.
fn generated_file(rng: &mut Rng, n: usize) -> (String, String) {
    if rng.below(3) == 0 {
        let mut text = format!("# {}\n\n{}\n\n", sentence(rng, 3), sentence(rng, 8));
        for heading in 0..1 + rng.below(3) {
            text.push_str(&format!("## {} {heading}\n\n", sentence(rng, 2)));
            for link in 0..1 + rng.below(4) {
                text.push_str(&format!(
                    "- [{}](https://{}.example/{link}) - {}\n",
                    sentence(rng, 3),
                    WORDS[rng.below(WORDS.len())],
                    sentence(rng, 6)
                ));
                if rng.below(2) == 0 {
                    text.push_str(&format!("  - **Key insights:** {}\n", sentence(rng, 8)));
                }
            }
            text.push('\n');
        }
        (format!("bookmarks/list{n}.md"), text)
    } else {
        let section = ["blog", "notes", "blog/deep"][rng.below(3)];
        let text = format!(
            "+++\ntitle = \"{}\"\ndate = 2024-{:02}-{:02}\ntags = [\"{}\"]\n+++\n{}\n\n{}\n",
            sentence(rng, 4),
            1 + rng.below(12),
            1 + rng.below(28),
            WORDS[rng.below(WORDS.len())],
            sentence(rng, 30),
            sentence(rng, 30),
        );
        (format!("{section}/post{n}.md"), text)
    }
}

/// Writes 40 generated files to `tmp`'s `library` folder (emptied first); their names.
fn generated_library(tmp: &common::TempDir, rng: &mut Rng) -> Vec<String> {
    let _ = std::fs::remove_dir_all(tmp.path().join("library"));
    (0..40)
        .map(|n| {
            let (name, text) = generated_file(rng, n);
            tmp.write(&format!("library/{name}"), &text);
            name
        })
        .collect()
}

/// Words changed inside file `name` of the library, a line added in its middle: the same
/// items with other text.
fn edit_words(tmp: &common::TempDir, name: &str, rng: &mut Rng) {
    let text = std::fs::read_to_string(tmp.path().join("library").join(name)).unwrap();
    let word = WORDS[rng.below(WORDS.len())];
    let other = WORDS[rng.below(WORDS.len())];
    let text = text.replacen(&format!(" {word}"), &format!(" {other}\n  {other}"), 1);
    tmp.write(&format!("library/{name}"), &text);
}

/// An index as the load cache gives it back.
fn written_and_read(index: &SearchIndex) -> SearchIndex {
    let mut writer = quire::store::codec::Writer::default();
    index.encode(&mut writer);
    SearchIndex::decode(&mut quire::store::codec::Reader::new(&writer.bytes)).unwrap()
}

/// What a search says, to compare two indexes of one library.
fn answers(index: &SearchIndex, library: &quire::content::Library, query: &str) -> String {
    let Ok(parsed) = parse_query(query) else {
        return "unparsed".to_string();
    };
    let results = search(index, library, &parsed, &SearchOptions::default()).unwrap();
    let hits: Vec<_> = results
        .hits
        .iter()
        .map(|h| (h.item, h.score, h.field, h.title_positions.clone()))
        .collect();
    format!("{} {hits:?}", results.total)
}

/// What a search by words and meaning answers: each hit, how it was found and its snippet.
fn meaning_answers(index: &SearchIndex, library: &quire::content::Library, query: &str) -> String {
    let options = SearchOptions {
        meaning: true,
        ..SearchOptions::default()
    };
    let results = search(index, library, &parse_query(query).unwrap(), &options).unwrap();
    let hits: Vec<_> = results
        .hits
        .iter()
        .map(|h| {
            (
                h.item,
                h.matched,
                h.snippet.as_ref().map(|s| s.text.clone()),
            )
        })
        .collect();
    format!("{} {} {hits:?}", results.total, results.near)
}

#[test]
fn an_index_updated_by_changes_answers_as_one_built_whole() {
    use quire::content::reload::{Loaded, reload};
    let tmp = common::TempDir::new("segments");
    let dir = tmp.path().join("library");
    let roots = vec![Root::Dir(dir.clone())];
    for seed in [11u64, 12] {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let mut names = generated_library(&tmp, &mut rng);
        tmp.write("library/blog/_index.md", "+++\ntitle = \"Weblog\"\n+++\n");
        let library = std::sync::Arc::new(load_library(&roots).unwrap());
        let mut loaded = Loaded {
            files: quire::content::source::list_files(&roots).unwrap().0,
            sites: quire::content::site::config_stamps(&roots),
            library,
        };
        let mut index = SearchIndex::build(&loaded.library);
        let mut segmented = 0;
        let mut in_place = 0;
        for round in 0..20 {
            // A few changes at once, as a sync or an editor's save brings them.
            for _ in 0..1 + rng.below(3) {
                let n = names.len();
                match rng.below(8) {
                    0 | 1 => {
                        let at = rng.below(n);
                        let (_, text) = generated_file(&mut rng, at);
                        let name = &names[at];
                        let text = if name.starts_with("bookmarks") == text.starts_with('#') {
                            text
                        } else {
                            generated_file(&mut rng, at).1
                        };
                        tmp.write(&format!("library/{name}"), &text);
                    }
                    2 => {
                        let (name, text) = generated_file(&mut rng, n);
                        tmp.write(&format!("library/{name}"), &text);
                        names.push(name);
                    }
                    3 if n > 5 => {
                        let name = names.swap_remove(rng.below(n));
                        let _ = std::fs::remove_file(dir.join(name));
                    }
                    4 => {
                        // Renames a section: items of files that did not change get other
                        // category words.
                        let title = sentence(&mut rng, 2);
                        tmp.write(
                            "library/blog/_index.md",
                            format!("+++\ntitle = \"{title}\"\n+++\n"),
                        );
                    }
                    5 => {
                        // Appends to a file: its items change, the others keep their place.
                        let name = &names[rng.below(n)];
                        let mut text = std::fs::read_to_string(dir.join(name)).unwrap();
                        text.push_str(&format!("\n{}\n", sentence(&mut rng, 10)));
                        tmp.write(&format!("library/{name}"), &text);
                    }
                    _ => {
                        // Words changed inside a file, lines added in its middle: the same
                        // items with other text (updated in place, not filed again).
                        edit_words(&tmp, &names[rng.below(n)], &mut rng);
                    }
                }
            }
            let (next, changes) = reload(&loaded, &roots, &[]).unwrap();
            in_place += changes.in_place;
            // Updated in place or filed again, the library is the one a fresh load gives.
            let fresh = load_library(&roots).unwrap();
            assert_eq!(
                shown(&next.library),
                shown(&fresh),
                "seed {seed}, round {round}: {changes:?}"
            );
            let updated = index.updated(&loaded.library, &next.library);
            let whole = SearchIndex::build(&next.library);
            segmented += usize::from(updated.segments_len() > 1);
            let library = &next.library;
            let mut queries: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
            queries.extend(WORDS.iter().map(|w| w[..3].to_string()));
            queries.extend(
                [
                    "rsut",
                    "asycn",
                    "cahce",
                    "weblog",
                    "in:weblog rust",
                    "tag:cache",
                    "is:post",
                    "is:bookmark kafka",
                    "rust -cache",
                    "\"delta lake\"",
                    "example",
                    "kd",
                    "rust async",
                    "stream ingest pipeline",
                ]
                .map(String::from),
            );
            for q in &queries {
                assert_eq!(
                    answers(&updated, library, q),
                    answers(&whole, library, q),
                    "seed {seed}, round {round}, query {q:?}"
                );
            }
            // Written to the load cache and read back, it answers the same.
            let decoded = written_and_read(&updated);
            assert_eq!(
                answers(&decoded, library, "rust"),
                answers(&whole, library, "rust")
            );
            index = if updated.needs_merge() {
                whole
            } else {
                updated
            };
            loaded = next;
        }
        assert!(
            segmented > 10,
            "seed {seed}: the segments were hardly used ({segmented})"
        );
        assert!(
            in_place >= 2,
            "seed {seed}: hardly updated in place ({in_place})"
        );
    }
}

#[test]
fn a_library_and_index_updated_where_they_stand_answer_as_ones_built_whole() {
    use quire::content::reload::{apply_in_place, in_place};
    use quire::content::source::list_files;
    let tmp = common::TempDir::new("in-place");
    let dir = tmp.path().join("library");
    let roots = vec![Root::Dir(dir.clone())];
    for seed in [21u64, 22] {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let names = generated_library(&tmp, &mut rng);
        let mut library = load_library(&roots).unwrap();
        let mut index = SearchIndex::build(&library);
        let mut files = list_files(&roots).unwrap().0;
        let (mut updated, mut spliced) = (0, 0);
        for round in 0..24 {
            // As a command finds files edited since its cache was written: words changed
            // inside a few files, lines added in their middle (the same items with other
            // text); or, in one collection, a bookmark added, removed or retitled.
            let collections: Vec<&String> = names
                .iter()
                .filter(|n| n.starts_with("bookmarks/"))
                .collect();
            let kind = rng.below(4);
            if kind == 0 || collections.is_empty() {
                for _ in 0..1 + rng.below(3) {
                    edit_words(&tmp, &names[rng.below(names.len())], &mut rng);
                }
            } else {
                let name = collections[rng.below(collections.len())];
                let text = std::fs::read_to_string(dir.join(name)).unwrap();
                let mut lines: Vec<String> = text.lines().map(String::from).collect();
                let links: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].starts_with("- ["))
                    .collect();
                let at = links[rng.below(links.len())];
                let link = format!(
                    "- [{}](https://{}.example/r{round}) - {}",
                    sentence(&mut rng, 3),
                    WORDS[rng.below(WORDS.len())],
                    sentence(&mut rng, 6)
                );
                match kind {
                    1 => lines.insert(at + rng.below(2), link),
                    2 => {
                        lines.remove(at);
                        if lines.get(at).is_some_and(|l| l.starts_with("  - ")) {
                            lines.remove(at);
                        }
                    }
                    _ => lines[at] = link,
                }
                tmp.write(&format!("library/{name}"), &(lines.join("\n") + "\n"));
            }
            let now = list_files(&roots).unwrap().0;
            assert_eq!(now.len(), files.len());
            let changed: Vec<usize> = (0..now.len())
                .filter(|&i| now[i].stamp != files[i].stamp)
                .collect();
            files = now;
            let fresh = load_library(&roots).unwrap();
            let Some(updates) = in_place(&library, &files, &changed) else {
                // (A change that moved an item's place in the tree: filed again whole.)
                library = fresh;
                index = SearchIndex::build(&library);
                continue;
            };
            let applied = apply_in_place(&mut library, updates);
            index.reindex(&library, &applied);
            updated += 1;
            spliced += usize::from(applied.spliced.is_some());
            assert_eq!(shown(&library), shown(&fresh), "seed {seed}, round {round}");
            let whole = SearchIndex::build(&fresh);
            let mut queries: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
            queries.extend(WORDS.iter().map(|w| w[..3].to_string()));
            queries.extend(
                [
                    "rsut",
                    "is:post",
                    "rust -cache",
                    "\"delta lake\"",
                    "rust async",
                ]
                .map(String::from),
            );
            for q in &queries {
                assert_eq!(
                    answers(&index, &library, q),
                    answers(&whole, &fresh, q),
                    "seed {seed}, round {round}, query {q:?}"
                );
            }
            // By meaning too: the vectors of the segments a change made, and of the items it
            // renumbered, are those of a whole build.
            index.fill_vectors(&library);
            whole.fill_vectors(&fresh);
            for q in [
                "rust async",
                "delta lake cache",
                "kafka -rust",
                "kind:post storage engine",
            ] {
                assert_eq!(
                    meaning_answers(&index, &library, q),
                    meaning_answers(&whole, &fresh, q),
                    "seed {seed}, round {round}, query {q:?} by meaning"
                );
            }
            // Written to the load cache and read back, it answers the same.
            let decoded = written_and_read(&index);
            assert_eq!(
                meaning_answers(&decoded, &library, "rust async"),
                meaning_answers(&whole, &fresh, "rust async")
            );
            assert_eq!(
                answers(&decoded, &library, "rust"),
                answers(&whole, &fresh, "rust")
            );
            if index.needs_merge() {
                index = whole;
            }
        }
        assert!(
            updated >= 12,
            "seed {seed}: hardly updated in place ({updated})"
        );
        assert!(spliced >= 6, "seed {seed}: hardly spliced ({spliced})");
    }
}

/// What a reader sees of a library's items and categories, to compare two of them.
fn shown(library: &quire::content::Library) -> Vec<String> {
    let mut out: Vec<String> = library
        .categories
        .iter()
        .map(|c| {
            format!(
                "{} {:?} {:?} {:?} {}",
                c.name, c.description, c.parent, c.items, c.total
            )
        })
        .collect();
    out.extend(library.items.iter().map(|i| {
        format!(
            "{} {} {:?} {:?} {:?} {:?} {:?} {}:{} {}",
            i.id,
            i.title,
            i.url,
            i.date,
            i.tags,
            i.description,
            library.category_path(i.category),
            i.source.path.display(),
            i.source.line,
            &*i.body
        )
    }));
    out.extend(library.diagnostics.iter().map(|d| d.to_string()));
    out
}
