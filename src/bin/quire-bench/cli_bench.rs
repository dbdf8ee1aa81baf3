//! The commands as a user runs them, against what they would use instead: `quire search WORD`,
//! `quire unread` and `quire list`, each a fresh `quire` process with a valid load cache,
//! beside `rg -il WORD` over the same files, in one run, rounds interleaved so that the
//! machine's drift falls on all of them alike; then, for a folder library, one file changed
//! and a word only the change brought searched for (a stale cache brought up to date).
//!
//! Every run gets its own XDG folders in the temp dir: the user's cache, data and config are
//! never read or written.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use quire::content::{Library, Root, load_library};
use quire::state::machines::StateFiles;
use quire::state::{ReadState, Timestamp, save_state_of};

use crate::stats::{Summary, fmt_ms, letters};

/// What is measured: a name, and the arguments after `quire`'s own.
struct Case {
    name: &'static str,
    args: Vec<String>,
    /// At most this many times ripgrep's p50, when the issue sets a target.
    target: Option<f64>,
    /// Peak memory at most, in MiB.
    rss_target: Option<u64>,
}

/// One library: `dir`, or the bundled one when `None`.
pub fn run(
    name: &str,
    dir: Option<&Path>,
    rounds: usize,
    half_read: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let quire = quire_binary()?;
    let home = std::env::temp_dir().join(format!("quire-bench-cli-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    let result = measure(name, dir, rounds, half_read, &quire, &home);
    let _ = std::fs::remove_dir_all(&home);
    result
}

fn measure(
    name: &str,
    dir: Option<&Path>,
    rounds: usize,
    half_read: bool,
    quire: &Path,
    home: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    // The bundled library is searched by ripgrep in the repository's copy of it.
    let files = match dir {
        Some(dir) => dir.to_path_buf(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
    };
    let roots = match dir {
        Some(dir) => vec![Root::Dir(dir.to_path_buf())],
        None => vec![Root::Bundled],
    };
    let library = load_library(&roots)?;
    let word = rare_word(&library).ok_or("no word to search for")?;
    let state = home.join("state.toml");
    if half_read {
        let mut read = ReadState::new();
        let now = Timestamp::now();
        for item in library.items.iter().step_by(2) {
            read.set(&item.id, true, now);
        }
        // Saved as a machine of its own: the measured processes read it as another
        // machine's file (and no name is made in the user's state folder).
        save_state_of(&StateFiles::for_machine(&state, "bench"), &read)?;
    }
    let mut base = vec!["--state".to_string(), state.display().to_string()];
    if let Some(dir) = dir {
        base.extend(["--content".to_string(), dir.display().to_string()]);
    }
    let with = |args: &[&str]| {
        base.iter()
            .cloned()
            .chain(args.iter().map(|a| a.to_string()))
            .collect::<Vec<_>>()
    };
    let cases = [
        Case {
            name: "quire search WORD",
            args: with(&["search", &word]),
            target: Some(0.5),
            rss_target: None,
        },
        Case {
            name: "quire unread",
            args: with(&["unread"]),
            target: Some(0.5),
            rss_target: Some(100),
        },
        Case {
            name: "quire list",
            args: with(&["list"]),
            target: None,
            rss_target: None,
        },
    ];
    let rg = Command::new("rg").arg("--version").output();
    if !rg.is_ok_and(|o| o.status.success()) {
        return Err(
            "ripgrep (rg) is not installed; it is what the figures compare with \
                    (Debian: apt install ripgrep)"
                .into(),
        );
    }
    let rg_args = vec!["-il".to_string(), word.clone(), files.display().to_string()];

    // A collection the change rounds append to, there from the start (as a user's file is).
    let changing = dir.map(|dir| dir.join(CHANGING));
    if let Some(file) = &changing {
        std::fs::create_dir_all(file.parent().ok_or("no folder")?)?;
        std::fs::write(
            file,
            "# Bench notes\n\n## Links\n\n- [First](https://bench.example/0) - there\n",
        )?;
    }
    // The first search writes the load cache, index and all; after it every case has a
    // valid cache, and ripgrep a warm page cache.
    let first = time_once(quire, &cases[0].args, home)?;
    for case in &cases {
        time_once(quire, &case.args, home)?;
    }
    time_once(Path::new("rg"), &rg_args, home)?;

    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); cases.len() + 1];
    for _ in 0..rounds {
        times[0].push(time_once(Path::new("rg"), &rg_args, home)?);
        for (i, case) in cases.iter().enumerate() {
            times[i + 1].push(time_once(quire, &case.args, home)?);
        }
    }
    // Peak memory of each command, with the cache valid (measured before the changes below,
    // which leave the cache to bring up to date).
    let rss: Vec<Option<u64>> = cases
        .iter()
        .map(|case| peak_rss(quire, &case.args, home))
        .collect();
    let rg_rss = peak_rss(Path::new("rg"), &rg_args, home);

    // One file changed, then a search for a word only the change brought: the cache is
    // stale, the changed file is read and its items updated where they stand, the index
    // brought up to date (the cache is written again only when the change is too large for
    // that, before the process ends).
    // Two kinds of change: a bookmark appended (an item more: the collection spliced in), and
    // a bookmark's description edited (the same items: updated in place). The rounds add up
    // in the one file, as a user's day of bookmarking does. For each, when the answer is out
    // (the output ends: a command lets it go before writing a cache) and when the command
    // ends.
    let mut after_change: Vec<(&str, Vec<Duration>, Vec<Duration>)> = Vec::new();
    if let Some(file) = &changing {
        for kind in ["1 file changed, search", "1 line edited, search"] {
            let (mut out_at, mut ended) = (Vec::new(), Vec::new());
            for round in 0..rounds {
                let word = format!("benchchange{}{}", kind.len(), letters(round));
                if kind.starts_with("1 file") {
                    append_bookmark(file, &word)?;
                } else {
                    edit_first(file, &word)?;
                }
                let args = with(&["search", &word]);
                let started = Instant::now();
                let mut child = command(quire, &args, home).stdout(Stdio::piped()).spawn()?;
                let mut out = String::new();
                std::io::Read::read_to_string(child.stdout.as_mut().ok_or("no output")?, &mut out)?;
                out_at.push(started.elapsed());
                child.wait()?;
                ended.push(started.elapsed());
                if !out.contains(&word) {
                    return Err(format!("`quire search {word}` did not find the change").into());
                }
            }
            after_change.push((kind, out_at, ended));
        }
        let _ = std::fs::remove_file(file);
    }
    let rg = Summary::of(&times[0]);
    println!(
        "\n{name}: {} items in {} files; word {word:?} ({} files hold it); state: {}",
        library.items.len(),
        count_files(&roots),
        hits(&rg_args, home)?,
        if half_read {
            "every other item read"
        } else {
            "nothing read"
        },
    );
    println!(
        "first search, no cache yet (loads, indexes, writes the cache): {}",
        fmt_ms(first)
    );
    println!(
        "{:<22} {:>10} {:>10}  {:>9}  {:>9}",
        "p50 / min of rounds", "p50", "min", "× rg p50", "peak RSS"
    );
    println!(
        "{:<22} {} {}  {:>9}  {:>9}",
        "rg -il WORD",
        fmt_ms(rg.p50),
        fmt_ms(min(&times[0])),
        "1.00",
        rg_rss.map_or("n/a".into(), |kb| format!("{} MiB", kb / 1024)),
    );
    for (i, case) in cases.iter().enumerate() {
        let s = Summary::of(&times[i + 1]);
        let ratio = s.p50.as_secs_f64() / rg.p50.as_secs_f64();
        let rss = rss[i];
        let mut verdict = Vec::new();
        if let Some(target) = case.target {
            let ok = ratio <= target;
            verdict.push(format!("≤ {target}× {}", if ok { "✓" } else { "✗" }));
        }
        if let (Some(target), Some(kb)) = (case.rss_target, rss) {
            let ok = kb / 1024 <= target;
            verdict.push(format!("≤ {target} MiB {}", if ok { "✓" } else { "✗" }));
        }
        println!(
            "{:<22} {} {}  {:>9.2}  {:>9}  {}",
            case.name,
            fmt_ms(s.p50),
            fmt_ms(min(&times[i + 1])),
            ratio,
            rss.map_or("n/a".into(), |kb| format!("{} MiB", kb / 1024)),
            verdict.join(", "),
        );
    }
    for (kind, out_at, ended) in &after_change {
        let s = Summary::of(ended);
        let ratio = s.p50.as_secs_f64() / rg.p50.as_secs_f64();
        let ok = if ratio <= 1.0 { "✓" } else { "✗" };
        let answered = Summary::of(out_at);
        println!(
            "{:<22} {} {}  {:>9.2}  {:>9}  ≤ 1× {ok} (answer out at {}, {:.2}× rg; any rest \
             writes the cache)",
            kind,
            fmt_ms(s.p50),
            fmt_ms(min(ended)),
            ratio,
            "",
            fmt_ms(answered.p50),
            answered.p50.as_secs_f64() / rg.p50.as_secs_f64(),
        );
    }
    Ok(())
}

/// The collection the change rounds append to, inside the library measured.
const CHANGING: &str = "bookmarks/zz-cli-bench.md";

/// Appends a bookmark holding `word` and flushes it, as an editor saving would.
fn append_bookmark(file: &Path, word: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(file)?;
    writeln!(
        f,
        "- [Note {word}](https://bench.example/{word}) - the {word} link"
    )?;
    f.sync_all()
}

/// Puts `word` in the first bookmark's description and flushes it: the same items, other text.
fn edit_first(file: &Path, word: &str) -> std::io::Result<()> {
    use std::io::Write;
    let text = std::fs::read_to_string(file)?;
    let first = text
        .lines()
        .find(|l| l.starts_with("- [First]"))
        .unwrap_or_default()
        .to_string();
    let text = text.replacen(
        &first,
        &format!("- [First](https://bench.example/0) - there {word}"),
        1,
    );
    let mut f = std::fs::File::create(file)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// The `quire` binary built beside this one.
pub(crate) fn quire_binary() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let path =
        std::env::current_exe()?.with_file_name(format!("quire{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is not built; build both first: cargo build --release --bins",
            path.display()
        )
        .into())
    }
}

