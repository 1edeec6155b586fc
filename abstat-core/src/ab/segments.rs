//! Segments: the experiment analysed separately for each value of a
//! dimension column (country, platform, new vs returning, …), with the same
//! metrics and engine as the whole experiment.
//!
//! Which segments:
//! - the `top` values with the most units (ties: by name) are segments of
//!   their own, unless they have fewer than `min_segment_units` units;
//! - every other value is merged into one segment named [`OTHER`], which
//!   lists the values it holds: no value is silently dropped;
//! - rows without a value (null, NaN, an empty or blank string) form the
//!   segment [`MISSING`]; it is never merged with real values and does not
//!   count among the `top`.
//!
//! Segments come in that order: the kept values by units, then "other",
//! then "(missing)".
//!
//! Each segment gets its own SRM check and its own comparisons; the
//! multiple-comparison correction runs over one family, every segment ×
//! treatment × metric comparison that exists ([`CorrectionFamily`]), so a
//! segment's win is as trustworthy as the correction says (Bonferroni also
//! widens each interval to level 1 − α/m). The whole experiment
//! ([`SegmentedResult::overall`]) is analysed as [`super::analyze`] does,
//! with its own family of treatments × metrics.
//!
//! Two entry points give identical results: [`analyze_segments`] from the
//! sufficient statistics of each value (a `GROUP BY dimension, variant`),
//! and [`analyze_segments_columns`] from raw columns. Statistics of merged
//! values are added up ([`PowerSums::combine`]); quantile metrics do not
//! merge, so they need the raw columns whenever a segment or the whole
//! holds more than one value.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, StringArray};
use arrow_schema::DataType;
use serde::{Deserialize, Serialize};

use super::experiment::{
    ExperimentOptions, ExperimentResult, MetricInput, Verdict, analyze, analyze_uncorrected,
    check_options, correct_family,
};
use super::frequentist::MetricStats;
use super::quantile::QuantileStats;
use super::stats::{JointMoments, PowerSums, check_lengths};
use crate::multitest::Correction;
use crate::{Error, NanPolicy, Result};

/// Name of the segment that merges the values outside the top ones.
pub const OTHER: &str = "other";
/// Name of the segment of rows without a value of the dimension.
pub const MISSING: &str = "(missing)";

/// How the values of the dimension become segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentOptions {
    /// The number K of values with the most units that become segments of
    /// their own (default 10, at least 1).
    pub top: usize,
    /// A value with fewer units than this joins "other" even when it is
    /// among the top K (default 0: no minimum).
    pub min_segment_units: u64,
}

impl Default for SegmentOptions {
    fn default() -> Self {
        SegmentOptions {
            top: 10,
            min_segment_units: 0,
        }
    }
}

impl SegmentOptions {
    fn validate(&self) -> Result<()> {
        if self.top == 0 {
            return Err(Error::invalid(
                "top segments",
                0,
                "at least 1 (the values with the most units kept as segments)",
            ));
        }
        Ok(())
    }
}

/// What a segment holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    /// One value of the dimension.
    Value,
    /// The values merged into [`OTHER`].
    Other,
    /// Rows without a value ([`MISSING`]).
    Missing,
}

/// The sufficient statistics of one value of the dimension, as
/// `GROUP BY dimension, variant` returns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentStats {
    /// The value; `None` (or an empty or blank string) for rows without one.
    pub value: Option<String>,
    /// Units per variant (for the SRM check).
    pub units: Vec<u64>,
    /// Every metric's statistics per variant, the same metrics in the same
    /// order for every value.
    pub metrics: Vec<MetricInput>,
}

/// The analysis of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentResult {
    /// The value, [`OTHER`] or [`MISSING`].
    pub name: String,
    /// What the segment holds.
    pub kind: SegmentKind,
    /// The values of the dimension in the segment: one for
    /// [`SegmentKind::Value`], every merged value (most units first) for
    /// [`SegmentKind::Other`], none for [`SegmentKind::Missing`].
    pub values: Vec<String>,
    /// Units per variant.
    pub units: Vec<u64>,
    /// What a reader should know about this segment (a variant without
    /// units, a broken split, why values were merged), in plain words.
    pub notes: Vec<String>,
    /// The segment's SRM check and comparisons; the adjusted p-values and
    /// intervals are those of the shared family, and `comparisons` is its m.
    pub analysis: ExperimentResult,
}

