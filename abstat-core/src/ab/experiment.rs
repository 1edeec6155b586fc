//! A/B/n experiment analysis: every treatment against one control on every
//! metric, one SRM check, a multiple-comparison correction across
//! treatments × metrics, power and MDE per comparison, and a [`Verdict`].

use serde::{Deserialize, Serialize};

use super::frequentist::{Comparison, FrequentistOptions, MetricStats, check_alpha, compare};
use super::heavy_tails::HeavyTails;
use super::power::Power;
use super::sequential::{SequentialOptions, compare_sequential};
use super::srm::{DEFAULT_SRM_THRESHOLD, Srm, srm};
use crate::multitest::{Correction, multipletests};
use crate::{Alternative, ConfidenceInterval, Error, Result};

/// Which frequentist engine compares each treatment with the control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "snake_case")]
pub enum Engine {
    /// Fixed-horizon Welch t-test ([`compare`]).
    #[default]
    Fixed,
    /// Asymptotic confidence sequences ([`compare_sequential`]), two-sided.
    Sequential {
        /// Tuning parameter τ (gbstats' default 5000).
        tuning: f64,
    },
}

/// Options of [`analyze`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExperimentOptions {
    /// Significance level α of every comparison (before correction).
    pub alpha: f64,
    /// The alternative of the fixed-horizon engine (sequential is two-sided).
    pub alternative: Alternative,
    /// The engine.
    pub engine: Engine,
    /// Correction across all treatment × metric comparisons; `None` adjusts
    /// nothing (GrowthBook's default). Bonferroni also widens the intervals
    /// (level 1 − α/m); the other methods adjust p-values only.
    pub correction: Option<Correction>,
    /// Index of the control variant (default 0).
    pub control: usize,
    /// SRM p-value threshold (GrowthBook's default 0.001).
    pub srm_threshold: f64,
    /// Power the MDE is computed for (default 0.8).
    pub target_power: f64,
    /// Fewer units than this in the control or a treatment gives
    /// [`Verdict::NotEnoughData`] (default 2, what the test needs).
    pub min_units: u64,
}

impl Default for ExperimentOptions {
    fn default() -> Self {
        ExperimentOptions {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
            engine: Engine::Fixed,
            correction: None,
            control: 0,
            srm_threshold: DEFAULT_SRM_THRESHOLD,
            target_power: 0.8,
            min_units: 2,
        }
    }
}

/// One metric of an experiment: its statistics in every variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricInput {
    /// The metric's name.
    pub name: String,
    /// `false` when lower is better (e.g. latency, churn).
    pub higher_is_better: bool,
    /// Statistics per variant, in variant order (same length as the units).
    pub variants: Vec<MetricStats>,
}

/// The decision for one treatment on one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Significant after correction, in the metric's good direction.
    SignificantWin,
    /// Significant after correction, in the metric's bad direction.
    SignificantLoss,
    /// Not significant after correction.
    Inconclusive,
    /// Too few units, or the comparison is undefined (zero variance, or NaN
    /// from missing values).
    NotEnoughData,
    /// The traffic split does not match the configuration: don't trust any
    /// result of this experiment until the assignment is fixed.
    SampleRatioMismatch,
}

/// One treatment against the control on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreatmentResult {
    /// Index of the treatment variant.
    pub variant: usize,
    /// The comparison, unless the data could not support one.
    pub comparison: Option<Comparison>,
    /// Why there is no comparison (the error's message).
    pub error: Option<String>,
    /// p-value of the absolute difference after the correction (NaN without
    /// a comparison).
    pub adjusted_p_value: f64,
    /// p-value of the relative difference after the correction.
    pub adjusted_relative_p_value: f64,
    /// Bonferroni-adjusted interval for the absolute difference (level
    /// 1 − α/m); `None` for other corrections.
    pub adjusted_ci: Option<ConfidenceInterval>,
    /// Bonferroni-adjusted interval for the relative difference.
    pub adjusted_relative_ci: Option<ConfidenceInterval>,
    /// Achieved power and MDE at the current sample size.
    pub power: Option<Power>,
}

/// One metric's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    /// The metric's name.
    pub name: String,
    /// `false` when lower is better.
    pub higher_is_better: bool,
    /// One entry per treatment, in variant order.
    pub treatments: Vec<TreatmentResult>,
}

