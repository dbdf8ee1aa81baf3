//! The terminal runtime: enter and leave full-screen mode, and the event loop.
//!
//! The loop blocks until something happens (a key, the mouse, a resize), so an idle reader
//! uses no CPU. Input is read on its own thread and sent over a channel, which is where
//! background work (loading, search) can report too. The terminal is restored on quit, on
//! error (the guard's `Drop`) and on panic (the hook), before anything is printed.

use std::io::{self, Stdout, Write};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use anyhow::{Context, Result};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;

use crate::app::{App, Effect, KeyMap};
use crate::content::Library;
use crate::open::{open_url, osc52_copy};
use crate::theme::Theme;
use crate::ui;

/// What the loop waits for.
pub enum AppEvent {
    Input(Event),
    InputFailed(io::Error),
}

pub struct Settings {
    pub theme: Theme,
    pub keymap: KeyMap,
}

/// Runs the reader until the user quits.
pub fn run(library: Library, settings: Settings) -> Result<()> {
    let mut terminal = enter().context("cannot start the full-screen reader")?;
    let _restore = RestoreOnDrop;
    let size = terminal.size()?;
    let mut app = App::new(
        Arc::new(library),
        settings.theme,
        settings.keymap,
        Rect::new(0, 0, size.width, size.height),
    );

    let (tx, rx) = mpsc::channel();
    thread::Builder::new().name("input".into()).spawn(move || {
        loop {
            let event = match event::read() {
                Ok(event) => AppEvent::Input(event),
                Err(err) => AppEvent::InputFailed(err),
            };
            let failed = matches!(event, AppEvent::InputFailed(_));
            if tx.send(event).is_err() || failed {
                break;
            }
        }
    })?;

    loop {
        terminal.draw(|frame| ui::draw(frame, &app))?;
        // Block for the next event, then take everything already queued before redrawing,
        // so a burst of keys or a held-down key costs one frame, not one per event.
        let first = rx.recv().context("the input thread stopped")?;
        for event in std::iter::once(first).chain(rx.try_iter()) {
            match event {
                AppEvent::Input(Event::Key(key)) => app.handle_key(key),
                AppEvent::Input(Event::Mouse(mouse)) => app.handle_mouse(mouse),
                AppEvent::Input(Event::Resize(w, h)) => app.resize(w, h),
                AppEvent::Input(_) => {}
                AppEvent::InputFailed(err) => {
                    return Err(err).context("cannot read from the terminal");
                }
            }
            for effect in app.take_effects() {
                perform(effect, &mut app, terminal.backend_mut());
            }
            if app.should_quit {
                return Ok(());
            }
        }
    }
}

fn perform(effect: Effect, app: &mut App, out: &mut CrosstermBackend<Stdout>) {
    match effect {
        Effect::OpenUrl(url) => {
            if let Err(err) = open_url(&url) {
                app.set_status(err, true);
            }
        }
        Effect::CopyToClipboard(text) => {
            // Our own OSC 52 write; content never reaches the terminal this way unchecked:
            // the text is base64-encoded inside the sequence.
            let result = out
                .write_all(osc52_copy(&text).as_bytes())
                .and_then(|()| out.flush());
            if let Err(err) = result {
                app.set_status(format!("cannot copy: {err}"), true);
            }
        }
    }
}

fn enter() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(err) = execute!(stdout, EnterAlternateScreen, EnableMouseCapture) {
        restore();
        return Err(err);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Leaves full-screen mode; safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