/// The family the multiple-comparison correction ran over: every segment ×
/// treatment × metric comparison the data supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionFamily {
    /// The correction (`None`: p-values left as they are).
    pub correction: Option<Correction>,
    /// Number of segments.
    pub segments: usize,
    /// Number of treatments (variants other than the control).
    pub treatments: usize,
    /// Number of metrics.
    pub metrics: usize,
    /// m: the comparisons counted, at most segments × treatments × metrics
    /// (a comparison the data cannot support is left out).
    pub comparisons: usize,
}

/// An experiment analysed per segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentedResult {
    /// How the segments were formed.
    pub options: SegmentOptions,
    /// The whole experiment, as [`super::analyze`] (its own correction over
    /// treatments × metrics).
    pub overall: ExperimentResult,
    /// The family the segments' correction ran over.
    pub family: CorrectionFamily,
    /// The segments: kept values by units, then "other", then "(missing)".
    pub segments: Vec<SegmentResult>,
}

impl SegmentedResult {
    /// The verdict of `treatment` on `metric` in segment `segment` (indices
    /// as in [`ExperimentResult::verdict`]); a segment whose own split is
    /// broken gives [`Verdict::SampleRatioMismatch`]. `None` out of range.
    pub fn verdict(&self, segment: usize, metric: usize, treatment: usize) -> Option<Verdict> {
        self.segments
            .get(segment)?
            .analysis
            .verdict(metric, treatment)
    }

    /// The segment named `name` of the given kind.
    pub fn segment(&self, name: &str, kind: SegmentKind) -> Option<&SegmentResult> {
        self.segments
            .iter()
            .find(|s| s.name == name && s.kind == kind)
    }
}

/// Analyse an experiment per segment from the sufficient statistics of
/// every value of the dimension (see the module docs for how segments are
/// formed and corrected).
///
/// Errors: no values; units or metrics of a value that do not match the
/// weights or the first value's metrics; a value given twice or without
/// units; a quantile metric that would have to be merged; invalid options.
pub fn analyze_segments(
    values: &[SegmentStats],
    weights: &[f64],
    opts: &ExperimentOptions,
    segments: &SegmentOptions,
) -> Result<SegmentedResult> {
    segments.validate()?;
    check_options(weights.len(), opts)?;
    let Some(first) = values.first() else {
        return Err(Error::TooFewObservations {
            what: "values of the dimension".into(),
            needed: 1,
            got: 0,
        });
    };
    for v in values {
        let name = label(v.value.as_deref());
        check_lengths(
            ("weights", weights.len()),
            (&format!("units of segment value {name}"), v.units.len()),
        )?;
        let same = v.metrics.len() == first.metrics.len()
            && v.metrics
                .iter()
                .zip(&first.metrics)
                .all(|(a, b)| a.name == b.name && a.higher_is_better == b.higher_is_better);
        if !same {
            return Err(Error::invalid(
                format!("metrics of segment value {name}"),
                names(&v.metrics),
                format!("the metrics of the first value: {}", names(&first.metrics)),
            ));
        }
        if v.units.iter().sum::<u64>() == 0 {
            return Err(Error::invalid(
                format!("units of segment value {name}"),
                format!("{:?}", v.units),
                "at least one unit (leave out values without units)",
            ));
        }
    }
    let plan = plan(
        &values
            .iter()
            .map(|v| (v.value.as_deref(), v.units.iter().sum()))
            .collect::<Vec<_>>(),
        segments,
    )?;
    let merge = |members: &[usize], what: &str| -> Result<(Vec<u64>, Vec<MetricInput>)> {
        let mut units = vec![0; weights.len()];
        for &i in members {
            units
                .iter_mut()
                .zip(&values[i].units)
                .for_each(|(u, x)| *u += x);
        }
        let metrics = first
            .metrics
            .iter()
            .enumerate()
            .map(|(mi, m)| {
                let variants = (0..weights.len())
                    .map(|v| {
                        let parts: Vec<&MetricStats> = members
                            .iter()
                            .map(|&i| {
                                values[i].metrics[mi].variants.get(v).ok_or_else(|| {
                                    Error::LengthMismatch {
                                        left: "weights".into(),
                                        left_len: weights.len(),
                                        right: format!(
                                            "variants of metric '{}' in segment value {}",
                                            m.name,
                                            label(values[i].value.as_deref())
                                        ),
                                        right_len: values[i].metrics[mi].variants.len(),
                                    }
                                })
                            })
                            .collect::<Result<_>>()?;
                        merge_stats(&parts, &m.name, what)
                    })
                    .collect::<Result<_>>()?;
                Ok(MetricInput {
                    name: m.name.clone(),
                    higher_is_better: m.higher_is_better,
                    variants,
                })
            })
            .collect::<Result<_>>()?;
        Ok((units, metrics))
    };
    let all: Vec<usize> = (0..values.len()).collect();
    let overall = merge(&all, "the whole experiment")?;
    let per_segment = plan
        .segments
        .iter()
        .map(|s| merge(&s.members, &format!("segment '{}'", s.name)))
        .collect::<Result<Vec<_>>>()?;
    finish(plan, per_segment, overall, weights, opts, segments)
}

