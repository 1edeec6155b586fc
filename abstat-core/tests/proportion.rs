//! Fixture tests of the proportion tests and intervals against
//! statsmodels.stats.proportion (scripts/fixtures/gen_proportion.py).

mod common;

use abstat_core::proportion::*;
use abstat_core::{Alternative, Error};
use common::{assert_close, cases, num};
use serde_json::Value;

fn args(c: &Value) -> Vec<f64> {
    c["args"].as_array().unwrap().iter().map(num).collect()
}

#[test]
fn proportions_match_statsmodels() {
    for c in cases("proportion") {
        let a = args(&c);
        let what = format!("{c}");
        match c["kind"].as_str().unwrap() {
            "ztest2" | "ztest1" => {
                let alt: Alternative = c["alternative"].as_str().unwrap().parse().unwrap();
                let r = if c["kind"] == "ztest2" {
                    let v = if c["variance"] == "pooled" {
                        Variance::Pooled
                    } else {
                        Variance::Unpooled
                    };
                    proportions_ztest_2(
                        a[0] as u64,
                        a[1] as u64,
                        a[2] as u64,
                        a[3] as u64,
                        a[4],
                        v,
                        alt,
                    )
                } else {
                    proportions_ztest_1(
                        a[0] as u64,
                        a[1] as u64,
                        a[2],
                        c["null_variance"].as_bool().unwrap(),
                        alt,
                    )
                };
                let want_z = num(&c["statistic"]);
                if !want_z.is_finite() {
                    // statsmodels divides by a zero standard error
                    assert!(matches!(r, Err(Error::ZeroVariance { .. })), "{what}");
                    continue;
                }
                let r = r.unwrap();
                assert_close(r.statistic, want_z, 1e-10, 0.0, &what);
                assert_close(r.p_value, num(&c["pvalue"]), 1e-10, 1e-300, &what);
            }
            "ci" => {
                let m = match c["method"].as_str().unwrap() {
                    "normal" => ProportionCi::Normal,
                    "wilson" => ProportionCi::Wilson,
                    "agresti-coull" => ProportionCi::AgrestiCoull,
                    "clopper-pearson" => ProportionCi::ClopperPearson,
                    _ => ProportionCi::Jeffreys,
                };
                let ci = proportion_confint(a[0] as u64, a[1] as u64, num(&c["level"]), m).unwrap();
                // absolute 1e-14: bounds are probabilities, some exactly 0
                assert_close(ci.lower, num(&c["low"]), 1e-10, 1e-14, &what);
                assert_close(ci.upper, num(&c["upp"]), 1e-10, 1e-14, &what);
            }
            "diffci" => {
                let m = match c["method"].as_str().unwrap() {
                    "wald" => DiffCi::Wald,
                    "agresti-caffo" => DiffCi::AgrestiCaffo,
                    _ => DiffCi::Newcomb,
                };
                let ci = confint_proportions_2indep(
                    a[0] as u64,
                    a[1] as u64,
                    a[2] as u64,
                    a[3] as u64,
                    num(&c["level"]),
                    m,
                )
                .unwrap();
                // absolute 1e-14: differences of probabilities, may be ~0
                assert_close(ci.lower, num(&c["low"]), 1e-10, 1e-14, &what);
                assert_close(ci.upper, num(&c["upp"]), 1e-10, 1e-14, &what);
            }
            k => panic!("unknown kind {k}"),
        }
    }
}

#[test]
fn invalid_counts_are_errors() {
    assert!(matches!(
        proportion_confint(11, 10, 0.95, ProportionCi::Wilson),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        proportion_confint(0, 0, 0.95, ProportionCi::Wilson),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        proportion_confint(1, 10, 1.5, ProportionCi::Wilson),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        proportions_ztest_2(0, 10, 0, 12, 0.0, Variance::Pooled, Alternative::TwoSided),
        Err(Error::ZeroVariance { .. })
    ));
}
