//! The Kafka job transport (`--features kafka`, `ABSTAT_KAFKA_BROKERS`).
//!
//! [`KafkaQueue`] implements [`JobQueue`] on the topics of
//! [`Topics`](super::topics::Topics):
//!
//! - **submit** produces the [`JobMessage`] as JSON to the jobs topic, keyed
//!   by job id, with an idempotent producer and `acks=all`, and returns when
//!   the brokers have acknowledged it. **submit_batch** hands all its records
//!   to the producer before awaiting any acknowledgement, so a batch costs
//!   about one round trip, not one per message.
//! - **receive** consumes the jobs and retry topics in one consumer group
//!   (`abstat-workers` unless configured). The consumer joins the group on
//!   the first `receive`, so a process that only submits never takes
//!   partitions from the workers.
//! - **complete** commits offsets, never automatically and never past a
//!   record still in flight: with several jobs of one partition running at
//!   once, finishing offset 12 before 10 commits nothing until 10 is done
//!   too (see `offsets.rs`). A worker that dies leaves its records
//!   uncommitted, and the group hands them to another worker.
//! - **retry** produces the message with `attempt + 1` to the retry topic
//!   with a [`headers::NOT_BEFORE_MS`] header, then completes the delivery.
//!   A retry that arrives early is held and its partition paused until it is
//!   due, so it delays neither other partitions nor new jobs.
//! - **dead_letter** produces the message to the dead-letter topic with
//!   [`headers::REASON`], [`headers::ATTEMPT`] and the original topic,
//!   partition and offset, then completes the delivery.
//! - A record that is not a valid [`JobMessage`] is dead-lettered by the
//!   queue itself (its raw bytes, with the reason and origin headers, since
//!   no [`Delivery`] can carry them) and committed; `receive` then returns
//!   [`QueueError::Malformed`] naming the record and its key (the job id, if
//!   the producer followed the rules) so the worker can log it, mark that job
//!   failed, and call `receive` again.
//!
//! Rebalances are served while some task awaits `receive`: a worker whose
//! tasks are all busy for longer than librdkafka's `max.poll.interval.ms`
//! (5 minutes) is taken for stuck and its uncompleted jobs go to others.
//!
//! A broker that cannot be reached is an error naming the brokers after
//! bounded timeouts ([`KafkaOptions::request_timeout`],
//! [`KafkaOptions::delivery_timeout`]), never a hang.

mod delays;
mod events;
mod group;
pub mod headers;
mod metrics;
mod offsets;
mod options;

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rdkafka::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use tokio::sync::watch;

pub use events::KafkaEvents;
pub use metrics::{EventMetrics, KafkaCollector, QueueMetrics, QueueMetricsSnapshot};
pub use options::KafkaOptions;

use self::group::{Shared, WorkerContext, lock, partition_list};
use super::queue::{BoxFuture, Delivery, JobMessage, JobQueue, QueueError, Receipt};
use super::topics::{TopicStatus, ensure_topics};

/// Milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn millis(d: Duration) -> String {
    d.as_millis().to_string()
}

/// Jobs on Kafka; see the [module docs](self).
pub struct KafkaQueue {
    options: KafkaOptions,
    producer: FutureProducer,
    consumer: Arc<StreamConsumer<WorkerContext>>,
    subscribed: OnceLock<Result<(), String>>,
    shared: Arc<Shared>,
    closed: watch::Sender<bool>,
    topic_status: Vec<TopicStatus>,
}

impl std::fmt::Debug for KafkaQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaQueue")
            .field("brokers", &self.options.brokers)
            .field("group", &self.options.group)
            .field("topics", &self.options.topics)
            .finish_non_exhaustive()
    }
}

/// What [`KafkaQueue::accept`] made of a consumed record.
enum Accepted {
    /// Hand it to the worker.
    Deliver(Delivery),
    /// Held until due, or not ours: receive the next one.
    Skip,
}

