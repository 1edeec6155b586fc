//! `GET /jobs/{id}/`, and the submission path every analysis route shares:
//! dataset ownership (404), the request's checks against the dataset's
//! columns (422), the result cache, the job, and `?wait=`.

use abstat_api::{ErrorBody, JobLinks, JobResponse, WaitQuery};
use abstat_io::store::VersionInfo;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::cache::result_key;
use crate::error::ApiError;
use crate::jobs::analysis::{AnalysisRequest, Invalid};
use crate::jobs::queue::JobKind;
use crate::jobs::store::{JobRow, NewJob};
use crate::jobs::{SubmitError, wait_duration};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/jobs/{id}/", get(job))
}

pub(super) fn job_not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("there is no job '{id}' among yours"),
    )
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        let unprocessable =
            |code, message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
        match e {
            Invalid::UnknownColumn { column, available } => unprocessable(
                "unknown_column",
                format!(
                    "the dataset has no column '{column}'; its columns are: {}",
                    available.join(", ")
                ),
            )
            .with_details(serde_json::json!({ "column": column, "available": available })),
            Invalid::WrongColumnType {
                column,
                data_type,
                expected,
            } => unprocessable(
                "wrong_column_type",
                format!("column '{column}' has type {data_type}, but {expected} is needed here"),
            )
            .with_details(serde_json::json!({
                "column": column, "data_type": data_type, "expected": expected
            })),
            Invalid::Parameter {
                name,
                value,
                expected,
            } => unprocessable(
                "invalid_parameter",
                format!("invalid {name} = {value}: expected {expected}"),
            )
            .with_details(serde_json::json!({ "name": name, "value": value, "allowed": expected })),
        }
    }
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::Store(e) => e.into(),
            SubmitError::TooManyJobs { limit, active } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_jobs",
                format!(
                    "you have {active} jobs queued or running and at most {limit} may be \
                     (ABSTAT_MAX_JOBS_PER_USER); wait for one to finish (GET /jobs/{{id}}/?wait=30), \
                     then submit again"
                ),
            )
            .with_details(serde_json::json!({ "limit": limit, "active": active })),
            SubmitError::Queue(e) => {
                tracing::error!(error = %e, "cannot queue a job");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "queue_unavailable",
                    "the job queue is unavailable; try again shortly",
                )
            }
        }
    }
}

/// The API's view of a job (without its result).
pub(super) fn view(job: JobRow, result: Option<serde_json::Value>) -> JobResponse {
    let link = |path: &str| Some(format!("/jobs/{}/{path}", job.id));
    let (image, export) = match job.kind {
        JobKind::Chart => (link("image"), None),
        _ => (None, link("export/")),
    };
    JobResponse {
        links: JobLinks {
            self_: format!("/jobs/{}/", job.id),
            image,
            export,
        },
        job_id: job.id,
        kind: job.kind.as_str().to_string(),
        status: job.status,
        dataset_id: job.dataset_id,
        dataset_version: job.dataset_version,
        attempt: job.attempt,
        cached: job.cached,
        error: job.error,
        result,
        created_at: job.created_at,
        started_at: job.started_at,
        finished_at: job.finished_at,
    }
}

/// The stored result of a succeeded job, as JSON.
pub(super) async fn stored_result(
    state: &AppState,
    job: &JobRow,
) -> Result<Option<serde_json::Value>, ApiError> {
    if job.status != abstat_api::JobStatus::Succeeded {
        return Ok(None);
    }
    state
        .metadata()
        .job_result(&job.id)
        .await?
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|e| ApiError::internal("a stored job result", e))
}

/// The API's view of a job, with its result when it has one: `202` while
/// it runs, `200` once finished.
async fn render(
    state: &AppState,
    job: JobRow,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let result = stored_result(state, &job).await?;
    let status = if job.status.is_finished() {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(view(job, result))))
}

