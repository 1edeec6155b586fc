//! `abstat.ab`: the A/B engine on sufficient statistics, and the grouped
//! statistics of raw columns it needs.

use abstat_core::NanPolicy;
use abstat_core::ab::{
    ExperimentOptions, JointMoments, MetricInput, PowerSums, SegmentOptions, SegmentStats, analyze,
    analyze_segments,
};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::to_python;
use crate::errors::{compute, parse};
use crate::input::sample;

/// `(n, sum, sum_squares)` of `values` per variant code (`variant` holds
/// codes `0..variants`), in one parallel pass.
#[pyfunction]
fn ab_moments(
    py: Python<'_>,
    values: &Bound<'_, PyAny>,
    variant: PyReadonlyArray1<'_, u32>,
    variants: usize,
    nan_policy: &str,
) -> PyResult<Vec<(u64, f64, f64)>> {
    let policy: NanPolicy = parse(nan_policy)?;
    let held = sample(values, "values")?;
    let v = held.values("values")?;
    let codes = variant
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let m = compute(py, || PowerSums::by_variant(&v, codes, variants, policy))?;
    Ok(m.iter().map(|m| (m.n, m.sum, m.sum_squares)).collect())
}

/// The joint statistics of (`y`, `x`) per variant, as the JSON-shaped
/// dicts `MetricStats` ratio / CUPED inputs take.
#[pyfunction]
fn ab_joint_moments<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    x: &Bound<'py, PyAny>,
    variant: PyReadonlyArray1<'py, u32>,
    variants: usize,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let policy: NanPolicy = parse(nan_policy)?;
    let (yh, xh) = (sample(y, "y")?, sample(x, "x")?);
    let (yv, xv) = (yh.values("y")?, xh.values("x")?);
    let codes = variant
        .as_slice()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    let m = compute(py, || {
        JointMoments::by_variant(&yv, &xv, codes, variants, policy)
    })?;
    to_python(py, &m)
}

/// Analyse an experiment: `metrics_json` is a list of the core's
/// `MetricInput`, `options_json` its `ExperimentOptions`. Returns the
/// result as plain values and the verdict of every metric × treatment.
#[pyfunction]
fn ab_analyze<'py>(
    py: Python<'py>,
    units: Vec<u64>,
    weights: Vec<f64>,
    metrics_json: &str,
    options_json: &str,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let metrics: Vec<MetricInput> = serde_json::from_str(metrics_json)
        .map_err(|e| PyValueError::new_err(format!("invalid metrics: {e}")))?;
    let opts: ExperimentOptions = serde_json::from_str(options_json)
        .map_err(|e| PyValueError::new_err(format!("invalid options: {e}")))?;
    let r = compute(py, || analyze(&units, &weights, &metrics, &opts))?;
    Ok((to_python(py, &r)?, to_python(py, &r.verdicts())?))
}

/// Analyse an experiment per segment (`abstat_core::ab::analyze_segments`):
/// `values_json` is a list of the core's `SegmentStats` (the sufficient
/// statistics of every value of the dimension), `options_json` its
/// `ExperimentOptions`. Returns the result as plain values, the verdicts
/// of the whole experiment and those of every segment.
#[pyfunction]
fn ab_analyze_segments<'py>(
    py: Python<'py>,
    values_json: &str,
    weights: Vec<f64>,
    options_json: &str,
    top: usize,
    min_segment_units: u64,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let values: Vec<SegmentStats> = serde_json::from_str(values_json)
        .map_err(|e| PyValueError::new_err(format!("invalid segment values: {e}")))?;
    let opts: ExperimentOptions = serde_json::from_str(options_json)
        .map_err(|e| PyValueError::new_err(format!("invalid options: {e}")))?;
    let segments = SegmentOptions {
        top,
        min_segment_units,
    };
    let r = compute(py, || analyze_segments(&values, &weights, &opts, &segments))?;
    let per_segment: Vec<_> = r.segments.iter().map(|s| s.analysis.verdicts()).collect();
    Ok((
        to_python(py, &r)?,
        to_python(py, &r.overall.verdicts())?,
        to_python(py, &per_segment)?,
    ))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ab_moments, m)?)?;
    m.add_function(wrap_pyfunction!(ab_joint_moments, m)?)?;
    m.add_function(wrap_pyfunction!(ab_analyze, m)?)?;
    m.add_function(wrap_pyfunction!(ab_analyze_segments, m)?)?;
    Ok(())
}
