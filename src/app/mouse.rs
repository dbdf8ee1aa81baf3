//! The mouse: a click focuses a pane and selects a row (a second click opens it), the wheel
//! scrolls the pane under the pointer.

use crossterm::event::KeyCode;

use super::*;

impl App {
    /// A mouse event: clicks focus and select, the wheel scrolls the pane under the pointer.
    pub fn handle_mouse(&mut self, event: MouseEvent) {
        if self.confirm.is_some() {
            return;
        }
        if self.picker.is_some() {
            match event.kind {
                MouseEventKind::ScrollDown => {
                    self.use_picker(Key::plain(KeyCode::Down), Some(Action::Down))
                }
                MouseEventKind::ScrollUp => {
                    self.use_picker(Key::plain(KeyCode::Up), Some(Action::Up))
                }
                MouseEventKind::Down(_) => self.picker = None,
                _ => return,
            }
            self.sync();
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
        if self.drag_border(event) {
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
        if matches!(
            event.kind,
            MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp
        ) {
            // A click or a scroll is a move: an earlier run's place no longer applies.
            self.pending_place = None;
            self.chosen = true;
        }
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
                            // Search results sit under the input line, a few rows each.
                            let index = match &self.search {
                                Some(_) if row == 0 => usize::MAX,
                                Some(panel) => panel
                                    .result_at_row(row - 1, usize::from(content.width))
                                    .unwrap_or(usize::MAX),
                                None => self.list.offset + row,
                            };
                            if let Some(panel) = &mut self.search {
                                panel.typing = row == 0;
                            }
                            if index < self.list_len() {
                                let again = index == *self.list_selected_mut();
                                *self.list_selected_mut() = index;
                                if again {
                                    self.open_selected();
                                }
                            }
                        }
                        Focus::Body => {
                            // A press is where a drag's selection starts.
                            self.visual = None;
                            self.drag_from = self.spot_at(event.column, event.row);
                        }
                    }
                }
            }
            MouseEventKind::Drag(MouseButton::Left) if pane == Focus::Body => {
                if let Some(to) = self.spot_at(event.column, event.row) {
                    let from = self.drag_from.take();
                    self.drag_select(from, to);
                    if self.visual.is_some() {
                        self.set_status(
                            "Enter keeps the passage (with a note), y copies it, Esc leaves.",
                            false,
                        );
                    }
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let delta = if event.kind == MouseEventKind::ScrollDown {
                    3
                } else {
                    -3
                };
                self.move_in(pane, delta);
            }
            _ => return,
        }
        self.sync();
    }

    /// A border between the tree and the list, or the list and the body, grabbed and dragged
    /// with the left button: the pane on its left takes the width up to the pointer. Whether
    /// the event was that.
    fn drag_border(&mut self, event: MouseEvent) -> bool {
        let panes = self.panes();
        let (Some(tree), Some(list), Some(_)) = (panes.tree, panes.list, panes.body) else {
            self.dragging = None;
            return false;
        };
        match event.kind {
            MouseEventKind::Down(MouseButton::Left)
                if event.row >= tree.y && event.row < tree.bottom() =>
            {
                let x = event.column;
                self.dragging = if x + 1 == tree.right() || x == list.x {
                    Some(true)
                } else if x + 1 == list.right() || x == list.right() {
                    Some(false)
                } else {
                    None
                };
                if self.dragging.is_some() {
                    self.pending_place = None;
                }
                self.dragging.is_some()
            }
            MouseEventKind::Drag(MouseButton::Left) => match self.dragging {
                Some(tree_border) => {
                    let to = event.column + 1;
                    if tree_border {
                        self.pane_user.0 = Some(to.saturating_sub(tree.x));
                    } else {
                        self.pane_user.1 = Some(to.saturating_sub(list.x));
                    }
                    // What is kept is what shows: the widths as the screen allowed them.
                    let shown = self.panes();
                    self.pane_user = (shown.tree.map(|t| t.width), shown.list.map(|l| l.width));
                    self.sync();
                    true
                }
                None => false,
            },
            MouseEventKind::Up(MouseButton::Left) => self.dragging.take().is_some(),
            _ => false,
        }
    }
}
