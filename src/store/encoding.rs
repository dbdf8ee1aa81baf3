//! A library written to and read from the load cache (see `crate::store::cache`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::bodies::StoredBodies;
use crate::content::{Category, CategoryId, Date, Diagnostic, Item, ItemKind, Library, SourceRef};
use crate::store::codec::{Damaged, Reader, Writer};

/// Where the pieces of a library's part of the cache are, as [`Library::encode`] wrote them,
/// each with its checksum: what lets one item be read from the file and checked alone,
/// without reading the part (see `store::items`). Offsets are from the part's start.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Where each path starts, and where the last ends.
    pub paths: Vec<u32>,
    pub path_sums: Vec<u32>,
    /// Where each item's record starts, and where the last ends (where the tail starts:
    /// the categories and diagnostics, which run to the part's end).
    pub records: Vec<u32>,
    pub record_sums: Vec<u32>,
    pub tail_sum: u32,
}

impl Library {
    /// Writes the library without its bodies, each only by its length and checksum (from
    /// `body_sums`, as [`encode_bodies`](Self::encode_bodies) gave them): the bodies go
    /// through that, so that they can stay on disk until wanted. Returns where each piece
    /// went ([`Layout`]); `None` for a part too large for 32-bit offsets (some 14 million
    /// items), which is then only ever decoded whole.
    pub fn encode(&self, w: &mut Writer<'_>, body_sums: &[u32]) -> Option<Layout> {
        // The items of a file share its path: each path is written once, items give its number.
        let mut numbers: HashMap<&Path, usize> = HashMap::new();
        let mut paths: Vec<&Path> = Vec::new();
        for item in &self.items {
            numbers.entry(&item.source.path).or_insert_with(|| {
                paths.push(&item.source.path);
                paths.len() - 1
            });
        }
        let start = w.position();
        let mut layout = Layout::default();
        // Each piece is encoded on its own first, for its checksum.
        let mut piece = Writer::default();
        let put = |w: &mut Writer<'_>, piece: &mut Writer<'_>| {
            let sum = piece.checksum();
            w.raw(&piece.bytes);
            piece.bytes.clear();
            sum
        };
        // Offsets only grow: if the part's end fits in 32 bits (checked last), all do.
        let offset = |w: &Writer<'_>| u32::try_from(w.position() - start).unwrap_or(u32::MAX);
        // As the bytes the system gave: `caf\xe9.md` is edited as itself after a cached start.
        w.usize(paths.len());
        for path in &paths {
            layout.paths.push(offset(w));
            piece.path(path);
            layout.path_sums.push(put(w, &mut piece));
        }
        layout.paths.push(offset(w));
        w.usize(self.items.len());
        for (index, item) in self.items.iter().enumerate() {
            layout.records.push(offset(w));
            let (sum, path) = (body_sums.get(index).copied(), numbers[&*item.source.path]);
            encode_record(&mut piece, item, sum, path);
            layout.record_sums.push(put(w, &mut piece));
        }
        layout.records.push(offset(w));
        self.encode_tail(&mut piece);
        layout.tail_sum = put(w, &mut piece);
        u32::try_from(w.position() - start).ok()?;
        Some(layout)
    }

    /// The categories and diagnostics, after the items.
    fn encode_tail(&self, w: &mut Writer<'_>) {
        w.usize(self.categories.len());
        for c in &self.categories {
            w.str(&c.name);
            w.opt_str(c.description.as_deref());
            w.u64(c.parent.map_or(u64::MAX, |p| p.0 as u64));
            w.usize(c.children.len());
            for child in &c.children {
                w.usize(child.0);
            }
            w.usize(c.items.len());
            for &i in &c.items {
                w.usize(i);
            }
            w.usize(c.total);
        }
        w.usize(self.diagnostics.len());
        for d in &self.diagnostics {
            w.path(&d.path);
            w.u64(d.line.map_or(u64::MAX, |l| l as u64));
            w.str(&d.message);
        }
    }

