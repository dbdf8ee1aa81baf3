//! Running the user's editor on a file: `$VISUAL`, else `$EDITOR`, else `vi`, as
//! `EDITOR +LINE FILE`, never through a shell.
//!
//! The variable is split into words the way a shell would split it without expanding
//! anything (`code --wait`, `"/opt/My Editor/bin/ed" -n`), so flags work and a path with
//! spaces can be quoted, while no character of it (or of the file name) is run as a command.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::Command;

/// Why the editor did not do its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The variable is set but names nothing (empty, or an unclosed quote).
    BadCommand { variable: &'static str, why: String },
    /// The program could not be started (not found, not executable).
    NotStarted { program: String, why: String },
    /// It ran and said it failed.
    Failed { program: String, status: String },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::BadCommand { variable, why } => {
                write!(f, "Cannot run the editor: ${variable} {why}")
            }
            EditError::NotStarted { program, why } => {
                write!(f, "Cannot start the editor `{program}`: {why}")
            }
            EditError::Failed { program, status } => {
                write!(
                    f,
                    "The editor {status}; the file is as it left it ({program})"
                )
            }
        }
    }
}

impl std::error::Error for EditError {}

/// The editor's words, from the environment.
pub fn editor_words() -> Result<Vec<String>, EditError> {
    editor_words_from(|name| std::env::var_os(name))
}

fn editor_words_from(get: impl Fn(&str) -> Option<OsString>) -> Result<Vec<String>, EditError> {
    for variable in ["VISUAL", "EDITOR"] {
        let Some(value) = get(variable) else { continue };
        let value = value.to_string_lossy();
        if value.trim().is_empty() {
            continue;
        }
        return match split_words(&value) {
            Ok(words) if !words.is_empty() => Ok(words),
            Ok(_) => Err(EditError::BadCommand {
                variable,
                why: "is empty".into(),
            }),
            Err(why) => Err(EditError::BadCommand { variable, why }),
        };
    }
    Ok(vec!["vi".into()])
}

/// The command that opens `file` at `line`.
pub fn command(words: &[String], file: &Path, line: usize) -> Command {
    let mut command = Command::new(&words[0]);
    command.args(&words[1..]).arg(format!("+{}", line.max(1)));
    // A file name starting with `-` or `+` would read as an option or a line.
    if file.to_string_lossy().starts_with(['-', '+']) {
        command.arg(Path::new(".").join(file));
    } else {
        command.arg(file);
    }
    command
}

/// Runs the editor on `file` at `line` with the terminal as it is, and waits for it.
pub fn run(file: &Path, line: usize) -> Result<(), EditError> {
    let words = editor_words()?;
    let program = words[0].clone();
    let status = command(&words, file, line)
        .status()
        .map_err(|err| EditError::NotStarted {
            program: program.clone(),
            why: match err.kind() {
                std::io::ErrorKind::NotFound => "not found (set $VISUAL or $EDITOR)".into(),
                _ => err.to_string(),
            },
        })?;
    if status.success() {
        Ok(())
    } else {
        let status = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was stopped by a signal".into(),
        };
        Err(EditError::Failed { program, status })
    }
}

/// Splits a command line into words as a POSIX shell does, without expanding anything:
/// blanks separate words, single quotes keep everything, double quotes keep all but `\"`,
/// `\\`, and a backslash outside quotes keeps the next character.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("has an unclosed ' quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("has an unclosed \" quote".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("has an unclosed \" quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        split_words(text).expect("splits")
    }

    #[test]
    fn words_split_as_a_shell_splits_them() {
        assert_eq!(words("vim"), ["vim"]);
        assert_eq!(words("  code   --wait "), ["code", "--wait"]);
        assert_eq!(
            words(r#""/opt/My Editor/ed" -n 'a b' c\ d"#),
            ["/opt/My Editor/ed", "-n", "a b", "c d"]
        );
        assert_eq!(words(r#"ed "say \"hi\" \n""#), ["ed", r#"say "hi" \n"#]);
        // Nothing is expanded or run.
        assert_eq!(
            words("ed $(rm -rf ~); `x`"),
            ["ed", "$(rm", "-rf", "~);", "`x`"]
        );
        assert_eq!(words("''"), [""]);
        assert!(split_words("ed 'open").is_err());
        assert!(split_words("ed \"open").is_err());
    }

    #[test]
    fn visual_comes_before_editor_then_vi() {
        let env = |visual: Option<&str>, editor: Option<&str>| {
            editor_words_from(|name| match name {
                "VISUAL" => visual.map(OsString::from),
                "EDITOR" => editor.map(OsString::from),
                _ => None,
            })
        };
        assert_eq!(env(Some("hx"), Some("nano")).expect("ok"), ["hx"]);
        assert_eq!(env(None, Some("emacs -nw")).expect("ok"), ["emacs", "-nw"]);
        assert_eq!(env(Some("  "), Some("nano")).expect("ok"), ["nano"]);
        assert_eq!(env(None, None).expect("ok"), ["vi"]);
        let err = env(Some("ed 'x"), None).expect_err("unclosed");
        assert!(err.to_string().contains("$VISUAL has an unclosed"), "{err}");
    }

    #[test]
    fn the_line_goes_before_the_file_and_a_dashed_name_is_not_an_option() {
        let words = vec!["vim".to_string(), "-n".to_string()];
        let cmd = command(&words, Path::new("notes/links.md"), 42);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["-n", "+42", "notes/links.md"]);
        let cmd = command(&words, Path::new("-rf.md"), 0);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["-n", "+1", "./-rf.md"]);
    }
}
