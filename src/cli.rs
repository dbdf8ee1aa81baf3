//! The command line: arguments, configuration, library and state loading, and the
//! non-interactive subcommands.
//!
//! `main` hands over to [`main`]. Everything that can fail at start-up (arguments, config,
//! content roots, the state file) is settled here, before any terminal mode changes, so its
//! errors print on the normal screen.

mod args;
mod output;

pub use args::{Cli, Command};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::Parser;

use crate::config::{Config, default_config_path, default_state_path, load_config};
use crate::content::loader::check_roots;
use crate::content::{Root, load_library};
use crate::state::store::{Loaded, load};
use crate::state::{LoadedState, Place, load_state};
use crate::theme::Theme;
use crate::tui::{Ending, Session};

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
    let (config_path, explicit) = match &cli.config {
        Some(path) => (path.clone(), true),
        None => (
            default_config_path()
                .ok_or_else(|| anyhow!("cannot find a config directory; pass --config FILE"))?,
            false,
        ),
    };
    if let Some(Command::Config {
        print_default,
        path,
    }) = &cli.command
    {
        return output::config_command(*print_default, *path, &config_path);
    }
    let config = load_config(&config_path, explicit)?;
    let roots = content_roots(&cli.content, &config, Path::new("."))?;
    // Only the roots are checked here; the reader loads in the background, the commands now.
    check_roots(&roots)?;
    let state_path = match &cli.state {
        Some(path) => path.clone(),
        None => default_state_path()
            .ok_or_else(|| anyhow!("cannot find a data directory; pass --state FILE"))?,
    };
    let LoadedState { state, mut warning } = load_state(&state_path)?;
    match cli.command {
        None => {
            let settings = config.settings(Theme::no_color_requested());
            let place = if config.reader.restore && !cli.no_restore {
                let path = crate::atomic_file::folder_of(&state_path).join("place.toml");
                let Loaded {
                    state: place,
                    warning: place_warning,
                } = load::<Place>(&path)?;
                warning = warning.or(place_warning);
                Some((path, place))
            } else {
                None
            };
            let session = Session {
                roots,
                settings,
                state,
                state_path,
                place,
                warning,
            };
            match crate::tui::run(session)? {
                Ending::Quit => Ok(ExitCode::SUCCESS),
                Ending::Signal(signal) => Ok(ExitCode::from((128 + signal).clamp(0, 255) as u8)),
            }
        }
        Some(command) => {
            if let Some(warning) = &warning {
                eprintln!("quire: warning: {}", crate::text::sanitize(warning));
            }
            let library = load_library(&roots)?;
            output::run_command(command, &library, state, &state_path)
        }
    }
}

/// `--content` wins outright. Otherwise `./content` when it exists, else the bundled library
/// (unless the config replaces them), plus the config's roots.
pub fn content_roots(given: &[PathBuf], config: &Config, cwd: &Path) -> Result<Vec<Root>> {
    if !given.is_empty() {
        return Ok(given.iter().cloned().map(Root::Dir).collect());
    }
    let mut roots = Vec::new();
    if !config.content.replace_bundled {
        let local = cwd.join("content");
        roots.push(if local.is_dir() {
            Root::Dir(PathBuf::from("content"))
        } else {
            Root::Bundled
        });
    }
    roots.extend(config.content.roots.iter().cloned().map(Root::Dir));
    if roots.is_empty() {
        bail!("no content to show: the config sets replace_bundled = true but lists no roots");
    }
    Ok(roots)
}

/// Used by `output` to report where things are.
pub(crate) fn describe(path: &Path) -> String {
    let exists = path.exists();
    format!(
        "{}{}",
        path.display(),
        if exists { "" } else { " (does not exist yet)" }
    )
}
