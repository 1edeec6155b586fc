//! A/B experiment analysis that matches GrowthBook's stats engine (gbstats
//! 0.8.0) and goes past it.
//!
//! - [`stats`]: per-variant sufficient statistics (from raw columns in one
//!   parallel pass, merged from chunks, or as a database returns them);
//! - [`frequentist`]: treatment vs control, absolute and relative lift with
//!   intervals and p-values for mean, proportion, ratio and CUPED metrics.

pub mod frequentist;
pub mod stats;

pub use frequentist::{
    Arm, Comparison, Cuped, Effect, FrequentistOptions, MetricKind, MetricStats, compare,
};
pub use stats::{JointMoments, Moments};
