//! Linear and logistic regression with full inference, checked against
//! statsmodels (`OLS`, `WLS`, `Logit`).
//!
//! 1. Build a [`Design`] (response `y`, design matrix `X`, column names) from
//!    an Arrow `RecordBatch` with [`Design::from_batch`] — categorical
//!    columns get treatment coding, missing rows are dropped and counted —
//!    or from plain columns with [`Design::from_columns`].
//! 2. Fit: [`Ols::new(opts).fit(&design)`](Ols::fit) → [`OlsFit`];
//!    [`Ols::fit_weighted`] for WLS; [`Logit::new(opts).fit(&design)`](Logit::fit)
//!    → [`LogitFit`]. The fitted types hold the summary table
//!    ([`Coefficient`] rows), goodness of fit and diagnostics, and are
//!    serde-serialisable.
//!
//! Degenerate designs (collinear columns, fewer rows than coefficients,
//! separated outcomes in a logit) are errors with a plain message, never
//! silently unidentified numbers. (statsmodels instead returns a
//! pseudo-inverse solution for a rank-deficient `X` and only warns on
//! separation.)
//!
//! | statsmodels | here |
//! |---|---|
//! | `params`, `bse`, `tvalues`, `pvalues`, `conf_int(alpha)` | [`Estimates::coefficients`] rows: `coef`, `se`, `statistic`, `p_value`, `ci_low`/`ci_high` (alpha from the options) |
//! | `cov_params()`, `nobs`, `df_model`, `df_resid` | [`Estimates`] fields |
//! | `fit(cov_type="HC1")` | [`OlsOptions::cov_type`] = [`CovType::HC1`] |
//! | `rsquared`, `fvalue`, `llf`, `aic`, `condition_number`, … | [`OlsFit`] fields of the same names |
//! | `durbin_watson`, `jarque_bera`, `omni_normtest` of `wresid` | [`OlsFit::diagnostics`] |
//! | `variance_inflation_factor(exog, i)` | [`variance_inflation_factors`] |
//! | `get_prediction(exog).summary_frame(alpha)` | [`OlsFit::predict`] with [`Design::exog_for`] |
//! | `Logit.fit()`: `llnull`, `prsquared`, `llr`, `llr_pvalue`, `mle_retvals` | [`LogitFit`] fields; odds ratios in [`LogitFit::odds_ratios`] |
//!
//! The matrices (`Design::x`, `exog`) are ndarray 0.16 arrays, the
//! workspace's one ndarray line. Least squares is a blocked Householder QR
//! (linfa-linalg) that reads the data once; designs of 131,072 rows or more
//! are processed in two fixed halves on two scoped threads, so results do
//! not depend on the machine. A logit's Newton steps read the design once
//! per step in one fused pass (probabilities, score, information), in two
//! fixed halves on rayon's threads from 8,192 rows.
//!
//! ```
//! use abstat_core::regression::{Design, Ols, OlsOptions};
//! let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
//! let y = vec![1.1, 1.9, 3.2, 3.9, 5.1, 5.8];
//! let design = Design::from_columns(y, &[&x], &["x"], true).unwrap();
//! let fit = Ols::new(OlsOptions::default()).fit(&design).unwrap();
//! assert!((fit.estimates.coefficients[1].coef - 0.96).abs() < 0.05);
//! assert!(fit.rsquared > 0.99);
//! ```

mod design;
mod diagnostics;
mod linalg;
mod logistic_pass;
mod logit;
mod ols;

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

pub use design::{Column, Design, DesignSpec, MissingPolicy, Term, encode_columns};
pub use diagnostics::{ResidualDiagnostics, variance_inflation_factors};
pub(crate) use logistic_pass::{by_columns, logistic_pass, solve_spd};
pub use logit::{Logit, LogitFit, LogitOptions, OddsRatio};
pub use ols::{CovType, Ols, OlsFit, OlsOptions, Prediction};

use crate::distributions::{normal_ppf, normal_sf, t_ppf, t_sf};
use crate::{Error, Result};

