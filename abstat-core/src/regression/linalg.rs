//! Least squares by Householder QR (linfa-linalg), with a rank check.
//!
//! statsmodels solves OLS with the pseudo-inverse (SVD). On a design of full
//! rank QR gives the same solution to within the conditioning of `X` times
//! machine epsilon, and it is several times cheaper; on a rank-deficient
//! design statsmodels returns the minimum-norm solution, which is not
//! identified, so we return an error that names the offending column.

use linfa_linalg::LinalgError;
use linfa_linalg::qr::QRInto;
use linfa_linalg::svd::SVD;
use linfa_linalg::triangular::{SolveTriangular, UPLO};
use ndarray::{Array2, ArrayView2, Axis, ShapeBuilder};

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
    /// Singular values of `X` (those of `R`), largest first.
    pub singular_values: Vec<f64>,
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
    let mut owned = Array2::zeros((n, k).f());
    owned.assign(&x);
    let decomp = owned.qr_into().map_err(linalg_error)?;
    let rhs = ArrayView2::from_shape((n, 1), y)
        .map_err(|e| Error::Degenerate(format!("response has the wrong shape: {e}")))?;
    let solved = decomp.solve(&rhs);
    let r = decomp.into_r();
    check_rank(x, &r, names)?;
    let params = solved
        .map_err(|_| collinear(x, &r, names))?
        .column(0)
        .to_vec();
    let (_, s, _) = r.svd(false, false).map_err(linalg_error)?;
    let mut singular_values = s.to_vec();
    singular_values.sort_by(|a, b| b.total_cmp(a));
    let r_inv = r
        .solve_triangular(&Array2::eye(k), UPLO::Upper)
        .map_err(linalg_error)?;
    let xtx_inv = r_inv.dot(&r_inv.t());
    Ok(LeastSquares {
        params,
        xtx_inv,
        r_inv,
        singular_values,
    })
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

/// Check that `X` has full column rank (QR plus numpy's rank rule).
pub(crate) fn check_full_rank(x: ArrayView2<f64>, names: &[String]) -> Result<()> {
    let (n, k) = x.dim();
    if n <= k {
        return Err(Error::TooFewObservations {
            what: "the regression data".into(),
            needed: k + 1,
            got: n,
        });
    }
    let mut owned = Array2::zeros((n, k).f());
    owned.assign(&x);
    let r = owned.qr_into().map_err(linalg_error)?.into_r();
    check_rank(x, &r, names)
}

pub(crate) fn linalg_error(e: LinalgError) -> Error {
    Error::Degenerate(format!("linear algebra failed: {e}"))
}
