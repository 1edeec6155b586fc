//! Box-plot statistics as matplotlib's `cbook.boxplot_stats(x, whis=1.5)`:
//! quartiles by `numpy.percentile` (linear interpolation), whiskers at the
//! most extreme values within 1.5·IQR of the box, the rest fliers.

use serde::{Deserialize, Serialize};

use super::sample::finite;
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

/// `numpy.percentile(x, [25, 50, 75])` by selection (O(n), `x` unsorted).
pub(crate) fn quartiles(x: &[f64]) -> [f64; 3] {
    let mut buf = x.to_vec();
    let v = percentiles_in_place(&mut buf, &[25.0, 50.0, 75.0]);
    [v[0], v[1], v[2]]
}

/// numpy's linear percentiles of `buf` at increasing `qs` (in percent),
/// reordering `buf`. Each order statistic is found by selection inside the
/// part left of the previous one's, so k percentiles cost about O(n log k).
pub(crate) fn percentiles_in_place(buf: &mut [f64], qs: &[f64]) -> Vec<f64> {
    let n = buf.len();
    let mut out = Vec::with_capacity(qs.len());
    let mut start = 0;
    for &q in qs {
        // numpy: virtual index q·(n − 1), lerp between its neighbours
        let vi = (n - 1) as f64 * (q / 100.0);
        let k = (vi.floor() as usize).min(n - 1);
        let gamma = vi - k as f64;
        let k = k.max(start);
        let (_, &mut a, rest) = buf[start..].select_nth_unstable_by(k - start, f64::total_cmp);
        let b = if k + 1 < n && gamma > 0.0 {
            rest.iter().copied().fold(f64::INFINITY, f64::min)
        } else {
            a
        };
        out.push(lerp(a, b, gamma));
        start = k;
    }
    out
}

/// numpy's `_lerp`: from the nearer end, for stability.
pub(crate) fn lerp(a: f64, b: f64, gamma: f64) -> f64 {
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// matplotlib's `boxplot_stats` of one group with whiskers at `whis`·IQR
/// (matplotlib's default 1.5). NaN per `nan_policy` (see the module docs).
pub fn box_stats(x: &[f64], whis: f64, nan_policy: NanPolicy) -> Result<BoxStats> {
    if !(whis >= 0.0 && whis.is_finite()) {
        return Err(Error::invalid(
            "whis",
            whis,
            "a non-negative number (1.5 is usual)",
        ));
    }
    let x = finite(x, nan_policy, "the group")?;
    let n = x.len();
    let mean = x.iter().sum::<f64>() / n as f64;
    let [q1, median, q3] = quartiles(&x);
    let iqr = q3 - q1;
    let (lo, hi) = (q1 - whis * iqr, q3 + whis * iqr);
    let mut whisker_low = f64::INFINITY;
    let mut whisker_high = f64::NEG_INFINITY;
    for &v in x.iter() {
        if v >= lo && v < whisker_low {
            whisker_low = v;
        }
        if v <= hi && v > whisker_high {
            whisker_high = v;
        }
    }
    if whisker_low == f64::INFINITY || whisker_low > q1 {
        whisker_low = q1;
    }
    if whisker_high == f64::NEG_INFINITY || whisker_high < q3 {
        whisker_high = q3;
    }
    let mut fliers: Vec<f64> = x
        .iter()
        .copied()
        .filter(|&v| v < whisker_low || v > whisker_high)
        .collect();
    let n_fliers = fliers.len();
    fliers.sort_unstable_by(f64::total_cmp);
    if n_fliers > MAX_FLIERS {
        let last = n_fliers - 1;
        fliers = (0..MAX_FLIERS)
            .map(|i| fliers[i * last / (MAX_FLIERS - 1)])
            .collect();
    }
    Ok(BoxStats {
        n,
        mean,
        q1,
        median,
        q3,
        whisker_low,
        whisker_high,
        fliers,
        n_fliers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_on_a_small_sample() {
        // np.percentile([5, 1, 4, 2, 3], [25, 50, 75]) = [2, 3, 4]
        assert_eq!(quartiles(&[5.0, 1.0, 4.0, 2.0, 3.0]), [2.0, 3.0, 4.0]);
        // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
        assert_eq!(quartiles(&[4.0, 3.0, 2.0, 1.0]), [1.75, 2.5, 3.25]);
        assert_eq!(quartiles(&[7.0]), [7.0, 7.0, 7.0]);
    }

    #[test]
    fn single_value_and_errors() {
        let b = box_stats(&[2.0], 1.5, NanPolicy::Omit).unwrap();
        assert_eq!((b.whisker_low, b.whisker_high, b.n_fliers), (2.0, 2.0, 0));
        assert!(box_stats(&[1.0], -1.0, NanPolicy::Omit).is_err());
        assert!(box_stats(&[], 1.5, NanPolicy::Omit).is_err());
    }
}
