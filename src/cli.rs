//! The command line: arguments, configuration, library and state loading, and the
//! non-interactive subcommands.
//!
//! `main` hands over to [`main`]. Everything that can fail at start-up (arguments, config,
//! content roots, the state file) is settled here, before any terminal mode changes, so its
//! errors print on the normal screen.

/// Prints a line to standard output, every byte cleaned as content is (a url or a file name
/// from a feed, an export or the disk may hold escape sequences); an `io::Result`.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::print_clean(&mut ::std::io::stdout().lock(), &format!($($arg)*))
    };
}

/// Prints a problem to standard error as `quire: …`, cleaned like [`say!`].
macro_rules! complain {
    ($($arg:tt)*) => {{
        let _ = $crate::cli::print_clean(
            &mut ::std::io::stderr().lock(),
            &format!("quire: {}", format!($($arg)*)),
        );
    }};
}

mod archive;
mod args;
mod feeds;
mod highlights;
mod import;
mod man;
mod output;

pub use args::{Cli, Command};

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use clap::Parser;

use crate::config::{Config, default_config_path, default_state_path, load_config};
use crate::content::Root;
use crate::content::loader::check_roots;
use crate::search::Synonyms;
use crate::state::store::{Loaded, load};
use crate::state::{LoadedState, Place, load_state};
use crate::store::cache;
use crate::theme::Theme;
use crate::tui::{Ending, Session};

