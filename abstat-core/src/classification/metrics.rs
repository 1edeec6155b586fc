//! Label metrics: accuracy, balanced accuracy, precision / recall / F1,
//! the confusion matrix and the per-class report, identical to
//! scikit-learn 1.7's `sklearn.metrics` on the same labels.
//!
//! Zero division: where a ratio is 0/0 (precision of a class never
//! predicted, recall of a class never true, F1 with both zero) the value is
//! 0, which is what scikit-learn's default `zero_division="warn"` returns
//! (it also prints a warning; abstat does not).

use serde::{Deserialize, Serialize};

use super::labels::{Classes, Label, check_pair};
use crate::{Error, Result};

/// How per-class scores are combined (scikit-learn's `average`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Average {
    /// The score of the positive class only; at most two classes allowed.
    Binary,
    /// Unweighted mean over the classes in `y_true ∪ y_pred`.
    Macro,
    /// From the pooled true/false positive and negative counts.
    Micro,
    /// Mean over classes weighted by support (true count).
    Weighted,
}

/// Precision, recall and F1 of one class or one average.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// `tp / (tp + fp)`.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// Harmonic mean of precision and recall, `2tp / (2tp + fp + fn)`.
    pub f1: f64,
}

/// A confusion matrix: `counts[i][j]` rows whose true class is `labels[i]`
/// and predicted class `labels[j]` (scikit-learn's layout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix<T> {
    /// The classes, sorted: the union of true and predicted labels.
    pub labels: Vec<T>,
    /// Counts, true class by row, predicted class by column.
    pub counts: Vec<Vec<u64>>,
}

/// One row of [`ClassificationReport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow<T> {
    /// The class, or `None` for an average row.
    pub label: Option<T>,
    /// Precision, recall and F1.
    pub scores: Scores,
    /// Number of true rows of the class (all rows for an average).
    pub support: u64,
}

/// scikit-learn's `classification_report(..., output_dict=True)`: one row
/// per class, accuracy, and the macro and weighted averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport<T> {
    /// One row per class of `y_true ∪ y_pred`, sorted.
    pub classes: Vec<ReportRow<T>>,
    /// Share of rows predicted correctly (equals the micro averages).
    pub accuracy: f64,
    /// Unweighted mean over classes.
    pub macro_avg: ReportRow<T>,
    /// Support-weighted mean over classes.
    pub weighted_avg: ReportRow<T>,
}

/// Per-class counts: true positives, predicted count, true count.
struct Counts<T> {
    classes: Classes<T>,
    tp: Vec<u64>,
    predicted: Vec<u64>,
    actual: Vec<u64>,
}

fn counts<T: Label>(y_true: &[T], y_pred: &[T]) -> Result<Counts<T>> {
    check_pair(y_true, y_pred, "y_pred")?;
    let classes = Classes::of(&[y_true, y_pred]);
    let t = classes.encode(y_true, "y_true")?;
    let p = classes.encode(y_pred, "y_pred")?;
    let k = classes.len();
    let (mut tp, mut predicted, mut actual) = (vec![0; k], vec![0; k], vec![0; k]);
    for (&a, &b) in t.iter().zip(&p) {
        actual[a] += 1;
        predicted[b] += 1;
        if a == b {
            tp[a] += 1;
        }
    }
    Ok(Counts {
        classes,
        tp,
        predicted,
        actual,
    })
}

/// `num / den`, or 0 when `den` is 0 (scikit-learn's default zero division).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

fn scores(tp: u64, predicted: u64, actual: u64) -> Scores {
    let (tp, p, a) = (tp as f64, predicted as f64, actual as f64);
    Scores {
        precision: ratio(tp, p),
        recall: ratio(tp, a),
        f1: ratio(2.0 * tp, a + p),
    }
}

/// Share of rows where `y_pred` equals `y_true` (`accuracy_score`).
pub fn accuracy<T: PartialEq>(y_true: &[T], y_pred: &[T]) -> Result<f64> {
    check_pair(y_true, y_pred, "y_pred")?;
    let hits = y_true.iter().zip(y_pred).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / y_true.len() as f64)
}

/// Mean recall over the classes of `y_true` (`balanced_accuracy_score`,
/// `adjusted=False`). Classes that occur only in `y_pred` have no recall
/// and are left out, as scikit-learn does (it also warns).
pub fn balanced_accuracy<T: Label>(y_true: &[T], y_pred: &[T]) -> Result<f64> {
    let c = counts(y_true, y_pred)?;
    let recalls: Vec<f64> = (0..c.classes.len())
        .filter(|&i| c.actual[i] > 0)
        .map(|i| c.tp[i] as f64 / c.actual[i] as f64)
        .collect();
    Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
}

