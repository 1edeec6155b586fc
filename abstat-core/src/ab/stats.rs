//! Sufficient statistics of an experiment's variants.
//!
//! Every analysis in [`crate::ab`] runs on these few sums, never on raw
//! rows, so the same engine serves raw columns (one parallel pass), parallel
//! chunks merged with `combine`, and a ClickHouse `GROUP BY variant` that
//! returns `count(), sum(y), sum(y*y), …` directly. The sums are the raw
//! power sums GrowthBook's gbstats uses (`SampleMeanStatistic(n, sum,
//! sum_squares)`, `RatioStatistic`, `RegressionAdjustedStatistic`), so the
//! numbers match it exactly.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{Error, NanPolicy, Result};

/// Rows per parallel task in the column pass: large enough that the merge of
/// per-task states costs nothing, small enough to balance two or more cores.
const CHUNK: usize = 1 << 16;

/// `n`, `Σy`, `Σy²` of one metric in one variant: the raw power sums a
/// database `GROUP BY` returns and gbstats computes with.
///
/// Not to be confused with [`crate::moments::Moments`] (Welford's
/// `n, mean, M2`, which the hypothesis tests use for its numerical
/// stability): the A/B engine keeps power sums so that its numbers match
/// gbstats' to the last bits. The one conversion is
/// `crate::moments::Moments::from(power_sums)` (through
/// [`crate::moments::Moments::from_sums`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PowerSums {
    /// Number of units.
    pub n: u64,
    /// Σ y.
    pub sum: f64,
    /// Σ y².
    pub sum_squares: f64,
}

impl PowerSums {
    /// The statistics as a database returns them (`count, sum, sum of squares`).
    pub fn new(n: u64, sum: f64, sum_squares: f64) -> Self {
        PowerSums {
            n,
            sum,
            sum_squares,
        }
    }

    /// Add one observation.
    pub fn insert(&mut self, y: f64) {
        self.n += 1;
        self.sum += y;
        self.sum_squares += y * y;
    }

    /// Merge the statistics of a disjoint set of units.
    pub fn combine(&mut self, other: &PowerSums) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
    }

    /// The sample mean (0 for no units, as gbstats).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum / self.n as f64
        }
    }

    /// The sample variance with n − 1 in the denominator (0 for n ≤ 1, as
    /// gbstats' `SampleMeanStatistic.variance`).
    pub fn variance(&self) -> f64 {
        if self.n <= 1 {
            return 0.0;
        }
        let n = self.n as f64;
        (self.sum_squares - self.sum * self.sum / n) / (n - 1.0)
    }

    /// Per-variant statistics of `values` grouped by `variant` (0-based,
    /// `< variants`), in one parallel pass.
    ///
    /// Under [`NanPolicy::Omit`] a NaN row is left out; under
    /// [`NanPolicy::Propagate`] it makes its variant's sums NaN; under
    /// [`NanPolicy::Raise`] it is an error.
    pub fn by_variant(
        values: &[f64],
        variant: &[u32],
        variants: usize,
        nan_policy: NanPolicy,
    ) -> Result<Vec<PowerSums>> {
        check_lengths(("values", values.len()), ("variant", variant.len()))?;
        grouped(
            values.len(),
            variant,
            variants,
            |state: &mut [PowerSums], range| {
                for (i, &g) in range.clone().zip(&variant[range]) {
                    let (y, s) = (values[i], slot(state, g)?);
                    if keep(y.is_nan(), nan_policy, "values")? {
                        s.insert(y);
                    }
                }
                Ok(())
            },
        )
    }
}

/// `n`, `Σy`, `Σy²`, `Σx`, `Σx²`, `Σxy` (power sums) of a pair of columns in one variant.
///
/// The pair is (metric, pre-period covariate) for regression adjustment
/// (CUPED), or (numerator, denominator) for a ratio metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct JointMoments {
    /// Number of units.
    pub n: u64,
    /// Σ y (the metric, or a ratio's numerator).
    pub sum: f64,
    /// Σ y².
    pub sum_squares: f64,
    /// Σ x (the covariate, or a ratio's denominator).
    pub sum_x: f64,
    /// Σ x².
    pub sum_x_squares: f64,
    /// Σ x·y.
    pub sum_xy: f64,
}

impl JointMoments {
    /// The statistics as a database returns them.
    pub fn new(
        n: u64,
        sum: f64,
        sum_squares: f64,
        sum_x: f64,
        sum_x_squares: f64,
        sum_xy: f64,
    ) -> Self {
        JointMoments {
            n,
            sum,
            sum_squares,
            sum_x,
            sum_x_squares,
            sum_xy,
        }
    }

