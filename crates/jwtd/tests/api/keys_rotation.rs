//! Rotation that nobody notices: under load, through the CLI, on one instance or two sharing a
//! PostgreSQL database; the retired key leaves the JWKS once its tokens have expired.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jwtd_core::keys::Algorithm;
use serde_json::json;

use crate::helpers::*;
use crate::keys::{KEK, header, jwks, key_set, verified_by_jwks};

/// Short enough for a test: keys published 2 s before they sign, re-read every 100 ms,
/// tokens living at most 6 s.
fn quick_rotation(s: &mut jwtd_core::Settings) {
    key_set(s, Algorithm::ES256);
    s.keys.publish_delay = Duration::from_secs(2);
    s.keys.jwks_max_age = Duration::from_secs(1);
    s.keys.reload_interval = Duration::from_millis(100);
    s.access_token_lifetime = Duration::from_secs(5);
    s.refresh_token_lifetime = Duration::from_secs(6);
}

/// `jwtd keys …` on the app's database and settings.
async fn keys_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let settings = &app.state.settings;
    let mut all = vec![
        "--data-dir".to_owned(),
        settings.data_dir.display().to_string(),
        "keys".to_owned(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    let mut envs = vec![
        ("JWTD_ALGORITHM", settings.algorithm.name().to_owned()),
        ("JWTD_KEYS__ENCRYPTION_KEY", KEK.to_owned()),
        ("JWTD_KEYS__PUBLISH_DELAY", "2s".to_owned()),
        ("JWTD_KEYS__JWKS_MAX_AGE", "1s".to_owned()),
        ("JWTD_ACCESS_TOKEN_LIFETIME", "5s".to_owned()),
        ("JWTD_REFRESH_TOKEN_LIFETIME", "6s".to_owned()),
    ];
    if let Some(url) = &settings.database_url {
        envs.push(("JWTD_DATABASE_URL", url.clone()));
    }
    tokio::task::spawn_blocking(move || {
        let args: Vec<&std::ffi::OsStr> = all.iter().map(std::ffi::OsStr::new).collect();
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_jwtd(&args, &envs, "")
    })
    .await
    .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The kid in `text` after `marker` (`generated key <kid> …`).
fn kid_after(text: &str, marker: &str) -> String {
    let rest = &text[text
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {text}"))
        + marker.len()..];
    rest.split_whitespace().next().unwrap().to_owned()
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Another instance on `first`'s database (its SQLite file or PostgreSQL database), with its
/// own data directory.
async fn second_instance(first: &TestApp) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let mut settings = first.state.settings.clone();
    settings.database_url = Some(settings.effective_database_url());
    settings.data_dir = dir.path().to_path_buf();
    spawn_in(dir, settings, jwtd_core::Clock::system()).await
}

async fn signing_kid(app: &TestApp) -> String {
    let (_, access) = app.login("alice", "pw").await;
    header(&access)["kid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn rotation_under_load_fails_no_request() {
    let app = Arc::new(spawn_with(quick_rotation).await);
    app.add_user("alice", "", "pw", &[]).await;
    let old_kid = signing_kid(&app).await;

    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    // One account per client: simultaneous logins of one account past `account_failures`
    // would be throttled (documented), which is not what this test is about.
    for client in 0..4 {
        let (app, stop, requests) = (app.clone(), stop.clone(), requests.clone());
        let name = format!("client{client}");
        app.add_user(&name, "", "pw", &[]).await;
        clients.push(tokio::spawn(async move {
            let mut kids = std::collections::BTreeSet::new();
            while !stop.load(Ordering::Relaxed) {
                let (refresh, access) = app.login(&name, "pw").await;
                let answer = app.refresh(&refresh).await;
                assert_eq!(answer.status, 200, "refresh: {}", answer.text);
                let fresh = answer.json()["access"].as_str().unwrap().to_owned();
                for token in [&access, &fresh] {
                    app.verify(token).await.expect(200, json!({}));
                    let me = app
                        .get_with_auth("/users/me/", &format!("Bearer {token}"))
                        .await;
                    assert_eq!(me.status, 200, "{}", me.text);
                    kids.insert(header(token)["kid"].as_str().unwrap().to_owned());
                }
                requests.fetch_add(6, Ordering::Relaxed);
            }
            kids
        }));
    }

    let generated = stdout(&keys_cli(&app, &["generate"]).await);
    let new_kid = kid_after(&generated, "generated key ");
    until("the new key is published", async || {
        jwks(&app).await.find(&new_kid).is_some()
    })
    .await;
    let early = keys_cli(&app, &["rotate"]).await;
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert!(
        !early.status.success() && stderr.contains("wait "),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (old_refresh, old_access) = app.login("alice", "pw").await;
    assert_eq!(header(&old_access)["kid"], old_kid.as_str());
    let rotated = stdout(&keys_cli(&app, &["rotate"]).await);
    assert!(
        rotated.contains(&format!("key {new_kid} signs new tokens now")),
        "{rotated}"
    );
    until("new tokens carry the new kid", async || {
        signing_kid(&app).await == new_kid
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut seen = std::collections::BTreeSet::new();
    for client in clients {
        seen.extend(client.await.expect("no request failed"));
    }
    assert_eq!(
        seen,
        [old_kid.clone(), new_kid.clone()].into(),
        "both keys signed under load"
    );
    assert!(requests.load(Ordering::Relaxed) > 50);

    // Tokens signed before the rotation still verify, here and with the JWKS alone.
    app.verify(&old_access).await.expect(200, json!({}));
    assert_eq!(app.refresh(&old_refresh).await.status, 200);
    assert!(verified_by_jwks(&jwks(&app).await, &old_access).is_some());
    let listed = stdout(&keys_cli(&app, &["list", "--json"]).await);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let states: std::collections::BTreeMap<&str, (&str, Option<i64>)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let state = (k["state"].as_str().unwrap(), k["retires_at"].as_i64());
            (k["kid"].as_str().unwrap(), state)
        })
        .collect();
    assert_eq!(states.len(), 2);
    assert!(
        matches!(states[old_kid.as_str()], ("retired", Some(_))),
        "{states:?}"
    );
    assert_eq!(states[new_kid.as_str()], ("current", None));

    // Once every token it signed has expired (6 s), the retired key leaves the JWKS.
    until("the retired key leaves the JWKS", async || {
        jwks(&app).await.find(&old_kid).is_none()
    })
    .await;
    app.verify(&old_access)
        .await
        .expect(401, token_not_valid("Token is invalid"));
}

#[tokio::test]
async fn two_instances_on_one_postgresql_use_one_rotation() {
    if test_database().await.is_none() {
        eprintln!("skipped: set TEST_DATABASE_URL to a PostgreSQL server (CI does)");
        return;
    }
    let first = spawn_with(quick_rotation).await;
    first.add_user("alice", "", "pw", &[]).await;
    let second = second_instance(&first).await;
    let old_kid = signing_kid(&first).await;
    assert_eq!(signing_kid(&second).await, old_kid, "one key set");
    let (_, from_first) = first.login("alice", "pw").await;
    second.verify(&from_first).await.expect(200, json!({}));

    let generated = stdout(&keys_cli(&first, &["generate"]).await);
    let new_kid = kid_after(&generated, "generated key ");
    until("both publish the new key", async || {
        jwks(&first).await.find(&new_kid).is_some() && jwks(&second).await.find(&new_kid).is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stdout(&keys_cli(&first, &["rotate"]).await);
    until("both sign with the new key", async || {
        signing_kid(&first).await == new_kid && signing_kid(&second).await == new_kid
    })
    .await;
    let (_, from_second) = second.login("alice", "pw").await;
    first.verify(&from_second).await.expect(200, json!({}));
    second.verify(&from_first).await.expect(200, json!({}));
}

#[tokio::test]
async fn a_revoked_key_is_refused_at_once_and_the_current_key_cannot_be_retired() {
    let app = spawn_with(quick_rotation).await;
    app.add_user("alice", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let old_kid = header(&access)["kid"].as_str().unwrap().to_owned();
    let refused = keys_cli(&app, &["retire", &old_kid]).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && stderr.contains("rotate to another key first"),
        "{stderr}"
    );
    let rotated = stdout(&keys_cli(&app, &["rotate", "--now"]).await);
    assert!(rotated.contains("there was no next key"), "{rotated}");
    stdout(&keys_cli(&app, &["rotate", "--now"]).await);
    let revoked = stdout(&keys_cli(&app, &["retire", &old_kid, "--revoke"]).await);
    assert!(revoked.contains("refused from now on"), "{revoked}");
    until("the revoked key leaves the JWKS", async || {
        jwks(&app).await.find(&old_kid).is_none()
    })
    .await;
    let invalid = token_not_valid("Token is invalid");
    app.verify(&access).await.expect(401, invalid.clone());
    app.refresh(&refresh).await.expect(401, invalid.clone());
    let me = app
        .get_with_auth("/users/me/", &format!("Bearer {access}"))
        .await;
    assert_eq!(me.status, 401);
    // Every change the CLI made to the key set is in the audit log, newest first.
    let query = jwtd_store::AuditQuery {
        limit: 10,
        ..Default::default()
    };
    let (_, entries) = app.state.store.audit_entries(&query).await.unwrap();
    let actions: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("key.revoked", "cli"),
            ("key.rotated", "cli"),
            ("key.generated", "cli")
        ]
    );
    assert!(entries[0].detail.contains(&old_kid));
}

#[tokio::test]
async fn automatic_rotation_publishes_first_then_signs_on_every_instance() {
    let automatic = |s: &mut jwtd_core::Settings| {
        quick_rotation(s);
        s.keys.publish_delay = Duration::from_secs(1);
        s.keys.rotate_every = Some(Duration::from_secs(3));
    };
    let first = spawn_with(automatic).await;
    first.add_user("alice", "", "pw", &[]).await;
    // A second instance on the same database (SQLite file or PostgreSQL) runs the same upkeep.
    let second = second_instance(&first).await;

    let started = Instant::now();
    let old_kid = signing_kid(&first).await;
    let mut published_first = None;
    until("an automatic rotation", async || {
        let set = jwks(&first).await;
        if published_first.is_none() && set.keys.len() == 2 {
            published_first = Some(started.elapsed());
        }
        signing_kid(&first).await != old_kid
    })
    .await;
    assert!(
        published_first.is_some(),
        "the next key was in the JWKS before it signed"
    );
    let keys = first.state.store.signing_keys().await.unwrap();
    // Published (created) at least publish_delay before it signed — from the store's own
    // instants, not from when this test happened to poll.
    let new_key = keys
        .iter()
        .find(|k| k.kid != old_kid && k.activated_at.is_some());
    let new_key = new_key.expect("the rotated-in key");
    assert!(
        new_key.activated_at.unwrap() - new_key.created_at >= 1,
        "{new_key:?}"
    );
    let automatic_keys = keys
        .iter()
        .filter(|k| k.origin == jwtd_store::KeyOrigin::Automatic);
    assert_eq!(
        automatic_keys.count(),
        1,
        "two instances made one key: {keys:?}"
    );
    let new_kid = signing_kid(&first).await;
    until("the second instance signs with it", async || {
        signing_kid(&second).await == new_kid
    })
    .await;
}

#[tokio::test]
async fn a_token_from_a_key_an_instance_has_not_read_yet_makes_it_reread() {
    let slow_reload = |s: &mut jwtd_core::Settings| {
        quick_rotation(s);
        s.keys.reload_interval = Duration::from_secs(600);
    };
    let first = spawn_with(slow_reload).await;
    first.add_user("alice", "", "pw", &[]).await;
    let second = second_instance(&first).await;
    // A rotation made at once (`--now`), then the first instance restarted: it signs with a key
    // the second has never seen, and will not re-read for ten minutes on its own.
    stdout(&keys_cli(&first, &["rotate", "--now"]).await);
    stdout(&keys_cli(&first, &["rotate", "--now"]).await);
    let first = first.restart().await;
    let (_, access) = first.login("alice", "pw").await;
    let started = Instant::now();
    until("the second instance knows the new key", async || {
        second.verify(&access).await.status == 200
    })
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
