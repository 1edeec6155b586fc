//! Metrics on scores and probabilities: the ROC curve, ROC AUC (binary and
//! one-vs-rest multiclass) and log loss, identical to scikit-learn 1.7's
//! `roc_curve`, `roc_auc_score` and `log_loss`.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::labels::{Classes, Label, check_pair};
use crate::{Error, Result};

/// Points of a ROC curve (`roc_curve` with `drop_intermediate=True`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    /// False positive rates, increasing from 0 to 1.
    pub fpr: Vec<f64>,
    /// True positive rates, increasing from 0 to 1.
    pub tpr: Vec<f64>,
    /// Score thresholds, decreasing; the first is `+∞` (no row predicted
    /// positive), as in scikit-learn ≥ 1.3.
    pub thresholds: Vec<f64>,
}

/// How one-vs-rest AUCs are averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AucAverage {
    /// Unweighted mean over classes.
    Macro,
    /// Mean weighted by each class's support in `y_true`.
    Weighted,
}

fn check_scores(scores: &[f64], what: &str) -> Result<()> {
    if scores.iter().any(|s| !s.is_finite()) {
        return Err(Error::MissingValues { what: what.into() });
    }
    Ok(())
}

/// The ROC curve of `scores` for the positive class `pos_label`.
///
/// Follows scikit-learn's `_binary_clf_curve`: one point per distinct
/// score, then collinear points dropped. Without positive (or negative)
/// rows the true (false) positive rates are NaN, as scikit-learn returns
/// them (with a warning).
pub fn roc_curve<T: Label>(y_true: &[T], scores: &[f64], pos_label: &T) -> Result<RocCurve> {
    check_pair(y_true, scores, "scores")?;
    check_scores(scores, "scores")?;
    let positive: Vec<bool> = y_true.iter().map(|l| l == pos_label).collect();
    Ok(curve(&positive, scores))
}

fn curve(positive: &[bool], scores: &[f64]) -> RocCurve {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    // cumulative true and false positives at the end of each run of ties
    let (mut tps, mut fps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tp, mut fp) = (0.0, 0.0);
    for (j, &i) in order.iter().enumerate() {
        if positive[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last = j + 1 == order.len() || scores[order[j + 1]] != scores[i];
        if last {
            tps.push(tp);
            fps.push(fp);
            thresholds.push(scores[i]);
        }
    }
    RocCurve::from_counts(&tps, &fps, &thresholds)
}

impl RocCurve {
    /// The curve from the cumulative true and false positive counts at
    /// each distinct threshold, decreasing (scikit-learn's
    /// `_binary_clf_curve` output), collinear points dropped.
    pub(crate) fn from_counts(tps: &[f64], fps: &[f64], thresholds: &[f64]) -> RocCurve {
        // drop_intermediate: keep the ends and points where the second
        // difference of either count is non-zero
        let m = tps.len();
        let keep: Vec<usize> = if m > 2 {
            (0..m)
                .filter(|&i| {
                    i == 0
                        || i == m - 1
                        || fps[i + 1] - 2.0 * fps[i] + fps[i - 1] != 0.0
                        || tps[i + 1] - 2.0 * tps[i] + tps[i - 1] != 0.0
                })
                .collect()
        } else {
            (0..m).collect()
        };
        let (tp_all, fp_all) = (tps[m - 1], fps[m - 1]);
        let rate = |v: f64, total: f64| if total > 0.0 { v / total } else { f64::NAN };
        let mut out = RocCurve {
            fpr: vec![0.0],
            tpr: vec![0.0],
            thresholds: vec![f64::INFINITY],
        };
        out.fpr[0] = rate(0.0, fp_all);
        out.tpr[0] = rate(0.0, tp_all);
        for i in keep {
            out.fpr.push(rate(fps[i], fp_all));
            out.tpr.push(rate(tps[i], tp_all));
            out.thresholds.push(thresholds[i]);
        }
        out
    }
}

/// Trapezoidal area under the curve (`sklearn.metrics.auc`).
pub(crate) fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(xw, yw)| (xw[1] - xw[0]) * (yw[1] + yw[0]) / 2.0)
        .sum()
}

fn binary_auc(positive: &[bool], scores: &[f64], what: &str) -> Result<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count();
    if n_pos == 0 || n_pos == positive.len() {
        return Err(Error::Degenerate(format!(
            "ROC AUC is undefined for {what}: y_true has only one class"
        )));
    }
    let c = curve(positive, scores);
    Ok(trapezoid(&c.fpr, &c.tpr))
}

