//! Normal and Student t quantiles against scipy.stats over a wide grid of
//! probabilities and degrees of freedom (scripts/fixtures/gen_quantiles.py).

mod common;

use abstat_core::distributions::{normal_isf, normal_ppf, t_isf, t_ppf};
use common::{cases, data, num};

#[test]
fn normal_and_t_quantiles_match_scipy() {
    let (mut checked, mut failures) = (0, Vec::new());
    for c in cases("quantiles") {
        let p = data(&c["p"]);
        let want = data(&c["expected"]);
        let df = c.get("df").map(num);
        for (&p, &w) in p.iter().zip(&want) {
            let (got, mirrored) = match df {
                None => (normal_ppf(p), -normal_isf(p)),
                Some(df) => (t_ppf(p, df), -t_isf(p, df)),
            };
            let what = format!("ppf({p:e}, df {df:?})");
            // relative 1e-12 (the task's bar for the quantiles); absolute
            // 1e-15 only for the exact 0 at p = ½, where scipy's t.ppf
            // returns rounding noise
            let ok = if w.is_infinite() {
                got == w
            } else {
                (got - w).abs() <= 1e-15 + 1e-12 * w.abs()
            };
            if !ok || got != mirrored {
                failures.push(format!(
                    "{what}: got {got:e} (−isf {mirrored:e}), scipy {w:e}"
                ));
            }
            checked += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 1900, "{checked}");
}

#[test]
fn quantile_edges_are_infinite_or_nan() {
    assert_eq!(normal_ppf(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_ppf(1.0), f64::INFINITY);
    assert!(normal_ppf(f64::NAN).is_nan() && normal_ppf(1.5).is_nan() && normal_ppf(-0.1).is_nan());
    assert_eq!(t_ppf(0.0, 5.0), f64::NEG_INFINITY);
    assert_eq!(t_ppf(1.0, 1.0), f64::INFINITY);
    assert!(t_ppf(0.3, 0.0).is_nan() && t_ppf(0.3, f64::NAN).is_nan() && t_ppf(2.0, 3.0).is_nan());
}
