//! The HTTP analysis path of abstat-server, in process: a Welch t-test of a
//! 100,000-row dataset (variant A/B, metric y) submitted to
//! `POST /analytics/stat-tests/?wait=` — validation against the dataset,
//! the job row, the persisted in-process queue, the worker loading only the
//! two columns from Parquet, abstat-core, the stored result — and the same
//! request answered from the result cache. `benches/jobs_peers.py` times
//! pandas reading the same columns from Parquet plus scipy's Welch test.
//! Goals: a cached analysis well under 20 ms (issue #8's p99 target under
//! load), a full job within a few times the peer's load + test.

#[path = "../abstat-core/tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::Duration;

use abstat_server::AppState;
use abstat_server::auth::Tokens;
use abstat_server::jobs::worker::Worker;
use abstat_server::store::Metadata;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use tower::ServiceExt;

const N: usize = 100_000;

/// variant = [u < 0.5] (seed 7), y ~ N(10, 3) (seed 11) + 0.05·B, as
/// `data()` in the peer script.
fn csv() -> String {
    let u = common::det_uniform(7, N);
    let y = common::det_normal(11, N, 10.0, 3.0);
    let mut s = String::with_capacity(N * 24);
    s.push_str("variant,y\n");
    for (u, y) in u.iter().zip(&y) {
        let b = *u >= 0.5;
        let v = y + if b { 0.05 } else { 0.0 };
        s.push_str(if b { "B," } else { "A," });
        s.push_str(&format!("{v}\n"));
    }
    s
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, serde_json::Value) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

fn post(uri: &str, token: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/meta.db", dir.path().display());
    let (app, token, dataset, _worker) = rt.block_on(async {
        let metadata = Metadata::connect(&url).await.unwrap();
        let tokens = Tokens::new(&"b".repeat(32));
        let state = AppState::new(dir.path().to_path_buf(), metadata, tokens.clone()).unwrap();
        let user = state
            .metadata()
            .create_user("bench", None, None)
            .await
            .unwrap();
        let token = tokens.issue(&user.id).unwrap().access;
        let app = abstat_server::app(state.clone());
        let upload = Request::post("/datasets/upload/?name=ab.csv")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(csv()))
            .unwrap();
        let (status, body) = call(&app, upload).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let dataset = body["dataset"]["id"].as_str().unwrap().to_string();
        let worker = Worker::new(
            state.jobs().clone(),
            state.metadata().clone(),
            state.datasets(),
        )
        .spawn(1);
        (app, token, dataset, worker)
    });
    let request = |alpha: f64| {
        format!(
            r#"{{"dataset_id":"{dataset}","test":"welch","column":"y","group_column":"variant","alpha":{alpha}}}"#
        )
    };
    let mut g = c.benchmark_group("jobs");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut i = 0u64;
    g.bench_function("welch_job_1e5", |b| {
        b.iter(|| {
            // a new alpha each time: a new analysis, no cache hit
            i += 1;
            let alpha = 0.01 + (i % 1_000_000) as f64 * 1e-8;
            let req = post("/analytics/stat-tests/?wait=30", &token, request(alpha));
            let (status, job) = rt.block_on(call(&app, req));
            assert_eq!(status, StatusCode::OK, "{job}");
            assert_eq!(job["cached"], false);
            black_box(job)
        })
    });
    g.bench_function("welch_cached_1e5", |b| {
        b.iter(|| {
            let req = post("/analytics/stat-tests/", &token, request(0.05));
            let (status, job) = rt.block_on(call(&app, req));
            assert_eq!(status, StatusCode::OK, "{job}");
            black_box(job)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
