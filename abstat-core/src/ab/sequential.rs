//! Sequential testing: asymptotic confidence sequences (Waudby-Smith et al.,
//! "Time-uniform central limit theory and asymptotic confidence sequences",
//! arXiv:2103.06476v7), as gbstats 0.8.0 `SequentialTwoSidedTTest`. Results
//! stay valid however often the experiment is looked at.
//!
//! With N = n_A + n_B, the variance V of the difference (absolute or
//! relative, as in [`super::frequentist`]) and the tuning parameter τ:
//! - ρ = √((−2 ln α + ln(−2 ln α + 1)) / τ) (eq. 161);
//! - half-width √(N V) · √(2(Nρ² + 1) ln(√(Nρ² + 1)/α) / (Nρ)²) (eq. 9);
//! - p = min(1, 1/e) with e = exp(ρ² Δ² N / (2 V (Nρ² + 1))) / √(Nρ² + 1)
//!   (eq. 155).

use serde::{Deserialize, Serialize};

use super::frequentist::{
    Comparison, Effect, FrequentistOptions, MetricStats, arms, at_most_one, check_alpha,
    check_variance, relative_variance, welch_df,
};
use crate::{Alternative, ConfidenceInterval, Error, Result};

/// gbstats' default tuning parameter τ: the sample size around which the
/// sequence is tightest.
pub const DEFAULT_TUNING: f64 = 5000.0;

/// Options of [`compare_sequential`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SequentialOptions {
    /// Significance level α in (0, 1).
    pub alpha: f64,
    /// Tuning parameter τ > 0 (default 5000, gbstats' default).
    pub tuning: f64,
}

impl Default for SequentialOptions {
    fn default() -> Self {
        SequentialOptions {
            alpha: 0.05,
            tuning: DEFAULT_TUNING,
        }
    }
}

/// Compare `treatment` with `control` with a two-sided asymptotic confidence
/// sequence. The result has the fields of [`super::compare`]'s; `statistic`
/// is Δ/√V and `df` is reported but not used.
pub fn compare_sequential(
    control: &MetricStats,
    treatment: &MetricStats,
    opts: &SequentialOptions,
) -> Result<Comparison> {
    check_alpha(opts.alpha)?;
    if !(opts.tuning > 0.0 && opts.tuning.is_finite()) {
        return Err(Error::invalid(
            "sequential tuning parameter",
            opts.tuning,
            "a positive number (default 5000)",
        ));
    }
    let base = super::compare(
        control,
        treatment,
        &FrequentistOptions {
            alpha: opts.alpha,
            alternative: Alternative::TwoSided,
        },
    )?;
    let (a, b, _) = arms(control, treatment)?;
    check_variance(&a, &b)?;
    debug_assert_eq!(welch_df(&a, &b), base.df);
    let n = (a.n + b.n) as f64;
    let seq = |e: &Effect, variance: f64| sequential_effect(e.estimate, variance, n, opts);
    let absolute = seq(&base.absolute, base.absolute.std_error.powi(2));
    let relative = base
        .relative
        .as_ref()
        .map(|e| seq(e, relative_variance(&a, &b)));
    Ok(Comparison {
        absolute,
        relative,
        ..base
    })
}

fn sequential_effect(estimate: f64, variance: f64, n: f64, opts: &SequentialOptions) -> Effect {
    let la = opts.alpha.ln();
    let rho2 = (-2.0 * la + (-2.0 * la + 1.0).ln()) / opts.tuning;
    let nr1 = n * rho2 + 1.0;
    // eq. 9
    let width = (variance * n).sqrt()
        * (2.0 * nr1 * (nr1.sqrt() / opts.alpha).ln() / (n * n * rho2)).sqrt();
    // eq. 155
    let st2 = estimate * estimate * n / variance;
    let e_value = (rho2 * st2 / (2.0 * nr1)).exp() / nr1.sqrt();
    let std_error = variance.sqrt();
    Effect {
        estimate,
        std_error,
        statistic: estimate / std_error,
        p_value: at_most_one(1.0 / e_value),
        ci: ConfidenceInterval {
            lower: estimate - width,
            upper: estimate + width,
            level: 1.0 - opts.alpha,
        },
    }
}
