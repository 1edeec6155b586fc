//! `abstat.ml`: the core's classifiers behind one native class, and the
//! classification metrics. Labels arrive encoded as class codes
//! `0..n_classes` (the Python estimators keep the original labels).

use abstat_core::classification::{
    self as cls, Average, BoostingParams, Classifier, Fit, ForestParams, GaussianNbParams,
    KnnParams, LogisticParams, SvmParams, TreeParams,
};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::{compute, to_pyerr};
use crate::input::{matrix, sample};

type Model = Box<dyn Classifier + Send + Sync>;

/// A fitted classifier.
#[pyclass(frozen, module = "abstat._abstat")]
pub struct NativeClassifier {
    model: Model,
}

/// Parse the parameters `P` from JSON and fit them with the GIL released.
fn fit_with<P>(
    py: Python<'_>,
    params_json: &str,
    x: ndarray::ArrayView2<f64>,
    y: &[usize],
    n_classes: usize,
) -> PyResult<Model>
where
    P: Fit + serde::de::DeserializeOwned + Send,
    P::Model: Send + Sync + 'static,
{
    let params: P = serde_json::from_str(params_json)
        .map_err(|e| PyValueError::new_err(format!("invalid parameters: {e}")))?;
    compute(py, move || {
        Ok(Box::new(params.fit(x, y, n_classes)?) as Model)
    })
}

/// Fit model `kind` with `params_json` (the core's parameter struct as
/// JSON) on features `x` (`n × p`) and class codes `y`.
#[pyfunction]
fn classifier_fit(
    py: Python<'_>,
    kind: &str,
    params_json: &str,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    n_classes: usize,
) -> PyResult<NativeClassifier> {
    let xm = matrix(x, "X")?;
    let x = xm.as_array();
    let y = class_codes(y)?;
    let (json, y, k) = (params_json, y.as_slice(), n_classes);
    let model = match kind {
        "logistic" => fit_with::<LogisticParams>(py, json, x, y, k)?,
        "gaussian_nb" => fit_with::<GaussianNbParams>(py, json, x, y, k)?,
        "tree" => fit_with::<TreeParams>(py, json, x, y, k)?,
        "forest" => fit_with::<ForestParams>(py, json, x, y, k)?,
        "knn" => fit_with::<KnnParams>(py, json, x, y, k)?,
        "boosting" => fit_with::<BoostingParams>(py, json, x, y, k)?,
        "linear_svm" => fit_with::<SvmParams>(py, json, x, y, k)?,
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown model kind {other:?}"
            )));
        }
    };
    Ok(NativeClassifier { model })
}

impl NativeClassifier {
    /// `x` as a matrix with the number of features the model was fitted on.
    fn features<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<numpy::PyReadonlyArray2<'py, f64>> {
        let xm = matrix(x, "X")?;
        let ncols = xm.as_array().ncols();
        if ncols != self.model.n_features() {
            return Err(PyValueError::new_err(format!(
                "X has {ncols} features, but the model was fitted on {}",
                self.model.n_features()
            )));
        }
        Ok(xm)
    }
}

#[pymethods]
impl NativeClassifier {
    /// Class scores per row (`n × k`): probabilities when
    /// [`NativeClassifier::has_proba`], else decision values.
    fn scores<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let xm = self.features(x)?;
        let x = xm.as_array();
        let s = py.detach(|| self.model.scores(x));
        Ok(s.into_pyarray(py))
    }
    /// Predicted class codes.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<usize>>> {
        let xm = self.features(x)?;
        let x = xm.as_array();
        let codes = py.detach(|| self.model.predict(x));
        Ok(codes.into_pyarray(py))
    }
    /// Whether the scores are probabilities.
    fn has_proba(&self) -> bool {
        self.model.has_proba()
    }
    /// A linear model's `(coef, intercept)` in scikit-learn's layout, else
    /// `None`.
    #[allow(clippy::type_complexity)] // the two arrays of the pair
    fn coefficients<'py>(
        &self,
        py: Python<'py>,
    ) -> Option<(Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>)> {
        let (coef, intercept) = self.model.linear_coefficients()?;
        Some((coef.into_pyarray(py), intercept.into_pyarray(py)))
    }
}