/// The analysis of an A/B/n experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentResult {
    /// The options the analysis ran with.
    pub options: ExperimentOptions,
    /// The sample ratio mismatch check.
    pub srm: Srm,
    /// Number of comparisons the correction counted (m).
    pub comparisons: usize,
    /// Results per metric, in input order.
    pub metrics: Vec<MetricResult>,
    /// The heavy-tails check ([`super::heavy_tails`]) of every mean metric
    /// in every variant, when the caller had the raw values and ran it;
    /// `None` when it was not run: [`analyze`] works on sufficient
    /// statistics, which cannot tell the skewness, and leaves it `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heavy_tails: Option<Vec<HeavyTails>>,
}

impl ExperimentResult {
    /// The verdict for treatment `treatment` (index into
    /// [`MetricResult::treatments`]) on metric `metric`, at the analysis' α
    /// after correction; `None` for indices out of range.
    pub fn verdict(&self, metric: usize, treatment: usize) -> Option<Verdict> {
        let m = self.metrics.get(metric)?;
        let t = m.treatments.get(treatment)?;
        if self.srm.is_mismatch() {
            return Some(Verdict::SampleRatioMismatch);
        }
        // no comparison, or NaN from missing values propagated into the sums
        let Some(c) = t
            .comparison
            .as_ref()
            .filter(|c| !c.absolute.p_value.is_nan())
        else {
            return Some(Verdict::NotEnoughData);
        };
        // a NaN p-value is never significant
        let significant = t.adjusted_p_value <= self.options.alpha;
        if !significant {
            return Some(Verdict::Inconclusive);
        }
        let up = c.absolute.estimate > 0.0;
        Some(if up == m.higher_is_better {
            Verdict::SignificantWin
        } else {
            Verdict::SignificantLoss
        })
    }

    /// The heavy-tails checks that flag a variant (n < 355·g1²), empty
    /// when the check found none or was not run.
    pub fn heavy_tail_warnings(&self) -> impl Iterator<Item = &HeavyTails> {
        self.heavy_tails.iter().flatten().filter(|t| t.is_heavy())
    }

    /// Verdicts of every metric (outer) and treatment (inner).
    pub fn verdicts(&self) -> Vec<Vec<Verdict>> {
        (0..self.metrics.len())
            .map(|m| {
                (0..self.metrics[m].treatments.len())
                    .filter_map(|t| self.verdict(m, t))
                    .collect()
            })
            .collect()
    }
}

/// Analyse an experiment: `units` per variant (for the SRM check) with the
/// configured split `weights`, and every metric's statistics per variant.
///
/// A comparison the data cannot support (too few units, zero variance) is
/// kept as [`Verdict::NotEnoughData`] with its reason, and does not count in
/// the correction; invalid options or inputs of the wrong shape are errors.
pub fn analyze(
    units: &[u64],
    weights: &[f64],
    metrics: &[MetricInput],
    opts: &ExperimentOptions,
) -> Result<ExperimentResult> {
    let mut r = analyze_uncorrected(units, weights, metrics, opts)?;
    correct_family(&mut [(&mut r, metrics)], opts)?;
    Ok(r)
}

/// Check the options: α, the control index among `variants`, the target power.
pub(crate) fn check_options(variants: usize, opts: &ExperimentOptions) -> Result<()> {
    check_alpha(opts.alpha)?;
    if opts.control >= variants {
        return Err(Error::invalid(
            "control",
            opts.control,
            format!("a variant index below {variants}"),
        ));
    }
    if !(opts.target_power > 0.0 && opts.target_power < 1.0) {
        return Err(Error::invalid(
            "target power",
            opts.target_power,
            "a number in (0, 1)",
        ));
    }
    Ok(())
}

/// One comparison with the configured engine at level `alpha`.
fn run(
    opts: &ExperimentOptions,
    alpha: f64,
    a: &MetricStats,
    b: &MetricStats,
) -> Result<Comparison> {
    match opts.engine {
        Engine::Fixed => compare(
            a,
            b,
            &FrequentistOptions {
                alpha,
                alternative: opts.alternative,
            },
        ),
        Engine::Sequential { tuning } => {
            compare_sequential(a, b, &SequentialOptions { alpha, tuning })
        }
    }
}

