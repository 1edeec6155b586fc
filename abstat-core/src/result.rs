//! Result types shared by the hypothesis tests.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::Alternative;

/// A confidence interval for a named quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceInterval {
    /// Lower bound (may be `-inf` for one-sided intervals).
    pub lower: f64,
    /// Upper bound (may be `+inf` for one-sided intervals).
    pub upper: f64,
    /// Confidence level in (0, 1), e.g. 0.95.
    pub level: f64,
}

impl ConfidenceInterval {
    /// Whether `value` lies inside the closed interval.
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// A standardised effect size with its name (e.g. "cohen_d", "rank_biserial").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectSize {
    /// Machine-readable name of the measure.
    pub name: Cow<'static, str>,
    /// Its value.
    pub value: f64,
}

/// The outcome of a hypothesis test.
///
/// Decisions are methods ([`TestResult::reject`]), not stored fields, so the
/// same result serves any significance level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// The method, e.g. "Welch's t-test" (human-readable, stable).
    pub method: Cow<'static, str>,
    /// The test statistic (t, U, W, chi², …); NaN when missing values propagate.
    pub statistic: f64,
    /// The p-value under `alternative`; NaN when missing values propagate.
    pub p_value: f64,
    /// Degrees of freedom where the null distribution has them.
    pub df: Option<f64>,
    /// The alternative hypothesis the p-value refers to.
    pub alternative: Alternative,
    /// Point estimate of the tested quantity (mean, mean difference, …) if any.
    pub estimate: Option<f64>,
    /// Confidence interval for `estimate`, if the method has one.
    pub ci: Option<ConfidenceInterval>,
    /// Standardised effect size, if the method has one.
    pub effect_size: Option<EffectSize>,
    /// Observations used per group, after missing values were handled.
    pub n: Vec<usize>,
}

impl TestResult {
    /// A result with the given method, statistic and p-value and nothing else.
    pub fn new(method: impl Into<Cow<'static, str>>, statistic: f64, p_value: f64) -> Self {
        TestResult {
            method: method.into(),
            statistic,
            p_value,
            df: None,
            alternative: Alternative::TwoSided,
            estimate: None,
            ci: None,
            effect_size: None,
            n: Vec::new(),
        }
    }

    /// The all-NaN result scipy returns when a NaN propagates.
    pub fn nan(method: impl Into<Cow<'static, str>>, alternative: Alternative) -> Self {
        TestResult {
            alternative,
            ..TestResult::new(method, f64::NAN, f64::NAN)
        }
    }

    /// Whether the null hypothesis is rejected at significance level `alpha`.
    /// A NaN p-value never rejects.
    pub fn reject(&self, alpha: f64) -> bool {
        self.p_value <= alpha
    }
}
