//! Core results to Python values. The pure-Python package shapes these
//! dictionaries into scipy / statsmodels-like result objects.

use abstat_core::TestResult;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A [`TestResult`] as a dict: `statistic`, `pvalue`, `df`, `estimate`,
/// `ci` (`(low, high)` or None), `effect_size` (`(name, value)` or None),
/// `n`, `method`.
pub fn test_result<'py>(py: Python<'py>, r: &TestResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("statistic", r.statistic)?;
    d.set_item("pvalue", r.p_value)?;
    d.set_item("df", r.df)?;
    d.set_item("estimate", r.estimate)?;
    d.set_item("ci", r.ci.as_ref().map(|c| (c.lower, c.upper)))?;
    d.set_item(
        "effect_size",
        r.effect_size.as_ref().map(|e| (e.name.as_ref(), e.value)),
    )?;
    d.set_item("n", &r.n)?;
    d.set_item("method", r.method.as_ref())?;
    Ok(d)
}

/// Any serialisable core result as plain Python values (dicts, lists,
/// floats), through JSON. For the larger results (regression, A/B,
/// classification) whose conversion cost is small next to the computation;
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
