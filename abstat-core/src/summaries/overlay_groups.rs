//! Overlaid histograms and densities of the groups of a value column,
//! without splitting it: [`overlay`] of the groups, from fused passes over
//! the values and their group codes, every group at once:
//!
//! 1. count, extent, sum, centred sum of squares and finiteness per group;
//! 2. for numpy's `"auto"`/`"fd"` rules only, the quartiles of the groups
//!    pooled by bucket selection (a counting and a gathering pass, as
//!    [`order_stats`](super::order_stats));
//! 3. counts per bin per group and, per group, its density's grid weights
//!    (above [`kde::EXACT_LIMIT`](super::kde::EXACT_LIMIT) values) or its
//!    values (below, for the exact KDE).
//!
//! Rows with a NaN or infinite value in a wanted group, an empty wanted
//! group, or a histogram `range` take the split path ([`overlay`] of the
//! split groups), with its answers and errors.

use rayon::prelude::*;

use super::box_groups::check_codes;
use super::histogram::{Histogram, HistogramOptions, unranged_bins};
use super::kde::{GRID, Grid, Kde, add_weights, scott};
use super::order_stats::{
    Bucketing, COPY_LIMIT, Plan, percentile_ranks, percentiles_from, select_in_place,
};
use super::overlay::{Overlay, OverlaySeries, overlay};
use super::scan::{CHUNK, Extent, Moments, add_counts, chunks_per_job, moments};
use super::{kde, order_stats::BUCKETS};
use crate::{Error, Result};

/// Row blocks of the binning pass: a fixed number, so weights are added
/// in the same order on any number of threads.
const BLOCKS: usize = 8;

