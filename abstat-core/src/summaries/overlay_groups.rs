//! Overlaid histograms and densities of the groups of a value column,
//! without splitting it: [`overlay`] of the groups, from fused passes over
//! the values and their group codes, every group at once:
//!
//! 1. count, extent, sum, centred sum of squares and finiteness per group;
//!    for numpy's `"auto"`/`"fd"` rules, also the rows per bucket of a
//!    bucketing guessed from a sample of rows;
//! 2. for those rules only, the quartiles of the groups pooled by bucket
//!    selection (a gathering pass, as [`order_stats`](super::order_stats);
//!    a counting pass first when the guess left too many values to gather);
//! 3. counts per bin per group and, per group, its density's grid weights
//!    (above [`kde::EXACT_LIMIT`](super::kde::EXACT_LIMIT) values) or its
//!    values (below, for the exact KDE).
//!
//! Rows with a NaN or infinite value in a wanted group, an empty wanted
//! group, or a histogram `range` take the split path ([`overlay`] of the
//! split groups), with its answers and errors.

use rayon::prelude::*;

use super::box_groups::check_codes;
use super::histogram::{Bins, Histogram, HistogramOptions, unranged_bins};
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
    // the quartiles' buckets are counted in the first pass when the rule
    // will ask for them
    let wants_quartiles = matches!(opts.bins, Bins::Auto | Bins::FreedmanDiaconis);
    let guess = (wants_quartiles && opts.range.is_none() && x.len() > COPY_LIMIT)
        .then(|| guess_buckets(x, codes, &slots))
        .flatten();
    let (scans, counted) = moments_by(x, codes, &slots, groups, guess);
    if groups == 0 || opts.range.is_some() || scans.iter().any(|m| m.n == 0 || !m.finite) {
        let parts = split(x, codes, &slots, groups);
        let parts: Vec<&[f64]> = parts.iter().map(|p| &p[..]).collect();
        return overlay(&parts, opts, points);
    }
    let all = scans.iter().fold(Extent::EMPTY, |e, m| e.merge(m.extent));
    let n: usize = scans.iter().map(|m| m.n).sum();
    let bins = unranged_bins(n, all, opts, || {
        quartiles_by(x, codes, &slots, n, all, counted)
    })?;
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

/// The series (slot) of each wanted group code; codes not wanted have the
/// spare slot, the number of wanted codes.
enum Slots {
    /// `table[code]` (codes beyond the table are not wanted).
    Table { table: Vec<u32>, spare: u32 },
    /// The wanted codes, searched (when one is too large for a table).
    List(Vec<u32>),
}

impl Slots {
    /// Largest code looked up in a table.
    const TABLE_LIMIT: u32 = 1 << 16;

    fn new(wanted: &[u32]) -> Slots {
        match wanted.iter().max() {
            Some(&max) if max >= Self::TABLE_LIMIT => Slots::List(wanted.to_vec()),
            max => {
                let spare = wanted.len() as u32;
                let mut table = vec![spare; max.map_or(0, |&m| m as usize + 1)];
                for (slot, &c) in wanted.iter().enumerate() {
                    table[c as usize] = slot as u32;
                }
                Slots::Table { table, spare }
            }
        }
    }

    /// The slot of `code`, the spare slot (the number of wanted codes) when
    /// it is not wanted: no branch on the code for a table.
    #[inline]
    fn or_spare(&self, code: u32) -> usize {
        match self {
            Slots::Table { table, spare } => {
                table.get(code as usize).copied().unwrap_or(*spare) as usize
            }
            Slots::List(l) => l.iter().position(|&c| c == code).unwrap_or(l.len()),
        }
    }

