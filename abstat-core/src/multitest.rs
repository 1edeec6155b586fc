//! Multiple-testing corrections with the semantics of statsmodels
//! `multipletests`: Bonferroni, Holm, Simes–Hochberg, Benjamini–Hochberg and
//! Benjamini–Yekutieli adjusted p-values and reject decisions.
//!
//! NaN p-values (a test that could not be computed) are set aside: the
//! correction runs over the `m` p-values that are not NaN, and a NaN keeps a
//! NaN adjusted value and is never rejected (as R's `p.adjust`;
//! statsmodels has no NaN handling and sorts NaN to the end).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A correction method, named as in statsmodels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// Bonferroni: `min(m·p, 1)`; controls the family-wise error rate.
    Bonferroni,
    /// Holm's step-down (Holm 1979); FWER, uniformly more powerful than Bonferroni.
    Holm,
    /// Simes–Hochberg step-up (Hochberg 1988); FWER under independence.
    SimesHochberg,
    /// Benjamini–Hochberg (1995); false discovery rate under independence
    /// or positive dependence (statsmodels `fdr_bh`).
    BenjaminiHochberg,
    /// Benjamini–Yekutieli (2001); FDR under arbitrary dependence
    /// (statsmodels `fdr_by`).
    BenjaminiYekutieli,
}

impl std::str::FromStr for Correction {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "bonferroni" | "b" => Correction::Bonferroni,
            "holm" | "h" => Correction::Holm,
            "simes-hochberg" | "sh" | "hochberg" => Correction::SimesHochberg,
            "fdr_bh" | "fdr_i" | "benjamini-hochberg" | "bh" => Correction::BenjaminiHochberg,
            "fdr_by" | "fdr_n" | "benjamini-yekutieli" | "by" => Correction::BenjaminiYekutieli,
            other => {
                return Err(Error::invalid(
                    "method",
                    other,
                    "one of bonferroni, holm, simes-hochberg, fdr_bh, fdr_by",
                ));
            }
        })
    }
}

/// Adjusted p-values of a family of tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultipleTestResult {
    /// The correction applied.
    pub method: Correction,
    /// The raw p-values, in input order.
    pub p_values: Vec<f64>,
    /// The adjusted p-values, in input order (NaN where the input was NaN).
    pub p_adjusted: Vec<f64>,
}

impl MultipleTestResult {
    /// Number of p-values the correction counted (the non-NaN ones).
    pub fn n_tests(&self) -> usize {
        self.p_values.iter().filter(|p| !p.is_nan()).count()
    }

    /// Which hypotheses are rejected at family level `alpha`, in input
    /// order, by statsmodels' rules: thresholds on the raw p-values
    /// (`α/m` for Bonferroni, `α/(m−i)` step-down for Holm, step-up for
    /// Simes–Hochberg, `α·i/m` (÷ `Σ 1/k` for BY) step-up for the FDR
    /// methods). NaN p-values are never rejected.
    pub fn reject(&self, alpha: f64) -> Vec<bool> {
        let order = sorted_order(&self.p_values);
        let m = order.len();
        let mut out = vec![false; self.p_values.len()];
        let threshold = |i: usize| -> f64 {
            let k = (i + 1) as f64;
            let mf = m as f64;
            match self.method {
                Correction::Bonferroni => alpha / mf,
                Correction::Holm | Correction::SimesHochberg => alpha / (mf - i as f64),
                Correction::BenjaminiHochberg => k / mf * alpha,
                Correction::BenjaminiYekutieli => k / mf / harmonic(m) * alpha,
            }
        };
        let passes = |i: usize| self.p_values[order[i]] <= threshold(i);
        let n_reject = match self.method {
            Correction::Bonferroni => {
                for (i, &idx) in order.iter().enumerate() {
                    out[idx] = passes(i);
                }
                return out;
            }
            // step-down: reject until the first failure
            Correction::Holm => (0..m).find(|&i| !passes(i)).unwrap_or(m),
            // step-up: reject everything up to the last success
            _ => (0..m).rev().find(|&i| passes(i)).map_or(0, |i| i + 1),
        };
        for &idx in &order[..n_reject] {
            out[idx] = true;
        }
        out
    }
}

fn harmonic(m: usize) -> f64 {
    (1..=m).map(|k| 1.0 / k as f64).sum()
}

/// Indices of the non-NaN p-values, sorted by p-value (stable).
fn sorted_order(p: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    order
}

/// Adjust `p_values` for multiple testing (statsmodels
/// `multipletests(pvals, method=...)[1]`, with reject decisions from
/// [`MultipleTestResult::reject`]).
///
/// Errors: a p-value outside [0, 1] (NaN is allowed and set aside).
///
/// # Example
/// ```
/// use abstat_core::multitest::{multipletests, Correction};
/// let r = multipletests(&[0.01, 0.04, 0.03], Correction::Holm).unwrap();
/// assert_eq!(r.p_adjusted, vec![0.03, 0.06, 0.06]);
/// assert_eq!(r.reject(0.05), vec![true, false, false]);
/// ```
pub fn multipletests(p_values: &[f64], method: Correction) -> Result<MultipleTestResult> {
    if let Some(bad) = p_values
        .iter()
        .find(|p| !p.is_nan() && !(0.0..=1.0).contains(*p))
    {
        return Err(Error::invalid("p-value", bad, "a probability in [0, 1]"));
    }
    let order = sorted_order(p_values);
    let m = order.len();
    let mf = m as f64;
    let sorted: Vec<f64> = order.iter().map(|&i| p_values[i]).collect();
    let mut adj: Vec<f64> = match method {
        Correction::Bonferroni => sorted.iter().map(|p| p * mf).collect(),
        Correction::Holm => {
            let mut run = f64::NEG_INFINITY;
            sorted
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    run = run.max(p * (mf - i as f64));
                    run
                })
                .collect()
        }
        Correction::SimesHochberg => step_up(&sorted, |i| mf - i as f64),
        Correction::BenjaminiHochberg => step_up(&sorted, |i| mf / (i + 1) as f64),
        Correction::BenjaminiYekutieli => {
            let cm = harmonic(m);
            step_up(&sorted, |i| mf * cm / (i + 1) as f64)
        }
    };
    for a in &mut adj {
        *a = a.min(1.0);
    }
    let mut p_adjusted = vec![f64::NAN; p_values.len()];
    for (&idx, a) in order.iter().zip(adj) {
        p_adjusted[idx] = a;
    }
    Ok(MultipleTestResult {
        method,
        p_values: p_values.to_vec(),
        p_adjusted,
    })
}

/// `min_{j ≥ i} factor(j) · p_(j)`: the running minimum from the largest
/// p-value down (statsmodels `np.minimum.accumulate(raw[::-1])[::-1]`).
fn step_up(sorted: &[f64], factor: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = vec![0.0; sorted.len()];
    let mut run = f64::INFINITY;
    for i in (0..sorted.len()).rev() {
        run = run.min(sorted[i] * factor(i));
        out[i] = run;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_p_values_are_refused() {
        assert!(matches!(
            multipletests(&[0.1, 1.5], Correction::Holm),
            Err(Error::InvalidParameter { .. })
        ));
        assert!("nonsense".parse::<Correction>().is_err());
    }

    #[test]
    fn empty_family_is_empty() {
        let r = multipletests(&[], Correction::BenjaminiHochberg).unwrap();
        assert!(r.p_adjusted.is_empty() && r.reject(0.05).is_empty());
    }
}
