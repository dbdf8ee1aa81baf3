//! The first sync and the first count after it, beside newsboat: the same feeds (Atom, a few
//! hundred entries each, bodies of a few KB of HTML) served by a server of the benchmark's own
//! on 127.0.0.1, `quire sync` against `newsboat -x reload`, then `quire unread` (the bundled
//! library and the library folder, as a status bar runs it) against `newsboat -x
//! print-unread` (first, and again warm), each in fresh folders every round, rounds
//! interleaved.
//!
//! The server answers only the benchmark's feeds, at most a bounded number of requests and
//! for a bounded time, and stops when the benchmark ends.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::cli_bench::{command, quire_binary, time_once};
use crate::stats::{Summary, fmt_ms};

pub fn run(feeds: usize, entries: usize, rounds: usize) -> Result<(), Box<dyn std::error::Error>> {
    let quire = quire_binary()?;
    let newsboat = which("newsboat").ok_or(
        "newsboat is not installed; it is what the figures compare with (Debian: apt install newsboat)",
    )?;
    let pages: HashMap<String, Vec<u8>> = (0..feeds)
        .map(|f| (format!("/feed{f}.xml"), atom(f, entries).into_bytes()))
        .collect();
    let bytes: usize = pages.values().map(Vec::len).sum();
    let server = Server::start(pages, rounds * feeds * 4 + 100)?;
    let urls: Vec<String> = (0..feeds)
        .map(|f| format!("http://127.0.0.1:{}/feed{f}.xml", server.port))
        .collect();
    let home = std::env::temp_dir().join(format!("quire-bench-feeds-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;
    // Every command runs where no `./content` is: a plain `quire unread` reads the bundled
    // library and the user's library folder, as a status bar's does.
    std::env::set_current_dir(&home)?;
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        // [quire sync, quire unread first, warm; newsboat reload, print-unread first, warm]
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); 6];
        for round in 0..rounds {
            let quire_home = home.join(format!("quire-{round}"));
            let news_home = home.join(format!("newsboat-{round}"));
            for dir in [&quire_home, &news_home] {
                let _ = std::fs::remove_dir_all(dir);
                std::fs::create_dir_all(dir)?;
            }
            // Quire: subscribed as listed (no fetch), then the measured commands.
            let list = quire_home.join("list.opml");
            std::fs::write(&list, opml(&urls))?;
            let library = quire_home.join("library");
            let lib = |args: &[&str]| {
                let mut all = vec!["--library".to_string(), library.display().to_string()];
                all.extend(args.iter().map(|a| a.to_string()));
                all
            };
            time_once(
                &quire,
                &lib(&["subscribe", "--opml", &list.display().to_string()]),
                &quire_home,
            )?;
            times[0].push(time_once(&quire, &lib(&["sync"]), &quire_home)?);
            let unread = lib(&["unread"]);
            times[1].push(time_once(&quire, &unread, &quire_home)?);
            times[2].push(time_once(&quire, &unread, &quire_home)?);
            // newsboat: its url file, cache and an empty config in its own folder.
            let url_file = news_home.join("urls");
            std::fs::write(&url_file, urls.join("\n") + "\n")?;
            let config = news_home.join("config");
            std::fs::write(&config, "")?;
            let base = [
                "-u".to_string(),
                url_file.display().to_string(),
                "-c".to_string(),
                news_home.join("cache.db").display().to_string(),
                "-C".to_string(),
                config.display().to_string(),
            ];
            let with = |x: &str| {
                let mut all = base.to_vec();
                all.extend(["-x".to_string(), x.to_string()]);
                all
            };
            times[3].push(time_once(&newsboat, &with("reload"), &news_home)?);
            times[4].push(time_once(&newsboat, &with("print-unread"), &news_home)?);
            times[5].push(time_once(&newsboat, &with("print-unread"), &news_home)?);
            if round == 0 {
                let count = command(&quire, &unread, &quire_home)
                    .stdout(std::process::Stdio::piped())
                    .output()?;
                let news = command(&newsboat, &with("print-unread"), &news_home)
                    .stdout(std::process::Stdio::piped())
                    .output()?;
                println!(
                    "\n{feeds} Atom feeds × {entries} entries ({:.1} MiB) on 127.0.0.1, {rounds} rounds",
                    bytes as f64 / 1_048_576.0
                );
                println!(
                    "after the first sync: quire unread says {}, newsboat says {}",
                    String::from_utf8_lossy(&count.stdout).trim(),
                    String::from_utf8_lossy(&news.stdout).trim()
                );
            }
            let _ = std::fs::remove_dir_all(&quire_home);
            let _ = std::fs::remove_dir_all(&news_home);
        }
        println!(
            "{:<34} {:>10} {:>10}  {:>9}",
            "p50 of rounds", "quire", "newsboat", "ratio"
        );
        for (name, q, n) in [
            ("first sync (reload)", 0, 3),
            ("first count after it (unread)", 1, 4),
            ("count again, warm", 2, 5),
        ] {
            let (q, n) = (Summary::of(&times[q]).p50, Summary::of(&times[n]).p50);
            let ratio = q.as_secs_f64() / n.as_secs_f64();
            println!(
                "{name:<34} {} {}  {ratio:>9.2} {}",
                fmt_ms(q),
                fmt_ms(n),
                if ratio <= 1.0 {
                    "✓"
                } else {
                    "✗ (target ≤ 1)"
                }
            );
        }
        Ok(())
    })();
    drop(server);
    let _ = std::fs::remove_dir_all(&home);
    result
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(name))
        .find(|p| p.is_file())
}

