//! Formats that carry their own schema: Parquet, Arrow IPC (file, stream,
//! Feather v2) and JSON (lines, or one array of objects) through the
//! arrow-rs readers; spreadsheets are in [`crate::spreadsheet`]. Column
//! names are normalised the same way as for CSV, and the limits on columns,
//! rows and cell size apply.

use std::io::{BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::format::Format;
use crate::names;
use crate::options::ReadOptions;
use crate::reader::BatchSource;
use crate::report::ReadReport;
use crate::source::{CountedReader, Counting, Source};
use crate::{Error, Result};

type Batches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

/// How many bytes have been consumed: counted, or estimated from rows.
enum BytesRead {
    Counted(Arc<AtomicU64>),
    FromRows { total_rows: u64, total_bytes: u64 },
}

/// Batches from an arrow-rs reader, renamed, re-sliced to `batch_size`
/// and checked against the limits.
struct Renamed {
    format: &'static str,
    schema: SchemaRef,
    inner: Batches,
    pending: Option<RecordBatch>,
    batch_size: usize,
    limits: crate::options::Limits,
    rows: u64,
    bytes: BytesRead,
}

pub(crate) fn open(
    format: Format,
    source: &Source,
    name: &str,
    len: u64,
    opts: &ReadOptions,
    report: &mut ReadReport,
) -> Result<Box<dyn BatchSource>> {
    let fmt = format.name();
    let arrow_err = |e: ArrowError| Error::format(fmt, e);
    let (schema, inner, bytes): (SchemaRef, Batches, BytesRead) = match format {
        Format::Parquet => {
            let builder = match source {
                Source::Path(p) => {
                    let f = std::fs::File::open(p).map_err(|e| Error::io(name, e))?;
                    parquet_batches(f, opts.batch_size)?
                }
                Source::Bytes(bytes) => parquet_batches(Bytes::clone(bytes), opts.batch_size)?,
            };
            let (schema, inner, total_rows) = builder;
            (
                schema,
                inner,
                BytesRead::FromRows {
                    total_rows,
                    total_bytes: len,
                },
            )
        }
        Format::ArrowFile => {
            let (raw, count) = counted(source, name)?;
            let r = arrow_ipc::reader::FileReader::try_new(BufReader::new(raw), None)
                .map_err(arrow_err)?;
            (r.schema(), Box::new(r), BytesRead::Counted(count))
        }
        Format::ArrowStream => {
            let (raw, count) = counted(source, name)?;
            let r = arrow_ipc::reader::StreamReader::try_new(BufReader::new(raw), None)
                .map_err(arrow_err)?;
            (r.schema(), Box::new(r), BytesRead::Counted(count))
        }
        Format::Json => {
            let infer_rows = opts.infer_rows.map(|n| n as usize);
            let (raw, _) = counted(source, name)?;
            let (schema, _) = arrow_json::reader::infer_json_schema(
                BufReader::new(JsonLines::new(raw)),
                infer_rows,
            )
            .map_err(arrow_err)?;
            if schema.fields().is_empty() {
                return Err(Error::Empty { name: name.into() });
            }
            let (raw, count) = counted(source, name)?;
            let r = arrow_json::ReaderBuilder::new(Arc::new(schema))
                .with_batch_size(opts.batch_size)
                .build(BufReader::new(JsonLines::new(raw)))
                .map_err(arrow_err)?;
            (r.schema(), Box::new(r), BytesRead::Counted(count))
        }
        Format::Xlsx | Format::Xls | Format::Ods => {
            return crate::spreadsheet::open(format, source, name, opts, report);
        }
        Format::Csv => unreachable!("CSV has its own reader"),
    };
    opts.limits.check_columns(schema.fields().len() as u64)?;
    let originals: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let (safe, renamed) = names::normalise(&originals);
    report.renamed = renamed;
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .zip(&safe)
        .map(|(f, n)| names::labelled(f.as_ref().clone(), n, f.name()))
        .collect();
    if !opts.type_overrides.is_empty() {
        // Typed formats keep their types; an override would need a cast
        // kernel (arrow-cast) that abstat-io does not carry.
        return Err(Error::InvalidOption {
            name: "type_overrides",
            value: format!("{:?}", opts.type_overrides.keys().collect::<Vec<_>>()),
            expected: format!("no overrides: {fmt} files carry their own column types"),
        });
    }
    Ok(Box::new(Renamed {
        format: fmt,
        schema: Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())),
        inner,
        pending: None,
        batch_size: opts.batch_size,
        limits: opts.limits,
        rows: 0,
        bytes,
    }))
}

/// A Parquet reader's schema, batches and row count.
fn parquet_batches<T: parquet::file::reader::ChunkReader + 'static>(
    input: T,
    batch_size: usize,
) -> Result<(SchemaRef, Batches, u64)> {
    let fail = |e: parquet::errors::ParquetError| Error::format("Parquet", e);
    let b = ParquetRecordBatchReaderBuilder::try_new(input).map_err(fail)?;
    let total_rows = b.metadata().file_metadata().num_rows() as u64;
    let r = b.with_batch_size(batch_size).build().map_err(fail)?;
    Ok((r.schema(), Box::new(r), total_rows))
}

