//! The non-interactive subcommands: `list`, `show`, `stats`, `check`, as text or JSON.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use super::args::Command;
use crate::content::{Item, ItemKind, Library};
use crate::render::markdown;
use crate::text::sanitize;

pub fn run_command(command: Command, library: &Library) -> Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match command {
        Command::List {
            category,
            unread: _,
            json,
        } => list(&mut out, library, category.as_deref(), json)?,
        Command::Show { id, json } => show(&mut out, library, &id, json)?,
        Command::Stats { json } => stats(&mut out, library, json)?,
        Command::Check => return check(&mut out, library),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct ItemJson<'a> {
    id: &'a str,
    kind: ItemKind,
    title: &'a str,
    url: Option<&'a str>,
    date: Option<String>,
    category: Vec<&'a str>,
    tags: &'a [String],
    authors: &'a [String],
    description: Option<&'a str>,
    read: bool,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
}

fn item_json<'a>(library: &'a Library, item: &'a Item, with_body: bool) -> ItemJson<'a> {
    ItemJson {
        id: &item.id,
        kind: item.kind,
        title: &item.title,
        url: item.url.as_deref(),
        date: item.date.map(|d| d.to_string()),
        category: library.category_path(item.category),
        tags: &item.tags,
        authors: &item.authors,
        description: item.description.as_deref(),
        read: false,
        source: format!("{}:{}", item.source.path.display(), item.source.line),
        body: with_body.then_some(item.body.as_str()),
    }
}

fn list(out: &mut impl Write, library: &Library, category: Option<&str>, json: bool) -> Result<()> {
    let indices = match category {
        Some(path) => match library.category_by_path(path) {
            Some(id) => library.items_under(id),
            None => bail!("no category `{path}`; `quire stats` lists the top-level ones"),
        },
        None => library.items_under(Library::ROOT),
    };
    if json {
        let items: Vec<_> = indices
            .iter()
            .map(|&i| item_json(library, &library.items[i], false))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &items)?;
        writeln!(out)?;
        return Ok(());
    }
    for &i in &indices {
        let item = &library.items[i];
        let date = item.date.map_or_else(|| "-".to_string(), |d| d.to_string());
        writeln!(out, "{}\t{}\t{}\t{}", item.id, item.kind, date, item.title)?;
    }
    Ok(())
}

fn show(out: &mut impl Write, library: &Library, id: &str, json: bool) -> Result<()> {
    let Some(item) = library.find(id) else {
        bail!("no item with id `{id}`; `quire list` prints the ids");
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &item_json(library, item, true))?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", item.title)?;
    writeln!(
        out,
        "{}",
        "=".repeat(unicode_width::UnicodeWidthStr::width(item.title.as_str()).clamp(3, 80))
    )?;
    let mut field = |name: &str, value: &str| writeln!(out, "{name:<9} {value}");
    field("Id:", &item.id)?;
    field("Kind:", item.kind.as_str())?;
    if let Some(date) = item.date {
        field("Date:", &date.to_string())?;
    }
    if !item.authors.is_empty() {
        field("Authors:", &item.authors.join(", "))?;
    }
    field(
        "Category:",
        &library.category_path(item.category).join(" › "),
    )?;
    if !item.tags.is_empty() {
        field("Tags:", &item.tags.join(", "))?;
    }
    if let Some(url) = &item.url {
        field("URL:", url)?;
    }
    if let Some(description) = &item.description {
        field("About:", description)?;
    }
    writeln!(out)?;
    if item.body.trim().is_empty() {
        writeln!(out, "No text is stored offline for this item.")?;
        if let Some(url) = &item.url {
            writeln!(out, "Read it at {url}")?;
        }
    } else {
        for line in markdown::plain_lines(&item.body) {
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct Stats {
    items: usize,
    posts: usize,
    bookmarks: usize,
    categories: usize,
    with_body: usize,
    unread: usize,
    diagnostics: usize,
}

fn stats(out: &mut impl Write, library: &Library, json: bool) -> Result<()> {
    let stats = Stats {
        items: library.items.len(),
        posts: library.count(ItemKind::Post),
        bookmarks: library.count(ItemKind::Bookmark),
        categories: library.categories.len() - 1,
        with_body: library
            .items
            .iter()
            .filter(|i| !i.body.trim().is_empty())
            .count(),
        unread: library.items.len(),
        diagnostics: library.diagnostics.len(),
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &stats)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "items        {}", stats.items)?;
    writeln!(out, "  posts      {}", stats.posts)?;
    writeln!(out, "  bookmarks  {}", stats.bookmarks)?;
    writeln!(out, "  with body  {}", stats.with_body)?;
    writeln!(out, "  unread     {}", stats.unread)?;
    writeln!(out, "categories   {}", stats.categories)?;
    for &child in &library.category(Library::ROOT).children {
        let node = library.category(child);
        writeln!(out, "  {:<40} {}", node.name, node.total)?;
    }
    writeln!(out, "diagnostics  {}", stats.diagnostics)?;
    Ok(())
}

fn check(out: &mut impl Write, library: &Library) -> Result<ExitCode> {
    for diagnostic in &library.diagnostics {
        writeln!(out, "{}", sanitize(&diagnostic.to_string()))?;
    }
    let n = library.diagnostics.len();
    if n == 0 {
        writeln!(out, "ok: {} items, no problems", library.items.len())?;
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(out, "{n} problem{} found", if n == 1 { "" } else { "s" })?;
        Ok(ExitCode::FAILURE)
    }
}
