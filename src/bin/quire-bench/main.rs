//! `quire-bench`: the benchmarks and the synthetic library generator.
//!
//! ```text
//! cargo run --release --bin quire-bench -- search                 # 10k and 100k items
//! cargo run --release --bin quire-bench -- search --content DIR   # any library
//! cargo run --release --bin quire-bench -- reload                 # bundled and 100k items
//! cargo run --release --bin quire-bench -- meaning                # questions asked in other words
//! cargo run --release --bin quire-bench -- generate DIR --items N
//! cargo build --release --bins && target/release/quire-bench cli   # commands vs ripgrep
//! cargo build --release --bins && target/release/quire-bench feeds # sync vs newsboat
//! ```
//! Figures are wall-clock on this machine; run on an otherwise idle machine.

mod cli_bench;
mod feeds_bench;
mod generate;
mod meaning_bench;
mod questions;
mod reload_bench;
mod scale_bench;
mod search_bench;
mod stats;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use quire::content::{Library, Root, load_library};

#[derive(Parser)]
#[command(
    name = "quire-bench",
    about = "Quire's benchmarks and synthetic library generator"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic synthetic library of N items to DIR.
    Generate {
        dir: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Include 100 KB outliers and one 5 MB post.
        #[arg(long)]
        outliers: bool,
    },
    /// Loading, first frame, memory, drawing and saving for 10k and 100k items.
    Scale {
        #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
        items: Vec<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// One size of the scale benchmark, in its own process (used by `scale`).
    #[command(hide = true)]
    ScaleOne {
        #[arg(long)]
        items: usize,
        #[arg(long)]
        seed: u64,
    },
    /// A start from the load cache, in a fresh process as the reader's (used by `scale`):
    /// prints the time to a ready library in ns and the peak RSS in bytes.
    #[command(hide = true)]
    FromCache { content: PathBuf, cache: PathBuf },
    /// Load and index a library and write its load cache to CACHE (for profiling a start
    /// from the cache: `perf record quire-bench from-cache CONTENT CACHE`).
    #[command(hide = true)]
    WriteCache { content: PathBuf, cache: PathBuf },
    /// Live reload: from a file write to the item on screen and found by search, for the
    /// bundled library and synthetic ones.
    Reload {
        #[arg(long, value_delimiter = ',', default_values_t = [100_000])]
        items: Vec<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 10)]
        rounds: usize,
    },
    /// Search by meaning: the questions of tests/fixtures/meaning_questions.toml asked of the
    /// bundled library, and how many find their target in the top 3.
    Meaning,
    /// `quire search`, `quire unread` and `quire list` with a valid load cache, beside
    /// `rg -il WORD` over the same files (the bundled library, then synthetic ones).
    Cli {
        #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
        items: Vec<usize>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 10)]
        rounds: usize,
        /// Mark every other item read first (a state file of that many marks).
        #[arg(long)]
        half_read: bool,
    },
    /// The first `quire sync` and `quire unread` after it, beside `newsboat -x reload` and
    /// `-x print-unread`, on the same feeds served on 127.0.0.1.
    Feeds {
        #[arg(long, default_value_t = 20)]
        feeds: usize,
        #[arg(long, default_value_t = 500)]
        entries: usize,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Index build time and size, and per-keystroke search latency.
    Search {
        /// Library sizes to generate and measure (ignored with --content).
        #[arg(long, value_delimiter = ',', default_values_t = [10_000, 100_000])]
        items: Vec<usize>,
        /// Measure this library instead of synthetic ones.
        #[arg(long)]
        content: Option<PathBuf>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quire-bench: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    match args.command {
        Command::Feeds {
            feeds,
            entries,
            rounds,
        } => feeds_bench::run(feeds, entries, rounds)?,
        Command::Generate {
            dir,
            items,
            seed,
            outliers,
        } => {
            let bytes = generate::write_library(
                &dir,
                &generate::Shape {
                    items,
                    seed,
                    outliers,
                },
            )?;
            println!(
                "wrote {items} items, {:.1} MiB, to {}",
                bytes as f64 / 1_048_576.0,
                dir.display()
            );
        }
        Command::Scale { items, seed } => {
            println!(
                "scale benchmark ({} cores)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            for n in items {
                synthetic(n, seed, true)?;
                let status = std::process::Command::new(std::env::current_exe()?)
                    .args([
                        "scale-one",
                        "--items",
                        &n.to_string(),
                        "--seed",
                        &seed.to_string(),
                    ])
                    .status()?;
                if !status.success() {
                    return Err(format!("the {n}-item run failed").into());
                }
            }
        }
        Command::ScaleOne { items, seed } => {
            let dir = synthetic(items, seed, true)?;
            scale_bench::run_one(&dir, items)?;
        }
        Command::Reload {
            items,
            seed,
            rounds,
        } => {
            println!(
                "reload benchmark ({} cores)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            let bundled = reload_bench::bundled_copy()?;
            let result = reload_bench::run("bundled library (a copy)", &bundled, rounds);
            let _ = std::fs::remove_dir_all(&bundled);
            result?;
            for n in items {
                let dir = synthetic(n, seed, false)?;
                reload_bench::run(&format!("synthetic, {n} items, seed {seed}"), &dir, rounds)?;
            }
        }
        Command::Cli {
            items,
            seed,
            rounds,
            half_read,
        } => {
            println!(
                "command-line benchmark ({} cores, {rounds} rounds)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            cli_bench::run("bundled library", None, rounds, half_read)?;
            for n in items {
                let dir = synthetic(n, seed, false)?;
                let name = format!("synthetic, {n} items, seed {seed}");
                cli_bench::run(&name, Some(&dir), rounds, half_read)?;
            }
        }
        Command::WriteCache { content, cache } => scale_bench::write_cache(&content, &cache)?,
        Command::FromCache { content, cache } => {
            let (took, rss) = scale_bench::start_from_cache(&content, &cache)?;
            println!("{} {rss}", took.as_nanos());
        }
        Command::Meaning => meaning_bench::run()?,
        Command::Search {
            items,
            content,
            seed,
        } => {
            let libraries: Vec<(String, Library)> = match content {
                Some(dir) => vec![(dir.display().to_string(), load(&dir)?)],
                None => items
                    .iter()
                    .map(|&n| {
                        Ok((
                            format!("synthetic, {n} items, seed {seed}"),
                            load(&synthetic(n, seed, false)?)?,
                        ))
                    })
                    .collect::<Result<_, Box<dyn std::error::Error>>>()?,
            };
            println!(
                "search benchmark ({} cores)",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
            for (name, library) in &libraries {
                println!("\n{name}: {} items", library.items.len());
                let queries = search_bench::queries(library, seed);
                let report = search_bench::run(library, &queries);
                search_bench::print(&report);
            }
        }
    }
    Ok(())
}

fn load(dir: &Path) -> Result<Library, Box<dyn std::error::Error>> {
    Ok(load_library(&[Root::Dir(dir.to_path_buf())])?)
}

/// A synthetic library in the temp dir, generated once and reused by later runs.
fn synthetic(
    items: usize,
    seed: u64,
    outliers: bool,
) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!(
        "quire-bench-{items}-{seed}{}",
        if outliers { "-outliers" } else { "" }
    ));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("generating {items} items in {} …", dir.display());
        generate::write_library(
            &dir,
            &generate::Shape {
                items,
                seed,
                outliers,
            },
        )?;
        std::fs::write(&done, b"")?;
    }
    Ok(dir)
}
