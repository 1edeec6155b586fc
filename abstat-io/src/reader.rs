//! The entry points: open a file or a buffer, detect its format, and get a
//! [`DatasetReader`] that yields Arrow batches and keeps a [`ReadReport`].

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;

use crate::csv::CsvReader;
use crate::format::Format;
use crate::options::{ColumnType, Progress, ReadOptions};
use crate::report::ReadReport;
use crate::source::Source;
use crate::{Error, Result};

/// One format's batch producer.
pub(crate) trait BatchSource: Send {
    fn schema(&self) -> SchemaRef;
    fn bytes_read(&self) -> u64;
    fn next_batch(&mut self, report: &mut ReadReport) -> Result<Option<RecordBatch>>;
}

/// Apply type overrides, matched by original or normalised name.
pub(crate) fn resolve_overrides(
    overrides: &BTreeMap<String, ColumnType>,
    originals: &[String],
    safe: &[String],
    kinds: &mut [ColumnType],
) -> Result<()> {
    for (name, &t) in overrides {
        let j = originals
            .iter()
            .position(|o| o == name)
            .or_else(|| safe.iter().position(|s| s == name))
            .ok_or_else(|| Error::UnknownColumn {
                name: name.clone(),
                available: originals.join(", "),
            })?;
        kinds[j] = t;
    }
    Ok(())
}

/// Batches of a dataset, in file order, with the schema known up front.
///
/// Iterate it (`Iterator<Item = Result<RecordBatch>>`) or call
/// [`DatasetReader::read_all`]. After the last batch, [`DatasetReader::report`]
/// is complete. An error ends the iteration.
pub struct DatasetReader {
    inner: Box<dyn BatchSource>,
    report: ReadReport,
    opts: ReadOptions,
    total_bytes: Option<u64>,
    finished: bool,
}

impl std::fmt::Debug for DatasetReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatasetReader")
            .field("schema", &self.inner.schema())
            .field("report", &self.report)
            .finish()
    }
}

impl DatasetReader {
    /// The Arrow schema of every batch. Field names are safe identifiers;
    /// each field's metadata holds the original name under
    /// [`crate::LABEL_KEY`].
    pub fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    /// What the read found and did so far.
    pub fn report(&self) -> &ReadReport {
        &self.report
    }

    /// Read every batch; returns them with the final report.
    pub fn read_all(mut self) -> Result<(Vec<RecordBatch>, ReadReport)> {
        let mut out = Vec::new();
        for b in &mut self {
            out.push(b?);
        }
        Ok((out, self.report))
    }

    fn step(&mut self) -> Result<Option<RecordBatch>> {
        let Some(batch) = self.inner.next_batch(&mut self.report)? else {
            return Ok(None);
        };
        self.report.rows += batch.num_rows() as u64;
        let limits = &self.opts.limits;
        if self.report.rows > limits.max_rows {
            return Err(Error::LimitExceeded {
                limit: "rows",
                option: "max_rows",
                max: limits.max_rows,
                found: self.report.rows,
            });
        }
        if let Some(p) = &self.opts.progress {
            p(Progress {
                bytes_read: self.inner.bytes_read(),
                total_bytes: self.total_bytes,
                rows_read: self.report.rows,
                scanning: false,
            });
        }
        Ok(Some(batch))
    }
}

impl Iterator for DatasetReader {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.step() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}

/// Open the file at `path` for reading as Arrow batches.
///
/// The format comes from `opts.format` or is detected from the first bytes
/// and the file name. Nothing but the sample needed for detection (and, for
/// CSV, the type-inference pass) is read before the first batch is asked for.
pub fn read_path(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<DatasetReader> {
    let path = path.as_ref();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    open(Source::Path(path.to_path_buf()), &name, opts)
}

/// Read a buffer in memory; `name` (a file name such as `"sales.csv"`) helps
/// format detection and appears in messages.
pub fn read_bytes(
    bytes: impl Into<Bytes>,
    name: &str,
    opts: &ReadOptions,
) -> Result<DatasetReader> {
    open(Source::Bytes(bytes.into()), name, opts)
}

fn open(source: Source, name: &str, opts: &ReadOptions) -> Result<DatasetReader> {
    opts.validate()?;
    let len = source.len(name)?;
    if len > opts.limits.max_bytes {
        return Err(Error::LimitExceeded {
            limit: "bytes",
            option: "max_bytes",
            max: opts.limits.max_bytes,
            found: len,
        });
    }
    if len == 0 {
        return Err(Error::Empty { name: name.into() });
    }
    let format = match opts.format {
        Some(f) => f,
        None => {
            let head = source.head(name, 4096)?;
            Format::detect(&head, name).ok_or_else(|| Error::UnknownFormat { name: name.into() })?
        }
    };
    let mut report = ReadReport::new(format);
    let inner: Box<dyn BatchSource> = match format {
        Format::Csv => Box::new(CsvReader::open(&source, name, len, opts, &mut report)?),
        other => crate::columnar::open(other, &source, name, len, opts, &mut report)?,
    };
    Ok(DatasetReader {
        inner,
        report,
        opts: opts.clone(),
        total_bytes: Some(len),
        finished: false,
    })
}
