//! Request limits and the cross-origin policy: a per-user rate limit
//! (GCRA via `governor`, keyed by the access token's user, or by the
//! client address before logging in) and CORS from `ABSTAT_CORS_ORIGINS`.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use super::AppState;
use crate::error::ApiError;

/// Per-key request budget.
#[derive(Debug)]
pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<String>,
    per_minute: u32,
}

impl RateLimit {
    /// `per_minute` requests per key per minute, with bursts up to the same
    /// number; `None` when the limit is off (0).
    pub fn new(per_minute: u32) -> Option<Arc<Self>> {
        let n = NonZeroU32::new(per_minute)?;
        Some(Arc::new(RateLimit {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
            per_minute,
        }))
    }

    /// Take one request from `key`'s budget, or say how long to wait.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forget keys whose budget is full again, so the table does not grow
    /// with every address ever seen.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

/// Who a request counts against: the user of a valid access token, else
/// the client address.
fn rate_key(state: &AppState, request: &Request<Body>) -> String {
    let user = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .and_then(|t| state.tokens().verify(t.trim(), "access").ok());
    match user {
        Some(id) => format!("user:{id}"),
        None => request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "anonymous".to_string(), |c| format!("ip:{}", c.0.ip())),
    }
}

/// Middleware: refuse with 429 and `Retry-After` once a key's budget is
/// spent. Health checks and metrics scrapes are never limited.
pub async fn rate_limit(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let exempt = matches!(request.uri().path(), "/healthz" | "/readyz" | "/metrics");
    if let (false, Some(limit)) = (exempt, state.rate_limit()) {
        let key = rate_key(&state, &request);
        if let Err(wait) = limit.check(&key) {
            state.metrics().rate_limited();
            let seconds = wait.as_secs() + 1;
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many requests: the limit is {} per minute; try again in {seconds} s",
                    limit.per_minute
                ),
            )
            .with_details(serde_json::json!({
                "limit_per_minute": limit.per_minute,
                "retry_after_seconds": seconds,
            }))
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(RETRY_AFTER, v);
            }
            return response;
        }
    }
    next.run(request).await
}

/// The CORS layer for the configured origins; `None` when no origin is
/// configured (browsers then get no cross-origin access).
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect::<Vec<_>>(),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
            .allow_headers(Any)
            .max_age(Duration::from_secs(3600)),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::config::HttpSettings;

    #[test]
    fn the_budget_is_per_key() {
        let limit = RateLimit::new(2).unwrap();
        assert!(limit.check("a").is_ok());
        assert!(limit.check("a").is_ok());
        let wait = limit.check("a").unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert!(limit.check("b").is_ok(), "another key has its own budget");
        assert!(RateLimit::new(0).is_none(), "0 turns the limit off");
    }

    #[tokio::test]
    async fn a_user_over_the_limit_gets_429_with_retry_after_and_health_stays_open() {
        let dir = tempfile::tempdir().unwrap();
        let settings = HttpSettings {
            rate_limit_per_minute: 3,
            ..HttpSettings::default()
        };
        let (app, state) = test_app_with(dir.path(), settings).await;
        let alice = state
            .metadata()
            .create_user("alice", None, None)
            .await
            .unwrap();
        let bob = state
            .metadata()
            .create_user("bob", None, None)
            .await
            .unwrap();
        let a = state.tokens().issue(&alice.id).unwrap().access;
        let b = state.tokens().issue(&bob.id).unwrap().access;
        for _ in 0..3 {
            let (status, _) = send(&app, get("/users/me/", Some(&a))).await;
            assert_eq!(status, StatusCode::OK);
        }
        let res = tower::ServiceExt::oneshot(app.clone(), get("/users/me/", Some(&a)))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = res.headers()[RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=21).contains(&retry), "{retry}");
        let (status, body) = send(&app, get("/users/me/", Some(&a))).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], "rate_limited");
        assert_eq!(body["details"]["limit_per_minute"], 3);
        let (status, _) = send(&app, get("/users/me/", Some(&b))).await;
        assert_eq!(status, StatusCode::OK, "bob has his own budget");
        let (status, _) = send(&app, get("/healthz", None)).await;
        assert_eq!(status, StatusCode::OK, "health checks are never limited");
        let res = tower::ServiceExt::oneshot(app.clone(), get("/metrics", None))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "scrapes are never limited");
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("abstat_http_rate_limited_total 2"), "{text}");
        assert!(
            text.contains(
                "abstat_http_requests_total{method=\"GET\",route=\"/users/me/\",status=\"429\"} 2"
            ),
            "{text}"
        );
    }

    #[tokio::test]
    async fn cors_answers_only_the_configured_origins() {
        let dir = tempfile::tempdir().unwrap();
        let settings = HttpSettings {
            cors_origins: vec!["https://dash.example".into()],
            ..HttpSettings::default()
        };
        let (app, _) = test_app_with(dir.path(), settings).await;
        let preflight = |origin: &str| {
            axum::http::Request::builder()
                .method(Method::OPTIONS)
                .uri("/datasets/list/")
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization")
                .body(Body::empty())
                .unwrap()
        };
        let ok = tower::ServiceExt::oneshot(app.clone(), preflight("https://dash.example"))
            .await
            .unwrap();
        assert_eq!(
            ok.headers()["access-control-allow-origin"],
            "https://dash.example"
        );
        let other = tower::ServiceExt::oneshot(app.clone(), preflight("https://evil.example"))
            .await
            .unwrap();
        assert!(other.headers().get("access-control-allow-origin").is_none());

        let (plain, _) = test_app(dir.path()).await;
        let res = tower::ServiceExt::oneshot(plain, preflight("https://dash.example"))
            .await
            .unwrap();
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "no origins configured: no CORS"
        );
    }
}
