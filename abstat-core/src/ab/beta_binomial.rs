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
//! The other arm's cdf is needed at equally spaced points z₀ + i·Δz (the
//! Simpson nodes, shifted by d or scaled by 1 + r). It is not evaluated
//! point by point (an incomplete beta function each, ~100 continued-fraction
//! terms for large counts): one incomplete beta at each end, and between
//! neighbouring points the integral of the density by 4-point
//! Gauss–Legendre, summed from the left for the cdf and from the right for
//! the survival function, each used where it is the smaller one, so tails
//! keep their relative precision. The interval ends are found by Brent's
//! method from a bracket grown around the normal approximation.
//!
//! Reference: scipy's `integrate.quad` of the same integrals with
//! `scipy.stats.beta`, cross-checked by Monte Carlo in the generator.

use serde::{Deserialize, Serialize};

use super::stats::PowerSums;
use crate::distributions::special::ln_beta;
use crate::distributions::{beta_cdf, beta_isf, beta_ppf, beta_sf, normal_ppf};
use crate::power::brent;
use crate::{ConfidenceInterval, Error, Result};

/// Tail mass left out of each integral on either side.
const TAIL: f64 = 1e-15;

/// Simpson steps per posterior standard deviation.
const STEPS_PER_SD: f64 = 24.0;

/// 4-point Gauss–Legendre nodes and weights on [−1, 1] (Abramowitz &
/// Stegun, table 25.4).
const GAUSS_LEGENDRE: [(f64, f64); 4] = [
    (-0.861_136_311_594_052_6, 0.347_854_845_137_453_85),
    (-0.339_981_043_584_856_26, 0.652_145_154_862_546_1),
    (0.339_981_043_584_856_26, 0.652_145_154_862_546_1),
    (0.861_136_311_594_052_6, 0.347_854_845_137_453_85),
];

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
}

/// A posterior with what every integral over it reuses: its range (the
/// 1e-15 quantiles), log normaliser and standard deviation.
#[derive(Debug, Clone, Copy)]
struct Prepared {
    p: BetaPosterior,
    lo: f64,
    hi: f64,
    ln_norm: f64,
    sd: f64,
}

/// Simpson nodes `lo + i·h`, `i = 0..=intervals` (an even number).
#[derive(Debug, Clone, Copy)]
struct Grid {
    lo: f64,
    h: f64,
    intervals: usize,
}

impl Prepared {
    fn new(p: BetaPosterior) -> Self {
        Prepared {
            p,
            lo: beta_ppf(TAIL, p.alpha, p.beta),
            hi: beta_isf(TAIL, p.alpha, p.beta),
            ln_norm: ln_beta(p.alpha, p.beta),
            sd: p.std_dev(),
        }
    }

    fn pdf(&self, x: f64) -> f64 {
        if !(x > 0.0 && x < 1.0) {
            return 0.0;
        }
        ((self.p.alpha - 1.0) * x.ln() + (self.p.beta - 1.0) * (-x).ln_1p() - self.ln_norm).exp()
    }

    /// The Simpson grid over this posterior's range, with steps of
    /// 1/[`STEPS_PER_SD`] of the smaller of its standard deviation and
    /// `scale`, the length over which the integrand's other factor changes.
    fn grid(&self, scale: f64) -> Grid {
        let step = self.sd.min(scale) / STEPS_PER_SD;
        let intervals = (((self.hi - self.lo) / step).ceil() as usize)
            .clamp(64, 1 << 20)
            .next_multiple_of(2);
        Grid {
            lo: self.lo,
            h: (self.hi - self.lo) / intervals as f64,
            intervals,
        }
    }

