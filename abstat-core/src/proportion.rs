//! Tests and confidence intervals for proportions, with the semantics of
//! statsmodels: `proportions_ztest` (pooled), `test_proportions_2indep(...,
//! method="wald")` (unpooled), `proportion_confint` and
//! `confint_proportions_2indep` (wald, agresti-caffo, newcomb).
//!
//! Deviation from statsmodels: where the z statistic divides by a zero
//! standard error (all successes or all failures), statsmodels returns
//! NaN/±inf with a warning; here it is [`Error::ZeroVariance`].

use serde::{Deserialize, Serialize};

use crate::distributions::{beta_isf, beta_ppf, normal_isf, normal_sf};
use crate::{Alternative, ConfidenceInterval, Error, Result, TestResult};

fn check_counts(count: u64, nobs: u64, what: &str) -> Result<()> {
    if nobs == 0 {
        return Err(Error::TooFewObservations {
            what: what.into(),
            needed: 1,
            got: 0,
        });
    }
    if count > nobs {
        return Err(Error::invalid(
            format!("count of {what}"),
            count,
            format!("at most the number of observations ({nobs})"),
        ));
    }
    Ok(())
}

/// Validated counts of two samples as `(c₁, n₁, c₂, n₂)` in f64.
fn two_samples(count1: u64, nobs1: u64, count2: u64, nobs2: u64) -> Result<(f64, f64, f64, f64)> {
    check_counts(count1, nobs1, "sample 1")?;
    check_counts(count2, nobs2, "sample 2")?;
    Ok((count1 as f64, nobs1 as f64, count2 as f64, nobs2 as f64))
}

fn check_level(level: f64) -> Result<()> {
    Error::check_open_unit("confidence_level", level)
}

/// p-value of a standard-normal statistic (statsmodels `_zstat_generic2`).
fn z_pvalue(z: f64, alternative: Alternative) -> f64 {
    match alternative {
        Alternative::TwoSided => 2.0 * normal_sf(z.abs()),
        Alternative::Greater => normal_sf(z),
        Alternative::Less => normal_sf(-z),
    }
}

fn z_result(
    method: &'static str,
    diff: f64,
    se: f64,
    alternative: Alternative,
    estimate: f64,
    n: Vec<usize>,
) -> Result<TestResult> {
    if se == 0.0 || se.is_nan() {
        return Err(Error::ZeroVariance {
            what: "the proportions (all successes or all failures)".into(),
            method: method.into(),
        });
    }
    let z = diff / se;
    Ok(TestResult {
        statistic: z,
        p_value: z_pvalue(z, alternative),
        alternative,
        estimate: Some(estimate),
        n,
        ..TestResult::new(method, z, f64::NAN)
    })
}

/// How the two-sample z-test estimates the variance of `p₁ − p₂`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variance {
    /// Pooled proportion under H₀ (statsmodels `proportions_ztest`).
    #[default]
    Pooled,
    /// Separate proportions, Wald (statsmodels `test_proportions_2indep`,
    /// `method="wald"`).
    Unpooled,
}

