//! The store contract, run against a real SQLite file, or a fresh database on the PostgreSQL
//! server named by `TEST_DATABASE_URL` when it is set.

use std::sync::Arc;

use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use jwtd_store::{
    ImportAction, ImportedToken, ImportedUser, NewUser, PoolConfig, RefreshToken, Rotation, Store,
    StoreError, Succession,
};

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

fn succession<'a>(
    old: &'a RefreshToken,
    new: &'a RefreshToken,
    blacklist_old: bool,
) -> Succession<'a> {
    Succession {
        old,
        new,
        blacklist_old,
    }
}

fn token(jti: &str, family: &str) -> RefreshToken {
    RefreshToken {
        jti: jti.into(),
        user_id: Some(1),
        family: family.into(),
        expires_at: 2_000_000_000,
        encoded: format!("token {jti}"),
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
                    .rotate(succession(&old, &token(&format!("new{i}"), "old"), true), 2)
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

/// Concurrent rotations share transactions on SQLite (group commit): each caller still gets
/// its own rotation's outcome — one winner per token, a failing rotation failing alone — and
/// every acknowledged rotation is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rotations_each_get_their_own_outcome() {
    let (_dir, store) = fresh().await;
    for i in 0..40 {
        store
            .add_refresh_token(&token(&format!("t{i}"), &format!("t{i}")), 1)
            .await
            .unwrap();
    }
    store
        .add_refresh_token(&token("taken", "x"), 1)
        .await
        .unwrap();
    let rotate = |old: String, new: String| {
        let store = store.clone();
        tokio::spawn(async move {
            let family = old.clone();
            store
                .rotate(
                    succession(&token(&old, &family), &token(&new, &family), true),
                    2,
                )
                .await
        })
    };
    // Queued in the middle of the others, so that it shares a batch with some of them.
    let mut distinct: Vec<_> = (0..20)
        .map(|i| rotate(format!("t{i}"), format!("n{i}")))
        .collect();
    // Its successor's jti is already stored: the insert fails.
    let failing = rotate("t39".into(), "taken".into());
    distinct.extend((20..40).map(|i| rotate(format!("t{i}"), format!("n{i}"))));
    let racing_t0: Vec<_> = (0..8)
        .map(|k| rotate("t0".into(), format!("d{k}")))
        .collect();

    let mut t0_rotations = 0;
    for (i, task) in distinct.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(Rotation::Rotated) => {
                if i == 0 {
                    t0_rotations += 1;
                }
            }
            Ok(Rotation::AlreadyUsed) => assert!(i == 0 || i == 39, "t{i} lost its rotation"),
            Err(e) => panic!("t{i}: {e}"),
        }
    }
    for task in racing_t0 {
        if task.await.unwrap().unwrap() == Rotation::Rotated {
            t0_rotations += 1;
        }
    }
    assert_eq!(t0_rotations, 1, "t0 rotated exactly once");
    match failing.await.unwrap() {
        Err(_) | Ok(Rotation::AlreadyUsed) => {}
        Ok(Rotation::Rotated) => panic!("a rotation to a taken jti succeeded"),
    }
    for i in 1..39 {
        let old = store.token_state(&format!("t{i}")).await.unwrap().unwrap();
        assert!(old.rotated_at.is_some() && old.blacklisted_at.is_some());
        let new = store.token_state(&format!("n{i}")).await.unwrap();
        assert_eq!(new.map(|n| n.family), Some(format!("t{i}")));
    }
}

#[tokio::test]
async fn rotation_without_blacklisting_still_allows_one_successor() {
    let (_dir, store) = fresh().await;
    let old = token("old", "old");
    assert_eq!(
        store
            .rotate(succession(&old, &token("n1", "old"), false), 2)
            .await
            .unwrap(),
        Rotation::Rotated
    );
    assert!(!store.is_blacklisted("old").await.unwrap());
    assert_eq!(
        store
            .rotate(succession(&old, &token("n2", "old"), false), 3)
            .await
            .unwrap(),
        Rotation::AlreadyUsed
    );
    // A blacklisted token cannot be rotated.
    store.blacklist(&token("n1", "old"), 4).await.unwrap();
    assert_eq!(
        store
            .rotate(
                succession(&token("n1", "old"), &token("n3", "old"), true),
                5
            )
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

#[tokio::test]
async fn login_attempts_back_off_exponentially_and_reset_on_success() {
    use jwtd_store::{Attempt, ThrottlePolicy};
    let (_dir, store) = fresh().await;
    let policy = ThrottlePolicy {
        free_failures: 3,
        base_delay: 10,
        max_delay: 35,
        window: 3600,
    };
    let t = 1_000;
    for _ in 0..2 {
        assert_eq!(
            store.begin_login_attempt("k", &policy, t).await.unwrap(),
            Attempt::Allowed
        );
    }
    // The third failure is allowed and starts the back-off: 10 s, then 20, then capped at 35.
    assert_eq!(
        store.begin_login_attempt("k", &policy, t).await.unwrap(),
        Attempt::Allowed
    );
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 3)
            .await
            .unwrap(),
        Attempt::Blocked { retry_after: 7 }
    );
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 10)
            .await
            .unwrap(),
        Attempt::Allowed
    );
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 29)
            .await
            .unwrap(),
        Attempt::Blocked { retry_after: 1 }
    );
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 30)
            .await
            .unwrap(),
        Attempt::Allowed
    );
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 31)
            .await
            .unwrap(),
        Attempt::Blocked { retry_after: 34 }
    );
    // Other keys are independent; a success resets the key.
    assert_eq!(
        store
            .begin_login_attempt("other", &policy, t + 31)
            .await
            .unwrap(),
        Attempt::Allowed
    );
    store.login_succeeded("k", true).await.unwrap();
    assert_eq!(
        store
            .begin_login_attempt("k", &policy, t + 31)
            .await
            .unwrap(),
        Attempt::Allowed
    );
}

