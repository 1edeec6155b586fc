//! The cleaning plan: a list of operations, written by hand as JSON (the body
//! of `POST /datasets/clean/`) or built by the bot's Clean dialogue.
//!
//! ```json
//! {"ops": [
//!   {"op": "drop_missing", "columns": ["revenue"]},
//!   {"op": "fill_missing", "columns": ["pre"], "method": "median"},
//!   {"op": "drop_duplicates"},
//!   {"op": "outliers_iqr", "columns": ["revenue"], "k": 1.5, "action": "cap"},
//!   {"op": "cast", "columns": ["converted"], "to": "bool"},
//!   {"op": "normalize_text", "columns": ["variant"], "case": "lower"},
//!   {"op": "filter", "column": "variant", "cmp": "in", "value": ["a", "b"]},
//!   {"op": "rename", "columns": {"pre": "pre_period"}},
//!   {"op": "drop_columns", "columns": ["comment"]}
//! ]}
//! ```
//!
//! Unknown operations, fields and option values are refused by serde with
//! the allowed names listed; [`crate::clean::Cleaner::new`] then checks the
//! plan against the dataset's schema, naming the operation (`ops[2]`), the
//! bad column or parameter and what is allowed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A cleaning plan: operations applied in order, each to the output of the
/// one before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanPlan {
    /// The operations, in order.
    pub ops: Vec<CleanOp>,
}

/// One cleaning operation. In JSON the `op` field names it (snake_case).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum CleanOp {
    /// Drop rows with missing values (null, or NaN in float columns — as
    /// pandas' `dropna`).
    DropMissing {
        /// Columns to look at; all when absent (`subset=` in pandas).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        columns: Option<Vec<String>>,
        /// Drop a row when any (default) or all of these are missing.
        #[serde(default)]
        how: MissingHow,
    },
    /// Replace missing values.
    FillMissing {
        /// The columns to fill.
        columns: Vec<String>,
        /// How the replacement is chosen.
        method: FillMethod,
        /// The replacement for `method: constant`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<Scalar>,
    },
    /// Drop rows equal to an earlier row (keep the first, as pandas'
    /// `drop_duplicates()`; missing values equal each other).
    DropDuplicates {
        /// Columns compared; all when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        columns: Option<Vec<String>>,
    },
    /// Tukey's rule: values outside `[Q1 − k·IQR, Q3 + k·IQR]` are outliers
    /// (quartiles by linear interpolation, as pandas' `quantile`).
    OutliersIqr {
        /// Numeric columns.
        columns: Vec<String>,
        /// The fence multiplier (1.5 by default; 3 for "far out").
        #[serde(default = "default_iqr_k")]
        k: f64,
        /// Drop the rows (default) or cap the values at the fences.
        #[serde(default)]
        action: OutlierAction,
    },
    /// Values with `|x − mean| / std > threshold` are outliers.
    OutliersZscore {
        /// Numeric columns.
        columns: Vec<String>,
        /// The threshold on |z| (3 by default).
        #[serde(default = "default_z")]
        threshold: f64,
        /// Delta degrees of freedom of the standard deviation: 0 (default)
        /// as scipy's `zscore`, 1 as pandas' `std()`.
        #[serde(default)]
        ddof: u8,
        /// Drop the rows (default) or cap the values at `mean ± threshold·std`.
        #[serde(default)]
        action: OutlierAction,
    },
    /// Percentile capping (winsorizing): values below the `lower` quantile
    /// or above the `upper` one are set to it (`clip(s.quantile(lower),
    /// s.quantile(upper))` in pandas).
    Winsorize {
        /// Numeric columns.
        columns: Vec<String>,
        /// The lower quantile, in [0, 1] (e.g. 0.01).
        lower: f64,
        /// The upper quantile, in [0, 1] (e.g. 0.99).
        upper: f64,
    },
    /// Convert columns to another type.
    Cast {
        /// The columns to convert.
        columns: Vec<String>,
        /// The target type.
        to: CastType,
        /// What a value that does not convert becomes.
        #[serde(default)]
        on_error: OnCastError,
    },
    /// Trim and normalise text.
    NormalizeText {
        /// Text columns; every text column when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        columns: Option<Vec<String>>,
        /// Remove leading and trailing whitespace (default true).
        #[serde(default = "yes")]
        trim: bool,
        /// Replace every run of whitespace by one space (default false).
        #[serde(default)]
        collapse_spaces: bool,
        /// Change case (default: keep).
        #[serde(default)]
        case: TextCase,
        /// Unicode canonical composition, NFC (default false).
        #[serde(default)]
        nfc: bool,
    },
    /// Rename columns: `{"old": "new", …}`.
    Rename {
        /// Old name → new name.
        columns: BTreeMap<String, String>,
    },
    /// Remove columns.
    DropColumns {
        /// The columns to remove.
        columns: Vec<String>,
    },
    /// Keep the rows where `column cmp value` holds.
    Filter {
        /// The column tested.
        column: String,
        /// The comparison.
        cmp: Cmp,
        /// A number, text or boolean; a list for `in` / `not_in`; absent
        /// for `is_null` / `not_null`. Dates and datetimes are written as
        /// ISO text ("2024-05-31", "2024-05-31T12:00:00").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<FilterValue>,
    },
}

