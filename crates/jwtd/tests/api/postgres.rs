//! What only PostgreSQL does: several jwtd processes sharing one database, and a database
//! that goes away and comes back under a running jwtd. Ignored (the runner says why) unless
//! `TEST_DATABASE_URL` names a PostgreSQL server; `bash .ci/run` starts one.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use serde_json::{Value, json};

use crate::helpers::{JwtdProcess, KEY, run_jwtd};
use crate::pg_server::PgServer;

/// A jwtd config on `database_url` with rotation and blacklisting on.
pub(crate) fn config(dir: &Path, database_url: &str) -> PathBuf {
    let path = dir.join("jwtd.toml");
    std::fs::write(
        &path,
        format!(
            "data_dir = {:?}\nbind = \"127.0.0.1:0\"\nsigning_key = {KEY:?}\n\
             database_url = {database_url:?}\ndatabase_acquire_timeout = \"1s\"\n\
             rotate_refresh_tokens = true\nblacklist_after_rotation = true\n\
             [hashing]\nmemory_kib = 64\niterations = 1\n",
            dir.join("data")
        ),
    )
    .unwrap();
    path
}

pub(crate) fn add_user(config: &Path, name: &str) {
    let args = [
        OsStr::new("--config"),
        config.as_os_str(),
        OsStr::new("user"),
        OsStr::new("add"),
        OsStr::new(name),
    ];
    let output = run_jwtd(&args, &[], "a long test password\n");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

pub(crate) async fn post(http: &reqwest::Client, url: String, body: Value) -> (u16, Value) {
    let answer = http.post(url).json(&body).send().await.unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

async fn login(http: &reqwest::Client, base: &str) -> (u16, Value) {
    login_as(http, base, "alice").await
}

/// Logs `username` in with the password [`add_user`] gave.
pub(crate) async fn login_as(http: &reqwest::Client, base: &str, username: &str) -> (u16, Value) {
    post(
        http,
        format!("{base}/token/"),
        json!({"username": username, "password": "a long test password"}),
    )
    .await
}

async fn refresh(http: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    post(
        http,
        format!("{base}/token/refresh/"),
        json!({"refresh": token}),
    )
    .await
}

fn blacklisted() -> Value {
    json!({"detail": "Token is blacklisted", "code": "token_not_valid"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL (bash .ci/run does)"
)]
async fn two_instances_share_rotation_and_blacklist() {
    let server = postgres_server().expect("TEST_DATABASE_URL names a server");
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &fresh_postgres_database(&server).await);
    add_user(&config, "alice");
    let (a, b) = (JwtdProcess::start(&config), JwtdProcess::start(&config));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    // Rotated through A: refused by B.
    let (_, pair) = login(&http, &a.base).await;
    let first = pair["refresh"].as_str().unwrap().to_owned();
    let (status, rotated) = refresh(&http, &a.base, &first).await;
    assert_eq!(status, 200);
    assert_eq!(refresh(&http, &b.base, &first).await, (401, blacklisted()));
    // Blacklisted on B: refused by A.
    let second = rotated["refresh"].as_str().unwrap().to_owned();
    let (status, _) = post(
        &http,
        format!("{}/token/blacklist/", b.base),
        json!({"refresh": second}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(refresh(&http, &a.base, &second).await, (401, blacklisted()));

    // 20 concurrent refreshes of one token, alternating between the instances.
    let (_, pair) = login(&http, &b.base).await;
    let token = pair["refresh"].as_str().unwrap().to_owned();
    let attempts = (0..20).map(|i| {
        let base = if i % 2 == 0 { &a.base } else { &b.base };
        refresh(&http, base, &token)
    });
    let answers = futures_util::future::join_all(attempts).await;
    let winners = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(winners, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|(s, _)| *s != 200)
            .all(|answer| *answer == (401, blacklisted())),
        "{answers:?}"
    );
}

/// Polls `check` every 100 ms until it holds or `limit` passes.
pub(crate) async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL (bash .ci/run does)"
)]
async fn jwtd_rides_out_a_database_outage() {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &pg.url());
    add_user(&config, "alice");
    let jwtd = JwtdProcess::start(&config);
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let health = |url: String| {
        let http = http.clone();
        async move {
            let answer = http.get(url).send().await.unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.unwrap())
        }
    };
    let (status, pair) = login(&http, &jwtd.base).await;
    assert_eq!(status, 200);
    let token = pair["refresh"].as_str().unwrap().to_owned();

    pg.stop();
    let unavailable = json!({"detail": "The database is unavailable. Try again shortly."});
    assert_eq!(login(&http, &jwtd.base).await, (503, unavailable.clone()));
    assert_eq!(
        refresh(&http, &jwtd.base, &token).await,
        (503, unavailable.clone())
    );
    let answer = http
        .post(format!("{}/token/", jwtd.base))
        .json(&json!({"username": "alice", "password": "a long test password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["retry-after"], "1");
    // Alive, but not ready: a load balancer stops sending, an orchestrator does not restart.
    assert_eq!(
        health(format!("{}/healthz", jwtd.base)).await,
        (200, json!({"status": "ok", "database": "unreachable"}))
    );
    assert_eq!(
        health(format!("{}/readyz", jwtd.base)).await,
        (
            503,
            json!({"status": "unavailable", "database": "unreachable",
                   "migrations": "unknown", "signing_key": "loaded"})
        )
    );

    // A second instance started while the database is down waits for it.
    let late_config = config.clone();
    let late = std::thread::spawn(move || JwtdProcess::start(&late_config));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!late.is_finished(), "it waits for the database");

    pg.resume();
    let base = jwtd.base.clone();
    assert!(
        eventually(Duration::from_secs(15), || {
            let http = http.clone();
            let base = base.clone();
            async move { login(&http, &base).await.0 == 200 }
        })
        .await,
        "the running instance serves again without a restart"
    );
    assert_eq!(
        health(format!("{}/readyz", jwtd.base)).await,
        (
            200,
            json!({"status": "ready", "database": "ok", "migrations": "ok", "signing_key": "loaded"})
        )
    );
    let (status, _) = refresh(&http, &jwtd.base, &token).await;
    assert_eq!(status, 200);
    let late = late.join().unwrap();
    assert_eq!(login(&http, &late.base).await.0, 200);
    assert!(pg.dir().exists());
}
