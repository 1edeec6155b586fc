//! Beta-binomial Bayesian comparison of two conversion rates.
//!
//! With a Beta(α₀, β₀) prior, an arm with k conversions out of n units has
//! the posterior p ~ Beta(α₀ + k, β₀ + n − k), independently per arm. For
//! control A and treatment B:
//! - chance to beat control P(p_B > p_A) = ∫ f_A(x) (1 − F_B(x)) dx;
//! - expected loss of shipping the treatment E[max(p_A − p_B, 0)] =
//!   ∫ f_A(x) E[max(x − p_B, 0)] dx with E[max(x − p_B, 0)] =
//!   x F_B(x) − E[p_B] F_{B⁺}(x), B⁺ = Beta(α_B + 1, β_B); and of shipping
//!   the control E[max(p_B − p_A, 0)] = E[p_B − p_A] + E[max(p_A − p_B, 0)];
//! - equal-tailed credible intervals of the absolute lift p_B − p_A and of
//!   the relative lift p_B/p_A − 1, by inverting their cdfs
//!   P(p_B − p_A ≤ d) = ∫ f_A(x) F_B(x + d) dx and
//!   P(p_B/p_A − 1 ≤ r) = ∫ f_A(x) F_B((1 + r)x) dx (bisection to 1e-12).
//!
//! Each integral is taken over one posterior (the narrower one, or for the
//! relative lift the orientation in which the integrand is smoother; the
//! roles swap by symmetry), between its 1e-15 and 1 − 1e-15 quantiles, by
//! composite Simpson's rule with steps of 1/24 of the smaller of its
//! standard deviation and the scale on which the other arm's cdf changes. This needs a
//! bounded posterior density, so prior parameters below 1 (e.g. Jeffreys')
//! are refused.
//!
//! Reference: scipy's `integrate.quad` of the same integrals with
//! `scipy.stats.beta`, cross-checked by Monte Carlo in the generator.

use serde::{Deserialize, Serialize};

use super::stats::PowerSums;
use crate::distributions::special::ln_beta;
use crate::distributions::{beta_cdf, beta_isf, beta_ppf, beta_sf};
use crate::{ConfidenceInterval, Error, Result};

/// Tail mass left out of each integral on either side.
const TAIL: f64 = 1e-15;

/// Simpson steps per posterior standard deviation.
const STEPS_PER_SD: f64 = 24.0;

/// A Beta(α, β) prior on a conversion rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPrior {
    /// α ≥ 1 (prior conversions + 1).
    pub alpha: f64,
    /// β ≥ 1 (prior non-conversions + 1).
    pub beta: f64,
}

impl Default for BetaPrior {
    /// The uniform prior Beta(1, 1).
    fn default() -> Self {
        BetaPrior {
            alpha: 1.0,
            beta: 1.0,
        }
    }
}

/// Options of [`compare_beta_binomial`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaBinomialOptions {
    /// The prior of both arms.
    pub prior: BetaPrior,
    /// Credible intervals have probability 1 − α.
    pub alpha: f64,
    /// `true` when a lower rate is better (e.g. churn): chance to win and
    /// the losses are mirrored.
    pub inverse: bool,
}

impl Default for BetaBinomialOptions {
    fn default() -> Self {
        BetaBinomialOptions {
            prior: BetaPrior::default(),
            alpha: 0.05,
            inverse: false,
        }
    }
}

/// The Beta posterior of one arm's rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPosterior {
    /// Posterior α.
    pub alpha: f64,
    /// Posterior β.
    pub beta: f64,
}

impl BetaPosterior {
    /// Posterior mean α/(α + β).
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// Posterior standard deviation.
    pub fn std_dev(&self) -> f64 {
        let s = self.alpha + self.beta;
        (self.alpha * self.beta / (s * s * (s + 1.0))).sqrt()
    }

    fn cdf(&self, x: f64) -> f64 {
        if x >= 1.0 {
            1.0
        } else {
            beta_cdf(x, self.alpha, self.beta)
        }
    }

    fn sf(&self, x: f64) -> f64 {
        if x >= 1.0 {
            0.0
        } else {
            beta_sf(x, self.alpha, self.beta)
        }
    }

    fn ln_pdf(&self, x: f64) -> f64 {
        (self.alpha - 1.0) * x.ln() + (self.beta - 1.0) * (-x).ln_1p()
            - ln_beta(self.alpha, self.beta)
    }

    /// ∫ f(x) g(x) dx over this posterior's range by composite Simpson,
    /// with steps of 1/[`STEPS_PER_SD`] of the smaller of its standard
    /// deviation and `scale`, the length over which `g` changes.
    fn expect(&self, scale: f64, g: impl Fn(f64) -> f64) -> f64 {
        let lo = beta_ppf(TAIL, self.alpha, self.beta);
        let hi = beta_isf(TAIL, self.alpha, self.beta);
        let step = self.std_dev().min(scale) / STEPS_PER_SD;
        let intervals = (((hi - lo) / step).ceil() as usize)
            .clamp(64, 1 << 20)
            .next_multiple_of(2);
        let h = (hi - lo) / intervals as f64;
        let sum: f64 = (0..=intervals)
            .map(|i| {
                let x = lo + h * i as f64;
                if !(x > 0.0 && x < 1.0) {
                    return 0.0;
                }
                let w = if i == 0 || i == intervals {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                w * self.ln_pdf(x).exp() * g(x)
            })
            .sum();
        sum * h / 3.0
    }
}

/// The Beta-binomial comparison of treatment with control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaBinomialComparison {
    /// Control posterior.
    pub control: BetaPosterior,
    /// Treatment posterior.
    pub treatment: BetaPosterior,
    /// P(treatment better than control): P(p_B > p_A), or P(p_B < p_A) when
    /// `inverse`.
    pub chance_to_win: f64,
    /// Expected loss (in rate units) of shipping the control.
    pub risk_control: f64,
    /// Expected loss of shipping the treatment.
    pub risk_treatment: f64,
    /// Posterior mean of p_B − p_A.
    pub absolute_mean: f64,
    /// Credible interval of p_B − p_A.
    pub absolute_ci: ConfidenceInterval,
    /// Credible interval of p_B/p_A − 1.
    pub relative_ci: ConfidenceInterval,
}

