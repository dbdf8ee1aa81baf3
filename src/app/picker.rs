//! The pickers over the body: `f` lists the shown item's own url and every link of its text
//! by the number it carries, to open (through the same safe opener as `o`) or copy, then its
//! code blocks, to jump to or copy (the code alone, as written); `t` lists its headings (a
//! category's sub-categories) to jump to. One popup, one set of keys.

use super::*;
use crate::render::links::Link;
use crate::render::markdown::CodeBlock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    Links,
    Outline,
}

/// Where a row leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Url(String),
    /// A line of the page shown.
    Line(usize),
    Category(CategoryId),
    /// A code block of the page shown: its first line, and its code.
    Code {
        line: usize,
        code: String,
    },
}

/// One row of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerRow {
    /// The number a link carries in the body; `None` for the item's own url and headings.
    pub number: Option<usize>,
    pub text: String,
    /// Indent (a heading's level less one).
    pub depth: usize,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickerKind,
    pub rows: Vec<PickerRow>,
    pub selected: usize,
    pub offset: usize,
    /// Digits typed so far: a link's number.
    pub typed: String,
}

impl Picker {
    fn new(kind: PickerKind, rows: Vec<PickerRow>) -> Picker {
        Picker {
            kind,
            rows,
            selected: 0,
            offset: 0,
            typed: String::new(),
        }
    }

    /// The item's own url first, then its links by number, then its code blocks.
    pub fn links(item_url: Option<&str>, links: &[Link], code: &[CodeBlock]) -> Picker {
        let mut rows: Vec<PickerRow> = item_url
            .map(|url| PickerRow {
                number: None,
                text: "this item".to_string(),
                depth: 0,
                target: Target::Url(url.to_string()),
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
            depth: 0,
            target: Target::Url(link.url.clone()),
        }));
        rows.extend(code.iter().map(|block| {
            let lines = block.code.lines().count();
            let s = if lines == 1 { "" } else { "s" };
            let first = block
                .code
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let kind = if block.label.is_empty() {
                "code".to_string()
            } else {
                format!("code · {}", block.label)
            };
            PickerRow {
                number: None,
                text: format!("{kind} ({lines} line{s}): {}", first.trim()),
                depth: 0,
                target: Target::Code {
                    line: block.lines.start,
                    code: block.code.clone(),
                },
            }
        }));
        Picker::new(PickerKind::Links, rows)
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

/// Rows under the list for the selected link's whole url (a row of the list cuts it).
pub const DETAIL_ROWS: u16 = 2;

/// Where a picker is drawn on a screen: centred, as tall as its rows need (plus the border,
/// the selected url whole and a line of keys), at most the screen less a margin.
pub fn picker_area(screen: Rect, rows: usize) -> Rect {
    let width = screen
        .width
        .saturating_sub(4)
        .clamp(1, 110)
        .min(screen.width);
    let height = (rows as u16)
        .saturating_add(3 + DETAIL_ROWS)
        .min(screen.height.saturating_sub(2).max(1));
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + (screen.height - height) / 2,
        width,
        height,
    }
}

/// Rows a picker shows at once in `area`.
pub fn picker_rows(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3 + DETAIL_ROWS)).max(1)
}

