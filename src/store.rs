//! Storage: everything Quire keeps on disk to start fast, in one place. The load cache
//! ([`cache`]: a library, its index and its bodies, with what they were made from) is written
//! by one writer at a time ([`cache::Saver`] in the reader), checked part by part when read,
//! and trusted only for the files it was made from. [`atomic_file`] is how every file of
//! Quire's is replaced (a temp file beside it, renamed); [`codec`] and [`read_at`] are the
//! binary encoding and the positioned reads under the cache; [`bodies`] reads a cached body
//! when it is first wanted, and [`damage`] is how damage found after a cache was opened
//! removes it; the library's own encoding is in `encoding`, and [`items`] decodes
//! a cached library's items one by one, when a command first wants each.

pub mod atomic_file;
pub mod bodies;
pub mod cache;
pub mod codec;
pub mod damage;
mod encoding;
pub mod items;
pub mod read_at;
