//! Fieller's interval for the relative lift against the closed form
//! computed with scipy; fixtures from scripts/fixtures/gen_ab_fieller.py.

mod common;

use abstat_core::Error;
use abstat_core::ab::{FrequentistOptions, JointMoments, MetricStats, PowerSums, compare};
use common::{assert_close, cases, num};

#[test]
fn fieller_interval_matches_the_closed_form() {
    for c in cases("ab_fieller") {
        let stats = |s: &serde_json::Value| {
            let m = PowerSums::new(
                s["n"].as_u64().unwrap(),
                num(&s["sum"]),
                num(&s["sum_squares"]),
            );
            if c["kind"] == "proportion" {
                MetricStats::Proportion(m)
            } else {
                MetricStats::Mean(m)
            }
        };
        let opts = FrequentistOptions {
            alpha: num(&c["alpha"]),
            alternative: c["alternative"].as_str().unwrap().parse().unwrap(),
        };
        let r = compare(&stats(&c["control"]), &stats(&c["treatment"]), &opts).unwrap();
        let got = r.fieller();
        if c["unbounded"].as_bool().unwrap() {
            assert!(matches!(got, Err(Error::Degenerate(_))), "{c}");
            continue;
        }
        let ci = got.unwrap();
        // a closed form on the same sums; the t quantile of both sides
        // agrees to ~1e-14, so 1e-10 relative
        assert_close(
            ci.lower,
            num(&c["ci"][0]),
            1e-10,
            1e-14,
            &format!("{c}: lower"),
        );
        assert_close(
            ci.upper,
            num(&c["ci"][1]),
            1e-10,
            1e-14,
            &format!("{c}: upper"),
        );
        // Fieller and the delta method agree to first order: the estimate
        // lies inside both intervals
        let rel = r.relative.as_ref().unwrap();
        assert!(ci.contains(rel.estimate), "{c}");
    }
}

#[test]
fn fieller_is_not_offered_for_cuped() {
    let j = |s: f64| JointMoments::new(100, s, s * s / 50.0, 100.0, 200.0, s);
    let r = compare(
        &MetricStats::RegressionAdjusted(j(500.0)),
        &MetricStats::RegressionAdjusted(j(560.0)),
        &FrequentistOptions::default(),
    )
    .unwrap();
    assert!(matches!(r.fieller(), Err(Error::InvalidParameter { .. })));
}
