//! Ordinary and weighted least squares with statsmodels' inference.
//!
//! Formulas follow `statsmodels.regression.linear_model` (0.14):
//! `scale = SSR / df_resid`, `cov = scale · (X'X)⁻¹`, R² centred when the
//! model has a constant (explicit or implicit) and uncentred otherwise,
//! `llf = −n/2 · (1 + ln(2π · SSR / n)) + ½ Σ ln wᵢ`, `AIC = −2 llf + 2 (df_model + k_constant)`.
//! WLS is OLS on `√w · X`, `√w · y` (statsmodels' "whitened" data).

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use serde::{Deserialize, Serialize};

use super::diagnostics::ResidualDiagnostics;
use super::linalg::{least_squares, mat_vec};
use super::{Design, Estimates, WaldDist, check_alpha, coefficient_table, same_len};
use crate::distributions::f_sf;
use crate::{Error, Result};

/// The covariance estimator of the coefficients, as statsmodels' `cov_type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CovType {
    /// `scale · (X'X)⁻¹`, assuming homoscedastic errors.
    #[default]
    #[serde(rename = "nonrobust")]
    NonRobust,
    /// White's heteroscedasticity-consistent estimator.
    HC0,
    /// HC0 times `n / df_resid`.
    HC1,
    /// HC0 with squared residuals divided by `1 − hᵢᵢ`.
    HC2,
    /// HC0 with squared residuals divided by `(1 − hᵢᵢ)²`.
    HC3,
}

impl std::str::FromStr for CovType {
    type Err = Error;
    /// statsmodels' spelling: `"nonrobust"`, `"HC0"` … `"HC3"` (any case).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "nonrobust" => Ok(CovType::NonRobust),
            "hc0" => Ok(CovType::HC0),
            "hc1" => Ok(CovType::HC1),
            "hc2" => Ok(CovType::HC2),
            "hc3" => Ok(CovType::HC3),
            _ => Err(Error::invalid(
                "cov_type",
                s,
                "one of 'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3'",
            )),
        }
    }
}

/// Settings of a least-squares fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OlsOptions {
    /// Covariance estimator (default non-robust).
    pub cov_type: CovType,
    /// Significance level of the confidence intervals (default 0.05).
    pub alpha: f64,
    /// Use the t distribution for coefficient tests. `None` follows
    /// statsmodels: t for the non-robust covariance, normal for HC0–HC3.
    pub use_t: Option<bool>,
}

impl Default for OlsOptions {
    fn default() -> Self {
        OlsOptions {
            cov_type: CovType::NonRobust,
            alpha: 0.05,
            use_t: None,
        }
    }
}

/// An unfitted least-squares model: settings only.
#[derive(Debug, Clone, Default)]
pub struct Ols {
    opts: OlsOptions,
}

/// A fitted OLS or WLS model, as statsmodels' `RegressionResults`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OlsFit {
    /// "OLS" or "WLS".
    pub method: String,
    /// Summary table, covariance, sample size and degrees of freedom
    /// (`df_model` = rank − k_constant).
    #[serde(flatten)]
    pub estimates: Estimates,
    /// The covariance estimator used.
    pub cov_type: CovType,
    /// Whether coefficient tests used the t distribution (else normal).
    pub use_t: bool,
    /// 1 if the design has an explicit or implicit constant, else 0.
    pub k_constant: usize,
    /// Coefficient of determination (uncentred without a constant).
    pub rsquared: f64,
    /// Adjusted R².
    pub rsquared_adj: f64,
    /// F statistic of all non-constant coefficients being zero (a Wald
    /// F under a robust covariance; NaN for an implicit constant there, as
    /// statsmodels).
    pub fvalue: f64,
    /// p-value of `fvalue`.
    pub f_pvalue: f64,
    /// Log-likelihood under normal errors.
    pub llf: f64,
    /// Akaike information criterion.
    pub aic: f64,
    /// Bayesian information criterion.
    pub bic: f64,
    /// Residual variance estimate `SSR / df_resid`.
    pub scale: f64,
    /// Sum of squared (whitened) residuals.
    pub ssr: f64,
    /// Explained sum of squares.
    pub ess: f64,
    /// Total sum of squares about the (weighted) mean.
    pub centered_tss: f64,
    /// Ratio of the largest to the smallest singular value of the
    /// (whitened) design, statsmodels' `condition_number`.
    pub condition_number: f64,
    /// Normality and autocorrelation diagnostics of the (whitened) residuals.
    pub diagnostics: ResidualDiagnostics,
    /// Residuals `y − X b` (not serialised).
    #[serde(skip)]
    pub resid: Vec<f64>,
    /// Fitted values `X b` (not serialised).
    #[serde(skip)]
    pub fitted: Vec<f64>,
}

