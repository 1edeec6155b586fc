//! Correlation coefficients with their tests: Pearson (scipy `pearsonr`),
//! Spearman (scipy `spearmanr`) and Kendall's τ-b (scipy `kendalltau`).
//!
//! All three take paired samples; under [`NanPolicy::Omit`] a pair is
//! dropped when either value is NaN (scipy's `pearsonr` has no `nan_policy`;
//! abstat applies the same pairwise rule to it).

use crate::distributions::{normal_cdf, normal_ppf, normal_sf, t_sf};
use crate::input::{CleanedPair, clean_pair};
use crate::moments::CoMoments;
use crate::nonparametric::PValueMethod;
use crate::rank::{rankdata, sort_key};
use crate::{Alternative, ConfidenceInterval, Error, NanPolicy, Result, TestResult};

/// Options of the correlation tests; the defaults are scipy's.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CorrelationOptions {
    /// `Greater`: positive association; `Less`: negative.
    pub alternative: Alternative,
    /// Missing values; pairs with a NaN are dropped under `Omit`.
    pub nan_policy: NanPolicy,
    /// Level of Pearson's Fisher-z confidence interval, in (0, 1).
    pub confidence_level: f64,
    /// Kendall only: `Auto` takes the exact null distribution when there are
    /// no ties and n ≤ 33 (or at most one discordant or concordant pair),
    /// as scipy does.
    pub method: PValueMethod,
}

impl Default for CorrelationOptions {
    fn default() -> Self {
        CorrelationOptions {
            alternative: Alternative::TwoSided,
            nan_policy: NanPolicy::Propagate,
            confidence_level: 0.95,
            method: PValueMethod::Auto,
        }
    }
}

impl CorrelationOptions {
    fn validate(&self) -> Result<()> {
        Error::check_open_unit("confidence_level", self.confidence_level)
    }
}

/// Paired samples after the NaN policy.
type Pairs<'a> = (std::borrow::Cow<'a, [f64]>, std::borrow::Cow<'a, [f64]>);

/// Apply the options to a pair of samples: `Ok(None)` when a NaN propagates.
fn paired<'a>(
    x: &'a [f64],
    y: &'a [f64],
    opts: &CorrelationOptions,
    needed: usize,
) -> Result<Option<Pairs<'a>>> {
    opts.validate()?;
    match clean_pair(x, y, opts.nan_policy, ("sample x", "sample y"))? {
        CleanedPair::Propagate => Ok(None),
        CleanedPair::Ready(x, y) => {
            if x.len() < needed {
                return Err(Error::TooFewObservations {
                    what: "pairs (x, y)".to_string(),
                    needed,
                    got: x.len(),
                });
            }
            for (v, what) in [(&x, "sample x"), (&y, "sample y")] {
                if v.iter().all(|&a| a == v[0]) {
                    return Err(Error::ZeroVariance {
                        what: what.to_string(),
                        method: "the correlation coefficient".to_string(),
                    });
                }
            }
            Ok(Some((x, y)))
        }
    }
}

fn result(name: &'static str, r: f64, p: f64, n: usize, opts: &CorrelationOptions) -> TestResult {
    let mut t = TestResult::new(name, r, p);
    t.alternative = opts.alternative;
    t.estimate = Some(r);
    t.n = vec![n];
    t
}

/// The p-value of r under H₀: ρ = 0 from Student's t with n − 2 degrees of
/// freedom, t = r √((n−2)/((1+r)(1−r))). For Pearson this equals scipy's
/// Beta(n/2 − 1, n/2 − 1) on [−1, 1]: the two distributions of r are the
/// same (Fisher 1915).
fn t_pvalue(r: f64, n: usize, alternative: Alternative) -> f64 {
    let df = (n - 2) as f64;
    let t = r * (df / ((r + 1.0) * (1.0 - r))).max(0.0).sqrt();
    match alternative {
        Alternative::Less => t_sf(-t, df),
        Alternative::Greater => t_sf(t, df),
        Alternative::TwoSided => 2.0 * t_sf(t.abs(), df),
    }
}

