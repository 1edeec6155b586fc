//! CART decision trees (Breiman et al. 1984), as scikit-learn's
//! `DecisionTreeClassifier`: binary splits `x[f] ≤ t` at midpoints between
//! consecutive distinct values, chosen to minimise the weighted child
//! impurity (Gini or entropy); leaves hold class shares. (Forests and
//! gradient boosting grow their trees on binned features instead, see
//! `binned_tree.rs`.)
//!
//! Deviation: among equally good splits the first feature (in the order
//! tried) and the lowest threshold win, where scikit-learn breaks ties by
//! its random feature permutation, so trees on tied data can differ.

use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use super::model::{Classifier, Fit, check_training};
use super::split::shuffle;
use crate::{Error, Result};

/// Impurity measure of a classification tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// Gini impurity `1 − Σ p²` (default).
    #[default]
    Gini,
    /// Entropy `−Σ p ln p`.
    Entropy,
}

/// Settings of [`DecisionTree`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TreeParams {
    /// Impurity measure.
    pub criterion: Criterion,
    /// Maximum depth (`None`: grow until leaves are pure).
    pub max_depth: Option<usize>,
    /// Nodes with fewer rows are not split (default 2).
    pub min_samples_split: usize,
    /// Each child keeps at least this many rows (default 1).
    pub min_samples_leaf: usize,
    /// Features tried per split (`None`: all), drawn at random.
    pub max_features: Option<usize>,
    /// Seed of the feature draws.
    pub seed: u64,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: None,
            seed: 0,
        }
    }
}

impl TreeParams {
    fn validate(&self) -> Result<()> {
        if self.min_samples_split < 2 {
            return Err(Error::invalid(
                "min_samples_split",
                self.min_samples_split,
                "≥ 2",
            ));
        }
        if self.min_samples_leaf < 1 {
            return Err(Error::invalid(
                "min_samples_leaf",
                self.min_samples_leaf,
                "≥ 1",
            ));
        }
        if self.max_depth == Some(0) {
            return Err(Error::invalid("max_depth", 0, "≥ 1 or none"));
        }
        if self.max_features == Some(0) {
            return Err(Error::invalid("max_features", 0, "≥ 1 or none"));
        }
        Ok(())
    }
}

/// One node: a split (`feature < usize::MAX`) or a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Feature index of the split; `usize::MAX` for a leaf.
    pub feature: usize,
    /// Rows with `x[feature] ≤ threshold` go left.
    pub threshold: f64,
    /// Index of the left child.
    pub left: usize,
    /// Index of the right child.
    pub right: usize,
    /// Class shares (classification) or the leaf value (regression).
    pub value: Vec<f64>,
}

impl Node {
    /// An empty leaf, filled in when the builder reaches it.
    pub(crate) fn leaf() -> Node {
        Node {
            feature: usize::MAX,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: Vec::new(),
        }
    }
}

/// A fitted tree; `nodes[0]` is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTree {
    /// The nodes.
    pub nodes: Vec<Node>,
    /// Number of features.
    pub features: usize,
    /// Number of classes (1 for a regression tree).
    pub classes: usize,
}

/// `w · impurity` of weighted class counts `counts` summing to `w`.
pub(crate) fn weighted_impurity(counts: &[f64], w: f64, criterion: Criterion) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => w - counts.iter().map(|c| c * c).sum::<f64>() / w,
        Criterion::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|c| c * (c / w).ln())
            .sum::<f64>(),
    }
}

/// Running sufficient statistics of a node's targets.
pub(crate) trait Stats: Clone {
    /// The per-row target.
    type Target: Copy;
    fn add(&mut self, t: Self::Target);
    fn sub(&mut self, t: Self::Target);
    /// `n · impurity` (the quantity summed over children).
    fn weighted_impurity(&self) -> f64;
    fn count(&self) -> usize;
}

#[derive(Clone)]
pub(crate) struct ClassStats {
    counts: Vec<f64>,
    n: usize,
    criterion: Criterion,
}

impl Stats for ClassStats {
    type Target = usize;
    fn add(&mut self, t: usize) {
        self.counts[t] += 1.0;
        self.n += 1;
    }
    fn sub(&mut self, t: usize) {
        self.counts[t] -= 1.0;
        self.n -= 1;
    }
    fn weighted_impurity(&self) -> f64 {
        weighted_impurity(&self.counts, self.n as f64, self.criterion)
    }
    fn count(&self) -> usize {
        self.n
    }
}

