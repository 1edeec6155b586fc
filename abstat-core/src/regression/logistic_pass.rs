//! One pass over the rows for Newton's method on the logistic
//! log-likelihood: fitted probabilities, score `X'(y − p)`, information
//! `X' diag(p (1 − p)) X` and (optionally) the log-likelihood, fused so the
//! design is read once per Newton step. Shared by [`super::Logit`]
//! (statsmodels' `Logit`) and scikit-learn's binary `LogisticRegression`
//! ([`crate::classification::LogisticParams`]).
//!
//! The rows are taken in blocks copied into a small column-major buffer
//! (so a row-major numpy design costs one transposed copy per block, not a
//! full copy), and large designs are split into two fixed halves reduced in
//! a fixed order, so results do not depend on the machine or thread count.
//! The block kernel is compiled twice, plainly and with AVX2 enabled
//! (chosen at run time); both evaluate the same operations in the same
//! order (no FMA contraction), so they give identical bits.

use ndarray::{Array2, ArrayView2, CowArray, Ix2};

/// Rows per block: a block of a 10-column design and its weighted copy
/// (~80 KB) stays in cache.
const BLOCK_ROWS: usize = 512;

/// Designs with at least this many rows are split into two halves computed
/// on two threads (rayon) and summed lower half first.
const PARALLEL_ROWS: usize = 8192;

/// Sums over the rows at given coefficients.
#[derive(Debug, Clone)]
pub(crate) struct LogisticPass {
    /// Information `X' diag(p (1 − p)) X` (minus the Hessian), `k × k`.
    pub info: Array2<f64>,
    /// Score `X' (y − p)`.
    pub score: Vec<f64>,
    /// Log-likelihood `Σ ln P(yᵢ)` (0 unless requested).
    pub loglike: f64,
    /// Observations fitted within `1e-8` of their outcome.
    pub pinned: usize,
    /// Observations.
    pub n: usize,
}

impl LogisticPass {
    fn zero(k: usize) -> Self {
        LogisticPass {
            info: Array2::zeros((k, k)),
            score: vec![0.0; k],
            loglike: 0.0,
            pinned: 0,
            n: 0,
        }
    }

    fn add(mut self, other: LogisticPass) -> Self {
        self.info += &other.info;
        for (a, b) in self.score.iter_mut().zip(&other.score) {
            *a += b;
        }
        self.loglike += other.loglike;
        self.pinned += other.pinned;
        self.n += other.n;
        self
    }
}

/// The pass over all rows of `x` (any layout) with 0/1 outcomes `y`, at
/// `params` (one per column of `x`, then the intercept's when `intercept`:
/// an implicit column of ones after the last column).
pub(crate) fn logistic_pass(
    x: ArrayView2<f64>,
    intercept: bool,
    y: &[f64],
    params: &[f64],
    loglike: bool,
) -> LogisticPass {
    let n = x.nrows();
    let rows = |start, end| {
        let mut acc = LogisticPass::zero(params.len());
        pass_rows(x, intercept, y, params, loglike, start, end, &mut acc);
        acc
    };
    if n < PARALLEL_ROWS {
        return rows(0, n);
    }
    let mid = n / 2;
    let (lower, upper) = rayon::join(|| rows(0, mid), || rows(mid, n));
    lower.add(upper)
}

