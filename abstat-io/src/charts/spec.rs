//! The typed, serialisable description of a chart: already-summarised data
//! (a few thousand numbers at most, whatever the dataset size) plus the
//! words to put on it. Build one with the constructors in [`super::build`]
//! or deserialize one sent by a frontend.

use abstat_core::ConfidenceInterval;
use abstat_core::summaries::{
    BoxStats, CorrelationMatrix, Density, Histogram, LiftPoint, PowerCurve, QqPlot, RocPoints,
    ScatterSummary,
};
use serde::{Deserialize, Serialize};

use super::text::Lang;

/// A chart: title, axis labels and what to draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Title, from the analysis (column, metric, model).
    pub title: String,
    /// Label of the horizontal axis, with units where known.
    pub x_label: String,
    /// Label of the vertical axis.
    pub y_label: String,
    /// Language of the words the chart adds (legends, annotations).
    #[serde(default)]
    pub lang: Lang,
    /// What to draw.
    #[serde(flatten)]
    pub kind: ChartKind,
}

/// A box with its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedBox {
    /// Group name.
    pub name: String,
    /// Its statistics.
    pub stats: BoxStats,
}

/// One bar, with an optional interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// Category.
    pub label: String,
    /// Height.
    pub value: f64,
    /// Interval drawn as an error bar.
    pub ci: Option<ConfidenceInterval>,
}

/// An estimate with its interval, one row of a forest or coefficient plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntervalRow {
    /// Row label ("conversion · B", "price").
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Whether the interval excludes the reference value (drawn in the
    /// good/bad colour); `None` draws it neutral.
    pub better: Option<bool>,
}

/// A named density curve (one group of an overlay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedSeries {
    /// Group name.
    pub name: String,
    /// Histogram on the shared bins, drawn as density.
    pub histogram: Histogram,
    /// Smooth density.
    pub density: Option<Density>,
}

/// A named ROC curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedRoc {
    /// Model name.
    pub name: String,
    /// The curve and its AUC.
    pub roc: RocPoints,
}

/// What a chart draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "chart", rename_all = "snake_case")]
pub enum ChartKind {
    /// Histogram (as density when a curve is drawn over it).
    Histogram {
        /// The bins and counts.
        histogram: Histogram,
        /// Kernel density curve.
        density: Option<Density>,
    },
    /// Box plot per group.
    BoxPlot {
        /// The groups.
        groups: Vec<NamedBox>,
    },
    /// Bars of counts or proportions, with intervals where given.
    Bars {
        /// The bars.
        bars: Vec<Bar>,
        /// Values are shares in [0, 1], shown as percentages.
        percent: bool,
    },
    /// Scatter (points, or a binned grid for big data) with a fitted line.
    Scatter {
        /// Points or grid, and the line.
        scatter: ScatterSummary,
    },
    /// Correlation heatmap with the values written in the cells.
    Heatmap {
        /// The matrix.
        matrix: CorrelationMatrix,
    },
    /// Normal QQ plot.
    Qq {
        /// Points and line.
        qq: QqPlot,
    },
    /// Forest plot: relative lift ± interval per treatment and metric, in %.
    Forest {
        /// Rows, top to bottom; estimates are fractions (0.05 = +5 %).
        rows: Vec<IntervalRow>,
    },
    /// Control and treatment distributions overlaid.
    Distributions {
        /// The groups (control first), on shared bins.
        series: Vec<NamedSeries>,
    },
    /// Cumulative relative lift with its interval over time.
    CumulativeLift {
        /// One point per period.
        points: Vec<LiftPoint>,
    },
    /// Posterior density of the relative lift with the chance to win.
    Posterior {
        /// The density (x in fractions).
        density: Density,
        /// Credible interval.
        ci: ConfidenceInterval,
        /// P(treatment better).
        chance_to_win: f64,
    },
    /// Power against the sample size per arm or against the true effect.
    PowerCurve {
        /// The curve.
        curve: PowerCurve,
        /// Target power drawn as a line (e.g. 0.8).
        target: f64,
        /// An x to mark (the planned or current sample size, or the MDE).
        marker: Option<f64>,
    },
    /// Residuals against fitted values.
    Residuals {
        /// Fitted (x) and residuals (y), points or binned.
        scatter: ScatterSummary,
    },
    /// Coefficients with confidence intervals.
    Coefficients {
        /// Rows, top to bottom.
        rows: Vec<IntervalRow>,
    },
    /// ROC curves with their AUC.
    Roc {
        /// One curve per model.
        curves: Vec<NamedRoc>,
    },
    /// Confusion matrix with counts.
    Confusion {
        /// Class names.
        labels: Vec<String>,
        /// `counts[true][predicted]`.
        counts: Vec<Vec<u64>>,
    },
    /// Feature importance bars with ± one standard deviation.
    Importance {
        /// Features, most important first.
        features: Vec<String>,
        /// Mean importance.
        mean: Vec<f64>,
        /// Standard deviation over repeats.
        std: Vec<f64>,
    },
}

impl ChartKind {
    /// A short machine name ("histogram", "forest", …), as in the JSON.
    pub fn name(&self) -> &'static str {
        match self {
            ChartKind::Histogram { .. } => "histogram",
            ChartKind::BoxPlot { .. } => "box_plot",
            ChartKind::Bars { .. } => "bars",
            ChartKind::Scatter { .. } => "scatter",
            ChartKind::Heatmap { .. } => "heatmap",
            ChartKind::Qq { .. } => "qq",
            ChartKind::Forest { .. } => "forest",
            ChartKind::Distributions { .. } => "distributions",
            ChartKind::CumulativeLift { .. } => "cumulative_lift",
            ChartKind::Posterior { .. } => "posterior",
            ChartKind::PowerCurve { .. } => "power_curve",
            ChartKind::Residuals { .. } => "residuals",
            ChartKind::Coefficients { .. } => "coefficients",
            ChartKind::Roc { .. } => "roc",
            ChartKind::Confusion { .. } => "confusion",
            ChartKind::Importance { .. } => "importance",
        }
    }
}
