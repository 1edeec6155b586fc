//! Prometheus metrics of one `abstat` process, every family defined here
//! once and rendered at `GET /metrics` in the OpenMetrics text format. The
//! dashboards and alert rules in `deploy/` are written against these names.
//!
//! | family | labels | meaning |
//! |---|---|---|
//! | `abstat_http_requests` (counter) | method, route, status | requests answered |
//! | `abstat_http_request_duration_seconds` (histogram) | method, route | time to answer |
//! | `abstat_http_rate_limited` (counter) | | requests refused with 429 |
//! | `abstat_jobs` (counter) | kind, status | jobs submitted / started / succeeded / failed |
//! | `abstat_job_duration_seconds` (histogram) | kind | run time of finished jobs |
//! | `abstat_job_queue_lag_seconds` (histogram) | kind | submit → start |
//! | `abstat_job_retries` (counter) | kind | re-deliveries after a transient error |
//! | `abstat_job_dead_letters` (counter) | kind | messages moved to the dead-letter store |
//! | `abstat_cache_requests` (counter) | result (hit / miss) | result-cache look-ups |
//! | `abstat_ingested_bytes` (counter) | | bytes of uploaded files stored |
//! | `abstat_datasets_uploaded` (counter) | | datasets stored |
//! | `abstat_kafka_messages` (counter) | what | Kafka job records submitted / received / completed / retried / dead-lettered / malformed |
//! | `abstat_kafka_errors` (counter) | what | Kafka produce, receive and commit failures, events dropped or failed |
//!
//! `abstat serve` serves them at `GET /metrics` of the API; `abstat worker`
//! on its own small listener (`ABSTAT_WORKER_METRICS_ADDR`, see
//! [`worker_router`]).

use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::jobs::queue::JobKind;

/// Labels of an answered request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method.
    pub method: String,
    /// The route pattern (`/datasets/{id}/`), never the raw path, so ids do
    /// not explode the label set; `unmatched` for 404s outside the API.
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// Labels of a request-duration sample.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// HTTP method.
    pub method: String,
    /// Route pattern.
    pub route: String,
}

/// Labels by job kind and status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    /// `stat_test`, `ab_test`, …
    pub kind: String,
    /// `submitted`, `started`, `succeeded`, `failed`.
    pub status: String,
}

/// Labels by job kind.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    /// `stat_test`, `ab_test`, …
    pub kind: String,
}

/// Labels of a cache look-up.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CacheLabels {
    /// `hit` or `miss`.
    pub result: String,
}

