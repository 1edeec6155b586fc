//! What a scatter plot of any size is drawn from: the points themselves up
//! to [`ScatterOptions::max_points`], otherwise counts on a rectangular
//! grid (`numpy.histogram2d(x, y, bins=[nx, ny])`), plus the least-squares
//! line through all points (`scipy.stats.linregress`). Exact at any size:
//! the extents, sums and grid counts are parallel passes.

use serde::{Deserialize, Serialize};

use super::histogram::EqualBins;
use super::qq::LinearFit;
use rayon::prelude::*;

use super::sample::finite_pair_moments;
use super::scan::{self, CHUNK};
use crate::{Error, NanPolicy, Result};

/// Options of [`scatter`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScatterOptions {
    /// Up to this many points are kept as points (default 5000).
    pub max_points: usize,
    /// Grid cells along x and y when binned (default 80 × 50).
    pub grid: (usize, usize),
    /// Whether to fit a line (default `true`).
    pub fit: bool,
    /// Missing values (default `Omit`).
    pub nan_policy: NanPolicy,
}

impl Default for ScatterOptions {
    fn default() -> Self {
        ScatterOptions {
            max_points: 5000,
            grid: (80, 50),
            fit: true,
            nan_policy: NanPolicy::Omit,
        }
    }
}

/// Counts of points on a grid: `counts[j][i]` points fall in x bin i and
/// y bin j.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binned2d {
    /// Bins along x.
    pub x_bins: EqualBins,
    /// Bins along y.
    pub y_bins: EqualBins,
    /// Counts, y bin by row, x bin by column.
    pub counts: Vec<Vec<u64>>,
}

/// A scatter: points or a binned grid, and the fitted line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScatterSummary {
    /// The points, when there are at most `max_points`.
    pub points: Option<(Vec<f64>, Vec<f64>)>,
    /// The grid, when there are more.
    pub binned: Option<Binned2d>,
    /// The least-squares line, when asked for and x is not constant.
    pub fit: Option<LinearFit>,
    /// Points in the input (after NaN handling).
    pub n: usize,
}

/// The extent as numpy's range of a histogram.
fn widened(e: scan::Extent) -> (f64, f64) {
    // numpy widens a zero-width range by ½ on each side
    if e.min == e.max {
        (e.min - 0.5, e.max + 0.5)
    } else {
        (e.min, e.max)
    }
}

/// Summarise paired `x`, `y` for a scatter plot.
pub fn scatter(x: &[f64], y: &[f64], opts: &ScatterOptions) -> Result<ScatterSummary> {
    if opts.grid.0 == 0 || opts.grid.1 == 0 {
        return Err(Error::invalid(
            "grid",
            format!("{:?}", opts.grid),
            "at least one cell each way",
        ));
    }
    // one fused pass: finiteness, extents and the centred cross products
    let ((x, y), m) = finite_pair_moments(x, y, opts.nan_policy, ("x", "y"))?;
    let n = x.len();
    let fit = if opts.fit {
        match LinearFit::from_moments(&m) {
            Ok(f) => Some(f),
            Err(Error::ZeroVariance { .. }) | Err(Error::TooFewObservations { .. }) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    if n <= opts.max_points {
        return Ok(ScatterSummary {
            points: Some((x.into_owned(), y.into_owned())),
            binned: None,
            fit,
            n,
        });
    }
    let [ex, ey] = [0, 1].map(|i| widened(m.columns[i].extent));
    Ok(ScatterSummary {
        points: None,
        binned: Some(histogram2d_within(&x, &y, opts.grid, ex, ey)?),
        fit,
        n,
    })
}

/// `numpy.histogram2d(x, y, bins=[nx, ny])` transposed to rows of y.
pub fn histogram2d(x: &[f64], y: &[f64], grid: (usize, usize)) -> Result<Binned2d> {
    let [ex, ey] = [x, y].map(|v| widened(scan::extent(v)));
    histogram2d_within(x, y, grid, ex, ey)
}

/// [`histogram2d`] over the ranges `(x0, x1)`, `(y0, y1)`.
fn histogram2d_within(
    x: &[f64],
    y: &[f64],
    (nx, ny): (usize, usize),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Result<Binned2d> {
    let x_bins = EqualBins::new(x0, x1, nx)?;
    let y_bins = EqualBins::new(y0, y1, ny)?;
    let (x_at, y_at) = (x_bins.indexer(), y_bins.indexer());
    let flat = x
        .par_chunks(CHUNK)
        .zip(y.par_chunks(CHUNK))
        .with_min_len(scan::chunks_per_job(x.len()))
        .fold(
            || vec![0u64; nx * ny],
            |mut acc, (xs, ys)| {
                for (&a, &b) in xs.iter().zip(ys) {
                    if let (Some(i), Some(j)) = (x_at.of(a), y_at.of(b)) {
                        acc[j * nx + i] += 1;
                    }
                }
                acc
            },
        )
        .reduce(|| vec![0u64; nx * ny], scan::add_counts);
    let counts = flat.chunks(nx).map(|r| r.to_vec()).collect();
    Ok(Binned2d {
        x_bins,
        y_bins,
        counts,
    })
}
