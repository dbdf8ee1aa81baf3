//! Where each browser keeps the default profile's bookmarks, on Linux and macOS.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Chrome,
    Chromium,
    Brave,
    Edge,
    Firefox,
}

impl Browser {
    pub const ALL: [Browser; 5] = [
        Browser::Chrome,
        Browser::Chromium,
        Browser::Brave,
        Browser::Edge,
        Browser::Firefox,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Chromium => "chromium",
            Browser::Brave => "brave",
            Browser::Edge => "edge",
            Browser::Firefox => "firefox",
        }
    }

    pub fn parse(name: &str) -> Option<Browser> {
        Browser::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(name))
    }

    /// The title of the collection an import from it makes.
    pub fn title(self) -> &'static str {
        match self {
            Browser::Chrome => "Chrome bookmarks",
            Browser::Chromium => "Chromium bookmarks",
            Browser::Brave => "Brave bookmarks",
            Browser::Edge => "Edge bookmarks",
            Browser::Firefox => "Firefox bookmarks",
        }
    }

    /// The folders, under the home folder, that hold the profiles.
    fn profile_roots(self) -> &'static [&'static str] {
        let macos = cfg!(target_os = "macos");
        match (self, macos) {
            (Browser::Chrome, false) => &[".config/google-chrome"],
            (Browser::Chrome, true) => &["Library/Application Support/Google/Chrome"],
            (Browser::Chromium, false) => &[".config/chromium", "snap/chromium/common/chromium"],
            (Browser::Chromium, true) => &["Library/Application Support/Chromium"],
            (Browser::Brave, false) => &[".config/BraveSoftware/Brave-Browser"],
            (Browser::Brave, true) => &["Library/Application Support/BraveSoftware/Brave-Browser"],
            (Browser::Edge, false) => &[".config/microsoft-edge"],
            (Browser::Edge, true) => &["Library/Application Support/Microsoft Edge"],
            (Browser::Firefox, false) => &[
                ".mozilla/firefox",
                "snap/firefox/common/.mozilla/firefox",
                ".var/app/org.mozilla.firefox/.mozilla/firefox",
            ],
            (Browser::Firefox, true) => &["Library/Application Support/Firefox"],
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The default profile's bookmarks file under `home`, or why there is none (the places
/// looked at).
pub fn bookmarks_file(browser: Browser, home: &Path) -> Result<PathBuf, String> {
    let mut looked = Vec::new();
    for root in browser.profile_roots() {
        let root = home.join(root);
        let found = match browser {
            Browser::Firefox => firefox_backup(&root),
            _ => Some(root.join("Default/Bookmarks")).filter(|p| p.is_file()),
        };
        if let Some(found) = found {
            return Ok(found);
        }
        looked.push(root.display().to_string());
    }
    let what = match browser {
        Browser::Firefox => "a bookmarks backup (bookmarkbackups/*.jsonlz4) in the default profile",
        _ => "Default/Bookmarks",
    };
    Err(format!(
        "no {browser} profile found: looked for {what} under {}; export the bookmarks from the \
         browser and give the file instead (quire import FILE)",
        looked.join(", ")
    ))
}

/// The newest backup of the default profile: Firefox writes one a day to `bookmarkbackups/`
/// (the live `places.sqlite` is a database in use).
fn firefox_backup(root: &Path) -> Option<PathBuf> {
    let ini = std::fs::read_to_string(root.join("profiles.ini")).ok()?;
    let profile = default_profile(&ini)?;
    let folder = if Path::new(&profile).is_absolute() {
        PathBuf::from(&profile)
    } else {
        root.join(&profile)
    };
    let backups = std::fs::read_dir(folder.join("bookmarkbackups")).ok()?;
    backups
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.ends_with(".jsonlz4") || n.ends_with(".json"))
        })
        // Named `bookmarks-YYYY-MM-DD_…`: the greatest name is the newest.
        .max()
}

/// The profile path profiles.ini names as the default: an `[Install…]` section's `Default=`,
/// else the `[Profile…]` with `Default=1`, else the only profile.
fn default_profile(ini: &str) -> Option<String> {
    let mut section = String::new();
    let (mut install, mut marked, mut profiles) = (None, None, Vec::new());
    let mut path = None;
    let mut is_default = false;
    let mut close = |path: &mut Option<String>, is_default: &mut bool, section: &str| {
        if section.starts_with("Profile")
            && let Some(p) = path.take()
        {
            if *is_default {
                marked = Some(p.clone());
            }
            profiles.push(p);
        }
        *is_default = false;
    };
    for line in ini.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            close(&mut path, &mut is_default, &section);
            section = name.to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match (key.trim(), section.starts_with("Install")) {
            ("Default", true) => install = install.or(Some(value.trim().to_string())),
            ("Path", false) => path = Some(value.trim().to_string()),
            ("Default", false) => is_default = value.trim() == "1",
            _ => {}
        }
    }
    close(&mut path, &mut is_default, &section);
    install
        .or(marked)
        .or_else(|| (profiles.len() == 1).then(|| profiles.remove(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_firefox_profile_is_the_installs_then_the_marked_one() {
        let ini = "[Profile1]\nName=other\nPath=abc.other\n\n[Profile0]\nName=default\nIsRelative=1\nPath=xyz.default\nDefault=1\n\n[Install4F96D1932A9F858E]\nDefault=qrs.default-release\nLocked=1\n";
        assert_eq!(default_profile(ini).as_deref(), Some("qrs.default-release"));
        let ini = "[Profile1]\nPath=abc.other\n\n[Profile0]\nPath=xyz.default\nDefault=1\n";
        assert_eq!(default_profile(ini).as_deref(), Some("xyz.default"));
        assert_eq!(
            default_profile("[Profile0]\nPath=only\n").as_deref(),
            Some("only")
        );
        assert_eq!(default_profile("[General]\nStartWithLastProfile=1\n"), None);
    }

    #[test]
    fn a_missing_profile_says_where_it_looked() {
        let home = std::env::temp_dir().join(format!("quire-browsers-{}", std::process::id()));
        let err = bookmarks_file(Browser::Chrome, &home).expect_err("none");
        assert!(
            err.contains("google-chrome") && err.contains("quire import FILE"),
            "{err}"
        );
        let chrome = home.join(".config/google-chrome/Default");
        std::fs::create_dir_all(&chrome).expect("dir");
        std::fs::write(chrome.join("Bookmarks"), "{}").expect("write");
        assert_eq!(
            bookmarks_file(Browser::Chrome, &home).expect("found"),
            chrome.join("Bookmarks")
        );
        let _ = std::fs::remove_dir_all(home);
    }
}
