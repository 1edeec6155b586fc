//! The labelled, Arrow-level classifier: preprocessing learnt on the
//! training batch, class labels read from a target column, a fitted model,
//! all serde-serialisable, predicting on new batches with the same columns.

use arrow_array::RecordBatch;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::importance::{Importance, permutation_importance};
use super::model::{Classifier, Fit};
use super::preprocess::{Feature, PreprocessOptions, Preprocessor};
use crate::regression::Column;
use crate::{Error, Result};

/// What to fit: the target column, the feature columns, preprocessing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// Column of class labels (strings, booleans or numbers).
    pub target: String,
    /// Feature columns.
    pub features: Vec<String>,
    /// Imputation and scaling.
    pub preprocess: PreprocessOptions,
}

impl PipelineSpec {
    /// `target ~ features` with default preprocessing.
    pub fn new(
        target: impl Into<String>,
        features: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        PipelineSpec {
            target: target.into(),
            features: features.into_iter().map(Into::into).collect(),
            preprocess: PreprocessOptions::default(),
        }
    }
}

/// A serialisable description of a fitted pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSummary {
    /// The model type (e.g. `RandomForest`).
    pub model: String,
    /// Target column.
    pub target: String,
    /// Classes in code order.
    pub classes: Vec<String>,
    /// Input feature columns.
    pub features: Vec<String>,
    /// Columns of the encoded feature matrix.
    pub encoded: Vec<String>,
    /// Training rows used.
    pub n_train: usize,
    /// Training rows dropped because the target was missing.
    pub dropped: usize,
    /// Whether the model gives probabilities.
    pub has_proba: bool,
}

/// A fitted classification pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline<M> {
    /// Feature preprocessing.
    pub preprocessor: Preprocessor,
    /// Class labels in code order (sorted; numbers numerically).
    pub classes: Vec<String>,
    /// The fitted model.
    pub model: M,
    /// Description of the fit.
    pub summary: ModelSummary,
}

/// Class labels of the target column as strings, with `None` for missing;
/// numeric targets sort numerically.
fn target_labels(batch: &RecordBatch, target: &str) -> Result<(Vec<Option<String>>, Vec<String>)> {
    match Column::read(batch, target)? {
        Column::Categorical(v) => {
            let mut classes: Vec<String> = v.iter().flatten().cloned().collect();
            classes.sort();
            classes.dedup();
            Ok((v, classes))
        }
        Column::Numeric(v) => {
            let mut nums: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            nums.sort_by(f64::total_cmp);
            nums.dedup();
            let fmt = |x: f64| format!("{x}");
            Ok((
                v.iter().map(|&x| x.is_finite().then(|| fmt(x))).collect(),
                nums.into_iter().map(fmt).collect(),
            ))
        }
    }
}

impl<M: Classifier> Pipeline<M> {
    /// Learn preprocessing on the rows with a target, then fit `params`.
    pub fn fit<F: Fit<Model = M>>(
        params: &F,
        batch: &RecordBatch,
        spec: &PipelineSpec,
    ) -> Result<Pipeline<M>> {
        if spec.features.contains(&spec.target) {
            return Err(Error::invalid(
                "features",
                &spec.target,
                "feature columns other than the target",
            ));
        }
        let (labels, classes) = target_labels(batch, &spec.target)?;
        let keep: Vec<usize> = (0..labels.len()).filter(|&i| labels[i].is_some()).collect();
        let dropped = labels.len() - keep.len();
        let y: Vec<usize> = keep
            .iter()
            .map(|&i| {
                let l = labels[i].as_ref().expect("kept");
                // numeric labels are sorted numerically, so no binary search
                classes.iter().position(|c| c == l).expect("a class")
            })
            .collect();
        let kept = if dropped > 0 {
            let idx: Vec<u32> = keep.iter().map(|&i| i as u32).collect();
            take_rows(batch, &idx)?
        } else {
            batch.clone()
        };
        let preprocessor = Preprocessor::fit(&kept, &spec.features, &spec.preprocess)?;
        let x = preprocessor.transform(&kept)?;
        let model = params.fit(x.view(), &y, classes.len())?;
        let name = std::any::type_name::<M>();
        let summary = ModelSummary {
            model: name.rsplit("::").next().unwrap_or(name).to_string(),
            target: spec.target.clone(),
            classes: classes.clone(),
            features: spec.features.clone(),
            encoded: preprocessor.names.clone(),
            n_train: y.len(),
            dropped,
            has_proba: model.has_proba(),
        };
        Ok(Pipeline {
            preprocessor,
            classes,
            model,
            summary,
        })
    }