/// One row of a regression summary table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficient {
    /// Column name in the design matrix (patsy style).
    pub name: String,
    /// The estimate.
    pub coef: f64,
    /// Its standard error.
    pub se: f64,
    /// `coef / se`: a t statistic, or z when the normal distribution is used.
    pub statistic: f64,
    /// Two-sided p-value of `coef = 0`.
    pub p_value: f64,
    /// Lower bound of the `1 − alpha` confidence interval.
    pub ci_low: f64,
    /// Upper bound of the `1 − alpha` confidence interval.
    pub ci_high: f64,
}

/// What every fitted regression reports: the summary table, the covariance
/// of the estimates and the sample they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// Name of the response.
    pub response: String,
    /// The summary table, one row per column of the design.
    pub coefficients: Vec<Coefficient>,
    /// Covariance matrix of the coefficients, row-major `k × k`.
    pub cov_params: Vec<f64>,
    /// Significance level of the intervals.
    pub alpha: f64,
    /// Observations used.
    pub nobs: usize,
    /// Rows dropped because of missing values.
    pub dropped: usize,
    /// Model degrees of freedom.
    pub df_model: f64,
    /// Residual degrees of freedom (n − rank).
    pub df_resid: f64,
}

impl Estimates {
    /// The estimates, in design order.
    pub fn params(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.coef).collect()
    }

    /// The column names, in design order.
    pub fn names(&self) -> Vec<String> {
        self.coefficients.iter().map(|c| c.name.clone()).collect()
    }

    /// The standard errors, in design order.
    pub fn bse(&self) -> Vec<f64> {
        self.coefficients.iter().map(|c| c.se).collect()
    }

    /// The covariance matrix as `k × k`.
    pub fn cov_matrix(&self) -> Array2<f64> {
        let k = self.coefficients.len();
        Array2::from_shape_fn((k, k), |(i, j)| self.cov_params[i * k + j])
    }

    /// Linear predictor `X b` for new rows, after checking that `exog` has
    /// the design's columns.
    pub(crate) fn linear_predictor(&self, exog: ArrayView2<f64>) -> Result<Array1<f64>> {
        same_len(
            "columns of exog",
            exog.ncols(),
            "coefficients",
            self.coefficients.len(),
        )?;
        Ok(exog.dot(&Array1::from(self.params())))
    }
}

/// The reference distribution of Wald statistics.
#[derive(Debug, Clone, Copy)]
pub(crate) enum WaldDist {
    /// Student t with these degrees of freedom.
    T(f64),
    /// Standard normal.
    Normal,
}

impl WaldDist {
    /// Two-sided p-value of statistic `s`.
    pub(crate) fn p_value(self, s: f64) -> f64 {
        match self {
            WaldDist::T(df) => 2.0 * t_sf(s.abs(), df),
            WaldDist::Normal => 2.0 * normal_sf(s.abs()),
        }
    }

    /// The `1 − alpha/2` quantile.
    pub(crate) fn critical(self, alpha: f64) -> f64 {
        match self {
            WaldDist::T(df) => t_ppf(1.0 - alpha / 2.0, df),
            WaldDist::Normal => normal_ppf(1.0 - alpha / 2.0),
        }
    }
}

/// Build the summary table from estimates and their covariance diagonal.
pub(crate) fn coefficient_table(
    names: &[String],
    params: &[f64],
    variances: impl Iterator<Item = f64>,
    dist: WaldDist,
    alpha: f64,
) -> Vec<Coefficient> {
    let q = dist.critical(alpha);
    names
        .iter()
        .zip(params)
        .zip(variances)
        .map(|((name, &coef), var)| {
            let se = var.sqrt();
            let statistic = coef / se;
            Coefficient {
                name: name.clone(),
                coef,
                se,
                statistic,
                p_value: dist.p_value(statistic),
                ci_low: coef - q * se,
                ci_high: coef + q * se,
            }
        })
        .collect()
}

/// `Ok` when two inputs that must pair up have the same length, else
/// [`Error::LengthMismatch`] naming both.
pub(crate) fn same_len(left: &str, left_len: usize, right: &str, right_len: usize) -> Result<()> {
    if left_len == right_len {
        return Ok(());
    }
    Err(Error::LengthMismatch {
        left: left.into(),
        left_len,
        right: right.into(),
        right_len,
    })
}

/// Check a significance level.
pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid("alpha", alpha, "a number in (0, 1)"))
    }
}
