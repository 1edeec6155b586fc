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
//! order (no FMA contraction), so they give identical bits. The AVX2 build
//! runs four rows at a time: the products of the information matrix with
//! explicit vectors, the per-row exponential ([`exp_nonpositive`], fdlibm's
//! algorithm in plain arithmetic instead of a C library call) by the
//! compiler. That made a 20000 × 10 `LogisticRegression` fit 2.2× cheaper
//! (5.5 → 2.5 ms of CPU).

use ndarray::{Array2, ArrayView2, CowArray, Ix2, ShapeBuilder};

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
    // The caller's thread sums the lower half while a pool thread sums the
    // upper one. (`rayon::join` from outside the pool, as from Python,
    // hands both halves to the pool and sleeps, and the second pool thread
    // then has to be woken to take its half: two wake-ups per pass.)
    let mut upper = None;
    let lower = rayon::in_place_scope(|s| {
        s.spawn(|_| upper = Some(rows(mid, n)));
        rows(0, mid)
    });
    lower.add(upper.expect("the scope waits for its spawned half"))
}

/// `x` laid out column-major: copied once unless it already is, so that
/// the passes of a fit read its columns in place instead of transposing
/// every block again (the copy cost ~30% of each pass of a row-major
/// design). The values, and so every pass's result, are the same.
pub(crate) fn by_columns(x: ArrayView2<'_, f64>) -> CowArray<'_, f64, Ix2> {
    if x.as_slice().is_none() && x.as_slice_memory_order().is_some() {
        return CowArray::from(x);
    }
    let (n, p) = x.dim();
    match x.as_slice() {
        // row-major (numpy's default): one sweep over the rows, writing
        // each row's values down the columns
        Some(data) if p > 0 => {
            let mut out = vec![0.0; n * p];
            for (i, row) in data.chunks_exact(p).enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    out[j * n + i] = v;
                }
            }
            CowArray::from(Array2::from_shape_vec((n, p).f(), out).expect("n × p values"))
        }
        _ => CowArray::from(x.t().as_standard_layout().into_owned().reversed_axes()),
    }
}

