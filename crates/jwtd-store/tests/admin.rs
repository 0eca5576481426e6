//! The admin API's storage on a real database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`): user search and updates, sessions, API keys, the audit log.

use std::sync::Arc;

use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use jwtd_store::{
    AuditEntry, AuditQuery, NewApiKey, NewUser, PoolConfig, RefreshToken, SessionOrigin, Store,
    StoreError, Succession, UserChanges, UserQuery,
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

fn user(name: &str, email: &str, roles: &[&str], active: bool) -> NewUser {
    NewUser {
        username: name.into(),
        email: email.into(),
        password: "!".into(),
        is_active: active,
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

fn names(users: &[jwtd_store::User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

#[tokio::test]
async fn users_are_searched_filtered_paged_and_updated() {
    let (_dir, store) = fresh().await;
    for (name, email, roles, active) in [
        ("alice", "Alice@Example.com", &["admin"][..], true),
        ("bob", "bob@example.org", &["staff", "admin_x"][..], true),
        ("carol_1", "", &[][..], false),
        ("carol%", "c@example.com", &["staff"][..], true),
    ] {
        store
            .create_user(user(name, email, roles, active), 1)
            .await
            .unwrap();
    }
    let search = |q: UserQuery| {
        let store = store.clone();
        async move {
            store
                .search_users(&UserQuery { limit: 10, ..q })
                .await
                .unwrap()
        }
    };
    let (count, found) = search(UserQuery::default()).await;
    assert_eq!(
        (count, names(&found)),
        (4, vec!["alice", "bob", "carol_1", "carol%"])
    );
    let (count, found) = search(UserQuery {
        search: Some("EXAMPLE.COM".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        (count, names(&found)),
        (2, vec!["alice", "carol%"]),
        "email, any case"
    );
    let (_, found) = search(UserQuery {
        search: Some("l_".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(
        names(&found),
        vec!["carol_1"],
        "LIKE wildcards match literally"
    );
    let (_, found) = search(UserQuery {
        search: Some("%".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&found), vec!["carol%"]);
    let (_, found) = search(UserQuery {
        role: Some("admin".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&found), vec!["alice"], "a whole role, not a prefix");
    let (_, found) = search(UserQuery {
        is_active: Some(false),
        ..Default::default()
    })
    .await;
    assert_eq!(names(&found), vec!["carol_1"]);
    let (count, found) = store
        .search_users(&UserQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((count, names(&found)), (4, vec!["bob", "carol_1"]));

    let alice = store.user_by_username("alice").await.unwrap().unwrap();
    let changes = UserChanges {
        email: Some("New@Example.com".into()),
        roles: Some(vec!["viewer".into()]),
        is_active: Some(false),
        ..Default::default()
    };
    let updated = store
        .update_user(alice.id, &changes)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            updated.email.as_str(),
            updated.roles.clone(),
            updated.is_active,
            updated.username.as_str()
        ),
        (
            "New@Example.com",
            vec!["viewer".to_string()],
            false,
            "alice"
        )
    );
    assert!(
        store
            .user_by_email("new@example.com")
            .await
            .unwrap()
            .is_some()
    );
    let taken = UserChanges {
        username: Some("bob".into()),
        ..Default::default()
    };
    assert!(matches!(
        store.update_user(alice.id, &taken).await,
        Err(StoreError::UsernameTaken(_))
    ));
    let taken = UserChanges {
        email: Some("BOB@example.org".into()),
        ..Default::default()
    };
    assert!(matches!(
        store.update_user(alice.id, &taken).await,
        Err(StoreError::EmailTaken(_))
    ));
    assert!(
        store
            .update_user(999, &UserChanges::default())
            .await
            .unwrap()
            .is_none()
    );
}

fn token(jti: &str, family: &str, user_id: i64, expires_at: i64) -> RefreshToken {
    RefreshToken {
        jti: jti.into(),
        user_id: Some(user_id),
        family: family.into(),
        expires_at,
        encoded: String::new(),
    }
}

#[tokio::test]
async fn sessions_live_while_their_family_has_a_usable_token() {
    let (_dir, store) = fresh().await;
    let origin = SessionOrigin::new("10.0.0.1".into(), &"x".repeat(1000));
    assert_eq!(origin.user_agent.len(), SessionOrigin::USER_AGENT_CHARS);
    let (a, b, c) = (
        token("a", "a", 7, 1000),
        token("b", "b", 7, 1000),
        token("c", "c", 8, 1000),
    );
    for t in [&a, &b, &c] {
        store.open_session(t, &origin, 100).await.unwrap();
    }
    let live = store.user_sessions(7, 100).await.unwrap();
    assert_eq!(
        live.iter().map(|s| s.family.as_str()).collect::<Vec<_>>(),
        ["b", "a"]
    );
    assert_eq!(
        (live[0].ip.as_str(), live[0].created_at, live[0].expires_at),
        ("10.0.0.1", 100, 1000)
    );

    // A rotation keeps the session and marks its use; the successor's expiry is the session's.
    let a2 = token("a2", "a", 7, 2000);
    let succession = Succession {
        old: &a,
        new: &a2,
        blacklist_old: false,
    };
    store.rotate(succession, 150).await.unwrap();
    let session = store.session(live[1].id, 150).await.unwrap().unwrap();
    assert_eq!((session.last_used_at, session.expires_at), (150, 2000));
    store.touch_session("b", 200).await.unwrap();
    store.touch_session("b", 230).await.unwrap();
    let b_session = store.session(live[0].id, 230).await.unwrap().unwrap();
    assert_eq!(b_session.last_used_at, 200, "at most one write a minute");

    store.revoke_family("a", 300).await.unwrap();
    assert!(
        store.session(live[1].id, 300).await.unwrap().is_none(),
        "revoked"
    );
    assert!(
        store.session(live[0].id, 1000).await.unwrap().is_none(),
        "expired"
    );

    let d = token("d", "d", 7, 5000);
    store.open_session(&d, &origin, 400).await.unwrap();
    let ended = store.end_other_sessions(7, Some("d"), 400).await.unwrap();
    assert_eq!(ended, vec!["b".to_string()]);
    let live = store.user_sessions(7, 400).await.unwrap();
    assert_eq!(
        live.iter().map(|s| s.family.as_str()).collect::<Vec<_>>(),
        ["d"]
    );
    assert_eq!(
        store.user_sessions(8, 400).await.unwrap().len(),
        1,
        "another user's session stays"
    );
}

#[tokio::test]
async fn api_keys_are_found_by_hash_and_names_are_unique() {
    let (_dir, store) = fresh().await;
    let key = NewApiKey {
        name: "deploy".into(),
        prefix: "jwtd_ab".into(),
        key_hash: "00ff".into(),
        read_only: true,
    };
    let added = store.add_api_key(&key, 5).await.unwrap();
    assert!(added.read_only && added.created_at == 5);
    let again = NewApiKey {
        key_hash: "11ee".into(),
        ..key.clone()
    };
    assert!(matches!(
        store.add_api_key(&again, 6).await,
        Err(StoreError::NameTaken(_))
    ));
    assert_eq!(
        store.api_key_by_hash("00ff").await.unwrap(),
        Some(added.clone())
    );
    assert_eq!(store.api_keys().await.unwrap(), vec![added]);
    assert!(store.remove_api_key("deploy").await.unwrap());
    assert!(!store.remove_api_key("deploy").await.unwrap());
    assert!(store.api_key_by_hash("00ff").await.unwrap().is_none());
}

#[tokio::test]
async fn the_audit_log_filters_pages_and_expires() {
    let (_dir, store) = fresh().await;
    for (at, action, actor_user, target) in [
        (10, "user.created", Some(1), Some(2)),
        (20, "password.set", None, Some(2)),
        (30, "user.created", Some(2), Some(3)),
        (40, "api_key.created", None, None),
    ] {
        let entry = AuditEntry {
            id: 0,
            at,
            action: action.into(),
            actor: actor_user.map_or("cli".into(), |u| format!("user:{u}")),
            actor_user,
            target_user: target,
            detail: "{}".into(),
            ip: Some("127.0.0.1".into()),
            request_id: None,
        };
        store.record_audit(&entry).await.unwrap();
    }
    let query = |q: AuditQuery| {
        let store = store.clone();
        async move {
            let (count, entries) = store
                .audit_entries(&AuditQuery { limit: 10, ..q })
                .await
                .unwrap();
            (count, entries.into_iter().map(|e| e.at).collect::<Vec<_>>())
        }
    };
    assert_eq!(
        query(AuditQuery::default()).await,
        (4, vec![40, 30, 20, 10])
    );
    assert_eq!(
        query(AuditQuery {
            user: Some(2),
            ..Default::default()
        })
        .await,
        (3, vec![30, 20, 10])
    );
    assert_eq!(
        query(AuditQuery {
            action: Some("user.created".into()),
            since: Some(15),
            ..Default::default()
        })
        .await,
        (1, vec![30])
    );
    let (count, page) = store
        .audit_entries(&AuditQuery {
            offset: 3,
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((count, page.len()), (4, 1));
    assert_eq!(store.flush_audit(25).await.unwrap(), 2);
    assert_eq!(query(AuditQuery::default()).await, (2, vec![40, 30]));
}