pub fn main() -> ExitCode {
    // A panic caught and recovered from (one file a parser choked on) is not reported as a
    // crash; the reader installs its own hook, which does the same.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !crate::panics::is_quiet() {
            previous(info);
        }
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            if let Some(hint) = excluded_word_hint(&err) {
                eprintln!("quire: {hint}");
                return ExitCode::from(2);
            }
            err.exit()
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader of our output went away (`quire list | head`): nothing more to say.
        Err(err)
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
                    || e.downcast_ref::<serde_json::Error>()
                        .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("quire: {}", crate::text::sanitize(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

/// `quire search -codel`: a word to leave out looks like an option to the argument parser,
/// whose own tip would name only `-c`; say how to write the whole query instead.
fn excluded_word_hint(err: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let search = args.iter().position(|a| a == "search")?;
    let Some(ContextValue::String(bad)) = err.get(ContextKind::InvalidArg) else {
        return None;
    };
    // clap names the first unknown letter (`-c`); the word the user typed is whole in argv.
    let word = args[search + 1..]
        .iter()
        .find(|a| a.starts_with('-') && !a.starts_with("--") && a.starts_with(bad.as_str()))?;
    Some(format!(
        "{word} reads as an option; to leave out the word {:?}, put the query after --, and any \
         options before it:\n  quire search --json -- {word}",
        &word[1..],
    ))
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "quire", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            man::render(&mut std::io::stdout().lock())?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
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
    if let Some(Command::CopyBundled { dir }) = &cli.command {
        return output::copy_bundled(dir);
    }
    let config = load_config(&config_path, explicit)?;
    let library = cli
        .library
        .clone()
        .or_else(|| config.content.library.clone())
        .or_else(crate::config::default_library_path);
    if let Some(Command::Library { path }) = &cli.command {
        return import::library_command(library.as_deref(), *path);
    }
    if let Some(
        command @ (Command::Subscribe { .. }
        | Command::Unsubscribe { .. }
        | Command::Feeds
        | Command::Sync { .. }),
    ) = &cli.command
    {
        let library = library.ok_or_else(|| {
            anyhow!("cannot find a data directory for the library; pass --library DIR")
        })?;
        let code = feeds::run(command, &library)?;
        if matches!(command, Command::Sync { .. }) {
            crate::content::document::show_drafts(cli.drafts || config.content.drafts);
            if let Ok(roots) = content_roots(&cli.content, &config, Some(&library), Path::new("."))
            {
                warm_cache(&roots);
            }
        }
        return Ok(code);
    }
    crate::content::document::show_drafts(cli.drafts || config.content.drafts);
    let roots = content_roots(&cli.content, &config, library.as_deref(), Path::new("."))?;
    // Only the roots are checked here; the reader loads in the background, the commands now.
    check_roots(&roots)?;
    let state_path = match &cli.state {
        // A file given by hand is not put in a folder made up for it: a typo in the folder
        // would otherwise keep the marks somewhere nobody looks.
        Some(path)
            if path
                .parent()
                .is_some_and(|p| !p.as_os_str().is_empty() && !p.is_dir()) =>
        {
            bail!(
                "--state {}: the folder {} does not exist",
                path.display(),
                path.parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )
        }
        Some(path) => path.clone(),
        None => default_state_path()
            .ok_or_else(|| anyhow!("cannot find a data directory; pass --state FILE"))?,
    };
    match cli.command {
        None => {
            let LoadedState { state, mut warning } = load_state(&state_path)?;
            let settings = config.settings(Theme::no_color_requested());
            let (synonyms, synonyms_warning) = synonyms_of(&config);
            warning = warning.or(synonyms_warning);
            let place = if config.reader.restore && !cli.no_restore {
                // A place per set of content folders: `quire` and `quire --content X`
                // alternated each come back where they were. Plain `quire` keeps the
                // original name.
                let name = if cli.content.is_empty() {
                    "place.toml".to_string()
                } else {
                    format!("place-{:016x}.toml", crate::store::cache::roots_key(&roots))
                };
                // Where this machine was reading, kept on this machine (`$XDG_STATE_HOME`):
                // a data folder synced between machines never carries one's place to the
                // other. A place kept beside the read state by an earlier Quire is read once.
                let beside = crate::store::atomic_file::folder_of(&state_path).join(&name);
                let path = crate::state::machines::place_folder()
                    .map_or_else(|| beside.clone(), |dir| dir.join(&name));
                let from = if !path.exists() && beside.exists() {
                    &beside
                } else {
                    &path
                };
                let Loaded {
                    state: place,
                    warning: place_warning,
                } = load::<Place>(from)?;
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
                // Without --content the library folder is loaded when it exists; when it
                // does not yet, the reader waits for it.
                library_later: library
                    .clone()
                    .filter(|l| cli.content.is_empty() && !l.is_dir()),
                library: library.clone(),
                synonyms,
                meaning: config.search.meaning,
            };
            match crate::tui::run(session)? {
                Ending::Quit => Ok(ExitCode::SUCCESS),
                Ending::Signal(signal) => Ok(ExitCode::from((128 + signal).clamp(0, 255) as u8)),
            }
        }
        Some(Command::Import {
            file,
            browser,
            into,
            dry_run,
        }) => {
            // The library folder is loaded too, even with --content: nothing twice in it.
            let (library, roots) = with_library(library, roots)?;
            import::run(import::Asked {
                file,
                browser,
                into,
                dry_run,
                library,
                roots,
            })
        }
        Some(Command::Archive {
            ids,
            category,
            all,
            feeds,
            refresh,
            json,
        }) => {
            // The library folder is loaded too, even with --content: its bookmarks are saved.
            let (library, roots) = with_library(library, roots)?;
            archive::run(archive::Asked {
                ids,
                category,
                all,
                feeds: feeds || config.feeds.full_text,
                refresh,
                json,
                library,
                roots,
            })
        }
        Some(mut command) => {
            if let Command::Search { exact, .. } = &mut command {
                *exact |= !config.search.meaning;
            }
            let synonyms = match command {
                Command::Search { .. } => {
                    let (synonyms, warning) = synonyms_of(&config);
                    if let Some(warning) = warning {
                        eprintln!("quire: warning: {}", crate::text::sanitize(&warning));
                    }
                    synonyms
                }
                _ => Synonyms::default(),
            };
            let run = |command, read_cache| {
                let library = library.as_deref();
                run_on_library(command, &roots, &state_path, &synonyms, library, read_cache)
            };
            match run(command.clone(), true) {
                // Nothing was written to the output: run again, from the files, whether or not
                // the damaged cache could be removed (the cache is written anew).
                Err(err) if err.is::<output::CacheDamaged>() => run(command, false),
                done => done,
            }
        }
    }
}

/// The library folder (which a command writing into it needs), and the roots with it among
/// them when it exists.
fn with_library(library: Option<PathBuf>, mut roots: Vec<Root>) -> Result<(PathBuf, Vec<Root>)> {
    let library = library.ok_or_else(|| {
        anyhow!("cannot find a data directory for the library; pass --library DIR")
    })?;
    if !roots.contains(&Root::Dir(library.clone())) && library.is_dir() {
        roots.push(Root::Dir(library.clone()));
    }
    Ok((library, roots))
}

/// The synonyms the config names, or none; a file that cannot be used is said, located, and
/// searching goes on without it.
fn synonyms_of(config: &Config) -> (Synonyms, Option<String>) {
    match config.search.synonyms.as_deref().map(Synonyms::load) {
        None => (Synonyms::default(), None),
        Some(Ok(synonyms)) => (synonyms, None),
        Some(Err(err)) => (
            Synonyms::default(),
            Some(format!("synonyms not used: {err}")),
        ),
    }
}

/// Runs a command that reads the library: loaded through the load cache as the reader loads
/// it, only the search decoding (or building) the index. A cache that was missing or stale is
/// written again on another thread while the command works; once the command's output is
/// out, the output is let go (whoever reads it sees it end) before the write is waited for.
/// Without `read_cache`, the library is read from the files (and the cache written anew).
fn run_on_library(
    command: Command,
    roots: &[Root],
    state_path: &Path,
    synonyms: &Synonyms,
    library_dir: Option<&Path>,
    read_cache: bool,
) -> Result<ExitCode> {
    let cache_path = cache::cache_path(roots);
    // The read state (50,000 marks are ~100 ms of TOML) is read while the files are listed.
    // A command that only reads never moves, rewrites or deletes a file: a state file that
    // cannot be read is left for the reader (or a marking command) to move aside.
    let marks = matches!(
        command,
        Command::MarkRead { .. }
            | Command::MarkUnread { .. }
            | Command::Star { .. }
            | Command::Unstar { .. }
    );
    let (state, opened) = std::thread::scope(|scope| {
        let state = scope.spawn(|| {
            if marks {
                load_state(state_path)
            } else {
                crate::state::load_state_untouched(state_path)
            }
        });
        let read_from = cache_path.as_deref().filter(|_| read_cache);
        let opened = cache::open(roots, read_from, output::parts(&command));
        (state.join(), opened)
    });
    let LoadedState { state, warning } =
        state.map_err(|_| anyhow!("reading the read state failed (a bug in Quire)"))??;
    if let Some(warning) = &warning {
        eprintln!("quire: warning: {}", crate::text::sanitize(warning));
    }
    let opened = opened?;
    if !matches!(command, Command::Check { .. }) {
        for root in &opened.empty_roots {
            eprintln!(
                "quire: warning: {}: {}",
                crate::text::sanitize(&root.to_string_lossy()),
                crate::content::source::NO_MARKDOWN
            );
        }
    }
    // Debug builds only: the tests check that a command reads only the files that changed.
    if cfg!(debug_assertions) && std::env::var_os("QUIRE_DEBUG_READS").is_some() {
        eprintln!("quire: debug: read {} files", opened.files_read);
    }
    std::thread::scope(|scope| {
        let saving = cache_path.and_then(|path| {
            let opened = &opened;
            let (manifest, library) = (opened.manifest.as_ref()?, opened.library.as_deref()?);
            Some(scope.spawn(move || {
                // An index the changes have split into many segments is written whole: the
                // next commands read one. A cache is a convenience: failing to write one
                // changes nothing.
                let merged = opened
                    .index
                    .as_ref()
                    .filter(|index| index.needs_merge())
                    .map(|_| crate::search::SearchIndex::build(library));
                let index = merged.as_ref().or(opened.index.as_ref());
                let _ = cache::save(&path, manifest, library, index);
            }))
        });
        let result = output::run_command(
            command,
            roots,
            &opened,
            state,
            state_path,
            synonyms,
            library_dir,
        );
        // Debug builds only: the tests check that a search decodes only the items it ranks.
        if cfg!(debug_assertions)
            && std::env::var_os("QUIRE_DEBUG_READS").is_some()
            && let Some(stored) = &opened.stored
        {
            eprintln!(
                "quire: debug: decoded {} of {} items",
                stored.decoded(),
                crate::content::Items::len(stored)
            );
        }
        if let Some(saving) = saving {
            if result.is_ok() {
                let_output_go();
            }
            let _ = saving.join();
        }
        result
    })
    .inspect(|_| {
        // The process ends now: its memory goes back whole. Freeing 100,000 items and an
        // index piece by piece first took a tenth of a search's time.
        std::mem::forget(opened);
    })
}

/// After a sync, brings the load cache of the library a plain `quire` reads up to date: the
/// sync knows files changed, so the next `quire unread` (a status bar's, every few seconds)
/// finds them read and indexed instead of reading them all. Done once the sync's output is
/// complete and let go; a failure only leaves the work to the next command.
fn warm_cache(roots: &[Root]) {
    let Some(path) = cache::cache_path(roots) else {
        return;
    };
    if check_roots(roots).is_err() {
        return;
    }
    let_output_go();
    // Written even for a few edited files, which a command would bring up to date without
    // writing: the next `unread` reads only ids, and would file the library again for them.
    if let Ok(opened) = cache::open(roots, Some(&path), cache::Parts::LibraryAndIndex)
        && let (Some(manifest), Some(library)) = (
            opened.manifest.as_ref().or(opened.behind.as_ref()),
            opened.library.as_deref(),
        )
    {
        let _ = cache::save(&path, manifest, library, opened.index.as_ref());
        std::mem::forget(opened);
    }
}

/// Ends the output: what is written is flushed and standard output and error are pointed at
/// the null device, so a pipe or `$(…)` reading them sees them end although the process has
/// work left (the load cache to write). Nothing is said after this.
fn let_output_go() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    #[cfg(unix)]
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
        let _ = rustix::stdio::dup2_stderr(&null);
    }
}

