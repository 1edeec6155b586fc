//! Summaries that pictures are drawn from: histogram bins, kernel density,
//! box-plot statistics, normal QQ points, binned or thinned scatters, ROC
//! points, power curves and the posterior density of a lift.
//!
//! A chart of any dataset size is drawn from a summary of bounded size:
//! every function here is O(n) or O(n log n) on at most
//! [`qq::MAX_SORTED`]-sized samples, and returns a few thousand numbers at
//! most. Big columns are read in as few passes as the summary allows,
//! each pass parallel over fixed-size chunks and computing everything it
//! can at once: the first pass checks finiteness and gathers the extent,
//! sum and centred sums of squares (and cross products, for pairs and
//! correlation matrices); later passes count bins or buckets, gather the
//! values near wanted order statistics, and bin a density's grid in the
//! same pass as the histogram ([`overlay`], [`overlay_by`],
//! [`box_stats_by`]). Each summary matches its reference (numpy, scipy, scikit-learn,
//! statsmodels) on the same data; where a big input is approximated to stay
//! fast, the function's documentation says how and by how much.
//!
//! Missing values: the options' [`NanPolicy`](crate::NanPolicy) defaults to
//! `Omit` here (a chart of the values present). `Raise` and `Propagate` both
//! refuse NaN with [`Error::MissingValues`](crate::Error::MissingValues):
//! a picture cannot show a NaN result. Infinite values are refused.

pub mod box_groups;
pub mod boxplot;
pub mod correlation_matrix;
pub mod histogram;
pub mod kde;
pub mod lift;
mod order_stats;
pub mod overlay;
pub mod overlay_groups;
pub mod power_curve;
pub mod qq;
pub mod roc;
pub mod sample;
mod scan;
pub mod scatter;

pub use box_groups::box_stats_by;
pub use boxplot::{BoxStats, box_stats};
pub use correlation_matrix::{CorrelationMatrix, correlation_matrix};
pub use histogram::{Bins, EqualBins, Histogram, HistogramOptions, histogram, histogram_pooled};
pub use kde::{Density, Kde};
pub use lift::{LiftPoint, cumulative_lift, posterior_density};
pub use overlay::{Overlay, OverlaySeries, overlay};
pub use overlay_groups::overlay_by;
pub use power_curve::{PowerCurve, power_by_effect, power_by_sample_size};
pub use qq::{LinearFit, QqPlot, probplot};
pub use roc::{RocPoints, roc_points};
pub use scatter::{Binned2d, ScatterOptions, ScatterSummary, scatter};
