//! Widgets that draw the reader; they read the app state and never change the library.

pub mod markdown;
