//! Router tests of `POST /datasets/clean/`: the preview's report equals
//! abstat-core's `clean_batches` on the same stored data and stores
//! nothing; a clean writes version 2 with its lineage, publishes
//! `DatasetCleaned` and is answered from the cache when repeated; every
//! 4xx path; another user's dataset is 404.

use std::sync::Arc;

use abstat_core::clean::{CleanPlan, clean_batches};
use abstat_io::store::DatasetStore;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::app;
use super::job_tests::{env, post, start_worker};
use super::testing::*;
use crate::jobs::Jobs;
use crate::jobs::events::DomainEvent;
use crate::jobs::in_process::InProcessBus;

fn plan() -> Value {
    json!({"ops": [
        {"op": "drop_missing", "columns": ["revenue"]},
        {"op": "winsorize", "columns": ["pre"], "lower": 0.1, "upper": 0.9},
        {"op": "filter", "column": "segment", "cmp": "!=", "value": "z"}
    ]})
}

/// The plan run by abstat-core directly on the stored version 1.
fn core_report(store: &dyn DatasetStore, dataset: &str) -> abstat_core::clean::CleanReport {
    let (schema, batches) = store.read(dataset, Some(1), None, 1 << 20).unwrap();
    let batches: Vec<_> = batches.collect::<Result<_, _>>().unwrap();
    let plan: CleanPlan = serde_json::from_value(plan()).unwrap();
    clean_batches(&plan, schema, &batches).unwrap().1
}

#[tokio::test]
async fn a_preview_reports_what_core_reports_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let body = json!({"dataset_id": e.dataset, "plan": plan(), "preview": true});
    let job = e.run("/datasets/clean/", body).await;
    let result = &job["result"];
    assert_eq!(job["kind"], "clean");
    assert_eq!(result["kind"], "clean");
    assert_eq!(result["preview"], true);
    assert_eq!(result["version"], Value::Null);
    assert_eq!(result["source_version"], 1);
    let expected = core_report(&*e.state.datasets(), &e.dataset);
    assert_eq!(result["report"], serde_json::to_value(&expected).unwrap());
    assert!(
        expected.rows_out < expected.rows_in,
        "the plan removes rows"
    );
    assert!(expected.ops[1].cells_changed > 0, "the plan caps values");
    assert_eq!(result["report"]["ops"][1]["op"], "winsorize");

    let sample = &result["sample"];
    assert_eq!(sample["before"]["rows"].as_array().unwrap().len(), 5);
    assert_eq!(sample["before"]["columns"][0], "variant");
    // rows 0..5 have segments x, y, z, x, y: the filter drops the z row
    assert_eq!(sample["after"]["rows"].as_array().unwrap().len(), 4);

    let info = e.state.datasets().describe(&e.dataset).unwrap();
    assert_eq!(info.versions.len(), 1, "a preview stores nothing");
}

