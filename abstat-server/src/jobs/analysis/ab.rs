//! `POST /ab-tests/run/`: per-variant sufficient statistics from the
//! columns (abstat-core's `PowerSums::by_variant`), then the experiment
//! analysis or the Bayesian comparisons; with a `segment`, the same
//! analysis per segment (abstat-core's `analyze_segments_columns`). The
//! whole experiment's result carries the heavy-tails check of every plain
//! mean metric (core's `heavy_tails`, on the raw values); the segmented
//! result (its `overall` and every segment) leaves it `None`.

use abstat_api::{
    AbEngine, AbMetricKind, AbSegment, AbTestRequest, AbTestResult, BayesianTreatment,
};
use abstat_core::Error;
use abstat_core::ab::segments::{
    Dimension, MetricColumns, RawMetric, SegmentOptions, SegmentedResult, analyze_segments_columns,
};
use abstat_core::ab::{
    BayesianOptions, Engine, ExperimentOptions, HeavyTails, JointMoments, MetricInput, MetricStats,
    PowerSums, analyze, compare_bayesian, heavy_tails,
};
use arrow_array::{RecordBatch, UInt32Array};

use super::columns::{ColumnRole, labels, levels, numeric};
use super::{Invalid, RunError, check_alpha};

/// gbstats' default tuning τ of the sequential engine.
const SEQUENTIAL_TUNING: f64 = 5000.0;

/// The parameters' checks; the columns and their roles.
pub(super) fn check(r: &AbTestRequest) -> Result<Vec<(String, ColumnRole)>, Invalid> {
    check_alpha(r.alpha)?;
    if r.metrics.is_empty() {
        return Err(Invalid::parameter("metrics", "[]", "at least one metric"));
    }
    if let Some(w) = &r.weights
        && (w.len() < 2 || w.iter().any(|x| !(x.is_finite() && *x > 0.0)))
    {
        return Err(Invalid::parameter(
            "weights",
            format!("{w:?}"),
            "one positive number per variant (at least two)",
        ));
    }
    let mut needs = vec![(r.variant_column.clone(), ColumnRole::Labels)];
    if let Some(s) = &r.segment {
        if r.engine == AbEngine::Bayesian {
            return Err(Invalid::parameter(
                "segment",
                "given with engine = bayesian",
                "engine frequentist or sequential: segments are analysed by those engines",
            ));
        }
        if s.top == 0 {
            return Err(Invalid::parameter(
                "segment.top",
                0,
                "at least 1 (the values with the most units kept as segments)",
            ));
        }
        needs.push((s.column.clone(), ColumnRole::Labels));
    }
    for (i, m) in r.metrics.iter().enumerate() {
        needs.push((m.column.clone(), ColumnRole::Numeric));
        match (m.kind, &m.denominator, &m.covariate) {
            (AbMetricKind::Ratio, Some(d), None) => needs.push((d.clone(), ColumnRole::Numeric)),
            (AbMetricKind::Ratio, None, _) => {
                return Err(Invalid::parameter(
                    &format!("metrics[{i}].denominator"),
                    "missing",
                    "a numeric column: a ratio metric divides column by denominator",
                ));
            }
            (AbMetricKind::Mean, None, Some(c)) => needs.push((c.clone(), ColumnRole::Numeric)),
            (_, None, None) => {}
            (_, Some(_), _) => {
                return Err(Invalid::parameter(
                    &format!("metrics[{i}].denominator"),
                    "given",
                    "no denominator: only ratio metrics have one",
                ));
            }
            (_, None, Some(_)) => {
                return Err(Invalid::parameter(
                    &format!("metrics[{i}].covariate"),
                    "given",
                    "no covariate: regression adjustment (CUPED) applies to mean metrics",
                ));
            }
        }
    }
    Ok(needs)
}

/// Rows with a variant: their variant index, and each one's row number.
struct Assignment {
    variants: Vec<String>,
    index: Vec<u32>,
    rows: Vec<usize>,
}

impl Assignment {
    fn pick(&self, values: &[f64]) -> Vec<f64> {
        self.rows.iter().map(|&i| values[i]).collect()
    }
}

