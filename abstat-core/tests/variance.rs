//! Levene / Brown–Forsythe tests against scipy `levene` with every centre
//! (fixtures from scripts/fixtures/gen_variance.py).

mod common;

use abstat_core::variance::{Center, LeveneOptions, levene};
use common::{assert_close, cases, data, num};

#[test]
fn levene_matches_scipy() {
    for c in cases("variance") {
        let name = format!(
            "{} / {} {} / {}",
            c["name"], c["center"], c["proportiontocut"], c["nan_policy"]
        );
        let groups: Vec<Vec<f64>> = c["groups"].as_array().unwrap().iter().map(data).collect();
        let center = match c["center"].as_str().unwrap() {
            "mean" => Center::Mean,
            "median" => Center::Median,
            "trimmed" => Center::Trimmed(num(&c["proportiontocut"])),
            other => panic!("{other}"),
        };
        let opts = LeveneOptions {
            center,
            nan_policy: c["nan_policy"].as_str().unwrap().parse().unwrap(),
        };
        let res = levene(&groups, &opts);
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
        assert_close(
            r.df_num,
            num(&c["df_num"]),
            0.0,
            0.0,
            &format!("{name}: df_num"),
        );
        assert_close(
            r.df_denom,
            num(&c["df_denom"]),
            0.0,
            0.0,
            &format!("{name}: df_denom"),
        );
    }
}
