//! Fixture tests of the multiple-testing corrections against statsmodels
//! `multipletests` (scripts/fixtures/gen_multitest.py): every method, the
//! adjusted p-values and the reject decisions at two levels.

mod common;

use abstat_core::Error;
use abstat_core::multitest::{Correction, correct, multipletests};
use common::{assert_close, cases, data};

fn bools(v: &serde_json::Value) -> Vec<bool> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|b| b.as_bool().unwrap())
        .collect()
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
        }
    }
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
