//! Frequentist comparison of one treatment with the control: Welch's t-test
//! on the absolute and the relative difference of means, as GrowthBook's
//! gbstats 0.8.0 `TwoSidedTTest` / `OneSidedTreatment{Greater,Lesser}TTest`
//! (`gbstats/frequentist/tests.py`), for mean, proportion, ratio and
//! regression-adjusted (CUPED) metrics.
//!
//! Formulas (gbstats 0.8.0):
//! - absolute: Δ = m_B − m_A, Var = s²_B/n_B + s²_A/n_A;
//! - relative (delta method, each group's own n and variance, the control
//!   mean's uncertainty included): Δ = (m_B − m_A)/|μ_A|,
//!   Var = s²_B/(μ_A² n_B) + s²_A μ_B²/(μ_A⁴ n_A), with μ the unadjusted means;
//! - degrees of freedom: Welch–Satterthwaite on the per-arm variances, used
//!   for both the absolute and the relative interval;
//! - p-value from Student's t with those degrees of freedom; the interval is
//!   `Δ ± t_{1−α/2}·√Var` (two-sided) or one-sided with `t_{1−α}`.
//!
//! Deliberate deviations from gbstats 0.8.0, each tested against an
//! independent computation:
//! - a negative control mean keeps the sign of the relative lift (division
//!   by |μ_A|, as gbstats does after the 0.8.0 wheel); 0.8.0 divides by μ_A
//!   and flips the sign;
//! - the one-sided "less" interval is `(−∞, Δ + t_{1−α}·√Var]`; 0.8.0
//!   returns `Δ − t_{1−α}·√Var` as its upper bound;
//! - p-values come from the t survival function, not `1 − cdf`, so tiny
//!   p-values keep their relative precision (0.8.0 rounds them to 0);
//! - a zero control mean leaves the absolute result intact and only the
//!   relative one undefined (0.8.0 returns an empty result for both).

use serde::{Deserialize, Serialize};

use super::quantile::QuantileStats;
use super::stats::{JointMoments, PowerSums};
use crate::distributions::{t_ppf, t_sf};
use crate::{Alternative, ConfidenceInterval, Error, Result};

/// The statistics of one metric in one variant, by kind of metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetricStats {
    /// A mean metric (gbstats `SampleMeanStatistic`, metric type "count"):
    /// variance with n − 1.
    Mean(PowerSums),
    /// A conversion rate (gbstats `ProportionStatistic`, "binomial"): `sum`
    /// is the number of converted units; the variance is p(1 − p) and
    /// `sum_squares` is not used.
    Proportion(PowerSums),
    /// A ratio metric Σy/Σx over units (gbstats `RatioStatistic`): y is the
    /// numerator, x the denominator, `n` the number of units; the
    /// per-unit variance comes from the delta method. Both components are
    /// treated as gbstats' "count" metrics (sample variances with n − 1).
    Ratio(JointMoments),
    /// A mean metric y regression-adjusted by a pre-period covariate x
    /// (CUPED; gbstats `RegressionAdjustedStatistic`), with θ estimated on
    /// control and treatment pooled. Metric and covariate are treated as
    /// gbstats' "count" metrics (sample variances with n − 1).
    RegressionAdjusted(JointMoments),
    /// A quantile of the metric over units (gbstats `QuantileStatistic`):
    /// the sample quantile with its order-statistic interval, see
    /// [`super::quantile`].
    Quantile(QuantileStats),
}

/// The kind of a [`MetricStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// See [`MetricStats::Mean`].
    Mean,
    /// See [`MetricStats::Proportion`].
    Proportion,
    /// See [`MetricStats::Ratio`].
    Ratio,
    /// See [`MetricStats::RegressionAdjusted`].
    RegressionAdjusted,
    /// See [`MetricStats::Quantile`].
    Quantile,
}

impl MetricStats {
    /// The kind of metric.
    pub fn kind(&self) -> MetricKind {
        match self {
            MetricStats::Mean(_) => MetricKind::Mean,
            MetricStats::Proportion(_) => MetricKind::Proportion,
            MetricStats::Ratio(_) => MetricKind::Ratio,
            MetricStats::RegressionAdjusted(_) => MetricKind::RegressionAdjusted,
            MetricStats::Quantile(_) => MetricKind::Quantile,
        }
    }

    /// Number of units.
    pub fn n(&self) -> u64 {
        match self {
            MetricStats::Mean(m) | MetricStats::Proportion(m) => m.n,
            MetricStats::Ratio(j) | MetricStats::RegressionAdjusted(j) => j.n,
            MetricStats::Quantile(q) => q.n,
        }
    }