impl KafkaQueue {
    /// Connect: check that the brokers answer (within
    /// [`KafkaOptions::request_timeout`]), create the topics that do not
    /// exist yet, and prepare the producer and the consumer. The consumer
    /// joins the group at the first [`JobQueue::receive`].
    pub async fn connect(options: KafkaOptions) -> Result<KafkaQueue, QueueError> {
        options.validate()?;
        let backend = |what: &str, e: KafkaError| QueueError::Backend(format!("{what}: {e}"));
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &options.brokers)
            .set("client.id", &options.client_id)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            // A submit awaits its ack, so librdkafka's default 5 ms linger
            // would be added to every job's submit. Records still batch: the
            // ones produced while requests are in flight go out together.
            .set("linger.ms", "0")
            .set("message.timeout.ms", millis(options.delivery_timeout))
            .set(
                "socket.connection.setup.timeout.ms",
                millis(options.request_timeout),
            )
            .create()
            .map_err(|e| backend("cannot create a Kafka producer", e))?;
        check_brokers(&producer, &options).await?;
        let topic_status = ensure_topics(
            &options.brokers,
            &options.topics,
            options.layout,
            options.request_timeout,
        )
        .await?;

        let shared = Arc::new(Shared::default());
        let consumer: StreamConsumer<WorkerContext> = ClientConfig::new()
            .set("bootstrap.servers", &options.brokers)
            .set("client.id", &options.client_id)
            .set("group.id", &options.group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            // Jobs submitted before the first worker ever joined still run.
            .set("auto.offset.reset", "earliest")
            .set("session.timeout.ms", millis(options.session_timeout))
            .set("heartbeat.interval.ms", millis(options.session_timeout / 4))
            .set(
                "socket.connection.setup.timeout.ms",
                millis(options.request_timeout),
            )
            .create_with_context(WorkerContext {
                shared: shared.clone(),
            })
            .map_err(|e| backend("cannot create a Kafka consumer", e))?;
        let (closed, _) = watch::channel(false);
        Ok(KafkaQueue {
            options,
            producer,
            consumer: Arc::new(consumer),
            subscribed: OnceLock::new(),
            shared,
            closed,
            topic_status,
        })
    }

    /// The options it was connected with.
    pub fn options(&self) -> &KafkaOptions {
        &self.options
    }

    /// The topics found or created by [`KafkaQueue::connect`].
    pub fn topic_status(&self) -> &[TopicStatus] {
        &self.topic_status
    }

    /// The transport's counters.
    pub fn metrics(&self) -> Arc<QueueMetrics> {
        self.shared.metrics.clone()
    }

    /// The partitions this worker currently owns (empty before the first
    /// `receive`, and while the group rebalances).
    pub fn assignment(&self) -> Result<Vec<(String, i32)>, QueueError> {
        let list = self
            .consumer
            .assignment()
            .map_err(|e| QueueError::Backend(format!("cannot read the assignment: {e}")))?;
        Ok(list
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect())
    }

    /// Records handed out and not yet completed, retried or dead-lettered,
    /// plus retries held until due.
    pub fn in_flight(&self) -> usize {
        lock(&self.shared.offsets).in_flight()
    }

    /// Stop: pending and later `receive` calls return
    /// [`QueueError::Closed`]. Uncompleted deliveries stay uncommitted and
    /// go to another worker once this one leaves the group (on drop).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    fn subscribe(&self) -> Result<(), QueueError> {
        self.subscribed
            .get_or_init(|| {
                self.consumer
                    .subscribe(&self.options.topics.consumed())
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| {
                QueueError::Backend(format!(
                    "cannot subscribe to {}: {e}",
                    self.options.topics.consumed().join(", ")
                ))
            })
    }

    fn unavailable(&self, what: &str, e: impl std::fmt::Display) -> QueueError {
        QueueError::Unavailable(format!(
            "{what} (Kafka brokers {}): {e}",
            self.options.brokers
        ))
    }

