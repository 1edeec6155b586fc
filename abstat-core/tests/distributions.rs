//! Fixture tests of the distribution functions against scipy.stats
//! (scripts/fixtures/gen_distributions.py).

mod common;

use abstat_core::distributions::*;
use common::{cases, num};

#[test]
fn distribution_functions_match_scipy() {
    let mut failures = Vec::new();
    for c in cases("distributions") {
        let a: Vec<f64> = c["args"].as_array().unwrap().iter().map(num).collect();
        let (dist, func) = (c["dist"].as_str().unwrap(), c["fn"].as_str().unwrap());
        let got = match (dist, func) {
            ("norm", "cdf") => normal_cdf(a[0]),
            ("norm", "sf") => normal_sf(a[0]),
            ("norm", "ppf") => normal_ppf(a[0]),
            ("t", "cdf") => t_cdf(a[0], a[1]),
            ("t", "sf") => t_sf(a[0], a[1]),
            ("t", "ppf") => t_ppf(a[0], a[1]),
            ("chi2", "cdf") => chi2_cdf(a[0], a[1]),
            ("chi2", "sf") => chi2_sf(a[0], a[1]),
            ("chi2", "ppf") => chi2_ppf(a[0], a[1]),
            ("f", "cdf") => f_cdf(a[0], a[1], a[2]),
            ("f", "sf") => f_sf(a[0], a[1], a[2]),
            ("f", "ppf") => f_ppf(a[0], a[1], a[2]),
            other => panic!("unknown {other:?}"),
        };
        let want = num(&c["expected"]);
        // Relative 1e-10 everywhere, absolute 1e-300 for underflow, with two
        // stated exceptions:
        // - quantiles get an absolute 1e-15: at p = 0.5 the symmetric
        //   quantile is exactly 0 and scipy returns ~1e-16 of rounding noise;
        // - F with both degrees of freedom ≥ 1e5 gets relative 1e-9: there the
        //   beta prefactor is a sum of O(1e5) logarithms that cancel, in scipy
        //   and here alike, and mpmath cannot arbitrate (it does not converge).
        let rtol = if dist == "f" && a[1] >= 1e5 && a[2] >= 1e5 {
            1e-9
        } else {
            1e-10
        };
        let atol = if func == "ppf" { 1e-15 } else { 1e-300 };
        let ok = if want.is_nan() {
            got.is_nan()
        } else if want.is_infinite() {
            got == want
        } else {
            (got - want).abs() <= atol + rtol * want.abs()
        };
        if !ok {
            failures.push(format!(
                "{dist}.{func}{a:?}: got {got:e}, want {want:e}, rel {:e}",
                ((got - want) / want).abs()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
