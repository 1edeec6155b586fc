//! The worker loop: receive → load the job row (finished: nothing to do) →
//! mark running, publish `JobStarted` → load the needed columns and run
//! abstat-core → store the result (idempotently) and cache it → mark
//! succeeded, publish `JobFinished` → complete the delivery.
//!
//! Client mistakes found at run time (an all-missing column, a control
//! variant that is not there) fail the job with the reason and are not
//! retried; transient errors go back with the [`RetryPolicy`] backoff;
//! exhausted or malformed messages are dead-lettered and the job failed.

use std::sync::Arc;
use std::time::Instant;

use abstat_io::store::DatasetStore;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::Jobs;
use super::analysis::{self, AnalysisRequest, RunError};
use super::events::DomainEvent;
use super::queue::{Delivery, JobKind, QueueError};
use super::store::JobRow;
use crate::store::Metadata;

/// Datasets as a worker reads them.
pub type Datasets = Arc<dyn DatasetStore + Send + Sync>;

/// A job worker: `tasks` concurrent loops over one queue.
#[derive(Clone)]
pub struct Worker {
    jobs: Jobs,
    metadata: Metadata,
    datasets: Datasets,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("jobs", &self.jobs)
            .finish_non_exhaustive()
    }
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The result is stored.
    Succeeded,
    /// The job failed for good with this reason.
    Failed(String),
    /// It goes back on the queue after a backoff.
    Retried(String),
    /// It was finished already (a repeated delivery).
    AlreadyFinished,
    /// It could not run (malformed, or retries exhausted): moved to the
    /// dead-letter store, and its job failed with this reason.
    DeadLettered(String),
}

/// Running worker loops. Dropping it aborts them mid-job (their messages
/// are delivered again); [`Running::stop`] lets them finish first.
#[derive(Debug)]
pub struct Running {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Running {
    /// Ask the loops to stop and wait until each finished the job in hand.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Worker {
    /// A worker for `jobs` over the metadata and dataset stores.
    pub fn new(jobs: Jobs, metadata: Metadata, datasets: Datasets) -> Self {
        Worker {
            jobs,
            metadata,
            datasets,
        }
    }

    /// Start `tasks` loops (at least one). They run until
    /// [`Running::stop`] or until the queue closes.
    pub fn spawn(&self, tasks: usize) -> Running {
        let (stop, rx) = watch::channel(false);
        let mut set = JoinSet::new();
        for _ in 0..tasks.max(1) {
            let (worker, mut rx) = (self.clone(), rx.clone());
            set.spawn(async move { worker.run(&mut rx).await });
        }
        Running { stop, tasks: set }
    }

