//! Content roots and the markdown files in them, read from disk or from the bundled copy.
//!
//! Walking never stops at a bad entry: unreadable folders, dangling links and symlink loops
//! become diagnostics. Reading enforces a size cap and decodes to sanitised UTF-8.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use super::diagnostic::{Diagnostic, line_of};
use super::embedded;
use crate::text::sanitize;

/// Files bigger than this are skipped: no reader wants a 16 MB markdown file, and reading
/// one would stall everything else.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The folder the bundled library's paths start with (its files are inside the binary).
pub const BUNDLED: &str = "<bundled>";

/// What is said of a content folder holding no markdown file at all (a typo in `--content`,
/// a site whose posts live elsewhere): a problem for `quire check`, a warning for the rest.
pub const NO_MARKDOWN: &str = "no markdown files (.md, .markdown) found in this folder";

/// Where content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    Dir(PathBuf),
    /// One markdown file given as `--content` (as glow opens one file): a library of one.
    File(PathBuf),
    /// The `content/` folder compiled into the binary.
    Bundled,
}

impl Root {
    pub fn label(&self) -> String {
        match self {
            Root::Dir(path) | Root::File(path) => path.display().to_string(),
            Root::Bundled => BUNDLED.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("content folder {0} does not exist")]
    Missing(PathBuf),
    #[error("content root {0} is not a folder, nor a markdown file (.md, .markdown)")]
    NotADir(PathBuf),
    // The io error is part of the message, not a `source`: a report that prints the chain
    // would say it twice.
    #[error("cannot read content folder {path}: {error}")]
    Unreadable { path: PathBuf, error: io::Error },
}

/// One markdown file found under a root.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Index of its root in the list given to the loader.
    pub root: usize,
    /// Path relative to the root, with `/` separators on every platform.
    pub relative: PathBuf,
    /// Path to show the user: root label joined with the relative path (for a folder root,
    /// the path the file is read from).
    pub display: PathBuf,
    /// What it was when listed: a file whose stamp is the same is unchanged, which is what the
    /// load cache and a reload rely on.
    pub stamp: Stamp,
    /// How its root's files are read (the root's site generator's rules, if any).
    pub context: super::context::LoadContext,
    origin: Origin,
}

/// What tells a file changed without reading it, as git and cargo tell it: its size, its
/// modification time, its status-change time (which no `touch -d`, `tar` or `rsync -t` can
/// put back), and its inode and device (a file replaced by another, a symlink repointed). A
/// bundled file has no times: its content's hash stands in for the modification time, so a
/// new build with other bundled content is a change too. Times are in nanoseconds since 1970
/// (as 64 bits, enough until 2554; an earlier time is 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub len: u64,
    pub modified_ns: u64,
    pub changed_ns: u64,
    pub inode: u64,
    pub device: u64,
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        let nanos = |t: io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        };
        #[cfg(unix)]
        let (changed_ns, inode, device) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(meta.ctime())
                .unwrap_or(0)
                .saturating_mul(1_000_000_000)
                .saturating_add(u64::try_from(meta.ctime_nsec()).unwrap_or(0));
            (changed, meta.ino(), meta.dev())
        };
        #[cfg(not(unix))]
        let (changed_ns, inode, device) = (0, 0, 0);
        Stamp {
            len: meta.len(),
            modified_ns: nanos(meta.modified()),
            changed_ns,
            inode,
            device,
        }
    }

    /// A bundled file's: its size and its content's hash.
    fn bundled(bytes: &[u8]) -> Stamp {
        Stamp {
            len: bytes.len() as u64,
            modified_ns: super::id::fnv1a(bytes),
            ..Stamp::default()
        }
    }
}

#[derive(Debug, Clone)]
enum Origin {
    Disk,
    Bundled(&'static [u8]),
}

/// Checks that a content root exists and is a folder.
pub fn check_dir(dir: &Path) -> Result<(), RootError> {
    let meta = fs::metadata(dir).map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => RootError::Missing(dir.to_path_buf()),
        _ => RootError::Unreadable {
            path: dir.to_path_buf(),
            error: err,
        },
    })?;
    if meta.is_dir() {
        Ok(())
    } else {
        Err(RootError::NotADir(dir.to_path_buf()))
    }
}

