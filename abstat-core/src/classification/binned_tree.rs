//! CART trees grown on binned features ([`Bins`]) with integer row
//! weights (bootstrap counts): the classification trees of
//! [`RandomForest`](super::RandomForest) and the squared-error regression
//! trees of [`GradientBoosting`](super::GradientBoosting). What a node
//! sums and how it scores a split is a [`Target`].
//!
//! A node's split search for one feature is linear in the node's rows: it
//! accumulates weighted class counts per bin (a histogram, as LightGBM and
//! scikit-learn's `HistGradientBoosting`) and scans the bins in order; a
//! node with fewer rows than the feature has bins sorts its rows' bin codes
//! instead. Rows are kept in one array and partitioned in place, node by
//! node, so each node's rows are contiguous.
//!
//! As in scikit-learn's `BestSplitter`, features are drawn at random
//! without replacement until `max_features` features that are not constant
//! in the node have been searched (constant ones do not count), and the
//! weights are the bootstrap counts: impurities and leaf shares use the
//! weighted class counts, `min_samples_*` count distinct rows. A split
//! sends bins `..=b` left and stores the cut after bin `b` as its
//! threshold. Among equally good splits the first found wins.
//!
//! The histogram trick of subtracting a node's histogram from its parent's
//! to get its sibling's is not used: with `max_features < p` the two
//! siblings search different random features, so the parent's histograms
//! of those features were never built.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::binning::Bins;
use super::split::below;
use super::tree::{Criterion, Node, TreeParams, weighted_impurity};

/// One in-bag row: its index, class code (0 for a regression target) and
/// bootstrap count.
#[derive(Clone, Copy)]
pub(crate) struct Sample {
    row: u32,
    class: u32,
    weight: u32,
}

/// What a tree predicts: the sums a node keeps (`width` numbers per node
/// and per histogram bin), its impurity and its leaf value.
pub(crate) trait Target {
    /// Numbers summed per node.
    fn width(&self) -> usize;
    /// Class code of `row` (0 when there are no classes).
    fn class(&self, row: usize) -> u32;
    /// Add row `s` (with its weight) to the sums `acc`.
    fn add(&self, s: Sample, acc: &mut [f64]);
    /// Total weight of the sums.
    fn weight(&self, acc: &[f64]) -> f64;
    /// `weight · impurity` (the quantity summed over children).
    fn impurity(&self, acc: &[f64]) -> f64;
    /// The value stored in a leaf with sums `acc`.
    fn leaf(&self, acc: &[f64]) -> Vec<f64>;
}

/// Class counts for classification: `acc[c]` is the weight of class `c`.
pub(crate) struct Classes<'a> {
    pub(crate) y: &'a [usize],
    pub(crate) k: usize,
    pub(crate) criterion: Criterion,
}

impl Target for Classes<'_> {
    fn width(&self) -> usize {
        self.k
    }
    fn class(&self, row: usize) -> u32 {
        self.y[row] as u32
    }
    fn add(&self, s: Sample, acc: &mut [f64]) {
        acc[s.class as usize] += f64::from(s.weight);
    }
    fn weight(&self, acc: &[f64]) -> f64 {
        acc.iter().sum()
    }
    fn impurity(&self, acc: &[f64]) -> f64 {
        weighted_impurity(acc, self.weight(acc), self.criterion)
    }
    fn leaf(&self, acc: &[f64]) -> Vec<f64> {
        let w = self.weight(acc);
        acc.iter().map(|c| c / w).collect()
    }
}

/// Gradient-boosting residuals `r` under squared error, with the Newton
/// leaf `scale · Σr / Σ|r|(1 − |r|)` of log-loss boosting (Friedman 2001):
/// `acc = [w, Σ w r, Σ w r², Σ w |r|(1 − |r|)]`.
pub(crate) struct Residuals<'a> {
    pub(crate) r: &'a [f64],
    pub(crate) scale: f64,
}

