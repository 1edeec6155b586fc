//! # abstat-io
//!
//! Bytes in and out of abstat: readers for the files users send (CSV/TSV,
//! Parquet, Arrow IPC, JSON, spreadsheets), the dataset store (local Parquet
//! files by default, ClickHouse when configured) and charts.
