//! The job transport: one small trait with two implementations, the
//! in-process queue (the embedded default, persisted in the metadata store)
//! and Kafka (`--features kafka`, `ABSTAT_KAFKA_BROKERS`).
//!
//! The queue moves only [`JobMessage`]s — a job id and what is needed to
//! route it. The job itself (owner, request, status, result) lives in the
//! metadata store, written before the message is submitted, so a message
//! can always be re-delivered safely.
//!
//! Delivery is **at least once**:
//! 1. a worker takes a [`Delivery`] with [`JobQueue::receive`];
//! 2. it runs the job and stores the result *idempotently by job id* (a
//!    second delivery of a finished job finds the result and does nothing);
//! 3. only then it calls [`JobQueue::complete`] (Kafka: commits the offset).
//!
//! A worker that dies between 1 and 3 leaves the message uncompleted, and
//! the queue hands it to another worker (Kafka: after the consumer group
//! rebalances; in-process: at the next start). A job that fails with a
//! transient error goes back with [`JobQueue::retry`] (its `attempt`
//! raised, delivered again no sooner than the backoff); a poison message —
//! one that cannot be decoded or keeps failing after the last attempt — goes
//! to [`JobQueue::dead_letter`] with its reason, and the worker marks the job
//! failed with that reason.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A boxed future, so that [`JobQueue`] can be used as `dyn JobQueue`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What kind of analysis a job runs; workers and metrics are labelled by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// `POST /analytics/stat-tests/`.
    StatTest,
    /// `POST /analytics/regression/`.
    Regression,
    /// `POST /analytics/classification/`.
    Classification,
    /// `POST /ab-tests/run/`.
    AbTest,
    /// `POST /datasets/clean/`.
    Clean,
    /// `GET /analytics/visualize/` when rendering is queued.
    Chart,
}

impl JobKind {
    /// Every kind, for metrics that must show zeros too.
    pub const ALL: [JobKind; 6] = [
        JobKind::StatTest,
        JobKind::Regression,
        JobKind::Classification,
        JobKind::AbTest,
        JobKind::Clean,
        JobKind::Chart,
    ];

    /// The snake_case name used in JSON, metrics labels and topics.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::StatTest => "stat_test",
            JobKind::Regression => "regression",
            JobKind::Classification => "classification",
            JobKind::AbTest => "ab_test",
            JobKind::Clean => "clean",
            JobKind::Chart => "chart",
        }
    }
}

impl fmt::Display for JobKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The message a queue carries for one job. Serialised as JSON on Kafka
/// (key: `job_id`, so every delivery of one job lands on one partition).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMessage {
    /// The job's id (a UUID in text form), the key of its metadata row.
    pub job_id: String,
    /// The job's kind.
    pub kind: JobKind,
    /// The owning user's id (for logs and per-user limits; ownership is
    /// checked against the metadata row, never trusted from the message).
    pub owner_id: String,
    /// 1 for the first delivery, raised by [`JobQueue::retry`].
    pub attempt: u32,
    /// When the job was submitted, milliseconds since the Unix epoch
    /// (queue lag = now − this at receive time).
    pub submitted_at_ms: i64,
}

/// Where a delivered message came from, so it can be completed, retried or
/// dead-lettered. Opaque to workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Receipt {
    /// The in-process queue's row id.
    InProcess(i64),
    /// A Kafka record's position.
    Kafka {
        /// Topic.
        topic: String,
        /// Partition.
        partition: i32,
        /// Offset.
        offset: i64,
    },
}

/// A message handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message.
    pub message: JobMessage,
    /// Its receipt.
    pub receipt: Receipt,
}

