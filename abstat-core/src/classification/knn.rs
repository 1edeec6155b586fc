//! k-nearest neighbours, as scikit-learn's `KNeighborsClassifier` with
//! uniform weights and Euclidean distance (brute force): the class shares
//! among the `k` nearest training rows; ties in the vote go to the smallest
//! class code. Among training rows at equal distance the earlier row is
//! nearer.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::model::{Classifier, Fit, check_training};
use crate::{Error, Result};

/// Settings of [`KNearest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KnnParams {
    /// Number of neighbours (default 5).
    pub k: usize,
}

impl Default for KnnParams {
    fn default() -> Self {
        KnnParams { k: 5 }
    }
}

/// A fitted k-nearest-neighbours model: the training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KNearest {
    /// Number of neighbours.
    pub k: usize,
    /// Training features, row-major.
    pub x: Vec<Vec<f64>>,
    /// Training class codes.
    pub y: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl Fit for KnnParams {
    type Model = KNearest;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<KNearest> {
        check_training(&x, y, k)?;
        if self.k == 0 || self.k > y.len() {
            return Err(Error::invalid(
                "k",
                self.k,
                format!("between 1 and the number of training rows, {}", y.len()),
            ));
        }
        Ok(KNearest {
            k: self.k,
            x: x.rows().into_iter().map(|r| r.to_vec()).collect(),
            y: y.to_vec(),
            classes: k,
        })
    }
}

impl Classifier for KNearest {
    fn n_features(&self) -> usize {
        self.x[0].len()
    }
    fn n_classes(&self) -> usize {
        self.classes
    }
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let rows: Vec<Vec<f64>> = x
            .rows()
            .into_iter()
            .collect::<Vec<_>>()
            .par_iter()
            .map(|q| {
                let mut d: Vec<(f64, usize)> = self
                    .x
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let s: f64 = r.iter().zip(q.iter()).map(|(a, b)| (a - b) * (a - b)).sum();
                        (s, i)
                    })
                    .collect();
                d.select_nth_unstable_by(self.k - 1, |a, b| {
                    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
                });
                // votes counted, then divided once, as scikit-learn does
                let mut v = vec![0.0; self.classes];
                for &(_, i) in &d[..self.k] {
                    v[self.y[i]] += 1.0;
                }
                v.iter_mut().for_each(|c| *c /= self.k as f64);
                v
            })
            .collect();
        Array2::from_shape_vec((rows.len(), self.classes), rows.concat()).expect("shape")
    }
}