/// A prediction with its intervals, one row of statsmodels'
/// `get_prediction().summary_frame(alpha)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Predicted mean `x'b`.
    pub mean: f64,
    /// Standard error of the mean, `√(x' V x)`.
    pub mean_se: f64,
    /// Confidence interval of the mean, lower bound.
    pub mean_ci_lower: f64,
    /// Confidence interval of the mean, upper bound.
    pub mean_ci_upper: f64,
    /// Prediction interval of a new observation, lower bound.
    pub obs_ci_lower: f64,
    /// Prediction interval of a new observation, upper bound.
    pub obs_ci_upper: f64,
}

impl Ols {
    /// A model with these settings.
    pub fn new(opts: OlsOptions) -> Self {
        Ols { opts }
    }

    /// Fit by ordinary least squares, or by weighted least squares when the
    /// design carries weights ([`crate::regression::DesignSpec::with_weights`]).
    pub fn fit(&self, design: &Design) -> Result<OlsFit> {
        match &design.weights {
            Some(w) => self.fit_weighted(design, w),
            None => self.fit_inner(design, None),
        }
    }

    /// Fit by weighted least squares with `weights` (one positive, finite
    /// value per row of the design, proportional to inverse variances), as
    /// statsmodels' `WLS(y, X, weights)`.
    pub fn fit_weighted(&self, design: &Design, weights: &[f64]) -> Result<OlsFit> {
        same_len(
            "weights",
            weights.len(),
            "rows of the design",
            design.nobs(),
        )?;
        check_weights(weights)?;
        self.fit_inner(design, Some(weights))
    }

    fn fit_inner(&self, design: &Design, weights: Option<&[f64]>) -> Result<OlsFit> {
        check_alpha(self.opts.alpha)?;
        let x = design.x.view();
        let y = &design.y;
        let (n, k) = x.dim();
        let sqrt_w: Option<Vec<f64>> = weights.map(|w| w.iter().map(|v| v.sqrt()).collect());
        let wx: Option<Array2<f64>> = sqrt_w.as_ref().map(|sw| {
            let mut wx = design.x.clone();
            let sw = ndarray::ArrayView1::from(sw.as_slice());
            for mut c in wx.columns_mut() {
                c *= &sw;
            }
            wx
        });
        let wy: Option<Vec<f64>> = sqrt_w
            .as_ref()
            .map(|sw| y.iter().zip(sw).map(|(a, b)| a * b).collect());
        let wxv = wx.as_ref().map_or(x, |a| a.view());
        let wyv = wy.as_deref().unwrap_or(y);
        let ls = least_squares(wxv, wyv, &design.names)?;

        let fitted = mat_vec(x, &ls.params).to_vec();
        let resid: Vec<f64> = y.iter().zip(&fitted).map(|(a, b)| a - b).collect();
        let wresid: std::borrow::Cow<'_, [f64]> = match &sqrt_w {
            Some(sw) => resid.iter().zip(sw).map(|(e, s)| e * s).collect(),
            None => std::borrow::Cow::Borrowed(&resid),
        };
        let ssr: f64 = wresid.iter().map(|e| e * e).sum();

        let (const_idx, k_constant) = constant_of(design);
        let rank = k as f64;
        let df_model = rank - k_constant as f64;
        let df_resid = n as f64 - rank;
        // without weights, the same sums of the same terms (w = 1 exactly),
        // in loops without a weight to look up
        let (centered_tss, uncentered_tss) = match weights {
            Some(w) => {
                let wsum: f64 = w.iter().sum();
                let ybar = w.iter().zip(y).map(|(w, y)| w * y).sum::<f64>() / wsum;
                let centered: f64 = w.iter().zip(y).map(|(w, y)| w * (y - ybar).powi(2)).sum();
                let uncentered: f64 = w.iter().zip(y).map(|(w, y)| w * y * y).sum();
                (centered, uncentered)
            }
            None => {
                let ybar = y.iter().sum::<f64>() / n as f64;
                let centered: f64 = y.iter().map(|y| (y - ybar).powi(2)).sum();
                let uncentered: f64 = y.iter().map(|y| y * y).sum();
                (centered, uncentered)
            }
        };
        let tss = if k_constant > 0 {
            centered_tss
        } else {
            uncentered_tss
        };
        let ess = tss - ssr;
        let rsquared = 1.0 - ssr / tss;
        let rsquared_adj = 1.0 - (n as f64 - k_constant as f64) / df_resid * (1.0 - rsquared);
        let scale = ssr / df_resid;

        let (cov, meat) = match self.opts.cov_type {
            CovType::NonRobust => (&ls.xtx_inv * scale, None),
            hc => {
                let (cov, meat) = hc_cov(wxv, &wresid, &ls.r_inv, hc, df_resid);
                (cov, Some(meat))
            }
        };
        let use_t = self
            .opts
            .use_t
            .unwrap_or(self.opts.cov_type == CovType::NonRobust);
        let dist = if use_t {
            WaldDist::T(df_resid)
        } else {
            WaldDist::Normal
        };
        let coefficients = coefficient_table(
            &design.names,
            &ls.params,
            cov.diag().iter().copied(),
            dist,
            self.opts.alpha,
        );

