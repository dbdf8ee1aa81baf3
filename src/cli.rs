//! The command line: arguments, library loading, and the non-interactive subcommands.
//!
//! `main` hands over to [`run`]. Everything that can fail at start-up (arguments, content
//! roots) is settled here, before any terminal mode changes.

mod args;
mod output;

pub use args::{Cli, Command};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use crate::app::KeyMap;
use crate::content::{Root, load_library};
use crate::theme::Theme;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("quire: {}", crate::text::sanitize(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let roots = content_roots(&cli.content, Path::new("."));
    let library = load_library(&roots)?;
    match cli.command {
        None => {
            let mut theme = Theme::dark();
            if Theme::no_color_requested() {
                theme = theme.without_colors();
            }
            let settings = crate::tui::Settings {
                theme,
                keymap: KeyMap::default(),
            };
            crate::tui::run(library, settings)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(command) => output::run_command(command, &library),
    }
}

/// `--content` wins; else `./content` when it exists; else the bundled library.
pub fn content_roots(given: &[PathBuf], cwd: &Path) -> Vec<Root> {
    if !given.is_empty() {
        return given.iter().cloned().map(Root::Dir).collect();
    }
    let local = cwd.join("content");
    if local.is_dir() {
        vec![Root::Dir(PathBuf::from("content"))]
    } else {
        vec![Root::Bundled]
    }
}