fn counted(source: &Source, name: &str) -> Result<(CountedReader, Arc<AtomicU64>)> {
    Ok(Counting::new(source.open(name)?))
}

/// The largest value, in bytes, of a string or binary column.
fn widest_cell(a: &dyn Array) -> u64 {
    fn widest<O: arrow_array::OffsetSizeTrait>(offsets: &[O]) -> u64 {
        offsets
            .windows(2)
            .map(|w| (w[1] - w[0]).as_usize() as u64)
            .max()
            .unwrap_or(0)
    }
    match a.data_type() {
        DataType::Utf8 => widest(a.as_string::<i32>().offsets()),
        DataType::LargeUtf8 => widest(a.as_string::<i64>().offsets()),
        DataType::Binary => widest(a.as_binary::<i32>().offsets()),
        DataType::LargeBinary => widest(a.as_binary::<i64>().offsets()),
        _ => 0,
    }
}

impl BatchSource for Renamed {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn bytes_read(&self) -> u64 {
        match &self.bytes {
            BytesRead::Counted(c) => c.load(Ordering::Relaxed),
            BytesRead::FromRows {
                total_rows,
                total_bytes,
            } => {
                if *total_rows == 0 {
                    *total_bytes
                } else {
                    (self.rows as u128 * *total_bytes as u128 / *total_rows as u128) as u64
                }
            }
        }
    }

    fn next_batch(&mut self, _report: &mut ReadReport) -> Result<Option<RecordBatch>> {
        let batch = match self.pending.take() {
            Some(b) => b,
            None => match self.inner.next() {
                None => return Ok(None),
                Some(b) => b.map_err(|e| Error::format(self.format, e))?,
            },
        };
        let batch = if batch.num_rows() > self.batch_size {
            self.pending = Some(batch.slice(self.batch_size, batch.num_rows() - self.batch_size));
            batch.slice(0, self.batch_size)
        } else {
            batch
        };
        for c in batch.columns() {
            self.limits.check_cell(widest_cell(c.as_ref()))?;
        }
        self.rows += batch.num_rows() as u64;
        let batch = RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())
            .map_err(|e| Error::format(self.format, e))?;
        Ok(Some(batch))
    }
}

/// JSON as arrow-json reads it: one value after another. A top-level array
/// `[{…}, {…}]` is turned, on the fly, into its elements separated by
/// newlines; anything else passes through unchanged.
struct JsonLines<R> {
    inner: R,
    state: JsonState,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

#[derive(PartialEq)]
enum JsonState {
    Start,
    Array,
    Passthrough,
    Done,
}

impl<R: Read> JsonLines<R> {
    fn new(inner: R) -> Self {
        JsonLines {
            inner,
            state: JsonState::Start,
            depth: 0,
            in_string: false,
            escaped: false,
        }
    }
}

impl<R: Read> Read for JsonLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.state == JsonState::Done || buf.is_empty() {
                return Ok(0);
            }
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut out = 0;
            for i in 0..n {
                let c = buf[i];
                match self.state {
                    JsonState::Passthrough => {
                        buf[out] = c;
                        out += 1;
                    }
                    JsonState::Done => {}
                    JsonState::Start => {
                        if c == b'[' {
                            self.state = JsonState::Array;
                        } else if !c.is_ascii_whitespace() && c != 0xEF && c != 0xBB && c != 0xBF {
                            self.state = JsonState::Passthrough;
                            buf[out] = c;
                            out += 1;
                        }
                    }
                    JsonState::Array => {
                        let mut keep = c;
                        if self.in_string {
                            if self.escaped {
                                self.escaped = false;
                            } else if c == b'\\' {
                                self.escaped = true;
                            } else if c == b'"' {
                                self.in_string = false;
                            }
                        } else {
                            match c {
                                b'"' => self.in_string = true,
                                b'{' | b'[' => self.depth += 1,
                                b'}' => self.depth = self.depth.saturating_sub(1),
                                b']' if self.depth == 0 => {
                                    self.state = JsonState::Done;
                                    keep = b'\n';
                                }
                                b']' => self.depth -= 1,
                                b',' if self.depth == 0 => keep = b'\n',
                                // arrow-json's schema inference wants one
                                // value per line: fold pretty-printed ones.
                                b'\n' | b'\r' => keep = b' ',
                                _ => {}
                            }
                        }
                        buf[out] = keep;
                        out += 1;
                    }
                }
            }
            if out > 0 {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_array_becomes_one_value_per_line() {
        let text = b" [ {\"a\": [1,\n 2], \"b\": \"x,]\"} , {\"a\": []} ] trailing";
        let mut s = String::new();
        JsonLines::new(&text[..]).read_to_string(&mut s).unwrap();
        assert_eq!(s, " {\"a\": [1,  2], \"b\": \"x,]\"} \n {\"a\": []} \n");
    }
}
