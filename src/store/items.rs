//! A library's items read from the load cache one by one, when first wanted. A search of
//! 100,000 items ranks a few hundred of them, but decoding every item (a hundred thousand
//! titles, ids, links and descriptions, each its own string) was a third of its time: here
//! the cache's bytes are checked whole (checksum, then every record read without keeping
//! it), and an item is decoded only when asked for.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::bodies::StoredBodies;
use super::codec::{Damaged, Reader};
use super::encoding::{Fields, check_references, read_tail};
use crate::content::{Category, CategoryId, Diagnostic, Item, ItemKind, Items, Library, SourceRef};

/// The items of a library as the load cache holds them, each decoded when first wanted.
pub struct StoredItems {
    /// The library's part of the cache, as written (checked against its checksum).
    bytes: Vec<u8>,
    /// Where each of the library's paths starts in `bytes`, and the path once decoded (the
    /// items of a file share it).
    paths: Vec<(u32, OnceLock<Arc<Path>>)>,
    records: Vec<Record>,
    decoded: Vec<OnceLock<Box<Item>>>,
    bodies: Arc<StoredBodies>,
    categories: Vec<Category>,
    diagnostics: Vec<Diagnostic>,
}

/// What is known of an item without decoding it: where its record is, and what a search
/// asks of every item (its id, its link, its body's length).
struct Record {
    at: u32,
    id: (u32, u32),
    /// `(u32::MAX, u32::MAX)` when it has no link.
    url: (u32, u32),
    body_at: u64,
    body_len: u32,
    category: u32,
}

const NO_URL: (u32, u32) = (u32::MAX, u32::MAX);

/// The library part of a cache, checked against its checksum and not read yet: read through
/// into [`StoredItems`] when the cache fits the files, decoded whole when files changed (then
/// the library is brought up to date with them, and reading it through first is waste).
pub struct ItemBytes {
    bytes: Vec<u8>,
    bodies: Arc<StoredBodies>,
}

impl ItemBytes {
    pub fn new(bytes: Vec<u8>, bodies: Arc<StoredBodies>) -> ItemBytes {
        ItemBytes { bytes, bodies }
    }

    pub fn items(self) -> Result<StoredItems, Damaged> {
        StoredItems::read(self.bytes, self.bodies)
    }

    /// Every item decoded, in one pass.
    pub fn library(&self) -> Option<Library> {
        let mut r = Reader::new(&self.bytes);
        let library = Library::decode(&mut r, &self.bodies).ok()?;
        // Bytes left over are damage too, as when the part is decoded from the file.
        r.is_done().then_some(library)
    }
}

impl StoredItems {
    /// The items of the library part `bytes` of a cache (its checksum already checked), their
    /// bodies in `bodies`. Every record is read through once, as [`Library::decode`] reads it,
    /// so that an item decoded later cannot find damage: a part that would not decode whole is
    /// [`Damaged`] here. A part too large for 32-bit offsets is refused too (the caller then
    /// decodes it whole).
    pub fn read(bytes: Vec<u8>, bodies: Arc<StoredBodies>) -> Result<StoredItems, Damaged> {
        let offset = |at: usize| u32::try_from(at).map_err(|_| Damaged);
        offset(bytes.len())?;
        let mut r = Reader::new(&bytes);
        let n = r.len(1)?;
        let mut paths = Vec::with_capacity(n);
        for _ in 0..n {
            paths.push((offset(r.offset())?, OnceLock::new()));
            r.path()?;
        }
        let n = r.len(13)?;
        let mut records = Vec::with_capacity(n);
        let mut body_at = 0u64;
        for _ in 0..n {
            let at = offset(r.offset())?;
            let fields = Fields::read(&mut r, |r| {
                let len = r.str()?.len();
                let end = r.offset();
                Ok((offset(end - len)?, offset(end)?))
            })?;
            let body_len = u32::try_from(fields.body_len).map_err(|_| Damaged)?;
            if fields.path >= paths.len() || !bodies.holds(body_at, fields.body_len) {
                return Err(Damaged);
            }
            records.push(Record {
                at,
                id: fields.id,
                url: fields.url.unwrap_or(NO_URL),
                body_at,
                body_len,
                category: u32::try_from(fields.category.0).map_err(|_| Damaged)?,
            });
            body_at += u64::from(body_len);
        }
        let (categories, diagnostics) = read_tail(&mut r)?;
        if !r.is_done() {
            return Err(Damaged);
        }
        check_references(
            records.iter().map(|r| CategoryId(r.category as usize)),
            &categories,
        )?;
        let decoded = std::iter::repeat_with(OnceLock::new)
            .take(records.len())
            .collect();
        Ok(StoredItems {
            bytes,
            paths,
            records,
            decoded,
            bodies,
            categories,
            diagnostics,
        })
    }

