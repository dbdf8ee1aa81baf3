//! A small binary encoding for the load cache: little-endian integers and length-prefixed
//! strings, read back with bounds checked everywhere (a cache file can be damaged).

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

use crate::store::damage::Damage;
use crate::store::read_at::read_exact_at;

/// Encodes values into `bytes`, or through it into a sink: a streaming writer never holds
/// more than [`SPILL_AT`] bytes, so writing a cache costs no copy of the library.
#[derive(Default)]
pub struct Writer<'a> {
    pub bytes: Vec<u8>,
    sink: Option<&'a mut dyn Write>,
    /// When the sink is a file: the file, for copying ranges of another file into it without
    /// passing them through memory.
    file: Option<&'a std::fs::File>,
    spilled: u64,
    error: Option<io::Error>,
    /// A checksum of what was written since the last [`checksum`](Self::checksum).
    crc: crc32fast::Hasher,
}

/// How much a streaming writer gathers before it writes to its sink.
const SPILL_AT: usize = 64 * 1024;

impl<'a> Writer<'a> {
    /// A writer that passes what it encodes on to `sink`; call [`finish`](Self::finish).
    pub fn to(sink: &'a mut dyn Write) -> Writer<'a> {
        Writer {
            bytes: Vec::with_capacity(SPILL_AT),
            sink: Some(sink),
            file: None,
            spilled: 0,
            error: None,
            crc: crc32fast::Hasher::new(),
        }
    }

    /// A writer to `file` (through `sink`, which writes to it): ranges of other files can be
    /// copied in by the system ([`copy_range`](Self::copy_range)).
    pub fn to_file(sink: &'a mut dyn Write, file: &'a std::fs::File) -> Writer<'a> {
        Writer {
            file: Some(file),
            ..Writer::to(sink)
        }
    }

