//! Achieved power and minimum detectable effect (MDE) at the sample size an
//! experiment has, by the normal approximation to the difference of means:
//! with standard error `se` of the absolute difference and `z = Φ⁻¹(1 − α/2)`
//! (two-sided) or `Φ⁻¹(1 − α)` (one-sided),
//! - power against an effect δ: `Φ(|δ|/se − z) + Φ(−|δ|/se − z)` (two-sided),
//!   `Φ(δ/se − z)` (greater), `Φ(−δ/se − z)` (less);
//! - MDE at target power π: `(z + Φ⁻¹(π))·se`, relative MDE `MDE/|control mean|`.
//!
//! These are statsmodels' `NormalIndPower` formulas written with the
//! variances of the two arms (statsmodels assumes a common variance).

use serde::{Deserialize, Serialize};

use super::frequentist::{Comparison, check_alpha};
use crate::distributions::{normal_cdf, normal_ppf};
use crate::{Alternative, Error, Result};

/// Power and MDE of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Power {
    /// Probability of a significant result if the true effect were the
    /// observed absolute difference ("achieved" or post-hoc power).
    pub achieved: f64,
    /// The power the MDE is computed for.
    pub target: f64,
    /// Smallest absolute difference detected with probability `target`.
    pub mde: f64,
    /// `mde / |control mean|`; `None` for a zero control mean.
    pub relative_mde: Option<f64>,
}

/// Power of a z-test with standard error `std_error` against a true effect
/// `effect` at level `alpha`.
pub fn power_at(effect: f64, std_error: f64, alpha: f64, alternative: Alternative) -> Result<f64> {
    check_alpha(alpha)?;
    check_se(std_error)?;
    let d = effect / std_error;
    Ok(match alternative {
        Alternative::TwoSided => {
            let z = normal_ppf(1.0 - alpha / 2.0);
            normal_cdf(d.abs() - z) + normal_cdf(-d.abs() - z)
        }
        Alternative::Greater => normal_cdf(d - normal_ppf(1.0 - alpha)),
        Alternative::Less => normal_cdf(-d - normal_ppf(1.0 - alpha)),
    })
}

/// The smallest absolute effect a z-test with standard error `std_error`
/// detects with probability `power` at level `alpha`.
pub fn minimum_detectable_effect(
    std_error: f64,
    alpha: f64,
    power: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_alpha(alpha)?;
    check_se(std_error)?;
    if !(power > 0.0 && power < 1.0) {
        return Err(Error::invalid("power", power, "a number in (0, 1)"));
    }
    let z = match alternative {
        Alternative::TwoSided => normal_ppf(1.0 - alpha / 2.0),
        _ => normal_ppf(1.0 - alpha),
    };
    Ok((z + normal_ppf(power)) * std_error)
}

fn check_se(se: f64) -> Result<()> {
    if se > 0.0 && se.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(
            "standard error",
            se,
            "a positive finite number",
        ))
    }
}

impl Comparison {
    /// Achieved power against the observed absolute difference, and the MDE
    /// at `target_power`, at this comparison's α and sample sizes.
    pub fn power(&self, target_power: f64) -> Result<Power> {
        let alpha = self.alpha;
        let se = self.absolute.std_error;
        let mde = minimum_detectable_effect(se, alpha, target_power, self.alternative)?;
        let base = self.control.unadjusted_mean.abs();
        Ok(Power {
            achieved: power_at(self.absolute.estimate, se, alpha, self.alternative)?,
            target: target_power,
            mde,
            relative_mde: (base > 0.0).then(|| mde / base),
        })
    }
}
