//! The Arrow-level pipeline: fit, predict on new batches, serde round trip,
//! column checks, seeded determinism and permutation importance. These are
//! behaviour tests; the numbers are checked against scikit-learn in
//! tests/classification.rs and tests/classification_metrics.rs.

mod common;

use std::sync::Arc;

use abstat_core::Error;
use abstat_core::classification::{
    BoostingParams, Classifier, ForestParams, GaussianNbParams, KnnParams, LogisticParams,
    Pipeline, PipelineSpec, RandomForest, SvmParams, TreeParams,
};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};

/// 300 rows: `signal` decides the class together with `city`; `noise` is
/// irrelevant; a few values and targets are missing.
fn data(seed: u64) -> RecordBatch {
    let n = 300;
    let signal = common::det_normal(seed, n, 0.0, 1.0);
    let noise = common::det_normal(seed + 10, n, 5.0, 3.0);
    let u = common::det_uniform(seed + 20, n);
    let cities = ["Berlin", "Moscow", "Paris"];
    let city: Vec<Option<&str>> = (0..n)
        .map(|i| (i % 17 != 3).then_some(cities[(u[i] * 3.0) as usize]))
        .collect();
    let label: Vec<Option<&str>> = (0..n)
        .map(|i| {
            if i % 41 == 7 {
                return None;
            }
            let shift = if city[i] == Some("Paris") { 1.0 } else { 0.0 };
            let z = signal[i] + shift;
            Some(if z < -0.3 {
                "low"
            } else if z < 0.8 {
                "mid"
            } else {
                "high"
            })
        })
        .collect();
    let sig: Vec<Option<f64>> = (0..n).map(|i| (i % 23 != 5).then_some(signal[i])).collect();
    RecordBatch::try_from_iter(vec![
        ("signal", Arc::new(Float64Array::from(sig)) as ArrayRef),
        ("noise", Arc::new(Float64Array::from(noise)) as ArrayRef),
        ("city", Arc::new(StringArray::from(city)) as ArrayRef),
        ("label", Arc::new(StringArray::from(label)) as ArrayRef),
    ])
    .unwrap()
}

fn spec() -> PipelineSpec {
    PipelineSpec::new("label", ["signal", "noise", "city"])
}

#[test]
fn pipeline_fits_predicts_and_round_trips_through_serde() {
    let train = data(1);
    let test = data(2);
    let fit = Pipeline::fit(&LogisticParams::default(), &train, &spec()).unwrap();
    assert_eq!(fit.classes, ["high", "low", "mid"]);
    assert_eq!(fit.summary.dropped, 8);
    assert_eq!(fit.summary.encoded.len(), 5);
    assert_eq!(fit.summary.model, "LogisticRegression");
    let pred = fit.predict(&test).unwrap();
    assert_eq!(pred.len(), 300);
    let proba = fit.predict_proba(&test).unwrap();
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    // the serialised model predicts the same
    let json = serde_json::to_string(&fit).unwrap();
    let back: Pipeline<abstat_core::classification::LogisticRegression> =
        serde_json::from_str(&json).unwrap();
    assert_eq!(back.predict(&test).unwrap(), pred);
    let summary = serde_json::to_value(&fit.summary).unwrap();
    assert_eq!(summary["target"], "label");

    // columns in another order are matched by name
    let reordered = RecordBatch::try_from_iter(
        ["city", "label", "noise", "signal"].map(|c| (c, test.column_by_name(c).unwrap().clone())),
    )
    .unwrap();
    assert_eq!(fit.predict(&reordered).unwrap(), pred);
    // a missing column is named
    let without = RecordBatch::try_from_iter(
        ["signal", "noise"].map(|c| (c, test.column_by_name(c).unwrap().clone())),
    )
    .unwrap();
    let err = fit.predict(&without).unwrap_err();
    assert!(err.to_string().contains("city"), "{err}");
    // a numeric column where a categorical one was: a type error
    let wrong = RecordBatch::try_from_iter(vec![
        ("signal", test.column(0).clone()),
        ("noise", test.column(1).clone()),
        ("city", test.column(1).clone()),
    ])
    .unwrap();
    assert!(matches!(
        fit.predict(&wrong),
        Err(Error::UnsupportedType { .. })
    ));
}

