//! Charts from data and from abstat-core results. Every constructor
//! summarises first (abstat-core [`summaries`](abstat_core::summaries)), so
//! the chart holds a bounded amount of data whatever the input size.

use std::fmt::Display;

use abstat_core::ab::power::minimum_detectable_effect;
use abstat_core::ab::{BayesianComparison, ExperimentResult, MetricStats, SequentialOptions};
use abstat_core::classification::{ConfusionMatrix, Importance};
use abstat_core::proportion::{ProportionCi, proportion_confint};
use abstat_core::regression::{Estimates, OlsFit};
use abstat_core::summaries::{
    HistogramOptions, Overlay, OverlaySeries, ScatterOptions, box_stats, box_stats_by,
    correlation_matrix, cumulative_lift, overlay, overlay_by, posterior_density,
    power_by_sample_size, probplot, roc_points, scatter,
};
use abstat_core::{Alternative, NanPolicy};

use super::spec::{Bar, Chart, ChartKind, IntervalRow, NamedBox, NamedRoc, NamedSeries};
use super::text::{Lang, Text};
use crate::{Error, Result};

/// Points on a density curve.
const CURVE_POINTS: usize = 200;
/// Points kept of a QQ plot or ROC curve: more are under a pixel apart on
/// any screen, and the spec stays small enough to send as JSON.
const MAX_CURVE_POINTS: usize = 2000;

/// Evenly spaced points of paired `x`, `y` (both ends kept), at most `max`.
fn thin(x: &mut Vec<f64>, y: &mut Vec<f64>, max: usize) {
    let n = x.len();
    if n <= max {
        return;
    }
    let keep: Vec<usize> = (0..max).map(|i| i * (n - 1) / (max - 1)).collect();
    *x = keep.iter().map(|&i| x[i]).collect();
    *y = keep.iter().map(|&i| y[i]).collect();
}

fn core<T>(r: abstat_core::Result<T>) -> Result<T> {
    r.map_err(Error::ChartData)
}

fn chart(
    title: String,
    x: impl Into<String>,
    y: impl Into<String>,
    lang: Lang,
    kind: ChartKind,
) -> Chart {
    Chart {
        title,
        x_label: x.into(),
        y_label: y.into(),
        lang,
        kind,
    }
}

/// The overlaid distributions chart of a control and a treatment overlay.
fn distributions_chart(o: Overlay, metric: &str, lang: Lang) -> Chart {
    let series = [Text::Control, Text::Treatment]
        .into_iter()
        .zip(o.series)
        .map(|(name, s)| NamedSeries {
            name: name.get(lang).to_string(),
            histogram: s.histogram,
            density: s.density,
        })
        .collect();
    chart(
        format!("{} {metric}", Text::DistributionOf.get(lang)),
        metric,
        Text::Density.get(lang),
        lang,
        ChartKind::Distributions { series },
    )
}

fn box_chart(groups: Vec<NamedBox>, value: &str, group: &str, lang: Lang) -> Chart {
    chart(
        format!("{value} · {group}"),
        group,
        value,
        lang,
        ChartKind::BoxPlot { groups },
    )
}

fn interval_row(
    label: String,
    estimate: f64,
    lower: f64,
    upper: f64,
    better: Option<bool>,
) -> IntervalRow {
    IntervalRow {
        label,
        estimate,
        lower,
        upper,
        better,
    }
}

impl Chart {
    /// Histogram of a column (numpy's `"auto"` bins) with its kernel
    /// density; NaN values are left out. Both from fused passes over the
    /// column ([`overlay`]); above 20 000 values the density is a KDE over
    /// the linearly binned data (abstat-core `summaries::kde`).
    pub fn histogram(x: &[f64], column: &str, lang: Lang) -> Result<Chart> {
        let mut o = core(overlay(&[x], &HistogramOptions::default(), CURVE_POINTS))?;
        let OverlaySeries { histogram, density } = o.series.remove(0);
        let y = if density.is_some() {
            Text::Density
        } else {
            Text::Count
        };
        Ok(chart(
            format!("{} {column}", Text::DistributionOf.get(lang)),
            column,
            y.get(lang),
            lang,
            ChartKind::Histogram { histogram, density },
        ))
    }