    /// ∫ f(t) g(t) dt over `grid` by composite Simpson, with `g` given at
    /// the nodes by index.
    fn integrate(&self, grid: &Grid, g: impl Fn(usize) -> f64) -> f64 {
        let n = grid.intervals;
        let sum: f64 = (0..=n)
            .map(|i| {
                let w = if i == 0 || i == n {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                w * self.pdf(grid.lo + grid.h * i as f64) * g(i)
            })
            .sum();
        sum * grid.h / 3.0
    }

    /// The cdf and survival function at `z0 + dz·i`, `i = 0..=n` (`dz > 0`):
    /// one incomplete beta function at each end, and between neighbouring
    /// points the integral of the density by Gauss–Legendre (clipped to
    /// (0, 1)), accumulated from the left for the cdf and from the right for
    /// the survival function; each is taken from the side where it is the
    /// smaller one.
    fn cdf_sf_along(&self, z0: f64, dz: f64, n: usize) -> (Vec<f64>, Vec<f64>) {
        let z = |i: usize| z0 + dz * i as f64;
        let pieces: Vec<f64> = (0..n)
            .map(|i| {
                let (a, b) = (z(i).max(0.0), z(i + 1).min(1.0));
                if b <= a {
                    return 0.0;
                }
                let (half, mid) = (0.5 * (b - a), 0.5 * (a + b));
                half * GAUSS_LEGENDRE
                    .iter()
                    .map(|&(x, w)| w * self.pdf(mid + half * x))
                    .sum::<f64>()
            })
            .collect();
        let mut cdf = Vec::with_capacity(n + 1);
        let mut acc = self.p.cdf(z(0));
        cdf.push(acc);
        for piece in &pieces {
            acc += piece;
            cdf.push(acc);
        }
        let mut sf = vec![0.0; n + 1];
        let mut acc = self.p.sf(z(n));
        sf[n] = acc;
        for i in (0..n).rev() {
            acc += pieces[i];
            sf[i] = acc;
        }
        for (c, s) in cdf.iter_mut().zip(sf.iter_mut()) {
            if *c > 0.5 {
                *c = (1.0 - *s).max(0.0);
            } else {
                *s = (1.0 - *c).max(0.0);
            }
        }
        (cdf, sf)
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
    let (pa, pb) = (Prepared::new(a), Prepared::new(b));
    // Integrate over the narrower posterior X; Y is the other one.
    let swap = pb.sd < pa.sd;
    let (x, y) = if swap { (pb, pa) } else { (pa, pb) };
    let y_plus = Prepared::new(BetaPosterior {
        alpha: y.p.alpha + 1.0,
        beta: y.p.beta,
    });
    let grid = x.grid(y.sd);
    let (y_cdf, y_sf) = y.cdf_sf_along(grid.lo, grid.h, grid.intervals);
    let p_y_above_x = x.integrate(&grid, |i| y_sf[i]);
    // E[max(X − Y, 0)]
    let (y_plus_cdf, _) = y_plus.cdf_sf_along(grid.lo, grid.h, grid.intervals);
    let loss_x_over_y = x
        .integrate(&grid, |i| {
            (grid.lo + grid.h * i as f64) * y_cdf[i] - y.p.mean() * y_plus_cdf[i]
        })
        .max(0.0);
    let loss_y_over_x = (y.p.mean() - x.p.mean() + loss_x_over_y).max(0.0);
    let (p_b_above_a, loss_a_over_b, loss_b_over_a) = if swap {
        (1.0 - p_y_above_x, loss_y_over_x, loss_x_over_y)
    } else {
        (p_y_above_x, loss_x_over_y, loss_y_over_x)
    };
    // P(p_B − p_A ≤ d): over A, F_B(x + d); over B, 1 − F_A(y − d)
    let cdf_absolute = |d: f64| {
        let shift = if swap { -d } else { d };
        let (f, _) = y.cdf_sf_along(grid.lo + shift, grid.h, grid.intervals);
        let p = x.integrate(&grid, |i| f[i]);
        if swap { 1.0 - p } else { p }
    };
    // P(p_B ≤ (1 + r)·p_A): over A, F_B((1 + r)x) changes over sd_B/(1 + r);
    // over B, 1 − F_A(y/(1 + r)) over (1 + r)·sd_A: take the smoother one.
    let cdf_relative = |r: f64| {
        let k = 1.0 + r;
        let over_a = pa.sd.min(pb.sd / k);
        let over_b = pb.sd.min(k * pa.sd);
        if over_a >= over_b {
            let g = pa.grid(pb.sd / k);
            let (f, _) = pb.cdf_sf_along(k * g.lo, k * g.h, g.intervals);
            pa.integrate(&g, |i| f[i])
        } else {
            let g = pb.grid(k * pa.sd);
            let (f, _) = pa.cdf_sf_along(g.lo / k, g.h / k, g.intervals);
            1.0 - pb.integrate(&g, |i| f[i])
        }
    };
    let tail = opts.alpha / 2.0;
    let level = 1.0 - opts.alpha;
    // normal approximations of the two lifts start the root search
    let sd_abs = (pa.sd * pa.sd + pb.sd * pb.sd).sqrt();
    let abs_at = |p: f64| b.mean() - a.mean() + normal_ppf(p) * sd_abs;
    let absolute_ci = ConfidenceInterval {
        lower: invert(&cdf_absolute, tail, abs_at(tail), sd_abs, -1.0, 1.0),
        upper: invert(
            &cdf_absolute,
            1.0 - tail,
            abs_at(1.0 - tail),
            sd_abs,
            -1.0,
            1.0,
        ),
        level,
    };
    // p_B/p_A − 1 ranges over (−1, ∞): bracket above by the ratio of the
    // extreme quantiles.
    let r_hi = pb.hi / pa.lo - 1.0;
    let ratio = b.mean() / a.mean();
    let sd_rel = ratio * ((pa.sd / a.mean()).powi(2) + (pb.sd / b.mean()).powi(2)).sqrt();
    let rel_at = |p: f64| ratio - 1.0 + normal_ppf(p) * sd_rel;
    let relative_ci = ConfidenceInterval {
        lower: invert(&cdf_relative, tail, rel_at(tail), sd_rel, -1.0, r_hi),
        upper: invert(
            &cdf_relative,
            1.0 - tail,
            rel_at(1.0 - tail),
            sd_rel,
            -1.0,
            r_hi,
        ),
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

/// The `x` in [lo, hi] with `cdf(x) = p` for an increasing `cdf`: a
/// bracket grown from `guess ± step` (doubling the step), then Brent's
/// method (to 1e-10 relative in x). NaN if the search fails.
fn invert(cdf: &dyn Fn(f64) -> f64, p: f64, guess: f64, step: f64, lo: f64, hi: f64) -> f64 {
    let f = |x: f64| cdf(x) - p;
    let guess = if guess.is_finite() {
        guess.clamp(lo, hi)
    } else {
        0.5 * (lo + hi)
    };
    let mut w = if step.is_finite() && step > 0.0 {
        step
    } else {
        hi - lo
    };
    let (mut a, mut b) = ((guess - w).max(lo), (guess + w).min(hi));
    let (mut fa, mut fb) = (f(a), f(b));
    while fa > 0.0 && a > lo {
        w *= 2.0;
        (b, fb) = (a, fa);
        a = (a - w).max(lo);
        fa = f(a);
    }
    while fb < 0.0 && b < hi {
        w *= 2.0;
        (a, fa) = (b, fb);
        b = (b + w).min(hi);
        fb = f(b);
    }
    brent(&f, a, b, fa, fb).unwrap_or(f64::NAN)
}
