//! Helpers shared by the A/B fixture tests that compare with gbstats.
#![allow(dead_code)]

use abstat_core::ab::{Comparison, Effect, JointMoments, MetricStats, PowerSums, TreatmentResult};
use serde_json::Value;

use crate::common::{assert_close, data, num};

/// The statistics of one arm from the sums the generator wrote
/// (`n, sum, sum_squares`, and `sum_x, sum_x_squares, sum_xy` for ratio and
/// CUPED metrics), by the generator's kind name.
pub fn stats_of(kind: &str, s: &Value) -> MetricStats {
    let n = s["n"].as_u64().unwrap();
    let m = PowerSums::new(n, num(&s["sum"]), num(&s["sum_squares"]));
    let j = || {
        JointMoments::new(
            n,
            num(&s["sum"]),
            num(&s["sum_squares"]),
            num(&s["sum_x"]),
            num(&s["sum_x_squares"]),
            num(&s["sum_xy"]),
        )
    };
    match kind {
        "mean" => MetricStats::Mean(m),
        "proportion" => MetricStats::Proportion(m),
        "ratio" => MetricStats::Ratio(j()),
        "cuped" => MetricStats::RegressionAdjusted(j()),
        other => panic!("unknown kind {other}"),
    }
}

/// Two log-normal arms rebuilt from the case's `control` / `treatment`
/// SplitMix64 specs (y = exp(normal)), as one column with its variant index.
pub fn log_normal_arms(c: &Value) -> (Vec<f64>, Vec<u32>) {
    let exp = |v: &Value| data(v).into_iter().map(f64::exp).collect::<Vec<_>>();
    let (a, b) = (exp(&c["control"]), exp(&c["treatment"]));
    let variant = std::iter::repeat_n(0, a.len())
        .chain(std::iter::repeat_n(1, b.len()))
        .collect();
    ([a, b].concat(), variant)
}

/// The absolute and relative effects of `r` against gbstats' in the case's
/// `absolute` / `relative` entries, at the A/B tolerance of tests/ab.rs
/// (same sums, same formulas as gbstats: 1e-8 relative).
pub fn assert_effects_match_gbstats(r: &Comparison, c: &Value, name: &str) {
    let relative = r.relative.as_ref().expect("a relative effect");
    for (e, key) in [(&r.absolute, "absolute"), (relative, "relative")] {
        assert_effect(e, &c[key], &format!("{name}: {key}"));
    }
}

/// One effect against gbstats' `{estimate, std_error, p_value, ci}` at 1e-8
/// relative (p-values also 1e-15 absolute).
pub fn assert_effect(e: &Effect, want: &Value, what: &str) {
    let check = |got: f64, field: &Value, atol: f64, f: &str| {
        assert_close(got, num(field), 1e-8, atol, &format!("{what} {f}"))
    };
    check(e.estimate, &want["estimate"], 0.0, "estimate");
    check(e.std_error, &want["std_error"], 0.0, "std error");
    // gbstats computes 1 − cdf, abstat the survival function (~1e-16 apart)
    check(e.p_value, &want["p_value"], 1e-15, "p-value");
    check(e.ci.lower, &want["ci"][0], 0.0, "ci lower");
    check(e.ci.upper, &want["ci"][1], 0.0, "ci upper");
}

/// One corrected treatment cell against the generator's: gbstats' absolute
/// and relative effects, statsmodels' adjusted p-values
/// (`absolute_adjusted_p`, `relative_adjusted_p`; 1e-8 relative and
/// `p_atol`) and, with Bonferroni, gbstats' intervals at α/m
/// (`absolute_bonferroni_ci`, `relative_bonferroni_ci`); without it, no
/// adjusted intervals.
pub fn assert_corrected_cell(
    t: &TreatmentResult,
    cell: &Value,
    bonferroni: bool,
    p_atol: f64,
    what: &str,
) {
    let comp = t.comparison.as_ref().unwrap_or_else(|| panic!("{what}"));
    assert_effect(
        &comp.absolute,
        &cell["absolute"],
        &format!("{what} absolute"),
    );
    assert_effect(
        comp.relative.as_ref().expect("a relative effect"),
        &cell["relative"],
        &format!("{what} relative"),
    );
    for (got, key) in [
        (t.adjusted_p_value, "absolute_adjusted_p"),
        (t.adjusted_relative_p_value, "relative_adjusted_p"),
    ] {
        assert_close(got, num(&cell[key]), 1e-8, p_atol, &format!("{what} {key}"));
    }
    if !bonferroni {
        assert!(t.adjusted_ci.is_none(), "{what}");
        return;
    }
    for (ci, key) in [
        (t.adjusted_ci.as_ref(), "absolute_bonferroni_ci"),
        (t.adjusted_relative_ci.as_ref(), "relative_bonferroni_ci"),
    ] {
        let ci = ci.unwrap_or_else(|| panic!("{what}: no {key}"));
        assert_close(
            ci.lower,
            num(&cell[key][0]),
            1e-8,
            0.0,
            &format!("{what} {key} lower"),
        );
        assert_close(
            ci.upper,
            num(&cell[key][1]),
            1e-8,
            0.0,
            &format!("{what} {key} upper"),
        );
    }
}