    async fn run(&self, stop: &mut watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let delivery = tokio::select! {
                d = self.jobs.queue().receive() => d,
                _ = stop.changed() => return,
            };
            match delivery {
                Ok(d) => {
                    self.handle(d).await;
                }
                Err(QueueError::Closed) => return,
                Err(QueueError::Malformed(reason)) => {
                    tracing::error!(%reason, "a job message could not be read and was skipped");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "job queue: cannot receive; trying again shortly");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Take one delivery through to its end. Queue errors while settling are
    /// logged: an unsettled message is delivered again, and the job's row
    /// makes that harmless.
    pub async fn handle(&self, delivery: Delivery) -> Outcome {
        let outcome = self.process(&delivery).await;
        let queue = self.jobs.queue();
        let settled = match &outcome {
            Outcome::Retried(reason) => {
                let attempt = delivery.message.attempt;
                let backoff = self
                    .jobs
                    .retry_policy()
                    .backoff(attempt)
                    .unwrap_or_default();
                queue.retry(delivery, backoff, reason.clone()).await
            }
            // dead_letter settled the delivery already
            Outcome::DeadLettered(_) => Ok(()),
            _ => queue.complete(delivery).await,
        };
        if let Err(e) = settled {
            tracing::warn!(error = %e, "job queue: cannot settle a delivery; it will come again");
        }
        outcome
    }

    async fn process(&self, delivery: &Delivery) -> Outcome {
        let m = &delivery.message;
        let job = match self.metadata.job_by_id(&m.job_id).await {
            Ok(Some(job)) => job,
            Ok(None) => {
                return self
                    .dead_letter(delivery, None, format!("job {} does not exist", m.job_id))
                    .await;
            }
            Err(e) => {
                return self
                    .transient(delivery, None, format!("metadata store: {e}"))
                    .await;
            }
        };
        if job.status.is_finished() {
            return Outcome::AlreadyFinished;
        }
        if matches!(job.kind, JobKind::Clean | JobKind::Chart) {
            return self
                .fail(
                    &job,
                    format!("{} jobs are not run by this worker yet", job.kind),
                )
                .await;
        }
        let request: AnalysisRequest = match serde_json::from_value(job.request.clone()) {
            Ok(r) => r,
            Err(e) => {
                return self
                    .dead_letter(
                        delivery,
                        Some(&job),
                        format!("the stored request cannot be read: {e}"),
                    )
                    .await;
            }
        };
        match self.metadata.mark_job_running(&job.id, m.attempt).await {
            Ok(true) => {}
            Ok(false) => return Outcome::AlreadyFinished,
            Err(e) => {
                return self
                    .transient(delivery, Some(&job), format!("metadata store: {e}"))
                    .await;
            }
        }
        self.jobs
            .publish(DomainEvent::JobStarted {
                job_id: job.id.clone(),
                owner_id: job.owner_id.clone(),
                kind: job.kind,
                attempt: m.attempt,
            })
            .await;
        let started = Instant::now();
        let datasets = Arc::clone(&self.datasets);
        let version = job.dataset_version;
        let ran = tokio::task::spawn_blocking(move || analysis::run(&*datasets, &request, version))
            .await
            .unwrap_or_else(|e| Err(RunError::Client(format!("the analysis crashed: {e}"))));
        let result = match ran {
            Ok(r) => r,
            Err(RunError::Client(reason)) => return self.fail(&job, reason).await,
            Err(RunError::Transient(reason)) => {
                return self.transient(delivery, Some(&job), reason).await;
            }
        };
        let text = match serde_json::to_string(&result) {
            Ok(t) => t,
            Err(e) => {
                return self
                    .fail(&job, format!("the result cannot be serialised: {e}"))
                    .await;
            }
        };
        match self.metadata.finish_job(&job.id, &text).await {
            Ok(true) => {}
            Ok(false) => return Outcome::AlreadyFinished,
            Err(e) => {
                return self
                    .transient(delivery, Some(&job), format!("metadata store: {e}"))
                    .await;
            }
        }
        if let Some(key) = &job.cache_key
            && let Err(e) = self.jobs.cache().put(key, &text).await
        {
            tracing::warn!(error = %e, "cannot cache a result");
        }
        self.jobs
            .publish(DomainEvent::JobFinished {
                job_id: job.id.clone(),
                owner_id: job.owner_id.clone(),
                kind: job.kind,
                duration_ms: started.elapsed().as_millis() as u64,
            })
            .await;
        self.jobs.signal_finished(&job.id);
        Outcome::Succeeded
    }

    async fn fail(&self, job: &JobRow, reason: String) -> Outcome {
        match self.metadata.fail_job(&job.id, &reason).await {
            Ok(true) => {
                self.jobs
                    .publish(DomainEvent::JobFailed {
                        job_id: job.id.clone(),
                        owner_id: job.owner_id.clone(),
                        kind: job.kind,
                        reason: reason.clone(),
                    })
                    .await;
                self.jobs.signal_finished(&job.id);
                Outcome::Failed(reason)
            }
            Ok(false) => Outcome::AlreadyFinished,
            Err(e) => {
                tracing::error!(error = %e, job = %job.id, %reason, "cannot mark a job failed");
                Outcome::Failed(reason)
            }
        }
    }

    /// Retry while the policy allows, then dead-letter.
    async fn transient(
        &self,
        delivery: &Delivery,
        job: Option<&JobRow>,
        reason: String,
    ) -> Outcome {
        let policy = self.jobs.retry_policy();
        if policy.backoff(delivery.message.attempt).is_some() {
            tracing::warn!(job = %delivery.message.job_id, attempt = delivery.message.attempt, %reason, "job will be retried");
            return Outcome::Retried(reason);
        }
        let reason = format!(
            "gave up after {} attempts: {reason}",
            delivery.message.attempt
        );
        self.dead_letter(delivery, job, reason).await
    }

    async fn dead_letter(
        &self,
        delivery: &Delivery,
        job: Option<&JobRow>,
        reason: String,
    ) -> Outcome {
        if let Err(e) = self
            .jobs
            .queue()
            .dead_letter(delivery.clone(), reason.clone())
            .await
        {
            tracing::error!(error = %e, %reason, "cannot dead-letter a job message");
        }
        if let Some(job) = job {
            self.fail(job, reason.clone()).await;
        }
        Outcome::DeadLettered(reason)
    }
}
