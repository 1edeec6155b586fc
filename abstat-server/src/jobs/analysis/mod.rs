//! The analyses a job runs: one request type per route (from abstat-api),
//! checked synchronously against the dataset's columns before a job is
//! created ([`AnalysisRequest::check`]), and run by a worker on the columns
//! it needs ([`run`]). No statistics here: every number comes from
//! abstat-core.

mod ab;
mod chart;
mod classification;
mod clean;
mod columns;
mod regression;
mod stat_test;

use abstat_api::{
    AbTestRequest, AnalysisResult, ClassificationRequest, CleanRequest, RegressionRequest,
    StatTestRequest,
};
use abstat_io::store::{ColumnInfo, DatasetStore};
use serde::{Deserialize, Serialize};

use super::queue::JobKind;

pub use chart::{ChartColumns, ChartOfJob, ChartRequest, ChartSize, MAX_BARS, result_charts};
pub use clean::{PlanError, check_plan, plan_error};
pub use columns::{ColumnRole, labels, load_columns};

/// An analysis request, as stored in a job's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "request", rename_all = "snake_case")]
pub enum AnalysisRequest {
    /// `POST /analytics/stat-tests/`.
    StatTest(StatTestRequest),
    /// `POST /analytics/regression/`.
    Regression(RegressionRequest),
    /// `POST /analytics/classification/`.
    Classification(ClassificationRequest),
    /// `POST /ab-tests/run/`.
    AbTest(AbTestRequest),
    /// `POST /datasets/clean/` (the plan is checked against the schema by
    /// [`check_plan`] before the job is created).
    Clean(CleanRequest),
    /// `GET /analytics/visualize/`.
    Chart(Box<ChartRequest>),
}

/// A request the client must fix, found before a job is created.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    /// The dataset has no such column.
    UnknownColumn {
        /// The column asked for.
        column: String,
        /// The dataset's columns.
        available: Vec<String>,
    },
    /// The column's type cannot serve its role.
    WrongColumnType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
        /// What would work.
        expected: &'static str,
    },
    /// A parameter outside its allowed values.
    Parameter {
        /// The parameter.
        name: String,
        /// What was given.
        value: String,
        /// The allowed values.
        expected: String,
    },
}

impl Invalid {
    /// Shorthand for [`Invalid::Parameter`].
    pub fn parameter(name: &str, value: impl ToString, expected: impl Into<String>) -> Self {
        Invalid::Parameter {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// Why a job could not produce a result.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// The data or the request cannot give a result (the client's to fix):
    /// the job fails with this reason, no retry.
    Client(String),
    /// Storage trouble that may pass: retry with backoff.
    Transient(String),
}

impl From<abstat_core::Error> for RunError {
    fn from(e: abstat_core::Error) -> Self {
        RunError::Client(e.to_string())
    }
}

impl From<abstat_io::Error> for RunError {
    fn from(e: abstat_io::Error) -> Self {
        use abstat_io::Error as E;
        match e {
            E::Io { .. } => RunError::Transient(e.to_string()),
            _ => RunError::Client(e.to_string()),
        }
    }
}

/// The column named by an optional request field, or the parameter error
/// saying that `who` needs it.
pub(crate) fn required_column<'a>(
    field: &'a Option<String>,
    name: &str,
    who: &str,
) -> Result<&'a str, Invalid> {
    field.as_deref().ok_or_else(|| {
        Invalid::parameter(name, "missing", format!("a column name: {who} needs it"))
    })
}

pub(crate) fn check_alpha(alpha: f64) -> Result<(), Invalid> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(Invalid::parameter(
            "alpha",
            alpha,
            "a number strictly between 0 and 1, e.g. 0.05",
        ))
    }
}

impl AnalysisRequest {
    /// The job kind.
    pub fn kind(&self) -> JobKind {
        match self {
            AnalysisRequest::StatTest(_) => JobKind::StatTest,
            AnalysisRequest::Regression(_) => JobKind::Regression,
            AnalysisRequest::Classification(_) => JobKind::Classification,
            AnalysisRequest::AbTest(_) => JobKind::AbTest,
            AnalysisRequest::Clean(_) => JobKind::Clean,
            AnalysisRequest::Chart(_) => JobKind::Chart,
        }
    }

