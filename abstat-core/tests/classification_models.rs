//! Fitted parameters and predictions of the deterministic classifiers
//! against scikit-learn 1.7.2 on the same data
//! (fixtures: scripts/fixtures/gen_classification_models.py).

mod common;

use abstat_core::Error;
use abstat_core::classification::{
    Classifier, Criterion, DecisionTree, Fit, ForestParams, GaussianNbParams, KnnParams,
    LogisticParams, TreeParams,
};
use common::{assert_close, num};
use ndarray::Array2;
use serde_json::Value;

fn cases(kind: &str) -> Vec<Value> {
    let all: Vec<Value> = common::cases("classification_models")
        .into_iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert!(!all.is_empty(), "no {kind} cases");
    all
}

/// Features rebuilt from the case's column specs (rounded to `f32` when the
/// case says so, as scikit-learn's trees see them).
fn matrix(case: &Value, key: &str) -> Array2<f64> {
    let cols: Vec<Vec<f64>> = case[key]
        .as_array()
        .unwrap()
        .iter()
        .map(common::data)
        .collect();
    let f32_only = case.get("float32").is_some_and(|v| v == true);
    Array2::from_shape_fn((cols[0].len(), cols.len()), |(i, j)| {
        if f32_only {
            f64::from(cols[j][i] as f32)
        } else {
            cols[j][i]
        }
    })
}

fn labels(case: &Value) -> Vec<usize> {
    let s = case["y"].as_str().unwrap();
    s.bytes().map(|b| usize::from(b - b'0')).collect()
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(num).collect())
        .collect()
}

fn k_of(case: &Value) -> usize {
    case["k"].as_u64().unwrap() as usize
}

#[test]
fn logistic_coefficients_and_probabilities_match_sklearn() {
    for case in cases("logistic") {
        let name = case["name"].as_str().unwrap();
        let (x, y, k) = (matrix(&case, "x"), labels(&case), k_of(&case));
        let params = LogisticParams {
            c: num(&case["c"]),
            tol: 1e-10,
            max_iter: 10_000,
        };
        let m = params.fit(x.view(), &y, k).unwrap();
        // We minimise the same objective to gradient 1e-10 (Newton for two
        // classes, L-BFGS for more); scikit-learn stops its L-BFGS run
        // at gradient 1e-10 or at a relative decrease of 64ε in the loss
        // (scipy's ftol), which fixes the minimiser only to about
        // √(64ε) ≈ 1e-7 relative: hence 1e-6, not 1e-10.
        let (rtol, atol) = (1e-6, 1e-8);
        for (c, row) in rows(&case["coef"]).iter().enumerate() {
            for (j, &e) in row.iter().enumerate() {
                assert_close(
                    m.coef[j][c],
                    e,
                    rtol,
                    atol,
                    &format!("{name} coef[{c},{j}]"),
                );
            }
        }
        for (c, e) in rows(&serde_json::json!([case["intercept"]]))[0]
            .iter()
            .enumerate()
        {
            assert_close(m.intercept[c], *e, rtol, atol, &format!("{name} b[{c}]"));
        }
        let want = rows(&case["proba"]);
        let got = m.scores(x.view());
        for (i, r) in want.iter().enumerate() {
            for (c, &e) in r.iter().enumerate() {
                assert_close(got[[i, c]], e, rtol, 1e-12, &format!("{name} p[{i},{c}]"));
            }
        }
    }
}

#[test]
fn gaussian_nb_parameters_and_probabilities_match_sklearn() {
    for case in cases("gaussian_nb") {
        let name = case["name"].as_str().unwrap();
        let (x, y, k) = (matrix(&case, "x"), labels(&case), k_of(&case));
        let m = GaussianNbParams::default().fit(x.view(), &y, k).unwrap();
        let priors: Vec<f64> = case["priors"].as_array().unwrap().iter().map(num).collect();
        for (got, want) in m.priors.iter().zip(&priors) {
            // count / n on both sides
            assert_close(*got, *want, 1e-15, 0.0, &format!("{name} prior"));
        }
        for (what, got, want) in [
            ("mean", &m.means, rows(&case["means"])),
            ("variance", &m.variances, rows(&case["variances"])),
        ] {
            for c in 0..k {
                for (j, &e) in want[c].iter().enumerate() {
                    assert_close(
                        got[c][j],
                        e,
                        1e-10,
                        1e-300,
                        &format!("{name} {what}[{c},{j}]"),
                    );
                }
            }
        }
        let xt = matrix(&case, "x_test");
        let got = m.scores(xt.view());
        for (i, r) in rows(&case["proba"]).iter().enumerate() {
            for (c, &e) in r.iter().enumerate() {
                // a posterior is exp(jll_c − logsumexp jll): its absolute
                // error is the rounding of the joint log-likelihoods (~1e-14
                // of their size), so tiny posteriors are compared absolutely
                assert_close(got[[i, c]], e, 1e-10, 1e-13, &format!("{name} p[{i},{c}]"));
            }
        }
    }
}

