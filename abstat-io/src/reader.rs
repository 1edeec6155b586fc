//! The entry points: open a file or a buffer, detect its format, and get a
//! [`DatasetReader`] that yields Arrow batches and keeps a [`ReadReport`].

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::RecordBatch;
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};
use bytes::Bytes;

use crate::columns::arrow_type;
use crate::csv::CsvReader;
use crate::format::Format;
use crate::names;
use crate::options::{BadRows, ColumnType, Progress, ReadOptions};
use crate::report::ReadReport;
use crate::source::Source;
use crate::{Error, Result};

/// One format's batch producer.
pub(crate) trait BatchSource: Send {
    fn schema(&self) -> SchemaRef;
    fn bytes_read(&self) -> u64;
    fn next_batch(&mut self, report: &mut ReadReport) -> Result<Option<RecordBatch>>;
    /// Whether the last error was a cell that contradicts column types
    /// guessed from the first rows ([`Inference::Guess`]).
    fn guess_contradicted(&self) -> bool {
        false
    }
}

/// How a delimited text's column types are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inference {
    /// From every row (or the first `infer_rows`), before the first batch.
    Exact,
    /// From the first chunk of rows, verified while reading: a later cell
    /// that contradicts the guess ends the read with an error and
    /// [`DatasetReader::guess_contradicted`] set, and the caller reads again
    /// with [`Inference::Exact`]. Only for callers that can discard what
    /// they got so far (ingest: the store shows nothing until complete).
    Guess,
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

/// The schema of a text-typed reader (CSV, spreadsheets): overrides
/// applied, names made safe with the originals as labels, renames reported.
pub(crate) fn labelled_schema(
    originals: &[String],
    kinds: &mut [ColumnType],
    opts: &ReadOptions,
    report: &mut ReadReport,
) -> Result<SchemaRef> {
    let (safe, renamed) = names::normalise(originals);
    resolve_overrides(&opts.type_overrides, originals, &safe, kinds)?;
    report.renamed = renamed;
    let fields: Vec<Field> = kinds
        .iter()
        .zip(safe.iter().zip(originals))
        .map(|(&k, (n, o))| names::labelled(Field::new(n, arrow_type(k), true), n, o))
        .collect();
    Ok(Arc::new(Schema::new(fields)))
}

/// Under [`BadRows::Skip`], list a malformed row or bad value in the report
/// and go on; under [`BadRows::Fail`] (or for any other error), stop.
pub(crate) fn skip_or_fail(policy: BadRows, report: &mut ReadReport, err: Error) -> Result<()> {
    if policy == BadRows::Fail {
        return Err(err);
    }
    let (line, reason) = match &err {
        Error::MalformedRow { line, reason } => (*line, reason.clone()),
        Error::BadValue {
            line,
            column,
            value,
            expected,
        } => (
            *line,
            format!("column '{column}': '{value}' is not {expected}"),
        ),
        _ => return Err(err),
    };
    report.skip(line, reason);
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

    /// Whether the read stopped at a cell that contradicts the guessed
    /// column types (see [`Inference::Guess`]).
    pub(crate) fn guess_contradicted(&self) -> bool {
        self.inner.guess_contradicted()
    }

    fn step(&mut self) -> Result<Option<RecordBatch>> {
        let Some(batch) = self.inner.next_batch(&mut self.report)? else {
            return Ok(None);
        };
        self.report.rows += batch.num_rows() as u64;
        self.opts.limits.check_rows(self.report.rows)?;
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
    open(
        Source::Path(path.to_path_buf()),
        &name,
        opts,
        Inference::Exact,
    )
}

/// Read a file on disk whose own name says nothing (a spooled upload, a
/// temporary file): `name`, the user's file name, is used for format
/// detection and messages instead.
pub fn read_path_as(
    path: impl AsRef<Path>,
    name: &str,
    opts: &ReadOptions,
) -> Result<DatasetReader> {
    open(
        Source::Path(path.as_ref().to_path_buf()),
        name,
        opts,
        Inference::Exact,
    )
}

/// Read a buffer in memory; `name` (a file name such as `"sales.csv"`) helps
/// format detection and appears in messages.
pub fn read_bytes(
    bytes: impl Into<Bytes>,
    name: &str,
    opts: &ReadOptions,
) -> Result<DatasetReader> {
    open(Source::Bytes(bytes.into()), name, opts, Inference::Exact)
}

/// Open `source` (called `name`), finding a delimited text's column types
/// by `inference`.
pub(crate) fn open(
    source: Source,
    name: &str,
    opts: &ReadOptions,
    inference: Inference,
) -> Result<DatasetReader> {
    opts.validate()?;
    let len = source.len(name)?;
    opts.limits.check_bytes(len)?;
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
        Format::Csv => CsvReader::open(&source, name, len, opts, inference, &mut report)?,
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