fn default_iqr_k() -> f64 {
    1.5
}

fn default_z() -> f64 {
    3.0
}

fn yes() -> bool {
    true
}

impl CleanOp {
    /// The operation's name as written in a plan (`"drop_missing"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            CleanOp::DropMissing { .. } => "drop_missing",
            CleanOp::FillMissing { .. } => "fill_missing",
            CleanOp::DropDuplicates { .. } => "drop_duplicates",
            CleanOp::OutliersIqr { .. } => "outliers_iqr",
            CleanOp::OutliersZscore { .. } => "outliers_zscore",
            CleanOp::Winsorize { .. } => "winsorize",
            CleanOp::Cast { .. } => "cast",
            CleanOp::NormalizeText { .. } => "normalize_text",
            CleanOp::Rename { .. } => "rename",
            CleanOp::DropColumns { .. } => "drop_columns",
            CleanOp::Filter { .. } => "filter",
        }
    }
}

/// When [`CleanOp::DropMissing`] drops a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingHow {
    /// Any of the columns is missing.
    #[default]
    Any,
    /// All of the columns are missing.
    All,
}

/// How [`CleanOp::FillMissing`] chooses the replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillMethod {
    /// The column's mean (numeric columns; integers become floats).
    Mean,
    /// The column's median (numeric columns; integers become floats).
    Median,
    /// The most frequent value; the smallest of equally frequent ones, as
    /// pandas' `mode()[0]` (numbers, text, booleans).
    Mode,
    /// The plan's `value`.
    Constant,
    /// The last value seen above (pandas' `ffill`); leading missing values
    /// stay missing.
    Ffill,
}

/// What [`CleanOp::OutliersIqr`] and [`CleanOp::OutliersZscore`] do with
/// outliers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Drop rows where any of the columns is an outlier; rows with a missing
    /// value there are kept.
    #[default]
    Drop,
    /// Set outliers to the nearest bound (integer columns become floats).
    Cap,
}

/// Target types of [`CleanOp::Cast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CastType {
    /// 64-bit integers; floats are truncated toward zero.
    Int,
    /// 64-bit floats.
    Float,
    /// Booleans; text accepts true/false, t/f, yes/no, y/n, on/off, 1/0.
    Bool,
    /// UTF-8 text.
    String,
    /// Calendar dates (text as `YYYY-MM-DD`).
    Date,
    /// Timestamps with microsecond precision, no time zone (text as ISO 8601).
    Datetime,
}

/// What a value that does not convert becomes in [`CleanOp::Cast`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnCastError {
    /// A missing value, counted in the report (pandas' `errors="coerce"`).
    #[default]
    Null,
    /// Stop with an error naming the first such value.
    Fail,
}

/// Case change of [`CleanOp::NormalizeText`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextCase {
    /// Leave as is.
    #[default]
    Keep,
    /// Lower case (Unicode).
    Lower,
    /// Upper case (Unicode).
    Upper,
}

/// Comparisons of [`CleanOp::Filter`]. Missing values (null, NaN) satisfy
/// only `!=`, `not_in` and `is_null`, as in pandas' `query`. Numeric
/// columns are compared as 64-bit floats (integers beyond ±2^53 lose
/// precision, as in numpy); text compares by Unicode code points, as
/// Python's `str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cmp {
    /// Equal.
    #[serde(rename = "==")]
    Eq,
    /// Not equal.
    #[serde(rename = "!=")]
    Ne,
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal.
    #[serde(rename = "<=")]
    Le,
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal.
    #[serde(rename = ">=")]
    Ge,
    /// Equal to one of a list.
    #[serde(rename = "in")]
    In,
    /// Equal to none of a list.
    #[serde(rename = "not_in")]
    NotIn,
    /// Missing.
    #[serde(rename = "is_null")]
    IsNull,
    /// Not missing.
    #[serde(rename = "not_null")]
    NotNull,
}

/// A literal value in a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// Text (also dates and datetimes, in ISO form).
    Text(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Text(s) => write!(f, "'{s}'"),
        }
    }
}

/// The right-hand side of a [`CleanOp::Filter`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    /// One value.
    One(Scalar),
    /// A list, for `in` / `not_in`.
    Many(Vec<Scalar>),
}
