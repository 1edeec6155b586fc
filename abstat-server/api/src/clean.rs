//! `POST /datasets/clean/`: a cleaning plan applied to a dataset version,
//! previewed (nothing stored) or written as a new version. The plan and the
//! report are abstat-core's own serde types, never copies.

pub use abstat_core::clean::{CleanPlan, CleanReport, OpReport};
use serde::{Deserialize, Serialize};

/// Rows of the sample a preview shows (the first rows of the source).
pub const CLEAN_SAMPLE_ROWS: usize = 5;

/// `POST /datasets/clean/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CleanRequest {
    /// Dataset id.
    pub dataset_id: String,
    /// The version to clean (the newest when absent).
    #[serde(default)]
    pub version: Option<u32>,
    /// The operations, in order (abstat-core's `CleanPlan`:
    /// `{"ops": [{"op": "drop_missing", "columns": ["revenue"]}, …]}`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub plan: CleanPlan,
    /// Only report what the plan would do (and show a few rows before and
    /// after); store nothing.
    #[serde(default)]
    pub preview: bool,
}

/// A few rows as text (`None` for a missing value), with their columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SampleRows {
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<Option<String>>>,
}

/// The first rows of the source and what the plan made of them (dropped
/// rows are absent from `after`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CleanSample {
    /// The first [`CLEAN_SAMPLE_ROWS`] rows of the source version.
    pub before: SampleRows,
    /// The same rows after the plan.
    pub after: SampleRows,
}

/// The result of a clean job (`kind = clean`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CleanResult {
    /// Dataset id.
    pub dataset_id: String,
    /// The version that was cleaned.
    pub source_version: u32,
    /// The new version (its parent is `source_version`); `None` for a
    /// preview.
    pub version: Option<u32>,
    /// Whether this was a preview (nothing stored).
    pub preview: bool,
    /// Rows in and out, and per operation rows removed, cells changed,
    /// failed casts and fitted values (abstat-core's `CleanReport`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub report: CleanReport,
    /// A few rows before and after (previews only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<CleanSample>,
}
