//! Where each chat's [`Session`] lives between updates: one teloxide
//! storage behind one alias, [`DialogueStorage`], chosen by configuration.
//!
//! | backend | when | survives a restart | shared by replicas |
//! |---|---|---|---|
//! | memory | default | no | no |
//! | SQLite (teloxide's `SqliteStorage`, JSON) | `ABSTAT_BOT_STATE=sqlite[:PATH]` | yes | no |
//! | Redis ([`RedisStorage`], feature `redis`) | `ABSTAT_REDIS_URL` set, or `ABSTAT_BOT_STATE=redis` | yes | yes |
//!
//! Redis uses our own small [`teloxide::dispatching::dialogue::Storage`]
//! on the workspace's `redis` client instead of teloxide's `redis-storage`:
//! that one keys dialogues by the bare chat id (colliding with anything
//! else in the database) and brings a second Redis client (deadpool-redis)
//! into the build. Keys here come from [`dialogue_key`] alone.

use std::path::PathBuf;
use std::sync::Arc;

use teloxide::dispatching::dialogue::serializer::Json;
use teloxide::dispatching::dialogue::{ErasedStorage, InMemStorage, SqliteStorage, Storage};

use crate::handlers::Session;

/// The dialogue storage every handler sees, whatever the backend.
pub type DialogueStorage = ErasedStorage<Session>;

/// Which storage keeps the dialogues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StateBackend {
    /// In the process's memory: lost on restart.
    #[default]
    Memory,
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A Redis server (`redis://host:port/db`), shared by bot replicas.
    Redis(String),
}

impl StateBackend {
    /// A short description for logs, without passwords.
    pub fn describe(&self) -> String {
        match self {
            StateBackend::Memory => "memory".into(),
            StateBackend::Sqlite(p) => format!("SQLite {}", p.display()),
            StateBackend::Redis(url) => {
                let host = url.rsplit('@').next().unwrap_or(url);
                format!("Redis {}", host.trim_start_matches("redis://"))
            }
        }
    }
}

/// The storage could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("cannot open the bot's dialogue storage ({backend}): {reason}")]
pub struct StorageError {
    /// [`StateBackend::describe`].
    pub backend: String,
    /// Why.
    pub reason: String,
}

/// Open the storage `backend` names.
pub async fn open(backend: &StateBackend) -> Result<Arc<DialogueStorage>, StorageError> {
    let fail = |reason: String| StorageError {
        backend: backend.describe(),
        reason,
    };
    match backend {
        StateBackend::Memory => Ok(InMemStorage::<Session>::new().erase()),
        StateBackend::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
            }
            let path = path
                .to_str()
                .ok_or_else(|| fail("the path is not UTF-8".into()))?;
            let storage = SqliteStorage::open(path, Json)
                .await
                .map_err(|e| fail(e.to_string()))?;
            Ok(Storage::<Session>::erase(storage))
        }
        #[cfg(feature = "redis")]
        StateBackend::Redis(url) => Ok(RedisStorage::connect(url)
            .await
            .map_err(|e| fail(e.to_string()))?
            .erase()),
        #[cfg(not(feature = "redis"))]
        StateBackend::Redis(_) => Err(fail(
            "this build has no Redis client; rebuild with `--features redis`".into(),
        )),
    }
}

/// The Redis key of a chat's dialogue.
pub fn dialogue_key(chat: teloxide::types::ChatId) -> String {
    format!("abstat:bot:dialogue:v1:{}", chat.0)
}

#[cfg(feature = "redis")]
pub use self::redis_storage::RedisStorage;

#[cfg(feature = "redis")]
mod redis_storage {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use teloxide::dispatching::dialogue::Storage;
    use teloxide::types::ChatId;

    use super::dialogue_key;
    use crate::handlers::Session;

    type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

    /// Dialogues idle this long are forgotten (seconds).
    const TTL: u64 = 30 * 24 * 3600;

