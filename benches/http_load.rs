//! Load on a real (release) `abstat` binary, issue #8's speed figures:
//!
//! 1. `GET /datasets/list/` and a cached analysis (`POST /ab-tests/run/`
//!    repeated, answered from the result cache) against `abstat serve` on the
//!    embedded defaults: latency percentiles at a constant 500 requests/s
//!    (wrk2-style open loop: request i is due at i/500 s and its latency is
//!    counted from then, so a stalled server cannot hide queueing —
//!    coordinated omission), then the most requests/s 32 closed-loop
//!    clients get.
//! 2. Throughput of 1,000 small jobs (every kind, none cached) through Kafka
//!    with one and with two `abstat worker` processes (2 tasks each),
//!    `abstat serve` as API only, metadata in PostgreSQL.
//!
//! Not a criterion bench: a load test has its own clock. Run it with the
//! services up and the release binary built:
//!
//! ```sh
//! cargo build --release -p abstat-server --features kafka,postgres --bin abstat
//! eval "$(scripts/services.sh env)"
//! cargo bench --bench http_load     # ABSTAT_BIN overrides target/release/abstat
//! ```
//!
//! The driver runs on the same machine as the server: on a shared 2-core box
//! they compete for the CPU, so the figures are an upper bound on latency.

#[path = "../abstat-server/tests/cluster/mod.rs"]
mod cluster;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cluster::{Api, Cluster, Process};
use serde_json::json;

const RATE: f64 = 500.0;
const RATE_SECONDS: f64 = 20.0;
const CLOSED_LOOP_CLIENTS: usize = 32;
const CLOSED_LOOP_SECONDS: f64 = 10.0;
const JOBS: usize = 1000;

/// Latencies of one run and what went wrong.
struct Run {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

impl Run {
    fn percentile(&self, p: f64) -> Duration {
        let mut v = self.latencies.clone();
        v.sort();
        if v.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }

    fn report(&self, name: &str) {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:44} {:>7.0} req/s  p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms  max {:>8.2} ms  errors {}",
            self.latencies.len() as f64 / self.elapsed.as_secs_f64(),
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.percentile(100.0)),
            self.errors
        );
    }
}

async fn send(req: reqwest::RequestBuilder) -> bool {
    match req.send().await {
        Ok(res) => {
            let ok = res.status().is_success();
            ok && res.bytes().await.is_ok()
        }
        Err(_) => false,
    }
}

/// Open loop at `rate` requests/s for `seconds`, latency from each request's
/// due time.
async fn constant_rate(make: impl Fn() -> reqwest::RequestBuilder, rate: f64, seconds: f64) -> Run {
    let n = (rate * seconds) as usize;
    let start = tokio::time::Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let req = make();
        set.spawn(async move {
            let ok = send(req).await;
            (due.elapsed(), ok)
        });
    }
    collect(set, start.into_std()).await
}

/// `clients` loops, each sending the next request when the last answered.
async fn closed_loop(
    make: impl Fn() -> reqwest::RequestBuilder + Send + Sync + 'static,
    clients: usize,
    seconds: f64,
) -> Run {
    let make = std::sync::Arc::new(make);
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let make = make.clone();
        set.spawn(async move {
            let mut out = Vec::new();
            while Instant::now() < end {
                let t = Instant::now();
                let ok = send(make()).await;
                out.push((t.elapsed(), ok));
            }
            out
        });
    }
    let mut run = Run {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    while let Some(r) = set.join_next().await {
        for (latency, ok) in r.expect("client") {
            run.latencies.push(latency);
            run.errors += usize::from(!ok);
        }
    }
    run.elapsed = start.elapsed();
    run
}

async fn collect(mut set: tokio::task::JoinSet<(Duration, bool)>, start: Instant) -> Run {
    let mut run = Run {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    while let Some(r) = set.join_next().await {
        let (latency, ok) = r.expect("request task");
        run.latencies.push(latency);
        run.errors += usize::from(!ok);
    }
    run.elapsed = start.elapsed();
    run
}

fn binary() -> PathBuf {
    std::env::var_os("ABSTAT_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/abstat"),
        PathBuf::from,
    )
}

