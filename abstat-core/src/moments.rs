//! Mergeable sufficient statistics for the mean and variance.
//!
//! [`Moments`] holds `(n, mean, M2)` where `M2 = Σ (xᵢ − mean)²`. States are
//! built by [`Moments::insert`] (Welford, 1962), merged by
//! [`Moments::combine`] (Chan, Golub & LeVeque, 1979, eq. 2.1) and read by
//! [`Moments::mean`], [`Moments::variance`] and [`Moments::std`]. The same
//! state therefore comes from a raw column, from parallel chunks of it, or
//! from a database `GROUP BY` returning `count, sum, sum of squares`
//! ([`Moments::from_sums`]).
//!
//! [`Moments::from_slice`] reads memory once: it walks the slice in blocks
//! small enough to stay in L1 cache, computes each block's mean and `M2` by
//! two passes over the cached block (exact centring, as numpy's two-pass
//! `var`), and merges the blocks with Chan's formula. Above
//! [`PARALLEL_THRESHOLD`] values, chunks are summarised in parallel with
//! rayon and merged in a fixed order, so the result does not depend on
//! thread scheduling.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Slices at least this long are summarised in parallel.
pub const PARALLEL_THRESHOLD: usize = 1 << 17;

/// Values per cache-resident block in [`Moments::from_slice`] (8 KiB).
const BLOCK: usize = 1024;

/// Values per parallel task: large enough to amortise scheduling.
const CHUNK: usize = 1 << 16;

/// Count, mean and sum of squared deviations of a sample: a mergeable
/// sufficient statistic for its mean and variance.
///
/// # Example
/// ```
/// use abstat_core::moments::Moments;
/// let a = Moments::from_slice(&[1.0, 2.0, 3.0]);
/// let b = Moments::from_slice(&[4.0, 5.0]);
/// let all = a.combine(&b);
/// assert_eq!(all.count(), 5);
/// assert!((all.mean() - 3.0).abs() < 1e-15);
/// assert!((all.variance(1) - 2.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of observations.
    pub n: u64,
    /// Their mean (0 when `n = 0`).
    pub mean: f64,
    /// Sum of squared deviations from the mean, `Σ (xᵢ − mean)²`.
    pub m2: f64,
}

impl Moments {
    /// The empty state (n = 0).
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuild a state from a sample size, mean and standard deviation
    /// computed with `ddof` delta degrees of freedom (`ddof = 1` for the usual
    /// sample standard deviation, as scipy's `ttest_ind_from_stats` expects).
    pub fn from_summary(n: u64, mean: f64, std: f64, ddof: u64) -> Result<Self> {
        if n <= ddof {
            return Err(Error::TooFewObservations {
                what: "summary statistics".into(),
                needed: ddof as usize + 1,
                got: n as usize,
            });
        }
        if std.is_nan() || std < 0.0 {
            return Err(Error::invalid(
                "std",
                std,
                "a non-negative standard deviation",
            ));
        }
        Ok(Moments {
            n,
            mean,
            m2: std * std * (n - ddof) as f64,
        })
    }

    /// Rebuild a state from a count, sum and sum of squares (what a SQL
    /// `GROUP BY` returns). Cancellation makes this lose precision when the
    /// mean is large relative to the spread; prefer [`Moments::combine`] of
    /// exact states where they are available.
    pub fn from_sums(n: u64, sum: f64, sum_sq: f64) -> Self {
        if n == 0 {
            return Self::new();
        }
        let mean = sum / n as f64;
        Moments {
            n,
            mean,
            m2: (sum_sq - sum * mean).max(0.0),
        }
    }

