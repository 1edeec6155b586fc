//! Counters of the Kafka transport, as plain atomics: cheap to bump on the
//! hot path, read by whoever exports metrics (Prometheus at `/metrics`).

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Counters of one [`KafkaQueue`](super::KafkaQueue). Monotonic unless
/// said otherwise.
#[derive(Debug, Default)]
pub struct QueueMetrics {
    /// Messages acknowledged by the brokers on the jobs topic.
    pub submitted: AtomicU64,
    /// Messages handed to workers (retries included).
    pub received: AtomicU64,
    /// Deliveries completed with `complete` (retried and dead-lettered
    /// ones are counted in `retried` and `dead_lettered`).
    pub completed: AtomicU64,
    /// Deliveries sent back to the retry topic.
    pub retried: AtomicU64,
    /// Deliveries moved to the dead-letter topic (malformed ones included).
    pub dead_lettered: AtomicU64,
    /// Records that could not be decoded (each is also dead-lettered).
    pub malformed: AtomicU64,
    /// Offset commits that failed (the records are delivered again).
    pub commit_failures: AtomicU64,
    /// Records the brokers did not acknowledge (jobs, retries, dead letters).
    pub produce_failures: AtomicU64,
    /// Failed polls of the consumer.
    pub receive_failures: AtomicU64,
    /// Sum of the queue lag of received messages, in ms: receive time
    /// minus `submitted_at_ms` (retries count from the first submission).
    pub lag_ms_sum: AtomicU64,
    /// Largest lag seen, in ms.
    pub lag_ms_max: AtomicU64,
    /// Lag of the latest received message, in ms (a gauge).
    pub lag_ms_last: AtomicU64,
}

impl QueueMetrics {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_lag(&self, lag_ms: u64) {
        self.lag_ms_sum.fetch_add(lag_ms, Ordering::Relaxed);
        self.lag_ms_max.fetch_max(lag_ms, Ordering::Relaxed);
        self.lag_ms_last.store(lag_ms, Ordering::Relaxed);
    }

    /// The counters' current values.
    pub fn snapshot(&self) -> QueueMetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        QueueMetricsSnapshot {
            submitted: get(&self.submitted),
            received: get(&self.received),
            completed: get(&self.completed),
            retried: get(&self.retried),
            dead_lettered: get(&self.dead_lettered),
            malformed: get(&self.malformed),
            commit_failures: get(&self.commit_failures),
            produce_failures: get(&self.produce_failures),
            receive_failures: get(&self.receive_failures),
            lag_ms_sum: get(&self.lag_ms_sum),
            lag_ms_max: get(&self.lag_ms_max),
            lag_ms_last: get(&self.lag_ms_last),
        }
    }
}

/// A copy of [`QueueMetrics`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueMetricsSnapshot {
    /// [`QueueMetrics::submitted`].
    pub submitted: u64,
    /// [`QueueMetrics::received`].
    pub received: u64,
    /// [`QueueMetrics::completed`].
    pub completed: u64,
    /// [`QueueMetrics::retried`].
    pub retried: u64,
    /// [`QueueMetrics::dead_lettered`].
    pub dead_lettered: u64,
    /// [`QueueMetrics::malformed`].
    pub malformed: u64,
    /// [`QueueMetrics::commit_failures`].
    pub commit_failures: u64,
    /// [`QueueMetrics::produce_failures`].
    pub produce_failures: u64,
    /// [`QueueMetrics::receive_failures`].
    pub receive_failures: u64,
    /// [`QueueMetrics::lag_ms_sum`].
    pub lag_ms_sum: u64,
    /// [`QueueMetrics::lag_ms_max`].
    pub lag_ms_max: u64,
    /// [`QueueMetrics::lag_ms_last`].
    pub lag_ms_last: u64,
}

/// Counters of one [`KafkaEvents`](super::KafkaEvents).
#[derive(Debug, Default)]
pub struct EventMetrics {
    /// Events acknowledged by the brokers.
    pub published: AtomicU64,
    /// Events dropped because the send buffer was full (the publisher is
    /// never made to wait).
    pub dropped: AtomicU64,
    /// Events the brokers did not take within the delivery timeout.
    pub failed: AtomicU64,
}

impl EventMetrics {
    /// `(published, dropped, failed)` now.
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (
            self.published.load(Ordering::Relaxed),
            self.dropped.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        )
    }
}

/// The Kafka counters as Prometheus series, read at each scrape:
/// `abstat_kafka_messages_total{what}` and `abstat_kafka_errors_total{what}`
/// (see [`crate::metrics`]).
#[derive(Debug)]
pub struct KafkaCollector {
    /// The queue's counters.
    pub queue: std::sync::Arc<QueueMetrics>,
    /// The event producer's counters, when events go to Kafka too.
    pub events: Option<std::sync::Arc<EventMetrics>>,
}

impl prometheus_client::collector::Collector for KafkaCollector {
    fn encode(
        &self,
        mut encoder: prometheus_client::encoding::DescriptorEncoder,
    ) -> Result<(), std::fmt::Error> {
        let q = self.queue.snapshot();
        let (_, dropped, failed) = self.events.as_ref().map_or((0, 0, 0), |e| e.snapshot());
        counters(
            &mut encoder,
            "abstat_kafka_messages",
            "Kafka job records by what happened to them",
            &[
                ("submitted", q.submitted),
                ("received", q.received),
                ("completed", q.completed),
                ("retried", q.retried),
                ("dead_lettered", q.dead_lettered),
                ("malformed", q.malformed),
            ],
        )?;
        counters(
            &mut encoder,
            "abstat_kafka_errors",
            "Kafka producer and consumer failures",
            &[
                ("produce", q.produce_failures),
                ("receive", q.receive_failures),
                ("commit", q.commit_failures),
                ("event_dropped", dropped),
                ("event_failed", failed),
            ],
        )?;
        Ok(())
    }
}

/// One counter family with a `what` label per series.
fn counters(
    encoder: &mut prometheus_client::encoding::DescriptorEncoder,
    name: &str,
    help: &str,
    series: &[(&str, u64)],
) -> Result<(), std::fmt::Error> {
    use prometheus_client::encoding::EncodeMetric;
    use prometheus_client::metrics::counter::ConstCounter;
    let mut family = encoder.encode_descriptor(
        name,
        help,
        None,
        prometheus_client::metrics::MetricType::Counter,
    )?;
    for (what, value) in series {
        let labels = [("what", *what)];
        ConstCounter::new(*value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}
