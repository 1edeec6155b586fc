//! Chart jobs: the worker loads only the columns a chart needs (or reads
//! the finished analysis it draws), summarises with abstat-core through
//! abstat-io's chart builders, and renders PNG or SVG with abstat-io. The
//! image is the job's result, base64 inside JSON so that the metadata
//! store and the result cache hold it like any other result.

use abstat_api::{
    AnalysisResult, ChartFormat, ChartImage, ChartLang, ChartTheme, ChartType, RegressionRequest,
    RegressionResult,
};
use abstat_io::charts::{Chart, Format, Lang, Theme, render};
use abstat_io::store::DatasetStore;
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::columns::{ColumnRole, group_values, labels, levels, load_columns, numeric};
use super::{Invalid, RunError, regression, required_column};

/// Bars drawn at most by a `bars` chart (the most frequent values).
pub const MAX_BARS: usize = 30;

/// The columns a dataset chart draws.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartColumns {
    /// `histogram`, `box`, `bars`, `qq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `correlation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// `scatter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// `scatter`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// `box`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The finished analysis a result chart draws, copied into the request at
/// submission (so the chart's cache key is the result it draws).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartOfJob {
    /// The analysis job.
    pub job_id: String,
    /// Its stored result.
    pub result: serde_json::Value,
    /// A regression's request, to fit it again for the residuals (the
    /// stored result leaves the per-row vectors out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression: Option<RegressionRequest>,
}

/// Image size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartSize {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// A chart job's request, as stored in its row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartRequest {
    /// What to draw.
    pub kind: ChartType,
    /// The dataset drawn (for result charts: the analysed one).
    pub dataset_id: String,
    /// Its version (pinned at submission).
    pub version: Option<u32>,
    /// Dataset charts: the columns.
    #[serde(default)]
    pub columns: ChartColumns,
    /// Result charts: the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<ChartOfJob>,
    /// PNG or SVG.
    pub format: ChartFormat,
    /// Language of the words the chart adds.
    pub lang: ChartLang,
    /// Colours.
    pub theme: ChartTheme,
    /// Size.
    pub size: ChartSize,
}

fn required<'a>(
    value: &'a Option<String>,
    name: &str,
    kind: ChartType,
) -> Result<&'a str, Invalid> {
    required_column(value, name, &format!("kind={}", kind.as_str()))
}

impl ChartRequest {
    /// The columns a dataset chart needs and their roles; result charts
    /// need none.
    pub fn check(&self) -> Result<Vec<(String, ColumnRole)>, Invalid> {
        use ChartType as K;
        let c = &self.columns;
        let numeric = |name: &str| (name.to_string(), ColumnRole::Numeric);
        Ok(match self.kind {
            K::Histogram | K::Qq => vec![numeric(required(&c.column, "column", self.kind)?)],
            K::Bars => vec![(
                required(&c.column, "column", self.kind)?.to_string(),
                ColumnRole::Labels,
            )],
            K::Box => {
                let mut needs = vec![numeric(required(&c.column, "column", self.kind)?)];
                if let Some(g) = &c.group {
                    needs.push((g.clone(), ColumnRole::Labels));
                }
                needs
            }
            K::Scatter => vec![
                numeric(required(&c.x, "x", self.kind)?),
                numeric(required(&c.y, "y", self.kind)?),
            ],
            K::Correlation => {
                if c.columns.len() < 2 {
                    return Err(Invalid::parameter(
                        "columns",
                        c.columns.join(","),
                        "at least two numeric columns, comma-separated (columns=a,b,c)",
                    ));
                }
                c.columns.iter().map(|n| numeric(n)).collect()
            }
            K::Forest | K::Posterior | K::Coefficients | K::Residuals | K::Confusion => Vec::new(),
        })
    }
}

