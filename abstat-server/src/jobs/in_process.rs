//! The embedded job transport: a queue persisted in the metadata store's
//! `job_queue` table, and a broadcast [`EventBus`].
//!
//! One process owns an in-process queue (the embedded default: SQLite, one
//! `abstat serve`). Its first [`JobQueue::receive`] hands back every message
//! a previous process had claimed but not completed — that process died —
//! so a restart loses nothing. Several processes sharing one queue is what
//! the Kafka transport is for.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::Row;
use tokio::sync::{Notify, OnceCell, broadcast};

use super::events::{DomainEvent, EventBus};
use super::queue::{BoxFuture, Delivery, JobMessage, JobQueue, QueueError, Receipt};
use super::store::now_ms;
use crate::store::Metadata;

/// How often an idle [`InProcessQueue::receive`] looks again for messages
/// whose backoff has passed (a submit wakes it at once).
const POLL: Duration = Duration::from_millis(250);

fn unavailable(e: impl std::fmt::Display) -> QueueError {
    QueueError::Unavailable(format!("the metadata database: {e}"))
}

/// The in-process queue.
#[derive(Debug, Clone)]
pub struct InProcessQueue {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    metadata: Metadata,
    /// This process's claim token.
    token: String,
    wake: Notify,
    closed: AtomicBool,
    recovered: OnceCell<()>,
    /// Messages claimed for a `receive` that was dropped before it could
    /// return them (a cancelled future): the next `receive` takes them.
    orphans: Mutex<VecDeque<Delivery>>,
}

impl InProcessQueue {
    /// A queue on `metadata`'s `job_queue` table.
    pub fn new(metadata: Metadata) -> Self {
        InProcessQueue {
            inner: Arc::new(Inner {
                metadata,
                token: uuid::Uuid::new_v4().to_string(),
                wake: Notify::new(),
                closed: AtomicBool::new(false),
                recovered: OnceCell::new(),
                orphans: Mutex::new(VecDeque::new()),
            }),
        }
    }

