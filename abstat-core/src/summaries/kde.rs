//! Gaussian kernel density estimate, as `scipy.stats.gaussian_kde` in one
//! dimension with Scott's rule: bandwidth h = σ̂·n^(−1/5) with σ̂ the sample
//! standard deviation (ddof = 1), density
//! f(x) = Σᵢ φ((x − xᵢ)/h) / (n·h).
//!
//! Up to [`EXACT_LIMIT`] values the sum runs over the data, as scipy.
//! Above, the data are first linearly binned onto [`GRID`] equally spaced
//! points (Wand & Jones, *Kernel Smoothing*, 1995, §D.2) and the sum runs
//! over the grid, with the kernel cut at 8h (its tail beyond is < 1e-14):
//! that keeps 10M values to tens of milliseconds. The binning error is of
//! order (δ/h)²/8 relative to the peak, δ the grid step; the fixture test
//! bounds it at 1e-4 on a million normal values. The moments, the extent
//! and the binning are parallel passes over the data.

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use super::sample::finite_moments;
use super::scan::{CHUNK, Moments};
use crate::{Error, NanPolicy, Result};

/// Above this many values the estimate is binned (see the module docs).
pub const EXACT_LIMIT: usize = 20_000;
/// Grid points of the binned estimate.
pub const GRID: usize = 16_384;

/// Blocks binned in parallel above [`EXACT_LIMIT`].
const BLOCKS: usize = 8;

const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// A density curve: `y[i]` is the density at `x[i]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Density {
    /// Evaluation points, increasing.
    pub x: Vec<f64>,
    /// Density at each point.
    pub y: Vec<f64>,
}

/// A fitted Gaussian KDE (scipy `gaussian_kde(x)`, `bw_method="scott"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Kde {
    /// Kernel standard deviation h.
    pub bandwidth: f64,
    /// Values the estimate is built from.
    pub n: usize,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Kernel centres and their weights (the data with weight 1, or grid
    /// points with binned weights).
    centres: Vec<f64>,
    weights: Option<Vec<f64>>,
}

impl Kde {
    /// Fit to `x` (at least 2 values with a positive spread).
    pub fn fit(x: &[f64], nan_policy: NanPolicy) -> Result<Kde> {
        let (x, m) = finite_moments(x, nan_policy, "the values")?;
        let bandwidth = scott(&m)?;
        if m.n <= EXACT_LIMIT {
            return Ok(Kde::exact(&x, &m, bandwidth));
        }
        let grid = Grid::new(&m);
        let weights = in_blocks(&x, |c| {
            let mut w = vec![0.0; GRID];
            c.iter().for_each(|&v| grid.add(&mut w, v));
            w
        })
        .into_iter()
        .reduce(add_weights)
        .expect("at least one block");
        Ok(Kde::binned(&m, bandwidth, weights))
    }

    /// The estimate from the data themselves (up to [`EXACT_LIMIT`]).
    pub(crate) fn exact(x: &[f64], m: &Moments, bandwidth: f64) -> Kde {
        Kde {
            bandwidth,
            n: m.n,
            min: m.extent.min,
            max: m.extent.max,
            centres: x.to_vec(),
            weights: None,
        }
    }

    /// The estimate from [`GRID`] weights binned by [`Grid::add`].
    pub(crate) fn binned(m: &Moments, bandwidth: f64, weights: Vec<f64>) -> Kde {
        let (min, max) = (m.extent.min, m.extent.max);
        let step = Grid::new(m).step;
        Kde {
            bandwidth,
            n: m.n,
            min,
            max,
            centres: (0..GRID).map(|i| min + i as f64 * step).collect(),
            weights: Some(weights),
        }
    }

    /// The density at each point (scipy `kde.evaluate(points)`).
    pub fn evaluate(&self, points: &[f64]) -> Vec<f64> {
        let h = self.bandwidth;
        let norm = INV_SQRT_2PI / (h * self.n as f64);
        points
            .iter()
            .map(|&p| {
                let s: f64 = match &self.weights {
                    None => self
                        .centres
                        .iter()
                        .map(|&c| (-0.5 * ((p - c) / h).powi(2)).exp())
                        .sum(),
                    Some(w) => {
                        let step = self.centres[1] - self.centres[0];
                        let lo = ((p - 8.0 * h - self.min) / step).floor().max(0.0) as usize;
                        let hi = (((p + 8.0 * h - self.min) / step).ceil().max(0.0) as usize)
                            .min(GRID - 1);
                        (lo.min(GRID)..=hi)
                            .filter(|&i| i < GRID)
                            .map(|i| w[i] * (-0.5 * ((p - self.centres[i]) / h).powi(2)).exp())
                            .sum()
                    }
                };
                s * norm
            })
            .collect()
    }

