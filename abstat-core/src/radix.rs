//! An argsort of p-values by a most-significant-digit distribution sort
//! whose digits adapt to where the values crowd.
//!
//! The multiple-testing corrections argsort p-values, whose IEEE bit
//! patterns order like the values. Real p-values crowd near 0 and spread
//! over many binades, so a fixed digit of the bits would put most of them
//! in a few buckets. Here the first pass counts the values of each binade
//! (exponent); each binade then gets about as many buckets as values,
//! splitting it by the top bits of the mantissa (distribution sorting,
//! Knuth, TAOCP vol. 3, §5.2.5, with the bucket boundaries of an MSD radix
//! sort). One counting pass, one scatter of (value, index) pairs in input
//! order and one insertion pass, which only moves values within their
//! bucket, leave the pairs sorted with ties in index order (what a stable
//! sort gives), and the sorted values at hand for the corrections' pass
//! over them. Against the three-pass LSD radix sort on packed 33-bit keys
//! it replaced, that pass reads the values in order instead of gathering
//! them, and no key is truncated.
//!
//! From [`PARALLEL_MIN`] values, two threads share the work by value: the
//! values are split at the binade boundary nearest their median, and each
//! side is partitioned out and sorted on its own thread into its own half
//! of the output. Each thread's counters and scatter target are half the
//! size, which matters more here than the extra partition pass: the
//! scatter's random writes are what a single thread waits on.

use std::mem::MaybeUninit;

/// Below this many values the comparison sort is as fast.
const BUCKET_MIN: usize = 256;

/// From this many values the sort runs on two threads, one per half of the
/// value range, when rayon has two.
const PARALLEL_MIN: usize = 1 << 15;

/// Buckets holding more values than this (exact ties, or values closer than
/// the binade's buckets) are sorted by comparison before the insertion
/// pass, so that no input makes it quadratic.
const SMALL_BUCKET: u32 = 32;

/// Bits of the mantissa of an f64.
pub(crate) const MANTISSA_BITS: u32 = 52;

/// The bits of 1.0: on [0, 1] the bits order like the values, and every
/// value above 1, negative (−0.0 aside), infinite or NaN has greater bits.
pub(crate) const ONE: u64 = 0x3FF0_0000_0000_0000;

/// A value and its index in the input.
type Pair = (f64, usize);

/// The bits of `p`, −0.0 as 0.0 (−0.0 + 0.0 is 0.0).
pub(crate) fn bits(p: f64) -> u64 {
    (p + 0.0).to_bits()
}

/// The non-NaN values of `v` with their indices, in increasing order of
/// value, equal values in index order (what a stable sort gives; −0.0 ties
/// with 0.0). `None` when a value that is not NaN lies outside [0, 1]: the
/// counting pass checks them.
pub(crate) fn argsort_unit(v: &[f64]) -> Option<Vec<Pair>> {
    let n = v.len();
    let in_unit = |p: &f64| p.is_nan() || (0.0..=1.0).contains(p);
    if n < BUCKET_MIN || n > u32::MAX as usize {
        if !v.iter().all(in_unit) {
            return None;
        }
        let mut pairs: Vec<Pair> = v
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_nan())
            .map(|(i, &p)| (p + 0.0, i))
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        // the caller's values, −0.0 included
        for pair in &mut pairs {
            pair.0 = v[pair.1];
        }
        return Some(pairs);
    }
    if n >= PARALLEL_MIN
        && rayon::current_num_threads() > 1
        && let Some(sorted) = by_value_halves(v)
    {
        return Some(sorted);
    }
    // Values per binade; p in [0, 1] has a biased exponent of at most 1023.
    let (mut per_exponent, bad) = exponent_counts(v);
    let mut m = n;
    if bad {
        // NaN (set aside) or a value outside [0, 1] (refused)
        per_exponent = [0; 1024];
        m = 0;
        for &p in v {
            if !p.is_nan() {
                let b = bits(p);
                if b > ONE {
                    return None;
                }
                per_exponent[(b >> MANTISSA_BITS) as usize] += 1;
                m += 1;
            }
        }
    }
    let layout = Layout::new(&per_exponent);
    let mut next = vec![0u32; layout.buckets as usize];
    let mut sorted = Vec::with_capacity(m);
    let values = || {
        v.iter()
            .enumerate()
            .filter(|(_, p)| !p.is_nan())
            .map(|(i, &p)| (p, i))
    };
    distribute(
        values,
        &layout,
        &mut next,
        &mut sorted.spare_capacity_mut()[..m],
    );
    // SAFETY: `distribute` wrote all m slots.
    unsafe { sorted.set_len(m) };
    Some(sorted)
}

