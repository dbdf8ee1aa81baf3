//! `quire highlight` and `quire highlights`: passages kept with notes, from the command line,
//! and exported as a person would paste them into their notes.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::content::Library;
use crate::state::{Highlight, ReadState, Timestamp, save_state};
use crate::text::sanitize_line;

pub fn add(
    out: &mut impl Write,
    library: &Library,
    state: &ReadState,
    state_path: &Path,
    id: &str,
    quote: &str,
    note: Option<String>,
) -> Result<ExitCode> {
    let Some(item) = library.find(id) else {
        bail!(
            "no item with id `{}` (quire list prints them)",
            sanitize_line(id)
        );
    };
    let quote = quote.trim();
    if quote.is_empty() {
        bail!("--quote is empty: give the passage to keep");
    }
    // As written, else the same words wrapped otherwise (what `show` prints on one line).
    let Some((text, range)) = crate::state::highlights::texts(item)
        .into_iter()
        .find_map(|text| {
            text.find(quote)
                .map(|at| at..at + quote.len())
                .or_else(|| crate::state::highlights::find_loose(text, quote))
                .or_else(|| crate::state::passage::in_markdown(text, quote, ""))
                .map(|range| (text, range))
        })
    else {
        bail!(
            "“{}” is not in the text of `{}` (quote its words as `quire show` prints them)",
            sanitize_line(quote),
            sanitize_line(id)
        );
    };
    let now = Timestamp::now();
    let highlight = Highlight::new(id, text, range, note, now);
    let mut change = ReadState::new();
    // The same passage again: the one kept, its note the one given now.
    if let Some((key, kept)) = state
        .highlights()
        .find(|(_, h)| h.item == highlight.item && h.quote == highlight.quote)
    {
        if kept.note == highlight.note {
            writeln!(out, "already highlighted: {key}")?;
            return Ok(ExitCode::SUCCESS);
        }
        let updated = Highlight {
            note: highlight.note,
            at: now,
            ..kept.clone()
        };
        change.put_highlight(key.to_string(), updated);
        save_state(state_path, &change)?;
        writeln!(out, "changed the note of {key}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let key = highlight.id();
    change.put_highlight(key.clone(), highlight);
    save_state(state_path, &change)?;
    writeln!(out, "highlighted {key}")?;
    Ok(ExitCode::SUCCESS)
}

/// Removes highlights by id; the removal is recorded (with its time), so a machine that has
/// not heard of it yet never brings the highlight back.
pub fn remove(
    out: &mut impl Write,
    state: &ReadState,
    state_path: &Path,
    ids: &[String],
) -> Result<ExitCode> {
    let now = Timestamp::now();
    let mut change = ReadState::new();
    let mut unknown = Vec::new();
    for id in ids {
        match state.highlights().find(|(key, _)| key == id) {
            Some((key, kept)) => {
                change.put_highlight(
                    key.to_string(),
                    Highlight {
                        at: now,
                        removed: true,
                        ..kept.clone()
                    },
                );
            }
            None => unknown.push(id),
        }
    }
    let removed = ids.len() - unknown.len();
    if removed > 0 {
        save_state(state_path, &change)?;
        let s = if removed == 1 { "" } else { "s" };
        writeln!(out, "removed {removed} highlight{s}")?;
    }
    for id in &unknown {
        eprintln!(
            "quire: no highlight with id `{}` (quire highlights prints them)",
            sanitize_line(id)
        );
    }
    Ok(if unknown.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    item: &'a str,
    title: Option<&'a str>,
    url: Option<&'a str>,
    quote: &'a str,
    note: Option<&'a str>,
    created: String,
    /// Its item is here and its words are not.
    orphaned: bool,
    /// Its item is in the library loaded (another library's highlights are listed too, and
    /// said to be elsewhere rather than orphaned).
    in_library: bool,
}

pub fn list(
    out: &mut impl Write,
    library: &Library,
    state: &ReadState,
    only: Option<&str>,
    json: bool,
    markdown: bool,
) -> Result<()> {
    if let Some(id) = only
        && library.find(id).is_none()
        && !state.highlights().any(|(_, h)| h.item == id)
    {
        bail!(
            "no item with id `{}` (quire list prints them)",
            sanitize_line(id)
        );
    }
    let mut all: Vec<(&str, &Highlight)> = state
        .highlights()
        .filter(|(_, h)| only.is_none_or(|id| h.item == id))
        .collect();
    all.sort_by(|a, b| (&a.1.item, a.1.created, a.0).cmp(&(&b.1.item, b.1.created, b.0)));
    let listed: Vec<Listed<'_>> = all
        .iter()
        .map(|(id, h)| {
            let item = library.find(&h.item);
            Listed {
                id,
                item: &h.item,
                title: item.map(|i| i.title.as_str()),
                url: item.and_then(|i| i.url.as_deref()),
                quote: &h.quote,
                note: h.note.as_deref(),
                created: h.created.to_string(),
                orphaned: item.is_some_and(|item| h.find_in(item).is_none()),
                in_library: item.is_some(),
            }
        })
        .collect();
    if json {
        serde_json::to_writer_pretty(&mut *out, &listed)?;
        writeln!(out)?;
        return Ok(());
    }
    if markdown {
        let mut last_item: Option<&str> = None;
        for h in &listed {
            if last_item != Some(h.item) {
                if last_item.is_some() {
                    writeln!(out)?;
                }
                writeln!(out, "## {}", sanitize_line(h.title.unwrap_or(h.item)))?;
                if let Some(url) = h.url {
                    writeln!(out, "\n<{}>", sanitize_line(url))?;
                }
                last_item = Some(h.item);
            }
            writeln!(out)?;
            for line in h.quote.lines() {
                writeln!(out, "> {}", sanitize_line(line))?;
            }
            if let Some(note) = h.note {
                writeln!(out, "\n{}", sanitize_line(note))?;
            }
            if h.orphaned {
                writeln!(out, "\n*(no longer in the item's text)*")?;
            } else if !h.in_library {
                writeln!(out, "\n*(its item is not in this library)*")?;
            }
        }
        return Ok(());
    }
    for h in &listed {
        let note = h
            .note
            .map(|n| format!(" — {}", sanitize_line(n)))
            .unwrap_or_default();
        let orphaned = match (h.orphaned, h.in_library) {
            (true, _) => " (orphaned)",
            (false, false) => " (item not in this library)",
            (false, true) => "",
        };
        writeln!(
            out,
            "{}\t{}\t“{}”{note}{orphaned}",
            h.id,
            sanitize_line(h.item),
            sanitize_line(&h.quote.replace('\n', " "))
        )?;
    }
    Ok(())
}
