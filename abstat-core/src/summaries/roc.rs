//! ROC points for a chart, for any number of scored rows.
//!
//! Up to [`EXACT_LIMIT`] rows (100 000): scikit-learn's `roc_curve` and
//! `roc_auc_score` exactly. The scores of each class are radix-sorted once
//! (no index sort) and merged; the area is the trapezoid of that curve, as
//! scikit-learn computes it.
//!
//! Deviation from scikit-learn above [`EXACT_LIMIT`] rows: the curve is
//! binned, and [`RocPoints::binned`] says so. The scores are counted in
//! [`SCORE_BINS`] equal-width bins (numpy's `histogram` edges, one
//! parallel pass, no sort) and the curve is read at the bin edges: every
//! point is an exact point of the ROC curve (the rates at threshold
//! "score ≥ edge"), but the points between two edges are not drawn, and
//! the area is the trapezoid through the drawn points, which differs from
//! the exact AUC only by pairs of rows inside one bin (bounded by the
//! largest bin's share of pairs; below 1e-4 on the tested data).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::histogram::EqualBins;
use super::order_stats::sort_descending;
use super::scan::{self, CHUNK};
use crate::classification::{RocCurve, trapezoid};
use crate::{Error, Result};

/// Rows up to which the curve is exact.
pub const EXACT_LIMIT: usize = 100_000;
/// Score bins above [`EXACT_LIMIT`].
pub const SCORE_BINS: usize = 20_000;

/// An ROC curve ready to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocPoints {
    /// False positive rates, from 0 to 1.
    pub fpr: Vec<f64>,
    /// True positive rates, from 0 to 1.
    pub tpr: Vec<f64>,
    /// Area under the curve.
    pub auc: f64,
    /// Rows scored.
    pub n: usize,
    /// True above [`EXACT_LIMIT`] rows: the points are read at
    /// [`SCORE_BINS`] score bins and the area is that of the binned curve
    /// (module docs); false when both are scikit-learn's.
    #[serde(default)]
    pub binned: bool,
}

/// The ROC curve of `scores` for the rows where `positive` is true (both
/// classes must occur; scores finite): scikit-learn's up to
/// [`EXACT_LIMIT`] rows, binned above (module docs).
pub fn roc_points(positive: &[bool], scores: &[f64]) -> Result<RocPoints> {
    let n = scores.len();
    if positive.len() != n {
        return Err(Error::LengthMismatch {
            left: "labels".into(),
            left_len: positive.len(),
            right: "scores".into(),
            right_len: n,
        });
    }
    // one fused pass: finiteness and extent of the scores, positives
    let (finite, lo, hi, n_pos) = scores
        .par_chunks(CHUNK)
        .zip(positive.par_chunks(CHUNK))
        .map(|(s, p)| {
            let (ok, lo, hi) = s.iter().fold(
                (true, f64::INFINITY, f64::NEG_INFINITY),
                |(ok, lo, hi), &v| (ok & v.is_finite(), lo.min(v), hi.max(v)),
            );
            (ok, lo, hi, p.iter().filter(|&&p| p).count())
        })
        .reduce(
            || (true, f64::INFINITY, f64::NEG_INFINITY, 0),
            |a, b| (a.0 && b.0, a.1.min(b.1), a.2.max(b.2), a.3 + b.3),
        );
    if !finite {
        return Err(Error::Degenerate(
            "the scores contain NaN or infinite values".into(),
        ));
    }
    if n_pos == 0 || n_pos == n {
        return Err(Error::Degenerate(
            "an ROC curve needs both positive and negative rows".into(),
        ));
    }
    if n <= EXACT_LIMIT {
        exact(positive, scores, n_pos)
    } else {
        binned(positive, scores, (lo, hi))
    }
}

/// scikit-learn's curve: cumulative counts at each distinct score, from
/// the two classes' scores sorted in decreasing order.
fn exact(positive: &[bool], scores: &[f64], n_pos: usize) -> Result<RocPoints> {
    let n = scores.len();
    let mut pos = Vec::with_capacity(n_pos);
    let mut neg = Vec::with_capacity(n - n_pos);
    for (&p, &s) in positive.iter().zip(scores) {
        if p { pos.push(s) } else { neg.push(s) }
    }
    sort_descending(&mut pos);
    sort_descending(&mut neg);
    let (mut tps, mut fps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < pos.len() || j < neg.len() {
        let t = match (pos.get(i), neg.get(j)) {
            (Some(&a), Some(&b)) => a.max(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => unreachable!(),
        };
        // equal scores (0.0 and −0.0 too) are adjacent in each class
        while i < pos.len() && pos[i] == t {
            i += 1;
        }
        while j < neg.len() && neg[j] == t {
            j += 1;
        }
        tps.push(i as f64);
        fps.push(j as f64);
        thresholds.push(t);
    }
    let curve = RocCurve::from_counts(&tps, &fps, &thresholds);
    let auc = trapezoid(&curve.fpr, &curve.tpr);
    Ok(RocPoints {
        fpr: curve.fpr,
        tpr: curve.tpr,
        auc,
        n,
        binned: false,
    })
}

/// Counts of each class per score bin, read from the top bin down;
/// `(lo, hi)` is the scores' extent.
fn binned(positive: &[bool], scores: &[f64], (lo, hi): (f64, f64)) -> Result<RocPoints> {
    let n = scores.len();
    let bins = EqualBins::new(lo, if hi > lo { hi } else { lo + 1.0 }, SCORE_BINS)?;
    // counts[2·bin] negatives, counts[2·bin + 1] positives
    let counts = scores
        .par_chunks(CHUNK)
        .zip(positive.par_chunks(CHUNK))
        .with_min_len(scan::chunks_per_job(n))
        .fold(
            || vec![0u64; 2 * SCORE_BINS],
            |mut acc, (s, p)| {
                for (&s, &p) in s.iter().zip(p) {
                    let i = bins.index(s).expect("inside the score range");
                    acc[2 * i + usize::from(p)] += 1;
                }
                acc
            },
        )
        .reduce(|| vec![0u64; 2 * SCORE_BINS], scan::add_counts);
    let (mut tp_all, mut fp_all) = (0u64, 0u64);
    for c in counts.chunks(2) {
        fp_all += c[0];
        tp_all += c[1];
    }
    let (mut fpr, mut tpr) = (vec![0.0], vec![0.0]);
    let (mut tp, mut fp) = (0u64, 0u64);
    for c in counts.chunks(2).rev() {
        if c[0] + c[1] == 0 {
            continue;
        }
        tp += c[1];
        fp += c[0];
        fpr.push(fp as f64 / fp_all as f64);
        tpr.push(tp as f64 / tp_all as f64);
    }
    let auc = trapezoid(&fpr, &tpr);
    Ok(RocPoints {
        fpr,
        tpr,
        auc,
        n,
        binned: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_across_classes_and_signed_zeros_are_one_threshold() {
        let y = [true, false, true, false, true];
        let s = [0.0, -0.0, 0.5, 0.5, -1.0];
        let r = roc_points(&y, &s).unwrap();
        // thresholds 0.5 (1 tp, 1 fp), 0 (2, 2), −1 (3, 2)
        assert_eq!(r.fpr, vec![0.0, 0.5, 1.0, 1.0]);
        assert_eq!(r.tpr, vec![0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]);
        assert!(roc_points(&[true], &[0.1, 0.2]).is_err());
        assert!(roc_points(&[true, false], &[0.1, f64::NAN]).is_err());
    }
}
