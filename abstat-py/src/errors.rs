//! One Python exception class per kind of [`abstat_core::Error`], and the
//! one helper every binding calls: release the GIL, run the computation,
//! convert its error.

use abstat_core::Error;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

// AbstatError derives from ValueError: every core error is about the data or
// the arguments, which is what scipy / statsmodels raise ValueError for, so
// `except ValueError` written against them keeps working.
pyo3::create_exception!(
    abstat,
    AbstatError,
    PyValueError,
    "Base class of the errors abstat raises (a subclass of ValueError)."
);
pyo3::create_exception!(
    abstat,
    TooFewObservationsError,
    AbstatError,
    "Fewer observations than the method needs."
);
pyo3::create_exception!(
    abstat,
    ZeroVarianceError,
    AbstatError,
    "All values are equal where the method divides by a spread."
);
pyo3::create_exception!(
    abstat,
    MissingValuesError,
    AbstatError,
    "NaN or null values with nan_policy='raise' (or where none are allowed)."
);
pyo3::create_exception!(
    abstat,
    LengthMismatchError,
    AbstatError,
    "Inputs that must pair up have different lengths."
);
pyo3::create_exception!(
    abstat,
    InvalidParameterError,
    AbstatError,
    "A parameter outside its allowed range or set."
);
pyo3::create_exception!(
    abstat,
    UnsupportedTypeError,
    AbstatError,
    "A column of a type the method cannot use."
);
pyo3::create_exception!(
    abstat,
    NoConvergenceError,
    AbstatError,
    "An iterative method did not converge."
);
pyo3::create_exception!(
    abstat,
    DegenerateDataError,
    AbstatError,
    "The data make the requested quantity undefined."
);

/// The Python exception for a core error, with the core's message.
pub fn to_pyerr(err: Error) -> PyErr {
    let msg = err.to_string();
    match err {
        Error::TooFewObservations { .. } => TooFewObservationsError::new_err(msg),
        Error::ZeroVariance { .. } => ZeroVarianceError::new_err(msg),
        Error::MissingValues { .. } => MissingValuesError::new_err(msg),
        Error::LengthMismatch { .. } => LengthMismatchError::new_err(msg),
        Error::InvalidParameter { .. } => InvalidParameterError::new_err(msg),
        Error::UnsupportedType { .. } => UnsupportedTypeError::new_err(msg),
        Error::NoConvergence { .. } => NoConvergenceError::new_err(msg),
        Error::Degenerate(_) => DegenerateDataError::new_err(msg),
        // a kind added to the non-exhaustive enum later
        _ => AbstatError::new_err(msg),
    }
}

/// The Python exception for an abstat-io error.
pub fn io_to_pyerr(err: abstat_io::Error) -> PyErr {
    match err {
        abstat_io::Error::Profile(e) | abstat_io::Error::ChartData(e) => to_pyerr(e),
        other => AbstatError::new_err(other.to_string()),
    }
}

/// Run `f` with the GIL released and convert its error.
pub fn compute<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: FnOnce() -> abstat_core::Result<T> + Send,
    T: Send,
{
    py.detach(f).map_err(to_pyerr)
}

/// Inputs with fewer values than this are computed without releasing the
/// GIL ([`compute_sized`]): detaching and re-attaching costs about a
/// microsecond, as much as a t-test on a few values, and holding the GIL for
/// the few microseconds such a computation takes delays no other thread
/// noticeably (CPython's switch interval is 5 ms).
pub const GIL_RELEASE_MIN_VALUES: usize = 1024;

/// [`compute`] for a computation over `n_values` input values whose cost
/// grows with them (at most O(n log n)): with the GIL held below
/// [`GIL_RELEASE_MIN_VALUES`], released above. Not for methods that can be
/// slow on small inputs (exact permutation distributions, resampling).
pub fn compute_sized<T, F>(py: Python<'_>, n_values: usize, f: F) -> PyResult<T>
where
    F: FnOnce() -> abstat_core::Result<T> + Send,
    T: Send,
{
    if n_values < GIL_RELEASE_MIN_VALUES {
        f().map_err(to_pyerr)
    } else {
        compute(py, f)
    }
}

/// Parse an option string with the core's `FromStr` (its message names the
/// allowed values).
pub fn parse<T>(value: &str) -> PyResult<T>
where
    T: std::str::FromStr<Err = Error>,
{
    value.parse().map_err(to_pyerr)
}

/// Register the exception classes on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("AbstatError", py.get_type::<AbstatError>())?;
    m.add(
        "TooFewObservationsError",
        py.get_type::<TooFewObservationsError>(),
    )?;
    m.add("ZeroVarianceError", py.get_type::<ZeroVarianceError>())?;
    m.add("MissingValuesError", py.get_type::<MissingValuesError>())?;
    m.add("LengthMismatchError", py.get_type::<LengthMismatchError>())?;
    m.add(
        "InvalidParameterError",
        py.get_type::<InvalidParameterError>(),
    )?;
    m.add(
        "UnsupportedTypeError",
        py.get_type::<UnsupportedTypeError>(),
    )?;
    m.add("NoConvergenceError", py.get_type::<NoConvergenceError>())?;
    m.add("DegenerateDataError", py.get_type::<DegenerateDataError>())?;
    // for the tests of both sides of the threshold
    m.add("_GIL_RELEASE_MIN_VALUES", GIL_RELEASE_MIN_VALUES)?;
    Ok(())
}
