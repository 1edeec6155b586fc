//! Fixture tests of the multiple-testing corrections against statsmodels
//! `multipletests` (scripts/fixtures/gen_multitest.py).

mod common;

use abstat_core::multitest::{Correction, multipletests};
use common::{assert_close, cases, data, num};

#[test]
fn corrections_match_statsmodels() {
    for c in cases("multitest") {
        let name = format!(
            "{} {}",
            c["name"].as_str().unwrap(),
            c["method"].as_str().unwrap()
        );
        let method: Correction = c["method"].as_str().unwrap().parse().unwrap();
        let p = data(&c["p"]);
        let r = multipletests(&p, method).unwrap();
        let want = data(&c["adjusted"]);
        assert_eq!(r.p_adjusted.len(), want.len());
        for (i, (&got, &exp)) in r.p_adjusted.iter().zip(&want).enumerate() {
            // relative 1e-12: the same products and running min/max as statsmodels
            assert_close(got, exp, 1e-12, 0.0, &format!("{name} adjusted[{i}]"));
        }
        for (alpha, rej) in c["reject"].as_object().unwrap() {
            let alpha: f64 = alpha.parse().unwrap();
            let want: Vec<bool> = rej
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_bool().unwrap())
                .collect();
            assert_eq!(r.reject(alpha), want, "{name} reject at {alpha}");
        }
        assert_eq!(r.n_tests(), p.iter().filter(|v| !v.is_nan()).count());
        let _ = num(&c["p"][0]);
    }
}
