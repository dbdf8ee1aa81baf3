//! A library's items read from the load cache one by one, when first wanted. A search of
//! 100,000 items ranks a few hundred of them, but reading the library's part of the cache
//! (28 MB at 100,000 items) and going through every record to check it was a quarter of its
//! time: here a table written beside the part ([`Table`]) says where each record is, with
//! its checksum, and what a search asks of every item (its id, its link, its body's length);
//! an item is read from the file, checked and decoded only when asked for.

use std::fs::File;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::bodies::StoredBodies;
use super::cache::ItemIds;
use super::codec::{Damaged, Reader, Writer};
use super::encoding::{Fields, Layout, check_categories, read_tail};
use super::read_at::read_vec_at;
use crate::content::{Category, CategoryId, Diagnostic, Item, ItemKind, Items, Library, SourceRef};

/// What the load cache keeps beside a library's part so that each item can be read alone:
/// where each record and path is in the part, with its checksum ([`Layout`]), and what a
/// search asks of every item without decoding it: its body's length and its link.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Table {
    layout: Layout,
    body_lens: Vec<u32>,
    urls: String,
    /// Where each item's link ends in `urls` (an item without one: where the last ended).
    url_ends: Vec<u32>,
    /// 1 for an item with a link, 0 for one without.
    has_url: Vec<u8>,
}

impl Table {
    /// The table of `library`, written with `layout`; `None` if its links or a body are too
    /// long for 32-bit numbers (the part is then only ever decoded whole).
    pub fn of(library: &Library, layout: Layout) -> Option<Table> {
        let n = library.items.len();
        let mut table = Table {
            layout,
            body_lens: Vec::with_capacity(n),
            url_ends: Vec::with_capacity(n),
            has_url: Vec::with_capacity(n),
            urls: String::new(),
        };
        for item in &library.items {
            table.body_lens.push(u32::try_from(item.body.len()).ok()?);
            table.urls.push_str(item.url.as_deref().unwrap_or_default());
            table.url_ends.push(u32::try_from(table.urls.len()).ok()?);
            table.has_url.push(u8::from(item.url.is_some()));
        }
        Some(table)
    }

    pub fn encode(&self, w: &mut Writer<'_>) {
        let l = &self.layout;
        for numbers in [&l.paths, &l.path_sums, &l.records, &l.record_sums] {
            w.u32s(numbers);
        }
        w.u32(l.tail_sum);
        w.u32s(&self.body_lens);
        w.str(&self.urls);
        w.u32s(&self.url_ends);
        w.bytes(&self.has_url);
    }

    /// Reads a table, checking that it holds together: one record and one link per item,
    /// offsets that only grow, links that end on characters.
    pub fn decode(r: &mut Reader<'_>) -> Result<Table, Damaged> {
        let layout = Layout {
            paths: r.u32s()?,
            path_sums: r.u32s()?,
            records: r.u32s()?,
            record_sums: r.u32s()?,
            tail_sum: r.u32()?,
        };
        let table = Table {
            body_lens: r.u32s()?,
            urls: r.string()?,
            url_ends: r.u32s()?,
            has_url: r.byte_vec()?,
            layout,
        };
        let l = &table.layout;
        let n = l.record_sums.len();
        let growing = |v: &[u32]| v.windows(2).all(|w| w[0] <= w[1]);
        let whole = l.paths.len() == l.path_sums.len() + 1
            && l.records.len() == n + 1
            && [
                table.body_lens.len(),
                table.url_ends.len(),
                table.has_url.len(),
            ] == [n; 3]
            && growing(&l.paths)
            && growing(&l.records)
            && growing(&table.url_ends)
            && l.paths.last() <= l.records.first()
            && table.url_ends.last().map_or(0, |&e| e as usize) == table.urls.len()
            && table
                .url_ends
                .iter()
                .all(|&e| table.urls.is_char_boundary(e as usize));
        if whole { Ok(table) } else { Err(Damaged) }
    }

