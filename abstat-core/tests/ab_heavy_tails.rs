//! The heavy-tails check of A/B mean metrics against scipy.stats.skew
//! (bias=True) and the rule n > 355·g1² (Kohavi, Tang & Xu 2020, ch. 17);
//! fixtures from scripts/fixtures/gen_ab_heavy_tails.py.

mod common;

use abstat_core::NanPolicy;
use abstat_core::ab::heavy_tails::heavy_tails;
use abstat_core::ab::{ExperimentOptions, MetricInput, MetricStats, PowerSums, analyze};
use common::{assert_close, cases, data, num};
use serde_json::Value;

/// Both arms of a case as one column with its variant index (log-normal
/// arms are exp() of the stored normal specs, on both sides).
fn arms(c: &Value) -> (Vec<f64>, Vec<u32>) {
    let arm = |v: &Value| {
        let y = data(v);
        if c["log_normal"].as_bool().unwrap() {
            y.into_iter().map(f64::exp).collect()
        } else {
            y
        }
    };
    let (a, b) = (arm(&c["control"]), arm(&c["treatment"]));
    let variant = std::iter::repeat_n(0, a.len())
        .chain(std::iter::repeat_n(1, b.len()))
        .collect();
    ([a, b].concat(), variant)
}

fn policy(c: &Value) -> NanPolicy {
    serde_json::from_value(c["nan_policy"].clone()).unwrap()
}

#[test]
fn skewness_and_flag_match_scipy_skew_and_the_355_rule() {
    for c in cases("ab_heavy_tails") {
        let name = c["name"].as_str().unwrap();
        let (y, variant) = arms(&c);
        let got = heavy_tails("revenue", &y, &variant, 2, policy(&c)).unwrap();
        let want = c["expected"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}");
        for (v, (g, w)) in got.iter().zip(want).enumerate() {
            let what = format!("{name}, variant {v}");
            assert_eq!((g.metric.as_str(), g.variant), ("revenue", v), "{what}");
            assert_eq!(g.n, w["n"].as_u64().unwrap(), "{what}: n");
            assert_close(
                g.skewness,
                num(&w["skewness"]),
                1e-10,
                1e-300,
                &format!("{what}: skewness"),
            );
            assert_close(
                g.required_n,
                num(&w["required_n"]),
                1e-10,
                1e-300,
                &format!("{what}: required n"),
            );
            assert_eq!(g.is_heavy(), w["heavy"].as_bool().unwrap(), "{what}: flag");
        }
    }
}

/// The analysis from sufficient statistics cannot tell the skewness: no
/// check, no warning; a caller with the raw values attaches the check and
/// the result's warnings list exactly the flagged variants.
#[test]
fn sufficient_statistics_leave_the_check_unset_and_raw_values_fill_it() {
    let c = cases("ab_heavy_tails")
        .into_iter()
        .find(|c| {
            c["name"]
                .as_str()
                .unwrap()
                .starts_with("log-normal sigma 2, 5000")
        })
        .unwrap();
    let (y, variant) = arms(&c);
    let sums = PowerSums::by_variant(&y, &variant, 2, NanPolicy::Raise).unwrap();
    let units: Vec<u64> = sums.iter().map(|s| s.n).collect();
    let metric = MetricInput {
        name: "revenue".into(),
        higher_is_better: true,
        variants: sums.into_iter().map(MetricStats::Mean).collect(),
    };
    let mut r = analyze(
        &units,
        &[0.5, 0.5],
        &[metric],
        &ExperimentOptions::default(),
    )
    .unwrap();
    assert_eq!(r.heavy_tails, None);
    assert_eq!(r.heavy_tail_warnings().count(), 0);
    let json = serde_json::to_value(&r).unwrap();
    assert!(
        json.get("heavy_tails").is_none(),
        "absent from JSON when not run"
    );
    assert_eq!(
        serde_json::from_value::<abstat_core::ab::ExperimentResult>(json).unwrap(),
        r
    );

    r.heavy_tails = Some(heavy_tails("revenue", &y, &variant, 2, NanPolicy::Raise).unwrap());
    let flagged: Vec<usize> = r.heavy_tail_warnings().map(|t| t.variant).collect();
    assert_eq!(flagged, [0, 1]);
    let back: abstat_core::ab::ExperimentResult =
        serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}
