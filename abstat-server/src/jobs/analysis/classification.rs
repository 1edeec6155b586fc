//! `POST /analytics/classification/`: abstat-core's Arrow pipeline
//! (preprocessing + model) fitted on a stratified split, scored on the
//! held-out rows with core's scikit-learn metrics; optional k-fold
//! cross-validation with the preprocessing refitted in every fold.

use abstat_api::{ClassificationRequest, ClassificationResult, ClassifierModel};
use abstat_core::Error;
use abstat_core::classification::{
    BoostingParams, Fit, ForestParams, GaussianNbParams, KnnParams, LogisticParams, Pipeline,
    PipelineSpec, SvmParams, TreeParams, accuracy, balanced_accuracy, classification_report,
    confusion_matrix, stratified_kfold, stratified_split,
};
use arrow_array::{RecordBatch, UInt32Array};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::columns::{ColumnRole, labels, levels};
use super::{Invalid, RunError};

/// The model's defaults overlaid with the request's settings; unknown
/// names are refused with the known ones.
fn merged<P: Default + Serialize + DeserializeOwned>(
    given: &serde_json::Map<String, serde_json::Value>,
) -> Result<(P, serde_json::Value), Invalid> {
    let mut all = serde_json::to_value(P::default()).unwrap_or_default();
    let known: Vec<String> = all
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for (k, v) in given {
        if !known.contains(k) {
            return Err(Invalid::parameter(
                &format!("params.{k}"),
                v,
                format!("a setting of this model: {}", known.join(", ")),
            ));
        }
        all[k] = v.clone();
    }
    let params = serde_json::from_value(all.clone()).map_err(|e| {
        Invalid::parameter(
            "params",
            serde_json::Value::Object(given.clone()),
            format!("settings of the right types ({e})"),
        )
    })?;
    Ok((params, all))
}

/// The parameters' checks; the columns and their roles.
pub(super) fn check(r: &ClassificationRequest) -> Result<Vec<(String, ColumnRole)>, Invalid> {
    if !(r.test_size > 0.0 && r.test_size < 1.0) {
        return Err(Invalid::parameter(
            "test_size",
            r.test_size,
            "a share strictly between 0 and 1, e.g. 0.25",
        ));
    }
    if let Some(k) = r.cv_folds
        && k < 2
    {
        return Err(Invalid::parameter("cv_folds", k, "at least 2 folds"));
    }
    if r.features.is_empty() {
        return Err(Invalid::parameter("features", "[]", "at least one column"));
    }
    if r.features.contains(&r.target) {
        return Err(Invalid::parameter(
            "features",
            &r.target,
            "feature columns other than the target",
        ));
    }
    with_params(r, |_p, _| Ok(()))?;
    let mut needs = vec![(r.target.clone(), ColumnRole::Labels)];
    needs.extend(r.features.iter().map(|f| (f.clone(), ColumnRole::Labels)));
    Ok(needs)
}

/// Call `f` with the model's typed settings (the one place that maps the
/// model name to a type).
fn with_params<T>(
    r: &ClassificationRequest,
    f: impl FnOnce(&dyn Evaluate, serde_json::Value) -> Result<T, Invalid>,
) -> Result<T, Invalid> {
    fn go<P, T>(
        r: &ClassificationRequest,
        f: impl FnOnce(&dyn Evaluate, serde_json::Value) -> Result<T, Invalid>,
    ) -> Result<T, Invalid>
    where
        P: Fit + Default + Serialize + DeserializeOwned + Send + Sync + 'static,
    {
        let (p, all) = merged::<P>(&r.params)?;
        f(&Typed(p), all)
    }
    match r.model {
        ClassifierModel::Logistic => go::<LogisticParams, T>(r, f),
        ClassifierModel::NaiveBayes => go::<GaussianNbParams, T>(r, f),
        ClassifierModel::DecisionTree => go::<TreeParams, T>(r, f),
        ClassifierModel::RandomForest => go::<ForestParams, T>(r, f),
        ClassifierModel::Knn => go::<KnnParams, T>(r, f),
        ClassifierModel::GradientBoosting => go::<BoostingParams, T>(r, f),
        ClassifierModel::LinearSvm => go::<SvmParams, T>(r, f),
    }
}

