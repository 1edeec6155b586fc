//! Gradient-boosted trees with log loss (Friedman 2001, "Greedy function
//! approximation"), as scikit-learn's `GradientBoostingClassifier`: start
//! from the log-odds of the class priors, then at each stage fit one
//! squared-error regression tree per score column to the residuals
//! `y − p̂` and set each leaf to one Newton step, `Σr / Σ p̂(1 − p̂)`
//! (times `(k − 1)/k` for `k > 2` classes), shrunk by the learning rate.
//! Two classes use one score (sigmoid), more use `k` (softmax).
//!
//! Deviation from scikit-learn, for speed: as in the random forest (and
//! scikit-learn's `HistGradientBoostingClassifier`), the features are
//! binned once per fit into at most `max_bins` quantile bins and every
//! stage's trees split on bin boundaries only; a feature with at most
//! `max_bins` distinct values keeps every threshold of an exact search.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::binned_tree::{Residuals, grow_binned};
use super::binning::{Bins, MAX_BINS, check_bins};
use super::model::{Classifier, Fit, check_training};
use super::tree::{Node, TreeParams, leaf_of};
use crate::{Error, Result};

/// Settings of [`GradientBoosting`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoostingParams {
    /// Boosting stages (default 100).
    pub n_trees: usize,
    /// Shrinkage of each stage (default 0.1).
    pub learning_rate: f64,
    /// Depth of each regression tree (default 3).
    pub max_depth: usize,
    /// Most bins per feature, 2 to 256 (default 255).
    #[serde(default = "default_max_bins")]
    pub max_bins: usize,
}

fn default_max_bins() -> usize {
    MAX_BINS
}

impl Default for BoostingParams {
    fn default() -> Self {
        BoostingParams {
            n_trees: 100,
            learning_rate: 0.1,
            max_depth: 3,
            max_bins: default_max_bins(),
        }
    }
}

/// A fitted gradient-boosting model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoosting {
    /// Initial raw scores (prior log-odds), one per score column.
    pub init: Vec<f64>,
    /// Learning rate.
    pub learning_rate: f64,
    /// `stages[s][c]`: the tree of stage `s` for score column `c`.
    pub stages: Vec<Vec<Vec<Node>>>,
    /// Number of features.
    pub features: usize,
    /// Number of classes.
    pub classes: usize,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Probabilities from raw scores (`n × m`, m = 1 or k).
fn proba(raw: &Array2<f64>, k: usize) -> Array2<f64> {
    let mut out = Array2::zeros((raw.nrows(), k));
    for (i, r) in raw.rows().into_iter().enumerate() {
        if k == 2 {
            let p = sigmoid(r[0]);
            out[[i, 0]] = 1.0 - p;
            out[[i, 1]] = p;
        } else {
            let m = r.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let s: f64 = r.iter().map(|v| (v - m).exp()).sum();
            for c in 0..k {
                out[[i, c]] = (r[c] - m).exp() / s;
            }
        }
    }
    out
}

impl Fit for BoostingParams {
    type Model = GradientBoosting;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<GradientBoosting> {
        if self.n_trees == 0 || self.max_depth == 0 {
            return Err(Error::invalid("n_trees / max_depth", 0, "at least 1"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return Err(Error::invalid(
                "learning_rate",
                self.learning_rate,
                "a positive number",
            ));
        }
        check_training(&x, y, k)?;
        let n = y.len();
        check_bins(self.max_bins, n)?;
        let bins = Bins::fit(&x, self.max_bins);
        let all_rows = vec![1; n];
        let m = if k == 2 { 1 } else { k };
        let mut prior = vec![0.0; k];
        for &c in y {
            prior[c] += 1.0 / n as f64;
        }
        let init: Vec<f64> = if k == 2 {
            vec![(prior[1] / prior[0]).ln()]
        } else {
            // classes absent from training get a very low, finite start
            prior.iter().map(|p| p.max(f64::EPSILON).ln()).collect()
        };
        let mut raw = Array2::from_shape_fn((n, m), |(_, c)| init[c]);
        let tree = TreeParams {
            max_depth: Some(self.max_depth),
            ..TreeParams::default()
        };
        let scale = if k == 2 {
            1.0
        } else {
            (k as f64 - 1.0) / k as f64
        };
        let mut stages = Vec::with_capacity(self.n_trees);
        for _ in 0..self.n_trees {
            let p = proba(&raw, k);
            let mut stage = Vec::with_capacity(m);
            for c in 0..m {
                let col = if k == 2 { 1 } else { c };
                let r: Vec<f64> = (0..n)
                    .map(|i| f64::from(u8::from(y[i] == col)) - p[[i, col]])
                    .collect();
                let nodes = grow_binned(&bins, &Residuals { r: &r, scale }, &all_rows, &tree);
                for (i, row) in x.rows().into_iter().enumerate() {
                    raw[[i, c]] += self.learning_rate * leaf_of(&nodes, row).value[0];
                }
                stage.push(nodes);
            }
            stages.push(stage);
        }
        Ok(GradientBoosting {
            init,
            learning_rate: self.learning_rate,
            stages,
            features: x.ncols(),
            classes: k,
        })
    }
}

impl Classifier for GradientBoosting {
    fn n_features(&self) -> usize {
        self.features
    }
    fn n_classes(&self) -> usize {
        self.classes
    }
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let m = self.init.len();
        let mut raw = Array2::from_shape_fn((x.nrows(), m), |(_, c)| self.init[c]);
        for stage in &self.stages {
            for (c, nodes) in stage.iter().enumerate() {
                for (i, row) in x.rows().into_iter().enumerate() {
                    raw[[i, c]] += self.learning_rate * leaf_of(nodes, row).value[0];
                }
            }
        }
        proba(&raw, self.classes)
    }
}
