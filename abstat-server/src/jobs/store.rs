//! Jobs and their results in the metadata store (`migrations/0003_jobs.sql`).
//!
//! Every state change is a conditional `UPDATE` that never touches a
//! finished job, and a result is inserted with `ON CONFLICT DO NOTHING`, so
//! a message delivered twice (at-least-once queues) changes nothing the
//! second time.

use std::time::{SystemTime, UNIX_EPOCH};

use abstat_api::JobStatus;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::queue::JobKind;
use crate::store::{Metadata, StoreError};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A job's row.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    /// Job id (a UUID).
    pub id: String,
    /// The owning user.
    pub owner_id: String,
    /// The kind of analysis.
    pub kind: JobKind,
    /// The dataset analysed.
    pub dataset_id: String,
    /// Its version, fixed at submission.
    pub dataset_version: u32,
    /// The request as submitted (JSON).
    pub request: serde_json::Value,
    /// Status.
    pub status: JobStatus,
    /// Deliveries so far.
    pub attempt: u32,
    /// Why it failed.
    pub error: Option<String>,
    /// Its result-cache key.
    pub cache_key: Option<String>,
    /// Whether the result came from the cache.
    pub cached: bool,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When a worker started it.
    pub started_at: Option<i64>,
    /// When it finished.
    pub finished_at: Option<i64>,
}

/// What a route knows of a new job.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// The owning user.
    pub owner_id: String,
    /// The kind of analysis.
    pub kind: JobKind,
    /// The dataset.
    pub dataset_id: String,
    /// The dataset version.
    pub dataset_version: u32,
    /// The request (JSON).
    pub request: serde_json::Value,
    /// The result-cache key.
    pub cache_key: Option<String>,
}

fn kind_from_str(s: &str) -> Result<JobKind, String> {
    JobKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| format!("unknown job kind '{s}' in the jobs table"))
}

fn decode(what: &str, e: String) -> StoreError {
    StoreError::Sql(sqlx::Error::Decode(format!("{what}: {e}").into()))
}

/// The jobs table's columns, as a literal for `concat!` (sqlx takes only
/// static SQL).
macro_rules! columns {
    () => {
        "id, owner_id, kind, dataset_id, dataset_version, request, status, attempt, error, cache_key, cached, created_at, started_at, finished_at"
    };
}

