//! Cutting UTF-8 delimited text into chunks of whole records, so that the
//! chunks can be tokenised on several threads, and running one job per
//! chunk on rayon while the results come back in file order.
//!
//! A chunk ends after a line feed that ends a record. Finding it is
//! quote-aware with the rules of `csv_core` (the tokenizer both paths use):
//! a quote opens a quoted field only at the start of a field, `""` inside
//! quotes is a literal quote, and anything after a closing quote continues
//! the field unquoted. A block without any quote is cut at its last line
//! feed (one `memrchr`); only blocks with quotes are walked byte by byte.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::{Error, Result};

/// Bytes read from the source per chunk (more when one record is longer).
pub(crate) const BLOCK_BYTES: usize = 4 << 20;

#[cfg(test)]
thread_local! {
    static TEST_BLOCK_BYTES: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The block size for readers opened on this thread: [`BLOCK_BYTES`], or
/// a tiny one set by a test (so that a few lines make many chunks).
pub(crate) fn block_bytes() -> usize {
    #[cfg(test)]
    if let Some(n) = TEST_BLOCK_BYTES.with(|b| b.get()) {
        return n;
    }
    BLOCK_BYTES
}

/// Run `f` with readers opened on this thread cutting `n`-byte blocks.
#[cfg(test)]
pub(crate) fn with_block_bytes<T>(n: usize, f: impl FnOnce() -> T) -> T {
    TEST_BLOCK_BYTES.with(|b| b.set(Some(n)));
    let out = f();
    TEST_BLOCK_BYTES.with(|b| b.set(None));
    out
}

/// Bytes reserved beyond a block in a chunk's buffer (see
/// [`Splitter::next_chunk`]).
const READ_SLACK: usize = 64 << 10;

/// Chunks parsed ahead of the consumer: bounds memory to about this many
/// blocks of text and their parsed columns.
const IN_FLIGHT: usize = 4;

/// The longest chunk: one record longer than this would overflow Arrow's
/// 32-bit string offsets.
const MAX_CHUNK_BYTES: usize = 1 << 30;

/// Whole records of the text, in file order.
pub(crate) struct Chunk {
    /// Position in the file (0 for the first chunk).
    pub index: u64,
    /// The text, ending at a record end (or the end of the file).
    pub bytes: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// The length of the longest prefix of `text` that ends after a record's
/// line feed, if any. `text` must start at a record start.
pub(crate) fn records_end(text: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', text).is_none() {
        return memchr::memrchr(b'\n', text).map(|i| i + 1);
    }
    let mut state = State::FieldStart;
    let mut end = None;
    for (i, &c) in text.iter().enumerate() {
        state = match (state, c) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b'\n') => {
                end = Some(i + 1);
                State::FieldStart
            }
            (_, b'\r') => State::FieldStart,
            (_, c) if c == delimiter => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    end
}

/// Reads the source block by block and hands out chunks of whole records.
struct Splitter<R> {
    source: R,
    delimiter: u8,
    block_bytes: usize,
    carry: Vec<u8>,
    eof: bool,
    next_index: u64,
}

impl<R: Read> Splitter<R> {
    /// The next chunk, read into `buf` (a spent chunk's buffer, or empty).
    fn next_chunk(&mut self, mut buf: Vec<u8>) -> std::io::Result<Option<Chunk>> {
        buf.clear();
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        loop {
            if self.eof {
                if buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(self.chunk(buf)));
            }
            // Read into the spare capacity: no zeroing of a block that the
            // read overwrites anyway. The slack holds the record carried
            // over from the block before, so that a reused buffer is not
            // reallocated for it.
            buf.reserve_exact(self.block_bytes + READ_SLACK);
            let want = self.block_bytes as u64;
            if (&mut self.source).take(want).read_to_end(&mut buf)? < self.block_bytes {
                self.eof = true;
            }
            if self.eof {
                continue;
            }
            // Look for a record end in the whole buffer: the carried part
            // may end inside a quoted field that the new block closes.
            if let Some(end) = records_end(&buf, self.delimiter) {
                self.carry.extend_from_slice(&buf[end..]);
                buf.truncate(end);
                return Ok(Some(self.chunk(buf)));
            }
            if buf.len() > MAX_CHUNK_BYTES {
                return Err(std::io::Error::other(
                    "one record is longer than 1 GiB (an unclosed quote?)",
                ));
            }
        }
    }

    fn chunk(&mut self, bytes: Vec<u8>) -> Chunk {
        let index = self.next_index;
        self.next_index += 1;
        Chunk { index, bytes }
    }
}