    /// The arm's summary without regression adjustment (θ = 0).
    fn arm(&self) -> Arm {
        match self {
            MetricStats::Mean(m) => Arm::plain(m.n, m.mean(), m.variance()),
            MetricStats::Proportion(m) => {
                let p = m.mean();
                Arm::plain(m.n, p, p * (1.0 - p))
            }
            MetricStats::Ratio(j) => {
                // gbstats RatioStatistic: delta-method variance of Σy/Σx per unit.
                let (num, den) = (j.y(), j.x());
                let (mm, md) = (num.mean(), den.mean());
                let mean = if j.sum_x == 0.0 { 0.0 } else { j.sum / j.sum_x };
                let variance = if md == 0.0 || j.n <= 1 {
                    0.0
                } else {
                    num.variance() / md.powi(2) - 2.0 * j.covariance() * mm / md.powi(3)
                        + mm.powi(2) * den.variance() / md.powi(4)
                };
                Arm::plain(j.n, mean, variance)
            }
            MetricStats::RegressionAdjusted(j) => {
                let y = j.y();
                Arm::plain(j.n, y.mean(), y.variance())
            }
            MetricStats::Quantile(q) => Arm::plain(q.n, q.quantile, q.variance()),
        }
    }
}

/// One arm as the test sees it (gbstats' `Statistic`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Arm {
    /// Number of units.
    pub n: u64,
    /// The (regression-adjusted, for CUPED) mean.
    pub mean: f64,
    /// The mean without regression adjustment.
    pub unadjusted_mean: f64,
    /// The per-unit variance of `mean`'s estimator times n.
    pub variance: f64,
}

impl Arm {
    fn plain(n: u64, mean: f64, variance: f64) -> Self {
        Arm {
            n,
            mean,
            unadjusted_mean: mean,
            variance,
        }
    }

    /// The regression-adjusted arm (gbstats `RegressionAdjustedStatistic`):
    /// mean ȳ − θx̄, variance s²_y + θ²s²_x − 2θ·cov(x, y).
    fn adjusted(j: &JointMoments, theta: f64) -> Self {
        let (y, x) = (j.y(), j.x());
        let variance = if j.n <= 1 {
            0.0
        } else {
            y.variance() + theta * theta * x.variance() - 2.0 * theta * j.covariance()
        };
        Arm {
            n: j.n,
            mean: y.mean() - theta * x.mean(),
            unadjusted_mean: y.mean(),
            variance,
        }
    }

    /// Variance of the arm's mean, s²/n.
    fn variance_of_mean(&self) -> f64 {
        self.variance / self.n as f64
    }
}

/// What regression adjustment (CUPED) did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cuped {
    /// θ = cov(x, y)/var(x) on control and treatment pooled (gbstats
    /// `compute_theta`); 0 when either pooled variance is 0, in which case
    /// the metric is analysed unadjusted, as gbstats does.
    pub theta: f64,
    /// 1 − Var_adjusted/Var_unadjusted of the absolute difference: the share
    /// of the variance the covariate removed (negative if it added some).
    pub variance_reduction: f64,
}

/// Options of [`compare`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrequentistOptions {
    /// Significance level α in (0, 1); intervals have level 1 − α.
    pub alpha: f64,
    /// `Greater`: the treatment raises the metric; `Less`: lowers it.
    pub alternative: Alternative,
}

impl Default for FrequentistOptions {
    fn default() -> Self {
        FrequentistOptions {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
        }
    }
}

impl FrequentistOptions {
    pub(crate) fn validate(&self) -> Result<()> {
        check_alpha(self.alpha)
    }
}

pub(crate) fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid("alpha", alpha, "a number in (0, 1)"))
    }
}

/// An estimated difference with its test and interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    /// Point estimate.
    pub estimate: f64,
    /// Its standard error.
    pub std_error: f64,
    /// t = estimate / std_error.
    pub statistic: f64,
    /// p-value under the comparison's alternative.
    pub p_value: f64,
    /// Confidence interval at level 1 − α (one-sided for one-sided tests).
    pub ci: ConfidenceInterval,
}

