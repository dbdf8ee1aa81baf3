//! Helpers shared by the integration tests: temporary folders and running the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A folder under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("quire-test-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent");
        }
        std::fs::write(&path, contents).expect("write fixture file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Undo `chmod 000` fixtures so removal works.
        #[cfg(unix)]
        fn open_up(path: &Path) {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(entries) = std::fs::read_dir(path) {
                for entry in entries.flatten() {
                    let p = entry.path();
                    if let Ok(meta) = std::fs::symlink_metadata(&p)
                        && !meta.file_type().is_symlink()
                    {
                        let _ =
                            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
                        if meta.is_dir() {
                            open_up(&p);
                        }
                    }
                }
            }
        }
        #[cfg(unix)]
        open_up(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Copies a folder (a fixture) and everything in it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs the `quire` binary with a private home, so it never sees the user's config or data.
pub fn quire(home: &TempDir, args: &[&str]) -> Output {
    quire_in(home, home.path(), args)
}

pub fn quire_in(home: &TempDir, cwd: &Path, args: &[&str]) -> Output {
    quire_command(home, cwd)
        .args(args)
        .output()
        .expect("run quire")
}

/// Runs `quire` with `args` in `home` (which must succeed), asking it to say how many files it
/// read and parsed (debug builds do; see [`files_read`]).
pub fn quire_counting(home: &TempDir, args: &[&str]) -> Output {
    let output = quire_command(home, home.path())
        .env("QUIRE_DEBUG_READS", "1")
        .args(args)
        .output()
        .expect("run quire");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// How many files a run of [`quire_counting`] read and parsed (none when its cache fit).
pub fn files_read(output: &Output) -> usize {
    files_read_each_try(output)
        .first()
        .copied()
        .unwrap_or_else(|| {
            panic!(
                "no count of files read: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
}

/// [`files_read`] for each time the run loaded the library (a search that found its cache
/// damaged loads it again, from the files).
pub fn files_read_each_try(output: &Output) -> Vec<usize> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|l| {
            l.strip_prefix("quire: debug: read ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// The one load cache file in `home`: its inode and length (a write is a new file renamed in).
pub fn cache_file(home: &TempDir) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let entries: Vec<_> = std::fs::read_dir(home.path().join("cache/quire"))
        .expect("a cache folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "one cache file: {entries:?}");
    let meta = std::fs::metadata(&entries[0]).expect("stat");
    (meta.ino(), meta.len())
}

/// The `quire` command with its private home, for tests that spawn it themselves.
pub fn quire_command(home: &TempDir, cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
    command
        .current_dir(cwd)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("NO_COLOR");
    command
}

/// The JSON a successful run printed.
pub fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "quire failed: {}", stderr(output));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Everything a command said: results on standard output, problems on standard error.
#[allow(dead_code)]
pub fn said(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `--library DIR` before `args`.
pub fn lib_args<'a>(library: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--library", library.to_str().unwrap()];
    all.extend_from_slice(args);
    all
}

/// Subscribes the library to `feeds` (title, url) as listed, through an OPML file written by
/// Quire's own OPML writer: no fetch at subscribe time.
pub fn subscribe_listed(home: &TempDir, library: &Path, feeds: &[(&str, String)]) {
    let feeds: Vec<quire::feeds::opml::Feed> = feeds
        .iter()
        .map(|(title, url)| quire::feeds::opml::Feed {
            url: url.clone(),
            title: title.to_string(),
            site: None,
        })
        .collect();
    let list = home.write("list.opml", quire::feeds::opml::render(&feeds));
    let out = quire(
        home,
        &lib_args(library, &["subscribe", "--opml", list.to_str().unwrap()]),
    );
    assert!(out.status.success(), "{}", said(&out));
}

pub fn posts(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "_index.md")
        })
        .collect();
    files.sort();
    files
}

pub mod pty;
pub mod screen;
pub mod server;

/// An opener (`QUIRE_OPENER`) that only writes down what it was given: its argument count,
/// then each argument, one a line. Returns the script and its log.
pub fn recording_opener(home: &TempDir) -> (PathBuf, PathBuf) {
    let log = home.path().join("opener.log");
    let opener = home.path().join("opener.sh");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$#\" \"$@\" >> {}\n",
            log.display()
        ),
    )
    .expect("write the opener");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755))
            .expect("make the opener runnable");
    }
    (opener, log)
}

/// Names the test's machine (what Quire keeps in `$XDG_STATE_HOME/quire/machine`), so a test
/// knows the read-state file it writes before it runs.
pub fn name_machine(home: &TempDir, name: &str) {
    home.write("state/quire/machine", format!("{name}\n"));
}

/// The folder of read-state files this machine writes for the state at `state` (see
/// `quire::state::machines`): named by what the test's first run kept, or [`name_machine`].
pub fn own_state(home: &TempDir, state: &Path) -> PathBuf {
    let name = std::fs::read_to_string(home.path().join("state/quire/machine"))
        .expect("a machine name kept by a first run");
    quire::state::machines::StateFiles::for_machine(state, name.trim()).own
}

/// Every read-state file this machine wrote for the state at `state`, one after the other.
pub fn own_state_text(home: &TempDir, state: &Path) -> String {
    let files = quire::state::machines::StateFiles {
        own: own_state(home, state),
        legacy: state.to_path_buf(),
        dir: PathBuf::new(),
    };
    files
        .own_files()
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// The writers' hostile HTML: `text` inside elements nested 3,000 deep, of each kind a
/// parser nests (closed, and left open).
pub fn nested_thousands_deep(text: &str) -> Vec<(&'static str, String)> {
    let depth = 3000;
    vec![
        (
            "div",
            "<div>".repeat(depth) + text + &"</div>".repeat(depth),
        ),
        (
            "list",
            "<ul><li>".repeat(depth) + text + &"</li></ul>".repeat(depth),
        ),
        (
            "quote",
            "<blockquote>".repeat(depth) + text + &"</blockquote>".repeat(depth),
        ),
        ("ordered", "<ol><li>".repeat(depth) + text),
        ("table", "<table><tr><td>".repeat(depth) + text),
    ]
}
