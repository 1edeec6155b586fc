//! `POST /analytics/stat-tests/`, `POST /analytics/regression/` and
//! `POST /analytics/classification/`: checked at once against the dataset,
//! then run as jobs.

use abstat_api::{
    ClassificationRequest, ErrorBody, JobResponse, RegressionRequest, StatTestRequest, WaitQuery,
};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::jobs::submit;
use super::{AppState, Json, Query};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::jobs::analysis::AnalysisRequest;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/analytics/stat-tests/", post(stat_test))
        .route("/analytics/regression/", post(regression))
        .route("/analytics/classification/", post(classification))
}

/// Run a hypothesis test over dataset columns (t-tests, Mann–Whitney,
/// Wilcoxon, KS, chi-square, Fisher, correlations, ANOVA, Kruskal–Wallis,
/// Levene, Shapiro–Wilk) as a job. The result is a
/// `StatTestResult` (`kind = stat_test`).
#[utoipa::path(post, path = "/analytics/stat-tests/", tag = "analytics", security(("bearer" = [])),
    params(WaitQuery), request_body = StatTestRequest,
    responses((status = 202, description = "queued", body = JobResponse),
        (status = 200, description = "finished within ?wait= or cached", body = JobResponse),
        (status = 404, description = "no such dataset among yours", body = ErrorBody),
        (status = 422, description = "unknown_column, wrong_column_type, invalid_parameter or invalid_body", body = ErrorBody)))]
pub(super) async fn stat_test(
    State(state): State<AppState>,
    user: AuthUser,
    Query(wait): Query<WaitQuery>,
    Json(request): Json<StatTestRequest>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    submit(&state, &user, AnalysisRequest::StatTest(request), wait).await
}

/// Fit OLS, WLS or a logistic regression (categorical predictors
/// dummy-coded, robust standard errors on request) as a job. The result is
/// a `RegressionResult` (`kind = regression`).
#[utoipa::path(post, path = "/analytics/regression/", tag = "analytics", security(("bearer" = [])),
    params(WaitQuery), request_body = RegressionRequest,
    responses((status = 202, description = "queued", body = JobResponse),
        (status = 200, description = "finished within ?wait= or cached", body = JobResponse),
        (status = 404, description = "no such dataset among yours", body = ErrorBody),
        (status = 422, description = "unknown_column, wrong_column_type, invalid_parameter or invalid_body", body = ErrorBody)))]
pub(super) async fn regression(
    State(state): State<AppState>,
    user: AuthUser,
    Query(wait): Query<WaitQuery>,
    Json(request): Json<RegressionRequest>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    submit(&state, &user, AnalysisRequest::Regression(request), wait).await
}

/// Train a classifier (logistic regression, naive Bayes, decision tree,
/// random forest, k-NN, gradient boosting, linear SVM) on a stratified
/// train/test split, optionally cross-validated, as a job. The result is a
/// `ClassificationResult` (`kind = classification`).
#[utoipa::path(post, path = "/analytics/classification/", tag = "analytics", security(("bearer" = [])),
    params(WaitQuery), request_body = ClassificationRequest,
    responses((status = 202, description = "queued", body = JobResponse),
        (status = 200, description = "finished within ?wait= or cached", body = JobResponse),
        (status = 404, description = "no such dataset among yours", body = ErrorBody),
        (status = 422, description = "unknown_column, wrong_column_type, invalid_parameter or invalid_body", body = ErrorBody)))]
pub(super) async fn classification(
    State(state): State<AppState>,
    user: AuthUser,
    Query(wait): Query<WaitQuery>,
    Json(request): Json<ClassificationRequest>,
) -> Result<(StatusCode, Json<JobResponse>), ApiError> {
    submit(
        &state,
        &user,
        AnalysisRequest::Classification(request),
        wait,
    )
    .await
}