    fn items(&self) -> usize {
        self.layout.record_sums.len()
    }
}

/// Where the library's part of a cache is: its file, offset and length.
pub struct Part {
    pub file: Arc<File>,
    pub at: u64,
    pub len: u64,
}

/// The items of a library as the load cache holds them, each read and decoded when first
/// wanted.
pub struct StoredItems {
    part: Part,
    ids: ItemIds,
    table: Table,
    /// Where each item's body starts among the stored bodies.
    body_at: Vec<u64>,
    /// Each of the library's paths once read (the items of a file share it).
    paths: Vec<OnceLock<Option<Arc<Path>>>>,
    decoded: Vec<OnceLock<Box<Item>>>,
    bodies: Arc<StoredBodies>,
    categories: Vec<Category>,
    diagnostics: Vec<Diagnostic>,
}

impl StoredItems {
    /// The items of the library `part`, found by `table`, with their `ids` (the cache's ids
    /// part) and their bodies in `bodies`. Only the categories and diagnostics are read now,
    /// and checked; each record is checked against its own checksum when it is read. A table
    /// that does not fit the ids, the part or the bodies is [`Damaged`].
    pub fn open(
        part: Part,
        ids: ItemIds,
        table: Table,
        bodies: Arc<StoredBodies>,
    ) -> Result<StoredItems, Damaged> {
        let n = table.items();
        let l = &table.layout;
        let tail_at = u64::from(*l.records.last().ok_or(Damaged)?);
        if ids.len() != n || tail_at > part.len {
            return Err(Damaged);
        }
        let tail =
            read_vec_at(&part.file, part.at + tail_at, part.len - tail_at).map_err(|_| Damaged)?;
        if crc32fast::hash(&tail) != l.tail_sum {
            return Err(Damaged);
        }
        let mut r = Reader::new(&tail);
        let (categories, diagnostics) = read_tail(&mut r)?;
        if !r.is_done() {
            return Err(Damaged);
        }
        check_categories(&categories, n)?;
        let mut body_at = Vec::with_capacity(n);
        let mut at = 0u64;
        for &len in &table.body_lens {
            if !bodies.holds(at, len as usize) {
                return Err(Damaged);
            }
            body_at.push(at);
            at += u64::from(len);
        }
        let paths = std::iter::repeat_with(OnceLock::new)
            .take(l.path_sums.len())
            .collect();
        let decoded = std::iter::repeat_with(OnceLock::new).take(n).collect();
        Ok(StoredItems {
            part,
            ids,
            table,
            body_at,
            paths,
            decoded,
            bodies,
            categories,
            diagnostics,
        })
    }

    /// Every item decoded: the library, as [`Library::decode`] gives it (a library to bring
    /// up to date with changed files is wanted whole). The records are read in runs of about
    /// a megabyte and decoded on every core, each checked against its checksum. `None` if
    /// any will not read or decode: damage, told as [`item`](Items::item) tells it.
    pub fn into_library(self) -> Option<Library> {
        let runs = self.read_paths().map(|()| {
            crate::search::shares::in_shares(self.len(), 10_000, |range| self.decode_run(range))
        });
        let Some(runs) = runs.and_then(|runs| runs.into_iter().collect::<Option<Vec<_>>>()) else {
            self.found_damage();
            return None;
        };
        let mut items = Vec::with_capacity(self.len());
        for run in runs {
            items.extend(run);
        }
        Some(Library {
            items,
            categories: self.categories,
            diagnostics: self.diagnostics,
        })
    }

    /// Every path read at once (item by item, a million items' paths were a million reads).
    fn read_paths(&self) -> Option<()> {
        let l = &self.table.layout;
        let (first, last) = (*l.paths.first()?, *l.paths.last()?);
        let bytes = self.bytes(first, last)?;
        for (n, slot) in self.paths.iter().enumerate() {
            let piece =
                bytes.get((l.paths[n] - first) as usize..(l.paths[n + 1] - first) as usize)?;
            if slot.get().is_none() {
                let _ = slot.set(self.decode_path(piece, l.path_sums[n]));
            }
        }
        Some(())
    }