    /// Every body, back to back in item order; returns each one's checksum. A body still in
    /// the cache it was read from is copied from there piece by piece, never held whole in
    /// memory (a reload's rewrite of a 20,000-post cache took RSS from 35 to 202 MB); a body
    /// found damaged there fails the write.
    pub fn encode_bodies(&self, w: &mut Writer<'_>) -> std::io::Result<Vec<u32>> {
        let mut sums = Vec::with_capacity(self.items.len());
        // Bodies still in an earlier cache, side by side there as they are here (all of them
        // but the changed ones, after a change): each run is copied by the system in one go,
        // never read. Their checksums are the ones they were written with; a damaged byte is
        // found when the body is read, as in the cache it came from. Where the system will
        // not copy, they are read and written like any other.
        let mut copying = true;
        // The run being gathered: its store, its offset and length there, its first item.
        let mut run: Option<(&StoredBodies, u64, u64, usize)> = None;
        for (index, item) in self.items.iter().enumerate() {
            let stored = item
                .body
                .place()
                .filter(|_| copying)
                .and_then(|(store, at, sum)| {
                    Some((store.as_any().downcast_ref::<StoredBodies>()?, at, sum))
                });
            let len = item.body.len() as u64;
            if let Some((store, at, sum)) = stored
                && let Some((s, start, l, _)) = &mut run
                && std::ptr::eq(*s, store)
                && *start + *l == at
            {
                *l += len;
                sums.push(sum);
                continue;
            }
            if let Some(done) = run.take() {
                copying &= self.write_run(w, done, index)?;
            }
            match stored.filter(|_| copying) {
                Some((store, at, sum)) => {
                    run = Some((store, at, len, index));
                    sums.push(sum);
                }
                None => sums.push(item.body.copy_to(&mut |bytes| w.raw(bytes))?),
            }
        }
        if let Some(done) = run.take() {
            self.write_run(w, done, self.items.len())?;
        }
        Ok(sums)
    }

    /// Writes a run of stored bodies (store, offset and length there, first item), the items
    /// up to `end`: copied by the system, else read and written. Whether it was copied.
    fn write_run(
        &self,
        w: &mut Writer<'_>,
        (store, at, len, first): (&StoredBodies, u64, u64, usize),
        end: usize,
    ) -> std::io::Result<bool> {
        let (file, start) = store.region();
        if w.copy_range(file, start + at, len) {
            return Ok(true);
        }
        for item in &self.items[first..end] {
            item.body.copy_to(&mut |bytes| w.raw(bytes))?;
        }
        Ok(false)
    }

    /// Reads a library written by [`encode`](Self::encode); its bodies are in `bodies`, as
    /// [`encode_bodies`](Self::encode_bodies) wrote them, and are read from there when wanted.
    pub fn decode(r: &mut Reader<'_>, bodies: &Arc<StoredBodies>) -> Result<Library, Damaged> {
        let paths: Vec<Arc<Path>> = (0..r.len(1)?)
            .map(|_| r.path().map(Arc::from))
            .collect::<Result<_, _>>()?;
        let n = r.len(13)?;
        let mut items = Vec::with_capacity(n);
        let mut body_at = 0u64;
        for _ in 0..n {
            let fields = Fields::read(r)?;
            let path = paths.get(fields.path).ok_or(Damaged)?;
            let body_len = fields.body_len as u64;
            items.push(fields.into_item(Arc::clone(path), bodies, body_at)?);
            body_at += body_len;
        }
        let (categories, diagnostics) = read_tail(r)?;
        let library = Library {
            items,
            categories,
            diagnostics,
        };
        check_references(
            library.items.iter().map(|item| item.category),
            &library.categories,
        )?;
        Ok(library)
    }
}

/// One item's record, as [`Fields::read`] reads it: its body by length and checksum, its
/// file by number.
fn encode_record(w: &mut Writer<'_>, item: &Item, body_sum: Option<u32>, path: usize) {
    w.str(&item.id);
    w.u8(match item.kind {
        ItemKind::Post => 0,
        ItemKind::Bookmark => 1,
    });
    w.str(&item.title);
    w.opt_str(item.url.as_deref());
    match item.date {
        Some(d) => {
            w.u8(1);
            w.u32(u32::from(d.year));
            w.u8(d.month);
            w.u8(d.day);
        }
        None => w.u8(0),
    }
    match item.weight {
        Some(weight) => {
            w.u8(1);
            w.u64(weight as u64);
        }
        None => w.u8(0),
    }
    w.strs(&item.authors);
    w.strs(&item.tags);
    w.opt_str(item.description.as_deref());
    w.usize(item.body.len());
    w.u32(body_sum.unwrap_or_default());
    w.usize(item.category.0);
    w.usize(path);
    w.usize(item.source.line);
}