/// The two-thread sort: the values are split at the binade boundary
/// nearest their median (stable partition, each half of the input on its
/// own thread), then each side is sorted by [`distribute`] on its own
/// thread into its own part of the output, so neither thread writes where
/// the other does and each one's counters and scatter target are half the
/// size. `None` (sort on one thread) when a value is NaN or outside [0, 1],
/// or when no binade boundary leaves 30–70% of the values on each side
/// (values crowding in one binade).
fn by_value_halves(v: &[f64]) -> Option<Vec<Pair>> {
    let n = v.len();
    let h = n / 2;
    // Allocated by the caller's thread, one block for the output and the
    // partition: rayon's threads allocate from arenas of their own, which
    // hand large blocks back to the system when freed, and glibc's malloc
    // trims its heap once more than twice its largest block is free, so
    // separate blocks would take fresh pages (page faults) on every call.
    // A binade of c values has fewer than 2c buckets: 2n counters suffice.
    let mut block: Vec<Pair> = Vec::with_capacity(2 * n);
    let mut next: Vec<u32> = Vec::with_capacity(2 * n);
    let done = rayon::scope(|_| {
        let ((ex, bad_x), (ey, bad_y)) =
            rayon::join(|| exponent_counts(&v[..h]), || exponent_counts(&v[h..]));
        if bad_x || bad_y {
            return false;
        }
        let mut per = [0u32; 1024];
        for ((total, x), y) in per.iter_mut().zip(&ex).zip(&ey) {
            *total = x + y;
        }
        // the boundary whose count below is nearest n/2
        let (mut below, mut split, mut best) = (0, 0, usize::MAX);
        let mut cumulative = 0usize;
        for (e, &c) in per.iter().enumerate() {
            if (2 * cumulative).abs_diff(n) < best {
                (best, split, below) = ((2 * cumulative).abs_diff(n), e, cumulative);
            }
            cumulative += c as usize;
        }
        if below * 10 < n * 3 || below * 10 > n * 7 {
            return false;
        }
        let below_x: usize = ex[..split].iter().map(|&c| c as usize).sum();
        let split_bits = (split as u64) << MANTISSA_BITS;
        let mut lower_per = [0u32; 1024];
        lower_per[..split].copy_from_slice(&per[..split]);
        let mut upper_per = [0u32; 1024];
        upper_per[split..].copy_from_slice(&per[split..]);
        let (lower, upper) = (Layout::new(&lower_per), Layout::new(&upper_per));
        next.resize((lower.buckets + upper.buckets) as usize, 0);
        let (sorted, parts) = block.spare_capacity_mut()[..2 * n].split_at_mut(n);
        let (px, py) = parts.split_at_mut(h);
        rayon::join(
            || partition(&v[..h], 0, split_bits, below_x, px),
            || partition(&v[h..], h, split_bits, below - below_x, py),
        );
        // SAFETY: the partitions wrote every slot: each half of `v` has
        // `below_x` (resp. below − below_x) values under the split, by its
        // exponent counts, and the rest over it; each value went to its own
        // slot of its side.
        let parts = unsafe { &*(parts as *const [MaybeUninit<Pair>] as *const [Pair]) };
        // parts: [x below | x above | y below | y above], each in index order
        let (px, py) = parts.split_at(h);
        let (x_below, x_above) = px.split_at(below_x);
        let (y_below, y_above) = py.split_at(below - below_x);
        let (sorted_below, sorted_above) = sorted.split_at_mut(below);
        let (next_below, next_above) = next.split_at_mut(lower.buckets as usize);
        rayon::join(
            || {
                let values = || x_below.iter().chain(y_below).copied();
                distribute(values, &lower, next_below, sorted_below)
            },
            || {
                let values = || x_above.iter().chain(y_above).copied();
                distribute(values, &upper, next_above, sorted_above)
            },
        );
        true
    });
    if !done {
        return None;
    }
    // SAFETY: `distribute` wrote the first n slots (both sides).
    unsafe { block.set_len(n) };
    Some(block)
}

