//! The HTTP API: one [`app`] function builds the whole router from per-area
//! routers, so tests drive it with `tower::ServiceExt::oneshot` and `main`
//! serves it. Handlers parse, call one function, and render.

mod ab;
mod analytics;
mod auth;
mod clean;
mod datasets;
mod export;
mod health;
mod jobs;
mod limits;
mod openapi;
mod values;
mod visualize;

#[cfg(test)]
mod clean_tests;
#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod job_limit_tests;
#[cfg(test)]
mod job_tests;
#[cfg(test)]
mod visualize_tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

use abstat_io::store::LocalStore;

use crate::auth::Tokens;
use crate::config::HttpSettings;
use crate::error::ApiError;
use crate::jobs::Jobs;
use crate::jobs::worker::Datasets;
use crate::metrics::Metrics;
use crate::store::Metadata;
pub use limits::RateLimit;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    jobs: Jobs,
}

#[derive(Clone)]
struct Inner {
    data_dir: PathBuf,
    metadata: Metadata,
    tokens: Tokens,
    datasets: Datasets,
    settings: HttpSettings,
    rate_limit: Option<Arc<RateLimit>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("data_dir", &self.data_dir)
            .field("metadata", &self.metadata)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State for a server keeping its files in `data_dir` (datasets in
    /// `data_dir/datasets`).
    pub fn new(
        data_dir: PathBuf,
        metadata: Metadata,
        tokens: Tokens,
    ) -> Result<Self, abstat_io::Error> {
        let datasets: Datasets = Arc::new(LocalStore::open(data_dir.join("datasets"))?);
        Ok(AppState {
            jobs: Jobs::in_process(&metadata),
            inner: Arc::new(Inner {
                data_dir,
                metadata,
                tokens,
                datasets,
                settings: HttpSettings::default(),
                rate_limit: RateLimit::new(HttpSettings::default().rate_limit_per_minute),
            }),
        })
    }

    /// The same state with these limits and CORS policy. Call before the
    /// state is shared (it is cheap either way: a fresh copy).
    pub fn with_settings(self, settings: HttpSettings) -> Self {
        self.with_inner(|inner| {
            inner.rate_limit = RateLimit::new(settings.rate_limit_per_minute);
            inner.settings = settings;
        })
    }

    /// The same state with datasets in `datasets` (ClickHouse when
    /// `ABSTAT_CLICKHOUSE_URL` is set) instead of the data directory.
    pub fn with_datasets(self, datasets: Datasets) -> Self {
        self.with_inner(|inner| inner.datasets = datasets)
    }

    fn with_inner(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Inner::clone(&self.inner);
        change(&mut inner);
        AppState {
            jobs: self.jobs,
            inner: Arc::new(inner),
        }
    }

    /// Limits and the CORS policy.
    pub fn settings(&self) -> &HttpSettings {
        &self.inner.settings
    }

    /// The process's metrics (shared with the job machinery, so the
    /// in-process worker counts into the same registry).
    pub fn metrics(&self) -> &Metrics {
        self.jobs.metrics()
    }

    /// The per-user rate limit, unless it is off.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.inner.rate_limit.as_deref()
    }

    /// Use `jobs` (queue, events, cache, metrics) instead of the
    /// in-process default.
    pub fn with_jobs(mut self, jobs: Jobs) -> Self {
        self.jobs = jobs;
        self
    }

    /// The job machinery.
    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// The dataset store.
    pub fn datasets(&self) -> Datasets {
        Arc::clone(&self.inner.datasets)
    }

    /// The local data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The metadata store.
    pub fn metadata(&self) -> &Metadata {
        &self.inner.metadata
    }

    /// Token signing and checking.
    pub fn tokens(&self) -> &Tokens {
        &self.inner.tokens
    }
}

/// The whole HTTP API.
pub fn app(state: AppState) -> Router {
    let cors = limits::cors(&state.settings().cors_origins);
    let router = Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(datasets::router(state.settings().max_upload_bytes))
        .merge(analytics::router())
        .merge(ab::router())
        .merge(jobs::router())
        .merge(clean::router())
        .merge(visualize::router())
        .merge(export::router())
        .merge(values::router())
        .route("/metrics", get(crate::metrics::metrics))
        .layer(from_fn_with_state(state.clone(), limits::rate_limit))
        .layer(from_fn_with_state(state.clone(), crate::metrics::track))
        .with_state(state)
        .merge(openapi::router());
    match cors {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// `axum::Json` whose rejections use the API's error shape.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query` whose rejections use the API's error shape.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(rejection.body_text())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = match rejection {
            JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, "invalid_body", rejection.body_text())
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for router tests.
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    /// A router on an in-memory database and a temporary data directory,
    /// with the default limits but no rate limit (tests send bursts).
    pub async fn test_app(data_dir: &Path) -> (Router, AppState) {
        let settings = HttpSettings {
            rate_limit_per_minute: 0,
            ..HttpSettings::default()
        };
        test_app_with(data_dir, settings).await
    }

    /// [`test_app`] with these settings.
    pub async fn test_app_with(data_dir: &Path, settings: HttpSettings) -> (Router, AppState) {
        let metadata = Metadata::connect("sqlite::memory:").await.unwrap();
        let state = AppState::new(
            data_dir.to_path_buf(),
            metadata,
            Tokens::new(&"t".repeat(32)),
        )
        .expect("a dataset store in the data dir")
        .with_settings(settings);
        (app(state.clone()), state)
    }

    /// A new user's access token (signed with the key of [`test_app`]).
    pub async fn user_token(state: &AppState, name: &str) -> String {
        let u = state
            .metadata()
            .create_user(name, None, None)
            .await
            .unwrap();
        Tokens::new(&"t".repeat(32)).issue(&u.id).unwrap().access
    }

    /// Send a request, return the status and the JSON body.
    pub async fn send(app: &Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let json = if body.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&body)))
        };
        (status, json)
    }

    /// A JSON POST.
    pub fn post_json(uri: &str, body: serde_json::Value) -> Request<Body> {
        Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    /// A GET with an optional bearer token.
    pub fn get(uri: &str, token: Option<&str>) -> Request<Body> {
        let mut b = Request::get(uri);
        if let Some(t) = token {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        b.body(Body::empty()).unwrap()
    }
}