impl Effect {
    /// Welch t-test of `estimate` with variance `variance` and `df` degrees
    /// of freedom (gbstats `TTest`).
    pub(crate) fn t_test(
        estimate: f64,
        variance: f64,
        df: f64,
        alpha: f64,
        alternative: Alternative,
    ) -> Effect {
        let std_error = variance.sqrt();
        let statistic = estimate / std_error;
        let (p_value, ci) = match alternative {
            Alternative::TwoSided => {
                let w = t_ppf(1.0 - alpha / 2.0, df) * std_error;
                (
                    at_most_one(2.0 * t_sf(statistic.abs(), df)),
                    (estimate - w, estimate + w),
                )
            }
            Alternative::Greater => {
                let w = t_ppf(1.0 - alpha, df) * std_error;
                (t_sf(statistic, df), (estimate - w, f64::INFINITY))
            }
            Alternative::Less => {
                let w = t_ppf(1.0 - alpha, df) * std_error;
                (t_sf(-statistic, df), (f64::NEG_INFINITY, estimate + w))
            }
        };
        Effect {
            estimate,
            std_error,
            statistic,
            p_value,
            ci: ConfidenceInterval {
                lower: ci.0,
                upper: ci.1,
                level: 1.0 - alpha,
            },
        }
    }
}

/// `min(p, 1)` that keeps a NaN (`f64::min` would return 1).
pub(crate) fn at_most_one(p: f64) -> f64 {
    if p > 1.0 { 1.0 } else { p }
}

/// Treatment versus control on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The kind of metric.
    pub kind: MetricKind,
    /// The control arm.
    pub control: Arm,
    /// The treatment arm.
    pub treatment: Arm,
    /// Treatment mean − control mean.
    pub absolute: Effect,
    /// (Treatment − control) / |control mean|; `None` when the control mean
    /// is 0.
    pub relative: Option<Effect>,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// The alternative the p-values and intervals refer to.
    pub alternative: Alternative,
    /// The significance level α the intervals were computed at.
    pub alpha: f64,
    /// Regression adjustment, for [`MetricStats::RegressionAdjusted`].
    pub cuped: Option<Cuped>,
}

impl Comparison {
    /// Whether the difference is significant at level `alpha`.
    pub fn reject(&self, alpha: f64) -> bool {
        self.absolute.p_value <= alpha
    }
}

/// The two arms of a comparison, with θ applied for regression adjustment.
pub(crate) fn arms(
    control: &MetricStats,
    treatment: &MetricStats,
) -> Result<(Arm, Arm, Option<Cuped>)> {
    if control.kind() != treatment.kind() {
        return Err(Error::invalid(
            "treatment metric kind",
            format!("{:?}", treatment.kind()),
            format!("the control's kind, {:?}", control.kind()),
        ));
    }
    for (what, m) in [("control", control), ("treatment", treatment)] {
        if m.n() < 2 {
            return Err(Error::TooFewObservations {
                what: what.to_string(),
                needed: 2,
                got: m.n() as usize,
            });
        }
    }
    for (what, m) in [("control", control), ("treatment", treatment)] {
        if let MetricStats::Quantile(q) = m {
            q.check_size()?;
            // gbstats: a zero-width interval is zero variance below 1000 units
            if q.upper <= q.lower && q.n < 1000 {
                return Err(Error::ZeroVariance {
                    what: what.to_string(),
                    method: "the quantile comparison".to_string(),
                });
            }
        }
    }
    let (a, b) = (control.arm(), treatment.arm());
    let (MetricStats::RegressionAdjusted(ja), MetricStats::RegressionAdjusted(jb)) =
        (control, treatment)
    else {
        return Ok((a, b, None));
    };
    let theta = pooled_theta(ja, jb);
    if theta == 0.0 {
        return Ok((a, b, Some(Cuped::none())));
    }
    let (aa, ab) = (Arm::adjusted(ja, theta), Arm::adjusted(jb, theta));
    let reduction = 1.0
        - (aa.variance_of_mean() + ab.variance_of_mean())
            / (a.variance_of_mean() + b.variance_of_mean());
    Ok((
        aa,
        ab,
        Some(Cuped {
            theta,
            variance_reduction: reduction,
        }),
    ))
}

impl Cuped {
    fn none() -> Self {
        Cuped {
            theta: 0.0,
            variance_reduction: 0.0,
        }
    }
}

/// θ = cov(x, y)/var(x) on both arms pooled (gbstats `compute_theta`), 0 when
/// a pooled variance is 0.
fn pooled_theta(a: &JointMoments, b: &JointMoments) -> f64 {
    let mut joint = *a;
    joint.combine(b);
    let (vx, vy) = (joint.x().variance(), joint.y().variance());
    if vx == 0.0 || vy == 0.0 {
        return 0.0;
    }
    joint.covariance() / vx
}

