//! One-way ANOVA and Welch's ANOVA against scipy `f_oneway` and statsmodels
//! `anova_oneway(use_var="unequal")` (fixtures from scripts/fixtures/gen_anova.py).

mod common;

use abstat_core::anova::{AnovaOptions, f_oneway, welch_anova};
use common::{assert_close, cases, data, num};

#[test]
fn anova_matches_scipy_and_statsmodels() {
    for c in cases("anova") {
        let name = format!("{} / {} / {}", c["name"], c["fn"], c["nan_policy"]);
        let groups: Vec<Vec<f64>> = c["groups"].as_array().unwrap().iter().map(data).collect();
        let opts = AnovaOptions {
            nan_policy: c["nan_policy"].as_str().unwrap().parse().unwrap(),
        };
        let res = match c["fn"].as_str().unwrap() {
            "f_oneway" => f_oneway(&groups, &opts),
            "welch_anova" => welch_anova(&groups, &opts),
            other => panic!("unknown fn {other}"),
        };
        if let Some(err) = c.get("error") {
            let e = res.expect_err(&name);
            assert!(
                format!("{e:?}").starts_with(err.as_str().unwrap()),
                "{name}: {e:?}"
            );
            assert!(!e.to_string().is_empty());
            continue;
        }
        let r = res.unwrap_or_else(|e| panic!("{name}: {e}"));
        let rtol = 1e-10;
        assert_close(
            r.statistic,
            num(&c["statistic"]),
            rtol,
            1e-300,
            &format!("{name}: F"),
        );
        assert_close(
            r.p_value,
            num(&c["pvalue"]),
            rtol,
            1e-300,
            &format!("{name}: p"),
        );
        assert_close(
            r.df_num,
            num(&c["df_num"]),
            1e-12,
            0.0,
            &format!("{name}: df_num"),
        );
        assert_close(
            r.df_denom,
            num(&c["df_denom"]),
            1e-10,
            0.0,
            &format!("{name}: df_denom"),
        );
    }
}

#[test]
fn decisions_follow_the_p_value() {
    let r = f_oneway(
        &[[1.0, 2.0, 3.0], [7.0, 8.0, 9.0]],
        &AnovaOptions::default(),
    )
    .unwrap();
    assert!(r.reject(0.05));
    assert!(!r.reject(r.p_value / 2.0));
}
