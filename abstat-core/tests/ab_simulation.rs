//! Seeded simulations as tests (deterministic: SplitMix64 data from
//! tests/common): the error rates the A/B engines promise hold on data where
//! the truth is known.

mod common;

use abstat_core::NanPolicy;
use abstat_core::ab::group_sequential::{
    GroupSequentialOptions, SequentialDecision, boundaries, group_sequential_test,
};
use abstat_core::ab::{
    FrequentistOptions, MetricStats, PowerSums, SequentialOptions, compare, compare_sequential,
};
use common::det_normal;

/// Per-variant moments of one run's raw columns through the column pass.
fn run_moments(seed: u64, n: usize, effect: f64) -> [PowerSums; 2] {
    let mut y = det_normal(seed, 2 * n, 10.0, 2.0);
    y[n..].iter_mut().for_each(|v| *v += effect);
    let variant: Vec<u32> = (0..2 * n).map(|i| u32::from(i >= n)).collect();
    let m = PowerSums::by_variant(&y, &variant, 2, NanPolicy::Raise).unwrap();
    [m[0], m[1]]
}

/// 2,000 A/A experiments at α = 0.05: the false-positive rate lies within
/// 4.0–6.0 % (the binomial standard error is 0.49 points).
#[test]
fn aa_false_positive_rate_is_nominal() {
    let runs = 2000;
    let o = FrequentistOptions::default();
    let positives = (0..runs)
        .filter(|&r| {
            let [a, b] = run_moments(1_000_003 * r as u64 + 7, 200, 0.0);
            compare(&MetricStats::Mean(a), &MetricStats::Mean(b), &o)
                .unwrap()
                .reject(0.05)
        })
        .count();
    let rate = positives as f64 / runs as f64;
    eprintln!("A/A false-positive rate over {runs} runs: {rate}");
    assert!(
        (0.04..=0.06).contains(&rate),
        "A/A false-positive rate {rate}"
    );
}

/// Daily peeking at the asymptotic confidence sequence: over 400
/// experiments with 30 daily looks each, the true effect stays inside the
/// sequence at every look in at least 95 % of experiments.
#[test]
fn confidence_sequence_keeps_coverage_under_daily_peeking() {
    let (experiments, days, per_day, effect) = (400, 30, 100, 0.3);
    let o = SequentialOptions::default();
    let covered = (0..experiments)
        .filter(|&e| {
            let (mut a, mut b) = (PowerSums::default(), PowerSums::default());
            (0..days).all(|d| {
                let [da, db] = run_moments(7_919 * (e * days + d) as u64 + 1, per_day, effect);
                a.combine(&da);
                b.combine(&db);
                let c =
                    compare_sequential(&MetricStats::Mean(a), &MetricStats::Mean(b), &o).unwrap();
                c.absolute.ci.contains(effect)
            })
        })
        .count();
    let coverage = covered as f64 / experiments as f64;
    eprintln!("confidence-sequence coverage under daily peeking: {coverage}");
    assert!(coverage >= 0.95, "coverage under peeking {coverage}");
}

/// A group-sequential O'Brien–Fleming design with four looks keeps its
/// type I error: 2,000 null experiments reject in 4.0–6.0 % of cases.
#[test]
fn group_sequential_type_one_error_is_nominal() {
    let (runs, looks, per_look) = (2000, 4, 100);
    let opts = GroupSequentialOptions::default();
    let t: Vec<f64> = (1..=looks).map(|k| k as f64 / looks as f64).collect();
    let b = boundaries(&t, &opts).unwrap();
    assert_eq!(b.z.len(), looks);
    let rejections = (0..runs)
        .filter(|&r| {
            let (mut a, mut c) = (PowerSums::default(), PowerSums::default());
            let z: Vec<f64> = (0..looks)
                .map(|k| {
                    let [da, dc] = run_moments(104_729 * (r * looks + k) as u64 + 3, per_look, 0.0);
                    a.combine(&da);
                    c.combine(&dc);
                    let cmp = compare(
                        &MetricStats::Mean(a),
                        &MetricStats::Mean(c),
                        &FrequentistOptions::default(),
                    )
                    .unwrap();
                    cmp.absolute.statistic
                })
                .collect();
            let crossed = z.iter().zip(&b.z).any(|(zk, bk)| zk.abs() >= *bk);
            if r < 20 {
                // the decision function agrees (it recomputes the boundaries,
                // so it is called on a few runs only)
                let d = group_sequential_test(&z, &t, &opts).unwrap().decision;
                assert_eq!(matches!(d, SequentialDecision::RejectNull { .. }), crossed);
            }
            crossed
        })
        .count();
    let rate = rejections as f64 / runs as f64;
    eprintln!("group-sequential (OBF, 4 looks) type I error: {rate}");
    assert!(
        (0.04..=0.06).contains(&rate),
        "group-sequential type I error {rate}"
    );
}
