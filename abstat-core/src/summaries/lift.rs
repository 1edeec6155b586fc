//! Curves of an A/B lift: the posterior density of the relative lift, and
//! the cumulative lift with its always-valid interval over time.

use serde::{Deserialize, Serialize};

use super::kde::Density;
use crate::ab::frequentist::MetricStats;
use crate::ab::sequential::{SequentialOptions, compare_sequential};
use crate::ab::{JointMoments, Posterior, PowerSums};
use crate::distributions::normal_pdf;
use crate::{Error, Result};

/// The normal posterior density `N(mean, std_dev²)` on `points` equally
/// spaced points over mean ± 4·std_dev (scipy `norm.pdf(x, mean, sd)`).
pub fn posterior_density(posterior: &Posterior, points: usize) -> Result<Density> {
    if points < 2 {
        return Err(Error::invalid("points", points, "at least 2"));
    }
    let (m, s) = (posterior.mean, posterior.std_dev);
    if !(s > 0.0 && s.is_finite() && m.is_finite()) {
        return Err(Error::Degenerate(format!(
            "the posterior (mean {m}, standard deviation {s}) has no density to draw"
        )));
    }
    let (a, step) = (m - 4.0 * s, 8.0 * s / (points - 1) as f64);
    let x: Vec<f64> = (0..points).map(|i| a + i as f64 * step).collect();
    let y = x.iter().map(|&v| normal_pdf((v - m) / s) / s).collect();
    Ok(Density { x, y })
}

/// The cumulative relative lift after one period, with its interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftPoint {
    /// Index of the period (0-based) the data run up to.
    pub period: usize,
    /// Control units so far.
    pub n_control: u64,
    /// Treatment units so far.
    pub n_treatment: u64,
    /// Relative lift (treatment − control) / |control mean|.
    pub lift: f64,
    /// Lower bound of the confidence-sequence interval.
    pub lower: f64,
    /// Upper bound of the confidence-sequence interval.
    pub upper: f64,
}

fn add(total: &mut MetricStats, more: &MetricStats) -> Result<()> {
    match (total, more) {
        (MetricStats::Mean(a), MetricStats::Mean(b))
        | (MetricStats::Proportion(a), MetricStats::Proportion(b)) => a.combine(b),
        (MetricStats::Ratio(a), MetricStats::Ratio(b))
        | (MetricStats::RegressionAdjusted(a), MetricStats::RegressionAdjusted(b)) => a.combine(b),
        (a, b) => {
            return Err(Error::Degenerate(format!(
                "periods mix metric kinds ({:?} and {:?})",
                a.kind(),
                b.kind()
            )));
        }
    }
    Ok(())
}

/// Zero statistics of the same kind as `s`. Quantile summaries do not add
/// up across periods, so they are refused.
fn empty_like(s: &MetricStats) -> Result<MetricStats> {
    let zero = PowerSums::new(0, 0.0, 0.0);
    let joint = JointMoments {
        n: 0,
        sum: 0.0,
        sum_squares: 0.0,
        sum_x: 0.0,
        sum_x_squares: 0.0,
        sum_xy: 0.0,
    };
    Ok(match s {
        MetricStats::Mean(_) => MetricStats::Mean(zero),
        MetricStats::Proportion(_) => MetricStats::Proportion(zero),
        MetricStats::Ratio(_) => MetricStats::Ratio(joint),
        MetricStats::RegressionAdjusted(_) => MetricStats::RegressionAdjusted(joint),
        MetricStats::Quantile(_) => {
            return Err(Error::invalid(
                "metric kind",
                "quantile",
                "mean, proportion, ratio or CUPED statistics: quantiles of separate periods cannot be added up, so a cumulative lift needs the quantile of all data up to each period",
            ));
        }
    })
}

/// Cumulative relative lift per period: the statistics of each period
/// (`control[t]`, `treatment[t]`, the new units of period t) are summed up
/// to t and compared by [`compare_sequential`], whose interval stays valid
/// however often it is looked at. Periods before the comparison is defined
/// (too few units, zero variance, zero control mean) are left out; none
/// defined is an error.
pub fn cumulative_lift(
    control: &[MetricStats],
    treatment: &[MetricStats],
    opts: &SequentialOptions,
) -> Result<Vec<LiftPoint>> {
    if control.len() != treatment.len() {
        return Err(Error::LengthMismatch {
            left: "control periods".into(),
            left_len: control.len(),
            right: "treatment periods".into(),
            right_len: treatment.len(),
        });
    }
    let Some(first) = control.first() else {
        return Err(Error::TooFewObservations {
            what: "periods".into(),
            needed: 1,
            got: 0,
        });
    };
    let (mut a, mut b) = (empty_like(first)?, empty_like(first)?);
    let mut out = Vec::new();
    let mut last_error = None;
    for (t, (c, tr)) in control.iter().zip(treatment).enumerate() {
        add(&mut a, c)?;
        add(&mut b, tr)?;
        match compare_sequential(&a, &b, opts) {
            Ok(cmp) => match cmp.relative {
                Some(rel) => out.push(LiftPoint {
                    period: t,
                    n_control: a.n(),
                    n_treatment: b.n(),
                    lift: rel.estimate,
                    lower: rel.ci.lower,
                    upper: rel.ci.upper,
                }),
                None => last_error = Some(Error::Degenerate("the control mean is 0".into())),
            },
            Err(e @ Error::InvalidParameter { .. }) => return Err(e),
            Err(e) => last_error = Some(e),
        }
    }
    if out.is_empty() {
        return Err(last_error.unwrap_or_else(|| Error::Degenerate("no period".into())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ab::QuantileStats;
    use crate::options::NanPolicy;

    #[test]
    fn quantile_periods_are_refused_because_they_do_not_add_up() {
        let q = |v: &[f64]| {
            MetricStats::Quantile(QuantileStats::from_values(v, 0.5, NanPolicy::Raise).unwrap())
        };
        let values: Vec<f64> = (1..=50).map(f64::from).collect();
        let err = cumulative_lift(
            &[q(&values), q(&values)],
            &[q(&values), q(&values)],
            &SequentialOptions::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("quantile"), "{err}");
    }
}
