//! Exact order statistics of big samples without sorting or copying them.
//!
//! Small samples (up to [`COPY_LIMIT`] values) are copied and the order
//! statistics found by successive selection (`select_nth_unstable`). Above,
//! a bucket selection: one parallel pass counts the values in
//! [`BUCKETS`] equal-width buckets over [min, max]; the cumulative counts
//! name the bucket holding each wanted rank; a second pass gathers only
//! the values of those buckets, and selection within them gives the exact
//! order statistic. The bucket of a value, ⌊(v − min)·scale⌋, never
//! decreases as v grows (IEEE rounding is monotone), so bucket order is
//! value order and the result equals that of a full sort.

use rayon::prelude::*;

#[cfg(test)]
use super::scan::extent_of;
use super::scan::{CHUNK, add_counts, bin_counts};

/// Samples up to this size are copied and selected in place.
pub(crate) const COPY_LIMIT: usize = 1 << 16;
/// Buckets of the counting pass.
pub(crate) const BUCKETS: usize = 1 << 16;

/// The order statistics of ranks `ranks` (0-based, increasing, each below
/// the total length) of the values of `parts` taken together.
#[cfg(test)]
pub(crate) fn order_statistics(parts: &[&[f64]], ranks: &[usize]) -> Vec<f64> {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    if n <= COPY_LIMIT {
        return order_statistics_within(parts, ranks, (0.0, 0.0));
    }
    let e = extent_of(parts);
    order_statistics_within(parts, ranks, (e.min, e.max))
}

/// [`order_statistics`] when the values' minimum and maximum `(lo, hi)`
/// are already known (from a fused scan), saving the pass that finds them;
/// `(lo, hi)` is not used up to [`COPY_LIMIT`] values.
pub(crate) fn order_statistics_within(
    parts: &[&[f64]],
    ranks: &[usize],
    (lo, hi): (f64, f64),
) -> Vec<f64> {
    debug_assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    let n: usize = parts.iter().map(|p| p.len()).sum();
    if n <= COPY_LIMIT {
        let mut buf: Vec<f64> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        return select_in_place(&mut buf, ranks);
    }
    let Some(bucket) = Bucketing::new(lo, hi) else {
        // all equal, or a range too wide for f64: one bucket, exact anyway
        let mut buf: Vec<f64> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        return select_in_place(&mut buf, ranks);
    };
    let counts = parts
        .iter()
        .map(|p| bin_counts(p, BUCKETS, |v| Some(bucket.of(v))))
        .reduce(add_counts)
        .expect("at least one part");
    let plan = Plan::new(&counts, ranks);
    let mut gathered: Vec<f64> = parts
        .iter()
        .flat_map(|p| {
            p.par_chunks(CHUNK)
                .flat_map_iter(|c| c.iter().copied().filter(|&v| plan.wanted[bucket.of(v)]))
                .collect::<Vec<f64>>()
        })
        .collect();
    select_in_place(&mut gathered, &plan.local)
}

/// [`BUCKETS`] equal-width buckets over `[lo, hi]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bucketing {
    lo: f64,
    scale: f64,
}

impl Bucketing {
    /// Buckets over `[lo, hi]`, or none when the range is empty or too
    /// wide for f64.
    pub(crate) fn new(lo: f64, hi: f64) -> Option<Bucketing> {
        let scale = BUCKETS as f64 / (hi - lo);
        (scale.is_finite() && scale > 0.0).then_some(Bucketing { lo, scale })
    }

    /// The bucket of `v` (monotone in `v`).
    #[inline]
    pub(crate) fn of(&self, v: f64) -> usize {
        (((v - self.lo) * self.scale) as usize).min(BUCKETS - 1)
    }
}

/// Which buckets hold the wanted ranks, and where each rank falls among
/// the values of those buckets (gathered in input order).
pub(crate) struct Plan {
    /// Buckets to gather.
    pub wanted: Vec<bool>,
    /// Rank of each wanted rank among the gathered values.
    pub local: Vec<usize>,
}