/// `x` laid out column-major: copied once unless it already is, so that
/// the passes of a fit read its columns in place instead of transposing
/// every block again (the copy cost ~30% of each pass of a row-major
/// design). The values, and so every pass's result, are the same.
pub(crate) fn by_columns(x: ArrayView2<'_, f64>) -> CowArray<'_, f64, Ix2> {
    if x.as_slice().is_none() && x.as_slice_memory_order().is_some() {
        return CowArray::from(x);
    }
    CowArray::from(x.t().as_standard_layout().into_owned().reversed_axes())
}

/// Scratch buffers of one block (`wx` column-major, `k` columns of
/// [`BLOCK_ROWS`]).
struct Block {
    wx: Vec<f64>,
    eta: Vec<f64>,
    resid: Vec<f64>,
    weight: Vec<f64>,
}

#[allow(clippy::too_many_arguments)] // the pass's inputs plus its row range
fn pass_rows(
    x: ArrayView2<f64>,
    intercept: bool,
    y: &[f64],
    params: &[f64],
    loglike: bool,
    start: usize,
    end: usize,
    acc: &mut LogisticPass,
) {
    let (p, k) = (x.ncols(), params.len());
    // the block's columns when they are copied, column-major
    let mut xb = vec![0.0; k * BLOCK_ROWS];
    let mut b = Block {
        wx: vec![0.0; k * BLOCK_ROWS],
        eta: vec![0.0; BLOCK_ROWS],
        resid: vec![0.0; BLOCK_ROWS],
        weight: vec![0.0; BLOCK_ROWS],
    };
    if intercept {
        xb[p * BLOCK_ROWS..].fill(1.0);
    }
    let row_major = x.as_slice();
    let col_major = x
        .as_slice_memory_order()
        .filter(|_| row_major.is_none() && p > 0);
    let mut at = start;
    while at < end {
        let len = BLOCK_ROWS.min(end - at);
        let y = &y[at..at + len];
        let cols: Vec<&[f64]> = if let Some(data) = col_major {
            // Column-major: read the columns in place (and the ones of the
            // intercept from the buffer).
            let n = x.nrows();
            let ones = intercept.then(|| &xb[p * BLOCK_ROWS..p * BLOCK_ROWS + len]);
            (0..p)
                .map(|j| &data[j * n + at..j * n + at + len])
                .chain(ones)
                .collect()
        } else {
            // Copy the block into the column-major buffer.
            if let Some(data) = row_major {
                for (i, row) in data[at * p..(at + len) * p].chunks_exact(p).enumerate() {
                    for (j, &v) in row.iter().enumerate() {
                        xb[j * BLOCK_ROWS + i] = v;
                    }
                }
            } else {
                for (j, col) in x.columns().into_iter().enumerate() {
                    let dst = &mut xb[j * BLOCK_ROWS..j * BLOCK_ROWS + len];
                    for (d, i) in dst.iter_mut().zip(at..at + len) {
                        *d = col[i];
                    }
                }
            }
            (0..k)
                .map(|j| &xb[j * BLOCK_ROWS..j * BLOCK_ROWS + len])
                .collect()
        };
        let job = BlockJob {
            cols: &cols,
            len,
            y,
            params,
            loglike,
        };
        block(&job, &mut b, acc);
        at += len;
    }
    acc.n += end - start;
}

/// One block's inputs: its columns (`len` rows each), outcomes and the
/// coefficients.
struct BlockJob<'a> {
    cols: &'a [&'a [f64]],
    len: usize,
    y: &'a [f64],
    params: &'a [f64],
    loglike: bool,
}

