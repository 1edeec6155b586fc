//! Jobs: analyses run off the request path. A route validates the request,
//! writes the job to the metadata store, and submits a [`queue::JobMessage`];
//! a worker (in-process in `abstat serve`, or `abstat worker` processes on
//! Kafka) runs it through abstat-core, stores the result idempotently by job
//! id and publishes [`events::DomainEvent`]s.

pub mod analysis;
pub mod events;
pub mod in_process;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod queue;
pub mod store;
pub mod tables;
pub mod topics;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::cache::{MemoryCache, ResultCache};
use crate::metrics::Metrics;
use crate::store::{Metadata, StoreError};
use events::{DomainEvent, EventBus};
use queue::{JobMessage, JobQueue, QueueError, RetryPolicy};
use store::{JobRow, NewJob};

/// The longest `?wait=` honoured, in seconds.
pub const MAX_WAIT_SECS: f64 = 60.0;

/// How often a waiting request looks at the job's row when no local worker
/// signals (jobs run by other processes).
const WAIT_POLL: Duration = Duration::from_millis(100);

/// The job machinery a server and its workers share: the queue, the event
/// bus, the result cache, the retry policy, the process's metrics, and a
/// local signal of finished jobs for `?wait=`.
#[derive(Debug, Clone)]
pub struct Jobs {
    queue: Arc<dyn JobQueue>,
    events: Arc<dyn EventBus>,
    cache: Arc<dyn ResultCache>,
    retry: RetryPolicy,
    metrics: Arc<Metrics>,
    finished: broadcast::Sender<String>,
}

impl Jobs {
    /// Jobs on `queue`, events on `events`, results cached in `cache`.
    pub fn new(
        queue: Arc<dyn JobQueue>,
        events: Arc<dyn EventBus>,
        cache: Arc<dyn ResultCache>,
        retry: RetryPolicy,
    ) -> Self {
        Jobs {
            queue,
            events,
            cache,
            retry,
            metrics: Arc::new(Metrics::new()),
            finished: broadcast::channel(1024).0,
        }
    }

    /// The same machinery counting into `metrics` (one registry per
    /// process: the HTTP API's and the worker's series side by side).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The process's metrics.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The embedded default: the in-process queue on `metadata`, the
    /// in-process bus and an in-memory cache.
    pub fn in_process(metadata: &Metadata) -> Self {
        Jobs::new(
            Arc::new(in_process::InProcessQueue::new(metadata.clone())),
            Arc::new(in_process::InProcessBus::new()),
            Arc::new(MemoryCache::default()),
            RetryPolicy::default(),
        )
    }

    /// The queue.
    pub fn queue(&self) -> &Arc<dyn JobQueue> {
        &self.queue
    }

    /// The event bus.
    pub fn events(&self) -> &Arc<dyn EventBus> {
        &self.events
    }

    /// The result cache.
    pub fn cache(&self) -> &Arc<dyn ResultCache> {
        &self.cache
    }

    /// The retry policy of workers.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Publish `event`; a failure is logged, never passed on (events are
    /// for observers, the job's row is the truth).
    pub async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = %e, "cannot publish a domain event");
        }
    }

    /// Tell local waiters that job `id` finished.
    pub(crate) fn signal_finished(&self, id: &str) {
        let _ = self.finished.send(id.to_string());
    }

    /// Create the job, answering from the cache when the same analysis ran
    /// before (the job is then born finished), else queue it — unless the
    /// owner already has `max_active` jobs queued or running (cached
    /// answers never count). The count and the insert are two statements,
    /// so concurrent submits of one user may overshoot by a job or two.
    pub async fn submit(
        &self,
        metadata: &Metadata,
        job: NewJob,
        max_active: Option<u32>,
    ) -> Result<JobRow, SubmitError> {
        if let Some(key) = &job.cache_key {
            match self.cache.get(key).await {
                Ok(Some(result)) => {
                    self.metrics.cache(true);
                    let row = metadata.create_cached_job(job, &result).await?;
                    // born finished: observers see it finish like any other
                    self.publish(DomainEvent::JobFinished {
                        job_id: row.id.clone(),
                        owner_id: row.owner_id.clone(),
                        kind: row.kind,
                        duration_ms: 0,
                    })
                    .await;
                    return Ok(row);
                }
                Ok(None) => self.metrics.cache(false),
                Err(e) => {
                    self.metrics.cache(false);
                    tracing::warn!(error = %e, "result cache lookup failed; running the job");
                }
            }
        }
        if let Some(limit) = max_active {
            let active = metadata.active_jobs(&job.owner_id).await?;
            if active >= u64::from(limit) {
                return Err(SubmitError::TooManyJobs { limit, active });
            }
        }
        let row = metadata.create_job(job).await?;
        let message = JobMessage {
            job_id: row.id.clone(),
            kind: row.kind,
            owner_id: row.owner_id.clone(),
            attempt: 1,
            submitted_at_ms: row.created_at,
        };
        if let Err(e) = self.queue.submit(message).await {
            // nobody would ever run it: say so on the job
            let _ = metadata
                .fail_job(&row.id, "the job queue was unavailable; submit again")
                .await;
            return Err(e.into());
        }
        self.metrics.job(row.kind, "submitted");
        self.publish(DomainEvent::JobSubmitted {
            job_id: row.id.clone(),
            owner_id: row.owner_id.clone(),
            kind: row.kind,
        })
        .await;
        Ok(row)
    }

    /// Job `id` of `owner`, waiting up to `wait` for it to finish.
    pub async fn wait(
        &self,
        metadata: &Metadata,
        owner: &str,
        id: &str,
        wait: Duration,
    ) -> Result<Option<JobRow>, StoreError> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut finished = self.finished.subscribe();
        loop {
            let Some(job) = metadata.job(owner, id).await? else {
                return Ok(None);
            };
            let now = tokio::time::Instant::now();
            if job.status.is_finished() || now >= deadline {
                return Ok(Some(job));
            }
            let nap = tokio::time::sleep_until(deadline.min(now + WAIT_POLL));
            tokio::select! {
                _ = finished.recv() => {}
                () = nap => {}
            }
        }
    }
}

/// `?wait=SECONDS` as a duration: negative and NaN are 0, more than
/// [`MAX_WAIT_SECS`] is capped.
pub fn wait_duration(seconds: Option<f64>) -> Duration {
    let s = seconds.unwrap_or(0.0);
    if s.is_nan() || s <= 0.0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(s.min(MAX_WAIT_SECS))
    }
}

/// Why a job could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The metadata store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The queue refused the message.
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The owner has `limit` jobs queued or running already.
    #[error("{active} jobs queued or running; the limit is {limit}")]
    TooManyJobs {
        /// The per-user limit (`ABSTAT_MAX_JOBS_PER_USER`).
        limit: u32,
        /// The owner's queued and running jobs.
        active: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_capped_and_never_negative() {
        assert_eq!(wait_duration(None), Duration::ZERO);
        assert_eq!(wait_duration(Some(-3.0)), Duration::ZERO);
        assert_eq!(wait_duration(Some(f64::NAN)), Duration::ZERO);
        assert_eq!(wait_duration(Some(2.5)), Duration::from_millis(2500));
        assert_eq!(wait_duration(Some(1e9)), Duration::from_secs(60));
        assert_eq!(wait_duration(Some(f64::INFINITY)), Duration::from_secs(60));
    }
}
