//! Search: a word index built at load time, and a query engine over it.
//!
//! A query word matches a word of an item exactly, by prefix, by close spelling (from five
//! letters) or, in titles, by initials; never as a scattered subsequence over a whole article.
//! Every word of a query must match somewhere in an item. Results are ordered by ranking
//! rules kept as data (`ranking`): fewer typos, then whole words over completions, then words
//! close together, then the field (title over tags over description over category over
//! body). `highlight` finds the words again in any text, `snippet` picks the line to show.
//!
//! Below the items holding every word, `meaning` (a static embedding model shipped in the
//! binary, one vector per item kept in the index) and the items holding some of the words are
//! fused into one list (`fusion`).

pub mod distance;
pub mod engine;
mod fusion;
mod fxhash;
pub mod highlight;
pub mod index;
pub mod meaning;
pub mod query;
pub mod ranking;
mod segment;
pub(crate) mod shares;
pub mod snippet;
pub mod synonyms;
pub mod tokenize;
mod word_list;

pub use engine::{
    Field, Hit, Matched, SavedText, SearchOptions, Snippet, nearest_by_meaning, search,
};
pub use index::SearchIndex;
pub use query::{Filter, Query, parse_query};
pub use synonyms::Synonyms;
