//! Search: a word index built at load time, and a query engine over it.
//!
//! Titles and other short fields are matched fuzzily (typos, prefixes, acronyms) and bodies
//! word by word: a query word matches a body word by prefix or close spelling, never as a
//! scattered subsequence over a whole article. Every word of a query must match somewhere in
//! an item; ranking rewards title hits over description over body, whole words over prefixes
//! over typos, and words found close together in one line.

pub mod distance;
pub mod engine;
mod fxhash;
pub mod index;
pub mod query;
pub mod tokenize;
mod word_list;

pub use engine::{Field, Hit, SearchOptions, Snippet, search};
pub use index::SearchIndex;
pub use query::{Filter, Query, parse_query};
