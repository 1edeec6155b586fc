//! ROC points for a chart, for any number of scored rows.
//!
//! Up to [`EXACT_LIMIT`] rows: scikit-learn's `roc_curve` and
//! `roc_auc_score` exactly (via [`crate::classification`]). Above, the
//! scores are counted in [`SCORE_BINS`] equal-width bins and the curve is
//! read at the bin edges: every point is an exact point of the ROC curve
//! (the rates at threshold "score ≥ edge"), and the area is the trapezoid
//! through them, which differs from the exact AUC only by ties inside a
//! bin (bounded by the largest bin's share of pairs). This avoids sorting
//! 10M scores.

use serde::{Deserialize, Serialize};

use super::histogram::EqualBins;
use crate::classification::{roc_auc, roc_curve};
use crate::{Error, Result};

/// Rows up to which the curve is exact.
pub const EXACT_LIMIT: usize = 1_000_000;
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
}

/// The ROC curve of `scores` for the rows where `positive` is true (both
/// classes must occur; scores finite).
pub fn roc_points(positive: &[bool], scores: &[f64]) -> Result<RocPoints> {
    let n = scores.len();
    if n <= EXACT_LIMIT {
        let curve = roc_curve(positive, scores, &true)?;
        let auc = roc_auc(positive, scores)?;
        return Ok(RocPoints {
            fpr: curve.fpr,
            tpr: curve.tpr,
            auc,
            n,
        });
    }
    if positive.len() != n {
        return Err(Error::LengthMismatch {
            left: "labels".into(),
            left_len: positive.len(),
            right: "scores".into(),
            right_len: n,
        });
    }
    let (lo, hi) = scores
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if !(lo.is_finite() && hi.is_finite()) {
        return Err(Error::Degenerate(
            "the scores contain NaN or infinite values".into(),
        ));
    }
    let bins = EqualBins::new(lo, if hi > lo { hi } else { lo + 1.0 }, SCORE_BINS)?;
    let (mut pos, mut neg) = (vec![0u64; SCORE_BINS], vec![0u64; SCORE_BINS]);
    for (&p, &s) in positive.iter().zip(scores) {
        let i = bins.index(s).expect("inside the score range");
        if p { pos[i] += 1 } else { neg[i] += 1 }
    }
    let (tp_all, fp_all) = (pos.iter().sum::<u64>(), neg.iter().sum::<u64>());
    if tp_all == 0 || fp_all == 0 {
        return Err(Error::Degenerate(
            "an ROC curve needs both positive and negative rows".into(),
        ));
    }
    let (mut fpr, mut tpr) = (vec![0.0], vec![0.0]);
    let (mut tp, mut fp) = (0u64, 0u64);
    for i in (0..SCORE_BINS).rev() {
        if pos[i] + neg[i] == 0 {
            continue;
        }
        tp += pos[i];
        fp += neg[i];
        fpr.push(fp as f64 / fp_all as f64);
        tpr.push(tp as f64 / tp_all as f64);
    }
    let auc = fpr
        .windows(2)
        .zip(tpr.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum();
    Ok(RocPoints { fpr, tpr, auc, n })
}