#[test]
fn every_model_fits_the_pipeline() {
    let (train, test) = (data(1), data(2));
    let acc = |pred: Vec<String>| {
        let truth = abstat_core::regression::Column::read(&test, "label").unwrap();
        let abstat_core::regression::Column::Categorical(t) = truth else {
            panic!()
        };
        let pairs: Vec<_> = t.iter().zip(&pred).filter(|(t, _)| t.is_some()).collect();
        pairs
            .iter()
            .filter(|(t, p)| t.as_deref() == Some(p.as_str()))
            .count() as f64
            / pairs.len() as f64
    };
    let s = spec();
    let scores = [
        acc(Pipeline::fit(&LogisticParams::default(), &train, &s)
            .unwrap()
            .predict(&test)
            .unwrap()),
        acc(Pipeline::fit(&GaussianNbParams::default(), &train, &s)
            .unwrap()
            .predict(&test)
            .unwrap()),
        acc(Pipeline::fit(
            &TreeParams {
                max_depth: Some(4),
                ..TreeParams::default()
            },
            &train,
            &s,
        )
        .unwrap()
        .predict(&test)
        .unwrap()),
        acc(Pipeline::fit(
            &ForestParams {
                n_trees: 30,
                ..ForestParams::default()
            },
            &train,
            &s,
        )
        .unwrap()
        .predict(&test)
        .unwrap()),
        acc(Pipeline::fit(&KnnParams::default(), &train, &s)
            .unwrap()
            .predict(&test)
            .unwrap()),
        acc(Pipeline::fit(
            &BoostingParams {
                n_trees: 30,
                ..BoostingParams::default()
            },
            &train,
            &s,
        )
        .unwrap()
        .predict(&test)
        .unwrap()),
        acc(Pipeline::fit(&SvmParams::default(), &train, &s)
            .unwrap()
            .predict(&test)
            .unwrap()),
    ];
    // three classes: chance is about 1/3; the signal makes every model far better
    for (i, a) in scores.iter().enumerate() {
        assert!(*a > 0.6, "model {i}: accuracy {a}");
    }
    let svm = Pipeline::fit(&SvmParams::default(), &train, &s).unwrap();
    assert!(svm.predict_proba(&test).is_err());
}

#[test]
fn forest_is_deterministic_for_a_seed_and_any_thread_count() {
    let train = data(3);
    let params = ForestParams {
        n_trees: 20,
        seed: 42,
        ..ForestParams::default()
    };
    let fit = |threads: usize| -> Pipeline<RandomForest> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| Pipeline::fit(&params, &train, &spec()).unwrap())
    };
    let (one, two) = (fit(1), fit(2));
    assert_eq!(one, two);
    let other = Pipeline::fit(&ForestParams { seed: 43, ..params }, &train, &spec()).unwrap();
    assert_ne!(one.model, other.model);
    assert_eq!(one.model.n_classes(), 3);
}

#[test]
fn permutation_importance_ranks_the_signal_and_is_seeded() {
    let (train, test) = (data(4), data(5));
    let fit = Pipeline::fit(&LogisticParams::default(), &train, &spec()).unwrap();
    let test_rows = RecordBatch::try_from_iter(
        ["signal", "noise", "city", "label"].map(|c| (c, test.column_by_name(c).unwrap().clone())),
    )
    .unwrap();
    // rows with a missing target are rejected here
    assert!(matches!(
        fit.permutation_importance(&test_rows, 5, 0),
        Err(Error::MissingValues { .. })
    ));
    let train_imp = fit
        .permutation_importance(&data_without_missing_target(&train), 5, 9)
        .unwrap();
    assert_eq!(train_imp.features, ["signal", "noise", "city"]);
    assert!(train_imp.mean[0] > 0.2, "{:?}", train_imp.mean);
    assert!(train_imp.mean[1].abs() < 0.05, "{:?}", train_imp.mean);
    assert!(train_imp.mean[2] > train_imp.mean[1]);
    let again = fit
        .permutation_importance(&data_without_missing_target(&train), 5, 9)
        .unwrap();
    assert_eq!(train_imp, again);
    assert!(
        fit.permutation_importance(&data_without_missing_target(&train), 0, 9)
            .is_err()
    );
}

