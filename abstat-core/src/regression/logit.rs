//! Logistic regression by Newton–Raphson, as statsmodels' `Logit`.
//!
//! statsmodels' `Logit.fit()` defaults: Newton's method from zero, at most
//! 35 iterations, stop when every parameter moved by less than `1e-8`;
//! `cov = (−H)⁻¹` at the estimate; `llnull` from the intercept-only model
//! (here in closed form, `n (ȳ ln ȳ + (1 − ȳ) ln(1 − ȳ))`, its exact maximum;
//! statsmodels maximises it numerically and can land ~1e-10 below, which
//! shows in pseudo-R² when the model explains little);
//! `df_model = rank − 1`; `AIC = −2 (llf − (df_model + 1))`.
//!
//! Separation: statsmodels 0.14 only warns (`PerfectSeparationWarning`) and
//! returns diverging estimates. Here perfect separation (every fitted
//! probability within `1e-8` of its outcome, statsmodels' own check) and
//! quasi-complete separation (no convergence while some fitted probabilities
//! reach 0 or 1 at their outcome) are errors that say so, as is a
//! rank-deficient design.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::linalg::{check_full_rank_gram, linalg_error};
use super::logistic_pass::{LogisticPass, by_columns, logistic_pass, solve_spd};
use super::{Design, Estimates, WaldDist, check_alpha, coefficient_table};
use crate::distributions::chi2_sf;
use crate::{Error, Result};

/// Settings of a logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitOptions {
    /// Significance level of the confidence intervals (default 0.05).
    pub alpha: f64,
    /// Newton iterations allowed (default 35, as statsmodels).
    pub max_iter: usize,
    /// Convergence: every parameter changes by less than this (default 1e-8).
    pub tol: f64,
}

impl Default for LogitOptions {
    fn default() -> Self {
        LogitOptions {
            alpha: 0.05,
            max_iter: 35,
            tol: 1e-8,
        }
    }
}

/// An unfitted logistic regression: settings only.
#[derive(Debug, Clone, Default)]
pub struct Logit {
    opts: LogitOptions,
}

/// An odds ratio `exp(coef)` with its confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OddsRatio {
    /// Column name.
    pub name: String,
    /// `exp(coef)`.
    pub odds_ratio: f64,
    /// `exp(ci_low)`.
    pub ci_low: f64,
    /// `exp(ci_high)`.
    pub ci_high: f64,
}

/// A fitted logistic regression, as statsmodels' `LogitResults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitFit {
    /// Summary table (z statistics, normal p-values and intervals),
    /// covariance, sample size and degrees of freedom (`df_model` = rank − 1).
    #[serde(flatten)]
    pub estimates: Estimates,
    /// Odds ratios with intervals, one per coefficient.
    pub odds_ratios: Vec<OddsRatio>,
    /// Log-likelihood at the estimate.
    pub llf: f64,
    /// Log-likelihood of the intercept-only model.
    pub llnull: f64,
    /// McFadden's pseudo-R², `1 − llf / llnull`.
    pub prsquared: f64,
    /// Likelihood-ratio statistic `−2 (llnull − llf)`.
    pub llr: f64,
    /// Its p-value (χ² with `df_model` df).
    pub llr_pvalue: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Whether Newton's method met the tolerance.
    pub converged: bool,
    /// Newton iterations performed.
    pub iterations: usize,
}

impl Logit {
    /// A model with these settings.
    pub fn new(opts: LogitOptions) -> Self {
        Logit { opts }
    }