    /// Produce one record and wait for the brokers' acknowledgement.
    async fn produce(
        &self,
        topic: &str,
        key: &[u8],
        payload: &[u8],
        headers: OwnedHeaders,
    ) -> Result<(), QueueError> {
        let record = FutureRecord::to(topic)
            .key(key)
            .payload(payload)
            .headers(headers);
        self.producer
            .send(record, self.options.delivery_timeout)
            .await
            .map(|_| ())
            .map_err(|(e, _)| self.unavailable(&format!("cannot write to {topic}"), e))
    }

    /// The record at this receipt is done: commit what may be committed.
    async fn finish(&self, receipt: &Receipt) -> Result<(), QueueError> {
        let (topic, partition, offset) = kafka_position(receipt)?;
        if !lock(&self.shared.offsets).finished(topic, *partition, *offset) {
            return Ok(());
        }
        let shared = self.shared.clone();
        let consumer = self.consumer.clone();
        tokio::task::spawn_blocking(move || shared.commit_pending(consumer.as_ref(), None))
            .await
            .map_err(|e| QueueError::Backend(format!("the commit task failed: {e}")))?
    }

    /// Turn one consumed record into a delivery, a held retry, or a
    /// dead-lettered malformed record.
    async fn accept(&self, record: OwnedMessage) -> Result<Accepted, QueueError> {
        let (topic, partition, offset) = (
            record.topic().to_string(),
            record.partition(),
            record.offset(),
        );
        if !lock(&self.shared.offsets).delivered(&topic, partition, offset) {
            // From a partition revoked since it was fetched: its new owner
            // receives it.
            return Ok(Accepted::Skip);
        }
        let receipt = Receipt::Kafka {
            topic: topic.clone(),
            partition,
            offset,
        };
        let message = match decode(record.payload()) {
            Ok(m) => m,
            Err(problem) => {
                return Err(self.dead_letter_malformed(&record, &receipt, problem).await);
            }
        };
        let delivery = Delivery { message, receipt };
        let not_before = headers::get(record.headers(), headers::NOT_BEFORE_MS)
            .and_then(|v| v.parse::<i64>().ok());
        if let Some(due) = not_before
            && due > now_ms()
        {
            {
                let mut delays = lock(&self.shared.delays);
                if delays.hold(due, (topic.clone(), partition), delivery)
                    && let Err(e) = self.consumer.pause(&partition_list(&[(topic, partition)]))
                {
                    tracing::warn!(error = %e, "cannot pause a partition while its retry waits");
                }
            }
            self.shared.delays_changed.notify_waiters();
            return Ok(Accepted::Skip);
        }
        Ok(Accepted::Deliver(self.hand_out(delivery)))
    }

    fn hand_out(&self, delivery: Delivery) -> Delivery {
        let m = &self.shared.metrics;
        QueueMetrics::bump(&m.received);
        let lag = now_ms().saturating_sub(delivery.message.submitted_at_ms);
        m.record_lag(u64::try_from(lag).unwrap_or(0));
        delivery
    }

    /// Dead-letter a record that is not a job message; the error to return
    /// from `receive`.
    async fn dead_letter_malformed(
        &self,
        record: &OwnedMessage,
        receipt: &Receipt,
        problem: String,
    ) -> QueueError {
        let key = record.key().unwrap_or_default();
        let reason = format!(
            "record {}[{}]@{} (key '{}') is not a job message: {problem}",
            record.topic(),
            record.partition(),
            record.offset(),
            String::from_utf8_lossy(key)
        );
        let mut pairs = vec![(headers::REASON, reason.clone())];
        pairs.extend(headers::origin(
            record.topic(),
            record.partition(),
            record.offset(),
        ));
        let topic = self.options.topics.dead_letters();
        let written = self
            .produce(
                topic,
                key,
                record.payload().unwrap_or_default(),
                headers::build(&pairs),
            )
            .await;
        if let Err(e) = written {
            return e;
        }
        let m = &self.shared.metrics;
        QueueMetrics::bump(&m.malformed);
        QueueMetrics::bump(&m.dead_lettered);
        tracing::warn!(%reason, dead_letter_topic = topic, "malformed job record dead-lettered");
        match self.finish(receipt).await {
            Ok(()) => QueueError::Malformed(reason),
            Err(e) => e,
        }
    }

