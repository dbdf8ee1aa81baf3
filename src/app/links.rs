//! The link picker (`f`): the shown item's own url, then every link of its body by the number
//! it carries in the text, to open (through the same safe opener as `o`) or copy.

use super::*;
use crate::render::links::Link;

/// One row of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerRow {
    /// The number the link carries in the body; `None` for the item's own url.
    pub number: Option<usize>,
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPicker {
    pub rows: Vec<PickerRow>,
    pub selected: usize,
    pub offset: usize,
    /// Digits typed so far: a link's number.
    pub typed: String,
}

impl LinkPicker {
    pub fn new(item_url: Option<&str>, links: &[Link]) -> LinkPicker {
        let mut rows: Vec<PickerRow> = item_url
            .map(|url| PickerRow {
                number: None,
                text: "this item".to_string(),
                url: url.to_string(),
            })
            .into_iter()
            .collect();
        rows.extend(links.iter().enumerate().map(|(n, link)| PickerRow {
            number: Some(n + 1),
            text: if link.image {
                format!("image: {}", link.text)
            } else {
                link.text.clone()
            },
            url: link.url.clone(),
        }));
        LinkPicker {
            rows,
            selected: 0,
            offset: 0,
            typed: String::new(),
        }
    }

    /// A digit typed: selects the link with the number typed so far (a number no link has
    /// starts again from this digit).
    pub fn type_digit(&mut self, digit: char) {
        self.typed.push(digit);
        if self.select_number().is_none() {
            self.typed = digit.to_string();
            self.select_number();
        }
    }

    fn select_number(&mut self) -> Option<usize> {
        let wanted: usize = self.typed.parse().ok()?;
        let row = self.rows.iter().position(|r| r.number == Some(wanted))?;
        self.selected = row;
        Some(row)
    }

    pub fn selected_row(&self) -> Option<&PickerRow> {
        self.rows.get(self.selected)
    }
}

/// Where the picker is drawn on a screen: centred, as tall as its rows need (plus the border
/// and a line of keys), at most the screen less a margin.
pub fn picker_area(screen: Rect, rows: usize) -> Rect {
    let width = screen
        .width
        .saturating_sub(4)
        .clamp(1, 110)
        .min(screen.width);
    let height = (rows as u16)
        .saturating_add(3)
        .min(screen.height.saturating_sub(2).max(1));
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    }
}

/// Rows of links the picker shows at once in `area`.
pub fn picker_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3)).max(1)
}

impl App {
    /// `f`: the picker for the item in the body.
    pub(super) fn open_links(&mut self) {
        let Some(PageKey::Item(item)) = self.body.key else {
            self.set_status("No item is shown: open one to pick its links.", false);
            return;
        };
        if self.body.placeholder {
            self.set_status(
                "This body is still being laid out; its links come with it.",
                false,
            );
            return;
        }
        let links = self.page().map(|p| p.links.clone()).unwrap_or_default();
        let picker = LinkPicker::new(self.library.items[item].url.as_deref(), &links);
        if picker.rows.is_empty() {
            self.set_status("This item has no links.", false);
            return;
        }
        self.links = Some(picker);
    }

    /// A key while the picker is open.
    pub(super) fn pick_link(&mut self, key: Key, action: Option<Action>) {
        use crossterm::event::KeyCode;
        let Some(picker) = &mut self.links else {
            return;
        };
        let last = picker.rows.len().saturating_sub(1);
        match (key.code, action) {
            (KeyCode::Char(d), _) if d.is_ascii_digit() && key.modifiers.is_empty() => {
                picker.type_digit(d)
            }
            (KeyCode::Backspace, _) => {
                picker.typed.pop();
            }
            (KeyCode::Enter, _) | (_, Some(Action::Open | Action::OpenUrl)) => {
                if let Some(row) = picker.selected_row().cloned() {
                    self.links = None;
                    self.open_or_copy(row.url, true);
                }
            }
            (KeyCode::Char('y'), _) | (_, Some(Action::CopyUrl)) => {
                if let Some(row) = picker.selected_row().cloned() {
                    self.links = None;
                    self.open_or_copy(row.url, false);
                }
            }
            (_, Some(Action::Down)) => picker.selected = (picker.selected + 1).min(last),
            (_, Some(Action::Up)) => picker.selected = picker.selected.saturating_sub(1),
            (_, Some(Action::PageDown | Action::HalfPageDown)) => {
                picker.selected = (picker.selected + 10).min(last)
            }
            (_, Some(Action::PageUp | Action::HalfPageUp)) => {
                picker.selected = picker.selected.saturating_sub(10)
            }
            (_, Some(Action::Top)) => picker.selected = 0,
            (_, Some(Action::Bottom)) => picker.selected = last,
            (KeyCode::Char('c'), _)
                if key
                    .modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL) =>
            {
                self.should_quit = true
            }
            (_, Some(Action::Back | Action::Quit | Action::Links)) | (KeyCode::Esc, _) => {
                self.links = None
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(n: usize) -> Link {
        Link {
            text: format!("link {n}"),
            url: format!("https://example.org/{n}"),
            image: false,
        }
    }

    #[test]
    fn the_item_url_comes_first_and_numbers_select_links() {
        let links: Vec<Link> = (1..=12).map(link).collect();
        let mut p = LinkPicker::new(Some("https://item.org"), &links);
        assert_eq!(p.rows[0].number, None);
        assert_eq!(p.rows[1].number, Some(1));
        p.type_digit('2');
        assert_eq!(p.selected_row().unwrap().url, "https://example.org/2");
        // 1 then 2 is twelve.
        p.typed.clear();
        p.type_digit('1');
        p.type_digit('2');
        assert_eq!(p.selected_row().unwrap().url, "https://example.org/12");
        // No link 123: the 3 starts a new number.
        p.type_digit('3');
        assert_eq!(p.selected_row().unwrap().number, Some(3));
        assert_eq!(p.typed, "3");
    }
}
