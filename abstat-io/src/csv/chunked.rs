//! UTF-8 delimited text read in parallel: the text is cut into chunks of
//! whole records ([`super::split`]), each chunk is tokenised and typed on
//! rayon's pool, and the consumer takes the results in file order. Line
//! numbers are counted per chunk and made absolute by the consumer, so
//! errors and skipped rows name the same lines as a serial read.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use csv::ByteRecord;

use super::split::{Chunk, run_chunks};
use super::{check_cells, skip_bytes, wrong_width};
use crate::cell;
use crate::columns::{ColumnBuffer, type_words};
use crate::infer::TypeGuess;
use crate::options::{BadRows, ColumnType, Limits, Progress, ReadOptions};
use crate::reader::{BatchSource, skip_or_fail};
use crate::report::ReadReport;
use crate::source::Source;
use crate::{Error, Result};

/// What every chunk job needs to know.
pub(crate) struct Context {
    pub delimiter: u8,
    pub decimal: char,
    pub has_header: bool,
    /// Bytes of the byte-order mark before the text.
    pub bom_len: usize,
    pub width: usize,
    pub nulls: Vec<String>,
    pub limits: Limits,
    pub bad_rows: BadRows,
}

/// One chunk's text as UTF-8: borrowed when valid, otherwise with each
/// malformed sequence replaced by U+FFFD (and counted), as the serial
/// decoder does.
fn utf8(bytes: &[u8]) -> (std::borrow::Cow<'_, [u8]>, u64) {
    if std::str::from_utf8(bytes).is_ok() {
        return (std::borrow::Cow::Borrowed(bytes), 0);
    }
    let replaced = bytes
        .utf8_chunks()
        .filter(|c| !c.invalid().is_empty())
        .count() as u64;
    let text = String::from_utf8_lossy(bytes).into_owned().into_bytes();
    (std::borrow::Cow::Owned(text), replaced)
}

fn field(rec: &ByteRecord, j: usize) -> &str {
    // Fields are cut from UTF-8 text at ASCII bytes, so each is valid
    // UTF-8; the fallback never triggers.
    std::str::from_utf8(&rec[j]).unwrap_or("\u{FFFD}")
}

/// Call `row(line, record)` for every record of the chunk (its line
/// relative to the chunk, from 1), skipping the header in the first chunk.
/// Returns the chunk's line feeds and replaced sequences.
fn records(
    chunk: &Chunk,
    ctx: &Context,
    mut row: impl FnMut(u64, &ByteRecord) -> Result<bool>,
) -> Result<(u64, u64)> {
    let (text, replaced) = utf8(&chunk.bytes);
    let newlines = memchr::memchr_iter(b'\n', &text).count() as u64;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(ctx.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[..]);
    let mut rec = ByteRecord::new();
    let mut first = chunk.index == 0 && ctx.has_header;
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| Error::format("CSV", e))?
    {
        if std::mem::take(&mut first) {
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if !row(line, &rec)? {
            break;
        }
    }
    Ok((newlines, replaced))
}

/// A chunk's type evidence (the inference pass).
pub(crate) struct Scanned {
    guesses: Vec<TypeGuess>,
    rows: u64,
    newlines: u64,
    /// The first row with a wrong number of fields: (relative line, fields).
    ragged: Option<(u64, usize)>,
}

pub(crate) fn scan(chunk: Chunk, ctx: &Context) -> Result<Scanned> {
    let mut s = Scanned {
        guesses: vec![TypeGuess::default(); ctx.width],
        rows: 0,
        newlines: 0,
        ragged: None,
    };
    let (newlines, _) = records(&chunk, ctx, |line, rec| {
        if rec.len() != ctx.width {
            s.ragged.get_or_insert((line, rec.len()));
            return Ok(ctx.bad_rows == BadRows::Skip);
        }
        check_cells(rec, &ctx.limits)?;
        s.rows += 1;
        for (j, g) in s.guesses.iter_mut().enumerate() {
            if g.is_string() {
                continue;
            }
            let v = field(rec, j);
            if !cell::is_null(v.trim(), &ctx.nulls) {
                g.observe_text(v, ctx.decimal);
            }
        }
        Ok(true)
    })?;
    s.newlines = newlines;
    Ok(s)
}

/// Every column's type from a parallel pass over the whole text.
pub(crate) fn infer_types(
    source: &Source,
    name: &str,
    len: u64,
    ctx: Arc<Context>,
    opts: &ReadOptions,
) -> Result<Vec<ColumnType>> {
    let bytes = Arc::new(AtomicU64::new(ctx.bom_len as u64));
    let raw = skip_bytes(source, name, ctx.bom_len)?;
    let job_ctx = ctx.clone();
    let results = run_chunks(raw, ctx.delimiter, bytes.clone(), move |c| {
        scan(c, &job_ctx)
    });
    let mut guesses = vec![TypeGuess::default(); ctx.width];
    let (mut rows, mut lines) = (0u64, 0u64);
    for rx in results {
        let s = rx.recv().map_err(|_| worker_died())??;
        if let Some((line, found)) = s.ragged
            && ctx.bad_rows == BadRows::Fail
        {
            return Err(Error::MalformedRow {
                line: lines + line,
                reason: wrong_width(found, ctx.width),
            });
        }
        lines += s.newlines;
        rows += s.rows;
        opts.limits.check_rows(rows)?;
        opts.limits.check_bytes(bytes.load(Ordering::Relaxed))?;
        for (g, c) in guesses.iter_mut().zip(&s.guesses) {
            g.merge(c);
        }
        if let Some(p) = &opts.progress {
            p(Progress {
                bytes_read: bytes.load(Ordering::Relaxed),
                total_bytes: Some(len),
                rows_read: rows,
                scanning: true,
            });
        }
    }
    Ok(guesses.iter().map(TypeGuess::resolve).collect())
}

