//! Running code that might panic without the panic reaching the user's terminal.
//!
//! The runtime's panic hook restores the terminal and prints the message, which is right for
//! a real crash but wrong for a panic we catch and recover from (a renderer choking on hostile
//! input). [`quietly`] marks the current thread so the hook stays silent, and catches.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside becomes `None` and is not reported.
pub fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was = QUIET.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f)).ok();
    QUIET.with(|q| q.set(was));
    result
}

/// Whether a panic on this thread is being caught by [`quietly`] (the hook checks this).
pub fn is_quiet() -> bool {
    QUIET.with(Cell::get)
}