    /// Items `range`, their records read in runs of about a megabyte.
    fn decode_run(&self, range: std::ops::Range<usize>) -> Option<Vec<Item>> {
        const RUN: u32 = 1 << 20;
        let records = &self.table.layout.records;
        let mut items = Vec::with_capacity(range.len());
        let mut i = range.start;
        while i < range.end {
            let start = records[i];
            let mut j = i + 1;
            while j < range.end && records[j + 1] - start <= RUN {
                j += 1;
            }
            let bytes = self.bytes(start, records[j])?;
            for k in i..j {
                let record =
                    bytes.get((records[k] - start) as usize..(records[k + 1] - start) as usize)?;
                items.push(self.decode_record(k, record).ok()?);
            }
            i = j;
        }
        Some(items)
    }

    /// How many items have been decoded so far.
    pub fn decoded(&self) -> usize {
        self.decoded
            .iter()
            .filter(|slot| slot.get().is_some())
            .count()
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Where item `i`'s record starts in the part.
    #[cfg(test)]
    pub(super) fn record_at(&self, i: usize) -> u32 {
        self.table.layout.records[i]
    }

    /// The bytes `start..end` of the part, unchecked.
    fn bytes(&self, start: u32, end: u32) -> Option<Vec<u8>> {
        let len = u64::from(end.checked_sub(start)?);
        if u64::from(end) > self.part.len {
            return None;
        }
        read_vec_at(&self.part.file, self.part.at + u64::from(start), len).ok()
    }

    /// Whether `bytes` are as written (`sum`).
    fn checked(bytes: &[u8], sum: u32) -> Result<(), Damaged> {
        if crc32fast::hash(bytes) == sum {
            Ok(())
        } else {
            Err(Damaged)
        }
    }

    /// Damage found: told to the cache's watch, shared with its bodies and lists (remembered,
    /// and the cache removed, so that the next command builds it again). Told where items are
    /// asked for ([`Items::item`], [`into_library`](Self::into_library)), whatever step failed.
    fn found_damage(&self) {
        self.bodies.damage().found();
    }

    fn decode(&self, i: usize) -> Result<Item, Damaged> {
        let records = &self.table.layout.records;
        let bytes = self.bytes(records[i], records[i + 1]).ok_or(Damaged)?;
        self.decode_record(i, &bytes)
    }

    /// Item `i` from its record's bytes.
    fn decode_record(&self, i: usize, bytes: &[u8]) -> Result<Item, Damaged> {
        Self::checked(bytes, self.table.layout.record_sums[i])?;
        let mut r = Reader::new(bytes);
        let fields = Fields::read(&mut r)?;
        // What the table says of the item is what its record says.
        let agrees = r.is_done()
            && fields.id == self.id(i)
            && fields.url.as_deref() == self.url(i)
            && fields.body_len == self.body_len(i)
            && fields.category.0 < self.categories.len();
        if !agrees {
            return Err(Damaged);
        }
        let path = self.path(fields.path)?;
        fields.into_item(path, &self.bodies, self.body_at[i])
    }

    fn path(&self, n: usize) -> Result<Arc<Path>, Damaged> {
        let l = &self.table.layout;
        let slot = self.paths.get(n).ok_or(Damaged)?;
        let path = slot.get_or_init(|| {
            let bytes = self.bytes(l.paths[n], l.paths[n + 1])?;
            self.decode_path(&bytes, l.path_sums[n])
        });
        path.clone().ok_or(Damaged)
    }

    fn decode_path(&self, bytes: &[u8], sum: u32) -> Option<Arc<Path>> {
        Self::checked(bytes, sum).ok()?;
        let mut r = Reader::new(bytes);
        let path = r.path().ok()?;
        r.is_done().then(|| Arc::from(path))
    }

    /// What stands for an item whose record would not read: one damaged in the file since
    /// the cache was written (its checksum then fails), or a read that failed. An item is
    /// asked for where no error can be returned, and nothing here may panic.
    fn unreadable(&self, i: usize) -> Item {
        let source = SourceRef {
            path: Arc::from(Path::new("")),
            line: 0,
        };
        Item::bare(
            self.id(i).to_string(),
            ItemKind::Bookmark,
            "(unreadable in the load cache)".to_string(),
            crate::content::Body::from(""),
            CategoryId(0),
            source,
        )
    }
}

impl Items for StoredItems {
    fn len(&self) -> usize {
        self.decoded.len()
    }

