//! Least squares by Householder QR (linfa-linalg), with a rank check.
//!
//! statsmodels solves OLS with the pseudo-inverse (SVD). On a design of full
//! rank QR gives the same solution to within the conditioning of `X` times
//! machine epsilon, and it is several times cheaper; on a rank-deficient
//! design statsmodels returns the minimum-norm solution, which is not
//! identified, so we return an error that names the offending column.

use linfa_linalg::LinalgError;
use linfa_linalg::svd::SVD;
use linfa_linalg::triangular::{SolveTriangular, UPLO};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};

use crate::{Error, Result};

/// The least-squares solution of `X b ≈ y` and what inference needs from it.
#[derive(Debug, Clone)]
pub(crate) struct LeastSquares {
    /// The coefficients `b`.
    pub params: Vec<f64>,
    /// `(X'X)⁻¹ = R⁻¹ R⁻ᵀ`, statsmodels' `normalized_cov_params`.
    pub xtx_inv: Array2<f64>,
    /// `R⁻¹` of the thin QR `X = Q R`; `X R⁻¹ = Q` is the orthonormal
    /// basis the sandwich covariances are built on.
    pub r_inv: Array2<f64>,
    /// The `R` factor itself (upper triangular, positive diagonal).
    pub r: Array2<f64>,
    /// Singular values of `X` (those of `R`), largest first.
    pub singular_values: Vec<f64>,
}

/// Rows per block of the tall-skinny QR: a block of a 10-column design
/// (~80 KB) stays in cache while it is factorised.
const BLOCK_ROWS: usize = 1024;

/// The `R` factor of the QR decomposition of `[X | y]` (or of `X` without
/// `y`), by blocked "tall-skinny" QR: the rows are taken a block at a time
/// and each block is folded into the running `R` by Householder
/// reflections of `[R; block]` (LAPACK's `dtpqrt` update: the reflector of
/// column `j` touches row `j` of `R` and the block only, since `R` is zero
/// below its diagonal). This gives the same `R` as one Householder QR of
/// the whole matrix, up to rounding and the signs of its rows, which are
/// normalised to a positive diagonal, while reading the data once (Demmel,
/// Grigori, Hoemmen & Langou 2012, TSQR). Needs `n ≥` number of columns.
fn tsqr(x: ArrayView2<f64>, y: Option<&[f64]>) -> Result<Array2<f64>> {
    let parts = split_rows(x.nrows(), |start, end| tsqr_rows(x, y, start, end));
    let mut parts = parts.into_iter();
    let mut r = parts
        .next()
        .ok_or_else(|| Error::Degenerate("no rows to factorise".into()))??;
    // the TSQR tree: fold the other halves' R factors into the first
    for other in parts {
        let other = other?;
        let mut w = Vec::with_capacity(other.len());
        for c in other.columns() {
            w.extend(c.iter());
        }
        fold_rows(&mut r, &mut w)?;
    }
    for (j, mut row) in r.axis_iter_mut(Axis(0)).enumerate() {
        if row[j] < 0.0 {
            row.mapv_inplace(|v| -v);
        }
    }
    Ok(r)
}

/// The `R` factor (signs not normalised) of rows `start..end` of `[X | y]`.
fn tsqr_rows(
    x: ArrayView2<f64>,
    y: Option<&[f64]>,
    mut start: usize,
    end: usize,
) -> Result<Array2<f64>> {
    let k = x.ncols();
    let kc = k + usize::from(y.is_some());
    let mut r = Array2::zeros((kc, kc));
    let mut w: Vec<f64> = Vec::with_capacity(BLOCK_ROWS.min(end - start) * kc);
    while start < end {
        let rows = BLOCK_ROWS.min(end - start);
        w.clear();
        let y = y.map(|y| ArrayView1::from(&y[start..start + rows]));
        for c in x
            .slice(s![start..start + rows, ..])
            .columns()
            .into_iter()
            .chain(y)
        {
            match c.as_slice() {
                Some(c) => w.extend_from_slice(c),
                None => w.extend(c.iter()),
            }
        }
        fold_rows(&mut r, &mut w)?;
        start += rows;
    }
    Ok(r)
}

