//! Round trips against the real services started by `scripts/services.sh`.
//!
//! Each test sits behind the cargo feature of its client (`kafka`, `redis`,
//! `postgres`, `clickhouse`) and reads the service's address from an
//! `ABSTAT_TEST_*` variable. An unset variable is a failure, never a skip:
//!
//! ```sh
//! scripts/services.sh install && scripts/services.sh start
//! source target/services/env
//! cargo test -p abstat-server --features kafka,redis,postgres,clickhouse --test services
//! scripts/services.sh stop
//! ```
#![allow(missing_docs)]

/// The address in `var`, or a panic that says how to get one.
#[allow(dead_code)]
fn service_address(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: run `scripts/services.sh start` and then \
             `source target/services/env` (or point {var} at a running service)"
        ),
    }
}

/// A name no earlier run has used: test objects (topics, keys, tables) are
/// never reused, so reruns against long-lived services don't see old data.
#[allow(dead_code)]
fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

#[cfg(feature = "kafka")]
#[tokio::test]
async fn kafka_produce_consume_round_trip() {
    use rdkafka::ClientConfig;
    use rdkafka::Message;
    use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
    use rdkafka::client::DefaultClientContext;
    use rdkafka::consumer::{Consumer, StreamConsumer};
    use rdkafka::producer::{FutureProducer, FutureRecord};
    use std::time::Duration;

    const N: usize = 50;
    let brokers = service_address("ABSTAT_TEST_KAFKA");
    let topic = unique_name("abstat_test");

    // One partition, so the broker keeps the messages in the order produced.
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .expect("admin client");
    let created = admin
        .create_topics(
            &[NewTopic::new(&topic, 1, TopicReplication::Fixed(1))],
            &AdminOptions::new().operation_timeout(Some(Duration::from_secs(30))),
        )
        .await
        .expect("create_topics request");
    for result in created {
        result.unwrap_or_else(|(t, e)| panic!("creating topic {t}: {e}"));
    }

    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("message.timeout.ms", "30000")
        .set("enable.idempotence", "true")
        .create()
        .expect("producer");
    let sent: Vec<(String, String)> = (0..N)
        .map(|i| (format!("key-{i}"), format!("message {i} of {N}: привет")))
        .collect();
    for (key, payload) in &sent {
        producer
            .send(
                FutureRecord::to(&topic).key(key).payload(payload),
                Duration::from_secs(30),
            )
            .await
            .unwrap_or_else(|(e, _)| panic!("producing {key}: {e}"));
    }

    let consumer: StreamConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", unique_name("abstat_test_group"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    consumer.subscribe(&[&topic]).expect("subscribe");

    let mut received = Vec::with_capacity(N);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while received.len() < N {
        let message = tokio::time::timeout_at(deadline, consumer.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out after {} of {N} messages", received.len()))
            .expect("consume");
        let key = String::from_utf8(message.key().expect("key").to_vec()).expect("utf-8 key");
        let payload = message
            .payload_view::<str>()
            .expect("payload")
            .expect("utf-8 payload")
            .to_owned();
        assert_eq!(message.offset(), received.len() as i64, "offsets in order");
        received.push((key, payload));
    }
    assert_eq!(received, sent);

    admin
        .delete_topics(&[&topic], &AdminOptions::new())
        .await
        .expect("delete_topics request");
}

#[cfg(feature = "redis")]
#[tokio::test]
async fn redis_set_get_expire() {
    use redis::AsyncCommands;
    use std::time::Duration;

    let url = service_address("ABSTAT_TEST_REDIS");
    let client = redis::Client::open(url.as_str()).expect("redis url");
    let mut con = client
        .get_multiplexed_async_connection()
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));

    let key = unique_name("abstat_test");
    let () = con.set(&key, "значение 1").await.expect("SET");
    let value: Option<String> = con.get(&key).await.expect("GET");
    assert_eq!(value.as_deref(), Some("значение 1"));

    let set: bool = con.pexpire(&key, 300).await.expect("PEXPIRE");
    assert!(set, "PEXPIRE on an existing key");
    let ttl: i64 = con.pttl(&key).await.expect("PTTL");
    assert!(0 < ttl && ttl <= 300, "PTTL {ttl} in (0, 300] ms");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let value: Option<String> = con.get(&key).await.expect("GET");
        if value.is_none() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "key never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_create_insert_select() {
    use sqlx::{AssertSqlSafe, Row};

    let url = service_address("ABSTAT_TEST_POSTGRES");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));

    // The table name is ours (letters, digits, '_'), so formatting it into the
    // SQL is safe; values go through bind parameters.
    let table = unique_name("abstat_test");
    sqlx::query(AssertSqlSafe(format!(
        "CREATE TABLE {table} (id INT PRIMARY KEY, name TEXT NOT NULL, value DOUBLE PRECISION)"
    )))
    .execute(&pool)
    .await
    .expect("CREATE TABLE");
    for (id, name, value) in [
        (1, "control", 0.25),
        (2, "treatment", 0.5),
        (3, "вариант", -1.5),
    ] {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO {table} VALUES ($1, $2, $3)"
        )))
        .bind(id)
        .bind(name)
        .bind(value)
        .execute(&pool)
        .await
        .expect("INSERT");
    }
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, name, value FROM {table} WHERE value > $1 ORDER BY id"
    )))
    .bind(0.0_f64)
    .fetch_all(&pool)
    .await
    .expect("SELECT");
    let got: Vec<(i32, String, f64)> = rows
        .iter()
        .map(|r| (r.get("id"), r.get("name"), r.get("value")))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "control".to_owned(), 0.25),
            (2, "treatment".to_owned(), 0.5)
        ]
    );
    let total: f64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT SUM(value) FROM {table}")))
        .fetch_one(&pool)
        .await
        .expect("SUM");
    assert_eq!(total, -0.75);

    sqlx::query(AssertSqlSafe(format!("DROP TABLE {table}")))
        .execute(&pool)
        .await
        .expect("DROP TABLE");
}

