//! CART classification trees grown on binned features ([`Bins`]) with
//! integer row weights (bootstrap counts), the tree builder of
//! [`RandomForest`](super::RandomForest).
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
use super::tree::{Criterion, DecisionTree, Node, TreeParams};

/// One in-bag row: its index, class code and bootstrap count.
#[derive(Clone, Copy)]
struct Sample {
    row: u32,
    class: u32,
    weight: u32,
}

/// The best split found so far in a node.
#[derive(Clone, Copy)]
struct Best {
    /// Weighted impurity of the two children, `Σ n_child · impurity`.
    impurity: f64,
    feature: usize,
    bin: u8,
}

/// `w · impurity` of weighted class counts `counts` summing to `w`.
fn weighted_impurity(counts: &[f64], w: f64, criterion: Criterion) -> f64 {
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

/// Scratch space and settings of one tree's growth.
struct Grower<'a> {
    bins: &'a Bins,
    k: usize,
    params: &'a TreeParams,
    /// Per-bin weighted class counts (`bin * k + class`) and row counts.
    hist: Vec<u32>,
    rows_in_bin: Vec<u32>,
    /// Sort keys `code << 32 | position` of small nodes.
    keys: Vec<u64>,
    /// Running class counts of the left child and of the right child.
    left: Vec<f64>,
    right: Vec<f64>,
}

impl Grower<'_> {
    /// Impurity of a split with left class counts `self.left` (weight
    /// `lw`) in a node with class counts `totals` (weight `w`).
    fn split_impurity(&mut self, totals: &[f64], lw: f64, w: f64) -> f64 {
        for ((r, t), l) in self.right.iter_mut().zip(totals).zip(&self.left) {
            *r = t - l;
        }
        let c = self.params.criterion;
        weighted_impurity(&self.left, lw, c) + weighted_impurity(&self.right, w - lw, c)
    }

    /// Search feature `f` over `node`; update `best`. Returns `false` when
    /// the feature is constant in the node.
    fn search(
        &mut self,
        f: usize,
        node: &[Sample],
        totals: &[f64],
        w: f64,
        best: &mut Option<Best>,
    ) -> bool {
        let codes = self.bins.feature(f);
        let nb = self.bins.n_bins(f);
        let (n, k, msl) = (node.len(), self.k, self.params.min_samples_leaf);
        if nb == 1 {
            return false;
        }
        self.left.iter_mut().for_each(|v| *v = 0.0);
        let (mut lw, mut ln) = (0.0, 0usize);
        let mut consider = |g: &mut Self, b: u8, lw: f64, ln: usize| {
            if ln < msl || n - ln < msl {
                return;
            }
            let imp = g.split_impurity(totals, lw, w);
            if best.is_none_or(|b| imp < b.impurity) {
                *best = Some(Best {
                    impurity: imp,
                    feature: f,
                    bin: b,
                });
            }
        };
        if 4 * n >= nb {
            self.hist[..nb * k].iter_mut().for_each(|v| *v = 0);
            self.rows_in_bin[..nb].iter_mut().for_each(|v| *v = 0);
            for s in node {
                let b = usize::from(codes[s.row as usize]);
                self.hist[b * k + s.class as usize] += s.weight;
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
                for c in 0..k {
                    let h = f64::from(self.hist[b * k + c]);
                    self.left[c] += h;
                    lw += h;
                }
                ln += rows as usize;
                consider(self, b as u8, lw, ln);
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
                let wt = f64::from(s.weight);
                self.left[s.class as usize] += wt;
                lw += wt;
                ln += 1;
                if code(keys[j]) != code(keys[j + 1]) {
                    consider(self, code(keys[j]), lw, ln);
                }
            }
            self.keys = keys;
        }
        true
    }
}

/// Grow a classification tree on the binned features `bins`, with class
/// codes `y` in `0..k` and row weights `weights` (rows of weight 0 are left
/// out). `params.max_features` (`None`: all) features are searched per node.
pub(crate) fn grow_binned(
    bins: &Bins,
    y: &[usize],
    weights: &[u32],
    k: usize,
    params: &TreeParams,
) -> DecisionTree {
    let p = bins.n_features();
    let max_bins = (0..p).map(|f| bins.n_bins(f)).max().unwrap_or(1);
    let mut g = Grower {
        bins,
        k,
        params,
        hist: vec![0; max_bins * k],
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
            class: y[i] as u32,
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
        for s in node.iter() {
            totals[s.class as usize] += f64::from(s.weight);
        }
        let w: f64 = totals.iter().sum();
        let parent = weighted_impurity(&totals, w, params.criterion);
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
                if g.search(features[j], node, &totals, w, &mut best) {
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
            None => nodes[id].value = totals.iter().map(|c| c / w).collect(),
        }
    }
    DecisionTree {
        nodes,
        features: p,
        classes: k,
    }
}