/// Feed `f`: `entries` entries, newest first, each with a few paragraphs, a list and a link.
fn atom(f: usize, entries: usize) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>Bench feed {f}</title><id>urn:bench:{f}</id>\
         <link href=\"https://feed{f}.example/\"/><updated>2026-12-01T00:00:00Z</updated>\n"
    );
    for e in 0..entries {
        let day = 1 + (entries - e) % 28;
        let month = 1 + (entries - e) / 28 % 12;
        let body = format!(
            "<p>Entry {e} of feed {f} says <em>something</em> about caching, queues and \
             backpressure, with a <a href=\"https://feed{f}.example/ref/{e}\">reference</a>.</p>\
             <p>{}</p><ul><li>one point</li><li>another point</li></ul>\
             <pre><code>let x = {e};</code></pre>",
            "More words of the entry, as a post has them. ".repeat(20)
        );
        out.push_str(&format!(
            "<entry><id>urn:bench:{f}:{e}</id><title>Post {e} of feed {f}</title>\
             <updated>2026-{month:02}-{day:02}T10:00:00Z</updated>\
             <link href=\"https://feed{f}.example/posts/{e}\"/>\
             <content type=\"html\">{}</content></entry>\n",
            body.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        ));
    }
    out.push_str("</feed>\n");
    out
}

fn opml(urls: &[String]) -> String {
    let outlines: String = urls
        .iter()
        .enumerate()
        .map(|(i, u)| format!("<outline type=\"rss\" text=\"Bench feed {i}\" xmlUrl=\"{u}\"/>\n"))
        .collect();
    format!("<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n{outlines}</body></opml>\n")
}

/// A static HTTP/1.1 server on 127.0.0.1: at most `max_requests`, for at most ten minutes.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(pages: HashMap<String, Vec<u8>>, max_requests: usize) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let pages = Arc::new(pages);
        let s = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while served < max_requests
                && started.elapsed() < Duration::from_secs(600)
                && !s.load(Ordering::SeqCst)
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        let pages = Arc::clone(&pages);
                        std::thread::spawn(move || serve(stream, &pages));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Ok(Server {
            port,
            stop,
            thread: Some(thread),
        })
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

fn serve(mut stream: TcpStream, pages: &HashMap<String, Vec<u8>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let response = match pages.get(path) {
        Some(body) => {
            let mut head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            head.extend_from_slice(body);
            head
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
        }
    };
    let _ = stream.write_all(&response);
}
