//! The Bayesian Gaussian engine of gbstats 0.8.0 (`EffectBayesianABTest`):
//! a normal likelihood for the (absolute or relative) difference, with the
//! frequentist variance of [`super::frequentist`], combined with a normal
//! prior on the relative effect.
//!
//! Posterior precision `1/V + [proper]/σ₀²`, mean `(Δ/V + μ₀/σ₀²)/precision`
//! (Δ without a proper prior); chance to win `P(effect > 0)`; credible
//! interval from the normal quantiles; risk (expected loss) of shipping
//! control `E[max(effect, 0)] = μΦ(μ/σ) + σφ(μ/σ)` and of shipping
//! treatment `E[max(−effect, 0)] = −μΦ(−μ/σ) + σφ(μ/σ)` (gbstats computes
//! the same through truncated-normal means). A prior on the relative effect
//! is rescaled by |control mean| for the absolute difference, as gbstats.
//! The relative difference keeps its sign for a negative control mean (see
//! [`super::frequentist`]).

use serde::{Deserialize, Serialize};

use super::frequentist::{
    Arm, Cuped, MetricKind, MetricStats, arms, check_alpha, check_variance, relative_variance,
};
use crate::distributions::{normal_cdf, normal_ppf};
use crate::{ConfidenceInterval, Error, Result};

/// A normal prior on the relative effect (gbstats `GaussianPrior`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prior {
    /// Prior mean of the relative effect.
    pub mean: f64,
    /// Prior standard deviation of the relative effect (> 0).
    pub std_dev: f64,
}

/// Options of [`compare_bayesian`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BayesianOptions {
    /// Credible intervals have probability 1 − α.
    pub alpha: f64,
    /// A proper prior on the relative effect; `None` is gbstats' improper
    /// (flat) default.
    pub prior: Option<Prior>,
    /// `true` when lower values of the metric are better (gbstats
    /// `inverse`): chance to win and risks are mirrored.
    pub inverse: bool,
}

impl Default for BayesianOptions {
    fn default() -> Self {
        BayesianOptions {
            alpha: 0.05,
            prior: None,
            inverse: false,
        }
    }
}

/// The posterior of one difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub std_dev: f64,
    /// Equal-tailed credible interval.
    pub ci: ConfidenceInterval,
    /// Probability that the treatment is better (higher, or lower when
    /// `inverse`).
    pub chance_to_win: f64,
    /// Expected loss of shipping the control.
    pub risk_control: f64,
    /// Expected loss of shipping the treatment.
    pub risk_treatment: f64,
}

/// Bayesian treatment-vs-control comparison on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesianComparison {
    /// The kind of metric.
    pub kind: MetricKind,
    /// The control arm.
    pub control: Arm,
    /// The treatment arm.
    pub treatment: Arm,
    /// Posterior of the absolute difference.
    pub absolute: Posterior,
    /// Posterior of the relative difference; `None` for a zero control mean.
    pub relative: Option<Posterior>,
    /// Regression adjustment, for CUPED metrics.
    pub cuped: Option<Cuped>,
}

/// Compare `treatment` with `control` with gbstats' Gaussian Bayesian engine.
pub fn compare_bayesian(
    control: &MetricStats,
    treatment: &MetricStats,
    opts: &BayesianOptions,
) -> Result<BayesianComparison> {
    check_alpha(opts.alpha)?;
    if let Some(p) = opts.prior
        && !(p.std_dev > 0.0 && p.std_dev.is_finite() && p.mean.is_finite())
    {
        return Err(Error::invalid(
            "prior",
            format!("mean {}, std_dev {}", p.mean, p.std_dev),
            "a finite mean and a positive standard deviation",
        ));
    }
    let (a, b, cuped) = arms(control, treatment)?;
    check_variance(&a, &b)?;
    let base = a.unadjusted_mean;
    let diff = b.mean - a.mean;
    let abs_prior = opts
        .prior
        .map(|p| (p.mean * base.abs(), (p.std_dev * base).powi(2)));
    let absolute = posterior(
        diff,
        a.variance / a.n as f64 + b.variance / b.n as f64,
        abs_prior,
        opts,
    );
    let relative = (base != 0.0 && a.mean != 0.0).then(|| {
        posterior(
            diff / base.abs(),
            relative_variance(&a, &b),
            opts.prior.map(|p| (p.mean, p.std_dev * p.std_dev)),
            opts,
        )
    });
    Ok(BayesianComparison {
        kind: control.kind(),
        control: a,
        treatment: b,
        absolute,
        relative,
        cuped,
    })
}

fn posterior(
    data_mean: f64,
    data_variance: f64,
    prior: Option<(f64, f64)>,
    opts: &BayesianOptions,
) -> Posterior {
    let (mean, precision) = match prior {
        Some((m0, v0)) => {
            let precision = 1.0 / data_variance + 1.0 / v0;
            ((data_mean / data_variance + m0 / v0) / precision, precision)
        }
        None => (data_mean, 1.0 / data_variance),
    };
    let sd = (1.0 / precision).sqrt();
    let z = mean / sd;
    let density = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let up = normal_cdf(z);
    let risk_control = mean * up + sd * density;
    let risk_treatment = -mean * normal_cdf(-z) + sd * density;
    let q = normal_ppf(1.0 - opts.alpha / 2.0) * sd;
    let (chance_to_win, risk_control, risk_treatment) = if opts.inverse {
        (1.0 - up, risk_treatment, risk_control)
    } else {
        (up, risk_control, risk_treatment)
    };
    Posterior {
        mean,
        std_dev: sd,
        ci: ConfidenceInterval {
            lower: mean - q,
            upper: mean + q,
            level: 1.0 - opts.alpha,
        },
        chance_to_win,
        risk_control,
        risk_treatment,
    }
}
