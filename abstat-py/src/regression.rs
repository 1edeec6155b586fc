//! `abstat.regression`: OLS, WLS and Logit fits kept on the Rust side, so
//! prediction reuses the fitted model.

use abstat_core::regression::{
    Design, DesignSpec, Logit, LogitFit, LogitOptions, Ols, OlsFit, OlsOptions,
};
use arrow_array::RecordBatch;
use arrow_pyarrow::FromPyArrow;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::convert::{to_python, to_python_objects};
use crate::errors::{compute, parse};
use crate::input::{matrix, sample};

/// The design from arrays (`x` is `n × k`) or from a pyarrow RecordBatch
/// and column names.
fn design(
    y: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    names: Vec<String>,
    intercept: bool,
    weights: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Design, Option<Vec<f64>>)> {
    let py = y.py();
    if let Ok(name) = y.extract::<String>() {
        // y names the response column of the RecordBatch `x`
        let batch = RecordBatch::from_pyarrow_bound(x)?;
        let mut spec = DesignSpec::new(name, names).with_intercept(intercept);
        if let Some(w) = weights {
            spec = spec.with_weights(w.extract::<String>()?);
        }
        let d = compute(py, || Design::from_batch(&batch, &spec))?;
        return Ok((d, None));
    }
    let ys = sample(y, "endog")?;
    let yv = ys.values("endog")?.into_owned();
    let xm = matrix(x, "exog")?;
    let xv = xm.as_array();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let d = compute(py, || Design::from_matrix(yv, xv, &name_refs, intercept))?;
    let w = match weights {
        Some(w) => Some(sample(w, "weights")?.values("weights")?.into_owned()),
        None => None,
    };
    Ok((d, w))
}

/// A fitted OLS / WLS model.
#[pyclass(frozen, module = "abstat._abstat")]
pub struct NativeOls {
    fit: OlsFit,
    design_names: Vec<String>,
}

#[pymethods]
impl NativeOls {
    /// The fit's numbers (summary table, goodness of fit, diagnostics) as
    /// plain Python values.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python_objects(py, &self.fit)
    }
    /// Residuals `y − Xb`.
    fn resid<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.fit.resid.clone().into_pyarray(py)
    }
    /// Fitted values `Xb`.
    fn fitted<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.fit.fitted.clone().into_pyarray(py)
    }
    /// Coefficient plot of the fit (abstat.plot).
    fn chart_coefficients(&self, lang: &str) -> PyResult<crate::plot::NativeChart> {
        crate::plot::coefficients(&self.fit.estimates, lang)
    }
    /// Residuals against fitted values (abstat.plot).
    fn chart_residuals(&self, lang: &str) -> PyResult<crate::plot::NativeChart> {
        crate::plot::residuals(&self.fit, lang)
    }
    /// Column names of the design.
    fn names(&self) -> Vec<String> {
        self.design_names.clone()
    }
    /// Predictions with intervals for the rows of `exog` (the design's
    /// columns in order), as `get_prediction(exog).summary_frame(alpha)`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        exog: &Bound<'py, PyAny>,
        alpha: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let x = matrix(exog, "exog")?;
        let view = x.as_array();
        let p = compute(py, || self.fit.predict(view, alpha))?;
        to_python(py, &p)
    }
}

/// A fitted logistic regression.
#[pyclass(frozen, module = "abstat._abstat")]
pub struct NativeLogit {
    fit: LogitFit,
}

#[pymethods]
impl NativeLogit {
    /// The fit's numbers as plain Python values.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python_objects(py, &self.fit)
    }
    /// Coefficient plot of the fit (abstat.plot).
    fn chart_coefficients(&self, lang: &str) -> PyResult<crate::plot::NativeChart> {
        crate::plot::coefficients(&self.fit.estimates, lang)
    }
    /// Predicted probabilities for the rows of `exog`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        exog: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = matrix(exog, "exog")?;
        let view = x.as_array();
        let p = compute(py, || self.fit.predict(view))?;
        Ok(p.into_pyarray(py))
    }
}

/// Fit OLS (or WLS when `weights` is given): `y`, `x` arrays, or `y` a
/// column name and `x` a pyarrow RecordBatch with `names` the predictors.
#[pyfunction]
#[pyo3(signature = (y, x, names, intercept, weights=None, cov_type="nonrobust", alpha=0.05))]
#[allow(clippy::too_many_arguments)] // one per Python keyword argument
fn ols_fit(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    names: Vec<String>,
    intercept: bool,
    weights: Option<&Bound<'_, PyAny>>,
    cov_type: &str,
    alpha: f64,
) -> PyResult<NativeOls> {
    let opts = OlsOptions {
        cov_type: parse(cov_type)?,
        alpha,
        use_t: None,
    };
    let (d, w) = design(y, x, names, intercept, weights)?;
    let model = Ols::new(opts);
    let fit = match &w {
        Some(w) => compute(py, || model.fit_weighted(&d, w))?,
        None => compute(py, || model.fit(&d))?,
    };
    Ok(NativeOls {
        fit,
        design_names: d.names.clone(),
    })
}

/// Fit a logistic regression (statsmodels `Logit(...).fit()`).
#[pyfunction]
#[pyo3(signature = (y, x, names, intercept, alpha=0.05, max_iter=35, tol=1e-8))]
#[allow(clippy::too_many_arguments)]
fn logit_fit(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    names: Vec<String>,
    intercept: bool,
    alpha: f64,
    max_iter: usize,
    tol: f64,
) -> PyResult<NativeLogit> {
    let opts = LogitOptions {
        alpha,
        max_iter,
        tol,
    };
    let (d, _) = design(y, x, names, intercept, None)?;
    let fit = compute(py, || Logit::new(opts).fit(&d))?;
    Ok(NativeLogit { fit })
}

/// Register the functions and classes on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeOls>()?;
    m.add_class::<NativeLogit>()?;
    m.add_function(wrap_pyfunction!(ols_fit, m)?)?;
    m.add_function(wrap_pyfunction!(logit_fit, m)?)?;
    Ok(())
}
