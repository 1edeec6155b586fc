//! # abstat-io
//!
//! Bytes in and out of abstat: readers for the files users send (CSV/TSV,
//! Parquet, Arrow IPC, JSON, spreadsheets), the dataset store (local Parquet
//! files by default, ClickHouse when configured) and charts.
//!
//! ```no_run
//! use abstat_io::{ReadOptions, read_path};
//! let (batches, report) = read_path("sales.csv", &ReadOptions::default())?.read_all()?;
//! println!("{} rows, encoding {:?}", report.rows, report.encoding);
//! # Ok::<(), abstat_io::Error>(())
//! ```

mod archive;
mod cell;
mod columnar;
mod columns;
mod csv;
pub mod encoding;
pub mod error;
pub mod format;
mod infer;
pub mod names;
pub mod options;
mod reader;
pub mod report;
mod source;
mod spreadsheet;
pub mod store;

pub use columns::arrow_type;
pub use error::{Error, Result};
pub use format::Format;
pub use names::LABEL_KEY;
pub use options::{BadRows, ColumnType, Limits, Progress, ProgressFn, ReadOptions};
pub use reader::{DatasetReader, read_bytes, read_path};
pub use report::{ReadReport, RenamedColumn, SkippedRow};
pub use store::{ColumnInfo, DatasetInfo, DatasetStore, LocalStore, StoredBatches, VersionInfo};
