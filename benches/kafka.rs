//! The Kafka job transport against the broker of `scripts/services.sh
//! start kafka` (`ABSTAT_TEST_KAFKA`): batches of 500 jobs submitted
//! (acks=all, idempotent, all in flight at once) as 500 concurrent `submit`
//! tasks and as one `submit_batch`, and batches of 100
//! received + completed (one synchronous offset commit per completion,
//! coalesced when completions overlap) by one worker task and by eight. The peer is confluent-kafka (the same
//! librdkafka) in `kafka_peers.py`, doing the same per-message work.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use abstat_server::jobs::kafka::{KafkaOptions, KafkaQueue};
use abstat_server::jobs::queue::{JobKind, JobMessage, JobQueue};
use abstat_server::jobs::topics::{TopicLayout, Topics};
use criterion::{Criterion, criterion_group, criterion_main};

const SUBMIT_BATCH: usize = 500;
const DRAIN_BATCH: usize = 100;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as i64
}

fn job(i: usize) -> JobMessage {
    JobMessage {
        job_id: format!("bench-{i:08}"),
        kind: JobKind::StatTest,
        owner_id: "bench".into(),
        attempt: 1,
        submitted_at_ms: now_ms(),
    }
}

async fn submit_batch(q: &Arc<KafkaQueue>, first: usize, n: usize) {
    let mut set = tokio::task::JoinSet::new();
    for i in first..first + n {
        let q = q.clone();
        set.spawn(async move { q.submit(job(i)).await });
    }
    while let Some(r) = set.join_next().await {
        r.expect("submit task").expect("submit");
    }
}

/// Receive and complete `DRAIN_BATCH` jobs with `tasks` concurrent workers.
async fn drain(q: &Arc<KafkaQueue>, tasks: usize) {
    let mut set = tokio::task::JoinSet::new();
    for t in 0..tasks {
        let q = q.clone();
        let share = DRAIN_BATCH / tasks + usize::from(t < DRAIN_BATCH % tasks);
        set.spawn(async move {
            for _ in 0..share {
                let d = q.receive().await.expect("receive");
                q.complete(d).await.expect("complete");
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("worker task");
    }
}

fn bench(c: &mut Criterion) {
    let brokers = std::env::var("ABSTAT_TEST_KAFKA").expect(
        "ABSTAT_TEST_KAFKA is not set: run `scripts/services.sh start kafka` and `source target/services/env`",
    );
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // One queue (topics and group) per benchmark, so no backlog carries over.
    let connect = |name: &str| {
        let options = KafkaOptions {
            group: format!("bench-{name}-{nanos}-workers"),
            topics: Topics::new(&format!("bench-{name}-{nanos}.")).unwrap(),
            layout: TopicLayout {
                partitions: 6,
                replication: 1,
            },
            ..KafkaOptions::new(brokers.clone())
        };
        rt.block_on(async { Arc::new(KafkaQueue::connect(options).await.expect("connect")) })
    };
    let mut next = 0;
    let mut group = c.benchmark_group("kafka");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let q = connect("submit");
    group.bench_function("submit_500", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                rt.block_on(submit_batch(&q, next, SUBMIT_BATCH));
                total += start.elapsed();
                next += SUBMIT_BATCH;
            }
            total
        })
    });
    // The same 500 as one submit_batch: pipelined in one task, no spawn per message.
    group.bench_function("submit_batch_500", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let batch: Vec<JobMessage> = (next..next + SUBMIT_BATCH).map(job).collect();
                let start = Instant::now();
                let acks = rt.block_on(q.submit_batch(batch));
                total += start.elapsed();
                assert!(acks.iter().all(Result::is_ok), "a batch submit failed");
                next += SUBMIT_BATCH;
            }
            total
        })
    });
    for tasks in [1, 8] {
        let q = connect(&format!("drain{tasks}"));
        group.bench_function(format!("receive_complete_100_{tasks}_tasks"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    rt.block_on(submit_batch(&q, next, DRAIN_BATCH));
                    next += DRAIN_BATCH;
                    let start = Instant::now();
                    rt.block_on(drain(&q, tasks));
                    total += start.elapsed();
                }
                total
            })
        });
        let m = q.metrics().snapshot();
        eprintln!(
            "kafka bench, {tasks} task(s): {} completed, {} commit failures",
            m.completed, m.commit_failures
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