    /// Add one unit's pair of values.
    pub fn insert(&mut self, y: f64, x: f64) {
        self.n += 1;
        self.sum += y;
        self.sum_squares += y * y;
        self.sum_x += x;
        self.sum_x_squares += x * x;
        self.sum_xy += x * y;
    }

    /// Merge the statistics of a disjoint set of units.
    pub fn combine(&mut self, other: &JointMoments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_squares += other.sum_squares;
        self.sum_x += other.sum_x;
        self.sum_x_squares += other.sum_x_squares;
        self.sum_xy += other.sum_xy;
    }

    /// The moments of y alone.
    pub fn y(&self) -> PowerSums {
        PowerSums::new(self.n, self.sum, self.sum_squares)
    }

    /// The moments of x alone.
    pub fn x(&self) -> PowerSums {
        PowerSums::new(self.n, self.sum_x, self.sum_x_squares)
    }

    /// The sample covariance of x and y (n − 1; 0 for n ≤ 1, as gbstats).
    pub fn covariance(&self) -> f64 {
        if self.n <= 1 {
            return 0.0;
        }
        let n = self.n as f64;
        (self.sum_xy - self.sum * self.sum_x / n) / (n - 1.0)
    }

    /// Per-variant statistics of the pair (`y`, `x`) grouped by `variant`,
    /// in one parallel pass. A row is missing when either value is NaN; the
    /// policy applies as in [`PowerSums::by_variant`].
    pub fn by_variant(
        y: &[f64],
        x: &[f64],
        variant: &[u32],
        variants: usize,
        nan_policy: NanPolicy,
    ) -> Result<Vec<JointMoments>> {
        check_lengths(("y", y.len()), ("x", x.len()))?;
        check_lengths(("y", y.len()), ("variant", variant.len()))?;
        grouped(
            y.len(),
            variant,
            variants,
            |state: &mut [JointMoments], range| {
                for (i, &g) in range.clone().zip(&variant[range]) {
                    let (yi, xi, s) = (y[i], x[i], slot(state, g)?);
                    if keep(yi.is_nan() || xi.is_nan(), nan_policy, "y or x")? {
                        s.insert(yi, xi);
                    }
                }
                Ok(())
            },
        )
    }
}

impl From<PowerSums> for crate::moments::Moments {
    /// Welford's state of the same sample ([`crate::moments::Moments::from_sums`]:
    /// `M2 = Σy² − Σy·mean`, clamped at 0).
    fn from(s: PowerSums) -> Self {
        crate::moments::Moments::from_sums(s.n, s.sum, s.sum_squares)
    }
}

/// A mergeable per-variant state (so one parallel driver serves both kinds).
pub(crate) trait Combine: Default + Clone + Send {
    /// Merge the state of a disjoint set of rows.
    fn merge(&mut self, other: &Self);
}

impl Combine for PowerSums {
    fn merge(&mut self, other: &Self) {
        self.combine(other)
    }
}

impl Combine for JointMoments {
    fn merge(&mut self, other: &Self) {
        self.combine(other)
    }
}

/// Fold `len` rows in parallel chunks into one state per variant, then merge.
pub(crate) fn grouped<S, F>(len: usize, variant: &[u32], variants: usize, fold: F) -> Result<Vec<S>>
where
    S: Combine,
    F: Fn(&mut [S], std::ops::Range<usize>) -> Result<()> + Sync,
{
    if variants == 0 {
        return Err(Error::invalid("variants", 0, "at least 1"));
    }
    debug_assert!(variant.len() == len);
    let starts: Vec<usize> = (0..len).step_by(CHUNK).collect();
    starts
        .into_par_iter()
        .map(|start| {
            let mut state = vec![S::default(); variants];
            fold(&mut state, start..(start + CHUNK).min(len))?;
            Ok(state)
        })
        .try_reduce(
            || vec![S::default(); variants],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(s, o)| s.merge(o));
                Ok(a)
            },
        )
}

/// The state of variant `g`, or an error for an index out of range.
pub(crate) fn slot<S>(state: &mut [S], g: u32) -> Result<&mut S> {
    let variants = state.len();
    state.get_mut(g as usize).ok_or_else(|| {
        Error::invalid(
            "variant index",
            g,
            format!("0 ..= {} (there are {variants} variants)", variants - 1),
        )
    })
}

