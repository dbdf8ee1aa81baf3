//! The reader's state and its one entry point for change, [`App::update`].
//!
//! Keys are resolved to actions by the [`KeyMap`]; mouse events arrive with their screen
//! position. Both change the state here and nothing else: things the outside world must do
//! (open a browser, write to the clipboard) are queued as [`Effect`]s for the runtime.

pub mod action;
pub mod body;
pub mod find;
pub mod keymap;
pub mod layout;
mod library;
mod line_edit;
pub mod list;
mod loading;
mod mouse;
pub mod picker;
mod place;
pub mod reading;
mod reading_actions;
pub mod search;
mod searching;
pub mod tree;
pub mod visual;

use std::sync::Arc;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

pub use action::Action;
use body::Body;
pub use keymap::{Key, KeyMap};
use layout::{PaneSizes, PaneWidths, Panes, inner, panes};
pub use library::Reason;
use list::ItemList;
use reading::Reading;
use search::{Saved, SearchPanel};
use tree::Tree;

use crate::content::{CategoryId, Library};
use crate::open::check_url;
use crate::render::{Page, PageKey};
use crate::state::ReadState;
use crate::theme::Theme;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Tree,
    List,
    Body,
}

impl Focus {
    pub fn name(self) -> &'static str {
        match self {
            Focus::Tree => "CATEGORIES",
            Focus::List => "ITEMS",
            Focus::Body => "READER",
        }
    }
}

/// Something for the runtime to do outside the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    OpenUrl(String),
    CopyToClipboard(String),
    /// Hand the terminal back to the shell until `fg`.
    Suspend,
    /// Run the user's editor on a file at a line, then reload what changed.
    Edit {
        file: std::path::PathBuf,
        line: usize,
    },
    /// Read again what changed on disk.
    Reload,
    /// Sync the feeds in the background.
    SyncFeeds,
    /// Save (or refresh) one bookmark's page in the background.
    Archive {
        id: String,
        title: String,
        url: String,
    },
    /// Lay out a big page elsewhere; it comes back through [`App::page_rendered`].
    Render {
        key: PageKey,
        width: u16,
        theme: Box<Theme>,
        library: Shared<Library>,
        /// The saved pages, shown under their bookmarks.
        shelf: Shared<crate::archive::Shelf>,
        /// Which library the key's item number refers to.
        generation: u64,
    },
    /// Run a search; its results come back through [`App::search_results`].
    Search {
        generation: u64,
        query: String,
        /// Read marks by item, for `is:read`/`is:unread`.
        read: Arc<Vec<bool>>,
        /// Stars by item, for `is:starred`.
        starred: Arc<Vec<bool>>,
        /// Items holding a highlight, for `is:highlighted`.
        highlighted: Arc<Vec<bool>>,
        /// The notes kept with highlights, by item number: searched as the items' text.
        notes: Arc<Vec<(usize, String)>>,
    },
}

/// A shared value compared by identity, so effects carrying one can still be compared.
#[derive(Clone)]
pub struct Shared<T>(pub Arc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Shared<T> {}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({:p})", Arc::as_ptr(&self.0))
    }
}

/// A question waiting for y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    MarkAllRead { category: CategoryId, count: usize },
}

/// When an item counts as read (the config's `mark_read`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkRead {
    /// Opening an item in the body marks it read.
    #[default]
    OnOpen,
    /// Only `m` marks items.
    Manual,
}

/// The order of posts in a list (the config's `sort`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    NewestFirst,
    OldestFirst,
    Title,
}