/// A dimension column as codes: `codes[i]` indexes [`Dimension::labels`],
/// or is [`Dimension::MISSING`] for a row without a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    labels: Vec<String>,
    codes: Vec<u32>,
}

impl Dimension {
    /// The code of a row without a value.
    pub const MISSING: u32 = u32::MAX;

    /// The distinct values, in order of first appearance.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// One code per row.
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// From labels, one per row; `None`, empty and blank strings are missing.
    pub fn from_labels<S: AsRef<str>>(rows: &[Option<S>]) -> Dimension {
        Self::intern(rows.iter().map(|r| r.as_ref().map(AsRef::as_ref)))
    }

    /// From an Arrow column of strings (also dictionary-encoded), integers,
    /// booleans or floats; nulls, NaN and empty or blank strings are
    /// missing. Numbers are named as Arrow formats them (`3`, `2.5`, `3.0`
    /// for a float 3). `what` names the column in errors.
    pub fn from_arrow(array: &dyn Array, what: &str) -> Result<Dimension> {
        let nan: Option<Vec<bool>> = match array.data_type() {
            DataType::Float64 => Some(
                array
                    .as_primitive::<Float64Type>()
                    .values()
                    .iter()
                    .map(|v| v.is_nan())
                    .collect(),
            ),
            DataType::Float32 => Some(
                array
                    .as_primitive::<Float32Type>()
                    .values()
                    .iter()
                    .map(|v| v.is_nan())
                    .collect(),
            ),
            _ => None,
        };
        let strings =
            arrow_cast::cast(array, &DataType::Utf8).map_err(|e| Error::UnsupportedType {
                what: what.to_string(),
                data_type: format!("{} ({e})", array.data_type()),
                expected: "a string, integer, boolean or float column".to_string(),
            })?;
        let strings: &StringArray = strings.as_string::<i32>();
        Ok(Self::intern(strings.iter().enumerate().map(|(i, s)| {
            s.filter(|_| !nan.as_ref().is_some_and(|n| n[i]))
        })))
    }

    fn intern<'a>(rows: impl Iterator<Item = Option<&'a str>>) -> Dimension {
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        let mut labels = Vec::new();
        let codes = rows
            .map(|r| match r.filter(|s| !is_blank(s)) {
                None => Dimension::MISSING,
                Some(s) => *index.entry(s).or_insert_with(|| {
                    labels.push(s.to_string());
                    labels.len() as u32 - 1
                }),
            })
            .collect();
        Dimension { labels, codes }
    }
}