    /// Stop: every waiting and later [`JobQueue::receive`] returns
    /// [`QueueError::Closed`]. Unfinished messages stay in the table.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        self.inner.wake.notify_waiters();
    }

    /// Messages moved to the dead-letter store: `(job id, reason)`.
    pub async fn dead_letters(&self) -> Result<Vec<(String, String)>, QueueError> {
        let rows = sqlx::query(
            "SELECT job_id, dead_reason FROM job_queue WHERE dead_reason IS NOT NULL ORDER BY dead_at, id",
        )
        .fetch_all(self.inner.metadata.pool())
        .await
        .map_err(unavailable)?;
        rows.iter()
            .map(|r| Ok((r.try_get("job_id")?, r.try_get("dead_reason")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(unavailable)
    }

    /// Hand back the messages of processes that died holding them.
    async fn recover(&self) -> Result<(), QueueError> {
        self.inner
            .recovered
            .get_or_try_init(|| async {
                let res = sqlx::query(
                    "UPDATE job_queue SET claimed_by = NULL, claimed_at = NULL \
                     WHERE claimed_by IS NOT NULL AND claimed_by <> $1 AND dead_reason IS NULL",
                )
                .bind(&self.inner.token)
                .execute(self.inner.metadata.pool())
                .await
                .map_err(unavailable)?;
                if res.rows_affected() > 0 {
                    tracing::info!(
                        messages = res.rows_affected(),
                        "in-process queue: re-delivering jobs an earlier process did not finish"
                    );
                }
                Ok(())
            })
            .await
            .map(|_| ())
    }

    /// Claim the oldest ready message, atomically: the guard on
    /// `claimed_by` makes a concurrent claim of the same row update nothing.
    async fn try_claim(&self) -> Result<Option<Delivery>, QueueError> {
        let now = now_ms();
        let row = sqlx::query(
            "UPDATE job_queue SET claimed_by = $1, claimed_at = $2 \
             WHERE id = (SELECT id FROM job_queue \
                         WHERE claimed_by IS NULL AND dead_reason IS NULL AND not_before <= $3 \
                         ORDER BY not_before, enqueued_at, id LIMIT 1) \
               AND claimed_by IS NULL \
             RETURNING id, message",
        )
        .bind(&self.inner.token)
        .bind(now)
        .bind(now)
        .fetch_optional(self.inner.metadata.pool())
        .await
        .map_err(unavailable)?;
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id").map_err(unavailable)?;
        let text: String = row.try_get("message").map_err(unavailable)?;
        let message: JobMessage = serde_json::from_str(&text)
            .map_err(|e| QueueError::Malformed(format!("queue row {id}: {e}")))?;
        Ok(Some(Delivery {
            message,
            receipt: Receipt::InProcess(id),
        }))
    }

    fn row_id(delivery: &Delivery) -> Result<i64, QueueError> {
        match delivery.receipt {
            Receipt::InProcess(id) => Ok(id),
            ref other => Err(QueueError::Backend(format!(
                "the in-process queue cannot settle a delivery from elsewhere ({other:?})"
            ))),
        }
    }

    async fn submit_inner(&self, message: JobMessage) -> Result<(), QueueError> {
        let text =
            serde_json::to_string(&message).map_err(|e| QueueError::Backend(e.to_string()))?;
        // A random positive id: PostgreSQL and SQLite share no auto-increment syntax.
        let id = (uuid::Uuid::new_v4().as_u64_pair().0 >> 1) as i64;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO job_queue (id, job_id, message, not_before, enqueued_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&message.job_id)
        .bind(text)
        .bind(now)
        .bind(now)
        .execute(self.inner.metadata.pool())
        .await
        .map_err(unavailable)?;
        self.inner.wake.notify_one();
        Ok(())
    }

    fn orphans(&self) -> std::sync::MutexGuard<'_, VecDeque<Delivery>> {
        self.inner.orphans.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// [`Self::try_claim`] in its own task, so that dropping `receive`
    /// mid-claim cannot strand a claimed message: it becomes an orphan.
    async fn claim_uncancellable(&self) -> Result<Option<Delivery>, QueueError> {
        struct Guard {
            queue: InProcessQueue,
            delivery: Option<Delivery>,
        }
        impl Drop for Guard {
            fn drop(&mut self) {
                if let Some(d) = self.delivery.take() {
                    self.queue.orphans().push_back(d);
                }
            }
        }
        let queue = self.clone();
        let handle = tokio::spawn(async move {
            let claimed = queue.try_claim().await;
            claimed.map(|d| Guard { queue, delivery: d })
        });
        match handle.await {
            Ok(Ok(mut guard)) => Ok(guard.delivery.take()),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(QueueError::Backend(format!("claim task: {e}"))),
        }
    }

    async fn receive_inner(&self) -> Result<Delivery, QueueError> {
        self.recover().await?;
        loop {
            let notified = self.inner.wake.notified();
            if self.inner.closed.load(Ordering::SeqCst) {
                return Err(QueueError::Closed);
            }
            let orphan = self.orphans().pop_front();
            if let Some(d) = orphan {
                return Ok(d);
            }
            if let Some(d) = self.claim_uncancellable().await? {
                return Ok(d);
            }
            tokio::select! {
                () = notified => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    async fn execute(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<(), QueueError> {
        query
            .execute(self.inner.metadata.pool())
            .await
            .map_err(unavailable)?;
        Ok(())
    }
}

impl JobQueue for InProcessQueue {
    fn name(&self) -> &'static str {
        "in_process"
    }

    fn submit(&self, message: JobMessage) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(self.submit_inner(message))
    }

    fn receive(&self) -> BoxFuture<'_, Result<Delivery, QueueError>> {
        Box::pin(self.receive_inner())
    }

    fn complete(&self, delivery: Delivery) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let id = Self::row_id(&delivery)?;
            sqlx::query("DELETE FROM job_queue WHERE id = $1")
                .bind(id)
                .execute(self.inner.metadata.pool())
                .await
                .map_err(unavailable)?;
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
            let id = Self::row_id(&delivery)?;
            let mut message = delivery.message;
            message.attempt += 1;
            let text =
                serde_json::to_string(&message).map_err(|e| QueueError::Backend(e.to_string()))?;
            let not_before = now_ms().saturating_add(backoff.as_millis() as i64);
            self.execute(
                sqlx::query(
                    "UPDATE job_queue SET claimed_by = NULL, claimed_at = NULL, last_error = $1, \
                     not_before = $2, message = $3 WHERE id = $4",
                )
                .bind(reason)
                .bind(not_before)
                .bind(text)
                .bind(id),
            )
            .await
        })
    }

    fn dead_letter(
        &self,
        delivery: Delivery,
        reason: String,
    ) -> BoxFuture<'_, Result<(), QueueError>> {
        Box::pin(async move {
            let id = Self::row_id(&delivery)?;
            self.execute(
                sqlx::query(
                    "UPDATE job_queue SET claimed_by = NULL, dead_reason = $1, dead_at = $2 WHERE id = $3",
                )
                .bind(reason)
                .bind(now_ms())
                .bind(id),
            )
            .await
        })
    }
}

/// Capacity of the event broadcast: a subscriber that falls further behind
/// misses the oldest events (and is told so), the publisher never waits.
const EVENT_CAPACITY: usize = 1024;

/// The in-process [`EventBus`]: a tokio broadcast channel.
#[derive(Debug, Clone)]
pub struct InProcessBus {
    sender: broadcast::Sender<DomainEvent>,
}

impl Default for InProcessBus {
    fn default() -> Self {
        InProcessBus {
            sender: broadcast::channel(EVENT_CAPACITY).0,
        }
    }
}

impl InProcessBus {
    /// A new bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Receive every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }
}

impl EventBus for InProcessBus {
    fn publish(&self, event: DomainEvent) -> BoxFuture<'_, Result<(), QueueError>> {
        // no subscribers is not an error: nobody is listening
        let _ = self.sender.send(event);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::queue::JobKind;

