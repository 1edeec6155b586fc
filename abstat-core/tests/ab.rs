//! A/B experiment analysis against GrowthBook's gbstats 0.8.0, statsmodels
//! and (where abstat deliberately differs from gbstats 0.8.0) independent
//! numpy/scipy computations; fixtures from scripts/fixtures/gen_ab.py.

mod common;

use abstat_core::ab::{Effect, FrequentistOptions, JointMoments, MetricStats, Moments, compare};
use abstat_core::{Alternative, Error, NanPolicy};
use common::{assert_close, cases, data, num};
use serde_json::Value;

/// gbstats works on the same sufficient statistics with the same formulas;
/// what remains is rounding in different orders of summation and the
/// t quantile, so 1e-8 relative is the agreed bound (the tolerance).
const RTOL: f64 = 1e-8;
/// p-values: gbstats 0.8.0 computes 1 − cdf, abstat the survival function,
/// which differ by up to ~1e-16 absolute.
const P_ATOL: f64 = 1e-15;

fn section(name: &str) -> Vec<Value> {
    cases("ab")
        .into_iter()
        .filter(|c| c["section"] == name)
        .collect()
}

fn alternative(c: &Value) -> Alternative {
    c["alternative"].as_str().unwrap().parse().unwrap()
}

/// The metric statistics of a case, from the numbers Python summed.
fn stats_of(kind: &str, s: &Value) -> MetricStats {
    let n = s["n"].as_u64().unwrap();
    let m = Moments::new(n, num(&s["sum"]), num(&s["sum_squares"]));
    let j = || {
        JointMoments::new(
            n,
            num(&s["sum"]),
            num(&s["sum_squares"]),
            num(&s["sum_x"]),
            num(&s["sum_x_squares"]),
            num(&s["sum_xy"]),
        )
    };
    match kind {
        "mean" => MetricStats::Mean(m),
        "proportion" => MetricStats::Proportion(m),
        "ratio" => MetricStats::Ratio(j()),
        "cuped" => MetricStats::RegressionAdjusted(j()),
        other => panic!("unknown kind {other}"),
    }
}

/// The metric statistics of a case from its raw columns, through the
/// parallel column pass (control = variant 0, treatment = variant 1).
fn stats_from_columns(kind: &str, c: &Value) -> (MetricStats, MetricStats) {
    let (a, b) = (&c["control"], &c["treatment"]);
    let y: Vec<f64> = [data(&a["y"]), data(&b["y"])].concat();
    let variant: Vec<u32> = std::iter::repeat_n(0, a["y"].as_array().unwrap().len())
        .chain(std::iter::repeat_n(1, b["y"].as_array().unwrap().len()))
        .collect();
    let wrap = |f: fn(JointMoments) -> MetricStats| {
        let x: Vec<f64> = [data(&a["x"]), data(&b["x"])].concat();
        let s = JointMoments::by_variant(&y, &x, &variant, 2, NanPolicy::Raise).unwrap();
        (f(s[0]), f(s[1]))
    };
    match kind {
        "ratio" => wrap(MetricStats::Ratio),
        "cuped" => wrap(MetricStats::RegressionAdjusted),
        _ => {
            let s = Moments::by_variant(&y, &variant, 2, NanPolicy::Raise).unwrap();
            if kind == "mean" {
                (MetricStats::Mean(s[0]), MetricStats::Mean(s[1]))
            } else {
                (MetricStats::Proportion(s[0]), MetricStats::Proportion(s[1]))
            }
        }
    }
}

#[track_caller]
fn check_effect(got: &Effect, want: &Value, what: &str) {
    assert_close(
        got.estimate,
        num(&want["estimate"]),
        RTOL,
        0.0,
        &format!("{what} estimate"),
    );
    assert_close(
        got.std_error,
        num(&want["std_error"]),
        RTOL,
        0.0,
        &format!("{what} std error"),
    );
    if let Some(p) = want.get("p_value") {
        assert_close(
            got.p_value,
            num(p),
            RTOL,
            P_ATOL,
            &format!("{what} p-value"),
        );
    }
    assert_close(
        got.ci.lower,
        num(&want["ci"][0]),
        RTOL,
        0.0,
        &format!("{what} ci lower"),
    );
    assert_close(
        got.ci.upper,
        num(&want["ci"][1]),
        RTOL,
        0.0,
        &format!("{what} ci upper"),
    );
}

