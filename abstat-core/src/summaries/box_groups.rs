//! Box-plot statistics of a value column split by a group column, without
//! splitting it: matplotlib's `cbook.boxplot_stats` of each group (see
//! [`box_stats`]) from four fused passes over the rows, every group at
//! once:
//!
//! 1. count, sum, extent and finiteness per group;
//! 2. counts per group in [`BUCKETS`] equal-width buckets of its extent;
//! 3. the values of the buckets holding each group's quartile ranks
//!    (exact quartiles by selection within them, as
//!    [`order_stats`](super::order_stats));
//! 4. whiskers and fliers per group.
//!
//! Rows with a NaN value, an infinite value or an empty group take the
//! per-group path ([`box_stats`] of each group), with its answers and
//! errors.

use rayon::prelude::*;

use super::boxplot::{Beyond, BoxStats, box_stats, check_whis, fences, finish};
use super::order_stats::{
    BUCKETS, Bucketing, Plan, percentile_ranks, percentiles_from, select_in_place,
};
use super::scan::{CHUNK, Extent, add_counts, chunks_per_job};
use crate::{Error, NanPolicy, Result};

/// Count and extent of one group, and whether its values are finite.
#[derive(Debug, Clone, Copy)]
struct GroupScan {
    n: usize,
    extent: Extent,
    finite: bool,
}

const EMPTY: GroupScan = GroupScan {
    n: 0,
    extent: Extent::EMPTY,
    finite: true,
};

/// [`box_stats`] of the values of each group: `x[i]` belongs to group
/// `codes[i]` (below `groups`); the result has one entry per group, in
/// code order. Every group needs a value. Equal to splitting `x` by code
/// and calling [`box_stats`] on each part.
pub fn box_stats_by(
    x: &[f64],
    codes: &[u32],
    groups: usize,
    whis: f64,
    nan_policy: NanPolicy,
) -> Result<Vec<BoxStats>> {
    check_whis(whis)?;
    check_codes(x, codes)?;
    if groups == 0 {
        return Err(Error::invalid("groups", groups, "at least 1"));
    }
    if let Some(&c) = codes.par_iter().find_any(|&&c| c as usize >= groups) {
        return Err(Error::invalid(
            "codes",
            c,
            format!("group codes below the number of groups ({groups})"),
        ));
    }
    // pass 1, chunk sums merged in order
    let parts: Vec<Vec<GroupScan>> = x
        .par_chunks(CHUNK)
        .zip(codes.par_chunks(CHUNK))
        .map(|(xs, cs)| {
            let mut s = vec![EMPTY; groups];
            for (&v, &c) in xs.iter().zip(cs) {
                let g = &mut s[c as usize];
                g.n += 1;
                g.extent.sum += v;
                g.extent.min = g.extent.min.min(v);
                g.extent.max = g.extent.max.max(v);
                g.finite &= v.is_finite();
            }
            s
        })
        .collect();
    let scans = parts.into_iter().fold(vec![EMPTY; groups], |mut acc, p| {
        for (a, b) in acc.iter_mut().zip(p) {
            a.n += b.n;
            a.extent = a.extent.merge(b.extent);
            a.finite &= b.finite;
        }
        acc
    });
    if scans.iter().any(|g| g.n == 0 || !g.finite) {
        return split(x, codes, groups, whis, nan_policy);
    }
    // pass 2: bucket counts per group (one bucket when a group is constant)
    let bucketing: Vec<Option<Bucketing>> = scans
        .iter()
        .map(|g| Bucketing::new(g.extent.min, g.extent.max))
        .collect();
    let bucket = |g: usize, v: f64| bucketing[g].map_or(0, |b| b.of(v));
    let counts = x
        .par_chunks(CHUNK)
        .zip(codes.par_chunks(CHUNK))
        .with_min_len(chunks_per_job(x.len()))
        .fold(
            || vec![0u64; groups * BUCKETS],
            |mut acc, (xs, cs)| {
                for (&v, &c) in xs.iter().zip(cs) {
                    let g = c as usize;
                    acc[g * BUCKETS + bucket(g, v)] += 1;
                }
                acc
            },
        )
        .reduce(|| vec![0u64; groups * BUCKETS], add_counts);
    let wanted: Vec<_> = scans
        .iter()
        .enumerate()
        .map(|(g, s)| {
            let (spots, ranks) = percentile_ranks(s.n, &[25.0, 50.0, 75.0]);
            let plan = Plan::new(&counts[g * BUCKETS..(g + 1) * BUCKETS], &ranks);
            (spots, ranks, plan)
        })
        .collect();
    // pass 3: the values of the wanted buckets, per group, in row order
    let gathered = per_group(
        x,
        codes,
        groups,
        |out: &mut Vec<f64>, g, v| {
            if wanted[g].2.wanted[bucket(g, v)] {
                out.push(v);
            }
        },
        |mut a, b| {
            a.extend(b);
            a
        },
    );
    let quartiles: Vec<[f64; 3]> = gathered
        .into_iter()
        .zip(&wanted)
        .map(|(mut values, (spots, ranks, plan))| {
            let v = select_in_place(&mut values, &plan.local);
            let q = percentiles_from(spots, ranks, &v);
            [q[0], q[1], q[2]]
        })
        .collect();
    // pass 4: whiskers and fliers per group
    let fence: Vec<(f64, f64)> = quartiles.iter().map(|&q| fences(q, whis)).collect();
    let beyond = per_group(
        x,
        codes,
        groups,
        |b: &mut Beyond, g, v| b.add(v, fence[g].0, fence[g].1),
        Beyond::merge,
    );
    Ok(scans
        .iter()
        .zip(quartiles)
        .zip(beyond)
        .map(|((s, q), b)| finish(s.n, s.extent.sum / s.n as f64, q, b))
        .collect())
}

/// One group code per value, or [`Error::LengthMismatch`].
pub(crate) fn check_codes(x: &[f64], codes: &[u32]) -> Result<()> {
    crate::ab::stats::check_lengths(("values", x.len()), ("group codes", codes.len()))
}

/// One accumulator per group, filled by `add(acc, group, value)` over the
/// rows in parallel chunks and merged in row order by `merge`.
fn per_group<T: Default + Clone + Send>(
    x: &[f64],
    codes: &[u32],
    groups: usize,
    add: impl Fn(&mut T, usize, f64) + Sync + Send,
    merge: impl Fn(T, T) -> T + Sync + Send,
) -> Vec<T> {
    x.par_chunks(CHUNK)
        .zip(codes.par_chunks(CHUNK))
        .map(|(xs, cs)| {
            let mut acc = vec![T::default(); groups];
            for (&v, &c) in xs.iter().zip(cs) {
                add(&mut acc[c as usize], c as usize, v);
            }
            acc
        })
        .reduce(
            || vec![T::default(); groups],
            |a, b| a.into_iter().zip(b).map(|(a, b)| merge(a, b)).collect(),
        )
}

/// The per-group path: split, then [`box_stats`] of each group.
fn split(
    x: &[f64],
    codes: &[u32],
    groups: usize,
    whis: f64,
    nan_policy: NanPolicy,
) -> Result<Vec<BoxStats>> {
    let mut parts = vec![Vec::new(); groups];
    for (&v, &c) in x.iter().zip(codes) {
        parts[c as usize].push(v);
    }
    parts
        .iter()
        .map(|p| box_stats(p, whis, nan_policy))
        .collect()
}
