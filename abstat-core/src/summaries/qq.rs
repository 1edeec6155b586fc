//! Normal probability plot, as `scipy.stats.probplot(x, dist="norm")`:
//! theoretical quantiles Φ⁻¹(mᵢ) of Filliben's order-statistic medians
//! (m₁ = 1 − 0.5^(1/n), mₙ = 0.5^(1/n), mᵢ = (i − 0.3175)/(n + 0.365)),
//! the sorted data, and the least-squares line through them
//! (`scipy.stats.linregress`).
//!
//! Up to [`EXACT_LIMIT`] values the result is scipy's, every value plotted.
//! Above, a chart cannot show more than a few thousand points, so only
//! [`PLOTTED`] of scipy's points are computed, by selection rather than a
//! sort of the column (see [`plotted_ranks`]): the smallest and the
//! largest value, and the middle rank of each of `PLOTTED − 2` equal runs
//! of the ranks between. Each point is exactly scipy's point of that rank
//! (the order statistic and Φ⁻¹ of its Filliben median).
//!
//! Deviation from scipy above [`EXACT_LIMIT`]: the line is the weighted
//! least-squares line through the plotted points, each weighted by the
//! number of ranks it stands for, instead of the line through all n
//! points: a quadrature of the same sums. The fixture test bounds the
//! difference from scipy on 100 000 normal and log-normal values (slope
//! and intercept within 2e-3 of the sample's spread, r within 1e-3).

use serde::{Deserialize, Serialize};

use super::order_stats::order_statistics_within;
use super::sample::{finite_moments, finite_pair_moments};
use super::scan::CoMoments;
use crate::distributions::normal_ppf;
use crate::{Error, NanPolicy, Result};

/// Largest sample plotted exactly as scipy, every value a point.
pub const EXACT_LIMIT: usize = 5_000;
/// Largest sample sorted in full (the same as [`EXACT_LIMIT`]; larger
/// ones are plotted at [`PLOTTED`] ranks found by selection).
pub const MAX_SORTED: usize = EXACT_LIMIT;
/// Points plotted above [`EXACT_LIMIT`].
pub const PLOTTED: usize = 2_000;

/// A least-squares line y = intercept + slope·x, as scipy `linregress`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// Slope.
    pub slope: f64,
    /// Intercept.
    pub intercept: f64,
    /// Pearson's r.
    pub r: f64,
}

impl LinearFit {
    /// scipy `linregress(x, y)` (slope, intercept, rvalue) from the biased
    /// covariances of the centred data. Needs two distinct x values.
    pub fn least_squares(x: &[f64], y: &[f64]) -> Result<LinearFit> {
        let (_, m) = finite_pair_moments(x, y, NanPolicy::Omit, ("x", "y"))?;
        LinearFit::from_moments(&m)
    }

    /// The line from the co-moments of x (column 0) and y (column 1).
    pub(crate) fn from_moments(m: &CoMoments) -> Result<LinearFit> {
        let n = m.columns[0].n as f64;
        let (mx, my) = (m.columns[0].mean(), m.columns[1].mean());
        line(
            mx,
            my,
            m.cross(0, 0) / n,
            m.cross(0, 1) / n,
            m.cross(1, 1) / n,
        )
    }

    /// The line's value at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Points of a normal QQ plot and the fitted line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QqPlot {
    /// Theoretical normal quantiles (scipy's `osm`).
    pub theoretical: Vec<f64>,
    /// Sorted sample values (scipy's `osr`).
    pub sample: Vec<f64>,
    /// Least-squares line of `sample` on `theoretical`.
    pub fit: LinearFit,
    /// Values in the input (after NaN handling), before any subsampling.
    pub n: usize,
}

/// scipy `_calc_uniform_order_statistic_medians(n)` at 0-based `rank`.
fn order_statistic_median(rank: usize, n: usize) -> f64 {
    let nf = n as f64;
    if rank + 1 == n {
        0.5f64.powf(1.0 / nf)
    } else if rank == 0 {
        1.0 - 0.5f64.powf(1.0 / nf)
    } else {
        (rank as f64 + 1.0 - 0.3175) / (nf + 0.365)
    }
}