    /// The density on `points` equally spaced points from min − 3h to
    /// max + 3h (at least 2 points).
    pub fn curve(&self, points: usize) -> Result<Density> {
        if points < 2 {
            return Err(Error::invalid("points", points, "at least 2"));
        }
        let (a, b) = (
            self.min - 3.0 * self.bandwidth,
            self.max + 3.0 * self.bandwidth,
        );
        let step = (b - a) / (points - 1) as f64;
        let x: Vec<f64> = (0..points).map(|i| a + i as f64 * step).collect();
        let y = self.evaluate(&x);
        Ok(Density { x, y })
    }
}

/// Scott's bandwidth σ̂·n^(−1/5) (σ̂ with ddof = 1) of finite values with
/// moments `m`; fewer than 2 values or no spread are errors.
pub(crate) fn scott(m: &Moments) -> Result<f64> {
    let n = m.n;
    if n < 2 {
        return Err(Error::TooFewObservations {
            what: "the values of a density estimate".into(),
            needed: 2,
            got: n,
        });
    }
    let var = m.m2 / (n - 1) as f64;
    if var <= 0.0 || m.extent.min == m.extent.max {
        return Err(Error::ZeroVariance {
            what: "the values".into(),
            method: "a kernel density estimate".into(),
        });
    }
    // Scott's factor n^(−1/(d+4)) with d = 1
    Ok(var.sqrt() * (n as f64).powf(-0.2))
}

/// Linear binning onto [`GRID`] points from the minimum to the maximum
/// (Wand & Jones §D.2): a value between two grid points is split between
/// them in proportion to its nearness.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grid {
    min: f64,
    step: f64,
    /// 1 / step: a product per value instead of a division.
    inv_step: f64,
}

impl Grid {
    /// The grid over the extent of values with moments `m`.
    pub(crate) fn new(m: &Moments) -> Grid {
        let step = (m.extent.max - m.extent.min) / (GRID - 1) as f64;
        Grid {
            min: m.extent.min,
            step,
            inv_step: 1.0 / step,
        }
    }

    /// Add `v` to the weights `w` (length [`GRID`]).
    #[inline]
    pub(crate) fn add(&self, w: &mut [f64], v: f64) {
        let pos = (v - self.min) * self.inv_step;
        // `as usize` truncates toward zero and saturates below at 0, so it
        // equals `pos.floor() as usize` for every `pos` (NaN gives 0 both
        // ways) without the libm call `floor` is on baseline x86-64.
        let i = (pos as usize).min(GRID - 2);
        let frac = pos - i as f64;
        w[i] += 1.0 - frac;
        w[i + 1] += frac;
    }
}

/// `f` of a fixed number of blocks of `x` ([`BLOCKS`], each at least
/// [`CHUNK`] long), in parallel, in block order: weights added in that
/// order are the same on any number of threads.
pub(crate) fn in_blocks<T: Send>(x: &[f64], f: impl Fn(&[f64]) -> T + Sync + Send) -> Vec<T> {
    let block = x.len().div_ceil(BLOCKS).max(CHUNK);
    x.par_chunks(block).map(f).collect()
}

/// Element-wise sum of two weight vectors (the first reused).
pub(crate) fn add_weights(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_inputs_are_errors() {
        assert!(matches!(
            Kde::fit(&[1.0], NanPolicy::Omit),
            Err(Error::TooFewObservations { .. })
        ));
        assert!(matches!(
            Kde::fit(&[1.0, 1.0, 1.0], NanPolicy::Omit),
            Err(Error::ZeroVariance { .. })
        ));
        let k = Kde::fit(&[0.0, 1.0, 2.0], NanPolicy::Omit).unwrap();
        assert!(k.curve(1).is_err());
    }
}