fn data_without_missing_target(b: &RecordBatch) -> RecordBatch {
    let label = b.column_by_name("label").unwrap();
    let keep: Vec<usize> = (0..b.num_rows()).filter(|&i| label.is_valid(i)).collect();
    let cols: Vec<(String, ArrayRef)> = b
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let c = b.column_by_name(f.name()).unwrap();
            let arr: ArrayRef = if let Some(s) = c.as_any().downcast_ref::<StringArray>() {
                Arc::new(StringArray::from(
                    keep.iter()
                        .map(|&i| s.is_valid(i).then(|| s.value(i)))
                        .collect::<Vec<_>>(),
                ))
            } else {
                let s = c.as_any().downcast_ref::<Float64Array>().unwrap();
                Arc::new(Float64Array::from(
                    keep.iter()
                        .map(|&i| s.is_valid(i).then(|| s.value(i)))
                        .collect::<Vec<_>>(),
                ))
            };
            (f.name().clone(), arr)
        })
        .collect();
    RecordBatch::try_from_iter(cols).unwrap()
}

#[test]
fn model_errors_are_values() {
    use abstat_core::classification::Fit;
    use ndarray::Array2;
    let x = Array2::from_shape_vec((4, 1), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    // one class only
    assert!(matches!(
        LogisticParams::default().fit(x.view(), &[0, 0, 0, 0], 2),
        Err(Error::Degenerate(_))
    ));
    // labels and rows disagree
    assert!(matches!(
        TreeParams::default().fit(x.view(), &[0, 1], 2),
        Err(Error::LengthMismatch { .. })
    ));
    // NaN features must be imputed first
    let nan = Array2::from_shape_vec((4, 1), vec![1.0, f64::NAN, 3.0, 4.0]).unwrap();
    assert!(matches!(
        GaussianNbParams::default().fit(nan.view(), &[0, 1, 0, 1], 2),
        Err(Error::MissingValues { .. })
    ));
    // invalid settings
    assert!(
        LogisticParams {
            c: 0.0,
            ..LogisticParams::default()
        }
        .fit(x.view(), &[0, 1, 0, 1], 2)
        .is_err()
    );
    assert!(KnnParams { k: 9 }.fit(x.view(), &[0, 1, 0, 1], 2).is_err());
    assert!(
        ForestParams {
            n_trees: 0,
            ..ForestParams::default()
        }
        .fit(x.view(), &[0, 1, 0, 1], 2)
        .is_err()
    );
    assert!(
        TreeParams {
            min_samples_split: 1,
            ..TreeParams::default()
        }
        .fit(x.view(), &[0, 1, 0, 1], 2)
        .is_err()
    );
    assert!(
        BoostingParams {
            learning_rate: -1.0,
            ..BoostingParams::default()
        }
        .fit(x.view(), &[0, 1, 0, 1], 2)
        .is_err()
    );
    assert!(
        SvmParams {
            c: f64::NAN,
            ..SvmParams::default()
        }
        .fit(x.view(), &[0, 1, 0, 1], 2)
        .is_err()
    );
    // the target among the features
    let b = data(1);
    assert!(
        Pipeline::fit(
            &LogisticParams::default(),
            &b,
            &PipelineSpec::new("label", ["label"])
        )
        .is_err()
    );
    assert!(
        Pipeline::fit(
            &LogisticParams::default(),
            &b,
            &PipelineSpec::new("nope", ["signal"])
        )
        .is_err()
    );
}
