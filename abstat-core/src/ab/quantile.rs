//! Quantile metrics (median, p90, p99, …) as GrowthBook's gbstats 0.8.0
//! `QuantileStatistic` (unit-level quantiles, `quantile_unit`): each arm is
//! summarised by its sample quantile q̂ at level ν and the sample quantiles
//! at ν ∓ z·√(ν(1 − ν)/n) (z = Φ⁻¹(0.975)), the order-statistic interval
//! of the quantile; its width gives the standard error,
//! `Var(q̂) = ((upper − lower)/(2z))²`, i.e. the per-unit variance
//! `(n*/n)(n − 1)((upper − lower)/(2z))²` gbstats uses (n* = n here:
//! abstat computes exact quantiles on the raw column, where GrowthBook's
//! SQL rounds n down to a grid of n* values). The comparison is then the
//! Welch test of [`super::compare`] on q̂ (difference of quantiles, and the
//! relative difference by the delta method), also usable by the
//! sequential and Bayesian engines.
//!
//! Sample quantiles use numpy's default linear interpolation (Hyndman &
//! Fan definition 7), as `np.quantile`. As gbstats, an arm whose n is too
//! small for the interval (ν ± z·√(ν(1 − ν)/n) outside (0, 1)) cannot be
//! tested, and for n ≥ 100 the per-unit variance is floored at 1e-5.

use serde::{Deserialize, Serialize};

use super::stats::check_lengths;

use crate::distributions::normal_ppf;
use crate::{Error, NanPolicy, Result};

/// The summary of one arm for a quantile metric (gbstats `QuantileStatistic`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QuantileStats {
    /// Number of units.
    pub n: u64,
    /// The sample size the interval levels were computed for (n here).
    pub n_star: u64,
    /// The quantile level ν in (0, 1), e.g. 0.5 for the median.
    pub nu: f64,
    /// The sample quantile q̂ at ν.
    pub quantile: f64,
    /// The sample quantile at ν − z·√(ν(1 − ν)/n*).
    pub lower: f64,
    /// The sample quantile at ν + z·√(ν(1 − ν)/n*).
    pub upper: f64,
}

/// z of the 95 % order-statistic interval gbstats hard-codes.
fn z95() -> f64 {
    normal_ppf(0.975)
}

impl QuantileStats {
    /// The summary of one arm's values at level `nu`. Missing values follow
    /// `nan_policy`; under `Propagate` a NaN makes every field NaN.
    pub fn from_values(values: &[f64], nu: f64, nan_policy: NanPolicy) -> Result<QuantileStats> {
        Error::check_open_unit("quantile level", nu)?;
        let missing = values.iter().filter(|v| v.is_nan()).count();
        if missing > 0 {
            match nan_policy {
                NanPolicy::Raise => {
                    return Err(Error::MissingValues {
                        what: "the quantile metric".into(),
                    });
                }
                NanPolicy::Propagate => {
                    return Ok(QuantileStats {
                        n: values.len() as u64,
                        n_star: values.len() as u64,
                        nu,
                        quantile: f64::NAN,
                        lower: f64::NAN,
                        upper: f64::NAN,
                    });
                }
                NanPolicy::Omit => {}
            }
        }
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = v.len() as u64;
        let s = QuantileStats {
            n,
            n_star: n,
            nu,
            quantile: f64::NAN,
            lower: f64::NAN,
            upper: f64::NAN,
        };
        s.check_size()?;
        let half = z95() * (nu * (1.0 - nu) / n as f64).sqrt();
        Ok(QuantileStats {
            quantile: linear_quantile(&mut v, nu),
            lower: linear_quantile(&mut v, nu - half),
            upper: linear_quantile(&mut v, nu + half),
            ..s
        })
    }

    /// Per-variant summaries of `values` grouped by `variant` (0-based,
    /// `< variants`).
    pub fn by_variant(
        values: &[f64],
        variant: &[u32],
        variants: usize,
        nu: f64,
        nan_policy: NanPolicy,
    ) -> Result<Vec<QuantileStats>> {
        check_lengths(("values", values.len()), ("variant", variant.len()))?;
        let mut groups = vec![Vec::new(); variants];
        for (&y, &g) in values.iter().zip(variant) {
            groups
                .get_mut(g as usize)
                .ok_or_else(|| {
                    Error::invalid("variant index", g, format!("below the {variants} variants"))
                })?
                .push(y);
        }
        groups
            .iter()
            .map(|g| QuantileStats::from_values(g, nu, nan_policy))
            .collect()
    }

    /// gbstats' test of whether the interval levels ν ± z·√(ν(1 − ν)/n)
    /// stay inside (0, 1).
    pub(crate) fn check_size(&self) -> Result<()> {
        let z2 = z95() * z95();
        let (nu, n) = (self.nu, self.n as f64);
        let needed = (z2 * nu / (1.0 - nu)).max(z2 * (1.0 - nu) / nu);
        if n <= needed {
            return Err(Error::TooFewObservations {
                what: format!("an arm of the quantile metric at level {nu}"),
                needed: needed.floor() as usize + 1,
                got: self.n as usize,
            });
        }
        Ok(())
    }

    /// The per-unit variance of q̂ (gbstats `QuantileStatistic.variance`).
    pub fn variance(&self) -> f64 {
        if self.n <= 1 {
            return 0.0;
        }
        let n = self.n as f64;
        let w = (self.upper - self.lower) / (2.0 * z95());
        let v = (self.n_star as f64 / n) * (n - 1.0) * w * w;
        if self.n < 100 { v } else { v.max(1e-5) }
    }
}

/// numpy's default (linear) quantile of `values` (no NaN) at level `q`, by
/// selection instead of a full sort; reorders `values`.
pub(crate) fn linear_quantile(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    let position = q * (n - 1) as f64;
    let below = (position.floor() as usize).min(n - 1);
    let gamma = position - below as f64;
    let (_, &mut a, rest) = values.select_nth_unstable_by(below, f64::total_cmp);
    if gamma == 0.0 || rest.is_empty() {
        return a;
    }
    let b = rest.iter().copied().fold(f64::INFINITY, f64::min);
    // numpy's _lerp: from the nearer end, as np.quantile computes it.
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_numpy() {
        // np.quantile([1, 2, 4, 8], [0, .25, .5, .9, 1]) = [1, 1.75, 3, 6.8, 8]
        for (q, want) in [(0.0, 1.0), (0.25, 1.75), (0.5, 3.0), (0.9, 6.8), (1.0, 8.0)] {
            let mut v = [8.0, 1.0, 4.0, 2.0];
            assert!((linear_quantile(&mut v, q) - want).abs() < 1e-12, "{q}");
        }
    }
}
