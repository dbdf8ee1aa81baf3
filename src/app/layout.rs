//! Where the panes go for a terminal size: three panes when there is room, fewer when not.
//!
//! A pure function of the size, the focus and whether search is open, so the app (for paging
//! and mouse hits) and the widgets (for drawing) always agree. While search is open its
//! results take the room of the tree and the list together: a result's matching line is what
//! the reader came for, and the tree has nothing to say about it.

use ratatui::layout::Rect;

use super::Focus;

/// Screen areas, each `None` when that pane is not shown at this size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Panes {
    pub tree: Option<Rect>,
    pub list: Option<Rect>,
    pub body: Option<Rect>,
    pub status: Option<Rect>,
}

/// Below this width the three panes collapse to two.
pub const THREE_PANES_MIN_WIDTH: u16 = 80;
/// Below this width only the focused pane is shown.
pub const TWO_PANES_MIN_WIDTH: u16 = 50;

/// Widths the configuration fixes for the tree and list panes, in percent of the screen
/// (three-pane layout); `None` sizes the pane to what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PaneWidths {
    pub tree: Option<u16>,
    pub list: Option<u16>,
}

/// The columns the tree and the list ask for in the three-pane layout (sized to their names
/// and titles, or as the user or the configuration set them); [`panes`] fits them to the
/// screen, always leaving the body room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneSizes {
    pub tree: u16,
    pub list: u16,
}

/// The body keeps at least this many columns beside the tree and the list.
pub const BODY_MIN_WIDTH: u16 = 30;
/// The narrowest a tree or a list pane is made.
pub const TREE_MIN_WIDTH: u16 = 12;
pub const LIST_MIN_WIDTH: u16 = 20;

pub fn panes(area: Rect, focus: Focus, sizes: PaneSizes, searching: bool) -> Panes {
    if area.width == 0 || area.height == 0 {
        return Panes::default();
    }
    if area.height < 3 {
        let status = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        return Panes {
            status: Some(status),
            ..Panes::default()
        };
    }
    let main = Rect {
        height: area.height - 1,
        ..area
    };
    let status = Some(Rect {
        y: area.bottom() - 1,
        height: 1,
        ..area
    });
    let w = area.width;
    let split = |left: u16| {
        let left = left.min(w);
        (
            Rect {
                width: left,
                ..main
            },
            Rect {
                x: main.x + left,
                width: w - left,
                ..main
            },
        )
    };
    if w >= THREE_PANES_MIN_WIDTH {
        let tree_w = sizes.tree.clamp(
            TREE_MIN_WIDTH,
            w.saturating_sub(LIST_MIN_WIDTH + BODY_MIN_WIDTH)
                .max(TREE_MIN_WIDTH),
        );
        let list_w = sizes.list.clamp(
            LIST_MIN_WIDTH,
            w.saturating_sub(tree_w + BODY_MIN_WIDTH)
                .max(LIST_MIN_WIDTH),
        );
        if searching {
            let (results, body) = split(tree_w + list_w);
            return Panes {
                list: Some(results),
                body: Some(body),
                status,
                ..Panes::default()
            };
        }
        let (tree, rest) = split(tree_w);
        let list = Rect {
            width: list_w.min(rest.width),
            ..rest
        };
        let body = Rect {
            x: list.right(),
            width: rest.width - list.width,
            ..rest
        };
        return Panes {
            tree: Some(tree),
            list: Some(list),
            body: Some(body),
            status,
        };
    }
    if w >= TWO_PANES_MIN_WIDTH {
        let (left, right) = split(if searching { w / 2 } else { w * 2 / 5 });
        return match focus {
            Focus::Tree => Panes {
                tree: Some(left),
                list: Some(right),
                status,
                ..Panes::default()
            },
            Focus::List | Focus::Body => Panes {
                list: Some(left),
                body: Some(right),
                status,
                ..Panes::default()
            },
        };
    }
    match focus {
        Focus::Tree => Panes {
            tree: Some(main),
            status,
            ..Panes::default()
        },
        Focus::List => Panes {
            list: Some(main),
            status,
            ..Panes::default()
        },
        Focus::Body => Panes {
            body: Some(main),
            status,
            ..Panes::default()
        },
    }
}

/// The area inside a pane's border.
pub fn inner(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(w: u16, h: u16) -> Rect {
        Rect::new(0, 0, w, h)
    }

    const SIZES: PaneSizes = PaneSizes { tree: 26, list: 38 };

    #[test]
    fn whatever_is_asked_the_body_keeps_its_room() {
        for w in [80, 100, 120, 200] {
            for (tree, list) in [(0, 0), (200, 200), (12, 500), (500, 12), (40, 60)] {
                let p = panes(area(w, 30), Focus::List, PaneSizes { tree, list }, false);
                let (t, l, b) = (p.tree.unwrap(), p.list.unwrap(), p.body.unwrap());
                assert_eq!(t.width + l.width + b.width, w);
                assert!(
                    b.width >= BODY_MIN_WIDTH,
                    "{w}: {tree}/{list} → body {}",
                    b.width
                );
                assert!(t.width >= TREE_MIN_WIDTH && l.width >= LIST_MIN_WIDTH);
            }
        }
    }

    #[test]
    fn wide_terminals_get_three_panes_that_fill_the_width() {
        let p = panes(area(120, 40), Focus::List, SIZES, false);
        let (t, l, b) = (p.tree.unwrap(), p.list.unwrap(), p.body.unwrap());
        assert_eq!(t.width + l.width + b.width, 120);
        assert_eq!(t.height, 39);
        assert_eq!(p.status.unwrap().y, 39);
    }

    #[test]
    fn narrow_terminals_collapse_around_the_focus() {
        let p = panes(area(60, 20), Focus::Body, SIZES, false);
        assert!(p.tree.is_none() && p.list.is_some() && p.body.is_some());
        let p = panes(area(60, 20), Focus::Tree, SIZES, false);
        assert!(p.tree.is_some() && p.list.is_some() && p.body.is_none());
        let p = panes(area(40, 12), Focus::List, SIZES, false);
        assert_eq!(p.list, Some(area(40, 11)));
        assert!(p.tree.is_none() && p.body.is_none());
    }

    #[test]
    fn search_results_take_the_room_of_the_tree_and_the_list() {
        for (w, h) in [(120, 40), (80, 24), (200, 60)] {
            let normal = panes(area(w, h), Focus::List, SIZES, false);
            let p = panes(area(w, h), Focus::List, SIZES, true);
            assert!(p.tree.is_none());
            let (results, body) = (p.list.unwrap(), p.body.unwrap());
            assert_eq!(results.x, 0);
            assert_eq!(
                results.width,
                normal.tree.unwrap().width + normal.list.unwrap().width
            );
            assert_eq!(results.width + body.width, w);
        }
        let p = panes(area(60, 20), Focus::List, SIZES, true);
        assert_eq!(p.list.unwrap().width, 30);
    }

    #[test]
    fn tiny_terminals_do_not_underflow() {
        for w in 0..6 {
            for h in 0..6 {
                for searching in [false, true] {
                    let p = panes(area(w, h), Focus::Body, SIZES, searching);
                    for rect in [p.tree, p.list, p.body, p.status].into_iter().flatten() {
                        assert!(rect.right() <= w && rect.bottom() <= h);
                    }
                }
            }
        }
    }
}