/// One item's record as [`Library::encode`] writes it: one reader for the library decoded
/// whole and for an item read alone (`store::items`), so the two can never read a record
/// differently.
pub(super) struct Fields {
    pub id: String,
    kind: ItemKind,
    title: String,
    pub url: Option<String>,
    date: Option<Date>,
    weight: Option<i64>,
    authors: Vec<String>,
    tags: Vec<String>,
    description: Option<String>,
    pub body_len: usize,
    body_sum: u32,
    pub category: CategoryId,
    /// The number of its file's path in the library's list of them.
    pub path: usize,
    line: usize,
}

impl Fields {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Fields, Damaged> {
        let text = |r: &mut Reader<'_>| r.string();
        let id = text(r)?;
        let kind = match r.u8()? {
            0 => ItemKind::Post,
            1 => ItemKind::Bookmark,
            _ => return Err(Damaged),
        };
        let title = text(r)?;
        let optional = |r: &mut Reader<'_>| match r.u8()? {
            0 => Ok(None),
            1 => text(r).map(Some),
            _ => Err(Damaged),
        };
        let url = optional(r)?;
        let date = match r.u8()? {
            0 => None,
            _ => {
                let year = u16::try_from(r.u32()?).map_err(|_| Damaged)?;
                Some(Date::new(year, r.u8()?, r.u8()?).ok_or(Damaged)?)
            }
        };
        let weight = match r.u8()? {
            0 => None,
            _ => Some(r.u64()? as i64),
        };
        let list = |r: &mut Reader<'_>| -> Result<Vec<String>, Damaged> {
            let n = r.len(1)?;
            (0..n).map(|_| text(r)).collect()
        };
        let authors = list(r)?;
        let tags = list(r)?;
        let description = optional(r)?;
        Ok(Fields {
            id,
            kind,
            title,
            url,
            date,
            weight,
            authors,
            tags,
            description,
            body_len: r.usize()?,
            body_sum: r.u32()?,
            category: CategoryId(r.usize()?),
            path: r.usize()?,
            line: r.usize()?,
        })
    }
}

impl Fields {
    /// The item, its body `body_at` bytes into `bodies`.
    pub(super) fn into_item(
        self,
        path: Arc<Path>,
        bodies: &Arc<StoredBodies>,
        body_at: u64,
    ) -> Result<Item, Damaged> {
        Ok(Item {
            id: self.id,
            kind: self.kind,
            title: self.title,
            url: self.url,
            date: self.date,
            weight: self.weight,
            authors: self.authors,
            tags: self.tags,
            description: self.description,
            body: bodies
                .body(body_at, self.body_len, self.body_sum)
                .ok_or(Damaged)?,
            category: self.category,
            source: SourceRef {
                path,
                line: self.line,
            },
        })
    }
}

/// The categories and diagnostics after the items.
pub(super) fn read_tail(r: &mut Reader<'_>) -> Result<(Vec<Category>, Vec<Diagnostic>), Damaged> {
    let n = r.len(13)?;
    let mut categories = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string()?;
        let description = r.opt_string()?;
        let parent = match r.u64()? {
            u64::MAX => None,
            p => Some(CategoryId(usize::try_from(p).map_err(|_| Damaged)?)),
        };
        let children = (0..r.len(1)?)
            .map(|_| r.usize().map(CategoryId))
            .collect::<Result<_, _>>()?;
        let own = (0..r.len(1)?)
            .map(|_| r.usize())
            .collect::<Result<_, _>>()?;
        let total = r.usize()?;
        categories.push(Category {
            name,
            description,
            parent,
            children,
            items: own,
            total,
        });
    }
    let n = r.len(10)?;
    let mut diagnostics = Vec::with_capacity(n);
    for _ in 0..n {
        let path = r.path()?;
        let line = match r.u64()? {
            u64::MAX => None,
            l => Some(usize::try_from(l).map_err(|_| Damaged)?),
        };
        diagnostics.push(Diagnostic::new(path, line, r.string()?));
    }
    Ok((categories, diagnostics))
}

