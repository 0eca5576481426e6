//! PostgreSQL faults under load: a database that stalls (a proxy holding every packet), and a
//! database restarted while two instances rotate refresh tokens. Ignored unless
//! `TEST_DATABASE_URL` names a PostgreSQL server (`bash .ci/run` starts one).

use std::collections::HashMap;
use std::net::ToSocketAddrs;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use jwtd_store::testing::{fresh_postgres_database, postgres_server};
use serde_json::{Value, json};

use crate::helpers::{JwtdProcess, spawn_with, token_part};
use crate::pg_server::PgServer;
use crate::postgres::{add_user, config, eventually, login_as, post};
use crate::stalling_proxy::StallingProxy;

const PASSWORD: &str = "a long test password";

fn unavailable() -> Value {
    json!({"detail": "The database is unavailable. Try again shortly."})
}

/// `url` with its host and port replaced by `addr`'s.
fn through(url: &str, addr: std::net::SocketAddr) -> String {
    let mut url = reqwest::Url::parse(url).unwrap();
    url.set_ip_host(addr.ip()).unwrap();
    url.set_port(Some(addr.port())).unwrap();
    url.to_string()
}

/// The value of the metric line starting with `series` (name and labels) in `/metrics`' text.
fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL (bash .ci/run does)"
)]
async fn a_stalled_database_gets_prompt_503s_while_verify_answers() {
    let server = postgres_server().expect("TEST_DATABASE_URL names a server");
    let database = fresh_postgres_database(&server).await;
    let upstream = reqwest::Url::parse(&database).unwrap();
    let upstream = (
        upstream.host_str().unwrap(),
        upstream.port().unwrap_or(5432),
    )
        .to_socket_addrs()
        .unwrap()
        .next()
        .unwrap();
    let proxy = StallingProxy::start(upstream).await;
    let (acquire, query) = (Duration::from_millis(700), Duration::from_millis(800));
    let bound = acquire + query;
    let app = spawn_with(|s| {
        s.database_url = Some(through(&database, proxy.addr));
        s.database_pool_size = 4;
        s.database_acquire_timeout = acquire;
        s.database_query_timeout = query;
        s.database_max_pending = 8;
        s.rotate_refresh_tokens = true;
        s.blacklist_after_rotation = true;
    })
    .await;
    app.add_user("alice", "", PASSWORD, &[]).await;
    let (refresh, access) = app.login("alice", PASSWORD).await;
    let login = || {
        app.post_json(
            "/token/",
            json!({"username": "alice", "password": PASSWORD}),
        )
    };

    proxy.stall();
    // What needs the database fails within the bound, with the 503 a client retries.
    for attempt in [login().boxed(), app.refresh(&refresh).boxed()] {
        let started = Instant::now();
        let answer = attempt.await;
        let took = started.elapsed();
        answer.expect(503, unavailable());
        assert_eq!(answer.header("retry-after"), Some("1"));
        assert!(took < bound + Duration::from_millis(500), "took {took:?}");
    }

    // A burst of 40 refreshes: 8 wait (database_max_pending), the rest are refused at once;
    // every one is a 503 within the bound, and verify answers at once meanwhile. (Margins
    // allow for a loaded CI machine running a debug build: a wave of 8 may time out and let
    // late arrivals wait in its place.)
    let burst_started = Instant::now();
    let burst: Vec<_> = (0..40)
        .map(|_| {
            let (http, url) = (app.http.clone(), app.url("/token/refresh/"));
            let body = json!({"refresh": refresh});
            tokio::spawn(async move {
                let answer = http.post(url).json(&body).send().await.unwrap();
                answer.status().as_u16()
            })
        })
        .collect();
    let mut slowest_verify = Duration::ZERO;
    let mut most_pending = 0.0f64;
    while burst_started.elapsed() < bound {
        let started = Instant::now();
        app.verify(&access).await.expect(200, json!({}));
        slowest_verify = slowest_verify.max(started.elapsed());
        let metrics = app.send(app.http.get(app.url("/metrics"))).await.text;
        most_pending = most_pending.max(metric(&metrics, "jwtd_db_calls_pending"));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for status in futures_util::future::join_all(burst).await {
        assert_eq!(status.unwrap(), 503);
    }
    assert!(
        burst_started.elapsed() < bound + Duration::from_millis(1500),
        "the burst took {:?}",
        burst_started.elapsed()
    );
    assert!(
        slowest_verify < Duration::from_millis(500),
        "verify took {slowest_verify:?} during the stall"
    );
    assert!(most_pending <= 8.0, "{most_pending} calls pending");
    let metrics = app.send(app.http.get(app.url("/metrics"))).await.text;
    let refused = metric(
        &metrics,
        "jwtd_db_calls_failed_total{reason=\"too_many_pending\"}",
    );
    let timed_out = metric(&metrics, "jwtd_db_calls_failed_total{reason=\"timeout\"}");
    assert!(refused >= 24.0, "{refused} refused at once\n{metrics}");
    assert!(timed_out >= 1.0, "{timed_out} timed out\n{metrics}");

    // Traffic passes again: service resumes without a restart, and the refreshes that got a
    // 503 wrote nothing (the token still rotates, once).
    proxy.pass();
    assert!(
        eventually(Duration::from_secs(15), || {
            let attempt = login();
            async move { attempt.await.status == 200 }
        })
        .await,
        "logins succeed again"
    );
    let rotated = app.refresh(&refresh).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(app.refresh(&refresh).await.status, 401);
}

/// Each worker's account of what jwtd acknowledged.
#[derive(Default)]
struct Acknowledged {
    /// Rotated token's jti → its successor's jti, as answered with a 200.
    rotations: HashMap<String, String>,
    /// jtis a 200 from the blacklist endpoint confirmed.
    blacklisted: Vec<String>,
    /// Answers that were not 200 (503s, connections cut) while the database restarted.
    failures: usize,
    /// Rotations acknowledged after the last restart.
    after_restarts: usize,
}

fn jti(token: &str) -> String {
    token_part(token, 1)["jti"].as_str().unwrap().to_owned()
}

/// One client: logs in, refreshes (alternating between the instances), blacklists every
/// seventh token and logs in again, until `stop`. A 503 or a cut connection is retried with the
/// same token; a 401 after such a failure means the rotation committed but its answer was lost,
/// so the client logs in again.
async fn rotate_until(
    user: String,
    bases: [String; 2],
    stop: Arc<std::sync::atomic::AtomicBool>,
    restarted: Arc<std::sync::atomic::AtomicBool>,
    seen: Arc<Mutex<Acknowledged>>,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut current: Option<String> = None;
    let mut step = 0usize;
    while !stop.load(Relaxed) {
        step += 1;
        let base = &bases[step % 2];
        let Some(token) = current.clone() else {
            match login_as(&http, base, &user).await {
                (200, pair) => current = Some(pair["refresh"].as_str().unwrap().to_owned()),
                _ => {
                    seen.lock().unwrap().failures += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            continue;
        };
        let (path, body) = if step.is_multiple_of(7) {
            ("/token/blacklist/", json!({"refresh": token}))
        } else {
            ("/token/refresh/", json!({"refresh": token}))
        };
        match post(&http, format!("{base}{path}"), body).await {
            (200, answer) if path == "/token/blacklist/" => {
                seen.lock().unwrap().blacklisted.push(jti(&token));
                assert_eq!(answer, json!({}));
                current = None;
            }
            (200, answer) => {
                let next = answer["refresh"].as_str().unwrap().to_owned();
                let mut seen = seen.lock().unwrap();
                let earlier = seen.rotations.insert(jti(&token), jti(&next));
                assert!(earlier.is_none(), "a token was acknowledged two successors");
                if restarted.load(Relaxed) {
                    seen.after_restarts += 1;
                }
                current = Some(next);
            }
            (401, _) => current = None,
            _ => {
                seen.lock().unwrap().failures += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "needs PostgreSQL: set TEST_DATABASE_URL (bash .ci/run does)"
)]
async fn restarts_under_rotation_load_lose_no_acknowledged_write() {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &pg.url());
    let users: Vec<String> = (0..8).map(|i| format!("user{i}")).collect();
    for user in &users {
        add_user(&config, user);
    }
    let (a, b) = (JwtdProcess::start(&config), JwtdProcess::start(&config));
    let (stop, restarted) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let seen = Arc::new(Mutex::new(Acknowledged::default()));
    let workers: Vec<_> = users
        .iter()
        .map(|user| {
            tokio::spawn(rotate_until(
                user.clone(),
                [a.base.clone(), b.base.clone()],
                stop.clone(),
                restarted.clone(),
                seen.clone(),
            ))
        })
        .collect();

    // A clean restart, then a crash (immediate: no shutdown checkpoint, WAL replay), each in
    // the middle of the load.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    pg.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    pg.resume();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    pg.crash();
    tokio::time::sleep(Duration::from_millis(500)).await;
    pg.resume();
    restarted.store(true, Relaxed);
    let load_resumed = eventually(Duration::from_secs(20), || {
        let resumed = seen.lock().unwrap().after_restarts >= 20;
        async move { resumed }
    })
    .await;
    stop.store(true, Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    assert!(
        load_resumed,
        "rotations resume on both instances after the restarts"
    );

    let seen = std::mem::take(&mut *seen.lock().unwrap());
    assert!(seen.failures > 0, "the restarts happened under load");
    assert!(
        seen.rotations.len() > 50,
        "{} rotations",
        seen.rotations.len()
    );
    let db = sqlx::PgPool::connect(&pg.url()).await.unwrap();
    for (old, new) in &seen.rotations {
        let (replaced_by, blacklisted_at): (Option<String>, Option<i64>) =
            sqlx::query_as("SELECT replaced_by, blacklisted_at FROM refresh_tokens WHERE jti = $1")
                .bind(old)
                .fetch_one(&db)
                .await
                .unwrap_or_else(|e| panic!("acknowledged rotation of {old} lost: {e}"));
        assert_eq!(replaced_by.as_ref(), Some(new), "{old}'s successor");
        assert!(blacklisted_at.is_some(), "{old} rotated, so blacklisted");
    }
    for jti in &seen.blacklisted {
        let blacklisted_at: Option<i64> =
            sqlx::query_scalar("SELECT blacklisted_at FROM refresh_tokens WHERE jti = $1")
                .bind(jti)
                .fetch_one(&db)
                .await
                .unwrap_or_else(|e| panic!("acknowledged blacklisting of {jti} lost: {e}"));
        assert!(blacklisted_at.is_some(), "{jti} blacklisted");
    }
    // Every token but a login's first was made by exactly one rotation, and every rotation's
    // successor exists: no token has two successors, none was orphaned.
    let (successors_without_one_parent, dangling): (i64, i64) = sqlx::query_as(
        "SELECT
           (SELECT count(*) FROM refresh_tokens c WHERE c.jti <> c.family AND
              (SELECT count(*) FROM refresh_tokens p WHERE p.replaced_by = c.jti) <> 1),
           (SELECT count(*) FROM refresh_tokens p WHERE p.replaced_by IS NOT NULL AND
              NOT EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.jti = p.replaced_by))",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((successors_without_one_parent, dangling), (0, 0));
    db.close().await;
}
