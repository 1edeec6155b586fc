//! Router tests of the result cache's hit path: a repeated analysis is
//! answered with the job that first computed it and writes nothing; a
//! shared cache never hands one user another user's job; a new dataset
//! version or a deleted dataset is never answered from an old entry.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use sqlx::Row;

use super::job_tests::{env, post};
use super::testing::*;
use crate::jobs::queue::JobKind;
use crate::jobs::store::NewJob;
use crate::store::Metadata;

fn ab_body(dataset: &Value) -> Value {
    json!({"dataset_id": dataset, "variant_column": "variant", "control": "A",
           "metrics": [{"column": "pre", "kind": "mean"}, {"column": "converted", "kind": "proportion"}]})
}

/// Rows of the jobs and job_results tables.
async fn rows(db: &Metadata) -> (i64, i64) {
    let count = |sql: &'static str| async move {
        let n: i64 = sqlx::query(sql)
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get("n");
        n
    };
    (
        count("SELECT COUNT(*) AS n FROM jobs").await,
        count("SELECT COUNT(*) AS n FROM job_results").await,
    )
}

#[tokio::test]
async fn a_cache_hit_is_the_first_job_and_writes_no_row() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let body = ab_body(&json!(e.dataset));
    let first = e.run("/ab-tests/run/", body.clone()).await;
    assert_eq!(first["cached"], false);
    let before = rows(e.state.metadata()).await;

    for _ in 0..5 {
        let (status, hit) = send(&e.app, post("/ab-tests/run/", &e.alice, body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{hit}");
        assert_eq!(hit["cached"], true);
        assert_eq!(hit["status"], "succeeded");
        assert_eq!(hit["job_id"], first["job_id"]);
        assert_eq!(hit["created_at"], first["created_at"]);
        assert_eq!(hit["result"], first["result"]);
        assert_eq!(hit["links"], first["links"]);
    }
    assert_eq!(
        rows(e.state.metadata()).await,
        before,
        "no job or result row per hit"
    );

    // the returned id is a job like any other
    let link = first["links"]["self"].as_str().unwrap();
    let (status, job) = send(&e.app, get(link, Some(&e.alice))).await;
    assert_eq!(status, StatusCode::OK, "{job}");
    assert_eq!(job["result"], first["result"]);
    assert_eq!(job["cached"], false, "the job itself computed the result");
}

#[tokio::test]
async fn a_shared_cache_entry_never_hands_one_user_another_s_job() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let first = e.run("/ab-tests/run/", ab_body(&json!(e.dataset))).await;
    let alice_job = e
        .state
        .metadata()
        .job_by_id(first["job_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();

    // bob cannot reach alice's dataset, so the route never looks him up ...
    let (status, err) = send(
        &e.app,
        post("/ab-tests/run/", &e.bob, ab_body(&json!(e.dataset))),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");

    // ... and even a cache shared with his own job's key (a Redis entry
    // written elsewhere) answers him with a job of his own, born once
    let bob = e
        .state
        .metadata()
        .user_by_name("bob")
        .await
        .unwrap()
        .unwrap();
    let bob_job = || NewJob {
        owner_id: bob.user.id.clone(),
        kind: JobKind::AbTest,
        dataset_id: alice_job.dataset_id.clone(),
        dataset_version: alice_job.dataset_version,
        request: alice_job.request.clone(),
        cache_key: alice_job.cache_key.clone(),
    };
    let jobs = e.state.jobs();
    let row = jobs
        .submit(e.state.metadata(), bob_job(), None)
        .await
        .unwrap();
    assert_ne!(row.id, alice_job.id);
    assert_eq!(row.owner_id, bob.user.id);
    assert!(row.cached);
    let again = jobs
        .submit(e.state.metadata(), bob_job(), None)
        .await
        .unwrap();
    assert_eq!(again.id, row.id, "his second hit reuses his own job");
    assert_eq!(
        e.state.metadata().job_result(&row.id).await.unwrap(),
        e.state.metadata().job_result(&alice_job.id).await.unwrap()
    );
    assert!(
        e.state
            .metadata()
            .job(&bob.user.id, &alice_job.id)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_new_version_or_a_deleted_dataset_is_never_answered_from_an_old_entry() {
    let dir = tempfile::tempdir().unwrap();
    let e = env(dir.path(), true).await;
    let body = ab_body(&json!(e.dataset));
    let v1 = e.run("/ab-tests/run/", body.clone()).await;
    assert_eq!(v1["dataset_version"], 1);

    // a clean writes version 2: the same request (no version) is new work
    let clean = json!({"dataset_id": e.dataset, "plan": {"ops": [
        {"op": "filter", "column": "segment", "cmp": "!=", "value": "z"}]}});
    let cleaned = e.run("/datasets/clean/", clean).await;
    assert_eq!(cleaned["result"]["version"], 2, "{cleaned}");
    let v2 = e.run("/ab-tests/run/", body.clone()).await;
    assert_eq!(v2["dataset_version"], 2);
    assert_eq!(v2["cached"], false);
    assert_ne!(v2["job_id"], v1["job_id"]);
    assert_ne!(v2["result"]["units"], v1["result"]["units"]);
    // version 1 pinned is still the first job
    let mut pinned = body.clone();
    pinned["version"] = json!(1);
    let (_, hit) = send(&e.app, post("/ab-tests/run/", &e.alice, pinned)).await;
    assert_eq!(hit["job_id"], v1["job_id"]);
    assert_eq!(hit["cached"], true);

    // deleted: 404, whatever the cache holds
    let del = Request::delete(format!("/datasets/{}/", e.dataset))
        .header("authorization", format!("Bearer {}", e.alice))
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&e.app, del).await.0, StatusCode::NO_CONTENT);
    let (status, err) = send(&e.app, post("/ab-tests/run/", &e.alice, body)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
}
