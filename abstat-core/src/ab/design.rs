//! Design before the test: the sample size per group and the duration an
//! experiment needs to detect a given effect.
//!
//! The baseline is a mean with its standard deviation, or a conversion
//! rate; the minimum detectable effect (MDE) is absolute or relative to the
//! baseline. The standardised effect is Cohen's d = MDE/σ for a mean, and
//! Cohen's h = 2·asin√(p + MDE) − 2·asin√p for a rate (statsmodels
//! `proportion_effectsize`). The sample size per group comes from
//! [`crate::power::solve_power`] (statsmodels `NormalIndPower` or
//! `TTestIndPower.solve_power` with `ratio = 1`), at the per-comparison
//! significance level α/m when a Bonferroni correction across the
//! m = variants − 1 treatment-vs-control comparisons is asked for.
//!
//! Deviations from statsmodels: a one-sided design assumes the effect lies
//! in the tested direction (the effect size is taken as |d|, alternative
//! "larger"), so the same MDE gives the same sample size whatever its sign.

use serde::{Deserialize, Serialize};

use crate::multitest::Correction;
use crate::power::{PowerProblem, PowerTest, cohen_h, solve_power};
use crate::{Alternative, Error, Result};

/// What the metric looks like before the experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Baseline {
    /// A continuous metric with this mean and standard deviation per unit.
    Mean {
        /// Mean per unit.
        mean: f64,
        /// Standard deviation per unit (> 0).
        std_dev: f64,
    },
    /// A conversion rate in (0, 1).
    Rate {
        /// The rate.
        rate: f64,
    },
}

/// The smallest effect worth detecting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Mde {
    /// In the metric's units (for a rate: percentage points as a fraction,
    /// 0.01 = one point).
    Absolute(f64),
    /// Relative to the baseline mean or rate (0.05 = +5 %).
    Relative(f64),
}

/// Options of [`design`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DesignOptions {
    /// Family-wise significance level α in (0, 1).
    pub alpha: f64,
    /// Power 1 − β in (0, 1) of each comparison.
    pub power: f64,
    /// Two-sided, or one-sided in the direction of the MDE.
    pub alternative: Alternative,
    /// Number of variants including the control (≥ 2), equally split.
    pub variants: usize,
    /// Correction across the variants − 1 comparisons: `None`, Bonferroni,
    /// or Holm (planned as Bonferroni, its first and strictest step).
    pub correction: Option<Correction>,
    /// The test the size is computed for: the z-test (default, as
    /// statsmodels `NormalIndPower`) or the pooled t-test (`TTestIndPower`).
    pub test: PowerTest,
}

impl Default for DesignOptions {
    fn default() -> Self {
        DesignOptions {
            alpha: 0.05,
            power: 0.8,
            alternative: Alternative::TwoSided,
            variants: 2,
            correction: None,
            test: PowerTest::NormalInd,
        }
    }
}

/// The planned experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// The MDE in the metric's units.
    pub absolute_mde: f64,
    /// Standardised effect: Cohen's d (mean) or Cohen's h (rate), ≥ 0.
    pub effect_size: f64,
    /// Number of treatment-vs-control comparisons (variants − 1).
    pub comparisons: usize,
    /// Significance level of each comparison after the correction.
    pub alpha_per_comparison: f64,
    /// The exact (fractional) solution for the units per group.
    pub exact_per_group: f64,
    /// Units per group, rounded up.
    pub per_group: u64,
    /// Units in the whole experiment (`per_group × variants`).
    pub total: u64,
    /// Days to collect `total` units at the given daily traffic, rounded up;
    /// `None` without a daily traffic.
    pub days: Option<u64>,
}

/// The sample size per group (and, given the units entering the experiment
/// per day across all variants, the duration in days) to detect `mde` over
/// `baseline`.
///
/// # Example
/// ```
/// use abstat_core::ab::design::{Baseline, DesignOptions, Mde, design};
/// let d = design(Baseline::Rate { rate: 0.10 }, Mde::Relative(0.10), &DesignOptions::default(), Some(2000.0)).unwrap();
/// assert_eq!(d.per_group, 14_745);
/// assert_eq!(d.days, Some(15));
/// ```
pub fn design(
    baseline: Baseline,
    mde: Mde,
    opts: &DesignOptions,
    daily_traffic: Option<f64>,
) -> Result<Design> {
    Error::check_open_unit("alpha", opts.alpha)?;
    Error::check_open_unit("power", opts.power)?;
    if opts.variants < 2 {
        return Err(Error::invalid(
            "variants",
            opts.variants,
            "at least 2 (a control and a treatment)",
        ));
    }
    if let Some(t) = daily_traffic
        && !(t > 0.0 && t.is_finite())
    {
        return Err(Error::invalid(
            "daily traffic",
            t,
            "a positive number of units per day",
        ));
    }
    let comparisons = opts.variants - 1;
    let alpha_per_comparison = match opts.correction {
        None => opts.alpha,
        Some(Correction::Bonferroni | Correction::Holm) => opts.alpha / comparisons as f64,
        Some(other) => {
            return Err(Error::invalid(
                "correction",
                format!("{other:?}"),
                "none, Bonferroni or Holm (a sample size plan needs a fixed per-comparison level)",
            ));
        }
    };
    let (center, absolute_mde) = match (baseline, mde) {
        (Baseline::Mean { mean, .. } | Baseline::Rate { rate: mean }, Mde::Absolute(d)) => {
            (mean, d)
        }
        (Baseline::Mean { mean, .. } | Baseline::Rate { rate: mean }, Mde::Relative(r)) => {
            (mean, r * mean)
        }
    };
    if !(absolute_mde.is_finite() && absolute_mde != 0.0) {
        return Err(Error::invalid(
            "MDE",
            absolute_mde,
            "a non-zero finite effect (no sample size detects an effect of 0)",
        ));
    }
    let effect_size = match baseline {
        Baseline::Mean { mean, std_dev } => {
            if !(std_dev > 0.0 && std_dev.is_finite() && mean.is_finite()) {
                return Err(Error::invalid(
                    "baseline",
                    format!("mean {mean}, std_dev {std_dev}"),
                    "a finite mean and a positive standard deviation",
                ));
            }
            absolute_mde / std_dev
        }
        Baseline::Rate { rate } => {
            Error::check_open_unit("baseline rate", rate)?;
            let target = center + absolute_mde;
            if !(target > 0.0 && target < 1.0) {
                return Err(Error::invalid(
                    "baseline rate + MDE",
                    target,
                    "a rate strictly between 0 and 1",
                ));
            }
            cohen_h(target, rate)?
        }
    }
    .abs();
    let alternative = match opts.alternative {
        Alternative::TwoSided => Alternative::TwoSided,
        _ => Alternative::Greater,
    };
    let exact_per_group = solve_power(&PowerProblem {
        test: opts.test,
        effect_size: Some(effect_size),
        nobs1: None,
        alpha: Some(alpha_per_comparison),
        power: Some(opts.power),
        ratio: Some(1.0),
        alternative,
    })?
    .value();
    let per_group = exact_per_group.ceil() as u64;
    let total = per_group * opts.variants as u64;
    Ok(Design {
        absolute_mde,
        effect_size,
        comparisons,
        alpha_per_comparison,
        exact_per_group,
        per_group,
        total,
        days: daily_traffic.map(|t| (total as f64 / t).ceil() as u64),
    })
}
