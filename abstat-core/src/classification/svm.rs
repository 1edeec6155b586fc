//! Linear support vector machine, as scikit-learn's `LinearSVC` (liblinear):
//! L2-regularised squared hinge loss, solved in the dual by coordinate
//! descent (Hsieh et al. 2008, "A dual coordinate descent method for
//! large-scale linear SVM", Algorithm 1 with `D_ii = 1/(2C)`), the intercept
//! learnt as the weight of a constant feature 1 (so it is regularised, as
//! liblinear's `intercept_scaling=1`). More than two classes: one-vs-rest.
//! Scores are decision values, not probabilities.

use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use super::model::{Classifier, Fit, check_training};
use super::split::shuffle;
use crate::{Error, Result};

/// Settings of [`LinearSvm`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SvmParams {
    /// Cost of margin violations (default 1).
    pub c: f64,
    /// Stop when the projected gradient spread is below this (default 1e-4).
    pub tol: f64,
    /// Maximum passes over the data (default 1000).
    pub max_iter: usize,
    /// Seed of the coordinate order.
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        SvmParams {
            c: 1.0,
            tol: 1e-4,
            max_iter: 1000,
            seed: 0,
        }
    }
}

/// A fitted linear SVM: one weight vector per score column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearSvm {
    /// Weights per score column (one for two classes, `k` for more).
    pub coef: Vec<Vec<f64>>,
    /// Intercept per score column.
    pub intercept: Vec<f64>,
    /// Number of classes.
    pub classes: usize,
}

impl SvmParams {
    /// One binary problem: `sign[i] = ±1`. Returns weights and intercept.
    fn solve(&self, x: &ArrayView2<f64>, sign: &[f64]) -> (Vec<f64>, f64) {
        let (n, p) = x.dim();
        let d = 1.0 / (2.0 * self.c);
        let q: Vec<f64> = x.rows().into_iter().map(|r| r.dot(&r) + 1.0 + d).collect();
        let mut alpha = vec![0.0; n];
        let (mut w, mut b) = (vec![0.0; p], 0.0);
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        for _ in 0..self.max_iter {
            shuffle(&mut order, &mut rng);
            let (mut pg_max, mut pg_min) = (f64::NEG_INFINITY, f64::INFINITY);
            for &i in &order {
                let row = x.row(i);
                let wx: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + b;
                let g = sign[i] * wx - 1.0 + d * alpha[i];
                let pg = if alpha[i] == 0.0 { g.min(0.0) } else { g };
                pg_max = pg_max.max(pg);
                pg_min = pg_min.min(pg);
                if pg != 0.0 {
                    let new = (alpha[i] - g / q[i]).max(0.0);
                    let delta = (new - alpha[i]) * sign[i];
                    alpha[i] = new;
                    for (wj, xj) in w.iter_mut().zip(row.iter()) {
                        *wj += delta * xj;
                    }
                    b += delta;
                }
            }
            if pg_max - pg_min < self.tol {
                break;
            }
        }
        (w, b)
    }
}

impl Fit for SvmParams {
    type Model = LinearSvm;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<LinearSvm> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::invalid("C", self.c, "a positive number"));
        }
        check_training(&x, y, k)?;
        let targets: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        let (mut coef, mut intercept) = (Vec::new(), Vec::new());
        for t in targets {
            let sign: Vec<f64> = y.iter().map(|&c| if c == t { 1.0 } else { -1.0 }).collect();
            let (w, b) = self.solve(&x, &sign);
            coef.push(w);
            intercept.push(b);
        }
        Ok(LinearSvm {
            coef,
            intercept,
            classes: k,
        })
    }
}

impl Classifier for LinearSvm {
    fn n_features(&self) -> usize {
        self.coef[0].len()
    }
    fn linear_coefficients(&self) -> Option<(Array2<f64>, Vec<f64>)> {
        // `coef` is score-major (m × p), as scikit-learn's
        let (m, p) = (self.coef.len(), self.coef[0].len());
        Some((
            Array2::from_shape_fn((m, p), |(c, j)| self.coef[c][j]),
            self.intercept.clone(),
        ))
    }
    fn n_classes(&self) -> usize {
        self.classes
    }
    fn has_proba(&self) -> bool {
        false
    }
    /// Decision values; for two classes `[−d, d]` so the larger wins.
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.classes));
        for (i, row) in x.rows().into_iter().enumerate() {
            let d: Vec<f64> = self
                .coef
                .iter()
                .zip(&self.intercept)
                .map(|(w, b)| row.iter().zip(w).map(|(a, c)| a * c).sum::<f64>() + b)
                .collect();
            if self.classes == 2 {
                out[[i, 0]] = -d[0];
                out[[i, 1]] = d[0];
            } else {
                for (c, v) in d.into_iter().enumerate() {
                    out[[i, c]] = v;
                }
            }
        }
        out
    }
}