impl Target for Residuals<'_> {
    fn width(&self) -> usize {
        4
    }
    fn class(&self, _row: usize) -> u32 {
        0
    }
    fn add(&self, s: Sample, acc: &mut [f64]) {
        let (w, r) = (f64::from(s.weight), self.r[s.row as usize]);
        acc[0] += w;
        acc[1] += w * r;
        acc[2] += w * r * r;
        acc[3] += w * r.abs() * (1.0 - r.abs());
    }
    fn weight(&self, acc: &[f64]) -> f64 {
        acc[0]
    }
    fn impurity(&self, acc: &[f64]) -> f64 {
        if acc[0] <= 0.0 {
            0.0
        } else {
            (acc[2] - acc[1] * acc[1] / acc[0]).max(0.0)
        }
    }
    fn leaf(&self, acc: &[f64]) -> Vec<f64> {
        vec![if acc[3].abs() < 1e-150 {
            0.0
        } else {
            self.scale * acc[1] / acc[3]
        }]
    }
}

/// The best split found so far in a node.
#[derive(Clone, Copy)]
struct Best {
    /// Weighted impurity of the two children, `Σ n_child · impurity`.
    impurity: f64,
    feature: usize,
    bin: u8,
}

/// Scratch space and settings of one tree's growth.
struct Grower<'a, T> {
    bins: &'a Bins,
    target: &'a T,
    /// Width of the target's sums.
    k: usize,
    params: &'a TreeParams,
    /// Per-bin sums (`bin * k ..`) and row counts.
    hist: Vec<f64>,
    rows_in_bin: Vec<u32>,
    /// Sort keys `code << 32 | position` of small nodes.
    keys: Vec<u64>,
    /// Running sums of the left child and of the right child.
    left: Vec<f64>,
    right: Vec<f64>,
}

impl<T: Target> Grower<'_, T> {
    /// Impurity of a split with left sums `self.left` in a node with sums
    /// `totals`.
    fn split_impurity(&mut self, totals: &[f64]) -> f64 {
        for ((r, t), l) in self.right.iter_mut().zip(totals).zip(&self.left) {
            *r = t - l;
        }
        self.target.impurity(&self.left) + self.target.impurity(&self.right)
    }

    /// Search feature `f` over `node`; update `best`. Returns `false` when
    /// the feature is constant in the node.
    fn search(
        &mut self,
        f: usize,
        node: &[Sample],
        totals: &[f64],
        best: &mut Option<Best>,
    ) -> bool {
        let codes = self.bins.feature(f);
        let nb = self.bins.n_bins(f);
        let (n, k, msl) = (node.len(), self.k, self.params.min_samples_leaf);
        if nb == 1 {
            return false;
        }
        self.left.iter_mut().for_each(|v| *v = 0.0);
        let mut ln = 0usize;
        let mut consider = |g: &mut Self, b: u8, ln: usize| {
            if ln < msl || n - ln < msl {
                return;
            }
            let imp = g.split_impurity(totals);
            if best.is_none_or(|b| imp < b.impurity) {
                *best = Some(Best {
                    impurity: imp,
                    feature: f,
                    bin: b,
                });
            }
        };
        if 4 * n >= nb {
            self.hist[..nb * k].iter_mut().for_each(|v| *v = 0.0);
            self.rows_in_bin[..nb].iter_mut().for_each(|v| *v = 0);
            for &s in node {
                let b = usize::from(codes[s.row as usize]);
                self.target.add(s, &mut self.hist[b * k..(b + 1) * k]);
                self.rows_in_bin[b] += 1;
            }
            let Some(last) = self.rows_in_bin[..nb].iter().rposition(|&c| c > 0) else {
                return false;
            };
            if self.rows_in_bin[..last].iter().all(|&c| c == 0) {
                return false;
            }
            for b in 0..last {
                let rows = self.rows_in_bin[b];
                if rows == 0 {
                    continue;
                }
                for (l, h) in self.left.iter_mut().zip(&self.hist[b * k..(b + 1) * k]) {
                    *l += h;
                }
                ln += rows as usize;
                consider(self, b as u8, ln);
            }
        } else {
            let mut keys = std::mem::take(&mut self.keys);
            keys.clear();
            keys.extend(
                node.iter()
                    .enumerate()
                    .map(|(j, s)| (u64::from(codes[s.row as usize]) << 32) | j as u64),
            );
            keys.sort_unstable();
            let code = |key: u64| (key >> 32) as u8;
            if code(keys[0]) == code(keys[n - 1]) {
                self.keys = keys;
                return false;
            }
            for j in 0..n - 1 {
                let s = node[(keys[j] & 0xFFFF_FFFF) as usize];
                self.target.add(s, &mut self.left);
                ln += 1;
                if code(keys[j]) != code(keys[j + 1]) {
                    consider(self, code(keys[j]), ln);
                }
            }
            self.keys = keys;
        }
        true
    }
}

