//! `abstat.multitest`: statsmodels' `multipletests`.

use abstat_core::multitest::{Correction, correct_into};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;

use crate::errors::{compute, parse};
use crate::input::sample;

/// Reject decisions, adjusted p-values and the number of tests counted.
type Adjusted<'py> = (Bound<'py, PyArray1<bool>>, Bound<'py, PyArray1<f64>>, usize);

/// Adjusted p-values and reject decisions at `alpha`, written straight into
/// the returned numpy arrays (no intermediate vectors of the input's size).
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
    let adjusted = PyArray1::<f64>::zeros(py, p.len(), false);
    let reject = PyArray1::<bool>::zeros(py, p.len(), false);
    let m = {
        let mut adj = adjusted.readwrite();
        let mut rej = reject.readwrite();
        let (adj, rej) = (adj.as_slice_mut()?, rej.as_slice_mut()?);
        compute(py, || correct_into(&p, method, alpha, adj, rej))?
    };
    Ok((reject, adjusted, m))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(multipletests_adjust, m)?)?;
    Ok(())
}
