//! Post-stratification: the difference of means estimated within the strata
//! of a categorical pre-experiment column (country, platform, …) and
//! averaged with the strata's pooled shares, which removes the variance the
//! strata explain (Miratrix, Sekhon & Yu 2013).
//!
//! With W_h = (n_Ah + n_Bh)/N the share of stratum h among all units:
//! - arm means μ_A = Σ W_h ȳ_Ah, μ_B = Σ W_h ȳ_Bh, and
//!   Δ = μ_B − μ_A = Σ W_h (ȳ_Bh − ȳ_Ah);
//! - Var(μ_A) = Σ W_h² s²_Ah/n_Ah (likewise B), Var(Δ) = Var(μ_A) + Var(μ_B)
//!   (conditional on the strata sizes);
//! - relative lift Δ/|μ_A| with the delta-method variance of
//!   [`super::frequentist`] on (μ_A, Var(μ_A)), (μ_B, Var(μ_B));
//! - normal (z) p-values and intervals.
//!
//! Δ and its standard error equal the treatment coefficient of the fully
//! interacted regression `y ~ T·strata` with centred stratum dummies
//! (Lin 2013) and its HC2 standard error, which is how the fixtures check
//! them (statsmodels OLS, `cov_type="HC2"`).

use serde::{Deserialize, Serialize};

use super::stats::check_lengths;

use super::frequentist::{Effect, FrequentistOptions, at_most_one};
use super::stats::PowerSums;
use crate::distributions::{normal_ppf, normal_sf};
use crate::{Alternative, ConfidenceInterval, Error, NanPolicy, Result};

/// A post-stratified comparison of treatment with control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StratifiedComparison {
    /// Pooled share W_h of each stratum (0 for an empty stratum).
    pub weights: Vec<f64>,
    /// Post-stratified control mean μ_A.
    pub control_mean: f64,
    /// Post-stratified treatment mean μ_B.
    pub treatment_mean: f64,
    /// μ_B − μ_A with a z-test and interval.
    pub absolute: Effect,
    /// (μ_B − μ_A)/|μ_A|; `None` when μ_A = 0.
    pub relative: Option<Effect>,
    /// 1 − Var(Δ)/Var(Δ unstratified) with the Welch variance of the
    /// pooled arms: the share of variance the strata removed.
    pub variance_reduction: f64,
}

/// Per-(variant, stratum) moments of `values`: `result[v][h]`, in one
/// parallel pass (`stratum` codes are 0-based, `< strata`).
pub fn moments_by_stratum(
    values: &[f64],
    variant: &[u32],
    stratum: &[u32],
    variants: usize,
    strata: usize,
    nan_policy: NanPolicy,
) -> Result<Vec<Vec<PowerSums>>> {
    check_lengths(("variant", variant.len()), ("stratum", stratum.len()))?;
    if let Some(&h) = stratum.iter().find(|&&h| h as usize >= strata) {
        return Err(Error::invalid(
            "stratum index",
            h,
            format!("below the {strata} strata"),
        ));
    }
    if let Some(&v) = variant.iter().find(|&&v| v as usize >= variants) {
        return Err(Error::invalid(
            "variant index",
            v,
            format!("below the {variants} variants"),
        ));
    }
    let cell: Vec<u32> = variant
        .iter()
        .zip(stratum)
        .map(|(&v, &h)| v * strata as u32 + h)
        .collect();
    let flat = PowerSums::by_variant(values, &cell, variants * strata, nan_policy)?;
    Ok(flat
        .chunks(strata.max(1))
        .map(<[PowerSums]>::to_vec)
        .collect())
}

/// Compare treatment with control post-stratified: `control[h]` and
/// `treatment[h]` are the moments of stratum h in each arm.
///
/// Errors: different numbers of strata; a non-empty stratum with fewer than
/// 2 units in an arm (its variance is unknown: merge it into another
/// stratum); zero variance overall; an invalid α.
pub fn compare_post_stratified(
    control: &[PowerSums],
    treatment: &[PowerSums],
    opts: &FrequentistOptions,
) -> Result<StratifiedComparison> {
    opts.validate()?;
    check_lengths(
        ("control strata", control.len()),
        ("treatment strata", treatment.len()),
    )?;
    let total: u64 = control.iter().chain(treatment).map(|m| m.n).sum();
    if total == 0 {
        return Err(Error::TooFewObservations {
            what: "units in the strata".into(),
            needed: 4,
            got: 0,
        });
    }
    let weights: Vec<f64> = control
        .iter()
        .zip(treatment)
        .map(|(a, b)| (a.n + b.n) as f64 / total as f64)
        .collect();
    let (mut ma, mut mb, mut va, mut vb) = (0.0, 0.0, 0.0, 0.0);
    for (h, ((a, b), &w)) in control.iter().zip(treatment).zip(&weights).enumerate() {
        if w == 0.0 {
            continue;
        }
        for (arm, m) in [("control", a), ("treatment", b)] {
            if m.n < 2 {
                return Err(Error::TooFewObservations {
                    what: format!("stratum {h} of the {arm} (merge small strata)"),
                    needed: 2,
                    got: m.n as usize,
                });
            }
        }
        ma += w * a.mean();
        mb += w * b.mean();
        va += w * w * a.variance() / a.n as f64;
        vb += w * w * b.variance() / b.n as f64;
    }
    if va + vb <= 0.0 || (va + vb).is_nan() {
        return Err(Error::ZeroVariance {
            what: "every stratum".into(),
            method: "the post-stratified comparison".into(),
        });
    }
    let (mut pa, mut pb) = (PowerSums::default(), PowerSums::default());
    control.iter().for_each(|m| pa.combine(m));
    treatment.iter().for_each(|m| pb.combine(m));
    let unstratified = pa.variance() / pa.n as f64 + pb.variance() / pb.n as f64;
    let absolute = z_effect(mb - ma, va + vb, opts);
    let relative = (ma != 0.0).then(|| {
        let var = vb / (ma * ma) + va * mb * mb / ma.powi(4);
        z_effect((mb - ma) / ma.abs(), var, opts)
    });
    Ok(StratifiedComparison {
        weights,
        control_mean: ma,
        treatment_mean: mb,
        absolute,
        relative,
        variance_reduction: 1.0 - (va + vb) / unstratified,
    })
}

/// z-test and interval of `estimate` with `variance`.
fn z_effect(estimate: f64, variance: f64, opts: &FrequentistOptions) -> Effect {
    let se = variance.sqrt();
    let z = estimate / se;
    let (p, lower, upper) = match opts.alternative {
        Alternative::TwoSided => {
            let w = normal_ppf(1.0 - opts.alpha / 2.0) * se;
            (
                at_most_one(2.0 * normal_sf(z.abs())),
                estimate - w,
                estimate + w,
            )
        }
        Alternative::Greater => (
            normal_sf(z),
            estimate - normal_ppf(1.0 - opts.alpha) * se,
            f64::INFINITY,
        ),
        Alternative::Less => (
            normal_sf(-z),
            f64::NEG_INFINITY,
            estimate + normal_ppf(1.0 - opts.alpha) * se,
        ),
    };
    Effect {
        estimate,
        std_error: se,
        statistic: z,
        p_value: p,
        ci: ConfidenceInterval {
            lower,
            upper,
            level: 1.0 - opts.alpha,
        },
    }
}
