//! # abstat-py
//!
//! Python bindings of abstat (pyo3 + maturin), with the names, signatures and
//! result objects of scipy, statsmodels and scikit-learn. The binding layer
//! converts arguments and errors and calls `abstat-core`; it holds no
//! statistics of its own.
//!
//! The native module `abstat._abstat` defined here takes and returns plain
//! values (arrays, floats, dicts); the pure-Python package `abstat`
//! (`abstat-py/python/abstat`) shapes them into scipy-like result objects.
//! Every computation runs with the GIL released ([`errors::compute`]), except
//! those on fewer than 1024 values, where releasing it would cost more than
//! the computation ([`errors::compute_sized`]).

pub mod ab;
pub mod convert;
pub mod errors;
pub mod input;
pub mod io;
pub mod ml;
pub mod multitest;
pub mod plot;
pub mod power;
pub mod proportion;
pub mod regression;
pub mod stats;

use pyo3::prelude::*;

/// The native module `abstat._abstat`.
#[pymodule]
fn _abstat(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    stats::register(m)?;
    power::register(m)?;
    proportion::register(m)?;
    multitest::register(m)?;
    regression::register(m)?;
    ml::register(m)?;
    ab::register(m)?;
    io::register(m)?;
    plot::register(m)?;
    Ok(())
}
