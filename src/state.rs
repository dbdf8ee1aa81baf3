//! Read state: which items the user has read, and when; kept safe on disk.
//!
//! [`ReadState`] is the in-memory set of marks, keyed on item ids; [`store`] reads and writes
//! it atomically, merging with whatever another Quire process saved meanwhile. Marks of items
//! that are no longer in the library are kept: a file moved away for a while keeps its state.

pub mod highlights;
pub mod machines;
pub mod passage;
pub mod place;
pub mod read_state;
pub mod store;
pub mod timestamp;

pub use highlights::Highlight;
pub use place::{Pane, Place, Position};
pub use read_state::{Mark, ReadState};
pub use store::{
    LoadedState, StateError, load_state, load_state_of, load_state_untouched, save_state,
    save_state_of,
};
pub use timestamp::Timestamp;
