//! The reader's state and its one entry point for change, [`App::update`].
//!
//! Keys are resolved to actions by the [`KeyMap`]; mouse events arrive with their screen
//! position. Both change the state here and nothing else: things the outside world must do
//! (open a browser, write to the clipboard) are queued as [`Effect`]s for the runtime.

pub mod action;
pub mod body;
pub mod keymap;
pub mod layout;
pub mod list;
pub mod reading;
pub mod tree;

use std::sync::Arc;

use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

pub use action::Action;
use body::Body;
pub use keymap::{Key, KeyMap};
use layout::{PaneWidths, Panes, inner, panes};
use list::ItemList;
use reading::Reading;
use tree::Tree;

use crate::config::{MarkRead, SortOrder};
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
}

/// A question waiting for y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    MarkAllRead { category: CategoryId, count: usize },
}

/// What the config decides about the reader.
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
    pub status: Option<StatusMessage>,
    pub size: Rect,
    pub should_quit: bool,
    effects: Vec<Effect>,
}

impl App {
    pub fn new(library: Arc<Library>, settings: Settings, state: ReadState, size: Rect) -> App {
        let tree = Tree::new(&library);
        let list = ItemList::new(&library, tree.selected_id(), settings.sort);
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
            status: None,
            size,
            should_quit: false,
            effects: Vec::new(),
        };
        app.sync();
        app
    }

    pub fn panes(&self) -> Panes {
        panes(self.size, self.focus, self.pane_widths)
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
        if let Some(confirm) = self.confirm.take() {
            self.answer(confirm, key);
            return;
        }
        let action = self.keymap.resolve(key);
        if self.help.is_some() {
            self.update_help(action);
            return;
        }
        self.status = None;
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
            Action::Back => match self.focus {
                Focus::Body => self.focus = Focus::List,
                Focus::List => self.focus = Focus::Tree,
                Focus::Tree => {}
            },
            Action::OpenUrl => self.url_action(true),
            Action::CopyUrl => self.url_action(false),
            Action::ToggleRead => self.toggle_read(),
            Action::MarkAllRead => self.ask_mark_all_read(),
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
        }
        self.sync();
    }

    /// The item the read actions apply to: the one in the body, else the list's selection.
    fn current_item(&self) -> Option<usize> {
        match (self.focus, self.body.key) {
            (Focus::Body, Some(PageKey::Item(i))) => Some(i),
            (Focus::Tree, _) => None,
            _ => self.list.selected_item(),
        }
    }

    fn toggle_read(&mut self) {
        let Some(item) = self.current_item() else {
            self.set_status(
                "Select an item to mark it; M marks a whole category.",
                false,
            );
            return;
        };
        let read = !self.reading.is_read(item);
        self.reading.set(&self.library, &[item], read);
        self.set_status(
            if read {
                "Marked read (u undoes)"
            } else {
                "Marked unread (u undoes)"
            },
            false,
        );
    }

    fn ask_mark_all_read(&mut self) {
        let category = match self.focus {
            Focus::Tree => self.tree.selected_id(),
            _ => self.list.category,
        };
        let count = self.reading.unread_in(category);
        if count == 0 {
            self.set_status("Everything here is already read.", false);
            return;
        }
        self.confirm = Some(Confirm::MarkAllRead { category, count });
    }

    fn answer(&mut self, confirm: Confirm, key: Key) {
        use crossterm::event::KeyCode;
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y') | KeyCode::Enter)
            && key.modifiers.is_empty();
        match confirm {
            Confirm::MarkAllRead { category, .. } if yes => {
                let items = self.library.items_under(category);
                let n = self.reading.set(&self.library, &items, true);
                let name = self.library.category(category).name.clone();
                self.set_status(
                    format!("Marked {n} item{} in {name} read (u undoes)", plural(n)),
                    false,
                );
            }
            Confirm::MarkAllRead { .. } => self.set_status("Nothing marked.", false),
        }
        self.sync();
    }

    fn toggle_unread_only(&mut self) {
        self.list.unread_only = !self.list.unread_only;
        if self.list.unread_only {
            let shown = (0..self.library.categories.len())
                .map(|c| c == 0 || self.reading.unread_in(CategoryId(c)) > 0)
                .collect();
            self.tree.filter(&self.library, Some(shown));
            self.set_status("Showing unread items only (U shows all)", false);
        } else {
            self.tree.filter(&self.library, None);
            self.set_status("Showing all items", false);
        }
        self.list.invalidate();
    }

    fn jump_unread(&mut self, forward: bool) {
        let list = &self.list;
        let unread = |(_, item): &(usize, &usize)| !self.reading.is_read(**item);
        let found = if forward {
            list.items
                .iter()
                .enumerate()
                .skip(list.selected + 1)
                .find(unread)
        } else {
            list.items
                .iter()
                .enumerate()
                .take(list.selected)
                .rev()
                .find(unread)
        };
        match found {
            Some((index, _)) => {
                self.list.selected = index;
                if self.focus == Focus::Tree {
                    self.focus = Focus::List;
                }
                if self.focus == Focus::Body {
                    self.mark_opened();
                }
            }
            None => self.set_status(
                if forward {
                    "No unread items below."
                } else {
                    "No unread items above."
                },
                false,
            ),
        }
    }

    /// Marks the item just opened in the body, when the config says opening reads it.
    fn mark_opened(&mut self) {
        if self.reading.mode == MarkRead::OnOpen
            && let Some(item) = self.list.selected_item()
            && !self.reading.is_read(item)
        {
            self.reading.set(&self.library, &[item], true);
        }
    }

    /// After a save: marks another Quire made meanwhile come in through the merged state.
    pub fn state_saved(&mut self, result: Result<ReadState, String>) {
        match result {
            Ok(merged) => {
                if self.reading.adopt(&self.library, &merged) > 0 {
                    self.list.invalidate();
                }
                if self
                    .status
                    .as_ref()
                    .is_some_and(|s| s.text.starts_with("Cannot save"))
                {
                    self.set_status("Read state saved.", false);
                }
            }
            Err(err) => {
                self.set_status(format!("Cannot save read state (will retry): {err}"), true)
            }
        }
        self.sync();
    }

    fn left(&mut self) {
        match self.focus {
            Focus::Tree => self.tree.collapse_or_parent(&self.library),
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
            Focus::List | Focus::Body => {
                if self.list.selected_item().is_some() {
                    self.focus = Focus::Body;
                    self.mark_opened();
                }
            }
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.focus {
            Focus::Tree => {
                self.tree.selected = step(self.tree.selected, delta, self.tree.rows.len())
            }
            Focus::List => {
                self.list.selected = step(self.list.selected, delta, self.list.items.len())
            }
            Focus::Body => self.scroll_body(delta),
        }
    }

    fn move_to(&mut self, index: usize) {
        match self.focus {
            Focus::Tree => self.tree.selected = index.min(self.tree.rows.len().saturating_sub(1)),
            Focus::List => self.list.selected = index.min(self.list.items.len().saturating_sub(1)),
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
            self.set_status("This item has no url.", true);
            return;
        };
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

    /// A mouse event: clicks focus and select, the wheel scrolls the pane under the pointer.
    pub fn handle_mouse(&mut self, event: MouseEvent) {
        if self.confirm.is_some() {
            return;
        }
        if self.help.is_some() {
            match event.kind {
                MouseEventKind::ScrollDown => self.update_help(Some(Action::Down)),
                MouseEventKind::ScrollUp => self.update_help(Some(Action::Up)),
                MouseEventKind::Down(_) => self.help = None,
                _ => {}
            }
            return;
        }
        let at = Position::new(event.column, event.row);
        let panes = self.panes();
        let hit = [
            (Focus::Tree, panes.tree),
            (Focus::List, panes.list),
            (Focus::Body, panes.body),
        ]
        .into_iter()
        .find_map(|(focus, area)| area.filter(|a| a.contains(at)).map(|a| (focus, a)));
        let Some((pane, area)) = hit else { return };
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                self.status = None;
                self.focus = pane;
                let content = inner(area);
                if content.contains(at) {
                    let row = usize::from(at.y - content.y);
                    match pane {
                        Focus::Tree => {
                            let index = self.tree.offset + row;
                            if index < self.tree.rows.len() {
                                let again = index == self.tree.selected;
                                self.tree.selected = index;
                                if again {
                                    self.tree.toggle(&self.library);
                                }
                            }
                        }
                        Focus::List => {
                            let index = self.list.offset + row;
                            if index < self.list.items.len() {
                                let again = index == self.list.selected;
                                self.list.selected = index;
                                if again {
                                    self.focus = Focus::Body;
                                    self.mark_opened();
                                }
                            }
                        }
                        Focus::Body => {}
                    }
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if event.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                match pane {
                    Focus::Tree => {
                        self.tree.selected = step(self.tree.selected, delta, self.tree.rows.len())
                    }
                    Focus::List => {
                        self.list.selected = step(self.list.selected, delta, self.list.items.len())
                    }
                    Focus::Body => self.scroll_body(delta),
                }
            }
            _ => return,
        }
        self.sync();
    }

    /// Brings dependent state up to date after a change: the list follows the tree, the body
    /// follows the focus and selection, and every selection stays on screen.
    fn sync(&mut self) {
        let reading = &self.reading;
        self.list
            .show(&self.library, self.tree.selected_id(), &|i| {
                reading.is_read(i)
            });
        let panes = self.panes();
        let height = |area: Option<Rect>| {
            area.map_or(self.size.height.saturating_sub(3), |a| inner(a).height)
        };
        self.tree.offset = keep_visible(
            self.tree.selected,
            self.tree.offset,
            usize::from(height(panes.tree)),
        );
        self.list.offset = keep_visible(
            self.list.selected,
            self.list.offset,
            usize::from(height(panes.list)),
        );
        let key = match (self.focus, self.list.selected_item()) {
            (Focus::List | Focus::Body, Some(item)) => PageKey::Item(item),
            _ => PageKey::Category(self.tree.selected_id()),
        };
        let area = panes.body.map(body_text_area).unwrap_or_default();
        let (library, theme, reading) = (&self.library, &self.theme, &self.reading);
        self.body.show(
            key,
            area.width,
            usize::from(area.height),
            |key, width| match key {
                PageKey::Item(i) => crate::render::item_page(library, i, theme, width),
                PageKey::Category(c) => crate::render::category_page(
                    library,
                    c,
                    &|id: CategoryId| reading.unread_in(id),
                    theme,
                    width,
                ),
            },
        );
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
fn keep_visible(selected: usize, offset: usize, height: usize) -> usize {
    if height == 0 {
        return selected;
    }
    if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    }
}