/// One metric as raw columns, one value per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MetricColumns<'a> {
    /// A mean metric ([`MetricStats::Mean`]).
    Mean(&'a [f64]),
    /// A conversion: 0 or 1 per unit ([`MetricStats::Proportion`]).
    Proportion(&'a [f64]),
    /// A ratio Σ numerator / Σ denominator ([`MetricStats::Ratio`]).
    Ratio {
        /// The numerator per unit.
        numerator: &'a [f64],
        /// The denominator per unit.
        denominator: &'a [f64],
    },
    /// A mean metric adjusted by a pre-period covariate (CUPED,
    /// [`MetricStats::RegressionAdjusted`]).
    RegressionAdjusted {
        /// The metric per unit.
        metric: &'a [f64],
        /// Its pre-period covariate per unit.
        covariate: &'a [f64],
    },
    /// The quantile at level `nu` ([`MetricStats::Quantile`]).
    Quantile {
        /// The metric per unit.
        values: &'a [f64],
        /// The quantile level in (0, 1).
        nu: f64,
    },
}

/// One metric of [`analyze_segments_columns`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawMetric<'a> {
    /// The metric's name.
    pub name: &'a str,
    /// `false` when lower is better.
    pub higher_is_better: bool,
    /// Its columns.
    pub columns: MetricColumns<'a>,
}

/// Analyse an experiment per segment from raw columns: the `dimension`, the
/// `variant` index of every row (`< weights.len()`) and the metrics' columns
/// (all of the same length). Units are rows; missing metric values follow
/// `nan_policy` as in [`PowerSums::by_variant`]. Gives the result of
/// [`analyze_segments`] on the same data.
pub fn analyze_segments_columns(
    dimension: &Dimension,
    variant: &[u32],
    metrics: &[RawMetric<'_>],
    weights: &[f64],
    nan_policy: NanPolicy,
    opts: &ExperimentOptions,
    segments: &SegmentOptions,
) -> Result<SegmentedResult> {
    segments.validate()?;
    check_options(weights.len(), opts)?;
    let k = weights.len();
    check_lengths(
        ("dimension", dimension.codes.len()),
        ("variant", variant.len()),
    )?;
    // rows per value (the last slot: missing) and variant
    let slots = dimension.labels.len() + 1;
    let mut counts = vec![0u64; slots * k];
    for (&c, &v) in dimension.codes.iter().zip(variant) {
        if v as usize >= k {
            return Err(Error::invalid(
                "variant index",
                v,
                format!("below the {k} variants (one weight each)"),
            ));
        }
        counts[slot(c, slots) * k + v as usize] += 1;
    }
    let units_of = |s: usize| -> u64 { counts[s * k..(s + 1) * k].iter().sum() };
    let mut entries: Vec<(Option<&str>, u64)> = dimension
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| (Some(l.as_str()), units_of(i)))
        .collect();
    if units_of(slots - 1) > 0 {
        entries.push((None, units_of(slots - 1)));
    }
    if entries.is_empty() {
        return Err(Error::TooFewObservations {
            what: "rows of the experiment".into(),
            needed: 1,
            got: 0,
        });
    }
    let plan = plan(&entries, segments)?;
    let mut segment_of = vec![0u32; slots];
    for (si, s) in plan.segments.iter().enumerate() {
        for &e in &s.members {
            // entry e is label e, or the missing slot when past the labels
            let slot = if e < dimension.labels.len() {
                e
            } else {
                slots - 1
            };
            segment_of[slot] = si as u32;
        }
    }
    let n_seg = plan.segments.len();
    let cell: Vec<u32> = dimension
        .codes
        .iter()
        .zip(variant)
        .map(|(&c, &v)| segment_of[slot(c, slots)] * k as u32 + v)
        .collect();
    let mut per_segment: Vec<(Vec<u64>, Vec<MetricInput>)> = plan
        .segments
        .iter()
        .map(|s| {
            let mut units = vec![0; k];
            for &e in &s.members {
                let slot = if e < dimension.labels.len() {
                    e
                } else {
                    slots - 1
                };
                units
                    .iter_mut()
                    .zip(&counts[slot * k..(slot + 1) * k])
                    .for_each(|(u, c)| *u += c);
            }
            (units, Vec::with_capacity(metrics.len()))
        })
        .collect();
    let mut overall_metrics = Vec::with_capacity(metrics.len());
    for m in metrics {
        let by_cell = stats_of_columns(m, &cell, n_seg * k, nan_policy)?;
        for (s, chunk) in per_segment.iter_mut().zip(by_cell.chunks(k)) {
            s.1.push(MetricInput {
                name: m.name.to_string(),
                higher_is_better: m.higher_is_better,
                variants: chunk.to_vec(),
            });
        }
        overall_metrics.push(MetricInput {
            name: m.name.to_string(),
            higher_is_better: m.higher_is_better,
            variants: stats_of_columns(m, variant, k, nan_policy)?,
        });
    }
    let overall_units = (0..k)
        .map(|v| (0..slots).map(|s| counts[s * k + v]).sum())
        .collect();
    finish(
        plan,
        per_segment,
        (overall_units, overall_metrics),
        weights,
        opts,
        segments,
    )
}

