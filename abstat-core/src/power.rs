//! Power, minimum detectable effect and sample size with the semantics of
//! statsmodels `TTestIndPower` / `tt_ind_solve_power` (noncentral t) and
//! `NormalIndPower` / `zt_ind_solve_power` (normal approximation), plus
//! Cohen's h for two proportions (`proportion_effectsize`).
//!
//! Exactly one of effect size, `nobs1`, `alpha`, `power` and `ratio` is left
//! `None` in [`PowerProblem`] and [`solve_power`] finds it by Brent's method
//! on `power(x) − power` inside a bracket grown from a starting value,
//! to 1e-10 relative (statsmodels uses brentq; the solutions agree to the
//! solvers' tolerances).
//!
//! Deviations from statsmodels: an unsolvable problem (e.g. a power below
//! alpha, or an effect size of 0 when solving for the sample size) is
//! [`Error::NoConvergence`] or [`Error::InvalidParameter`] instead of a
//! warning and NaN. For two-sided and `greater` alternatives the effect
//! size solved for is positive; for `less` it is negative.

use serde::{Deserialize, Serialize};

use crate::distributions::nct::{nct_cdf, nct_sf};
use crate::distributions::{normal_cdf, normal_isf, normal_ppf, normal_sf, t_isf, t_ppf};
use crate::{Alternative, Error, Result};

/// Which test the power refers to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerTest {
    /// Two-sample t-test with pooled variance, `df = n₁ + n₂ − 2`
    /// (statsmodels `TTestIndPower`).
    #[default]
    TTestInd,
    /// Two-sample z-test (statsmodels `NormalIndPower`); `ratio = 0` means a
    /// one-sample test with `nobs1` observations.
    NormalInd,
}

/// A power problem: all quantities but one are given.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerProblem {
    /// The test.
    pub test: PowerTest,
    /// Standardised effect size (Cohen's d, or Cohen's h for proportions).
    pub effect_size: Option<f64>,
    /// Observations in the first sample (may be fractional, as statsmodels).
    pub nobs1: Option<f64>,
    /// Significance level.
    pub alpha: Option<f64>,
    /// Power, 1 − β.
    pub power: Option<f64>,
    /// `nobs2 / nobs1`.
    pub ratio: Option<f64>,
    /// The alternative hypothesis.
    pub alternative: Alternative,
}

impl Default for PowerProblem {
    fn default() -> Self {
        PowerProblem {
            test: PowerTest::TTestInd,
            effect_size: None,
            nobs1: None,
            alpha: Some(0.05),
            power: None,
            ratio: Some(1.0),
            alternative: Alternative::TwoSided,
        }
    }
}

/// Power of the two-sample t-test (statsmodels `TTestIndPower.power`):
/// `P(T > t_{1−α/2}) + P(T < t_{α/2})` for `T ~ nct(df, d·√(n₁n₂/(n₁+n₂)))`.
pub fn ttest_ind_power(
    effect_size: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alternative: Alternative,
) -> f64 {
    let nobs2 = nobs1 * ratio;
    let df = nobs1 - 1.0 + nobs2 - 1.0;
    let nobs = 1.0 / (1.0 / nobs1 + 1.0 / nobs2);
    let nc = effect_size * nobs.sqrt();
    two_tails(
        alpha,
        alternative,
        |a| nct_sf(t_isf(a, df), df, nc),
        |a| nct_cdf(t_ppf(a, df), df, nc),
    )
}

/// Power of the two-sample z-test (statsmodels `NormalIndPower.power`).
pub fn normal_ind_power(
    effect_size: f64,
    nobs1: f64,
    alpha: f64,
    ratio: f64,
    alternative: Alternative,
) -> f64 {
    let nobs = if ratio > 0.0 {
        1.0 / (1.0 / nobs1 + 1.0 / (nobs1 * ratio))
    } else {
        nobs1
    };
    let shift = effect_size * nobs.sqrt();
    two_tails(
        alpha,
        alternative,
        |a| normal_sf(normal_isf(a) - shift),
        |a| normal_cdf(normal_ppf(a) - shift),
    )
}

