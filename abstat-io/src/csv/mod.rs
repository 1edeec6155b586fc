//! Delimited text (CSV, TSV, `;`- and `|`-separated) to Arrow batches.
//!
//! The bytes are decoded to UTF-8 on the fly (see [`crate::encoding`]) and
//! split into records by the `csv` crate — the same tokenizer arrow-csv
//! uses. arrow-csv's own reader is not used because it stops a whole batch
//! at the first ragged row without a line number to skip and report, and
//! its inference knows neither decimal commas nor our null spellings and
//! date forms; [`crate::cell`] holds those rules instead.
//!
//! Two passes: the first infers each column's type from every row (or the
//! first `infer_rows`), the second builds batches of `batch_size` rows.
//!
//! UTF-8 text (most files, with or without a BOM) takes the parallel path
//! of [`chunked`]: both passes cut the text into chunks of whole records
//! and tokenise them on rayon's pool, a few chunks ahead of the consumer.
//! Other encodings are decoded on the fly and read serially here, one
//! batch and one record in memory.

mod by_column;
mod chunked;
mod plain;
mod sniff;
mod split;

#[cfg(test)]
pub(crate) use split::with_block_bytes;

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use csv::ByteRecord;
use encoding_rs::{Encoding, UTF_8};

use crate::cell;
use crate::columns::{ColumnBuffer, type_words};
use crate::encoding::{self, DecodingReader};
use crate::infer::TypeGuess;
use crate::options::{BadRows, ColumnType, Limits, Progress, ReadOptions};
use crate::reader::{BatchSource, Inference, labelled_schema, skip_or_fail};
use crate::report::ReadReport;
use crate::source::{CountedReader, Counting, ReadSeek, Source};
use crate::{Error, Result};

const SAMPLE_BYTES: usize = 256 * 1024;
const TEXT_BYTES_PER_BATCH: usize = 1 << 30;

type Records = csv::Reader<DecodingReader<CountedReader>>;

struct Dialect {
    encoding: &'static Encoding,
    bom_len: usize,
    delimiter: u8,
    decimal: char,
    has_header: bool,
}

/// The second pass: batches of rows.
pub(crate) struct CsvReader {
    name: String,
    opts: ReadOptions,
    dialect: Dialect,
    schema: SchemaRef,
    width: usize,
    records: Records,
    bytes: Arc<AtomicU64>,
    buffers: Vec<ColumnBuffer>,
    originals: Vec<String>,
    record: ByteRecord,
    rows_seen: u64,
    header_pending: bool,
    done: bool,
}

fn open_records(source: &Source, name: &str, d: &Dialect) -> Result<(Records, Arc<AtomicU64>)> {
    let raw = skip_bytes(source, name, d.bom_len)?;
    let (counting, bytes) = Counting::new(raw);
    bytes.fetch_add(d.bom_len as u64, Ordering::Relaxed);
    let decoded = DecodingReader::new(counting, d.encoding);
    let records = csv::ReaderBuilder::new()
        .delimiter(d.delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(decoded);
    Ok((records, bytes))
}

fn field(rec: &ByteRecord, j: usize) -> &str {
    // Fields are cut from decoded UTF-8 at ASCII delimiters, so each is
    // valid UTF-8; the fallback never triggers.
    std::str::from_utf8(&rec[j]).unwrap_or("\u{FFFD}")
}

fn csv_error(name: &str, e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(name, io),
        other => Error::format("CSV", format!("{other:?}")),
    }
}

fn detect_dialect(
    source: &Source,
    name: &str,
    len: u64,
    opts: &ReadOptions,
) -> Result<(Dialect, String, bool)> {
    let head = source.head(name, SAMPLE_BYTES)?;
    let complete = head.len() as u64 >= len;
    let detected = match &opts.encoding {
        Some(label) => {
            let forced = Encoding::for_label(label.as_bytes()).expect("validated label");
            let bom_len = Encoding::for_bom(&head)
                .filter(|(e, _)| *e == forced)
                .map_or(0, |(_, n)| n);
            encoding::Detected {
                encoding: forced,
                bom_len,
            }
        }
        None => encoding::detect(&head, complete),
    };
    let (text, _) = detected
        .encoding
        .decode_without_bom_handling(&head[detected.bom_len..]);
    let mut sample = text.into_owned();
    if !complete && let Some(cut) = sample.rfind('\n') {
        sample.truncate(cut + 1);
    }
    if complete && sample.trim().is_empty() {
        return Err(Error::Empty { name: name.into() });
    }
    let nulls = &opts.null_values;
    let by_name_tab = name.to_ascii_lowercase().ends_with(".tsv");
    let delimiter = opts.delimiter.unwrap_or_else(|| {
        if by_name_tab {
            b'\t'
        } else {
            sniff::delimiter(&sample, complete, nulls)
        }
    });
    let recs = sniff::records(&sample, delimiter, complete);
    let decimal = opts
        .decimal
        .unwrap_or_else(|| sniff::decimal(&recs, delimiter));
    let has_header = opts
        .has_header
        .unwrap_or_else(|| sniff::has_header(&recs, decimal, nulls));
    Ok((
        Dialect {
            encoding: detected.encoding,
            bom_len: detected.bom_len,
            delimiter,
            decimal,
            has_header,
        },
        sample,
        complete,
    ))
}