/// The slot of a dimension code among `slots` (the last one: missing).
fn slot(code: u32, slots: usize) -> usize {
    if code == Dimension::MISSING {
        slots - 1
    } else {
        code as usize
    }
}

/// One metric's statistics per group (`group[i] < groups`).
fn stats_of_columns(
    m: &RawMetric<'_>,
    group: &[u32],
    groups: usize,
    nan_policy: NanPolicy,
) -> Result<Vec<MetricStats>> {
    let what = |c: &str| format!("column '{c}' of metric '{}'", m.name);
    let single = |y: &[f64]| -> Result<Vec<PowerSums>> {
        check_lengths((&what("values"), y.len()), ("variant", group.len()))?;
        PowerSums::by_variant(y, group, groups, nan_policy)
    };
    let joint = |y: &[f64], x: &[f64], names: (&str, &str)| -> Result<Vec<JointMoments>> {
        check_lengths((&what(names.0), y.len()), ("variant", group.len()))?;
        check_lengths((&what(names.1), x.len()), ("variant", group.len()))?;
        JointMoments::by_variant(y, x, group, groups, nan_policy)
    };
    Ok(match m.columns {
        MetricColumns::Mean(y) => single(y)?.into_iter().map(MetricStats::Mean).collect(),
        MetricColumns::Proportion(y) => {
            if let Some(bad) = y.iter().find(|v| !(v.is_nan() || **v == 0.0 || **v == 1.0)) {
                return Err(Error::invalid(
                    format!("values of proportion metric '{}'", m.name),
                    bad,
                    "0 or 1 for every unit",
                ));
            }
            single(y)?
                .into_iter()
                .map(MetricStats::Proportion)
                .collect()
        }
        MetricColumns::Ratio {
            numerator,
            denominator,
        } => joint(numerator, denominator, ("numerator", "denominator"))?
            .into_iter()
            .map(MetricStats::Ratio)
            .collect(),
        MetricColumns::RegressionAdjusted { metric, covariate } => {
            joint(metric, covariate, ("metric", "covariate"))?
                .into_iter()
                .map(MetricStats::RegressionAdjusted)
                .collect()
        }
        MetricColumns::Quantile { values, nu } => {
            check_lengths((&what("values"), values.len()), ("variant", group.len()))?;
            QuantileStats::by_variant(values, group, groups, nu, nan_policy)?
                .into_iter()
                .map(MetricStats::Quantile)
                .collect()
        }
    })
}

/// A segment before analysis: its name, kind, and the entries (indices into
/// the values given to [`plan`]) it holds.
struct Planned {
    name: String,
    kind: SegmentKind,
    members: Vec<usize>,
    values: Vec<String>,
}

struct Plan {
    segments: Vec<Planned>,
}

fn is_blank(s: &str) -> bool {
    s.trim().is_empty()
}

fn label(value: Option<&str>) -> String {
    match value.filter(|s| !is_blank(s)) {
        Some(s) => format!("'{s}'"),
        None => MISSING.to_string(),
    }
}

fn names(metrics: &[MetricInput]) -> String {
    let n: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
    format!("[{}]", n.join(", "))
}

