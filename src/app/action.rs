//! What the user can ask for. Keys and mouse events are first resolved to an [`Action`]
//! (see `keymap`), then [`App::update`](super::App::update) carries it out.

use serde::{Deserialize, Serialize};

/// Every action a key can be bound to. Names are `snake_case` in the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Move the selection down (scroll down in the body)
    Down,
    /// Move the selection up (scroll up in the body)
    Up,
    /// Go to the first row (top of the body)
    Top,
    /// Go to the last row (end of the body)
    Bottom,
    /// Page down
    PageDown,
    /// Page up
    PageUp,
    /// Scroll the body half a page down, from any pane
    HalfPageDown,
    /// Scroll the body half a page up, from any pane
    HalfPageUp,
    /// Collapse the category, or go to its parent; in the list or body, focus the pane on the left
    Left,
    /// Expand the category, or focus the pane on the right
    Right,
    /// Open: expand/collapse a category, show the item in the body and focus it
    Open,
    /// Expand or collapse the category; page down in the body
    Toggle,
    /// Focus the next pane
    FocusNext,
    /// Focus the previous pane
    FocusPrev,
    /// Back out: close a popup, or focus the pane on the left
    Back,
    /// Make the focused pane narrower (three panes)
    Narrower,
    /// Make the focused pane wider (three panes)
    Wider,
    /// Size the panes to their names and titles again
    ResetPanes,
    /// Mark the selected item read, or unread if it was read
    ToggleRead,
    /// Mark every item of the selected category read (asks first)
    MarkAllRead,
    /// Star the selected item to read later, or take its star off
    Star,
    /// Undo the last marking
    Undo,
    /// Select a passage of the body to keep as a highlight, with a note (then Enter)
    Select,
    /// Show only unread items and the categories that have some
    UnreadOnly,
    /// Jump to the next unread item
    NextUnread,
    /// Jump to the previous unread item
    PrevUnread,
    /// Search everything (titles, insights, bodies); results update as you type
    Search,
    /// Items like this one: the nearest in meaning, each with the passage that makes it near
    Related,
    /// Jump to the next match of the search in the body (round to the first after the last)
    NextMatch,
    /// Jump to the previous match of the search in the body (round to the last)
    PrevMatch,
    /// Open the item's url in the browser (http, https and mailto only)
    OpenUrl,
    /// Copy the item's url to the clipboard (OSC 52, works over SSH)
    CopyUrl,
    /// Pick a link of the item shown (its own url, then each numbered link of its text) to open or copy
    Links,
    /// Outline: the headings of the item shown (a category's sections), to jump to one
    Outline,
    /// Scroll the body to the next heading
    NextHeading,
    /// Scroll the body to the previous heading
    PrevHeading,
    /// Show the selected item (a search result too) in its category, to browse its neighbours
    Reveal,
    /// Edit the item's file in $VISUAL or $EDITOR, at the item's line
    Edit,
    /// Read again the files changed on disk (changes also show by themselves)
    Reload,
    /// Fetch your feeds in the background; new posts appear as they land
    SyncFeeds,
    /// Save the item's page to read offline (or refresh it); its link's health is kept too
    Archive,
    /// Suspend Quire and return to the shell (`fg` resumes)
    Suspend,
    /// Show or hide this help
    Help,
    /// Quit
    Quit,
}