/// Grow a tree on rows `rows` of `x` with targets `t`; `leaf` turns the
/// rows of a leaf into its value.
pub(crate) fn grow<S: Stats>(
    x: &ArrayView2<f64>,
    t: &[S::Target],
    rows: Vec<usize>,
    empty: &S,
    params: &TreeParams,
    leaf: &dyn Fn(&[usize]) -> Vec<f64>,
) -> Vec<Node> {
    let p = x.ncols();
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut nodes = Vec::new();
    let mut rows = rows;
    // (start, end, depth, node index to fill)
    let mut stack = vec![(0usize, rows.len(), 0usize, 0usize)];
    nodes.push(Node::leaf());
    let mut features: Vec<usize> = (0..p).collect();
    let mut order: Vec<(f64, usize)> = Vec::new();
    while let Some((start, end, depth, id)) = stack.pop() {
        let node_rows = &mut rows[start..end];
        let n = node_rows.len();
        let mut all = empty.clone();
        for &i in node_rows.iter() {
            all.add(t[i]);
        }
        let parent = all.weighted_impurity();
        let can_split = n >= params.min_samples_split
            && n >= 2 * params.min_samples_leaf
            && params.max_depth.is_none_or(|d| depth < d)
            && parent > 1e-12 * n as f64;
        let mut best: Option<(f64, usize, f64)> = None;
        if can_split {
            let tries = params.max_features.map_or(p, |m| m.min(p));
            if tries < p {
                shuffle(&mut features, &mut rng);
            }
            for &f in &features[..tries] {
                // (value, row) pairs sorted by value; ties in any order, as
                // splits are only placed between distinct values
                order.clear();
                order.extend(node_rows.iter().map(|&i| (x[[i, f]], i)));
                order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                let mut left = empty.clone();
                let mut right = all.clone();
                for j in 0..n - 1 {
                    let (a, i) = order[j];
                    left.add(t[i]);
                    right.sub(t[i]);
                    let b = order[j + 1].0;
                    if a == b
                        || left.count() < params.min_samples_leaf
                        || right.count() < params.min_samples_leaf
                    {
                        continue;
                    }
                    let imp = left.weighted_impurity() + right.weighted_impurity();
                    if best.is_none_or(|(bi, _, _)| imp < bi) {
                        let mut thr = a / 2.0 + b / 2.0;
                        if thr >= b || !thr.is_finite() {
                            thr = a;
                        }
                        best = Some((imp, f, thr));
                    }
                }
            }
        }
        match best {
            Some((_, f, thr)) => {
                let mut mid = 0;
                for j in 0..n {
                    if x[[node_rows[j], f]] <= thr {
                        node_rows.swap(j, mid);
                        mid += 1;
                    }
                }
                let (l, r) = (nodes.len(), nodes.len() + 1);
                nodes.push(Node::leaf());
                nodes.push(Node::leaf());
                nodes[id].feature = f;
                nodes[id].threshold = thr;
                nodes[id].left = l;
                nodes[id].right = r;
                stack.push((start + mid, end, depth + 1, r));
                stack.push((start, start + mid, depth + 1, l));
            }
            None => nodes[id].value = leaf(node_rows),
        }
    }
    nodes
}

/// The leaf reached by `row`.
pub(crate) fn leaf_of<'a>(nodes: &'a [Node], row: ndarray::ArrayView1<f64>) -> &'a Node {
    let mut id = 0;
    while nodes[id].feature != usize::MAX {
        let n = &nodes[id];
        id = if row[n.feature] <= n.threshold {
            n.left
        } else {
            n.right
        };
    }
    &nodes[id]
}

impl TreeParams {
    /// Fit on the rows `rows` of `x` (repeats allowed: a bootstrap sample).
    pub(crate) fn fit_rows(
        &self,
        x: &ArrayView2<f64>,
        y: &[usize],
        k: usize,
        rows: Vec<usize>,
    ) -> DecisionTree {
        let empty = ClassStats {
            counts: vec![0.0; k],
            n: 0,
            criterion: self.criterion,
        };
        let leaf = |r: &[usize]| {
            let mut v = vec![0.0; k];
            for &i in r {
                v[y[i]] += 1.0;
            }
            let n = r.len() as f64;
            v.iter_mut().for_each(|c| *c /= n);
            v
        };
        DecisionTree {
            nodes: grow(x, y, rows, &empty, self, &leaf),
            features: x.ncols(),
            classes: k,
        }
    }
}

impl Fit for TreeParams {
    type Model = DecisionTree;
    fn fit(&self, x: ArrayView2<f64>, y: &[usize], k: usize) -> Result<DecisionTree> {
        self.validate()?;
        check_training(&x, y, k)?;
        Ok(self.fit_rows(&x, y, k, (0..y.len()).collect()))
    }
}

impl Classifier for DecisionTree {
    fn n_features(&self) -> usize {
        self.features
    }
    fn n_classes(&self) -> usize {
        self.classes
    }
    fn scores(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.classes));
        for (i, row) in x.rows().into_iter().enumerate() {
            for (c, v) in leaf_of(&self.nodes, row).value.iter().enumerate() {
                out[[i, c]] = *v;
            }
        }
        out
    }
}

impl DecisionTree {
    /// Depth of the deepest leaf (the root alone has depth 0).
    pub fn depth(&self) -> usize {
        fn d(nodes: &[Node], id: usize) -> usize {
            if nodes[id].feature == usize::MAX {
                0
            } else {
                1 + d(nodes, nodes[id].left).max(d(nodes, nodes[id].right))
            }
        }
        d(&self.nodes, 0)
    }
}
