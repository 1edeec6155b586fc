//! Membership of the workers' consumer group: which partitions this
//! consumer owns, and committing offsets while it owns them.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rdkafka::client::ClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::Notify;

use super::delays::Delays;
use super::metrics::QueueMetrics;
use super::offsets::{OffsetTracker, Partition};
use crate::jobs::queue::QueueError;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn partition_list(partitions: &[Partition]) -> TopicPartitionList {
    let mut list = TopicPartitionList::with_capacity(partitions.len());
    for (topic, partition) in partitions {
        list.add_partition(topic, *partition);
    }
    list
}

fn offset_list(offsets: &[(Partition, i64)]) -> Result<TopicPartitionList, KafkaError> {
    let mut list = TopicPartitionList::with_capacity(offsets.len());
    for ((topic, partition), offset) in offsets {
        list.add_partition_offset(topic, *partition, Offset::Offset(*offset))?;
    }
    Ok(list)
}

/// State shared by the queue and the consumer's rebalance callbacks.
#[derive(Debug, Default)]
pub(super) struct Shared {
    pub(super) offsets: Mutex<OffsetTracker>,
    pub(super) delays: Mutex<Delays>,
    /// Serialises commits so that committed offsets only move forward.
    commit_lock: Mutex<()>,
    /// Woken when a record is held, so receivers re-check the next due time.
    pub(super) delays_changed: Notify,
    pub(super) metrics: Arc<QueueMetrics>,
}

impl Shared {
    /// Commit every offset that may move, synchronously. Runs on a
    /// blocking thread or in a rebalance callback.
    pub(super) fn commit_pending<C: ConsumerContext>(
        &self,
        consumer: &impl Consumer<C>,
        pending: Option<Vec<(Partition, i64)>>,
    ) -> Result<(), QueueError> {
        let _serial = lock(&self.commit_lock);
        let pending = pending.unwrap_or_else(|| lock(&self.offsets).pending());
        if pending.is_empty() {
            return Ok(());
        }
        let result =
            offset_list(&pending).and_then(|list| consumer.commit(&list, CommitMode::Sync));
        match result {
            Ok(()) => {
                lock(&self.offsets).committed(&pending);
                Ok(())
            }
            Err(e) => {
                QueueMetrics::bump(&self.metrics.commit_failures);
                match e.rdkafka_error_code() {
                    // The group is rebalancing: these partitions go to a new
                    // owner, which receives the records again and finds
                    // their jobs finished (results are stored by job id).
                    Some(
                        RDKafkaErrorCode::RebalanceInProgress
                        | RDKafkaErrorCode::IllegalGeneration
                        | RDKafkaErrorCode::UnknownMemberId
                        | RDKafkaErrorCode::State,
                    ) => {
                        tracing::info!(error = %e, "offsets not committed during a rebalance; their records will be delivered again");
                        Ok(())
                    }
                    _ => Err(QueueError::Unavailable(format!(
                        "cannot commit Kafka offsets: {e}"
                    ))),
                }
            }
        }
    }
}

/// The consumer's context: keeps [`Shared`] in step with the group's
/// partition assignment.
pub(super) struct WorkerContext {
    pub(super) shared: Arc<Shared>,
}

impl ClientContext for WorkerContext {}

impl ConsumerContext for WorkerContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let partitions = |list: &TopicPartitionList| -> Vec<Partition> {
            list.elements()
                .iter()
                .map(|e| (e.topic().to_string(), e.partition()))
                .collect()
        };
        match rebalance {
            // Registered before librdkafka assigns, so no record of these
            // partitions can reach a receiver first.
            Rebalance::Assign(list) => {
                let assigned = partitions(list);
                tracing::info!(partitions = ?assigned, "Kafka partitions assigned");
                lock(&self.shared.offsets).assign(&assigned);
            }
            Rebalance::Revoke(list) => {
                let revoked = partitions(list);
                tracing::info!(partitions = ?revoked, "Kafka partitions revoked");
                {
                    // A pause outlives the assignment: lift it before the
                    // partition may come back.
                    let mut delays = lock(&self.shared.delays);
                    let paused = delays.drop_partitions(&revoked);
                    if !paused.is_empty()
                        && let Err(e) = consumer.resume(&partition_list(&paused))
                    {
                        tracing::warn!(error = %e, "cannot resume revoked partitions");
                    }
                }
                // Commit what is finished while the partitions are still ours.
                let due = lock(&self.shared.offsets).revoke(&revoked);
                if let Err(e) = self.shared.commit_pending(consumer, Some(due)) {
                    tracing::warn!(error = %e, "offsets of revoked partitions not committed; their records will be delivered again");
                }
            }
            Rebalance::Error(e) => {
                tracing::warn!(error = %e, "Kafka consumer group rebalance failed");
            }
        }
    }
}
