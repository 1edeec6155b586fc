//! Classification pipeline and models against scikit-learn 1.7.2
//! (fixtures: scripts/fixtures/gen_classification.py).

mod common;

use std::sync::Arc;

use abstat_core::Error;
use abstat_core::classification::{
    BoostingParams, Criterion, Fit, ForestParams, GaussianNbParams, Impute, KnnParams,
    LogisticParams, PreprocessOptions, Preprocessor, Split, SvmParams, TreeParams,
    cross_val_accuracy, stratified_kfold, stratified_split,
};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use common::{assert_close, num};
use ndarray::Array2;
use serde_json::Value;

fn batch(columns: &Value) -> RecordBatch {
    let mut cols: Vec<(String, ArrayRef)> = Vec::new();
    for (name, v) in columns.as_object().unwrap() {
        let vals = v.as_array().unwrap();
        let arr: ArrayRef = if vals.iter().any(|v| v.is_string() && v != "nan") {
            Arc::new(StringArray::from(
                vals.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            ))
        } else {
            Arc::new(Float64Array::from(
                vals.iter()
                    .map(|x| Some(num(x)).filter(|f| !f.is_nan()))
                    .collect::<Vec<_>>(),
            ))
        };
        cols.push((name.clone(), arr));
    }
    RecordBatch::try_from_iter(cols).unwrap()
}

#[test]
fn preprocessing_matches_sklearn_column_transformer() {
    for case in common::cases("classification") {
        if case["kind"] != "preprocess" {
            continue;
        }
        let strategy = case["strategy"].as_str().unwrap();
        let impute = match strategy {
            "mean" => Impute::Mean,
            "median" => Impute::Median,
            _ => Impute::MostFrequent,
        };
        let b = batch(&case["columns"]);
        let cols: Vec<String> = ["a", "b", "city"].map(String::from).to_vec();
        let opts = PreprocessOptions {
            impute,
            scale: true,
        };
        let p = Preprocessor::fit(&b, &cols, &opts).unwrap();
        let x = p.transform(&b).unwrap();
        let names: Vec<String> = serde_json::from_value(case["names"].clone()).unwrap();
        assert_eq!(p.names[2..], names[..], "{strategy} names");
        let want = case["x"].as_array().unwrap();
        for (i, row) in want.iter().enumerate() {
            for (j, e) in row.as_array().unwrap().iter().enumerate() {
                // mean / variance sums in a different order than numpy's pairwise sums
                assert_close(
                    x[[i, j]],
                    num(e),
                    1e-12,
                    1e-13,
                    &format!("{strategy} x[{i},{j}]"),
                );
            }
        }
        // the same columns in another order transform the same way
        let mut reordered: Vec<(String, ArrayRef)> = Vec::new();
        for name in ["city", "b", "a"] {
            reordered.push((name.into(), b.column_by_name(name).unwrap().clone()));
        }
        let b2 = RecordBatch::try_from_iter(reordered).unwrap();
        assert_eq!(p.transform(&b2).unwrap(), x);
        // a missing column is named in the error
        let only_a = RecordBatch::try_from_iter(vec![("a", b.column(0).clone())]).unwrap();
        let err = p.transform(&only_a).unwrap_err();
        assert!(
            err.to_string().contains("city") || err.to_string().contains('b'),
            "{err}"
        );
        // an unseen level is an error, not a silent zero row
        let unseen = RecordBatch::try_from_iter(vec![
            ("a", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef),
            ("b", Arc::new(Float64Array::from(vec![1.0])) as ArrayRef),
            (
                "city",
                Arc::new(StringArray::from(vec!["Tokyo"])) as ArrayRef,
            ),
        ])
        .unwrap();
        assert!(matches!(
            p.transform(&unseen),
            Err(Error::InvalidParameter { .. })
        ));
    }
}

/// The y labels of a dataset case (one digit per row).
pub fn labels(case: &Value) -> Vec<usize> {
    let s = case["y"].as_str().unwrap();
    s.bytes().map(|b| usize::from(b - b'0')).collect()
}

/// The feature matrix of a dataset case.
pub fn features(case: &Value) -> Array2<f64> {
    let (n, p) = (
        case["n"].as_u64().unwrap() as usize,
        case["p"].as_u64().unwrap() as usize,
    );
    let x = &case["x"];
    let v: Vec<f64> = if let Some(s) = x.get("base36") {
        s.as_str()
            .unwrap()
            .chars()
            .map(|c| f64::from(c.to_digit(36).unwrap()))
            .collect()
    } else {
        x["floats"]
            .as_str()
            .unwrap()
            .split(' ')
            .map(|t| t.parse().unwrap())
            .collect()
    };
    Array2::from_shape_vec((n, p), v).unwrap()
}