    /// An item that will not read (a read that fails, as well as one not as written) is
    /// damage: told, whatever the step that failed.
    fn item(&self, i: usize) -> &Item {
        self.decoded[i].get_or_init(|| {
            Box::new(self.decode(i).unwrap_or_else(|_| {
                self.found_damage();
                self.unreadable(i)
            }))
        })
    }

    fn id(&self, i: usize) -> &str {
        self.ids.get(i).unwrap_or_default()
    }

    fn url(&self, i: usize) -> Option<&str> {
        let t = &self.table;
        let start = i.checked_sub(1).map_or(0, |p| t.url_ends[p] as usize);
        (t.has_url[i] == 1).then(|| {
            t.urls
                .get(start..t.url_ends[i] as usize)
                .unwrap_or_default()
        })
    }

    fn body_len(&self, i: usize) -> usize {
        self.table.body_lens[i] as usize
    }

    fn categories(&self) -> &[Category] {
        &self.categories
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Root, load_library};
    use crate::store::encoding::stored_bodies;

    /// The bundled library's part as the cache holds it, in a file of its own, and its
    /// table, ids and bodies.
    struct Encoded {
        library: Library,
        bytes: Vec<u8>,
        path: std::path::PathBuf,
        table: Table,
        bodies: Arc<StoredBodies>,
    }

    impl Encoded {
        fn new(name: &str) -> Encoded {
            let library = load_library(&[Root::Bundled]).expect("bundled");
            let (bodies, sums) = stored_bodies(&library, name);
            let mut w = Writer::default();
            let layout = library.encode(&mut w, &sums).expect("small enough");
            let table = Table::of(&library, layout).expect("small enough");
            let path =
                std::env::temp_dir().join(format!("quire-items-{name}-{}", std::process::id()));
            std::fs::write(&path, &w.bytes).expect("write");
            Encoded {
                library,
                bytes: w.bytes,
                path,
                table,
                bodies,
            }
        }

        fn open(&self) -> Result<StoredItems, Damaged> {
            let file = File::open(&self.path).expect("open");
            let part = Part {
                file: Arc::new(file),
                at: 0,
                len: self.bytes.len() as u64,
            };
            let ids = ItemIds::of(&self.library);
            StoredItems::open(part, ids, self.table.clone(), Arc::clone(&self.bodies))
        }
    }