    /// Box plot of `value` per group (matplotlib's whiskers at 1.5 IQR).
    pub fn box_plot(
        groups: &[(&str, &[f64])],
        value: &str,
        group: &str,
        lang: Lang,
    ) -> Result<Chart> {
        let groups = groups
            .iter()
            .map(|(name, x)| {
                Ok(NamedBox {
                    name: name.to_string(),
                    stats: core(box_stats(x, 1.5, NanPolicy::Omit))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if groups.is_empty() {
            return Err(Error::ChartData(abstat_core::Error::TooFewObservations {
                what: "groups".into(),
                needed: 1,
                got: 0,
            }));
        }
        Ok(box_chart(groups, value, group, lang))
    }

    /// Box plot of `values` by group without splitting the column:
    /// `values[i]` belongs to group `codes[i]`, an index into `groups`
    /// (abstat-core `box_stats_by`: fused passes over both columns). The
    /// same chart as [`Chart::box_plot`] of the split groups.
    pub fn box_plot_by(
        values: &[f64],
        codes: &[u32],
        groups: &[&str],
        value: &str,
        group: &str,
        lang: Lang,
    ) -> Result<Chart> {
        let stats = core(box_stats_by(
            values,
            codes,
            groups.len(),
            1.5,
            NanPolicy::Omit,
        ))?;
        let groups = groups
            .iter()
            .zip(stats)
            .map(|(name, stats)| NamedBox {
                name: name.to_string(),
                stats,
            })
            .collect();
        Ok(box_chart(groups, value, group, lang))
    }

    /// Bars of counts per category.
    pub fn counts(labels: &[&str], counts: &[u64], column: &str, lang: Lang) -> Result<Chart> {
        same_len(labels.len(), counts.len(), "counts")?;
        let bars = labels
            .iter()
            .zip(counts)
            .map(|(l, &c)| Bar {
                label: l.to_string(),
                value: c as f64,
                ci: None,
            })
            .collect();
        Ok(chart(
            column.to_string(),
            column,
            Text::Count.get(lang),
            lang,
            ChartKind::Bars {
                bars,
                percent: false,
            },
        ))
    }

    /// Bars of proportions `successes / totals` per category with Wilson
    /// intervals at `level` (statsmodels `proportion_confint(method="wilson")`).
    pub fn proportions(
        labels: &[&str],
        successes: &[u64],
        totals: &[u64],
        metric: &str,
        level: f64,
        lang: Lang,
    ) -> Result<Chart> {
        same_len(labels.len(), successes.len(), "successes")?;
        same_len(labels.len(), totals.len(), "totals")?;
        let bars = labels
            .iter()
            .zip(successes.iter().zip(totals))
            .map(|(l, (&s, &n))| {
                Ok(Bar {
                    label: l.to_string(),
                    value: s as f64 / n as f64,
                    ci: Some(core(proportion_confint(s, n, level, ProportionCi::Wilson))?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(chart(
            metric.to_string(),
            "",
            format!("{}, %", Text::Share.get(lang)),
            lang,
            ChartKind::Bars {
                bars,
                percent: true,
            },
        ))
    }

    /// Scatter of `y` against `x` with the least-squares line; above 5000
    /// points the chart shows counts on an 80 × 50 grid instead.
    pub fn scatter(x: &[f64], y: &[f64], x_name: &str, y_name: &str, lang: Lang) -> Result<Chart> {
        let s = core(scatter(x, y, &ScatterOptions::default()))?;
        Ok(chart(
            format!("{y_name} ~ {x_name}"),
            x_name,
            y_name,
            lang,
            ChartKind::Scatter { scatter: s },
        ))
    }

    /// Heatmap of Pearson correlations between columns.
    pub fn correlation(names: &[&str], columns: &[&[f64]], lang: Lang) -> Result<Chart> {
        let matrix = core(correlation_matrix(names, columns, NanPolicy::Omit))?;
        Ok(chart(
            Text::CorrelationTitle.get(lang).to_string(),
            "",
            "",
            lang,
            ChartKind::Heatmap { matrix },
        ))
    }

    /// Normal QQ plot of a column (scipy `probplot`), at most 2000 of its
    /// points kept (evenly spaced in rank, both ends included).
    pub fn qq(x: &[f64], column: &str, lang: Lang) -> Result<Chart> {
        let mut qq = core(probplot(x, NanPolicy::Omit))?;
        thin(&mut qq.theoretical, &mut qq.sample, MAX_CURVE_POINTS);
        Ok(chart(
            format!("{} {column}", Text::QqTitle.get(lang)),
            Text::TheoreticalQuantiles.get(lang),
            format!("{} ({column})", Text::SampleQuantiles.get(lang)),
            lang,
            ChartKind::Qq { qq },
        ))
    }

    /// Forest plot of an experiment: the relative lift of every treatment on
    /// every metric with its (corrected, when Bonferroni) interval, coloured
    /// when the interval excludes zero. `variants` names the variants by
    /// index (control first).
    pub fn forest(result: &ExperimentResult, variants: &[&str], lang: Lang) -> Result<Chart> {
        let mut rows = Vec::new();
        for m in &result.metrics {
            for t in &m.treatments {
                let Some(rel) = t.comparison.as_ref().and_then(|c| c.relative.as_ref()) else {
                    continue;
                };
                let ci = t.adjusted_relative_ci.as_ref().unwrap_or(&rel.ci);
                let better = (ci.lower > 0.0 || ci.upper < 0.0)
                    .then_some((rel.estimate > 0.0) == m.higher_is_better);
                let name = variants
                    .get(t.variant)
                    .map_or_else(|| format!("#{}", t.variant), |s| s.to_string());
                rows.push(interval_row(
                    format!("{} · {name}", m.name),
                    rel.estimate,
                    ci.lower,
                    ci.upper,
                    better,
                ));
            }
        }
        if rows.is_empty() {
            return Err(Error::ChartData(abstat_core::Error::Degenerate(
                "no treatment has a relative lift to draw".into(),
            )));
        }
        Ok(chart(
            Text::ForestTitle.get(lang).to_string(),
            Text::RelativeLift.get(lang),
            "",
            lang,
            ChartKind::Forest { rows },
        ))
    }

    /// Control and treatment distributions of a metric overlaid, on shared
    /// bins (numpy's `"auto"` bins of the two pooled), with their
    /// densities; from fused passes over each sample ([`overlay`]), the
    /// densities KDEs over the binned data above 20 000 values.
    pub fn distributions(
        control: &[f64],
        treatment: &[f64],
        metric: &str,
        lang: Lang,
    ) -> Result<Chart> {
        let o = core(overlay(
            &[control, treatment],
            &HistogramOptions::default(),
            CURVE_POINTS,
        ))?;
        Ok(distributions_chart(o, metric, lang))
    }

    /// [`Chart::distributions`] of a metric column split by variant without
    /// splitting it: `values[i]` belongs to variant `codes[i]`; the control
    /// is the rows of code `control`, the treatment those of `treatment`,
    /// other rows are skipped (abstat-core `overlay_by`: fused passes over
    /// both columns). The same chart as [`Chart::distributions`] of the
    /// split samples, the binned densities up to summation order.
    pub fn distributions_by(
        values: &[f64],
        codes: &[u32],
        control: u32,
        treatment: u32,
        metric: &str,
        lang: Lang,
    ) -> Result<Chart> {
        let o = core(overlay_by(
            values,
            codes,
            &[control, treatment],
            &HistogramOptions::default(),
            CURVE_POINTS,
        ))?;
        Ok(distributions_chart(o, metric, lang))
    }

    /// Cumulative relative lift over periods with its always-valid
    /// (sequential) interval; `control[t]`, `treatment[t]` are the new
    /// units' statistics of period t.
    pub fn cumulative_lift(
        control: &[MetricStats],
        treatment: &[MetricStats],
        metric: &str,
        opts: &SequentialOptions,
        lang: Lang,
    ) -> Result<Chart> {
        let points = core(cumulative_lift(control, treatment, opts))?;
        Ok(chart(
            format!("{} {metric}", Text::LiftOverTime.get(lang)),
            Text::Period.get(lang),
            Text::RelativeLift.get(lang),
            lang,
            ChartKind::CumulativeLift { points },
        ))
    }

    /// Posterior density of the relative lift, its credible interval and
    /// the chance to win.
    pub fn posterior(cmp: &BayesianComparison, metric: &str, lang: Lang) -> Result<Chart> {
        let Some(p) = cmp.relative.as_ref() else {
            return Err(Error::ChartData(abstat_core::Error::Degenerate(
                "the control mean is 0, so the relative lift is undefined".into(),
            )));
        };
        let density = core(posterior_density(p, CURVE_POINTS))?;
        Ok(chart(
            format!("{} {metric}", Text::PosteriorTitle.get(lang)),
            Text::RelativeLift.get(lang),
            Text::Density.get(lang),
            lang,
            ChartKind::Posterior {
                density,
                ci: p.ci.clone(),
                chance_to_win: p.chance_to_win,
            },
        ))
    }

    /// Power against the sample size per group for detecting `effect`
    /// (absolute, metric units) with per-unit standard deviation `std_dev`
    /// at level `alpha`, two-sided; the x axis runs to 2.5× the size that
    /// reaches `target`; `current` marks a planned or current size.
    pub fn power_curve(
        effect: f64,
        std_dev: f64,
        alpha: f64,
        target: f64,
        current: Option<f64>,
        metric: &str,
        lang: Lang,
    ) -> Result<Chart> {
        if !(effect != 0.0 && effect.is_finite()) {
            return Err(Error::ChartData(abstat_core::Error::invalid(
                "effect",
                effect,
                "a non-zero finite effect",
            )));
        }
        // n per arm reaching `target`: MDE(σ√(2/n)) = |effect|
        let k = core(minimum_detectable_effect(
            1.0,
            alpha,
            target,
            Alternative::TwoSided,
        ))?;
        let needed = 2.0 * (k * std_dev / effect).powi(2);
        let top = (needed * 2.5).max(current.unwrap_or(0.0) * 1.2).max(10.0);
        let sizes: Vec<f64> = (1..=120).map(|i| top * i as f64 / 120.0).collect();
        let curve = core(power_by_sample_size(
            effect,
            std_dev,
            alpha,
            Alternative::TwoSided,
            &sizes,
        ))?;
        Ok(chart(
            format!(
                "{}: {metric}, Δ = {}",
                Text::PowerTitle.get(lang),
                super::render::number(effect)
            ),
            Text::SampleSizePerArm.get(lang),
            Text::Power.get(lang),
            lang,
            ChartKind::PowerCurve {
                curve,
                target,
                marker: current.or(Some(needed)),
            },
        ))
    }

    /// Residuals against fitted values of an OLS fit (binned above 5000
    /// rows).
    pub fn residuals(fit: &OlsFit, lang: Lang) -> Result<Chart> {
        let opts = ScatterOptions {
            fit: false,
            ..Default::default()
        };
        let s = core(scatter(&fit.fitted, &fit.resid, &opts))?;
        Ok(chart(
            format!(
                "{} {}",
                Text::ResidualsTitle.get(lang),
                fit.estimates.response
            ),
            Text::Fitted.get(lang),
            Text::Residuals.get(lang),
            lang,
            ChartKind::Residuals { scatter: s },
        ))
    }

    /// Coefficients of a regression with their confidence intervals (the
    /// intercept left out: it is on another scale).
    pub fn coefficients(estimates: &Estimates, lang: Lang) -> Result<Chart> {
        let rows: Vec<IntervalRow> = estimates
            .coefficients
            .iter()
            .filter(|c| !matches!(c.name.as_str(), "Intercept" | "const"))
            .map(|c| interval_row(c.name.clone(), c.coef, c.ci_low, c.ci_high, None))
            .collect();
        if rows.is_empty() {
            return Err(Error::ChartData(abstat_core::Error::Degenerate(
                "the model has no coefficient besides the intercept".into(),
            )));
        }
        Ok(chart(
            format!(
                "{} {}",
                Text::CoefficientsTitle.get(lang),
                estimates.response
            ),
            format!(
                "{} ({:.0} %)",
                Text::Coefficient.get(lang),
                100.0 * (1.0 - estimates.alpha)
            ),
            "",
            lang,
            ChartKind::Coefficients { rows },
        ))
    }

    /// ROC curves of one or more models: (name, is-positive, score) each;
    /// at most 2000 points of each curve kept (the AUC is of the full
    /// curve). scikit-learn's curve up to
    /// `abstat_core::summaries::roc::EXACT_LIMIT` (100 000) rows; binned
    /// above, which the data says (`RocPoints::binned`) and the legend
    /// shows as "AUC ≈".
    pub fn roc(models: &[(&str, &[bool], &[f64])], lang: Lang) -> Result<Chart> {
        let curves = models
            .iter()
            .map(|(name, y, s)| {
                let mut roc = core(roc_points(y, s))?;
                thin(&mut roc.fpr, &mut roc.tpr, MAX_CURVE_POINTS);
                Ok(NamedRoc {
                    name: name.to_string(),
                    roc,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(chart(
            Text::RocTitle.get(lang).to_string(),
            Text::FalsePositiveRate.get(lang),
            Text::TruePositiveRate.get(lang),
            lang,
            ChartKind::Roc { curves },
        ))
    }

    /// A confusion matrix (true class by row, predicted by column).
    pub fn confusion<T: Display>(cm: &ConfusionMatrix<T>, lang: Lang) -> Result<Chart> {
        Ok(chart(
            Text::ConfusionTitle.get(lang).to_string(),
            Text::Predicted.get(lang),
            Text::Actual.get(lang),
            lang,
            ChartKind::Confusion {
                labels: cm.labels.iter().map(|l| l.to_string()).collect(),
                counts: cm.counts.clone(),
            },
        ))
    }

    /// Permutation importance bars, most important on top.
    pub fn importance(imp: &Importance, lang: Lang) -> Result<Chart> {
        let mut order: Vec<usize> = (0..imp.features.len()).collect();
        order.sort_by(|&a, &b| imp.mean[b].total_cmp(&imp.mean[a]));
        Ok(chart(
            Text::ImportanceTitle.get(lang).to_string(),
            Text::AccuracyDrop.get(lang),
            "",
            lang,
            ChartKind::Importance {
                features: order.iter().map(|&i| imp.features[i].clone()).collect(),
                mean: order.iter().map(|&i| imp.mean[i]).collect(),
                std: order.iter().map(|&i| imp.std[i]).collect(),
            },
        ))
    }
}

fn same_len(labels: usize, values: usize, what: &str) -> Result<()> {
    if labels == values {
        Ok(())
    } else {
        Err(Error::ChartData(abstat_core::Error::LengthMismatch {
            left: "labels".into(),
            left_len: labels,
            right: what.into(),
            right_len: values,
        }))
    }
}