/// `--content` wins outright. Otherwise `./content` when it exists, else the bundled library
/// (unless the config replaces them), plus the config's roots, plus the user's library folder
/// when it exists.
pub fn content_roots(
    given: &[PathBuf],
    config: &Config,
    library: Option<&Path>,
    cwd: &Path,
) -> Result<Vec<Root>> {
    if !given.is_empty() {
        // A markdown file given is a library of one (as glow opens one file).
        let root = |path: &PathBuf| {
            if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
                Root::File(path.clone())
            } else {
                Root::Dir(crate::content::site::content_folder(path))
            }
        };
        return Ok(distinct(given.iter().map(root).collect()));
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
    roots.extend(
        config
            .content
            .roots
            .iter()
            .map(|dir| Root::Dir(crate::content::site::content_folder(dir))),
    );
    if let Some(library) = library.filter(|l| l.is_dir())
        && !roots.contains(&Root::Dir(library.to_path_buf()))
    {
        roots.push(Root::Dir(library.to_path_buf()));
    }
    if roots.is_empty() {
        bail!("no content to show: the config sets replace_bundled = true but lists no roots");
    }
    Ok(distinct(roots))
}

/// Each folder once: the same folder given twice (however it is spelled) or a folder inside
/// another one given is loaded once, as part of the outer one.
fn distinct(roots: Vec<Root>) -> Vec<Root> {
    let canonical = |root: &Root| match root {
        Root::Dir(dir) | Root::File(dir) => dir.canonicalize().ok(),
        Root::Bundled => None,
    };
    let all: Vec<Option<PathBuf>> = roots.iter().map(canonical).collect();
    roots
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            let Some(me) = &all[*i] else { return true };
            !all.iter().enumerate().any(|(j, other)| {
                other.as_ref().is_some_and(|other| {
                    (other == me && j < *i) || (other != me && me.starts_with(other))
                })
            })
        })
        .map(|(_, root)| root)
        .collect()
}

/// Writes `line` and a line end with every control sequence made visible.
pub(crate) fn print_clean(out: &mut impl std::io::Write, line: &str) -> std::io::Result<()> {
    writeln!(out, "{}", crate::text::sanitize(line))
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