    impl Drop for Encoded {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    #[test]
    fn each_item_decoded_when_wanted_is_the_item_decoded_whole() {
        let encoded = Encoded::new("whole");
        let library = &encoded.library;
        let bodies = &encoded.bodies;
        let whole = Library::decode(&mut Reader::new(&encoded.bytes), bodies).expect("decodes");
        let stored = encoded.open().expect("opens");
        assert_eq!(stored.len(), library.items.len());
        assert!(stored.len() > 200, "the bundled library has its items");
        // What every item is asked for is known before any item is decoded.
        for (i, item) in library.items.iter().enumerate() {
            assert_eq!(stored.id(i), item.id);
            assert_eq!(stored.url(i), item.url.as_deref());
            assert_eq!(stored.body_len(i), item.body.len());
            assert_eq!(stored.position(&item.id), Some(i));
        }
        assert!(library.items.iter().any(|item| item.url.is_none()));
        assert_eq!(stored.decoded(), 0);
        assert_eq!(stored.position("no/such-item"), None);
        // Decoded in any order, each is the item decoded whole, body and file and all.
        for i in (0..stored.len()).rev() {
            let (a, b) = (stored.item(i), &whole.items[i]);
            assert_eq!(
                (&a.id, a.kind, &a.title, &a.url, a.date, a.weight),
                (&b.id, b.kind, &b.title, &b.url, b.date, b.weight)
            );
            assert_eq!(
                (&a.authors, &a.tags, &a.description, a.category),
                (&b.authors, &b.tags, &b.description, b.category)
            );
            assert_eq!((&*a.body, &a.source), (&*b.body, &b.source));
        }
        assert_eq!(stored.decoded(), stored.len());
        // Items of one file share its path.
        let (first, second) = (stored.item(0), stored.item(1));
        if first.source.path == second.source.path {
            assert!(Arc::ptr_eq(&first.source.path, &second.source.path));
        }
        assert_eq!(
            stored.category_path(library.items[7].category),
            library.category_path(library.items[7].category)
        );
        assert_eq!(stored.diagnostics().len(), library.diagnostics.len());
        let back = stored.into_library().expect("decodes");
        assert_eq!(back.items.len(), library.items.len());
        assert_eq!(back.categories.len(), library.categories.len());
        assert_eq!(back.diagnostics.len(), library.diagnostics.len());
        assert!(
            back.items
                .iter()
                .zip(&library.items)
                .all(|(a, b)| a.id == b.id)
        );
    }

    #[test]
    fn a_large_library_decoded_whole_on_every_core_is_the_library_in_order() {
        // Enough items for several shares and many runs of a megabyte; bodies left empty.
        let mut library = Library::empty();
        let files: Vec<Arc<Path>> = (0..700)
            .map(|f| Arc::from(Path::new(&format!("notes/file-{f}.md"))))
            .collect();
        library.items = (0..30_000)
            .map(|i| {
                let mut item = Item::bare(
                    format!("notes/file-{}#item-{i}", i % 700),
                    ItemKind::Bookmark,
                    format!("Item {i} {}", "x".repeat(i % 300)),
                    crate::content::Body::from(""),
                    CategoryId(0),
                    SourceRef {
                        path: Arc::clone(&files[i % 700]),
                        line: i,
                    },
                );
                item.url = (i % 3 != 0).then(|| format!("https://example.com/{i}"));
                item
            })
            .collect();
        let (bodies, sums) = stored_bodies(&library, "large");
        let mut w = Writer::default();
        let layout = library.encode(&mut w, &sums).expect("small enough");
        assert!(
            w.bytes.len() > 4 << 20,
            "{} bytes: several runs",
            w.bytes.len()
        );
        let path = std::env::temp_dir().join(format!("quire-items-large-{}", std::process::id()));
        std::fs::write(&path, &w.bytes).expect("write");
        let part = Part {
            file: Arc::new(File::open(&path).expect("open")),
            at: 0,
            len: w.bytes.len() as u64,
        };
        let table = Table::of(&library, layout).expect("small enough");
        let stored = StoredItems::open(part, ItemIds::of(&library), table, bodies).expect("opens");
        let _ = std::fs::remove_file(&path);
        let back = stored.into_library().expect("decodes");
        assert_eq!(back.items.len(), library.items.len());
        for (a, b) in back.items.iter().zip(&library.items) {
            assert_eq!((&a.id, &a.title, &a.url), (&b.id, &b.title, &b.url));
            assert_eq!(a.source, b.source);
        }
        // Items of one file share its path, whichever thread decoded them.
        assert!(Arc::ptr_eq(
            &back.items[5].source.path,
            &back.items[29_405].source.path
        ));
    }

