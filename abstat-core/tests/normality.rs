//! Shapiro–Wilk against scipy `shapiro` (fixtures from
//! scripts/fixtures/gen_normality.py).

mod common;

use abstat_core::normality::{ShapiroOptions, shapiro};
use common::{assert_close, cases, data, num};

#[test]
fn shapiro_matches_scipy() {
    for c in cases("normality") {
        let name = format!("{} ({})", c["name"], c["nan_policy"]);
        let x = data(&c["x"]);
        let opts = ShapiroOptions {
            nan_policy: c["nan_policy"].as_str().unwrap().parse().unwrap(),
        };
        let res = shapiro(&x, &opts);
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
        assert_eq!(r.beyond_calibrated_range, x.len() > 5000, "{name}");
    }
}
