//! The set of read marks, keyed on item ids, with the time of each change.
//!
//! Marking unread is recorded too (with its time), so that when two processes' states are
//! merged, the later change of the same item wins whichever way it went.

use std::collections::HashMap;

use super::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub read: bool,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadState {
    marks: HashMap<String, Mark>,
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

    /// Takes every mark of `other` that is newer than ours. Returns the ids that changed.
    pub fn merge(&mut self, other: &ReadState) -> Vec<String> {
        let mut changed = Vec::new();
        for (id, theirs) in &other.marks {
            let take = match self.marks.get(id) {
                None => true,
                // Later wins; on a tie, `read` wins so the result does not depend on order.
                Some(ours) => {
                    theirs.at > ours.at || (theirs.at == ours.at && theirs.read && !ours.read)
                }
            };
            if take {
                let was_read = self.is_read(id);
                self.marks.insert(id.clone(), *theirs);
                if was_read != theirs.read {
                    changed.push(id.clone());
                }
            }
        }
        changed
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