/// Two-sample z-test of `H₀: p₁ − p₂ = value`. The estimate is `p₁ − p₂`.
///
/// # Example
/// ```
/// use abstat_core::proportion::{proportions_ztest_2, Variance};
/// use abstat_core::Alternative;
/// let r = proportions_ztest_2(120, 1000, 150, 1000, 0.0, Variance::Pooled, Alternative::TwoSided).unwrap();
/// assert!(r.p_value < 0.06 && r.p_value > 0.04);
/// ```
pub fn proportions_ztest_2(
    count1: u64,
    nobs1: u64,
    count2: u64,
    nobs2: u64,
    value: f64,
    variance: Variance,
    alternative: Alternative,
) -> Result<TestResult> {
    let (c1, n1, c2, n2) = two_samples(count1, nobs1, count2, nobs2)?;
    let (p1, p2) = (c1 / n1, c2 / n2);
    let se = match variance {
        Variance::Pooled => {
            let p = (c1 + c2) / (n1 + n2);
            (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt()
        }
        Variance::Unpooled => (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt(),
    };
    let method = match variance {
        Variance::Pooled => "two-proportion z-test (pooled)",
        Variance::Unpooled => "two-proportion z-test (unpooled Wald)",
    };
    z_result(
        method,
        p1 - p2 - value,
        se,
        alternative,
        p1 - p2,
        vec![nobs1 as usize, nobs2 as usize],
    )
}

/// One-sample z-test of `H₀: p = value` (statsmodels `proportions_ztest`
/// with one count): the variance uses the sample proportion, or `value`
/// when `null_variance` (statsmodels `prop_var=value`).
pub fn proportions_ztest_1(
    count: u64,
    nobs: u64,
    value: f64,
    null_variance: bool,
    alternative: Alternative,
) -> Result<TestResult> {
    check_counts(count, nobs, "the sample")?;
    if !(value > 0.0 && value < 1.0) {
        return Err(Error::invalid("value", value, "a proportion in (0, 1)"));
    }
    let p = count as f64 / nobs as f64;
    let pv = if null_variance { value } else { p };
    let se = (pv * (1.0 - pv) / nobs as f64).sqrt();
    z_result(
        "one-proportion z-test",
        p - value,
        se,
        alternative,
        p,
        vec![nobs as usize],
    )
}

/// Interval method for one proportion (statsmodels `proportion_confint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProportionCi {
    /// Normal approximation (Wald), clipped to [0, 1].
    Normal,
    /// Wilson score interval.
    Wilson,
    /// Agresti–Coull, clipped to [0, 1].
    AgrestiCoull,
    /// Clopper–Pearson exact interval from beta quantiles.
    ClopperPearson,
    /// Jeffreys interval: equal-tailed Beta(x + ½, n − x + ½) quantiles.
    Jeffreys,
}

/// Two-sided confidence interval for a proportion `count / nobs`.
pub fn proportion_confint(
    count: u64,
    nobs: u64,
    confidence_level: f64,
    method: ProportionCi,
) -> Result<ConfidenceInterval> {
    check_counts(count, nobs, "the sample")?;
    check_level(confidence_level)?;
    let alpha = 1.0 - confidence_level;
    let (c, n) = (count as f64, nobs as f64);
    let q = c / n;
    let crit = normal_isf(alpha / 2.0);
    let (lower, upper) = match method {
        ProportionCi::Normal => {
            let d = crit * (q * (1.0 - q) / n).sqrt();
            ((q - d).clamp(0.0, 1.0), (q + d).clamp(0.0, 1.0))
        }
        ProportionCi::AgrestiCoull => {
            let nc = n + crit * crit;
            let qc = (c + crit * crit / 2.0) / nc;
            let d = crit * (qc * (1.0 - qc) / nc).sqrt();
            ((qc - d).clamp(0.0, 1.0), (qc + d).clamp(0.0, 1.0))
        }
        ProportionCi::Wilson => wilson(q, n, crit),
        ProportionCi::ClopperPearson => (
            if count == 0 {
                0.0
            } else {
                beta_ppf(alpha / 2.0, c, n - c + 1.0)
            },
            if count == nobs {
                1.0
            } else {
                beta_isf(alpha / 2.0, c + 1.0, n - c)
            },
        ),
        ProportionCi::Jeffreys => (
            beta_ppf(alpha / 2.0, c + 0.5, n - c + 0.5),
            beta_isf(alpha / 2.0, c + 0.5, n - c + 0.5),
        ),
    };
    Ok(ConfidenceInterval {
        lower,
        upper,
        level: confidence_level,
    })
}

/// Wilson score interval (Wilson 1927), as statsmodels computes it.
fn wilson(q: f64, n: f64, crit: f64) -> (f64, f64) {
    let crit2 = crit * crit;
    let denom = 1.0 + crit2 / n;
    let center = (q + crit2 / (2.0 * n)) / denom;
    let d = crit * (q * (1.0 - q) / n + crit2 / (4.0 * n * n)).sqrt() / denom;
    (center - d, center + d)
}

/// Interval method for a difference of two proportions (statsmodels
/// `confint_proportions_2indep`, `compare="diff"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiffCi {
    /// Wald interval with unpooled variance.
    Wald,
    /// Agresti–Caffo: Wald after adding one success and one failure to each sample.
    AgrestiCaffo,
    /// Newcombe's hybrid score interval from two Wilson intervals (Newcombe 1998, method 10).
    Newcomb,
}

/// Two-sided confidence interval for `p₁ − p₂`.
pub fn confint_proportions_2indep(
    count1: u64,
    nobs1: u64,
    count2: u64,
    nobs2: u64,
    confidence_level: f64,
    method: DiffCi,
) -> Result<ConfidenceInterval> {
    let (c1, n1, c2, n2) = two_samples(count1, nobs1, count2, nobs2)?;
    check_level(confidence_level)?;
    let crit = normal_isf((1.0 - confidence_level) / 2.0);
    let wald = |c1: f64, n1: f64, c2: f64, n2: f64| {
        let (p1, p2) = (c1 / n1, c2 / n2);
        let d = crit * (p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2).sqrt();
        (p1 - p2 - d, p1 - p2 + d)
    };
    let (lower, upper) = match method {
        DiffCi::Wald => wald(c1, n1, c2, n2),
        DiffCi::AgrestiCaffo => wald(c1 + 1.0, n1 + 2.0, c2 + 1.0, n2 + 2.0),
        DiffCi::Newcomb => {
            let (p1, p2) = (c1 / n1, c2 / n2);
            let (l1, u1) = wilson(p1, n1, crit);
            let (l2, u2) = wilson(p2, n2, crit);
            let diff = p1 - p2;
            (
                diff - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
                diff + ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt(),
            )
        }
    };
    Ok(ConfidenceInterval {
        lower,
        upper,
        level: confidence_level,
    })
}