/// What the config decides about the reader: plain settings the config parses into, so the
/// reader never reads the config itself.
#[derive(Debug, Clone)]
pub struct Settings {
    pub theme: Theme,
    pub keymap: KeyMap,
    pub pane_widths: PaneWidths,
    pub sort: SortOrder,
    pub mark_read: MarkRead,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::dark(),
            keymap: KeyMap::default(),
            pane_widths: PaneWidths::default(),
            sort: SortOrder::NewestFirst,
            mark_read: MarkRead::OnOpen,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub library: Arc<Library>,
    pub theme: Theme,
    pub keymap: KeyMap,
    pub pane_widths: PaneWidths,
    pub focus: Focus,
    pub tree: Tree,
    pub list: ItemList,
    pub body: Body,
    pub reading: Reading,
    /// Open help overlay and its scroll offset.
    pub help: Option<usize>,
    pub confirm: Option<Confirm>,
    /// Find in the page (`/` in the body), while its word is painted.
    pub find: Option<find::Find>,
    /// A passage being selected in the body (`v`, or a drag).
    pub visual: Option<visual::Selection>,
    /// A passage selected, waiting for its note before it is kept.
    pub note_prompt: Option<visual::NotePrompt>,
    /// Where a press of the mouse's button in the body went down (a drag selects from it).
    drag_from: Option<visual::Spot>,
    /// An item opened from the Highlights node, to be scrolled to its first passage kept once
    /// its page is laid out.
    to_first_kept: Option<PageKey>,
    /// The link picker (`f`) or the outline (`t`), while open.
    pub picker: Option<picker::Picker>,
    pub search: Option<SearchPanel>,
    /// The last query run, recalled with `/` then Up.
    pub last_query: Option<String>,
    search_generation: u64,
    pub status: Option<StatusMessage>,
    pub size: Rect,
    pub should_quit: bool,
    /// Files loaded and found, while the library is still loading.
    pub loading: Option<(usize, usize)>,
    /// Bumped each time the library is replaced (item numbers change then).
    pub library_generation: u64,
    effects: Vec<Effect>,
    /// Positions in items read (this run's and earlier runs'), saved with the place.
    place: crate::state::Place,
    /// A place from an earlier run, waiting for the library to hold its item.
    pending_place: Option<crate::state::Place>,
    /// The tree's and the list's widths in columns as the user set them (`<` `>`, a border
    /// dragged), kept in the place; `None`: as configured, else sized to their content.
    pub pane_user: (Option<u16>, Option<u16>),
    /// The columns the tree's widest row asks for, and the library generation it was
    /// measured for.
    tree_need: (u16, u64),
    /// A border being dragged with the mouse: the tree's (`true`) or the list's.
    dragging: Option<bool>,
    /// Whether the selection was chosen: by the user (a key, a click) or by an earlier run's
    /// place. Until then each snapshot of a loading library selects its top item (the
    /// newest), not whatever came first in an early snapshot.
    chosen: bool,
    /// What the place was when last handed out for saving.
    last_saved_place: Option<(CategoryId, Option<PageKey>, Focus)>,
    /// The read marks' version the category pages were laid out with.
    pages_read_version: u64,
    /// The highlights' version the pages were laid out with.
    pages_highlights_version: u64,
    /// When a note from a background task (a feed sync) was last shown: a reload that task
    /// caused right after does not hide it.
    noted_at: Option<std::time::Instant>,
    /// The pages saved from bookmarks' links (`quire archive`, `a`), read in the background:
    /// shown under their bookmarks, dead links marked.
    pub shelf: Arc<crate::archive::Shelf>,
}

impl App {
    pub fn new(library: Arc<Library>, settings: Settings, state: ReadState, size: Rect) -> App {
        let tree = Tree::new(&library);
        let list = ItemList::new(
            &library,
            tree.selected_id(),
            library.items_under(tree.selected_id()),
            settings.sort,
        );
        let reading = Reading::new(&library, state, settings.mark_read);
        let mut app = App {
            library,
            theme: settings.theme,
            keymap: settings.keymap,
            pane_widths: settings.pane_widths,
            focus: Focus::Tree,
            tree,
            list,
            body: Body::default(),
            reading,
            help: None,
            confirm: None,
            find: None,
            visual: None,
            note_prompt: None,
            drag_from: None,
            to_first_kept: None,
            picker: None,
            search: None,
            last_query: None,
            search_generation: 0,
            status: None,
            size,
            should_quit: false,
            loading: None,
            library_generation: 0,
            effects: Vec::new(),
            place: crate::state::Place::default(),
            pending_place: None,
            chosen: false,
            pane_user: (None, None),
            tree_need: (0, u64::MAX),
            dragging: None,
            last_saved_place: None,
            pages_read_version: 0,
            pages_highlights_version: 0,
            noted_at: None,
            shelf: Arc::default(),
        };
        app.sync();
        app
    }

    /// Whether the screen is below [`MIN_SIZE`]: the reader then shows one notice.
    pub fn too_small(&self) -> bool {
        self.size.width < MIN_SIZE.0 || self.size.height < MIN_SIZE.1
    }

    pub fn panes(&self) -> Panes {
        if self.too_small() {
            // Nothing is drawn but the notice: no click lands in a pane.
            return Panes::default();
        }
        panes(
            self.size,
            self.focus,
            self.pane_sizes(),
            self.search.is_some(),
        )
    }

    /// What the tree and the list ask for at this width: the user's own widths (keys,
    /// mouse), else the configuration's percentages, else the tree sized to its names (up to
    /// 22–28% of the screen) and the list to its titles (up to 45% of what the tree leaves: the
    /// body, where the reading is, keeps the most).
    pub fn pane_sizes(&self) -> PaneSizes {
        let w = self.size.width;
        let percent = |p: u16| (u32::from(w) * u32::from(p) / 100) as u16;
        let tree = self
            .pane_user
            .0
            .or(self.pane_widths.tree.map(percent))
            .unwrap_or_else(|| {
                // Up to 22% of an 80-column screen, rising to 28% from 120 columns: on a
                // narrow screen the body's columns count for more.
                let cap = 22 + (w.clamp(80, 120) - 80) * 6 / 40;
                self.tree_need.0.clamp(18, percent(cap).max(18))
            });
        let list = self
            .pane_user
            .1
            .or(self.pane_widths.list.map(percent))
            .unwrap_or_else(|| {
                self.list
                    .widest
                    .clamp(26, (w.saturating_sub(tree) * 9 / 20).max(26))
            });
        PaneSizes { tree, list }
    }