/// Lists the markdown files under every root, sorted by root then path.
pub fn list_files(roots: &[Root]) -> Result<(Vec<SourceFile>, Vec<Diagnostic>), RootError> {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for (index, root) in roots.iter().enumerate() {
        match root {
            Root::Bundled => {
                for (relative, bytes) in embedded::FILES {
                    files.push(SourceFile {
                        root: index,
                        relative: PathBuf::from(relative),
                        display: Path::new(BUNDLED).join(relative),
                        stamp: Stamp::bundled(bytes),
                        context: super::context::LoadContext::default(),
                        origin: Origin::Bundled(bytes),
                    });
                }
            }
            Root::File(path) => {
                let meta = fs::metadata(path).map_err(|error| match error.kind() {
                    io::ErrorKind::NotFound => RootError::Missing(path.clone()),
                    _ => RootError::Unreadable {
                        path: path.clone(),
                        error,
                    },
                })?;
                if !meta.is_file() || !is_markdown(path) {
                    return Err(RootError::NotADir(path.clone()));
                }
                let name = path.file_name().map(PathBuf::from).unwrap_or_default();
                files.push(SourceFile {
                    root: index,
                    relative: name,
                    display: path.clone(),
                    stamp: Stamp::of(&meta),
                    context: super::context::LoadContext::default(),
                    origin: Origin::Disk,
                });
            }
            Root::Dir(dir) => {
                check_dir(dir)?;
                fs::read_dir(dir).map_err(|error| RootError::Unreadable {
                    path: dir.clone(),
                    error,
                })?;
                let meta = fs::metadata(dir).map_err(|error| RootError::Unreadable {
                    path: dir.clone(),
                    error,
                })?;
                let top = Folder {
                    dir: dir.clone(),
                    relative: PathBuf::new(),
                    chain: Arc::new(Chain {
                        id: folder_id(dir, &meta),
                        up: None,
                    }),
                };
                let (mut found, problems) = walk_all(index, dir, top);
                if found.is_empty() && problems.is_empty() {
                    diagnostics.push(Diagnostic::new(dir, None, NO_MARKDOWN));
                }
                // The root's site, found once, goes with each of its files into parsing.
                let context = super::context::LoadContext::of(root);
                for file in &mut found {
                    file.context = context;
                }
                files.extend(found);
                diagnostics.extend(problems);
            }
        }
    }
    files.sort_by_cached_key(|f| (f.root, path_key(&f.relative)));
    diagnostics.sort_by_cached_key(|d| path_key(&d.path));
    Ok((files, diagnostics))
}

/// A key that orders paths by their components (`a/b` before `a.b`), as `Path`'s own order
/// does, but compares as plain bytes: the separator becomes the lowest byte. Sorting 50,000
/// paths by components took 40 ms, by these keys 5.
fn path_key(path: &Path) -> Vec<u8> {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes
        .iter()
        .map(|&b| {
            if std::path::is_separator(char::from(b)) {
                0
            } else {
                b
            }
        })
        .collect()
}

/// A folder waiting to be walked.
struct Folder {
    dir: PathBuf,
    relative: PathBuf,
    /// The folders it is inside, itself first: a link back to one of them is a loop.
    chain: Arc<Chain>,
}

struct Chain {
    id: FolderId,
    up: Option<Arc<Chain>>,
}

impl Chain {
    fn contains(&self, id: &FolderId) -> bool {
        let mut link = Some(self);
        while let Some(chain) = link {
            if chain.id == *id {
                return true;
            }
            link = chain.up.as_deref();
        }
        false
    }
}

/// Folders still to walk, shared by the walkers, and how many walkers are busy (while any is,
/// more folders may come).
struct Queue {
    folders: Vec<Folder>,
    busy: usize,
}