/// Values of `v` per binade, and whether any value is NaN or outside
/// [0, 1] (then the counts are meaningless). Four interleaved tallies, so
/// that runs of values in one binade don't wait on each other's increments.
pub(crate) fn exponent_counts(v: &[f64]) -> ([u32; 1024], bool) {
    let mut tallies = [[0u32; 1024]; 4];
    let mut bad = false;
    let mut count = |tally: &mut [u32; 1024], p: f64| {
        let b = bits(p);
        bad |= b > ONE;
        tally[(b >> MANTISSA_BITS) as usize & 1023] += 1;
    };
    let mut quads = v.chunks_exact(4);
    for quad in &mut quads {
        for (tally, &p) in tallies.iter_mut().zip(quad) {
            count(tally, p);
        }
    }
    for (tally, &p) in tallies.iter_mut().zip(quads.remainder()) {
        count(tally, p);
    }
    let [a, b, c, d] = &tallies;
    let mut per = [0u32; 1024];
    for (e, total) in per.iter_mut().enumerate() {
        *total = a[e] + b[e] + c[e] + d[e];
    }
    (per, bad)
}

/// Stable partition of `v` (indices from `offset`) into `out`: the values
/// whose bits are below `split` (`below` of them) first, then the rest,
/// each in index order. One write per value, to a slot chosen without a
/// branch (which side a p-value falls on is a coin flip).
fn partition(v: &[f64], offset: usize, split: u64, below: usize, out: &mut [MaybeUninit<Pair>]) {
    let (mut low, mut high) = (0, below);
    for (i, &p) in v.iter().enumerate() {
        let is_low = bits(p) < split;
        out[if is_low { low } else { high }] = MaybeUninit::new((p, offset + i));
        low += usize::from(is_low);
        high += usize::from(!is_low);
    }
}

/// The buckets of a distribution sort on [0, 1]: a binade of c values gets
/// the smallest power of two ≥ c buckets, by the top mantissa bits.
pub(crate) struct Layout {
    /// The binade's first bucket.
    first: [u32; 1024],
    /// Mantissa bits below the binade's bucket digit.
    shift: [u32; 1024],
    /// Buckets in all.
    pub(crate) buckets: u32,
}

impl Layout {
    fn new(per_exponent: &[u32; 1024]) -> Layout {
        Layout::coarser(per_exponent, 0)
    }

    /// As [`Layout::new`] with `1 << fewer_bits` times fewer buckets per
    /// binade (at least one).
    pub(crate) fn coarser(per_exponent: &[u32; 1024], fewer_bits: u32) -> Layout {
        let mut first = [0u32; 1024];
        let mut shift = [MANTISSA_BITS; 1024];
        let mut buckets = 0u32;
        for ((&c, f), s) in per_exponent.iter().zip(&mut first).zip(&mut shift) {
            if c > 0 {
                let digit_bits = (u32::BITS - (c - 1).leading_zeros())
                    .saturating_sub(fewer_bits)
                    .min(MANTISSA_BITS);
                *f = buckets;
                *s = MANTISSA_BITS - digit_bits;
                buckets += 1 << digit_bits;
            }
        }
        Layout {
            first,
            shift,
            buckets,
        }
    }

    /// The first bucket of binade `e` (a counted one), how many it has, and
    /// the mantissa bits below their digit: bucket `first + j` holds the
    /// bits from `(e << 52) | (j << shift)` up to the next multiple of
    /// `1 << shift`.
    pub(crate) fn binade(&self, e: usize) -> (usize, usize, u32) {
        let shift = self.shift[e];
        (self.first[e] as usize, 1 << (MANTISSA_BITS - shift), shift)
    }

    /// The bucket of a value in [0, 1] (its bits) whose binade was counted.
    pub(crate) fn bucket(&self, b: u64) -> usize {
        let e = (b >> MANTISSA_BITS) as usize & 1023;
        (self.first[e] + ((b & ((1 << MANTISSA_BITS) - 1)) >> self.shift[e]) as u32) as usize
    }
}

