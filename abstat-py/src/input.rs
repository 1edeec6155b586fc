//! Python objects in, `&[f64]` out: numpy arrays are borrowed (zero-copy),
//! Arrow arrays (pyarrow, or anything with `__arrow_c_array__`, e.g. polars)
//! come in through the Arrow C Data Interface (`__arrow_c_array__`, or a
//! one-column `__arrow_c_stream__` such as a polars Series or a pyarrow
//! ChunkedArray), and everything else (lists,
//! pandas Series, strided views) goes through `numpy.ascontiguousarray` once.

use std::borrow::Cow;

use arrow_array::ffi_stream::{ArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::{ArrayRef, make_array};
use arrow_pyarrow::FromPyArrow;
use arrow_schema::ArrowError;
use numpy::{
    PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::errors::to_pyerr;

/// A one-dimensional sample held for the duration of one call.
pub enum Sample<'py> {
    /// A contiguous float64 numpy array, borrowed.
    Numpy(PyReadonlyArray1<'py, f64>),
    /// An Arrow array imported through the C Data Interface.
    Arrow(ArrayRef),
}

impl Sample<'_> {
    /// The values as `f64`, nulls as NaN; borrowed unless the Arrow type
    /// needs converting.
    pub fn values(&self, what: &str) -> PyResult<Cow<'_, [f64]>> {
        match self {
            Sample::Numpy(a) => {
                Ok(Cow::Borrowed(a.as_slice().map_err(|e| {
                    PyValueError::new_err(format!("{what}: {e}"))
                })?))
            }
            Sample::Arrow(a) => abstat_core::input::from_arrow(a.as_ref(), what).map_err(to_pyerr),
        }
    }
}

/// Read `obj` as a one-dimensional numeric sample; `what` names it in
/// messages.
pub fn sample<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Sample<'py>> {
    if let Ok(a) = obj.cast::<PyArray1<f64>>()
        && a.is_contiguous()
    {
        return Ok(Sample::Numpy(a.readonly()));
    }
    let py = obj.py();
    if obj.hasattr(intern!(py, "__arrow_c_array__"))? {
        let data = arrow_data::ArrayData::from_pyarrow_bound(obj)?;
        return Ok(Sample::Arrow(make_array(data)));
    }
    if obj.hasattr(intern!(py, "__arrow_c_stream__"))? {
        return Ok(Sample::Arrow(from_stream(obj, what)?));
    }
    let np = py.import(intern!(py, "numpy"))?;
    let converted = np
        .getattr(intern!(py, "ascontiguousarray"))?
        .call1((obj, np.getattr(intern!(py, "float64"))?))
        .map_err(|e| {
            PyValueError::new_err(format!(
                "{what} must be a one-dimensional sequence of numbers: {e}"
            ))
        })?;
    let a = converted.cast_into::<PyArray1<f64>>().map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be one-dimensional (got an array with {} dimensions)",
            np.getattr("ndim")
                .and_then(|f| f.call1((obj,)))
                .map(|d| d.to_string())
                .unwrap_or_else(|_| "other".into())
        ))
    })?;
    Ok(Sample::Numpy(a.readonly()))
}

/// A one-column Arrow stream (`__arrow_c_stream__`: a polars Series, a
/// pyarrow ChunkedArray) as one array: a single chunk is imported without
/// copying; several are converted to one float64 array.
fn from_stream(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<ArrayRef> {
    let py = obj.py();
    let capsule = obj.call_method0(intern!(py, "__arrow_c_stream__"))?;
    let capsule = capsule.cast::<PyCapsule>().map_err(|_| {
        PyValueError::new_err(format!(
            "{what}: __arrow_c_stream__ did not return a capsule"
        ))
    })?;
    let ptr = capsule
        .pointer_checked(Some(c"arrow_array_stream"))
        .map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?
        .cast::<FFI_ArrowArrayStream>();
    // SAFETY: the capsule named "arrow_array_stream" holds a valid
    // FFI_ArrowArrayStream (Arrow PyCapsule interface); from_raw moves it
    // out and marks the capsule's copy released, as arrow-pyarrow does.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(ptr.as_ptr()) };
    let reader = ArrayStreamReader::try_new(stream).map_err(arrow_err)?;
    let chunks = reader
        .collect::<Result<Vec<ArrayRef>, _>>()
        .map_err(arrow_err)?;
    match chunks.len() {
        0 => Ok(arrow_array::new_empty_array(
            &arrow_schema::DataType::Float64,
        )),
        1 => Ok(chunks.into_iter().next().expect("one chunk")),
        _ => {
            // several chunks: their values as one float64 array (nulls NaN)
            let mut all = Vec::new();
            for c in &chunks {
                all.extend_from_slice(
                    &abstat_core::input::from_arrow(c.as_ref(), what).map_err(to_pyerr)?,
                );
            }
            Ok(std::sync::Arc::new(arrow_array::Float64Array::from(all)))
        }
    }
}

/// Several samples, e.g. the groups of an ANOVA.
pub fn samples<'py>(objs: &[Bound<'py, PyAny>], what: &str) -> PyResult<Vec<Sample<'py>>> {
    objs.iter()
        .enumerate()
        .map(|(i, o)| sample(o, &format!("{what} {}", i + 1)))
        .collect()
}

/// The values of every sample in `held` (see [`Sample::values`]).
pub fn all_values<'a>(held: &'a [Sample<'_>], what: &str) -> PyResult<Vec<Cow<'a, [f64]>>> {
    held.iter().map(|s| s.values(what)).collect()
}

/// A two-dimensional float64 matrix (a contingency table, a design matrix),
/// borrowed when it already is a numpy float64 array.
pub fn matrix<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<PyReadonlyArray2<'py, f64>> {
    if let Ok(a) = obj.cast::<PyArray2<f64>>() {
        return Ok(a.readonly());
    }
    let py = obj.py();
    let np = py.import(intern!(py, "numpy"))?;
    let converted = np
        .getattr(intern!(py, "asarray"))?
        .call1((obj, np.getattr(intern!(py, "float64"))?))
        .map_err(|e| PyValueError::new_err(format!("{what} must be a table of numbers: {e}")))?;
    let a = converted
        .cast_into::<PyArray2<f64>>()
        .map_err(|_| PyValueError::new_err(format!("{what} must be two-dimensional")))?;
    Ok(a.readonly())
}

/// An Arrow error from the C Data Interface as a Python ValueError.
pub fn arrow_err(e: ArrowError) -> PyErr {
    PyValueError::new_err(e.to_string())
}