/// Walks the tree under `top`: its real folders first, then the folders links lead to, in
/// waves, each in the order of its link's path and only if no other way reached it yet. A
/// folder is so walked once whatever number of links lead to it (forty links to one folder,
/// each level linking the next twice, made a million paths), and which path it is read
/// under does not depend on which thread got there first.
fn walk_all(root: usize, base: &Path, top: Folder) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let claimed = Mutex::new(HashSet::new());
    let (mut files, mut diagnostics, mut links) = walk(root, base, vec![top], &claimed);
    while !links.is_empty() {
        links.sort_by_cached_key(|l: &Folder| path_key(&l.relative));
        let mut next = Vec::new();
        for link in links {
            let fresh = claimed
                .lock()
                .map(|mut c| c.insert(link.chain.id.clone()))
                .unwrap_or(false);
            if !fresh {
                continue;
            }
            let (more, problems, deeper) = walk(root, base, vec![link], &claimed);
            files.extend(more);
            diagnostics.extend(problems);
            next.extend(deeper);
        }
        links = next;
    }
    (files, diagnostics)
}

/// Walks the trees under `tops` on every core, not following links to folders (returned, to
/// walk later): listing means one `stat` a file, and that system
/// call, not Quire, is what a listing of 50,000 files waits on (the kernel spends ~2 µs on
/// each), so the folders are shared out between walkers.
fn walk(
    root: usize,
    base: &Path,
    tops: Vec<Folder>,
    claimed: &Mutex<HashSet<FolderId>>,
) -> (Vec<SourceFile>, Vec<Diagnostic>, Vec<Folder>) {
    let walkers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if let Ok(mut claimed) = claimed.lock() {
        claimed.extend(tops.iter().map(|t| t.chain.id.clone()));
    }
    let queue = Mutex::new(Queue {
        folders: tops,
        busy: 0,
    });
    let ready = Condvar::new();
    let work = || {
        let mut files = Vec::new();
        let mut diagnostics = Vec::new();
        let mut links = Vec::new();
        loop {
            let folder = {
                let Ok(mut q) = queue.lock() else { break };
                loop {
                    if let Some(folder) = q.folders.pop() {
                        q.busy += 1;
                        break Some(folder);
                    }
                    if q.busy == 0 {
                        break None;
                    }
                    q = match ready.wait(q) {
                        Ok(q) => q,
                        Err(_) => break None,
                    };
                }
            };
            let Some(folder) = folder else {
                // Nothing queued and nobody busy: the others are waiting to hear it.
                ready.notify_all();
                break;
            };
            let mut found = Vec::new();
            // A walker that panicked here would leave the others waiting for its folders
            // forever: the folder then costs a diagnostic, and the walk goes on.
            let dir = folder.dir.clone();
            let visited = crate::panics::quietly(|| {
                visit(
                    root,
                    base,
                    folder,
                    &mut files,
                    &mut diagnostics,
                    &mut found,
                    &mut links,
                )
            });
            if visited.is_none() {
                diagnostics.push(Diagnostic::new(
                    dir,
                    None,
                    "cannot read folder (a bug in Quire)",
                ));
            }
            // A folder reached already (a link's target walked first, holding this one) is not
            // walked again.
            if let Ok(mut claimed) = claimed.lock() {
                found.retain(|f| claimed.insert(f.chain.id.clone()));
            }
            match queue.lock() {
                Ok(mut q) => {
                    q.busy -= 1;
                    q.folders.extend(found);
                }
                Err(poisoned) => poisoned.into_inner().busy -= 1,
            }
            ready.notify_all();
        }
        (files, diagnostics, links)
    };
    if walkers == 1 {
        return work();
    }
    std::thread::scope(|scope| {
        let others: Vec<_> = (1..walkers).map(|_| scope.spawn(work)).collect();
        let (mut files, mut diagnostics, mut links) = work();
        for other in others {
            if let Ok((more, problems, more_links)) = other.join() {
                files.extend(more);
                diagnostics.extend(problems);
                links.extend(more_links);
            }
        }
        (files, diagnostics, links)
    })
}