/// The results of `job` on every chunk of `source`, in order. Chunks are
/// read on a thread of their own and the jobs run on rayon's pool, at most
/// [`IN_FLIGHT`] ahead of the consumer. Dropping the receiver stops the
/// reading. A chunk's buffer goes back to the reading thread once its job
/// is done, and the next block is read into it: a fresh buffer per block
/// cost a page fault per 4 KiB of the file.
pub(crate) fn run_chunks<R, T, F>(
    source: R,
    delimiter: u8,
    block_bytes: usize,
    bytes_read: Arc<AtomicU64>,
    job: F,
) -> Receiver<Receiver<Result<T>>>
where
    R: Read + Send + 'static,
    T: Send + 'static,
    F: Fn(&Chunk) -> Result<T> + Send + Sync + 'static,
{
    let (order_tx, order_rx): (SyncSender<Receiver<Result<T>>>, _) = sync_channel(IN_FLIGHT);
    // spent buffers: the chunks in flight, the one being consumed and a
    // spare
    let (spent_tx, spent_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    let job = Arc::new(job);
    std::thread::spawn(move || {
        let mut splitter = Splitter {
            source,
            delimiter,
            block_bytes,
            carry: Vec::new(),
            eof: false,
            next_index: 0,
        };
        loop {
            let (tx, rx) = sync_channel(1);
            let next = splitter.next_chunk(spent_rx.try_recv().unwrap_or_default());
            let stop = !matches!(next, Ok(Some(_)));
            match next {
                Ok(Some(chunk)) => {
                    bytes_read.fetch_add(chunk.bytes.len() as u64, Ordering::Relaxed);
                    let (job, spent) = (job.clone(), spent_tx.clone());
                    rayon::spawn(move || {
                        let result = job(&chunk);
                        // a full queue of spent buffers drops this one
                        let _ = spent.try_send(chunk.bytes);
                        let _ = tx.send(result);
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(Error::io("CSV", e)));
                }
            }
            if order_tx.send(rx).is_err() || stop {
                break;
            }
        }
    });
    order_rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_follow_csv_quoting() {
        assert_eq!(records_end(b"a,b\nc,d", b','), Some(4));
        assert_eq!(records_end(b"a,\"x\ny\"\nc", b','), Some(8));
        // A quote inside an unquoted field is a literal character.
        assert_eq!(records_end(b"a\"b,\"x\ny\"\nc", b','), Some(10));
        // Doubled quotes stay inside the quoted field.
        assert_eq!(records_end(b"\"a\"\"\nb\"\nc", b','), Some(8));
        assert_eq!(records_end(b"\"open\nstill open", b','), None);
    }

    #[test]
    fn chunks_cover_the_text_in_order_and_end_at_records() {
        let mut text = Vec::new();
        for i in 0..500_000 {
            text.extend_from_slice(format!("{i},\"q\n{i}\"\n").as_bytes());
        }
        let mut s = Splitter {
            source: &text[..],
            delimiter: b',',
            block_bytes: BLOCK_BYTES,
            carry: Vec::new(),
            eof: false,
            next_index: 0,
        };
        let mut joined = Vec::new();
        let mut n = 0;
        // each chunk is read into the one before it, as the reading thread
        // reuses spent buffers (the first a buffer of other text)
        let mut spent = b"left over".to_vec();
        while let Some(c) = s.next_chunk(spent).unwrap() {
            assert_eq!(c.index, n);
            assert!(c.bytes.ends_with(b"\"\n"));
            joined.extend_from_slice(&c.bytes);
            n += 1;
            spent = c.bytes;
        }
        assert!(n > 1);
        assert_eq!(joined, text);
    }
}
