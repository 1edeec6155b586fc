//! Shapiro–Wilk against scipy `shapiro` (fixtures from
//! scripts/fixtures/gen_normality.py).

mod common;

use abstat_core::normality::{ShapiroOptions, ShapiroWeights, shapiro, shapiro_with};
use abstat_core::{Error, NanPolicy};
use common::{assert_close, cases, data, num};

#[test]
fn shapiro_matches_scipy() {
    for c in cases("normality") {
        let name = format!("{} ({})", c["name"], c["nan_policy"]);
        let x = data(&c["x"]);
        let opts = ShapiroOptions {
            nan_policy: c["nan_policy"].as_str().unwrap().parse().unwrap(),
        };
        let res = shapiro(&x, &opts);
        if let Some(err) = c.get("error") {
            let e = res.expect_err(&name);
            assert!(
                format!("{e:?}").starts_with(err.as_str().unwrap()),
                "{name}: {e:?}"
            );
            continue;
        }
        let r = res.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_close(
            r.statistic,
            num(&c["statistic"]),
            1e-10,
            0.0,
            &format!("{name}: W"),
        );
        assert_close(
            r.p_value,
            num(&c["pvalue"]),
            1e-10,
            1e-300,
            &format!("{name}: p"),
        );
        assert_eq!(r.beyond_calibrated_range, x.len() > 5000, "{name}");
    }
}

#[test]
fn cached_weights_give_bit_identical_results() {
    for c in cases("normality") {
        let x = data(&c["x"]);
        let opts = ShapiroOptions {
            nan_policy: c["nan_policy"].as_str().unwrap().parse().unwrap(),
        };
        let fresh = shapiro(&x, &opts);
        // weights for the raw length (wrong after NaN values are omitted:
        // then recomputed), and for a length that never fits
        for n in [x.len(), 7] {
            let Ok(w) = ShapiroWeights::new(n) else {
                continue;
            };
            let cached = shapiro_with(&x, &opts, &w);
            match (&fresh, cached) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.statistic.to_bits(), b.statistic.to_bits());
                    assert_eq!(a.p_value.to_bits(), b.p_value.to_bits());
                    assert_eq!(a.n, b.n);
                }
                (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
                (a, b) => panic!("{}: {a:?} vs {b:?}", c["name"]),
            }
        }
    }
    for n in [3, 4, 5, 6, 11, 12, 50, 4999, 5000, 5001] {
        let x = common::det_normal(n as u64, n, 1.0, 2.0);
        let w = ShapiroWeights::new(n).unwrap();
        assert_eq!(w.n(), n);
        let opts = ShapiroOptions::default();
        assert_eq!(
            shapiro_with(&x, &opts, &w).unwrap(),
            shapiro(&x, &opts).unwrap()
        );
    }
    // omitted NaN: weights for the remaining n are used
    let mut x = common::det_normal(5, 100, 0.0, 1.0);
    x[3] = f64::NAN;
    let opts = ShapiroOptions {
        nan_policy: NanPolicy::Omit,
    };
    let w = ShapiroWeights::new(99).unwrap();
    assert_eq!(
        shapiro_with(&x, &opts, &w).unwrap(),
        shapiro(&x, &opts).unwrap()
    );
}

#[test]
fn weights_need_three_values() {
    assert!(matches!(
        ShapiroWeights::new(2),
        Err(Error::TooFewObservations {
            needed: 3,
            got: 2,
            ..
        })
    ));
}
