//! Quantile metrics against numpy quantiles and gbstats 0.8.0's
//! `QuantileStatistic` in its t-test; fixtures from
//! scripts/fixtures/gen_ab_quantile.py.

mod common;

use abstat_core::ab::{FrequentistOptions, MetricStats, QuantileStats, compare};
use abstat_core::{Error, NanPolicy};
use common::{assert_close, cases, data, num};
use serde_json::Value;

#[test]
fn quantile_comparison_matches_numpy_and_gbstats() {
    for c in cases("ab_quantile") {
        let exp = |v: &Value| data(v).into_iter().map(f64::exp).collect::<Vec<_>>();
        let (a, b) = (exp(&c["control"]), exp(&c["treatment"]));
        let y = [a.clone(), b.clone()].concat();
        let variant: Vec<u32> = std::iter::repeat_n(0, a.len())
            .chain(std::iter::repeat_n(1, b.len()))
            .collect();
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
        for (e, key) in [
            (&r.absolute, "absolute"),
            (r.relative.as_ref().unwrap(), "relative"),
        ] {
            let want = &c[key];
            let what = |f: &str| format!("nu {nu}: {key} {f}");
            // the A/B tolerance of tests/ab.rs: the same formulas as gbstats
            assert_close(
                e.estimate,
                num(&want["estimate"]),
                1e-8,
                0.0,
                &what("estimate"),
            );
            assert_close(e.std_error, num(&want["std_error"]), 1e-8, 0.0, &what("se"));
            assert_close(e.p_value, num(&want["p_value"]), 1e-8, 1e-15, &what("p"));
            assert_close(
                e.ci.lower,
                num(&want["ci"][0]),
                1e-8,
                0.0,
                &what("ci lower"),
            );
            assert_close(
                e.ci.upper,
                num(&want["ci"][1]),
                1e-8,
                0.0,
                &what("ci upper"),
            );
        }
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
