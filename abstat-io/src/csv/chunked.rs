//! UTF-8 delimited text read in parallel: the text is cut into chunks of
//! whole records ([`super::split`]), each chunk is tokenised and typed on
//! rayon's pool, and the consumer takes the results in file order. Line
//! numbers are counted per chunk and made absolute by the consumer, so
//! errors and skipped rows name the same lines as a serial read.
//!
//! The column types come either from an exact pass over the whole text
//! ([`infer_types`]) or, to spare that pass, from the first chunk alone
//! ([`guess_types`]): the reader then parses with the guess and stops at
//! the first cell that contradicts it (see [`ChunkedReader::guess_contradicted`]),
//! so that the caller can start again with the exact pass.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Receiver;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use csv::ByteRecord;

use super::by_column::{Plan, parse_by_column};
use super::plain::{Fields, is_plain, plain_records, record_fields};
use super::split::{Chunk, records_end, run_chunks};
use super::{skip_bytes, wrong_width};
use crate::cell::NullSpellings;
use crate::columns::{ColumnBuffer, type_words};
use crate::infer::TypeGuess;
use crate::options::{BadRows, ColumnType, Limits, Progress, ReadOptions};
use crate::reader::{BatchSource, skip_or_fail};
use crate::recycle::Pools;
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
    pub nulls: NullSpellings,
    pub limits: Limits,
    pub bad_rows: BadRows,
    /// Whether chunks without quotes take the plain splitter (always, but
    /// for the test that holds it to the `csv` crate).
    pub plain_splitting: bool,
    /// Whether such chunks are parsed a column at a time when they can be
    /// (always, but for the test that holds it to the row-by-row parse).
    pub by_column: bool,
    /// Bytes read from the source per chunk.
    pub block_bytes: usize,
    /// The column vectors of spent chunks, for the next ones.
    pub pools: Arc<Pools>,
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

/// Call `row(line, fields)` for every record of the chunk (its line
/// relative to the chunk, from 1), skipping the header in the first chunk.
/// Chunks without quotes take the plain splitter. Returns the chunk's line
/// feeds and replaced sequences.
fn records(
    chunk: &Chunk,
    ctx: &Context,
    mut row: impl FnMut(u64, &Fields) -> Result<bool>,
) -> Result<(u64, u64)> {
    let (text, replaced) = utf8(&chunk.bytes);
    let newlines = memchr::memchr_iter(b'\n', &text).count() as u64;
    let plain = ctx.plain_splitting && is_plain(&text);
    records_by(
        &text,
        plain,
        chunk.index == 0 && ctx.has_header,
        ctx,
        &mut row,
    )?;
    Ok((newlines, replaced))
}

/// A chunk without problems parsed a column at a time (see
/// [`super::by_column`]), or `None` when it has to be parsed row by row.
fn parse_columns(
    chunk: &Chunk,
    ctx: &Context,
    schema: &SchemaRef,
    buffers: &mut [ColumnBuffer],
    guessed: Option<&[bool]>,
) -> Result<Option<Parsed>> {
    if !ctx.by_column {
        return Ok(None);
    }
    let (text, replaced) = utf8(&chunk.bytes);
    if !(ctx.plain_splitting && is_plain(&text)) {
        return Ok(None);
    }
    let plan = Plan {
        delimiter: ctx.delimiter,
        decimal: ctx.decimal,
        width: ctx.width,
        nulls: &ctx.nulls,
        max_cell: ctx.limits.max_cell_bytes,
        undecided: guessed,
    };
    let first = chunk.index == 0 && ctx.has_header;
    let Some((rows, newlines)) = parse_by_column(&text, first, &plan, buffers) else {
        return Ok(None);
    };
    let batch = if rows == 0 {
        None
    } else {
        let columns = buffers.iter_mut().map(ColumnBuffer::finish).collect();
        Some(RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::format("CSV", e))?)
    };
    Ok(Some(Parsed {
        batch,
        rows: rows as u64,
        newlines,
        replaced,
        problems: Vec::new(),
        contradicted: false,
    }))
}