    /// `<` `>`: the focused pane narrower or wider by two columns (the body's by the list's
    /// loss or gain); `=`: every pane sized to its content again.
    fn resize_pane(&mut self, by: i32) {
        let panes = self.panes();
        let (Some(tree), Some(list), Some(_)) = (panes.tree, panes.list, panes.body) else {
            self.set_status(
                "Pane widths apply when all three panes show (80 columns or more).",
                false,
            );
            return;
        };
        let grow = |width: u16, by: i32| (i32::from(width) + by).clamp(1, 1000) as u16;
        match self.focus {
            Focus::Tree => self.pane_user.0 = Some(grow(tree.width, by)),
            Focus::List => self.pane_user.1 = Some(grow(list.width, by)),
            Focus::Body => self.pane_user.1 = Some(grow(list.width, -by)),
        }
        // Keep what the user sees as what is kept: the widths as the screen allowed them.
        let shown = self.panes();
        self.pane_user.0 = shown.tree.map(|t| t.width).or(self.pane_user.0);
        self.pane_user.1 = shown.list.map(|l| l.width).or(self.pane_user.1);
    }

    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.sync();
    }

    /// A key press: resolved through the key map (or the help overlay's own keys).
    pub fn handle_key(&mut self, event: KeyEvent) {
        if event.kind == KeyEventKind::Release {
            return;
        }
        let key = Key::from_event(event);
        // The user has moved: an earlier run's place still waiting for its item is dropped.
        self.pending_place = None;
        self.chosen = true;
        if let Some(confirm) = self.confirm.take() {
            self.answer(confirm, key);
            return;
        }
        let action = self.keymap.resolve(key);
        if self.note_prompt.is_some() {
            self.status = None;
            self.type_note(key);
            self.sync();
            return;
        }
        if self.visual.is_some() {
            self.status = None;
            self.visual_key(key, action);
            self.sync();
            return;
        }
        if self.picker.is_some() {
            self.status = None;
            self.use_picker(key, action);
            self.sync();
            return;
        }
        if self.help.is_some() {
            self.update_help(action);
            return;
        }
        if self.find.as_ref().is_some_and(|f| f.typing) {
            self.status = None;
            self.type_in_find(key);
            self.sync();
            return;
        }
        if self.search.as_ref().is_some_and(|s| s.typing) && self.focus == Focus::List {
            self.status = None;
            self.type_in_search(key, action);
            self.sync();
            return;
        }
        self.status = None;
        if self.search.is_some() && self.focus == Focus::List && types_into_query(key, action) {
            // A letter among results refines the query (as in fzf): a word typed after
            // looking at a result never edits, marks or stars anything.
            if let Some(panel) = &mut self.search {
                panel.typing = true;
                panel.cursor = panel.input.len();
            }
            self.type_in_search(key, action);
            self.sync();
            return;
        }
        if let Some(action) = action {
            self.update(action);
        }
    }

    fn update_help(&mut self, action: Option<Action>) {
        let Some(scroll) = self.help.as_mut() else {
            return;
        };
        match action {
            Some(Action::Down) => *scroll += 1,
            Some(Action::Up) => *scroll = scroll.saturating_sub(1),
            Some(Action::PageDown | Action::HalfPageDown | Action::Toggle) => *scroll += 10,
            Some(Action::PageUp | Action::HalfPageUp) => *scroll = scroll.saturating_sub(10),
            Some(Action::Top) => *scroll = 0,
            // The overlay clamps this to its last page.
            Some(Action::Bottom) => *scroll = usize::MAX / 2,
            Some(Action::Quit)
                if self
                    .keymap
                    .keys_for(Action::Quit)
                    .iter()
                    .any(|k| k.modifiers.is_empty()) =>
            {
                self.help = None
            }
            Some(Action::Quit) => self.should_quit = true,
            _ => self.help = None,
        }
    }

    /// Carries out one action.
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Quit => self.should_quit = true,
            Action::Help => self.help = Some(0),
            Action::Down => self.move_by(1),
            Action::Up => self.move_by(-1),
            Action::Top => self.move_to(0),
            Action::Bottom => self.move_to(usize::MAX),
            Action::PageDown => self.move_by(self.page_height() as isize),
            Action::PageUp => self.move_by(-(self.page_height() as isize)),
            Action::HalfPageDown => self.scroll_body((self.body_height() / 2).max(1) as isize),
            Action::HalfPageUp => self.scroll_body(-((self.body_height() / 2).max(1) as isize)),
            Action::Left => self.left(),
            Action::Right => self.right(),
            Action::Open => self.open(),
            Action::Toggle => match self.focus {
                Focus::Tree => self.tree.toggle(&self.library),
                Focus::List => self.open(),
                Focus::Body => {
                    self.scroll_body(self.body_height().saturating_sub(2).max(1) as isize)
                }
            },
            // While searching the tree is folded away: Tab goes between results and body.
            Action::FocusNext | Action::FocusPrev if self.search.is_some() => {
                self.focus = match self.focus {
                    Focus::Body => Focus::List,
                    Focus::Tree | Focus::List => Focus::Body,
                }
            }
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Tree => Focus::List,
                    Focus::List => Focus::Body,
                    Focus::Body => Focus::Tree,
                }
            }
            Action::FocusPrev => {
                self.focus = match self.focus {
                    Focus::Tree => Focus::Body,
                    Focus::List => Focus::Tree,
                    Focus::Body => Focus::List,
                }
            }
            // Back from an opened result is back to the results, where j/k move.
            Action::Back => match self.focus {
                // One level at a time: the word found in the page first.
                Focus::Body if self.find.is_some() => self.find = None,
                Focus::Body => self.focus = Focus::List,
                Focus::List if self.search.is_some() => self.close_search(),
                Focus::List => self.focus = Focus::Tree,
                Focus::Tree => {}
            },
            Action::OpenUrl => self.url_action(true),
            Action::CopyUrl => self.url_action(false),
            Action::Links => self.open_links(),
            Action::Outline => self.open_outline(),
            Action::NextHeading => self.jump_heading(true),
            Action::PrevHeading => self.jump_heading(false),
            Action::ToggleRead => self.toggle_read(),
            Action::MarkAllRead => self.ask_mark_all_read(),
            Action::Star => self.toggle_star(),
            Action::Select => self.start_visual(),
            Action::Undo => match self.reading.undo(&self.library) {
                Some(n) => {
                    self.set_status(format!("Undone: {n} item{} restored", plural(n)), false)
                }
                None => self.set_status("Nothing to undo.", false),
            },
            Action::UnreadOnly => self.toggle_unread_only(),
            Action::NextUnread => self.jump_unread(true),
            Action::PrevUnread => self.jump_unread(false),
            Action::Suspend => self.effects.push(Effect::Suspend),
            Action::Edit => self.edit(),
            Action::Narrower => self.resize_pane(-2),
            Action::Wider => self.resize_pane(2),
            Action::ResetPanes => {
                self.pane_user = (None, None);
                self.set_status("Panes sized to their names and titles.", false);
            }
            Action::Reveal => self.reveal(),
            Action::SyncFeeds => self.effects.push(Effect::SyncFeeds),
            Action::Archive => self.archive_selected(),
            Action::Reload => {
                self.effects.push(Effect::Reload);
                self.set_status("Reloading…", false);
            }
            // In the body `/` finds in the page, as in less; elsewhere it searches everything.
            Action::Search if self.focus == Focus::Body => self.start_find(),
            Action::Search => self.open_search(),
            Action::Related => self.search_related(),
            Action::NextMatch | Action::PrevMatch => {
                let forward = action == Action::NextMatch;
                let height = self.body_height();
                match self.body.step_match(forward, height) {
                    None => self.set_status("No search matches here; / searches.", false),
                    Some(body::Step::Wrapped) => self.set_status(
                        if forward {
                            "search wrapped to the top"
                        } else {
                            "search wrapped to the bottom"
                        },
                        false,
                    ),
                    Some(body::Step::Moved) => {}
                }
            }
        }
        self.sync();
    }

    fn left(&mut self) {
        match self.focus {
            Focus::Tree => self.tree.collapse_or_parent(&self.library),
            Focus::List if self.search.is_some() => {
                self.set_status("Esc closes the search; / edits the query.", false)
            }
            Focus::List => self.focus = Focus::Tree,
            Focus::Body => self.focus = Focus::List,
        }
    }

    fn right(&mut self) {
        match self.focus {
            Focus::Tree => {
                if !self.tree.expand(&self.library) {
                    self.focus = Focus::List;
                }
            }
            Focus::List => self.open(),
            Focus::Body => {}
        }
    }

    fn open(&mut self) {
        match self.focus {
            Focus::Tree => {
                let row = self.tree.rows.get(self.tree.selected).copied();
                if row.is_some_and(|r| r.has_children && !r.expanded) {
                    self.tree.expand(&self.library);
                } else {
                    self.focus = Focus::List;
                }
            }
            Focus::List | Focus::Body => self.open_selected(),
        }
    }

    fn move_by(&mut self, delta: isize) {
        self.move_in(self.focus, delta);
    }

    /// Moves the selection of a pane (the body scrolls).
    fn move_in(&mut self, pane: Focus, delta: isize) {
        match pane {
            Focus::Tree => {
                self.tree.selected = step(self.tree.selected, delta, self.tree.rows.len())
            }
            Focus::List => {
                let len = self.list_len();
                let selected = self.list_selected_mut();
                *selected = step(*selected, delta, len);
            }
            Focus::Body => self.scroll_body(delta),
        }
    }

    fn move_to(&mut self, index: usize) {
        match self.focus {
            Focus::Tree => self.tree.selected = index.min(self.tree.rows.len().saturating_sub(1)),
            Focus::List => {
                let last = self.list_len().saturating_sub(1);
                *self.list_selected_mut() = index.min(last);
            }
            Focus::Body => self.body.scroll = index.min(self.body.max_scroll(self.body_height())),
        }
    }

    fn scroll_body(&mut self, delta: isize) {
        let max = self.body.max_scroll(self.body_height());
        self.body.scroll = self.body.scroll.saturating_add_signed(delta).min(max);
    }

    fn url_action(&mut self, open: bool) {
        let url = match self.body.key {
            Some(PageKey::Item(i)) => self.library.items[i].url.clone(),
            _ => None,
        };
        let Some(url) = url else {
            self.set_status("This item has no url; f lists the links in its text.", true);
            return;
        };
        let dead_since = self
            .shelf
            .page(Some(&url))
            .filter(|p| p.meta.health == crate::archive::page::Health::Dead && !p.body.is_empty())
            .map(|p| crate::text::sanitize_line(crate::archive::day(&p.meta.checked)));
        self.open_or_copy(url, open);
        // The browser will likely find nothing: the copy saved before the link died is here.
        if open && let Some(checked) = dead_since {
            self.set_status(
                format!("This link was dead when checked on {checked}; its saved copy is below the item's text."),
                true,
            );
        }
    }

    /// Opens a url through the safe opener (only http, https and mailto), or copies it.
    fn open_or_copy(&mut self, url: String, open: bool) {
        if open {
            match check_url(&url) {
                Ok(()) => {
                    self.set_status(format!("Opening {url}"), false);
                    self.effects.push(Effect::OpenUrl(url));
                }
                Err(refusal) => self.set_status(format!("Not opening {url}: {refusal}"), true),
            }
        } else {
            self.set_status(format!("Copied {url}"), false);
            self.effects.push(Effect::CopyToClipboard(url));
        }
    }

    pub fn set_status(&mut self, text: impl Into<String>, error: bool) {
        self.status = Some(StatusMessage {
            text: text.into(),
            error,
        });
    }

    /// `a`: the item shown (or selected in the list) has its page saved in the background.
    fn archive_selected(&mut self) {
        // The item in view: the body's, or the one selected in the list or the results (not
        // whatever the list holds while the tree has the focus).
        let index = match (self.focus, self.body.key) {
            (Focus::Body, Some(PageKey::Item(i))) => Some(i),
            (Focus::List, _) => self.selected_item(),
            _ => None,
        };
        let library = Arc::clone(&self.library);
        let Some(item) = index.map(|i| &library.items[i]) else {
            self.set_status("Select a bookmark to save its page.", true);
            return;
        };
        let Some(url) = item.url.clone() else {
            self.set_status("This item has no link to save.", true);
            return;
        };
        if let Err(refusal) = check_url(&url) {
            self.set_status(format!("Not saving {url}: {refusal}"), true);
            return;
        }
        self.note(format!("Saving the page of {}…", item.title));
        self.effects.push(Effect::Archive {
            id: item.id.clone(),
            title: item.title.clone(),
            url,
        });
    }

    /// The saved pages, read again (at the start, after a change, after `a`): pages are laid
    /// out again with them, and the search asked again.
    pub fn shelf_loaded(&mut self, shelf: Arc<crate::archive::Shelf>) {
        // No saved pages before or now (most libraries): nothing to lay out again.
        if shelf.is_empty() && self.shelf.is_empty() {
            return;
        }
        self.shelf = shelf;
        self.body.forget_pages();
        self.sync();
        self.search_again();
    }

    /// A note from a background task (a feed sync's progress and summary).
    pub fn note(&mut self, text: impl Into<String>) {
        self.set_status(text, false);
        self.noted_at = Some(std::time::Instant::now());
    }

    /// Brings dependent state up to date after a change: the list follows the tree, the body
    /// follows the focus and selection, and every selection stays on screen.
    fn sync(&mut self) {
        // Highlights came or went (kept here, or from another process): the Highlights
        // node's list follows at once.
        if self.reading.highlights_version != self.pages_highlights_version
            && self.list.category == tree::HIGHLIGHTS
        {
            self.list.invalidate();
        }
        let any_starred = self.reading.starred_counts().1 > 0;
        let any_highlighted = self.reading.highlighted_counts().1 > 0;
        self.tree
            .show_views(&self.library, any_starred, any_highlighted);
        let (library, reading) = (&self.library, &self.reading);
        self.list.show(
            library,
            self.tree.selected_id(),
            &|c| members(library, reading, c),
            &|i| reading.is_read(i),
        );
        self.tree_need = (self.tree_need(), self.library_generation);
        let panes = self.panes();
        let height = |area: Option<Rect>| {
            area.map_or(self.size.height.saturating_sub(3), |a| inner(a).height)
        };
        self.tree.offset = keep_visible(
            self.tree.selected,
            self.tree.offset,
            usize::from(height(panes.tree)),
            self.tree.rows.len(),
        );
        self.list.offset = keep_visible(
            self.list.selected,
            self.list.offset,
            usize::from(height(panes.list)),
            self.list.items.len(),
        );
        if let Some(picker) = &mut self.picker {
            let rows = picker::picker_rows(picker::picker_area(self.size, picker.rows.len()));
            picker.offset = keep_visible(picker.selected, picker.offset, rows, picker.rows.len());
        }
        if let Some(panel) = &mut self.search {
            // One input row, then the results.
            let area = panes.list.map(inner).unwrap_or_default();
            let rows = usize::from(area.height).saturating_sub(1);
            panel.keep_selected_visible(usize::from(area.width), rows.max(1));
        }
        let key = match (self.focus, self.selected_item()) {
            (Focus::List | Focus::Body, Some(item)) => PageKey::Item(item),
            _ => PageKey::Category(self.tree.selected_id()),
        };
        let area = panes.body.map(body_text_area).unwrap_or_default();
        if self.reading.version != self.pages_read_version {
            self.pages_read_version = self.reading.version;
            self.body.forget_category_pages();
        }
        if self.reading.highlights_version != self.pages_highlights_version {
            self.pages_highlights_version = self.reading.highlights_version;
            self.body.forget_pages();
        }
        // Big bodies are laid out off the input thread; a stand-in page shows meanwhile.
        let defer = match key {
            PageKey::Item(i) if self.library.items[i].body.len() > DEFER_BODY_BYTES => Some(
                crate::render::page::placeholder_page(&self.library, i, &self.theme, area.width),
            ),
            _ => None,
        };
        let before = (
            self.body.key,
            self.body.scroll,
            self.body.page.as_ref().map(|p| (p.width, p.lines.len())),
        );
        // Only a page being shown anew takes an earlier run's position: no look-up per key.
        let remembered = match key {
            PageKey::Item(i) if self.body.key != Some(key) => self.remembered_position(i),
            _ => None,
        };
        let (library, theme, reading) = (&self.library, &self.theme, &self.reading);
        let shelf = &self.shelf;
        let requested = self.body.show(
            key,
            area.width,
            usize::from(area.height),
            defer,
            remembered,
            |key, width| match key {
                PageKey::Item(i) => {
                    let saved = shelf.page(library.items[i].url.as_deref());
                    let mut page = crate::render::item_page_saved(library, i, saved, theme, width);
                    paint_highlights(&mut page, library, reading, theme);
                    page
                }
                PageKey::Category(tree::HIGHLIGHTS) => {
                    highlights_page(library, reading, key, theme, width)
                }
                PageKey::Category(c) if !tree::is_category(c) => {
                    crate::render::starred_page(key, reading.starred_counts(), theme, width)
                }
                PageKey::Category(c) => crate::render::category_page(
                    library,
                    c,
                    &|id: CategoryId| reading.unread_in(id),
                    theme,
                    width,
                ),
            },
        );
        if let (Some(PageKey::Item(i)), scroll, Some((width, lines))) = before
            && before.0 != self.body.key
        {
            self.left_item(i, scroll, width, lines);
        }
        // An item shown from the Highlights node opens at its first passage kept (once its
        // page is laid out), unless the reader was in it before.
        if before.0 != self.body.key
            && self.list.category == tree::HIGHLIGHTS
            && self.search.is_none()
            && remembered.is_none()
        {
            self.to_first_kept = self.body.key;
        }
        if let Some(page) = self.body.page.as_ref().filter(|_| !self.body.placeholder)
            && self.to_first_kept == Some(page.key)
        {
            self.to_first_kept = None;
            if let Some(first) = page.kept.first() {
                let height = usize::from(area.height);
                self.body.scroll = first
                    .start
                    .0
                    .saturating_sub(height / 3)
                    .min(self.body.max_scroll(height));
            }
        }
        if requested {
            self.effects.push(Effect::Render {
                key,
                width: area.width,
                theme: Box::new(self.theme.clone()),
                library: Shared(Arc::clone(&self.library)),
                shelf: Shared(Arc::clone(&self.shelf)),
                generation: self.library_generation,
            });
        }
        // A selection lives on its item's page, in the body.
        if self.visual.as_ref().is_some_and(|s| {
            self.focus != Focus::Body
                || self.body.key != Some(PageKey::Item(s.item))
                || self.body.page.as_ref().is_some_and(|p| p.width != s.width)
        }) {
            self.visual = None;
        }
        self.follow_search();
        let style = self.theme.search_match;
        self.body.mark(style, usize::from(area.height));
    }

    /// The item selected in the list, or in the search results while search is open.
    pub fn selected_item(&self) -> Option<usize> {
        match &self.search {
            Some(panel) => panel.selected_item(),
            None => self.list.selected_item(),
        }
    }

    fn list_len(&self) -> usize {
        match &self.search {
            Some(panel) => panel.results.hits.len(),
            None => self.list.items.len(),
        }
    }

    fn list_selected_mut(&mut self) -> &mut usize {
        match &mut self.search {
            Some(panel) => &mut panel.selected,
            None => &mut self.list.selected,
        }
    }

    /// Shows the selected item in the body and focuses it.
    fn open_selected(&mut self) {
        let Some(item) = self.selected_item() else {
            return;
        };
        // The text was read at load; say so when its file has gone since (a root unmounted,
        // a file moved), rather than pretend.
        let source = &self.library.items[item].source.path;
        if !source.starts_with(crate::content::source::BUNDLED)
            && std::fs::metadata(source).is_err()
        {
            let path = crate::text::sanitize_line(&source.display().to_string());
            self.set_status(
                format!(
                    "Unavailable: {path} is gone or unreadable; this is the copy read at start."
                ),
                true,
            );
        }
        self.focus = Focus::Body;
        if let Some(panel) = &mut self.search {
            panel.typing = false;
        }
        self.mark_opened();
    }

    /// While search is open the body previews the selected result with the query's words
    /// painted, scrolled to its best match the first time it is shown (for each query).
    fn follow_search(&mut self) {
        if let Some(find) = &self.find {
            self.body.set_highlight(Some(Arc::clone(&find.highlighter)));
            return;
        }
        let Some(panel) = &mut self.search else {
            self.body.set_highlight(None);
            return;
        };
        let item = panel.selected_item();
        if item.is_none() {
            self.body.set_highlight(None);
            panel.previewed = None;
            return;
        }
        if self
            .body
            .set_highlight(Some(Arc::clone(&panel.results.highlighter)))
        {
            panel.previewed = None;
        }
        if panel.previewed != item {
            panel.previewed = item;
            self.body.jump_to_match = true;
            // The preview points where the result's snippet comes from: a description's
            // words are in the header's About, a body line's in the body.
            self.body.jump_to_header = panel
                .results
                .hits
                .get(panel.selected)
                .and_then(|hit| hit.snippet.as_ref())
                .is_some_and(|snippet| snippet.line.is_none());
        }
    }

    pub fn body_height(&self) -> usize {
        self.panes()
            .body
            .map_or(usize::from(self.size.height.saturating_sub(3)), |a| {
                usize::from(inner(a).height)
            })
    }

    fn page_height(&self) -> usize {
        let panes = self.panes();
        let area = match self.focus {
            Focus::Tree => panes.tree,
            Focus::List => panes.list,
            Focus::Body => panes.body,
        };
        area.map_or(10, |a| usize::from(inner(a).height))
            .saturating_sub(1)
            .max(1)
    }

    /// The page the body shows, if it has been laid out.
    pub fn page(&self) -> Option<&Page> {
        self.body.page.as_deref()
    }
}