/// Scratch buffers of one block (`wx` column-major, `k` columns of
/// [`BLOCK_ROWS`]).
struct Block {
    wx: Vec<f64>,
    eta: Vec<f64>,
    texp: Vec<f64>,
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
        texp: vec![0.0; BLOCK_ROWS],
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
    block_generic::<false>(job, b, acc);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn block_avx2(job: &BlockJob, b: &mut Block, acc: &mut LogisticPass) {
    block_generic::<true>(job, b, acc);
}

/// The kernel; `AVX2` (true only inside [`block_avx2`]) selects the
/// explicitly vectorised products of the information matrix.
#[inline(always)]
fn block_generic<const AVX2: bool>(job: &BlockJob, b: &mut Block, acc: &mut LogisticPass) {
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
    let texp = &mut b.texp[..len];
    let (mut ll, mut pinned, mut prod) = (0.0, 0, 1.0);
    // Row by row without a reduction across rows, so the compiler runs
    // four rows at a time in the AVX2 kernel (same operations, same bits).
    for i in 0..len {
        let (e, yi) = (eta[i], y[i]);
        // One exponential serves p and the log-likelihood:
        // t = e^{−|η|}, p = 1/(1+t) or t/(1+t), the numerator chosen
        // without a branch (the sign of η is a coin flip on real data).
        let t = exp_nonpositive(-e.abs());
        let p = if e >= 0.0 { 1.0 } else { t } / (1.0 + t);
        resid[i] = yi - p;
        weight[i] = p * (1.0 - p);
        // |y − p| = |p − y| exactly (rounding is symmetric)
        pinned += usize::from(resid[i].abs() <= 1e-8);
        texp[i] = t;
    }
    if loglike {
        for ((&e, &yi), &t) in eta.iter().zip(y).zip(texp.iter()) {
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
    for l in (0..k).step_by(4) {
        let d = products::<AVX2>(resid, &cols[l..k.min(l + 4)]);
        for (s, v) in acc.score[l..].iter_mut().zip(d) {
            *s += v;
        }
    }
    for (j, &c) in cols.iter().enumerate() {
        let wc = &mut b.wx[j * BLOCK_ROWS..j * BLOCK_ROWS + len];
        for ((d, &v), &w) in wc.iter_mut().zip(c).zip(weight.iter()) {
            *d = v * w;
        }
    }
    for j in 0..k {
        let wc = &b.wx[j * BLOCK_ROWS..j * BLOCK_ROWS + len];
        // up to four columns per sweep: wc is loaded once for four products
        for l in (j..k).step_by(4) {
            let d = products::<AVX2>(wc, &cols[l..k.min(l + 4)]);
            for (t, &v) in d.iter().enumerate().take(k - l) {
                acc.info[(j, l + t)] += v;
                if l + t != j {
                    acc.info[(l + t, j)] += v;
                }
            }
        }
    }
}

/// The dot products of `a` with each of `b` (one to four columns), padded
/// with zeros to four: [`dots_avx2`] inside the AVX2 kernel, else [`dots`]
/// (the same operations in the same order, so the same bits).
#[inline(always)]
fn products<const AVX2: bool>(a: &[f64], b: &[&[f64]]) -> [f64; 4] {
    fn pad<const M: usize>(d: [f64; M]) -> [f64; 4] {
        let mut out = [0.0; 4];
        out[..M].copy_from_slice(&d);
        out
    }
    #[inline(always)]
    fn of<const AVX2: bool, const M: usize>(a: &[f64], b: &[&[f64]]) -> [f64; 4] {
        let b: [&[f64]; M] = b.try_into().expect("M columns");
        #[cfg(target_arch = "x86_64")]
        if AVX2 {
            // SAFETY: callers pass AVX2 = true only after checking that
            // the CPU has AVX2 (`block`, the tests).
            return pad(unsafe { dots_avx2(a, b) });
        }
        pad(dots(a, b))
    }
    match b.len() {
        4 => of::<AVX2, 4>(a, b),
        3 => of::<AVX2, 3>(a, b),
        2 => of::<AVX2, 2>(a, b),
        _ => of::<AVX2, 1>(a, b),
    }
}

/// `M` dot products of `a` with `b[0..M]` in one sweep, each with four
/// partial sums (lane `t` sums elements `t mod 4`), combined as
/// `(s0 + s2) + (s1 + s3)` plus the tail's sum.
#[inline(always)]
fn dots<const M: usize>(a: &[f64], b: [&[f64]; M]) -> [f64; M] {
    let n = a.len();
    let b = b.map(|c| &c[..n]);
    let whole = n - n % 4;
    let mut s = [[0.0; 4]; M];
    for i in (0..whole).step_by(4) {
        for (sc, c) in s.iter_mut().zip(&b) {
            for t in 0..4 {
                sc[t] += a[i + t] * c[i + t];
            }
        }
    }
    let mut out = [0.0; M];
    for (o, (sc, c)) in out.iter_mut().zip(s.iter().zip(&b)) {
        let mut tail = 0.0;
        for i in whole..n {
            tail += a[i] * c[i];
        }
        *o = (sc[0] + sc[2]) + (sc[1] + sc[3]) + tail;
    }
    out
}

/// [`dots`] with AVX2 vectors: one four-lane vector of partial sums per
/// column, separate multiply and add (no FMA), so the same bits. (The
/// compiler kept `dots`' sixteen partial sums in scalar registers and on
/// the stack: this is about four times faster.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dots_avx2<const M: usize>(a: &[f64], b: [&[f64]; M]) -> [f64; M] {
    use std::arch::x86_64::{
        __m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_setzero_pd, _mm256_storeu_pd,
    };
    let n = a.len();
    let b = b.map(|c| &c[..n]);
    let whole = n - n % 4;
    let mut s: [__m256d; M] = [_mm256_setzero_pd(); M];
    let mut i = 0;
    while i < whole {
        // SAFETY: i + 4 <= whole <= n, the length of `a` and of every `b[c]`.
        let x = unsafe { _mm256_loadu_pd(a.as_ptr().add(i)) };
        for (sc, c) in s.iter_mut().zip(&b) {
            // SAFETY: as above.
            let y = unsafe { _mm256_loadu_pd(c.as_ptr().add(i)) };
            *sc = _mm256_add_pd(*sc, _mm256_mul_pd(x, y));
        }
        i += 4;
    }
    let mut out = [0.0; M];
    for (o, (sc, c)) in out.iter_mut().zip(s.iter().zip(&b)) {
        let mut lanes = [0.0; 4];
        // SAFETY: `lanes` holds four f64.
        unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), *sc) };
        let mut tail = 0.0;
        for i in whole..n {
            tail += a[i] * c[i];
        }
        *o = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]) + tail;
    }
    out
}