impl Action {
    /// The one-line description shown in the help overlay (the variant's doc comment).
    pub fn description(self) -> &'static str {
        match self {
            Action::Down => "Move down / scroll down",
            Action::Up => "Move up / scroll up",
            Action::Top => "Go to the top",
            Action::Bottom => "Go to the bottom",
            Action::PageDown => "Page down",
            Action::PageUp => "Page up",
            Action::HalfPageDown => "Scroll the body half a page down",
            Action::HalfPageUp => "Scroll the body half a page up",
            Action::Left => "Collapse / go to parent / focus the pane on the left",
            Action::Right => "Expand / focus the pane on the right",
            Action::Open => "Open: expand a category, read the selected item",
            Action::Toggle => "Expand or collapse; page down in the body",
            Action::FocusNext => "Focus the next pane",
            Action::FocusPrev => "Focus the previous pane",
            Action::Back => "Back: close a popup, focus the pane on the left",
            Action::Narrower => "Make the focused pane narrower (or drag its border)",
            Action::Wider => "Make the focused pane wider (or drag its border)",
            Action::ResetPanes => "Size the panes to their names and titles again",
            Action::ToggleRead => "Mark read / unread",
            Action::MarkAllRead => "Mark every item of the category read (asks first)",
            Action::Star => "Star / unstar the item, to read later (is:starred finds them)",
            Action::Undo => "Undo the last marking",
            Action::Select => {
                "Select a passage (j/k w/b/e h/l 0/$ o, or drag): Enter keeps it with a note, y copies, d removes highlights"
            }
            Action::UnreadOnly => "Show only unread items, or all",
            Action::NextUnread => "Next unread item",
            Action::PrevUnread => "Previous unread item",
            Action::Search => {
                "Search everything (in the body: find in the page, as less does; from the list or tree, / searches everything)"
            }
            Action::Related => {
                "Items like this one: the nearest in meaning (a search for like:ID; add words to choose among them)"
            }
            Action::NextMatch => "Next match of the search in the body (goes round)",
            Action::PrevMatch => "Previous match of the search in the body (goes round)",
            Action::OpenUrl => "Open the url in the browser (http, https, mailto)",
            Action::CopyUrl => "Copy the url to the clipboard (OSC 52)",
            Action::Links => "Links of the item: type a number or move, Enter opens, y copies",
            Action::Outline => "Outline: the headings (a category's sections), Enter jumps",
            Action::NextHeading => "Next heading in the body",
            Action::PrevHeading => "Previous heading in the body",
            Action::Reveal => {
                "Show the item in its category (from search results too), to browse its neighbours"
            }
            Action::Edit => "Edit the item's file in $VISUAL / $EDITOR, at its line",
            Action::Reload => "Reload files changed on disk (changes also show by themselves)",
            Action::SyncFeeds => "Sync your feeds in the background (quire subscribe adds them)",
            Action::Archive => {
                "Save the item's page to read offline, or refresh it (quire archive does many)"
            }
            Action::Suspend => "Suspend to the shell (fg resumes)",
            Action::Help => "Show or hide this help",
            Action::Quit => "Quit",
        }
    }

    /// The help overlay's sections, in order, with the actions each lists.
    pub fn sections() -> &'static [(&'static str, &'static [Action])] {
        &[
            (
                "Move",
                &[
                    Action::Down,
                    Action::Up,
                    Action::Top,
                    Action::Bottom,
                    Action::PageDown,
                    Action::PageUp,
                    Action::HalfPageDown,
                    Action::HalfPageUp,
                    Action::NextHeading,
                    Action::PrevHeading,
                    Action::Outline,
                ],
            ),
            (
                "Panes",
                &[
                    Action::Left,
                    Action::Right,
                    Action::Open,
                    Action::Toggle,
                    Action::FocusNext,
                    Action::FocusPrev,
                    Action::Back,
                    Action::Narrower,
                    Action::Wider,
                    Action::ResetPanes,
                ],
            ),
            (
                "Search",
                &[
                    Action::Search,
                    Action::Related,
                    Action::NextMatch,
                    Action::PrevMatch,
                    Action::Reveal,
                ],
            ),
            (
                "Reading",
                &[
                    Action::ToggleRead,
                    Action::MarkAllRead,
                    Action::Star,
                    Action::Select,
                    Action::Undo,
                    Action::UnreadOnly,
                    Action::NextUnread,
                    Action::PrevUnread,
                ],
            ),
            ("Links", &[Action::OpenUrl, Action::CopyUrl, Action::Links]),
            (
                "Library",
                &[
                    Action::Edit,
                    Action::Reload,
                    Action::SyncFeeds,
                    Action::Archive,
                ],
            ),
            ("General", &[Action::Help, Action::Suspend, Action::Quit]),
        ]
    }
}
