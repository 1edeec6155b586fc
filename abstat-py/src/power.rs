//! `abstat.power`: statsmodels' power and sample-size solvers.

use abstat_core::Alternative;
use abstat_core::power::{
    PowerProblem, PowerSolution, PowerTest, cohen_h, normal_ind_power, solve_power, ttest_ind_power,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::{compute, parse, to_pyerr};

fn test_kind(test: &str) -> PyResult<PowerTest> {
    match test {
        "ttest_ind" => Ok(PowerTest::TTestInd),
        "normal_ind" => Ok(PowerTest::NormalInd),
        other => Err(PyValueError::new_err(format!(
            "invalid test = {other:?}: expected 'ttest_ind' or 'normal_ind'"
        ))),
    }
}

/// Solve for the one quantity given as None (statsmodels `solve_power`).
/// Returns `(name, value)` with name one of effect_size, nobs1, alpha,
/// power, ratio.
#[pyfunction]
#[pyo3(signature = (test, effect_size, nobs1, alpha, power, ratio, alternative))]
#[allow(clippy::too_many_arguments)]
fn power_solve(
    py: Python<'_>,
    test: &str,
    effect_size: Option<f64>,
    nobs1: Option<f64>,
    alpha: Option<f64>,
    power: Option<f64>,
    ratio: Option<f64>,
    alternative: &str,
) -> PyResult<(&'static str, f64)> {
    let problem = PowerProblem {
        test: test_kind(test)?,
        effect_size,
        nobs1,
        alpha,
        power,
        ratio,
        alternative: parse(alternative)?,
    };
    let s = compute(py, || solve_power(&problem))?;
    let name = match s {
        PowerSolution::EffectSize(_) => "effect_size",
        PowerSolution::Nobs1(_) => "nobs1",
        PowerSolution::Alpha(_) => "alpha",
        PowerSolution::Power(_) => "power",
        PowerSolution::Ratio(_) => "ratio",
    };
    Ok((name, s.value()))
}

/// The power of the test (statsmodels `TTestIndPower.power` /
/// `NormalIndPower.power`).
#[pyfunction]
#[pyo3(signature = (test, effect_size, nobs1, alpha, ratio, alternative))]
fn power_of(
    test: &str,
    effect_size: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alternative: &str,
) -> PyResult<f64> {
    let alt: Alternative = parse(alternative)?;
    abstat_core::Error::check_open_unit("alpha", alpha).map_err(to_pyerr)?;
    Ok(match test_kind(test)? {
        PowerTest::TTestInd => ttest_ind_power(effect_size, nobs1, alpha, ratio, alt),
        PowerTest::NormalInd => normal_ind_power(effect_size, nobs1, alpha, ratio, alt),
    })
}

/// Cohen's h (statsmodels `proportion_effectsize`).
#[pyfunction]
fn cohen_h_effect(prop1: f64, prop2: f64) -> PyResult<f64> {
    cohen_h(prop1, prop2).map_err(to_pyerr)
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(power_solve, m)?)?;
    m.add_function(wrap_pyfunction!(power_of, m)?)?;
    m.add_function(wrap_pyfunction!(cohen_h_effect, m)?)?;
    Ok(())
}