/// Which result charts a job kind has.
pub fn result_charts(job_kind: super::super::queue::JobKind) -> &'static [ChartType] {
    use super::super::queue::JobKind as J;
    match job_kind {
        J::AbTest => &[ChartType::Forest, ChartType::Posterior],
        J::Regression => &[ChartType::Coefficients, ChartType::Residuals],
        J::Classification => &[ChartType::Confusion],
        J::StatTest | J::Clean | J::Chart => &[],
    }
}

fn lang(l: ChartLang) -> Lang {
    match l {
        ChartLang::En => Lang::En,
        ChartLang::Ru => Lang::Ru,
    }
}

fn theme(t: ChartTheme) -> Theme {
    match t {
        ChartTheme::Light => Theme::default(),
        ChartTheme::Dark => Theme {
            background: (0x1E, 0x1E, 0x1E),
            text: (0xEE, 0xEE, 0xEE),
            axis: (0xBB, 0xBB, 0xBB),
            grid: (0x3A, 0x3A, 0x3A),
            ..Theme::default()
        },
    }
}

/// Build and render the chart.
pub(super) fn run(
    store: &dyn DatasetStore,
    r: &ChartRequest,
    version: u32,
) -> Result<ChartImage, RunError> {
    let l = lang(r.lang);
    let chart = match &r.job {
        Some(job) => of_result(store, r.kind, job, l)?,
        None => of_columns(store, r, version, l)?,
    };
    let ChartSize { width, height } = r.size;
    let format = match r.format {
        ChartFormat::Png => Format::Png {
            w: width,
            h: height,
        },
        ChartFormat::Svg => Format::Svg {
            w: width,
            h: height,
        },
    };
    let bytes = render(&chart, format, &theme(r.theme), Some(l))?;
    Ok(ChartImage {
        chart: r.kind,
        format: r.format,
        content_type: r.format.content_type().to_string(),
        width,
        height,
        data: base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

/// A dataset chart from the columns it needs.
fn of_columns(
    store: &dyn DatasetStore,
    r: &ChartRequest,
    version: u32,
    l: Lang,
) -> Result<Chart, RunError> {
    use ChartType as K;
    let needs = r.check().map_err(|e| RunError::Client(format!("{e:?}")))?;
    let mut names: Vec<String> = needs.into_iter().map(|(n, _)| n).collect();
    names.dedup();
    let batch = load_columns(store, &r.dataset_id, version, &names)?;
    let c = &r.columns;
    let first = names.first().map(String::as_str).unwrap_or_default();
    Ok(match r.kind {
        K::Histogram => Chart::histogram(&numeric(&batch, first)?, first, l)?,
        K::Qq => Chart::qq(&numeric(&batch, first)?, first, l)?,
        K::Box => {
            let x = numeric(&batch, first)?;
            match &c.group {
                Some(g) => {
                    let keys = labels(&batch, g)?;
                    let names = levels(&keys);
                    let samples = group_values(&x, &keys, &names);
                    let groups: Vec<(&str, &[f64])> = names
                        .iter()
                        .map(String::as_str)
                        .zip(samples.iter().map(Vec::as_slice))
                        .collect();
                    Chart::box_plot(&groups, first, g, l)?
                }
                None => Chart::box_plot(&[(first, &x)], first, "", l)?,
            }
        }
        K::Bars => {
            let values = labels(&batch, first)?;
            let names = levels(&values);
            let mut counts = vec![0u64; names.len()];
            for v in values.iter().flatten() {
                if let Ok(i) = names.binary_search(v) {
                    counts[i] += 1;
                }
            }
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
            order.truncate(MAX_BARS);
            let shown: Vec<&str> = order.iter().map(|&i| names[i].as_str()).collect();
            let n: Vec<u64> = order.iter().map(|&i| counts[i]).collect();
            Chart::counts(&shown, &n, first, l)?
        }
        K::Scatter => {
            let (x, y) = (
                c.x.as_deref().unwrap_or_default(),
                c.y.as_deref().unwrap_or_default(),
            );
            Chart::scatter(&numeric(&batch, x)?, &numeric(&batch, y)?, x, y, l)?
        }
        K::Correlation => {
            let data = c
                .columns
                .iter()
                .map(|n| numeric(&batch, n))
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&str> = c.columns.iter().map(String::as_str).collect();
            let slices: Vec<&[f64]> = data.iter().map(Vec::as_slice).collect();
            Chart::correlation(&refs, &slices, l)?
        }
        K::Forest | K::Posterior | K::Coefficients | K::Residuals | K::Confusion => {
            return Err(RunError::Client(format!(
                "kind={} draws a finished analysis: give job_id",
                r.kind.as_str()
            )));
        }
    })
}

fn mismatch(kind: ChartType, what: &str) -> RunError {
    RunError::Client(format!("kind={} cannot draw {what}", kind.as_str()))
}

/// A chart of a finished analysis.
fn of_result(
    store: &dyn DatasetStore,
    kind: ChartType,
    job: &ChartOfJob,
    l: Lang,
) -> Result<Chart, RunError> {
    let result: AnalysisResult = serde_json::from_value(job.result.clone()).map_err(|_| {
        RunError::Client(
            "the analysis result has missing (NaN) statistics, so it cannot be drawn".into(),
        )
    })?;
    Ok(match (kind, result) {
        (ChartType::Forest, AnalysisResult::AbTest(ab)) => {
            let experiment = ab
                .experiment
                .as_ref()
                .ok_or_else(|| mismatch(kind, "a Bayesian analysis: use kind=posterior"))?;
            let variants: Vec<&str> = ab.variants.iter().map(String::as_str).collect();
            Chart::forest(experiment, &variants, l)?
        }
        (ChartType::Posterior, AnalysisResult::AbTest(ab)) => {
            let first = ab
                .bayesian
                .as_ref()
                .ok_or_else(|| mismatch(kind, "a frequentist analysis: use kind=forest"))?
                .iter()
                .find_map(|t| t.comparison.as_ref().map(|c| (t, c)));
            let (t, cmp) = first.ok_or_else(|| {
                RunError::Client("no treatment has a Bayesian comparison to draw".into())
            })?;
            Chart::posterior(cmp, &format!("{} · {}", t.metric, t.variant), l)?
        }
        (ChartType::Coefficients, AnalysisResult::Regression(fit)) => {
            let estimates = match &fit {
                RegressionResult::LeastSquares(f) => &f.estimates,
                RegressionResult::Logit(f) => &f.estimates,
            };
            Chart::coefficients(estimates, l)?
        }
        (ChartType::Residuals, AnalysisResult::Regression(_)) => {
            let request = job
                .regression
                .as_ref()
                .ok_or_else(|| mismatch(kind, "this regression"))?;
            let version = request.version.unwrap_or(1);
            let names = super::AnalysisRequest::Regression(request.clone()).columns();
            let batch = load_columns(store, &request.dataset_id, version, &names)?;
            match regression::fit(&batch, request)? {
                RegressionResult::LeastSquares(fit) => Chart::residuals(&fit, l)?,
                RegressionResult::Logit(_) => {
                    return Err(mismatch(
                        kind,
                        "a logistic regression: use kind=coefficients",
                    ));
                }
            }
        }
        (ChartType::Confusion, AnalysisResult::Classification(c)) => {
            Chart::confusion(&c.confusion, l)?
        }
        (_, other) => {
            let what = match other {
                AnalysisResult::StatTest(_) => "a hypothesis test",
                AnalysisResult::Regression(_) => "a regression",
                AnalysisResult::Classification(_) => "a classification",
                AnalysisResult::AbTest(_) => "an A/B analysis",
                AnalysisResult::Clean(_) => "a cleaning run",
                AnalysisResult::Chart(_) => "a chart",
            };
            return Err(mismatch(kind, what));
        }
    })
}
