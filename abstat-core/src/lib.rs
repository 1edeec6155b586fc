//! # abstat-core
//!
//! The statistics of abstat, as pure functions: no I/O, no async, no global
//! state. Inputs are Arrow arrays or plain slices (see [`input`]); outputs are
//! typed, serde-serialisable result structs; failures are [`Error`] values
//! with messages a person can act on.

pub mod ab;
pub mod anova;
pub mod bootstrap;
mod bucket;
pub mod categorical;
pub mod classification;
pub mod clean;
pub mod correlation;
pub mod distributions;
pub mod error;
pub mod input;
pub mod moments;
pub mod multitest;
pub mod nonparametric;
pub mod normality;
pub mod options;
pub mod power;
pub mod profile;
pub mod proportion;
mod radix;
pub mod rank;
pub mod regression;
pub mod result;
pub mod summaries;
pub mod ttest;
pub mod variance;

pub use error::{Error, Result};
pub use options::{Alternative, NanPolicy};
pub use result::{ConfidenceInterval, EffectSize, TestResult};
