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
use super::queue::{Delivery, QueueError};
use super::store::JobRow;
use crate::store::Metadata;
use abstat_api::{AnalysisResult, CleanResult};

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
        let metrics = self.jobs.metrics();
        metrics.job(job.kind, "started");
        let lag_ms = super::store::now_ms()
            .saturating_sub(m.submitted_at_ms)
            .max(0);
        metrics.queue_lag(job.kind, lag_ms as f64 / 1000.0);
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
        let seconds = started.elapsed().as_secs_f64();
        metrics.job(job.kind, "succeeded");
        metrics.job_duration(job.kind, seconds);
        if let AnalysisResult::Clean(CleanResult {
            version: Some(version),
            source_version,
            ..
        }) = &result
        {
            self.jobs
                .publish(DomainEvent::DatasetCleaned {
                    dataset_id: job.dataset_id.clone(),
                    owner_id: job.owner_id.clone(),
                    version: *version,
                    parent: *source_version,
                })
                .await;
        }
        self.jobs
            .publish(DomainEvent::JobFinished {
                job_id: job.id.clone(),
                owner_id: job.owner_id.clone(),
                kind: job.kind,
                duration_ms: (seconds * 1000.0) as u64,
            })
            .await;
        self.jobs.signal_finished(&job.id);
        Outcome::Succeeded
    }

    async fn fail(&self, job: &JobRow, reason: String) -> Outcome {
        match self.metadata.fail_job(&job.id, &reason).await {
            Ok(true) => {
                self.jobs.metrics().job(job.kind, "failed");
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
            self.jobs.metrics().retry(delivery.message.kind);
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
        self.jobs.metrics().dead_letter(delivery.message.kind);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use arrow_array::RecordBatch;
    use arrow_schema::SchemaRef;

    use super::*;
    use crate::cache::MemoryCache;
    use crate::jobs::in_process::{InProcessBus, InProcessQueue};
    use crate::jobs::queue::{JobKind, JobMessage, JobQueue, RetryPolicy};
    use crate::jobs::store::NewJob;
    use abstat_api::JobStatus;
    use abstat_io::store::{DatasetInfo, StoredBatches, VersionInfo};

    /// A dataset store whose disk always fails.
    #[derive(Debug)]
    struct BrokenDisk;

    fn io_error() -> abstat_io::Error {
        abstat_io::Error::Io {
            what: "v1.parquet".into(),
            source: std::io::Error::other("disk on fire"),
        }
    }

    impl DatasetStore for BrokenDisk {
        fn create(
            &self,
            _: &str,
            _: SchemaRef,
            _: &mut dyn Iterator<Item = abstat_io::Result<RecordBatch>>,
        ) -> abstat_io::Result<DatasetInfo> {
            Err(io_error())
        }
        fn add_version(
            &self,
            _: &str,
            _: u32,
            _: &str,
            _: SchemaRef,
            _: &mut dyn Iterator<Item = abstat_io::Result<RecordBatch>>,
        ) -> abstat_io::Result<VersionInfo> {
            Err(io_error())
        }
        fn read(
            &self,
            _: &str,
            _: Option<u32>,
            _: Option<&[&str]>,
            _: usize,
        ) -> abstat_io::Result<(SchemaRef, StoredBatches)> {
            Err(io_error())
        }
        fn list(&self) -> abstat_io::Result<Vec<DatasetInfo>> {
            Err(io_error())
        }
        fn describe(&self, _: &str) -> abstat_io::Result<DatasetInfo> {
            Err(io_error())
        }
        fn delete(&self, _: &str) -> abstat_io::Result<()> {
            Err(io_error())
        }
    }

    struct Setup {
        worker: Worker,
        jobs: Jobs,
        queue: InProcessQueue,
        metadata: Metadata,
        owner: String,
    }

    async fn setup() -> Setup {
        let metadata = Metadata::connect("sqlite::memory:").await.unwrap();
        let owner = metadata.create_user("alice", None, None).await.unwrap().id;
        let queue = InProcessQueue::new(metadata.clone());
        let jobs = Jobs::new(
            Arc::new(queue.clone()),
            Arc::new(InProcessBus::new()),
            Arc::new(MemoryCache::default()),
            RetryPolicy {
                max_attempts: 2,
                base: Duration::from_millis(10),
                max: Duration::from_millis(10),
            },
        );
        let worker = Worker::new(jobs.clone(), metadata.clone(), Arc::new(BrokenDisk));
        Setup {
            worker,
            jobs,
            queue,
            metadata,
            owner,
        }
    }

    impl Setup {
        async fn submit(&self, kind: JobKind, request: serde_json::Value) -> String {
            let job = NewJob {
                owner_id: self.owner.clone(),
                kind,
                dataset_id: "d1".into(),
                dataset_version: 1,
                request,
                cache_key: None,
            };
            self.jobs
                .submit(&self.metadata, job, None)
                .await
                .unwrap()
                .id
        }

        async fn next(&self) -> Outcome {
            let d = tokio::time::timeout(Duration::from_secs(5), self.queue.receive())
                .await
                .expect("a delivery")
                .unwrap();
            self.worker.handle(d).await
        }

        async fn job(&self, id: &str) -> JobRow {
            self.metadata.job_by_id(id).await.unwrap().unwrap()
        }
    }

    fn shapiro() -> serde_json::Value {
        serde_json::json!({"kind": "stat_test", "request": {"dataset_id": "d1", "version": 1, "test": "shapiro", "column": "x"}})
    }

    #[tokio::test]
    async fn transient_errors_are_retried_then_dead_lettered_and_the_job_failed() {
        let s = setup().await;
        // the same queue, with a bus whose events the test reads
        let bus = InProcessBus::new();
        let mut events = bus.subscribe();
        let jobs = Jobs::new(
            Arc::clone(s.jobs.queue()),
            Arc::new(bus),
            Arc::clone(s.jobs.cache()),
            s.jobs.retry_policy(),
        )
        .with_metrics(Arc::clone(s.jobs.metrics()));
        let watched = Worker::new(jobs, s.metadata.clone(), Arc::new(BrokenDisk));
        let id = s.submit(JobKind::StatTest, shapiro()).await;
        let d = s.queue.receive().await.unwrap();
        let first = watched.handle(d).await;
        assert!(
            matches!(&first, Outcome::Retried(r) if r.contains("disk on fire")),
            "{first:?}"
        );
        assert_eq!(s.job(&id).await.status, JobStatus::Running);
        assert!(matches!(
            events.recv().await.unwrap(),
            DomainEvent::JobStarted { attempt: 1, .. }
        ));

        let second = s.next().await;
        assert!(
            matches!(&second, Outcome::DeadLettered(r) if r.contains("gave up after 2 attempts")),
            "{second:?}"
        );
        let job = s.job(&id).await;
        assert_eq!(job.status, JobStatus::Failed);
        assert_eq!(job.attempt, 2);
        assert!(job.error.unwrap().contains("disk on fire"));
        let dead = s.queue.dead_letters().await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].0, id);

        // the shared metrics saw each step (one registry for both workers)
        let m = crate::metrics::samples(&s.jobs.metrics().render());
        let stat = |name: &str| m[&format!("{name}{{kind=\"stat_test\"}}")];
        assert_eq!(stat("abstat_job_retries_total"), 1.0);
        assert_eq!(stat("abstat_job_dead_letters_total"), 1.0);
        assert_eq!(
            m["abstat_jobs_total{kind=\"stat_test\",status=\"submitted\"}"],
            1.0
        );
        assert_eq!(
            m["abstat_jobs_total{kind=\"stat_test\",status=\"started\"}"],
            2.0
        );
        assert_eq!(
            m["abstat_jobs_total{kind=\"stat_test\",status=\"failed\"}"],
            1.0
        );
        assert_eq!(stat("abstat_job_queue_lag_seconds_count"), 2.0);
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_read_is_dead_lettered_at_once() {
        let s = setup().await;
        let id = s
            .submit(
                JobKind::StatTest,
                serde_json::json!({"kind": "stat_test", "request": {"test": 3}}),
            )
            .await;
        let outcome = s.next().await;
        assert!(
            matches!(&outcome, Outcome::DeadLettered(r) if r.contains("cannot be read")),
            "{outcome:?}"
        );
        assert_eq!(s.job(&id).await.status, JobStatus::Failed);
        assert_eq!(s.queue.dead_letters().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_message_for_a_missing_job_is_dead_lettered() {
        let s = setup().await;
        s.queue
            .submit(JobMessage {
                job_id: "ghost".into(),
                kind: JobKind::StatTest,
                owner_id: s.owner.clone(),
                attempt: 1,
                submitted_at_ms: 0,
            })
            .await
            .unwrap();
        assert!(matches!(s.next().await, Outcome::DeadLettered(r) if r.contains("ghost")));
    }

    #[tokio::test]
    async fn a_second_delivery_of_a_finished_job_changes_nothing() {
        let s = setup().await;
        let id = s.submit(JobKind::StatTest, shapiro()).await;
        let first = s.queue.receive().await.unwrap();
        assert!(s.metadata.mark_job_running(&id, 1).await.unwrap());
        assert!(
            s.metadata
                .finish_job(&id, r#"{"done":true}"#)
                .await
                .unwrap()
        );
        // the message is delivered once more (a worker died before completing)
        s.queue.submit(first.message.clone()).await.unwrap();
        assert_eq!(s.worker.handle(first).await, Outcome::AlreadyFinished);
        assert_eq!(s.next().await, Outcome::AlreadyFinished);
        assert_eq!(
            s.metadata.job_result(&id).await.unwrap().as_deref(),
            Some(r#"{"done":true}"#)
        );
    }
}