/// Form the segments from each value's units (see the module docs).
fn plan(entries: &[(Option<&str>, u64)], opts: &SegmentOptions) -> Result<Plan> {
    let mut real: Vec<usize> = Vec::new();
    let mut missing: Vec<usize> = Vec::new();
    for (i, (v, _)) in entries.iter().enumerate() {
        match v.filter(|s| !is_blank(s)) {
            Some(_) => real.push(i),
            None => missing.push(i),
        }
    }
    let name = |i: usize| entries[i].0.unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    if let Some(&i) = real.iter().find(|&&i| !seen.insert(name(i))) {
        return Err(Error::invalid(
            "segment values",
            format!("'{}' twice", name(i)),
            "each value of the dimension once",
        ));
    }
    real.sort_by(|&a, &b| entries[b].1.cmp(&entries[a].1).then(name(a).cmp(name(b))));
    let mut segments = Vec::new();
    let mut other = Vec::new();
    for (rank, &i) in real.iter().enumerate() {
        if rank < opts.top && entries[i].1 >= opts.min_segment_units {
            segments.push(Planned {
                name: name(i).to_string(),
                kind: SegmentKind::Value,
                members: vec![i],
                values: vec![name(i).to_string()],
            });
        } else {
            other.push(i);
        }
    }
    if !other.is_empty() {
        segments.push(Planned {
            name: OTHER.to_string(),
            kind: SegmentKind::Other,
            values: other.iter().map(|&i| name(i).to_string()).collect(),
            members: other,
        });
    }
    if !missing.is_empty() {
        segments.push(Planned {
            name: MISSING.to_string(),
            kind: SegmentKind::Missing,
            members: missing,
            values: Vec::new(),
        });
    }
    Ok(Plan { segments })
}

/// The statistics of several values added up; quantiles do not add up.
fn merge_stats(parts: &[&MetricStats], metric: &str, what: &str) -> Result<MetricStats> {
    let (first, rest) = parts.split_first().expect("a segment has members");
    let mut out = **first;
    for p in rest {
        if p.kind() != out.kind() {
            return Err(Error::invalid(
                format!("kind of metric '{metric}'"),
                format!("{:?}", p.kind()),
                format!("the same kind in every value, {:?}", out.kind()),
            ));
        }
        match (&mut out, p) {
            (MetricStats::Mean(a), MetricStats::Mean(b))
            | (MetricStats::Proportion(a), MetricStats::Proportion(b)) => a.combine(b),
            (MetricStats::Ratio(a), MetricStats::Ratio(b))
            | (MetricStats::RegressionAdjusted(a), MetricStats::RegressionAdjusted(b)) => {
                a.combine(b)
            }
            _ => {
                return Err(Error::invalid(
                    format!("quantile metric '{metric}'"),
                    format!("{} values merged in {what}", parts.len()),
                    "raw columns (analyze_segments_columns): sample quantiles of several \
                     values cannot be combined from their summaries",
                ));
            }
        }
    }
    Ok(out)
}

/// Analyse the whole and every segment, correct across the segments'
/// family, and write the notes.
fn finish(
    plan: Plan,
    per_segment: Vec<(Vec<u64>, Vec<MetricInput>)>,
    overall: (Vec<u64>, Vec<MetricInput>),
    weights: &[f64],
    opts: &ExperimentOptions,
    seg_opts: &SegmentOptions,
) -> Result<SegmentedResult> {
    let overall_result = analyze(&overall.0, weights, &overall.1, opts)?;
    let mut analyses = per_segment
        .iter()
        .map(|(units, metrics)| analyze_uncorrected(units, weights, metrics, opts))
        .collect::<Result<Vec<_>>>()?;
    let mut parts: Vec<(&mut ExperimentResult, &[MetricInput])> = analyses
        .iter_mut()
        .zip(&per_segment)
        .map(|(r, (_, m))| (r, m.as_slice()))
        .collect();
    let m = correct_family(&mut parts, opts)?;
    let segments: Vec<SegmentResult> = plan
        .segments
        .into_iter()
        .zip(per_segment)
        .zip(analyses)
        .map(|((p, (units, _)), analysis)| {
            let notes = notes(&p, &units, &analysis, opts, seg_opts);
            SegmentResult {
                name: p.name,
                kind: p.kind,
                values: p.values,
                units,
                notes,
                analysis,
            }
        })
        .collect();
    Ok(SegmentedResult {
        options: *seg_opts,
        family: CorrectionFamily {
            correction: opts.correction,
            segments: segments.len(),
            treatments: weights.len() - 1,
            metrics: overall.1.len(),
            comparisons: m,
        },
        overall: overall_result,
        segments,
    })
}