fn kind(kind: JobKind) -> KindLabels {
    KindLabels {
        kind: kind.as_str().to_string(),
    }
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every metric of the process.
#[derive(Debug)]
pub struct Metrics {
    // locked only to add a collector (once, at start-up) and to render
    registry: RwLock<Registry>,
    http_requests: Family<RequestLabels, Counter>,
    http_duration: Histograms<RouteLabels>,
    rate_limited: Counter,
    jobs: Family<JobLabels, Counter>,
    job_duration: Histograms<KindLabels>,
    queue_lag: Histograms<KindLabels>,
    retries: Family<KindLabels, Counter>,
    dead_letters: Family<KindLabels, Counter>,
    cache: Family<CacheLabels, Counter>,
    ingested_bytes: Counter,
    datasets_uploaded: Counter,
}

fn latency_buckets() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

fn job_buckets() -> Histogram {
    // 10 ms … ~20 min.
    Histogram::new(exponential_buckets(0.01, 2.0, 18))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh registry with every family registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("abstat");
        let http_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        let http_duration: Histograms<RouteLabels> = Family::new_with_constructor(latency_buckets);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            http_duration.clone(),
        );
        let rate_limited = Counter::default();
        registry.register(
            "http_rate_limited",
            "Requests refused by the per-user rate limit",
            rate_limited.clone(),
        );
        let jobs = Family::<JobLabels, Counter>::default();
        registry.register("jobs", "Jobs by kind and status", jobs.clone());
        let job_duration: Histograms<KindLabels> = Family::new_with_constructor(job_buckets);
        registry.register(
            "job_duration_seconds",
            "Run time of finished jobs",
            job_duration.clone(),
        );
        let queue_lag: Histograms<KindLabels> = Family::new_with_constructor(job_buckets);
        registry.register(
            "job_queue_lag_seconds",
            "Time from submission to the start of a job",
            queue_lag.clone(),
        );
        let retries = Family::<KindLabels, Counter>::default();
        registry.register(
            "job_retries",
            "Jobs delivered again after a transient failure",
            retries.clone(),
        );
        let dead_letters = Family::<KindLabels, Counter>::default();
        registry.register(
            "job_dead_letters",
            "Job messages moved to the dead-letter store",
            dead_letters.clone(),
        );
        let cache = Family::<CacheLabels, Counter>::default();
        registry.register("cache_requests", "Result-cache look-ups", cache.clone());
        let ingested_bytes = Counter::default();
        registry.register(
            "ingested_bytes",
            "Bytes of uploaded files stored",
            ingested_bytes.clone(),
        );
        let datasets_uploaded = Counter::default();
        registry.register(
            "datasets_uploaded",
            "Datasets stored from uploads",
            datasets_uploaded.clone(),
        );
        let metrics = Metrics {
            registry: RwLock::new(registry),
            http_requests,
            http_duration,
            rate_limited,
            jobs,
            job_duration,
            queue_lag,
            retries,
            dead_letters,
            cache,
            ingested_bytes,
            datasets_uploaded,
        };
        // Every job series exists from the start, so dashboards and alert
        // expressions have data (zeros) before the first job.
        for k in JobKind::ALL {
            for status in ["submitted", "started", "succeeded", "failed"] {
                let _ = metrics.jobs.get_or_create(&JobLabels {
                    kind: k.as_str().into(),
                    status: status.into(),
                });
            }
            let _ = metrics.retries.get_or_create(&kind(k));
            let _ = metrics.dead_letters.get_or_create(&kind(k));
            let _ = metrics.job_duration.get_or_create(&kind(k));
            let _ = metrics.queue_lag.get_or_create(&kind(k));
        }
        for result in ["hit", "miss"] {
            let _ = metrics.cache.get_or_create(&CacheLabels {
                result: result.into(),
            });
        }
        metrics
    }

    /// The OpenMetrics text of every family.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.read().unwrap_or_else(|p| p.into_inner());
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &registry);
        out
    }

    /// Add metrics read at each scrape (the Kafka transport's counters).
    pub fn register_collector(&self, collector: Box<dyn Collector>) {
        self.registry
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .register_collector(collector);
    }

    /// One answered HTTP request.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.http_requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
        self.http_duration
            .get_or_create(&RouteLabels {
                method: method.to_string(),
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// A request refused by the rate limit.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
    }

    /// A job changed status (`submitted`, `started`, `succeeded`, `failed`).
    pub fn job(&self, kind: JobKind, status: &str) {
        self.jobs
            .get_or_create(&JobLabels {
                kind: kind.as_str().into(),
                status: status.into(),
            })
            .inc();
    }

    /// A job finished after `seconds` of work.
    pub fn job_duration(&self, k: JobKind, seconds: f64) {
        self.job_duration.get_or_create(&kind(k)).observe(seconds);
    }

    /// A job started `seconds` after it was submitted.
    pub fn queue_lag(&self, k: JobKind, seconds: f64) {
        self.queue_lag.get_or_create(&kind(k)).observe(seconds);
    }

    /// A job goes back on the queue.
    pub fn retry(&self, k: JobKind) {
        self.retries.get_or_create(&kind(k)).inc();
    }

    /// A job message was dead-lettered.
    pub fn dead_letter(&self, k: JobKind) {
        self.dead_letters.get_or_create(&kind(k)).inc();
    }

    /// A result-cache look-up.
    pub fn cache(&self, hit: bool) {
        self.cache
            .get_or_create(&CacheLabels {
                result: if hit { "hit" } else { "miss" }.into(),
            })
            .inc();
    }

    /// A dataset of `bytes` was stored from an upload.
    pub fn ingested(&self, bytes: u64) {
        self.ingested_bytes.inc_by(bytes);
        self.datasets_uploaded.inc();
    }
}

