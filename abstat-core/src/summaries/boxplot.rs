//! Box-plot statistics as matplotlib's `cbook.boxplot_stats(x, whis=1.5)`:
//! quartiles by `numpy.percentile` (linear interpolation), whiskers at the
//! most extreme values within 1.5·IQR of the box, the rest fliers.
//!
//! Exact at any size: the quartiles come from a bucket selection (no sort,
//! no copy of the column), the mean, whiskers and fliers from parallel
//! passes. Only the drawn fliers are a choice: at most [`MAX_FLIERS`].

use serde::{Deserialize, Serialize};

use rayon::prelude::*;

use super::order_stats::{percentiles_within, select_in_place};
use super::sample::finite_moments;
use super::scan::CHUNK;
use crate::{Error, NanPolicy, Result};

/// At most this many fliers are kept (evenly chosen from the sorted
/// fliers, the extremes always kept); [`BoxStats::n_fliers`] counts all.
pub const MAX_FLIERS: usize = 200;

/// The five numbers of a box plot, the mean and the fliers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxStats {
    /// Values summarised.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// First quartile (25th percentile).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (75th percentile).
    pub q3: f64,
    /// Lower whisker: the smallest value ≥ q1 − whis·IQR (q1 if none).
    pub whisker_low: f64,
    /// Upper whisker: the largest value ≤ q3 + whis·IQR (q3 if none).
    pub whisker_high: f64,
    /// Values beyond the whiskers, sorted; at most [`MAX_FLIERS`].
    pub fliers: Vec<f64>,
    /// Number of values beyond the whiskers.
    pub n_fliers: usize,
}

/// `numpy.percentile(x, [25, 50, 75])`, exact, by selection (see
/// [`order_stats`](super::order_stats)).
/// The values' minimum and maximum are `extent`.
pub(crate) fn quartiles(parts: &[&[f64]], extent: (f64, f64)) -> [f64; 3] {
    let v = percentiles_within(parts, &[25.0, 50.0, 75.0], extent);
    [v[0], v[1], v[2]]
}

/// matplotlib's `boxplot_stats` of one group with whiskers at `whis`·IQR
/// (matplotlib's default 1.5). NaN per `nan_policy` (see the module docs).
pub fn box_stats(x: &[f64], whis: f64, nan_policy: NanPolicy) -> Result<BoxStats> {
    check_whis(whis)?;
    let (x, m) = finite_moments(x, nan_policy, "the group")?;
    let n = x.len();
    let mean = m.mean();
    let [q1, median, q3] = quartiles(&[&x], (m.extent.min, m.extent.max));
    let (lo, hi) = fences([q1, median, q3], whis);
    let beyond = x
        .par_chunks(CHUNK)
        .map(|c| Beyond::of(c.iter().copied(), lo, hi))
        .reduce(Beyond::default, Beyond::merge);
    Ok(finish(n, mean, [q1, median, q3], beyond))
}

/// The whisker parameter, checked.
pub(crate) fn check_whis(whis: f64) -> Result<()> {
    if whis >= 0.0 && whis.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            "whis",
            whis,
            "a non-negative number (1.5 is usual)",
        ))
    }
}

/// q1 − whis·IQR and q3 + whis·IQR.
pub(crate) fn fences([q1, _, q3]: [f64; 3], whis: f64) -> (f64, f64) {
    let iqr = q3 - q1;
    (q1 - whis * iqr, q3 + whis * iqr)
}

/// One pass for both whiskers and the fliers: the smallest value ≥ lo,
/// the largest ≤ hi, and the values outside [lo, hi]. Those are
/// matplotlib's fliers (below the low whisker or above the high one): no
/// value lies in [lo, whisker_low), by the whisker's definition, and when
/// the whisker falls back to q1 no value lies in [lo, q1) either.
#[derive(Debug, Clone)]
pub(crate) struct Beyond {
    low: f64,
    high: f64,
    fliers: Vec<f64>,
}

impl Default for Beyond {
    fn default() -> Self {
        Beyond {
            low: f64::INFINITY,
            high: f64::NEG_INFINITY,
            fliers: Vec::new(),
        }
    }
}

impl Beyond {
    /// Of the values `v` with fences `lo`, `hi`.
    pub(crate) fn of(v: impl Iterator<Item = f64>, lo: f64, hi: f64) -> Beyond {
        let mut b = Beyond::default();
        for v in v {
            b.add(v, lo, hi);
        }
        b
    }

    /// Add one value.
    #[inline]
    pub(crate) fn add(&mut self, v: f64, lo: f64, hi: f64) {
        if v >= lo && v < self.low {
            self.low = v;
        }
        if v <= hi && v > self.high {
            self.high = v;
        }
        if !(lo..=hi).contains(&v) {
            self.fliers.push(v);
        }
    }

    /// Both parts' values (fliers in order).
    pub(crate) fn merge(mut self, o: Beyond) -> Beyond {
        self.low = self.low.min(o.low);
        self.high = self.high.max(o.high);
        self.fliers.extend(o.fliers);
        self
    }
}

/// The statistics from the quartiles and the whisker pass.
pub(crate) fn finish(n: usize, mean: f64, [q1, median, q3]: [f64; 3], b: Beyond) -> BoxStats {
    let Beyond {
        low: mut whisker_low,
        high: mut whisker_high,
        mut fliers,
    } = b;
    if whisker_low == f64::INFINITY || whisker_low > q1 {
        whisker_low = q1;
    }
    if whisker_high == f64::NEG_INFINITY || whisker_high < q3 {
        whisker_high = q3;
    }
    let n_fliers = fliers.len();
    if n_fliers > MAX_FLIERS {
        let last = n_fliers - 1;
        let ranks: Vec<usize> = (0..MAX_FLIERS)
            .map(|i| i * last / (MAX_FLIERS - 1))
            .collect();
        fliers = select_in_place(&mut fliers, &ranks);
    } else {
        fliers.sort_unstable_by(f64::total_cmp);
    }
    BoxStats {
        n,
        mean,
        q1,
        median,
        q3,
        whisker_low,
        whisker_high,
        fliers,
        n_fliers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_match_numpy_on_a_small_sample() {
        // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
        assert_eq!(
            quartiles(&[&[4.0, 3.0, 2.0, 1.0]], (1.0, 4.0)),
            [1.75, 2.5, 3.25]
        );
    }

    #[test]
    fn single_value_and_errors() {
        let b = box_stats(&[2.0], 1.5, NanPolicy::Omit).unwrap();
        assert_eq!((b.whisker_low, b.whisker_high, b.n_fliers), (2.0, 2.0, 0));
        assert!(box_stats(&[1.0], -1.0, NanPolicy::Omit).is_err());
        assert!(box_stats(&[], 1.5, NanPolicy::Omit).is_err());
    }
}
