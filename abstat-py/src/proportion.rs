//! `abstat.proportion`: statsmodels' z-tests and intervals for proportions.

use abstat_core::proportion::{
    ProportionCi, Variance, proportion_confint, proportions_ztest_1, proportions_ztest_2,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::{parse, to_pyerr};

/// z-test of one proportion (`count`, `nobs` of length 1) or of the
/// difference of two (length 2); `pooled` chooses the two-sample variance.
/// Returns `(statistic, pvalue)`, statsmodels' result. O(1): computed with
/// the GIL held (releasing it would cost more than the test).
#[pyfunction]
#[pyo3(signature = (count, nobs, value, alternative, null_variance, pooled=true))]
fn proportions_ztest(
    count: Vec<u64>,
    nobs: Vec<u64>,
    value: f64,
    alternative: &str,
    null_variance: bool,
    pooled: bool,
) -> PyResult<(f64, f64)> {
    let alternative = parse(alternative)?;
    let r = match (count.as_slice(), nobs.as_slice()) {
        ([c], [n]) => proportions_ztest_1(*c, *n, value, null_variance, alternative),
        ([c1, c2], [n1, n2]) => {
            let variance = if pooled {
                Variance::Pooled
            } else {
                Variance::Unpooled
            };
            proportions_ztest_2(*c1, *n1, *c2, *n2, value, variance, alternative)
        }
        _ => {
            return Err(PyValueError::new_err(format!(
                "count and nobs must both hold one or two values (got {} and {})",
                count.len(),
                nobs.len()
            )));
        }
    }
    .map_err(to_pyerr)?;
    Ok((r.statistic, r.p_value))
}

/// Two-sided interval for `count / nobs` (statsmodels `proportion_confint`
/// with `alpha = 1 − confidence_level`).
#[pyfunction]
fn proportion_ci(
    count: u64,
    nobs: u64,
    confidence_level: f64,
    method: &str,
) -> PyResult<(f64, f64)> {
    let method = match method {
        "normal" => ProportionCi::Normal,
        "wilson" => ProportionCi::Wilson,
        "agresti_coull" => ProportionCi::AgrestiCoull,
        "beta" => ProportionCi::ClopperPearson,
        "jeffreys" => ProportionCi::Jeffreys,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid method = {other:?}: expected one of 'normal', 'wilson', \
                 'agresti_coull', 'beta', 'jeffreys' ('binom_test' is not implemented)"
            )));
        }
    };
    let ci = proportion_confint(count, nobs, confidence_level, method).map_err(to_pyerr)?;
    Ok((ci.lower, ci.upper))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(proportions_ztest, m)?)?;
    m.add_function(wrap_pyfunction!(proportion_ci, m)?)?;
    Ok(())
}