/// The block kernel, with AVX2 when the CPU has it (same results).
fn block(job: &BlockJob, b: &mut Block, acc: &mut LogisticPass) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { block_avx2(job, b, acc) };
        return;
    }
    block_generic(job, b, acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_avx2(job: &BlockJob, b: &mut Block, acc: &mut LogisticPass) {
    block_generic(job, b, acc);
}

#[inline(always)]
fn block_generic(job: &BlockJob, b: &mut Block, acc: &mut LogisticPass) {
    let &BlockJob {
        cols,
        len,
        y,
        params,
        loglike,
    } = job;
    let k = cols.len();
    let eta = &mut b.eta[..len];
    eta.fill(0.0);
    for (&c, &bj) in cols.iter().zip(params) {
        for (e, &v) in eta.iter_mut().zip(c) {
            *e += bj * v;
        }
    }
    let (resid, weight) = (&mut b.resid[..len], &mut b.weight[..len]);
    let (mut ll, mut pinned, mut prod) = (0.0, 0, 1.0);
    for i in 0..len {
        let (e, yi) = (eta[i], y[i]);
        // One exponential serves p and the log-likelihood:
        // t = e^{−|η|}, p = 1/(1+t) or t/(1+t).
        let t = (-e.abs()).exp();
        let p = if e >= 0.0 {
            1.0 / (1.0 + t)
        } else {
            t / (1.0 + t)
        };
        resid[i] = yi - p;
        weight[i] = p * (1.0 - p);
        pinned += usize::from((p - yi).abs() <= 1e-8);
        if loglike {
            // ln P(yᵢ) = −ln(1 + e^{x}), x = −(2y − 1) η (statsmodels'
            // loglike), = −max(x, 0) − ln(1 + t); the ln(1 + t) are summed
            // as the logarithm of their product below.
            let x = if yi == 1.0 { -e } else { e };
            ll -= x.max(0.0);
            prod *= 1.0 + t;
        }
    }
    if loglike {
        // Σ ln(1 + tᵢ) = ln Π (1 + tᵢ): one logarithm per block instead of
        // one per row. Each factor is in [1, 2], so the product of at most
        // BLOCK_ROWS = 512 of them stays below 2^512 (no overflow), and its
        // relative rounding error, at most 512 ε ≈ 1e-13, is an absolute
        // error of the same size in the sum, as summing 512 separate
        // logarithms would give.
        ll -= prod.ln();
    }
    acc.loglike += ll;
    acc.pinned += pinned;
    for (j, &c) in cols.iter().enumerate() {
        acc.score[j] += dot(resid, c);
        let wc = &mut b.wx[j * BLOCK_ROWS..j * BLOCK_ROWS + len];
        for ((d, &v), &w) in wc.iter_mut().zip(c).zip(weight.iter()) {
            *d = v * w;
        }
    }
    for j in 0..k {
        let wc = &b.wx[j * BLOCK_ROWS..j * BLOCK_ROWS + len];
        let mut l = j;
        // four columns per sweep: wc is loaded once for four products
        while l < k {
            let d: [f64; 4] = if l + 4 <= k {
                dot4(wc, [cols[l], cols[l + 1], cols[l + 2], cols[l + 3]])
            } else {
                std::array::from_fn(|t| if l + t < k { dot(wc, cols[l + t]) } else { 0.0 })
            };
            for (t, &v) in d.iter().enumerate().take(k - l) {
                acc.info[(j, l + t)] += v;
                if l + t != j {
                    acc.info[(l + t, j)] += v;
                }
            }
            l += 4;
        }
    }
}

/// Four dot products of `a` with `b[0..4]` in one sweep, each with four
/// partial sums (lane `t` sums elements `t mod 4`).
#[inline(always)]
fn dot4(a: &[f64], b: [&[f64]; 4]) -> [f64; 4] {
    let n = a.len();
    let b = b.map(|c| &c[..n]);
    let mut s = [[0.0; 4]; 4];
    let whole = n - n % 4;
    let chunks = a[..whole]
        .chunks_exact(4)
        .zip(b[0][..whole].chunks_exact(4))
        .zip(b[1][..whole].chunks_exact(4))
        .zip(b[2][..whole].chunks_exact(4))
        .zip(b[3][..whole].chunks_exact(4));
    for ((((x, c0), c1), c2), c3) in chunks {
        for t in 0..4 {
            s[0][t] += x[t] * c0[t];
            s[1][t] += x[t] * c1[t];
            s[2][t] += x[t] * c2[t];
            s[3][t] += x[t] * c3[t];
        }
    }
    std::array::from_fn(|c| {
        let mut tail = 0.0;
        for i in whole..n {
            tail += a[i] * b[c][i];
        }
        (s[c][0] + s[c][2]) + (s[c][1] + s[c][3]) + tail
    })
}

/// Dot product with eight independent partial sums (vectorisable without
/// reassociating: lane `t` always sums elements `t mod 8`).
#[inline(always)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for t in 0..8 {
            s[t] += x[t] * y[t];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + tail
}

