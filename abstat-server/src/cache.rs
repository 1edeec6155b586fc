//! The result cache: a finished analysis stored under a key built from the
//! dataset id, its version and the normalised request, so the same analysis
//! of the same data answers at once. In memory (bounded, LRU with a TTL) by
//! default; Redis with `--features redis` and `ABSTAT_REDIS_URL`.
//!
//! Every key is built here, by [`result_key`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::jobs::queue::BoxFuture;

/// Prefix of every result key (bump the version when results change shape).
const PREFIX: &str = "abstat:result:v1";

/// How long a result stays cached by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

/// Entries the in-memory cache holds by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The key of an analysis of `dataset_id` at `version`: the kind and the
/// request as canonical JSON (object keys sorted, no whitespace), hashed
/// with SHA-256. The request must already carry the pinned version.
pub fn result_key(
    dataset_id: &str,
    version: u32,
    kind: &str,
    request: &serde_json::Value,
) -> String {
    let mut canonical = String::new();
    write_canonical(request, &mut canonical);
    let digest = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0u8])
        .chain_update(canonical.as_bytes())
        .finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}:{dataset_id}:{version}:{hex}")
}

/// JSON with object keys in sorted order, whatever map type serde_json was
/// built with.
fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What can go wrong in a cache. Callers treat it as a miss and log it: a
/// cache never fails an analysis.
#[derive(Debug, thiserror::Error)]
#[error("result cache: {0}")]
pub struct CacheError(pub String);

/// Where results are cached.
pub trait ResultCache: Send + Sync + std::fmt::Debug {
    /// The cached result (JSON text) under `key`.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, CacheError>>;
    /// Cache `value` under `key`.
    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), CacheError>>;
}

#[derive(Debug)]
struct Entry {
    value: String,
    stored: Instant,
    used: u64,
}

#[derive(Debug, Default)]
struct Lru {
    entries: HashMap<String, Entry>,
    clock: u64,
}

/// The in-memory cache: at most `capacity` entries, the least recently used
/// evicted first, each kept at most `ttl`.
#[derive(Debug)]
pub struct MemoryCache {
    capacity: usize,
    ttl: Duration,
    lru: Mutex<Lru>,
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::new(DEFAULT_CAPACITY, DEFAULT_TTL)
    }
}

impl MemoryCache {
    /// A cache of at most `capacity` entries (at least 1) kept for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        MemoryCache {
            capacity: capacity.max(1),
            ttl,
            lru: Mutex::new(Lru::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // a panic while holding the lock leaves a consistent map
        self.lru.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get_now(&self, key: &str) -> Option<String> {
        let mut lru = self.lock();
        lru.clock += 1;
        let clock = lru.clock;
        let expired = match lru.entries.get_mut(key) {
            None => return None,
            Some(e) if e.stored.elapsed() > self.ttl => true,
            Some(e) => {
                e.used = clock;
                return Some(e.value.clone());
            }
        };
        if expired {
            lru.entries.remove(key);
        }
        None
    }

    fn put_now(&self, key: &str, value: &str) {
        let mut lru = self.lock();
        lru.clock += 1;
        let clock = lru.clock;
        if !lru.entries.contains_key(key) && lru.entries.len() >= self.capacity {
            // O(capacity) eviction: puts follow analyses that take far longer
            if let Some(oldest) = lru
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone())
            {
                lru.entries.remove(&oldest);
            }
        }
        lru.entries.insert(
            key.to_string(),
            Entry {
                value: value.to_string(),
                stored: Instant::now(),
                used: clock,
            },
        );
    }
}

impl ResultCache for MemoryCache {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, CacheError>> {
        Box::pin(std::future::ready(Ok(self.get_now(key))))
    }

    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), CacheError>> {
        self.put_now(key, value);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The Redis cache (`ABSTAT_REDIS_URL`): `SET key value EX ttl`.
#[cfg(feature = "redis")]
#[derive(Clone)]
pub struct RedisCache {
    conn: redis::aio::MultiplexedConnection,
    ttl: Duration,
}

#[cfg(feature = "redis")]
impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCache")
            .field("ttl", &self.ttl)
            .finish()
    }
}

