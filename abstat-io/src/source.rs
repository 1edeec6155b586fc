//! Where the bytes come from: a file on disk or a buffer in memory. Either
//! can be opened more than once (the CSV reader makes a type-inference pass
//! before the reading pass) and tells its size up front.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use crate::{Error, Result};

/// A file or an in-memory buffer, with the name used for format detection
/// and messages.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    Path(PathBuf),
    Bytes(Bytes),
}

impl Source {
    pub(crate) fn len(&self, name: &str) -> Result<u64> {
        match self {
            Source::Path(p) => Ok(std::fs::metadata(p).map_err(|e| Error::io(name, e))?.len()),
            Source::Bytes(b) => Ok(b.len() as u64),
        }
    }

    /// A fresh reader from the first byte.
    pub(crate) fn open(&self, name: &str) -> Result<Box<dyn ReadSeek>> {
        Ok(match self {
            Source::Path(p) => Box::new(File::open(p).map_err(|e| Error::io(name, e))?),
            Source::Bytes(b) => Box::new(io::Cursor::new(b.clone())),
        })
    }

    /// Up to `n` bytes from the start.
    pub(crate) fn head(&self, name: &str, n: usize) -> Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(n);
        self.open(name)?
            .take(n as u64)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io(name, e))?;
        Ok(buf)
    }
}

/// A readable, seekable byte source.
pub(crate) trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// A source reader that counts its bytes.
pub(crate) type CountedReader = Counting<Box<dyn ReadSeek>>;

/// Counts the bytes that pass through, for progress reports and the byte
/// limit.
pub(crate) struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    pub(crate) fn new(inner: R) -> (Self, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (
            Counting {
                inner,
                count: count.clone(),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}
