//! Core results to Python values. The pure-Python package shapes these
//! dictionaries into scipy / statsmodels-like result objects.

use abstat_core::TestResult;
use abstat_core::ttest::TTest;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A [`TestResult`] as a dict: `statistic`, `pvalue`, `df`, `estimate`,
/// `ci` (`(low, high)` or None), `effect_size` (`(name, value)` or None),
/// `n`, `method`.
///
/// The keys are interned: this runs on every call, where building eight key
/// strings was a measurable part of a small test's cost.
pub fn test_result<'py>(py: Python<'py>, r: &TestResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "statistic"), r.statistic)?;
    d.set_item(intern!(py, "pvalue"), r.p_value)?;
    d.set_item(intern!(py, "df"), r.df)?;
    d.set_item(intern!(py, "estimate"), r.estimate)?;
    d.set_item(intern!(py, "ci"), r.ci.as_ref().map(|c| (c.lower, c.upper)))?;
    d.set_item(
        intern!(py, "effect_size"),
        r.effect_size.as_ref().map(|e| (e.name.as_ref(), e.value)),
    )?;
    d.set_item(intern!(py, "n"), &r.n)?;
    d.set_item(intern!(py, "method"), r.method.as_ref())?;
    Ok(d)
}

/// A t-test whose interval is deferred ([`TTest`]) as a [`test_result`]
/// dict plus what the interval needs later: `_standard_error` and
/// `_alternative` (as scipy's `TtestResult` keeps them).
pub fn ttest_result<'py>(
    py: Python<'py>,
    t: &TTest,
    alternative: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let d = test_result(py, &t.result)?;
    d.set_item(intern!(py, "_standard_error"), t.standard_error)?;
    d.set_item(intern!(py, "_alternative"), alternative)?;
    Ok(d)
}

/// Any serialisable core result as plain Python values (dicts, lists,
/// floats), through JSON. For the larger results (A/B, classification,
/// predictions) whose conversion cost is small next to the computation;
/// non-finite floats become None, as JSON has no NaN.
pub fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    py.import(pyo3::intern!(py, "json"))?
        .getattr(pyo3::intern!(py, "loads"))?
        .call1((text,))
}

/// A serialisable core result as Python objects built directly (serde to
/// Python through `pythonize`, no JSON text): for results converted on
/// every call of a fast function (the regression summaries), where
/// [`to_python`]'s encoding and `json.loads` cost more than a small fit.
/// Unlike [`to_python`], non-finite floats stay floats (NaN, ±inf) and
/// tuples become tuples.
pub fn to_python_objects<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}