#[cfg(feature = "redis")]
impl RedisCache {
    /// Connect to `url` (`redis://host:port/db`).
    pub async fn connect(url: &str, ttl: Duration) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|e| {
            CacheError(format!(
                "ABSTAT_REDIS_URL = {}: {e}",
                crate::config::redact_url(url)
            ))
        })?;
        let conn = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| {
                CacheError(format!(
                    "cannot reach Redis at {} (ABSTAT_REDIS_URL): {e}",
                    crate::config::redact_url(url)
                ))
            })?;
        Ok(RedisCache { conn, ttl })
    }
}

#[cfg(feature = "redis")]
impl ResultCache for RedisCache {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, CacheError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("GET")
                .arg(key)
                .query_async(&mut conn)
                .await
                .map_err(|e| CacheError(e.to_string()))
        })
    }

    fn put<'a>(&'a self, key: &'a str, value: &'a str) -> BoxFuture<'a, Result<(), CacheError>> {
        Box::pin(async move {
            let mut conn = self.conn.clone();
            redis::cmd("SET")
                .arg(key)
                .arg(value)
                .arg("EX")
                .arg(self.ttl.as_secs().max(1))
                .query_async::<()>(&mut conn)
                .await
                .map_err(|e| CacheError(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_ignore_key_order_and_differ_by_version_kind_and_request() {
        let a = json!({"test": "welch", "column": "x", "alpha": 0.05});
        let b = json!({"alpha": 0.05, "column": "x", "test": "welch"});
        let k = result_key("d", 1, "stat_test", &a);
        assert_eq!(k, result_key("d", 1, "stat_test", &b));
        assert!(k.starts_with("abstat:result:v1:d:1:"), "{k}");
        assert_ne!(k, result_key("d", 2, "stat_test", &a));
        assert_ne!(k, result_key("e", 1, "stat_test", &a));
        assert_ne!(k, result_key("d", 1, "regression", &a));
        assert_ne!(
            k,
            result_key("d", 1, "stat_test", &json!({"test": "welch"}))
        );
    }

    #[tokio::test]
    async fn the_memory_cache_evicts_the_least_recently_used_and_expires() {
        let c = MemoryCache::new(2, Duration::from_secs(60));
        c.put("a", "1").await.unwrap();
        c.put("b", "2").await.unwrap();
        assert_eq!(c.get("a").await.unwrap().as_deref(), Some("1")); // a is fresher now
        c.put("c", "3").await.unwrap();
        assert_eq!(c.get("b").await.unwrap(), None, "b was least recently used");
        assert_eq!(c.get("a").await.unwrap().as_deref(), Some("1"));
        assert_eq!(c.get("c").await.unwrap().as_deref(), Some("3"));

        let c = MemoryCache::new(2, Duration::ZERO);
        c.put("a", "1").await.unwrap();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(c.get("a").await.unwrap(), None, "expired");
    }

    /// The Redis path against the real Redis started by scripts/services.sh.
    #[cfg(feature = "redis")]
    #[tokio::test]
    async fn redis_caches_results_with_a_ttl() {
        let url = std::env::var("ABSTAT_TEST_REDIS").expect(
            "ABSTAT_TEST_REDIS is not set: start Redis with scripts/services.sh and export what it prints",
        );
        let c = RedisCache::connect(&url, Duration::from_secs(30))
            .await
            .unwrap();
        let key = result_key(
            &uuid::Uuid::new_v4().to_string(),
            1,
            "stat_test",
            &json!({}),
        );
        assert_eq!(c.get(&key).await.unwrap(), None);
        c.put(&key, r#"{"x":1}"#).await.unwrap();
        assert_eq!(c.get(&key).await.unwrap().as_deref(), Some(r#"{"x":1}"#));
    }
}
