//! `abstat.plot`: abstat-io's charts built from Python data and rendered to
//! PNG or SVG bytes. A [`NativeChart`] keeps the (already summarised) chart
//! spec so it can be rendered at several sizes and formats and its data
//! inspected.

use std::borrow::Cow;

use abstat_core::ab::{ExperimentOptions, MetricInput, analyze};
use abstat_core::classification::ConfusionMatrix;
use abstat_io::charts::{Chart, Format, Lang, Theme, render};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::to_python;
use crate::errors::{compute, io_to_pyerr};
use crate::input::{Sample, sample};

/// A chart spec ready to render.
#[pyclass(frozen, module = "abstat._abstat")]
pub struct NativeChart {
    chart: Chart,
}

fn lang(value: &str) -> PyResult<Lang> {
    match value {
        "en" => Ok(Lang::En),
        "ru" => Ok(Lang::Ru),
        other => Err(PyValueError::new_err(format!(
            "invalid lang = {other:?}: expected 'en' or 'ru'"
        ))),
    }
}

#[pymethods]
impl NativeChart {
    /// Render as `format` ('png' or 'svg') of `width` × `height` pixels;
    /// `lang` overrides the language of the words the chart adds.
    #[pyo3(signature = (format, width, height, lang=None))]
    fn render<'py>(
        &self,
        py: Python<'py>,
        format: &str,
        width: u32,
        height: u32,
        lang: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let format = match format {
            "png" => Format::Png {
                w: width,
                h: height,
            },
            "svg" => Format::Svg {
                w: width,
                h: height,
            },
            other => {
                return Err(PyValueError::new_err(format!(
                    "invalid format = {other:?}: expected 'png' or 'svg'"
                )));
            }
        };
        let lang = lang.map(self::lang).transpose()?;
        let theme = Theme::default();
        let bytes = py
            .detach(|| render(&self.chart, format, &theme, lang))
            .map_err(io_to_pyerr)?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The chart's data and words as plain Python values (non-finite
    /// numbers as None).
    fn spec<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.chart)
    }

    /// The kind of chart ("histogram", "forest", …).
    fn kind(&self) -> &'static str {
        self.chart.kind.name()
    }
}

fn wrap(r: abstat_io::Result<Chart>) -> PyResult<NativeChart> {
    r.map(|chart| NativeChart { chart }).map_err(io_to_pyerr)
}

/// Build a chart with the GIL released.
fn build<F>(py: Python<'_>, f: F) -> PyResult<NativeChart>
where
    F: FnOnce() -> abstat_io::Result<Chart> + Send,
{
    wrap(py.detach(f))
}

/// Histogram ('auto' bins, as numpy) with its kernel density.
#[pyfunction]
fn chart_histogram(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    column: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let (held, lang) = (sample(x, "x")?, self::lang(lang)?);
    let v = held.values("x")?;
    build(py, || Chart::histogram(&v, column, lang))
}

/// Box plot of named groups.
#[pyfunction]
fn chart_box(
    py: Python<'_>,
    names: Vec<String>,
    groups: Vec<Bound<'_, PyAny>>,
    value: &str,
    group: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let held = named_samples(&names, &groups)?;
    let values = held
        .iter()
        .zip(&names)
        .map(|(s, n)| s.values(n))
        .collect::<PyResult<Vec<Cow<'_, [f64]>>>>()?;
    let pairs: Vec<(&str, &[f64])> = names
        .iter()
        .map(String::as_str)
        .zip(values.iter().map(|v| v.as_ref()))
        .collect();
    build(py, || Chart::box_plot(&pairs, value, group, lang))
}

fn named_samples<'py>(
    names: &[String],
    groups: &[Bound<'py, PyAny>],
) -> PyResult<Vec<Sample<'py>>> {
    if names.len() != groups.len() {
        return Err(PyValueError::new_err(format!(
            "{} names for {} groups",
            names.len(),
            groups.len()
        )));
    }
    groups
        .iter()
        .zip(names)
        .map(|(g, n)| sample(g, n))
        .collect()
}

/// Bars of counts per category.
#[pyfunction]
fn chart_counts(
    labels: Vec<String>,
    counts: Vec<u64>,
    column: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    wrap(Chart::counts(&labels, &counts, column, self::lang(lang)?))
}

/// Bars of proportions with Wilson intervals.
#[pyfunction]
fn chart_proportions(
    labels: Vec<String>,
    successes: Vec<u64>,
    totals: Vec<u64>,
    metric: &str,
    level: f64,
    lang: &str,
) -> PyResult<NativeChart> {
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    wrap(Chart::proportions(
        &labels,
        &successes,
        &totals,
        metric,
        level,
        self::lang(lang)?,
    ))
}

/// Scatter with the least-squares line (binned above 5000 points).
#[pyfunction]
fn chart_scatter(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    x_name: &str,
    y_name: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let (xs, ys) = (sample(x, "x")?, sample(y, "y")?);
    let (xv, yv) = (xs.values("x")?, ys.values("y")?);
    build(py, || Chart::scatter(&xv, &yv, x_name, y_name, lang))
}

