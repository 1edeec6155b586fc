//! A/B experiment analysis against GrowthBook's gbstats 0.8.0, statsmodels
//! and (where abstat deliberately differs from gbstats 0.8.0) independent
//! numpy/scipy computations; fixtures from scripts/fixtures/gen_ab.py.

mod ab_support;
mod common;

use ab_support::{assert_corrected_cell, stats_of};
use abstat_core::ab::{
    BayesianOptions, Correction, Effect, Engine, ExperimentOptions, FrequentistOptions,
    JointMoments, MetricInput, MetricStats, PowerSums, Prior, SequentialOptions, Verdict, analyze,
    compare, compare_bayesian, compare_sequential, minimum_detectable_effect, power_at, srm,
};
use abstat_core::{Alternative, Error, NanPolicy};
use common::{assert_close, cases, data, num};
use serde_json::Value;

/// gbstats works on the same sufficient statistics with the same formulas;
/// what remains is rounding in different orders of summation and the
/// t quantile, so 1e-8 relative is the agreed bound (the tolerance).
const RTOL: f64 = 1e-8;
/// p-values: gbstats 0.8.0 computes 1 − cdf, abstat the survival function,
/// which differ by up to ~1e-16 absolute.
const P_ATOL: f64 = 1e-15;

fn section(name: &str) -> Vec<Value> {
    cases("ab")
        .into_iter()
        .filter(|c| c["section"] == name)
        .collect()
}

fn alternative(c: &Value) -> Alternative {
    c["alternative"].as_str().unwrap().parse().unwrap()
}

/// The metric statistics of a case from its raw columns, through the
/// parallel column pass (control = variant 0, treatment = variant 1).
fn stats_from_columns(kind: &str, c: &Value) -> (MetricStats, MetricStats) {
    let (a, b) = (&c["control"], &c["treatment"]);
    let y: Vec<f64> = [data(&a["y"]), data(&b["y"])].concat();
    let variant: Vec<u32> = std::iter::repeat_n(0, a["y"].as_array().unwrap().len())
        .chain(std::iter::repeat_n(1, b["y"].as_array().unwrap().len()))
        .collect();
    let wrap = |f: fn(JointMoments) -> MetricStats| {
        let x: Vec<f64> = [data(&a["x"]), data(&b["x"])].concat();
        let s = JointMoments::by_variant(&y, &x, &variant, 2, NanPolicy::Raise).unwrap();
        (f(s[0]), f(s[1]))
    };
    match kind {
        "ratio" => wrap(MetricStats::Ratio),
        "cuped" => wrap(MetricStats::RegressionAdjusted),
        _ => {
            let s = PowerSums::by_variant(&y, &variant, 2, NanPolicy::Raise).unwrap();
            if kind == "mean" {
                (MetricStats::Mean(s[0]), MetricStats::Mean(s[1]))
            } else {
                (MetricStats::Proportion(s[0]), MetricStats::Proportion(s[1]))
            }
        }
    }
}

#[track_caller]
fn check_effect(got: &Effect, want: &Value, what: &str) {
    assert_close(
        got.estimate,
        num(&want["estimate"]),
        RTOL,
        0.0,
        &format!("{what} estimate"),
    );
    assert_close(
        got.std_error,
        num(&want["std_error"]),
        RTOL,
        0.0,
        &format!("{what} std error"),
    );
    if let Some(p) = want.get("p_value") {
        assert_close(
            got.p_value,
            num(p),
            RTOL,
            P_ATOL,
            &format!("{what} p-value"),
        );
    }
    assert_close(
        got.ci.lower,
        num(&want["ci"][0]),
        RTOL,
        0.0,
        &format!("{what} ci lower"),
    );
    assert_close(
        got.ci.upper,
        num(&want["ci"][1]),
        RTOL,
        0.0,
        &format!("{what} ci upper"),
    );
}

