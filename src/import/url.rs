//! Urls as import compares them: two spellings of one address are one bookmark.

/// What kind of url a bookmark has; only web pages are imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Web,
    /// `javascript:`
    Bookmarklet,
    /// `chrome://`, `about:`, `edge://`, `brave://`, `vivaldi://`, `opera://`, `moz-extension:`
    BrowserPage,
    /// Firefox's `place:` queries (smart folders).
    Query,
    /// `data:`
    Data,
    /// `file:`, `ftp:` and anything else.
    Other,
}

impl Kind {
    pub fn of(url: &str) -> Kind {
        let lower = url.trim().to_ascii_lowercase();
        let scheme = lower.split_once(':').map_or("", |(s, _)| s);
        match scheme {
            "http" | "https" if lower.contains("://") => Kind::Web,
            "javascript" => Kind::Bookmarklet,
            "chrome" | "about" | "edge" | "brave" | "vivaldi" | "opera" | "chrome-extension"
            | "moz-extension" | "view-source" => Kind::BrowserPage,
            "place" => Kind::Query,
            "data" => Kind::Data,
            _ => Kind::Other,
        }
    }

    /// How a summary names a count of them.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Web => "web pages",
            Kind::Bookmarklet => "bookmarklets (javascript:)",
            Kind::BrowserPage => "browser pages (chrome://, about:…)",
            Kind::Query => "Firefox queries (place:)",
            Kind::Data => "data: urls",
            Kind::Other => "other kinds of url (file:, ftp:…)",
        }
    }
}

/// The form two urls are compared in: scheme and host lower-case, the default port and an
/// empty `#` dropped, an empty path written `/`. The path, query and fragment keep their case.
pub fn normalize(url: &str) -> String {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, authority),
    };
    let mut host = host_port.to_ascii_lowercase();
    let default = match scheme.as_str() {
        "http" => Some(":80"),
        "https" => Some(":443"),
        _ => None,
    };
    if let Some(port) = default
        && host.ends_with(port)
    {
        host.truncate(host.len() - port.len());
    }
    let mut out = format!("{scheme}://");
    if let Some(user) = user {
        out.push_str(user);
        out.push('@');
    }
    out.push_str(&host);
    if !tail.starts_with('/') {
        out.push('/');
    }
    out.push_str(tail);
    if out.ends_with('#') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_address_are_one() {
        for (a, b) in [
            ("HTTPS://Example.ORG/Path", "https://example.org/Path"),
            ("https://example.org:443/a", "https://example.org/a"),
            ("http://example.org:80", "http://example.org/"),
            ("https://example.org/a#", "https://example.org/a"),
            ("https://example.org?q=1", "https://example.org/?q=1"),
            (
                "https://User@Host.example:8443/x",
                "https://User@host.example:8443/x",
            ),
        ] {
            assert_eq!(normalize(a), b, "{a}");
        }
        // Different addresses stay different.
        assert_ne!(
            normalize("https://example.org/A"),
            normalize("https://example.org/a")
        );
        assert_ne!(
            normalize("http://example.org/"),
            normalize("https://example.org/")
        );
        assert_ne!(
            normalize("https://example.org/#top"),
            normalize("https://example.org/")
        );
    }

    #[test]
    fn only_web_pages_are_web() {
        assert_eq!(Kind::of("https://a.example"), Kind::Web);
        assert_eq!(Kind::of("HTTP://a.example"), Kind::Web);
        assert_eq!(Kind::of("javascript:alert(1)"), Kind::Bookmarklet);
        assert_eq!(Kind::of("chrome://settings"), Kind::BrowserPage);
        assert_eq!(Kind::of("about:config"), Kind::BrowserPage);
        assert_eq!(Kind::of("place:sort=8"), Kind::Query);
        assert_eq!(Kind::of("data:text/html,hi"), Kind::Data);
        assert_eq!(Kind::of("file:///etc/passwd"), Kind::Other);
        assert_eq!(Kind::of("https:nothing"), Kind::Other);
    }
}