/// Every reference must point inside the library, or the reader would index out of it: the
/// items' categories (`item_categories`), and the categories' parents, children and items.
pub(super) fn check_references(
    item_categories: impl ExactSizeIterator<Item = CategoryId>,
    categories: &[Category],
) -> Result<(), Damaged> {
    let n_items = item_categories.len();
    let mut item_categories = item_categories;
    if item_categories.any(|c| c.0 >= categories.len()) {
        return Err(Damaged);
    }
    check_categories(categories, n_items)
}

/// The categories' references (parents, children, items) point inside a library of
/// `n_items` items, and there is at least the root. (Each item's own category is checked
/// where its record is read.)
pub(super) fn check_categories(categories: &[Category], n_items: usize) -> Result<(), Damaged> {
    let n_cats = categories.len();
    let bad_cat = categories.iter().any(|c| {
        c.parent.is_some_and(|p| p.0 >= n_cats)
            || c.children.iter().any(|ch| ch.0 >= n_cats)
            || c.items.iter().any(|&i| i >= n_items)
    });
    if n_cats == 0 || bad_cat {
        return Err(Damaged);
    }
    Ok(())
}

/// The library's bodies in a file, as the load cache keeps them, and their checksums.
#[cfg(test)]
pub(super) fn stored_bodies(library: &Library, name: &str) -> (Arc<StoredBodies>, Vec<u32>) {
    use std::fs::File;
    let path = std::env::temp_dir().join(format!("quire-bodies-{name}-{}", std::process::id()));
    let mut file = File::create(&path).expect("create");
    let mut w = Writer::to(&mut file);
    let sums = library.encode_bodies(&mut w).expect("bodies");
    let len = w.position();
    w.finish().expect("write");
    let file = File::open(&path).expect("open");
    let _ = std::fs::remove_file(&path);
    (
        StoredBodies::new(file, 0, len, super::damage::Damage::unnamed()),
        sums,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Root, load_library};

    #[test]
    fn the_bundled_library_round_trips() {
        let library = load_library(&[Root::Bundled]).expect("bundled");
        let (bodies, sums) = stored_bodies(&library, "round-trip");
        let mut w = Writer::default();
        library.encode(&mut w, &sums);
        let mut r = Reader::new(&w.bytes);
        let back = Library::decode(&mut r, &bodies).expect("decodes");
        assert!(r.is_done());
        assert_eq!(back.items.len(), library.items.len());
        for (a, b) in back.items.iter().zip(&library.items) {
            assert_eq!(
                (&a.id, &a.title, &a.url, a.date, &*a.body, a.category),
                (&b.id, &b.title, &b.url, b.date, &*b.body, b.category)
            );
        }
        assert_eq!(back.categories.len(), library.categories.len());
        assert_eq!(
            back.category_path(back.items[0].category),
            library.category_path(library.items[0].category)
        );
    }

    #[test]
    fn a_damaged_cache_is_an_error_not_a_panic() {
        let library = load_library(&[Root::Bundled]).expect("bundled");
        let (bodies, sums) = stored_bodies(&library, "damaged");
        let mut w = Writer::default();
        library.encode(&mut w, &sums);
        for cut in [0, 1, 100, w.bytes.len() / 2, w.bytes.len() - 1] {
            assert_eq!(
                Library::decode(&mut Reader::new(&w.bytes[..cut]), &bodies).err(),
                Some(Damaged)
            );
        }
        // Bodies that would run past the stored ones are damage too.
        let (short, _) = stored_bodies(&Library::empty(), "short");
        assert_eq!(
            Library::decode(&mut Reader::new(&w.bytes), &short).err(),
            Some(Damaged)
        );
        let mut flipped = w.bytes.clone();
        for i in (0..flipped.len()).step_by(997) {
            flipped[i] ^= 0xff;
        }
        let _ = Library::decode(&mut Reader::new(&flipped), &bodies);
    }
}
