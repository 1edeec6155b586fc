//! The metadata store: users now; datasets, jobs and results as the API
//! grows. SQLite (the embedded default) or PostgreSQL, chosen by the URL, on
//! one code path through sqlx's `Any` driver. The migrations in
//! `migrations/` are written in the SQL both dialects share and run at
//! start-up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use abstat_api::User;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Connection, Row};

use crate::config::redact_url;

/// What can go wrong with the metadata store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// This build cannot talk to that database.
    #[error("this build has no driver for {0}; rebuild abstat-server with `--features postgres`")]
    NoDriver(String),
    /// The database could not be reached or opened.
    #[error("cannot open the metadata database {url} (ABSTAT_DATABASE_URL): {source}")]
    Connect {
        /// The URL with any password hidden.
        url: String,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("cannot bring the metadata database schema up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The user name is in use.
    #[error("the user name '{0}' is taken")]
    UsernameTaken(String),
    /// Any other database error.
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// A user together with the password hash, for logging in.
#[derive(Debug, Clone)]
pub struct UserWithPassword {
    /// The user.
    pub user: User,
    /// Argon2 PHC string; `None` for users that log in only through Telegram.
    pub password_hash: Option<String>,
}

/// A dataset's row in the metadata store (its contents live in the
/// dataset store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRow {
    /// Dataset id, shared with the dataset store.
    pub id: String,
    /// The owning user's id.
    pub owner_id: String,
    /// The name given at upload.
    pub name: String,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

fn dataset_from_row(row: &AnyRow) -> Result<DatasetRow, sqlx::Error> {
    Ok(DatasetRow {
        id: row.try_get("id")?,
        owner_id: row.try_get("owner_id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The metadata database.
#[derive(Debug, Clone)]
pub struct Metadata {
    pool: AnyPool,
    /// For an in-memory database: one idle connection that lives as long as
    /// the store, so the database outlives the pool replacing its connection.
    _keeper: Option<Arc<Mutex<AnyConnection>>>,
}

/// Sequence for naming in-memory databases, unique within the process.
static MEMORY_DB_SEQ: AtomicU64 = AtomicU64::new(0);

/// `sqlite::memory:` as a named shared-cache database. sqlx's `Any` driver
/// parses the URL again for every new connection and `:memory:` gets a new
/// database each time, so a connection the pool replaced (after an error or
/// a cancelled query) would see an empty database without tables.
fn named_memory_url() -> String {
    let seq = MEMORY_DB_SEQ.fetch_add(1, Ordering::Relaxed);
    format!(
        "sqlite:file:abstat-memory-{}-{seq}?mode=memory&cache=shared",
        std::process::id()
    )
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn user_from_row(row: &AnyRow) -> Result<UserWithPassword, sqlx::Error> {
    Ok(UserWithPassword {
        user: User {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            telegram_id: row.try_get("telegram_id")?,
            created_at: row.try_get("created_at")?,
        },
        password_hash: row.try_get("password_hash")?,
    })
}

impl Metadata {
    /// Connect to `url` (`sqlite://…`, `sqlite::memory:`, `postgres://…`) and
    /// run the migrations.
    pub async fn connect(url: &str) -> Result<Metadata, StoreError> {
        sqlx::any::install_default_drivers();
        let is_postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if is_postgres && !cfg!(feature = "postgres") {
            return Err(StoreError::NoDriver("PostgreSQL".into()));
        }
        let memory = url.contains(":memory:");
        let url = if is_postgres {
            url.to_string()
        } else if memory {
            named_memory_url()
        } else {
            prepare_sqlite_file(url)?
        };
        let sqlite_file = !is_postgres && !memory;
        // One connection for an in-memory SQLite database: its connections
        // share a cache, where a conflicting lock fails at once with
        // SQLITE_LOCKED instead of waiting out the busy timeout.
        let mut options = AnyPoolOptions::new().max_connections(if memory { 1 } else { 8 });
        if sqlite_file {
            // In WAL mode a commit is an append, synced at checkpoints only
            // with synchronous = NORMAL (durable against a process crash; a
            // power cut may lose the last commits, never corrupt the file:
            // https://www.sqlite.org/pragma.html#pragma_synchronous), and
            // readers never wait for the writer. sqlx's busy_timeout is
            // already 5 s, so concurrent writers queue instead of failing.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact_url(&url),
                source,
            })?;
        if sqlite_file {
            // persistent in the file; a database another process holds
            // open keeps its mode rather than failing the start
            if let Err(e) = sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "cannot switch the SQLite metadata database to WAL");
            }
        }
        // A shared-cache in-memory database lives while any connection to it
        // is open: keep one aside that the pool cannot close.
        let keeper = if memory {
            let conn =
                AnyConnection::connect(&url)
                    .await
                    .map_err(|source| StoreError::Connect {
                        url: redact_url(&url),
                        source,
                    })?;
            Some(Arc::new(Mutex::new(conn)))
        } else {
            None
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Metadata {
            pool,
            _keeper: keeper,
        })
    }

    /// The connection pool, for the other stores on this database
    /// (jobs, the in-process queue).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Create a user. `password_hash` is an argon2 PHC string.
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: Option<&str>,
        telegram_id: Option<i64>,
    ) -> Result<User, StoreError> {
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_string(),
            telegram_id,
            created_at: now(),
        };
        let res = sqlx::query(
            "INSERT INTO users (id, username, password_hash, telegram_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&user.id)
        .bind(&user.username)
        .bind(password_hash)
        .bind(telegram_id)
        .bind(user.created_at)
        .execute(&self.pool)
        .await;
        match res {
            Ok(_) => Ok(user),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(StoreError::UsernameTaken(username.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The user with this log-in name.
    pub async fn user_by_name(
        &self,
        username: &str,
    ) -> Result<Option<UserWithPassword>, StoreError> {
        let row = sqlx::query("SELECT id, username, password_hash, telegram_id, created_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?)
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, password_hash, telegram_id, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user_from_row).transpose()?.map(|u| u.user))
    }

    /// The user behind Telegram account `telegram_id`, created on first
    /// contact as `tg:<id>` (no password: such users log in only through
    /// the bot). Safe when two requests race to create the same user.
    pub async fn telegram_user(&self, telegram_id: i64) -> Result<User, StoreError> {
        let find = || async {
            let row = sqlx::query(
                "SELECT id, username, password_hash, telegram_id, created_at FROM users WHERE telegram_id = $1",
            )
            .bind(telegram_id)
            .fetch_optional(&self.pool)
            .await?;
            Ok::<_, StoreError>(row.as_ref().map(user_from_row).transpose()?.map(|u| u.user))
        };
        if let Some(user) = find().await? {
            return Ok(user);
        }
        match self
            .create_user(&format!("tg:{telegram_id}"), None, Some(telegram_id))
            .await
        {
            Ok(user) => Ok(user),
            // Another request created it between our look-up and insert.
            Err(StoreError::UsernameTaken(_)) => find()
                .await?
                .ok_or_else(|| StoreError::UsernameTaken(format!("tg:{telegram_id}"))),
            Err(StoreError::Sql(sqlx::Error::Database(e))) if e.is_unique_violation() => find()
                .await?
                .ok_or(StoreError::Sql(sqlx::Error::RowNotFound)),
            Err(e) => Err(e),
        }
    }

    /// Record a dataset owned by `owner_id`.
    pub async fn create_dataset(
        &self,
        id: &str,
        owner_id: &str,
        name: &str,
    ) -> Result<DatasetRow, StoreError> {
        let row = DatasetRow {
            id: id.to_string(),
            owner_id: owner_id.to_string(),
            name: name.to_string(),
            created_at: now(),
        };
        sqlx::query(
            "INSERT INTO datasets (id, owner_id, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&row.id)
        .bind(&row.owner_id)
        .bind(&row.name)
        .bind(row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(row)
    }

    /// The datasets `owner_id` owns, newest first.
    pub async fn datasets_of(&self, owner_id: &str) -> Result<Vec<DatasetRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, owner_id, name, created_at FROM datasets WHERE owner_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(dataset_from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Dataset `id` if `owner_id` owns it: another user's dataset is
    /// indistinguishable from a missing one.
    pub async fn dataset(
        &self,
        owner_id: &str,
        id: &str,
    ) -> Result<Option<DatasetRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, owner_id, name, created_at FROM datasets WHERE id = $1 AND owner_id = $2",
        )
        .bind(id)
        .bind(owner_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(dataset_from_row).transpose()?)
    }

    /// Forget dataset `id` of `owner_id`; whether it existed.
    pub async fn delete_dataset(&self, owner_id: &str, id: &str) -> Result<bool, StoreError> {
        let res = sqlx::query("DELETE FROM datasets WHERE id = $1 AND owner_id = $2")
            .bind(id)
            .bind(owner_id)
            .execute(&self.pool)
            .await?;
        Ok(res.rows_affected() > 0)
    }
}

/// Make sure the SQLite file's folder exists and that the file is created on
/// first use.
fn prepare_sqlite_file(url: &str) -> Result<String, StoreError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| StoreError::Connect {
            url: url.to_string(),
            source: sqlx::Error::Io(e),
        })?;
    }
    Ok(if url.contains('?') {
        url.to_string()
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sqlite_file_is_in_wal_mode_with_normal_sync_on_every_connection() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/meta.db", dir.path().display());
        let db = Metadata::connect(&url).await.unwrap();
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(db.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(mode, "wal");
        // hold several connections at once so that new ones are opened
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = db.pool().acquire().await.unwrap();
            let sync: i64 = sqlx::query("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .unwrap()
                .get(0);
            assert_eq!(sync, 1, "NORMAL");
            held.push(conn);
        }
    }

    #[tokio::test]
    async fn an_in_memory_store_survives_its_pool_connection_being_replaced() {
        let db = Metadata::connect("sqlite::memory:").await.unwrap();
        let other = Metadata::connect("sqlite::memory:").await.unwrap();
        let alice = db.create_user("alice", None, None).await.unwrap();
        // close the pool's only connection: the pool opens a new one, which
        // must see the same database (the CI failure "no such table")
        db.pool().acquire().await.unwrap().close().await.unwrap();
        assert_eq!(db.user_by_id(&alice.id).await.unwrap(), Some(alice));
        // and two stores never share one database
        assert!(other.user_by_name("alice").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn users_are_created_found_and_unique() {
        let db = Metadata::connect("sqlite::memory:").await.unwrap();
        let alice = db.create_user("alice", Some("hash"), None).await.unwrap();
        let found = db.user_by_name("alice").await.unwrap().unwrap();
        assert_eq!(found.user, alice);
        assert_eq!(found.password_hash.as_deref(), Some("hash"));
        assert_eq!(db.user_by_id(&alice.id).await.unwrap(), Some(alice));
        assert!(db.user_by_name("bob").await.unwrap().is_none());
        assert!(matches!(
            db.create_user("alice", None, None).await,
            Err(StoreError::UsernameTaken(_))
        ));
    }

    #[tokio::test]
    async fn telegram_users_are_created_once_and_found_again() {
        let db = Metadata::connect("sqlite::memory:").await.unwrap();
        let first = db.telegram_user(777).await.unwrap();
        assert_eq!(first.username, "tg:777");
        assert_eq!(first.telegram_id, Some(777));
        assert_eq!(db.telegram_user(777).await.unwrap(), first);
        let other = db.telegram_user(778).await.unwrap();
        assert_ne!(other.id, first.id);
        let found = db.user_by_name("tg:777").await.unwrap().unwrap();
        assert!(
            found.password_hash.is_none(),
            "no password log-in for bot users"
        );
    }

    #[tokio::test]
    async fn a_sqlite_file_is_created_with_its_folder_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/sub/abstat.db", dir.path().display());
        let db = Metadata::connect(&url).await.unwrap();
        db.create_user("alice", None, Some(42)).await.unwrap();
        drop(db);
        let db = Metadata::connect(&url).await.unwrap();
        let alice = db.user_by_name("alice").await.unwrap().unwrap();
        assert_eq!(alice.user.telegram_id, Some(42));
    }
}