        let (fvalue, f_pvalue) = match &meat {
            None => {
                let f = (ess / df_model) / (ssr / df_resid);
                (f, f_sf(f, df_model, df_resid))
            }
            Some(meat) => wald_f(&ls.params, &ls.r, meat, const_idx, k_constant, df_resid),
        };

        let nobs2 = n as f64 / 2.0;
        let llf = -nobs2 * (1.0 + (2.0 * std::f64::consts::PI * ssr / n as f64).ln())
            + 0.5 * weights.map_or(0.0, |w| w.iter().map(|v| v.ln()).sum());
        let n_params = df_model + k_constant as f64;
        let condition_number = ls.singular_values[0] / ls.singular_values[k - 1];

        Ok(OlsFit {
            method: if weights.is_some() { "WLS" } else { "OLS" }.into(),
            estimates: Estimates {
                response: design.response.clone(),
                coefficients,
                cov_params: cov.iter().copied().collect(),
                alpha: self.opts.alpha,
                nobs: n,
                dropped: design.dropped,
                df_model,
                df_resid,
            },
            cov_type: self.opts.cov_type,
            use_t,
            k_constant,
            rsquared,
            rsquared_adj,
            fvalue,
            f_pvalue,
            llf,
            aic: -2.0 * llf + 2.0 * n_params,
            bic: -2.0 * llf + (n as f64).ln() * n_params,
            scale,
            ssr,
            ess,
            centered_tss,
            condition_number,
            diagnostics: ResidualDiagnostics::of(&wresid),
            resid,
            fitted,
        })
    }
}

/// The index of an explicit constant column, and statsmodels' `k_constant`:
/// 1 if some column is constant and non-zero, or if a constant lies in the
/// column space of `X` (an implicit intercept, e.g. full dummy coding).
fn constant_of(design: &Design) -> (Option<usize>, usize) {
    let x = &design.x;
    let explicit = design.constant_column();
    if explicit.is_some() {
        return (explicit, 1);
    }
    // Project the ones vector on X; an implicit constant leaves no residual.
    let n = x.nrows();
    let ones = vec![1.0; n];
    let implicit = least_squares(x.view(), &ones, &design.names)
        .map(|ls| {
            let fit = mat_vec(x.view(), &ls.params);
            let rss: f64 = fit.iter().map(|f| (1.0 - f).powi(2)).sum();
            rss.sqrt() <= 1e-8 * (n as f64).sqrt()
        })
        .unwrap_or(false);
    (None, usize::from(implicit))
}

/// Sandwich covariance `(X'X)⁻¹ X' diag(u) X (X'X)⁻¹` with statsmodels'
/// HC0–HC3 choices of `u` (MacKinnon & White 1985), evaluated as
/// `R⁻¹ M R⁻ᵀ` with `M = Q' diag(u) Q` and `Q = X R⁻¹`: statsmodels goes
/// through `pinv(X)` for the same reason — forming `(X'X)⁻¹` first squares
/// the condition number and costs digits on near-collinear designs.
/// Returns the covariance and `M` (both with HC1's `n / df_resid`).
fn hc_cov(
    x: ArrayView2<f64>,
    resid: &[f64],
    r_inv: &Array2<f64>,
    hc: CovType,
    df_resid: f64,
) -> (Array2<f64>, Array2<f64>) {
    let n = x.nrows();
    let q = x.dot(r_inv);
    // Leverage hᵢᵢ = ‖qᵢ‖².
    let h = q.map_axis(Axis(1), |row| row.dot(&row));
    let u: Array1<f64> = match hc {
        CovType::HC0 | CovType::HC1 | CovType::NonRobust => resid.iter().map(|e| e * e).collect(),
        CovType::HC2 | CovType::HC3 => {
            let power = if hc == CovType::HC2 { 1 } else { 2 };
            resid
                .iter()
                .zip(h.iter())
                .map(|(e, h)| e * e / (1.0 - h).powi(power))
                .collect()
        }
    };
    let mut qu = q.clone();
    Zip::from(qu.rows_mut())
        .and(&u)
        .for_each(|mut row, &ui| row *= ui);
    let mut meat = q.t().dot(&qu);
    if hc == CovType::HC1 {
        meat *= n as f64 / df_resid;
    }
    let cov = r_inv.dot(&meat).dot(&r_inv.t());
    // Symmetrise away rounding.
    let cov = (&cov + &cov.t()) * 0.5;
    (cov, meat)
}