/// Pearson's correlation coefficient r with the test of ρ = 0 and a Fisher-z
/// confidence interval, as scipy `pearsonr` and its `confidence_interval()`.
///
/// r is computed in one pass over memory from mergeable co-moments
/// ([`CoMoments`]: blocks centred on their own means, corrected two-pass
/// sums), so it stays accurate for data with a large offset; inputs with a
/// NaN, an infinity or subnormal-range spreads go through scipy's form
/// (centred values scaled by their largest magnitude). For n = 2
/// r is ±1 and p = 1, as in scipy; the interval is [−1, 1] when n ≤ 3.
/// Constant input is an error (scipy returns NaN with a warning).
pub fn pearson(x: &[f64], y: &[f64], opts: &CorrelationOptions) -> Result<TestResult> {
    const NAME: &str = "Pearson correlation";
    opts.validate()?;
    let (r, n) = match pearson_one_pass(x, y) {
        Some(r) => (r, x.len()),
        None => {
            let Some((x, y)) = paired(x, y, opts, 2)? else {
                return Ok(TestResult::nan(NAME, opts.alternative));
            };
            (pearson_scaled(&x, &y), x.len())
        }
    };
    let (r, p) = if n == 2 {
        (r.round(), 1.0)
    } else {
        (r, t_pvalue(r, n, opts.alternative))
    };
    let mut out = result(NAME, r, p, n, opts);
    out.ci = Some(fisher_ci(r, n, opts));
    Ok(out)
}

/// r from [`CoMoments`]: one pass over memory, no copies. `None` sends the
/// input to the checked path ([`pearson_scaled`] after the NaN policy):
/// unequal lengths, fewer than 3 pairs, a NaN or infinity, a constant
/// sample, or squared deviations so small that they would lose precision
/// in the subnormal range (that path scales them first).
fn pearson_one_pass(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    let constant = |v: &[f64]| v.iter().all(|&a| a == v[0]);
    if n != y.len() || n < 3 || constant(x) || constant(y) {
        return None;
    }
    let c = CoMoments::from_slices(x, y);
    // below n·2⁻⁹⁶⁸ the typical squared deviation is within 2⁵⁴ of the
    // subnormal range
    let tiny = n as f64 * f64::MIN_POSITIVE * 2f64.powi(54);
    if !(c.is_finite() && c.x.m2 > tiny && c.y.m2 > tiny) {
        return None;
    }
    // one rounded square root when the product is representable (exactly ±1
    // for exactly linear data, as scipy), two otherwise
    let prod = c.x.m2 * c.y.m2;
    let r = if prod.is_finite() && prod > f64::MIN_POSITIVE {
        c.c_xy / prod.sqrt()
    } else {
        c.c_xy / c.x.m2.sqrt() / c.y.m2.sqrt()
    };
    Some(r.clamp(-1.0, 1.0))
}

/// r as scipy computes it: centred values scaled by their largest
/// magnitude, so that neither huge nor tiny values overflow or underflow.
fn pearson_scaled(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let scaled = |v: &[f64]| -> Vec<f64> {
        let mean = v.iter().sum::<f64>() / n as f64;
        let centred: Vec<f64> = v.iter().map(|a| a - mean).collect();
        let max = centred.iter().fold(0.0f64, |m, a| m.max(a.abs()));
        let norm = max
            * centred
                .iter()
                .map(|a| (a / max).powi(2))
                .sum::<f64>()
                .sqrt();
        centred.iter().map(|a| a / norm).collect()
    };
    let (xs, ys) = (scaled(x), scaled(y));
    let r = xs.iter().zip(&ys).map(|(a, b)| a * b).sum::<f64>();
    r.clamp(-1.0, 1.0)
}

/// scipy `_pearsonr_fisher_ci`: tanh(atanh(r) ± z·/√(n−3)).
fn fisher_ci(r: f64, n: usize, opts: &CorrelationOptions) -> ConfidenceInterval {
    let level = opts.confidence_level;
    let (mut lower, mut upper) = (-1.0, 1.0);
    if n > 3 {
        let zr = r.atanh();
        let se = (1.0 / (n as f64 - 3.0)).sqrt();
        match opts.alternative {
            Alternative::TwoSided => {
                let h = normal_ppf(0.5 + level / 2.0);
                lower = (zr - h * se).tanh();
                upper = (zr + h * se).tanh();
            }
            Alternative::Less => upper = (zr + normal_ppf(level) * se).tanh(),
            Alternative::Greater => lower = (zr - normal_ppf(level) * se).tanh(),
        }
    }
    ConfidenceInterval {
        lower,
        upper,
        level,
    }
}