fn assign(batch: &RecordBatch, column: &str) -> Result<Assignment, RunError> {
    let keys = labels(batch, column)?;
    let variants = levels(&keys);
    let mut index = Vec::with_capacity(keys.len());
    let mut rows = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if let Some(k) = k {
            index.push(variants.binary_search(k).unwrap_or_default() as u32);
            rows.push(i);
        }
    }
    Ok(Assignment {
        variants,
        index,
        rows,
    })
}

/// One metric's statistics per variant; with `tails`, also the heavy-tails
/// check of a plain mean metric (core's `heavy_tails`, on the raw values).
fn metric_stats(
    batch: &RecordBatch,
    r: &AbTestRequest,
    m: &abstat_api::AbMetric,
    a: &Assignment,
    tails: bool,
) -> Result<(Vec<MetricStats>, Vec<HeavyTails>), RunError> {
    let k = a.variants.len();
    let y = a.pick(&numeric(batch, &m.column)?);
    let mut checks = Vec::new();
    let joint = |other: &str| -> Result<Vec<JointMoments>, RunError> {
        let x = a.pick(&numeric(batch, other)?);
        Ok(JointMoments::by_variant(&y, &x, &a.index, k, r.nan_policy)?)
    };
    let stats = match (m.kind, &m.denominator, &m.covariate) {
        (AbMetricKind::Ratio, Some(d), _) => {
            joint(d)?.into_iter().map(MetricStats::Ratio).collect()
        }
        (AbMetricKind::Mean, _, Some(c)) => joint(c)?
            .into_iter()
            .map(MetricStats::RegressionAdjusted)
            .collect(),
        (AbMetricKind::Proportion, _, _) => {
            if let Some(bad) = y.iter().find(|v| !(v.is_nan() || **v == 0.0 || **v == 1.0)) {
                return Err(Error::invalid(
                    format!("values of proportion metric '{}'", m.column),
                    bad,
                    "0 or 1 (or true/false) for every unit",
                )
                .into());
            }
            PowerSums::by_variant(&y, &a.index, k, r.nan_policy)?
                .into_iter()
                .map(MetricStats::Proportion)
                .collect()
        }
        _ => {
            if tails {
                let name = m.name.as_deref().unwrap_or(&m.column);
                checks = heavy_tails(name, &y, &a.index, k, r.nan_policy)?;
            }
            PowerSums::by_variant(&y, &a.index, k, r.nan_policy)?
                .into_iter()
                .map(MetricStats::Mean)
                .collect()
        }
    };
    Ok((stats, checks))
}

