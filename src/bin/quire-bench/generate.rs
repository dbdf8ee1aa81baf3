//! A deterministic synthetic library: posts with front matter in nested folders, and bookmark
//! collections with sections, subsections and key-insight blocks, over a vocabulary of tens of
//! thousands of made-up words with a Zipf-like spread (a few words everywhere, most rare).

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// A small, fast, seedable generator (PCG-XSH-RR); the same seed gives the same library.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }

    pub fn next_u32(&mut self) -> u32 {
        let old = self.0;
        self.0 = old
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rot = (old >> 59) as u32;
        xorshifted.rotate_right(rot)
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((u64::from(self.next_u32()) * n as u64) >> 32) as usize
    }

    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
}

/// Made-up words from syllables, so every word is pronounceable and unique.
pub struct Vocabulary {
    pub words: Vec<String>,
}

const SYLLABLES: [&str; 48] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "ba", "do", "fi", "gu", "ha", "je", "ku",
    "la", "mo", "nu", "pe", "qui", "ro", "si", "tu", "ve", "wa", "xe", "yo", "zu", "bri", "cla",
    "dro", "fle", "gri", "plo", "stra", "tre", "vin", "mor", "lex", "dan", "pol", "rid", "sen",
    "tor", "wex", "qua", "nim",
];

impl Vocabulary {
    pub fn new(size: usize, rng: &mut Rng) -> Vocabulary {
        let mut seen = std::collections::HashSet::with_capacity(size);
        let mut words = Vec::with_capacity(size);
        while words.len() < size {
            let syllables = rng.range(2, 4);
            let word: String = (0..syllables)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        Vocabulary { words }
    }

    /// A word, common ones far more often than rare ones (rank ~ 1/u²).
    pub fn pick(&self, rng: &mut Rng) -> &str {
        let u = (f64::from(rng.next_u32()) + 1.0) / 4_294_967_297.0;
        let rank = ((self.words.len() as f64) * u * u * u) as usize;
        &self.words[rank.min(self.words.len() - 1)]
    }

    pub fn sentence(&self, rng: &mut Rng, lo: usize, hi: usize) -> String {
        let n = rng.range(lo, hi);
        let mut out = String::with_capacity(n * 8);
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(self.pick(rng));
        }
        out
    }

    pub fn title(&self, rng: &mut Rng) -> String {
        let mut t = self.sentence(rng, 3, 9);
        if let Some(first) = t.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        t
    }
}

pub struct Shape {
    pub items: usize,
    pub seed: u64,
    /// Add the 100 KB outliers and the one 5 MB file (the scale benchmark wants them).
    pub outliers: bool,
}

/// Writes the library under `dir` (which must not exist or be empty). Half posts, half
/// bookmarks. Returns the bytes written.
pub fn write_library(dir: &Path, shape: &Shape) -> io::Result<u64> {
    let mut rng = Rng::new(shape.seed);
    let vocab = Vocabulary::new(40_000, &mut rng);
    fs::create_dir_all(dir)?;
    let mut written = 0u64;
    let posts = shape.items / 2;
    let bookmarks = shape.items - posts;

    // Posts: blogs/<blog>/<year>/…, 20 blogs, dated, tagged.
    let mut made = std::collections::HashSet::new();
    for i in 0..posts {
        let blog = i % 20;
        let year = 2010 + rng.below(16);
        let folder = dir.join(format!("blogs/blog-{blog:02}/{year}"));
        if made.insert(folder.clone()) {
            fs::create_dir_all(&folder)?;
        }
        let title = vocab.title(&mut rng);
        let mut text = String::with_capacity(4096);
        text.push_str(&format!(
            "+++\ntitle = \"{title}\"\ndate = {year}-{:02}-{:02}\ntags = [\"{}\", \"{}\"]\ncategory = \"{}\"\nsummary = \"{}\"\n+++\n",
            rng.range(1, 12),
            rng.range(1, 28),
            vocab.pick(&mut rng),
            vocab.pick(&mut rng),
            vocab.words[rng.below(12)],
            vocab.sentence(&mut rng, 8, 15),
        ));
        let target = body_size(&mut rng, shape.outliers && i % 997 == 13);
        while text.len() < target {
            if rng.below(6) == 0 {
                text.push_str(&format!("\n## {}\n\n", vocab.title(&mut rng)));
            }
            text.push_str(&vocab.sentence(&mut rng, 30, 90));
            text.push_str(".\n\n");
        }
        let path = folder.join(format!("post-{i:06}.md"));
        fs::write(&path, &text)?;
        written += text.len() as u64;
    }
    if shape.outliers {
        let mut text = String::from("+++\ntitle = \"The very long post\"\n+++\n");
        while text.len() < 5 * 1024 * 1024 {
            text.push_str(&vocab.sentence(&mut rng, 60, 120));
            text.push_str(".\n\n");
        }
        fs::write(dir.join("blogs/the-very-long-post.md"), &text)?;
        written += text.len() as u64;
    }

    // Bookmarks: collections of ~100 entries, 4 sections × 3 subsections, insights on most.
    fs::create_dir_all(dir.join("bookmarks"))?;
    let per_file = 100;
    let mut n = 0;
    let mut file_no = 0;
    while n < bookmarks {
        let mut out = io::BufWriter::new(fs::File::create(
            dir.join(format!("bookmarks/collection-{file_no:04}.md")),
        )?);
        let mut text = format!(
            "+++\ntitle = \"Collection {file_no}: {}\"\n+++\n\n",
            vocab.title(&mut rng)
        );
        let here = per_file.min(bookmarks - n);
        for k in 0..here {
            if k % 25 == 0 {
                text.push_str(&format!(
                    "## {}\n\n{}\n\n",
                    vocab.title(&mut rng),
                    vocab.sentence(&mut rng, 6, 12)
                ));
            }
            if k % 8 == 0 {
                text.push_str(&format!("### {}\n\n", vocab.title(&mut rng)));
            }
            text.push_str(&format!(
                "- [{}](https://site{}.example/{}/{}) -- {}\n",
                vocab.title(&mut rng),
                rng.below(500),
                vocab.pick(&mut rng),
                n + k,
                vocab.sentence(&mut rng, 6, 14)
            ));
            if rng.below(5) != 0 {
                text.push_str("\n  > **Key insights:**\n");
                for _ in 0..rng.range(5, 15) {
                    text.push_str(&format!("  > - {}\n", vocab.sentence(&mut rng, 10, 24)));
                }
                text.push('\n');
            }
        }
        out.write_all(text.as_bytes())?;
        written += text.len() as u64;
        n += here;
        file_no += 1;
    }
    Ok(written)
}

/// Body sizes between 0.5 and 5 KB, and now and then a 100 KB outlier.
fn body_size(rng: &mut Rng, outlier: bool) -> usize {
    if outlier {
        100 * 1024
    } else {
        rng.range(512, 5 * 1024)
    }
}