fn worker_died() -> Error {
    Error::format("CSV", "a parsing thread stopped unexpectedly")
}

/// A chunk's rows as Arrow columns, and the rows it left out.
pub(crate) struct Parsed {
    batch: Option<RecordBatch>,
    rows: u64,
    newlines: u64,
    replaced: u64,
    /// Malformed rows and bad values, lines relative to the chunk.
    problems: Vec<Error>,
}

fn parse(
    chunk: Chunk,
    ctx: &Context,
    schema: &SchemaRef,
    kinds: &[ColumnType],
    originals: &[String],
) -> Result<Parsed> {
    let capacity = chunk.bytes.len() / (ctx.width * 4).max(8);
    let mut buffers: Vec<ColumnBuffer> = kinds
        .iter()
        .map(|&k| ColumnBuffer::new(k, capacity))
        .collect();
    let mut problems = Vec::new();
    let mut rows = 0usize;
    let (newlines, replaced) = records(&chunk, ctx, |line, rec| {
        if rec.len() != ctx.width {
            problems.push(Error::MalformedRow {
                line,
                reason: wrong_width(rec.len(), ctx.width),
            });
            return Ok(ctx.bad_rows == BadRows::Skip);
        }
        check_cells(rec, &ctx.limits)?;
        for j in 0..buffers.len() {
            let s = field(rec, j);
            if cell::is_null(s.trim(), &ctx.nulls) {
                buffers[j].push_null();
            } else if !buffers[j].push_text(s, ctx.decimal) {
                for b in &mut buffers[..j] {
                    b.truncate(rows);
                }
                problems.push(Error::BadValue {
                    line,
                    column: originals[j].clone(),
                    value: s.chars().take(40).collect(),
                    expected: type_words(kinds[j]),
                });
                return Ok(ctx.bad_rows == BadRows::Skip);
            }
        }
        rows += 1;
        Ok(true)
    })?;
    let batch = if rows == 0 {
        None
    } else {
        let columns = buffers.iter_mut().map(ColumnBuffer::finish).collect();
        Some(RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::format("CSV", e))?)
    };
    Ok(Parsed {
        batch,
        rows: rows as u64,
        newlines,
        replaced,
        problems,
    })
}

/// `err` with its line moved by `base` lines.
fn shift_line(err: Error, base: u64) -> Error {
    match err {
        Error::MalformedRow { line, reason } => Error::MalformedRow {
            line: line + base,
            reason,
        },
        Error::BadValue {
            line,
            column,
            value,
            expected,
        } => Error::BadValue {
            line: line + base,
            column,
            value,
            expected,
        },
        other => other,
    }
}

/// The second pass: chunks parsed in parallel, delivered as batches of at
/// most `batch_size` rows.
pub(crate) struct ChunkedReader {
    schema: SchemaRef,
    results: Receiver<Receiver<Result<Parsed>>>,
    bytes: Arc<AtomicU64>,
    bad_rows: BadRows,
    batch_size: usize,
    limits: Limits,
    lines: u64,
    rows: u64,
    pending: Option<RecordBatch>,
    done: bool,
}

impl ChunkedReader {
    pub(crate) fn open(
        source: &Source,
        name: &str,
        ctx: Arc<Context>,
        schema: SchemaRef,
        kinds: Vec<ColumnType>,
        originals: Vec<String>,
        opts: &ReadOptions,
    ) -> Result<Self> {
        let bytes = Arc::new(AtomicU64::new(ctx.bom_len as u64));
        let raw = skip_bytes(source, name, ctx.bom_len)?;
        let job_schema = schema.clone();
        let delimiter = ctx.delimiter;
        let results = run_chunks(raw, delimiter, bytes.clone(), move |c| {
            parse(c, &ctx, &job_schema, &kinds, &originals)
        });
        Ok(ChunkedReader {
            schema,
            results,
            bytes,
            bad_rows: opts.bad_rows,
            batch_size: opts.batch_size,
            limits: opts.limits,
            lines: 0,
            rows: 0,
            pending: None,
            done: false,
        })
    }
}

impl BatchSource for ChunkedReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn next_batch(&mut self, report: &mut ReadReport) -> Result<Option<RecordBatch>> {
        loop {
            if let Some(b) = self.pending.take() {
                if b.num_rows() > self.batch_size {
                    self.pending = Some(b.slice(self.batch_size, b.num_rows() - self.batch_size));
                    return Ok(Some(b.slice(0, self.batch_size)));
                }
                return Ok(Some(b));
            }
            if self.done {
                return Ok(None);
            }
            let Ok(rx) = self.results.recv() else {
                self.done = true;
                self.limits.check_bytes(self.bytes_read())?;
                continue;
            };
            let parsed = rx.recv().map_err(|_| worker_died())??;
            for p in parsed.problems {
                skip_or_fail(self.bad_rows, report, shift_line(p, self.lines))?;
            }
            self.lines += parsed.newlines;
            self.rows += parsed.rows;
            report.replaced_characters += parsed.replaced;
            self.limits.check_rows(self.rows)?;
            self.limits.check_bytes(self.bytes_read())?;
            self.pending = parsed.batch;
        }
    }
}
