//! The experiment design calculator against statsmodels `NormalIndPower` /
//! `TTestIndPower.solve_power` and `proportion_effectsize`; fixtures from
//! scripts/fixtures/gen_ab_design.py.

mod common;

use abstat_core::ab::{Baseline, Correction, DesignOptions, Mde, design};
use abstat_core::power::PowerTest;
use abstat_core::{Alternative, Error};
use common::{assert_close, cases, num};
use serde_json::Value;

fn options(c: &Value) -> DesignOptions {
    DesignOptions {
        alpha: num(&c["alpha"]),
        power: num(&c["power"]),
        alternative: c["alternative"].as_str().unwrap().parse().unwrap(),
        variants: c["variants"].as_u64().unwrap() as usize,
        correction: c["correction"].as_str().map(|s| s.parse().unwrap()),
        test: match c["test"].as_str().unwrap() {
            "normal" => PowerTest::NormalInd,
            _ => PowerTest::TTestInd,
        },
    }
}

#[test]
fn sample_size_and_duration_match_statsmodels() {
    for (i, c) in cases("ab_design").iter().enumerate() {
        let baseline: Baseline = serde_json::from_value(c["baseline"].clone()).unwrap();
        let mde: Mde = serde_json::from_value(c["mde"].clone()).unwrap();
        let daily = c["daily_traffic"].as_f64();
        let d = design(baseline, mde, &options(c), daily).unwrap();
        let e = &c["expected"];
        let what = |f: &str| format!("case {i}: {f}");
        // Cohen's d / h are closed forms: exact up to rounding.
        assert_close(
            d.effect_size,
            num(&e["effect_size"]),
            1e-12,
            0.0,
            &what("effect size"),
        );
        assert_close(
            d.alpha_per_comparison,
            num(&e["alpha_per_comparison"]),
            1e-15,
            0.0,
            &what("alpha per comparison"),
        );
        // Solves: 1e-8 relative against the tight root of statsmodels' own
        // power function (abstat's Brent stops at 1e-10 relative in n) ...
        assert_close(
            d.exact_per_group,
            num(&e["exact_per_group"]),
            1e-8,
            0.0,
            &what("exact n per group"),
        );
        // ... and statsmodels' own answer stops at its brentq xtol of 1e-5.
        assert_close(
            d.exact_per_group,
            num(&e["statsmodels"]),
            0.0,
            1e-4,
            &what("n per group vs statsmodels"),
        );
        assert_eq!(
            d.per_group,
            e["per_group"].as_u64().unwrap(),
            "{}",
            what("n")
        );
        assert_eq!(d.total, e["total"].as_u64().unwrap(), "{}", what("total"));
        assert_eq!(d.days, e["days"].as_u64(), "{}", what("days"));
        assert_eq!(d.comparisons, c["variants"].as_u64().unwrap() as usize - 1);
    }
}

#[test]
fn invalid_designs_are_errors_with_reasons() {
    let rate = Baseline::Rate { rate: 0.1 };
    let o = DesignOptions::default();
    let bad = |r: abstat_core::Result<_>| matches!(r, Err(Error::InvalidParameter { .. }));
    assert!(bad(design(rate, Mde::Absolute(0.0), &o, None)));
    assert!(bad(design(rate, Mde::Absolute(0.95), &o, None)));
    assert!(bad(design(
        Baseline::Rate { rate: 1.0 },
        Mde::Relative(0.1),
        &o,
        None
    )));
    assert!(bad(design(
        Baseline::Mean {
            mean: 1.0,
            std_dev: 0.0
        },
        Mde::Absolute(0.1),
        &o,
        None
    )));
    assert!(bad(design(rate, Mde::Relative(0.1), &o, Some(0.0))));
    assert!(bad(design(rate, Mde::Relative(f64::NAN), &o, None)));
    for (name, opts) in [
        ("alpha", DesignOptions { alpha: 1.0, ..o }),
        ("power", DesignOptions { power: 0.0, ..o }),
        ("variants", DesignOptions { variants: 1, ..o }),
        (
            "correction",
            DesignOptions {
                variants: 3,
                correction: Some(Correction::BenjaminiHochberg),
                ..o
            },
        ),
    ] {
        let err = design(rate, Mde::Relative(0.1), &opts, None).unwrap_err();
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
}

#[test]
fn one_sided_design_does_not_depend_on_the_sign_of_the_mde() {
    let o = DesignOptions {
        alternative: Alternative::Less,
        ..DesignOptions::default()
    };
    let m = Baseline::Mean {
        mean: 5.0,
        std_dev: 2.0,
    };
    let up = design(m, Mde::Absolute(0.3), &o, None).unwrap();
    let down = design(m, Mde::Absolute(-0.3), &o, None).unwrap();
    assert_eq!(up.per_group, down.per_group);
}
