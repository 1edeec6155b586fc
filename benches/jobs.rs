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
    let request = |alpha: f64| {
        format!(
            r#"{{"dataset_id":"{}","test":"welch","column":"y","group_column":"variant","alpha":{alpha}}}"#,
            s.dataset
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
            let req = s.request(
                "POST",
                "/analytics/stat-tests/?wait=30",
                Some(request(alpha)),
            );
            let (status, job) = rt.block_on(s.call(req));
            let job = json(&job);
            assert_eq!(status, StatusCode::OK, "{job}");
            assert_eq!(job["cached"], false);
            black_box(job)
        })
    });
    g.bench_function("welch_cached_1e5", |b| {
        b.iter(|| {
            let req = s.request("POST", "/analytics/stat-tests/", Some(request(0.05)));
            let (status, job) = rt.block_on(s.call(req));
            assert_eq!(status, StatusCode::OK, "{}", json(&job));
            black_box(job)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