#[tokio::test]
async fn parallel_attempts_cannot_slip_past_the_limit() {
    use jwtd_store::{Attempt, ThrottlePolicy};
    let (_dir, store) = fresh().await;
    let policy = ThrottlePolicy {
        free_failures: 5,
        base_delay: 60,
        max_delay: 600,
        window: 3600,
    };
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.begin_login_attempt("k", &policy, 50).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.unwrap() == Attempt::Allowed {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5, "exactly the free failures get through");
}

#[tokio::test]
async fn families_and_users_can_be_revoked() {
    let (_dir, store) = fresh().await;
    let root = token("root", "root");
    store.add_refresh_token(&root, 1).await.unwrap();
    // The successor joins the stored family even if the caller names another.
    store
        .rotate(succession(&root, &token("child", "wrong"), false), 2)
        .await
        .unwrap();
    let child = store.token_state("child").await.unwrap().unwrap();
    assert_eq!(child.family, "root");
    assert_eq!(
        store.token_state("root").await.unwrap().unwrap().rotated_at,
        Some(2)
    );
    let mut revoked = store.revoke_family("root", 3).await.unwrap();
    revoked.sort();
    assert_eq!(revoked, ["child", "root"]);
    assert!(store.revoke_family("root", 4).await.unwrap().is_empty());
    assert!(store.is_blacklisted("child").await.unwrap());

    let alice = store.create_user(user("alice", ""), 1).await.unwrap();
    let mut mine = token("mine", "mine");
    mine.user_id = Some(alice.id);
    store.add_refresh_token(&mine, 1).await.unwrap();
    assert_eq!(alice.logged_out_at, None);
    assert!(store.revoke_user_tokens(alice.id, 9_500_000).await.unwrap());
    assert!(store.is_blacklisted("mine").await.unwrap());
    let after = store.user_by_id(alice.id).await.unwrap().unwrap();
    assert_eq!(after.logged_out_at, Some(9_500_000));
    assert_ne!(after.revoke_key, alice.revoke_key);
    assert!(!store.revoke_user_tokens(999, 9).await.unwrap());
}

#[tokio::test]
async fn users_held_elsewhere_log_out_by_id() {
    let (_dir, store) = fresh().await;
    let mut theirs = token("theirs", "theirs");
    theirs.user_id = Some(42);
    store.add_refresh_token(&theirs, 1).await.unwrap();
    assert_eq!(store.external_logged_out_at(42).await.unwrap(), None);
    store
        .revoke_external_user_tokens(42, 7_000_000)
        .await
        .unwrap();
    store
        .revoke_external_user_tokens(42, 9_000_000)
        .await
        .unwrap();
    assert_eq!(
        store.external_logged_out_at(42).await.unwrap(),
        Some(9_000_000),
        "the last logout counts"
    );
    assert!(store.is_blacklisted("theirs").await.unwrap());
    assert_eq!(store.external_logged_out_at(43).await.unwrap(), None);
}

#[tokio::test]
async fn tokens_issued_after_a_logout_in_its_second_are_remembered_until_the_next() {
    let (_dir, store) = fresh().await;
    let alice = store.create_user(user("alice", ""), 1).await.unwrap();
    let bob = store.create_user(user("bob", ""), 1).await.unwrap();
    store.revoke_user_tokens(alice.id, 9_500_000).await.unwrap();
    store
        .record_issued_after_logout("fresh", alice.id, 100)
        .await
        .unwrap();
    // Recording twice (a retried request) is harmless.
    store
        .record_issued_after_logout("fresh", alice.id, 100)
        .await
        .unwrap();
    assert!(store.issued_after_logout("fresh", alice.id).await.unwrap());
    assert!(!store.issued_after_logout("fresh", bob.id).await.unwrap());
    assert!(!store.issued_after_logout("other", alice.id).await.unwrap());
    // Records go with their token at flush-expired.
    store
        .record_issued_after_logout("expired", alice.id, 50)
        .await
        .unwrap();
    store.flush_expired(60, 100).await.unwrap();
    assert!(
        !store
            .issued_after_logout("expired", alice.id)
            .await
            .unwrap()
    );
    assert!(store.issued_after_logout("fresh", alice.id).await.unwrap());
    store
        .revoke_user_tokens(alice.id, 20_000_000)
        .await
        .unwrap();
    assert!(
        !store.issued_after_logout("fresh", alice.id).await.unwrap(),
        "a later logout refuses it"
    );
}