    #[inline]
    fn of(&self, code: u32) -> Option<usize> {
        match self {
            Slots::Table { table, spare } => table
                .get(code as usize)
                .filter(|&s| s != spare)
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

/// Rows sampled (evenly spaced) to guess the bucketing of the quartiles
/// before the values' extent is known.
const GUESS_ROWS: usize = 4096;

/// Buckets for the pooled quartiles, guessed from the extent of the
/// wanted values among [`GUESS_ROWS`] evenly spaced rows, so the first
/// pass can count them. Any monotone bucketing selects the right values
/// (values beyond the guess fall into the edge buckets); a good guess only
/// keeps the gathered buckets small. `None` when too few rows are wanted.
fn guess_buckets(x: &[f64], codes: &[u32], slots: &Slots) -> Option<Bucketing> {
    let step = (x.len() / GUESS_ROWS).max(1);
    let seen = (0..x.len())
        .step_by(step)
        .filter(|&i| slots.of(codes[i]).is_some() && x[i].is_finite())
        .map(|i| x[i]);
    let (k, lo, hi) = seen.fold(
        (0usize, f64::INFINITY, f64::NEG_INFINITY),
        |(k, lo, hi), v| (k + 1, lo.min(v), hi.max(v)),
    );
    (k >= GUESS_ROWS / 16)
        .then(|| Bucketing::new(lo, hi))
        .flatten()
}

/// [`Moments`] of each group's values, from one pass over row chunks
/// merged in row order: a chunk's groups are summed, then their squared
/// deviations from the chunk's group means added while it is in cache.
/// With `bucket`, the same pass counts the wanted rows per bucket (for
/// [`quartiles_by`]).
fn moments_by(
    x: &[f64],
    codes: &[u32],
    slots: &Slots,
    groups: usize,
    bucket: Option<Bucketing>,
) -> (Vec<Moments>, Option<(Bucketing, Vec<u64>)>) {
    // Rows of codes not wanted go to a spare slot (index `groups`) whose
    // sums are dropped, and their bucket counts to a spare bucket: no
    // branch on the code, which is as unpredictable as the data.
    let chunk = |xs: &[f64], cs: &[u32], counts: Option<&mut Vec<u64>>| {
        let mut m = vec![Moments::EMPTY; groups + 1];
        let mut add = |g: usize, v: f64| {
            let g = &mut m[g];
            g.n += 1;
            g.extent.sum += v;
            g.extent.min = g.extent.min.min(v);
            g.extent.max = g.extent.max.max(v);
            g.finite &= v.is_finite();
        };
        match counts.zip(bucket) {
            Some((counts, b)) => {
                for (&v, &c) in xs.iter().zip(cs) {
                    let g = slots.or_spare(c);
                    add(g, v);
                    // the bucket is found for every row, then chosen: a
                    // bucket found only for wanted rows compiles to a branch
                    let k = b.of(v);
                    counts[if g < groups { k } else { BUCKETS }] += 1;
                }
            }
            None => {
                for (&v, &c) in xs.iter().zip(cs) {
                    add(slots.or_spare(c), v);
                }
            }
        }
        if m[..groups].iter().all(|g| g.finite) {
            let means: Vec<f64> = m.iter().map(|g| g.extent.sum / g.n as f64).collect();
            for (&v, &c) in xs.iter().zip(cs) {
                let g = slots.or_spare(c);
                let d = v - means[g];
                m[g].m2 += d * d;
            }
        }
        m.truncate(groups);
        m
    };
    // per job: its chunks' moments in row order and its bucket counts;
    // jobs are joined in row order, so the moments merge the same way on
    // any number of threads
    let (parts, counts) = x
        .par_chunks(CHUNK)
        .zip(codes.par_chunks(CHUNK))
        .with_min_len(chunks_per_job(x.len()))
        .fold(
            || (Vec::new(), bucket.map(|_| vec![0u64; BUCKETS + 1])),
            |(mut parts, mut counts): (Vec<Vec<Moments>>, _), (xs, cs)| {
                parts.push(chunk(xs, cs, counts.as_mut()));
                (parts, counts)
            },
        )
        .reduce(
            || (Vec::new(), None),
            |(mut pa, ca), (pb, cb)| {
                pa.extend(pb);
                let counts = match (ca, cb) {
                    (Some(a), Some(b)) => Some(add_counts(a, b)),
                    (a, b) => a.or(b),
                };
                (pa, counts)
            },
        );
    let moments = parts
        .into_iter()
        .fold(vec![Moments::EMPTY; groups], |acc, p| {
            acc.into_iter().zip(p).map(|(a, b)| a.merge(b)).collect()
        });
    // the spare bucket (rows not wanted) dropped
    let counted = bucket.zip(counts).map(|(b, mut c)| {
        c.truncate(BUCKETS);
        (b, c)
    });
    (moments, counted)
}

/// `numpy.percentile(v, [25, 50, 75])` of the `n` values of the wanted
/// groups pooled (finite, extent `all`): bucket selection over the rows,
/// as [`order_stats`](super::order_stats). `counted`: the rows' counts in
/// guessed buckets from the first pass, used when the buckets to gather
/// hold at most an eighth of the values; otherwise a counting pass over
/// buckets of the extent comes first.
fn quartiles_by(
    x: &[f64],
    codes: &[u32],
    slots: &Slots,
    n: usize,
    all: Extent,
    counted: Option<(Bucketing, Vec<u64>)>,
) -> [f64; 3] {
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
    let count = |bucket: Bucketing| {
        x.par_chunks(CHUNK)
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
            .reduce(|| vec![0u64; BUCKETS], add_counts)
    };
    let planned = |(bucket, counts): (Bucketing, Vec<u64>)| {
        let plan = Plan::new(&counts, &ranks);
        let kept: u64 = counts
            .iter()
            .zip(&plan.wanted)
            .filter(|&(_, &w)| w)
            .map(|(&c, _)| c)
            .sum();
        (bucket, plan, kept)
    };
    let small = |&(_, _, kept): &(Bucketing, Plan, u64)| kept <= (n / 8) as u64;
    let v = if n <= COPY_LIMIT {
        select_in_place(&mut gather(&|_| true), &ranks)
    } else {
        let plan = counted.map(planned).filter(small).or_else(|| {
            Bucketing::new(all.min, all.max).map(|bucket| planned((bucket, count(bucket))))
        });
        match plan {
            None => select_in_place(&mut gather(&|_| true), &ranks),
            Some((bucket, plan, _)) => {
                select_in_place(&mut gather(&|v| plan.wanted[bucket.of(v)]), &plan.local)
            }
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
