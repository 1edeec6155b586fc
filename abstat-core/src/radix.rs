//! An argsort of p-values by a least-significant-digit radix sort on packed
//! (key, index) words.
//!
//! The multiple-testing corrections argsort p-values, whose IEEE bit
//! patterns order like the values. An LSD radix sort by 11-bit digits
//! (Knuth, TAOCP vol. 3, §5.2.5) takes a few linear passes and skips every
//! digit on which all keys agree, several times faster than a comparison
//! sort at 10⁴–10⁵ elements. Being stable, it keeps equal keys in input
//! order, so ties stay in index order. At 10⁶ elements and more the
//! scattered writes make it memory-bound, and on a busy machine (and at
//! n = 5000, Shapiro–Wilk's size) a comparison sort of plain keys is no
//! slower, so the rank tests keep theirs.

/// Bits per digit: 2048 buckets, whose counters stay in L1/L2 cache.
const BITS: u32 = 11;

/// Below this many elements the standard library's sort is faster than the
/// passes over 2048 buckets.
const RADIX_MIN: usize = 1 << 9;

/// Key bits [`argsort_unit`] sorts on; the rest is settled among ties.
const KEY_BITS: u32 = 3 * BITS;

/// The order of the non-NaN values of a slice of floats in [0, 1] (p-values), from [`argsort_unit`]: each entry packs a truncated sort
/// key above the original index.
pub(crate) struct PackedOrder {
    packed: Vec<u64>,
    mask: u64,
}

impl PackedOrder {
    /// Number of values ordered (the non-NaN ones).
    pub(crate) fn len(&self) -> usize {
        self.packed.len()
    }

    /// The original index of the `k`-th smallest value.
    pub(crate) fn index(&self, k: usize) -> usize {
        (self.packed[k] & self.mask) as usize
    }

    /// The original indices, smallest value first.
    pub(crate) fn indices(
        &self,
    ) -> impl DoubleEndedIterator<Item = usize> + ExactSizeIterator + '_ {
        self.packed.iter().map(|&k| (k & self.mask) as usize)
    }
}

/// A word the radix passes move: u64, or f64 holding the same bits (so a
/// caller's f64 output buffer can serve as the scratch space).
trait Word: Copy {
    fn bits(self) -> u64;
    fn of(b: u64) -> Self;
}

impl Word for u64 {
    fn bits(self) -> u64 {
        self
    }
    fn of(b: u64) -> Self {
        b
    }
}

impl Word for f64 {
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn of(b: u64) -> Self {
        f64::from_bits(b)
    }
}

/// Indices of the non-NaN values of `v` in increasing order of value, equal
/// values in index order (what a stable sort gives). Every non-NaN value
/// must be in [0, 1] (−0.0 ties with 0.0); the caller checks.
///
/// For floats in [0, 1] the IEEE bit patterns order like the values. Each
/// value's top key bits are packed above its index, and the words are
/// sorted by an LSD radix sort on the key bits only: starting from index
/// order, a stable sort keeps equal keys in index order, so the index bits
/// need no pass. One 8-byte word per value instead of a (key, index) pair
/// and three passes instead of six move a quarter of the bytes the pair
/// sort moved. Values whose truncated keys tie but
/// whose full keys differ (a relative difference below about 2⁻²³) are put
/// in order by a final pass over such runs.
///
/// `scratch` (at least as long as `v`) is overwritten: the radix passes
/// alternate between it and the result.
pub(crate) fn argsort_unit(v: &[f64], scratch: &mut [f64]) -> PackedOrder {
    let n = v.len();
    let idx_bits = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1);
    let mask = (1u64 << idx_bits) - 1;
    // In [0, 1] the sign bit and the top exponent bit are clear: 62
    // significant key bits, of which the top `key_bits` are kept, at most
    // 33 (the exponent and 23 mantissa bits: three 11-bit passes; four or
    // five passes over more bits were slower at 10⁵ values, the final pass
    // over truncated ties cheaper than a pass).
    let key_bits = (64 - idx_bits).min(KEY_BITS);
    let drop = 62u32.saturating_sub(key_bits);
    let full_key = |i: usize| (v[i] + 0.0).to_bits();
    let mut packed: Vec<u64> = v
        .iter()
        .enumerate()
        .filter(|(_, x)| !x.is_nan())
        .map(|(i, x)| (((x + 0.0).to_bits() >> drop) << idx_bits) | i as u64)
        .collect();
    let m = packed.len();
    if m < RADIX_MIN {
        packed.sort_unstable_by_key(|&k| (full_key((k & mask) as usize), k & mask));
        return PackedOrder { packed, mask };
    }
    let passes = key_bits.div_ceil(BITS);
    let width = key_bits.div_ceil(passes);
    let buckets = 1usize << width;
    let digit = |k: u64, d: u32| ((k >> (idx_bits + d * width)) as usize) & (buckets - 1);
    let mut counts = vec![0usize; passes as usize * buckets];
    for &k in &packed {
        for d in 0..passes {
            counts[d as usize * buckets + digit(k, d)] += 1;
        }
    }
    let scratch = &mut scratch[..m];
    let mut in_packed = true;
    let mut offsets = vec![0usize; buckets];
    for d in 0..passes {
        let c = &counts[d as usize * buckets..(d as usize + 1) * buckets];
        // Every key has the same digit here: the pass would not move anything.
        if c.contains(&m) {
            continue;
        }
        let mut sum = 0;
        for (o, &c) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += c;
        }
        let shift = idx_bits + d * width;
        if in_packed {
            scatter_words(&packed, scratch, &mut offsets, shift, buckets);
        } else {
            scatter_words(scratch, &mut packed, &mut offsets, shift, buckets);
        }
        in_packed = !in_packed;
    }
    if !in_packed {
        for (k, s) in packed.iter_mut().zip(scratch.iter()) {
            *k = s.to_bits();
        }
    }
    if drop > 0 {
        // Runs of equal truncated keys: order them by the full key, then index.
        let mut start = 0;
        while start < m {
            let head = packed[start] >> idx_bits;
            let mut end = start + 1;
            while end < m && packed[end] >> idx_bits == head {
                end += 1;
            }
            let run = &mut packed[start..end];
            if !run.is_sorted_by_key(|&k| full_key((k & mask) as usize)) {
                run.sort_unstable_by_key(|&k| (full_key((k & mask) as usize), k & mask));
            }
            start = end;
        }
    }
    PackedOrder { packed, mask }
}

fn scatter_words<S: Word, D: Word>(
    src: &[S],
    dst: &mut [D],
    offsets: &mut [usize],
    shift: u32,
    buckets: usize,
) {
    for &w in src {
        let k = w.bits();
        let b = ((k >> shift) as usize) & (buckets - 1);
        dst[offsets[b]] = D::of(k);
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

    /// The order a stable sort by value gives, NaN left out.
    fn stable_order(v: &[f64]) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..v.len()).filter(|&i| !v[i].is_nan()).collect();
        idx.sort_by(|&a, &b| (v[a] + 0.0).total_cmp(&(v[b] + 0.0)));
        idx
    }

    fn packed_order(v: &[f64]) -> Vec<usize> {
        let mut scratch = vec![0.0; v.len()];
        argsort_unit(v, &mut scratch).indices().collect()
    }

    #[test]
    fn packed_argsort_is_a_stable_sort_with_ties_and_nan() {
        for n in [0, 1, 2, 7, RADIX_MIN - 1, RADIX_MIN, 5000, 100_000, 300_000] {
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
    fn packed_argsort_of_all_equal_values_is_the_identity() {
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
}
