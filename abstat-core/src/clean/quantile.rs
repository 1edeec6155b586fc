//! Exact quantiles of a column streamed in batches, in bounded memory.
//!
//! Radix selection over several passes: every value is mapped to a 64-bit
//! key that sorts as the number does; the first pass counts keys by their
//! top 16 bits (65 536 counters), which gives `n` and the bucket holding
//! each wanted rank. Each further pass either collects the values of that
//! bucket (when at most [`COLLECT_LIMIT`] fall in it) and sorts them, or
//! counts the next 16 bits inside it. Memory is the counters plus at most
//! `COLLECT_LIMIT` values per wanted rank; a typical column needs two
//! passes, the worst case five.
//!
//! The quantile itself follows numpy's `percentile(method="linear")` as
//! pandas' `Series.quantile` calls it, operation for operation, so results
//! are bit-identical: `q' = (100·q)/100`, virtual index `(n − 1)·q'`, and
//! numpy's `_lerp` (`a + (b − a)·t`, or `b − (b − a)·(1 − t)` when
//! `t ≥ 0.5`).

use crate::{Error, Result};

/// Values collected per wanted rank before a bucket is refined instead.
pub const COLLECT_LIMIT: usize = 1 << 20;

const BITS: u32 = 16;
const BUCKETS: usize = 1 << BITS;

/// A key whose unsigned order is the numeric order of `x` (not NaN).
pub(crate) fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

