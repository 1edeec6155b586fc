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

/// Below this many values the comparison sort is as fast.
const BUCKET_MIN: usize = 256;

/// Buckets holding more values than this (exact ties, or values closer than
/// the binade's buckets) are sorted by comparison before the insertion
/// pass, so that no input makes it quadratic.
const SMALL_BUCKET: u32 = 32;

/// Bits of the mantissa of an f64.
const MANTISSA_BITS: u32 = 52;

/// The non-NaN values of `v` with their indices, in increasing order of
/// value, equal values in index order (what a stable sort gives; −0.0 ties
/// with 0.0). `None` when a value that is not NaN lies outside [0, 1]: the
/// counting pass checks them.
pub(crate) fn argsort_unit(v: &[f64]) -> Option<Vec<(f64, usize)>> {
    let n = v.len();
    let by_value = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // −0.0 + 0.0 is 0.0: the bits order like the values on [0, 1].
    let bits = |p: f64| (p + 0.0).to_bits();
    let in_unit = |p: &f64| p.is_nan() || (0.0..=1.0).contains(p);
    if n < BUCKET_MIN || n > u32::MAX as usize {
        if !v.iter().all(in_unit) {
            return None;
        }
        let mut pairs: Vec<(f64, usize)> = v
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_nan())
            .map(|(i, &p)| (p + 0.0, i))
            .collect();
        pairs.sort_unstable_by(by_value);
        // the caller's values, −0.0 included
        for pair in &mut pairs {
            pair.0 = v[pair.1];
        }
        return Some(pairs);
    }
    // Values per binade; p in [0, 1] has a biased exponent of at most 1023.
    // Above 1 (or negative, or infinite) the bits exceed those of 1.0.
    const ONE: u64 = 0x3FF0_0000_0000_0000;
    let mut per_exponent = [0u32; 1024];
    let mut m = 0;
    let mut outside = false;
    for &p in v {
        if !p.is_nan() {
            let b = bits(p);
            outside |= b > ONE;
            per_exponent[((b >> MANTISSA_BITS) as usize).min(1023)] += 1;
            m += 1;
        }
    }
    if outside {
        return None;
    }
    // A binade of c values gets the smallest power of two ≥ c buckets, by
    // the top mantissa bits: `first[e]` is its first bucket, `shift[e]`
    // drops the mantissa bits below its bucket digit.
    let mut first = [0u32; 1024];
    let mut shift = [MANTISSA_BITS; 1024];
    let mut buckets = 0u32;
    for ((&c, f), s) in per_exponent.iter().zip(&mut first).zip(&mut shift) {
        if c > 0 {
            let digit_bits = (u32::BITS - (c - 1).leading_zeros()).min(MANTISSA_BITS);
            *f = buckets;
            *s = MANTISSA_BITS - digit_bits;
            buckets += 1 << digit_bits;
        }
    }
    let bucket = |b: u64| {
        let e = (b >> MANTISSA_BITS) as usize;
        (first[e] + ((b & ((1 << MANTISSA_BITS) - 1)) >> shift[e]) as u32) as usize
    };
    let mut next = vec![0u32; buckets as usize];
    for &p in v {
        if !p.is_nan() {
            next[bucket(bits(p))] += 1;
        }
    }
    let largest = crate::bucket::bucket_starts(&mut next);
    let mut pairs = vec![(0.0, 0); m];
    for (i, &p) in v.iter().enumerate() {
        if !p.is_nan() {
            let at = &mut next[bucket(bits(p))];
            pairs[*at as usize] = (p, i);
            *at += 1;
        }
    }
    if largest > SMALL_BUCKET {
        // `next` now holds each bucket's end
        let mut start = 0;
        for &end in &next {
            let end = end as usize;
            if end - start > SMALL_BUCKET as usize {
                pairs[start..end].sort_unstable_by(|a, b| {
                    (a.0 + 0.0).total_cmp(&(b.0 + 0.0)).then(a.1.cmp(&b.1))
                });
            }
            start = end;
        }
    }
    // Scattered in input order, so equal values already stand in index
    // order; a strict comparison keeps them so. As floats, −0.0 equals 0.0.
    crate::bucket::insertion_pass(&mut pairs, |a, b| a.0 > b.0);
    Some(pairs)
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

    #[test]
    fn argsort_of_skewed_and_crowded_p_values_is_a_stable_sort() {
        let n = 20_000;
        let k = keys(n, 99);
        let unit = |r: u64| (r >> 11) as f64 / (1u64 << 53) as f64;
        for (what, v) in [
            // real p-values: most near 0, over hundreds of binades
            (
                "skewed",
                k.iter().map(|&r| unit(r).powi(40)).collect::<Vec<_>>(),
            ),
            ("uniform", k.iter().map(|&r| unit(r)).collect()),
            // a crowd of distinct values inside one bucket of their binade
            (
                "crowded",
                k.iter()
                    .map(|&r| f64::from_bits(0x3FE0_0000_0000_0000 | (r % 5000)))
                    .collect(),
            ),
            // half exact ties at 1, the rest uniform: one large bucket
            (
                "ties at 1",
                k.iter()
                    .map(|&r| if r % 2 == 0 { 1.0 } else { unit(r) })
                    .collect(),
            ),
            (
                "descending",
                (0..n).rev().map(|i| i as f64 / n as f64).collect(),
            ),
        ] {
            assert_eq!(packed_order(&v), stable_order(&v), "{what}");
        }
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