    /// Fit to `design`, whose response must be 0/1 (statsmodels also
    /// accepts fractions in [0, 1]; we do not).
    pub fn fit(&self, design: &Design) -> Result<LogitFit> {
        let o = &self.opts;
        check_alpha(o.alpha)?;
        if o.max_iter == 0 {
            return Err(Error::invalid("max_iter", 0, "at least 1"));
        }
        if o.tol.is_nan() || o.tol <= 0.0 {
            return Err(Error::invalid("tol", o.tol, "a positive number"));
        }
        let y = &design.y;
        if let Some(v) = y.iter().find(|&&v| v != 0.0 && v != 1.0) {
            return Err(Error::invalid(
                format!("response '{}'", design.response),
                v,
                "0/1 outcomes",
            ));
        }
        let columns = by_columns(design.x.view());
        let x = columns.view();
        let (n, k) = x.dim();
        let ones = y.iter().filter(|&&v| v == 1.0).count();
        if ones == 0 || ones == n {
            return Err(Error::Degenerate(format!(
                "the response '{}' has only one outcome ({} of {n} are 1), so a logistic \
                 regression is undefined",
                design.response, ones
            )));
        }
        let mut params = vec![0.0; k];
        let mut at = logistic_pass(x, false, y, &params, false);
        // At zero coefficients every weight is exactly 1/4, so the first
        // information matrix is the Gram matrix X'X / 4.
        check_full_rank_gram(x, &at.info, &design.names)?;
        let mut iterations = 0;
        let mut converged = false;
        loop {
            check_perfect(&at, &design.response)?;
            // statsmodels adds a ridge of 1e-10 to the (negative) Hessian's
            // diagonal, i.e. subtracts it from the information.
            let mut h = at.info.clone();
            h.diag_mut().mapv_inplace(|d| d - 1e-10);
            let Some(step) = solve_spd(&h, &at.score) else {
                return Err(breakdown(&at, &design.response));
            };
            for (b, s) in params.iter_mut().zip(&step) {
                *b += s;
            }
            iterations += 1;
            if !params.iter().all(|v| v.is_finite()) {
                break;
            }
            if step.iter().all(|s| s.abs() <= o.tol) {
                converged = true;
                break;
            }
            if iterations >= o.max_iter {
                break;
            }
            at = logistic_pass(x, false, y, &params, false);
        }
        let at = logistic_pass(x, false, y, &params, true);
        check_perfect(&at, &design.response)?;
        if !converged {
            if at.pinned > 0 || !params.iter().all(|v| v.is_finite()) {
                return Err(breakdown(&at, &design.response));
            }
            return Err(Error::NoConvergence {
                what: "logistic regression (Newton's method)".into(),
                iterations,
            });
        }
        let llf = at.loglike;
        let cov = linfa_linalg::cholesky::InverseC::invc(&at.info).map_err(linalg_error)?;
        let coefficients = coefficient_table(
            &design.names,
            &params,
            cov.diag().iter().copied(),
            WaldDist::Normal,
            o.alpha,
        );
        let odds_ratios = coefficients
            .iter()
            .map(|c| OddsRatio {
                name: c.name.clone(),
                odds_ratio: c.coef.exp(),
                ci_low: c.ci_low.exp(),
                ci_high: c.ci_high.exp(),
            })
            .collect();
        let ybar = ones as f64 / n as f64;
        let llnull = n as f64 * (ybar * ybar.ln() + (1.0 - ybar) * (1.0 - ybar).ln());
        let df_model = k as f64 - 1.0;
        let llr = -2.0 * (llnull - llf);
        Ok(LogitFit {
            estimates: Estimates {
                response: design.response.clone(),
                coefficients,
                cov_params: cov.iter().copied().collect(),
                alpha: o.alpha,
                nobs: n,
                dropped: design.dropped,
                df_model,
                df_resid: (n - k) as f64,
            },
            odds_ratios,
            llf,
            llnull,
            prsquared: 1.0 - llf / llnull,
            llr,
            llr_pvalue: chi2_sf(llr, df_model),
            aic: -2.0 * (llf - (df_model + 1.0)),
            bic: -2.0 * llf + (n as f64).ln() * (df_model + 1.0),
            converged,
            iterations,
        })
    }
}

impl LogitFit {
    /// Predicted probabilities for the rows of `exog` (the design's columns
    /// in order, intercept included), as statsmodels' `predict`.
    pub fn predict(&self, exog: ArrayView2<f64>) -> Result<Vec<f64>> {
        Ok(self
            .estimates
            .linear_predictor(exog)?
            .iter()
            .map(|&e| expit(e))
            .collect())
    }
}

/// The logistic function, without overflow for large |x|.
fn expit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// statsmodels' `_check_perfect_pred`: every fitted value within 1e-8 of
/// its outcome means perfect separation.
fn check_perfect(at: &LogisticPass, response: &str) -> Result<()> {
    if at.pinned == at.n {
        return Err(Error::Degenerate(format!(
            "perfect separation: the predictors classify every value of '{response}' \
                 exactly, so the logistic coefficients are infinite and the \
                 maximum-likelihood estimate does not exist; drop the separating predictor \
                 or use a penalised model"
        )));
    }
    Ok(())
}

/// Why Newton's method broke down: observations fitted with probability
/// 0 or 1 at their own outcome mean (quasi-complete) separation.
fn breakdown(at: &LogisticPass, response: &str) -> Error {
    let (pinned, n) = (at.pinned, at.n);
    if pinned > 0 {
        Error::Degenerate(format!(
            "quasi-complete separation: {pinned} of {n} observations of '{response}' are \
                 predicted with probability 0 or 1 and the coefficients grow without bound, \
                 so the maximum-likelihood estimate does not exist; drop or merge the \
                 predictor (or category) that separates the outcome, or use a penalised model"
        ))
    } else {
        Error::Degenerate(format!(
            "the information matrix of the logistic regression of '{response}' is \
                 singular: the predictors are (nearly) collinear"
        ))
    }
}