/// Run the analysis.
pub(super) fn run(batch: &RecordBatch, r: &AbTestRequest) -> Result<AbTestResult, RunError> {
    let a = assign(batch, &r.variant_column)?;
    let k = a.variants.len();
    let Some(control) = a.variants.iter().position(|v| *v == r.control) else {
        return Err(Error::invalid(
            "control",
            &r.control,
            format!(
                "a value of column '{}': {}",
                r.variant_column,
                a.variants.join(", ")
            ),
        )
        .into());
    };
    if k < 2 {
        return Err(Error::TooFewObservations {
            what: format!("variants in column '{}'", r.variant_column),
            needed: 2,
            got: k,
        }
        .into());
    }
    let weights = match &r.weights {
        Some(w) if w.len() != k => {
            return Err(Error::invalid(
                "weights",
                format!("{} numbers", w.len()),
                format!("one per variant ({k}: {})", a.variants.join(", ")),
            )
            .into());
        }
        Some(w) => w.clone(),
        None => vec![1.0 / k as f64; k],
    };
    let mut units = vec![0u64; k];
    for &v in &a.index {
        units[v as usize] += 1;
    }
    // the heavy-tails check feeds the frequentist engines' result only
    let tails = r.engine != AbEngine::Bayesian;
    let mut checks = Vec::new();
    let metrics = r
        .metrics
        .iter()
        .map(|m| {
            let (variants, c) = metric_stats(batch, r, m, &a, tails)?;
            checks.extend(c);
            Ok(MetricInput {
                name: m.name.clone().unwrap_or_else(|| m.column.clone()),
                higher_is_better: m.higher_is_better,
                variants,
            })
        })
        .collect::<Result<Vec<_>, RunError>>()?;
    let mut out = AbTestResult {
        variants: a.variants.clone(),
        control: r.control.clone(),
        units: units.clone(),
        engine: r.engine,
        experiment: None,
        verdicts: None,
        bayesian: None,
        segments: None,
    };
    match r.engine {
        AbEngine::Frequentist | AbEngine::Sequential => {
            let engine = if r.engine == AbEngine::Sequential {
                Engine::Sequential {
                    tuning: SEQUENTIAL_TUNING,
                }
            } else {
                Engine::Fixed
            };
            let opts = ExperimentOptions {
                alpha: r.alpha,
                alternative: r.alternative,
                engine,
                correction: r.correction,
                control,
                ..Default::default()
            };
            let mut result = analyze(&units, &weights, &metrics, &opts)?;
            result.heavy_tails = Some(checks);
            out.verdicts = Some(result.verdicts());
            out.experiment = Some(result);
            if let Some(s) = &r.segment {
                out.segments = Some(Box::new(segmented(batch, r, s, &a, &weights, &opts)?));
            }
        }
        AbEngine::Bayesian => {
            let mut all = Vec::new();
            for m in &metrics {
                let opts = BayesianOptions {
                    alpha: r.alpha,
                    prior: None,
                    inverse: !m.higher_is_better,
                };
                for t in (0..k).filter(|&t| t != control) {
                    let res = compare_bayesian(&m.variants[control], &m.variants[t], &opts);
                    let (comparison, error) = match res {
                        Ok(c) => (Some(c), None),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    all.push(BayesianTreatment {
                        metric: m.name.clone(),
                        variant: a.variants[t].clone(),
                        comparison,
                        error,
                    });
                }
            }
            out.bayesian = Some(all);
        }
    }
    Ok(out)
}

/// The experiment per segment of `s.column`, on the rows with a variant,
/// with the same metrics, weights and options as the whole.
fn segmented(
    batch: &RecordBatch,
    r: &AbTestRequest,
    s: &AbSegment,
    a: &Assignment,
    weights: &[f64],
    opts: &ExperimentOptions,
) -> Result<SegmentedResult, RunError> {
    let rows = UInt32Array::from_iter_values(a.rows.iter().map(|&i| i as u32));
    let column = batch
        .column_by_name(&s.column)
        .ok_or_else(|| Error::invalid("segment.column", &s.column, "a column of the dataset"))?;
    let column = arrow_select::take::take(column.as_ref(), &rows, None)
        .map_err(|e| Error::invalid("segment.column", &s.column, e.to_string()))?;
    let dimension = Dimension::from_arrow(column.as_ref(), &s.column)?;
    // every metric's picked columns, owned here and lent to core below
    let picked: Vec<(Vec<f64>, Option<Vec<f64>>)> = r
        .metrics
        .iter()
        .map(|m| {
            let y = a.pick(&numeric(batch, &m.column)?);
            let x = match (&m.denominator, &m.covariate) {
                (Some(other), _) | (None, Some(other)) => Some(a.pick(&numeric(batch, other)?)),
                (None, None) => None,
            };
            Ok((y, x))
        })
        .collect::<Result<_, RunError>>()?;
    let names: Vec<String> = r
        .metrics
        .iter()
        .map(|m| m.name.clone().unwrap_or_else(|| m.column.clone()))
        .collect();
    let metrics: Vec<RawMetric<'_>> = r
        .metrics
        .iter()
        .zip(&picked)
        .zip(&names)
        .map(|((m, (y, x)), name)| RawMetric {
            name,
            higher_is_better: m.higher_is_better,
            columns: match (m.kind, x) {
                (AbMetricKind::Ratio, Some(d)) => MetricColumns::Ratio {
                    numerator: y,
                    denominator: d,
                },
                (AbMetricKind::Mean, Some(c)) => MetricColumns::RegressionAdjusted {
                    metric: y,
                    covariate: c,
                },
                (AbMetricKind::Proportion, _) => MetricColumns::Proportion(y),
                _ => MetricColumns::Mean(y),
            },
        })
        .collect();
    let options = SegmentOptions {
        top: s.top,
        min_segment_units: s.min_units,
    };
    Ok(analyze_segments_columns(
        &dimension,
        &a.index,
        &metrics,
        weights,
        r.nan_policy,
        opts,
        &options,
    )?)
}
