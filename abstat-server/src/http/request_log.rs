//! One tracing span per HTTP request, so every log line written while the
//! request is served carries its `request_id` (and, once the caller is
//! authenticated, the hashed `user`; see [`crate::logging::user_tag`]).
//! The id comes from the caller's `x-request-id` when it is a sane token,
//! else it is made up here; either way it is echoed in the response's
//! `x-request-id` header so a client can quote it in a bug report.

use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The header that carries the id both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// Routes polled by machines (Prometheus, health checks): logged at debug,
/// not info, so they do not drown the requests of people.
const QUIET_ROUTES: [&str; 3] = ["/metrics", "/healthz", "/readyz"];

/// The caller's id when it is 1–128 visible ASCII characters, else a new
/// UUID: an id goes into logs as it is, so it must not carry newlines or
/// megabytes.
fn request_id(request: &Request<Body>) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string)
}

/// Middleware: serve the request inside its span, log its answer, echo the id.
pub async fn trace(request: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %method,
        route = %route,
        user = tracing::field::Empty,
    );
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if QUIET_ROUTES.contains(&route.as_str()) {
            tracing::debug!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/x", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn(trace))
    }

    async fn id_of(header: Option<&str>) -> String {
        let mut req = Request::get("/x");
        if let Some(h) = header {
            req = req.header(REQUEST_ID, h);
        }
        let res = app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.headers()[REQUEST_ID].to_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn the_callers_id_is_echoed_and_a_missing_one_made_up() {
        assert_eq!(id_of(Some("trace-7f3a")).await, "trace-7f3a");
        let made = id_of(None).await;
        assert_eq!(made.len(), 32);
        assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(made, id_of(None).await);
    }

    #[tokio::test]
    async fn ids_unfit_for_a_log_line_are_replaced() {
        let long = "a".repeat(129);
        for bad in ["has space", long.as_str(), ""] {
            let got = id_of(Some(bad)).await;
            assert_ne!(got, bad);
            assert_eq!(got.len(), 32);
        }
    }
}