impl Plan {
    /// The plan for increasing `ranks` from the bucket `counts`.
    pub(crate) fn new(counts: &[u64], ranks: &[usize]) -> Plan {
        // starts[b]: values in buckets before b
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut acc = 0u64;
        starts.push(0u64);
        for &c in counts {
            acc += c;
            starts.push(acc);
        }
        let bucket_of_rank = |r: usize| starts.partition_point(|&s| s <= r as u64) - 1;
        let mut wanted = vec![false; counts.len()];
        for &r in ranks {
            wanted[bucket_of_rank(r)] = true;
        }
        // rank r is at (values of wanted buckets before its bucket) + (r −
        // start of its bucket) among the gathered values
        let mut before = vec![0u64; counts.len()];
        let mut kept = 0u64;
        for b in 0..counts.len() {
            before[b] = kept;
            if wanted[b] {
                kept += counts[b];
            }
        }
        let local = ranks
            .iter()
            .map(|&r| {
                let b = bucket_of_rank(r);
                (before[b] + (r as u64 - starts[b])) as usize
            })
            .collect();
        Plan { wanted, local }
    }
}

/// Ranks selected one after another by [`select_in_place`]; more are
/// split at their median rank.
const FEW_RANKS: usize = 8;
/// Slices at least this long are split between threads.
const PARALLEL_LEN: usize = 1 << 16;

/// Order statistics of increasing `ranks` of `buf`, reordering it (equal
/// to the values at those ranks after a full sort by `f64::total_cmp`).
///
/// A multi-select: up to [`FEW_RANKS`] ranks are selected one after
/// another, each right of the previous (O(len) each); more are split at
/// their median rank, whose selection partitions `buf` so that each half
/// of the ranks is found in its own side. k ranks of m values thus cost
/// O(m·log k), not O(m·k) (Floyd & Rivest's multiple selection; see also
/// Kaligosi, Mehlhorn, Munro & Sanders, "Towards optimal multiple
/// selection", ICALP 2005).
pub(crate) fn select_in_place(buf: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut out = vec![0.0; ranks.len()];
    multi_select(buf, ranks, 0, &mut out);
    out
}

/// [`select_in_place`] of `ranks` counted from `offset` (the position of
/// `buf` in the original slice), into `out`.
fn multi_select(buf: &mut [f64], ranks: &[usize], offset: usize, out: &mut [f64]) {
    if ranks.len() <= FEW_RANKS {
        let mut start = 0;
        for (o, &r) in out.iter_mut().zip(ranks) {
            let k = r - offset;
            let (_, v, _) = buf[start..].select_nth_unstable_by(k - start, f64::total_cmp);
            *o = *v;
            start = k;
        }
        return;
    }
    let k = ranks[ranks.len() / 2] - offset;
    let (left, v, right) = buf.select_nth_unstable_by(k, f64::total_cmp);
    // ranks equal to k (repeated ranks) take the pivot
    let lo = ranks.partition_point(|&r| r - offset < k);
    let hi = ranks.partition_point(|&r| r - offset <= k);
    out[lo..hi].fill(*v);
    let (out_left, rest) = out.split_at_mut(lo);
    let out_right = &mut rest[hi - lo..];
    let (ranks_left, ranks_right) = (&ranks[..lo], &ranks[hi..]);
    if left.len() + right.len() >= PARALLEL_LEN {
        rayon::join(
            || multi_select(left, ranks_left, offset, out_left),
            || multi_select(right, ranks_right, offset + k + 1, out_right),
        );
    } else {
        multi_select(left, ranks_left, offset, out_left);
        multi_select(right, ranks_right, offset + k + 1, out_right);
    }
}