    /// Every item decoded: the library, as [`Library::decode`] gives it (in one pass over the
    /// bytes: a library to bring up to date with changed files is wanted whole). `None` only if
    /// the bytes would not decode, which their reading through when opened rules out.
    pub fn into_library(self) -> Option<Library> {
        ItemBytes::new(self.bytes, self.bodies).library()
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

    fn text(&self, (start, end): (u32, u32)) -> &str {
        // Checked as UTF-8 when the part was read; an id is a few dozen bytes.
        std::str::from_utf8(&self.bytes[start as usize..end as usize]).unwrap_or_default()
    }

    fn decode(&self, i: usize) -> Result<Item, Damaged> {
        let record = self.records.get(i).ok_or(Damaged)?;
        let mut r = Reader::new(self.bytes.get(record.at as usize..).ok_or(Damaged)?);
        let fields = Fields::read(&mut r, Reader::string)?;
        let path = self.path(fields.path)?;
        fields.into_item(path, &self.bodies, record.body_at)
    }

    fn path(&self, n: usize) -> Result<Arc<Path>, Damaged> {
        let (at, path) = self.paths.get(n).ok_or(Damaged)?;
        if let Some(path) = path.get() {
            return Ok(Arc::clone(path));
        }
        let mut r = Reader::new(self.bytes.get(*at as usize..).ok_or(Damaged)?);
        let decoded: Arc<Path> = Arc::from(r.path()?);
        Ok(Arc::clone(path.get_or_init(|| decoded)))
    }

    /// What stands for an item whose record would not decode. Never met: every record was
    /// read through the same reader when the part was opened; but an item is asked for
    /// where no error can be returned, and nothing here may panic.
    fn unreadable(&self, i: usize) -> Item {
        let record = &self.records[i];
        let source = SourceRef {
            path: Arc::from(Path::new("")),
            line: 0,
        };
        Item::bare(
            self.text(record.id).to_string(),
            ItemKind::Bookmark,
            "(unreadable in the load cache)".to_string(),
            crate::content::Body::from(""),
            CategoryId(record.category as usize),
            source,
        )
    }
}

impl Items for StoredItems {
    fn len(&self) -> usize {
        self.records.len()
    }

    fn item(&self, i: usize) -> &Item {
        self.decoded[i]
            .get_or_init(|| Box::new(self.decode(i).unwrap_or_else(|_| self.unreadable(i))))
    }

    fn id(&self, i: usize) -> &str {
        self.text(self.records[i].id)
    }

    fn url(&self, i: usize) -> Option<&str> {
        let url = self.records[i].url;
        (url != NO_URL).then(|| self.text(url))
    }

    fn body_len(&self, i: usize) -> usize {
        self.records[i].body_len as usize
    }

    fn categories(&self) -> &[Category] {
        &self.categories
    }

    fn position(&self, id: &str) -> Option<usize> {
        let id = id.as_bytes();
        self.records
            .iter()
            .position(|r| &self.bytes[r.id.0 as usize..r.id.1 as usize] == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Root, load_library};
    use crate::store::codec::Writer;
    use crate::store::encoding::stored_bodies;

    /// The bundled library encoded as the cache holds it, and its bodies.
    fn encoded(name: &str) -> (Library, Vec<u8>, Arc<StoredBodies>) {
        let library = load_library(&[Root::Bundled]).expect("bundled");
        let (bodies, sums) = stored_bodies(&library, name);
        let mut w = Writer::default();
        library.encode(&mut w, &sums);
        (library, w.bytes, bodies)
    }

    #[test]
    fn each_item_decoded_when_wanted_is_the_item_decoded_whole() {
        let (library, bytes, bodies) = encoded("items-whole");
        let whole = Library::decode(&mut Reader::new(&bytes), &bodies).expect("decodes");
        let stored = StoredItems::read(bytes, bodies).expect("reads");
        assert_eq!(stored.len(), library.items.len());
        assert!(stored.len() > 200, "the bundled library has its items");
        // What every item is asked for is known before any item is decoded.
        for (i, item) in library.items.iter().enumerate() {
            assert_eq!(stored.id(i), item.id);
            assert_eq!(stored.url(i), item.url.as_deref());
            assert_eq!(stored.body_len(i), item.body.len());
            assert_eq!(stored.position(&item.id), Some(i));
        }
        assert!(stored.decoded.iter().all(|slot| slot.get().is_none()));
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
        // Items of one file share its path.
        let (first, second) = (stored.item(0), stored.item(1));
        if first.source.path == second.source.path {
            assert!(Arc::ptr_eq(&first.source.path, &second.source.path));
        }
        assert_eq!(
            stored.category_path(library.items[7].category),
            library.category_path(library.items[7].category)
        );
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
    fn a_damaged_part_is_refused_whole_not_found_an_item_at_a_time() {
        let (_, bytes, bodies) = encoded("items-damaged");
        for cut in (0..bytes.len())
            .step_by(bytes.len() / 97)
            .chain([bytes.len() - 1])
        {
            assert!(
                StoredItems::read(bytes[..cut].to_vec(), Arc::clone(&bodies)).is_err(),
                "cut at {cut}"
            );
        }
        // Bytes added after the part are damage too.
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(StoredItems::read(longer, Arc::clone(&bodies)).is_err());
        // A flipped byte (which the part's checksum catches before this) is either refused
        // here or read as some other item: never a panic, whatever is then asked.
        for at in (0..bytes.len()).step_by(13) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0xff;
            if let Ok(stored) = StoredItems::read(flipped, Arc::clone(&bodies)) {
                for i in 0..stored.len() {
                    let _ = (
                        stored.item(i),
                        stored.id(i),
                        stored.url(i),
                        stored.body_len(i),
                    );
                }
                let _ = stored.category_path(CategoryId(stored.categories().len() - 1));
            }
        }
    }
}
