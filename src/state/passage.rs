//! Passages found by their words. A highlight is kept as markdown (`the **async** runtime`,
//! `[sccache](https://…) is okay`) but the reader shows and selects rendered text (`the async
//! runtime`, `sccache[3] is okay`), wrapped anywhere. Both are reduced here to the same words:
//! runs of letters and digits, compared without case, with a link's destination, an HTML tag
//! and a link's number (`[3]`) left out on both sides, so a passage made in one is found in the
//! other. Every pass is linear in the text (the search is Knuth–Morris–Pratt over the words).

use std::ops::Range;

/// A word of a text: where it stands, and a hash of its lowercase letters to compare it by.
/// A word joined to the one before (`rate-limiting`, `snake_case`, `v0.2.0`, `don't`) is
/// compared as such: `lifetime syntaxes` is not found in `mismatched_lifetime_syntaxes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    /// The letters' hash, and whether the word is joined to the one before.
    key: u64,
    joined: bool,
}

impl Word {
    /// What a word is compared by after the first of a passage.
    fn key(&self) -> u64 {
        if self.joined {
            self.key ^ 0x9e37_79b9_7f4a_7c15
        } else {
            self.key
        }
    }
}

/// What joins two words into one (nothing else between them).
fn joins(gap: &str) -> bool {
    !gap.is_empty()
        && gap
            .chars()
            .all(|c| matches!(c, '_' | '-' | '\'' | '’' | '.' | '/' | ':' | '@'))
}

