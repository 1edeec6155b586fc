//! The Kafka job transport against the real broker started by
//! `scripts/services.sh start kafka`:
//!
//! ```sh
//! scripts/services.sh start kafka && source target/services/env
//! cargo test -p abstat-server --features kafka --test kafka_queue
//! ```
//!
//! `ABSTAT_TEST_KAFKA` unset is a failure, never a skip. Every test uses its
//! own topic prefix and consumer group, so tests run in parallel and reruns
//! never see old records.
#![cfg(feature = "kafka")]
#![allow(missing_docs)]

use std::collections::HashSet;
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use abstat_server::jobs::events::{DomainEvent, EventBus};
use abstat_server::jobs::kafka::{KafkaEvents, KafkaOptions, KafkaQueue, headers};
use abstat_server::jobs::queue::{Delivery, JobKind, JobMessage, JobQueue, QueueError, Receipt};
use abstat_server::jobs::topics::{TopicLayout, Topics};
use rdkafka::ClientConfig;
use rdkafka::Message;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::OwnedMessage;
use rdkafka::producer::{FutureProducer, FutureRecord};

/// Set in the child process of `killed_consumer_s_jobs_go_to_the_survivor`.
const CHILD_PREFIX: &str = "ABSTAT_KAFKA_TEST_CHILD_PREFIX";
const CHILD_GROUP: &str = "ABSTAT_KAFKA_TEST_CHILD_GROUP";

fn brokers() -> String {
    match std::env::var("ABSTAT_TEST_KAFKA") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "ABSTAT_TEST_KAFKA is not set: run `scripts/services.sh start kafka` and then \
             `source target/services/env` (or point it at a running broker)"
        ),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

/// A topic prefix and group no earlier run has used.
fn unique(test: &str) -> (String, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    let name = format!("test-{test}-{}-{nanos}", std::process::id()).replace('_', "-");
    (format!("{name}."), format!("{name}-workers"))
}

/// Options for tests: small timeouts so that failover takes seconds.
fn options(prefix: &str, group: &str, partitions: i32) -> KafkaOptions {
    KafkaOptions {
        group: group.to_string(),
        topics: Topics::new(prefix).expect("test prefix"),
        layout: TopicLayout {
            partitions,
            replication: 1,
        },
        // The broker's group.min.session.timeout.ms (6 s) is the floor.
        session_timeout: Duration::from_secs(6),
        request_timeout: Duration::from_secs(10),
        delivery_timeout: Duration::from_secs(15),
        ..KafkaOptions::new(brokers())
    }
}

async fn connect(prefix: &str, group: &str, partitions: i32) -> Arc<KafkaQueue> {
    Arc::new(
        KafkaQueue::connect(options(prefix, group, partitions))
            .await
            .unwrap_or_else(|e| panic!("connecting to Kafka: {e}")),
    )
}

fn job(i: usize) -> JobMessage {
    JobMessage {
        job_id: format!("job-{i:04}"),
        kind: JobKind::ALL[i % JobKind::ALL.len()],
        owner_id: format!("user-{}", i % 7),
        attempt: 1,
        submitted_at_ms: now_ms(),
    }
}

async fn receive(q: &KafkaQueue) -> Delivery {
    tokio::time::timeout(Duration::from_secs(30), q.receive())
        .await
        .expect("a delivery within 30 s")
        .unwrap_or_else(|e| panic!("receive: {e}"))
}

/// Poll `check` every 50 ms until it holds, failing after `timeout`.
async fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Receive and complete until the queue is closed, showing each delivery
/// to `seen` first.
fn spawn_worker_with(
    q: Arc<KafkaQueue>,
    seen: impl Fn(&Delivery) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match q.receive().await {
                Ok(d) => {
                    seen(&d);
                    q.complete(d).await.expect("complete");
                }
                Err(QueueError::Closed) => break,
                Err(e) => panic!("receive: {e}"),
            }
        }
    })
}

/// Receive and complete until the queue is closed, recording job ids.
fn spawn_worker(q: Arc<KafkaQueue>, done: Arc<Mutex<Vec<String>>>) -> tokio::task::JoinHandle<()> {
    spawn_worker_with(q, move |d| {
        done.lock().unwrap().push(d.message.job_id.clone())
    })
}