/// `numpy.percentile(x, qs, method="linear")` of the values of `parts`
/// taken together, `qs` increasing, in percent.
#[cfg(test)]
pub(crate) fn percentiles(parts: &[&[f64]], qs: &[f64]) -> Vec<f64> {
    let e = extent_of(parts);
    percentiles_within(parts, qs, (e.min, e.max))
}

/// [`percentiles`] of values whose minimum and maximum are `extent`.
pub(crate) fn percentiles_within(parts: &[&[f64]], qs: &[f64], extent: (f64, f64)) -> Vec<f64> {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    let (spots, ranks) = percentile_ranks(n, qs);
    let v = order_statistics_within(parts, &ranks, extent);
    percentiles_from(&spots, &ranks, &v)
}

/// A percentile's lower rank and interpolation weight.
pub(crate) type Spot = (usize, f64);

/// numpy's virtual index q·(n − 1) of each of `qs` (percent) split into
/// its rank and fraction, and the increasing ranks the percentiles need.
pub(crate) fn percentile_ranks(n: usize, qs: &[f64]) -> (Vec<Spot>, Vec<usize>) {
    let spots: Vec<Spot> = qs
        .iter()
        .map(|&q| {
            let vi = (n - 1) as f64 * (q / 100.0);
            let k = (vi.floor() as usize).min(n - 1);
            (k, vi - k as f64)
        })
        .collect();
    let mut ranks: Vec<usize> = spots
        .iter()
        .flat_map(|&(k, _)| [k, (k + 1).min(n - 1)])
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    (spots, ranks)
}

/// The percentiles at `spots` from the order statistics `v` of `ranks`
/// (numpy's `method="linear"`).
pub(crate) fn percentiles_from(spots: &[Spot], ranks: &[usize], v: &[f64]) -> Vec<f64> {
    let last = ranks[ranks.len() - 1];
    let at = |r: usize| v[ranks.binary_search(&r).expect("rank asked for")];
    spots
        .iter()
        .map(|&(k, gamma)| {
            let a = at(k);
            if gamma > 0.0 {
                lerp(a, at((k + 1).min(last)), gamma)
            } else {
                a
            }
        })
        .collect()
}

