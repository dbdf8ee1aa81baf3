//! Reading a file at an offset without moving its cursor, so threads can share one open file.

use std::fs::File;
use std::io;

/// Fills `buf` from `file` at byte `at`.
#[cfg(unix)]
pub fn read_exact_at(file: &File, at: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// Fills `buf` from `file` at byte `at`.
#[cfg(windows)]
pub fn read_exact_at(file: &File, mut at: u64, mut buf: &mut [u8]) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// The `len` bytes of `file` from byte `at`.
pub fn read_vec_at(file: &File, at: u64, len: u64) -> io::Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| io::Error::from(io::ErrorKind::OutOfMemory))?;
    let mut buf = vec![0; len];
    read_exact_at(file, at, &mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_at_an_offset_and_says_when_the_file_is_short() {
        let path = std::env::temp_dir().join(format!("quire-read-at-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").expect("write");
        let file = File::open(&path).expect("open");
        assert_eq!(read_vec_at(&file, 3, 4).expect("read"), b"3456");
        assert_eq!(read_vec_at(&file, 0, 2).expect("read"), b"01");
        assert!(read_vec_at(&file, 8, 4).is_err());
        let _ = std::fs::remove_file(path);
    }
}
