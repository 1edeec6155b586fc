//! Quantile binning of features for histogram split search, as
//! scikit-learn's `HistGradientBoostingClassifier` and LightGBM bin them:
//! each feature is cut into at most `max_bins` (≤ 256) bins once, before any
//! tree is grown, and trees then search splits over bin boundaries only.
//!
//! The cut points lie between consecutive distinct training values: a
//! feature with at most `max_bins` distinct values gets one bin per value
//! and cuts at the midpoints between them — exactly the thresholds an exact
//! CART search (`DecisionTreeClassifier`) can choose. A feature with more
//! values is cut at the midpoints of its `q / max_bins` quantiles
//! (`np.percentile(..., method="midpoint")` in scikit-learn's `_find_binning_thresholds`),
//! so a split can only fall on one of those cuts.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::{Error, Result};

/// Default most bins per feature (scikit-learn's `HistGradientBoosting`).
pub(crate) const MAX_BINS: usize = 255;

/// Check a `max_bins` setting (2 to 256, so codes fit a byte) and that the
/// rows can be numbered by `u32`.
pub(crate) fn check_bins(max_bins: usize, n_rows: usize) -> Result<()> {
    if !(2..=256).contains(&max_bins) {
        return Err(Error::invalid("max_bins", max_bins, "between 2 and 256"));
    }
    if u32::try_from(n_rows).is_err() {
        return Err(Error::invalid("training rows", n_rows, "at most 2³² − 1"));
    }
    Ok(())
}

/// Features coded as bin numbers (`u8`), column-major, with the cut points
/// that map them back to feature values.
#[derive(Debug, Clone)]
pub(crate) struct Bins {
    /// `codes[f * n + i]`: bin of row `i` in feature `f`.
    codes: Vec<u8>,
    /// `cuts[f][b]`: rows with `x ≤ cuts[f][b]` are in bins `0..=b`.
    cuts: Vec<Vec<f64>>,
    n: usize,
}

/// Midpoint of two consecutive distinct values, as scikit-learn's trees
/// compute it (`a / 2 + b / 2`), falling back to `a` when rounding reaches `b`.
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let t = a / 2.0 + b / 2.0;
    if t >= b || !t.is_finite() { a } else { t }
}

/// Cut points of one feature (see the module docs).
fn cuts_of(column: impl Iterator<Item = f64>, max_bins: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = column.collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| midpoint(w[0], w[1])).collect();
    }
    let last = (sorted.len() - 1) as f64;
    let mut cuts: Vec<f64> = (1..max_bins)
        .map(|q| {
            let pos = q as f64 * last / max_bins as f64;
            let (lo, hi) = (sorted[pos.floor() as usize], sorted[pos.ceil() as usize]);
            lo / 2.0 + hi / 2.0
        })
        .collect();
    cuts.dedup();
    // a cut at the largest value would leave an empty last bin
    let max = sorted[sorted.len() - 1];
    cuts.retain(|&c| c < max);
    cuts
}

impl Bins {
    /// Bin every column of `x` into at most `max_bins` (2..=256) bins.
    pub(crate) fn fit(x: &ArrayView2<f64>, max_bins: usize) -> Bins {
        debug_assert!((2..=256).contains(&max_bins));
        let n = x.nrows();
        let columns: Vec<(Vec<f64>, Vec<u8>)> = (0..x.ncols())
            .into_par_iter()
            .map(|f| {
                let col = x.column(f);
                let cuts = cuts_of(col.iter().copied(), max_bins);
                let codes = col.iter().map(|&v| code(&cuts, v)).collect();
                (cuts, codes)
            })
            .collect();
        let mut codes = Vec::with_capacity(n * x.ncols());
        let mut cuts = Vec::with_capacity(x.ncols());
        for (c, k) in columns {
            cuts.push(c);
            codes.extend(k);
        }
        Bins { codes, cuts, n }
    }

    /// Bin codes of feature `f`, one per row.
    pub(crate) fn feature(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n..(f + 1) * self.n]
    }

    /// Number of bins of feature `f`.
    pub(crate) fn n_bins(&self, f: usize) -> usize {
        self.cuts[f].len() + 1
    }

    /// The feature value separating bins `..=b` from the rest.
    pub(crate) fn cut(&self, f: usize, b: usize) -> f64 {
        self.cuts[f][b]
    }

    /// Number of features.
    pub(crate) fn n_features(&self) -> usize {
        self.cuts.len()
    }
}

/// Bin of value `v`: the number of cuts below it, so that
/// `code(v) ≤ b ⇔ v ≤ cuts[b]`.
fn code(cuts: &[f64], v: f64) -> u8 {
    cuts.partition_point(|&c| c < v) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn few_distinct_values_get_one_bin_each_with_midpoint_cuts() {
        let x = Array2::from_shape_vec((5, 1), vec![3.0, 1.0, 2.0, 1.0, 3.0]).unwrap();
        let b = Bins::fit(&x.view(), 255);
        assert_eq!(b.n_bins(0), 3);
        assert_eq!(b.cuts[0], vec![1.5, 2.5]);
        assert_eq!(b.feature(0), &[2, 0, 1, 0, 2]);
    }

    #[test]
    fn many_values_are_cut_at_quantiles_and_codes_agree_with_cuts() {
        let v: Vec<f64> = (0..1000).map(|i| f64::from((i * 7919) % 1000)).collect();
        let x = Array2::from_shape_vec((1000, 1), v.clone()).unwrap();
        let b = Bins::fit(&x.view(), 16);
        assert_eq!(b.n_bins(0), 16);
        for (i, &c) in b.feature(0).iter().enumerate() {
            for k in 0..b.n_bins(0) - 1 {
                assert_eq!(usize::from(c) <= k, v[i] <= b.cut(0, k));
            }
        }
        // bins hold roughly equal shares
        let mut counts = [0; 16];
        b.feature(0)
            .iter()
            .for_each(|&c| counts[usize::from(c)] += 1);
        assert!(counts.iter().all(|&c| (60..=65).contains(&c)), "{counts:?}");
    }

    #[test]
    fn constant_feature_has_one_bin() {
        let x = Array2::from_elem((4, 1), 2.0);
        assert_eq!(Bins::fit(&x.view(), 255).n_bins(0), 1);
    }
}