/// `Ok` when two inputs that pair up have the same length, otherwise
/// [`Error::LengthMismatch`] naming them.
pub(crate) fn check_lengths(left: (&str, usize), right: (&str, usize)) -> Result<()> {
    if left.1 != right.1 {
        return Err(Error::LengthMismatch {
            left: left.0.to_string(),
            left_len: left.1,
            right: right.0.to_string(),
            right_len: right.1,
        });
    }
    Ok(())
}

/// Whether a row enters the sums under `policy` (`missing`: it has a NaN).
/// Under `Propagate` it does, and turns its variant's sums into NaN.
pub(crate) fn keep(missing: bool, policy: NanPolicy, what: &str) -> Result<bool> {
    match (missing, policy) {
        (false, _) | (true, NanPolicy::Propagate) => Ok(true),
        (true, NanPolicy::Omit) => Ok(false),
        (true, NanPolicy::Raise) => Err(Error::MissingValues {
            what: what.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Integer-valued data keep every sum exact in f64, so any order of
    /// summation (chunks, threads, merges) must give identical bits.
    fn rows() -> impl Strategy<Value = Vec<(f64, f64, u32)>> {
        prop::collection::vec(
            (-1000i32..1000, -1000i32..1000, 0u32..3)
                .prop_map(|(y, x, g)| (f64::from(y), f64::from(x), g)),
            0..400,
        )
    }

    fn one_pass(rows: &[(f64, f64, u32)]) -> Vec<JointMoments> {
        let mut s = vec![JointMoments::default(); 3];
        for &(y, x, g) in rows {
            s[g as usize].insert(y, x);
        }
        s
    }

    proptest! {
        #[test]
        fn merged_chunks_equal_one_pass(rows in rows(), cut in 0usize..400) {
            let cut = cut.min(rows.len());
            let mut merged = one_pass(&rows[..cut]);
            for (m, o) in merged.iter_mut().zip(one_pass(&rows[cut..])) {
                m.combine(&o);
            }
            prop_assert_eq!(merged, one_pass(&rows));
        }

        #[test]
        fn column_pass_equals_one_pass(rows in rows()) {
            let y: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let x: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let g: Vec<u32> = rows.iter().map(|r| r.2).collect();
            let want = one_pass(&rows);
            let joint = JointMoments::by_variant(&y, &x, &g, 3, NanPolicy::Raise).unwrap();
            prop_assert_eq!(&joint, &want);
            let single = PowerSums::by_variant(&y, &g, 3, NanPolicy::Raise).unwrap();
            prop_assert_eq!(single, want.iter().map(JointMoments::y).collect::<Vec<_>>());
        }

        /// Any real-valued data: the parallel pass and the sequential one
        /// differ only by rounding in the order of summation.
        #[test]
        fn column_pass_matches_sequential_sums(ys in prop::collection::vec(-1e3f64..1e3, 1..300)) {
            let g: Vec<u32> = (0..ys.len() as u32).map(|i| i % 2).collect();
            let got = PowerSums::by_variant(&ys, &g, 2, NanPolicy::Raise).unwrap();
            for v in 0..2u32 {
                let mut want = PowerSums::default();
                ys.iter().zip(&g).filter(|(_, gi)| **gi == v).for_each(|(y, _)| want.insert(*y));
                prop_assert_eq!(got[v as usize].n, want.n);
                let scale: f64 = ys.iter().map(|y| y * y).sum::<f64>() + 1.0;
                prop_assert!((got[v as usize].sum - want.sum).abs() <= 1e-12 * scale);
                prop_assert!((got[v as usize].sum_squares - want.sum_squares).abs() <= 1e-12 * scale);
            }
        }
    }

    /// The one conversion to Welford's state keeps n, the mean and the
    /// sample variance (exactly, for integer data).
    #[test]
    fn power_sums_convert_to_welford_moments() {
        let mut s = PowerSums::default();
        [1.0, 2.0, 4.0, 8.0].iter().for_each(|&y| s.insert(y));
        let w = crate::moments::Moments::from(s);
        assert_eq!((w.n, w.mean, w.variance(1)), (s.n, s.mean(), s.variance()));
    }

    /// More rows than one parallel chunk, so several tasks are merged.
    #[test]
    fn many_chunks_equal_one_pass() {
        let rows: Vec<(f64, f64, u32)> = (0..(3 * CHUNK + 17) as u32)
            .map(|i| {
                let h = i.wrapping_mul(2_654_435_761);
                (f64::from(h % 1001) - 500.0, f64::from(h % 97), h % 3)
            })
            .collect();
        let y: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let x: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let g: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let got = JointMoments::by_variant(&y, &x, &g, 3, NanPolicy::Omit).unwrap();
        assert_eq!(got, one_pass(&rows));
    }
}
