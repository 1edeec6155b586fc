//! Fieller's interval for the relative lift (Fieller 1954), an option next
//! to the delta-method interval of [`super::compare`].
//!
//! For independent arms with means m_A, m_B and variances of the means
//! v_A = s²_A/n_A, v_B = s²_B/n_B, the set of ratios ρ = μ_B/μ_A with
//! (m_B − ρ m_A)² ≤ t²(v_B + ρ² v_A) is the quadratic inequality
//! a ρ² − 2 m_A m_B ρ + c ≤ 0 with a = m_A² − t² v_A, c = m_B² − t² v_B,
//! whose roots are ρ = (m_A m_B ± t·√(m_A² v_B + m_B² v_A − t² v_A v_B))/a.
//! t is the Student quantile with the comparison's Welch–Satterthwaite
//! degrees of freedom (1 − α/2 two-sided, 1 − α one-sided). The relative
//! lift is ρ − 1, or 1 − ρ for a negative control mean (the sign convention
//! of [`super::frequentist`]: (m_B − m_A)/|m_A|).
//!
//! Unlike the delta method, the interval is exact for normal means and
//! asymmetric around the estimate; it is bounded only when the control
//! mean is significantly different from 0 (a > 0), otherwise
//! [`Error::Degenerate`].

use super::frequentist::{Comparison, MetricKind};
use crate::distributions::t_ppf;
use crate::{Alternative, ConfidenceInterval, Error, Result};

impl Comparison {
    /// Fieller's confidence interval for the relative lift at the
    /// comparison's α and alternative. Not defined for CUPED metrics (the
    /// relative lift divides an adjusted difference by an unadjusted mean).
    pub fn fieller(&self) -> Result<ConfidenceInterval> {
        if self.kind == MetricKind::RegressionAdjusted {
            return Err(Error::invalid(
                "metric kind",
                "regression_adjusted",
                "a metric without regression adjustment for Fieller's interval",
            ));
        }
        let (a, b) = (&self.control, &self.treatment);
        let (ma, mb) = (a.mean, b.mean);
        let (va, vb) = (a.variance / a.n as f64, b.variance / b.n as f64);
        let level = 1.0 - self.alpha;
        let t = match self.alternative {
            Alternative::TwoSided => t_ppf(1.0 - self.alpha / 2.0, self.df),
            _ => t_ppf(level, self.df),
        };
        let quad = ma * ma - t * t * va;
        if quad.is_nan() || quad <= 0.0 {
            return Err(Error::Degenerate(
                "the control mean is not significantly different from 0 at this level, so \
                 Fieller's interval for the relative lift is unbounded"
                    .into(),
            ));
        }
        let root = t * (ma * ma * vb + mb * mb * va - t * t * va * vb).sqrt();
        let (lo, hi) = ((ma * mb - root) / quad, (ma * mb + root) / quad);
        let (lower, upper) = if ma > 0.0 {
            (lo - 1.0, hi - 1.0)
        } else {
            (1.0 - hi, 1.0 - lo)
        };
        Ok(match self.alternative {
            Alternative::TwoSided => ConfidenceInterval {
                lower,
                upper,
                level,
            },
            Alternative::Greater => ConfidenceInterval {
                lower,
                upper: f64::INFINITY,
                level,
            },
            Alternative::Less => ConfidenceInterval {
                lower: f64::NEG_INFINITY,
                upper,
                level,
            },
        })
    }
}
