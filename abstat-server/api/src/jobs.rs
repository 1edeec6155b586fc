//! Jobs: what an analysis route answers and what `GET /jobs/{id}/` shows.

use serde::{Deserialize, Serialize};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Accepted, waiting for a worker.
    Queued,
    /// A worker is running it.
    Running,
    /// Finished; the result is stored.
    Succeeded,
    /// Finished without a result; `error` says why.
    Failed,
}

impl JobStatus {
    /// The snake_case name, as stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
        }
    }

    /// Whether the job will not change any more.
    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Succeeded | JobStatus::Failed)
    }
}

impl std::str::FromStr for JobStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            other => return Err(format!("unknown job status '{other}'")),
        })
    }
}

/// Links of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobLinks {
    /// `GET` this to follow the job (`/jobs/{id}/`; add `?wait=SECONDS`).
    #[serde(rename = "self")]
    pub self_: String,
    /// Chart jobs: `GET` this for the image (`202` until it is rendered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Other jobs: `GET` this (`?format=csv|xlsx`) for the result as a
    /// document once the job succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export: Option<String>,
}

/// A job as the API shows it: `202` while it runs, `200` once finished
/// (with the result inline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobResponse {
    /// Job id.
    pub job_id: String,
    /// `stat_test`, `regression`, `classification`, `ab_test`, `clean` or
    /// `chart`.
    pub kind: String,
    /// Status.
    pub status: JobStatus,
    /// The dataset analysed.
    pub dataset_id: String,
    /// The dataset version analysed (the newest at submission unless given).
    pub dataset_version: u32,
    /// Deliveries to a worker so far.
    pub attempt: u32,
    /// Whether the result came from the result cache (the same analysis of
    /// the same dataset version ran before).
    pub cached: bool,
    /// Why the job failed, for a person.
    pub error: Option<String>,
    /// The result once `status` is `succeeded`: one of the shapes of
    /// [`crate::AnalysisResult`], tagged by `kind`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub result: Option<serde_json::Value>,
    /// Submission time, milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When a worker started it.
    pub started_at: Option<i64>,
    /// When it finished.
    pub finished_at: Option<i64>,
    /// Links.
    pub links: JobLinks,
}

impl JobResponse {
    /// The result as a typed [`crate::AnalysisResult`], if there is one.
    ///
    /// Note: NaN statistics (from `nan_policy = propagate`) are sent as
    /// JSON `null`, which a typed result cannot hold; such results fail
    /// here and are still readable from [`JobResponse::result`].
    pub fn analysis(&self) -> Option<serde_json::Result<crate::AnalysisResult>> {
        self.result.clone().map(serde_json::from_value)
    }
}

/// Query of the analysis routes and `GET /jobs/{id}/`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct WaitQuery {
    /// Wait up to this many seconds (at most 60) for the job to finish; the
    /// finished job comes back with `200` and its result inline.
    pub wait: Option<f64>,
}

/// Query of `GET /jobs/{id}/export/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
}
