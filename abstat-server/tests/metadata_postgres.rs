//! The metadata store on the real PostgreSQL started by `scripts/services.sh`
//! (`ABSTAT_TEST_POSTGRES`): the same behaviour the SQLite unit tests check,
//! on the backend a team runs at scale.
#![cfg(feature = "postgres")]
#![allow(missing_docs)]

use std::time::Duration;

use abstat_api::JobStatus;
use abstat_server::jobs::in_process::InProcessQueue;
use abstat_server::jobs::queue::{JobKind, JobMessage, JobQueue};
use abstat_server::jobs::store::NewJob;
use abstat_server::store::{Metadata, StoreError};

fn postgres_url() -> String {
    match std::env::var("ABSTAT_TEST_POSTGRES") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "ABSTAT_TEST_POSTGRES is not set: run `scripts/services.sh start` and `eval \"$(scripts/services.sh env)\"`"
        ),
    }
}

#[tokio::test]
async fn users_round_trip_and_stay_unique_on_postgres() {
    let db = Metadata::connect(&postgres_url())
        .await
        .expect("connect and migrate");
    // Connecting again runs the migrations again: they must be idempotent.
    let db2 = Metadata::connect(&postgres_url())
        .await
        .expect("second connect");
    db.ping().await.unwrap();

    // Names and ids no earlier run used, so reruns against a long-lived server pass.
    let stamp = uuid_like();
    let name = format!("alice_{}_{stamp}", std::process::id());
    let telegram_id = (stamp % i64::MAX as u128) as i64;
    let alice = db
        .create_user(&name, Some("hash"), Some(telegram_id))
        .await
        .unwrap();
    let found = db2
        .user_by_name(&name)
        .await
        .unwrap()
        .expect("visible to another pool");
    assert_eq!(found.user, alice);
    assert_eq!(found.password_hash.as_deref(), Some("hash"));
    assert_eq!(db.user_by_id(&alice.id).await.unwrap(), Some(alice));
    assert!(matches!(
        db.create_user(&name, None, None).await,
        Err(StoreError::UsernameTaken(_))
    ));
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Jobs and the in-process queue: the migration's SQL, the idempotent
/// result write and the atomic claim.
#[tokio::test]
async fn jobs_finish_once_and_queue_messages_are_claimed_once_on_postgres() {
    let db = Metadata::connect(&postgres_url())
        .await
        .expect("connect and migrate");
    let name = format!("jobs_{}", uuid::Uuid::new_v4().simple());
    let owner = db.create_user(&name, None, None).await.unwrap().id;
    let job = db
        .create_job(NewJob {
            owner_id: owner.clone(),
            kind: JobKind::Regression,
            dataset_id: "d".into(),
            dataset_version: 3,
            request: serde_json::json!({"model": "ols"}),
            cache_key: Some("k".into()),
        })
        .await
        .unwrap();
    assert_eq!(db.job(&owner, &job.id).await.unwrap().unwrap(), job);
    assert!(db.job("another", &job.id).await.unwrap().is_none());
    assert!(db.mark_job_running(&job.id, 1).await.unwrap());
    assert!(db.finish_job(&job.id, "{\"a\":1}").await.unwrap());
    assert!(
        !db.finish_job(&job.id, "{\"a\":2}").await.unwrap(),
        "second write is a no-op"
    );
    assert!(!db.fail_job(&job.id, "late").await.unwrap());
    let done = db.job_by_id(&job.id).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(
        db.job_result(&job.id).await.unwrap().as_deref(),
        Some("{\"a\":1}")
    );

    // The queue table is shared by every run against this server: use our
    // own job ids and drain until ours are seen.
    let q = InProcessQueue::new(db.clone());
    let ids: Vec<String> = (0..10).map(|i| format!("{}-{i}", job.id)).collect();
    for id in &ids {
        q.submit(JobMessage {
            job_id: id.clone(),
            kind: JobKind::StatTest,
            owner_id: owner.clone(),
            attempt: 1,
            submitted_at_ms: 0,
        })
        .await
        .unwrap();
    }
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let q = q.clone();
        tasks.spawn(async move {
            let mut got = Vec::new();
            while let Ok(Ok(d)) =
                tokio::time::timeout(Duration::from_millis(700), q.receive()).await
            {
                got.push(d.message.job_id.clone());
                q.complete(d).await.unwrap();
            }
            got
        });
    }
    let mut seen: Vec<String> = tasks.join_all().await.into_iter().flatten().collect();
    seen.retain(|id| id.starts_with(&job.id));
    seen.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected, "each message exactly once");
}
