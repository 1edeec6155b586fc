//! Multiple-comparison corrections of p-values across variants × metrics.
//!
//! TODO: use crate::multitest once merged (this is a minimal private copy).

use serde::{Deserialize, Serialize};

/// How p-values of several comparisons are adjusted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// No adjustment (GrowthBook's default).
    #[default]
    None,
    /// Bonferroni: p·m; intervals at level 1 − α/m.
    Bonferroni,
    /// Holm's step-down (family-wise error, uniformly more powerful than
    /// Bonferroni); intervals are not adjusted.
    Holm,
    /// Benjamini–Hochberg step-up (false discovery rate); intervals are not
    /// adjusted.
    BenjaminiHochberg,
}

/// Adjusted p-values, as statsmodels `multipletests(p, method=…)[1]`
/// (`bonferroni`, `holm`, `fdr_bh`). NaN p-values stay NaN and do not count
/// in m.
pub(crate) fn adjust(p: &[f64], method: Correction) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let m = idx.len() as f64;
    let mut out = p.to_vec();
    match method {
        Correction::None => {}
        Correction::Bonferroni => idx.iter().for_each(|&i| out[i] = (p[i] * m).min(1.0)),
        Correction::Holm => {
            idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
            let mut running = 0.0f64;
            for (k, &i) in idx.iter().enumerate() {
                running = running.max((m - k as f64) * p[i]);
                out[i] = running.min(1.0);
            }
        }
        Correction::BenjaminiHochberg => {
            idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
            let mut running = f64::INFINITY;
            for (k, &i) in idx.iter().enumerate().rev() {
                running = running.min(m / (k + 1) as f64 * p[i]);
                out[i] = running.min(1.0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against statsmodels `multipletests` (fixture section "correction" of
    /// tests/fixtures/ab.json, scripts/fixtures/gen_ab.py).
    #[test]
    fn adjust_matches_statsmodels() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ab.json");
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = doc["cases"].as_array().unwrap();
        let floats = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let mut seen = 0;
        for c in cases.iter().filter(|c| c["section"] == "correction") {
            let method = match c["method"].as_str().unwrap() {
                "bonferroni" => Correction::Bonferroni,
                "holm" => Correction::Holm,
                _ => Correction::BenjaminiHochberg,
            };
            let got = adjust(&floats(&c["p_values"]), method);
            for (g, w) in got.iter().zip(floats(&c["adjusted"])) {
                assert!((g - w).abs() <= 1e-12 * w, "{}: {g} vs {w}", c["name"]);
            }
            seen += 1;
        }
        assert_eq!(seen, 9);
    }

    #[test]
    fn nan_p_values_stay_nan_and_do_not_count() {
        let got = adjust(&[0.01, f64::NAN, 0.02], Correction::Bonferroni);
        assert_eq!(got[0], 0.02);
        assert!(got[1].is_nan());
        assert_eq!(got[2], 0.04);
        assert_eq!(adjust(&[0.3], Correction::None), vec![0.3]);
    }
}
