//! Stratified train/test splits and stratified k-fold cross-validation,
//! seeded with ChaCha8 so a seed gives the same split on every machine.
//!
//! Class proportions are kept as scikit-learn's `StratifiedShuffleSplit` /
//! `StratifiedKFold` keep them, but the random draws differ from numpy's:
//! the same seed does not give scikit-learn's indices.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Row indices of a training and a test set, each sorted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// A uniform integer in `0..n` (Lemire's multiply-shift; bias < n / 2⁶⁴).
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// Fisher–Yates shuffle.
pub(crate) fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, below(rng, i + 1));
    }
}

/// Row indices of each class code `0..n_classes`, each list shuffled.
fn by_class(y: &[usize], n_classes: usize, rng: &mut ChaCha8Rng) -> Result<Vec<Vec<usize>>> {
    let mut rows = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        rows.get_mut(c)
            .ok_or_else(|| Error::invalid("class code", c, format!("below {n_classes}")))?
            .push(i);
    }
    for r in &mut rows {
        shuffle(r, rng);
    }
    Ok(rows)
}

/// Split rows into training and test sets with the class proportions of `y`
/// (class codes `0..n_classes`) kept in both.
///
/// The test set has `ceil(test_size · n)` rows, as in scikit-learn; each
/// class gets its proportional share, rounded by largest remainder. Every
/// class needs at least two rows.
pub fn stratified_split(y: &[usize], n_classes: usize, test_size: f64, seed: u64) -> Result<Split> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(Error::invalid("test_size", test_size, "a share in (0, 1)"));
    }
    let n = y.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = by_class(y, n_classes, &mut rng)?;
    let n_test = (test_size * n as f64).ceil() as usize;
    let sizes: Vec<usize> = rows.iter().map(Vec::len).collect();
    if let Some(c) = sizes.iter().position(|&s| s == 1) {
        return Err(Error::TooFewObservations {
            what: format!("class {c} for a stratified split"),
            needed: 2,
            got: 1,
        });
    }
    if n_test >= n || n_test < sizes.iter().filter(|&&s| s > 0).count() {
        return Err(Error::invalid(
            "test_size",
            test_size,
            format!("a share that leaves every class in both sets ({n} rows)"),
        ));
    }
    // largest-remainder apportionment of n_test over classes
    let exact: Vec<f64> = sizes
        .iter()
        .map(|&s| s as f64 * n_test as f64 / n as f64)
        .collect();
    let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..n_classes).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = n_test - take.iter().sum::<usize>();
    for &c in order.iter().cycle().take(n_classes * 2) {
        if left == 0 {
            break;
        }
        if take[c] < sizes[c] {
            take[c] += 1;
            left -= 1;
        }
    }
    let mut split = Split {
        train: Vec::with_capacity(n - n_test),
        test: Vec::with_capacity(n_test),
    };
    for (c, r) in rows.iter().enumerate() {
        split.test.extend_from_slice(&r[..take[c]]);
        split.train.extend_from_slice(&r[take[c]..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    Ok(split)
}

/// `k` stratified folds: each row is in exactly one test fold, and each
/// class is spread over the folds as evenly as possible (sizes differ by at
/// most one). Rows are shuffled within their class with `seed`.
pub fn stratified_kfold(y: &[usize], n_classes: usize, k: usize, seed: u64) -> Result<Vec<Split>> {
    if k < 2 {
        return Err(Error::invalid("k", k, "at least 2 folds"));
    }
    if k > y.len() {
        return Err(Error::TooFewObservations {
            what: format!("rows for {k}-fold cross-validation"),
            needed: k,
            got: y.len(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rows = by_class(y, n_classes, &mut rng)?;
    let mut fold = vec![0; y.len()];
    // deal the class-ordered rows round-robin, as StratifiedKFold does
    for (j, &i) in rows.iter().flatten().enumerate() {
        fold[i] = j % k;
    }
    Ok((0..k)
        .map(|f| {
            let (test, train): (Vec<usize>, Vec<usize>) = (0..y.len()).partition(|&i| fold[i] == f);
            Split { train, test }
        })
        .collect())
}