/// The environment of every measured process: its own XDG folders under `home`.
pub(crate) fn command(program: &Path, args: &[String], home: &Path) -> Command {
    let mut c = Command::new(program);
    c.args(args)
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// One run, start to exit (a search that finds nothing is still a run: ripgrep exits 1).
pub(crate) fn time_once(
    program: &Path,
    args: &[String],
    home: &Path,
) -> Result<Duration, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let out = command(program, args, home).output()?;
    let took = started.elapsed();
    if !out.status.success() && out.status.code() != Some(1) {
        return Err(format!(
            "{} {}: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(took)
}

/// Peak resident memory of one run in KiB, as GNU time reports it (`n/a` without it).
fn peak_rss(program: &Path, args: &[String], home: &Path) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return None;
    }
    let mut all = vec![
        "-f".to_string(),
        "%M".to_string(),
        program.display().to_string(),
    ];
    all.extend(args.iter().cloned());
    let out = command(time, &all, home).output().ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

/// How many files ripgrep finds the word in.
fn hits(rg_args: &[String], home: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let out = command(Path::new("rg"), rg_args, home)
        .stdout(Stdio::piped())
        .output()?;
    Ok(out.stdout.iter().filter(|&&b| b == b'\n').count())
}

fn count_files(roots: &[Root]) -> usize {
    quire::content::source::list_files(roots).map_or(0, |(files, _)| files.len())
}

fn min(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

/// A word a user might look for: the longest word of the body of the item in the middle of
/// the library (in a synthetic library, a word of its made-up vocabulary).
fn rare_word(library: &Library) -> Option<String> {
    let middle = library.items.len() / 2;
    library.items[middle..]
        .iter()
        .chain(&library.items[..middle])
        .find_map(|item| {
            item.body
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| w.len() >= 6)
                .max_by_key(|w| w.len())
                .map(str::to_lowercase)
        })
}