/// Spearman's rank correlation ρ (Pearson's r of the average ranks) with the
/// t-distribution test of scipy `spearmanr`.
///
/// Needs three pairs for a p-value (scipy returns NaN for two); constant
/// input is an error (scipy returns NaN with a warning).
pub fn spearman(x: &[f64], y: &[f64], opts: &CorrelationOptions) -> Result<TestResult> {
    const NAME: &str = "Spearman rank correlation";
    let Some((x, y)) = paired(x, y, opts, 3)? else {
        return Ok(TestResult::nan(NAME, opts.alternative));
    };
    let n = x.len();
    let (rx, ry) = rayon::join(|| rankdata(&x), || rankdata(&y));
    let (rx, ry) = (rx?.ranks, ry?.ranks);
    // numpy corrcoef: cov / √var_x / √var_y on centred ranks; the mean rank
    // is (n + 1)/2 exactly.
    let mean = (n as f64 + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        let (a, b) = (a - mean, b - mean);
        sxy += a * b;
        sxx += a * a;
        syy += b * b;
    }
    let rs = (sxy / sxx.sqrt() / syy.sqrt()).clamp(-1.0, 1.0);
    Ok(result(NAME, rs, t_pvalue(rs, n, opts.alternative), n, opts))
}

/// Kendall's τ-b with the test of scipy `kendalltau` (variant 'b').
///
/// O(n log n) (Knight 1966): sort by (x, y), count discordant pairs as the
/// inversions of y by merge sort, and tie counts from runs. The exact p-value
/// counts permutations by inversions (Kendall 1970, as scipy
/// `_kendall_p_exact`); the asymptotic one uses the tie-corrected variance of
/// Kendall (1970) eq. 4.3. `Exact` with ties is an error, as in scipy.
pub fn kendall(x: &[f64], y: &[f64], opts: &CorrelationOptions) -> Result<TestResult> {
    const NAME: &str = "Kendall tau-b";
    let Some((x, y)) = paired(x, y, opts, 2)? else {
        return Ok(TestResult::nan(NAME, opts.alternative));
    };
    let n = x.len();
    // Sort (x, y) pairs as one u128 of order-preserving keys (−0.0 ties
    // with 0.0, as in numpy); x and y then compare as integers.
    let mut pairs: Vec<u128> = x
        .iter()
        .zip(y.iter())
        .map(|(&a, &b)| (u128::from(sort_key(a)) << 64) | u128::from(sort_key(b)))
        .collect();
    {
        use rayon::slice::ParallelSliceMut;
        pairs.par_sort_unstable();
    }
    let xs: Vec<u64> = pairs.iter().map(|&p| (p >> 64) as u64).collect();
    let ys: Vec<u64> = pairs.iter().map(|&p| p as u64).collect();
    drop(pairs);
    let (xtie, x0, x1) = tie_stats(&xs);
    // Joint ties: runs of equal (x, y) in the sorted order.
    let mut ntie = 0u64;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && xs[j] == xs[i] && ys[j] == ys[i] {
            j += 1;
        }
        let c = (j - i) as u64;
        ntie += c * (c - 1) / 2;
        i = j;
    }
    let mut buf = ys;
    let dis = count_inversions(&mut buf);
    // buf is now y sorted.
    let (ytie, y0, y1) = tie_stats(&buf);
    let tot = (n as u64) * (n as u64 - 1) / 2;
    let con_minus_dis = tot as i128 - xtie as i128 - ytie as i128 + ntie as i128 - 2 * dis as i128;
    let cmd = con_minus_dis as f64;
    let tau = (cmd / ((tot - xtie) as f64).sqrt() / ((tot - ytie) as f64).sqrt()).clamp(-1.0, 1.0);
    let ties = xtie != 0 || ytie != 0;
    let exact = match opts.method {
        PValueMethod::Exact if ties => {
            return Err(Error::invalid(
                "method",
                "exact",
                "'auto' or 'asymptotic': the data have ties, and the exact Kendall \
                 distribution assumes none",
            ));
        }
        PValueMethod::Exact => true,
        PValueMethod::Asymptotic => false,
        PValueMethod::Auto => !ties && (n <= 33 || dis.min(tot - dis) <= 1),
    };
    if exact {
        let c = (tot - dis).min(dis) as f64;
        crate::nonparametric::check_exact_cost(n as f64 * c, "Kendall's tau")?;
    }
    let (p, name) = if exact {
        (
            kendall_p_exact(n as u64, tot - dis, opts.alternative),
            "Kendall tau-b (exact)",
        )
    } else {
        if n < 3 {
            return Err(Error::TooFewObservations {
                what: "pairs (x, y) for the asymptotic Kendall test".to_string(),
                needed: 3,
                got: n,
            });
        }
        let nf = n as f64;
        let m = nf * (nf - 1.0);
        let var = (m * (2.0 * nf + 5.0) - x1 - y1) / 18.0
            + (2.0 * xtie as f64 * ytie as f64) / m
            + x0 * y0 / (9.0 * m * (nf - 2.0));
        let z = cmd / var.sqrt();
        let p = match opts.alternative {
            Alternative::Less => normal_cdf(z),
            Alternative::Greater => normal_sf(z),
            Alternative::TwoSided => 2.0 * normal_sf(z.abs()),
        };
        (p, "Kendall tau-b (asymptotic)")
    };
    Ok(result(name, tau, p, n, opts))
}