/// statsmodels' robust `fvalue`: the Wald F test that all coefficients but
/// the constant are zero, with `df_resid` denominator degrees of freedom.
///
/// `W = (Cb)' (C V C')⁻¹ (Cb)` is evaluated without inverting the
/// sub-covariance, whose condition number is that of `X` squared: with
/// `V⁻¹ = R' M⁻¹ R = A'A`, `A = L⁻¹ R` (`M = L L'`), the quadratic form on
/// the non-constant coefficients is the Schur complement of `V⁻¹`, i.e.
/// `W = min_t ‖A (b − t e_c)‖² = ‖z − u (u·z)/(u·u)‖²` with `z = A b`,
/// `u = A e_c`. (On a design with condition number 2·10⁶ this agrees with a
/// 50-digit evaluation to ~1e-10, where inverting `C V C'` loses 4 digits.)
fn wald_f(
    params: &[f64],
    r: &Array2<f64>,
    meat: &Array2<f64>,
    const_idx: Option<usize>,
    k_constant: usize,
    df_resid: f64,
) -> (f64, f64) {
    use linfa_linalg::cholesky::Cholesky;
    use linfa_linalg::triangular::{SolveTriangular, UPLO};
    if k_constant == 1 && const_idx.is_none() {
        return (f64::NAN, f64::NAN);
    }
    let k = params.len();
    let q = k - usize::from(const_idx.is_some());
    if q == 0 {
        return (f64::NAN, f64::NAN);
    }
    let Ok(l) = meat.cholesky() else {
        return (f64::NAN, f64::NAN);
    };
    let rb = r.dot(&Array1::from(params.to_vec())).insert_axis(Axis(1));
    let Ok(z) = l.solve_triangular(&rb, UPLO::Lower) else {
        return (f64::NAN, f64::NAN);
    };
    let mut z = z.column(0).to_owned();
    if let Some(c) = const_idx {
        let rc = r.column(c).to_owned().insert_axis(Axis(1));
        let Ok(u) = l.solve_triangular(&rc, UPLO::Lower) else {
            return (f64::NAN, f64::NAN);
        };
        let u = u.column(0);
        let t = u.dot(&z) / u.dot(&u);
        z.scaled_add(-t, &u);
    }
    let f = z.dot(&z) / q as f64;
    (f, f_sf(f, q as f64, df_resid))
}

impl OlsFit {
    /// Predictions with confidence intervals of the mean and prediction
    /// intervals of a new observation at level `1 − alpha`, as statsmodels'
    /// `get_prediction(exog).summary_frame(alpha)`. `exog` has one row per
    /// point and the design's columns in order (intercept included; build it
    /// from a batch with [`Design::exog_for`]). The prediction interval adds
    /// `scale`, i.e. a new observation of unit weight.
    pub fn predict(&self, exog: ArrayView2<f64>, alpha: f64) -> Result<Vec<Prediction>> {
        self.predict_inner(exog, None, alpha)
    }

    /// [`OlsFit::predict`] for new observations with WLS `weights` (one per
    /// row of `exog`): the prediction interval adds `scale / w`, as
    /// statsmodels' `get_prediction(exog, weights=w)`.
    pub fn predict_weighted(
        &self,
        exog: ArrayView2<f64>,
        weights: &[f64],
        alpha: f64,
    ) -> Result<Vec<Prediction>> {
        same_len("weights", weights.len(), "rows of exog", exog.nrows())?;
        check_weights(weights)?;
        self.predict_inner(exog, Some(weights), alpha)
    }

    fn predict_inner(
        &self,
        exog: ArrayView2<f64>,
        weights: Option<&[f64]>,
        alpha: f64,
    ) -> Result<Vec<Prediction>> {
        check_alpha(alpha)?;
        let means = self.estimates.linear_predictor(exog)?;
        let cov = self.estimates.cov_matrix();
        let dist = if self.use_t {
            WaldDist::T(self.estimates.df_resid)
        } else {
            WaldDist::Normal
        };
        let q = dist.critical(alpha);
        Ok(exog
            .rows()
            .into_iter()
            .zip(means)
            .enumerate()
            .map(|(i, (row, mean))| {
                let var = row.dot(&cov.dot(&row));
                let mean_se = var.sqrt();
                let w = weights.map_or(1.0, |w| w[i]);
                let obs_se = (var + self.scale / w).sqrt();
                Prediction {
                    mean,
                    mean_se,
                    mean_ci_lower: mean - q * mean_se,
                    mean_ci_upper: mean + q * mean_se,
                    obs_ci_lower: mean - q * obs_se,
                    obs_ci_upper: mean + q * obs_se,
                }
            })
            .collect())
    }
}

fn check_weights(weights: &[f64]) -> Result<()> {
    match weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        Some(w) => Err(Error::invalid("weight", w, "positive finite weights")),
        None => Ok(()),
    }
}
