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
    pub(crate) const EMPTY: Extent = Extent {
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

    pub(crate) fn merge(self, o: Extent) -> Extent {
        Extent {
            sum: self.sum + o.sum,
            min: self.min.min(o.min),
            max: self.max.max(o.max),
        }
    }
}

/// Count, extent, sum and centred sum of squares of a column from one
/// fused pass, and whether every value is finite.
///
/// Each chunk is summed (with its extent and finiteness), then — still in
/// cache — its squared deviations from the chunk mean are added; chunks
/// are merged in order by the pairwise update of Chan, Golub & LeVeque
/// ("Updating formulae and a pairwise algorithm for computing sample
/// variances", 1979): M₂ = M₂ₐ + M₂ᵦ + δ²·nₐnᵦ/n. The sum is added chunk by
/// chunk in order, as [`extent`], so the mean is the same number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    /// Values scanned.
    pub n: usize,
    /// Sum, minimum and maximum.
    pub extent: Extent,
    /// Σ(v − mean)² (meaningless when not `finite`).
    pub m2: f64,
    /// Whether every value is finite.
    pub finite: bool,
}

impl Moments {
    fn of_chunk(c: &[f64]) -> Moments {
        let finite = c.iter().fold(true, |ok, v| ok & v.is_finite());
        let extent = Extent::of_chunk(c);
        let m2 = if finite && !c.is_empty() {
            let mean = extent.sum / c.len() as f64;
            c.iter().map(|v| (v - mean) * (v - mean)).sum()
        } else {
            0.0
        };
        Moments {
            n: c.len(),
            extent,
            m2,
            finite,
        }
    }

    /// No values.
    pub(crate) const EMPTY: Moments = Moments {
        n: 0,
        extent: Extent::EMPTY,
        m2: 0.0,
        finite: true,
    };

    /// The moments of two runs of values, `self` first (Chan et al.).
    pub(crate) fn merge(self, o: Moments) -> Moments {
        if self.n == 0 {
            return o;
        }
        if o.n == 0 {
            return self;
        }
        let (na, nb) = (self.n as f64, o.n as f64);
        let delta = o.extent.sum / nb - self.extent.sum / na;
        Moments {
            n: self.n + o.n,
            extent: self.extent.merge(o.extent),
            m2: self.m2 + o.m2 + delta * delta * (na * nb / (na + nb)),
            finite: self.finite && o.finite,
        }
    }

    /// Mean of the values.
    pub fn mean(&self) -> f64 {
        self.extent.sum / self.n as f64
    }
}

/// [`Moments`] of `x` in one parallel pass.
pub(crate) fn moments(x: &[f64]) -> Moments {
    let parts: Vec<Moments> = x.par_chunks(CHUNK).map(Moments::of_chunk).collect();
    parts.into_iter().fold(Moments::EMPTY, Moments::merge)
}

/// Per-column [`Moments`] of equally long columns and the centred
/// cross products Σ(xᵢ − x̄ᵢ)(xⱼ − x̄ⱼ) of every pair, from one pass over
/// row chunks (the co-moment form of Chan et al.'s update:
/// Cᵢⱼ = Cᵢⱼ,ₐ + Cᵢⱼ,ᵦ + δᵢδⱼ·nₐnᵦ/n).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CoMoments {
    /// Moments of each column (`m2` is the diagonal of `cross`).
    pub columns: Vec<Moments>,
    /// `cross[i * k + j]` for i ≤ j: centred cross products.
    pub cross: Vec<f64>,
}

impl CoMoments {
    fn of_rows(columns: &[&[f64]], a: usize, b: usize) -> CoMoments {
        let k = columns.len();
        let cols: Vec<Moments> = columns
            .iter()
            .map(|c| Moments::of_chunk(&c[a..b]))
            .collect();
        let mut cross = vec![0.0; k * k];
        if cols.iter().all(|m| m.finite) && b > a {
            let means: Vec<f64> = cols.iter().map(Moments::mean).collect();
            for i in 0..k {
                cross[i * k + i] = cols[i].m2;
                for j in i + 1..k {
                    let (x, y) = (&columns[i][a..b], &columns[j][a..b]);
                    cross[i * k + j] = x
                        .iter()
                        .zip(y)
                        .map(|(u, v)| (u - means[i]) * (v - means[j]))
                        .sum();
                }
            }
        }
        CoMoments {
            columns: cols,
            cross,
        }
    }

    fn merge(self, o: CoMoments) -> CoMoments {
        let k = self.columns.len();
        let (na, nb) = (self.columns[0].n as f64, o.columns[0].n as f64);
        if na == 0.0 {
            return o;
        }
        if nb == 0.0 {
            return self;
        }
        let w = na * nb / (na + nb);
        let delta: Vec<f64> = (0..k)
            .map(|i| o.columns[i].mean() - self.columns[i].mean())
            .collect();
        let mut cross = self.cross;
        for i in 0..k {
            for j in i..k {
                cross[i * k + j] += o.cross[i * k + j] + delta[i] * delta[j] * w;
            }
        }
        let columns: Vec<Moments> = self
            .columns
            .into_iter()
            .zip(o.columns)
            .map(|(a, b)| a.merge(b))
            .collect();
        CoMoments { columns, cross }
    }

    /// Whether every value of every column is finite.
    pub fn finite(&self) -> bool {
        self.columns.iter().all(|m| m.finite)
    }

    /// The centred cross product of columns `i` and `j`.
    pub fn cross(&self, i: usize, j: usize) -> f64 {
        let k = self.columns.len();
        let (i, j) = (i.min(j), i.max(j));
        self.cross[i * k + j]
    }
}

/// [`CoMoments`] of equally long `columns` (at least one) in one parallel
/// pass over row chunks.
pub(crate) fn co_moments(columns: &[&[f64]]) -> CoMoments {
    let n = columns[0].len();
    debug_assert!(columns.iter().all(|c| c.len() == n));
    let rows: Vec<(usize, usize)> = (0..n.max(1))
        .step_by(CHUNK)
        .map(|a| (a, (a + CHUNK).min(n)))
        .collect();
    let parts: Vec<CoMoments> = rows
        .par_iter()
        .map(|&(a, b)| CoMoments::of_rows(columns, a, b))
        .collect();
    parts
        .into_iter()
        .reduce(CoMoments::merge)
        .expect("at least one row chunk")
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