/// All records of `topic`, read by a consumer of its own.
async fn read_topic(topic: &str, n: usize) -> Vec<OwnedMessage> {
    let (_, group) = unique("reader");
    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("reader");
    consumer.subscribe(&[topic]).expect("subscribe");
    let mut out = Vec::new();
    while out.len() < n {
        let m = tokio::time::timeout(Duration::from_secs(30), consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("{} of {n} records on {topic}", out.len()))
            .expect("consume");
        out.push(m.detach());
    }
    out
}

fn header<'a>(m: &'a OwnedMessage, name: &str) -> Option<&'a str> {
    headers::get(m.headers(), name)
}

/// A new worker of `group` receives `marker` first: everything on the
/// (single-partition) jobs topic before it was committed.
async fn assert_all_committed_before(prefix: &str, group: &str, marker: usize) {
    let q = connect(prefix, group, 1).await;
    q.submit(job(marker)).await.expect("submit marker");
    let d = receive(&q).await;
    assert_eq!(
        d.message.job_id,
        job(marker).job_id,
        "a completed record was delivered again"
    );
    q.complete(d).await.expect("complete marker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_and_completed_records_are_not_delivered_again() {
    let (prefix, group) = unique("round_trip");
    let q = connect(&prefix, &group, 1).await;
    assert!(q.topic_status().iter().all(|t| t.created));
    let sent = job(1);
    q.submit(sent.clone()).await.expect("submit");
    let d = receive(&q).await;
    assert_eq!(d.message, sent);
    let Receipt::Kafka { topic, .. } = &d.receipt else {
        panic!("not a Kafka receipt: {:?}", d.receipt)
    };
    assert_eq!(topic, &format!("{prefix}jobs"));
    q.complete(d).await.expect("complete");
    let m = q.metrics().snapshot();
    assert_eq!((m.submitted, m.received, m.completed), (1, 1, 1));
    assert!(m.lag_ms_max < 30_000, "lag {} ms", m.lag_ms_max);
    drop(q);

    // Connecting again finds the topics and creates nothing.
    let again = connect(&prefix, &group, 1).await;
    assert!(again.topic_status().iter().all(|t| !t.created));
    drop(again);
    assert_all_committed_before(&prefix, &group, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_is_acknowledged_per_message_and_delivered_in_order() {
    let (prefix, group) = unique("batch");
    let q = connect(&prefix, &group, 1).await;
    let sent: Vec<JobMessage> = (0..50).map(job).collect();
    let acks = q.submit_batch(sent.clone()).await;
    assert_eq!(acks.len(), sent.len());
    assert!(acks.iter().all(Result::is_ok), "{acks:?}");
    assert_eq!(q.metrics().snapshot().submitted, 50);
    // One partition: the records keep the batch's order.
    for m in &sent {
        let d = receive(&q).await;
        assert_eq!(&d.message, m);
        q.complete(d).await.expect("complete");
    }
    drop(q);
    assert_all_committed_before(&prefix, &group, 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_are_never_committed_past_an_unfinished_job() {
    let (prefix, group) = unique("out_of_order");
    let q = connect(&prefix, &group, 1).await;
    for i in 0..3 {
        q.submit(job(i)).await.expect("submit");
    }
    let a = receive(&q).await;
    let b = receive(&q).await;
    let c = receive(&q).await;
    assert_eq!(a.message.job_id, job(0).job_id);
    // The later two finish first; the first never does (its worker dies).
    q.complete(c).await.expect("complete c");
    q.complete(b).await.expect("complete b");
    assert_eq!(q.in_flight(), 1);
    drop(q);

    // The next worker gets the unfinished job, and the two after it again
    // (their jobs would be found finished in the store).
    let q = connect(&prefix, &group, 1).await;
    let again: Vec<String> = [receive(&q).await, receive(&q).await, receive(&q).await]
        .into_iter()
        .map(|d| d.message.job_id)
        .collect();
    assert_eq!(again, [job(0).job_id, job(1).job_id, job(2).job_id]);
    // Complete them out of order too: all three end up committed.
    drop(q);
    let q = connect(&prefix, &group, 1).await;
    let ds = [receive(&q).await, receive(&q).await, receive(&q).await];
    for d in ds.into_iter().rev() {
        q.complete(d).await.expect("complete");
    }
    assert_eq!(q.in_flight(), 0);
    drop(q);
    assert_all_committed_before(&prefix, &group, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_in_one_group_complete_500_jobs_exactly_once() {
    const N: usize = 500;
    let (prefix, group) = unique("two_workers");
    let q1 = connect(&prefix, &group, 4).await;
    let q2 = connect(&prefix, &group, 4).await;
    let done1 = Arc::new(Mutex::new(Vec::new()));
    let done2 = Arc::new(Mutex::new(Vec::new()));
    let w1 = spawn_worker(q1.clone(), done1.clone());
    let w2 = spawn_worker(q2.clone(), done2.clone());
    // Both in the group before the jobs arrive, so no rebalance runs mid-way.
    wait_until(
        "both workers own partitions",
        Duration::from_secs(30),
        || {
            let a = q1.assignment().unwrap().len();
            let b = q2.assignment().unwrap().len();
            a > 0 && b > 0 && a + b == 8
        },
    )
    .await;

    let mut submits = tokio::task::JoinSet::new();
    for i in 0..N {
        let q = q1.clone();
        submits.spawn(async move { q.submit(job(i)).await });
    }
    while let Some(r) = submits.join_next().await {
        r.expect("submit task").expect("submit");
    }
    wait_until("all jobs are completed", Duration::from_secs(40), || {
        done1.lock().unwrap().len() + done2.lock().unwrap().len() >= N
    })
    .await;
    q1.close();
    q2.close();
    w1.await.unwrap();
    w2.await.unwrap();

    let (d1, d2) = (done1.lock().unwrap().clone(), done2.lock().unwrap().clone());
    assert!(
        !d1.is_empty() && !d2.is_empty(),
        "{} / {}",
        d1.len(),
        d2.len()
    );
    let all: HashSet<&String> = d1.iter().chain(&d2).collect();
    assert_eq!(d1.len() + d2.len(), N, "some job was completed twice");
    assert_eq!(all.len(), N);
    assert_eq!(
        all,
        (0..N)
            .map(|i| job(i).job_id)
            .collect::<Vec<_>>()
            .iter()
            .collect()
    );
    let (m1, m2) = (q1.metrics().snapshot(), q2.metrics().snapshot());
    assert_eq!(m1.submitted, N as u64);
    assert_eq!(m1.completed + m2.completed, N as u64);
}

/// The consumer process of `killed_consumer_s_jobs_go_to_the_survivor`: a
/// no-op unless that test started this binary with the child variables.
/// It receives jobs and never completes them, printing each job id, until
/// it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_consumer_process() {
    let (Ok(prefix), Ok(group)) = (std::env::var(CHILD_PREFIX), std::env::var(CHILD_GROUP)) else {
        return;
    };
    let q = connect(&prefix, &group, 4).await;
    let receiver = q.clone();
    tokio::spawn(async move {
        loop {
            let d = receiver.receive().await.expect("child receive");
            println!("received {}", d.message.job_id);
        }
    });
    wait_until("the child owns partitions", Duration::from_secs(30), || {
        !q.assignment().unwrap().is_empty()
    })
    .await;
    println!("assigned {}", q.assignment().unwrap().len());
    // Killed by the parent long before this.
    tokio::time::sleep(Duration::from_secs(120)).await;
    panic!("the child consumer was not killed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_consumer_s_jobs_go_to_the_survivor() {
    const N: usize = 100;
    let (prefix, group) = unique("killed");
    let survivor = connect(&prefix, &group, 4).await;
    let done = Arc::new(Mutex::new(Vec::new()));
    let worker = spawn_worker(survivor.clone(), done.clone());
    wait_until(
        "the survivor owns partitions",
        Duration::from_secs(30),
        || !survivor.assignment().unwrap().is_empty(),
    )
    .await;

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "child_consumer_process", "--nocapture"])
        .env(CHILD_PREFIX, &prefix)
        .env(CHILD_GROUP, &group)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the child consumer");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stdout = child.stdout.take().expect("child stdout");
    let reader_lines = lines.clone();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            reader_lines.lock().unwrap().push(line);
        }
    });
    let child_received = || -> Vec<String> {
        lines
            .lock()
            .unwrap()
            .iter()
            .filter_map(|l| l.strip_prefix("received ").map(str::to_string))
            .collect()
    };
    wait_until("the child owns partitions", Duration::from_secs(30), || {
        lines
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with("assigned"))
    })
    .await;
    wait_until(
        "the survivor's share is settled",
        Duration::from_secs(30),
        || {
            let n = survivor.assignment().unwrap().len();
            n > 0 && n < 8
        },
    )
    .await;

    for i in 0..N {
        survivor.submit(job(i)).await.expect("submit");
    }
    wait_until(
        "every job reached one of the two",
        Duration::from_secs(30),
        || done.lock().unwrap().len() + child_received().len() >= N,
    )
    .await;
    let taken_by_child = child_received();
    assert!(!taken_by_child.is_empty(), "the child received no job");
    child.kill().expect("SIGKILL the child");
    child.wait().expect("reap the child");

    // After the child's session times out, the group gives its partitions
    // to the survivor, which receives the uncommitted jobs.
    wait_until(
        "the survivor completed every job",
        Duration::from_secs(40),
        || done.lock().unwrap().len() >= N,
    )
    .await;
    survivor.close();
    worker.await.unwrap();
    let done = done.lock().unwrap().clone();
    let unique_done: HashSet<&String> = done.iter().collect();
    assert_eq!(done.len(), N, "the survivor completed a job twice");
    assert_eq!(
        unique_done,
        (0..N)
            .map(|i| job(i).job_id)
            .collect::<Vec<_>>()
            .iter()
            .collect()
    );
    assert!(taken_by_child.iter().all(|j| unique_done.contains(j)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_comes_back_with_attempt_plus_one_after_its_backoff_without_blocking_new_jobs() {
    let (prefix, group) = unique("retry");
    let q = connect(&prefix, &group, 1).await;
    q.submit(job(1)).await.expect("submit");
    let first = receive(&q).await;
    assert_eq!(first.message.attempt, 1);
    let backoff = Duration::from_millis(2500);
    let retried_at = now_ms();
    q.retry(first, backoff, "database busy".into())
        .await
        .expect("retry");

    // A job submitted after the retry is not held up by it.
    q.submit(job(2)).await.expect("submit");
    let other = receive(&q).await;
    assert_eq!(other.message.job_id, job(2).job_id);
    assert!(
        now_ms() - retried_at < backoff.as_millis() as i64,
        "the new job waited for the retry"
    );
    q.complete(other).await.expect("complete");

    let again = receive(&q).await;
    let waited = now_ms() - retried_at;
    assert_eq!(again.message.job_id, job(1).job_id);
    assert_eq!(again.message.attempt, 2);
    assert!(
        waited >= backoff.as_millis() as i64,
        "delivered after {waited} ms"
    );
    let Receipt::Kafka { topic, .. } = &again.receipt else {
        panic!("not a Kafka receipt")
    };
    assert_eq!(topic, &format!("{prefix}jobs.retry"));
    q.complete(again).await.expect("complete");
    let m = q.metrics().snapshot();
    // `completed` counts `complete` calls; the retried delivery is in `retried`.
    assert_eq!((m.retried, m.received, m.completed), (1, 3, 2));

    let records = read_topic(&format!("{prefix}jobs.retry"), 1).await;
    assert_eq!(header(&records[0], headers::REASON), Some("database busy"));
    assert_eq!(header(&records[0], headers::ATTEMPT), Some("1"));
    assert_eq!(
        header(&records[0], headers::ORIGINAL_TOPIC),
        Some(format!("{prefix}jobs").as_str())
    );
    drop(q);
    assert_all_committed_before(&prefix, &group, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_held_through_a_rebalance_is_delivered_once_when_due() {
    let (prefix, group) = unique("held_rebalance");
    let q1 = connect(&prefix, &group, 1).await;
    q1.submit(job(1)).await.expect("submit");
    let first = receive(&q1).await;
    let backoff = Duration::from_secs(4);
    let retried_at = now_ms();
    q1.retry(first, backoff, "busy".into())
        .await
        .expect("retry");

    // q1 fetches the retry early, holds it and pauses its partition ...
    let got = Arc::new(Mutex::new(Vec::<(JobMessage, i64)>::new()));
    let record = |q: Arc<KafkaQueue>, got: Arc<Mutex<Vec<(JobMessage, i64)>>>| {
        spawn_worker_with(q, move |d| {
            got.lock().unwrap().push((d.message.clone(), now_ms()))
        })
    };
    let w1 = record(q1.clone(), got.clone());
    wait_until("q1 holds the retry", Duration::from_secs(10), || {
        q1.in_flight() == 1
    })
    .await;
    // ... then a second worker joins: the group revokes and reassigns every
    // partition while the retry is held. Whoever owns the retry partition
    // afterwards must deliver it when due: dropped by q1, never stuck paused.
    let q2 = connect(&prefix, &group, 1).await;
    let w2 = record(q2.clone(), got.clone());
    wait_until("the retry is delivered", Duration::from_secs(20), || {
        !got.lock().unwrap().is_empty()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    q1.close();
    q2.close();
    w1.await.unwrap();
    w2.await.unwrap();
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "delivered more than once: {got:?}");
    let (message, at) = &got[0];
    assert_eq!((message.job_id.as_str(), message.attempt), ("job-0001", 2));
    assert!(
        at - retried_at >= backoff.as_millis() as i64,
        "delivered {} ms after the retry",
        at - retried_at
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_letter_lands_on_the_dlq_with_reason_attempt_and_origin() {
    let (prefix, group) = unique("dead_letter");
    let q = connect(&prefix, &group, 1).await;
    let sent = JobMessage {
        attempt: 5,
        ..job(1)
    };
    q.submit(sent.clone()).await.expect("submit");
    let d = receive(&q).await;
    let Receipt::Kafka { offset, .. } = d.receipt else {
        panic!("not a Kafka receipt")
    };
    q.dead_letter(d, "column 'x' is not numeric".into())
        .await
        .expect("dead_letter");
    assert_eq!(q.metrics().snapshot().dead_lettered, 1);

    let records = read_topic(&format!("{prefix}jobs.dlq"), 1).await;
    let r = &records[0];
    assert_eq!(r.key(), Some(sent.job_id.as_bytes()));
    let payload: JobMessage = serde_json::from_slice(r.payload().unwrap()).unwrap();
    assert_eq!(payload, sent);
    assert_eq!(
        header(r, headers::REASON),
        Some("column 'x' is not numeric")
    );
    assert_eq!(header(r, headers::ATTEMPT), Some("5"));
    assert_eq!(
        header(r, headers::ORIGINAL_TOPIC),
        Some(format!("{prefix}jobs").as_str())
    );
    assert_eq!(header(r, headers::ORIGINAL_PARTITION), Some("0"));
    assert_eq!(
        header(r, headers::ORIGINAL_OFFSET),
        Some(offset.to_string().as_str())
    );
    drop(q);
    assert_all_committed_before(&prefix, &group, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_record_is_dead_lettered_and_reported_as_malformed() {
    let (prefix, group) = unique("malformed");
    let q = connect(&prefix, &group, 1).await;
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers())
        .create()
        .expect("producer");
    producer
        .send(
            FutureRecord::to(&format!("{prefix}jobs"))
                .key("job-broken")
                .payload("{\"job_id\": \"job-broken\", \"kind\": \"astrology\"}"),
            Duration::from_secs(15),
        )
        .await
        .map_err(|(e, _)| e)
        .expect("produce garbage");
    q.submit(job(2)).await.expect("submit");

    let err = tokio::time::timeout(Duration::from_secs(30), q.receive())
        .await
        .expect("an answer within 30 s")
        .expect_err("a malformed record is not a delivery");
    let QueueError::Malformed(reason) = &err else {
        panic!("expected Malformed, got {err:?}")
    };
    assert!(reason.contains("job-broken"), "{reason}");
    assert!(reason.contains(&format!("{prefix}jobs")), "{reason}");
    assert!(reason.contains("astrology"), "{reason}");
    // The queue goes on with the next record.
    let next = receive(&q).await;
    assert_eq!(next.message.job_id, job(2).job_id);
    q.complete(next).await.expect("complete");
    let m = q.metrics().snapshot();
    assert_eq!((m.malformed, m.dead_lettered), (1, 1));

    let records = read_topic(&format!("{prefix}jobs.dlq"), 1).await;
    let r = &records[0];
    assert_eq!(r.key(), Some(&b"job-broken"[..]));
    assert!(
        r.payload()
            .unwrap()
            .starts_with(b"{\"job_id\": \"job-broken\"")
    );
    assert_eq!(header(r, headers::REASON), Some(reason.as_str()));
    assert_eq!(header(r, headers::ORIGINAL_OFFSET), Some("0"));
    drop(q);
    assert_all_committed_before(&prefix, &group, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_events_are_published_keyed_by_their_object() {
    let (prefix, group) = unique("events");
    let q = connect(&prefix, &group, 2).await;
    let events = KafkaEvents::new(q.options()).expect("events producer");
    let sent = [
        DomainEvent::DatasetUploaded {
            dataset_id: "ds-1".into(),
            owner_id: "u1".into(),
            rows: 10,
            bytes: 200,
        },
        DomainEvent::JobFailed {
            job_id: "job-9".into(),
            owner_id: "u1".into(),
            kind: JobKind::AbTest,
            reason: "no variant column".into(),
        },
    ];
    for e in &sent {
        events.publish(e.clone()).await.expect("publish");
    }
    events.flush(Duration::from_secs(15)).expect("flush");
    assert_eq!(events.metrics().snapshot(), (2, 0, 0));

    let mut got: Vec<(String, DomainEvent)> = read_topic(&format!("{prefix}events"), 2)
        .await
        .iter()
        .map(|r| {
            (
                String::from_utf8(r.key().unwrap().to_vec()).unwrap(),
                serde_json::from_slice(r.payload().unwrap()).unwrap(),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        vec![
            ("ds-1".to_string(), sent[0].clone()),
            ("job-9".to_string(), sent[1].clone())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_are_dropped_and_counted_not_waited_for_when_the_buffer_is_full() {
    let mut o = KafkaOptions::new("127.0.0.1:1");
    o.event_buffer = 2;
    let events = KafkaEvents::new(&o).expect("events producer");
    let started = Instant::now();
    for i in 0..5 {
        events
            .publish(DomainEvent::DatasetDeleted {
                dataset_id: format!("ds-{i}"),
                owner_id: "u".into(),
            })
            .await
            .expect("publish never fails on a full buffer");
    }
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(events.metrics().snapshot(), (0, 3, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_broker_is_a_clear_error_within_the_timeout() {
    let mut o = KafkaOptions::new("127.0.0.1:1");
    o.request_timeout = Duration::from_secs(2);
    let started = Instant::now();
    let err = KafkaQueue::connect(o)
        .await
        .expect_err("nothing listens on port 1");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, QueueError::Unavailable(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(text.contains("ABSTAT_KAFKA_BROKERS"), "{text}");
}

#[test]
fn abstat_worker_reports_readiness_and_names_dead_brokers() {
    use std::io::BufRead;
    let (prefix, _) = unique("cli");
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_abstat"))
        .arg("worker")
        .env("ABSTAT_KAFKA_BROKERS", brokers())
        .env("ABSTAT_KAFKA_TOPIC_PREFIX", &prefix)
        .env("ABSTAT_KAFKA_PARTITIONS", "2")
        .env("ABSTAT_DATA_DIR", data.path())
        .env_remove("ABSTAT_CONFIG")
        .env_remove("ABSTAT_DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .expect("run abstat worker");
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a readiness line");
    assert!(line.contains("ready"), "stdout: {line}");
    assert!(line.contains(&format!("{prefix}jobs")), "stdout: {line}");
    assert!(line.contains("abstat-workers"), "stdout: {line}");
    // The worker now runs jobs until it is told to stop, and stops cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        exit.success(),
        "abstat worker exited with {exit:?} after SIGTERM"
    );

    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_abstat"))
        .arg("worker")
        .env("ABSTAT_KAFKA_BROKERS", "127.0.0.1:1")
        .env_remove("ABSTAT_CONFIG")
        .output()
        .expect("run abstat worker");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr.contains("127.0.0.1:1"), "stderr: {stderr}");
}
