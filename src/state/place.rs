//! Where the reader was: the category and item selected, the folders open, the pane focused,
//! and how far down each of the last few hundred items read was scrolled.
//!
//! Kept in `place.toml` beside the read marks and saved the same way (`store::save_since`:
//! lock, merge, atomic write). Items and categories are named by ids and names, never by
//! numbers, so a place outlives changes to the library; what vanished is skipped on restore.

use serde::{Deserialize, Serialize};

use super::store::{FORMAT_VERSION, Stored, Unusable, parse_versioned};
use super::timestamp::Timestamp;

/// Scroll positions kept, most recent first.
pub const MAX_POSITIONS: usize = 300;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pane {
    #[default]
    Tree,
    List,
    Body,
}

/// How far down one item's body the reader was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub id: String,
    /// The first line shown, of the page laid out at `width` columns in `lines` lines.
    pub line: usize,
    pub width: u16,
    /// How long the page was; at another width the line is scaled by the page's new length.
    #[serde(default)]
    pub lines: usize,
    /// When it was left there (milliseconds since the epoch): the later wins in a merge.
    pub at: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Place {
    version: i64,
    /// When the reader was left here (milliseconds since the epoch).
    pub at: u64,
    /// The selected category, by its names from the top (empty: All).
    pub category: Vec<String>,
    /// Categories shown open, by their names.
    pub expanded: Vec<Vec<String>>,
    /// The item selected in the list (and shown in the body when the body had the focus).
    pub item: Option<String>,
    pub focus: Pane,
    /// The tree's and the list's widths in columns, as the user set them (`<` `>`, or a
    /// border dragged); absent: sized to their names and titles.
    pub tree_width: Option<u16>,
    pub list_width: Option<u16>,
    /// Most recent first, at most [`MAX_POSITIONS`].
    pub positions: Vec<Position>,
}

impl Place {
    pub fn new(at: Timestamp) -> Place {
        Place {
            version: FORMAT_VERSION,
            at: at.0,
            ..Place::default()
        }
    }

    /// Where item `id` was left, if it is remembered.
    pub fn position(&self, id: &str) -> Option<&Position> {
        self.positions.iter().find(|p| p.id == id)
    }

    /// Remembers where item `id` was left (the most recent first; the oldest fall off).
    pub fn remember(&mut self, position: Position) {
        self.positions.retain(|p| p.id != position.id);
        self.positions.insert(0, position);
        self.positions.truncate(MAX_POSITIONS);
    }
}

impl Stored for Place {
    const WHAT: &'static str = "the place Quire was left at";
    const FRESH: &'static str = "Quire starts at the top";

    fn parse(text: &str) -> Result<(Self, usize), Unusable> {
        // The version is checked first, so a newer file is refused rather than misread.
        parse_versioned(text)?;
        let place: Place = toml::from_str(text)
            .map_err(|err| Unusable::Corrupt(err.message().trim().to_string()))?;
        Ok((place, 0))
    }

    fn serialize(&self) -> String {
        let mut place = self.clone();
        place.version = FORMAT_VERSION;
        let body = toml::to_string(&place).unwrap_or_default();
        format!(
            "# Where Quire was left: written by Quire when it quits or moves to another item.\n{body}"
        )
    }

    fn merge_from(&mut self, on_disk: &Self) {
        if on_disk.at > self.at {
            let positions = std::mem::take(&mut self.positions);
            *self = Place {
                positions,
                ..on_disk.clone()
            };
        }
        for theirs in &on_disk.positions {
            let newer = self
                .position(&theirs.id)
                .is_none_or(|ours| theirs.at > ours.at);
            if newer {
                self.positions.retain(|p| p.id != theirs.id);
                self.positions.push(theirs.clone());
            }
        }
        self.positions.sort_by_key(|p| std::cmp::Reverse(p.at));
        self.positions.truncate(MAX_POSITIONS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(id: &str, line: usize, at: u64) -> Position {
        Position {
            id: id.into(),
            line,
            width: 80,
            lines: 400,
            at,
        }
    }

    #[test]
    fn a_place_reads_back_as_written() {
        let mut place = Place::new(Timestamp(5));
        place.category = vec!["Bookmarks".into(), "Case Studies".into()];
        place.expanded = vec![vec![], vec!["Bookmarks".into()]];
        place.item = Some("bookmarks/x \"quoted\"".into());
        place.focus = Pane::Body;
        place.remember(position("a", 10, 1));
        place.remember(position("b", 20, 2));
        let (back, _) =
            Place::parse(&Stored::serialize(&place)).unwrap_or_else(|_| panic!("parses"));
        assert_eq!(
            back,
            Place {
                version: FORMAT_VERSION,
                ..place
            }
        );
        assert_eq!(back.positions[0].id, "b", "most recent first");
    }

    #[test]
    fn the_later_place_wins_and_positions_merge_by_time() {
        let mut ours = Place::new(Timestamp(10));
        ours.item = Some("ours".into());
        ours.remember(position("shared", 1, 10));
        ours.remember(position("only-ours", 2, 11));
        let mut theirs = Place::new(Timestamp(20));
        theirs.item = Some("theirs".into());
        theirs.remember(position("shared", 9, 5));
        theirs.remember(position("only-theirs", 3, 21));
        ours.merge_from(&theirs);
        assert_eq!(ours.item.as_deref(), Some("theirs"));
        assert_eq!(
            ours.position("shared").map(|p| p.line),
            Some(1),
            "ours is newer"
        );
        assert!(ours.position("only-ours").is_some() && ours.position("only-theirs").is_some());
        assert_eq!(ours.positions[0].id, "only-theirs");
    }

    #[test]
    fn only_the_last_few_hundred_positions_are_kept() {
        let mut place = Place::new(Timestamp(1));
        for n in 0..MAX_POSITIONS + 50 {
            place.remember(position(&format!("item-{n}"), n, n as u64));
        }
        assert_eq!(place.positions.len(), MAX_POSITIONS);
        assert!(place.position("item-0").is_none());
        assert!(
            place
                .position(&format!("item-{}", MAX_POSITIONS + 49))
                .is_some()
        );
    }

    #[test]
    fn a_newer_format_is_refused() {
        assert!(matches!(
            Place::parse("version = 99\n"),
            Err(Unusable::Newer(99))
        ));
        assert!(matches!(
            Place::parse("focus = 3\n"),
            Err(Unusable::Corrupt(_))
        ));
    }
}
