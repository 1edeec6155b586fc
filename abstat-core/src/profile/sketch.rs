//! Mergeable summaries of a stream that fit in fixed memory: a
//! HyperLogLog for distinct counts, a KLL-style compactor for quantiles and
//! SpaceSaving for frequent values. Each is used only once its exact
//! counterpart would exceed the profile's limits.

use super::HashMap;

/// SplitMix64's finaliser: a bijective 64-bit mixer (Steele, Lea & Flood,
/// "Fast splittable pseudorandom number generators", OOPSLA 2014).
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over bytes, then mixed: a stable hash (the same on every
/// machine and run, unlike `std`'s randomised `HashMap` hasher).
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h ^ b.len() as u64)
}

/// HyperLogLog with 2^p registers (Flajolet, Fusy, Gandouet & Meunier
/// 2007), with the linear-counting correction for small cardinalities
/// (Heule, Nunkesser & Hall 2013, §4). Standard error ≈ 1.04 / √(2^p):
/// 0.81 % at p = 14.
#[derive(Debug, Clone)]
pub(crate) struct HyperLogLog {
    p: u8,
    registers: Vec<u8>,
}

impl HyperLogLog {
    pub(crate) fn new(p: u8) -> Self {
        HyperLogLog {
            p,
            registers: vec![0; 1 << p],
        }
    }