#[test]
fn compare_matches_gbstats_from_sums_and_from_columns() {
    for c in section("compare") {
        let name = c["name"].as_str().unwrap();
        let kind = c["kind"].as_str().unwrap();
        let opts = FrequentistOptions {
            alpha: num(&c["alpha"]),
            alternative: alternative(&c),
        };
        let from_sums = (
            stats_of(kind, &c["control_stats"]),
            stats_of(kind, &c["treatment_stats"]),
        );
        let from_columns = stats_from_columns(kind, &c);
        for (path, (a, b)) in [("sums", from_sums), ("columns", from_columns)] {
            let what = format!("{name} ({path})");
            let r = compare(&a, &b, &opts).unwrap();
            assert_close(r.df, num(&c["df"]), RTOL, 0.0, &format!("{what} df"));
            check_effect(&r.absolute, &c["absolute"], &format!("{what} absolute"));
            check_effect(
                r.relative.as_ref().unwrap(),
                &c["relative"],
                &format!("{what} relative"),
            );
            if kind == "cuped" {
                let cuped = r.cuped.unwrap();
                assert_close(
                    cuped.theta,
                    num(&c["theta"]),
                    RTOL,
                    0.0,
                    &format!("{what} theta"),
                );
                assert_close(
                    cuped.variance_reduction,
                    num(&c["variance_reduction"]),
                    RTOL,
                    1e-14,
                    &format!("{what} variance reduction"),
                );
            }
        }
    }
}

/// abstat deliberately divides by |control mean|: the relative lift of a
/// less negative treatment is positive, where gbstats 0.8.0 reports it
/// negative. The expected values come from the independent computation.
#[test]
fn negative_baseline_keeps_the_sign_unlike_gbstats_0_8_0() {
    let c = section("compare")
        .into_iter()
        .find(|c| c["name"] == "mean, negative baseline")
        .unwrap();
    let r = compare(
        &stats_of("mean", &c["control_stats"]),
        &stats_of("mean", &c["treatment_stats"]),
        &FrequentistOptions::default(),
    )
    .unwrap();
    let rel = r.relative.unwrap();
    let gb = num(&c["gbstats_relative_estimate"]);
    assert!(r.absolute.estimate > 0.0 && rel.estimate > 0.0 && gb < 0.0);
    assert_close(rel.estimate, -gb, RTOL, 0.0, "same magnitude as gbstats");
}

#[test]
fn compare_error_paths() {
    let m = |n, s, ss| MetricStats::Mean(Moments::new(n, s, ss));
    let o = FrequentistOptions::default();
    assert!(matches!(
        compare(&m(1, 1.0, 1.0), &m(10, 5.0, 30.0), &o),
        Err(Error::TooFewObservations {
            needed: 2,
            got: 1,
            ..
        })
    ));
    // all values equal: variance 0
    assert!(matches!(
        compare(&m(3, 3.0, 3.0), &m(10, 5.0, 30.0), &o),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        compare(
            &m(10, 5.0, 30.0),
            &MetricStats::Proportion(Moments::new(10, 5.0, 5.0)),
            &o
        ),
        Err(Error::InvalidParameter { .. })
    ));
    let bad = FrequentistOptions { alpha: 1.5, ..o };
    assert!(matches!(
        compare(&m(10, 5.0, 30.0), &m(10, 5.0, 30.0), &bad),
        Err(Error::InvalidParameter { .. })
    ));
    // zero control mean: absolute result, no relative one
    let r = compare(&m(4, 0.0, 8.0), &m(4, 4.0, 12.0), &o).unwrap();
    assert!(r.relative.is_none());
    assert_eq!(r.absolute.estimate, 1.0);
}

#[test]
fn columns_error_paths() {
    let y = [1.0, 2.0, f64::NAN, 4.0];
    let v = [0, 1, 0, 1];
    assert!(matches!(
        Moments::by_variant(&y, &v[..3], 2, NanPolicy::Omit),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        Moments::by_variant(&y, &v, 2, NanPolicy::Raise),
        Err(Error::MissingValues { .. })
    ));
    assert!(matches!(
        Moments::by_variant(&y, &[0, 1, 2, 0], 2, NanPolicy::Omit),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Moments::by_variant(&y, &v, 0, NanPolicy::Omit),
        Err(Error::InvalidParameter { .. })
    ));
    let omit = Moments::by_variant(&y, &v, 2, NanPolicy::Omit).unwrap();
    assert_eq!(omit[0], Moments::new(1, 1.0, 1.0));
    assert_eq!(omit[1], Moments::new(2, 6.0, 20.0));
    let prop = Moments::by_variant(&y, &v, 2, NanPolicy::Propagate).unwrap();
    assert!(prop[0].sum.is_nan() && prop[1].sum == 6.0);
    let x = [1.0, 1.0, 1.0, f64::NAN];
    let j = JointMoments::by_variant(&[1.0, 2.0, 3.0, 4.0], &x, &v, 2, NanPolicy::Omit).unwrap();
    assert_eq!((j[0].n, j[1].n), (2, 1));
}