/// Every comparison of the experiment, with the adjusted fields left NaN /
/// `None` and `comparisons` 0: [`correct_family`] fills them.
pub(crate) fn analyze_uncorrected(
    units: &[u64],
    weights: &[f64],
    metrics: &[MetricInput],
    opts: &ExperimentOptions,
) -> Result<ExperimentResult> {
    check_options(units.len(), opts)?;
    let srm = srm(units, weights, opts.srm_threshold)?;
    for m in metrics {
        if m.variants.len() != units.len() {
            return Err(Error::LengthMismatch {
                left: "units per variant".into(),
                left_len: units.len(),
                right: format!("variants of metric '{}'", m.name),
                right_len: m.variants.len(),
            });
        }
    }
    let treatments: Vec<usize> = (0..units.len()).filter(|&v| v != opts.control).collect();
    let results: Vec<MetricResult> = metrics
        .iter()
        .map(|m| {
            let control = &m.variants[opts.control];
            let treatments = treatments
                .iter()
                .map(|&v| {
                    let treatment = &m.variants[v];
                    let outcome = if control.n().min(treatment.n()) < opts.min_units {
                        Err(Error::TooFewObservations {
                            what: format!("metric '{}', control or variant {v}", m.name),
                            needed: opts.min_units as usize,
                            got: control.n().min(treatment.n()) as usize,
                        })
                    } else {
                        run(opts, opts.alpha, control, treatment)
                    };
                    let (comparison, error) = match outcome {
                        Ok(c) => (Some(c), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    let power = comparison
                        .as_ref()
                        .and_then(|c| c.power(opts.target_power).ok());
                    TreatmentResult {
                        variant: v,
                        comparison,
                        error,
                        adjusted_p_value: f64::NAN,
                        adjusted_relative_p_value: f64::NAN,
                        adjusted_ci: None,
                        adjusted_relative_ci: None,
                        power,
                    }
                })
                .collect();
            MetricResult {
                name: m.name.clone(),
                higher_is_better: m.higher_is_better,
                treatments,
            }
        })
        .collect();
    Ok(ExperimentResult {
        options: *opts,
        srm,
        comparisons: 0,
        metrics: results,
        heavy_tails: None,
    })
}

/// Apply `opts.correction` to one family: every treatment × metric
/// comparison that exists in all of `parts` (each an uncorrected result and
/// the metrics it was computed from). Sets the adjusted p-values, the
/// Bonferroni intervals (level 1 − α/m) and `comparisons` = m of every
/// part; returns m.
pub(crate) fn correct_family(
    parts: &mut [(&mut ExperimentResult, &[MetricInput])],
    opts: &ExperimentOptions,
) -> Result<usize> {
    let cells = |parts: &[(&mut ExperimentResult, &[MetricInput])]| -> Vec<(f64, f64, bool)> {
        parts
            .iter()
            .flat_map(|(r, _)| r.metrics.iter().flat_map(|m| m.treatments.iter()))
            .map(|t| match &t.comparison {
                Some(c) => (
                    c.absolute.p_value,
                    c.relative.as_ref().map_or(f64::NAN, |r| r.p_value),
                    true,
                ),
                None => (f64::NAN, f64::NAN, false),
            })
            .collect()
    };
    let all = cells(parts);
    let p_abs = adjust(
        &all.iter().map(|c| c.0).collect::<Vec<_>>(),
        opts.correction,
    )?;
    let p_rel = adjust(
        &all.iter().map(|c| c.1).collect::<Vec<_>>(),
        opts.correction,
    )?;
    let m = all.iter().filter(|c| c.2).count();
    let mut k = 0;
    for (r, metrics) in parts.iter_mut() {
        r.comparisons = m;
        for (mi, metric) in r.metrics.iter_mut().enumerate() {
            for t in metric.treatments.iter_mut() {
                t.adjusted_p_value = p_abs[k];
                t.adjusted_relative_p_value = p_rel[k];
                k += 1;
                if opts.correction == Some(Correction::Bonferroni) && t.comparison.is_some() {
                    let (a, b) = (
                        &metrics[mi].variants[opts.control],
                        &metrics[mi].variants[t.variant],
                    );
                    let c = run(opts, opts.alpha / m as f64, a, b)?;
                    t.adjusted_ci = Some(c.absolute.ci);
                    t.adjusted_relative_ci = c.relative.map(|r| r.ci);
                }
            }
        }
    }
    Ok(m)
}

/// Adjusted p-values across the family (statsmodels `multipletests`); NaN
/// marks a comparison the data could not support and is left out of m.
fn adjust(p: &[f64], method: Option<Correction>) -> Result<Vec<f64>> {
    match method {
        None => Ok(p.to_vec()),
        Some(m) => Ok(multipletests(p, m)?.p_adjusted),
    }
}