    /// Add one observation (Welford's update).
    pub fn insert(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The state of the union of two samples (Chan et al. 1979).
    pub fn combine(&self, other: &Moments) -> Moments {
        if other.n == 0 {
            return *self;
        }
        if self.n == 0 {
            return *other;
        }
        let n = self.n + other.n;
        let (na, nb, nf) = (self.n as f64, other.n as f64, n as f64);
        let delta = other.mean - self.mean;
        Moments {
            n,
            mean: self.mean + delta * (nb / nf),
            m2: self.m2 + other.m2 + delta * delta * (na * nb / nf),
        }
    }

    /// Summarise a slice in one pass over memory, in parallel above
    /// [`PARALLEL_THRESHOLD`]. NaN values propagate into the mean and `M2`.
    ///
    /// Blocks are summarised relative to a shift (the first block's mean)
    /// and merged in shifted coordinates, so the mean is accurate to about
    /// one ulp even when it is large relative to the spread.
    pub fn from_slice(x: &[f64]) -> Moments {
        Self::summarise(x, x.len() >= PARALLEL_THRESHOLD)
    }

    /// [`Moments::from_slice`] without threads.
    pub fn from_slice_serial(x: &[f64]) -> Moments {
        Self::summarise(x, false)
    }

    fn summarise(x: &[f64], parallel: bool) -> Moments {
        if x.is_empty() {
            return Moments::new();
        }
        let shift = block_moments(&x[..x.len().min(BLOCK)], 0.0).mean;
        let shifted = Self::shifted(x, shift, parallel);
        Moments {
            mean: shift + shifted.mean,
            ..shifted
        }
    }

    /// The moments of `x − shift`: `mean` is relative to `shift`. Samples
    /// that share a large offset, summarised around one common shift, keep
    /// the differences of their means exact to rounding (absolute means
    /// near 1e9 would carry errors of 1e-7). Parallel as
    /// [`Moments::from_slice`].
    pub fn from_slice_shifted(x: &[f64], shift: f64) -> Moments {
        Self::shifted(x, shift, x.len() >= PARALLEL_THRESHOLD)
    }

    fn shifted(x: &[f64], shift: f64, parallel: bool) -> Moments {
        if parallel {
            // Collect in order, then merge sequentially: deterministic output.
            let parts: Vec<Moments> = x
                .par_chunks(CHUNK)
                .map(|c| serial_shifted(c, shift))
                .collect();
            parts.iter().fold(Moments::new(), |acc, p| acc.combine(p))
        } else {
            serial_shifted(x, shift)
        }
    }

    /// The moments of the absolute deviations `|xᵢ − centre|`, without
    /// storing them: each cache-resident block of deviations is summarised
    /// as in [`Moments::from_slice`] (in parallel above
    /// [`PARALLEL_THRESHOLD`] values, merged in a fixed order). Levene's
    /// test is an ANOVA of these deviations.
    pub fn from_abs_deviations(x: &[f64], centre: f64) -> Moments {
        let blocks = |c: &[f64]| {
            let mut z = [0.0; BLOCK];
            c.chunks(BLOCK)
                .map(|b| {
                    let z = &mut z[..b.len()];
                    for (d, &v) in z.iter_mut().zip(b) {
                        *d = (v - centre).abs();
                    }
                    block_moments(z, 0.0)
                })
                .fold(Moments::new(), |acc, b| acc.combine(&b))
        };
        if x.len() >= PARALLEL_THRESHOLD {
            let parts: Vec<Moments> = x.par_chunks(CHUNK).map(blocks).collect();
            parts.iter().fold(Moments::new(), |acc, p| acc.combine(p))
        } else {
            blocks(x)
        }
    }

    /// Summarise the values of a slice that are not NaN.
    pub fn from_slice_skip_nan(x: &[f64]) -> Moments {
        let mut m = Moments::new();
        for &v in x.iter().filter(|v| !v.is_nan()) {
            m.insert(v);
        }
        m
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The mean (NaN for an empty state).
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// The variance `M2 / (n − ddof)`; NaN when `n ≤ ddof`.
    pub fn variance(&self, ddof: u64) -> f64 {
        if self.n <= ddof {
            f64::NAN
        } else {
            self.m2 / (self.n - ddof) as f64
        }
    }

    /// The standard deviation `√variance(ddof)`.
    pub fn std(&self, ddof: u64) -> f64 {
        self.variance(ddof).sqrt()
    }

    /// Whether mean and `M2` are finite (false if a NaN or infinity was seen).
    pub fn is_finite(&self) -> bool {
        self.mean.is_finite() && self.m2.is_finite()
    }
}

/// Moments of `x − shift`, block by block.
fn serial_shifted(x: &[f64], shift: f64) -> Moments {
    x.chunks(BLOCK)
        .map(|b| block_moments(b, shift))
        .fold(Moments::new(), |acc, b| acc.combine(&b))
}

/// Exact two-pass moments of `x − shift` for a block that fits in L1
/// cache. Four accumulators let the compiler vectorise both passes.
fn block_moments(x: &[f64], shift: f64) -> Moments {
    if x.is_empty() {
        return Moments::new();
    }
    let n = x.len();
    let mut s = [0.0f64; 4];
    let mut quads = x.chunks_exact(4);
    for q in quads.by_ref() {
        for k in 0..4 {
            s[k] += q[k] - shift;
        }
    }
    let mut sum = (s[0] + s[1]) + (s[2] + s[3]);
    for &v in quads.remainder() {
        sum += v - shift;
    }
    let mean = sum / n as f64;
    let mut d = [0.0f64; 4];
    let mut c = [0.0f64; 4];
    let mut quads = x.chunks_exact(4);
    for q in quads.by_ref() {
        for k in 0..4 {
            let e = (q[k] - shift) - mean;
            d[k] += e * e;
            c[k] += e;
        }
    }
    let mut m2 = (d[0] + d[1]) + (d[2] + d[3]);
    let mut corr = (c[0] + c[1]) + (c[2] + c[3]);
    for &v in quads.remainder() {
        let e = (v - shift) - mean;
        m2 += e * e;
        corr += e;
    }
    // Corrected two-pass algorithm (Chan, Golub & LeVeque 1983, eq. 1.7):
    // removes the rounding error of the mean from M2, and from the mean.
    Moments {
        n: n as u64,
        mean: mean + corr / n as f64,
        m2: m2 - corr * corr / n as f64,
    }
}

/// Count, means and centred second moments of paired samples: a mergeable
/// sufficient statistic for their covariance and Pearson's r.
///
/// [`CoMoments::from_slices`] reads memory once, as [`Moments::from_slice`]
/// does: cache-resident blocks are centred on their own means (shifted by the
/// first block's means, so a large common offset costs no accuracy) with the
/// corrected two-pass sums, and merged with the bivariate form of Chan's
/// update (Chan, Golub & LeVeque 1979, eq. 2.1; Pébay 2008, eq. 3.12 for the
/// co-moment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CoMoments {
    /// The moments of x.
    pub x: Moments,
    /// The moments of y.
    pub y: Moments,
    /// The co-moment `Σ (xᵢ − mean_x)(yᵢ − mean_y)`.
    pub c_xy: f64,
}

impl CoMoments {
    /// The state of the union of two sets of pairs.
    pub fn combine(&self, other: &CoMoments) -> CoMoments {
        let (a, b) = (&self.x, &other.x);
        let c_xy = if a.n == 0 || b.n == 0 {
            self.c_xy + other.c_xy
        } else {
            let (na, nb) = (a.n as f64, b.n as f64);
            let (dx, dy) = (b.mean - a.mean, other.y.mean - self.y.mean);
            self.c_xy + other.c_xy + dx * dy * (na * nb / (na + nb))
        };
        CoMoments {
            x: self.x.combine(&other.x),
            y: self.y.combine(&other.y),
            c_xy,
        }
    }

