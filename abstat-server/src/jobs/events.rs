//! Domain events (the seed's `signals`): what happened to datasets and
//! jobs, published on the events stream — an in-process broadcast by
//! default, the Kafka events topic at scale. Subscribers (metrics, the
//! bot's result delivery, audit logs) never block the publisher.

use serde::{Deserialize, Serialize};

use super::queue::{BoxFuture, JobKind, QueueError};

/// One domain event. Serialised as JSON with a `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DomainEvent {
    /// A dataset was uploaded.
    DatasetUploaded {
        /// Dataset id.
        dataset_id: String,
        /// Owner.
        owner_id: String,
        /// Rows stored.
        rows: u64,
        /// Bytes received.
        bytes: u64,
    },
    /// A cleaning run wrote a new version.
    DatasetCleaned {
        /// Dataset id.
        dataset_id: String,
        /// Owner.
        owner_id: String,
        /// The new version.
        version: u32,
        /// The version it was derived from.
        parent: u32,
    },
    /// A dataset was deleted.
    DatasetDeleted {
        /// Dataset id.
        dataset_id: String,
        /// Owner.
        owner_id: String,
    },
    /// A job was accepted.
    JobSubmitted {
        /// Job id.
        job_id: String,
        /// Owner.
        owner_id: String,
        /// Kind.
        kind: JobKind,
    },
    /// A worker started a job.
    JobStarted {
        /// Job id.
        job_id: String,
        /// Owner.
        owner_id: String,
        /// Kind.
        kind: JobKind,
        /// Delivery attempt.
        attempt: u32,
    },
    /// A job finished and its result is stored.
    JobFinished {
        /// Job id.
        job_id: String,
        /// Owner.
        owner_id: String,
        /// Kind.
        kind: JobKind,
        /// Run time in milliseconds.
        duration_ms: u64,
    },
    /// A job failed for good.
    JobFailed {
        /// Job id.
        job_id: String,
        /// Owner.
        owner_id: String,
        /// Kind.
        kind: JobKind,
        /// What went wrong, for a person.
        reason: String,
    },
}

/// Where domain events go. Implementations: the in-process broadcast bus
/// and the Kafka events topic.
pub trait EventBus: Send + Sync + std::fmt::Debug {
    /// Publish one event. Must not block on slow subscribers.
    fn publish(&self, event: DomainEvent) -> BoxFuture<'_, Result<(), QueueError>>;
}