/// `abstat serve` on the embedded defaults (SQLite, in-process worker,
/// in-memory cache) in a temporary directory.
async fn embedded_server(bin: &Path, dir: &Path) -> (Process, String) {
    let port = cluster::free_port();
    let env: Vec<(String, String)> = [
        (
            "ABSTAT_DATA_DIR",
            dir.join("data").to_string_lossy().into_owned(),
        ),
        (
            "ABSTAT_DATABASE_URL",
            format!("sqlite://{}/abstat.db", dir.display()),
        ),
        ("ABSTAT_HTTP_ADDR", format!("127.0.0.1:{port}")),
        ("ABSTAT_JWT_SECRET", "bench-secret-".repeat(3)),
        ("ABSTAT_RATE_LIMIT", "0".into()),
        ("ABSTAT_MAX_JOBS_PER_USER", "100000".into()),
        ("RUST_LOG", "warn".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    cluster::add_user(bin, &env);
    let serve = cluster::spawn(bin, dir, &env, "serve", &["serve"], &[]);
    let base = format!("http://127.0.0.1:{port}");
    cluster::wait_healthy(&base, &serve).await;
    (serve, base)
}

async fn http_latency(bin: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let (_serve, base) = embedded_server(bin, dir.path()).await;
    let api = Api::login(&base).await;
    // A list of ten datasets, and one A/B analysis put in the cache.
    let mut dataset = String::new();
    for _ in 0..10 {
        dataset = api.upload().await;
    }
    let analysis = json!({"dataset_id": dataset, "variant_column": "variant", "control": "A",
        "metrics": [{"column": "revenue", "kind": "mean"},
                    {"column": "converted", "kind": "proportion"}]});
    let (status, first) = api
        .call(
            api.client
                .post(format!("{base}/ab-tests/run/?wait=30"))
                .json(&analysis),
        )
        .await;
    assert_eq!(status, 200, "the analysis did not finish: {first}");
    let (_, again) = api
        .call(
            api.client
                .post(format!("{base}/ab-tests/run/"))
                .json(&analysis),
        )
        .await;
    assert_eq!(again["cached"], true, "a repeat is not cached: {again}");

    let list = {
        let api = api.clone();
        move || {
            api.client
                .get(format!("{}/datasets/list/", api.base))
                .bearer_auth(&api.token)
        }
    };
    let cached = {
        let api = api.clone();
        move || {
            api.client
                .post(format!("{}/ab-tests/run/", api.base))
                .bearer_auth(&api.token)
                .json(&analysis)
        }
    };
    println!("abstat serve (embedded defaults), driver on the same machine:");
    constant_rate(&list, RATE, 2.0).await; // warm-up
    constant_rate(&list, RATE, RATE_SECONDS)
        .await
        .report("GET /datasets/list/ at 500 req/s");
    constant_rate(&cached, RATE, RATE_SECONDS)
        .await
        .report("POST /ab-tests/run/ (cached) at 500 req/s");
    closed_loop(list, CLOSED_LOOP_CLIENTS, CLOSED_LOOP_SECONDS)
        .await
        .report("GET /datasets/list/, 32 clients (max)");
    closed_loop(cached, CLOSED_LOOP_CLIENTS, CLOSED_LOOP_SECONDS)
        .await
        .report("POST /ab-tests/run/ (cached), 32 clients (max)");
}

async fn jobs_throughput(bin: &Path, workers: usize) {
    let brokers = cluster::required("ABSTAT_TEST_KAFKA");
    let cluster = Cluster::start(bin, &brokers, &format!("bench{workers}"), workers, 2).await;
    let db = sqlx::AnyPool::connect(&cluster.database_url).await.unwrap();
    let api = Api::login(&cluster.base).await;
    let dataset = api.upload().await;
    let start = Instant::now();
    cluster::submit_all(&api, &dataset, JOBS).await;
    let submitted = start.elapsed();
    cluster::wait_for_succeeded(&db, JOBS as i64, &cluster, Duration::from_secs(900)).await;
    let done = start.elapsed();
    println!(
        "{:44} {:>7.1} jobs/s  ({JOBS} jobs in {:.1} s; submitted over HTTP in {:.1} s)",
        format!("{JOBS} jobs, {workers} abstat worker(s) x 2 tasks"),
        JOBS as f64 / done.as_secs_f64(),
        done.as_secs_f64(),
        submitted.as_secs_f64()
    );
}

fn main() {
    let bin = binary();
    assert!(
        bin.exists(),
        "{} does not exist: build it with `cargo build --release -p abstat-server --features kafka,postgres --bin abstat` or set ABSTAT_BIN",
        bin.display()
    );
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        http_latency(&bin).await;
        println!("jobs through Kafka, metadata in PostgreSQL:");
        for workers in [1, 2] {
            jobs_throughput(&bin, workers).await;
        }
    });
}
