//! The HTTP API end to end with datasets in the real ClickHouse started by
//! `scripts/services.sh` (`ABSTAT_TEST_CLICKHOUSE`; unset is a failure,
//! never a skip): upload → A/B run → clean → chart → export → delete,
//! with metadata in SQLite and the in-process worker, as `abstat serve`
//! runs with `ABSTAT_CLICKHOUSE_URL` set.
#![cfg(feature = "clickhouse")]
#![allow(missing_docs)]

use std::sync::Arc;

use abstat_io::ClickHouseStore;
use abstat_io::store::DatasetStore;
use abstat_server::AppState;
use abstat_server::auth::Tokens;
use abstat_server::jobs::worker::{Datasets, Worker};
use abstat_server::store::Metadata;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn call(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    (
        status,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn call_json(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let (status, body) = call(app, req).await;
    let value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| panic!("not JSON ({status}): {}", String::from_utf8_lossy(&body)));
    (status, value)
}

fn request(method: &str, uri: &str, token: &str, body: Option<Value>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"));
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .unwrap()
}

fn csv() -> String {
    let mut s = String::from("variant,revenue,pre\n");
    for i in 0..200u32 {
        let b = i % 2 == 1;
        let wobble = f64::from((i * 7919) % 101) / 10.0;
        let revenue = if i == 17 {
            String::new()
        } else {
            format!("{}", wobble + if b { 1.0 } else { 0.0 })
        };
        s.push_str(&format!(
            "{},{revenue},{}\n",
            if b { "B" } else { "A" },
            wobble * 0.5 + f64::from(i % 7)
        ));
    }
    s
}

#[tokio::test]
async fn upload_analyse_clean_chart_export_and_delete_on_clickhouse() {
    let url = match std::env::var("ABSTAT_TEST_CLICKHOUSE") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "ABSTAT_TEST_CLICKHOUSE is not set: run `scripts/services.sh start clickhouse` and \
             `eval \"$(scripts/services.sh env)\"`"
        ),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("srvtest_{}_{nanos}_", std::process::id());
    // the store blocks on its own runtime: build it (and later drop it) off
    // the async threads
    let store =
        tokio::task::spawn_blocking(move || ClickHouseStore::connect_with_prefix(&url, &prefix))
            .await
            .unwrap()
            .expect("a ClickHouse store");
    let clickhouse = Arc::new(store);
    let datasets: Datasets = clickhouse.clone();

    let dir = tempfile::tempdir().unwrap();
    let metadata = Metadata::connect("sqlite::memory:").await.unwrap();
    let tokens = Tokens::new(&"c".repeat(32));
    let state = AppState::new(dir.path().to_path_buf(), metadata, tokens.clone())
        .unwrap()
        .with_datasets(datasets.clone());
    let app = abstat_server::app(state.clone());
    let worker = Worker::new(
        state.jobs().clone(),
        state.metadata().clone(),
        datasets.clone(),
    )
    .spawn(2);
    let alice = tokens
        .issue(
            &state
                .metadata()
                .create_user("alice", None, None)
                .await
                .unwrap()
                .id,
        )
        .unwrap()
        .access;
    let bob = tokens
        .issue(
            &state
                .metadata()
                .create_user("bob", None, None)
                .await
                .unwrap()
                .id,
        )
        .unwrap()
        .access;

    let upload = Request::post("/datasets/upload/?name=ab.csv")
        .header("authorization", format!("Bearer {alice}"))
        .body(Body::from(csv()))
        .unwrap();
    let (status, body) = call_json(&app, upload).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["dataset"]["id"].as_str().unwrap().to_string();
    let probe = (clickhouse.clone(), id.clone());
    let described = tokio::task::spawn_blocking(move || probe.0.describe(&probe.1))
        .await
        .unwrap();
    assert_eq!(
        described.unwrap().versions[0].rows,
        200,
        "stored in ClickHouse"
    );

    let ab = json!({"dataset_id": id, "variant_column": "variant", "control": "A", "nan_policy": "omit",
        "metrics": [{"column": "revenue", "kind": "mean"}]});
    let (status, run) = call_json(
        &app,
        request("POST", "/ab-tests/run/?wait=60", &alice, Some(ab.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["result"]["units"], json!([100, 100]));

    let plan = json!({"dataset_id": id, "plan": {"ops": [{"op": "drop_missing", "columns": ["revenue"]}]}});
    let (status, clean) = call_json(
        &app,
        request("POST", "/datasets/clean/?wait=60", &alice, Some(plan)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{clean}");
    assert_eq!(clean["result"]["version"], 2, "{clean}");
    assert_eq!(clean["result"]["report"]["rows_out"], 199);
    let (_, described) = call_json(
        &app,
        request("GET", &format!("/datasets/{id}/"), &alice, None),
    )
    .await;
    assert_eq!(
        (described["version"].clone(), described["rows"].clone()),
        (json!(2), json!(199))
    );

    let chart =
        format!("/analytics/visualize/?dataset_id={id}&kind=histogram&column=revenue&wait=60");
    let (status, png) = call(&app, request("GET", &chart, &alice, None)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
    assert_eq!(&png[1..4], b"PNG");
    let forest = format!(
        "/analytics/visualize/?job_id={}&kind=forest&wait=60",
        run["job_id"].as_str().unwrap()
    );
    let (status, png) = call(&app, request("GET", &forest, &alice, None)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&png));
    let export = format!(
        "/jobs/{}/export/?format=csv",
        run["job_id"].as_str().unwrap()
    );
    let (status, doc) = call(&app, request("GET", &export, &alice, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&doc).contains("revenue"));

    // the other user reaches none of it
    for (method, uri) in [
        ("GET", chart.as_str()),
        ("GET", export.as_str()),
        ("DELETE", &format!("/datasets/{id}/")),
    ] {
        assert_eq!(
            call(&app, request(method, uri, &bob, None)).await.0,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }

    let (status, _) = call(
        &app,
        request("DELETE", &format!("/datasets/{id}/"), &alice, None),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let probe = (clickhouse.clone(), id.clone());
    let gone = tokio::task::spawn_blocking(move || probe.0.describe(&probe.1))
        .await
        .unwrap();
    assert!(gone.is_err(), "deleted from ClickHouse");

    worker.stop().await;
    drop((app, state, datasets));
    tokio::task::spawn_blocking(move || drop(clickhouse))
        .await
        .unwrap();
}
