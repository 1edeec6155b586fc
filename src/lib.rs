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
//!
//! # Example
//!
//! ```
//! use abstat::core::nonparametric::{MannWhitneyOptions, mann_whitney_u};
//! use abstat::core::ttest::{TTestOptions, welch};
//!
//! let control = [12.1, 9.8, 11.4, 10.2, 13.0, 9.5, 10.7, 11.9];
//! let treatment = [13.4, 12.9, 14.1, 11.8, 15.2, 12.5, 13.8, 12.2];
//!
//! // Welch's t-test, as scipy.stats.ttest_ind(control, treatment, equal_var=False)
//! let t = welch(&control, &treatment, &TTestOptions::default())?;
//! let ci = t.ci.as_ref().expect("Welch has an interval for the mean difference");
//! assert!(t.reject(0.05) && ci.upper < 0.0);
//!
//! // Mann–Whitney U, as scipy.stats.mannwhitneyu(control, treatment)
//! let u = mann_whitney_u(&control, &treatment, &MannWhitneyOptions::default())?;
//! assert!(u.p_value < 0.05);
//! # Ok::<(), abstat::core::Error>(())
//! ```

pub use abstat_core as core;
pub use abstat_io as io;