/// For an ascending slice: (Σ t(t−1)/2, Σ t(t−1)(t−2), Σ t(t−1)(2t+5)) over
/// its tie groups, as scipy's `count_rank_tie`.
fn tie_stats<T: PartialEq>(sorted: &[T]) -> (u64, f64, f64) {
    let (mut pairs, mut s0, mut s1) = (0u64, 0.0, 0.0);
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let c = (j - i) as u64;
        if c > 1 {
            let cf = c as f64;
            pairs += c * (c - 1) / 2;
            s0 += cf * (cf - 1.0) * (cf - 2.0);
            s1 += cf * (cf - 1.0) * (2.0 * cf + 5.0);
        }
        i = j;
    }
    (pairs, s0, s1)
}

/// Number of pairs i < j with v[i] > v[j] (strict), by merge sort; sorts `v`.
///
/// The merge passes alternate between `v` and one scratch buffer (no copy
/// back after each merge), a merge picks each value without a branch and
/// runs as two independent halves ([`merge_count`]), and from
/// [`PARALLEL_MERGE`] values the halves of the sort and of each merge go to
/// two threads. The count is an integer,
/// so it does not depend on how the work was split.
fn count_inversions<T: Ord + Copy + Send + Sync>(v: &mut [T]) -> u64 {
    let mut scratch = v.to_vec();
    sort_count(v, &mut scratch, false)
}

/// Runs this short are sorted by insertion.
const INSERTION_RUN: usize = 32;

/// From this many values the two halves are sorted, and a merge is split,
/// on two threads.
const PARALLEL_MERGE: usize = 1 << 16;

/// Sort the values of `v` (inversions returned), into `v` itself or, when
/// `into_other`, into `other` (as long); the one not receiving them is
/// overwritten.
fn sort_count<T: Ord + Copy + Send + Sync>(v: &mut [T], other: &mut [T], into_other: bool) -> u64 {
    let n = v.len();
    if n <= INSERTION_RUN {
        let inv = insertion_count(v);
        if into_other {
            other.copy_from_slice(v);
        }
        return inv;
    }
    let mid = n / 2;
    // The halves are sorted into the buffer the merge reads from.
    let inv = {
        let (l, r) = v.split_at_mut(mid);
        let (ol, or) = other.split_at_mut(mid);
        let halves = !into_other;
        if n >= PARALLEL_MERGE {
            let (a, b) = rayon::join(|| sort_count(l, ol, halves), || sort_count(r, or, halves));
            a + b
        } else {
            sort_count(l, ol, halves) + sort_count(r, or, halves)
        }
    };
    let (from, to) = if into_other { (v, other) } else { (other, v) };
    let (l, r) = from.split_at(mid);
    inv + merge_count(l, r, to)
}

/// Insertion sort: each shift past a strictly larger value is one
/// inversion.
fn insertion_count<T: Ord + Copy>(v: &mut [T]) -> u64 {
    let mut inv = 0;
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        inv += (i - j) as u64;
        v[j] = x;
    }
    inv
}

