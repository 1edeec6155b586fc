//! Issue #8's proof of the at-scale setup, with real processes: one
//! `abstat serve` (the API only, `ABSTAT_WORKER_TASKS=0`, submitting to
//! Kafka) and two `abstat worker` processes in one consumer group, sharing
//! one PostgreSQL metadata database and one data directory. 500 small jobs of
//! every analysis kind go in over HTTP while something breaks:
//!
//! - one worker is killed with SIGKILL mid-run;
//! - the Kafka broker is restarted mid-run (a private broker started through
//!   `scripts/services.sh` with a run dir of its own, so the shared one is
//!   never disturbed).
//!
//! Either way every job must reach `succeeded`, each result must be stored
//! exactly once (one `job_results` row per job, and no job announced
//! finished twice on the events topic: a second run of a job finds its
//! result stored and writes nothing), and none may be lost.
//!
//! ```sh
//! scripts/services.sh start kafka postgres && eval "$(scripts/services.sh env)"
//! cargo test -p abstat-server --features kafka,postgres --test workers_e2e
//! ```
//!
//! `ABSTAT_TEST_KAFKA` / `ABSTAT_TEST_POSTGRES` unset is a failure, never a
//! skip.
#![cfg(all(feature = "kafka", feature = "postgres"))]
#![allow(missing_docs)]

mod cluster;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use cluster::{Api, Cluster, required, statuses, submit_all};
use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use serde_json::Value;
use sqlx::Row;

const JOBS: usize = 500;
/// Longest wait for all jobs to finish after a failure.
const FINISH_TIMEOUT: Duration = Duration::from_secs(100);

async fn start(brokers: &str, test: &str) -> Cluster {
    Cluster::start(Path::new(env!("CARGO_BIN_EXE_abstat")), brokers, test, 2, 2).await
}

async fn wait_for_succeeded(db: &sqlx::AnyPool, at_least: i64, cluster: &Cluster) {
    cluster::wait_for_succeeded(db, at_least, cluster, FINISH_TIMEOUT).await;
}

/// The broker restart scenario's own Kafka, through the project's script.
struct PrivateKafka {
    run_dir: tempfile::TempDir,
    address: String,
}

fn services(run_dir: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/services.sh");
    let out = Command::new(script)
        .args(args)
        .env("ABSTAT_SERVICES_DIR", run_dir)
        .env_remove("ABSTAT_TEST_KAFKA")
        .output()
        .expect("run scripts/services.sh");
    assert!(
        out.status.success(),
        "scripts/services.sh {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl PrivateKafka {
    fn start() -> PrivateKafka {
        let run_dir = tempfile::tempdir().unwrap();
        services(run_dir.path(), &["start", "kafka"]);
        let address = std::fs::read_to_string(run_dir.path().join("kafka/address"))
            .expect("the broker's address")
            .trim()
            .to_string();
        PrivateKafka { run_dir, address }
    }

    fn restart(&self) {
        services(self.run_dir.path(), &["restart", "kafka"]);
    }
}

impl Drop for PrivateKafka {
    fn drop(&mut self) {
        services(self.run_dir.path(), &["stop", "kafka"]);
    }
}

/// JobFinished events on the events topic, by job id.
async fn finished_events(brokers: &str, topic: &str) -> HashMap<String, usize> {
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("{topic}-reader"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("events reader");
    consumer.subscribe(&[topic]).expect("subscribe to events");
    let mut finished = HashMap::new();
    // The topic is read until it has been quiet for 5 s.
    while let Ok(m) = tokio::time::timeout(Duration::from_secs(5), consumer.recv()).await {
        let m = m.expect("consume an event");
        let event: Value = serde_json::from_slice(m.payload().unwrap_or_default()).unwrap();
        if event["type"] == "job_finished" {
            *finished
                .entry(event["job_id"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
    }
    finished
}

/// Every job succeeded, with one stored result each, visible over HTTP, and
/// none announced finished twice.
async fn assert_exactly_once(
    cluster: &Cluster,
    db: &sqlx::AnyPool,
    api: &Api,
    ids: &[String],
    brokers: &str,
) {
    let counts = statuses(db).await;
    assert_eq!(
        counts,
        HashMap::from([("succeeded".to_string(), JOBS as i64)]),
        "every job succeeded, none lost, none extra\n{}",
        cluster.logs()
    );
    let results =
        sqlx::query("SELECT COUNT(*) AS n, COUNT(DISTINCT job_id) AS jobs FROM job_results")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(
        (results.get::<i64, _>("n"), results.get::<i64, _>("jobs")),
        (JOBS as i64, JOBS as i64),
        "one result row per job"
    );
    // The result row and the job's end are written in one transaction; a
    // second delivery of a finished job must have changed neither.
    let unmatched: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM jobs j JOIN job_results r ON r.job_id = j.id \
         WHERE r.created_at <> j.finished_at",
    )
    .fetch_one(db)
    .await
    .unwrap()
    .get("n");
    assert_eq!(unmatched, 0, "results rewritten after their job finished");

    for (i, id) in ids.iter().enumerate() {
        let job = api.job(id).await;
        assert_eq!(job["status"], "succeeded", "job {i}: {job}");
        assert!(job["result"].is_object(), "job {i} has no result: {job}");
    }

    let events = finished_events(brokers, &cluster.events_topic).await;
    let twice: Vec<_> = events.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "jobs announced finished more than once: {twice:?}"
    );
    // Events are best effort (a killed worker may have stored a result and
    // died before sending its event), so only most must be there.
    assert!(
        events.len() >= JOBS * 9 / 10,
        "only {} of {JOBS} jobs announced finished",
        events.len()
    );
}

/// Start the processes, submit the jobs over HTTP, break something with
/// `break_it` once 60 jobs succeeded (while most are still to run), and check
/// that every job still succeeds exactly once.
async fn survives(brokers: &str, test: &str, break_it: impl FnOnce(&mut Cluster)) {
    let mut cluster = start(brokers, test).await;
    let db = sqlx::AnyPool::connect(&cluster.database_url).await.unwrap();
    let api = Api::login(&cluster.base).await;
    let dataset = api.upload().await;

    let submitting = tokio::spawn({
        let (api, dataset) = (api.clone(), dataset.clone());
        async move { submit_all(&api, &dataset, JOBS).await }
    });
    wait_for_succeeded(&db, 60, &cluster).await;
    let before = statuses(&db).await;
    let broken = Instant::now();
    tokio::task::block_in_place(|| break_it(&mut cluster));
    eprintln!("{test}: done in {:?}, with {before:?}", broken.elapsed());
    assert!(
        before.get("succeeded").copied().unwrap_or(0) < JOBS as i64,
        "the run was over before the failure: {before:?}"
    );

    let ids = submitting.await.expect("submitting");
    wait_for_succeeded(&db, JOBS as i64, &cluster).await;
    assert_exactly_once(&cluster, &db, &api, &ids, brokers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_mid_run_loses_no_job_and_stores_each_result_once() {
    let brokers = required("ABSTAT_TEST_KAFKA");
    survives(&brokers, "sigkill", |cluster| cluster.workers[0].kill()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_restarted_mid_run_loses_no_job_and_stores_each_result_once() {
    let kafka = PrivateKafka::start();
    survives(&kafka.address, "restart", |_| kafka.restart()).await;
}
