//! The rank tests against scipy 1.16.3 (`scripts/fixtures/gen_rank_tests.py`).

mod common;

use abstat_core::nonparametric::*;
use abstat_core::{Alternative, NanPolicy, TestResult};
use common::{assert_close, cases, data, num};
use serde_json::Value;

fn parse<T: std::str::FromStr>(c: &Value, key: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    c[key].as_str().expect(key).parse().expect(key)
}

fn label(c: &Value) -> String {
    format!(
        "{} {} alt={} method={} {}",
        c["test"].as_str().unwrap(),
        c["name"].as_str().unwrap(),
        c["alternative"],
        c["method"],
        c.get("zero_method")
            .map_or(String::new(), |z| z.to_string())
    )
}

/// Compare statistic and p-value with scipy. `p_atol` is the absolute
/// floor for the p-value (1e-300 unless a case needs more, see callers).
fn check(r: &TestResult, c: &Value, stat_rtol: f64, p_rtol: f64, p_atol: f64) {
    let what = label(c);
    let e = &c["expected"];
    assert_close(
        r.statistic,
        num(&e["statistic"]),
        stat_rtol,
        1e-300,
        &format!("{what}: statistic"),
    );
    assert_close(
        r.p_value,
        num(&e["pvalue"]),
        p_rtol,
        p_atol,
        &format!("{what}: p-value"),
    );
}

fn of(test: &str) -> Vec<Value> {
    let all: Vec<Value> = cases("rank_tests")
        .into_iter()
        .filter(|c| c["test"] == test)
        .collect();
    assert!(!all.is_empty(), "no {test} cases");
    all
}

#[test]
fn mann_whitney_matches_scipy() {
    for c in of("mannwhitneyu") {
        let opts = MannWhitneyOptions {
            alternative: parse::<Alternative>(&c, "alternative"),
            method: parse::<PValueMethod>(&c, "method"),
            use_continuity: c["use_continuity"].as_bool().unwrap(),
            nan_policy: parse::<NanPolicy>(&c, "nan_policy"),
        };
        let r = mann_whitney_u(&data(&c["x"]), &data(&c["y"]), &opts).unwrap();
        // Default tolerance: U is exact; the p-value to 1e-10 relative.
        check(&r, &c, 1e-12, 1e-10, 1e-300);
    }
}

#[test]
fn mann_whitney_reports_rank_biserial_and_sizes() {
    let r = mann_whitney_u(
        &[1.0, 2.0, 3.0],
        &[4.0, 5.0, 6.0, 7.0],
        &MannWhitneyOptions::default(),
    )
    .unwrap();
    assert_eq!(r.statistic, 0.0);
    assert_eq!(r.effect_size.unwrap().value, -1.0);
    assert_eq!(r.n, vec![3, 4]);
}

