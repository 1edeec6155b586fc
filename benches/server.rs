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
mod in_process;

use std::hint::black_box;
use std::time::Duration;

use axum::http::StatusCode;
use criterion::{Criterion, criterion_group, criterion_main};
use in_process::{Server, json};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let s = Server::start(&rt);
    let dataset = &s.dataset;
    let ab = format!(
        r#"{{"dataset_id":"{dataset}","variant_column":"variant","control":"A","metrics":[{{"column":"y","kind":"mean"}}]}}"#
    );
    let (status, job) = rt.block_on(s.call(s.request("POST", "/ab-tests/run/?wait=60", Some(ab))));
    assert_eq!(status, StatusCode::OK);
    let ab_job = json(&job)["job_id"].as_str().unwrap().to_string();
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
            let (status, png) = rt.block_on(s.call(s.request("GET", &uri, None)));
            assert_eq!(status, StatusCode::OK);
            black_box(png)
        })
    });
    g.bench_function("chart_cached", |b| {
        b.iter(|| {
            let (status, png) = rt.block_on(s.call(s.request("GET", &chart(1280), None)));
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
                rt.block_on(s.call(s.request("POST", "/datasets/clean/?wait=60", Some(body))));
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&job));
            black_box(job)
        })
    });
    let export = format!("/jobs/{ab_job}/export/?format=xlsx");
    g.bench_function("export_ab_xlsx", |b| {
        b.iter(|| {
            let (status, doc) = rt.block_on(s.call(s.request("GET", &export, None)));
            assert_eq!(status, StatusCode::OK);
            black_box(doc)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