fn check_cells(rec: &ByteRecord, limits: &Limits) -> Result<()> {
    let widest = rec.iter().map(|f| f.len() as u64).max().unwrap_or(0);
    limits.check_cell(widest)
}

/// The raw source after its first `n` bytes (a byte-order mark).
fn skip_bytes(source: &Source, name: &str, n: usize) -> Result<Box<dyn ReadSeek>> {
    let mut raw = source.open(name)?;
    let mut bom = vec![0; n];
    raw.read_exact(&mut bom).map_err(|e| Error::io(name, e))?;
    Ok(raw)
}

fn wrong_width(found: usize, width: usize) -> String {
    format!("expected {width} fields as in the first row, found {found}")
}

impl CsvReader {
    /// Sniff, infer, and get ready to deliver batches.
    pub(crate) fn open(
        source: &Source,
        name: &str,
        len: u64,
        opts: &ReadOptions,
        inference: Inference,
        report: &mut ReadReport,
    ) -> Result<Box<dyn BatchSource>> {
        opts.limits.check_bytes(len)?;
        let (dialect, _sample, _complete) = detect_dialect(source, name, len, opts)?;
        report.encoding = Some(dialect.encoding.name().to_string());
        report.bom = dialect.bom_len > 0;
        report.delimiter = Some(dialect.delimiter as char);
        report.decimal = Some(dialect.decimal);
        report.has_header = Some(dialect.has_header);

        // Pass 1: width, names and types.
        let (mut records, bytes) = open_records(source, name, &dialect)?;
        let mut rec = ByteRecord::new();
        if !records
            .read_byte_record(&mut rec)
            .map_err(|e| csv_error(name, e))?
        {
            return Err(Error::Empty { name: name.into() });
        }
        let width = rec.len();
        opts.limits.check_columns(width as u64)?;
        check_cells(&rec, &opts.limits)?;
        let originals: Vec<String> = if dialect.has_header {
            (0..width).map(|j| field(&rec, j).to_string()).collect()
        } else {
            (1..=width).map(|j| format!("column_{j}")).collect()
        };
        // UTF-8 is read in parallel chunks; an exact inference pass then
        // runs in parallel too.
        let ctx = (dialect.encoding == UTF_8).then(|| {
            Arc::new(chunked::Context {
                delimiter: dialect.delimiter,
                decimal: dialect.decimal,
                has_header: dialect.has_header,
                bom_len: dialect.bom_len,
                width,
                nulls: cell::NullSpellings::new(&opts.null_values),
                limits: opts.limits,
                bad_rows: opts.bad_rows,
                plain_splitting: true,
                by_column: true,
                block_bytes: split::block_bytes(),
                pools: Arc::default(),
            })
        });
        if let Some(ctx) = &ctx
            && opts.infer_rows.is_none()
        {
            drop(records);
            let guess = match inference {
                Inference::Guess => chunked::guess_types(source, name, len, ctx)?,
                Inference::Exact => None,
            };
            let (mut kinds, mut undecided) = match guess {
                Some(g) => (g.kinds, g.undecided),
                None => (
                    chunked::infer_types(source, name, len, ctx.clone(), opts)?,
                    None,
                ),
            };
            let schema = labelled_schema(&originals, &mut kinds, opts, report)?;
            // A column overridden to a type other than string is decided.
            // (One overridden to string stays open: a later value then
            // costs a needless exact re-read, never a different result.)
            if let Some(u) = &mut undecided {
                for (u, k) in u.iter_mut().zip(&kinds) {
                    *u &= *k == ColumnType::String;
                }
            }
            return Ok(Box::new(chunked::ChunkedReader::open(
                source,
                name,
                ctx.clone(),
                schema,
                kinds,
                originals,
                undecided,
                opts,
            )?));
        }
        let mut guesses = vec![TypeGuess::default(); width];
        let observe = |rec: &ByteRecord, guesses: &mut [TypeGuess]| {
            for (j, g) in guesses.iter_mut().enumerate() {
                if g.is_string() {
                    continue;
                }
                let s = field(rec, j);
                if !cell::is_null(s.trim(), &opts.null_values) {
                    g.observe_text(s, dialect.decimal);
                }
            }
        };
        let mut rows = 0u64;
        if !dialect.has_header {
            observe(&rec, &mut guesses);
            rows = 1;
        }
        let limit = opts.infer_rows.unwrap_or(u64::MAX);
        while rows < limit
            && records
                .read_byte_record(&mut rec)
                .map_err(|e| csv_error(name, e))?
        {
            if rec.len() != width {
                if opts.bad_rows == BadRows::Fail {
                    let line = rec.position().map_or(0, |p| p.line());
                    return Err(Error::MalformedRow {
                        line,
                        reason: wrong_width(rec.len(), width),
                    });
                }
                continue;
            }
            check_cells(&rec, &opts.limits)?;
            rows += 1;
            opts.limits.check_rows(rows)?;
            observe(&rec, &mut guesses);
            if rows.is_multiple_of(opts.batch_size as u64) {
                opts.limits.check_bytes(bytes.load(Ordering::Relaxed))?;
                if let Some(p) = &opts.progress {
                    p(Progress {
                        bytes_read: bytes.load(Ordering::Relaxed),
                        total_bytes: Some(len),
                        rows_read: rows,
                        scanning: true,
                    });
                }
            }
        }
        drop(records);

        let mut kinds: Vec<ColumnType> = guesses.iter().map(TypeGuess::resolve).collect();
        let schema = labelled_schema(&originals, &mut kinds, opts, report)?;
        if let Some(ctx) = ctx {
            return Ok(Box::new(chunked::ChunkedReader::open(
                source, name, ctx, schema, kinds, originals, None, opts,
            )?));
        }

        // Pass 2 starts here; `next_batch` pulls from it.
        let (records, bytes) = open_records(source, name, &dialect)?;
        let capacity = opts.batch_size.min(1 << 16);
        Ok(Box::new(CsvReader {
            name: name.to_string(),
            opts: opts.clone(),
            dialect,
            schema,
            width,
            records,
            bytes,
            buffers: kinds
                .iter()
                .map(|&k| ColumnBuffer::new(k, capacity))
                .collect(),
            originals,
            record: ByteRecord::new(),
            rows_seen: 0,
            header_pending: true,
            done: false,
        }))
    }
}

