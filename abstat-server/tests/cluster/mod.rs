//! Real `abstat` processes for the end-to-end tests (`workers_e2e.rs`) and
//! the load benchmark (`benches/http_load.rs`, which includes this file by
//! path): one `abstat serve` and any number of `abstat worker` processes
//! sharing a metadata database and a data directory, and a logged-in HTTP
//! client that uploads a dataset and submits jobs of every kind.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use sqlx::Row;

/// Requests in flight at once while submitting.
pub const CONCURRENCY: usize = 16;
const PASSWORD: &str = "e2e-password-not-secret";

pub fn required(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: run `scripts/services.sh start kafka postgres` and \
             `eval \"$(scripts/services.sh env)\"`"
        ),
    }
}

pub fn stamp() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("{}_{nanos}", std::process::id())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A database of its own on the test PostgreSQL server, so counts see only
/// this test's jobs.
pub async fn fresh_database(name: &str) -> String {
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

/// One `abstat` process, killed on drop; its log kept for failure messages.
pub struct Process {
    pub name: String,
    pub child: Child,
    pub log: PathBuf,
}

impl Process {
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn log_tail(&self) -> String {
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
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub bin: PathBuf,
    pub env: Vec<(String, String)>,
    pub serve: Process,
    pub workers: Vec<Process>,
    /// `http://127.0.0.1:PORT` of the API.
    pub base: String,
    pub database_url: String,
    pub events_topic: String,
}

impl Cluster {
    /// `abstat serve` (API only) and `workers` workers of `tasks` tasks each
    /// on `brokers`, in a fresh PostgreSQL database of the test server.
    pub async fn start(
        bin: &Path,
        brokers: &str,
        test: &str,
        workers: usize,
        tasks: usize,
    ) -> Cluster {
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
                bin,
                dir.path(),
                &env,
                "serve",
                &["serve"],
                &[("ABSTAT_WORKER_TASKS", "0")],
            ),
            bin: bin.to_path_buf(),
            dir,
            env,
            workers: Vec::new(),
            base: format!("http://127.0.0.1:{port}"),
            database_url,
            events_topic: format!("{prefix}events"),
        };
        add_user(bin, &cluster.env);
        wait_healthy(&cluster.base, &cluster.serve).await;
        let tasks = tasks.to_string();
        for i in 0..workers {
            // Each worker serves /metrics on its own port, as two workers on
            // one machine must (and tests running at once must not collide).
            let metrics = format!("127.0.0.1:{}", free_port());
            let w = spawn(
                bin,
                cluster.dir.path(),
                &cluster.env,
                &format!("worker{i}"),
                &["worker"],
                &[
                    ("ABSTAT_WORKER_TASKS", &tasks),
                    ("ABSTAT_WORKER_METRICS_ADDR", &metrics),
                ],
            );
            cluster.workers.push(w);
        }
        for w in &mut cluster.workers {
            wait_for_line(w, "abstat worker ready", Duration::from_secs(60));
        }
        cluster
    }

    pub fn logs(&self) -> String {
        let mut s = self.serve.log_tail();
        for w in &self.workers {
            s.push('\n');
            s.push_str(&w.log_tail());
        }
        s
    }
}

/// `abstat user add` of the user [`Api::login`] logs in as.
pub fn add_user(bin: &Path, env: &[(String, String)]) {
    let mut child = abstat(bin, env, &[])
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

/// Wait until the server at `base` answers `/healthz`.
pub async fn wait_healthy(base: &str, serve: &Process) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "abstat serve did not answer /healthz within 60 s\n{}",
            serve.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The `abstat` binary at `bin` with only `env` and `extra` (plus PATH and HOME).
pub fn abstat(bin: &Path, env: &[(String, String)], extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(bin);
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

pub fn spawn(
    bin: &Path,
    dir: &Path,
    env: &[(String, String)],
    name: &str,
    args: &[&str],
    extra: &[(&str, &str)],
) -> Process {
    let log = dir.join(format!("{name}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = abstat(bin, env, extra)
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

pub fn wait_for_line(p: &mut Process, needle: &str, timeout: Duration) {
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
        if let Ok(Some(status)) = p.child.try_wait() {
            panic!(
                "{} exited ({status}) before printing {needle:?}\n{}",
                p.name,
                p.log_tail()
            );
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
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn login(base: &str) -> Api {
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

    pub async fn call(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let res = req.bearer_auth(&self.token).send().await.expect("HTTP");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn upload(&self) -> String {
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

    pub async fn job(&self, id: &str) -> Value {
        let (status, body) = self
            .call(self.client.get(format!("{}/jobs/{id}/", self.base)))
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// 80 rows: variant A/B, a three-level segment, numeric columns, a 0/1
/// conversion.
pub fn csv() -> String {
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
pub fn job_request(i: usize, dataset: &str) -> (&'static str, Value) {
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

/// Submit `n` jobs, `CONCURRENCY` at a time; returns their ids in order.
pub async fn submit_all(api: &Api, dataset: &str, n: usize) -> Vec<String> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
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
    let mut ids = vec![String::new(); n];
    while let Some(done) = set.join_next().await {
        let (i, id) = done.expect("submit task");
        ids[i] = id;
    }
    ids
}

/// Job counts by status in the shared metadata database.
pub async fn statuses(db: &sqlx::AnyPool) -> HashMap<String, i64> {
    sqlx::query("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
        .fetch_all(db)
        .await
        .expect("count jobs")
        .iter()
        .map(|r| (r.get::<String, _>("status"), r.get::<i64, _>("n")))
        .collect()
}

/// Poll until `at_least` jobs succeeded, failing with the processes' logs
/// after `timeout`.
pub async fn wait_for_succeeded(
    db: &sqlx::AnyPool,
    at_least: i64,
    cluster: &Cluster,
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let counts = statuses(db).await;
        if counts.get("succeeded").copied().unwrap_or(0) >= at_least {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {counts:?} after {timeout:?} (want {at_least} succeeded)\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
