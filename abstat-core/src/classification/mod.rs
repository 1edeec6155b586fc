//! Classification: metrics identical to scikit-learn 1.7's, and (below)
//! preprocessing, model fitting and evaluation.
//!
//! Labels may be integers or strings (any [`Label`]); classes are always
//! taken in sorted order, as scikit-learn's `np.unique` orders them, and
//! probability matrices have one column per class in that order.
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
