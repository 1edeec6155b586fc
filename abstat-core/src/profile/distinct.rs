//! A column's distinct values: a set of their 64-bit hashes while at most
//! `limit` differ, then a HyperLogLog.
//!
//! The hashes are already mixed (a bijection of the value for numbers,
//! FNV-1a then mixed for text), so the set needs no hasher of its own: an
//! open-addressing table of the hashes themselves, indexed by their low
//! bits and probed linearly. Each probe reads one cache line, where a
//! general hash map reads a control byte and then a slot; on uploads of
//! millions of rows every value of a low-cardinality column probes the set.

use super::sketch::HyperLogLog;

/// Exact set of 64-bit hashes (open addressing, linear probing, at most
/// half full: at up to three quarters, a column of 23,583 distinct values
/// in 32,768 slots took 1.8x as long per lookup as in 65,536, measured on
/// 10M lookups). The empty slot is 0; the hash 0 is a flag.
#[derive(Debug, Clone, Default)]
pub(crate) struct HashSet64 {
    /// Power-of-two many slots, or none before the first insert.
    slots: Vec<u64>,
    /// Non-zero hashes in `slots`.
    filled: usize,
    /// Whether the hash 0 was inserted.
    zero: bool,
}

/// Slots of a set's first table.
const FIRST_SLOTS: usize = 64;

impl HashSet64 {
    /// Distinct hashes inserted.
    pub(crate) fn len(&self) -> usize {
        self.filled + usize::from(self.zero)
    }

    /// Add `h`; whether it was new.
    #[inline]
    pub(crate) fn insert(&mut self, h: u64) -> bool {
        if h == 0 {
            return !std::mem::replace(&mut self.zero, true);
        }
        if 2 * (self.filled + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let s = self.slots[i];
            if s == h {
                return false;
            }
            if s == 0 {
                self.slots[i] = h;
                self.filled += 1;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let slots = (2 * self.slots.len()).max(FIRST_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![0; slots]);
        let mask = self.slots.len() - 1;
        for h in old.into_iter().filter(|&h| h != 0) {
            let mut i = h as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = h;
        }
    }

    /// Every hash in the set, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        self.zero
            .then_some(0)
            .into_iter()
            .chain(self.slots.iter().copied().filter(|&h| h != 0))
    }
}

/// Distinct hashes, exactly up to a limit, then estimated.
#[derive(Debug, Clone)]
pub(crate) enum Distinct {
    /// At most the limit of distinct hashes so far.
    Exact(HashSet64),
    /// More than the limit were seen.
    Approx(HyperLogLog),
}

impl Default for Distinct {
    fn default() -> Self {
        Distinct::Exact(HashSet64::default())
    }
}

impl Distinct {
    /// Add one hash; beyond `limit` distinct ones, switch to a HyperLogLog
    /// of precision `p`.
    pub(crate) fn insert(&mut self, h: u64, limit: usize, p: u8) {
        self.extend(&[h], limit, p);
    }

    /// Add `hashes`, as [`Self::insert`] of each in turn does. A hash equal
    /// to the one before it is not looked up again.
    pub(crate) fn extend(&mut self, hashes: &[u64], limit: usize, p: u8) {
        let set = match self {
            Distinct::Exact(set) => set,
            Distinct::Approx(hll) => {
                hashes.iter().for_each(|&h| hll.insert(h));
                return;
            }
        };
        let mut previous = None;
        for (i, &h) in hashes.iter().enumerate() {
            if previous == Some(h) {
                continue;
            }
            previous = Some(h);
            if set.insert(h) && set.len() > limit {
                // The HyperLogLog's registers do not depend on the order
                // of its inputs, nor on repeats: the same as inserting
                // every hash into it from the start.
                let mut hll = HyperLogLog::new(p);
                set.iter().for_each(|x| hll.insert(x));
                hashes[i + 1..].iter().for_each(|&x| hll.insert(x));
                *self = Distinct::Approx(hll);
                return;
            }
        }
    }

    /// Add everything `other` saw.
    pub(crate) fn merge(&mut self, other: &Distinct, limit: usize, p: u8) {
        match other {
            Distinct::Exact(s) => s.iter().for_each(|h| self.insert(h, limit, p)),
            Distinct::Approx(o) => {
                let mut hll = match std::mem::take(self) {
                    Distinct::Approx(h) => h,
                    Distinct::Exact(s) => {
                        let mut h = HyperLogLog::new(p);
                        s.iter().for_each(|x| h.insert(x));
                        h
                    }
                };
                hll.merge(o);
                *self = Distinct::Approx(hll);
            }
        }
    }

    /// The count, and whether it is exact.
    pub(crate) fn count(&self) -> (u64, bool) {
        match self {
            Distinct::Exact(s) => (s.len() as u64, true),
            Distinct::Approx(h) => (h.estimate(), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::sketch::{LIMIT_CASES, count_by_std_set, mix64};
    use super::*;

    #[test]
    fn the_set_holds_what_a_standard_set_holds() {
        // zero, colliding low bits, repeats, growth past several tables
        let mut hashes: Vec<u64> = vec![0, 0, 1, 1 << 40, 2 << 40, 64, 128];
        hashes.extend((0..50_000u64).map(|i| mix64(i % 7_919)));
        hashes.extend((0..3_000u64).map(|i| i << 32));
        let mut set = HashSet64::default();
        let mut std_set = std::collections::HashSet::new();
        for &h in &hashes {
            assert_eq!(set.insert(h), std_set.insert(h), "{h}");
        }
        assert_eq!(set.len(), std_set.len());
        let mut got: Vec<u64> = set.iter().collect();
        got.sort_unstable();
        let mut want: Vec<u64> = std_set.into_iter().collect();
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn counts_are_those_of_a_standard_set_around_the_limit() {
        // in runs of equal hashes and in batches that cross the limit
        for (n, distinct, limit) in LIMIT_CASES {
            let hashes: Vec<u64> = (0..n).map(|i| mix64(i / 3 % distinct)).collect();
            for batch in [1, 7, 4_096] {
                let mut d = Distinct::default();
                hashes.chunks(batch).for_each(|c| d.extend(c, limit, 12));
                assert_eq!(
                    d.count(),
                    count_by_std_set(&hashes, limit, 12),
                    "{n} {distinct} {limit} {batch}"
                );
            }
        }
    }
}
