//! The server routes of issue #8 in process, on a 100,000-row dataset
//! (variant A/B, metric y): a histogram PNG through
//! `GET /analytics/visualize/` (the chart job loads one column from
//! Parquet, summarises with abstat-core, renders with abstat-io; a new
//! width each time, so no cache hit), the same chart from the result cache,
//! a cleaning preview through `POST /datasets/clean/` (winsorize: two
//! quantile passes and an apply pass over every row; new bounds each time),
//! and an A/B result exported as XLSX through `GET /jobs/{id}/export/`.
//! `benches/server_peers.py` times pandas + matplotlib / openpyxl on the
//! same data.

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
        s.push_str(if b { "B," } else { "A," });
        s.push_str(&format!("{}\n", y + if b { 0.05 } else { 0.0 }));
    }
    s
}

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, axum::body::Bytes) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (status, res.into_body().collect().await.unwrap().to_bytes())
}

fn request(method: &str, uri: &str, token: &str, body: Option<String>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json");
    b.body(body.map_or_else(Body::empty, Body::from)).unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/meta.db", dir.path().display());
    let (app, token, dataset, ab_job, _worker) = rt.block_on(async {
        let metadata = Metadata::connect(&url).await.unwrap();
        let tokens = Tokens::new(&"b".repeat(32));
        let state = AppState::new(dir.path().to_path_buf(), metadata, tokens.clone()).unwrap();
        let user = state.metadata().create_user("bench", None, None).await.unwrap();
        let token = tokens.issue(&user.id).unwrap().access;
        let app = abstat_server::app(state.clone());
        let upload = Request::post("/datasets/upload/?name=ab.csv")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from(csv()))
            .unwrap();
        let (status, body) = call(&app, upload).await;
        assert_eq!(status, StatusCode::CREATED);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let dataset = body["dataset"]["id"].as_str().unwrap().to_string();
        let worker = Worker::new(state.jobs().clone(), state.metadata().clone(), state.datasets())
            .spawn(1);
        let ab = format!(
            r#"{{"dataset_id":"{dataset}","variant_column":"variant","control":"A","metrics":[{{"column":"y","kind":"mean"}}]}}"#
        );
        let (status, job) = call(&app, request("POST", "/ab-tests/run/?wait=60", &token, Some(ab))).await;
        assert_eq!(status, StatusCode::OK);
        let job: serde_json::Value = serde_json::from_slice(&job).unwrap();
        (app, token, dataset, job["job_id"].as_str().unwrap().to_string(), worker)
    });
    let chart = |width: u32| {
        format!(
            "/analytics/visualize/?dataset_id={dataset}&kind=histogram&column=y&width={width}&height=800&wait=60"
        )
    };
    let mut g = c.benchmark_group("server");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut i = 0u32;
    g.bench_function("chart_histogram_1e5", |b| {
        b.iter(|| {
            i += 1;
            let uri = chart(800 + i % 3000);
            let (status, png) = rt.block_on(call(&app, request("GET", &uri, &token, None)));
            assert_eq!(status, StatusCode::OK);
            black_box(png)
        })
    });
    g.bench_function("chart_cached", |b| {
        b.iter(|| {
            let (status, png) = rt.block_on(call(&app, request("GET", &chart(1280), &token, None)));
            assert_eq!(status, StatusCode::OK);
            black_box(png)
        })
    });
    let mut k = 0u64;
    g.bench_function("clean_preview_1e5", |b| {
        b.iter(|| {
            k += 1;
            let lower = 0.01 + (k % 1_000_000) as f64 * 1e-9;
            let body = format!(
                r#"{{"dataset_id":"{dataset}","preview":true,"plan":{{"ops":[{{"op":"winsorize","columns":["y"],"lower":{lower},"upper":0.99}}]}}}}"#
            );
            let (status, job) =
                rt.block_on(call(&app, request("POST", "/datasets/clean/?wait=60", &token, Some(body))));
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&job));
            black_box(job)
        })
    });
    let export = format!("/jobs/{ab_job}/export/?format=xlsx");
    g.bench_function("export_ab_xlsx", |b| {
        b.iter(|| {
            let (status, doc) = rt.block_on(call(&app, request("GET", &export, &token, None)));
            assert_eq!(status, StatusCode::OK);
            black_box(doc)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
