//! `POST /datasets/clean/`: a cleaning plan checked against the caller's
//! dataset at once (404, 422), then run as a clean job — a preview (the
//! report and a few rows before and after, nothing stored) or a new
//! version whose parent is the cleaned one.

use abstat_api::{CleanRequest, ErrorBody, JobResponse, WaitQuery};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::jobs::{dataset_version, enqueue, render_after};
use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::{AnalysisRequest, PlanError, check_plan};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/datasets/clean/", post(clean))
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Invalid(i) => i.into(),
            PlanError::Refused(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_plan", message)
            }
        }
    }
}

/// Clean one of the caller's datasets with a plan of operations
/// (drop_missing, fill_missing, drop_duplicates, outliers_iqr,
/// outliers_zscore, winsorize, cast, normalize_text, rename, drop_columns,
/// filter) as a job. `preview: true` reports what the plan would do —
/// rows removed and cells changed per operation, a few rows before and
/// after — and stores nothing; otherwise the result is a new version
/// (`version`, its parent `source_version`) and the report. The result is a
/// `CleanResult` (`kind = clean`); the same plan on the same version is
/// answered from the result cache.
#[utoipa::path(post, path = "/datasets/clean/", tag = "datasets", security(("bearer" = [])),
    params(WaitQuery), request_body = CleanRequest,
    responses((status = 202, description = "queued", body = JobResponse),
        (status = 200, description = "finished within ?wait= or cached", body = JobResponse),
        (status = 404, description = "no such dataset (or version) among yours", body = ErrorBody),
        (status = 422, description = "unknown_column, invalid_plan, invalid_parameter or invalid_body", body = ErrorBody),
        (status = 429, description = "too_many_jobs", body = ErrorBody)))]
pub(super) async fn clean(
    State(state): State<AppState>,
    user: AuthUser,
    Query(wait): Query<WaitQuery>,
    Json(mut request): Json<CleanRequest>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    let version = dataset_version(&state, &user, &request.dataset_id, request.version).await?;
    let store = state.datasets();
    let (id, n, plan) = (
        request.dataset_id.clone(),
        version.version,
        request.plan.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let (schema, _) = store
            .read(&id, Some(n), None, 1)
            .map_err(super::datasets::io_error)?;
        check_plan(&plan, &schema).map_err(ApiError::from)
    })
    .await
    .map_err(|e| ApiError::internal("checking a cleaning plan", e))??;
    request.version = Some(version.version);
    let request = AnalysisRequest::Clean(request);
    let row = enqueue(&state, &user, &request, version.version).await?;
    render_after(&state, &user, row, wait).await
}
