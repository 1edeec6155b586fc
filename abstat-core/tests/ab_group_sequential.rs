//! Group-sequential boundaries against crossing probabilities computed with
//! scipy's multivariate normal law; fixtures from
//! scripts/fixtures/gen_ab_group_sequential.py.

mod common;

use abstat_core::ab::group_sequential::{
    GroupSequentialOptions, MAX_BOUNDARY, SequentialDecision, Spending, boundaries,
    group_sequential_test,
};
use abstat_core::{Alternative, Error};
use common::{assert_close, cases, data, num};

#[test]
fn boundaries_match_scipy_multivariate_normal_crossing_probabilities() {
    for c in cases("ab_group_sequential") {
        let t = data(&c["information"]);
        let opts = GroupSequentialOptions {
            alpha: num(&c["alpha"]),
            alternative: c["alternative"].as_str().unwrap().parse().unwrap(),
            spending: serde_json::from_value(c["spending"].clone()).unwrap(),
        };
        let b = boundaries(&t, &opts).unwrap();
        for (k, want) in data(&c["z"]).into_iter().enumerate() {
            // The reference solves for each boundary through scipy's
            // quasi-Monte Carlo estimate of the multivariate normal cdf
            // (abseps 1e-8, 1e5 points per dimension): its error moves the
            // reference boundary by up to ~1e-5 (seed-to-seed spread), so
            // 5e-5 absolute in z. The first look is a closed form.
            let tol = if k == 0 { 1e-10 } else { 5e-5 };
            assert_close(b.z[k], want, 0.0, tol, &format!("{c}: look {k}"));
        }
        // Each look spends exactly its allowance unless capped at z = 8.
        for (k, want) in data(&c["spending_at_looks"]).into_iter().enumerate() {
            if b.z[k] < MAX_BOUNDARY {
                assert_close(
                    b.cumulative_alpha[k],
                    want,
                    1e-9,
                    1e-15,
                    &format!("{c}: spent {k}"),
                );
            } else {
                // capped: spends the probability of crossing z = 8 instead
                let before = if k == 0 {
                    0.0
                } else {
                    b.cumulative_alpha[k - 1]
                };
                assert!(
                    b.cumulative_alpha[k] - before < 1e-14,
                    "{c}: capped look {k}"
                );
            }
        }
    }
}

#[test]
fn a_single_look_is_the_fixed_horizon_test() {
    let b = boundaries(&[1.0], &GroupSequentialOptions::default()).unwrap();
    // z_{0.975} from the normal quantile
    assert_close(
        b.z[0],
        abstat_core::distributions::normal_isf(0.025),
        1e-14,
        0.0,
        "z",
    );
    assert_close(b.nominal_p[0], 0.05, 1e-12, 0.0, "p");
}

#[test]
fn decision_at_the_current_look() {
    let opts = GroupSequentialOptions::default();
    let t = [0.25, 0.5, 0.75, 1.0];
    let b = boundaries(&t, &opts).unwrap();
    let just_below: Vec<f64> = b.z.iter().map(|z| z - 1e-6).collect();
    let r = group_sequential_test(&just_below[..2], &t[..2], &opts).unwrap();
    assert_eq!(r.decision, SequentialDecision::Continue);
    let r = group_sequential_test(&just_below, &t, &opts).unwrap();
    assert_eq!(r.decision, SequentialDecision::FailToReject);
    let mut crossing = just_below.clone();
    crossing[2] = -(b.z[2] + 1e-6);
    let r = group_sequential_test(&crossing, &t, &opts).unwrap();
    assert_eq!(r.decision, SequentialDecision::RejectNull { look: 2 });
    // one-sided "less" rejects on the negative side only
    let less = GroupSequentialOptions {
        alternative: Alternative::Less,
        ..opts
    };
    let bl = boundaries(&t[..1], &less).unwrap();
    let r = group_sequential_test(&[bl.z[0] + 0.1], &t[..1], &less).unwrap();
    assert_eq!(r.decision, SequentialDecision::Continue);
    let r = group_sequential_test(&[-bl.z[0] - 0.1], &t[..1], &less).unwrap();
    assert_eq!(r.decision, SequentialDecision::RejectNull { look: 0 });
}

#[test]
fn invalid_designs_are_errors() {
    let o = GroupSequentialOptions::default();
    let invalid = |r: abstat_core::Result<_>| matches!(r, Err(Error::InvalidParameter { .. }));
    assert!(invalid(boundaries(&[0.5, 0.4], &o)));
    assert!(invalid(boundaries(&[0.5, 1.2], &o)));
    assert!(invalid(boundaries(&[0.0, 1.0], &o)));
    assert!(invalid(boundaries(&[f64::NAN], &o)));
    assert!(invalid(boundaries(
        &[1.0],
        &GroupSequentialOptions {
            spending: Spending::Power { rho: 0.0 },
            ..o
        }
    )));
    assert!(invalid(boundaries(
        &[1.0],
        &GroupSequentialOptions { alpha: 0.0, ..o }
    )));
    assert!(matches!(
        boundaries(&[], &o),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        group_sequential_test(&[1.0], &[0.5, 1.0], &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        group_sequential_test(&[f64::NAN], &[1.0], &o),
        Err(Error::InvalidParameter { .. })
    ));
}
