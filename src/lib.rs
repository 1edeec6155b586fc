//! # abstat
//!
//! Statistics for A/B tests and data analysis. This crate is a façade that
//! re-exports the library crates so that one dependency gives a Rust user
//! everything:
//!
//! - [`core`] (`abstat-core`): hypothesis tests, power and sample size,
//!   A/B experiment analysis, regression and classification on Arrow arrays.
//! - [`io`] (`abstat-io`): reading datasets, the dataset store and charts.
//!
//! The Telegram bot, the HTTP server and the Python bindings are separate
//! crates (`abstat-bot`, `abstat-server`, `abstat-py`) built on these two.

pub use abstat_core as core;
pub use abstat_io as io;