/// Compare conversion rates: `control` and `treatment` hold the units (`n`)
/// and conversions (`sum`) of each arm, as [`super::MetricStats::Proportion`].
///
/// Errors: conversions outside 0..=n or not whole, an arm without units, a
/// prior parameter below 1, an invalid α.
pub fn compare_beta_binomial(
    control: &PowerSums,
    treatment: &PowerSums,
    opts: &BetaBinomialOptions,
) -> Result<BetaBinomialComparison> {
    Error::check_open_unit("alpha", opts.alpha)?;
    let p = opts.prior;
    if !(p.alpha >= 1.0 && p.beta >= 1.0 && p.alpha.is_finite() && p.beta.is_finite()) {
        return Err(Error::invalid(
            "beta prior",
            format!("alpha {}, beta {}", p.alpha, p.beta),
            "finite parameters of at least 1 (Beta(1, 1) is uniform)",
        ));
    }
    let posterior = |m: &PowerSums, what: &str| -> Result<BetaPosterior> {
        if m.n == 0 {
            return Err(Error::TooFewObservations {
                what: what.into(),
                needed: 1,
                got: 0,
            });
        }
        let (k, n) = (m.sum, m.n as f64);
        if !(k >= 0.0 && k <= n && k.fract() == 0.0) {
            return Err(Error::invalid(
                format!("conversions in the {what}"),
                k,
                format!("a whole number between 0 and the {n} units"),
            ));
        }
        Ok(BetaPosterior {
            alpha: p.alpha + k,
            beta: p.beta + n - k,
        })
    };
    let (a, b) = (
        posterior(control, "control")?,
        posterior(treatment, "treatment")?,
    );
    // Integrate over the narrower posterior X; Y is the other one.
    let swap = b.std_dev() < a.std_dev();
    let (x, y) = if swap { (b, a) } else { (a, b) };
    let y_plus = BetaPosterior {
        alpha: y.alpha + 1.0,
        beta: y.beta,
    };
    let p_y_above_x = x.expect(y.std_dev(), |t| y.sf(t));
    // E[max(X − Y, 0)]
    let loss_x_over_y = x
        .expect(y.std_dev(), |t| t * y.cdf(t) - y.mean() * y_plus.cdf(t))
        .max(0.0);
    let loss_y_over_x = (y.mean() - x.mean() + loss_x_over_y).max(0.0);
    let (p_b_above_a, loss_a_over_b, loss_b_over_a) = if swap {
        (1.0 - p_y_above_x, loss_y_over_x, loss_x_over_y)
    } else {
        (p_y_above_x, loss_x_over_y, loss_y_over_x)
    };
    // P(p_B − p_A ≤ d)
    let cdf_absolute = |d: f64| {
        if swap {
            1.0 - x.expect(y.std_dev(), |t| y.cdf(t - d))
        } else {
            x.expect(y.std_dev(), |t| y.cdf(t + d))
        }
    };
    // P(p_B ≤ (1 + r)·p_A): over A, F_B((1 + r)x) changes over sd_B/(1 + r);
    // over B, 1 − F_A(y/(1 + r)) over (1 + r)·sd_A: take the smoother one.
    let cdf_relative = |r: f64| {
        let k = 1.0 + r;
        let over_a = a.std_dev().min(b.std_dev() / k);
        let over_b = b.std_dev().min(k * a.std_dev());
        if over_a >= over_b {
            a.expect(b.std_dev() / k, |t| b.cdf(k * t))
        } else {
            1.0 - b.expect(k * a.std_dev(), |t| a.cdf(t / k))
        }
    };
    let tail = opts.alpha / 2.0;
    let level = 1.0 - opts.alpha;
    let absolute_ci = ConfidenceInterval {
        lower: invert(&cdf_absolute, tail, -1.0, 1.0),
        upper: invert(&cdf_absolute, 1.0 - tail, -1.0, 1.0),
        level,
    };
    // p_B/p_A − 1 ranges over (−1, ∞): bracket above by the ratio of the
    // extreme quantiles.
    let r_hi = beta_isf(TAIL, b.alpha, b.beta) / beta_ppf(TAIL, a.alpha, a.beta) - 1.0;
    let relative_ci = ConfidenceInterval {
        lower: invert(&cdf_relative, tail, -1.0, r_hi),
        upper: invert(&cdf_relative, 1.0 - tail, -1.0, r_hi),
        level,
    };
    let (chance_to_win, risk_control, risk_treatment) = if opts.inverse {
        (1.0 - p_b_above_a, loss_a_over_b, loss_b_over_a)
    } else {
        (p_b_above_a, loss_b_over_a, loss_a_over_b)
    };
    Ok(BetaBinomialComparison {
        control: a,
        treatment: b,
        chance_to_win,
        risk_control,
        risk_treatment,
        absolute_mean: b.mean() - a.mean(),
        absolute_ci,
        relative_ci,
    })
}

/// The `x` in [lo, hi] with `cdf(x) = p` for an increasing `cdf`, by
/// bisection to 1e-13 relative (1e-22 absolute near 0).
fn invert(cdf: &dyn Fn(f64) -> f64, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        if hi - lo <= 1e-13 * (lo.abs() + hi.abs()).max(1e-9) {
            break;
        }
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}
