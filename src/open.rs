//! Opening urls safely: only web and mail links, never through a shell.
//!
//! A url comes from untrusted content. It is checked ([`check_url`]) and then passed as one
//! argument to the platform's opener, so no character in it can be read as a command or an
//! option.

use std::fmt;
use std::process::{Command, Stdio};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not `http:`, `https:` or `mailto:` (`javascript:`, `file:`, relative paths…).
    Scheme,
    /// Starts with `-`, which an opener could take for an option.
    LeadingDash,
    /// Holds whitespace or control characters, which no real url has.
    Malformed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refusal::Scheme => "only http, https and mailto links are opened",
            Refusal::LeadingDash => "a link may not start with '-'",
            Refusal::Malformed => "the link contains spaces or control characters",
        })
    }
}

pub fn check_url(url: &str) -> Result<(), Refusal> {
    if url.starts_with('-') {
        return Err(Refusal::LeadingDash);
    }
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Refusal::Malformed);
    }
    let lower = url.to_ascii_lowercase();
    let web = ["http://", "https://"]
        .iter()
        .any(|s| lower.starts_with(s) && lower.len() > s.len());
    let mail = lower.starts_with("mailto:") && lower.len() > "mailto:".len();
    if web || mail {
        Ok(())
    } else {
        Err(Refusal::Scheme)
    }
}

/// The program that opens urls here, overridable with `$QUIRE_OPENER` (tests use it).
fn opener() -> String {
    if let Some(custom) = std::env::var_os("QUIRE_OPENER").filter(|v| !v.is_empty()) {
        return custom.to_string_lossy().into_owned();
    }
    if cfg!(target_os = "macos") {
        "open".into()
    } else {
        "xdg-open".into()
    }
}

/// Checks `url` and starts the opener with it as its only argument; does not wait for it.
pub fn open_url(url: &str) -> Result<(), String> {
    check_url(url).map_err(|r| r.to_string())?;
    let program = opener();
    let mut child = Command::new(&program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("cannot start {program}: {err}"))?;
    // Reap it in the background so it does not linger as a zombie.
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// The OSC 52 sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52_copy(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", base64(text.as_bytes()))
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_and_mail_links_are_allowed() {
        assert_eq!(check_url("https://example.org/a?b=c&d"), Ok(()));
        assert_eq!(check_url("HTTP://EXAMPLE.ORG"), Ok(()));
        assert_eq!(check_url("mailto:someone@example.org"), Ok(()));
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(check_url("javascript:alert(1)"), Err(Refusal::Scheme));
        assert_eq!(check_url("file:///etc/passwd"), Err(Refusal::Scheme));
        assert_eq!(
            check_url("/blog/2022/09/28/kids-use-hnswlib/"),
            Err(Refusal::Scheme)
        );
        assert_eq!(check_url("-oProxyCommand=evil"), Err(Refusal::LeadingDash));
        assert_eq!(check_url("--help"), Err(Refusal::LeadingDash));
        assert_eq!(
            check_url("https://x.org/$(rm -rf ~)"),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            check_url("https://x.org/\u{1b}]52"),
            Err(Refusal::Malformed)
        );
        assert_eq!(check_url("https://"), Err(Refusal::Scheme));
    }

    #[test]
    fn shell_metacharacters_stay_one_argument() {
        // `;`, `|`, `&` and backticks are legal in a url and harmless without a shell: the
        // url reaches the opener as one argv entry.
        assert_eq!(check_url("https://x.org/a;b|c&d`e`"), Ok(()));
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"https://x.org"), "aHR0cHM6Ly94Lm9yZw==");
    }
}