    async fn next_delivery(&self) -> Result<Delivery, QueueError> {
        self.subscribe()?;
        let mut closed = self.closed.subscribe();
        loop {
            if *closed.borrow_and_update() {
                return Err(QueueError::Closed);
            }
            // Registered before looking, so a record held meanwhile wakes us.
            let changed = self.shared.delays_changed.notified();
            let next_due = {
                let mut delays = lock(&self.shared.delays);
                if let Some((delivery, resume)) = delays.pop_due(now_ms()) {
                    if let Some(p) = resume
                        && let Err(e) = self.consumer.resume(&partition_list(&[p]))
                    {
                        tracing::warn!(error = %e, "cannot resume a partition");
                    }
                    drop(delays);
                    return Ok(self.hand_out(delivery));
                }
                delays.next_due()
            };
            // Without a held record, wake up now and then anyway to notice
            // the queue being closed by a sender that has gone.
            let wait = next_due.map_or(Duration::from_secs(5), |due| {
                Duration::from_millis(u64::try_from(due - now_ms()).unwrap_or(0))
            });
            let consumer = &self.consumer;
            tokio::select! {
                record = async { consumer.recv().await.map(|m| m.detach()) } => {
                    let record = record.map_err(|e| {
                        QueueMetrics::bump(&self.shared.metrics.receive_failures);
                        self.unavailable("cannot receive jobs", e)
                    })?;
                    if let Accepted::Deliver(d) = self.accept(record).await? {
                        return Ok(d);
                    }
                }
                () = tokio::time::sleep(wait) => {}
                () = changed => {}
                _ = closed.changed() => {}
            }
        }
    }

    async fn send_on(
        &self,
        topic: &str,
        message: &JobMessage,
        pairs: &[(&str, String)],
    ) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(message)
            .map_err(|e| QueueError::Backend(format!("cannot encode a job message: {e}")))?;
        let sent = self
            .produce(
                topic,
                message.job_id.as_bytes(),
                &payload,
                headers::build(pairs),
            )
            .await;
        if sent.is_err() {
            QueueMetrics::bump(&self.shared.metrics.produce_failures);
        }
        sent
    }

    /// Headers naming the failed attempt and where its record was.
    fn failure_headers(
        delivery: &Delivery,
        reason: String,
    ) -> Result<Vec<(&'static str, String)>, QueueError> {
        let (topic, partition, offset) = kafka_position(&delivery.receipt)?;
        let mut pairs = vec![
            (headers::REASON, reason),
            (headers::ATTEMPT, delivery.message.attempt.to_string()),
        ];
        pairs.extend(headers::origin(topic, *partition, *offset));
        Ok(pairs)
    }
}

fn kafka_position(receipt: &Receipt) -> Result<(&String, &i32, &i64), QueueError> {
    match receipt {
        Receipt::Kafka {
            topic,
            partition,
            offset,
        } => Ok((topic, partition, offset)),
        Receipt::InProcess(_) => Err(QueueError::Backend(
            "a delivery of the in-process queue was given to the Kafka queue".into(),
        )),
    }
}

fn decode(payload: Option<&[u8]>) -> Result<JobMessage, String> {
    match payload {
        None | Some([]) => Err("the payload is empty".into()),
        Some(bytes) => serde_json::from_slice(bytes).map_err(|e| e.to_string()),
    }
}

