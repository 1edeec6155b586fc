//! Post-stratification against statsmodels' fully interacted OLS with HC2
//! standard errors (Lin 2013); fixtures from
//! scripts/fixtures/gen_ab_stratification.py.

mod common;

use abstat_core::ab::stratification::{compare_post_stratified, moments_by_stratum};
use abstat_core::ab::{FrequentistOptions, PowerSums};
use abstat_core::{Alternative, Error, NanPolicy};
use common::{assert_close, cases, det_normal, det_uniform, num};

/// The generator's data: stratum h from a skewed uniform, arm from a fair
/// one, y with stratum-dependent mean and spread.
fn make(seed: u64, n: usize, strata: usize, effect: f64) -> (Vec<f64>, Vec<u32>, Vec<u32>) {
    let (u_arm, u_str) = (det_uniform(seed, n), det_uniform(seed + 7, n));
    let noise = det_normal(seed + 13, n, 0.0, 1.0);
    let arm: Vec<u32> = u_arm.iter().map(|&u| u32::from(u < 0.5)).collect();
    let h: Vec<u32> = u_str
        .iter()
        .map(|&u| ((u.powf(1.5) * strata as f64) as u32).min(strata as u32 - 1))
        .collect();
    let y = (0..n)
        .map(|i| {
            let hf = f64::from(h[i]);
            2.0 + 3.0 * hf + noise[i] * (1.0 + 0.5 * hf) + effect * f64::from(arm[i])
        })
        .collect();
    (y, arm, h)
}

#[test]
fn post_stratified_difference_matches_interacted_ols_hc2() {
    for c in cases("ab_stratification") {
        let strata = c["strata"].as_u64().unwrap() as usize;
        let (y, arm, h) = make(
            c["seed"].as_u64().unwrap(),
            c["n"].as_u64().unwrap() as usize,
            strata,
            num(&c["effect"]),
        );
        let m = moments_by_stratum(&y, &arm, &h, 2, strata, NanPolicy::Raise).unwrap();
        let opts = FrequentistOptions {
            alpha: num(&c["alpha"]),
            alternative: Alternative::TwoSided,
        };
        let r = compare_post_stratified(&m[0], &m[1], &opts).unwrap();
        // the default tolerance: 1e-10 relative
        let tol = 1e-10;
        for (g, w) in r.weights.iter().zip(c["weights"].as_array().unwrap()) {
            assert_close(*g, num(w), 1e-15, 0.0, "weight");
        }
        assert_close(
            r.control_mean,
            num(&c["control_mean"]),
            tol,
            0.0,
            "control mean",
        );
        assert_close(
            r.treatment_mean,
            num(&c["treatment_mean"]),
            tol,
            0.0,
            "treatment mean",
        );
        for (e, key) in [
            (&r.absolute, "absolute"),
            (r.relative.as_ref().unwrap(), "relative"),
        ] {
            let want = &c[key];
            assert_close(e.estimate, num(&want["estimate"]), tol, 0.0, key);
            assert_close(e.std_error, num(&want["std_error"]), tol, 0.0, key);
            assert_close(e.p_value, num(&want["p_value"]), tol, 1e-15, key);
            assert_close(e.ci.lower, num(&want["ci"][0]), tol, 1e-12, key);
            assert_close(e.ci.upper, num(&want["ci"][1]), tol, 1e-12, key);
        }
        assert!(r.variance_reduction > 0.0, "strata explain variance here");
    }
}

#[test]
fn stratification_edge_cases_are_errors() {
    let o = FrequentistOptions::default();
    let m = |n: u64, s: f64, ss: f64| PowerSums::new(n, s, ss);
    // a stratum with a single control unit
    let err = compare_post_stratified(
        &[m(10, 10.0, 20.0), m(1, 1.0, 1.0)],
        &[m(10, 12.0, 25.0), m(5, 5.0, 9.0)],
        &o,
    )
    .unwrap_err();
    assert!(matches!(err, Error::TooFewObservations { .. }), "{err}");
    // empty strata are skipped
    let ok = compare_post_stratified(
        &[m(10, 10.0, 20.0), m(0, 0.0, 0.0)],
        &[m(10, 12.0, 25.0), m(0, 0.0, 0.0)],
        &o,
    )
    .unwrap();
    assert_eq!(ok.weights[1], 0.0);
    assert!(matches!(
        compare_post_stratified(&[m(10, 10.0, 20.0)], &[], &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        compare_post_stratified(&[m(3, 3.0, 3.0)], &[m(3, 6.0, 12.0)], &o),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        moments_by_stratum(&[1.0, 2.0], &[0, 1], &[0, 5], 2, 2, NanPolicy::Raise),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        moments_by_stratum(&[1.0, 2.0], &[0, 1], &[0], 2, 2, NanPolicy::Raise),
        Err(Error::LengthMismatch { .. })
    ));
}
