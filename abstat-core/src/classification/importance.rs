//! Permutation feature importance (Breiman 2001; scikit-learn's
//! `permutation_importance` with accuracy scoring): how much accuracy drops
//! when one feature's values are shuffled across rows, repeated with
//! seeded shuffles.

use ndarray::ArrayView2;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use super::labels::check_pair;
use super::model::Classifier;
use super::split::shuffle;
use crate::{Error, Result};

/// Importance of each feature (group of columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    /// Feature names, one per group.
    pub features: Vec<String>,
    /// Accuracy without shuffling.
    pub baseline: f64,
    /// Mean accuracy drop per feature.
    pub mean: Vec<f64>,
    /// Population standard deviation of the drop over repeats (`np.std`).
    pub std: Vec<f64>,
    /// Every drop, `[feature][repeat]`.
    pub drops: Vec<Vec<f64>>,
}

fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

/// Permutation importance of column groups of `x` (all columns of one
/// input feature, e.g. its one-hot columns, are shuffled together with one
/// row permutation). Repeat `r` of group `g` uses ChaCha8 stream
/// `g · n_repeats + r` of `seed`, so results do not depend on order or
/// threads.
pub fn permutation_importance<M: Classifier>(
    model: &M,
    x: ArrayView2<f64>,
    y: &[usize],
    groups: &[(String, Vec<usize>)],
    n_repeats: usize,
    seed: u64,
) -> Result<Importance> {
    check_pair(
        y,
        x.rows().into_iter().collect::<Vec<_>>().as_slice(),
        "feature rows",
    )?;
    if n_repeats == 0 {
        return Err(Error::invalid("n_repeats", 0, "at least 1"));
    }
    if let Some((name, _)) = groups
        .iter()
        .find(|(_, cols)| cols.is_empty() || cols.iter().any(|&c| c >= x.ncols()))
    {
        return Err(Error::invalid(
            "feature group",
            name,
            format!("a non-empty set of columns below {}", x.ncols()),
        ));
    }
    let baseline = accuracy(&model.predict(x), y);
    let n = y.len();
    let mut out = Importance {
        features: groups.iter().map(|(n, _)| n.clone()).collect(),
        baseline,
        mean: Vec::new(),
        std: Vec::new(),
        drops: Vec::new(),
    };
    let mut xp = x.to_owned();
    for (g, (_, cols)) in groups.iter().enumerate() {
        let mut drops = Vec::with_capacity(n_repeats);
        for r in 0..n_repeats {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream((g * n_repeats + r) as u64);
            let mut perm: Vec<usize> = (0..n).collect();
            shuffle(&mut perm, &mut rng);
            for &c in cols {
                for (i, &src) in perm.iter().enumerate() {
                    xp[[i, c]] = x[[src, c]];
                }
            }
            drops.push(baseline - accuracy(&model.predict(xp.view()), y));
            for &c in cols {
                xp.column_mut(c).assign(&x.column(c));
            }
        }
        let m = drops.iter().sum::<f64>() / n_repeats as f64;
        let var = drops.iter().map(|d| (d - m).powi(2)).sum::<f64>() / n_repeats as f64;
        out.mean.push(m);
        out.std.push(var.sqrt());
        out.drops.push(drops);
    }
    Ok(out)
}