    /// Copies `len` bytes of `from` at `at` to the sink file by the system's own copy (Linux's
    /// `copy_file_range`: no pass through this process, and on file systems that share blocks
    /// no copy at all). Not counted in the checksum (what is copied carries its own). `false`
    /// when it cannot be done so (not a file, another system, a first copy refused): the
    /// caller writes the bytes itself.
    pub fn copy_range(&mut self, from: &std::fs::File, at: u64, len: u64) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(to) = self.file
            && self.error.is_none()
        {
            self.spill();
            let (mut off_in, mut done) = (at, 0u64);
            while done < len {
                let want = usize::try_from(len - done).unwrap_or(usize::MAX);
                match rustix::fs::copy_file_range(from, Some(&mut off_in), to, None, want) {
                    Ok(n) if n > 0 => done += n as u64,
                    // Refused at the start: the caller copies the bytes itself.
                    Err(_) if done == 0 => return false,
                    Ok(_) | Err(_) => {
                        // Part copied: the file's end is not where this writer thinks.
                        self.error = Some(io::Error::other("a copied range ended early"));
                        break;
                    }
                }
            }
            self.spilled += len;
            return true;
        }
        let _ = (from, at, len);
        false
    }

    /// The checksum (CRC-32) of what was encoded since the last call, which starts a new one:
    /// each part of a file gets its own.
    pub fn checksum(&mut self) -> u32 {
        std::mem::take(&mut self.crc).finalize()
    }

    /// Bytes encoded so far, spilled or not.
    pub fn position(&self) -> u64 {
        self.spilled + self.bytes.len() as u64
    }

    /// Writes what is left to the sink; the first error of any earlier write comes back here.
    pub fn finish(mut self) -> io::Result<()> {
        self.spill();
        match self.error.take() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    fn spill(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if self.error.is_none()
            && let Err(err) = sink.write_all(&self.bytes)
        {
            self.error = Some(err);
        }
        self.spilled += self.bytes.len() as u64;
        self.bytes.clear();
    }

    /// Raw bytes, without a length (a big slice goes straight to the sink).
    pub fn raw(&mut self, v: &[u8]) {
        self.crc.update(v);
        if self.sink.is_some() && v.len() >= SPILL_AT {
            self.spill();
            if let Some(sink) = self.sink.as_mut()
                && self.error.is_none()
                && let Err(err) = sink.write_all(v)
            {
                self.error = Some(err);
            }
            self.spilled += v.len() as u64;
            return;
        }
        self.bytes.extend_from_slice(v);
        if self.bytes.len() >= SPILL_AT {
            self.spill();
        }
    }

    pub fn u8(&mut self, v: u8) {
        self.raw(&[v]);
    }
    pub fn u32(&mut self, v: u32) {
        self.raw(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.raw(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.raw(&v.to_le_bytes());
    }
    /// A count or length, as a LEB128 varint: nearly all are under 128, so one byte.
    pub fn usize(&mut self, v: usize) {
        let mut v = v as u64;
        let mut out = [0u8; 10];
        let mut n = 0;
        while v >= 0x80 {
            out[n] = (v as u8) | 0x80;
            v >>= 7;
            n += 1;
        }
        out[n] = v as u8;
        self.raw(&out[..=n]);
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.usize(v.len());
        self.raw(v);
    }
    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    /// A path as the bytes the system gave: a name that is not UTF-8 reads back the same.
    pub fn path(&mut self, v: &std::path::Path) {
        self.bytes(v.as_os_str().as_encoded_bytes());
    }
    pub fn opt_str(&mut self, v: Option<&str>) {
        match v {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    pub fn strs<S: AsRef<str>>(&mut self, v: &[S]) {
        self.usize(v.len());
        for s in v {
            self.str(s.as_ref());
        }
    }
    pub fn u32s(&mut self, v: &[u32]) {
        self.usize(v.len());
        // In slices, so a million numbers are not a million calls.
        for chunk in v.chunks(4096) {
            let bytes: Vec<u8> = chunk.iter().flat_map(|x| x.to_le_bytes()).collect();
            self.raw(&bytes);
        }
    }
}

/// The numbers of `bytes` as [`Writer::u32s`] writes them (little-endian, four bytes each); a
/// last partial one is left out.
pub fn le_u32s(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The cache is damaged or from another build: it is ignored and rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

/// Decodes values from a slice, or from a region of a file read through a small window, so
/// that reading a big cache costs no buffer the size of it: long byte runs are read straight
/// into the vector that keeps them.
pub struct Reader<'a> {
    slice: &'a [u8],
    window: Vec<u8>,
    /// Position in `slice`, or in `window` (which holds `filled` bytes).
    at: usize,
    filled: usize,
    file: Option<FileRegion<'a>>,
}

struct FileRegion<'a> {
    file: &'a File,
    /// The same file, shared, when long runs may be left in it ([`Reader::keep_on_disk`]),
    /// and where damage found in them later is told.
    shared: Option<(Arc<File>, Arc<Damage>)>,
    /// File offset of the byte after the window's last, and of the region's end.
    next: u64,
    end: u64,
    /// The checksum of the region's bytes read so far.
    crc: crc32fast::Hasher,
}

/// How much of a file a reader holds at a time.
const WINDOW: usize = 256 * 1024;

/// The blocks a run left on disk is checked by: a posting list read from it costs a block or
/// two read and checked, not the run.
const BLOCK: usize = 16 * 1024;

/// A run of bytes of the load cache (a posting array, the vectors of search by meaning): in
/// memory, or left in the cache file and read a piece at a time, each block of it checked
/// against the checksum it had when the cache was read, so that no damage done to the file
/// since is served.
#[derive(Debug)]
pub enum OnDisk {
    Here(Vec<u8>),
    There {
        file: Arc<File>,
        at: u64,
        len: usize,
        sums: Vec<u32>,
        /// Told when a block read is not as it was: a list served empty would be a search
        /// silently missing results, so the command runs again from the files.
        damage: Arc<Damage>,
    },
}

impl OnDisk {
    pub fn len(&self) -> usize {
        match self {
            OnDisk::Here(bytes) => bytes.len(),
            OnDisk::There { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held in memory.
    pub fn heap_bytes(&self) -> usize {
        match self {
            OnDisk::Here(bytes) => bytes.capacity(),
            OnDisk::There { sums, .. } => sums.capacity() * 4,
        }
    }

    /// Bytes `range` of the run; `None` when it is not inside it, or the blocks holding it
    /// cannot be read or are not as they were (damage, told to the cache's [`Damage`]).
    pub fn read(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        let (file, at, len, sums, damage) = match self {
            OnDisk::Here(bytes) => return bytes.get(range).map(Cow::Borrowed),
            OnDisk::There {
                file,
                at,
                len,
                sums,
                damage,
            } => (file, *at, *len, sums, damage),
        };
        if range.start > range.end || range.end > len {
            return None;
        }
        if range.is_empty() {
            return Some(Cow::Owned(Vec::new()));
        }
        let (first, last) = (range.start / BLOCK, (range.end - 1) / BLOCK);
        let start = first * BLOCK;
        let end = ((last + 1) * BLOCK).min(len);
        let mut bytes = vec![0; end - start];
        let whole = read_exact_at(file, at + start as u64, &mut bytes).is_ok()
            && bytes
                .chunks(BLOCK)
                .zip(&sums[first..=last])
                .all(|(block, &sum)| crc32fast::hash(block) == sum);
        if !whole {
            damage.found();
            return None;
        }
        bytes.truncate(range.end - start);
        bytes.drain(..range.start - start);
        Some(Cow::Owned(bytes))
    }
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            slice: bytes,
            window: Vec::new(),
            at: 0,
            filled: 0,
            file: None,
        }
    }

    /// A reader of the `len` bytes of `file` from byte `at`.
    pub fn file(file: &'a File, at: u64, len: u64) -> Reader<'a> {
        Reader {
            slice: &[],
            window: Vec::new(),
            at: 0,
            filled: 0,
            file: Some(FileRegion {
                file,
                shared: None,
                next: at,
                end: at.saturating_add(len),
                crc: crc32fast::Hasher::new(),
            }),
        }
    }

    /// A reader of the `len` bytes of `file` from byte `at` that may leave long runs in the
    /// file, to be read when wanted ([`keep_on_disk`](Self::keep_on_disk)).
    pub fn file_leaving(
        file: &'a Arc<File>,
        at: u64,
        len: u64,
        damage: &Arc<Damage>,
    ) -> Reader<'a> {
        let mut reader = Reader::file(file, at, len);
        if let Some(region) = reader.file.as_mut() {
            region.shared = Some((Arc::clone(file), Arc::clone(damage)));
        }
        reader
    }

    /// The next `n` bytes, passed over and left in the file (as read now: each block's
    /// checksum is taken as it passes, and the whole part's as ever) when this reader may
    /// leave them there; else read into memory.
    pub fn keep_on_disk(&mut self, n: usize) -> Result<OnDisk, Damaged> {
        let shared = self.file.as_ref().and_then(|region| region.shared.clone());
        let Some((file, damage)) = shared.filter(|_| n > BLOCK) else {
            return self.vec_of(n).map(OnDisk::Here);
        };
        let at = self.file_offset();
        let mut sums = Vec::with_capacity(n.div_ceil(BLOCK));
        let mut left = n;
        while left > 0 {
            let block = left.min(BLOCK);
            sums.push(crc32fast::hash(self.take(block)?));
            left -= block;
        }
        Ok(OnDisk::There {
            file,
            at,
            len: n,
            sums,
            damage,
        })
    }

    /// Whether long runs may be left in the file ([`file_leaving`](Self::file_leaving)).
    pub fn leaves(&self) -> bool {
        self.file
            .as_ref()
            .is_some_and(|region| region.shared.is_some())
    }

    /// Where the next byte is in the file, for a reader of a file.
    fn file_offset(&self) -> u64 {
        self.file
            .as_ref()
            .map_or(0, |region| region.next - (self.filled - self.at) as u64)
    }

    fn take(&mut self, n: usize) -> Result<&[u8], Damaged> {
        if self.file.is_none() {
            let end = self.at.checked_add(n).ok_or(Damaged)?;
            let slice = self.slice.get(self.at..end).ok_or(Damaged)?;
            self.at = end;
            return Ok(slice);
        }
        if self.filled - self.at < n {
            self.refill(n)?;
        }
        let slice = &self.window[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    /// Moves what is left of the window to its start and reads on, so it holds `n` bytes.
    fn refill(&mut self, n: usize) -> Result<(), Damaged> {
        let region = self.file.as_mut().ok_or(Damaged)?;
        self.window.copy_within(self.at..self.filled, 0);
        self.filled -= self.at;
        self.at = 0;
        let size = n.max(WINDOW);
        if self.window.len() < size {
            self.window.resize(size, 0);
        }
        let left = usize::try_from(region.end - region.next).unwrap_or(usize::MAX);
        let add = (self.window.len() - self.filled).min(left);
        if self.filled + add < n {
            return Err(Damaged);
        }
        read_exact_at(
            region.file,
            region.next,
            &mut self.window[self.filled..self.filled + add],
        )
        .map_err(|_| Damaged)?;
        region
            .crc
            .update(&self.window[self.filled..self.filled + add]);
        region.next += add as u64;
        self.filled += add;
        Ok(())
    }

    pub fn u8(&mut self) -> Result<u8, Damaged> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, Damaged> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().map_err(|_| Damaged)?,
        ))
    }
    pub fn u64(&mut self) -> Result<u64, Damaged> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().map_err(|_| Damaged)?,
        ))
    }
    pub fn u128(&mut self) -> Result<u128, Damaged> {
        Ok(u128::from_le_bytes(
            self.take(16)?.try_into().map_err(|_| Damaged)?,
        ))
    }
    pub fn usize(&mut self) -> Result<usize, Damaged> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift).ok_or(Damaged)?;
            if byte & 0x80 == 0 {
                return usize::try_from(value).map_err(|_| Damaged);
            }
        }
        Err(Damaged)
    }
    /// A length that must fit in what is left (so a damaged length cannot ask for terabytes):
    /// `item_size` is the fewest bytes one element can be encoded in.
    pub fn len(&mut self, item_size: usize) -> Result<usize, Damaged> {
        let n = self.usize()?;
        if n.saturating_mul(item_size.max(1)) > self.remaining() {
            return Err(Damaged);
        }
        Ok(n)
    }
    pub fn bytes(&mut self) -> Result<&[u8], Damaged> {
        let n = self.len(1)?;
        self.take(n)
    }
    /// Like [`bytes`](Self::bytes), owned: from a file, a long run is read straight into it.
    pub fn byte_vec(&mut self) -> Result<Vec<u8>, Damaged> {
        let n = self.len(1)?;
        self.vec_of(n)
    }

    /// The next `n` bytes, owned: from a file, a long run is read straight into them.
    fn vec_of(&mut self, n: usize) -> Result<Vec<u8>, Damaged> {
        if n > self.remaining() {
            return Err(Damaged);
        }
        let Some(region) = self.file.as_mut().filter(|_| n > WINDOW) else {
            return self.take(n).map(<[u8]>::to_vec);
        };
        let from_window = (self.filled - self.at).min(n);
        let mut out = Vec::with_capacity(n);
        out.extend_from_slice(&self.window[self.at..self.at + from_window]);
        self.at += from_window;
        out.resize(n, 0);
        read_exact_at(region.file, region.next, &mut out[from_window..]).map_err(|_| Damaged)?;
        region.crc.update(&out[from_window..]);
        region.next += (n - from_window) as u64;
        Ok(out)
    }
    pub fn str(&mut self) -> Result<&str, Damaged> {
        std::str::from_utf8(self.bytes()?).map_err(|_| Damaged)
    }
    /// A path [`Writer::path`] wrote.
    pub fn path(&mut self) -> Result<std::path::PathBuf, Damaged> {
        let bytes = self.bytes()?;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            Ok(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
        }
        #[cfg(not(unix))]
        {
            std::str::from_utf8(bytes)
                .map(std::path::PathBuf::from)
                .map_err(|_| Damaged)
        }
    }
    pub fn string(&mut self) -> Result<String, Damaged> {
        self.str().map(str::to_string)
    }
    pub fn opt_string(&mut self) -> Result<Option<String>, Damaged> {
        match self.u8()? {
            0 => Ok(None),
            1 => self.string().map(Some),
            _ => Err(Damaged),
        }
    }
    pub fn strings(&mut self) -> Result<Vec<String>, Damaged> {
        let n = self.len(1)?;
        (0..n).map(|_| self.string()).collect()
    }
    pub fn u32s(&mut self) -> Result<Vec<u32>, Damaged> {
        let n = self.len(4)?;
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let bytes = self.take((n - out.len()).min(WINDOW / 4) * 4)?;
            out.extend(le_u32s(bytes));
        }
        Ok(out)
    }
    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        match &self.file {
            None => self.slice.len() - self.at,
            Some(region) => {
                let unread = usize::try_from(region.end - region.next).unwrap_or(usize::MAX);
                (self.filled - self.at).saturating_add(unread)
            }
        }
    }
    /// How far into its bytes a reader of memory is (a reader of a file: into its window).
    pub fn offset(&self) -> usize {
        self.at
    }
    pub fn is_done(&self) -> bool {
        self.remaining() == 0
    }
    /// The checksum of a file region read to its end (what [`Writer::checksum`] gave when it
    /// was written); `None` for a reader of memory or one not read to the end.
    pub fn file_checksum(&self) -> Option<u32> {
        let region = self.file.as_ref()?;
        (self.is_done()).then(|| region.crc.clone().finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_damage_is_caught() {
        let mut w = Writer::default();
        w.u8(7);
        w.u32(42);
        w.str("héllo");
        w.opt_str(None);
        w.opt_str(Some("x"));
        w.strs(&["a", "b"]);
        w.u32s(&[1, 2, 3]);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.u8(), Ok(7));
        assert_eq!(r.u32(), Ok(42));
        assert_eq!(r.str(), Ok("héllo"));
        assert_eq!(r.opt_string(), Ok(None));
        assert_eq!(r.opt_string(), Ok(Some("x".into())));
        assert_eq!(r.strings(), Ok(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(r.u32s(), Ok(vec![1, 2, 3]));
        assert!(r.is_done());
        // Truncated anywhere: an error, never a panic.
        for cut in 0..w.bytes.len() {
            let mut r = Reader::new(&w.bytes[..cut]);
            let all = (|| -> Result<(), Damaged> {
                r.u8()?;
                r.u32()?;
                r.str()?;
                r.opt_string()?;
                r.opt_string()?;
                r.strings()?;
                r.u32s()?;
                Ok(())
            })();
            assert_eq!(all, Err(Damaged), "cut at {cut}");
        }
    }

    #[test]
    fn counts_are_varints() {
        for (v, bytes) in [
            (0, 1),
            (1, 1),
            (127, 1),
            (128, 2),
            (300, 2),
            (1 << 35, 6),
            (usize::MAX, 10),
        ] {
            let mut w = Writer::default();
            w.usize(v);
            assert_eq!(w.bytes.len(), bytes, "{v}");
            assert_eq!(Reader::new(&w.bytes).usize(), Ok(v));
        }
        // Eleven continuation bytes are damage, not an endless number.
        assert_eq!(Reader::new(&[0xff; 11]).usize(), Err(Damaged));
    }

    #[test]
    fn a_streaming_writer_writes_what_a_memory_one_holds() {
        let encode = |w: &mut Writer<'_>| {
            w.str("start");
            w.raw(&vec![7u8; SPILL_AT * 2 + 3]);
            for i in 0..SPILL_AT as u32 {
                w.u32(i);
            }
            w.u32s(&[5; 5000]);
        };
        let mut memory = Writer::default();
        encode(&mut memory);
        let mut sink = Vec::new();
        let mut streaming = Writer::to(&mut sink);
        encode(&mut streaming);
        assert_eq!(streaming.position(), memory.bytes.len() as u64);
        assert!(streaming.bytes.len() < SPILL_AT, "it never holds much");
        streaming.finish().expect("a Vec never fails");
        assert_eq!(sink, memory.bytes);
    }

    #[test]
    #[cfg(unix)]
    fn a_run_left_on_disk_and_damaged_since_is_never_served_and_removes_its_file() {
        use std::os::unix::fs::FileExt;
        let path = std::env::temp_dir().join(format!("quire-codec-run-{}", std::process::id()));
        let run: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &run).expect("write");
        let file = Arc::new(File::open(&path).expect("open"));
        let damage = Damage::of(path.clone(), &file);
        let mut r = Reader::file_leaving(&file, 0, run.len() as u64, &damage);
        let left = r.keep_on_disk(run.len()).expect("passed over");
        assert!(matches!(left, OnDisk::There { .. }), "left in the file");
        let middle = BLOCK + 10..2 * BLOCK + 20;
        assert_eq!(
            left.read(middle.clone()).as_deref(),
            Some(&run[middle.clone()])
        );
        // A range outside the run is no read at all, and no damage.
        assert_eq!(left.read(0..run.len() + 1), None);
        assert!(!damage.is_found());
        // One byte of the second block flipped on disk: the lists in that block read as
        // nothing, the damage is told and the file removed; the other blocks still read.
        let writer = File::options().write(true).open(&path).expect("open");
        writer
            .write_at(&[run[BLOCK + 5] ^ 1], (BLOCK + 5) as u64)
            .expect("write");
        assert_eq!(left.read(0..10).as_deref(), Some(&run[0..10]));
        assert!(!damage.is_found());
        assert_eq!(left.read(middle), None);
        assert!(damage.is_found());
        assert!(!path.exists(), "the damaged file is removed");
    }
}
