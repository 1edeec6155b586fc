//! Heavy tails: is a variant's sample large enough for the normal
//! approximation of its mean, which every t-test / z-test of the A/B engine
//! relies on?
//!
//! Rule of thumb (Kohavi, Tang & Xu, *Trustworthy Online Controlled
//! Experiments*, 2020, §17 "The Statistics behind Online Controlled
//! Experiments"): the mean is close enough to normal when
//! n > 355·s², with s the skewness of the metric. Revenue-like metrics with
//! skewness 10 need 35,500 units per variant; below that the p-values and
//! intervals can be badly off, and capping ([`super::capping`]) or a
//! quantile metric ([`super::quantile`]) is the usual remedy.
//!
//! The skewness is the sample skewness g1 = m₃ / m₂^{3/2} with biased
//! central moments (scipy `stats.skew(bias=True)`), computed in two passes
//! (mean, then central moments) over the raw column. It needs the raw
//! values: an analysis from sufficient statistics (n, Σy, Σy²) cannot check
//! it, and leaves [`super::ExperimentResult::heavy_tails`] `None`.

use serde::{Deserialize, Serialize};

use super::stats::{Combine, PowerSums, check_lengths, grouped, keep, slot};
use crate::{NanPolicy, Result};

/// The constant of the rule n > 355·s² (Kohavi, Tang & Xu 2020, §17).
pub const UNITS_PER_SQUARED_SKEWNESS: f64 = 355.0;

/// The heavy-tails check of one metric in one variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeavyTails {
    /// The metric's name.
    pub metric: String,
    /// Index of the variant.
    pub variant: usize,
    /// Units of the variant whose values entered the skewness.
    pub n: u64,
    /// Sample skewness g1 (scipy `skew`, `bias=True`).
    pub skewness: f64,
    /// Units the rule asks for: 355·g1².
    pub required_n: f64,
}

impl HeavyTails {
    /// Whether the variant has fewer units than the rule asks for
    /// (n < 355·g1²): the normal approximation of its mean, hence the
    /// p-value, may be unreliable.
    pub fn is_heavy(&self) -> bool {
        (self.n as f64) < self.required_n
    }
}

/// Σ(y − ȳ)², Σ(y − ȳ)³ of one variant around its mean.
#[derive(Debug, Clone, Copy, Default)]
struct CentralSums {
    n: u64,
    m2: f64,
    m3: f64,
}

impl Combine for CentralSums {
    fn merge(&mut self, other: &Self) {
        self.n += other.n;
        self.m2 += other.m2;
        self.m3 += other.m3;
    }
}

/// The heavy-tails check of metric `metric` with raw `values` grouped by
/// `variant` (0-based, `< variants`), one entry per variant whose skewness
/// is defined, in variant order.
///
/// Missing values follow `nan_policy` as in [`PowerSums::by_variant`]: left
/// out under `Omit`, an error under `Raise`; under `Propagate` they make
/// their variant's skewness NaN, and that variant has no entry. A variant
/// with no units or zero variance (scipy's skewness is NaN there) has no
/// entry either.
///
/// # Example
/// ```
/// use abstat_core::NanPolicy;
/// use abstat_core::ab::heavy_tails::heavy_tails;
/// // one large value among small ones: skewness 2.27 asks for 1,826 units
/// let y = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 50.0];
/// let t = heavy_tails("revenue", &y, &[0; 8], 1, NanPolicy::Raise).unwrap();
/// assert!(t[0].is_heavy() && t[0].required_n > 1_800.0);
/// ```
pub fn heavy_tails(
    metric: &str,
    values: &[f64],
    variant: &[u32],
    variants: usize,
    nan_policy: NanPolicy,
) -> Result<Vec<HeavyTails>> {
    check_lengths(("values", values.len()), ("variant", variant.len()))?;
    let means: Vec<f64> = PowerSums::by_variant(values, variant, variants, nan_policy)?
        .iter()
        .map(PowerSums::mean)
        .collect();
    let central = grouped(
        values.len(),
        variant,
        variants,
        |state: &mut [CentralSums], range| {
            for (i, &g) in range.clone().zip(&variant[range]) {
                let (y, s) = (values[i], slot(state, g)?);
                if keep(y.is_nan(), nan_policy, "values")? {
                    let d = y - means[g as usize];
                    s.n += 1;
                    s.m2 += d * d;
                    s.m3 += d * d * d;
                }
            }
            Ok(())
        },
    )?;
    Ok(central
        .iter()
        .zip(&means)
        .enumerate()
        .filter_map(|(v, (c, &mean))| {
            let n = c.n as f64;
            let (m2, m3) = (c.m2 / n, c.m3 / n);
            // scipy `skew`: NaN when m2 <= (eps·mean)², i.e. (near) zero variance;
            // a NaN m2 (Propagate) gives a NaN skewness, dropped below
            if c.n == 0 || m2 <= (f64::EPSILON * mean).powi(2) {
                return None;
            }
            let skewness = m3 / m2.powf(1.5);
            skewness.is_finite().then(|| HeavyTails {
                metric: metric.to_string(),
                variant: v,
                n: c.n,
                skewness,
                required_n: UNITS_PER_SQUARED_SKEWNESS * skewness * skewness,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    #[test]
    fn constant_and_empty_variants_have_no_entry() {
        let t = heavy_tails(
            "m",
            &[3.0, 3.0, 3.0, 1.0, 2.0, 9.0],
            &[0, 0, 0, 1, 1, 1],
            3,
            NanPolicy::Raise,
        )
        .unwrap();
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].variant, t[0].n), (1, 3));
    }

    #[test]
    fn missing_values_follow_the_policy() {
        let y = [1.0, 2.0, 10.0, f64::NAN, 1.0, 2.0, 10.0];
        let g = [0, 0, 0, 0, 1, 1, 1];
        let omit = heavy_tails("m", &y, &g, 2, NanPolicy::Omit).unwrap();
        assert_eq!(omit.len(), 2);
        assert_eq!(omit[0].skewness, omit[1].skewness);
        let propagate = heavy_tails("m", &y, &g, 2, NanPolicy::Propagate).unwrap();
        assert_eq!(propagate.iter().map(|t| t.variant).collect::<Vec<_>>(), [1]);
        assert!(matches!(
            heavy_tails("m", &y, &g, 2, NanPolicy::Raise),
            Err(Error::MissingValues { .. })
        ));
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(matches!(
            heavy_tails("m", &[1.0, 2.0], &[0], 1, NanPolicy::Raise),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(heavy_tails("m", &[1.0], &[3], 2, NanPolicy::Raise).is_err());
        assert!(heavy_tails("m", &[], &[], 0, NanPolicy::Raise).is_err());
    }
}