#[test]
fn mann_whitney_error_paths() {
    let raise = MannWhitneyOptions {
        nan_policy: NanPolicy::Raise,
        ..Default::default()
    };
    assert!(matches!(
        mann_whitney_u(&[1.0, f64::NAN], &[2.0], &raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    let omit = MannWhitneyOptions {
        nan_policy: NanPolicy::Omit,
        ..Default::default()
    };
    assert!(matches!(
        mann_whitney_u(&[f64::NAN], &[2.0], &omit),
        Err(abstat_core::Error::TooFewObservations { got: 0, .. })
    ));
    let no_cc = MannWhitneyOptions {
        use_continuity: false,
        method: PValueMethod::Asymptotic,
        ..Default::default()
    };
    assert!(matches!(
        mann_whitney_u(&[2.0, 2.0], &[2.0, 2.0, 2.0], &no_cc),
        Err(abstat_core::Error::Degenerate(_))
    ));
    // The exact distribution for two samples of 5000 would take minutes.
    let big: Vec<f64> = (0..5000).map(f64::from).collect();
    let exact = MannWhitneyOptions {
        method: PValueMethod::Exact,
        ..Default::default()
    };
    assert!(matches!(
        mann_whitney_u(&big, &big, &exact),
        Err(abstat_core::Error::InvalidParameter { .. })
    ));
}

#[test]
fn wilcoxon_matches_scipy() {
    for c in of("wilcoxon") {
        let opts = WilcoxonOptions {
            zero_method: parse::<ZeroMethod>(&c, "zero_method"),
            correction: c["correction"].as_bool().unwrap(),
            alternative: parse::<Alternative>(&c, "alternative"),
            method: parse::<PValueMethod>(&c, "method"),
            nan_policy: parse::<NanPolicy>(&c, "nan_policy"),
        };
        let r = if c.get("y").is_some() {
            wilcoxon_paired(&data(&c["x"]), &data(&c["y"]), &opts)
        } else {
            wilcoxon(&data(&c["x"]), &opts)
        }
        .unwrap_or_else(|e| panic!("{}: {e}", label(&c)));
        // scipy's exact tail above the mean is 1 − (a sum near 1), which
        // carries an absolute rounding error of a few 1e-16; abstat sums the
        // tail itself (scipy returns 0 where the exact tail is 1.6e-92).
        // Hence the absolute floor of 1e-15 on p-values.
        check(&r.test, &c, 1e-12, 1e-10, 1e-15);
        if let Some(z) = c["expected"].get("z") {
            let got = r.z_statistic.expect("z with method = asymptotic");
            assert_close(got, num(z), 1e-10, 1e-300, &format!("{}: z", label(&c)));
        }
    }
}

#[test]
fn kruskal_matches_scipy() {
    for c in of("kruskal") {
        let groups: Vec<Vec<f64>> = c["groups"].as_array().unwrap().iter().map(data).collect();
        let views: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
        let r = kruskal(&views, parse::<NanPolicy>(&c, "nan_policy")).unwrap();
        check(&r, &c, 1e-10, 1e-10, 1e-300);
    }
}

#[test]
fn kruskal_error_paths() {
    let p = NanPolicy::Propagate;
    assert!(matches!(
        kruskal(&[&[1.0, 2.0]], p),
        Err(abstat_core::Error::TooFewObservations { needed: 2, .. })
    ));
    assert!(matches!(
        kruskal(&[&[1.0, 1.0], &[1.0]], p),
        Err(abstat_core::Error::Degenerate(_))
    ));
    assert!(matches!(
        kruskal(&[&[1.0, 2.0], &[]], p),
        Err(abstat_core::Error::TooFewObservations { got: 0, .. })
    ));
    assert!(matches!(
        kruskal(&[&[1.0, f64::NAN], &[3.0]], NanPolicy::Raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
}

#[test]
fn wilcoxon_error_paths() {
    let o = WilcoxonOptions::default();
    assert!(matches!(
        wilcoxon_paired(&[1.0, 2.0], &[1.0], &o),
        Err(abstat_core::Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        wilcoxon_paired(&[1.0, 2.0], &[1.0, 2.0], &o),
        Err(abstat_core::Error::Degenerate(_))
    ));
    let raise = WilcoxonOptions {
        nan_policy: NanPolicy::Raise,
        ..o
    };
    assert!(matches!(
        wilcoxon(&[1.0, f64::NAN], &raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
    assert!("median".parse::<ZeroMethod>().is_err());
    let big: Vec<f64> = (1..=5000).map(f64::from).collect();
    let exact = WilcoxonOptions {
        method: PValueMethod::Exact,
        ..o
    };
    assert!(matches!(
        wilcoxon(&big, &exact),
        Err(abstat_core::Error::InvalidParameter { .. })
    ));
}

#[test]
fn ks_2samp_matches_scipy() {
    for c in of("ks_2samp") {
        let opts = KsOptions {
            alternative: parse::<Alternative>(&c, "alternative"),
            method: parse::<PValueMethod>(&c, "method"),
            nan_policy: parse::<NanPolicy>(&c, "nan_policy"),
        };
        let r = ks_2samp(&data(&c["x"]), &data(&c["y"]), &opts)
            .unwrap_or_else(|e| panic!("{}: {e}", label(&c)));
        check(&r.test, &c, 1e-12, 1e-10, 1e-300);
        let e = &c["expected"];
        assert_close(
            r.statistic_location,
            num(&e["location"]),
            0.0,
            0.0,
            &format!("{}: location", label(&c)),
        );
        if !num(&e["sign"]).is_nan() {
            assert_eq!(
                f64::from(r.statistic_sign),
                num(&e["sign"]),
                "{}: sign",
                label(&c)
            );
        }
    }
}

#[test]
fn ks_2samp_error_paths() {
    let o = KsOptions::default();
    assert!(matches!(
        ks_2samp(&[], &[1.0], &o),
        Err(abstat_core::Error::TooFewObservations { .. })
    ));
    let raise = KsOptions {
        nan_policy: NanPolicy::Raise,
        ..o
    };
    assert!(matches!(
        ks_2samp(&[1.0], &[f64::NAN], &raise),
        Err(abstat_core::Error::MissingValues { .. })
    ));
}