/// The confusion matrix over the sorted union of labels
/// (`confusion_matrix`).
pub fn confusion_matrix<T: Label>(y_true: &[T], y_pred: &[T]) -> Result<ConfusionMatrix<T>> {
    check_pair(y_true, y_pred, "y_pred")?;
    let classes = Classes::of(&[y_true, y_pred]);
    let t = classes.encode(y_true, "y_true")?;
    let p = classes.encode(y_pred, "y_pred")?;
    let mut counts = vec![vec![0; classes.len()]; classes.len()];
    for (&a, &b) in t.iter().zip(&p) {
        counts[a][b] += 1;
    }
    Ok(ConfusionMatrix {
        labels: classes.labels,
        counts,
    })
}

/// Precision, recall and F1 under `average` (`precision_recall_fscore_support`
/// with `beta = 1`).
///
/// With [`Average::Binary`], `pos_label` names the positive class and the
/// labels may take at most two values (scikit-learn's `average="binary"`,
/// whose default `pos_label=1` must be given explicitly here).
pub fn precision_recall_f1<T: Label>(
    y_true: &[T],
    y_pred: &[T],
    average: Average,
    pos_label: Option<&T>,
) -> Result<Scores> {
    let c = counts(y_true, y_pred)?;
    let k = c.classes.len();
    match average {
        Average::Binary => {
            let pos = pos_label.ok_or_else(|| {
                Error::invalid(
                    "pos_label",
                    "none",
                    "the positive class, needed with average = binary",
                )
            })?;
            if k > 2 {
                return Err(Error::invalid(
                    "average",
                    "binary",
                    format!(
                        "macro, micro or weighted: the labels have {k} classes {}",
                        c.classes.describe()
                    ),
                ));
            }
            match c.classes.index(pos) {
                Some(i) => Ok(scores(c.tp[i], c.predicted[i], c.actual[i])),
                None if k == 2 => Err(Error::invalid(
                    "pos_label",
                    pos,
                    format!("one of the labels {}", c.classes.describe()),
                )),
                None => Ok(scores(0, 0, 0)),
            }
        }
        Average::Micro => Ok(scores(
            c.tp.iter().sum(),
            c.predicted.iter().sum(),
            c.actual.iter().sum(),
        )),
        Average::Macro | Average::Weighted => {
            let per: Vec<Scores> = (0..k)
                .map(|i| scores(c.tp[i], c.predicted[i], c.actual[i]))
                .collect();
            let weights: Vec<f64> = if average == Average::Macro {
                vec![1.0; k]
            } else {
                c.actual.iter().map(|&a| a as f64).collect()
            };
            Ok(weighted_mean(&per, &weights))
        }
    }
}

/// `np.average` of each score with `weights`; 0 when the weights sum to 0.
fn weighted_mean(per: &[Scores], weights: &[f64]) -> Scores {
    let total: f64 = weights.iter().sum();
    let mean = |f: fn(&Scores) -> f64| {
        ratio(
            per.iter().zip(weights).map(|(s, w)| f(s) * w).sum::<f64>(),
            total,
        )
    };
    Scores {
        precision: mean(|s| s.precision),
        recall: mean(|s| s.recall),
        f1: mean(|s| s.f1),
    }
}

/// Per-class precision, recall, F1 and support with accuracy and the macro
/// and weighted averages (`classification_report(output_dict=True)`).
pub fn classification_report<T: Label>(
    y_true: &[T],
    y_pred: &[T],
) -> Result<ClassificationReport<T>> {
    let c = counts(y_true, y_pred)?;
    let n = y_true.len() as u64;
    let per: Vec<Scores> = (0..c.classes.len())
        .map(|i| scores(c.tp[i], c.predicted[i], c.actual[i]))
        .collect();
    let support: Vec<f64> = c.actual.iter().map(|&a| a as f64).collect();
    let average = |weights: &[f64]| ReportRow {
        label: None,
        scores: weighted_mean(&per, weights),
        support: n,
    };
    Ok(ClassificationReport {
        accuracy: c.tp.iter().sum::<u64>() as f64 / n as f64,
        macro_avg: average(&vec![1.0; per.len()]),
        weighted_avg: average(&support),
        classes: c
            .classes
            .labels
            .iter()
            .zip(&per)
            .zip(&c.actual)
            .map(|((l, s), &a)| ReportRow {
                label: Some(l.clone()),
                scores: *s,
                support: a,
            })
            .collect(),
    })
}