#[test]
fn stratified_split_keeps_class_shares_and_is_seeded() {
    for case in common::cases("classification") {
        if case["kind"] != "dataset" {
            continue;
        }
        let y = labels(&case);
        let k = y.iter().max().unwrap() + 1;
        let s = stratified_split(&y, k, 0.25, 7).unwrap();
        assert_eq!(s.test.len(), (0.25 * y.len() as f64).ceil() as usize);
        assert_eq!(s.train.len() + s.test.len(), y.len());
        for c in 0..k {
            let total = y.iter().filter(|&&v| v == c).count() as f64;
            let in_test = s.test.iter().filter(|&&i| y[i] == c).count() as f64;
            assert!((in_test - 0.25 * total).abs() <= 1.0, "class {c}");
        }
        assert_eq!(s, stratified_split(&y, k, 0.25, 7).unwrap());
        assert_ne!(s, stratified_split(&y, k, 0.25, 8).unwrap());

        let folds = stratified_kfold(&y, k, 5, 3).unwrap();
        let mut seen = vec![0; y.len()];
        for f in &folds {
            for &i in &f.test {
                seen[i] += 1;
            }
            assert_eq!(f.train.len() + f.test.len(), y.len());
            for c in 0..k {
                let total = y.iter().filter(|&&v| v == c).count();
                let in_test = f.test.iter().filter(|&&i| y[i] == c).count();
                assert!(in_test == total / 5 || in_test == total.div_ceil(5));
            }
        }
        assert!(seen.iter().all(|&s| s == 1));
        assert_eq!(folds, stratified_kfold(&y, k, 5, 3).unwrap());
    }
    assert!(stratified_split(&[0, 0, 1], 2, 0.5, 0).is_err());
    assert!(stratified_split(&[0, 0, 1, 1], 2, 1.5, 0).is_err());
    assert!(stratified_kfold(&[0, 1], 2, 5, 0).is_err());
    assert!(stratified_kfold(&[0, 1, 0, 1], 2, 1, 0).is_err());
}

/// Standardise with the training rows' mean and population sd through the
/// preprocessor (numeric columns `f0..`).
fn scaled(x: &Array2<f64>, train: &[usize]) -> Array2<f64> {
    let to_batch = |rows: &[usize]| {
        let cols: Vec<(String, ArrayRef)> = (0..x.ncols())
            .map(|j| {
                let v: Vec<f64> = rows.iter().map(|&i| x[[i, j]]).collect();
                (format!("f{j}"), Arc::new(Float64Array::from(v)) as ArrayRef)
            })
            .collect();
        RecordBatch::try_from_iter(cols).unwrap()
    };
    let names: Vec<String> = (0..x.ncols()).map(|j| format!("f{j}")).collect();
    let p = Preprocessor::fit(&to_batch(train), &names, &PreprocessOptions::default()).unwrap();
    let all: Vec<usize> = (0..x.nrows()).collect();
    p.transform(&to_batch(&all)).unwrap()
}

fn cv_accuracy<F: Fit>(
    params: &F,
    x: &Array2<f64>,
    y: &[usize],
    folds: &[Split],
    scale: bool,
) -> f64 {
    let k = y.iter().max().unwrap() + 1;
    let mut total = 0.0;
    for f in folds {
        let xs = if scale {
            scaled(x, &f.train)
        } else {
            x.clone()
        };
        total += cross_val_accuracy(params, xs.view(), y, k, std::slice::from_ref(f)).unwrap()[0];
    }
    total / folds.len() as f64
}

/// Each model's mean 5-fold accuracy on sklearn's datasets, on the same
/// folds, within 2 points of the sklearn model of the same kind.
#[test]
fn models_match_sklearn_accuracy_on_bundled_datasets() {
    for case in common::cases("classification") {
        if case["kind"] != "dataset" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let (x, y) = (features(&case), labels(&case));
        let fold: Vec<usize> = labels(&serde_json::json!({"y": case["fold"]}));
        let folds: Vec<Split> = (0..5)
            .map(|f| {
                let (test, train) = (0..y.len()).partition(|&i| fold[i] == f);
                Split { train, test }
            })
            .collect();
        let models = &case["models"];
        let check = |model: &str, ours: f64| {
            let Some(m) = models.get(model) else { return };
            let theirs = num(&m["cv_accuracy"]);
            eprintln!("{name} {model}: abstat {ours:.4} sklearn {theirs:.4}");
            assert!(
                (ours - theirs).abs() <= 0.02,
                "{name} {model}: abstat {ours} vs sklearn {theirs}"
            );
        };
        check(
            "logistic",
            cv_accuracy(&LogisticParams::default(), &x, &y, &folds, true),
        );
        check(
            "gaussian_nb",
            cv_accuracy(&GaussianNbParams::default(), &x, &y, &folds, false),
        );
        check(
            "decision_tree",
            cv_accuracy(&TreeParams::default(), &x, &y, &folds, false),
        );
        let entropy = TreeParams {
            criterion: Criterion::Entropy,
            max_depth: Some(5),
            ..TreeParams::default()
        };
        check(
            "decision_tree_entropy",
            cv_accuracy(&entropy, &x, &y, &folds, false),
        );
        check(
            "random_forest",
            cv_accuracy(&ForestParams::default(), &x, &y, &folds, false),
        );
        check(
            "knn",
            cv_accuracy(&KnnParams::default(), &x, &y, &folds, true),
        );
        let gbt = BoostingParams::default();
        check(
            "gradient_boosting",
            cv_accuracy(&gbt, &x, &y, &folds, false),
        );
        let svm = SvmParams::default();
        check("linear_svm", cv_accuracy(&svm, &x, &y, &folds, true));
    }
}
