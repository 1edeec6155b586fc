//! Fixture tests of the multiple-testing corrections against statsmodels
//! `multipletests` (scripts/fixtures/gen_multitest.py): every method, the
//! adjusted p-values and the reject decisions at two levels.

mod common;

use abstat_core::Error;
use abstat_core::multitest::{Correction, correct, correct_into, multipletests};
use common::{assert_close, cases, data};

fn bools(v: &serde_json::Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect()
}

/// `correct_into` gives the same adjusted bits, decisions and count.
fn assert_into_matches(
    p: &[f64],
    method: Correction,
    alpha: f64,
    adjusted: &[f64],
    reject: &[bool],
    name: &str,
) {
    let mut adj = vec![0.0; p.len()];
    let mut rej = vec![true; p.len()];
    let m = correct_into(p, method, alpha, &mut adj, &mut rej).unwrap();
    assert_eq!(m, p.iter().filter(|v| !v.is_nan()).count(), "{name}");
    for (x, y) in adj.iter().zip(adjusted) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{name}: {x} {y}"
        );
    }
    assert_eq!(rej, reject, "{name}: correct_into reject");
}

#[test]
fn corrections_match_statsmodels() {
    let all = cases("multitest");
    assert_eq!(all.len(), 9 * 11);
    for c in all {
        let name = format!(
            "{} {}",
            c["name"].as_str().unwrap(),
            c["method"].as_str().unwrap()
        );
        let method: Correction = c["method"].as_str().unwrap().parse().unwrap();
        let p = data(&c["p"]);
        for (alpha, want_adj) in c["adjusted_at"].as_object().unwrap() {
            let a: f64 = alpha.parse().unwrap();
            let want_adj = data(want_adj);
            let want_rej = bools(&c["reject"][alpha]);
            let (r, rej) = correct(&p, method, a).unwrap();
            assert_eq!(r.p_adjusted.len(), want_adj.len());
            for (i, (&got, &exp)) in r.p_adjusted.iter().zip(&want_adj).enumerate() {
                // relative 1e-12: the same products, logs and running
                // min/max as statsmodels, in the same order
                assert_close(got, exp, 1e-12, 0.0, &format!("{name} α={a} adjusted[{i}]"));
            }
            assert_eq!(rej, want_rej, "{name} reject at {a}");
            assert_eq!(r.reject(a), want_rej, "{name} reject() at {a}");
            if !method.depends_on_alpha() {
                let alone = multipletests(&p, method).unwrap();
                assert_eq!(alone.p_adjusted.len(), r.p_adjusted.len());
                for (x, y) in alone.p_adjusted.iter().zip(&r.p_adjusted) {
                    assert!(x == y || (x.is_nan() && y.is_nan()), "{name}");
                }
                assert_eq!(alone.reject(a), want_rej, "{name} reject at {a}");
            }
            assert_eq!(r.n_tests(), p.iter().filter(|v| !v.is_nan()).count());
            // the in-place path (fused for fdr_bh / fdr_by): the same bits
            assert_into_matches(&p, method, a, &r.p_adjusted, &want_rej, &name);
        }
    }
}

#[test]
fn correct_into_equals_correct_on_large_families_with_ties_and_nan() {
    // 2·10⁵ p-values: exact ties, near-ties in the last mantissa bits, 0, 1,
    // NaN; the fused FDR path against the sorted-vector one.
    let p: Vec<f64> = common::det_normal(11, 200_000, 0.0, 1.0)
        .iter()
        .enumerate()
        .map(|(i, z)| match i % 9 {
            0 => f64::NAN,
            1 => ((z.abs() * 4.0).floor() / 8.0).min(1.0),
            2 => f64::from_bits(0.01f64.to_bits() + (i % 3) as u64),
            3 => 0.0,
            _ => (z.abs() / 4.0).min(1.0),
        })
        .collect();
    for method in [
        Correction::BenjaminiHochberg,
        Correction::BenjaminiYekutieli,
    ] {
        for alpha in [0.01, 0.05, 0.5] {
            let (r, rej) = correct(&p, method, alpha).unwrap();
            assert_into_matches(
                &p,
                method,
                alpha,
                &r.p_adjusted,
                &rej,
                &format!("{method:?} at {alpha}"),
            );
        }
    }
}

#[test]
fn correct_into_refuses_buffers_of_another_length_and_bad_input() {
    let p = [0.01, 0.2, 0.03];
    let (mut adj, mut rej) = (vec![0.0; 2], vec![false; 3]);
    assert!(matches!(
        correct_into(&p, Correction::BenjaminiHochberg, 0.05, &mut adj, &mut rej),
        Err(Error::LengthMismatch { .. })
    ));
    let mut adj = vec![0.0; 3];
    assert!(matches!(
        correct_into(
            &[0.1, 1.5, 0.2],
            Correction::BenjaminiHochberg,
            0.05,
            &mut adj,
            &mut rej
        ),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        correct_into(&p, Correction::BenjaminiHochberg, 1.5, &mut adj, &mut rej),
        Err(Error::InvalidParameter { .. })
    ));
    assert_eq!(
        correct_into(&[], Correction::BenjaminiHochberg, 0.05, &mut [], &mut []).unwrap(),
        0
    );
}

#[test]
fn statsmodels_names_and_aliases_parse() {
    for (name, want) in [
        ("hs", Correction::HolmSidak),
        ("Holm-Sidak", Correction::HolmSidak),
        ("s", Correction::Sidak),
        ("ho", Correction::Hommel),
        ("fdr_twostage", Correction::TwoStageBky),
        ("fdr_2sbh", Correction::TwoStageBh),
        ("fdr_gbs", Correction::GavrilovBenjaminiSarkar),
        ("fdr_i", Correction::BenjaminiHochberg),
        ("bonf", Correction::Bonferroni),
    ] {
        assert_eq!(name.parse::<Correction>().unwrap(), want, "{name}");
    }
    let err = "fdr_xx".parse::<Correction>().unwrap_err().to_string();
    assert!(
        err.contains("holm-sidak") && err.contains("fdr_tsbky"),
        "{err}"
    );
}

#[test]
fn two_stage_methods_need_a_level() {
    assert!(matches!(
        multipletests(&[0.01, 0.2], Correction::TwoStageBh),
        Err(Error::InvalidParameter { .. })
    ));
    for alpha in [0.0, 1.0, f64::NAN] {
        assert!(matches!(
            correct(&[0.01, 0.2], Correction::TwoStageBky, alpha),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        correct(&[0.01, -0.2], Correction::Holm, 0.05),
        Err(Error::InvalidParameter { .. })
    ));
    let (r, rej) = correct(&[], Correction::HolmSidak, 0.05).unwrap();
    assert!(r.p_adjusted.is_empty() && rej.is_empty());
}