/// Sort `values()` (pairs in index order, each value in a binade `layout`
/// counted) into `out`, which has room for exactly them: one counting pass
/// into `next` (zeroed, one slot per bucket), one scatter, which writes
/// every slot of `out` once, and one insertion pass.
fn distribute<I: Iterator<Item = Pair>>(
    values: impl Fn() -> I,
    layout: &Layout,
    next: &mut [u32],
    out: &mut [MaybeUninit<Pair>],
) {
    for (p, _) in values() {
        next[layout.bucket(bits(p))] += 1;
    }
    let largest = crate::bucket::bucket_starts(next);
    for (p, i) in values() {
        let at = &mut next[layout.bucket(bits(p))];
        out[*at as usize] = MaybeUninit::new((p, i));
        *at += 1;
    }
    assert_eq!(next.last().map_or(0, |&end| end as usize), out.len());
    // SAFETY: `values()` gave the same pairs to both passes, so each
    // bucket's slots, from its start to the next bucket's, were written
    // once each; the last bucket ends at out.len() (checked).
    let out = unsafe { &mut *(out as *mut [MaybeUninit<Pair>] as *mut [Pair]) };
    if largest > SMALL_BUCKET {
        // `next` now holds each bucket's end
        let mut start = 0;
        for &end in next.iter() {
            let end = end as usize;
            if end - start > SMALL_BUCKET as usize {
                out[start..end].sort_unstable_by(|a, b| {
                    (a.0 + 0.0).total_cmp(&(b.0 + 0.0)).then(a.1.cmp(&b.1))
                });
            }
            start = end;
        }
    }
    // Scattered in input order, so equal values already stand in index
    // order; a strict comparison keeps them so. As floats, −0.0 equals 0.0.
    crate::bucket::insertion_pass(out, |a, b| a.0 > b.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize, seed: u64) -> Vec<u64> {
        crate::bucket::test_words(n, seed)
    }

    /// The order a stable sort by value gives, NaN left out.
    fn stable_order(v: &[f64]) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..v.len()).filter(|&i| !v[i].is_nan()).collect();
        idx.sort_by(|&a, &b| (v[a] + 0.0).total_cmp(&(v[b] + 0.0)));
        idx
    }

    fn packed_order(v: &[f64]) -> Vec<usize> {
        let pairs = argsort_unit(v).expect("p-values in [0, 1]");
        // the values come with their indices, bit for bit (−0.0 kept)
        for &(p, i) in &pairs {
            assert_eq!(p.to_bits(), v[i].to_bits());
        }
        pairs.into_iter().map(|(_, i)| i).collect()
    }

    #[test]
    fn argsort_is_a_stable_sort_with_ties_and_nan() {
        for n in [
            0,
            1,
            2,
            7,
            BUCKET_MIN - 1,
            BUCKET_MIN,
            BUCKET_MIN + 1,
            5000,
            100_000,
            300_000,
        ] {
            let k = keys(n, 7 + n as u64);
            // p-values in [0, 1] with many exact ties (coarse values), exact
            // 0 and 1, −0.0, NaN, and near-ties that differ only in the
            // lowest mantissa bits (equal truncated keys).
            let v: Vec<f64> = k
                .iter()
                .enumerate()
                .map(|(i, &r)| match r % 10 {
                    0 => f64::NAN,
                    1 => (r % 17) as f64 / 16.0,
                    2 => -0.0,
                    3 => f64::from_bits(0x3FA0_0000_0000_0000 | (r & 0xFF)),
                    4 => 1e-300 * (i % 5) as f64,
                    _ => (r >> 11) as f64 / (1u64 << 53) as f64,
                })
                .collect();
            assert_eq!(packed_order(&v), stable_order(&v), "n = {n}");
        }
    }

    #[test]
    fn argsort_of_all_equal_values_is_the_identity() {
        let v = vec![0.5; 4000];
        assert_eq!(packed_order(&v), (0..4000).collect::<Vec<_>>());
        assert!(packed_order(&[f64::NAN; 600]).is_empty());
        // few distinct values (one or two radix passes move anything)
        for v in [
            (0..3000)
                .map(|i| ((i * 7919) % 7) as f64 / 8.0)
                .collect::<Vec<_>>(),
            (0..3000)
                .map(|i| 0.5 + ((i * 7919) % 2048) as f64 * 2f64.powi(-30))
                .collect(),
            (0..3000)
                .map(|i| 0.5 + ((i * 7919) % 2048) as f64 * 2f64.powi(-12))
                .collect(),
        ] {
            assert_eq!(packed_order(&v), stable_order(&v));
        }
    }

    /// A uniform draw in [0, 1) from a key.
    fn unit(r: u64) -> f64 {
        (r >> 11) as f64 / (1u64 << 53) as f64
    }

    /// p-value families of n values (no NaN): skewed, uniform, with ties,
    /// descending.
    fn families(n: usize, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
        let k = keys(n, seed);
        vec![
            // real p-values: most near 0, over hundreds of binades
            ("skewed", k.iter().map(|&r| unit(r).powi(40)).collect()),
            ("uniform", k.iter().map(|&r| unit(r)).collect()),
            // half exact ties at 1, the rest uniform: one large bucket
            (
                "ties at 1",
                k.iter()
                    .map(|&r| if r % 2 == 0 { 1.0 } else { unit(r) })
                    .collect(),
            ),
            // ties, exact 0 and 1, −0.0, near-ties a few ulps apart, tiny
            // values
            (
                "ties",
                k.iter()
                    .enumerate()
                    .map(|(i, &r)| match r % 9 {
                        0 => (r % 17) as f64 / 16.0,
                        1 => -0.0,
                        2 => f64::from_bits(0x3FE0_0000_0000_0000 | (r & 0xFF)),
                        3 => 1e-300 * (i % 5) as f64,
                        _ => unit(r),
                    })
                    .collect(),
            ),
            (
                "descending",
                (0..n).rev().map(|i| i as f64 / n as f64).collect(),
            ),
        ]
    }

    #[test]
    fn argsort_of_skewed_and_crowded_p_values_is_a_stable_sort() {
        let n = 20_000;
        // a crowd of distinct values inside one bucket of their binade
        let crowded = keys(n, 98)
            .iter()
            .map(|&r| f64::from_bits(0x3FE0_0000_0000_0000 | (r % 5000)))
            .collect();
        for (what, v) in families(n, 99).into_iter().chain([("crowded", crowded)]) {
            assert_eq!(packed_order(&v), stable_order(&v), "{what}");
        }
    }

    /// `by_value_halves`' order, checked like `packed_order`'s.
    fn halves_order(v: &[f64]) -> Option<Vec<usize>> {
        let pairs = by_value_halves(v)?;
        for &(p, i) in &pairs {
            assert_eq!(p.to_bits(), v[i].to_bits());
        }
        Some(pairs.into_iter().map(|(_, i)| i).collect())
    }

    #[test]
    fn the_two_thread_sort_is_a_stable_sort() {
        for n in [PARALLEL_MIN, 100_000, 300_001] {
            for (what, v) in families(n, 5 + n as u64) {
                let stable = stable_order(&v);
                let halves = halves_order(&v).unwrap_or_else(|| panic!("{what}: one thread"));
                assert!(halves == stable, "{what}, n = {n}");
                assert!(packed_order(&v) == stable, "{what}, n = {n}");
            }
        }
    }

    #[test]
    fn values_crowding_one_binade_nan_or_outside_values_sort_on_one_thread() {
        let n = 50_000;
        let k = keys(n, 3);
        // all in [0.5, 1): no binade boundary splits them
        let crowded: Vec<f64> = k.iter().map(|&r| 0.5 + unit(r) / 2.0).collect();
        assert!(by_value_halves(&crowded).is_none());
        assert_eq!(packed_order(&crowded), stable_order(&crowded));
        let mut with_nan: Vec<f64> = k.iter().map(|&r| unit(r)).collect();
        with_nan[n - 1] = f64::NAN;
        assert!(by_value_halves(&with_nan).is_none());
        assert_eq!(packed_order(&with_nan), stable_order(&with_nan));
        let mut outside = with_nan.clone();
        outside[n - 1] = 1.5;
        assert!(by_value_halves(&outside).is_none());
        assert!(argsort_unit(&outside).is_none());
    }

    #[test]
    fn values_outside_the_unit_interval_are_refused() {
        for n in [5, BUCKET_MIN, 5000] {
            for bad in [1.0 + f64::EPSILON, -1e-300, f64::INFINITY, -1.0, 2.0] {
                let mut v: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
                v[n / 2] = bad;
                assert!(argsort_unit(&v).is_none(), "{bad} among {n}");
            }
            let mut v: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
            v[1] = f64::NAN;
            v[2] = 1.0;
            v[3] = -0.0;
            assert!(argsort_unit(&v).is_some());
        }
    }
}