/// `predict` equal and `predict_proba` within `rtol` on the case's test rows.
fn check_test_predictions(m: &impl Classifier, case: &Value, rtol: f64) {
    let name = case["name"].as_str().unwrap();
    let xt = matrix(case, "x_test");
    let want: Vec<usize> = case["predict"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(m.predict(xt.view()), want, "{name}");
    let got = m.scores(xt.view());
    for (i, r) in rows(&case["proba"]).iter().enumerate() {
        for (c, &e) in r.iter().enumerate() {
            assert_close(got[[i, c]], e, rtol, 0.0, &format!("{name} p[{i},{c}]"));
        }
    }
}

#[test]
fn knn_predictions_and_probabilities_equal_sklearn() {
    for case in cases("knn") {
        let (x, y, k) = (matrix(&case, "x"), labels(&case), k_of(&case));
        let m = KnnParams::default().fit(x.view(), &y, k).unwrap();
        // votes / k on both sides: exactly equal
        check_test_predictions(&m, &case, 0.0);
    }
}

/// Nodes in pre-order (scikit-learn's node numbering).
fn preorder(t: &DecisionTree) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![0];
    while let Some(id) = stack.pop() {
        out.push(id);
        let n = &t.nodes[id];
        if n.feature != usize::MAX {
            stack.push(n.right);
            stack.push(n.left);
        }
    }
    out
}

#[test]
fn decision_tree_structure_and_predictions_equal_sklearn() {
    for case in cases("decision_tree") {
        let name = case["name"].as_str().unwrap();
        let (x, y, k) = (matrix(&case, "x"), labels(&case), k_of(&case));
        let params = TreeParams {
            criterion: if case["criterion"] == "gini" {
                Criterion::Gini
            } else {
                Criterion::Entropy
            },
            max_depth: case["max_depth"].as_u64().map(|d| d as usize),
            min_samples_leaf: case["min_samples_leaf"].as_u64().unwrap() as usize,
            ..TreeParams::default()
        };
        let t = params.fit(x.view(), &y, k).unwrap();
        let want = case["nodes"].as_array().unwrap();
        let order = preorder(&t);
        assert_eq!(order.len(), want.len(), "{name}: node count");
        for (pos, (&id, w)) in order.iter().zip(want).enumerate() {
            let node = &t.nodes[id];
            let feature = w["feature"].as_i64().unwrap();
            if feature < 0 {
                assert_eq!(node.feature, usize::MAX, "{name}: node {pos} is a leaf");
                let shares: Vec<f64> = w["value"].as_array().unwrap().iter().map(num).collect();
                for (c, &e) in shares.iter().enumerate() {
                    // count / total on both sides
                    assert_close(node.value[c], e, 1e-15, 0.0, &format!("{name} leaf {pos}"));
                }
            } else {
                assert_eq!(node.feature, feature as usize, "{name}: node {pos} feature");
                // the same midpoint formula on the same float32 values
                assert_eq!(
                    node.threshold,
                    num(&w["threshold"]),
                    "{name}: node {pos} threshold"
                );
            }
        }
        // scikit-learn divides the leaf shares once more by their sum (1
        // up to rounding): one ulp apart at most
        check_test_predictions(&t, &case, 1e-15);
    }
}

#[test]
fn forest_rejects_bad_bin_counts() {
    let x = Array2::from_shape_fn((6, 1), |(i, _)| i as f64);
    let y = [0, 0, 0, 1, 1, 1];
    for max_bins in [0, 1, 257] {
        let p = ForestParams {
            max_bins,
            ..ForestParams::default()
        };
        assert!(
            matches!(p.fit(x.view(), &y, 2), Err(Error::InvalidParameter { .. })),
            "max_bins {max_bins}"
        );
    }
}

#[test]
fn forest_with_few_values_splits_where_an_exact_tree_does() {
    // every feature has fewer distinct values than bins, so the forest's
    // thresholds are midpoints between observed values, as an exact search
    let x = Array2::from_shape_fn((40, 2), |(i, j)| ((i * (j + 3)) % 7) as f64);
    let y: Vec<usize> = (0..40).map(|i| usize::from((i * 3) % 7 > 3)).collect();
    let f = ForestParams {
        n_trees: 5,
        ..ForestParams::default()
    }
    .fit(x.view(), &y, 2)
    .unwrap();
    let mids = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
    for t in &f.trees {
        for n in t.nodes.iter().filter(|n| n.feature != usize::MAX) {
            assert!(mids.contains(&n.threshold), "{}", n.threshold);
        }
    }
}
