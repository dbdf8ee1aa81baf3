//! The set of read marks, keyed on item ids, with the time of each change.
//!
//! Marking unread is recorded too (with its time), so that when two processes' states are
//! merged, the later change of the same item wins whichever way it went.

/// Seeded at random per process, as the standard map's hasher is, and several times faster on
/// ids: loading 50,000 marks from three machines' files hashes each id twice.
type HashMap<K, V> = foldhash::HashMap<K, V>;

use super::highlights::Highlight;
use super::timestamp::Timestamp;

/// What a merge changed: by item id, the read marks, the stars, and the items whose
/// highlights did.
#[derive(Debug, Default)]
pub struct Merged {
    pub read: Vec<String>,
    pub starred: Vec<String>,
    pub highlighted: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub read: bool,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadState {
    marks: HashMap<String, Mark>,
    /// Stars (read later), kept the same way: `read` here means starred, and unstarring is
    /// recorded with its time too, so the later change wins a merge.
    stars: HashMap<String, Mark>,
    /// Highlights by their id (removed ones too: a removal is a change that must win a
    /// merge over an older copy of the highlight).
    highlights: HashMap<String, Highlight>,
}

impl ReadState {
    pub fn new() -> ReadState {
        ReadState::default()
    }

    pub fn is_read(&self, id: &str) -> bool {
        self.marks.get(id).is_some_and(|m| m.read)
    }

    pub fn mark(&self, id: &str) -> Option<Mark> {
        self.marks.get(id).copied()
    }

    /// Records a change; returns the mark it replaced.
    pub fn set(&mut self, id: &str, read: bool, at: Timestamp) -> Option<Mark> {
        self.marks.insert(id.to_string(), Mark { read, at })
    }

    pub fn is_starred(&self, id: &str) -> bool {
        self.stars.get(id).is_some_and(|m| m.read)
    }

    /// Records a star put on (`starred`) or taken off; returns the one it replaced.
    pub fn set_star(&mut self, id: &str, starred: bool, at: Timestamp) -> Option<Mark> {
        self.stars
            .insert(id.to_string(), Mark { read: starred, at })
    }

