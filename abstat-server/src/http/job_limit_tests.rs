//! The per-user job limit (`ABSTAT_MAX_JOBS_PER_USER`) on every route that
//! queues work, and the metrics after real work, scraped and parsed.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::job_tests::{csv, post, start_worker, token, upload};
use super::testing::*;
use crate::config::HttpSettings;
use crate::metrics::samples;

fn stat(dataset: &str, test: &str, column: &str) -> Value {
    json!({"dataset_id": dataset, "test": test, "column": column})
}

#[tokio::test]
async fn a_user_at_the_job_limit_gets_429_and_cached_answers_still_come() {
    let dir = tempfile::tempdir().unwrap();
    let settings = HttpSettings {
        max_jobs_per_user: 2,
        rate_limit_per_minute: 0,
        ..HttpSettings::default()
    };
    let (app, state) = test_app_with(dir.path(), settings).await;
    let alice = token(&state, "alice").await;
    let bob = token(&state, "bob").await;
    let dataset = upload(&app, &alice).await;
    let uri = "/analytics/stat-tests/";

    // one finished analysis in the cache, then no worker
    let worker = start_worker(&state);
    let (status, _) = send(
        &app,
        post(
            &format!("{uri}?wait=30"),
            &alice,
            stat(&dataset, "shapiro", "pre"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    worker.stop().await;

    let mut queued = Vec::new();
    for column in ["revenue", "clicks"] {
        let (status, job) = send(&app, post(uri, &alice, stat(&dataset, "shapiro", column))).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{job}");
        queued.push(job["job_id"].as_str().unwrap().to_string());
    }
    let (status, err) = send(
        &app,
        post(uri, &alice, stat(&dataset, "shapiro", "sessions")),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{err}");
    assert_eq!(err["code"], "too_many_jobs");
    assert_eq!(err["details"], json!({"limit": 2, "active": 2}));
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("ABSTAT_MAX_JOBS_PER_USER")
    );
    // every route that queues work is limited
    let clean = json!({"dataset_id": dataset, "plan": {"ops": [{"op": "drop_duplicates"}]}});
    assert_eq!(
        send(&app, post("/datasets/clean/", &alice, clean)).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let chart =
        format!("/analytics/visualize/?dataset_id={dataset}&kind=histogram&column=pre&wait=0");
    assert_eq!(
        send(&app, get(&chart, Some(&alice))).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );

    // a cached answer neither counts nor is refused
    let (status, hit) = send(&app, post(uri, &alice, stat(&dataset, "shapiro", "pre"))).await;
    assert_eq!(status, StatusCode::OK, "{hit}");
    assert_eq!(hit["cached"], true);
    // the limit is per user
    let theirs = {
        let req = axum::http::Request::post("/datasets/upload/?name=b.csv")
            .header("authorization", format!("Bearer {bob}"))
            .body(axum::body::Body::from(csv()))
            .unwrap();
        send(&app, req).await.1["dataset"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (status, _) = send(&app, post(uri, &bob, stat(&theirs, "shapiro", "pre"))).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    // once alice's jobs are done she may submit again
    let _worker = start_worker(&state);
    for id in queued {
        let (status, _) = send(&app, get(&format!("/jobs/{id}/?wait=30"), Some(&alice))).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) = send(
        &app,
        post(uri, &alice, stat(&dataset, "shapiro", "sessions")),
    )
    .await;
    assert!(status.is_success(), "{status}");
}

#[tokio::test]
async fn metrics_move_with_real_work() {
    let dir = tempfile::tempdir().unwrap();
    let (app, state) = test_app(dir.path()).await;
    let alice = token(&state, "alice").await;
    let dataset = upload(&app, &alice).await;
    let _worker = start_worker(&state);
    let uri = "/analytics/stat-tests/?wait=30";
    for _ in 0..2 {
        let (status, _) = send(&app, post(uri, &alice, stat(&dataset, "shapiro", "pre"))).await;
        assert_eq!(status, StatusCode::OK);
    }
    // a mistake found at run time: the job fails
    let ab = json!({"dataset_id": dataset, "variant_column": "variant", "control": "C",
        "metrics": [{"column": "pre", "kind": "mean"}]});
    let (_, failed) = send(&app, post("/ab-tests/run/?wait=30", &alice, ab)).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    let chart = format!("/analytics/visualize/?dataset_id={dataset}&kind=qq&column=pre");
    let res = tower::ServiceExt::oneshot(app.clone(), get(&chart, Some(&alice)))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let res = tower::ServiceExt::oneshot(app.clone(), get("/metrics", None))
        .await
        .unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let m = samples(std::str::from_utf8(&body).unwrap());
    let jobs = |kind: &str, status: &str| {
        m[&format!("abstat_jobs_total{{kind=\"{kind}\",status=\"{status}\"}}")]
    };
    assert_eq!(
        jobs("stat_test", "submitted"),
        1.0,
        "the repeat came from the cache"
    );
    assert_eq!(jobs("stat_test", "started"), 1.0);
    assert_eq!(jobs("stat_test", "succeeded"), 1.0);
    assert_eq!(jobs("ab_test", "failed"), 1.0);
    assert_eq!(jobs("chart", "succeeded"), 1.0);
    assert_eq!(
        m["abstat_job_duration_seconds_count{kind=\"stat_test\"}"],
        1.0
    );
    assert!(m["abstat_job_duration_seconds_sum{kind=\"chart\"}"] > 0.0);
    assert_eq!(
        m["abstat_job_queue_lag_seconds_count{kind=\"ab_test\"}"],
        1.0
    );
    assert_eq!(m["abstat_cache_requests_total{result=\"hit\"}"], 1.0);
    assert_eq!(m["abstat_cache_requests_total{result=\"miss\"}"], 3.0);
    assert_eq!(m["abstat_ingested_bytes_total"], csv().len() as f64);
    assert_eq!(m["abstat_datasets_uploaded_total"], 1.0);
    assert_eq!(
        m["abstat_http_requests_total{method=\"GET\",route=\"/analytics/visualize/\",status=\"200\"}"],
        1.0
    );
}