/// Power of the two-proportion z-test for `p₁ = prop2 + diff` against
/// `prop2` (statsmodels `power_proportions_2indep`): the statistic's null
/// standard deviation uses the pooled proportion, its alternative standard
/// deviation the unpooled `√(p₁(1−p₁) + p₂(1−p₂)/ratio)` (normal
/// approximation, `normal_power_het`).
pub fn power_proportions_2indep(
    diff: f64,
    prop2: f64,
    nobs1: f64,
    ratio: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<f64> {
    let p1 = prop2 + diff;
    for (name, p) in [("prop2", prop2), ("prop2 + diff", p1)] {
        if !(p > 0.0 && p < 1.0) {
            return Err(Error::invalid(
                name,
                p,
                "a proportion strictly between 0 and 1",
            ));
        }
    }
    if ratio.is_nan() || ratio <= 0.0 || nobs1.is_nan() || nobs1 <= 0.0 {
        return Err(Error::invalid(
            "nobs1 / ratio",
            format!("{nobs1} / {ratio}"),
            "positive numbers",
        ));
    }
    Error::check_open_unit("alpha", alpha)?;
    let pooled = (p1 + prop2 * ratio) / (1.0 + ratio);
    let sd = |a: f64, b: f64| (a * (1.0 - a) + b * (1.0 - b) / ratio).sqrt();
    let (std_null, std_alt) = (sd(pooled, pooled), sd(p1, prop2));
    let shift = diff * nobs1.sqrt() / std_alt;
    let k = std_null / std_alt;
    Ok(two_tails(
        alpha,
        alternative,
        |a| normal_sf(normal_isf(a) * k - shift),
        |a| normal_cdf(normal_ppf(a) * k - shift),
    ))
}

/// The `nobs1` at which [`power_proportions_2indep`] reaches `power`
/// (statsmodels solves this with `brentq` on the same function).
pub fn nobs1_proportions_2indep(
    diff: f64,
    prop2: f64,
    power: f64,
    ratio: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<f64> {
    Error::check_open_unit("power", power)?;
    power_proportions_2indep(diff, prop2, 10.0, ratio, alpha, alternative)?;
    let f = |n: f64| {
        power_proportions_2indep(diff, prop2, n, ratio, alpha, alternative).unwrap_or(f64::NAN)
            - power
    };
    brent_expanding(f, 1e-9, 1e12, 10.0)
}

/// Rejection probability summed over the tails the alternative uses, each
/// tail at level α/2 (two-sided) or α (statsmodels `ttest_power`,
/// `normal_power`).
fn two_tails(
    alpha: f64,
    alternative: Alternative,
    upper: impl Fn(f64) -> f64,
    lower: impl Fn(f64) -> f64,
) -> f64 {
    let a = if alternative == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let mut power = 0.0;
    if alternative != Alternative::Less {
        power += upper(a);
    }
    if alternative != Alternative::Greater {
        power += lower(a);
    }
    power
}

/// Cohen's h for two proportions: `2·asin(√p₁) − 2·asin(√p₂)` (statsmodels
/// `proportion_effectsize`, Cohen 1988 §6.2).
pub fn cohen_h(prop1: f64, prop2: f64) -> Result<f64> {
    for (name, p) in [("prop1", prop1), ("prop2", prop2)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid(name, p, "a proportion in [0, 1]"));
        }
    }
    Ok(2.0 * prop1.sqrt().asin() - 2.0 * prop2.sqrt().asin())
}

/// Which quantity [`solve_power`] found, and its value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "solved_for", content = "value")]
pub enum PowerSolution {
    /// The minimum detectable (standardised) effect.
    EffectSize(f64),
    /// The first sample's size (fractional; round up for a design).
    Nobs1(f64),
    /// The significance level.
    Alpha(f64),
    /// The power.
    Power(f64),
    /// The ratio `nobs2 / nobs1`.
    Ratio(f64),
}

