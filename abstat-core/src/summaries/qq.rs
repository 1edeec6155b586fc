//! Normal probability plot, as `scipy.stats.probplot(x, dist="norm")`:
//! theoretical quantiles Φ⁻¹(mᵢ) of Filliben's order-statistic medians
//! (m₁ = 1 − 0.5^(1/n), mₙ = 0.5^(1/n), mᵢ = (i − 0.3175)/(n + 0.365)),
//! the sorted data, and the least-squares line through them
//! (`scipy.stats.linregress`).
//!
//! Deviation from scipy: above [`MAX_SORTED`] values, the plot is that of
//! an evenly strided subsample of [`MAX_SORTED`] values (every k-th value in
//! input order), so a 10M-value column costs a 100k sort, not a 10M one.

use serde::{Deserialize, Serialize};

use super::sample::{finite, finite_pair, strided};
use crate::distributions::normal_ppf;
use crate::{Error, NanPolicy, Result};

/// Largest sample sorted for a QQ plot; larger inputs are subsampled.
pub const MAX_SORTED: usize = 100_000;

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
        let (x, y) = finite_pair(x, y, NanPolicy::Omit, ("x", "y"))?;
        let n = x.len() as f64;
        let mx = x.iter().sum::<f64>() / n;
        let my = y.iter().sum::<f64>() / n;
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y.iter()) {
            let (dx, dy) = (a - mx, b - my);
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        let (sxx, sxy, syy) = (sxx / n, sxy / n, syy / n);
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

/// scipy `_calc_uniform_order_statistic_medians(n)`.
fn order_statistic_medians(n: usize) -> Vec<f64> {
    let nf = n as f64;
    let last = 0.5f64.powf(1.0 / nf);
    (1..=n)
        .map(|i| {
            if i == n {
                last
            } else if i == 1 {
                1.0 - last
            } else {
                (i as f64 - 0.3175) / (nf + 0.365)
            }
        })
        .collect()
}

/// `scipy.stats.probplot(x, dist="norm", fit=True)` (at least 2 values, not
/// all equal); subsampled above [`MAX_SORTED`] values.
pub fn probplot(x: &[f64], nan_policy: NanPolicy) -> Result<QqPlot> {
    let x = finite(x, nan_policy, "the values")?;
    let n = x.len();
    if n < 2 {
        return Err(Error::TooFewObservations {
            what: "the values of a QQ plot".into(),
            needed: 2,
            got: n,
        });
    }
    let mut sample = strided(&x, MAX_SORTED).into_owned();
    sample.sort_unstable_by(f64::total_cmp);
    let theoretical: Vec<f64> = order_statistic_medians(sample.len())
        .into_iter()
        .map(normal_ppf)
        .collect();
    let fit = LinearFit::least_squares(&theoretical, &sample)?;
    Ok(QqPlot {
        theoretical,
        sample,
        fit,
        n,
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