fn job_from_row(row: &AnyRow) -> Result<JobRow, StoreError> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let request: String = row.try_get("request")?;
    Ok(JobRow {
        id: row.try_get("id")?,
        owner_id: row.try_get("owner_id")?,
        kind: kind_from_str(&kind).map_err(|e| decode("kind", e))?,
        dataset_id: row.try_get("dataset_id")?,
        dataset_version: row.try_get::<i64, _>("dataset_version")? as u32,
        request: serde_json::from_str(&request).map_err(|e| decode("request", e.to_string()))?,
        status: status.parse().map_err(|e| decode("status", e))?,
        attempt: row.try_get::<i64, _>("attempt")? as u32,
        error: row.try_get("error")?,
        cache_key: row.try_get("cache_key")?,
        cached: row.try_get::<i64, _>("cached")? != 0,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

impl Metadata {
    /// Record a queued job.
    pub async fn create_job(&self, job: NewJob) -> Result<JobRow, StoreError> {
        self.insert_job(job, JobStatus::Queued, None).await
    }

    /// Record a job that is already finished with `result` (a result-cache
    /// hit), in one transaction.
    pub async fn create_cached_job(&self, job: NewJob, result: &str) -> Result<JobRow, StoreError> {
        self.insert_job(job, JobStatus::Succeeded, Some(result))
            .await
    }

    async fn insert_job(
        &self,
        job: NewJob,
        status: JobStatus,
        result: Option<&str>,
    ) -> Result<JobRow, StoreError> {
        let now = now_ms();
        let finished = status.is_finished().then_some(now);
        let row = JobRow {
            id: uuid::Uuid::new_v4().to_string(),
            owner_id: job.owner_id,
            kind: job.kind,
            dataset_id: job.dataset_id,
            dataset_version: job.dataset_version,
            request: job.request,
            status,
            attempt: 0,
            error: None,
            cache_key: job.cache_key,
            cached: result.is_some(),
            created_at: now,
            started_at: finished,
            finished_at: finished,
        };
        let mut tx = self.pool().begin().await?;
        sqlx::query(concat!(
            "INSERT INTO jobs (",
            columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&row.id)
        .bind(&row.owner_id)
        .bind(row.kind.as_str())
        .bind(&row.dataset_id)
        .bind(i64::from(row.dataset_version))
        .bind(row.request.to_string())
        .bind(row.status.as_str())
        .bind(0i64)
        .bind(None::<String>)
        .bind(row.cache_key.as_deref())
        .bind(i64::from(row.cached))
        .bind(row.created_at)
        .bind(row.started_at)
        .bind(row.finished_at)
        .execute(&mut *tx)
        .await?;
        if let Some(result) = result {
            sqlx::query("INSERT INTO job_results (job_id, result, created_at) VALUES ($1, $2, $3)")
                .bind(&row.id)
                .bind(result)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(row)
    }

    /// Job `id` if `owner_id` owns it: another user's job is
    /// indistinguishable from a missing one.
    pub async fn job(&self, owner_id: &str, id: &str) -> Result<Option<JobRow>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            columns!(),
            " FROM jobs WHERE id = $1 AND owner_id = $2"
        ))
        .bind(id)
        .bind(owner_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Job `id` whoever owns it (for workers).
    pub async fn job_by_id(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        let row = sqlx::query(concat!("SELECT ", columns!(), " FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(job_from_row).transpose()
    }

    /// Mark an unfinished job running at delivery `attempt`; `false` when it
    /// is already finished (a repeated delivery: nothing to do).
    pub async fn mark_job_running(&self, id: &str, attempt: u32) -> Result<bool, StoreError> {
        let res = sqlx::query(
            "UPDATE jobs SET status = 'running', attempt = $1, started_at = $2 \
             WHERE id = $3 AND status IN ('queued', 'running')",
        )
        .bind(i64::from(attempt))
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// Store a job's result and mark it succeeded. Idempotent: for a job
    /// that already has a result or is finished this is a no-op returning
    /// `false`.
    pub async fn finish_job(&self, id: &str, result: &str) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO job_results (job_id, result, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (job_id) DO NOTHING",
        )
        .bind(id)
        .bind(result)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        let updated = sqlx::query(
            "UPDATE jobs SET status = 'succeeded', finished_at = $1, error = NULL \
             WHERE id = $2 AND status IN ('queued', 'running')",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if inserted && updated {
            tx.commit().await?;
            Ok(true)
        } else {
            tx.rollback().await?;
            Ok(false)
        }
    }

    /// Mark an unfinished job failed with `reason`; `false` when it was
    /// already finished.
    pub async fn fail_job(&self, id: &str, reason: &str) -> Result<bool, StoreError> {
        let res = sqlx::query(
            "UPDATE jobs SET status = 'failed', finished_at = $1, error = $2 \
             WHERE id = $3 AND status IN ('queued', 'running')",
        )
        .bind(now_ms())
        .bind(reason)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(res.rows_affected() > 0)
    }

    /// How many of `owner_id`'s jobs are queued or running (the per-user
    /// job limit counts these).
    pub async fn active_jobs(&self, owner_id: &str) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM jobs WHERE owner_id = $1 AND status IN ('queued', 'running')",
        )
        .bind(owner_id)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>("n")?.max(0) as u64)
    }

    /// The stored result of job `id` (JSON text).
    pub async fn job_result(&self, id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT result FROM job_results WHERE job_id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get("result")).transpose()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db_with_user() -> (Metadata, String) {
        let db = Metadata::connect("sqlite::memory:").await.unwrap();
        let u = db.create_user("alice", None, None).await.unwrap();
        (db, u.id)
    }

    fn new_job(owner: &str) -> NewJob {
        NewJob {
            owner_id: owner.into(),
            kind: JobKind::StatTest,
            dataset_id: "d1".into(),
            dataset_version: 2,
            request: serde_json::json!({"test": "welch"}),
            cache_key: Some("k".into()),
        }
    }

    #[tokio::test]
    async fn a_job_runs_once_and_its_result_is_written_once() {
        let (db, alice) = db_with_user().await;
        let job = db.create_job(new_job(&alice)).await.unwrap();
        assert_eq!(job.status, JobStatus::Queued);
        let loaded = db.job(&alice, &job.id).await.unwrap().unwrap();
        assert_eq!(loaded, job);
        assert!(db.job("someone-else", &job.id).await.unwrap().is_none());

        assert!(db.mark_job_running(&job.id, 1).await.unwrap());
        assert!(db.finish_job(&job.id, r#"{"a":1}"#).await.unwrap());
        // a second delivery: nothing changes
        assert!(!db.mark_job_running(&job.id, 2).await.unwrap());
        assert!(!db.finish_job(&job.id, r#"{"a":2}"#).await.unwrap());
        assert!(!db.fail_job(&job.id, "late failure").await.unwrap());
        let done = db.job_by_id(&job.id).await.unwrap().unwrap();
        assert_eq!(done.status, JobStatus::Succeeded);
        assert_eq!(done.attempt, 1);
        assert!(done.error.is_none());
        assert_eq!(db.job_result(&job.id).await.unwrap().unwrap(), r#"{"a":1}"#);
    }

    #[tokio::test]
    async fn a_failed_job_keeps_its_reason_and_takes_no_result() {
        let (db, alice) = db_with_user().await;
        let job = db.create_job(new_job(&alice)).await.unwrap();
        assert!(
            db.fail_job(&job.id, "column 'x' is all missing")
                .await
                .unwrap()
        );
        assert!(!db.finish_job(&job.id, "{}").await.unwrap());
        let row = db.job_by_id(&job.id).await.unwrap().unwrap();
        assert_eq!(row.status, JobStatus::Failed);
        assert_eq!(row.error.as_deref(), Some("column 'x' is all missing"));
        assert!(db.job_result(&job.id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_cached_job_is_born_finished_with_its_result() {
        let (db, alice) = db_with_user().await;
        let job = db.create_cached_job(new_job(&alice), "{}").await.unwrap();
        assert_eq!(job.status, JobStatus::Succeeded);
        assert!(job.cached);
        assert_eq!(db.job_result(&job.id).await.unwrap().as_deref(), Some("{}"));
    }
}