    #[test]
    fn the_table_reads_back_as_written_and_a_cut_one_is_refused() {
        let encoded = Encoded::new("table");
        let mut w = Writer::default();
        encoded.table.encode(&mut w);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(Table::decode(&mut r).as_ref(), Ok(&encoded.table));
        assert!(r.is_done());
        for cut in (0..w.bytes.len()).step_by(w.bytes.len() / 61 + 1) {
            let mut r = Reader::new(&w.bytes[..cut]);
            assert!(Table::decode(&mut r).is_err(), "cut at {cut}");
        }
        // Numbers that do not hold together: a record ending before it starts, a link cut
        // inside a character, a count that is not the items'.
        let mut backwards = encoded.table.clone();
        backwards.layout.records.swap(3, 4);
        let mut split = encoded.table.clone();
        split.urls = "é".repeat(4);
        split.url_ends.iter_mut().for_each(|e| *e = 8);
        split.url_ends[0] = 1;
        let mut short = encoded.table.clone();
        short.body_lens.pop();
        let mut overlapping = encoded.table.clone();
        *overlapping.layout.paths.last_mut().expect("paths") = overlapping.layout.records[0] + 1;
        // (Each breaks one rule: the same table with its links on characters reads.)
        let mut whole_chars = split.clone();
        whole_chars.url_ends[0] = 2;
        let mut w = Writer::default();
        whole_chars.encode(&mut w);
        assert!(Table::decode(&mut Reader::new(&w.bytes)).is_ok());
        for bad in [backwards, split, short, overlapping] {
            let mut w = Writer::default();
            bad.encode(&mut w);
            assert!(Table::decode(&mut Reader::new(&w.bytes)).is_err());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_part_damaged_after_opening_gives_an_unreadable_item_never_another_one() {
        let encoded = Encoded::new("damaged");
        let library = &encoded.library;
        // A table that is not the part's, or ids that are not its items', are refused whole.
        let mut other = encoded.table.clone();
        other.layout.tail_sum ^= 1;
        let part = |e: &Encoded| Part {
            file: Arc::new(File::open(&e.path).expect("open")),
            at: 0,
            len: e.bytes.len() as u64,
        };
        let bodies = || Arc::clone(&encoded.bodies);
        let ids = ItemIds::of(library);
        assert!(StoredItems::open(part(&encoded), ids.clone(), other, bodies()).is_err());
        let mut fewer = Library::empty();
        fewer.items = library.items[1..].to_vec();
        let wrong = ItemIds::of(&fewer);
        assert!(StoredItems::open(part(&encoded), wrong, encoded.table.clone(), bodies()).is_err());
        let (short, _) = stored_bodies(&Library::empty(), "damaged-short");
        assert!(StoredItems::open(part(&encoded), ids, encoded.table.clone(), short).is_err());

        // Bytes flipped in the file once it is open: each item is then itself or unreadable.
        let stored = encoded.open().expect("opens");
        {
            use std::os::unix::fs::FileExt;
            let file = File::options()
                .write(true)
                .open(&encoded.path)
                .expect("open");
            let tail = *encoded.table.layout.records.last().expect("records") as usize;
            for at in (0..tail).step_by(997) {
                file.write_at(&[encoded.bytes[at] ^ 0x5a], at as u64)
                    .expect("write");
            }
        }
        // Read whole, the part is refused (a record's checksum no longer holds), and the
        // damage told, as an item read alone tells it.
        let whole = encoded.open().expect("opens");
        let damage = Arc::clone(whole.bodies.damage());
        assert!(!damage.is_found());
        assert!(whole.into_library().is_none());
        assert!(damage.is_found());
        let mut lost = 0;
        for (i, item) in library.items.iter().enumerate() {
            let got = stored.item(i);
            assert_eq!(got.id, item.id);
            if got.title != item.title || got.source != item.source {
                assert_eq!(got.title, "(unreadable in the load cache)");
                lost += 1;
            }
        }
        assert!(lost > 0 && lost < library.items.len(), "{lost} lost");
        assert!(stored.into_library().is_none());
    }
}
