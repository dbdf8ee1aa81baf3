//! The one place Quire talks to the network: a feed fetched over HTTP(S) with `ureq` (rustls,
//! so nothing to install), bounded in time, size and redirects, conditional on what the last
//! fetch was told (`ETag`, `Last-Modified`), gzip accepted, with a User-Agent naming Quire.

use std::time::Duration;

use ureq::Agent;

/// A feed bigger than this is refused (the largest real ones are a few MB).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// The whole request, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const MAX_REDIRECTS: u32 = 5;

/// The limit a sync uses: [`TIMEOUT`]; debug builds take `QUIRE_DEBUG_FETCH_TIMEOUT_MS`
/// instead, so a test of a server that never answers need not wait 20 s.
pub fn timeout() -> Duration {
    if cfg!(debug_assertions)
        && let Some(ms) = std::env::var("QUIRE_DEBUG_FETCH_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
    {
        return Duration::from_millis(ms);
    }
    TIMEOUT
}

pub fn user_agent() -> String {
    format!("quire/{} (terminal reader)", env!("CARGO_PKG_VERSION"))
}

/// One agent for a sync: connections are reused across feeds of one host.
pub fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(MAX_REDIRECTS)
        .http_status_as_error(false)
        .user_agent(user_agent())
        .build()
        .into()
}

/// What a fetch brought.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing changed since the validators were given.
    NotModified,
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        content_type: Option<String>,
    },
}

/// Fetches `url`, conditionally. An error says why in words a user reads (the status, a
/// refused connection, a timeout, a body too big).
pub fn fetch(
    agent: &Agent,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<Fetched, String> {
    let mut request = agent.get(url).header(
        "Accept",
        "application/atom+xml, application/rss+xml, application/feed+json, \
         application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1",
    );
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    if let Some(when) = last_modified {
        request = request.header("If-Modified-Since", when);
    }
    let mut response = request.call().map_err(describe)?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(Fetched::NotModified);
    }
    if !(200..300).contains(&status) {
        let reason = response.status().canonical_reason().unwrap_or("");
        return Err(format!("HTTP {status} {reason}").trim().to_string());
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let (etag, last_modified, content_type) = (
        header("etag"),
        header("last-modified"),
        header("content-type"),
    );
    // The limit counts the bytes as decoded: a small gzip stream may inflate without bound.
    let mut bytes = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(response.body_mut().as_reader(), MAX_BYTES + 1),
        &mut bytes,
    );
    match read {
        Ok(_) if bytes.len() as u64 > MAX_BYTES => {
            return Err(format!(
                "the feed is bigger than {} MB",
                MAX_BYTES / 1024 / 1024
            ));
        }
        Ok(_) => {}
        Err(err) => return Err(describe_io(err)),
    }
    Ok(Fetched::Body {
        bytes,
        etag,
        last_modified,
        content_type,
    })
}

fn describe_io(err: std::io::Error) -> String {
    match err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        Some(ureq::Error::Timeout(_)) => {
            format!("timed out (after {:.1} s)", timeout().as_secs_f64())
        }
        _ if err.kind() == std::io::ErrorKind::TimedOut => {
            format!("timed out (after {:.1} s)", timeout().as_secs_f64())
        }
        _ => format!("the answer broke off: {err}"),
    }
}

fn describe(err: ureq::Error) -> String {
    match err {
        ureq::Error::Timeout(_) => format!("timed out (after {:.1} s)", timeout().as_secs_f64()),
        ureq::Error::HostNotFound => "host not found (DNS)".into(),
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".into()
        }
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
            "host not found (DNS)".into()
        }
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => "not a valid web address".into(),
        other => other.to_string(),
    }
}
