//! Classification metrics against scikit-learn 1.7.2
//! (fixtures: scripts/fixtures/gen_classification_metrics.py).

mod common;

use std::fmt::Debug;

use abstat_core::Error;
use abstat_core::classification::{
    AucAverage, Average, Label, Scores, accuracy, balanced_accuracy, classification_report,
    confusion_matrix, log_loss, precision_recall_f1, roc_auc, roc_auc_ovr, roc_curve,
};
use common::{assert_close, num};
use ndarray::Array2;
use serde_json::Value;

// Ratios of integer counts: the same few floating-point operations as
// scikit-learn, so 1e-12 relative leaves room only for summation order.
const RTOL: f64 = 1e-12;

fn close(a: f64, e: &Value, what: &str) {
    assert_close(a, num(e), RTOL, 1e-15, what);
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(num).collect())
        .collect();
    let k = rows[0].len();
    Array2::from_shape_vec((rows.len(), k), rows.concat()).unwrap()
}

fn check_scores(s: &Scores, e: &Value, what: &str) {
    close(s.precision, &e["precision"], &format!("{what} precision"));
    close(s.recall, &e["recall"], &format!("{what} recall"));
    let f1 = if e.get("f1").is_some() {
        &e["f1"]
    } else {
        &e["f1-score"]
    };
    close(s.f1, f1, &format!("{what} f1"));
}

fn check<T: Label + Debug>(case: &Value, parse: fn(&Value) -> T) {
    let name = case["name"].as_str().unwrap();
    let labels = |k: &str| -> Vec<T> { case[k].as_array().unwrap().iter().map(parse).collect() };
    let (y_true, y_pred) = (labels("y_true"), labels("y_pred"));
    let e = &case["expected"];

    close(accuracy(&y_true, &y_pred).unwrap(), &e["accuracy"], name);
    close(
        balanced_accuracy(&y_true, &y_pred).unwrap(),
        &e["balanced_accuracy"],
        &format!("{name} balanced accuracy"),
    );

    let cm = confusion_matrix(&y_true, &y_pred).unwrap();
    let want: Vec<T> = e["confusion"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(parse)
        .collect();
    assert_eq!(cm.labels, want, "{name} confusion labels");
    let counts: Vec<Vec<u64>> = serde_json::from_value(e["confusion"]["counts"].clone()).unwrap();
    assert_eq!(cm.counts, counts, "{name} confusion counts");

    for (avg, av) in [
        ("macro", Average::Macro),
        ("micro", Average::Micro),
        ("weighted", Average::Weighted),
        ("binary", Average::Binary),
    ] {
        let Some(want) = e["prf"].get(avg) else {
            continue;
        };
        let pos = (av == Average::Binary).then(|| parse(&case["pos_label"]));
        let s = precision_recall_f1(&y_true, &y_pred, av, pos.as_ref()).unwrap();
        check_scores(&s, want, &format!("{name} {avg}"));
    }

    let report = classification_report(&y_true, &y_pred).unwrap();
    let r = &e["report"];
    close(
        report.accuracy,
        &r["accuracy"],
        &format!("{name} report accuracy"),
    );
    for row in &report.classes {
        let label = row.label.as_ref().unwrap().to_string();
        check_scores(&row.scores, &r[&label], &format!("{name} report {label}"));
        assert_eq!(row.support as f64, num(&r[&label]["support"]));
    }
    for (row, key) in [
        (&report.macro_avg, "macro avg"),
        (&report.weighted_avg, "weighted avg"),
    ] {
        check_scores(&row.scores, &r[key], &format!("{name} {key}"));
        assert_eq!(row.support as f64, num(&r[key]["support"]));
    }
    assert_eq!(report.classes.len() + 3, r.as_object().unwrap().len());

    let proba = matrix(&case["proba"]);
    close(
        log_loss(&y_true, proba.view()).unwrap(),
        &e["log_loss"],
        &format!("{name} log loss"),
    );

    if let Some(rc) = e.get("roc_curve") {
        let scores = common::data(&case["scores"]);
        close(
            roc_auc(&y_true, &scores).unwrap(),
            &e["roc_auc"],
            &format!("{name} auc"),
        );
        let c = roc_curve(&y_true, &scores, &parse(&rc["pos_label"])).unwrap();
        for (got, key) in [
            (&c.fpr, "fpr"),
            (&c.tpr, "tpr"),
            (&c.thresholds, "thresholds"),
        ] {
            let want = common::data(&rc[key]);
            assert_eq!(got.len(), want.len(), "{name} roc {key} length");
            for (i, (&a, &b)) in got.iter().zip(&want).enumerate() {
                assert_close(a, b, RTOL, 1e-15, &format!("{name} roc {key}[{i}]"));
            }
        }
    } else {
        for (key, av) in [
            ("roc_auc_ovr_macro", AucAverage::Macro),
            ("roc_auc_ovr_weighted", AucAverage::Weighted),
        ] {
            close(
                roc_auc_ovr(&y_true, proba.view(), av).unwrap(),
                &e[key],
                &format!("{name} {key}"),
            );
        }
    }
}

#[test]
fn metrics_match_sklearn() {
    for case in common::cases("classification_metrics") {
        if case["y_true"][0].is_string() {
            check(&case, |v| v.as_str().unwrap().to_string());
        } else {
            check(&case, |v| v.as_i64().unwrap());
        }
    }
}

#[test]
fn metric_errors_are_values() {
    let empty: [i64; 0] = [];
    assert!(matches!(
        accuracy(&empty, &empty),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        accuracy(&[1, 2], &[1]),
        Err(Error::LengthMismatch { .. })
    ));
    // binary average needs a positive label and at most two classes
    let (t, p) = ([0, 1, 2], [0, 1, 1]);
    assert!(precision_recall_f1(&t, &p, Average::Binary, None).is_err());
    assert!(precision_recall_f1(&t, &p, Average::Binary, Some(&1)).is_err());
    assert!(precision_recall_f1(&[0, 1], &[0, 1], Average::Binary, Some(&5)).is_err());
    // a single class makes AUC and log loss undefined
    assert!(matches!(
        roc_auc(&[1, 1, 1], &[0.1, 0.2, 0.3]),
        Err(Error::Degenerate(_))
    ));
    let p = Array2::from_shape_vec((2, 2), vec![0.5, 0.5, 0.5, 0.5]).unwrap();
    assert!(log_loss(&[1, 1], p.view()).is_err());
    // rows that are not probabilities
    let bad = Array2::from_shape_vec((2, 2), vec![0.5, 0.6, 0.5, 0.5]).unwrap();
    assert!(log_loss(&[0, 1], bad.view()).is_err());
    assert!(roc_auc(&[0, 1], &[f64::NAN, 0.2]).is_err());
    let three = Array2::from_shape_vec((3, 2), vec![0.5; 6]).unwrap();
    assert!(roc_auc_ovr(&[0, 1, 2], three.view(), AucAverage::Macro).is_err());
    // zero division gives 0, as scikit-learn's default
    let s = precision_recall_f1(&[0, 0], &[0, 0], Average::Binary, Some(&1)).unwrap();
    assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
}