/// Where the body's text goes inside its pane: within the border, with a column of air on
/// each side when the pane is wide enough to spare it.
impl App {
    /// A node of the tree's name: a category's, "Starred" or "Highlights".
    pub fn node_name(&self, id: CategoryId) -> &str {
        match id {
            tree::STARRED => "Starred",
            tree::HIGHLIGHTS => "Highlights",
            _ => &self.library.category(id).name,
        }
    }

    /// (unread, all) items of a node of the tree.
    /// The columns the tree's widest row asks for, open or not (so opening a folder does not
    /// move the panes): indent, arrow, name, counts, the pane's borders. One pass over the
    /// categories, once per library.
    fn tree_need(&self) -> u16 {
        if self.tree_need.1 == self.library_generation && self.tree_need.0 > 0 {
            return self.tree_need.0;
        }
        let digits = |n: usize| n.checked_ilog10().map_or(1, |d| d as usize + 1);
        let lib = &self.library;
        let mut depth = vec![0usize; lib.categories.len()];
        let mut widest = 0;
        // Parents come before their children in the category table.
        for (i, category) in lib.categories.iter().enumerate() {
            if let Some(parent) = category.parent {
                depth[i] = depth.get(parent.0).map_or(0, |d| d + 1);
            }
            let name = crate::render::wrap::display_width(&category.name);
            widest = widest.max(2 * depth[i] + 2 + name + 2 + 2 * digits(category.total) + 1 + 2);
        }
        widest.min(usize::from(u16::MAX)) as u16
    }

