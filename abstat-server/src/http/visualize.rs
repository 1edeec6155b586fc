//! `GET /analytics/visualize/` and `GET /jobs/{id}/image`: charts rendered
//! by chart jobs. The route checks the query (422 with the allowed values),
//! the dataset or analysis job (404 for another user's), queues the chart
//! (or finds it in the result cache) and waits up to `?wait=` for the
//! image; a chart not ready in time is answered `202` with the job and a
//! link to its image.

use std::str::FromStr;

use abstat_api::{
    AnalysisResult, ChartFormat, ChartLang, ChartTheme, ChartType, ErrorBody, JobResponse,
    JobStatus, VisualizeQuery, WaitQuery,
};
use abstat_io::charts::SIZE_LIMITS;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;

use super::export::not_finished;
use super::jobs::{dataset_version, enqueue, owned_job, stored_result, view, wait_for};
use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::{
    AnalysisRequest, ChartColumns, ChartOfJob, ChartRequest, ChartSize, Invalid, result_charts,
};
use crate::jobs::queue::JobKind;
use crate::jobs::store::JobRow;
use crate::jobs::wait_duration;

/// Seconds `GET /analytics/visualize/` waits for the image by default.
pub const DEFAULT_WAIT_SECS: f64 = 5.0;

/// The default image size, phone-friendly.
pub const DEFAULT_SIZE: (u32, u32) = (1280, 800);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/visualize/", get(visualize))
        .route("/jobs/{id}/image", get(image))
}

/// `value` of query parameter `name` parsed, or `default` when absent.
fn choice<T: FromStr<Err = String>>(
    name: &str,
    value: Option<&str>,
    default: T,
) -> Result<T, Invalid> {
    value.map_or(Ok(default), |v| {
        v.parse()
            .map_err(|allowed| Invalid::parameter(name, v, allowed))
    })
}

fn side(name: &str, value: Option<u32>, default: u32) -> Result<u32, Invalid> {
    let v = value.unwrap_or(default);
    let (lo, hi) = SIZE_LIMITS;
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(Invalid::parameter(name, v, format!("{lo} to {hi} pixels")))
    }
}

fn missing(name: &str, expected: impl Into<String>) -> Invalid {
    Invalid::parameter(name, "missing", expected)
}

/// The chart a result-chart query asks for, from the caller's finished job.
async fn of_job(
    state: &AppState,
    user: &AuthUser,
    kind: ChartType,
    job_id: &str,
) -> Result<(String, u32, ChartOfJob), ApiError> {
    let source = owned_job(state, user, job_id).await?;
    let allowed = result_charts(source.kind);
    if !allowed.contains(&kind) {
        let names: Vec<&str> = allowed.iter().map(|k| k.as_str()).collect();
        return Err(Invalid::parameter(
            "kind",
            kind.as_str(),
            if names.is_empty() {
                format!("none: a {} job has no chart", source.kind)
            } else {
                format!("for a {} job one of: {}", source.kind, names.join(", "))
            },
        )
        .into());
    }
    if source.status != JobStatus::Succeeded {
        return Err(not_finished(&source));
    }
    let result = stored_result(state, &source).await?.unwrap_or_default();
    let regression = match serde_json::from_value(source.request.clone()) {
        Ok(AnalysisRequest::Regression(r)) if kind == ChartType::Residuals => Some(r),
        _ => None,
    };
    Ok((
        source.dataset_id,
        source.dataset_version,
        ChartOfJob {
            job_id: job_id.to_string(),
            result,
            regression,
        },
    ))
}

/// Render a chart of a dataset (`dataset_id`, `kind` and its columns) or of
/// a finished analysis (`job_id` and `kind`), as PNG or SVG. The image
/// comes back as it is when ready within `?wait=` (default 5 s); else
/// `202` with the chart job, whose `links.image` serves it when done.
/// Charts are cached like analyses.
#[utoipa::path(get, path = "/analytics/visualize/", tag = "analytics", security(("bearer" = [])),
    params(VisualizeQuery),
    responses((status = 200, description = "the image", content((Vec<u8> = "image/png"), (Vec<u8> = "image/svg+xml"))),
        (status = 202, description = "still rendering: the chart job", body = JobResponse),
        (status = 404, description = "no such dataset or job among yours", body = ErrorBody),
        (status = 409, description = "the analysis job has not finished (not_finished, job_failed)", body = ErrorBody),
        (status = 422, description = "invalid_parameter (kind, format, lang, theme, size, missing column) with the allowed values, unknown_column, wrong_column_type, chart_failed", body = ErrorBody),
        (status = 429, description = "too_many_jobs", body = ErrorBody)))]