/// Grow a tree for `target` on the binned features `bins` with row
/// weights `weights` (rows of weight 0 are left out); `params.max_features`
/// (`None`: all) features are searched per node. `params.criterion` is the
/// target's business.
pub(crate) fn grow_binned<T: Target>(
    bins: &Bins,
    target: &T,
    weights: &[u32],
    params: &TreeParams,
) -> Vec<Node> {
    let p = bins.n_features();
    let k = target.width();
    let max_bins = (0..p).map(|f| bins.n_bins(f)).max().unwrap_or(1);
    let mut g = Grower {
        bins,
        target,
        k,
        params,
        hist: vec![0.0; max_bins * k],
        rows_in_bin: vec![0; max_bins],
        keys: Vec::new(),
        left: vec![0.0; k],
        right: vec![0.0; k],
    };
    let mut samples: Vec<Sample> = weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .map(|(i, &w)| Sample {
            row: i as u32,
            class: target.class(i),
            weight: w,
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut features: Vec<usize> = (0..p).collect();
    let tries = params.max_features.map_or(p, |m| m.min(p));
    let mut nodes = vec![Node::leaf()];
    let mut totals = vec![0.0; k];
    // (start, end, depth, node index to fill)
    let mut stack = vec![(0usize, samples.len(), 0usize, 0usize)];
    while let Some((start, end, depth, id)) = stack.pop() {
        let node = &mut samples[start..end];
        let n = node.len();
        totals.iter_mut().for_each(|v| *v = 0.0);
        for &s in node.iter() {
            target.add(s, &mut totals);
        }
        let w = target.weight(&totals);
        let parent = target.impurity(&totals);
        let can_split = n >= params.min_samples_split
            && n >= 2 * params.min_samples_leaf
            && params.max_depth.is_none_or(|d| depth < d)
            && parent > 1e-12 * w;
        let mut best: Option<Best> = None;
        if can_split {
            let (mut searched, mut j) = (0, 0);
            while j < p && searched < tries {
                if tries < p {
                    features.swap(j, j + below(&mut rng, p - j));
                }
                if g.search(features[j], node, &totals, &mut best) {
                    searched += 1;
                }
                j += 1;
            }
        }
        match best {
            Some(b) => {
                let codes = bins.feature(b.feature);
                let mut mid = 0;
                for j in 0..n {
                    if codes[node[j].row as usize] <= b.bin {
                        node.swap(j, mid);
                        mid += 1;
                    }
                }
                let (l, r) = (nodes.len(), nodes.len() + 1);
                nodes.push(Node::leaf());
                nodes.push(Node::leaf());
                let parent = &mut nodes[id];
                parent.feature = b.feature;
                parent.threshold = bins.cut(b.feature, usize::from(b.bin));
                parent.left = l;
                parent.right = r;
                stack.push((start + mid, end, depth + 1, r));
                stack.push((start, start + mid, depth + 1, l));
            }
            None => nodes[id].value = target.leaf(&totals),
        }
    }
    nodes
}