impl App {
    /// `f`: the links of the item in the body.
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
        let (links, code) = self
            .page()
            .map(|p| (p.links.clone(), p.code_blocks.clone()))
            .unwrap_or_default();
        let picker = Picker::links(self.library.items[item].url.as_deref(), &links, &code);
        if picker.rows.is_empty() {
            self.set_status("This item has no links.", false);
            return;
        }
        self.picker = Some(picker);
    }

    /// `t`: the headings of the item in the body, or the sub-categories of a category.
    pub(super) fn open_outline(&mut self) {
        let rows: Vec<PickerRow> = match self.body.key {
            Some(PageKey::Item(_)) => self
                .page()
                .map(|p| {
                    p.headings
                        .iter()
                        .map(|h| PickerRow {
                            number: None,
                            text: h.text.clone(),
                            depth: usize::from(h.level.saturating_sub(1)),
                            target: Target::Line(h.line),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Some(PageKey::Category(c)) => {
                let mut rows = Vec::new();
                self.outline_of(c, 0, &mut rows);
                rows
            }
            None => Vec::new(),
        };
        if rows.is_empty() {
            self.set_status("Nothing to outline here: no headings.", false);
            return;
        }
        let mut picker = Picker::new(PickerKind::Outline, rows);
        // Start at the heading the reader is in.
        let scroll = self.body.scroll;
        if let Some(at) = picker
            .rows
            .iter()
            .rposition(|r| matches!(r.target, Target::Line(l) if l <= scroll))
        {
            picker.selected = at;
        }
        self.picker = Some(picker);
    }

    /// A collection's sections: its sub-categories, and theirs, as an outline.
    fn outline_of(&self, category: CategoryId, depth: usize, rows: &mut Vec<PickerRow>) {
        if !super::tree::is_category(category) {
            return;
        }
        for &child in &self.library.category(category).children {
            rows.push(PickerRow {
                number: None,
                text: self.library.category(child).name.clone(),
                depth,
                target: Target::Category(child),
            });
            if depth < 3 {
                self.outline_of(child, depth + 1, rows);
            }
        }
    }

    /// A key while a picker is open.
    pub(super) fn use_picker(&mut self, key: Key, action: Option<Action>) {
        use crossterm::event::{KeyCode, KeyModifiers};
        let Some(picker) = &mut self.picker else {
            return;
        };
        let last = picker.rows.len().saturating_sub(1);
        let kind = picker.kind;
        match (key.code, action) {
            (KeyCode::Char(d), _)
                if d.is_ascii_digit() && key.modifiers.is_empty() && kind == PickerKind::Links =>
            {
                picker.type_digit(d)
            }
            (KeyCode::Backspace, _) => {
                picker.typed.pop();
            }
            (KeyCode::Enter, _) | (_, Some(Action::Open | Action::OpenUrl)) => {
                if let Some(row) = picker.selected_row().cloned() {
                    self.picker = None;
                    self.follow(row.target, true);
                }
            }
            (KeyCode::Char('y'), _) | (_, Some(Action::CopyUrl)) if kind == PickerKind::Links => {
                if let Some(row) = picker.selected_row().cloned() {
                    self.picker = None;
                    self.follow(row.target, false);
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
            (KeyCode::Char('c'), _) if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.should_quit = true
            }
            // The other picker's key goes to it; its own key, Esc or q close.
            (_, Some(Action::Links)) if kind == PickerKind::Outline => {
                self.picker = None;
                self.open_links();
            }
            (_, Some(Action::Outline)) if kind == PickerKind::Links => {
                self.picker = None;
                self.open_outline();
            }
            (_, Some(Action::Back | Action::Quit | Action::Links | Action::Outline))
            | (KeyCode::Esc, _) => self.picker = None,
            _ => {}
        }
    }

    /// Goes where a picked row leads: opens (or copies) a url, scrolls to a line, selects a
    /// category.
    fn follow(&mut self, target: Target, open: bool) {
        match target {
            Target::Url(url) => self.open_or_copy(url, open),
            Target::Line(line) => {
                self.focus = Focus::Body;
                self.body.scroll = line.min(self.body.max_scroll(self.body_height()));
            }
            Target::Category(id) => {
                let library = Arc::clone(&self.library);
                self.tree.reveal(&library, id);
                self.focus = Focus::Tree;
            }
            Target::Code { line, .. } if open => {
                self.focus = Focus::Body;
                self.body.scroll = line.min(self.body.max_scroll(self.body_height()));
            }
            Target::Code { code, .. } => {
                let lines = code.lines().count();
                let s = if lines == 1 { "" } else { "s" };
                self.set_status(format!("Copied the code block ({lines} line{s})"), false);
                self.effects.push(Effect::CopyToClipboard(code));
            }
        }
    }

    /// `{` / `}`: the previous or next heading of the body, brought to the top.
    pub(super) fn jump_heading(&mut self, forward: bool) {
        let Some(page) = self.page() else { return };
        let scroll = self.body.scroll;
        let target = if forward {
            page.headings.iter().map(|h| h.line).find(|&l| l > scroll)
        } else {
            page.headings
                .iter()
                .map(|h| h.line)
                .rev()
                .find(|&l| l < scroll)
        };
        match target {
            Some(line) => {
                self.body.scroll = line.min(self.body.max_scroll(self.body_height()));
            }
            None if page.headings.is_empty() => {
                self.set_status("This page has no headings.", false)
            }
            None if forward => self.set_status("No heading below.", false),
            // Above the first heading is the top of the page.
            None => self.body.scroll = 0,
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

    fn url(p: &Picker) -> &str {
        match &p.selected_row().unwrap().target {
            Target::Url(u) => u,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_item_url_comes_first_and_numbers_select_links() {
        let links: Vec<Link> = (1..=12).map(link).collect();
        let mut p = Picker::links(Some("https://item.org"), &links, &[]);
        assert_eq!(p.rows[0].number, None);
        assert_eq!(p.rows[1].number, Some(1));
        p.type_digit('2');
        assert_eq!(url(&p), "https://example.org/2");
        // 1 then 2 is twelve.
        p.typed.clear();
        p.type_digit('1');
        p.type_digit('2');
        assert_eq!(url(&p), "https://example.org/12");
        // No link 123: the 3 starts a new number.
        p.type_digit('3');
        assert_eq!(p.selected_row().unwrap().number, Some(3));
        assert_eq!(p.typed, "3");
    }
}