/// Fold a block of rows into the upper-triangular `r` (`kc × kc`): on
/// return `r` is the `R` factor of `[r; block]`, with a diagonal of either
/// sign. `w` holds the block's `kc` columns one after the other (the same
/// number of rows each) and is overwritten by the reflectors.
fn fold_rows(r: &mut Array2<f64>, w: &mut [f64]) -> Result<()> {
    let kc = r.ncols();
    let rows = w.len() / kc;
    let col = |w: &[f64], j: usize| -> f64 {
        let c = &w[j * rows..(j + 1) * rows];
        ArrayView1::from(c).dot(&ArrayView1::from(c))
    };
    for j in 0..kc {
        let alpha = r[(j, j)];
        let sigma = col(w, j);
        if !sigma.is_finite() {
            return Err(Error::Degenerate(
                "the regression data are too large to factorise (squares overflow); \
                 rescale the columns"
                    .into(),
            ));
        }
        if sigma == 0.0 {
            // nothing below the diagonal: no reflection
            continue;
        }
        let norm = alpha.hypot(sigma.sqrt());
        let beta = if alpha >= 0.0 { -norm } else { norm };
        let tau = (beta - alpha) / beta;
        // v = [1; w_j / (alpha − beta)]
        let scale = 1.0 / (alpha - beta);
        let (head, tail) = w.split_at_mut((j + 1) * rows);
        let v = &mut head[j * rows..];
        v.iter_mut().for_each(|e| *e *= scale);
        r[(j, j)] = beta;
        let v = ArrayView1::from(&*v);
        for (l, wl) in (j + 1..kc).zip(tail.chunks_exact_mut(rows)) {
            let mut wl = ndarray::ArrayViewMut1::from(wl);
            let t = tau * (r[(j, l)] + v.dot(&wl));
            r[(j, l)] -= t;
            wl.scaled_add(-t, &v);
        }
    }
    Ok(())
}

/// Designs with at least this many rows are processed in two halves on two
/// threads. The split is fixed (not the machine's core count), so results
/// are bit-for-bit the same everywhere.
const PARALLEL_ROWS: usize = 1 << 17;

/// `f(start, end)` on a fixed split of the rows `0..n` — two halves on two
/// scoped threads when `n ≥ PARALLEL_ROWS`, else the whole — with the
/// results in row order.
pub(crate) fn split_rows<T: Send>(n: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    if n < PARALLEL_ROWS {
        return vec![f(0, n)];
    }
    let mid = n / 2;
    std::thread::scope(|scope| {
        let upper = scope.spawn(|| f(mid, n));
        let lower = f(0, mid);
        let upper = upper
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        vec![lower, upper]
    })
}

/// Solve `min ‖y − X b‖²` by QR of `X` (`n × k`, any layout, `n > k`).
///
/// `names` label the columns of `X` in the collinearity error.
pub(crate) fn least_squares(
    x: ArrayView2<f64>,
    y: &[f64],
    names: &[String],
) -> Result<LeastSquares> {
    let (n, k) = x.dim();
    check_shape(n, k)?;
    let r_aug = tsqr(x, Some(y))?;
    let r = r_aug.slice(s![..k, ..k]).to_owned();
    check_rank(x, &r, names)?;
    let r_inv = r
        .solve_triangular(&Array2::eye(k), UPLO::Upper)
        .map_err(linalg_error)?;
    // b = R⁻¹ Q'y, where Q'y is the last column of the augmented R.
    let params = r_inv.dot(&r_aug.slice(s![..k, k])).to_vec();
    let (_, s, _) = r.svd(false, false).map_err(linalg_error)?;
    let mut singular_values = s.to_vec();
    singular_values.sort_by(|a, b| b.total_cmp(a));
    let xtx_inv = r_inv.dot(&r_inv.t());
    Ok(LeastSquares {
        params,
        xtx_inv,
        r_inv,
        r,
        singular_values,
    })
}

fn check_shape(n: usize, k: usize) -> Result<()> {
    if k == 0 {
        return Err(Error::invalid(
            "predictors",
            "none",
            "at least one column in the design matrix",
        ));
    }
    if n <= k {
        return Err(Error::TooFewObservations {
            what: "the regression data".into(),
            needed: k + 1,
            got: n,
        });
    }
    Ok(())
}

/// numpy's `matrix_rank` rule: rank-deficient when the smallest singular
/// value is below `σ_max · max(n, k) · ε`.
fn check_rank(x: ArrayView2<f64>, r: &Array2<f64>, names: &[String]) -> Result<()> {
    let (n, k) = x.dim();
    let s = match r.svd(false, false) {
        Ok((_, s, _)) => s,
        Err(_) => return Err(collinear(x, r, names)),
    };
    let smax = s.iter().copied().fold(0.0, f64::max);
    let smin = s.iter().copied().fold(f64::INFINITY, f64::min);
    if smin.is_nan() || smin <= smax * n.max(k) as f64 * f64::EPSILON {
        return Err(collinear(x, r, names));
    }
    Ok(())
}

