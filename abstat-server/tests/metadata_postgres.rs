//! The metadata store on the real PostgreSQL started by `scripts/services.sh`
//! (`ABSTAT_TEST_POSTGRES`): the same behaviour the SQLite unit tests check,
//! on the backend a team runs at scale.
#![cfg(feature = "postgres")]
#![allow(missing_docs)]

use abstat_server::store::{Metadata, StoreError};

fn postgres_url() -> String {
    match std::env::var("ABSTAT_TEST_POSTGRES") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "ABSTAT_TEST_POSTGRES is not set: run `scripts/services.sh start` and `eval \"$(scripts/services.sh env)\"`"
        ),
    }
}

#[tokio::test]
async fn users_round_trip_and_stay_unique_on_postgres() {
    let db = Metadata::connect(&postgres_url())
        .await
        .expect("connect and migrate");
    // Connecting again runs the migrations again: they must be idempotent.
    let db2 = Metadata::connect(&postgres_url())
        .await
        .expect("second connect");
    db.ping().await.unwrap();

    // Names and ids no earlier run used, so reruns against a long-lived server pass.
    let stamp = uuid_like();
    let name = format!("alice_{}_{stamp}", std::process::id());
    let telegram_id = (stamp % i64::MAX as u128) as i64;
    let alice = db
        .create_user(&name, Some("hash"), Some(telegram_id))
        .await
        .unwrap();
    let found = db2
        .user_by_name(&name)
        .await
        .unwrap()
        .expect("visible to another pool");
    assert_eq!(found.user, alice);
    assert_eq!(found.password_hash.as_deref(), Some("hash"));
    assert_eq!(db.user_by_id(&alice.id).await.unwrap(), Some(alice));
    assert!(matches!(
        db.create_user(&name, None, None).await,
        Err(StoreError::UsernameTaken(_))
    ));
}

fn uuid_like() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}
