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

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use serde_json::{Value, json};
use sqlx::Row;

const JOBS: usize = 500;
/// Requests in flight at once while submitting.
const CONCURRENCY: usize = 16;
const PASSWORD: &str = "e2e-password-not-secret";
/// Longest wait for all jobs to finish after a failure.
const FINISH_TIMEOUT: Duration = Duration::from_secs(100);

fn required(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: run `scripts/services.sh start kafka postgres` and \
             `eval \"$(scripts/services.sh env)\"`"
        ),
    }
}

fn stamp() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("{}_{nanos}", std::process::id())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A database of its own on the test PostgreSQL server, so counts see only
/// this test's jobs.
async fn fresh_database(name: &str) -> String {
    sqlx::any::install_default_drivers();
    let base = required("ABSTAT_TEST_POSTGRES");
    let admin = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to PostgreSQL");
    // The name is made here of a test name, a pid and a time: nothing to escape.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{name}")
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

/// One `abstat` process, killed on drop; its log kept for failure messages.
struct Process {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Process {
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(30);
        format!("---- {} ----\n{}", self.name, lines[from..].join("\n"))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The server, the workers and what they share.
struct Cluster {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    serve: Process,
    workers: Vec<Process>,
    base: String,
    database_url: String,
    events_topic: String,
}

impl Cluster {
    async fn start(brokers: &str, test: &str) -> Cluster {
        let id = stamp();
        let database_url = fresh_database(&format!("e2e_{test}_{id}")).await;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let prefix = format!("e2e-{test}-{id}.").replace('_', "-");
        let env: Vec<(String, String)> = [
            ("ABSTAT_DATABASE_URL", database_url.as_str()),
            (
                "ABSTAT_DATA_DIR",
                &dir.path().join("data").to_string_lossy(),
            ),
            ("ABSTAT_KAFKA_BROKERS", brokers),
            ("ABSTAT_KAFKA_TOPIC_PREFIX", &prefix),
            ("ABSTAT_KAFKA_GROUP", &format!("{prefix}workers")),
            ("ABSTAT_KAFKA_PARTITIONS", "6"),
            ("ABSTAT_JWT_SECRET", &"e2e-secret-".repeat(4)),
            ("ABSTAT_HTTP_ADDR", &format!("127.0.0.1:{port}")),
            ("ABSTAT_RATE_LIMIT", "0"),
            ("ABSTAT_MAX_JOBS_PER_USER", "100000"),
            ("RUST_LOG", "info"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut cluster = Cluster {
            serve: spawn(
                dir.path(),
                &env,
                "serve",
                &["serve"],
                &[("ABSTAT_WORKER_TASKS", "0")],
            ),
            dir,
            env,
            workers: Vec::new(),
            base: format!("http://127.0.0.1:{port}"),
            database_url,
            events_topic: format!("{prefix}events"),
        };
        cluster.add_user();
        cluster.wait_healthy().await;
        for i in 0..2 {
            let w = spawn(
                cluster.dir.path(),
                &cluster.env,
                &format!("worker{i}"),
                &["worker"],
                &[("ABSTAT_WORKER_TASKS", "2")],
            );
            cluster.workers.push(w);
        }
        for w in &cluster.workers {
            wait_for_line(w, "abstat worker ready", Duration::from_secs(60));
        }
        cluster
    }

    fn add_user(&self) {
        let mut cmd = abstat(&self.env, &[]);
        let mut child = cmd
            .args(["user", "add", "e2e", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(PASSWORD.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "abstat user add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    async fn wait_healthy(&self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = client.get(format!("{}/healthz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "abstat serve did not answer /healthz within 60 s\n{}",
                self.serve.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn logs(&self) -> String {
        let mut s = self.serve.log_tail();
        for w in &self.workers {
            s.push('\n');
            s.push_str(&w.log_tail());
        }
        s
    }
}

fn abstat(env: &[(String, String)], extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_abstat"));
    cmd.env_clear();
    for keep in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(keep) {
            cmd.env(keep, v);
        }
    }
    cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    cmd.envs(extra.iter().copied());
    cmd
}

fn spawn(
    dir: &Path,
    env: &[(String, String)],
    name: &str,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Process {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = abstat(env, extra)
        .args(args)
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap_or_else(|e| panic!("start abstat {args:?}: {e}"));
    Process {
        name: name.to_string(),
        child,
        log,
    }
}

fn wait_for_line(p: &Process, needle: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        let found = std::fs::File::open(&p.log)
            .map(|f| {
                BufReader::new(f)
                    .lines()
                    .any(|l| l.is_ok_and(|l| l.contains(needle)))
            })
            .unwrap_or(false);
        if found {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} did not print {needle:?} within {timeout:?}\n{}",
            p.name,
            p.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A logged-in API client.
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn login(base: &str) -> Api {
        let client = reqwest::Client::new();
        let pair: Value = client
            .post(format!("{base}/auth/token/"))
            .json(&json!({"username": "e2e", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = pair["access"]
            .as_str()
            .expect("an access token")
            .to_string();
        Api {
            client,
            base: base.to_string(),
            token,
        }
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = req.bearer_auth(&self.token).send().await.expect("HTTP");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn upload(&self) -> String {
        let (status, body) = self
            .call(
                self.client
                    .post(format!("{}/datasets/upload/?name=exp.csv", self.base))
                    .body(csv()),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["dataset"]["id"].as_str().unwrap().to_string()
    }

    async fn job(&self, id: &str) -> Value {
        let (status, body) = self
            .call(self.client.get(format!("{}/jobs/{id}/", self.base)))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// 80 rows: variant A/B, a three-level segment, numeric columns, a 0/1
/// conversion.
fn csv() -> String {
    let mut s = String::from("variant,segment,revenue,pre,clicks,sessions,converted\n");
    for i in 0..80u32 {
        let b = i % 2 == 1;
        let wobble = f64::from((i * 7919) % 101) / 10.0;
        let clicks = (i * 31) % 9 + u32::from(b);
        s.push_str(&format!(
            "{},{},{},{},{clicks},{},{}\n",
            if b { "B" } else { "A" },
            ["x", "y", "z"][(i % 3) as usize],
            wobble + if b { 1.5 } else { 0.0 },
            wobble * 0.8 + f64::from(i % 5),
            clicks + 1 + i % 3,
            u32::from((i * 13) % 7 < if b { 3 } else { 2 }),
        ));
    }
    s
}

/// Job `i`: every kind in turn, each request distinct (its alpha or seed) so
/// that none is answered from the result cache.
fn job_request(i: usize, dataset: &str) -> (&'static str, Value) {
    let alpha = 0.01 + i as f64 * 1e-4;
    match i % 4 {
        0 => (
            "/analytics/stat-tests/",
            json!({"dataset_id": dataset, "test": "welch", "column": "revenue",
                   "group_column": "variant", "alpha": alpha}),
        ),
        1 => (
            "/analytics/regression/",
            json!({"dataset_id": dataset, "model": "ols", "target": "revenue",
                   "predictors": ["pre", "segment"], "alpha": alpha}),
        ),
        2 => (
            "/ab-tests/run/",
            json!({"dataset_id": dataset, "variant_column": "variant", "control": "A",
                   "metrics": [{"column": "revenue", "kind": "mean"},
                               {"column": "converted", "kind": "proportion"}],
                   "alpha": alpha}),
        ),
        _ => (
            "/analytics/classification/",
            json!({"dataset_id": dataset, "model": "logistic", "target": "variant",
                   "features": ["pre", "clicks"], "seed": i}),
        ),
    }
}

/// Submit all jobs, `CONCURRENCY` at a time; returns their ids in order.
async fn submit_all(api: &Api, dataset: &str) -> Vec<String> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..JOBS {
        let (path, body) = job_request(i, dataset);
        let (api, permit) = (
            api.clone(),
            semaphore.clone().acquire_owned().await.unwrap(),
        );
        set.spawn(async move {
            let req = api.client.post(format!("{}{path}", api.base)).json(&body);
            let (status, job) = api.call(req).await;
            drop(permit);
            assert_eq!(status, 202, "job {i} ({path}) was not accepted: {job}");
            (i, job["job_id"].as_str().expect("a job id").to_string())
        });
    }
    let mut ids = vec![String::new(); JOBS];
    while let Some(done) = set.join_next().await {
        let (i, id) = done.expect("submit task");
        ids[i] = id;
    }
    ids
}

/// Job counts by status in the shared metadata database.
async fn statuses(db: &sqlx::AnyPool) -> HashMap<String, i64> {
    sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        .fetch_all(db)
        .await
        .expect("count jobs")
        .iter()
        .map(|r| (r.get::<String, _>("status"), r.get::<i64, _>("n")))
        .collect()
}

async fn wait_for_succeeded(db: &sqlx::AnyPool, at_least: i64, cluster: &Cluster) {
    let deadline = Instant::now() + FINISH_TIMEOUT;
    loop {
        let counts = statuses(db).await;
        if counts.get("succeeded").copied().unwrap_or(0) >= at_least {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {counts:?} after {FINISH_TIMEOUT:?} (want {at_least} succeeded)\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_mid_run_loses_no_job_and_stores_each_result_once() {
    let brokers = required("ABSTAT_TEST_KAFKA");
    let mut cluster = Cluster::start(&brokers, "sigkill").await;
    let db = sqlx::AnyPool::connect(&cluster.database_url).await.unwrap();
    let api = Api::login(&cluster.base).await;
    let dataset = api.upload().await;

    let submitting = tokio::spawn({
        let (api, dataset) = (api.clone(), dataset.clone());
        async move { submit_all(&api, &dataset).await }
    });
    wait_for_succeeded(&db, 60, &cluster).await;
    let before = statuses(&db).await;
    cluster.workers[0].kill();
    let at_kill = before.get("succeeded").copied().unwrap_or(0);
    assert!(
        at_kill < JOBS as i64,
        "the run was over before the kill: {before:?}"
    );
    eprintln!("worker0 killed with {before:?}");

    let ids = submitting.await.expect("submitting");
    wait_for_succeeded(&db, JOBS as i64, &cluster).await;
    assert_exactly_once(&cluster, &db, &api, &ids, &brokers).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_broker_restarted_mid_run_loses_no_job_and_stores_each_result_once() {
    let kafka = PrivateKafka::start();
    let cluster = Cluster::start(&kafka.address, "restart").await;
    let db = sqlx::AnyPool::connect(&cluster.database_url).await.unwrap();
    let api = Api::login(&cluster.base).await;
    let dataset = api.upload().await;

    let submitting = tokio::spawn({
        let (api, dataset) = (api.clone(), dataset.clone());
        async move { submit_all(&api, &dataset).await }
    });
    wait_for_succeeded(&db, 60, &cluster).await;
    let before = statuses(&db).await;
    let restarted = Instant::now();
    tokio::task::block_in_place(|| kafka.restart());
    eprintln!(
        "broker restarted in {:?}; before it: {before:?}",
        restarted.elapsed()
    );
    assert!(
        before.get("succeeded").copied().unwrap_or(0) < JOBS as i64,
        "the run was over before the restart: {before:?}"
    );

    let ids = submitting.await.expect("submitting");
    wait_for_succeeded(&db, JOBS as i64, &cluster).await;
    assert_exactly_once(&cluster, &db, &api, &ids, &kafka.address).await;
}
