//! `GET /healthz` (the process answers) and `GET /readyz` (it can work).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "alive")))]
pub(super) async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness: the data directory is writable and the metadata store answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "ready"), (status = 503, description = "not ready, with the reason")))]
pub(super) async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let dir = state.data_dir().to_path_buf();
    let disk = tokio::task::spawn_blocking(move || {
        let path = dir.join(".readyz");
        std::fs::write(&path, b"ok").and_then(|()| std::fs::remove_file(&path))
    })
    .await;
    let reason = match disk {
        Ok(Ok(())) => match state.metadata().ping().await {
            Ok(()) => None,
            Err(e) => {
                tracing::warn!(error = %e, "metadata store does not answer");
                Some("the metadata database does not answer")
            }
        },
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "data directory is not writable");
            Some("the data directory is not writable")
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness probe panicked");
            Some("internal error")
        }
    };
    match reason {
        None => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason })),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use axum::http::StatusCode;

    #[tokio::test]
    async fn healthz_answers_ok_with_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = test_app(dir.path()).await;
        let (status, body) = send(&app, get("/healthz", None)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    }

    #[tokio::test]
    async fn readyz_reports_an_unwritable_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let (app, _) = test_app(dir.path()).await;
        assert_eq!(send(&app, get("/readyz", None)).await.0, StatusCode::OK);
        let gone = dir.path().join("gone");
        let (app, _) = test_app(&gone).await;
        std::fs::remove_dir_all(&gone).unwrap();
        let (status, body) = send(&app, get("/readyz", None)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["reason"], "the data directory is not writable");
    }
}