/// What can go wrong in a queue.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueueError {
    /// The broker or store could not be reached; the message says which and
    /// what to check. Callers may retry.
    #[error("the job queue is unavailable: {0}")]
    Unavailable(String),
    /// A message on the queue could not be decoded; it should be
    /// dead-lettered, not retried.
    ///
    /// Returned by [`JobQueue::receive`], it means the queue has already
    /// dead-lettered the record itself (only the queue holds its raw bytes;
    /// Kafka: to the dead-letter topic with the reason and origin headers)
    /// and completed it. The text names the record and its key, which is the
    /// job id when the producer followed the rules. The worker logs it (and
    /// may mark that job failed), then calls `receive` again.
    #[error("a job message could not be read: {0}")]
    Malformed(String),
    /// The queue has been shut down.
    #[error("the job queue is shut down")]
    Closed,
    /// Anything else from the backend.
    #[error("job queue error: {0}")]
    Backend(String),
}

/// The job transport. Implementations: the in-process queue and Kafka.
pub trait JobQueue: Send + Sync + fmt::Debug {
    /// A short name for logs and metrics (`in_process`, `kafka`).
    fn name(&self) -> &'static str;

    /// Put a message on the queue. Returns once it is durable (persisted
    /// row; Kafka: acknowledged by the broker with `acks=all`).
    fn submit(&self, message: JobMessage) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Put several messages on the queue: one result per message, in order,
    /// each `Ok` only once that message is durable, so a caller knows which
    /// jobs to mark failed. The default submits one after another; Kafka
    /// pipelines them (every record goes to the producer before any
    /// acknowledgement is awaited).
    fn submit_batch(
        &self,
        messages: Vec<JobMessage>,
    ) -> BoxFuture<'_, Vec<Result<(), QueueError>>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(messages.len());
            for m in messages {
                out.push(self.submit(m).await);
            }
            out
        })
    }

    /// Wait for the next message for this worker. Returns
    /// [`QueueError::Closed`] after shutdown.
    fn receive(&self) -> BoxFuture<'_, Result<Delivery, QueueError>>;

    /// The job's result is stored: the message is done and will not be
    /// delivered again (Kafka: commit the offset).
    fn complete(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Deliver the message again with `attempt + 1`, no sooner than
    /// `backoff` from now, and complete this delivery.
    fn retry(
        &self,
        delivery: Delivery,
        backoff: Duration,
        reason: String,
    ) -> BoxFuture<'_, Result<(), QueueError>>;

    /// Move the message to the dead-letter store (Kafka: the dead-letter
    /// topic, with the reason in a header) and complete this delivery.
    fn dead_letter(
        &self,
        delivery: Delivery,
        reason: String,
    ) -> BoxFuture<'_, Result<(), QueueError>>;
}

/// Retry policy shared by every worker: exponential backoff from `base`,
/// capped at `max`, for at most `max_attempts` deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries before a message is dead-lettered.
    pub max_attempts: u32,
    /// Backoff after the first failure.
    pub base: Duration,
    /// Longest backoff.
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(200),
            max: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff before delivery `attempt + 1`, or `None` when `attempt`
    /// was the last one and the message should be dead-lettered.
    pub fn backoff(&self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        Some(self.base.saturating_mul(factor).min(self.max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_then_stops() {
        let p = RetryPolicy {
            max_attempts: 4,
            base: Duration::from_millis(100),
            max: Duration::from_millis(300),
        };
        assert_eq!(p.backoff(1), Some(Duration::from_millis(100)));
        assert_eq!(p.backoff(2), Some(Duration::from_millis(200)));
        assert_eq!(p.backoff(3), Some(Duration::from_millis(300)));
        assert_eq!(p.backoff(4), None);
    }

    #[test]
    fn messages_round_trip_as_json() {
        let m = JobMessage {
            job_id: "0b1c".into(),
            kind: JobKind::AbTest,
            owner_id: "u1".into(),
            attempt: 1,
            submitted_at_ms: 1,
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains("\"kind\":\"ab_test\""), "{text}");
        assert_eq!(serde_json::from_str::<JobMessage>(&text).unwrap(), m);
        for k in JobKind::ALL {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
    }
}
