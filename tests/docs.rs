//! The documentation agrees with the program: every key binding is in the README's key
//! table and in `quire man`.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TempDir, quire, stdout};
use quire::app::keymap::KeyMap;

/// The README's table of the reader's keys.
fn readme_keys() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("| keys | action |").expect("the key table");
    readme[start..].split("\n\n").next().unwrap().to_string()
}

/// The KEYS section of `quire man`, its roff escapes undone.
fn man_keys() -> String {
    let home = TempDir::new("docs-man");
    let output = quire(&home, &["man"]);
    assert!(output.status.success());
    let page = stdout(&output).replace("\\-", "-").replace("\\e", "\\");
    let start = page.find(".SH KEYS").expect("a KEYS section");
    let end = page[start + 1..]
        .find(".SH ")
        .map_or(page.len(), |e| start + 1 + e);
    page[start..end].to_string()
}

#[test]
fn every_binding_is_in_the_readme_and_the_manual() {
    let readme = readme_keys();
    let man = man_keys();
    let mut missing = Vec::new();
    for (key, action) in KeyMap::default().bindings() {
        let label = key.label();
        let in_readme = match label.as_str() {
            // The table says "arrows" for the four, and shows ← → where they differ.
            "↓" | "↑" => readme.contains("arrows"),
            "←" | "→" => readme.contains(label.as_str()),
            one if one.chars().count() == 1 => readme.contains(&format!("`{one}`")),
            other => readme.contains(other),
        };
        if !in_readme {
            missing.push(format!("README: {label} ({action:?})"));
        }
        if !man.contains(&format!("\\fB{label}\\fR")) {
            missing.push(format!("quire man: {label} ({action:?})"));
        }
    }
    assert!(missing.is_empty(), "not documented: {missing:#?}");
}

#[test]
fn the_manual_documents_keys_files_and_environment_and_no_missing_pages() {
    let home = TempDir::new("docs-man-sections");
    let page = stdout(&quire(&home, &["man"]));
    for section in [".SH COMMANDS", ".SH KEYS", ".SH FILES", ".SH ENVIRONMENT"] {
        assert!(page.contains(section), "{section}");
    }
    assert!(!page.contains("(1)"), "refers to pages nothing generates");
    for variable in ["VISUAL", "NO_COLOR", "QUIRE_OPENER", "XDG_CONFIG_HOME"] {
        assert!(page.contains(variable), "{variable}");
    }
    // Every command has its own section, with its own options.
    assert!(page.contains(".SS \\fBquire search\\fR"));
    assert!(page.contains(".SS \\fBquire import\\fR"));
    assert!(page.contains("is:starred"));
}

#[test]
fn a_commands_help_puts_the_global_options_under_their_own_heading() {
    let home = TempDir::new("docs-help");
    let help = stdout(&quire(&home, &["search", "--help"]));
    let global = help
        .find("Global options:")
        .expect("a heading for the global options");
    let content = help.find("--content").unwrap();
    assert!(content > global, "{help}");
    let limit = help.find("--limit").unwrap();
    assert!(
        limit < global,
        "the command's own options come first: {help}"
    );
    assert!(help.contains("is:starred"), "{help}");
}