    fn message(id: &str) -> JobMessage {
        JobMessage {
            job_id: id.into(),
            kind: JobKind::StatTest,
            owner_id: "u".into(),
            attempt: 1,
            submitted_at_ms: now_ms(),
        }
    }

    async fn receive_within(q: &InProcessQueue, ms: u64) -> Option<Delivery> {
        tokio::time::timeout(Duration::from_millis(ms), q.receive())
            .await
            .ok()
            .map(|r| r.unwrap())
    }

    #[tokio::test]
    async fn messages_come_oldest_first_once_each_and_completed_ones_never_again() {
        let q = InProcessQueue::new(Metadata::connect("sqlite::memory:").await.unwrap());
        q.submit(message("a")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
        q.submit(message("b")).await.unwrap();
        let a = q.receive().await.unwrap();
        let b = q.receive().await.unwrap();
        assert_eq!(
            (a.message.job_id.as_str(), b.message.job_id.as_str()),
            ("a", "b")
        );
        assert!(receive_within(&q, 300).await.is_none(), "both are claimed");
        q.complete(a).await.unwrap();
        q.complete(b).await.unwrap();
        assert!(receive_within(&q, 300).await.is_none());
    }

    #[tokio::test]
    async fn a_retry_waits_for_its_backoff_and_raises_the_attempt() {
        let q = InProcessQueue::new(Metadata::connect("sqlite::memory:").await.unwrap());
        q.submit(message("a")).await.unwrap();
        let d = q.receive().await.unwrap();
        q.retry(d, Duration::from_millis(600), "store busy".into())
            .await
            .unwrap();
        assert!(
            receive_within(&q, 300).await.is_none(),
            "not before the backoff"
        );
        let again = receive_within(&q, 2000).await.expect("after the backoff");
        assert_eq!(again.message.attempt, 2);
    }

    #[tokio::test]
    async fn a_dead_letter_keeps_its_reason_and_is_not_delivered_again() {
        let q = InProcessQueue::new(Metadata::connect("sqlite::memory:").await.unwrap());
        q.submit(message("a")).await.unwrap();
        let d = q.receive().await.unwrap();
        q.dead_letter(d, "cannot decode".into()).await.unwrap();
        assert!(receive_within(&q, 300).await.is_none());
        assert_eq!(
            q.dead_letters().await.unwrap(),
            vec![("a".to_string(), "cannot decode".to_string())]
        );
    }

    #[tokio::test]
    async fn a_message_claimed_by_a_process_that_died_is_delivered_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/q.db", dir.path().display());
        let q = InProcessQueue::new(Metadata::connect(&url).await.unwrap());
        q.submit(message("a")).await.unwrap();
        let claimed = q.receive().await.unwrap();
        assert_eq!(claimed.message.job_id, "a");
        drop(q); // dies before completing

        let q = InProcessQueue::new(Metadata::connect(&url).await.unwrap());
        let again = receive_within(&q, 2000).await.expect("re-delivered");
        assert_eq!(again.message.job_id, "a");
        q.complete(again).await.unwrap();
        drop(q);
        let q = InProcessQueue::new(Metadata::connect(&url).await.unwrap());
        assert!(
            receive_within(&q, 300).await.is_none(),
            "completed for good"
        );
    }

    #[tokio::test]
    async fn concurrent_receivers_never_share_a_message() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/q.db", dir.path().display());
        let q = InProcessQueue::new(Metadata::connect(&url).await.unwrap());
        for i in 0..40 {
            q.submit(message(&i.to_string())).await.unwrap();
        }
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let q = q.clone();
            tasks.spawn(async move {
                let mut got = Vec::new();
                while let Some(d) = receive_within(&q, 300).await {
                    got.push(d.message.job_id.clone());
                    q.complete(d).await.unwrap();
                }
                got
            });
        }
        let mut all: Vec<String> = tasks.join_all().await.into_iter().flatten().collect();
        all.sort();
        let mut expected: Vec<String> = (0..40).map(|i: i32| i.to_string()).collect();
        expected.sort();
        assert_eq!(all, expected, "each message exactly once");
    }

    #[tokio::test]
    async fn close_ends_receive() {
        let q = InProcessQueue::new(Metadata::connect("sqlite::memory:").await.unwrap());
        let waiting = tokio::spawn({
            let q = q.clone();
            async move { q.receive().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        q.close();
        assert!(matches!(waiting.await.unwrap(), Err(QueueError::Closed)));
    }

    #[tokio::test]
    async fn the_bus_delivers_events_to_subscribers() {
        let bus = InProcessBus::new();
        bus.publish(DomainEvent::DatasetDeleted {
            dataset_id: "d".into(),
            owner_id: "u".into(),
        })
        .await
        .unwrap();
        let mut rx = bus.subscribe();
        let e = DomainEvent::JobSubmitted {
            job_id: "j".into(),
            owner_id: "u".into(),
            kind: JobKind::AbTest,
        };
        bus.publish(e.clone()).await.unwrap();
        assert_eq!(rx.recv().await.unwrap(), e);
    }
}