/// How far a tag (`<span class="x">`) or a link's destination is looked for before the text
/// is taken as text: bounded, so a stray `<` costs a little, not a pass over the rest.
const MARKUP_REACH: usize = 2048;

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<Word> {
    let bytes = text.as_bytes();
    let mut out: Vec<Word> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // A link's destination, `](…)`: not words a reader sees.
        if b == b']'
            && bytes.get(i + 1) == Some(&b'(')
            && let Some(end) = closing_paren(&bytes[i + 2..])
        {
            i += 2 + end + 1;
            continue;
        }
        // A tag, `<em>`, `</span>`, `<!-- … -->` (an autolink `<https://…>` shows its words).
        if b == b'<'
            && bytes
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/' || *c == b'!')
            && !text[i + 1..].starts_with("http")
        {
            let reach = &bytes[i + 1..bytes.len().min(i + 1 + MARKUP_REACH)];
            if let Some(end) = reach.iter().position(|&c| c == b'>' || c == b'\n')
                && reach[end] == b'>'
            {
                i += 1 + end + 1;
                continue;
            }
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        if !c.is_alphanumeric() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut key: u64 = 0xcbf2_9ce4_8422_2325;
        let mut digits = true;
        for c in text[start..].chars() {
            if !c.is_alphanumeric() {
                break;
            }
            digits &= c.is_ascii_digit();
            for lower in c.to_lowercase() {
                let mut buf = [0u8; 4];
                for &byte in lower.encode_utf8(&mut buf).as_bytes() {
                    key = (key ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
                }
            }
            i += c.len_utf8();
        }
        // A link's number where the reader shows it, `[3]`, or a reference like it.
        let numbered =
            digits && start > 0 && bytes[start - 1] == b'[' && bytes.get(i) == Some(&b']');
        if !numbered {
            let joined = out.last().is_some_and(|w| joins(&text[w.end..start]));
            out.push(Word {
                start,
                end: i,
                key,
                joined,
            });
        }
    }
    out
}

/// Where the `)` closing a link's destination stands in `rest` (which starts after `](`),
/// counting nested parentheses; none on the same line and near enough: not a destination.
fn closing_paren(rest: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    for (at, &c) in rest.iter().take(MARKUP_REACH).enumerate() {
        match c {
            b'(' => depth += 1,
            b')' if depth == 0 => return Some(at),
            b')' => depth -= 1,
            b'\n' => return None,
            _ => {}
        }
    }
    None
}

/// Where the words `needle` stand in order in `hay` (as word indices), of several places the
/// one the words `before` lead up to best, then the first. Linear in `hay` for finding the
/// places, plus `before`'s length for each.
pub fn locate(hay: &[Word], needle: &[Word], before: &[Word]) -> Option<Range<usize>> {
    let (first, rest) = needle.split_first()?;
    if needle.len() > hay.len() {
        return None;
    }
    // The first word is compared by its letters alone (a passage may start inside a joined
    // word, `limiting` of `rate-limiting`); the others with how they are joined.
    // Knuth–Morris–Pratt over the rest: the longest proper border of each prefix of it.
    let mut border = vec![0usize; rest.len()];
    let mut k = 0;
    for i in 1..rest.len() {
        while k > 0 && rest[i].key() != rest[k].key() {
            k = border[k - 1];
        }
        if rest[i].key() == rest[k].key() {
            k += 1;
        }
        border[i] = k;
    }
    let lead = |start: usize| {
        before
            .iter()
            .rev()
            .zip(hay[..start].iter().rev())
            .take_while(|(a, b)| a.key == b.key)
            .count()
    };
    let mut best: Option<(usize, usize)> = None;
    let mut consider = |start: usize| -> bool {
        if hay[start].key != first.key {
            return false;
        }
        let fit = lead(start);
        if best.is_none_or(|(_, f)| fit > f) {
            best = Some((start, fit));
        }
        fit == before.len()
    };
    if rest.is_empty() {
        for start in 0..hay.len() {
            if consider(start) {
                break;
            }
        }
        return best.map(|(start, _)| start..start + 1);
    }
    let mut k = 0;
    for (i, word) in hay.iter().enumerate().skip(1) {
        while k > 0 && word.key() != rest[k].key() {
            k = border[k - 1];
        }
        if word.key() == rest[k].key() {
            k += 1;
        }
        if k == rest.len() {
            let start = i - rest.len();
            if consider(start) {
                break;
            }
            k = border[k - 1];
        }
    }
    best.map(|(start, _)| start..start + needle.len())
}

/// The bytes of `text` from the first to the last of `found` (word indices into `words`).
pub fn span(words: &[Word], found: Range<usize>) -> Range<usize> {
    words[found.start].start..words[found.end - 1].end
}

/// Where a passage of rendered text (`quote`, with the words shown `before` it) stands in
/// markdown `text`: from its first word to its last, taking in what the passage shows before
/// and after them (`&T`, `Lifetime<'_>`) and the emphasis, code or link marks around them, so
/// the quote kept reads as the markdown has it. Of the places its words stand, the one the
/// words before lead to; if what stands around them there is not what the passage shows (a
/// cell `&'a` is not the article "a"), the first place where it is.
pub fn in_markdown(text: &str, quote: &str, before: &str) -> Option<Range<usize>> {
    let hay = words(text);
    let needle = words(quote);
    let lead = &quote[..needle.first()?.start];
    let trail = &quote[needle.last()?.end..];
    first_fitting(&hay, &needle, &words(before), |found| {
        around(text, span(&hay, found), lead, trail)
    })
}

/// Of the places `needle` stands in `hay`, the one the words `before` lead to if `fits` takes
/// it, else the first that `fits` takes (of 64 looked at); what `fits` made of it. Each look is
/// linear in `hay`.
fn first_fitting<T>(
    hay: &[Word],
    needle: &[Word],
    before: &[Word],
    fits: impl Fn(Range<usize>) -> Option<T>,
) -> Option<T> {
    if let Some(found) = locate(hay, needle, before).and_then(&fits) {
        return Some(found);
    }
    let mut from = 0;
    for _ in 0..64 {
        let found = locate(&hay[from..], needle, &[])?;
        let found = found.start + from..found.end + from;
        if let Some(fitting) = fits(found.clone()) {
            return Some(fitting);
        }
        from = found.start + 1;
    }
    None
}

/// Where a kept passage (`quote` as its markdown has it, `before` the markdown just before
/// it) stands in a page's text (`hay` its words): as [`in_markdown`] finds it, with the marks
/// the page does not show (emphasis, code, a link's destination) left out of what must stand
/// around its words. The bytes of `text` from what it shows before its first word to what it
/// shows after its last.
pub fn in_shown(text: &str, hay: &[Word], quote: &str, before: &str) -> Option<Range<usize>> {
    let needle = words(quote);
    let shown = |part: &str| -> String {
        let mut out = String::new();
        let mut rest = part;
        while let Some(at) = rest.find("](") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            rest = closing_paren(after.as_bytes()).map_or("", |close| &after[close + 1..]);
        }
        out.push_str(rest);
        out.chars()
            .filter(|c| !matches!(c, '*' | '_' | '`' | '~' | '[' | ']'))
            .collect()
    };
    let lead = shown(&quote[..needle.first()?.start]);
    let trail = shown(&quote[needle.last()?.end..]);
    first_fitting(hay, &needle, &words(before), |found| {
        around(text, span(hay, found), &lead, &trail)
    })
}