#[test]
fn compare_matches_gbstats_from_sums_and_from_columns() {
    for c in section("compare") {
        let name = c["name"].as_str().unwrap();
        let kind = c["kind"].as_str().unwrap();
        let opts = FrequentistOptions {
            alpha: num(&c["alpha"]),
            alternative: alternative(&c),
        };
        let from_sums = (
            stats_of(kind, &c["control_stats"]),
            stats_of(kind, &c["treatment_stats"]),
        );
        let from_columns = stats_from_columns(kind, &c);
        for (path, (a, b)) in [("sums", from_sums), ("columns", from_columns)] {
            let what = format!("{name} ({path})");
            let r = compare(&a, &b, &opts).unwrap();
            assert_close(r.df, num(&c["df"]), RTOL, 0.0, &format!("{what} df"));
            check_effect(&r.absolute, &c["absolute"], &format!("{what} absolute"));
            check_effect(
                r.relative.as_ref().unwrap(),
                &c["relative"],
                &format!("{what} relative"),
            );
            if kind == "cuped" {
                let cuped = r.cuped.unwrap();
                assert_close(
                    cuped.theta,
                    num(&c["theta"]),
                    RTOL,
                    0.0,
                    &format!("{what} theta"),
                );
                assert_close(
                    cuped.variance_reduction,
                    num(&c["variance_reduction"]),
                    RTOL,
                    1e-14,
                    &format!("{what} variance reduction"),
                );
            }
        }
    }
}

/// abstat deliberately divides by |control mean|: the relative lift of a
/// less negative treatment is positive, where gbstats 0.8.0 reports it
/// negative. The expected values come from the independent computation.
#[test]
fn negative_baseline_keeps_the_sign_unlike_gbstats_0_8_0() {
    let c = section("compare")
        .into_iter()
        .find(|c| c["name"] == "mean, negative baseline")
        .unwrap();
    let r = compare(
        &stats_of("mean", &c["control_stats"]),
        &stats_of("mean", &c["treatment_stats"]),
        &FrequentistOptions::default(),
    )
    .unwrap();
    let rel = r.relative.unwrap();
    let gb = num(&c["gbstats_relative_estimate"]);
    assert!(r.absolute.estimate > 0.0 && rel.estimate > 0.0 && gb < 0.0);
    assert_close(rel.estimate, -gb, RTOL, 0.0, "same magnitude as gbstats");
}

#[test]
fn compare_error_paths() {
    let m = |n, s, ss| MetricStats::Mean(PowerSums::new(n, s, ss));
    let o = FrequentistOptions::default();
    assert!(matches!(
        compare(&m(1, 1.0, 1.0), &m(10, 5.0, 30.0), &o),
        Err(Error::TooFewObservations {
            needed: 2,
            got: 1,
            ..
        })
    ));
    // all values equal: variance 0
    assert!(matches!(
        compare(&m(3, 3.0, 3.0), &m(10, 5.0, 30.0), &o),
        Err(Error::ZeroVariance { .. })
    ));
    assert!(matches!(
        compare(
            &m(10, 5.0, 30.0),
            &MetricStats::Proportion(PowerSums::new(10, 5.0, 5.0)),
            &o
        ),
        Err(Error::InvalidParameter { .. })
    ));
    let bad = FrequentistOptions { alpha: 1.5, ..o };
    assert!(matches!(
        compare(&m(10, 5.0, 30.0), &m(10, 5.0, 30.0), &bad),
        Err(Error::InvalidParameter { .. })
    ));
    // a NaN in the sums (NanPolicy::Propagate upstream) propagates
    let r = compare(&m(10, f64::NAN, 30.0), &m(10, 5.0, 30.0), &o).unwrap();
    assert!(r.absolute.p_value.is_nan() && r.absolute.estimate.is_nan());
    // zero control mean: absolute result, no relative one
    let r = compare(&m(4, 0.0, 8.0), &m(4, 4.0, 12.0), &o).unwrap();
    assert!(r.relative.is_none());
    assert_eq!(r.absolute.estimate, 1.0);
}

#[test]
fn columns_error_paths() {
    let y = [1.0, 2.0, f64::NAN, 4.0];
    let v = [0, 1, 0, 1];
    assert!(matches!(
        PowerSums::by_variant(&y, &v[..3], 2, NanPolicy::Omit),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        PowerSums::by_variant(&y, &v, 2, NanPolicy::Raise),
        Err(Error::MissingValues { .. })
    ));
    assert!(matches!(
        PowerSums::by_variant(&y, &[0, 1, 2, 0], 2, NanPolicy::Omit),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        PowerSums::by_variant(&y, &v, 0, NanPolicy::Omit),
        Err(Error::InvalidParameter { .. })
    ));
    let omit = PowerSums::by_variant(&y, &v, 2, NanPolicy::Omit).unwrap();
    assert_eq!(omit[0], PowerSums::new(1, 1.0, 1.0));
    assert_eq!(omit[1], PowerSums::new(2, 6.0, 20.0));
    let prop = PowerSums::by_variant(&y, &v, 2, NanPolicy::Propagate).unwrap();
    assert!(prop[0].sum.is_nan() && prop[1].sum == 6.0);
    let x = [1.0, 1.0, 1.0, f64::NAN];
    let j = JointMoments::by_variant(&[1.0, 2.0, 3.0, 4.0], &x, &v, 2, NanPolicy::Omit).unwrap();
    assert_eq!((j[0].n, j[1].n), (2, 1));
}

