//! `abstat.io`: abstat-io's readers, returning pyarrow Tables through the
//! Arrow C Data Interface.

use abstat_io::{Format, ReadOptions, read_path};
use arrow_pyarrow::ToPyArrow;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::errors::io_to_pyerr;

/// Read the file at `path` (format `format`, or detected when None) into
/// a pyarrow Table.
#[pyfunction]
#[pyo3(signature = (path, format=None, sheet=None, delimiter=None, encoding=None))]
fn read_table<'py>(
    py: Python<'py>,
    path: std::path::PathBuf,
    format: Option<&str>,
    sheet: Option<String>,
    delimiter: Option<char>,
    encoding: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut opts = ReadOptions {
        sheet,
        encoding,
        ..ReadOptions::default()
    };
    if let Some(d) = delimiter {
        opts.delimiter = Some(u8::try_from(d).map_err(|_| {
            PyValueError::new_err(format!("delimiter must be one ASCII character, got {d:?}"))
        })?);
    }
    if let Some(f) = format {
        opts.format = Some(match f {
            "csv" => Format::Csv,
            "parquet" => Format::Parquet,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown format {other:?}: expected 'csv' or 'parquet' (None detects it, spreadsheets included)"
                )));
            }
        });
    }
    let (schema, batches) = py
        .detach(|| {
            let reader = read_path(&path, &opts)?;
            let schema = reader.schema();
            let (batches, _report) = reader.read_all()?;
            Ok((schema, batches))
        })
        .map_err(io_to_pyerr)?;
    let pa = py.import("pyarrow")?;
    let py_batches = PyList::empty(py);
    for b in &batches {
        py_batches.append(b.to_pyarrow(py)?)?;
    }
    pa.getattr("Table")?
        .getattr("from_batches")?
        .call1((py_batches, schema.as_ref().to_pyarrow(py)?))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_table, m)?)?;
    Ok(())
}