impl PowerSolution {
    /// The solved value.
    pub fn value(&self) -> f64 {
        match *self {
            PowerSolution::EffectSize(v)
            | PowerSolution::Nobs1(v)
            | PowerSolution::Alpha(v)
            | PowerSolution::Power(v)
            | PowerSolution::Ratio(v) => v,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Unknown {
    Effect,
    Nobs1,
    Alpha,
    Power,
    Ratio,
}

/// Solve a power problem for its one missing quantity
/// (statsmodels `solve_power`; `tt_ind_solve_power` for
/// [`PowerTest::TTestInd`], `zt_ind_solve_power` for [`PowerTest::NormalInd`]).
///
/// # Example
/// ```
/// use abstat_core::power::{solve_power, PowerProblem};
/// // sample size per group to detect d = 0.5 with 80% power at α = 0.05
/// let n = solve_power(&PowerProblem { effect_size: Some(0.5), power: Some(0.8), ..Default::default() })
///     .unwrap()
///     .value();
/// assert!((n - 63.77).abs() < 0.01);
/// ```
pub fn solve_power(problem: &PowerProblem) -> Result<PowerSolution> {
    let p = *problem;
    let unknowns: Vec<Unknown> = [
        (p.effect_size.is_none(), Unknown::Effect),
        (p.nobs1.is_none(), Unknown::Nobs1),
        (p.alpha.is_none(), Unknown::Alpha),
        (p.power.is_none(), Unknown::Power),
        (p.ratio.is_none(), Unknown::Ratio),
    ]
    .into_iter()
    .filter_map(|(missing, u)| missing.then_some(u))
    .collect();
    if unknowns.len() != 1 {
        return Err(Error::invalid(
            "power problem",
            format!("{} unknowns", unknowns.len()),
            "exactly one of effect_size, nobs1, alpha, power, ratio left unset",
        ));
    }
    validate(&p)?;
    let unknown = unknowns[0];
    let power_at = |x: f64| {
        let get = |u: Unknown, v: Option<f64>| {
            if u == unknown {
                x
            } else {
                v.unwrap_or(f64::NAN)
            }
        };
        let (es, n1, alpha, ratio) = (
            get(Unknown::Effect, p.effect_size),
            get(Unknown::Nobs1, p.nobs1),
            get(Unknown::Alpha, p.alpha),
            get(Unknown::Ratio, p.ratio),
        );
        match p.test {
            PowerTest::TTestInd => ttest_ind_power(es, n1, alpha, ratio, p.alternative),
            PowerTest::NormalInd => normal_ind_power(es, n1, alpha, ratio, p.alternative),
        }
    };
    if unknown == Unknown::Power {
        return Ok(PowerSolution::Power(power_at(f64::NAN)));
    }
    let target = p.power.unwrap_or(f64::NAN);
    let f = |x: f64| power_at(x) - target;
    let min_n = if p.test == PowerTest::TTestInd {
        1.0 + 1e-9
    } else {
        1e-9
    };
    let (lo, hi, start) = match unknown {
        Unknown::Effect => {
            if p.alternative == Alternative::Less {
                (-1e4, -1e-12, -0.5)
            } else {
                (1e-12, 1e4, 0.5)
            }
        }
        // Above 1e9 observations per group the answer is "no practical
        // sample size"; the cap also bounds the noncentral t evaluations.
        Unknown::Nobs1 => (min_n + 1.0, 1e9, nobs1_guess(&p).unwrap_or(10.0)),
        Unknown::Alpha => (1e-300, 1.0 - 1e-12, 0.05),
        Unknown::Ratio => (1e-9, 1e6, 1.0),
        Unknown::Power => unreachable!("handled above"),
    };
    let x = brent_expanding(f, lo, hi, start)?;
    Ok(match unknown {
        Unknown::Effect => PowerSolution::EffectSize(x),
        Unknown::Nobs1 => PowerSolution::Nobs1(x),
        Unknown::Alpha => PowerSolution::Alpha(x),
        Unknown::Ratio => PowerSolution::Ratio(x),
        Unknown::Power => unreachable!("handled above"),
    })
}

/// The sample size of the normal approximation, `(z_α + z_β)² (1 + 1/ratio)
/// / effect²` (one tail), as the search's starting point: the bracket then
/// closes on the first steps, where a start of 10 took a dozen doublings
/// for small effects (each a noncentral t evaluation for the t-test).
/// `None` when the inputs give no finite positive guess.
fn nobs1_guess(p: &PowerProblem) -> Option<f64> {
    let (es, alpha, power) = (p.effect_size?, p.alpha?, p.power?);
    let tail = if p.alternative == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let z = normal_isf(tail) + normal_ppf(power);
    let n = z * z * (1.0 + 1.0 / p.ratio?) / (es * es);
    (n.is_finite() && n > 2.0 && n < 1e9).then_some(n)
}

fn validate(p: &PowerProblem) -> Result<()> {
    let prob = |name: &str, v: Option<f64>| v.map_or(Ok(()), |x| Error::check_open_unit(name, x));
    prob("alpha", p.alpha)?;
    prob("power", p.power)?;
    if let Some(n) = p.nobs1 {
        let min = if p.test == PowerTest::TTestInd {
            1.0
        } else {
            0.0
        };
        if n.is_nan() || n <= min || n.is_infinite() {
            return Err(Error::invalid(
                "nobs1",
                n,
                format!("a finite number above {min}"),
            ));
        }
    }
    if let Some(r) = p.ratio {
        let ok = if p.test == PowerTest::NormalInd {
            r >= 0.0
        } else {
            r > 0.0
        };
        if !ok || r.is_infinite() {
            return Err(Error::invalid("ratio", r, "a finite positive number"));
        }
    }
    if let Some(es) = p.effect_size {
        if !es.is_finite() {
            return Err(Error::invalid("effect_size", es, "a finite number"));
        }
        if es == 0.0 && (p.nobs1.is_none() || p.ratio.is_none()) {
            return Err(Error::invalid(
                "effect_size",
                es,
                "a non-zero effect: no sample size detects an effect of 0",
            ));
        }
    }
    Ok(())
}

/// Find a root of `f` in `[lo, hi]`: grow a bracket from `start` outward
/// (geometrically), then Brent's method (Brent 1973, ch. 4) to 1e-10
/// relative in x.
fn brent_expanding(f: impl Fn(f64) -> f64, lo: f64, hi: f64, start: f64) -> Result<f64> {
    let fail = || Error::NoConvergence {
        what: "the power equation (no solution in the allowed range)".into(),
        iterations: 200,
    };
    let fs = f(start);
    if fs == 0.0 {
        return Ok(start);
    }
    // Walk towards each end until the sign changes.
    let (mut a, mut b) = (start, start);
    let (mut fa, mut fb) = (fs, fs);
    let mut found = false;
    for _ in 0..200 {
        let na = next_toward(a, lo);
        let nb = next_toward(b, hi);
        let (fna, fnb) = (f(na), f(nb));
        if fna.is_finite() && fna.signum() != fs.signum() {
            (b, fb) = (a, fa);
            (a, fa) = (na, fna);
            found = true;
            break;
        }
        if fnb.is_finite() && fnb.signum() != fs.signum() {
            (a, fa) = (b, fb);
            (b, fb) = (nb, fnb);
            found = true;
            break;
        }
        if fna.is_finite() {
            (a, fa) = (na, fna);
        }
        if fnb.is_finite() {
            (b, fb) = (nb, fnb);
        }
        if a == lo && b == hi {
            break;
        }
    }
    if !found {
        return Err(fail());
    }
    brent(&f, a, b, fa, fb).ok_or_else(fail)
}

/// One geometric step from `x` toward `limit` (staying within it).
fn next_toward(x: f64, limit: f64) -> f64 {
    if x == limit {
        return limit;
    }
    let next = if limit > x {
        if x > 0.0 {
            x * 2.0
        } else if x < 0.0 {
            x / 2.0
        } else {
            1e-12
        }
    } else if x > 0.0 {
        x / 2.0
    } else if x < 0.0 {
        x * 2.0
    } else {
        -1e-12
    };
    if (limit > x && next > limit) || (limit < x && next < limit) {
        limit
    } else {
        next
    }
}

/// Brent's root finder on a sign-changing bracket (to 1e-10 relative in x).
pub(crate) fn brent(f: &impl Fn(f64) -> f64, a0: f64, b0: f64, fa0: f64, fb0: f64) -> Option<f64> {
    let (mut a, mut b, mut fa, mut fb) = (a0, b0, fa0, fb0);
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
    for _ in 0..500 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5e-10 * b.abs().max(1e-300);
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
        if !fb.is_finite() {
            return None;
        }
    }
    None
}