/// Welch–Satterthwaite degrees of freedom of s²_A/n_A + s²_B/n_B.
pub(crate) fn welch_df(a: &Arm, b: &Arm) -> f64 {
    let (va, vb) = (a.variance_of_mean(), b.variance_of_mean());
    let (na, nb) = (a.n as f64, b.n as f64);
    (va + vb).powi(2) / (vb * vb / (nb - 1.0) + va * va / (na - 1.0))
}

/// Variance of the relative difference by the delta method (gbstats
/// `frequentist_variance(relative=True)`), with the unadjusted means.
pub(crate) fn relative_variance(a: &Arm, b: &Arm) -> f64 {
    let (ma, mb) = (a.unadjusted_mean, b.unadjusted_mean);
    b.variance / (ma * ma * b.n as f64) + a.variance * mb * mb / (ma.powi(4) * a.n as f64)
}

/// Compare `treatment` with `control` on one metric (gbstats 0.8.0
/// frequentist engine; see the module docs for the formulas and the
/// deliberate deviations).
///
/// Errors: different metric kinds, fewer than 2 units in an arm, zero
/// variance in an arm ([`Error::ZeroVariance`], gbstats'
/// `ZERO_NEGATIVE_VARIANCE`), an invalid α.
pub fn compare(
    control: &MetricStats,
    treatment: &MetricStats,
    opts: &FrequentistOptions,
) -> Result<Comparison> {
    opts.validate()?;
    let (a, b, cuped) = arms(control, treatment)?;
    check_variance(&a, &b)?;
    let df = welch_df(&a, &b);
    let absolute = Effect::t_test(
        b.mean - a.mean,
        a.variance_of_mean() + b.variance_of_mean(),
        df,
        opts.alpha,
        opts.alternative,
    );
    let relative = (a.unadjusted_mean != 0.0 && a.mean != 0.0).then(|| {
        Effect::t_test(
            (b.mean - a.mean) / a.unadjusted_mean.abs(),
            relative_variance(&a, &b),
            df,
            opts.alpha,
            opts.alternative,
        )
    });
    Ok(Comparison {
        kind: control.kind(),
        control: a,
        treatment: b,
        absolute,
        relative,
        df,
        alternative: opts.alternative,
        alpha: opts.alpha,
        cuped,
    })
}

/// gbstats' `_has_zero_variance`: an arm with variance ≤ 0 cannot be tested.
pub(crate) fn check_variance(a: &Arm, b: &Arm) -> Result<()> {
    for (what, arm) in [("control", a), ("treatment", b)] {
        if arm.variance <= 0.0 {
            return Err(Error::ZeroVariance {
                what: what.to_string(),
                method: "the A/B comparison".to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NanPolicy;
    use proptest::prelude::*;

    proptest! {
        /// The analysis from raw columns equals the analysis from the same
        /// sums handed over as numbers (integer-valued data keep every sum
        /// exact, so the results must be identical).
        #[test]
        fn raw_columns_and_sufficient_statistics_give_the_same_analysis(
            rows in prop::collection::vec((-50i32..50, -50i32..50, 0u32..2), 8..300)
        ) {
            let y: Vec<f64> = rows.iter().map(|r| f64::from(r.0)).collect();
            let x: Vec<f64> = rows.iter().map(|r| f64::from(r.1)).collect();
            let g: Vec<u32> = rows.iter().map(|r| r.2).collect();
            let raw = JointMoments::by_variant(&y, &x, &g, 2, NanPolicy::Raise).unwrap();
            let mut sums = [JointMoments::default(); 2];
            for i in 0..y.len() {
                let s = &mut sums[g[i] as usize];
                *s = JointMoments::new(
                    s.n + 1,
                    s.sum + y[i],
                    s.sum_squares + y[i] * y[i],
                    s.sum_x + x[i],
                    s.sum_x_squares + x[i] * x[i],
                    s.sum_xy + x[i] * y[i],
                );
            }
            let o = FrequentistOptions::default();
            for wrap in [MetricStats::RegressionAdjusted, MetricStats::Ratio, |j: JointMoments| MetricStats::Mean(j.y())] {
                let from_raw = compare(&wrap(raw[0]), &wrap(raw[1]), &o);
                let from_sums = compare(&wrap(sums[0]), &wrap(sums[1]), &o);
                prop_assert_eq!(from_raw, from_sums);
            }
        }
    }
}
