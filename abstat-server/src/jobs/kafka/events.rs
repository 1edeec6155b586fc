//! Domain events on the Kafka events topic.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use rdkafka::ClientConfig;
use rdkafka::client::ClientContext;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};

use super::KafkaOptions;
use super::metrics::EventMetrics;
use crate::jobs::events::{DomainEvent, EventBus};
use crate::jobs::queue::{BoxFuture, QueueError};

/// Counts deliveries as the producer's thread reports them.
struct Counting(Arc<EventMetrics>);

impl ClientContext for Counting {}

impl ProducerContext for Counting {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, (): ()) {
        match result {
            Ok(_) => {
                self.0.published.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, _)) => {
                self.0.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %e, "a domain event was not delivered to Kafka");
            }
        }
    }
}

/// [`EventBus`] on the Kafka events topic: each [`DomainEvent`] as JSON,
/// keyed by its job or dataset id, so the events of one object stay in
/// order on one partition.
///
/// Publishing never waits for the brokers: the event goes into a bounded
/// in-memory buffer ([`KafkaOptions::event_buffer`] events) that a
/// background thread sends. When the buffer is full (brokers down or slow)
/// the event is dropped, logged and counted in [`EventMetrics::dropped`]:
/// events are notifications, and the job and dataset state they report is
/// in the metadata store.
pub struct KafkaEvents {
    producer: ThreadedProducer<Counting>,
    topic: String,
    metrics: Arc<EventMetrics>,
}

impl std::fmt::Debug for KafkaEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaEvents")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

impl KafkaEvents {
    /// A publisher to `options.topics.events()`. Does not contact the
    /// brokers; [`KafkaQueue::connect`](super::KafkaQueue::connect) checks
    /// them and creates the topic.
    pub fn new(options: &KafkaOptions) -> Result<KafkaEvents, QueueError> {
        let metrics = Arc::new(EventMetrics::default());
        let producer = ClientConfig::new()
            .set("bootstrap.servers", &options.brokers)
            .set("client.id", format!("{}-events", options.client_id))
            .set(
                "message.timeout.ms",
                options.delivery_timeout.as_millis().to_string(),
            )
            .set(
                "queue.buffering.max.messages",
                options.event_buffer.max(1).to_string(),
            )
            .set("linger.ms", "20")
            .create_with_context(Counting(metrics.clone()))
            .map_err(|e| QueueError::Backend(format!("cannot create a Kafka producer: {e}")))?;
        Ok(KafkaEvents {
            producer,
            topic: options.topics.events().to_string(),
            metrics,
        })
    }

    /// Its counters.
    pub fn metrics(&self) -> &EventMetrics {
        &self.metrics
    }

    /// The counters, shared (for the Prometheus collector).
    pub fn shared_metrics(&self) -> Arc<EventMetrics> {
        Arc::clone(&self.metrics)
    }

    /// Wait up to `timeout` for buffered events to reach the brokers (at
    /// shutdown).
    pub fn flush(&self, timeout: std::time::Duration) -> Result<(), QueueError> {
        self.producer.flush(timeout).map_err(|e| {
            QueueError::Unavailable(format!(
                "domain events not delivered within {timeout:?}: {e}"
            ))
        })
    }

    fn send(&self, event: &DomainEvent) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(event)
            .map_err(|e| QueueError::Backend(format!("cannot encode a domain event: {e}")))?;
        let record = BaseRecord::to(&self.topic)
            .key(event_key(event))
            .payload(&payload);
        match self.producer.send(record) {
            Ok(()) => Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                let dropped = self.metrics.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                tracing::warn!(
                    topic = %self.topic,
                    dropped,
                    "the domain event buffer is full (is Kafka reachable?): event dropped"
                );
                Ok(())
            }
            Err((e, _)) => Err(QueueError::Backend(format!(
                "cannot queue a domain event for {}: {e}",
                self.topic
            ))),
        }
    }
}

impl EventBus for KafkaEvents {
    fn publish(&self, event: DomainEvent) -> BoxFuture<'_, Result<(), QueueError>> {
        // Synchronous on purpose: `send` only appends to the bounded buffer.
        let result = self.send(&event);
        Box::pin(async move { result })
    }
}

/// The id an event is about: its Kafka key.
fn event_key(event: &DomainEvent) -> &str {
    match event {
        DomainEvent::DatasetUploaded { dataset_id, .. }
        | DomainEvent::DatasetCleaned { dataset_id, .. }
        | DomainEvent::DatasetDeleted { dataset_id, .. } => dataset_id,
        DomainEvent::JobSubmitted { job_id, .. }
        | DomainEvent::JobStarted { job_id, .. }
        | DomainEvent::JobFinished { job_id, .. }
        | DomainEvent::JobFailed { job_id, .. } => job_id,
    }
}