#[cfg(feature = "clickhouse")]
#[tokio::test]
async fn clickhouse_dataset_store_round_trip_and_push_down() {
    use abstat_io::{ClickHouseStore, DatasetStore, MomentsQuery, ReadOptions, read_bytes};

    let url = service_address("ABSTAT_TEST_CLICKHOUSE");
    let mut csv = String::from("id,variant,value\n");
    for i in 0..100 {
        let variant = if i % 2 == 0 {
            "control"
        } else {
            "вариант"
        };
        csv.push_str(&format!("{i},{variant},{}\n", f64::from(i) * 0.5));
    }
    // The store is synchronous and owns its runtime: from async code it
    // runs under spawn_blocking, as the server's workers call it.
    let (rows, moments) = tokio::task::spawn_blocking(move || {
        let prefix = unique_name("svc");
        let store = ClickHouseStore::connect_with_prefix(&url, &prefix)
            .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
        let mut reader =
            read_bytes(csv.into_bytes(), "events.csv", &ReadOptions::default()).expect("read CSV");
        let schema = reader.schema();
        let info = store.create("events", schema, &mut reader).expect("create");
        let moments = store
            .variant_moments("events", None, &MomentsQuery::new("variant", "value"))
            .expect("push-down");
        store.delete("events").expect("delete");
        (info.latest().unwrap().rows, moments)
    })
    .await
    .expect("store task");
    assert_eq!(rows, 100);
    let got: Vec<(&str, u64, f64)> = moments
        .iter()
        .map(|m| (m.variant.as_str(), m.moments.n, m.moments.sum))
        .collect();
    // Σ 0.5·i over even and odd i < 100: exact in f64.
    assert_eq!(got, [("control", 50, 1225.0), ("вариант", 50, 1250.0)]);
}