/// Class codes `0..k` for fitting: read from an int64 numpy array in
/// place (no Python objects per element), else from any integer sequence.
fn class_codes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let bad = || PyValueError::new_err("y must be class codes 0, 1, …");
    if let Ok(a) = obj.cast::<PyArray1<i64>>() {
        let a = a.readonly();
        return a
            .as_array()
            .iter()
            .map(|&c| usize::try_from(c).map_err(|_| bad()))
            .collect();
    }
    obj.extract::<Vec<usize>>().map_err(|_| bad())
}

fn codes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<i64>> {
    obj.extract::<Vec<i64>>()
        .map_err(|_| PyValueError::new_err(format!("{what} must be integer class codes")))
}

/// Accuracy, balanced accuracy, precision / recall / F1 of integer-coded
/// labels; `metric` names one of them.
#[pyfunction]
#[pyo3(signature = (metric, y_true, y_pred, average="binary", pos_label=None))]
fn label_metric(
    metric: &str,
    y_true: &Bound<'_, PyAny>,
    y_pred: &Bound<'_, PyAny>,
    average: &str,
    pos_label: Option<i64>,
) -> PyResult<f64> {
    let (t, p) = (codes(y_true, "y_true")?, codes(y_pred, "y_pred")?);
    let average = match average {
        "binary" => Average::Binary,
        "macro" => Average::Macro,
        "micro" => Average::Micro,
        "weighted" => Average::Weighted,
        other => {
            return Err(PyValueError::new_err(format!(
                "invalid average = {other:?}: expected 'binary', 'macro', 'micro' or 'weighted'"
            )));
        }
    };
    let r = match metric {
        "accuracy" => cls::accuracy(&t, &p),
        "balanced_accuracy" => cls::balanced_accuracy(&t, &p),
        "precision" | "recall" | "f1" => {
            cls::precision_recall_f1(&t, &p, average, pos_label.as_ref()).map(|s| match metric {
                "precision" => s.precision,
                "recall" => s.recall,
                _ => s.f1,
            })
        }
        other => return Err(PyValueError::new_err(format!("unknown metric {other:?}"))),
    };
    r.map_err(to_pyerr)
}

/// Confusion matrix of integer-coded labels: `(labels, counts)`.
#[pyfunction]
fn confusion(
    y_true: &Bound<'_, PyAny>,
    y_pred: &Bound<'_, PyAny>,
) -> PyResult<(Vec<i64>, Vec<Vec<u64>>)> {
    let (t, p) = (codes(y_true, "y_true")?, codes(y_pred, "y_pred")?);
    let c = cls::confusion_matrix(&t, &p).map_err(to_pyerr)?;
    Ok((c.labels, c.counts))
}

/// Binary ROC AUC of integer-coded labels and scores.
#[pyfunction]
fn roc_auc_binary(y_true: &Bound<'_, PyAny>, y_score: &Bound<'_, PyAny>) -> PyResult<f64> {
    let t = codes(y_true, "y_true")?;
    let s = sample(y_score, "y_score")?;
    let s = s.values("y_score")?;
    cls::roc_auc(&t, &s).map_err(to_pyerr)
}

/// Log loss of integer-coded labels and an `n × k` probability matrix.
#[pyfunction]
fn log_loss_coded(y_true: &Bound<'_, PyAny>, proba: &Bound<'_, PyAny>) -> PyResult<f64> {
    let t = codes(y_true, "y_true")?;
    let p = matrix(proba, "y_pred")?;
    cls::log_loss(&t, p.as_array()).map_err(to_pyerr)
}

/// Register the functions and classes on `m`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeClassifier>()?;
    m.add_function(wrap_pyfunction!(classifier_fit, m)?)?;
    m.add_function(wrap_pyfunction!(label_metric, m)?)?;
    m.add_function(wrap_pyfunction!(confusion, m)?)?;
    m.add_function(wrap_pyfunction!(roc_auc_binary, m)?)?;
    m.add_function(wrap_pyfunction!(log_loss_coded, m)?)?;
    Ok(())
}
