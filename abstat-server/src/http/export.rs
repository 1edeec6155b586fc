//! `GET /jobs/{id}/export/?format=csv|xlsx`: a finished analysis as a
//! document (the bot's "the full result as a document"), its tables
//! flattened by [`crate::jobs::tables`] and written by abstat-io's export.

use abstat_api::{AnalysisResult, ErrorBody, ExportQuery, JobStatus};
use abstat_io::export::{ExportFormat, ExportOptions, export_batches};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::jobs::{owned_job, stored_result};
use super::{AppState, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::Invalid;
use crate::jobs::store::JobRow;
use crate::jobs::tables::table;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/jobs/{id}/export/", get(export))
}

/// 409 for a job without a result yet (or ever).
pub(super) fn not_finished(job: &JobRow) -> ApiError {
    let (code, message) = match job.status {
        JobStatus::Failed => (
            "job_failed",
            format!(
                "job '{}' failed, so it has no result: {}",
                job.id,
                job.error.as_deref().unwrap_or("no reason recorded")
            ),
        ),
        _ => (
            "not_finished",
            format!(
                "job '{}' is {}; wait for it with GET /jobs/{}/?wait=30",
                job.id,
                job.status.as_str(),
                job.id
            ),
        ),
    };
    ApiError::new(StatusCode::CONFLICT, code, message)
        .with_details(serde_json::json!({ "job_id": job.id, "status": job.status }))
}

/// One of the caller's finished analyses as a CSV (UTF-8 with a byte-order
/// mark, so Excel reads it) or XLSX document: an A/B analysis as one row
/// per metric × treatment, a regression as its coefficient table, a
/// classification as its per-class report, a cleaning run as one row per
/// operation, a hypothesis test as `field, value` rows.
#[utoipa::path(get, path = "/jobs/{id}/export/", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "job id"), ExportQuery),
    responses((status = 200, description = "the document", content((Vec<u8> = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not_finished or job_failed", body = ErrorBody),
        (status = 422, description = "invalid_parameter (format) or not_exportable", body = ErrorBody)))]
pub(super) async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match q.format.as_deref().unwrap_or("csv") {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        other => return Err(Invalid::parameter("format", other, "one of: csv, xlsx").into()),
    };
    let job = owned_job(&state, &user, &id).await?;
    if job.status != JobStatus::Succeeded {
        return Err(not_finished(&job));
    }
    let value = stored_result(&state, &job).await?.unwrap_or_default();
    let unexportable = |why: &str| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_exportable",
            format!("the result of job '{id}' cannot be exported: {why}"),
        )
    };
    let result: AnalysisResult = serde_json::from_value(value).map_err(|_| {
        unexportable("it holds missing (NaN) statistics; run it with nan_policy = omit")
    })?;
    let table = table(&result)
        .ok_or_else(|| unexportable(&format!("it is an image; GET /jobs/{id}/image fetches it")))?;
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, ApiError> {
        let batch = table
            .to_batch()
            .map_err(|e| ApiError::internal("a result table", e))?;
        let options = ExportOptions {
            format,
            bom: format == ExportFormat::Csv,
            ..ExportOptions::default()
        };
        let mut out = Vec::new();
        export_batches(
            &batch.schema(),
            &mut std::iter::once(Ok(batch)),
            &mut out,
            &options,
        )
        .map_err(|e| ApiError::internal("exporting a result", e))?;
        Ok(out)
    })
    .await
    .map_err(|e| ApiError::internal("exporting a result", e))??;
    let file = format!("{}-{}.{}", job.kind.as_str(), job.id, format.extension());
    Ok((
        [
            (CONTENT_TYPE, format.mime().to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