/// The 0-based ranks plotted for `n` values and the number of ranks each
/// stands for: every rank up to [`EXACT_LIMIT`] values; above, ranks 0 and
/// n − 1 alone, and the middle rank ⌊(a + b − 1)/2⌋ of each run [a, b)
/// with a, b = 1 + ⌊j·(n − 2)/(PLOTTED − 2)⌋ for consecutive j.
pub fn plotted_ranks(n: usize) -> (Vec<usize>, Vec<f64>) {
    if n <= EXACT_LIMIT {
        return ((0..n).collect(), vec![1.0; n]);
    }
    let runs = PLOTTED - 2;
    let bound = |j: usize| 1 + j * (n - 2) / runs;
    let mut ranks = vec![0];
    let mut weights = vec![1.0];
    for j in 0..runs {
        let (a, b) = (bound(j), bound(j + 1));
        ranks.push((a + b - 1) / 2);
        weights.push((b - a) as f64);
    }
    ranks.push(n - 1);
    weights.push(1.0);
    (ranks, weights)
}

/// `scipy.stats.probplot(x, dist="norm", fit=True)` (at least 2 values, not
/// all equal); above [`EXACT_LIMIT`] values, [`PLOTTED`] of its points and
/// an approximate line (module docs).
pub fn probplot(x: &[f64], nan_policy: NanPolicy) -> Result<QqPlot> {
    let (x, m) = finite_moments(x, nan_policy, "the values")?;
    let n = x.len();
    if n < 2 {
        return Err(Error::TooFewObservations {
            what: "the values of a QQ plot".into(),
            needed: 2,
            got: n,
        });
    }
    let (ranks, weights) = plotted_ranks(n);
    let sample = if n <= EXACT_LIMIT {
        let mut s = x.into_owned();
        s.sort_unstable_by(f64::total_cmp);
        s
    } else {
        order_statistics_within(&[&x], &ranks, (m.extent.min, m.extent.max))
    };
    let theoretical: Vec<f64> = ranks
        .iter()
        .map(|&r| normal_ppf(order_statistic_median(r, n)))
        .collect();
    let fit = if n <= EXACT_LIMIT {
        LinearFit::least_squares(&theoretical, &sample)?
    } else {
        weighted_fit(&theoretical, &sample, &weights)?
    };
    Ok(QqPlot {
        theoretical,
        sample,
        fit,
        n,
    })
}

/// Weighted least squares of `y` on `x` (weights `w`), r the weighted
/// correlation.
fn weighted_fit(x: &[f64], y: &[f64], w: &[f64]) -> Result<LinearFit> {
    let total: f64 = w.iter().sum();
    let mean = |v: &[f64]| v.iter().zip(w).map(|(a, w)| a * w).sum::<f64>() / total;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for ((a, b), w) in x.iter().zip(y).zip(w) {
        let (dx, dy) = (a - mx, b - my);
        sxx += w * dx * dx;
        sxy += w * dx * dy;
        syy += w * dy * dy;
    }
    line(mx, my, sxx, sxy, syy)
}

/// The line and r from the means and the centred sums of squares and
/// cross products (any common scale).
fn line(mx: f64, my: f64, sxx: f64, sxy: f64, syy: f64) -> Result<LinearFit> {
    if sxx <= 0.0 {
        return Err(Error::ZeroVariance {
            what: "x".into(),
            method: "a fitted line".into(),
        });
    }
    let r = if syy == 0.0 {
        0.0
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    };
    let slope = sxy / sxx;
    Ok(LinearFit {
        slope,
        intercept: my - slope * mx,
        r,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors() {
        assert!(probplot(&[1.0], NanPolicy::Omit).is_err());
        assert!(LinearFit::least_squares(&[1.0, 1.0], &[1.0, 2.0]).is_err());
        let f = LinearFit::least_squares(&[0.0, 1.0, 2.0], &[1.0, 3.0, 5.0]).unwrap();
        assert_eq!((f.slope, f.intercept, f.r), (2.0, 1.0, 1.0));
    }
}