    /// Add an already mixed 64-bit hash.
    pub(crate) fn insert(&mut self, hash: u64) {
        let idx = (hash >> (64 - self.p)) as usize;
        let rest = (hash << self.p) | (1 << (self.p - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if rank > self.registers[idx] {
            self.registers[idx] = rank;
        }
    }

    pub(crate) fn merge(&mut self, other: &HyperLogLog) {
        for (a, &b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(b);
        }
    }

    pub(crate) fn estimate(&self) -> u64 {
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let raw = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let est = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        est.round() as u64
    }
}

/// Quantiles of a stream in O(k log(n/k)) memory: buffers per level, where
/// an item at level h stands for 2^h inputs; a full level is sorted and
/// every other item promoted (Karnin, Lang & Liberty, "Optimal quantile
/// approximation in streams", FOCS 2016, with a fixed capacity per level).
/// Rank error is about n·log2(n/k)/k in the worst case and far less in
/// practice. The alternating offset keeps it deterministic.
///
/// Inputs beyond the first [`SAMPLE_AFTER`] are sampled: one in
/// 2^[`SAMPLE_BITS`], chosen by a SplitMix64 stream (fixed seed, so
/// deterministic), enters at level [`SAMPLE_BITS`], where an item stands
/// for that many inputs — the sampling of KLL's lowest levels. It adds a
/// rank error of standard deviation at most √(q(1 − q)·2^SAMPLE_BITS / n)
/// (0.2 % at a million values, 0.06 % at ten million) and cuts the
/// sketch's cost per sampled-out input to a counter step and a nibble of
/// a mixed word (one mix per 16 inputs).
#[derive(Debug, Clone)]
pub(crate) struct QuantileSketch {
    k: usize,
    levels: Vec<Vec<f64>>,
    odd: bool,
    /// Inputs seen (the SplitMix64 state of the sampling is derived
    /// from it).
    seen: u64,
}

/// log2 of the inputs per sampled item of a [`QuantileSketch`].
pub(crate) const SAMPLE_BITS: usize = 4;
// The sampling takes one nibble of a 64-bit word per input.
const _: () = assert!(SAMPLE_BITS == 4);
/// Inputs a [`QuantileSketch`] takes whole before it samples.
pub(crate) const SAMPLE_AFTER: u64 = 1 << 20;

impl QuantileSketch {
    pub(crate) fn new(k: usize) -> Self {
        QuantileSketch {
            k: k.max(8),
            levels: vec![Vec::new(); SAMPLE_BITS + 1],
            odd: false,
            seen: 0,
        }
    }

    /// Add an input (beyond the first [`SAMPLE_AFTER`], kept with
    /// probability 2^−[`SAMPLE_BITS`]).
    #[inline]
    pub(crate) fn insert(&mut self, x: f64) {
        self.seen += 1;
        let level = if self.seen <= SAMPLE_AFTER {
            0
        } else if Self::sampled(self.seen) {
            SAMPLE_BITS
        } else {
            return;
        };
        self.levels[level].push(x);
        if self.levels[level].len() >= self.k {
            self.compact(level);
        }
    }

    /// [`Self::insert`] of each of `xs` in turn.
    pub(crate) fn extend(&mut self, xs: &[f64]) {
        let whole = (SAMPLE_AFTER.saturating_sub(self.seen) as usize).min(xs.len());
        let (whole, sampled) = xs.split_at(whole);
        whole.iter().for_each(|&x| self.insert(x));
        if sampled.is_empty() {
            return;
        }
        // A group of 16 inputs at a time: one mix gives the group's
        // nibbles, and only the inputs whose nibble is zero (one in 16)
        // are visited. The count of inputs stays in a local: as a field it
        // went through memory on every step.
        let mut seen = self.seen;
        let mut i = 0;
        while i < sampled.len() {
            let offset = (seen & 15) as usize;
            let n = (16 - offset).min(sampled.len() - i);
            let word = Self::group_word(seen >> 4);
            // bit 4j set where nibble j of the word is zero, for the
            // nibbles of inputs i.. i + n
            let any = word | (word >> 1);
            let any = any | (any >> 2);
            let mut zero = !any & 0x1111_1111_1111_1111 & (!0u64 << (4 * offset));
            if offset + n < 16 {
                zero &= (1u64 << (4 * (offset + n))) - 1;
            }
            while zero != 0 {
                let j = (zero.trailing_zeros() / 4) as usize - offset;
                zero &= zero - 1;
                self.levels[SAMPLE_BITS].push(sampled[i + j]);
                if self.levels[SAMPLE_BITS].len() >= self.k {
                    self.seen = seen + j as u64 + 1;
                    self.compact(SAMPLE_BITS);
                }
            }
            seen += n as u64;
            i += n;
        }
        self.seen = seen;
    }

    /// Whether the input number `seen` (from 1, beyond [`SAMPLE_AFTER`])
    /// is kept: when its nibble of its group's word is zero.
    #[inline]
    fn sampled(seen: u64) -> bool {
        let i = seen - 1;
        (Self::group_word(i >> 4) >> (4 * (i & 15))) & 15 == 0
    }

    /// The SplitMix64 word of inputs 16·`group` to 16·`group` + 15
    /// (counted from 0), a nibble for each.
    #[inline]
    fn group_word(group: u64) -> u64 {
        mix64(group.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn compact(&mut self, h: usize) {
        let mut items = std::mem::take(&mut self.levels[h]);
        self.levels[h].reserve(self.k);
        if h == 0 || h == SAMPLE_BITS {
            // inputs in arrival order
            sort_total(&mut items);
        } else {
            // Runs of promoted items, each sorted (and at most one item
            // left over before them): the standard library's stable sort
            // merges runs it finds in linear time. Equal keys are equal
            // bit patterns, so any sort gives the same result.
            items.sort_by(f64::total_cmp);
        }
        if items.len() % 2 == 1 {
            // The largest item stays at this level, unpaired.
            self.levels[h].push(items.pop().expect("non-empty"));
        }
        let offset = usize::from(self.odd);
        self.odd = !self.odd;
        if self.levels.len() == h + 1 {
            self.levels.push(Vec::new());
        }
        self.levels[h + 1].extend(items.into_iter().skip(offset).step_by(2));
        if self.levels[h + 1].len() >= self.k {
            self.compact(h + 1);
        }
    }

    pub(crate) fn merge(&mut self, other: &QuantileSketch) {
        self.seen += other.seen;
        for (h, items) in other.levels.iter().enumerate() {
            if self.levels.len() <= h {
                self.levels.push(Vec::new());
            }
            self.levels[h].extend_from_slice(items);
        }
        let mut h = 0;
        while h < self.levels.len() {
            if self.levels[h].len() >= self.k {
                self.compact(h);
            }
            h += 1;
        }
    }

    /// The value at rank q·(W − 1) of the weighted items (W their total
    /// weight), interpolating linearly between neighbours as numpy's
    /// default method does on exact data.
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        let mut items: Vec<(f64, u64)> = self
            .levels
            .iter()
            .enumerate()
            .flat_map(|(h, l)| l.iter().map(move |&x| (x, 1u64 << h)))
            .collect();
        items.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let total: u64 = items.iter().map(|i| i.1).sum();
        if total == 0 {
            return f64::NAN;
        }
        let target = q * (total - 1) as f64;
        let mut before = 0u64;
        for (i, &(x, w)) in items.iter().enumerate() {
            let last_rank = (before + w - 1) as f64;
            if target <= last_rank {
                return x;
            }
            if let Some(&(next, _)) = items.get(i + 1)
                && target < last_rank + 1.0
            {
                return x + (next - x) * (target - last_rank);
            }
            before += w;
        }
        items.last().map_or(f64::NAN, |i| i.0)
    }
}

/// `f64::total_cmp`'s order as unsigned integers: positive values with the
/// sign bit set, negative values with every bit flipped.
fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 0 { b | 1 << 63 } else { !b }
}

fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Sort `items` as `sort_unstable_by(f64::total_cmp)` does (the result is
/// the same: equal keys are equal bit patterns), by sorting their
/// [`total_key`]s as integers. On the sketch's buffers of thousands of
/// values this is about twice as fast as comparing floats, and than a
/// least-significant-digit radix sort, which needs all eight byte passes
/// for measured values.
pub(crate) fn sort_total(items: &mut [f64]) {
    let mut keys: Vec<u64> = items.iter().map(|&x| total_key(x)).collect();
    keys.sort_unstable();
    for (x, &k) in items.iter_mut().zip(&keys) {
        *x = from_total_key(k);
    }
}

/// Frequent values with at most `capacity` counters (Metwally, Agrawal &
/// El Abbadi, "Efficient computation of frequent and top-k elements in
/// data streams", ICDT 2005). Counts are upper bounds; a value whose true
/// count exceeds n / capacity is always kept.
#[derive(Debug, Clone)]
pub(crate) struct SpaceSaving {
    capacity: usize,
    pub(crate) counts: HashMap<String, u64>,
}

impl SpaceSaving {
    pub(crate) fn new(capacity: usize, counts: HashMap<String, u64>) -> Self {
        let mut s = SpaceSaving {
            capacity: capacity.max(1),
            counts,
        };
        s.shrink();
        s
    }

    pub(crate) fn insert(&mut self, value: &str, n: u64) {
        if let Some(c) = self.counts.get_mut(value) {
            *c += n;
            return;
        }
        if self.counts.len() < self.capacity {
            self.counts.insert(value.to_string(), n);
            return;
        }
        let (min_key, min) = self
            .counts
            .iter()
            .min_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, &v)| (k.clone(), v))
            .expect("capacity ≥ 1");
        self.counts.remove(&min_key);
        self.counts.insert(value.to_string(), min + n);
    }

    pub(crate) fn merge(&mut self, other: &SpaceSaving) {
        for (k, &v) in &other.counts {
            *self.counts.entry(k.clone()).or_default() += v;
        }
        self.shrink();
    }

    fn shrink(&mut self) {
        if self.counts.len() <= self.capacity {
            return;
        }
        let mut all: Vec<(String, u64)> = self.counts.drain().collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(self.capacity);
        self.counts = all.into_iter().collect();
    }
}

/// The (count, exact) of a standard hash set of `hashes`: exact up to
/// `limit` distinct hashes, else the HyperLogLog of all of them — what the
/// profile's exact-then-approximate counts must give.
#[cfg(test)]
pub(crate) fn count_by_std_set(hashes: &[u64], limit: usize, p: u8) -> (u64, bool) {
    let set: std::collections::HashSet<u64> = hashes.iter().copied().collect();
    if set.len() <= limit {
        return (set.len() as u64, true);
    }
    let mut hll = HyperLogLog::new(p);
    set.iter().for_each(|&h| hll.insert(h));
    (hll.estimate(), false)
}

/// (hashes, distinct among them, limit) around the exact limit, for the
/// tests of the distinct counts.
#[cfg(test)]
pub(crate) const LIMIT_CASES: [(u64, u64, usize); 9] = [
    (0, 1, 10),
    (1, 1, 10),
    (100, 10, 10),
    (100, 11, 10),
    (5_000, 5_000, 4_999),
    (5_000, 5_000, 5_000),
    (20_000, 3_000, 2_000),
    (20_000, 1_500, 2_000),
    (20_000, 20_000, 100_000),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperloglog_is_within_three_standard_errors() {
        for n in [10u64, 1000, 200_000] {
            let mut h = HyperLogLog::new(14);
            let mut half = HyperLogLog::new(14);
            for i in 0..n {
                h.insert(mix64(i));
                if i % 2 == 0 {
                    half.insert(mix64(i));
                }
            }
            let mut other = HyperLogLog::new(14);
            for i in (1..n).step_by(2) {
                other.insert(mix64(i));
            }
            half.merge(&other);
            for est in [h.estimate(), half.estimate()] {
                let err = (est as f64 - n as f64).abs() / n as f64;
                assert!(err < 3.0 * 0.0081, "n = {n}: estimate {est}");
            }
        }
    }

    #[test]
    fn quantile_sketch_ranks_are_close() {
        let n = 100_000;
        let mut s = QuantileSketch::new(1024);
        let mut t = QuantileSketch::new(1024);
        for i in 0..n {
            // A fixed permutation of 0..n so the input is not sorted.
            let x = ((i as u64 * 48_271) % n as u64) as f64;
            if i % 3 == 0 { t.insert(x) } else { s.insert(x) }
        }
        s.merge(&t);
        assert_ranks_close(&s, n as u64, 0.01);
    }

    /// `s`'s quantiles of a permutation of 0..n within `tol`·n ranks.
    fn assert_ranks_close(s: &QuantileSketch, n: u64, tol: f64) {
        for q in [0.01, 0.25, 0.5, 0.75, 0.99] {
            let exact = q * (n - 1) as f64;
            let got = s.quantile(q);
            assert!(
                (got - exact).abs() / n as f64 <= tol,
                "q = {q}: {got} vs {exact}"
            );
        }
    }

    #[test]
    fn sampled_sketch_ranks_are_close() {
        // beyond SAMPLE_AFTER inputs, one in 2^SAMPLE_BITS is kept
        let n = 3 * SAMPLE_AFTER;
        let mut s = QuantileSketch::new(2048);
        for i in 0..n {
            s.insert(((i * 48_271) % n) as f64);
        }
        let kept: usize = s.levels.iter().map(Vec::len).sum();
        assert!(kept < 20_000, "{kept} items kept");
        assert_ranks_close(&s, n, 0.005);
    }

    #[test]
    fn extending_by_batches_keeps_what_inserting_one_by_one_keeps() {
        // across the start of the sampling, with compactions of every
        // level, in batches that end on and off the sampling boundary
        let n = SAMPLE_AFTER + 300_000;
        let xs: Vec<f64> = (0..n)
            .map(|i| ((i * 48_271) % 100_003) as f64 / 7.0)
            .collect();
        let mut one_by_one = QuantileSketch::new(64);
        xs.iter().for_each(|&x| one_by_one.insert(x));
        let state = |s: &QuantileSketch| {
            let bits: Vec<Vec<u64>> = s
                .levels
                .iter()
                .map(|l| l.iter().map(|x| x.to_bits()).collect())
                .collect();
            (bits, s.seen, s.odd)
        };
        for batch in [1, 1000, 65_536, n as usize] {
            let mut batched = QuantileSketch::new(64);
            xs.chunks(batch).for_each(|c| batched.extend(c));
            assert!(state(&batched) == state(&one_by_one), "batch {batch}");
        }
    }

    #[test]
    fn sort_total_orders_as_total_cmp() {
        let mut state = 7u64;
        for n in [0, 1, 255, 256, 2048, 5000] {
            let mut xs: Vec<f64> = (0..n)
                .map(|i| {
                    state = mix64(state.wrapping_add(i as u64));
                    match state % 7 {
                        0 => [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-310][i % 5],
                        1 => (state % 100) as f64 / 100.0,
                        2 => -((state % 1000) as f64),
                        _ => {
                            f64::from_bits(state >> 2)
                                * if state.is_multiple_of(2) { 1.0 } else { -1.0 }
                        }
                    }
                })
                .collect();
            let mut expected = xs.clone();
            expected.sort_unstable_by(f64::total_cmp);
            sort_total(&mut xs);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&xs), bits(&expected), "n = {n}");
        }
    }

    #[test]
    fn space_saving_keeps_heavy_hitters() {
        let mut s = SpaceSaving::new(10, HashMap::default());
        for i in 0..10_000u32 {
            let v = if i % 3 == 0 {
                "heavy".to_string()
            } else {
                format!("v{i}")
            };
            s.insert(&v, 1);
        }
        assert!(s.counts["heavy"] >= 3334);
    }
}
