//! How a root's files are read: the rules of the site generator that owns the root, if one
//! does, detected once per root when it is listed and carried with each of its files into
//! parsing. A plain folder of notes gets no generator's rules: its `_archive/` folder is a
//! folder, its `tags: machine learning` one tag, its `{{<` text.

use super::site::{Generator, Site};
use super::source::Root;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadContext {
    /// The generator whose site the root is (or is the content folder of).
    pub generator: Option<Generator>,
}

impl LoadContext {
    /// The context of a root: a folder's site, if it is one; the bundled library is none.
    pub fn of(root: &Root) -> LoadContext {
        match root {
            Root::Dir(dir) => LoadContext {
                generator: Site::detect(dir).map(|site| site.generator),
            },
            // One file alone follows no site's rules.
            Root::File(_) | Root::Bundled => LoadContext::default(),
        }
    }

    /// Whether a site generator's rules apply: its own `_` folders, its template tags.
    pub fn is_site(&self) -> bool {
        self.generator.is_some()
    }

    /// Whether Jekyll's rules apply: space-separated `tags` and `categories`.
    pub fn is_jekyll(&self) -> bool {
        self.generator == Some(Generator::Jekyll)
    }
}