#[tokio::test]
async fn a_clean_writes_a_new_version_publishes_it_and_a_repeat_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let bus = InProcessBus::new();
    let mut events = bus.subscribe();
    let jobs = e.state.jobs();
    let state = e.state.clone().with_jobs(Jobs::new(
        Arc::clone(jobs.queue()),
        Arc::new(bus),
        Arc::clone(jobs.cache()),
        jobs.retry_policy(),
    ));
    let router = app(state.clone());
    let _worker = start_worker(&state);

    let body = json!({"dataset_id": e.dataset, "plan": plan()});
    let (status, job) = send(
        &router,
        post("/datasets/clean/?wait=30", &e.alice, body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["result"]["version"], 2, "{job}");
    assert_eq!(job["result"]["source_version"], 1);
    let expected = core_report(&*state.datasets(), &e.dataset);
    assert_eq!(
        job["result"]["report"],
        serde_json::to_value(&expected).unwrap()
    );
    assert!(job["result"].get("sample").is_none());

    let info = state.datasets().describe(&e.dataset).unwrap();
    let v2 = info.latest().unwrap();
    assert_eq!(
        (v2.version, v2.parent, v2.rows),
        (2, Some(1), expected.rows_out)
    );
    let (_, dataset) = send(
        &router,
        get(&format!("/datasets/{}/", e.dataset), Some(&e.alice)),
    )
    .await;
    assert_eq!(dataset["version"], 2);
    assert_eq!(dataset["rows"], expected.rows_out);

    let mut cleaned = None;
    while let Ok(Ok(ev)) =
        tokio::time::timeout(std::time::Duration::from_secs(5), events.recv()).await
    {
        if let DomainEvent::DatasetCleaned {
            version, parent, ..
        } = ev
        {
            cleaned = Some((version, parent));
            break;
        }
    }
    assert_eq!(cleaned, Some((2, 1)), "DatasetCleaned published");

    // the same plan on the same version: the cached answer, no version 3
    // (without a version the newest, now 2, would be cleaned)
    let mut body = body;
    body["version"] = json!(1);
    let (status, again) = send(&router, post("/datasets/clean/", &e.alice, body)).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["cached"], true);
    assert_eq!(again["result"]["version"], 2);
    assert_eq!(
        state
            .datasets()
            .describe(&e.dataset)
            .unwrap()
            .versions
            .len(),
        2
    );

    // the new version is analysed like any other
    let ab = json!({"dataset_id": e.dataset, "variant_column": "variant", "control": "A",
        "metrics": [{"column": "revenue", "kind": "mean"}]});
    let (status, run) = send(&router, post("/ab-tests/run/?wait=30", &e.alice, ab)).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["dataset_version"], 2);
    let units: u64 = run["result"]["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_u64().unwrap())
        .sum();
    assert_eq!(units, expected.rows_out);
}

#[tokio::test]
async fn bad_clean_requests_are_4xx_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), false).await;
    let cases = [
        (
            json!({"ops": [{"op": "fill_missing", "columns": ["revnue"], "method": "mean"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_column",
        ),
        (
            json!({"ops": [{"op": "outliers_iqr", "columns": ["pre"], "k": -1.0}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_plan",
        ),
        (
            json!({"ops": [{"op": "fill_missing", "columns": ["variant"], "method": "mean"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_plan",
        ),
        (
            json!({"ops": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_parameter",
        ),
        (
            json!({"ops": [{"op": "explode"}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (plan, status, code) in cases {
        let body = json!({"dataset_id": e.dataset, "plan": plan});
        let (got, err) = send(&e.app, post("/datasets/clean/", &e.alice, body)).await;
        assert_eq!(
            (got, err["code"].as_str().unwrap()),
            (status, code),
            "{plan}: {err}"
        );
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let body = json!({"dataset_id": e.dataset, "plan": {"ops": [{"op": "drop_missing", "columns": ["revnue"]}]}});
    let (_, err) = send(&e.app, post("/datasets/clean/", &e.alice, body)).await;
    assert_eq!(err["details"]["column"], "revnue", "{err}");
    assert!(
        err["details"]["available"]
            .as_array()
            .unwrap()
            .contains(&json!("revenue"))
    );
    assert!(
        err["message"].as_str().unwrap().contains("revenue"),
        "{err}"
    );

    let (status, _) = send(
        &e.app,
        post(
            "/datasets/clean/",
            &e.alice,
            json!({"dataset_id": e.dataset, "version": 7, "plan": plan()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send(
        &e.app,
        post(
            "/datasets/clean/",
            &e.alice,
            json!({"dataset_id": "nope", "plan": plan()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // another user: 404 even for a plan that would be refused
    for p in [
        plan(),
        json!({"ops": [{"op": "drop_missing", "columns": ["zzz"]}]}),
    ] {
        let (status, err) = send(
            &e.app,
            post(
                "/datasets/clean/",
                &e.bob,
                json!({"dataset_id": e.dataset, "plan": p}),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
        assert_eq!(err["code"], "not_found");
    }
    assert_eq!(
        e.state
            .datasets()
            .describe(&e.dataset)
            .unwrap()
            .versions
            .len(),
        1
    );
}