    /// The dataset it reads.
    pub fn dataset_id(&self) -> &str {
        match self {
            AnalysisRequest::StatTest(r) => &r.dataset_id,
            AnalysisRequest::Regression(r) => &r.dataset_id,
            AnalysisRequest::Classification(r) => &r.dataset_id,
            AnalysisRequest::AbTest(r) => &r.dataset_id,
            AnalysisRequest::Clean(r) => &r.dataset_id,
            AnalysisRequest::Chart(r) => &r.dataset_id,
        }
    }

    /// The dataset version asked for (`None`: the newest).
    pub fn version(&self) -> Option<u32> {
        match self {
            AnalysisRequest::StatTest(r) => r.version,
            AnalysisRequest::Regression(r) => r.version,
            AnalysisRequest::Classification(r) => r.version,
            AnalysisRequest::AbTest(r) => r.version,
            AnalysisRequest::Clean(r) => r.version,
            AnalysisRequest::Chart(r) => r.version,
        }
    }

    /// Fix the dataset version (the newest at submission), so the job and
    /// its cache key refer to data that cannot change.
    pub fn pin_version(&mut self, version: u32) {
        match self {
            AnalysisRequest::StatTest(r) => r.version = Some(version),
            AnalysisRequest::Regression(r) => r.version = Some(version),
            AnalysisRequest::Classification(r) => r.version = Some(version),
            AnalysisRequest::AbTest(r) => r.version = Some(version),
            AnalysisRequest::Clean(r) => r.version = Some(version),
            AnalysisRequest::Chart(r) => r.version = Some(version),
        }
    }

    /// The parameters' own checks, then the columns' existence and types.
    pub fn check(&self, columns: &[ColumnInfo]) -> Result<(), Invalid> {
        let needs = match self {
            AnalysisRequest::StatTest(r) => stat_test::check(r)?,
            AnalysisRequest::Regression(r) => regression::check(r)?,
            AnalysisRequest::Classification(r) => classification::check(r)?,
            AnalysisRequest::AbTest(r) => ab::check(r)?,
            AnalysisRequest::Clean(_) => Vec::new(),
            AnalysisRequest::Chart(r) => r.check()?,
        };
        columns::check(&needs, columns)
    }

    /// The columns a worker loads.
    pub fn columns(&self) -> Vec<String> {
        let needs = match self {
            AnalysisRequest::StatTest(r) => stat_test::check(r),
            AnalysisRequest::Regression(r) => regression::check(r),
            AnalysisRequest::Classification(r) => classification::check(r),
            AnalysisRequest::AbTest(r) => ab::check(r),
            AnalysisRequest::Clean(_) => Ok(Vec::new()),
            AnalysisRequest::Chart(r) => r.check(),
        };
        let mut names: Vec<String> = needs
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Run `request` on version `version` of its dataset in `store`, loading
/// only the columns it needs (a clean job reads them all). Blocking: call
/// it from a blocking task.
pub fn run(
    store: &dyn DatasetStore,
    request: &AnalysisRequest,
    version: u32,
) -> Result<AnalysisResult, RunError> {
    let batch = || load_columns(store, request.dataset_id(), version, &request.columns());
    Ok(match request {
        AnalysisRequest::StatTest(r) => AnalysisResult::StatTest(stat_test::run(&batch()?, r)?),
        AnalysisRequest::Regression(r) => {
            AnalysisResult::Regression(regression::run(&batch()?, r)?)
        }
        AnalysisRequest::Classification(r) => {
            AnalysisResult::Classification(Box::new(classification::run(&batch()?, r)?))
        }
        AnalysisRequest::AbTest(r) => AnalysisResult::AbTest(ab::run(&batch()?, r)?),
        AnalysisRequest::Clean(r) => AnalysisResult::Clean(clean::run(store, r, version)?),
        AnalysisRequest::Chart(r) => AnalysisResult::Chart(chart::run(store, r, version)?),
    })
}
