//! Command-line arguments, declared with clap so `--help` documents every option.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// A full-screen terminal reader for markdown posts and curated bookmark notes.
///
/// With no subcommand, opens the reader. Content comes from `--content` folders, else from
/// `./content` when the current directory has one, else from the library bundled in the binary.
#[derive(Debug, Parser)]
#[command(name = "quire", version, about, long_about)]
pub struct Cli {
    /// Content folder to load (repeat for several). Replaces ./content and the bundled library.
    #[arg(
        long = "content",
        value_name = "DIR",
        global = true,
        help_heading = "Global options"
    )]
    pub content: Vec<PathBuf>,

    /// Read-state file to use instead of the one in the data directory.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help_heading = "Global options"
    )]
    pub state: Option<PathBuf>,

    /// Your library folder (where imports write), instead of $XDG_DATA_HOME/quire/library.
    #[arg(
        long,
        value_name = "DIR",
        global = true,
        help_heading = "Global options"
    )]
    pub library: Option<PathBuf>,

    /// Configuration file to use instead of the one in the config directory.
    #[arg(
        long,
        value_name = "FILE",
        global = true,
        help_heading = "Global options"
    )]
    pub config: Option<PathBuf>,

    /// Open at the top, rather than where the reader was left last time (and do not
    /// remember where it is left this time).
    #[arg(long)]
    pub no_restore: bool,

    /// Load drafts too (`draft = true`, `published: false`, Jekyll's `_drafts/`), tagged
    /// `draft`; they are left out otherwise.
    #[arg(long, global = true, help_heading = "Global options")]
    pub drafts: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// List items, one a line: id, kind, date, title (tab-separated).
    List {
        /// Only items under this category path, e.g. "Bookmarks/Tech Insights from Bookmarks".
        #[arg(long, value_name = "PATH")]
        category: Option<String>,
        /// Only items not marked read.
        #[arg(long)]
        unread: bool,
        /// Only starred items.
        #[arg(long)]
        starred: bool,
        /// Only bookmarks whose link was found dead (404, 410, no such host) by `quire
        /// archive`.
        #[arg(long)]
        dead: bool,
        /// Print a JSON array instead.
        #[arg(long)]
        json: bool,
    },
    /// Show one item: its metadata, then its body as plain text.
    Show {
        /// The item's id, as printed by `quire list`.
        id: String,
        /// Print a JSON object (with the markdown body) instead.
        #[arg(long)]
        json: bool,
    },
    /// Count items, categories and problems.
    Stats {
        /// Print a JSON object instead.
        #[arg(long)]
        json: bool,
    },
    /// Print every problem found while loading; exit 1 if there are any.
    Check {
        /// Also name the files left out on purpose (drafts, pages the site never renders,
        /// template hooks), and why; these are not problems.
        #[arg(long, short)]
        verbose: bool,
    },
    /// List every category as `--category` takes it, with its item and unread counts.
    Categories,
    /// Keep a passage of an item, with a note: the quote must be in the item's text as written.
    Highlight {
        /// The item's id, as printed by `quire list`.
        id: String,
        /// The passage, as it stands in the item's markdown (or its description).
        #[arg(long, value_name = "TEXT")]
        quote: String,
        /// A note of yours beside it.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Remove highlights by id (`quire highlights` prints them); the removal reaches other
    /// machines like any change.
    Unhighlight {
        #[arg(required = true, value_name = "HIGHLIGHT")]
        ids: Vec<String>,
    },
    /// List highlights (of one item, or all), with their notes; `--markdown` gives notes to
    /// paste elsewhere. A highlight whose words are gone from its item is listed as orphaned.
    Highlights {
        /// Only this item's.
        id: Option<String>,
        /// One JSON array: id, item, quote, note, created, orphaned.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Markdown: each item's title and url, then its passages quoted with their notes.
        #[arg(long)]
        markdown: bool,
    },
    /// Star items, to read later. Unknown ids are reported (exit 1); the known ones are still starred.
    Star {
        /// Item ids, as printed by `quire list`.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Take the star off items.
    Unstar {
        /// Item ids, as printed by `quire list`.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Mark items read. Unknown ids are reported (exit 1); the known ones are still marked.
    MarkRead {
        /// Item ids, as printed by `quire list`.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Mark items unread. Unknown ids are reported (exit 1); the known ones are still marked.
    MarkUnread {
        /// Item ids, as printed by `quire list`.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// Print how many items are unread (for status bars).
    Unread,
    /// Search titles, descriptions, tags, categories, url hosts and bodies.
    ///
    /// Words must all match (by prefix or close spelling); also "exact phrase", -word,
    /// is:unread, is:read, is:starred, is:highlighted, kind:post, kind:bookmark, in:CATEGORY,
    /// tag:NAME.
    /// A query of excluded words only goes after `--`: `quire search -- -codel`.
    Search {
        /// The query; several arguments are joined with spaces.
        #[arg(required = true, value_name = "QUERY")]
        query: Vec<String>,
        /// Show at most this many results (1 or more).
        #[arg(long, default_value_t = 20, value_parser = at_least_one)]
        limit: usize,
        /// Print a JSON array instead.
        #[arg(long)]
        json: bool,
        /// Words only: list just the items holding every word, nothing found by meaning.
        #[arg(long)]
        exact: bool,
    },
    /// List the items nearest in meaning to one item, each with the passage that makes it near.
    ///
    /// The item's title, description and text are the query; the search's `like:ID` does the
    /// same among the items a query finds.
    Related {
        /// The item's id, as printed by `quire list`.
        id: String,
        /// Show at most this many (1 or more).
        #[arg(long, default_value_t = 10, value_parser = at_least_one)]
        limit: usize,
        /// Print a JSON array instead.
        #[arg(long)]
        json: bool,
    },
    /// Import browser bookmarks into your library, every folder kept, nothing twice.
    ///
    /// The format is told from the content: Chrome/Chromium/Brave/Edge `Bookmarks` JSON, the
    /// bookmarks.html any browser exports, a Firefox backup (.json, .jsonlz4). Written to
    /// <library>/bookmarks/<name>.md; importing again adds only what is new.
    #[command(arg_required_else_help = true)]
    Import {
        /// The export file.
        #[arg(required_unless_present = "browser", conflicts_with = "browser")]
        file: Option<PathBuf>,
        /// Read the default profile of this browser instead of a file.
        #[arg(long, value_name = "NAME", value_parser = ["chrome", "chromium", "brave", "edge", "firefox"])]
        browser: Option<String>,
        /// The collection to write to (relative to the library folder).
        #[arg(long, value_name = "FILE.md")]
        into: Option<PathBuf>,
        /// Print what would be added and skipped, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Save bookmarked pages to read offline: each page's article kept as a markdown file
    /// under <library>/archive/, and whether its link still answers (`quire list --dead`).
    /// Only this command (and `a` in the reader) fetches pages. Exit 1 if any link failed.
    #[command(arg_required_else_help = true)]
    Archive {
        /// The bookmarks to save, by id.
        ids: Vec<String>,
        /// Every bookmark under this category path.
        #[arg(long, value_name = "PATH")]
        category: Option<String>,
        /// Every bookmark of the library.
        #[arg(long)]
        all: bool,
        /// Also the pages of feed posts that came as a summary only (their text under 1,500
        /// characters): the whole article, to read offline. `[feeds] full_text = true` in
        /// the config makes it the rule.
        #[arg(long)]
        feeds: bool,
        /// Ask again for pages saved already (conditionally: unchanged pages are not sent
        /// again), and for links found dead.
        #[arg(long)]
        refresh: bool,
        /// Print a JSON array of what happened to each page.
        #[arg(long)]
        json: bool,
    },
    /// Subscribe to feeds: a feed's url, or a site's (its page names its feed).
    Subscribe {
        /// Feed or site urls.
        #[arg(required_unless_present = "opml")]
        urls: Vec<String>,
        /// Subscribe to every feed of an OPML file (another reader's export).
        #[arg(long, value_name = "FILE")]
        opml: Option<PathBuf>,
    },
    /// Stop syncing a feed (its posts stay in the library).
    Unsubscribe {
        /// The feed's url, as `quire feeds` lists it.
        url: String,
    },
    /// List your subscriptions, with their last sync.
    Feeds,
    /// Fetch every feed and write its new posts into your library.
    Sync {
        /// Print a JSON array of what happened to each feed.
        #[arg(long)]
        json: bool,
    },
    /// Print a shell completion script: `quire completions bash > ~/.local/share/bash-completion/completions/quire`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `quire man > ~/.local/share/man/man1/quire.1`.
    Man,
    /// Say where your library folder is.
    Library {
        /// Print only its path.
        #[arg(long)]
        path: bool,
    },
    /// Open an item's file in $VISUAL or $EDITOR (else vi), at the item's line.
    Edit {
        /// The item's id, as printed by `quire list`.
        id: String,
    },
    /// Write the bundled library to a folder, to edit it and read it with `--content DIR`.
    CopyBundled {
        /// A folder that does not exist yet, or is empty.
        dir: std::path::PathBuf,
    },
    /// Show where the config file is, or print a commented default config.
    Config {
        /// Print the default configuration, every key documented.
        #[arg(long, conflicts_with = "path")]
        print_default: bool,
        /// Print the path Quire reads its config from.
        #[arg(long)]
        path: bool,
    },
}

/// A count that must be 1 or more (`--limit 0` would ask for nothing).
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be 1 or more".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}