/// Merge the ascending `l` and `r` into `out` (left first among equal
/// values) and count the pairs of a left value above a right one.
///
/// The merge is split where the first half of the output ends (the merge
/// path, found by binary search): each right value of the first part is
/// also below the left values of the second part, and the two parts are
/// merged on two threads when large, else in one loop that advances both
/// (two independent chains of loads and comparisons instead of one).
fn merge_count<T: Ord + Copy + Send + Sync>(l: &[T], r: &[T], out: &mut [T]) -> u64 {
    let n = out.len();
    debug_assert_eq!(l.len() + r.len(), n);
    if n < DUAL_MERGE || l.is_empty() || r.is_empty() {
        return merge_lane(l, r, out);
    }
    let half = n / 2;
    // The first `half` outputs are l[..i] and r[..half − i]: the smallest i
    // whose l[i] follows r[half − i − 1] (is strictly greater).
    let (mut lo, mut hi) = (half.saturating_sub(r.len()), half.min(l.len()));
    while lo < hi {
        let i = (lo + hi) / 2;
        if l[i] <= r[half - i - 1] {
            lo = i + 1;
        } else {
            hi = i;
        }
    }
    let (i, j) = (lo, half - lo);
    let across = j as u64 * (l.len() - i) as u64;
    let (first, second) = out.split_at_mut(half);
    let ((la, lb), (ra, rb)) = (l.split_at(i), r.split_at(j));
    if n >= PARALLEL_MERGE {
        let (a, b) = rayon::join(
            || merge_count(la, ra, first),
            || merge_count(lb, rb, second),
        );
        return a + across + b;
    }
    // Both parts in one loop while each has values on both sides, then
    // what remains of each.
    let (mut ia, mut ja, mut ib, mut jb, mut inv) = (0, 0, 0, 0, across);
    while ia < la.len() && ja < ra.len() && ib < lb.len() && jb < rb.len() {
        inv += merge_step(la, ra, &mut ia, &mut ja, first);
        inv += merge_step(lb, rb, &mut ib, &mut jb, second);
    }
    inv + merge_lane(&la[ia..], &ra[ja..], &mut first[ia + ja..])
        + merge_lane(&lb[ib..], &rb[jb..], &mut second[ib + jb..])
}

/// Merges shorter than this run as one loop.
const DUAL_MERGE: usize = 64;

/// [`merge_count`] as one loop.
fn merge_lane<T: Ord + Copy>(l: &[T], r: &[T], out: &mut [T]) -> u64 {
    let (mut i, mut j, mut inv) = (0, 0, 0);
    while i < l.len() && j < r.len() {
        inv += merge_step(l, r, &mut i, &mut j, out);
    }
    let k = i + j;
    out[k..k + l.len() - i].copy_from_slice(&l[i..]);
    out[k + l.len() - i..].copy_from_slice(&r[j..]);
    inv
}

/// One value of a merge: the smaller of `l[i]` and `r[j]` (the left one
/// when equal) written to `out[i + j]`, and the left values it passes when
/// it is the right one. Picked without a branch: on shuffled data a branch
/// on the comparison is mispredicted every other value.
#[inline(always)]
fn merge_step<T: Ord + Copy>(l: &[T], r: &[T], i: &mut usize, j: &mut usize, out: &mut [T]) -> u64 {
    let (a, b) = (l[*i], r[*j]);
    let right = b < a;
    out[*i + *j] = if right { b } else { a };
    let passed = u64::from(right) * (l.len() - *i) as u64;
    *j += usize::from(right);
    *i += usize::from(!right);
    passed
}