pub(crate) fn unkey(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

#[derive(Debug, Clone)]
enum Search {
    /// Counting the next 16 bits below `prefix`.
    Count(Vec<u64>),
    /// Collecting every value whose key starts with `prefix`.
    Collect(Vec<f64>),
    Found(f64),
}

#[derive(Debug, Clone)]
struct Target {
    /// 0-based rank in the sorted non-missing values.
    rank: u64,
    /// Key bits already fixed (a multiple of 16) and their value.
    bits: u32,
    prefix: u64,
    /// `rank` among the values that share `prefix`.
    rank_within: u64,
    search: Search,
}

/// Exact quantiles of a stream of values, found in a few passes.
///
/// Call [`ExactQuantiles::observe`] for every value of a pass, then
/// [`ExactQuantiles::end_pass`]; repeat while [`ExactQuantiles::needs_pass`].
#[derive(Debug, Clone)]
pub struct ExactQuantiles {
    qs: Vec<f64>,
    n: u64,
    first: Option<Vec<u64>>,
    targets: Vec<Target>,
}

impl ExactQuantiles {
    /// Quantiles `qs` (each in [0, 1]) of the values to come.
    pub fn new(qs: &[f64]) -> Self {
        ExactQuantiles {
            qs: qs.to_vec(),
            n: 0,
            first: Some(vec![0; BUCKETS]),
            targets: Vec::new(),
        }
    }

    /// Whether another pass over the data is needed.
    pub fn needs_pass(&self) -> bool {
        self.first.is_some()
            || self
                .targets
                .iter()
                .any(|t| !matches!(t.search, Search::Found(_)))
    }

    /// Take one value of the current pass (NaN is skipped).
    pub fn observe(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        // -0.0 and 0.0 are one value, as in numpy's sort.
        let x = x + 0.0;
        let k = key(x);
        if let Some(h) = &mut self.first {
            h[(k >> (64 - BITS)) as usize] += 1;
            return;
        }
        for t in &mut self.targets {
            if t.bits > 0 && k >> (64 - t.bits) != t.prefix {
                continue;
            }
            match &mut t.search {
                Search::Count(h) => h[((k >> (64 - t.bits - BITS)) as usize) & (BUCKETS - 1)] += 1,
                Search::Collect(v) => v.push(x),
                Search::Found(_) => {}
            }
        }
    }

    /// Finish a pass: narrow every search to the bucket holding its rank.
    pub fn end_pass(&mut self) {
        if let Some(h) = self.first.take() {
            self.n = h.iter().sum();
            let mut ranks: Vec<u64> = Vec::new();
            for &q in &self.qs {
                if self.n > 0 {
                    let (lo, hi, _) = positions(self.n, q);
                    ranks.extend([lo, hi]);
                }
            }
            ranks.sort_unstable();
            ranks.dedup();
            self.targets = ranks
                .into_iter()
                .map(|rank| {
                    let mut t = Target {
                        rank,
                        bits: 0,
                        prefix: 0,
                        rank_within: rank,
                        search: Search::Found(f64::NAN),
                    };
                    narrow(&mut t, &h);
                    t
                })
                .collect();
            return;
        }
        for t in &mut self.targets {
            match std::mem::replace(&mut t.search, Search::Found(f64::NAN)) {
                Search::Count(h) => narrow(t, &h),
                Search::Collect(mut v) => {
                    v.sort_unstable_by(f64::total_cmp);
                    t.search = Search::Found(v[t.rank_within as usize]);
                }
                found => t.search = found,
            }
        }
    }

    /// Values counted (NaN excluded); known after the first pass.
    pub fn count(&self) -> u64 {
        self.n
    }

    fn at(&self, rank: u64) -> f64 {
        self.targets
            .iter()
            .find(|t| t.rank == rank)
            .map_or(f64::NAN, |t| match t.search {
                Search::Found(x) => x,
                _ => f64::NAN,
            })
    }

    /// The `q` quantile (one of those asked for), linear interpolation as
    /// pandas' `quantile`; an error when there were no values.
    pub fn quantile(&self, q: f64, what: &str) -> Result<f64> {
        self.check(what)?;
        let (lo, hi, t) = positions(self.n, q);
        Ok(lerp(self.at(lo), self.at(hi), t))
    }

    /// The median as pandas' `median()` (mean of the two middle values).
    pub fn median(&self, what: &str) -> Result<f64> {
        self.check(what)?;
        // The middle value, or the mean of the two middle values.
        Ok((self.at((self.n - 1) / 2) + self.at(self.n / 2)) / 2.0)
    }

    fn check(&self, what: &str) -> Result<()> {
        if self.n == 0 {
            Err(Error::TooFewObservations {
                what: what.to_string(),
                needed: 1,
                got: 0,
            })
        } else {
            Ok(())
        }
    }
}

/// numpy's neighbouring ranks and weight for quantile `q` of `n` values
/// (`_get_indexes`, `_get_gamma`, with `q` passed through percent as pandas
/// does).
fn positions(n: u64, q: f64) -> (u64, u64, f64) {
    let q = (q * 100.0) / 100.0;
    let virtual_index = (n - 1) as f64 * q;
    if virtual_index >= (n - 1) as f64 {
        return (n - 1, n - 1, 0.0);
    }
    let prev = virtual_index.floor();
    (prev as u64, prev as u64 + 1, virtual_index - prev)
}

/// numpy's `_lerp`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Move `t` into the bucket of `h` (counts of the next 16 bits under its
/// prefix) that holds its rank, and choose how to search it next.
fn narrow(t: &mut Target, h: &[u64]) {
    let mut below = 0;
    for (bucket, &c) in h.iter().enumerate() {
        if below + c > t.rank_within {
            t.rank_within -= below;
            t.prefix = (t.prefix << BITS) | bucket as u64;
            t.bits += BITS;
            t.search = if t.bits == 64 {
                Search::Found(unkey(t.prefix))
            } else if c as usize <= COLLECT_LIMIT {
                Search::Collect(Vec::with_capacity(c as usize))
            } else {
                Search::Count(vec![0; BUCKETS])
            };
            return;
        }
        below += c;
    }
    unreachable!("a rank below n lies in some bucket");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(x: &[f64], qs: &[f64]) -> ExactQuantiles {
        let mut e = ExactQuantiles::new(qs);
        let mut passes = 0;
        while e.needs_pass() {
            x.iter().for_each(|&v| e.observe(v));
            e.end_pass();
            passes += 1;
        }
        assert!(passes <= 5);
        e
    }

    #[test]
    fn keys_sort_as_numbers() {
        let v = [-1e300, -2.5, -0.0, 1e-300, 3.0, f64::INFINITY];
        for w in v.windows(2) {
            assert!(key(w[0]) < key(w[1]));
            assert_eq!(unkey(key(w[0])), w[0]);
        }
    }

    #[test]
    fn small_samples_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4], [25, 50, 100]) = [1.75, 2.5, 4.0]
        let e = run(&[4.0, 1.0, f64::NAN, 3.0, 2.0], &[0.25, 0.5, 1.0]);
        assert_eq!(e.quantile(0.25, "x").unwrap(), 1.75);
        assert_eq!(e.quantile(0.5, "x").unwrap(), 2.5);
        assert_eq!(e.quantile(1.0, "x").unwrap(), 4.0);
        assert_eq!(e.median("x").unwrap(), 2.5);
    }

    #[test]
    fn refining_passes_find_ranks_in_a_crowded_bucket() {
        // Every value shares its top 16 bits: the bucket is refined, not collected.
        let x: Vec<f64> = (0..(COLLECT_LIMIT as u64 + 10))
            .map(|i| 1.0 + i as f64 * 1e-12)
            .collect();
        let e = run(&x, &[0.5]);
        let mut s = x.clone();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        assert_eq!(e.median("x").unwrap(), (s[(n - 1) / 2] + s[n / 2]) / 2.0);
    }

    #[test]
    fn no_values_is_an_error() {
        let e = run(&[f64::NAN], &[0.5]);
        assert!(matches!(
            e.median("column 'x'"),
            Err(Error::TooFewObservations { .. })
        ));
    }
}