/// Version `version` (the newest when `None`) of the caller's dataset
/// `dataset_id`; another user's dataset is 404 like a missing one.
pub(super) async fn dataset_version(
    state: &AppState,
    user: &AuthUser,
    dataset_id: &str,
    version: Option<u32>,
) -> Result<VersionInfo, ApiError> {
    state
        .metadata()
        .dataset(&user.id, dataset_id)
        .await?
        .ok_or_else(|| super::datasets::not_found(dataset_id))?;
    let store = state.datasets();
    let id = dataset_id.to_string();
    let info = tokio::task::spawn_blocking(move || store.describe(&id))
        .await
        .map_err(|e| ApiError::internal("describing a dataset", e))?
        .map_err(super::datasets::io_error)?;
    match version {
        None => info.latest(),
        Some(n) => info.versions.iter().find(|v| v.version == n),
    }
    .cloned()
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "dataset '{dataset_id}' has no version {}; it has versions 1 to {}",
                version.unwrap_or(0),
                info.versions.len()
            ),
        )
    })
}

/// Queue a checked request whose version is pinned to `version` (or
/// answer it from the cache), within the caller's job limit.
pub(super) async fn enqueue(
    state: &AppState,
    user: &AuthUser,
    request: &AnalysisRequest,
    version: u32,
) -> Result<JobRow, ApiError> {
    let body = serde_json::to_value(request).map_err(|e| ApiError::internal("a request", e))?;
    let kind = request.kind();
    let dataset_id = request.dataset_id().to_string();
    let job = NewJob {
        owner_id: user.id.clone(),
        kind,
        cache_key: Some(result_key(&dataset_id, version, kind.as_str(), &body)),
        dataset_id,
        dataset_version: version,
        request: body,
    };
    let limit = state.settings().max_jobs_per_user;
    Ok(state
        .jobs()
        .submit(state.metadata(), job, Some(limit))
        .await?)
}

/// Wait up to `wait` for `row` to finish (at once when it is finished).
pub(super) async fn wait_for(
    state: &AppState,
    user: &AuthUser,
    row: JobRow,
    wait: std::time::Duration,
) -> Result<JobRow, ApiError> {
    if row.status.is_finished() || wait.is_zero() {
        return Ok(row);
    }
    state
        .jobs()
        .wait(state.metadata(), &user.id, &row.id, wait)
        .await?
        .ok_or_else(|| job_not_found(&row.id))
}

/// Validate `request` against the caller's dataset, then answer from the
/// cache or queue a job; wait up to `?wait=` for it.
pub(super) async fn submit(
    state: &AppState,
    user: &AuthUser,
    mut request: AnalysisRequest,
    wait: WaitQuery,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let version = dataset_version(state, user, request.dataset_id(), request.version()).await?;
    request.check(&version.columns)?;
    request.pin_version(version.version);
    let row = enqueue(state, user, &request, version.version).await?;
    render_after(state, user, row, wait).await
}

/// Wait up to `?wait=` for `row`, then render it.
pub(super) async fn render_after(
    state: &AppState,
    user: &AuthUser,
    row: JobRow,
    wait: WaitQuery,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let row = wait_for(state, user, row, wait_duration(wait.wait)).await?;
    render(state, row).await
}

/// One of the caller's jobs, or 404.
pub(super) async fn owned_job(
    state: &AppState,
    user: &AuthUser,
    id: &str,
) -> Result<JobRow, ApiError> {
    state
        .metadata()
        .job(&user.id, id)
        .await?
        .ok_or_else(|| job_not_found(id))
}

/// One of the caller's jobs: `202` while it runs, `200` with the result (or
/// the reason it failed) once finished.
#[utoipa::path(get, path = "/jobs/{id}/", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "job id"), WaitQuery),
    responses((status = 200, description = "finished", body = JobResponse),
        (status = 202, description = "queued or running", body = JobResponse),
        (status = 404, body = ErrorBody)))]
pub(super) async fn job(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<WaitQuery>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let row = state
        .jobs()
        .wait(state.metadata(), &user.id, &id, wait_duration(q.wait))
        .await?
        .ok_or_else(|| job_not_found(&id))?;
    render(&state, row).await
}
