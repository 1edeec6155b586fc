//! Residual diagnostics of a regression summary and variance inflation
//! factors, as statsmodels computes them.

use ndarray::{Array2, ShapeBuilder};
use serde::{Deserialize, Serialize};

use super::Design;
use super::design::constant_column;
use super::linalg::least_squares;
use crate::Result;
use crate::distributions::chi2_sf;

/// The diagnostics under statsmodels' OLS summary table, computed on the
/// (whitened) residuals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResidualDiagnostics {
    /// Durbin–Watson statistic `Σ (eₜ − eₜ₋₁)² / Σ eₜ²`.
    pub durbin_watson: f64,
    /// Jarque–Bera statistic `n/6 · (S² + (K − 3)²/4)`.
    pub jarque_bera: f64,
    /// Its p-value (χ² with 2 df).
    pub jarque_bera_pvalue: f64,
    /// Sample skewness (biased moments, scipy `skew`).
    pub skew: f64,
    /// Sample kurtosis, not excess (scipy `kurtosis(fisher=False)`).
    pub kurtosis: f64,
    /// D'Agostino–Pearson omnibus K² (scipy `normaltest`); NaN for n < 8, as
    /// statsmodels' `omni_normtest`.
    pub omnibus: f64,
    /// Its p-value (χ² with 2 df); NaN for n < 8.
    pub omnibus_pvalue: f64,
}

impl ResidualDiagnostics {
    /// Diagnostics of residuals `e`.
    pub fn of(e: &[f64]) -> Self {
        let n = e.len() as f64;
        let mean = e.iter().sum::<f64>() / n;
        // One pass for the moments, the sum of squares and Durbin–Watson's
        // sum of squared differences: separate sums in the same order as
        // separate loops (the same bits), whose additions overlap.
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        let (mut ssq, mut dw) = (0.0, 0.0);
        let mut prev = e.first().copied().unwrap_or(0.0);
        for (i, &v) in e.iter().enumerate() {
            let d = v - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
            ssq += v * v;
            if i > 0 {
                dw += (v - prev) * (v - prev);
            }
            prev = v;
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        let skew = m3 / m2.powf(1.5);
        let kurtosis = m4 / (m2 * m2);
        let jarque_bera = n / 6.0 * (skew * skew + (kurtosis - 3.0).powi(2) / 4.0);
        let durbin_watson = dw / ssq;
        let omnibus = if e.len() >= 8 {
            skew_z(skew, n).powi(2) + kurtosis_z(kurtosis, n).powi(2)
        } else {
            f64::NAN
        };
        ResidualDiagnostics {
            durbin_watson,
            jarque_bera,
            jarque_bera_pvalue: chi2_sf(jarque_bera, 2.0),
            skew,
            kurtosis,
            omnibus,
            omnibus_pvalue: if omnibus.is_nan() {
                f64::NAN
            } else {
                chi2_sf(omnibus, 2.0)
            },
        }
    }
}

/// D'Agostino's skewness z (scipy `skewtest`; D'Agostino, Belanger &
/// D'Agostino 1990, eq. 6–7).
fn skew_z(b2: f64, n: f64) -> f64 {
    let y = b2 * ((n + 1.0) * (n + 3.0) / (6.0 * (n - 2.0))).sqrt();
    let beta2 = 3.0 * (n * n + 27.0 * n - 70.0) * (n + 1.0) * (n + 3.0)
        / ((n - 2.0) * (n + 5.0) * (n + 7.0) * (n + 9.0));
    let w2 = -1.0 + (2.0 * (beta2 - 1.0)).sqrt();
    let delta = 1.0 / (0.5 * w2.ln()).sqrt();
    let alpha = (2.0 / (w2 - 1.0)).sqrt();
    let y = if y == 0.0 { 1.0 } else { y };
    delta * (y / alpha + ((y / alpha).powi(2) + 1.0).sqrt()).ln()
}

/// Anscombe & Glynn's kurtosis z (scipy `kurtosistest`; 1983, eq. 1–5).
fn kurtosis_z(b2: f64, n: f64) -> f64 {
    let e = 3.0 * (n - 1.0) / (n + 1.0);
    let varb2 = 24.0 * n * (n - 2.0) * (n - 3.0) / ((n + 1.0) * (n + 1.0) * (n + 3.0) * (n + 5.0));
    let x = (b2 - e) / varb2.sqrt();
    let sqrtbeta1 = 6.0 * (n * n - 5.0 * n + 2.0) / ((n + 7.0) * (n + 9.0))
        * (6.0 * (n + 3.0) * (n + 5.0) / (n * (n - 2.0) * (n - 3.0))).sqrt();
    let a =
        6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + (1.0 + 4.0 / (sqrtbeta1 * sqrtbeta1)).sqrt());
    let term1 = 1.0 - 2.0 / (9.0 * a);
    let denom = 1.0 + x * (2.0 / (a - 4.0)).sqrt();
    let term2 = if denom == 0.0 {
        f64::NAN
    } else {
        denom.signum() * ((1.0 - 2.0 / a) / denom.abs()).cbrt()
    };
    (term1 - term2) / (2.0 / (9.0 * a)).sqrt()
}

/// Variance inflation factor of every column of the design, as
/// statsmodels' `variance_inflation_factor(exog, i)` for each `i`:
/// `1 / (1 − R²ᵢ)` where `R²ᵢ` comes from regressing column `i` on all the
/// others (centred R² when the others contain a constant column, uncentred
/// otherwise — so the intercept's own VIF is reported too, as statsmodels
/// does). Collinear designs are an error.
pub fn variance_inflation_factors(design: &Design) -> Result<Vec<f64>> {
    let x = &design.x;
    let (n, k) = x.dim();
    (0..k)
        .map(|i| {
            let others: Vec<usize> = (0..k).filter(|&j| j != i).collect();
            let mut xo = Array2::zeros((n, others.len()).f());
            for (dst, &j) in others.iter().enumerate() {
                xo.column_mut(dst).assign(&x.column(j));
            }
            let names: Vec<String> = others.iter().map(|&j| design.names[j].clone()).collect();
            let yi = x.column(i).to_vec();
            let ls = least_squares(xo.view(), &yi, &names)?;
            let fitted = xo.dot(&ndarray::Array1::from(ls.params));
            let ssr: f64 = yi.iter().zip(&fitted).map(|(a, b)| (a - b).powi(2)).sum();
            let tss: f64 = if constant_column(xo.view()).is_some() {
                let m = yi.iter().sum::<f64>() / n as f64;
                yi.iter().map(|v| (v - m).powi(2)).sum()
            } else {
                yi.iter().map(|v| v * v).sum()
            };
            Ok(1.0 / (ssr / tss))
        })
        .collect()
}
