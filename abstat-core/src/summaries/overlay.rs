//! Histograms on shared bins with the kernel density of each sample, for a
//! histogram chart (one sample) or control and treatment overlaid (two),
//! from fused passes over each sample:
//!
//! 1. one pass: finiteness, extent, sum and centred sum of squares (the
//!    extent gives the bins' range, the moments Scott's bandwidth);
//! 2. for numpy's `"auto"`/`"fd"` rules only, the quartiles of the pooled
//!    values by bucket selection (a counting pass and a gathering pass);
//! 3. one pass that counts the values per bin and, above
//!    [`kde::EXACT_LIMIT`](super::kde::EXACT_LIMIT) values, bins them onto
//!    the density's grid.
//!
//! The numbers are those of [`histogram_pooled`](super::histogram_pooled)
//! (the bins), [`histogram`](super::histogram) on those bins (the counts)
//! and [`Kde::fit`] (the density): exactly numpy's histogram, and scipy's
//! `gaussian_kde` up to the binned approximation documented in
//! [`kde`](super::kde) — the curve is a KDE over the binned data, never a
//! sum over millions of points.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::histogram::{EqualBins, Histogram, HistogramOptions, pooled_bins};
use super::kde::{self, Density, GRID, Grid, Kde, add_weights, in_blocks, scott};
use super::sample::finite_moments;
use super::scan::{Extent, Moments, add_counts};
use crate::{Error, Result};

/// One sample of an [`Overlay`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverlaySeries {
    /// Counts of the sample on the shared bins.
    pub histogram: Histogram,
    /// Its density curve, or none when it has fewer than 2 values or no
    /// spread.
    pub density: Option<Density>,
}

/// Histograms of several samples on shared bins, with their densities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overlay {
    /// One entry per sample, in input order.
    pub series: Vec<OverlaySeries>,
}

/// The histogram of each of `samples` on the bins numpy chooses for them
/// pooled (`opts`), and each one's Gaussian KDE evaluated at `points`
/// points (see [`Kde::curve`]). Every sample needs at least one value
/// after NaN handling.
pub fn overlay(samples: &[&[f64]], opts: &HistogramOptions, points: usize) -> Result<Overlay> {
    if points < 2 {
        return Err(Error::invalid("points", points, "at least 2"));
    }
    let scanned = samples
        .iter()
        .map(|x| finite_moments(x, opts.nan_policy, "the values"))
        .collect::<Result<Vec<(Cow<[f64]>, Moments)>>>()?;
    let parts: Vec<&[f64]> = scanned.iter().map(|(x, _)| &x[..]).collect();
    let all = scanned
        .iter()
        .fold(Extent::EMPTY, |e, (_, m)| e.merge(m.extent));
    let bins = pooled_bins(&parts, all, opts)?;
    let series = scanned
        .iter()
        .map(|(x, m)| {
            let bandwidth = match scott(m) {
                Ok(h) => Some(h),
                Err(Error::ZeroVariance { .. } | Error::TooFewObservations { .. }) => None,
                Err(e) => return Err(e),
            };
            let (counts, kde) = counts_and_kde(x, m, &bins, bandwidth);
            let n = counts.iter().sum();
            let density = kde.map(|k| k.curve(points)).transpose()?;
            Ok(OverlaySeries {
                histogram: Histogram {
                    bins: bins.clone(),
                    counts,
                    n,
                },
                density,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Overlay { series })
}

/// Counts of `x` per bin and its KDE (when it has a bandwidth), the grid
/// binning done in the counting pass.
fn counts_and_kde(
    x: &[f64],
    m: &Moments,
    bins: &EqualBins,
    bandwidth: Option<f64>,
) -> (Vec<u64>, Option<Kde>) {
    match bandwidth {
        None => (bins.count(x), None),
        Some(h) if m.n <= kde::EXACT_LIMIT => (bins.count(x), Some(Kde::exact(x, m, h))),
        Some(h) => {
            let grid = Grid::new(m);
            let (k, at) = (bins.len(), bins.indexer());
            let (counts, weights) = in_blocks(x, |c| {
                let mut counts = vec![0u64; k];
                let mut w = vec![0.0; GRID];
                for &v in c {
                    if let Some(i) = at.of(v) {
                        counts[i] += 1;
                    }
                    grid.add(&mut w, v);
                }
                (counts, w)
            })
            .into_iter()
            .reduce(|(a, u), (b, v)| (add_counts(a, b), add_weights(u, v)))
            .expect("at least one block");
            (counts, Some(Kde::binned(m, h, weights)))
        }
    }
}
