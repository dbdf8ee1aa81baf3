//! A small binary encoding for the load cache: little-endian integers and length-prefixed
//! strings, read back with bounds checked everywhere (a cache file can be damaged).

#[derive(Debug, Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.usize(v.len());
        self.bytes.extend_from_slice(v);
    }
    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
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
        for &x in v {
            self.u32(x);
        }
    }
}

/// The cache is damaged or from another build: it is ignored and rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damaged;

pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Damaged> {
        let end = self.at.checked_add(n).ok_or(Damaged)?;
        let slice = self.bytes.get(self.at..end).ok_or(Damaged)?;
        self.at = end;
        Ok(slice)
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
        usize::try_from(self.u64()?).map_err(|_| Damaged)
    }
    /// A length that must fit in what is left (so a damaged length cannot ask for terabytes).
    pub fn len(&mut self, item_size: usize) -> Result<usize, Damaged> {
        let n = self.usize()?;
        if n.saturating_mul(item_size.max(1)) > self.bytes.len() - self.at {
            return Err(Damaged);
        }
        Ok(n)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], Damaged> {
        let n = self.len(1)?;
        self.take(n)
    }
    pub fn str(&mut self) -> Result<&'a str, Damaged> {
        std::str::from_utf8(self.bytes()?).map_err(|_| Damaged)
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
        let n = self.len(8)?;
        (0..n).map(|_| self.string()).collect()
    }
    pub fn u32s(&mut self) -> Result<Vec<u32>, Damaged> {
        let n = self.len(4)?;
        (0..n).map(|_| self.u32()).collect()
    }
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
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
}
