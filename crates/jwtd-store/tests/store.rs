//! The store contract, run against a real SQLite file, or a fresh database on the PostgreSQL
//! server named by `TEST_DATABASE_URL` when it is set.

use std::sync::Arc;

use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use jwtd_store::{NewUser, PoolConfig, RefreshToken, Rotation, Store, StoreError};

async fn fresh() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let url = match postgres_server() {
        Some(server) => fresh_postgres_database(&server).await,
        None => format!("sqlite://{}", dir.path().join("t.db").display()),
    };
    let store = jwtd_store::open(&url, &PoolConfig::default())
        .await
        .unwrap();
    (dir, store)
}

fn user(name: &str, email: &str) -> NewUser {
    NewUser {
        username: name.into(),
        email: email.into(),
        password: "!".into(),
        is_active: true,
        roles: vec!["admin".into()],
    }
}

fn token(jti: &str, family: &str) -> RefreshToken {
    RefreshToken {
        jti: jti.into(),
        user_id: Some(1),
        family: family.into(),
        expires_at: 2_000_000_000,
    }
}

#[tokio::test]
async fn users_round_trip_and_unique_constraints_are_named() {
    let (_dir, store) = fresh().await;
    let alice = store
        .create_user(user("alice", "Alice@Example.com"), 100)
        .await
        .unwrap();
    assert_eq!(alice.roles, ["admin"]);
    assert_eq!(alice.date_joined, 100);
    assert_eq!(
        store
            .user_by_email("alice@EXAMPLE.com")
            .await
            .unwrap()
            .unwrap()
            .id,
        alice.id
    );
    assert!(
        store.user_by_username("Alice").await.unwrap().is_none(),
        "usernames are exact"
    );
    assert!(matches!(
        store
            .create_user(user("alice", "other@example.com"), 1)
            .await,
        Err(StoreError::UsernameTaken(_))
    ));
    assert!(matches!(
        store.create_user(user("bob", "ALICE@example.com"), 1).await,
        Err(StoreError::EmailTaken(_))
    ));
    // Users without an email do not collide with each other.
    store.create_user(user("c", ""), 1).await.unwrap();
    store.create_user(user("d", ""), 1).await.unwrap();
    assert!(store.user_by_email("").await.unwrap().is_none());

    assert!(store.set_active(alice.id, false).await.unwrap());
    assert_eq!(alice.revoke_key.len(), 32);
    assert!(store.set_password(alice.id, "argon2$x").await.unwrap());
    let changed = store.user_by_id(alice.id).await.unwrap().unwrap();
    assert_ne!(
        changed.revoke_key, alice.revoke_key,
        "a new password kills old tokens"
    );
    // A re-hash replaces only the hash it read, and keeps the tokens alive.
    assert!(
        !store
            .upgrade_password_hash(alice.id, "stale", "argon2$y")
            .await
            .unwrap()
    );
    assert!(
        store
            .upgrade_password_hash(alice.id, "argon2$x", "argon2$z")
            .await
            .unwrap()
    );
    store.record_login(alice.id, 500).await.unwrap();
    let again = store.user_by_id(alice.id).await.unwrap().unwrap();
    assert!(!again.is_active);
    assert_eq!(again.password, "argon2$z");
    assert_eq!(again.revoke_key, changed.revoke_key);
    assert_eq!(again.last_login, Some(500));
    assert!(store.delete_user(alice.id).await.unwrap());
    assert!(!store.delete_user(alice.id).await.unwrap());
    assert_eq!(store.list_users().await.unwrap().len(), 2);
}

#[tokio::test]
async fn blacklist_is_idempotent_and_covers_unknown_tokens() {
    let (_dir, store) = fresh().await;
    let t = token("a", "a");
    assert!(!store.is_blacklisted("a").await.unwrap());
    assert!(
        store.blacklist(&t, 10).await.unwrap(),
        "a token jwtd never saw can be blacklisted"
    );
    assert!(store.is_blacklisted("a").await.unwrap());
    assert!(!store.blacklist(&t, 11).await.unwrap());
}

#[tokio::test]
async fn rotation_happens_once_under_concurrency() {
    let (_dir, store) = fresh().await;
    let old = token("old", "old");
    store.add_refresh_token(&old, 1).await.unwrap();
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let store = store.clone();
            let old = old.clone();
            tokio::spawn(async move {
                store
                    .rotate(&old, &token(&format!("new{i}"), "old"), true, 2)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut rotated = 0;
    for t in tasks {
        if t.await.unwrap() == Rotation::Rotated {
            rotated += 1;
        }
    }
    assert_eq!(rotated, 1);
    assert!(store.is_blacklisted("old").await.unwrap());
}

#[tokio::test]
async fn rotation_without_blacklisting_still_allows_one_successor() {
    let (_dir, store) = fresh().await;
    let old = token("old", "old");
    assert_eq!(
        store
            .rotate(&old, &token("n1", "old"), false, 2)
            .await
            .unwrap(),
        Rotation::Rotated
    );
    assert!(!store.is_blacklisted("old").await.unwrap());
    assert_eq!(
        store
            .rotate(&old, &token("n2", "old"), false, 3)
            .await
            .unwrap(),
        Rotation::AlreadyUsed
    );
    // A blacklisted token cannot be rotated.
    store.blacklist(&token("n1", "old"), 4).await.unwrap();
    assert_eq!(
        store
            .rotate(&token("n1", "old"), &token("n3", "old"), true, 5)
            .await
            .unwrap(),
        Rotation::AlreadyUsed
    );
}

#[tokio::test]
async fn flush_removes_expired_rows_in_batches() {
    let (_dir, store) = fresh().await;
    for i in 0..25 {
        let mut t = token(&format!("old{i}"), "f");
        t.expires_at = 100 + i;
        store.add_refresh_token(&t, 1).await.unwrap();
    }
    let mut dead = token("dead", "f");
    dead.expires_at = 50;
    store.blacklist(&dead, 1).await.unwrap();
    let live = token("live", "f");
    store.add_refresh_token(&live, 1).await.unwrap();
    store.blacklist(&live, 2).await.unwrap();

    // Rows whose token expired before 200: 25 + the blacklisted one, 10 at a time.
    assert_eq!(store.flush_expired(200, 10).await.unwrap(), 10);
    assert_eq!(store.flush_expired(200, 10).await.unwrap(), 10);
    assert_eq!(store.flush_expired(200, 10).await.unwrap(), 6);
    assert_eq!(store.flush_expired(200, 10).await.unwrap(), 0);
    assert!(!store.is_blacklisted("dead").await.unwrap());
    assert!(
        store.is_blacklisted("live").await.unwrap(),
        "unexpired blacklist entries stay"
    );
}