pub(super) async fn visualize(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<VisualizeQuery>,
) -> Result<Response, ApiError> {
    let kind: ChartType = choice("kind", Some(&q.kind), ChartType::Histogram)?;
    let format = choice("format", q.format.as_deref(), ChartFormat::Png)?;
    let lang = choice("lang", q.lang.as_deref(), ChartLang::En)?;
    let theme = choice("theme", q.theme.as_deref(), ChartTheme::Light)?;
    let size = ChartSize {
        width: side("width", q.width, DEFAULT_SIZE.0)?,
        height: side("height", q.height, DEFAULT_SIZE.1)?,
    };
    let mut request = ChartRequest {
        kind,
        dataset_id: String::new(),
        version: None,
        columns: ChartColumns::default(),
        job: None,
        format,
        lang,
        theme,
        size,
    };
    let version = if kind.of_result() {
        let job_id = q.job_id.as_deref().ok_or_else(|| {
            missing(
                "job_id",
                format!(
                    "the id of your finished analysis job (kind={})",
                    kind.as_str()
                ),
            )
        })?;
        let (dataset_id, version, job) = of_job(&state, &user, kind, job_id).await?;
        request.dataset_id = dataset_id;
        request.job = Some(job);
        version
    } else {
        let dataset_id = q.dataset_id.as_deref().ok_or_else(|| {
            missing(
                "dataset_id",
                "the id of one of your datasets (or job_id for a chart of an analysis)",
            )
        })?;
        let version = dataset_version(&state, &user, dataset_id, q.version).await?;
        request.dataset_id = dataset_id.to_string();
        request.columns = ChartColumns {
            column: q.column.clone(),
            columns: q
                .columns
                .iter()
                .flat_map(|c| c.split(','))
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            x: q.x.clone(),
            y: q.y.clone(),
            group: q.group.clone(),
        };
        AnalysisRequest::Chart(Box::new(request.clone())).check(&version.columns)?;
        version.version
    };
    request.version = Some(version);
    let row = enqueue(
        &state,
        &user,
        &AnalysisRequest::Chart(Box::new(request)),
        version,
    )
    .await?;
    let wait = wait_duration(Some(q.wait.unwrap_or(DEFAULT_WAIT_SECS)));
    let row = wait_for(&state, &user, row, wait).await?;
    image_of(&state, row).await
}

/// The image of a chart job: `200` with the bytes when it succeeded, `202`
/// with the job while it runs, `422 chart_failed` with the reason when the
/// data could not make the chart.
async fn image_of(state: &AppState, job: JobRow) -> Result<Response, ApiError> {
    match job.status {
        JobStatus::Succeeded => {
            let value = stored_result(state, &job).await?.unwrap_or_default();
            let Ok(AnalysisResult::Chart(image)) = serde_json::from_value(value) else {
                return Err(ApiError::internal(
                    "a chart job's result",
                    format!("job {} has no image result", job.id),
                ));
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&image.data)
                .map_err(|e| ApiError::internal("a stored chart image", e))?;
            Ok((
                [
                    (CONTENT_TYPE, image.content_type),
                    (CACHE_CONTROL, "private, max-age=86400".to_string()),
                ],
                bytes,
            )
                .into_response())
        }
        JobStatus::Failed => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "chart_failed",
            job.error
                .clone()
                .unwrap_or_else(|| "the chart could not be drawn".into()),
        )
        .with_details(serde_json::json!({ "job_id": job.id }))),
        JobStatus::Queued | JobStatus::Running => {
            Ok((StatusCode::ACCEPTED, Json(view(job, None))).into_response())
        }
    }
}

/// The image of one of the caller's chart jobs (see
/// `GET /analytics/visualize/`), waiting up to `?wait=` for it.
#[utoipa::path(get, path = "/jobs/{id}/image", tag = "jobs", security(("bearer" = [])),
    params(("id" = String, Path, description = "chart job id"), WaitQuery),
    responses((status = 200, description = "the image", content((Vec<u8> = "image/png"), (Vec<u8> = "image/svg+xml"))),
        (status = 202, description = "still rendering", body = JobResponse),
        (status = 404, description = "no such chart job among yours", body = ErrorBody),
        (status = 422, description = "chart_failed", body = ErrorBody)))]
pub(super) async fn image(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Query(q): Query<WaitQuery>,
) -> Result<Response, ApiError> {
    let job = owned_job(&state, &user, &id).await?;
    if job.kind != JobKind::Chart {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!(
                "job '{id}' is a {} job and has no image; its result is at /jobs/{id}/",
                job.kind
            ),
        ));
    }
    let job = wait_for(&state, &user, job, wait_duration(q.wait)).await?;
    image_of(&state, job).await
}
