//! Random forests (Breiman 2001), as scikit-learn's
//! `RandomForestClassifier`: each tree grows on a bootstrap sample with
//! `max_features` features tried per split (default `⌊√p⌋`); the forest
//! averages the trees' class shares.
//!
//! Tree `t` draws from its own ChaCha8 stream (`seed`, stream `t`), so the
//! fitted forest is the same for any number of rayon threads.
//!
//! Deviation from scikit-learn, for speed: the features are binned once
//! per forest into at most `max_bins` quantile bins (midpoints
//! between distinct values when there are few; see `binning.rs`), shared by all trees, and each tree
//! searches splits over bin boundaries with a histogram per node (as
//! scikit-learn's `HistGradientBoostingClassifier` and LightGBM do). A
//! feature with at most `max_bins` distinct training values keeps every
//! threshold an exact search could choose; one with more can only be split
//! at its quantile cuts. The bootstrap sample is kept as per-row counts
//! (scikit-learn's sample weights) rather than copied rows.

use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binned_tree::{Classes, grow_binned};
use super::binning::{Bins, MAX_BINS, check_bins};
use super::model::{Classifier, Fit, check_training};
use super::split::below;
use super::tree::{Criterion, DecisionTree, TreeParams};
use crate::{Error, Result};

/// Settings of [`RandomForest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    /// Number of trees (default 100).
    pub n_trees: usize,
    /// Impurity measure.
    pub criterion: Criterion,
    /// Maximum depth of each tree (`None`: unlimited).
    pub max_depth: Option<usize>,
    /// Features tried per split (`None`: `⌊√p⌋`, at least 1).
    pub max_features: Option<usize>,
    /// Grow each tree on a bootstrap sample (default `true`).
    pub bootstrap: bool,
    /// Seed of the whole forest.
    pub seed: u64,
    /// Most bins per feature, 2 to 256 (default 255, as scikit-learn's
    /// `HistGradientBoostingClassifier`).
    #[serde(default = "default_max_bins")]
    pub max_bins: usize,
}

fn default_max_bins() -> usize {
    MAX_BINS
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 100,
            criterion: Criterion::Gini,
            max_depth: None,
            max_features: None,
            bootstrap: true,
            seed: 0,
            max_bins: default_max_bins(),
        }
    }
}

/// A fitted random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    /// The trees.
    pub trees: Vec<DecisionTree>,
}

impl Fit for ForestParams {
    type Model = RandomForest;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<RandomForest> {
        if self.n_trees == 0 {
            return Err(Error::invalid("n_trees", 0, "at least 1"));
        }
        if self.max_features == Some(0) || self.max_depth == Some(0) {
            return Err(Error::invalid(
                "max_features / max_depth",
                0,
                "at least 1, or none for the default",
            ));
        }
        check_training(&x, y, k)?;
        let (n, p) = x.dim();
        check_bins(self.max_bins, n)?;
        let bins = Bins::fit(&x, self.max_bins);
        let max_features = self
            .max_features
            .unwrap_or(((p as f64).sqrt() as usize).max(1));
        let base = TreeParams {
            criterion: self.criterion,
            max_depth: self.max_depth,
            max_features: Some(max_features),
            ..TreeParams::default()
        };
        let classes = Classes {
            y,
            k,
            criterion: self.criterion,
        };
        let trees = (0..self.n_trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(t as u64);
                let weights: Vec<u32> = if self.bootstrap {
                    let mut w = vec![0; n];
                    for _ in 0..n {
                        w[below(&mut rng, n)] += 1;
                    }
                    w
                } else {
                    vec![1; n]
                };
                let params = TreeParams {
                    seed: rng.next_u64(),
                    ..base
                };
                DecisionTree {
                    nodes: grow_binned(&bins, &classes, &weights, &params),
                    features: p,
                    classes: k,
                }
            })
            .collect();
        Ok(RandomForest { trees })
    }
}

impl Classifier for RandomForest {
    fn n_features(&self) -> usize {
        self.trees[0].features
    }
    fn n_classes(&self) -> usize {
        self.trees[0].classes
    }
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut total = Array2::zeros((x.nrows(), self.n_classes()));
        for t in &self.trees {
            total += &t.scores(x);
        }
        total / self.trees.len() as f64
    }
}