fn notes(
    p: &Planned,
    units: &[u64],
    analysis: &ExperimentResult,
    opts: &ExperimentOptions,
    seg_opts: &SegmentOptions,
) -> Vec<String> {
    let mut notes = Vec::new();
    if p.kind == SegmentKind::Other {
        notes.push(format!(
            "merges {} value(s) outside the top {}{}",
            p.values.len(),
            seg_opts.top,
            if seg_opts.min_segment_units > 0 {
                format!(" or with fewer than {} units", seg_opts.min_segment_units)
            } else {
                String::new()
            }
        ));
    }
    for (v, &u) in units.iter().enumerate() {
        if u == 0 {
            let role = if v == opts.control {
                "the control"
            } else {
                "treatment"
            };
            notes.push(format!(
                "variant {v} ({role}) has no units in this segment: its comparisons \
                 cannot be made and are left out of the correction"
            ));
        }
    }
    if analysis.srm.is_mismatch() {
        notes.push(format!(
            "sample ratio mismatch in this segment (p = {:.3e} < {}): the split does not \
             match the configured weights, so its results are not trustworthy",
            analysis.srm.p_value, analysis.srm.threshold
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(top: usize, min: u64) -> SegmentOptions {
        SegmentOptions {
            top,
            min_segment_units: min,
        }
    }

    #[test]
    fn plan_keeps_the_top_values_and_names_the_rest() {
        let e = [
            (Some("b"), 50),
            (None, 3),
            (Some("a"), 50),
            (Some("c"), 10),
            (Some(" "), 2),
            (Some("d"), 40),
        ];
        let p = plan(&e, &opts(2, 0)).unwrap();
        let got: Vec<(&str, SegmentKind, &[usize])> = p
            .segments
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.members.as_slice()))
            .collect();
        use SegmentKind::*;
        // ties by name: a before b; d and c merged, largest first
        assert_eq!(
            got,
            vec![
                ("a", Value, &[2][..]),
                ("b", Value, &[0][..]),
                ("other", Other, &[5, 3][..]),
                ("(missing)", Missing, &[1, 4][..]),
            ]
        );
        assert_eq!(p.segments[2].values, vec!["d", "c"]);
        // a minimum of 45 units sends every value below it to "other"
        let p = plan(&e, &opts(10, 45)).unwrap();
        assert_eq!(p.segments.len(), 4);
        assert_eq!(p.segments[2].values, vec!["d", "c"]);
        assert!(plan(&[(Some("a"), 1), (Some("a"), 2)], &opts(2, 0)).is_err());
    }

    #[test]
    fn blank_strings_nan_and_nulls_are_missing_in_a_dimension() {
        let d = Dimension::from_labels(&[Some("x"), None, Some(""), Some("y"), Some("x")]);
        assert_eq!(d.labels(), &["x", "y"]);
        let m = Dimension::MISSING;
        assert_eq!(d.codes(), &[0, m, m, 1, 0]);
        let f = arrow_array::Float64Array::from(vec![Some(1.0), Some(f64::NAN), None, Some(2.5)]);
        let d = Dimension::from_arrow(&f, "f").unwrap();
        assert_eq!(d.codes(), &[0, m, m, 1]);
        let dict: arrow_array::DictionaryArray<arrow_array::types::Int32Type> =
            vec!["ios", "web", "ios", ""].into_iter().collect();
        let d = Dimension::from_arrow(&dict, "platform").unwrap();
        assert_eq!(d.labels(), &["ios", "web"]);
        assert_eq!(d.codes(), &[0, 1, 0, m]);
    }
}