fn pair(c: &Value) -> (MetricStats, MetricStats) {
    let kind = c["kind"].as_str().unwrap();
    (
        stats_of(kind, &c["control_stats"]),
        stats_of(kind, &c["treatment_stats"]),
    )
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn srm_matches_gbstats_check_srm() {
    for c in section("srm") {
        let units = counts(&c["users"]);
        let weights = data(&c["weights"]);
        let r = srm(&units, &weights, 0.001).unwrap();
        assert_close(
            r.p_value,
            num(&c["p_value"]),
            1e-10,
            1e-300,
            c["name"].as_str().unwrap(),
        );
        assert_eq!(r.is_mismatch(), num(&c["p_value"]) < 0.001);
    }
    assert!(matches!(
        srm(&[10, 10], &[1.0], 0.001),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        srm(&[10, 10], &[1.0, 0.0], 0.001),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        srm(&[0, 0], &[1.0, 1.0], 0.001),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        srm(&[10], &[1.0], 0.001),
        Err(Error::TooFewObservations { .. })
    ));
    assert!(matches!(
        srm(&[10, 10], &[1.0, 1.0], 0.0),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn power_and_mde_match_the_normal_approximation_and_statsmodels() {
    for c in section("power") {
        let name = c["name"].as_str().unwrap();
        let n = data(&c["n"]);
        let v = data(&c["variance"]);
        let se = (v[0] / n[0] + v[1] / n[1]).sqrt();
        let (alpha, alt) = (num(&c["alpha"]), alternative(&c));
        let p = power_at(num(&c["effect"]), se, alpha, alt).unwrap();
        assert_close(p, num(&c["power"]), 1e-10, 0.0, &format!("{name} power"));
        if let Some(sm) = c.get("power_statsmodels") {
            assert_close(
                p,
                num(sm),
                1e-10,
                0.0,
                &format!("{name} power vs statsmodels"),
            );
        }
        let mde = minimum_detectable_effect(se, alpha, num(&c["target_power"]), alt).unwrap();
        assert_close(mde, num(&c["mde"]), 1e-10, 0.0, &format!("{name} mde"));
        // at the MDE the power is the target, by construction
        if alt != Alternative::TwoSided {
            assert_close(
                power_at(mde, se, alpha, alt).unwrap(),
                num(&c["target_power"]),
                1e-10,
                0.0,
                name,
            );
        }
    }
    assert!(power_at(0.1, 0.0, 0.05, Alternative::TwoSided).is_err());
    assert!(minimum_detectable_effect(0.1, 0.05, 1.0, Alternative::TwoSided).is_err());
}

#[test]
fn sequential_matches_gbstats() {
    for c in section("sequential") {
        let name = c["name"].as_str().unwrap();
        let (a, b) = pair(&c);
        let opts = SequentialOptions {
            alpha: num(&c["alpha"]),
            tuning: num(&c["tuning"]),
        };
        let r = compare_sequential(&a, &b, &opts).unwrap();
        check_effect(&r.absolute, &c["absolute"], &format!("{name} absolute"));
        check_effect(
            r.relative.as_ref().unwrap(),
            &c["relative"],
            &format!("{name} relative"),
        );
    }
    let c = &section("sequential")[0];
    let (a, b) = pair(c);
    let bad = SequentialOptions {
        tuning: 0.0,
        ..Default::default()
    };
    assert!(matches!(
        compare_sequential(&a, &b, &bad),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn bayesian_matches_gbstats() {
    for c in section("bayesian") {
        let name = c["name"].as_str().unwrap();
        let (a, b) = pair(&c);
        let prior = c["prior"].as_object().map(|p| Prior {
            mean: num(&p["mean"]),
            std_dev: num(&p["stddev"]),
        });
        let opts = BayesianOptions {
            alpha: num(&c["alpha"]),
            prior,
            inverse: c["inverse"].as_bool().unwrap(),
        };
        let r = compare_bayesian(&a, &b, &opts).unwrap();
        for (post, want, diff) in [
            (&r.absolute, &c["absolute"], "absolute"),
            (r.relative.as_ref().unwrap(), &c["relative"], "relative"),
        ] {
            let what = format!("{name} {diff}");
            assert_close(
                post.mean,
                num(&want["estimate"]),
                RTOL,
                0.0,
                &format!("{what} mean"),
            );
            assert_close(
                post.std_dev,
                num(&want["std_error"]),
                RTOL,
                0.0,
                &format!("{what} sd"),
            );
            assert_close(
                post.ci.lower,
                num(&want["ci"][0]),
                RTOL,
                0.0,
                &format!("{what} ci lower"),
            );
            assert_close(
                post.ci.upper,
                num(&want["ci"][1]),
                RTOL,
                0.0,
                &format!("{what} ci upper"),
            );
            assert_close(
                post.chance_to_win,
                num(&want["chance_to_win"]),
                RTOL,
                1e-15,
                &format!("{what} chance to win"),
            );
            assert_close(
                post.risk_control,
                num(&want["risk"][0]),
                RTOL,
                1e-15,
                &format!("{what} risk control"),
            );
            assert_close(
                post.risk_treatment,
                num(&want["risk"][1]),
                RTOL,
                1e-15,
                &format!("{what} risk treatment"),
            );
        }
    }
    let c = &section("bayesian")[0];
    let (a, b) = pair(c);
    let bad = BayesianOptions {
        prior: Some(Prior {
            mean: 0.0,
            std_dev: 0.0,
        }),
        ..Default::default()
    };
    assert!(matches!(
        compare_bayesian(&a, &b, &bad),
        Err(Error::InvalidParameter { .. })
    ));
}

fn correction(name: &str) -> Correction {
    match name {
        "bonferroni" => Correction::Bonferroni,
        "holm" => Correction::Holm,
        "benjamini-hochberg" => Correction::BenjaminiHochberg,
        other => panic!("{other}"),
    }
}

/// Three variants, two metrics: every cell is gbstats' pairwise test, the
/// corrected p-values are statsmodels' `multipletests` over the 4 cells and
/// the Bonferroni intervals are gbstats' at α/4.
#[test]
fn abn_corrections_match_gbstats_and_statsmodels() {
    for c in section("abn") {
        let name = c["name"].as_str().unwrap();
        let units = counts(&c["units"]);
        let metrics: Vec<MetricInput> = c["metrics"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, m)| MetricInput {
                name: k.clone(),
                higher_is_better: true,
                variants: m["stats"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| stats_of(m["kind"].as_str().unwrap(), s))
                    .collect(),
            })
            .collect();
        let method = correction(c["method"].as_str().unwrap());
        let opts = ExperimentOptions {
            correction: Some(method),
            ..Default::default()
        };
        let r = analyze(&units, &data(&c["weights"]), &metrics, &opts).unwrap();
        assert_eq!(r.comparisons, 4);
        for cell in c["cells"].as_array().unwrap() {
            let m = r
                .metrics
                .iter()
                .position(|m| m.name == cell["metric"].as_str().unwrap())
                .unwrap();
            let v = cell["variant"].as_u64().unwrap() as usize;
            let t = &r.metrics[m].treatments[v - 1];
            assert_eq!(t.variant, v);
            let what = format!("{name} {} v{v}", cell["metric"]);
            let bonferroni = method == Correction::Bonferroni;
            assert_corrected_cell(t, cell, bonferroni, P_ATOL, &what);
            if bonferroni {
                for ci in [&t.adjusted_ci, &t.adjusted_relative_ci] {
                    let level = ci.as_ref().unwrap().level;
                    assert_close(level, 1.0 - 0.05 / 4.0, 1e-15, 0.0, &what);
                }
            }
            let verdict = r.verdict(m, v - 1).unwrap();
            let expected = if num(&cell["absolute_adjusted_p"]) <= 0.05 {
                if num(&cell["absolute"]["estimate"]) > 0.0 {
                    Verdict::SignificantWin
                } else {
                    Verdict::SignificantLoss
                }
            } else {
                Verdict::Inconclusive
            };
            assert_eq!(verdict, expected, "{what}");
            assert!(t.power.is_some());
        }
    }
}

fn mean(n: u64, mean: f64, var: f64) -> MetricStats {
    // sums with the given mean and sample variance
    let nf = n as f64;
    MetricStats::Mean(PowerSums::new(
        n,
        mean * nf,
        var * (nf - 1.0) + mean * mean * nf,
    ))
}

#[test]
fn verdicts_cover_every_outcome() {
    // (mean, variance) per variant; 5000 units each unless stated
    let metric = |name: &str, hib: bool, cells: [(u64, f64, f64); 3]| MetricInput {
        name: name.into(),
        higher_is_better: hib,
        variants: cells.iter().map(|&(n, m, v)| mean(n, m, v)).collect(),
    };
    let metrics = vec![
        metric(
            "revenue",
            true,
            [(5000, 10.0, 4.0), (5000, 10.5, 4.0), (5000, 9.5, 4.0)],
        ),
        metric(
            "latency",
            false,
            [(5000, 10.0, 4.0), (5000, 10.5, 4.0), (5000, 10.01, 4.0)],
        ),
        metric(
            "tiny",
            true,
            [(5000, 10.0, 4.0), (1, 10.5, 0.0), (5000, 10.0, 0.0)],
        ),
    ];
    let opts = ExperimentOptions::default();
    let r = analyze(&[5000, 5000, 5000], &[1.0, 1.0, 1.0], &metrics, &opts).unwrap();
    use abstat_core::ab::Verdict::*;
    assert_eq!(
        r.verdicts(),
        vec![
            vec![SignificantWin, SignificantLoss],
            vec![SignificantLoss, Inconclusive],
            vec![NotEnoughData, NotEnoughData],
        ]
    );
    assert!(
        r.metrics[2].treatments[0]
            .error
            .as_ref()
            .unwrap()
            .contains("too few")
    );
    assert!(
        r.metrics[2].treatments[1]
            .error
            .as_ref()
            .unwrap()
            .contains("zero variance")
    );
    assert_eq!(r.comparisons, 4);
    assert_eq!(r.verdict(9, 0), None);
    // a broken split overrides everything
    let r = analyze(&[5000, 5400, 5000], &[1.0, 1.0, 1.0], &metrics, &opts).unwrap();
    assert!(r.srm.is_mismatch());
    assert!(
        r.verdicts()
            .iter()
            .flatten()
            .all(|v| *v == SampleRatioMismatch)
    );
    // NaN sums (missing values propagated) cannot be judged
    let nan = vec![metric(
        "nan",
        true,
        [(5000, f64::NAN, 4.0), (5000, 10.0, 4.0), (5000, 10.0, 4.0)],
    )];
    let r = analyze(&[5000, 5000, 5000], &[1.0, 1.0, 1.0], &nan, &opts).unwrap();
    assert_eq!(r.verdicts(), vec![vec![NotEnoughData, NotEnoughData]]);
    // minimum sample size
    let strict = ExperimentOptions {
        min_units: 10_000,
        ..opts
    };
    let r = analyze(&[5000, 5000, 5000], &[1.0, 1.0, 1.0], &metrics, &strict).unwrap();
    assert!(r.verdicts().iter().flatten().all(|v| *v == NotEnoughData));
    // the sequential engine is more conservative than the fixed-horizon one
    let fixed = analyze(&[5000, 5000, 5000], &[1.0, 1.0, 1.0], &metrics, &opts).unwrap();
    let seq = ExperimentOptions {
        engine: Engine::Sequential { tuning: 5000.0 },
        ..opts
    };
    let rs = analyze(&[5000, 5000, 5000], &[1.0, 1.0, 1.0], &metrics, &seq).unwrap();
    let p = |r: &abstat_core::ab::ExperimentResult| {
        r.metrics[0].treatments[0]
            .comparison
            .as_ref()
            .unwrap()
            .absolute
            .p_value
    };
    assert!(p(&rs) > p(&fixed));
}

#[test]
fn analyze_error_paths() {
    let m = vec![MetricInput {
        name: "x".into(),
        higher_is_better: true,
        variants: vec![mean(10, 1.0, 1.0)],
    }];
    let o = ExperimentOptions::default();
    assert!(matches!(
        analyze(&[10, 10], &[1.0, 1.0], &m, &o),
        Err(Error::LengthMismatch { .. })
    ));
    let bad = ExperimentOptions { control: 2, ..o };
    assert!(matches!(
        analyze(&[10, 10], &[1.0, 1.0], &[], &bad),
        Err(Error::InvalidParameter { .. })
    ));
    let bad = ExperimentOptions {
        target_power: 1.0,
        ..o
    };
    assert!(matches!(
        analyze(&[10, 10], &[1.0, 1.0], &[], &bad),
        Err(Error::InvalidParameter { .. })
    ));
    let bad = ExperimentOptions { alpha: 0.0, ..o };
    assert!(matches!(
        analyze(&[10, 10], &[1.0, 1.0], &[], &bad),
        Err(Error::InvalidParameter { .. })
    ));
}
