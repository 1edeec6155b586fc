//! Outlier capping (winsorization) of a raw metric column before it is
//! reduced to sufficient statistics: values beyond a bound are set to the
//! bound, never dropped, so every unit still counts.
//!
//! A bound is a fixed value or a quantile of the column pooled over all
//! variants (so every arm is capped at the same place), computed over the
//! non-missing values with numpy's default linear interpolation
//! (`np.nanquantile(y, q)`, Hyndman & Fan definition 7) and applied as
//! `np.clip`. Missing values stay missing for the NaN policy of the
//! aggregation that follows.
//!
//! Deviation from `scipy.stats.mstats.winsorize`: winsorize replaces the
//! `⌊q·n⌋` most extreme values by the nearest remaining order statistic;
//! here the bound is the interpolated quantile, which is what GrowthBook's
//! percentile capping and `np.clip(y, *np.quantile(y, [lo, hi]))` do.
//!
//! # Example
//! ```
//! use abstat_core::ab::capping::{CapAt, Capping};
//! use abstat_core::ab::PowerSums;
//! use abstat_core::NanPolicy;
//! let revenue = [1.0, 2.0, 3.0, 2.0, 500.0, 1.0];
//! let variant = [0, 0, 0, 1, 1, 1];
//! let caps = Capping { lower: None, upper: Some(CapAt::Value(10.0)) };
//! let capped = caps.resolve(&revenue).unwrap().apply(&revenue);
//! let stats = PowerSums::by_variant(&capped, &variant, 2, NanPolicy::Raise).unwrap();
//! assert_eq!(stats[1].sum, 13.0);
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::quantile::linear_quantile;
use crate::{Error, Result};

/// Where one tail is capped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum CapAt {
    /// A fixed value in the metric's units.
    Value(f64),
    /// A quantile level in [0, 1] of the column pooled over all variants
    /// (0.99 caps the top 1 %).
    Quantile(f64),
}

/// Capping of the lower and/or upper tail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Capping {
    /// Values below this bound are raised to it.
    pub lower: Option<CapAt>,
    /// Values above this bound are lowered to it.
    pub upper: Option<CapAt>,
}

/// The bounds a [`Capping`] resolved to on a column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CapBounds {
    /// The lower bound, if the lower tail is capped.
    pub lower: Option<f64>,
    /// The upper bound, if the upper tail is capped.
    pub upper: Option<f64>,
    /// How many values lie below the lower bound (and are raised to it).
    pub capped_below: u64,
    /// How many values lie above the upper bound (and are lowered to it).
    pub capped_above: u64,
}

impl Capping {
    /// Resolve the bounds on `values` (all variants pooled; NaN ignored).
    ///
    /// Errors: a quantile level outside [0, 1], a non-finite fixed value, a
    /// lower bound above the upper one, or a quantile of a column with no
    /// non-missing value.
    pub fn resolve(&self, values: &[f64]) -> Result<CapBounds> {
        let levels: Vec<f64> = [self.lower, self.upper]
            .iter()
            .flatten()
            .filter_map(|c| match c {
                CapAt::Quantile(q) => Some(*q),
                CapAt::Value(_) => None,
            })
            .collect();
        for cap in [self.lower, self.upper].iter().flatten() {
            match *cap {
                CapAt::Quantile(q) if !(0.0..=1.0).contains(&q) => {
                    return Err(Error::invalid("capping quantile", q, "a level in [0, 1]"));
                }
                CapAt::Value(v) if !v.is_finite() => {
                    return Err(Error::invalid("capping value", v, "a finite number"));
                }
                _ => {}
            }
        }
        let quantiles = if levels.is_empty() {
            Vec::new()
        } else {
            let mut finite: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            if finite.is_empty() {
                return Err(Error::TooFewObservations {
                    what: "the column to cap (non-missing values)".into(),
                    needed: 1,
                    got: 0,
                });
            }
            levels
                .iter()
                .map(|&q| linear_quantile(&mut finite, q))
                .collect()
        };
        let mut next = quantiles.into_iter();
        let mut bound = |c: Option<CapAt>| {
            c.map(|c| match c {
                CapAt::Value(v) => v,
                CapAt::Quantile(_) => next.next().expect("one quantile per level"),
            })
        };
        let (lower, upper) = (bound(self.lower), bound(self.upper));
        if let (Some(l), Some(u)) = (lower, upper)
            && l > u
        {
            return Err(Error::invalid(
                "capping bounds",
                format!("lower {l} > upper {u}"),
                "a lower bound at or below the upper bound",
            ));
        }
        let (capped_below, capped_above) = values
            .par_iter()
            .map(|&y| {
                (
                    u64::from(lower.is_some_and(|l| y < l)),
                    u64::from(upper.is_some_and(|u| y > u)),
                )
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        Ok(CapBounds {
            lower,
            upper,
            capped_below,
            capped_above,
        })
    }
}

impl CapBounds {
    /// One value capped (`np.clip`); NaN stays NaN.
    pub fn cap(&self, y: f64) -> f64 {
        let y = match self.lower {
            Some(l) if y < l => l,
            _ => y,
        };
        match self.upper {
            Some(u) if y > u => u,
            _ => y,
        }
    }

    /// The column with every value capped, in parallel.
    pub fn apply(&self, values: &[f64]) -> Vec<f64> {
        values.par_iter().map(|&y| self.cap(y)).collect()
    }
}
