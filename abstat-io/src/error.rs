//! The one error type of abstat-io: every refusal says what was wrong and
//! what the user can do about it.

use thiserror::Error as ThisError;

/// Everything that can go wrong while reading a dataset.
#[derive(Debug, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or read.
    #[error("could not read {what}: {source}; check that the file exists and is readable")]
    Io {
        /// The file or stream.
        what: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Neither the first bytes nor the file name tell the format.
    #[error(
        "could not tell the format of {name}: send CSV, TSV, Parquet, Arrow/Feather, JSON, XLSX, XLS or ODS, or name the format in the read options"
    )]
    UnknownFormat {
        /// The file name as given.
        name: String,
    },
    /// The file has no data at all.
    #[error("{name} is empty: there is nothing to read; send a file with a header row and data")]
    Empty {
        /// The file name as given.
        name: String,
    },
    /// A configured safety limit was exceeded.
    #[error(
        "the data has more than the allowed {max} {limit} (found at least {found}); split the file, or raise `limits.{option}` in the read options"
    )]
    LimitExceeded {
        /// What was counted, in words ("bytes", "rows", "columns", "bytes in one cell").
        limit: &'static str,
        /// The option that sets the limit.
        option: &'static str,
        /// The configured maximum.
        max: u64,
        /// The count when reading stopped.
        found: u64,
    },
    /// A zip container (XLSX, ODS) that would expand far beyond its size.
    #[error(
        "refused {entry} inside the archive: it claims {uncompressed} bytes uncompressed from {compressed} compressed ({reason}); this looks like an archive bomb — re-save the spreadsheet or export it as CSV"
    )]
    ArchiveBomb {
        /// The archive entry name.
        entry: String,
        /// Declared uncompressed size in bytes.
        uncompressed: u64,
        /// Compressed size in bytes.
        compressed: u64,
        /// Which limit it broke.
        reason: String,
    },
    /// A row that does not fit the table (wrong number of fields, unclosed quote).
    #[error(
        "line {line}: {reason}; fix the row, or read with `bad_rows: BadRows::Skip` to drop such rows and list them in the report"
    )]
    MalformedRow {
        /// 1-based line number in the file where the row starts.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// A value that does not parse as its column's type.
    #[error(
        "line {line}, column '{column}': '{value}' is not {expected}; override the column's type to string, or read with `bad_rows: BadRows::Skip`"
    )]
    BadValue {
        /// 1-based line number (CSV) or row number (spreadsheets).
        line: u64,
        /// The column's original name.
        column: String,
        /// The cell text (shortened).
        value: String,
        /// The expected type, in words ("an integer", "a date").
        expected: &'static str,
    },
    /// The bytes are not text in any encoding that could be detected.
    #[error(
        "could not decode the text of {name}: {detail}; save the file as UTF-8 and send it again"
    )]
    Encoding {
        /// The file name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// A damaged or unsupported file of a known format.
    #[error(
        "the {format} data could not be read: {detail}; the file may be damaged, truncated or not really {format}"
    )]
    Format {
        /// The format that was being read.
        format: &'static str,
        /// The library's description.
        detail: String,
    },
    /// The requested sheet is not in the workbook.
    #[error("the workbook has no sheet named '{name}'; its sheets are: {available}")]
    NoSuchSheet {
        /// The requested name.
        name: String,
        /// The sheets that exist, comma-separated.
        available: String,
    },
    /// A read option with an impossible value.
    #[error("invalid read option {name} = {value}: expected {expected}")]
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// The given value.
        value: String,
        /// What is allowed.
        expected: String,
    },
    /// A type override names a column the file does not have.
    #[error("a type override names column '{name}', but the file's columns are: {available}")]
    UnknownColumn {
        /// The requested column.
        name: String,
        /// The file's columns (original names), comma-separated.
        available: String,
    },
    /// The store has no such dataset or version.
    #[error("no dataset '{id}'{}; list the datasets to see what is stored", .version.map(|v| format!(" with version {v}")).unwrap_or_default())]
    NotFound {
        /// The dataset id.
        id: String,
        /// The version, when one was asked for.
        version: Option<u32>,
    },
    /// A dataset id that cannot name a folder safely.
    #[error(
        "invalid dataset id '{id}': use 1 to 64 of a-z, 0-9, '_' and '-', starting with a letter or digit"
    )]
    InvalidId {
        /// The rejected id.
        id: String,
    },
    /// A projection names a column the dataset does not have.
    #[error("dataset '{id}' has no column '{column}'; its columns are: {available}")]
    NoSuchColumn {
        /// The dataset id.
        id: String,
        /// The missing column.
        column: String,
        /// The dataset's columns, comma-separated.
        available: String,
    },
    /// The stored manifest could not be parsed.
    #[error(
        "the manifest of dataset '{id}' is damaged ({detail}); restore it from a backup or delete the dataset"
    )]
    BadManifest {
        /// The dataset id.
        id: String,
        /// The parser's message.
        detail: String,
    },
    /// The data could be read but not profiled (a core computation refused).
    #[error("cannot profile the dataset: {0}")]
    Profile(#[from] abstat_core::Error),
    /// The database server did not answer (connection refused, timed out).
    #[error(
        "could not reach the ClickHouse server at {url}: {detail}; check that it runs and that ABSTAT_CLICKHOUSE_URL points at its HTTP port (for tests: scripts/services.sh start clickhouse)"
    )]
    Unreachable {
        /// The server's URL, password redacted.
        url: String,
        /// The client's reason.
        detail: String,
    },
    /// The database server answered with an error.
    #[error("the ClickHouse server at {url} refused a request: {detail}")]
    Database {
        /// The server's URL, password redacted.
        url: String,
        /// The server's or client's message.
        detail: String,
    },
    /// A column (its type, name or a value) the backend cannot hold.
    #[error("column '{column}' cannot be stored in ClickHouse: {detail}")]
    NotStorable {
        /// The column's name.
        column: String,
        /// What is wrong and what to do.
        detail: String,
    },
    /// A file could not be written in the requested export format.
    #[error("could not export as {format}: {detail}")]
    Export {
        /// The format being written.
        format: &'static str,
        /// What went wrong.
        detail: String,
    },
    /// A cleaning plan that does not fit the dataset, or data it cannot
    /// clean (the core's message says which operation and column).
    #[error("cannot clean the dataset: {0}")]
    Clean(abstat_core::Error),
    /// The data cannot make the requested chart (a core summary refused).
    #[error("cannot draw the chart: {0}")]
    ChartData(abstat_core::Error),
    /// The chart could not be rendered (size, font or backend failure).
    #[error("could not render the chart: {0}")]
    Render(String),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    pub(crate) fn format(format: &'static str, detail: impl ToString) -> Self {
        Error::Format {
            format,
            detail: detail.to_string(),
        }
    }
}
