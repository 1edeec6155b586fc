//! `abstat.multitest`: statsmodels' `multipletests`.

use abstat_core::multitest::{Correction, correct};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::errors::{compute, parse};
use crate::input::sample;

/// Reject decisions, adjusted p-values and the number of tests counted.
type Adjusted<'py> = (Bound<'py, PyArray1<bool>>, Bound<'py, PyArray1<f64>>, usize);

/// Adjusted p-values and reject decisions at `alpha`.
#[pyfunction]
fn multipletests_adjust<'py>(
    py: Python<'py>,
    pvals: &Bound<'py, PyAny>,
    alpha: f64,
    method: &str,
) -> PyResult<Adjusted<'py>> {
    let method: Correction = parse(method)?;
    let held = sample(pvals, "pvals")?;
    let p = held.values("pvals")?;
    let (r, reject) = compute(py, || correct(&p, method, alpha))?;
    let m = r.n_tests();
    Ok((reject.into_pyarray(py), r.p_adjusted.into_pyarray(py), m))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(multipletests_adjust, m)?)?;
    Ok(())
}
