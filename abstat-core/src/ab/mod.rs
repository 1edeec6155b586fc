//! A/B experiment analysis that matches GrowthBook's stats engine (gbstats
//! 0.8.0) and goes past it.
//!
//! - [`stats`]: per-variant sufficient statistics ([`PowerSums`]: n, Σ, Σ²;
//!   distinct from Welford's [`crate::moments::Moments`]), from raw columns
//!   in one parallel pass, merged from chunks, or as a database `GROUP BY`
//!   returns them;
//! - [`frequentist`]: treatment vs control, absolute and relative lift with
//!   intervals and p-values for mean, proportion, ratio and CUPED metrics
//!   ([`fieller`]: Fieller's interval for the relative lift as an option);
//! - [`quantile`]: quantile metrics (median, p90, …) as gbstats;
//! - [`sequential`]: always-valid asymptotic confidence sequences;
//! - [`group_sequential`]: planned looks with alpha spending;
//! - [`bayesian`]: gbstats' Gaussian Bayesian engine; [`beta_binomial`]:
//!   Beta-binomial posteriors for conversion rates;
//! - [`srm`]: sample ratio mismatch; [`heavy_tails`]: is n large enough
//!   for the metric's skewness (n > 355·s²); [`power`]: achieved power and MDE;
//! - [`stratification`]: post-stratification by a categorical column;
//! - [`capping`]: outlier capping of a raw column before aggregation;
//! - [`design`]: sample size and duration before the experiment;
//! - [`experiment`]: A/B/n analysis with multiple-comparison correction
//!   ([`Correction`]) and a [`Verdict`] per treatment and metric;
//! - [`segments`]: the same analysis per value of a dimension column (top
//!   values, the rest merged as "other", "(missing)"), one correction
//!   across segments × treatments × metrics.
//!
//! # Example
//! ```
//! use abstat_core::ab::{analyze, ExperimentOptions, MetricInput, MetricStats, PowerSums, Verdict};
//! // count, sum, sum of squares per variant, as `GROUP BY variant` returns them
//! let revenue = MetricInput {
//!     name: "revenue".into(),
//!     higher_is_better: true,
//!     variants: vec![
//!         MetricStats::Mean(PowerSums::new(5000, 50_000.0, 545_000.0)),
//!         MetricStats::Mean(PowerSums::new(5020, 52_208.0, 587_000.0)),
//!     ],
//! };
//! let r = analyze(&[5000, 5020], &[0.5, 0.5], &[revenue], &ExperimentOptions::default()).unwrap();
//! assert!(!r.srm.is_mismatch());
//! assert_eq!(r.verdict(0, 0), Some(Verdict::SignificantWin));
//! ```

pub mod bayesian;
pub mod beta_binomial;
pub mod capping;
pub mod design;
pub mod experiment;
pub mod fieller;
pub mod frequentist;
pub mod group_sequential;
pub mod heavy_tails;
pub mod power;
pub mod quantile;
pub mod segments;
pub mod sequential;
pub mod srm;
pub mod stats;
pub mod stratification;

pub use crate::multitest::Correction;
pub use bayesian::{BayesianComparison, BayesianOptions, Posterior, Prior, compare_bayesian};
pub use design::{Baseline, Design, DesignOptions, Mde, design};
pub use experiment::{
    Engine, ExperimentOptions, ExperimentResult, MetricInput, MetricResult, TreatmentResult,
    Verdict, analyze,
};
pub use frequentist::{
    Arm, Comparison, Cuped, Effect, FrequentistOptions, MetricKind, MetricStats, compare,
};
pub use heavy_tails::{HeavyTails, heavy_tails};
pub use power::{Power, minimum_detectable_effect, power_at};
pub use quantile::QuantileStats;
pub use segments::{
    CorrectionFamily, Dimension, MetricColumns, RawMetric, SegmentKind, SegmentOptions,
    SegmentResult, SegmentStats, SegmentedResult, analyze_segments, analyze_segments_columns,
};
pub use sequential::{SequentialOptions, compare_sequential};
pub use srm::{Srm, srm};
pub use stats::{JointMoments, PowerSums};