/// Solve `H s = g` for a positive-definite `H` (Cholesky); `None` when `H`
/// is not numerically positive definite.
pub(crate) fn solve_spd(h: &Array2<f64>, g: &[f64]) -> Option<Vec<f64>> {
    use linfa_linalg::cholesky::SolveC;
    let rhs = Array2::from_shape_vec((g.len(), 1), g.to_vec()).ok()?;
    let mut h = h.to_owned();
    let s = h.solvec(&rhs).ok()?.column(0).to_vec();
    s.iter().all(|v| v.is_finite()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::ShapeBuilder;

    /// Deterministic pseudo-random values in (−2, 2).
    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
            })
            .collect()
    }

    /// The sums by their definitions, one row at a time.
    fn naive(x: ArrayView2<f64>, y: &[f64], params: &[f64]) -> LogisticPass {
        let k = params.len();
        let mut out = LogisticPass::zero(k);
        for (i, row) in x.rows().into_iter().enumerate() {
            let mut xi: Vec<f64> = row.to_vec();
            xi.resize(k, 1.0); // the implicit intercept, when there is one
            let eta: f64 = xi.iter().zip(params).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            for a in 0..k {
                out.score[a] += xi[a] * (y[i] - p);
                for b in 0..k {
                    out.info[(a, b)] += p * (1.0 - p) * xi[a] * xi[b];
                }
            }
            out.loglike += if y[i] == 1.0 { p.ln() } else { (1.0 - p).ln() };
            out.n += 1;
        }
        out
    }

    fn assert_same(got: &LogisticPass, want: &LogisticPass) {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs().max(1.0);
        assert_eq!(got.n, want.n);
        assert!(
            close(got.loglike, want.loglike),
            "{} vs {}",
            got.loglike,
            want.loglike
        );
        for (a, b) in got.score.iter().zip(&want.score) {
            assert!(close(*a, *b), "score {a} vs {b}");
        }
        for (a, b) in got.info.iter().zip(&want.info) {
            assert!(close(*a, *b), "info {a} vs {b}");
        }
    }

    #[test]
    fn every_layout_and_split_gives_the_definitions_sums() {
        // 1000 rows: one thread, a partial last block; 20000: two halves
        for n in [1000, 20_000] {
            let p = 3;
            let data = values(n * p, 7);
            let y: Vec<f64> = values(n, 11)
                .iter()
                .map(|v| f64::from(u8::from(*v > 0.3)))
                .collect();
            let rows = Array2::from_shape_vec((n, p), data).unwrap();
            let mut cols = Array2::zeros((n, p).f());
            cols.assign(&rows);
            let with_icpt = [0.3, -0.7, 1.1, -0.2];
            let want = naive(rows.view(), &y, &with_icpt);
            assert_same(
                &logistic_pass(rows.view(), true, &y, &with_icpt, true),
                &want,
            );
            assert_same(
                &logistic_pass(cols.view(), true, &y, &with_icpt, true),
                &want,
            );
            // the same bits in either layout (the blocks hold the same
            // columns), so a design copied by `by_columns` fits the same
            let (a, b) = (
                logistic_pass(rows.view(), true, &y, &with_icpt, true),
                logistic_pass(cols.view(), true, &y, &with_icpt, true),
            );
            assert_eq!((&a.info, &a.score), (&b.info, &b.score));
            assert_eq!(a.loglike.to_bits(), b.loglike.to_bits());
            let by = by_columns(rows.view());
            assert_eq!(by, rows);
            assert!(by.as_slice().is_none() && by.as_slice_memory_order().is_some());
            // already column-major: borrowed, not copied
            assert!(by_columns(cols.view()).is_view());
            // column-major without intercept: read in place
            let no_icpt = &with_icpt[..p];
            let want = naive(cols.view(), &y, no_icpt);
            assert_same(&logistic_pass(cols.view(), false, &y, no_icpt, true), &want);
            // a strided view (every other column of a wider matrix)
            let wide = Array2::from_shape_fn((n, 2 * p), |(i, j)| rows[(i, j / 2)]);
            let strided = wide.slice(ndarray::s![.., ..;2]);
            assert_same(&logistic_pass(strided, false, &y, no_icpt, true), &want);
        }
    }

    #[test]
    fn fitted_outcomes_are_counted_as_pinned() {
        let x = Array2::from_shape_vec((4, 1), vec![-40.0, -30.0, 30.0, 40.0]).unwrap();
        let at = logistic_pass(x.view(), false, &[0.0, 0.0, 1.0, 0.0], &[1.0], false);
        assert_eq!((at.pinned, at.n, at.loglike), (3, 4, 0.0));
    }
}