    /// Why a Redis dialogue operation failed.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum RedisStorageError {
        /// The server refused or the connection broke.
        #[error("Redis: {0}")]
        Redis(#[from] redis::RedisError),
        /// A stored dialogue is not a [`Session`] (written by another version?).
        #[error("a stored dialogue cannot be read: {0}")]
        Format(#[from] serde_json::Error),
    }

    /// Dialogues in Redis as JSON under [`dialogue_key`], with a TTL.
    #[derive(Clone)]
    pub struct RedisStorage {
        conn: redis::aio::MultiplexedConnection,
    }

    impl std::fmt::Debug for RedisStorage {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("RedisStorage")
        }
    }

    impl RedisStorage {
        /// Connect to `url` (`redis://host:port/db`).
        pub async fn connect(url: &str) -> Result<Arc<RedisStorage>, RedisStorageError> {
            let client = redis::Client::open(url)?;
            let conn = client.get_multiplexed_async_connection().await?;
            Ok(Arc::new(RedisStorage { conn }))
        }
    }

    impl Storage<Session> for RedisStorage {
        type Error = RedisStorageError;

        fn remove_dialogue(self: Arc<Self>, chat: ChatId) -> BoxFuture<Result<(), Self::Error>> {
            Box::pin(async move {
                let mut conn = self.conn.clone();
                let _: i64 = redis::cmd("DEL")
                    .arg(dialogue_key(chat))
                    .query_async(&mut conn)
                    .await?;
                Ok(())
            })
        }

        fn update_dialogue(
            self: Arc<Self>,
            chat: ChatId,
            dialogue: Session,
        ) -> BoxFuture<Result<(), Self::Error>> {
            Box::pin(async move {
                let json = serde_json::to_string(&dialogue)?;
                let mut conn = self.conn.clone();
                let _: () = redis::cmd("SET")
                    .arg(dialogue_key(chat))
                    .arg(json)
                    .arg("EX")
                    .arg(TTL)
                    .query_async(&mut conn)
                    .await?;
                Ok(())
            })
        }

        fn get_dialogue(
            self: Arc<Self>,
            chat: ChatId,
        ) -> BoxFuture<Result<Option<Session>, Self::Error>> {
            Box::pin(async move {
                let mut conn = self.conn.clone();
                let json: Option<String> = redis::cmd("GET")
                    .arg(dialogue_key(chat))
                    .query_async(&mut conn)
                    .await?;
                Ok(match json {
                    Some(j) => Some(serde_json::from_str(&j)?),
                    None => None,
                })
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handlers::Step;
    use teloxide::types::ChatId;

    async fn round_trip(storage: Arc<DialogueStorage>) {
        let chat = ChatId(77);
        let session = Session {
            lang: Some(crate::texts::Lang::Ru),
            step: Step::Menu {
                dataset: "d1".into(),
            },
        };
        Arc::clone(&storage)
            .update_dialogue(chat, session.clone())
            .await
            .unwrap();
        let got = Arc::clone(&storage).get_dialogue(chat).await.unwrap();
        assert_eq!(got, Some(session));
        Arc::clone(&storage).remove_dialogue(chat).await.unwrap();
        assert_eq!(storage.get_dialogue(chat).await.unwrap(), None);
    }

    #[tokio::test]
    async fn memory_and_sqlite_keep_a_session() {
        round_trip(open(&StateBackend::Memory).await.unwrap()).await;
        let dir = tempfile::tempdir().unwrap();
        let backend = StateBackend::Sqlite(dir.path().join("sub/state.db"));
        round_trip(open(&backend).await.unwrap()).await;
    }

    #[tokio::test]
    async fn a_sqlite_file_in_a_missing_place_is_an_error_naming_it() {
        let backend = StateBackend::Sqlite("/proc/no/such/dir/state.db".into());
        let e = open(&backend).await.err().expect("must fail");
        assert!(e.to_string().contains("/proc/no/such/dir"), "{e}");
    }

    #[test]
    fn redis_descriptions_hide_passwords() {
        let d = StateBackend::Redis("redis://:secret@host:6379/2".into()).describe();
        assert_eq!(d, "Redis host:6379/2");
    }

    #[cfg(not(feature = "redis"))]
    #[tokio::test]
    async fn redis_without_the_feature_says_how_to_get_it() {
        let e = open(&StateBackend::Redis("redis://x:1".into()))
            .await
            .err()
            .unwrap();
        assert!(e.to_string().contains("--features redis"), "{e}");
    }
}
