//! Beta-binomial Bayesian comparison against scipy quadrature of the same
//! integrals (cross-checked by Monte Carlo in the generator); fixtures from
//! scripts/fixtures/gen_ab_beta_binomial.py.

mod common;

use abstat_core::Error;
use abstat_core::ab::PowerSums;
use abstat_core::ab::beta_binomial::{BetaBinomialOptions, BetaPrior, compare_beta_binomial};
use common::{assert_close, cases, num};

/// Both sides integrate numerically (abstat: Simpson over the narrower
/// posterior; scipy: adaptive quad over the control's) and solve interval
/// ends to 1e-13: the tolerance for integrated Bayesian quantities,
/// 1e-6 relative, with 1e-12 absolute for quantities near 0.
const RTOL: f64 = 1e-6;
const ATOL: f64 = 1e-12;

fn arm(v: &serde_json::Value) -> PowerSums {
    PowerSums::new(
        v["n"].as_u64().unwrap(),
        num(&v["conversions"]),
        num(&v["conversions"]),
    )
}

#[test]
fn beta_binomial_matches_scipy_quadrature() {
    for c in cases("ab_beta_binomial") {
        let opts = BetaBinomialOptions {
            prior: BetaPrior {
                alpha: num(&c["prior"][0]),
                beta: num(&c["prior"][1]),
            },
            alpha: num(&c["alpha"]),
            inverse: false,
        };
        let r = compare_beta_binomial(&arm(&c["control"]), &arm(&c["treatment"]), &opts).unwrap();
        let what = |f: &str| format!("{}: {f}", c["treatment"]);
        assert_close(
            r.chance_to_win,
            num(&c["chance_to_win"]),
            RTOL,
            ATOL,
            &what("chance"),
        );
        assert_close(
            r.risk_treatment,
            num(&c["risk_treatment"]),
            RTOL,
            ATOL,
            &what("risk B"),
        );
        assert_close(
            r.risk_control,
            num(&c["risk_control"]),
            RTOL,
            ATOL,
            &what("risk A"),
        );
        for (ci, key) in [
            (&r.absolute_ci, "absolute_ci"),
            (&r.relative_ci, "relative_ci"),
        ] {
            assert_close(ci.lower, num(&c[key][0]), RTOL, ATOL, &what(key));
            assert_close(ci.upper, num(&c[key][1]), RTOL, ATOL, &what(key));
        }
    }
}

#[test]
fn inverse_mirrors_chance_and_risks() {
    let (a, b) = (
        PowerSums::new(1000, 100.0, 100.0),
        PowerSums::new(1000, 130.0, 130.0),
    );
    let up = compare_beta_binomial(&a, &b, &BetaBinomialOptions::default()).unwrap();
    let down = compare_beta_binomial(
        &a,
        &b,
        &BetaBinomialOptions {
            inverse: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_close(
        down.chance_to_win,
        1.0 - up.chance_to_win,
        0.0,
        1e-15,
        "chance",
    );
    assert_eq!(down.risk_control, up.risk_treatment);
    assert_eq!(down.risk_treatment, up.risk_control);
    // swapping the arms swaps the roles: same numbers from the other side
    let swapped = compare_beta_binomial(&b, &a, &BetaBinomialOptions::default()).unwrap();
    assert_close(
        swapped.chance_to_win,
        1.0 - up.chance_to_win,
        0.0,
        1e-12,
        "swap",
    );
    assert_close(
        swapped.risk_control,
        up.risk_treatment,
        1e-9,
        1e-15,
        "swap risk",
    );
    assert_close(
        swapped.absolute_ci.lower,
        -up.absolute_ci.upper,
        1e-9,
        1e-15,
        "swap ci",
    );
}

#[test]
fn invalid_inputs_are_errors() {
    let ok = PowerSums::new(100, 10.0, 10.0);
    let o = BetaBinomialOptions::default();
    let invalid = |r: abstat_core::Result<_>| matches!(r, Err(Error::InvalidParameter { .. }));
    assert!(invalid(compare_beta_binomial(
        &PowerSums::new(10, 11.0, 11.0),
        &ok,
        &o
    )));
    assert!(invalid(compare_beta_binomial(
        &ok,
        &PowerSums::new(10, 2.5, 2.5),
        &o
    )));
    assert!(invalid(compare_beta_binomial(
        &ok,
        &PowerSums::new(10, f64::NAN, 0.0),
        &o
    )));
    let jeffreys = BetaBinomialOptions {
        prior: BetaPrior {
            alpha: 0.5,
            beta: 0.5,
        },
        ..o
    };
    assert!(invalid(compare_beta_binomial(&ok, &ok, &jeffreys)));
    assert!(invalid(compare_beta_binomial(
        &ok,
        &ok,
        &BetaBinomialOptions { alpha: 1.0, ..o }
    )));
    assert!(matches!(
        compare_beta_binomial(&PowerSums::default(), &ok, &o),
        Err(Error::TooFewObservations { .. })
    ));
}
