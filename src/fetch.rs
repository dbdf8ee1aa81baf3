//! The one place Quire talks to the network, for feed sync and the page archive alike: a GET
//! over HTTP(S) with `ureq` (rustls, so nothing to install), bounded in time, size and
//! redirects, conditional on what the last fetch was told (`ETag`, `Last-Modified`), gzip
//! accepted, with a User-Agent naming Quire.

use std::time::Duration;

use ureq::Agent;

/// A body bigger than this, decoded, is refused (the largest real feeds and pages are a few
/// MB).
pub const MAX_BYTES: u64 = 10 * 1024 * 1024;
/// The whole request, connect to last byte.
pub const TIMEOUT: Duration = Duration::from_secs(20);
pub const MAX_REDIRECTS: u32 = 5;

/// The limit a sync or an archive run uses: [`TIMEOUT`]; debug builds take `QUIRE_DEBUG_FETCH_TIMEOUT_MS`
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

/// A url's host, lower-case, without a leading `www.` (one site either way): how feeds are
/// told apart, requests are spread over sites, and a saved page names where it is from.
pub fn site_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().and_then(|u| {
        u.host_str().map(|h| {
            h.to_ascii_lowercase()
                .trim_start_matches("www.")
                .to_string()
        })
    })
}

pub fn user_agent() -> String {
    format!("quire/{} (terminal reader)", env!("CARGO_PKG_VERSION"))
}

/// One agent for a run: connections are reused across requests to one host.
pub fn agent(timeout: Duration) -> Agent {
    Agent::config_builder()
        .timeout_global(Some(timeout))
        .max_redirects(MAX_REDIRECTS)
        .http_status_as_error(false)
        .user_agent(user_agent())
        .build()
        .into()
}

/// What a feed fetch brought.
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

/// Fetches a feed at `url`, conditionally. An error says why in words a user reads (the
/// status, a refused connection, a timeout, a body too big).
pub fn fetch(
    agent: &Agent,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Result<Fetched, String> {
    let ask = Ask {
        url,
        accept: "application/atom+xml, application/rss+xml, application/feed+json, \
                 application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1",
        etag,
        last_modified,
    };
    let answer = match get(agent, &ask, |_| true) {
        Ok(answer) => answer,
        Err(Failure::TooBig) => {
            return Err(format!(
                "the feed is bigger than {} MB",
                MAX_BYTES / 1024 / 1024
            ));
        }
        Err(failure) => return Err(failure.to_string()),
    };
    match answer.status {
        304 => Ok(Fetched::NotModified),
        200..=299 => Ok(Fetched::Body {
            bytes: answer.body.unwrap_or_default(),
            etag: answer.etag,
            last_modified: answer.last_modified,
            content_type: answer.content_type,
        }),
        _ => Err(answer.status_line()),
    }
}

/// One request: a url, what is accepted, and the validators of the last answer.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    pub url: &'a str,
    pub accept: &'a str,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// What a server answered, whatever the status.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Where the answer came from, after redirects.
    pub final_url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// Read only for a 2xx status whose content type the caller wanted: a PDF is known for
    /// what it is without its megabytes.
    pub body: Option<Vec<u8>>,
}

impl Answer {
    /// `HTTP 404 Not Found`.
    pub fn status_line(&self) -> String {
        let reason = ureq::http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        format!("HTTP {} {reason}", self.status).trim().to_string()
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Timeout,
    /// The name does not exist (not: the name could not be looked up for now).
    HostNotFound,
    /// The lookup failed for now (no network, a resolver down): says nothing of the host.
    LookupFailed,
    Refused,
    TooManyRedirects,
    BadAddress,
    /// The body decoded past [`MAX_BYTES`].
    TooBig,
    /// Anything else, in ureq's or the system's words.
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => write!(f, "timed out (after {:.1} s)", timeout().as_secs_f64()),
            Failure::HostNotFound => f.write_str("host not found (DNS)"),
            Failure::LookupFailed => {
                f.write_str("the host's name could not be looked up (offline?)")
            }
            Failure::Refused => f.write_str("connection refused"),
            Failure::TooManyRedirects => write!(f, "more than {MAX_REDIRECTS} redirects"),
            Failure::BadAddress => f.write_str("not a valid web address"),
            Failure::TooBig => write!(f, "bigger than {} MB", MAX_BYTES / 1024 / 1024),
            Failure::Other(words) => f.write_str(words),
        }
    }
}

/// Asks for `ask.url`; the body is read (at most [`MAX_BYTES`] decoded) when the status is
/// 2xx and `wanted` takes its content type.
pub fn get(
    agent: &Agent,
    ask: &Ask<'_>,
    wanted: impl Fn(Option<&str>) -> bool,
) -> Result<Answer, Failure> {
    use ureq::ResponseExt;
    let mut request = agent.get(ask.url).header("Accept", ask.accept);
    if let Some(etag) = ask.etag {
        request = request.header("If-None-Match", etag);
    }
    if let Some(when) = ask.last_modified {
        request = request.header("If-Modified-Since", when);
    }
    let mut response = request.call().map_err(describe)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    let mut answer = Answer {
        status,
        final_url: response.get_uri().to_string(),
        etag: header("etag"),
        last_modified: header("last-modified"),
        content_type: header("content-type"),
        body: None,
    };
    if (200..300).contains(&status) && wanted(answer.content_type.as_deref()) {
        // The limit counts the bytes as decoded: a small gzip stream may inflate without
        // bound.
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(response.body_mut().as_reader(), MAX_BYTES + 1),
            &mut bytes,
        )
        .map_err(describe_io)?;
        if bytes.len() as u64 > MAX_BYTES {
            return Err(Failure::TooBig);
        }
        answer.body = Some(bytes);
    }
    Ok(answer)
}

fn describe_io(err: std::io::Error) -> Failure {
    match err.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
        Some(ureq::Error::Timeout(_)) => Failure::Timeout,
        _ if err.kind() == std::io::ErrorKind::TimedOut => Failure::Timeout,
        _ => Failure::Other(format!("the answer broke off: {err}")),
    }
}

fn describe(err: ureq::Error) -> Failure {
    match err {
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::TooManyRedirects => Failure::TooManyRedirects,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Failure::Refused
        }
        // `Temporary failure in name resolution` (EAI_AGAIN): offline, or a resolver down.
        ureq::Error::Io(io) if io.to_string().contains("Temporary failure") => {
            Failure::LookupFailed
        }
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => Failure::HostNotFound,
        ureq::Error::Http(_) | ureq::Error::BadUri(_) => Failure::BadAddress,
        other => Failure::Other(other.to_string()),
    }
}
