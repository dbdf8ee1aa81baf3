//! The real `quire` binary in a pseudo-terminal, its output read through a terminal emulator.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use super::TempDir;

pub struct Session {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Session {
    /// Starts `quire ARGS` in `cwd`, with HOME and the XDG dirs inside `home`.
    pub fn start(home: &TempDir, cwd: &Path, args: &[&str], cols: u16, rows: u16) -> Session {
        Session::start_with_env(home, cwd, args, cols, rows, &[])
    }

    pub fn start_with_env(
        home: &TempDir,
        cwd: &Path,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Session {
        Session::start_program(
            env!("CARGO_BIN_EXE_quire"),
            home,
            cwd,
            args,
            cols,
            rows,
            env,
        )
    }

    /// Any program in the pty (a shell, to test job control), with the same private home.
    pub fn start_program(
        program: &str,
        home: &TempDir,
        cwd: &Path,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Session {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env_clear();
        cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env("XDG_CACHE_HOME", home.path().join("cache"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn quire");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let rows_nz = NonZeroU16::new(rows.max(1)).expect("rows");
        let cols_nz = NonZeroU16::new(cols.max(1)).expect("cols");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows_nz, cols_nz, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (Arc::clone(&parser), Arc::clone(&raw));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        r.lock().expect("raw").extend_from_slice(&buf[..n]);
                        p.lock().expect("parser").process(&buf[..n]);
                    }
                }
            }
        });
        Session {
            master: pair.master,
            writer,
            child,
            parser,
            raw,
        }
    }

    pub fn send(&mut self, input: &str) {
        self.writer
            .write_all(input.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Sends keys one at a time, as a person types.
    pub fn type_keys(&mut self, keys: &str) {
        for c in keys.chars() {
            self.send(&c.to_string());
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser").screen().contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.parser.lock().expect("parser").screen())
    }

    /// Waits until the screen satisfies `ready` and then stays the same for a moment.
    pub fn wait_for(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        let mut stable_since = Instant::now();
        loop {
            let screen = self.screen();
            if screen != last {
                last = screen.clone();
                stable_since = Instant::now();
            } else if ready(&screen) && stable_since.elapsed() > Duration::from_millis(80) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        let (r, c) = (
            NonZeroU16::new(rows.max(1)).expect("rows"),
            NonZeroU16::new(cols.max(1)).expect("cols"),
        );
        self.parser
            .lock()
            .expect("parser")
            .screen_mut()
            .set_size(r, c);
        self.master.resize(size(cols, rows)).expect("resize pty");
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader thread take the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "quire did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Asserts the terminal was handed back as it was found.
    pub fn assert_terminal_restored(&self) {
        self.with_screen(|screen| {
            assert!(!screen.alternate_screen(), "still on the alternate screen");
            assert!(!screen.hide_cursor(), "cursor still hidden");
            assert_eq!(
                screen.mouse_protocol_mode(),
                vt100::MouseProtocolMode::None,
                "mouse capture left on"
            );
        });
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