/// Lists one folder: its markdown files into `files`, its folders into `folders`, the
/// folders links lead to into `links`.
fn visit(
    root: usize,
    base: &Path,
    folder: Folder,
    files: &mut Vec<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
    folders: &mut Vec<Folder>,
    links: &mut Vec<Folder>,
) {
    let Folder {
        dir,
        relative,
        chain,
    } = folder;
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) => {
            diagnostics.push(Diagnostic::new(
                dir,
                None,
                format!("cannot read folder: {err}"),
            ));
            return;
        }
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if name.as_encoded_bytes().starts_with(b".") {
            continue; // .git, editor swap files, .DS_Store…
        }
        let kind = entry.file_type().ok();
        let is_link = kind.is_some_and(|k| k.is_symlink());
        // Only folders and content files matter: other files are passed without a stat.
        let content = is_markdown(Path::new(&name))
            || (is_html(Path::new(&name)) && in_posts(Some(&relative)));
        if kind.is_some_and(|k| k.is_file()) && !content {
            continue;
        }
        let child_relative = joined(&relative, &name);
        // A link is followed, so a linked folder is walked like a real one; anything else
        // is looked up in its folder, which costs less than a lookup by path.
        let meta = if is_link || kind.is_none() {
            fs::metadata(joined(&dir, &name))
        } else {
            entry.metadata()
        };
        let meta = match meta {
            Ok(meta) => meta,
            Err(err) => {
                let message = if is_link {
                    format!("broken symlink: {err}")
                } else {
                    format!("cannot read: {err}")
                };
                if content || is_link {
                    diagnostics.push(Diagnostic::new(base.join(&child_relative), None, message));
                }
                continue;
            }
        };
        if meta.is_dir() {
            let path = joined(&dir, &name);
            let id = folder_id(&path, &meta);
            if chain.contains(&id) {
                diagnostics.push(Diagnostic::new(
                    base.join(&child_relative),
                    None,
                    "symlink loop: this folder links back to one that contains it; skipped",
                ));
                continue;
            }
            let found = Folder {
                dir: path,
                relative: child_relative,
                chain: Arc::new(Chain {
                    id,
                    up: Some(Arc::clone(&chain)),
                }),
            };
            if is_link {
                links.push(found);
            } else {
                folders.push(found);
            }
        } else if meta.is_file() && content {
            files.push(SourceFile {
                root,
                display: joined(&dir, &name),
                relative: child_relative,
                stamp: Stamp::of(&meta),
                context: super::context::LoadContext::default(),
                origin: Origin::Disk,
            });
        }
    }
}

/// `base` joined with `name`, in one allocation (`Path::join` makes two: a copy, then a
/// larger one for the name; at 50,000 files they were a tenth of a listing's time).
fn joined(base: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let mut path = PathBuf::with_capacity(base.as_os_str().len() + 1 + name.len());
    path.push(base);
    path.push(name);
    path
}

/// A folder however it is reached: its device and inode on Unix, its canonical path elsewhere.
#[derive(Clone, PartialEq, Eq, Hash)]
struct FolderId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