/// [`records`] of valid UTF-8 `text`, by the plain splitter or the `csv`
/// crate.
fn records_by(
    text: &[u8],
    plain: bool,
    mut first: bool,
    ctx: &Context,
    mut row: impl FnMut(u64, &Fields) -> Result<bool>,
) -> Result<()> {
    if plain {
        return plain_records(text, ctx.delimiter, |line, fields| {
            if std::mem::take(&mut first) {
                return Ok(true);
            }
            row(line, fields)
        });
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(ctx.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut rec = ByteRecord::new();
    let mut bounds = Vec::new();
    while reader
        .read_byte_record(&mut rec)
        .map_err(|e| Error::format("CSV", e))?
    {
        if std::mem::take(&mut first) {
            continue;
        }
        let line = rec.position().map_or(0, |p| p.line());
        if !row(line, &record_fields(&rec, &mut bounds))? {
            break;
        }
    }
    Ok(())
}

/// A chunk's type evidence (the inference pass).
pub(crate) struct Scanned {
    guesses: Vec<TypeGuess>,
    rows: u64,
    newlines: u64,
    /// The first row with a wrong number of fields: (relative line, fields).
    ragged: Option<(u64, usize)>,
}

pub(crate) fn scan(chunk: &Chunk, ctx: &Context) -> Result<Scanned> {
    let mut s = Scanned {
        guesses: vec![TypeGuess::default(); ctx.width],
        rows: 0,
        newlines: 0,
        ragged: None,
    };
    let (newlines, _) = records(chunk, ctx, |line, rec| {
        if rec.len() != ctx.width {
            s.ragged.get_or_insert((line, rec.len()));
            return Ok(ctx.bad_rows == BadRows::Skip);
        }
        ctx.limits.check_cell(rec.widest() as u64)?;
        s.rows += 1;
        for (j, g) in s.guesses.iter_mut().enumerate() {
            if g.is_string() {
                continue;
            }
            let b = rec.bytes(j);
            if ctx.nulls.surely_not(b) && g.observe_plain(b, ctx.decimal) {
                continue;
            }
            let v = rec.text(j);
            if !ctx.nulls.contains(v) {
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
    let results = run_chunks(
        raw,
        ctx.delimiter,
        ctx.block_bytes,
        bytes.clone(),
        move |c| scan(c, &job_ctx),
    );
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

/// Column types from the first chunk of the text (see [`guess_types`]).
pub(crate) struct Guess {
    pub kinds: Vec<ColumnType>,
    /// `None` when the first chunk is the whole text: the types are exact.
    /// Otherwise the columns without a single value in the first chunk
    /// (typed string for now, but any later value may make them anything).
    pub undecided: Option<Vec<bool>>,
}

/// Every column's type as the first chunk alone says (the narrowest type
/// that fits its cells, as [`infer_types`] decides over all chunks).
/// `None` when the first chunk cannot say: it fails (the exact pass then
/// reports the same error) or one record is longer than a block.
///
/// A guess of type T (not string) rules out every type narrower than T,
/// and the exact pass keeps T unless a later cell does not parse as T; a
/// column with only nulls so far stays open until its first value. So
/// parsing with the guess and stopping at the first cell that fails gives
/// the exact pass's types whenever it does not stop.
pub(crate) fn guess_types(
    source: &Source,
    name: &str,
    len: u64,
    ctx: &Context,
) -> Result<Option<Guess>> {
    let head = source.head(name, ctx.bom_len + ctx.block_bytes)?;
    let whole = head.len() as u64 >= len;
    let text = &head[ctx.bom_len.min(head.len())..];
    let end = if whole {
        text.len()
    } else {
        match records_end(text, ctx.delimiter) {
            Some(end) => end,
            None => return Ok(None),
        }
    };
    let chunk = Chunk {
        index: 0,
        bytes: text[..end].to_vec(),
    };
    let Ok(s) = scan(&chunk, ctx) else {
        return Ok(None);
    };
    if s.ragged.is_some() && ctx.bad_rows == BadRows::Fail {
        return Ok(None);
    }
    Ok(Some(Guess {
        kinds: s.guesses.iter().map(TypeGuess::resolve).collect(),
        undecided: (!whole).then(|| s.guesses.iter().map(TypeGuess::is_unseen).collect()),
    }))
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
    /// Whether a cell contradicted the guessed types (the chunk was left
    /// there).
    contradicted: bool,
}

/// Parse a chunk with the column types `kinds`. With `guessed` (the
/// undecided columns of a [`Guess`]), any cell that does not parse, and
/// any value in an undecided column, contradicts the guess: the chunk
/// stops there, marked [`Parsed::contradicted`].
fn parse(
    chunk: &Chunk,
    ctx: &Context,
    schema: &SchemaRef,
    kinds: &[ColumnType],
    originals: &[String],
    guessed: Option<&[bool]>,
) -> Result<Parsed> {
    let capacity = chunk.bytes.len() / (ctx.width * 4).max(8);
    let fresh = || -> Vec<ColumnBuffer> {
        kinds
            .iter()
            .map(|&k| ColumnBuffer::pooled(k, capacity, &ctx.pools))
            .collect()
    };
    let mut buffers = fresh();
    if let Some(parsed) = parse_columns(chunk, ctx, schema, &mut buffers, guessed)? {
        return Ok(parsed);
    }
    if ctx.by_column {
        buffers = fresh();
    }
    let mut problems = Vec::new();
    let mut rows = 0usize;
    let mut contradicted = false;
    let (newlines, replaced) = records(chunk, ctx, |line, rec| {
        if rec.len() != ctx.width {
            problems.push(Error::MalformedRow {
                line,
                reason: wrong_width(rec.len(), ctx.width),
            });
            return Ok(ctx.bad_rows == BadRows::Skip);
        }
        ctx.limits.check_cell(rec.widest() as u64)?;
        for j in 0..buffers.len() {
            let b = rec.bytes(j);
            if let Some(undecided) = guessed
                && undecided[j]
            {
                if ctx.nulls.surely_not(b) || !ctx.nulls.contains(rec.text(j)) {
                    contradicted = true;
                    return Ok(false);
                }
                buffers[j].push_null();
                continue;
            }
            if ctx.nulls.surely_not(b) && buffers[j].push_plain(b, ctx.decimal) {
                continue;
            }
            let s = rec.text(j);
            if ctx.nulls.contains(s) {
                buffers[j].push_null();
            } else if !buffers[j].push_text(s, ctx.decimal) {
                if guessed.is_some() {
                    // Even a bad value under an override: the exact pass
                    // may fail elsewhere first (a ragged row further on).
                    contradicted = true;
                    return Ok(false);
                }
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
    let batch = if rows == 0 || contradicted {
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
        contradicted,
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
    contradicted: bool,
}

impl ChunkedReader {
    /// Parse with `kinds`: exact, or guessed when `undecided` is given
    /// (see [`Guess`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn open(
        source: &Source,
        name: &str,
        ctx: Arc<Context>,
        schema: SchemaRef,
        kinds: Vec<ColumnType>,
        originals: Vec<String>,
        undecided: Option<Vec<bool>>,
        opts: &ReadOptions,
    ) -> Result<Self> {
        let bytes = Arc::new(AtomicU64::new(ctx.bom_len as u64));
        let raw = skip_bytes(source, name, ctx.bom_len)?;
        let job_schema = schema.clone();
        let (delimiter, block_bytes) = (ctx.delimiter, ctx.block_bytes);
        let results = run_chunks(raw, delimiter, block_bytes, bytes.clone(), move |c| {
            parse(
                c,
                &ctx,
                &job_schema,
                &kinds,
                &originals,
                undecided.as_deref(),
            )
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
            contradicted: false,
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

    fn guess_contradicted(&self) -> bool {
        self.contradicted
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
            if parsed.contradicted {
                // Under `BadRows::Fail` a problem would have stopped the
                // chunk before: the contradiction comes first.
                self.contradicted = true;
                self.done = true;
                return Err(Error::format(
                    "CSV",
                    "a later row does not fit the column types guessed from the first rows",
                ));
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::arrow_type;
    use arrow_schema::{Field, Schema};

    fn context(delimiter: u8, decimal: char, plain_splitting: bool, bad_rows: BadRows) -> Context {
        by_column_context(
            delimiter,
            decimal,
            plain_splitting,
            plain_splitting,
            bad_rows,
        )
    }

    fn by_column_context(
        delimiter: u8,
        decimal: char,
        plain_splitting: bool,
        by_column: bool,
        bad_rows: BadRows,
    ) -> Context {
        Context {
            delimiter,
            decimal,
            has_header: true,
            bom_len: 0,
            width: 4,
            nulls: NullSpellings::new(&ReadOptions::default().null_values),
            limits: Limits::default(),
            bad_rows,
            plain_splitting,
            by_column,
            block_bytes: crate::csv::split::BLOCK_BYTES,
            pools: Arc::default(),
        }
    }

    /// Everything one chunk gives, as comparable text.
    fn read_chunk(text: &str, ctx: &Context) -> String {
        let chunk = || Chunk {
            index: 0,
            bytes: text.as_bytes().to_vec(),
        };
        let s = match scan(&chunk(), ctx) {
            Ok(s) => s,
            Err(e) => return format!("scan error: {e}"),
        };
        let kinds: Vec<ColumnType> = s.guesses.iter().map(TypeGuess::resolve).collect();
        let originals: Vec<String> = (0..ctx.width).map(|j| format!("c{j}")).collect();
        let schema = Arc::new(Schema::new(
            kinds
                .iter()
                .zip(&originals)
                .map(|(&k, n)| Field::new(n, arrow_type(k), true))
                .collect::<Vec<_>>(),
        ));
        let scanned = format!("{kinds:?} rows {} ragged {:?}", s.rows, s.ragged);
        match parse(&chunk(), ctx, &schema, &kinds, &originals, None) {
            Ok(p) => format!(
                "{scanned}\n{:?}\nrows {} newlines {} replaced {}\n{:?}",
                p.batch,
                p.rows,
                p.newlines,
                p.replaced,
                p.problems.iter().map(|e| e.to_string()).collect::<Vec<_>>()
            ),
            Err(e) => format!("{scanned}\nparse error: {e}"),
        }
    }

    #[test]
    fn the_plain_splitter_gives_the_same_batches_as_the_csv_crate() {
        let comma = [
            // Types, nulls (spelled and padded), signs, long and plain numbers.
            "id,x,g,d\n1,1.5,a,2024-01-01\n-2,NA,b,\n+3, 2.25 ,,2024-01-03\n4,-0,N/A,2024-01-04",
            "id,x,g,d\n9223372036854775807,0.1,x,1\n-9223372036854775808,1e3,y,2\n",
            "id,x,g,d\n12345678901234567890,123456789012345.6,ж,😀\n1,1234567890123456.7,,\n",
            // CRLF endings, blank lines, a trailing line without a newline.
            "id,x,g,d\r\n1,0.5,a,b\r\n\r\n2,1.5,c,d\r\n3,2,e,f",
            "\n\nid,x,g,d\n\n1,2,3,4\n\n\n5,6,7,8\n",
            // Ragged rows and bad values, skipped: lines in the problems.
            "id,x,g,d\n1,2,3,4\n5,6\n7,8,9,10,11\n12,13,14,15\n",
            // Thousands separators and text that only looks numeric.
            "id,x,g,d\n1,\"1,000\",a,b\n",
            "id,x,g,d\n1,1 000,0x10,1.\n2,.5,-,+\n",
            // Whitespace-only and null-only columns.
            "id,x,g,d\n , ,NULL,null\n\t,NA,NaN,-\n",
        ];
        let semicolon = [
            // Decimal commas with `;`.
            "id;x;g;d\n1;1,5;a;01.02.2024\n2;-2,25;b;03.02.2024\n3;1 234,5;c;\n",
            "id;x;g;d\n1;1.5;a;b\r\n2;2,0;\"q;uoted\";c\n",
        ];
        for bad_rows in [BadRows::Skip, BadRows::Fail] {
            for (texts, delimiter, decimal) in
                [(&comma[..], b',', '.'), (&semicolon[..], b';', ',')]
            {
                for text in texts {
                    let plain = read_chunk(text, &context(delimiter, decimal, true, bad_rows));
                    let general = read_chunk(text, &context(delimiter, decimal, false, bad_rows));
                    assert_eq!(plain, general, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn parsing_by_column_gives_the_row_by_row_batches() {
        let texts = [
            // Clean, with every type, spelled and padded nulls.
            "id,x,g,d\n1,1.5,a,2024-01-01\n-2,NA,b,\n+3, 2.25 ,,2024-01-03\n4,-0,N/A,2024-01-04\n",
            "id,x,g,d\r\n\r\n1,0.5,a,true\r\n2,1e3, b ,false\r\n3,2,,TRUE",
            "id,x,g,d\n1 000,1 234.5,x,2024-01-01 10:00\n7,inf,-,2024-01-02T00:00:00Z\n",
            // Ragged rows, too many and too few fields, a header only.
            "id,x,g,d\n1,2,3,4\n5,6\n7,8,9,10\n",
            "id,x,g,d\n1,2,3,4,5\n6,7,8,9\n",
            "id,x,g,d\n",
            "id,x,g,d",
            // Bad values in a later column than a good one, and at the end.
            "id,x,g,d\n1,2,a,2024-01-01\n2,zz,b,2024-01-02\n3,4,c,2024-01-03\n",
            "id,x,g,d\n1,2,a,2024-01-01\n2,3,b,notadate",
        ];
        for bad_rows in [BadRows::Skip, BadRows::Fail] {
            for text in texts {
                let rows = read_chunk(text, &by_column_context(b',', '.', true, false, bad_rows));
                let columns = read_chunk(text, &by_column_context(b',', '.', true, true, bad_rows));
                assert_eq!(columns, rows, "{text:?}");
            }
        }
        // The chunk's column types come from its own scan above; a too-long
        // cell and a value in an undecided column must go row by row.
        let ctx = by_column_context(b',', '.', true, true, BadRows::Fail);
        let kinds = [ColumnType::Integer; 4];
        let mut buffers: Vec<ColumnBuffer> =
            kinds.iter().map(|&k| ColumnBuffer::new(k, 4)).collect();
        let plan = |max_cell, undecided| Plan {
            delimiter: b',',
            decimal: '.',
            width: 4,
            nulls: &ctx.nulls,
            max_cell,
            undecided,
        };
        let text = b"a,b,c,d\n1,22,3,\n";
        assert_eq!(
            parse_by_column(text, true, &plan(2, None), &mut buffers),
            Some((1, 2))
        );
        assert_eq!(
            parse_by_column(text, true, &plan(1, None), &mut buffers),
            None
        );
        let undecided = [false, false, false, true];
        assert!(parse_by_column(text, true, &plan(9, Some(&undecided)), &mut buffers).is_some());
        let undecided = [false, false, true, false];
        assert!(parse_by_column(text, true, &plan(9, Some(&undecided)), &mut buffers).is_none());
    }

    #[test]
    fn only_text_without_quotes_takes_the_plain_splitter() {
        assert!(is_plain(b"a,b\r\n1,2\n"));
        assert!(!is_plain(b"a,\"b\"\n"));
    }
}
