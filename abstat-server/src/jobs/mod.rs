//! Jobs: analyses run off the request path. A route validates the request,
//! writes the job to the metadata store, and submits a [`queue::JobMessage`];
//! a worker (in-process in `abstat serve`, or `abstat worker` processes on
//! Kafka) runs it through abstat-core, stores the result idempotently by job
//! id and publishes [`events::DomainEvent`]s.

pub mod events;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod queue;
pub mod topics;