/// [`overlay`] of the groups `wanted` of `x`: `x[i]` belongs to group
/// `codes[i]`; series k is the rows whose code is `wanted[k]` (distinct
/// codes), rows of other codes are skipped. Every wanted group needs a
/// value.
///
/// Equal to splitting `x` by code and calling [`overlay`] on the parts:
/// the same bins and counts, and the same densities up to the order in
/// which the binned density's sums are added (about 1e-15 relative) above
/// [`kde::EXACT_LIMIT`](super::kde::EXACT_LIMIT) values; below, the same
/// numbers.
pub fn overlay_by(
    x: &[f64],
    codes: &[u32],
    wanted: &[u32],
    opts: &HistogramOptions,
    points: usize,
) -> Result<Overlay> {
    if points < 2 {
        return Err(Error::invalid("points", points, "at least 2"));
    }
    check_codes(x, codes)?;
    if let Some(c) = wanted
        .iter()
        .enumerate()
        .find_map(|(i, c)| wanted[..i].contains(c).then_some(c))
    {
        return Err(Error::invalid(
            "groups",
            c,
            "distinct group codes (this one is asked for twice)",
        ));
    }
    let slots = Slots::new(wanted);
    let groups = wanted.len();
    let scans = moments_by(x, codes, &slots, groups);
    if groups == 0 || opts.range.is_some() || scans.iter().any(|m| m.n == 0 || !m.finite) {
        let parts = split(x, codes, &slots, groups);
        let parts: Vec<&[f64]> = parts.iter().map(|p| &p[..]).collect();
        return overlay(&parts, opts, points);
    }
    let all = scans.iter().fold(Extent::EMPTY, |e, m| e.merge(m.extent));
    let n: usize = scans.iter().map(|m| m.n).sum();
    let bins = unranged_bins(n, all, opts, || quartiles_by(x, codes, &slots, n, all))?;
    // pass 3: which groups get grid weights, which their values
    let kernels: Vec<Kernel> = scans
        .iter()
        .map(|m| match scott(m) {
            Err(Error::ZeroVariance { .. } | Error::TooFewObservations { .. }) => Ok(Kernel::None),
            Err(e) => Err(e),
            Ok(_) if m.n <= kde::EXACT_LIMIT => Ok(Kernel::Values(Vec::new())),
            Ok(_) => Ok(Kernel::Grid(Grid::new(m), vec![0.0; GRID])),
        })
        .collect::<Result<_>>()?;
    let (k, at) = (bins.len(), bins.indexer());
    let block = x.len().div_ceil(BLOCKS).max(CHUNK);
    let empty = || -> Vec<(Vec<u64>, Kernel)> {
        kernels
            .iter()
            .map(|kernel| (vec![0u64; k], kernel.cleared()))
            .collect()
    };
    let binned = x
        .par_chunks(block)
        .zip(codes.par_chunks(block))
        .map(|(xs, cs)| {
            let mut acc = empty();
            for (&v, &c) in xs.iter().zip(cs) {
                if let Some(g) = slots.of(c) {
                    let (counts, kernel) = &mut acc[g];
                    if let Some(i) = at.of(v) {
                        counts[i] += 1;
                    }
                    kernel.add(v);
                }
            }
            acc
        })
        .collect::<Vec<_>>()
        .into_iter()
        .reduce(|a, b| {
            a.into_iter()
                .zip(b)
                .map(|((ca, ka), (cb, kb))| (add_counts(ca, cb), ka.merge(kb)))
                .collect()
        })
        .expect("at least one block");
    let series = binned
        .into_iter()
        .zip(&scans)
        .map(|((counts, kernel), m)| {
            let kde = match kernel {
                Kernel::None => None,
                // the values' own moments: the split path's numbers exactly
                Kernel::Values(v) => {
                    let m = moments(&v);
                    Some(Kde::exact(&v, &m, scott(&m)?))
                }
                Kernel::Grid(_, w) => Some(Kde::binned(m, scott(m)?, w)),
            };
            let n = counts.iter().sum();
            Ok(OverlaySeries {
                histogram: Histogram {
                    bins: bins.clone(),
                    counts,
                    n,
                },
                density: kde.map(|k| k.curve(points)).transpose()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Overlay { series })
}

/// The series (slot) of each wanted group code.
enum Slots {
    /// `table[code]`, [`Slots::NONE`] for codes not wanted.
    Table(Vec<u32>),
    /// The wanted codes, searched (when one is too large for a table).
    List(Vec<u32>),
}

impl Slots {
    const NONE: u32 = u32::MAX;
    /// Largest code looked up in a table.
    const TABLE_LIMIT: u32 = 1 << 16;

    fn new(wanted: &[u32]) -> Slots {
        match wanted.iter().max() {
            Some(&max) if max >= Self::TABLE_LIMIT => Slots::List(wanted.to_vec()),
            max => {
                let mut table = vec![Self::NONE; max.map_or(0, |&m| m as usize + 1)];
                for (slot, &c) in wanted.iter().enumerate() {
                    table[c as usize] = slot as u32;
                }
                Slots::Table(table)
            }
        }
    }

    #[inline]
    fn of(&self, code: u32) -> Option<usize> {
        match self {
            Slots::Table(t) => t
                .get(code as usize)
                .filter(|&&s| s != Self::NONE)
                .map(|&s| s as usize),
            Slots::List(l) => l.iter().position(|&c| c == code),
        }
    }
}

/// What the binning pass gathers of a group for its density.
enum Kernel {
    /// No density (fewer than 2 values or no spread).
    None,
    /// The values, in row order, for the exact KDE.
    Values(Vec<f64>),
    /// Linearly binned grid weights.
    Grid(Grid, Vec<f64>),
}

impl Kernel {
    /// The same kind of kernel with nothing gathered yet.
    fn cleared(&self) -> Kernel {
        match self {
            Kernel::None => Kernel::None,
            Kernel::Values(_) => Kernel::Values(Vec::new()),
            Kernel::Grid(g, _) => Kernel::Grid(*g, vec![0.0; GRID]),
        }
    }

    #[inline]
    fn add(&mut self, v: f64) {
        match self {
            Kernel::None => {}
            Kernel::Values(x) => x.push(v),
            Kernel::Grid(g, w) => g.add(w, v),
        }
    }

    /// `self` then `o` (rows in order).
    fn merge(self, o: Kernel) -> Kernel {
        match (self, o) {
            (Kernel::Values(mut a), Kernel::Values(b)) => {
                a.extend(b);
                Kernel::Values(a)
            }
            (Kernel::Grid(g, a), Kernel::Grid(_, b)) => Kernel::Grid(g, add_weights(a, b)),
            (a, _) => a,
        }
    }
}

/// [`Moments`] of each group's values, from one pass over row chunks
/// merged in row order: a chunk's groups are summed, then their squared
/// deviations from the chunk's group means added while it is in cache.
fn moments_by(x: &[f64], codes: &[u32], slots: &Slots, groups: usize) -> Vec<Moments> {
    let parts: Vec<Vec<Moments>> = x
        .par_chunks(CHUNK)
        .zip(codes.par_chunks(CHUNK))
        .map(|(xs, cs)| {
            let mut m = vec![Moments::EMPTY; groups];
            for (&v, &c) in xs.iter().zip(cs) {
                if let Some(g) = slots.of(c) {
                    let g = &mut m[g];
                    g.n += 1;
                    g.extent.sum += v;
                    g.extent.min = g.extent.min.min(v);
                    g.extent.max = g.extent.max.max(v);
                    g.finite &= v.is_finite();
                }
            }
            if m.iter().all(|g| g.finite) {
                let means: Vec<f64> = m.iter().map(|g| g.extent.sum / g.n as f64).collect();
                for (&v, &c) in xs.iter().zip(cs) {
                    if let Some(g) = slots.of(c) {
                        let d = v - means[g];
                        m[g].m2 += d * d;
                    }
                }
            }
            m
        })
        .collect();
    parts
        .into_iter()
        .fold(vec![Moments::EMPTY; groups], |acc, p| {
            acc.into_iter().zip(p).map(|(a, b)| a.merge(b)).collect()
        })
}

/// `numpy.percentile(v, [25, 50, 75])` of the `n` values of the wanted
/// groups pooled (finite, extent `all`): bucket selection over the rows,
/// as [`order_stats`](super::order_stats).
fn quartiles_by(x: &[f64], codes: &[u32], slots: &Slots, n: usize, all: Extent) -> [f64; 3] {
    let (spots, ranks) = percentile_ranks(n, &[25.0, 50.0, 75.0]);
    let gather = |keep: &(dyn Fn(f64) -> bool + Sync)| -> Vec<f64> {
        x.par_chunks(CHUNK)
            .zip(codes.par_chunks(CHUNK))
            .flat_map_iter(|(xs, cs)| {
                xs.iter()
                    .zip(cs)
                    .filter(|&(&v, &c)| slots.of(c).is_some() && keep(v))
                    .map(|(&v, _)| v)
                    .collect::<Vec<f64>>()
            })
            .collect()
    };
    let v = match Bucketing::new(all.min, all.max).filter(|_| n > COPY_LIMIT) {
        None => select_in_place(&mut gather(&|_| true), &ranks),
        Some(bucket) => {
            let counts = x
                .par_chunks(CHUNK)
                .zip(codes.par_chunks(CHUNK))
                .with_min_len(chunks_per_job(x.len()))
                .fold(
                    || vec![0u64; BUCKETS],
                    |mut acc, (xs, cs)| {
                        for (&v, &c) in xs.iter().zip(cs) {
                            if slots.of(c).is_some() {
                                acc[bucket.of(v)] += 1;
                            }
                        }
                        acc
                    },
                )
                .reduce(|| vec![0u64; BUCKETS], add_counts);
            let plan = Plan::new(&counts, &ranks);
            select_in_place(&mut gather(&|v| plan.wanted[bucket.of(v)]), &plan.local)
        }
    };
    let q = percentiles_from(&spots, &ranks, &v);
    [q[0], q[1], q[2]]
}

/// The values of each wanted group, in row order.
fn split(x: &[f64], codes: &[u32], slots: &Slots, groups: usize) -> Vec<Vec<f64>> {
    let mut parts = vec![Vec::new(); groups];
    for (&v, &c) in x.iter().zip(codes) {
        if let Some(g) = slots.of(c) {
            parts[g].push(v);
        }
    }
    parts
}