    pub fn node_counts(&self, id: CategoryId) -> (usize, usize) {
        match id {
            tree::STARRED => self.reading.starred_counts(),
            tree::HIGHLIGHTS => self.reading.highlighted_counts(),
            _ => (self.reading.unread_in(id), self.library.category(id).total),
        }
    }
}

/// The items of a node of the tree: a category's and its descendants', the starred ones or
/// those holding a highlight.
pub fn members(library: &Library, reading: &Reading, category: CategoryId) -> Vec<usize> {
    match category {
        tree::STARRED => reading.starred(),
        tree::HIGHLIGHTS => reading.highlighted(),
        _ => library.items_under(category),
    }
}

/// An item's page with the passages kept in it painted, and their notes under them.
pub fn paint_highlights(page: &mut Page, library: &Library, reading: &Reading, theme: &Theme) {
    let PageKey::Item(item) = page.key else {
        return;
    };
    let Some(it) = library.items.get(item) else {
        return;
    };
    if !reading
        .highlighted_flags()
        .get(item)
        .copied()
        .unwrap_or(false)
    {
        return;
    }
    let highlights = reading.highlights_of(&it.id);
    // Each found where its words stand in the item now (a typo fixed inside it, text added
    // above), then painted as that text: the page agrees with `quire highlights` on which
    // passages are there and which are orphaned.
    let kept: Vec<crate::render::kept::Kept<'_>> = highlights
        .iter()
        .filter_map(|(key, h)| {
            let (text, range) = h.find_in(it)?;
            let before = &text[..range.start];
            Some(crate::render::kept::Kept {
                key,
                quote: &text[range],
                prefix: crate::state::highlights::tail(before, crate::state::highlights::CONTEXT),
                note: h.note.as_deref(),
            })
        })
        .collect();
    crate::render::kept::paint_kept(page, &kept, theme);
}