/// numpy's `_lerp`: from the nearer end, for stability.
pub(crate) fn lerp(a: f64, b: f64, gamma: f64) -> f64 {
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Radix digit width of [`sort_descending`].
const DIGIT: u32 = 11;

/// Sort `x` in decreasing order (`f64::total_cmp`): a least-significant-
/// digit radix sort of the IEEE bit patterns, O(n), passes skipped where
/// every value has the same digit. Short inputs use the standard sort.
pub(crate) fn sort_descending(x: &mut [f64]) {
    if x.len() < 4096 {
        x.sort_unstable_by(|a, b| b.total_cmp(a));
        return;
    }
    // bits mapped so that unsigned order is total order, then inverted
    let key = |v: f64| {
        let b = v.to_bits();
        !(if b >> 63 == 1 { !b } else { b | 1 << 63 })
    };
    let value = |k: u64| {
        let b = !k;
        f64::from_bits(if b >> 63 == 1 { b & !(1 << 63) } else { !b })
    };
    let mut keys: Vec<u64> = x.iter().map(|&v| key(v)).collect();
    let mut out = vec![0u64; keys.len()];
    let mask = (1u64 << DIGIT) - 1;
    let mut shift = 0;
    while shift < 64 {
        let mut starts = vec![0usize; 1 << DIGIT];
        for &k in &keys {
            starts[((k >> shift) & mask) as usize] += 1;
        }
        if !starts.contains(&keys.len()) {
            let mut acc = 0;
            for c in starts.iter_mut() {
                let count = *c;
                *c = acc;
                acc += count;
            }
            for &k in &keys {
                let d = ((k >> shift) & mask) as usize;
                out[starts[d]] = k;
                starts[d] += 1;
            }
            std::mem::swap(&mut keys, &mut out);
        }
        shift += DIGIT;
    }
    for (v, k) in x.iter_mut().zip(keys) {
        *v = value(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(x: &[f64]) -> Vec<f64> {
        let mut s = x.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        s
    }

    #[test]
    fn bucket_selection_equals_a_full_sort() {
        // skewed, with ties and a far outlier, over several parts
        let n = 3 * COPY_LIMIT + 5;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1e6;
                if i == 7 { 1e9 } else { (u * 8.0).exp().round() }
            })
            .collect();
        let s = sorted(&x);
        let ranks = [0, 1, 5, n / 4, n / 4 + 1, n / 2, n - 2, n - 1];
        let parts = [&x[..1000], &x[1000..n / 2], &x[n / 2..]];
        assert_eq!(
            order_statistics(&parts, &ranks),
            ranks.iter().map(|&r| s[r]).collect::<Vec<_>>()
        );
        let constant = vec![2.5; n];
        assert_eq!(order_statistics(&[&constant], &[0, n - 1]), [2.5, 2.5]);
    }

    #[test]
    fn multi_select_equals_a_full_sort_for_many_and_repeated_ranks() {
        // ties (values rounded to 1/8) and many ranks, some repeated, so
        // both the split and the one-after-another branches run
        let n = 50_000;
        let x: Vec<f64> = (0..n)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1e6;
                ((u - 0.3) * 40.0 * 8.0).round() / 8.0
            })
            .collect();
        let s = sorted(&x);
        let mut ranks: Vec<usize> = (0..3000).map(|j| j * (n - 1) / 2999).collect();
        ranks.extend([0, 17, 17, 17, n / 2, n - 1]);
        ranks.sort_unstable();
        for parts in [vec![&x[..]], vec![&x[..10], &x[10..]]] {
            let got = if parts.len() == 1 {
                select_in_place(&mut x.clone(), &ranks)
            } else {
                order_statistics(&parts, &ranks)
            };
            assert_eq!(got, ranks.iter().map(|&r| s[r]).collect::<Vec<_>>());
        }
        let big: Vec<f64> = (0..3 * COPY_LIMIT).map(|i| x[i % n] * 1.5).collect();
        let sb = sorted(&big);
        let ranks: Vec<usize> = (0..2000).map(|j| j * (big.len() - 1) / 1999).collect();
        assert_eq!(
            order_statistics(&[&big], &ranks),
            ranks.iter().map(|&r| sb[r]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn radix_sort_orders_as_total_cmp() {
        let mut x: Vec<f64> = (0..10_000)
            .map(|i| {
                let u = ((i as u64).wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1e6;
                (u - 0.5) * 1e3 * if i % 3 == 0 { 1e-300 } else { 1.0 }
            })
            .chain([0.0, -0.0, f64::MAX, f64::MIN, 5.0, 5.0])
            .collect();
        let mut expected = x.clone();
        expected.sort_unstable_by(|a, b| b.total_cmp(a));
        sort_descending(&mut x);
        assert_eq!(
            x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn percentiles_match_numpy_on_small_samples() {
        // np.percentile([5, 1, 4, 2, 3], [25, 50, 75]) = [2, 3, 4]
        let x = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(percentiles(&[&x], &[25.0, 50.0, 75.0]), [2.0, 3.0, 4.0]);
        // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
        let x = [4.0, 3.0, 2.0, 1.0];
        assert_eq!(percentiles(&[&x], &[25.0, 50.0, 75.0]), [1.75, 2.5, 3.25]);
        // np.percentile([1, 3, 4], [25, 50, 75]) = [2, 3, 3.5]: shared ranks
        let x = [4.0, 1.0, 3.0];
        assert_eq!(percentiles(&[&x], &[25.0, 50.0, 75.0]), [2.0, 3.0, 3.5]);
        assert_eq!(percentiles(&[&[7.0]], &[25.0, 75.0]), [7.0, 7.0]);
    }
}
