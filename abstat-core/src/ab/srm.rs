//! Sample ratio mismatch (SRM): a chi-square goodness-of-fit test of the
//! units per variant against the configured split, as gbstats' `check_srm`,
//! through [`crate::categorical::chisquare`].

use serde::{Deserialize, Serialize};

use crate::categorical::{GoodnessOfFitOptions, chisquare};
use crate::{Error, Result};

/// GrowthBook's default SRM threshold: p below it flags a mismatch.
pub const DEFAULT_SRM_THRESHOLD: f64 = 0.001;

/// The outcome of an SRM check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Srm {
    /// Pearson chi-square statistic.
    pub statistic: f64,
    /// Its p-value with k − 1 degrees of freedom.
    pub p_value: f64,
    /// Units per variant.
    pub observed: Vec<u64>,
    /// Expected units per variant under the configured split.
    pub expected: Vec<f64>,
    /// The p-value below which the split is declared broken.
    pub threshold: f64,
}

impl Srm {
    /// Whether the observed split is incompatible with the configured one
    /// (`p_value < threshold`): the experiment's results should not be trusted.
    pub fn is_mismatch(&self) -> bool {
        self.p_value < self.threshold
    }
}

/// Check the units per variant against `weights` (any positive numbers; they
/// are normalised), flagging a mismatch when p < `threshold`.
///
/// Deviations from gbstats: a variant with weight ≤ 0 is an error (gbstats
/// skips it but still counts it in the degrees of freedom), and no units at
/// all is an error (gbstats returns p = 1).
pub fn srm(units: &[u64], weights: &[f64], threshold: f64) -> Result<Srm> {
    if units.len() != weights.len() {
        return Err(Error::LengthMismatch {
            left: "units per variant".into(),
            left_len: units.len(),
            right: "weights".into(),
            right_len: weights.len(),
        });
    }
    if units.len() < 2 {
        return Err(Error::TooFewObservations {
            what: "variants".into(),
            needed: 2,
            got: units.len(),
        });
    }
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(Error::invalid("weight", w, "positive finite numbers"));
    }
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(Error::invalid(
            "SRM threshold",
            threshold,
            "a number in (0, 1)",
        ));
    }
    let total: u64 = units.iter().sum();
    if total == 0 {
        return Err(Error::TooFewObservations {
            what: "units in the experiment".into(),
            needed: 1,
            got: 0,
        });
    }
    let w_total: f64 = weights.iter().sum();
    let observed: Vec<f64> = units.iter().map(|&u| u as f64).collect();
    let expected: Vec<f64> = weights.iter().map(|w| w / w_total * total as f64).collect();
    let r = chisquare(&observed, Some(&expected), &GoodnessOfFitOptions::default())?;
    Ok(Srm {
        statistic: r.statistic,
        p_value: r.p_value,
        observed: units.to_vec(),
        expected,
        threshold,
    })
}