/// Binary ROC AUC (`roc_auc_score`): `y_true` has exactly two classes and
/// `scores` rank rows by their chance of the greater (in sorted order)
/// class, as scikit-learn takes it as positive.
pub fn roc_auc<T: Label>(y_true: &[T], scores: &[f64]) -> Result<f64> {
    check_pair(y_true, scores, "scores")?;
    check_scores(scores, "scores")?;
    let classes = Classes::of(&[y_true]);
    if classes.len() != 2 {
        return Err(Error::Degenerate(format!(
            "binary ROC AUC needs exactly two classes in y_true, found {} {}; \
             use roc_auc_ovr for more",
            classes.len(),
            classes.describe()
        )));
    }
    let positive: Vec<bool> = y_true.iter().map(|l| *l == classes.labels[1]).collect();
    binary_auc(&positive, scores, "y_true")
}

/// Check that `proba` is `n × k` probabilities with rows summing to 1
/// (within `sqrt(eps)` relative, scikit-learn's check).
fn check_proba(proba: &ArrayView2<f64>, n: usize, k: usize) -> Result<()> {
    if proba.nrows() != n {
        return Err(Error::LengthMismatch {
            left: "y_true".into(),
            left_len: n,
            right: "rows of the probabilities".into(),
            right_len: proba.nrows(),
        });
    }
    if proba.ncols() != k {
        return Err(Error::invalid(
            "probability columns",
            proba.ncols(),
            format!("one column per class of y_true, {k}, in sorted class order"),
        ));
    }
    if proba.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::invalid(
            "probabilities",
            "a value outside [0, 1] or NaN",
            "probabilities in [0, 1]",
        ));
    }
    let tol = f64::EPSILON.sqrt();
    if let Some(row) = proba
        .rows()
        .into_iter()
        .position(|r| (r.sum() - 1.0).abs() > tol)
    {
        return Err(Error::invalid(
            format!("probabilities of row {row}"),
            proba.row(row).sum(),
            "rows that sum to 1",
        ));
    }
    Ok(())
}

/// The classes of `y_true` (at least `min` of them, for `method`), checked
/// against the probability matrix, and each row's class code.
fn classes_of<T: Label>(
    y_true: &[T],
    proba: &ArrayView2<f64>,
    min: usize,
    method: &str,
) -> Result<(Classes<T>, Vec<usize>)> {
    if y_true.is_empty() {
        return Err(Error::TooFewObservations {
            what: "y_true".into(),
            needed: 1,
            got: 0,
        });
    }
    let classes = Classes::of(&[y_true]);
    if classes.len() < min {
        return Err(Error::Degenerate(format!(
            "{method} needs at least {min} classes in y_true, found {}",
            classes.describe()
        )));
    }
    check_proba(proba, y_true.len(), classes.len())?;
    let codes = classes.encode(y_true, "y_true")?;
    Ok((classes, codes))
}

/// One-vs-rest multiclass ROC AUC (`roc_auc_score(multi_class="ovr")`):
/// column `j` of `proba` is the probability of the `j`-th class of `y_true`
/// in sorted order; rows must sum to 1.
pub fn roc_auc_ovr<T: Label>(
    y_true: &[T],
    proba: ArrayView2<f64>,
    average: AucAverage,
) -> Result<f64> {
    let (classes, codes) = classes_of(
        y_true,
        &proba,
        3,
        "one-vs-rest ROC AUC (use roc_auc for two classes)",
    )?;
    let (mut total, mut weight_sum) = (0.0, 0.0);
    for (j, label) in classes.labels.iter().enumerate() {
        let positive: Vec<bool> = codes.iter().map(|&c| c == j).collect();
        let col = proba.column(j).to_vec();
        let auc = binary_auc(&positive, &col, &format!("class {label}"))?;
        let w = match average {
            AucAverage::Macro => 1.0,
            AucAverage::Weighted => positive.iter().filter(|&&p| p).count() as f64,
        };
        total += auc * w;
        weight_sum += w;
    }
    Ok(total / weight_sum)
}

/// Mean negative log-likelihood (`log_loss`): column `j` of `proba` is the
/// probability of the `j`-th class of `y_true` in sorted order.
/// Probabilities are clipped to `[eps, 1 − eps]` as scikit-learn does.
///
/// Deviation: rows that do not sum to 1 are an error here; scikit-learn
/// only warns.
pub fn log_loss<T: Label>(y_true: &[T], proba: ArrayView2<f64>) -> Result<f64> {
    let (_, codes) = classes_of(y_true, &proba, 2, "log loss")?;
    let eps = f64::EPSILON;
    let total: f64 = codes
        .iter()
        .enumerate()
        .map(|(i, &c)| -proba[[i, c]].clamp(eps, 1.0 - eps).ln())
        .sum();
    Ok(total / y_true.len() as f64)
}