#[cfg(unix)]
fn folder_id(_path: &Path, meta: &fs::Metadata) -> FolderId {
    use std::os::unix::fs::MetadataExt;
    FolderId((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn folder_id(path: &Path, _meta: &fs::Metadata) -> FolderId {
    FolderId(fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Whether a file is content: markdown anywhere, and HTML in a Jekyll `_posts` or `_drafts`
/// folder (Jekyll publishes both as posts). `path` may be relative or not.
pub(crate) fn is_content(path: &Path) -> bool {
    is_markdown(path) || (is_html(path) && in_posts(path.parent()))
}

fn in_posts(folder: Option<&Path>) -> bool {
    folder.is_some_and(|dir| dir.iter().any(|p| p == "_posts" || p == "_drafts"))
}

pub(crate) fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

pub(crate) fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// A file's text, or why there is none. Problems that still leave text come as diagnostics.
pub enum Read {
    Text(String, Vec<Diagnostic>),
    Skipped(Diagnostic),
}

impl SourceFile {
    /// A file as it was listed once (a load cache's record of it): under `roots[root]`, with
    /// the stamp it had then. `None` when there is no such root or bundled file.
    pub fn as_listed(
        roots: &[Root],
        root: usize,
        relative: PathBuf,
        stamp: Stamp,
        context: super::context::LoadContext,
    ) -> Option<SourceFile> {
        let (display, origin) = match roots.get(root)? {
            Root::Dir(dir) => (dir.join(&relative), Origin::Disk),
            Root::File(path) if path.file_name() == Some(relative.as_os_str()) => {
                (path.clone(), Origin::Disk)
            }
            Root::File(_) => return None,
            Root::Bundled => {
                let (_, bytes) = embedded::FILES
                    .iter()
                    .find(|(path, _)| Path::new(path) == relative)?;
                (Path::new(BUNDLED).join(&relative), Origin::Bundled(bytes))
            }
        };
        Some(SourceFile {
            root,
            relative,
            display,
            stamp,
            context,
            origin,
        })
    }

    /// Whether it is a file of the library bundled into the binary.
    pub fn is_bundled(&self) -> bool {
        matches!(self.origin, Origin::Bundled(_))
    }

    /// Reads and decodes the file: size-capped, binary refused, invalid UTF-8 replaced.
    pub fn read(&self) -> Read {
        let bytes: std::borrow::Cow<'static, [u8]> = match &self.origin {
            Origin::Bundled(bytes) => (*bytes).into(),
            Origin::Disk => match read_capped(&self.display) {
                Ok(bytes) => bytes.into(),
                Err(message) => return Read::Skipped(self.diagnostic(None, message)),
            },
        };
        match bytes {
            std::borrow::Cow::Owned(owned) => decode_owned(owned, &self.display),
            std::borrow::Cow::Borrowed(borrowed) => decode(borrowed, &self.display),
        }
    }

    fn diagnostic(&self, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.display, line, message)
    }
}

fn read_capped(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    // Opened first, then asked its size: one path lookup a file, not two (at 10,000 files
    // the second was a tenth of a command's time).
    // Without blocking: a file replaced by a FIFO since it was listed must not hang the load.
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        rustix::fs::OFlags::NONBLOCK.bits() as i32,
    );
    let mut file = options
        .open(path)
        .map_err(|err| format!("cannot read: {err}"))?;
    let meta = file
        .metadata()
        .map_err(|err| format!("cannot read: {err}"))?;
    if !meta.is_file() {
        return Err("not a regular file; skipped".into());
    }
    let len = meta.len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} MiB, over the {} MiB limit; skipped",
            len.div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // It may have grown since it was listed: read no more than the limit allows.
    (&mut file)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read: {err}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file is over the {} MiB limit; skipped",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Like [`decode`], taking the buffer: clean UTF-8 (nearly every file) becomes the text
/// without a copy, which halves the memory a big file needs while it is read.
pub fn decode_owned(bytes: Vec<u8>, display: &Path) -> Read {
    let clean_utf8 = std::str::from_utf8(&bytes).is_ok_and(crate::text::is_clean);
    if !clean_utf8
        || bytes.iter().take(8192).any(|&b| b == 0)
        || bytes.iter().all(u8::is_ascii_whitespace)
    {
        return decode(&bytes, display);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Read::Text(text, Vec::new()),
        Err(err) => decode(err.as_bytes(), display),
    }
}

/// Decodes file bytes into sanitised text.
pub fn decode(bytes: &[u8], display: &Path) -> Read {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Read::Skipped(Diagnostic::new(
            display,
            None,
            "empty file; nothing to load",
        ));
    }
    // A stray NUL in text is shown as ␀; many of them mean the file is not text at all.
    let head = &bytes[..bytes.len().min(8192)];
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if nuls >= 16 || nuls * 100 > head.len() {
        return Read::Skipped(Diagnostic::new(
            display,
            None,
            "binary file (contains NUL bytes); skipped",
        ));
    }
    let mut diagnostics = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        // Clean text (the common case) is copied once, from the read buffer.
        Ok(text) => sanitize(text).into_owned(),
        Err(err) => {
            let lossy = String::from_utf8_lossy(bytes);
            let valid = err.valid_up_to();
            let line = line_of(&lossy, valid.min(lossy.len()));
            diagnostics.push(Diagnostic::new(
                display,
                Some(line),
                "invalid UTF-8; the bad bytes are shown as \u{fffd}",
            ));
            sanitize(&lossy).into_owned()
        }
    };
    Read::Text(text, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_by_their_components() {
        let mut paths: Vec<PathBuf> = ["a.b/c", "a/b", "a b", "a/b/c", "a", "b", "a-b/z", "é/x"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let mut by_components = paths.clone();
        by_components.sort();
        paths.sort_by_cached_key(|p| path_key(p));
        assert_eq!(paths, by_components);
    }
}
