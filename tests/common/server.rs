//! A tiny HTTP/1.1 server on 127.0.0.1 for the tests that fetch (feed sync): it answers the
//! pages a test gives it, bounded in requests and time, and stops by itself.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A response: status, content type, body, ETag.
#[derive(Clone)]
pub struct Page {
    pub status: u16,
    pub kind: &'static str,
    pub body: String,
    pub etag: Option<String>,
}

impl Page {
    /// A 200 answer without an ETag.
    pub fn ok(kind: &'static str, body: impl Into<String>) -> Page {
        Page {
            status: 200,
            kind,
            body: body.into(),
            etag: None,
        }
    }
}

/// A page as given, with its body gzip-compressed then: compressing a big page per request
/// would spend the client's time limit on this server's work.
struct Given {
    page: Page,
    gzipped: Vec<u8>,
}

/// A tiny HTTP/1.1 server on 127.0.0.1: at most `MAX_REQUESTS` requests, for at most
/// `LIFETIME`, then it stops by itself; dropping it stops it at once.
pub struct Server {
    port: u16,
    pages: Arc<Mutex<HashMap<String, Arc<Given>>>>,
    /// Requests that came with If-None-Match, and those answered 304.
    pub conditional: Arc<AtomicUsize>,
    pub not_modified: Arc<AtomicUsize>,
    /// Responses sent gzip-compressed (the client asked for it).
    pub gzipped: Arc<AtomicUsize>,
    /// Every request that came.
    pub requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const MAX_REQUESTS: usize = 200;
const LIFETIME: Duration = Duration::from_secs(60);

impl Server {
    /// A server for at most `MAX_REQUESTS` requests and `LIFETIME`.
    pub fn start() -> Server {
        Server::bounded(MAX_REQUESTS, LIFETIME)
    }

    /// A server for at most `max_requests` requests and `lifetime`, whichever ends first.
    pub fn bounded(max_requests: usize, lifetime: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let pages: Arc<Mutex<HashMap<String, Arc<Given>>>> = Arc::default();
        let conditional = Arc::new(AtomicUsize::new(0));
        let not_modified = Arc::new(AtomicUsize::new(0));
        let gzipped = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, c, n, g, s, r) = (
            Arc::clone(&pages),
            Arc::clone(&conditional),
            Arc::clone(&not_modified),
            Arc::clone(&gzipped),
            Arc::clone(&stop),
            Arc::clone(&requests),
        );
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while served < max_requests && started.elapsed() < lifetime && !s.load(Ordering::SeqCst)
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        r.fetch_add(1, Ordering::SeqCst);
                        // Each request on its own thread: one slow answer holds up no other.
                        let (p, c, n, g) = (
                            Arc::clone(&p),
                            Arc::clone(&c),
                            Arc::clone(&n),
                            Arc::clone(&g),
                        );
                        std::thread::spawn(move || serve(stream, &p, &c, &n, &g));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            port,
            pages,
            conditional,
            not_modified,
            gzipped,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn page(&self, path: &str, page: Page) {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(page.body.as_bytes()).unwrap();
        let gzipped = encoder.finish().unwrap();
        self.pages
            .lock()
            .unwrap()
            .insert(path.to_string(), Arc::new(Given { page, gzipped }));
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(
    mut stream: TcpStream,
    pages: &Mutex<HashMap<String, Arc<Given>>>,
    conditional: &AtomicUsize,
    not_modified: &AtomicUsize,
    gzipped: &AtomicUsize,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request).to_string();
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let header = |name: &str| {
        request.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    };
    assert!(
        header("user-agent").is_some_and(|ua| ua.starts_with("quire/")),
        "a User-Agent naming Quire"
    );
    let given = pages.lock().unwrap().get(&path).cloned();
    let page = given.as_ref().map(|g| &g.page);
    if page.as_ref().is_some_and(|p| p.kind == "slow") {
        // Never answers in time (the client's limit is shorter); then goes.
        std::thread::sleep(Duration::from_millis(1500));
        return;
    }
    if page.as_ref().is_some_and(|p| p.kind == "trickle") {
        // A page that never ends: a byte at a time, for longer than any client waits.
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body><p>";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(25) {
            if stream
                .write_all(b"a")
                .and_then(|()| stream.flush())
                .is_err()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        return;
    }
    if page.as_ref().is_some_and(|p| p.kind == "stall") {
        // Holds the request for as long as a sync may wait (20 s), and more.
        std::thread::sleep(Duration::from_secs(25));
        return;
    }
    let (head, body): (String, &[u8]) = match page {
        None => (
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
            &[],
        ),
        // A redirect: the body names where to.
        Some(page) if (300..400).contains(&page.status) => (
            format!(
                "HTTP/1.1 {} Moved\r\nLocation: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                page.status, page.body
            ),
            &[],
        ),
        Some(page) => {
            let asked = header("if-none-match");
            if asked.is_some() {
                conditional.fetch_add(1, Ordering::SeqCst);
            }
            if asked.is_some() && asked == page.etag {
                not_modified.fetch_add(1, Ordering::SeqCst);
                (
                    "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n".into(),
                    &[],
                )
            } else {
                let etag = page
                    .etag
                    .as_ref()
                    .map(|e| format!("ETag: {e}\r\n"))
                    .unwrap_or_default();
                let gzip = header("accept-encoding").is_some_and(|e| e.contains("gzip"));
                let (body, encoding) = match &given {
                    Some(given) if gzip => {
                        gzipped.fetch_add(1, Ordering::SeqCst);
                        (&given.gzipped[..], "Content-Encoding: gzip\r\n")
                    }
                    _ => (page.body.as_bytes(), ""),
                };
                (
                    format!(
                        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n{etag}{encoding}Connection: close\r\n\r\n",
                        page.status,
                        page.kind,
                        body.len()
                    ),
                    body,
                )
            }
        }
    };
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}
