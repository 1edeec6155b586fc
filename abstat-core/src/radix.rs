//! Stable least-significant-digit radix sort on 64-bit integer keys.
//!
//! The multiple-testing corrections argsort p-values, whose IEEE bit
//! patterns order like the values. Sorting (key, index) pairs by 11-bit
//! digits takes at most six linear passes (and skips every digit on which
//! all keys agree), several times faster than a comparison sort of the
//! pairs at 10⁴–10⁵ elements (Knuth, TAOCP vol. 3, §5.2.5). Being stable, it
//! keeps equal keys in input order, so ties stay in index order. At 10⁶
//! elements and more the scattered writes make it memory-bound, and on a
//! busy machine a comparison sort of plain keys is no slower, so the rank
//! tests keep theirs.

/// Bits per digit: 2048 buckets, whose counters stay in L1/L2 cache.
const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;
const PASSES: usize = 64usize.div_ceil(BITS as usize);

/// Below this many elements the standard library's stable sort is faster
/// than the passes over 2048 buckets.
const RADIX_MIN: usize = 1 << 9;

/// Sort `v` by `key` ascending, stably (equal keys keep their order).
pub(crate) fn sort_by_key<T: Copy>(v: &mut [T], key: impl Fn(&T) -> u64) {
    let n = v.len();
    if n < RADIX_MIN {
        v.sort_by_key(&key);
        return;
    }
    // One pass counts every digit's histogram.
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for t in v.iter() {
        let k = key(t);
        for (d, c) in counts.iter_mut().enumerate() {
            c[digit(k, d)] += 1;
        }
    }
    let mut scratch: Vec<T> = v.to_vec();
    let mut in_v = true;
    for (d, c) in counts.iter().enumerate() {
        // Every key has the same digit here: the pass would not move anything.
        if c.contains(&n) {
            continue;
        }
        let mut offsets = [0usize; BUCKETS];
        let mut sum = 0;
        for (o, &c) in offsets.iter_mut().zip(c.iter()) {
            *o = sum;
            sum += c;
        }
        if in_v {
            scatter(v, &mut scratch, &mut offsets, d, &key);
        } else {
            scatter(&scratch, v, &mut offsets, d, &key);
        }
        in_v = !in_v;
    }
    if !in_v {
        v.copy_from_slice(&scratch);
    }
}

fn digit(k: u64, d: usize) -> usize {
    ((k >> (d as u32 * BITS)) as usize) & (BUCKETS - 1)
}

fn scatter<T: Copy>(
    src: &[T],
    dst: &mut [T],
    offsets: &mut [usize; BUCKETS],
    d: usize,
    key: &impl Fn(&T) -> u64,
) {
    for t in src {
        let b = digit(key(t), d);
        dst[offsets[b]] = *t;
        offsets[b] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64, for reproducible keys spread over all 64 bits.
    fn keys(n: usize, seed: u64) -> Vec<u64> {
        (1..=n as u64)
            .map(|i| {
                let mut z = seed.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            })
            .collect()
    }

    #[test]
    fn sorts_like_the_standard_library_at_every_size() {
        for n in [0, 1, 2, 100, RADIX_MIN - 1, RADIX_MIN, 5000, 100_000] {
            let mut v = keys(n, n as u64);
            let mut expected = v.clone();
            expected.sort_unstable();
            sort_by_key(&mut v, |&k| k);
            assert_eq!(v, expected, "n = {n}");
        }
    }

    #[test]
    fn is_stable_and_skips_constant_digits() {
        // Few distinct keys that differ only in one middle digit, many ties:
        // equal keys must keep their input order (the payload).
        let mut v: Vec<(u64, usize)> = (0..20_000)
            .map(|i| (0xABCD_0000_0000_0000 | (((i * 7919) % 13) as u64) << 30, i))
            .collect();
        let mut expected = v.clone();
        expected.sort_by_key(|&(k, _)| k);
        sort_by_key(&mut v, |&(k, _)| k);
        assert_eq!(v, expected);
    }

    #[test]
    fn odd_number_of_passes_ends_in_place() {
        // Keys differing only in the lowest digit: one pass, result in scratch.
        let mut v: Vec<u64> = (0..1000u64).rev().map(|i| i % 2048).collect();
        sort_by_key(&mut v, |&k| k);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(v[0], 0);
    }
}
