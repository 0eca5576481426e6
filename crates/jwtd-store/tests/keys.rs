//! The key-set contract on a real database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`):
//! one current key, one automatic next key, rotation as compare-and-swap, expiry.

use std::sync::Arc;

use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use jwtd_store::{KeyOrigin, KeyState, PoolConfig, Store, StoredKey};

async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = match postgres_server() {
        Some(server) => fresh_postgres_database(&server).await,
        None => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    (
        dir,
        jwtd_store::open(&url, &PoolConfig::default())
            .await
            .unwrap(),
    )
}

fn key(kid: &str, state: KeyState, origin: KeyOrigin, at: i64) -> StoredKey {
    StoredKey {
        kid: kid.into(),
        algorithm: "ES256".into(),
        state,
        origin,
        public_jwk: format!(r#"{{"kid":"{kid}"}}"#),
        sealed_private_key: "v1.sealed".into(),
        created_at: at,
        activated_at: (state == KeyState::Current).then_some(at),
        retired_at: None,
    }
}

fn states(keys: &[StoredKey]) -> Vec<(&str, KeyState)> {
    keys.iter().map(|k| (k.kid.as_str(), k.state)).collect()
}

#[tokio::test]
async fn one_current_key_and_one_automatic_next_key() {
    let (_dir, store) = fresh().await;
    let first = key("a", KeyState::Current, KeyOrigin::Generated, 1);
    assert!(store.add_signing_key(&first).await.unwrap());
    assert!(!store.add_signing_key(&first).await.unwrap(), "same kid");
    let rival = key("b", KeyState::Current, KeyOrigin::Generated, 1);
    assert!(
        !store.add_signing_key(&rival).await.unwrap(),
        "a second current key"
    );
    let auto = key("c", KeyState::Next, KeyOrigin::Automatic, 2);
    assert!(store.add_signing_key(&auto).await.unwrap());
    let auto2 = key("d", KeyState::Next, KeyOrigin::Automatic, 2);
    assert!(
        !store.add_signing_key(&auto2).await.unwrap(),
        "a second automatic next key"
    );
    let manual = key("e", KeyState::Next, KeyOrigin::Generated, 3);
    assert!(store.add_signing_key(&manual).await.unwrap());
    let keys = store.signing_keys().await.unwrap();
    assert_eq!(
        states(&keys),
        [
            ("a", KeyState::Current),
            ("c", KeyState::Next),
            ("e", KeyState::Next)
        ]
    );
    assert_eq!(keys[0], first);
}

#[tokio::test]
async fn rotation_is_a_compare_and_swap() {
    let (_dir, store) = fresh().await;
    store
        .add_signing_key(&key("a", KeyState::Current, KeyOrigin::Generated, 1))
        .await
        .unwrap();
    store
        .add_signing_key(&key("b", KeyState::Next, KeyOrigin::Generated, 2))
        .await
        .unwrap();
    store
        .add_signing_key(&key("c", KeyState::Next, KeyOrigin::Generated, 3))
        .await
        .unwrap();
    assert!(
        !store.activate_signing_key("b", None, 10).await.unwrap(),
        "a is current"
    );
    assert!(
        !store
            .activate_signing_key("b", Some("x"), 10)
            .await
            .unwrap(),
        "x is not current"
    );
    assert!(
        !store
            .activate_signing_key("a", Some("a"), 10)
            .await
            .unwrap(),
        "a is not next"
    );
    assert!(
        store
            .activate_signing_key("b", Some("a"), 10)
            .await
            .unwrap()
    );
    // Another instance that still believes `a` is current loses.
    assert!(
        !store
            .activate_signing_key("c", Some("a"), 11)
            .await
            .unwrap()
    );
    let keys = store.signing_keys().await.unwrap();
    assert_eq!(
        states(&keys),
        [
            ("a", KeyState::Retired),
            ("b", KeyState::Current),
            ("c", KeyState::Next)
        ]
    );
    assert_eq!(
        (keys[0].retired_at, keys[1].activated_at),
        (Some(10), Some(10))
    );
}

#[tokio::test]
async fn retired_keys_expire_and_next_keys_can_be_withdrawn() {
    let (_dir, store) = fresh().await;
    store
        .add_signing_key(&key("a", KeyState::Current, KeyOrigin::Imported, 1))
        .await
        .unwrap();
    store
        .add_signing_key(&key("b", KeyState::Next, KeyOrigin::Generated, 2))
        .await
        .unwrap();
    store
        .add_signing_key(&key("c", KeyState::Next, KeyOrigin::Generated, 3))
        .await
        .unwrap();
    store
        .activate_signing_key("b", Some("a"), 100)
        .await
        .unwrap();
    assert!(
        store.remove_expired_keys(100).await.unwrap().is_empty(),
        "not yet"
    );
    assert_eq!(store.remove_expired_keys(101).await.unwrap(), ["a"]);
    assert!(
        !store.remove_signing_key("b", KeyState::Next).await.unwrap(),
        "b signs"
    );
    assert!(store.remove_signing_key("c", KeyState::Next).await.unwrap());
    assert_eq!(
        states(&store.signing_keys().await.unwrap()),
        [("b", KeyState::Current)]
    );
}