    /// Summarise paired slices in one pass over memory, in parallel above
    /// [`PARALLEL_THRESHOLD`] pairs (chunks merged in a fixed order, so the
    /// result does not depend on scheduling). Pairs beyond the shorter
    /// slice are ignored; NaN values propagate into the state.
    pub fn from_slices(x: &[f64], y: &[f64]) -> CoMoments {
        let len = x.len().min(y.len());
        let (x, y) = (&x[..len], &y[..len]);
        if len == 0 {
            return CoMoments::default();
        }
        let head = BLOCK.min(len);
        let first = block_co_moments(&x[..head], &y[..head], (0.0, 0.0));
        let shift = (first.x.mean, first.y.mean);
        let serial = |x: &[f64], y: &[f64]| {
            x.chunks(BLOCK)
                .zip(y.chunks(BLOCK))
                .map(|(a, b)| block_co_moments(a, b, shift))
                .fold(CoMoments::default(), |acc, b| acc.combine(&b))
        };
        let shifted = if len >= PARALLEL_THRESHOLD {
            let parts: Vec<CoMoments> = x
                .par_chunks(CHUNK)
                .zip(y.par_chunks(CHUNK))
                .map(|(a, b)| serial(a, b))
                .collect();
            parts
                .iter()
                .fold(CoMoments::default(), |acc, p| acc.combine(p))
        } else {
            serial(x, y)
        };
        CoMoments {
            x: Moments {
                mean: shift.0 + shifted.x.mean,
                ..shifted.x
            },
            y: Moments {
                mean: shift.1 + shifted.y.mean,
                ..shifted.y
            },
            c_xy: shifted.c_xy,
        }
    }