/// Fit on some rows, predict others: object-safe over the model type.
trait Evaluate {
    fn fit_predict(
        &self,
        train: &RecordBatch,
        test: &RecordBatch,
        spec: &PipelineSpec,
    ) -> abstat_core::Result<(Vec<String>, abstat_core::classification::ModelSummary)>;
}

struct Typed<P>(P);

impl<P: Fit> Evaluate for Typed<P> {
    fn fit_predict(
        &self,
        train: &RecordBatch,
        test: &RecordBatch,
        spec: &PipelineSpec,
    ) -> abstat_core::Result<(Vec<String>, abstat_core::classification::ModelSummary)> {
        let pipeline = Pipeline::fit(&self.0, train, spec)?;
        Ok((pipeline.predict(test)?, pipeline.summary))
    }
}

fn take(batch: &RecordBatch, rows: &[usize]) -> Result<RecordBatch, RunError> {
    let idx = UInt32Array::from(rows.iter().map(|&i| i as u32).collect::<Vec<_>>());
    arrow_select::take::take_record_batch(batch, &idx)
        .map_err(|e| RunError::Transient(format!("selecting rows: {e}")))
}

/// Train, test and score.
pub(super) fn run(
    batch: &RecordBatch,
    r: &ClassificationRequest,
) -> Result<ClassificationResult, RunError> {
    let target = labels(batch, &r.target)?;
    // rows with a label; class index of each, classes sorted
    let keep: Vec<usize> = (0..target.len()).filter(|&i| target[i].is_some()).collect();
    let classes = levels(&target);
    let y: Vec<usize> = keep
        .iter()
        .map(|&i| {
            classes
                .binary_search(target[i].as_ref().expect("kept"))
                .unwrap_or_default()
        })
        .collect();
    let batch = take(batch, &keep)?;
    let spec = PipelineSpec::new(&r.target, &r.features);
    let truth =
        |rows: &[usize]| -> Vec<String> { rows.iter().map(|&i| classes[y[i]].clone()).collect() };
    let split = stratified_split(&y, classes.len(), r.test_size, r.seed)?;
    let (train, test) = (take(&batch, &split.train)?, take(&batch, &split.test)?);
    let evaluated = with_params(r, |model, params| {
        let run = || -> Result<ClassificationResult, RunError> {
            let (pred, summary) = model.fit_predict(&train, &test, &spec)?;
            let y_true = truth(&split.test);
            let cv_accuracy = match r.cv_folds {
                None => None,
                Some(k) => Some(
                    stratified_kfold(&y, classes.len(), k as usize, r.seed)?
                        .iter()
                        .map(|fold| {
                            let (tr, te) = (take(&batch, &fold.train)?, take(&batch, &fold.test)?);
                            let (p, _) = model.fit_predict(&tr, &te, &spec)?;
                            Ok(accuracy(&truth(&fold.test), &p)?)
                        })
                        .collect::<Result<Vec<f64>, RunError>>()?,
                ),
            };
            Ok(ClassificationResult {
                model: r.model,
                params,
                summary,
                n_test: y_true.len(),
                accuracy: accuracy(&y_true, &pred)?,
                balanced_accuracy: balanced_accuracy(&y_true, &pred)?,
                report: classification_report(&y_true, &pred)?,
                confusion: confusion_matrix(&y_true, &pred)?,
                cv_accuracy,
            })
        };
        Ok(run())
    });
    match evaluated {
        Ok(result) => result,
        Err(Invalid::Parameter {
            name,
            value,
            expected,
        }) => Err(Error::InvalidParameter {
            name,
            value,
            expected,
        }
        .into()),
        Err(other) => Err(RunError::Client(format!("{other:?}"))),
    }
}
