//! Power curves: the probability of a significant result against the
//! sample size per arm, or against the true effect, by the normal
//! approximation of [`crate::ab::power`] (statsmodels `NormalIndPower`
//! with equal arms: standard error σ·√(2/n)).

use serde::{Deserialize, Serialize};

use crate::ab::power::power_at;
use crate::{Alternative, Error, Result};

/// Power at each x (a sample size per arm, or an effect).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerCurve {
    /// The x values, increasing.
    pub x: Vec<f64>,
    /// Power at each x.
    pub power: Vec<f64>,
}

fn check_grid(x: &[f64], name: &str) -> Result<()> {
    if x.is_empty() {
        return Err(Error::TooFewObservations {
            what: name.into(),
            needed: 1,
            got: 0,
        });
    }
    if x.iter().any(|v| !v.is_finite()) || x.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::invalid(
            name,
            format!("{x:?}"),
            "finite increasing values",
        ));
    }
    Ok(())
}

/// Power against `effect` (absolute, in the metric's units) of a test with
/// `sizes[i]` units per arm, per-unit standard deviation `std_dev` and
/// level `alpha`.
pub fn power_by_sample_size(
    effect: f64,
    std_dev: f64,
    alpha: f64,
    alternative: Alternative,
    sizes: &[f64],
) -> Result<PowerCurve> {
    check_grid(sizes, "sample sizes")?;
    if sizes[0] <= 0.0 {
        return Err(Error::invalid("sample size", sizes[0], "a positive number"));
    }
    let power = sizes
        .iter()
        .map(|&n| power_at(effect, std_dev * (2.0 / n).sqrt(), alpha, alternative))
        .collect::<Result<_>>()?;
    Ok(PowerCurve {
        x: sizes.to_vec(),
        power,
    })
}

/// Power against each of `effects` of a test whose difference has standard
/// error `std_error`, at level `alpha`.
pub fn power_by_effect(
    std_error: f64,
    alpha: f64,
    alternative: Alternative,
    effects: &[f64],
) -> Result<PowerCurve> {
    check_grid(effects, "effects")?;
    let power = effects
        .iter()
        .map(|&d| power_at(d, std_error, alpha, alternative))
        .collect::<Result<_>>()?;
    Ok(PowerCurve {
        x: effects.to_vec(),
        power,
    })
}
