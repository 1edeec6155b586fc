//! Passes over big columns, in parallel over fixed-size chunks (rayon).
//!
//! Chunks have a fixed length, so a sum is added in the same order for any
//! number of threads: results do not depend on the machine. Inputs up to
//! one chunk are a single sequential pass.

use rayon::prelude::*;

/// Values per parallel chunk.
pub(crate) const CHUNK: usize = 1 << 16;

/// Whether every value is finite (no NaN, no ±∞).
pub(crate) fn all_finite(x: &[f64]) -> bool {
    x.par_chunks(CHUNK)
        .all(|c| c.iter().fold(true, |ok, v| ok & v.is_finite()))
}

/// Count, sum, minimum and maximum of finite values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Extent {
    /// Sum of the values.
    pub sum: f64,
    /// Smallest value (+∞ when empty).
    pub min: f64,
    /// Largest value (−∞ when empty).
    pub max: f64,
}

impl Extent {
    const EMPTY: Extent = Extent {
        sum: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    fn of_chunk(c: &[f64]) -> Extent {
        c.iter().fold(Extent::EMPTY, |e, &v| Extent {
            sum: e.sum + v,
            min: e.min.min(v),
            max: e.max.max(v),
        })
    }

    fn merge(self, o: Extent) -> Extent {
        Extent {
            sum: self.sum + o.sum,
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
}

/// Sum, minimum and maximum of `x` in one pass (chunk sums added in
/// order).
pub(crate) fn extent(x: &[f64]) -> Extent {
    let parts: Vec<Extent> = x.par_chunks(CHUNK).map(Extent::of_chunk).collect();
    parts.into_iter().fold(Extent::EMPTY, Extent::merge)
}

/// Extent of several samples taken together.
pub(crate) fn extent_of(parts: &[&[f64]]) -> Extent {
    parts
        .iter()
        .map(|p| extent(p))
        .fold(Extent::EMPTY, Extent::merge)
}

/// Σ f(chunk) over the fixed chunks of `x`, added in chunk order.
pub(crate) fn sum_by_chunk(x: &[f64], f: impl Fn(&[f64]) -> f64 + Sync + Send) -> f64 {
    let parts: Vec<f64> = x.par_chunks(CHUNK).map(f).collect();
    parts.into_iter().sum()
}

/// Chunks per rayon job when each job fills its own accumulator: two jobs
/// per thread, so a few accumulators are zeroed and merged, not one per
/// chunk.
pub(crate) fn chunks_per_job(len: usize) -> usize {
    len.div_ceil(CHUNK)
        .div_ceil(2 * rayon::current_num_threads())
        .max(1)
}

/// Counts per bin of `x` in `bins` bins, `index(v)` giving the bin (or
/// none); per-thread counts merged.
pub(crate) fn bin_counts(
    x: &[f64],
    bins: usize,
    index: impl Fn(f64) -> Option<usize> + Sync + Send,
) -> Vec<u64> {
    x.par_chunks(CHUNK)
        .with_min_len(chunks_per_job(x.len()))
        .fold(
            || vec![0u64; bins],
            |mut acc, c| {
                for &v in c {
                    if let Some(i) = index(v) {
                        acc[i] += 1;
                    }
                }
                acc
            },
        )
        .reduce(|| vec![0u64; bins], add_counts)
}

/// Element-wise sum of two count vectors (the first reused).
pub(crate) fn add_counts(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reductions_over_many_chunks_match_a_plain_pass() {
        let x: Vec<f64> = (0..3 * CHUNK + 17).map(|i| (i % 1000) as f64).collect();
        assert!(all_finite(&x));
        let e = extent(&x);
        assert_eq!((e.min, e.max), (0.0, 999.0));
        assert_eq!(e.sum, x.iter().sum::<f64>());
        let counts = bin_counts(&x, 10, |v| Some((v / 100.0) as usize));
        assert_eq!(counts.iter().sum::<u64>(), x.len() as u64);
        assert!(!all_finite(&[1.0, f64::NAN]));
        assert!(!all_finite(&[f64::INFINITY]));
    }
}