/// The Highlights node's page: every passage kept, item by item, with its note, and those
/// whose words are gone from their item said to be.
fn highlights_page(
    library: &Library,
    reading: &Reading,
    key: PageKey,
    theme: &Theme,
    width: u16,
) -> Page {
    let mut entries = Vec::new();
    for item in reading.highlighted() {
        let it = &library.items[item];
        let mut placed: Vec<(usize, &crate::state::Highlight)> = reading
            .highlights_of(&it.id)
            .into_iter()
            .map(|(_, h)| {
                let at = match h.find_in(it) {
                    Some((text, r)) if std::ptr::eq(text, &*it.body) => r.start + 1,
                    Some(_) => 0,
                    None => usize::MAX,
                };
                (at, h)
            })
            .collect();
        // In the order they stand in the item (the description's first), orphaned ones last.
        placed.sort_by_key(|(at, _)| *at);
        let kept = placed
            .into_iter()
            .map(|(at, h)| {
                let found = at != usize::MAX;
                // As the page shows it: its words without the markdown's marks.
                let words = h.quote.split_whitespace().collect::<Vec<_>>().join(" ");
                let shown = crate::search::snippet::plain_line(&words);
                let quote = if shown.trim().is_empty() {
                    words
                } else {
                    shown
                };
                (quote, h.note.clone(), found)
            })
            .collect();
        entries.push((it.title.clone(), kept));
    }
    crate::render::page::highlights_page(key, &entries, theme, width)
}

