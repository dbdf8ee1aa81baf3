//! The user's synonyms: words that find each other (`k8s` and `kubernetes`), and words that
//! find others but are not found by them (`js` finds `javascript`), as Meilisearch has them
//! (multi-way and one-way). Kept in a TOML file the config names (`[search] synonyms`):
//!
//! ```toml
//! groups = [["k8s", "kubernetes"], ["postgres", "postgresql", "pg"]]
//! [one_way]
//! js = ["javascript"]
//! ```
//!
//! A synonym found counts as another form of the word typed (below the word itself, never a
//! typo), and is painted whole where it stands.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::tokenize::{lower, words};

/// At most this many words in all, and in one group or list: a synonyms file is a person's
/// list, not a thesaurus; a bigger one is refused whole rather than expanded on every query.
const MAX_WORDS: usize = 20_000;
const MAX_GROUP: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    /// Lowercased word → the words it also finds.
    of: HashMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct SynonymsFile {
    groups: Vec<Vec<String>>,
    one_way: BTreeMap<String, Vec<String>>,
}

/// A synonyms file that cannot be used, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymsError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for SynonymsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = crate::text::sanitize_line(&self.path.to_string_lossy());
        match self.line {
            Some(line) => write!(f, "{path}:{line}: {}", self.message),
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

impl Synonyms {
    /// Reads the file at `path` (capped at 1 MB, never blocking on a FIFO).
    pub fn load(path: &Path) -> Result<Synonyms, SynonymsError> {
        let fail = |message: String| SynonymsError {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let bytes = crate::writer::read_own(path, 1024 * 1024)
            .map_err(|err| fail(format!("cannot read: {err}")))?
            .ok_or_else(|| fail("no such file".to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| fail("not valid UTF-8".to_string()))?;
        Synonyms::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Synonyms, SynonymsError> {
        let line_of = |at: usize| crate::text::line_of(text, at);
        let file: SynonymsFile = toml::from_str(text).map_err(|err| SynonymsError {
            path: path.to_path_buf(),
            line: err.span().map(|s| line_of(s.start)),
            message: err.message().trim().to_string(),
        })?;
        // Where a word stands in the file, for a message about it.
        let fail = |word: &str, message: String| SynonymsError {
            path: path.to_path_buf(),
            line: text.find(&format!("\"{word}\"")).map(line_of),
            message,
        };
        let one = |word: &str| -> Result<String, SynonymsError> {
            let mut found = words(word).map(|(_, w)| w);
            match (found.next(), found.next()) {
                (Some(w), None) => Ok(lower(w)),
                (None, _) => Err(fail(word, format!("`{word}` holds no word"))),
                (Some(_), Some(_)) => Err(fail(
                    word,
                    format!("`{word}` is more than one word: a synonym is one word"),
                )),
            }
        };
        let total = file.groups.iter().map(Vec::len).sum::<usize>()
            + file.one_way.values().map(|v| v.len() + 1).sum::<usize>();
        if total > MAX_WORDS {
            return Err(SynonymsError {
                path: path.to_path_buf(),
                line: None,
                message: format!("{total} words; at most {MAX_WORDS}"),
            });
        }
        let mut synonyms = Synonyms::default();
        let mut add = |from: &str, to: &str| {
            if from != to {
                let list = synonyms.of.entry(from.to_string()).or_default();
                if !list.iter().any(|w| w == to) {
                    list.push(to.to_string());
                }
            }
        };
        for group in &file.groups {
            if group.len() > MAX_GROUP {
                return Err(fail(
                    &group[0],
                    format!("a group of {} words; at most {MAX_GROUP}", group.len()),
                ));
            }
            let group = group
                .iter()
                .map(|w| one(w))
                .collect::<Result<Vec<_>, _>>()?;
            for a in &group {
                for b in &group {
                    add(a, b);
                }
            }
        }
        for (from, to) in &file.one_way {
            if to.len() > MAX_GROUP {
                return Err(fail(
                    from,
                    format!("{} words; at most {MAX_GROUP}", to.len()),
                ));
            }
            let from = one(from)?;
            for word in to {
                add(&from, &one(word)?);
            }
        }
        Ok(synonyms)
    }

    /// The words `word` (lowercase) also finds.
    pub fn of(&self, word: &str) -> &[String] {
        self.of.get(word).map_or(&[], Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Synonyms, SynonymsError> {
        Synonyms::parse(text, Path::new("syn.toml"))
    }

    #[test]
    fn groups_find_each_other_and_one_way_lists_only_forward() {
        let s = parse(
            "groups = [[\"K8s\", \"kubernetes\"], [\"pg\", \"postgres\", \"postgresql\"]]\n\
             [one_way]\njs = [\"javascript\", \"ecmascript\"]\n",
        )
        .unwrap();
        assert_eq!(s.of("k8s"), ["kubernetes"]);
        assert_eq!(s.of("kubernetes"), ["k8s"]);
        assert_eq!(s.of("pg"), ["postgres", "postgresql"]);
        assert_eq!(s.of("js"), ["javascript", "ecmascript"]);
        assert!(s.of("javascript").is_empty());
        assert!(s.of("rust").is_empty());
    }

    #[test]
    fn a_bad_file_is_named_with_its_line() {
        let err = parse("groups = [[\"k8s\", \"kubernetes\"]]\n[one_way]\nnyc = [\"new york\"]\n")
            .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("more than one word"), "{err}");
        assert_eq!(err.to_string(), format!("syn.toml:3: {}", err.message));
        let err = parse("groups = 3\n").unwrap_err();
        assert_eq!(err.line, Some(1), "{err}");
        let err = parse("synonyms = []\n").unwrap_err();
        assert!(err.message.contains("unknown field"), "{err}");
        let huge = format!("groups = [[{}]]\n", vec!["\"w\""; 100].join(", "));
        assert!(parse(&huge).unwrap_err().message.contains("at most 64"));
    }
}
