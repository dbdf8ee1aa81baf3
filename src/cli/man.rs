//! `quire man`: one manual page holding everything a user looks up: the global options,
//! every command with its own options (no `quire-*(1)` pages to go missing), the reader's
//! keys (read from the key map, so the page cannot fall behind it), the files Quire reads
//! and writes, and the environment variables it heeds.

use std::io::{self, Write};

use clap::CommandFactory;

use super::args::Cli;
use crate::app::action::Action;
use crate::app::keymap::KeyMap;

/// Writes the page as roff to `out`.
pub fn render(out: &mut dyn Write) -> io::Result<()> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    commands(out, &command)?;
    keys(out, &KeyMap::default())?;
    files(out)?;
    environment(out)?;
    man.render_version_section(out)?;
    Ok(())
}

/// Text made safe for roff: a backslash is written `\e`, and a line may not start with the
/// control characters `.` or `'`.
fn esc(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    text.lines()
        .map(|line| {
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn commands(out: &mut dyn Write, cli: &clap::Command) -> io::Result<()> {
    writeln!(out, ".SH COMMANDS")?;
    writeln!(
        out,
        "With no command, \\fBquire\\fR opens the reader. Each command also takes the global \
         options above."
    )?;
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let mut usage = format!("\\fBquire {}\\fR", esc(name));
        for arg in sub.get_positionals() {
            let value = arg
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| arg.get_id().to_string(), |v| v.to_string());
            usage.push_str(&format!(" \\fI{}\\fR", esc(&value)));
        }
        writeln!(out, ".SS {usage}")?;
        let about = sub
            .get_long_about()
            .or_else(|| sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for paragraph in about.split("\n\n") {
            writeln!(out, ".PP\n{}", esc(paragraph.trim()))?;
        }
        for arg in sub
            .get_arguments()
            .filter(|a| !a.is_global_set() && !a.is_hide_set())
        {
            let Some(help) = arg.get_long_help().or_else(|| arg.get_help()) else {
                continue;
            };
            let mut names = Vec::new();
            if let Some(short) = arg.get_short() {
                names.push(format!("\\fB\\-{short}\\fR"));
            }
            if let Some(long) = arg.get_long() {
                names.push(format!("\\fB\\-\\-{}\\fR", esc(long)));
            }
            if names.is_empty() {
                let value = arg
                    .get_value_names()
                    .and_then(|v| v.first())
                    .map_or_else(|| arg.get_id().to_string(), |v| v.to_string());
                names.push(format!("\\fI{}\\fR", esc(&value)));
            } else if arg.get_action().takes_values()
                && let Some(value) = arg.get_value_names().and_then(|v| v.first())
            {
                names.push(format!("\\fI{}\\fR", esc(value)));
            }
            writeln!(out, ".TP\n{}\n{}", names.join(" "), esc(&help.to_string()))?;
        }
    }
    Ok(())
}

/// Every binding of the key map, by the help overlay's sections.
fn keys(out: &mut dyn Write, keymap: &KeyMap) -> io::Result<()> {
    writeln!(out, ".SH KEYS")?;
    writeln!(
        out,
        "The reader's keys, as \\fB?\\fR lists them; \\fB[keys]\\fR in the configuration \
         file binds others. In the search box letters type; among the results, letters other \
         than the ones that move, open or close go back to the query."
    )?;
    for (section, actions) in Action::sections() {
        writeln!(out, ".SS {}", esc(section))?;
        for &action in *actions {
            let labels: Vec<String> = keymap
                .keys_for(action)
                .iter()
                .map(|k| format!("\\fB{}\\fR", esc(&k.label())))
                .collect();
            if labels.is_empty() {
                continue;
            }
            writeln!(
                out,
                ".TP\n{}\n{}",
                labels.join(", "),
                esc(action.description())
            )?;
        }
    }
    Ok(())
}

fn files(out: &mut dyn Write) -> io::Result<()> {
    let shown = |path: Option<std::path::PathBuf>, fallback: &str| {
        path.map_or_else(|| fallback.to_string(), |p| p.display().to_string())
    };
    let config = shown(
        crate::config::default_config_path(),
        "$XDG_CONFIG_HOME/quire/config.toml",
    );
    let state = shown(
        crate::config::default_state_path(),
        "$XDG_DATA_HOME/quire/state.toml",
    );
    let library = shown(
        crate::config::default_library_path(),
        "$XDG_DATA_HOME/quire/library",
    );
    let entries = [
        (
            config,
            "The configuration (\\fBquire config \\-\\-print\\-default\\fR prints a commented one; \\fB\\-\\-config\\fR picks another).",
        ),
        (
            state,
            "Read marks and stars (\\fB\\-\\-state\\fR picks another): read as it is, no longer written. Each machine writes its own files in \\fBstate.d/\\fR\\fIMACHINE\\fR\\fB/\\fR beside it, never changed once written, and reads every machine's: a data folder synced between machines loses no mark.",
        ),
        (
            "$XDG_STATE_HOME/quire/machine".to_string(),
            "This machine's name, made once: the folder of its read state files.",
        ),
        (
            "$XDG_STATE_HOME/quire/place.toml".to_string(),
            "Where the reader was left on this machine: category, item, open folders, scroll positions (one file per set of content folders).",
        ),
        (
            library,
            "Your library (\\fB\\-\\-library\\fR picks another): imported bookmark collections, and \\fBfeeds/\\fR with feeds.opml, one folder per feed and the sync record .sync.toml. Loaded with the other content.",
        ),
        (
            "$XDG_CACHE_HOME/quire/library\\-*.bin".to_string(),
            "The load cache, one per set of content folders; safe to delete at any time.",
        ),
        (
            "./content".to_string(),
            "Loaded when the current folder has one and no \\fB\\-\\-content\\fR is given; else the library bundled in the binary.",
        ),
    ];
    writeln!(out, ".SH FILES")?;
    for (path, what) in entries {
        let path = if path.contains("\\f") || path.contains("\\-") {
            path
        } else {
            esc(&path)
        };
        writeln!(out, ".TP\n\\fI{path}\\fR\n{what}")?;
    }
    Ok(())
}

fn environment(out: &mut dyn Write) -> io::Result<()> {
    let entries = [
        (
            "VISUAL, EDITOR",
            "The editor \\fBe\\fR and \\fBquire edit\\fR start (VISUAL first; else vi), without a shell; the terminal is restored around it.",
        ),
        (
            "NO_COLOR",
            "Set and not empty: no colours (the selection stays visible in reverse video).",
        ),
        (
            "QUIRE_OPENER",
            "The program urls are opened with, instead of xdg\\-open (open on macOS); run without a shell, for http, https and mailto urls only.",
        ),
        (
            "XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME, XDG_STATE_HOME",
            "Where the configuration, the read state and library, the cache, and this machine's name and place live (see FILES).",
        ),
        (
            "HOME",
            "Where browser profiles are looked for by \\fBquire import \\-\\-browser\\fR.",
        ),
    ];
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, what) in entries {
        writeln!(out, ".TP\n\\fB{name}\\fR\n{what}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> String {
        let mut out = Vec::new();
        render(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_page_names_no_pages_that_do_not_exist() {
        let page = page();
        assert!(!page.contains("quire\\-list(1)"), "{page}");
        assert!(!page.contains("(1)"), "no other pages are referred to");
        for section in [".SH COMMANDS", ".SH KEYS", ".SH FILES", ".SH ENVIRONMENT"] {
            assert!(page.contains(section), "{section}");
        }
        assert!(page.contains(".SS \\fBquire search\\fR"), "{page}");
        assert!(page.contains("is:starred"));
    }

    #[test]
    fn no_line_starts_with_a_roff_control_character_by_accident() {
        for line in page().lines() {
            if let Some(rest) = line.strip_prefix('.') {
                let request = rest.split_whitespace().next().unwrap_or("");
                assert!(
                    [
                        "TH", "SH", "SS", "TP", "PP", "IP", "B", "I", "RS", "RE", "br", "ie", "el",
                        "sp", "in", "P", "nf", "fi"
                    ]
                    .contains(&request),
                    "{line}"
                );
            }
        }
    }
}