    /// Every star change, sorted by id (`read` meaning starred).
    pub fn sorted_stars(&self) -> Vec<(&str, Mark)> {
        let mut all: Vec<(&str, Mark)> =
            self.stars.iter().map(|(id, m)| (id.as_str(), *m)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// [`merge`](Self::merge) of a state no longer needed: its ids are moved, not copied, and
    /// a state with nothing yet simply becomes it.
    pub fn absorb(&mut self, other: ReadState) {
        if self.marks.is_empty() && self.stars.is_empty() && self.highlights.is_empty() {
            *self = other;
            return;
        }
        absorb_map(&mut self.marks, other.marks);
        absorb_map(&mut self.stars, other.stars);
        for (id, h) in other.highlights {
            self.put_highlight(id, h);
        }
    }

    /// Records a highlight (new, changed or removed) under `id`, unless a later record of it
    /// is already here; whether it was recorded.
    pub fn put_highlight(&mut self, id: String, highlight: Highlight) -> bool {
        match self.highlights.get(&id) {
            Some(ours) if !ours.loses_to(&highlight) => false,
            _ => {
                self.highlights.insert(id, highlight);
                true
            }
        }
    }

    /// The highlights not removed, by id.
    pub fn highlights(&self) -> impl Iterator<Item = (&str, &Highlight)> {
        self.highlights
            .iter()
            .filter(|(_, h)| !h.removed)
            .map(|(id, h)| (id.as_str(), h))
    }

    /// The notes kept with highlights, by item number in `library`: each item's joined with
    /// ` · ` in the order they were made. What search reads as the items' own text.
    pub fn notes_by_item(&self, library: &dyn crate::content::Items) -> Vec<(usize, String)> {
        let mut noted: Vec<(&str, Timestamp, &str)> = self
            .highlights()
            .filter_map(|(_, h)| Some((h.item.as_str(), h.created, h.note.as_deref()?)))
            .collect();
        if noted.is_empty() {
            return Vec::new();
        }
        noted.sort();
        let mut by_item: HashMap<&str, String> = HashMap::default();
        for (item, _, note) in noted {
            let all = by_item.entry(item).or_default();
            if !all.is_empty() {
                all.push_str(" · ");
            }
            all.push_str(note);
        }
        (0..library.len())
            .filter_map(|i| Some((i, by_item.remove(library.id(i))?)))
            .collect()
    }

    /// Every highlight record, removed ones too, sorted by id (the order files hold them).
    pub fn sorted_highlights(&self) -> Vec<(&str, &Highlight)> {
        let mut all: Vec<(&str, &Highlight)> = self
            .highlights
            .iter()
            .map(|(id, h)| (id.as_str(), h))
            .collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Takes every mark and star of `other` that is newer than ours. Returns the ids whose
    /// read mark changed.
    pub fn merge(&mut self, other: &ReadState) -> Vec<String> {
        self.merge_all(other).read
    }

    /// [`merge`](Self::merge), returning the ids whose read mark changed, those whose star
    /// did, and the items whose highlights did.
    pub fn merge_all(&mut self, other: &ReadState) -> Merged {
        let mut highlighted = Vec::new();
        for (id, h) in &other.highlights {
            let differs = self.highlights.get(id) != Some(h);
            if differs && self.put_highlight(id.clone(), h.clone()) {
                highlighted.push(h.item.clone());
            }
        }
        Merged {
            read: merge_map(&mut self.marks, &other.marks),
            starred: merge_map(&mut self.stars, &other.stars),
            highlighted,
        }
    }

    pub fn len(&self) -> usize {
        self.marks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    pub fn read_count(&self) -> usize {
        self.marks.values().filter(|m| m.read).count()
    }

    /// Every mark, sorted by id (the order the file is written in).
    pub fn sorted(&self) -> Vec<(&str, Mark)> {
        let mut all: Vec<(&str, Mark)> =
            self.marks.iter().map(|(id, m)| (id.as_str(), *m)).collect();
        all.sort_unstable_by(|a, b| a.0.cmp(b.0));
        all
    }
}

/// Whether `theirs` wins over `ours`: later, or as late and on (so the result of merging
/// does not depend on order).
fn wins(theirs: &Mark, ours: &Mark) -> bool {
    theirs.at > ours.at || (theirs.at == ours.at && theirs.read && !ours.read)
}

fn absorb_map(ours: &mut HashMap<String, Mark>, theirs: HashMap<String, Mark>) {
    ours.reserve(theirs.len());
    for (id, mark) in theirs {
        match ours.entry(id) {
            std::collections::hash_map::Entry::Occupied(mut slot) => {
                if wins(&mark, slot.get()) {
                    slot.insert(mark);
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(mark);
            }
        }
    }
}

/// Takes every entry of `theirs` newer than ours (on a tie, the one that is on, so the result
/// does not depend on order). Returns the ids whose flag flipped.
fn merge_map(ours: &mut HashMap<String, Mark>, theirs: &HashMap<String, Mark>) -> Vec<String> {
    let mut changed = Vec::new();
    for (id, mark) in theirs {
        let (take, was) = match ours.get(id) {
            None => (true, false),
            Some(old) => (wins(mark, old), old.read),
        };
        if take {
            ours.insert(id.clone(), *mark);
            if was != mark.read {
                changed.push(id.clone());
            }
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_later_change_of_an_item_wins_a_merge() {
        let mut a = ReadState::new();
        let mut b = ReadState::new();
        a.set("x", true, Timestamp(10));
        b.set("x", false, Timestamp(20));
        b.set("y", true, Timestamp(5));
        a.set("z", true, Timestamp(7));
        let changed = a.merge(&b);
        assert!(!a.is_read("x"), "b unmarked x later");
        assert!(a.is_read("y") && a.is_read("z"));
        let mut changed = changed;
        changed.sort();
        assert_eq!(changed, ["x", "y"]);
    }

    #[test]
    fn the_later_star_change_wins_a_merge() {
        let mut a = ReadState::new();
        let mut b = ReadState::new();
        a.set_star("x", true, Timestamp(10));
        b.set_star("x", false, Timestamp(20));
        b.set_star("y", true, Timestamp(5));
        a.merge(&b);
        assert!(!a.is_starred("x") && a.is_starred("y"));
        // Stars and read marks are apart: starring is not reading.
        assert!(!a.is_read("y"));
    }

    #[test]
    fn merging_is_order_independent() {
        let mut a = ReadState::new();
        let mut b = ReadState::new();
        a.set("x", true, Timestamp(10));
        b.set("x", false, Timestamp(10));
        let (mut ab, mut ba) = (a.clone(), b.clone());
        ab.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
    }
}
