//! Quantile metrics against numpy quantiles and gbstats 0.8.0's
//! `QuantileStatistic` in its t-test; fixtures from
//! scripts/fixtures/gen_ab_quantile.py.

mod ab_support;
mod common;

use ab_support::{assert_effects_match_gbstats, log_normal_arms};

use abstat_core::ab::{FrequentistOptions, MetricStats, QuantileStats, compare};
use abstat_core::{Error, NanPolicy};
use common::{assert_close, cases, num};

#[test]
fn quantile_comparison_matches_numpy_and_gbstats() {
    for c in cases("ab_quantile") {
        let (y, variant) = log_normal_arms(&c);
        let nu = num(&c["nu"]);
        let s = QuantileStats::by_variant(&y, &variant, 2, nu, NanPolicy::Raise).unwrap();
        for (got, key) in s.iter().zip(["control_stats", "treatment_stats"]) {
            let want = &c[key];
            assert_eq!(got.n, want["n"].as_u64().unwrap());
            // same interpolation on data rebuilt with exp() (an ulp apart)
            for (g, f) in [
                (got.quantile, "quantile"),
                (got.lower, "lower"),
                (got.upper, "upper"),
            ] {
                assert_close(g, num(&want[f]), 1e-13, 0.0, &format!("{key} {f} at {nu}"));
            }
        }
        let r = compare(
            &MetricStats::Quantile(s[0]),
            &MetricStats::Quantile(s[1]),
            &FrequentistOptions::default(),
        )
        .unwrap();
        assert_close(r.df, num(&c["df"]), 1e-8, 0.0, "df");
        assert_effects_match_gbstats(&r, &c, &format!("nu {nu}"));
    }
}

#[test]
fn quantile_edge_cases_are_errors() {
    let few: Vec<f64> = (0..20).map(f64::from).collect();
    // p99 needs n > 1.96² · 0.99/0.01 ≈ 380 units
    assert!(matches!(
        QuantileStats::from_values(&few, 0.99, NanPolicy::Raise),
        Err(Error::TooFewObservations { needed: 381, .. })
    ));
    assert!(matches!(
        QuantileStats::from_values(&few, 1.0, NanPolicy::Raise),
        Err(Error::InvalidParameter { .. })
    ));
    let with_nan = [1.0, f64::NAN, 2.0];
    assert!(matches!(
        QuantileStats::from_values(&with_nan, 0.5, NanPolicy::Raise),
        Err(Error::MissingValues { .. })
    ));
    assert!(
        QuantileStats::from_values(&with_nan, 0.5, NanPolicy::Propagate)
            .unwrap()
            .quantile
            .is_nan()
    );
    let mut many: Vec<f64> = (0..50).map(f64::from).collect();
    many.push(f64::NAN);
    assert_eq!(
        QuantileStats::from_values(&many, 0.5, NanPolicy::Omit)
            .unwrap()
            .n,
        50
    );
    // all ties: a zero-width interval is zero variance
    let ties = QuantileStats::from_values(&[3.0; 60], 0.5, NanPolicy::Raise).unwrap();
    let o = FrequentistOptions::default();
    assert!(matches!(
        compare(
            &MetricStats::Quantile(ties),
            &MetricStats::Quantile(ties),
            &o
        ),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        QuantileStats::by_variant(&[1.0], &[0, 1], 2, 0.5, NanPolicy::Raise),
        Err(Error::LengthMismatch { .. })
    ));
}