/// Fail fast, naming the brokers, when none of them answers.
async fn check_brokers(
    producer: &FutureProducer,
    options: &KafkaOptions,
) -> Result<(), QueueError> {
    let producer = producer.clone();
    let timeout = options.request_timeout;
    let answered = tokio::task::spawn_blocking(move || {
        producer.client().fetch_metadata(None, timeout).map(|_| ())
    })
    .await
    .map_err(|e| QueueError::Backend(format!("the broker check failed: {e}")))?;
    answered.map_err(|e| {
        QueueError::Unavailable(format!(
            "no Kafka broker at {} answered within {timeout:?} ({e}); check ABSTAT_KAFKA_BROKERS and that Kafka is running there",
            options.brokers
        ))
    })
}

impl JobQueue for KafkaQueue {
    fn name(&self) -> &'static str {
        "kafka"
    }

    fn submit(&self, message: JobMessage) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            self.send_on(self.options.topics.jobs(), &message, &[])
                .await?;
            QueueMetrics::bump(&self.shared.metrics.submitted);
            Ok(())
        })
    }

    fn submit_batch(
        &self,
        messages: Vec<JobMessage>,
    ) -> BoxFuture<'_, Vec<Result<(), QueueError>>> {
        Box::pin(async move {
            // join_all polls every send once before awaiting any: all records
            // are in the producer's queue, batched into a few requests, and
            // their acknowledgements arrive together. Each result is still
            // its own record's ack (at least once).
            let topic = self.options.topics.jobs();
            let sends = messages.iter().map(|m| self.send_on(topic, m, &[]));
            let results = futures_util::future::join_all(sends).await;
            let acked = results.iter().filter(|r| r.is_ok()).count();
            self.shared
                .metrics
                .submitted
                .fetch_add(acked as u64, std::sync::atomic::Ordering::Relaxed);
            results
        })
    }

    fn receive(&self) -> BoxFuture<'_, Result<Delivery, QueueError>> {
        Box::pin(self.next_delivery())
    }

    fn complete(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            self.finish(&delivery.receipt).await?;
            QueueMetrics::bump(&self.shared.metrics.completed);
            Ok(())
        })
    }

    fn retry(
        &self,
        delivery: Delivery,
        backoff: Duration,
        reason: String,
    ) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let mut pairs = Self::failure_headers(&delivery, reason)?;
            let backoff_ms = i64::try_from(backoff.as_millis()).unwrap_or(i64::MAX);
            pairs.push((
                headers::NOT_BEFORE_MS,
                now_ms().saturating_add(backoff_ms).to_string(),
            ));
            let again = JobMessage {
                attempt: delivery.message.attempt.saturating_add(1),
                ..delivery.message.clone()
            };
            self.send_on(self.options.topics.retry(), &again, &pairs)
                .await?;
            QueueMetrics::bump(&self.shared.metrics.retried);
            self.finish(&delivery.receipt).await
        })
    }

    fn dead_letter(
        &self,
        delivery: Delivery,
        reason: String,
    ) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let pairs = Self::failure_headers(&delivery, reason)?;
            self.send_on(
                self.options.topics.dead_letters(),
                &delivery.message,
                &pairs,
            )
            .await?;
            QueueMetrics::bump(&self.shared.metrics.dead_lettered);
            self.finish(&delivery.receipt).await
        })
    }
}

impl Drop for KafkaQueue {
    fn drop(&mut self) {
        self.close();
        let held = lock(&self.shared.delays).len();
        if held > 0 {
            tracing::info!(held, "retries held at shutdown go to the next worker");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_that_are_not_job_messages_say_why() {
        assert!(decode(None).unwrap_err().contains("empty"));
        assert!(decode(Some(b"")).unwrap_err().contains("empty"));
        assert!(decode(Some(b"{\"job_id\": 1}")).is_err());
        let ok = br#"{"job_id":"j","kind":"clean","owner_id":"u","attempt":1,"submitted_at_ms":5}"#;
        assert_eq!(decode(Some(ok)).unwrap().job_id, "j");
    }
}