/// `e^x` for `x ≤ 0` (or NaN), within one unit in the last place of the
/// correctly rounded value, in plain arithmetic the compiler can run four
/// at a time (a call to the C library's `exp` cannot be vectorised).
///
/// The reduction and polynomial are fdlibm's `e_exp.c` (also Go's
/// `math.Exp`): `x = k ln 2 + r`, `|r| ≤ ln 2 / 2`, with `ln 2` split so
/// `k ln 2` is exact, and a degree-5 Remez approximation of
/// `r (e^r + 1) / (e^r − 1)`. `k` is rounded to nearest by adding
/// `1.5 · 2^52`, and `2^k` is applied as two normal factors, so results in
/// the subnormal range are rounded once. Below −746 the result is 0, as
/// `e^x < 2^-1075` there.
#[inline(always)]
fn exp_nonpositive(x: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    // fdlibm's constants, bit for bit
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
    // NaN fails the comparison and propagates
    let x = if x < -746.0 { -746.0 } else { x };
    // SHIFT + k: its bits are SHIFT's plus k (one binade, unit spacing)
    let shifted = x * std::f64::consts::LOG2_E + SHIFT;
    let kf = shifted - SHIFT;
    let k = (shifted.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k = 2^k1 · 2^k2 with k1, k2 ≥ −539: both normal
    let k1 = k >> 1;
    let k2 = k.wrapping_sub(k1);
    let scale = |m: i64| f64::from_bits((m.wrapping_add(1023) as u64) << 52);
    y * scale(k1) * scale(k2)
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
    fn vectorised_products_give_the_portable_bits() {
        // lengths with every tail (0..3 left over) and every column count
        for n in [0, 1, 3, 4, 5, 7, 8, 511, 512] {
            let a = values(n, 3);
            let cols: Vec<Vec<f64>> = (0..4).map(|c| values(n, 20 + c)).collect();
            let b: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
            for m in 1..=4 {
                let portable = products::<false>(&a, &b[..m]);
                for (t, &d) in portable.iter().enumerate() {
                    let want: f64 = if t < m {
                        a.iter().zip(b[t]).map(|(x, y)| x * y).sum()
                    } else {
                        0.0
                    };
                    assert!(
                        (d - want).abs() <= 1e-12 * (1.0 + want.abs()),
                        "{n} {m} {t}"
                    );
                }
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx2") {
                    let fast = products::<true>(&a, &b[..m]);
                    assert_eq!(
                        fast.map(f64::to_bits),
                        portable.map(f64::to_bits),
                        "{n} {m}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_avx2_kernel_gives_the_portable_kernels_bits() {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // a partial block, 5 columns (one sweep of four plus one),
            // large |η| (underflowing exponentials) and pinned rows
            let len = 301;
            let cols: Vec<Vec<f64>> = (0..5).map(|c| values(len, 40 + c)).collect();
            let cols: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
            let y: Vec<f64> = values(len, 9)
                .iter()
                .map(|v| f64::from(u8::from(*v > 0.0)))
                .collect();
            for params in [[0.3, -0.7, 1.1, -0.2, 0.05], [90.0, -200.0, 3.0, 0.0, -1.0]] {
                let job = BlockJob {
                    cols: &cols,
                    len,
                    y: &y,
                    params: &params,
                    loglike: true,
                };
                let run = |avx2: bool| {
                    let mut b = Block {
                        wx: vec![0.0; 5 * BLOCK_ROWS],
                        eta: vec![0.0; BLOCK_ROWS],
                        texp: vec![0.0; BLOCK_ROWS],
                        resid: vec![0.0; BLOCK_ROWS],
                        weight: vec![0.0; BLOCK_ROWS],
                    };
                    let mut acc = LogisticPass::zero(5);
                    if avx2 {
                        // SAFETY: the CPU has AVX2 (checked above).
                        unsafe { block_avx2(&job, &mut b, &mut acc) };
                    } else {
                        block_generic::<false>(&job, &mut b, &mut acc);
                    }
                    acc
                };
                let (fast, portable) = (run(true), run(false));
                assert_eq!((&fast.info, &fast.score), (&portable.info, &portable.score));
                assert_eq!(fast.loglike.to_bits(), portable.loglike.to_bits());
                assert_eq!(fast.pinned, portable.pinned);
            }
        }
    }

    /// Distance in representable values between two non-negative floats.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn the_vectorisable_exponential_is_within_one_ulp_of_libm() {
        // a dense deterministic sweep of [−750, 0] plus the edges: the
        // subnormal range, the underflow to zero, the reduction's
        // breakpoints (odd multiples of ln2 / 2) and tiny arguments
        let (mut total, mut exact) = (0, 0);
        let sweep = values(1_000_000, 5).into_iter().map(|v| (v - 2.0) * 187.5);
        let ln2 = std::f64::consts::LN_2;
        let edges = (0..2200).flat_map(|j| {
            let b = -(j as f64 + 0.5) * ln2 / 2.0;
            [b, b.next_up(), b.next_down()]
        });
        let special = [
            0.0,
            -0.0,
            -1e-300,
            -1e-17,
            -1e-9,
            -0.5,
            -1.0,
            -708.39,
            -708.4,
            -709.0,
            -744.4,
            -745.1,
            -745.13,
            -745.14,
            -745.2,
            -746.0,
            -746.1,
            -1e5,
            -1e308,
            f64::NEG_INFINITY,
        ];
        for x in sweep.chain(edges).chain(special) {
            let (got, want) = (exp_nonpositive(x), x.exp());
            let d = ulps(got, want);
            assert!(d <= 1, "exp({x:e}) = {got:e}, libm {want:e}: {d} ulps");
            total += 1;
            exact += usize::from(d == 0);
        }
        assert!(exp_nonpositive(f64::NAN).is_nan());
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert_eq!(exp_nonpositive(-800.0), 0.0);
        // and mostly the very same value (91% of this sweep: fdlibm's
        // error bound is below one ulp, not correct rounding)
        assert!(exact as f64 >= 0.85 * total as f64, "{exact} of {total}");
    }

    #[test]
    fn fitted_outcomes_are_counted_as_pinned() {
        let x = Array2::from_shape_vec((4, 1), vec![-40.0, -30.0, 30.0, 40.0]).unwrap();
        let at = logistic_pass(x.view(), false, &[0.0, 0.0, 1.0, 0.0], &[1.0], false);
        assert_eq!((at.pinned, at.n, at.loglike), (3, 4, 0.0));
    }
}
