//! Capping before aggregation against np.nanquantile + np.clip and gbstats
//! 0.8.0's t-test on the capped sums; fixtures from
//! scripts/fixtures/gen_ab_capping.py.

mod ab_support;
mod common;

use ab_support::{assert_effects_match_gbstats, log_normal_arms};

use abstat_core::ab::capping::{CapAt, Capping};
use abstat_core::ab::{FrequentistOptions, MetricStats, PowerSums, compare};
use abstat_core::{Error, NanPolicy};
use common::{assert_close, cases, num};
use serde_json::Value;

fn cap(v: &Value) -> Option<CapAt> {
    (!v.is_null()).then(|| serde_json::from_value(v.clone()).unwrap())
}

#[test]
fn capped_analysis_matches_numpy_clip_and_gbstats() {
    for c in cases("ab_capping") {
        let name = c["name"].as_str().unwrap();
        let (y, variant) = log_normal_arms(&c);
        let caps = Capping {
            lower: cap(&c["lower"]),
            upper: cap(&c["upper"]),
        };
        let bounds = caps.resolve(&y).unwrap();
        // The data are rebuilt with exp() on both sides (libm vs numpy may
        // differ by an ulp); the quantile is then the same interpolation.
        for (got, want) in [bounds.lower, bounds.upper]
            .iter()
            .zip(c["bounds"].as_array().unwrap())
        {
            match got {
                Some(g) => assert_close(*g, num(want), 1e-13, 0.0, &format!("{name}: bound")),
                None => assert!(want.is_null(), "{name}: bound expected"),
            }
        }
        assert_eq!(
            bounds.capped_below,
            c["capped_below"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            bounds.capped_above,
            c["capped_above"].as_u64().unwrap(),
            "{name}"
        );
        let capped = bounds.apply(&y);
        let m = PowerSums::by_variant(&capped, &variant, 2, NanPolicy::Raise).unwrap();
        for (s, key) in m.iter().zip(["control_sums", "treatment_sums"]) {
            // sums of 10^3..10^5 terms in a different order than math.fsum
            assert_close(s.sum, num(&c[key][0]), 1e-12, 0.0, &format!("{name}: sum"));
            assert_close(
                s.sum_squares,
                num(&c[key][1]),
                1e-12,
                0.0,
                &format!("{name}: sum sq"),
            );
        }
        let r = compare(
            &MetricStats::Mean(m[0]),
            &MetricStats::Mean(m[1]),
            &FrequentistOptions::default(),
        )
        .unwrap();
        assert_effects_match_gbstats(&r, &c, name);
    }
}

#[test]
fn capping_keeps_rows_and_missing_values() {
    let y = [1.0, f64::NAN, 3.0, 100.0, -50.0];
    let caps = Capping {
        lower: Some(CapAt::Value(0.0)),
        upper: Some(CapAt::Quantile(0.5)),
    };
    let b = caps.resolve(&y).unwrap();
    // median of the non-missing values [−50, 1, 3, 100]
    assert_eq!(b.upper, Some(2.0));
    let capped = b.apply(&y);
    assert_eq!(capped.len(), y.len());
    assert!(capped[1].is_nan());
    assert_eq!(
        (capped[0], capped[2], capped[3], capped[4]),
        (1.0, 2.0, 2.0, 0.0)
    );
    assert_eq!((b.capped_below, b.capped_above), (1, 2));
}

#[test]
fn invalid_capping_is_an_error() {
    let y = [1.0, 2.0, 3.0];
    let bad = |lower, upper| Capping { lower, upper }.resolve(&y).unwrap_err();
    assert!(matches!(
        bad(Some(CapAt::Quantile(1.5)), None),
        Error::InvalidParameter { .. }
    ));
    assert!(matches!(
        bad(None, Some(CapAt::Value(f64::NAN))),
        Error::InvalidParameter { .. }
    ));
    assert!(matches!(
        bad(Some(CapAt::Value(5.0)), Some(CapAt::Value(1.0))),
        Error::InvalidParameter { .. }
    ));
    let empty = Capping {
        lower: None,
        upper: Some(CapAt::Quantile(0.9)),
    };
    assert!(matches!(
        empty.resolve(&[f64::NAN]),
        Err(Error::TooFewObservations { .. })
    ));
    // no capping and no values: nothing to resolve, nothing capped
    assert_eq!(Capping::default().resolve(&[]).unwrap().capped_above, 0);
}