    /// The encoded feature matrix of `batch` (every feature column must be
    /// there, by name, in any order).
    pub fn features(&self, batch: &RecordBatch) -> Result<Array2<f64>> {
        let x = self.preprocessor.transform(batch)?;
        if x.ncols() != self.model.n_features() {
            return Err(Error::invalid(
                "encoded columns",
                x.ncols(),
                format!("{} as when fitting", self.model.n_features()),
            ));
        }
        Ok(x)
    }

    /// Predicted class label of each row.
    pub fn predict(&self, batch: &RecordBatch) -> Result<Vec<String>> {
        let x = self.features(batch)?;
        Ok(self
            .model
            .predict(x.view())
            .into_iter()
            .map(|c| self.classes[c].clone())
            .collect())
    }

    /// Class probabilities (`rows × classes`, columns in [`Pipeline::classes`]
    /// order); an error for models without probabilities (linear SVM).
    pub fn predict_proba(&self, batch: &RecordBatch) -> Result<Array2<f64>> {
        if !self.model.has_proba() {
            return Err(Error::invalid(
                "predict_proba",
                &self.summary.model,
                "a model with probabilities (use predict for this one)",
            ));
        }
        Ok(self.model.scores(self.features(batch)?.view()))
    }

    /// Permutation importance of each input feature column on `batch`
    /// (which must have the target): one-hot columns of a categorical
    /// feature are shuffled together, as shuffling the input column.
    pub fn permutation_importance(
        &self,
        batch: &RecordBatch,
        n_repeats: usize,
        seed: u64,
    ) -> Result<Importance> {
        let (labels, _) = target_labels(batch, &self.summary.target)?;
        let y: Vec<usize> = labels
            .iter()
            .map(|l| {
                let l = l.as_ref().ok_or_else(|| Error::MissingValues {
                    what: format!("target column '{}'", self.summary.target),
                })?;
                self.classes
                    .iter()
                    .position(|c| c == l)
                    .ok_or_else(|| Error::invalid("class", l, format!("one of {:?}", self.classes)))
            })
            .collect::<Result<_>>()?;
        let x = self.features(batch)?;
        let mut groups = Vec::new();
        let mut col = 0;
        for f in &self.preprocessor.features {
            let (name, width) = match f {
                Feature::Numeric { column, .. } => (column, 1),
                Feature::Categorical { column, levels, .. } => (column, levels.len()),
            };
            groups.push((name.clone(), (col..col + width).collect()));
            col += width;
        }
        permutation_importance(&self.model, x.view(), &y, &groups, n_repeats, seed)
    }
}

/// Rows `idx` of every column of `batch`, through the design reader (so no
/// arrow compute kernels are needed).
fn take_rows(batch: &RecordBatch, idx: &[u32]) -> Result<RecordBatch> {
    use arrow_array::{ArrayRef, Float64Array, StringArray};
    use std::sync::Arc;
    let schema = batch.schema();
    let mut cols: Vec<(String, ArrayRef)> = Vec::new();
    for f in schema.fields() {
        let arr: ArrayRef = match Column::read(batch, f.name())? {
            Column::Numeric(v) => Arc::new(Float64Array::from(
                idx.iter()
                    .map(|&i| Some(v[i as usize]).filter(|x| !x.is_nan()))
                    .collect::<Vec<_>>(),
            )),
            Column::Categorical(v) => Arc::new(StringArray::from(
                idx.iter()
                    .map(|&i| v[i as usize].clone())
                    .collect::<Vec<_>>(),
            )),
        };
        cols.push((f.name().clone(), arr));
    }
    RecordBatch::try_from_iter(cols)
        .map_err(|e| Error::Degenerate(format!("cannot subset rows: {e}")))
}

impl<M> Pipeline<M> {
    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }
}
