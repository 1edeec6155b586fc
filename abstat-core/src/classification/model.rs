//! The two traits every classifier implements, linfa style: settings
//! ([`Fit`]) are separate from the fitted model ([`Classifier`]).
//!
//! Models work on a row-major feature matrix (`n × p`, see
//! [`Preprocessor`](super::Preprocessor)) and class codes `0..k`; the
//! labelled, Arrow-level wrapper is [`Pipeline`](super::Pipeline).

use ndarray::{Array2, ArrayView2};

use super::split::Split;
use crate::{Error, Result};

/// A fitted classifier.
pub trait Classifier {
    /// Number of features it was fitted on.
    fn n_features(&self) -> usize;
    /// Number of classes it was fitted on.
    fn n_classes(&self) -> usize;
    /// Class scores per row (`n × k`): probabilities where the model has
    /// them, otherwise decision values; larger means more likely.
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64>;
    /// Whether [`Classifier::scores`] are probabilities.
    fn has_proba(&self) -> bool {
        true
    }
    /// The class code with the largest score in each row (the smallest code
    /// among ties, as numpy's `argmax`).
    fn predict(&self, x: ArrayView2<f64>) -> Vec<usize> {
        argmax_rows(&self.scores(x))
    }
    /// A linear model's weights laid out as scikit-learn's `coef_` (one row
    /// per score column, i.e. one for two classes and `k` for more, one
    /// column per feature) and its `intercept_`; `None` for other models.
    fn linear_coefficients(&self) -> Option<(Array2<f64>, Vec<f64>)> {
        None
    }
}

/// Settings of a classifier, validated when fitting.
pub trait Fit {
    /// The fitted model.
    type Model: Classifier;
    /// Fit on features `x` (`n × p`) and class codes `y` in `0..n_classes`.
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], n_classes: usize) -> Result<Self::Model>;
}

/// Position of the largest value of each row (first among ties).
pub(crate) fn argmax_rows(s: &Array2<f64>) -> Vec<usize> {
    s.rows()
        .into_iter()
        .map(|r| {
            let mut best = 0;
            for (j, &v) in r.iter().enumerate() {
                if v > r[best] {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// Check the training data every model needs: matching lengths, at least
/// two rows, finite features, codes below `n_classes`, at least two classes
/// present.
pub(crate) fn check_training(x: &ArrayView2<f64>, y: &[usize], n_classes: usize) -> Result<()> {
    if x.nrows() != y.len() {
        return Err(Error::LengthMismatch {
            left: "feature rows".into(),
            left_len: x.nrows(),
            right: "labels".into(),
            right_len: y.len(),
        });
    }
    if y.len() < 2 {
        return Err(Error::TooFewObservations {
            what: "training rows".into(),
            needed: 2,
            got: y.len(),
        });
    }
    if x.ncols() == 0 {
        return Err(Error::invalid("features", 0, "at least one feature column"));
    }
    // a contiguous design is checked as one slice, without an early exit
    // so the check is vectorised (ndarray's element-by-element iteration
    // through both axes was ~4% of a logistic regression fit)
    let finite = match x.as_slice_memory_order() {
        Some(values) => values.iter().fold(true, |ok, v| ok & v.is_finite()),
        None => x.iter().all(|v| v.is_finite()),
    };
    if !finite {
        return Err(Error::MissingValues {
            what: "the training features (impute them first)".into(),
        });
    }
    if let Some(&c) = y.iter().find(|&&c| c >= n_classes) {
        return Err(Error::invalid(
            "class code",
            c,
            format!("below {n_classes}"),
        ));
    }
    let mut present = vec![false; n_classes];
    for &c in y {
        present[c] = true;
    }
    if present.iter().filter(|&&p| p).count() < 2 {
        return Err(Error::Degenerate(
            "the training labels have only one class; a classifier needs at least two".into(),
        ));
    }
    Ok(())
}

/// Fit on each split's training rows and return the accuracy on its test
/// rows (`cross_val_score` with `scoring="accuracy"`).
pub fn cross_val_accuracy<F: Fit>(
    params: &F,
    x: ArrayView2<f64>,
    y: &[usize],
    n_classes: usize,
    splits: &[Split],
) -> Result<Vec<f64>> {
    splits
        .iter()
        .map(|s| {
            let xt = x.select(ndarray::Axis(0), &s.train);
            let yt: Vec<usize> = s.train.iter().map(|&i| y[i]).collect();
            let model = params.fit(xt.view(), &yt, n_classes)?;
            let xs = x.select(ndarray::Axis(0), &s.test);
            let pred = model.predict(xs.view());
            let hits = s
                .test
                .iter()
                .zip(&pred)
                .filter(|(i, p)| y[**i] == **p)
                .count();
            Ok(hits as f64 / s.test.len().max(1) as f64)
        })
        .collect()
}