    /// Whether every field is finite (false if a NaN or infinity was seen,
    /// or a sum overflowed).
    pub fn is_finite(&self) -> bool {
        self.x.is_finite() && self.y.is_finite() && self.c_xy.is_finite()
    }
}

/// Corrected two-pass co-moments of `(x − shift.0, y − shift.1)` for a
/// block that fits in L1 cache; four accumulators per sum let the compiler
/// vectorise both passes (as [`block_moments`]).
fn block_co_moments(x: &[f64], y: &[f64], shift: (f64, f64)) -> CoMoments {
    let n = x.len();
    if n == 0 {
        return CoMoments::default();
    }
    let nf = n as f64;
    let (mut sx, mut sy) = ([0.0f64; 4], [0.0f64; 4]);
    let (qx, qy) = (x.chunks_exact(4), y.chunks_exact(4));
    let (rx, ry) = (qx.remainder(), qy.remainder());
    for (a, b) in qx.zip(qy) {
        for k in 0..4 {
            sx[k] += a[k] - shift.0;
            sy[k] += b[k] - shift.1;
        }
    }
    let (mut sum_x, mut sum_y) = (
        (sx[0] + sx[1]) + (sx[2] + sx[3]),
        (sy[0] + sy[1]) + (sy[2] + sy[3]),
    );
    for (a, b) in rx.iter().zip(ry) {
        sum_x += a - shift.0;
        sum_y += b - shift.1;
    }
    let (mx, my) = (sum_x / nf, sum_y / nf);
    // [Σdx, Σdy, Σdx², Σdy², Σdx·dy], four lanes each
    let mut acc = [[0.0f64; 4]; 5];
    for (a, b) in x.chunks_exact(4).zip(y.chunks_exact(4)) {
        for k in 0..4 {
            let (dx, dy) = ((a[k] - shift.0) - mx, (b[k] - shift.1) - my);
            acc[0][k] += dx;
            acc[1][k] += dy;
            acc[2][k] += dx * dx;
            acc[3][k] += dy * dy;
            acc[4][k] += dx * dy;
        }
    }
    let mut s = acc.map(|l| (l[0] + l[1]) + (l[2] + l[3]));
    for (a, b) in rx.iter().zip(ry) {
        let (dx, dy) = ((a - shift.0) - mx, (b - shift.1) - my);
        s[0] += dx;
        s[1] += dy;
        s[2] += dx * dx;
        s[3] += dy * dy;
        s[4] += dx * dy;
    }
    // corrected two-pass (Chan, Golub & LeVeque 1983, eq. 1.7): removes the
    // rounding error of the block means
    CoMoments {
        x: Moments {
            n: n as u64,
            mean: mx + s[0] / nf,
            m2: s[2] - s[0] * s[0] / nf,
        },
        y: Moments {
            n: n as u64,
            mean: my + s[1] / nf,
            m2: s[3] - s[1] * s[1] / nf,
        },
        c_xy: s[4] - s[0] * s[1] / nf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let m2 = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        (mean, m2)
    }

    #[test]
    fn insert_combine_and_slice_agree() {
        let x: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 1000) as f64 * 0.37 + 1e6)
            .collect();
        let (mean, m2) = naive(&x);
        let mut w = Moments::new();
        x.iter().for_each(|&v| w.insert(v));
        let s = Moments::from_slice(&x);
        let c = Moments::from_slice(&x[..1234]).combine(&Moments::from_slice(&x[1234..]));
        for m in [w, s, c] {
            assert_eq!(m.count(), 5000);
            assert!((m.mean() - mean).abs() < 1e-9, "{m:?}");
            assert!(((m.m2 - m2) / m2).abs() < 1e-10, "{m:?}");
        }
    }

    #[test]
    fn parallel_path_matches_serial() {
        let x: Vec<f64> = (0..(PARALLEL_THRESHOLD * 2 + 17))
            .map(|i| ((i * 2654435761) % 10007) as f64)
            .collect();
        let p = Moments::from_slice(&x);
        let s = Moments::from_slice_serial(&x);
        assert_eq!(p.n, s.n);
        assert!(((p.m2 - s.m2) / s.m2).abs() < 1e-12);
        assert!(((p.mean - s.mean) / s.mean).abs() < 1e-13);
    }

    #[test]
    fn co_moments_match_the_univariate_ones() {
        let x: Vec<f64> = (0..(PARALLEL_THRESHOLD + 4099))
            .map(|i| ((i * 2654435761) % 10007) as f64 * 0.25 + 1e9)
            .collect();
        let y: Vec<f64> = x.iter().map(|v| (v - 1e9) * -0.5 + 3.0).collect();
        for len in [1, 5, 1023, 1029, x.len()] {
            let c = CoMoments::from_slices(&x[..len], &y[..len]);
            let (mx, my) = (
                Moments::from_slice(&x[..len]),
                Moments::from_slice(&y[..len]),
            );
            assert_eq!((c.x.n, c.y.n), (len as u64, len as u64));
            assert!((c.x.mean - mx.mean).abs() <= 1e-15 * mx.mean.abs());
            assert!((c.y.mean - my.mean).abs() <= 1e-12 * my.mean.abs().max(1.0));
            if len > 1 {
                assert!(((c.x.m2 - mx.m2) / mx.m2).abs() < 1e-12);
                assert!(((c.y.m2 - my.m2) / my.m2).abs() < 1e-12);
                // y = −x/2 + const: the co-moment is −M2_x / 2
                assert!(((c.c_xy + 0.5 * c.x.m2) / c.x.m2).abs() < 1e-12);
            }
        }
        let halves = CoMoments::from_slices(&x[..700], &y[..700])
            .combine(&CoMoments::from_slices(&x[700..2000], &y[700..2000]));
        let whole = CoMoments::from_slices(&x[..2000], &y[..2000]);
        assert!(((halves.c_xy - whole.c_xy) / whole.c_xy).abs() < 1e-12);
        assert!(!CoMoments::from_slices(&[1.0, f64::NAN], &[1.0, 2.0]).is_finite());
        assert_eq!(CoMoments::from_slices(&[], &[]).x.n, 0);
    }

    #[test]
    fn empty_and_degenerate_states() {
        let e = Moments::from_slice(&[]);
        assert_eq!(e.count(), 0);
        assert!(e.mean().is_nan());
        assert!(e.variance(0).is_nan());
        let one = Moments::from_slice(&[3.0]);
        assert_eq!(one.variance(0), 0.0);
        assert!(one.variance(1).is_nan());
        assert!(!Moments::from_slice(&[1.0, f64::NAN]).is_finite());
        let skip = Moments::from_slice_skip_nan(&[1.0, f64::NAN, 3.0]);
        assert_eq!((skip.count(), skip.mean(), skip.variance(1)), (2, 2.0, 2.0));
    }

    #[test]
    fn absolute_deviations_are_summarised_as_if_stored() {
        for n in [
            0,
            1,
            7,
            BLOCK - 1,
            BLOCK + 1,
            5 * BLOCK + 3,
            PARALLEL_THRESHOLD + 5,
        ] {
            let x: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1013) as f64 * 0.37 - 150.0)
                .collect();
            let centre = -3.25;
            let stored: Vec<f64> = x.iter().map(|v| (v - centre).abs()).collect();
            let (want, got) = (
                Moments::from_slice(&stored),
                Moments::from_abs_deviations(&x, centre),
            );
            assert_eq!(got.n, n as u64);
            assert!(
                (got.mean - want.mean).abs() <= 1e-13 * want.mean.abs(),
                "{n}"
            );
            assert!((got.m2 - want.m2).abs() <= 1e-12 * want.m2.abs(), "{n}");
        }
        // deviations constant: no spread at all, exactly
        let x = [2.0, 6.0, 2.0, 6.0, 6.0];
        let m = Moments::from_abs_deviations(&x, 4.0);
        assert_eq!((m.mean, m.m2), (2.0, 0.0));
    }

    #[test]
    fn summaries_round_trip() {
        let m = Moments::from_summary(10, 2.0, 3.0, 1).unwrap();
        assert!((m.std(1) - 3.0).abs() < 1e-15);
        assert!(Moments::from_summary(1, 2.0, 3.0, 1).is_err());
        assert!(Moments::from_summary(5, 2.0, -1.0, 1).is_err());
        let s = Moments::from_sums(3, 6.0, 14.0);
        assert_eq!((s.mean(), s.variance(1)), (2.0, 1.0));
    }
}