/// Whether a key pressed among search results goes to the query: any plain printable key
/// but the few that work the results (moving, opening, back, `/`, help, quit).
fn types_into_query(key: Key, action: Option<Action>) -> bool {
    use crossterm::event::{KeyCode, KeyModifiers};
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    let printable = matches!(key.code, KeyCode::Char(c) if !c.is_control() && c != ' ');
    let works_results = matches!(
        action,
        Some(
            Action::Down
                | Action::Up
                | Action::Top
                | Action::Bottom
                | Action::PageDown
                | Action::PageUp
                | Action::HalfPageDown
                | Action::HalfPageUp
                | Action::Left
                | Action::Right
                | Action::Open
                | Action::Toggle
                | Action::FocusNext
                | Action::FocusPrev
                | Action::Back
                | Action::Search
                | Action::Reveal
                | Action::Related
                | Action::Help
                | Action::Quit
        )
    );
    plain && printable && !works_results
}

/// The smallest screen (columns, rows) the reader draws its panes on: a pane's border and
/// a line of text, and the status bar.
pub const MIN_SIZE: (u16, u16) = (20, 5);

pub fn body_text_area(pane: Rect) -> Rect {
    let inside = inner(pane);
    if inside.width >= 24 {
        Rect {
            x: inside.x + 1,
            width: inside.width - 2,
            ..inside
        }
    } else {
        inside
    }
}

/// Bodies bigger than this are laid out on a worker thread, so the keys never wait for them.
pub const DEFER_BODY_BYTES: usize = 64 * 1024;

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn step(current: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    current.saturating_add_signed(delta).min(len - 1)
}

/// The offset that keeps `selected` within a window of `height` rows starting at `offset`.
/// The first row to show so that `selected` is on screen, scrolling as little as possible,
/// and never leaving rows empty at the bottom that earlier rows could fill (a pane grown
/// back after being tiny shows from the top again).
fn keep_visible(selected: usize, offset: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return offset;
    }
    let offset = offset.min(len.saturating_sub(height));
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}
