//! The HTTP API: one [`app`] function builds the whole router, so tests can
//! drive it with `tower::ServiceExt::oneshot` and `main` can serve it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use serde_json::json;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    data_dir: PathBuf,
}

impl AppState {
    /// State for a server keeping its data in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        AppState {
            inner: Arc::new(Inner { data_dir }),
        }
    }
}

/// The whole HTTP API.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// Liveness: the process answers.
async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// Readiness: the data directory can be written to.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let dir = state.inner.data_dir.clone();
    let probe = tokio::task::spawn_blocking(move || {
        let path = dir.join(".readyz");
        std::fs::write(&path, b"ok").and_then(|()| std::fs::remove_file(&path))
    })
    .await;
    match probe {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "data directory is not writable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "not ready", "reason": "the data directory is not writable" }),
                ),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "readiness probe panicked");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not ready", "reason": "internal error" })),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    async fn get_json(app: Router, uri: &str) -> (StatusCode, serde_json::Value) {
        let res = app
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn healthz_answers_ok_with_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let (status, body) = get_json(app(AppState::new(dir.path().into())), "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], "ok");
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    }

    #[tokio::test]
    async fn readyz_reports_an_unwritable_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let (status, _) = get_json(app(AppState::new(dir.path().into())), "/readyz").await;
        assert_eq!(status, StatusCode::OK);
        let missing = dir.path().join("does/not/exist");
        let (status, body) = get_json(app(AppState::new(missing)), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["reason"], "the data directory is not writable");
    }
}