#[tokio::test]
async fn unreadable_rows_are_errors_that_waiting_does_not_fix() {
    let (_dir, store) = fresh().await;
    let alice = store.create_user(user("alice", ""), 1).await.unwrap();
    store.close().await;
    let closed = store.user_by_id(alice.id).await.unwrap_err();
    assert!(closed.is_transient(), "{closed}");
    assert!(!StoreError::Corrupt("x".into()).is_transient());
    assert!(!StoreError::UsernameTaken("x".into()).is_transient());
}

fn imported(id: i64, name: &str, email: &str, password: &str) -> ImportedUser {
    ImportedUser {
        id,
        account: NewUser {
            username: name.into(),
            email: email.into(),
            password: password.into(),
            is_active: true,
            roles: vec!["editors".into()],
        },
        last_login: Some(50),
        date_joined: 40,
    }
}

#[tokio::test]
async fn imports_keep_ids_apply_only_changes_and_report_collisions() {
    let (_dir, store) = fresh().await;
    let local = store
        .create_user(user("local", "local@example.com"), 1)
        .await
        .unwrap();
    let first = vec![
        imported(100, "ann", "ann@example.com", "pbkdf2_sha256$1$a$b"),
        imported(7, "bob", "", "!unusable"),
        imported(local.id, "mallory", "m@example.com", "x"),
        imported(200, "eve", "LOCAL@example.com", "x"),
    ];
    let dry = store.import_users(&first, true).await.unwrap();
    assert!(
        store.user_by_id(100).await.unwrap().is_none(),
        "a dry run writes nothing"
    );
    let actions = store.import_users(&first, false).await.unwrap();
    assert_eq!(actions, dry, "a dry run reports what the import does");
    assert_eq!(actions[0], ImportAction::Created);
    assert_eq!(actions[1], ImportAction::Created);
    assert!(matches!(&actions[2], ImportAction::Conflict(why) if why.contains("\"local\"")));
    assert!(
        matches!(&actions[3], ImportAction::Conflict(_)),
        "emails collide ignoring case"
    );
    let ann = store.user_by_id(100).await.unwrap().unwrap();
    assert_eq!(
        (ann.username.as_str(), ann.roles.clone()),
        ("ann", vec!["editors".to_owned()])
    );
    assert_eq!(ann.last_login, Some(50));

    // jwtd re-hashes ann's password on login; Django changes bob's and deactivates ann.
    store
        .upgrade_password_hash(100, "pbkdf2_sha256$1$a$b", "argon2$upgraded")
        .await
        .unwrap();
    let mut second = first[..2].to_vec();
    second[0].account.is_active = false;
    second[1].account.password = "pbkdf2_sha256$1$c$d".into();
    second.push(imported(300, "cat", "", "x"));
    let actions = store.import_users(&second, false).await.unwrap();
    assert_eq!(
        actions,
        [
            ImportAction::Updated(vec!["is_active"]),
            ImportAction::Updated(vec!["password"]),
            ImportAction::Created
        ]
    );
    let ann = store.user_by_id(100).await.unwrap().unwrap();
    assert_eq!(ann.password, "argon2$upgraded", "jwtd's re-hash is kept");
    assert!(!ann.is_active);
    let bob = store.user_by_id(7).await.unwrap().unwrap();
    assert_eq!(bob.password, "pbkdf2_sha256$1$c$d");
    assert_eq!(
        store.import_users(&second, false).await.unwrap(),
        [
            ImportAction::Unchanged,
            ImportAction::Unchanged,
            ImportAction::Unchanged
        ]
    );
    let next = store.create_user(user("new", ""), 1).await.unwrap();
    assert_eq!(next.id, 301, "ids continue after the largest imported one");
}

#[tokio::test]
async fn imported_tokens_are_recorded_and_blacklisted_ones_stay_blacklisted() {
    let (_dir, store) = fresh().await;
    let token = |jti: &str, blacklisted_at| ImportedToken {
        jti: jti.into(),
        user_id: Some(1),
        created_at: 10,
        expires_at: 2_000_000_000,
        blacklisted_at,
    };
    let tokens = [token("outstanding", None), token("revoked", Some(20))];
    let counts = store.import_tokens(&tokens, false).await.unwrap();
    assert_eq!((counts.recorded, counts.blacklisted), (2, 1));
    assert!(store.is_blacklisted("revoked").await.unwrap());
    assert!(!store.is_blacklisted("outstanding").await.unwrap());
    let again = store.import_tokens(&tokens, false).await.unwrap();
    assert_eq!((again.recorded, again.blacklisted), (0, 0), "idempotent");
}