impl BatchSource for CsvReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    fn next_batch(&mut self, report: &mut ReadReport) -> Result<Option<RecordBatch>> {
        if self.done {
            return Ok(None);
        }
        let mut rows = 0usize;
        while rows < self.opts.batch_size {
            let more = self
                .records
                .read_byte_record(&mut self.record)
                .map_err(|e| csv_error(&self.name, e))?;
            if !more {
                self.done = true;
                break;
            }
            if std::mem::take(&mut self.header_pending) && self.dialect.has_header {
                continue;
            }
            let line = self.record.position().map_or(0, |p| p.line());
            if self.record.len() != self.width {
                let reason = wrong_width(self.record.len(), self.width);
                skip_or_fail(
                    self.opts.bad_rows,
                    report,
                    Error::MalformedRow { line, reason },
                )?;
                continue;
            }
            check_cells(&self.record, &self.opts.limits)?;
            self.rows_seen += 1;
            self.opts.limits.check_rows(self.rows_seen)?;
            let mut failed = None;
            for (j, buf) in self.buffers.iter_mut().enumerate() {
                let s = field(&self.record, j);
                if cell::is_null(s.trim(), &self.opts.null_values) {
                    buf.push_null();
                } else if !buf.push_text(s, self.dialect.decimal) {
                    failed = Some((j, s.chars().take(40).collect::<String>()));
                    break;
                }
            }
            if let Some((j, value)) = failed {
                for buf in &mut self.buffers {
                    buf.truncate(rows);
                }
                let err = Error::BadValue {
                    line,
                    column: self.originals[j].clone(),
                    value,
                    expected: type_words(self.buffers[j].kind),
                };
                skip_or_fail(self.opts.bad_rows, report, err)?;
                continue;
            }
            rows += 1;
            // Utf8 offsets are i32: end the batch well before 2 GiB of text
            // (one more row adds at most `max_cell_bytes` per column).
            if self
                .buffers
                .iter()
                .map(ColumnBuffer::text_bytes)
                .sum::<usize>()
                > TEXT_BYTES_PER_BATCH
            {
                break;
            }
        }
        self.opts.limits.check_bytes(self.bytes_read())?;
        report.replaced_characters = self.records.get_ref().replaced;
        if rows == 0 {
            return Ok(None);
        }
        let columns = self.buffers.iter_mut().map(ColumnBuffer::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| Error::format("CSV", e))?;
        Ok(Some(batch))
    }
}
