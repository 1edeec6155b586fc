//! # abstat-io
//!
//! Bytes in and out of abstat: readers for the files users send (CSV/TSV,
//! Parquet, Arrow IPC, JSON, spreadsheets), the dataset store (local Parquet
//! files by default, ClickHouse when configured) and charts.
//!
//! ## Reading
//! [`read_path`] / [`read_bytes`] detect the format from magic bytes and the
//! name ([`Format::detect`]) and return a [`DatasetReader`]: an iterator of
//! Arrow `RecordBatch`es of at most `batch_size` rows with the schema known
//! up front, and a [`ReadReport`] (format, encoding, delimiter, rows, skipped
//! rows with line numbers, renamed columns).
//!
//! - CSV/TSV: encoding detected ([`encoding::detect`]: BOM, UTF-8, then
//!   chardetng — windows-1251 for Russian text) and decoded as it streams;
//!   delimiter (`,` `;` tab `|`), header and decimal comma sniffed; types
//!   inferred by abstat's rules (integer, float, boolean, date, datetime,
//!   string; null spellings configurable), overridable per column. Memory is
//!   one batch, whatever the file size.
//! - Parquet, Arrow IPC file / stream / Feather v2, JSON lines or an array
//!   of objects: through the arrow-rs readers, re-batched and renamed.
//! - XLSX, XLS, ODS: through calamine, first sheet or one by name; zip
//!   containers are checked for bombs first ([`Limits::max_unzipped_bytes`],
//!   [`Limits::max_zip_ratio`]). A sheet is held in memory while read.
//!
//! Column names become safe unique identifiers ([`names`]); the original is
//! kept in the field metadata under [`LABEL_KEY`]. Every refusal is an
//! [`Error`] that says what was wrong and what to do.
//!
//! ## Storing
//! [`LocalStore`] keeps datasets as versioned zstd Parquet files with a JSON
//! manifest, written crash-safely; see [`store`]. With the `clickhouse`
//! feature, `ClickHouseStore` keeps them in ClickHouse and computes the A/B
//! sufficient statistics there ([`DatasetStore::variant_moments`]).
//!
//! ```no_run
//! use abstat_io::{ReadOptions, read_path};
//! let (batches, report) = read_path("sales.csv", &ReadOptions::default())?.read_all()?;
//! println!("{} rows, encoding {:?}", report.rows, report.encoding);
//! # Ok::<(), abstat_io::Error>(())
//! ```

mod archive;
mod cell;
pub mod charts;
pub mod clean;
#[cfg(feature = "clickhouse")]
pub mod clickhouse;
mod columnar;
mod columns;
mod csv;
pub mod encoding;
pub mod error;
pub mod export;
pub mod format;
mod infer;
pub mod ingest;
pub mod names;
pub mod options;
mod parquet_encode;
mod reader;
mod recycle;
pub mod report;
mod source;
mod spreadsheet;
pub mod store;
mod text_stats;
pub mod variant_moments;

#[cfg(feature = "clickhouse")]
pub use clickhouse::ClickHouseStore;
pub use columns::arrow_type;
pub use error::{Error, Result};
pub use format::Format;
pub use names::LABEL_KEY;
pub use options::{BadRows, ColumnType, Limits, Progress, ProgressFn, ReadOptions};
pub use reader::{DatasetReader, read_bytes, read_path, read_path_as};
pub use report::{ReadReport, RenamedColumn, SkippedRow};
pub use store::{ColumnInfo, DatasetInfo, DatasetStore, LocalStore, StoredBatches, VersionInfo};
pub use variant_moments::{MomentsQuery, VariantMoments};
