//! Classification: metrics identical to scikit-learn 1.7's, preprocessing,
//! seeded splits, seven models and permutation importance.
//!
//! - **Metrics** ([`accuracy`], [`balanced_accuracy`], [`precision_recall_f1`],
//!   [`confusion_matrix`], [`classification_report`], [`roc_curve`],
//!   [`roc_auc`], [`roc_auc_ovr`], [`log_loss`]) take integer or string
//!   labels (any [`Label`]); classes are taken in sorted order, as
//!   scikit-learn's `np.unique`, and probability matrices have one column per
//!   class in that order.
//! - **Preprocessing** ([`Preprocessor`]): imputation, standard scaling and
//!   one-hot coding from Arrow, through the regression design code.
//! - **Splits** ([`stratified_split`], [`stratified_kfold`]) seeded with
//!   ChaCha8.
//! - **Models**, linfa style: settings implement [`Fit`] and return a fitted
//!   type implementing [`Classifier`], serde-serialisable:
//!   [`LogisticParams`] → [`LogisticRegression`], [`GaussianNbParams`] →
//!   [`GaussianNb`], [`TreeParams`] → [`DecisionTree`], [`ForestParams`] →
//!   [`RandomForest`], [`KnnParams`] → [`KNearest`], [`BoostingParams`] →
//!   [`GradientBoosting`], [`SvmParams`] → [`LinearSvm`]. They are written
//!   here rather than taken from linfa-logistic/-trees/-bayes/-nn/-svm: each
//!   is short, matches scikit-learn's definition of the model it names
//!   (intercept handling, leaf values, tie rules), is seeded where random,
//!   and adds no crates to a 2-core build.
//! - **Arrow level** ([`Pipeline`]): target labels, preprocessing and a
//!   model in one serialisable value that predicts on new batches with the
//!   same columns; [`Pipeline::permutation_importance`].
//!
//! Models are checked against scikit-learn by mean 5-fold accuracy on its
//! bundled datasets with the same folds (tests/classification.rs), and the
//! deterministic ones directly: logistic coefficients and probabilities,
//! naive Bayes parameters and probabilities, kNN votes, and a decision
//! tree's structure, node by node (tests/classification_models.rs). Random
//! forests and gradient boosting split on quantile-binned features (at most
//! 255 bins per feature, as scikit-learn's `HistGradientBoosting`), so their
//! thresholds can differ from scikit-learn's exact ones.
//!
//! ```
//! use abstat_core::classification::{accuracy, precision_recall_f1, Average};
//! let y_true = ["cat", "dog", "dog", "cat"];
//! let y_pred = ["cat", "dog", "cat", "cat"];
//! assert_eq!(accuracy(&y_true, &y_pred).unwrap(), 0.75);
//! let s = precision_recall_f1(&y_true, &y_pred, Average::Macro, None).unwrap();
//! assert!((s.recall - 0.75).abs() < 1e-12);
//! ```

mod labels;
mod metrics;
mod scoring;

pub use labels::{Classes, Label};
pub use metrics::{
    Average, ClassificationReport, ConfusionMatrix, ReportRow, Scores, accuracy, balanced_accuracy,
    classification_report, confusion_matrix, precision_recall_f1,
};
pub(crate) use scoring::trapezoid;
pub use scoring::{AucAverage, RocCurve, log_loss, roc_auc, roc_auc_ovr, roc_curve};
mod preprocess;
mod split;
pub use preprocess::{Feature, Impute, PreprocessOptions, Preprocessor};
pub use split::{Split, stratified_kfold, stratified_split};
mod lbfgs;
mod logistic;
mod model;
mod naive_bayes;
mod tree;
pub use logistic::{LogisticParams, LogisticRegression};
pub use model::{Classifier, Fit, cross_val_accuracy};
pub use naive_bayes::{GaussianNb, GaussianNbParams};
pub use tree::{Criterion, DecisionTree, Node, TreeParams};
mod binned_tree;
mod binning;
mod forest;
mod knn;
pub use forest::{ForestParams, RandomForest};
pub use knn::{KNearest, KnnParams};
mod boosting;
pub use boosting::{BoostingParams, GradientBoosting};
mod svm;
pub use svm::{LinearSvm, SvmParams};
mod importance;
mod pipeline;
pub use importance::{Importance, permutation_importance};
pub use pipeline::{ModelSummary, Pipeline, PipelineSpec};