/// Exact p-value of Kendall's test with `c` concordant pairs among n
/// untied observations: a port of scipy `_mstats_basic._kendall_p_exact`
/// (counts of permutations by inversions, Kendall 1970).
fn kendall_p_exact(n: u64, c: u64, alternative: Alternative) -> f64 {
    let total = n * (n - 1) / 2;
    let in_right_tail = c >= total - c;
    let c = c.min(total - c) as usize;
    let factorial = |k: u64| (1..=k).fold(1.0f64, |f, i| f * i as f64);
    let (mut prob, p_mass_at_c) = if n <= 1 {
        (1.0, 1.0)
    } else if n == 2 {
        (1.0, 0.5)
    } else if c == 0 {
        let prob = if n < 171 { 2.0 / factorial(n) } else { 0.0 };
        (prob, prob / 2.0)
    } else if c == 1 {
        let prob = if n < 172 { 2.0 / factorial(n - 1) } else { 0.0 };
        (prob, (n - 1) as f64 / factorial(n))
    } else if 4 * c as u64 == n * (n - 1) && alternative == Alternative::TwoSided {
        (1.0, f64::NAN)
    } else {
        let mut new = vec![0.0; c + 1];
        new[0] = 1.0;
        new[1] = 1.0;
        for j in 3..=n as usize {
            let mut acc = 0.0;
            for v in new.iter_mut() {
                acc += *v;
                *v = acc;
            }
            if n >= 171 {
                for v in new.iter_mut() {
                    *v /= j as f64;
                }
            }
            if j <= c {
                for i in (j..=c).rev() {
                    new[i] -= new[i - j];
                }
            }
        }
        let sum: f64 = new.iter().sum();
        if n < 171 {
            let f = factorial(n);
            (2.0 * sum / f, new[c] / f)
        } else {
            (sum, new[c] / 2.0)
        }
    };
    if alternative != Alternative::TwoSided {
        if in_right_tail == (alternative == Alternative::Greater) {
            prob /= 2.0;
        } else {
            prob = 1.0 - prob / 2.0 + p_mass_at_c;
        }
    }
    prob.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inversions_are_strict() {
        let mut v = [3, 1, 2, 2, 0];
        // (3,1) (3,2) (3,2) (3,0) (1,0) (2,0) (2,0)
        assert_eq!(count_inversions(&mut v), 7);
        assert_eq!(v, [0, 1, 2, 2, 3]);
    }

    /// Inversions counted by a Fenwick tree over the values' ranks, from
    /// the right: an algorithm independent of the merge sort's.
    fn fenwick_inversions(v: &[u64]) -> u64 {
        let mut values = v.to_vec();
        values.sort_unstable();
        values.dedup();
        let mut tree = vec![0u64; values.len() + 1];
        let mut inv = 0;
        for &x in v.iter().rev() {
            // values strictly below x seen so far (to the right of x)
            let rank = values.partition_point(|&u| u < x);
            let mut i = rank;
            while i > 0 {
                inv += tree[i];
                i &= i - 1;
            }
            let mut i = rank + 1;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
        inv
    }

    #[test]
    fn inversions_match_a_fenwick_count_at_every_size() {
        use rand_chacha::ChaCha8Rng;
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(0x1234_5678);
        let mut next = move || rng.next_u64();
        // below, at and above the insertion runs and the parallel merges;
        // distinct values, heavy ties, and nearly sorted or reversed runs
        for n in [
            0, 1, 2, 31, 32, 33, 100, 1000, 65_535, 65_536, 65_537, 300_001,
        ] {
            for kind in 0..4 {
                let v: Vec<u64> = (0..n as u64)
                    .map(|i| match kind {
                        0 => next(),
                        1 => next() % 7,
                        2 => i + next() % 50,
                        _ => (n as u64 - i) * 3 + next() % 4,
                    })
                    .collect();
                let want = fenwick_inversions(&v);
                let mut sorted = v.clone();
                sorted.sort_unstable();
                let mut got = v.clone();
                assert_eq!(count_inversions(&mut got), want, "n = {n}, kind {kind}");
                assert_eq!(got, sorted, "n = {n}, kind {kind}");
            }
        }
    }

    #[test]
    fn negative_zero_ties_with_zero() {
        let o = CorrelationOptions::default();
        let a = kendall(&[-0.0, 0.0, 1.0], &[5.0, 1.0, 2.0], &o).unwrap();
        let b = kendall(&[0.0, 0.0, 1.0], &[5.0, 1.0, 2.0], &o).unwrap();
        assert_eq!(a.statistic, b.statistic);
    }

    #[test]
    fn invalid_confidence_level_is_refused() {
        let opts = CorrelationOptions {
            confidence_level: 1.5,
            ..Default::default()
        };
        assert!(matches!(
            pearson(&[1.0, 2.0, 3.0], &[1.0, 3.0, 2.0], &opts),
            Err(Error::InvalidParameter { .. })
        ));
    }
}
