//! Gaussian naive Bayes, as scikit-learn's `GaussianNB`: per-class means
//! and (population) variances, every variance enlarged by
//! `var_smoothing · max feature variance`, priors from class frequencies.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::model::{Classifier, Fit, check_training};
use crate::{Error, Result};

/// Settings of [`GaussianNb`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianNbParams {
    /// Share of the largest feature variance added to every variance for
    /// stability (default `1e-9`, as scikit-learn).
    pub var_smoothing: f64,
}

impl Default for GaussianNbParams {
    fn default() -> Self {
        GaussianNbParams {
            var_smoothing: 1e-9,
        }
    }
}

/// A fitted Gaussian naive Bayes model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianNb {
    /// Class priors (share of training rows).
    pub priors: Vec<f64>,
    /// Per-class feature means, `k × p` row-major.
    pub means: Vec<Vec<f64>>,
    /// Per-class feature variances after smoothing.
    pub variances: Vec<Vec<f64>>,
}

impl Fit for GaussianNbParams {
    type Model = GaussianNb;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<GaussianNb> {
        if self.var_smoothing.is_nan() || self.var_smoothing < 0.0 {
            return Err(Error::invalid("var_smoothing", self.var_smoothing, "≥ 0"));
        }
        check_training(&x, y, k)?;
        let (n, p) = x.dim();
        let overall_max_var = x
            .columns()
            .into_iter()
            .map(|c| {
                let m = c.sum() / n as f64;
                c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64
            })
            .fold(0.0, f64::max);
        let eps = self.var_smoothing * overall_max_var;
        let mut counts = vec![0usize; k];
        let mut means = vec![vec![0.0; p]; k];
        let mut vars = vec![vec![0.0; p]; k];
        for (i, &c) in y.iter().enumerate() {
            counts[c] += 1;
            for j in 0..p {
                means[c][j] += x[[i, j]];
            }
        }
        for c in 0..k {
            for m in &mut means[c] {
                *m /= counts[c].max(1) as f64;
            }
        }
        for (i, &c) in y.iter().enumerate() {
            for j in 0..p {
                vars[c][j] += (x[[i, j]] - means[c][j]).powi(2);
            }
        }
        for c in 0..k {
            for v in &mut vars[c] {
                *v = *v / counts[c].max(1) as f64 + eps;
            }
        }
        if eps == 0.0 && vars.iter().flatten().any(|&v| v == 0.0) {
            return Err(Error::ZeroVariance {
                what: "a feature within a class".into(),
                method: "Gaussian naive Bayes without var_smoothing".into(),
            });
        }
        Ok(GaussianNb {
            priors: counts.iter().map(|&c| c as f64 / n as f64).collect(),
            means,
            variances: vars,
        })
    }
}

impl Classifier for GaussianNb {
    fn n_features(&self) -> usize {
        self.means[0].len()
    }
    fn n_classes(&self) -> usize {
        self.priors.len()
    }
    /// Posterior probabilities (log-sum-exp normalised joint likelihoods);
    /// classes absent in training get probability 0.
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let k = self.priors.len();
        let mut out = Array2::zeros((x.nrows(), k));
        for (i, row) in x.rows().into_iter().enumerate() {
            let jll: Vec<f64> = (0..k)
                .map(|c| {
                    if self.priors[c] == 0.0 {
                        return f64::NEG_INFINITY;
                    }
                    let mut s = self.priors[c].ln();
                    for (j, &v) in row.iter().enumerate() {
                        let var = self.variances[c][j];
                        s -= 0.5 * (2.0 * std::f64::consts::PI * var).ln();
                        s -= 0.5 * (v - self.means[c][j]).powi(2) / var;
                    }
                    s
                })
                .collect();
            let m = jll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = jll.iter().map(|l| (l - m).exp()).sum();
            for c in 0..k {
                out[[i, c]] = (jll[c] - m).exp() / z;
            }
        }
        out
    }
}