/// `words` (a range of `text`) widened over `lead` before it and `trail` after it, and over the
/// marks around them; `None` when the text there does not show them.
fn around(text: &str, words: Range<usize>, lead: &str, trail: &str) -> Option<Range<usize>> {
    let Range { mut start, mut end } = words;
    let marks = |c: char| matches!(c, '*' | '_' | '`' | '~');
    let mut need: Vec<char> = lead.chars().filter(|c| !c.is_whitespace()).collect();
    while let Some(c) = text[..start].chars().next_back() {
        if let Some(at) = need.iter().rposition(|&n| n == c) {
            need.remove(at);
        } else if !(marks(c) || c == '[' || (c.is_whitespace() && !need.is_empty() && c != '\n')) {
            break;
        }
        start -= c.len_utf8();
    }
    if !need.is_empty() {
        return None;
    }
    let mut need: Vec<char> = trail.chars().filter(|c| !c.is_whitespace()).collect();
    while let Some(c) = text[end..].chars().next() {
        if let Some(at) = need.iter().position(|&n| n == c) {
            need.remove(at);
        } else if !(marks(c) || (c.is_whitespace() && !need.is_empty() && c != '\n')) {
            break;
        }
        end += c.len_utf8();
    }
    if !need.is_empty() {
        return None;
    }
    // A code span or strong emphasis the passage starts inside of is closed where the markdown
    // closes it (on the same line, near): no backtick or `**` left open.
    for mark in ["`", "**"] {
        if text[start..end].matches(mark).count() % 2 == 1 {
            let rest = &text[end..];
            let line = &rest[..rest.find('\n').unwrap_or(rest.len()).min(MARKUP_REACH)];
            if let Some(close) = line.find(mark) {
                end += close + mark.len();
            }
        }
    }
    // A link whose text the passage ends with: its destination too, or `[text` is left open.
    if text[start..end].contains('[')
        && text[end..].starts_with("](")
        && let Some(close) = closing_paren(&text.as_bytes()[end + 2..])
    {
        end += 2 + close + 1;
    }
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(text: &'a str, words: &[Word]) -> Vec<&'a str> {
        words.iter().map(|w| &text[w.start..w.end]).collect()
    }

    #[test]
    fn markup_and_link_numbers_are_not_words() {
        let text = "The **async** [runtime](https://example.com/a_(b)) is <em>fast</em>[2]. Café 3";
        assert_eq!(
            texts(text, &words(text)),
            ["The", "async", "runtime", "is", "fast", "Café", "3"]
        );
        // What the reader shows of it has the same words.
        let shown = "The async runtime[1] is fast. Café 3";
        let a: Vec<u64> = words(text).iter().map(|w| w.key).collect();
        let b: Vec<u64> = words(shown).iter().map(|w| w.key).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn a_stray_bracket_or_angle_is_text() {
        let text = "a < b and c](d\nnext <x line";
        assert_eq!(
            texts(text, &words(text)),
            ["a", "b", "and", "c", "d", "next", "x", "line"]
        );
    }

    #[test]
    fn the_place_the_words_before_lead_to_is_chosen() {
        let text = "one hit rate here. two hit rate there. three hit rate";
        let hay = words(text);
        let found = locate(&hay, &words("hit rate"), &words("two")).unwrap();
        assert_eq!(&text[span(&hay, found)], "hit rate");
        let found = locate(&hay, &words("Hit RATE"), &words("two")).unwrap();
        assert_eq!(
            span(&hay, found).start,
            text.find("hit rate there").unwrap()
        );
        assert_eq!(locate(&hay, &words("rate hit"), &[]), None);
    }

    #[test]
    fn repeated_words_are_found_in_one_pass() {
        // The case that makes a naive search quadratic.
        let text = "a ".repeat(50_000) + "b";
        let hay = words(&text);
        let needle = "a ".repeat(1_000) + "b";
        let found = locate(&hay, &words(&needle), &[]).unwrap();
        assert_eq!(found, 49_000..50_001);
    }

    #[test]
    fn a_shown_passage_is_kept_as_its_markdown() {
        let md = "- Cache **compiled** crates with [sccache](https://x.dev/s) in CI.\n";
        let range = in_markdown(md, "compiled crates with sccache", "Cache").unwrap();
        assert_eq!(
            &md[range],
            "**compiled** crates with [sccache](https://x.dev/s)"
        );
        let range = in_markdown(md, "sccache[1] in", "with").unwrap();
        assert_eq!(&md[range], "[sccache](https://x.dev/s) in");
        assert_eq!(in_markdown(md, "not there", ""), None);
        // What stands around the words is kept too, with its marks: no backtick left open.
        let md = "| `&T`, `&'_ T`, `ContainsLifetime<'_>` | yes |";
        let range = in_markdown(md, "&T, &'_ T, ContainsLifetime<'_>", "").unwrap();
        assert_eq!(&md[range], "`&T`, `&'_ T`, `ContainsLifetime<'_>`");
        let range = in_markdown(md, "&'_ T, ContainsLifetime<'_>", "").unwrap();
        assert_eq!(&md[range], "`&'_ T`, `ContainsLifetime<'_>`");
        // A cell of one letter is found where its marks are, not at the first "a".
        let md = "We announce a version.\n\n| `&'b T` | `&'a` |";
        let range = in_markdown(md, "&'a", "").unwrap();
        assert_eq!(&md[range], "`&'a`");
        // Part of a code span: the span is closed where the markdown closes it.
        let range = in_markdown(md, "&'b", "").unwrap();
        assert_eq!(&md[range], "`&'b T`");
        // On the page, the same cell is found where its marks are shown, not in "don't".
        let page = "If you don't have it.\n│ &T │ ok │";
        let hay = words(page);
        let found = in_shown(page, &hay, "`&T`", "").unwrap();
        assert_eq!(&page[found.clone()], "&T");
        assert!(found.start > 20);
    }

    #[test]
    fn words_joined_in_one_name_are_not_the_same_words_apart() {
        let text = "The `mismatched_lifetime_syntaxes` lint. Rate-limiting failed.";
        let hay = words(text);
        assert_eq!(locate(&hay, &words("lifetime syntaxes lint"), &[]), None);
        let found = locate(&hay, &words("mismatched_lifetime_syntaxes lint"), &[]).unwrap();
        assert_eq!(
            &text[span(&hay, found)],
            "mismatched_lifetime_syntaxes` lint"
        );
        // A passage may start inside a joined word.
        let found = locate(&hay, &words("limiting failed"), &[]).unwrap();
        assert_eq!(&text[span(&hay, found)], "limiting failed");
        assert_eq!(locate(&hay, &words("lint rate limiting"), &[]), None);
    }
}
