//! Content roots and the markdown files in them, read from disk or from the bundled copy.
//!
//! Walking never stops at a bad entry: unreadable folders, dangling links and symlink loops
//! become diagnostics. Reading enforces a size cap and decodes to sanitised UTF-8.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, line_of};
use super::embedded;
use crate::text::sanitize;

/// Files bigger than this are skipped: no reader wants a 16 MB markdown file, and reading
/// one would stall everything else.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The folder the bundled library's paths start with (its files are inside the binary).
pub const BUNDLED: &str = "<bundled>";

/// Where content comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    Dir(PathBuf),
    /// The `content/` folder compiled into the binary.
    Bundled,
}

impl Root {
    pub fn label(&self) -> String {
        match self {
            Root::Dir(path) => path.display().to_string(),
            Root::Bundled => BUNDLED.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("content folder {0} does not exist")]
    Missing(PathBuf),
    #[error("content root {0} is not a folder")]
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
    /// Size and modification time when listed: a file with both unchanged is unchanged, which
    /// is what the load cache relies on.
    pub len: u64,
    pub modified_ns: u128,
    origin: Origin,
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
                        len: bytes.len() as u64,
                        modified_ns: 0,
                        origin: Origin::Bundled(bytes),
                    });
                }
            }
            Root::Dir(dir) => {
                check_dir(dir)?;
                fs::read_dir(dir).map_err(|error| RootError::Unreadable {
                    path: dir.clone(),
                    error,
                })?;
                let mut walk = Walk {
                    root: index,
                    base: dir,
                    files: &mut files,
                    diagnostics: &mut diagnostics,
                };
                let meta = fs::metadata(dir).map_err(|error| RootError::Unreadable {
                    path: dir.clone(),
                    error,
                })?;
                let mut ancestors = HashSet::new();
                walk.visit(dir, Path::new(""), folder_id(dir, &meta), &mut ancestors);
            }
        }
    }
    files.sort_by(|a, b| (a.root, &a.relative).cmp(&(b.root, &b.relative)));
    Ok((files, diagnostics))
}

struct Walk<'a> {
    root: usize,
    base: &'a Path,
    files: &'a mut Vec<SourceFile>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Walk<'_> {
    /// `ancestors` holds the folders being walked, so a link back to one of them is caught as
    /// a loop instead of recursing forever.
    fn visit(
        &mut self,
        dir: &Path,
        relative: &Path,
        id: FolderId,
        ancestors: &mut HashSet<FolderId>,
    ) {
        if !ancestors.insert(id.clone()) {
            self.diagnostics.push(Diagnostic::new(
                self.base.join(relative),
                None,
                "symlink loop: this folder links back to one that contains it; skipped",
            ));
            return;
        }
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) => {
                self.diagnostics.push(Diagnostic::new(
                    dir,
                    None,
                    format!("cannot read folder: {err}"),
                ));
                ancestors.remove(&id);
                return;
            }
        };
        // Each name is taken once: `file_name` allocates, so a sort calling it per
        // comparison cost more than the walk.
        let mut entries: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name(), e))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (name, entry) in entries {
            if name.as_encoded_bytes().starts_with(b".") {
                continue; // .git, editor swap files, .DS_Store…
            }
            let kind = entry.file_type().ok();
            let is_link = kind.is_some_and(|k| k.is_symlink());
            // Only folders and markdown files matter: other files are passed without a stat.
            if kind.is_some_and(|k| k.is_file()) && !is_markdown(Path::new(&name)) {
                continue;
            }
            let path = entry.path();
            let child_relative = relative.join(&name);
            // A link is followed, so a linked folder is walked like a real one; anything else
            // is looked up in its folder, which costs less than a lookup by path.
            let meta = if is_link || kind.is_none() {
                fs::metadata(&path)
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
                    if is_markdown(&path) || is_link {
                        self.diagnostics.push(Diagnostic::new(
                            self.base.join(&child_relative),
                            None,
                            message,
                        ));
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                let id = folder_id(&path, &meta);
                self.visit(&path, &child_relative, id, ancestors);
            } else if meta.is_file() && is_markdown(&path) {
                let modified_ns = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                self.files.push(SourceFile {
                    root: self.root,
                    display: path,
                    relative: child_relative,
                    len: meta.len(),
                    modified_ns,
                    origin: Origin::Disk,
                });
            }
        }
        ancestors.remove(&id);
    }
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
    let meta = fs::metadata(path).map_err(|err| format!("cannot read: {err}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} MiB, over the {} MiB limit; skipped",
            meta.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = fs::read(path).map_err(|err| format!("cannot read: {err}"))?;
    // It may have grown between the two calls.
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