/// Middleware: count and time every request by its route pattern.
pub async fn track(
    State(state): State<crate::http::AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    state.metrics().observe_request(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The OpenMetrics response of `metrics`.
fn exposition(metrics: &Metrics) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        metrics.render(),
    )
        .into_response()
}

/// The listener of `abstat worker` (`ABSTAT_WORKER_METRICS_ADDR`):
/// `GET /metrics` with the worker's series and `GET /healthz`.
pub fn worker_router(metrics: Arc<Metrics>) -> axum::Router {
    axum::Router::new()
        .route(
            "/metrics",
            get(|State(m): State<Arc<Metrics>>| async move { exposition(&m) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .with_state(metrics)
}

/// `GET /metrics`: Prometheus scrapes this.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "metrics in the OpenMetrics text format", content_type = "application/openmetrics-text")))]
pub async fn metrics(State(state): State<crate::http::AppState>) -> impl IntoResponse {
    exposition(state.metrics())
}

/// The samples of an OpenMetrics text: `name{labels}` (as written) → value.
#[cfg(test)]
pub(crate) fn samples(text: &str) -> std::collections::HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (key, value) = l.rsplit_once(' ')?;
            Some((key.to_string(), value.parse().ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_renders_with_zeros_before_any_traffic() {
        let text = Metrics::new().render();
        for name in [
            "abstat_jobs_total{kind=\"ab_test\",status=\"failed\"} 0",
            "abstat_job_dead_letters_total{kind=\"stat_test\"} 0",
            "abstat_cache_requests_total{result=\"hit\"} 0",
            "abstat_ingested_bytes_total 0",
            "# TYPE abstat_job_queue_lag_seconds histogram",
        ] {
            assert!(text.contains(name), "{name} missing from\n{text}");
        }
    }

    #[test]
    fn observations_show_up_in_the_text() {
        let m = Metrics::new();
        m.observe_request("GET", "/datasets/{id}/", 404, 0.003);
        m.job(JobKind::AbTest, "succeeded");
        m.cache(true);
        m.ingested(1234);
        let text = m.render();
        assert!(
            text.contains(
                "abstat_http_requests_total{method=\"GET\",route=\"/datasets/{id}/\",status=\"404\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("abstat_jobs_total{kind=\"ab_test\",status=\"succeeded\"} 1"));
        assert!(text.contains("abstat_cache_requests_total{result=\"hit\"} 1"));
        assert!(text.contains("abstat_ingested_bytes_total 1234"));
        assert!(text.contains("abstat_datasets_uploaded_total 1"));
    }

    #[tokio::test]
    async fn the_worker_listener_serves_metrics_and_health() {
        use tower::ServiceExt;
        let m = Arc::new(Metrics::new());
        m.job(JobKind::Chart, "succeeded");
        let app = worker_router(Arc::clone(&m));
        let get = |uri: &str| axum::http::Request::get(uri).body(Body::empty()).unwrap();
        let res = app.clone().oneshot(get("/healthz")).await.unwrap();
        assert_eq!(res.status(), 200);
        let res = app.oneshot(get("/metrics")).await.unwrap();
        assert_eq!(res.status(), 200);
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let s = samples(std::str::from_utf8(&body).unwrap());
        assert_eq!(
            s["abstat_jobs_total{kind=\"chart\",status=\"succeeded\"}"],
            1.0
        );
    }
}