/// Heatmap of Pearson correlations between named columns.
#[pyfunction]
fn chart_correlation(
    py: Python<'_>,
    names: Vec<String>,
    columns: Vec<Bound<'_, PyAny>>,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let held = named_samples(&names, &columns)?;
    let values = held
        .iter()
        .zip(&names)
        .map(|(s, n)| s.values(n))
        .collect::<PyResult<Vec<_>>>()?;
    let slices: Vec<&[f64]> = values.iter().map(|v| v.as_ref()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    build(py, || Chart::correlation(&names, &slices, lang))
}

/// Normal QQ plot (scipy `probplot`).
#[pyfunction]
fn chart_qq(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    column: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let (held, lang) = (sample(x, "x")?, self::lang(lang)?);
    let v = held.values("x")?;
    build(py, || Chart::qq(&v, column, lang))
}

/// Control and treatment distributions overlaid.
#[pyfunction]
fn chart_distributions(
    py: Python<'_>,
    control: &Bound<'_, PyAny>,
    treatment: &Bound<'_, PyAny>,
    metric: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let (c, t) = (sample(control, "control")?, sample(treatment, "treatment")?);
    let (cv, tv) = (c.values("control")?, t.values("treatment")?);
    build(py, || Chart::distributions(&cv, &tv, metric, lang))
}

/// ROC curves: one (name, labels, scores) per model; `labels` are bools.
#[pyfunction]
fn chart_roc<'py>(
    py: Python<'py>,
    names: Vec<String>,
    labels: Vec<PyReadonlyArray1<'py, bool>>,
    scores: Vec<Bound<'py, PyAny>>,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let held = named_samples(&names, &scores)?;
    let values = held
        .iter()
        .zip(&names)
        .map(|(s, n)| s.values(n))
        .collect::<PyResult<Vec<_>>>()?;
    let labels = labels
        .iter()
        .map(|l| {
            l.as_slice()
                .map_err(|e| PyValueError::new_err(e.to_string()))
        })
        .collect::<PyResult<Vec<&[bool]>>>()?;
    if labels.len() != names.len() {
        return Err(PyValueError::new_err("one label array per model"));
    }
    let models: Vec<(&str, &[bool], &[f64])> = names
        .iter()
        .zip(labels.iter().zip(&values))
        .map(|(n, (l, s))| (n.as_str(), *l, s.as_ref()))
        .collect();
    build(py, || Chart::roc(&models, lang))
}

/// Confusion matrix of class names and counts (true class by row).
#[pyfunction]
fn chart_confusion(
    labels: Vec<String>,
    counts: Vec<Vec<u64>>,
    lang: &str,
) -> PyResult<NativeChart> {
    if counts.len() != labels.len() || counts.iter().any(|r| r.len() != labels.len()) {
        return Err(PyValueError::new_err(format!(
            "counts must be {0}×{0} for {0} labels",
            labels.len()
        )));
    }
    let cm = ConfusionMatrix { labels, counts };
    wrap(Chart::confusion(&cm, self::lang(lang)?))
}

/// Forest plot of an A/B analysis, re-run from its inputs (the same JSON
/// `ab_analyze` takes; sufficient statistics, so this is cheap).
#[pyfunction]
fn chart_forest(
    py: Python<'_>,
    units: Vec<u64>,
    weights: Vec<f64>,
    metrics_json: &str,
    options_json: &str,
    variants: Vec<String>,
    lang: &str,
) -> PyResult<NativeChart> {
    let lang = self::lang(lang)?;
    let metrics: Vec<MetricInput> = serde_json::from_str(metrics_json)
        .map_err(|e| PyValueError::new_err(format!("invalid metrics: {e}")))?;
    let opts: ExperimentOptions = serde_json::from_str(options_json)
        .map_err(|e| PyValueError::new_err(format!("invalid options: {e}")))?;
    let r = compute(py, || analyze(&units, &weights, &metrics, &opts))?;
    let names: Vec<&str> = variants.iter().map(String::as_str).collect();
    wrap(Chart::forest(&r, &names, lang))
}

/// Power against the sample size per arm.
#[pyfunction]
#[pyo3(signature = (effect, std_dev, alpha, target, current, metric, lang))]
#[allow(clippy::too_many_arguments)] // one per Python keyword argument
fn chart_power_curve(
    effect: f64,
    std_dev: f64,
    alpha: f64,
    target: f64,
    current: Option<f64>,
    metric: &str,
    lang: &str,
) -> PyResult<NativeChart> {
    wrap(Chart::power_curve(
        effect,
        std_dev,
        alpha,
        target,
        current,
        metric,
        self::lang(lang)?,
    ))
}

/// Coefficient plot of a regression's estimates.
pub(crate) fn coefficients(
    estimates: &abstat_core::regression::Estimates,
    lang: &str,
) -> PyResult<NativeChart> {
    wrap(Chart::coefficients(estimates, self::lang(lang)?))
}

/// Residuals against fitted values of an OLS / WLS fit.
pub(crate) fn residuals(
    fit: &abstat_core::regression::OlsFit,
    lang: &str,
) -> PyResult<NativeChart> {
    wrap(Chart::residuals(fit, self::lang(lang)?))
}

/// Register the functions on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeChart>()?;
    m.add_function(wrap_pyfunction!(chart_histogram, m)?)?;
    m.add_function(wrap_pyfunction!(chart_box, m)?)?;
    m.add_function(wrap_pyfunction!(chart_counts, m)?)?;
    m.add_function(wrap_pyfunction!(chart_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(chart_scatter, m)?)?;
    m.add_function(wrap_pyfunction!(chart_correlation, m)?)?;
    m.add_function(wrap_pyfunction!(chart_qq, m)?)?;
    m.add_function(wrap_pyfunction!(chart_distributions, m)?)?;
    m.add_function(wrap_pyfunction!(chart_roc, m)?)?;
    m.add_function(wrap_pyfunction!(chart_confusion, m)?)?;
    m.add_function(wrap_pyfunction!(chart_forest, m)?)?;
    m.add_function(wrap_pyfunction!(chart_power_curve, m)?)?;
    Ok(())
}
