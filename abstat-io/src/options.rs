//! What a caller can tell the readers: limits, null spellings, type
//! overrides, CSV dialect hints, the sheet to read and a progress callback.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::format::Format;
use crate::{Error, Result};

/// Safety limits. A file that exceeds one is refused with
/// [`Error::LimitExceeded`] (or [`Error::ArchiveBomb`] for zip containers).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Most bytes read from the file (before decompression).
    pub max_bytes: u64,
    /// Most data rows.
    pub max_rows: u64,
    /// Most columns.
    pub max_columns: u64,
    /// Most bytes in one cell (CSV, JSON strings, spreadsheet text).
    pub max_cell_bytes: u64,
    /// Most bytes the entries of a zip container (XLSX, ODS) may expand to.
    pub max_unzipped_bytes: u64,
    /// Highest uncompressed / compressed ratio of one zip entry. Real
    /// spreadsheets compress 5–30×; deflate tops out near 1032×.
    pub max_zip_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 2 << 30,
            max_rows: 100_000_000,
            max_columns: 10_000,
            max_cell_bytes: 1 << 20,
            max_unzipped_bytes: 1 << 30,
            max_zip_ratio: 200,
        }
    }
}

impl Limits {
    fn check(found: u64, max: u64, limit: &'static str, option: &'static str) -> Result<()> {
        if found > max {
            return Err(Error::LimitExceeded {
                limit,
                option,
                max,
                found,
            });
        }
        Ok(())
    }

    /// Refuse more than `max_bytes`.
    pub fn check_bytes(&self, found: u64) -> Result<()> {
        Self::check(found, self.max_bytes, "bytes", "max_bytes")
    }

    /// Refuse more than `max_rows`.
    pub fn check_rows(&self, found: u64) -> Result<()> {
        Self::check(found, self.max_rows, "rows", "max_rows")
    }

    /// Refuse more than `max_columns`.
    pub fn check_columns(&self, found: u64) -> Result<()> {
        Self::check(found, self.max_columns, "columns", "max_columns")
    }

    /// Refuse a cell of more than `max_cell_bytes`.
    pub fn check_cell(&self, found: u64) -> Result<()> {
        Self::check(
            found,
            self.max_cell_bytes,
            "bytes in one cell",
            "max_cell_bytes",
        )
    }
}

/// What to do with a row that does not fit: a wrong number of fields, or a
/// value that does not parse as its column's overridden type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BadRows {
    /// Stop with [`Error::MalformedRow`] / [`Error::BadValue`].
    #[default]
    Fail,
    /// Drop the row and list it (line number and reason) in the report.
    Skip,
}

/// A column type a user can ask for instead of the inferred one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnType {
    /// 64-bit signed integer.
    Integer,
    /// 64-bit float.
    Float,
    /// true / false.
    Boolean,
    /// Calendar date (Arrow `Date32`).
    Date,
    /// Date and time, microseconds, no time zone (Arrow `Timestamp(µs)`).
    Datetime,
    /// Text.
    String,
}

/// Called after every batch with how far reading has come.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// How far a read has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Bytes of the file consumed so far (in the current pass).
    pub bytes_read: u64,
    /// Size of the file, when known.
    pub total_bytes: Option<u64>,
    /// Rows delivered (or, while scanning, rows scanned) so far.
    pub rows_read: u64,
    /// `true` while the CSV type-inference pass runs, `false` while batches
    /// are delivered.
    pub scanning: bool,
}

/// Options for [`crate::read_path`] and [`crate::read_bytes`].
#[derive(Clone)]
pub struct ReadOptions {
    /// The format; `None` detects it from the magic bytes and the name.
    pub format: Option<Format>,
    /// Rows per Arrow batch; memory use is bounded by this, not the file.
    pub batch_size: usize,
    /// Safety limits.
    pub limits: Limits,
    /// Cell texts read as null (compared after trimming spaces).
    pub null_values: Vec<String>,
    /// Types that replace the inferred ones, by original or normalised
    /// column name.
    pub type_overrides: BTreeMap<String, ColumnType>,
    /// What to do with malformed rows.
    pub bad_rows: BadRows,
    /// CSV: field delimiter; `None` sniffs `,` `;` tab `|`.
    pub delimiter: Option<u8>,
    /// CSV: whether the first row is a header; `None` detects it.
    pub has_header: Option<bool>,
    /// CSV: decimal separator, `.` or `,`; `None` detects it.
    pub decimal: Option<char>,
    /// CSV: the text encoding by WHATWG label (`"utf-8"`, `"windows-1251"`);
    /// `None` detects it.
    pub encoding: Option<String>,
    /// CSV: rows scanned to infer types; `None` scans the whole file in a
    /// first pass (exact, costs a second pass over the bytes).
    pub infer_rows: Option<u64>,
    /// Spreadsheets: the sheet by name; `None` reads the first sheet.
    pub sheet: Option<String>,
    /// Called after every batch.
    pub progress: Option<ProgressFn>,
}

/// The null spellings recognised by default.
pub const DEFAULT_NULLS: [&str; 7] = ["", "NA", "N/A", "null", "NULL", "NaN", "-"];

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            batch_size: 65_536,
            limits: Limits::default(),
            null_values: DEFAULT_NULLS.iter().map(|s| s.to_string()).collect(),
            type_overrides: BTreeMap::new(),
            bad_rows: BadRows::Fail,
            delimiter: None,
            has_header: None,
            decimal: None,
            encoding: None,
            infer_rows: None,
            sheet: None,
            progress: None,
        }
    }
}

impl fmt::Debug for ReadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("format", &self.format)
            .field("batch_size", &self.batch_size)
            .field("limits", &self.limits)
            .field("null_values", &self.null_values)
            .field("type_overrides", &self.type_overrides)
            .field("bad_rows", &self.bad_rows)
            .field("delimiter", &self.delimiter)
            .field("has_header", &self.has_header)
            .field("decimal", &self.decimal)
            .field("encoding", &self.encoding)
            .field("infer_rows", &self.infer_rows)
            .field("sheet", &self.sheet)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .finish()
    }
}

impl ReadOptions {
    /// Check the options once, before any byte is read.
    pub fn validate(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::InvalidOption {
                name: "batch_size",
                value: "0".into(),
                expected: "at least 1 row per batch".into(),
            });
        }
        if let Some(d) = self.delimiter
            && (d == b'"' || d == b'\n' || d == b'\r' || !d.is_ascii())
        {
            return Err(Error::InvalidOption {
                name: "delimiter",
                value: format!("{:?}", d as char),
                expected: "one ASCII character other than a quote or a line break".into(),
            });
        }
        if let Some(c) = self.decimal
            && c != '.'
            && c != ','
        {
            return Err(Error::InvalidOption {
                name: "decimal",
                value: c.to_string(),
                expected: "'.' or ','".into(),
            });
        }
        if let Some(label) = &self.encoding
            && encoding_rs::Encoding::for_label(label.as_bytes()).is_none()
        {
            return Err(Error::InvalidOption {
                name: "encoding",
                value: label.clone(),
                expected: "a WHATWG encoding label such as utf-8, windows-1251, utf-16le".into(),
            });
        }
        Ok(())
    }
}