/// The column whose QR diagonal is smallest relative to its norm is (nearly)
/// a combination of the columns before it.
fn collinear(x: ArrayView2<f64>, r: &Array2<f64>, names: &[String]) -> Error {
    let norms: Vec<f64> = x.axis_iter(Axis(1)).map(|c| c.dot(&c).sqrt()).collect();
    let worst = (0..r.ncols())
        .min_by(|&a, &b| {
            let ra = r[(a, a)].abs() / norms[a].max(f64::MIN_POSITIVE);
            let rb = r[(b, b)].abs() / norms[b].max(f64::MIN_POSITIVE);
            ra.total_cmp(&rb)
        })
        .unwrap_or(0);
    let name = names.get(worst).map_or("?", String::as_str);
    Error::Degenerate(format!(
        "the predictors are collinear: column '{name}' is (almost) a linear combination of \
         the columns before it (or constant/all zero), so its coefficient is not identified; \
         drop it or one of the columns it depends on"
    ))
}

/// Check that `X` has full column rank (QR plus numpy's rank rule), given
/// `G`, the Gram matrix `X'X` up to a positive factor: when `G`'s eigenvalues show `X` is well conditioned
/// (`λmin / λmax > max(1e-8, 100 n ε)`, i.e. `σmin / σmax > 1e-4`, far above
/// numpy's rank threshold `max(n, k) ε` even after the rounding of forming
/// `G`, at most about `n ε λmax`), the QR is skipped; otherwise it decides.
pub(crate) fn check_full_rank_gram(
    x: ArrayView2<f64>,
    gram: &Array2<f64>,
    names: &[String],
) -> Result<()> {
    let (n, k) = x.dim();
    check_shape(n, k)?;
    if let Ok((_, s, _)) = gram.svd(false, false) {
        let smax = s.iter().copied().fold(0.0, f64::max);
        let smin = s.iter().copied().fold(f64::INFINITY, f64::min);
        let floor = (100.0 * n as f64 * f64::EPSILON).max(1e-8);
        if smax.is_finite() && smin > smax * floor {
            return Ok(());
        }
    }
    check_rank(x, &tsqr(x, None)?, names)
}

/// `X b` as a sum of scaled columns: contiguous, vectorised passes over a
/// column-major `X` (ndarray's mat-vec walks its strided rows).
pub(crate) fn mat_vec(x: ArrayView2<f64>, b: &[f64]) -> Array1<f64> {
    let mut out = Array1::zeros(x.nrows());
    for (c, &bj) in x.columns().into_iter().zip(b) {
        out.scaled_add(bj, &c);
    }
    out
}

pub(crate) fn linalg_error(e: LinalgError) -> Error {
    Error::Degenerate(format!("linear algebra failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squares_that_overflow_are_refused_with_a_way_out() {
        let x = Array2::from_shape_fn(
            (50, 2),
            |(i, j)| if j == 0 { 1.0 } else { 1e200 * i as f64 },
        );
        let y: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let names = ["const".to_string(), "big".to_string()];
        match least_squares(x.view(), &y, &names) {
            Err(Error::Degenerate(m)) => assert!(m.contains("rescale"), "{m}"),
            other => panic!("expected an overflow error, got {other:?}"),
        }
    }

    #[test]
    fn folded_r_has_a_positive_diagonal_and_reproduces_the_gram_matrix() {
        // R'R = X'X for the blocked fold, across several blocks and both halves
        for n in [7, 1500, PARALLEL_ROWS + 3] {
            let x = Array2::from_shape_fn((n, 3), |(i, j)| {
                ((i * (j + 3)) % 17) as f64 - 8.0 + j as f64
            });
            let r = tsqr(x.view(), None).unwrap();
            let gram = x.t().dot(&x);
            let rtr = r.t().dot(&r);
            for ((a, b), (i, j)) in rtr
                .iter()
                .zip(&gram)
                .zip((0..3).flat_map(|i| (0..3).map(move |j| (i, j))))
            {
                assert!(
                    (a - b).abs() <= 1e-10 * b.abs().max(1.0),
                    "n {n}: ({i},{j}) {a} vs {b}"
                );
            }
            for j in 0..3 {
                assert!(r[(j, j)] > 0.0);
                for i in j + 1..3 {
                    assert_eq!(r[(i, j)], 0.0);
                }
            }
        }
    }
}
