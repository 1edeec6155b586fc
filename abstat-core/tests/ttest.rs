//! Fixture tests of the t-tests against scipy.stats (scripts/fixtures/gen_ttest.py).

mod common;

use abstat_core::moments::Moments;
use abstat_core::ttest::{
    TTestOptions, hedges_g, ttest_1samp, ttest_ind, ttest_ind_from_stats, ttest_rel,
};
use abstat_core::{Error, TestResult};
use common::{assert_close, cases, data, num};
use serde_json::Value;

fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::TooFewObservations { .. } => "TooFewObservations",
        Error::ZeroVariance { .. } => "ZeroVariance",
        Error::MissingValues { .. } => "MissingValues",
        Error::LengthMismatch { .. } => "LengthMismatch",
        Error::InvalidParameter { .. } => "InvalidParameter",
        _ => "other",
    }
}

fn options(o: &Value) -> TTestOptions {
    TTestOptions {
        alternative: o["alternative"].as_str().unwrap().parse().unwrap(),
        nan_policy: o["nan_policy"].as_str().unwrap().parse().unwrap(),
        confidence_level: num(&o["confidence_level"]),
    }
}

fn run(c: &Value) -> Result<TestResult, Error> {
    let o = &c["opts"];
    let opts = options(o);
    let a = data(&c["a"]);
    match c["kind"].as_str().unwrap() {
        "1samp" => ttest_1samp(&a, num(&o["popmean"]), &opts),
        "rel" => ttest_rel(&a, &data(&c["b"]), &opts),
        "ind" => ttest_ind(&a, &data(&c["b"]), o["equal_var"].as_bool().unwrap(), &opts),
        k => panic!("unknown kind {k}"),
    }
}

#[test]
fn t_tests_match_scipy() {
    let mut checked = 0;
    for c in cases("ttest") {
        let name = c["name"].as_str().unwrap();
        if c["kind"] == "from_stats" {
            continue;
        }
        let r = run(&c);
        if let Some(kind) = c.get("error") {
            let e = r.expect_err(name);
            assert_eq!(error_kind(&e), kind.as_str().unwrap(), "{name}: {e}");
            assert!(!e.to_string().is_empty());
            checked += 1;
            continue;
        }
        let r = r.unwrap_or_else(|e| panic!("{name}: {e}"));
        let e = &c["expected"];
        // Default tolerance: relative 1e-10, absolute 1e-300 for p-values.
        assert_close(
            r.statistic,
            num(&e["statistic"]),
            1e-10,
            0.0,
            &format!("{name} statistic"),
        );
        assert_close(
            r.p_value,
            num(&e["pvalue"]),
            1e-10,
            1e-300,
            &format!("{name} pvalue"),
        );
        if r.statistic.is_nan() {
            assert!(
                r.df.is_none() && r.ci.is_none(),
                "{name}: NaN result has no df/ci"
            );
            checked += 1;
            continue;
        }
        assert_close(
            r.df.unwrap(),
            num(&e["df"]),
            1e-10,
            0.0,
            &format!("{name} df"),
        );
        let ci = r.ci.as_ref().unwrap();
        // The interval's ends are estimate ± q·se; ends near zero lose
        // relative precision by cancellation, so an absolute term scaled
        // by the interval's width is allowed.
        let width = (num(&e["ci_high"]) - num(&e["ci_low"])).abs();
        let atol = if width.is_finite() {
            1e-12 * width
        } else {
            1e-12
        };
        assert_close(
            ci.lower,
            num(&e["ci_low"]),
            1e-10,
            atol,
            &format!("{name} ci low"),
        );
        assert_close(
            ci.upper,
            num(&e["ci_high"]),
            1e-10,
            atol,
            &format!("{name} ci high"),
        );
        let d = r.effect_size.as_ref().unwrap().value;
        assert_close(
            d,
            num(&e["cohen_d"]),
            1e-10,
            0.0,
            &format!("{name} cohen d"),
        );
        let g_df = if c["kind"] == "ind" {
            (r.n[0] + r.n[1] - 2) as f64
        } else {
            (r.n[0] - 1) as f64
        };
        assert_close(
            hedges_g(d, g_df),
            num(&e["hedges_g"]),
            1e-10,
            0.0,
            &format!("{name} hedges g"),
        );
        checked += 1;
    }
    assert!(checked > 50);
}

#[test]
fn from_stats_matches_scipy() {
    for c in cases("ttest").iter().filter(|c| c["kind"] == "from_stats") {
        let s: Vec<f64> = c["stats"].as_array().unwrap().iter().map(num).collect();
        let a = Moments::from_summary(s[2] as u64, s[0], s[1], 1).unwrap();
        let b = Moments::from_summary(s[5] as u64, s[3], s[4], 1).unwrap();
        let ev = c["opts"]["equal_var"].as_bool().unwrap();
        let r = ttest_ind_from_stats(&a, &b, ev, &TTestOptions::default()).unwrap();
        let name = c["name"].as_str().unwrap();
        assert_close(
            r.statistic,
            num(&c["expected"]["statistic"]),
            1e-10,
            0.0,
            name,
        );
        assert_close(
            r.p_value,
            num(&c["expected"]["pvalue"]),
            1e-10,
            1e-300,
            name,
        );
    }
}

#[test]
fn summary_route_equals_raw_route() {
    let a = [1.0, 4.0, 2.0, 8.0, 5.0];
    let b = [3.0, 3.5, 9.0, 7.0];
    let opts = TTestOptions::default();
    let raw = ttest_ind(&a, &b, false, &opts).unwrap();
    let summ = ttest_ind_from_stats(
        &Moments::from_slice(&a),
        &Moments::from_slice(&b),
        false,
        &opts,
    )
    .unwrap();
    assert_close(summ.statistic, raw.statistic, 1e-14, 0.0, "t");
    assert_close(summ.p_value, raw.p_value, 1e-14, 0.0, "p");
}
